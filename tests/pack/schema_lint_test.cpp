// tests/pack/schema_lint_test.cpp — `eqlite check --schema`: the schemas (pack/schema.hpp), the
// field uses a query reports (eqlite::Query::field_uses) and the findings of pack::lint
// (pack/schema_lint.hpp). Each case names the rule of docs/schema-lint.md it checks.
#include <catch2/catch.hpp>

#include <eqlite/eqlite.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pack/rule.hpp"
#include "pack/schema.hpp"
#include "pack/schema_lint.hpp"

namespace {

const std::string kSource = EQLITE_SOURCE_DIR;
const std::string kCorpus = EQLITE_CORPUS_DIR;

eqlite::Query compiled(const std::string& text) {
  auto q = eqlite::compile(text);
  INFO(text);
  REQUIRE(q.ok());
  return *q;
}

pack::SchemaSet ecs() {
  pack::SchemaSet s;
  s.add(*pack::Schema::builtin("ecs"));
  return s;
}

std::vector<pack::Finding> lint(const std::string& text, const pack::SchemaSet& schemas,
                                const pack::LintOptions& options = {}) {
  return pack::lint(compiled(text), schemas, options);
}

std::vector<std::string> codes(const std::vector<pack::Finding>& fs) {
  std::vector<std::string> out;
  for (const auto& f : fs)
    out.push_back(f.code);
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("field_uses: operator, literals and position of every field reference", "[schema_lint]") {
  // The public API the lint is built on (include/eqlite/query.hpp).
  auto q = compiled(
      "any where a.b == \"x\" and 5 < c and d in (1, -2.5) and e : \"f*\" and "
      "cidrMatch(g, \"10.0.0.0/8\") and h + 1 > 2");
  const auto uses = q.field_uses();
  REQUIRE(uses.size() == 6);
  CHECK(uses[0].field == "a.b");
  CHECK(uses[0].op == eqlite::FieldUse::Op::Eq);
  CHECK(uses[0].offset == 10);
  CHECK(uses[0].length == 3);
  REQUIRE(uses[0].literals.size() == 1);
  CHECK(uses[0].literals[0].kind == eqlite::LiteralUse::Kind::String);
  CHECK(uses[0].literals[0].text == "x");
  CHECK(uses[0].literals[0].offset == 17);
  CHECK(uses[1].field == "c");
  CHECK(uses[1].op == eqlite::FieldUse::Op::Gt);  // `5 < c` is `c > 5`
  CHECK(uses[2].op == eqlite::FieldUse::Op::In);
  REQUIRE(uses[2].literals.size() == 2);
  CHECK(uses[2].literals[1].kind == eqlite::LiteralUse::Kind::Double);
  CHECK(uses[2].literals[1].text == "-2.5");
  CHECK(uses[3].op == eqlite::FieldUse::Op::Seq);
  CHECK(uses[4].op == eqlite::FieldUse::Op::Call);
  CHECK(uses[4].function == "cidrMatch");
  CHECK(uses[4].argument == 0);
  REQUIRE(uses[4].literals.size() == 1);
  CHECK(uses[5].field == "h");
  CHECK(uses[5].op == eqlite::FieldUse::Op::Other);  // in arithmetic
}

TEST_CASE("field_uses: sequences give every stage's fields and the join keys", "[schema_lint]") {
  // Q1: `sequence by k [..] by j`.
  auto q = compiled(
      "sequence by user.id with maxspan=1m [process where process.pid == 4] by host.id "
      "[file where file.path : \"x\"] by host.name");
  V fields;
  for (const auto& u : q.field_uses())
    fields.push_back(u.field + (u.op == eqlite::FieldUse::Op::JoinKey ? "(key)" : ""));
  CHECK(fields == V{"user.id(key)", "process.pid", "host.id(key)", "file.path", "host.name(key)"});
}

TEST_CASE("ECS schema: the generated table", "[schema_lint]") {
  auto s = *pack::Schema::builtin("ecs");
  CHECK(s.fields().size() == 2732);
  REQUIRE(s.find("source.ip"));
  CHECK(s.find("source.ip")->type == "ip");
  CHECK(s.find("process.pid")->family() == pack::TypeFamily::Integer);
  CHECK(s.find("process.args")->array);
  CHECK(s.find("labels.anything"));  // labels is an object: any key below it
  CHECK(s.covers("process.nam"));
  CHECK_FALSE(s.covers("azure.signinlogs.properties.id"));          // an integration's field
  CHECK_FALSE(s.covers("process.Ext.token.integrity_level_name"));  // Elastic Endpoint's
  CHECK_FALSE(pack::Schema::builtin("nope"));
}

TEST_CASE("Azure schema: generated from the integration's fields.yml", "[schema_lint]") {
  auto s = *pack::Schema::builtin("azure");
  REQUIRE(s.find("azure.signinlogs.properties.status.error_code"));
  CHECK(s.find("azure.signinlogs.properties.status.error_code")->type == "long");
  CHECK(s.find("azure.signinlogs.properties.risk_level_during_signin"));
  CHECK(s.find("azure.activitylogs.properties.anything"));  // flattened
  CHECK(s.covers("azure.signinlogs.x"));
  CHECK_FALSE(s.covers("azure.identityprotection.x"));  // a data stream it does not have
  CHECK_FALSE(s.covers("event.dataset"));               // an ECS field it fills: ECS speaks for it
}

TEST_CASE("unknown-field: a field ECS covers but does not define, with the nearest field",
          "[schema_lint]") {
  auto fs = lint("process where process.nmae == \"cmd.exe\" and process.name == \"x\"", ecs());
  REQUIRE(codes(fs) == V{"unknown-field"});
  CHECK(fs[0].line == 1);
  CHECK(fs[0].column == 15);
  CHECK(fs[0].severity == pack::Finding::Severity::Warning);
  CHECK(fs[0].suggestion == "process.name");
  CHECK(fs[0].message == "field [process.nmae] is not in ECS; did you mean [process.name]?");
}

TEST_CASE("unknown-field: each field once, constants and required_fields are known",
          "[schema_lint]") {
  const std::string rule = "any where process.nmae == \"a\" or process.nmae == \"b\" or x.y == 1";
  CHECK(codes(lint(rule, ecs())) == V{"unknown-field"});  // x.y: no schema covers x
  pack::LintOptions opts;
  opts.constants.insert("process.nmae");  // --set
  CHECK(lint(rule, ecs(), opts).empty());
  pack::Rule r;
  r.required_fields.push_back({"process.nmae", "keyword", false});
  auto schemas = ecs();
  schemas.add(pack::Schema::from_required_fields(r));
  CHECK(lint(rule, schemas).empty());
}

TEST_CASE("unknown-field: the type of a required field is used", "[schema_lint]") {
  // A rule's required_fields count as schema: their types too.
  pack::Rule r;
  r.required_fields.push_back({"custom.count", "long", false});
  pack::SchemaSet s;
  s.add(pack::Schema::from_required_fields(r));
  CHECK(codes(lint("any where custom.count == \"3\"", s)) == V{"coercion"});
}

TEST_CASE("type-error: ':' like and regex on numeric, ip and boolean fields", "[schema_lint]") {
  // Elasticsearch: "first argument of [:] must be [string] ... consider using [==] instead".
  auto fs = lint("network where destination.port : \"443\"", ecs());
  REQUIRE(codes(fs) == V{"type-error"});
  CHECK(fs[0].severity == pack::Finding::Severity::Error);
  CHECK(fs[0].suggestion == "destination.port == 443");
  fs = lint("network where source.ip : \"10.*\"", ecs());
  REQUIRE(codes(fs) == V{"type-error"});
  CHECK(fs[0].suggestion == "cidrMatch(source.ip, \"10.0.0.0/8\")");
  fs = lint("process where process.pid like \"12*\"", ecs());
  REQUIRE(codes(fs) == V{"type-error"});
  CHECK(fs[0].suggestion == "string(process.pid) like \"12*\"");
  CHECK(codes(lint("any where dll.code_signature.trusted regex \"t.*\"", ecs())) ==
        V{"type-error"});
  // keyword-family fields are what these operators are for
  CHECK(lint("process where process.name : \"cmd*\" and process.command_line like \"*x*\"", ecs())
            .empty());
}

TEST_CASE("type-error: 'in' with values of another type", "[schema_lint]") {
  // QL In.resolveType: every value must be compatible with the field's type.
  auto fs = lint("network where destination.ip in (\"10.1.1.1\", \"::1\")", ecs());
  REQUIRE(codes(fs) == V{"type-error"});
  CHECK(fs[0].suggestion == "cidrMatch(destination.ip, \"10.1.1.1\", \"::1\")");
  fs = lint("process where process.pid not in (\"4\", \"8\")", ecs());
  REQUIRE(codes(fs) == V{"type-error"});
  CHECK(fs[0].suggestion == "process.pid not in (4, 8)");
  fs = lint("any where event.code in (4624, 4625)", ecs());
  REQUIRE(codes(fs) == V{"type-error"});
  CHECK(fs[0].suggestion == "event.code in (\"4624\", \"4625\")");
  CHECK(lint("any where process.pid in (4, 8) and event.code in (\"4624\")", ecs()).empty());
}

TEST_CASE("type-error: cidrMatch on a field that is not an ip", "[schema_lint]") {
  CHECK(codes(lint("any where cidrMatch(source.address, \"10.0.0.0/8\")", ecs())) ==
        V{"type-error"});
  CHECK(lint("any where cidrMatch(source.ip, \"10.0.0.0/8\")", ecs()).empty());
}

TEST_CASE("type-error: string functions on numbers", "[schema_lint]") {
  CHECK(codes(lint("any where startsWith(process.pid, \"4\")", ecs())) == V{"type-error"});
  CHECK(lint("any where startsWith(process.name, \"c\")", ecs()).empty());
}

TEST_CASE("coercion: a numeric string against a number field, a number against a keyword",
          "[schema_lint]") {
  // S8: works in eqlite and in Elasticsearch, only because the literal is converted.
  auto fs = lint("process where process.pid == \"4\"", ecs());
  REQUIRE(codes(fs) == V{"coercion"});
  CHECK(fs[0].severity == pack::Finding::Severity::Note);
  CHECK(fs[0].column == 30);  // at the literal
  CHECK(fs[0].suggestion == "process.pid == 4");
  fs = lint("any where event.code == 4624", ecs());
  REQUIRE(codes(fs) == V{"coercion"});
  CHECK(fs[0].suggestion == "event.code == \"4624\"");
  CHECK(codes(lint("any where dll.code_signature.trusted == \"true\"", ecs())) == V{"coercion"});
}

TEST_CASE("never-true: comparisons no value of the field's type can satisfy", "[schema_lint]") {
  // S8: a non-numeric string never equals a number.
  auto fs = lint("process where process.pid == \"abc\"", ecs());
  REQUIRE(codes(fs) == V{"never-true"});
  CHECK(fs[0].severity == pack::Finding::Severity::Warning);
  // S6: == takes no wildcards, and an ip holds addresses only.
  fs = lint("network where source.ip == \"192.168.*\"", ecs());
  REQUIRE(codes(fs) == V{"never-true"});
  CHECK(fs[0].suggestion == "cidrMatch(source.ip, \"192.168.0.0/16\")");
  fs = lint("network where source.ip != \"10.0.0.0/8\"", ecs());
  REQUIRE(codes(fs) == V{"never-true"});
  CHECK(fs[0].suggestion == "not cidrMatch(source.ip, \"10.0.0.0/8\")");
  CHECK(codes(lint("any where source.ip == \"localhost\"", ecs())) == V{"never-true"});
  CHECK(codes(lint("any where dll.code_signature.trusted == \"yes\"", ecs())) == V{"never-true"});
  CHECK(lint("network where source.ip == \"10.1.2.3\" and source.ip != \"::1\"", ecs()).empty());
}

TEST_CASE("T1078.004: ECS alone leaves the Azure fields to the Azure schema", "[schema_lint]") {
  std::ifstream in(kSource + "/examples/t1078_004.eql");
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string rule = ss.str();
  auto fs = lint(rule, ecs(), {{}, {"ecs"}});
  REQUIRE(codes(fs) == V{"not-covered"});
  CHECK(fs[0].suggestion == "--schema azure");
  CHECK(fs[0].line == 2);

  auto schemas = ecs();
  schemas.add(*pack::Schema::builtin("azure"));
  fs = lint(rule, schemas, {{}, {"ecs", "azure"}});
  REQUIRE(codes(fs) == V{"coercion", "unknown-field", "unknown-field"});
  CHECK(fs[0].field == "azure.signinlogs.properties.status.error_code");
  CHECK(fs[0].suggestion == "azure.signinlogs.properties.status.error_code == 0");
  CHECK(fs[1].field == "azure.signinlogs.properties.location.country_or_region");
  CHECK(fs[1].suggestion == "geo.country_iso_code");  // the literals look like "CA"
  CHECK(fs[2].field == "azure.signinlogs.properties.risk_level_during_sign_in");
  CHECK(fs[2].suggestion == "azure.signinlogs.properties.risk_level_during_signin");
  CHECK(fs[2].line == 6);
  CHECK(fs[2].column == 1);
}

TEST_CASE("samples: paths with a value, typed from JSON, suggest what the data has",
          "[schema_lint]") {
  const std::string samples = kCorpus + "/azure-signinlogs-samples.ndjson";
  if (!std::filesystem::exists(samples)) {
    WARN("skipped: " << samples << " is absent (the corpus lives in ../shared/corpus)");
    return;
  }
  pack::Schema s("samples", pack::Schema::Kind::Samples);
  std::string error;
  REQUIRE(pack::Schema::from_samples(samples, s, error));
  CHECK(s.events == 81);
  REQUIRE(s.find("azure.signinlogs.properties.status.error_code"));
  CHECK(s.find("azure.signinlogs.properties.status.error_code")->type == "long");
  CHECK(s.find("source.ip")->type == "keyword");
  auto schemas = ecs();
  schemas.add(std::move(s));
  std::ifstream in(kSource + "/examples/t1078_004.eql");
  std::stringstream ss;
  ss << in.rdbuf();
  auto fs = lint(ss.str(), schemas, {{}, {"ecs"}});
  REQUIRE(codes(fs) == V{"coercion", "unknown-field", "unknown-field"});
  CHECK_THAT(fs[1].message, Catch::Contains("has no value in any of the 81 events of samples"));
  CHECK_THAT(fs[1].message,
             Catch::Contains("[geo.country_iso_code], [source.geo.country_iso_code]"));
  CHECK(fs[2].suggestion == "azure.signinlogs.properties.risk_level_during_signin");
  pack::Schema missing("x", pack::Schema::Kind::Samples);
  CHECK_FALSE(pack::Schema::from_samples("/nonexistent/x.ndjson", missing, error));
}

TEST_CASE("Elastic's 1,081 rules: no finding with ECS and the Azure integration", "[schema_lint]") {
  const std::string path = kCorpus + "/detection-rules-eql.ndjson";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent (the corpus lives in ../shared/corpus)");
    return;
  }
  // Queries are JSON strings: compile through the library's own reader.
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  REQUIRE(lines.size() == 1081);
  eqlite::JsonReader reader(std::vector<std::string>{"query"});
  eqlite::Event event(1);
  auto schemas = ecs();
  schemas.add(*pack::Schema::builtin("azure"));
  std::size_t findings = 0;
  for (const auto& line : lines) {
    REQUIRE(reader.read(line, event));
    auto q = eqlite::compile(event.values(0)[0].as_string());
    if (!q) continue;  // the rules eqlite does not compile are tests/unit/corpus_rules_test.cpp's
    findings += pack::lint(*q, schemas).size();
  }
  CHECK(findings == 0);  // Elastic's rules are typed right for ECS and Azure (docs/schema-lint.md)
}

TEST_CASE("a `*` segment and a trailing `.*`: a.*.b.* takes any field below a.X.b",
          "[schema_lint]") {
  // Names from hostile samples or required_fields: a.*.b.* is both a pattern and open below.
  pack::Schema s("hostile", pack::Schema::Kind::Samples);
  s.add({"a.*.b.*", "long", false, ""});
  const pack::SchemaField* f = s.find("a.x.b.y");
  REQUIRE(f);
  CHECK(f->name == "a.*.b");
  CHECK(s.find("a.x.b.y.z"));
  CHECK_FALSE(s.find("a.x.c.y"));
  CHECK_FALSE(s.find("a.x"));
  s.add({"c.*.d", "keyword", false, ""});
  REQUIRE(s.find("c.q.d"));
  CHECK(s.find("c.q.d")->type == "keyword");
  CHECK_FALSE(s.find("c.q.d.e"));

  pack::Rule rule;
  rule.required_fields.push_back({"a.*.b.*", "keyword", false});
  const pack::Schema required = pack::Schema::from_required_fields(rule);
  CHECK(required.find("a.q.b.z"));
}

TEST_CASE("built-in schemas are built once", "[schema_lint]") {
  const pack::Schema* ecs = pack::Schema::builtin("ecs");
  const pack::Schema* azure = pack::Schema::builtin("azure");
  REQUIRE(ecs);
  REQUIRE(azure);
  CHECK(pack::Schema::builtin("ecs") == ecs);
  CHECK(pack::Schema::builtin("azure") == azure);
  CHECK(pack::Schema::builtin("nope") == nullptr);
}

namespace {

// The whole Levenshtein table, capped as pack::edit_distance caps it.
std::size_t full_edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j)
      d[i][j] = std::min(
          {d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1] ? 1 : 0)});
  return std::min(d[a.size()][b.size()], limit + 1);
}

}  // namespace

