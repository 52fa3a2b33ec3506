// tests/cli/sequence_examples_test.cpp — the sequence examples (examples/*.eql over
// examples/data/*.ndjson) run through `eqlite match`, checked against what the data's own
// `scenario` objects say (examples/README.md):
//
//   "scenario":{"id":ID,"expect":[{"result":R,"stage":S,"join_keys":[...]},...],"shows":WHY}
//
// A line whose `expect` is empty must be part of no result. The expected output is built from
// these fields: one line per result, {"join_keys":K,"events":[E1,...]} with each E the input
// line byte for byte, results in the order of their last event (docs/sequences.md point 7).
#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli_support.hpp"

using namespace cli_test;

namespace {

// ---- a small JSON reader: enough for the scenario objects (test-only) ----

struct Node {
  enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
  std::string text;  // String: the decoded value (\uXXXX kept as is); Number: as written
  std::vector<std::string> keys;   // Object
  std::vector<Node> items;         // Array elements, Object values
  std::size_t begin = 0, end = 0;  // the value's span in the source text

  const Node* get(std::string_view key) const {
    for (std::size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }
};

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}
  bool parse(Node& out) {
    if (!value(out, 0)) return false;
    ws();
    return at_ == s_.size();
  }

 private:
  void ws() {
    while (at_ < s_.size() &&
           (s_[at_] == ' ' || s_[at_] == '\t' || s_[at_] == '\n' || s_[at_] == '\r'))
      ++at_;
  }
  bool lit(std::string_view w) {
    if (s_.substr(at_, w.size()) != w) return false;
    at_ += w.size();
    return true;
  }
  bool string(std::string& out) {
    if (at_ >= s_.size() || s_[at_] != '"') return false;
    ++at_;
    while (at_ < s_.size() && s_[at_] != '"') {
      char c = s_[at_++];
      if (c == '\\') {
        if (at_ >= s_.size()) return false;
        char e = s_[at_++];
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 't':
            out += '\t';
            break;
          case 'r':
            out += '\r';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'u':
            if (at_ + 4 > s_.size()) return false;
            out += "\\u";
            out += s_.substr(at_, 4);
            at_ += 4;
            break;
          default:
            out += e;  // " \ /
        }
      } else {
        out += c;
      }
    }
    if (at_ >= s_.size()) return false;
    ++at_;
    return true;
  }
  bool value(Node& n, int depth) {
    if (depth > 64) return false;
    ws();
    if (at_ >= s_.size()) return false;
    n.begin = at_;
    const char c = s_[at_];
    bool ok = true;
    if (c == '{') {
      n.kind = Node::Kind::Object;
      ++at_;
      ws();
      if (at_ < s_.size() && s_[at_] == '}') {
        ++at_;
      } else {
        for (;;) {
          ws();
          std::string key;
          if (!string(key)) return false;
          ws();
          if (!lit(":")) return false;
          Node v;
          if (!value(v, depth + 1)) return false;
          n.keys.push_back(std::move(key));
          n.items.push_back(std::move(v));
          ws();
          if (lit(",")) continue;
          if (lit("}")) break;
          return false;
        }
      }
    } else if (c == '[') {
      n.kind = Node::Kind::Array;
      ++at_;
      ws();
      if (at_ < s_.size() && s_[at_] == ']') {
        ++at_;
      } else {
        for (;;) {
          Node v;
          if (!value(v, depth + 1)) return false;
          n.items.push_back(std::move(v));
          ws();
          if (lit(",")) continue;
          if (lit("]")) break;
          return false;
        }
      }
    } else if (c == '"') {
      n.kind = Node::Kind::String;
      ok = string(n.text);
    } else if (lit("true") || lit("false")) {
      n.kind = Node::Kind::Bool;
    } else if (lit("null")) {
      n.kind = Node::Kind::Null;
    } else {
      n.kind = Node::Kind::Number;
      const std::size_t start = at_;
      while (at_ < s_.size() &&
             std::string_view("+-0123456789.eE").find(s_[at_]) != std::string_view::npos)
        ++at_;
      ok = at_ > start;
      n.text = std::string(s_.substr(start, at_ - start));
    }
    n.end = at_;
    return ok;
  }

  std::string_view s_;
  std::size_t at_ = 0;
};

// ---- the examples ----

struct Example {
  const char* rule;      // examples/RULE
  const char* data;      // examples/data/DATA
  std::size_t stages;    // positive stages of the rule (runs expanded)
  std::size_t datasets;  // distinct event.dataset values in the data
};

