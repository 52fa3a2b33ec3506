// cli/check.cpp — `eqlite check`: compile rules, report errors, and show what a rule reads
// (docs/cli.md).
#include <eqlite/eqlite.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/common.hpp"
#include "cli/output.hpp"
#include "pack/routing.hpp"
#include "pack/rule_loader.hpp"
#include "pack/schema.hpp"
#include "pack/schema_lint.hpp"

namespace cli {

namespace {

const char* const kCheckUsage =
    "usage: eqlite check [--ast] [--bytecode] [--index] [--join-keys] [--fields-from DATA] "
    "[--include-deprecated]\n"
    "                    [--schema NAME]... [--format text|json] [--set FIELD=VALUE]...\n"
    "                    (QUERY | --rule-file FILE... | --rules DIR)\n"
    "\n"
    "Compiles each rule and reports every error as FILE:LINE:COLUMN: message, with the rule\n"
    "line and a caret under the column.\n"
    "\n"
    "options:\n"
    "  --rule-file FILE...  check the rules in these files (.eql, or detection-rules .toml;\n"
    "                       repeatable)\n"
    "  --ast                print the syntax tree of each rule\n"
    "  --category-field F   the field that '<category> where' tests (default event.category)\n"
    "  --bytecode           print the compiled bytecode of each rule\n"
    "  --rules DIR          check every rule file (*.eql, *.toml) under DIR\n"
    "  --include-deprecated also check the rules whose maturity is deprecated\n"
    "  --index              print how a rule set of these rules is indexed: the anchor\n"
    "                       field each rule is filed under (eqlite match with several rules)\n"
    "  --join-keys          print the join keys of each sequence and sample, and the field\n"
    "                       its events are partitioned by so that they meet in one consumer\n"
    "                       (docs/deploy.md)\n"
    "  --schema NAME        check each rule's fields against a schema (repeatable): ecs (the\n"
    "                       Elastic Common Schema, and for azure.* fields Elastic's Azure\n"
    "                       integration), azure (the Azure integration alone).\n"
    "                       Reports, at LINE:COLUMN with a caret, fields the schema does not\n"
    "                       define (with the nearest field), comparisons that Elasticsearch\n"
    "                       rejects or that can never be true for the field's type, and those\n"
    "                       that work only through coercion (docs/schema-lint.md). A TOML\n"
    "                       rule's required_fields and --fields-from DATA count as schema too\n"
    "  --format text|json   with --schema: findings as text (default) or one JSON object per\n"
    "                       line {file, line, column, severity, code, field, message,\n"
    "                       suggestion}\n"
    "  --fields-from DATA   warn about every field a rule reads that has no value in any\n"
    "                       event of DATA (NDJSON), suggesting the nearest field that has one;\n"
    "                       with --schema, DATA is one more schema (its paths and value types)\n"
    "  --set FIELD=VALUE    FIELD is supplied as a constant (as with eqlite match --set), so\n"
    "                       it is not reported\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 when every rule compiles (schema findings do not change it), 2 otherwise.\n";

// What `check --fields-from` learns from sample data: every path that has a value.
struct FieldCensus {
  std::set<std::string, std::less<>> paths;
  std::uint64_t events = 0;
  std::vector<std::string> files;

  bool load(const std::string& file) {
    std::string text, err;
    if (!read_file(file, text, err)) {
      std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), err.c_str());
      return false;
    }
    files.push_back(file);
    eqlite::JsonReader reader(std::vector<std::string>{});
    const std::function<void(std::string_view)> sink = [&](std::string_view p) {
      if (paths.find(p) == paths.end()) paths.emplace(p);
    };
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line(text.data() + start, nl - start);
      start = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (reader.for_each_path(line, sink)) ++events;
    }
    return true;
  }

  // Up to three paths whose last segment shares a word (of 3+ letters) with f's last segment.
  std::string similar_fields(const std::string& f) const {
    auto words = [](std::string_view path) {
      std::vector<std::string_view> w;
      path = path.substr(path.rfind('.') + 1);
      std::size_t b = 0;
      while (b <= path.size()) {
        std::size_t e = path.find('_', b);
        if (e == std::string_view::npos) e = path.size();
        if (e - b >= 3) w.push_back(path.substr(b, e - b));
        b = e + 1;
      }
      return w;
    };
    const auto mine = words(f);
    std::vector<std::pair<std::size_t, const std::string*>> ranked;
    for (const auto& p : paths) {
      std::size_t shared = 0;
      for (auto w : words(p))
        shared += std::count(mine.begin(), mine.end(), w);
      if (shared) ranked.emplace_back(shared, &p);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second->size() < b.second->size();
    });
    std::string out;
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
      out += (i ? ", [" : "[") + *ranked[i].second + "]";
    return out;
  }

  // Warnings for the fields of `q` that never have a value in the data.
  void report(const std::string& label, const eqlite::Query& q,
              const std::set<std::string, std::less<>>& constants) const {
    std::string where = files.size() == 1 ? files[0] : std::to_string(files.size()) + " files";
    for (const auto& f : q.fields()) {
      if (paths.count(f) || constants.count(f)) continue;
      std::string msg = (label.empty() ? "" : label + ": ") + "warning: field [" + f +
                        "] has no value in any of the " + std::to_string(events) + " events of " +
                        where;
      const std::string* best = nullptr;
      std::size_t best_d = std::max<std::size_t>(3, f.size() / 8) + 1;
      for (const auto& p : paths) {
        std::size_t d = pack::edit_distance(f, p, best_d);
        if (d < best_d) {
          best_d = d;
          best = &p;
        }
      }
      if (best) {
        msg += "; did you mean [" + *best + "]?";
      } else if (auto similar = similar_fields(f); !similar.empty()) {
        msg += "; fields with similar names: " + similar;
      } else {
        msg +=
            " (a constant of the data stream, such as event.dataset, is not stored in the "
            "documents: supply it with --set " +
            f + "=VALUE)";
      }
      std::fprintf(stderr, "%s\n", msg.c_str());
    }
  }
};

