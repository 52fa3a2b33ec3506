// tests/unit/reference_sequence_test.cpp — the reference for sequences checked on hand-worked
// cases.
//
// Every expected result below is derived by hand from semantics.md (the rule is cited), the
// Elasticsearch documentation or the facts its QA suite establishes (named where used); see
// docs/sequences.md. Events are numbered from 1 in input order; -1 stands for a missing event.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "support/reference_sequence.hpp"
#include "support/xorshift.hpp"

namespace eqlite::testing {

// Catch prints results through this on failure.
std::ostream& operator<<(std::ostream& os, const RefResult& r) {
  auto value = [&os](const RefValue& v) {
    if (std::holds_alternative<std::monostate>(v)) os << "null";
    if (const auto* b = std::get_if<bool>(&v)) os << (*b ? "true" : "false");
    if (const auto* i = std::get_if<std::int64_t>(&v)) os << *i;
    if (const auto* d = std::get_if<double>(&v)) os << *d << "d";
    if (const auto* s = std::get_if<std::string>(&v)) os << '"' << *s << '"';
  };
  os << "{keys [";
  for (std::size_t i = 0; i < r.join_keys.size(); ++i) {
    if (i) os << ", ";
    value(r.join_keys[i]);
  }
  os << "] events (";
  for (std::size_t i = 0; i < r.events.size(); ++i) {
    if (i) os << ", ";
    if (r.events[i]) {
      os << *r.events[i] + 1;
    } else {
      os << "-1";
    }
  }
  return os << ")}";
}

}  // namespace eqlite::testing

namespace {

using eqlite::testing::reference_sequence;
using eqlite::testing::RefEvent;
using eqlite::testing::RefQuery;
using eqlite::testing::RefResult;
using eqlite::testing::RefStage;
using eqlite::testing::RefValue;
using Results = std::vector<RefResult>;

RefValue S(const char* s) {
  return RefValue{std::string(s)};
}
RefValue I(std::int64_t v) {
  return RefValue{v};
}
RefValue D(double v) {
  return RefValue{v};
}
RefValue B(bool v) {
  return RefValue{v};
}
RefValue Null() {
  return RefValue{};
}

constexpr std::int64_t kNs = 1;
constexpr std::int64_t kMs = 1'000'000;
constexpr std::int64_t kSec = 1000 * kMs;
constexpr std::int64_t kMin = 60 * kSec;

/// An expected result: join keys and 1-based event numbers, -1 for a missing event.
RefResult R(std::vector<RefValue> keys, std::vector<int> ids) {
  RefResult r;
  r.join_keys = std::move(keys);
  for (int id : ids) {
    r.events.push_back(id < 0 ? std::nullopt : std::optional<std::size_t>(id - 1));
  }
  return r;
}

/// A query whose stages match events by tag, with the same join-key fields in every stage
/// (`sequence by k1, k2 …`): the usual shape of a test. Stage "!m" is a missing stage.
struct Case {
  RefQuery q;
  std::vector<std::string> stage_tags;
  std::string until_tag;
  std::vector<bool> optional;  // one per join key

  struct Ev {
    std::optional<std::int64_t> ts;
    std::set<std::string> tags;
    std::vector<std::vector<RefValue>> keys;
  };
  std::vector<Ev> evs;

  explicit Case(std::size_t keys = 0) : optional(keys, false) {}

  Case& stage(const std::string& tag, std::size_t runs = 1) {
    RefStage s;
    s.missing = tag.front() == '!';
    s.runs = runs;
    q.stages.push_back(s);
    stage_tags.push_back(s.missing ? tag.substr(1) : tag);
    return *this;
  }
  Case& until(const std::string& tag) {
    until_tag = tag;
    return *this;
  }
  Case& maxspan(std::int64_t ns) {
    q.maxspan_ns = ns;
    return *this;
  }
  Case& add(std::optional<std::int64_t> ts, std::set<std::string> tags,
            std::vector<std::vector<RefValue>> keys = {}) {
    keys.resize(optional.size());
    evs.push_back({ts, std::move(tags), std::move(keys)});
    return *this;
  }

  std::vector<RefEvent> events() const {
    std::vector<RefEvent> out;
    for (const Ev& e : evs) {
      RefEvent r;
      r.timestamp_ns = e.ts;
      for (const std::string& tag : stage_tags) {
        r.matches.push_back(e.tags.count(tag) > 0);
        r.keys.push_back(e.keys);
      }
      r.until_matches = !until_tag.empty() && e.tags.count(until_tag) > 0;
      r.until_keys = e.keys;
      out.push_back(std::move(r));
    }
    return out;
  }

