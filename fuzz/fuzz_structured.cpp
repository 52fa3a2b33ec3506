// fuzz/fuzz_structured.cpp — structure-aware libFuzzer target: the input bytes drive a generator
// of grammar-valid EQL queries and of JSON events, and the VM is checked against the reference
// interpreter (tests/support/reference_interpreter.hpp), an independent tree walk written from
// the contract.
//
// The first byte picks the generator:
//  * byte % 4 == 0: the differential test's generator (tests/differential/generator.hpp),
//    seeded with a hash of the other bytes: its tuned distribution of queries and events;
//  * otherwise the generator below, driven by FuzzedDataProvider: comparisons (also field to
//    field), not/and/or, `in`/`not in`/`in~` lists, `:`/`like`/`like~` with wildcard patterns
//    such as `*a*a*?b`, `regex`/`regex~` from a small grammar (and, rarely, raw bytes), calls of
//    every function with the right arity and random arguments, arithmetic, unary minus, literals
//    of every type (int64 limits, doubles, strings with escapes, \u{...}, raw strings, non-ASCII),
//    comments and line breaks between tokens, categories, and head/tail pipes. Events set each
//    field of a small pool to nothing, null, a scalar, [] or an array (also nested arrays and
//    arrays of objects), by nested objects, dotted keys, or both.
//
// EQLITE_FUZZ_PRINT=1 prints each generated query and its events (to see what an input means).
//
// Checks: the text parses; it compiles (the only errors allowed: BadRegex for a raw regex, and
// Unsupported from the differential generator, which the differential test skips as well);
// for each event, Vm::matches on the FlatEvent equals reference_matches, Vm::matches on the
// event read from its JSON text by the query's JsonReader equals both, and so does a RuleSet of
// the query (without pipes) on the JSON text: its index may rule the query out only for events
// it does not match.
#include <fuzzer/FuzzedDataProvider.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <eqlite/eqlite.hpp>

#include "differential/generator.hpp"
#include "fuzz_support.hpp"
#include "parser/ast.hpp"
#include "parser/parse.hpp"
#include "support/reference_interpreter.hpp"

namespace {

using eqlite::fuzz::printable;

constexpr std::size_t kMaxInput = 1 << 14;

// ---- JSON events -----------------------------------------------------------------------------

using Json = eqlite::testing::JsonValue;
using eqlite::testing::double_text;

// ---- the generator ---------------------------------------------------------------------------

// Pieces of text: ASCII letters of both cases, wildcard characters, escapes' targets, digits,
// 2- 3- and 4-byte UTF-8 (é, É, KELVIN SIGN which folds to k in Unicode but not in ASCII, an
// emoji beyond the BMP), and a NUL byte.
const std::vector<std::string>& alphabet() {
  static const std::vector<std::string> v = {"a",
                                             "b",
                                             "A",
                                             "B",
                                             "k",
                                             "K",
                                             "*",
                                             "?",
                                             "\\",
                                             "\"",
                                             "\n",
                                             "\t",
                                             " ",
                                             "1",
                                             "0",
                                             "5",
                                             ".",
                                             "-",
                                             "/",
                                             ":",
                                             "e",
                                             "\xC3\xA9",
                                             "\xC3\x89",
                                             "\xE2\x84\xAA",
                                             "\xF0\x9F\x98\x80",
                                             std::string(1, '\0'),
                                             "x",
                                             "true",
                                             "null"};
  return v;
}

const std::vector<std::string>& special_strings() {
  static const std::vector<std::string> v = {"",
                                             "1",
                                             "-1",
                                             "0.5",
                                             "1e3",
                                             " 12 ",
                                             "+1",
                                             "0x1F",
                                             "0X10",
                                             "ff",
                                             "inf",
                                             "NaN",
                                             "-0",
                                             "-0.0",
                                             "1.",
                                             ".5",
                                             "true",
                                             "false",
                                             "TRUE",
                                             "null",
                                             "9223372036854775807",
                                             "9223372036854775808",
                                             "-9223372036854775808",
                                             "10.0.0.1",
                                             "192.168.1.5",
                                             "::1",
                                             "fe80::1",
                                             "::ffff:10.1.2.3",
                                             "1.2.3",
                                             "a*",
                                             "*",
                                             "?",
                                             "\\",
                                             "\xC3\xA9",
                                             "a.b.c.d",
                                             "cmd.exe",
                                             "CMD.EXE",
                                             "\xE2\x84\xAA"};
  return v;
}

class QueryGen {
 public:
  explicit QueryGen(FuzzedDataProvider& p) : p_(p) {}

