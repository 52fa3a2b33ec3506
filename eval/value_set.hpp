// eval/value_set.hpp — ValueSet: `x in (literals)` and `x in~ (literals)` over constants.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

#include "eqlite/value.hpp"
#include "eval/string_set.hpp"

namespace eqlite::internal {

/// `x in (literals)`: typed equality as compare(x, literal, ==, literal=true) would give it, for
/// every literal at once (S8). A null member matches nothing, and no value is in no set (S2).
/// Case-insensitive sets (`in~`) compare the ASCII-folded text of the value with the folded text of
/// each literal.
class ValueSet {
 public:
  explicit ValueSet(bool ci) : ci_(ci) {}
  void add(Value literal);
  /// `buf` is scratch for a number's text (S8).
  bool contains(Value v, std::string& buf) const noexcept;
  /// contains() of a string value in a case-sensitive set, inline (the VM's common case).
  bool contains_string(std::string_view s) const noexcept { return strings_.contains(s); }
  bool case_insensitive() const noexcept { return ci_; }
  std::size_t size() const noexcept { return count_; }

 private:
  bool ci_;
  std::size_t count_ = 0;
  StringSet strings_;
  void add_number(Value n);
  bool contains_number(Value v) const noexcept;
  std::unordered_set<std::int64_t> ints_;
  std::unordered_set<double> doubles_, int_doubles_;
  bool true_ = false, false_ = false;
};

}  // namespace eqlite::internal
