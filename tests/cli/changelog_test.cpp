// tests/cli/changelog_test.cpp — the state changelog's records (cli/changelog.hpp): a state
// written as chunks and a head reads back whole, the newest generation wins, and a state whose
// write was cut short leaves the previous one readable (docs/deploy.md, "State across
// rebalances").
#include <catch2/catch.hpp>

#include <random>
#include <string>

#include "cli/changelog.hpp"

namespace cl = cli::changelog;

namespace {

void feed(cl::Reader& r, const std::vector<cl::Record>& records, std::size_t count = SIZE_MAX) {
  for (std::size_t i = 0; i < records.size() && i < count; ++i) {
    if (records[i].value)
      r.add(records[i].key, std::string_view(*records[i].value));
    else
      r.add(records[i].key, std::nullopt);
  }
}

}  // namespace

TEST_CASE("changelog: a state of any size reads back whole, chunks before their head",
          "[changelog]") {
  std::mt19937 rng(7);
  for (std::size_t size : {0u, 1u, 99u, 100u, 101u, 1000u, 4096u}) {
    std::string state(size, '\0');
    for (auto& c : state)
      c = static_cast<char>(rng());
    const auto records = cl::encode("events", 3, 42, 1234, 1000, state, 100);
    INFO("size " << size);
    CHECK(records.size() == (size + 99) / 100 + (size == 0) + 1);
    CHECK(records.back().key == "eqlite1/events/3/head");  // the head comes last
    for (const auto& rec : records)
      CHECK(rec.value.has_value());
    cl::Reader r;
    feed(r, records);
    const auto s = r.state("events", 3);
    REQUIRE(s);
    CHECK(s->bytes == state);
    CHECK(s->next == 1234);
    CHECK(s->replay == 1000);
    CHECK(s->generation == 42);
    CHECK(!r.state("events", 4));  // another partition has none
    CHECK(!r.state("other", 3));
  }
}

TEST_CASE("changelog: the newest head wins; a write cut short leaves the previous state",
          "[changelog]") {
  const std::string old_state(250, 'a'), new_state(520, 'b');
  const auto first = cl::encode("t", 0, 1, 10, 5, old_state, 100);    // 3 chunks + head
  const auto second = cl::encode("t", 0, 2, 20, 15, new_state, 100);  // 6 chunks + head
  for (std::size_t cut = 0; cut <= second.size(); ++cut) {
    INFO("second write cut after " << cut << " records");
    cl::Reader r;
    feed(r, first);
    feed(r, second, cut);
    const auto s = r.state("t", 0);
    REQUIRE(s);
    if (cut == second.size()) {
      CHECK(s->bytes == new_state);
      CHECK(s->next == 20);
    } else {
      CHECK(s->bytes == old_state);
      CHECK(s->next == 10);
    }
  }
  // after the new head, the old generation's chunks are deleted; what is left reads as new
  cl::Reader r;
  feed(r, first);
  feed(r, second);
  feed(r, cl::tombstones("t", 0, 1, 3));
  const auto s = r.state("t", 0);
  REQUIRE(s);
  CHECK(s->bytes == new_state);
}

TEST_CASE("changelog: a head without its chunks, broken records and other keys", "[changelog]") {
  const auto records = cl::encode("t", 1, 5, 7, 7, std::string(300, 'x'), 100);
  cl::Reader r;
  feed(r, records);
  r.add(records[1].key, std::nullopt);  // a chunk deleted under its head
  std::string error;
  CHECK(!r.state("t", 1, &error));
  CHECK(error == "eqlite1/t/1/head: chunk 1 of generation 5 is missing");

  cl::Reader broken;
  broken.add("eqlite1/t/1/head", std::string_view("eqch1 too short"));
  CHECK(!broken.state("t", 1, &error));
  CHECK(error == "eqlite1/t/1/head: a head of the wrong size");
  broken.add("eqlite1/t/1/head", std::string_view("something else"));
  CHECK(!broken.state("t", 1, &error));
  CHECK(error == "eqlite1/t/1/head: not a changelog head");
  broken.add("someone else's key", std::string_view("value"));
  CHECK(broken.ignored() == 1);
}

TEST_CASE("changelog: partitions whose numbers share digits do not mix", "[changelog]") {
  cl::Reader r;
  feed(r, cl::encode("t", 1, 1, 100, 90, "one", 100));
  feed(r, cl::encode("t", 11, 1, 200, 190, "eleven", 100));
  CHECK(r.state("t", 1)->bytes == "one");
  CHECK(r.state("t", 11)->bytes == "eleven");
}
