// eval/vm.cpp — the dispatch loop. It runs only verified programs (program.hpp: verify), so it
// checks no operand and no stack bound itself. Nothing here allocates in steady state: the
// stack and the scratch strings belong to the Vm and keep their capacity.
#include "eqlite/vm.hpp"

#include <algorithm>

#include "eval/functions.hpp"
#include "eval/program.hpp"
#include "eval/result_memo.hpp"
#include "eval/value_ops.hpp"
#include "stream/timestamp.hpp"

// Dispatch (run()): threaded where the compiler has labels as values (GCC, Clang), else a
// switch in a loop. EQLITE_NEXT() goes to the instruction at pc.
#if defined(__GNUC__)
#define EQLITE_THREADED_DISPATCH 1
#define EQLITE_NEXT()                                 \
  do {                                                \
    in = code[pc];                                    \
    goto* kHandlers[static_cast<std::size_t>(in.op)]; \
  } while (false)
#else
#define EQLITE_THREADED_DISPATCH 0
#define EQLITE_NEXT() continue
#endif

namespace eqlite {

namespace {

using internal::CmpOp;
using internal::Instruction;
using internal::Opcode;
using internal::Program;

struct Exec {
  const Program& p;
  const Event& ev;
  Value* stack;
  std::uint32_t* cursors;
  std::string& buf;
  std::string& fold;
  internal::StringPool& pool;
  internal::ResultMemo& memo;

  // compare() as a value: with k3v (a comparison used as a value, e.g. `null == (x > 1)`), a
  // null operand gives null, except against the literal null (an existence test).
  Value compare_value(Value x, Value y, std::uint8_t flags) {
    if ((flags & internal::kCmp3v) && (x.is_null() || y.is_null()) &&
        !((flags & internal::kCmpLiteral) && y.is_null()))
      return Value::null();
    return Value::boolean(compare(x, y, flags));
  }

  bool compare(Value x, Value y, std::uint8_t flags) {
    return internal::compare(x, y, static_cast<CmpOp>(flags & internal::kCmpOpMask),
                             (flags & internal::kCmpLiteral) != 0, (flags & internal::kCmpCi) != 0,
                             fold);
  }

  // in_set / match_patterns / match_regex: the predicate replaces the value on top. With k3v
  // (the predicate is used as a value), no value gives null instead of false.
  template <typename Test>
  void on_top(Instruction in, std::uint32_t sp, Test&& test) {
    Value& top = stack[sp - 1];
    top = (in.flags & internal::k3v) && top.is_null() ? Value::null() : Value::boolean(test(top));
  }

  // field_match / field_regex: some value of the field matches (S2: no value matches nothing).
  template <typename Matcher>
  bool some_value_matches(const Matcher& m, std::uint16_t field) {
    for (const Value& v : ev.values(field))
      if (value_matches(m, v)) return true;
    return false;
  }

  // A pattern or regex list on one value; a costly list's answer for a short string from the
  // memo when it has it (ResultMemo: the same answer, remembered).
  template <typename Matcher>
  bool value_matches(const Matcher& m, Value v) {
    if (const std::uint64_t id = m.memo_id(); id != 0 && v.kind() == ValueKind::String)
      return memo.answer(id, v.as_string(), [&] { return m.matches(v, buf, fold); });
    return m.matches(v, buf, fold);
  }

  // The boolean result of a field_* instruction: pushed; with kThenJump, the jump after it
  // runs here too (jump_if_false / jump_if_true: taken, the value stays; else it is popped).
  void result(bool r, Instruction in, const Instruction* code, std::uint32_t& pc,
              std::uint32_t& sp) {
    if (in.flags & internal::kThenJump) {
      if (((in.flags & internal::kThenJumpIfTrue) != 0) == r) {
        stack[sp++] = Value::boolean(r);
        pc = code[pc + 1].b;
      } else {
        pc += 2;
      }
      return;
    }
    stack[sp++] = Value::boolean(r);
    ++pc;
  }

  // The outcome of run(): the value left on top, which is a boolean or null.
  enum class Outcome { False, True, Null };

