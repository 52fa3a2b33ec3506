// fuzz/fuzz_pack.cpp — libFuzzer target: the rule-pack inputs that come from users
// (pack/): detection-rules TOML rule files, `.eql` rule files and Kibana exception list exports.
//
// The first byte picks what the rest is read as (byte % 4): 0 a TOML rule file
// (pack::load_rule_text with a `.toml` path, toml++), 1 an `.eql` rule file, 2 an exception list
// export (pack::parse_exceptions), 3 all three on the same bytes. Checks, besides no crash, hang
// or leak:
//  * a file that does not load says why (a message, the path), at a line:column inside the text
//    when it gives one; a TOML file whose kind pack::skim_rule_kind reads without parsing has
//    that language and type when it parses;
//  * an EQL rule that loads is compiled (with its event_category_override); a compile error
//    mapped into the file (pack::compile_error) lies inside the file's text, and so does
//    pack::map_to_file for every offset of rule.query; where the query's text is the file's
//    (no escape between the anchor and the offset), the byte there is the query's byte;
//  * an export's errors are inside the text; every item's to_eql() compiles as an event query,
//    exclusion_filter() of all the lists compiles as a CompileOptions::filter, and an
//    ExceptionMatcher of the lists compiles every item (errors() is empty);
//  * the matcher answers on fixed events, on each line of the input and on the input; for lists
//    without nested entries, an event is excepted exactly when the exclusion filter's query
//    does not match it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <eqlite/eqlite.hpp>

#include "fuzz_support.hpp"
#include "pack/exceptions.hpp"
#include "pack/rule_loader.hpp"
#include "pack/toml_skim.hpp"

namespace {

using eqlite::fuzz::printable;

constexpr std::size_t kMaxInput = 1 << 14;
constexpr std::size_t kMaxMappedOffsets = 4096;

// The lines of `text` as TOML and the position checks see them: split at '\n' (a '\r' before
// it stays part of the line).
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (true) {
    const std::size_t nl = text.find('\n', at);
    out.push_back(text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at));
    if (nl == std::string_view::npos) break;
    at = nl + 1;
  }
  return out;
}

// True when 1-based line:column lies in `text` (the column may be one past the line's end: an
// error at the end of a line or of the text).
bool inside(const std::vector<std::string_view>& lines, std::uint32_t line, std::uint32_t column) {
  return line >= 1 && line <= lines.size() && column >= 1 && column <= lines[line - 1].size() + 1;
}

std::string where(std::uint32_t line, std::uint32_t column) {
  return std::to_string(line) + ":" + std::to_string(column);
}

