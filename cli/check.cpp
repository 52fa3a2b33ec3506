// cli/check.cpp — `eqlite check`: compile rules, report errors, and show what a rule reads
// (docs/cli.md).
#include <eqlite/eqlite.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/common.hpp"

namespace cli {

namespace {

const char* const kCheckUsage =
    "usage: eqlite check [--ast] [--bytecode] [--index] [--fields-from DATA]\n"
    "                    (QUERY | --rule-file FILE... | --rules DIR)\n"
    "\n"
    "Compiles each rule and reports every error as FILE:LINE:COLUMN: message, with the rule\n"
    "line and a caret under the column.\n"
    "\n"
    "options:\n"
    "  --rule-file FILE...  check the rules in these files (repeatable)\n"
    "  --ast                print the syntax tree of each rule\n"
    "  --category-field F   the field that '<category> where' tests (default event.category)\n"
    "  --bytecode           print the compiled bytecode of each rule\n"
    "  --rules DIR          check every *.eql file in DIR (as eqlite match --rules)\n"
    "  --index              print how a rule set of these rules is indexed: the anchor\n"
    "                       field each rule is filed under (eqlite match with several rules)\n"
    "  --fields-from DATA   warn about every field a rule reads that has no value in any\n"
    "                       event of DATA (NDJSON), suggesting the nearest field that has one\n"
    "  --set FIELD=VALUE    with --fields-from: FIELD is supplied as a constant (as with\n"
    "                       eqlite match --set), so it is not reported\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 when every rule compiles, 2 otherwise.\n";

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

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
        std::size_t d = edit_distance(f, p);
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

}  // namespace

int cmd_check(int argc, char** argv) {
  bool ast = false, bytecode = false, index = false, rule_mode = false;
  std::vector<std::string> positional, rule_files, data_files;
  std::set<std::string, std::less<>> constants;
  eqlite::CompileOptions options;
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
    } else if (a == "--fields-from" || a == "--set" || a == "--category-field") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite check: %s needs an argument\n%s", a.c_str(), kCheckUsage);
        return kError;
      }
      std::string v = argv[++i];
      if (a == "--category-field")
        options.category_field = v;
      else if (a == "--fields-from")
        data_files.push_back(v);
      else
        constants.insert(v.substr(0, v.find('=')));
    } else if (a == "--rule-file" || a == "--rules") {
      rule_mode = true;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite check: %s needs an argument\n%s", a.c_str(), kCheckUsage);
        return kError;
      }
      if (a == "--rules") {
        if (!rules_in_dir(argv[++i], rule_files)) return kError;
      } else {
        rule_files.push_back(argv[++i]);
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "eqlite check: unknown option %s\n%s", a.c_str(), kCheckUsage);
      return kError;
    } else {
      positional.push_back(a);
    }
  }
  std::vector<RuleSource> rules;
  bool failed = false;
  if (rule_mode) {
    rule_files.insert(rule_files.end(), positional.begin(), positional.end());
    for (const auto& f : rule_files) {
      RuleSource r;
      if (load_rule(f, r))
        rules.push_back(std::move(r));
      else
        failed = true;
    }
  } else {
    if (positional.size() != 1) {
      std::fprintf(stderr, "eqlite check: give one QUERY, or --rule-file FILE...\n%s", kCheckUsage);
      return kError;
    }
    rules.push_back({positional[0], "", "query"});
  }
  FieldCensus census;
  for (const auto& f : data_files)
    if (!census.load(f)) failed = true;
  eqlite::RuleSet set;
  for (const auto& r : rules) {
    auto q = eqlite::compile(r.text, options);
    if (!q) {
      print_compile_error(r, q.error());
      failed = true;
      continue;
    }
    if (index) {
      auto added = set.add(r.name.empty() ? "query" : r.name, r.text, options);
      if (!added) {  // compiles alone but not in a set: a pipe
        print_compile_error(r, added.error());
        failed = true;
      }
    }
    if (!census.files.empty()) census.report(r.label, *q, constants);
    std::string prefix = r.label.empty() ? "" : r.label + ": ";
    if (ast) std::printf("%s%s\n", prefix.c_str(), q->dump_ast().c_str());
    if (bytecode) {
      if (!r.label.empty()) std::printf("%s:\n", r.label.c_str());
      std::printf("%s", q->disassemble().c_str());
    }
  }
  if (index && set.size() > 0)
    std::printf("index of %zu rules:\n%s", set.size(), set.describe_index().c_str());
  return failed ? kError : 0;
}

}  // namespace cli
