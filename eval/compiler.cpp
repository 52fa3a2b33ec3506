// eval/compiler.cpp — one recursive walk over the AST emitting stack code; forward jumps are
// patched through patch lists (as Lua's lcode.c does for short-circuit and/or).
//
// Two emitters: cond() leaves a boolean (predicates are two-valued at the top, S2/S3), value()
// leaves any value (null propagates inside expressions). Predicates whose operands read fields
// are wrapped in for_any so that multi-valued fields match when any value does (S4); the common
// shape `field OP literal(s)` compiles to one fused field_* instruction instead.
#include "eval/compiler.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include "eval/functions.hpp"
#include "eval/value_ops.hpp"
#include "stream/timestamp.hpp"

namespace eqlite::internal {

namespace {

struct CompileError {
  std::size_t offset;
  ErrorCode code;
  std::string message;
};

ast::Literal to_literal(Value v) {
  switch (v.kind()) {
    case ValueKind::Null:
      return ast::Null{};
    case ValueKind::Bool:
      return v.as_bool();
    case ValueKind::Int:
      return v.as_int();
    case ValueKind::Double:
      return v.as_double();
    case ValueKind::String:
      return std::string(v.as_string());
  }
  return ast::Null{};
}

// A view of a literal as a Value (strings view the literal's storage).
Value to_value(const ast::Literal& l) {
  return std::visit(
      [](const auto& v) -> Value {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, ast::Null>)
          return Value::null();
        else if constexpr (std::is_same_v<T, bool>)
          return Value::boolean(v);
        else if constexpr (std::is_same_v<T, std::int64_t>)
          return Value::integer(v);
        else if constexpr (std::is_same_v<T, double>)
          return Value::number(v);
        else
          return Value::string(v);
      },
      l);
}

CmpOp mirror(CmpOp op) {
  switch (op) {
    case CmpOp::Lt:
      return CmpOp::Gt;
    case CmpOp::Le:
      return CmpOp::Ge;
    case CmpOp::Gt:
      return CmpOp::Lt;
    case CmpOp::Ge:
      return CmpOp::Le;
    default:
      return op;
  }
}

// T2: a string or number literal compared with the timestamp field stands for an instant.
bool is_date_literal(const ast::Literal& l) {
  return std::holds_alternative<std::string>(l) || std::holds_alternative<std::int64_t>(l) ||
         std::holds_alternative<double>(l);
}

// Sets a flag for the lifetime of the object, then restores it.
class Scoped {
 public:
  Scoped(bool& flag, bool value) : flag_(flag), saved_(flag) { flag_ = value; }
  ~Scoped() { flag_ = saved_; }
  Scoped(const Scoped&) = delete;
  Scoped& operator=(const Scoped&) = delete;

 private:
  bool& flag_;
  bool saved_;
};

class Compiler {
 public:
  Compiler(std::string_view text, const CompileOptions& options, Program& p)
      : text_(text), options_(options), p_(p) {}

  void query(const ast::Query& q) {
    pipes(q);
    std::vector<std::size_t> exits;
    if (!q.any) {
      // P1: `<category> where` is `category_field == "<category>"`, exact and case-sensitive.
      ast::Literal cat{q.category};
      emit(Opcode::FieldCompare, static_cast<std::uint8_t>(CmpOp::Eq) | kCmpLiteral,
           field_id(options_.category_field, q.category_span), constant(cat));
      exits.push_back(emit(Opcode::JumpIfFalse));
    }
    cond(q.where);
    patch(exits);
    emit(Opcode::Return);
    if (!q.any)
      p_.anchors.push_back(
          {Anchor{field_id(options_.category_field, q.category_span), false, {q.category}}});
    anchors(q.where);
    p_.decided_by_anchors = (q.any || plain_key(q.category)) && decided(q.where, false);
  }

 private:
  // ---- emission helpers ----

  std::size_t emit(Opcode op, std::uint8_t flags = 0, std::uint16_t a = 0, std::uint32_t b = 0) {
    p_.code.push_back(Instruction{op, flags, a, b});
    return p_.code.size() - 1;
  }
  void patch(const std::vector<std::size_t>& jumps) {
    for (auto j : jumps)
      p_.code[j].b = static_cast<std::uint32_t>(p_.code.size());
  }

  [[noreturn]] void fail(ast::SourceSpan at, ErrorCode code, std::string msg) const {
    throw CompileError{at.begin, code, std::move(msg)};
  }

  std::uint16_t field_id(const std::string& path, ast::SourceSpan at) {
    auto it = field_ids_.find(path);
    if (it != field_ids_.end()) return it->second;
    if (p_.fields.size() >= 0xFFFF) fail(at, ErrorCode::LimitExceeded, "too many distinct fields");
    auto id = static_cast<std::uint16_t>(p_.fields.size());
    p_.fields.push_back(path);
    field_ids_.emplace(path, id);
    return id;
  }

