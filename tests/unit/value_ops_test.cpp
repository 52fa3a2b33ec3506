// tests/unit/value_ops_test.cpp — the value semantics: S8 coercion, S9 arithmetic, S5 folding,
// S6 wildcards.
#include <re2/re2.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <limits>
#include <optional>
#include <set>
#include <string>

#include "eval/matchers.hpp"
#include "eval/result_memo.hpp"
#include "eval/value_ops.hpp"
#include "support/xorshift.hpp"

using eqlite::Value;
using namespace eqlite::internal;

namespace {
bool cmp(Value x, Value y, CmpOp op = CmpOp::Eq, bool literal = true, bool ci = false) {
  std::string scratch;
  return compare(x, y, op, literal, ci, scratch);
}
}  // namespace

TEST_CASE("S8: a literal converts to the field value's type", "[value_ops]") {
  CHECK(cmp(Value::integer(0), Value::string("0")));  // error_code == "0"
  CHECK(cmp(Value::integer(4624), Value::string("4624")));
  CHECK_FALSE(cmp(Value::integer(0), Value::string("zero")));
  CHECK(cmp(Value::string("4624"), Value::integer(4624)));  // keyword field vs number
  CHECK_FALSE(cmp(Value::string("04624"), Value::integer(4624)));
  CHECK(cmp(Value::string("1.5"), Value::number(1.5)));
  CHECK(cmp(Value::integer(1), Value::number(1.0)));  // 1 == 1.0
  CHECK(cmp(Value::number(2.5), Value::string("2.5")));
  CHECK(cmp(Value::boolean(true), Value::string("true")));
  CHECK(cmp(Value::string("false"), Value::boolean(false)));
  CHECK_FALSE(cmp(Value::boolean(true), Value::integer(1)));
  CHECK_FALSE(cmp(Value::integer(1), Value::boolean(true)));
  // without a literal only numbers mix
  CHECK_FALSE(cmp(Value::integer(0), Value::string("0"), CmpOp::Eq, false));
  CHECK(cmp(Value::integer(1), Value::number(1.0), CmpOp::Eq, false));
  // ordering: numbers numerically, strings by bytes ("10" < "5")
  CHECK(cmp(Value::string("10"), Value::string("5"), CmpOp::Lt));
  CHECK(cmp(Value::integer(10), Value::string("5"), CmpOp::Gt));         // numeric field
  CHECK(cmp(Value::string("10"), Value::integer(5), CmpOp::Lt));         // keyword field
  CHECK(cmp(Value::string("a"), Value::string("\xC3\xA9"), CmpOp::Lt));  // bytes, unsigned
  CHECK(cmp(Value::string("Z"), Value::string("a"), CmpOp::Lt));
  // S2: null
  CHECK(cmp(Value::null(), Value::null()));                          // x == null (the literal)
  CHECK_FALSE(cmp(Value::null(), Value::null(), CmpOp::Eq, false));  // two computed nulls
  CHECK_FALSE(cmp(Value::null(), Value::integer(0)));
  CHECK_FALSE(cmp(Value::null(), Value::null(), CmpOp::Le));
  // S5: ci folds ASCII only
  CHECK(cmp(Value::string("CMD.exe"), Value::string("cmd.EXE"), CmpOp::Eq, true, true));
  CHECK_FALSE(cmp(Value::string("\xC3\x89"), Value::string("\xC3\xA9"), CmpOp::Eq, true, true));
}

TEST_CASE("parse_number accepts JSON numbers only", "[value_ops]") {
  Value v;
  CHECK(parse_number("0", v));
  CHECK(v.kind() == eqlite::ValueKind::Int);
  CHECK(parse_number("-12", v));
  CHECK(v.as_int() == -12);
  CHECK(parse_number("1.5e3", v));
  CHECK(v.as_double() == 1500.0);
  CHECK(parse_number("9223372036854775808", v));
  CHECK(v.kind() == eqlite::ValueKind::Double);
  for (const char* bad : {"", "-", "+1", " 1", "1 ", "0x10", "inf", "nan", "1a", "abc"}) {
    INFO(bad);
    CHECK_FALSE(parse_number(bad, v));
  }
}

TEST_CASE("text_of gives the JSON text of scalars", "[value_ops]") {
  std::string buf;
  std::string_view t;
  REQUIRE(text_of(Value::integer(-42), buf, t));
  CHECK(t == "-42");
  REQUIRE(text_of(Value::number(1.5), buf, t));
  CHECK(t == "1.5");
  REQUIRE(text_of(Value::number(2.0), buf, t));
  CHECK(t == "2.0");
  REQUIRE(text_of(Value::boolean(false), buf, t));
  CHECK(t == "false");
  CHECK_FALSE(text_of(Value::null(), buf, t));
}

TEST_CASE("S9: Java arithmetic, null instead of exceptions", "[value_ops]") {
  const auto i = [](std::int64_t x) { return Value::integer(x); };
  CHECK(arith_div(i(7), i(2)).as_int() == 3);
  CHECK(arith_div(i(-7), i(2)).as_int() == -3);  // truncates toward zero
  CHECK(arith_mod(i(10), i(-6)).as_int() == 4);  // sign of the dividend
  CHECK(arith_mod(i(-10), i(-6)).as_int() == -4);
  CHECK(arith_mod(Value::number(10), Value::number(0.5)).as_double() == 0.0);
  CHECK(arith_div(i(1), i(0)).is_null());
  CHECK(arith_mod(i(1), i(0)).is_null());
  CHECK(arith_div(Value::number(1), Value::number(0)).is_null());
  const auto max = std::numeric_limits<std::int64_t>::max();
  const auto min = std::numeric_limits<std::int64_t>::min();
  CHECK(arith_add(i(max), i(1)).is_null());
  CHECK(arith_sub(i(min), i(1)).is_null());
  CHECK(arith_mul(i(max), i(2)).is_null());
  CHECK(arith_div(i(min), i(-1)).is_null());
  CHECK(arith_mod(i(min), i(-1)).as_int() == 0);
  CHECK(arith_neg(i(min)).is_null());
  CHECK(arith_add(i(1), Value::number(0.5)).as_double() == 1.5);  // widening
  CHECK(arith_add(i(1), Value::string("1")).is_null());
  CHECK(arith_add(Value::null(), i(1)).is_null());
}

