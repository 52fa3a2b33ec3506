// eval/multi_pattern.hpp — MultiPattern: a wildcard list as one literal scan (for PatternSet).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eval/glob.hpp"
#include "eval/literal_scanner.hpp"
#include "eval/value_ops.hpp"

namespace eqlite::internal {

// A wildcard list as one literal scan and a check of the patterns it points to. Every value a
// pattern matches contains the pattern's necessary literal (its longest run without wildcards),
// so one LiteralScanner finds which of the list's literals a value contains (one pass, however
// long the list), and only the patterns of those literals are matched (Glob); patterns without
// a literal (`?*`) always are. One Vectorscan regex database per list is no faster to scan, and
// compiling one takes 14 ms on average (1.9 s for the 139 lists of Elastic's rules, paid by the
// first events that reach them), where a literal database takes 0.5 ms (docs/performance.md). The
// scanner's database is built on first use.
class MultiPattern {
 public:
  // `caseless`: the patterns are ASCII-folded (S5), and are matched against the folded value.
  // Built on first use, like the databases were: a rule set of hundreds of rules should not
  // pay, in time or memory, for the lists no event reaches.
  MultiPattern(std::vector<std::string> patterns, bool caseless)
      : patterns_(std::move(patterns)), caseless_(caseless) {}

  // Whether the literal scan is ready: its Vectorscan database compiles, if it has one
  // (building it now if no value needed it yet). For tests.
  bool ready() const noexcept {
    try {
      built();
    } catch (...) {
      return false;
    }
    return !scanner_ || scanner_->ready();
  }

  // `fold`: scratch.
  bool matches(std::string_view text, std::string& fold) const {
    built();
    thread_local std::vector<std::uint32_t> hits;
    hits.clear();
    if (scanner_) scanner_->scan(text, hits, fold);
    if (hits.empty() && always_.empty()) return false;
    std::string_view t = text;
    if (caseless_) {
      fold_ascii(text, fold);
      t = fold;
    }
    for (const std::uint32_t l : hits)
      for (const std::uint32_t p : by_literal_[l])
        if (globs_[p].matches(t)) return true;
    for (const std::uint32_t p : always_)
      if (globs_[p].matches(t)) return true;
    return false;
  }

 private:
  void built() const {
    std::call_once(once_, [this] { build(); });
  }
  // Into locals first: should an allocation throw, nothing is half built and the next call
  // tries again (call_once).
  void build() const {
    std::vector<Glob> globs;
    std::vector<std::vector<std::uint32_t>> by_literal;
    std::vector<std::uint32_t> always;
    std::vector<std::string> literals;
    std::unordered_map<std::string, std::uint32_t> ids;
    for (std::size_t i = 0; i < patterns_.size(); ++i) {
      globs.emplace_back(patterns_[i]);
      std::string lit = necessary_literal(patterns_[i]);
      const auto p = static_cast<std::uint32_t>(i);
      if (lit.empty()) {
        always.push_back(p);
        continue;
      }
      auto [it, fresh] = ids.emplace(lit, static_cast<std::uint32_t>(literals.size()));
      if (fresh) {
        literals.push_back(std::move(lit));
        by_literal.emplace_back();
      }
      by_literal[it->second].push_back(p);
    }
    if (!literals.empty())
      scanner_ = std::make_unique<LiteralScanner>(std::move(literals), caseless_);
    globs_ = std::move(globs);
    by_literal_ = std::move(by_literal);
    always_ = std::move(always);
  }

  std::vector<std::string> patterns_;
  bool caseless_;
  mutable std::once_flag once_;
  mutable std::vector<Glob> globs_;                             // by pattern
  mutable std::vector<std::vector<std::uint32_t>> by_literal_;  // the patterns of each literal
  mutable std::vector<std::uint32_t> always_;                   // the patterns without a literal
  mutable std::unique_ptr<LiteralScanner> scanner_;  // null when no pattern has a literal
};

}  // namespace eqlite::internal
