// eqlite/query.hpp — compiling EQL text into an executable Query.
//
//   auto q = eqlite::compile(R"(process where process.name : "cmd.exe")");
//   if (!q) { std::cerr << q.error().format(text) << '\n'; }
//
// A Query is immutable once compiled and may be shared across threads; copies are cheap (they
// share the compiled program). Every field path the query reads is interned into a table:
// field id i is fields()[i]. Events are bound to those ids (see event.hpp), so evaluation never
// looks a field up by name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eqlite/error.hpp"

namespace eqlite {

namespace internal {
struct Program;
struct SequenceProgram;
}  // namespace internal

/// What a query is (semantics.md P1, Q1): one event's condition, an ordered sequence of
/// events, or an unordered sample of events. Sequences and samples run over a stream of
/// events (stream.hpp); an event query also runs on one event (vm.hpp).
enum class QueryKind : std::uint8_t { Event, Sequence, Sample };

/// One `| head N` or `| tail N` pipe.
struct PipeStage {
  enum class Kind { Head, Tail };
  Kind kind;
  std::uint64_t n;
};

struct CompileOptions {
  /// The field that `<category> where` tests (semantics.md P1).
  std::string category_field = "event.category";
  /// The field that holds each event's time (semantics.md T1): it orders sequences, and compared
  /// with a string literal it compares instants (T2).
  std::string timestamp_field = "@timestamp";
  /// A field that orders events of equal timestamp before their input position does (T3;
  /// Elasticsearch's tiebreaker_field); empty for none.
  std::string tiebreaker_field;
  /// Deepest nesting of parentheses, `not`, unary signs and operator chains.
  std::size_t max_depth = 100;
  /// Longest accepted query text, in bytes (a list of 100,000 strings is ~1.5 MB).
  std::size_t max_query_length = 16 << 20;
  /// Most values in one `in`/`:`/`like`/`regex` list, and most arguments of one function call.
  std::size_t max_list_length = 1'000'000;
  /// Longest wildcard pattern or regex, in bytes.
  std::size_t max_pattern_length = 64 << 10;
  /// Memory for one compiled regex list (RE2's max_mem, whose default this is); a list that
  /// needs more is an error.
  std::size_t max_regex_memory = 8 << 20;
};

class Query {
 public:
  QueryKind kind() const noexcept;
  /// The query text as given to compile().
  std::string_view text() const noexcept;
  /// Interned field paths; a field's id is its index here. For a sequence or sample: every
  /// field of every stage, the join keys and the timestamp (and tiebreaker) field.
  const std::vector<std::string>& fields() const noexcept;
  /// The AST as an S-expression, e.g. `(query any (== (field a) (string "x")))`. Made on
  /// demand (the text is parsed again): a compiled query keeps no AST.
  std::string dump_ast() const;
  /// The bytecode, one instruction per line: `0003  jump_if_false  -> 7`.
  std::string disassemble() const;
  /// The `| head N` / `| tail N` pipes, in order (semantics.md P2, Q6). They act on the stream
  /// of results; Stream (stream.hpp) applies them.
  const std::vector<PipeStage>& pipes() const noexcept;

  // Internal: the compiled program (for a sequence or sample, one that matches no event and
  // holds the pipes and the shared field table), and the stages of a sequence or sample.
  const internal::Program& program() const noexcept { return *program_; }
  const internal::SequenceProgram* sequence() const noexcept { return sequence_.get(); }
  explicit Query(std::shared_ptr<const internal::Program> p,
                 std::shared_ptr<const internal::SequenceProgram> s = nullptr)
      : program_(std::move(p)), sequence_(std::move(s)) {}

 private:
  std::shared_ptr<const internal::Program> program_;
  std::shared_ptr<const internal::SequenceProgram> sequence_;
};

/// A duration written as maxspan takes it (Q1: a whole number and a unit, `5m`, `30s`, `1500ms`)
/// in nanoseconds; nullopt when it is not one or does not fit.
std::optional<std::int64_t> parse_duration(std::string_view text) noexcept;

/// Parses, compiles and verifies `text`. Errors carry line:column into `text`.
Result<Query> compile(std::string_view text, const CompileOptions& options = {});

}  // namespace eqlite
