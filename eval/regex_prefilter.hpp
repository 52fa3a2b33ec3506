// eval/regex_prefilter.hpp — what every value a regex matches has: literals, a length range.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eqlite::internal {

/// Literals of which every value that one of `patterns` (S7, as RegexSet::build compiles them)
/// matches contains at least one, ASCII-folded: a value's folded text must contain one of them.
/// From RE2's prefilter (FilteredRE2, atoms of at least 3 bytes). Empty when some pattern needs
/// no such literal (`.*`, `[a-z]+`), or has a non-ASCII one (RE2 folds those by Unicode rules).
std::vector<std::string> regex_necessary_literals(const std::vector<std::string>& patterns, bool ci,
                                                  std::size_t max_memory);

/// The fewest and the most bytes of a text that `pattern` (RE2 syntax) matches whole (S7);
/// `max` is SIZE_MAX when unbounded. Counted over the pattern's syntax: a character class or
/// `.` is 1 byte when it holds only ASCII, 1 to 4 otherwise. Nothing (no bounds) for what the
/// count does not follow: flags such as `(?i)` (RE2 folds `k` to the 3-byte Kelvin sign),
/// `\Q...\E`, `\C`, octal escapes.
struct LengthBounds {
  std::size_t min = 0, max = static_cast<std::size_t>(-1);
};
std::optional<LengthBounds> regex_length_bounds(std::string_view pattern);

}  // namespace eqlite::internal
