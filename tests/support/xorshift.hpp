// tests/support/xorshift.hpp — the seeded generator of the randomized tests: reproducible from
// its seed on every platform (unlike std::uniform_int_distribution), and small. Test-only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace eqlite::testing {

/// xorshift64: next(n) is a number in [0, n). The seed must not be 0.
struct XorShift {
  std::uint64_t state;
  std::size_t operator()(std::uint64_t n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return static_cast<std::size_t>(state % n);
  }
};

}  // namespace eqlite::testing
