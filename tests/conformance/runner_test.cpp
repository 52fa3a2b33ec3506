// tests/conformance/runner_test.cpp — the data-driven conformance suite (tag [conformance]).
//
// Runs every tests/conformance/cases/*.test file. A .test file is plain text, one topic per
// file, in the spirit of sqllogictest (full description in tests/conformance/README.md):
//
//   # name: null_semantics                 '#' starts a comment line (outside a query block)
//   # description: ...                     blank lines separate cases; they are ignored
//   event e1 {"event":{"category":"process"},"x":null}
//   event e2 {"event":{"category":"process"},"x":"a"}
//
//   # row 2, S3
//   match e1 e2                            a match case: the events it is evaluated on
//   process where x != "a"                 the query: every line up to '----', verbatim
//   ----
//   true false                             one expected result per listed event, in order
//
//   error                                  an error case: the query must not compile, and the
//   process where x = 1                    first line of Error::to_string() ("line:col:
//   ----                                   message") must equal the expectation exactly
//   1:17: '=' is not a comparison: use '==' to test equality
//
//   error contains                         same, but the expectation is a substring of
//   process where length(x) > 0            Error::to_string()
//   ----
//   function [length] is not supported yet
//
// Directives:
//   event NAME JSON   NAME is [A-Za-z0-9_.-]+, unique in the file, defined before use; JSON is
//                     the rest of the line, one JSON object (an event, semantics.md E1).
//   match NAME...     the query is compiled with eqlite::compile, each event is read by a
//                     JsonReader built from the query and evaluated with Vm::matches, and with
//                     the reference interpreter (tests/support/reference_interpreter.hpp) on
//                     the AST over the same values: both must give the expectation. Also the
//                     round trip: internal::parse -> ast::to_eql -> internal::parse must give
//                     the same ast::to_sexpr (and printing again must give the same text).
//   error             see above. When the query parses (the error comes from the compiler), the
//   error contains    round trip is checked too.
// Inside a query block every line is query text (no comments); the query is the lines joined
// with '\n', so line:col in error expectations are relative to the query's first line. An error
// case may have an empty query (no line before '----').
//
// Conventions (README.md): cite the rule and the reference row in a comment above each case;
// `# TODO(issue 3): expected ...` above a "not supported yet" case; `# BUG: ...` above a case
// that fails because of an engine bug (the expectation stays the contract's).
//
// Every match case is also evaluated against every other event of its file, without an
// expectation: run time must never fail (S11), and a sanitizer build checks that.
//
// The suite fails when the cases directory holds no .test file, when a file is malformed (an
// unknown directive, a missing '----', a result count that differs from the event count, an
// undefined or unused event, no case at all), or when any case fails. Every failing case is
// reported with its file:line, the query, the event and expected/got.
//
// EQLITE_CONFORMANCE_FILTER=word (environment) runs only the files whose name contains `word`.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <eqlite/eqlite.hpp>

#include "parser/ast.hpp"
#include "parser/parse.hpp"
#include "support/reference_interpreter.hpp"
#include "support/reference_sequence.hpp"
#include "support/reference_sequence_input.hpp"