TEST_CASE("S6: whole-value wildcards, ? is one code point, no escape", "[value_ops]") {
  struct Case {
    const char* text;
    const char* pattern;
    bool expect;
  };
  // clang-format off
  const Case cases[] = {
    {"doc", "doc*", true}, {"doc", "doc?", false}, {"disc", "d?c", false}, {"doc", "d?c", true},
    {"", "*", true}, {"", "?", false}, {"abc", "*", true}, {"abc", "a*c", true}, {"abc", "a*b", false},
    {"abcabc", "*abc", true}, {"xabcx", "*abc*", true}, {"ab", "*abc*", false},
    {"aXbXc", "a*b*c", true}, {"acb", "a*b*c", false}, {"aaab", "*a*a*a*b", true},
    {"\xC3\xA9", "?", true}, {"\xC3\xA9x", "??", true}, {"\xC3\xA9", "??", false},
    {"a\\xyz", "a\\*", true}, {"a*", "a\\*", false},           // backslash is literal
    {"a*b", "a*b", true}, {"C:\\red\\x", "*\\red*", true},
    {"Exchange ActiveSync", "*ExchangeActiveSync*", false},
    {"mississippi", "*ss*ss*i", true}, {"mississippi", "m*iss*iss*p", false},
  };
  // clang-format on
  for (const auto& c : cases) {
    INFO(c.text << " vs " << c.pattern);
    CHECK(PatternSet::glob(c.text, c.pattern) == c.expect);
  }
}

TEST_CASE("PatternSet and ValueSet: fast paths agree with the glob matcher", "[value_ops]") {
  PatternSet ps(true);
  for (const char* p : {"*IMAP*", "POP3*", "*smtp", "Exact", "a?c*"})
    ps.add(p);
  std::string buf, fold;
  CHECK(ps.matches(Value::string("imap4"), buf, fold));
  CHECK(ps.matches(Value::string("pop3s"), buf, fold));
  CHECK(ps.matches(Value::string("Authenticated SMTP"), buf, fold));
  CHECK(ps.matches(Value::string("EXACT"), buf, fold));
  CHECK(ps.matches(Value::string("ABCdef"), buf, fold));
  CHECK_FALSE(ps.matches(Value::string("exactly"), buf, fold));
  CHECK_FALSE(ps.matches(Value::null(), buf, fold));
  PatternSet nums(false);
  nums.add("12*");
  CHECK(nums.matches(Value::integer(123), buf, fold));  // S8: numbers match their text

  ValueSet in(false);
  in.add(Value::string("0"));
  in.add(Value::integer(7));
  in.add(Value::string("true"));
  CHECK(in.contains(Value::integer(0), buf));
  CHECK(in.contains(Value::string("7"), buf));
  CHECK(in.contains(Value::number(7.0), buf));
  CHECK(in.contains(Value::boolean(true), buf));
  CHECK_FALSE(in.contains(Value::string("07"), buf));
  CHECK_FALSE(in.contains(Value::null(), buf));
  ValueSet ci(true);
  ci.add(Value::string("CMD.EXE"));
  CHECK(ci.contains(Value::string("cmd.exe"), buf));
  CHECK_FALSE(ci.contains(Value::string("cmd*"), buf));  // in~ has no wildcards
}

TEST_CASE("S6: a list's plain patterns are equality, S5 folded, whatever else the list holds",
          "[value_ops]") {
  // Plain patterns alone, with `*literal*`s (the short scan), with many wildcards (the
  // multi-pattern matcher), with a `?` after a `*` (one by one in a short list, in the
  // multi-pattern matcher in a long one): values are the plain patterns in the other case, one
  // byte more or less, and non-ASCII letters (É does not fold).
  const std::vector<std::string> plain = {"cmd.exe", "PowerShell.EXE", "a", "\xC3\x89t\xC3\xA9",
                                          "0123456789abcdefXYZ"};
  const std::vector<std::vector<std::string>> extras = {
      {},
      {"*zz1*", "*zz2*"},
      {"*q*w1*", "*q*w2*", "q3*x*", "*q4*y"},
      {"*zz*?"},
      {"*zz1*", "*zz2*", "?zz*", "x?y"},                 // the short scan, `?` in multi-pattern
      {"*q*w1*", "*q*w2*", "q3*x*", "*q4*y", "*zz*?"}};  // multi-pattern, `?` after `*` too
  std::vector<std::string> values;
  for (const auto& p : plain) {
    std::string flipped = p;
    for (char& c : flipped)
      if (std::isalpha(static_cast<unsigned char>(c))) c = static_cast<char>(c ^ 0x20);
    values.insert(values.end(), {p, flipped, p + "x", p.substr(1), "x" + flipped});
  }
  values.insert(values.end(), {"", "\xC3\xA9t\xC3\xA9", "CMD.EXE", "powershell.exe", "aZZ1b",
                               "Q3-x", "q4Y", "abzzc", "zz", "aZZq", "XaY"});
  std::string buf, fold;
  for (const bool ci : {false, true})
    for (const auto& extra : extras) {
      PatternSet ps(ci);
      std::vector<std::string> all = plain;
      all.insert(all.end(), extra.begin(), extra.end());
      for (const auto& p : all)
        ps.add(p);
      ps.finish();
      for (const auto& v : values) {
        bool expected = false;
        for (const auto& p : all) {
          std::string fv, fp;
          fold_ascii(v, fv);
          fold_ascii(p, fp);
          expected = expected || (ci ? PatternSet::glob(fv, fp) : PatternSet::glob(v, p));
        }
        INFO("ci " << ci << ", " << extra.size() << " extra patterns, value [" << v << "]");
        CHECK(ps.matches(Value::string(v), buf, fold) == expected);
      }
    }
}

namespace {
// S6 by definition, over code points, with backtracking: slow but obviously right. Used only
// on short random inputs to check the linear-time matcher.
std::vector<std::string> code_points(std::string_view s) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < s.size();) {
    const auto lead = static_cast<unsigned char>(s[i]);
    std::size_t n = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
    n = std::min(n, s.size() - i);
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}
bool by_definition(const std::vector<std::string>& t, std::size_t i,
                   const std::vector<std::string>& p, std::size_t j) {
  if (j == p.size()) return i == t.size();
  if (p[j] == "*")
    return by_definition(t, i, p, j + 1) || (i < t.size() && by_definition(t, i + 1, p, j));
  if (i == t.size()) return false;
  return (p[j] == "?" || p[j] == t[i]) && by_definition(t, i + 1, p, j + 1);
}
}  // namespace

