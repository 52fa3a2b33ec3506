// bench/patterns_bench.cpp — wildcard lists through eqlite's matcher next to Hyperscan
// (Vectorscan), and pathological patterns for linear time.
//
//   wildcard/9/hyperscan      the T1078.004 rule's client_app_used list, compiled with
//                             hs_compile_multi (CASELESS | DOTALL | SINGLEMATCH, each pattern
//                             as an anchored regex ^...$), block mode, over client_app_used
//                             values; the reference of group "wildcard9"
//   wildcard/9/eqlite         `any where f : (...)` with the same list, over the same values
//                             bound as one-field events, the Vm remembering no answers
//                             (VmOptions::remember_answers off); ratio_to_hyperscan
//   wildcard/9/eqlite_remembering   the same with the Vm's memo of answers (the default): what
//                             it buys on values that repeat, as client-app names do
//   wildcard/9unique/...      the same list over the same values made unique (" #<n>" added):
//                             what the memo costs when nothing repeats (it turns itself off)
//   wildcard/1000/hyperscan   1,000 generated `*word*` / `*word*word*` / `prefix*` patterns over
//   wildcard/1000/eqlite      paths and command lines (group "wildcard1000")
//   wildcard/9gen/hyperscan   the first 9 of those patterns over the same values (group
//   wildcard/9gen/eqlite      "wildcard9gen"): the growth from 9 to 1,000, like for like
//   pathological/wildcard_a5b         `f : "*a*a*a*a*a*b"`, against one value of N 'a'
//   pathological/regex_nested_plus    `f regex "(a+)+b"`, same
//   pathological/regex_alternation    `f regex "(a|aa)*c"`, same; N = 1 KiB .. 1 MiB (x4), and
//                                     the report fits O(N)
//
// Without libhs the Hyperscan benchmarks are not built and eqlite's have no ratio.
#include <algorithm>

#include "bench/common.hpp"
#include "bench/data.hpp"

#ifdef EQLITE_BENCH_HYPERSCAN
#include <hs.h>
#endif

