// tests/unit/compiler_test.cpp — bytecode goldens (a sanity check of the code shapes, as re2's
// compile_test says: confidence comes from running the VM), compile-time errors with
// positions, and the verifier rejecting malformed programs.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "eqlite/eqlite.hpp"
#include "eval/program.hpp"

using eqlite::compile;
using eqlite::ErrorCode;
using eqlite::internal::Instruction;
using eqlite::internal::Opcode;
using eqlite::internal::Program;

namespace {

struct Golden {
  const char* query;
  const char* code;
};

// clang-format off
const Golden kGolden[] = {
  // P1: a category is a fused exact comparison on event.category, and-ed with the condition
  {R"(process where process.name == "cmd.exe")",
   "0000  field_str_eq   event.category == literal \"process\"\n"
   "0001  jump_if_false  -> 3\n"
   "0002  field_str_eq   process.name == literal \"cmd.exe\"\n"
   "0003  return\n"},
  // S3: != is not(==); a bare field is field == true; and/or short-circuit
  {R"(any where a != "x" or (b and not c))",
   "0000  field_str_eq   a == literal \"x\"\n"
   "0001  not\n"
   "0002  jump_if_true   -> 7\n"
   "0003  field_compare  b == literal true\n"
   "0004  jump_if_false  -> 7\n"
   "0005  field_compare  c == literal true\n"
   "0006  not\n"
   "0007  return\n"},
  // literal on the left: swapped and mirrored; constants folded (-5)
  {R"(any where 10 < a and a >= -5)",
   "0000  field_compare  a > literal 10\n"
   "0001  jump_if_false  -> 3\n"
   "0002  field_compare  a >= literal -5\n"
   "0003  return\n"},
  // S4: an expression over fields is evaluated for every combination of values
  {R"(any where a + 1 > b)",
   "0000  for_any        (a, b) -> 7\n"
   "0001  push_field     a\n"
   "0002  push_const     1\n"
   "0003  add\n"
   "0004  push_field     b\n"
   "0005  compare        >\n"
   "0006  end_any\n"
   "0007  return\n"},
  // in: constant members in one set; other members compared one by one
  {R"(any where a in ("x", "y", b) and c not in~ ("Z"))",
   "0000  field_in_set   a set#0 (2 values)\n"
   "0001  jump_if_true   -> 7\n"
   "0002  for_any        (a, b) -> 7\n"
   "0003  push_field     a\n"
   "0004  push_field     b\n"
   "0005  compare        ==\n"
   "0006  end_any\n"
   "0007  jump_if_false  -> 10\n"
   "0008  field_in_set   c set#1 ci (1 values)\n"
   "0009  not\n"
   "0010  return\n"},
  // : and like~ fold patterns at compile time; regex is one alternation
  {R"(any where a : ("Foo*", "BAR") or b like "x?" or c regex~ ("a+", "b"))",
   "0000  field_match    a ci (\"foo*\", \"bar\")\n"
   "0001  jump_if_true   -> 5\n"
   "0002  field_match    b (\"x?\")\n"
   "0003  jump_if_true   -> 5\n"
   "0004  field_regex    c ci /(?:a+)|(?:b)/\n"
   "0005  return\n"},
};
// clang-format on

struct CompileReject {
  const char* query;
  ErrorCode code;
  unsigned line, column;
  const char* message;
};

// clang-format off
const CompileReject kReject[] = {
  {R"(any where length(a, b) > 1)", ErrorCode::Syntax, 1, 11, "function [length] takes 1 argument, length(source); got 2"},
  {R"(any where between(a, "x") == "")", ErrorCode::Syntax, 1, 11, "function [between] takes 3 to 4 arguments, between(source, left, right[, greedy]); got 2"},
  {R"(any where concat() == "")", ErrorCode::Syntax, 1, 11, "function [concat] takes 1 or more arguments"},
  {R"(any where length~(a) > 1)", ErrorCode::Syntax, 1, 11, "function [length] has no case-insensitive form"},
  {R"(any where lenght(a) > 1)", ErrorCode::UnknownName, 1, 11, "unknown function [lenght], did you mean [length]?"},
  {R"(any where wildcard(a, "x*"))", ErrorCode::UnknownName, 1, 11, "unknown function [wildcard]"},
  {R"(any where number(a, b) == 1)", ErrorCode::Syntax, 1, 21, "the base of [number] must be a literal"},
  {R"(any where number(a, 99) == 1)", ErrorCode::Syntax, 1, 21, "the base of [number] is an integer from 2 to 36"},
  {R"(any where between(a, "x", "y", 1) == "")", ErrorCode::Syntax, 1, 32, "the greedy flag of [between] is true or false"},
  {R"(any where cidrMatch(ip, "10.0.0.0/33"))", ErrorCode::Syntax, 1, 25, "invalid CIDR block"},
  // Elasticsearch rejects a prefix on an IPv6-mapped IPv4 address (found by fuzzing)
  {R"(any where cidrMatch(ip, "10.0.0.0/8", "::ffff:10.0.0.0/104"))", ErrorCode::Syntax, 1, 39, "IPv6-mapped IPv4 address cannot have a /prefix"},
  {R"(any where cidrMatch(ip, net))", ErrorCode::Syntax, 1, 25, "the CIDR block of [cidrMatch] must be a literal"},
  {R"(any where a regex ("ok", "(unclosed"))", ErrorCode::BadRegex, 1, 26, "invalid regex: missing ): (unclosed"},
  {R"(any where true | count)", ErrorCode::Unsupported, 1, 16, "pipe [count] is not supported"},
  {R"(any where true | sort a)", ErrorCode::Unsupported, 1, 16, "pipe [sort] is not supported"},
  {R"(any where true | frobnicate)", ErrorCode::UnknownName, 1, 16, "unknown pipe [frobnicate]"},
  {R"(any where true | head -1)", ErrorCode::Syntax, 1, 16, "pipe [head] takes one non-negative integer"},
  {R"(any where true | tail)", ErrorCode::Syntax, 1, 16, "pipe [tail] takes one non-negative integer"},
  {"process where\n  a == 1 and\n  length(b, c) > 2", ErrorCode::Syntax, 3, 3, "function [length] takes 1 argument"},
};
// clang-format on

}  // namespace

TEST_CASE("bytecode goldens", "[compiler]") {
  for (const auto& g : kGolden) {
    INFO(g.query);
    auto q = compile(g.query);
    if (!q) FAIL(q.error().format(g.query));
    CHECK(q->disassemble() == g.code);
  }
}

TEST_CASE("compile errors name the problem and its position", "[compiler]") {
  for (const auto& c : kReject) {
    INFO(c.query);
    auto q = compile(c.query);
    REQUIRE_FALSE(q.ok());
    INFO(q.error().format(c.query));
    CHECK(q.error().code == c.code);
    CHECK(q.error().where.line == c.line);
    CHECK(q.error().where.column == c.column);
    CHECK_THAT(q.error().message, Catch::Contains(c.message));
  }
}

TEST_CASE("function names are case-insensitive; calls over literals are folded", "[compiler]") {
  auto q = eqlite::compile(R"(any where STARTSWITH~(a, "x") and startswith(a, "y"))");
  REQUIRE(q.ok());
  CHECK_THAT(q->disassemble(), Catch::Contains("call           startsWith~/2"));
  CHECK_THAT(q->disassemble(), Catch::Contains("call           startsWith/2"));
  auto folded = eqlite::compile(R"(any where a == concat("x", 1 + 2, number("0x10")))");
  REQUIRE(folded.ok());
  CHECK(folded->disassemble() == "0000  field_str_eq   a == literal \"x316\"\n0001  return\n");
}

TEST_CASE("fields are interned once, in first-use order", "[compiler]") {
  auto q = compile(R"(process where a == 1 and b == 2 and a == 3 and a.b : "x")");
  REQUIRE(q.ok());
  CHECK(q->fields() == std::vector<std::string>{"event.category", "a", "b", "a.b"});
  eqlite::CompileOptions opts;
  opts.category_field = "event.type";
  auto q2 = compile("process where true", opts);
  REQUIRE(q2.ok());
  CHECK(q2->fields() == std::vector<std::string>{"event.type"});
}

TEST_CASE("head and tail pipes are recorded in order", "[compiler]") {
  auto q = compile("any where true | head 10 | tail 3");
  REQUIRE(q.ok());
  REQUIRE(q->pipes().size() == 2);
  CHECK(q->pipes()[0].kind == eqlite::PipeStage::Kind::Head);
  CHECK(q->pipes()[0].n == 10);
  CHECK(q->pipes()[1].kind == eqlite::PipeStage::Kind::Tail);
  CHECK(q->pipes()[1].n == 3);
}

namespace {

Program program(std::vector<Instruction> code) {
  Program p;
  p.code = std::move(code);
  p.fields = {"a"};
  p.constants.resize(1);
  p.constants[0].kind = eqlite::ValueKind::Bool;
  return p;
}

void expect_rejected(std::vector<Instruction> code, const char* why) {
  Program p = program(std::move(code));
  auto r = verify(p);
  INFO(p.disassemble());
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains(why));
}

}  // namespace

