// pack/exceptions.cpp — Kibana exception list exports read, translated to EQL and evaluated
// (pack/exceptions.hpp, docs/exceptions.md). The export is read with the small strict JSON
// reader of pack/json_tree.hpp (entries are nested objects, which eqlite's projection reader
// flattens away); events are read once by an eqlite::RuleSetMatcher over all the items, and
// with the same small reader for the objects of a nested entry.
#include "pack/exceptions.hpp"

#include <algorithm>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <eqlite/eqlite.hpp>

#include "pack/json_tree.hpp"

namespace pack {

namespace {

// ---- the export's lines -----------------------------------------------------------------------

bool plain_segment(std::string_view seg) {
  if (seg.empty()) return false;
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!letter(seg[0]) && seg[0] != '_' && seg[0] != '@') return false;
  for (std::size_t i = 1; i < seg.size(); ++i)
    if (!letter(seg[i]) && !digit(seg[i]) && seg[i] != '_') return false;
  return true;
}

bool reserved(std::string_view word) {
  static constexpr std::string_view kWords[] = {
      "and", "any", "by",    "false",  "in",       "join", "like",  "maxspan", "not", "null",
      "of",  "or",  "regex", "sample", "sequence", "true", "until", "where",   "with"};
  for (auto w : kWords)
    if (w == word) return true;
  return false;
}

// Where a problem is: 1-based line, and the column of a value in the line.
struct Place {
  const std::string* path;
  std::uint32_t line;
  std::string_view text;  // the line
};

LoadError error_at(const Place& at, std::size_t offset, std::string message) {
  LoadError e;
  e.path = *at.path;
  e.line = at.line;
  e.column = static_cast<std::uint32_t>(offset + 1);
  e.message = std::move(message);
  return e;
}

// A required non-empty string member; "" and an error message when it is not one.
bool string_member(const JsonValue& obj, std::string_view key, bool required, std::string& out,
                   std::string& problem) {
  const JsonValue* v = obj.get(key);
  if (!v) {
    if (required) problem = "missing [" + std::string(key) + "]";
    return !required;
  }
  if (v->kind != JsonValue::Kind::String) {
    problem = "[" + std::string(key) + "] must be a string, not " + std::string(kind_name(v->kind));
    return false;
  }
  if (required && v->text.empty()) {
    problem = "[" + std::string(key) + "] is empty";
    return false;
  }
  out = v->text;
  return true;
}

std::string check_field(std::string_view field) {
  if (field.empty()) return "[field] is empty";
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = field.find('.', start);
    const std::string_view seg =
        field.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (seg.empty()) return "field [" + std::string(field) + "] has an empty segment";
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (field.find_first_of("\r\n") != std::string_view::npos)
    return "field [" + std::string(field) + "] contains a line break";
  return {};
}

bool parse_entry(const JsonValue& j, bool in_nested, ExceptionEntry& out, std::string& problem,
                 std::size_t& where) {
  where = j.offset;
  if (j.kind != JsonValue::Kind::Object) {
    problem = "an entry must be an object, not " + std::string(kind_name(j.kind));
    return false;
  }
  std::string type;
  if (!string_member(j, "type", true, type, problem)) return false;
  if (type == "match")
    out.type = EntryType::Match;
  else if (type == "match_any")
    out.type = EntryType::MatchAny;
  else if (type == "wildcard")
    out.type = EntryType::Wildcard;
  else if (type == "exists")
    out.type = EntryType::Exists;
  else if (type == "nested")
    out.type = EntryType::Nested;
  else if (type == "list") {
    problem =
        "entry type [list] (a value list) is not supported: value lists live in Kibana's "
        "lists index, which an export does not include; write the values as match_any";
    return false;
  } else {
    problem =
        "unknown entry type [" + type + "] (expected match, match_any, wildcard, exists or nested)";
    return false;
  }
  if (in_nested && out.type != EntryType::Match && out.type != EntryType::MatchAny &&
      out.type != EntryType::Exists) {
    problem = "a nested entry holds match, match_any and exists entries, not [" + type + "]";
    return false;
  }
  if (!string_member(j, "field", true, out.field, problem)) return false;
  if (auto bad = check_field(out.field); !bad.empty()) {
    problem = std::move(bad);
    return false;
  }
  const std::string field_note = " (field [" + out.field + "])";
  if (out.type == EntryType::Nested) {
    const JsonValue* subs = j.get("entries");
    if (!subs || subs->kind != JsonValue::Kind::Array || subs->items.empty()) {
      problem = "a nested entry needs a non-empty [entries] array" + field_note;
      return false;
    }
    for (const JsonValue& s : subs->items) {
      ExceptionEntry sub;
      if (!parse_entry(s, true, sub, problem, where)) return false;
      out.entries.push_back(std::move(sub));
    }
    where = j.offset;
    return true;
  }
  std::string op;
  if (!string_member(j, "operator", true, op, problem)) {
    problem += field_note;
    return false;
  }
  if (op == "excluded") {
    out.excluded = true;
  } else if (op != "included") {
    problem = "unknown operator [" + op + "] (expected included or excluded)" + field_note;
    return false;
  }
  if (out.type == EntryType::Exists) return true;
  const JsonValue* value = j.get("value");
  if (!value) {
    problem = "missing [value]" + field_note;
    return false;
  }
  if (out.type == EntryType::MatchAny) {
    if (value->kind != JsonValue::Kind::Array || value->items.empty()) {
      problem = "a match_any entry's [value] must be a non-empty array of strings" + field_note;
      return false;
    }
    for (const JsonValue& v : value->items) {
      if (v.kind != JsonValue::Kind::String || v.text.empty()) {
        problem = "a match_any entry's [value] must hold non-empty strings" + field_note;
        where = v.offset;
        return false;
      }
      out.values.push_back(v.text);
    }
    return true;
  }
  if (value->kind != JsonValue::Kind::String || value->text.empty()) {
    problem = "a " + type + " entry's [value] must be a non-empty string, not " +
              (value->kind == JsonValue::Kind::String ? std::string("\"\"")
                                                      : std::string(kind_name(value->kind))) +
              field_note;
    where = value->offset;
    return false;
  }
  out.values.push_back(value->text);
  return true;
}

std::string item_label(const ExceptionItem& item) {
  std::string out = "item [" + (item.name.empty() ? item.item_id : item.name) + "]";
  if (!item.item_id.empty() && item.item_id != item.name) out += " (item_id " + item.item_id + ")";
  return out;
}

std::string ns_or_single(std::string ns) {
  return ns.empty() ? "single" : ns;
}

// The lists of a load by (list_id, namespace_type), while reading: each lookup is one hash.
using ListKey = std::pair<std::string, std::string>;
struct ListKeyHash {
  std::size_t operator()(const ListKey& k) const noexcept {
    const std::size_t a = std::hash<std::string>{}(k.first);
    return a ^ (std::hash<std::string>{}(k.second) + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
  }
};
using ListIndex = std::unordered_map<ListKey, std::size_t, ListKeyHash>;

// The error of an item whose list is not loaded; withdrawn (matched by path, line and this
// message) when a later text brings the list.
std::string unattached_message(const ExceptionItem& item) {
  return item_label(item) + ": its list [" + item.list_id + "] (" + item.namespace_type +
         ") is not in the file (nor in another file read with it)";
}

}  // namespace

std::string_view to_string(EntryType type) noexcept {
  switch (type) {
    case EntryType::Match:
      return "match";
    case EntryType::MatchAny:
      return "match_any";
    case EntryType::Wildcard:
      return "wildcard";
    case EntryType::Exists:
      return "exists";
    case EntryType::Nested:
      return "nested";
  }
  return "?";
}

// ---- loading ----------------------------------------------------------------------------------

void parse_exceptions(std::string_view text, const std::string& path, ExceptionLoad& into) {
  struct Pending {
    ExceptionItem item;
    std::size_t offset;
  };
  std::vector<Pending> pending;
  ListIndex index;
  index.reserve(into.lists.size());
  for (std::size_t i = 0; i < into.lists.size(); ++i)
    index.try_emplace(ListKey{into.lists[i].list_id, into.lists[i].namespace_type}, i);
  std::uint32_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const Place at{&path, line_no, line};

    JsonValue doc;
    std::string json_error;
    std::size_t json_error_at = 0;
    if (!parse_json(line, doc, json_error, json_error_at)) {
      into.errors.push_back(error_at(at, json_error_at, "not a JSON line: " + json_error));
      continue;
    }
    if (doc.kind != JsonValue::Kind::Object) {
      into.errors.push_back(error_at(
          at, doc.offset, "expected a JSON object, not " + std::string(kind_name(doc.kind))));
      continue;
    }
    // The export summary closes every export; rule lines come with a rules export.
    if (doc.get("exported_exception_list_count") || doc.get("exported_count") ||
        doc.get("exported_exception_list_item_count"))
      continue;
    if (doc.get("rule_id")) {
      ++into.skipped_rules;
      continue;
    }
    std::string problem;
    if (doc.get("item_id") || doc.get("entries")) {
      Pending p{{}, doc.offset};
      ExceptionItem& item = p.item;
      item.path = path;
      item.line = line_no;
      bool ok = string_member(doc, "item_id", true, item.item_id, problem) &&
                string_member(doc, "name", false, item.name, problem);
      if (!ok) {
        into.errors.push_back(error_at(at, doc.offset, "exception item: " + problem));
        continue;
      }
      if (item.name.empty()) item.name = item.item_id;
      ok = string_member(doc, "list_id", true, item.list_id, problem) &&
           string_member(doc, "namespace_type", false, item.namespace_type, problem) &&
           string_member(doc, "description", false, item.description, problem) &&
           string_member(doc, "expire_time", false, item.expire_time, problem);
      if (!ok) {
        into.errors.push_back(error_at(at, doc.offset, item_label(item) + ": " + problem));
        continue;
      }
      item.namespace_type = ns_or_single(item.namespace_type);
      if (const JsonValue* os = doc.get("os_types")) {
        if (os->kind != JsonValue::Kind::Array) {
          into.errors.push_back(
              error_at(at, os->offset, item_label(item) + ": [os_types] must be an array"));
          continue;
        }
        for (const JsonValue& o : os->items) {
          if (o.kind != JsonValue::Kind::String ||
              (o.text != "linux" && o.text != "macos" && o.text != "windows")) {
            ok = false;
            into.errors.push_back(
                error_at(at, o.offset,
                         item_label(item) + ": unknown os type " +
                             (o.kind == JsonValue::Kind::String ? "[" + o.text + "]"
                                                                : std::string(kind_name(o.kind))) +
                             " (expected linux, macos or windows)"));
            break;
          }
          item.os_types.push_back(o.text);
        }
        if (!ok) continue;
      }
      const JsonValue* entries = doc.get("entries");
      if (!entries || entries->kind != JsonValue::Kind::Array || entries->items.empty()) {
        into.errors.push_back(error_at(at, entries ? entries->offset : doc.offset,
                                       item_label(item) + ": needs a non-empty [entries] array"));
        continue;
      }
      for (std::size_t i = 0; i < entries->items.size() && ok; ++i) {
        ExceptionEntry entry;
        std::size_t where = entries->items[i].offset;
        if (!parse_entry(entries->items[i], false, entry, problem, where)) {
          into.errors.push_back(error_at(at, where,
                                         item_label(item) + ", entry " + std::to_string(i + 1) +
                                             ": " + problem + "; the item is left out"));
          ok = false;
          break;
        }
        item.entries.push_back(std::move(entry));
      }
      if (ok) pending.push_back(std::move(p));
      continue;
    }
    if (doc.get("list_id")) {
      ExceptionList list;
      list.path = path;
      list.line = line_no;
      const bool ok = string_member(doc, "list_id", true, list.list_id, problem) &&
                      string_member(doc, "name", false, list.name, problem) &&
                      string_member(doc, "type", false, list.type, problem) &&
                      string_member(doc, "namespace_type", false, list.namespace_type, problem) &&
                      string_member(doc, "description", false, list.description, problem);
      if (!ok) {
        into.errors.push_back(
            error_at(at, doc.offset, "exception list [" + list.list_id + "]: " + problem));
        continue;
      }
      list.namespace_type = ns_or_single(list.namespace_type);
      const auto [it, added] =
          index.try_emplace(ListKey{list.list_id, list.namespace_type}, into.lists.size());
      if (!added) {
        const ExceptionList& seen = into.lists[it->second];
        into.errors.push_back(error_at(at, doc.offset,
                                       "exception list [" + list.list_id + "] (" +
                                           list.namespace_type + ") is already loaded from " +
                                           seen.path + ":" + std::to_string(seen.line)));
        continue;
      }
      into.lists.push_back(std::move(list));
      continue;
    }
    into.errors.push_back(error_at(at, doc.offset,
                                   "neither an exception list (list_id) nor an item "
                                   "(item_id, entries) nor an export summary"));
  }
  auto list_of = [&](const ExceptionItem& item) -> ExceptionList* {
    const auto it = index.find(ListKey{item.list_id, item.namespace_type});
    return it == index.end() ? nullptr : &into.lists[it->second];
  };
  // Items of earlier texts whose list this one brought: attached (they were read first), and
  // their errors withdrawn, in one pass over the errors.
  std::map<std::tuple<std::string, std::uint32_t, std::string>, std::size_t> withdrawn;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < into.unattached.size(); ++i) {
    ExceptionItem& item = into.unattached[i];
    if (ExceptionList* list = list_of(item)) {
      ++withdrawn[{item.path, item.line, unattached_message(item)}];
      list->items.push_back(std::move(item));
    } else {
      if (kept != i) into.unattached[kept] = std::move(item);
      ++kept;
    }
  }
  into.unattached.resize(kept);
  if (!withdrawn.empty()) {
    std::vector<LoadError> errors;
    errors.reserve(into.errors.size());
    for (LoadError& e : into.errors) {
      const auto it = withdrawn.find({e.path, e.line, e.message});
      if (it != withdrawn.end() && it->second > 0) {
        --it->second;
        continue;
      }
      errors.push_back(std::move(e));
    }
    into.errors = std::move(errors);
  }
  for (Pending& p : pending) {
    if (ExceptionList* list = list_of(p.item)) {
      list->items.push_back(std::move(p.item));
      continue;
    }
    LoadError e;
    e.path = path;
    e.line = p.item.line;
    e.column = static_cast<std::uint32_t>(p.offset + 1);
    e.message = unattached_message(p.item);
    into.errors.push_back(std::move(e));
    into.unattached.push_back(std::move(p.item));
  }
}

