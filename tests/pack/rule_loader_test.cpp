// tests/pack/rule_loader_test.cpp — rule files as rule packs publish them
// (pack/rule_loader.hpp; docs/rule-packs.md).
#include <catch2/catch.hpp>

#include <eqlite/query.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "pack/rule_loader.hpp"

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("eqlite-pack-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + "-" +
            std::to_string(::time(nullptr)));
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
};

const char* const kRule = R"TOML([metadata]
creation_date = "2020/11/25"
maturity = "production"

[rule]
author = ["Elastic"]
description = "Test rule."
index = ["logs-azure.signinlogs-*", "filebeat-*"]
language = "eql"
name = "Risky sign-in"
risk_score = 73
rule_id = "0d8c7e5f-0000-4000-8000-000000000001"
severity = "high"
building_block_type = "default"
tags = ["Domain: Cloud", "Tactic: Initial Access"]
type = "eql"

query = '''
authentication where event.dataset == "azure.signinlogs" and
  azure.signinlogs.properties.risk_level_during_signin in ("high", "medium")
'''

[[rule.required_fields]]
name = "event.dataset"
type = "keyword"
ecs = true

[[rule.exceptions_list]]
id = "e1"
list_id = "travellers"
namespace_type = "single"
type = "detection"

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1078"
name = "Valid Accounts"
reference = "https://attack.mitre.org/techniques/T1078/"
[[rule.threat.technique.subtechnique]]
id = "T1078.004"
name = "Cloud Accounts"
reference = "https://attack.mitre.org/techniques/T1078/004/"

[rule.threat.tactic]
id = "TA0001"
name = "Initial Access"
reference = "https://attack.mitre.org/tactics/TA0001/"
)TOML";

}  // namespace

TEST_CASE("a detection-rules TOML file: query and metadata", "[rule_pack]") {
  TempDir dir;
  const auto path = dir.write("initial_access_risky.toml", kRule);
  pack::Rule r;
  pack::LoadError e;
  REQUIRE(pack::load_rule_file(path, r, e));
  CHECK(r.id == "0d8c7e5f-0000-4000-8000-000000000001");
  CHECK(r.name == "Risky sign-in");
  CHECK(r.language == "eql");
  CHECK(r.severity == "high");
  CHECK(r.risk_score == 73);
  CHECK(r.maturity == "production");
  CHECK(r.building_block());
  CHECK(r.index == std::vector<std::string>{"logs-azure.signinlogs-*", "filebeat-*"});
  CHECK(r.tags.size() == 2);
  REQUIRE(r.threat.size() == 1);
  CHECK(r.threat[0].framework == "MITRE ATT&CK");
  CHECK(r.threat[0].tactic.id == "TA0001");
  REQUIRE(r.threat[0].techniques.size() == 1);
  CHECK(r.threat[0].techniques[0].ref.id == "T1078");
  REQUIRE(r.threat[0].techniques[0].subtechniques.size() == 1);
  CHECK(r.threat[0].techniques[0].subtechniques[0].id == "T1078.004");
  REQUIRE(r.required_fields.size() == 1);
  CHECK(r.required_fields[0].name == "event.dataset");
  CHECK(r.required_fields[0].type == "keyword");
  CHECK(r.required_fields[0].ecs);
  REQUIRE(r.exceptions_list.size() == 1);
  CHECK(r.exceptions_list[0].list_id == "travellers");
  // ''' drops the newline after it: the query starts on the next line.
  CHECK(r.query.rfind("authentication where", 0) == 0);
  CHECK(r.query_line == 19);
  CHECK(r.query_column == 1);
  REQUIRE(eqlite::compile(r.query));
}

