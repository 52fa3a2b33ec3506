// bench/sequence_bench.cpp — sequences and samples through eqlite::Stream (include/eqlite/
// stream.hpp), group "ecs_stream": the reference is simdjson's iterate_many over the same
// NDJSON (ecs_stream_ndjson(): 200,000 ECS events in time order from 500 hosts, with the events
// of the corpus' sequence rules placed in them; bench/ecs_data.cpp).
//
//   sequence/<pair>/jsonreader_vm    JsonReader::read + Vm::matches of `any where S1 or S2` per
//                                    line: the floor, no Stream
//   sequence/<pair>/stream_single    a Stream of `any where S1 or S2`: push() each line, finish()
//   sequence/<pair>/stream_sequence  a Stream of `sequence by host.id with maxspan=5m [S1] [S2]`
//   sequence/<pair>/paired           the three passes in turn in every iteration, each timed on
//                                    its own: sequence_over_single is the sequence's time over
//                                    the single query's (the target: <= 1.25), single_over_floor
//                                    and sequence_over_floor the same against the floor. The
//                                    passes share the load that comes and goes, so this is the
//                                    figure to read.
//     <pair> host_5m:  S1 a process start of a shell or downloader, S2 an outbound connection
//                      attempt to 80, 443 or 8080 (the stages of a detection rule)
//     <pair> broad_5m: S1 every process start (about half the events), S2 every network start:
//                      the most state a two-stage sequence keeps on this data
//   sequence/state/1M_keys[_short_ids]  1,000,000 small events, each a stage-1 event of its own
//                                    host.id (32 or 8 hex digits), into a two-stage sequence
//                                    without maxspan (StreamOptions::max_pending 2,000,000): every
//                                    one stays pending. Counters: pending, the Stream's own
//                                    state_bytes per pending sequence, the event text per
//                                    pending sequence, the heap (mallinfo2) and RSS growth per
//                                    pending sequence, and the process' peak RSS (VmHWM, reset
//                                    before the iteration through /proc/self/clear_refs).
//   sequence/rules/all_stream        every rule of detection-rules-eql.ndjson (1,081: event
//                                    queries, sequences, samples) in one RuleSet, one Stream
//   sequence/rules/event_rules_stream     its 861 event queries alone, the same way
//   sequence/rules/sequence_rules_stream  its 220 sequences and samples alone
//                                    Counters: rules_firing by kind, results per event, what
//                                    became of the sequences (StreamStats).
//   sequence/rules/event_rules_matcher    the 861 event queries through a RuleSetMatcher,
//                                    match_json per line: the same work without a Stream
//                                    (each rule set gets one untimed pass first: the pattern
//                                    lists' databases compile on first use)
//
// Every pass builds its Stream, pushes every line and calls finish(): a Stream's state is not
// reset between iterations otherwise. The passes are functions of their own (pass_*) so that
// callgrind's --toggle-collect can name them (docs/performance.md, "Sequences and samples").
#include <malloc.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <eqlite/rule_set.hpp>
#include <eqlite/stream.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

#include "bench/common.hpp"
#include "bench/data.hpp"

namespace bench {

namespace {

const std::string kGroup = "ecs_stream";

struct StagePair {
  const char* name;
  const char* s1_category;
  const char* s1;  // the condition
  const char* s2_category;
  const char* s2;
};

const StagePair kPairs[] = {
    {"host_5m", "process",
     R"(event.type == "start" and process.name : ("cmd.exe", "powershell.exe", "rundll32.exe", )"
     R"("bash", "sh", "python3", "curl", "wget", "osascript"))",
     "network",
     R"(event.action == "connection_attempted" and destination.port in (80, 443, 8080))"},
    {"broad_5m", "process", R"(event.type == "start")", "network", R"(event.type == "start")"},
};

std::string sequence_text(const StagePair& p) {
  return std::string("sequence by host.id with maxspan=5m\n  [") + p.s1_category + " where " +
         p.s1 + "]\n  [" + p.s2_category + " where " + p.s2 + "]";
}

std::string single_text(const StagePair& p) {
  return std::string("any where (event.category == \"") + p.s1_category + "\" and " + p.s1 +
         ") or (event.category == \"" + p.s2_category + "\" and " + p.s2 + ")";
}

bool need_data(benchmark::State& state) {
  if (ecs_stream_lines().empty()) {
    state.SkipWithError(("corpus not found: " + corpus_dir()).c_str());
    return false;
  }
  return true;
}

std::optional<eqlite::Query> compiled(benchmark::State& state, const std::string& text) {
  auto q = eqlite::compile(text);
  if (!q) {
    state.SkipWithError(("compile: " + q.error().format(text)).c_str());
    return std::nullopt;
  }
  return std::move(*q);
}

// ---- the passes (noinline: callgrind's --toggle-collect can name them) -------------------------

[[gnu::noinline]] std::size_t pass_reader_vm(const eqlite::Query& q,
                                             const std::vector<std::string_view>& lines) {
  eqlite::JsonReader reader(q);
  eqlite::Event event;
  eqlite::Vm vm;
  std::size_t hits = 0;
  for (auto line : lines)
    if (reader.read(line, event) && vm.matches(q, event)) ++hits;
  return hits;
}

[[gnu::always_inline]] inline std::size_t pass_stream(const eqlite::Query& q,
                                                      const std::vector<std::string_view>& lines,
                                                      eqlite::StreamStats* stats = nullptr) {
  std::size_t results = 0;
  eqlite::Stream stream(q, [&](const eqlite::StreamResult&) { ++results; });
  for (auto line : lines)
    (void)stream.push(line);
  stream.finish();
  if (stats) *stats = stream.stats();
  return results;
}

// The same pass under two names, so that a profile tells them apart.
[[gnu::noinline]] std::size_t pass_single_stream(const eqlite::Query& q,
                                                 const std::vector<std::string_view>& lines) {
  return pass_stream(q, lines);
}
[[gnu::noinline]] std::size_t pass_sequence_stream(const eqlite::Query& q,
                                                   const std::vector<std::string_view>& lines,
                                                   eqlite::StreamStats* stats = nullptr) {
  return pass_stream(q, lines, stats);
}

void sequence_counters(benchmark::State& state, const eqlite::StreamStats& s) {
  state.counters["started"] = static_cast<double>(s.started);
  state.counters["completed"] = static_cast<double>(s.completed);
  state.counters["expired"] = static_cast<double>(s.expired);
  state.counters["replaced"] = static_cast<double>(s.replaced);
  state.counters["pending_at_end"] = static_cast<double>(s.pending);
  state.counters["late"] = static_cast<double>(s.late);
}

// ---- 1. a two-stage sequence against the single-event query of its stages -------------------

void reader_vm(benchmark::State& state, const StagePair& pair) {
  if (!need_data(state)) return;
  auto q = compiled(state, single_text(pair));
  if (!q) return;
  const auto& lines = ecs_stream_lines();
  std::size_t hits = 0;
  const Stopwatch sw;
  for (auto _ : state)
    hits += pass_reader_vm(*q, lines);
  const double seconds = sw.seconds();
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto events = it * static_cast<std::int64_t>(lines.size());
  report(state, kGroup, events, it * static_cast<std::int64_t>(ecs_stream_ndjson().size()),
         seconds);
  state.counters["match_rate"] = static_cast<double>(hits) / static_cast<double>(events);
}

void stream_single(benchmark::State& state, const StagePair& pair) {
  if (!need_data(state)) return;
  auto q = compiled(state, single_text(pair));
  if (!q) return;
  const auto& lines = ecs_stream_lines();
  std::size_t hits = 0;
  const Stopwatch sw;
  for (auto _ : state)
    hits += pass_single_stream(*q, lines);
  const double seconds = sw.seconds();
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto events = it * static_cast<std::int64_t>(lines.size());
  report(state, kGroup, events, it * static_cast<std::int64_t>(ecs_stream_ndjson().size()),
         seconds);
  state.counters["match_rate"] = static_cast<double>(hits) / static_cast<double>(events);
}

void stream_sequence(benchmark::State& state, const StagePair& pair) {
  if (!need_data(state)) return;
  auto q = compiled(state, sequence_text(pair));
  if (!q) return;
  const auto& lines = ecs_stream_lines();
  std::size_t results = 0;
  eqlite::StreamStats stats;
  const Stopwatch sw;
  for (auto _ : state)
    results += pass_sequence_stream(*q, lines, &stats);
  const double seconds = sw.seconds();
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto events = it * static_cast<std::int64_t>(lines.size());
  report(state, kGroup, events, it * static_cast<std::int64_t>(ecs_stream_ndjson().size()),
         seconds);
  state.counters["results_per_event"] = static_cast<double>(results) / static_cast<double>(events);
  sequence_counters(state, stats);
}

void paired(benchmark::State& state, const StagePair& pair) {
  if (!need_data(state)) return;
  auto single = compiled(state, single_text(pair));
  auto sequence = compiled(state, sequence_text(pair));
  if (!single || !sequence) return;
  const auto& lines = ecs_stream_lines();
  double t_floor = 0, t_single = 0, t_sequence = 0;
  std::size_t floor_hits = 0, single_hits = 0, results = 0;
  const Stopwatch sw;
  for (auto _ : state) {
    const Stopwatch a;
    floor_hits += pass_reader_vm(*single, lines);
    const double ta = a.seconds();
    const Stopwatch b;
    single_hits += pass_single_stream(*single, lines);
    const double tb = b.seconds();
    const Stopwatch c;
    results += pass_sequence_stream(*sequence, lines);
    t_sequence += c.seconds();
    t_floor += ta;
    t_single += tb;
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(floor_hits);
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto events = it * static_cast<std::int64_t>(lines.size());
  report(state, kGroup, 3 * events, 3 * it * static_cast<std::int64_t>(ecs_stream_ndjson().size()),
         seconds);
  const auto per_event = [&](double t) { return t * 1e9 / static_cast<double>(events); };
  state.counters["floor_ns"] = per_event(t_floor);
  state.counters["single_ns"] = per_event(t_single);
  state.counters["sequence_ns"] = per_event(t_sequence);
  state.counters["sequence_over_single"] = t_sequence / t_single;
  state.counters["single_over_floor"] = t_single / t_floor;
  state.counters["sequence_over_floor"] = t_sequence / t_floor;
  state.counters["match_rate"] = static_cast<double>(single_hits) / static_cast<double>(events);
  state.counters["results_per_event"] = static_cast<double>(results) / static_cast<double>(events);
  if (floor_hits != single_hits)
    state.SkipWithError(("the Stream and the floor loop disagree: " + std::to_string(single_hits) +
                         " against " + std::to_string(floor_hits))
                            .c_str());
}

// ---- 2. the state of 1,000,000 pending sequences ----------------------------------------------

std::size_t proc_status_kib(const char* key) {  // VmRSS, VmHWM
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(key);
  while (std::getline(in, line))
    if (line.compare(0, n, key) == 0 && line.size() > n && line[n] == ':')
      return std::strtoull(line.c_str() + n + 1, nullptr, 10);
  return 0;
}

bool reset_peak_rss() {  // VmHWM := VmRSS (Linux 4.0+)
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::size_t heap_in_use() {
  const struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

void state_1m(benchmark::State& state, int id_digits) {
  constexpr std::size_t kKeys = 1'000'000;
  auto q = compiled(state, R"(sequence by host.id [process where event.type == "start"] )"
                           R"([network where event.type == "start"])");
  if (!q) return;
  eqlite::StreamOptions options;
  options.max_pending = 2 * kKeys;
  eqlite::StreamStats stats;
  std::size_t text = 0, heap = 0, rss = 0, rss0 = 0, hwm = 0, results = 0;
  double push_seconds = 0, teardown_seconds = 0;
  bool peak_reset = false;
  const Stopwatch sw;
  for (auto _ : state) {
    malloc_trim(0);
    peak_reset = reset_peak_rss();
    rss0 = proc_status_kib("VmRSS") << 10;
    const std::size_t heap0 = heap_in_use();
    text = 0;
    std::optional<Stopwatch> teardown;
    {
      const Stopwatch pushing;
      eqlite::Stream stream(
          *q, [&](const eqlite::StreamResult&) { ++results; }, options);
      char line[256];
      std::int64_t ms = 1'772'323'200'000;  // 2026-03-01T00:00:00Z
      for (std::size_t k = 0; k < kKeys; ++k, ++ms) {
        const std::time_t secs = static_cast<std::time_t>(ms / 1000);
        std::tm t{};
        gmtime_r(&secs, &t);
        const int n = std::snprintf(
            line, sizeof line,
            R"({"@timestamp":"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ","event":{"category":["process"],)"
            R"("type":["start"]},"host":{"id":"%0*zx"}})",
            t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
            static_cast<int>(ms % 1000), id_digits, k);
        text += static_cast<std::size_t>(n);
        (void)stream.push(std::string_view(line, static_cast<std::size_t>(n)));
      }
      push_seconds += pushing.seconds();
      stats = stream.stats();
      heap = heap_in_use() - heap0;
      rss = (proc_status_kib("VmRSS") << 10) - rss0;
      hwm = proc_status_kib("VmHWM") << 10;
      teardown.emplace();
    }
    teardown_seconds += teardown->seconds();
  }
  const double seconds = sw.seconds();
  const auto it = static_cast<std::int64_t>(state.iterations());
  // Small events of their own: no ratio to the reference over the ECS stream.
  report(state, "sequence_state", it * static_cast<std::int64_t>(kKeys), 0, seconds);
  const double pending = static_cast<double>(std::max<std::uint64_t>(stats.pending, 1));
  // The pushes (with the writing of each line) and the Stream's destruction, apart.
  state.counters["ns_per_push"] = push_seconds * 1e9 / static_cast<double>(it * kKeys);
  state.counters["teardown_ms"] = teardown_seconds * 1e3 / static_cast<double>(it);
  state.counters["pending"] = static_cast<double>(stats.pending);
  state.counters["evicted"] = static_cast<double>(stats.evicted);
  state.counters["results"] = static_cast<double>(results);
  state.counters["state_bytes_per_pending"] = static_cast<double>(stats.state_bytes) / pending;
  state.counters["event_text_per_pending"] = static_cast<double>(text) / pending;
  state.counters["heap_per_pending"] = static_cast<double>(heap) / pending;
  state.counters["heap_besides_text_per_pending"] =
      (static_cast<double>(heap) - static_cast<double>(text)) / pending;
  state.counters["rss_growth_per_pending"] = static_cast<double>(rss) / pending;
  state.counters["peak_rss_MiB"] = static_cast<double>(hwm) / (1 << 20);
  state.counters["peak_rss_growth_MiB"] = static_cast<double>(hwm - rss0) / (1 << 20);
  if (!peak_reset) state.SetLabel("VmHWM not reset (/proc/self/clear_refs): peak of the process");
  if (stats.pending != kKeys) state.SkipWithError("not every sequence stayed pending");
}

// ---- 3. every corpus rule in one RuleSet, one Stream -----------------------------------------

enum class Subset { All, EventRules, SequenceRules };

struct BuiltRules {
  eqlite::RuleSet rules;
  std::vector<eqlite::QueryKind> kinds;
  std::string error;
  bool warm = false;  // a first pass has run: the pattern lists' databases are compiled
};

BuiltRules& rule_set(Subset subset) {
  static std::map<Subset, std::unique_ptr<BuiltRules>> cache;
  auto& built = cache[subset];
  if (built) return *built;
  built = std::make_unique<BuiltRules>();
  if (corpus_all_rules().empty()) {
    built->error = "corpus not found: " + corpus_dir();
    return *built;
  }
  for (const auto& r : corpus_all_rules()) {
    auto q = eqlite::compile(r.text);
    if (!q) {
      built->error = "compile: " + r.name + ": " + q.error().to_string();
      return *built;
    }
    const bool event = q->kind() == eqlite::QueryKind::Event;
    if ((subset == Subset::EventRules && !event) || (subset == Subset::SequenceRules && event))
      continue;
    if (auto id = built->rules.add(r.name, r.text); !id) {
      built->error = "RuleSet::add: " + r.name + ": " + id.error().to_string();
      return *built;
    }
    built->kinds.push_back(q->kind());
  }
  return *built;
}

[[gnu::noinline]] void pass_rule_set(const eqlite::RuleSet& rules,
                                     const std::vector<std::string_view>& lines,
                                     std::vector<std::uint64_t>& per_rule,
                                     eqlite::StreamStats& stats) {
  eqlite::Stream stream(rules, [&](const eqlite::StreamResult& r) { ++per_rule[r.rule]; });
  for (auto line : lines)
    (void)stream.push(line);
  stream.finish();
  stats = stream.stats();
}

void rules_stream(benchmark::State& state, Subset subset) {
  if (!need_data(state)) return;
  BuiltRules& built = rule_set(subset);
  if (!built.error.empty()) {
    state.SkipWithError(built.error.c_str());
    return;
  }
  const auto& lines = ecs_stream_lines();
  std::vector<std::uint64_t> per_rule(built.rules.size(), 0);
  eqlite::StreamStats stats;
  // Untimed, once per rule set: the literal databases of the pattern lists compile on the
  // first values that reach them (rules/all/cold_start measures that).
  if (!built.warm) pass_rule_set(built.rules, lines, per_rule, stats);
  built.warm = true;
  const Stopwatch sw;
  for (auto _ : state) {
    std::fill(per_rule.begin(), per_rule.end(), 0);
    pass_rule_set(built.rules, lines, per_rule, stats);
  }
  const double seconds = sw.seconds();
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto events = it * static_cast<std::int64_t>(lines.size());
  report(state, kGroup, events, it * static_cast<std::int64_t>(ecs_stream_ndjson().size()),
         seconds);
  std::size_t firing[3] = {0, 0, 0}, results[3] = {0, 0, 0};
  for (std::size_t id = 0; id < per_rule.size(); ++id) {
    const auto k = static_cast<std::size_t>(built.kinds[id]);
    firing[k] += per_rule[id] != 0;
    results[k] += per_rule[id];
  }
  const auto n = static_cast<double>(lines.size());  // per pass
  state.counters["rules"] = static_cast<double>(built.rules.size());
  state.counters["event_rules_firing"] = static_cast<double>(firing[0]);
  state.counters["sequence_rules_firing"] = static_cast<double>(firing[1]);
  state.counters["sample_rules_firing"] = static_cast<double>(firing[2]);
  state.counters["event_results_per_event"] = static_cast<double>(results[0]) / n;
  state.counters["sequence_results"] = static_cast<double>(results[1]);
  state.counters["sample_results"] = static_cast<double>(results[2]);
  sequence_counters(state, stats);
  const EcsStreamInfo& info = ecs_stream_info();
  state.counters["episodes"] = static_cast<double>(info.episodes);
  state.counters["fireable_sequence_rules"] = static_cast<double>(info.fireable_rules);
}

// The event rules through a RuleSetMatcher, match_json (a copy per line, as push()) over the
// same lines: what the Stream adds for them.
void rules_matcher(benchmark::State& state) {
  if (!need_data(state)) return;
  BuiltRules& built = rule_set(Subset::EventRules);
  if (!built.error.empty()) {
    state.SkipWithError(built.error.c_str());
    return;
  }
  const auto& lines = ecs_stream_lines();
  eqlite::RuleSetMatcher matcher(built.rules);
  std::vector<std::size_t> ids;
  std::size_t hits = 0;
  if (!built.warm)  // untimed, as rules_stream
    for (auto line : lines)
      (void)matcher.match_json(line, ids);
  built.warm = true;
  const Stopwatch sw;
  for (auto _ : state)
    for (auto line : lines)
      if (matcher.match_json(line, ids)) hits += ids.size();
  const double seconds = sw.seconds();
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto events = it * static_cast<std::int64_t>(lines.size());
  report(state, kGroup, events, it * static_cast<std::int64_t>(ecs_stream_ndjson().size()),
         seconds);
  state.counters["rules"] = static_cast<double>(built.rules.size());
  state.counters["event_results_per_event"] =
      static_cast<double>(hits) / static_cast<double>(events);
}

}  // namespace

void register_sequence_benchmarks() {
  for (const StagePair& p : kPairs) {
    const std::string prefix = std::string("sequence/") + p.name + "/";
    benchmark::RegisterBenchmark((prefix + "jsonreader_vm").c_str(), [&p](benchmark::State& s) {
      reader_vm(s, p);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((prefix + "stream_single").c_str(), [&p](benchmark::State& s) {
      stream_single(s, p);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((prefix + "stream_sequence").c_str(), [&p](benchmark::State& s) {
      stream_sequence(s, p);
    })->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark((prefix + "paired").c_str(), [&p](benchmark::State& s) {
      paired(s, p);
    })->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("sequence/state/1M_keys",
                               [](benchmark::State& s) { state_1m(s, 32); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RegisterBenchmark("sequence/state/1M_keys_short_ids",
                               [](benchmark::State& s) { state_1m(s, 8); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RegisterBenchmark("sequence/rules/all_stream",
                               [](benchmark::State& s) { rules_stream(s, Subset::All); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RegisterBenchmark("sequence/rules/event_rules_stream",
                               [](benchmark::State& s) { rules_stream(s, Subset::EventRules); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RegisterBenchmark("sequence/rules/sequence_rules_stream",
                               [](benchmark::State& s) { rules_stream(s, Subset::SequenceRules); })
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
  benchmark::RegisterBenchmark("sequence/rules/event_rules_matcher", rules_matcher)
      ->Unit(benchmark::kMillisecond)
      ->Iterations(1);
}

}  // namespace bench
