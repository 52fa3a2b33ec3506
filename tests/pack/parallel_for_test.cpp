// tests/pack/parallel_for_test.cpp — pack::parallel_for (pack/parallel_for.hpp).
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "pack/parallel_for.hpp"

TEST_CASE("parallel_for runs each index once, on any number of threads", "[parallel]") {
  for (std::size_t threads : {0, 1, 2, 3, 8}) {
    for (std::size_t n : {0, 1, 2, 5, 1000}) {
      INFO("threads " << threads << ", n " << n);
      std::vector<std::atomic<int>> runs(n);
      pack::parallel_for(n, threads, [&](std::size_t i) { ++runs[i]; });
      for (std::size_t i = 0; i < n; ++i)
        CHECK(runs[i] == 1);
    }
  }
}

TEST_CASE("parallel_for rethrows an exception in the caller and stops handing out work",
          "[parallel]") {
  for (std::size_t threads : {1, 4}) {
    std::atomic<std::size_t> ran{0};
    CHECK_THROWS_WITH(pack::parallel_for(100000, threads,
                                         [&](std::size_t i) {
                                           ++ran;
                                           if (i == 10) throw std::runtime_error("index 10");
                                         }),
                      "index 10");
    CHECK(ran < 100000);  // the others stopped at their next index
  }
}
