// cli/test_command.cpp — `eqlite test`: rules run over sample events whose `scenario` objects
// state what each rule should do with them, PASS or FAIL with what differed
// (docs/rule-tests.md, docs/cli.md).
//
// A test is a rule file (.eql, or a detection-rules .toml) and NDJSON files. Each event may
// carry `"scenario":{"id":ID,KEY:EXPECTED,...}`; KEY is the test's expect key ("expect" unless
// said otherwise). EXPECTED is "match" / "no-match" / "excepted", or, for a sequence or sample,
// the list of results the event is part of: [{"result":R,"stage":S,"join_keys":[...],
// "excepted":true},...]. The events are put in time order and pushed into one eqlite::Stream; its
// results are compared with what the scenarios say, event by event. The test's exception lists
// apply as in `eqlite match --exceptions`: an event rule's hit is excepted when an item excepts
// its event; a sequence or sample rule runs with the lists' exclusion filter (Kibana's EQL
// `filter`: an excepted event takes part in no result), and a shadow of it without the filter
// gives its excepted results (those with an event an item excepts).
#include <eqlite/eqlite.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#if EQLITE_HAVE_TOML
#include <toml++/toml.h>
#endif

#include "cli/common.hpp"
#include "cli/output.hpp"
#include "pack/data_stream.hpp"
#include "pack/exceptions.hpp"
#include "pack/json_tree.hpp"
#include "pack/rule.hpp"
#include "pack/rule_loader.hpp"

