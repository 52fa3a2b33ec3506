// tests/cli/rule_test_command_test.cpp — `eqlite test` (docs/rule-tests.md): rules run over
// events whose `scenario` objects state the expected outcome; PASS / FAIL with what differed,
// exit 0 / 1 / 2.
#include <filesystem>
#include <string>
#include <vector>

#include "cli/cli_support.hpp"

using namespace cli_test;

namespace {

// A single-event rule and four events: two it matches, two it does not.
const char* const kRule =
    "authentication where event.outcome == \"failure\" and user.name : \"a*\"\n";

std::string event(const std::string& time, const std::string& user, const std::string& outcome,
                  const std::string& scenario) {
  std::string line = "{\"@timestamp\":\"2025-01-01T00:" + time +
                     "Z\",\"event\":{\"category\":\"authentication\",\"outcome\":\"" + outcome +
                     "\"},\"user\":{\"name\":\"" + user + "\"}";
  if (!scenario.empty()) line += ",\"scenario\":" + scenario;
  return line + "}\n";
}

std::string single_data(const std::string& bob_expect = "no-match") {
  return event("00:01", "ana", "failure", R"({"id":"ana-fails","expect":"match"})") +
         event("00:02", "ana", "success", R"({"id":"ana-succeeds","expect":"no-match"})") +
         event("00:03", "bob", "failure", R"({"id":"bob-fails","expect":")" + bob_expect + "\"}") +
         event("00:04", "alex", "failure", R"({"id":"alex-fails","expect":"match"})");
}

// A sequence: failures then a success by the same user within 10 minutes.
const char* const kSequence =
    "sequence by user.name with maxspan=10m\n"
    "  [authentication where event.outcome == \"failure\"]\n"
    "  [authentication where event.outcome == \"success\"]\n";

std::string member(const std::string& result, int stage, const std::string& keys) {
  return R"({"result":")" + result + R"(","stage":)" + std::to_string(stage) + R"(,"join_keys":)" +
         keys + "}";
}

std::string sequence_data(const std::string& ana_success_member) {
  return event("00:01", "ana", "failure",
               R"({"id":"ana-1","expect":[)" + member("ana", 1, R"(["ana"])") + "]}") +
         event("00:02", "bob", "success", R"({"id":"bob-alone","expect":[]})") +
         event("00:03", "ana", "success",
               R"({"id":"ana-2","expect":[)" + ana_success_member + "]}") +
         event("00:04", "carl", "failure", R"({"id":"carl-1","expect":[]})") +
         event("30:00", "carl", "success", R"({"id":"carl-late","expect":[]})");
}

}  // namespace

TEST_CASE("eqlite test: the examples' manifest passes", "[rule_test_command]") {
  Cli cli;
  RunResult r = cli.run("test --manifest " + q(kSourceDir + "/examples/rule-tests.toml"));
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 9);
  CHECK(lines[0] == "PASS  t1078_004.eql: 37 scenarios");
  CHECK(lines[1] == "PASS  t1078_004.eql with its exception list: 12 scenarios");
  CHECK(lines[2] == "PASS  t1078_004_elastic.eql: 37 scenarios");
  CHECK(lines[3] == "PASS  rules/t1078_004_elastic.toml: 37 scenarios");
  CHECK_THAT(r.out, Contains("PASS  signin_failures_from_one_ip.eql: 22 scenarios"));
  CHECK_THAT(r.out, Contains("PASS  risky_signin_then_mfa_registration.eql: 21 scenarios"));
  CHECK(lines[8] == "8 tests: 8 passed, 0 failed (208 scenarios checked)");
}

TEST_CASE("eqlite test: the T1078.004 tuning example, with and without its exception list",
          "[rule_test_command]") {
  Cli cli;
  const std::string rule = kSourceDir + "/examples/t1078_004.eql";
  const std::string data = kSourceDir + "/examples/data/t1078_004_exceptions.ndjson";
  const std::string lists = kSourceDir + "/examples/exceptions/t1078_004.ndjson";
  RunResult r = cli.run("test --set event.dataset=azure.signinlogs --exceptions " + q(lists) + " " +
                        q(rule) + " " + q(data));
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out == "PASS  " + rule +
                     ": 12 scenarios\n1 test: 1 passed, 0 failed (12 scenarios "
                     "checked)\n");
  // Without the list, the five excepted sign-ins are plain matches.
  r = cli.run("test --set event.dataset=azure.signinlogs " + q(rule) + " " + q(data));
  SHOW(r);
  CHECK(r.status == 1);
  CHECK_THAT(r.out, StartsWith("FAIL  " + rule + ": 5 of 12 scenarios differ\n"));
  CHECK_THAT(r.out,
             Contains(data + ":1: scenario traveller-cn-excepted: expected excepted, got match\n"));
}

