// tests/differential/sequence_differential_test.cpp — random differential testing of sequences
// and samples (tag [differential]): eqlite::Stream must give the results of the test-only oracle
// tests/support/reference_sequence.hpp on every generated query/stream pair (Q2-Q8, T1, T3).
//
// For each pair (sequence_generator.hpp): a random sequence or sample query (EQL text) and a
// random stream of 5-60 events in non-decreasing time order, some without a timestamp; in 30%
// of the pairs the stream is shuffled within an allowed lateness (StreamOptions::
// allowed_lateness_ns, T3), and a quarter of the sequences have a tiebreaker field (T3).
//   * The engine: eqlite::compile, then a Stream fed the events' JSON text in order, finish();
//     each result becomes its join-key values and the indexes of its events (the events carry a
//     unique "i", so a result's event text names its index; an empty view is a missing event).
//   * The oracle: internal::parse gives the AST; each stage's (and the until clause's) filter is
//     evaluated with the reference interpreter on the generator's own flattening of the event
//     (FlatEvent, E1), the join keys are the values of the key fields in that FlatEvent (null
//     is no value, S1), the timestamp is the generated epoch-ms value (T1), and
//     reference_sequence() does the rest (given the events as pushed, or with a tiebreaker
//     sorted by it first, as reference_sequence.hpp asks).
// Both lists must be equal: the same results, in the same order (Q6, Q7), with the same events
// (runs expanded, missing events in place, Q5) and the same join-key values (1 and 1.0 differ
// here: a result reports its keys as its first event has them, docs/sequences.md point 6).
//
// A mismatch prints the seed, the pair number, the query, the events and both results, then the
// same pair with as many events removed as keep it failing (a minimal repro), and the run stops
// after a few. The generator's Options can switch classes of input off; any class switched off
// below is a known engine bug, listed where the options are set.
//
// Budget: by default kDefaultPairs pairs with a fixed seed (6,000, ~1.5 s in Release; 2,000 in
// sanitizer and debug builds). For longer or different runs, the environment variables of the
// other differential test (vm_vs_interpreter_test.cpp):
//   EQLITE_DIFF_ITERATIONS=N   check N pairs
//   EQLITE_DIFF_SEED=S         seed of the generator (decimal or 0x hex)
// e.g. EQLITE_DIFF_ITERATIONS=200000 EQLITE_DIFF_SEED=7 build/tests/eqlite_tests
//        "[sequence_differential]"
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>
#include <vector>

#include <eqlite/eqlite.hpp>

#include "differential/sequence_generator.hpp"
#include "parser/ast.hpp"
#include "parser/parse.hpp"
#include "support/json_value.hpp"
#include "support/reference_interpreter.hpp"
#include "support/reference_sequence.hpp"
#include "support/reference_sequence_input.hpp"

