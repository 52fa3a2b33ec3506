// tests/support/reference_sequence.cpp — see reference_sequence.hpp; the decisions it implements
// are written out, with their evidence from Elasticsearch, in docs/sequences.md.
//
// Whole-input algorithms on plain containers, in the order a reader checks them:
//   1. values and keys: a total order on join-key values, the key combinations of an event;
//   2. sequences: the state machine over the positive stages (Q2-Q4), then the missing-event
//      check of every completed sequence (Q5), then the order and the pipes (Q6);
//   3. samples (Q7).
#include "support/reference_sequence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace eqlite::testing {
namespace {

// ---------------------------------------------------------------------------------------------
// 1. Join-key values
// ---------------------------------------------------------------------------------------------

// The order of join-key values (Q7's sample order, Q6's tie-break): null < false < true <
// numbers (by value; an int64 and a double holding the same number are equal) < strings (by
// bytes). Two values are the same join key exactly when neither orders before the other.
int type_rank(const RefValue& v) {
  if (std::holds_alternative<std::monostate>(v)) return 0;
  if (std::holds_alternative<bool>(v)) return 1;
  if (std::holds_alternative<std::int64_t>(v) || std::holds_alternative<double>(v)) return 2;
  return 3;
}

template <typename T>
int three_way(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// An int64 against a double, exactly (no rounding of the integer to a double). NaN, which JSON
// cannot produce, orders after every other number so that the order stays total.
int compare_int_double(std::int64_t i, double d) {
  if (std::isnan(d)) return -1;
  if (d >= 9223372036854775808.0) return -1;  // 2^63: above every int64
  if (d < -9223372036854775808.0) return 1;   // below -2^63
  const double whole = std::floor(d);
  const auto whole_int = static_cast<std::int64_t>(whole);  // exact: |whole| <= 2^63, in range
  if (i != whole_int) return three_way(i, whole_int);
  return whole == d ? 0 : -1;  // i == floor(d): equal, or d has a fraction above i
}

int compare_doubles(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return three_way(std::isnan(a), std::isnan(b));
  return three_way(a, b);  // -0.0 == 0.0
}

int compare_values(const RefValue& a, const RefValue& b) {
  const int ra = type_rank(a);
  const int rb = type_rank(b);
  if (ra != rb) return three_way(ra, rb);
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return three_way(std::get<bool>(a), std::get<bool>(b));
    case 3:
      // std::string compares as unsigned bytes (char_traits<char>::compare is memcmp-like).
      return three_way(std::get<std::string>(a).compare(std::get<std::string>(b)), 0);
    default:
      break;
  }
  const auto* ai = std::get_if<std::int64_t>(&a);
  const auto* bi = std::get_if<std::int64_t>(&b);
  if (ai && bi) return three_way(*ai, *bi);
  if (ai) return compare_int_double(*ai, std::get<double>(b));
  if (bi) return -compare_int_double(*bi, std::get<double>(a));
  return compare_doubles(std::get<double>(a), std::get<double>(b));
}

using Key = std::vector<RefValue>;

struct KeyLess {
  bool operator()(const Key& a, const Key& b) const {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
      if (const int c = compare_values(a[i], b[i]); c != 0) return c < 0;
    }
    return a.size() < b.size();
  }
};

bool same_key(const Key& a, const Key& b) {
  return !KeyLess{}(a, b) && !KeyLess{}(b, a);
}

using KeySet = std::set<Key, KeyLess>;

// Every join key an event has for one stage (Q2): the cartesian product of the values of its key
// fields. A field without a value is null when the key is optional (`?field`) and keeps the event
// out of the stage otherwise (empty result). Equal combinations count once: an event joins under
// a key or it does not (Elasticsearch QA `sequenceWithMultivalue_Duplicates`).
KeySet key_combinations(const std::vector<std::vector<RefValue>>& values,
                        const std::vector<bool>& optional) {
  std::vector<Key> partial{Key{}};
  for (std::size_t k = 0; k < optional.size(); ++k) {
    static const std::vector<RefValue> kNone;
    const std::vector<RefValue>& field = k < values.size() ? values[k] : kNone;
    std::vector<RefValue> choices = field;
    if (choices.empty()) {
      if (!optional[k]) return {};
      choices.resize(1);  // one null (a value-initialised RefValue is std::monostate)
    }
    std::vector<Key> next;
    for (const Key& p : partial) {
      for (const RefValue& v : choices) {
        next.push_back(p);
        next.back().push_back(v);
      }
    }
    partial = std::move(next);
  }
  return KeySet(partial.begin(), partial.end());
}