namespace cli {

namespace {

using pack::JsonValue;

const char* const kTestUsage =
    "usage: eqlite test --manifest FILE... [--format text|json]\n"
    "       eqlite test RULE DATA... [--expect-key KEY] [--set FIELD=VALUE]... [--index NAME]\n"
    "                   [--exceptions FILE]... [--timestamp-field F] [--format text|json]\n"
    "\n"
    "Runs rules over sample events and compares the outcome with what each event's\n"
    "\"scenario\" object expects (docs/rule-tests.md). One line per test, PASS or FAIL, with\n"
    "every scenario that differed (expected X, got Y) under a failing test.\n"
    "\n"
    "options:\n"
    "  --manifest FILE      the tests of this TOML file ([[test]] tables; repeatable)\n"
    "  RULE DATA...         one test: a rule file (.eql or detection-rules .toml) and NDJSON\n"
    "                       files of events\n"
    "  --expect-key KEY     the scenario member that holds the expectation (default expect)\n"
    "  --set FIELD=VALUE    a constant for every event without FIELD (as eqlite match --set)\n"
    "  --index NAME         the events come from the data stream NAME: its constant fields\n"
    "                       (event.dataset, data_stream.*) are supplied; --set wins\n"
    "  --exceptions FILE    exception lists (a Kibana NDJSON export) for the rule, as eqlite\n"
    "                       match --exceptions: a match an item excepts is \"excepted\", not\n"
    "                       \"match\"; the constants are given to the items too. Repeatable\n"
    "  --timestamp-field F  the events' time field (default @timestamp; a TOML rule's\n"
    "                       timestamp_override is not used, as in eqlite match)\n"
    "  --format text|json   text (default), or one JSON object per test and a summary\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 when every test passes, 1 when one fails, 2 on an error (a file that\n"
    "cannot be read, an exception list that does not load, a rule that does not compile, a\n"
    "malformed scenario or manifest).\n";

// A scalar as JSON text, the way `eqlite match` writes join keys; nullopt for an array or an
// object.
std::optional<std::string> scalar_json(const JsonValue& v) {
  switch (v.kind) {
    case JsonValue::Kind::Null:
      return json_value(eqlite::Value::null());
    case JsonValue::Kind::Bool:
      return json_value(eqlite::Value::boolean(v.boolean));
    case JsonValue::Kind::Number:
      if (const auto i = v.integer()) return json_value(eqlite::Value::integer(*i));
      return json_value(eqlite::Value::number(v.number()));
    case JsonValue::Kind::String:
      return json_value(eqlite::Value::string(v.text));
    default:
      return std::nullopt;
  }
}

// ---- tests ----

struct Constant {
  std::string field;
  std::string text;  // a string value's bytes
  eqlite::Value value;
  bool is_string = false;
  eqlite::Value get() const { return is_string ? eqlite::Value::string(text) : value; }
};

struct TestSpec {
  std::string name;  // as printed
  std::string rule;  // the rule file's path
  std::vector<std::string> data;
  std::string expect_key = "expect";
  std::string index;  // a data stream name, or empty
  std::vector<Constant> set;
  std::vector<std::string> exceptions;  // exception list exports (Kibana NDJSON)
  std::string timestamp_field;          // empty: @timestamp
  std::string error;  // what is wrong with its [[test]] table: the test is an ERROR, not run
};

// One membership of an event: stage `stage` of result `result`, whose join keys are `keys`
// (JSON text), and whether an exception item excepts that result. An empty result name: "part
// of some result" (the "match" form). `item` (the name of the item that excepted an actual
// result) is printed, not compared.
struct Member {
  std::string result;
  long stage = 0;
  std::string keys;
  bool excepted = false;
  std::string item;
  bool operator<(const Member& o) const {
    if (result != o.result) return result < o.result;
    if (stage != o.stage) return stage < o.stage;
    if (keys != o.keys) return keys < o.keys;
    return excepted < o.excepted;
  }
  bool operator==(const Member& o) const {
    return result == o.result && stage == o.stage && keys == o.keys && excepted == o.excepted;
  }
};

// One event of the data.
struct Ev {
  std::size_t file = 0;
  std::uint64_t line = 0;
  std::string text;
  std::optional<std::int64_t> ts;
  bool checked = false;  // it has a scenario with the expect key
  std::string id;        // the scenario id (or empty)
  enum class Form : std::uint8_t { Match, NoMatch, Excepted, List } form = Form::NoMatch;
  std::vector<Member> expected;  // the List form
};

struct Failure {
  std::string file;
  std::uint64_t line = 0;
  std::string scenario;
  std::string expected, got;
};

struct Outcome {
  enum class Status : std::uint8_t { Pass, Fail, Error } status = Status::Pass;
  std::size_t checked = 0, unchecked = 0, results = 0;
  std::vector<Failure> failures;
  std::string error;  // the first line of the error (the whole of it went to stderr)
};

// The error and its one-line summary.
Outcome error_outcome(const std::string& full) {
  std::fprintf(stderr, "%s\n", full.c_str());
  Outcome o;
  o.status = Outcome::Status::Error;
  o.error = full.substr(0, full.find('\n'));
  return o;
}

// ` (item "NAME")` for the item that excepted a result; empty when there is no name (an
// expected result).
std::string excepted_by(const std::string& item) {
  return item.empty() ? std::string() : " (item " + json_quoted(item) + ")";
}

std::string describe(const std::vector<Member>& members, bool no_result_is_error = false) {
  if (members.empty()) return no_result_is_error ? "some result" : "no result";
  std::string out;
  for (std::size_t k = 0; k < members.size(); ++k) {
    if (k) out += " and ";
    if (members[k].result.empty()) {
      out += "some result";
      continue;
    }
    out += "stage " + std::to_string(members[k].stage) + " of " + members[k].result + " " +
           members[k].keys;
    if (members[k].excepted) out += " excepted" + excepted_by(members[k].item);
  }
  return out;
}

// The scenario of one event, for the test's expect key. False with `error` for a scenario that
// is not written as docs/rule-tests.md says.
bool read_scenario(const JsonValue& scenario, const std::string& key, Ev& ev, std::string& error) {
  if (scenario.kind != JsonValue::Kind::Object) {
    error = "\"scenario\" is not an object";
    return false;
  }
  if (const JsonValue* id = scenario.get("id")) {
    if (id->kind == JsonValue::Kind::String)
      ev.id = id->text;
    else if (auto text = scalar_json(*id))
      ev.id = *text;
  }
  const JsonValue* x = scenario.get(key);
  if (!x) return true;  // not checked by this test
  ev.checked = true;
  if (x->kind == JsonValue::Kind::String) {
    if (x->text == "match") {
      ev.form = Ev::Form::Match;
      return true;
    }
    if (x->text == "no-match") {
      ev.form = Ev::Form::NoMatch;
      return true;
    }
    if (x->text == "excepted") {
      ev.form = Ev::Form::Excepted;
      return true;
    }
  }
  const std::string bad = "scenario." + key +
                          " must be \"match\", \"no-match\", \"excepted\" or a list of " +
                          "{\"result\":NAME,\"stage\":N,\"join_keys\":[...],\"excepted\":BOOL}";
  if (x->kind != JsonValue::Kind::Array) {
    error = bad;
    return false;
  }
  ev.form = Ev::Form::List;
  for (const JsonValue& m : x->items) {
    const JsonValue* result = m.get("result");  // null when m is not an object
    const JsonValue* stage = m.get("stage");
    const JsonValue* keys = m.get("join_keys");
    const JsonValue* excepted = m.get("excepted");
    if (!result || result->kind != JsonValue::Kind::String || result->text.empty()) {
      error = bad + ": \"result\" is not a name";
      return false;
    }
    const std::optional<std::int64_t> stage_number = stage ? stage->integer() : std::nullopt;
    if (!stage_number || *stage_number < 1) {
      error = bad + ": \"stage\" is not a whole number from 1";
      return false;
    }
    if (excepted && excepted->kind != JsonValue::Kind::Bool) {
      error = bad + ": \"excepted\" is true or false";
      return false;
    }
    Member member{
        result->text, static_cast<long>(*stage_number), "[]", excepted && excepted->boolean, {}};
    if (keys) {
      if (keys->kind != JsonValue::Kind::Array) {
        error = bad + ": \"join_keys\" is not a list";
        return false;
      }
      member.keys = "[";
      for (std::size_t k = 0; k < keys->items.size(); ++k) {
        auto text = scalar_json(keys->items[k]);
        if (!text) {
          error = bad + ": a join key is a string, a number, true, false or null";
          return false;
        }
        if (k) member.keys += ',';
        member.keys += *text;
      }
      member.keys += "]";
    }
    ev.expected.push_back(std::move(member));
  }
  std::sort(ev.expected.begin(), ev.expected.end());
  return true;
}

// Splits a file into its events: blank lines are skipped, `\r\n` ends a line like `\n`, a
// UTF-8 byte-order mark at the start is ignored; lines are numbered from 1, blank ones too.
void split_lines(const std::string& text, std::size_t file, std::vector<Ev>& out) {
  std::size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  std::uint64_t number = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + start, nl - start);
    start = nl + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Ev ev;
    ev.file = file;
    ev.line = number;
    ev.text.assign(line);
    out.push_back(std::move(ev));
  }
}

