// bench/data_util.cpp — Rng and JsonWriter of data.hpp.
#include <cstdio>

#include "bench/data.hpp"
#include "support/json_value.hpp"

namespace bench {

std::string Rng::hex(std::size_t digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(digits, '0');
  for (auto& c : out)
    c = kHex[g_() & 15];
  return out;
}

std::string Rng::uuid() {
  return hex(8) + '-' + hex(4) + '-' + hex(4) + '-' + hex(4) + '-' + hex(12);
}

std::string Rng::ipv4(bool private_range) {
  const auto b = g_();
  const unsigned x = (b >> 8) & 255, y = (b >> 16) & 255, z = 1 + (b >> 24) % 254;
  if (private_range)
    return "10." + std::to_string(x) + '.' + std::to_string(y) + '.' + std::to_string(z);
  static constexpr unsigned kFirst[] = {20, 40, 52, 81, 91, 104, 145, 185, 203, 213};
  return std::to_string(kFirst[b % 10]) + '.' + std::to_string(x) + '.' + std::to_string(y) + '.' +
         std::to_string(z);
}

void append_json_string(std::string& out, std::string_view s) {
  eqlite::testing::write_json_string(s, out);
}

void JsonWriter::key(std::string_view k) {
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
  if (!k.empty()) {
    append_json_string(out_, k);
    out_ += ':';
  }
}

JsonWriter& JsonWriter::begin_object(std::string_view k) {
  key(k);
  out_ += '{';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array(std::string_view k) {
  key(k);
  out_ += '[';
  first_.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  first_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::str(std::string_view k, std::string_view value) {
  key(k);
  append_json_string(out_, value);
  return *this;
}

JsonWriter& JsonWriter::integer(std::string_view k, std::int64_t value) {
  key(k);
  out_ += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::boolean(std::string_view k, bool value) {
  key(k);
  out_ += value ? "true" : "false";
  return *this;
}

}  // namespace bench
