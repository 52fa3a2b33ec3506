// eval/result_memo.hpp — what a costly matcher (a multi-pattern wildcard list, a regex list)
// answered for a short string, remembered per Vm. Most fields that such lists test repeat a
// few values (`client_app_used`, `process.name`, `event.action`), and a remembered answer
// costs a multiply of the value's first and last 8 bytes and one compare instead of a scan
// (docs/performance.md).
//
// Exact, never approximate: a slot holds the matcher's id and the value's bytes, and answers
// only for the same matcher and the same bytes. A matcher's id is unique for the life of the
// process (next_matcher_id), so a Query destroyed and another built at the same address never
// see each other's answers. Direct-mapped: a new value takes its slot from the old one.
// When values rarely repeat (unique ids, addresses), the memo turns itself off for a while, so
// such a field pays only the counting (count()).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "eval/bytes.hpp"

namespace eqlite::internal {

/// A new id for a matcher whose answers are final (never 0).
std::uint64_t next_matcher_id() noexcept;

class ResultMemo {
 public:
  static constexpr std::size_t kMaxBytes = 46;  // longer values are not remembered
  static constexpr std::size_t kSlots = 512;    // 32 KiB
  // Out of each kWindow lookups, fewer than kMinFound found turn the memo off for the next
  // kOffFor values it would have taken.
  static constexpr std::uint32_t kWindow = 1024, kMinFound = 256, kOffFor = 16384;

  ResultMemo() : slots_(kSlots) {}

  /// matcher(): the answer of matcher `id` (non-zero) for `s`, from the memo when it has it.
  template <typename Matcher>
  bool answer(std::uint64_t id, std::string_view s, Matcher&& matcher) {
    if (s.size() > kMaxBytes || off_ > 0) {
      if (off_ > 0 && off_ != kDisabled) --off_;
      return matcher();
    }
    // The slot from the value's first and last 8 bytes, its size and the matcher (one round
    // of multiplies, not a hash chained over every word: the bytes are compared anyway).
    std::uint64_t head, tail;
    edge_words(s, head, tail);
    const std::uint64_t h = (head * 0x9E3779B97F4A7C15ULL) ^ (tail * 0xC2B2AE3D27D4EB4FULL) ^
                            ((id + s.size()) * 0x165667B19E3779F9ULL);
    Slot& slot = slots_[(h >> 40) & (kSlots - 1)];
    if (slot.hash == h && slot.id == id && slot.size == s.size() &&
        same(slot.bytes, s.data(), s.size())) {
      ++found_;
      count();
      return slot.answer;
    }
    count();
    const bool r = matcher();
    slot.id = id;
    slot.hash = h;
    slot.size = static_cast<std::uint8_t>(s.size());
    slot.answer = r;
    if (!s.empty()) std::memcpy(slot.bytes, s.data(), s.size());  // an empty view may be null
    return r;
  }

  /// Whether the memo is turned off now (for tests).
  bool off() const noexcept { return off_ > 0; }
  /// Off for good: every answer from its matcher (VmOptions::remember_answers).
  void disable() noexcept { off_ = kDisabled; }

 private:
  struct alignas(64) Slot {
    std::uint64_t id = 0;  // 0: empty
    std::uint64_t hash = 0;
    std::uint8_t size = 0;
    bool answer = false;
    char bytes[kMaxBytes] = {};
  };
  static_assert(sizeof(Slot) == 64);
  static constexpr std::uint32_t kDisabled = 0xFFFFFFFF;

  // a[0, n) == b[0, n) for n <= kMaxBytes: up to six overlapping words, no loop.
  static bool same(const char* a, const char* b, std::size_t n) noexcept {
    if (n < 8) return same_bytes(a, b, n);
    auto word = [](const char* p) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      return w;
    };
    auto differ = [&](std::size_t at) { return word(a + at) ^ word(b + at); };
    std::uint64_t d = differ(0) | differ(n - 8);
    if (n > 16) {
      d |= differ(8) | differ(n - 16);
      if (n > 32) d |= differ(16) | differ(24);
    }
    return d == 0;
  }

  void count() noexcept {
    if (++lookups_ < kWindow) return;
    if (found_ < kMinFound) off_ = kOffFor;
    lookups_ = found_ = 0;
  }

  std::vector<Slot> slots_;
  std::uint32_t lookups_ = 0, found_ = 0, off_ = 0;
};

}  // namespace eqlite::internal
