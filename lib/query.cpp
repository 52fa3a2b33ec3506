// lib/query.cpp — compile() = parse -> compile -> verify.
#include "eqlite/query.hpp"

#include <charconv>
#include <cstdint>
#include <limits>

#include "eval/compiler.hpp"
#include "eval/program.hpp"
#include "parser/parse.hpp"
#include "stream/sequence_program.hpp"

namespace eqlite {

QueryKind Query::kind() const noexcept {
  return sequence_ ? sequence_->kind : QueryKind::Event;
}
std::string_view Query::text() const noexcept {
  return program_->text;
}
const std::vector<std::string>& Query::fields() const noexcept {
  return program_->fields;
}
std::string Query::dump_ast() const {
  // Parsed again (compiling keeps no AST): the text parsed within the limits it was compiled
  // with, so it does within these.
  internal::ParseLimits limits;
  limits.max_depth = std::numeric_limits<std::size_t>::max();
  limits.max_query_length = std::numeric_limits<std::size_t>::max();
  auto ast = internal::parse(program_->text, limits);
  return ast ? ast::to_sexpr(*ast) : std::string();
}
std::string Query::disassemble() const {
  return sequence_ ? sequence_->disassemble() : program_->disassemble();
}
const std::vector<PipeStage>& Query::pipes() const noexcept {
  return program_->pipes;
}

std::optional<std::int64_t> parse_duration(std::string_view text) noexcept {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
    ++digits;
  const std::int64_t scale = internal::time_unit_ns(text.substr(digits));
  std::uint64_t n = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + digits, n);
  if (digits == 0 || scale == 0 || ec != std::errc() || p != text.data() + digits ||
      n > static_cast<std::uint64_t>(INT64_MAX / scale))
    return std::nullopt;
  return static_cast<std::int64_t>(n) * scale;
}

Result<Query> compile(std::string_view text, const CompileOptions& options) {
  internal::ParseLimits limits;
  limits.max_depth = options.max_depth;
  limits.max_query_length = options.max_query_length;
  auto ast = internal::parse(text, limits);
  if (!ast) return ast.error();
  if (ast->kind != ast::Query::Kind::Event) return internal::compile_sequence(*ast, text, options);
  auto program = internal::compile_program(*ast, text, options);
  if (!program) return program.error();
  return Query(std::move(*program));
}

}  // namespace eqlite
