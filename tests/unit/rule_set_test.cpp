// tests/unit/rule_set_test.cpp — RuleSet / RuleSetMatcher: the same answers as evaluating each
// rule on its own, whatever the index does; on hand-made cases for each kind of anchor and on
// every single-event rule of Elastic's repository over events built from their own literals.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "eqlite/eqlite.hpp"
#include "eval/program.hpp"
#include "support/json_value.hpp"
#include "support/xorshift.hpp"

using eqlite::RuleSet;
using eqlite::RuleSetMatcher;
using Ids = std::vector<std::size_t>;

namespace {

// What each rule says on its own (one JsonReader and Vm per rule): the oracle.
// RuleSetMatcher::explain() of `json` agrees with its matches: the same matched rules; every
// rule evaluated or decided was a candidate (filed under a met key, or always run) and not
// ruled out; every decided rule matched; every matching rule was decided or evaluated.
void check_explain(eqlite::RuleSetMatcher& m, const std::string& json, const Ids& expected) {
  auto why = m.explain(json);
  REQUIRE(why);
  Ids matched, evaluated;
  for (const auto& u : why->matched)
    matched.push_back(u.rule);
  CHECK(matched == expected);
  std::set<std::size_t> candidates, ruled_out;
  for (const auto& h : why->hits)
    for (const auto& u : h.units)
      candidates.insert(u.rule);
  for (const auto& u : why->always)
    candidates.insert(u.rule);
  for (const auto& u : why->ruled_out)
    ruled_out.insert(u.rule);
  CHECK(why->unmet.size() == why->ruled_out.size());
  for (const auto& text : why->unmet)
    CHECK(!text.empty());
  for (const auto* list : {&why->evaluated, &why->decided})
    for (const auto& u : *list) {
      evaluated.push_back(u.rule);
      CHECK(candidates.count(u.rule) == 1);
      CHECK(ruled_out.count(u.rule) == 0);
      CHECK(u.stage == -1);
    }
  for (const auto& u : why->decided)
    CHECK(std::find(matched.begin(), matched.end(), u.rule) != matched.end());
  for (std::size_t r : expected)
    CHECK(std::find(evaluated.begin(), evaluated.end(), r) != evaluated.end());
}

Ids one_by_one(const RuleSet& rules, const std::string& json) {
  Ids out;
  eqlite::Vm vm;
  eqlite::Event e;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    eqlite::JsonReader reader(rules.query(r));
    if (!reader.read(json, e)) return {};
    if (vm.matches(rules.query(r), e)) out.push_back(r);
  }
  return out;
}

// one_by_one() with the readers made once (a JsonReader is costly to make, under ASan most of
// all): for the random tests that match thousands of events.
class Oracle {
 public:
  explicit Oracle(const RuleSet& rules) : rules_(rules) {
    for (std::size_t r = 0; r < rules.size(); ++r)
      readers_.emplace_back(rules.query(r));
  }
  Ids operator()(const std::string& json) {
    Ids out;
    for (std::size_t r = 0; r < rules_.size(); ++r) {
      if (!readers_[r].read(json, event_)) return {};
      if (vm_.matches(rules_.query(r), event_)) out.push_back(r);
    }
    return out;
  }

 private:
  const RuleSet& rules_;
  std::vector<eqlite::JsonReader> readers_;
  eqlite::Vm vm_;
  eqlite::Event event_;
};

// `size` random rules: a predicate, then next(3) + `more` others joined by `and`, one in three
// an `or` of two.
template <typename Predicate>
RuleSet random_rules(eqlite::testing::XorShift& next, std::size_t size, std::size_t more,
                     Predicate&& predicate) {
  RuleSet set;
  for (std::size_t r = 0; r < size; ++r) {
    std::string text = "any where " + predicate();
    for (std::size_t i = next(3) + more; i > 0; --i)
      text += " and " + (next(3) ? predicate() : "(" + predicate() + " or " + predicate() + ")");
    INFO(text);
    REQUIRE(set.add("r" + std::to_string(r), text).ok());
  }
  return set;
}

// Matches `events` events that make_event() writes with a RuleSetMatcher of `set`: the same
// answers as the Oracle's. How many events met a rule, and how many rule runs the index saved.
struct RandomRun {
  std::size_t matched = 0;
  std::uint64_t skipped = 0;
};
template <typename MakeEvent>
RandomRun check_random_events(const RuleSet& set, int events, MakeEvent&& make_event) {
  RuleSetMatcher sm(set);
  Oracle oracle(set);
  Ids hits;
  RandomRun run;
  for (int e = 0; e < events; ++e) {
    const std::string json = make_event();
    INFO("rules: " << set.size() << ", event: " << json);
    const auto before = sm.evaluated() + sm.decided();
    REQUIRE(sm.match_json(json, hits).ok());
    REQUIRE(hits == oracle(json));
    run.skipped += set.size() - (sm.evaluated() + sm.decided() - before);
    run.matched += !hits.empty();
  }
  return run;
}

// An event of the random-rule tests: "k":"w" (their rules' first condition), then the fields
// f, g and h, each missing now and then, a number now and then (S8: matched through its JSON
// text), else the JSON text `write_value(json)` appends.
template <typename Write>
std::string random_event(eqlite::testing::XorShift& next, Write&& write_value) {
  std::string json = R"({"k":"w")";
  for (const char* field : {"f", "g", "h"}) {
    if (next(5) == 0) continue;  // missing
    json += std::string(",\"") + field + "\":";
    if (next(8) == 0)
      json += std::to_string(next(500));
    else
      write_value(json);
  }
  return json + "}";
}

// A JSON object of `fields` (each left out one time in four) with values taken from `values`
// (JSON texts), a two-value array one time in `one_in_arrays`.
template <std::size_t F, std::size_t V>
std::string random_object(eqlite::testing::XorShift& next, const char* const (&fields)[F],
                          const char* const (&values)[V], unsigned one_in_arrays) {
  std::string json = "{";
  for (const char* field : fields) {
    if (next(4) == 0) continue;
    json += std::string(json.size() > 1 ? "," : "") + "\"" + field + "\":";
    if (next(one_in_arrays) == 0)
      json += std::string("[") + values[next(V)] + "," + values[next(V)] + "]";
    else
      json += values[next(V)];
  }
  return json + "}";
}

// Matches `json` with `m` into `hits`, checks them against the oracle, and returns how many
// rules the index did not rule out (run on the VM, or decided by their conditions alone).
std::uint64_t evaluated_for(const RuleSet& rules, RuleSetMatcher& m, Ids& hits, const char* json) {
  const auto before = m.evaluated() + m.decided();
  REQUIRE(m.match_json(json, hits).ok());
  CHECK(hits == one_by_one(rules, json));
  return m.evaluated() + m.decided() - before;
}

}  // namespace

