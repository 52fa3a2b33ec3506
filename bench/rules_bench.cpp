// bench/rules_bench.cpp — N of Elastic's rules, one by one, over ECS events (group "ecs": the
// reference is reference/ecs/iterate_many). N = 1, 10, 100 and every single-event rule of the
// corpus (rules/all); "the first N" of a fixed shuffle (data.hpp).
//
//   rules/N/ndjson_reader_per_rule  one JsonReader per rule: each line is read N times (what N
//                                   `eqlite match` processes would do); a prefix of the data set
//                                   when N is large, so that an iteration stays short
//   rules/N/ndjson_shared_reader    one JsonReader over the union of the rules' fields: each
//                                   line is read once; each rule gets its values by field id
//   rules/N/bound                   one Event per rule and event, bound beforehand: the loop is
//                                   Vm::matches alone (fewer events when N is large, to bound
//                                   memory: scale().bound_pairs)
//
// RuleSetMatcher's versions of the last two are in rule_set_bench.cpp.
#include <algorithm>

#include "bench/common.hpp"
#include "bench/data.hpp"

namespace bench {

namespace {

// The rules, their union of fields, and for each rule: its field i = union field map[i].
struct Rules {
  std::vector<const CorpusRule*> rules;
  std::vector<std::string> fields;
  std::vector<std::vector<std::uint32_t>> maps;

  explicit Rules(std::size_t n) : rules(first_rules(n)), fields(union_fields(rules)) {
    for (const auto* r : rules) {
      auto& m = maps.emplace_back();
      for (const auto& f : r->query.fields())
        m.push_back(static_cast<std::uint32_t>(std::lower_bound(fields.begin(), fields.end(), f) -
                                               fields.begin()));
    }
  }

  // Copies the values of rule `r` out of `all` (bound to `fields`) into `e`.
  void fill(std::size_t r, const eqlite::Event& all, eqlite::Event& e) const {
    e.clear();
    const auto& m = maps[r];
    for (std::uint32_t i = 0; i < m.size(); ++i)
      for (const auto& v : all.values(m[i]))
        e.add(i, v);
  }
};

bool skip_without_corpus(benchmark::State& state) {
  if (!corpus_rules().empty()) return false;
  state.SkipWithError(("corpus not found: " + corpus_dir()).c_str());
  return true;
}

void finish(benchmark::State& state, double seconds, std::size_t rules,
            std::size_t events_per_iteration, std::size_t bytes_per_iteration, std::size_t hits) {
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto events = it * static_cast<std::int64_t>(events_per_iteration);
  report(state, "ecs", events, it * static_cast<std::int64_t>(bytes_per_iteration), seconds);
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["hits_per_event"] = static_cast<double>(hits) / static_cast<double>(events);
}

void reader_per_rule(benchmark::State& state, std::size_t n) {
  if (skip_without_corpus(state)) return;
  const Rules set(n);
  const auto& all_lines = ecs_lines();
  const std::size_t count =
      std::clamp<std::size_t>(scale().per_rule_parses / set.rules.size(),
                              std::min<std::size_t>(50, all_lines.size()), all_lines.size());
  const std::vector<std::string_view> lines(all_lines.begin(), all_lines.begin() + count);
  const std::size_t bytes = bytes_of(lines);
  std::vector<eqlite::JsonReader> readers;
  std::vector<eqlite::Event> events(set.rules.size());
  for (const auto* r : set.rules)
    readers.emplace_back(r->query);
  eqlite::Vm vm;
  std::size_t hits = 0;
  // One untimed pass first: pattern lists compile their Hyperscan database on first use.
  for (auto line : lines)
    for (std::size_t r = 0; r < readers.size(); ++r)
      if (readers[r].read(line, events[r])) (void)vm.matches(set.rules[r]->query, events[r]);
  const Stopwatch sw;
  for (auto _ : state) {
    for (auto line : lines) {
      for (std::size_t r = 0; r < readers.size(); ++r) {
        if (readers[r].read(line, events[r])) hits += vm.matches(set.rules[r]->query, events[r]);
      }
    }
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(hits);
  finish(state, seconds, set.rules.size(), lines.size(), bytes, hits);
}

void shared_reader(benchmark::State& state, std::size_t n) {
  if (skip_without_corpus(state)) return;
  const Rules set(n);
  const auto lines = ecs_lines_for(set.rules.size(), SIZE_MAX);
  eqlite::JsonReader reader(set.fields);
  eqlite::Event all;
  std::vector<eqlite::Event> events;
  for (const auto* r : set.rules)
    events.emplace_back(r->query.fields().size());
  eqlite::Vm vm;
  std::size_t hits = 0;
  // One untimed pass first: pattern lists compile their Hyperscan database on first use.
  for (auto line : lines) {
    if (!reader.read(line, all)) continue;
    for (std::size_t r = 0; r < set.rules.size(); ++r) {
      set.fill(r, all, events[r]);
      (void)vm.matches(set.rules[r]->query, events[r]);
    }
  }
  const Stopwatch sw;
  for (auto _ : state) {
    for (auto line : lines) {
      if (!reader.read(line, all)) continue;
      for (std::size_t r = 0; r < set.rules.size(); ++r) {
        set.fill(r, all, events[r]);
        hits += vm.matches(set.rules[r]->query, events[r]);
      }
    }
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(hits);
  finish(state, seconds, set.rules.size(), lines.size(), bytes_of(lines), hits);
}

void bound(benchmark::State& state, std::size_t n) {
  if (skip_without_corpus(state)) return;
  const Rules set(n);
  const std::size_t rules = set.rules.size();
  const BoundEvents union_events(set.fields, ecs_bound_lines(rules));
  // One Event per (event, rule), event-major, bound once: the loop is Vm::matches alone.
  std::vector<eqlite::Event> events;
  events.reserve(union_events.events().size() * rules);
  for (const auto& all : union_events.events()) {
    for (std::size_t r = 0; r < rules; ++r) {
      auto& e = events.emplace_back(set.rules[r]->query.fields().size());
      set.fill(r, all, e);
    }
  }
  eqlite::Vm vm;
  std::size_t hits = 0;
  // One untimed pass first: pattern lists compile their Hyperscan database on first use.
  for (std::size_t i = 0; i < events.size(); i += rules)
    for (std::size_t r = 0; r < rules; ++r)
      (void)vm.matches(set.rules[r]->query, events[i + r]);
  const Stopwatch sw;
  for (auto _ : state) {
    for (std::size_t i = 0; i < events.size(); i += rules)
      for (std::size_t r = 0; r < rules; ++r)
        hits += vm.matches(set.rules[r]->query, events[i + r]);
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(hits);
  finish(state, seconds, rules, union_events.events().size(), 0, hits);
}

}  // namespace

std::string rules_label(std::size_t n) {
  return n == 0 ? "all" : std::to_string(n);
}

void register_rules_benchmarks(std::size_t n) {
  const std::string prefix = "rules/" + rules_label(n) + "/";
  benchmark::RegisterBenchmark((prefix + "ndjson_reader_per_rule").c_str(),
                               [n](benchmark::State& s) { reader_per_rule(s, n); })
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark((prefix + "ndjson_shared_reader").c_str(), [n](benchmark::State& s) {
    shared_reader(s, n);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark((prefix + "bound").c_str(), [n](benchmark::State& s) {
    bound(s, n);
  })->Unit(benchmark::kMillisecond);
}

}  // namespace bench