  bool raw_regex = false;  // a regex from raw bytes: BadRegex is allowed

  std::string query() {
    std::string head;
    switch (pick(6)) {
      case 0:
      case 1:
      case 2:
        head = "any";
        break;
      case 3:
        head = "process";
        break;
      case 4:
        head = "file";
        break;
      default:
        head = string_literal();
        break;
    }
    std::string q = head + sp() + "where" + sp() + condition(static_cast<int>(1 + pick(5)));
    const std::size_t pipes = pick(4) == 0 ? 1 + pick(2) : 0;
    for (std::size_t k = 0; k < pipes; ++k)
      q += sp() + "|" + sp() + (p_.ConsumeBool() ? "head " : "tail ") + std::to_string(pick(5));
    return q;
  }

  // Whitespace between tokens: mostly one space; sometimes line breaks, tabs or comments.
  std::string sp() {
    switch (pick(24)) {
      case 0:
        return "\n";
      case 1:
        return " \t ";
      case 2:
        return " /* c */ ";
      case 3:
        return " // c\n";
      case 4:
        return "\r\n  ";
      default:
        return " ";
    }
  }

 private:
  std::size_t pick(std::size_t n) { return p_.ConsumeIntegralInRange<std::size_t>(0, n - 1); }
  template <typename T>
  const T& one_of(const std::vector<T>& v) {
    return v[pick(v.size())];
  }

  std::string field() {
    static const std::vector<std::string> fields = {
        "a",   "b", "c.d", "c", "e",   "x.y.z", "event.category", "?a", "`a`", "c.`d`", "`c`.d",
        "x.y", "a", "c.d", "b", "num", "s"};
    return one_of(fields);
  }

  std::string int_literal() {
    switch (pick(6)) {
      case 0:
      case 1:
      case 2: {
        const int v = static_cast<int>(pick(16)) - 3;
        return v < 0 ? "(-" + std::to_string(-v) + ")" : std::to_string(v);
      }
      case 3: {
        static const std::vector<std::string> big = {"9223372036854775807",
                                                     "(-9223372036854775807 - 1)",
                                                     "9223372036854775808",
                                                     "(-9223372036854775808)",
                                                     "18446744073709551616",
                                                     "4611686018427387904",
                                                     "3037000500",
                                                     "99999999999999999999999",
                                                     "00012"};
        return one_of(big);
      }
      default: {
        const auto v = p_.ConsumeIntegral<std::int64_t>();
        if (v >= 0) return std::to_string(v);
        if (v == std::numeric_limits<std::int64_t>::min()) return "(-9223372036854775807 - 1)";
        return "(-" + std::to_string(-v) + ")";
      }
    }
  }

  std::string double_literal() {
    if (p_.ConsumeBool()) {
      static const std::vector<std::string> texts = {"0.5",
                                                     "1.0",
                                                     "1.",
                                                     ".5",
                                                     "1e3",
                                                     "1E3",
                                                     "1e+2",
                                                     "2.5e-3",
                                                     "1e20",
                                                     "1e400",
                                                     "0.0",
                                                     "(-0.0)",
                                                     "(-2.5)",
                                                     "9.2e18",
                                                     "1e-400",
                                                     "123456789.123456789",
                                                     "9223372036854775807.0"};
      return one_of(texts);
    }
    const double d = p_.ConsumeFloatingPoint<double>();
    if (!std::isfinite(d)) return "1.5";
    const std::string t = double_text(std::fabs(d));
    return std::signbit(d) ? "(-" + t + ")" : t;
  }

