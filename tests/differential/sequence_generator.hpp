// tests/differential/sequence_generator.hpp — seeded random sequence, sample and event queries,
// and random time-ordered event streams, for the sequence differential test
// (sequence_differential_test.cpp) and the snapshot/restore tests (tests/unit/stream_test.cpp).
//
// Queries are EQL text over a small world, so that stages, keys and time windows meet often:
//   * stage filters `<process|file|network|any> where <simple condition on v>` (v in 1..3);
//   * join keys from host.id (h1..h3), user.name (a, b) and n (1, 2, "1", true; also 1.0 when
//     Options::double_keys is on), at the sequence level and per stage (0-2 in all), some
//     written `?field` (Q1, Q2);
//   * sequences of 2-4 written stages with `with runs=2..3`, missing stages `![...]` first,
//     middle or last (Q5), `with maxspan=` in ms or s (required with a missing stage, Q1),
//     `until` (Q4), and `| head N` / `| tail N` (Q6);
//   * samples `sample by k [Q] [by k] ...` (Q7) with 2-3 stages;
//   * event queries with pipes (P2).
// Events are JSON objects with a unique "i" (their index, so that a result's event text names
// it), an event.category (sometimes an array or absent), v, the key fields (absent, null, a
// scalar, an empty array, or an array of 1-3 values, duplicates included; host.id sometimes as
// a dotted key, E1), and @timestamp: non-decreasing epoch milliseconds with frequent ties,
// written as a number, a digit string or an ISO-8601 string (T1), or missing / null / not a
// date in a few events; on request a tiebreaker "seq" (T3). Each event also comes as the
// generator's own flattening into a FlatEvent (E1) and its time, so that the oracle does not
// depend on the JsonReader. delay() reorders a stream within an allowed lateness (T3).
//
// Deterministic: the same seed gives the same queries and streams (xorshift, portable).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "eqlite/event.hpp"
#include "support/xorshift.hpp"

namespace eqlite::difftest {

struct StreamEvent {
  std::size_t id = 0;                 ///< its index as generated (its "i")
  std::string json;                   ///< one JSON object
  FlatEvent flat;                     ///< the same event flattened (E1)
  std::optional<std::int64_t> ts_ms;  ///< T1: its time in epoch ms; nullopt: none / not a date
  /// T3: its tiebreaker "seq" (stream(..., true)) as an order: (0, number) for a number,
  /// (1, 0, text) for a string, (2) when it has none (numbers first, none last).
  std::tuple<int, std::int64_t, std::string> tiebreaker{2, 0, {}};
};

class SequenceGenerator {
 public:
  /// Classes of input that can be switched off (each documented where it is used).
  struct Options {
    /// Key values 1.0 (a JSON double) besides 1: one join key (S8, docs/sequences.md point 6),
    /// reported as the result's first event has it.
    bool double_keys = true;
    /// Arrays of key values with duplicates (`["h1","h1"]`): equal combinations count once
    /// (docs/sequences.md point 6).
    bool duplicate_key_values = true;
    /// A result reports its join-key values as its first event has them, so a key 1.0 (a
    /// double) is reported as 1.0, not 1 (docs/sequences.md point 6). When off, the test
    /// compares reported numbers by value only (the join itself is still checked).
    bool exact_key_number_types = true;
    /// `![...] with runs=N` (docs/sequences.md point 5: N missing stages). The parser rejects it
    /// ("a missing event ![...] cannot repeat"), so it is off until the two agree.
    bool missing_stage_runs = false;
    /// `| head N` / `| tail N` after a sample (the oracle applies them). The parser rejects
    /// them ("a sample takes no pipes"), so they are off until the two agree.
    bool sample_pipes = false;
    /// Q6 order for sequences with both leading and trailing missing stages (`![..] [..] ![..]`).
    /// When off, such queries get no pipes and the test compares their results as a multiset
    /// (whether each sequence is accepted or rejected is still checked, not their order).
    bool order_with_leading_and_trailing_missing = true;
    /// Missing stages between two positive stages (`[..] ![..] [..]`).
    bool middle_missing_stages = true;
  };
  const Options& options() const noexcept { return options_; }

  explicit SequenceGenerator(std::uint64_t seed) : SequenceGenerator(seed, Options{}) {}
  SequenceGenerator(std::uint64_t seed, Options options)
      : rng_{seed ? seed : 0x9e3779b97f4a7c15ULL}, options_(options) {}

  /// `sequence [by ...] [with maxspan=...] [...] [...] [until [...]] [| head N]`.
  std::string sequence_query();
  /// `sample by ... [...] [...]`.
  std::string sample_query();
  /// `<category> where <condition> [| head N] [| tail N]`.
  std::string event_query();
  /// One of the three kinds.
  std::string any_query();
  /// Q7: a random max_samples_per_key, 1-3.
  std::uint64_t max_samples() { return 1 + pick(3); }
  /// A stream of min..max events (inclusive) in non-decreasing time order.
  /// With `tiebreaker`, events also have a tiebreaker field "seq" (T3: a small integer, a string
  /// or none), and events of equal time come in tiebreaker order.
  std::vector<StreamEvent> stream(std::size_t min, std::size_t max, bool tiebreaker = false);
  /// T3 with allowed lateness: reorders `events` (in time order) as if each had been delayed by
  /// 0..lateness_ms, so that none comes more than lateness_ms after a newer one (stable: equal
  /// arrival times keep their order; events without a time stay after their predecessor).
  void delay(std::vector<StreamEvent>& events, std::int64_t lateness_ms);

  std::size_t pick(std::uint64_t n) { return rng_(n); }
  bool chance(unsigned percent) { return rng_(100) < percent; }

 private:
  std::string filter();
  std::string key_field();
  std::string keys(std::size_t n);
  std::string pipes();

  eqlite::testing::XorShift rng_;
  Options options_;
};

}  // namespace eqlite::difftest
