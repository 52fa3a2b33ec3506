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
  /// A condition every event must meet to be considered at all (Elasticsearch's EQL search
  /// `filter`): `(filter) and (...)` for the condition of an event query and of every stage of
  /// a sequence or sample, `until` included. Empty: none. eqlite match uses it to keep a rule
  /// to the inputs its `index` patterns name (docs/rule-packs.md).
  std::string filter;
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

/// A literal that a field is compared with, as the query writes it (Query::field_uses()).
struct LiteralUse {
  enum class Kind : std::uint8_t { Null, Boolean, Integer, Double, String };
  Kind kind = Kind::Null;
  /// A string's value (escapes resolved, P3); a number, `true`, `false` or `null` as written,
  /// with a leading `-` for a negated number (`f > -5`).
  std::string text;
  std::size_t offset = 0;  ///< byte offset in Query::text() (a string's opening quote)
};

/// One place where a query reads a field, and what it does with it there: the input of a
/// schema check (`eqlite check --schema`, docs/schema-lint.md), which needs the operator and the
/// literals a field meets to tell what a field's mapping type makes of them.
struct FieldUse {
  /// Eq..Ge: `field OP literal` (a literal on the left is turned around: `5 < f` is `f > 5`).
  /// In..RegexCi: `field [not] in/in~/:/like/like~/regex/regex~ ...` (P8). Call: an argument
  /// of a function call (`function`, `argument`). JoinKey: `sequence by field`, `[...] by
  /// field` (Q1). Other: anything else (against another field, in arithmetic, ...).
  enum class Op : std::uint8_t {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    InCi,
    Seq,
    Like,
    LikeCi,
    Regex,
    RegexCi,
    Call,
    JoinKey,
    Other
  };
  std::string field;       ///< the path (backticks removed, P5)
  std::size_t offset = 0;  ///< byte offset of the reference in Query::text()
  std::size_t length = 0;  ///< its length in bytes
  Op op = Op::Other;
  bool negated = false;      ///< `not in`, `not in~`
  std::string function;      ///< Op::Call: the function's name as written, without `~`
  std::size_t argument = 0;  ///< Op::Call: the field's 0-based argument position
  /// The literal operands: the compared value (Eq..Ge), the list (In..RegexCi), or the call's
  /// other literal arguments (Call). Empty for JoinKey and Other.
  std::vector<LiteralUse> literals;
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
  /// Every field reference of the query text, in text order, with its operator and literals
  /// (see FieldUse). Made on demand (the text is parsed again, as for dump_ast()).
  std::vector<FieldUse> field_uses() const;
  /// A sequence's or sample's join keys (Q1), by stage as written (a `with runs=N` stage once,
  /// a missing `![...]` stage included, the `until` stage last): the fields whose values must
  /// be equal for events to join, the sequence's `by` fields then the stage's, `?` removed.
  /// Empty for an event query.
  std::vector<std::vector<std::string>> join_keys() const;

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

/// `text` as an EQL string literal, for building a query from values: double-quoted, with `"`,
/// `\` and control characters escaped (semantics.md P3). compile() reads it back as `text`.
std::string quote_string(std::string_view text);

/// Parses, compiles and verifies `text`. Errors carry line:column into `text`.
Result<Query> compile(std::string_view text, const CompileOptions& options = {});

}  // namespace eqlite
