// tests/unit/limits_test.cpp — every configurable limit (docs/robustness.md): the default lets
// real rules and events through, exceeding it is an error with its position (rules) or its
// reason (events), never a crash; and hostile rules that must stay cheap (huge lists, wildcard
// patterns built to backtrack) compile and run.
#include <catch2/catch.hpp>
#include <string>

#include "eqlite/eqlite.hpp"
#include "eval/matchers.hpp"

using eqlite::CompileOptions;
using eqlite::ErrorCode;
using eqlite::Event;
using eqlite::JsonReader;
using eqlite::ReaderOptions;

namespace {

std::string list_query(const char* op, std::size_t n, bool strings) {
  std::string q = std::string("any where a ") + op + " (";
  for (std::size_t i = 0; i < n; ++i) {
    if (i) q += ", ";
    q += strings ? "\"v" + std::to_string(i) + "*\"" : std::to_string(i);
  }
  return q + ")";
}

bool matches(const eqlite::Query& q, const std::string& json) {
  JsonReader r(q);
  Event e;
  auto ok = r.read(json, e);
  if (!ok) FAIL(ok.error().message);
  eqlite::Vm vm;
  return vm.matches(q, e);
}

}  // namespace

TEST_CASE("max_list_length: lists and argument lists, error at the first value too many",
          "[limits]") {
  CompileOptions o;
  o.max_list_length = 3;
  CHECK(eqlite::compile(list_query("in", 3, false), o).ok());
  for (const char* op : {"in", ":", "like~", "regex"}) {
    INFO(op);
    const std::string q = list_query(op, 5, std::string(op) != "in");
    auto r = eqlite::compile(q, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::LimitExceeded);
    CHECK_THAT(r.error().message, Catch::Contains("has 5 values; the limit is 3"));
    // the position is the fourth value
    const std::size_t fourth = q.find(std::string(op) == "in" ? "3" : "\"v3");
    CHECK(r.error().where.column == fourth + 1);
  }
  auto call = eqlite::compile(R"(any where concat(a, b, c, d) == "x")", o);
  REQUIRE_FALSE(call.ok());
  CHECK(call.error().code == ErrorCode::LimitExceeded);
  CHECK_THAT(call.error().message, Catch::Contains("[concat] has 4 values"));
}

TEST_CASE("a 100,000-value in list and a 100,000-pattern list compile and work", "[limits]") {
  // The default limit is far above what real rules use (Elastic's longest lists have a few
  // hundred values); the sets are hashed, so membership does not scan the list.
  auto in = eqlite::compile(list_query("in", 100000, false));
  REQUIRE(in.ok());
  CHECK(matches(*in, R"({"a": 99999})"));
  CHECK(matches(*in, R"({"a": "4711"})"));  // S8: a numeric string equals the number
  CHECK_FALSE(matches(*in, R"({"a": 100000})"));
  auto wild = eqlite::compile(list_query(":", 100000, true));
  REQUIRE(wild.ok());
  CHECK(matches(*wild, R"({"a": "v99999-and-more"})"));
  CHECK(matches(*wild, R"({"a": "V5"})"));  // `:` is case-insensitive
  CHECK_FALSE(matches(*wild, R"({"a": "w1"})"));
}

TEST_CASE("max_pattern_length applies to wildcards and regexes", "[limits]") {
  CompileOptions o;
  o.max_pattern_length = 10;
  CHECK(eqlite::compile(R"(any where a : "0123456789")", o).ok());
  for (const char* q :
       {R"(any where a : ("x", "0123456789A"))", R"(any where a like "0123456789A")",
        R"(any where a regex "0123456789A")"}) {
    INFO(q);
    auto r = eqlite::compile(q, o);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::LimitExceeded);
    CHECK_THAT(r.error().message, Catch::Contains("11 bytes long; the limit is 10"));
    CHECK(r.error().where.column == std::string(q).find("\"0123") + 1);
  }
}

