// pack/toml_skim.cpp — see toml_skim.hpp. A line-by-line reading of TOML's layout: table
// headers, `key = value` lines, and the brackets, strings and multi-line strings of values
// (so that a line inside an array, an inline table or a string is not taken for a header or
// a key). Anything it does not follow makes it give up, not guess.
#include "pack/toml_skim.hpp"

#include <cctype>

namespace pack {

namespace {

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  return s;
}

// Only whitespace or a comment.
bool nothing_more(std::string_view s) {
  s = trim_left(s);
  return s.empty() || s.front() == '#';
}

bool bare_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

// The index after the delimiter that closes a multi-line string in `s`, or npos. In a basic
// string (`"""`) a backslash escapes the next character.
std::size_t close_of(std::string_view s, std::string_view delim) {
  for (std::size_t i = 0; i + delim.size() <= s.size(); ++i) {
    if (delim[0] == '"' && s[i] == '\\') {
      ++i;
      continue;
    }
    if (s.substr(i, delim.size()) == delim) return i + delim.size();
  }
  return std::string_view::npos;
}

// A one-line string value `"..."` without escapes or `'...'`, followed by nothing but a comment.
bool plain_string(std::string_view v, std::string& out) {
  if (v.size() < 2 || (v[0] != '"' && v[0] != '\'')) return false;
  const std::size_t end = v.find(v[0], 1);
  if (end == std::string_view::npos) return false;
  const std::string_view body = v.substr(1, end - 1);
  if (v[0] == '"' && body.find('\\') != std::string_view::npos) return false;
  if (!nothing_more(v.substr(end + 1))) return false;
  out.assign(body);
  return true;
}

struct Skimmer {
  int depth = 0;          // unclosed `[` and `{` of the value being read
  std::string_view open;  // the delimiter of the multi-line string being read, or empty

  // Reads (part of) a value's text: strings, brackets, a comment. False when lost.
  bool value(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '#') return true;
      if (c == '"' || c == '\'') {
        const std::string_view delim = s.substr(i, 3);
        if (delim == "'''" || delim == "\"\"\"") {
          const std::size_t end = close_of(s.substr(i + 3), delim);
          if (end == std::string_view::npos) {
            open = delim;
            return true;
          }
          i += 3 + end;
          if (i < s.size() && s[i] == c) return false;  // `''''`: quotes by the delimiter
          continue;
        }
        std::size_t j = i + 1;
        while (j < s.size() && s[j] != c)
          j += c == '"' && s[j] == '\\' ? 2 : 1;
        if (j >= s.size()) return false;  // a string not closed on its line
        i = j + 1;
        continue;
      }
      if (c == '[' || c == '{') ++depth;
      if (c == ']' || c == '}') {
        if (depth == 0) return false;
        --depth;
      }
      ++i;
    }
    return true;
  }
};

}  // namespace

bool skim_rule_kind(std::string_view toml, std::string& language, std::string& type) {
  bool in_rule = false, at_top = true, have_language = false, have_type = false;
  Skimmer sk;
  while (!toml.empty()) {
    const std::size_t nl = toml.find('\n');
    std::string_view line = toml.substr(0, nl);
    toml.remove_prefix(nl == std::string_view::npos ? toml.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!sk.open.empty()) {  // inside a multi-line string
      const std::size_t end = close_of(line, sk.open);
      if (end == std::string_view::npos) continue;
      const char quote = sk.open[0];
      sk.open = {};
      if (end < line.size() && line[end] == quote) return false;  // `''''`
      if (!sk.value(line.substr(end))) return false;
      continue;
    }
    if (sk.depth > 0) {  // inside an array or inline table
      if (!sk.value(line)) return false;
      continue;
    }
    line = trim_left(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {  // a table header: [rule], [metadata], [[rule.threat]], ...
      const std::size_t end = line.find(']');
      if (end == std::string_view::npos) return false;
      const std::size_t after = line.substr(end, 2) == "]]" ? end + 2 : end + 1;
      if (!nothing_more(line.substr(after))) return false;
      in_rule = line.substr(0, after) == "[rule]";
      at_top = false;
      continue;
    }
    // key = value; a quoted or dotted key may name the rule's keys: unsure in [rule] and at
    // the top, harmless in other tables
    std::size_t k = 0;
    while (k < line.size() && bare_key_char(line[k]))
      ++k;
    std::string_view key = line.substr(0, k);
    std::string_view rest = trim_left(line.substr(k));
    if (key.empty() || rest.empty() || rest.front() != '=') {
      if (in_rule || at_top) return false;
      const std::size_t eq = line.find('=');
      if (eq == std::string_view::npos) return false;
      key = {};
      rest = line.substr(eq);
    }
    const std::string_view value = trim_left(rest.substr(1));
    if (at_top && key == "rule") return false;  // rule = { ... }
    if (in_rule && (key == "language" || key == "type")) {
      bool& have = key == "language" ? have_language : have_type;
      if (have || !plain_string(value, key == "language" ? language : type)) return false;
      have = true;
      continue;
    }
    if (!sk.value(value)) return false;
  }
  return sk.open.empty() && sk.depth == 0 && have_language && have_type;
}

}  // namespace pack
