// tests/unit/json_reader_test.cpp — JSON events (semantics.md E1-E4): flattening, dotted keys,
// arrays and arrays of objects, escapes, numbers, duplicated keys, bad input, constants, and
// the projection onto the query's fields.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>

#include "eqlite/eqlite.hpp"
#include "support/xorshift.hpp"

using eqlite::ErrorCode;
using eqlite::Event;
using eqlite::JsonReader;
using eqlite::Value;
using eqlite::ValueKind;

namespace {

// The values of each path after reading `json` with a reader over `paths`, as text.
std::vector<std::string> read(const std::vector<std::string>& paths, const std::string& json,
                              std::size_t which) {
  JsonReader r(paths);
  Event e;
  auto ok = r.read(json, e);
  if (!ok) FAIL(ok.error().message);
  std::vector<std::string> out;
  for (const Value& v : e.values(static_cast<std::uint32_t>(which))) {
    switch (v.kind()) {
      case ValueKind::String:
        out.push_back("s:" + std::string(v.as_string()));
        break;
      case ValueKind::Int:
        out.push_back("i:" + std::to_string(v.as_int()));
        break;
      case ValueKind::Double:
        out.push_back("d:" + std::to_string(v.as_double()));
        break;
      case ValueKind::Bool:
        out.push_back(v.as_bool() ? "b:true" : "b:false");
        break;
      case ValueKind::Null:
        out.push_back("null");
        break;
    }
  }
  return out;
}

// Every value of every field, in order, as text (doubles to 17 digits).
std::string dump_event(const Event& e, std::size_t fields) {
  std::string out;
  for (std::uint32_t f = 0; f < fields; ++f) {
    out += std::to_string(f) + "=";
    for (const Value& v : e.values(f)) {
      switch (v.kind()) {
        case ValueKind::String:
          out += "s:" + std::string(v.as_string());
          break;
        case ValueKind::Int:
          out += "i:" + std::to_string(v.as_int());
          break;
        case ValueKind::Double: {
          char buf[64];
          std::snprintf(buf, sizeof buf, "d:%.17g", v.as_double());
          out += buf;
          break;
        }
        case ValueKind::Bool:
          out += v.as_bool() ? "b:1" : "b:0";
          break;
        case ValueKind::Null:
          out += "null";
          break;
      }
      out += ",";
    }
    out += ";";
  }
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("E1: nested objects flatten to dotted paths; dotted keys are the same path", "[json]") {
  CHECK(read({"a.b.c"}, R"({"a":{"b":{"c":"x"}}})", 0) == V{"s:x"});
  CHECK(read({"a.b.c"}, R"({"a.b":{"c":"x"}})", 0) == V{"s:x"});
  CHECK(read({"a.b.c"}, R"({"a.b.c":"x"})", 0) == V{"s:x"});
  // both forms: merged as a multi-value, in document order
  CHECK(read({"a.b"}, R"({"a":{"b":1},"a.b":2})", 0) == V{"i:1", "i:2"});
  // an object has no value of its own
  CHECK(read({"a"}, R"({"a":{"b":1}})", 0).empty());
  CHECK(read({"a", "a.b"}, R"({"a":{"b":1}})", 1) == V{"i:1"});
}

TEST_CASE("E1: a key is matched segment by segment, never by a prefix of a segment", "[json]") {
  // keys that begin like a field's segment but are other names
  CHECK(read({"ab.c"}, R"({"a":{"c":1},"abc":2,"ab":{"cd":3,"c":4},"a.b.c":5,"ab.cd":6})", 0) ==
        V{"i:4"});
  CHECK(read({"a"}, R"({"ab":1,"a.":2,"":3,"a":4})", 0) == V{"i:4"});
  // empty segments are segments: "a." is a then "", ".b" is "" then b
  CHECK(read({"a..b"}, R"({"a":{"":{"b":1}},"a.":{"b":2},"a..b":3,"a.b":4})", 0) ==
        V{"i:1", "i:2", "i:3"});
  CHECK(read({".b"}, R"({"":{"b":1},".b":2,"b":3})", 0) == V{"i:1", "i:2"});
  CHECK(read({"a."}, R"({"a":{"":1},"a.":2,"a":3})", 0) == V{"i:1", "i:2"});
  // several fields under one node, one a prefix of another
  CHECK(read({"x.ab", "x.a", "x.abc"}, R"({"x":{"abc":1,"a":2,"ab":3,"a.b":4}})", 1) == V{"i:2"});
  CHECK(read({"x.ab", "x.a", "x.abc"}, R"({"x":{"abc":1,"a":2,"ab":3,"a.b":4}})", 0) == V{"i:3"});
}

TEST_CASE("E1: names whose first bytes share the trie's filter bucket are told apart", "[json]") {
  // The trie files a node's children by (first byte & 63): 'a' and '!' share a bucket, so do
  // 'C' and the lead byte of "\xC3\x80" (U+00C0), and '@' shares bucket 0 with an empty name
  // (and with keys starting with '.').
  const std::vector<std::string> paths = {"x.a", "x.!", "x.ab", "x.@t", "x.", "x.\xC3\x80", "x.C"};
  const char* doc =
      "{\"x\":{\"!\":1,\"a\":2,\"ab\":3,\"@t\":4,\"\":5,\"\xC3\x80\":6,\"C\":7,\"a!\":8,\"@\":9,"
      "\".\":{\"\":10},\"\xC3\x81\":11,\"B\":12}}";
  CHECK(read(paths, doc, 0) == V{"i:2"});
  CHECK(read(paths, doc, 1) == V{"i:1"});
  CHECK(read(paths, doc, 2) == V{"i:3"});
  CHECK(read(paths, doc, 3) == V{"i:4"});
  CHECK(read(paths, doc, 4) == V{"i:5"});  // the "." key is "x..", its member "x..."
  CHECK(read(paths, doc, 5) == V{"i:6"});
  CHECK(read(paths, doc, 6) == V{"i:7"});
}

TEST_CASE("S4/E1: arrays and arrays of objects are multi-valued", "[json]") {
  CHECK(read({"a"}, R"({"a":[1,"two",true,null,[3]]})", 0) == V{"i:1", "s:two", "b:true", "i:3"});
  CHECK(read({"a.b"}, R"({"a":[{"b":1},{"b":2},{"c":3},{"b":[4,5]}]})", 0) ==
        V{"i:1", "i:2", "i:4", "i:5"});
  CHECK(read({"a"}, R"({"a":[]})", 0).empty());  // S1: an empty array is no value
  CHECK(read({"a"}, R"({"a":null})", 0).empty());
}

TEST_CASE("E3: numbers, strings, escapes, duplicated keys", "[json]") {
  CHECK(read({"n"}, R"({"n":-9223372036854775808})", 0) == V{"i:-9223372036854775808"});
  auto big = read({"n"}, R"({"n":18446744073709551616})", 0);  // beyond int64 and uint64
  REQUIRE(big.size() == 1);
  CHECK(big[0].rfind("d:18446744073709551616", 0) == 0);
  CHECK(read({"n"}, R"({"n":9223372036854775808})", 0).at(0).rfind("d:", 0) == 0);
  CHECK(read({"n"}, R"({"n":1.5e2})", 0) == V{"d:150.000000"});
  {
    JsonReader r({"n"});
    Event e;
    REQUIRE(r.read(R"({"n":1e400})", e).ok());
    REQUIRE(e.values(0).size() == 1);
    CHECK(std::isinf(e.values(0)[0].as_double()));
  }
  CHECK(read({"s"}, R"({"s":"caf\u00e9 \"q\" \\ \ud83d\ude00"})", 0) ==
        V{"s:caf\xC3\xA9 \"q\" \\ \xF0\x9F\x98\x80"});
  CHECK(read({"k\xC3\xA9y"}, R"({"k\u00e9y":1})", 0) == V{"i:1"});  // escaped key
  CHECK(read({"d"}, R"({"d":1,"d":2})", 0) == V{"i:1", "i:2"});     // duplicated key
  CHECK(read({"t", "f"}, R"({"t":true,"f":false})", 1) == V{"b:false"});
}

TEST_CASE("E2: what is not a JSON object is an error, never a crash", "[json]") {
  JsonReader r({"a"});
  Event e;
  struct Bad {
    const char* json;
    const char* message;
  };
  // clang-format off
  const Bad bad[] = {
    {"[1,2]", "not a JSON object (found an array)"},
    {"42", "not a JSON object (found a number)"},
    {"\"s\"", "not a JSON object (found a string)"},
    {"null", "not a JSON object (found null)"},
    {"null ", "not a JSON object (found null)"},  // simdjson's is_null() refused this one
    {" null\t", "not a JSON object (found null)"},
    {"nul", "invalid JSON"},
    {"nullx", "invalid JSON"},
    {"{\"a\":1", "invalid JSON"},
    {"{\"a\":", "invalid JSON"},
    {"{\"a\":1} {\"a\":2}", "invalid JSON"},
    {"{\"a\":1} xyz", "invalid JSON"},
    {"not json", "invalid JSON"},
    {"{\"a\":\"\xFF\"}", "invalid JSON"},       // invalid UTF-8
    {"{\"a\":tru}", "invalid JSON"},
    {"", "invalid JSON"},
  };
  // clang-format on
  for (const auto& b : bad) {
    INFO(b.json);
    auto ok = r.read(b.json, e);
    REQUIRE_FALSE(ok.ok());
    CHECK(ok.error().code == ErrorCode::BadJson);
    CHECK_THAT(ok.error().message, Catch::Contains(b.message));
    // in place, followed by another line's bytes: the same error
    const std::string padded =
        std::string(b.json) + "\n{\"a\":1} null " + std::string(eqlite::kJsonPadding, ' ');
    auto in_place = r.read_padded(std::string_view(padded.data(), std::strlen(b.json)), e);
    REQUIRE_FALSE(in_place.ok());
    CHECK(in_place.error().message == ok.error().message);
  }
  // the reader is still usable after errors
  REQUIRE(r.read(R"({"a":"ok"})", e).ok());
  CHECK(e.values(0).size() == 1);
}

TEST_CASE("deep nesting is an error, not a stack overflow", "[json]") {
  JsonReader r({"a"});
  Event e;
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto ok = r.read(deep, e);
  CHECK_FALSE(ok.ok());
  std::string deep_obj;
  for (int i = 0; i < 5000; ++i)
    deep_obj += "{\"a\":";
  deep_obj += "1" + std::string(5000, '}');
  // also where the query reads nothing: every part of the document is checked
  CHECK_FALSE(r.read(deep_obj, e).ok());
  std::string deep_skipped =
      "{\"z\":" + std::string(100000, '[') + std::string(100000, ']') + ",\"a\":1}";
  CHECK_FALSE(r.read(deep_skipped, e).ok());
  // 500 levels are fine
  std::string ok_depth = "{\"z\":" + std::string(500, '[') + std::string(500, ']') + ",\"a\":1}";
  REQUIRE(r.read(ok_depth, e).ok());
  CHECK(e.values(0).size() == 1);
}

TEST_CASE("E2: a broken part the query does not read still makes the line bad", "[json]") {
  JsonReader r({"a"});
  Event e;
  for (const char* bad : {R"({"a":1,"c":{"d":tru}})", R"({"a":1,"c":[1,,2]})",
                          R"({"a":1,"c":"\x"})", R"({"a":1,"c":01})", R"({"a":1,"c":-})",
                          R"({"a":1,"c":{"d" 1}})", R"({"a":1,"c\q":1})", R"({"c":nul,"a":1})"}) {
    INFO(bad);
    CHECK_FALSE(r.read(bad, e).ok());
  }
  // Closers that do not match their opener, stray and missing commas, in read and unread
  // parts (the structural reader keeps a stack of open containers: each must close in kind).
  for (const char* bad :
       {R"({"a":[1}})", R"({"a":1,"c":[1}})", R"({"a":1,"c":{"d":1]})", R"({"a":{"b":1]})",
        R"({"a":[1,]})", R"({"a":1,})", R"({"a":[,1]})", R"({,"a":1})", R"({"a":1 "b":2})",
        R"({"a" "b"})", R"({"a":1}})", R"({"a":[[1]})", R"({"c":[})", R"({"c":[1 2],"a":1})",
        R"({"c":{"d":1}]})", R"({"a":1]})", R"({"c":[[]]]})"}) {
    INFO(bad);
    CHECK_FALSE(r.read(bad, e).ok());
  }
  REQUIRE(r.read(R"({"a":1,"c":{"d":[true,null,-0.5e-3,"\u00e9"]}})", e).ok());
  CHECK(e.values(0).size() == 1);
}

TEST_CASE("for_each_path reports every path that has a value", "[json]") {
  JsonReader r(std::vector<std::string>{});
  std::vector<std::string> seen;
  const std::function<void(std::string_view)> sink = [&](std::string_view p) {
    seen.emplace_back(p);
  };
  REQUIRE(r.for_each_path(R"({"a":{"b":1,"c":[2,{"d":3}]},"e.f":null,"g":[],"h":"x"})", sink));
  CHECK(seen == std::vector<std::string>{"a.b", "a.c", "a.c.d", "h"});
  CHECK_FALSE(r.for_each_path("[1]", sink));
}

TEST_CASE("E4: constants fill fields the event leaves without a value", "[json]") {
  auto q = eqlite::compile(R"(any where event.dataset == "azure.signinlogs" and n == 5)");
  REQUIRE(q.ok());
  JsonReader r(*q);
  r.set_constant("event.dataset", Value::string(std::string("azure.signinlogs")));
  r.set_constant("n", Value::integer(5));
  r.set_constant("not.read.by.the.query", Value::integer(1));  // ignored
  eqlite::Vm vm;
  Event e;
  REQUIRE(r.read(R"({"x":1})", e).ok());
  CHECK(vm.matches(*q, e));
  REQUIRE(r.read(R"({"event":{"dataset":"azure.auditlogs"}})", e).ok());
  CHECK_FALSE(vm.matches(*q, e));  // a value in the event wins
  REQUIRE(r.read(R"({"n":6})", e).ok());
  CHECK_FALSE(vm.matches(*q, e));
}

TEST_CASE("projection: only the query's fields are read, the rest is skipped", "[json]") {
  auto q = eqlite::compile(R"(any where a.b == 1)");
  REQUIRE(q.ok());
  JsonReader r(*q);
  Event e;
  // unread subtrees may hold anything well-formed
  REQUIRE(r.read(R"({"z":{"deep":[[[{"x":"y"}]]]},"a":{"b":1,"c":[1,2]},"y":"\u00e9"})", e).ok());
  eqlite::Vm vm;
  CHECK(vm.matches(*q, e));
  // strings stay valid until the next read: a long value read twice
  std::string long_value(100000, 'x');
  REQUIRE(r.read("{\"a\":{\"b\":\"" + long_value + "\"}}", e).ok());
  CHECK(e.values(0)[0].as_string().size() == long_value.size());
}

TEST_CASE("the DOM fast path and the On-Demand path read every event alike", "[json]") {
  // Lines up to 1 MiB are parsed by simdjson's DOM parser; longer ones, and every line DOM
  // rejects, by the On-Demand walk. A 1.1 MiB field the query does not read sends the same
  // event down the second path: both must give the same values.
  const std::vector<std::string> paths = {"a",   "a.b",   "a.b.c", "n", "s",
                                          "arr", "arr.x", "k.l",   "t", "u"};
  const char* docs[] = {
      R"({"a":1,"n":-0,"s":"x\"y\\z\u00e9\ud83d\ude00","t":true,"u":null})",
      R"({"a":{"b":{"c":[1,2.5,"3",false]}},"a.b":"dotted","n":[1e5,1.0,-1.5e-3]})",
      R"({"arr":[{"x":1},{"x":[2,3]},{"y":4},[{"x":5}]],"k":{"l":"m"},"k.l":"again"})",
      R"({"n":9223372036854775807,"u":18446744073709551615,"t":[true,null,false]})",
      R"({"n":-9223372036854775808,"s":"","a":{},"arr":[],"k":{"l":{"deeper":1}}})",
      R"({"s":"one","s":"two","a":{"b":1},"a":{"b":2}})",
      R"({"a":"top","a":{"b":"below"}})",
  };
  const std::string pad = ",\"zzpad\":\"" + std::string((1 << 20) + 100000, 'p') + "\"}";
  JsonReader r(paths);
  Event small, big;
  for (const char* d : docs) {
    INFO(d);
    std::string doc = d;
    REQUIRE(r.read(doc, small).ok());
    const std::string fast = dump_event(small, paths.size());
    std::string padded = doc.substr(0, doc.size() - 1) + pad;
    REQUIRE(r.read(padded, big).ok());
    CHECK(dump_event(big, paths.size()) == fast);
  }
}

