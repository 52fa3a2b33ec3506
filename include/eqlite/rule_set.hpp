// eqlite/rule_set.hpp — many rules over one stream of events, each event read once.
//
//   eqlite::RuleSet rules;
//   auto id = rules.add("t1078_004", text);            // Result<std::size_t>: the rule's id
//   eqlite::RuleSetMatcher matcher(rules);             // per thread
//   std::vector<std::size_t> hits;
//   auto ok = matcher.match_json(line, hits);          // ids of the rules that match, ascending
//
// A RuleSet compiles each rule as compile() does and then shares the work between them: one
// projection (a trie of every field any rule reads) walks each event once, and rules are
// indexed by their anchor predicates — a top-level `field == literal`, `field in (...)`,
// `field : "literal"` or `field : "*wild*card*"` that must hold for the rule to match — so that
// an event visits only the rules whose anchor value (or, for a wildcard pattern, whose longest
// literal run) it has, plus the rules without an anchor; such a candidate is evaluated only if
// the event also meets the rule's other exact necessary conditions. The answer is the same as
// evaluating every rule on its own (tests/unit/rule_set_test.cpp checks it on Elastic's rules).
//
// Thread safety: a RuleSet is not modified by matching; add() must not run concurrently with
// anything else on it. A RuleSetMatcher is per thread; many may share one RuleSet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eqlite/error.hpp"
#include "eqlite/event.hpp"
#include "eqlite/json_reader.hpp"
#include "eqlite/query.hpp"
#include "eqlite/value.hpp"

namespace eqlite {

namespace internal {
struct RuleIndex;
}

class RuleSet {
 public:
  RuleSet();
  ~RuleSet();
  RuleSet(RuleSet&&) noexcept;
  RuleSet& operator=(RuleSet&&) noexcept;

  /// Compiles `text` as the rule `name`. Returns the rule's id: 0, 1, ... in order of addition.
  /// A sequence or sample rule is added whole (its stages are not rules of their own): a
  /// Stream (stream.hpp) runs it, a RuleSetMatcher never reports it. Pipes are kept with the
  /// rule (Query::pipes()) and applied by a Stream; a RuleSetMatcher, which matches one event
  /// at a time, does not apply them.
  Result<std::size_t> add(std::string_view name, std::string_view text,
                          const CompileOptions& options = {});
  /// Adds a rule compile() gave (compiling is the costly part of add(): rules can be compiled
  /// on several threads, then added in order). Fails only when the set would read more than
  /// 65535 fields.
  Result<std::size_t> add(std::string_view name, Query query);

  std::size_t size() const noexcept;
  const std::string& name(std::size_t id) const;
  /// The rule on its own, as compile() gives it.
  const Query& query(std::size_t id) const;
  /// Every field any rule reads (the shared projection); an Event given to
  /// RuleSetMatcher::match() is bound to these ids.
  const std::vector<std::string>& fields() const;
  /// How the rules are indexed, one line per anchor field and one for the rules that are always
  /// evaluated (for `eqlite check` and the docs).
  std::string describe_index() const;

  // Internal: the compiled index (built on first use after the last add()).
  std::shared_ptr<const internal::RuleIndex> index() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What a RuleSetMatcher did with one event (RuleSetMatcher::explain; `eqlite match --explain`):
/// the index keys its values met, the rules those keys point to, which of them the index's
/// further conditions ruled out, which ran on the VM and which matched. A sequence or sample
/// rule appears once per stage (and once for its until stage) that the index files.
struct RuleSetExplanation {
  /// A rule, or one stage of a sequence or sample rule (stage -1: an event rule; the stage
  /// count: the until stage).
  struct Unit {
    std::size_t rule = 0;
    int stage = -1;
    bool operator==(const Unit&) const = default;
  };
  enum class KeyKind : std::uint8_t {
    Exact,     ///< the value equals an exact key (`==`, `in`, `:` without wildcards)
    Folded,    ///< the value equals a caseless key (`:`, `in~`)
    Number,    ///< the value is a number equal to a key that reads as one (S8)
    Contains,  ///< the value contains a literal that every match of a pattern has
    AnyValue   ///< the field has a value (`f : "*"`, `f > 4`, `f != null`)
  };
  struct KeyHit {
    std::string field;
    std::string value;  ///< the event's value, as text
    KeyKind kind = KeyKind::Exact;
    std::string key;          ///< the key or literal met (empty for AnyValue)
    std::vector<Unit> units;  ///< the units filed under it
  };
  std::vector<KeyHit> hits;
  std::vector<Unit> always;     ///< units without an anchor: run for every event
  std::vector<Unit> ruled_out;  ///< filed under a met key, but a further condition failed
  /// By ruled_out unit: the first condition it needs that the event does not meet, as EQL
  /// (`host.os.type == "windows"`, `process.name : ("cmd.exe", "pwsh.exe")`, `f != null`).
  std::vector<std::string> unmet;
  std::vector<Unit> decided;    ///< matched by the index alone: all its conditions met, no VM run
  std::vector<Unit> evaluated;  ///< run on the VM
  std::vector<Unit> matched;    ///< the decided ones and those evaluated whose condition holds
};

/// Per-thread evaluation of a RuleSet: a JsonReader over the shared projection, a Vm, scratch.
/// Holds the RuleSet's index as it was at construction (later add()s are not seen).
class RuleSetMatcher {
 public:
  explicit RuleSetMatcher(const RuleSet& rules, const ReaderOptions& options = {});
  ~RuleSetMatcher();
  RuleSetMatcher(RuleSetMatcher&&) noexcept;
  RuleSetMatcher& operator=(RuleSetMatcher&&) noexcept;

  /// E4: `value` is used for `path` in every event that has no value for it. A later call for
  /// the same path replaces the value (events pushed since keep theirs); null removes it.
  void set_constant(std::string_view path, Value value);

  /// Reads one JSON event and sets `out` to the ids of the matching rules, ascending. A line
  /// that is not a JSON object is an error (E2) and `out` is left empty.
  Result<void> match_json(std::string_view json, std::vector<std::size_t>& out);
  /// The same without copying `json` (see JsonReader::read_padded for the padding it needs).
  Result<void> match_json_padded(std::string_view json, std::vector<std::size_t>& out);
  /// JsonReader::prescan() for the match_json_padded() calls that follow: the structural scan
  /// runs once over a block of whole lines (same results, less fixed cost per line). The same
  /// rules: the block stays unchanged and alive until the next prescan() (or prescan({})).
  void prescan(std::string_view block);
  /// The same for an event already bound to RuleSet::fields().
  void match(const Event& event, std::vector<std::size_t>& out);
  /// The same for an event built in code.
  void match(const FieldMap& map, std::vector<std::size_t>& out);

  /// Internal (eqlite::Stream): the index's matching units, ascending — the event rules and
  /// the stages of sequence and sample rules whose conditions `event` meets (lib/rule_index.hpp).
  void match_units(const Event& event, std::vector<std::uint32_t>& units);

  /// Reads one JSON event and says what the index and the VM did with it (slower than
  /// match_json: for debugging a rule set). A line that is not a JSON object is an error.
  Result<RuleSetExplanation> explain(std::string_view json);

  /// How many times the VM ran a rule (a candidate the index did not rule out) since this
  /// matcher was made: divided by the events matched, what the index leaves to evaluate.
  std::uint64_t evaluated() const noexcept;
  /// How many times the index matched a rule without the VM: a rule whose every condition the
  /// index checks exactly (plain string keys, `*literal*` patterns, `!= null`; see
  /// docs/architecture.md) needs no VM run once they are all met.
  std::uint64_t decided() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqlite
