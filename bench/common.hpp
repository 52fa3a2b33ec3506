// bench/common.hpp — what every benchmark file of eqlite_bench shares.
//
// Ratios: each group of benchmarks starts with its reference (simdjson's iterate_many over the
// same NDJSON buffer, Hyperscan over the same values, the reference interpreter over the same
// events). A reference records its rate here when it finishes; every later benchmark of the
// group reports its own rate divided by that one as a user counter (ratio_to_reference,
// ratio_to_hyperscan, ratio_to_interpreter). Both sides run in the same process, one after the
// other, on the same data: on a shared machine the ratios are what to read.
//
// Time: the CPU time of the benchmark's thread, as Google Benchmark measures by default — on a
// machine whose two cores are shared with builds and fuzzers, wall-clock time mostly measures
// the scheduler (two runs of a reference in one process: 2.7x apart in wall time, 1.4x in CPU). The
// ratios and ns_per_event are computed from the same clock (Stopwatch). Only the subprocess
// benchmarks (cli/*) use wall-clock time (UseManualTime), with the child's CPU time next to it.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <eqlite/eqlite.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bench {

// ---- scale (--eqlite_scale=short|full) ---------------------------------------------------------

struct Scale {
  const char* name = "short";
  std::size_t signin_events = 10'000;  // in-memory Entra ID data set
  std::size_t ecs_events = 10'000;     // in-memory ECS data set
  std::size_t cli_bytes = 16u << 20;   // the file given to `eqlite match`
  std::size_t pattern_values = 10'000;
  std::size_t interpreter_events = 500;
  // ECS events bound beforehand for rules/N/bound (one Event per rule and event: at most
  // bound_pairs of them, and at least 200 events) and rules/N/rule_set_bound.
  std::size_t bound_events = 2'000;
  std::size_t bound_pairs = 200'000;
  // Work per iteration of the N-rule benchmarks: JSON reads when each line is read once per rule,
  // rule evaluations otherwise (the data set is cut to fit, never below 1,000 events).
  std::size_t per_rule_parses = 50'000;
  std::size_t rule_evaluations = 3'000'000;
};

const Scale& scale();
void set_scale(std::string_view name);  // "short" or "full"; anything else aborts

// ---- paths -------------------------------------------------------------------------------------

std::string source_dir();  // the repository
std::string corpus_dir();  // $EQLITE_CORPUS_DIR, else ../shared/corpus next to the repository
bool corpus_available();   // the corpus' rule file exists
std::string read_file(const std::string& path);  // empty when unreadable

// ---- references and ratios ---------------------------------------------------------------------

/// CPU time of this thread since construction — the clock of Google Benchmark's CPU time.
/// Start it just before `for (auto _ : state)`.
class Stopwatch {
 public:
  Stopwatch() : t0_(now()) {}
  double seconds() const { return now() - t0_; }

 private:
  static double now();
  double t0_;
};

/// Wall-clock time since construction.
class WallStopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  }

 private:
  std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
};

/// Ends a benchmark: sets items and bytes processed (bytes only when non-zero), `ns_per_event`
/// and `counter` = this benchmark's rate / the rate of `group`'s reference (in bytes when both
/// have bytes, else in items), computed from `seconds` (the loop's time, see above). The label
/// names the reference. No ratio when the reference has not run (filtered out).
void report(benchmark::State& state, const std::string& group, std::int64_t items,
            std::int64_t bytes, double seconds, const char* counter = "ratio_to_reference",
            const std::string& extra_label = {});

/// The bytes/s of `group`'s latest reference run; 0 when it has not run.
double reference_bytes_per_second(const std::string& group);

/// Ends a reference benchmark: as report(), and records its rates for the rest of `group`.
void report_reference(benchmark::State& state, const std::string& group, const std::string& name,
                      std::int64_t items, std::int64_t bytes, double seconds,
                      const std::string& label);

/// The reference benchmark: simdjson On-Demand iterate_many over `ndjson`, touching nothing
/// but counting documents, with `parser.threaded = false` — one thread, like the engine it is
/// compared with. Registered first in its group (and again later, with a `suffix`: the ratios
/// then use the latest measurement). With `threaded`, simdjson's default, stage 1 of the next
/// batch runs in a second thread that this thread's CPU clock does not see; that variant is
/// reported for information only and never becomes the ratio base.
void register_iterate_many(const std::string& group, const std::string& (*ndjson)(),
                           const std::string& suffix = {}, bool threaded = false);

// ---- NDJSON helpers ----------------------------------------------------------------------------

std::vector<std::string_view> split_lines(std::string_view ndjson);

/// Lines copied one after another (each ending in '\n') into one buffer with kJsonPadding bytes
/// after it, and cut into blocks of whole lines of up to `block_bytes`: how `eqlite match` holds
/// its input, each block prescanned (JsonReader::prescan) and its lines read in place.
class PaddedLines {
 public:
  struct Block {
    std::string_view text;   // whole lines
    std::size_t first, end;  // lines()[first, end)
  };
  explicit PaddedLines(const std::vector<std::string_view>& lines,
                       std::size_t block_bytes = std::size_t{1} << 18);
  PaddedLines(const PaddedLines&) = delete;  // lines() and blocks() view buf_
  PaddedLines& operator=(const PaddedLines&) = delete;
  const std::vector<std::string_view>& lines() const { return lines_; }
  const std::vector<Block>& blocks() const { return blocks_; }
  std::size_t bytes() const { return bytes_; }  // the lines' bytes with their newlines

 private:
  std::string buf_;
  std::vector<std::string_view> lines_;
  std::vector<Block> blocks_;
  std::size_t bytes_ = 0;
};

/// Events read from NDJSON once and bound to `paths` (field id i = paths[i]), with their strings
/// copied into storage owned here: evaluation benchmarks loop over these without reading JSON.
class BoundEvents {
 public:
  BoundEvents(std::vector<std::string> paths, const std::vector<std::string_view>& lines,
              const std::vector<std::pair<std::string, eqlite::Value>>& constants = {});
  const std::vector<eqlite::Event>& events() const { return events_; }
  const std::vector<std::string>& paths() const { return paths_; }
  std::size_t bytes() const { return bytes_; }  // the JSON bytes these events were read from

 private:
  std::string_view keep(std::string_view s);
  std::vector<std::string> paths_;
  std::vector<eqlite::Event> events_;
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::size_t chunk_used_ = 0, chunk_size_ = 0;
  std::size_t bytes_ = 0;
};

/// A FlatEvent per line with every value of `paths` (for the FieldMap and interpreter paths).
std::vector<eqlite::FlatEvent> flat_events(
    const std::vector<std::string>& paths, const std::vector<std::string_view>& lines,
    const std::vector<std::pair<std::string, eqlite::Value>>& constants = {});

// ---- registration (main.cpp calls these in order) ----------------------------------------------

void register_t1078_benchmarks();
void register_cli_benchmarks();
void register_rules_benchmarks(std::size_t n);  // n == 0: every rule of the corpus
std::string rules_label(std::size_t n);         // "1", "10", "100", "all"
void register_pattern_benchmarks();
void register_pathological_benchmarks();
void register_interpreter_benchmarks();
#ifdef EQLITE_BENCH_RULE_SET
void register_rule_set_t1078_benchmarks();
void register_rule_set_rules_benchmarks(std::size_t n);
#endif
#ifdef EQLITE_BENCH_STREAM
void register_sequence_benchmarks();  // sequence_bench.cpp, group "ecs_stream"
#endif

}  // namespace bench