namespace {

using eqlite::difftest::SequenceGenerator;
using eqlite::difftest::StreamEvent;
using eqlite::testing::ref_query;
using eqlite::testing::RefEvent;
using eqlite::testing::RefQuery;
using eqlite::testing::RefResult;
using eqlite::testing::RefStage;
using eqlite::testing::RefValue;

constexpr std::uint64_t kDefaultSeed = 20250117;
// Sanitizer and debug builds are ~30 times slower: fewer pairs there (about 30 s).
#if defined(__SANITIZE_ADDRESS__) || !defined(NDEBUG)
constexpr std::uint64_t kDefaultPairs = 2000;
#else
constexpr std::uint64_t kDefaultPairs = 6000;
#endif
constexpr int kStreamsPerQuery = 2;
constexpr int kMaxReported = 5;

std::uint64_t env_u64(const char* name, std::uint64_t fallback) {
  const char* s = std::getenv(name);
  if (!s || !*s) return fallback;
  return std::strtoull(s, nullptr, 0);
}

std::string show_value(const RefValue& v) {
  std::ostringstream os;
  if (std::holds_alternative<std::monostate>(v)) os << "null";
  if (const auto* b = std::get_if<bool>(&v)) os << (*b ? "true" : "false");
  if (const auto* i = std::get_if<std::int64_t>(&v)) os << *i;
  if (const auto* d = std::get_if<double>(&v)) os << *d << "(double)";
  if (const auto* s = std::get_if<std::string>(&v)) os << '"' << *s << '"';
  return os.str();
}

// Results as text, events named by their "i" (their index as generated).
std::string show(const std::vector<RefResult>& results, const std::vector<StreamEvent>& events) {
  if (results.empty()) return "    (none)\n";
  std::string out;
  for (const RefResult& r : results) {
    out += "    keys [";
    for (std::size_t k = 0; k < r.join_keys.size(); ++k)
      out += (k ? ", " : "") + show_value(r.join_keys[k]);
    out += "] events (";
    for (std::size_t k = 0; k < r.events.size(); ++k) {
      out += k ? ", " : "";
      out += !r.events[k]                   ? "-"
             : *r.events[k] < events.size() ? std::to_string(events[*r.events[k]].id)
                                            : "?";
    }
    out += ")\n";
  }
  return out;
}

std::vector<RefEvent> ref_events(const eqlite::ast::Query& parsed,
                                 const std::vector<StreamEvent>& events) {
  std::vector<RefEvent> out;
  for (const StreamEvent& e : events)
    out.push_back(eqlite::testing::ref_event(
        parsed, e.flat,
        e.ts_ms ? std::optional<std::int64_t>(*e.ts_ms * 1'000'000) : std::nullopt));
  return out;
}

// One generated case: a query, a stream, the options of the Stream.
struct Pair {
  std::string text;
  const eqlite::Query* query = nullptr;
  const eqlite::ast::Query* parsed = nullptr;
  std::vector<StreamEvent> events;  // in the order pushed
  std::uint64_t max_samples = 1;
  std::int64_t lateness_ms = 0;  // StreamOptions::allowed_lateness_ns, in ms
  bool tiebreaker = false;       // compiled with tiebreaker_field "seq" (a sequence)
};

// The engine's results, events as indexes into `events` (SIZE_MAX: text not pushed).
std::vector<RefResult> run_engine(const Pair& p, std::string& problems) {
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < p.events.size(); ++i)
    index.emplace(p.events[i].json, i);
  std::vector<RefResult> got;
  eqlite::StreamOptions options;
  options.max_samples_per_key = p.max_samples;
  options.allowed_lateness_ns = p.lateness_ms * 1'000'000;
  eqlite::Stream stream(
      *p.query,
      [&](const eqlite::StreamResult& r) {
        RefResult res;
        for (const auto& k : r.join_keys)
          res.join_keys.push_back(eqlite::testing::ref_value(k));
        for (std::string_view text : r.events) {
          if (text.empty()) {
            res.events.emplace_back(std::nullopt);
            continue;
          }
          auto it = index.find(text);
          res.events.emplace_back(it == index.end() ? SIZE_MAX : it->second);
        }
        got.push_back(std::move(res));
      },
      options);
  for (const StreamEvent& e : p.events) {
    auto ok = stream.push(e.json);
    if (!ok)
      problems += "push rejected " + e.json + ": " + ok.error().to_string() + "\n";
    else if (*ok == eqlite::Admission::Late)  // the generator keeps every event within lateness
      problems += "push says late: " + e.json + "\n";
  }
  stream.finish();
  return got;
}

// A key value with its number type forgotten (an int64 that a double holds exactly becomes
// that double), for Options::exact_key_number_types off.
RefValue loose(const RefValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v))
    if (static_cast<std::int64_t>(static_cast<double>(*i)) == *i) return static_cast<double>(*i);
  return v;
}

