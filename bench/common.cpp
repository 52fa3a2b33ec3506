// bench/common.cpp — see common.hpp.
#include "bench/common.hpp"

#include <simdjson.h>

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

namespace bench {

namespace {

Scale& mutable_scale() {
  static Scale s;
  return s;
}

struct Reference {
  std::string name;
  double items_per_second = 0;
  double bytes_per_second = 0;
};

std::map<std::string, Reference>& references() {
  static std::map<std::string, Reference> r;
  return r;
}

void set_reference(const std::string& group, const std::string& benchmark_name,
                   double items_per_second, double bytes_per_second) {
  references()[group] = Reference{benchmark_name, items_per_second, bytes_per_second};
}

}  // namespace

const Scale& scale() {
  return mutable_scale();
}

double Stopwatch::now() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

void set_scale(std::string_view name) {
  Scale& s = mutable_scale();
  if (name == "short") {
    s = Scale{};
  } else if (name == "full") {
    s.name = "full";
    s.signin_events = 50'000;
    s.ecs_events = 50'000;
    s.cli_bytes = 100u << 20;
    s.pattern_values = 50'000;
    s.interpreter_events = 2'000;
    s.bound_events = 10'000;
    s.bound_pairs = 400'000;
    s.per_rule_parses = 200'000;
    s.rule_evaluations = 20'000'000;
  } else {
    std::fprintf(stderr, "eqlite_bench: --eqlite_scale must be short or full, not '%.*s'\n",
                 static_cast<int>(name.size()), name.data());
    std::exit(2);
  }
}

std::string source_dir() {
  return EQLITE_SOURCE_DIR;
}

std::string corpus_dir() {
  if (const char* env = std::getenv("EQLITE_CORPUS_DIR"); env && *env) return env;
  return EQLITE_CORPUS_DIR;
}

bool corpus_available() {
  std::ifstream in(corpus_dir() + "/detection-rules-eql.ndjson");
  return static_cast<bool>(in);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double reference_bytes_per_second(const std::string& group) {
  auto it = references().find(group);
  return it == references().end() ? 0 : it->second.bytes_per_second;
}

namespace {

void set_common(benchmark::State& state, std::int64_t items, std::int64_t bytes, double seconds) {
  state.SetItemsProcessed(items);
  if (bytes > 0) state.SetBytesProcessed(bytes);
  if (items > 0 && seconds > 0)
    state.counters["ns_per_event"] = seconds * 1e9 / static_cast<double>(items);
}

}  // namespace

void report(benchmark::State& state, const std::string& group, std::int64_t items,
            std::int64_t bytes, double seconds, const char* counter,
            const std::string& extra_label) {
  set_common(state, items, bytes, seconds);
  std::string label = extra_label;
  auto it = references().find(group);
  if (it != references().end() && seconds > 0) {
    const Reference& ref = it->second;
    const double ratio = (bytes > 0 && ref.bytes_per_second > 0)
                             ? static_cast<double>(bytes) / seconds / ref.bytes_per_second
                             : static_cast<double>(items) / seconds / ref.items_per_second;
    state.counters[counter] = ratio;
    label += (label.empty() ? "" : "; ") + std::string("vs ") + ref.name;
  }
  if (!label.empty()) state.SetLabel(label);
}

void report_reference(benchmark::State& state, const std::string& group, const std::string& name,
                      std::int64_t items, std::int64_t bytes, double seconds,
                      const std::string& label) {
  set_common(state, items, bytes, seconds);
  if (seconds > 0)
    set_reference(group, name, static_cast<double>(items) / seconds,
                  static_cast<double>(bytes) / seconds);
  state.SetLabel(label);
}

namespace {

// Aligned to a cache line, and never inlined into its caller: simdjson's On-Demand code is
// inlined into this function, and where the linker happened to place it moved the reference by
// 10-12% between builds of the same source (docs/performance.md, "Measuring on a shared
// machine"); aligned, its code sits the same way in every build.
[[gnu::noinline, gnu::aligned(64)]] void iterate_many(benchmark::State& state,
                                                      const std::string& group,
                                                      const std::string& name,
                                                      const std::string& (*ndjson)(),
                                                      bool threaded) {
  const std::string& data = ndjson();
  if (data.empty()) {
    state.SkipWithError(("corpus not found: " + corpus_dir()).c_str());
    return;
  }
  simdjson::ondemand::parser parser;
  parser.threaded = threaded;
  const simdjson::padded_string padded(data);
  std::size_t docs = 0;
  const Stopwatch sw;
  for (auto _ : state) {
    simdjson::ondemand::document_stream stream;
    if (parser.iterate_many(padded).get(stream)) {
      state.SkipWithError("iterate_many failed");
      return;
    }
    for (auto doc : stream) {
      (void)doc;
      ++docs;
    }
    benchmark::DoNotOptimize(docs);
  }
  const double seconds = sw.seconds();
  const auto iterations = static_cast<std::int64_t>(state.iterations());
  const auto per_iteration = static_cast<std::int64_t>(docs) / iterations;
  if (per_iteration != static_cast<std::int64_t>(split_lines(data).size())) {
    state.SkipWithError("iterate_many did not see one document per line");
    return;
  }
  const std::string kernel =
      std::string("simdjson kernel ") + simdjson::get_active_implementation()->name();
  if (threaded) {
    // Informational only: stage 1 runs in a second thread whose CPU time this thread's clock
    // does not see, so it would flatter the reference by ~1.5x.
    set_common(state, iterations * per_iteration,
               iterations * static_cast<std::int64_t>(data.size()), seconds);
    state.SetLabel("stage 1 in a 2nd thread, not a ratio base; " + kernel);
    return;
  }
  report_reference(state, group, name, iterations * per_iteration,
                   iterations * static_cast<std::int64_t>(data.size()), seconds,
                   "reference, one thread; " + kernel);
}

}  // namespace

void register_iterate_many(const std::string& group, const std::string& (*ndjson)(),
                           const std::string& suffix, bool threaded) {
  const std::string name =
      "reference/" + group + "/iterate_many" + (suffix.empty() ? "" : "_" + suffix);
  benchmark::RegisterBenchmark(name.c_str(), [group, name, ndjson,
                                              threaded](benchmark::State& state) {
    iterate_many(state, group, name, ndjson, threaded);
  })->Unit(benchmark::kMillisecond);
}

PaddedLines::PaddedLines(const std::vector<std::string_view>& lines, std::size_t block_bytes) {
  for (auto l : lines)
    bytes_ += l.size() + 1;
  buf_.reserve(bytes_ + eqlite::kJsonPadding);
  std::vector<std::size_t> offsets;
  for (auto l : lines) {
    offsets.push_back(buf_.size());
    buf_ += l;
    buf_ += '\n';
  }
  buf_.append(eqlite::kJsonPadding, ' ');  // never moves: reserved
  for (std::size_t i = 0; i < lines.size(); ++i)
    lines_.emplace_back(buf_.data() + offsets[i], lines[i].size());
  for (std::size_t i = 0; i < lines_.size();) {
    const std::size_t first = i;
    const char* begin = lines_[i].data();
    auto end_of = [&](std::size_t k) { return lines_[k].data() + lines_[k].size(); };
    ++i;
    while (i < lines_.size() && static_cast<std::size_t>(end_of(i) - begin) <= block_bytes)
      ++i;
    blocks_.push_back(
        {std::string_view(begin, static_cast<std::size_t>(end_of(i - 1) - begin)), first, i});
  }
}

std::vector<std::string_view> split_lines(std::string_view ndjson) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < ndjson.size()) {
    std::size_t nl = ndjson.find('\n', start);
    if (nl == std::string_view::npos) nl = ndjson.size();
    if (nl > start) out.push_back(ndjson.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

BoundEvents::BoundEvents(std::vector<std::string> paths, const std::vector<std::string_view>& lines,
                         const std::vector<std::pair<std::string, eqlite::Value>>& constants)
    : paths_(std::move(paths)) {
  eqlite::JsonReader reader(paths_);
  for (const auto& [path, value] : constants)
    reader.set_constant(path, value);
  eqlite::Event scratch;
  events_.reserve(lines.size());
  for (auto line : lines) {
    if (!reader.read(line, scratch)) continue;
    bytes_ += line.size() + 1;
    eqlite::Event& e = events_.emplace_back(paths_.size());
    for (std::uint32_t f = 0; f < paths_.size(); ++f) {
      for (eqlite::Value v : scratch.values(f)) {
        if (v.kind() == eqlite::ValueKind::String) v = eqlite::Value::string(keep(v.as_string()));
        e.add(f, v);
      }
    }
  }
}

std::string_view BoundEvents::keep(std::string_view s) {
  if (chunks_.empty() || chunk_used_ + s.size() > chunk_size_) {
    chunk_size_ = std::max<std::size_t>(1u << 20, s.size());
    chunks_.push_back(std::make_unique<char[]>(chunk_size_));
    chunk_used_ = 0;
  }
  char* p = chunks_.back().get() + chunk_used_;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  chunk_used_ += s.size();
  return {p, s.size()};
}

std::vector<eqlite::FlatEvent> flat_events(
    const std::vector<std::string>& paths, const std::vector<std::string_view>& lines,
    const std::vector<std::pair<std::string, eqlite::Value>>& constants) {
  eqlite::JsonReader reader(paths);
  for (const auto& [path, value] : constants)
    reader.set_constant(path, value);
  eqlite::Event scratch;
  std::vector<eqlite::FlatEvent> out;
  out.reserve(lines.size());
  for (auto line : lines) {
    if (!reader.read(line, scratch)) continue;
    eqlite::FlatEvent& flat = out.emplace_back();
    for (std::uint32_t f = 0; f < paths.size(); ++f)
      for (const auto& v : scratch.values(f))
        flat.add(paths[f], v);  // FlatEvent copies strings
  }
  return out;
}

}  // namespace bench
