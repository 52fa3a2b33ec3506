// bench/eval_bench.cpp — the T1078.004 rule over generated Entra ID sign-in events.
//
//   reference/iterate_many   simdjson On-Demand over the NDJSON buffer, touching nothing
//   t1078/ndjson             eqlite: read (projection) + evaluate, one line at a time
//   t1078/eval_only          eqlite: evaluate already-bound events (ns/event)
//   t1078/flat_event         eqlite: evaluate a FieldMap (bind by path + evaluate)
//
// The reference runs in the same binary and the same run, so compare ratios, not absolute
// figures (the machine is shared). The label names simdjson's active kernel; note that
// On-Demand uses the kernel chosen at compile time (see docs/performance.md).
#include <benchmark/benchmark.h>
#include <simdjson.h>

#include <eqlite/eqlite.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string read_rule() {
  std::ifstream in(EQLITE_SOURCE_DIR "/examples/t1078_004.eql");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A seeded generator of ~1.4 KB sign-in documents shaped like Elastic's indexed ones, with the
// rule's raw field names so that every indicator fires now and then.
std::string generate_ndjson(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](const std::vector<const char*>& v) { return v[rng() % v.size()]; };
  const std::vector<const char*> countries = {"US", "US", "US", "DE", "GB", "FR", "NL", "BR",
                                              "IN", "JP", "RU", "CN", "KP", "IR", "BY"};
  const std::vector<const char*> apps = {"Browser",
                                         "Browser",
                                         "Mobile Apps and Desktop clients",
                                         "Mobile Apps and Desktop clients",
                                         "Exchange ActiveSync",
                                         "IMAP4",
                                         "POP3",
                                         "Authenticated SMTP",
                                         "Other clients"};
  const std::vector<const char*> risks = {"none",   "none", "none",  "low",
                                          "medium", "high", "hidden"};
  const std::vector<const char*> ca = {"success", "failure", "notApplied", "notApplied"};
  const std::vector<const char*> auth = {"singleFactorAuthentication", "multiFactorAuthentication",
                                         "multiFactorAuthentication"};
  std::string out;
  char buf[4096];
  for (std::size_t i = 0; i < n; ++i) {
    const int error = (rng() % 5 == 0) ? 50126 : 0;
    const unsigned ip = static_cast<unsigned>(rng());
    std::snprintf(
        buf, sizeof buf,
        R"({"@timestamp":"2025-11-%02d T%02d:%02d:%02d.000Z","azure":{"correlation_id":"%016llx-4afa-aa79-21af67c8b108","resource":{"id":"/tenants/8a4de8b5-095c-47d0-a96f-a75130c61d53/providers/Microsoft.aadiam","provider":"Microsoft.aadiam"},"signinlogs":{"caller_ip_address":"203.0.%u.%u","category":"%s","identity":"User %zu","operation_name":"Sign-in activity","operation_version":"1.0","properties":{"app_display_name":"Office 365 Exchange Online","app_id":"00000002-0000-0ff1-ce00-000000000000","authentication_requirement":"%s","client_app_used":"%s","conditional_access_status":"%s","correlation_id":"%016llx","created_at":"2025-11-03T10:00:00Z","device_detail":{"browser":"Chrome 120.0","device_id":"","operating_system":"Windows10"},"id":"%016llx-d1c4","is_interactive":%s,"location":{"city":"Somewhere","country_or_region":"%s","state":"State"},"original_request_id":"%016llx","resource_display_name":"Office 365 Exchange Online","risk_detail":"none","risk_level_aggregated":"none","risk_level_during_sign_in":"%s","risk_state":"none","status":{"error_code":%d},"token_issuer_type":"AzureAD","user_display_name":"User %zu","user_id":"%016llx","user_principal_name":"user%zu@example.com"},"result_signature":"None","result_type":"%d","tenant_id":"8a4de8b5-095c-47d0-a96f-a75130c61d53"}},"client":{"ip":"203.0.%u.%u"},"cloud":{"provider":"azure"},"ecs":{"version":"8.11.0"},"event":{"action":"Sign-in activity","category":["authentication"],"duration":0,"kind":"event","outcome":"%s","type":["info"]},"geo":{"country_iso_code":"%s"},"source":{"ip":"203.0.%u.%u","geo":{"country_iso_code":"%s"}},"user":{"domain":"example.com","full_name":"User %zu","id":"%016llx","name":"user%zu"}})",
        static_cast<int>(1 + i % 28), static_cast<int>(i % 24), static_cast<int>(i % 60),
        static_cast<int>((i * 7) % 60), static_cast<unsigned long long>(rng()), (ip >> 8) & 255,
        ip & 255, rng() % 3 ? "SignInLogs" : "NonInteractiveUserSignInLogs", i, pick(auth),
        pick(apps), pick(ca), static_cast<unsigned long long>(rng()),
        static_cast<unsigned long long>(rng()), rng() % 2 ? "true" : "false", pick(countries),
        static_cast<unsigned long long>(rng()), pick(risks), error, i,
        static_cast<unsigned long long>(rng()), i, error, (ip >> 8) & 255, ip & 255,
        error ? "failure" : "success", pick(countries), (ip >> 8) & 255, ip & 255, pick(countries),
        i, static_cast<unsigned long long>(rng()), i);
    out += buf;
    out += '\n';
  }
  return out;
}

