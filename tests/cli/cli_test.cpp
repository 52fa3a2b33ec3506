// tests/cli/cli_test.cpp — the eqlite command-line tool, run as a process against its contract
// (exit status, NDJSON input handling, --set, --count, pipes, check, help).
#include <set>

#include "cli/cli_support.hpp"

using namespace cli_test;

namespace {

// ---- the [examples] and [corpus] helpers ----

// The string value of `"key":"..."` in `line` (the first occurrence), or "" when absent.
std::string string_field(const std::string& line, const std::string& key) {
  const std::string needle = "\"" + key + "\":\"";
  std::size_t p = line.find(needle);
  if (p == std::string::npos) return "";
  p += needle.size();
  std::size_t end = line.find('"', p);
  if (end == std::string::npos) return "";
  return line.substr(p, end - p);
}

// The scenario ids of the lines of `text`; every line must have one.
std::multiset<std::string> scenario_ids(const std::string& text) {
  std::multiset<std::string> ids;
  for (const auto& line : lines_of(text)) {
    std::string id = string_field(line, "id");
    INFO("line: " << line);
    CHECK(line.find("\"scenario\":{\"id\":\"") != std::string::npos);
    CHECK_FALSE(id.empty());
    ids.insert(id);
  }
  return ids;
}

void check_example_rule(const std::string& rule, const std::string& expect_key) {
  const std::string data = kSourceDir + "/examples/data/signinlogs.ndjson";
  const std::string rule_path = kSourceDir + "/examples/" + rule;

  std::multiset<std::string> expected;
  std::set<std::string> all_ids;
  const auto data_lines = lines_of(read_all(data));
  REQUIRE(data_lines.size() == 37);
  for (const auto& line : data_lines) {
    const std::string id = string_field(line, "id");
    const std::string expect = string_field(line, expect_key);
    INFO("line: " << line);
    REQUIRE_FALSE(id.empty());
    REQUIRE((expect == "match" || expect == "no-match"));
    all_ids.insert(id);
    if (expect == "match") expected.insert(id);
  }
  REQUIRE(all_ids.size() == data_lines.size());  // ids are unique
  // A meaningful split: some lines match, some do not.
  REQUIRE(!expected.empty());
  REQUIRE(expected.size() < data_lines.size());

  Cli cli;
  const std::string args =
      "--rule-file " + q(rule_path) + " --set event.dataset=azure.signinlogs " + q(data);
  {
    RunResult r = cli.run("match " + args);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    const auto got = scenario_ids(r.out);
    CHECK(got == expected);
    for (const auto& id : expected) {
      INFO("expected to match: " << id);
      CHECK(got.count(id) == 1);
    }
    for (const auto& id : got) {
      INFO("matched: " << id);
      CHECK(expected.count(id) == 1);
    }
  }
  {
    RunResult r = cli.run("match --count " + args);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == std::to_string(expected.size()) + "\n");
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// [cli]   (each run sits in its own block, so that a failure shows only that run's output)
// ---------------------------------------------------------------------------------------------

TEST_CASE("exit status is 0 on a match, 1 on none, 2 on an error", "[cli]") {
  Cli cli;
  const std::string input = "{\"a\":1}\n{\"a\":2}\n";
  {
    RunResult r = cli.run("match " + q("any where a == 1"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1}\n");
    CHECK(r.err.empty());
  }
  {
    RunResult r = cli.run("match " + q("any where a == 3"), input);
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
  }
  {
    RunResult r = cli.run("match " + q("any where a =="), input);
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_FALSE(r.err.empty());
  }
  {
    RunResult r = cli.run("match", input);  // no query at all
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
  }
}

TEST_CASE("match reads standard input when no file is given, and for -", "[cli]") {
  Cli cli;
  const std::string input = "{\"a\":1,\"i\":1}\n{\"a\":0}\n{\"a\":1,\"i\":2}\n";
  const std::string want = "{\"a\":1,\"i\":1}\n{\"a\":1,\"i\":2}\n";
  {
    RunResult r = cli.run("match " + q("any where a == 1"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == want);
  }
  {
    RunResult r = cli.run("match " + q("any where a == 1") + " -", input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == want);
  }
  {
    // Malformed stdin lines are labelled "(standard input)".
    RunResult r = cli.run("match " + q("any where a == 1"), "{\"a\":1}\nnope\n");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.err, StartsWith("(standard input):2: "));
  }
}

TEST_CASE("several files (and stdin between them) are read in order", "[cli]") {
  Cli cli;
  cli.file("one.ndjson", "{\"a\":1,\"f\":\"one-1\"}\n{\"a\":0}\n{\"a\":1,\"f\":\"one-3\"}\n");
  cli.file("two.ndjson", "{\"a\":1,\"f\":\"two-1\"}\nbad\n{\"a\":1,\"f\":\"two-3\"}\n");
  {
    RunResult r = cli.run("match " + q("any where a == 1") + " one.ndjson - two.ndjson",
                          "{\"a\":1,\"f\":\"stdin-1\"}\n");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out ==
          "{\"a\":1,\"f\":\"one-1\"}\n{\"a\":1,\"f\":\"one-3\"}\n{\"a\":1,\"f\":\"stdin-1\"}\n"
          "{\"a\":1,\"f\":\"two-1\"}\n{\"a\":1,\"f\":\"two-3\"}\n");
    // Line numbers restart in each file, and the label is the file's name.
    CHECK_THAT(r.err, StartsWith("two.ndjson:2: "));
    CHECK_THAT(r.err, Contains("eqlite: skipped 1 malformed line of 7"));
  }
  {
    // The same file twice is read twice.
    RunResult r = cli.run("match --count " + q("any where a == 1") + " one.ndjson one.ndjson");
    SHOW(r);
    CHECK(r.out == "4\n");
  }
}

TEST_CASE("malformed lines are reported as FILE:LINE: reason, skipped and counted", "[cli]") {
  Cli cli;
  cli.file("mixed.ndjson",
           "{\"a\":1,\"n\":1}\n"        // 1 good, matches
           "this is not json\n"         // 2 not JSON
           "{\"a\":1,\"n\":3}\n"        // 3 good, matches
           "{\"a\":1,\"b\":\n"          // 4 truncated JSON
           "[{\"a\":1}]\n"              // 5 a JSON array
           "42\n"                       // 6 a scalar
           "\"a string\"\n"             // 7 a scalar string
           "{\"a\":2,\"n\":8}\n"        // 8 good, no match
           "{\"a\":1,\"s\":\"unterm\n"  // 9 unterminated string
           "{\"a\":1} trailing\n"       // 10 trailing content
           "{\"a\":1,\"n\":11}\n");     // 11 good, matches
  {
    RunResult r = cli.run("match " + q("any where a == 1") + " mixed.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1,\"n\":1}\n{\"a\":1,\"n\":3}\n{\"a\":1,\"n\":11}\n");

    const auto err = lines_of(r.err);
    REQUIRE(err.size() == 8);
    const char* const bad_lines[] = {"2", "4", "5", "6", "7", "9", "10"};
    for (std::size_t i = 0; i < 7; ++i) {
      INFO("stderr line " << i);
      const std::string prefix = "mixed.ndjson:" + std::string(bad_lines[i]) + ": ";
      CHECK_THAT(err[i], StartsWith(prefix));
      CHECK(err[i].size() > prefix.size());  // a reason follows the position
    }
    CHECK(err[7] == "eqlite: skipped 7 malformed lines of 11");
    // The good lines are never reported.
    CHECK_THAT(r.err, !Contains("mixed.ndjson:1:"));
    CHECK_THAT(r.err, !Contains("mixed.ndjson:3:"));
    CHECK_THAT(r.err, !Contains("mixed.ndjson:8:"));
    CHECK_THAT(r.err, !Contains("mixed.ndjson:11:"));
  }
  {
    // Only bad lines: nothing matched (exit 1), and the singular count line.
    RunResult r = cli.run("match " + q("any where a == 1"), "[1]\n");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err ==
          "(standard input):1: not a JSON object (found an array)\n"
          "eqlite: skipped 1 malformed line of 1\n");
  }
  {
    // No bad line: no count line at all.
    RunResult r = cli.run("match " + q("any where a == 1"), "{\"a\":1}\n");
    SHOW(r);
    CHECK(r.err.empty());
  }
}

TEST_CASE("invalid JSON in a part of the event the query does not read is still malformed",
          "[cli]") {
  // E2: a line that is not a JSON object is bad input, whichever fields the query reads.
  Cli cli;
  const std::string input =
      "{\"a\":1,\"c\":{\"d\":tru}}\n"  // 1 invalid literal
      "{\"a\":1,\"c\":[1,,2]}\n"       // 2 missing array element
      "{\"a\":1,\"c\":\"\\x\"}\n"      // 3 invalid escape
      "{\"a\":1,\"c\":01}\n"           // 4 leading zero
      "{\"a\":1,\"n\":5}\n";           // 5 good
  {
    RunResult r = cli.run("match " + q("any where a == 1"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1,\"n\":5}\n");
    CHECK_THAT(r.err, Contains("(standard input):1: "));
    CHECK_THAT(r.err, Contains("(standard input):2: "));
    CHECK_THAT(r.err, Contains("(standard input):3: "));
    CHECK_THAT(r.err, Contains("(standard input):4: "));
    CHECK_THAT(r.err, Contains("eqlite: skipped 4 malformed lines of 5"));
  }
  {
    // With the broken value in a field the query reads, it is reported.
    RunResult r = cli.run("match " + q("any where a == 1 or c == 7"),
                          "{\"a\":1,\"c\":tru}\n{\"a\":1,\"c\":[1,,2]}\n{\"a\":1,\"n\":3}\n");
    SHOW(r);
    CHECK(r.out == "{\"a\":1,\"n\":3}\n");
    CHECK_THAT(r.err, Contains("eqlite: skipped 2 malformed lines of 3"));
  }
}

TEST_CASE("a last line without a newline is still an event", "[cli]") {
  Cli cli;
  {
    RunResult r = cli.run("match " + q("any where a == 1"), "{\"a\":0}\n{\"a\":1,\"last\":true}");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1,\"last\":true}\n");
  }
  {
    // From a file, with a CR before the missing newline.
    cli.file("nonl.ndjson", "{\"a\":1,\"i\":1}\n{\"a\":1,\"i\":2}\r");
    RunResult r = cli.run("match " + q("any where a == 1") + " nonl.ndjson");
    SHOW(r);
    CHECK(r.out == "{\"a\":1,\"i\":1}\n{\"a\":1,\"i\":2}\n");
    CHECK(r.err.empty());
  }
  {
    // A malformed last line without a newline is reported with its number.
    RunResult r = cli.run("match " + q("any where a == 1"), "{\"a\":1}\n{\"a\":");
    SHOW(r);
    CHECK_THAT(r.err, StartsWith("(standard input):2: "));
    CHECK_THAT(r.err, Contains("skipped 1 malformed line of 2"));
  }
}

TEST_CASE("empty lines are ignored and not counted", "[cli]") {
  Cli cli;
  {
    RunResult r = cli.run("match " + q("any where a == 1"),
                          "\n{\"a\":1,\"i\":2}\n\n   \n\t\nbad\n\r\n{\"a\":1,\"i\":8}\n\n");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1,\"i\":2}\n{\"a\":1,\"i\":8}\n");
    // Line numbers still count the empty lines; the total counts only the non-empty ones.
    const auto err = lines_of(r.err);
    REQUIRE(err.size() == 2);
    CHECK_THAT(err[0], StartsWith("(standard input):6: "));
    CHECK(err[1] == "eqlite: skipped 1 malformed line of 3");
  }
  {
    // Only empty lines: nothing matched, nothing reported.
    RunResult r = cli.run("match " + q("any where true"), "\n\n\n");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
  }
}

