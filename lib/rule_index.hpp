// lib/rule_index.hpp — the compiled index of a RuleSet (rule_set.cpp builds it; RuleSetMatcher
// and eqlite::Stream match events with it). Internal.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "eqlite/query.hpp"
#include "eval/matchers.hpp"

namespace eqlite {

class RuleSet;

namespace internal {

struct SequenceProgram;

// A list of rule or condition ids: RuleIndex::ids[offset, offset + size).
struct IdList {
  std::uint32_t offset = 0, size = 0;
};
// What meeting a key leads to: the rules filed under it are candidates, and the conditions it
// meets are recorded.
struct Met {
  IdList rules, conditions;
};

struct RuleIndex {
  std::vector<std::string> fields;  // the shared projection
  // What the index files and the VM runs: units. A unit is an event rule, or one stage (then
  // the until stage) of a sequence or sample rule: unit_rule[u] is its rule, unit_stage[u] -1
  // for an event rule, else the stage's index in its SequenceProgram::stages (stages.size():
  // the until stage). Units are in rule order, each rule's stages in order.
  std::vector<Query> queries;  // remapped onto `fields`, by unit
  std::vector<std::uint32_t> unit_rule;
  std::vector<std::int32_t> unit_stage;
  // By unit: its anchors decide it (Program::decided_by_anchors): when the index finds them
  // all met, it matches without a VM run.
  std::vector<char> unit_decided;

  // ---- As built (RuleSet::Impl::build; describe_index and explain read these) ----
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
      bool empty() const noexcept { return keys.empty(); }
      std::size_t size() const noexcept { return keys.size(); }
    } exact, folded;
    // Contains anchors, as written and ASCII-folded: the rules of each literal (by its index in
    // the scanner), and one scanner over all of them (one scan per value).
    struct Contains {
      std::vector<std::vector<std::uint32_t>> rules, conditions;
      std::unique_ptr<LiteralScanner> scanner;  // null when there are none
    } contains;
    // Every rule filed here.
    std::vector<std::uint32_t> all;
    // The rules filed under, and the conditions with, an Exists anchor here: what any value
    // meets (S2: `f : "*"`, `f > 4`, `f != null` need one).
    std::vector<std::uint32_t> any_value, any_value_conditions;

    // ---- What matching reads (RuleSet::Impl::freeze): every id list is an IdList into
    // RuleIndex::ids, and the exact and caseless keys share one table probed once per value.
    struct Probe {
      Met folded;                                    // the caseless keys equal to this one (S5)
      std::uint32_t exact_begin = 0, exact_end = 0;  // the exact keys that fold to it
    };
    StringSet probe_keys;  // every exact and caseless key, ASCII-folded, once
    // Bit min(n, 63) for each length n of a key: a value of no such length is not probed.
    std::uint64_t key_lengths = 0;
    static unsigned length_bit(std::size_t n) noexcept { return n < 63 ? unsigned(n) : 63u; }
    std::vector<Probe> probes;  // by index in probe_keys
    struct ExactKey {
      std::string text;
      Met met;
    };
    std::vector<ExactKey> exact_keys;
    std::vector<Met> contains_met;  // by literal (the scanner's index)
    Met any_value_met;
    // The exact keys (as written and folded) that read as numbers, by value: what a number
    // equals besides its text (S8: `pid == 4` and `pid in ("4.0")` hold for 4 and 4.0).
    struct NumberKey {
      double value;
      Met met;
      std::string key;  // as the rule wrote it (for explain)
    };
    std::vector<NumberKey> numbers;
  };
  std::vector<FieldIndex> by_field;
  std::vector<std::uint32_t> always;  // rules without an anchor
  // By rule: the necessary conditions besides the one it is filed under that the index checks
  // before the VM runs it (each met when one of its exact anchors is), by condition id.
  std::vector<std::vector<std::uint32_t>> required;
  std::size_t conditions = 0;
  std::vector<std::string> condition_text;  // by condition id, as EQL (for explain)

  // ---- Flat (freeze) ----
  std::vector<std::uint32_t> ids;  // every IdList's ids, one list after another
  std::span<const std::uint32_t> list(IdList l) const noexcept {
    return {ids.data() + l.offset, l.size};
  }
  IdList add_list(const std::vector<std::uint32_t>& v) {
    const IdList l{static_cast<std::uint32_t>(ids.size()), static_cast<std::uint32_t>(v.size())};
    ids.insert(ids.end(), v.begin(), v.end());
    return l;
  }
  IdList always_ids;
  std::vector<IdList> required_ids;  // by unit

  // By rule: its sequence or sample remapped onto `fields` (null for an event rule), made once,
  // by the set's first Stream, and shared by every Stream of the set (remapped_sequences).
  mutable std::once_flag sequences_made;
  mutable std::vector<std::shared_ptr<const SequenceProgram>> sequences;
};

/// RuleIndex::sequences of `ix`, the index of `rules`, made on the first call.
const std::vector<std::shared_ptr<const SequenceProgram>>& remapped_sequences(const RuleSet& rules,
                                                                              const RuleIndex& ix);

}  // namespace internal

}  // namespace eqlite
