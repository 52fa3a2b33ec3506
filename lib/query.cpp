// lib/query.cpp — compile() = parse -> compile -> verify.
#include "eqlite/query.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <variant>

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

namespace {

// Query::field_uses(): one walk over the AST.
class FieldUseWalker {
 public:
  FieldUseWalker(std::string_view text, std::vector<FieldUse>& out) : text_(text), out_(out) {}

  void query(const ast::Query& q) {
    for (const auto& k : q.keys)
      key(k);
    if (q.kind == ast::Query::Kind::Event) {
      expr(q.where);
      return;
    }
    for (const auto* stages : {&q.stages, &q.until})
      for (const auto& st : *stages) {
        query(st.query);
        for (const auto& k : st.keys)
          key(k);
      }
  }

 private:
  std::string_view text_;
  std::vector<FieldUse>& out_;

  static const ast::Field* field_of(const ast::Expr& e) { return std::get_if<ast::Field>(&e.node); }

  FieldUse use(const ast::Expr& e, const ast::Field& f, FieldUse::Op op) const {
    FieldUse u;
    u.field = f.path;
    u.offset = e.span.begin;
    u.length = e.span.end - e.span.begin;
    u.op = op;
    return u;
  }

  void key(const ast::JoinKey& k) {
    FieldUse u;
    u.field = k.field.path;
    u.offset = k.span.begin;
    u.length = k.span.end - k.span.begin;
    u.op = FieldUse::Op::JoinKey;
    out_.push_back(std::move(u));
  }

  // A literal, or a negated number literal (`-5`).
  std::optional<LiteralUse> literal(const ast::Expr& e) const {
    if (const auto* neg = std::get_if<ast::Neg>(&e.node)) {
      auto inner = literal(*neg->operand);
      if (!inner ||
          (inner->kind != LiteralUse::Kind::Integer && inner->kind != LiteralUse::Kind::Double))
        return std::nullopt;
      inner->text.insert(0, "-");
      inner->offset = e.span.begin;
      return inner;
    }
    const auto* lit = std::get_if<ast::Literal>(&e.node);
    if (!lit) return std::nullopt;
    LiteralUse l;
    l.offset = e.span.begin;
    const std::string_view written = text_.substr(e.span.begin, e.span.end - e.span.begin);
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            l.kind = LiteralUse::Kind::String;
            l.text = v;
          } else {
            l.kind = std::is_same_v<T, bool>           ? LiteralUse::Kind::Boolean
                     : std::is_same_v<T, std::int64_t> ? LiteralUse::Kind::Integer
                     : std::is_same_v<T, double>       ? LiteralUse::Kind::Double
                                                       : LiteralUse::Kind::Null;
            l.text = std::string(written);
          }
        },
        *lit);
    return l;
  }

  static FieldUse::Op compare_op(ast::CompareOp op, bool swapped) {
    switch (op) {
      case ast::CompareOp::Eq:
        return FieldUse::Op::Eq;
      case ast::CompareOp::Ne:
        return FieldUse::Op::Ne;
      case ast::CompareOp::Lt:
        return swapped ? FieldUse::Op::Gt : FieldUse::Op::Lt;
      case ast::CompareOp::Le:
        return swapped ? FieldUse::Op::Ge : FieldUse::Op::Le;
      case ast::CompareOp::Gt:
        return swapped ? FieldUse::Op::Lt : FieldUse::Op::Gt;
      case ast::CompareOp::Ge:
        return swapped ? FieldUse::Op::Le : FieldUse::Op::Ge;
    }
    return FieldUse::Op::Other;
  }

  static FieldUse::Op match_op(ast::MatchKind k) {
    switch (k) {
      case ast::MatchKind::In:
        return FieldUse::Op::In;
      case ast::MatchKind::InCi:
        return FieldUse::Op::InCi;
      case ast::MatchKind::Seq:
        return FieldUse::Op::Seq;
      case ast::MatchKind::Like:
        return FieldUse::Op::Like;
      case ast::MatchKind::LikeCi:
        return FieldUse::Op::LikeCi;
      case ast::MatchKind::Regex:
        return FieldUse::Op::Regex;
      case ast::MatchKind::RegexCi:
        return FieldUse::Op::RegexCi;
    }
    return FieldUse::Op::Other;
  }

  void expr(const ast::Expr& e) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Field>) {
            out_.push_back(use(e, n, FieldUse::Op::Other));
          } else if constexpr (std::is_same_v<T, ast::Not> || std::is_same_v<T, ast::Neg>) {
            expr(*n.operand);
          } else if constexpr (std::is_same_v<T, ast::Logical>) {
            for (const auto& o : n.operands)
              expr(o);
          } else if constexpr (std::is_same_v<T, ast::Arith>) {
            expr(*n.lhs);
            expr(*n.rhs);
          } else if constexpr (std::is_same_v<T, ast::Compare>) {
            const ast::Field* lf = field_of(*n.lhs);
            const ast::Field* rf = field_of(*n.rhs);
            auto rl = lf ? literal(*n.rhs) : std::nullopt;
            auto ll = rf && !rl ? literal(*n.lhs) : std::nullopt;
            if (lf && rl) {
              out_.push_back(use(*n.lhs, *lf, compare_op(n.op, false)));
              out_.back().literals.push_back(std::move(*rl));
            } else if (rf && ll) {
              out_.push_back(use(*n.rhs, *rf, compare_op(n.op, true)));
              out_.back().literals.push_back(std::move(*ll));
            } else {
              expr(*n.lhs);
              expr(*n.rhs);
            }
          } else if constexpr (std::is_same_v<T, ast::Match>) {
            if (const ast::Field* f = field_of(*n.lhs)) {
              FieldUse u = use(*n.lhs, *f, match_op(n.kind));
              u.negated = n.negated;
              for (const auto& v : n.values)
                if (auto l = literal(v)) u.literals.push_back(std::move(*l));
              out_.push_back(std::move(u));
            } else {
              expr(*n.lhs);
            }
            for (const auto& v : n.values)
              if (!literal(v)) expr(v);
          } else if constexpr (std::is_same_v<T, ast::Call>) {
            std::vector<LiteralUse> literals;
            for (const auto& a : n.args)
              if (auto l = literal(a)) literals.push_back(std::move(*l));
            for (std::size_t i = 0; i < n.args.size(); ++i) {
              if (const ast::Field* f = field_of(n.args[i])) {
                FieldUse u = use(n.args[i], *f, FieldUse::Op::Call);
                u.function = n.name;
                u.argument = i;
                u.literals = literals;
                out_.push_back(std::move(u));
              } else {
                expr(n.args[i]);
              }
            }
          }
        },
        e.node);
  }
};

}  // namespace