struct LintTally {
  std::size_t rules = 0, findings = 0;
  std::map<std::string, std::size_t> by_code;
};

// The findings of one rule, as text (FILE:LINE:COL: severity: message, line, caret) or JSON.
void report_findings(const pack::Rule& rule, const std::vector<pack::Finding>& findings, bool json,
                     LintTally& tally) {
  ++tally.rules;
  for (const auto& f : findings) {
    ++tally.findings;
    ++tally.by_code[f.code];
    std::uint32_t line = f.line, column = f.column;
    if (!rule.path.empty()) pack::map_to_file(rule, f.offset, line, column);
    if (json) {
      std::string o = "{\"file\":" + json_quoted(rule.path) + ",\"line\":" + std::to_string(line) +
                      ",\"column\":" + std::to_string(column) +
                      ",\"severity\":" + json_quoted(pack::to_string(f.severity)) +
                      ",\"code\":" + json_quoted(f.code) + ",\"field\":" + json_quoted(f.field) +
                      ",\"message\":" + json_quoted(f.message) +
                      ",\"suggestion\":" + json_quoted(f.suggestion) + "}";
      std::printf("%s\n", o.c_str());
    } else {
      std::string where = std::to_string(line) + ":" + std::to_string(column);
      if (!rule.path.empty()) where = rule.path + ":" + where;
      std::printf("%s: %s: %s\n%s\n", where.c_str(), pack::to_string(f.severity), f.message.c_str(),
                  pack::excerpt(rule, f.offset).c_str());
    }
  }
}

}  // namespace