constexpr std::size_t kEvents = 20000;

const std::string& data() {
  static const std::string d = generate_ndjson(kEvents, 42);
  return d;
}

std::vector<std::string_view> lines() {
  std::vector<std::string_view> out;
  std::string_view d = data();
  std::size_t start = 0;
  while (start < d.size()) {
    std::size_t nl = d.find('\n', start);
    out.push_back(d.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string kernel_label() {
  // Stage 1 is dispatched at run time; On-Demand's value walk is the kernel this translation
  // unit (and lib/json_reader.cpp, built with the same flags) was compiled for.
  return std::string("simdjson kernel: ") + simdjson::get_active_implementation()->name() +
         " (On-Demand compiled for: " + SIMDJSON_STRINGIFY(SIMDJSON_BUILTIN_IMPLEMENTATION) + ")";
}

void reference_iterate_many(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string padded(data());
  std::size_t docs = 0;
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
  }
  benchmark::DoNotOptimize(docs);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kEvents));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data().size()));
  state.SetLabel(kernel_label());
}
BENCHMARK(reference_iterate_many)->Name("reference/iterate_many");

void t1078_ndjson(benchmark::State& state) {
  auto query = eqlite::compile(read_rule());
  if (!query) {
    state.SkipWithError(query.error().to_string().c_str());
    return;
  }
  eqlite::JsonReader reader(*query);
  reader.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  eqlite::Event event;
  eqlite::Vm vm;
  const auto ls = lines();
  std::size_t matches = 0;
  for (auto _ : state) {
    for (auto line : ls) {
      if (reader.read(line, event) && vm.matches(*query, event)) ++matches;
    }
  }
  benchmark::DoNotOptimize(matches);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * ls.size()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data().size()));
  state.counters["match_rate"] =
      static_cast<double>(matches) / static_cast<double>(state.iterations() * ls.size());
}
BENCHMARK(t1078_ndjson)->Name("t1078/ndjson");

void t1078_eval_only(benchmark::State& state) {
  auto query = eqlite::compile(read_rule());
  if (!query) {
    state.SkipWithError(query.error().to_string().c_str());
    return;
  }
  // Bind every event once (FlatEvents own the strings), then time evaluation alone.
  const auto ls = lines();
  eqlite::JsonReader reader(*query);
  reader.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  std::vector<eqlite::FlatEvent> flats(ls.size());
  std::vector<eqlite::Event> events(ls.size());
  eqlite::Event scratch;
  for (std::size_t i = 0; i < ls.size(); ++i) {
    if (!reader.read(ls[i], scratch)) continue;
    for (std::uint32_t f = 0; f < query->fields().size(); ++f)
      for (const auto& v : scratch.values(f))
        flats[i].add(query->fields()[f], v);
    events[i].bind(*query, flats[i]);
  }
  eqlite::Vm vm;
  std::size_t matches = 0;
  for (auto _ : state) {
    for (const auto& e : events)
      matches += vm.matches(*query, e);
  }
  benchmark::DoNotOptimize(matches);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events.size()));
}
BENCHMARK(t1078_eval_only)->Name("t1078/eval_only");

void t1078_flat_event(benchmark::State& state) {
  auto query = eqlite::compile(read_rule());
  if (!query) {
    state.SkipWithError(query.error().to_string().c_str());
    return;
  }
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
  for (auto _ : state)
    matches += vm.matches(*query, e);
  benchmark::DoNotOptimize(matches);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(t1078_flat_event)->Name("t1078/flat_event");

}  // namespace

BENCHMARK_MAIN();
