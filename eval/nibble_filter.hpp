// eval/nibble_filter.hpp — NibbleFilter: where some of ~64 literals may start, 16 at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eqlite::internal {

/// Finds where some of up to ~64 literals may start in a text, 16 positions at a time (x86
/// with SSSE3; the idea of Hyperscan's "Teddy"): each literal is in one of kBuckets buckets
/// (literals that share their first bytes share a bucket), and nibbles[k][0][x] has bit b when
/// a literal of bucket b has low nibble x at its byte k (k < width), [k][1][x] the same for the
/// high nibble; every nibble past a literal's last byte. A position where some bucket holds for
/// every k is a candidate, to be verified against that bucket's literals.
struct NibbleFilter {
  static constexpr std::size_t kBuckets = 8;
  static constexpr std::size_t kWidth = 3;
  bool ready = false;      // built, and the CPU has SSSE3
  bool fold_text = false;  // some literal is caseless: the filter compares the text folded
  std::size_t width = 1;   // bytes of each literal's start the filter compares (1..kWidth)
  alignas(16) unsigned char nibbles[kWidth][2][16] = {};
  std::vector<std::string> by_bucket;  // bucket b: [bucket[b], bucket[b + 1])
  std::vector<std::uint32_t> ids;      // of by_bucket[i]: its index in build()'s list
  std::vector<char> caseless;          // of by_bucket[i]
  std::uint16_t bucket[kBuckets + 1] = {};
  /// `caseless[i]`: literals[i] is ASCII-folded and matches the text as if folded (S5); the
  /// others match as written.
  void build(const std::vector<std::string>& literals, const std::vector<bool>& caseless);
  /// Calls found(id) for each literal that occurs in `text` (at least 4 bytes; id: its index
  /// in build()'s list), at each position it occurs, until found returns true; then returns
  /// true. Defined in nibble_filter_scan.hpp (included where it is used: pattern_set.cpp,
  /// literal_scanner.cpp).
  template <typename F>
  bool scan(std::string_view text, F&& found) const noexcept;
};

}  // namespace eqlite::internal
