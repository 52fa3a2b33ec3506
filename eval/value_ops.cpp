// eval/value_ops.cpp — see value_ops.hpp.
#include "eval/value_ops.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace eqlite::internal {

namespace {

bool compare_strings(std::string_view a, std::string_view b, CmpOp op, bool ci,
                     std::string& scratch) noexcept {
  if (!ci) return compare_bytes(a, b, op);
  if (op == CmpOp::Eq) return equals_ci(a, b);
  // ordering, case-insensitively: compare folded copies
  try {
    std::string fa;
    fold_ascii(a, fa);
    fold_ascii(b, scratch);
    return ordered(std::string_view(fa), std::string_view(scratch), op);
  } catch (...) {
    return false;
  }
}

char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

}  // namespace

bool equals_ci(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  std::size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {  // a word of each at a time, both folded (fold_word)
    std::uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y && fold_word(x) != fold_word(y)) return false;
  }
  for (; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

void fold_ascii(std::string_view s, std::string& out) {
  out.resize(s.size());
  const std::size_t n = s.size();
  std::size_t i = 0;
  // Eight bytes at a time: a byte in 'A'..'Z' gets 0x20 added (bytes >= 0x80 never change).
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    const std::uint64_t low7 = w & (0x7F * kOnes);
    const std::uint64_t ge_a = low7 + (0x80 - 'A') * kOnes;      // high bit: byte >= 'A'
    const std::uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * kOnes;  // high bit: byte > 'Z'
    const std::uint64_t upper = (ge_a & ~gt_z & ~w) & (0x80 * kOnes);
    w |= upper >> 2;
    std::memcpy(out.data() + i, &w, 8);
  }
  for (; i < n; ++i)
    out[i] = lower(s[i]);
}

bool parse_number(std::string_view s, Value& out) noexcept {
  if (s.empty()) return false;
  // JSON-style: -?digits(.digits)?([eE][+-]?digits)?  (from_chars accepts a subset we check)
  const std::size_t i = s[0] == '-' ? 1 : 0;
  if (i >= s.size()) return false;
  const char c = s[i];
  if (!((c >= '0' && c <= '9') || c == '.')) return false;  // no "inf", "nan", "+1", " 1"
  const char* b = s.data();
  const char* e = s.data() + s.size();
  std::int64_t iv = 0;
  auto [p, ec] = std::from_chars(b, e, iv);
  if (ec == std::errc() && p == e) {
    out = Value::integer(iv);
    return true;
  }
  double dv = 0;
  auto [p2, ec2] = std::from_chars(b, e, dv);
  if ((ec2 == std::errc() || ec2 == std::errc::result_out_of_range) && p2 == e) {
    if (ec2 == std::errc::result_out_of_range) {
      // from_chars leaves dv unspecified on overflow; recompute the sign of infinity/zero
      std::string tmp(s);
      dv = std::strtod(tmp.c_str(), nullptr);
    }
    out = Value::number(dv);
    return true;
  }
  return false;
}

bool text_of(Value v, std::string& buf, std::string_view& out) noexcept {
  char tmp[64];
  switch (v.kind()) {
    case ValueKind::Null:
      return false;
    case ValueKind::String:
      out = v.as_string();
      return true;
    case ValueKind::Bool:
      out = v.as_bool() ? "true" : "false";
      return true;
    case ValueKind::Int: {
      auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, v.as_int());
      buf.assign(tmp, p);
      break;
    }
    case ValueKind::Double: {
      double d = v.as_double();
      if (std::isnan(d)) {
        buf = "NaN";
      } else if (std::isinf(d)) {
        buf = d > 0 ? "Infinity" : "-Infinity";
      } else {
        auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, d);
        buf.assign(tmp, p);
        if (buf.find_first_of(".en") == std::string::npos) buf += ".0";
      }
      break;
    }
  }
  out = buf;
  return true;
}

