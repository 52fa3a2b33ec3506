// pack/rule_loader.cpp — rule files: `.eql` as they are, detection-rules TOML through toml++
// (pack/rule_loader.hpp, docs/rule-packs.md).
#include "pack/rule_loader.hpp"

#include "pack/parallel_for.hpp"
#include "pack/toml_skim.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <eqlite/error.hpp>

#ifdef EQLITE_HAVE_TOML
#include <toml++/toml.h>
#endif

namespace pack {

namespace {

bool read_text(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

std::string stem(const std::string& path) {
  return std::filesystem::path(path).stem().string();
}

std::string with_commas(std::size_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3)
    s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

// The byte offset of toml++'s 1-based line:column in `text`: toml++ counts columns in code
// points, eqlite in bytes.
std::size_t offset_of(std::string_view text, std::uint32_t line, std::uint32_t column) {
  std::size_t at = 0;
  for (std::uint32_t l = 1; l < line; ++l) {
    const std::size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) return text.size();
    at = nl + 1;
  }
  for (std::uint32_t c = 1; c < column && at < text.size() && text[at] != '\n'; ++c) {
    ++at;  // past the code point's lead byte and its continuation bytes
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80)
      ++at;
  }
  return std::min(text.size(), at);
}

// The 1-based byte column of `offset` in its line.
std::uint32_t byte_column(std::string_view text, std::size_t offset) {
  const std::size_t nl = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  return static_cast<std::uint32_t>(offset - (nl == std::string_view::npos ? 0 : nl + 1) + 1);
}

#ifdef EQLITE_HAVE_TOML

// Anchors from the query's decoded bytes to the file, by reading the TOML string that starts at
// `at` (its opening quote) the way TOML decodes it: a newline right after a multi-line
// string's opening delimiter is not part of the value; in basic strings an escape is one
// anchor and a line-ending backslash drops the line break and the whitespace after it.
std::vector<QueryAnchor> anchors_of(std::string_view text, std::size_t at, std::uint32_t line,
                                    std::uint32_t column) {
  std::vector<QueryAnchor> out;
  if (at >= text.size()) return out;
  const bool literal = text[at] == '\'';
  const bool multi = text.substr(at, 3) == "'''" || text.substr(at, 3) == "\"\"\"";
  std::size_t i = at + (multi ? 3 : 1);
  column += multi ? 3 : 1;
  if (multi && text.substr(i, 2) == "\r\n") {
    i += 2;
    ++line;
    column = 1;
  } else if (multi && i < text.size() && text[i] == '\n') {
    ++i;
    ++line;
    column = 1;
  }
  std::uint32_t decoded = 0;
  out.push_back({decoded, line, column});
  const std::string_view close = multi ? (literal ? "'''" : "\"\"\"") : (literal ? "'" : "\"");
  while (i < text.size()) {
    // A closing delimiter (a multi-line string may end with up to two more quotes inside it).
    if (text.substr(i, close.size()) == close &&
        !(multi && text.substr(i + 1, close.size()) == close))
      break;
    const char c = text[i];
    if (c == '\n' || (c == '\r' && text.substr(i, 2) == "\r\n")) {  // TOML reads CRLF as LF
      i += c == '\r' ? 2 : 1;
      ++decoded;
      ++line;
      column = 1;
      out.push_back({decoded, line, column});
      continue;
    }
    if (!literal && c == '\\' && i + 1 < text.size()) {
      const char e = text[i + 1];
      if (multi && (e == '\n' || e == ' ' || e == '\t' || e == '\r')) {
        // Line-ending backslash: skip whitespace and line breaks.
        std::size_t j = i + 1;
        while (j < text.size() &&
               (text[j] == ' ' || text[j] == '\t' || text[j] == '\r' || text[j] == '\n')) {
          if (text[j] == '\n') {
            ++line;
            column = 0;
          }
          ++j;
          ++column;
        }
        i = j;
        out.push_back({decoded, line, column});
        continue;
      }
      std::size_t len = 2, bytes = 1;
      if (e == 'u' || e == 'U') {
        len = e == 'u' ? 6 : 10;
        unsigned long cp =
            std::strtoul(std::string(text.substr(i + 2, len - 2)).c_str(), nullptr, 16);
        bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      }
      decoded += static_cast<std::uint32_t>(bytes);
      i += len;
      column += static_cast<std::uint32_t>(len);
      out.push_back({decoded, line, column});
      continue;
    }
    ++i;
    ++decoded;
    ++column;
  }
  return out;
}

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

// The values eqlite reads from a rule file, each of the type docs/rule-packs.md gives: a value of
// another type is an error at its position (the first in the file), never dropped.
class Typed {
 public:
  Typed(const std::string& text, LoadError& error) : text_(text), error_(error) {}