TEST_CASE("the verifier accepts well-formed programs and computes max_stack", "[compiler]") {
  Program p = program({{Opcode::PushConst, 0, 0, 0},
                       {Opcode::PushConst, 0, 0, 0},
                       {Opcode::Compare, 0, 0, 0},
                       {Opcode::Return}});
  REQUIRE(verify(p).ok());
  CHECK(p.max_stack >= 2);
}

TEST_CASE("the verifier rejects malformed programs", "[compiler]") {
  expect_rejected({{Opcode::Compare}, {Opcode::Return}}, "stack underflow");
  expect_rejected({{Opcode::PushConst, 0, 0, 7}, {Opcode::Return}}, "constant out of range");
  expect_rejected({{Opcode::FieldCompare, 0, 3, 0}, {Opcode::Return}}, "operand out of range");
  // field_str_eq: only == against a string literal, case-sensitively (the constant is a bool)
  expect_rejected({{Opcode::FieldStrEq, eqlite::internal::kCmpLiteral, 0, 0}, {Opcode::Return}},
                  "field_str_eq needs == against a string literal");
  expect_rejected({{Opcode::PushConst, 0, 0, 0}, {Opcode::JumpIfTrue, 0, 0, 0}, {Opcode::Return}},
                  "jump target must be forward");
  expect_rejected({{Opcode::PushConst, 0, 0, 0}, {Opcode::JumpIfTrue, 0, 0, 9}, {Opcode::Return}},
                  "jump target must be forward");
  expect_rejected({{Opcode::PushConst, 0, 0, 0}, {Opcode::PushConst, 0, 0, 0}, {Opcode::Return}},
                  "return needs exactly one value");
  expect_rejected({{Opcode::PushConst, 0, 0, 0}, {Opcode::Not}}, "must end with return");
  expect_rejected({{Opcode::PushConst, 0, 0, 0}, {Opcode::Compare, 0x07, 0, 0}, {Opcode::Return}},
                  "stack underflow");
  expect_rejected({{Opcode::EndAny}, {Opcode::Return}}, "stack underflow");
  {
    Program p = program({{Opcode::ForAny, 0, 0, 3},
                         {Opcode::PushField, 0, 0, 0},
                         {Opcode::Not},  // not an end_any before the target
                         {Opcode::Return}});
    p.fieldsets = {{0}};
    REQUIRE_FALSE(verify(p).ok());
  }
  {
    Program p = program({{Opcode::ForAny, 0, 0, 3},
                         {Opcode::PushField, 0, 0, 0},
                         {Opcode::EndAny},
                         {Opcode::Return}});
    p.fieldsets = {{0}};
    CHECK(verify(p).ok());
    p.fieldsets = {{5}};
    CHECK_FALSE(verify(p).ok());  // field out of range
  }
  {
    // a body that leaves two values
    Program p = program({{Opcode::ForAny, 0, 0, 4},
                         {Opcode::PushField, 0, 0, 0},
                         {Opcode::PushField, 0, 0, 0},
                         {Opcode::EndAny},
                         {Opcode::Return}});
    p.fieldsets = {{0}};
    auto r = verify(p);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("exactly one value"));
  }
}