void load_exceptions(const std::string& path, ExceptionLoad& into) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadError e;
    e.path = path;
    e.message = "cannot read the file";
    into.errors.push_back(std::move(e));
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  parse_exceptions(text.str(), path, into);
}

ExceptionLoad load_exceptions(const std::string& path) {
  ExceptionLoad load;
  load_exceptions(path, load);
  return load;
}

const ExceptionList* ExceptionLoad::find(std::string_view list_id,
                                         std::string_view namespace_type) const {
  for (const ExceptionList& l : lists)
    if (l.list_id == list_id && (namespace_type.empty() || l.namespace_type == namespace_type))
      return &l;
  return nullptr;
}

std::vector<const ExceptionList*> ExceptionLoad::lists_for(
    const Rule& rule, std::vector<std::string>* missing) const {
  std::vector<const ExceptionList*> out;
  for (const ExceptionListRef& ref : rule.exceptions_list) {
    if (const ExceptionList* l = find(ref.list_id, ref.namespace_type)) {
      out.push_back(l);
    } else if (missing) {
      missing->push_back(ref.list_id + " (" + ns_or_single(ref.namespace_type) + ")");
    }
  }
  return out;
}

std::size_t ExceptionLoad::item_count() const {
  std::size_t n = 0;
  for (const ExceptionList& l : lists)
    n += l.items.size();
  return n;
}

