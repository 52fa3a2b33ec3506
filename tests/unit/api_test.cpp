// tests/unit/api_test.cpp — the public API: compile() results, Error formatting with a caret,
// FlatEvent and Event::bind, Query accessors.
#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "eqlite/eqlite.hpp"
#include "support/xorshift.hpp"

TEST_CASE("Error::format shows the line and a caret under the column", "[api]") {
  const std::string q = "process where\n\ta == 1 AND b == 2";
  auto r = eqlite::compile(q);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().where.line == 2);
  CHECK(r.error().where.column == 9);
  CHECK(r.error().format(q) ==
        "2:9: expected 'and', 'or', a comparison, a pipe '|' or the end of the query; keywords "
        "are lowercase: write 'and' instead of 'AND'\n"
        "\ta == 1 AND b == 2\n"
        "\t       ^");
  // multi-byte characters before the column: one caret column per code point
  const std::string u = "any where \"\xC3\xA9t\xC3\xA9\" == 'x'";
  auto ru = eqlite::compile(u);
  REQUIRE_FALSE(ru.ok());
  CHECK(ru.error().format(u).substr(ru.error().format(u).rfind('\n') + 1) ==
        std::string(19, ' ') + "^");
  CHECK(eqlite::to_string(eqlite::ErrorCode::BadRegex) == "bad-regex");
}

TEST_CASE("FlatEvent: an owning field map for embedding", "[api]") {
  auto q = eqlite::compile(R"(process where user.name : "ADMIN*" and pid > 4)");
  REQUIRE(q.ok());
  eqlite::FlatEvent e;
  {
    std::string temp = "administrator";  // FlatEvent copies: the buffer may go away
    e.add("event.category", "process").add("user.name", std::string_view(temp)).add("pid", 8);
    temp.assign(temp.size(), '#');
  }
  eqlite::Vm vm;
  CHECK(vm.matches(*q, e));
  e.clear();
  e.add("event.category", "process").add("user.name", "guest").add("pid", 8);
  CHECK_FALSE(vm.matches(*q, e));
  // Event::bind resolves each field once
  eqlite::Event bound;
  bound.bind(*q, e);
  CHECK(bound.field_count() == q->fields().size());
  CHECK(bound.values(0).size() == 1);
}

TEST_CASE("Query: text, fields, dumps", "[api]") {
  const std::string text = "any where a == 1";
  auto q = eqlite::compile(text);
  REQUIRE(q.ok());
  CHECK(q->text() == text);
  CHECK(q->dump_ast() == "(query any (== (field a) (int 1)))");
  CHECK_THAT(q->disassemble(), Catch::Contains("field_compare  a == literal 1"));
  eqlite::Query copy = *q;  // cheap copy, shares the program
  CHECK(copy.fields() == q->fields());
}

TEST_CASE("FlatEvent: a copy owns its strings; moves keep them; vectors may grow", "[api]") {
  auto q = eqlite::compile(R"(any where user.name == "alice" and host == "h1")");
  REQUIRE(q.ok());
  eqlite::Vm vm;
  std::vector<eqlite::FlatEvent> events;
  for (int i = 0; i < 100; ++i) {  // growth moves (noexcept) or copies the events
    eqlite::FlatEvent e;
    e.add("user.name", std::string(i % 2 ? "alice" : "bob")).add("host", std::string("h1"));
    events.push_back(e);  // a copy of a local that is about to go
  }
  for (int i = 0; i < 100; ++i)
    CHECK(vm.matches(*q, events[static_cast<std::size_t>(i)]) == (i % 2 == 1));
  eqlite::FlatEvent copy;
  {
    eqlite::FlatEvent original;
    original.add("user.name", std::string("alice")).add("host", std::string("h1"));
    copy = original;
    original.clear();
    original.add("user.name", std::string("mallory"));
  }
  CHECK(vm.matches(*q, copy));
}

