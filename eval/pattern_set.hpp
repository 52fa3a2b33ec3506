// eval/pattern_set.hpp — PatternSet: wildcard patterns, any of (`:`, `like`, `like~`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eqlite/value.hpp"
#include "eval/glob.hpp"
#include "eval/nibble_filter.hpp"
#include "eval/string_set.hpp"

namespace eqlite::internal {

class MultiPattern;  // eval/multi_pattern.hpp, private to pattern_set.cpp

/// Whole-value wildcard patterns, "any of" (S6): `*` any run, `?` one UTF-8 code point, no
/// escape. Patterns without wildcards go to a hash set; `abc*`, `*abc`, `*abc*` take fast
/// paths; the rest run a segment matcher.
class PatternSet {
 public:
  explicit PatternSet(bool ci) : ci_(ci) {}
  /// `pattern` as written in the query (folded here when case-insensitive).
  void add(std::string_view pattern);
  /// After the last add(): a list with kMultiPatternMin to kMultiPatternMax patterns that have
  /// a wildcard (`*` or `?`) is matched as one: a scan of each value for the
  /// patterns' necessary literals (one LiteralScanner, whose Vectorscan database is compiled on
  /// first use), then the patterns of the literals found, instead of every pattern in turn.
  void finish();
  static constexpr std::size_t kMultiPatternMin = 4;
  /// Longer lists are matched pattern by pattern (a bound on the first match's compile time).
  static constexpr std::size_t kMultiPatternMax = 1500;
  /// ... and no more bytes of patterns than this.
  static constexpr std::size_t kMultiPatternMaxBytes = 64 << 10;
  /// Whether finish() built the multi-pattern matcher (for tests and the disassembler).
  bool multi() const noexcept { return multi_ != nullptr; }
  /// ... and whether its literal scan is ready (its database, if it needs one, compiles; built
  /// now if no value needed it yet).
  bool multi_ready() const noexcept;
  /// Whether values up to ShortScan::kMaxText bytes skip the database (see ShortScan).
  bool short_scan() const noexcept { return short_ != nullptr; }
  /// The short scan searches 16 bytes at a time (x86 with SSSE3). For tests.
  bool short_scan_vector() const noexcept { return short_ != nullptr && short_->vector.ready; }
  /// Makes the short scan search byte by byte, as on a CPU without SSSE3. For tests.
  void short_scan_bytewise() noexcept {
    if (short_ && short_->vector.ready) {
      auto copy = std::make_shared<ShortScan>(*short_);
      copy->vector.ready = false;
      short_ = std::move(copy);
      set_contains_only();
    }
  }
  bool matches(Value v, std::string& buf, std::string& fold) const noexcept;
  bool case_insensitive() const noexcept { return ci_; }
  const std::vector<std::string>& patterns() const noexcept { return all_; }
  /// Non-zero when a Vm remembers this list's answers (ResultMemo): a list that finish() made
  /// one multi-pattern matcher, whose scan costs more than the memo's lookup.
  std::uint64_t memo_id() const noexcept { return memo_id_; }

  /// One pattern against one (already folded when needed) text. Exposed for tests.
  static bool glob(std::string_view text, std::string_view pattern) noexcept;

  // Short values (most field values) do not pay for the multi-pattern scan when the list's
  // patterns are all prefixes, suffixes and `*literal*`: the prefixes and suffixes are
  // compared in place and the literals found with a filter on their first bytes.
  struct ShortScan {
    static constexpr std::size_t kMaxText = 128;     // longer values: the multi-pattern scan
    static constexpr std::size_t kMaxLiterals = 64;  // more: the filter fills up
    static constexpr std::size_t kMaxEnds = 16;      // prefixes + suffixes compared one by one
    // Byte by byte: a filter of each literal's first two bytes.
    std::uint64_t pairs[64] = {};       // 4,096-bit filter of two-byte starts
    std::uint64_t singles[4] = {};      // one-byte literals
    std::vector<std::string> literals;  // sorted by their first byte
    std::uint16_t first[257] = {};      // literals[first[c]..first[c+1]) start with c
    NibbleFilter vector;                // 16 positions at a time (x86 with SSSE3: vector.ready)
    /// `ci`: the text is compared ASCII-folded (the literals are folded already).
    bool matches(std::string_view text, bool ci, const std::vector<std::string>& prefixes,
                 const std::vector<std::string>& suffixes) const noexcept;
  };

 private:
  bool matches_text(std::string_view text) const noexcept;
  bool ci_;
  bool match_all_ = false;
  StringSet exact_;
  std::vector<std::string> prefixes_, suffixes_, contains_, all_;
  std::vector<Glob> globs_;
  std::vector<Glob> db_globs_;  // `?` patterns in multi_ (for the values short_ takes)
  // replaces the lists above but exact_
  std::shared_ptr<const MultiPattern> multi_;
  std::vector<std::string> kept_prefixes_, kept_suffixes_;  // for short_

  std::shared_ptr<const ShortScan> short_;  // with multi_, for values up to kMaxText bytes
  // short_ with only contained literals (no prefix, suffix, glob or plain pattern): matches()
  // asks its nibble filter alone. Set by finish() (and the test hook above).
  bool contains_only_ = false;
  void set_contains_only() noexcept;
  std::uint64_t memo_id_ = 0;
};

}  // namespace eqlite::internal
