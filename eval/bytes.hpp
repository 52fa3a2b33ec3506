// eval/bytes.hpp — byte helpers for short strings on hot paths (set lookups, trie keys): a
// word-at-a-time hash and equality, inline, so that a lookup is not a chain of calls.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace eqlite::internal {

/// Appends code point `cp` (at most 0x10FFFF) to `out` in UTF-8 (the `\\u` escapes of EQL
/// strings and of JSON read by pack/json_tree).
inline void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// ASCII letters of each byte of `w` lowered (S5: bytes >= 0x80 never change).
inline std::uint64_t fold_word(std::uint64_t w) noexcept {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  const std::uint64_t low7 = w & (0x7F * kOnes);
  const std::uint64_t ge_a = low7 + (0x80 - 'A') * kOnes;      // high bit: byte >= 'A'
  const std::uint64_t gt_z = low7 + (0x80 - 'Z' - 1) * kOnes;  // high bit: byte > 'Z'
  return w | ((ge_a & ~gt_z & ~w) & (0x80 * kOnes)) >> 2;
}

/// memcmp(a, b, n) == 0, for short strings: words of 8, then two overlapping words of 4. With
/// kFoldB, `b` is compared as if ASCII-folded (fold_ascii), `a` as it is.
template <bool kFoldB = false>
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  auto f = [](std::uint64_t w) { return kFoldB ? fold_word(w) : w; };
  std::uint64_t x, y;
  for (; n >= 8; n -= 8, a += 8, b += 8) {
    std::memcpy(&x, a, 8);
    std::memcpy(&y, b, 8);
    if (x != f(y)) return false;
  }
  if (n >= 4) {
    std::uint32_t u, v, w, z;
    std::memcpy(&u, a, 4);
    std::memcpy(&v, b, 4);
    std::memcpy(&w, a + n - 4, 4);
    std::memcpy(&z, b + n - 4, 4);
    return ((std::uint64_t{u} << 32) | w) == f((std::uint64_t{v} << 32) | z);
  }
  for (; n > 0; --n)
    if (static_cast<std::uint64_t>(static_cast<unsigned char>(*a++)) !=
        f(static_cast<unsigned char>(*b++)))
      return false;
  return true;
}

/// Two words that hold all of a string of up to 16 bytes (with its size, they tell such
/// strings apart): `head` its first min(size, 8) bytes, `tail` its last 8 when it has more than
/// 8 (overlapping the head below 16), else 0. Longer strings also differ in bytes [8, size - 8).
/// With kFold, the words of fold_ascii(s).
template <bool kFold = false>
inline void edge_words(std::string_view s, std::uint64_t& head, std::uint64_t& tail) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::uint64_t h = 0, t = 0;
  if (n >= 8) {
    std::memcpy(&h, p, 8);
    if (n > 8) std::memcpy(&t, p + n - 8, 8);
  } else if (n >= 4) {  // two overlapping words of 4
    std::uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    h = (std::uint64_t{a} << 32) | b;
  } else if (n > 0) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    h = (std::uint64_t{u[0]} << 16) | (std::uint64_t{u[n / 2]} << 8) | u[n - 1];
  }
  if constexpr (kFold) {
    h = fold_word(h);
    t = fold_word(t);
  }
  head = h;
  tail = t;
}

/// A word-at-a-time hash of a short string (the VM's sets hash every value they look up).
/// With kFold, the hash of fold_ascii(s), without the folded copy.
template <bool kFold = false>
inline std::uint64_t hash_string(std::string_view s) noexcept {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
  auto mix = [&h](std::uint64_t w) {
    if constexpr (kFold) w = fold_word(w);
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