TEST_CASE("a CRLF line end is an ordinary line end", "[cli]") {
  Cli cli;
  RunResult r =
      cli.run("match " + q("any where s == \"x\""),
              "{\"s\":\"x\",\"i\":1}\r\n{\"s\":\"y\"}\r\nbad\r\n{\"s\":\"x\",\"i\":4}\r\n");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out == "{\"s\":\"x\",\"i\":1}\n{\"s\":\"x\",\"i\":4}\n");
  CHECK(r.out.find('\r') == std::string::npos);
  const auto err = lines_of(r.err);
  REQUIRE(err.size() == 2);
  CHECK_THAT(err[0], StartsWith("(standard input):3: "));
  CHECK(err[1] == "eqlite: skipped 1 malformed line of 4");
}

TEST_CASE("a UTF-8 byte-order mark at the start of the input is ignored", "[cli]") {
  Cli cli;
  const std::string bom = "\xEF\xBB\xBF";
  {
    RunResult r = cli.run("match " + q("any where a == 1"), bom + "{\"a\":1,\"i\":1}\n{\"a\":1}\n");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1,\"i\":1}\n{\"a\":1}\n");
    CHECK(r.err.empty());
  }
  {
    // In files, including the second of two files.
    cli.file("bom1.ndjson", bom + "{\"a\":1,\"f\":1}\n");
    cli.file("bom2.ndjson", bom + "{\"a\":1,\"f\":2}");
    RunResult r = cli.run("match " + q("any where a == 1") + " bom1.ndjson bom2.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1,\"f\":1}\n{\"a\":1,\"f\":2}\n");
    CHECK(r.err.empty());
  }
}

