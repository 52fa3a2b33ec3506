// eval/functions.cpp — see functions.hpp. Edge cases follow Elasticsearch's reference
// (eql-reference.md §10) and its Java implementation's observable results.
#include "eval/functions.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "eval/value_ops.hpp"

namespace eqlite::internal {

namespace {

constexpr std::uint8_t kAny = 255;

// clang-format off
constexpr FunctionInfo kFunctions[] = {
  {Function::Add,            "add",            "add(a, b)",                                2, 2,    false},
  {Function::Between,        "between",        "between(source, left, right[, greedy])",  3, 4,    true},
  {Function::CidrMatch,      "cidrMatch",      "cidrMatch(ip, cidr[, cidr...])",          2, kAny, false},
  {Function::Concat,         "concat",         "concat(value[, value...])",               1, kAny, false},
  {Function::Divide,         "divide",         "divide(a, b)",                            2, 2,    false},
  {Function::EndsWith,       "endsWith",       "endsWith(source, substring)",             2, 2,    true},
  {Function::IndexOf,        "indexOf",        "indexOf(source, substring[, start])",     2, 3,    true},
  {Function::Length,         "length",         "length(source)",                          1, 1,    false},
  {Function::Modulo,         "modulo",         "modulo(a, b)",                            2, 2,    false},
  {Function::Multiply,       "multiply",       "multiply(a, b)",                          2, 2,    false},
  {Function::Number,         "number",         "number(source[, base])",                  1, 2,    false},
  {Function::StartsWith,     "startsWith",     "startsWith(source, substring)",           2, 2,    true},
  {Function::String,         "string",         "string(value)",                           1, 1,    false},
  {Function::StringContains, "stringContains", "stringContains(source, substring)",       2, 2,    true},
  {Function::Substring,      "substring",      "substring(source, start[, end])",         2, 3,    false},
  {Function::Subtract,       "subtract",       "subtract(a, b)",                          2, 2,    false},
};
// clang-format on

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// ---- UTF-16 positions over UTF-8 bytes ---------------------------------------------------------

std::size_t cp_bytes(unsigned char lead) noexcept {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

// UTF-16 code units of one code point starting with `lead`.
std::size_t cp_units(unsigned char lead) noexcept {
  return lead >= 0xF0 ? 2 : 1;
}

std::size_t units(std::string_view s) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); i += cp_bytes(static_cast<unsigned char>(s[i])))
    n += cp_units(static_cast<unsigned char>(s[i]));
  return n;
}

// Byte offset of UTF-16 position `u` (clamped to the end; inside a pair: after it).
std::size_t byte_at(std::string_view s, std::size_t u) noexcept {
  std::size_t i = 0, n = 0;
  while (i < s.size() && n < u) {
    n += cp_units(static_cast<unsigned char>(s[i]));
    i += cp_bytes(static_cast<unsigned char>(s[i]));
  }
  return std::min(i, s.size());
}

std::size_t units_before(std::string_view s, std::size_t byte) noexcept {
  return units(s.substr(0, byte));
}

// ---- argument helpers ---------------------------------------------------------------------------

// The text of a string, number or boolean (S8); false for null.
bool text(Value v, std::string& buf, std::string_view& out) noexcept {
  try {
    return text_of(v, buf, out);
  } catch (...) {
    return false;
  }
}

bool as_int(Value v, std::int64_t& out) noexcept {
  if (v.kind() == ValueKind::Int) {
    out = v.as_int();
    return true;
  }
  if (v.kind() != ValueKind::Double) return false;
  // Range first: converting a double outside int64 (or NaN) to an integer is undefined
  // (found by fuzz/fuzz_structured.cpp: substring(a, 1e20)).
  const double d = v.as_double();
  if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) return false;
  if (d != static_cast<double>(static_cast<std::int64_t>(d))) return false;
  out = static_cast<std::int64_t>(d);
  return true;
}

// Folds `s` (ASCII) into `buf` when `ci`, and returns the view to search in.
std::string_view maybe_fold(std::string_view s, bool ci, std::string& buf) {
  if (!ci) return s;
  fold_ascii(s, buf);
  return buf;
}

