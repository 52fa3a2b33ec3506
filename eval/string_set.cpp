// eval/string_set.cpp — StringSet's probing table and its table without collisions.
#include "eval/string_set.hpp"

#include <algorithm>

namespace eqlite::internal {

std::uint32_t StringSet::insert(std::string s) {
  if (const std::uint32_t i = find(s); i != npos) return i;
  strings_.push_back(std::move(s));
  if (slots_.size() < 2 * strings_.size()) {  // at most half full
    std::size_t size = 16;
    while (size < 4 * strings_.size())
      size *= 2;
    slots_.assign(size, Slot{});
    for (std::uint32_t i = 0; i < strings_.size(); ++i)
      place(i);
  } else {
    place(static_cast<std::uint32_t>(strings_.size() - 1));
  }
  const auto index = static_cast<std::uint32_t>(strings_.size() - 1);
  if (!edges_.empty() && strings_.size() <= kEdgesMax && edges_.size() >= 2 * strings_.size()) {
    // the table's multiplier may separate this string from the others too (no search then)
    std::uint64_t head, tail;
    edge_words(strings_[index], head, tail);
    EdgeSlot& e =
        edges_[(edge_key(head, tail, strings_[index].size()) * edge_mult_) >> edge_shift_];
    if (e.size == 0xFFFFFFFF) {
      e = {head, tail, static_cast<std::uint32_t>(strings_[index].size()), index};
      return index;
    }
  }
  build_edges();
  return index;
}

void StringSet::build_edges() {
  edges_.clear();
  const std::size_t n = strings_.size();
  if (n == 0 || n > kEdgesMax || edges_never_) return;
  std::vector<std::uint64_t> keys(n), heads(n), tails(n);
  for (std::size_t i = 0; i < n; ++i) {
    edge_words(strings_[i], heads[i], tails[i]);
    keys[i] = edge_key(heads[i], tails[i], strings_[i].size());
  }
  std::vector<std::uint64_t> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    edges_never_ = true;  // and more strings will not change that
    return;
  }
  std::uint64_t seed = 0x2545F4914F6CDD1DULL;
  std::vector<char> used;
  for (unsigned bits = 1; bits <= 12; ++bits) {
    const std::size_t size = std::size_t{1} << bits;
    if (size < 2 * n) continue;  // at most half full
    used.assign(size, 0);
    for (int attempt = 0; attempt < 300; ++attempt) {
      seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
      const std::uint64_t mult = seed | 1;
      std::fill(used.begin(), used.end(), 0);
      bool ok = true;
      for (std::size_t i = 0; i < n && ok; ++i) {
        const std::size_t at = (keys[i] * mult) >> (64 - bits);
        ok = !used[at];
        used[at] = 1;
      }
      if (!ok) continue;
      edges_.assign(size, EdgeSlot{});
      edge_mult_ = mult;
      edge_shift_ = 64 - bits;
      for (std::size_t i = 0; i < n; ++i)
        edges_[(keys[i] * mult) >> edge_shift_] = {heads[i], tails[i],
                                                   static_cast<std::uint32_t>(strings_[i].size()),
                                                   static_cast<std::uint32_t>(i)};
      return;
    }
    if (size >= 8 * n) return;  // two strings may share their edges (longer than 16 bytes)
  }
}

void StringSet::place(std::uint32_t index) {
  const std::uint64_t h = hash_string(strings_[index]);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i].index != 0)
    i = (i + 1) & mask;
  slots_[i] = {h, index + 1, static_cast<std::uint32_t>(strings_[index].size())};
}

}  // namespace eqlite::internal
