// bench/pack_bench.cpp — loading a rule pack as published: Elastic's detection-rules folder
// (2,192 TOML files, 21 MB; ../shared/corpus/detection-rules), group "pack".
//
//   pack/read_files      read every *.toml file's bytes: the floor (the reference)
//   pack/load            pack::load_rules over the folder: every file parsed by toml++, the
//                        EQL rules kept (the target: <= 1 s); counter load_over_read
//   pack/load_compile    load_rules, then every loaded rule compiled into one RuleSet: what
//                        eqlite match --rules does before reading its first event
#include <benchmark/benchmark.h>

#include <eqlite/rule_set.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "bench/common.hpp"
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
  bench::WallStopwatch w;
  for (auto _ : state) {
    auto load = pack::load_rules({rules_dir()});
    rules = load.rules.size();
    benchmark::DoNotOptimize(load);
  }
  const double secs = w.seconds() / static_cast<double>(state.iterations());
  state.counters["rules"] = static_cast<double>(rules);
  state.counters["seconds"] = secs;
  if (g_read_seconds > 0) state.counters["load_over_read"] = secs / g_read_seconds;
}

void BM_pack_load_compile(benchmark::State& state) {
  if (!std::filesystem::exists(rules_dir())) {
    state.SkipWithError(("detection-rules not found: " + rules_dir()).c_str());
    return;
  }
  std::size_t compiled = 0;
  bench::WallStopwatch w;
  for (auto _ : state) {
    auto load = pack::load_rules({rules_dir()});
    eqlite::RuleSet set;
    compiled = 0;
    for (const auto& r : load.rules)
      if (set.add(r.name, r.query)) ++compiled;
    benchmark::DoNotOptimize(set);
  }
  state.counters["compiled"] = static_cast<double>(compiled);
  state.counters["seconds"] = w.seconds() / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK(BM_pack_read_files)
    ->Name("pack/read_files")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_pack_load)->Name("pack/load")->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_pack_load_compile)
    ->Name("pack/load_compile")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
