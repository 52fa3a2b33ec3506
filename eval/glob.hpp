// eval/glob.hpp — Glob: one wildcard pattern (S6) matched in linear time; necessary_literal().
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eqlite::internal {

/// One wildcard pattern compiled for matching in time linear in the value (S6): the first
/// segment is anchored at the start, the last at the end, and each segment between two `*`
/// takes its leftmost match (which leaves the most room for the rest, so no backtracking is
/// ever needed). Segments are searched with memchr-style search when short and literal, else
/// with a bit-parallel automaton over code points (Shift-And; `?` is one code point).
class Glob {
 public:
  explicit Glob(std::string_view pattern);
  bool matches(std::string_view text) const noexcept {
    // A pattern that starts with a literal byte: most texts fail on it, without a call.
    if (first_byte_ >= 0 && (text.empty() || static_cast<unsigned char>(text[0]) != first_byte_))
      return false;
    return matches_from_start(text);
  }
  const std::string& pattern() const noexcept { return pattern_; }

  struct Segment {
    std::string bytes;  // as in the pattern, '?' included
    bool plain = true;  // no '?': compared byte for byte
    // The automaton (built unless the segment is short and plain): one bit per code point.
    std::size_t units = 0, words = 0;
    std::vector<std::uint64_t> ascii;  // 128 * words: positions that accept an ASCII byte
    std::vector<std::uint64_t> any;    // words: positions of '?'
    std::vector<std::pair<std::string, std::vector<std::uint64_t>>> wide;  // other code points
  };

 private:
  bool matches_from_start(std::string_view text) const noexcept;
  std::string pattern_;
  int first_byte_ = -1;   // the pattern's first byte when it is neither `*` nor `?`
  bool starred_ = false;  // false: the whole pattern is one segment
  Segment first_, last_;
  std::vector<Segment> middle_;
};

/// The longest run of `pattern` (S6) without `*` or `?` (the first of equal length): every
/// value the pattern matches contains it, since the run's bytes are compared byte for byte at
/// consecutive positions (no escape exists; `*`, `?` are ASCII, so a run never splits a UTF-8
/// sequence of the pattern). Empty when the pattern has no such run (`*`, `?*`, `""`).
std::string necessary_literal(std::string_view pattern);

}  // namespace eqlite::internal
