// pack/routing.hpp — how a rule pack's sequences and samples spread over partitions
// (docs/deploy.md, "Sequences across instances"). The events of one sequence or sample must meet
// in one consumer: the events are partitioned by the value of a join-key field that every stage
// of the rule compares at the same key position (Q1, Q2), so that events with equal keys land in
// the same partition.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include <eqlite/query.hpp>

namespace pack {

struct Routing {
  enum class Kind {
    Field,    // by the value of `field`: every stage has it at the same key position
    ByStage,  // no key position names one field in every stage: an event's partition would
              // depend on the stage it meets
    Whole,    // no join key: every event of the rule in one partition
  };
  Kind kind = Kind::Whole;
  std::string field;
};

struct RoutedRule {
  std::string name;
  std::vector<std::vector<std::string>> join_keys;  // Query::join_keys()
  Routing routing;
};

struct RoutingPlan {
  std::vector<RoutedRule> rules;  // the sequence and sample rules, in the order given
  // The routing fields and how many rules each routes, most rules first (then by name).
  std::vector<std::pair<std::string, std::size_t>> fields;
  std::size_t by_stage = 0, whole = 0;
};

/// The routing of each sequence and sample among `rules` (event rules need none). When a rule
/// could be routed by several fields, the one that routes the most rules of the pack is chosen,
/// so that the pack needs as few partitionings of its events as possible.
RoutingPlan plan_routing(const std::vector<std::pair<std::string, const eqlite::Query*>>& rules);

/// The plan as `eqlite check --join-keys` prints it.
std::string describe(const RoutingPlan& plan);

}  // namespace pack
