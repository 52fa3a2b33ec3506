// stream/join_key.hpp — join-key values (semantics.md Q2) as bytes: one string per combination
// of key values, used as the key of the keyed state and written as it is into snapshots.
//
// Each value is a tag byte and its payload: 'n' null; 't'/'f' a boolean; 'i' and 8 bytes an
// integer (a double with an integral value in int64 range is written as that integer, so 1 and
// 1.0 are one key, as S8 has them equal); 'd' and 8 bytes another double; 's', 4 bytes of
// length and the bytes of a string. Keys of different types never meet ("1" is not 1).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eqlite/event.hpp"
#include "eqlite/value.hpp"

namespace eqlite::internal {

/// `exact`: a double is always written as a double ('d'), so that decoding gives back 1.0, not
/// 1 (how a result reports the join key of its first event).
inline void append_key_value(std::string& out, const Value& v, bool exact = false) {
  auto put8 = [&](std::uint64_t x) {
    char b[8];
    std::memcpy(b, &x, 8);
    out.append(b, 8);
  };
  switch (v.kind()) {
    case ValueKind::Null:
      out += 'n';
      return;
    case ValueKind::Bool:
      out += v.as_bool() ? 't' : 'f';
      return;
    case ValueKind::Int:
      out += 'i';
      put8(static_cast<std::uint64_t>(v.as_int()));
      return;
    case ValueKind::Double: {
      const double d = v.as_double();
      if (!exact && std::trunc(d) == d && d >= -9.2233720368547758e18 &&
          d < 9.2233720368547758e18) {
        out += 'i';
        put8(static_cast<std::uint64_t>(static_cast<std::int64_t>(d)));
        return;
      }
      std::uint64_t bits;
      std::memcpy(&bits, &d, 8);
      out += 'd';
      put8(bits);
      return;
    }
    case ValueKind::String: {
      const auto s = v.as_string();
      const auto n = static_cast<std::uint32_t>(s.size());
      char b[4];
      std::memcpy(b, &n, 4);
      out += 's';
      out.append(b, 4);
      out.append(s);
      return;
    }
  }
}

/// The values of an encoded key, in order. String values view `key`. Bytes that are not an
/// encoded key (a corrupt snapshot) end the list where they stop making sense.
inline void decode_key(std::string_view key, std::vector<Value>& out) {
  out.clear();
  std::size_t i = 0;
  auto get8 = [&] {
    std::uint64_t x = 0;
    std::memcpy(&x, key.data() + i, 8);
    i += 8;
    return x;
  };
  while (i < key.size()) {
    const char tag = key[i++];
    const std::size_t left = key.size() - i;
    switch (tag) {
      case 'n':
        out.push_back(Value::null());
        break;
      case 't':
      case 'f':
        out.push_back(Value::boolean(tag == 't'));
        break;
      case 'i':
        if (left < 8) return;
        out.push_back(Value::integer(static_cast<std::int64_t>(get8())));
        break;
      case 'd': {
        if (left < 8) return;
        const std::uint64_t bits = get8();
        double d;
        std::memcpy(&d, &bits, 8);
        out.push_back(Value::number(d));
        break;
      }
      case 's': {
        if (left < 4) return;
        std::uint32_t n = 0;
        std::memcpy(&n, key.data() + i, 4);
        i += 4;
        if (n > key.size() - i) return;
        out.push_back(Value::string(key.substr(i, n)));
        i += n;
        break;
      }
      default:
        return;
    }
  }
}

/// The order of encoded join keys (Q6 ties, Q7): value by value; null first, then booleans
/// (false, true), numbers (by value), strings (by bytes).
bool key_less(std::string_view a, std::string_view b);

/// Every combination of the values of `fields` in `event` (Q2): a multi-valued key joins under
/// each of its values; a key without a value gives no combination, unless it is optional
/// (`?field`), when its value is null. Appends the encoded keys to `out`.
inline void key_combinations(const Event& event, std::span<const std::uint16_t> fields,
                             std::span<const std::uint8_t> optional, std::vector<std::string>& out,
                             bool exact = false) {
  out.clear();
  out.emplace_back();
  std::vector<std::string> next;
  for (std::size_t k = 0; k < fields.size(); ++k) {
    auto values = event.values(fields[k]);
    std::size_t present = 0;
    for (const Value& v : values)
      present += !v.is_null();
    if (present == 0) {
      if (!optional[k]) {
        out.clear();
        return;
      }
      for (auto& s : out)
        s += 'n';
      continue;
    }
    if (present == 1) {
      for (const Value& v : values)
        if (!v.is_null())
          for (auto& s : out)
            append_key_value(s, v, exact);
      continue;
    }
    next.clear();
    for (const auto& prefix : out)
      for (const Value& v : values)
        if (!v.is_null()) {
          next.push_back(prefix);
          append_key_value(next.back(), v, exact);
        }
    out.swap(next);
  }
}

/// A stage's join keys for one event (Q2): every combination, equal ones once, in key order.
/// `shown[i]` is keys[i] as the event has it when that differs (a double 1.0 joins as 1 and is
/// reported as 1.0, docs/sequences.md 6), else empty.
void join_keys(const Event& event, std::span<const std::uint16_t> fields,
               std::span<const std::uint8_t> optional, std::vector<std::string>& keys,
               std::vector<std::string>& shown, std::vector<Value>& scratch);

}  // namespace eqlite::internal
