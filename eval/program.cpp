// eval/program.cpp — opcode names, the disassembler and the verifier, all driven by opcodes.def.
#include "eval/program.hpp"

#include <cstdio>

#include "eval/functions.hpp"
#include "eval/value_ops.hpp"
#include "stream/timestamp.hpp"

namespace eqlite::internal {

namespace {

struct OpInfo {
  const char* name;
  int pops;
  int pushes;
};

constexpr OpInfo kOps[] = {
#define EQLITE_OP(name, text, pops, pushes, operands, doc) {text, pops, pushes},
#include "eval/opcodes.def"
#undef EQLITE_OP
};
static_assert(sizeof(kOps) / sizeof(kOps[0]) == kOpcodeCount);

const char* cmp_name(std::uint8_t flags) {
  switch (static_cast<CmpOp>(flags & kCmpOpMask)) {
    case CmpOp::Eq:
      return "==";
    case CmpOp::Lt:
      return "<";
    case CmpOp::Le:
      return "<=";
    case CmpOp::Gt:
      return ">";
    case CmpOp::Ge:
      return ">=";
  }
  return "?";
}

std::string constant_text(const Constant& c) {
  switch (c.kind) {
    case ValueKind::Null:
      return "null";
    case ValueKind::Bool:
      return c.b ? "true" : "false";
    case ValueKind::Int:
      return std::to_string(c.i);
    case ValueKind::Double: {
      std::string buf;
      std::string_view t;
      text_of(c.value(), buf, t);
      return std::string(t);
    }
    case ValueKind::String: {
      std::string out = "\"";
      for (char ch : c.s) {
        if (ch == '"' || ch == '\\') out += '\\';
        out += ch;
      }
      return out + "\"";
    }
  }
  return "?";
}

}  // namespace

const char* opcode_name(Opcode op) noexcept {
  auto i = static_cast<std::size_t>(op);
  return i < kOpcodeCount ? kOps[i].name : "?";
}

std::string Program::disassemble() const {
  std::string out;
  char buf[64];
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const Instruction& in = code[pc];
    std::snprintf(buf, sizeof buf, "%04zu  %-15s", pc, opcode_name(in.op));
    std::string line = buf;
    // Robust on unverified programs too (it is a debugging aid): out-of-range operands print "?".
    auto field = [&](std::uint32_t id) { return id < fields.size() ? fields[id] : "?"; };
    auto constant = [&](std::uint32_t id) {
      return id < constants.size() ? constant_text(constants[id]) : std::string("?");
    };
    const bool set_ok = in.b < sets.size(), pat_ok = in.b < patterns.size(),
               re_ok = in.b < regexes.size(), fs_ok = in.a < fieldsets.size();
    auto flags = [&] {
      std::string f = cmp_name(in.flags);
      if (in.flags & kCmpLiteral) f += " literal";
      if (in.flags & kCmpCi) f += " ci";
      if (in.flags & kCmp3v) f += " 3v";
      return f;
    };
    switch (in.op) {
      case Opcode::PushConst:
        line += constant(in.b);
        break;
      case Opcode::PushField:
        line += field(in.b);
        break;
      case Opcode::ForAny: {
        if (!fs_ok) {
          line += "? -> " + std::to_string(in.b);
          break;
        }
        line += "(";
        const auto& fs = fieldsets[in.a];
        for (std::size_t i = 0; i < fs.size(); ++i)
          line += (i ? ", " : "") + field(fs[i]);
        line += ") -> " + std::to_string(in.b);
        break;
      }
      case Opcode::Compare:
        line += flags();
        break;
      case Opcode::FieldCompare:
      case Opcode::FieldStrEq:
        line += field(in.a) + " " + flags() + " " + constant(in.b);
        break;
      case Opcode::FieldDateCompare: {
        // the instant as ISO-8601 (the name is longer than its column: one space after it)
        const bool instant = in.b < constants.size() && constants[in.b].kind == ValueKind::Int;
        line += " " + field(in.a) + " " + cmp_name(in.flags) + " " +
                (instant ? format_timestamp(constants[in.b].i) : std::string("?"));
        if (in.flags & kCmp3v) line += " 3v";
        break;
      }
      case Opcode::InSet:
      case Opcode::FieldInSet:
        if (in.op == Opcode::FieldInSet) line += field(in.a) + " ";
        if (!set_ok) {
          line += "?";
          break;
        }
        line += "set#" + std::to_string(in.b) + (sets[in.b].case_insensitive() ? " ci" : "") +
                " (" + std::to_string(sets[in.b].size()) + " values)";
        break;
      case Opcode::MatchPatterns:
      case Opcode::FieldMatch: {
        if (in.op == Opcode::FieldMatch) line += field(in.a) + " ";
        if (!pat_ok) {
          line += "?";
          break;
        }
        const auto& ps = patterns[in.b];
        line += ps.case_insensitive() ? "ci (" : "(";
        for (std::size_t i = 0; i < ps.patterns().size(); ++i)
          line += (i ? ", \"" : "\"") + ps.patterns()[i] + "\"";
        line += ")";
        break;
      }
      case Opcode::MatchRegex:
      case Opcode::FieldRegex:
        if (in.op == Opcode::FieldRegex) line += field(in.a) + " ";
        if (!re_ok) {
          line += "?";
          break;
        }
        line += (regexes[in.b].case_insensitive() ? "ci /" : "/") + regexes[in.b].pattern() + "/";
        break;
      case Opcode::JumpIfFalse:
      case Opcode::JumpIfTrue:
        line += "-> " + std::to_string(in.b);
        break;
      case Opcode::Call:
        line += in.a < kFunctionCount ? function_info(static_cast<Function>(in.a)).name : "?";
        if (in.flags) line += "~";
        line += "/" + std::to_string(in.b);
        break;
      default:
        break;
    }
    if ((in.op == Opcode::ForAny || in.op == Opcode::InSet || in.op == Opcode::MatchPatterns ||
         in.op == Opcode::MatchRegex || in.op == Opcode::Not) &&
        (in.flags & k3v))
      line += " 3v";
    while (!line.empty() && line.back() == ' ')
      line.pop_back();
    out += line + "\n";
  }
  return out;
}