int cmd_check(int argc, char** argv) {
  bool ast = false, bytecode = false, index = false, rule_mode = false, json = false;
  bool join_keys = false;
  std::vector<std::string> positional, rule_paths, data_files, schema_names;
  std::set<std::string, std::less<>> constants;
  eqlite::CompileOptions options;
  pack::LoadOptions load_options;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kCheckUsage, stdout);
      return 0;
    } else if (a == "--ast") {
      ast = true;
    } else if (a == "--bytecode") {
      bytecode = true;
    } else if (a == "--index") {
      index = true;
    } else if (a == "--join-keys") {
      join_keys = true;
    } else if (a == "--include-deprecated") {
      load_options.include_deprecated = true;
    } else if (a == "--fields-from" || a == "--set" || a == "--category-field" || a == "--schema" ||
               a == "--format") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite check: %s needs an argument\n%s", a.c_str(), kCheckUsage);
        return kError;
      }
      std::string v = argv[++i];
      if (a == "--category-field") {
        options.category_field = v;
      } else if (a == "--fields-from") {
        data_files.push_back(v);
      } else if (a == "--schema") {
        if (!pack::Schema::builtin(v)) {
          std::fprintf(stderr, "eqlite check: unknown schema [%s]; the schemas are: ecs, azure\n",
                       v.c_str());
          return kError;
        }
        // ecs: the Elastic Common Schema and the integration schemas eqlite ships, each for the
        // fields under its own prefix (azure.*): what a rule written for Elastic's data uses.
        for (const std::string& name :
             v == "ecs" ? std::vector<std::string>{"ecs", "azure"} : std::vector<std::string>{v})
          if (std::find(schema_names.begin(), schema_names.end(), name) == schema_names.end())
            schema_names.push_back(name);
      } else if (a == "--format") {
        if (v != "text" && v != "json") {
          std::fprintf(stderr, "eqlite check: --format takes text or json, not [%s]\n", v.c_str());
          return kError;
        }
        json = v == "json";
      } else {
        const std::size_t eq = v.find('=');
        if (eq == std::string::npos || eq == 0) {
          std::fprintf(stderr, "eqlite check: --set takes FIELD=VALUE, got '%s'\n", v.c_str());
          return kError;
        }
        constants.insert(v.substr(0, eq));
      }
    } else if (a == "--rule-file" || a == "--rules") {
      rule_mode = true;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite check: %s needs an argument\n%s", a.c_str(), kCheckUsage);
        return kError;
      }
      rule_paths.push_back(argv[++i]);
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "eqlite check: unknown option %s\n%s", a.c_str(), kCheckUsage);
      return kError;
    } else {
      positional.push_back(a);
    }
  }
  // The rules: files and folders (pack/rule_loader.hpp), or the query on the command line.
  std::vector<pack::Rule> rules;
  bool failed = false;
  if (rule_mode) {
    rule_paths.insert(rule_paths.end(), positional.begin(), positional.end());
    pack::PackLoad load = pack::load_rules(rule_paths, load_options);
    for (const auto& e : load.errors)
      std::fprintf(stderr, "%s\n", e.to_string().c_str());
    failed = failed || !load.errors.empty();
    if (load.skipped_files > 0) std::fprintf(stderr, "eqlite: %s\n", load.summary().c_str());
    rules = std::move(load.rules);
  } else {
    if (positional.size() != 1) {
      std::fprintf(stderr, "eqlite check: give one QUERY, or --rule-file FILE...\n%s", kCheckUsage);
      return kError;
    }
    pack::Rule r;
    r.id = r.name = "query";
    r.language = r.type = "eql";
    r.query = positional[0];
    rules.push_back(std::move(r));
  }

  // --schema: the schemas every rule is checked against; --fields-from DATA is one of them.
  // Without --schema, --fields-from reports the fields without a value in DATA.
  const bool lint = !schema_names.empty();
  FieldCensus census;
  pack::SchemaSet schemas;
  pack::LintOptions lint_options;
  lint_options.constants = constants;
  lint_options.builtin_given = schema_names;
  for (const auto& name : schema_names)
    schemas.add(*pack::Schema::builtin(name));
  for (const auto& f : data_files) {
    if (!lint) {
      if (!census.load(f)) failed = true;
      continue;
    }
    pack::Schema samples(f, pack::Schema::Kind::Samples);
    std::string error;
    if (!pack::Schema::from_samples(f, samples, error)) {
      std::fprintf(stderr, "eqlite: %s\n", error.c_str());
      failed = true;
      continue;
    }
    schemas.add(std::move(samples));
  }
  LintTally tally;

  eqlite::RuleSet set;
  std::vector<eqlite::Query> compiled;  // --join-keys: every rule that compiles
  std::vector<std::string> compiled_names;
  for (const auto& r : rules) {
    const std::string label = r.path;
    eqlite::CompileOptions own_options = options;  // a rule's own category field wins
    if (!r.event_category_override.empty()) own_options.category_field = r.event_category_override;
    auto q = eqlite::compile(r.query, own_options);
    if (!q) {
      if (label.empty())
        print_compile_error(r.query, q.error());
      else
        std::fprintf(stderr, "%s\n", pack::compile_error(r, q.error()).to_string().c_str());
      failed = true;
      continue;
    }
    if (index) {
      auto added = set.add(r.name.empty() ? "query" : r.name, r.query, own_options);
      if (!added) {  // compiles alone but not in a set: a pipe
        if (label.empty())
          print_compile_error(r.query, added.error());
        else
          std::fprintf(stderr, "%s\n", pack::compile_error(r, added.error()).to_string().c_str());
        failed = true;
      }
    }
    if (lint) {
      if (r.required_fields.empty()) {
        report_findings(r, pack::lint(*q, schemas, lint_options), json, tally);
      } else {  // the rule's own required_fields count as schema too
        pack::SchemaSet own;
        for (const auto& s : schemas.schemas())
          own.add(s);
        own.add(pack::Schema::from_required_fields(r));
        report_findings(r, pack::lint(*q, own, lint_options), json, tally);
      }
    }
    if (!census.files.empty()) census.report(label, *q, constants);
    if (join_keys) {
      compiled_names.push_back(r.name.empty() ? (label.empty() ? "query" : label) : r.name);
      compiled.push_back(*q);
    }
    std::string prefix = label.empty() ? "" : label + ": ";
    if (ast) std::printf("%s%s\n", prefix.c_str(), q->dump_ast().c_str());
    if (bytecode) {
      if (!label.empty()) std::printf("%s:\n", label.c_str());
      std::printf("%s", q->disassemble().c_str());
    }
  }
  if (lint && tally.rules > 1) {
    std::string by;
    for (const auto& [code, n] : tally.by_code)
      by += (by.empty() ? "" : ", ") + std::to_string(n) + " " + code;
    std::fprintf(stderr, "eqlite: %zu rules checked against the schema: %zu findings%s%s%s\n",
                 tally.rules, tally.findings, by.empty() ? "" : " (", by.c_str(),
                 by.empty() ? "" : ")");
  }
  if (index && set.size() > 0)
    std::printf("index of %zu rules:\n%s", set.size(), set.describe_index().c_str());
  if (join_keys) {
    std::vector<std::pair<std::string, const eqlite::Query*>> named;
    for (std::size_t i = 0; i < compiled.size(); ++i)
      named.emplace_back(compiled_names[i], &compiled[i]);
    std::printf("%s", pack::describe(pack::plan_routing(named)).c_str());
  }
  return failed ? kError : 0;
}

}  // namespace cli
