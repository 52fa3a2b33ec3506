// tests/differential/sequence_generator.cpp — see the header.
#include "differential/sequence_generator.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "support/json_value.hpp"

namespace eqlite::difftest {

namespace {

using Json = eqlite::testing::JsonValue;

Json int_value(std::int64_t i) {
  Json j;
  j.kind = Json::Kind::Int;
  j.i = i;
  return j;
}

// T1: epoch milliseconds as an ISO-8601 date-time in UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ` (civil
// from days, Howard Hinnant's algorithm; ms >= 0).
std::string iso_time(std::int64_t ms) {
  const std::int64_t days = ms / 86'400'000;
  std::int64_t rest = ms % 86'400'000;
  const std::int64_t z = days + 719468;
  const std::int64_t era = z / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2);
  const std::int64_t h = rest / 3'600'000;
  rest %= 3'600'000;
  const std::int64_t mi = rest / 60'000;
  rest %= 60'000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(y), static_cast<long long>(m), static_cast<long long>(d),
                static_cast<long long>(h), static_cast<long long>(mi),
                static_cast<long long>(rest / 1000), static_cast<long long>(rest % 1000));
  return buf;
}

}  // namespace

std::string SequenceGenerator::filter() {
  static const char* const categories[] = {"process", "file", "network", "any"};
  static const char* const conditions[] = {"v == 1", "v == 2", "v in (1, 2)", "v in (2, 3)",
                                           "v != 1", "true",   "v >= 2",      "v == 3 or v == 1"};
  return std::string(categories[pick(4)]) + " where " + conditions[pick(8)];
}

std::string SequenceGenerator::key_field() {
  static const char* const fields[] = {"host.id", "user.name", "n"};
  return std::string(chance(25) ? "?" : "") + fields[pick(3)];
}

std::string SequenceGenerator::keys(std::size_t n) {
  std::string out;
  for (std::size_t k = 0; k < n; ++k)
    out += (k ? ", " : "") + key_field();
  return out;
}

std::string SequenceGenerator::pipes() {
  std::string out;
  if (chance(20)) out += " | head " + std::to_string(pick(5));
  if (chance(20)) out += " | tail " + std::to_string(pick(5));
  if (chance(5)) out += " | head " + std::to_string(pick(3));
  return out;
}

std::string SequenceGenerator::sequence_query() {
  const std::size_t total_keys = pick(3);             // join keys per stage (Q1: the same for all)
  const std::size_t seq_keys = pick(total_keys + 1);  // of which the sequence's `by`
  const std::size_t written = 2 + pick(3);
  // Q5: missing stages in a fraction of the queries, at the start, the end or in between.
  std::vector<bool> missing(written, false);
  if (chance(30)) {
    const std::size_t n = 1 + pick(2);
    for (std::size_t k = 0; k < n; ++k)
      missing[pick(written)] = true;
    bool any_positive = false;
    for (bool m : missing)
      any_positive = any_positive || !m;
    if (!any_positive) missing[pick(written)] = false;  // Q1: at least one positive stage
    if (!options_.middle_missing_stages) {
      std::size_t first = written, last = 0;
      for (std::size_t s = 0; s < written; ++s)
        if (!missing[s]) {
          first = std::min(first, s);
          last = s;
        }
      for (std::size_t s = first; s < last; ++s)
        missing[s] = false;
    }
  }
  bool any_missing = false;
  for (bool m : missing)
    any_missing = any_missing || m;

  std::string q = "sequence";
  if (seq_keys) q += " by " + keys(seq_keys);
  if (any_missing || chance(50)) {  // Q1: maxspan is required with `!`
    static const char* const spans[] = {"1ms", "3ms", "5ms", "10ms", "20ms", "50ms", "1s"};
    q += " with maxspan=" + std::string(spans[pick(7)]);
  }
  std::size_t expanded = 0;
  for (std::size_t s = 0; s < written; ++s) {
    q += missing[s] ? "\n  ![" : "\n  [";
    q += filter() + "]";
    if (total_keys > seq_keys) q += " by " + keys(total_keys - seq_keys);
    std::size_t runs = 1;
    if (chance(missing[s] ? (options_.missing_stage_runs ? 5 : 0) : 15)) {
      runs = 2 + pick(2);
      q += " with runs=" + std::to_string(runs);
    }
    expanded += runs;
  }
  (void)expanded;    // written >= 2, so Q1's "at least two stages" holds
  if (chance(20)) {  // Q4
    q += "\n  until [" + filter() + "]";
    if (total_keys > seq_keys) q += " by " + keys(total_keys - seq_keys);
  }
  const bool unordered =
      !options_.order_with_leading_and_trailing_missing && missing.front() && missing.back();
  return q + (unordered ? "" : pipes());
}

