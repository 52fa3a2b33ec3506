// eval/matchers.cpp — see matchers.hpp.
#include "eval/matchers.hpp"

#include <re2/re2.h>

#include "eval/value_ops.hpp"

namespace eqlite::internal {

// ---- ValueSet
// ------------------------------------------------------------------------------------

void ValueSet::add(Value lit) {
  ++count_;
  std::string buf, folded;
  std::string_view text;
  if (lit.is_null()) return;  // a null member matches nothing (Elasticsearch's In ignores it)
  if (ci_) {
    // in~ compares text (S8: on numbers and booleans, their JSON text)
    text_of(lit, buf, text);
    fold_ascii(text, folded);
    strings_.insert(folded);
    return;
  }
  switch (lit.kind()) {
    case ValueKind::String: {
      strings_.emplace(lit.as_string());
      Value n;
      if (parse_number(lit.as_string(), n)) add_number(n);
      if (lit.as_string() == "true") true_ = true;
      if (lit.as_string() == "false") false_ = true;
      break;
    }
    case ValueKind::Int:
    case ValueKind::Double:
      add_number(lit);
      text_of(lit, buf, text);
      strings_.emplace(text);
      break;
    case ValueKind::Bool:
      (lit.as_bool() ? true_ : false_) = true;
      strings_.emplace(lit.as_bool() ? "true" : "false");
      break;
    case ValueKind::Null:
      break;
  }
}

// Numbers compare as compare() does: int with int exactly, otherwise as doubles. So an int
// literal is kept both exactly and as the double it converts to.
void ValueSet::add_number(Value n) {
  if (n.kind() == ValueKind::Int) {
    ints_.insert(n.as_int());
    int_doubles_.insert(static_cast<double>(n.as_int()));
  } else {
    doubles_.insert(n.as_double());
  }
}

bool ValueSet::contains_number(Value v) const noexcept {
  if (v.kind() == ValueKind::Int)
    return ints_.count(v.as_int()) != 0 || doubles_.count(static_cast<double>(v.as_int())) != 0;
  return doubles_.count(v.as_double()) != 0 || int_doubles_.count(v.as_double()) != 0;
}

bool ValueSet::contains(Value v, std::string& buf, std::string& fold) const noexcept {
  if (v.is_null()) return false;  // S2
  try {
    if (ci_) {
      std::string_view text;
      text_of(v, buf, text);
      fold_ascii(text, fold);
      return strings_.find(std::string_view(fold)) != strings_.end();
    }
    switch (v.kind()) {
      case ValueKind::String:
        return strings_.find(v.as_string()) != strings_.end();
      case ValueKind::Int:
      case ValueKind::Double:
        return contains_number(v);
      case ValueKind::Bool:
        return v.as_bool() ? true_ : false_;
      case ValueKind::Null:
        return false;
    }
  } catch (...) {
  }
  return false;
}

// ---- PatternSet
// ----------------------------------------------------------------------------------

namespace {

std::size_t utf8_length(unsigned char lead) noexcept {
  if (lead < 0xC0) return 1;  // ASCII, or a stray continuation byte: one unit
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

constexpr std::size_t kNoMatch = std::string_view::npos;

// Matches `seg` (no '*'; '?' = one code point) at text[i...]; returns the end or kNoMatch.
std::size_t match_segment(std::string_view text, std::size_t i, std::string_view seg) noexcept {
  for (char c : seg) {
    if (i >= text.size()) return kNoMatch;
    if (c == '?') {
      i += std::min(utf8_length(static_cast<unsigned char>(text[i])), text.size() - i);
    } else {
      if (text[i] != c) return kNoMatch;
      ++i;
    }
  }
  return i;
}

bool is_continuation(char c) noexcept {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

bool PatternSet::glob(std::string_view text, std::string_view pat) noexcept {
  std::size_t star = pat.find('*');
  if (star == std::string_view::npos) return match_segment(text, 0, pat) == text.size();
  // The first segment is anchored at the start.
  std::size_t pos = match_segment(text, 0, pat.substr(0, star));
  if (pos == kNoMatch) return false;
  std::string_view rest = pat.substr(star + 1);
  // Middle segments: leftmost match of each (leaves the most room for the rest).
  for (;;) {
    std::size_t next = rest.find('*');
    if (next == std::string_view::npos) break;
    std::string_view seg = rest.substr(0, next);
    rest = rest.substr(next + 1);
    if (seg.empty()) continue;
    std::size_t found = kNoMatch;
    for (std::size_t s = pos; s < text.size(); ++s) {
      if (is_continuation(text[s]) && s != pos) continue;
      std::size_t e = match_segment(text, s, seg);
      if (e != kNoMatch) {
        found = e;
        break;
      }
    }
    if (found == kNoMatch) return false;
    pos = found;
  }
  // The last segment is anchored at the end.
  if (rest.empty()) return true;
  for (std::size_t s = pos; s < text.size(); ++s) {
    if (is_continuation(text[s]) && s != pos) continue;
    if (match_segment(text, s, rest) == text.size()) return true;
  }
  return false;
}

void PatternSet::add(std::string_view pattern) {
  std::string p;
  if (ci_)
    fold_ascii(pattern, p);
  else
    p.assign(pattern);
  all_.push_back(p);
  const std::size_t n = p.size();
  const bool has_q = p.find('?') != std::string::npos;
  const std::size_t stars = static_cast<std::size_t>(std::count(p.begin(), p.end(), '*'));
  if (p.find_first_not_of('*') == std::string::npos && stars > 0) {
    match_all_ = true;  // "*", "**": anything, including ""
  } else if (stars == 0 && !has_q) {
    exact_.insert(p);  // S6: no wildcard means plain equality
  } else if (!has_q && stars == 1 && p[n - 1] == '*') {
    prefixes_.push_back(p.substr(0, n - 1));
  } else if (!has_q && stars == 1 && p[0] == '*') {
    suffixes_.push_back(p.substr(1));
  } else if (!has_q && stars == 2 && p[0] == '*' && p[n - 1] == '*' && n > 2) {
    contains_.push_back(p.substr(1, n - 2));
  } else {
    globs_.push_back(p);
  }
}

bool PatternSet::matches_text(std::string_view t) const noexcept {
  if (match_all_) return true;
  if (!exact_.empty() && exact_.find(t) != exact_.end()) return true;
  for (const auto& s : prefixes_)
    if (t.starts_with(s)) return true;
  for (const auto& s : suffixes_)
    if (t.ends_with(s)) return true;
  for (const auto& s : contains_)
    if (t.find(s) != std::string_view::npos) return true;
  for (const auto& g : globs_)
    if (glob(t, g)) return true;
  return false;
}

bool PatternSet::matches(Value v, std::string& buf, std::string& fold) const noexcept {
  std::string_view text;
  try {
    if (!text_of(v, buf, text)) return false;  // S2: no value never matches
    if (ci_) {
      fold_ascii(text, fold);
      text = fold;
    }
  } catch (...) {
    return false;
  }
  return matches_text(text);
}

// ---- RegexSet
// ------------------------------------------------------------------------------------

namespace {
RE2::Options regex_options() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(true);  // Lucene's '.' matches any character, newlines included
  return o;
}

// S5 for `regex~`: only ASCII letters fold. RE2's case-insensitive mode folds Unicode (É/é,
// K/U+212A), so instead the value is ASCII-lowered at match time and so are the pattern's
// literal letters here. Escapes (\D, \W, \p{Lu}, \x{..}), POSIX class names ([:upper:]) and
// group flags or names ((?i), (?P<Name>...)) are kept as written.
std::string fold_pattern(const std::string& p) {
  std::string out;
  out.reserve(p.size());
  const std::size_t n = p.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < n) {
      out += c;
      out += p[++i];
      if ((p[i] == 'p' || p[i] == 'P' || p[i] == 'x') && i + 1 < n && p[i + 1] == '{') {
        const std::size_t close = p.find('}', i);
        const std::size_t end = close == std::string::npos ? n : close + 1;
        out.append(p, i + 1, end - i - 1);
        i = end - 1;
      }
      continue;
    }
    if (c == '[' && i + 1 < n && p[i + 1] == ':') {
      const std::size_t close = p.find(":]", i + 2);
      if (close != std::string::npos) {
        out.append(p, i, close + 2 - i);
        i = close + 1;
        continue;
      }
    }
    if (c == '(' && i + 1 < n && p[i + 1] == '?') {
      const std::size_t end = p.find_first_of(":)>", i + 2);
      const std::size_t stop = end == std::string::npos ? n : end + 1;
      out.append(p, i, stop - i);
      i = stop - 1;
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return out;
}
}  // namespace

bool RegexSet::build(const std::vector<std::string>& patterns, bool ci, std::size_t& bad_index,
                     std::string& error) {
  ci_ = ci;
  const RE2::Options opts = regex_options();
  pattern_.clear();
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    RE2 one(patterns[i], opts);
    if (!one.ok()) {
      bad_index = i;
      error = one.error();
      return false;
    }
    if (i) pattern_ += '|';
    pattern_ += "(?:" + (ci ? fold_pattern(patterns[i]) : patterns[i]) + ")";
  }
  auto re = std::make_shared<const RE2>(pattern_, opts);
  if (!re->ok()) {
    bad_index = 0;
    error = re->error();
    return false;
  }
  re_ = std::move(re);
  return true;
}

bool RegexSet::matches(Value v, std::string& buf, std::string& fold) const noexcept {
  std::string_view text;
  try {
    if (!text_of(v, buf, text)) return false;
    if (ci_) {
      fold_ascii(text, fold);
      text = fold;
    }
  } catch (...) {
    return false;
  }
  return RE2::FullMatch(text, *re_);
}

}  // namespace eqlite::internal