TEST_CASE("S6: the linear-time matcher agrees with the definition on random inputs",
          "[value_ops]") {
  // Small alphabets make many partial matches; long segments take the bit-parallel automaton,
  // short plain ones the substring search. The seed is fixed: the test is reproducible.
  eqlite::testing::XorShift next{0x9E3779B97F4A7C15u};
  const char* text_units[] = {"a", "b", "\xC3\xA9", "a"};
  const char* pattern_units[] = {"a", "b", "\xC3\xA9", "?", "*", "a", "a"};
  for (int round = 0; round < 20000; ++round) {
    std::string text, pattern;
    const std::uint64_t tn = next(40), pn = 1 + next(round % 10 == 0 ? 70 : 12);
    for (std::uint64_t i = 0; i < tn; ++i)
      text += text_units[next(4)];
    const bool long_segments = round % 10 == 0;  // few stars: segments of 16+ bytes
    for (std::uint64_t i = 0; i < pn; ++i) {
      const char* u = pattern_units[next(7)];
      pattern += (long_segments && *u == '*' && next(6) != 0) ? "a" : u;
    }
    INFO(text << " vs " << pattern);
    REQUIRE(PatternSet::glob(text, pattern) ==
            by_definition(code_points(text), 0, code_points(pattern), 0));
  }
}