void check_rule(const std::string& path, std::string_view text) {
  const std::string detail = "path: " + path + "\ntext: \"" + printable(text) + "\"";
  const auto lines = lines_of(text);
  pack::Rule rule;
  pack::LoadError error;
  const bool loaded = pack::load_rule_text(path, std::string(text), rule, error);
  // pack::skim_rule_kind answers only when sure: a file that parses says the same.
  if (std::string language, type;
      path.ends_with(".toml") && pack::skim_rule_kind(text, language, type) && loaded)
    FUZZ_CHECK(rule.language == language && rule.type == type, detail + "\nskimmed " + language +
                                                                   "/" + type + ", parsed " +
                                                                   rule.language + "/" + rule.type);
  if (!loaded) {
    FUZZ_CHECK(!error.message.empty(), detail);
    FUZZ_CHECK(error.path == path, detail);
    // toml++ puts an error at the end of the file on the last line, one column past its line
    // break ("4:6" for a last line `""?"` and '\n'): one more column is allowed there.
    if (error.line != 0)
      FUZZ_CHECK(
          inside(lines, error.line, error.column) ||
              (error.line <= lines.size() && error.column == lines[error.line - 1].size() + 2),
          detail + "\nload error at " + where(error.line, error.column) + ": " + error.message);
    (void)error.to_string();
    return;
  }
  FUZZ_CHECK(rule.path == path, detail);
  if (rule.language != "eql") return;
  FUZZ_CHECK(!rule.query.empty() || !path.ends_with(".toml"), detail);

  const std::string qdetail = detail + "\nquery: \"" + printable(rule.query) + "\"";
  eqlite::CompileOptions options;
  if (!rule.event_category_override.empty()) options.category_field = rule.event_category_override;
  auto q = eqlite::compile(rule.query, options);
  if (!q) {
    const eqlite::Error& e = q.error();
    FUZZ_CHECK(!e.message.empty(), qdetail);
    const pack::LoadError mapped = pack::compile_error(rule, e);
    FUZZ_CHECK(mapped.path == path && mapped.message == e.message, qdetail);
    if (e.where.line != 0) {
      FUZZ_CHECK(e.where.offset <= rule.query.size(), qdetail);
      FUZZ_CHECK(inside(lines, mapped.line, mapped.column),
                 qdetail + "\ncompile error at query " + where(e.where.line, e.where.column) +
                     " (offset " + std::to_string(e.where.offset) + ") maps to " +
                     where(mapped.line, mapped.column) + ", outside the file: " + e.message);
    }
    (void)mapped.to_string();
  }

  // Every offset of the query (and the one past its end) maps into the file.
  const std::size_t last = std::min(rule.query.size(), kMaxMappedOffsets);
  for (std::size_t off = 0; off <= last; ++off) {
    std::uint32_t line = 0, column = 0;
    pack::map_to_file(rule, off, line, column);
    FUZZ_CHECK(inside(lines, line, column), qdetail + "\nquery offset " + std::to_string(off) +
                                                " maps to " + where(line, column) +
                                                ", outside the file");
  }
  // Within a run of text copied from the file, the byte there is the query's.
  for (std::size_t off = 0; off < last; ++off) {
    std::uint32_t line = 0, column = 0;
    pack::map_to_file(rule, off, line, column);
    const std::string_view l = lines[line - 1];
    // TOML reads a CRLF line end as '\n': the query's '\n' is the file's '\r'.
    if (rule.query[off] == '\n' && column == l.size() && l.ends_with('\r')) continue;
    if (column > l.size()) {
      FUZZ_CHECK(rule.query[off] == '\n', qdetail + "\nquery offset " + std::to_string(off) +
                                              " maps past the end of line " + std::to_string(line));
      continue;
    }
    if (rule.query_anchors.empty()) {
      FUZZ_CHECK(l[column - 1] == rule.query[off], qdetail + "\n.eql offset " +
                                                       std::to_string(off) + " maps to " +
                                                       where(line, column) + ", another byte");
      continue;
    }
    auto it =
        std::upper_bound(rule.query_anchors.begin(), rule.query_anchors.end(), off,
                         [](std::size_t o, const pack::QueryAnchor& a) { return o < a.offset; });
    if (it != rule.query_anchors.begin()) --it;
    if (it->line != line || it->column > column) continue;
    const std::string_view run = l.substr(it->column - 1, column - it->column + 1);
    if (run.find('\\') != std::string_view::npos) continue;  // an escape: decoded differently
    FUZZ_CHECK(l[column - 1] == rule.query[off],
               qdetail + "\nquery offset " + std::to_string(off) + " ('" +
                   printable(std::string_view(&rule.query[off], 1)) + "') maps to " +
                   where(line, column) + " ('" + printable(l.substr(column - 1, 1)) +
                   "'), another byte");
  }
}

