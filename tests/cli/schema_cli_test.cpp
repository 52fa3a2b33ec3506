// tests/cli/schema_cli_test.cpp — `eqlite check --schema` (docs/schema-lint.md, docs/cli.md):
// findings at FILE:LINE:COL with the rule's line and a caret, --format json, a TOML rule's
// required_fields, and the exit status (findings do not change it).
#include "cli/cli_support.hpp"

using namespace cli_test;

namespace {

std::string t1078() {
  return read_all(kSourceDir + "/examples/t1078_004.eql");
}

}  // namespace

TEST_CASE("check --schema ecs: ECS, and the Azure integration for azure.* fields", "[cli]") {
  // The issue's example: the three fields of the T1078.004 rule that Elastic's schema does not
  // have as written (a misspelt field, a dropped field, a long compared with a string).
  Cli cli;
  cli.file("t.eql", t1078());
  RunResult ecs = cli.run("check --schema ecs --rule-file t.eql");
  RunResult both = cli.run("check --schema ecs --schema azure --rule-file t.eql");
  SHOW(ecs);
  CHECK(ecs.status == 0);
  CHECK(lines_of(ecs.out).size() == 9);
  CHECK(ecs.out == both.out);
  // --schema azure alone checks the azure.* fields only and says what it leaves out.
  RunResult azure = cli.run("check --schema azure --rule-file t.eql");
  CHECK(azure.out.find("risk_level_during_signin]?") != std::string::npos);
}

TEST_CASE("check --schema ecs --schema azure: the misspelt fields and the coercion", "[cli]") {
  Cli cli;
  cli.file("t.eql", t1078());
  RunResult r = cli.run("check --schema ecs --schema azure --rule-file t.eql");
  SHOW(r);
  CHECK(r.status == 0);
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == 9);
  CHECK_THAT(out[0], StartsWith("t.eql:2:54: note: [azure.signinlogs.properties.status.error_code "
                                "== \"0\"] compares the [long] field with a string"));
  CHECK(out[2] == std::string(53, ' ') + "^");
  CHECK_THAT(out[3], StartsWith("t.eql:4:1: warning: field "
                                "[azure.signinlogs.properties.location.country_or_region] is not "
                                "in the Azure integration; fields with similar names: "
                                "[geo.country_iso_code]"));
  CHECK(out[6] ==
        "t.eql:6:1: warning: field [azure.signinlogs.properties.risk_level_during_sign_in] is not "
        "in the Azure integration; did you mean "
        "[azure.signinlogs.properties.risk_level_during_signin]?");
  CHECK(out[8] == "^");
}

TEST_CASE("check --schema --format json: one object per finding", "[cli]") {
  Cli cli;
  cli.file("t.eql", t1078());
  RunResult r = cli.run("check --schema ecs --schema azure --format json --rule-file t.eql");
  SHOW(r);
  CHECK(r.status == 0);
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == 3);
  CHECK_THAT(out[2], StartsWith("{\"file\":\"t.eql\",\"line\":6,\"column\":1,\"severity\":"
                                "\"warning\",\"code\":\"unknown-field\",\"field\":"
                                "\"azure.signinlogs.properties.risk_level_during_sign_in\""));
  CHECK_THAT(out[2],
             Contains("\"suggestion\":\"azure.signinlogs.properties.risk_level_during_signin\"}"));
  CHECK_THAT(out[0], Contains("\"code\":\"coercion\""));
}

TEST_CASE("check --schema: a query on the command line, --set, and the exit status", "[cli]") {
  Cli cli;
  RunResult r = cli.run("check --schema ecs " + q("process where process.pid : \"4\""));
  SHOW(r);
  CHECK(r.status == 0);  // findings do not change the exit status
  CHECK_THAT(r.out, StartsWith("1:15: error: [:] on the [long] field [process.pid]: "
                               "Elasticsearch rejects the query"));
  CHECK_THAT(r.out, Contains("write process.pid == 4"));
  r = cli.run("check --schema ecs " + q("any where process.nmae == \"x\""));
  CHECK_THAT(r.out, Contains("did you mean [process.name]?"));
  r = cli.run("check --schema ecs --set process.nmae=x " + q("any where process.nmae == \"x\""));
  CHECK(r.out.empty());
  r = cli.run("check --schema nope " + q("any where true"));
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("unknown schema [nope]"));
  r = cli.run("check --schema ecs --format xml " + q("any where true"));
  CHECK(r.status == 2);
  r = cli.run("check --schema ecs " + q("any where a == "));  // does not compile
  CHECK(r.status == 2);
}