// ---------------------------------------------------------------------------------------------
// Stages as run: `with runs=N` repeats a stage N times (Q1).
// ---------------------------------------------------------------------------------------------

struct Stage {
  std::size_t written;  // index into RefQuery::stages, RefEvent::matches and RefEvent::keys
  bool missing;
  std::vector<bool> key_optional;
};

std::vector<Stage> expand_runs(const RefQuery& q) {
  std::vector<Stage> out;
  for (std::size_t w = 0; w < q.stages.size(); ++w) {
    for (std::size_t r = 0; r < std::max<std::size_t>(q.stages[w].runs, 1); ++r) {
      out.push_back({w, q.stages[w].missing, q.stages[w].key_optional});
    }
  }
  return out;
}

bool matches(const RefEvent& e, std::size_t written) {
  return written < e.matches.size() && e.matches[written];
}

KeySet stage_keys(const RefEvent& e, const Stage& s) {
  static const std::vector<std::vector<RefValue>> kNoKeys;
  return key_combinations(s.written < e.keys.size() ? e.keys[s.written] : kNoKeys, s.key_optional);
}

// Q6 / P2: `| head N` keeps the first N results, `| tail N` the last N; pipes apply in order.
std::vector<RefResult> apply_pipes(std::vector<RefResult> results, const RefQuery& q) {
  for (const auto& [head, n] : q.pipes) {
    if (results.size() <= n) continue;
    if (head) {
      results.resize(n);
    } else {
      results.erase(results.begin(), results.end() - static_cast<std::ptrdiff_t>(n));
    }
  }
  return results;
}

// ---------------------------------------------------------------------------------------------
// 2. Sequences
// ---------------------------------------------------------------------------------------------

// A pending (or completed) sequence: its key as found in its first event, and its events
// (input indexes), one per positive stage matched so far.
struct Partial {
  Key key;
  std::vector<std::size_t> events;
};

struct Completed {
  Partial seq;
  std::size_t last_rank;  // position of its last event in the (timestamp, input position) order
};

// Q2-Q4 over the positive stages only (missing stages are checked afterwards, Q5), one event at a
// time in (timestamp, input position) order. `slots[key][s]` holds the one pending sequence of that
// key whose last matched positive stage is s; a newer one replaces it.
std::vector<Completed> run_state_machine(const RefQuery& q, const std::vector<RefEvent>& events,
                                         const std::vector<Stage>& positive,
                                         const std::vector<std::size_t>& order) {
  const std::size_t n = positive.size();
  std::map<Key, std::vector<std::optional<Partial>>, KeyLess> slots;
  std::vector<Completed> done;
  auto ts = [&](std::size_t i) { return *events[i].timestamp_ns; };
  const bool has_maxspan = q.maxspan_ns && *q.maxspan_ns > 0;

  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const std::size_t i = order[rank];
    const RefEvent& e = events[i];
    // From the last stage to the first, so that the event is not used twice in one sequence and
    // can complete (or advance) one sequence and start another: [a][a] over a,a,a gives (1,2),
    // (2,3).
    for (std::size_t s = n; s-- > 0;) {
      if (!matches(e, positive[s].written)) continue;
      for (const Key& key : stage_keys(e, positive[s])) {
        std::optional<Partial> next;
        if (s == 0) {
          next = Partial{key, {i}};
        } else {
          auto it = slots.find(key);
          if (it == slots.end() || !it->second[s - 1]) continue;
          Partial p = std::move(*it->second[s - 1]);
          it->second[s - 1].reset();  // taken: whatever follows, it no longer waits there
          // Q3: every event within maxspan of the first, inclusive (ES rejects `last - first >
          // maxspan`). A sequence too old for this event is too old for every later one: dropped.
          if (has_maxspan && ts(i) - ts(p.events.front()) > *q.maxspan_ns) continue;
          p.events.push_back(i);
          next = std::move(p);
        }
        if (s + 1 == n) {
          done.push_back({std::move(*next), rank});
        } else {
          auto& row = slots[key];
          row.resize(n);
          row[s] = std::move(next);  // a newer pending sequence replaces the older one
        }
      }
    }
    // Q4: an until event, once the stages have used it, drops every pending sequence of its key
    // (also those it just started or advanced; a sequence it completed stays complete).
    if (q.until && e.until_matches) {
      for (const Key& key : key_combinations(e.until_keys, q.until->key_optional)) {
        slots.erase(key);
      }
    }
  }
  return done;
}