const Example kExamples[] = {
    {"t1078_004_sp_signin_then_enum.eql", "t1078_004_sp_signin_then_enum.ndjson", 2, 2},
    {"t1078_004_risky_signin_then_add_credentials.eql",
     "t1078_004_risky_signin_then_add_credentials.ndjson", 2, 2},
    {"signin_failures_from_one_ip.eql", "signin_failures_from_one_ip.ndjson", 5, 1},
    {"risky_signin_then_mfa_registration.eql", "risky_signin_then_mfa_registration.ndjson", 2, 2},
};

struct ExpectedResult {
  std::string name;
  std::string join_keys;              // JSON text, as the data writes it
  std::map<long, std::size_t> stage;  // stage -> line index
};

struct Expectation {
  std::vector<std::string> lines;   // the data file's lines
  std::vector<std::string> output;  // the expected stdout lines, in order
  std::size_t in_results = 0;       // lines that are part of some result
};

// Reads the data file and derives the expected output from its scenario objects, checking on
// the way that the scenarios are well formed.
Expectation expectation_of(const Example& ex) {
  Expectation e;
  e.lines = lines_of(read_all(kSourceDir + "/examples/data/" + ex.data));
  REQUIRE(e.lines.size() >= 10);
  REQUIRE(e.lines.size() <= 40);

  std::set<std::string> ids, datasets;
  std::map<std::string, ExpectedResult> results;
  std::string previous_time;
  for (std::size_t i = 0; i < e.lines.size(); ++i) {
    const std::string& line = e.lines[i];
    INFO(ex.data << " line " << i + 1 << ": " << line);
    Node doc;
    REQUIRE(Parser(line).parse(doc));
    REQUIRE(doc.kind == Node::Kind::Object);
    const Node* sc = doc.get("scenario");
    REQUIRE(sc != nullptr);
    const Node* id = sc->get("id");
    const Node* expect = sc->get("expect");
    const Node* shows = sc->get("shows");
    REQUIRE(id != nullptr);
    REQUIRE(id->kind == Node::Kind::String);
    REQUIRE(ids.insert(id->text).second);  // ids are unique
    REQUIRE(shows != nullptr);
    REQUIRE(shows->kind == Node::Kind::String);
    REQUIRE(shows->text.size() > 20);  // every line says why
    REQUIRE(expect != nullptr);
    REQUIRE(expect->kind == Node::Kind::Array);

    // Time-ordered input with distinct times: no --sort needed, and --sort gives this order.
    const Node* ts = doc.get("@timestamp");
    REQUIRE(ts != nullptr);
    REQUIRE(ts->kind == Node::Kind::String);
    REQUIRE(ts->text > previous_time);
    previous_time = ts->text;

    // The data set is written in every line (a mixed file cannot take it from --set).
    const Node* event = doc.get("event");
    REQUIRE(event != nullptr);
    const Node* dataset = event->get("dataset");
    REQUIRE(dataset != nullptr);
    datasets.insert(dataset->text);

    if (!expect->items.empty()) ++e.in_results;
    std::set<std::string> seen_here;
    for (const Node& m : expect->items) {
      REQUIRE(m.kind == Node::Kind::Object);
      const Node* result = m.get("result");
      const Node* stage = m.get("stage");
      const Node* keys = m.get("join_keys");
      REQUIRE(result != nullptr);
      REQUIRE(result->kind == Node::Kind::String);
      REQUIRE(stage != nullptr);
      REQUIRE(stage->kind == Node::Kind::Number);
      REQUIRE(keys != nullptr);
      REQUIRE(keys->kind == Node::Kind::Array);
      REQUIRE(seen_here.insert(result->text).second);  // one stage per result in a line
      const long s = std::stol(stage->text);
      REQUIRE(s >= 1);
      REQUIRE(static_cast<std::size_t>(s) <= ex.stages);
      ExpectedResult& r = results[result->text];
      r.name = result->text;
      const std::string key_text = line.substr(keys->begin, keys->end - keys->begin);
      if (r.join_keys.empty()) r.join_keys = key_text;
      CHECK(r.join_keys == key_text);         // every line of a result names the same keys
      REQUIRE(r.stage.emplace(s, i).second);  // each stage once
    }
  }
  CHECK(datasets.size() == ex.datasets);

  // Each result: stages 1..N, one line each, in line (= time) order.
  std::vector<const ExpectedResult*> order;
  for (const auto& [name, r] : results) {
    INFO("result " << name);
    REQUIRE(r.stage.size() == ex.stages);
    std::size_t previous = 0;
    long expected_stage = 1;
    for (const auto& [s, index] : r.stage) {
      REQUIRE(s == expected_stage++);
      if (s > 1) REQUIRE(index > previous);
      previous = index;
    }
    order.push_back(&r);
  }
  // Completion order: by the last event's position. (Two results ending on one event would
  // come in join-key order; the examples have none.)
  std::sort(order.begin(), order.end(), [](const ExpectedResult* a, const ExpectedResult* b) {
    return a->stage.rbegin()->second < b->stage.rbegin()->second;
  });
  for (std::size_t k = 1; k < order.size(); ++k)
    REQUIRE(order[k - 1]->stage.rbegin()->second != order[k]->stage.rbegin()->second);
  for (const ExpectedResult* r : order) {
    std::string out = "{\"join_keys\":" + r->join_keys + ",\"events\":[";
    bool first = true;
    for (const auto& [s, index] : r->stage) {
      if (!first) out += ',';
      first = false;
      out += e.lines[index];
    }
    out += "]}";
    e.output.push_back(std::move(out));
  }
  // A meaningful example: some results, and lines that are part of none.
  REQUIRE(!e.output.empty());
  REQUIRE(e.in_results < e.lines.size());
  return e;
}

