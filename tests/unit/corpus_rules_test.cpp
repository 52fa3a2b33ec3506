// tests/unit/corpus_rules_test.cpp — every EQL rule of Elastic's detection-rules repository
// (../shared/corpus/detection-rules-eql.ndjson, 1,081 rules). Every rule must compile: 861
// single-event rules, 217 sequences and 3 samples (Q1), each of the kind its first word says.
// Each compiled rule is also evaluated on a few events (S11: evaluation never fails). Prints a
// table of outcomes; skipped with a message when the corpus is absent.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include "eqlite/eqlite.hpp"

namespace {

// The first word of a query, after whitespace and comments.
std::string first_word(std::string_view q) {
  std::size_t i = 0;
  for (;;) {
    while (i < q.size() && std::isspace(static_cast<unsigned char>(q[i])))
      ++i;
    if (q.compare(i, 2, "//") == 0) {
      i = q.find('\n', i);
      if (i == std::string_view::npos) return "";
    } else if (q.compare(i, 2, "/*") == 0) {
      i = q.find("*/", i);
      if (i == std::string_view::npos) return "";
      i += 2;
    } else {
      break;
    }
  }
  std::size_t e = i;
  while (e < q.size() && (std::isalnum(static_cast<unsigned char>(q[e])) || q[e] == '_'))
    ++e;
  return std::string(q.substr(i, e - i));
}

}  // namespace

TEST_CASE("Elastic's detection rules: every rule compiles", "[corpus]") {
  const std::string path = EQLITE_CORPUS_DIR "/detection-rules-eql.ndjson";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent (the corpus lives in ../shared/corpus)");
    return;
  }
  // The rules file is NDJSON: read it with eqlite's own JSON reader.
  eqlite::JsonReader reader(std::vector<std::string>{"query", "path"});
  eqlite::Event fields;
  std::ifstream in(path);
  std::map<std::string, int> table;  // "<kind>: <outcome>" -> count
  eqlite::RuleSet all;               // every rule, for one Stream at the end
  int rules = 0, single = 0, compiled = 0;
  std::vector<std::string> unexpected;

  // A few events to evaluate every compiled rule on (S11).
  eqlite::FlatEvent empty, typical, odd;
  typical.add("event.category", "process")
      .add("event.type", "start")
      .add("host.os.type", "windows")
      .add("process.name", "cmd.exe")
      .add("process.args", "/c")
      .add("process.args", "whoami")
      .add("process.parent.name", "winword.exe")
      .add("process.pid", 4312)
      .add("user.id", "0");
  odd.add("event.category", 7).add("process.name", 1.5).add("process.args", true);
  eqlite::Vm vm;

  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    REQUIRE(reader.read(line, fields).ok());
    REQUIRE(fields.values(0).size() == 1);
    const std::string query(fields.values(0)[0].as_string());
    const std::string rule_path(fields.values(1)[0].as_string());
    ++rules;
    const std::string word = first_word(query);
    const std::string kind = word == "sequence" ? "sequence"
                             : word == "sample" ? "sample"
                                                : "single";
    auto q = eqlite::compile(query);
    std::string outcome;
    if (q) {
      outcome = "compiles";
      ++compiled;
      for (const eqlite::FieldMap* e :
           {static_cast<eqlite::FieldMap*>(&empty), static_cast<eqlite::FieldMap*>(&typical),
            static_cast<eqlite::FieldMap*>(&odd)})
        (void)vm.matches(*q, *e);
    } else {
      outcome = q.error().message;
    }
    table[kind + ": " + outcome]++;
    if (q) REQUIRE(all.add(rule_path, query).ok());
    if (kind == "single") ++single;
    const eqlite::QueryKind want = kind == "sequence" ? eqlite::QueryKind::Sequence
                                   : kind == "sample" ? eqlite::QueryKind::Sample
                                                      : eqlite::QueryKind::Event;
    const bool expected = q.ok() && q->kind() == want;
    if (!expected)
      unexpected.push_back(rule_path + ": " + (q ? "compiles" : q.error().format(query)));
  }

  std::cout << "\nElastic detection rules (" << rules << "):\n";
  for (const auto& [k, n] : table)
    std::cout << "  " << n << "\t" << k << "\n";
  for (const auto& u : unexpected)
    std::cout << "UNEXPECTED " << u << "\n";
  CHECK(rules == 1081);
  CHECK(single == 861);
  CHECK(table["sequence: compiles"] == 217);
  CHECK(table["sample: compiles"] == 3);
  CHECK(compiled == rules);
  CHECK(unexpected.empty());

  // Every rule in one Stream (Q rules, S11): events that meet stages of Elastic's sequence
  // rules, in time order, with the keys most of them join on.
  std::size_t results = 0;
  eqlite::Stream stream(all, [&](const eqlite::StreamResult&) { ++results; });
  const char* const kinds[] = {
      R"("event":{"category":"process","type":"start","action":"exec"},"process":{"name":"nslookup.exe","args":["-q=txt","example.com"],"parent":{"name":"winword.exe"},"entity_id":"p1","executable":"C:/Windows/System32/nslookup.exe"})",
      R"("event":{"category":"network","type":"start","action":"connection_attempted"},"destination":{"ip":"203.0.113.9","port":443},"process":{"name":"cmd.exe","entity_id":"p1"})",
      R"("event":{"category":"file","type":"creation","action":"creation"},"file":{"path":"C:/Users/a/AppData/Roaming/x.exe","extension":"exe","name":"x.exe"},"process":{"name":"cmd.exe","entity_id":"p1"})",
      R"("event":{"category":"authentication","outcome":"failure","action":"logon-failed"},"source":{"ip":"198.51.100.7"},"user":{"name":"ana"})"};
  for (int i = 0; i < 400; ++i) {
    const std::string line = R"({"@timestamp":)" + std::to_string(1700000000000LL + i * 250) +
                             R"(,"host":{"id":"h)" + std::to_string(i % 3) +
                             R"(","os":{"type":"windows"}},"agent":{"id":"a1"},)" +
                             R"("user":{"id":"u1","name":"ana"},)" + kinds[i % 4] + "}";
    REQUIRE(stream.push(line).ok());
  }
  stream.finish();
  const auto st = stream.stats();
  std::cout << "  all " << all.size() << " rules over 400 events: " << results << " results, "
            << st.completed << " sequences, " << st.started << " started\n";
  CHECK(all.size() == 1081);
  CHECK(st.started == st.completed + st.expired + st.evicted + st.until + st.replaced + st.missing +
                          st.pending + st.waiting);
  CHECK(st.completed > 0);  // some of Elastic's sequence rules complete on these events
}
