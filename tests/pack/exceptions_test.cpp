// tests/pack/exceptions_test.cpp — pack/exceptions.hpp, tag [exceptions]: Kibana exception list
// exports read (lists, items, the export summary; every problem an error naming the item, the
// rest still loading), each entry type and operator translated to EQL and evaluated with
// Kibana's meaning (docs/exceptions.md), os_types, nested entries per object, values and fields
// that need escaping, constants (E4, replaced and removed, also inside nested entries), bad
// events and the reader's limits, the first item in list order among indexed, unindexed and
// nested items, many lists, items read before their list, and the T1078.004 example files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <eqlite/eqlite.hpp>

#include "pack/exceptions.hpp"

namespace {

const std::string kList =
    R"({"list_id":"tuning","name":"Tuning","type":"detection","namespace_type":"single",)"
    R"("description":"d","os_types":[],"tags":[],"version":1})";
const std::string kSummary =
    R"({"exported_exception_list_count":1,"exported_exception_list_item_count":1,)"
    R"("missing_exception_list_item_count":0,"missing_exception_list_items":[],)"
    R"("missing_exception_lists":[],"missing_exception_lists_count":0})";

std::string item(const std::string& id, const std::string& entries, const std::string& extra = "") {
  return R"({"item_id":")" + id + R"(","list_id":"tuning","name":")" + id +
         R"(","namespace_type":"single","type":"simple","entries":[)" + entries + "]" + extra + "}";
}

std::string entry(const std::string& type, const std::string& field, const std::string& op,
                  const std::string& value_json = "") {
  std::string out =
      R"({"type":")" + type + R"(","field":")" + field + R"(","operator":")" + op + "\"";
  if (!value_json.empty()) out += R"(,"value":)" + value_json;
  return out + "}";
}

pack::ExceptionLoad parse(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines)
    text += l + "\n";
  pack::ExceptionLoad load;
  pack::parse_exceptions(text, "test.ndjson", load);
  return load;
}

// A matcher over one item (entries as JSON); fails the test when it does not load.
pack::ExceptionMatcher matcher_for(const std::string& entries, const std::string& extra = "") {
  auto load = parse({kList, item("it", entries, extra), kSummary});
  for (const auto& e : load.errors)
    FAIL(e.to_string());
  REQUIRE(load.lists.size() == 1);
  REQUIRE(load.lists[0].items.size() == 1);
  pack::ExceptionMatcher m(load.lists);
  for (const auto& e : m.errors())
    FAIL(e.to_string());
  REQUIRE(m.size() == 1);
  return m;
}