  // Runs from `pc` until return or end_any and gives the value left on top. `sp` is the number
  // of values on the stack. (Not the Value itself: copying it as 16-byte words right after it
  // was stored as two 8-byte words stalls store-to-load forwarding; reading its words does not.)
  Outcome run(std::uint32_t pc, std::uint32_t sp) {
    const Instruction* code = p.code.data();
#if EQLITE_THREADED_DISPATCH
    // Threaded dispatch: each handler ends with its own jump to the next handler (labels as
    // values) instead of going back to one shared switch (t1078/eval_only_hot 46.6 -> 45.0 ns;
    // GCC still merges some of the jumps). The switch below is then never entered:
    // EQLITE_NEXT() jumps to op_<name>.
    static constexpr const void* kHandlers[] = {
#define EQLITE_OP(name, text, pops, pushes, operands, doc) &&op_##name,
#include "eval/opcodes.def"
#undef EQLITE_OP
    };
    Instruction in;
    EQLITE_NEXT();
#endif
    for (;;) {
#if !EQLITE_THREADED_DISPATCH
      const Instruction in = code[pc];
#endif
      switch (in.op) {
      op_PushConst:
      case Opcode::PushConst:
        stack[sp++] = p.constants[in.b].value();
        ++pc;
        EQLITE_NEXT();
      op_PushField:
      case Opcode::PushField: {
        auto vals = ev.values(in.b);
        stack[sp++] = cursors[in.b] < vals.size() ? vals[cursors[in.b]] : Value::null();
        ++pc;
        EQLITE_NEXT();
      }
      op_ForAny:
      case Opcode::ForAny: {
        const auto& fs = p.fieldsets[in.a];
        bool saw_null = false;
        const bool r = any(fs, 0, pc + 1, sp, saw_null);
        // three-valued (a predicate used as a value): true, else null if a run gave null
        stack[sp] =
            r ? Value::boolean(true)
              : ((in.flags & internal::k3v) && saw_null ? Value::null() : Value::boolean(false));
        ++sp;
        pc = in.b;
        EQLITE_NEXT();
      }
      op_EndAny:
      case Opcode::EndAny:
      op_Return:
      case Opcode::Return: {
        const Value& top = stack[sp - 1];
        if (top.kind() == ValueKind::Bool) return top.as_bool() ? Outcome::True : Outcome::False;
        return top.is_null() ? Outcome::Null : Outcome::False;
      }
      op_Compare:
      case Opcode::Compare: {
        Value y = stack[--sp];
        Value x = stack[sp - 1];
        stack[sp - 1] = compare_value(x, y, in.flags);
        ++pc;
        EQLITE_NEXT();
      }
      op_InSet:
      case Opcode::InSet:
        on_top(in, sp, [&](Value v) { return p.sets[in.b].contains(v, buf); });
        ++pc;
        EQLITE_NEXT();
      op_MatchPatterns:
      case Opcode::MatchPatterns:
        on_top(in, sp, [&](Value v) { return value_matches(p.patterns[in.b], v); });
        ++pc;
        EQLITE_NEXT();
      op_MatchRegex:
      case Opcode::MatchRegex:
        on_top(in, sp, [&](Value v) { return value_matches(p.regexes[in.b], v); });
        ++pc;
        EQLITE_NEXT();
      op_FieldCompare:
      case Opcode::FieldCompare: {
        const internal::Constant& c = p.constants[in.b];
        auto vals = ev.values(in.a);
        bool r = false;
        const auto op = static_cast<CmpOp>(in.flags & internal::kCmpOpMask);
        if (vals.empty()) {
          // S2: no value meets only `== null` (the literal), as compare(null, c) decides
          r = op == CmpOp::Eq && (in.flags & internal::kCmpLiteral) && c.kind == ValueKind::Null;
        } else {
          // A string value against a string literal, case-sensitively: bytes (S8), inline.
          const bool strings = c.kind == ValueKind::String && !(in.flags & internal::kCmpCi);
          // A number against a literal string: the literal's number, parsed at compile
          // time (S8), as compare() would parse it.
          const bool numeric = strings && (in.flags & internal::kCmpLiteral);
          for (const Value& v : vals) {
            if (strings && v.kind() == ValueKind::String)
              r = internal::compare_bytes(v.as_string(), c.s, op);
            else if (numeric && v.is_number())
              r = !c.number.is_null() && internal::compare_numbers(v, c.number, op);
            else
              r = compare(v, c.value(), in.flags);
            if (r) break;
          }
        }
        result(r, in, code, pc, sp);
        EQLITE_NEXT();
      }
      // field_compare's case of == a string literal, case-sensitively, without its tests of
      // the operator and the literal's kind (specialise() chose it at compile time).
      op_FieldStrEq:
      case Opcode::FieldStrEq: {
        const internal::Constant& c = p.constants[in.b];
        bool r = false;  // S2: no value equals no string
        for (const Value& v : ev.values(in.a)) {
          if (v.kind() == ValueKind::String) [[likely]] {
            const std::string_view s = v.as_string();
            r = s.size() == c.s.size() && internal::same_bytes(s.data(), c.s.data(), s.size());
          } else if (v.is_number()) {  // S8: the literal's number, parsed at compile time
            r = !c.number.is_null() && internal::compare_numbers(v, c.number, CmpOp::Eq);
          } else {
            r = compare(v, c.value(), in.flags);
          }
          if (r) break;
        }
        result(r, in, code, pc, sp);
        EQLITE_NEXT();
      }
      op_FieldInSet:
      case Opcode::FieldInSet: {
        const auto& set = p.sets[in.b];
        auto vals = ev.values(in.a);
        bool r = false;  // S2: no value is in no set
        const bool plain = !set.case_insensitive();
        for (const Value& v : vals) {
          r = plain && v.kind() == ValueKind::String ? set.contains_string(v.as_string())
                                                     : set.contains(v, buf);
          if (r) break;
        }
        result(r, in, code, pc, sp);
        EQLITE_NEXT();
      }
      op_FieldMatch:
      case Opcode::FieldMatch:
        result(some_value_matches(p.patterns[in.b], in.a), in, code, pc, sp);
        EQLITE_NEXT();
      op_FieldRegex:
      case Opcode::FieldRegex:
        result(some_value_matches(p.regexes[in.b], in.a), in, code, pc, sp);
        EQLITE_NEXT();
      // T2: some value, read as an instant (T1), compares with the literal's instant; a value
      // that is not a date compares false (S11). With 3v, as for_any over the field: no value
      // (or a null one) and none true gives null.
      op_FieldDateCompare:
      case Opcode::FieldDateCompare: {
        const std::int64_t t = p.constants[in.b].i;
        const auto op = static_cast<CmpOp>(in.flags & internal::kCmpOpMask);
        auto vals = ev.values(in.a);
        bool r = false, saw_null = vals.empty();
        for (const Value& v : vals) {
          if (v.is_null()) saw_null = true;
          const std::optional<std::int64_t> ns = internal::timestamp_of(v);
          if (ns && internal::ordered(*ns, t, op)) {
            r = true;
            break;
          }
        }
        stack[sp++] =
            !r && saw_null && (in.flags & internal::kCmp3v) ? Value::null() : Value::boolean(r);
        ++pc;
        EQLITE_NEXT();
      }
      op_Truthy:
      case Opcode::Truthy:
        stack[sp - 1] = Value::boolean(internal::truthy(stack[sp - 1]));
        ++pc;
        EQLITE_NEXT();
      op_Not:
      case Opcode::Not: {
        Value v = stack[sp - 1];
        if ((in.flags & internal::k3v) && v.is_null()) {  // three-valued: not null is null
          ++pc;
          EQLITE_NEXT();
        }
        stack[sp - 1] = Value::boolean(!(v.kind() == ValueKind::Bool && v.as_bool()));
        ++pc;
        EQLITE_NEXT();
      }
      op_Neg:
      case Opcode::Neg:
        stack[sp - 1] = internal::arith_neg(stack[sp - 1]);
        ++pc;
        EQLITE_NEXT();
      op_Add:
      case Opcode::Add:
        --sp;
        stack[sp - 1] = internal::arith_add(stack[sp - 1], stack[sp]);
        ++pc;
        EQLITE_NEXT();
      op_Sub:
      case Opcode::Sub:
        --sp;
        stack[sp - 1] = internal::arith_sub(stack[sp - 1], stack[sp]);
        ++pc;
        EQLITE_NEXT();
      op_Mul:
      case Opcode::Mul:
        --sp;
        stack[sp - 1] = internal::arith_mul(stack[sp - 1], stack[sp]);
        ++pc;
        EQLITE_NEXT();
      op_Div:
      case Opcode::Div:
        --sp;
        stack[sp - 1] = internal::arith_div(stack[sp - 1], stack[sp]);
        ++pc;
        EQLITE_NEXT();
      op_Mod:
      case Opcode::Mod:
        --sp;
        stack[sp - 1] = internal::arith_mod(stack[sp - 1], stack[sp]);
        ++pc;
        EQLITE_NEXT();
      op_Call:
      case Opcode::Call: {
        sp -= in.b;
        stack[sp] = internal::call_function(static_cast<internal::Function>(in.a), in.flags != 0,
                                            stack + sp, in.b, pool, buf);
        ++sp;
        ++pc;
        EQLITE_NEXT();
      }
      op_JumpIfFalse:
      case Opcode::JumpIfFalse: {
        Value v = stack[sp - 1];
        if (!(v.kind() == ValueKind::Bool && v.as_bool())) {
          pc = in.b;
        } else {
          --sp;
          ++pc;
        }
        EQLITE_NEXT();
      }
      op_JumpIfTrue:
      case Opcode::JumpIfTrue: {
        Value v = stack[sp - 1];
        if (v.kind() == ValueKind::Bool && v.as_bool()) {
          pc = in.b;
        } else {
          --sp;
          ++pc;
        }
        EQLITE_NEXT();
      }
      }
    }
  }

