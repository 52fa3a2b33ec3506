// bench/pack_bench.cpp — loading a rule pack as published: Elastic's detection-rules folder
// (2,192 TOML files, 21 MB; ../shared/corpus/detection-rules), group "pack".
//
//   pack/read_files      read every *.toml file's bytes: the floor (the reference)
//   pack/load/threads:T  pack::load_rules over the folder on T threads (0: every core): every
//                        file parsed by toml++, the EQL rules kept (the target: <= 1 s);
//                        counter load_over_read
//   pack/start/threads:T load_rules, every loaded rule compiled (on T threads, as eqlite match
//                        does) and added to one RuleSet, a matcher made and one ECS event
//                        matched: the start-up of eqlite match --rules, first event answered
#include <benchmark/benchmark.h>

#include <eqlite/rule_set.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bench/common.hpp"
#include "bench/data.hpp"
#include "pack/parallel_for.hpp"
#include "pack/rule_loader.hpp"

namespace {

std::string rules_dir() {
  return bench::corpus_dir() + "/detection-rules";
}

std::vector<std::string> toml_files() {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(rules_dir(), ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->path().extension() == ".toml") out.push_back(it->path().string());
  return out;
}

double g_read_seconds = 0;

void BM_pack_read_files(benchmark::State& state) {
  const auto files = toml_files();
  if (files.empty()) {
    state.SkipWithError(("detection-rules not found: " + rules_dir()).c_str());
    return;
  }
  std::size_t bytes = 0;
  bench::WallStopwatch w;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& f : files)
      bytes += bench::read_file(f).size();
    benchmark::DoNotOptimize(bytes);
  }
  g_read_seconds = w.seconds() / static_cast<double>(state.iterations());
  state.counters["files"] = static_cast<double>(files.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes) * state.iterations());
}

void BM_pack_load(benchmark::State& state) {
  if (!std::filesystem::exists(rules_dir())) {
    state.SkipWithError(("detection-rules not found: " + rules_dir()).c_str());
    return;
  }
  std::size_t rules = 0;
  pack::LoadOptions options;
  options.threads = static_cast<std::size_t>(state.range(0));
  bench::WallStopwatch w;
  for (auto _ : state) {
    auto load = pack::load_rules({rules_dir()}, options);
    rules = load.rules.size();
    benchmark::DoNotOptimize(load);
  }
  const double secs = w.seconds() / static_cast<double>(state.iterations());
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["seconds"] = secs;
  if (g_read_seconds > 0) state.counters["load_over_read"] = secs / g_read_seconds;
}

void BM_pack_start(benchmark::State& state) {
  const auto& events = bench::ecs_lines();
  if (!std::filesystem::exists(rules_dir()) || events.empty()) {
    state.SkipWithError(("detection-rules not found: " + rules_dir()).c_str());
    return;
  }
  const auto threads = static_cast<std::size_t>(state.range(0));
  pack::LoadOptions options;
  options.threads = threads;
  std::size_t compiled = 0, hits = 0;
  bench::WallStopwatch w;
  for (auto _ : state) {
    auto load = pack::load_rules({rules_dir()}, options);
    std::vector<std::optional<eqlite::Result<eqlite::Query>>> queries(load.rules.size());
    pack::parallel_for(load.rules.size(), threads,
                       [&](std::size_t i) { queries[i] = eqlite::compile(load.rules[i].query); });
    eqlite::RuleSet set;
    compiled = 0;
    for (std::size_t i = 0; i < load.rules.size(); ++i)
      if (*queries[i] && set.add(load.rules[i].name, std::move(**queries[i]))) ++compiled;
    eqlite::RuleSetMatcher matcher(set);
    std::vector<std::size_t> ids;
    if (matcher.match_json(events.front(), ids)) hits += ids.size();
    benchmark::DoNotOptimize(hits);
  }
  state.counters["compiled"] = static_cast<double>(compiled);
  state.counters["seconds"] = w.seconds() / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK(BM_pack_read_files)
    ->Name("pack/read_files")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_pack_load)
    ->Name("pack/load")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_pack_start)
    ->Name("pack/start")
    ->ArgName("threads")
    ->Arg(1)
    ->Arg(0)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