  bool failed() const { return failed_; }

  void bad(const toml::node& n, std::string message) {
    const std::uint32_t line = n.source().begin.line;
    const std::uint32_t column = toml_byte_column(text_, line, n.source().begin.column);
    if (failed_ && (error_.line < line || (error_.line == line && error_.column <= column)))
      return;  // an earlier one is reported
    failed_ = true;
    error_.line = line;
    error_.column = column;
    error_.message = std::move(message);
  }

  // A string; empty when absent.
  std::string str(const toml::node* n, const std::string& what) {
    if (!n) return "";
    if (const auto* s = n->as_string()) return s->get();
    bad(*n, what + " must be a string, not " + type_name(*n));
    return "";
  }

  bool boolean(const toml::node* n, const std::string& what) {
    if (!n) return false;
    if (const auto* b = n->as_boolean()) return b->get();
    bad(*n, what + " must be true or false, not " + type_name(*n));
    return false;
  }

  std::vector<std::string> strings(const toml::node* n, const std::string& what) {
    std::vector<std::string> out;
    if (!n) return out;
    const auto* a = n->as_array();
    if (!a) {
      bad(*n, what + " must be an array of strings, not " + type_name(*n));
      return out;
    }
    for (const auto& e : *a) {
      if (const auto* s = e.as_string())
        out.push_back(s->get());
      else
        bad(e, what + " must be an array of strings; this element is " + type_name(e));
    }
    return out;
  }

  // A table; null when absent or of another type (reported).
  const toml::table* table(const toml::node* n, const std::string& what) {
    if (!n) return nullptr;
    if (const auto* t = n->as_table()) return t;
    bad(*n, what + " must be a table, not " + type_name(*n));
    return nullptr;
  }

  // Each table of an array of tables ([[what]]).
  template <class F>
  void tables(const toml::node* n, const std::string& what, F each) {
    if (!n) return;
    const auto* a = n->as_array();
    if (!a) {
      bad(*n, what + " must be an array of tables ([[" + what + "]]), not " + type_name(*n));
      return;
    }
    for (const auto& e : *a) {
      if (const auto* t = e.as_table())
        each(*t);
      else
        bad(e, what + " must be an array of tables ([[" + what + "]]); this element is " +
                   type_name(e));
    }
  }

  ThreatRef threat_ref(const toml::table& t, const std::string& what) {
    return {str(t.get("id"), what + ".id"), str(t.get("name"), what + ".name"),
            str(t.get("reference"), what + ".reference")};
  }