const std::vector<std::string>& fixed_events() {
  static const std::vector<std::string> events = {
      R"({"user":{"name":"chen.wei@example.com"},"azure":{"signinlogs":{"properties":{"location":{"country_or_region":"CN"},"client_app_used":"Authenticated SMTP","app_id":"3c5e8a1f-6b2d-4e97-a0c4-7f1b2d3e4a5c"}}},"event":{"dataset":"azure.signinlogs","outcome":"success"}})",
      R"({"user.name":"scan-3@example.com","host":{"os":{"type":"windows","name":"Windows"}},"process":{"name":"cmd.exe","args":["/c","whoami"],"pid":4}})",
      R"({"file":{"Ext":{"code_signature":[{"trusted":true,"subject_name":"Microsoft"},{"trusted":false,"subject_name":"x"}]}},"a":[1,2.5,null,"a\\b*?"],"b":{}})",
      R"({"host":{"os":{"type":"linux","name":"Ubuntu"}},"x":"\u0000é","":1,"a b":{"c`d":"e"}})",
      R"({})",
      R"(not json)",
  };
  return events;
}

bool has_nested(const pack::ExceptionLoad& load) {
  for (const auto& l : load.lists)
    for (const auto& item : l.items)
      for (const auto& e : item.entries)
        if (e.type == pack::EntryType::Nested) return true;
  return false;
}

void check_exceptions(std::string_view text) {
  static const std::string path = "fuzz.ndjson";
  const std::string detail = "export: \"" + printable(text) + "\"";
  const auto lines = lines_of(text);
  pack::ExceptionLoad load;
  pack::parse_exceptions(text, path, load);
  for (const auto& e : load.errors) {
    FUZZ_CHECK(!e.message.empty() && e.path == path, detail);
    FUZZ_CHECK(inside(lines, e.line, e.column),
               detail + "\nerror at " + where(e.line, e.column) + ": " + e.message);
    (void)e.to_string();
  }
  std::vector<const pack::ExceptionList*> lists;
  for (const auto& l : load.lists) {
    lists.push_back(&l);
    FUZZ_CHECK(load.find(l.list_id, l.namespace_type) != nullptr, detail);
    for (const auto& item : l.items) {
      FUZZ_CHECK(!item.entries.empty(), detail);
      const std::string cond = pack::to_eql(item);
      auto q = eqlite::compile("any where " + cond);
      FUZZ_CHECK(q.ok(), detail + "\nitem " + item.item_id + ": to_eql does not compile: " +
                             printable(cond) + "\n" + (q ? "" : q.error().to_string()));
    }
  }
  (void)load.item_count();

  const std::string filter = pack::exclusion_filter(lists);
  FUZZ_CHECK(filter.empty() == (load.item_count() == 0), detail + "\nfilter: " + filter);
  std::optional<eqlite::Query> filtered;
  if (!filter.empty()) {
    eqlite::CompileOptions options;
    options.filter = filter;
    auto q = eqlite::compile("any where true", options);
    FUZZ_CHECK(q.ok(), detail + "\nexclusion_filter does not compile as a filter: " +
                           printable(filter) + "\n" + (q ? "" : q.error().to_string()));
    filtered = std::move(*q);
  }

  pack::ExceptionMatcher matcher(load.lists);
  FUZZ_CHECK(matcher.size() == load.item_count(), detail);
  for (const auto& e : matcher.errors())
    FUZZ_CHECK(false, detail + "\nthe matcher could not compile an item: " + e.to_string());

  const bool compare = filtered && !has_nested(load);
  static eqlite::Vm vm;
  auto check_event = [&](std::string_view event) {
    const pack::ExceptionItem* item = matcher.match(event);
    if (!compare) return;
    eqlite::JsonReader reader(*filtered);
    eqlite::Event ev;
    if (!reader.read(event, ev)) {
      FUZZ_CHECK(item == nullptr, detail + "\na bad event was excepted: " + printable(event));
      return;
    }
    const bool passes = vm.matches(*filtered, ev);
    FUZZ_CHECK(passes == (item == nullptr),
               detail + "\nevent: " + printable(event) + "\nmatcher: " +
                   (item ? "excepted by " + item->item_id : std::string("not excepted")) +
                   "\nexclusion filter: " + (passes ? "passes" : "keeps it out") +
                   "\nfilter: " + printable(filter));
  };
  for (const auto& ev : fixed_events())
    check_event(ev);
  for (const auto& line : lines)
    check_event(line);
  check_event(text);
  // Constants (E4) stand in for missing fields.
  matcher.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
  for (const auto& ev : fixed_events())
    (void)matcher.match(ev);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0 || size > kMaxInput) return 0;
  const unsigned mode = data[0] % 4;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (mode == 0 || mode == 3) check_rule("rules/fuzz.toml", text);
  if (mode == 1 || mode == 3) check_rule("rules/fuzz.eql", text);
  if (mode == 2 || mode == 3) check_exceptions(text);
  return 0;
}
