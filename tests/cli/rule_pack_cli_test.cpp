// tests/cli/rule_pack_cli_test.cpp — `eqlite match` over rule packs as published: TOML rule
// files, alerts with the rule's metadata, index scoping with data stream constants (E4),
// exception lists, --summary and --progress (docs/rule-packs.md, docs/cli.md).
#include <filesystem>
#include <string>

#include "cli/cli_support.hpp"

using namespace cli_test;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::string toml_rule(const std::string& id, const std::string& name, const std::string& index,
                      const std::string& query, const std::string& extra = "") {
  return "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"" + name + "\"\nrule_id = \"" +
         id + "\"\nlanguage = \"eql\"\ntype = \"eql\"\nseverity = \"high\"\n" +
         "risk_score = 73\nindex = [" + index + "]\nquery = '''\n" + query + "\n'''\n" + extra +
         "\n[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n[[rule.threat.technique]]\n"
         "id = \"T1078\"\nname = \"Valid Accounts\"\n[[rule.threat.technique.subtechnique]]\n"
         "id = \"T1078.004\"\nname = \"Cloud Accounts\"\n[rule.threat.tactic]\nid = \"TA0001\"\n"
         "name = \"Initial Access\"\n";
}

void pack(Cli& cli) {
  std::filesystem::create_directories(cli.dir() + "/rules/azure");
  std::filesystem::create_directories(cli.dir() + "/rules/endpoint");
  cli.file(
      "rules/azure/risky.toml",
      toml_rule("r-azure", "Risky sign-in", "\"logs-azure.signinlogs-*\"",
                "authentication where event.dataset == \"azure.signinlogs\" and risk == \"high\""));
  cli.file("rules/endpoint/shell.toml",
           toml_rule("r-shell", "Shell", "\"logs-endpoint.events.process-*\"",
                     "process where process.name == \"sh\""));
  cli.file("rules/endpoint/kql.toml",
           "[metadata]\nmaturity = \"production\"\n[rule]\nname = \"k\"\nrule_id = \"k\"\n"
           "language = \"kuery\"\ntype = \"query\"\nquery = \"a:b\"\n");
  cli.file("signin.ndjson",
           "{\"event\":{\"category\":\"authentication\"},\"risk\":\"high\",\"user\":\"bob\"}\n"
           "{\"event\":{\"category\":\"authentication\"},\"risk\":\"low\",\"user\":\"amy\"}\n"
           "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"sh\"}}\n");
  cli.file("proc.ndjson",
           "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"sh\"},\"n\":1}\n"
           "{\"event\":{\"category\":\"authentication\",\"dataset\":\"azure.signinlogs\"},"
           "\"risk\":\"high\",\"n\":2}\n");
}

}  // namespace

TEST_CASE("rule pack: TOML rules load, the rest is summarised, hits are alerts",
          "[rule_pack_cli]") {
  Cli cli;
  pack(cli);
  RunResult r = cli.run("match --rules rules --index logs-azure.signinlogs-default signin.ndjson");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Contains("eqlite: 2 EQL rules loaded; 1 skipped: 1 kuery (1 query)\n"));
  // The alert carries the rule's id, name, severity, risk score and ATT&CK ids, then the event.
  CHECK(
      r.out ==
      "{\"kibana\":{\"alert\":{\"rule\":{\"rule_id\":\"r-azure\",\"name\":\"Risky sign-in\","
      "\"type\":\"eql\",\"source\":\"rules/azure/risky.toml\",\"threat\":[{\"framework\":"
      "\"MITRE ATT&CK\",\"tactic\":{\"id\":\"TA0001\",\"name\":\"Initial Access\"},"
      "\"technique\":[{\"id\":\"T1078\",\"name\":\"Valid Accounts\",\"subtechnique\":[{\"id\":"
      "\"T1078.004\",\"name\":\"Cloud Accounts\"}]}]}]},\"severity\":\"high\",\"risk_score\":73}},"
      "\"events\":[{\"event\":{\"category\":\"authentication\"},\"risk\":\"high\",\"user\":"
      "\"bob\"}]}\n");
  // --no-alerts: the plain form of several rules.
  RunResult plain = cli.run(
      "match --no-alerts --rules rules --index logs-azure.signinlogs-default signin.ndjson");
  CHECK(plain.out ==
        "{\"rule\":\"Risky sign-in\",\"event\":{\"event\":{\"category\":\"authentication\"},"
        "\"risk\":\"high\",\"user\":\"bob\"}}\n");
}