TEST_CASE("max_regex_memory: a regex too big to compile is a limit error at that regex",
          "[limits]") {
  CompileOptions o;
  o.max_regex_memory = 4096;
  const std::string q = R"(any where a regex ("ok", "[a-z]{1000}"))";
  auto r = eqlite::compile(q, o);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::LimitExceeded);
  CHECK_THAT(r.error().message, Catch::Contains("max_regex_memory"));
  CHECK(r.error().where.column == q.find("\"[a-z]") + 1);
  // with the default (RE2's 8 MiB) the same regex is fine
  CHECK(eqlite::compile(q).ok());
  // RE2's own repetition limit is a regex error, not a crash
  auto rep = eqlite::compile(R"(any where a regex "(a{1000}){1000}")");
  REQUIRE_FALSE(rep.ok());
  CHECK(rep.error().code == ErrorCode::BadRegex);
}

TEST_CASE("ReaderOptions::max_depth counts nesting levels; read and skipped parts alike",
          "[limits]") {
  ReaderOptions o;
  o.max_depth = 3;
  JsonReader r(std::vector<std::string>{"a.b"}, o);
  Event e;
  // three levels: the event object, a, and the array under b
  REQUIRE(r.read(R"({"a": {"b": [1, 2]}})", e).ok());
  CHECK(e.values(0).size() == 2);
  REQUIRE(r.read(R"({"z": {"y": [1, 2]}, "a": {"b": 1}})", e).ok());
  for (const char* four : {R"({"a": {"b": [[1]]}})", R"({"z": {"y": [[1]]}, "a": {"b": 1}})",
                           R"({"a": {"c": {"d": [1]}}})"}) {
    INFO(four);
    auto ok = r.read(four, e);
    REQUIRE_FALSE(ok.ok());
    CHECK(ok.error().code == ErrorCode::BadJson);
    CHECK(ok.error().message == "the event nests deeper than 3 levels (max_depth)");
    CHECK(e.values(0).empty());
  }
  // the default is 512; no setting goes beyond simdjson's own limit
  ReaderOptions huge;
  huge.max_depth = 1000000;
  JsonReader deep(std::vector<std::string>{"a"}, huge);
  const std::string doc = "{\"a\":" + std::string(5000, '[') + std::string(5000, ']') + "}";
  auto ok = deep.read(doc, e);
  REQUIRE_FALSE(ok.ok());
  CHECK(ok.error().message == "the event nests deeper than 1000 levels (max_depth)");
}

TEST_CASE("ReaderOptions::max_event_bytes", "[limits]") {
  ReaderOptions o;
  o.max_event_bytes = 15;
  JsonReader r(std::vector<std::string>{"a"}, o);
  Event e;
  REQUIRE(r.read(R"({"a": "123456"})", e).ok());  // 15 bytes
  auto ok = r.read(R"({"a": "1234567"})", e);
  REQUIRE_FALSE(ok.ok());
  CHECK(ok.error().code == ErrorCode::BadJson);
  CHECK(ok.error().message == "the event is 16 bytes long; the limit is 15 (max_event_bytes)");
}

TEST_CASE("wildcards built to backtrack match in time linear in the value", "[limits]") {
  using eqlite::internal::PatternSet;
  // Each '*' takes the leftmost match of the next segment and never backs up (S6), so these
  // finish at once; a backtracking matcher needs ~n^5 steps on them.
  const std::string as(1 << 20, 'a');
  CHECK_FALSE(PatternSet::glob(as, "*a*a*a*a*a*b"));
  CHECK(PatternSet::glob(as + "b", "*a*a*a*a*a*b"));
  CHECK_FALSE(PatternSet::glob(as, "*aa?a*aaa?b*a"));
  CHECK(PatternSet::glob(as + "xb" + as, "*aa?a*aaa?b*a"));
  CHECK_FALSE(PatternSet::glob(as, "a*" + std::string(1000, 'a') + "b*"));
  // ... and so do the same patterns through a compiled rule
  auto q = eqlite::compile(R"(any where a : ("*a*a*a*a*a*b", "*a?a?a?a?c") or a regex "(a+)+b")");
  REQUIRE(q.ok());
  CHECK_FALSE(matches(*q, "{\"a\": \"" + as + "\"}"));
  CHECK(matches(*q, "{\"a\": \"" + as + "c\"}"));
}