TEST_CASE("check --schema: a TOML rule's required_fields are schema, positions in the file",
          "[cli]") {
  Cli cli;
  cli.file("rule.toml", R"TOML([metadata]
maturity = "production"

[rule]
name = "Custom field"
rule_id = "r1"
language = "eql"
type = "eql"
query = '''
process where custom.count == "3" and
  process.nmae == "cmd.exe"
'''

[[rule.required_fields]]
name = "custom.count"
type = "long"
ecs = false
)TOML");
  RunResult r = cli.run("check --schema ecs --rule-file rule.toml");
  SHOW(r);
  CHECK(r.status == 0);
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == 6);
  CHECK_THAT(out[0], StartsWith("rule.toml:10:31: note: [custom.count == \"3\"] compares the "
                                "[long] field with a string"));
  CHECK_THAT(out[3], StartsWith("rule.toml:11:3: warning: field [process.nmae] is not in ECS"));
}

TEST_CASE("check --schema: --fields-from samples are schema too", "[corpus]") {
  const std::string samples = kCorpusDir + "/azure-signinlogs-samples.ndjson";
  if (!std::filesystem::exists(samples)) {
    WARN("skipped: " << samples << " is absent (the corpus lives in ../shared/corpus)");
    return;
  }
  Cli cli;
  cli.file("t.eql", t1078());
  RunResult r = cli.run("check --schema ecs --fields-from " + q(samples) + " --rule-file t.eql");
  SHOW(r);
  CHECK(r.status == 0);
  // The samples' own fields join the suggestions: both country fields Elastic fills.
  CHECK_THAT(r.out, Contains("[geo.country_iso_code], [source.geo.country_iso_code]"));
  CHECK_THAT(r.out,
             Contains("did you mean [azure.signinlogs.properties.risk_level_during_signin]"));
  CHECK(count_of(r.out, ": warning: ") == 2);
  CHECK(count_of(r.out, ": note: ") == 1);
}

TEST_CASE("check --schema: `*` in sample paths and required_fields names does not crash", "[cli]") {
  Cli cli;
  cli.file("star.ndjson", "{\"a\":{\"*\":{\"b\":{\"*\":1}}}}\n");
  cli.file("r.eql", "any where a.x.b.y == 1 and a.q.b.z.w == 2\n");
  RunResult r = cli.run("check --schema ecs --fields-from star.ndjson --rule-file r.eql");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out.empty());
  cli.file("rule.toml", R"TOML([rule]
name = "Star"
rule_id = "r1"
language = "eql"
type = "eql"
query = "process where a.x.b.y == 1"

[[rule.required_fields]]
name = "a.*.b.*"
type = "keyword"
ecs = false
)TOML");
  r = cli.run("check --schema ecs --rule-file rule.toml");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out.empty());  // a.*.b.* defines any field below a.X.b
}

TEST_CASE("check --schema: a finding in a one-line TOML query shows the file's line", "[cli]") {
  Cli cli;
  cli.file("rule.toml",
           "[rule]\nname = \"x\"\nrule_id = \"r1\"\nlanguage = \"eql\"\ntype = \"eql\"\n"
           "query = \"process where process.nmae == \\\"cmd.exe\\\"\"\n");
  RunResult r = cli.run("check --schema ecs --rule-file rule.toml");
  SHOW(r);
  CHECK(r.status == 0);
  const auto out = lines_of(r.out);
  REQUIRE(out.size() == 3);
  CHECK_THAT(out[0], StartsWith("rule.toml:6:24: warning: field [process.nmae]"));
  CHECK(out[1] == "query = \"process where process.nmae == \\\"cmd.exe\\\"\"");
  CHECK(out[2] == std::string(23, ' ') + "^");
}

TEST_CASE("check: --set takes FIELD=VALUE", "[cli]") {
  Cli cli;
  RunResult r = cli.run("check --schema ecs --set process.nmae " + q("any where true"));
  SHOW(r);
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("--set takes FIELD=VALUE"));
  r = cli.run("check --set =x " + q("any where true"));
  CHECK(r.status == 2);
}
