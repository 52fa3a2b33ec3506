// cli/summary.cpp — eqlite match --summary (cli/summary.hpp).
#include "cli/summary.hpp"

#include <algorithm>
#include <cstdio>

namespace cli {

// --summary: the rules with hits (or excepted hits), most hits first, then the rules that
// did not compile; on stderr.
void print_summary(const std::vector<std::string>& names,
                   const std::vector<const pack::Rule*>& metas,
                   const std::vector<std::string>& failed_rules,
                   const std::vector<std::uint64_t>& hits,
                   const std::vector<std::uint64_t>& excepted, std::uint64_t lines) {
  std::vector<std::size_t> order;
  for (std::size_t r = 0; r < hits.size(); ++r)
    if (hits[r] > 0 || excepted[r] > 0) order.push_back(r);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return hits[a] != hits[b] ? hits[a] > hits[b] : excepted[a] > excepted[b];
  });
  std::fprintf(stderr, "eqlite: summary: %zu rule%s over %llu lines\n", hits.size(),
               hits.size() == 1 ? "" : "s", static_cast<unsigned long long>(lines));
  std::fprintf(stderr, "%10s %9s  %-8s  %s\n", "hits", "excepted", "severity", "rule");
  for (std::size_t r : order) {
    const pack::Rule* meta = r < metas.size() ? metas[r] : nullptr;
    std::fprintf(stderr, "%10llu %9llu  %-8s  %s%s\n", static_cast<unsigned long long>(hits[r]),
                 static_cast<unsigned long long>(excepted[r]),
                 meta && !meta->severity.empty() ? meta->severity.c_str() : "-", names[r].c_str(),
                 meta && meta->building_block() ? " (building block)" : "");
  }
  for (const auto& name : failed_rules)
    std::fprintf(stderr, "%10s %9s  %-8s  %s (did not compile)\n", "error", "-", "-", name.c_str());
  std::fprintf(stderr, "eqlite: %zu of %zu rules had hits\n", order.size(), hits.size());
}

}  // namespace cli