  std::string random_text() {
    if (pick(3) == 0) return one_of(special_strings());
    std::string s;
    const std::size_t n = pick(7);
    for (std::size_t k = 0; k < n; ++k)
      s += one_of(alphabet());
    return s;
  }

  // An EQL string literal for `s`: double-quoted with escapes, or raw (""" """) when it can be.
  std::string quote(const std::string& s) {
    const bool raw_ok = s.find_first_of("\"\r\n") == std::string::npos;
    if (raw_ok && pick(8) == 0) return "\"\"\"" + s + "\"\"\"";
    std::string out = "\"";
    for (std::size_t k = 0; k < s.size(); ++k) {
      const auto c = static_cast<unsigned char>(s[k]);
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += pick(2) ? "\\t" : "\t";
          break;
        case 0:
          out += "\\u{00}";
          break;
        case 0xC3:  // é / É as an escape sometimes
          if (k + 1 < s.size() && pick(3) == 0) {
            const auto lo = static_cast<unsigned char>(s[k + 1]);
            const unsigned cp = ((c & 0x1F) << 6) | (lo & 0x3F);
            static const char* hex = "0123456789abcdef";
            out += "\\u{0000";
            out += hex[(cp >> 4) & 15];
            out += hex[cp & 15];
            out += "}";
            ++k;
            break;
          }
          out += static_cast<char>(c);
          break;
        default:
          out += static_cast<char>(c);
      }
    }
    return out + "\"";
  }

  std::string string_literal() { return quote(random_text()); }

  std::string literal() {
    switch (pick(10)) {
      case 0:
      case 1:
        return int_literal();
      case 2:
      case 3:
        return double_literal();
      case 4:
      case 5:
      case 6:
        return string_literal();
      case 7:
        return "true";
      case 8:
        return "false";
      default:
        return "null";
    }
  }

  std::string wildcard_pattern() {
    static const std::vector<std::string> pieces = {
        "*",   "*",  "?",  "a",  "b", "A",        "B",        "*a*",
        "a*a", "?b", "\\", ".",  "1", "\xC3\xA9", "\xC3\x89", "\xE2\x84\xAA",
        "k",   " ",  "**", "*?*"};
    if (pick(6) == 0) return quote(one_of(special_strings()));
    std::string s;
    const std::size_t n = pick(9);
    for (std::size_t k = 0; k < n; ++k)
      s += one_of(pieces);
    return quote(s);
  }

  std::string regex_atom(int depth) {
    static const std::vector<std::string> atoms = {
        "a",      "b",         "A",   "B",   "1",     "\xC3\xA9", "\xC3\x89",    "\\.",
        "\\*",    "\\\\",      " ",   "k",   ".",     "[ab]",     "[^a]",        "[a-c]",
        "[0-9]",  "\\d",       "\\w", "\\s", "[A-Z]", "\\p{L}",   "[[:alpha:]]", "\\x{e9}",
        "(?i:a)", "\\Qa.b\\E", "^",   "$",   "\\b",   "\\pL",     "\\PN"};
    if (depth > 0 && pick(5) == 0) {
      std::string inner = regex(depth - 1);
      if (p_.ConsumeBool()) inner += "|" + regex(depth - 1);
      return (p_.ConsumeBool() ? "(" : "(?:") + inner + ")";
    }
    return one_of(atoms);
  }

  std::string regex(int depth) {
    static const std::vector<std::string> quantifiers = {"",  "",      "",    "*",  "+",
                                                         "?", "{1,2}", "{0}", "*?", "{2}"};
    std::string s;
    const std::size_t n = 1 + pick(4);
    for (std::size_t k = 0; k < n; ++k)
      s += regex_atom(depth) + one_of(quantifiers);
    return s;
  }

  std::string regex_pattern() {
    if (pick(12) == 0) {
      raw_regex = true;
      return quote(p_.ConsumeRandomLengthString(16));
    }
    return quote(regex(2));
  }