// One actual result: its join keys (JSON text), its events by stage (npos: missing, or an
// event that is not in the data), and, for an excepted result, the name of the exception item
// that excepts it.
struct Got {
  std::string keys;
  std::vector<std::size_t> events;
  bool excepted = false;
  std::string item;
};

// The exception lists of a test: every list of its files, a TOML rule's own
// `[[rule.exceptions_list]]` first (an event that several items except is reported with the
// rule's own item), as `eqlite match --exceptions` applies them. A reference to a list that is
// not in the files is a warning. `lists` are the lists in that order (they point into `load`).
// False, with `error`, when a file does not fully load.
bool load_test_exceptions(const TestSpec& spec, const pack::Rule& rule,
                          std::unique_ptr<pack::ExceptionMatcher>& matcher,
                          pack::ExceptionLoad& load, std::vector<const pack::ExceptionList*>& lists,
                          std::string& error) {
  if (spec.exceptions.empty()) return true;  // none, whatever the rule references
  for (const std::string& file : spec.exceptions)
    pack::load_exceptions(file, load);
  auto join = [&](const std::vector<pack::LoadError>& errors) {
    for (const pack::LoadError& e : errors)
      error += (error.empty() ? "" : "\n") + e.to_string();
    return false;
  };
  if (!load.errors.empty()) return join(load.errors);
  std::vector<std::string> missing;
  lists = load.lists_for(rule, &missing);
  for (const std::string& m : missing)
    std::fprintf(stderr,
                 "%s: warning: exception list %s is not in the test's exception files: the rule "
                 "is tested without it\n",
                 rule.path.c_str(), m.c_str());
  for (const pack::ExceptionList& list : load.lists)
    if (std::find(lists.begin(), lists.end(), &list) == lists.end()) lists.push_back(&list);
  matcher = std::make_unique<pack::ExceptionMatcher>(lists);
  if (!matcher->errors().empty()) return join(matcher->errors());
  return true;
}

