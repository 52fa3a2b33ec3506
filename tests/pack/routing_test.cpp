// tests/pack/routing_test.cpp — pack::plan_routing (pack/routing.hpp): which field partitions
// the events of each sequence and sample so that a sequence's events meet (Q1, Q2).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pack/routing.hpp"

namespace {

struct Pack {
  std::vector<std::unique_ptr<eqlite::Query>> owned;
  std::vector<std::pair<std::string, const eqlite::Query*>> rules;
  void add(const std::string& name, const std::string& text) {
    auto q = eqlite::compile(text);
    REQUIRE(q);
    owned.push_back(std::make_unique<eqlite::Query>(std::move(*q)));
    rules.emplace_back(name, owned.back().get());
  }
};

const pack::RoutedRule& rule(const pack::RoutingPlan& plan, const std::string& name) {
  for (const auto& r : plan.rules)
    if (r.name == name) return r;
  FAIL("no rule " << name);
  return plan.rules.front();
}

}  // namespace

TEST_CASE("Query::join_keys: per stage, the sequence's keys then the stage's (Q1)", "[routing]") {
  auto q = eqlite::compile(
      "sequence by host.id with maxspan=1m [process where true] by process.entity_id "
      "![file where true] by process.parent.entity_id until [process where false] by ?user.id");
  REQUIRE(q);
  using Keys = std::vector<std::vector<std::string>>;
  CHECK(q->join_keys() == Keys{{"host.id", "process.entity_id"},
                               {"host.id", "process.parent.entity_id"},
                               {"host.id", "user.id"}});
  auto runs = eqlite::compile("sequence [a where true] by x with runs=3 [b where true] by y");
  REQUIRE(runs);
  CHECK(runs->join_keys() == Keys{{"x"}, {"y"}});  // a runs stage once, as written
  auto sample = eqlite::compile("sample by host.id [a where true] [b where true]");
  REQUIRE(sample);
  CHECK(sample->join_keys() == Keys{{"host.id"}, {"host.id"}});
  auto event = eqlite::compile("process where true");
  REQUIRE(event);
  CHECK(event->join_keys().empty());
}

TEST_CASE("plan_routing routes each sequence by a field every stage shares", "[routing]") {
  Pack p;
  p.add("event rule", "process where process.name == \"x\"");
  p.add("by host", "sequence by host.id [a where true] [b where true]");
  p.add("host and entity",
        "sequence by host.id [a where true] by process.entity_id [b where true] by "
        "process.parent.entity_id");
  p.add("entity only",
        "sequence [a where true] by process.entity_id [b where true] by "
        "process.entity_id");
  p.add("entity or user",  // both positions shared: host.id is not a candidate here
        "sequence by user.id [a where true] by process.entity_id [b where true] by "
        "process.entity_id");
  p.add("by stage",
        "sequence [a where true] by process.entity_id [b where true] by "
        "process.parent.entity_id");
  p.add("keyless", "sequence [a where true] [b where true]");
  p.add("sample", "sample by host.id [a where true] [b where true]");
  const auto plan = pack::plan_routing(p.rules);

  REQUIRE(plan.rules.size() == 7);  // the event rule needs no routing
  using K = pack::Routing::Kind;
  CHECK(rule(plan, "by host").routing.kind == K::Field);
  CHECK(rule(plan, "by host").routing.field == "host.id");
  // host.id is at position 0 in both stages; the entity ids differ by stage
  CHECK(rule(plan, "host and entity").routing.field == "host.id");
  CHECK(rule(plan, "entity only").routing.field == "process.entity_id");
  // user.id routes one rule, process.entity_id two: the one that routes more rules wins
  CHECK(rule(plan, "entity or user").routing.field == "process.entity_id");
  CHECK(rule(plan, "by stage").routing.kind == K::ByStage);
  CHECK(rule(plan, "keyless").routing.kind == K::Whole);
  CHECK(rule(plan, "sample").routing.field == "host.id");

  using Fields = std::vector<std::pair<std::string, std::size_t>>;
  CHECK(plan.fields == Fields{{"host.id", 3}, {"process.entity_id", 2}});
  CHECK(plan.by_stage == 1);
  CHECK(plan.whole == 1);

  const std::string text = pack::describe(plan);
  CHECK_THAT(text, Catch::Contains("join keys of 7 sequence and sample rules:"));
  CHECK_THAT(text, Catch::Contains("  by host: routed by host.id; join keys host.id\n"));
  CHECK_THAT(text, Catch::Contains(
                       "  host and entity: routed by host.id; stage 1 host.id, process.entity_id, "
                       "stage 2 host.id, process.parent.entity_id\n"));
  CHECK_THAT(text, Catch::Contains("  keyless: no join key (one partition)\n"));
  CHECK_THAT(text, Catch::Contains("routing: 3 rules by host.id; 2 rules by process.entity_id; 1 "
                                   "rule by stage; 1 rule without a join key\n"));
}

TEST_CASE("plan_routing of event rules only has nothing to route", "[routing]") {
  Pack p;
  p.add("one", "process where true");
  const auto plan = pack::plan_routing(p.rules);
  CHECK(plan.rules.empty());
  CHECK(pack::describe(plan) ==
        "join keys of 0 sequence and sample rules:\nrouting: no sequence or sample rule\n");
}