namespace {
bool is_field_op(Opcode op) noexcept {
  return op == Opcode::FieldCompare || op == Opcode::FieldStrEq || op == Opcode::FieldInSet ||
         op == Opcode::FieldMatch || op == Opcode::FieldRegex;
}
bool is_jump(Opcode op) noexcept {
  return op == Opcode::JumpIfFalse || op == Opcode::JumpIfTrue;
}
}  // namespace

void specialise(Program& p) noexcept {
  for (Instruction& in : p.code)
    if (in.op == Opcode::FieldCompare && in.b < p.constants.size() &&
        p.constants[in.b].kind == ValueKind::String &&
        (in.flags & ~(kThenJump | kThenJumpIfTrue)) ==
            (kCmpLiteral | static_cast<std::uint8_t>(CmpOp::Eq)))
      in.op = Opcode::FieldStrEq;
}

void fuse_jumps(Program& p) noexcept {
  for (std::size_t pc = 0; pc + 1 < p.code.size(); ++pc)
    if (is_field_op(p.code[pc].op) && is_jump(p.code[pc + 1].op))
      p.code[pc].flags |=
          kThenJump | (p.code[pc + 1].op == Opcode::JumpIfTrue ? kThenJumpIfTrue : 0);
}

Result<void> verify(Program& p) {
  auto fail = [](std::size_t pc, const std::string& why) {
    return Error{
        ErrorCode::InvalidArgument,
        "internal error: bytecode verification failed at " + std::to_string(pc) + ": " + why,
        {}};
  };
  const std::size_t n = p.code.size();
  if (n == 0) return fail(0, "empty program");
  // depth[pc]: stack depth before pc, -1 when not reached yet.
  std::vector<long> depth(n + 1, -1);
  // Every for_any body runs on top of the stack it starts with: record, for each end_any, the
  // depth its body must return to (+1 for the result).
  std::vector<long> any_base(n + 1, -1);
  depth[0] = 0;
  long max_depth = 0;
  for (std::size_t pc = 0; pc < n; ++pc) {
    const Instruction& in = p.code[pc];
    if (static_cast<std::size_t>(in.op) >= kOpcodeCount) return fail(pc, "unknown opcode");
    long d = depth[pc];
    if (d < 0) return fail(pc, "unreachable instruction");
    OpInfo info = kOps[static_cast<std::size_t>(in.op)];
    if (in.op == Opcode::Call) {
      if (in.a >= kFunctionCount) return fail(pc, "unknown function");
      const auto& fi = function_info(static_cast<Function>(in.a));
      if (in.b < fi.min_args || in.b > fi.max_args) return fail(pc, "wrong argument count");
      info.pops = static_cast<int>(in.b);
    }
    if (d < info.pops) return fail(pc, "stack underflow");
    // operand ranges
    switch (in.op) {
      case Opcode::PushConst:
        if (in.b >= p.constants.size()) return fail(pc, "constant out of range");
        break;
      case Opcode::PushField:
        if (in.b >= p.fields.size()) return fail(pc, "field out of range");
        break;
      case Opcode::FieldCompare:
        if (in.a >= p.fields.size() || in.b >= p.constants.size())
          return fail(pc, "operand out of range");
        break;
      case Opcode::FieldStrEq:
        if (in.a >= p.fields.size() || in.b >= p.constants.size())
          return fail(pc, "operand out of range");
        if (p.constants[in.b].kind != ValueKind::String ||
            (in.flags & ~(kThenJump | kThenJumpIfTrue)) !=
                (kCmpLiteral | static_cast<std::uint8_t>(CmpOp::Eq)))
          return fail(pc, "field_str_eq needs == against a string literal, case-sensitively");
        break;
      case Opcode::FieldDateCompare:
        if (in.a >= p.fields.size() || in.b >= p.constants.size())
          return fail(pc, "operand out of range");
        if (p.constants[in.b].kind != ValueKind::Int)
          return fail(pc, "field_date_compare needs an instant (an int constant)");
        if ((in.flags & ~(kCmpOpMask | kCmp3v)) != 0 ||
            (in.flags & kCmpOpMask) > static_cast<std::uint8_t>(CmpOp::Ge))
          return fail(pc, "field_date_compare takes a comparison operator and 3v only");
        break;
      case Opcode::InSet:
      case Opcode::FieldInSet:
        if (in.b >= p.sets.size() || (in.op == Opcode::FieldInSet && in.a >= p.fields.size()))
          return fail(pc, "operand out of range");
        break;
      case Opcode::MatchPatterns:
      case Opcode::FieldMatch:
        if (in.b >= p.patterns.size() || (in.op == Opcode::FieldMatch && in.a >= p.fields.size()))
          return fail(pc, "operand out of range");
        break;
      case Opcode::MatchRegex:
      case Opcode::FieldRegex:
        if (in.b >= p.regexes.size() || (in.op == Opcode::FieldRegex && in.a >= p.fields.size()))
          return fail(pc, "operand out of range");
        break;
      default:
        break;
    }
    if ((in.op == Opcode::Compare || in.op == Opcode::FieldCompare) &&
        (in.flags & kCmpOpMask) > static_cast<std::uint8_t>(CmpOp::Ge))
      return fail(pc, "bad comparison operator");
    if (is_field_op(in.op) && (in.flags & kThenJump) &&
        (pc + 1 >= n || !is_jump(p.code[pc + 1].op)))
      return fail(pc, "a fused field instruction must be followed by a jump");
    if (is_field_op(in.op) && (in.flags & kThenJumpIfTrue) &&
        (!(in.flags & kThenJump) || p.code[pc + 1].op != Opcode::JumpIfTrue))
      return fail(pc, "a fused field instruction's jump direction must be its jump's");
    if (is_field_op(in.op) && (in.flags & kThenJump) && !(in.flags & kThenJumpIfTrue) &&
        p.code[pc + 1].op != Opcode::JumpIfFalse)
      return fail(pc, "a fused field instruction's jump direction must be its jump's");
    auto flow = [&](std::size_t target, long dd) -> bool {
      if (target > n) return false;
      if (depth[target] >= 0 && depth[target] != dd) return false;
      depth[target] = dd;
      return true;
    };
    switch (in.op) {
      case Opcode::JumpIfFalse:
      case Opcode::JumpIfTrue:
        if (in.b <= pc || in.b >= n)
          return fail(pc, "jump target must be forward, inside the code");
        if (!flow(in.b, d)) return fail(pc, "inconsistent stack depth at jump target");
        if (!flow(pc + 1, d - 1)) return fail(pc, "inconsistent stack depth");
        break;
      case Opcode::ForAny: {
        if (in.a >= p.fieldsets.size()) return fail(pc, "fieldset out of range");
        for (auto f : p.fieldsets[in.a])
          if (f >= p.fields.size()) return fail(pc, "field out of range");
        if (in.b <= pc + 1 || in.b > n || p.code[in.b - 1].op != Opcode::EndAny)
          return fail(pc, "for_any must end with end_any right before its target");
        if (any_base[in.b - 1] >= 0) return fail(pc, "two for_any share an end_any");
        any_base[in.b - 1] = d;
        // The body starts at the same depth; after the loop, one result is pushed.
        if (!flow(pc + 1, d)) return fail(pc, "inconsistent stack depth");
        if (!flow(in.b, d + 1)) return fail(pc, "inconsistent stack depth after for_any");
        break;
      }
      case Opcode::EndAny:
        if (any_base[pc] < 0) return fail(pc, "end_any without for_any");
        if (d != any_base[pc] + 1) return fail(pc, "for_any body must leave exactly one value");
        break;  // control returns to the for_any; nothing falls through
      case Opcode::Return:
        if (d != 1) return fail(pc, "return needs exactly one value on the stack");
        break;
      default:
        if (!flow(pc + 1, d - info.pops + info.pushes)) return fail(pc, "inconsistent stack depth");
        break;
    }
    max_depth = std::max(max_depth, d - info.pops + info.pushes);
    max_depth = std::max(max_depth, d);
  }
  if (p.code.back().op != Opcode::Return) return fail(n - 1, "the program must end with return");
  p.max_stack = static_cast<std::uint32_t>(max_depth + 1);
  return {};
}

}  // namespace eqlite::internal

namespace eqlite::internal {

Result<std::shared_ptr<Program>> remap_fields(const Program& p,
                                              const std::vector<std::uint16_t>& to,
                                              std::vector<std::string> fields) {
  auto out = std::make_shared<Program>(p);
  out->fields = std::move(fields);
  for (Instruction& in : out->code) {
    switch (in.op) {
      case Opcode::PushField:
        in.b = to.at(in.b);
        break;
      case Opcode::FieldCompare:
      case Opcode::FieldStrEq:
      case Opcode::FieldInSet:
      case Opcode::FieldMatch:
      case Opcode::FieldRegex:
      case Opcode::FieldDateCompare:
        in.a = to.at(in.a);
        break;
      default:
        break;
    }
  }
  for (auto& set : out->fieldsets)
    for (auto& f : set)
      f = to.at(f);
  for (auto& alternatives : out->anchors)
    for (auto& a : alternatives)
      a.field = to.at(a.field);
  if (auto ok = verify(*out); !ok) return ok.error();
  return out;
}

}  // namespace eqlite::internal
