// eval/nibble_filter.cpp — NibbleFilter's tables (its scan: nibble_filter_scan.hpp).
#include "eval/nibble_filter.hpp"

#include <algorithm>
#include <cstring>

#include "eval/value_ops.hpp"

namespace eqlite::internal {

// The filter's tables: literals sorted by their first `width` bytes, each run of literals with
// the same start in one bucket, the runs spread over the buckets in order (neighbours in the
// order share leading nibbles: fewer false candidates).
void NibbleFilter::build(const std::vector<std::string>& literals,
                         const std::vector<bool>& caseless_in) {
  fold_text = std::find(caseless_in.begin(), caseless_in.end(), true) != caseless_in.end();
  std::vector<std::string> keys(literals.size());  // the bytes the filter compares
  std::size_t longest = 0;
  for (std::size_t i = 0; i < literals.size(); ++i) {
    if (fold_text)
      fold_ascii(literals[i], keys[i]);
    else
      keys[i] = literals[i];
    longest = std::max(longest, literals[i].size());
  }
  width = std::clamp<std::size_t>(longest, 1, kWidth);
  const std::size_t w = width;
  std::vector<std::uint32_t> order(literals.size());
  for (std::uint32_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    return keys[x].compare(0, w, keys[y], 0, w) < 0;
  });
  by_bucket.clear();
  caseless.clear();
  ids = order;
  std::vector<std::string> sorted_keys;
  for (const std::uint32_t i : order) {
    by_bucket.push_back(literals[i]);
    caseless.push_back(i < caseless_in.size() && caseless_in[i]);
    sorted_keys.push_back(keys[i]);
  }
  std::vector<std::size_t> run_start;  // index of the first literal of each distinct start
  for (std::size_t i = 0; i < sorted_keys.size(); ++i)
    if (i == 0 || sorted_keys[i].compare(0, w, sorted_keys[i - 1], 0, w) != 0)
      run_start.push_back(i);
  const std::size_t runs = run_start.size();
  std::memset(nibbles, 0, sizeof nibbles);
  std::size_t next = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    bucket[b] = static_cast<std::uint16_t>(next);
    const std::size_t last_run = (b + 1) * runs / kBuckets;  // runs [b*runs/8, (b+1)*runs/8)
    next = last_run < runs ? run_start[last_run] : by_bucket.size();
    for (std::size_t i = bucket[b]; i < next; ++i) {
      const std::string& lit = sorted_keys[i];
      const auto bit = static_cast<unsigned char>(1u << b);
      for (std::size_t k = 0; k < w; ++k) {
        if (k >= lit.size()) {  // past the literal: any byte
          for (unsigned x = 0; x < 16; ++x)
            nibbles[k][0][x] |= bit, nibbles[k][1][x] |= bit;
          continue;
        }
        const auto c = static_cast<unsigned char>(lit[k]);
        nibbles[k][0][c & 15] |= bit;
        nibbles[k][1][c >> 4] |= bit;
      }
    }
  }
  bucket[kBuckets] = static_cast<std::uint16_t>(by_bucket.size());
  ready = false;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();  // idempotent; needed if this runs in a static constructor
  ready = __builtin_cpu_supports("ssse3");
#endif
}

}  // namespace eqlite::internal
