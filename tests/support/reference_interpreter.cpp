// tests/support/reference_interpreter.cpp — see the header. Written from the contract
// (semantics.md) and the issue-3 decisions below, never from eval/: keep it that way.
//
// The rules, in one place:
//  * Conditions are two-valued. `not P` is the complement of P, `a != b` is `not (a == b)`,
//    `x not in (...)` is `not (x in (...))`; and/or are plain boolean (S3).
//  * A predicate (Compare, or Match with its lhs) collects the fields in value position in its
//    operands (through Neg, Arith and Call arguments, not through nested predicates, Not or
//    Logical, which are booleans of their own); it holds when it holds for ANY combination of
//    one value per distinct field; a field with no value takes null once (S1, S4).
//  * A bare non-predicate expression used as a condition is true when its value is boolean true
//    or the string "true" (for any combination, as above).
//  * Comparison: "literal mode" when the right operand folds to a literal (literals, unary minus,
//    arithmetic and function calls over literals); a literal on the left only is swapped to the
//    right first.
//    Null: only `==` in literal mode with both null is true. Same kinds compare naturally
//    (numbers numerically, strings by unsigned bytes, false < true). Mixed kinds only in literal
//    mode, converted to the non-literal side's kind (S8). See compare_values().
//  * `in`, `in~`, `:`, `like`, `like~`, `regex`, `regex~`: see holds_match().
//  * Dates (T1, T2): the timestamp field compared (`==` … `>=`, `in`) with a string or number
//    literal compares instants; see instant_of() and Interp::date_compare().
//  * Arithmetic follows Java (S9): see arith().
//  * Functions (P9, S10, eql-reference.md §10): see call().
#include "support/reference_interpreter.hpp"

#include <arpa/inet.h>
#include <re2/re2.h>
#include <time.h>

#include <array>
#include <charconv>
#include <cmath>
#include <compare>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace eqlite::testing {
namespace {

// A value: null, bool, int64, double or string (owning). The AST's literal type fits exactly.
using V = ast::Literal;
// One combination: field path -> the value it takes.
using Env = std::map<std::string, V, std::less<>>;

constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

bool is_null(const V& v) {
  return std::holds_alternative<ast::Null>(v);
}
bool is_bool(const V& v) {
  return std::holds_alternative<bool>(v);
}
bool is_int(const V& v) {
  return std::holds_alternative<std::int64_t>(v);
}
bool is_double(const V& v) {
  return std::holds_alternative<double>(v);
}
bool is_num(const V& v) {
  return is_int(v) || is_double(v);
}
bool is_str(const V& v) {
  return std::holds_alternative<std::string>(v);
}
std::int64_t as_int(const V& v) {
  return std::get<std::int64_t>(v);
}
double as_double(const V& v) {
  return is_int(v) ? static_cast<double>(as_int(v)) : std::get<double>(v);
}
const std::string& as_str(const V& v) {
  return std::get<std::string>(v);
}
bool as_bool(const V& v) {
  return std::get<bool>(v);
}

V from_value(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Null:
      return ast::Null{};
    case ValueKind::Bool:
      return v.as_bool();
    case ValueKind::Int:
      return v.as_int();
    case ValueKind::Double:
      return v.as_double();
    case ValueKind::String:
      return std::string(v.as_string());
  }
  return ast::Null{};
}

// ---- text of a value (S8: numbers and booleans as their JSON text) ---------------------------