TEST_CASE("S6: a wildcard list matched as one (multi-pattern) gives each pattern's answer",
          "[value_ops]") {
  // `?` before any `*` goes into the multi-pattern matcher too: one code point as glob() reads
  // it (a lead byte's length, a stray byte one unit, cut short by the end of the value). Patterns
  // are UTF-8 (rules are); values may hold stray and cut-short sequences too (FieldMap).
  eqlite::testing::XorShift next{0xC0FFEE1234567ULL};
  const char* units[] = {"a",  "b",        ".",    "\\",           "\xC3\xA9",
                         "\n", "*",        "A",    "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                         "?",  "\xE2\x82", "\xC3", "\x80"};
  constexpr std::size_t kPatternUnits = 11;  // the valid ones and `?`
  std::size_t ready = 0;
  for (int list = 0; list < 300; ++list) {
    const bool ci = list % 2 == 0;
    PatternSet ps(ci);
    std::vector<std::string> patterns;
    const std::size_t count = 1 + next(12);
    for (std::size_t i = 0; i < count; ++i) {
      std::string p;
      const std::size_t len = next(7);
      for (std::size_t k = 0; k < len; ++k)
        p += units[next(next(3) == 0 ? kPatternUnits : 8)];
      if (next(6) == 0) p += "?";
      if (next(3) == 0) p = "*" + p + "*";
      patterns.push_back(p);
      ps.add(p);
    }
    ps.finish();
    std::size_t wild = 0;
    bool match_all = false;  // "**" matches everything: no database needed
    for (const auto& p : patterns)
      match_all = match_all || (!p.empty() && p.find_first_not_of('*') == std::string::npos);
    for (const auto& p : patterns)  // a wildcard, not all `*`
      wild += p.find_first_of("*?") != std::string::npos &&
              p.find_first_not_of('*') != std::string::npos;
    if (wild >= PatternSet::kMultiPatternMin && !match_all) {
      CHECK(ps.multi());
      REQUIRE(ps.multi_ready());  // the multi-pattern matcher takes them all
      ++ready;
    }
    std::string buf, fold;
    for (int t = 0; t < 40; ++t) {
      std::string text;
      const std::size_t len = next(12);
      for (std::size_t k = 0; k < len; ++k)
        text += units[next(next(2) ? 8 : std::size(units))];
      std::string folded_text, folded_pattern;
      bool expected = false;
      for (const auto& p : patterns) {
        fold_ascii(text, folded_text);
        fold_ascii(p, folded_pattern);
        expected = expected ||
                   (ci ? PatternSet::glob(folded_text, folded_pattern) : PatternSet::glob(text, p));
      }
      std::string shown;  // the list, one pattern per line
      for (const auto& p : patterns)
        shown += "\n  [" + p + "]";
      INFO("text [" << text << "] list " << list << (ci ? " (ci)" : "") << shown);
      REQUIRE(ps.matches(Value::string(text), buf, fold) == expected);
    }
  }
  CHECK(ready > 50);
}

TEST_CASE(
    "S6: a long wildcard list is matched through its patterns' literals: shared, missing, "
    "many, on long values",
    "[value_ops]") {
  // The multi-pattern matcher scans a value for each pattern's necessary literal (its longest
  // run without a wildcard) and matches only the patterns of the literals found; patterns with
  // no literal (`?*`) always. Lists here have 4 to 200 patterns over a few words, so that many
  // patterns share a literal (several per literal), 8+ literals take the scanner's Vectorscan
  // database and 65+ leave its nibble filter; values run to 300 bytes (past the short scan's
  // 128). Every answer is the patterns' answer one by one (glob).
  eqlite::testing::XorShift next{0xB16B00B5F00DULL};
  const std::string words[] = {"ab", "abc", "x\\y", "q", "zz", "\xC3\xA9", "Ab", "bca", "w"};
  int many = 0, shared = 0, none = 0;
  for (int list = 0; list < 120; ++list) {
    const bool ci = list % 2 == 1;
    PatternSet ps(ci);
    std::vector<std::string> patterns;
    std::set<std::string> literals;
    std::size_t without_literal = 0;
    const std::size_t count = 4 + next(list % 4 == 0 ? 197 : 20);
    for (std::size_t i = 0; i < count; ++i) {
      std::string p = next(3) == 0 ? "" : "*";
      const std::size_t pieces = next(4);
      for (std::size_t k = 0; k < pieces; ++k) {
        p += words[next(std::size(words))];
        if (next(3) == 0) p += std::to_string(next(90));  // many distinct literals
        p += next(4) == 0 ? "?" : "*";
      }
      if (next(2) == 0) p += words[next(std::size(words))];
      if (p.find_first_not_of('*') == std::string::npos) p += "?";  // not match-all
      std::string folded;
      fold_ascii(p, folded);
      const std::string lit = eqlite::internal::necessary_literal(ci ? folded : p);
      if (lit.empty())
        ++without_literal;
      else
        literals.insert(lit);
      patterns.push_back(p);
      ps.add(p);
    }
    ps.finish();
    if (!ps.multi()) continue;
    REQUIRE(ps.multi_ready());
    many += literals.size() > 64;
    shared += literals.size() < count - without_literal;
    none += without_literal > 0;
    std::string buf, fold;
    for (int t = 0; t < 60; ++t) {
      std::string text;
      const std::size_t len = t % 3 == 0 ? 40 + next(260) : next(30);
      while (text.size() < len) {
        text += words[next(std::size(words))];
        if (next(3) == 0) text += std::to_string(next(90));
        if (next(4) == 0) text += "\xE2\x82\xAC";
      }
      if (t % 5 == 0 && !patterns.empty()) {  // a value one pattern matches, or nearly
        const std::string& p = patterns[next(patterns.size())];
        text.clear();
        for (char c : p)
          text += c == '*' ? words[next(std::size(words))] : c == '?' ? "." : std::string(1, c);
      }
      bool expected = false;
      std::string folded_text, folded_pattern;
      fold_ascii(text, folded_text);
      for (const auto& p : patterns) {
        fold_ascii(p, folded_pattern);
        expected = expected ||
                   (ci ? PatternSet::glob(folded_text, folded_pattern) : PatternSet::glob(text, p));
      }
      INFO("text [" << text << "] list " << list << (ci ? " (ci)" : "") << " of " << count);
      REQUIRE(ps.matches(Value::string(text), buf, fold) == expected);
    }
  }
  // the cases above happened
  CHECK(many >= 4);
  CHECK(shared > 50);
  CHECK(none > 10);
}

TEST_CASE("S6: `?` in a multi-pattern list is one code point, cut short by the end of the value",
          "[value_ops]") {
  // Each pattern with three that match nothing here (a list of four is matched as one), on
  // values with 1- to 4-byte characters, stray and cut-short sequences: glob()'s answer.
  const char* patterns[] = {"?",   "??",    "a?",   "?b",  "a?b",  "?*", "a?*",
                            "??*", "?:\\*", "?b*c", "a??", "a?*b", "*a?"};
  const char* values[] = {"",
                          "a",
                          "ab",
                          "a\xC3\xA9",
                          "a\xE2\x82\xAC",
                          "a\xF0\x9F\x98\x80",
                          "\xC3\xA9",
                          "\xE2\x82\xAC",
                          "\xF0\x9F\x98\x80",
                          "\xE2\x82\xAC"
                          "b",
                          "\xF0\x9F\x98\x80"
                          "b",
                          "a\xE2\x82\xAC"
                          "b",
                          "a\xC3",
                          "a\xE2\x82",
                          "\xE2\x82",
                          "\xF0\x9F",
                          "\x80",
                          "a\x80"
                          "b",
                          "C:\\x",
                          "\xC3\xA9:\\x",
                          "ab c",
                          "\xE2\x82\xAC"
                          "bxc",
                          "a\xC3\xA9\xC3\xA9",
                          "a\xC3"
                          "b",
                          "\xF0"
                          "ab"};
  std::string buf, fold;
  for (const char* p : patterns) {
    PatternSet ps(false);
    for (const char* q : {p, "zz*q1", "zz*q2", "zz*q3"})
      ps.add(q);
    ps.finish();
    REQUIRE(ps.multi_ready());  // `*a?` too: a `?` after a `*` is taken as well
    for (const char* v : values) {
      INFO("pattern [" << p << "] value [" << v << "]");
      CHECK(ps.matches(Value::string(v), buf, fold) == PatternSet::glob(v, p));
    }
  }
}

TEST_CASE(
    "S6: prefix, suffix and contains lists give each pattern's answer on short and long "
    "values",
    "[value_ops]") {
  // Such lists skip the database for values up to 128 bytes (PatternSet::ShortScan) and scan it
  // beyond: both must give the answer of the patterns one by one.
  // The short scan searches 16 bytes at a time (SSSE3) or byte by byte: every list goes through
  // both, with values of every length up to 128 (all chunk tails), literals of one to four
  // units (shorter and longer than the three bytes the vector filter compares), up to 70 of
  // them (several per bucket).
  eqlite::testing::XorShift next{0x5EED5EED1234ULL};
  const std::string units[] = {
      "a", "b", "B", "\\", "\xC3\xA9", "\n", "\x01", "\xFF", std::string(1, '\0')};
  int short_lists = 0;
  for (int list = 0; list < 300; ++list) {
    const bool ci = list % 2 == 0;
    PatternSet ps(ci);
    std::vector<std::string> patterns;
    const std::size_t count = 4 + next(list % 10 == 0 ? 70 : 12);
    for (std::size_t i = 0; i < count; ++i) {
      std::string lit;
      const std::size_t len = 1 + next(4);
      for (std::size_t k = 0; k < len; ++k)
        lit += units[next(9)];
      const auto shape = next(8);
      patterns.push_back(shape == 0 ? lit + "*" : shape == 1 ? "*" + lit : "*" + lit + "*");
      ps.add(patterns.back());
    }
    ps.finish();
    REQUIRE(ps.multi());
    std::size_t contains = 0, ends = 0;
    for (const auto& p : patterns)
      (p.front() == '*' && p.back() == '*' ? contains : ends) += 1;
    CHECK(ps.short_scan() == (contains <= 64 && ends <= 16));
#if defined(__x86_64__)
    CHECK(ps.short_scan_vector() == (ps.short_scan() && __builtin_cpu_supports("ssse3")));
#endif
    short_lists += ps.short_scan();
    PatternSet bytewise = ps;
    bytewise.short_scan_bytewise();
    CHECK_FALSE(bytewise.short_scan_vector());
    std::string buf, fold;
    for (int t = 0; t < 60; ++t) {
      std::string text;
      const auto shape = next(4);
      const std::size_t len = shape == 0 ? 100 + next(200) : shape == 1 ? next(130) : next(16);
      while (text.size() < len)
        text += units[next(9)];
      std::string folded_text, folded_pattern;
      fold_ascii(text, folded_text);
      bool expected = false;
      for (const auto& p : patterns) {
        fold_ascii(p, folded_pattern);
        expected = expected ||
                   (ci ? PatternSet::glob(folded_text, folded_pattern) : PatternSet::glob(text, p));
      }
      INFO("text [" << text << "] (" << text.size() << " bytes) list " << list);
      REQUIRE(ps.matches(Value::string(text), buf, fold) == expected);
      REQUIRE(bytewise.matches(Value::string(text), buf, fold) == expected);
    }
  }
  CHECK(short_lists > 250);
}

TEST_CASE("StringSet: the in-set lookups find exactly the strings inserted", "[value_ops]") {
  eqlite::internal::StringSet set;
  CHECK_FALSE(set.contains(""));
  std::vector<std::string> in;
  for (int i = 0; i < 3000; ++i)  // lengths 0 to 40, through several rehashes
    in.push_back(std::string(static_cast<std::size_t>(i % 41), 'x') + std::to_string(i / 41));
  in.push_back("");
  in.push_back(std::string("\0a", 2));
  for (const auto& s : in) {
    set.insert(s);
    set.insert(s);  // twice: still one
  }
  CHECK(set.size() == in.size());
  for (const auto& s : in)
    CHECK(set.contains(s));
  CHECK_FALSE(set.contains(std::string("\0b", 2)));
  CHECK_FALSE(set.contains("x"));  // "x" + digits only
  CHECK_FALSE(set.contains(std::string(41, 'x')));
  for (int i = 0; i < 3000; i += 7)
    CHECK_FALSE(set.contains(std::string(static_cast<std::size_t>(i % 41 + 1), 'y') +
                             std::to_string(i / 41)));
}

TEST_CASE(
    "StringSet: sets of up to 32 strings, looked up by their edge words, find exactly "
    "their strings",
    "[value_ops]") {
  // Small sets also get a table without collisions (StringSet::build_edges): a string's first
  // and last 8 bytes and its size pick one slot, then the bytes between are compared. Sets of 1
  // to 40 strings (past kEdgesMax), sizes 0 to 30, members sharing their first and last bytes;
  // lookups of each member, of members with one byte changed at every position, cut short or
  // grown by a byte, and folded lookups (find_folded) in mixed case.
  eqlite::testing::XorShift next{0x5A11ULL};
  const char bytes[] = "abAB\x01\xC3\xA9 ";
  auto random_string = [&](std::size_t n) {
    std::string t;
    for (; n > 0; --n)
      t += bytes[next(sizeof bytes - 1)];
    return t;
  };
  auto unique = [](const std::vector<std::string>& v) {  // a member's index: its first insert
    std::vector<std::string> u;
    for (const auto& x : v)
      if (std::find(u.begin(), u.end(), x) == u.end()) u.push_back(x);
    return u;
  };
  auto expected = [](const std::vector<std::string>& v, const std::string& t) {
    const auto it = std::find(v.begin(), v.end(), t);
    return it == v.end() ? eqlite::internal::StringSet::npos
                         : static_cast<std::uint32_t>(it - v.begin());
  };
  std::size_t hits = 0, misses = 0, by_edges = 0, by_hash = 0;
  for (int trial = 0; trial < 1500; ++trial) {
    eqlite::internal::StringSet set, folded_set;
    std::vector<std::string> in, folded;
    const std::size_t count = 1 + next(trial % 10 == 0 ? 40 : 12);
    const std::string common = random_string(8);  // the first and last bytes of some members
    for (std::size_t k = 0; k < count; ++k) {
      std::string m = random_string(next(31));
      if (next(3) == 0 && m.size() > 16) m = common + m.substr(8, m.size() - 16) + common;
      in.push_back(m);
      set.insert(m);
      std::string f;
      fold_ascii(m, f);
      folded_set.insert(f);
      folded.push_back(f);
    }
    const auto members = unique(in), folded_members = unique(folded);
    (set.by_edges() ? by_edges : by_hash) += 1;
    if (members.size() <= 32 && set.by_edges() == false) {  // only when two share their edges
      bool shared = false;
      for (const auto& a : members)
        for (const auto& b : members)
          shared = shared || (&a != &b && a.size() == b.size() && a.size() > 16 &&
                              a.compare(0, 8, b, 0, 8) == 0 &&
                              a.compare(a.size() - 8, 8, b, b.size() - 8, 8) == 0);
      CHECK(shared);
    }
    for (const std::string& m : in) {
      std::vector<std::string> probes = {m, m + "a", random_string(m.size())};
      if (!m.empty()) probes.push_back(m.substr(0, m.size() - 1));
      for (std::size_t i = 0; i < m.size(); ++i) {
        std::string t = m;
        t[i] = static_cast<char>(t[i] ^ 0x40);
        probes.push_back(t);
      }
      for (std::string t : probes) {
        INFO("[" << t << "] in a set of " << in.size());
        const auto want = expected(members, t);
        REQUIRE(set.find(t) == want);
        (want == eqlite::internal::StringSet::npos ? misses : hits) += 1;
        for (char& c : t)
          if (std::isalpha(static_cast<unsigned char>(c)) && next(2))
            c = static_cast<char>(c ^ 0x20);
        std::string f;
        fold_ascii(t, f);
        REQUIRE(folded_set.find_folded(t) == expected(folded_members, f));
      }
    }
  }
  CHECK(hits > 10000);
  CHECK(misses > 100000);
  CHECK(by_edges > 1000);
  CHECK(by_hash > 50);
}

TEST_CASE("S5: StringSet::find_folded and equals_ci fold as fold_ascii does, without a copy",
          "[value_ops]") {
  // A set of folded strings (`in~`, the RuleSet's `:` keys), looked up with values in any case:
  // every length up to 40 (the hash's words of 8, the overlapping words of 4, 1 to 3 bytes),
  // letters next to the bytes around 'A'..'Z' and 'a'..'z' ('@', '[', '`', '{') and non-ASCII.
  eqlite::testing::XorShift next{0xF01DF01DULL};
  const char bytes[] = "aZz@[`{AM\xC3\x81\xE9-0";
  auto random_text = [&] {
    std::string t;
    for (std::size_t k = next(41); k > 0; --k)
      t += bytes[next(sizeof bytes - 1)];
    return t;
  };
  eqlite::internal::StringSet set;
  std::vector<std::string> folded;
  for (int i = 0; i < 400; ++i) {
    std::string f;
    fold_ascii(random_text(), f);
    set.insert(f);
    folded.push_back(f);
  }
  std::size_t found = 0;
  for (int i = 0; i < 4000; ++i) {
    std::string t = i % 2 ? random_text() : folded[next(folded.size())];
    for (char& c : t)  // some letters in the other case
      if (std::isalpha(static_cast<unsigned char>(c)) && next(2)) c = static_cast<char>(c ^ 0x20);
    std::string f;
    fold_ascii(t, f);
    INFO("[" << t << "]");
    REQUIRE(set.find_folded(t) == set.find(f));
    found += set.find(f) != eqlite::internal::StringSet::npos;
  }
  CHECK(found > 1900);
  // equals_ci (`:` against one string, `==` of `~` functions) folds both sides a word at a time
  for (int i = 0; i < 4000; ++i) {
    const std::string a = random_text();
    std::string b = i % 3 ? a : random_text();
    for (char& c : b)
      if (std::isalpha(static_cast<unsigned char>(c)) && next(2)) c = static_cast<char>(c ^ 0x20);
    if (i % 5 == 0 && !b.empty()) b[next(b.size())] = bytes[next(sizeof bytes - 1)];
    std::string fa, fb;
    fold_ascii(a, fa);
    fold_ascii(b, fb);
    INFO("[" << a << "] [" << b << "]");
    REQUIRE(eqlite::internal::equals_ci(a, b) == (fa == fb));
  }
  // `in~` (ValueSet) looks its values up this way
  eqlite::internal::ValueSet in_ci(true);
  in_ci.add(Value::string("Cmd.EXE"));
  std::string buf;
  CHECK(in_ci.contains(Value::string("CMD.exe"), buf));
  CHECK_FALSE(in_ci.contains(Value::string("CMD.exf"), buf));
  CHECK_FALSE(in_ci.contains(Value::string("\xC3\x89"), buf));  // É is not folded (S5)
}

TEST_CASE("S5: fold_ascii lowers exactly the ASCII capitals, at every length and offset",
          "[value_ops]") {
  std::string all;
  for (int c = 0; c < 256; ++c)
    all += static_cast<char>(c);
  std::string out;
  for (std::size_t start = 0; start < 256; start += 13) {
    for (std::size_t len = 0; len + start <= 256 && len < 40; ++len) {
      const std::string_view in = std::string_view(all).substr(start, len);
      eqlite::internal::fold_ascii(in, out);
      REQUIRE(out.size() == len);
      for (std::size_t i = 0; i < len; ++i) {
        const auto c = static_cast<unsigned char>(in[i]);
        const auto expect = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
        REQUIRE(out[i] == expect);
      }
    }
  }
}

TEST_CASE("LiteralScanner: every literal that occurs, once, on short and long values",
          "[value_ops]") {
  // With 8 to 64 literals, values of 4 to 128 bytes take the nibble filter (SSSE3), longer or
  // shorter ones (and more literals) the Vectorscan database, fewer than 8 literals a find()
  // each: all must list exactly the literals the value contains, each once.
  eqlite::testing::XorShift next{0xABCDEF0123ULL};
  const char alphabet[] = "abAB-\\.\xC3\xA9";
  int filtered = 0;
  for (int round = 0; round < 120; ++round) {
    // all caseless, none, or each its own (RuleSet: `:` and `like` literals on one field)
    const bool mixed = round % 4 == 3;
    std::vector<bool> caseless;
    std::vector<std::string> literals;
    const std::size_t count = round % 3 == 0 ? 1 + next(7) : 8 + next(round % 5 == 0 ? 300 : 30);
    std::set<std::string> seen;
    while (literals.size() < count) {
      std::string lit;
      const std::size_t len = (round % 7 == 0 ? 1 : 2) + next(5);
      for (std::size_t k = 0; k < len; ++k)
        lit += alphabet[next(sizeof alphabet - 1)];
      const bool ci = mixed ? next(2) == 0 : round % 2 == 0;
      if (ci) {
        std::string folded;
        fold_ascii(lit, folded);
        lit = folded;
      }
      if (seen.insert(lit).second) {
        literals.push_back(lit);
        caseless.push_back(ci);
      }
    }
    eqlite::internal::LiteralScanner scanner(literals, caseless);
#if defined(__x86_64__)
    CHECK(scanner.short_filter() ==
          (literals.size() >= 8 && literals.size() <= 64 && __builtin_cpu_supports("ssse3")));
#endif
    filtered += scanner.short_filter();
    std::string fold;
    for (int t = 0; t < 50; ++t) {
      std::string text;
      const std::size_t len = next(3) == 0 ? 100 + next(200) : next(40);
      for (std::size_t k = 0; k < len; ++k)
        text += alphabet[next(sizeof alphabet - 1)];
      std::string folded_text;
      fold_ascii(text, folded_text);
      std::vector<std::uint32_t> expected, hits = {999999};  // what was there stays
      for (std::uint32_t i = 0; i < literals.size(); ++i)
        if ((caseless[i] ? folded_text : text).find(literals[i]) != std::string::npos)
          expected.push_back(i);
      scanner.scan(text, hits, fold);
      REQUIRE(hits.front() == 999999);
      hits.erase(hits.begin());
      std::sort(hits.begin(), hits.end());
      INFO("round " << round << " text [" << text << "]");
      REQUIRE(hits == expected);
    }
  }
  CHECK(filtered > 40);
}

TEST_CASE("S7: a repetition's required copies give necessary literals", "[value_ops]") {
  // RE2's prefilter drops the literal of `x+` and `x{n,}` (Elastic's "Whitespace Padding in
  // Process Command Line" has none); spelled out as copies of x, they give one.
  auto lits = [](std::string p, bool ci = false) {
    return regex_necessary_literals({std::move(p)}, ci, 8 << 20);
  };
  using L = std::vector<std::string>;
  CHECK(lits("([^ ]+[ ]{3,}[^ ]*){3,}.*") == L{"   "});
  CHECK(lits(".*[ ]{20,}.*") == L{std::string(20, ' ')});
  CHECK(lits("xyz+w") == L{"xyz"});
  CHECK(lits("xy\\.{2,}?w") == L{"xy.."});  // lazy, and an escape repeated
  CHECK(lits("ABC+", true) == L{"abc"});
  CHECK(lits("(abc){2,}") == L{"abc"});      // a group is left to RE2
  CHECK(lits("a{,3}bcd") == L{"a{,3}bcd"});  // `{,3}` is literal text, not a repetition
  CHECK(lits("abc\\x41{3,}") == L{"abcaaa"});

  // Soundness: random patterns of repeated pieces; every value RE2 matches contains one of the
  // literals (folded, for regex~).
  struct Piece {
    const char* re;
    std::vector<const char*> values;
  };
  const Piece pieces[] = {
      {"a+", {"a", "aaa"}},
      {"[ ]{3,}", {"   ", "     "}},
      {"[]x]{2,}", {"]]", "x]x"}},
      {"\\.+?", {".", ".."}},
      {"\\x{41}{2,}", {"AA", "AAA"}},
      {"\\x41{3,}", {"AAA", "AAAA"}},  // \xHH is one item: not \x4 and a repeated 1
      {"é+", {"é", "éé"}},
      {"\\pL{3,}", {"abc", "éÉa"}},
      {"[[:digit:]]{2,}", {"12", "345"}},
      {"[^ ]+", {"q", "qq"}},
      {"(ab)+", {"ab", "abab"}},
      {"cmd", {"cmd"}},
      {"x{2}", {"xx"}},
      {"\\d+", {"7", "42"}},
      {".*", {"", "zz"}},
      {"(?:yz){2,}", {"yzyz"}},
      {"b{1,2}", {"b", "bb"}},
      {"{", {"{"}},
  };
  eqlite::testing::XorShift next{4711};
  RE2::Options opts;
  opts.set_dot_nl(true);
  std::size_t with_literals = 0, matched = 0;
  for (int round = 0; round < 400; ++round) {
    std::string re, value;
    for (std::size_t i = next(4) + 1; i > 0; --i) {
      const Piece& p = pieces[next(std::size(pieces))];
      re += p.re;
      value += p.values[next(p.values.size())];
    }
    const bool ci = next(3) == 0;
    RegexSet rs;  // for regex~, its pattern() is ASCII-folded, as the values it is given
    std::size_t bad = 0;
    std::string why;
    bool too_large = false;
    REQUIRE(rs.build({re}, ci, 8 << 20, bad, why, too_large));
    INFO("pattern " << rs.pattern() << (ci ? " (regex~)" : ""));
    const RE2 oracle(rs.pattern(), opts);
    REQUIRE(oracle.ok());
    const auto& needed = rs.necessary_literals();
    with_literals += !needed.empty();
    for (int t = 0; t < 10; ++t) {
      std::string v = value;
      if (const std::size_t at = v.empty() ? 0 : next(v.size());
          next(3) == 0 && !v.empty() && static_cast<unsigned char>(v[at]) < 0x80)
        v.erase(at, 1);
      std::string folded;
      fold_ascii(v, folded);
      if (!RE2::FullMatch(ci ? folded : v, oracle) || needed.empty()) continue;
      ++matched;
      INFO("value [" << v << "]");
      CHECK(std::any_of(needed.begin(), needed.end(),
                        [&](const std::string& l) { return folded.find(l) != std::string::npos; }));
    }
  }
  CHECK(with_literals > 100);
  CHECK(matched > 300);
}

TEST_CASE("S7: every value a regex matches is as long as its length bounds allow", "[value_ops]") {
  // RegexSet gives RE2 only values whose byte length is within the bounds counted over the
  // pattern (regex_length_bounds): `[a-z0-9]\.exe` matches 5 bytes, never a longer name.
  using B = std::pair<std::size_t, std::size_t>;
  constexpr std::size_t kInf = static_cast<std::size_t>(-1);
  auto bounds = [](const char* p) -> std::optional<B> {
    const auto b = regex_length_bounds(p);
    if (!b) return std::nullopt;
    return B{b->min, b->max};
  };
  CHECK(bounds("[a-z0-9]\\.exe") == B{5, 5});
  CHECK(bounds(".*") == B{0, kInf});
  CHECK(bounds("a|bcd|") == B{0, 3});
  CHECK(bounds("é+") == B{2, kInf});
  CHECK(bounds("[^ ]{2,3}") == B{2, 12});  // any code point but a blank: 1 to 4 bytes
  CHECK(bounds("(?:ab){2}\\d?$") == B{4, 5});
  CHECK(bounds("x{2") == B{3, 3});  // not a repetition: three literal bytes
  CHECK(bounds("\\p{Greek}\\x41") == B{2, 8});
  CHECK(!bounds("(?i)k"));  // RE2 folds k to the Kelvin sign, 3 bytes
  CHECK(!bounds("\\Qa.b\\E"));

  // Random patterns: a value RE2 matches is never outside the bounds.
  const char* pieces[] = {"a",           "é",      ".",        "[a-c]", "[^x]",      "\\d",
                          "\\W",         "(b|cd)", "(?:é|zz)", "x*",    "y+",        "z?",
                          "[é-ü]{1,2}",  "(q|)",   "^",        "\\.",   "\\x{263A}", "w{2,}",
                          "[[:alpha:]]", "{",      "\\pL"};
  const char* bytes[] = {"a", "é", "b", "cd", "zz", "x", "y", "z",
                         "q", "1", ".", "☺",  "w",  "ü", "{", " "};
  eqlite::testing::XorShift next{90210};
  RE2::Options opts;
  opts.set_dot_nl(true);
  std::size_t matched = 0, bounded = 0;
  for (int round = 0; round < 600; ++round) {
    std::string re;
    for (std::size_t i = next(5) + 1; i > 0; --i)
      re += pieces[next(std::size(pieces))];
    if (next(4) == 0) re = "(" + re + ")|" + pieces[next(std::size(pieces))];
    const RE2 oracle(re, opts);
    if (!oracle.ok()) continue;
    const auto b = regex_length_bounds(re);
    REQUIRE(b);
    bounded += b->max != kInf;
    INFO("pattern " << re << " bounds " << b->min << ".." << b->max);
    for (int t = 0; t < 60; ++t) {
      std::string v;
      for (std::size_t i = next(8); i > 0; --i)
        v += bytes[next(std::size(bytes))];
      if (!RE2::FullMatch(v, oracle)) continue;
      ++matched;
      INFO("value [" << v << "]");
      CHECK(v.size() >= b->min);
      CHECK(v.size() <= b->max);
    }
  }
  CHECK(matched > 300);
  CHECK(bounded > 100);
}

TEST_CASE("S7: RegexSet skips RE2 for values without a necessary literal, same answers",
          "[value_ops]") {
  // Random regexes from pieces, each with values they match, and values cut or changed; the
  // answer with the literal prefilter must be RE2's own on the same (folded, for regex~) text.
  struct Piece {
    const char* re;
    std::vector<const char*> values;
  };
  const Piece pieces[] = {
      {"abc", {"abc"}},          {"Cmd", {"Cmd"}},
      {"\\.exe", {".exe"}},      {"ÉTÉ", {"ÉTÉ"}},
      {"[a-c]", {"a", "c"}},     {"\\d{2,3}", {"12", "345"}},
      {".*", {"", "zz", "Q"}},   {"(abc|xyz)", {"abc", "xyz"}},
      {"[ ]{4,}", {"    "}},     {"(wxyz)+", {"wxyz", "wxyzwxyz"}},
      {"xyz+", {"xyz", "xyzz"}},
  };
  eqlite::testing::XorShift next{777};
  RE2::Options opts;
  opts.set_dot_nl(true);
  std::size_t filtered = 0, matched = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> patterns, samples;
    for (std::size_t k = next(2) + 1; k > 0; --k) {
      std::string re, value;
      for (std::size_t i = next(4) + 1; i > 0; --i) {
        const Piece& p = pieces[next(std::size(pieces))];
        re += p.re;
        value += p.values[next(p.values.size())];
      }
      patterns.push_back(re);
      samples.push_back(value);
    }
    const bool ci = next(2);
    eqlite::internal::RegexSet rs;
    std::size_t bad = 0;
    std::string why;
    bool too_large = false;
    REQUIRE(rs.build(patterns, ci, 8 << 20, bad, why, too_large));
    filtered += !rs.necessary_literals().empty();
    const RE2 oracle(rs.pattern(), opts);
    std::string buf, fold;
    for (int t = 0; t < 20; ++t) {
      std::string v = samples[next(samples.size())];
      if (ci)
        for (char& c : v)
          if (c >= 'a' && c <= 'z' && next(2)) c = static_cast<char>(c - 32);
      if (const std::size_t at = v.empty() ? 0 : next(v.size());
          next(3) == 0 && !v.empty() && static_cast<unsigned char>(v[at]) < 0x80)
        v.erase(at, 1);
      std::string folded;
      fold_ascii(v, folded);
      const bool expected = RE2::FullMatch(ci ? folded : v, oracle);
      INFO("patterns " << rs.pattern() << " value [" << v << "]");
      REQUIRE(rs.matches(eqlite::Value::string(v), buf, fold) == expected);
      matched += expected;
    }
  }
  CHECK(filtered > 100);  // the prefilter was there
  CHECK(matched > 500);   // and the values did match
}

