// cli/explain.hpp — `eqlite match --explain EVENTS`: for each event of a file, what the rule
// set's index did with it — the keys its values met, the rules they point to, the rules other
// conditions ruled out, those that ran and those that matched (docs/cli.md, "--explain").
#pragma once

#include <eqlite/eqlite.hpp>

#include <string>
#include <utility>
#include <vector>

namespace cli {

/// Explains every event of `file` (NDJSON) against `rules`, on standard output; returns the
/// exit status (0, or 2 when the file cannot be read).
int run_explain(const eqlite::RuleSet& rules,
                const std::vector<std::pair<std::string, eqlite::Value>>& constants,
                const eqlite::ReaderOptions& reader, const std::string& file);

}  // namespace cli