  // An IPv4-mapped IPv6 block may not have a /prefix (a compile error, as in Elasticsearch):
  // only the bare address is generated.
  std::string cidr() {
    static const std::vector<std::string> fixed = {
        "10.0.0.0/8", "192.168.0.0/16", "::1/128",       "fe80::/10",   "0.0.0.0/0",
        "10.1.2.3",   "::/0",           "2001:db8::/32", "10.1.2.3/32", "::ffff:10.1.2.3"};
    if (p_.ConsumeBool()) return "\"" + one_of(fixed) + "\"";
    std::string s;
    for (int k = 0; k < 4; ++k)
      s += (k ? "." : "") + std::to_string(p_.ConsumeIntegral<std::uint8_t>());
    return "\"" + s + "/" + std::to_string(pick(33)) + "\"";
  }

  std::string call(int depth) {
    auto v = [&] { return value(depth - 1); };
    auto name = [&](std::string n) {
      switch (pick(5)) {
        case 0:
          for (char& c : n)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
          break;
        case 1:
          for (char& c : n)
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
          break;
        default:
          break;
      }
      return n;
    };
    auto tilde = [&] { return p_.ConsumeBool() ? std::string("~") : std::string(); };
    auto small = [&] {
      const int k = static_cast<int>(pick(13)) - 6;
      return k < 0 ? "(-" + std::to_string(-k) + ")" : std::to_string(k);
    };
    auto args = [&](std::vector<std::string> a) {
      std::string s = "(";
      for (std::size_t k = 0; k < a.size(); ++k)
        s += (k ? "," + sp() : std::string()) + a[k];
      return s + ")";
    };
    switch (pick(16)) {
      case 0:
        return name("add") + args({v(), v()});
      case 1:
        return name("subtract") + args({v(), v()});
      case 2:
        return name("multiply") + args({v(), v()});
      case 3:
        return name("divide") + args({v(), v()});
      case 4:
        return name("modulo") + args({v(), v()});
      case 5: {
        std::vector<std::string> a = {v(), v(), v()};
        if (p_.ConsumeBool()) a.push_back(p_.ConsumeBool() ? "true" : "false");
        return name("between") + tilde() + args(a);
      }
      case 6: {
        std::vector<std::string> a = {v()};
        const std::size_t n = 1 + pick(3);
        for (std::size_t k = 0; k < n; ++k)
          a.push_back(cidr());
        return name("cidrMatch") + args(a);
      }
      case 7: {
        std::vector<std::string> a = {v()};
        const std::size_t n = pick(4);
        for (std::size_t k = 0; k < n; ++k)
          a.push_back(v());
        return name("concat") + args(a);
      }
      case 8:
        return name("endsWith") + tilde() + args({v(), v()});
      case 9:
        return name("startsWith") + tilde() + args({v(), v()});
      case 10:
        return name("stringContains") + tilde() + args({v(), v()});
      case 11: {
        std::vector<std::string> a = {v(), v()};
        if (p_.ConsumeBool()) a.push_back(p_.ConsumeBool() ? small() : v());
        return name("indexOf") + tilde() + args(a);
      }
      case 12:
        return name("length") + args({v()});
      case 13: {
        std::vector<std::string> a = {v()};
        if (p_.ConsumeBool()) {
          static const std::vector<std::string> bases = {"2", "8", "10", "16", "36", "null"};
          a.push_back(one_of(bases));
        }
        return name("number") + args(a);
      }
      case 14:
        return name("string") + args({v()});
      default: {
        std::vector<std::string> a = {v(), p_.ConsumeBool() ? small() : v()};
        if (p_.ConsumeBool()) a.push_back(p_.ConsumeBool() ? small() : v());
        return name("substring") + args(a);
      }
    }
  }

  // A primary (P8): field, literal, call, or a parenthesised value or condition.
  std::string primary(int depth) {
    const std::size_t r = pick(100);
    if (depth <= 0 || r < 40) return field();
    if (r < 60) return literal();
    if (r < 80) return call(depth);
    if (r < 85) return "(" + condition(depth - 1) + ")";
    return "(" + value(depth - 1) + ")";
  }