// Whether a sequence query has missing stages both before its first and after its last positive
// stage (Q5).
bool leading_and_trailing_missing(const eqlite::ast::Query& parsed) {
  return parsed.kind == eqlite::ast::Query::Kind::Sequence && !parsed.stages.empty() &&
         parsed.stages.front().missing && parsed.stages.back().missing;
}

bool result_less(const RefResult& a, const RefResult& b) {
  if (a.events != b.events) return a.events < b.events;
  auto show_keys = [](const RefResult& r) {
    std::string s;
    for (const auto& k : r.join_keys)
      s += show_value(loose(k)) + ";";
    return s;
  };
  return show_keys(a) < show_keys(b);
}

struct Outcome {
  std::vector<RefResult> engine, oracle;
  std::string problems;
  bool exact_number_types = true;  // Options::exact_key_number_types
  bool unordered = false;  // compare as multisets (order_with_leading_and_trailing_missing off)
  bool agree() const {
    if (!problems.empty()) return false;
    if (unordered) {
      Outcome sorted = *this;
      sorted.unordered = false;
      std::sort(sorted.engine.begin(), sorted.engine.end(), result_less);
      std::sort(sorted.oracle.begin(), sorted.oracle.end(), result_less);
      return sorted.agree();
    }
    if (exact_number_types) return engine == oracle;
    if (engine.size() != oracle.size()) return false;
    for (std::size_t r = 0; r < engine.size(); ++r) {
      if (engine[r].events != oracle[r].events) return false;
      if (engine[r].join_keys.size() != oracle[r].join_keys.size()) return false;
      for (std::size_t k = 0; k < engine[r].join_keys.size(); ++k)
        if (loose(engine[r].join_keys[k]) != loose(oracle[r].join_keys[k])) return false;
    }
    return true;
  }
};

Outcome run_pair(const Pair& p, const SequenceGenerator::Options& options) {
  Outcome o;
  o.exact_number_types = options.exact_key_number_types;
  o.unordered =
      !options.order_with_leading_and_trailing_missing && leading_and_trailing_missing(*p.parsed);
  o.engine = run_engine(p, o.problems);
  if (!p.tiebreaker) {
    o.oracle = eqlite::testing::reference_sequence(ref_query(*p.parsed, p.max_samples),
                                                   ref_events(*p.parsed, p.events));
    return o;
  }
  // T3: the oracle takes the events sorted by (tiebreaker, input position) and sorts them by
  // time itself (reference_sequence.hpp); its indexes are then mapped back to the input's.
  std::vector<std::size_t> order(p.events.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return p.events[a].tiebreaker < p.events[b].tiebreaker;
  });
  std::vector<StreamEvent> sorted;
  for (std::size_t i : order)
    sorted.push_back(p.events[i]);
  o.oracle = eqlite::testing::reference_sequence(ref_query(*p.parsed, p.max_samples),
                                                 ref_events(*p.parsed, sorted));
  for (RefResult& r : o.oracle)
    for (auto& e : r.events)
      if (e) e = order[*e];
  return o;
}

std::string describe(const Pair& p, const Outcome& o) {
  std::string out = "  query: " + p.text +
                    "\n  max_samples_per_key: " + std::to_string(p.max_samples) +
                    ", allowed lateness: " + std::to_string(p.lateness_ms) + "ms\n  events (" +
                    std::to_string(p.events.size()) + ", in the order pushed):\n";
  for (const StreamEvent& e : p.events)
    out += "    " + e.json + "\n";
  if (p.tiebreaker) out += "  tiebreaker_field: seq\n";
  out += "  oracle:\n" + show(o.oracle, p.events) + "  engine:\n" + show(o.engine, p.events);
  if (!o.problems.empty()) out += "  problems:\n" + o.problems;
  return out;
}