// ---- ResultMemo (eval/result_memo.hpp): what a costly list answered, remembered per Vm -------

TEST_CASE("ResultMemo: a remembered answer is the list's own, for the same list and bytes",
          "[value_ops][memo]") {
  ResultMemo memo;
  int calls = 0;
  auto ask = [&](std::uint64_t id, std::string_view s, bool truth) {
    return memo.answer(id, s, [&] {
      ++calls;
      return truth;
    });
  };
  const std::uint64_t a = next_matcher_id(), b = next_matcher_id();
  CHECK(a != 0);
  CHECK(a != b);
  CHECK(ask(a, "IMAP4", true));
  CHECK(ask(a, "IMAP4", false));  // remembered: the list is not asked again
  CHECK(calls == 1);
  CHECK_FALSE(ask(b, "IMAP4", false));  // another list: its own answer
  CHECK(calls == 2);
  CHECK(ask(a, "IMAP4", false));  // each list keeps its own
  CHECK_FALSE(ask(b, "IMAP4", true));
  CHECK(calls == 2);
  // The same first and last 8 bytes and size (the same slot): told apart by their bytes.
  CHECK(ask(a, "Exchange X Web Services", true));
  CHECK_FALSE(ask(a, "Exchange Y Web Services", false));
  CHECK(calls == 4);
  CHECK_FALSE(ask(a, "Exchange Y Web Services", true));
  CHECK(calls == 4);
  // Every byte counts: a value one byte off another of its size is not the other.
  for (std::size_t n = 1; n <= ResultMemo::kMaxBytes; ++n) {
    const std::string base(n, 'a');
    for (std::size_t i = 0; i < n; ++i) {
      std::string other = base;
      other[i] = 'b';
      INFO("size " << n << ", byte " << i);
      CHECK(ask(a, base, true));
      CHECK_FALSE(ask(a, other, false));
      CHECK_FALSE(ask(a, other, true));  // remembered: its own answer
    }
  }
  calls = 4;
  CHECK_FALSE(ask(a, "imap4", false));  // bytes, not folded: the list decides case (S5)
  CHECK(ask(a, "", true));
  CHECK(ask(a, "", false));
  CHECK(calls == 6);
  // Longer values are never remembered.
  const std::string long_value(ResultMemo::kMaxBytes + 1, 'x');
  CHECK(ask(a, long_value, true));
  CHECK_FALSE(ask(a, long_value, false));
  CHECK(calls == 8);
  const std::string longest(ResultMemo::kMaxBytes, 'x');
  CHECK(ask(a, longest, true));
  CHECK(ask(a, longest, false));
  CHECK(calls == 9);
}