namespace {

namespace fs = std::filesystem;

struct TestEvent {
  std::string name;
  std::string json;
  std::size_t line = 0;
  bool used = false;
};

struct TestCase {
  enum class Kind { Match, ErrorExact, ErrorContains, Results };
  Kind kind = Kind::Match;
  std::size_t line = 0;             // line of the directive
  std::vector<std::string> events;  // match: the event names
  std::string query;                // the query text, lines joined with '\n'
  std::vector<bool> expected;       // match: one per event
  std::string expected_error;       // error: the exact first line, or the substring
  // results: the expected results, each its events' names in stage order ("-": missing)
  std::vector<std::vector<std::string>> expected_results;
  std::uint64_t max_samples = 1;  // results: max_samples=N
};

struct TestFile {
  std::string name;  // file name, for messages
  std::vector<TestEvent> events;
  std::vector<TestCase> cases;
  std::vector<std::string> problems;  // "file:line: what is malformed"
};

std::string_view trim(std::string_view s) {
  const char* ws = " \t\r";
  std::size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  std::size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string_view trim_right(std::string_view s) {
  std::size_t e = s.find_last_not_of(" \t\r");
  return e == std::string_view::npos ? std::string_view{} : s.substr(0, e + 1);
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;)
    out.push_back(w);
  return out;
}

bool valid_event_name(std::string_view n) {
  if (n.empty()) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

TestFile parse_file(const fs::path& path) {
  TestFile f;
  f.name = path.filename().string();
  std::ifstream in(path, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(std::move(l));
  }
  auto problem = [&](std::size_t line, const std::string& what) {
    // (built step by step: GCC 12 -O3 warns falsely on `"x" + std::string&&`, -Wrestrict)
    std::string msg = f.name;
    if (line) {
      msg += ':';
      msg += std::to_string(line);
    }
    msg += ": ";
    msg += what;
    f.problems.push_back(std::move(msg));
  };
  if (!in.eof() && in.fail()) {
    problem(0, "cannot read the file");
    return f;
  }
  std::map<std::string, std::size_t, std::less<>> event_index;

  std::size_t i = 0;
  while (i < lines.size()) {
    const std::size_t lineno = i + 1;
    std::string_view t = trim(lines[i]);
    if (t.empty() || t.front() == '#') {
      ++i;
      continue;
    }
    std::vector<std::string> words = split_words(t);
    const std::string& directive = words.front();

    if (directive == "event") {
      std::string_view rest = trim(t.substr(5));
      std::size_t sp = rest.find_first_of(" \t");
      std::string name(rest.substr(0, sp));
      std::string json(sp == std::string_view::npos ? std::string_view{} : trim(rest.substr(sp)));
      if (!valid_event_name(name))
        problem(lineno, "event: expected a name made of [A-Za-z0-9_.-], got '" + name + "'");
      else if (json.empty() || json.front() != '{')
        problem(lineno, "event " + name + ": expected one JSON object on the same line");
      else if (event_index.count(name))
        problem(lineno, "event " + name + " is already defined (line " +
                            std::to_string(f.events[event_index[name]].line) + ")");
      else {
        event_index.emplace(name, f.events.size());
        f.events.push_back(TestEvent{name, json, lineno, false});
      }
      ++i;
      continue;
    }

    TestCase c;
    c.line = lineno;
    if (directive == "match") {
      c.kind = TestCase::Kind::Match;
      if (words.size() < 2) problem(lineno, "match: list the events to evaluate, e.g. match e1 e2");
      for (std::size_t w = 1; w < words.size(); ++w) {
        auto it = event_index.find(words[w]);
        if (it == event_index.end()) {
          problem(lineno, "match: event '" + words[w] + "' is not defined (define it above)");
        } else {
          f.events[it->second].used = true;
        }
        c.events.push_back(words[w]);
      }
    } else if (directive == "results") {
      c.kind = TestCase::Kind::Results;
      for (std::size_t w = 1; w < words.size(); ++w) {
        if (words[w].rfind("max_samples=", 0) == 0) {
          c.max_samples = std::stoull(words[w].substr(12));
          continue;
        }
        auto it = event_index.find(words[w]);
        if (it == event_index.end()) {
          problem(lineno, "results: event '" + words[w] + "' is not defined (define it above)");
        } else {
          f.events[it->second].used = true;
        }
        c.events.push_back(words[w]);
      }
      if (c.events.empty()) problem(lineno, "results: list the events of the stream, in order");
    } else if (directive == "error" && words.size() == 1) {
      c.kind = TestCase::Kind::ErrorExact;
    } else if (directive == "error" && words.size() == 2 && words[1] == "contains") {
      c.kind = TestCase::Kind::ErrorContains;
    } else {
      problem(lineno, "unknown directive '" + std::string(t) +
                          "': expected 'event', 'match', 'results', 'error' or 'error contains'");
      ++i;
      continue;
    }

    // The query: every line up to "----", verbatim.
    ++i;
    std::vector<std::string> qlines;
    while (i < lines.size() && trim_right(lines[i]) != "----")
      qlines.push_back(lines[i++]);
    if (i >= lines.size()) {
      problem(lineno, "missing '----' after the query");
      break;
    }
    while (!qlines.empty() && trim(qlines.back()).empty())
      qlines.pop_back();
    // An error case may test the empty query (no line before '----'); a match case may not.
    if ((qlines.empty() &&
         (c.kind == TestCase::Kind::Match || c.kind == TestCase::Kind::Results)) ||
        (!qlines.empty() && trim(qlines.front()).empty())) {
      problem(lineno, "expected the query on the line after the directive");
    }
    for (std::size_t q = 0; q < qlines.size(); ++q) {
      if (q) c.query += '\n';
      c.query += qlines[q];
    }
    ++i;  // past "----"

    // The expectation: one line.
    if (i >= lines.size() || trim(lines[i]).empty()) {
      problem(i + 1, "expected the result line after '----'");
      continue;
    }
    std::string_view result = trim(lines[i]);
    const std::size_t result_line = i + 1;
    ++i;
    if (c.kind == TestCase::Kind::Results) {
      // `none`, or `[e1 e2] [e3 -]`: each result's events in stage order, '-' for missing.
      if (result != "none") {
        std::string_view rest = result;
        while (!trim(rest).empty()) {
          rest = trim(rest);
          const std::size_t close = rest.find(']');
          if (rest.front() != '[' || close == std::string_view::npos) {
            problem(result_line, "expected 'none' or results like [e1 e2] [e3 -]");
            break;
          }
          std::vector<std::string> names = split_words(rest.substr(1, close - 1));
          for (const auto& n : names)
            if (n != "-" && !event_index.count(n))
              problem(result_line, "results: event '" + n + "' is not defined");
          c.expected_results.push_back(std::move(names));
          rest = rest.substr(close + 1);
        }
      }
    } else if (c.kind == TestCase::Kind::Match) {
      std::vector<std::string> got = split_words(result);
      bool ok = true;
      for (const auto& w : got) {
        if (w == "true") {
          c.expected.push_back(true);
        } else if (w == "false") {
          c.expected.push_back(false);
        } else {
          problem(result_line, "expected 'true' or 'false', got '" + w + "'");
          ok = false;
        }
      }
      if (ok && c.expected.size() != c.events.size())
        problem(result_line, std::to_string(c.events.size()) + " event(s) but " +
                                 std::to_string(c.expected.size()) + " result(s)");
    } else {
      c.expected_error = std::string(result);
    }
    f.cases.push_back(std::move(c));
  }

  for (const auto& e : f.events)
    if (!e.used) problem(e.line, "event " + e.name + " is never used by a match or results case");
  if (f.cases.empty()) problem(0, "the file has no case");
  return f;
}

const TestEvent* find_event(const TestFile& f, std::string_view name) {
  for (const auto& e : f.events)
    if (e.name == name) return &e;
  return nullptr;
}

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

// parse -> to_eql -> parse: both trees must print the same S-expression, and printing the
// second tree must give the same EQL text again.
void check_round_trip(const std::string& query, const eqlite::ast::Query& first) {
  std::string printed = eqlite::ast::to_eql(first);
  INFO("printed by ast::to_eql: " << printed);
  auto second = eqlite::internal::parse(printed);
  if (!second) {
    FAIL_CHECK("round trip: the printed query does not parse: " << second.error().to_string());
    return;
  }
  std::string sexpr1 = eqlite::ast::to_sexpr(first);
  std::string sexpr2 = eqlite::ast::to_sexpr(*second);
  CAPTURE(query);
  CHECK(sexpr1 == sexpr2);
  CHECK(eqlite::ast::to_eql(*second) == printed);
}

struct Counts {
  std::size_t files = 0, match_cases = 0, error_cases = 0, evaluations = 0,
              reference_evaluations = 0, results_cases = 0;
};

// ---- results cases: sequences and samples over a stream (Q rules) ----------------------------

// A test's own reading of a timestamp (T1), independent of the engine's: epoch milliseconds as
// a JSON number or digit string, or `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
std::optional<std::int64_t> test_time(const eqlite::Value& v) {
  if (v.kind() == eqlite::ValueKind::Int) return v.as_int() * 1'000'000;
  if (v.kind() == eqlite::ValueKind::Double) return static_cast<std::int64_t>(v.as_double() * 1e6);
  if (v.kind() != eqlite::ValueKind::String) return std::nullopt;
  const std::string s(v.as_string());
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos && s.size() != 4)
    return std::stoll(s) * 1'000'000;
  int y, mo, d, h, mi, se;
  char frac[16] = {0};
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%9[0-9]Z", &y, &mo, &d, &h, &mi, &se, frac) <
      6)
    return std::nullopt;
  // days from civil (Howard Hinnant's algorithm, written out again here)
  const int yy = y - (mo <= 2);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = std::int64_t{era} * 146097 + doe - 719468;
  std::int64_t ns = ((days * 24 + h) * 60 + mi) * 60 + se;
  ns *= 1'000'000'000;
  std::string f(frac);
  f.resize(9, '0');
  if (frac[0]) ns += std::stoll(f);
  return ns;
}

