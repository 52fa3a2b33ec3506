// eval/value_ops.hpp — the value semantics shared by the VM, the compiler's constant folding
// and the test-only reference interpreter: comparison with literal coercion (S8), Java
// arithmetic (S9), ASCII case folding (S5), and the text of a number or boolean.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "eqlite/value.hpp"
#include "eval/bytes.hpp"

namespace eqlite::internal {

enum class CmpOp : std::uint8_t { Eq, Lt, Le, Gt, Ge };

/// compare(x, y, op). With `literal`, y is a literal of the query and is converted to x's type
/// first, as Elasticsearch's field mapping would convert it (S8):
///   number x vs string literal  -> the literal parsed as a number (false if it is not one)
///   string x vs number/bool lit -> the literal's text ("4624" == 4624, "true" == true)
///   bool x vs string literal    -> "true"/"false"
/// Without `literal`, only numbers mix (int vs double). x == null (the literal) is true when x
/// is null; every other comparison involving null is false (S2) — also null == null between two
/// computed values. Strings order by bytes. `ci` folds ASCII (S5).
bool compare(Value x, Value y, CmpOp op, bool literal, bool ci, std::string& scratch) noexcept;

/// `a OP b` for any ordered type.
template <typename T>
bool ordered(const T& a, const T& b, CmpOp op) noexcept {
  switch (op) {
    case CmpOp::Eq:
      return a == b;
    case CmpOp::Lt:
      return a < b;
    case CmpOp::Le:
      return a <= b;
    case CmpOp::Gt:
      return a > b;
    case CmpOp::Ge:
      return a >= b;
  }
  return false;
}

/// compare() of two numbers: int with int exactly, otherwise as doubles.
inline bool compare_numbers(Value x, Value y, CmpOp op) noexcept {
  if (x.kind() == ValueKind::Int && y.kind() == ValueKind::Int)
    return ordered(x.as_int(), y.as_int(), op);
  return ordered(x.to_double(), y.to_double(), op);
}

/// compare() of two strings, case-sensitively: by bytes (equality inline, word by word).
inline bool compare_bytes(std::string_view a, std::string_view b, CmpOp op) noexcept {
  if (op == CmpOp::Eq) return a.size() == b.size() && same_bytes(a.data(), b.data(), a.size());
  return ordered(a, b, op);
}

/// Parses a whole string as a JSON-style number (int64 if it fits, else double).
bool parse_number(std::string_view s, Value& out) noexcept;

/// The text of a scalar as used by `:`, `like`, `regex` and `in~` on non-strings (S8):
/// strings are themselves; integers in decimal; doubles shortest round-trip (with ".0" when
/// integral); booleans "true"/"false". Null has no text (returns false).
bool text_of(Value v, std::string& buf, std::string_view& out) noexcept;

/// ASCII lower-case copy of `s` into `out` (S5: only ASCII letters fold).
void fold_ascii(std::string_view s, std::string& out);
bool equals_ci(std::string_view a, std::string_view b) noexcept;

/// S9 arithmetic. Non-numbers, overflow and division by zero give null.
Value arith_neg(Value x) noexcept;
Value arith_add(Value x, Value y) noexcept;
Value arith_sub(Value x, Value y) noexcept;
Value arith_mul(Value x, Value y) noexcept;
Value arith_div(Value x, Value y) noexcept;
Value arith_mod(Value x, Value y) noexcept;

/// A bare value used as a condition: true exactly when it equals `true` (S8 rules).
inline bool truthy(Value v) noexcept {
  return (v.kind() == ValueKind::Bool && v.as_bool()) ||
         (v.kind() == ValueKind::String && v.as_string() == "true");
}

}  // namespace eqlite::internal
