// pack/schema_lint.hpp — a compiled rule checked against a schema (docs/schema-lint.md): fields
// the schema does not define, comparisons that can never be true or that Elasticsearch rejects
// for the field's type, and comparisons that work only through coercion.
//
//   pack::SchemaSet schemas;
//   schemas.add(*pack::Schema::builtin("ecs"));
//   for (const pack::Finding& f : pack::lint(query, schemas))
//     std::cout << f.line << ':' << f.column << ": " << f.message << '\n';
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <eqlite/query.hpp>

#include "pack/schema.hpp"

namespace pack {

struct Finding {
  enum class Severity : std::uint8_t { Error, Warning, Note };
  std::size_t offset = 0;              ///< byte offset in the query text
  std::uint32_t line = 0, column = 0;  ///< 1-based, in the query text
  Severity severity = Severity::Warning;
  /// `unknown-field` (warning): a schema covers the field and none defines it;
  /// `type-error` (error): Elasticsearch rejects the query for the field's type;
  /// `never-true` (warning): the comparison can never be true for the field's type;
  /// `coercion` (note): it works only because the literal is converted to the field's type;
  /// `not-covered` (note): fields that a built-in schema not given would check.
  std::string code;
  std::string field;
  std::string message;
  std::string suggestion;  ///< a field name or an expression to write instead; may be empty
};

const char* to_string(Finding::Severity s) noexcept;

struct LintOptions {
  /// Fields supplied as constants (`--set`): never reported as unknown.
  std::set<std::string, std::less<>> constants;
  /// The schemas that were asked for, by built-in name; a `not-covered` note names a built-in
  /// schema that would cover fields outside these.
  std::vector<std::string> builtin_given;
};

/// The findings for `query` against `schemas`, in text order; a field is reported unknown once
/// (at its first use), a type problem at every use.
std::vector<Finding> lint(const eqlite::Query& query, const SchemaSet& schemas,
                          const LintOptions& options = {});

}  // namespace pack
