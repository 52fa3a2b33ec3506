// cli/summary.hpp — `eqlite match --summary`: at the end, on standard error, a table of the
// rules with hits or excepted hits, most hits first (hits, excepted, severity, rule), the
// rules that did not compile, and how many rules had hits (docs/cli.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pack/rule.hpp"

namespace cli {

void print_summary(const std::vector<std::string>& names,
                   const std::vector<const pack::Rule*>& metas,
                   const std::vector<std::string>& failed_rules,
                   const std::vector<std::uint64_t>& hits,
                   const std::vector<std::uint64_t>& excepted, std::uint64_t lines);

}  // namespace cli