// ---- translation to EQL -----------------------------------------------------------------------

std::string eql_field(std::string_view path) {
  std::string out;
  std::size_t start = 0;
  bool first = true;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string_view seg =
        path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!first) out += '.';
    if (plain_segment(seg) && !(first && reserved(seg))) {
      out += seg;
    } else {
      out += '`';
      for (char c : seg) {
        if (c == '`') out += '`';
        out += c;
      }
      out += '`';
    }
    first = false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

namespace {

// An Elasticsearch wildcard pattern (`*`, `?`, `\` escapes the next character; a trailing `\`
// is itself) as an RE2 pattern matching the whole value; `.` also matches a line break.
std::string wildcard_to_regex(std::string_view pattern) {
  std::string out = "(?s)";
  auto literal = [&out](char c) {
    if (std::string_view("\\.+*?()|[]{}^$").find(c) != std::string_view::npos) out += '\\';
    out += c;
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '*')
      out += ".*";
    else if (c == '?')
      out += '.';
    else if (c == '\\' && i + 1 < pattern.size())
      literal(pattern[++i]);
    else
      literal(c);
  }
  return out;
}

std::string join_values(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) {
    if (!out.empty()) out += ", ";
    out += eqlite::quote_string(v);
  }
  return out;
}

std::string joined_field(std::string_view parent, std::string_view field) {
  return parent.empty() ? std::string(field) : std::string(parent) + "." + std::string(field);
}

