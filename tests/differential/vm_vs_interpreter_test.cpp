// tests/differential/vm_vs_interpreter_test.cpp — random differential testing (tag
// [differential]): the VM and the reference interpreter (tests/support/) must agree on every
// generated query/event pair.
//
// For each generated query (EQL text, generator.hpp): internal::parse gives the AST for the
// interpreter, eqlite::compile the Query for the VM. Then for each of a few generated events:
//   * Vm::matches(query, FlatEvent) must equal reference_matches(ast, FlatEvent);
//   * Vm::matches on the same event read from its JSON text by a JsonReader must give the same
//     answer too (E1: the JsonReader flattens like the generator's FlatEvent);
//   * a RuleSet of the query (without pipes) must give the same answer on the JSON text: its
//     index (anchors, exact, number and Exists conditions) may rule the query out only for
//     events it does not match.
// A query that compile() rejects with ErrorCode::Unsupported (functions, until the VM has them)
// is skipped, and its pairs are counted and printed; any other compile error is a failure (the
// generator only writes valid queries). The interpreter still runs on skipped pairs (it must not
// throw).
//
// Budget: by default 20,000 pairs or about 3 seconds, whichever comes first, with a fixed seed.
// Environment variables for longer or different runs:
//   EQLITE_DIFF_ITERATIONS=N   check N query/event pairs (no time limit)
//   EQLITE_DIFF_SEED=S         seed of the generator (decimal or 0x hex; default below)
// e.g. EQLITE_DIFF_ITERATIONS=2000000 EQLITE_DIFF_SEED=7 build/tests/eqlite_tests "[differential]"
// A failure prints the seed, the pair number, the query, its AST and the event, so it can be
// replayed with the same seed.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <eqlite/eqlite.hpp>

#include "differential/generator.hpp"
#include "parser/ast.hpp"
#include "parser/parse.hpp"
#include "support/reference_interpreter.hpp"

namespace {

constexpr std::uint64_t kDefaultSeed = 20240603;
constexpr std::uint64_t kDefaultPairs = 20000;
constexpr double kDefaultSeconds = 3.0;
constexpr int kEventsPerQuery = 12;
constexpr int kMaxReported = 20;  // stop after this many failures

std::uint64_t env_u64(const char* name, std::uint64_t fallback, bool* set = nullptr) {
  const char* s = std::getenv(name);
  if (set) *set = s && *s;
  if (!s || !*s) return fallback;
  return std::strtoull(s, nullptr, 0);
}

}  // namespace

TEST_CASE("differential: VM vs reference interpreter on random queries and events",
          "[differential]") {
  bool pairs_set = false;
  const std::uint64_t seed = env_u64("EQLITE_DIFF_SEED", kDefaultSeed);
  const std::uint64_t budget = env_u64("EQLITE_DIFF_ITERATIONS", kDefaultPairs, &pairs_set);
  const bool timed = !pairs_set;

  eqlite::difftest::Generator gen(seed);
  eqlite::difftest::GeneratedEvent ev;
  eqlite::Vm vm;
  eqlite::Event json_event;

  std::uint64_t rule_set_checked = 0;
  std::uint64_t pairs = 0, checked = 0, skipped = 0, queries = 0, skipped_queries = 0, vm_true = 0,
                reported = 0;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };

  while (pairs < budget && reported < kMaxReported) {
    if (timed && elapsed() > kDefaultSeconds) break;
    const std::string text = gen.query();
    ++queries;
    auto parsed = eqlite::internal::parse(text);
    auto compiled = eqlite::compile(text);
    bool skip = false;
    if (!parsed) {
      FAIL_CHECK("generator bug: the query does not parse: " << text << "\n"
                                                             << parsed.error().format(text));
      ++reported;
      continue;
    }
    if (!compiled) {
      if (compiled.error().code != eqlite::ErrorCode::Unsupported) {
        FAIL_CHECK("the query does not compile: " << text << "\n" << compiled.error().format(text));
        ++reported;
        continue;
      }
      skip = true;
      ++skipped_queries;
    }
    std::optional<eqlite::JsonReader> reader;
    if (!skip) reader.emplace(*compiled);
    std::optional<eqlite::RuleSet> rules;
    std::optional<eqlite::RuleSetMatcher> matcher;
    if (!skip && compiled->pipes().empty()) {
      rules.emplace();
      if (auto id = rules->add("q", text); !id) {
        FAIL_CHECK("RuleSet::add rejects a query compile() takes: " << text << "\n"
                                                                    << id.error().format(text));
        ++reported;
        continue;
      }
      matcher.emplace(*rules);
    }

    bool disagreed = false;  // report one event per query: the next query may show another bug
    for (int k = 0; k < kEventsPerQuery && pairs < budget; ++k) {
      gen.event(ev);
      ++pairs;
      if (disagreed || reported >= kMaxReported) continue;
      bool ref = false;
      try {
        ref = eqlite::testing::reference_matches(*parsed, ev.flat);
      } catch (const std::exception& e) {
        FAIL_CHECK("the reference interpreter threw: " << e.what() << "\nquery: " << text
                                                       << "\nevent: " << ev.json);
        ++reported;
        continue;
      }
      if (skip) {
        ++skipped;
        continue;
      }
      ++checked;
      const bool got = vm.matches(*compiled, ev.flat);
      vm_true += got;
      if (got != ref) {
        ++reported;
        disagreed = true;
        FAIL_CHECK("VM and reference interpreter disagree\n  seed: "
                   << seed << ", pair #" << pairs << " (query #" << queries << ", event #" << k + 1
                   << ")\n  query: " << text << "\n  ast:   " << eqlite::ast::to_sexpr(*parsed)
                   << "\n  event: " << ev.json << "\n  vm: " << (got ? "true" : "false")
                   << ", reference: " << (ref ? "true" : "false"));
        continue;
      }
      auto ok = reader->read(ev.json, json_event);
      if (!ok) {
        ++reported;
        FAIL_CHECK("generator bug: the JSON event does not read: " << ev.json << "\n"
                                                                   << ok.error().to_string());
        continue;
      }
      const bool got_json = vm.matches(*compiled, json_event);
      if (got_json != got) {
        ++reported;
        FAIL_CHECK(
            "the VM answers differently on the JsonReader event and on the FlatEvent\n"
            "  seed: "
            << seed << ", pair #" << pairs << "\n  query: " << text << "\n  event: " << ev.json
            << "\n  FlatEvent: " << (got ? "true" : "false")
            << ", JsonReader: " << (got_json ? "true" : "false"));
        continue;
      }
      if (matcher) {
        std::vector<std::size_t> ids;
        auto read = matcher->match_json(ev.json, ids);
        ++rule_set_checked;
        if (!read || ids.size() != (got ? 1u : 0u)) {
          ++reported;
          FAIL_CHECK("the RuleSet answers differently from the VM\n  seed: "
                     << seed << ", pair #" << pairs << "\n  query: " << text
                     << "\n  event: " << ev.json << "\n  VM: " << (got ? "true" : "false")
                     << ", RuleSet: " << (ids.empty() ? "false" : "true") << "\n  index:\n"
                     << rules->describe_index());
        }
      }
    }
  }

  std::cout << "[differential] seed " << seed << ": " << pairs << " pairs (" << queries
            << " queries) in " << elapsed() << " s; " << checked << " checked (" << vm_true
            << " true), " << skipped << " skipped as unsupported (" << skipped_queries
            << " queries); " << rule_set_checked << " also through a RuleSet\n";
  CHECK(checked > 0);
  CHECK(rule_set_checked > checked / 2);
}
