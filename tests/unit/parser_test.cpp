// tests/unit/parser_test.cpp — the grammar (semantics.md P1-P8): accept tables checked against
// the AST dump (and the print -> re-parse round trip), reject tables checked for line, column
// and message.
#include <catch2/catch.hpp>
#include <string>

#include "parser/parse.hpp"

using eqlite::ErrorCode;
using eqlite::internal::parse;
using eqlite::internal::ParseLimits;

namespace {

struct Accept {
  const char* rule;  // the contract rule the case shows
  const char* query;
  const char* sexpr;
};

// clang-format off
const Accept kAccept[] = {
  // P1 query forms
  {"P1", "process where true", R"((query "process" (bool true)))"},
  {"P1", "any where x == 1", "(query any (== (field x) (int 1)))"},
  {"P1", R"("my-category" where x == 1)", R"((query "my-category" (== (field x) (int 1))))"},
  {"P1", R"("""raw cat""" where x)", R"((query "raw cat" (field x)))"},
  // P2 pipes
  {"P2", "any where true | head 5 | tail 2", "(query any (bool true) (pipe head (int 5)) (pipe tail (int 2)))"},
  {"P2", "any where true | unique a, b", "(query any (bool true) (pipe unique (field a) (field b)))"},
  // P3 strings: every escape, \u{}, raw strings
  {"P3", R"(any where a == "t\tn\nr\rb\bf\fq\"s\'k\\")", R"((query any (== (field a) (string "t\tn\nr\rb\bf\fq\"s'k\\"))))"},
  {"P3", R"(any where a == "\u{e9}\u{1F600}\u{0041}")", "(query any (== (field a) (string \"\xC3\xA9\xF0\x9F\x98\x80\x41\")))"},
  {"P3", R"(any where a == """C:\Windows\System32""")", R"((query any (== (field a) (string "C:\\Windows\\System32"))))"},
  {"P3", R"(any where a == """"quoted"""")", R"((query any (== (field a) (string "\"quoted\""))))"},
  {"P3", R"(any where a == "")", R"((query any (== (field a) (string ""))))"},
  // P4 numbers: no sign in the literal, int64 or double
  {"P4", "any where a == -5", "(query any (== (field a) (neg (int 5))))"},
  {"P4", "any where a == 1.", "(query any (== (field a) (double 1.0)))"},
  {"P4", "any where a == .5", "(query any (== (field a) (double 0.5)))"},
  {"P4", "any where a == 1e5", "(query any (== (field a) (double 100000.0)))"},
  {"P4", "any where a == 1.5E-3", "(query any (== (field a) (double 0.0015)))"},
  {"P4", "any where a == 9223372036854775807", "(query any (== (field a) (int 9223372036854775807)))"},
  {"P4", "any where a == 9223372036854775808", "(query any (== (field a) (double 9.2233720368547758e+18)))"},
  {"P4", "any where a == null or b == false", "(query any (or (== (field a) (null)) (== (field b) (bool false))))"},
  // P5 fields
  {"P5", "any where @timestamp > 0", "(query any (> (field @timestamp) (int 0)))"},
  {"P5", "any where `my-field`.`@x y` == 1", "(query any (== (field `my-field`.`@x y`) (int 1)))"},
  {"P5", "any where `a``b` == 1", "(query any (== (field `a``b`) (int 1)))"},
  {"P5", "any where ?user.id == null", "(query any (== (field ?user.id) (null)))"},
  {"P5", "any where process.any == 1 and a.in == 2", "(query any (and (== (field process.any) (int 1)) (== (field a.in) (int 2))))"},
  {"P5", "any where `sequence` == 20", "(query any (== (field `sequence`) (int 20)))"},
  // P6: keywords are lower case; `notes`, `index`, `andy` are identifiers
  {"P6", "any where notes == 1 and index == 2 or andy", "(query any (or (and (== (field notes) (int 1)) (== (field index) (int 2))) (field andy)))"},
  // P7 comments (nestable block comments)
  {"P7", "any /* c /* nested */ still */ where // to end of line\n a == 1", "(query any (== (field a) (int 1)))"},
  {"P7", "any where a / b == 1 // c", "(query any (== (/ (field a) (field b)) (int 1)))"},
  // P8 precedence
  {"P8", "any where not a == 1 and b or c", "(query any (or (and (not (== (field a) (int 1))) (field b)) (field c)))"},
  {"P8", "any where not not a", "(query any (not (not (field a))))"},
  {"P8", "any where a + b * c - d % e == 0", "(query any (== (- (+ (field a) (* (field b) (field c))) (% (field d) (field e))) (int 0)))"},
  {"P8", "any where 1 + x in (3)", "(query any (+ (int 1) (in (field x) (int 3))))"},
  {"P8", "any where -x in (1)", "(query any (neg (in (field x) (int 1))))"},
  {"P8", "any where (1 + x) in (3, y)", "(query any (in (+ (int 1) (field x)) (int 3) (field y)))"},
  {"P8", R"(any where x not in ("a", "b"))", R"((query any (not in (field x) (string "a") (string "b"))))"},
  {"P8", R"(any where x not in~ ("a"))", R"((query any (not in~ (field x) (string "a"))))"},
  {"P8", R"(any where x in~ ("a"))", R"((query any (in~ (field x) (string "a"))))"},
  {"P8", R"(any where x : ("a", "b*"))", R"((query any (: (field x) (string "a") (string "b*"))))"},
  {"P8", R"(any where x like "a*" and y like~ ("b", "c"))", R"((query any (and (like (field x) (string "a*")) (like~ (field y) (string "b") (string "c")))))"},
  {"P8", R"(any where x regex "a.*" or x regex~ ("b", """c\d"""))", R"((query any (or (regex (field x) (string "a.*")) (regex~ (field x) (string "b") (string "c\\d")))))"},
  {"P8", "any where a < 1 or a <= 2 or a > 3 or a >= 4 or a != 5", "(query any (or (< (field a) (int 1)) (<= (field a) (int 2)) (> (field a) (int 3)) (>= (field a) (int 4)) (!= (field a) (int 5))))"},
  {"P8", "any where +a == a", "(query any (== (field a) (field a)))"},
  // P9 function-call syntax (names as written; `~` variants)
  {"P9", R"(any where startsWith~(process.name, "cmd") and length(x) > 0)", R"((query any (and (call startsWith~ (field process.name) (string "cmd")) (> (call length (field x)) (int 0)))))"},
  // whitespace everywhere, CRLF line ends
  {"P7", "any\r\nwhere\ta\r\n==\r\n1", "(query any (== (field a) (int 1)))"},
  // Q1: sequences and samples
  {"Q1", "sequence [process where true] [file where true]", "(sequence (stage (query \"process\" (bool true))) (stage (query \"file\" (bool true))))"},
  {"Q1", "sequence by host.id, ?user.name with maxspan = 5 m\n [process where a == 1] by p.id\n ![file where true] by f.id [network where true] by n.id with runs=3\n until [process where b] by q | tail 2",
   "(sequence (by (field host.id) (field ?user.name)) (maxspan 5m) (stage (query \"process\" (== (field a) (int 1))) (by (field p.id))) (missing (query \"file\" (bool true)) (by (field f.id))) (stage (query \"network\" (bool true)) (by (field n.id)) (runs 3)) (until (query \"process\" (field b)) (by (field q))) (pipe tail (int 2)))"},
  {"Q1", "sequence [any where true] with runs=2", "(sequence (stage (query any (bool true)) (runs 2)))"},
  {"Q1", "sample by host.id [process where true] by a [\"file\" where x : \"a*\"] by `a-b`", "(sample (by (field host.id)) (stage (query \"process\" (bool true)) (by (field a))) (stage (query \"file\" (: (field x) (string \"a*\"))) (by (field `a-b`))))"},
};
// clang-format on

struct Reject {
  const char* rule;
  const char* query;
  unsigned line, column;
  const char* message;  // a substring of the message
};

// clang-format off
const Reject kReject[] = {
  {"P1", "where a == 1", 1, 1, "expected an event query: a category"},
  {"P1", "process a == 1", 1, 9, "expected 'where' after the event category"},
  {"P1", "process where", 1, 14, "expected a condition after 'where'"},
  {"P1", "`process` where true", 1, 1, "expected an event query"},
  {"P1", "'process' where true", 1, 1, "single-quoted strings are not supported: use double quotes"},
  {"Q1", "sequence [any where true]", 1, 1, "a sequence needs at least two stages (counting runs)"},
  {"Q1", "sample by host.id [any where true]", 1, 1, "a sample needs at least two stages"},
  {"Q1", "sequence with maxspan=1.5s [a where true] [b where true]", 1, 23, "maxspan takes a whole number"},
  {"Q1", "sequence with maxspan=5 [a where true] [b where true]", 1, 23, "maxspan needs a time unit"},
  {"Q1", "sequence with maxspan=5w [a where true] [b where true]", 1, 24, "unknown time unit [w] in [5w]: use ms, s, m, h or d"},
  {"Q1", "sequence with maxspan=0s [a where true] [b where true]", 1, 23, "maxspan must be positive"},
  {"Q1", "sequence with maxspan=-5s [a where true] [b where true]", 1, 23, "expected a duration after 'maxspan='"},
  {"Q1", "sequence with maxspan=5m by x [a where true] [b where true]", 1, 26, "write the sequence's 'by' before 'with'"},
  {"Q1", "sequence with runs=2 [a where true] [b where true]", 1, 15, "expected 'maxspan=' after 'with'"},
  {"Q1", "sequence [a where true] with runs=101", 1, 35, "runs must be a whole number from 1 to 100"},
  {"Q1", "sequence [a where true] with runs=0 [b where true]", 1, 35, "runs must be a whole number from 1 to 100"},
  {"Q1", "sequence [a where true] with runs=2.5", 1, 36, "expected a whole number after 'runs='"},
  {"Q1", "sequence [a where true] with maxspan=1m [b where true]", 1, 30, "expected 'runs=N' after a stage's 'with'"},
  {"Q1", "sequence [a where true]\n  by x [b where true]", 2, 8, "inconsistent number of join keys: the first stage has 1, this stage has 0"},
  {"Q1", "sequence by k [a where true] by x [b where true] by y until [c where true]", 1, 55, "inconsistent number of join keys: the first stage has 2, 'until' has 1"},
  {"Q1", "sequence [a where true] ![b where true]", 1, 1, "needs 'with maxspan=...'"},
  {"Q1", "sequence with maxspan=1m ![a where true] ![b where true]", 1, 1, "at least one stage that is not missing"},
  {"Q1", "sequence [a where true] [b where true] until ![c where true]", 1, 46, "'until' takes an event query, not a missing event"},
  {"Q1", "sequence [a where true [b where true]", 1, 24, "expected ']' to end the stage"},
  {"Q1", "sequence [a where true] [where true]", 1, 26, "expected an event query inside '[ ]'"},
  {"Q1", "sequence by 1 [a where true] [b where true]", 1, 13, "expected a field name after 'by' (join keys are fields)"},
  {"Q1", "sequence by host.id", 1, 20, "expected a stage in brackets"},
  {"Q1", "sample by x [a where true] with runs=2 [b where true]", 1, 38, "a sample's stages take no 'with runs'"},
  {"Q1", "sample by x with maxspan=1m [a where true] [b where true]", 1, 13, "a sample takes no 'with'"},
  {"Q1", "sample by x [a where true] ![b where true]", 1, 28, "a sample cannot have a missing event"},
  {"Q1", "sample [a where true] [b where true]", 1, 1, "a sample needs join keys"},
  {"Q1", "sample by x [a where true] [b where true] | head 1", 1, 43, "a sample takes no pipes"},
  {"P1", "join [any where true]", 1, 1, "join queries are not supported"},
  {"P2", "any where a == 1 |", 1, 19, "expected a pipe name after '|'"},
  {"P3", R"(any where a == "C:\Windows")", 1, 19, "invalid escape sequence: write \\\\ for a backslash, or use a raw string"},
  {"P3", R"(any where a == "abc)", 1, 20, "unterminated string"},
  {"P3", "any where a == \"ab\nc\"", 1, 19, "unterminated string"},
  {"P3", R"(any where a == """abc)", 1, 22, "unterminated raw string"},
  {"P3", R"(any where a == 'abc')", 1, 16, "single-quoted strings are not supported: use double quotes"},
  {"P3", R"(any where a == "\u{D800}")", 1, 17, "surrogate"},
  {"P3", R"(any where a == "\u{110000}")", 1, 17, "beyond U+10FFFF"},
  {"P3", R"(any where a == "\u{1}")", 1, 17, "2 to 8 hex digits"},
  {"P3", R"(any where a == "\u{123456789}")", 1, 17, "2 to 8 hex digits"},
  {"P3", R"(any where a == "\u{12")", 1, 22, "expected '}'"},
  {"P3", R"(any where a == "\u1234")", 1, 17, "invalid escape sequence"},
  {"P5", "any where a[0] == 1", 1, 12, "array indexes are not supported"},
  {"P5", "any where a. == 1", 1, 13, "expected a field name after '.'"},
  {"P5", "any where `abc == 1", 1, 20, "unterminated backtick-quoted field name"},
  {"P6", "process where a == 1 AND b == 2", 1, 22, "keywords are lowercase: write 'and' instead of 'AND'"},
  {"P6", "process where a == 1 Or b == 2", 1, 22, "write 'or' instead of 'Or'"},
  {"P6", "process WHERE a == 1", 1, 9, "write 'where' instead of 'WHERE'"},
  {"P6", "process where NOT a", 1, 15, "write 'not' instead of 'NOT'"},
  {"P6", "any where a == 1 && b == 2", 1, 18, "write 'and' instead of '&&'"},
  {"P6", "any where a == 1 || b == 2", 1, 18, "write 'or' instead of '||'"},
  {"P7", "any where a == 1 /* open", 1, 18, "unterminated comment"},
  {"P7", "any where /* a /* b */ a == 1", 1, 11, "unterminated comment"},
  {"P8", "any where x not like \"a\"", 1, 13, "write 'not x like ...'"},
  {"P3", "any where x : 'a*'", 1, 15, "use double quotes"},
  {"P3", "any where x like (\"a\", 'b')", 1, 24, "use double quotes"},
  {"P8", "any where a = 1", 1, 13, "use '==' to test equality"},
  {"P8", "any where a == 1 == 2", 1, 18, "comparisons cannot be chained"},
  {"P8", "any where a < b <= c", 1, 17, "comparisons cannot be chained"},
  {"P8", "any where a in ()", 1, 17, "a list cannot be empty"},
  {"P8", "any where a in \"x\"", 1, 16, "expected a parenthesised list of values"},
  {"P8", "any where a in (1,)", 1, 19, "expected a value after ','"},
  {"P8", "any where a : 1", 1, 15, "expected a string literal or a parenthesised list of string literals"},
  {"P8", "any where a like (\"x\", b)", 1, 24, "patterns must be string literals"},
  {"P8", "any where (a == 1", 1, 18, "expected ')'"},
  {"P8", "any where a ==", 1, 15, "expected a value after the comparison operator"},
  {"P8", "any where a + ", 1, 14, "expected a value after the operator"},
  {"P8", "any where a and", 1, 16, "expected a condition after 'and'"},
  {"P8", "any where a or not", 1, 19, "expected a condition after 'not'"},
  {"P8", "any where a b", 1, 13, "expected 'and', 'or', a comparison, a pipe '|' or the end of the query"},
  {"P8", "any where f(a,", 1, 15, "expected a function argument after ','"},
  // positions on later lines
  {"P8", "process where\n  a == 1 and\n  b ==", 3, 7, "expected a value after the comparison operator"},
  {"P8", "process where a == 1\n\tand b = 2", 2, 8, "use '=='"},
};
// clang-format on

}  // namespace

TEST_CASE("the grammar accepts every P1-P8 form and builds the expected AST", "[parser]") {
  for (const auto& c : kAccept) {
    INFO(c.rule << ": " << c.query);
    auto r = parse(c.query);
    if (!r) FAIL("rejected: " << r.error().format(c.query));
    CHECK(eqlite::ast::to_sexpr(*r) == c.sexpr);
    // print -> re-parse gives the same tree
    std::string printed = eqlite::ast::to_eql(*r);
    INFO("printed: " << printed);
    auto again = parse(printed);
    REQUIRE(again.ok());
    CHECK(eqlite::ast::to_sexpr(*again) == c.sexpr);
  }
}

TEST_CASE("syntax errors give line:column and say what was expected", "[parser]") {
  for (const auto& c : kReject) {
    INFO(c.rule << ": " << c.query);
    auto r = parse(c.query);
    REQUIRE_FALSE(r.ok());
    INFO(r.error().format(c.query));
    CHECK(r.error().where.line == c.line);
    CHECK(r.error().where.column == c.column);
    CHECK_THAT(r.error().message, Catch::Contains(c.message));
  }
}

TEST_CASE("unsupported query forms carry ErrorCode::Unsupported", "[parser]") {
  auto r = parse("join [any where true] [any where true]");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::Unsupported);
  auto s = parse("any where a = 1");
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::Syntax);
}