TEST_CASE("a query's error position maps into the TOML file", "[rule_pack]") {
  TempDir dir;
  SECTION("literal multi-line string") {
    std::string text = kRule;
    text.replace(text.find("in (\"high\""), 2, "IN");  // line 20 of the file
    const auto path = dir.write("bad.toml", text);
    pack::Rule r;
    pack::LoadError e;
    REQUIRE(pack::load_rule_file(path, r, e));
    auto q = eqlite::compile(r.query);
    REQUIRE_FALSE(q);
    const pack::LoadError ce = pack::compile_error(r, q.error());
    CHECK(ce.path == path);
    CHECK(ce.line == 20);
    // The column in the file of the error's offset in the query.
    const std::string line20 = "  azure.signinlogs.properties.risk_level_during_signin IN (";
    CHECK(ce.column >= 3);
    CHECK(ce.column <= line20.size() + 1);
    CHECK(ce.excerpt.find("risk_level_during_signin IN") != std::string::npos);
    CHECK(ce.excerpt.find('^') != std::string::npos);
    CHECK(ce.to_string().rfind(path + ":20:", 0) == 0);
  }
  SECTION("basic string with escapes: columns after an escape still point at the text") {
    const std::string text =
        "[rule]\nlanguage = \"eql\"\ntype = \"eql\"\nname = \"x\"\nrule_id = \"x\"\n"
        "query = \"process where a == \\\"\\\\\\\\x\\\" and b ==== 1\"\n";
    // query = "process where a == \"\\\\x\" and b ==== 1"  → value: process where a == "\\x"
    const auto path = dir.write("esc.toml", text);
    pack::Rule r;
    pack::LoadError e;
    REQUIRE(pack::load_rule_file(path, r, e));
    CHECK(r.query == "process where a == \"\\\\x\" and b ==== 1");
    CHECK(r.query_line == 6);
    CHECK(r.query_column == 10);
    const std::size_t at = r.query.find("b ====");
    std::uint32_t line = 0, column = 0;
    pack::map_to_file(r, at, line, column);
    CHECK(line == 6);
    const std::string file_line = text.substr(text.rfind("query ="));
    CHECK(column == file_line.find("b ====") + 1);
  }
}

TEST_CASE("broken TOML is reported at its position", "[rule_pack]") {
  TempDir dir;
  const auto path = dir.write("broken.toml", "[rule]\nname = \"x\nlanguage = \"eql\"\n");
  pack::Rule r;
  pack::LoadError e;
  REQUIRE_FALSE(pack::load_rule_file(path, r, e));
  CHECK(e.path == path);
  CHECK(e.line == 2);
  CHECK(e.message.find("not a valid TOML file") != std::string::npos);
  CHECK(e.to_string().rfind(path + ":2:", 0) == 0);
}

TEST_CASE("a folder: EQL loads, the rest is summarised, deprecated left out", "[rule_pack]") {
  TempDir dir;
  dir.write("a/initial_access.toml", kRule);
  std::string dep = kRule;
  dep.replace(dep.find("maturity = \"production\""), 23, "maturity = \"deprecated\"");
  dir.write("a/_deprecated/old.toml", dep);
  dir.write("b/kql.toml",
            "[metadata]\nmaturity = \"production\"\n[rule]\nlanguage = \"kuery\"\ntype = "
            "\"query\"\nname = \"k\"\nrule_id = \"k\"\nquery = \"a:b\"\n");
  dir.write("b/ml.toml",
            "[metadata]\nmaturity = \"production\"\n[rule]\ntype = \"machine_learning\"\nname = "
            "\"m\"\nrule_id = \"m\"\n");
  dir.write("b/broken.toml", "[rule\n");
  dir.write("c/plain.eql", "process where true\n");
  dir.write("c/notes.txt", "not a rule");

  auto load = pack::load_rules({dir.path.string()});
  REQUIRE(load.rules.size() == 2);
  CHECK(load.rules[0].name == "Risky sign-in");  // a/ before c/
  CHECK(load.rules[1].name == "plain");
  CHECK(load.rules[1].id == "plain");
  CHECK(load.building_blocks == 1);
  CHECK(load.skipped_files == 3);
  CHECK(load.skipped.at("kuery") == 1);
  CHECK(load.skipped.at("machine_learning") == 1);
  CHECK(load.skipped.at("deprecated eql") == 1);
  REQUIRE(load.errors.size() == 1);
  CHECK(load.errors[0].path.find("broken.toml") != std::string::npos);
  CHECK(load.summary() ==
        "2 EQL rules loaded (1 building block); 3 skipped: 1 deprecated eql, 1 kuery (1 query), "
        "1 machine_learning; 1 file with errors");

  // A file named on its own: loaded though deprecated; an error when it is not EQL.
  auto named = pack::load_rules(
      {(dir.path / "a/_deprecated/old.toml").string(), (dir.path / "b/kql.toml").string()});
  CHECK(named.rules.size() == 1);
  CHECK(named.skipped_files == 0);
  CHECK(named.folders == 0);
  REQUIRE(named.errors.size() == 1);
  CHECK_THAT(named.errors[0].to_string(),
             Catch::Contains("kql.toml: not an EQL rule (kuery, query)"));
  CHECK(load.folders == 1);

  pack::LoadOptions with_deprecated;
  with_deprecated.include_deprecated = true;
  auto all = pack::load_rules({dir.path.string()}, with_deprecated);
  CHECK(all.rules.size() == 3);
  CHECK(all.skipped_files == 2);
}