  std::string value(int depth) {
    const std::size_t r = pick(100);
    if (depth <= 0 || r < 65) return primary(depth);
    if (r < 75) return "(-" + value(depth - 1) + ")";
    if (r < 78) return "(+" + value(depth - 1) + ")";
    static const std::vector<std::string> ops = {"+", "-", "*", "/", "%"};
    // a chain of the same precedence level, parenthesised as a whole
    std::string s = "(" + value(depth - 1);
    const std::size_t n = 1 + pick(3);
    for (std::size_t k = 0; k < n; ++k)
      s += sp() + one_of(ops) + sp() + value(depth - 1);
    return s + ")";
  }

  std::string list(int depth, bool patterns, bool regexes) {
    const std::size_t n = 1 + pick(6);
    if (patterns && n == 1 && p_.ConsumeBool())
      return regexes ? regex_pattern() : wildcard_pattern();
    std::string s = "(";
    for (std::size_t k = 0; k < n; ++k) {
      if (k) s += "," + sp();
      if (patterns)
        s += regexes ? regex_pattern() : wildcard_pattern();
      else
        s += pick(5) ? literal() : value(depth - 1);
    }
    return s + ")";
  }

  std::string condition(int depth) {
    const std::size_t r = pick(100);
    if (depth > 0 && r < 10) return "not" + sp() + condition(depth - 1);
    if (depth > 0 && r < 25) {
      std::string s = "(" + condition(depth - 1);
      const std::size_t n = 1 + pick(3);
      for (std::size_t k = 0; k < n; ++k)
        s += sp() + (p_.ConsumeBool() ? "and" : "or") + sp() + condition(depth - 1);
      return s + ")";
    }
    const int sub = depth > 0 ? depth - 1 : 0;
    if (r < 33) return value(depth);  // a bare value as a condition
    if (r < 60) {
      static const std::vector<std::string> ops = {"==", "!=", "<", "<=", ">", ">="};
      const std::string lhs = value(sub);
      const std::string rhs = pick(3) ? literal() : value(sub);
      return "(" + lhs + sp() + one_of(ops) + sp() + rhs + ")";
    }
    const std::string lhs = pick(10) ? primary(sub) : literal();
    if (r < 75) {
      static const std::vector<std::string> kinds = {"in", "not in", "in~", "not in~"};
      return "(" + lhs + sp() + one_of(kinds) + sp() + list(sub + 1, false, false) + ")";
    }
    static const std::vector<std::string> kinds = {":", "like", "like~", "regex", "regex~"};
    const std::size_t k = pick(kinds.size());
    const std::string m = "(" + lhs + sp() + kinds[k] + sp() + list(sub + 1, true, k >= 3) + ")";
    return pick(6) ? m : "(not" + sp() + m + ")";
  }

  FuzzedDataProvider& p_;
};

class EventGen {
 public:
  explicit EventGen(FuzzedDataProvider& p) : p_(p) {}

  Json event() {
    Json root = object();
    if (pick(3)) add_category(root);
    for (const char* name : {"a", "b", "num", "s"})
      if (pick(4)) add(root, name, field_value(true));
    switch (pick(7)) {  // c.d: nested, dotted, both (merged), an array of objects, c a scalar
      case 0:
        break;
      case 1:
        add(root, "c", with("d", field_value(false)));
        break;
      case 2:
        add(root, "c.d", field_value(false));
        break;
      case 3:
        add(root, "c.d", field_value(false));
        add(root, "c", with("d", field_value(false)));
        break;
      case 4: {
        Json arr = array();
        const std::size_t n = 1 + pick(3);
        for (std::size_t k = 0; k < n; ++k)
          arr.items.push_back(with("d", field_value(false)));
        add(root, "c", std::move(arr));
        break;
      }
      case 5:
        add(root, "c", scalar());
        break;
      default: {
        Json c = with("d", field_value(false));
        add(c, "x", scalar());
        add(root, "c", std::move(c));
      }
    }
    if (pick(3) == 0) add(root, "x", with("y", with("z", field_value(true))));
    if (pick(4) == 0) add(root, "x.y", field_value(false));
    return root;
  }

 private:
  std::size_t pick(std::size_t n) { return p_.ConsumeIntegralInRange<std::size_t>(0, n - 1); }

