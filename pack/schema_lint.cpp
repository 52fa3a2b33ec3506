// pack/schema_lint.cpp — a rule against a schema (pack/schema_lint.hpp, docs/schema-lint.md).
//
// Every decision follows what Elasticsearch does with the field's mapping type; the evidence
// for each is in docs/schema-lint.md. What eqlite itself does is semantics.md S6/S8.
#include "pack/schema_lint.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>

namespace pack {

namespace {

using Op = eqlite::FieldUse::Op;
using Kind = eqlite::LiteralUse::Kind;

const char* op_text(Op op) {
  switch (op) {
    case Op::Eq:
      return "==";
    case Op::Ne:
      return "!=";
    case Op::Lt:
      return "<";
    case Op::Le:
      return "<=";
    case Op::Gt:
      return ">";
    case Op::Ge:
      return ">=";
    case Op::In:
      return "in";
    case Op::InCi:
      return "in~";
    case Op::Seq:
      return ":";
    case Op::Like:
      return "like";
    case Op::LikeCi:
      return "like~";
    case Op::Regex:
      return "regex";
    case Op::RegexCi:
      return "regex~";
    default:
      return "";
  }
}

bool is_number_text(std::string_view s) {
  if (s.empty()) return false;
  double d = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && p == s.data() + s.size();
}

bool is_ip(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool is_cidr(const std::string& s) {
  const auto slash = s.find('/');
  if (slash == std::string::npos || !is_ip(s.substr(0, slash))) return false;
  const std::string bits = s.substr(slash + 1);
  return !bits.empty() && bits.size() <= 3 &&
         std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool has_wildcard(std::string_view s) {
  return s.find_first_of("*?") != std::string_view::npos;
}

// "10.*" / "192.168.*" → the CIDR block of those leading octets; empty when it is not one.
std::string ipv4_prefix_block(const std::string& pattern) {
  if (pattern.size() < 3 || !pattern.ends_with(".*")) return "";
  const std::string head = pattern.substr(0, pattern.size() - 2);
  std::string block;
  int octets = 0;
  std::size_t b = 0;
  while (b <= head.size()) {
    std::size_t e = head.find('.', b);
    if (e == std::string::npos) e = head.size();
    const std::string part = head.substr(b, e - b);
    int v = -1;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
    if (part.empty() || part.size() > 3 || ec != std::errc() || p != part.data() + part.size() ||
        v > 255)
      return "";
    block += (octets ? "." : "") + part;
    ++octets;
    b = e + 1;
  }
  if (octets > 3) return "";
  for (int i = octets; i < 4; ++i)
    block += ".0";
  return block + "/" + std::to_string(8 * octets);
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string literal_list(const std::vector<eqlite::LiteralUse>& ls, bool as_strings) {
  std::string out;
  for (std::size_t i = 0; i < ls.size(); ++i) {
    if (i) out += ", ";
    out += as_strings || ls[i].kind == Kind::String ? quoted(ls[i].text) : ls[i].text;
  }
  return out;
}

bool string_function(std::string_view name) {
  static const char* const kNames[] = {"startswith", "endswith", "stringcontains", "indexof",
                                       "length",     "between",  "substring",      "number"};
  std::string lower(name);
  for (auto& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(std::begin(kNames), std::end(kNames), lower) != std::end(kNames);
}

bool math_function(std::string_view name) {
  static const char* const kNames[] = {"add", "subtract", "multiply", "divide", "modulo"};
  std::string lower(name);
  for (auto& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::find(std::begin(kNames), std::end(kNames), lower) != std::end(kNames);
}

bool numeric(TypeFamily f) {
  return f == TypeFamily::Integer || f == TypeFamily::Float;
}

// Families on which Elasticsearch's string operators (`:`, like, regex, in~, string
// functions) are rejected: they are not keyword-family fields.
bool not_string(TypeFamily f) {
  return numeric(f) || f == TypeFamily::Ip || f == TypeFamily::Date || f == TypeFamily::Boolean;
}

class Linter {
 public:
  Linter(const eqlite::Query& q, const SchemaSet& schemas, const LintOptions& options)
      : q_(q), schemas_(schemas), options_(options) {}

  std::vector<Finding> run() {
    const auto uses = q_.field_uses();
    std::map<std::string, std::vector<std::string>, std::less<>> literals_of;
    for (const auto& u : uses)
      for (const auto& l : u.literals)
        if (l.kind == Kind::String && u.op != Op::Call) literals_of[u.field].push_back(l.text);
    std::set<std::string, std::less<>> seen;
    // Fields no given schema covers but a built-in one would: schema name → fields, first use.
    std::map<std::string, std::pair<std::vector<std::string>, std::size_t>> uncovered;
    for (const auto& u : uses) {
      const Schema* from = nullptr;
      const SchemaField* def = schemas_.find(u.field, &from);
      if (!def) {
        if (seen.insert(u.field).second) unknown(u, literals_of[u.field], uncovered);
        continue;
      }
      check_types(u, *def, *from);
    }
    for (auto& [schema, fields] : uncovered) {
      Finding f = make(fields.second, Finding::Severity::Note, "not-covered", fields.first[0]);
      const auto n = fields.first.size();
      std::string list;
      for (std::size_t i = 0; i < n && i < 3; ++i)
        list += (i ? ", [" : "[") + fields.first[i] + "]";
      if (n > 3) list += " and " + std::to_string(n - 3) + " more";
      const auto top = fields.first[0].substr(0, fields.first[0].find('.'));
      f.message = std::to_string(n) + (n == 1 ? " field" : " fields") + " under [" + top +
                  ".] not checked (" + list + "): no schema given covers them; --schema " + schema +
                  " does";
      f.suggestion = "--schema " + schema;
      out_.push_back(std::move(f));
    }
    std::stable_sort(out_.begin(), out_.end(),
                     [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
    return std::move(out_);
  }

 private:
  const eqlite::Query& q_;
  const SchemaSet& schemas_;
  const LintOptions& options_;
  std::vector<Finding> out_;

  Finding make(std::size_t offset, Finding::Severity sev, const char* code,
               const std::string& field) const {
    Finding f;
    f.offset = offset;
    const auto loc = eqlite::SourceLocation::at(q_.text(), offset);
    f.line = loc.line;
    f.column = loc.column;
    f.severity = sev;
    f.code = code;
    f.field = field;
    return f;
  }

  void unknown(const eqlite::FieldUse& u, const std::vector<std::string>& literals,
               std::map<std::string, std::pair<std::vector<std::string>, std::size_t>>& uncovered) {
    if (options_.constants.count(u.field)) return;
    const auto covering = schemas_.covering(u.field);
    if (covering.empty()) {
      for (const auto& name : Schema::builtin_names()) {
        if (std::find(options_.builtin_given.begin(), options_.builtin_given.end(), name) !=
            options_.builtin_given.end())
          continue;
        auto s = Schema::builtin(name);
        if (s && s->covers(u.field)) {
          auto& entry = uncovered[name];
          if (entry.first.empty()) entry.second = u.offset;
          entry.first.push_back(u.field);
          break;
        }
      }
      return;
    }
    Finding f = make(u.offset, Finding::Severity::Warning, "unknown-field", u.field);
    std::string mappings, samples;
    std::size_t sample_files = 0, events = 0;
    for (const Schema* s : covering) {
      if (s->kind() == Schema::Kind::Samples) {
        ++sample_files;
        events += s->events;
        samples = s->name();
      } else {
        mappings += (mappings.empty() ? "in " : " nor in ") + s->name();
      }
    }
    if (sample_files > 1) samples = std::to_string(sample_files) + " files";
    if (sample_files)
      samples = "no value in any of the " + std::to_string(events) + " events of " + samples;
    f.message =
        "field [" + u.field + "] " +
        (mappings.empty() ? "has " + samples
                          : "is not " + mappings + (samples.empty() ? "" : " and has " + samples));
    bool close = false;
    const auto suggestions = schemas_.suggest(u.field, literals, 2, &close);
    if (!suggestions.empty()) {
      f.suggestion = suggestions[0];
      if (close) {
        f.message += "; did you mean [" + suggestions[0] + "]?";
      } else {
        f.message += "; fields with similar names: ";
        for (std::size_t i = 0; i < suggestions.size(); ++i)
          f.message += (i ? ", [" : "[") + suggestions[i] + "]";
      }
    }
    out_.push_back(std::move(f));
  }

  static std::string type_desc(const SchemaField& def, const Schema& from) {
    std::string t = "[" + def.type + "] field";
    if (from.kind() == Schema::Kind::Samples) t += " (as " + from.name() + "'s values say)";
    return t;
  }

  void check_types(const eqlite::FieldUse& u, const SchemaField& def, const Schema& from) {
    const TypeFamily fam = def.family();
    const std::string& f = u.field;
    const std::string type = type_desc(def, from);
    switch (u.op) {
      case Op::Seq:
      case Op::InCi:
      case Op::Like:
      case Op::LikeCi:
      case Op::Regex:
      case Op::RegexCi: {
        if (!not_string(fam)) return;
        Finding x = make(u.offset, Finding::Severity::Error, "type-error", f);
        x.message = std::string("[") + op_text(u.op) + "] on the " + type + " [" + f +
                    "]: Elasticsearch rejects the query (first argument of [" + op_text(u.op) +
                    "] must be [string]); eqlite matches the value's JSON text (S8)";
        const bool wild = std::any_of(u.literals.begin(), u.literals.end(),
                                      [](const auto& l) { return has_wildcard(l.text); });
        const bool pattern_op = u.op == Op::Seq || u.op == Op::Like || u.op == Op::LikeCi;
        if (fam == TypeFamily::Ip && pattern_op && wild) {
          std::vector<std::string> blocks;
          for (const auto& l : u.literals) {
            std::string b = has_wildcard(l.text) ? ipv4_prefix_block(l.text) : l.text;
            if (b.empty() || (!is_cidr(b) && !is_ip(b))) {
              blocks.clear();
              break;
            }
            blocks.push_back(quoted(b));
          }
          if (!blocks.empty()) {
            x.suggestion = "cidrMatch(" + f + ", ";
            for (std::size_t i = 0; i < blocks.size(); ++i)
              x.suggestion += (i ? ", " : "") + blocks[i];
            x.suggestion += ")";
          }
        } else if ((u.op == Op::Seq || u.op == Op::InCi) && !wild && numeric(fam) &&
                   std::all_of(u.literals.begin(), u.literals.end(), [](const auto& l) {
                     return l.kind != Kind::String || is_number_text(l.text);
                   })) {
          std::vector<eqlite::LiteralUse> ls = u.literals;
          for (auto& l : ls)
            l.kind = Kind::Integer;
          x.suggestion = ls.size() == 1 ? f + " == " + ls[0].text
                                        : f + " in (" + literal_list(ls, false) + ")";
        } else if (wild && pattern_op) {
          x.suggestion =
              "string(" + f + ") " + op_text(u.op) + " " + literal_list(u.literals, true);
        }
        if (!x.suggestion.empty()) x.message += "; write " + x.suggestion;
        out_.push_back(std::move(x));
        return;
      }
      case Op::In: {
        const bool has_string = std::any_of(u.literals.begin(), u.literals.end(),
                                            [](const auto& l) { return l.kind == Kind::String; });
        const bool has_number = std::any_of(
            u.literals.begin(), u.literals.end(),
            [](const auto& l) { return l.kind == Kind::Integer || l.kind == Kind::Double; });
        std::string found;
        if (not_string(fam) && has_string)
          found = "[keyword] values";
        else if (fam == TypeFamily::String && has_number)
          found = "number values";
        if (found.empty()) return;
        Finding x = make(u.offset, Finding::Severity::Error, "type-error", f);
        x.message = "[in] with " + found + " on the " + type + " [" + f +
                    "]: Elasticsearch rejects the query (every value of [in] must have the "
                    "field's type); eqlite compares them (S8)";
        if (fam == TypeFamily::Ip) {
          x.suggestion = "cidrMatch(" + f + ", " + literal_list(u.literals, true) + ")";
        } else if (numeric(fam) &&
                   std::all_of(u.literals.begin(), u.literals.end(), [](const auto& l) {
                     return l.kind != Kind::String || is_number_text(l.text);
                   })) {
          std::vector<eqlite::LiteralUse> ls = u.literals;
          for (auto& l : ls)
            l.kind = Kind::Integer;
          x.suggestion = f + (u.negated ? " not in (" : " in (") + literal_list(ls, false) + ")";
        } else if (fam == TypeFamily::String) {
          x.suggestion =
              f + (u.negated ? " not in (" : " in (") + literal_list(u.literals, true) + ")";
        }
        if (!x.suggestion.empty()) x.message += "; write " + x.suggestion;
        out_.push_back(std::move(x));
        return;
      }
      case Op::Eq:
      case Op::Ne:
      case Op::Lt:
      case Op::Le:
      case Op::Gt:
      case Op::Ge: {
        if (u.literals.empty()) return;
        const eqlite::LiteralUse& l = u.literals[0];
        const bool eq = u.op == Op::Eq || u.op == Op::Ne;
        const std::string expr =
            f + " " + op_text(u.op) + " " + (l.kind == Kind::String ? quoted(l.text) : l.text);
        if (numeric(fam) && l.kind == Kind::String) {
          if (is_number_text(l.text)) {
            Finding x = make(l.offset, Finding::Severity::Note, "coercion", f);
            x.suggestion = f + " " + op_text(u.op) + " " + l.text;
            x.message = "[" + expr + "] compares the " + type +
                        " with a string: it works only through coercion (Elasticsearch converts "
                        "the string to the field's type; eqlite compares numerically, S8); "
                        "write " +
                        x.suggestion;
            out_.push_back(std::move(x));
          } else {
            Finding x = make(l.offset, Finding::Severity::Warning, "never-true", f);
            x.message = "[" + expr + "] is " +
                        (u.op == Op::Ne ? "true for every value" : "never true") + ": a " + type +
                        " never holds " + quoted(l.text) +
                        " (eqlite: false, S8; Elasticsearch fails the search, the string is "
                        "not a number)";
            out_.push_back(std::move(x));
          }
          return;
        }
        if (fam == TypeFamily::String && def.type != "flattened" &&
            (l.kind == Kind::Integer || l.kind == Kind::Double)) {
          Finding x = make(l.offset, Finding::Severity::Note, "coercion", f);
          x.suggestion = f + " " + op_text(u.op) + " " + quoted(l.text);
          x.message = "[" + expr + "] compares the " + type + " with a number: it works only " +
                      (eq ? "through coercion (Elasticsearch converts the number to the string " +
                                quoted(l.text) + "; eqlite compares the value's text, S8)"
                          : "as a comparison of strings (\"10\" < \"5\"; Elasticsearch and "
                            "eqlite, S8)") +
                      "; write " + x.suggestion;
          out_.push_back(std::move(x));
          return;
        }
        if (fam == TypeFamily::Ip && l.kind == Kind::String && !is_ip(l.text)) {
          Finding x = make(l.offset, Finding::Severity::Warning, "never-true", f);
          const std::string verdict = u.op == Op::Ne ? "true for every value" : "never true";
          if (eq && is_cidr(l.text)) {
            x.suggestion = std::string(u.op == Op::Ne ? "not " : "") + "cidrMatch(" + f + ", " +
                           quoted(l.text) + ")";
            x.message = "[" + expr + "] is " + verdict + " in eqlite, which compares the text " +
                        "(S8); Elasticsearch reads a CIDR block on an [ip] field as a range; " +
                        "write " + x.suggestion;
          } else if (eq && has_wildcard(l.text)) {
            const std::string block = ipv4_prefix_block(l.text);
            x.message = "[" + expr + "] is " + verdict + ": [" + op_text(u.op) +
                        "] takes no wildcards (S6) and an [ip] field holds addresses only " +
                        "(Elasticsearch fails the search)";
            if (!block.empty()) {
              x.suggestion = std::string(u.op == Op::Ne ? "not " : "") + "cidrMatch(" + f + ", " +
                             quoted(block) + ")";
              x.message += "; write " + x.suggestion;
            }
          } else if (eq) {
            x.message = "[" + expr + "] is " + verdict + ": " + quoted(l.text) +
                        " is not an IP address and an [ip] field holds addresses only "
                        "(Elasticsearch fails the search)";
          } else {
            return;  // < on an ip with a non-address: left alone
          }
          out_.push_back(std::move(x));
          return;
        }
        if (fam == TypeFamily::Boolean && l.kind == Kind::String && eq) {
          const bool text_bool = l.text == "true" || l.text == "false";
          Finding x =
              make(l.offset, text_bool ? Finding::Severity::Note : Finding::Severity::Warning,
                   text_bool ? "coercion" : "never-true", f);
          if (text_bool) {
            x.suggestion = f + " " + op_text(u.op) + " " + l.text;
            x.message = "[" + expr + "] compares the " + type +
                        " with a string: it works only through coercion; write " + x.suggestion;
          } else {
            x.message = "[" + expr + "] is " +
                        (u.op == Op::Ne ? "true for every value" : "never true") + ": a " + type +
                        " holds true or false only";
          }
          out_.push_back(std::move(x));
        }
        return;
      }
      case Op::Call: {
        std::string lower(u.function);
        for (auto& c : lower)
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (lower == "cidrmatch" && u.argument == 0 && fam != TypeFamily::Ip &&
            fam != TypeFamily::Object && fam != TypeFamily::Other) {
          Finding x = make(u.offset, Finding::Severity::Error, "type-error", f);
          x.message = "cidrMatch on the " + type + " [" + f +
                      "]: Elasticsearch rejects the query (its first argument must be [ip]); "
                      "eqlite reads the text as an address";
          out_.push_back(std::move(x));
        } else if (string_function(lower) && u.argument == 0 && not_string(fam)) {
          Finding x = make(u.offset, Finding::Severity::Error, "type-error", f);
          x.message = u.function + " on the " + type + " [" + f +
                      "]: Elasticsearch rejects the query (its first argument must be [string]); "
                      "write " +
                      u.function + "(string(" + f + "), ...)";
          x.suggestion = "string(" + f + ")";
          out_.push_back(std::move(x));
        } else if (math_function(lower) && fam == TypeFamily::String) {
          Finding x = make(u.offset, Finding::Severity::Error, "type-error", f);
          x.message = u.function + " on the " + type + " [" + f +
                      "]: Elasticsearch rejects the query (its arguments must be numbers)";
          out_.push_back(std::move(x));
        }
        return;
      }
      default:
        return;
    }
  }
};

}  // namespace

const char* to_string(Finding::Severity s) noexcept {
  switch (s) {
    case Finding::Severity::Error:
      return "error";
    case Finding::Severity::Warning:
      return "warning";
    case Finding::Severity::Note:
      return "note";
  }
  return "note";
}

std::vector<Finding> lint(const eqlite::Query& query, const SchemaSet& schemas,
                          const LintOptions& options) {
  return Linter(query, schemas, options).run();
}

}  // namespace pack