TEST_CASE("--set supplies a constant field for events that have no value for it", "[cli]") {
  Cli cli;
  SECTION("a number") {
    const std::string input = "{\"x\":{\"n\":5}}\n{\"x\":{\"n\":6}}\n{\"y\":1}\n";
    {
      RunResult r = cli.run("match " + q("any where x.n == 5"), input);
      SHOW(r);
      CHECK(r.out == "{\"x\":{\"n\":5}}\n");
    }
    {
      RunResult r = cli.run("match --set x.n=5 " + q("any where x.n == 5"), input);
      SHOW(r);
      CHECK(r.status == 0);
      // The event's own 6 wins over the constant.
      CHECK(r.out == "{\"x\":{\"n\":5}}\n{\"y\":1}\n");
    }
    {
      // A number, not a string: it orders numerically.
      RunResult r =
          cli.run("match --set x.n=5 " + q("any where x.n > 4.5 and x.n < 10"), "{\"y\":1}\n");
      SHOW(r);
      CHECK(r.status == 0);
    }
    {
      RunResult r = cli.run("match --set x.d=-2.5 " + q("any where x.d < -2"), "{}\n");
      SHOW(r);
      CHECK(r.status == 0);
    }
  }
  SECTION("a string, and a value in the event wins") {
    const std::string input =
        "{\"event\":{\"dataset\":\"azure.auditlogs\"},\"i\":1}\n"
        "{\"i\":2}\n"
        "{\"event.dataset\":\"azure.signinlogs\",\"i\":3}\n"
        "{\"event\":{\"dataset\":null},\"i\":4}\n";
    {
      RunResult r = cli.run("match --set event.dataset=azure.signinlogs " +
                                q("any where event.dataset == \"azure.signinlogs\""),
                            input);
      SHOW(r);
      CHECK(r.status == 0);
      CHECK(r.out ==
            "{\"i\":2}\n{\"event.dataset\":\"azure.signinlogs\",\"i\":3}\n"
            "{\"event\":{\"dataset\":null},\"i\":4}\n");
    }
    {
      RunResult r = cli.run("match --set event.dataset=azure.signinlogs " +
                                q("any where event.dataset == \"azure.auditlogs\""),
                            input);
      SHOW(r);
      CHECK(r.out == "{\"event\":{\"dataset\":\"azure.auditlogs\"},\"i\":1}\n");
    }
  }
  SECTION("true, false, and repeated --set") {
    RunResult r = cli.run("match --set b=true --set c=false --set s=text " +
                              q("any where b == true and c == false and s == \"text\""),
                          "{}\n");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{}\n");
  }
  SECTION("a malformed --set is an error") {
    {
      RunResult r = cli.run("match --set novalue " + q("any where true"), "{}\n");
      SHOW(r);
      CHECK(r.status == 2);
      CHECK(r.out.empty());
    }
    {
      RunResult r = cli.run("match " + q("any where true") + " --set", "{}\n");
      SHOW(r);
      CHECK(r.status == 2);
    }
  }
}

