// stream/sequence_program.hpp — a compiled sequence or sample (semantics.md Q1): each stage's
// filter as an event query, all over one field table (so one JsonReader reads an event for
// every stage), with the stages' join keys, the timestamp and tiebreaker fields, and maxspan.
// Immutable after compile and shared by every Query copy and thread, like a Program.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eqlite/error.hpp"
#include "eqlite/query.hpp"
#include "parser/ast.hpp"

namespace eqlite::internal {

struct SequenceStage {
  Query filter;                        ///< an event query over SequenceProgram::fields
  std::vector<std::uint16_t> keys;     ///< join keys: the sequence's, then the stage's
  std::vector<std::uint8_t> optional;  ///< per key: written `?field` (null is a value)
  bool missing = false;                ///< `![...]` (Q5)
};

struct SequenceProgram {
  QueryKind kind = QueryKind::Sequence;
  std::vector<std::string> fields;    ///< the shared field table
  std::vector<SequenceStage> stages;  ///< as written: runs not expanded
  std::vector<std::uint32_t> order;   ///< runs expanded: position -> index in `stages`
  std::vector<SequenceStage> until;   ///< empty, or the `until` stage
  std::int64_t maxspan_ns = 0;        ///< 0: none
  std::uint16_t timestamp_field = 0;  ///< T1
  bool has_tiebreaker = false;        ///< T3
  std::uint16_t tiebreaker_field = 0;
  std::size_t key_count = 0;  ///< join keys per stage (Q1: the same for every stage)

  /// Each stage's bytecode under a header line, for `eqlite check --bytecode`.
  std::string disassemble() const;
};

/// Compiles a parsed sequence or sample. `top` is the compiled top-level program (its pipes;
/// its field table is replaced by the shared one).
Result<Query> compile_sequence(const ast::Query& query, std::string_view text,
                               const CompileOptions& options);

}  // namespace eqlite::internal

namespace eqlite::internal {

/// `p` with field id i moved to to[i] of the table `fields` (a RuleSet's shared projection).
Result<std::shared_ptr<const SequenceProgram>> remap_sequence(
    const SequenceProgram& p, const std::vector<std::uint16_t>& to,
    const std::vector<std::string>& fields);

}  // namespace eqlite::internal
