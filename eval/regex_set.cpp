// eval/regex_set.cpp — RegexSet: a regex list as one RE2 alternation, and its prefilters.
#include "eval/regex_set.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <limits>

#include "eval/regex_options.hpp"
#include "eval/result_memo.hpp"
#include "eval/value_ops.hpp"

namespace eqlite::internal {

RE2::Options regex_options(std::size_t max_memory) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(static_cast<std::int64_t>(max_memory));
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
      if ((p[i] == 'p' || p[i] == 'P') && i + 1 < n && p[i + 1] != '{') {
        out += p[++i];  // \pL: a one-letter class name, kept as written
        continue;
      }
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

bool RegexSet::build(const std::vector<std::string>& patterns, bool ci, std::size_t max_memory,
                     std::size_t& bad_index, std::string& error, bool& too_large) {
  ci_ = ci;
  too_large = false;
  const RE2::Options opts = regex_options(max_memory);
  pattern_.clear();
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    RE2 one(patterns[i], opts);
    if (!one.ok()) {
      bad_index = i;
      error = one.error();
      too_large = one.error_code() == RE2::ErrorPatternTooLarge;
      return false;
    }
    if (i) pattern_ += '|';
    pattern_ += "(?:" + (ci ? fold_pattern(patterns[i]) : patterns[i]) + ")";
  }
  auto re = std::make_shared<const RE2>(pattern_, opts);
  if (!re->ok()) {
    bad_index = 0;
    error = re->error();
    too_large = re->error_code() == RE2::ErrorPatternTooLarge;
    return false;
  }
  re_ = std::move(re);
  needles_ = regex_necessary_literals(patterns, ci, max_memory);
  lengths_ = {std::numeric_limits<std::size_t>::max(), 0};
  for (const auto& p : patterns) {
    const auto b = regex_length_bounds(ci ? fold_pattern(p) : p);
    if (!b) {
      lengths_ = {};  // any length
      break;
    }
    lengths_.min = std::min(lengths_.min, b->min);
    lengths_.max = std::max(lengths_.max, b->max);
  }
  // The prefilter pays when it is a few searches; the anchors of a rule set use all of them.
  prefilter_ = !needles_.empty() && needles_.size() <= kMaxPrefilter;
  memo_id_ = next_matcher_id();
  return true;
}

bool RegexSet::matches(Value v, std::string& buf, std::string& fold) const noexcept {
  std::string_view text;
  try {
    if (!text_of(v, buf, text)) return false;
    if (text.size() < lengths_.min || text.size() > lengths_.max) return false;
    if (ci_ || prefilter_) fold_ascii(text, fold);
    if (ci_) text = fold;
  } catch (...) {
    return false;
  }
  if (prefilter_) {  // the literals are folded: searched in the folded value
    const std::string_view folded = fold;
    bool any = false;
    for (const auto& n : needles_)
      if ((any = folded.find(n) != std::string_view::npos)) break;
    if (!any) return false;
  }
  return RE2::FullMatch(text, *re_);
}

}  // namespace eqlite::internal
