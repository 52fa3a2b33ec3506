// tests/pack/json_tree_test.cpp — pack/json_tree.hpp, tag [json_tree]: the small strict JSON
// reader of pack/ and cli/ (exception list exports, nested exception entries, the scenarios of
// `eqlite test`): objects (keys in order, a repeated key kept, get() the first), arrays, scalars
// with a number's text kept, escapes and surrogate pairs, raw bytes that must be UTF-8, the
// depth limit, trailing text, and the offset of every error.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include "pack/json_tree.hpp"

using pack::JsonValue;
using Kind = pack::JsonValue::Kind;

namespace {

JsonValue parse_ok(std::string_view text) {
  JsonValue v;
  std::string error;
  std::size_t offset = 0;
  const bool ok = pack::parse_json(text, v, error, offset);
  INFO(std::string(text) << " -> " << error << " at " << offset);
  REQUIRE(ok);
  CHECK(error.empty());
  return v;
}

struct Failure {
  std::string error;
  std::size_t offset = 0;
};

Failure parse_bad(std::string_view text) {
  JsonValue v;
  Failure f;
  const bool ok = pack::parse_json(text, v, f.error, f.offset);
  INFO(std::string(text));
  REQUIRE_FALSE(ok);
  CHECK_FALSE(f.error.empty());
  return f;
}

std::string nested(int levels) {
  return std::string(static_cast<std::size_t>(levels), '[') +
         std::string(static_cast<std::size_t>(levels), ']');
}

}  // namespace

TEST_CASE("objects: keys in order, a repeated key kept, get() finds the first", "[json_tree]") {
  const JsonValue v = parse_ok(R"( {"a":1, "b" : {"c":[true,false,null]}, "a":"second"} )");
  REQUIRE(v.kind == Kind::Object);
  CHECK(v.offset == 1);
  REQUIRE(v.keys.size() == 3);
  REQUIRE(v.items.size() == 3);
  CHECK(v.keys[0] == "a");
  CHECK(v.keys[1] == "b");
  CHECK(v.keys[2] == "a");
  const JsonValue* a = v.get("a");
  REQUIRE(a);
  CHECK(a->kind == Kind::Number);
  CHECK(a->text == "1");
  CHECK(v.items[2].text == "second");
  const JsonValue* b = v.get("b");
  REQUIRE(b);
  CHECK(b->offset == 15);
  const JsonValue* c = b->get("c");
  REQUIRE(c);
  REQUIRE(c->kind == Kind::Array);
  REQUIRE(c->items.size() == 3);
  CHECK(c->items[0].kind == Kind::Bool);
  CHECK(c->items[0].boolean);
  CHECK(c->items[1].kind == Kind::Bool);
  CHECK_FALSE(c->items[1].boolean);
  CHECK(c->items[2].kind == Kind::Null);
  CHECK(v.get("missing") == nullptr);
  CHECK(c->get("a") == nullptr);  // not an object

  const JsonValue empty = parse_ok("{}");
  CHECK(empty.kind == Kind::Object);
  CHECK(empty.keys.empty());
  CHECK(parse_ok("[ ]").items.empty());
}

TEST_CASE("scalars: a whole document may be one; a number keeps its text", "[json_tree]") {
  CHECK(parse_ok("null").kind == Kind::Null);
  CHECK(parse_ok("\"s\"").text == "s");
  const JsonValue n = parse_ok("-12.5e+3");
  CHECK(n.kind == Kind::Number);
  CHECK(n.text == "-12.5e+3");
  CHECK(n.number() == -12500.0);
  CHECK_FALSE(n.integer());

  CHECK(parse_ok("42").integer() == 42);
  CHECK(parse_ok("-0").integer() == 0);
  CHECK(parse_ok("-9223372036854775808").integer() == INT64_MIN);
  const JsonValue big = parse_ok("9223372036854775808");  // beyond int64: a double
  CHECK_FALSE(big.integer());
  CHECK(big.number() == 9223372036854775808.0);
  CHECK_FALSE(parse_ok("1.0").integer());
  CHECK_FALSE(parse_ok("1e2").integer());
  CHECK(parse_ok("1E2").number() == 100.0);
  CHECK(std::isinf(parse_ok("1e400").number()));
  CHECK_FALSE(parse_ok("\"1\"").integer());  // not a number

  CHECK(parse_bad("01").error == "unexpected text after the JSON value");
  CHECK(parse_bad("-").error == "invalid number");
  CHECK(parse_bad("1.").error == "invalid number");
  CHECK(parse_bad("1e").error == "invalid number");
  CHECK(parse_bad("+1").error == "unexpected character '+'");
  CHECK(parse_bad("tru").error == "invalid literal");
  CHECK(parse_bad("nul").error == "invalid literal");
}