TEST_CASE("E4 and index scoping: --index names the inputs that follow it", "[rule_pack_cli]") {
  Cli cli;
  pack(cli);
  SECTION("without --index every rule sees every event (event.dataset absent: no azure hit)") {
    RunResult r = cli.run("match --no-alerts --count --rules rules signin.ndjson proc.ndjson");
    SHOW(r);
    CHECK(r.out == "{\"rule\":\"Risky sign-in\",\"count\":1}\n{\"rule\":\"Shell\",\"count\":2}\n");
  }
  SECTION("each input seen only by the rules whose index patterns cover it") {
    RunResult r = cli.run(
        "match --no-alerts --count --rules rules --index logs-azure.signinlogs-default "
        "signin.ndjson --index logs-endpoint.events.process-default proc.ndjson");
    SHOW(r);
    // signin.ndjson: event.dataset comes from the index name, so bob's sign-in hits; its
    // process event is not the endpoint rule's. proc.ndjson: only the shell rule runs there,
    // though line 2 would match the azure rule.
    CHECK(r.out == "{\"rule\":\"Risky sign-in\",\"count\":1}\n{\"rule\":\"Shell\",\"count\":1}\n");
  }
  SECTION("--set wins over the data stream's constant") {
    RunResult r = cli.run(
        "match --no-alerts --count --rules rules --set event.dataset=other "
        "--index logs-azure.signinlogs-default signin.ndjson");
    CHECK(r.out == "{\"rule\":\"Risky sign-in\",\"count\":0}\n{\"rule\":\"Shell\",\"count\":0}\n");
  }
}

TEST_CASE("rule pack: broken files are reported in place; the other rules run", "[rule_pack_cli]") {
  Cli cli;
  pack(cli);
  cli.file("rules/azure/broken.toml", "[rule]\nname = \"x\nlanguage = \"eql\"\n");
  cli.file("rules/azure/bad_query.toml",
           toml_rule("r-bad", "Bad", "\"logs-*\"", "authentication where\n  risk = \"high\""));
  RunResult r = cli.run("match --rules rules --no-alerts --count signin.ndjson");
  SHOW(r);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("rules/azure/broken.toml:2:"));
  CHECK_THAT(r.err, Contains("not a valid TOML file"));
  // The query starts on line 13 of the file (after the line of its opening quotes): its error
  // is on line 14.
  CHECK_THAT(r.err, Contains("rules/azure/bad_query.toml:14:8: '=' is not a comparison"));
  CHECK_THAT(r.err, Contains("  risk = \"high\"\n       ^"));
  CHECK(r.out == "{\"rule\":\"Risky sign-in\",\"count\":0}\n{\"rule\":\"Shell\",\"count\":1}\n");
}

