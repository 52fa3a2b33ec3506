// pack/rule_loader.hpp — rules from files and folders: `.eql` files and Elastic's
// detection-rules TOML files (docs/rule-packs.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <eqlite/error.hpp>

#include "pack/rule.hpp"

namespace pack {

/// A problem with one file: `FILE:LINE:COL: message` (line and column 0 when unknown), and for
/// a query that does not compile, the file's line with a caret under the column.
struct LoadError {
  std::string path;
  std::uint32_t line = 0, column = 0;
  std::string message;
  std::string excerpt;  // the line and a caret, or empty
  std::string to_string() const;
};

struct LoadOptions {
  bool include_deprecated = false;  // maturity = "deprecated" rules are left out unless asked
  std::size_t threads = 0;          // files read and parsed on this many threads (0: every core)
};

/// What loading rule files gave: the EQL rules, and what was left out and why.
struct PackLoad {
  std::vector<Rule> rules;                     // EQL rules, in path order
  std::map<std::string, std::size_t> skipped;  // by reason: "kuery", "esql", "machine_learning",
                                               // "deprecated", ... (a count of files each)
  std::map<std::string, std::map<std::string, std::size_t>> skipped_types;  // reason → rule.type
  std::size_t skipped_files = 0;
  std::vector<LoadError> errors;  // broken files (the others still load)
  std::size_t building_blocks = 0;
  std::size_t folders = 0;  // of the paths, how many were folders

  /// "1,024 EQL rules loaded (70 building blocks); 1,168 skipped: 792 kuery (507 query, 245
  /// new_terms, ...), 212 esql, ..." — by language, and within it by rule type where they differ.
  std::string summary() const;
};

/// Reads one rule file (`.eql`, or `.toml` with a [rule] table). A TOML rule of another language
/// comes back with its language set and an empty query; the caller decides.
bool load_rule_file(const std::string& path, Rule& out, LoadError& error);

/// The same for a file's text already read (`path` names it, and its extension says TOML).
bool load_rule_text(const std::string& path, std::string text, Rule& out, LoadError& error);

/// Loads `paths`: each a file, or a folder read recursively for `*.eql` and `*.toml` (sorted by
/// path). In a folder, non-EQL and (unless asked) deprecated rules are counted in `skipped`; a
/// file named on its own is loaded even when deprecated, and is an error when not EQL.
PackLoad load_rules(const std::vector<std::string>& paths, const LoadOptions& options = {});

/// Where a byte offset of `rule.query` is in the rule's file (1-based line and column).
void map_to_file(const Rule& rule, std::size_t query_offset, std::uint32_t& line,
                 std::uint32_t& column);

/// The file's line that holds byte `query_offset` of `rule.query`, and under it a caret at its
/// column (the line's tabs kept, one space per other code point), as eqlite::Error::format
/// gives them after its first line. Empty when the offset is not in the rule's text.
std::string excerpt(const Rule& rule, std::size_t query_offset);

/// A compile error of `rule.query` as a problem of its file: the position mapped into the file,
/// the file's line with a caret under the column as the excerpt.
LoadError compile_error(const Rule& rule, const eqlite::Error& e);

/// The 1-based byte column in `text` of toml++'s 1-based `line`:`column` (toml++ counts columns
/// in code points, eqlite in bytes).
std::uint32_t toml_byte_column(std::string_view text, std::uint32_t line, std::uint32_t column);

}  // namespace pack