std::string double_text(double d) {
  char buf[64];
  // Java's names for the special values (Double.toString)
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::optional<std::string> text(const V& v) {
  if (is_str(v)) return as_str(v);
  if (is_int(v)) return std::to_string(as_int(v));
  if (is_double(v)) return double_text(std::get<double>(v));
  if (is_bool(v)) return std::string(as_bool(v) ? "true" : "false");
  return std::nullopt;
}

// ASCII letters only (S5): 'É' stays 'É'.
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// UTF-8 code points of s (a lead byte gives the length; no validation).
std::vector<std::string_view> code_points(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 1;
    n = std::min(n, s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

// Positions and lengths of the functions count UTF-16 code units, as Java does: a character
// beyond U+FFFF (4 UTF-8 bytes) counts 2 (docs/compatibility.md "Character positions").
std::int64_t units(std::string_view cp) {
  return cp.size() == 4 ? 2 : 1;
}

std::int64_t utf16_length(std::string_view s) {
  std::int64_t n = 0;
  for (auto cp : code_points(s))
    n += units(cp);
  return n;
}

// The byte offset of UTF-16 position `u` in s. A position inside a character (between the two
// halves of a surrogate pair) moves to the end of that character: a slice never splits one.
std::size_t byte_at_utf16(std::string_view s, std::int64_t u) {
  std::int64_t at = 0;
  std::size_t off = 0;
  for (auto cp : code_points(s)) {
    if (at >= u) return off;
    at += units(cp);
    off += cp.size();
  }
  return off;
}

// The UTF-16 position of byte offset `off` (a character boundary) in s.
std::int64_t utf16_at_byte(std::string_view s, std::size_t off) {
  return utf16_length(s.substr(0, off));
}

// ---- a string literal read as a number (S8) ----------------------------------------------------
// Optional '-', digits, optional '.' and digits, optional exponent; at least one mantissa digit;
// the whole string. No '+', no spaces, no inf/nan/hex. All digits: int64 (or a double beyond).
std::optional<V> parse_decimal(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  std::size_t digits = 0;
  bool integral = true;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9')
    ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    integral = false;
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    integral = false;
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  std::string copy(s);
  if (integral) {
    std::int64_t v = 0;
    auto r = std::from_chars(copy.data(), copy.data() + copy.size(), v);
    if (r.ec == std::errc() && r.ptr == copy.data() + copy.size()) return V{v};
  }
  return V{std::strtod(copy.c_str(), nullptr)};
}

// ---- comparison (S2, S8, P10) -----------------------------------------------------------------

enum class Op { Eq, Lt, Le, Gt, Ge };

Op to_op(ast::CompareOp op) {
  switch (op) {
    case ast::CompareOp::Lt:
      return Op::Lt;
    case ast::CompareOp::Le:
      return Op::Le;
    case ast::CompareOp::Gt:
      return Op::Gt;
    case ast::CompareOp::Ge:
      return Op::Ge;
    default:
      return Op::Eq;
  }
}

Op mirror(Op op) {
  switch (op) {
    case Op::Lt:
      return Op::Gt;
    case Op::Le:
      return Op::Ge;
    case Op::Gt:
      return Op::Lt;
    case Op::Ge:
      return Op::Le;
    default:
      return op;
  }
}

bool holds_order(Op op, std::partial_ordering o) {
  switch (op) {
    case Op::Eq:
      return o == 0;
    case Op::Lt:
      return o < 0;
    case Op::Le:
      return o <= 0;
    case Op::Gt:
      return o > 0;
    case Op::Ge:
      return o >= 0;
  }
  return false;
}

std::partial_ordering num_order(const V& x, const V& y) {
  if (is_int(x) && is_int(y)) return as_int(x) <=> as_int(y);
  return as_double(x) <=> as_double(y);
}

// Unsigned lexicographic byte order.
std::partial_ordering bytes_order(std::string_view a, std::string_view b) {
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const auto ca = static_cast<unsigned char>(a[i]);
    const auto cb = static_cast<unsigned char>(b[i]);
    if (ca != cb) return ca <=> cb;
  }
  return a.size() <=> b.size();
}

// compare(x, y) with x the non-literal side when literal_mode.
bool compare_values(Op op, const V& x, const V& y, bool literal_mode) {
  if (is_null(x) || is_null(y)) return op == Op::Eq && literal_mode && is_null(x) && is_null(y);
  if (is_num(x) && is_num(y)) return holds_order(op, num_order(x, y));
  if (is_str(x) && is_str(y)) return holds_order(op, bytes_order(as_str(x), as_str(y)));
  if (is_bool(x) && is_bool(y)) return holds_order(op, int{as_bool(x)} <=> int{as_bool(y)});
  if (!literal_mode) return false;
  if (is_num(x) && is_str(y)) {
    auto n = parse_decimal(as_str(y));
    return n && holds_order(op, num_order(x, *n));
  }
  if (is_str(x) && is_num(y)) return holds_order(op, bytes_order(as_str(x), *text(y)));
  if (is_str(x) && is_bool(y)) return holds_order(op, bytes_order(as_str(x), *text(y)));
  if (is_bool(x) && is_str(y)) {
    if (as_str(y) != "true" && as_str(y) != "false") return false;
    return holds_order(op, int{as_bool(x)} <=> int{as_str(y) == "true"});
  }
  return false;
}

// ---- dates (T1) ---------------------------------------------------------------------------------
// An instant is int64 nanoseconds since the epoch. Written from T1 and the grammar in the
// comment of stream/timestamp.hpp, with std::regex and timegm(), not from stream/.

std::optional<std::int64_t> in_int64(__int128 ns) {
  if (ns < std::numeric_limits<std::int64_t>::min() ||
      ns > std::numeric_limits<std::int64_t>::max())
    return std::nullopt;
  return static_cast<std::int64_t>(ns);
}

// "[-]digits[.digits]" milliseconds as nanoseconds, rounded to the nearest (halves away from 0).
std::optional<std::int64_t> decimal_millis(const std::string& s) {
  static const std::regex re(R"((-?)(\d{1,20})(?:\.(\d*))?)");
  std::smatch m;
  if (!std::regex_match(s, m, re)) return std::nullopt;
  __int128 tenths = 0;  // tenths of a nanosecond: the fraction's first 7 digits
  for (char c : m[2].str() + (m[3].str() + "0000000").substr(0, 7))
    tenths = tenths * 10 + (c - '0');
  const __int128 ns = (tenths + 5) / 10;
  return in_int64(m[1].length() ? -ns : ns);
}

// strict_date_optional_time: yyyy[-MM[-dd[T[HH[:mm[:ss[.F]]][zone]]]]], no zone = UTC.
std::optional<std::int64_t> iso_instant(const std::smatch& m) {
  auto num = [&](int g, int absent) { return m[g].matched ? std::stoi(m[g].str()) : absent; };
  std::tm tm{};
  tm.tm_year = num(1, 0) - 1900;
  tm.tm_mon = num(2, 1) - 1;
  tm.tm_mday = num(3, 1);
  tm.tm_hour = num(4, 0);
  tm.tm_min = num(5, 0);
  tm.tm_sec = num(6, 0);
  if (tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59) return std::nullopt;
  const std::tm asked = tm;
  const std::int64_t seconds = timegm(&tm);
  if (tm.tm_mon != asked.tm_mon || tm.tm_mday != asked.tm_mday) return std::nullopt;  // 02-30
  std::int64_t offset = 0;
  if (m[9].matched) {
    const int h = num(10, 0), mi = num(12, 0), se = num(13, 0);
    offset = h * 3600 + mi * 60 + se;
    if (mi > 59 || se > 59 || offset > 18 * 3600) return std::nullopt;
    if (m[9] == "-") offset = -offset;
  }
  const std::int64_t nanos = std::stoll((m[7].str() + "000000000").substr(0, 9));
  return in_int64(static_cast<__int128>(seconds - offset) * 1'000'000'000 + nanos);
}

// T1: a string (ISO-8601 first, so "2020" is a year; else epoch milliseconds) or a number
// (epoch milliseconds; a double through its shortest decimal form); else nullopt.
std::optional<std::int64_t> instant_of(const V& v) {
  static const std::regex iso(
      R"((\d{4})(?:-(\d\d)(?:-(\d\d)(?:T(?:(\d\d)(?::(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?)?)"
      R"((Z|([+-])(\d\d)(?:(:?)(\d\d)(?:\11(\d\d))?)?)?)?)?)?)?)");
  static const std::regex millis(R"(\d{1,19}(?:\.\d{1,6})?)");
  std::smatch m;
  if (is_str(v) && std::regex_match(as_str(v), m, iso)) return iso_instant(m);
  if (is_str(v) && std::regex_match(as_str(v), millis)) return decimal_millis(as_str(v));
  if (is_int(v)) return in_int64(static_cast<__int128>(as_int(v)) * 1'000'000);
  if (is_double(v) && std::isfinite(std::get<double>(v))) {
    std::array<char, 400> buf{};
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), std::get<double>(v),
                           std::chars_format::fixed);
    return decimal_millis(std::string(buf.data(), r.ptr));
  }
  return std::nullopt;
}

// ---- arithmetic (S9, Java) ----------------------------------------------------------------------

V arith(ast::ArithOp op, const V& a, const V& b) {
  if (!is_num(a) || !is_num(b)) return ast::Null{};
  if (is_int(a) && is_int(b)) {
    const std::int64_t x = as_int(a), y = as_int(b);
    std::int64_t r = 0;
    switch (op) {
      case ast::ArithOp::Add:
        if (__builtin_add_overflow(x, y, &r)) return ast::Null{};
        return r;
      case ast::ArithOp::Sub:
        if (__builtin_sub_overflow(x, y, &r)) return ast::Null{};
        return r;
      case ast::ArithOp::Mul:
        if (__builtin_mul_overflow(x, y, &r)) return ast::Null{};
        return r;
      case ast::ArithOp::Div:
        if (y == 0 || (x == kMin && y == -1)) return ast::Null{};
        return x / y;
      case ast::ArithOp::Mod:
        if (y == 0) return ast::Null{};
        if (x == kMin && y == -1) return std::int64_t{0};
        return x % y;
    }
  }
  const double x = as_double(a), y = as_double(b);
  switch (op) {
    case ast::ArithOp::Add:
      return x + y;
    case ast::ArithOp::Sub:
      return x - y;
    case ast::ArithOp::Mul:
      return x * y;
    case ast::ArithOp::Div:
      if (y == 0.0) return ast::Null{};
      return x / y;
    case ast::ArithOp::Mod:
      if (y == 0.0) return ast::Null{};
      return std::fmod(x, y);
  }
  return ast::Null{};
}

V negate(const V& v) {
  if (is_int(v)) {
    if (as_int(v) == kMin) return ast::Null{};
    return -as_int(v);
  }
  if (is_double(v)) return -std::get<double>(v);
  return ast::Null{};
}

bool truthy(const V& v) {
  return (is_bool(v) && as_bool(v)) || (is_str(v) && as_str(v) == "true");
}

// ---- wildcards (S6) and regexes (S7) ----------------------------------------------------------

// `*` any run of code points (also empty), `?` exactly one code point, the whole text; no escape.
bool wildcard_match(std::string_view value, std::string_view pattern, bool fold) {
  const std::string tv = fold ? lower(value) : std::string(value);
  const std::string pv = fold ? lower(pattern) : std::string(pattern);
  const auto t = code_points(tv);
  const auto p = code_points(pv);
  // m[i][j]: p[i..] matches t[j..]
  std::vector<std::vector<char>> m(p.size() + 1, std::vector<char>(t.size() + 1, 0));
  m[p.size()][t.size()] = 1;
  for (std::size_t i = p.size(); i-- > 0;) {
    for (std::size_t j = t.size() + 1; j-- > 0;) {
      const bool more = j < t.size();
      if (p[i] == "*") {
        m[i][j] = m[i + 1][j] || (more && m[i][j + 1]);
      } else if (p[i] == "?") {
        m[i][j] = more && m[i + 1][j + 1];
      } else {
        m[i][j] = more && p[i] == t[j] && m[i + 1][j + 1];
      }
    }
  }
  return m[0][0];
}

// regex~ folds ASCII letters only (S5), so RE2's (?i) (Unicode folding: É/é, K/U+212A) will not
// do: the value is lowercased (ASCII) and so are the pattern's literal letters — not the letters
// of escapes (\D, \pL, \x{..}), of (?flags) and group names, or of [:class:] names.
std::string fold_pattern(std::string_view p) {
  std::string out;
  std::size_t i = 0;
  bool in_class = false;
  auto copy_until = [&](char end) {  // copies up to and including `end`
    while (i < p.size()) {
      out += p[i];
      if (p[i++] == end) break;
    }
  };
  while (i < p.size()) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[i + 1];
      out += c;
      out += e;
      i += 2;
      if ((e == 'p' || e == 'P' || e == 'x') && i < p.size() && p[i] == '{') {
        copy_until('}');
      } else if ((e == 'p' || e == 'P') && i < p.size()) {
        out += p[i++];
      } else if (e == 'Q') {  // \Q...\E: literal text
        while (i < p.size() && !(p[i] == '\\' && i + 1 < p.size() && p[i + 1] == 'E'))
          out += lower(p.substr(i++, 1));
      }
    } else if (!in_class && c == '(' && i + 1 < p.size() && p[i + 1] == '?') {
      const std::size_t stop = p.find_first_of(":)>", i);
      const std::size_t end = stop == std::string_view::npos ? p.size() : stop + 1;
      out += p.substr(i, end - i);
      i = end;
    } else if (!in_class && c == '[') {
      in_class = true;
      out += c;
      ++i;
      if (i < p.size() && p[i] == '^') out += p[i++];
      if (i < p.size() && p[i] == ']') out += p[i++];  // a literal ']' first
    } else if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      copy_until(']');  // [:alpha:]
    } else {
      if (in_class && c == ']') in_class = false;
      out += lower(p.substr(i++, 1));
    }
  }
  return out;
}

