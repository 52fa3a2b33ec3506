// tests/pack/toml_skim_test.cpp — pack::skim_rule_kind (pack/toml_skim.hpp): it answers only
// when sure, and then as the TOML parser does.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "pack/rule_loader.hpp"
#include "pack/toml_skim.hpp"

namespace fs = std::filesystem;

namespace {

struct Kind {
  bool known = false;
  std::string language, type;
};
Kind skim(const std::string& toml) {
  Kind k;
  k.known = pack::skim_rule_kind(toml, k.language, k.type);
  return k;
}

}  // namespace

TEST_CASE("skim: the [rule] table's language and type, as detection-rules writes them",
          "[toml_skim]") {
  const Kind k = skim(
      "[metadata]\nmaturity = \"production\"\ntype = \"not this one\"\n\n[rule]\n"
      "description = '''\nlanguage = \"eql\"\n[rule]\ntype = \"x\"\n'''\n"
      "index = [\n    \"logs-*\",\n    \"winlogbeat-*\",\n]\nlanguage = \"kuery\"  # comment\n"
      "name = \"k\"\nquery = '''\nevent.action:x\n'''\ntype = 'new_terms'\n\n"
      "[[rule.threat]]\nframework = \"MITRE ATT&CK\"\ntype = \"y\"\n");
  CHECK(k.known);
  CHECK(k.language == "kuery");
  CHECK(k.type == "new_terms");
  // CRLF line ends, a basic multi-line string with an escaped delimiter
  const Kind crlf = skim(
      "[rule]\r\nnote = \"\"\"\r\nsay \\\"\"\" then\r\nlanguage = \"eql\"\r\n\"\"\"\r\n"
      "language = \"esql\"\r\ntype = \"esql\"\r\n");
  CHECK(crlf.known);
  CHECK(crlf.language == "esql");
  // arrays, inline tables and strings over several lines are followed: their lines are not
  // headers or keys
  const Kind nested = skim(
      "[rule]\nfalse_positives = [\n    \"\"\"\n[rule]\nlanguage = \"eql\"\n    \"\"\",\n]\n"
      "providers = [\n  [\n    { field = \"a]\", value = \"{{x}}\" }\n  ],\n]\n"
      "tags = [\n '''a''',\n \"type = \\\"eql\\\"\",\n]\nlanguage = \"kuery\"\ntype = \"q\"\n"
      "[rule.threat_filters.meta]\n\"event.module\" = \"x\"\n");
  CHECK(nested.known);
  CHECK(nested.language == "kuery");
  CHECK(nested.type == "q");
}

TEST_CASE("skim: anything not plain is left to the parser", "[toml_skim]") {
  const char* unsure[] = {
      "[rule]\nlanguage = \"kuery\"\n",                                    // no type
      "[rule]\ntype = \"query\"\n",                                        // no language
      "[rule]\n\"language\" = \"kuery\"\ntype = \"query\"\n",              // a quoted key
      "rule.language = \"kuery\"\n[rule]\ntype = \"query\"\n",             // a dotted key
      "rule = { language = \"kuery\", type = \"query\" }\n",               // an inline table
      "[rule]\nlanguage = \"ku\\u0065ry\"\ntype = \"query\"\n",            // an escape
      "[rule]\nlanguage = \"kuery\" x\ntype = \"query\"\n",                // more after the value
      "[rule]\nlanguage = \"kuery\"\nlanguage = \"eql\"\ntype = \"q\"\n",  // twice
      "[rule]\nlanguage = '''kuery'''\ntype = \"query\"\n",                // a multi-line string
      "[rule]\nnote = '''\nnever closed\nlanguage = \"kuery\"\ntype = \"q\"\n",
      "[rule]\nnote = '''x''''\nlanguage = \"kuery\"\ntype = \"q\"\n",  // quotes by the end
      "[ rule ]\nlanguage = \"kuery\"\ntype = \"query\"\n",             // a spaced header
  };
  for (const char* toml : unsure) {
    INFO(toml);
    CHECK_FALSE(skim(toml).known);
  }
}

TEST_CASE("skim agrees with the TOML parser on Elastic's rule files", "[toml_skim]") {
  const fs::path dir = fs::path(EQLITE_CORPUS_DIR) / "detection-rules";
  if (!fs::exists(dir)) {
    WARN("skipped: " << dir << " is absent (../shared/corpus)");
    return;
  }
  std::size_t files = 0, known = 0, other_language = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".toml") continue;
    ++files;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const Kind k = skim(text);
    pack::Rule r;
    pack::LoadError error;
    const bool parsed = pack::load_rule_text(e.path().string(), text, r, error);
    INFO(e.path().string());
    REQUIRE(parsed);
    if (!k.known) continue;
    ++known;
    other_language += k.language != "eql";
    CHECK(k.language == r.language);
    CHECK(k.type == r.type);
  }
  CHECK(files == 2192);
  CHECK(known >= 2000);  // the 106 machine-learning rules have no language
  CHECK(other_language >= 1000);
}
