// bench/rule_set_bench.cpp — the RuleSet versions (include/eqlite/rule_set.hpp). Built only when
// lib/rule_set.cpp is part of the library (bench/CMakeLists.txt); main.cpp registers these next
// to their one-by-one counterparts so that both are measured against the same reference.
//
//   t1078/rule_set_ndjson      a RuleSet of the one T1078.004 rule, RuleSetMatcher::match_json
//                              per line (group "signin")
//   rules/N/rule_set_ndjson    N of Elastic's rules, match_json per line (group "ecs")
//   rules/N/rule_set_bound     the same over events bound beforehand to RuleSet::fields()
//   rules/N/rule_set_read      reading alone: a JsonReader over RuleSet::fields() per line,
//                              no matching (what rule_set_ndjson pays before any rule runs)
//   rules/all/cold_start       compile every rule, build the index and match the first 2,000
//                              ECS events once (the pattern lists' literal databases compile
//                              on first use): what `eqlite match --rules DIR` pays on a small
//                              file before its steady state. ms_per_start: one such start.
//
// hits_per_event must equal that of rules/N/ndjson_shared_reader and rules/N/bound (the same
// rules over the same events), which is a check of RuleSet's answers as well.
#include <eqlite/rule_set.hpp>
#include <map>
#include <memory>

#include "bench/common.hpp"
#include "bench/data.hpp"

