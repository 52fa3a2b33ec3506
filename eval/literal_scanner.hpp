// eval/literal_scanner.hpp — LiteralScanner: which of many literals occur in a text (Vectorscan).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "eval/nibble_filter.hpp"

struct hs_database;  // Vectorscan's (hs.h), private to literal_scanner.cpp

namespace eqlite::internal {

/// Which of many literals occur in a text, for RuleSet's contains anchors. Up to kScanMin - 1
/// literals are searched one by one; more are matched by one Vectorscan literal database
/// (compiled on first use, scanned once per text). Never misses a literal: should the database
/// not compile or a scan not run, the literals are searched one by one.
class LiteralScanner {
 public:
  /// `literals`: non-empty; `caseless[i]`: literal i is ASCII-folded, and a text is matched
  /// against it as if it were folded too (fold_ascii, S5); the others as written.
  LiteralScanner(std::vector<std::string> literals, std::vector<bool> caseless);
  /// All literals caseless, or none.
  LiteralScanner(std::vector<std::string> literals, bool caseless)
      : LiteralScanner(literals, std::vector<bool>(literals.size(), caseless)) {}
  ~LiteralScanner();
  LiteralScanner(const LiteralScanner&) = delete;
  LiteralScanner& operator=(const LiteralScanner&) = delete;

  static constexpr std::size_t kScanMin = 8;
  /// Appends to `hits` the index of every literal that occurs in `text`, each once, in no
  /// particular order. `fold` is scratch (for a few caseless literals searched one by one).
  void scan(std::string_view text, std::vector<std::uint32_t>& hits, std::string& fold) const;
  std::size_t size() const noexcept { return literals_.size(); }
  /// The literal of index `i` (as given).
  const std::string& literal(std::size_t i) const noexcept { return literals_[i]; }
  /// Whether the literals are matched by a Vectorscan database (once one was needed).
  bool multi() const noexcept { return literals_.size() >= kScanMin; }
  /// Whether that database compiles (compiling it now if no text needed it yet); true when
  /// there is none. For tests.
  bool ready() const noexcept;
  /// Whether texts of 4 to kShortText bytes take the nibble filter (x86 with SSSE3). For tests.
  bool short_filter() const noexcept { return short_.ready; }

 private:
  void scan_each(std::string_view text, std::vector<std::uint32_t>& hits, std::string& fold) const;
  void build() const noexcept;
  std::vector<std::string> literals_;
  std::vector<bool> caseless_;
  bool any_caseless_ = false;
  // Texts of 4 to kShortText bytes, when there are at most kShortMax literals: the nibble
  // filter instead of a Vectorscan scan (whose fixed cost dominates on short values).
  static constexpr std::size_t kShortMax = 64;
  static constexpr std::size_t kShortText = 128;
  NibbleFilter short_;
  mutable std::once_flag once_;
  mutable ::hs_database* db_ = nullptr;
};

}  // namespace eqlite::internal