TEST_CASE("ResultMemo: values that do not repeat turn it off for a while", "[value_ops][memo]") {
  ResultMemo memo;
  int calls = 0;
  auto ask = [&](std::string_view s) {
    return memo.answer(1, s, [&] {
      ++calls;
      return s.size() % 2 == 0;
    });
  };
  std::uint32_t n = 0;
  auto unique = [&n] { return "value-" + std::to_string(n++); };
  for (std::uint32_t i = 0; i + 1 < ResultMemo::kWindow; ++i)
    (void)ask(unique());
  CHECK_FALSE(memo.off());
  (void)ask(unique());
  CHECK(memo.off());  // a window of lookups with nothing found
  // While off, every value goes to the list, repeated or not.
  calls = 0;
  for (int i = 0; i < 10; ++i)
    CHECK(ask("same") == true);
  CHECK(calls == 10);
  for (std::uint32_t i = 10; i < ResultMemo::kOffFor; ++i)
    (void)ask("same");
  CHECK_FALSE(memo.off());  // on again: values may repeat now
  calls = 0;
  CHECK(ask("repeated"));
  CHECK(ask("repeated"));
  CHECK(calls == 1);
  // Values that repeat often enough keep it on.
  for (std::uint32_t i = 0; i < 4 * ResultMemo::kWindow; ++i)
    (void)ask(i % 2 ? unique() : "repeated");
  CHECK_FALSE(memo.off());

  ResultMemo disabled;
  disabled.disable();
  calls = 0;
  for (std::uint32_t i = 0; i < 2 * ResultMemo::kOffFor; ++i)
    (void)disabled.answer(1, "same", [&] {
      ++calls;
      return true;
    });
  CHECK(calls == static_cast<int>(2 * ResultMemo::kOffFor));
}
