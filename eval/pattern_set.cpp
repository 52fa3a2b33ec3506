// eval/pattern_set.cpp — PatternSet: wildcard lists, their fast paths, the short-value scan.
#include "eval/pattern_set.hpp"

#include <algorithm>

#include "eval/multi_pattern.hpp"
#include "eval/nibble_filter_scan.hpp"
#include "eval/result_memo.hpp"
#include "eval/value_ops.hpp"

namespace eqlite::internal {

namespace {

// The filter bit of a literal's first two bytes (PatternSet::ShortScan).
unsigned short_pair(unsigned c0, unsigned c1) noexcept {
  return ((c0 << 4) ^ c1) & 0xFFF;
}

}  // namespace

bool PatternSet::glob(std::string_view text, std::string_view pat) noexcept {
  try {
    return Glob(pat).matches(text);
  } catch (...) {
    return false;
  }
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
    globs_.emplace_back(p);
  }
}

bool PatternSet::multi_ready() const noexcept {
  return multi_ && multi_->ready();
}

void PatternSet::finish() {
  std::vector<std::string> starred;  // every pattern with a wildcard
  for (const auto& s : prefixes_)
    starred.push_back(s + "*");
  for (const auto& s : suffixes_)
    starred.push_back("*" + s);
  for (const auto& s : contains_)
    starred.push_back("*" + s + "*");
  for (const auto& g : globs_)
    starred.push_back(g.pattern());
  if (match_all_ || starred.size() < kMultiPatternMin || starred.size() > kMultiPatternMax) return;
  std::size_t bytes = 0;
  for (const auto& p : starred)
    bytes += p.size();
  if (bytes > kMultiPatternMaxBytes) return;  // a hostile list must not stall the first match
  const bool simple = std::none_of(globs_.begin(), globs_.end(), [](const Glob& g) {
    return g.pattern().find('?') == std::string::npos;
  });
  multi_ = std::make_shared<const MultiPattern>(std::move(starred), ci_);
  if (simple && contains_.size() <= ShortScan::kMaxLiterals &&
      prefixes_.size() + suffixes_.size() <= ShortScan::kMaxEnds) {
    auto scan = std::make_shared<ShortScan>();
    scan->literals = contains_;
    std::sort(scan->literals.begin(), scan->literals.end(),
              [](const std::string& a, const std::string& b) {
                return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
              });
    std::size_t i = 0;
    for (unsigned c = 0; c <= 256; ++c) {
      while (i < scan->literals.size() && static_cast<unsigned char>(scan->literals[i][0]) < c)
        ++i;
      scan->first[c] = static_cast<std::uint16_t>(i);
    }
    for (const auto& lit : scan->literals) {  // never empty: `**` matches everything
      const auto c0 = static_cast<unsigned char>(lit[0]);
      if (lit.size() == 1) {
        scan->singles[c0 >> 6] |= std::uint64_t{1} << (c0 & 63);
      } else {
        const unsigned h = short_pair(c0, static_cast<unsigned char>(lit[1]));
        scan->pairs[h >> 6] |= std::uint64_t{1} << (h & 63);
      }
    }
    scan->vector.build(scan->literals, std::vector<bool>(scan->literals.size(), ci_));
    short_ = std::move(scan);
  }
  for (auto& g : globs_)  // multi_ holds them all; short_ needs the `?` ones (simple lists)
    if (g.pattern().find('?') != std::string::npos) db_globs_.push_back(std::move(g));
  globs_.clear();
  kept_prefixes_ = std::move(prefixes_);
  kept_suffixes_ = std::move(suffixes_);
  prefixes_.clear();
  suffixes_.clear();
  contains_.clear();
  set_contains_only();
  memo_id_ = next_matcher_id();  // the answers are final now (ResultMemo)
}

void PatternSet::set_contains_only() noexcept {
  contains_only_ = short_ && short_->vector.ready && !short_->literals.empty() && !match_all_ &&
                   kept_prefixes_.empty() && kept_suffixes_.empty() && globs_.empty() &&
                   db_globs_.empty() && exact_.empty();
}

