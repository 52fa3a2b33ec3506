// tests/support/json_value.hpp — a JSON value built in code, for the generators of the
// differential test and of the structured fuzzer: its JSON text, and its flattening into a
// FlatEvent as semantics.md E1/E3 say (dotted paths; arrays, also nested and of objects,
// multi-valued; null no value). Test-only.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "eqlite/event.hpp"

namespace eqlite::testing {

/// `s` as a JSON string, quotes included (control characters as \u00XX).
inline void write_json_string(std::string_view s, std::string& out) {
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      static const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  out += '"';
}

/// Shortest round-trip text of a double, always with a '.', an exponent or "inf"/"nan" (so that
/// a finite one reads back as a double, not an integer).
inline std::string double_text(double d) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

struct JsonValue {
  enum class Kind { Null, Bool, Int, Double, String, Array, Object };
  Kind kind = Kind::Null;
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;                  // String; for Double, its JSON text when not empty
  std::vector<JsonValue> items;   // Array elements, or Object values
  std::vector<std::string> keys;  // Object keys (keys[k] names items[k])

  static JsonValue object() {
    JsonValue j;
    j.kind = Kind::Object;
    return j;
  }
  static JsonValue array() {
    JsonValue j;
    j.kind = Kind::Array;
    return j;
  }
  static JsonValue string(std::string v) {
    JsonValue j;
    j.kind = Kind::String;
    j.s = std::move(v);
    return j;
  }
  void add(std::string key, JsonValue value) {
    keys.push_back(std::move(key));
    items.push_back(std::move(value));
  }

  void write(std::string& out) const {
    switch (kind) {
      case Kind::Null:
        out += "null";
        break;
      case Kind::Bool:
        out += b ? "true" : "false";
        break;
      case Kind::Int:
        out += std::to_string(i);
        break;
      case Kind::Double:
        out += s.empty() ? double_text(d) : s;
        break;
      case Kind::String:
        write_json_string(s, out);
        break;
      case Kind::Array:
        out += '[';
        for (std::size_t k = 0; k < items.size(); ++k) {
          if (k) out += ',';
          items[k].write(out);
        }
        out += ']';
        break;
      case Kind::Object:
        out += '{';
        for (std::size_t k = 0; k < items.size(); ++k) {
          if (k) out += ',';
          write_json_string(keys[k], out);
          out += ':';
          items[k].write(out);
        }
        out += '}';
        break;
    }
  }
  std::string text() const {
    std::string out;
    write(out);
    return out;
  }

  // E1/E3: nested objects are dotted paths, a dotted key is the same path, arrays (also nested,
  // also of objects) are multi-valued, null is no value.
  void flatten(const std::string& path, FlatEvent& out) const {
    switch (kind) {
      case Kind::Null:
        break;
      case Kind::Bool:
        out.add(path, b);
        break;
      case Kind::Int:
        out.add(path, i);
        break;
      case Kind::Double:
        out.add(path, d);
        break;
      case Kind::String:
        out.add(path, std::string_view(s));
        break;
      case Kind::Array:
        for (const auto& item : items)
          item.flatten(path, out);
        break;
      case Kind::Object:
        for (std::size_t k = 0; k < items.size(); ++k)
          items[k].flatten(path.empty() ? keys[k] : path + "." + keys[k], out);
        break;
    }
  }
};

}  // namespace eqlite::testing
