// tests/pack/rule_loader_test.cpp — rule files as rule packs publish them
// (pack/rule_loader.hpp; docs/rule-packs.md).
#include <catch2/catch.hpp>

#include <eqlite/query.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

TEST_CASE("a folder read on many threads gives what one thread gives, in path order",
          "[rule_pack]") {
  TempDir dir;
  for (int i = 0; i < 60; ++i) {
    const std::string n = std::to_string(100 + i);
    std::string rule = kRule;
    rule.replace(rule.find("Risky sign-in"), 13, "rule " + n);
    switch (i % 5) {
      case 0:
        dir.write("r" + n + ".toml", rule);
        break;
      case 1:
        dir.write("r" + n + ".toml", "[rule\n");  // broken
        break;
      case 2:
        dir.write("r" + n + ".eql", "process where process.pid == " + n + "\n");
        break;
      case 3:
        dir.write("r" + n + ".toml",
                  "[metadata]\nmaturity = \"production\"\n[rule]\nlanguage = \"kuery\"\n"
                  "type = \"query\"\nname = \"k\"\nrule_id = \"k\"\nquery = \"a:b\"\n");
        break;
      default:
        dir.write("sub/r" + n + ".toml", rule);
    }
  }
  pack::LoadOptions one;
  one.threads = 1;
  const auto expected = pack::load_rules({dir.path.string()}, one);
  REQUIRE(expected.rules.size() == 36);
  REQUIRE(expected.errors.size() == 12);
  for (std::size_t threads : {2, 3, 7}) {
    pack::LoadOptions many;
    many.threads = threads;
    const auto got = pack::load_rules({dir.path.string()}, many);
    REQUIRE(got.rules.size() == expected.rules.size());
    for (std::size_t r = 0; r < got.rules.size(); ++r) {
      CHECK(got.rules[r].path == expected.rules[r].path);
      CHECK(got.rules[r].name == expected.rules[r].name);
      CHECK(got.rules[r].query == expected.rules[r].query);
    }
    REQUIRE(got.errors.size() == expected.errors.size());
    for (std::size_t e = 0; e < got.errors.size(); ++e)
      CHECK(got.errors[e].to_string() == expected.errors[e].to_string());
    CHECK(got.summary() == expected.summary());
  }
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

namespace {

// Loads `rule_lines` under a [rule] table (line 2 on) and returns the error; `ok` says whether it
// loaded.
pack::LoadError load_error_of(const std::string& text, bool& ok) {
  pack::Rule r;
  pack::LoadError e;
  ok = pack::load_rule_text("typed.toml", text, r, e);
  return e;
}

}  // namespace

TEST_CASE("TOML values of the wrong type are errors at their position, never dropped",
          "[rule_pack]") {
  const std::string head =
      "[rule]\nlanguage = \"eql\"\ntype = \"eql\"\nquery = \"any where true\"\n";
  struct Case {
    std::string line;  // line 5 of the file
    std::string at;    // the text the error points at
    std::string says;
  };
  const std::vector<Case> cases = {
      {"index = \"logs-*\"", "\"logs-*\"", "rule.index"},
      {"index = [\"logs-*\", 7]", "7", "rule.index"},
      {"tags = [\"a\", true]", "true", "rule.tags"},
      {"severity = 7", "7", "rule.severity"},
      {"severity = \"urgent\"", "\"urgent\"", "low, medium, high or critical"},
      {"risk_score = 101", "101", "0 to 100"},
      {"risk_score = -1", "-1", "0 to 100"},
      {"risk_score = \"47\"", "\"47\"", "rule.risk_score"},
      {"risk_score = 4.7", "4.7", "rule.risk_score"},
      {"rule_id = 12", "12", "rule.rule_id"},
      {"name = [\"x\"]", "[\"x\"]", "rule.name"},
      {"description = 1", "1", "rule.description"},
      {"building_block_type = true", "true", "rule.building_block_type"},
      {"timestamp_override = 1", "1", "rule.timestamp_override"},
      {"event_category_override = 1", "1", "rule.event_category_override"},
      {"threat = \"T1078\"", "\"T1078\"", "rule.threat"},
      {"threat = [1]", "1", "rule.threat"},
      {"threat = [{ framework = 1 }]", "1", "framework"},
      {"threat = [{ tactic = \"TA0001\" }]", "\"TA0001\"", "tactic"},
      {"threat = [{ tactic = { id = 1 } }]", "1", "tactic.id"},
      {"threat = [{ technique = { id = \"T1\" } }]", "{ id", "technique"},
      {"threat = [{ technique = [{ name = 2 }] }]", "2", "technique.name"},
      {"threat = [{ technique = [{ subtechnique = [{ reference = 3 }] }] }]", "3",
       "subtechnique.reference"},
      {"required_fields = [{ name = 1, type = \"keyword\" }]", "1", "required_fields.name"},
      {"required_fields = [{ name = \"a\", type = 1 }]", "1", "required_fields.type"},
      {"required_fields = [{ name = \"a\", ecs = \"yes\" }]", "\"yes\"", "required_fields.ecs"},
      {"required_fields = [\"a\"]", "\"a\"", "required_fields"},
      {"exceptions_list = [\"a\"]", "\"a\"", "exceptions_list"},
      {"exceptions_list = [{ list_id = 5 }]", "5", "exceptions_list.list_id"},
      {"language = 1", "1", "rule.language"},
      {"type = false", "false", "rule.type"},
  };
  for (const auto& c : cases) {
    INFO(c.line);
    // `language` and `type` given twice would not be TOML: a case that sets one replaces it.
    std::string text = "[rule]\n";
    if (c.line.rfind("language = ", 0) != 0) text += "language = \"eql\"\n";
    if (c.line.rfind("type = ", 0) != 0) text += "type = \"eql\"\n";
    text += "query = \"any where true\"\n";
    const auto line = static_cast<std::uint32_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    text += c.line + "\n";
    bool ok = true;
    const pack::LoadError e = load_error_of(text, ok);
    CHECK_FALSE(ok);
    CHECK(e.line == line);
    CHECK(e.column == c.line.find(c.at) + 1);
    CHECK_THAT(e.message, Catch::Contains(c.says));
  }
  SECTION("metadata.maturity") {
    bool ok = true;
    const pack::LoadError e = load_error_of("[metadata]\nmaturity = 1\n" + head, ok);
    CHECK_FALSE(ok);
    CHECK(e.line == 2);
    CHECK(e.column == 12);
    CHECK_THAT(e.message, Catch::Contains("metadata.maturity"));
  }
  SECTION("columns in bytes") {
    bool ok = true;
    const std::string text =
        "rule = { name = \"caf\xC3\xA9\", language = \"eql\", query = \"any where true\", "
        "severity = 7 }\n";
    const pack::LoadError e = load_error_of(text, ok);
    CHECK_FALSE(ok);
    CHECK(e.line == 1);
    CHECK(e.column == text.find("7 }") + 1);
  }
  SECTION("the right types load") {
    bool ok = false;
    load_error_of(head + "index = [\"logs-*\"]\nseverity = \"low\"\nrisk_score = 0\n", ok);
    CHECK(ok);
  }
}

TEST_CASE("a folder: a rule with mistyped metadata is reported, the others run", "[rule_pack]") {
  TempDir dir;
  dir.write("a.eql", "process where true\n");
  dir.write("b.toml",
            "[rule]\nlanguage = \"eql\"\ntype = \"eql\"\nindex = \"logs-*\"\nquery = \"any where "
            "true\"\n");
  auto load = pack::load_rules({dir.path.string()});
  REQUIRE(load.rules.size() == 1);
  CHECK(load.rules[0].name == "a");
  REQUIRE(load.errors.size() == 1);
  CHECK_THAT(load.errors[0].to_string(), Catch::Contains("b.toml:4:9: "));
}

TEST_CASE("compile errors: the excerpt is the file's line, the caret under the file's column",
          "[rule_pack]") {
  SECTION("a single-line query") {
    const std::string text =
        "[rule]\nlanguage = \"eql\"\ntype = \"eql\"\nname = \"x\"\nrule_id = \"x\"\n"
        "description = \"d\"\nrisk_score = 1\nseverity = \"low\"\n"
        "query = \"process where process.name == \\\"cmd.exe\\\" and x = 1\"\n";
    pack::Rule r;
    pack::LoadError e;
    REQUIRE(pack::load_rule_text("one.toml", text, r, e));
    auto q = eqlite::compile(r.query);
    REQUIRE_FALSE(q);
    const auto ce = pack::compile_error(r, q.error());
    CHECK(ce.line == 9);
    const std::string line9 =
        text.substr(text.find("query ="), text.size() - text.find("query =") - 1);
    REQUIRE(ce.column >= 1);
    CHECK(ce.excerpt == line9 + "\n" + std::string(ce.column - 1, ' ') + "^");
    CHECK(pack::excerpt(r, q.error().where.offset) == ce.excerpt);
  }
  SECTION("a multi-line query: the first line holds the delimiter") {
    const std::string text =
        "[rule]\nlanguage = \"eql\"\nquery = \"\"\"process where a ==== 1\n"
        "  and b == 2\"\"\"\n";
    pack::Rule r;
    pack::LoadError e;
    REQUIRE(pack::load_rule_text("multi.toml", text, r, e));
    auto q = eqlite::compile(r.query);
    REQUIRE_FALSE(q);
    const auto ce = pack::compile_error(r, q.error());
    CHECK(ce.line == 3);
    CHECK_THAT(ce.excerpt, Catch::StartsWith("query = \"\"\"process where a ==== 1\n"));
    CHECK(ce.excerpt.substr(ce.excerpt.find('\n') + 1) == std::string(ce.column - 1, ' ') + "^");
    // A position on the query's second line.
    const std::size_t b = r.query.find("b ==");
    CHECK(pack::excerpt(r, b) == "  and b == 2\"\"\"\n      ^");
  }
  SECTION("an .eql file: the file is the query") {
    pack::Rule r;
    pack::LoadError e;
    REQUIRE(pack::load_rule_text("x.eql", "process where\n  a ==== 1\n", r, e));
    CHECK(pack::excerpt(r, r.query.find("====")) == "  a ==== 1\n    ^");
  }
}

TEST_CASE("a folder with no rule file is an error, whatever the last entry was", "[rule_pack]") {
  TempDir dir;
  fs::create_directories(dir.path / "rules");
  // A dangling link named like a rule: not a regular file, and asking sets an error code.
  fs::create_symlink(dir.path / "nowhere", dir.path / "rules" / "z.toml");
  auto load = pack::load_rules({(dir.path / "rules").string()});
  CHECK(load.rules.empty());
  REQUIRE(load.errors.size() == 1);
  CHECK_THAT(load.errors[0].message, Catch::Contains("no rule files"));
}

TEST_CASE("toml_byte_column: toml++'s code-point columns as bytes", "[rule_pack]") {
  const std::string text = "a = 1\nb = \"\xC3\xA9\xC3\xA9\", c = 2\n";
  // `c` is code point 13 of line 2 and byte 15.
  CHECK(pack::toml_byte_column(text, 2, 13) == 15);
  CHECK(pack::toml_byte_column(text, 1, 5) == 5);
}
