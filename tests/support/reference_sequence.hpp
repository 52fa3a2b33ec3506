// tests/support/reference_sequence.hpp — a TEST-ONLY reference for sequences and samples
// (semantics.md Q2-Q8), the oracle the engine's streaming matcher (stream/) is checked against.
//
// Written from the Q rules and Elasticsearch's documented behaviour, NOT from stream/: plain
// containers, a whole input at once, no shared code with the engine. The caller evaluates each
// stage's filter on each event (with the reference interpreter) and extracts the raw join-key
// values; this file does everything that happens after that: ordering (T3), join keys (Q2),
// maxspan (Q3), until (Q4), missing events (Q5), results and pipes (Q6), samples (Q7).
// Every decision, with its evidence, is in docs/sequences.md.
//
// Order (T3): sequences consume the events that have a timestamp in (timestamp, input position)
// order (a stable sort of the input by timestamp). A tiebreaker field is the caller's business:
// pass the events already sorted by (tiebreaker, input position) and the stable sort by timestamp
// gives (timestamp, tiebreaker, input position); result indexes then refer to that vector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "eqlite/value.hpp"

namespace eqlite::testing {

/// One value of a join key: null, a boolean, an integer, a double or a string. Two values are the
/// same key when they have the same type and value, except that numbers compare by value (the
/// int64 1 and the double 1.0 are one key); "1" is not 1, "true" is not true. Keys order (Q6 ties,
/// Q7): null < false < true < numbers < strings (by bytes), position by position.
using RefValue = std::variant<std::monostate, bool, std::int64_t, double, std::string>;

/// A stage as written: `[Q] by k1, k2 with runs=N`, or `![Q] by ...` when missing. `runs` repeats
/// the stage (expanded before anything else; a missing stage with runs=2 is two missing stages).
struct RefStage {
  bool missing = false;
  std::size_t runs = 1;
  /// One flag per join key (the sequence's `by` keys first, then the stage's): written `?field`.
  std::vector<bool> key_optional;
};

struct RefQuery {
  bool sample = false;
  std::vector<RefStage> stages;  ///< as written: runs not expanded
  std::optional<RefStage> until;
  std::optional<std::int64_t> maxspan_ns;  ///< `with maxspan=...`, in nanoseconds
  /// `| head N` (true) / `| tail N` (false), applied in order to the ordered results.
  std::vector<std::pair<bool, std::uint64_t>> pipes;
  /// Samples: at most this many samples per join key (0 is read as 1).
  std::uint64_t max_samples_per_key = 1;
};

/// What the caller knows of one event.
struct RefEvent {
  /// T1: the timestamp as nanoseconds since the epoch; nullopt when missing or unreadable.
  std::optional<std::int64_t> timestamp_ns;
  /// Per written stage: whether the stage's filter holds on the event.
  std::vector<bool> matches;
  bool until_matches = false;
  /// Per written stage, per join key: every value the key's field has in the event (empty: no
  /// value; several: a multi-valued field, S4). JSON null and empty arrays give no value (S1).
  std::vector<std::vector<std::vector<RefValue>>> keys;
  std::vector<std::vector<RefValue>> until_keys;
};

/// An engine value as a RefValue (for the callers that read events with eqlite's JsonReader).
inline RefValue ref_value(const eqlite::Value& v) {
  switch (v.kind()) {
    case eqlite::ValueKind::Null:
      return std::monostate{};
    case eqlite::ValueKind::Bool:
      return v.as_bool();
    case eqlite::ValueKind::Int:
      return v.as_int();
    case eqlite::ValueKind::Double:
      return v.as_double();
    case eqlite::ValueKind::String:
      return std::string(v.as_string());
  }
  return std::monostate{};
}

/// One sequence or sample.
struct RefResult {
  /// The key values as found in the result's first event (a sequence's first positive-stage
  /// event, a sample's first-stage event): it matters only for 1 versus 1.0.
  std::vector<RefValue> join_keys;
  /// Indexes into the input, in stage order (runs expanded); nullopt for a missing event.
  std::vector<std::optional<std::size_t>> events;
  bool operator==(const RefResult&) const = default;
};

/// Every result of `q` over `events` (given in input order), in the order Q6/Q7 give them:
/// sequences by the position of their last event, then by join key; samples by join key, then in
/// the order they were found. Samples ignore timestamps, until, maxspan and missing flags.
std::vector<RefResult> reference_sequence(const RefQuery& q, const std::vector<RefEvent>& events);

}  // namespace eqlite::testing