bool regex_match(std::string_view value, const std::string& pattern, bool fold) {
  RE2::Options options;
  options.set_dot_nl(true);
  options.set_log_errors(false);
  const RE2 re(fold ? fold_pattern(pattern) : pattern, options);
  if (!re.ok()) return false;
  const std::string subject = fold ? lower(value) : std::string(value);
  return RE2::FullMatch(subject, re);
}

// ---- cidrMatch
// ------------------------------------------------------------------------------------

// 4 bytes (IPv4, also for an IPv4-mapped IPv6 address) or 16 bytes (IPv6).
std::optional<std::vector<unsigned char>> parse_ip(const std::string& s) {
  std::array<unsigned char, 16> buf{};
  if (inet_pton(AF_INET, s.c_str(), buf.data()) == 1)
    return std::vector<unsigned char>(buf.begin(), buf.begin() + 4);
  if (inet_pton(AF_INET6, s.c_str(), buf.data()) == 1) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(buf.begin(), buf.begin() + 12, mapped))
      return std::vector<unsigned char>(buf.begin() + 12, buf.end());
    return std::vector<unsigned char>(buf.begin(), buf.end());
  }
  return std::nullopt;
}

// As Elasticsearch's CIDRUtils.isInRange: the block is the range [lower, upper] (the address
// with its host bits cleared / set; without a '/' the address alone); when the address and the
// block differ in length, both are compared as IPv6, an IPv4 address becoming ::ffff:a.b.c.d.
bool in_cidr(std::vector<unsigned char> ip, const std::string& cidr) {
  const std::size_t slash = cidr.find('/');
  auto net = parse_ip(cidr.substr(0, slash));
  if (!net) return false;
  std::vector<unsigned char> lower = *net, upper = *net;
  if (slash != std::string::npos) {
    const std::string p = cidr.substr(slash + 1);
    std::size_t bits = 0;
    auto r = std::from_chars(p.data(), p.data() + p.size(), bits);
    if (p.empty() || r.ec != std::errc() || r.ptr != p.data() + p.size() || bits > net->size() * 8)
      return false;
    for (std::size_t b = bits; b < net->size() * 8; ++b) {
      const auto mask = static_cast<unsigned char>(0x80 >> (b % 8));
      lower[b / 8] = static_cast<unsigned char>(lower[b / 8] & ~mask);
      upper[b / 8] = static_cast<unsigned char>(upper[b / 8] | mask);
    }
  }
  if (ip.size() != lower.size()) {
    auto encode = [](std::vector<unsigned char>& a) {
      if (a.size() != 4) return;
      std::vector<unsigned char> v6(10, 0);
      v6.push_back(0xff);
      v6.push_back(0xff);
      v6.insert(v6.end(), a.begin(), a.end());
      a = v6;
    };
    encode(ip);
    encode(lower);
    encode(upper);
  }
  return lower <= ip && ip <= upper;  // unsigned lexicographic
}