TEST_CASE("a rule set gives each rule's own answer, ids ascending", "[rule_set]") {
  RuleSet rules;
  const char* texts[] = {
      R"(process where process.name == "cmd.exe")",                  // 0 category + exact
      R"(any where process.name : "POWERSHELL.EXE")",                // 1 `:` folded
      R"(any where process.name in ("a.exe", "cmd.exe", "b.exe"))",  // 2 in
      R"(any where process.name in~ ("CMD.EXE"))",                   // 3 in~
      R"(any where process.pid == "4")",             // 4 a string literal vs a number
      R"(any where process.name : "cmd*")",          // 5 wildcard: contains "cmd"
      R"(any where not process.name == "cmd.exe")",  // 6 negation: no anchor
      R"(network where destination.port == 443 and process.name like "cmd.exe")",  // 7
      R"(any where process.name == "cmd.exe" or process.pid == 4)",  // 8 or: "cmd.exe" | "4"
      R"(any where process.name == null)",                           // 9 missing field
  };
  for (std::size_t i = 0; i < std::size(texts); ++i) {
    auto id = rules.add("r" + std::to_string(i), texts[i]);
    REQUIRE(id.ok());
    CHECK(*id == i);
  }
  CHECK(rules.size() == std::size(texts));
  CHECK(rules.name(7) == "r7");
  // the shared projection: every field once, in first-use order
  CHECK(rules.fields() == std::vector<std::string>{"event.category", "process.name", "process.pid",
                                                   "destination.port"});
  RuleSetMatcher m(rules);
  Ids hits;
  // an event with no anchor value runs only the rules without an anchor (6, 9)
  REQUIRE(m.match_json("{}", hits).ok());
  CHECK(m.evaluated() == 2);
  const std::pair<const char*, Ids> cases[] = {
      {R"({"event":{"category":"process"},"process":{"name":"cmd.exe","pid":4}})",
       {0, 2, 3, 4, 5, 8}},
      {R"({"event":{"category":["network","process"]},"process":{"name":"CMD.exe"}})", {3, 5, 6}},
      {R"({"process":{"name":"PowerShell.exe","pid":"4"}})", {1, 4, 6, 8}},
      {R"({"event.category":"network","destination.port":443,"process.name":"cmd.exe"})",
       {2, 3, 5, 7, 8}},
      {R"({"process":{"name":["x","b.exe"]}})", {2, 6}},
      {R"({"process":{"name":7}})", {6}},
      {R"({})", {6, 9}},
  };
  for (const auto& [json, expected] : cases) {
    INFO(json);
    REQUIRE(m.match_json(json, hits).ok());
    CHECK(hits == expected);
    CHECK(one_by_one(rules, json) == expected);  // the oracle agrees with the table
    check_explain(m, json, expected);
  }
  {
    // What the first event met, key by key: cmd.exe is an exact key of rules 0, 2, 8 (and 4 is
    // met as the number of key "4").
    auto why = m.explain(cases[0].first);
    REQUIRE(why);
    bool exact = false, number = false;
    for (const auto& h : why->hits) {
      if (h.field == "process.name" && h.kind == eqlite::RuleSetExplanation::KeyKind::Exact &&
          h.key == "cmd.exe")
        exact = true;
      if (h.field == "process.pid" && h.kind == eqlite::RuleSetExplanation::KeyKind::Number &&
          h.value == "4")
        number = true;
    }
    CHECK(exact);
    CHECK(number);
    CHECK_FALSE(m.explain("[1]"));
  }
  // a bad line is an error, with no ids
  auto bad = m.match_json("[1]", hits);
  CHECK_FALSE(bad.ok());
  CHECK(hits.empty());
  // events built in code
  eqlite::FlatEvent fe;
  fe.add("process.name", "cmd.exe").add("event.category", "process");
  m.match(fe, hits);
  CHECK(hits == Ids{0, 2, 3, 5, 8});
  CHECK_THAT(rules.describe_index(), Catch::Contains("[process.name]"));
}

TEST_CASE("rule set: constants, compile errors and pipes", "[rule_set]") {
  RuleSet rules;
  auto bad = rules.add("bad", "any where a ==");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().where.column == 15);
  CHECK(rules.size() == 0);  // a rule that does not compile is not added
  // A rule keeps its pipes in a set (a Stream applies them); the matcher, one event at a
  // time, reports it like any other.
  auto piped = rules.add("piped", "any where a == 2 | head 3");
  REQUIRE(piped.ok());
  CHECK(rules.query(*piped).pipes().size() == 1);
  REQUIRE(rules.add("ds", R"(any where event.dataset == "azure.signinlogs" and a == 1)").ok());
  RuleSetMatcher m(rules);
  m.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  Ids hits;
  REQUIRE(m.match_json(R"({"a":1})", hits).ok());
  CHECK(hits == Ids{1});
  REQUIRE(m.match_json(R"({"a":2})", hits).ok());
  CHECK(hits == Ids{0});
  REQUIRE(m.match_json(R"({"a":1,"event":{"dataset":"other"}})", hits).ok());
  CHECK(hits.empty());
  // a matcher keeps the index it was built with; a new one sees later rules
  REQUIRE(rules.add("later", "any where a == 1").ok());
  REQUIRE(m.match_json(R"({"a":1})", hits).ok());
  CHECK(hits == Ids{1});
  RuleSetMatcher fresh(rules);
  fresh.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  REQUIRE(fresh.match_json(R"({"a":1})", hits).ok());
  CHECK(hits == Ids{1, 2});
}

TEST_CASE("rule set: a rule compiled beforehand is added as compile() gave it", "[rule_set]") {
  // RuleSet::add(name, Query): rules compiled elsewhere (on other threads) give the ids and
  // answers of add(name, text), options such as a filter included.
  const char* texts[] = {R"(process where process.name == "cmd.exe")",
                         R"(any where process.pid == 4)",
                         R"(sequence [process where true] [file where true])"};
  eqlite::CompileOptions options;
  options.filter = R"(host.os.type == "windows")";
  RuleSet by_text, by_query;
  for (const char* t : texts) {
    auto a = by_text.add(t, t, options);
    auto q = eqlite::compile(t, options);
    REQUIRE(q);
    auto b = by_query.add(t, std::move(*q));
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == *b);
  }
  CHECK(by_query.fields() == by_text.fields());
  CHECK(by_query.describe_index() == by_text.describe_index());
  RuleSetMatcher m1(by_text), m2(by_query);
  Ids h1, h2;
  for (
      const char* json :
      {R"({"event":{"category":"process"},"process":{"name":"cmd.exe"},"host":{"os":{"type":"windows"}}})",
       R"({"event":{"category":"process"},"process":{"name":"cmd.exe"}})",
       R"({"process":{"pid":4},"host":{"os":{"type":"windows"}}})"}) {
    REQUIRE(m1.match_json(json, h1).ok());
    REQUIRE(m2.match_json(json, h2).ok());
    CHECK(h1 == h2);
  }
  REQUIRE(
      m2.match_json(
            R"({"event":{"category":"process"},"process":{"name":"cmd.exe"},"host":{"os":{"type":"windows"}}})",
            h2)
          .ok());
  CHECK(h2 == Ids{0});
}

