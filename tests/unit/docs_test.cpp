// tests/unit/docs_test.cpp — docs/language.md cannot rot: every table row whose first cell is
// one code span (a query, or a condition evaluated as `any where <condition>`) and whose second
// cell is `true`, `false`, `match`, `no match` or `error` is run against the document's example
// event.
#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "eqlite/eqlite.hpp"

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(' ');
  const auto e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// Splits a markdown table row on unescaped '|' and unescapes "\|".
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  std::string cur;
  for (std::size_t i = 1; i < row.size(); ++i) {
    if (row[i] == '\\' && i + 1 < row.size() && row[i + 1] == '|') {
      cur += '|';
      ++i;
    } else if (row[i] == '|') {
      out.push_back(trim(cur));
      cur.clear();
    } else {
      cur += row[i];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("every example in docs/language.md gives the documented result", "[docs]") {
  const std::string doc = slurp(EQLITE_SOURCE_DIR "/docs/language.md");
  REQUIRE_FALSE(doc.empty());
  const auto json_start = doc.find("```json\n");
  REQUIRE(json_start != std::string::npos);
  const auto json_end = doc.find("```", json_start + 8);
  std::string event_json = doc.substr(json_start + 8, json_end - json_start - 8);
  for (char& c : event_json)
    if (c == '\n') c = ' ';

  std::istringstream lines(doc);
  std::string line;
  int checked = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    auto c = cells(line);
    if (c.size() < 2) continue;
    const std::string& first = c[0];
    // exactly one code span
    if (first.size() < 2 || first.front() != '`' || first.back() != '`' ||
        first.find('`', 1) != first.size() - 1)
      continue;
    const std::string code = first.substr(1, first.size() - 2);
    const std::string result = c[1];
    bool expect_match;
    if (result == "true" || result == "match" || result == "**true**") {
      expect_match = true;
    } else if (result == "false" || result == "no match") {
      expect_match = false;
    } else if (result == "error") {
      const std::string q = code.find(" where ") != std::string::npos ? code : "any where " + code;
      INFO(q);
      CHECK_FALSE(eqlite::compile(q).ok());
      ++checked;
      continue;
    } else {
      continue;
    }
    const std::string q = code.find(" where ") != std::string::npos ? code : "any where " + code;
    INFO("docs/language.md: " << q << "  =>  " << result);
    auto query = eqlite::compile(q);
    if (!query) FAIL(query.error().format(q));
    eqlite::JsonReader reader(*query);
    eqlite::Event event;
    REQUIRE(reader.read(event_json, event).ok());
    eqlite::Vm vm;
    CHECK(vm.matches(*query, event) == expect_match);
    ++checked;
  }
  CHECK(checked >= 40);  // the tables are there and were read
}

TEST_CASE("every sequence and sample example in docs/language.md gives the documented results",
          "[docs]") {
  const std::string doc = slurp(EQLITE_SOURCE_DIR "/docs/language.md");
  const auto start = doc.find("```ndjson\n");
  REQUIRE(start != std::string::npos);
  const auto end = doc.find("```", start + 10);
  std::vector<std::string> events;
  {
    std::istringstream in(doc.substr(start + 10, end - start - 10));
    for (std::string l; std::getline(in, l);)
      if (!l.empty()) events.push_back(l);
  }
  REQUIRE(events.size() >= 5);
  // Each event's "n", read with eqlite's own reader.
  eqlite::JsonReader n_reader(std::vector<std::string>{"n"});
  eqlite::Event n_event;
  std::map<std::string, std::string> n_of;  // event text -> its n
  for (const auto& e : events) {
    REQUIRE(n_reader.read(e, n_event).ok());
    REQUIRE(n_event.values(0).size() == 1);
    n_of[e] = std::to_string(n_event.values(0)[0].as_int());
  }
  std::istringstream lines(doc);
  int checked = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| `sequence", 0) != 0 && line.rfind("| `sample", 0) != 0) continue;
    auto c = cells(line);
    REQUIRE(c.size() >= 2);
    const std::string code = c[0].substr(1, c[0].size() - 2);
    const std::string expected = c[1];
    INFO("docs/language.md: " << code << "  =>  " << expected);
    auto query = eqlite::compile(code);
    if (expected == "error") {
      CHECK_FALSE(query.ok());
      ++checked;
      continue;
    }
    if (!query) FAIL(query.error().format(code));
    std::string got;
    eqlite::Stream stream(*query, [&](const eqlite::StreamResult& r) {
      got += got.empty() ? "[" : " [";
      for (std::size_t i = 0; i < r.events.size(); ++i)
        got += (i ? " " : "") +
               (r.events[i].empty() ? std::string("-") : n_of[std::string(r.events[i])]);
      got += ']';
    });
    for (const auto& e : events)
      REQUIRE(stream.push(e).ok());
    stream.finish();
    CHECK((got.empty() ? "none" : got) == expected);
    ++checked;
  }
  CHECK(checked >= 15);
}