// ---- number()
// ------------------------------------------------------------------------------------

// Java's Long.parseLong(s, radix): an optional '+' or '-', then one or more digits of the
// radix, nothing else (no spaces); nullopt on anything else or beyond int64.
std::optional<std::int64_t> java_parse_long(std::string_view s, int radix) {
  bool negative = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t acc = 0;
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  for (char c : s) {
    const int d = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'a' && c <= 'z' ? c - 'a' + 10
                  : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                         : 99;
    if (d >= radix) return std::nullopt;
    const auto r = static_cast<std::uint64_t>(radix), ud = static_cast<std::uint64_t>(d);
    if (acc > (limit - ud) / r) return std::nullopt;
    acc = acc * r + ud;
  }
  if (negative) return acc == (std::uint64_t{1} << 63) ? kMin : -static_cast<std::int64_t>(acc);
  return static_cast<std::int64_t>(acc);
}

// Java's Double.valueOf(s): surrounding characters <= ' ' trimmed, an optional sign, then
// "NaN", "Infinity", or digits with an optional '.', an optional exponent and an optional
// f/F/d/D suffix. (Java's hexadecimal floats, "0x1p3", are not accepted here.)
std::optional<double> java_parse_double(std::string_view s) {
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ')
    s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ')
    s.remove_suffix(1);
  std::string_view body = s;
  bool negative = false;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "NaN") return std::nan("");
  if (body == "Infinity")
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  if (!body.empty() && std::string_view("fFdD").find(body.back()) != std::string_view::npos)
    body.remove_suffix(1);
  std::size_t i = 0, digits = 0;
  while (i < body.size() && body[i] >= '0' && body[i] <= '9')
    ++i, ++digits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9')
      ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    std::size_t exp_digits = 0;
    while (i < body.size() && body[i] >= '0' && body[i] <= '9')
      ++i, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (i != body.size()) return std::nullopt;
  const double v = std::strtod(std::string(body.substr(0, i)).c_str(), nullptr);
  return negative ? -v : v;
}