TEST_CASE("exception lists: excepted hits are counted, never silently gone", "[rule_pack_cli]") {
  Cli cli;
  pack(cli);
  cli.file("allow.ndjson",
           "{\"list_id\":\"allow\",\"name\":\"Allow\",\"type\":\"detection\",\"namespace_type\":"
           "\"single\"}\n"
           "{\"item_id\":\"bob\",\"list_id\":\"allow\",\"namespace_type\":\"single\",\"name\":"
           "\"bob\",\"type\":\"simple\",\"entries\":[{\"field\":\"user\",\"type\":\"match\","
           "\"operator\":\"included\",\"value\":\"bob\"}]}\n"
           "{\"exported_exception_list_count\":1,\"exported_exception_list_item_count\":1}\n");
  SECTION("--exceptions: for every rule") {
    RunResult r = cli.run(
        "match --rules rules --index logs-azure.signinlogs-default --exceptions allow.ndjson "
        "--summary signin.ndjson");
    SHOW(r);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains("eqlite: 1 hit excepted by exception lists"));
    CHECK_THAT(r.err, Contains("         0         1  high      Risky sign-in\n"));
  }
  SECTION("a rule's exceptions_list names its list; --exception-lists loads it") {
    cli.file("rules/azure/risky.toml",
             toml_rule("r-azure", "Risky sign-in", "\"logs-azure.signinlogs-*\"",
                       "authentication where event.dataset == \"azure.signinlogs\" and risk == "
                       "\"high\"",
                       "[[rule.exceptions_list]]\nid = \"x\"\nlist_id = \"allow\"\n"
                       "namespace_type = \"single\"\ntype = \"detection\"\n"));
    RunResult with = cli.run(
        "match --rules rules --index logs-azure.signinlogs-default --exception-lists "
        "allow.ndjson --count --no-alerts signin.ndjson");
    SHOW(with);
    CHECK_THAT(with.out, Contains("{\"rule\":\"Risky sign-in\",\"count\":0}"));
    CHECK_THAT(with.err, Contains("1 hit excepted"));
    RunResult without = cli.run(
        "match --rules rules --index logs-azure.signinlogs-default --count --no-alerts "
        "signin.ndjson");
    CHECK_THAT(without.out, Contains("{\"rule\":\"Risky sign-in\",\"count\":1}"));
    CHECK_THAT(without.err, Contains("exception list allow (single) is not loaded"));
  }
  SECTION("an unknown operator is an error with its place; the rest still applies") {
    cli.file("bad.ndjson",
             "{\"list_id\":\"allow\",\"name\":\"Allow\",\"type\":\"detection\",\"namespace_type\":"
             "\"single\"}\n"
             "{\"item_id\":\"r\",\"list_id\":\"allow\",\"namespace_type\":\"single\",\"name\":"
             "\"r\",\"type\":\"simple\",\"entries\":[{\"field\":\"user\",\"type\":\"regex\","
             "\"operator\":\"included\",\"value\":\"b.*\"}]}\n"
             "{\"item_id\":\"bob\",\"list_id\":\"allow\",\"namespace_type\":\"single\",\"name\":"
             "\"bob\",\"type\":\"simple\",\"entries\":[{\"field\":\"user\",\"type\":\"match\","
             "\"operator\":\"included\",\"value\":\"bob\"}]}\n");
    RunResult r = cli.run(
        "match --rules rules --index logs-azure.signinlogs-default --exceptions bad.ndjson "
        "--count --no-alerts signin.ndjson");
    SHOW(r);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("bad.ndjson:2:"));
    CHECK_THAT(r.err, Contains("1 hit excepted"));
  }
  SECTION("an item on a field the events lack excepts nothing") {
    cli.file("absent.ndjson",
             "{\"list_id\":\"allow\",\"name\":\"Allow\",\"type\":\"detection\",\"namespace_type\":"
             "\"single\"}\n"
             "{\"item_id\":\"x\",\"list_id\":\"allow\",\"namespace_type\":\"single\",\"name\":"
             "\"x\",\"type\":\"simple\",\"entries\":[{\"field\":\"no.such.field\",\"type\":"
             "\"match\",\"operator\":\"included\",\"value\":\"bob\"}]}\n");
    RunResult r = cli.run(
        "match --rules rules --index logs-azure.signinlogs-default --exceptions absent.ndjson "
        "--count --no-alerts signin.ndjson");
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Contains("{\"rule\":\"Risky sign-in\",\"count\":1}"));
  }
}

TEST_CASE("--progress and --summary write to stderr only", "[rule_pack_cli]") {
  Cli cli;
  pack(cli);
  const std::string args =
      "match --rules rules --index logs-azure.signinlogs-default signin.ndjson";
  RunResult plain = cli.run(args);
  RunResult both = cli.run(args + " --summary --progress");
  CHECK(both.out == plain.out);
  CHECK_THAT(both.err, Contains("eqlite: summary: 2 rules over 3 lines"));
  CHECK_THAT(both.err, Contains("         1         0  high      Risky sign-in\n"));
  CHECK_THAT(both.err, Contains("eqlite: 1 of 2 rules had hits"));
  // Off a terminal, --progress writes a last line at the end: bytes, rates, hits.
  CHECK_THAT(both.err, Contains(" MB, "));
  CHECK_THAT(both.err, Contains(" MB/s, "));
  CHECK_THAT(both.err, Contains(" events/s, 1 hit\n"));
  // stderr is not a terminal here: no progress unless asked, and the summary only when asked.
  CHECK(plain.err.find("MB/s") == std::string::npos);
  CHECK(plain.err.find("summary") == std::string::npos);
  // The threaded path (no pack feature) shows it the same way.
  RunResult threaded =
      cli.run("match --progress --count 'any where risk == \"high\"' signin.ndjson");
  CHECK(threaded.out == "1\n");
  CHECK_THAT(threaded.err, Contains(" events/s, 1 hit\n"));
}