// ---- IP addresses -------------------------------------------------------------------------------

struct Ip {
  int family = 0;  // 4 or 6
  unsigned char bytes[16] = {};
};

bool parse_ip(std::string_view text, Ip& ip) noexcept {
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = 0;
  if (inet_pton(AF_INET, buf, ip.bytes) == 1) {
    ip.family = 4;
    return true;
  }
  if (inet_pton(AF_INET6, buf, ip.bytes) == 1) {
    ip.family = 6;
    return true;
  }
  return false;
}

}  // namespace

// Elasticsearch (InetAddresses.parseCidr) rejects a /prefix on an IPv6-mapped IPv4 address
// ("::ffff:10.0.0.0/104"): it is ambiguous whether the prefix counts IPv4 or IPv6 bits.
bool ipv4_mapped_block(std::string_view text) noexcept {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos || text.substr(0, slash).find(':') == std::string_view::npos)
    return false;
  Ip ip;
  if (!parse_ip(text.substr(0, slash), ip) || ip.family != 6) return false;
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  return std::memcmp(ip.bytes, kMapped, 12) == 0;
}

namespace {

bool parse_cidr(std::string_view text, Ip& net, int& prefix) noexcept {
  const auto slash = text.find('/');
  if (!parse_ip(text.substr(0, slash), net)) return false;
  const int max = net.family == 4 ? 32 : 128;
  prefix = max;
  if (slash == std::string_view::npos) return true;
  if (ipv4_mapped_block(text)) return false;
  std::string_view p = text.substr(slash + 1);
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), prefix);
  return ec == std::errc() && ptr == p.data() + p.size() && !p.empty() && prefix >= 0 &&
         prefix <= max;
}

// IPv4 ::ffff:a.b.c.d <-> a.b.c.d, as Elasticsearch's InetAddresses do: a mapped address is
// IPv4, and an IPv4 address is compared with an IPv6 block as its mapped form.
void to_v4_if_mapped(Ip& ip) noexcept {
  static constexpr unsigned char kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
  if (ip.family == 6 && std::memcmp(ip.bytes, kPrefix, 12) == 0) {
    std::memmove(ip.bytes, ip.bytes + 12, 4);
    std::memset(ip.bytes + 4, 0, 12);
    ip.family = 4;
  }
}

Ip to_v6(const Ip& v4) noexcept {
  Ip out;
  out.family = 6;
  out.bytes[10] = out.bytes[11] = 0xFF;
  std::memcpy(out.bytes + 12, v4.bytes, 4);
  return out;
}

bool in_cidr(Ip ip, const Ip& net, int prefix) noexcept {
  to_v4_if_mapped(ip);
  if (ip.family == 4 && net.family == 6) ip = to_v6(ip);
  if (ip.family != net.family) return false;
  int full = prefix / 8, rest = prefix % 8;
  if (std::memcmp(ip.bytes, net.bytes, static_cast<std::size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  const unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (ip.bytes[full] & mask) == (net.bytes[full] & mask);
}

// ---- number() -----------------------------------------------------------------------------------

// `explicit_base`: the call gave a base. "0x" (lower case, as Elasticsearch checks it) selects
// base 16 when no base was given; with base 16 it is allowed and skipped.
Value to_number(std::string_view s, std::int64_t radix, bool explicit_base) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ')
    s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ')
    s.remove_suffix(1);
  if (s.empty() || radix < 2 || radix > 36) return Value::null();
  bool negative = false;
  std::string_view digits = s;
  if (digits.front() == '+' || digits.front() == '-') {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if ((!explicit_base || radix == 16) && digits.size() > 2 && digits[0] == '0' &&
      digits[1] == 'x') {
    radix = 16;  // "0x..." is hexadecimal
    digits.remove_prefix(2);
  }
  if (digits.empty()) return Value::null();
  std::uint64_t u = 0;
  auto [p, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), u, static_cast<int>(radix));
  if (ec == std::errc() && p == digits.data() + digits.size()) {
    if (!negative && u <= static_cast<std::uint64_t>(INT64_MAX))
      return Value::integer(static_cast<std::int64_t>(u));
    if (negative && u <= static_cast<std::uint64_t>(INT64_MAX) + 1)
      return Value::integer(static_cast<std::int64_t>(0 - u));
    if (radix != 10) return Value::null();  // beyond a long
  } else if (radix != 10) {
    return Value::null();
  }
  // base 10: a decimal number (as Java's Double.parseDouble on the trimmed text)
  Value v;
  if (!parse_number(digits, v)) return Value::null();
  return negative ? arith_neg(v) : v;
}

}  // namespace