// number(s[, base]) as Elasticsearch's ToNumberFunctionProcessor: a string starting with "0x"
// (exactly) is hexadecimal by default, and the prefix is stripped when the radix is 16; radix
// 10: Long.valueOf, else Double.valueOf; other radixes: Long.parseLong. Failure is null.
V number_of(std::string_view s, std::optional<std::int64_t> base) {
  // Surrounding whitespace is ignored (Elasticsearch's function reference).
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ')
    s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ')
    s.remove_suffix(1);
  const bool hex = s.substr(0, 2) == "0x";
  const std::int64_t radix = base ? *base : (hex ? 16 : 10);
  if (hex && radix == 16) s.remove_prefix(2);
  if (radix == 10) {
    if (auto v = java_parse_long(s, 10)) return *v;
    if (auto d = java_parse_double(s)) return *d;
    return ast::Null{};
  }
  if (radix < 2 || radix > 36) return ast::Null{};
  if (auto v = java_parse_long(s, static_cast<int>(radix))) return *v;
  return ast::Null{};
}

// Python-slice bound: negative counts from the end, clamped to [0, n].
std::int64_t slice_bound(std::int64_t i, std::int64_t n) {
  if (i < 0) i += n;
  return std::clamp<std::int64_t>(i, 0, n);
}

// ---- the tree walk ------------------------------------------------------------------------------

class Interp {
 public:
  Interp(const FieldMap& event, std::string_view timestamp_field)
      : event_(event), timestamp_field_(timestamp_field) {}