TEST_CASE("--set takes a VALUE that is not a valid JSON number as a string", "[cli]") {
  // Contract: only a valid JSON number (or true/false) is taken as that JSON value.
  Cli cli;
  {
    // "007" has leading zeros: a string. S8: the string "007" is not == 7 (literal text "7"),
    // while the number 7 would be.
    RunResult r = cli.run("match --set s=007 " + q("any where s : \"007\" and s != 7"), "{}\n");
    SHOW(r);
    CHECK(r.status == 0);
  }
  {
    RunResult r = cli.run("match --set s=-inf " + q("any where s == \"-inf\""), "{}\n");
    SHOW(r);
    CHECK(r.status == 0);
  }
  {
    RunResult r = cli.run("match --set s=1. " + q("any where s : \"1.\""), "{}\n");
    SHOW(r);
    CHECK(r.status == 0);
  }
  {
    // Values that cannot be read as numbers at all do stay strings.
    RunResult r = cli.run(
        "match --set s=+1 --set t=0x10 " + q("any where s == \"+1\" and t == \"0x10\""), "{}\n");
    SHOW(r);
    CHECK(r.status == 0);
  }
}

TEST_CASE("--count prints only the number of matches", "[cli]") {
  Cli cli;
  const std::string input = "{\"a\":1}\n{\"a\":2}\n{\"a\":1}\nbad\n{\"a\":1}\n";
  {
    RunResult r = cli.run("match --count " + q("any where a == 1"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "3\n");
  }
  {
    RunResult r = cli.run("match --count " + q("any where a == 9"), input);
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out == "0\n");
  }
  {
    // --count after the query, and with a head pipe.
    RunResult r = cli.run("match " + q("any where a == 1 | head 2") + " --count", input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "2\n");
  }
}

