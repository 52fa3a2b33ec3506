// bench/t1078_bench.cpp — the T1078.004 rule (examples/t1078_004.eql) over Entra ID sign-in
// events (group "signin": the reference is reference/signin/iterate_many).
//
//   t1078/ndjson       JsonReader (projection) + Vm, one line at a time, each line copied first
//   t1078/ndjson_in_place  the same, lines read in place, each block of 256 KiB of lines
//                      prescanned (JsonReader::prescan), as `eqlite match` reads
//   t1078/ndjson_lines the same, in place but without the prescan: stage 1 once per line
//   t1078/eval_only    Vm over events bound beforehand (ns/event), all of them (cold: from L3)
//   t1078/eval_only_hot  the same over the first 64 events, cycled (in cache, as in the pipeline)
//   t1078/eval_hand    the rule written by hand in C++ over the same 64 bound events (string
//                      compares, `find` on a folded copy for the like~ list): the floor a VM is
//                      measured against
//   t1078/flat_event   bind a FlatEvent by path + evaluate, one hot event
//   cli/startup        `eqlite match` on an empty file: the fixed cost of a run
//   cli/file           `eqlite match --rule-file ... FILE` as a subprocess (wall clock), with its
//                      default threads (every core)
//   cli/file_threads1  the same with `--threads 1` (skipped when the CLI has no such option)
//   cli/stdin          `eqlite match` with the data written into its standard input through a
//                      pipe (by this process: the writer needs a core too)
//   cli/stdin_threads1 the same with `--threads 1`
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "bench/common.hpp"
#include "bench/data.hpp"

extern char** environ;

#ifndef EQLITE_CLI_PATH  // EQLITE_BUILD_CLI=OFF
#define EQLITE_CLI_PATH ""
#endif