TEST_CASE("escapes, surrogate pairs and raw UTF-8 in strings", "[json_tree]") {
  CHECK(parse_ok(R"("\"\\\/\b\f\n\r\t")").text == "\"\\/\b\f\n\r\t");
  CHECK(parse_ok(R"("\u0041\u00e9\u20AC")").text == "A\xc3\xa9\xe2\x82\xac");
  CHECK(parse_ok(R"("\u0000")").text == std::string(1, '\0'));
  CHECK(parse_ok(R"("\ud83d\ude00")").text == "\xf0\x9f\x98\x80");  // U+1F600
  CHECK(parse_ok("\"caf\xc3\xa9 \xf0\x9f\x98\x80\"").text == "caf\xc3\xa9 \xf0\x9f\x98\x80");
  CHECK(parse_ok(R"({"k\u00e9y":1})").keys[0] == "k\xc3\xa9y");

  CHECK(parse_bad(R"("\ud83d")").error == "unpaired surrogate in a \\u escape");
  CHECK(parse_bad(R"("\ud83d\u0041")").error == "unpaired surrogate in a \\u escape");
  CHECK(parse_bad(R"("\ude00")").error == "unpaired surrogate in a \\u escape");
  CHECK(parse_bad(R"("\u12")").error == "a \\u escape needs four hex digits");
  CHECK(parse_bad(R"("\u12g4")").error == "a \\u escape needs four hex digits");
  const Failure esc = parse_bad(R"("ab\x")");
  CHECK(esc.error == "invalid escape '\\x'");
  CHECK(esc.offset == 4);
  CHECK(parse_bad("\"a\tb\"").error == "control character in a string");
  CHECK(parse_bad("\"abc").error == "unterminated string");
  CHECK(parse_bad("\"abc\\").error == "unterminated string");
}

TEST_CASE("raw bytes that are not UTF-8 are refused where they are", "[json_tree]") {
  const std::string cases[] = {
      "\"a\x8b\"",              // a continuation byte alone
      "\"a\xc3\"",              // a truncated sequence
      "\"a\xc0\xaf\"",          // overlong
      "\"a\xe0\x80\xaf\"",      // overlong
      "\"a\xed\xa0\x80\"",      // a surrogate
      "\"a\xf4\x90\x80\x80\"",  // beyond U+10FFFF
      "\"a\xff\"",
  };
  for (const std::string& text : cases) {
    const Failure f = parse_bad(text);
    CHECK(f.error == "invalid UTF-8 in a string");
    CHECK(f.offset == 2);
  }
  const Failure key = parse_bad("{\"k\xff\":1}");
  CHECK(key.error == "invalid UTF-8 in a string");
  CHECK(key.offset == 3);
}

TEST_CASE("the depth limit: 513 levels read, one more refused", "[json_tree]") {
  static_assert(pack::kJsonMaxDepth == 512);
  const JsonValue deep = parse_ok(nested(pack::kJsonMaxDepth + 1));
  CHECK(deep.kind == Kind::Array);
  const Failure f = parse_bad(nested(pack::kJsonMaxDepth + 2));
  CHECK(f.error == "nested too deeply");
  CHECK(f.offset == static_cast<std::size_t>(pack::kJsonMaxDepth + 1));
  // Far deeper input fails the same way (no stack exhaustion).
  CHECK(parse_bad(nested(100000)).error == "nested too deeply");
  const std::string objects = R"({"a":)" + nested(pack::kJsonMaxDepth + 1) + "}";
  CHECK(parse_bad(objects).error == "nested too deeply");
}

TEST_CASE("one document fills the text: trailing text refused", "[json_tree]") {
  CHECK(parse_ok(" \t{\"a\":1}\r\n ").kind == Kind::Object);
  const Failure f = parse_bad(R"({"a":1} x)");
  CHECK(f.error == "unexpected text after the JSON value");
  CHECK(f.offset == 8);
  CHECK(parse_bad(R"({"a":1}{"b":2})").offset == 7);
  CHECK(parse_bad("1 2").offset == 2);
}

TEST_CASE("errors: a message and the byte offset where the text goes wrong", "[json_tree]") {
  struct Case {
    std::string text;
    std::string error;
    std::size_t offset;
  };
  const Case cases[] = {
      {"", "unexpected end of the line", 0},
      {"   ", "unexpected end of the line", 3},
      {R"({"a":)", "unexpected end of the line", 5},
      {R"({"a" 1})", "expected ':' after a key", 5},
      {R"({a:1})", "expected a key in quotes", 1},
      {R"({"a":1,})", "expected a key in quotes", 7},
      {R"({"a":1 "b":2})", "expected ',' or '}' in an object", 7},
      {R"([1,])", "unexpected character ']'", 3},
      {R"([1 2])", "expected ',' or ']' in an array", 3},
      {R"([1)", "expected ',' or ']' in an array", 2},
      {R"({"a":[1,{"b":x}]})", "unexpected character 'x'", 13},
  };
  for (const Case& c : cases) {
    JsonValue v;
    std::string error;
    std::size_t offset = 99;
    INFO(c.text);
    CHECK_FALSE(pack::parse_json(c.text, v, error, offset));
    CHECK(error == c.error);
    CHECK(offset == c.offset);
  }
}

TEST_CASE("kind names, as messages print them", "[json_tree]") {
  CHECK(pack::kind_name(Kind::Null) == "null");
  CHECK(pack::kind_name(Kind::Bool) == "a boolean");
  CHECK(pack::kind_name(Kind::Number) == "a number");
  CHECK(pack::kind_name(Kind::String) == "a string");
  CHECK(pack::kind_name(Kind::Array) == "an array");
  CHECK(pack::kind_name(Kind::Object) == "an object");
}