TEST_CASE("Elastic's detection-rules folder as published", "[rule_pack]") {
  const fs::path dir = fs::path(EQLITE_CORPUS_DIR) / "detection-rules";
  if (!fs::exists(dir)) {
    WARN("skipped: " << dir << " is absent (../shared/corpus)");
    return;
  }
  auto load = pack::load_rules({dir.string()});
  CHECK(load.errors.empty());
  CHECK(load.rules.size() == 1024);  // 1,081 EQL rules, 57 of them deprecated
  CHECK(load.skipped.at("deprecated eql") == 57);
  CHECK(load.skipped.at("kuery") == 792);
  CHECK(load.skipped.at("esql") == 212);
  CHECK(load.skipped.at("lucene") == 1);
  CHECK(load.rules.size() + load.skipped_files == 2192);
  std::size_t compiled = 0;
  for (const auto& r : load.rules) {
    auto q = eqlite::compile(r.query);
    if (q)
      ++compiled;
    else
      FAIL_CHECK(pack::compile_error(r, q.error()).to_string());
    CHECK(!r.id.empty());
    CHECK(!r.severity.empty());
    CHECK(r.risk_score >= 0);
  }
  CHECK(compiled == 1024);
  // event_category_override: `info where` tests event.type in 13 of them (AWS CloudTrail).
  std::size_t by_type = 0;
  for (const auto& r : load.rules)
    by_type += r.event_category_override == "event.type";
  CHECK(by_type == 13);
}

TEST_CASE("CRLF line ends: TOML reads them as LF; positions still map into the file",
          "[rule_pack]") {
  const std::string text =
      "[rule]\r\nlanguage = \"eql\"\r\nquery = \"\"\"\r\nprocess where\r\n  process.name == \"x\" "
      "and (\r\n\"\"\"\r\n";
  pack::Rule r;
  pack::LoadError e;
  REQUIRE(pack::load_rule_text("crlf.toml", text, r, e));
  CHECK(r.query == "process where\n  process.name == \"x\" and (\n");
  // "process.name" is on line 5 of the file, at column 3.
  std::uint32_t line = 0, column = 0;
  pack::map_to_file(r, r.query.find("process.name"), line, column);
  CHECK(line == 5);
  CHECK(column == 3);
  auto q = eqlite::compile(r.query);
  REQUIRE_FALSE(q);
  const auto ce = pack::compile_error(r, q.error());
  // The query's line N is the file's line N + 3 (it starts on line 4), the column the same.
  CHECK(ce.line == q.error().where.line + 3);
  CHECK(ce.column == q.error().where.column);
}

TEST_CASE("columns are bytes, though toml++ counts code points", "[rule_pack]") {
  // "café éé" is 7 code points and 10 bytes: the query's quote is at byte column 64.
  const std::string text =
      "rule = { name = \"caf\xC3\xA9 \xC3\xA9\xC3\xA9\", language = \"eql\", query = \"any where a "
      "== == 1\" }\n";
  pack::Rule r;
  pack::LoadError e;
  REQUIRE(pack::load_rule_text("inline.toml", text, r, e));
  const std::size_t quote = text.find("\"any where");
  CHECK(r.query_line == 1);
  CHECK(r.query_column == quote + 2);  // the query's first byte, after the quote
  auto q = eqlite::compile(r.query);
  REQUIRE_FALSE(q);
  const auto ce = pack::compile_error(r, q.error());
  CHECK(ce.line == 1);
  CHECK(ce.column == quote + 1 + q.error().where.column);
  CHECK(text.substr(ce.column - 1, 2) == "==");
}
