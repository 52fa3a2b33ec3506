// tests/differential/generator.hpp — seeded random EQL queries and JSON events for the
// differential test (vm_vs_interpreter_test.cpp).
//
// Queries are EQL text (so the parser is exercised too) over a small field pool (a, b, c.d, c,
// and an always-absent e), with literals of every type (ints near 0 and near the int64 limits,
// doubles incl. 0.5 and -0.0, strings from a small alphabet incl. uppercase, '*', '?', '\' and a
// non-ASCII letter, numeric-looking strings), comparisons (also field to field), `in`/`in~`/
// `not in`, `:`/`like`/`like~`/`regex`/`regex~` with generated patterns (regexes from a small
// safe grammar), arithmetic, unary minus, not/and/or nesting, bare fields and literals, and in a
// fraction of expressions function calls (P9).
//
// Events are JSON objects: each pool field absent, null, a scalar of any type, an empty array,
// or an array of 1-3 scalars; c.d sometimes as an array of objects, a dotted key, or both
// (merged, E1); event.category sometimes set. Each event comes as JSON text and as the same
// event flattened into a FlatEvent (E1: dotted paths, arrays multi-valued, null is no value).
//
// Deterministic: the same seed gives the same sequence of queries and events.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "eqlite/event.hpp"
#include "support/json_value.hpp"

namespace eqlite::difftest {

struct GeneratedEvent {
  std::string json;  ///< the event as one JSON object
  FlatEvent flat;    ///< the same event, flattened (E1)
};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  /// A random query, e.g. `any where (a == 1) or not (c.d : "a*")`.
  std::string query();
  /// Fills `out` (cleared first) with a random event.
  void event(GeneratedEvent& out);

 private:
  using Json = eqlite::testing::JsonValue;

  std::string condition(int depth);
  std::string value(int depth);
  std::string primary(int depth);  // a value usable before a postfix predicate
  std::string field();
  std::string literal();
  std::string call(int depth);
  std::string string_literal_text();
  std::string wildcard_pattern();
  std::string regex(int depth);
  std::string regex_atom(int depth);
  std::string random_string(bool for_event);
  Json scalar();
  Json field_value(bool allow_objects);

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  template <typename T>
  const T& one_of(const std::vector<T>& v) {
    return v[pick(v.size())];
  }

  std::mt19937_64 rng_;
};

}  // namespace eqlite::difftest