bool compare(Value x, Value y, CmpOp op, bool literal, bool ci, std::string& scratch) noexcept {
  // `x == null` with the literal null tests that x has no value (S2); between two computed
  // values a null makes the comparison false, as in Elasticsearch's scripts (null == null is
  // null there, and a null condition does not match).
  if (x.is_null() || y.is_null()) return op == CmpOp::Eq && literal && x.is_null() && y.is_null();
  const ValueKind xk = x.kind();
  const ValueKind yk = y.kind();
  if (ci && (xk != ValueKind::String || yk != ValueKind::String)) {
    // Case-insensitive comparison (in~) is on texts: a number or boolean is its JSON text (S8),
    // as for `:` and the in~ sets.
    try {
      std::string bx, by;
      std::string_view tx, ty;
      text_of(x, bx, tx);
      text_of(y, by, ty);
      return compare_strings(tx, ty, op, true, scratch);
    } catch (...) {
      return false;
    }
  }
  if (x.is_number() && y.is_number()) return compare_numbers(x, y, op);
  if (xk == ValueKind::String && yk == ValueKind::String)
    return compare_strings(x.as_string(), y.as_string(), op, ci, scratch);
  if (xk == ValueKind::Bool && yk == ValueKind::Bool) return ordered(x.as_bool(), y.as_bool(), op);
  if (!literal) return false;
  // Mixed types against a literal: convert the literal to x's type (S8).
  if (x.is_number() && yk == ValueKind::String) {
    Value n;
    if (!parse_number(y.as_string(), n)) return false;
    return compare_numbers(x, n, op);
  }
  if (xk == ValueKind::String && (y.is_number() || yk == ValueKind::Bool)) {
    std::string buf;
    std::string_view text;
    try {
      if (!text_of(y, buf, text)) return false;
      return compare_strings(x.as_string(), text, op, ci, scratch);
    } catch (...) {
      return false;
    }
  }
  if (xk == ValueKind::Bool && yk == ValueKind::String) {
    std::string_view s = y.as_string();
    bool b;
    if (ci ? equals_ci(s, "true") : s == "true") {
      b = true;
    } else if (ci ? equals_ci(s, "false") : s == "false") {
      b = false;
    } else {
      return false;
    }
    return ordered(x.as_bool(), b, op);
  }
  return false;
}

// ---- arithmetic (S9: Java semantics, null instead of exceptions) --------------------------------

Value arith_neg(Value x) noexcept {
  if (x.kind() == ValueKind::Int) {
    if (x.as_int() == std::numeric_limits<std::int64_t>::min()) return Value::null();
    return Value::integer(-x.as_int());
  }
  if (x.kind() == ValueKind::Double) return Value::number(-x.as_double());
  return Value::null();
}

Value arith_add(Value x, Value y) noexcept {
  if (!x.is_number() || !y.is_number()) return Value::null();
  if (x.kind() == ValueKind::Int && y.kind() == ValueKind::Int) {
    std::int64_t r;
    if (__builtin_add_overflow(x.as_int(), y.as_int(), &r)) return Value::null();
    return Value::integer(r);
  }
  return Value::number(x.to_double() + y.to_double());
}

Value arith_sub(Value x, Value y) noexcept {
  if (!x.is_number() || !y.is_number()) return Value::null();
  if (x.kind() == ValueKind::Int && y.kind() == ValueKind::Int) {
    std::int64_t r;
    if (__builtin_sub_overflow(x.as_int(), y.as_int(), &r)) return Value::null();
    return Value::integer(r);
  }
  return Value::number(x.to_double() - y.to_double());
}

Value arith_mul(Value x, Value y) noexcept {
  if (!x.is_number() || !y.is_number()) return Value::null();
  if (x.kind() == ValueKind::Int && y.kind() == ValueKind::Int) {
    std::int64_t r;
    if (__builtin_mul_overflow(x.as_int(), y.as_int(), &r)) return Value::null();
    return Value::integer(r);
  }
  return Value::number(x.to_double() * y.to_double());
}

Value arith_div(Value x, Value y) noexcept {
  if (!x.is_number() || !y.is_number()) return Value::null();
  if (x.kind() == ValueKind::Int && y.kind() == ValueKind::Int) {
    if (y.as_int() == 0) return Value::null();
    if (x.as_int() == std::numeric_limits<std::int64_t>::min() && y.as_int() == -1)
      return Value::null();                          // overflow
    return Value::integer(x.as_int() / y.as_int());  // C++ truncates toward zero, as Java
  }
  if (y.to_double() == 0.0) return Value::null();
  return Value::number(x.to_double() / y.to_double());
}

Value arith_mod(Value x, Value y) noexcept {
  if (!x.is_number() || !y.is_number()) return Value::null();
  if (x.kind() == ValueKind::Int && y.kind() == ValueKind::Int) {
    if (y.as_int() == 0) return Value::null();
    if (y.as_int() == -1) return Value::integer(0);  // Java: MIN % -1 == 0 (UB in C++)
    return Value::integer(x.as_int() % y.as_int());  // sign of the dividend, as Java
  }
  if (y.to_double() == 0.0) return Value::null();
  return Value::number(std::fmod(x.to_double(), y.to_double()));
}

}  // namespace eqlite::internal