std::string key_text(const eqlite::testing::RefValue& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "null;";
        else if constexpr (std::is_same_v<T, std::string>)
          return "\"" + x + "\";";
        else
          return std::to_string(x) + ";";
      },
      v);
}

std::string describe(const std::vector<std::vector<std::string>>& results) {
  if (results.empty()) return "none";
  std::string out;
  for (const auto& r : results) {
    out += out.empty() ? "[" : " [";
    for (std::size_t i = 0; i < r.size(); ++i)
      out += (i ? " " : "") + r[i];
    out += ']';
  }
  return out;
}

void run_results(const TestFile& f, const TestCase& c, const eqlite::Query& query,
                 const eqlite::ast::Query& parsed, Counts& counts) {
  std::vector<const TestEvent*> events;
  std::map<std::string, std::string, std::less<>> name_of;  // JSON text -> name
  for (const auto& n : c.events) {
    const TestEvent* e = find_event(f, n);
    if (!e) return;  // reported as malformed
    events.push_back(e);
    name_of[e->json] = e->name;
  }
  // The engine: a Stream over the events in the order listed.
  std::vector<std::vector<std::string>> got;
  std::vector<std::string> got_keys;
  eqlite::StreamOptions options;
  options.max_samples_per_key = c.max_samples;
  eqlite::Stream stream(
      query,
      [&](const eqlite::StreamResult& r) {
        std::vector<std::string> names;
        for (auto text : r.events) {
          auto it = name_of.find(text);
          names.push_back(text.empty() ? "-" : it == name_of.end() ? "?" : it->second);
        }
        got.push_back(std::move(names));
        std::string keys;
        for (const auto& k : r.join_keys)
          keys += key_text(eqlite::testing::ref_value(k));
        got_keys.push_back(keys);
      },
      options);
  for (const TestEvent* e : events) {
    auto ok = stream.push(e->json);
    if (!ok) FAIL_CHECK("event " << e->name << " is not valid JSON: " << ok.error().to_string());
  }
  stream.finish();
  const std::string expected = describe(c.expected_results);
  const std::string engine = describe(got);
  CAPTURE(expected, engine);
  CHECK(engine == expected);

  // The reference (tests/support/reference_sequence.hpp) on what the reference interpreter
  // says of each stage.
  using namespace eqlite::testing;
  const RefQuery rq = ref_query(parsed, c.max_samples);

  eqlite::JsonReader reader(query);
  eqlite::Event event;
  std::vector<RefEvent> ref_events;
  for (const TestEvent* e : events) {
    if (!reader.read(e->json, event)) continue;
    eqlite::FlatEvent flat;
    for (std::size_t i = 0; i < query.fields().size(); ++i)
      for (const auto& v : event.values(static_cast<std::uint32_t>(i)))
        flat.add(query.fields()[i], v);
    std::vector<eqlite::Value> ts;
    flat.get("@timestamp", ts);
    RefEvent re = ref_event(parsed, flat, ts.empty() ? std::nullopt : test_time(ts[0]));
    ref_events.push_back(std::move(re));
  }
  std::vector<std::vector<std::string>> ref;
  std::vector<std::string> ref_keys;
  for (const auto& r : reference_sequence(rq, ref_events)) {
    std::vector<std::string> names;
    for (const auto& i : r.events)
      names.push_back(i ? events.at(*i)->name : "-");
    ref.push_back(std::move(names));
    std::string keys;
    for (const auto& k : r.join_keys)
      keys += key_text(k);
    ref_keys.push_back(keys);
  }
  const std::string reference = describe(ref);
  CAPTURE(reference);
  CHECK(reference == expected);
  // The join keys of each result, as the engine and the reference give them.
  if (reference == engine) CHECK(got_keys == ref_keys);
  counts.evaluations += events.size();
}