TEST_CASE("regex~ keeps one-letter Unicode classes (\\pL, \\PN) as written", "[compiler]") {
  // found by fuzzing: the class letter was folded to lower case ("\pl" is no class)
  for (const char* q : {R"(any where a regex~ "\\pL+")", R"(any where a regex~ "x\\PN")",
                        R"(any where cidrMatch(ip, "::ffff:10.1.2.3"))"}) {
    INFO(q);
    auto r = compile(q);
    if (!r) FAIL(r.error().message);
  }
  eqlite::Vm vm;
  eqlite::FlatEvent e;
  e.add("a", "ÉtéX");
  CHECK(vm.matches(*compile(R"(any where a regex~ "\\pL+")"), e));
  CHECK_FALSE(vm.matches(*compile(R"(any where a regex~ "\\pN+")"), e));
  eqlite::FlatEvent ip;
  ip.add("ip", "10.1.2.3");
  CHECK(vm.matches(*compile(R"(any where cidrMatch(ip, "::ffff:10.1.2.3"))"), ip));
}

namespace {

// Program::anchors as text: one line per necessary condition, its alternatives joined by " | ";
// `f == [...]` exact keys, `f *= [...]` contains keys, `~` when folded, `f exists` for any value.
std::string anchors_of(const char* text) {
  auto q = compile(text);
  if (!q) return "error: " + q.error().message;
  const Program& p = q->program();
  std::string out;
  for (const auto& alternatives : p.anchors) {
    for (std::size_t i = 0; i < alternatives.size(); ++i) {
      const auto& a = alternatives[i];
      out += i ? " | " : "";
      out += p.fields[a.field];
      if (a.kind == eqlite::internal::Anchor::Kind::Exists) {
        out += " exists";
        continue;
      }
      out += a.kind == eqlite::internal::Anchor::Kind::Exact ? " ==" : " *=";
      out += a.folded ? "~ [" : " [";
      for (std::size_t k = 0; k < a.keys.size(); ++k)
        out += (k ? "," : "") + a.keys[k];
      out += "]";
    }
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("anchors: exact keys and the necessary literals of wildcard patterns", "[compiler]") {
  // P1 + S5: a category, `==`, `in~` (folded); `==`/`in` never treat `*`/`?` as wildcards (S6)
  CHECK(anchors_of(R"(process where a == "X*" and b in~ ("Y?", "z"))") ==
        "event.category == [process]\na == [X*]\nb ==~ [y?,z]\n");
  // S6: `:` and `like~` fold (S5), `like` does not; the longest literal run between `*`/`?`
  CHECK(anchors_of(R"(any where a : "*PowerShell*")") == "a *=~ [powershell]\n");
  CHECK(anchors_of(R"(any where a like "*PowerShell*")") == "a *= [PowerShell]\n");
  CHECK(anchors_of(R"(any where a like~ "C:\\Windows\\*.EXE")") == "a *=~ [c:\\windows\\]\n");
  // `?` is a wildcard too; equal runs: the first
  CHECK(anchors_of(R"(any where a : "ab?cd*xy")") == "a *=~ [ab]\n");
  CHECK(anchors_of(R"(any where a like "?*abc?de")") == "a *= [abc]\n");
  // S6: no escape: a backslash before `*` is an ordinary character, the `*` still a wildcard
  CHECK(anchors_of(R"(any where a like "ab\\*c")") == "a *= [ab\\]\n");
  // a list: its plain patterns are exact keys, the others contain keys, either may hold
  CHECK(anchors_of(R"(any where a : ("x.exe", "*-enc*", "*IEX*", "-enc*"))") ==
        "a ==~ [x.exe] | a *=~ [-enc,iex]\n");
  // no literal run in one pattern: the predicate holds for values we know nothing of, but
  // only for a value (S2)
  CHECK(anchors_of(R"(any where a : ("*x*", "*"))") == "a exists\n");
  CHECK(anchors_of(R"(any where a like ("?*", "x*"))") == "a exists\n");
  CHECK(anchors_of(R"(any where a : "**" and b : "???")") == "a exists\nb exists\n");
  // S2: `<`...`>=` need a value, and so does `!= null`; S3: `!=` and `== null` do not, and
  // `not` never gives a necessary condition
  CHECK(anchors_of(R"(any where a > 4 and b <= "m" and 5 < c)") ==
        "a exists\nb exists\nc exists\n");
  CHECK(anchors_of(R"(any where a != null and null != b)") == "a exists\nb exists\n");
  CHECK(anchors_of(R"(any where a != "x" and b == null and not c > 1 and not d != null)").empty());
  CHECK(anchors_of(R"(any where a < null)").empty());
  CHECK(anchors_of(R"(any where a == b and length(c) > 1)").empty());  // not field vs constant
  // S3: negations are never necessary conditions
  CHECK(anchors_of(R"(any where not a : "*x*")").empty());
  CHECK(anchors_of(R"(any where a : "*x*" and not b like "*y*")") == "a *=~ [x]\n");
  // S8: a number or boolean literal meets a string value only as its JSON text
  CHECK(anchors_of(R"(any where a == 4624 and b in (1, 2.5, true) and c in~ (7, "X"))") ==
        "a == [4624]\nb == [1,2.5,true]\nc ==~ [7,x]\n");
  CHECK(anchors_of(R"(any where a == 1.0)") == "a == [1.0]\n");
  CHECK(anchors_of(R"(any where a == null)").empty());
  // S7: a regex's necessary literals (RE2's prefilter, 3 bytes or more), ASCII-folded: every
  // value the regex matches contains one of them, in some case
  CHECK(anchors_of(R"(any where a regex "abc.*")") == "a *=~ [abc]\n");
  CHECK(anchors_of(R"(any where a regex~ "X(Foo|Bar)\\d+")") == "a *=~ [xbar,xfoo]\n");
  CHECK(anchors_of(R"(any where a regex ("abc.*", ".*Def"))") == "a *=~ [abc,def]\n");
  // an `and` of literals needs any one of them: the smallest set left, shortest taken out first
  CHECK(anchors_of(R"(any where a regex "(abcd|abce)\\w+xyz")") == "a *=~ [abcd,abce]\n");
  CHECK(anchors_of(R"(any where a regex "(abc|abd)\\w+vwxyz")") == "a *=~ [vwxyz]\n");
  // no literal of 3 bytes, one RE2 folds by Unicode rules, a pattern that needs none: only a
  // value (S2); a negation: nothing (S3)
  CHECK(anchors_of(R"(any where a regex "[a-z]+\\.e")") == "a exists\n");
  CHECK(anchors_of(R"(any where a regex~ ".*ÉCOLE.*")") == "a exists\n");
  CHECK(anchors_of(R"(any where a regex ("abc.*", "[0-9]+"))") == "a exists\n");
  CHECK(anchors_of(R"(any where not a regex "abc.*")").empty());
  // an `or` of an exact and a wildcard predicate: one condition, two alternatives
  CHECK(anchors_of(R"(any where a == "x" or b : "*Yz*")") == "a == [x] | b *=~ [yz]\n");
  CHECK(anchors_of(R"(any where a == "x" or b : "*")") == "a == [x] | b exists\n");
  CHECK(anchors_of(R"(any where a == "x" or b != "y")").empty());
  // an `and` inside an `or`: each of its operands' conditions, with the other branch's
  // (the rule set then chooses by cost)
  CHECK(anchors_of(R"(any where (a : ("*p*", "*q*") and b like "*r*") or c == "s")") ==
        "a *=~ [p,q] | c == [s]\nb *= [r] | c == [s]\n");
  CHECK(anchors_of(R"(any where (a == "1" and b == "2") or (c == "3" and d == "4"))") ==
        "a == [1] | c == [3]\na == [1] | d == [4]\nb == [2] | c == [3]\nb == [2] | d == [4]\n");
  // beyond 32 combinations, first without the conditions any value meets, then a branch
  // offers only its condition with the fewest keys
  const std::string wide =
      "any where (a == \"1\" and b == \"2\") or (c == \"3\" and d == \"4\") or "
      "(e == \"5\" and f == \"6\") or (g == \"7\" and h == \"8\") or "
      "(k == \"0\" and l == \"0\") or (i == \"9\" and j in (\"x\", \"y\"))";
  const std::string wide_anchors = anchors_of(wide.c_str());
  CHECK(std::count(wide_anchors.begin(), wide_anchors.end(), '\n') == 32);
  CHECK(wide_anchors.find("j ==") == std::string::npos);  // i's single key is fewer
  const std::string exists =
      "any where (a == \"1\" and b > 2) or (c == \"3\" and d > 4) or "
      "(e == \"5\" and f > 6) or (g == \"7\" and h > 8) or "
      "(k == \"0\" and l > 0) or (m == \"0\" and n > 0)";
  const std::string exists_anchors = anchors_of(exists.c_str());
  CHECK(exists_anchors == "a == [1] | c == [3] | e == [5] | g == [7] | k == [0] | m == [0]\n");
}

TEST_CASE("a field instruction fused with the jump after it runs as the two would", "[compiler]") {
  // fuse_jumps() sets kThenJump on field_* + jump_if_*; the VM then runs the jump inside the
  // field instruction. Every query here, fused and unfused, must give the same answer on every
  // event (S2: a missing field is false; S4: any value of a multi-valued field).
  using eqlite::internal::kThenJump;
  using eqlite::internal::kThenJumpIfTrue;
  const char* queries[] = {
      R"(any where a == "x" and b in ("1", "2"))",
      R"(any where a == "x" or b : "*z*" or c regex "q.*")",
      R"(any where not (a == "x" or b == "y") or c != "z")",
      R"(any where (a : "x*" or b == "y") and (c in ("z", "w") or a == "q"))",
      R"(any where a == "0" and b > "m" and c < "n")",
  };
  std::vector<eqlite::FlatEvent> events;
  const char* vals[] = {"x", "y", "z", "q", "0", "1", "2", "w", "zz", "qq"};
  for (int i = 0; i < 1000; ++i) {
    eqlite::FlatEvent e;
    if (i % 7) e.add("a", vals[i % 10]);
    if (i % 5) e.add("b", vals[(i / 3) % 10]);
    if (i % 11 == 0) e.add("b", vals[(i / 7) % 10]);  // multi-valued
    if (i % 3) e.add("c", vals[(i / 13) % 10]);
    if (i % 17 == 0) e.add("a", 0);
    events.push_back(std::move(e));
  }
  eqlite::Vm vm;
  for (const char* text : queries) {
    INFO(text);
    auto fused = compile(text);
    REQUIRE(fused.ok());
    auto plain_program = std::make_shared<Program>(fused->program());
    int flagged = 0;
    for (auto& in : plain_program->code) {
      if (in.flags & kThenJump) ++flagged;
      in.flags &= static_cast<std::uint8_t>(~(kThenJump | kThenJumpIfTrue));
    }
    CHECK(flagged > 0);
    REQUIRE(verify(*plain_program).ok());
    const eqlite::Query plain(plain_program);
    int hits = 0;
    for (const auto& e : events) {
      const bool f = vm.matches(*fused, e);
      CHECK(f == vm.matches(plain, e));
      hits += f;
    }
    CHECK(hits > 0);
    CHECK(hits < 1000);
  }
  expect_rejected({{Opcode::FieldCompare, kThenJump, 0, 0}, {Opcode::Not}, {Opcode::Return}},
                  "followed by a jump");
  // the direction bit must say which jump follows (the VM does not read the jump's opcode)
  expect_rejected({{Opcode::FieldCompare, kThenJump | kThenJumpIfTrue, 0, 0},
                   {Opcode::JumpIfFalse, 0, 0, 2},
                   {Opcode::Return}},
                  "jump direction");
  expect_rejected(
      {{Opcode::FieldCompare, kThenJump, 0, 0}, {Opcode::JumpIfTrue, 0, 0, 2}, {Opcode::Return}},
      "jump direction");
  expect_rejected({{Opcode::FieldCompare, kThenJumpIfTrue, 0, 0},
                   {Opcode::JumpIfTrue, 0, 0, 2},
                   {Opcode::Return}},
                  "jump direction");
}
