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
  constexpr Value() noexcept : kind_(ValueKind::Null), i_(0) {}

  static constexpr Value null() noexcept { return Value(); }
  static constexpr Value boolean(bool b) noexcept {
    // Stored as a whole word: a byte store into a Value that is then copied as 16 bytes
    // stalls store-to-load forwarding (measured in the VM's fused ops).
    Value v;
    v.kind_ = ValueKind::Bool;
    v.i_ = b ? 1 : 0;
    return v;
  }
  static constexpr Value integer(std::int64_t i) noexcept {
    Value v;
    v.kind_ = ValueKind::Int;
    v.i_ = i;
    return v;
  }
  static constexpr Value number(double d) noexcept {
    Value v;
    v.kind_ = ValueKind::Double;
    v.d_ = d;
    return v;
  }
  /// A view of `s`; the caller keeps the bytes alive while the Value is in use.
  static constexpr Value string(std::string_view s) noexcept {
    Value v;
    v.kind_ = ValueKind::String;
    v.s_ = {s.data(), s.size()};
    return v;
  }

  constexpr ValueKind kind() const noexcept { return kind_; }
  constexpr bool is_null() const noexcept { return kind_ == ValueKind::Null; }
  constexpr bool is_number() const noexcept {
    return kind_ == ValueKind::Int || kind_ == ValueKind::Double;
  }
  constexpr bool as_bool() const noexcept { return i_ != 0; }
  constexpr std::int64_t as_int() const noexcept { return i_; }
  constexpr double as_double() const noexcept { return d_; }
  /// Integer or double, as a double.
  constexpr double to_double() const noexcept {
    return kind_ == ValueKind::Int ? static_cast<double>(i_) : d_;
  }
  constexpr std::string_view as_string() const noexcept { return {s_.data, s_.size}; }

 private:
  struct Str {
    const char* data;
    std::size_t size;
  };
  ValueKind kind_;
  union {
    std::int64_t i_;  // also a boolean's 0 or 1
    double d_;
    Str s_;
  };
};

}  // namespace eqlite