void run_case(const TestFile& f, const TestCase& c, Counts& counts) {
  INFO("at " << f.name << ":" << c.line);
  INFO("query: " << c.query);

  auto parsed = eqlite::internal::parse(c.query);
  auto query = eqlite::compile(c.query);

  if (c.kind == TestCase::Kind::Results) {
    ++counts.results_cases;
    if (!query) {
      FAIL_CHECK("the query does not compile: " << query.error().to_string());
      return;
    }
    if (!parsed) return;
    check_round_trip(c.query, *parsed);
    run_results(f, c, *query, *parsed, counts);
    return;
  }

  if (c.kind != TestCase::Kind::Match) {
    ++counts.error_cases;
    if (query) {
      FAIL_CHECK("expected a compile error (" << c.expected_error << "), but the query compiles");
      return;
    }
    const std::string got = query.error().to_string();
    if (c.kind == TestCase::Kind::ErrorExact) {
      std::string expected = c.expected_error;
      std::string got_line = first_line(got);
      CAPTURE(expected, got_line);
      CHECK(got_line == expected);
    } else {
      std::string expected_substring = c.expected_error;
      CAPTURE(expected_substring, got);
      CHECK(got.find(expected_substring) != std::string::npos);
    }
    if (parsed) check_round_trip(c.query, *parsed);
    return;
  }

  ++counts.match_cases;
  if (c.expected.size() != c.events.size()) return;  // reported as malformed
  if (!query) {
    FAIL_CHECK("the query does not compile: " << query.error().to_string());
    return;
  }
  if (!parsed) {
    FAIL_CHECK("compile() accepts the query but internal::parse rejects it: "
               << parsed.error().to_string());
  } else {
    check_round_trip(c.query, *parsed);
  }

  eqlite::JsonReader reader(*query);
  eqlite::Event event;
  eqlite::Vm vm;
  for (std::size_t k = 0; k < c.events.size(); ++k) {
    const TestEvent* e = find_event(f, c.events[k]);
    if (!e) continue;  // reported as malformed
    INFO("event " << e->name << " (" << f.name << ":" << e->line << "): " << e->json);
    auto ok = reader.read(e->json, event);
    if (!ok) {
      FAIL_CHECK("the event is not valid JSON: " << ok.error().to_string());
      continue;
    }
    const bool expected = c.expected[k];
    const bool got = vm.matches(*query, event);
    ++counts.evaluations;
    CAPTURE(expected, got);
    CHECK(got == expected);
    if (parsed) {
      // The reference interpreter (tests/support/) on the same values: field i of the query
      // is query->fields()[i], so the FlatEvent holds exactly what the JsonReader read.
      eqlite::FlatEvent flat;
      for (std::size_t i = 0; i < query->fields().size(); ++i)
        for (const auto& v : event.values(static_cast<std::uint32_t>(i)))
          flat.add(query->fields()[i], v);
      const bool reference = eqlite::testing::reference_matches(*parsed, flat);
      ++counts.reference_evaluations;
      CAPTURE(reference);
      CHECK(reference == expected);
    }
  }

  // S11: any event, no expectation, must evaluate without failing.
  for (const auto& e : f.events) {
    if (reader.read(e.json, event)) (void)vm.matches(*query, event);
  }
}

}  // namespace