TEST_CASE("rule pack: option mistakes are reported", "[rule_pack_cli]") {
  Cli cli;
  pack(cli);
  // --index names the inputs after it: after the last one it names nothing.
  RunResult trailing = cli.run("match --rules rules signin.ndjson --index logs-x-default");
  CHECK(trailing.status == 2);
  CHECK_THAT(trailing.err, Contains("--index logs-x-default names the inputs that follow it"));
  // A TOML rule writes alerts even without severity or threat.
  cli.file("bare.toml",
           "[rule]\nname = \"Bare\"\nrule_id = \"b\"\nlanguage = \"eql\"\ntype = \"eql\"\n"
           "query = \"any where risk == \\\"high\\\"\"\n");
  RunResult bare = cli.run("match --rule-file bare.toml signin.ndjson");
  SHOW(bare);
  CHECK_THAT(bare.out, StartsWith("{\"kibana\":{\"alert\":{\"rule\":{\"rule_id\":\"b\","));
}

TEST_CASE("rule pack: events held for lateness keep their input's constants", "[rule_pack_cli]") {
  // Two inputs of two data streams merged by time: the sequence's events, held for the
  // allowed lateness, join by the event.dataset of their own input (E4).
  Cli cli;
  cli.file("sa.ndjson", "{\"@timestamp\":1000,\"x\":1}\n{\"@timestamp\":3000,\"x\":2}\n");
  cli.file("sb.ndjson", "{\"@timestamp\":2000,\"y\":1}\n{\"@timestamp\":4000,\"y\":2}\n");
  const std::string query = q("sequence by event.dataset [any where x == 1] [any where x == 2]");
  for (const char* lateness : {"1m", "0"}) {
    INFO("--allowed-lateness " << lateness);
    RunResult r = cli.run("match " + query + " --allowed-lateness " + lateness +
                          " --index logs-a.x-default sa.ndjson --index logs-b.y-default sb.ndjson");
    CHECK(r.out ==
          "{\"join_keys\":[\"a.x\"],\"events\":[{\"@timestamp\":1000,\"x\":1},"
          "{\"@timestamp\":3000,\"x\":2}]}\n");
  }
}

TEST_CASE("Elastic's detection-rules folder and sign-in documents", "[rule_pack_cli]") {
  const std::string rules = kCorpusDir + "/detection-rules/rules";
  if (!std::filesystem::exists(rules)) {
    WARN("skipped: " << rules << " is absent (../shared/corpus)");
    return;
  }
  Cli cli;
  RunResult r =
      cli.run("match --rules " + q(rules) + " --rules " + q(kSourceDir + "/examples/rules") +
              " --index logs-azure.signinlogs-default " +
              q(kCorpusDir + "/azure-signinlogs-samples.ndjson") + " --summary --sort");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Contains("eqlite: 955 EQL rules loaded; 1,110 skipped: 737 kuery ("));
  CHECK_THAT(r.err, Contains("), 209 esql, 106 machine_learning, 57 deprecated eql, 1 lucene"));
  // T1078.004 as a TOML rule: the one sign-in of Elastic's documents it matches
  // (examples/README.md).
  CHECK(count_of(r.out, "\"rule_id\":\"5c1f2e4a-7b1d-4c8e-9f3a-2d6b0e7a1078\"") == 1);
  CHECK(count_of(r.out, "\"subtechnique\":[{\"id\":\"T1078.004\"") == 1);
}

TEST_CASE("a rule's event_category_override names the field its category tests",
          "[rule_pack_cli]") {
  Cli cli;
  std::filesystem::create_directories(cli.dir() + "/rules");
  cli.file("rules/info.toml", toml_rule("r-info", "Info", "\"logs-aws.cloudtrail-*\"",
                                        "info where event.action == \"ModifyDBInstance\"",
                                        "event_category_override = \"event.type\"\n"));
  cli.file("ct.ndjson",
           "{\"event\":{\"type\":[\"info\"],\"action\":\"ModifyDBInstance\"},\"n\":1}\n"
           "{\"event\":{\"category\":\"info\",\"action\":\"ModifyDBInstance\"},\"n\":2}\n");
  RunResult r = cli.run("match --rules rules --no-alerts ct.ndjson");
  SHOW(r);
  CHECK(r.out == "{\"event\":{\"type\":[\"info\"],\"action\":\"ModifyDBInstance\"},\"n\":1}\n");
}