 private:
  const std::string& text_;
  LoadError& error_;
  bool failed_ = false;
};

bool load_toml(const std::string& path, const std::string& text, Rule& out, LoadError& error) {
  toml::table doc;
  try {
    doc = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    error.line = e.source().begin.line;
    error.column = toml_byte_column(text, error.line, e.source().begin.column);
    error.message = "not a valid TOML file: " + std::string(e.description());
    return false;
  }
  const toml::table* rule = doc["rule"].as_table();
  if (!rule) {
    error.message = "no [rule] table: not a detection rule file";
    return false;
  }
  Typed typed(text, error);
  if (const toml::table* metadata = typed.table(doc.get("metadata"), "metadata"))
    out.maturity = typed.str(metadata->get("maturity"), "metadata.maturity");
  auto str = [&](const char* key) { return typed.str(rule->get(key), std::string("rule.") + key); };
  out.id = str("rule_id");
  out.name = str("name");
  out.language = str("language");
  out.type = str("type");
  out.description = str("description");
  out.building_block_type = str("building_block_type");
  out.timestamp_override = str("timestamp_override");
  out.event_category_override = str("event_category_override");
  if (const toml::node* n = rule->get("severity")) {
    out.severity = typed.str(n, "rule.severity");
    if (n->is_string() && out.severity != "low" && out.severity != "medium" &&
        out.severity != "high" && out.severity != "critical")
      typed.bad(
          *n, "rule.severity must be low, medium, high or critical, not \"" + out.severity + "\"");
  }
  if (const toml::node* n = rule->get("risk_score")) {
    const auto* i = n->as_integer();
    if (!i || i->get() < 0 || i->get() > 100)
      typed.bad(*n, std::string("rule.risk_score must be a whole number from 0 to 100, not ") +
                        (i ? std::to_string(i->get()) : type_name(*n)));
    else
      out.risk_score = static_cast<int>(i->get());
  }
  out.index = typed.strings(rule->get("index"), "rule.index");
  out.tags = typed.strings(rule->get("tags"), "rule.tags");
  typed.tables(rule->get("threat"), "rule.threat", [&](const toml::table& t) {
    Threat th;
    th.framework = typed.str(t.get("framework"), "rule.threat.framework");
    if (const toml::table* tactic = typed.table(t.get("tactic"), "rule.threat.tactic"))
      th.tactic = typed.threat_ref(*tactic, "rule.threat.tactic");
    typed.tables(t.get("technique"), "rule.threat.technique", [&](const toml::table& te) {
      Technique tech;
      tech.ref = typed.threat_ref(te, "rule.threat.technique");
      typed.tables(
          te.get("subtechnique"), "rule.threat.technique.subtechnique", [&](const toml::table& s) {
            tech.subtechniques.push_back(typed.threat_ref(s, "rule.threat.technique.subtechnique"));
          });
      th.techniques.push_back(std::move(tech));
    });
    out.threat.push_back(std::move(th));
  });
  typed.tables(rule->get("required_fields"), "rule.required_fields", [&](const toml::table& f) {
    out.required_fields.push_back({typed.str(f.get("name"), "rule.required_fields.name"),
                                   typed.str(f.get("type"), "rule.required_fields.type"),
                                   typed.boolean(f.get("ecs"), "rule.required_fields.ecs")});
  });
  typed.tables(rule->get("exceptions_list"), "rule.exceptions_list", [&](const toml::table& x) {
    out.exceptions_list.push_back(
        {typed.str(x.get("id"), "rule.exceptions_list.id"),
         typed.str(x.get("list_id"), "rule.exceptions_list.list_id"),
         typed.str(x.get("namespace_type"), "rule.exceptions_list.namespace_type"),
         typed.str(x.get("type"), "rule.exceptions_list.type")});
  });
  if (const toml::node* q = rule->get("query")) {
    out.query = typed.str(q, "rule.query");
    if (q->is_string()) {
      const auto begin = q->source().begin;
      const std::size_t at = offset_of(text, begin.line, begin.column);
      out.query_anchors = anchors_of(text, at, begin.line, byte_column(text, at));
      if (!out.query_anchors.empty()) {
        out.query_line = out.query_anchors[0].line;
        out.query_column = out.query_anchors[0].column;
        // The file's lines from the query's first to its last (the closing delimiter's).
        const std::size_t first = offset_of(text, out.query_line, 1);
        std::size_t last = offset_of(text, out.query_anchors.back().line, 1);
        last = std::min(text.find('\n', last), text.size());
        out.query_file_lines = text.substr(first, last - first);
      }
    }
  }
  if (typed.failed()) return false;
  if (out.language == "eql" && out.query.empty()) {
    error.message = "an EQL rule without a query (rule.query)";
    return false;
  }
  return true;
}

#endif  // EQLITE_HAVE_TOML

bool ends_with(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

std::string LoadError::to_string() const {
  std::string out = path;
  if (line) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  out += ": " + message;
  if (!excerpt.empty()) out += "\n" + excerpt;
  return out;
}

std::string PackLoad::summary() const {
  std::string out =
      with_commas(rules.size()) + " EQL rule" + (rules.size() == 1 ? "" : "s") + " loaded";
  if (building_blocks)
    out += " (" + with_commas(building_blocks) + " building block" +
           (building_blocks == 1 ? ")" : "s)");
  if (skipped_files) {
    std::vector<std::pair<std::size_t, std::string>> by;
    for (const auto& [reason, n] : skipped)
      by.emplace_back(n, reason);
    std::stable_sort(by.begin(), by.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    out += "; " + with_commas(skipped_files) + " skipped:";
    for (std::size_t i = 0; i < by.size(); ++i) {
      out += (i ? ", " : " ") + with_commas(by[i].first) + " " + by[i].second;
      auto types = skipped_types.find(by[i].second);
      if (types == skipped_types.end()) continue;
      std::vector<std::pair<std::size_t, std::string>> t;
      for (const auto& [type, n] : types->second)
        if (type != by[i].second) t.emplace_back(n, type);
      if (t.empty()) continue;
      std::stable_sort(t.begin(), t.end(),
                       [](const auto& a, const auto& b) { return a.first > b.first; });
      out += " (";
      for (std::size_t j = 0; j < t.size(); ++j)
        out += (j ? ", " : "") + with_commas(t[j].first) + " " + t[j].second;
      out += ")";
    }
  }
  if (!errors.empty())
    out += "; " + with_commas(errors.size()) + " file" + (errors.size() == 1 ? "" : "s") +
           " with errors";
  return out;
}

bool load_rule_file(const std::string& path, Rule& out, LoadError& error) {
  std::string text, why;
  if (!read_text(path, text, why)) {
    out = Rule{};
    error = LoadError{};
    error.path = out.path = path;
    error.message = "cannot read the rule file: " + why;
    return false;
  }
  // A rule in another language is only counted: its language and type, read without parsing
  // the file when it says them plainly (toml_skim.hpp).
  if (std::string language, type;
      ends_with(path, ".toml") && skim_rule_kind(text, language, type) && language != "eql") {
    out = Rule{};
    error = LoadError{};
    error.path = out.path = path;
    out.language = std::move(language);
    out.type = std::move(type);
    return true;
  }
  return load_rule_text(path, std::move(text), out, error);
}

bool load_rule_text(const std::string& path, std::string text, Rule& out, LoadError& error) {
  out = Rule{};
  error = LoadError{};
  error.path = out.path = path;
  if (ends_with(path, ".toml")) {
#ifdef EQLITE_HAVE_TOML
    return load_toml(path, text, out, error);
#else
    error.message = "this eqlite was built without TOML support (libtomlplusplus-dev)";
    return false;
#endif
  }
  out.id = out.name = stem(path);
  out.language = out.type = "eql";
  out.query = std::move(text);
  return true;
}

PackLoad load_rules(const std::vector<std::string>& paths, const LoadOptions& options) {
  PackLoad load;
  std::vector<std::pair<std::string, bool>> files;  // and whether it was named on its own
  for (const auto& p : paths) {
    std::error_code ec;
    if (!std::filesystem::is_directory(p, ec)) {
      files.emplace_back(p, true);
      continue;
    }
    ++load.folders;
    std::vector<std::string> found;
    auto it = std::filesystem::recursive_directory_iterator(
        p, std::filesystem::directory_options::skip_permission_denied, ec);
    if (ec) {
      load.errors.push_back({p, 0, 0, "cannot read the folder: " + ec.message(), ""});
      continue;
    }
    bool unreadable = false;
    for (; it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (ec) {
        load.errors.push_back({p, 0, 0, "cannot read the folder: " + ec.message(), ""});
        unreadable = true;
        break;
      }
      const auto& path = it->path();
      const auto ext = path.extension().string();
      std::error_code file_ec;  // a file that cannot be asked about is not a rule file
      if ((ext == ".eql" || ext == ".toml") && it->is_regular_file(file_ec))
        found.push_back(path.string());
    }
    if (ec && !unreadable) {  // the last increment failed
      load.errors.push_back({p, 0, 0, "cannot read the folder: " + ec.message(), ""});
      unreadable = true;
    }
    std::sort(found.begin(), found.end());
    if (found.empty() && !unreadable)
      load.errors.push_back({p, 0, 0, "no rule files (*.eql, *.toml) in this folder", ""});
    for (auto& f : found)
      files.emplace_back(std::move(f), false);
  }
  // Read and parse the files on every core (toml++ parses each whole), then take them in
  // path order: the same rules, errors and counts as one by one.
  struct Parsed {
    Rule rule;
    LoadError error;
    bool ok = false;
  };
  std::vector<Parsed> parsed(files.size());
  parallel_for(files.size(), options.threads, [&](std::size_t i) {
    parsed[i].ok = load_rule_file(files[i].first, parsed[i].rule, parsed[i].error);
  });
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& [f, named] = files[i];
    Rule& r = parsed[i].rule;
    if (!parsed[i].ok) {
      load.errors.push_back(std::move(parsed[i].error));
      continue;
    }
    if (r.language != "eql" && named) {  // asked for by name: an error, not a skip
      const std::string what = r.language.empty() ? r.type : r.language + ", " + r.type;
      load.errors.push_back({f, 0, 0, "not an EQL rule (" + what + "): not run", ""});
      continue;
    }
    if (r.language != "eql") {
      ++load.skipped_files;
      const std::string why =
          r.language.empty() ? (r.type.empty() ? "without a query" : r.type) : r.language;
      ++load.skipped[why];
      if (!r.type.empty()) ++load.skipped_types[why][r.type];
      continue;
    }
    if (r.deprecated() && !options.include_deprecated && !named) {
      ++load.skipped_files;
      ++load.skipped["deprecated eql"];
      continue;
    }
    if (r.building_block()) ++load.building_blocks;
    load.rules.push_back(std::move(r));
  }
  return load;
}

void map_to_file(const Rule& rule, std::size_t query_offset, std::uint32_t& line,
                 std::uint32_t& column) {
  if (rule.query_anchors.empty()) {
    const auto loc = eqlite::SourceLocation::at(rule.query, query_offset);
    line = loc.line;
    column = loc.column;
    return;
  }
  auto it = std::upper_bound(rule.query_anchors.begin(), rule.query_anchors.end(), query_offset,
                             [](std::size_t off, const QueryAnchor& a) { return off < a.offset; });
  if (it != rule.query_anchors.begin()) --it;
  line = it->line;
  column = it->column + static_cast<std::uint32_t>(query_offset - it->offset);
}

std::string excerpt(const Rule& rule, std::size_t query_offset) {
  std::uint32_t line = 0, column = 0;
  map_to_file(rule, query_offset, line, column);
  // An .eql file is its query; a TOML rule keeps the lines its query spans.
  const bool own = rule.query_anchors.empty();
  const std::string_view text = own ? std::string_view(rule.query) : rule.query_file_lines;
  const std::uint32_t first = own ? 1 : rule.query_line;
  if (line < first || column == 0) return "";
  std::size_t begin = 0;
  for (std::uint32_t l = first; l < line; ++l) {
    begin = text.find('\n', begin);
    if (begin == std::string_view::npos) return "";
    ++begin;
  }
  std::size_t end = text.find('\n', begin);
  if (end == std::string_view::npos) end = text.size();
  std::string_view shown = text.substr(begin, end - begin);
  if (!shown.empty() && shown.back() == '\r') shown.remove_suffix(1);
  std::string out(shown);
  out += '\n';
  // One space per code point before the column (the line's tabs kept), as Error::format.
  for (std::size_t i = 0; i + 1 < column && i < shown.size(); ++i) {
    const auto c = static_cast<unsigned char>(shown[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
  }
  return out + "^";
}

LoadError compile_error(const Rule& rule, const eqlite::Error& e) {
  LoadError out;
  out.path = rule.path;
  out.message = e.message;
  if (e.where.line == 0) return out;
  map_to_file(rule, e.where.offset, out.line, out.column);
  out.excerpt = excerpt(rule, e.where.offset);
  return out;
}

std::uint32_t toml_byte_column(std::string_view text, std::uint32_t line, std::uint32_t column) {
  return byte_column(text, offset_of(text, line, column));
}

}  // namespace pack