TEST_CASE("nesting deeper than max_depth is a limit error, not a stack overflow", "[parser]") {
  ParseLimits limits;
  limits.max_depth = 50;
  auto nested = [](const std::string& open, const std::string& close, int n) {
    std::string q = "any where ";
    for (int i = 0; i < n; ++i)
      q += open;
    q += "a";
    for (int i = 0; i < n; ++i)
      q += close;
    return q;
  };
  CHECK(parse(nested("(", ")", 40), limits).ok());
  for (const auto& [open, close] : std::vector<std::pair<std::string, std::string>>{
           {"(", ")"}, {"not ", ""}, {"-", ""}, {"f(", ")"}}) {
    INFO("nesting with " << open);
    std::string q = nested(open, close, 20000);
    auto r = parse(q, limits);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::LimitExceeded);
    CHECK_THAT(r.error().message, Catch::Contains("nests too deeply"));
    CHECK(r.error().where.line == 1);
  }
  // long operator chains build deep trees: limited too
  std::string chain = "any where a";
  for (int i = 0; i < 100000; ++i)
    chain += " + a";
  chain += " == 1";
  auto r = parse(chain, limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::LimitExceeded);
  // ... while long and/or chains are flat and fine
  std::string ors = "any where a == 0";
  for (int i = 1; i < 5000; ++i)
    ors += " or a == " + std::to_string(i);
  CHECK(parse(ors, limits).ok());
}

TEST_CASE("queries longer than max_query_length are rejected", "[parser]") {
  ParseLimits limits;
  limits.max_query_length = 20;
  auto r = parse("any where a == \"0123456789\"", limits);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::LimitExceeded);
  CHECK(parse("any where a == 1", limits).ok());
}

TEST_CASE("spans point at the source text", "[parser]") {
  const std::string q = "any where  process.name == \"x\"";
  auto r = parse(q);
  REQUIRE(r.ok());
  const auto& cmp = std::get<eqlite::ast::Compare>(r->where.node);
  CHECK(q.substr(cmp.lhs->span.begin, cmp.lhs->span.end - cmp.lhs->span.begin) == "process.name");
  CHECK(q.substr(cmp.rhs->span.begin, cmp.rhs->span.end - cmp.rhs->span.begin) == "\"x\"");
}
