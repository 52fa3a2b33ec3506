// pack/parallel_for.hpp — runs f(0) ... f(n - 1) on up to `threads` threads (the calling one
// included), each index once, in no particular order. For independent work whose results go
// to slots of a vector: reading and parsing rule files, compiling rules. `threads` 0: every
// core. An exception from f is rethrown in the caller (the first one; the others are dropped).
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace pack {

template <typename F>
void parallel_for(std::size_t n, std::size_t threads, F&& f) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, n);
  if (threads <= 1) {
    for (std::size_t i = 0; i < n; ++i)
      f(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    try {
      for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < n;)
        f(i);
    } catch (...) {
      next.store(n, std::memory_order_relaxed);  // the others stop at their next index
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (std::size_t t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (auto& t : pool)
    t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace pack
