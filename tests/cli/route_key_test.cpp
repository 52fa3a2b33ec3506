// tests/cli/route_key_test.cpp — the repartition key of an event (cli/route_key.hpp): equal
// join-key values (Q2, numbers as S8) give equal keys.
#include <catch2/catch.hpp>

#include <eqlite/eqlite.hpp>

#include "cli/route_key.hpp"

namespace {

cli::RouteKey key_of(const std::string& json) {
  eqlite::JsonReader reader(std::vector<std::string>{"host.id"});
  eqlite::Event ev;
  auto ok = reader.read(json, ev);
  REQUIRE(ok);
  return cli::route_key(ev.values(0));
}

}  // namespace

TEST_CASE("route_key: the text of the first value; equal join keys, equal keys", "[route_key]") {
  CHECK(key_of(R"({"host":{"id":"h-1"}})").key == "h-1");
  CHECK(key_of(R"({"host.id":"h-1"})").key == "h-1");  // a dotted name is the same field (E1)
  // S8: 7 == 7.0 joins, so both route alike
  CHECK(key_of(R"({"host":{"id":7}})").key == "7");
  CHECK(key_of(R"({"host":{"id":7.0}})").key == "7");
  CHECK(key_of(R"({"host":{"id":7.5}})").key == "7.5");
  CHECK(key_of(R"({"host":{"id":true}})").key == "true");
  // no value (or null): the empty key, one partition for all such events
  for (const char* none : {R"({"host":{"id":null}})", R"({"host":{}})", R"({"x":1})"}) {
    INFO(none);
    const auto k = key_of(none);
    CHECK(k.key.empty());
    CHECK(!k.several);
  }
  const auto many = key_of(R"({"host":{"id":[null,"a","b"]}})");
  CHECK(many.key == "a");
  CHECK(many.several);
  CHECK(!key_of(R"({"host":{"id":["a"]}})").several);
}