TEST_CASE("rule set: wildcard anchors never lose a rule", "[rule_set]") {
  // Every rule also needs host.os.type == "windows", which all ten share: each is filed under
  // its wildcard pattern's necessary literal instead (at least 4 bytes: not too short to be
  // preferred), but for rule 4 (a pattern without one).
  RuleSet rules;
  const char* texts[] = {
      R"(process where host.os.type == "windows" and process.name : "*PowerShell*")",  // 0 S5
      R"(any where host.os.type == "windows" and process.command_line like "*-EncodedCommand*")",
      R"(any where host.os.type == "windows" and file.path like~ "C:\\Windows\\*\\sys?em32\\*")",
      R"(any where host.os.type == "windows" and file.name like "abc\\*")",     // 3 S6: no escape
      R"(any where host.os.type == "windows" and process.name : ("*", "x"))",   // 4 no literal
      R"(any where host.os.type == "windows" and
           (process.name == "cmd.exe" or process.command_line : "*whoami*"))",  // 5 or
      R"(any where host.os.type == "windows" and process.args : "*-enc*")",     // 6 multi-values
      R"(any where host.os.type == "windows" and process.pid : "*4242*")",      // 7 S8: a number
      R"(any where host.os.type == "windows" and process.name : ("abcd?ef", "*éé*"))",  // 8 `?`
      R"(any where host.os.type == "windows")",                                         // 9
  };
  for (const char* t : texts)
    REQUIRE(rules.add("r", t).ok());
  RuleSetMatcher m(rules);
  Ids hits;
  const std::pair<const char*, Ids> cases[] = {
      // S5: `:` folds both sides
      {R"({"host":{"os":{"type":"windows"}},"event":{"category":"process"},
           "process":{"name":"POWERSHELL.exe"}})",
       {0, 4, 9}},
      // `like` does not fold; multi-values: any value (S4)
      {R"({"host.os.type":"windows","process":{"command_line":"ps -EncodedCommand AAA",
           "args":["x","-ENC"]}})",
       {1, 6, 9}},
      {R"({"host.os.type":"windows","process":{"command_line":"ps -encodedcommand AAA"}})", {9}},
      // like~ with `?`; a backslash before `*` is an ordinary character
      {R"({"host.os.type":"windows","file":{"path":"c:\\WINDOWS\\x\\SYSTEM32\\cmd.exe",
           "name":"abc\\cd"}})",
       {2, 3, 9}},
      {R"({"host.os.type":"windows","file":{"name":"abc*"}})", {9}},
      // an `or` of an exact and a wildcard predicate on different fields, either branch
      {R"({"host.os.type":"windows","process":{"name":"x","command_line":"WHOAMI /all"}})",
       {4, 5, 9}},
      {R"({"host.os.type":"windows","process":{"name":"cmd.exe"}})", {4, 5, 9}},
      // S8: `:` on a number matches its JSON text
      {R"({"host.os.type":"windows","process":{"pid":4242}})", {7, 9}},
      {R"({"host.os.type":"windows","process":{"pid":[1,"x4242x"]}})", {7, 9}},
      // `?` is one code point (S6); a literal that is not ASCII
      {R"({"host.os.type":"windows","process":{"name":"abcdéef"}})", {4, 8, 9}},
      {R"({"host.os.type":"windows","process":{"name":"ÉÉ"}})", {4, 9}},
      {R"({"host.os.type":"windows","process":{"name":"xééx"}})", {4, 8, 9}},
      {R"({"host.os.type":"windows","process":{"name":["a","POWERSHELL"]},
           "event":{"category":"process"}})",
       {0, 4, 9}},
      {R"({"host.os.type":"windows","process":{"name":true,"args":7}})", {4, 9}},
      {R"({"host.os.type":"linux","process":{"name":"powershell"}})", {}},
      {R"({})", {}},
  };
  for (const auto& [json, expected] : cases) {
    INFO(json);
    REQUIRE(m.match_json(json, hits).ok());
    CHECK(hits == expected);
    CHECK(one_by_one(rules, json) == expected);  // the oracle agrees with the table
    check_explain(m, json, expected);
  }
  CHECK_THAT(rules.describe_index(), Catch::Contains("[process.name]"));
  CHECK_THAT(rules.describe_index(), Catch::Contains("literals"));
}

TEST_CASE("rule set: number and boolean literals anchor by their text (S8)", "[rule_set]") {
  // `a == 4624` meets the string "4624" and any number (compared numerically); a string that
  // is not the literal's text ("04624", "4624.0") is not a match, so it need not run the rule.
  RuleSet rules;
  const char* texts[] = {
      R"(any where a == 4624)",                  // 0
      R"(any where b in (1, 2.5, true))",        // 1
      R"(any where c in~ (7, "X"))",             // 2
      R"(any where d == true or a == 17)",       // 3
      R"(any where a == 4624.0 and b == 2.50)",  // 4
  };
  for (const char* t : texts)
    REQUIRE(rules.add("r", t).ok());
  RuleSetMatcher m(rules);
  Ids hits;
  const std::pair<const char*, Ids> cases[] = {
      {R"({"a":4624})", {0}},
      {R"({"a":"4624"})", {0}},
      {R"({"a":"04624"})", {}},
      {R"({"a":4624.0,"b":2.5})", {0, 1, 4}},
      {R"({"a":"4624.0","b":"2.5"})", {1, 4}},
      {R"({"b":["x",true]})", {1}},
      {R"({"b":"true","c":"x"})", {1, 2}},
      {R"({"b":"TRUE","c":7})", {2}},
      {R"({"c":"7.0","d":"true"})", {3}},
      {R"({"d":true,"a":"17"})", {3}},
      {R"({"d":"True","a":17.0})", {3}},
      {R"({"d":"yes","a":"17.0"})", {}},
  };
  for (const auto& [json, expected] : cases) {
    INFO(json);
    REQUIRE(m.match_json(json, hits).ok());
    CHECK(hits == expected);
    CHECK(one_by_one(rules, json) == expected);  // the oracle agrees with the table
    check_explain(m, json, expected);
  }
  // every rule is anchored: an event without those fields runs none
  REQUIRE(m.match_json(R"({"z":1})", hits).ok());
  const auto before = m.evaluated();
  REQUIRE(m.match_json(R"({"z":1})", hits).ok());
  CHECK(m.evaluated() == before);
}

TEST_CASE("rule set: a wildcard anchor is preferred to an exact one many rules share",
          "[rule_set]") {
  // Twelve rules share host.os.type == "windows"; each has its own literal in process.name
  // (`:`, folded) or process.command_line (`like`, as written): an event runs only the rules
  // whose literal its values contain. Twelve literals: one Vectorscan scan per value.
  RuleSet rules;
  const char* names[] = {"powershell", "cmd.exe", "whoami", "rundll32", "regsvr32", "mshta"};
  for (const char* n : names)
    REQUIRE(
        rules
            .add(n, std::string(R"(any where host.os.type == "windows" and process.name : "*)") +
                        n + "*\"")
            .ok());
  for (const char* n : names)
    REQUIRE(rules
                .add(n, std::string(R"(any where host.os.type == "windows" and
                                         process.command_line like "*-)") +
                            n + " *\"")
                .ok());
  CHECK_THAT(rules.describe_index(),
             Catch::Contains("[process.name]: 6 rules under 0 keys and 6 contained literals"));
  RuleSetMatcher m(rules);
  Ids hits;
  auto evaluated = [&](const char* json) { return evaluated_for(rules, m, hits, json); };
  CHECK(evaluated(R"({"host.os.type":"windows","process":{"name":"bash"}})") == 0);
  CHECK(evaluated(R"({"host.os.type":"windows","process":{"name":"x-PowerShell.exe"}})") == 1);
  CHECK(hits == Ids{0});
  CHECK(evaluated(R"({"host.os.type":"windows","process":{"name":["WHOAMI","MsHta"],
                      "command_line":"a -whoami -mshta b"}})") == 4);
  CHECK(hits == Ids{2, 5, 8, 11});
  CHECK(evaluated(R"({"host.os.type":"windows","process":{"command_line":"-CMD.EXE "}})") == 0);
}

