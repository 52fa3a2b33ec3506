// cli/rule_options.cpp — the rule options `eqlite match` and `eqlite consume` share, and the
// loading and compiling of their rules (cli/rule_options.hpp).
#include "cli/rule_options.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli/common.hpp"
#include "cli/output.hpp"
#include "pack/parallel_for.hpp"

namespace cli {

Parsed parse_rule_option(int argc, char** argv, int& i, RuleOptions& o, const char* command,
                         const char* usage) {
  const std::string a = argv[i];
  auto fail = [&](const std::string& message) {
    std::fprintf(stderr, "%s: %s\n%s", command, message.c_str(), usage);
    return Parsed::Error;
  };
  if (a == "--stats") {
    o.stats = true;
  } else if (a == "--samples-when-complete") {
    o.samples_now = true;
  } else if (a == "--alerts" || a == "--no-alerts") {
    o.alerts = a == "--alerts";
  } else if (a == "--include-deprecated") {
    o.include_deprecated = true;
  } else if (a == "--exceptions" || a == "--exception-lists") {
    if (i + 1 >= argc) return fail(a + " needs an argument");
    (a == "--exceptions" ? o.exception_files : o.exception_list_files).push_back(argv[++i]);
  } else if (a == "--allowed-lateness") {
    if (i + 1 >= argc || !parse_duration(argv[i + 1], o.lateness))
      return fail(
          "--allowed-lateness needs a duration: 0, or a whole number and a unit (ms, s, m, h, "
          "d), e.g. 30s");
    ++i;
  } else if (a == "--max-pending" || a == "--max-samples-per-key" || a == "--max-line-bytes" ||
             a == "--max-depth" || a == "--threads") {
    std::size_t* target = a == "--max-pending"           ? &o.max_pending
                          : a == "--max-samples-per-key" ? &o.max_samples
                          : a == "--max-line-bytes"      ? &o.reader.max_event_bytes
                          : a == "--max-depth"           ? &o.reader.max_depth
                                                         : &o.threads;
    if (i + 1 >= argc || !parse_size(argv[i + 1], *target))
      return fail(a + " needs a positive whole number");
    ++i;
  } else if (a == "--rule-file" || a == "--rules" || a == "--set" || a == "--category-field" ||
             a == "--timestamp-field" || a == "--tiebreaker-field") {
    if (i + 1 >= argc) return fail(a + " needs an argument");
    std::string v = argv[++i];
    if (a == "--rule-file" || a == "--rules") {
      o.rule_mode = true;
      o.rule_paths.push_back(v);
    } else if (a == "--category-field") {
      o.compile.category_field = v;
    } else if (a == "--timestamp-field") {
      o.compile.timestamp_field = v;
    } else if (a == "--tiebreaker-field") {
      o.compile.tiebreaker_field = v;
    } else {
      auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0) {
        std::fprintf(stderr, "%s: --set takes FIELD=VALUE, got '%s'\n", command, v.c_str());
        return Parsed::Error;
      }
      o.sets.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    }
  } else if (a.rfind("--rule-file=", 0) == 0) {
    o.rule_mode = true;
    o.rule_paths.push_back(a.substr(12));
  } else {
    return Parsed::NotMine;
  }
  return Parsed::Taken;
}

std::string scope_filter(const pack::Rule& r, bool any_index) {
  if (!any_index || r.index.empty()) return "";
  std::string in, out;
  for (const auto& p : r.index) {
    std::string& list = p.rfind('-', 0) == 0 ? out : in;
    list += (list.empty() ? "" : ", ") + json_quoted(p.rfind('-', 0) == 0 ? p.substr(1) : p);
  }
  std::string f = "_index == null or (";
  f += in.empty() ? "true" : "_index like (" + in + ")";
  if (!out.empty()) f += " and not _index like (" + out + ")";
  return f + ")";
}