std::string os_condition(const std::vector<std::string>& os_types) {
  const std::string values = "(" + join_values(os_types) + ")";
  return "(host.os.type in " + values + " or host.os.name.caseless in " + values + ")";
}

}  // namespace

std::string to_eql(const ExceptionEntry& entry, std::string_view parent) {
  const std::string f = eql_field(joined_field(parent, entry.field));
  switch (entry.type) {
    case EntryType::Match:
      return f + (entry.excluded ? " != " : " == ") + eqlite::quote_string(entry.values.at(0));
    case EntryType::MatchAny:
      return f + (entry.excluded ? " not in (" : " in (") + join_values(entry.values) + ")";
    case EntryType::Wildcard: {
      const std::string& p = entry.values.at(0);
      const std::string test = p.find('\\') == std::string::npos
                                   ? f + " like " + eqlite::quote_string(p)
                                   : f + " regex " + eqlite::quote_string(wildcard_to_regex(p));
      return entry.excluded ? "not (" + test + ")" : test;
    }
    case EntryType::Exists:
      return f + (entry.excluded ? " == null" : " != null");
    case EntryType::Nested: {
      std::string out = "(";
      const std::string full = joined_field(parent, entry.field);
      for (std::size_t i = 0; i < entry.entries.size(); ++i) {
        if (i) out += " and ";
        out += to_eql(entry.entries[i], full);
      }
      return out + ")";
    }
  }
  return "false";
}