  std::uint32_t constant(const ast::Literal& l) {
    Constant c;
    Value v = to_value(l);
    c.kind = v.kind();
    switch (v.kind()) {
      case ValueKind::Bool:
        c.b = v.as_bool();
        break;
      case ValueKind::Int:
        c.i = v.as_int();
        break;
      case ValueKind::Double:
        c.d = v.as_double();
        break;
      case ValueKind::String:
        c.s = std::string(v.as_string());
        if (!parse_number(c.s, c.number)) c.number = Value::null();
        break;
      case ValueKind::Null:
        break;
    }
    p_.constants.push_back(std::move(c));
    return static_cast<std::uint32_t>(p_.constants.size() - 1);
  }

  // ---- dates (T1, T2) ----

  bool is_timestamp_field(const ast::Expr& e) const {
    const auto* f = std::get_if<ast::Field>(&e.node);
    return f && f->path == options_.timestamp_field;
  }

  // The instant in nanoseconds that a date literal (is_date_literal) compared with the
  // timestamp field stands for: a string read as T1, a number as epoch milliseconds. A
  // literal that is not a date is an error at `at`.
  std::int64_t instant(const ast::Literal& l, ast::SourceSpan at) const {
    std::optional<std::int64_t> t;
    std::string shown;
    if (const auto* s = std::get_if<std::string>(&l)) {
      t = timestamp_from_string(*s);
      shown = "\"" + *s + "\"";
    } else {
      std::string buf;
      std::string_view text;
      text_of(to_value(l), buf, text);
      shown = std::string(text);
      t = std::holds_alternative<double>(l) ? timestamp_from_millis(std::get<double>(l))
                                            : timestamp_from_millis(std::get<std::int64_t>(l));
    }
    if (!t)
      fail(at, ErrorCode::Syntax,
           "[" + options_.timestamp_field + "] is a date: " + shown +
               " is not a date (expected ISO-8601 such as 2020-05-04T12:00:00Z, or epoch "
               "milliseconds, from 1677-09-21T00:12:43.145224192Z to "
               "2262-04-11T23:47:16.854775807Z)");
    return *t;
  }

  // ---- constant folding: literals, and signs/arithmetic over literals ----

  std::optional<ast::Literal> fold(const ast::Expr& e) {
    if (auto* l = std::get_if<ast::Literal>(&e.node)) return *l;
    if (auto* n = std::get_if<ast::Neg>(&e.node)) {
      auto x = fold(*n->operand);
      if (!x) return std::nullopt;
      return to_literal(arith_neg(to_value(*x)));
    }
    if (auto* c = std::get_if<ast::Call>(&e.node)) {
      const FunctionInfo& f = check_call(*c, e.span);
      std::vector<ast::Literal> args;
      for (const auto& a : c->args) {
        auto l = fold(a);
        if (!l) return std::nullopt;
        args.push_back(std::move(*l));
      }
      std::vector<Value> values;
      for (const auto& l : args)
        values.push_back(to_value(l));
      StringPool pool;
      std::string scratch;
      return to_literal(
          call_function(f.id, c->insensitive, values.data(), values.size(), pool, scratch));
    }
    if (auto* a = std::get_if<ast::Arith>(&e.node)) {
      auto x = fold(*a->lhs);
      auto y = fold(*a->rhs);
      if (!x || !y) return std::nullopt;
      Value xv = to_value(*x), yv = to_value(*y);
      switch (a->op) {
        case ast::ArithOp::Add:
          return to_literal(arith_add(xv, yv));
        case ast::ArithOp::Sub:
          return to_literal(arith_sub(xv, yv));
        case ast::ArithOp::Mul:
          return to_literal(arith_mul(xv, yv));
        case ast::ArithOp::Div:
          return to_literal(arith_div(xv, yv));
        case ast::ArithOp::Mod:
          return to_literal(arith_mod(xv, yv));
      }
    }
    return std::nullopt;
  }

  // ---- fields read in value position (not inside nested conditions) ----