TEST_CASE("matching lines are written byte for byte", "[cli]") {
  Cli cli;
  const std::string odd =
      "  {  \"a\" :1 ,   \"u\":\"\\u00e9\\u4e2d\\ud83d\\ude00 \\\"q\\\" \\/\",\t\"raw\":\"é中\","
      "\"f\":1.50e+2 , \"z\" : [ ] }  ";
  const std::string input = odd + "\n{\"a\":2}\n" + odd + "\r\n";
  {
    RunResult r = cli.run("match " + q("any where a == 1"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == odd + "\n" + odd + "\n");
  }
  {
    // The escapes are decoded for matching; the output is still the raw line.
    RunResult r =
        cli.run("match " + q("any where u : \"é中*\" and raw == \"é中\" and f == 150"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == odd + "\n" + odd + "\n");
  }
}

TEST_CASE("a query that does not compile: exit 2, line:col: message, the line, a caret", "[cli]") {
  Cli cli;
  {
    RunResult r = cli.run("match " + q("any where a == 1 xyz"), "{\"a\":1}\n");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    const auto err = lines_of(r.err);
    REQUIRE(err.size() == 3);
    CHECK_THAT(err[0], StartsWith("1:18: "));
    CHECK(err[0].size() > 6);
    CHECK(err[1] == "any where a == 1 xyz");
    CHECK(err[2] == std::string(17, ' ') + "^");
  }
  {
    // From a rule file: prefixed with its name, on the rule's second line.
    cli.file("rule.eql", "any where a == 1\n  and b == 2 xyz\n");
    RunResult r = cli.run("match --rule-file rule.eql", "{\"a\":1}\n");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    const auto err = lines_of(r.err);
    REQUIRE(err.size() == 3);
    CHECK_THAT(err[0], StartsWith("rule.eql:2:14: "));
    CHECK(err[1] == "  and b == 2 xyz");
    CHECK(err[2] == std::string(13, ' ') + "^");
  }
  {
    // A bad pipe and a bad regex are compile errors too.
    RunResult r = cli.run("match " + q("any where a == 1 | frobnicate 3"), "{\"a\":1}\n");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, StartsWith("1:18: "));
  }
  {
    RunResult r = cli.run("match " + q("any where a regex \"(\""), "{\"a\":1}\n");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, StartsWith("1:19: "));
  }
}