bool excepted(pack::ExceptionMatcher& m, const std::string& event) {
  return m.match(event) != nullptr;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("an export: list, items, summary", "[exceptions]") {
  auto load = parse({kList, item("a", entry("match", "user.name", "included", R"("alice")")),
                     item("b", entry("exists", "process.pid", "included")), kSummary});
  REQUIRE(load.errors.empty());
  REQUIRE(load.lists.size() == 1);
  const auto& list = load.lists[0];
  CHECK(list.list_id == "tuning");
  CHECK(list.name == "Tuning");
  CHECK(list.type == "detection");
  CHECK(list.namespace_type == "single");
  CHECK(list.line == 1);
  REQUIRE(list.items.size() == 2);
  CHECK(list.items[0].item_id == "a");
  CHECK(list.items[0].line == 2);
  CHECK(list.items[1].entries[0].type == pack::EntryType::Exists);
  CHECK(load.item_count() == 2);
  CHECK(load.find("tuning") == &list);
  CHECK(load.find("tuning", "single") == &list);
  CHECK(load.find("tuning", "agnostic") == nullptr);
  CHECK(load.find("other") == nullptr);

  // A rule's [[rule.exceptions_list]] finds it by list_id; what is not loaded is reported.
  pack::Rule rule;
  rule.exceptions_list.push_back({"id-1", "tuning", "single", "detection"});
  rule.exceptions_list.push_back({"id-2", "endpoint_list", "agnostic", "endpoint"});
  std::vector<std::string> missing;
  auto lists = load.lists_for(rule, &missing);
  REQUIRE(lists.size() == 1);
  CHECK(lists[0] == &list);
  REQUIRE(missing.size() == 1);
  CHECK(missing[0] == "endpoint_list (agnostic)");

  // Rule lines of a rules export are skipped (counted), empty lines and CRLF are fine.
  auto mixed = parse({R"({"rule_id":"r1","name":"x","type":"eql"})", "", kList + "\r",
                      item("a", entry("match", "a", "included", R"("x")")) + "\r"});
  CHECK(mixed.errors.empty());
  CHECK(mixed.skipped_rules == 1);
  CHECK(mixed.item_count() == 1);
}

TEST_CASE("match: case-sensitive equality, any element, numbers by S8", "[exceptions]") {
  auto m = matcher_for(entry("match", "user.name", "included", R"("alice")"));
  CHECK(excepted(m, R"({"user":{"name":"alice"}})"));
  CHECK(excepted(m, R"({"user.name":"alice"})"));              // E1: the same path
  CHECK(excepted(m, R"({"user":{"name":["bob","alice"]}})"));  // S4: any element
  CHECK_FALSE(excepted(m, R"({"user":{"name":"Alice"}})"));    // match_phrase on a keyword
  CHECK_FALSE(excepted(m, R"({"user":{"name":"alice "}})"));
  CHECK_FALSE(excepted(m, R"({"user":{"name":"ali*"}})"));
  CHECK_FALSE(excepted(m, R"({"user":{}})"));  // absent: false (S2)
  CHECK_FALSE(excepted(m, R"({"user":{"name":null}})"));

  auto code = matcher_for(entry("match", "status.code", "included", R"("0")"));
  CHECK(excepted(code, R"({"status":{"code":0}})"));  // the string "0" equals the number 0
  CHECK_FALSE(excepted(code, R"({"status":{"code":50126}})"));

  auto wild = matcher_for(entry("match", "a", "included", R"("x*")"));  // no wildcards in match
  CHECK(excepted(wild, R"({"a":"x*"})"));
  CHECK_FALSE(excepted(wild, R"({"a":"xyz"})"));
}

TEST_CASE("match excluded: must_not, so also true when the field is absent", "[exceptions]") {
  auto m = matcher_for(entry("match", "user.name", "excluded", R"("alice")"));
  CHECK_FALSE(excepted(m, R"({"user":{"name":"alice"}})"));
  CHECK(excepted(m, R"({"user":{"name":"bob"}})"));
  CHECK(excepted(m, R"({"user":{"name":"Alice"}})"));
  CHECK(excepted(m, R"({"other":1})"));                              // S3, as Elasticsearch
  CHECK_FALSE(excepted(m, R"({"user":{"name":["bob","alice"]}})"));  // S4: no element may
}

TEST_CASE("match_any: any of the values, case-sensitive; excluded: none of them", "[exceptions]") {
  auto m = matcher_for(entry("match_any", "host.name", "included", R"(["web-1","web-2"])"));
  CHECK(excepted(m, R"({"host":{"name":"web-2"}})"));
  CHECK_FALSE(excepted(m, R"({"host":{"name":"WEB-2"}})"));
  CHECK_FALSE(excepted(m, R"({"host":{"name":"web-3"}})"));
  CHECK_FALSE(excepted(m, R"({})"));

  auto ex = matcher_for(entry("match_any", "host.name", "excluded", R"(["web-1","web-2"])"));
  CHECK_FALSE(excepted(ex, R"({"host":{"name":"web-1"}})"));
  CHECK(excepted(ex, R"({"host":{"name":"db-1"}})"));
  CHECK(excepted(ex, R"({})"));
}

TEST_CASE("wildcard: * and ?, whole value, case-sensitive, backslash escapes", "[exceptions]") {
  // The JSON string "C:\\\\Program Files\\\\*\\\\app?.exe" is the pattern
  // C:\\Program Files\\*\\app?.exe, where (as in an Elasticsearch wildcard query) `\\` is one
  // literal backslash.
  auto m = matcher_for(entry("wildcard", "process.executable", "included",
                             R"("C:\\\\Program Files\\\\*\\\\app?.exe")"));
  CHECK(excepted(m, R"({"process":{"executable":"C:\\Program Files\\Vendor\\app1.exe"}})"));
  CHECK(excepted(m, R"({"process":{"executable":"C:\\Program Files\\A\\B\\appX.exe"}})"));
  CHECK_FALSE(excepted(m, R"({"process":{"executable":"c:\\program files\\Vendor\\app1.exe"}})"));
  CHECK_FALSE(excepted(m, R"({"process":{"executable":"C:\\Program Files\\Vendor\\app12.exe"}})"));
  CHECK_FALSE(excepted(m, R"({"process":{"executable":"D:\\C:\\Program Files\\V\\app1.exe"}})"));

  // A single backslash escapes the next character, so C:\Program Files\*\app?.exe (the JSON
  // string "C:\\Program Files\\*\\app?.exe") is C:Program Files*app?.exe with a literal star:
  // it matches no Windows path (the trap Kibana's UI now warns about).
  auto trap = matcher_for(
      entry("wildcard", "process.executable", "included", R"("C:\\Program Files\\*\\app?.exe")"));
  CHECK_FALSE(excepted(trap, R"({"process":{"executable":"C:\\Program Files\\V\\app1.exe"}})"));
  CHECK(excepted(trap, R"({"process":{"executable":"C:Program Files*app1.exe"}})"));

  auto plain = matcher_for(entry("wildcard", "user.name", "included", R"("scan-*@example.com")"));
  CHECK(excepted(plain, R"({"user":{"name":"scan-2@example.com"}})"));
  CHECK(excepted(plain, R"({"user":{"name":"scan-@example.com"}})"));  // * may be empty
  CHECK_FALSE(excepted(plain, R"({"user":{"name":"Scan-2@example.com"}})"));
  CHECK_FALSE(excepted(plain, R"({"user":{"name":"scan-2@example.com.evil"}})"));
  CHECK(pack::to_eql(pack::ExceptionEntry{
            pack::EntryType::Wildcard, "user.name", false, {"scan-*@example.com"}, {}}) ==
        R"(user.name like "scan-*@example.com")");

  // An escaped * is a literal star; ? is one character, also a multi-byte one.
  auto star = matcher_for(entry("wildcard", "a", "included", R"("1\\*?")"));
  CHECK(excepted(star, R"({"a":"1*é"})"));
  CHECK_FALSE(excepted(star, R"({"a":"12x"})"));

  auto ex = matcher_for(entry("wildcard", "user.name", "excluded", R"("svc-*")"));
  CHECK_FALSE(excepted(ex, R"({"user":{"name":"svc-backup"}})"));
  CHECK(excepted(ex, R"({"user":{"name":"alice"}})"));
  CHECK(excepted(ex, R"({})"));
}

TEST_CASE("exists: a value; excluded: no value (null and [] are none, S1)", "[exceptions]") {
  auto m = matcher_for(entry("exists", "process.parent.name", "included"));
  CHECK(excepted(m, R"({"process":{"parent":{"name":"x"}}})"));
  CHECK(excepted(m, R"({"process":{"parent":{"name":0}}})"));
  CHECK_FALSE(excepted(m, R"({"process":{"parent":{"name":null}}})"));
  CHECK_FALSE(excepted(m, R"({"process":{"parent":{"name":[]}}})"));
  CHECK_FALSE(excepted(m, R"({"process":{}})"));

  auto ex = matcher_for(entry("exists", "process.parent.name", "excluded"));
  CHECK_FALSE(excepted(ex, R"({"process":{"parent":{"name":"x"}}})"));
  CHECK(excepted(ex, R"({"process":{"parent":{"name":null}}})"));
  CHECK(excepted(ex, R"({})"));
}

TEST_CASE("an item ANDs its entries; items are ORed; the first match is named", "[exceptions]") {
  auto load = parse({kList,
                     item("a", entry("match", "user.name", "included", R"("alice")") + "," +
                                   entry("match", "host.name", "included", R"("web-1")")),
                     item("b", entry("match", "user.name", "included", R"("bob")"))});
  REQUIRE(load.errors.empty());
  pack::ExceptionMatcher m(load.lists);
  REQUIRE(m.size() == 2);
  CHECK(m.match(R"({"user":{"name":"alice"},"host":{"name":"web-1"}})")->item_id == "a");
  CHECK(m.match(R"({"user":{"name":"alice"},"host":{"name":"web-2"}})") == nullptr);
  CHECK(m.match(R"({"user":{"name":"bob"},"host":{"name":"web-2"}})")->item_id == "b");
  CHECK(pack::to_eql(load.lists[0].items[0]) == R"(user.name == "alice" and host.name == "web-1")");
}

TEST_CASE("os_types: host.os.type or host.os.name.caseless, ANDed with the entries",
          "[exceptions]") {
  auto m = matcher_for(entry("match", "process.name", "included", R"("backup.exe")"),
                       R"(,"os_types":["windows"])");
  CHECK(excepted(m, R"({"host":{"os":{"type":"windows"}},"process":{"name":"backup.exe"}})"));
  CHECK(excepted(
      m, R"({"host":{"os":{"name":{"caseless":"windows"}}},"process":{"name":"backup.exe"}})"));
  CHECK_FALSE(excepted(m, R"({"host":{"os":{"type":"linux"}},"process":{"name":"backup.exe"}})"));
  CHECK_FALSE(excepted(m, R"({"host":{"os":{"type":"Windows"}},"process":{"name":"backup.exe"}})"));
  CHECK_FALSE(excepted(m, R"({"process":{"name":"backup.exe"}})"));  // no OS: not excepted
  CHECK_FALSE(excepted(m, R"({"host":{"os":{"type":"windows"}},"process":{"name":"x.exe"}})"));

  auto load = parse(
      {kList, item("it", entry("exists", "a", "included"), R"(,"os_types":["linux","macos"])")});
  REQUIRE(load.errors.empty());
  CHECK(pack::to_eql(load.lists[0].items[0]) ==
        R"((host.os.type in ("linux", "macos") or host.os.name.caseless in ("linux", "macos")))"
        R"( and a != null)");
}

TEST_CASE("nested: one object of the array must satisfy every sub-entry", "[exceptions]") {
  const std::string nested = R"({"type":"nested","field":"file.Ext.code_signature","entries":[)" +
                             entry("match", "subject_name", "included", R"("Contoso Ltd")") + "," +
                             entry("match", "trusted", "included", R"("true")") + "]}";
  auto m = matcher_for(nested + "," + entry("match", "file.name", "included", R"("a.dll")"));
  CHECK(excepted(m, R"({"file":{"name":"a.dll","Ext":{"code_signature":[)"
                    R"({"subject_name":"Evil","trusted":true},)"
                    R"({"subject_name":"Contoso Ltd","trusted":true}]}}})"));
  CHECK(excepted(m, R"({"file":{"name":"a.dll","Ext":{"code_signature":)"
                    R"({"subject_name":"Contoso Ltd","trusted":true}}}})"));  // one object
  CHECK(excepted(m, R"({"file.name":"a.dll","file.Ext.code_signature":[)"
                    R"({"subject_name":"Contoso Ltd","trusted":true}]})"));  // dotted keys (E1)
  // Each sub-entry holds, but on different objects: Elasticsearch's nested query says no (the
  // flattened S4 reading would say yes).
  CHECK_FALSE(excepted(m, R"({"file":{"name":"a.dll","Ext":{"code_signature":[)"
                          R"({"subject_name":"Evil","trusted":true},)"
                          R"({"subject_name":"Contoso Ltd","trusted":false}]}}})"));
  CHECK_FALSE(excepted(m, R"({"file":{"name":"b.dll","Ext":{"code_signature":[)"
                          R"({"subject_name":"Contoso Ltd","trusted":true}]}}})"));
  CHECK_FALSE(excepted(m, R"({"file":{"name":"a.dll"}})"));  // no objects: false

  // Sub-entries may be excluded or exists; the EQL text shows them on parent.child paths.
  const std::string nested2 = R"({"type":"nested","field":"dll.sig","entries":[)" +
                              entry("exists", "signer", "included") + "," +
                              entry("match_any", "status", "excluded", R"(["revoked"])") + "]}";
  auto m2 = matcher_for(nested2);
  CHECK(excepted(m2, R"({"dll":{"sig":[{"signer":"x","status":"revoked"},{"signer":"y"}]}})"));
  CHECK_FALSE(
      excepted(m2, R"({"dll":{"sig":[{"signer":"x","status":"revoked"},{"status":"ok"}]}})"));
  auto load = parse({kList, item("n", nested2)});
  REQUIRE(load.errors.empty());
  CHECK(pack::to_eql(load.lists[0].items[0]) ==
        R"((dll.sig.signer != null and dll.sig.status not in ("revoked")))");
}

TEST_CASE("values and fields that need escaping in EQL", "[exceptions]") {
  CHECK(eqlite::quote_string(R"(a"b\c)") == R"("a\"b\\c")");
  CHECK(eqlite::quote_string("line\nbreak\t\x01") == R"("line\nbreak\t\u{01}")");
  CHECK(pack::eql_field("process.name") == "process.name");
  CHECK(pack::eql_field("@timestamp") == "@timestamp");
  CHECK(pack::eql_field("labels.my-label.x") == "labels.`my-label`.x");
  CHECK(pack::eql_field("a.odd`name") == "a.`odd``name`");
  CHECK(pack::eql_field("sequence.any") == "`sequence`.any");  // a keyword first segment
  CHECK(pack::eql_field("a.1st") == "a.`1st`");

  auto m = matcher_for(entry("match", "labels.my-label", "included", R"("say \"hi\" \\ C:\\x\n")"));
  CHECK(excepted(m, R"({"labels":{"my-label":"say \"hi\" \\ C:\\x\n"}})"));
  CHECK_FALSE(excepted(m, R"({"labels":{"my-label":"say \"hi\" \\ C:\\x"}})"));

  auto kw = matcher_for(entry("match_any", "sequence.`odd name", "included", R"(["a","b"])"));
  CHECK(excepted(kw, R"({"sequence":{"`odd name":"b"}})"));

  auto uni = matcher_for(entry("match", "user.name", "included", R"("J\u00f6rg \ud83d\ude00")"));
  CHECK(excepted(uni, R"({"user":{"name":"Jörg 😀"}})"));
}

TEST_CASE("unknown types and operators, value lists, missing parts: errors, the rest loads",
          "[exceptions]") {
  auto load = parse({
      kList,                                                       // 1
      item("good-1", entry("match", "a", "included", R"("x")")),   // 2
      item("regex", entry("regex", "a", "included", R"("x.*")")),  // 3
      item("op", entry("match", "a", "equals", R"("x")")),         // 4
      item("vlist", R"({"type":"list","field":"source.ip","operator":"included",)"
                    R"("list":{"id":"bad-ips","type":"ip"}})"),                    // 5
      item("nofield", R"({"type":"match","operator":"included","value":"x"})"),    // 6
      item("novalue", entry("match", "a", "included")),                            // 7
      item("empty", ""),                                                           // 8
      item("anybad", entry("match_any", "a", "included", R"("x")")),               // 9
      item("os", entry("exists", "a", "included"), R"(,"os_types":["solaris"])"),  // 10
      item("nested-bad", R"({"type":"nested","field":"p","entries":[)" +
                             entry("wildcard", "c", "included", R"("x*")") + "]}"),  // 11
      item("good-2", entry("exists", "b", "included")),                              // 12
  });
  CHECK(load.item_count() == 2);
  REQUIRE(load.lists.size() == 1);
  CHECK(load.lists[0].items[0].item_id == "good-1");
  CHECK(load.lists[0].items[1].item_id == "good-2");
  REQUIRE(load.errors.size() == 9);
  std::vector<std::string> text;
  for (const auto& e : load.errors)
    text.push_back(e.to_string());
  CHECK(load.errors[0].line == 3);
  CHECK_THAT(text[0], Catch::Contains("test.ndjson:3:") && Catch::Contains("item [regex]") &&
                          Catch::Contains("unknown entry type [regex]"));
  CHECK_THAT(text[1], Catch::Contains(":4:") && Catch::Contains("item [op]") &&
                          Catch::Contains("unknown operator [equals]"));
  CHECK_THAT(text[2], Catch::Contains(":5:") && Catch::Contains("item [vlist]") &&
                          Catch::Contains("value list") && Catch::Contains("not supported"));
  CHECK_THAT(text[3], Catch::Contains(":6:") && Catch::Contains("missing [field]"));
  CHECK_THAT(text[4], Catch::Contains(":7:") && Catch::Contains("missing [value]"));
  CHECK_THAT(text[5], Catch::Contains(":8:") && Catch::Contains("non-empty [entries]"));
  CHECK_THAT(text[6], Catch::Contains(":9:") && Catch::Contains("match_any"));
  CHECK_THAT(text[7], Catch::Contains(":10:") && Catch::Contains("unknown os type [solaris]"));
  CHECK_THAT(text[8], Catch::Contains(":11:") && Catch::Contains("nested"));
  // The column points at the entry (or value) at fault.
  CHECK(load.errors[0].column > 1);

  pack::ExceptionMatcher m(load.lists);
  CHECK(m.size() == 2);
  CHECK(m.errors().empty());
  CHECK(excepted(m, R"({"a":"x"})"));
}

TEST_CASE("broken JSON lines and orphan items are errors; the rest loads", "[exceptions]") {
  auto load = parse({kList, R"({"item_id":"x","list_id":"tuning",)",  // cut short
                     "not json at all", R"(["an","array"])", R"({"name":"what is this"})",
                     item("ok", entry("exists", "a", "included")),
                     R"({"item_id":"o","list_id":"elsewhere","entries":[)" +
                         entry("exists", "a", "included") + "]}",
                     kList});  // the same list again
  CHECK(load.item_count() == 1);
  REQUIRE(load.errors.size() == 6);
  std::vector<std::string> text;
  for (const auto& e : load.errors)
    text.push_back(e.to_string());
  CHECK_THAT(text[0], Catch::StartsWith("test.ndjson:2:") && Catch::Contains("not a JSON line"));
  CHECK_THAT(text[1], Catch::StartsWith("test.ndjson:3:1:") && Catch::Contains("not a JSON line"));
  CHECK_THAT(text[2],
             Catch::StartsWith("test.ndjson:4:") && Catch::Contains("expected a JSON object"));
  CHECK_THAT(text[3], Catch::StartsWith("test.ndjson:5:") && Catch::Contains("neither"));
  CHECK_THAT(text[4], Catch::StartsWith("test.ndjson:8:") && Catch::Contains("already loaded"));
  CHECK_THAT(text[5], Catch::StartsWith("test.ndjson:7:") && Catch::Contains("item [o]") &&
                          Catch::Contains("[elsewhere]") && Catch::Contains("not in the file"));
  REQUIRE(load.unattached.size() == 1);
  CHECK(load.unattached[0].item_id == "o");

  pack::ExceptionLoad none = pack::load_exceptions("/no/such/file.ndjson");
  REQUIRE(none.errors.size() == 1);
  CHECK_THAT(none.errors[0].to_string(), Catch::Contains("cannot read"));
}

TEST_CASE("strings must be UTF-8, as JSON text is (RFC 8259)", "[exceptions]") {
  // A wildcard with a backslash becomes a regex, and RE2 refuses invalid UTF-8: the export is
  // refused where the byte is instead.
  const std::string bad_value = "\"a\\\\b\x8b\"";    // JSON "a\\b<0x8b>"
  const std::string good_value = "\"caf\xc3\xa9\"";  // JSON "café"
  auto load = parse({kList,
                     item("w",
                          "{\"field\":\"f\",\"type\":\"wildcard\",\"operator\":\"included\","
                          "\"value\":" +
                              bad_value + "}"),
                     item("ok",
                          "{\"field\":\"f\",\"type\":\"match\",\"operator\":\"included\","
                          "\"value\":" +
                              good_value + "}")});
  CHECK(load.item_count() == 1);
  REQUIRE(load.errors.size() == 1);
  CHECK_THAT(load.errors[0].to_string(),
             Catch::StartsWith("test.ndjson:2:") && Catch::Contains("invalid UTF-8"));
  pack::ExceptionMatcher m(load.lists);
  CHECK(m.errors().empty());
  CHECK(m.match("{\"f\":" + good_value + "}") != nullptr);
}

TEST_CASE("a list on fields the events lack: never matches, never fails", "[exceptions]") {
  auto m = matcher_for(entry("match", "no.such.field", "included", R"("x")") + "," +
                       entry("match_any", "other.missing", "included", R"(["a","b"])") + "," +
                       entry("wildcard", "third.missing", "included", R"("*")") + "," +
                       entry("exists", "fourth.missing", "included"));
  const std::string events[] = {R"({})", R"({"user":{"name":"alice"}})",
                                R"({"no":{"such":"flat"}})", R"({"no":[1,2,{"such":{}}]})"};
  for (const auto& e : events)
    CHECK_FALSE(excepted(m, e));
  // Even `*` needs a value (a wildcard query matches no document without the field).
  auto star = matcher_for(entry("wildcard", "no.such.field", "included", R"("*")"));
  CHECK_FALSE(excepted(star, R"({"a":1})"));
  CHECK(excepted(star, R"({"no":{"such":{"field":""}}})"));
}

TEST_CASE("constants (E4) and bad events", "[exceptions]") {
  auto m = matcher_for(entry("match", "event.dataset", "included", R"("azure.signinlogs")"));
  CHECK_FALSE(excepted(m, R"({"a":1})"));
  m.set_constant("event.dataset", eqlite::Value::string(std::string("azure.signinlogs")));
  CHECK(excepted(m, R"({"a":1})"));
  CHECK_FALSE(excepted(m, R"({"event":{"dataset":"azure.auditlogs"}})"));  // the document wins
  m.clear_constants();
  CHECK_FALSE(excepted(m, R"({"a":1})"));

  // A line that is not a JSON object is never excepted (and nothing throws).
  auto ex = matcher_for(entry("exists", "a", "excluded"));
  CHECK(excepted(ex, R"({})"));
  for (const char* bad : {"", "not json", "[1,2]", R"({"a":)", "\"str\"", "{\"a\":1}}"})
    CHECK_FALSE(excepted(ex, bad));
  auto nested = matcher_for(R"({"type":"nested","field":"p","entries":[)" +
                            entry("exists", "c", "excluded") + "]}");
  CHECK(excepted(nested, R"({"p":[{"d":1}]})"));
  CHECK_FALSE(excepted(nested, R"({"p":[{"d":1}])"));
}

TEST_CASE("set_constant replaces the value for its path; null removes it", "[exceptions]") {
  auto m = matcher_for(entry("match", "event.dataset", "included", R"("azure.signinlogs")"));
  // As the CLI does on every change of input: many calls, the last one counts.
  for (int i = 0; i < 1000; ++i) {
    const std::string v = i % 2 ? "azure.signinlogs" : "azure.auditlogs";  // a temporary
    m.set_constant("event.dataset", eqlite::Value::string(v));
  }
  CHECK(excepted(m, R"({"a":1})"));  // i = 999: azure.signinlogs
  m.set_constant("event.dataset", eqlite::Value::string("azure.auditlogs"));
  CHECK_FALSE(excepted(m, R"({"a":1})"));
  m.set_constant("other.field", eqlite::Value::string("x"));
  m.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  CHECK(excepted(m, R"({"a":1})"));
  m.set_constant("event.dataset", eqlite::Value::null());  // removed
  CHECK_FALSE(excepted(m, R"({"a":1})"));
  CHECK(excepted(m, R"({"event":{"dataset":"azure.signinlogs"}})"));
  m.set_constant("event.dataset", eqlite::Value::null());  // removing twice is fine
  CHECK_FALSE(excepted(m, R"({"a":1})"));
  m.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  CHECK(excepted(m, R"({"a":1})"));
  m.clear_constants();
  CHECK_FALSE(excepted(m, R"({"a":1})"));

  // Inside a nested entry a constant `field.child` stands for `child` in each object under the
  // field that has no value for it (as a constant_keyword in a nested mapping); it makes no
  // object where there is none.
  auto n = matcher_for(R"({"type":"nested","field":"p","entries":[)" +
                       entry("match", "c", "included", R"("x")") + "," +
                       entry("exists", "d", "included") + "]}");
  CHECK_FALSE(excepted(n, R"({"p":[{"d":1}]})"));
  n.set_constant("p.c", eqlite::Value::string("y"));
  n.set_constant("p.c", eqlite::Value::string("x"));
  CHECK(excepted(n, R"({"p":[{"d":1}]})"));
  CHECK(excepted(n, R"({"p":[{"c":"y"},{"d":1}]})"));  // the second object takes it
  CHECK_FALSE(excepted(n, R"({"p":[{"c":"y","d":1}]})"));
  CHECK_FALSE(excepted(n, R"({"q":1})"));
  n.set_constant("p.c", eqlite::Value::null());
  CHECK_FALSE(excepted(n, R"({"p":[{"d":1}]})"));
  n.set_constant("p.c", eqlite::Value::string("x"));
  n.clear_constants();
  CHECK_FALSE(excepted(n, R"({"p":[{"d":1}]})"));
}

TEST_CASE("the first item in list then item order, among indexed, unindexed and nested items",
          "[exceptions]") {
  const std::string list_b =
      R"({"list_id":"b","name":"B","type":"detection","namespace_type":"single"})";
  auto in_b = [](const std::string& id, const std::string& entries) {
    return R"({"item_id":")" + id + R"(","list_id":"b","namespace_type":"single","entries":[)" +
           entries + "]}";
  };
  const std::string nested_c1 = R"({"type":"nested","field":"p","entries":[)" +
                                entry("match", "c", "included", R"("1")") + "]}";
  auto load = parse({kList, list_b, item("a1", nested_c1),                              // nested
                     item("a2", entry("match", "user.name", "included", R"("u")")),     // indexed
                     in_b("b1", entry("match", "user.name", "included", R"("u")")),     // indexed
                     in_b("b2", entry("exists", "z", "excluded")),                      // no anchor
                     in_b("b3", nested_c1 + "," + entry("exists", "z", "included"))});  // both
  REQUIRE(load.errors.empty());
  REQUIRE(load.item_count() == 5);
  auto id = [](pack::ExceptionMatcher& m, const std::string& event) {
    const pack::ExceptionItem* it = m.match(event);
    return it ? it->item_id : std::string("-");
  };
  pack::ExceptionMatcher m(load.lists);
  REQUIRE(m.size() == 5);
  CHECK(id(m, R"({"user":{"name":"u"},"p":[{"c":"1"}]})") == "a1");
  CHECK(id(m, R"({"user":{"name":"u"},"p":[{"c":"2"}]})") == "a2");
  CHECK(id(m, R"({"p":[{"c":"2"}]})") == "b2");
  CHECK(id(m, R"({"p":[{"c":"1"}],"z":1})") == "a1");
  CHECK(id(m, R"({"p":[{"c":"2"}],"z":1})") == "-");
  // The lists in another order: their items first.
  pack::ExceptionMatcher r(std::vector<const pack::ExceptionList*>{&load.lists[1], &load.lists[0]});
  CHECK(id(r, R"({"user":{"name":"u"},"p":[{"c":"1"}]})") == "b1");
  CHECK(id(r, R"({"p":[{"c":"1"}],"z":1})") == "b3");
  CHECK(id(r, R"({"p":[{"c":"1"}]})") == "b2");
  CHECK(id(r, R"({"p":[{"c":"1"}],"z":2,"user":{"name":"v"}})") == "b3");

  // Many items, two anchor fields: the first that excepts, wherever the index finds it.
  std::vector<std::string> lines{kList};
  for (int i = 0; i < 600; ++i)
    lines.push_back(
        item("i" + std::to_string(i),
             i < 300 ? entry("match", "user.name", "included", "\"user-" + std::to_string(i) + "\"")
                     : entry("match_any", "host.name", "included",
                             "[\"host-" + std::to_string(i) + "\",\"h\"]")));
  auto many = parse(lines);
  REQUIRE(many.errors.empty());
  pack::ExceptionMatcher big(many.lists);
  REQUIRE(big.size() == 600);
  CHECK(id(big, R"({"user":{"name":"user-250"},"host":{"name":"host-400"}})") == "i250");
  CHECK(id(big, R"({"user":{"name":"user-999"},"host":{"name":"host-400"}})") == "i400");
  CHECK(id(big, R"({"user":{"name":"user-299"},"host":{"name":"h"}})") == "i299");
  CHECK(id(big, R"({"user":{"name":"user-9"},"host":{"name":"x"}})") == "i9");
  CHECK(id(big, R"({"host":{"name":"h"}})") == "i300");
  CHECK(id(big, R"({"host":{"name":["host-599","host-598"]}})") == "i598");
  CHECK(id(big, R"({"user":{"name":"user-300"}})") == "-");

  // A list added after matching: seen; the constants stay.
  big.set_constant("user.name", eqlite::Value::string("user-7"));
  CHECK(id(big, R"({})") == "i7");
  big.add(load.lists[1]);
  CHECK(big.size() == 603);
  CHECK(id(big, R"({})") == "i7");
  CHECK(id(big, R"({"user":{"name":"u"}})") == "b1");
  CHECK(id(big, R"({"p":{"c":"0"}})") == "i7");
  big.set_constant("user.name", eqlite::Value::null());
  CHECK(id(big, R"({"p":{"c":"0"}})") == "b2");
}

TEST_CASE("the reader's limits (ReaderOptions): an event beyond them is never excepted",
          "[exceptions]") {
  auto load = parse({kList, item("flat", entry("exists", "a", "included")),
                     item("nest", R"({"type":"nested","field":"p","entries":[)" +
                                      entry("exists", "c", "included") + "]}")});
  REQUIRE(load.errors.empty());
  eqlite::ReaderOptions options;
  options.max_depth = 4;
  options.max_event_bytes = 200;
  pack::ExceptionMatcher m(load.lists, options);
  pack::ExceptionMatcher defaults(load.lists);
  const std::string deep = R"({"a":1,"x":[[[[[[1]]]]]]})";
  const std::string deep_nested = R"({"p":[{"c":1}],"x":{"y":{"z":{"w":{"v":{}}}}}})";
  const std::string big = R"({"a":1,"pad":")" + std::string(300, 'x') + "\"}";
  CHECK(m.match(R"({"a":1})")->item_id == "flat");
  CHECK(m.match(R"({"p":[{"c":1}]})")->item_id == "nest");
  for (const std::string& e : {deep, deep_nested, big}) {
    INFO(e);
    CHECK(m.match(e) == nullptr);
    CHECK(defaults.match(e) != nullptr);
  }
}

TEST_CASE("many lists load in linear time; items attach to lists of other files", "[exceptions]") {
  // Thousands of lists, their items after them (as an export of many lists is).
  std::string text;
  const int n = 5000;
  for (int i = 0; i < n; ++i)
    text += R"({"list_id":"l)" + std::to_string(i) +
            R"(","namespace_type":"agnostic"})"
            "\n";
  for (int i = n - 1; i >= 0; --i)
    text += R"({"item_id":"i)" + std::to_string(i) + R"(","list_id":"l)" + std::to_string(i) +
            R"(","namespace_type":"agnostic","entries":[)" + entry("exists", "a", "included") +
            "]}\n";
  pack::ExceptionLoad load;
  pack::parse_exceptions(text, "many.ndjson", load);
  REQUIRE(load.errors.empty());
  REQUIRE(load.lists.size() == n);
  CHECK(load.item_count() == n);
  CHECK(load.lists[42].items.at(0).item_id == "i42");
  CHECK(load.unattached.empty());

  // Items read before their list (an items file, then the lists file): an error until the list
  // is read into the same load, then attached (before the list file's own items) and the error
  // withdrawn.
  const std::string items_only =
      item("early-1", entry("exists", "a", "included")) + "\n" +
      R"({"item_id":"early-ns","list_id":"tuning","namespace_type":"agnostic","entries":[)" +
      entry("exists", "a", "included") + "]}\n" +
      item("early-2", entry("exists", "b", "included")) + "\n";
  pack::ExceptionLoad split;
  pack::parse_exceptions(items_only, "items.ndjson", split);
  CHECK(split.item_count() == 0);
  REQUIRE(split.errors.size() == 3);
  CHECK_THAT(split.errors[0].to_string(),
             Catch::StartsWith("items.ndjson:1:") && Catch::Contains("item [early-1]") &&
                 Catch::Contains("[tuning] (single)") && Catch::Contains("not in the file"));
  CHECK(split.unattached.size() == 3);
  pack::parse_exceptions(kList + "\n" + item("late", entry("exists", "c", "included")) + "\n",
                         "lists.ndjson", split);
  REQUIRE(split.errors.size() == 1);  // the agnostic one: its list is another
  CHECK_THAT(split.errors[0].to_string(),
             Catch::StartsWith("items.ndjson:2:") && Catch::Contains("item [early-ns]"));
  REQUIRE(split.lists.size() == 1);
  REQUIRE(split.lists[0].items.size() == 3);
  CHECK(split.lists[0].items[0].item_id == "early-1");
  CHECK(split.lists[0].items[1].item_id == "early-2");
  CHECK(split.lists[0].items[2].item_id == "late");
  CHECK(split.lists[0].items[0].path == "items.ndjson");
  CHECK(split.unattached.size() == 1);
  // An item after its list's file attaches too; a list read again is still an error.
  pack::parse_exceptions(item("later", entry("exists", "d", "included")) + "\n" + kList + "\n",
                         "more.ndjson", split);
  REQUIRE(split.lists[0].items.size() == 4);
  CHECK(split.lists[0].items[3].item_id == "later");
  REQUIRE(split.errors.size() == 2);
  CHECK_THAT(split.errors[1].to_string(),
             Catch::StartsWith("more.ndjson:2:") && Catch::Contains("already loaded"));

  // The same with files.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("eqlite_exceptions_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "items.ndjson") << items_only;
    std::ofstream(dir / "lists.ndjson") << kList << "\n" << kSummary << "\n";
  }
  pack::ExceptionLoad files;
  pack::load_exceptions((dir / "items.ndjson").string(), files);
  pack::load_exceptions((dir / "lists.ndjson").string(), files);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  REQUIRE(files.errors.size() == 1);
  CHECK_THAT(files.errors[0].to_string(), Catch::Contains("item [early-ns]"));
  REQUIRE(files.lists.size() == 1);
  CHECK(files.lists[0].items.size() == 2);
  pack::ExceptionMatcher m(files.lists);
  CHECK(m.match(R"({"b":1})")->item_id == "early-2");
}

TEST_CASE("the T1078.004 example: what the rule matches and what the tuning excepts",
          "[exceptions]") {
  const std::string dir = EQLITE_SOURCE_DIR;
  auto load = pack::load_exceptions(dir + "/examples/exceptions/t1078_004.ndjson");
  for (const auto& e : load.errors)
    FAIL(e.to_string());
  REQUIRE(load.lists.size() == 1);
  CHECK(load.lists[0].list_id == "t1078-004-tuning");
  CHECK(load.lists[0].items.size() == 3);

  const std::string rule_text = read_file(dir + "/examples/t1078_004.eql");
  auto rule = eqlite::compile(rule_text);
  REQUIRE(rule);
  eqlite::JsonReader reader(*rule);
  reader.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  eqlite::Vm vm;
  eqlite::Event event;

  pack::ExceptionMatcher matcher(load.lists);
  matcher.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  REQUIRE(matcher.errors().empty());

  // The expectation of each event, from its scenario object.
  eqlite::JsonReader scenario(std::vector<std::string>{"scenario.id", "scenario.expect"});
  eqlite::Event s;
  std::istringstream lines(read_file(dir + "/examples/data/t1078_004_exceptions.ndjson"));
  std::string line;
  int matched = 0, excepted_count = 0, quiet = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    REQUIRE(scenario.read(line, s));
    const std::string id(s.values(0)[0].as_string());
    const std::string expect(s.values(1)[0].as_string());
    INFO(id);
    REQUIRE(reader.read(line, event));
    const bool hit = vm.matches(*rule, event);
    const pack::ExceptionItem* by = hit ? matcher.match(line) : nullptr;
    if (expect == "no-match") {
      CHECK_FALSE(hit);
      ++quiet;
    } else if (expect == "match") {
      CHECK(hit);
      CHECK(by == nullptr);
      ++matched;
    } else {
      REQUIRE(expect == "excepted");
      CHECK(hit);
      CHECK(by != nullptr);
      ++excepted_count;
    }
  }
  CHECK(matched == 6);
  CHECK(excepted_count == 5);
  CHECK(quiet == 1);
}