TEST_CASE("E3: integers below INT64_MIN are doubles too; a leading zero is still bad JSON",
          "[json]") {
  JsonReader r(std::vector<std::string>{"a"});
  Event e;
  REQUIRE(r.read(R"({"a":-9223372036854775809})", e).ok());
  REQUIRE(e.values(0).size() == 1);
  CHECK(e.values(0)[0].kind() == ValueKind::Double);
  CHECK(e.values(0)[0].as_double() == -9223372036854775809.0);
  REQUIRE(r.read(R"({"a":-9223372036854775808})", e).ok());
  CHECK(e.values(0)[0].kind() == ValueKind::Int);
  for (const char* bad : {R"({"a":-01})", R"({"a":-000000000000000000000001})", R"({"a":-})"}) {
    INFO(bad);
    CHECK_FALSE(r.read(bad, e).ok());
  }
}

namespace {

// Random JSON-like lines: valid documents with every kind of value, number form, escape and
// key shape, and copies with a few bytes changed (mostly invalid, sometimes still valid).
struct LineGen {
  eqlite::testing::XorShift next;
  std::string ws() {
    static const char* kWs[] = {"", "", "", " ", "\t", "\r", "  \n "};
    return kWs[next(7)];
  }
  std::string key() {
    static const char* kKeys[] = {"a",   "b", "a.b",       "c",     "d",    "c.d",
                                  "",    ".", "a.",        ".b",    "x",    "y",
                                  "x.y", "z", "a\\u002eb", "\\\"q", "\\\\", "k\\u00e9"};
    return '"' + std::string(kKeys[next(18)]) + '"';
  }
  std::string scalar() {
    static const char* kScalars[] = {"0",
                                     "-0",
                                     "1",
                                     "-1",
                                     "42",
                                     "9223372036854775807",
                                     "-9223372036854775808",
                                     "9223372036854775808",
                                     "18446744073709551615",
                                     "18446744073709551616",
                                     "-9223372036854775809",
                                     "1.5",
                                     "-0.0",
                                     "1e5",
                                     "1E+2",
                                     "2.5e-3",
                                     "1e400",
                                     "-1e400",
                                     "0.1",
                                     "123456789012345678901234567890",
                                     "true",
                                     "false",
                                     "null",
                                     "\"\"",
                                     "\"s\"",
                                     "\"t u\"",
                                     "\"\\\"\"",
                                     "\"\\\\\"",
                                     "\"\\n\\t\\/\"",
                                     "\"\\u00e9\"",
                                     "\"\\ud83d\\ude00\"",
                                     "\"\\ud83d\"",
                                     "\"\\u0000\"",
                                     "\"\xC3\xA9\"",
                                     "\"a.b\""};
    return kScalars[next(35)];
  }
  std::string value(int depth) {
    const auto k = depth > 4 ? 9 : next(12);
    if (k == 10) {  // object
      std::string out = "{" + ws();
      const auto n = next(4);
      for (std::uint64_t i = 0; i < n; ++i) {
        if (i) out += "," + ws();
        out += key() + ws() + ":" + ws() + value(depth + 1) + ws();
      }
      return out + "}";
    }
    if (k == 11) {  // array
      std::string out = "[" + ws();
      const auto n = next(4);
      for (std::uint64_t i = 0; i < n; ++i) {
        if (i) out += "," + ws();
        out += value(depth + 1) + ws();
      }
      return out + "]";
    }
    return scalar();
  }
  std::string document() {
    std::string out = ws() + "{" + ws();
    const auto n = 1 + next(6);
    for (std::uint64_t i = 0; i < n; ++i) {
      if (i) out += "," + ws();
      out += key() + ws() + ":" + ws() + value(0) + ws();
    }
    return out + "}" + ws();
  }
  std::string mutate(std::string s) {
    static const char kBytes[] = "{}[]:,\"\\ 0123456789eE.+-tfnulrsa\x01\x7f\xC3\xFF";
    const auto edits = 1 + next(3);
    for (std::uint64_t e = 0; e < edits && !s.empty(); ++e) {
      const auto pos = next(s.size());
      const char c = kBytes[next(sizeof kBytes - 1)];
      switch (next(3)) {
        case 0:
          s.erase(pos, 1);
          break;
        case 1:
          s.insert(pos, 1, c);
          break;
        default:
          s[pos] = c;
      }
    }
    return s;
  }
};

}  // namespace