// Per missing stage: for each join key, the sorted timestamps of the events that match the stage
// with that key (events without a timestamp never count, T1).
using MissingIndex = std::map<Key, std::vector<std::int64_t>, KeyLess>;

MissingIndex index_missing(const std::vector<RefEvent>& events, const Stage& stage) {
  MissingIndex idx;
  for (const RefEvent& e : events) {
    if (!e.timestamp_ns || !matches(e, stage.written)) continue;
    for (const Key& key : stage_keys(e, stage))
      idx[key].push_back(*e.timestamp_ns);
  }
  for (auto& [key, times] : idx)
    std::sort(times.begin(), times.end());
  return idx;
}

// Q5, as Elasticsearch's TumblingWindow.doCheckMissingEvents decides it, on timestamps:
//  - a middle missing stage (positive stages on both sides) rejects the sequence when one of its
//    events lies strictly between the timestamps of its neighbouring positive events;
//  - L = the latest event of any leading missing stage strictly before the first positive event,
//    T = the earliest event of any trailing missing stage strictly after the last positive event;
//    the sequence is rejected when the query has leading stages only and `last - L <= maxspan`,
//    trailing stages only and `T - first <= maxspan`, both and `T - L <= maxspan`. A bound that
//    does not exist rejects nothing (with both kinds, a missing L or a missing T accepts).
bool passes_missing_check(const Completed& c, const std::vector<Stage>& stages,
                          const std::vector<MissingIndex>& missing_index,
                          const std::vector<RefEvent>& events,
                          std::optional<std::int64_t> maxspan_ns) {
  auto ts = [&](std::size_t i) { return *events[i].timestamp_ns; };
  const std::int64_t first = ts(c.seq.events.front());
  const std::int64_t last = ts(c.seq.events.back());
  // No maxspan (Q1 makes it mandatory with `!`): any missing event found within its bounds rejects.
  auto within = [&](std::int64_t from, std::int64_t to) {
    return !(maxspan_ns && *maxspan_ns > 0) || to - from <= *maxspan_ns;
  };

  std::optional<std::int64_t> leading_bound;   // L
  std::optional<std::int64_t> trailing_bound;  // T
  bool has_leading = false;
  bool has_trailing = false;
  std::size_t positives_before = 0;  // positive stages before stage `s`
  const std::size_t positives = c.seq.events.size();
  for (std::size_t s = 0; s < stages.size(); ++s) {
    if (!stages[s].missing) {
      ++positives_before;
      continue;
    }
    const auto found = missing_index[s].find(c.seq.key);
    static const std::vector<std::int64_t> kNone;
    const std::vector<std::int64_t>& times =
        found == missing_index[s].end() ? kNone : found->second;
    if (positives_before == 0) {
      has_leading = true;
      auto it = std::lower_bound(times.begin(), times.end(), first);  // first time >= first
      if (it != times.begin()) {
        const std::int64_t t = *std::prev(it);
        leading_bound = leading_bound ? std::max(*leading_bound, t) : t;
      }
    } else if (positives_before == positives) {
      has_trailing = true;
      auto it = std::upper_bound(times.begin(), times.end(), last);  // first time > last
      if (it != times.end()) trailing_bound = trailing_bound ? std::min(*trailing_bound, *it) : *it;
    } else {
      const std::int64_t prev = ts(c.seq.events[positives_before - 1]);
      const std::int64_t next = ts(c.seq.events[positives_before]);
      auto it = std::upper_bound(times.begin(), times.end(), prev);
      if (it != times.end() && *it < next) return false;
    }
  }
  if (has_leading && has_trailing) {
    return !(leading_bound && trailing_bound && within(*leading_bound, *trailing_bound));
  }
  if (has_leading) return !(leading_bound && within(*leading_bound, last));
  if (has_trailing) return !(trailing_bound && within(first, *trailing_bound));
  return true;
}

