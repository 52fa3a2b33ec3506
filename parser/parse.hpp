// parser/parse.hpp — EQL text -> AST. The single place where PEGTL's exceptions are caught.
#pragma once

#include <cstdint>
#include <string_view>

#include "eqlite/error.hpp"
#include "parser/ast.hpp"

namespace eqlite::internal {

struct ParseLimits {
  std::size_t max_depth = 100;
  std::size_t max_query_length = 16 << 20;
};

/// Nanoseconds in one of maxspan's time units (Q1: ms, s, m, h, d); 0 for anything else.
std::int64_t time_unit_ns(std::string_view unit) noexcept;

/// Parses a whole query (semantics.md P1-P8). Errors carry line:column into `text` and a
/// message saying what was expected or what to write instead.
Result<ast::Query> parse(std::string_view text, const ParseLimits& limits = {});

}  // namespace eqlite::internal