std::vector<std::vector<std::string>> Query::join_keys() const {
  std::vector<std::vector<std::string>> out;
  if (!sequence_) return out;
  for (const auto* stages : {&sequence_->stages, &sequence_->until})
    for (const auto& stage : *stages) {
      auto& keys = out.emplace_back();
      for (const std::uint16_t f : stage.keys)
        keys.push_back(sequence_->fields[f]);
    }
  return out;
}

std::vector<FieldUse> Query::field_uses() const {
  internal::ParseLimits limits;  // as dump_ast(): the text parsed once within tighter limits
  limits.max_depth = std::numeric_limits<std::size_t>::max();
  limits.max_query_length = std::numeric_limits<std::size_t>::max();
  auto ast = internal::parse(program_->text, limits);
  std::vector<FieldUse> out;
  if (!ast) return out;
  FieldUseWalker(program_->text, out).query(*ast);
  std::stable_sort(out.begin(), out.end(),
                   [](const FieldUse& a, const FieldUse& b) { return a.offset < b.offset; });
  return out;
}

std::string quote_string(std::string_view text) {
  return ast::quote(text);
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

namespace {

// Every span of `e` set to `span`: a filter's nodes stand for the condition they are added to.
void set_spans(ast::Expr& e, ast::SourceSpan span) {
  e.span = span;
  std::visit(
      [&](auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::Not> || std::is_same_v<T, ast::Neg>) {
          set_spans(*n.operand, span);
        } else if constexpr (std::is_same_v<T, ast::Logical>) {
          for (auto& o : n.operands)
            set_spans(o, span);
        } else if constexpr (std::is_same_v<T, ast::Compare> || std::is_same_v<T, ast::Arith>) {
          set_spans(*n.lhs, span);
          set_spans(*n.rhs, span);
        } else if constexpr (std::is_same_v<T, ast::Match>) {
          set_spans(*n.lhs, span);
          for (auto& v : n.values)
            set_spans(v, span);
        } else if constexpr (std::is_same_v<T, ast::Call>) {
          for (auto& a : n.args)
            set_spans(a, span);
        }
      },
      e.node);
}

// CompileOptions::filter: `where` becomes `(filter) and (where)`.
void add_filter(ast::Query& q, const std::string& filter_query,
                const internal::ParseLimits& limits) {
  auto f = internal::parse(filter_query, limits);  // checked by compile(): it parses
  ast::Expr cond = std::move(f->where);
  set_spans(cond, q.where.span);
  ast::Logical both{ast::LogicalOp::And, {}};
  both.operands.push_back(std::move(cond));
  both.operands.push_back(std::move(q.where));
  q.where = ast::Expr{both.operands.back().span, std::move(both)};
}

}  // namespace

Result<Query> compile(std::string_view text, const CompileOptions& options) {
  internal::ParseLimits limits;
  limits.max_depth = options.max_depth;
  limits.max_query_length = options.max_query_length;
  auto ast = internal::parse(text, limits);
  if (!ast) return ast.error();
  if (!options.filter.empty()) {
    const std::string filter_query = "any where " + options.filter;
    auto f = internal::parse(filter_query, limits);
    Error bad{ErrorCode::InvalidArgument, "", {}};
    if (!f)
      bad.message = "the filter (CompileOptions::filter) is not a condition: " + f.error().message;
    else if (f->kind != ast::Query::Kind::Event || !f->pipes.empty())
      bad.message = "the filter (CompileOptions::filter) must be a condition, without pipes";
    if (!bad.message.empty()) return bad;
    if (ast->kind == ast::Query::Kind::Event) {
      add_filter(*ast, filter_query, limits);
    } else {
      for (auto& st : ast->stages)
        add_filter(st.query, filter_query, limits);
      for (auto& st : ast->until)
        add_filter(st.query, filter_query, limits);
    }
  }
  if (ast->kind != ast::Query::Kind::Event) return internal::compile_sequence(*ast, text, options);
  auto program = internal::compile_program(*ast, text, options);
  if (!program) return program.error();
  return Query(std::move(*program));
}

}  // namespace eqlite