TEST_CASE("conformance: tests/conformance/cases/*.test", "[conformance]") {
  const fs::path dir = fs::path(EQLITE_SOURCE_DIR) / "tests" / "conformance" / "cases";
  const char* filter_env = std::getenv("EQLITE_CONFORMANCE_FILTER");
  const std::string filter = filter_env ? filter_env : "";

  std::vector<fs::path> paths;
  {
    INFO("cases directory: " << dir.string() << (filter.empty() ? "" : ", filter: " + filter));
    REQUIRE(fs::is_directory(dir));
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".test") continue;
      if (!filter.empty() && entry.path().filename().string().find(filter) == std::string::npos)
        continue;
      paths.push_back(entry.path());
    }
    REQUIRE_FALSE(paths.empty());  // the suite must not pass vacuously
  }
  std::sort(paths.begin(), paths.end());

  Counts counts;
  for (const auto& path : paths) {
    TestFile f = parse_file(path);
    ++counts.files;
    for (const auto& p : f.problems)
      FAIL_CHECK("malformed test file: " << p);
    for (const auto& c : f.cases)
      run_case(f, c, counts);
  }
  INFO(counts.files << " files, " << counts.results_cases << " results cases, "
                    << counts.match_cases << " match cases (" << counts.evaluations
                    << " evaluations, " << counts.reference_evaluations
                    << " by the reference interpreter), " << counts.error_cases << " error cases");
  CHECK(counts.match_cases + counts.error_cases + counts.results_cases > 0);
}