namespace bench {

namespace {

std::string eql_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out + '"';
}

std::string match_query(const std::vector<std::string>& patterns) {
  std::string q = "any where f : (";
  for (std::size_t i = 0; i < patterns.size(); ++i)
    q += (i ? ", " : "") + eql_quote(patterns[i]);
  return q + ")";
}

struct PatternSet {
  std::vector<std::string> patterns;
  std::vector<std::string> values;
  std::size_t bytes = 0;
};

// "9": the T1078.004 rule's list over client-app names; "1000": the generated list over paths
// and command lines; "9gen": its first 9 patterns over the same values (the growth from 9 to
// 1,000 patterns, like for like).
const PatternSet& pattern_set(const std::string& name) {
  static const PatternSet nine = [] {
    PatternSet s{t1078_wildcards(), client_app_values(scale().pattern_values, 9), 0};
    for (const auto& v : s.values)
      s.bytes += v.size();
    return s;
  }();
  static const PatternSet thousand = [] {
    PatternSet s{generate_wildcards(1000, 1000), generate_path_values(scale().pattern_values, 11),
                 0};
    for (const auto& v : s.values)
      s.bytes += v.size();
    return s;
  }();
  static const PatternSet nine_generated = [] {
    PatternSet s = thousand;
    s.patterns.resize(9);
    return s;
  }();
  static const PatternSet nine_unique = [] {
    PatternSet s = nine;
    s.bytes = 0;
    for (std::size_t i = 0; i < s.values.size(); ++i) {
      s.values[i] += " #" + std::to_string(i);
      s.bytes += s.values[i].size();
    }
    return s;
  }();
  return name == "9"         ? nine
         : name == "9gen"    ? nine_generated
         : name == "9unique" ? nine_unique
                             : thousand;
}

std::string group_of(const std::string& name) {
  return "wildcard" + name;
}

// One-field events, field id 0 = "f".
std::vector<eqlite::Event> one_field_events(const std::vector<std::string>& values) {
  std::vector<eqlite::Event> events;
  events.reserve(values.size());
  for (const auto& v : values) {
    auto& e = events.emplace_back(1);
    e.add(0, eqlite::Value::string(v));
  }
  return events;
}

void wildcard_eqlite(benchmark::State& state, const std::string& n, bool remember) {
  const PatternSet& set = pattern_set(n);
  auto query = eqlite::compile(match_query(set.patterns));
  if (!query || query->fields().size() != 1) {
    state.SkipWithError(query ? "unexpected fields" : query.error().to_string().c_str());
    return;
  }
  const auto events = one_field_events(set.values);
  // remember = false: the matcher itself, like for like with Hyperscan, no answers remembered
  // between values (VmOptions; the T1078.004 benchmarks measure the Vm as it runs by default).
  eqlite::VmOptions options;
  options.remember_answers = remember;
  eqlite::Vm vm(options);
  std::size_t matches = 0;
  (void)vm.matches(*query, events.front());  // untimed: the database compiles on first use
  const Stopwatch sw;
  for (auto _ : state)
    for (const auto& e : events)
      matches += vm.matches(*query, e);
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  const auto it = static_cast<std::int64_t>(state.iterations());
  report(state, group_of(n), it * static_cast<std::int64_t>(events.size()),
         it * static_cast<std::int64_t>(set.bytes), seconds, "ratio_to_hyperscan");
  state.counters["match_rate"] =
      static_cast<double>(matches) / static_cast<double>(it * events.size());
}

#ifdef EQLITE_BENCH_HYPERSCAN

// A wildcard (`*` any run, `?` one character, no escapes) as an anchored regex.
std::string wildcard_to_regex(std::string_view w) {
  std::string out = "^";
  for (unsigned char c : w) {
    if (c == '*') {
      out += ".*";
    } else if (c == '?') {
      out += '.';
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out + "$";
}

int on_match(unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
  *static_cast<bool*>(ctx) = true;
  return 1;  // stop: one match is enough ("any of")
}

void wildcard_hyperscan(benchmark::State& state, const std::string& n) {
  const PatternSet& set = pattern_set(n);
  std::vector<std::string> regexes;
  std::vector<const char*> exprs;
  std::vector<unsigned> flags, ids;
  for (const auto& p : set.patterns)
    regexes.push_back(wildcard_to_regex(p));
  for (std::size_t i = 0; i < regexes.size(); ++i) {
    exprs.push_back(regexes[i].c_str());
    flags.push_back(HS_FLAG_CASELESS | HS_FLAG_DOTALL | HS_FLAG_SINGLEMATCH);
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  if (hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(exprs.size()),
                       HS_MODE_BLOCK, nullptr, &db, &error) != HS_SUCCESS) {
    state.SkipWithError(error ? error->message : "hs_compile_multi failed");
    hs_free_compile_error(error);
    return;
  }
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
    hs_free_database(db);
    state.SkipWithError("hs_alloc_scratch failed");
    return;
  }
  std::size_t matches = 0;
  const Stopwatch sw;
  for (auto _ : state) {
    for (const auto& v : set.values) {
      bool hit = false;
      hs_scan(db, v.data(), static_cast<unsigned>(v.size()), 0, scratch, on_match, &hit);
      matches += hit;
    }
  }
  const double seconds = sw.seconds();
  benchmark::DoNotOptimize(matches);
  hs_free_scratch(scratch);
  hs_free_database(db);
  const auto it = static_cast<std::int64_t>(state.iterations());
  const auto items = it * static_cast<std::int64_t>(set.values.size());
  const auto bytes = it * static_cast<std::int64_t>(set.bytes);
  report_reference(state, group_of(n), "wildcard/" + n + "/hyperscan", items, bytes, seconds,
                   "reference; vectorscan");
  state.counters["match_rate"] = static_cast<double>(matches) / static_cast<double>(items);
}

#endif

// ---- pathological patterns ---------------------------------------------------------------------

void pathological(benchmark::State& state, const std::string& condition) {
  const auto n = static_cast<std::size_t>(state.range(0));
  auto query = eqlite::compile("any where " + condition);
  if (!query || query->fields().size() != 1) {
    state.SkipWithError(query ? "unexpected fields" : query.error().to_string().c_str());
    return;
  }
  const std::string value(n, 'a');
  eqlite::Event e(1);
  e.add(0, eqlite::Value::string(value));
  eqlite::Vm vm;
  std::size_t matches = 0;
  for (auto _ : state)
    matches += vm.matches(*query, e);
  benchmark::DoNotOptimize(matches);
  if (matches) state.SkipWithError("the pathological pattern matched");
  state.SetLabel(condition);
  state.SetComplexityN(static_cast<std::int64_t>(n));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n));
}

}  // namespace

void register_pattern_benchmarks() {
  for (const std::string n : {"9", "9unique", "9gen", "1000"}) {
    const std::string prefix = "wildcard/" + n + "/";
#ifdef EQLITE_BENCH_HYPERSCAN
    benchmark::RegisterBenchmark((prefix + "hyperscan").c_str(), [n](benchmark::State& s) {
      wildcard_hyperscan(s, n);
    })->Unit(benchmark::kMicrosecond);
#endif
    benchmark::RegisterBenchmark((prefix + "eqlite").c_str(), [n](benchmark::State& s) {
      wildcard_eqlite(s, n, false);
    })->Unit(benchmark::kMicrosecond);
    if (n == "9" || n == "9unique")
      benchmark::RegisterBenchmark((prefix + "eqlite_remembering").c_str(),
                                   [n](benchmark::State& s) { wildcard_eqlite(s, n, true); })
          ->Unit(benchmark::kMicrosecond);
  }
}

void register_pathological_benchmarks() {
  const std::pair<const char*, const char*> cases[] = {
      {"pathological/wildcard_a5b", R"(f : "*a*a*a*a*a*b")"},
      {"pathological/regex_nested_plus", R"(f regex "(a+)+b")"},
      {"pathological/regex_alternation", R"(f regex "(a|aa)*c")"},
  };
  for (const auto& [name, condition] : cases) {
    const std::string cond = condition;
    benchmark::RegisterBenchmark(name, [cond](benchmark::State& s) { pathological(s, cond); })
        ->RangeMultiplier(4)
        ->Range(1 << 10, 1 << 20)
        ->Complexity(benchmark::oN)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace bench
