// eval/regex_set.hpp — RegexSet: regexes, any of, matching the whole value (`regex`, `regex~`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eqlite/value.hpp"
#include "eval/regex_prefilter.hpp"

namespace re2 {
class RE2;
}

namespace eqlite::internal {

/// Regexes, "any of", matching the whole value (S7), RE2 syntax.
class RegexSet {
 public:
  /// Compiles `patterns` as one alternation within `max_memory` bytes (RE2's max_mem). On
  /// failure returns false and sets `bad_index` (which pattern), `error` (RE2's reason) and
  /// `too_large` (the pattern, or the alternation of all, needs more than max_memory).
  bool build(const std::vector<std::string>& patterns, bool ci, std::size_t max_memory,
             std::size_t& bad_index, std::string& error, bool& too_large);
  /// `fold` is scratch for the ASCII-folded value (regex~). A value that contains none of the
  /// patterns' necessary literals (regex_necessary_literals; up to kMaxPrefilter of them) is
  /// not given to RE2.
  bool matches(Value v, std::string& buf, std::string& fold) const noexcept;
  /// The alternation RE2 runs (ASCII-folded for regex~).
  const std::string& pattern() const noexcept { return pattern_; }
  bool case_insensitive() const noexcept { return ci_; }
  /// regex_necessary_literals() of the patterns (empty: every value goes to RE2).
  const std::vector<std::string>& necessary_literals() const noexcept { return needles_; }
  /// Non-zero once built: a Vm remembers the answers for short values (ResultMemo).
  std::uint64_t memo_id() const noexcept { return memo_id_; }

 private:
  std::shared_ptr<const re2::RE2> re_;
  std::string pattern_;
  std::vector<std::string> needles_;
  LengthBounds lengths_;  // of the values any pattern can match (regex_length_bounds)
  static constexpr std::size_t kMaxPrefilter = 16;
  bool prefilter_ = false;
  bool ci_ = false;
  std::uint64_t memo_id_ = 0;
};

}  // namespace eqlite::internal