std::string to_eql(const ExceptionItem& item) {
  std::string out;
  if (!item.os_types.empty()) out = os_condition(item.os_types);
  for (const ExceptionEntry& e : item.entries) {
    if (!out.empty()) out += " and ";
    out += to_eql(e);
  }
  return out.empty() ? "true" : out;
}

std::string exclusion_filter(const std::vector<const ExceptionList*>& lists) {
  std::string any;
  for (const ExceptionList* l : lists)
    for (const ExceptionItem& item : l->items)
      any += (any.empty() ? "(" : " or (") + to_eql(item) + ")";
  return any.empty() ? "" : "not (" + any + ")";
}

// ---- matching ---------------------------------------------------------------------------------

namespace {

// The values at a dotted path of a parsed event (E1: a key holding dots is the same path),
// arrays (also of objects) flattened; only objects are kept.
void objects_at(const JsonValue& node, std::string_view path, std::vector<const JsonValue*>& out) {
  if (node.kind == JsonValue::Kind::Array) {
    for (const JsonValue& e : node.items)
      objects_at(e, path, out);
    return;
  }
  if (node.kind != JsonValue::Kind::Object) return;
  for (std::size_t i = 0; i < node.keys.size(); ++i) {
    const std::string& k = node.keys[i];
    if (k == path) {
      std::vector<const JsonValue*> stack{&node.items[i]};
      while (!stack.empty()) {
        const JsonValue* v = stack.back();
        stack.pop_back();
        if (v->kind == JsonValue::Kind::Object)
          out.push_back(v);
        else if (v->kind == JsonValue::Kind::Array)
          for (auto it = v->items.rbegin(); it != v->items.rend(); ++it)
            stack.push_back(&*it);
      }
    } else if (path.size() > k.size() && path.substr(0, k.size()) == k && path[k.size()] == '.') {
      objects_at(node.items[i], path.substr(k.size() + 1), out);
    }
  }
}

void flatten(const JsonValue& node, const std::string& prefix, eqlite::FlatEvent& out) {
  switch (node.kind) {
    case JsonValue::Kind::Null:
      return;
    case JsonValue::Kind::Bool:
      out.add(prefix, eqlite::Value::boolean(node.boolean));
      return;
    case JsonValue::Kind::String:
      out.add(prefix, std::string_view(node.text));
      return;
    case JsonValue::Kind::Number:
      if (const auto i = node.integer())
        out.add(prefix, eqlite::Value::integer(*i));
      else
        out.add(prefix, eqlite::Value::number(node.number()));
      return;
    case JsonValue::Kind::Array:
      for (const JsonValue& e : node.items)
        flatten(e, prefix, out);
      return;
    case JsonValue::Kind::Object:
      for (std::size_t i = 0; i < node.keys.size(); ++i)
        flatten(node.items[i], prefix.empty() ? node.keys[i] : prefix + "." + node.keys[i], out);
      return;
  }
}

}  // namespace

