// tests/differential/generator.cpp — see the header.
#include "differential/generator.hpp"

#include <charconv>
#include <cstdio>
#include <utility>

namespace eqlite::difftest {

// ---- text helpers
// --------------------------------------------------------------------------------

namespace {

// An EQL double-quoted string literal (P3); also a valid JSON string for the generated text.
std::string eql_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
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
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

const std::vector<std::string>& special_strings() {
  // clang-format off
  static const std::vector<std::string> v = {
      "", "1", "1.0", "-1", "0.5", "1e3", "10", "5", " 1", "+1", "0x10", "inf", "nan", "-0",
      "-0.0", "1.", ".5", "true", "false", "TRUE", "True", "null", "0", "2",
      "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1E3", "1e", "0.50",
      "a*", "*", "?", "\\", "a\\b", "é", "É", "aé", "\n", "a\nb", "ab", "AB", "Ab", "ba", "abab",
      "b.a", "10.0.0.1", "192.168.1.5", "::1", "fe80::1", "::ffff:10.1.2.3", "1.2.3", "ff",
      " 12 ", "-5", "0x1F", "101", "\u212a", "\u212ab", "K"};
  // clang-format on
  return v;
}

}  // namespace

// ---- JSON events
// -----------------------------------------------------------------------------------

std::string Generator::random_string(bool for_event) {
  if (chance(0.35)) return one_of(special_strings());
  static const std::vector<std::string> alphabet = {"a", "b", "A", "B", "*",  "?",
                                                    "é", "É", "1", ".", "\\", " "};
  static const std::vector<std::string> event_alphabet = {"a", "b", "A", "B", "é", "É", "1", "*"};
  std::string s;
  const std::size_t n = pick(5);
  for (std::size_t k = 0; k < n; ++k)
    s += for_event ? one_of(event_alphabet) : one_of(alphabet);
  return s;
}

Generator::Json Generator::scalar() {
  Json j;
  switch (pick(10)) {
    case 0:
      j.kind = Json::Kind::Bool;
      j.b = chance(0.5);
      break;
    case 1:
    case 2: {
      j.kind = Json::Kind::Int;
      // clang-format off
      static const std::vector<std::int64_t> ints = {
          0, 1, -1, 2, 3, 5, 10, -7, 100, 9223372036854775807, -9223372036854775807 - 1,
          9223372036854775806, 4611686018427387904, 3037000500};
      // clang-format on
      j.i = chance(0.5) ? static_cast<std::int64_t>(pick(12)) - 2 : one_of(ints);
      break;
    }
    case 3:
    case 4: {
      j.kind = Json::Kind::Double;
      // clang-format off
      static const std::vector<double> doubles = {
          0.5, -0.0, 0.0, 1.0, 1.5, -2.5, 1e3, 1e20, 2.5e-3, 10.0, 9.2e18, -0.5,
          9223372036854775808.0, -9223372036854775808.0};
      // clang-format on
      j.d = one_of(doubles);
      break;
    }
    default:
      j.kind = Json::Kind::String;
      j.s = random_string(true);
      break;
  }
  return j;
}

// A field's value: null, a scalar, an empty array, or an array of 1-3 scalars (rarely with a
// null or a nested array); with allow_objects, sometimes an array of objects {"d": ...}.
Generator::Json Generator::field_value(bool allow_objects) {
  const std::size_t r = pick(100);
  if (r < 10) return Json{};
  if (r < 60) return scalar();
  if (r < 63) return Json::array();
  Json arr = Json::array();
  const std::size_t n = 1 + pick(3);
  for (std::size_t k = 0; k < n; ++k) {
    if (chance(0.05)) {
      arr.items.push_back(Json{});
    } else if (chance(0.05)) {
      Json inner = Json::array();
      inner.items.push_back(scalar());
      inner.items.push_back(scalar());
      arr.items.push_back(std::move(inner));
    } else {
      arr.items.push_back(scalar());
    }
  }
  if (allow_objects && chance(0.3)) {
    // an array of objects: {"d": <item>} for each item
    Json objs = Json::array();
    for (auto& item : arr.items) {
      Json o = Json::object();
      o.add("d", std::move(item));
      objs.items.push_back(std::move(o));
    }
    return objs;
  }
  return arr;
}

void Generator::event(GeneratedEvent& out) {
  Json root = Json::object();
  // event.category (P1)
  switch (pick(8)) {
    case 0:
    case 1:
    case 2:
      break;  // absent
    default: {
      static const std::vector<std::string> cats = {"process", "file", "Process", "my-cat"};
      Json cat;
      if (chance(0.2)) {
        cat = Json::array();
        cat.items.push_back(Json::string(one_of(cats)));
        cat.items.push_back(Json::string(one_of(cats)));
      } else {
        cat.kind = Json::Kind::String;
        cat.s = one_of(cats);
      }
      if (chance(0.5)) {
        root.add("event.category", std::move(cat));
      } else {
        Json ev = Json::object();
        ev.add("category", std::move(cat));
        root.add("event", std::move(ev));
      }
    }
  }
  for (const char* name : {"a", "b"}) {
    if (chance(0.2)) continue;  // absent
    root.add(name, field_value(false));
  }
  // c.d: absent, {"c":{"d":X}}, {"c.d":X}, {"c":[{"d":X},...]}, both forms (merged), or c a
  // scalar.
  switch (pick(7)) {
    case 0:
      break;
    case 1: {
      Json c = Json::object();
      c.add("d", field_value(false));
      root.add("c", std::move(c));
      break;
    }
    case 2:
      root.add("c.d", field_value(false));
      break;
    case 3: {
      Json v = field_value(true);
      if (v.kind == Json::Kind::Array && !v.items.empty() &&
          v.items[0].kind == Json::Kind::Object) {
        root.add("c", std::move(v));
      } else {
        Json c = Json::object();
        c.add("d", std::move(v));
        root.add("c", std::move(c));
      }
      break;
    }
    case 4: {
      root.add("c.d", scalar());
      Json c = Json::object();
      c.add("d", field_value(false));
      root.add("c", std::move(c));
      break;
    }
    case 5:
      root.add("c", scalar());
      break;
    default: {
      Json c = Json::object();
      c.add("d", scalar());
      c.add("x", scalar());
      root.add("c", std::move(c));
      break;
    }
  }
  out.flat.clear();
  root.flatten("", out.flat);
  out.json = root.text();
}

// ---- queries
// ---------------------------------------------------------------------------------------

std::string Generator::field() {
  switch (pick(14)) {
    case 0:
    case 1:
    case 2:
      return "a";
    case 3:
    case 4:
      return "b";
    case 5:
    case 6:
    case 7:
      return "c.d";
    case 8:
      return "c";
    case 9:
      return "e";  // never in an event
    case 10:
      return "?a";
    case 11:
      return "`a`";
    case 12:
      return "c.`d`";
    default:
      return "event.category";
  }
}

std::string Generator::string_literal_text() {
  return eql_quote(random_string(false));
}

std::string Generator::literal() {
  switch (pick(12)) {
    case 0:
    case 1: {
      const int v = static_cast<int>(pick(13)) - 3;
      return v < 0 ? "(-" + std::to_string(-v) + ")" : std::to_string(v);
    }
    case 2: {
      static const std::vector<std::string> big = {
          "9223372036854775807",    "(-9223372036854775807 - 1)",
          "(-9223372036854775807)", "9223372036854775806",
          "4611686018427387904",    "3037000500",
          "9223372036854775808",    "(-9223372036854775808)",
          "18446744073709551616",   "100"};
      return one_of(big);
    }
    case 3:
    case 4: {
      static const std::vector<std::string> doubles = {
          "0.5",    "(-0.0)", "0.0", "1.0", "1.5",  "(-2.5)", "1e3",    "1E3",
          "2.5e-3", "1e20",   "1.",  ".5",  "10.0", "(-0.5)", "9.2e18", "1e400"};
      return one_of(doubles);
    }
    case 5:
    case 6:
    case 7:
    case 8:
      return string_literal_text();
    case 9:
      return "true";
    case 10:
      return "false";
    default:
      return "null";
  }
}

std::string Generator::call(int depth) {
  auto v = [&] { return value(depth - 1); };
  auto cased = [&](const std::string& name) {
    switch (pick(6)) {
      case 0: {
        std::string s = name;
        for (char& c : s)
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return s;
      }
      case 1: {
        std::string s = name;
        for (char& c : s)
          if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        return s;
      }
      default:
        return name;
    }
  };
  auto tilde = [&] { return chance(0.4) ? std::string("~") : std::string(); };
  auto small_int = [&] {
    const int k = static_cast<int>(pick(9)) - 4;
    return k < 0 ? "(-" + std::to_string(-k) + ")" : std::to_string(k);
  };
  switch (pick(16)) {
    case 0:
      return cased("add") + "(" + v() + ", " + v() + ")";
    case 1:
      return cased("subtract") + "(" + v() + ", " + v() + ")";
    case 2:
      return cased("multiply") + "(" + v() + ", " + v() + ")";
    case 3:
      return cased("divide") + "(" + v() + ", " + v() + ")";
    case 4:
      return cased("modulo") + "(" + v() + ", " + v() + ")";
    case 5: {
      std::string s = cased("between") + tilde() + "(" + v() + ", " + v() + ", " + v();
      if (chance(0.5)) s += chance(0.5) ? ", true" : ", false";
      return s + ")";
    }
    case 6: {
      static const std::vector<std::string> cidrs = {
          "\"10.0.0.0/8\"", "\"192.168.0.0/16\"", "\"::1/128\"",    "\"fe80::/10\"",
          "\"0.0.0.0/0\"",  "\"10.1.2.3/32\"",    "\"10.1.0.0/16\""};
      std::string s = cased("cidrMatch") + "(" + v();
      const std::size_t n = 1 + pick(2);
      for (std::size_t k = 0; k < n; ++k)
        s += ", " + one_of(cidrs);
      return s + ")";
    }
    case 7: {
      std::string s = cased("concat") + "(" + v();
      const std::size_t n = pick(3);
      for (std::size_t k = 0; k < n; ++k)
        s += ", " + v();
      return s + ")";
    }
    case 8:
      return cased("endsWith") + tilde() + "(" + v() + ", " + v() + ")";
    case 9:
      return cased("startsWith") + tilde() + "(" + v() + ", " + v() + ")";
    case 10:
      return cased("stringContains") + tilde() + "(" + v() + ", " + v() + ")";
    case 11: {
      std::string s = cased("indexOf") + tilde() + "(" + v() + ", " + v();
      if (chance(0.5)) s += ", " + (chance(0.8) ? small_int() : v());
      return s + ")";
    }
    case 12:
      return cased("length") + "(" + v() + ")";
    case 13: {
      std::string s = cased("number") + "(" + v();
      if (chance(0.4)) {
        static const std::vector<std::string> bases = {"2", "8", "10", "16", "null"};
        s += ", " + one_of(bases);
      }
      return s + ")";
    }
    case 14:
      return cased("string") + "(" + v() + ")";
    default: {
      std::string s = cased("substring") + "(" + v() + ", " + (chance(0.8) ? small_int() : v());
      if (chance(0.6)) s += ", " + (chance(0.8) ? small_int() : v());
      return s + ")";
    }
  }
}

// A primary (P8): a field, a literal, a call, or a parenthesised expression.
std::string Generator::primary(int depth) {
  const std::size_t r = pick(100);
  if (depth <= 0 || r < 45) return field();
  if (r < 62) return literal();
  if (r < 77) return call(depth);
  if (r < 80) return "(" + condition(depth - 1) + ")";  // a predicate's boolean as a value
  return "(" + value(depth - 1) + ")";
}

// A value expression, fully parenthesised where precedence could matter.
std::string Generator::value(int depth) {
  const std::size_t r = pick(100);
  if (depth <= 0 || r < 70) return primary(depth);
  if (r < 78) return "(-" + value(depth - 1) + ")";
  static const std::vector<std::string> ops = {"+", "-", "*", "/", "%"};
  return "(" + value(depth - 1) + " " + one_of(ops) + " " + value(depth - 1) + ")";
}

std::string Generator::wildcard_pattern() {
  if (chance(0.2)) return eql_quote(one_of(special_strings()));
  static const std::vector<std::string> alphabet = {"a", "b", "A", "B", "é", "É",  "1",
                                                    "*", "*", "?", "?", ".", "\\", "t"};
  std::string s;
  const std::size_t n = pick(5);
  for (std::size_t k = 0; k < n; ++k)
    s += one_of(alphabet);
  return eql_quote(s);
}

std::string Generator::regex_atom(int depth) {
  static const std::vector<std::string> chars = {"a",   "b",   "A",   "B",    "1", "é", "É",
                                                 "\\.", "\\*", "\\?", "\\\\", " ", "e", "t"};
  static const std::vector<std::string> classes = {"[ab]", "[^a]",  "[a-c]", "[0-9]", "\\d",
                                                   "[Aé]", "[A-Z]", "\\w",   "\\s",   "[.]"};
  const std::size_t r = pick(100);
  if (r < 55) return one_of(chars);
  if (r < 70) return ".";
  if (r < 85 || depth <= 0) return one_of(classes);
  std::string inner = regex(depth - 1);
  if (chance(0.6)) inner += "|" + regex(depth - 1);
  return "(" + inner + ")";
}

std::string Generator::regex(int depth) {
  static const std::vector<std::string> quantifiers = {"", "", "", "*", "+", "?", "{1,2}", "{0}"};
  std::string s;
  const std::size_t n = 1 + pick(3);
  for (std::size_t k = 0; k < n; ++k)
    s += regex_atom(depth) + one_of(quantifiers);
  return s;
}

std::string Generator::condition(int depth) {
  const std::size_t r = pick(100);
  if (depth > 0 && r < 10) return "not " + condition(depth - 1);
  if (depth > 0 && r < 25) {
    std::string s = "(" + condition(depth - 1);
    const std::size_t n = 1 + pick(2);
    for (std::size_t k = 0; k < n; ++k)
      s += (chance(0.5) ? " and " : " or ") + condition(depth - 1);
    return s + ")";
  }
  if (r < 32) return value(depth);  // a bare field, literal, arithmetic, call
  const int sub = std::max(depth - 1, 0);
  if (r < 62) {
    static const std::vector<std::string> ops = {"==", "!=", "<", "<=", ">", ">="};
    std::string lhs = value(sub);
    std::string rhs = chance(0.7) ? literal() : value(sub);
    if (chance(0.1)) std::swap(lhs, rhs);
    return "(" + lhs + " " + one_of(ops) + " " + rhs + ")";
  }
  const std::string lhs = chance(0.9) ? primary(sub) : literal();
  if (r < 77) {
    static const std::vector<std::string> kinds = {" in ", " not in ", " in~ ", " not in~ "};
    std::string s = "(" + lhs + one_of(kinds) + "(";
    const std::size_t n = 1 + pick(4);
    for (std::size_t k = 0; k < n; ++k)
      s += (k ? ", " : "") + (chance(0.85) ? literal() : value(sub));
    return s + "))";
  }
  std::string kind;
  bool is_regex = false;
  switch (pick(5)) {
    case 0:
      kind = " : ";
      break;
    case 1:
      kind = " like ";
      break;
    case 2:
      kind = " like~ ";
      break;
    case 3:
      kind = " regex ";
      is_regex = true;
      break;
    default:
      kind = " regex~ ";
      is_regex = true;  // non-ASCII too: regex~ folds ASCII letters only (S5)
      break;
  }
  auto pattern = [&] { return is_regex ? eql_quote(regex(2)) : wildcard_pattern(); };
  const std::string neg = chance(0.15) ? "not " : "";
  if (chance(0.5)) return "(" + neg + "(" + lhs + kind + pattern() + "))";
  std::string s = "(" + neg + "(" + lhs + kind + "(";
  const std::size_t n = 1 + pick(3);
  for (std::size_t k = 0; k < n; ++k)
    s += (k ? ", " : "") + pattern();
  return s + ")))";
}

std::string Generator::query() {
  std::string head;
  switch (pick(10)) {
    case 0:
      head = "process where ";
      break;
    case 1:
      head = "file where ";
      break;
    case 2:
      head = "\"my-cat\" where ";
      break;
    default:
      head = "any where ";
  }
  return head + condition(static_cast<int>(1 + pick(4)));
}

}  // namespace eqlite::difftest