TEST_CASE("E1-E3: the structural, DOM and On-Demand readers accept, read and reject alike",
          "[json]") {
  // Every line goes through three readers: all three paths (the default), DOM and On-Demand,
  // and On-Demand alone. Valid or not, each must give the same verdict, the same values in the
  // same order, and the same error.
  const std::vector<std::string> paths = {"a",  "a.b", "b",   "c.d", "c",   "",
                                          "a.", ".b",  "x.y", "z",   "\"q", "a.b.a.b"};
  eqlite::ReaderOptions all, dom_only, od_only;
  all.max_depth = dom_only.max_depth = od_only.max_depth = 5;  // some lines go deeper
  dom_only.structural_reader = false;
  od_only.structural_reader = od_only.dom_reader = false;
  JsonReader r_all(paths, all), r_dom(paths, dom_only), r_od(paths, od_only);
  LineGen gen{{0x1234567890ABCDEFULL}};
  Event e_all, e_dom, e_od;
  std::size_t valid = 0, invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string line = gen.document();
    if (i % 2) line = gen.mutate(line);
    INFO("line " << i << ": " << line);
    auto ok_all = r_all.read(line, e_all);
    auto ok_dom = r_dom.read(line, e_dom);
    auto ok_od = r_od.read(line, e_od);
    REQUIRE(ok_all.ok() == ok_od.ok());
    REQUIRE(ok_dom.ok() == ok_od.ok());
    if (ok_od.ok()) {
      ++valid;
      REQUIRE(dump_event(e_all, paths.size()) == dump_event(e_od, paths.size()));
      REQUIRE(dump_event(e_dom, paths.size()) == dump_event(e_od, paths.size()));
    } else {
      ++invalid;
      REQUIRE(ok_all.error().message == ok_od.error().message);
      REQUIRE(ok_dom.error().message == ok_od.error().message);
    }
  }
  // both kinds in numbers, or the test would prove little
  CHECK(valid > 8000);
  CHECK(invalid > 5000);
}