TEST_CASE("edit_distance: the band gives what the whole table gives", "[schema_lint]") {
  std::uint64_t seed = 0x9E3779B97F4A7C15ull;
  auto next = [&seed](std::uint64_t n) {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed % n;
  };
  for (int k = 0; k < 20000; ++k) {
    std::string a, b;
    const std::size_t alphabet = 2 + next(4);
    for (std::size_t i = next(14); i > 0; --i)
      a += static_cast<char>('a' + next(alphabet));
    if (next(2)) {  // often a near copy of a
      b = a;
      for (std::size_t e = next(5); e > 0; --e) {
        const std::size_t at = b.empty() ? 0 : next(b.size() + 1);
        switch (next(3)) {
          case 0:
            b.insert(at, 1, static_cast<char>('a' + next(alphabet)));
            break;
          case 1:
            if (at < b.size()) b.erase(at, 1);
            break;
          default:
            if (at < b.size()) b[at] = static_cast<char>('a' + next(alphabet));
        }
      }
    } else {
      for (std::size_t i = next(14); i > 0; --i)
        b += static_cast<char>('a' + next(alphabet));
    }
    const std::size_t limit = next(6);
    INFO(a << " / " << b << " limit " << limit);
    REQUIRE(pack::edit_distance(a, b, limit) == full_edit_distance(a, b, limit));
    REQUIRE(pack::edit_distance(b, a, limit) == full_edit_distance(a, b, limit));
  }
}

TEST_CASE("edit_distance: long strings with a small limit (the band, not the table)",
          "[schema_lint]") {
  // Speed is the benchmarks' business; here the answers on strings whose whole table (4e10
  // cells) no test could wait for.
  const std::string a(200000, 'x');
  std::string b = a;
  b[100000] = 'y';
  CHECK(pack::edit_distance(a, b, 2) == 1);
  CHECK(pack::edit_distance(a, a + "zz", 3) == 2);
  CHECK(pack::edit_distance(a, a + "zzzz", 3) == 4);  // beyond the limit: limit + 1
}
