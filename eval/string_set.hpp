// eval/string_set.hpp — StringSet: the hashed set of strings behind `in` and exact patterns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "eval/bytes.hpp"

namespace eqlite::internal {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return static_cast<std::size_t>(hash_string(s));
  }
};
/// A set of strings for the VM's lookups: open addressing over a power-of-two table of
/// indexes, the full hash kept to skip most comparisons, one cheap hash per lookup.
class StringSet {
 public:
  static constexpr std::uint32_t npos = 0xFFFFFFFF;
  /// Adds `s` unless present; returns its index (strings are numbered in insertion order).
  std::uint32_t insert(std::string s);
  /// The index of `s`, or npos.
  std::uint32_t find(std::string_view s) const noexcept {
    if (!edges_.empty()) return find_by_edges<false>(s);
    if (slots_.empty()) return npos;
    const std::uint64_t h = hash_string(s);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.index == 0) return npos;
      if (slot.hash == h && slot.size == s.size() &&
          same_bytes(strings_[slot.index - 1].data(), s.data(), s.size()))
        return slot.index - 1;
    }
  }
  bool contains(std::string_view s) const noexcept { return find(s) != npos; }
  /// find(fold_ascii(s)) without the folded copy, for a set of ASCII-folded strings.
  std::uint32_t find_folded(std::string_view s) const noexcept {
    if (!edges_.empty()) return find_by_edges<true>(s);
    if (slots_.empty()) return npos;
    const std::uint64_t h = hash_string<true>(s);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.index == 0) return npos;
      if (slot.hash == h && slot.size == s.size() &&
          same_bytes<true>(strings_[slot.index - 1].data(), s.data(), s.size()))
        return slot.index - 1;
    }
  }
  bool empty() const noexcept { return strings_.empty(); }
  std::size_t size() const noexcept { return strings_.size(); }
  /// The string of index `i` (< size()).
  const std::string& at(std::uint32_t i) const noexcept { return strings_[i]; }
  /// Whether lookups use the table without collisions (small sets). For tests.
  bool by_edges() const noexcept { return !edges_.empty(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t index = 0;  // into strings_, + 1; 0: empty
    std::uint32_t size = 0;   // of the string (most probes stop at the hash or here)
  };
  std::vector<std::string> strings_;
  std::vector<Slot> slots_;
  void place(std::uint32_t index);

  // Sets of up to kEdgesMax strings also get a table without collisions, indexed by one
  // multiply of a string's edge words (edge_words) and its size: a lookup is one slot, no
  // probing, instead of a hash chained over every word of the value. Built by insert() when
  // some multiplier of a few hundred tried separates every string; else (or beyond kEdgesMax)
  // edges_ stays empty. An insert keeps the table when the new string's slot is free and the
  // table stays at most half full (searching a multiplier anew on every insert was 6% of the
  // time to compile Elastic's rules).
  static constexpr std::size_t kEdgesMax = 32;
  struct EdgeSlot {
    std::uint64_t head = 0, tail = 0;
    std::uint32_t size = 0xFFFFFFFF;  // an empty slot: no string is this long
    std::uint32_t index = 0;
  };
  std::vector<EdgeSlot> edges_;
  std::uint64_t edge_mult_ = 0;
  unsigned edge_shift_ = 0;
  bool edges_never_ = false;  // two strings have the same edge key: no multiplier separates them
  static std::uint64_t edge_key(std::uint64_t head, std::uint64_t tail, std::size_t n) noexcept {
    return head ^ ((tail << 29) | (tail >> 35)) ^ (std::uint64_t{n} << 56) ^ n;
  }
  void build_edges();
  template <bool kFold>
  std::uint32_t find_by_edges(std::string_view s) const noexcept {
    std::uint64_t head, tail;
    edge_words<kFold>(s, head, tail);
    const EdgeSlot& e = edges_[(edge_key(head, tail, s.size()) * edge_mult_) >> edge_shift_];
    if (e.head == head && e.tail == tail && e.size == s.size() &&
        (s.size() <= 16 ||
         same_bytes<kFold>(strings_[e.index].data() + 8, s.data() + 8, s.size() - 16)))
      return e.index;
    return npos;
  }
};

}  // namespace eqlite::internal
