// eval/compiler.hpp — AST -> bytecode. The only external entry point of the compiler.
#pragma once

#include <memory>
#include <string_view>

#include "eqlite/error.hpp"
#include "eqlite/query.hpp"
#include "eval/program.hpp"
#include "parser/ast.hpp"

namespace eqlite::internal {

/// Compiles a parsed query into a verified Program. Errors (unsupported functions, bad regexes,
/// bad pipes, limits) carry line:column into `text`.
Result<std::shared_ptr<Program>> compile_program(const ast::Query& query, std::string_view text,
                                                 const CompileOptions& options);

}  // namespace eqlite::internal