TEST_CASE("exceptions on a sequence: excepted events take part in no sequence, as Kibana's filter",
          "[rule_pack_cli]") {
  Cli cli;
  cli.file("seq.eql", "sequence by user [any where x == 1] [any where x == 2]");
  cli.file("noise.ndjson",
           "{\"list_id\":\"n\",\"name\":\"N\",\"type\":\"detection\",\"namespace_type\":"
           "\"single\"}\n"
           "{\"item_id\":\"noise\",\"list_id\":\"n\",\"namespace_type\":\"single\",\"name\":"
           "\"noise\",\"type\":\"simple\",\"entries\":[{\"field\":\"tag\",\"type\":\"match\","
           "\"operator\":\"included\",\"value\":\"noise\"}]}\n");
  cli.file("e.ndjson",
           "{\"@timestamp\":1000,\"user\":\"bob\",\"x\":1,\"n\":1}\n"
           "{\"@timestamp\":2000,\"user\":\"bob\",\"x\":2,\"tag\":\"noise\",\"n\":2}\n"
           "{\"@timestamp\":3000,\"user\":\"bob\",\"x\":2,\"n\":3}\n");
  RunResult plain = cli.run("match --rule-file seq.eql e.ndjson");
  CHECK(count_of(plain.out, "\n") == 1);
  CHECK_THAT(plain.out, Contains("\"n\":2}]}"));  // without exceptions: the first x == 2
  RunResult r = cli.run("match --rule-file seq.eql --exceptions noise.ndjson --summary e.ndjson");
  SHOW(r);
  CHECK(r.status == 0);
  // The excepted event is filtered out before sequencing: the later x == 2 completes it.
  CHECK(r.out ==
        "{\"join_keys\":[\"bob\"],\"events\":[{\"@timestamp\":1000,\"user\":\"bob\",\"x\":1,"
        "\"n\":1},{\"@timestamp\":3000,\"user\":\"bob\",\"x\":2,\"n\":3}]}\n");
  // The sequence it would have made is counted as excepted.
  CHECK_THAT(r.err, Contains("eqlite: 1 hit excepted by exception lists"));
  CHECK_THAT(r.err, Contains("         1         1  -         seq\n"));
  CHECK_THAT(r.err, Contains("summary: 1 rule over 3 lines"));
}

TEST_CASE("--explain: what the rule index did with each event", "[rule_pack_cli]") {
  Cli cli;
  std::filesystem::create_directories(cli.dir() + "/r");
  cli.file("r/shell.eql", "process where process.name == \"sh\" and user.name == \"root\"");
  cli.file("r/any_sh.eql", "process where process.name : \"*sh\"");
  cli.file("r/always.eql", "any where length(message) > 3");
  cli.file("r/bob.eql", "process where user.name == \"bob\"");
  cli.file("e.ndjson",
           "{\"event\":{\"category\":\"process\"},\"process\":{\"name\":\"sh\"},\"user\":{"
           "\"name\":\"bob\"}}\nnot json\n");
  RunResult r = cli.run("match --rules r --explain e.ndjson");
  SHOW(r);
  CHECK(r.status == 0);
  // shell is filed under process.name "sh" and needs user.name "root" too: ruled out before
  // the VM, with the condition it failed; any_sh is filed under its category (its pattern has
  // no literal the index keeps apart); bob's conditions are all the index checks, and met: a
  // match without the VM; the rule without an anchor runs for every event.
  CHECK(r.out.substr(0, r.out.find("\n\n") + 2) ==
        "e.ndjson:1:\n"
        "  [event.category] \"process\" equals key \"process\" -> 1 rule: any_sh\n"
        "  [user.name] \"bob\" equals key \"bob\" -> 1 rule: bob\n"
        "  [process.name] \"sh\" equals key \"sh\" -> 1 rule: shell\n"
        "  run for every event: 1 rule: always\n"
        "  ruled out by their other conditions: 1 rule: shell (needs user.name == \"root\")\n"
        "  decided by their conditions alone (no VM run): 1 rule: bob\n"
        "  evaluated: 2 rules: always, any_sh\n"
        "  matched: 2 rules: any_sh, bob\n\n");
  // A line that is not JSON is said so, in its place.
  CHECK_THAT(r.out, Contains("e.ndjson:2: "));
  // Nothing is matched as output: only the explanation.
  CHECK(r.out.find("\"rule\":") == std::string::npos);
}