  static Json object() {
    Json j;
    j.kind = Json::Kind::Object;
    return j;
  }
  static Json array() {
    Json j;
    j.kind = Json::Kind::Array;
    return j;
  }
  static void add(Json& obj, std::string key, Json v) {
    obj.keys.push_back(std::move(key));
    obj.items.push_back(std::move(v));
  }
  static Json with(std::string key, Json v) {
    Json o = object();
    add(o, std::move(key), std::move(v));
    return o;
  }
  static Json str(std::string s) {
    Json j;
    j.kind = Json::Kind::String;
    j.s = std::move(s);
    return j;
  }

  void add_category(Json& root) {
    static const std::vector<std::string> cats = {"process", "file", "Process", "", "my-cat"};
    Json cat = str(cats[pick(cats.size())]);
    if (pick(4) == 0) {
      Json arr = array();
      arr.items.push_back(std::move(cat));
      arr.items.push_back(str(cats[pick(cats.size())]));
      cat = std::move(arr);
    }
    if (p_.ConsumeBool())
      add(root, "event.category", std::move(cat));
    else
      add(root, "event", with("category", std::move(cat)));
  }

  std::string text() {
    if (pick(3) == 0) return special_strings()[pick(special_strings().size())];
    std::string s;
    const std::size_t n = pick(7);
    for (std::size_t k = 0; k < n; ++k)
      s += alphabet()[pick(alphabet().size())];
    return s;
  }

  Json scalar() {
    Json j;
    switch (pick(10)) {
      case 0:
        j.kind = Json::Kind::Bool;
        j.b = p_.ConsumeBool();
        break;
      case 1:
        j.kind = Json::Kind::Int;
        j.i = static_cast<std::int64_t>(pick(16)) - 3;
        break;
      case 2:
        j.kind = Json::Kind::Int;
        j.i = p_.ConsumeIntegral<std::int64_t>();
        break;
      case 3: {
        j.kind = Json::Kind::Double;
        static const std::vector<double> ds = {0.5, -0.0, 0.0,    1.0,    1.5,   -2.5,
                                               1e3, 1e20, 2.5e-3, 9.2e18, 1e300, 5e-324};
        j.d = ds[pick(ds.size())];
        break;
      }
      case 4: {
        j.kind = Json::Kind::Double;
        j.d = p_.ConsumeFloatingPoint<double>();
        if (!std::isfinite(j.d)) j.d = 2.0;
        break;
      }
      case 5: {  // integers beyond int64 read as doubles (E3)
        static const std::vector<std::string> big = {"9223372036854775808", "18446744073709551615",
                                                     "100000000000000000000",
                                                     "-9223372036854775809"};
        j.kind = Json::Kind::Double;
        j.s = big[pick(big.size())];
        j.d = std::strtod(j.s.c_str(), nullptr);
        break;
      }
      default:
        j = str(text());
    }
    return j;
  }

  Json field_value(bool nested_arrays) {
    const std::size_t r = pick(100);
    if (r < 8) return Json{};
    if (r < 60) return scalar();
    Json arr = array();
    const std::size_t n = pick(5);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t e = pick(20);
      if (e == 0) {
        arr.items.emplace_back();  // null
      } else if (e == 1 && nested_arrays) {
        Json inner = array();
        inner.items.push_back(scalar());
        inner.items.push_back(scalar());
        arr.items.push_back(std::move(inner));
      } else {
        arr.items.push_back(scalar());
      }
    }
    return arr;
  }

  FuzzedDataProvider& p_;
};

std::uint64_t fnv1a(const std::uint8_t* data, std::size_t size) {
  std::uint64_t h = 14695981039346656037ull;
  for (std::size_t i = 0; i < size; ++i) {
    h ^= data[i];
    h *= 1099511628211ull;
  }
  return h;
}

// FlatEvents are held by pointer: a copied FlatEvent's strings would still view the original's
// storage (its implicit copy constructor copies the views), and a vector may copy on growth.
struct Case {
  std::string query;
  std::vector<std::string> json;
  std::vector<std::unique_ptr<eqlite::FlatEvent>> flat;
  bool allow_bad_regex = false;
  bool allow_unsupported = false;
};