TEST_CASE("rule set: random wildcard patterns give each rule's own answer", "[rule_set]") {
  // Patterns and values over a small alphabet (cases, a backslash, a two-byte code point, a
  // digit) so that literals are often contained, in the other case, or split by a wildcard;
  // the sizes give fields with few literals and fields with many (a multi-literal scan).
  const char* alphabet[] = {"a", "A", "b", "\\", "é", "1", "*", "?"};
  const char* ops[] = {":", "like", "like~"};
  eqlite::testing::XorShift next{99};
  auto text = [&](std::size_t max_len, bool wildcards) {
    std::string out;
    for (std::size_t i = next(max_len + 1); i > 0; --i)
      out += alphabet[next(wildcards ? 8 : 6)];
    return out;
  };
  auto eql = [](const std::string& s) {  // an EQL string literal
    std::string out = "\"";
    for (char c : s)
      out += c == '\\' ? std::string("\\\\") : std::string(1, c);
    return out + "\"";
  };
  for (std::size_t size : {6, 40, 200}) {
    RuleSet rules;
    for (std::size_t r = 0; r < size; ++r) {
      std::string t = "any where k == \"w\" and ";
      const char* field = next(2) ? "f" : "g";
      std::string pred = std::string(field) + " " + ops[next(3)] + " (";
      for (std::size_t i = next(3) + 1; i > 0; --i)
        pred += eql(text(6, true)) + (i > 1 ? ", " : "");
      pred += ")";
      if (next(4) == 0) pred = "(" + pred + " or h == " + eql(text(2, false)) + ")";
      REQUIRE(rules.add("r" + std::to_string(r), t + pred).ok());
    }
    RuleSetMatcher m(rules);
    Oracle oracle(rules);
    Ids hits;
    for (int e = 0; e < 400; ++e) {
      const std::string json = random_event(next, [&](std::string& out) {
        const std::size_t n = next(4) == 0 ? next(3) + 2 : 1;  // multi-values now and then
        out += n > 1 ? "[" : "";
        for (std::size_t i = 0; i < n; ++i) {
          if (i) out += ",";
          eqlite::testing::write_json_string(text(8, true), out);
        }
        out += n > 1 ? "]" : "";
      });
      INFO("rules: " << size << ", event: " << json);
      REQUIRE(m.match_json(json, hits).ok());
      REQUIRE(hits == oracle(json));
    }
  }
}

namespace {

// An EQL string literal for `s` (backslashes doubled; no other byte needs an escape here).
std::string eql_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s)
    out += c == '\\' ? std::string("\\\\") : std::string(1, c);
  return out + "\"";
}

}  // namespace

TEST_CASE("rule set: wildcard lists on shared fields give each rule's own answer",
          "[rule_set][field_scan]") {
  // Many rules read the same fields with overlapping wildcard lists (`:` and `like~` fold case,
  // `like` does not, S5), as Elastic's rules do on process.name or process.command_line: however
  // a rule set shares the work between them, the answers must stay those of each rule on its
  // own (the oracle of a scan shared by field, issue #4). The lists mix every kind of entry (S6):
  // `*` runs in any place, `?` (one code point), plain values (equality), a lone `*`, and
  // repeated lists; the events mix short values and values longer than 128 bytes,
  // multi-values (S4), missing fields (S2), and numbers and booleans matched through their
  // JSON text (S8).
  const char* alphabet[] = {"a", "A", "b", "\\", "é", "1", ".", "x"};
  const char* ops[] = {":", "like", "like~"};
  eqlite::testing::XorShift next{4242};
  auto word = [&](std::size_t max_len) {
    std::string out;
    for (std::size_t i = next(max_len + 1); i > 0; --i)
      out += alphabet[next(std::size(alphabet))];
    return out;
  };
  auto pattern = [&]() -> std::string {
    switch (next(12)) {
      case 0:
        return word(3);  // no wildcard: equality
      case 1:
        return word(2) + "?" + word(2);
      case 2:
        return "*" + word(2) + "?" + word(1) + "*";
      case 3:
        return next(4) ? word(3) + "*" : "*";  // a prefix, now and then everything
      case 4:
        return "*" + word(3);
      case 5:
        return word(1) + "*" + word(2) + "*" + word(1);
      case 6: {
        const char* texts[] = {"tr*", "*ue", "f?lse", "1*", "*.5", "4?", "true", "*1*"};
        return texts[next(std::size(texts))];  // for numbers and booleans (S8)
      }
      default:
        return "*" + word(3) + "*";
    }
  };
  std::vector<std::string> shared_lists;  // lists that several rules use as they are
  for (int i = 0; i < 6; ++i) {
    std::string list;
    for (std::size_t k = next(8) + 1; k > 0; --k)
      list += eql_string(pattern()) + (k > 1 ? ", " : "");
    shared_lists.push_back(list);
  }
  auto predicate = [&]() {
    const char* fields[] = {"f", "f", "g", "g", "h"};
    std::string list;
    if (next(4) == 0) {
      list = shared_lists[next(shared_lists.size())];
    } else {
      for (std::size_t k = next(next(3) ? 4 : 12) + 1; k > 0; --k)
        list += eql_string(pattern()) + (k > 1 ? ", " : "");
    }
    std::string p =
        std::string(fields[next(std::size(fields))]) + " " + ops[next(3)] + " (" + list + ")";
    return next(6) == 0 ? "not " + p : p;
  };
  for (std::size_t size : {12, 150}) {
    RuleSet rules;
    for (std::size_t r = 0; r < size; ++r) {
      std::string t = "any where " + predicate();
      for (std::size_t k = next(3); k > 0; --k)
        t += (next(3) ? " and " : " or ") + predicate();
      INFO(t);
      REQUIRE(rules.add("r" + std::to_string(r), t).ok());
    }
    RuleSetMatcher m(rules);
    Oracle oracle(rules);
    Ids hits;
    std::size_t total = 0;
    for (int e = 0; e < 300; ++e) {
      std::string json = "{";
      for (const char* field : {"f", "g", "h"}) {
        if (next(6) == 0) continue;  // missing
        json += std::string(json.size() > 1 ? "," : "") + "\"" + field + "\":";
        const std::size_t n = next(4) == 0 ? next(3) + 2 : 1;  // multi-values now and then
        json += n > 1 ? "[" : "";
        for (std::size_t i = 0; i < n; ++i) {
          if (i) json += ",";
          switch (next(10)) {
            case 0:
              json += std::to_string(next(60));
              break;
            case 1:
              json += next(2) ? "true" : "false";
              break;
            case 2:
              json += std::to_string(next(20)) + ".5";
              break;
            case 3: {  // longer than the 128 bytes of the short-value scan
              std::string v = word(3);
              while (v.size() <= 140)
                v += word(4);
              eqlite::testing::write_json_string(v + word(3), json);
              break;
            }
            default:
              eqlite::testing::write_json_string(word(6), json);
          }
        }
        json += n > 1 ? "]" : "";
      }
      json += "}";
      INFO("rules: " << size << ", event: " << json);
      REQUIRE(m.match_json(json, hits).ok());
      REQUIRE(hits == oracle(json));
      total += hits.size();
    }
    CHECK(total > 50);  // the lists are meant to match often
  }
}

TEST_CASE("rule set: long pattern lists on one field keep their own answer",
          "[rule_set][field_scan]") {
  // Long lists on one field: together two lists of 800 starred patterns exceed the 1,500
  // patterns of one Vectorscan database (PatternSet::kMultiPatternMax), and a list of 1,600 is
  // beyond it alone (matched pattern by pattern), next to short lists with plain and `?`
  // entries. Every answer stays each rule's own (S5, S6, S4).
  auto list = [](std::size_t n, const std::string& tag) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
      out += (i ? ", " : "") + eql_string("*" + tag + std::to_string(i) + "*");
    return out;
  };
  RuleSet rules;
  REQUIRE(rules.add("a", "any where f : (" + list(800, "a") + ")").ok());
  REQUIRE(rules.add("b", "any where f like (" + list(800, "b") + ", \"exact\")").ok());
  REQUIRE(rules.add("c", "any where f : (" + list(1600, "c") + ")").ok());
  REQUIRE(rules.add("d", "any where f like~ (\"*A7*\", \"x?y\")").ok());
  RuleSetMatcher m(rules);
  Ids hits;
  const std::pair<const char*, Ids> cases[] = {
      {R"({"f":"..a799.."})", {0, 3}},
      {R"({"f":"A17"})", {0}},
      {R"({"f":["b17","C1599"]})", {1, 2}},
      {R"({"f":"exact"})", {1}},
      {R"({"f":"xéy"})", {3}},
      {R"({"f":"nothing"})", {}},
      {R"({})", {}},
  };
  for (const auto& [json, expected] : cases) {
    INFO(json);
    REQUIRE(m.match_json(json, hits).ok());
    CHECK(hits == expected);
    CHECK(one_by_one(rules, json) == expected);
  }
}

