// pack/toml_skim.hpp — what kind of rule a detection-rules TOML file holds, without parsing it.
//
// Most of a rule folder is rules eqlite does not run (kuery, esql, ...), and toml++ parses a
// file whole. skim_rule_kind() reads the lines of the `[rule]` table's `language` and `type`
// keys, stepping over multi-line strings, and answers only when the file is written the plain
// way detection-rules writes it; anything else (quoted or dotted keys, escapes, a value
// followed by more than a comment) leaves the answer to the parser.
#pragma once

#include <string>
#include <string_view>

namespace pack {

/// Sets `language` and `type` to the string values of the `[rule]` table's `language` and
/// `type` keys and returns true, or returns false when the file does not say them plainly.
bool skim_rule_kind(std::string_view toml, std::string& language, std::string& type);

}  // namespace pack
