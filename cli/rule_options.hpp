// cli/rule_options.hpp — the rules `eqlite match` and `eqlite consume` run, and how they read
// events: the options both take (docs/cli.md) and the rules they load and compile from them.
#pragma once

#include <eqlite/eqlite.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/stream_run.hpp"
#include "pack/exceptions.hpp"
#include "pack/rule_loader.hpp"

namespace cli {

struct RuleOptions {
  eqlite::CompileOptions compile;       // --category-field, --timestamp-field, --tiebreaker-field
  eqlite::ReaderOptions reader;         // --max-line-bytes, --max-depth
  bool rule_mode = false;               // --rule-file or --rules: no QUERY argument
  std::vector<std::string> rule_paths;  // --rule-file and --rules, in order
  bool include_deprecated = false;
  std::vector<std::pair<std::string, std::string>> sets;  // --set FIELD=VALUE
  std::vector<std::string> exception_files, exception_list_files;
  int alerts = -1;  // --alerts / --no-alerts; -1: when a rule comes from a TOML file
  bool stats = false, samples_now = false;
  std::size_t max_pending = 1'000'000, max_samples = 1;
  std::int64_t lateness = 60'000'000'000;  // --allowed-lateness: one minute (docs/cli.md)
  std::size_t threads = 1;                 // --threads (set to every core by the caller)
};

enum class Parsed { NotMine, Taken, Error };

/// Takes argv[i] when it is one of the options above (moving `i` past its value). On a bad
/// value, prints `COMMAND: message` and `usage` on stderr and returns Error.
Parsed parse_rule_option(int argc, char** argv, int& i, RuleOptions& o, const char* command,
                         const char* usage);

/// The rules loaded and compiled: one Query (a single rule without exception lists) or a
/// RuleSet, and per rule id what the output needs. Holds pointers into itself: not movable.
struct LoadedRules {
  LoadedRules() = default;
  LoadedRules(const LoadedRules&) = delete;
  LoadedRules& operator=(const LoadedRules&) = delete;

  pack::PackLoad load;
  pack::ExceptionLoad except_all, except_ref;
  std::optional<eqlite::Query> single;
  eqlite::RuleSet rules;
  std::vector<std::string> names;
  std::vector<const pack::Rule*> metas;  // per rule id
  std::vector<std::string> failed_rules;
  // Per rule id: its exception lists, and whether they are in its filter (a sequence or
  // sample: Kibana's filter keeps excepted events out of its stages; an event rule's hits are
  // checked instead). Shadows (rule ids from names.size() on): such a rule once more without
  // the lists, whose results that an exception excepts are the rule's excepted count.
  std::vector<std::vector<const pack::ExceptionList*>> rule_lists;
  std::vector<char> prefiltered;
  std::vector<std::size_t> shadow_owner;
  bool rule_errors = false;            // a rule, rule file or exception file did not load: exit 2
  bool any_exceptions = false;         // some rule has exception lists
  bool from_toml = false;              // some rule comes from a TOML file (alerts by default)
  std::vector<std::string> set_texts;  // the --set values' text, viewed by `constants`
  std::vector<std::pair<std::string, eqlite::Value>> constants;  // --set
};

/// Loads the rules of `o` (or `query` when not o.rule_mode), their exception lists, and
/// compiles them as `eqlite match` does; a rule with `index` patterns is scoped to the inputs
/// they name when `any_index` (docs/rule-packs.md). Every error is printed on stderr. Returns
/// 0, or the exit status when nothing can run (a rule given as QUERY that does not compile, no
/// rule at all); rules that failed while others load set out.rule_errors instead.
int load_rules(const RuleOptions& o, const std::string& query, bool any_index, LoadedRules& out);

/// The filter that scopes a rule with `index` patterns to the inputs they name (`_index`, the
/// input's --index name), when inputs are named; "" otherwise.
std::string scope_filter(const pack::Rule& r, bool any_index);

/// A StreamRun of these rules with these options (the caller adds its inputs' details).
StreamRun stream_run_of(const RuleOptions& o, const LoadedRules& rules);

}  // namespace cli