  void fields_in(const ast::Expr& e, std::vector<std::uint16_t>& out) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Field>) {
            auto id = field_id(n.path, e.span);
            if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
          } else if constexpr (std::is_same_v<T, ast::Neg>) {
            fields_in(*n.operand, out);
          } else if constexpr (std::is_same_v<T, ast::Arith>) {
            fields_in(*n.lhs, out);
            fields_in(*n.rhs, out);
          } else if constexpr (std::is_same_v<T, ast::Call>) {
            for (const auto& a : n.args)
              fields_in(a, out);
          }
        },
        e.node);
  }

  // Emits `body` inside a for_any over `fields` (nothing to loop over: just the body).
  template <typename Body>
  void for_any(std::vector<std::uint16_t> fields, Body&& body) {
    if (fields.empty()) {
      body();
      return;
    }
    p_.fieldsets.push_back(std::move(fields));
    std::size_t loop = emit(Opcode::ForAny, three_valued_ ? k3v : 0,
                            static_cast<std::uint16_t>(p_.fieldsets.size() - 1), 0);
    body();
    emit(Opcode::EndAny);
    p_.code[loop].b = static_cast<std::uint32_t>(p_.code.size());
  }

  // ---- value(): leaves one value ----

  void value(const ast::Expr& e) {
    if (auto c = fold(e)) {
      emit(Opcode::PushConst, 0, 0, constant(*c));
      return;
    }
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Field>) {
            emit(Opcode::PushField, 0, 0, field_id(n.path, e.span));
          } else if constexpr (std::is_same_v<T, ast::Neg>) {
            value(*n.operand);
            emit(Opcode::Neg);
          } else if constexpr (std::is_same_v<T, ast::Arith>) {
            value(*n.lhs);
            value(*n.rhs);
            static constexpr Opcode kOps[] = {Opcode::Add, Opcode::Sub, Opcode::Mul, Opcode::Div,
                                              Opcode::Mod};
            emit(kOps[static_cast<int>(n.op)]);
          } else if constexpr (std::is_same_v<T, ast::Call>) {
            call(n, e.span);
          } else if constexpr (std::is_same_v<T, ast::Literal>) {
            emit(Opcode::PushConst, 0, 0, constant(n));
          } else if constexpr (std::is_same_v<T, ast::Compare> || std::is_same_v<T, ast::Match>) {
            // A predicate used as a value (`null == (x > 1)`): three-valued, as Elasticsearch
            // evaluates it inside a script, so a missing operand gives null, not false.
            Scoped mode(three_valued_, true);
            if constexpr (std::is_same_v<T, ast::Compare>)
              compare(n, e.span);
            else
              match(n, e.span);
          } else {
            cond(e);  // not / and / or used as a value: a boolean
          }
        },
        e.node);
  }

  // ---- cond(): leaves a boolean ----

  void cond(const ast::Expr& e) {
    Scoped mode(three_valued_, false);
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Literal>) {
            emit(Opcode::PushConst, 0, 0, constant(ast::Literal{truthy(to_value(n))}));
          } else if constexpr (std::is_same_v<T, ast::Field>) {
            // A bare field is `field == true`.
            emit(Opcode::FieldCompare, static_cast<std::uint8_t>(CmpOp::Eq) | kCmpLiteral,
                 field_id(n.path, e.span), constant(ast::Literal{true}));
          } else if constexpr (std::is_same_v<T, ast::Not>) {
            cond(*n.operand);
            emit(Opcode::Not);
          } else if constexpr (std::is_same_v<T, ast::Logical>) {
            const Opcode jump =
                n.op == ast::LogicalOp::And ? Opcode::JumpIfFalse : Opcode::JumpIfTrue;
            std::vector<std::size_t> exits;
            for (std::size_t i = 0; i < n.operands.size(); ++i) {
              cond(n.operands[i]);
              if (i + 1 < n.operands.size()) exits.push_back(emit(jump));
            }
            patch(exits);
          } else if constexpr (std::is_same_v<T, ast::Compare>) {
            compare(n, e.span);
          } else if constexpr (std::is_same_v<T, ast::Match>) {
            match(n, e.span);
          } else {
            // Neg, Arith, Call: a value used as a condition
            std::vector<std::uint16_t> fs;
            fields_in(e, fs);
            for_any(std::move(fs), [&] {
              value(e);
              emit(Opcode::Truthy);
            });
          }
        },
        e.node);
  }

  void compare(const ast::Compare& c, ast::SourceSpan) {
    if (c.op == ast::CompareOp::Ne) {
      // `a != b` is `not (a == b)` (S3)
      compare_eq_or_order(*c.lhs, *c.rhs, CmpOp::Eq, false);
      emit(Opcode::Not, three_valued_ ? k3v : 0);
      return;
    }
    CmpOp op = CmpOp::Eq;
    switch (c.op) {
      case ast::CompareOp::Lt:
        op = CmpOp::Lt;
        break;
      case ast::CompareOp::Le:
        op = CmpOp::Le;
        break;
      case ast::CompareOp::Gt:
        op = CmpOp::Gt;
        break;
      case ast::CompareOp::Ge:
        op = CmpOp::Ge;
        break;
      default:
        break;
    }
    compare_eq_or_order(*c.lhs, *c.rhs, op, false);
  }

  // x OP y, with the literal (if any) on the right.
  void compare_eq_or_order(const ast::Expr& lhs0, const ast::Expr& rhs0, CmpOp op, bool ci) {
    const ast::Expr* lhs = &lhs0;
    const ast::Expr* rhs = &rhs0;
    auto lc = fold(*lhs);
    auto rc = fold(*rhs);
    if (lc && !rc) {
      std::swap(lhs, rhs);
      std::swap(lc, rc);
      op = mirror(op);
    }
    if (rc && !ci && is_date_literal(*rc) && is_timestamp_field(*lhs)) {
      // T2: instants, the literal's read here once
      const std::int64_t t = instant(*rc, rhs->span);
      emit(Opcode::FieldDateCompare,
           static_cast<std::uint8_t>(static_cast<std::uint8_t>(op) | (three_valued_ ? kCmp3v : 0)),
           field_id(options_.timestamp_field, lhs->span), constant(ast::Literal{t}));
      return;
    }
    std::uint8_t flags = static_cast<std::uint8_t>(op) | (rc ? kCmpLiteral : 0) |
                         (ci ? kCmpCi : 0) | (three_valued_ ? kCmp3v : 0);
    if (auto* f = std::get_if<ast::Field>(&lhs->node); f && rc && !three_valued_) {
      emit(Opcode::FieldCompare, flags, field_id(f->path, lhs->span), constant(*rc));
      return;
    }
    std::vector<std::uint16_t> fs;
    fields_in(*lhs, fs);
    fields_in(*rhs, fs);
    for_any(std::move(fs), [&] {
      value(*lhs);
      value(*rhs);
      emit(Opcode::Compare, flags);
    });
  }

  void match(const ast::Match& m, ast::SourceSpan span) {
    check_list_length(m.values, "the list");
    switch (m.kind) {
      case ast::MatchKind::In:
      case ast::MatchKind::InCi:
        in_list(m);
        break;
      case ast::MatchKind::Seq:
      case ast::MatchKind::Like:
      case ast::MatchKind::LikeCi: {
        PatternSet ps(m.kind != ast::MatchKind::Like);
        for (const auto& v : m.values)
          ps.add(string_literal(v));
        ps.finish();
        p_.patterns.push_back(std::move(ps));
        predicate_on(*m.lhs, Opcode::FieldMatch, Opcode::MatchPatterns,
                     static_cast<std::uint32_t>(p_.patterns.size() - 1));
        break;
      }
      case ast::MatchKind::Regex:
      case ast::MatchKind::RegexCi: {
        std::vector<std::string> pats;
        for (const auto& v : m.values)
          pats.push_back(string_literal(v));
        RegexSet rs;
        std::size_t bad = 0;
        std::string why;
        bool too_large = false;
        if (!rs.build(pats, m.kind == ast::MatchKind::RegexCi, options_.max_regex_memory, bad, why,
                      too_large)) {
          if (too_large)
            fail(m.values[bad].span, ErrorCode::LimitExceeded,
                 "the regex needs more than " + std::to_string(options_.max_regex_memory) +
                     " bytes of memory once compiled (max_regex_memory)");
          fail(m.values[bad].span, ErrorCode::BadRegex, "invalid regex: " + why);
        }
        p_.regexes.push_back(std::move(rs));
        regex_of_[&m] = static_cast<std::uint32_t>(p_.regexes.size() - 1);
        predicate_on(*m.lhs, Opcode::FieldRegex, Opcode::MatchRegex,
                     static_cast<std::uint32_t>(p_.regexes.size() - 1));
        break;
      }
    }
    (void)span;
    if (m.negated) emit(Opcode::Not, three_valued_ ? k3v : 0);
  }

  // CompileOptions::max_list_length: the first value beyond the limit is the error's position.
  void check_list_length(const std::vector<ast::Expr>& values, const std::string& what) const {
    const std::size_t limit = options_.max_list_length;
    if (values.size() > limit)
      fail(values[limit].span, ErrorCode::LimitExceeded,
           what + " has " + std::to_string(values.size()) + " values; the limit is " +
               std::to_string(limit) + " (max_list_length)");
  }

  const std::string& string_literal(const ast::Expr& e) {
    const auto* l = std::get_if<ast::Literal>(&e.node);
    const auto* s = l ? std::get_if<std::string>(l) : nullptr;
    if (!s) fail(e.span, ErrorCode::Syntax, "expected a string literal: patterns must be strings");
    if (s->size() > options_.max_pattern_length)
      fail(e.span, ErrorCode::LimitExceeded,
           "the pattern is " + std::to_string(s->size()) + " bytes long; the limit is " +
               std::to_string(options_.max_pattern_length) + " (max_pattern_length)");
    return *s;
  }

  // Emits a one-operand predicate: fused when the operand is a field.
  void predicate_on(const ast::Expr& lhs, Opcode fused, Opcode general, std::uint32_t index) {
    if (auto* f = std::get_if<ast::Field>(&lhs.node); f && !three_valued_) {
      emit(fused, 0, field_id(f->path, lhs.span), index);
      return;
    }
    std::vector<std::uint16_t> fs;
    fields_in(lhs, fs);
    for_any(std::move(fs), [&] {
      value(lhs);
      emit(general, three_valued_ ? k3v : 0, 0, index);
    });
  }

  // Some member of the list is a date literal (T2 applies when the list is on the timestamp
  // field).
  bool dates_in(const std::vector<ast::Expr>& values) {
    return std::any_of(values.begin(), values.end(), [&](const ast::Expr& v) {
      auto l = fold(v);
      return l && is_date_literal(*l);
    });
  }

  // `@timestamp in (…)` (T2): `@timestamp == member` for each member, or-ed, so that dates
  // compare as instants; a null member matches nothing (as in a set). Three-valued inside a
  // value when every member is a constant, as the set is: every member's comparison is then
  // null exactly when the field has no value.
  void date_list(const ast::Match& m) {
    const bool constants = std::all_of(m.values.begin(), m.values.end(),
                                       [&](const ast::Expr& v) { return fold(v).has_value(); });
    Scoped mode(three_valued_, three_valued_ && constants);
    std::vector<std::size_t> exits;
    bool first = true;
    for (const auto& v : m.values) {
      if (auto l = fold(v); l && std::holds_alternative<ast::Null>(*l)) continue;
      if (!first) exits.push_back(emit(Opcode::JumpIfTrue));
      compare_eq_or_order(*m.lhs, v, CmpOp::Eq, false);
      first = false;
    }
    patch(exits);
  }

  // `x in (…)`: the constant members become one set; other members `x == member`; all or-ed.
  void in_list(const ast::Match& m) {
    const bool ci = m.kind == ast::MatchKind::InCi;
    if (auto l = fold(*m.lhs); l && std::holds_alternative<ast::Null>(*l)) {
      // `null in (...)`: no value is in any list (S2; Elasticsearch's In gives null)
      emit(Opcode::PushConst, 0, 0,
           constant(three_valued_ ? ast::Literal{ast::Null{}} : ast::Literal{false}));
      return;
    }
    if (!ci && is_timestamp_field(*m.lhs) && dates_in(m.values)) {
      date_list(m);
      return;
    }
    ValueSet set(ci);
    std::vector<const ast::Expr*> others;
    std::vector<ast::Literal> folded;
    for (const auto& v : m.values) {
      if (auto c = fold(v))
        folded.push_back(std::move(*c));
      else
        others.push_back(&v);
    }
    // Members that are not constants are or-ed comparisons: two-valued even inside a value.
    Scoped mode(three_valued_, three_valued_ && others.empty());
    std::vector<std::size_t> exits;
    if (!folded.empty()) {
      for (const auto& l : folded)
        set.add(to_value(l));
      p_.sets.push_back(std::move(set));
      predicate_on(*m.lhs, Opcode::FieldInSet, Opcode::InSet,
                   static_cast<std::uint32_t>(p_.sets.size() - 1));
      if (!others.empty()) exits.push_back(emit(Opcode::JumpIfTrue));
    }
    for (std::size_t i = 0; i < others.size(); ++i) {
      compare_eq_or_order(*m.lhs, *others[i], CmpOp::Eq, ci);
      if (i + 1 < others.size()) exits.push_back(emit(Opcode::JumpIfTrue));
    }
    patch(exits);
  }

  // Checks a call against the function table (name, `~`, arity, literal-only arguments).
  const FunctionInfo& check_call(const ast::Call& c, ast::SourceSpan span) {
    check_list_length(c.args, "the call of [" + c.name + "]");
    const FunctionInfo* f = find_function(c.name);
    if (!f) {
      std::string msg = "unknown function [" + c.name + "]";
      if (const FunctionInfo* near = closest_function(c.name))
        msg += ", did you mean [" + std::string(near->name) + "]?";
      fail(span, ErrorCode::UnknownName, msg);
    }
    if (c.insensitive && !f->tilde)
      fail(span, ErrorCode::Syntax,
           "function [" + std::string(f->name) + "] has no case-insensitive form: remove the '~'");
    const std::size_t n = c.args.size();
    if (n < f->min_args || n > f->max_args) {
      std::string takes = f->min_args == f->max_args ? std::to_string(f->min_args)
                          : f->max_args == 255
                              ? std::to_string(f->min_args) + " or more"
                              : std::to_string(f->min_args) + " to " + std::to_string(f->max_args);
      fail(span, ErrorCode::Syntax,
           "function [" + std::string(f->name) + "] takes " + takes + " argument" +
               (takes == "1" ? "" : "s") + ", " + f->signature + "; got " + std::to_string(n));
    }
    // Arguments Elasticsearch requires to be constants.
    auto literal_arg = [&](std::size_t i, const char* what) -> std::optional<ast::Literal> {
      auto lit = fold(c.args[i]);
      if (!lit)
        fail(c.args[i].span, ErrorCode::Syntax,
             "the " + std::string(what) + " of [" + f->name + "] must be a literal");
      return lit;
    };
    if (f->id == Function::Number && n == 2) {
      auto base = literal_arg(1, "base");
      const auto* b = std::get_if<std::int64_t>(&*base);
      const bool default_base = std::holds_alternative<ast::Null>(*base);  // null: base 10
      if (!default_base && (!b || *b < 2 || *b > 36))
        fail(c.args[1].span, ErrorCode::Syntax, "the base of [number] is an integer from 2 to 36");
    }
    if (f->id == Function::Between && n == 4) {
      auto greedy = literal_arg(3, "greedy flag");
      if (!std::holds_alternative<bool>(*greedy))
        fail(c.args[3].span, ErrorCode::Syntax, "the greedy flag of [between] is true or false");
    }
    if (f->id == Function::CidrMatch) {
      for (std::size_t i = 1; i < n; ++i) {
        auto cidr = literal_arg(i, "CIDR block");
        const auto* text = std::get_if<std::string>(&*cidr);
        if (text && ipv4_mapped_block(*text))
          fail(c.args[i].span, ErrorCode::Syntax,
               "a CIDR block on an IPv6-mapped IPv4 address cannot have a /prefix (is it IPv4 or "
               "IPv6 bits?): write the IPv4 block, e.g. \"10.0.0.0/8\"");
        if (!text || !valid_cidr(*text))
          fail(c.args[i].span, ErrorCode::Syntax,
               "invalid CIDR block: expected an IPv4 or IPv6 address with an optional /prefix, "
               "e.g. \"10.0.0.0/8\"");
      }
    }
    return *f;
  }

  void call(const ast::Call& c, ast::SourceSpan span) {
    const FunctionInfo& f = check_call(c, span);
    for (const auto& a : c.args)
      value(a);
    emit(Opcode::Call, c.insensitive ? 1 : 0, static_cast<std::uint16_t>(f.id),
         static_cast<std::uint32_t>(c.args.size()));
  }

  // ---- anchors (Program::anchors): necessary conditions from the top-level conjunction ----

  // Each necessary condition of the where clause becomes one entry of Program::anchors; the
  // RuleSet files the rule under the cheapest.
  void anchors(const ast::Expr& e) {
    for (auto& option : options(e))
      if (std::find(p_.anchors.begin(), p_.anchors.end(), option) == p_.anchors.end())
        p_.anchors.push_back(std::move(option));
  }

  // Necessary conditions of `e`, each a list of anchors of which `e` needs at least one (empty
  // list: none known). An `and` needs the conditions of each operand. An `or` needs, for every
  // way of taking one condition from each branch, one of their anchors: `(a and b) or c`
  // needs `a | c` and `b | c`, so the RuleSet can choose the branch conditions by cost. The
  // combinations are capped at kMaxOptions: beyond, the combinations with an Exists anchor go
  // first, then a branch offers only its condition with the fewest keys. (Elastic's 861 rules
  // over the generated ECS events: 2.82 rules run per event with 16, 2.23 with 32, 2.38 with
  // 64; starting them: 690 M, 716 M, 749 M instructions.)
  static constexpr std::size_t kMaxOptions = 32;
  using Options = std::vector<std::vector<Anchor>>;

  static std::size_t key_count(const std::vector<Anchor>& condition) {
    std::size_t keys = 0;
    for (const auto& a : condition)
      keys += a.keys.size();
    return keys;
  }

  Options options(const ast::Expr& e) {
    if (const auto* l = std::get_if<ast::Logical>(&e.node)) {
      Options out;
      if (l->op == ast::LogicalOp::Or) {
        out.emplace_back();  // the product so far: one empty combination
        for (const auto& operand : l->operands) {
          Options branch = options(operand);
          if (branch.empty()) return {};  // a branch without an anchor: no necessary condition
          if (out.size() * branch.size() > kMaxOptions) {
            // first without the conditions so far and of the branch that any value of some
            // field meets (Exists), then with only the branch's condition of the fewest keys
            auto any_value = [](const std::vector<Anchor>& c) {
              return std::any_of(c.begin(), c.end(),
                                 [](const Anchor& a) { return a.kind == Anchor::Kind::Exists; });
            };
            for (Options* o : {&out, &branch})
              if (!std::all_of(o->begin(), o->end(), any_value)) std::erase_if(*o, any_value);
          }
          if (out.size() * branch.size() > kMaxOptions) {
            auto fewest = std::min_element(
                branch.begin(), branch.end(),
                [](const auto& x, const auto& y) { return key_count(x) < key_count(y); });
            branch = Options{std::move(*fewest)};
          }
          if (branch.size() == 1) {  // in place: a long `or` chain stays linear
            for (auto& sofar : out)
              sofar.insert(sofar.end(), branch[0].begin(), branch[0].end());
            continue;
          }
          Options next;
          for (const auto& sofar : out)
            for (const auto& c : branch) {
              next.push_back(sofar);
              next.back().insert(next.back().end(), c.begin(), c.end());
            }
          out = std::move(next);
        }
        return out;
      }
      for (const auto& operand : l->operands)
        for (auto& c : options(operand))
          out.push_back(std::move(c));
      return out;
    }
    auto alternatives = predicate_anchors(e);
    if (alternatives.empty()) return {};
    return Options{std::move(alternatives)};
  }

  // ---- Program::decided_by_anchors ----

  // A key that the text of no number or boolean equals (S8): a value meets it exactly when
  // it is a string equal to it.
  static bool plain_key(std::string_view key) {
    Value n;
    std::string folded;
    fold_ascii(key, folded);
    return !parse_number(key, n) && folded != "true" && folded != "false";
  }

  // Whether `e` holds exactly when its anchors are met: a conjunction (outside any `or`) of
  // `or`s of predicates each of which decided_predicate() accepts.
  bool decided(const ast::Expr& e, bool in_or) {
    if (const auto* l = std::get_if<ast::Logical>(&e.node)) {
      if (l->op == ast::LogicalOp::And && in_or) return false;
      return std::all_of(l->operands.begin(), l->operands.end(), [&](const ast::Expr& x) {
        return decided(x, l->op == ast::LogicalOp::Or);
      });
    }
    return decided_predicate(e);
  }

  // A predicate whose anchors (predicate_anchors) say exactly when it holds: `f == "text"`,
  // `f != null`, `f in (...)`, `f in~ (...)`, `f : (...)`, `f like (...)`, `f like~ (...)` of
  // plain keys (plain_key) and patterns `*literal*` (S6: a value matches one exactly when it
  // contains the literal), on a field other than the timestamp (T2: instants).
  bool decided_predicate(const ast::Expr& e) {
    if (const auto* c = std::get_if<ast::Compare>(&e.node)) {
      const ast::Field* field = std::get_if<ast::Field>(&c->lhs->node);
      const ast::Expr* other = c->rhs.operator->();
      if (!field) {
        field = std::get_if<ast::Field>(&c->rhs->node);
        other = c->lhs.operator->();
      }
      if (!field || field->path == options_.timestamp_field) return false;
      const auto lit = fold(*other);
      if (!lit) return false;
      if (c->op == ast::CompareOp::Ne) return std::holds_alternative<ast::Null>(*lit);
      const auto* s = std::get_if<std::string>(&*lit);
      return c->op == ast::CompareOp::Eq && s && plain_key(*s);
    }
    const auto* m = std::get_if<ast::Match>(&e.node);
    if (!m || m->negated) return false;
    const ast::Field* field = std::get_if<ast::Field>(&m->lhs->node);
    if (!field || field->path == options_.timestamp_field) return false;
    const bool patterns = m->kind == ast::MatchKind::Seq || m->kind == ast::MatchKind::Like ||
                          m->kind == ast::MatchKind::LikeCi;
    if (!patterns && m->kind != ast::MatchKind::In && m->kind != ast::MatchKind::InCi) return false;
    bool any = false;
    for (const auto& v : m->values) {
      const auto lit = fold(v);
      if (!lit) return false;
      if (std::holds_alternative<ast::Null>(*lit)) continue;  // matches nothing
      const auto* s = std::get_if<std::string>(&*lit);
      if (!s) return false;
      any = true;
      if (!patterns || s->find_first_of("*?") == std::string::npos) {
        if (!plain_key(*s)) return false;
        continue;
      }
      // `*literal*`: the literal is the pattern's necessary run, and all of it
      if (s->size() < 3 || s->front() != '*' || s->back() != '*' ||
          s->find_first_of("*?", 1) != s->size() - 1)
        return false;
    }
    return any;
  }

  // The string a literal equals (S8): a string value meets `== 4624`, `in (4624)`, `: 4624`
  // only as "4624", and `== true` only as "true" (the literal's JSON text, text_of); a value
  // that is not a string marks every rule of its field anyway (RuleSet). Null: none.
  static std::optional<std::string> anchor_key(const ast::Literal& lit) {
    if (const auto* s = std::get_if<std::string>(&lit)) return *s;
    if (std::holds_alternative<ast::Null>(lit)) return std::nullopt;
    std::string buf;
    std::string_view text;
    if (!text_of(to_value(lit), buf, text)) return std::nullopt;
    return std::string(text);
  }

  // The anchors of one predicate, any of which it needs (empty: none). A pattern list gives
  // up to two: its plain patterns as exact keys, the others' necessary literals as contains
  // keys; one pattern without a literal run (`*`) leaves only the field's having a value (S2:
  // a positive predicate is false on no value), as do `<`...`>=`, `!= null` and a regex
  // without necessary literals. `!=` and negations need no value (S3).
  std::vector<Anchor> predicate_anchors(const ast::Expr& e) {
    const ast::Field* field = nullptr;
    Anchor exact, contains;
    contains.kind = Anchor::Kind::Contains;
    auto exists = [&] {
      Anchor a;
      a.kind = Anchor::Kind::Exists;
      a.field = field_id(field->path, e.span);
      return std::vector<Anchor>{std::move(a)};
    };
    if (const auto* c = std::get_if<ast::Compare>(&e.node)) {
      field = std::get_if<ast::Field>(&c->lhs->node);
      const ast::Expr* other = c->rhs.operator->();
      if (!field) {
        field = std::get_if<ast::Field>(&c->rhs->node);
        other = c->lhs.operator->();
      }
      auto lit = field ? fold(*other) : std::nullopt;
      if (!lit) return {};  // not a field against a constant
      const bool null = std::holds_alternative<ast::Null>(*lit);
      if (c->op == ast::CompareOp::Ne) return null ? exists() : std::vector<Anchor>{};  // S3
      if (null) return {};  // `== null`: true on no value; `< null`: never true
      // T2: instants, whose texts differ (`"2020-05-04"` equals "2020-05-04T00:00:00.000Z")
      if (field->path == options_.timestamp_field && is_date_literal(*lit)) return exists();
      if (c->op != ast::CompareOp::Eq) return exists();
      auto key = anchor_key(*lit);
      if (!key) return exists();
      exact.typed = !std::holds_alternative<std::string>(*lit);
      exact.keys.push_back(std::move(*key));
    } else if (const auto* m = std::get_if<ast::Match>(&e.node); m && !m->negated) {
      field = std::get_if<ast::Field>(&m->lhs->node);
      if (!field) return {};
      if (m->kind == ast::MatchKind::In && field->path == options_.timestamp_field &&
          dates_in(m->values))
        return exists();  // T2: instants (date_list)
      if (m->kind == ast::MatchKind::Regex || m->kind == ast::MatchKind::RegexCi) {
        // A regex's necessary literals (RE2's prefilter), ASCII-folded: a contains anchor.
        auto it = regex_of_.find(m);  // compiled by cond() before the anchors
        if (it == regex_of_.end()) return exists();
        contains.folded = true;
        contains.keys = p_.regexes[it->second].necessary_literals();
        if (contains.keys.empty()) return exists();
        contains.field = field_id(field->path, e.span);
        return {std::move(contains)};
      }
      const bool patterns = m->kind == ast::MatchKind::Seq || m->kind == ast::MatchKind::Like ||
                            m->kind == ast::MatchKind::LikeCi;
      if (!patterns && m->kind != ast::MatchKind::In && m->kind != ast::MatchKind::InCi) return {};
      exact.folded = contains.folded = m->kind == ast::MatchKind::Seq ||
                                       m->kind == ast::MatchKind::LikeCi ||
                                       m->kind == ast::MatchKind::InCi;
      for (const auto& v : m->values) {
        auto lit = fold(v);
        if (lit && std::holds_alternative<ast::Null>(*lit)) continue;  // matches nothing
        auto key = lit ? anchor_key(*lit) : std::nullopt;
        if (!key) return exists();
        if (!std::holds_alternative<std::string>(*lit)) exact.typed = true;
        const std::string* s = &*key;
        if (!patterns || s->find_first_of("*?") == std::string::npos) {
          exact.keys.push_back(*s);  // S6: a pattern without wildcards is plain equality
          continue;
        }
        std::string run = necessary_literal(*s);
        if (run.empty()) return exists();  // `*`, `?*`: any value may match
        contains.keys.push_back(std::move(run));
      }
    } else {
      return {};
    }
    if (!field) return {};
    std::vector<Anchor> out;
    for (Anchor* a : {&exact, &contains}) {
      // (a list of nulls only matches nothing: an exact anchor without keys)
      if (a->keys.empty() && (a == &contains || !contains.keys.empty())) continue;
      if (a->folded)
        for (auto& k : a->keys) {
          std::string f;
          fold_ascii(k, f);
          k = std::move(f);
        }
      std::sort(a->keys.begin(), a->keys.end());
      a->keys.erase(std::unique(a->keys.begin(), a->keys.end()), a->keys.end());
      a->field = field_id(field->path, e.span);
      out.push_back(std::move(*a));
    }
    return out;
  }

  void pipes(const ast::Query& q) {
    static constexpr const char* kUnsupported[] = {"count", "filter", "sort", "unique",
                                                   "unique_count"};
    for (const auto& pipe : q.pipes) {
      if (pipe.name == "head" || pipe.name == "tail") {
        const ast::Literal* l =
            pipe.args.size() == 1 ? std::get_if<ast::Literal>(&pipe.args[0].node) : nullptr;
        const std::int64_t* n = l ? std::get_if<std::int64_t>(l) : nullptr;
        if (!n)
          fail(pipe.span, ErrorCode::Syntax,
               "pipe [" + pipe.name + "] takes one non-negative integer, e.g. | " + pipe.name +
                   " 10");
        p_.pipes.push_back(
            PipeStage{pipe.name == "head" ? PipeStage::Kind::Head : PipeStage::Kind::Tail,
                      static_cast<std::uint64_t>(*n)});
        continue;
      }
      for (const char* u : kUnsupported)
        if (pipe.name == u)
          fail(pipe.span, ErrorCode::Unsupported,
               "pipe [" + pipe.name + "] is not supported (only head and tail are)");
      fail(pipe.span, ErrorCode::UnknownName,
           "unknown pipe [" + pipe.name + "]: the pipes are head and tail");
    }
  }

  std::string_view text_;
  const CompileOptions& options_;
  Program& p_;
  std::unordered_map<std::string, std::uint16_t> field_ids_;
  std::unordered_map<const ast::Match*, std::uint32_t> regex_of_;  // its RegexSet in p_.regexes
  bool three_valued_ = false;  // emitting a predicate used as a value (see value())
};

}  // namespace

Result<std::shared_ptr<Program>> compile_program(const ast::Query& query, std::string_view text,
                                                 const CompileOptions& options) {
  auto p = std::make_shared<Program>();
  p->text = std::string(text);
  try {
    Compiler c(text, options, *p);
    c.query(query);
  } catch (const CompileError& e) {
    return Error{e.code, e.message, SourceLocation::at(text, e.offset)};
  }
  specialise(*p);
  fuse_jumps(*p);
  if (auto v = verify(*p); !v) return v.error();
  return p;
}

}  // namespace eqlite::internal