namespace {

// One list, one item: alex's failures are excepted.
const char* const kExceptions =
    R"({"list_id":"auth-tuning","name":"Auth tuning","namespace_type":"single",)"
    R"("type":"detection","description":"tuning"})"
    "\n"
    R"({"item_id":"svc-alex","list_id":"auth-tuning","name":"Service account alex",)"
    R"("namespace_type":"single","type":"simple","description":"a known service account",)"
    R"("entries":[{"field":"user.name","operator":"included","type":"match","value":"alex"}]})"
    "\n";

// kExceptions with `from` (its first occurrence) replaced by `to`.
std::string exceptions_with(const std::string& from, const std::string& to) {
  std::string text = kExceptions;
  text.replace(text.find(from), from.size(), to);
  return text;
}

std::string excepted_data(const std::string& alex_expect) {
  return event("00:01", "ana", "failure", R"({"id":"ana-fails","expect":"match"})") +
         event("00:02", "ana", "success", R"({"id":"ana-succeeds","expect":"no-match"})") +
         event("00:04", "alex", "failure",
               R"({"id":"alex-fails","expect":")" + alex_expect + "\"}") +
         event("00:05", "alex", "success", R"({"id":"alex-succeeds","expect":"no-match"})");
}

}  // namespace

TEST_CASE("eqlite test: exception lists, \"excepted\"", "[rule_test_command]") {
  Cli cli;
  cli.file("rule.eql", kRule);
  cli.file("tuning.ndjson", kExceptions);
  SECTION("an excepted scenario passes") {
    cli.file("events.ndjson", excepted_data("excepted"));
    RunResult r = cli.run("test --exceptions tuning.ndjson rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out ==
          "PASS  rule.eql: 4 scenarios\n1 test: 1 passed, 0 failed (4 scenarios checked)\n");
  }
  SECTION("\"match\" for an excepted event fails, naming the scenario and the item") {
    cli.file("events.ndjson", excepted_data("match"));
    RunResult r = cli.run("test --exceptions tuning.ndjson rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out ==
          "FAIL  rule.eql: 1 of 4 scenarios differ\n"
          "      events.ndjson:3: scenario alex-fails: expected match, got excepted (item "
          "\"Service account alex\")\n"
          "1 test: 0 passed, 1 failed (4 scenarios checked)\n");
  }
  SECTION("\"excepted\" for an event no item excepts fails") {
    cli.file("events.ndjson",
             excepted_data("excepted") +
                 event("00:06", "ann", "failure", R"({"id":"ann-fails","expect":"excepted"})"));
    RunResult r = cli.run("test --exceptions tuning.ndjson rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("events.ndjson:5: scenario ann-fails: expected excepted, got "
                               "match\n"));
    CHECK_THAT(r.out, Contains("1 of 5 scenarios differ"));
  }
  SECTION("\"excepted\" without exception lists: the rule's match stands") {
    cli.file("events.ndjson", excepted_data("excepted"));
    RunResult r = cli.run("test rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("scenario alex-fails: expected excepted, got match\n"));
  }
  SECTION("\"no-match\" for an excepted event fails: the rule matched it") {
    cli.file("events.ndjson", excepted_data("no-match"));
    RunResult r = cli.run("test --exceptions tuning.ndjson rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("scenario alex-fails: expected no-match, got excepted (item "
                               "\"Service account alex\")\n"));
  }
  SECTION("the lists see the test's constants") {
    cli.file("tuning.ndjson",
             exceptions_with(R"("field":"user.name")", R"("field":"event.dataset")"));
    cli.file("events.ndjson", excepted_data("match"));
    RunResult r = cli.run(
        "test --exceptions tuning.ndjson --set event.dataset=alex rule.eql "
        "events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    // Every event has event.dataset "alex" now: ana's failure is excepted too.
    CHECK_THAT(r.out, Contains("scenario ana-fails: expected match, got excepted (item "
                               "\"Service account alex\")\n"));
    CHECK_THAT(r.out, Contains("scenario alex-fails: expected match, got excepted"));
  }
  SECTION("a manifest's exceptions, relative to it; --format json") {
    std::filesystem::create_directories(cli.dir() + "/t");
    cli.file("t/tuning.ndjson", kExceptions);
    cli.file("t/rule.eql", kRule);
    cli.file("t/events.ndjson", excepted_data("match"));
    cli.file("t/rule-tests.toml",
             "[[test]]\nrule = \"rule.eql\"\ndata = \"events.ndjson\"\n"
             "exceptions = [\"tuning.ndjson\"]\n");
    RunResult r = cli.run("test --format json --manifest t/rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains(R"x("scenario":"alex-fails","expected":"match",)x"
                               R"x("got":"excepted (item \"Service account alex\")"})x"));
  }
  SECTION("an exception file that does not load is an error") {
    cli.file("events.ndjson", excepted_data("excepted"));
    RunResult r = cli.run("test --exceptions missing.ndjson rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("missing.ndjson"));
    CHECK_THAT(r.out, StartsWith("ERROR rule.eql: "));
  }
  SECTION("a TOML rule's list that is not in the files: a warning") {
    cli.file("rule.toml",
             std::string("[rule]\nname = \"x\"\ntype = \"eql\"\nlanguage = \"eql\"\n") +
                 "query = '''\n" + kRule +
                 "'''\n\n[[rule.exceptions_list]]\nid = \"other\"\nlist_id = "
                 "\"other\"\nnamespace_type = \"single\"\ntype = \"detection\"\n");
    cli.file("events.ndjson", excepted_data("excepted"));
    RunResult r = cli.run("test --exceptions tuning.ndjson rule.toml events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.err, Contains("rule.toml: warning: exception list other (single) is not in the "
                               "test's exception files"));
  }
}

TEST_CASE("eqlite test: exception lists and sequences", "[rule_test_command]") {
  Cli cli;
  cli.file("seq.eql", kSequence);
  // An item that excepts ana's success: her result is excepted as a whole.
  cli.file("tuning.ndjson", exceptions_with(R"("value":"alex")", R"("value":"ana")"));
  std::string data = sequence_data(member("ana", 2, R"(["ana"])"));
  SECTION("the list form: \"excepted\":true") {
    for (const std::string stage : {"1", "2"}) {
      const std::string plain = R"("stage":)" + stage + R"(,"join_keys":["ana"]})";
      data.replace(data.find(plain), plain.size(),
                   R"("stage":)" + stage + R"(,"join_keys":["ana"],"excepted":true})");
    }
    cli.file("events.ndjson", data);
    RunResult r = cli.run("test --exceptions tuning.ndjson seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
  }
  SECTION("a list entry without it: expected and got differ by the item") {
    cli.file("events.ndjson", data);
    RunResult r = cli.run("test --exceptions tuning.ndjson seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("scenario ana-1: expected stage 1 of ana [\"ana\"], got stage 1 "
                               "of ana [\"ana\"] excepted (item \"Service account alex\")\n"));
    CHECK_THAT(r.out, Contains("2 of 5 scenarios differ"));
  }
  SECTION("the short forms: \"excepted\" and \"match\"") {
    const std::string ana1 = R"({"id":"ana-1","expect":[)" + member("ana", 1, R"(["ana"])") + "]}";
    data.replace(data.find(ana1), ana1.size(), R"({"id":"ana-1","expect":"excepted"})");
    const std::string ana2 = R"({"id":"ana-2","expect":[)" + member("ana", 2, R"(["ana"])") + "]}";
    data.replace(data.find(ana2), ana2.size(), R"({"id":"ana-2","expect":"match"})");
    cli.file("events.ndjson", data);
    RunResult r = cli.run("test --exceptions tuning.ndjson seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("1 of 5 scenarios differ"));
    CHECK_THAT(r.out, Contains("scenario ana-2: expected some result, got stage 2 of result "
                               "#1 [\"ana\"] excepted (item \"Service account alex\")\n"));
  }
}

namespace {

// kExceptions with its item on `"tag":"noise"` instead of alex.
std::string noise_exceptions() {
  return exceptions_with(
      R"("field":"user.name","operator":"included","type":"match","value":"alex")",
      R"("field":"tag","operator":"included","type":"match","value":"noise")");
}

// An event of event(), tagged "noise" (which noise_exceptions() excepts).
std::string noisy(const std::string& line) {
  std::string text = line;
  text.insert(text.find(R"("user":)"), R"("tag":"noise",)");
  return text;
}

// ana fails, succeeds with the "noise" tag (excepted), and succeeds again: with the lists, the
// excepted success takes part in no sequence and the later one completes ana's result; the
// sequence the excepted success would have completed is an excepted result.
std::string replaced_data(const std::string& ana1, const std::string& noise,
                          const std::string& ana3) {
  return event("00:01", "ana", "failure", R"({"id":"ana-1","expect":)" + ana1 + "}") +
         noisy(event("00:02", "ana", "success", R"({"id":"ana-noise","expect":)" + noise + "}")) +
         event("00:03", "ana", "success", R"({"id":"ana-3","expect":)" + ana3 + "}");
}

std::string excepted_member(const std::string& result, int stage, const std::string& keys) {
  std::string m = member(result, stage, keys);
  m.insert(m.size() - 1, R"(,"excepted":true)");
  return m;
}

}  // namespace

TEST_CASE("eqlite test: an excepted event takes part in no sequence, as in eqlite match",
          "[rule_test_command]") {
  Cli cli;
  cli.file("seq.eql", kSequence);
  cli.file("noise.ndjson", noise_exceptions());
  const std::string ana1 =
      "[" + member("real", 1, R"(["ana"])") + "," + excepted_member("tuned", 1, R"(["ana"])") + "]";
  const std::string noise = "[" + excepted_member("tuned", 2, R"(["ana"])") + "]";
  const std::string ana3 = "[" + member("real", 2, R"(["ana"])") + "]";
  SECTION("the later event forms the result; the excepted one is part of an excepted result") {
    cli.file("events.ndjson", replaced_data(ana1, noise, ana3));
    RunResult r = cli.run("test --exceptions noise.ndjson seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK_THAT(r.out, StartsWith("PASS  seq.eql: 3 scenarios\n"));
    // The same answer as eqlite match: one alert, of the first and the third event.
    RunResult m = cli.run("match --rule-file seq.eql --exceptions noise.ndjson events.ndjson");
    SHOW(m);
    CHECK(m.status == 0);
    const auto alerts = lines_of(m.out);
    REQUIRE(alerts.size() == 1);
    CHECK_THAT(alerts[0], Contains("\"id\":\"ana-1\""));
    CHECK_THAT(alerts[0], Contains("\"id\":\"ana-3\""));
    CHECK_THAT(alerts[0], !Contains("ana-noise"));
  }
  SECTION("the short forms: \"match\" for a real result, \"excepted\" for excepted ones only") {
    cli.file("events.ndjson", replaced_data(R"("match")", R"("excepted")", R"("match")"));
    RunResult r = cli.run("test --exceptions noise.ndjson seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
  }
  SECTION("the excepted result as a whole is not what the rule gives") {
    // Expected as if the exception only dropped the result with the excepted event: then the
    // later success would complete nothing. The real result is the second to come (#2): the
    // excepted one is complete at the excepted success.
    cli.file("events.ndjson",
             replaced_data("[" + excepted_member("tuned", 1, R"(["ana"])") + "]", noise, "[]"));
    RunResult r = cli.run("test --exceptions noise.ndjson seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("2 of 3 scenarios differ"));
    CHECK_THAT(r.out, Contains("scenario ana-1: expected stage 1 of tuned [\"ana\"] excepted, got "
                               "stage 1 of result #2 [\"ana\"] and stage 1 of tuned [\"ana\"] "
                               "excepted (item \"Service account alex\")\n"));
    CHECK_THAT(r.out, Contains("scenario ana-3: expected no result, got stage 2 of result #2 "
                               "[\"ana\"]\n"));
  }
  SECTION("without the lists, the first success completes the only result") {
    cli.file("events.ndjson", replaced_data("[" + member("ana", 1, R"(["ana"])") + "]",
                                            "[" + member("ana", 2, R"(["ana"])") + "]", "[]"));
    RunResult r = cli.run("test seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
  }
}

TEST_CASE("eqlite test: an excepted event takes part in no sample", "[rule_test_command]") {
  Cli cli;
  cli.file("sample.eql", "sample by host.name [any where a == 1] [any where b == 2]\n");
  cli.file("noise.ndjson", noise_exceptions());
  auto line = [](int t, const std::string& field, const std::string& extra,
                 const std::string& scenario) {
    return "{\"@timestamp\":\"2025-01-01T00:00:0" + std::to_string(t) +
           "Z\",\"host\":{\"name\":\"h1\"}," + extra + "\"" + field +
           "\":" + (field == "a" ? "1" : "2") + ",\"scenario\":" + scenario + "}\n";
  };
  cli.file("events.ndjson",
           line(1, "a", R"("tag":"noise",)",
                R"({"id":"a-noise","expect":[{"result":"tuned","stage":1,"join_keys":["h1"],)"
                R"("excepted":true}]})") +
               line(2, "a", "",
                    R"({"id":"a-2","expect":[{"result":"h1","stage":1,"join_keys":["h1"]}]})") +
               line(3, "b", "",
                    R"({"id":"b-3","expect":[{"result":"h1","stage":2,"join_keys":["h1"]},)"
                    R"({"result":"tuned","stage":2,"join_keys":["h1"],"excepted":true}]})"));
  RunResult r = cli.run("test --exceptions noise.ndjson sample.eql events.ndjson");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, StartsWith("PASS  sample.eql: 3 scenarios\n"));
}

TEST_CASE("eqlite test: the T1078.004 rule without event.dataset fails, naming each scenario",
          "[rule_test_command]") {
  Cli cli;
  const std::string rule = kSourceDir + "/examples/t1078_004.eql";
  const std::string data = kSourceDir + "/examples/data/signinlogs.ndjson";
  RunResult r = cli.run("test " + q(rule) + " " + q(data));
  SHOW(r);
  CHECK(r.status == 1);
  CHECK_THAT(r.out, StartsWith("FAIL  " + rule + ": 21 of 37 scenarios differ\n"));
  CHECK_THAT(r.out, Contains(data + ":1: scenario country-kp-graph-export: expected match, got "
                                    "no-match\n"));
  CHECK_THAT(r.out, Contains("1 test: 0 passed, 1 failed (37 scenarios checked)"));
  // With the constant, as a --set or as the data stream's name.
  r = cli.run("test --set event.dataset=azure.signinlogs " + q(rule) + " " + q(data));
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out == "PASS  " + rule +
                     ": 37 scenarios\n1 test: 1 passed, 0 failed (37 scenarios "
                     "checked)\n");
  r = cli.run("test --index logs-azure.signinlogs-default --expect-key expect_elastic " +
              q(kSourceDir + "/examples/t1078_004_elastic.eql") + " " + q(data));
  SHOW(r);
  CHECK(r.status == 0);
  // The other rule's expectations do not hold for the verbatim rule.
  r = cli.run("test --set event.dataset=azure.signinlogs --expect-key expect_elastic " + q(rule) +
              " " + q(data));
  SHOW(r);
  CHECK(r.status == 1);
  CHECK_THAT(r.out, Contains("scenario country-kp-graph-export: expected no-match, got match"));
}

TEST_CASE("eqlite test: a single-event rule, pass and fail", "[rule_test_command]") {
  Cli cli;
  cli.file("rule.eql", kRule);
  SECTION("every expectation holds") {
    cli.file("events.ndjson", single_data());
    RunResult r = cli.run("test rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out ==
          "PASS  rule.eql: 4 scenarios\n1 test: 1 passed, 0 failed (4 scenarios checked)\n");
  }
  SECTION("a wrong expectation: FAIL, the scenario, expected and got, exit 1") {
    cli.file("events.ndjson", single_data("match"));
    RunResult r = cli.run("test rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out ==
          "FAIL  rule.eql: 1 of 4 scenarios differ\n"
          "      events.ndjson:3: scenario bob-fails: expected match, got no-match\n"
          "1 test: 0 passed, 1 failed (4 scenarios checked)\n");
  }
  SECTION("--format json") {
    cli.file("events.ndjson", single_data("match"));
    RunResult r = cli.run("test --format json rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    const auto lines = lines_of(r.out);
    REQUIRE(lines.size() == 2);
    CHECK(lines[0] ==
          R"({"test":"rule.eql","rule":"rule.eql","data":["events.ndjson"],"status":"fail",)"
          R"("scenarios":4,"unchecked":0,"results":2,"failures":[{"file":"events.ndjson",)"
          R"("line":3,"scenario":"bob-fails","expected":"match","got":"no-match"}]})");
    CHECK(lines[1] == R"({"tests":1,"passed":0,"failed":1,"errors":0,"scenarios":4})");
  }
}

TEST_CASE("eqlite test: events without a scenario are not checked; a test with none is an error",
          "[rule_test_command]") {
  Cli cli;
  cli.file("rule.eql", kRule);
  SECTION("some without") {
    // ann's failure matches the rule but says nothing: it is context, not checked.
    cli.file("events.ndjson", single_data() + event("00:05", "ann", "failure", "") +
                                  event("00:06", "ann", "failure", R"({"id":"no-key"})"));
    RunResult r = cli.run("test rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(
        r.out,
        StartsWith("PASS  rule.eql: 4 scenarios, 2 events without \"expect\" not checked\n"));
  }
  SECTION("none: nothing to check, exit 2") {
    cli.file("events.ndjson", event("00:05", "ann", "failure", ""));
    RunResult r = cli.run("test rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("no event of events.ndjson has a scenario with \"expect\""));
    CHECK_THAT(r.out, StartsWith("ERROR rule.eql: "));
  }
  SECTION("a misspelt --expect-key checks nothing either") {
    cli.file("events.ndjson", single_data());
    RunResult r = cli.run("test --expect-key expected rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("has a scenario with \"expected\": nothing to check"));
  }
}

TEST_CASE("eqlite test: sequences, results by stage and join keys", "[rule_test_command]") {
  Cli cli;
  cli.file("seq.eql", kSequence);
  SECTION("as expected") {
    cli.file("events.ndjson", sequence_data(member("ana", 2, R"(["ana"])")));
    RunResult r = cli.run("test seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, StartsWith("PASS  seq.eql: 5 scenarios\n"));
  }
  SECTION("the same from events out of time order: they are put in order") {
    const auto lines = lines_of(sequence_data(member("ana", 2, R"(["ana"])")));
    std::string reversed;
    for (auto it = lines.rbegin(); it != lines.rend(); ++it)
      reversed += *it + "\n";
    cli.file("events.ndjson", reversed);
    RunResult r = cli.run("test seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
  }
  SECTION("another stage") {
    cli.file("events.ndjson", sequence_data(member("ana", 1, R"(["ana"])")));
    RunResult r = cli.run("test seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("events.ndjson:3: scenario ana-2: expected stage 1 of ana "
                               "[\"ana\"], got stage 2 of ana [\"ana\"]\n"));
    CHECK_THAT(r.out, Contains("1 of 5 scenarios differ"));
  }
  SECTION("other join keys") {
    cli.file("events.ndjson", sequence_data(member("ana", 2, R"(["Ana"])")));
    RunResult r = cli.run("test seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("scenario ana-2: expected stage 2 of ana [\"Ana\"], got stage 2 "
                               "of ana [\"ana\"]\n"));
  }
  SECTION("a result that does not happen, and one that was not expected") {
    std::string data = sequence_data(member("ana", 2, R"(["ana"])"));
    // carl's late success is expected to complete a result; bob's success to be in none is
    // kept. Then a result nobody expected: dan fails and succeeds, scenarios say no result.
    const std::string carl = R"({"id":"carl-late","expect":[]})";
    data.replace(data.find(carl), carl.size(),
                 R"({"id":"carl-late","expect":[)" + member("carl", 2, R"(["carl"])") + "]}");
    data += event("31:00", "dan", "failure", R"({"id":"dan-1","expect":"no-match"})") +
            event("31:30", "dan", "success", R"({"id":"dan-2","expect":[]})");
    cli.file("events.ndjson", data);
    RunResult r = cli.run("test seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("scenario carl-late: expected stage 2 of carl [\"carl\"], got no "
                               "result\n"));
    CHECK_THAT(r.out, Contains("scenario dan-1: expected no result, got stage 1 of result #2 "
                               "[\"dan\"]\n"));
    CHECK_THAT(r.out, Contains("scenario dan-2: expected no result, got stage 2 of result #2 "
                               "[\"dan\"]\n"));
    CHECK_THAT(r.out, Contains("3 of 7 scenarios differ"));
  }
  SECTION("\"match\" / \"no-match\" for a sequence: part of some result, of none") {
    std::string data = sequence_data(member("ana", 2, R"(["ana"])"));
    const std::string ana1 = R"({"id":"ana-1","expect":[)" + member("ana", 1, R"(["ana"])") + "]}";
    data.replace(data.find(ana1), ana1.size(), R"({"id":"ana-1","expect":"match"})");
    const std::string bob = R"({"id":"bob-alone","expect":[]})";
    data.replace(data.find(bob), bob.size(), R"({"id":"bob-alone","expect":"match"})");
    cli.file("events.ndjson", data);
    RunResult r = cli.run("test seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("1 of 5 scenarios differ"));
    CHECK_THAT(r.out, Contains("scenario bob-alone: expected some result, got no result\n"));
  }
  SECTION("a list for a single-event rule is an error of the data") {
    cli.file("rule.eql", kRule);
    cli.file("events.ndjson", sequence_data(member("ana", 2, R"(["ana"])")));
    RunResult r = cli.run("test rule.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("events.ndjson:1: scenario ana-1: a list of results is for a "
                               "sequence or sample rule"));
  }
  SECTION("a malformed expectation is an error of the data") {
    cli.file("events.ndjson", sequence_data(R"({"result":"ana","stage":"two"})"));
    RunResult r = cli.run("test seq.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("events.ndjson:3: scenario ana-2: scenario.expect must be"));
    CHECK_THAT(r.err, Contains("\"stage\" is not a whole number from 1"));
  }
}

TEST_CASE("eqlite test: a sample rule's stages are its filters", "[rule_test_command]") {
  Cli cli;
  cli.file("sample.eql", "sample by host.name [any where a == 1] [any where b == 2]\n");
  auto line = [](int t, const std::string& host, const std::string& field,
                 const std::string& scenario) {
    return "{\"@timestamp\":\"2025-01-01T00:00:0" + std::to_string(t) +
           "Z\",\"host\":{\"name\":\"" + host + "\"},\"" + field +
           "\":" + (field == "a" ? "1" : "2") + ",\"scenario\":" + scenario + "}\n";
  };
  const std::string data =
      line(1, "h1", "a",
           R"({"id":"h1-a","expect":[{"result":"h1","stage":1,"join_keys":["h1"]}]})") +
      line(2, "h2", "b", R"({"id":"h2-b","expect":[]})") +
      line(3, "h1", "b",
           R"({"id":"h1-b","expect":[{"result":"h1","stage":2,"join_keys":["h1"]}]})");
  cli.file("events.ndjson", data);
  RunResult r = cli.run("test sample.eql events.ndjson");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, StartsWith("PASS  sample.eql: 3 scenarios\n"));
}

TEST_CASE("eqlite test: errors exit 2 and say where", "[rule_test_command]") {
  Cli cli;
  cli.file("events.ndjson", single_data());
  SECTION("a rule that does not compile: FILE:LINE:COL, the line and a caret") {
    cli.file("broken.eql", "authentication where\n  user.name == \n");
    RunResult r = cli.run("test broken.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    const auto err = lines_of(r.err);
    REQUIRE(err.size() >= 3);
    CHECK_THAT(err[0], StartsWith("broken.eql:2:"));
    CHECK(err[1] == "  user.name == ");
    CHECK(err[2].find('^') != std::string::npos);
    CHECK_THAT(r.out, Contains("ERROR broken.eql: broken.eql:2:"));
    CHECK_THAT(r.out, Contains("1 test: 0 passed, 0 failed, 1 error"));
  }
  SECTION("a detection-rules TOML rule: the position is in the TOML file") {
    cli.file(
        "rule.toml",
        "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"x\"\n"
        "rule_id = \"00000000-0000-4000-8000-000000000001\"\ntype = \"eql\"\n"
        "language = \"eql\"\nquery = '''\nauthentication where\n  user.name ==== \"a\"\n'''\n");
    RunResult r = cli.run("test rule.toml events.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, StartsWith("rule.toml:11:"));
    CHECK_THAT(r.err, Contains("\n  user.name ==== \"a\"\n"));
  }
  SECTION("a TOML rule whose index patterns do not cover the test's index: a warning") {
    cli.file("rule.toml",
             std::string("[rule]\nname = \"x\"\ntype = \"eql\"\nlanguage = \"eql\"\n") +
                 "index = [\"logs-x.auth-*\"]\nquery = '''\n" + kRule + "'''\n");
    RunResult r = cli.run("test --index logs-y.auth-default rule.toml events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.err, Contains("rule.toml: warning: the rule's index patterns (logs-x.auth-*) do "
                               "not cover logs-y.auth-default"));
    r = cli.run("test --index logs-x.auth-default rule.toml events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }
  SECTION("a data file that cannot be read") {
    cli.file("rule.eql", kRule);
    RunResult r = cli.run("test rule.eql events.ndjson missing.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("cannot read missing.ndjson"));
    CHECK_THAT(r.out, StartsWith("ERROR rule.eql: "));
  }
  SECTION("a line that is not JSON") {
    cli.file("rule.eql", kRule);
    cli.file("bad.ndjson", single_data() + "{\"scenario\":\n");
    RunResult r = cli.run("test rule.eql bad.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, StartsWith("bad.ndjson:5: "));
  }
  SECTION("a failing test and an error: exit 2, both reported") {
    cli.file("rule.eql", kRule);
    cli.file("wrong.ndjson", single_data("match"));
    cli.file("rule-tests.toml",
             "[[test]]\nrule = \"rule.eql\"\ndata = \"wrong.ndjson\"\n"
             "[[test]]\nrule = \"rule.eql\"\ndata = [\"missing.ndjson\"]\nname = \"gone\"\n");
    RunResult r = cli.run("test --manifest rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.out, Contains("FAIL  rule.eql: 1 of 4 scenarios differ\n"));
    CHECK_THAT(r.out, Contains("ERROR gone: "));
    CHECK_THAT(r.out, Contains("2 tests: 0 passed, 1 failed, 1 error"));
  }
}

TEST_CASE("eqlite test: manifests", "[rule_test_command]") {
  Cli cli;
  std::filesystem::create_directories(cli.dir() + "/t/data");
  cli.file("t/rule.eql",
           "authentication where event.dataset == \"x.logs\" and event.outcome == \"failure\" and "
           "user.name : \"a*\"\n");
  cli.file("t/data/events.ndjson", single_data());
  SECTION("paths relative to the manifest, constants from set and from index") {
    cli.file("t/rule-tests.toml",
             "[[test]]\nname = \"with set\"\nrule = \"rule.eql\"\ndata = [\"data/events.ndjson\"]\n"
             "set = { \"event.dataset\" = \"x.logs\" }\n"
             "[[test]]\nname = \"with index\"\nrule = \"rule.eql\"\ndata = \"data/events.ndjson\"\n"
             "index = \"logs-x.logs-default\"\n");
    RunResult r = cli.run("test --manifest t/rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out ==
          "PASS  with set: 4 scenarios\nPASS  with index: 4 scenarios\n"
          "2 tests: 2 passed, 0 failed (8 scenarios checked)\n");
  }
  SECTION("without the constant the test fails") {
    cli.file("t/rule-tests.toml", "[[test]]\nrule = \"rule.eql\"\ndata = \"data/events.ndjson\"\n");
    RunResult r = cli.run("test --manifest t/rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("t/data/events.ndjson:1: scenario ana-fails: expected match, got "
                               "no-match"));
  }
  SECTION("an unknown key is reported at its position") {
    cli.file("t/rule-tests.toml",
             "[[test]]\nrule = \"rule.eql\"\ndata = \"data/events.ndjson\"\nexpect = \"x\"\n");
    RunResult r = cli.run("test --manifest t/rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, StartsWith("t/rule-tests.toml:4:"));
    CHECK_THAT(r.err, Contains("unknown key 'expect'"));
  }
  SECTION("a test without data") {
    cli.file("t/rule-tests.toml", "[[test]]\nrule = \"rule.eql\"\n");
    RunResult r = cli.run("test --manifest t/rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("the test has no 'data'"));
  }
  SECTION("not TOML") {
    cli.file("t/rule-tests.toml", "[[test]\n");
    RunResult r = cli.run("test --manifest t/rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, StartsWith("t/rule-tests.toml:1:"));
  }
  SECTION("a manifest and RULE DATA together") {
    RunResult r = cli.run("test --manifest t/rule-tests.toml t/rule.eql");
    SHOW(r);
    CHECK(r.status == 2);
  }
}

TEST_CASE("eqlite test: a bad [[test]] is an ERROR, the other tests still run",
          "[rule_test_command]") {
  Cli cli;
  cli.file("rule.eql", kRule);
  cli.file("events.ndjson", single_data());
  SECTION("an unknown key in the second test") {
    cli.file("rule-tests.toml",
             "[[test]]\nname = \"good\"\nrule = \"rule.eql\"\ndata = \"events.ndjson\"\n"
             "[[test]]\nname = \"bad\"\nrule = \"rule.eql\"\ndata = \"events.ndjson\"\n"
             "expect = \"x\"\n"
             "[[test]]\nname = \"also good\"\nrule = \"rule.eql\"\ndata = \"events.ndjson\"\n");
    RunResult r = cli.run("test --manifest rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out ==
          "PASS  good: 4 scenarios\n"
          "ERROR bad: rule-tests.toml:9:10: unknown key 'expect' (a test has rule, data, "
          "expect_key, set, index, exceptions, timestamp_field, name)\n"
          "PASS  also good: 4 scenarios\n"
          "3 tests: 2 passed, 0 failed, 1 error (8 scenarios checked)\n");
    CHECK_THAT(r.err, StartsWith("rule-tests.toml:9:10: unknown key 'expect'"));
  }
  SECTION("a test without a rule is named by its position") {
    cli.file("rule-tests.toml",
             "[[test]]\nrule = \"rule.eql\"\ndata = \"events.ndjson\"\n"
             "[[test]]\ndata = \"events.ndjson\"\n");
    RunResult r = cli.run("test --manifest rule-tests.toml --format json");
    SHOW(r);
    CHECK(r.status == 2);
    const auto out = lines_of(r.out);
    REQUIRE(out.size() == 3);
    CHECK_THAT(out[0], Contains("\"status\":\"pass\""));
    CHECK_THAT(out[1], Contains("\"status\":\"error\""));
    CHECK_THAT(out[1], Contains("the test has no 'rule'"));
  }
  SECTION("columns in bytes") {
    cli.file("rule-tests.toml",
             "test = [{ name = \"caf\xC3\xA9 \xC3\xA9\xC3\xA9\", rule = \"rule.eql\", data = "
             "\"events.ndjson\", bad = 1 }]\n");
    RunResult r = cli.run("test --manifest rule-tests.toml");
    SHOW(r);
    CHECK(r.status == 2);
    const std::string line = read_all(cli.dir() + "/rule-tests.toml");
    CHECK_THAT(r.err, StartsWith("rule-tests.toml:1:" + std::to_string(line.find("bad = 1") + 7) +
                                 ": unknown key 'bad'"));
  }
}