TEST_CASE("check reports each bad rule file with its name; good ones are silent", "[cli]") {
  Cli cli;
  cli.file("good1.eql", "any where a == 1\n");
  cli.file("bad.eql", "any where a == 1\n  and b == 2 xyz\n");
  cli.file("good2.eql", "process where process.name : \"cmd*.exe\"\n");
  cli.file("bad2.eql", "any where x in (1, 2\n");
  {
    RunResult r = cli.run("check --rule-file good1.eql good2.eql");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }
  {
    RunResult r = cli.run("check --rule-file good1.eql --rule-file good2.eql");
    SHOW(r);
    CHECK(r.status == 0);
  }
  {
    RunResult r = cli.run("check --rule-file good1.eql bad.eql good2.eql");
    SHOW(r);
    CHECK(r.status == 2);
    const auto err = lines_of(r.err);
    REQUIRE(err.size() == 3);
    CHECK_THAT(err[0], StartsWith("bad.eql:2:14: "));
    CHECK(err[1] == "  and b == 2 xyz");
    CHECK(err[2] == std::string(13, ' ') + "^");
    CHECK_THAT(r.err, !Contains("good1.eql"));
    CHECK_THAT(r.err, !Contains("good2.eql"));
  }
  {
    // Two bad files: both reported, each with its own name.
    RunResult r = cli.run("check --rule-file bad.eql good1.eql bad2.eql");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(count_of(r.err, "bad.eql:2:14: ") == 1);
    CHECK(count_of(r.err, "\nbad2.eql:") == 1);
    CHECK_THAT(r.err, !Contains("good1.eql"));
  }
  {
    // A query on the command line: no file prefix.
    RunResult r = cli.run("check " + q("any where a == 1 xyz"));
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, StartsWith("1:18: "));
  }
  {
    RunResult r = cli.run("check " + q("any where a == 1"));
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.err.empty());
  }
}

TEST_CASE("check --ast and --bytecode show the compiled rule", "[cli]") {
  Cli cli;
  {
    RunResult r = cli.run("check --ast " + q("any where a == \"x\""));
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Contains("(query any (== (field a) (string \"x\")))"));
    CHECK_THAT(r.out, !Contains("field_str_eq"));
  }
  {
    RunResult r = cli.run("check --bytecode " + q("any where a == \"x\""));
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Contains("field_str_eq   a == literal \"x\""));
    CHECK_THAT(r.out, Contains("return"));
    CHECK_THAT(r.out, !Contains("(query"));
  }
  cli.file("r.eql", "any where a == 1\n");
  {
    RunResult r = cli.run("check --ast --bytecode --rule-file r.eql");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Contains("(query any (== (field a) (int 1)))"));
    CHECK_THAT(r.out, Contains("field_compare"));
    CHECK_THAT(r.out, Contains("return"));
    CHECK_THAT(r.out, Contains("r.eql"));
  }
  {
    // Without the flags, check prints nothing on success.
    RunResult r = cli.run("check --rule-file r.eql");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out.empty());
  }
}

TEST_CASE("a missing rule file is an error", "[cli]") {
  Cli cli;
  {
    RunResult r = cli.run("match --rule-file no-such-rule.eql", "{\"a\":1}\n");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains("no-such-rule.eql"));
  }
  {
    cli.file("good.eql", "any where a == 1\n");
    RunResult r = cli.run("check --rule-file good.eql no-such-rule.eql");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("no-such-rule.eql"));
  }
  {
    RunResult r = cli.run("match --rule-file");
    SHOW(r);
    CHECK(r.status == 2);
  }
}

