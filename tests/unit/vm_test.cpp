// tests/unit/vm_test.cpp — VM control flow with fields whose truth is fixed (t = true,
// f = false, n = no value), as Falco's compiler tests do; multi-valued fields through for_any
// (S4); evaluation never fails (S11).
#include <catch2/catch.hpp>
#include <string>

#include "eqlite/eqlite.hpp"

namespace {

bool eval(const std::string& condition, const eqlite::FlatEvent& e) {
  auto q = eqlite::compile("any where " + condition);
  if (!q) FAIL(q.error().format("any where " + condition));
  eqlite::Vm vm;
  return vm.matches(*q, e);
}

eqlite::FlatEvent tfn() {
  eqlite::FlatEvent e;
  e.add("t", true).add("f", false);
  return e;
}

}  // namespace

TEST_CASE("and/or/not over true, false and no value (S2, S3)", "[vm]") {
  const auto e = tfn();
  struct Case {
    const char* cond;
    bool expect;
  };
  // clang-format off
  const Case cases[] = {
    {"t", true}, {"f", false}, {"n", false},
    {"not t", false}, {"not f", true}, {"not n", true},           // S3: complement
    {"t and t", true}, {"t and f", false}, {"t and n", false}, {"n and t", false},
    {"f or t", true}, {"f or f", false}, {"n or f", false}, {"n or t", true},
    {"not (t and n)", true}, {"not (f or n)", true}, {"not not n", false},
    {"(t or n) and not f", true}, {"t and (f or (t and not n))", true},
    {"t and t and t and f", false}, {"f or f or f or t", true},
    {"true", true}, {"false", false}, {"not false", true}, {"null", false}, {"not null", true},
    {"t == true", true}, {"f == false", true}, {"n == null", true}, {"t != null", true},
    {"n != null", false}, {"n != true", true},
  };
  // clang-format on
  for (const auto& c : cases) {
    INFO(c.cond);
    CHECK(eval(c.cond, e) == c.expect);
  }
}

TEST_CASE("multi-valued fields: any value, any combination (S4)", "[vm]") {
  eqlite::FlatEvent e;
  e.add("a", 1).add("a", 2).add("b", 3).add("b", 4).add("s", "x").add("s", "y");
  struct Case {
    const char* cond;
    bool expect;
  };
  // clang-format off
  const Case cases[] = {
    {"a == 2", true}, {"a == 3", false}, {"a != 2", false}, {"a != 3", true},
    {"a + 1 == 3", true}, {"a + 1 != 3", false}, {"a + b == 5", true}, {"a + b == 7", false},
    {"a * 10 + b == 24", true}, {"-a == -2", true},
    {"a == b - 2", true},                       // P10 field-to-field, any pair
    {"a == b", false}, {"a < b", true}, {"b < a", false},
    {"s in (\"y\", \"z\")", true}, {"s not in (\"x\")", false}, {"s : \"Y\"", true},
    {"s like \"?\"", true}, {"s regex \"[xy]\"", true},
    {"missing + 1 == null", true},              // no value takes null once
    {"missing + 1 != null", false}, {"(missing + a) == null", true},
    {"(a + 1) in (3, 9)", true}, {"a in (b - 1)", true}, {"a in (b - 9)", false},
  };
  // clang-format on
  for (const auto& c : cases) {
    INFO(c.cond);
    CHECK(eval(c.cond, e) == c.expect);
  }
}

TEST_CASE("run time never fails: bad data makes predicates false (S11)", "[vm]") {
  eqlite::FlatEvent e;
  e.add("s", "text").add("n", 5).add("big", std::int64_t{9223372036854775807}).add("z", 0);
  // clang-format off
  const std::pair<const char*, bool> cases[] = {
    {"s + 1 == 1", false}, {"s * 2 > 0", false}, {"s / 0 == null", true},
    {"n / z == null", true}, {"n % z == null", true}, {"n / 0.0 == null", true},
    {"big + 1 == null", true}, {"big * 2 == null", true}, {"-big - 2 == null", true},
    {"n + s == null", true}, {"s regex \".*\"", true}, {"n regex \"5\"", true},
    {"s < 5", false}, {"s > 5", true},           // S8: "text" vs "5" by bytes
  };
  // clang-format on
  for (const auto& [cond, expect] : cases) {
    INFO(cond);
    CHECK(eval(cond, e) == expect);
  }
}

TEST_CASE("S8: a field compared with a literal string converts the literal to a number", "[vm]") {
  // field == literal compiles to one fused instruction whose literal is parsed at compile time;
  // each case holds for every value kind of the field.
  eqlite::FlatEvent e;
  e.add("i", 0).add("d", 2.5).add("s", "0").add("t", "abc").add("m", 7).add("m", 12);
  // clang-format off
  const std::pair<const char*, bool> cases[] = {
    {"i == \"0\"", true}, {"i == \"0.0\"", true}, {"i == \"-0\"", true}, {"i == \"1\"", false},
    {"i != \"1\"", true}, {"i < \"1e1\"", true}, {"i >= \"0\"", true}, {"i > \"0\"", false},
    {"d == \"2.5\"", true}, {"d > \"2\"", true}, {"d <= \"2\"", false},
    {"i == \"abc\"", false}, {"i != \"abc\"", true},  // no number: not equal (S3)
    {"i == \" 0\"", false}, {"i == \"+0\"", false}, {"i == \"0x0\"", false},
    {"s == \"0\"", true}, {"s == \"0.0\"", false},       // a string field compares text
    {"t == \"abc\"", true}, {"t != \"0\"", true},
    {"m == \"12\"", true}, {"m > \"10\"", true}, {"m < \"7\"", false},  // any value
    {"i : \"0\"", true}, {"i : \"0.0\"", false},        // `:` compares text
    {"missing == \"0\"", false}, {"missing != \"0\"", true},  // S2, S3
  };
  // clang-format on
  for (const auto& [cond, expect] : cases) {
    INFO(cond);
    CHECK(eval(cond, e) == expect);
  }
}