namespace {

// The string literals of a rule's text (crude, enough to build events that fire the rule).
std::vector<std::string> literals_of(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t i = text.find('"'); i != std::string::npos;) {
    std::size_t e = i + 1;
    while (e < text.size() && text[e] != '"') {
      if (text[e] == '\\') ++e;
      ++e;
    }
    if (e >= text.size()) break;
    std::string lit = text.substr(i + 1, e - i - 1);
    std::string plain;
    for (char c : lit)  // wildcards become ordinary text; backslash pairs one backslash
      plain += c == '*' ? 'x' : c == '?' ? 'y' : c;
    std::string unescaped;
    for (std::size_t k = 0; k < plain.size(); ++k) {
      if (plain[k] == '\\' && k + 1 < plain.size()) ++k;
      unescaped += plain[k];
    }
    out.push_back(unescaped);
    i = text.find('"', e + 1);
  }
  return out;
}

// The first string literal after each mention of `field` in `text` (the value a condition on
// that field most likely wants), unescaped, with wildcards made ordinary text.
std::vector<std::string> literals_after(std::string_view text, const std::string& field) {
  auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_';
  };
  std::vector<std::string> out;
  for (std::size_t at = text.find(field); at != std::string::npos;
       at = text.find(field, at + field.size())) {
    const std::size_t end = at + field.size();
    if ((at > 0 && word(text[at - 1])) || (end < text.size() && word(text[end]))) continue;
    const std::size_t quote = text.find('"', end);
    if (quote == std::string::npos || quote - end > 40) continue;
    auto lits = literals_of(std::string(text.substr(quote)));
    if (!lits.empty()) out.push_back(lits.front());
  }
  return out;
}

}  // namespace

TEST_CASE("rule set over Elastic's rules: the same answers as each rule on its own",
          "[rule_set][corpus]") {
  const std::string path = EQLITE_CORPUS_DIR "/detection-rules-eql.ndjson";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent (the corpus lives in ../shared/corpus)");
    return;
  }
  eqlite::JsonReader reader(std::vector<std::string>{"query"});
  eqlite::Event doc;
  std::ifstream in(path);
  RuleSet rules;
  std::vector<std::vector<std::string>> pools;
  for (std::string line; std::getline(in, line);) {
    if (!reader.read(line, doc) || doc.values(0).empty()) continue;
    const std::string text(doc.values(0)[0].as_string());
    if (rules.add("rule" + std::to_string(rules.size()), text)) pools.push_back(literals_of(text));
  }
  REQUIRE(rules.size() > 800);
  RuleSetMatcher matcher(rules);
  eqlite::Vm vm;
  eqlite::Event e;
  std::vector<eqlite::JsonReader> readers;
  for (std::size_t r = 0; r < rules.size(); ++r)
    readers.emplace_back(rules.query(r));
  // Events aimed at one rule each: its fields take its own literals (or its category), so that
  // rules fire and anchors are hit, missed and shared.
  eqlite::testing::XorShift next{12345};
  const char* categories[] = {"process",        "file",    "network", "registry",
                              "authentication", "library", "driver",  "iam"};
  std::size_t total_hits = 0, events_with_hits = 0;
  Ids hits, expected;
  for (int round = 0; round < 1000; ++round) {
    const std::size_t target = next(rules.size());
    const auto& pool = pools[target];
    std::string json = "{";
    const auto& fields = rules.query(target).fields();
    for (std::size_t f = 0; f < fields.size(); ++f) {
      std::string value;
      if (fields[f] == "event.category") {
        value = categories[next(std::size(categories))];
        if (next(3)) {  // usually the rule's own category
          const std::string t = rules.query(target).dump_ast();
          for (const char* c : categories)
            if (t.rfind(std::string("(query ") + c + " ", 0) == 0) value = c;
        }
      } else if (auto near = literals_after(rules.query(target).text(), fields[f]);
                 !near.empty() && next(12)) {
        value = near[next(near.size())];
      } else if (!pool.empty() && next(2)) {
        value = pool[next(pool.size())];
      } else {
        value = "other" + std::to_string(next(4));
      }
      if (f) json += ",";
      eqlite::testing::write_json_string(fields[f], json);
      json += ":";
      if (next(16) == 0)
        json += std::to_string(next(5000));  // a number now and then
      else
        eqlite::testing::write_json_string(value, json);
    }
    json += "}";
    INFO("event: " << json);
    REQUIRE(matcher.match_json(json, hits).ok());
    expected.clear();
    for (std::size_t r = 0; r < rules.size(); ++r) {
      REQUIRE(readers[r].read(json, e).ok());
      if (vm.matches(rules.query(r), e)) expected.push_back(r);
    }
    REQUIRE(hits == expected);
    if (round == 999)
      std::printf("rule set: %zu of 1000 events matched %zu rules\n",
                  events_with_hits + !hits.empty(), total_hits + hits.size());
    total_hits += hits.size();
    events_with_hits += !hits.empty();
  }
  // the events are meant to fire rules: a test that never sees a match proves little
  CHECK(events_with_hits > 30);
  INFO(rules.describe_index());
  CHECK(total_hits > 30);
}

TEST_CASE("rule set: regex anchors (S7) give each rule's own answer", "[rule_set]") {
  // Random regexes from pieces that each come with a value they match; the rule set files a
  // rule under its regex's necessary literals (RE2's prefilter), and must never lose a value
  // the regex matches: events carry the rules' own values (in other cases too, for regex~),
  // cut or changed now and then, and unrelated text. (The VM's RegexSet skips RE2 with the
  // same literals, so this oracle shares them: their soundness against RE2 itself is
  // checked in value_ops_test, "S7: RegexSet skips RE2 ...".)
  struct Piece {
    const char* re;
    std::vector<const char*> values;  // values the piece matches
  };
  const Piece pieces[] = {
      {"abc", {"abc"}},
      {"Cmd", {"Cmd"}},
      {"\\.exe", {".exe"}},
      {"wxyz", {"wxyz"}},
      {"é1", {"é1"}},
      {"ÉTÉ", {"ÉTÉ"}},  // RE2 lowers it by Unicode rules: no anchor from it
      {"\\\\", {"\\"}},
      {"[a-c]", {"a", "c"}},
      {"\\d{2,3}", {"12", "345"}},
      {".", {"q", "é", " "}},
      {".*", {"", "zz top", "ABC"}},
      {"(abc|xyz)", {"abc", "xyz"}},
      {"(Cmd|wxyz|\\.exe)+", {"Cmd", "wxyz.exe"}},
      {"(ab){2,}", {"abab", "ababab"}},
      {"[ ]{4,}", {"    ", "      "}},
      {"x?", {"", "x"}},
  };
  eqlite::testing::XorShift next{4242};
  struct Made {
    std::string re, value;
  };
  auto make = [&] {
    Made m;
    for (std::size_t i = next(4) + 1; i > 0; --i) {
      const Piece& p = pieces[next(std::size(pieces))];
      m.re += p.re;
      m.value += p.values[next(p.values.size())];
    }
    return m;
  };
  auto flip_case = [&](std::string s) {
    for (char& c : s)
      if (std::isalpha(static_cast<unsigned char>(c)) && next(2)) c = static_cast<char>(c ^ 0x20);
    return s;
  };
  for (std::size_t size : {8, 60}) {
    RuleSet rules;
    std::vector<std::string> values;  // values the rules' regexes match
    std::size_t anchored_rules = 0;
    for (std::size_t r = 0; r < size; ++r) {
      const char* field = next(3) ? "f" : "g";
      const bool ci = next(2);
      std::string pred = std::string(field) + (ci ? " regex~ (" : " regex (");
      for (std::size_t i = next(2) + 1; i > 0; --i) {
        Made m = make();
        pred += eql_string(m.re) + (i > 1 ? ", " : "");
        values.push_back(ci ? flip_case(m.value) : m.value);
      }
      pred += ")";
      if (next(5) == 0) pred = "(" + pred + " or h == \"abc\")";
      const std::string text = "any where k == \"w\" and " + pred;
      INFO(text);
      REQUIRE(rules.add("r" + std::to_string(r), text).ok());
      if (rules.query(r).program().anchors.size() > 1) ++anchored_rules;  // more than k == "w"
    }
    CHECK(anchored_rules > size / 5);  // the regexes did give anchors
    RuleSetMatcher m(rules);
    Oracle oracle(rules);
    Ids hits;
    std::size_t matched = 0;
    for (int e = 0; e < 600; ++e) {
      const std::string json = random_event(next, [&](std::string& out) {
        std::string v = values[next(values.size())];
        if (const std::size_t at = v.empty() ? 0 : next(v.size());
            next(4) == 0 && !v.empty() && static_cast<unsigned char>(v[at]) < 0x80)
          v.erase(at, 1);  // cut (an ASCII byte: the text stays UTF-8): may not match
        if (next(6) == 0) v = make().value;  // unrelated
        eqlite::testing::write_json_string(v, out);
      });
      INFO("rules: " << size << ", event: " << json);
      REQUIRE(m.match_json(json, hits).ok());
      REQUIRE(hits == oracle(json));
      matched += !hits.empty();
    }
    CHECK(matched > 100);  // the events did meet the regexes
  }
}

