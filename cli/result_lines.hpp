// cli/result_lines.hpp — the line `eqlite match` writes for a Stream's result (docs/cli.md):
// a single rule's event as read or `{"join_keys":[...],"events":[...]}`, several rules'
// `{"rule":NAME,...}`, or an alert; with the rules' exception lists applied and counted
// (docs/exceptions.md). `eqlite consume` writes the same lines.
#pragma once

#include <eqlite/eqlite.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/stream_run.hpp"
#include "pack/exceptions.hpp"

namespace cli {

class ResultLines {
 public:
  explicit ResultLines(const StreamRun& run);

  /// A constant of the events that follow, for the exception lists (E4: --set, an input's
  /// --index name and data stream fields); null removes it.
  void set_constant(std::string_view field, const eqlite::Value& value);

  /// Whether `r` is written: false for a shadow's result and a result an exception list
  /// excepts (both counted). A written result counts as a hit of its rule.
  bool accept(const eqlite::StreamResult& r);
  /// The line of an accepted result, with its final '\n', in `line`.
  void format(const eqlite::StreamResult& r, std::string& line) const;

  const std::vector<std::uint64_t>& per_rule() const { return per_rule_; }
  const std::vector<std::uint64_t>& excepted() const { return excepted_; }
  std::uint64_t hits = 0, excepted_total = 0;

 private:
  bool excepted_by(std::size_t rule, const eqlite::StreamResult& r);

  const StreamRun& run_;
  std::vector<std::uint64_t> per_rule_, excepted_;
  std::vector<std::string> prefixes_;        // {"rule":NAME,
  std::vector<std::string> alert_prefixes_;  // per rule, with --alerts
  // One matcher per distinct set of lists (--exceptions gives every rule the same).
  std::map<std::vector<const pack::ExceptionList*>, std::unique_ptr<pack::ExceptionMatcher>>
      matchers_;
  std::vector<pack::ExceptionMatcher*> except_rule_;  // per rule id, or null
};

/// The timestamp and sequence counts of `--stats` (two lines on stderr), for match's stream
/// mode and consume alike.
void print_sequence_stats(const eqlite::StreamStats& s);

}  // namespace cli
