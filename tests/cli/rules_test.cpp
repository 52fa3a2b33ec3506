// tests/cli/rules_test.cpp — `eqlite match` with several rules (--rule-file ..., --rules DIR)
// and on several threads (--threads N): the output format, and that threads change nothing.
#include <string>

#include "cli/cli_support.hpp"

using namespace cli_test;

namespace {

const char* const kEvents =
    "{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}\n"
    "{\"n\":2,\"proc\":\"bash\",\"user\":\"root\"}\n"
    "not json\n"
    "{\"n\":4,\"proc\":\"CMD.EXE\",\"user\":\"alice\"}\n"
    "{\"n\":5,\"proc\":\"sh\"}\n";

void write_rules(Cli& cli) {
  std::filesystem::create_directory(cli.dir() + "/rules");
  cli.file("rules/b_root.eql", "// root users\nany where user == \"root\"\n");
  cli.file("rules/a_cmd.eql", "any where proc : \"cmd.exe\"");
  cli.file("rules/README.md", "not a rule");
  cli.file("events.ndjson", kEvents);
}

}  // namespace

TEST_CASE("several rules: one line {rule, event} per matching rule, in input order", "[cli]") {
  Cli cli;
  write_rules(cli);
  const std::string expected =
      "{\"rule\":\"b_root\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
      "{\"rule\":\"a_cmd\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
      "{\"rule\":\"b_root\",\"event\":{\"n\":2,\"proc\":\"bash\",\"user\":\"root\"}}\n"
      "{\"rule\":\"a_cmd\",\"event\":{\"n\":4,\"proc\":\"CMD.EXE\",\"user\":\"alice\"}}\n";
  {
    // --rule-file given twice: the rules' order is the command line's
    RunResult r =
        cli.run("match --rule-file rules/b_root.eql --rule-file rules/a_cmd.eql events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == expected);
    CHECK(r.err ==
          "events.ndjson:3: invalid JSON: not a JSON value\n"
          "eqlite: skipped 1 malformed line of 5\n");
  }
  {
    // --rules DIR: every *.eql, sorted by file name; a rule's name is its file's stem
    RunResult r = cli.run("match --rules rules events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out ==
          "{\"rule\":\"a_cmd\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
          "{\"rule\":\"b_root\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
          "{\"rule\":\"b_root\",\"event\":{\"n\":2,\"proc\":\"bash\",\"user\":\"root\"}}\n"
          "{\"rule\":\"a_cmd\",\"event\":{\"n\":4,\"proc\":\"CMD.EXE\",\"user\":\"alice\"}}\n");
  }
  {
    // The output is NDJSON itself: eqlite reads it back.
    cli.file("out.ndjson", expected);
    RunResult r = cli.run("match --count " + q(R"(any where rule == "b_root" and event.n == 2)") +
                          " out.ndjson");
    CHECK(r.out == "1\n");
    CHECK(r.err.empty());
  }
  {
    RunResult r = cli.run("match --count --rules rules events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == "{\"rule\":\"a_cmd\",\"count\":2}\n{\"rule\":\"b_root\",\"count\":2}\n");
  }
  {
    // --rules and --rule-file add up; no match at all is exit 1
    cli.file("none.ndjson", "{\"n\":9}\n");
    RunResult r = cli.run("match --rules rules --rule-file rules/a_cmd.eql --count none.ndjson");
    CHECK(r.status == 1);
    CHECK(r.out ==
          "{\"rule\":\"a_cmd\",\"count\":0}\n{\"rule\":\"b_root\",\"count\":0}\n"
          "{\"rule\":\"a_cmd\",\"count\":0}\n");
  }
}

TEST_CASE("several rules: every compile error is reported; a rule keeps its pipes", "[cli]") {
  Cli cli;
  write_rules(cli);
  cli.file("bad1.eql", "any where a ==");
  cli.file("bad2.eql", "any where b = 1");
  cli.file("piped.eql", "any where a == 1 | head 2");
  {
    RunResult r = cli.run(
        "match --rule-file bad1.eql --rules rules --rule-file bad2.eql "
        "events.ndjson");
    // Every broken rule is reported with its position; the others still run; exit 2.
    SHOW(r);
    CHECK(r.status == 2);
    CHECK(r.out ==
          "{\"rule\":\"a_cmd\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
          "{\"rule\":\"b_root\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
          "{\"rule\":\"b_root\",\"event\":{\"n\":2,\"proc\":\"bash\",\"user\":\"root\"}}\n"
          "{\"rule\":\"a_cmd\",\"event\":{\"n\":4,\"proc\":\"CMD.EXE\",\"user\":\"alice\"}}\n");
    CHECK_THAT(r.err, Contains("\nbad1.eql:1:15: "));
    CHECK_THAT(r.err, Contains("\nbad2.eql:1:13: "));
  }
  {
    // P2: in a set, a rule's pipe acts on that rule's matches only
    cli.file("root1.eql", "any where user == \"root\" | head 1");
    RunResult r = cli.run("match --rule-file root1.eql --rules rules events.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out ==
          "{\"rule\":\"root1\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
          "{\"rule\":\"a_cmd\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
          "{\"rule\":\"b_root\",\"event\":{\"n\":1,\"proc\":\"cmd.exe\",\"user\":\"root\"}}\n"
          "{\"rule\":\"b_root\",\"event\":{\"n\":2,\"proc\":\"bash\",\"user\":\"root\"}}\n"
          "{\"rule\":\"a_cmd\",\"event\":{\"n\":4,\"proc\":\"CMD.EXE\",\"user\":\"alice\"}}\n");
  }
  {
    // alone, the same rule keeps its pipe
    cli.file("a.ndjson", "{\"a\":1,\"i\":1}\n{\"a\":1,\"i\":2}\n{\"a\":1,\"i\":3}\n");
    RunResult r = cli.run("match --rule-file piped.eql a.ndjson");
    CHECK(r.out == "{\"a\":1,\"i\":1}\n{\"a\":1,\"i\":2}\n");
  }
  std::filesystem::create_directory(cli.dir() + "/empty");
  for (const char* dir : {"empty", "missing"}) {
    INFO(dir);
    RunResult r = cli.run(std::string("match --rules ") + dir + " events.ndjson");
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains(dir));
  }
}

TEST_CASE("--threads N gives the output of one thread, byte for byte", "[cli]") {
  Cli cli;
  write_rules(cli);
  // ~12 MB: many blocks, bad lines, empty lines, CRLF, a line too long, no final newline
  std::string input;
  for (int i = 0; i < 120000; ++i) {
    if (i % 997 == 0) input += "{\"broken\":\n";
    if (i % 1499 == 0) input += "\n";
    if (i == 50000) input += "{\"user\":\"root\",\"s\":\"" + std::string(3000, 'x') + "\"}\n";
    input += "{\"n\":" + std::to_string(i) + ",\"proc\":\"" + (i % 7 ? "bash" : "cmd.exe") +
             "\",\"user\":\"" + (i % 5 ? "bob" : "root") + "\"}" + (i % 11 ? "\n" : "\r\n");
  }
  input += "{\"n\":-1,\"user\":\"root\"}";
  cli.file("big.ndjson", input);
  for (const std::string args :
       {"--rules rules", "--rule-file rules/b_root.eql", "--rules rules --count",
        "--rule-file rules/a_cmd.eql --max-line-bytes 1000",
        "--rule-file rules/b_root.eql --count"}) {
    INFO(args);
    RunResult one = cli.run("match --stats --threads 1 " + args + " big.ndjson");
    REQUIRE(one.status == 0);
    REQUIRE(one.out.size() > 5);
    for (const char* threads : {"2", "3", "8"}) {
      INFO("threads " << threads);
      RunResult many =
          cli.run("match --stats --threads " + std::string(threads) + " " + args + " big.ndjson");
      CHECK(many.status == one.status);
      CHECK(many.out == one.out);
      CHECK(many.err == one.err);
    }
    // from a pipe in odd pieces too
    RunResult piped = cli.run_piped("match --stats --threads 2 " + args, input, 5, 70000);
    CHECK(piped.out == one.out);
  }
  {
    // Several inputs in a row, the threads moving from one to the next together: an empty
    // one, one without a final newline, one that does not exist, standard input, and the big
    // one twice (line numbers start again in each; the output is the inputs' in order).
    cli.file("empty.ndjson", "");
    cli.file("short.ndjson", "{\"user\":\"root\",\"n\":1}\n{\"user\":\n{\"user\":\"root\"}");
    const std::string files =
        " big.ndjson empty.ndjson short.ndjson missing.ndjson - big.ndjson short.ndjson";
    const std::string stdin_text = "{\"user\":\"root\",\"n\":2}\n{broken\n";
    RunResult one = cli.run("match --stats --threads 1 --rules rules" + files, stdin_text);
    CHECK(one.status == 2);  // the missing file
    CHECK(count_of(one.err, "short.ndjson:2: ") == 2);
    CHECK(count_of(one.err, "(standard input):2: ") == 1);
    for (const char* threads : {"2", "3"}) {
      INFO("threads " << threads);
      RunResult many = cli.run(
          "match --stats --threads " + std::string(threads) + " --rules rules" + files, stdin_text);
      CHECK(many.status == one.status);
      CHECK(many.out == one.out);
      CHECK(many.err == one.err);
    }
  }
  {
    // | head stops at the same place on any number of threads
    cli.file("head.eql", "any where user == \"root\" | head 3");
    RunResult one = cli.run("match --stats --threads 1 --rule-file head.eql big.ndjson");
    RunResult two = cli.run("match --stats --threads 2 --rule-file head.eql big.ndjson");
    CHECK(count_of(one.out, "\n") == 3);
    CHECK(two.out == one.out);
    CHECK(two.err == one.err);
  }
}

TEST_CASE("check --rules DIR --index: every rule compiled, and how the set is indexed", "[cli]") {
  Cli cli;
  write_rules(cli);
  cli.file("rules/c_any.eql", "any where proc != \"x\"");             // no anchor
  cli.file("rules/d_wild.eql", "any where proc : \"*powershell*\"");  // a contained literal
  RunResult r = cli.run("check --rules rules --index");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out ==
        "index of 4 rules:\n"
        "[proc]: 2 rules under 1 keys and 1 contained literals\n"
        "[user]: 1 rules under 1 keys\n"
        "always evaluated: 1 rules\n"
        "decided by their conditions alone (no VM run): 3 rules\n");
  // a rule filed under one exact condition and checked against its other before evaluation
  cli.file("rules/f_two.eql", "any where user == \"admin\" and proc == \"sh\"");
  r = cli.run("check --rules rules --index");
  SHOW(r);
  CHECK(r.out ==
        "index of 5 rules:\n"
        "[proc]: 2 rules under 1 keys and 1 contained literals\n"
        "[user]: 2 rules under 2 keys\n"
        "always evaluated: 1 rules\n"
        "checked before evaluation: 1 conditions on 1 fields, for 1 rules\n"
        "decided by their conditions alone (no VM run): 4 rules\n");
  cli.file("rules/e_pipe.eql", "any where true | head 1");  // a set keeps a rule's pipes
  r = cli.run("check --rules rules --index");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out.rfind("index of 6 rules:\n", 0) == 0);
  CHECK(cli.run("check --rules no-such-dir").status == 2);
}

TEST_CASE("check --join-keys: each sequence's join keys and the field it is routed by",
          "[cli][routing]") {
  Cli cli;
  std::filesystem::create_directory(cli.dir() + "/rules");
  cli.file("rules/a_event.eql", "process where process.name == \"sh\"");
  cli.file("rules/b_seq.eql",
           "sequence by host.id [process where true] by process.entity_id "
           "[network where true] by process.entity_id");
  cli.file("rules/c_stage.eql",
           "sequence [process where true] by process.entity_id "
           "[process where true] by process.parent.entity_id");
  cli.file("rules/d_broken.eql", "sequence by host.id [process where");  // reported, not routed
  RunResult r = cli.run("check --join-keys --rules rules");
  SHOW(r);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("d_broken.eql:1:"));
  CHECK(r.out ==
        "join keys of 2 sequence and sample rules:\n"
        "  b_seq: routed by host.id; join keys host.id, process.entity_id\n"
        "  c_stage: routed by stage (no key field shared by every stage); stage 1 "
        "process.entity_id, stage 2 process.parent.entity_id\n"
        "routing: 1 rule by host.id; 1 rule by stage\n");
}