std::vector<RefResult> run_sequence(const RefQuery& q, const std::vector<RefEvent>& events) {
  const std::vector<Stage> stages = expand_runs(q);
  std::vector<Stage> positive;
  for (const Stage& s : stages) {
    if (!s.missing) positive.push_back(s);
  }
  if (positive.empty()) return {};

  // T3: (timestamp, input position); T1: events without a timestamp take part in no sequence.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].timestamp_ns) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return *events[a].timestamp_ns < *events[b].timestamp_ns;
  });

  std::vector<Completed> done = run_state_machine(q, events, positive, order);

  const bool any_missing = positive.size() != stages.size();
  if (any_missing) {
    std::vector<MissingIndex> missing_index(stages.size());
    for (std::size_t s = 0; s < stages.size(); ++s) {
      if (stages[s].missing) missing_index[s] = index_missing(events, stages[s]);
    }
    std::erase_if(done, [&](const Completed& c) {
      return !passes_missing_check(c, stages, missing_index, events, q.maxspan_ns);
    });
  }

  // Q6: in the order of the last event; sequences ending on the same event (several keys of a
  // multi-valued field) by join key.
  std::stable_sort(done.begin(), done.end(), [](const Completed& a, const Completed& b) {
    if (a.last_rank != b.last_rank) return a.last_rank < b.last_rank;
    return KeyLess{}(a.seq.key, b.seq.key);
  });

  std::vector<RefResult> results;
  for (const Completed& c : done) {
    RefResult r;
    r.join_keys = c.seq.key;
    std::size_t next_positive = 0;
    for (const Stage& s : stages) {
      if (s.missing) {
        r.events.push_back(std::nullopt);
      } else {
        r.events.push_back(c.seq.events[next_positive++]);
      }
    }
    results.push_back(std::move(r));
  }
  return apply_pipes(std::move(results), q);
}

// ---------------------------------------------------------------------------------------------
// 3. Samples (Q7), as Elasticsearch's SampleIterator builds them.
// ---------------------------------------------------------------------------------------------

// Elasticsearch's SampleIterator.match: depth-first over the stages' candidate lists, each stage
// taking a different event, collecting combinations in that (lexicographic) order until `max`.
void enumerate_samples(const std::vector<std::vector<std::size_t>>& lists, std::size_t stage,
                       std::vector<std::size_t>& partial,
                       std::vector<std::vector<std::size_t>>& out, std::size_t max) {
  for (std::size_t event : lists[stage]) {
    if (out.size() >= max) return;
    if (std::find(partial.begin(), partial.end(), event) != partial.end()) continue;
    partial.push_back(event);
    if (stage + 1 == lists.size()) {
      out.push_back(partial);
    } else {
      enumerate_samples(lists, stage + 1, partial, out, max);
    }
    partial.pop_back();
  }
}

std::vector<RefResult> run_sample(const RefQuery& q, const std::vector<RefEvent>& events) {
  const std::vector<Stage> stages = expand_runs(q);
  if (stages.empty()) return {};
  const std::size_t max_per_key = std::max<std::uint64_t>(q.max_samples_per_key, 1);

  // Per stage, per join key, the events that match the stage with that key, in input order (no
  // timestamp needed; ES takes them in index order).
  std::vector<std::map<Key, std::vector<std::size_t>, KeyLess>> candidates(stages.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    for (std::size_t s = 0; s < stages.size(); ++s) {
      if (!matches(events[i], stages[s].written)) continue;
      for (const Key& key : stage_keys(events[i], stages[s]))
        candidates[s][key].push_back(i);
    }
  }

  // ES asks each stage for (stages + max_samples_per_key - 1) events per key
  // (SampleQueryRequest.singleKeyPair): enough for max_samples_per_key samples.
  const std::size_t per_stage = max_per_key >= events.size()
                                    ? events.size()  // no truncation (and no overflow)
                                    : stages.size() + max_per_key - 1;
  std::vector<RefResult> results;
  for (const auto& entry : candidates[0]) {  // keys ascending
    const Key& key = entry.first;
    std::vector<std::vector<std::size_t>> lists;
    for (std::size_t s = 0; s < stages.size(); ++s) {
      auto it = candidates[s].find(key);
      if (it == candidates[s].end()) break;
      std::vector<std::size_t> list = it->second;
      if (list.size() > per_stage) list.resize(per_stage);
      lists.push_back(std::move(list));
    }
    if (lists.size() != stages.size()) continue;  // some stage has no event with this key

    std::vector<std::vector<std::size_t>> samples;
    std::vector<std::size_t> partial;
    enumerate_samples(lists, 0, partial, samples, max_per_key);
    for (const auto& sample : samples) {
      RefResult r;
      // The key as found in the sample's first event (numbers: 1 and 1.0 are one key).
      r.join_keys = key;
      for (const Key& k : stage_keys(events[sample[0]], stages[0])) {
        if (same_key(k, key)) r.join_keys = k;
      }
      r.events.assign(sample.begin(), sample.end());
      results.push_back(std::move(r));
    }
  }
  return apply_pipes(std::move(results), q);
}

}  // namespace

std::vector<RefResult> reference_sequence(const RefQuery& q, const std::vector<RefEvent>& events) {
  return q.sample ? run_sample(q, events) : run_sequence(q, events);
}

}  // namespace eqlite::testing
