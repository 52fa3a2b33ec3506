// cli/stream_run.hpp — what `eqlite match` hands to its stream mode (stream.cpp).
#pragma once

#include <eqlite/eqlite.hpp>

#include <string>
#include <utility>
#include <vector>

#include "pack/exceptions.hpp"
#include "pack/rule.hpp"

namespace cli {

struct StreamRun {
  const eqlite::Query* single = nullptr;   // one rule
  const eqlite::RuleSet* rules = nullptr;  // several
  std::vector<std::string> names;
  std::vector<std::pair<std::string, eqlite::Value>> constants;  // --set
  eqlite::StreamOptions options;
  std::string timestamp_field = "@timestamp";
  std::string tiebreaker_field;  // empty: none
  bool count = false, stats = false, sort = false;
  // Rule packs (docs/rule-packs.md):
  std::vector<const pack::Rule*> metas;  // per rule id: what an alert says about its rule
  bool alerts = false;                   // each result as an alert (docs/cli.md, "Alerts")
  std::vector<std::string> input_index;  // per input: its --index name ("" none)
  bool several = false;                  // more than one rule: results name their rule
  // Exception lists (docs/exceptions.md), per rule id: the lists that apply to the rule, and
  // whether they are in the rule's filter already (a sequence or sample) rather than checked
  // on its results (an event rule).
  const std::vector<std::vector<const pack::ExceptionList*>>* rule_exceptions = nullptr;
  std::vector<char> prefiltered;
  // Rule ids from names.size() on are shadows: shadow_owner[id - names.size()] without its
  // exception filter. A shadow's result that an exception excepts counts as the owner's
  // excepted hit; it is never written.
  std::vector<std::size_t> shadow_owner;
  bool summary = false;                   // --summary: a per-rule table on stderr at the end
  std::vector<std::string> failed_rules;  // rules that did not compile (for the summary)
  bool progress = false;                  // progress on stderr while reading
  std::size_t threads = 1;  // 2+: a rule set's matching on a second thread (match_ahead.hpp)
};

/// Runs the rules over `inputs` (stdin when empty) as a stream; returns the exit status.
int run_stream(const StreamRun& run, std::vector<std::string> inputs);

}  // namespace cli