std::string rule_path(const Example& ex) {
  return kSourceDir + "/examples/" + ex.rule;
}
std::string data_path(const Example& ex) {
  return kSourceDir + "/examples/data/" + ex.data;
}

}  // namespace

TEST_CASE("sequence examples: exactly the results their scenario objects describe", "[examples]") {
  for (const Example& ex : kExamples) {
    SECTION(ex.rule) {
      const Expectation e = expectation_of(ex);
      Cli cli;
      RunResult r = cli.run("match --rule-file " + q(rule_path(ex)) + " " + q(data_path(ex)));
      SHOW(r);
      CHECK(r.status == 0);
      CHECK(r.err.empty());
      const auto got = lines_of(r.out);
      CHECK(got.size() == e.output.size());
      for (std::size_t k = 0; k < std::min(got.size(), e.output.size()); ++k) {
        INFO("result " << k + 1);
        CHECK(got[k] == e.output[k]);
      }
      CHECK(got == e.output);
    }
  }
}

TEST_CASE("sequence examples: --count is the number of results", "[examples]") {
  for (const Example& ex : kExamples) {
    SECTION(ex.rule) {
      const Expectation e = expectation_of(ex);
      Cli cli;
      RunResult r =
          cli.run("match --count --rule-file " + q(rule_path(ex)) + " " + q(data_path(ex)));
      SHOW(r);
      CHECK(r.status == 0);
      CHECK(r.err.empty());
      CHECK(r.out == std::to_string(e.output.size()) + "\n");
    }
  }
}

TEST_CASE("sequence examples: --stats counts the lines and the results", "[examples]") {
  for (const Example& ex : kExamples) {
    SECTION(ex.rule) {
      const Expectation e = expectation_of(ex);
      Cli cli;
      RunResult r =
          cli.run("match --count --stats --rule-file " + q(rule_path(ex)) + " " + q(data_path(ex)));
      SHOW(r);
      CHECK(r.status == 0);
      CHECK(r.out == std::to_string(e.output.size()) + "\n");
      const auto err = lines_of(r.err);
      REQUIRE(!err.empty());
      CHECK(err[0] == "eqlite: " + std::to_string(e.lines.size()) + " lines read: " +
                          std::to_string(e.output.size()) + " results, 0 skipped");
      CHECK_THAT(r.err, Contains("eqlite: 0 events without a readable timestamp, 0 late"));
      CHECK_THAT(r.err, Contains(" = " + std::to_string(e.output.size()) + " completed + "));
    }
  }
}

TEST_CASE("sequence examples: the same results from the lines reversed, with --sort",
          "[examples]") {
  for (const Example& ex : kExamples) {
    SECTION(ex.rule) {
      const Expectation e = expectation_of(ex);
      Cli cli;
      std::string reversed;
      for (auto it = e.lines.rbegin(); it != e.lines.rend(); ++it)
        reversed += *it + "\n";
      const std::string file = cli.file("reversed.ndjson", reversed);
      RunResult r = cli.run("match --sort --rule-file " + q(rule_path(ex)) + " " + q(file));
      SHOW(r);
      CHECK(r.status == 0);
      CHECK(r.err.empty());
      CHECK(lines_of(r.out) == e.output);
    }
  }
}
