// lib/rule_index.hpp — the compiled index of a RuleSet (rule_set.cpp builds it; RuleSetMatcher
// and eqlite::Stream match events with it). Internal.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eqlite/query.hpp"
#include "eval/matchers.hpp"

namespace eqlite {

namespace internal {

struct RuleIndex {
  std::vector<std::string> fields;  // the shared projection
  // What the index files and the VM runs: units. A unit is an event rule, or one stage (then
  // the until stage) of a sequence or sample rule: unit_rule[u] is its rule, unit_stage[u] -1
  // for an event rule, else the stage's index in its SequenceProgram::stages (stages.size():
  // the until stage). Units are in rule order, each rule's stages in order.
  std::vector<Query> queries;  // remapped onto `fields`, by unit
  std::vector<std::uint32_t> unit_rule;
  std::vector<std::int32_t> unit_stage;
  // What a key met by a value leads to: the rules filed under it, and the conditions (further
  // necessary conditions of rules, see `required`) that it meets.
  struct Hits {
    std::vector<std::uint32_t> rules, conditions;
  };
  struct FieldIndex {
    std::uint16_t field = 0;
    // Exact anchors, as written and ASCII-folded.
    struct Keyed {
      StringSet keys;
      std::vector<Hits> hits;  // by the key's index in `keys`
      Hits& operator[](std::string key) {
        const std::uint32_t i = keys.insert(std::move(key));
        if (i >= hits.size()) hits.resize(i + 1);
        return hits[i];
      }
      const Hits* find(std::string_view key) const noexcept {
        const std::uint32_t i = keys.find(key);
        return i == StringSet::npos ? nullptr : &hits[i];
      }
      const Hits* find_folded(std::string_view key) const noexcept {  // of `folded` (S5)
        const std::uint32_t i = keys.find_folded(key);
        return i == StringSet::npos ? nullptr : &hits[i];
      }
      bool empty() const noexcept { return keys.empty(); }
      std::size_t size() const noexcept { return keys.size(); }
    } exact, folded;
    // Contains anchors, as written and ASCII-folded: the rules of each literal (by its index in
    // the scanner), and one scanner over all of them (one scan per value).
    struct Contains {
      std::vector<std::vector<std::uint32_t>> rules;
      std::unique_ptr<LiteralScanner> scanner;  // null when there are none
    } contains;
    // Every rule filed here.
    std::vector<std::uint32_t> all;
    // The exact keys (as written and folded) that read as numbers, by value: what a number
    // equals besides its text (S8: `pid == 4` and `pid in ("4.0")` hold for 4 and 4.0).
    std::vector<std::pair<double, const Hits*>> numbers;
    // The rules filed under, and the conditions with, an Exists anchor here: what any value
    // meets (S2: `f : "*"`, `f > 4`, `f != null` need one).
    std::vector<std::uint32_t> any_value, any_value_conditions;
  };
  std::vector<FieldIndex> by_field;
  std::vector<std::uint32_t> always;  // rules without an anchor
  // By rule: the necessary conditions besides the one it is filed under that the index checks
  // before the VM runs it (each met when one of its exact anchors is), by condition id.
  std::vector<std::vector<std::uint32_t>> required;
  std::size_t conditions = 0;
};

}  // namespace internal

}  // namespace eqlite
