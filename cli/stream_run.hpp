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
  const pack::ExceptionLoad* exceptions_all = nullptr;  // --exceptions: lists for every rule
  // per rule id: the lists its TOML names (--exception-lists)
  const std::vector<std::vector<const pack::ExceptionList*>>* rule_exceptions = nullptr;
  bool summary = false;                   // --summary: a per-rule table on stderr at the end
  std::vector<std::string> failed_rules;  // rules that did not compile (for the summary)
  bool progress = false;                  // progress on stderr while reading
};

/// Runs the rules over `inputs` (stdin when empty) as a stream; returns the exit status.
int run_stream(const StreamRun& run, std::vector<std::string> inputs);

}  // namespace cli
