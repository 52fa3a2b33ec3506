// eval/bytes.hpp — byte helpers for short strings on hot paths (set lookups, trie keys): a
// word-at-a-time hash and equality, inline, so that a lookup is not a chain of calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace eqlite::internal {

/// memcmp(a, b, n) == 0, for short strings: words of 8, then two overlapping words of 4.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  std::uint64_t x, y;
  for (; n >= 8; n -= 8, a += 8, b += 8) {
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != y) return false;
  }
  if (n >= 4) {
    std::uint32_t u, v, w, z;
    std::memcpy(&u, a, 4);
    std::memcpy(&v, b, 4);
    std::memcpy(&w, a + n - 4, 4);
    std::memcpy(&z, b + n - 4, 4);
    return u == v && w == z;
  }
  for (; n > 0; --n)
    if (*a++ != *b++) return false;
  return true;
}

/// A word-at-a-time hash of a short string (the VM's sets hash every value they look up).
inline std::uint64_t hash_string(std::string_view s) noexcept {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
  auto mix = [&h](std::uint64_t w) {
    h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  };
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    mix(w);
  }
  if (n >= 4) {  // 4..7 bytes left: two overlapping words of 4
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    mix((std::uint64_t{a} << 32) | b);
  } else if (n > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    mix((std::uint64_t{u[0]} << 16) | (std::uint64_t{u[n / 2]} << 8) | u[n - 1]);
  }
  return h ^ (h >> 29);
}

}  // namespace eqlite::internal