  // S4: the body is true for some combination of values of the fields fs[k..]. A field without
  // values takes null once (so `x + 1 == null` holds when x is missing).
  bool any(const std::vector<std::uint16_t>& fs, std::size_t k, std::uint32_t body,
           std::uint32_t sp, bool& saw_null) {
    if (k == fs.size()) {
      const Outcome v = run(body, sp);
      if (v == Outcome::Null) saw_null = true;
      return v == Outcome::True;
    }
    const std::uint16_t f = fs[k];
    const std::uint32_t saved = cursors[f];
    const std::size_t n = ev.values(f).size();
    bool r = false;
    if (n == 0) {
      cursors[f] = 0;
      r = any(fs, k + 1, body, sp, saw_null);
    } else {
      for (std::uint32_t c = 0; c < n && !r; ++c) {
        cursors[f] = c;
        r = any(fs, k + 1, body, sp, saw_null);
      }
    }
    cursors[f] = saved;
    return r;
  }
};

}  // namespace

Vm::Vm() : Vm(VmOptions{}) {}
Vm::Vm(const VmOptions& options)
    : pool_(std::make_unique<internal::StringPool>()),
      memo_(std::make_unique<internal::ResultMemo>()) {
  if (!options.remember_answers) memo_->disable();
}
Vm::~Vm() = default;
Vm::Vm(Vm&&) noexcept = default;
Vm& Vm::operator=(Vm&&) noexcept = default;

// Out of line, so that matches() saves no registers for it (the first run of a bigger query).
__attribute__((noinline)) void Vm::grow(std::size_t stack, std::size_t fields) {
  stack_.resize(std::max(stack_.size(), stack));
  cursors_.resize(std::max(cursors_.size(), fields), 0);
}

bool Vm::matches(const Query& query, const Event& event) noexcept {
  const Program& p = query.program();
  if (event.field_count() < p.fields.size()) return false;  // not bound to this query
  if (stack_.size() < p.max_stack || cursors_.size() < p.fields.size()) [[unlikely]]
    grow(p.max_stack, p.fields.size());
  pool_->reset();
  Exec ex{p, event, stack_.data(), cursors_.data(), scratch_, fold_, *pool_, *memo_};
  return ex.run(0, 0) == Exec::Outcome::True;
}

bool Vm::matches(const Query& query, const FieldMap& map) {
  bound_.bind(query, map);
  return matches(query, bound_);
}

}  // namespace eqlite