TEST_CASE("a rule pack on two threads: the output, messages and counts of one thread",
          "[rule_pack_cli]") {
  // --threads 2 matches a stream-mode rule set on a second thread (cli/match_ahead.hpp) in
  // batches of 256 events. Three inputs merged by time (input switches mid-batch), two
  // data streams' constants (E4), event rules, a sequence, a sample, a constant-sensitive rule,
  // exception lists, bad lines, events without a timestamp and late events.
  Cli cli;
  pack(cli);
  cli.file("rules/endpoint/by_dataset.eql",
           "any where event.dataset == \"endpoint.events.process\" and x == 7");
  cli.file("rules/endpoint/seq.eql",
           "sequence by host.id with maxspan=10s [process where x == 1] [file where true]");
  cli.file("rules/endpoint/sample.eql",
           "sample by host.id [process where x == 3] [file where x == 4]");
  cli.file("allow.ndjson",
           "{\"list_id\":\"allow\",\"name\":\"Allow\",\"type\":\"detection\",\"namespace_type\":"
           "\"single\"}\n"
           "{\"item_id\":\"h3\",\"list_id\":\"allow\",\"namespace_type\":\"single\",\"name\":"
           "\"h3\",\"type\":\"simple\",\"entries\":[{\"field\":\"host.id\",\"type\":\"match\","
           "\"operator\":\"included\",\"value\":\"h3\"},{\"field\":\"event.dataset\","
           "\"type\":\"match\",\"operator\":\"included\",\"value\":\"endpoint.events.file\"}]}\n"
           "{\"exported_exception_list_count\":1,\"exported_exception_list_item_count\":1}\n");
  std::string inputs[3];
  for (int i = 0; i < 2400; ++i) {
    std::string& in = inputs[i % 3];
    if (i % 397 == 5) {
      in += "not json\n";
      continue;
    }
    const char* category = i % 2 ? "file" : "process";
    std::string e = "{\"event\":{\"category\":\"" + std::string(category) + "\"},";
    if (i % 311 != 7)
      e += "\"@timestamp\":" + std::to_string(i % 173 == 9 ? i * 1000 - 90000 : i * 1000) + ",";
    e += "\"host\":{\"id\":\"h" + std::to_string(i % 5) + "\"},\"x\":" + std::to_string(i % 9) +
         ",\"process\":{\"name\":\"" + (i % 4 ? "sh" : "bash") + "\"}}";
    in += e + "\n";
  }
  cli.file("in0.ndjson", inputs[0]);
  cli.file("in1.ndjson", inputs[1]);
  cli.file("in2.ndjson", inputs[2]);
  const std::string args =
      " --stats --summary --allowed-lateness 10s --rules rules --exceptions allow.ndjson"
      " --index logs-endpoint.events.process-default in0.ndjson in1.ndjson"
      " --index logs-endpoint.events.file-default in2.ndjson";
  RunResult one = cli.run("match --threads 1" + args);
  RunResult two = cli.run("match --threads 2" + args);
  SHOW(one);
  CHECK(one.status == two.status);
  CHECK(count_of(one.out, "\n") > 100);                  // event rules, sequences and samples fired
  CHECK_THAT(one.out, Contains("\"rule_id\":\"seq\""));  // alerts of the sequence
  CHECK_THAT(one.out, Contains("\"rule_id\":\"sample\""));  // and of the sample
  CHECK_THAT(one.err, Contains("hits excepted by exception lists"));
  CHECK_THAT(one.err, Contains("in2.ndjson:2: invalid JSON"));  // a bad line, in place
  CHECK_THAT(one.err, Contains(" late (kept out of sequences)"));
  CHECK(two.out == one.out);
  CHECK(two.err == one.err);
  // one input: whole batches
  const std::string single =
      " --stats --rules rules --index logs-endpoint.events.process-default in0.ndjson";
  one = cli.run("match --threads 1" + single);
  two = cli.run("match --threads 2" + single);
  CHECK(count_of(one.out, "\n") > 50);
  CHECK(two.out == one.out);
  CHECK(two.err == one.err);
}