  Results run() {
    RefQuery full = q;
    for (RefStage& s : full.stages)
      s.key_optional = optional;
    if (!until_tag.empty()) {
      full.until = RefStage{};
      full.until->key_optional = optional;
    }
    return reference_sequence(full, events());
  }
};

// --------------------------------------------------------------------------------------------
// Q2: the state machine
// --------------------------------------------------------------------------------------------

TEST_CASE("Q2: the worked example of ES 'How sequence queries handle matches'",
          "[reference_sequence]") {
  // sequence by user.name [attrib] [bash] [cat]; the events of the ES docs, in time order.
  Case c(1);
  c.stage("attrib").stage("bash").stage("cat");
  const char* users[] = {"root", "root",   "elkbee", "root",   "root", "elkbee",
                         "root", "elkbee", "root",   "elkbee", "root"};
  const char* names[] = {"attrib", "attrib", "bash", "bash", "bash", "attrib",
                         "attrib", "bash",   "cat",  "cat",  "cat"};
  for (int i = 0; i < 11; ++i)
    c.add((i + 1) * kSec, {names[i]}, {{S(users[i])}});
  // [1] is overwritten by [2]; [2,4] moves to B; 5 finds A empty; [7] waits in A; [2,4,9]
  // completes for root, [6,8,10] for elkbee; 11 finds B empty.
  CHECK(c.run() == Results{R({S("root")}, {2, 4, 9}), R({S("elkbee")}, {6, 8, 10})});
}

TEST_CASE("Q2: one event completes a sequence and starts another", "[reference_sequence]") {
  // ES QA doubleSameSequence: [a][a] over a,a,a,a gives (1,2),(2,3),(3,4).
  Case c;
  c.stage("a").stage("a");
  for (int i = 1; i <= 4; ++i)
    c.add(i * kSec, {"a"});
  CHECK(c.run() == Results{R({}, {1, 2}), R({}, {2, 3}), R({}, {3, 4})});
}

TEST_CASE("Q2/T3: stages need a strictly later position in (timestamp, input position)",
          "[reference_sequence]") {
  SECTION("equal timestamps: input order decides") {
    Case c;
    c.stage("a").stage("b");
    c.add(5 * kSec, {"a"}).add(5 * kSec, {"b"});
    CHECK(c.run() == Results{R({}, {1, 2})});
  }
  SECTION("equal timestamps, b read first: no sequence") {
    Case c;
    c.stage("a").stage("b");
    c.add(5 * kSec, {"b"}).add(5 * kSec, {"a"});
    CHECK(c.run().empty());
  }
  SECTION("input out of order: the timestamp decides") {
    Case c;
    c.stage("a").stage("b");
    c.add(10 * kSec, {"a"}).add(5 * kSec, {"b"}).add(20 * kSec, {"b"});
    CHECK(c.run() == Results{R({}, {1, 3})});
  }
  SECTION("T1: events without a timestamp take part in no sequence") {
    Case c;
    c.stage("a").stage("b");
    c.add(std::nullopt, {"a"}).add(1 * kSec, {"b"});
    CHECK(c.run().empty());
    Case d;
    d.stage("a").stage("b");
    d.add(1 * kSec, {"a"}).add(std::nullopt, {"b"}).add(2 * kSec, {"b"});
    CHECK(d.run() == Results{R({}, {1, 3})});
  }
}

TEST_CASE("Q2: several by keys must all be equal", "[reference_sequence]") {
  Case c(2);  // sequence by host, user
  c.stage("a").stage("b");
  c.add(1 * kSec, {"a"}, {{S("h1")}, {S("u1")}});
  c.add(2 * kSec, {"a"}, {{S("h1")}, {S("u2")}});
  c.add(3 * kSec, {"b"}, {{S("h1")}, {S("u1")}});
  c.add(4 * kSec, {"b"}, {{S("h2")}, {S("u2")}});
  CHECK(c.run() == Results{R({S("h1"), S("u1")}, {1, 3})});
}

TEST_CASE("Q2: per-stage keys are different fields joined by position", "[reference_sequence]") {
  // sequence [a] by f [b] by g: the event's key is the field of the stage it is tried against.
  auto event = [](std::int64_t ts, bool a, bool b, std::vector<RefValue> f,
                  std::vector<RefValue> g) {
    RefEvent e;
    e.timestamp_ns = ts;
    e.matches = {a, b};
    e.keys = {{f}, {g}};
    return e;
  };
  RefQuery q;
  q.stages.resize(2);
  q.stages[0].key_optional = {false};
  q.stages[1].key_optional = {false};
  const std::vector<RefEvent> events = {
      event(1 * kSec, true, false, {S("x")}, {}),        // a, f = x
      event(2 * kSec, false, true, {S("x")}, {S("y")}),  // b: its key is g = y
      event(3 * kSec, false, true, {}, {S("x")}),        // b, g = x
  };
  CHECK(reference_sequence(q, events) == Results{R({S("x")}, {1, 3})});
}

TEST_CASE("Q2: a required key without a value keeps the event out; an optional key is null",
          "[reference_sequence]") {
  auto fill = [](Case& c) {
    c.stage("a").stage("b");
    c.add(1 * kSec, {"a"}).add(2 * kSec, {"b"});  // no value for the key
    c.add(3 * kSec, {"a"}, {{I(1)}}).add(4 * kSec, {"b"}, {{I(1)}});
  };
  SECTION("by x") {
    Case c(1);
    fill(c);
    CHECK(c.run() == Results{R({I(1)}, {3, 4})});
  }
  SECTION("by ?x (ES QA sequenceOptionalFieldAsKeyAndFirstFilter: null joins null)") {
    Case c(1);
    c.optional = {true};
    fill(c);
    CHECK(c.run() == Results{R({Null()}, {1, 2}), R({I(1)}, {3, 4})});
  }
}

TEST_CASE("Q2: multi-valued keys join under each value", "[reference_sequence]") {
  SECTION("many to many (ES QA sequenceWithMultivalue_ManyToMany), ties by key") {
    Case c(1);
    c.stage("a").stage("b");
    c.add(1 * kSec, {"a"}, {{S("t1"), S("t2")}});
    c.add(2 * kSec, {"a"}, {{S("t3"), S("t4")}});
    c.add(3 * kSec, {"b"}, {{S("t4"), S("t1"), S("t3")}});
    CHECK(c.run() == Results{R({S("t1")}, {1, 3}), R({S("t3")}, {2, 3}), R({S("t4")}, {2, 3})});
  }
  SECTION("duplicate values count once (ES QA sequenceWithMultivalue_Duplicates)") {
    Case c(1);
    c.stage("a").stage("b");
    c.add(1 * kSec, {"a"}, {{S("t1"), S("t1"), S("t2")}});
    c.add(2 * kSec, {"b"}, {{S("t1"), S("t2"), S("t2")}});
    CHECK(c.run() == Results{R({S("t1")}, {1, 2}), R({S("t2")}, {1, 2})});
  }
  SECTION("several multi-valued keys: the cartesian product") {
    Case c(2);  // sequence by tags, items
    c.stage("a").stage("b");
    c.add(1 * kSec, {"a"}, {{S("t3"), S("t4")}, {S("i1"), S("i2"), S("i3")}});
    c.add(2 * kSec, {"b"}, {{S("t1"), S("t3"), S("t4")}, {S("i0"), S("i1"), S("i2")}});
    CHECK(c.run() == Results{R({S("t3"), S("i1")}, {1, 2}), R({S("t3"), S("i2")}, {1, 2}),
                             R({S("t4"), S("i1")}, {1, 2}), R({S("t4"), S("i2")}, {1, 2})});
  }
}

TEST_CASE("Q2: key values: 1 == 1.0, \"1\" != 1, \"true\" != true", "[reference_sequence]") {
  Case c(1);
  c.stage("a").stage("b");
  c.add(1 * kSec, {"a"}, {{I(1)}}).add(2 * kSec, {"b"}, {{D(1.0)}});
  c.add(3 * kSec, {"a"}, {{S("1")}}).add(4 * kSec, {"b"}, {{I(1)}});
  c.add(5 * kSec, {"a"}, {{B(true)}}).add(6 * kSec, {"b"}, {{S("true")}});
  // The key is reported as the first event has it: the integer 1.
  CHECK(c.run() == Results{R({I(1)}, {1, 2})});
}

// --------------------------------------------------------------------------------------------
// Q3: maxspan
// --------------------------------------------------------------------------------------------

TEST_CASE("Q3: maxspan is inclusive", "[reference_sequence]") {
  Case c;
  c.stage("a").stage("b").maxspan(5 * kSec);
  c.add(0, {"a"}).add(5 * kSec, {"b"});
  CHECK(c.run() == Results{R({}, {1, 2})});

  Case d;
  d.stage("a").stage("b").maxspan(5 * kSec);
  d.add(0, {"a"}).add(5 * kSec + kNs, {"b"});
  CHECK(d.run().empty());
}

TEST_CASE("Q3: a pending sequence too old for the next stage is dropped", "[reference_sequence]") {
  // [a][b][c] with maxspan=10s: c@11s takes (1,2), which started at 0: dropped, not replaced by
  // anything; the younger (3) waits in another state and goes on.
  Case c;
  c.stage("a").stage("b").stage("c").maxspan(10 * kSec);
  c.add(0, {"a"}).add(5 * kSec, {"b"}).add(6 * kSec, {"a"}).add(11 * kSec, {"c"});
  c.add(12 * kSec, {"b"}).add(13 * kSec, {"c"}).add(14 * kSec, {"c"});
  CHECK(c.run() == Results{R({}, {3, 5, 6})});
}

// --------------------------------------------------------------------------------------------
// Q4: until
// --------------------------------------------------------------------------------------------

TEST_CASE("Q4: the ES documentation's until example", "[reference_sequence]") {
  // sequence by ID A B until C over A,B / A,B,C / A,C,B: only the first two match.
  Case c(1);
  c.stage("A").stage("B").until("C");
  c.add(1 * kSec, {"A"}, {{I(1)}}).add(2 * kSec, {"B"}, {{I(1)}});
  c.add(3 * kSec, {"A"}, {{I(2)}}).add(4 * kSec, {"B"}, {{I(2)}}).add(5 * kSec, {"C"}, {{I(2)}});
  c.add(6 * kSec, {"A"}, {{I(3)}}).add(7 * kSec, {"C"}, {{I(3)}}).add(8 * kSec, {"B"}, {{I(3)}});
  CHECK(c.run() == Results{R({I(1)}, {1, 2}), R({I(2)}, {3, 4})});
}

TEST_CASE("Q4: until before, between, after, and on a stage's own event", "[reference_sequence]") {
  SECTION("before the first event: no effect") {
    Case c;
    c.stage("a").stage("b").until("u");
    c.add(1 * kSec, {"u"}).add(2 * kSec, {"a"}).add(3 * kSec, {"b"});
    CHECK(c.run() == Results{R({}, {2, 3})});
  }
  SECTION("after completion: no effect") {
    Case c;
    c.stage("a").stage("b").until("u");
    c.add(1 * kSec, {"a"}).add(2 * kSec, {"b"}).add(3 * kSec, {"u"});
    CHECK(c.run() == Results{R({}, {1, 2})});
  }
  SECTION("another key: no effect") {
    Case c(1);
    c.stage("a").stage("b").until("u");
    c.add(1 * kSec, {"a"}, {{S("k1")}}).add(2 * kSec, {"u"}, {{S("k2")}});
    c.add(3 * kSec, {"b"}, {{S("k1")}});
    CHECK(c.run() == Results{R({S("k1")}, {1, 3})});
  }
  SECTION("the event of a middle stage: it advances the sequence, then drops it") {
    Case c;
    c.stage("a").stage("b").stage("c").until("u");
    c.add(1 * kSec, {"a"}).add(2 * kSec, {"b", "u"}).add(3 * kSec, {"c"});
    CHECK(c.run().empty());
  }
  SECTION("the event of the last stage: the sequence completes") {
    // ES QA sequenceWithOptionalFieldsAndUntil_1 (until on the completing event).
    Case c;
    c.stage("a").stage("b").until("u");
    c.add(1 * kSec, {"a"}).add(2 * kSec, {"b", "u"});
    CHECK(c.run() == Results{R({}, {1, 2})});
  }
  SECTION("the event of the first stage: it starts a sequence, then drops it") {
    Case c;
    c.stage("a").stage("b").until("u");
    c.add(1 * kSec, {"a", "u"}).add(2 * kSec, {"b"}).add(3 * kSec, {"a"}).add(4 * kSec, {"b"});
    CHECK(c.run() == Results{R({}, {3, 4})});
  }
  SECTION("an event that completes one sequence and starts another drops the new one") {
    Case c;
    c.stage("a").stage("b").until("u");
    c.add(1 * kSec, {"a"}).add(2 * kSec, {"a", "b", "u"}).add(3 * kSec, {"b"});
    CHECK(c.run() == Results{R({}, {1, 2})});
  }
}

// --------------------------------------------------------------------------------------------
// runs
// --------------------------------------------------------------------------------------------

TEST_CASE("Q1/Q2: with runs=N is the stage written N times", "[reference_sequence]") {
  // [a] with runs=3 [b] is [a][a][a][b]: over a,a,a,a,b the states end as (2,3,4) waiting for
  // b ((1,2,3) was replaced by it), and b completes it.
  Case c;
  c.stage("a", 3).stage("b");
  for (int i = 1; i <= 4; ++i)
    c.add(i * kSec, {"a"});
  c.add(5 * kSec, {"b"});
  CHECK(c.run() == Results{R({}, {2, 3, 4, 5})});
}

// --------------------------------------------------------------------------------------------
// Q5: missing events
// --------------------------------------------------------------------------------------------

TEST_CASE("Q5: a middle missing stage: nothing strictly between its neighbours",
          "[reference_sequence]") {
  // The data of ES QA test_missing_events.toml, group test1.
  auto data = [](Case& c) {
    c.maxspan(1 * kSec);
    c.add(1 * kMs, {"n"}).add(2 * kMs, {"n"}).add(3 * kMs, {"m"}).add(4 * kMs, {"n"});
  };
  SECTION("no such event (missingInBetween_noMatches)") {
    Case c;
    c.stage("n").stage("!x").stage("n");
    data(c);
    CHECK(c.run() == Results{R({}, {1, -1, 2}), R({}, {2, -1, 4})});
  }
  SECTION("an event in between rejects (missingInBetween_match)") {
    Case c;
    c.stage("n").stage("!m").stage("n");
    data(c);
    CHECK(c.run() == Results{R({}, {1, -1, 2})});
  }
  SECTION("an event at a neighbour's timestamp is not between") {
    Case c;
    c.stage("n").stage("!m").stage("n").maxspan(1 * kSec);
    c.add(1 * kMs, {"n"}).add(1 * kMs, {"m"}).add(2 * kMs, {"n"}).add(2 * kMs, {"m"});
    CHECK(c.run() == Results{R({}, {1, -1, 3})});
  }
  SECTION("the state machine runs first (skipFirstMatchAndPickSecondCandidate)") {
    // Positive stages give (1,2,4) and (2,4,5); m at 2ms lies between 2 (1ms) and 4 (3ms).
    Case c;
    c.stage("n").stage("n").stage("!m").stage("n").maxspan(1 * kSec);
    c.add(0, {"n"}).add(1 * kMs, {"n"}).add(2 * kMs, {"m"}).add(3 * kMs, {"n"});
    c.add(4 * kMs, {"n"});
    CHECK(c.run() == Results{R({}, {2, 4, -1, 5})});
  }
}

TEST_CASE("Q5: leading missing stages", "[reference_sequence]") {
  // The data of ES QA test_missing_events.toml, group test3 (times from 12:00:00.000).
  auto data = [](Case& c) {
    c.add(0, {"m"}).add(10 * kMin + kMs, {"n"}).add(20 * kMin + kMs, {"m"});
    c.add(21 * kMin + kMs, {"n"}).add(29 * kMin + kMs, {"n"}).add(31 * kMin + kMs, {"n"});
  };
  SECTION("leadingSimple: the latest m before is more than maxspan before the last event") {
    Case c;
    c.stage("!m").stage("n").maxspan(3 * kMin);
    data(c);
    CHECK(c.run() == Results{R({}, {-1, 2}), R({}, {-1, 5}), R({}, {-1, 6})});
  }
  SECTION("leading and trailing: rejected only when both exist within maxspan (19m)") {
    Case c;
    c.stage("!m").stage("n").stage("!m").maxspan(19 * kMin);
    data(c);
    // 2: m at 0 and m at 20m+1ms, 20m+1ms apart > 19m; 4, 5, 6: no m after them.
    CHECK(c.run() ==
          Results{R({}, {-1, 2, -1}), R({}, {-1, 4, -1}), R({}, {-1, 5, -1}), R({}, {-1, 6, -1})});
  }
  SECTION("leading and trailing (21m)") {
    Case c;
    c.stage("!m").stage("n").stage("!m").maxspan(21 * kMin);
    data(c);
    CHECK(c.run() == Results{R({}, {-1, 4, -1}), R({}, {-1, 5, -1}), R({}, {-1, 6, -1})});
  }
  SECTION("boundary: exactly maxspan before the last positive event rejects") {
    Case c;
    c.stage("!m").stage("n").maxspan(3 * kMin);
    c.add(0, {"m"}).add(3 * kMin, {"n"}).add(3 * kMin, {"m"});  // the last m is not before
    CHECK(c.run().empty());
    Case d;
    d.stage("!m").stage("n").maxspan(3 * kMin);
    d.add(0, {"m"}).add(3 * kMin + kNs, {"n"});
    CHECK(d.run() == Results{R({}, {-1, 2})});
  }
  SECTION("measured to the last positive event") {
    // ![m][a][b] maxspan=10s, a at 1s/2s, b at 11s: m at 0 is 11s before b (accepted), m at 1s
    // is 10s before b (rejected), although both are within 10s of a.
    Case c;
    c.stage("!m").stage("a").stage("b").maxspan(10 * kSec);
    c.add(0, {"m"}).add(1 * kSec, {"a"}).add(11 * kSec, {"b"});
    CHECK(c.run() == Results{R({}, {-1, 2, 3})});
    Case d;
    d.stage("!m").stage("a").stage("b").maxspan(10 * kSec);
    d.add(1 * kSec, {"m"}).add(2 * kSec, {"a"}).add(11 * kSec, {"b"});
    CHECK(d.run().empty());
  }
}

TEST_CASE("Q5: trailing missing stages", "[reference_sequence]") {
  SECTION("positivePlusMissing (ES QA group test1)") {
    Case c;
    c.stage("n").stage("!m").maxspan(1 * kSec);
    c.add(1 * kMs, {"n"}).add(2 * kMs, {"n"}).add(3 * kMs, {"m"}).add(4 * kMs, {"n"});
    CHECK(c.run() == Results{R({}, {4, -1})});
  }
  SECTION("boundary: exactly maxspan after the first event rejects") {
    Case c;
    c.stage("n").stage("!m").maxspan(1 * kSec);
    c.add(0, {"n"}).add(1 * kSec, {"m"});
    CHECK(c.run().empty());
    Case d;
    d.stage("n").stage("!m").maxspan(1 * kSec);
    d.add(0, {"n"}).add(1 * kSec + kNs, {"m"});
    CHECK(d.run() == Results{R({}, {1, -1})});
  }
  SECTION("measured from the first positive event") {
    Case c;
    c.stage("a").stage("b").stage("!m").maxspan(10 * kSec);
    c.add(0, {"a"}).add(5 * kSec, {"b"}).add(9 * kSec, {"m"});
    CHECK(c.run().empty());
    Case d;
    d.stage("a").stage("b").stage("!m").maxspan(10 * kSec);
    d.add(0, {"a"}).add(5 * kSec, {"b"}).add(11 * kSec, {"m"});  // 6s after b, 11s after a
    CHECK(d.run() == Results{R({}, {1, 2, -1})});
  }
  SECTION("leading and trailing stages, no leading event: accepted whatever follows") {
    Case c;
    c.stage("!m").stage("n").stage("!m").maxspan(1 * kMin);
    c.add(10 * kSec, {"n"}).add(20 * kSec, {"m"});
    CHECK(c.run() == Results{R({}, {-1, 1, -1})});
  }
}

TEST_CASE("Q5: a missing event must have the sequence's key", "[reference_sequence]") {
  Case c(1);  // sequence by k with maxspan=1m [a] ![m] [b]
  c.stage("a").stage("!m").stage("b").maxspan(1 * kMin);
  c.add(1 * kSec, {"a"}, {{S("k1")}}).add(2 * kSec, {"m"}, {{S("k2")}});
  c.add(3 * kSec, {"b"}, {{S("k1")}});
  c.add(4 * kSec, {"a"}, {{S("k1")}}).add(5 * kSec, {"m"}, {{S("k3"), S("k1")}});
  c.add(6 * kSec, {"b"}, {{S("k1")}});
  c.add(7 * kSec, {"a"}, {{S("k1")}}).add(8 * kSec, {"m"}).add(9 * kSec, {"b"}, {{S("k1")}});
  // 2 has another key; 5 has k1 among its values (rejects); 8 has no key (required): no match.
  CHECK(c.run() == Results{R({S("k1")}, {1, -1, 3}), R({S("k1")}, {7, -1, 9})});
}

TEST_CASE("Q5: a missing stage with runs=2 is two missing stages", "[reference_sequence]") {
  Case c;
  c.stage("a").stage("!m", 2).stage("b").maxspan(1 * kMin);
  c.add(1 * kSec, {"a"}).add(2 * kSec, {"b"});
  CHECK(c.run() == Results{R({}, {1, -1, -1, 2})});
}

TEST_CASE("Q5: several missing stages (ES QA multipleMissing1, group test4)",
          "[reference_sequence]") {
  Case c;
  c.stage("A").stage("B").stage("!M1").stage("C").stage("!M2").stage("D").maxspan(1 * kSec);
  const char* tags[] = {"A", "B", "M1", "B", "C", "M2", "D", "M1", "C",
                        "B", "C", "D",  "A", "B", "M3", "C", "D",  "M4"};
  for (int i = 0; i < 18; ++i)
    c.add((i + 1) * kMs, {tags[i]});
  // Positive stages give (1,2,5,7), rejected by M1 at 3, and (13,14,16,17).
  CHECK(c.run() == Results{R({}, {13, 14, -1, 16, -1, 17})});
}

// --------------------------------------------------------------------------------------------
// Q6: order and pipes
// --------------------------------------------------------------------------------------------

TEST_CASE("Q6/P2: head and tail, alone and composed", "[reference_sequence]") {
  Case c;
  c.stage("a").stage("a");
  for (int i = 1; i <= 5; ++i)
    c.add(i * kSec, {"a"});
  const Results all = {R({}, {1, 2}), R({}, {2, 3}), R({}, {3, 4}), R({}, {4, 5})};
  CHECK(c.run() == all);
  auto with = [&](std::vector<std::pair<bool, std::uint64_t>> pipes) {
    Case d = c;
    d.q.pipes = std::move(pipes);
    return d.run();
  };
  CHECK(with({{true, 2}}) == Results{all[0], all[1]});
  CHECK(with({{false, 2}}) == Results{all[2], all[3]});
  CHECK(with({{false, 3}, {true, 1}}) == Results{all[1]});
  CHECK(with({{true, 3}, {false, 1}}) == Results{all[2]});
  CHECK(with({{true, 10}}) == all);
  CHECK(with({{true, 0}}).empty());
}

// --------------------------------------------------------------------------------------------
// Q7: samples
// --------------------------------------------------------------------------------------------

// The data of ES QA test_sample_multi.toml (no timestamps): `sample by os`.
Case sample_multi(bool optional_key, std::uint64_t max_per_key, bool reversed = false) {
  Case c(1);
  c.q.sample = true;
  c.q.max_samples_per_key = max_per_key;
  c.optional = {optional_key};
  if (reversed) {
    c.stage("alert_2").stage("alert_1");
  } else {
    c.stage("alert_1").stage("alert_2");
  }
  const char* types[] = {"alert_1", "alert_1", "alert_2", "alert_1", "alert_1",
                         "alert_2", "alert_1", "alert_1", "alert_2", "alert_1"};
  const char* os[] = {"win10",  "win10",  "win10", "win10", "fedora",
                      "redhat", "redhat", nullptr, nullptr, nullptr};
  for (int i = 0; i < 10; ++i) {
    std::vector<std::vector<RefValue>> keys = {{}};
    if (os[i]) keys[0].push_back(S(os[i]));
    c.add(std::nullopt, {types[i]}, keys);
  }
  return c;
}

TEST_CASE("Q7: samples per key, ordered by key, max_samples_per_key", "[reference_sequence]") {
  SECTION("oneSamplePerKey") {
    CHECK(sample_multi(false, 1).run() ==
          Results{R({S("redhat")}, {7, 6}), R({S("win10")}, {1, 3})});
  }
  SECTION("twoSamplesPerKeyOutOfThree") {
    CHECK(sample_multi(false, 2).run() ==
          Results{R({S("redhat")}, {7, 6}), R({S("win10")}, {1, 3}), R({S("win10")}, {2, 3})});
  }
  SECTION("threeSamplesPerKey") {
    CHECK(sample_multi(false, 3).run() == Results{R({S("redhat")}, {7, 6}), R({S("win10")}, {1, 3}),
                                                  R({S("win10")}, {2, 3}),
                                                  R({S("win10")}, {4, 3})});
  }
  SECTION("an optional key: null comes first") {
    CHECK(sample_multi(true, 1).run() ==
          Results{R({Null()}, {8, 9}), R({S("redhat")}, {7, 6}), R({S("win10")}, {1, 3})});
    CHECK(sample_multi(true, 2).run() == Results{R({Null()}, {8, 9}), R({Null()}, {10, 9}),
                                                 R({S("redhat")}, {7, 6}), R({S("win10")}, {1, 3}),
                                                 R({S("win10")}, {2, 3})});
  }
  SECTION("events in stage order (twoSamplesPerKeyOutOfThree2)") {
    CHECK(sample_multi(false, 2, true).run() ==
          Results{R({S("redhat")}, {6, 7}), R({S("win10")}, {3, 1}), R({S("win10")}, {3, 2})});
  }
}

TEST_CASE("Q7: one event serves one stage of a sample", "[reference_sequence]") {
  Case c(1);
  c.q.sample = true;
  c.stage("x").stage("x");
  c.add(std::nullopt, {"x"}, {{S("k")}});
  CHECK(c.run().empty());
  c.add(std::nullopt, {"x"}, {{S("k")}});
  CHECK(c.run() == Results{R({S("k")}, {1, 2})});
  c.q.max_samples_per_key = 3;
  CHECK(c.run() == Results{R({S("k")}, {1, 2}), R({S("k")}, {2, 1})});
}

TEST_CASE("Q7: sample key order across types; multi-valued keys; input order, not time",
          "[reference_sequence]") {
  SECTION("null < false < true < numbers < strings by bytes") {
    Case c(1);
    c.q.sample = true;
    c.optional = {true};
    c.stage("x").stage("y");
    const std::vector<RefValue> keys = {S("b"), S("10"), I(9), D(2.5), B(true), B(false), Null()};
    for (const RefValue& k : keys) {
      std::vector<std::vector<RefValue>> v = {{}};
      if (!std::holds_alternative<std::monostate>(k)) v[0].push_back(k);
      c.add(std::nullopt, {"x"}, v).add(std::nullopt, {"y"}, v);
    }
    CHECK(c.run() == Results{R({Null()}, {13, 14}), R({B(false)}, {11, 12}), R({B(true)}, {9, 10}),
                             R({D(2.5)}, {7, 8}), R({I(9)}, {5, 6}), R({S("10")}, {3, 4}),
                             R({S("b")}, {1, 2})});
  }
  SECTION("a multi-valued key joins under each value") {
    Case c(1);
    c.q.sample = true;
    c.stage("x").stage("y");
    c.add(std::nullopt, {"x"}, {{S("k1"), S("k2")}});
    c.add(std::nullopt, {"y"}, {{S("k2")}}).add(std::nullopt, {"y"}, {{S("k1")}});
    CHECK(c.run() == Results{R({S("k1")}, {1, 3}), R({S("k2")}, {1, 2})});
  }
  SECTION("candidates come in input order; timestamps do not matter") {
    Case c(1);
    c.q.sample = true;
    c.stage("x").stage("y");
    c.add(100 * kSec, {"x"}, {{S("k")}}).add(50 * kSec, {"x"}, {{S("k")}});
    c.add(10 * kSec, {"y"}, {{S("k")}});
    CHECK(c.run() == Results{R({S("k")}, {1, 3})});
  }
}

// --------------------------------------------------------------------------------------------
// Size: ~2,000 events x 10 stages in well under a second (a random input, Q2-Q5 and Q7 at once).
// --------------------------------------------------------------------------------------------

TEST_CASE("reference: 2,000 events x 10 stages runs fast", "[reference_sequence]") {
  eqlite::testing::XorShift rng{0x9e3779b97f4a7c15ULL};
  RefQuery q;
  q.maxspan_ns = 100 * kSec;
  for (int s = 0; s < 10; ++s) {
    RefStage st;
    st.missing = s == 4 || s == 9;  // a middle and a trailing missing stage
    st.key_optional = {false};
    q.stages.push_back(st);
  }
  q.until = RefStage{};
  q.until->key_optional = {false};
  std::vector<RefEvent> events;
  for (int i = 0; i < 2000; ++i) {
    RefEvent e;
    e.timestamp_ns = static_cast<std::int64_t>(rng(1000)) * kSec;
    for (int s = 0; s < 10; ++s) {
      e.matches.push_back(rng(q.stages[s].missing ? 60 : 3) == 0);
      e.keys.push_back({{I(static_cast<std::int64_t>(rng(3)))}});
    }
    e.until_matches = rng(50) == 0;
    e.until_keys = {{I(static_cast<std::int64_t>(rng(3)))}};
    events.push_back(std::move(e));
  }
  const auto start = std::chrono::steady_clock::now();
  const Results sequences = reference_sequence(q, events);
  q.sample = true;
  for (RefStage& s : q.stages)
    s.missing = false;
  q.max_samples_per_key = 3;
  const Results samples = reference_sequence(q, events);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(std::chrono::duration_cast<std::chrono::milliseconds>(took).count() < 1000);
  CHECK(samples.size() == 9);  // 3 keys, each with enough distinct events for 3 samples
  CHECK(sequences.size() > 10);
  for (const RefResult& r : sequences) {
    REQUIRE(r.events.size() == 10);
    CHECK_FALSE(r.events[4].has_value());
    CHECK_FALSE(r.events[9].has_value());
  }
}

}  // namespace