TEST_CASE("rule set: a key costs what its other spellings and the keys containing it cost",
          "[rule_set]") {
  // Events meet `event.type : "start"` whenever they meet `event.type == "start"`: both
  // spellings count as one key, named by four rules here, so rule e is filed under
  // user.name == "u" (two rules) instead.
  RuleSet spelled;
  for (const char* text : {R"(any where event.type == "start" and p == "1")",
                           R"(any where event.type == "start" and p == "2")",
                           R"(any where event.type == "start" and p == "3")",
                           R"(any where user.name == "u" and p == "4")",
                           R"(any where event.type : "start" and user.name == "u")"})
    REQUIRE(spelled.add("r", text).ok());
  CHECK_THAT(spelled.describe_index(), Catch::Contains("[user.name]: 1 rules under 1 keys"));
  CHECK_THAT(spelled.describe_index(), !Catch::Contains("[event.type]"));
  // `.exe` is contained in three keys of process.name: it costs 1 + 3, more than
  // host.os.type == "windows" (two rules), under which rule r is filed.
  RuleSet contained;
  for (const char* text : {R"(any where process.name == "a.exe" and p == "5")",
                           R"(any where process.name == "b.exe" and p == "6")",
                           R"(any where process.name == "c.exe" and p == "7")",
                           R"(any where host.os.type == "windows" and q == "8")",
                           R"(any where process.name : "*.exe" and host.os.type == "windows")"})
    REQUIRE(contained.add("r", text).ok());
  CHECK_THAT(contained.describe_index(), Catch::Contains("[host.os.type]: 1 rules under 1 keys"));
  CHECK_THAT(contained.describe_index(), !Catch::Contains("contained literals"));
  RuleSetMatcher m(contained);
  Ids hits;
  const char* json = R"({"process":{"name":"x.exe"},"host":{"os":{"type":"windows"}}})";
  REQUIRE(m.match_json(json, hits).ok());
  CHECK(hits == Ids{4});
  CHECK(hits == one_by_one(contained, json));
}

TEST_CASE("rule set: a rule runs only when every exact condition it needs is met",
          "[rule_set][conditions]") {
  // A rule is filed under one necessary condition; its other exact ones (`==`, `in`, `:`,
  // `in~` without wildcards, and `or`s of them) are checked against the event's keys before
  // the VM runs it. S2: each needs a value; S8: a value that is not a string may meet it.
  RuleSet rules;
  REQUIRE(rules.add("a", R"(any where a == "x" and b : "Y" and c in (1, "two"))").ok());
  REQUIRE(rules.add("b", R"(any where a == "x" and (d == "p" or e in~ ("Q", "r")))").ok());
  RuleSetMatcher m(rules);
  Ids hits;
  auto evaluated = [&](const char* json) { return evaluated_for(rules, m, hits, json); };
  CHECK(evaluated(R"({"a":"x"})") == 0);  // S2: b, c, d, e have no value
  CHECK(evaluated(R"({"a":"x","b":"y","c":"one","d":"q"})") == 0);
  CHECK(evaluated(R"({"a":"x","b":"y","c":"two"})") == 1);
  CHECK(hits == Ids{0});
  CHECK(evaluated(R"({"a":"x","b":["n","Y"],"c":1})") == 1);  // S4: any value of b
  CHECK(hits == Ids{0});
  CHECK(evaluated(R"({"a":"x","b":"y","c":2})") == 0);    // S8: 2 is neither 1 nor "two"
  CHECK(evaluated(R"({"a":"x","b":"Y","c":1.0})") == 1);  // but 1.0 is 1
  CHECK(hits == Ids{0});
  CHECK(evaluated(R"({"a":"x","b":"y","c":"2"})") == 0);
  CHECK(evaluated(R"({"a":"x","e":"R"})") == 1);
  CHECK(hits == Ids{1});
  CHECK(evaluated(R"({"a":"x","d":"P","e":"s"})") == 0);  // `==` keeps case (S5)
  CHECK(evaluated(R"({"a":"X","d":"p"})") == 0);
  CHECK(evaluated(R"({"a":"x","b":true,"c":"two","d":"p"})") == 1);  // true is not "y"
  CHECK(hits == Ids{1});

  // Random rules of exact conditions over a few fields, events from the same small values in
  // either case, as numbers, arrays or missing: the same answers as each rule on its own.
  eqlite::testing::XorShift next{2026};
  const char* values[] = {"v", "V", "w", "W", "7", "1.5", "true"};
  const char* fields[] = {"f", "g", "h", "i"};
  auto literal = [&] {  // a number or `true` as itself now and then (S8), else a string
    const std::string v = values[next(std::size(values))];
    const bool typed = std::isdigit(static_cast<unsigned char>(v[0])) || v == "true";
    return typed && next(2) ? v : eql_string(v);
  };
  auto predicate = [&] {
    const char* field = fields[next(std::size(fields))];
    switch (next(4)) {
      case 0:
        return std::string(field) + " == " + literal();
      case 1:  // `:` takes string literals only (P rules)
        return std::string(field) + " : " + eql_string(values[next(std::size(values))]);
      case 2:
        return std::string(field) + " in (" + literal() + ", " + literal() + ")";
      default:
        return std::string(field) + " in~ (" + literal() + ")";
    }
  };
  for (std::size_t size : {5, 50}) {
    const RuleSet set = random_rules(next, size, 1, predicate);
    const RandomRun run = check_random_events(set, 3000, [&] {
      std::string json = "{";
      for (const char* field : fields) {
        if (next(4) == 0) continue;  // missing
        json += std::string(json.size() > 1 ? "," : "") + "\"" + field + "\":";
        auto value = [&] {
          const char* v = values[next(std::size(values))];
          if (next(4) == 0 &&
              (std::isdigit(static_cast<unsigned char>(v[0])) || std::string_view(v) == "true"))
            json += v;  // as a number or boolean
          else
            eqlite::testing::write_json_string(v, json);
        };
        if (next(5) == 0) {
          json += "[";
          value();
          json += ",";
          value();
          json += "]";
        } else {
          value();
        }
      }
      return json + "}";
    });
    CHECK(run.matched > 150);  // the events did meet rules
  }
}