TEST_CASE("an unreadable data file is an error that names it", "[cli]") {
  Cli cli;
  cli.file("ok.ndjson", "{\"a\":1}\n");
  {
    RunResult r = cli.run("match " + q("any where a == 1") + " no-such-file.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains("no-such-file.ndjson"));
  }
  {
    // Even when another file matched: still 2, and the readable file is still evaluated.
    RunResult r = cli.run("match " + q("any where a == 1") + " ok.ndjson no-such-file.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out == "{\"a\":1}\n");
    CHECK_THAT(r.err, Contains("no-such-file.ndjson"));
  }
  {
    // A directory cannot be read as NDJSON either.
    std::filesystem::create_directory(cli.dir() + "/adir");
    RunResult r = cli.run("match " + q("any where a == 1") + " adir");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("adir"));
  }
}

TEST_CASE("| head N and | tail N act on the matches, in order", "[cli]") {
  Cli cli;
  std::string input;
  for (int i = 1; i <= 6; ++i)
    input += "{\"a\":1,\"i\":" + std::to_string(i) + "}\n{\"a\":0}\n";
  auto ev = [](int i) { return "{\"a\":1,\"i\":" + std::to_string(i) + "}\n"; };
  {
    RunResult r = cli.run("match " + q("any where a == 1 | head 2"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == ev(1) + ev(2));
  }
  {
    RunResult r = cli.run("match " + q("any where a == 1 | tail 2"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == ev(5) + ev(6));
  }
  {
    RunResult r = cli.run("match " + q("any where a == 1 | head 3 | tail 1"), input);
    SHOW(r);
    CHECK(r.out == ev(3));
  }
  {
    RunResult r = cli.run("match " + q("any where a == 1 | tail 3 | head 1"), input);
    SHOW(r);
    CHECK(r.out == ev(4));
  }
  {
    RunResult r = cli.run("match " + q("any where a == 1 | head 100"), input);
    SHOW(r);
    CHECK(lines_of(r.out).size() == 6);
  }
  {
    RunResult r = cli.run("match " + q("any where a == 1 | head 0"), input);
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
  }
}

TEST_CASE("| head N stops reading once it has N matches", "[cli]") {
  Cli cli;
  {
    // The bad line after the second match is never read, so never reported.
    RunResult r = cli.run("match " + q("any where a == 1 | head 2"),
                          "{\"a\":1,\"i\":1}\n{\"a\":1,\"i\":2}\nbad\n{\"a\":1,\"i\":4}\n");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1,\"i\":1}\n{\"a\":1,\"i\":2}\n");
    CHECK(r.err.empty());
  }
  {
    // ... but a tail must read everything.
    RunResult r = cli.run("match " + q("any where a == 1 | tail 1"),
                          "{\"a\":1,\"i\":1}\nbad\n{\"a\":1,\"i\":3}\n");
    SHOW(r);
    CHECK(r.out == "{\"a\":1,\"i\":3}\n");
    CHECK_THAT(r.err, Contains("(standard input):2: "));
  }
  {
    // An endless input ends as soon as the head is full (timeout exits 124 otherwise).
    RunResult r =
        cli.sh("yes '{\"a\":1}' | timeout 30 \"$EQLITE\" match " + q("any where a == 1 | head 2"));
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"a\":1}\n{\"a\":1}\n");
  }
}

TEST_CASE("help, version and unknown commands or options", "[cli]") {
  Cli cli;
  {
    RunResult r = cli.run("--help");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, StartsWith("usage: eqlite"));
    CHECK_THAT(r.out, Contains("match"));
    CHECK_THAT(r.out, Contains("check"));
  }
  {
    RunResult r = cli.run("match --help");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, StartsWith("usage: eqlite match"));
    CHECK_THAT(r.out, Contains("--count"));
    CHECK_THAT(r.out, Contains("--set"));
    CHECK_THAT(r.out, Contains("--rule-file"));
  }
  {
    RunResult r = cli.run("check --help");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, StartsWith("usage: eqlite check"));
    CHECK_THAT(r.out, Contains("--ast"));
    CHECK_THAT(r.out, Contains("--bytecode"));
  }
  {
    RunResult r = cli.run("--version");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "eqlite 0.1.0\n");
  }
  {
    RunResult r = cli.run("frobnicate");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains("frobnicate"));
  }
  {
    RunResult r = cli.run("match --frobnicate " + q("any where true"), "{}\n");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains("--frobnicate"));
  }
  {
    RunResult r = cli.run("check --frobnicate " + q("any where true"));
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("--frobnicate"));
  }
  {
    RunResult r = cli.run("");
    SHOW(r);
    CHECK(r.status == 2);
  }
}