namespace bench {

namespace {

const std::vector<std::pair<std::string, eqlite::Value>> kConstants = {
    {"event.dataset", eqlite::Value::string("azure.signinlogs")}};

std::optional<eqlite::Query> compile_or_skip(benchmark::State& state, const std::string& text) {
  auto q = eqlite::compile(text);
  if (!q) {
    state.SkipWithError(("the rule does not compile: " + q.error().to_string()).c_str());
    return std::nullopt;
  }
  return std::move(*q);
}

// JsonReader + Vm per line. InPlace and Lines: JsonReader::read_padded on a buffer that keeps
// eqlite::kJsonPadding readable bytes after its end, as the CLI's block buffers do, InPlace with
// each block prescanned as the CLI does; Copy: JsonReader::read, which copies each line first.
enum class NdjsonMode { Copy, InPlace, Lines };
void t1078_ndjson(benchmark::State& state, NdjsonMode mode) {
  const bool in_place = mode != NdjsonMode::Copy;
  auto query = compile_or_skip(state, t1078_rule());
  if (!query) return;
  eqlite::JsonReader reader(*query);
  for (const auto& [path, value] : kConstants)
    reader.set_constant(path, value);
  const PaddedLines padded(signin_lines());
  const auto& lines = padded.lines();
  auto read = [&](std::string_view line, eqlite::Event& e) {
    return in_place ? reader.read_padded(line, e) : reader.read(line, e);
  };
  eqlite::Event event;
  eqlite::Vm vm;
  std::size_t matches = 0, errors = 0;
  for (auto line : lines)  // untimed: the database compiles on first use
    if (read(line, event)) (void)vm.matches(*query, event);
  const std::uint64_t prescanned_before = reader.prescanned_reads();
  const Stopwatch sw;
  for (auto _ : state) {
    for (const auto& b : padded.blocks()) {
      if (mode == NdjsonMode::InPlace) reader.prescan(b.text);
      for (std::size_t i = b.first; i < b.end; ++i) {
        if (!read(lines[i], event)) {
          ++errors;
          continue;
        }
        matches += vm.matches(*query, event);
      }
    }
  }
  if (mode == NdjsonMode::InPlace && reader.prescanned_reads() == prescanned_before)
    state.SkipWithError("the prescan was not used");
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  if (errors) state.SkipWithError("unreadable generated events");
  const auto it = static_cast<std::int64_t>(state.iterations());
  report(state, "signin", it * static_cast<std::int64_t>(lines.size()),
         it * static_cast<std::int64_t>(padded.bytes()), seconds);
  state.counters["match_rate"] =
      static_cast<double>(matches) / static_cast<double>(it * lines.size());
}

// `hot`: the first 64 events over and over (about 30 KB with their strings, in L1/L2), as in
// the pipeline, where the VM runs on the event the reader has just written; otherwise all of
// them (megabytes: the time includes fetching each event from L3 or memory).
void t1078_eval_only(benchmark::State& state, bool hot) {
  auto query = compile_or_skip(state, t1078_rule());
  if (!query) return;
  const auto& all = signin_lines();
  const std::vector<std::string_view> lines(
      all.begin(), hot ? all.begin() + std::min<std::size_t>(64, all.size()) : all.end());
  const BoundEvents bound(query->fields(), lines, kConstants);
  const auto& events = bound.events();
  // as many evaluations per iteration as the cold run, so the two read alike
  const std::size_t rounds = hot && !events.empty() ? all.size() / events.size() : 1;
  eqlite::Vm vm;
  std::size_t matches = 0;
  for (const auto& e : events)  // untimed: the database compiles on first use
    (void)vm.matches(*query, e);
  const Stopwatch sw;
  for (auto _ : state) {
    for (std::size_t r = 0; r < rounds; ++r)
      for (const auto& e : events)
        matches += vm.matches(*query, e);
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  const auto n = static_cast<std::int64_t>(state.iterations() * rounds * events.size());
  report(state, "signin", n, 0, seconds);
  state.counters["match_rate"] = static_cast<double>(matches) / static_cast<double>(n);
}

// The T1078.004 rule written by hand over bound events, as a C++ programmer would write it
// for these values (one value per field, the like~ list as `find` on a folded copy): what the
// VM's generality costs. Must agree with the VM (match_rate).
bool hand_str_eq(const eqlite::Value& v, std::string_view s) {
  return v.kind() == eqlite::ValueKind::String && v.as_string() == s;
}
void t1078_eval_hand(benchmark::State& state) {
  auto query = compile_or_skip(state, t1078_rule());
  if (!query) return;
  const auto& all = signin_lines();
  const std::vector<std::string_view> lines(all.begin(),
                                            all.begin() + std::min<std::size_t>(64, all.size()));
  const BoundEvents bound(query->fields(), lines, kConstants);
  const auto& events = bound.events();
  const auto& f = query->fields();
  auto id = [&](std::string_view p) {
    return static_cast<std::uint32_t>(std::find(f.begin(), f.end(), p) - f.begin());
  };
  const auto ds = id("event.dataset"), ec = id("azure.signinlogs.properties.status.error_code"),
             co = id("azure.signinlogs.properties.location.country_or_region"),
             ca = id("azure.signinlogs.properties.client_app_used"),
             rl = id("azure.signinlogs.properties.risk_level_during_sign_in"),
             ar = id("azure.signinlogs.properties.authentication_requirement"),
             cs = id("azure.signinlogs.properties.conditional_access_status");
  static const std::string_view pats[] = {"imap",
                                          "pop3",
                                          "smtp",
                                          "basicauth",
                                          "exchangeactivesync",
                                          "autodiscover",
                                          "exchange web services",
                                          "authenticated smtp",
                                          "outlook anywhere"};
  auto rule = [&](const eqlite::Event& e) {
    bool ok = false;
    for (auto& v : e.values(ds))
      ok |= hand_str_eq(v, "azure.signinlogs");
    if (!ok) return false;
    ok = false;
    for (auto& v : e.values(ec))
      ok |= (v.kind() == eqlite::ValueKind::Int && v.as_int() == 0) || hand_str_eq(v, "0");
    if (!ok) return false;
    for (auto& v : e.values(co))
      if (v.kind() == eqlite::ValueKind::String) {
        auto s = v.as_string();
        if (s == "KP" || s == "IR" || s == "RU" || s == "CN" || s == "BY") return true;
      }
    for (auto& v : e.values(ca))
      if (v.kind() == eqlite::ValueKind::String) {
        char b[256];
        auto s = v.as_string();
        if (s.size() > sizeof b) return false;
        for (std::size_t i = 0; i < s.size(); ++i)
          b[i] = s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i];
        std::string_view l(b, s.size());
        for (auto p : pats)
          if (l.find(p) != std::string_view::npos) return true;
      }
    for (auto& v : e.values(rl))
      if (hand_str_eq(v, "high") || hand_str_eq(v, "medium")) return true;
    ok = false;
    for (auto& v : e.values(ar))
      ok |= hand_str_eq(v, "singleFactorAuthentication");
    if (!ok) return false;
    for (auto& v : e.values(cs))
      if (v.kind() == eqlite::ValueKind::String && v.as_string() != "notApplied") return true;
    return false;
  };
  eqlite::Vm vm;  // untimed: the hand-written rule must give the VM's answer on every event
  for (const auto& e : events)
    if (vm.matches(*query, e) != rule(e)) {
      state.SkipWithError("the hand-written rule disagrees with the VM");
      return;
    }
  const std::size_t rounds = events.empty() ? 1 : all.size() / events.size();
  std::size_t matches = 0;
  const Stopwatch sw;
  for (auto _ : state) {
    for (std::size_t r = 0; r < rounds; ++r)
      for (const auto& e : events) {
        benchmark::DoNotOptimize(&e);
        matches += rule(e);
      }
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  const auto n = static_cast<std::int64_t>(state.iterations() * rounds * events.size());
  report(state, "signin", n, 0, seconds);
  state.counters["match_rate"] = static_cast<double>(matches) / static_cast<double>(n);
}

void t1078_flat_event(benchmark::State& state) {
  auto query = compile_or_skip(state, t1078_rule());
  if (!query) return;
  eqlite::FlatEvent e;
  e.add("event.dataset", "azure.signinlogs")
      .add("azure.signinlogs.properties.status.error_code", 0)
      .add("azure.signinlogs.properties.location.country_or_region", "US")
      .add("azure.signinlogs.properties.client_app_used", "Browser")
      .add("azure.signinlogs.properties.risk_level_during_sign_in", "none")
      .add("azure.signinlogs.properties.authentication_requirement", "singleFactorAuthentication")
      .add("azure.signinlogs.properties.conditional_access_status", "success");
  eqlite::Vm vm;
  std::size_t matches = 0;
  (void)vm.matches(*query, e);  // untimed: the database compiles on first use
  const Stopwatch sw;
  for (auto _ : state)
    matches += vm.matches(*query, e);
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  report(state, "signin", static_cast<std::int64_t>(state.iterations()), 0, seconds);
}

// ---- the CLI -----------------------------------------------------------------------------------

// The file given to the CLI: generated once, deleted at exit.
struct CliData {
  std::filesystem::path dir;
  std::filesystem::path file;
  std::filesystem::path empty;  // for cli/startup
  std::string text;
  std::size_t events = 0;
  CliData() {
    text = generate_signin_ndjson_bytes(scale().cli_bytes, 4242);
    for (char c : text)
      events += c == '\n';
    dir = std::filesystem::temp_directory_path() /
          ("eqlite-bench-" + std::to_string(static_cast<long>(::getpid())));
    std::filesystem::create_directories(dir);
    file = dir / "signin.ndjson";
    std::ofstream(file, std::ios::binary) << text;
    empty = dir / "empty.ndjson";
    std::ofstream(empty, std::ios::binary).flush();
  }
  ~CliData() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

const CliData& cli_data() {
  static const CliData d;
  return d;
}

std::vector<std::string> cli_args(const std::string& input, bool one_thread) {
  std::vector<std::string> args = {EQLITE_CLI_PATH, "match",
                                   "--rule-file",   source_dir() + "/examples/t1078_004.eql",
                                   "--set",         "event.dataset=azure.signinlogs"};
  if (one_thread) args.insert(args.end(), {"--threads", "1"});
  if (!input.empty()) args.push_back(input);
  return args;
}

bool cli_has_threads_option() {
  static const bool has = [] {
    const std::string command = std::string(EQLITE_CLI_PATH) + " match --help 2>&1";
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return false;
    std::string help;
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;)
      help.append(buf, n);
    ::pclose(p);
    return help.find("--threads") != std::string::npos;
  }();
  return has;
}

// Runs the CLI with stdout and stderr to /dev/null; `stdin_data` (when not null) is written to
// its standard input through a pipe. Returns the exit status, or -1; adds the child's CPU time
// (user + system, every thread) to `child_cpu`.
int run_cli(const std::vector<std::string>& args, const std::string* stdin_data,
            double& child_cpu) {
  std::vector<char*> argv;
  for (const auto& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  int fds[2] = {-1, -1};
  if (stdin_data) {
    if (::pipe(fds) != 0) return -1;
    posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
  }
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (stdin_data) {
    ::close(fds[0]);
    if (rc == 0) {
      const char* p = stdin_data->data();
      std::size_t left = stdin_data->size();
      while (left > 0) {
        const ssize_t n = ::write(fds[1], p, left);
        if (n <= 0) break;  // the child went away (SIGPIPE is ignored, see main.cpp)
        p += n;
        left -= static_cast<std::size_t>(n);
      }
    }
    ::close(fds[1]);
  }
  if (rc != 0) return -1;
  int status = 0;
  rusage usage{};
  if (::wait4(pid, &status, 0, &usage) != pid) return -1;
  child_cpu += static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
               static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void cli(benchmark::State& state, bool from_stdin, bool one_thread) {
  if (std::string_view(EQLITE_CLI_PATH).empty()) {
    state.SkipWithError("built without the CLI (EQLITE_BUILD_CLI=OFF)");
    return;
  }
  if (one_thread && !cli_has_threads_option()) {
    state.SkipWithError("this eqlite has no --threads option");
    return;
  }
  const CliData& data = cli_data();
  const auto args = cli_args(from_stdin ? "" : data.file.string(), one_thread);
  double seconds = 0, child_cpu = 0;
  for (auto _ : state) {
    const WallStopwatch sw;
    const int status = run_cli(args, from_stdin ? &data.text : nullptr, child_cpu);
    const double s = sw.seconds();
    state.SetIterationTime(s);
    seconds += s;
    if (status != 0 && status != 1) {  // 0: matches, 1: none, as grep
      state.SkipWithError(("eqlite match failed with status " + std::to_string(status)).c_str());
      return;
    }
  }
  const auto it = static_cast<std::int64_t>(state.iterations());
  report(state, "signin", it * static_cast<std::int64_t>(data.events),
         it * static_cast<std::int64_t>(data.text.size()), seconds, "ratio_to_reference",
         std::to_string(data.text.size() >> 20) + " MiB");
  // The same in CPU time: the child's (all its threads) against the reference's.
  const double ref = reference_bytes_per_second("signin");
  if (ref > 0 && child_cpu > 0)
    state.counters["cpu_ratio_to_reference"] =
        static_cast<double>(it) * static_cast<double>(data.text.size()) / child_cpu / ref;
  state.counters["child_cpu_seconds"] = child_cpu / static_cast<double>(it);
}

// The fixed cost of one `eqlite match` run: an empty input file.
void cli_startup(benchmark::State& state) {
  if (std::string_view(EQLITE_CLI_PATH).empty()) {
    state.SkipWithError("built without the CLI (EQLITE_BUILD_CLI=OFF)");
    return;
  }
  const auto args = cli_args(cli_data().empty.string(), false);
  double child_cpu = 0;
  for (auto _ : state) {
    const WallStopwatch sw;
    const int status = run_cli(args, nullptr, child_cpu);
    state.SetIterationTime(sw.seconds());
    if (status != 1) {  // nothing matches an empty input
      state.SkipWithError(("eqlite match failed with status " + std::to_string(status)).c_str());
      return;
    }
  }
  state.counters["child_cpu_seconds"] = child_cpu / static_cast<double>(state.iterations());
}

}  // namespace

void register_t1078_benchmarks() {
  benchmark::RegisterBenchmark("t1078/ndjson", [](benchmark::State& s) {
    t1078_ndjson(s, NdjsonMode::Copy);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("t1078/ndjson_in_place", [](benchmark::State& s) {
    t1078_ndjson(s, NdjsonMode::InPlace);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("t1078/ndjson_lines", [](benchmark::State& s) {
    t1078_ndjson(s, NdjsonMode::Lines);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("t1078/eval_only", [](benchmark::State& s) {
    t1078_eval_only(s, false);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("t1078/eval_hand", t1078_eval_hand)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("t1078/eval_only_hot", [](benchmark::State& s) {
    t1078_eval_only(s, true);
  })->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("t1078/flat_event", t1078_flat_event);
}

void register_cli_benchmarks() {
  benchmark::RegisterBenchmark("cli/startup", cli_startup)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("cli/file", [](benchmark::State& s) { cli(s, false, false); })
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("cli/file_threads1",
                               [](benchmark::State& s) { cli(s, false, true); })
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("cli/stdin", [](benchmark::State& s) { cli(s, true, false); })
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("cli/stdin_threads1",
                               [](benchmark::State& s) { cli(s, true, true); })
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace bench