int load_rules(const RuleOptions& o, const std::string& query, bool any_index, LoadedRules& out) {
  // The rules: files and folders (pack/rule_loader.hpp), or the query on the command line.
  pack::PackLoad& load = out.load;
  if (o.rule_mode) {
    pack::LoadOptions lo;
    lo.include_deprecated = o.include_deprecated;
    lo.threads = o.threads;
    load = pack::load_rules(o.rule_paths, lo);
    for (const auto& e : load.errors)
      std::fprintf(stderr, "%s\n", e.to_string().c_str());
    out.rule_errors = out.rule_errors || !load.errors.empty();
    if (load.folders > 0)  // say what was loaded
      std::fprintf(stderr, "eqlite: %s\n", load.summary().c_str());
    if (load.rules.empty()) {
      std::fprintf(stderr, "eqlite: no rule to run\n");
      return kError;
    }
  } else {
    pack::Rule r;
    r.id = r.name = "query";
    r.language = r.type = "eql";
    r.query = query;
    load.rules.push_back(std::move(r));
  }

  // Exception lists (docs/exceptions.md): --exceptions for every rule, --exception-lists for
  // the rules whose TOML names them.
  for (const auto& f : o.exception_files)
    pack::load_exceptions(f, out.except_all);
  for (const auto& f : o.exception_list_files)
    pack::load_exceptions(f, out.except_ref);
  for (const auto* load_ : {&out.except_all, &out.except_ref})
    for (const auto& e : load_->errors) {
      std::fprintf(stderr, "%s\n", e.to_string().c_str());
      out.rule_errors = true;
    }
  // Per loaded rule: the lists its TOML names, then those for every rule.
  std::vector<std::vector<const pack::ExceptionList*>> own_lists(load.rules.size());
  for (std::size_t r = 0; r < load.rules.size(); ++r) {
    std::vector<std::string> missing;
    own_lists[r] = out.except_ref.lists_for(load.rules[r], &missing);
    for (const auto& l : out.except_all.lists)
      own_lists[r].push_back(&l);
    out.any_exceptions = out.any_exceptions || !own_lists[r].empty();
    for (const auto& m : missing)
      std::fprintf(stderr,
                   "eqlite: %s: exception list %s is not loaded (--exception-lists FILE); the rule "
                   "runs without it\n",
                   load.rules[r].path.c_str(), m.c_str());
  }

  out.from_toml = std::any_of(load.rules.begin(), load.rules.end(), [](const pack::Rule& r) {
    return std::filesystem::path(r.path).extension() == ".toml";
  });
  // A sequence or sample rule with exception lists gets them as its filter, and a copy without
  // them (its shadow) counts the hits they keep from alerting.
  struct Shadow {
    const pack::Rule* rule;
    eqlite::Query query;
    std::size_t owner;
  };
  std::vector<Shadow> shadows;
  if (load.rules.size() == 1 && !out.rule_errors && !out.any_exceptions) {
    eqlite::CompileOptions co = o.compile;
    co.filter = scope_filter(load.rules[0], any_index);
    if (!load.rules[0].event_category_override.empty())
      co.category_field = load.rules[0].event_category_override;
    auto q = eqlite::compile(load.rules[0].query, co);
    if (!q) {
      if (o.rule_mode)
        std::fprintf(stderr, "%s\n",
                     pack::compile_error(load.rules[0], q.error()).to_string().c_str());
      else
        print_compile_error(load.rules[0].query, q.error());
      return kError;
    }
    out.single = std::move(*q);
    out.names.push_back(load.rules[0].name);
    out.metas.push_back(&load.rules[0]);
    out.rule_lists.emplace_back();
    out.prefiltered.push_back(false);
  } else {
    // Every rule compiled on every core (the costly part of loading a pack), then added in
    // order: the same ids, messages and output as one by one.
    struct Compiled {
      std::optional<eqlite::Result<eqlite::Query>> query;
      std::optional<eqlite::Query> shadow;  // without its exception lists
    };
    std::vector<Compiled> compiled(load.rules.size());
    pack::parallel_for(load.rules.size(), o.threads, [&](std::size_t i) {
      const pack::Rule& r = load.rules[i];
      eqlite::CompileOptions co = o.compile;
      co.filter = scope_filter(r, any_index);
      if (!r.event_category_override.empty()) co.category_field = r.event_category_override;
      auto q = eqlite::compile(r.query, co);
      if (q && q->kind() != eqlite::QueryKind::Event && !own_lists[i].empty()) {
        if (const std::string x = pack::exclusion_filter(own_lists[i]); !x.empty()) {
          eqlite::CompileOptions with = co;
          with.filter = co.filter.empty() ? x : "(" + co.filter + ") and " + x;
          compiled[i].shadow = std::move(*q);
          q = eqlite::compile(r.query, with);
        }
      }
      compiled[i].query = std::move(q);
    });
    for (std::size_t i = 0; i < load.rules.size(); ++i) {
      const pack::Rule& r = load.rules[i];
      auto& q = *compiled[i].query;
      auto id = q ? out.rules.add(r.name, std::move(*q)) : eqlite::Result<std::size_t>(q.error());
      if (!id) {
        std::fprintf(stderr, "%s\n", pack::compile_error(r, id.error()).to_string().c_str());
        out.rule_errors = true;
        out.failed_rules.push_back(r.name);
        continue;
      }
      const bool filtered = compiled[i].shadow.has_value();
      if (filtered) shadows.push_back({&r, std::move(*compiled[i].shadow), out.names.size()});
      out.names.push_back(r.name);
      out.metas.push_back(&r);
      out.rule_lists.push_back(own_lists[i]);
      out.prefiltered.push_back(filtered);
    }
    for (Shadow& sh : shadows) {
      auto id = out.rules.add(sh.rule->name + " (without exceptions)", std::move(sh.query));
      if (id) {
        out.shadow_owner.push_back(sh.owner);
      } else {  // the set reads too many fields: its excepted hits go uncounted
        std::fprintf(stderr, "eqlite: %s: excepted hits cannot be counted: %s\n",
                     sh.rule->path.c_str(), id.error().message.c_str());
        out.rule_errors = true;
      }
    }
    if (out.rules.size() == 0) return kError;
  }
  out.set_texts.reserve(o.sets.size());  // the constants view these strings: no reallocation
  for (const auto& [field, value] : o.sets) {
    out.set_texts.push_back(value);
    out.constants.emplace_back(field, parse_set_value(out.set_texts.back()));
  }
  return 0;
}

StreamRun stream_run_of(const RuleOptions& o, const LoadedRules& rules) {
  StreamRun run;
  run.single = rules.single ? &*rules.single : nullptr;
  run.rules = rules.single ? nullptr : &rules.rules;
  run.names = rules.names;
  run.constants = rules.constants;
  run.options.reader = o.reader;
  run.options.max_pending = o.max_pending;
  run.options.max_samples_per_key = o.max_samples;
  run.options.allowed_lateness_ns = o.lateness;
  run.options.samples_when_complete = o.samples_now;
  run.timestamp_field = o.compile.timestamp_field;
  run.tiebreaker_field = o.compile.tiebreaker_field;
  run.stats = o.stats;
  run.metas = rules.metas;
  run.alerts = o.alerts < 0 ? rules.from_toml : o.alerts != 0;
  run.failed_rules = rules.failed_rules;
  run.threads = o.threads;
  run.rule_exceptions = &rules.rule_lists;
  run.prefiltered = rules.prefiltered;
  run.shadow_owner = rules.shadow_owner;
  run.several = rules.rules.size() > 0 && rules.load.rules.size() > 1;
  return run;
}

}  // namespace cli
