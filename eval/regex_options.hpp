// eval/regex_options.hpp — how a pattern is given to RE2, for regex_set.cpp, regex_prefilter.cpp.
#pragma once

#include <re2/re2.h>

#include <cstddef>
#include <string>

namespace eqlite::internal {

/// RE2's options for `regex`, `regex~` (S7) within `max_memory` bytes. In regex_set.cpp.
RE2::Options regex_options(std::size_t max_memory);
/// `p` with its literal ASCII letters folded, for `regex~` (S5). In regex_set.cpp.
std::string fold_pattern(const std::string& p);

}  // namespace eqlite::internal