Outcome run_test(const TestSpec& spec) {
  if (!spec.error.empty()) return error_outcome(spec.error);
  // The rule.
  pack::Rule rule;
  pack::LoadError load_error;
  if (!pack::load_rule_file(spec.rule, rule, load_error))
    return error_outcome(load_error.to_string());
  if (!rule.language.empty() && rule.language != "eql")
    return error_outcome(rule.path + ": a " + rule.language +
                         " rule, not EQL: eqlite test runs EQL rules");
  // The time field is @timestamp unless the test names another: a TOML rule's
  // timestamp_override is not used, as eqlite match does not use it (events outside
  // Elasticsearch have no event.ingested).
  eqlite::CompileOptions options;
  if (!spec.timestamp_field.empty()) options.timestamp_field = spec.timestamp_field;
  if (!rule.event_category_override.empty()) options.category_field = rule.event_category_override;
  auto query = eqlite::compile(rule.query, options);
  if (!query) return error_outcome(pack::compile_error(rule, query.error()).to_string());
  if (!spec.index.empty() && !rule.index.empty() && !pack::index_matches(rule.index, spec.index)) {
    std::string patterns;
    for (const auto& p : rule.index)
      patterns += (patterns.empty() ? "" : ", ") + p;
    std::fprintf(stderr,
                 "%s: warning: the rule's index patterns (%s) do not cover %s: deployed, it "
                 "would not see these events\n",
                 rule.path.c_str(), patterns.c_str(), spec.index.c_str());
  }

  // The constants: the data stream's, then --set / set (which win).
  std::vector<Constant> constants;
  if (!spec.index.empty()) {
    for (auto& [field, value] : pack::data_stream_constants(spec.index)) {
      const bool overridden = std::any_of(spec.set.begin(), spec.set.end(),
                                          [&](const Constant& c) { return c.field == field; });
      if (!overridden) constants.push_back({field, value, {}, true});
    }
  }
  constants.insert(constants.end(), spec.set.begin(), spec.set.end());

  // The exception lists, which see the constants too.
  pack::ExceptionLoad exception_load;
  std::unique_ptr<pack::ExceptionMatcher> matcher;
  std::vector<const pack::ExceptionList*> lists;
  if (std::string err; !load_test_exceptions(spec, rule, matcher, exception_load, lists, err))
    return error_outcome(err);
  if (matcher)
    for (const Constant& c : constants)
      matcher->set_constant(c.field, c.get());

  // The events.
  std::vector<Ev> events;
  for (std::size_t f = 0; f < spec.data.size(); ++f) {
    std::string text, err;
    if (!read_file(spec.data[f], text, err))
      return error_outcome("eqlite: cannot read " + spec.data[f] + ": " + err);
    split_lines(text, f, events);
  }
  eqlite::JsonReader time_reader(std::vector<std::string>{options.timestamp_field});
  for (const Constant& c : constants)
    time_reader.set_constant(c.field, c.get());
  eqlite::Event time_event;
  Outcome outcome;
  for (Ev& ev : events) {
    const std::string where = spec.data[ev.file] + ":" + std::to_string(ev.line) + ": ";
    if (auto ok = time_reader.read(ev.text, time_event); !ok)
      return error_outcome(where + ok.error().message);
    auto values = time_event.values(0);
    if (!values.empty()) ev.ts = eqlite::timestamp_ns(values[0]);
    JsonValue line;
    std::string err;
    std::size_t err_at = 0;
    if (!pack::parse_json(ev.text, line, err, err_at) || line.kind != JsonValue::Kind::Object)
      return error_outcome(where + "cannot read the line's \"scenario\"");
    const JsonValue* scenario = line.get("scenario");
    if (scenario && !read_scenario(*scenario, spec.expect_key, ev, err))
      return error_outcome(where + (ev.id.empty() ? "" : "scenario " + ev.id + ": ") + err);
    if (ev.checked && ev.form == Ev::Form::List && query->kind() == eqlite::QueryKind::Event)
      return error_outcome(where + (ev.id.empty() ? "" : "scenario " + ev.id + ": ") +
                           "a list of results is for a sequence or sample rule; this rule " +
                           "takes one event at a time: write \"match\", \"no-match\" or " +
                           "\"excepted\"");
    if (ev.checked)
      ++outcome.checked;
    else
      ++outcome.unchecked;
  }
  if (outcome.checked == 0) {
    std::string files;
    for (const auto& d : spec.data)
      files += (files.empty() ? "" : ", ") + d;
    return error_outcome("eqlite test: " + spec.name + ": no event of " + files +
                         " has a scenario with \"" + spec.expect_key + "\": nothing to check");
  }

  // Time order (as eqlite match --sort): events without a time first, in input order.
  std::vector<std::size_t> order(events.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const auto& ta = events[a].ts;
    const auto& tb = events[b].ts;
    if (ta.has_value() != tb.has_value()) return !ta.has_value();
    return ta && *ta < *tb;
  });
  // An event of a result is found by its text; among identical lines, the latest pushed.
  std::unordered_map<std::string_view, std::vector<std::size_t>> by_text;
  std::vector<std::size_t> position(events.size());
  for (std::size_t p = 0; p < order.size(); ++p) {
    position[order[p]] = p;
    by_text[events[order[p]].text].push_back(order[p]);
  }
  std::size_t pushed = 0;
  auto identify = [&](std::string_view text) -> std::size_t {
    auto it = by_text.find(text);
    if (it == by_text.end()) return std::string::npos;
    std::size_t best = it->second.front();
    for (std::size_t i : it->second)
      if (position[i] < pushed) best = i;
    return best;
  };

  // A sequence or sample with exception lists runs as eqlite match runs it, as Kibana does (the
  // lists in the EQL request's `filter`): rule 0 is the rule with the lists' exclusion filter,
  // so that an excepted event takes part in no result (a later event may complete the result
  // instead), and its results are the real ones; rule 1, the shadow, is the rule without the
  // filter, and its results that an item excepts (on one of their events) are the rule's
  // excepted results; its other results are ignored (as eqlite match ignores them).
  eqlite::RuleSet rules;
  bool shadowed = false;
  if (matcher && query->kind() != eqlite::QueryKind::Event) {
    if (const std::string filter = pack::exclusion_filter(lists); !filter.empty()) {
      eqlite::CompileOptions with = options;
      with.filter = filter;
      auto real = rules.add(spec.name, rule.query, with);
      if (!real)
        return error_outcome(rule.path + ": the rule with its exception lists' filter does not " +
                             "compile: " + real.error().message);
      auto shadow = rules.add(spec.name + " (without exceptions)", rule.query, options);
      if (!shadow) return error_outcome(pack::compile_error(rule, shadow.error()).to_string());
      shadowed = true;
    }
  }
  constexpr std::size_t kShadow = 1;

  std::vector<Got> got;
  auto on_result = [&](const eqlite::StreamResult& r) {
    Got g;
    // Excepted: a shadow's result that an item excepts; the rule's own results (with the
    // filter) are not. An event rule's hit is excepted when an item excepts its event.
    if ((shadowed && r.rule == kShadow) || (matcher && !shadowed)) {
      for (std::string_view e : r.events) {
        if (e.empty()) continue;
        if (const pack::ExceptionItem* item = matcher->match(e)) {
          g.excepted = true;
          g.item = item->name;
          break;
        }
      }
      if (shadowed && !g.excepted) return;  // a shadow's result that no item excepts: ignored
    }
    g.keys = "[";
    for (std::size_t k = 0; k < r.join_keys.size(); ++k) {
      if (k) g.keys += ',';
      g.keys += json_value(r.join_keys[k]);
    }
    g.keys += "]";
    for (std::string_view e : r.events)
      g.events.push_back(e.empty() ? std::string::npos : identify(e));
    got.push_back(std::move(g));
  };
  eqlite::Stream stream =
      shadowed ? eqlite::Stream(rules, on_result) : eqlite::Stream(*query, on_result);
  for (const Constant& c : constants)
    stream.set_constant(c.field, c.get());
  for (std::size_t i : order) {
    ++pushed;
    if (auto ok = stream.push(events[i].text); !ok)
      return error_outcome(spec.data[events[i].file] + ":" + std::to_string(events[i].line) + ": " +
                           ok.error().message);
  }
  stream.finish();
  outcome.results = got.size();

  // Name the results: each expected result (by name) is paired with the actual result that
  // shares the most of its events (2 for an event at the expected stage, 1 at another stage);
  // an actual result left over is "result #N" (its place in the output).
  std::map<std::string, std::map<std::size_t, long>> expected_results;  // name -> event -> stage
  for (std::size_t i = 0; i < events.size(); ++i)
    if (events[i].checked && events[i].form == Ev::Form::List)
      for (const Member& m : events[i].expected)
        expected_results[m.result][i] = m.stage;
  struct Pair {
    int score;
    std::string name;
    std::size_t got;
  };
  std::vector<Pair> pairs;
  for (const auto& [name, stages] : expected_results) {
    for (std::size_t g = 0; g < got.size(); ++g) {
      int score = 0;
      for (std::size_t s = 0; s < got[g].events.size(); ++s) {
        auto it = stages.find(got[g].events[s]);
        if (it != stages.end()) score += it->second == static_cast<long>(s + 1) ? 2 : 1;
      }
      if (score > 0) pairs.push_back({score, name, g});
    }
  }
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const Pair& a, const Pair& b) { return a.score > b.score; });
  std::vector<std::string> got_name(got.size());
  std::map<std::string, bool> named;
  for (const Pair& p : pairs) {
    if (!got_name[p.got].empty() || named[p.name]) continue;
    got_name[p.got] = p.name;
    named[p.name] = true;
  }
  for (std::size_t g = 0; g < got.size(); ++g)
    if (got_name[g].empty()) got_name[g] = "result #" + std::to_string(g + 1);

  // What each event is part of.
  std::vector<std::vector<Member>> actual(events.size());
  for (std::size_t g = 0; g < got.size(); ++g)
    for (std::size_t s = 0; s < got[g].events.size(); ++s)
      if (got[g].events[s] != std::string::npos)
        actual[got[g].events[s]].push_back(
            {got_name[g], static_cast<long>(s + 1), got[g].keys, got[g].excepted, got[g].item});
  for (auto& a : actual) {
    std::sort(a.begin(), a.end());
    a.erase(std::unique(a.begin(), a.end()), a.end());
  }

  // Compare, event by event, in the order of the data.
  const bool single = query->kind() == eqlite::QueryKind::Event;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const Ev& ev = events[i];
    if (!ev.checked) continue;
    Failure f;
    if (ev.form == Ev::Form::List) {
      if (ev.expected == actual[i]) continue;
      f.expected = describe(ev.expected);
      f.got = describe(actual[i]);
    } else {
      // "match": part of a result that is not excepted; "excepted": part of results, every one
      // of them excepted; "no-match": part of none.
      const auto alert = std::find_if(actual[i].begin(), actual[i].end(),
                                      [](const Member& m) { return !m.excepted; });
      const Ev::Form is = actual[i].empty()          ? Ev::Form::NoMatch
                          : alert != actual[i].end() ? Ev::Form::Match
                                                     : Ev::Form::Excepted;
      if (ev.form == is) continue;
      auto single_form = [&](Ev::Form form) -> std::string {
        if (form == Ev::Form::Match) return "match";
        if (form == Ev::Form::NoMatch) return "no-match";
        return "excepted";
      };
      if (single) {
        f.expected = single_form(ev.form);
        f.got = single_form(is);
        if (is == Ev::Form::Excepted) f.got += excepted_by(actual[i].front().item);
      } else {
        f.expected = ev.form == Ev::Form::Match     ? "some result"
                     : ev.form == Ev::Form::NoMatch ? "no result"
                                                    : "only excepted results";
        f.got = describe(actual[i]);
      }
    }
    f.file = spec.data[ev.file];
    f.line = ev.line;
    f.scenario = ev.id;
    outcome.failures.push_back(std::move(f));
  }
  outcome.status = outcome.failures.empty() ? Outcome::Status::Pass : Outcome::Status::Fail;
  return outcome;
}

