// parser/ast.hpp — the EQL abstract syntax tree (a closed set of node kinds).
//
// Every node carries the byte span of the text it came from, so later stages (the compiler's
// checks, regex errors) can report line:column. Operators are enums, never strings.
// Children are owned: Box<Expr> for one child, std::vector<Expr> for many.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace eqlite::ast {

struct SourceSpan {
  std::uint32_t begin = 0;  ///< byte offset of the first character
  std::uint32_t end = 0;    ///< byte offset past the last character
};

struct Expr;

/// An owning pointer to one child.
class Box {
 public:
  explicit Box(Expr e);
  Box(const Box&) = delete;
  Box(Box&&) noexcept = default;
  Box& operator=(Box&&) noexcept = default;
  ~Box();
  Expr& operator*() const { return *p_; }
  Expr* operator->() const { return p_.get(); }

 private:
  std::unique_ptr<Expr> p_;
};

struct Null {};
/// A literal: null, boolean, integer, double or string (P3, P4).
using Literal = std::variant<Null, bool, std::int64_t, double, std::string>;

struct Field {
  std::string path;       ///< segments joined by '.', backticks removed (P5)
  bool optional = false;  ///< written `?field`
};

enum class CompareOp : std::uint8_t { Eq, Ne, Lt, Le, Gt, Ge };
enum class ArithOp : std::uint8_t { Add, Sub, Mul, Div, Mod };
enum class LogicalOp : std::uint8_t { And, Or };
/// Postfix predicates (P8): `in`, `in~`, `:`, `like`, `like~`, `regex`, `regex~`.
enum class MatchKind : std::uint8_t { In, InCi, Seq, Like, LikeCi, Regex, RegexCi };

struct Not {
  Box operand;
};
struct Neg {
  Box operand;
};
struct Logical {
  LogicalOp op;
  std::vector<Expr> operands;  ///< two or more, evaluated left to right
};
struct Compare {
  CompareOp op;
  Box lhs, rhs;
};
struct Arith {
  ArithOp op;
  Box lhs, rhs;
};
/// `lhs [not] kind (values...)`
struct Match {
  MatchKind kind;
  bool negated = false;  ///< `not in` / `not in~`
  Box lhs;
  std::vector<Expr> values;
};
struct Call {
  std::string name;          ///< as written
  bool insensitive = false;  ///< `name~(...)`
  std::vector<Expr> args;
};

struct Expr {
  SourceSpan span;
  std::variant<Literal, Field, Not, Neg, Logical, Compare, Arith, Match, Call> node;
};

struct Pipe {
  SourceSpan span;
  std::string name;
  std::vector<Expr> args;
};

/// A join key (`by k`): a field, with the span of its text (Q1).
struct JoinKey {
  SourceSpan span;
  Field field;
};

struct Stage;

/// A whole query: an event query (P1), a sequence or a sample (Q1). For an event query, the
/// category and `where` fields hold it; for a sequence or sample, `stages` do (each stage's
/// `query` is an event query without pipes).
struct Query {
  enum class Kind : std::uint8_t { Event, Sequence, Sample };
  Kind kind = Kind::Event;
  SourceSpan category_span;
  bool any = false;      ///< `any where`
  std::string category;  ///< the category when !any
  Expr where;
  std::vector<Pipe> pipes;

  // Sequences and samples (Q1).
  std::vector<JoinKey> keys;    ///< `sequence by ...` / `sample by ...`
  std::int64_t maxspan_ns = 0;  ///< `with maxspan=...`; 0 when absent
  std::string maxspan_text;     ///< as written, e.g. "5m"
  SourceSpan maxspan_span;      ///< the duration
  std::vector<Stage> stages;    ///< in order, runs not expanded
  std::vector<Stage> until;     ///< empty, or the `until` stage
};

/// One stage of a sequence or sample: `[query] by k... with runs=N`, or `![query] by k...`.
struct Stage {
  SourceSpan span;  ///< from '[' (or '!') to ']'
  Query query;      ///< an event query
  std::vector<JoinKey> keys;
  std::uint32_t runs = 1;  ///< `with runs=N`
  SourceSpan runs_span;
  bool missing = false;  ///< `![...]`
};

/// A string as an EQL double-quoted literal: `"`, `\\` and control characters escaped (P3).
std::string quote(std::string_view s);
const char* to_string(CompareOp op) noexcept;
const char* to_string(ArithOp op) noexcept;
const char* to_string(MatchKind kind) noexcept;

/// S-expression dump, e.g. `(query process (== (field a.b) (string "x")))`. Golden-test format.
std::string to_sexpr(const Query& q);
std::string to_sexpr(const Expr& e);
/// EQL text that parses back to an equal tree (fully parenthesised).
std::string to_eql(const Query& q);
std::string to_eql(const Expr& e);

}  // namespace eqlite::ast