namespace bench {

namespace {

void finish(benchmark::State& state, double seconds, const std::string& group, std::size_t rules,
            std::size_t events_per_iteration, std::size_t bytes_per_iteration, std::size_t hits,
            std::uint64_t evaluated, std::uint64_t decided = 0) {
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto events = it * static_cast<std::int64_t>(events_per_iteration);
  report(state, group, events, it * static_cast<std::int64_t>(bytes_per_iteration), seconds);
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["hits_per_event"] = static_cast<double>(hits) / static_cast<double>(events);
  // the rules the index left to the VM, per event (RuleSetMatcher::evaluated)
  state.counters["evaluated_per_event"] =
      static_cast<double>(evaluated) / static_cast<double>(events);
  // the rules it matched by their conditions alone, per event (RuleSetMatcher::decided)
  state.counters["decided_per_event"] = static_cast<double>(decided) / static_cast<double>(events);
}

// RuleSetMatcher::match_json_padded over `lines` copied into blocks, each block prescanned, as
// `eqlite match` reads; once untimed (Hyperscan databases compile on first use), then timed for
// as long as Google Benchmark asks.
struct Timed {
  double seconds;
  std::size_t hits;
  std::uint64_t evaluated;  // rules the VM ran in the timed passes
  std::uint64_t decided;    // rules matched without the VM in the timed passes
};
template <typename Lines>
Timed time_match_json(benchmark::State& state, eqlite::RuleSetMatcher& matcher,
                      const Lines& lines) {
  const PaddedLines padded(std::vector<std::string_view>(lines.begin(), lines.end()));
  std::vector<std::size_t> ids;
  std::size_t hits = 0;
  for (auto line : padded.lines())
    (void)matcher.match_json_padded(line, ids);
  const std::uint64_t evaluated_before = matcher.evaluated();
  const std::uint64_t decided_before = matcher.decided();
  const Stopwatch sw;
  for (auto _ : state) {
    for (const auto& b : padded.blocks()) {
      matcher.prescan(b.text);
      for (std::size_t i = b.first; i < b.end; ++i)
        if (matcher.match_json_padded(padded.lines()[i], ids)) hits += ids.size();
    }
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(hits);
  return {seconds, hits, matcher.evaluated() - evaluated_before,
          matcher.decided() - decided_before};
}

void t1078_rule_set(benchmark::State& state) {
  eqlite::RuleSet rules;
  if (auto id = rules.add("t1078_004", t1078_rule()); !id) {
    state.SkipWithError(id.error().to_string().c_str());
    return;
  }
  eqlite::RuleSetMatcher matcher(rules);
  matcher.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  const auto& lines = signin_lines();
  const Timed t = time_match_json(state, matcher, lines);
  finish(state, t.seconds, "signin", 1, lines.size(), signin_ndjson().size(), t.hits, t.evaluated);
  state.counters["match_rate"] = state.counters["hits_per_event"];
}

// The RuleSet of the first n rules, built once per process (compiling 861 rules takes seconds,
// and Google Benchmark calls a benchmark several times); nullptr after SkipWithError.
const eqlite::RuleSet* rule_set(benchmark::State& state, std::size_t n) {
  struct Built {
    eqlite::RuleSet rules;
    std::string error;
  };
  static std::map<std::size_t, std::unique_ptr<Built>> cache;
  auto& built = cache[n];
  if (!built) {
    built = std::make_unique<Built>();
    if (corpus_rules().empty()) built->error = "corpus not found: " + corpus_dir();
    for (const auto* r : first_rules(n)) {
      if (!built->error.empty()) break;
      if (auto id = built->rules.add(r->name, r->text); !id)
        built->error = "RuleSet::add: " + r->name + ": " + id.error().to_string();
    }
  }
  if (!built->error.empty()) {
    state.SkipWithError(built->error.c_str());
    return nullptr;
  }
  return &built->rules;
}

void rule_set_ndjson(benchmark::State& state, std::size_t n) {
  const eqlite::RuleSet* set = rule_set(state, n);
  if (!set) return;
  const eqlite::RuleSet& rules = *set;
  eqlite::RuleSetMatcher matcher(rules);
  const auto lines = ecs_lines_for(rules.size(), SIZE_MAX);
  const Timed t = time_match_json(state, matcher, lines);
  finish(state, t.seconds, "ecs", rules.size(), lines.size(), bytes_of(lines), t.hits, t.evaluated,
         t.decided);
}

void rule_set_read(benchmark::State& state, std::size_t n) {
  const eqlite::RuleSet* set = rule_set(state, n);
  if (!set) return;
  eqlite::JsonReader reader(set->fields());
  eqlite::Event event;
  const auto lines = ecs_lines_for(set->size(), SIZE_MAX);
  const PaddedLines padded(lines);
  std::size_t values = 0;
  const Stopwatch sw;
  for (auto _ : state) {
    for (const auto& b : padded.blocks()) {
      reader.prescan(b.text);
      for (std::size_t i = b.first; i < b.end; ++i)
        if (reader.read_padded(padded.lines()[i], event)) ++values;
    }
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(values);
  finish(state, seconds, "ecs", set->size(), lines.size(), bytes_of(lines), 0, 0);
}

void rule_set_bound(benchmark::State& state, std::size_t n) {
  const eqlite::RuleSet* set = rule_set(state, n);
  if (!set) return;
  const eqlite::RuleSet& rules = *set;
  eqlite::RuleSetMatcher matcher(rules);
  const BoundEvents bound(rules.fields(), ecs_bound_lines(rules.size()));
  std::vector<std::size_t> ids;
  std::size_t hits = 0;
  for (const auto& e : bound.events())  // untimed: Hyperscan databases compile on first use
    matcher.match(e, ids);
  const std::uint64_t evaluated_before = matcher.evaluated();
  const std::uint64_t decided_before = matcher.decided();
  const Stopwatch sw;
  for (auto _ : state) {
    for (const auto& e : bound.events()) {
      matcher.match(e, ids);
      hits += ids.size();
    }
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(hits);
  finish(state, seconds, "ecs", rules.size(), bound.events().size(), 0, hits,
         matcher.evaluated() - evaluated_before, matcher.decided() - decided_before);
}

void cold_start(benchmark::State& state, std::size_t n) {
  if (corpus_rules().empty()) {
    state.SkipWithError(("corpus not found: " + corpus_dir()).c_str());
    return;
  }
  const auto rules = first_rules(n);
  auto lines = ecs_lines_for(rules.size(), 2000);
  if (lines.size() > 2000) lines.resize(2000);
  const PaddedLines padded(lines);
  std::size_t hits = 0;
  const Stopwatch sw;
  for (auto _ : state) {
    eqlite::RuleSet set;
    for (const auto* r : rules)
      if (auto id = set.add(r->name, r->text); !id) {
        state.SkipWithError(("RuleSet::add: " + r->name).c_str());
        return;
      }
    eqlite::RuleSetMatcher matcher(set);
    std::vector<std::size_t> ids;
    for (auto line : padded.lines())
      if (matcher.match_json_padded(line, ids)) hits += ids.size();
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(hits);
  const auto it = static_cast<double>(state.iterations());
  state.counters["rules"] = static_cast<double>(rules.size());
  state.counters["events"] = static_cast<double>(padded.lines().size());
  state.counters["ms_per_start"] = seconds * 1e3 / it;
  state.counters["hits_per_event"] = static_cast<double>(hits) / (it * padded.lines().size());
}

}  // namespace

void register_rule_set_t1078_benchmarks() {
  benchmark::RegisterBenchmark("t1078/rule_set_ndjson", t1078_rule_set)
      ->Unit(benchmark::kMillisecond);
}

void register_rule_set_rules_benchmarks(std::size_t n) {
  const std::string prefix = "rules/" + rules_label(n) + "/";
  benchmark::RegisterBenchmark((prefix + "rule_set_ndjson").c_str(), [n](benchmark::State& s) {
    rule_set_ndjson(s, n);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark((prefix + "rule_set_bound").c_str(), [n](benchmark::State& s) {
    rule_set_bound(s, n);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark((prefix + "rule_set_read").c_str(), [n](benchmark::State& s) {
    rule_set_read(s, n);
  })->Unit(benchmark::kMillisecond);
  if (n == 0)  // all
    benchmark::RegisterBenchmark((prefix + "cold_start").c_str(), [n](benchmark::State& s) {
      cold_start(s, n);
    })->Unit(benchmark::kMillisecond);
}

}  // namespace bench
