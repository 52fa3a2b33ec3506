// cli/stream_run.hpp — what `eqlite match` hands to its stream mode (stream.cpp).
#pragma once

#include <eqlite/eqlite.hpp>

#include <string>
#include <utility>
#include <vector>

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
};

/// Runs the rules over `inputs` (stdin when empty) as a stream; returns the exit status.
int run_stream(const StreamRun& run, std::vector<std::string> inputs);

}  // namespace cli