TEST_CASE("field == string literal: the specialised instruction agrees with S8 for every kind",
          "[vm]") {
  // `field == "literal"` (case-sensitive) compiles to field_str_eq, which compares string
  // values inline and hands every other kind to the general comparison.
  auto q = eqlite::compile(R"(any where a == "abcdefghij")");
  REQUIRE(q);
  CHECK_THAT(q->disassemble(), Catch::Contains("field_str_eq"));
  eqlite::FlatEvent e;
  e.add("s", "abcdefghij").add("near", "abcdefghiJ").add("long", "abcdefghijk");
  e.add("short", "abcdefghi").add("b", true).add("n", 10).add("x", 1.5);
  e.add("mixed", 7).add("mixed", false).add("mixed", "0007");  // the string matches "0007"
  e.add("nums", 1).add("nums", 7).add("empty", "");
  // clang-format off
  const std::pair<const char*, bool> cases[] = {
    {"s == \"abcdefghij\"", true}, {"near == \"abcdefghij\"", false},
    {"long == \"abcdefghij\"", false}, {"short == \"abcdefghij\"", false},
    {"s != \"abcdefghij\"", false}, {"near != \"abcdefghij\"", true},
    {"b == \"true\"", true}, {"b == \"false\"", false}, {"b == \"abc\"", false},  // S8
    {"n == \"10\"", true}, {"n == \"1e1\"", true}, {"n == \"10.5\"", false},
    {"x == \"1.5\"", true}, {"x == \"15\"", false},
    {"mixed == \"0007\"", true}, {"mixed == \"7\"", true}, {"mixed == \"8\"", false},
    {"nums == \"7\"", true}, {"nums == \"07\"", true}, {"nums == \"x\"", false},
    {"empty == \"\"", true}, {"s == \"\"", false}, {"missing == \"\"", false},
    {"s : \"ABCDEFGHIJ\"", true},  // `:` folds case: not the specialised form
  };
  // clang-format on
  for (const auto& [cond, expect] : cases) {
    INFO(cond);
    CHECK(eval(cond, e) == expect);
  }
}

TEST_CASE("a Vm and a Query are reusable across events and queries", "[vm]") {
  auto q1 = eqlite::compile("any where a == 1");
  auto q2 = eqlite::compile("any where b + c + d == 6");
  REQUIRE(q1.ok());
  REQUIRE(q2.ok());
  eqlite::Vm vm;
  eqlite::FlatEvent e1, e2;
  e1.add("a", 1);
  e2.add("b", 1).add("c", 2).add("d", 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(vm.matches(*q1, e1));
    CHECK(vm.matches(*q2, e2));
    CHECK_FALSE(vm.matches(*q1, e2));
    CHECK_FALSE(vm.matches(*q2, e1));
  }
}

TEST_CASE("an Event not bound to the query's fields never matches", "[vm]") {
  auto q = eqlite::compile("any where a == null");
  REQUIRE(q.ok());
  eqlite::Vm vm;
  eqlite::Event unbound;  // zero fields
  CHECK_FALSE(vm.matches(*q, unbound));
  eqlite::Event bound(q->fields().size());
  CHECK(vm.matches(*q, bound));
}

TEST_CASE("a Vm that remembers answers gives the lists' own answers (VmOptions)", "[vm][memo]") {
  // A wildcard list of four or more patterns is matched as one and a regex list through RE2:
  // a Vm remembers their answers for short strings (eval/result_memo.hpp). The answers must be
  // those of a Vm that remembers nothing, for every list, also for queries compiled after
  // others were destroyed (a new query may take an old one's address).
  eqlite::VmOptions plain_options;
  plain_options.remember_answers = false;
  eqlite::Vm vm, plain(plain_options);
  const char* values[] = {
      "IMAP4", "imap4",     "Browser", "pop3 client",           "SMTP",
      "smtp",  "BasicAuth", "",        "Exchange Web Services", "Exchange Online Web Services"};
  const char* conditions[] = {
      R"(f : ("*imap*", "*pop3*", "*smtp*", "*basicauth*"))",
      R"(f like ("*IMAP*", "*POP3*", "*SMTP*", "Browser"))",
      R"(f like~ ("*web*", "b*", "*h", "?mtp"))",
      R"(f regex~ "(imap|smtp)[0-9]?")",
      R"(f regex ".*[A-Z]{4}.*")",
      R"(f : ("*imap*", "*pop3*", "*smtp*", "*basicauth*") and not f regex~ ".*4")",
  };
  int differ = 0;  // the lists do not all agree: a list answering for another would show
  for (int round = 0; round < 3; ++round) {
    for (const char* condition : conditions) {
      auto q = eqlite::compile(std::string("any where ") + condition);
      REQUIRE(q);
      for (int pass = 0; pass < 3; ++pass) {
        for (const char* v : values) {
          eqlite::FlatEvent e;
          e.add("f", v);
          const bool expect = plain.matches(*q, e);
          INFO(condition << " on \"" << v << "\"");
          CHECK(vm.matches(*q, e) == expect);
          differ += expect;
        }
      }
    }
  }
  CHECK(differ > 0);
  CHECK(differ < 3 * 3 * static_cast<int>(std::size(values) * std::size(conditions)));
}