// ---------------------------------------------------------------------------------------------
// [examples]
// ---------------------------------------------------------------------------------------------

TEST_CASE("t1078_004.eql matches exactly the example lines whose expect is match", "[examples]") {
  check_example_rule("t1078_004.eql", "expect");
}

TEST_CASE("t1078_004_elastic.eql matches exactly the example lines whose expect_elastic is match",
          "[examples]") {
  check_example_rule("t1078_004_elastic.eql", "expect_elastic");
}

// ---------------------------------------------------------------------------------------------
// [corpus]
// ---------------------------------------------------------------------------------------------

TEST_CASE("t1078_004.eql over Elastic's 81 indexed sign-in documents", "[corpus]") {
  const std::string corpus = kCorpusDir + "/azure-signinlogs-samples.ndjson";
  if (!std::filesystem::exists(corpus)) {
    WARN("skipped: " << corpus << " does not exist");
    return;
  }
  const std::string rule = kSourceDir + "/examples/t1078_004.eql";
  REQUIRE(lines_of(read_all(corpus)).size() == 81);
  const std::string with_set =
      "--rule-file " + q(rule) + " --set event.dataset=azure.signinlogs " + q(corpus);

  Cli cli;
  {
    RunResult r = cli.run("match " + with_set);
    SHOW(r);
    CHECK(r.status == 0);
    // Every line parses: nothing is reported.
    CHECK_THAT(r.err, !Contains("skipped"));
    CHECK(r.err.empty());
    const auto out = lines_of(r.out);
    REQUIRE(out.size() == 1);
    CHECK_THAT(out[0], Contains("Microsoft Teams"));
    CHECK_THAT(out[0], Contains("NonInteractiveUserSignInLogs"));
  }
  {
    RunResult r = cli.run("match --count " + with_set);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "1\n");
  }
  {
    // event.dataset is not stored in the documents: without --set nothing matches.
    RunResult r = cli.run("match --rule-file " + q(rule) + " " + q(corpus));
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err.empty());
  }
  {
    // Every one of the 81 lines is an event: a query true for every event matches all of them.
    RunResult r = cli.run("match --count " + q("any where true") + " " + q(corpus));
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "81\n");
    CHECK(r.err.empty());
  }
}

TEST_CASE("--category-field chooses the field '<category> where' tests (P1)", "[cli]") {
  Cli cli;
  const std::string input =
      "{\"event_type\":\"process\",\"event\":{\"category\":\"file\"}}\n"
      "{\"event_type\":\"file\",\"event\":{\"category\":\"process\"}}\n";
  {
    RunResult r = cli.run("match --category-field event_type " + q("process where true"), input);
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"event_type\":\"process\",\"event\":{\"category\":\"file\"}}\n");
  }
  {
    RunResult r = cli.run("match " + q("process where true"), input);  // default event.category
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"event_type\":\"file\",\"event\":{\"category\":\"process\"}}\n");
  }
  {
    RunResult r =
        cli.run("check --bytecode --category-field event_type " + q("process where true"));
    SHOW(r);
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("field_str_eq   event_type == literal \"process\""));
  }
}