struct ExceptionMatcher::Impl {
  struct Nested {
    std::string parent;
    eqlite::Query query;  // the sub-entries, on fields relative to `parent`
  };
  struct Compiled {
    const ExceptionItem* item = nullptr;
    std::vector<Nested> nested;
  };
  // A constant (E4); a string's bytes are owned here.
  struct Constant {
    std::string path;
    eqlite::Value value;  // a string: view it with get()
    std::string text;
    eqlite::Value get() const {
      return value.kind() == eqlite::ValueKind::String ? eqlite::Value::string(text) : value;
    }
  };

  explicit Impl(const eqlite::ReaderOptions& options) : options(options) {}

  eqlite::ReaderOptions options;
  std::deque<ExceptionItem> items;
  std::vector<Compiled> compiled;  // in list then item order
  eqlite::RuleSet rules;           // rule id -> compiled[item_of_rule[id]]
  std::vector<std::size_t> item_of_rule;
  std::vector<std::size_t> unindexed;  // compiled items that are nested entries only, ascending
  std::unique_ptr<eqlite::RuleSetMatcher> matcher;  // made on first match() after an add()
  std::vector<Constant> constants;
  std::vector<LoadError> errors;
  std::vector<std::size_t> hits;
  eqlite::Vm vm;
  eqlite::FlatEvent flat;
  std::vector<const JsonValue*> objects;
  std::vector<eqlite::Value> values;

  LoadError compile_error(const ExceptionItem& item, const std::string& text,
                          const eqlite::Error& error) const {
    LoadError e;
    e.path = item.path;
    e.line = item.line;
    e.column = 1;
    e.message = item_label(item) + ": its condition does not compile: " + error.to_string() +
                " in `" + text + "`";
    return e;
  }

  void add(const ExceptionItem& source) {
    items.push_back(source);
    const ExceptionItem& item = items.back();
    Compiled c;
    c.item = &item;
    std::string condition;
    if (!item.os_types.empty()) condition = os_condition(item.os_types);
    for (const ExceptionEntry& e : item.entries) {
      if (e.type == EntryType::Nested) {
        std::string sub;
        for (const ExceptionEntry& s : e.entries) {
          if (!sub.empty()) sub += " and ";
          sub += to_eql(s);
        }
        const std::string text = "any where " + sub;
        auto q = eqlite::compile(text);
        if (!q) {
          errors.push_back(compile_error(item, text, q.error()));
          items.pop_back();
          return;
        }
        c.nested.push_back({e.field, std::move(*q)});
        continue;
      }
      if (!condition.empty()) condition += " and ";
      condition += to_eql(e);
    }
    const std::size_t at = compiled.size();
    if (condition.empty() && !c.nested.empty()) {
      unindexed.push_back(at);
    } else {
      const std::string text = "any where " + (condition.empty() ? "true" : condition);
      auto id = rules.add(item.item_id, text);
      if (!id) {
        errors.push_back(compile_error(item, text, id.error()));
        items.pop_back();
        return;
      }
      if (item_of_rule.size() <= *id) item_of_rule.resize(*id + 1, at);
      item_of_rule[*id] = at;
    }
    compiled.push_back(std::move(c));
    matcher.reset();
  }

  void set_constant(std::string_view path, eqlite::Value value) {
    auto it = std::find_if(constants.begin(), constants.end(),
                           [&](const Constant& c) { return c.path == path; });
    if (value.is_null()) {
      if (it != constants.end()) constants.erase(it);
    } else {
      if (it == constants.end()) {
        constants.push_back({std::string(path), {}, {}});
        it = std::prev(constants.end());
      }
      it->value = value;
      if (value.kind() == eqlite::ValueKind::String)
        it->text.assign(value.as_string());
      else
        it->text.clear();
    }
    if (matcher) matcher->set_constant(path, value);  // replaces, or removes on null
  }

