// bench/interpreter_bench.cpp — the bytecode VM against the reference AST interpreter
// (tests/support/reference_interpreter.{hpp,cpp}: test-only, tree-walking, written from the
// contract) on the same rules and the same events.
//
//   interpreter/<rules>/reference_interpreter  reference_matches(ast, FlatEvent): the group's
//                                              reference (ratio_to_interpreter of the others)
//   interpreter/<rules>/vm_flat_event          Vm::matches(query, FlatEvent): bind by path +
//                                              evaluate, the same work the interpreter does
//   interpreter/<rules>/vm_bound               Vm::matches(query, Event) on events bound
//                                              beforehand: evaluation alone
//
// <rules> is t1078 (the T1078.004 rule over sign-in events) and ecs_100 (100 of Elastic's rules
// over ECS events). The interpreter benchmark also counts the events on which the two disagree
// (`disagreements`, expected 0; tests/differential/ hunts for them).
#include <algorithm>
#include <exception>
#include <memory>

#include "bench/common.hpp"
#include "bench/data.hpp"
#include "parser/parse.hpp"
#include "support/reference_interpreter.hpp"

namespace bench {

namespace {

struct Case {
  std::vector<eqlite::Query> queries;
  std::vector<eqlite::ast::Query> asts;
  std::vector<eqlite::FlatEvent> flats;
  std::vector<std::vector<eqlite::Event>> bound;  // [rule][event]
  std::string error;                              // why the case cannot run
};

std::unique_ptr<Case> make_case(
    const std::vector<std::string>& texts, const std::vector<std::string_view>& lines,
    const std::vector<std::pair<std::string, eqlite::Value>>& constants) {
  auto c = std::make_unique<Case>();
  std::vector<std::string> fields;
  for (const auto& text : texts) {
    auto q = eqlite::compile(text);
    auto a = eqlite::internal::parse(text);
    if (!q || !a) {
      c->error = "a rule does not compile";
      return c;
    }
    fields.insert(fields.end(), q->fields().begin(), q->fields().end());
    c->queries.push_back(std::move(*q));
    c->asts.push_back(std::move(*a));
  }
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  c->flats = flat_events(fields, lines, constants);
  for (const auto& q : c->queries) {
    auto& per_rule = c->bound.emplace_back();
    for (const auto& flat : c->flats)
      per_rule.emplace_back().bind(q, flat);
  }
  return c;
}

const Case& t1078_case() {
  static const auto c = [] {
    const auto& lines = signin_lines();
    const std::vector<std::string_view> some(
        lines.begin(), lines.begin() + std::min(scale().interpreter_events, lines.size()));
    return make_case({t1078_rule()}, some,
                     {{"event.dataset", eqlite::Value::string("azure.signinlogs")}});
  }();
  return *c;
}

const Case& ecs_case() {
  static const auto c = [] {
    if (corpus_rules().empty()) {
      auto missing = std::make_unique<Case>();
      missing->error = "corpus not found: " + corpus_dir();
      return missing;
    }
    std::vector<std::string> texts;
    for (const auto* r : first_rules(100))
      texts.push_back(r->text);
    const auto& lines = ecs_lines();
    // The interpreter is slow: a fifth of the events for 100 rules.
    const std::vector<std::string_view> some(
        lines.begin(), lines.begin() + std::min(scale().interpreter_events / 5, lines.size()));
    return make_case(texts, some, {});
  }();
  return *c;
}

using CaseFn = const Case& (*)();

std::int64_t evaluations(const Case& c, benchmark::State& state) {
  return static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(c.flats.size());
}

void finish(benchmark::State& state, double seconds, const Case& c, const std::string& group,
            std::size_t matches) {
  const auto events = evaluations(c, state);
  report(state, group, events, 0, seconds, "ratio_to_interpreter");
  state.counters["rules"] = static_cast<double>(c.queries.size());
  state.counters["hits_per_event"] = static_cast<double>(matches) / static_cast<double>(events);
}

void interpreter(benchmark::State& state, CaseFn get, const std::string& group,
                 const std::string& name) {
  const Case& c = get();
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  std::size_t matches = 0;
  const Stopwatch sw;
  try {
    for (auto _ : state) {
      for (const auto& flat : c.flats)
        for (const auto& a : c.asts)
          matches += eqlite::testing::reference_matches(a, flat);
    }
  } catch (const std::exception& e) {
    state.SkipWithError((std::string("the reference interpreter threw: ") + e.what()).c_str());
    return;
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  // Agreement, outside the timing.
  eqlite::Vm vm;
  std::size_t disagreements = 0;
  for (std::size_t r = 0; r < c.queries.size(); ++r)
    for (std::size_t e = 0; e < c.flats.size(); ++e)
      disagreements += vm.matches(c.queries[r], c.bound[r][e]) !=
                       eqlite::testing::reference_matches(c.asts[r], c.flats[e]);
  // (reference_matches did not throw on these events above)
  const auto events = evaluations(c, state);
  report_reference(state, group, name, events, 0, seconds, "reference");
  state.counters["rules"] = static_cast<double>(c.queries.size());
  state.counters["hits_per_event"] = static_cast<double>(matches) / static_cast<double>(events);
  state.counters["disagreements"] = static_cast<double>(disagreements);
}

void vm_flat(benchmark::State& state, CaseFn get, const std::string& group) {
  const Case& c = get();
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  eqlite::Vm vm;
  std::size_t matches = 0;
  const Stopwatch sw;
  for (auto _ : state)
    for (const auto& flat : c.flats)
      for (const auto& q : c.queries)
        matches += vm.matches(q, flat);
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  finish(state, seconds, c, group, matches);
}

void vm_bound(benchmark::State& state, CaseFn get, const std::string& group) {
  const Case& c = get();
  if (!c.error.empty()) {
    state.SkipWithError(c.error.c_str());
    return;
  }
  eqlite::Vm vm;
  std::size_t matches = 0;
  const Stopwatch sw;
  for (auto _ : state)
    for (std::size_t r = 0; r < c.queries.size(); ++r)
      for (const auto& e : c.bound[r])
        matches += vm.matches(c.queries[r], e);
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  finish(state, seconds, c, group, matches);
}

}  // namespace

void register_interpreter_benchmarks() {
  const std::pair<const char*, CaseFn> cases[] = {{"t1078", &t1078_case}, {"ecs_100", &ecs_case}};
  for (const auto& [label, get] : cases) {
    const std::string prefix = std::string("interpreter/") + label + "/";
    const std::string group = std::string("interpreter_") + label;
    const std::string ref_name = prefix + "reference_interpreter";
    benchmark::RegisterBenchmark(ref_name.c_str(), [get = get, group,
                                                    ref_name](benchmark::State& s) {
      interpreter(s, get, group, ref_name);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((prefix + "vm_flat_event").c_str(), [get = get,
                                                                      group](benchmark::State& s) {
      vm_flat(s, get, group);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((prefix + "vm_bound").c_str(), [get = get,
                                                                 group](benchmark::State& s) {
      vm_bound(s, get, group);
    })->Unit(benchmark::kMillisecond);
  }
}

}  // namespace bench