TEST_CASE("prescan: the lines of a prescanned block read as they read alone", "[json]") {
  // JsonReader::prescan() runs stage 1 over a whole block of lines; the lines then read with
  // its tokens. Blocks of generated lines (valid, broken, blank, with CRLF, some skipped, some
  // read twice) go through a reader that prescans and one that does not: the same verdict, the
  // same values, the same error, line by line (E1-E3).
  const std::vector<std::string> paths = {"a",  "a.b", "b",   "c.d", "c",   "",
                                          "a.", ".b",  "x.y", "z",   "\"q", "a.b.a.b"};
  eqlite::ReaderOptions options;
  options.max_depth = 5;
  JsonReader pre(paths, options), alone(paths, options);
  LineGen gen{{0x5EEDF00DCAFEULL}};
  Event e_pre, e_alone;
  std::size_t valid = 0, invalid = 0, read_lines = 0;
  for (int b = 0; b < 600; ++b) {
    const auto n = 1 + gen.next(40);
    const bool crlf = gen.next(4) == 0, broken = b % 3 == 1, trailing_newline = gen.next(2);
    std::string text;
    for (std::uint64_t i = 0; i < n; ++i) {
      std::string line;
      switch (gen.next(16)) {
        case 0:
          break;  // an empty line
        case 1:
          line = " \t ";
          break;
        default:
          line = gen.document();
          if (broken && gen.next(6) == 0) line = gen.mutate(line);
      }
      for (char& c : line)
        if (c == '\n') c = ' ';  // one document per line
      text += line;
      if (crlf) text += '\r';
      if (i + 1 < n || trailing_newline) text += '\n';
    }
    std::string buf = text + std::string(eqlite::kJsonPadding, ' ');
    pre.prescan(std::string_view(buf.data(), text.size()));
    std::size_t pos = 0;
    std::vector<std::string_view> lines;
    while (pos <= text.size()) {
      std::size_t nl = text.find('\n', pos);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line(buf.data() + pos, nl - pos);
      if (crlf && gen.next(2) && !line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (pos < text.size()) lines.push_back(line);
      pos = nl + 1;
    }
    for (std::size_t i = 0; i < lines.size(); ++i) {
      if (gen.next(10) == 0) continue;                               // a line not read
      const std::size_t k = gen.next(12) == 0 && i > 0 ? i - 1 : i;  // sometimes one back
      INFO("block " << b << " line " << k << ": " << lines[k]);
      auto ok_pre = pre.read_padded(lines[k], e_pre);
      auto ok_alone = alone.read_padded(lines[k], e_alone);
      ++read_lines;
      REQUIRE(ok_pre.ok() == ok_alone.ok());
      if (ok_pre.ok()) {
        ++valid;
        REQUIRE(dump_event(e_pre, paths.size()) == dump_event(e_alone, paths.size()));
      } else {
        ++invalid;
        REQUIRE(ok_pre.error().message == ok_alone.error().message);
      }
    }
  }
  CHECK(valid > 3000);
  CHECK(invalid > 500);
  // most lines took the prescan's tokens (blocks with a broken string or bad UTF-8 cannot)
  CHECK(pre.prescanned_reads() > read_lines / 2);
  CHECK(alone.prescanned_reads() == 0);

  // prescan({}) ends the hint: the block's memory may then hold other lines
  std::string buf = std::string(R"({"a":"first","z":1})") + "\n" + std::string(64, ' ');
  pre.prescan(std::string_view(buf.data(), 19));
  REQUIRE(pre.read_padded(std::string_view(buf.data(), 19), e_pre).ok());
  CHECK(dump_event(e_pre, paths.size()).substr(0, 10) == "0=s:first,");
  pre.prescan({});
  const std::uint64_t before = pre.prescanned_reads();
  buf.replace(0, 19, R"({"z":2, "a":"next"})");  // the same addresses, other tokens
  REQUIRE(pre.read_padded(std::string_view(buf.data(), 19), e_pre).ok());
  CHECK(dump_event(e_pre, paths.size()).substr(0, 9) == "0=s:next,");
  CHECK(pre.prescanned_reads() == before);
}