// Removes events one at a time as long as the pair still disagrees (a minimal repro).
std::string minimise(Pair p, const SequenceGenerator::Options& options) {
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t k = p.events.size(); k-- > 0;) {
      Pair fewer = p;
      fewer.events.erase(fewer.events.begin() + static_cast<std::ptrdiff_t>(k));
      if (!run_pair(fewer, options).agree()) {
        p = std::move(fewer);
        progress = true;
      }
    }
  }
  return describe(p, run_pair(p, options));
}

}  // namespace

TEST_CASE("differential: Stream vs reference_sequence on random sequences and samples",
          "[differential][sequence_differential]") {
  const std::uint64_t seed = env_u64("EQLITE_DIFF_SEED", kDefaultSeed);
  const std::uint64_t budget = env_u64("EQLITE_DIFF_ITERATIONS", kDefaultPairs);

  SequenceGenerator::Options options;
  // `![...] with runs=N` (docs/sequences.md point 5).
  options.missing_stage_runs = true;
  SequenceGenerator gen(seed, options);

  std::uint64_t pairs = 0, queries = 0, samples = 0, late_pairs = 0, tiebreakers = 0, results = 0,
                nonempty = 0, reported = 0;
  const auto start = std::chrono::steady_clock::now();
  while (pairs < budget && reported < kMaxReported) {
    Pair p;
    const bool sample = gen.chance(25);
    p.text = sample ? gen.sample_query() : gen.sequence_query();
    ++queries;
    samples += sample;
    // T3: a tiebreaker field orders the events of equal time (sequences only: samples ignore
    // time).
    p.tiebreaker = !sample && gen.chance(25);
    eqlite::CompileOptions compile_options;
    if (p.tiebreaker) compile_options.tiebreaker_field = "seq";
    auto parsed = eqlite::internal::parse(p.text);
    auto compiled = eqlite::compile(p.text, compile_options);
    if (!parsed || !compiled) {
      // The generator writes only valid queries (Q1): a compile error is a failure.
      FAIL_CHECK("the generated query does not compile: "
                 << p.text << "\n"
                 << (parsed ? compiled.error() : parsed.error()).format(p.text));
      ++reported;
      continue;
    }
    p.query = &*compiled;
    p.parsed = &*parsed;
    tiebreakers += p.tiebreaker;
    for (int k = 0; k < kStreamsPerQuery && pairs < budget; ++k) {
      p.max_samples = sample ? gen.max_samples() : 1;
      p.events = gen.stream(5, 60, p.tiebreaker);
      p.lateness_ms = 0;
      if (gen.chance(30)) {  // T3: out of order within the allowed lateness
        static const std::int64_t latenesses[] = {1, 3, 10, 50};
        p.lateness_ms = latenesses[gen.pick(4)];
        gen.delay(p.events, p.lateness_ms);
        ++late_pairs;
      }
      ++pairs;
      const Outcome o = run_pair(p, options);
      results += o.oracle.size();
      nonempty += !o.oracle.empty();
      if (o.agree()) continue;
      ++reported;
      FAIL_CHECK("Stream and reference_sequence disagree\n  seed: "
                 << seed << ", pair #" << pairs << " (query #" << queries << ")\n"
                 << describe(p, o) << "minimal repro:\n"
                 << minimise(p, options));
      break;  // one report per query
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[sequence differential] seed " << seed << ": " << pairs << " pairs (" << queries
            << " queries, " << samples << " samples, " << late_pairs
            << " streams out of order within the allowed lateness, " << tiebreakers
            << " queries with a tiebreaker) in " << seconds << " s; " << results
            << " results expected, " << nonempty << " pairs with at least one\n";
  // The generator must produce pairs that have results, or the comparison proves little.
  CHECK(nonempty > pairs / 4);
}

// ---- minimal cases ----------------------------------------------------------------------------
// Minimal repros of classes of bugs the random run found, each checked against the oracle like a
// random pair.

namespace {

using eqlite::testing::JsonValue;

JsonValue J(std::int64_t i) {
  JsonValue j;
  j.kind = JsonValue::Kind::Int;
  j.i = i;
  return j;
}

JsonValue J(double d) {
  JsonValue j;
  j.kind = JsonValue::Kind::Double;
  j.d = d;
  return j;
}

JsonValue J(const char* s) {
  return JsonValue::string(s);
}

// An event {"i":id,"@timestamp":ts_ms,"event":{"category":category}, fields...}.
StreamEvent hand_event(std::size_t id, std::int64_t ts_ms, const char* category,
                       std::vector<std::pair<std::string, JsonValue>> fields) {
  StreamEvent e;
  e.id = id;
  e.ts_ms = ts_ms;
  JsonValue root = JsonValue::object();
  root.add("i", J(static_cast<std::int64_t>(id)));
  root.add("@timestamp", J(ts_ms));
  JsonValue event = JsonValue::object();
  event.add("category", J(category));
  root.add("event", std::move(event));
  for (auto& [k, v] : fields)
    root.add(k, std::move(v));
  e.json = root.text();
  root.flatten("", e.flat);
  return e;
}

void check_against_oracle(const std::string& text, std::vector<StreamEvent> events) {
  auto parsed = eqlite::internal::parse(text);
  auto compiled = eqlite::compile(text);
  REQUIRE(parsed);
  REQUIRE(compiled);
  Pair p;
  p.text = text;
  p.query = &*compiled;
  p.parsed = &*parsed;
  p.events = std::move(events);
  const Outcome o = run_pair(p, SequenceGenerator::Options{});  // every check on
  INFO(describe(p, o));
  CHECK(o.agree());
}

}  // namespace

TEST_CASE(
    "sequence differential: a sequence rejected by a middle missing event "
    "still replaces the one pending in its stage (docs/sequences.md point 4: the check comes "
    "after the machine)",
    "[sequence_differential]") {
  // Q2: (0,1) waits after [network where v == 1]; 2 starts a sequence that 4 moves there,
  // replacing (0,1); the file event 3 lies between 2 and 4, so (2,4,5) is rejected when it
  // completes (Q5). Expected: no result (not (0,-,1,5)).
  check_against_oracle(
      "sequence with maxspan=1s [process where v == 1] ![file where true] "
      "[network where v == 1] [network where v == 2]",
      {hand_event(0, 0, "process", {{"v", J(std::int64_t{1})}}),
       hand_event(1, 1, "network", {{"v", J(std::int64_t{1})}}),
       hand_event(2, 2, "process", {{"v", J(std::int64_t{1})}}), hand_event(3, 3, "file", {}),
       hand_event(4, 4, "network", {{"v", J(std::int64_t{1})}}),
       hand_event(5, 5, "network", {{"v", J(std::int64_t{2})}})});
}

TEST_CASE(
    "sequence differential: a join key 1.0 is reported as 1.0, not as the integer 1 "
    "(docs/sequences.md point 6: as the result's first event has it)",
    "[sequence_differential]") {
  check_against_oracle("sequence by n [process where true] [file where true]",
                       {hand_event(0, 0, "process", {{"n", J(1.0)}}),
                        hand_event(1, 1, "file", {{"n", J(std::int64_t{1})}})});
}

TEST_CASE(
    "sequence differential: with leading and trailing missing stages, "
    "results leave in completion order (Q6)",
    "[sequence_differential]") {
  // a's sequence (1) has a leading missing event (0) 5ms before it, so it waits until the
  // window closes; b's (2) has none and is emitted at once, before a's. Q6: a's, then b's; with
  // `| tail 1` only b's.
  const std::vector<StreamEvent> events = {hand_event(0, 0, "file", {{"k", J("a")}}),
                                           hand_event(1, 5, "process", {{"k", J("a")}}),
                                           hand_event(2, 6, "process", {{"k", J("b")}})};
  const std::string text =
      "sequence by k with maxspan=10ms ![file where true] [process where true] "
      "![network where true]";
  check_against_oracle(text, events);
  check_against_oracle(text + " | tail 1", events);
}
