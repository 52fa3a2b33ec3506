// eqlite/value.hpp — a field value as the engine sees it.
//
// A Value is a small tagged union: null, boolean, 64-bit integer, double, or string. A string
// Value does NOT own its bytes: it views memory owned by someone else (a FlatEvent, a JsonReader's
// buffer, or the caller). Copying a Value copies the view, never the bytes.
#pragma once

#include <cstdint>
#include <string_view>

namespace eqlite {

enum class ValueKind : std::uint8_t { Null, Bool, Int, Double, String };

class Value {
 public:
  constexpr Value() noexcept : i_(0), tag_(0) {}

  static constexpr Value null() noexcept { return Value(); }
  static constexpr Value boolean(bool b) noexcept { return Value(ValueKind::Bool, b ? 1 : 0); }
  static constexpr Value integer(std::int64_t i) noexcept { return Value(ValueKind::Int, i); }
  static constexpr Value number(double d) noexcept {
    Value v(ValueKind::Double, 0);
    v.d_ = d;
    return v;
  }
  /// A view of `s`; the caller keeps the bytes alive while the Value is in use.
  static constexpr Value string(std::string_view s) noexcept {
    Value v(ValueKind::String, 0);
    v.p_ = s.data();
    v.tag_ |= static_cast<std::uint64_t>(s.size()) << 8;
    return v;
  }

  constexpr ValueKind kind() const noexcept { return static_cast<ValueKind>(tag_ & 0xFF); }
  constexpr bool is_null() const noexcept { return kind() == ValueKind::Null; }
  constexpr bool is_number() const noexcept {
    return kind() == ValueKind::Int || kind() == ValueKind::Double;
  }
  constexpr bool as_bool() const noexcept { return i_ != 0; }
  constexpr std::int64_t as_int() const noexcept { return i_; }
  constexpr double as_double() const noexcept { return d_; }
  /// Integer or double, as a double.
  constexpr double to_double() const noexcept {
    return kind() == ValueKind::Int ? static_cast<double>(i_) : d_;
  }
  constexpr std::string_view as_string() const noexcept {
    return {p_, static_cast<std::size_t>(tag_ >> 8)};
  }

 private:
  constexpr Value(ValueKind k, std::int64_t i) noexcept
      : i_(i), tag_(static_cast<std::uint64_t>(k)) {}

  // Two words, so a Value travels in two registers (a 24-byte one went through memory at
  // every call, and its words, stored one by one and reloaded as 16 bytes, stalled
  // store-to-load forwarding). The kind is a whole word's low byte, written in one store.
  union {
    std::int64_t i_;  // also a boolean's 0 or 1
    double d_;
    const char* p_;  // a string's bytes
  };
  std::uint64_t tag_;  // the kind in the low byte; a string's size above it
};
static_assert(sizeof(Value) == 16);

}  // namespace eqlite