  void clear_constants() {
    if (matcher)
      for (const Constant& c : constants)
        matcher->set_constant(c.path, eqlite::Value::null());
    constants.clear();
  }

  eqlite::RuleSetMatcher& ready() {
    if (!matcher) {
      matcher = std::make_unique<eqlite::RuleSetMatcher>(rules, options);
      for (const Constant& c : constants)
        matcher->set_constant(c.path, c.get());
    }
    return *matcher;
  }

  bool nested_holds(const Nested& n, const JsonValue& doc) {
    objects.clear();
    objects_at(doc, n.parent, objects);
    for (const JsonValue* o : objects) {
      flat.clear();
      flatten(*o, std::string(), flat);
      for (const Constant& c : constants) {
        // A constant `parent.child` stands for `child` where the object has no value for it.
        const std::string_view path = c.path;
        if (path.size() <= n.parent.size() + 1 || path.compare(0, n.parent.size(), n.parent) != 0 ||
            path[n.parent.size()] != '.')
          continue;
        const std::string_view child = path.substr(n.parent.size() + 1);
        values.clear();
        flat.get(child, values);
        if (values.empty()) flat.add(child, c.get());
      }
      if (vm.matches(n.query, flat)) return true;
    }
    return false;
  }

  const ExceptionItem* match(std::string_view json) {
    if (compiled.empty()) return nullptr;
    if (!ready().match_json(json, hits)) return nullptr;  // not an event: never excepted
    std::optional<JsonValue> doc;  // parsed on demand, once, for nested entries
    // The candidates in item order: the RuleSet's matches and the items it does not hold.
    std::size_t h = 0, u = 0;
    constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    while (h < hits.size() || u < unindexed.size()) {
      const std::size_t from_rules = h < hits.size() ? item_of_rule[hits[h]] : kNone;
      const std::size_t from_nested = u < unindexed.size() ? unindexed[u] : kNone;
      const Compiled& c = compiled[from_rules < from_nested ? from_rules : from_nested];
      (from_rules < from_nested ? h : u)++;
      if (c.nested.empty()) return c.item;
      if (!doc) {
        doc.emplace();
        std::string error;
        std::size_t offset = 0;
        if (!parse_json(json, *doc, error, offset) || doc->kind != JsonValue::Kind::Object)
          return nullptr;
      }
      bool all = true;
      for (const Nested& n : c.nested)
        if (!nested_holds(n, *doc)) {
          all = false;
          break;
        }
      if (all) return c.item;
    }
    return nullptr;
  }
};

ExceptionMatcher::ExceptionMatcher() : ExceptionMatcher(eqlite::ReaderOptions{}) {}
ExceptionMatcher::ExceptionMatcher(const eqlite::ReaderOptions& options)
    : impl_(std::make_unique<Impl>(options)) {}
ExceptionMatcher::ExceptionMatcher(const std::vector<ExceptionList>& lists,
                                   const eqlite::ReaderOptions& options)
    : ExceptionMatcher(options) {
  for (const ExceptionList& l : lists)
    add(l);
}
ExceptionMatcher::ExceptionMatcher(const std::vector<const ExceptionList*>& lists,
                                   const eqlite::ReaderOptions& options)
    : ExceptionMatcher(options) {
  for (const ExceptionList* l : lists)
    if (l) add(*l);
}
ExceptionMatcher::~ExceptionMatcher() = default;
ExceptionMatcher::ExceptionMatcher(ExceptionMatcher&&) noexcept = default;
ExceptionMatcher& ExceptionMatcher::operator=(ExceptionMatcher&&) noexcept = default;

void ExceptionMatcher::add(const ExceptionList& list) {
  for (const ExceptionItem& item : list.items)
    impl_->add(item);
}

void ExceptionMatcher::set_constant(std::string_view path, eqlite::Value value) {
  impl_->set_constant(path, value);
}

void ExceptionMatcher::clear_constants() {
  impl_->clear_constants();
}

const ExceptionItem* ExceptionMatcher::match(std::string_view event_json) {
  return impl_->match(event_json);
}

std::size_t ExceptionMatcher::size() const {
  return impl_->compiled.size();
}

const std::vector<LoadError>& ExceptionMatcher::errors() const {
  return impl_->errors;
}

}  // namespace pack
