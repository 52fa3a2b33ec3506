// eval/result_memo.cpp — the matcher ids of result_memo.hpp (next_matcher_id).
#include "eval/result_memo.hpp"

#include <atomic>

namespace eqlite::internal {

std::uint64_t next_matcher_id() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace eqlite::internal