const FunctionInfo* find_function(std::string_view name) noexcept {
  for (const auto& f : kFunctions) {
    if (equals_ci(name, f.name)) return &f;
  }
  return nullptr;
}

const FunctionInfo* closest_function(std::string_view name) noexcept {
  try {
    std::string lower;
    fold_ascii(name, lower);
    const FunctionInfo* best = nullptr;
    std::size_t best_d = std::max<std::size_t>(2, lower.size() / 3) + 1;
    for (const auto& f : kFunctions) {
      std::string fname;
      fold_ascii(f.name, fname);
      std::size_t d = edit_distance(lower, fname);
      if (d < best_d) {
        best_d = d;
        best = &f;
      }
    }
    return best;
  } catch (...) {
    return nullptr;
  }
}

const FunctionInfo& function_info(Function f) noexcept {
  return kFunctions[static_cast<std::size_t>(f)];
}

bool valid_cidr(std::string_view text) noexcept {
  Ip net;
  int prefix = 0;
  return parse_cidr(text, net, prefix);
}

Value call_function(Function f, bool ci, const Value* a, std::size_t n, StringPool& pool,
                    std::string& scratch) noexcept {
  try {
    // null in -> null out, except where noted (indexOf's start, concat checks itself)
    // Optional arguments that may be null: indexOf's start (0), number's base (10),
    // substring's end (the end of the string).
    std::size_t required = n;
    if (f == Function::IndexOf) required = 2;
    if (f == Function::Substring) required = 1;
    if (f == Function::Number) required = 1;
    for (std::size_t i = 0; i < required; ++i)
      if (a[i].is_null()) return Value::null();
    std::string b0, b1, b2;
    switch (f) {
      case Function::Add:
        return arith_add(a[0], a[1]);
      case Function::Subtract:
        return arith_sub(a[0], a[1]);
      case Function::Multiply:
        return arith_mul(a[0], a[1]);
      case Function::Divide:
        return arith_div(a[0], a[1]);
      case Function::Modulo:
        return arith_mod(a[0], a[1]);

      case Function::Length: {
        std::string_view s;  // a number or boolean counts its text (S8)
        if (!text(a[0], b0, s)) return Value::null();
        return Value::integer(static_cast<std::int64_t>(units(s)));
      }

      case Function::String: {
        if (a[0].kind() == ValueKind::String) return a[0];
        std::string_view t;
        if (!text(a[0], b0, t)) return Value::null();
        std::string& out = pool.next();
        out.assign(t);
        return Value::string(out);
      }

      case Function::Concat: {
        std::string& out = pool.next();
        for (std::size_t i = 0; i < n; ++i) {
          std::string_view t;
          if (!text(a[i], b0, t)) return Value::null();
          out.append(t);
        }
        return Value::string(out);
      }

      case Function::StartsWith:
      case Function::EndsWith:
      case Function::StringContains: {
        std::string_view s, sub;
        if (!text(a[0], b0, s) || !text(a[1], b1, sub)) return Value::null();
        std::string f0, f1;
        s = maybe_fold(s, ci, f0);
        sub = maybe_fold(sub, ci, f1);
        if (f == Function::StartsWith) return Value::boolean(s.starts_with(sub));
        if (f == Function::EndsWith) return Value::boolean(s.ends_with(sub));
        // stringContains(x, "") is false (Elasticsearch)
        return Value::boolean(!sub.empty() && s.find(sub) != std::string_view::npos);
      }

      case Function::IndexOf: {
        std::string_view s, sub;
        if (!text(a[0], b0, s) || !text(a[1], b1, sub)) return Value::null();
        std::int64_t start = 0;
        if (n == 3 && !a[2].is_null() && !as_int(a[2], start)) return Value::null();
        if (start < 0) start = 0;
        const std::size_t len = units(s);
        if (static_cast<std::uint64_t>(start) > len) return Value::null();
        std::string f0, f1;
        const std::string_view hay = maybe_fold(s, ci, f0);
        const std::string_view needle = maybe_fold(sub, ci, f1);
        const std::size_t at = hay.find(needle, byte_at(hay, static_cast<std::size_t>(start)));
        if (at == std::string_view::npos) return Value::null();
        return Value::integer(static_cast<std::int64_t>(units_before(hay, at)));
      }

      case Function::Substring: {
        std::string_view s;  // a number or boolean is sliced as its text (S8)
        if (!text(a[0], b0, s)) return Value::null();
        if (a[0].kind() != ValueKind::String) {
          std::string& copy = pool.next();  // the result must outlive b0
          copy.assign(s);
          s = copy;
        }
        const auto len = static_cast<std::int64_t>(units(s));
        std::int64_t start = 0, end = len;
        if (a[1].is_null()) return Value::string(s);  // Elasticsearch: no start gives the source
        if (!as_int(a[1], start)) return Value::null();
        if (n == 3 && !a[2].is_null() && !as_int(a[2], end)) return Value::null();
        // Python slice semantics: negative offsets count from the end; clamp to [0, len]
        auto clamp = [len](std::int64_t i) {
          if (i < 0) i = std::max<std::int64_t>(0, len + i);
          return std::min(i, len);
        };
        start = clamp(start);
        end = clamp(end);
        if (start >= end) return Value::string(std::string_view());
        const std::size_t b = byte_at(s, static_cast<std::size_t>(start));
        const std::size_t e = byte_at(s, static_cast<std::size_t>(end));
        return Value::string(s.substr(b, e - b));
      }

      case Function::Between: {
        std::string_view s, left, right;
        if (!text(a[0], b0, s) || !text(a[1], b1, left) || !text(a[2], b2, right))
          return Value::null();
        bool greedy = false;
        if (n == 4) {
          if (a[3].kind() != ValueKind::Bool) return Value::null();
          greedy = a[3].as_bool();
        }
        std::string f0, f1, f2;
        const std::string_view hay = maybe_fold(s, ci, f0);
        const std::string_view l = maybe_fold(left, ci, f1);
        const std::string_view r = maybe_fold(right, ci, f2);
        std::size_t start = hay.find(l);
        if (start == std::string_view::npos) return Value::string(std::string_view());
        start += l.size();
        std::size_t end = greedy ? hay.rfind(r) : hay.find(r, start);
        if (end == std::string_view::npos) return Value::string(std::string_view());
        if (end < start)
          return Value::null();  // greedy, the last `right` before `left`: Java fails
        if (a[0].kind() == ValueKind::String) return Value::string(s.substr(start, end - start));
        std::string& out = pool.next();  // s views a local buffer (a number's text)
        out.assign(s.substr(start, end - start));
        return Value::string(out);
      }

      case Function::Number: {
        std::int64_t radix = 10;  // a null base is the default (Elasticsearch)
        if (n == 2 && !a[1].is_null() && !as_int(a[1], radix)) return Value::null();
        if (a[0].is_number()) return a[0];
        if (a[0].kind() != ValueKind::String) return Value::null();
        return to_number(a[0].as_string(), radix, n == 2 && !a[1].is_null());
      }

      case Function::CidrMatch: {
        std::string_view t;
        if (a[0].kind() != ValueKind::String) return Value::boolean(false);
        t = a[0].as_string();
        Ip ip;
        if (!parse_ip(t, ip)) return Value::boolean(false);
        for (std::size_t i = 1; i < n; ++i) {
          if (a[i].kind() != ValueKind::String) continue;
          Ip net;
          int prefix = 0;
          if (parse_cidr(a[i].as_string(), net, prefix) && in_cidr(ip, net, prefix))
            return Value::boolean(true);
        }
        return Value::boolean(false);
      }
    }
  } catch (...) {
  }
  (void)scratch;
  return Value::null();
}

}  // namespace eqlite::internal