TEST_CASE("Event: each field keeps its values in order, however the fields interleave", "[api]") {
  // Values of one field are a contiguous run; a field added to after another field moves its
  // run to the end. Checked against a plain vector per field, over random interleavings, with
  // clear() between events (a cleared event has no value in any field).
  eqlite::testing::XorShift next{0xE7E47ULL};
  eqlite::Event e(5);
  for (int round = 0; round < 200; ++round) {
    e.clear();
    std::vector<std::vector<std::int64_t>> expect(5);
    const std::size_t adds = next(round % 10 == 0 ? 5000 : 40);
    for (std::size_t k = 0; k < adds; ++k) {
      // runs of one field, and strict alternation (the worst case for moving runs)
      const auto f = static_cast<std::uint32_t>(round % 3 == 0 ? k % 2 : next(5));
      const auto v = static_cast<std::int64_t>(round * 100000 + k);
      e.add(f, eqlite::Value::integer(v));
      expect[f].push_back(v);
    }
    for (std::uint32_t f = 0; f < 5; ++f) {
      const auto got = e.values(f);
      REQUIRE(got.size() == expect[f].size());
      for (std::size_t i = 0; i < got.size(); ++i)
        REQUIRE(got[i].as_int() == expect[f][i]);
    }
  }
  e.reset(3);  // fewer fields: all empty
  CHECK(e.field_count() == 3);
  for (std::uint32_t f = 0; f < 3; ++f)
    CHECK(e.values(f).empty());
  e.add(2, eqlite::Value::integer(7));
  CHECK(e.values(2).size() == 1);
  CHECK(e.values(0).empty());
}

TEST_CASE("parse_duration reads maxspan's durations (Q1)", "[api]") {
  CHECK(eqlite::parse_duration("5m") == std::optional<std::int64_t>(300'000'000'000));
  CHECK(eqlite::parse_duration("1500ms") == std::optional<std::int64_t>(1'500'000'000));
  CHECK(eqlite::parse_duration("2d") == std::optional<std::int64_t>(172'800'000'000'000));
  for (const char* bad : {"", "5", "m", "1.5s", "5w", "-5s", " 5s", "5 s", "99999999999d"})
    CHECK_FALSE(eqlite::parse_duration(bad).has_value());
}

TEST_CASE("CompileOptions::filter: every event query and stage must also meet it", "[api]") {
  eqlite::CompileOptions o;
  o.filter = R"(_index == null or _index like "logs-azure.*")";
  auto q = eqlite::compile(R"(any where user.name == "bob")", o);
  REQUIRE(q);
  eqlite::JsonReader reader(*q);
  eqlite::Event e;
  eqlite::Vm vm;
  auto matches = [&](std::string_view json) {
    REQUIRE(reader.read(json, e));
    return vm.matches(*q, e);
  };
  CHECK(matches(R"({"user":{"name":"bob"}})"));
  CHECK(matches(R"({"user":{"name":"bob"},"_index":"logs-azure.signinlogs-default"})"));
  CHECK_FALSE(matches(R"({"user":{"name":"bob"},"_index":"logs-endpoint.events-default"})"));
  CHECK_FALSE(matches(R"({"user":{"name":"eve"},"_index":"logs-azure.signinlogs-default"})"));
  // A constant per input (E4) is how eqlite match supplies _index; a later value replaces it.
  reader.set_constant("_index", eqlite::Value::string("logs-endpoint.events-default"));
  CHECK_FALSE(matches(R"({"user":{"name":"bob"}})"));
  reader.set_constant("_index", eqlite::Value::string("logs-azure.auditlogs-default"));
  CHECK(matches(R"({"user":{"name":"bob"}})"));
  reader.set_constant("_index", eqlite::Value::null());
  CHECK(matches(R"({"user":{"name":"bob"}})"));

  // Every stage of a sequence, the until stage too.
  o.filter = "tenant == 1";
  auto seq =
      eqlite::compile("sequence by h [a where x == 1] [a where x == 2] until [a where x == 3]", o);
  REQUIRE(seq);
  const auto& fields = seq->fields();
  CHECK(std::find(fields.begin(), fields.end(), "tenant") != fields.end());
  CHECK(seq->disassemble().find("tenant") != std::string::npos);

  // A filter that is not a condition is an argument error, not a query error.
  o.filter = "x ==";
  auto bad = eqlite::compile("any where true", o);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == eqlite::ErrorCode::InvalidArgument);
  o.filter = "true | head 1";
  CHECK_FALSE(eqlite::compile("any where true", o));
}

TEST_CASE("quote_string: a value written as an EQL literal reads back as itself (P3)", "[api]") {
  const std::string values[] = {"plain",
                                "a\"b\\c",
                                "line\nbreak\ttab\r",
                                std::string("nul\0x", 5),
                                "\x01\x1f\x7f",
                                "caf\xc3\xa9",
                                "",
                                "{}*?"};
  for (const std::string& v : values) {
    INFO(eqlite::quote_string(v));
    auto q = eqlite::compile("any where f == " + eqlite::quote_string(v));
    REQUIRE(q);
    eqlite::FlatEvent e;
    e.add("f", v);
    eqlite::Vm vm;
    CHECK(vm.matches(*q, e));
    eqlite::FlatEvent other;
    other.add("f", v + "x");
    CHECK_FALSE(vm.matches(*q, other));
  }
}