// ---- the manifest ----

std::string resolve(const std::filesystem::path& base, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_absolute() || base.empty()) return p.lexically_normal().string();
  return (base / p).lexically_normal().string();
}

#if EQLITE_HAVE_TOML
// `FILE:LINE:COL: ` with the column in bytes (toml++ counts code points).
std::string at(const std::string& file, std::string_view text, const toml::source_region& where) {
  return file + ":" + std::to_string(where.begin.line) + ":" +
         std::to_string(pack::toml_byte_column(text, where.begin.line, where.begin.column)) + ": ";
}

// Appends the [[test]] tables of `file`; false, with the reason on stderr, when it is not a
// manifest as docs/rule-tests.md describes. A [[test]] table with a mistake is appended with its
// `error` set: it is reported as an ERROR when the tests run, and the others still run.
bool read_manifest(const std::string& file, std::vector<TestSpec>& tests) {
  std::string text, err;
  if (!read_file(file, text, err)) {
    std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), err.c_str());
    return false;
  }
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    std::fprintf(stderr, "%s%s\n", at(file, text, e.source()).c_str(),
                 std::string(e.description()).c_str());
    return false;
  }
  const std::filesystem::path base = std::filesystem::path(file).parent_path();
  bool ok = true;
  auto fail = [&](const toml::node& n, const std::string& message) {
    std::fprintf(stderr, "%s%s\n", at(file, text, n.source()).c_str(), message.c_str());
    ok = false;
  };
  for (const auto& [key, node] : root) {
    if (key.str() != "test")
      fail(node, "unknown key '" + std::string(key.str()) + "' (a manifest holds [[test]] tables)");
  }
  const toml::array* list = root["test"].as_array();
  if (!root.contains("test")) {
    std::fprintf(stderr, "%s: no [[test]] table\n", file.c_str());
    return false;
  }
  if (!list) {
    fail(*root.get("test"), "'test' must be [[test]] tables");
    return false;
  }
  std::size_t number = 0;
  for (const toml::node& item : *list) {
    ++number;
    TestSpec spec;
    // A mistake in this test: the test is an ERROR (every mistake in its message).
    auto bad = [&](const toml::node& n, const std::string& message) {
      spec.error += (spec.error.empty() ? "" : "\n") + at(file, text, n.source()) + message;
    };
    const toml::table* t = item.as_table();
    if (!t) {
      bad(item, "a test is a table");
      spec.name = "test " + std::to_string(number) + " of " + file;
      tests.push_back(std::move(spec));
      continue;
    }
    bool have_rule = false, have_data = false;
    for (const auto& [k, v] : *t) {
      const std::string key(k.str());
      auto string_of = [&](std::string& out) {
        if (const auto* s = v.as_string()) {
          out = s->get();
          return true;
        }
        bad(v, "'" + key + "' must be a string");
        return false;
      };
      if (key == "rule") {
        std::string r;
        if (string_of(r)) {
          spec.rule = resolve(base, r);
          if (spec.name.empty()) spec.name = r;
          have_rule = true;
        }
      } else if (key == "name") {
        std::string n;
        if (string_of(n)) spec.name = n;
      } else if (key == "data") {
        if (const auto* s = v.as_string()) {
          spec.data.push_back(resolve(base, s->get()));
        } else if (const auto* a = v.as_array()) {
          for (const toml::node& d : *a) {
            if (const auto* ds = d.as_string())
              spec.data.push_back(resolve(base, ds->get()));
            else
              bad(d, "'data' lists file names (strings)");
          }
        } else {
          bad(v, "'data' must be a file name or a list of them");
        }
        have_data = !spec.data.empty();
      } else if (key == "exceptions") {
        if (const auto* s = v.as_string()) {
          spec.exceptions.push_back(resolve(base, s->get()));
        } else if (const auto* a = v.as_array()) {
          for (const toml::node& e : *a) {
            if (const auto* es = e.as_string())
              spec.exceptions.push_back(resolve(base, es->get()));
            else
              bad(e, "'exceptions' lists file names (strings)");
          }
        } else {
          bad(v, "'exceptions' must be a file name or a list of them");
        }
      } else if (key == "expect_key") {
        string_of(spec.expect_key);
      } else if (key == "index") {
        string_of(spec.index);
      } else if (key == "timestamp_field") {
        string_of(spec.timestamp_field);
      } else if (key == "set") {
        const toml::table* s = v.as_table();
        if (!s) {
          bad(v, "'set' must be a table of FIELD = VALUE");
          continue;
        }
        for (const auto& [field, value] : *s) {
          Constant c;
          c.field = std::string(field.str());
          if (const auto* str = value.as_string()) {
            c.text = str->get();
            c.is_string = true;
          } else if (const auto* i = value.as_integer()) {
            c.value = eqlite::Value::integer(i->get());
          } else if (const auto* d = value.as_floating_point()) {
            c.value = eqlite::Value::number(d->get());
          } else if (const auto* b = value.as_boolean()) {
            c.value = eqlite::Value::boolean(b->get());
          } else {
            bad(value, "a constant is a string, a number or a boolean");
            continue;
          }
          spec.set.push_back(std::move(c));
        }
      } else {
        bad(v, "unknown key '" + key +
                   "' (a test has rule, data, expect_key, set, index, exceptions, "
                   "timestamp_field, name)");
      }
    }
    if (!have_rule) bad(item, "the test has no 'rule'");
    if (!have_data) bad(item, "the test has no 'data'");
    if (spec.name.empty()) spec.name = "test " + std::to_string(number) + " of " + file;
    tests.push_back(std::move(spec));
  }
  return ok;
}
#endif