TEST_CASE("rule set: a rule runs only when the fields its predicates need have values",
          "[rule_set][conditions]") {
  // S2: a positive predicate is false on no value, so `f : "*"`, `f like~ "?*"`, `f > 1`,
  // `f != null` and a regex without necessary literals need f to have one (an Exists anchor);
  // S3: `f != "x"` and `not` do not. S1: null and [] are no value.
  RuleSet rules;
  REQUIRE(rules.add("star", R"(any where a == "x" and c : "*")").ok());
  REQUIRE(rules.add("any", R"(any where a == "x" and c like~ "?*" and d > 1)").ok());
  REQUIRE(rules.add("not_null", R"(any where a == "x" and c != null)").ok());
  REQUIRE(rules.add("regex", R"(any where a == "x" and c regex "[a-z]+")").ok());
  REQUIRE(rules.add("ne", R"(any where a == "x" and c != "z")").ok());
  REQUIRE(rules.add("only", R"(any where e : "*")").ok());  // filed under e's having a value
  RuleSetMatcher m(rules);
  Ids hits;
  auto evaluated = [&](const char* json) { return evaluated_for(rules, m, hits, json); };
  CHECK(evaluated(R"({"a":"x"})") == 1);  // only `ne` runs
  CHECK(hits == Ids{4});
  CHECK(evaluated(R"({"a":"x","c":null,"d":[]})") == 1);
  CHECK(hits == Ids{4});
  CHECK(evaluated(R"({"a":"x","c":"q"})") == 4);  // d has no value: not `any`
  CHECK(hits == Ids{0, 2, 3, 4});
  CHECK(evaluated(R"({"a":"x","c":"z","d":2})") == 5);
  CHECK(hits == Ids{0, 1, 2, 3});
  CHECK(evaluated(R"({"a":"x","c":[7,"Q"],"d":"5"})") == 5);  // S4, S8
  CHECK(hits == Ids{0, 1, 2, 4});
  CHECK(evaluated(R"({"e":false})") == 1);
  CHECK(hits == Ids{5});
  CHECK(evaluated(R"({"a":"y","c":"q","d":2,"e":null})") == 0);
  CHECK_THAT(rules.describe_index(),
             Catch::Contains("[e]: 1 rules under 0 keys, 1 of them on any value"));

  // Random rules of predicates that need a value and of ones that do not, over fields that are
  // often missing, null or empty: the same answers as each rule on its own.
  eqlite::testing::XorShift next{1078};
  const char* fields[] = {"f", "g", "h", "i"};
  auto predicate = [&] {
    const std::string f = fields[next(std::size(fields))];
    switch (next(9)) {
      case 0:
        return f + " : \"*\"";
      case 1:
        return f + " like~ \"?*\"";
      case 2:
        return f + " != null";
      case 3:
        return f + " > 3";
      case 4:
        return f + " regex \"[a-z]\"";
      case 5:
        return f + " != \"v\"";
      case 6:
        return f + " == null";
      case 7:
        return "not " + f + " : \"*\"";
      default:
        return f + " : (\"v\", \"*w*\")";
    }
  };
  for (std::size_t size : {5, 40}) {
    const RuleSet set = random_rules(next, size, 1, predicate);
    const RandomRun run = check_random_events(set, 2000, [&] {
      std::string json = "{";
      for (const char* field : fields) {
        if (next(3) == 0) continue;  // missing
        json += std::string(json.size() > 1 ? "," : "") + "\"" + field + "\":";
        const char* values[] = {"\"v\"", "\"w\"", "\"xwy\"", "5", "1", "null", "[]", "[\"v\",4]"};
        json += values[next(std::size(values))];
      }
      return json + "}";
    });
    CHECK(run.matched > 100);   // the events did meet rules
    CHECK(run.skipped > 1000);  // and the index ruled many out
  }
}

TEST_CASE("rule set: a number or boolean value meets only the keys it can equal (S8)",
          "[rule_set][conditions]") {
  // A value that is not a string meets the keys of its JSON text (`:`, `in~`, `like`, regexes
  // and `== "true"` compare texts) and, if a number, the keys that read as an equal number
  // (`==` and `in` compare numbers): `pid == 4` need not run for pid 5.
  RuleSet rules;
  REQUIRE(rules.add("eq", R"(any where a == "x" and pid == 4)").ok());
  REQUIRE(rules.add("in", R"(any where a == "x" and pid in ("4.0", 9))").ok());
  REQUIRE(rules.add("bool", R"(any where a == "x" and flag == true)").ok());
  REQUIRE(rules.add("text", R"(any where a == "x" and code : "4624")").ok());
  REQUIRE(rules.add("like", R"(any where code like~ "46*")").ok());  // filed under "46"
  RuleSetMatcher m(rules);
  Ids hits;
  auto evaluated = [&](const char* json) { return evaluated_for(rules, m, hits, json); };
  CHECK(evaluated(R"({"a":"x","pid":5,"flag":false,"code":4725})") == 0);
  CHECK(evaluated(R"({"a":"x","pid":4})") == 2);
  CHECK(hits == Ids{0, 1});
  CHECK(evaluated(R"({"a":"x","pid":4.0})") == 2);
  CHECK(hits == Ids{0, 1});
  CHECK(evaluated(R"({"a":"x","pid":"4"})") == 1);  // "4" == 4 (the literal's text)
  CHECK(hits == Ids{0});
  CHECK(evaluated(R"({"a":"x","pid":[5,9]})") == 1);  // S4
  CHECK(hits == Ids{1});
  CHECK(evaluated(R"({"a":"x","flag":true})") == 1);
  CHECK(hits == Ids{2});
  CHECK(evaluated(R"({"a":"x","code":4624})") == 2);
  CHECK(hits == Ids{3, 4});
  CHECK(evaluated(R"({"code":46.5})") == 1);
  CHECK(hits == Ids{4});
  CHECK(evaluated(R"({"code":[1,true,"x"]})") == 0);

  // Random rules of typed and text predicates, events of numbers, booleans and their texts:
  // the same answers as each rule on its own, and rules ruled out.
  eqlite::testing::XorShift next{4624};
  const char* literals[] = {"4",     "4.0",   "-2",      "1e2",     "100",      "true",
                            "false", "\"4\"", "\"4.0\"", "\"100\"", "\"true\"", "\"x\""};
  const char* values[] = {"4",       "4.0",     "-2",       "-2.0",  "100",
                          "100.5",   "true",    "false",    "\"4\"", "\"4.0\"",
                          "\"100\"", "\"1e2\"", "\"true\"", "\"x\"", "null"};
  const char* fields[] = {"f", "g", "h"};
  auto predicate = [&] {
    const std::string f = fields[next(std::size(fields))];
    const std::string l = literals[next(std::size(literals))];
    const std::string l2 = literals[next(std::size(literals))];
    switch (next(4)) {
      case 0:
        return f + " == " + l;
      case 1:
        return f + " in (" + l + ", " + l2 + ")";
      case 2:
        return f + " in~ (" + l + ")";
      default:  // `:` takes strings
        return f + " : " + (l[0] == '"' ? l : "\"" + l + "\"");
    }
  };
  const RuleSet set = random_rules(next, 40, 0, predicate);
  const RandomRun run =
      check_random_events(set, 3000, [&] { return random_object(next, fields, values, 6); });
  CHECK(run.matched > 300);
  CHECK(run.skipped > 60000);
}

