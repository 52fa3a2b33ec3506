// bench/data.hpp — the benchmark data, generated at startup from fixed seeds (nothing is stored
// in the repository).
//
//   signin   Entra ID sign-in events shaped like Elastic's indexed azure.signinlogs documents
//            (signin_data.cpp), for the T1078.004 rule
//   ecs      ECS process/file/registry/network/library/authentication events whose values are
//            drawn from the literals of Elastic's EQL rules (ecs_data.cpp), so that the rules
//            fire now and then; needs ../shared/corpus
//   ecs_stream the same kind of events in time order from a fleet of hosts, with the events of
//            the corpus' sequence rules placed in them (ecs_data.cpp); needs ../shared/corpus
//   patterns wildcard lists and the values they are matched against (patterns_data.cpp)
#pragma once

#include <cstddef>
#include <cstdint>
#include <eqlite/eqlite.hpp>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

// ---- seeded randomness -------------------------------------------------------------------------

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : g_(seed) {}
  std::uint64_t next() { return g_(); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(g_() % n); }
  // Uniform in [0, 1), the same on every platform (unlike std::uniform_real_distribution).
  double unit() { return static_cast<double>(g_() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(v.size())];
  }
  std::string uuid();  // 8-4-4-4-12 lower-case hex
  std::string hex(std::size_t digits);
  std::string ipv4(bool private_range);

 private:
  std::mt19937_64 g_;
};

// ---- a small JSON writer -----------------------------------------------------------------------

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter& begin_object(std::string_view key = {});
  JsonWriter& end_object();
  JsonWriter& begin_array(std::string_view key);
  JsonWriter& end_array();
  JsonWriter& str(std::string_view key, std::string_view value);  // key empty inside an array
  JsonWriter& integer(std::string_view key, std::int64_t value);
  JsonWriter& boolean(std::string_view key, bool value);

 private:
  void key(std::string_view k);
  std::string& out_;
  std::vector<bool> first_;
};

void append_json_string(std::string& out, std::string_view s);

// ---- Entra ID sign-in events (signin_data.cpp) -------------------------------------------------

/// `n` events, one JSON object per line, ~1.4 KB each.
std::string generate_signin_ndjson(std::size_t n, std::uint64_t seed);
/// Events until the text reaches `bytes` (for the file given to the CLI).
std::string generate_signin_ndjson_bytes(std::size_t bytes, std::uint64_t seed);

/// The in-memory sign-in data set of this run (scale().signin_events events, seed 42).
const std::string& signin_ndjson();
const std::vector<std::string_view>& signin_lines();

std::string t1078_rule();  // examples/t1078_004.eql

// ---- Elastic's rules and ECS events (ecs_data.cpp) ---------------------------------------------

struct CorpusRule {
  std::string name;
  std::string text;
  eqlite::Query query;
};

/// Every single-event rule of ../shared/corpus/detection-rules-eql.ndjson that eqlite compiles
/// (event queries without pipes: 861; sequences and samples are left out), shuffled with a
/// fixed seed; empty when the corpus is absent.
const std::vector<CorpusRule>& corpus_rules();
/// The first n of corpus_rules() (all when n == 0 or n is larger).
std::vector<const CorpusRule*> first_rules(std::size_t n);
/// The union of the fields of `rules`, sorted.
std::vector<std::string> union_fields(const std::vector<const CorpusRule*>& rules);

/// The ECS data set of this run (scale().ecs_events events, seed 7); empty without the corpus.
const std::string& ecs_ndjson();
const std::vector<std::string_view>& ecs_lines();
/// The first ecs_lines() for `rules` rules: at most `cap`, and at most
/// scale().rule_evaluations / rules but never fewer than 1,000 (or all there are).
std::vector<std::string_view> ecs_lines_for(std::size_t rules, std::size_t cap);
/// The first ecs_lines() bound beforehand for `rules` rules: scale().bound_events, at most
/// scale().bound_pairs / rules but never fewer than 200.
std::vector<std::string_view> ecs_bound_lines(std::size_t rules);
std::size_t bytes_of(const std::vector<std::string_view>& lines);  // with their newlines

// ---- a time-ordered ECS stream with sequences in it (ecs_data.cpp) -----------------------------

/// Every rule of ../shared/corpus/detection-rules-eql.ndjson as written (1,081: event queries,
/// sequences, samples), in file order; empty when the corpus is absent.
struct CorpusText {
  std::string name;
  std::string text;
};
const std::vector<CorpusText>& corpus_all_rules();

inline constexpr std::size_t kEcsStreamEvents = 200'000;
inline constexpr std::size_t kEcsStreamHosts = 500;

struct EcsStreamInfo {
  std::size_t events = 0;
  std::size_t hosts = 0;
  std::size_t sequence_rules = 0;   // the corpus' sequence rules the generator modelled
  std::size_t fireable_rules = 0;   // those whose generated episodes fired when checked
  std::size_t episodes = 0;         // sequences placed in the stream
  std::size_t sequence_events = 0;  // their events
};

/// kEcsStreamEvents ECS events (seed 11) from a fleet of kEcsStreamHosts hosts, @timestamp in
/// order, with episodes of the corpus' sequence rules placed in them (ecs_data.cpp,
/// StreamGenerator); empty without the corpus. The same at every --eqlite_scale.
const std::string& ecs_stream_ndjson();
const std::vector<std::string_view>& ecs_stream_lines();
const EcsStreamInfo& ecs_stream_info();

// ---- wildcard patterns (patterns_data.cpp) -----------------------------------------------------

/// The T1078.004 rule's client_app_used list (9 patterns).
std::vector<std::string> t1078_wildcards();
/// client_app_used values as Entra ID emits them.
std::vector<std::string> client_app_values(std::size_t n, std::uint64_t seed);
/// `n` distinct realistic patterns: `*word*` and `prefix*` over process, path and tool names.
std::vector<std::string> generate_wildcards(std::size_t n, std::uint64_t seed);
/// Paths and command lines over the same vocabulary (some match the patterns).
std::vector<std::string> generate_path_values(std::size_t n, std::uint64_t seed);

}  // namespace bench