void check(const Case& c) {
  const std::string& text = c.query;
  auto parsed = eqlite::internal::parse(text);
  FUZZ_CHECK(parsed.ok(), "a generated query does not parse: \"" + printable(text) + "\"\n" +
                              (parsed ? std::string() : parsed.error().format(text)));
  auto q = eqlite::compile(text);
  if (!q) {
    const auto code = q.error().code;
    if (code == eqlite::ErrorCode::BadRegex && c.allow_bad_regex) return;
    if (code == eqlite::ErrorCode::Unsupported && c.allow_unsupported) return;
    FUZZ_CHECK(false, "a generated query does not compile: \"" + printable(text) + "\"\n" +
                          q.error().format(text));
  }
  static eqlite::Vm vm;
  static eqlite::Event event;
  eqlite::JsonReader reader(*q);
  std::optional<eqlite::RuleSet> rules;
  std::optional<eqlite::RuleSetMatcher> matcher;
  if (q->pipes().empty()) {
    rules.emplace();
    auto id = rules->add("q", text);
    FUZZ_CHECK(id.ok(), "RuleSet::add rejects a query compile() takes: \"" + printable(text) +
                            "\"\n" + (id ? std::string() : id.error().format(text)));
    matcher.emplace(*rules);
  }
  std::vector<std::size_t> ids;
  for (std::size_t k = 0; k < c.json.size(); ++k) {
    const std::string detail = "query: " + printable(text) + "\nast:   " + q->dump_ast() +
                               "\nevent: " + printable(c.json[k]);
    const bool got = vm.matches(*q, *c.flat[k]);
    const bool ref = eqlite::testing::reference_matches(*parsed, *c.flat[k]);
    FUZZ_CHECK(got == ref, detail + "\nVM: " + (got ? "true" : "false") +
                               ", reference interpreter: " + (ref ? "true" : "false"));
    auto ok = reader.read(c.json[k], event);
    FUZZ_CHECK(ok.ok(), detail + "\nthe generated event does not read: " + ok.error().message);
    const bool got_json = vm.matches(*q, event);
    FUZZ_CHECK(got_json == got, detail + "\nFlatEvent: " + (got ? "true" : "false") +
                                    ", JsonReader event: " + (got_json ? "true" : "false"));
    if (matcher) {
      const bool read = matcher->match_json(c.json[k], ids).ok();
      FUZZ_CHECK(read && ids.size() == (got ? 1u : 0u),
                 detail + "\nVM: " + (got ? "true" : "false") + ", RuleSet: " +
                     (ids.empty() ? "false" : "true") + "\nindex:\n" + rules->describe_index());
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInput) return 0;
  Case c;
  if (data[0] % 4 == 0) {
    eqlite::difftest::Generator gen(fnv1a(data + 1, size - 1));
    c.query = gen.query();
    c.allow_unsupported = true;
    for (int k = 0; k < 4; ++k) {
      eqlite::difftest::GeneratedEvent ev;
      gen.event(ev);
      c.json.push_back(ev.json);
      // Moved, not copied: the moved deque keeps its strings where the views point.
      c.flat.push_back(std::make_unique<eqlite::FlatEvent>(std::move(ev.flat)));
    }
  } else {
    FuzzedDataProvider p(data + 1, size - 1);
    QueryGen qg(p);
    c.query = qg.query();
    c.allow_bad_regex = qg.raw_regex;
    EventGen eg(p);
    const std::size_t n = 1 + p.ConsumeIntegralInRange<std::size_t>(0, 2);
    for (std::size_t k = 0; k < n; ++k) {
      const Json e = eg.event();
      std::string text;
      e.write(text);
      auto flat = std::make_unique<eqlite::FlatEvent>();
      e.flatten("", *flat);
      c.json.push_back(std::move(text));
      c.flat.push_back(std::move(flat));
    }
  }
  static const bool print = std::getenv("EQLITE_FUZZ_PRINT") != nullptr;
  if (print) {
    std::fprintf(stderr, "query: %s\n", printable(c.query).c_str());
    for (const auto& j : c.json)
      std::fprintf(stderr, "event: %s\n", printable(j).c_str());
  }
  check(c);
  return 0;
}