TEST_CASE("rule set: a rule its conditions decide matches without a VM run",
          "[rule_set][decided]") {
  // Program::decided_by_anchors: a conjunction of `or`s of predicates whose index conditions
  // say exactly when they hold — plain string keys (==, in, in~, `:` and like without
  // wildcards), `*literal*` patterns (S6) and `!= null` (S1) — matches when the index finds
  // them all met. Keys a number's or boolean's text may equal (S8), other patterns, regexes,
  // negations and `and` inside `or` leave the rule to the VM.
  RuleSet rules;
  const char* texts[] = {
      R"(process where process.name == "cmd.exe")",  // 0 yes
      R"(any where process.name : ("*powershell*", "pwsh.exe") and host.os.type in~ ("windows"))",
      R"(any where process.name like "*Cmd*")",                    // 2 yes: case-sensitive
      R"(any where process.pid == "4")",                           // 3 no: a number's text
      R"(any where process.name : "cmd*")",                        // 4 no: a prefix
      R"(any where user.id != null and process.name == "x")",      // 5 yes
      R"(any where process.name == "true")",                       // 6 no: true's text
      R"(any where process.name == "a" or process.name : "*b*")",  // 7 yes
      R"(any where (process.name == "a" and user.id == "u") or process.name == "b")",  // 8 no
      R"(any where process.name : "*4*")",                        // 9 yes: 42's text too
      R"(any where process.name regex "c.*")",                    // 10 no: a regex
      R"(any where process.name == "a" and not user.id == "v")",  // 11 no: a negation
  };
  for (const char* t : texts)
    REQUIRE(rules.add(t, t).ok());
  const std::set<std::size_t> decidable = {0, 1, 2, 5, 7, 9};
  RuleSetMatcher m(rules);
  const char* events[] = {
      R"({"event":{"category":"process"},"process":{"name":"cmd.exe"}})",
      R"({"process":{"name":"X-PowerShell.EXE"},"host":{"os":{"type":"Windows"}}})",
      R"({"process":{"name":"pwsh.exe"},"host":{"os":{"type":"linux"}}})",
      R"({"process":{"name":"aCmdb"}})",
      R"({"process":{"name":"acmdb"}})",
      R"({"process":{"name":"cmdx","pid":4}})",
      R"({"process":{"name":"x"},"user":{"id":"u"}})",
      R"({"process":{"name":"x"},"user":{"id":null}})",
      R"({"process":{"name":"x"},"user":{"id":[]}})",
      R"({"process":{"name":"true"}})",
      R"({"process":{"name":true}})",
      R"({"process":{"name":["a","b"]},"user":{"id":"u"}})",
      R"({"process":{"name":42}})",
      R"({"process":{"name":[4.5,"z"]}})",
      R"({"process":{"name":"a"},"user":{"id":"v"}})",
  };
  std::size_t decided_matches = 0;
  for (const char* json : events) {
    INFO(json);
    Ids hits;
    const auto before = m.decided();
    REQUIRE(m.match_json(json, hits).ok());
    const auto decided_here = m.decided() - before;
    const Ids expected = one_by_one(rules, json);
    CHECK(hits == expected);
    check_explain(m, json, expected);
    // the decidable rules that match were decided, the others ran on the VM
    auto why = m.explain(json);
    REQUIRE(why);
    std::set<std::size_t> decided;
    for (const auto& u : why->decided)
      decided.insert(u.rule);
    for (std::size_t r : expected)
      CHECK(decided.count(r) == decidable.count(r));
    CHECK(decided_here == decided.size());
    decided_matches += decided.size();
  }
  CHECK(decided_matches >= 8);

  // Random conjunctions of decidable predicates (and some that are not) on three fields, over
  // events of strings, numbers, booleans, arrays and nulls: each rule's own answer.
  eqlite::testing::XorShift next{2024};
  const char* keys[] = {"a", "A", "ab", "b", "4", "true", "x y"};
  const char* fields[] = {"f", "g", "h"};
  auto predicate = [&] {
    const std::string f = fields[next(std::size(fields))];
    const std::string k = keys[next(std::size(keys))];
    const std::string k2 = keys[next(std::size(keys))];
    switch (next(8)) {
      case 0:
        return f + " == \"" + k + "\"";
      case 1:
        return f + " in (\"" + k + "\", \"" + k2 + "\")";
      case 2:
        return f + " in~ (\"" + k + "\")";
      case 3:
        return f + " : (\"*" + k + "*\", \"" + k2 + "\")";
      case 4:
        return f + " like \"*" + k + "*\"";
      case 5:
        return f + " like~ (\"*" + k + "*\")";
      case 6:
        return f + " != null";
      default:
        return f + " : \"" + k + "*\"";  // a prefix: not decidable
    }
  };
  const RuleSet set = random_rules(next, 60, 0, predicate);
  const char* values[] = {"\"a\"",  "\"A\"",   "\"xaby\"", "\"B\"", "4",     "42",
                          "\"4\"",  "true",    "\"TRUE\"", "null",  "[]",    "\"x y\"",
                          "\"ab\"", "\"Ab4\"", "4.0",      "false", "\"b\"", "\"\""};
  const RandomRun run =
      check_random_events(set, 3000, [&] { return random_object(next, fields, values, 5); });
  CHECK(run.matched > 300);
  RuleSetMatcher sm(set);
  Ids hits;
  for (int e = 0; e < 200; ++e)
    REQUIRE(sm.match_json(R"({"f":"xaby","g":"A","h":["b","4"]})", hits).ok());
  CHECK(sm.decided() > 0);  // the feature is in use on these rules
}

TEST_CASE("rule set: explain names the condition a ruled-out rule failed, as EQL",
          "[rule_set][decided]") {
  // Each rule is filed under its own key of k (listed first, as cheap as any other), which
  // the event meets; the event fails the rule's other condition.
  RuleSet rules;
  REQUIRE(rules.add("eq", R"(any where k == "k0" and b == "one")").ok());
  REQUIRE(rules.add("list", R"(any where k == "k1" and b in ("p", "q"))").ok());
  REQUIRE(rules.add("caseless", R"(any where k == "k2" and b : "One")").ok());
  REQUIRE(rules.add("contains", R"(any where k == "k3" and b like~ "*Needle*")").ok());
  REQUIRE(rules.add("exists", R"(any where k == "k4" and c != null)").ok());
  REQUIRE(rules.add("either", R"(any where k == "k5" and (b == "k" or c == "m"))").ok());
  RuleSetMatcher m(rules);
  auto why = m.explain(R"({"k":["k0","k1","k2","k3","k4","k5"],"b":"zzz"})");
  REQUIRE(why);
  std::map<std::size_t, std::string> unmet;
  REQUIRE(why->unmet.size() == why->ruled_out.size());
  for (std::size_t i = 0; i < why->ruled_out.size(); ++i)
    unmet[why->ruled_out[i].rule] = why->unmet[i];
  CHECK(unmet.size() == 6);
  CHECK(unmet[0] == R"(b == "one")");
  CHECK(unmet[1] == R"(b in ("p", "q"))");
  CHECK(unmet[2] == R"(b : ("one"))");
  CHECK(unmet[3] == R"(b : ("*needle*"))");
  CHECK(unmet[4] == "c != null");
  CHECK(unmet[5] == R"(b == "k" or c == "m")");
  CHECK(why->matched.empty());
}