// ---- output ----

std::string text_line(const TestSpec& spec, const Outcome& o) {
  std::string out;
  const std::string scenarios =
      std::to_string(o.checked) + (o.checked == 1 ? " scenario" : " scenarios");
  const std::string unchecked = o.unchecked ? ", " + std::to_string(o.unchecked) + " event" +
                                                  (o.unchecked == 1 ? "" : "s") + " without \"" +
                                                  spec.expect_key + "\" not checked"
                                            : "";
  switch (o.status) {
    case Outcome::Status::Pass:
      out = "PASS  " + spec.name + ": " + scenarios + unchecked + "\n";
      break;
    case Outcome::Status::Fail:
      out = "FAIL  " + spec.name + ": " + std::to_string(o.failures.size()) + " of " + scenarios +
            " differ" + unchecked + "\n";
      for (const Failure& f : o.failures) {
        out += "      " + f.file + ":" + std::to_string(f.line) + ": ";
        if (!f.scenario.empty()) out += "scenario " + f.scenario + ": ";
        out += "expected " + f.expected + ", got " + f.got + "\n";
      }
      break;
    case Outcome::Status::Error:
      out = "ERROR " + spec.name + ": " + o.error + "\n";
      break;
  }
  return out;
}

std::string json_line(const TestSpec& spec, const Outcome& o) {
  static const char* const kStatus[] = {"pass", "fail", "error"};
  std::string out =
      "{\"test\":" + json_quoted(spec.name) + ",\"rule\":" + json_quoted(spec.rule) + ",\"data\":[";
  for (std::size_t k = 0; k < spec.data.size(); ++k)
    out += (k ? "," : "") + json_quoted(spec.data[k]);
  out += "],\"status\":\"";
  out += kStatus[static_cast<int>(o.status)];
  out += "\"";
  if (o.status == Outcome::Status::Error) {
    out += ",\"error\":" + json_quoted(o.error) + "}\n";
    return out;
  }
  out += ",\"scenarios\":" + std::to_string(o.checked) +
         ",\"unchecked\":" + std::to_string(o.unchecked) +
         ",\"results\":" + std::to_string(o.results) + ",\"failures\":[";
  for (std::size_t k = 0; k < o.failures.size(); ++k) {
    const Failure& f = o.failures[k];
    out += (k ? ",{" : "{");
    out += "\"file\":" + json_quoted(f.file) + ",\"line\":" + std::to_string(f.line) +
           ",\"scenario\":" + json_quoted(f.scenario) + ",\"expected\":" + json_quoted(f.expected) +
           ",\"got\":" + json_quoted(f.got) + "}";
  }
  out += "]}\n";
  return out;
}

}  // namespace