  // A condition: two-valued.
  bool cond(const ast::Expr& e) {
    return std::visit(
        [&](const auto& n) -> bool {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Logical>) {
            for (const auto& o : n.operands) {
              const bool v = cond(o);
              if (n.op == ast::LogicalOp::And && !v) return false;
              if (n.op == ast::LogicalOp::Or && v) return true;
            }
            return n.op == ast::LogicalOp::And;
          } else if constexpr (std::is_same_v<T, ast::Not>) {
            return !cond(*n.operand);
          } else if constexpr (std::is_same_v<T, ast::Compare>) {
            // `a != b` is `not (a == b)`
            const bool r = any_combination({&*n.lhs, &*n.rhs},
                                           [&](const Env& env) { return holds_compare(n, env); });
            return n.op == ast::CompareOp::Ne ? !r : r;
          } else if constexpr (std::is_same_v<T, ast::Match>) {
            // `x not in (...)` is `not (x in (...))`
            std::vector<const ast::Expr*> operands{&*n.lhs};
            for (const auto& v : n.values)
              operands.push_back(&v);
            const bool r =
                any_combination(operands, [&](const Env& env) { return holds_match(n, env); });
            return n.negated ? !r : r;
          } else {
            // A bare value: true when it is boolean true or the string "true".
            return any_combination({&e}, [&](const Env& env) { return truthy(value(e, env)); });
          }
        },
        e.node);
  }

 private:
  const FieldMap& event_;
  std::string_view timestamp_field_;

  // T2: `timestamp_field OP literal` with a string or number literal compares the instants of
  // the value `x` and of the literal (an event value that is not a date: false). nullopt when
  // T2 does not apply (`l` is not the timestamp field, or `lit` not such a literal).
  std::optional<bool> date_compare(Op op, const ast::Expr& l, const std::optional<V>& lit,
                                   const V& x) {
    const auto* f = std::get_if<ast::Field>(&l.node);
    if (!f || f->path != timestamp_field_ || !lit || !(is_str(*lit) || is_num(*lit)))
      return std::nullopt;
    const auto a = instant_of(x), b = instant_of(*lit);
    return a && b && holds_order(op, *a <=> *b);
  }

  std::vector<V> values_of(const std::string& path) {
    std::vector<Value> raw;
    event_.get(path, raw);
    std::vector<V> out;
    for (const auto& v : raw)
      out.push_back(from_value(v));
    if (out.empty()) out.emplace_back();  // no value: null (the first alternative), once
    return out;
  }

  // The fields in value position (not through nested predicates, Not, Logical).
  static void collect(const ast::Expr& e, std::vector<std::string>& out) {
    if (const auto* f = std::get_if<ast::Field>(&e.node)) {
      if (std::find(out.begin(), out.end(), f->path) == out.end()) out.push_back(f->path);
    } else if (const auto* n = std::get_if<ast::Neg>(&e.node)) {
      collect(*n->operand, out);
    } else if (const auto* a = std::get_if<ast::Arith>(&e.node)) {
      collect(*a->lhs, out);
      collect(*a->rhs, out);
    } else if (const auto* c = std::get_if<ast::Call>(&e.node)) {
      for (const auto& arg : c->args)
        collect(arg, out);
    }
  }

  // Calls `visit` for each combination of one value per field of `operands` until it returns
  // true.
  void for_each_combination(const std::vector<const ast::Expr*>& operands,
                            const std::function<bool(const Env&)>& visit) {
    (void)any_combination(operands, visit);
  }

  // True when `holds` is true for any combination of one value per field of `operands`.
  bool any_combination(const std::vector<const ast::Expr*>& operands,
                       const std::function<bool(const Env&)>& holds) {
    std::vector<std::string> fields;
    for (const auto* o : operands)
      collect(*o, fields);
    std::vector<std::vector<V>> values;
    for (const auto& f : fields)
      values.push_back(values_of(f));
    Env env;
    std::function<bool(std::size_t)> rec = [&](std::size_t k) -> bool {
      if (k == fields.size()) return holds(env);
      for (const auto& v : values[k]) {
        env[fields[k]] = v;
        if (rec(k + 1)) return true;
      }
      return false;
    };
    return rec(0);
  }

  // The value of a constant expression — a literal, or unary minus, arithmetic or a function
  // call over constant expressions (not a predicate) — else nullopt. A constant on the right of
  // a comparison (or as an `in` member) is a "literal" (literal mode).
  std::optional<V> fold(const ast::Expr& e) {
    if (const auto* l = std::get_if<ast::Literal>(&e.node)) return *l;
    if (const auto* n = std::get_if<ast::Neg>(&e.node)) {
      auto v = fold(*n->operand);
      if (v) return negate(*v);
      return std::nullopt;
    }
    if (const auto* a = std::get_if<ast::Arith>(&e.node)) {
      auto l = fold(*a->lhs);
      auto r = fold(*a->rhs);
      if (l && r) return arith(a->op, *l, *r);
    }
    if (const auto* c = std::get_if<ast::Call>(&e.node)) {
      for (const auto& arg : c->args)
        if (!fold(arg)) return std::nullopt;
      return call(*c, Env{});
    }
    return std::nullopt;
  }

  V value(const ast::Expr& e, const Env& env) {
    if (const auto* l = std::get_if<ast::Literal>(&e.node)) return *l;
    if (const auto* f = std::get_if<ast::Field>(&e.node)) {
      auto it = env.find(f->path);
      if (it == env.end()) throw std::logic_error("reference interpreter: unbound field");
      return it->second;
    }
    if (const auto* n = std::get_if<ast::Neg>(&e.node)) return negate(value(*n->operand, env));
    if (const auto* a = std::get_if<ast::Arith>(&e.node))
      return arith(a->op, value(*a->lhs, env), value(*a->rhs, env));
    if (const auto* c = std::get_if<ast::Call>(&e.node)) return call(*c, env);
    if (std::holds_alternative<ast::Compare>(e.node) || std::holds_alternative<ast::Match>(e.node))
      return predicate_value(e);
    return cond(e);  // a nested not / and / or: a boolean of its own
  }

  // A predicate used as a value (`null == (x > 1)`): three-valued, as in Elasticsearch's
  // scripts: per combination a missing operand gives null (a comparison with the literal null
  // stays an existence test); over the combinations: true if any is true, else null if any is
  // null, else false; `not` keeps null. An in-list with non-constant members stays two-valued.
  V predicate_value(const ast::Expr& e) {
    std::vector<const ast::Expr*> operands;
    std::function<std::optional<bool>(const Env&)> holds;
    bool negate = false;
    if (const auto* c = std::get_if<ast::Compare>(&e.node)) {
      operands = {&*c->lhs, &*c->rhs};
      negate = c->op == ast::CompareOp::Ne;
      holds = [this, c](const Env& env) -> std::optional<bool> {
        const ast::Expr* l = &*c->lhs;
        const ast::Expr* r = &*c->rhs;
        Op op = to_op(c->op);
        if (!fold(*r) && fold(*l)) {
          std::swap(l, r);
          op = mirror(op);
        }
        const std::optional<V> lit = fold(*r);
        const bool literal_mode = lit.has_value();
        const V lv = value(*l, env), rv = value(*r, env);
        if ((is_null(lv) || is_null(rv)) && !(literal_mode && is_null(rv))) return std::nullopt;
        if (auto d = date_compare(op, *l, lit, lv)) return *d;
        return compare_values(op, lv, rv, literal_mode);
      };
    } else {
      const auto& m = std::get<ast::Match>(e.node);
      const bool in = m.kind == ast::MatchKind::In || m.kind == ast::MatchKind::InCi;
      // `null in (...)` as a value: null, whatever the members (Elasticsearch's In compares
      // with three-valued equality; the compiler's in_list gives null before looking at them)
      if (auto l = fold(*m.lhs); in && l && is_null(*l)) return V{};
      if (in)
        for (const auto& v : m.values)
          if (!fold(v)) return V(cond(e));
      operands = {&*m.lhs};
      negate = m.negated;
      holds = [this, &m](const Env& env) -> std::optional<bool> {
        if (is_null(value(*m.lhs, env))) return std::nullopt;
        return holds_match(m, env);
      };
    }
    bool any_true = false, any_null = false;
    for_each_combination(operands, [&](const Env& env) {
      const auto r = holds(env);
      if (!r)
        any_null = true;
      else if (*r)
        any_true = true;
      return any_true;  // stop at the first true
    });
    if (any_true) return V(!negate);
    if (any_null) return V{};
    return V(negate);
  }

  bool holds_compare(const ast::Compare& c, const Env& env) {
    const ast::Expr* l = &*c.lhs;
    const ast::Expr* r = &*c.rhs;
    Op op = to_op(c.op);  // Ne is evaluated as Eq, then complemented by the caller
    if (!fold(*r) && fold(*l)) {
      std::swap(l, r);
      op = mirror(op);
    }
    const std::optional<V> lit = fold(*r);
    const V lv = value(*l, env);
    if (auto d = date_compare(op, *l, lit, lv)) return *d;
    return compare_values(op, lv, value(*r, env), lit.has_value());
  }

  // The postfix predicates, for one combination; the list is "any of".
  //  A null x (the literal null) is in no list.
  //  in:  a constant member m: compare(x, m, ==) in literal mode; a null member matches nothing;
  //       any other member: x == m as a comparison would evaluate it (a constant x is swapped
  //       to the right and is then a literal).
  //  in~: the ASCII-lowered texts of x and m are equal (S8: numbers and booleans as their
  //       text); a null on either side never matches.
  //  : / like~ / like: the text of x against each wildcard pattern (S6), folded or not.
  //  regex / regex~: the text of x against each RE2 pattern, whole value, `.` matches '\n'.
  bool holds_match(const ast::Match& m, const Env& env) {
    const V x = value(*m.lhs, env);
    const bool x_literal = fold(*m.lhs).has_value();
    if ((m.kind == ast::MatchKind::In || m.kind == ast::MatchKind::InCi) && x_literal && is_null(x))
      return false;
    for (const auto& member : m.values) {
      const std::optional<V> lit = fold(member);
      switch (m.kind) {
        case ast::MatchKind::In:
          if (lit) {
            if (is_null(*lit)) break;
            const auto d = date_compare(Op::Eq, *m.lhs, lit, x);
            if (d ? *d : compare_values(Op::Eq, x, *lit, true)) return true;
          } else if (x_literal) {
            const V y = value(member, env);
            const auto d = date_compare(Op::Eq, member, x, y);
            if (d ? *d : compare_values(Op::Eq, y, x, true)) return true;
          } else if (compare_values(Op::Eq, x, value(member, env), false)) {
            return true;
          }
          break;
        case ast::MatchKind::InCi:
          if (lit) {
            if (is_null(*lit) || is_null(x)) break;
            if (lower(*text(x)) == lower(*text(*lit))) return true;
          } else {
            const V y = value(member, env);
            if (!is_null(x) && !is_null(y) && lower(*text(x)) == lower(*text(y))) return true;
          }
          break;
        case ast::MatchKind::Seq:
        case ast::MatchKind::Like:
        case ast::MatchKind::LikeCi: {
          auto t = text(x);
          if (!t || !lit || !is_str(*lit)) break;
          if (wildcard_match(*t, as_str(*lit), m.kind != ast::MatchKind::Like)) return true;
          break;
        }
        case ast::MatchKind::Regex:
        case ast::MatchKind::RegexCi: {
          auto t = text(x);
          if (!t || !lit || !is_str(*lit)) break;
          if (regex_match(*t, as_str(*lit), m.kind == ast::MatchKind::RegexCi)) return true;
          break;
        }
      }
    }
    return false;
  }

  // Functions (P9, S10, eql-reference.md §10, docs/compatibility.md). Names are
  // case-insensitive; `~` folds ASCII case. String arguments that are numbers or booleans use
  // their text (S8). Integer arguments accept an integral double in the int64 range. Positions
  // and lengths count UTF-16 code units. A null argument gives null, except where noted
  // (indexOf's start, number's base, substring's start and end). Where Elasticsearch's Java
  // code would throw, the result is null (S11).
  V call(const ast::Call& c, const Env& env) {
    const std::string name = lower(c.name);
    std::vector<V> a;
    for (const auto& arg : c.args)
      a.push_back(value(arg, env));
    const bool fold_case = c.insensitive;
    auto fc = [&](const std::string& s) { return fold_case ? lower(s) : s; };
    auto nulls = [&](std::size_t n) {
      for (std::size_t i = 0; i < n && i < a.size(); ++i)
        if (is_null(a[i])) return true;
      return false;
    };
    // An optional integer argument: nullopt (use the default) when absent or null; sets `bad`
    // when present but not an integer. A double with an integral value in the int64 range is
    // an integer too (JSON has one number type).
    bool bad = false;
    auto opt_int = [&](std::size_t i) -> std::optional<std::int64_t> {
      if (i >= a.size() || is_null(a[i])) return std::nullopt;
      if (is_int(a[i])) return as_int(a[i]);
      if (is_double(a[i])) {
        const double d = std::get<double>(a[i]);
        if (std::isfinite(d) && d == std::trunc(d) && d >= -0x1p63 && d < 0x1p63)
          return static_cast<std::int64_t>(d);
      }
      bad = true;
      return std::nullopt;
    };
    const ast::Null null;

    if (name == "add" && a.size() == 2) return arith(ast::ArithOp::Add, a[0], a[1]);
    if (name == "subtract" && a.size() == 2) return arith(ast::ArithOp::Sub, a[0], a[1]);
    if (name == "multiply" && a.size() == 2) return arith(ast::ArithOp::Mul, a[0], a[1]);
    if (name == "divide" && a.size() == 2) return arith(ast::ArithOp::Div, a[0], a[1]);
    if (name == "modulo" && a.size() == 2) return arith(ast::ArithOp::Mod, a[0], a[1]);

    if (name == "between" && (a.size() == 3 || a.size() == 4)) {
      // The text after the first `left` and before the next (or, greedy, the last) `right`;
      // "" when either is not found (Elasticsearch's StringUtils.between). An empty `left`
      // matches at 0 and an empty `right` at `start` (greedy: at the end), as
      // docs/compatibility.md says. Greedy, when the last `right` begins before the end of
      // `left`, Java's substring(start, end) throws: the query fails in Elasticsearch, null
      // here (S11).
      if (nulls(3)) return null;
      bool greedy = false;
      if (a.size() == 4) {
        if (!is_bool(a[3])) return null;
        greedy = as_bool(a[3]);
      }
      const std::string s = *text(a[0]);
      const std::string ms = fc(s), ml = fc(*text(a[1])), mr = fc(*text(a[2]));
      std::size_t start = ms.find(ml);
      if (start == std::string::npos) return std::string();
      start += ml.size();
      const std::size_t end = greedy ? ms.rfind(mr) : ms.find(mr, start);
      if (end == std::string::npos) return std::string();
      if (end < start) return null;
      return s.substr(start, end - start);
    }
    if (name == "cidrmatch" && a.size() >= 2) {
      if (nulls(a.size())) return null;
      auto ip = parse_ip(*text(a[0]));
      if (!ip) return false;
      for (std::size_t i = 1; i < a.size(); ++i)
        if (in_cidr(*ip, *text(a[i]))) return true;
      return false;
    }
    if (name == "concat" && !a.empty()) {
      if (nulls(a.size())) return null;
      std::string out;
      for (const auto& v : a)
        out += *text(v);
      return out;
    }
    if ((name == "endswith" || name == "startswith") && a.size() == 2) {
      if (nulls(2)) return null;
      const std::string s = fc(*text(a[0])), sub = fc(*text(a[1]));
      if (sub.size() > s.size()) return false;
      return name == "startswith" ? s.compare(0, sub.size(), sub) == 0
                                  : s.compare(s.size() - sub.size(), sub.size(), sub) == 0;
    }
    if (name == "indexof" && (a.size() == 2 || a.size() == 3)) {
      // First position of `sub` at or after `start` (default 0, negative is 0); null when not
      // found or when start is past the end.
      if (nulls(2)) return null;
      std::int64_t start = opt_int(2).value_or(0);
      if (bad) return null;
      const std::string s = fc(*text(a[0])), sub = fc(*text(a[1]));
      if (start < 0) start = 0;
      if (start > utf16_length(s)) return null;
      const std::size_t pos = s.find(sub, byte_at_utf16(s, start));
      if (pos == std::string::npos) return null;
      return utf16_at_byte(s, pos);
    }
    if (name == "length" && a.size() == 1) {
      if (nulls(1)) return null;
      return utf16_length(*text(a[0]));
    }
    if (name == "number" && (a.size() == 1 || a.size() == 2)) {
      // A number stays itself (docs/compatibility.md); a string is parsed; null base: default.
      if (nulls(1)) return null;
      if (is_num(a[0])) return a[0];
      const auto base = opt_int(1);  // null base: the default
      if (bad) return null;
      return number_of(*text(a[0]), base);
    }
    if (name == "string" && a.size() == 1) {
      if (nulls(1)) return null;
      return *text(a[0]);
    }
    if (name == "stringcontains" && a.size() == 2) {
      if (nulls(2)) return null;
      const std::string s = fc(*text(a[0])), sub = fc(*text(a[1]));
      if (sub.empty()) return false;  // also stringContains("", "")
      return s.find(sub) != std::string::npos;
    }
    if (name == "substring" && (a.size() == 2 || a.size() == 3)) {
      // Python slice (negative offsets from the end, clamped, end exclusive). As
      // Elasticsearch's SubstringFunctionProcessor: a null start gives the source unchanged, a
      // null end means the end (T-SF `substring("hello world", 6, null)` is "world").
      if (nulls(1)) return null;
      const std::string s = *text(a[0]);
      if (is_null(a[1])) return s;
      const std::int64_t n = utf16_length(s);
      const std::int64_t start = slice_bound(opt_int(1).value_or(0), n);
      const std::int64_t end = slice_bound(opt_int(2).value_or(n), n);
      if (bad) return null;
      const std::size_t b = byte_at_utf16(s, start), e = byte_at_utf16(s, end);
      return b < e ? s.substr(b, e - b) : std::string();
    }
    return null;  // unknown name or arity: compile() rejects it
  }
};

}  // namespace

bool reference_matches(const ast::Query& q, const FieldMap& event, std::string_view category_field,
                       std::string_view timestamp_field) {
  if (!q.any) {
    // P1: `event.category == "<cat>"`, any element.
    std::vector<Value> raw;
    event.get(category_field, raw);
    bool found = false;
    for (const auto& v : raw)
      found = found || compare_values(Op::Eq, from_value(v), V{q.category}, true);
    if (!found) return false;
  }
  return Interp(event, timestamp_field).cond(q.where);
}

}  // namespace eqlite::testing
