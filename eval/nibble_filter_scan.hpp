// eval/nibble_filter_scan.hpp — NibbleFilter::scan (SSSE3), for the .cpp files that use it.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "eval/bytes.hpp"
#include "eval/nibble_filter.hpp"

namespace eqlite::internal {

#if defined(__x86_64__) || defined(__i386__)
// NibbleFilter::scan, 16 positions at a time (SSSE3; NibbleFilter::ready says the CPU has it):
// the text in 16-byte chunks, folded in the register when fold_text; at each position, for
// each of the literals' first `width` bytes, the byte's two nibbles look up the buckets they
// allow (pshufb), and a position where some bucket holds at every byte is verified against
// that bucket's literals. The chunks are loaded from the text itself (a tail by overlapping
// loads, shifted into place): a copy's stores, reloaded as 16-byte words, would stall
// store-to-load forwarding. Texts of at least 4 bytes.
#define EQLITE_SSSE3 [[gnu::target("ssse3")]]
// A pshufb control: out[j] = in[j < half ? j : j + shift] for j < len, else 0.
EQLITE_SSSE3 [[gnu::always_inline]] inline __m128i tail_control(int half, int shift,
                                                                int len) noexcept {
  const __m128i iota = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m128i upper = _mm_cmpgt_epi8(iota, _mm_set1_epi8(static_cast<char>(half - 1)));
  const __m128i from =
      _mm_add_epi8(iota, _mm_and_si128(upper, _mm_set1_epi8(static_cast<char>(shift))));
  const __m128i past = _mm_cmpgt_epi8(iota, _mm_set1_epi8(static_cast<char>(len - 1)));
  return _mm_or_si128(from, past);  // 0xFF (high bit set) gives 0
}
// Bytes at..at+15 of the text p[0..n) (n >= 4), 0 past its end, folded when ci.
EQLITE_SSSE3 [[gnu::always_inline]] inline __m128i text_chunk(const unsigned char* p, std::size_t n,
                                                              std::size_t at, bool ci) noexcept {
  if (at >= n) return _mm_setzero_si128();
  const std::size_t rest = n - at;
  __m128i v;
  if (rest >= 16) {
    v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
  } else if (n >= 16) {  // the text's last 16 bytes, shifted down
    v = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)),
                         tail_control(0, static_cast<int>(16 - rest), static_cast<int>(rest)));
  } else if (n >= 8) {  // two overlapping words
    std::uint64_t w0, w1;
    std::memcpy(&w0, p, 8);
    std::memcpy(&w1, p + n - 8, 8);
    v = _mm_shuffle_epi8(_mm_set_epi64x(static_cast<long long>(w1), static_cast<long long>(w0)),
                         tail_control(8, static_cast<int>(16 - n), static_cast<int>(n)));
  } else {
    std::uint32_t w0, w1;
    std::memcpy(&w0, p, 4);
    std::memcpy(&w1, p + n - 4, 4);
    v = _mm_shuffle_epi8(_mm_set_epi32(0, 0, static_cast<int>(w1), static_cast<int>(w0)),
                         tail_control(4, static_cast<int>(8 - n), static_cast<int>(n)));
  }
  if (!ci) return v;
  // bytes >= 0x80 are negative: never upper case
  const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                      _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), v));
  return _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
}
// Per position of v: the buckets whose literals allow v's byte there as their byte k.
EQLITE_SSSE3 [[gnu::always_inline]] inline __m128i bucket_hits(const NibbleFilter& s, std::size_t k,
                                                               __m128i v) noexcept {
  const __m128i low = _mm_set1_epi8(0x0F);
  const __m128i lo = _mm_load_si128(reinterpret_cast<const __m128i*>(s.nibbles[k][0]));
  const __m128i hi = _mm_load_si128(reinterpret_cast<const __m128i*>(s.nibbles[k][1]));
  return _mm_and_si128(_mm_shuffle_epi8(lo, _mm_and_si128(v, low)),
                       _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), low)));
}

template <typename F>
EQLITE_SSSE3 bool NibbleFilter::scan(std::string_view t, F&& found) const noexcept {
  const std::size_t n = t.size();
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  const bool ci = fold_text;
  __m128i cur = text_chunk(p, n, 0, ci);
  for (std::size_t at = 0; at < n; at += 16) {
    const __m128i next = text_chunk(p, n, at + 16, ci);
    __m128i hit = bucket_hits(*this, 0, cur);
    if (width > 1) hit = _mm_and_si128(hit, bucket_hits(*this, 1, _mm_alignr_epi8(next, cur, 1)));
    if (width > 2) hit = _mm_and_si128(hit, bucket_hits(*this, 2, _mm_alignr_epi8(next, cur, 2)));
    unsigned mask =
        ~static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(hit, _mm_setzero_si128()))) &
        0xFFFF;
    if (n - at < 16) mask &= (1u << (n - at)) - 1;
    if (mask != 0) {
      alignas(16) unsigned char hits[16];
      _mm_store_si128(reinterpret_cast<__m128i*>(hits), hit);
      for (; mask != 0; mask &= mask - 1) {
        const std::size_t j = static_cast<std::size_t>(__builtin_ctz(mask));
        const std::size_t i = at + j;
        for (unsigned b = hits[j]; b != 0; b &= b - 1) {
          const unsigned k = static_cast<unsigned>(__builtin_ctz(b));
          for (std::size_t l = bucket[k]; l < bucket[k + 1]; ++l) {
            const std::string& lit = by_bucket[l];
            if (lit.size() <= n - i &&
                (caseless[l] ? same_bytes<true>(lit.data(), t.data() + i, lit.size())
                             : same_bytes(lit.data(), t.data() + i, lit.size())) &&
                found(ids[l]))
              return true;
          }
        }
      }
    }
    cur = next;
  }
  return false;
}
#else
template <typename F>
bool NibbleFilter::scan(std::string_view, F&&) const noexcept {
  return false;  // never ready
}
#endif

}  // namespace eqlite::internal