std::string SequenceGenerator::sample_query() {
  const std::size_t seq_keys = 1 + pick(2);
  const std::size_t stage_keys = pick(2);
  std::string q = "sample by " + keys(seq_keys);
  const std::size_t stages = 2 + pick(2);
  for (std::size_t s = 0; s < stages; ++s) {
    q += "\n  [" + filter() + "]";
    if (stage_keys) q += " by " + keys(stage_keys);
  }
  return q + (options_.sample_pipes && chance(50) ? pipes() : "");
}

std::string SequenceGenerator::event_query() {
  return filter() + pipes();
}

std::string SequenceGenerator::any_query() {
  switch (pick(4)) {
    case 0:
      return event_query();
    case 1:
      return sample_query();
    default:
      return sequence_query();
  }
}

std::vector<StreamEvent> SequenceGenerator::stream(std::size_t min, std::size_t max,
                                                   bool tiebreaker) {
  const std::size_t n = min + pick(max - min + 1);
  std::vector<StreamEvent> out(n);
  std::vector<Json> roots(n, Json::object());
  std::int64_t now = 1'600'000'000'000 + static_cast<std::int64_t>(pick(1000));
  static const char* const categories[] = {"process", "file", "network"};
  for (std::size_t i = 0; i < n; ++i) {
    StreamEvent& e = out[i];
    Json& root = roots[i];
    // T1, T3: non-decreasing times, ties frequent.
    const std::size_t step = pick(10);
    now += step < 4   ? 0
           : step < 8 ? 1 + static_cast<std::int64_t>(pick(3))
                      : 4 + static_cast<std::int64_t>(pick(12));
    const std::size_t form = pick(100);
    if (form < 80) {
      root.add("@timestamp", int_value(now));
      e.ts_ms = now;
    } else if (form < 86) {
      root.add("@timestamp", Json::string(std::to_string(now)));  // epoch_millis as a string
      e.ts_ms = now;
    } else if (form < 92) {
      root.add("@timestamp", Json::string(iso_time(now)));
      e.ts_ms = now;
    } else if (form < 96) {
      // no @timestamp at all
    } else if (form < 98) {
      root.add("@timestamp", Json{});  // null
    } else {
      root.add("@timestamp", Json::string("not a date"));
    }
    if (!chance(10)) {
      Json event = Json::object();
      if (chance(6)) {
        Json list = Json::array();
        list.items.push_back(Json::string("process"));
        list.items.push_back(Json::string("file"));
        event.add("category", std::move(list));
      } else {
        event.add("category", Json::string(categories[pick(3)]));
      }
      root.add("event", std::move(event));
    }
    if (!chance(10)) {
      if (chance(10)) {
        Json list = Json::array();
        list.items.push_back(int_value(1 + static_cast<std::int64_t>(pick(3))));
        list.items.push_back(int_value(1 + static_cast<std::int64_t>(pick(3))));
        root.add("v", std::move(list));
      } else {
        root.add("v", int_value(1 + static_cast<std::int64_t>(pick(3))));
      }
    }
    // Join-key fields: absent, null, a scalar, [], or an array of 1-3 values.
    auto key_value = [&](int field) {
      switch (field) {
        case 0:
          return Json::string("h" + std::to_string(1 + pick(3)));
        case 1:
          return Json::string(chance(50) ? "a" : "b");
        default: {
          const std::size_t k = pick(options_.double_keys ? 5 : 4);
          if (k == 0 || k == 1) return int_value(static_cast<std::int64_t>(1 + k));
          if (k == 2) return Json::string("1");
          if (k == 3) {
            Json b;
            b.kind = Json::Kind::Bool;
            b.b = true;
            return b;
          }
          Json d;
          d.kind = Json::Kind::Double;
          d.d = 1.0;
          return d;
        }
      }
    };
    auto key = [&](int field) -> std::optional<Json> {
      const std::size_t form = pick(100);
      if (form < 15) return std::nullopt;
      if (form < 20) return Json{};
      if (form < 24) return Json::array();
      if (form < 82) return key_value(field);
      Json list = Json::array();
      const std::size_t len = 1 + pick(3);
      for (std::size_t k = 0; k < len; ++k) {
        Json v = key_value(field);
        bool dup = false;
        for (const Json& x : list.items)
          dup = dup || x.text() == v.text();
        if (dup && !options_.duplicate_key_values) continue;
        list.items.push_back(std::move(v));
      }
      return list;
    };
    if (auto v = key(0)) {
      if (chance(15)) {
        root.add("host.id", std::move(*v));  // E1: a dotted key is the same path
      } else {
        Json host = Json::object();
        host.add("id", std::move(*v));
        root.add("host", std::move(host));
      }
    }
    if (auto v = key(1)) {
      Json user = Json::object();
      user.add("name", std::move(*v));
      root.add("user", std::move(user));
    }
    if (auto v = key(2)) root.add("n", std::move(*v));
    if (tiebreaker) {
      const std::size_t form = pick(100);
      if (form < 70) {
        const auto t = static_cast<std::int64_t>(pick(4));
        root.add("seq", int_value(t));
        e.tiebreaker = {0, t, {}};
      } else if (form < 85) {
        std::string t = chance(50) ? "a" : "b";
        root.add("seq", Json::string(t));
        e.tiebreaker = {1, 0, std::move(t)};
      }
    }
  }
  // T3: events of equal time in tiebreaker order (stable: as generated within equal ones); the
  // events without a time in between stay where they are.
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i)
    order[i] = i;
  if (tiebreaker) {
    std::vector<std::size_t> timed;
    for (std::size_t i = 0; i < n; ++i)
      if (out[i].ts_ms) timed.push_back(i);
    for (std::size_t begin = 0; begin < timed.size();) {
      std::size_t end = begin + 1;
      while (end < timed.size() && out[timed[end]].ts_ms == out[timed[begin]].ts_ms)
        ++end;
      std::vector<std::size_t> group(timed.begin() + static_cast<std::ptrdiff_t>(begin),
                                     timed.begin() + static_cast<std::ptrdiff_t>(end));
      std::stable_sort(group.begin(), group.end(), [&](std::size_t a, std::size_t b) {
        return out[a].tiebreaker < out[b].tiebreaker;
      });
      for (std::size_t k = begin; k < end; ++k)
        order[timed[k]] = group[k - begin];
      begin = end;
    }
  }
  std::vector<StreamEvent> sorted(n);
  for (std::size_t i = 0; i < n; ++i) {
    StreamEvent& e = sorted[i];
    e = std::move(out[order[i]]);
    Json& root = roots[order[i]];
    e.id = i;
    root.add("i", int_value(static_cast<std::int64_t>(i)));
    e.json = root.text();
    root.flatten("", e.flat);
  }
  return sorted;
}

void SequenceGenerator::delay(std::vector<StreamEvent>& events, std::int64_t lateness_ms) {
  std::vector<std::pair<std::int64_t, std::size_t>> arrival;  // (arrival time, index)
  std::int64_t last = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (events[i].ts_ms)
      last = *events[i].ts_ms +
             static_cast<std::int64_t>(pick(static_cast<std::uint64_t>(lateness_ms) + 1));
    arrival.emplace_back(last, i);
  }
  std::stable_sort(arrival.begin(), arrival.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<StreamEvent> out;
  out.reserve(events.size());
  for (const auto& a : arrival)
    out.push_back(std::move(events[a.second]));
  events = std::move(out);
}

}  // namespace eqlite::difftest