namespace {
// The literals are folded already (ci); the text is folded as it is read and compared.
// The literals of the scan, byte by byte (prefixes and suffixes: prefix_or_suffix()).
template <bool kCi>
bool scan_short(const PatternSet::ShortScan& s, std::string_view t) noexcept {
  auto same = [](const unsigned char* text, const std::string& lit) {
    return same_bytes<kCi>(lit.data(), reinterpret_cast<const char*>(text), lit.size());
  };
  auto byte = [](unsigned char c) -> unsigned {
    if constexpr (kCi) return c >= 'A' && c <= 'Z' ? c + 32u : c;
    return c;
  };
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  const std::size_t n = t.size();
  if (n == 0) return false;
  unsigned c1 = byte(p[0]);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned c0 = c1;
    if (s.singles[c0 >> 6] & (std::uint64_t{1} << (c0 & 63))) return true;
    if (i + 1 == n) break;
    c1 = byte(p[i + 1]);
    const unsigned h = short_pair(c0, c1);
    if (!(s.pairs[h >> 6] & (std::uint64_t{1} << (h & 63)))) continue;
    for (std::size_t k = s.first[c0]; k < s.first[c0 + 1]; ++k) {
      const std::string& lit = s.literals[k];
      if (lit.size() <= n - i && same(p + i, lit)) return true;
    }
  }
  return false;
}

bool prefix_or_suffix(std::string_view t, bool ci, const std::vector<std::string>& prefixes,
                      const std::vector<std::string>& suffixes) noexcept {
  for (const auto& lit : prefixes)
    if (lit.size() <= t.size() &&
        (ci ? same_bytes<true>(lit.data(), t.data(), lit.size()) : t.starts_with(lit)))
      return true;
  for (const auto& lit : suffixes)
    if (lit.size() <= t.size() &&
        (ci ? same_bytes<true>(lit.data(), t.data() + t.size() - lit.size(), lit.size())
            : t.ends_with(lit)))
      return true;
  return false;
}
}  // namespace

bool PatternSet::ShortScan::matches(std::string_view t, bool ci,
                                    const std::vector<std::string>& prefixes,
                                    const std::vector<std::string>& suffixes) const noexcept {
  if (prefix_or_suffix(t, ci, prefixes, suffixes)) return true;
  if (literals.empty()) return false;
  if (vector.ready && t.size() >= 4) return vector.scan(t, [](std::uint32_t) { return true; });
  return ci ? scan_short<true>(*this, t) : scan_short<false>(*this, t);
}

bool PatternSet::matches_text(std::string_view t) const noexcept {
  if (match_all_) return true;
  if (!exact_.empty() && exact_.contains(t)) return true;
  for (const auto& s : prefixes_)
    if (t.starts_with(s)) return true;
  for (const auto& s : suffixes_)
    if (t.ends_with(s)) return true;
  for (const auto& s : contains_)
    if (t.find(s) != std::string_view::npos) return true;
  for (const auto& g : globs_)
    if (g.matches(t)) return true;
  for (const auto& g : db_globs_)  // (only with short_, for the values it takes)
    if (g.matches(t)) return true;
  return false;
}

bool PatternSet::matches(Value v, std::string& buf, std::string& fold) const noexcept {
  // A list of `*literal*` patterns only (`like~ ("*IMAP*", "*POP3*")`): on a string the nibble
  // filter is the whole answer, without the general path's tests.
  if (contains_only_ && v.kind() == ValueKind::String) {
    const std::string_view t = v.as_string();
    if (t.size() >= 4 && t.size() <= ShortScan::kMaxText)
      return short_->vector.scan(t, [](std::uint32_t) { return true; });
  }
  std::string_view text;
  try {
    if (v.kind() == ValueKind::String)
      text = v.as_string();
    else if (!text_of(v, buf, text))
      return false;  // S2: no value never matches
    // The plain patterns only (S6: equality), folded as they are hashed when ci (S5).
    auto exact = [&] {
      return !exact_.empty() &&
             (ci_ ? exact_.find_folded(text) : exact_.find(text)) != StringSet::npos;
    };
    if (short_ && !match_all_ && text.size() <= ShortScan::kMaxText) {
      if (short_->matches(text, ci_, kept_prefixes_, kept_suffixes_)) return true;
      if (db_globs_.empty()) return exact();  // (globs_ is empty: multi_ holds them)
      if (ci_) {
        fold_ascii(text, fold);
        text = fold;
      }
      return matches_text(text);
    }
    if (multi_ && !match_all_)                        // every pattern with a wildcard is in multi_
      return multi_->matches(text, fold) || exact();  // on the value as it is (folded there if ci)
    if (!match_all_ && prefixes_.empty() && suffixes_.empty() && contains_.empty() &&
        globs_.empty())
      return exact();  // a list of plain patterns (`process.name : ("a.exe", "b.exe")`)
    if (ci_) {
      fold_ascii(text, fold);
      text = fold;
    }
    return matches_text(text);
  } catch (...) {
    return false;
  }
}

}  // namespace eqlite::internal
