// bench/main.cpp — eqlite_bench: every benchmark of docs/performance.md in one binary.
//
//   eqlite_bench [--eqlite_scale=short|full] [Google Benchmark flags]
//   eqlite_bench [--eqlite_scale=...] --eqlite_dump=signin|ecs|ecs_stream > data.ndjson
//
// Benchmarks are registered here, in the order they run: each group starts with its reference
// (common.hpp), and the JSON reference is measured again between groups so that drift over the
// run shows. The context printed first names the CPU and simdjson's kernel.
#include <simdjson.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "bench/common.hpp"
#include "bench/data.hpp"

#ifdef EQLITE_BENCH_HYPERSCAN
#include <hs.h>
#endif

namespace {

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

void add_context() {
  benchmark::AddCustomContext("cpu_model", cpu_model());
  benchmark::AddCustomContext("simdjson_kernel", simdjson::get_active_implementation()->name());
  // On-Demand (what lib/json_reader.cpp and iterate_many use) is compiled for this kernel; only
  // stage 1 is dispatched at run time (docs/performance.md).
  benchmark::AddCustomContext("simdjson_ondemand_builtin",
                              SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION));
  benchmark::AddCustomContext("simdjson_version", SIMDJSON_STRINGIFY(SIMDJSON_VERSION));
  benchmark::AddCustomContext("eqlite_version", eqlite::kVersion);
  benchmark::AddCustomContext("eqlite_scale", bench::scale().name);
  benchmark::AddCustomContext(
      "corpus", bench::corpus_available() ? bench::corpus_dir() : "absent: " + bench::corpus_dir());
#ifdef EQLITE_BENCH_HYPERSCAN
  std::string version = hs_version();  // "5.4.9 2023-..." (a build date, or a space)
  while (!version.empty() && version.back() == ' ')
    version.pop_back();
  benchmark::AddCustomContext("hyperscan", "vectorscan/hyperscan " + version);
#else
  benchmark::AddCustomContext("hyperscan", "not built (libhs not found)");
#endif
#ifdef EQLITE_BENCH_RULE_SET
  benchmark::AddCustomContext("rule_set", "built");
#else
  benchmark::AddCustomContext("rule_set", "not built (lib/rule_set.cpp is not in the library)");
#endif
}

void register_all() {
  using namespace bench;
  // Group "signin": the T1078.004 rule over Entra ID sign-in events.
  register_iterate_many("signin", &signin_ndjson);
  register_t1078_benchmarks();
#ifdef EQLITE_BENCH_RULE_SET
  register_rule_set_t1078_benchmarks();
#endif
  register_iterate_many("signin", &signin_ndjson, "again");
  register_iterate_many("signin", &signin_ndjson, "threaded", true);
  register_cli_benchmarks();

  // Group "ecs": N of Elastic's rules over ECS events, one by one and through a RuleSet.
  const std::size_t ns[] = {1, 10, 100, 0};
  for (std::size_t i = 0; i < std::size(ns); ++i) {
    if (i == 0 || i == 2) register_iterate_many("ecs", &ecs_ndjson, i ? "again" : "");
    register_rules_benchmarks(ns[i]);
#ifdef EQLITE_BENCH_RULE_SET
    register_rule_set_rules_benchmarks(ns[i]);
#endif
  }

#ifdef EQLITE_BENCH_STREAM
  // Group "ecs_stream": sequences and every corpus rule through eqlite::Stream over the
  // time-ordered ECS stream.
  register_iterate_many("ecs_stream", &ecs_stream_ndjson);
  register_sequence_benchmarks();
  register_iterate_many("ecs_stream", &ecs_stream_ndjson, "again");
#endif

  register_interpreter_benchmarks();
  register_pattern_benchmarks();
  register_pathological_benchmarks();
}

}  // namespace

int main(int argc, char** argv) {
  // Our own flag, taken out before Google Benchmark sees the arguments.
  int kept = 1;
  std::string dump;
  for (int i = 1; i < argc; ++i) {
    constexpr const char kScale[] = "--eqlite_scale=";
    constexpr const char kDump[] = "--eqlite_dump=";
    if (std::strncmp(argv[i], kScale, sizeof kScale - 1) == 0)
      bench::set_scale(argv[i] + sizeof kScale - 1);
    else if (std::strncmp(argv[i], kDump, sizeof kDump - 1) == 0)
      dump = argv[i] + sizeof kDump - 1;
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
  argv[argc] = nullptr;
  // --eqlite_dump=signin|ecs|ecs_stream writes that data set to stdout (to profile the CLI with
  // it); ecs_stream also writes what its generator placed in it to stderr.
  if (!dump.empty()) {
    if (dump != "signin" && dump != "ecs" && dump != "ecs_stream") {
      std::fprintf(stderr, "eqlite_bench: --eqlite_dump takes signin, ecs or ecs_stream\n");
      return 2;
    }
    // The ECS data sets are built around the corpus' rules: without them there is nothing to
    // write, and an empty file would pass for data.
    if (dump != "signin" && !bench::corpus_available()) {
      std::fprintf(stderr,
                   "eqlite_bench: --eqlite_dump=%s needs the corpus' rules "
                   "(%s/detection-rules-eql.ndjson), which are missing; set EQLITE_CORPUS_DIR\n",
                   dump.c_str(), bench::corpus_dir().c_str());
      return 2;
    }
    const std::string& data = dump == "signin" ? bench::signin_ndjson()
                              : dump == "ecs"  ? bench::ecs_ndjson()
                                               : bench::ecs_stream_ndjson();
    std::fwrite(data.data(), 1, data.size(), stdout);
    if (dump == "ecs_stream") {
      const auto& i = bench::ecs_stream_info();
      std::fprintf(stderr,
                   "%zu events, %zu hosts; %zu sequence rules modelled, %zu fire in a check; "
                   "%zu episodes placed, %zu events\n",
                   i.events, i.hosts, i.sequence_rules, i.fireable_rules, i.episodes,
                   i.sequence_events);
    }
    return 0;
  }

  std::signal(SIGPIPE, SIG_IGN);  // cli/stdin writes into a pipe; a failing child must not kill us
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  add_context();
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