int cmd_test(int argc, char** argv) {
  std::vector<std::string> manifests, positional;
  TestSpec cli_spec;
  bool json = false, spec_options = false;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kTestUsage, stdout);
      return 0;
    }
    if (a == "--manifest" || a == "--expect-key" || a == "--set" || a == "--index" ||
        a == "--exceptions" || a == "--timestamp-field" || a == "--format") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite test: %s needs an argument\n%s", a.c_str(), kTestUsage);
        return kError;
      }
      const std::string v = argv[++i];
      if (a == "--manifest") {
        manifests.push_back(v);
      } else if (a == "--format") {
        if (v != "text" && v != "json") {
          std::fprintf(stderr, "eqlite test: --format is text or json, not %s\n", v.c_str());
          return kError;
        }
        json = v == "json";
      } else {
        spec_options = true;
        if (a == "--expect-key") {
          cli_spec.expect_key = v;
        } else if (a == "--index") {
          cli_spec.index = v;
        } else if (a == "--exceptions") {
          cli_spec.exceptions.push_back(v);
        } else if (a == "--timestamp-field") {
          cli_spec.timestamp_field = v;
        } else {
          const std::size_t eq = v.find('=');
          if (eq == std::string::npos || eq == 0) {
            std::fprintf(stderr, "eqlite test: --set takes FIELD=VALUE, not %s\n", v.c_str());
            return kError;
          }
          Constant c;
          c.field = v.substr(0, eq);
          c.text = v.substr(eq + 1);
          const eqlite::Value parsed = parse_set_value(c.text);
          c.is_string = parsed.kind() == eqlite::ValueKind::String;
          if (!c.is_string) c.value = parsed;
          cli_spec.set.push_back(std::move(c));
        }
      }
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "eqlite test: unknown option %s\n%s", a.c_str(), kTestUsage);
      return kError;
    } else {
      positional.push_back(a);
    }
  }

  std::vector<TestSpec> tests;
  if (!manifests.empty()) {
    if (!positional.empty() || spec_options) {
      std::fprintf(stderr,
                   "eqlite test: with --manifest, the tests come from the manifest: give no "
                   "RULE, DATA, --expect-key, --set, --index, --exceptions or --timestamp-field\n");
      return kError;
    }
#if EQLITE_HAVE_TOML
    bool ok = true;
    for (const auto& m : manifests)
      ok = read_manifest(m, tests) && ok;
    if (!ok) return kError;
#else
    std::fprintf(stderr,
                 "eqlite test: this eqlite was built without toml++ (libtomlplusplus-dev): "
                 "manifests cannot be read; give RULE DATA... instead\n");
    return kError;
#endif
  } else {
    if (positional.size() < 2) {
      std::fprintf(stderr, "eqlite test: give --manifest FILE, or RULE and DATA...\n%s",
                   kTestUsage);
      return kError;
    }
    cli_spec.rule = positional[0];
    cli_spec.name = positional[0];
    cli_spec.data.assign(positional.begin() + 1, positional.end());
    tests.push_back(std::move(cli_spec));
  }

  std::size_t passed = 0, failed = 0, errors = 0, scenarios = 0;
  Output out;
  for (const TestSpec& spec : tests) {
    const Outcome o = run_test(spec);
    scenarios += o.checked;
    if (o.status == Outcome::Status::Pass)
      ++passed;
    else if (o.status == Outcome::Status::Fail)
      ++failed;
    else
      ++errors;
    out.write(json ? json_line(spec, o) : text_line(spec, o));
    out.flush();  // in order with the errors on stderr
  }
  if (json) {
    out.write("{\"tests\":" + std::to_string(tests.size()) +
              ",\"passed\":" + std::to_string(passed) + ",\"failed\":" + std::to_string(failed) +
              ",\"errors\":" + std::to_string(errors) +
              ",\"scenarios\":" + std::to_string(scenarios) + "}\n");
  } else {
    std::string summary = std::to_string(tests.size()) + (tests.size() == 1 ? " test" : " tests") +
                          ": " + std::to_string(passed) + " passed, " + std::to_string(failed) +
                          " failed";
    if (errors) summary += ", " + std::to_string(errors) + (errors == 1 ? " error" : " errors");
    summary += " (" + std::to_string(scenarios) + " scenarios checked)\n";
    out.write(summary);
  }
  out.flush();
  if (errors) return kError;
  return failed ? kNoMatch : 0;
}

}  // namespace cli
