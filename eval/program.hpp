// eval/program.hpp — bytecode: instructions, the compiled Program, the disassembler and the
// verifier. A Program is immutable after compile() and shared by every Query copy and thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "eqlite/error.hpp"
#include "eqlite/query.hpp"
#include "eqlite/value.hpp"
#include "eval/matchers.hpp"

namespace eqlite::internal {

enum class Opcode : std::uint8_t {
#define EQLITE_OP(name, text, pops, pushes, operands, doc) name,
#include "eval/opcodes.def"
#undef EQLITE_OP
};
inline constexpr std::size_t kOpcodeCount = 0
#define EQLITE_OP(name, text, pops, pushes, operands, doc) +1
#include "eval/opcodes.def"
#undef EQLITE_OP
    ;

const char* opcode_name(Opcode op) noexcept;

/// One instruction: | op:8 | flags:8 | a:16 | b:32 |. The meaning of flags, a and b depends on
/// the opcode (opcodes.def).
struct Instruction {
  Opcode op;
  std::uint8_t flags = 0;
  std::uint16_t a = 0;
  std::uint32_t b = 0;
};
static_assert(sizeof(Instruction) == 8);
static_assert(std::is_trivially_copyable_v<Instruction>);

/// Flags of compare / field_compare.
inline constexpr std::uint8_t kCmpOpMask = 0x07;   // CmpOp
inline constexpr std::uint8_t kCmpLiteral = 0x08;  // y is a literal: S8 conversion applies
inline constexpr std::uint8_t kCmpCi = 0x10;       // fold ASCII case (`:` equality, in~)
inline constexpr std::uint8_t kCmp3v = 0x20;       // three-valued: a null operand gives null
/// Flag of field_compare, field_in_set, field_match and field_regex: the next instruction is a
/// jump_if_false or jump_if_true, and the VM runs it as part of this one (one dispatch instead
/// of two, the boolean never stored and reloaded). The jump stays in the code, with the same
/// meaning, for the disassembler, the verifier and any jump that lands on it. Set by
/// fuse_jumps().
inline constexpr std::uint8_t kThenJump = 0x80;
/// With kThenJump: the jump is jump_if_true (else jump_if_false), so the VM need not read it to
/// know which way it goes. Set by fuse_jumps() with kThenJump; the verifier checks the two agree.
inline constexpr std::uint8_t kThenJumpIfTrue = 0x40;
/// Flag of for_any, in_set, match_patterns, match_regex and not: three-valued, for a predicate
/// used as a value (`null == (x > 1)` holds when x has no value, as in Elasticsearch).
inline constexpr std::uint8_t k3v = 0x01;

/// A constant of the program. Owns its string; value() views it (stable: the program does not
/// change after compile).
struct Constant {
  ValueKind kind = ValueKind::Null;
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;
  /// A string constant read as a number (S8: compared with a numeric value, a literal string
  /// converts to a number), parsed once here instead of per event; null when it is not one.
  Value number;
  Value value() const noexcept {
    switch (kind) {
      case ValueKind::Bool:
        return Value::boolean(b);
      case ValueKind::Int:
        return Value::integer(i);
      case ValueKind::Double:
        return Value::number(d);
      case ValueKind::String:
        return Value::string(s);
      case ValueKind::Null:
        break;
    }
    return Value::null();
  }
};

/// A necessary condition of a whole query, for RuleSet's index: the query can only be true
/// when some value of fields[field] is not a string (a number may equal a numeric string
/// literal, S8, or match a pattern through its JSON text) or is a string that
///   - (kind Exact) equals one of `keys`, or
///   - (kind Contains) contains one of `keys` as a substring,
/// compared after ASCII folding (fold_ascii) when `folded`; or
///   - (kind Exists, no keys) when fields[field] has a value at all: a positive predicate that
///     gives no keys (`f : "*"`, `f like "?*"`, `f > 4`, a regex without necessary literals)
///     is false on no value (S2), and so is `f != null`. Taken from the top-level
/// conjunction: `<category> where`, `f == "x"`, `f in ("x", ...)`, `f in~ (...)`, and `f : "x"`
/// / `like` / `like~`; a pattern with wildcards gives its longest run of literal characters
/// between `*`/`?` (necessary_literal(), S6: no escape), which every matching value contains, and a
/// pattern with no such run (`*`, `?*`) gives no anchor. An `or` of such predicates (also on
/// different fields), or one list of both kinds of pattern, is one entry of Program::anchors with
/// several alternatives.
struct Anchor {
  enum class Kind : std::uint8_t { Exact, Contains, Exists };
  std::uint16_t field = 0;
  bool folded = false;
  std::vector<std::string> keys;
  Kind kind = Kind::Exact;
  /// Some key is the text of a number or boolean literal (S8): the field likely holds
  /// numbers, and a value that is not a string meets the anchor whatever it is.
  bool typed = false;
  bool operator==(const Anchor&) const = default;
};

struct Program {
  std::string text;  ///< the query text
  std::vector<Instruction> code;
  std::vector<Constant> constants;
  std::vector<std::string> fields;                    ///< field id -> dotted path
  std::vector<std::vector<std::uint16_t>> fieldsets;  ///< for_any operands
  std::vector<ValueSet> sets;
  std::vector<PatternSet> patterns;
  std::vector<RegexSet> regexes;
  std::vector<PipeStage> pipes;
  std::vector<std::vector<Anchor>> anchors;  ///< all must hold; of each, one alternative
  /// The query holds exactly when every entry of `anchors` has an alternative met (its keys
  /// are plain strings, its patterns `*literal*`, its Exists anchors `!= null`): a RuleSet
  /// that checks all of them needs no VM run (Compiler::decided).
  bool decided_by_anchors = false;
  std::uint32_t max_stack = 0;  ///< set by verify()

  /// One instruction per line: `0003  jump_if_false  -> 7`, then the operand's meaning.
  std::string disassemble() const;
};

/// Checks that `p` is safe to run: operand indices in range, forward jumps inside the code,
/// a consistent stack depth on every path, for_any bodies well formed, a final return with one
/// value. Sets p.max_stack. The VM trusts a verified program and checks nothing else.
Result<void> verify(Program& p);

/// Replaces instructions by the specialised forms their operands allow: field_compare `==` a
/// string literal, case-sensitively, becomes field_str_eq. Run before fuse_jumps().
void specialise(Program& p) noexcept;

/// Sets kThenJump on every field_* instruction followed by a jump_if_false / jump_if_true.
void fuse_jumps(Program& p) noexcept;

/// A copy of `p` whose field id i is to[i] in the table `fields` (a RuleSet's shared
/// projection), verified again.
Result<std::shared_ptr<Program>> remap_fields(const Program& p,
                                              const std::vector<std::uint16_t>& to,
                                              std::vector<std::string> fields);

}  // namespace eqlite::internal
