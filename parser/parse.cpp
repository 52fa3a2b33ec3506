// parser/parse.cpp — runs the grammar with PEGTL, building a parse tree of the selected rules
// (tree_control), then turns the tree into the AST. This file is the single place where PEGTL's
// parse_error is caught and converted into an eqlite::Error (architecture.md, error-handling
// policy).
#include "parser/parse.hpp"

#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <string>
#include <tao/pegtl.hpp>
#include <vector>

#include "eval/bytes.hpp"
#include "parser/errors.hpp"
#include "parser/grammar.hpp"

namespace eqlite::internal {
namespace {

namespace pegtl = tao::pegtl;
namespace g = grammar;

// ---- which grammar rules become parse-tree nodes ---------------------------------------------

enum class NodeKind : std::uint8_t {
  Other,
  Query,
  Pipe,
  PipeName,
  CatAny,
  CatName,
  CatString,
  Or,
  And,
  NotOp,
  Comparison,
  Arith,
  Term,
  Neg,
  Pos,
  Postfix,
  CmpEq,
  CmpNe,
  CmpLt,
  CmpLe,
  CmpGt,
  CmpGe,
  OpAdd,
  OpSub,
  OpMul,
  OpDiv,
  OpMod,
  DqString,
  RawString,
  Number,
  True,
  False,
  Null,
  Field,
  FieldOptional,
  SegIdent,
  SegAny,
  SegBacktick,
  Call,
  CallName,
  CallTilde,
  PredNotInCi,
  PredNotIn,
  PredInCi,
  PredIn,
  PredSeq,
  PredLikeCi,
  PredLike,
  PredRegexCi,
  PredRegex,
  Sequence,
  Sample,
  JoinKeys,
  JoinKey,
  Duration,
  Stage,
  MissingMark,
  RunsValue,
  Until,
};

template <typename Rule>
inline constexpr NodeKind kind_of = NodeKind::Other;
// clang-format off
template <> inline constexpr NodeKind kind_of<g::query> = NodeKind::Query;
template <> inline constexpr NodeKind kind_of<g::pipe> = NodeKind::Pipe;
template <> inline constexpr NodeKind kind_of<g::expect_pipe_name> = NodeKind::PipeName;
template <> inline constexpr NodeKind kind_of<g::cat_any> = NodeKind::CatAny;
template <> inline constexpr NodeKind kind_of<g::cat_name> = NodeKind::CatName;
template <> inline constexpr NodeKind kind_of<g::cat_string> = NodeKind::CatString;
template <> inline constexpr NodeKind kind_of<g::or_expr> = NodeKind::Or;
template <> inline constexpr NodeKind kind_of<g::and_expr> = NodeKind::And;
template <> inline constexpr NodeKind kind_of<g::not_op> = NodeKind::NotOp;
template <> inline constexpr NodeKind kind_of<g::comparison> = NodeKind::Comparison;
template <> inline constexpr NodeKind kind_of<g::arith> = NodeKind::Arith;
template <> inline constexpr NodeKind kind_of<g::term> = NodeKind::Term;
template <> inline constexpr NodeKind kind_of<g::neg> = NodeKind::Neg;
template <> inline constexpr NodeKind kind_of<g::pos> = NodeKind::Pos;
template <> inline constexpr NodeKind kind_of<g::postfix> = NodeKind::Postfix;
template <> inline constexpr NodeKind kind_of<g::cmp_eq> = NodeKind::CmpEq;
template <> inline constexpr NodeKind kind_of<g::cmp_ne> = NodeKind::CmpNe;
template <> inline constexpr NodeKind kind_of<g::cmp_lt> = NodeKind::CmpLt;
template <> inline constexpr NodeKind kind_of<g::cmp_le> = NodeKind::CmpLe;
template <> inline constexpr NodeKind kind_of<g::cmp_gt> = NodeKind::CmpGt;
template <> inline constexpr NodeKind kind_of<g::cmp_ge> = NodeKind::CmpGe;
template <> inline constexpr NodeKind kind_of<g::op_add> = NodeKind::OpAdd;
template <> inline constexpr NodeKind kind_of<g::op_sub> = NodeKind::OpSub;
template <> inline constexpr NodeKind kind_of<g::op_mul> = NodeKind::OpMul;
template <> inline constexpr NodeKind kind_of<g::op_div> = NodeKind::OpDiv;
template <> inline constexpr NodeKind kind_of<g::op_mod> = NodeKind::OpMod;
template <> inline constexpr NodeKind kind_of<g::dq_string> = NodeKind::DqString;
template <> inline constexpr NodeKind kind_of<g::raw_string> = NodeKind::RawString;
template <> inline constexpr NodeKind kind_of<g::number> = NodeKind::Number;
template <> inline constexpr NodeKind kind_of<g::lit_true> = NodeKind::True;
template <> inline constexpr NodeKind kind_of<g::lit_false> = NodeKind::False;
template <> inline constexpr NodeKind kind_of<g::lit_null> = NodeKind::Null;
template <> inline constexpr NodeKind kind_of<g::field> = NodeKind::Field;
template <> inline constexpr NodeKind kind_of<g::field_optional> = NodeKind::FieldOptional;
template <> inline constexpr NodeKind kind_of<g::seg_ident> = NodeKind::SegIdent;
template <> inline constexpr NodeKind kind_of<g::seg_any> = NodeKind::SegAny;
template <> inline constexpr NodeKind kind_of<g::seg_backtick> = NodeKind::SegBacktick;
template <> inline constexpr NodeKind kind_of<g::call> = NodeKind::Call;
template <> inline constexpr NodeKind kind_of<g::call_name> = NodeKind::CallName;
template <> inline constexpr NodeKind kind_of<g::call_tilde> = NodeKind::CallTilde;
template <> inline constexpr NodeKind kind_of<g::pred_not_in_ci> = NodeKind::PredNotInCi;
template <> inline constexpr NodeKind kind_of<g::pred_not_in> = NodeKind::PredNotIn;
template <> inline constexpr NodeKind kind_of<g::pred_in_ci> = NodeKind::PredInCi;
template <> inline constexpr NodeKind kind_of<g::pred_in> = NodeKind::PredIn;
template <> inline constexpr NodeKind kind_of<g::pred_seq> = NodeKind::PredSeq;
template <> inline constexpr NodeKind kind_of<g::pred_like_ci> = NodeKind::PredLikeCi;
template <> inline constexpr NodeKind kind_of<g::pred_like> = NodeKind::PredLike;
template <> inline constexpr NodeKind kind_of<g::pred_regex_ci> = NodeKind::PredRegexCi;
template <> inline constexpr NodeKind kind_of<g::pred_regex> = NodeKind::PredRegex;
template <> inline constexpr NodeKind kind_of<g::sequence_query> = NodeKind::Sequence;
template <> inline constexpr NodeKind kind_of<g::sample_query> = NodeKind::Sample;
template <> inline constexpr NodeKind kind_of<g::join_keys> = NodeKind::JoinKeys;
template <> inline constexpr NodeKind kind_of<g::join_key> = NodeKind::JoinKey;
template <> inline constexpr NodeKind kind_of<g::duration> = NodeKind::Duration;
template <> inline constexpr NodeKind kind_of<g::stage> = NodeKind::Stage;
template <> inline constexpr NodeKind kind_of<g::missing_mark> = NodeKind::MissingMark;
template <> inline constexpr NodeKind kind_of<g::runs_value> = NodeKind::RunsValue;
template <> inline constexpr NodeKind kind_of<g::until_stage> = NodeKind::Until;
// clang-format on

template <typename Rule>
struct selector : std::bool_constant<kind_of<Rule> != NodeKind::Other> {};

/// A node of the parse tree: a selected rule that matched, and the text it matched.
struct Node {
  NodeKind kind = NodeKind::Other;
  const char* first = nullptr;  // the matched text: [first, last)
  const char* last = nullptr;
  std::vector<std::unique_ptr<Node>> children;
  std::string_view string_view() const noexcept {
    return {first, static_cast<std::size_t>(last - first)};
  }
};

template <typename Rule>
using control = pegtl::must_if<g::error_messages>::control<Rule>;

// ---- building the parse tree
// Nodes are made when their rule has matched, never for an attempt that fails. The nodes of
// the rules that matched and whose parent has not yet are kept on one stack (Tree::pending);
// a rule's match that fails takes back those its attempt added, and a selected rule that
// matches takes those as its children. (PEGTL's parse_tree makes a node when an attempt
// starts, and a temporary node for every rule above selected ones, such as each `sor` and
// `seq` between a query and a literal: that allocated and freed some 1.4 million nodes for
// Elastic's 861 rules, a third of the time it took to compile them.)
struct Tree {
  std::vector<std::unique_ptr<Node>> pending;
};

// Whether no rule inside `Rule` makes a node, looking `Depth` levels down (deeper: unknown,
// so no): such a rule needs no bookkeeping.
template <typename Rule, unsigned Depth>
constexpr bool makes_no_node() {
  if constexpr (selector<Rule>::value)
    return false;
  else if constexpr (std::is_same_v<typename Rule::subs_t, pegtl::empty_list>)
    return true;
  else if constexpr (Depth == 0)
    return false;
  else
    return []<typename... Subs>(pegtl::type_list<Subs...>) {
      return (makes_no_node<Subs, Depth - 1>() && ...);
    }(typename Rule::subs_t{});
}

template <typename Rule>
struct tree_control : control<Rule> {
  template <pegtl::apply_mode A, pegtl::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, Tree& tree, States&&... st) {
    if constexpr (makes_no_node<Rule, 8>()) {
      return control<Rule>::template match<A, M, Action, Control>(in, tree, st...);
    } else {
      const std::size_t mark = tree.pending.size();
      const char* first = in.current();
      if (!control<Rule>::template match<A, M, Action, Control>(in, tree, st...)) {
        tree.pending.resize(mark);
        return false;
      }
      if constexpr (selector<Rule>::value) {
        auto node = std::make_unique<Node>();
        node->kind = kind_of<Rule>;
        node->first = first;
        node->last = in.current();
        auto& p = tree.pending;
        node->children.assign(
            std::make_move_iterator(p.begin() + static_cast<std::ptrdiff_t>(mark)),
            std::make_move_iterator(p.end()));
        p.resize(mark);
        p.push_back(std::move(node));
      }
      return true;
    }
  }
};

// ---- parse tree -> AST
// ---------------------------------------------------------------------------

/// Thrown inside the converter only; caught in parse().
struct ConvertError {
  std::size_t offset;
  std::string message;
  ErrorCode code = ErrorCode::Syntax;
};

class Converter {
 public:
  Converter(std::string_view text, const ParseLimits& limits) : text_(text), limits_(limits) {}

  ast::Query query(const Node& root) {
    const Node& q = *root.children.at(0);
    ast::Query out;
    std::size_t i = 0;
    const Node& first = *q.children.at(0);
    if (first.kind == NodeKind::Sequence || first.kind == NodeKind::Sample) {
      out = sequence(first);
      i = 1;
    } else {
      i = event_query(q, 0, out);
    }
    for (; i < q.children.size(); ++i) {
      const Node& p = *q.children[i];
      ast::Pipe pipe;
      pipe.span = span(p);
      pipe.name = std::string(p.children.at(0)->string_view());
      for (std::size_t j = 1; j < p.children.size(); ++j)
        pipe.args.push_back(expr(*p.children[j]));
      out.pipes.push_back(std::move(pipe));
    }
    if (out.kind == ast::Query::Kind::Sample && !out.pipes.empty())
      fail_at(out.pipes.front().span.begin,
              "a sample takes no pipes: it returns every sample (at most max_samples_per_key per "
              "key)");
    return out;
  }

 private:
  // The category and condition of an event query: the nodes n.children[i], [i + 1]. Returns
  // the index after them.
  std::size_t event_query(const Node& n, std::size_t i, ast::Query& out) {
    const Node& cat = *n.children.at(i++);
    out.category_span = span(cat);
    switch (cat.kind) {
      case NodeKind::CatAny:
        out.any = true;
        break;
      case NodeKind::CatName:
        out.category = std::string(cat.string_view());
        break;
      case NodeKind::CatString:
        out.category = string_value(*cat.children.at(0));
        break;
      default:
        fail(cat, "internal: unexpected category node");
    }
    out.where = expr(*n.children.at(i++));
    return i;
  }

  std::vector<ast::JoinKey> join_keys(const Node& n) const {
    std::vector<ast::JoinKey> keys;
    for (const auto& k : n.children)
      keys.push_back({span(*k), field(*k)});
    return keys;
  }

  // A stage node: '!'? event query, join keys?, runs?  Or an until node: event query, keys?.
  ast::Stage stage(const Node& n) {
    ast::Stage st;
    st.span = span(n);
    std::size_t i = 0;
    if (n.children.at(0)->kind == NodeKind::MissingMark) {
      st.missing = true;
      ++i;
    }
    i = event_query(n, i, st.query);
    for (; i < n.children.size(); ++i) {
      const Node& c = *n.children[i];
      if (c.kind == NodeKind::JoinKeys) {
        st.keys = join_keys(c);
      } else if (c.kind == NodeKind::RunsValue) {
        st.runs_span = span(c);
        std::uint64_t runs = 0;
        auto text = c.string_view();
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), runs);
        if (ec != std::errc() || ptr != text.data() + text.size() || runs < 1 || runs > 100)
          fail(c, "runs must be a whole number from 1 to 100, not " + std::string(text));
        st.runs = static_cast<std::uint32_t>(runs);
      }
    }
    // The stage's span ends at its ']' (keys and runs are reported on their own).
    if (const char* close = find_close_bracket(n)) st.span.end = offset_of(close) + 1;
    return st;
  }

  const char* find_close_bracket(const Node& n) const {
    // The last child of the event query is its condition; the ']' follows it (after blanks
    // and comments).
    const Node* cond = nullptr;
    for (const auto& c : n.children)
      if (c->kind != NodeKind::JoinKeys && c->kind != NodeKind::RunsValue) cond = c.get();
    if (!cond) return nullptr;
    std::string_view rest(cond->last, static_cast<std::size_t>(n.last - cond->last));
    std::size_t at = rest.find(']');
    return at == std::string_view::npos ? nullptr : cond->last + at;
  }
  std::uint32_t offset_of(const char* p) const {
    return static_cast<std::uint32_t>(p - text_.data());
  }

  // maxspan=N<unit> (Q1): a positive whole number and one of ms, s, m, h, d.
  void duration(const Node& n, ast::Query& out) {
    std::string_view text = n.string_view();
    out.maxspan_span = span(n);
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
      ++digits;
    if (digits < text.size() && text[digits] == '.')
      fail(n, "maxspan takes a whole number: [" + std::string(text) +
                  "] is a decimal; use a smaller unit instead (e.g. 1500ms for 1.5s)");
    std::size_t unit_at = digits;
    while (unit_at < text.size() && (text[unit_at] == ' ' || text[unit_at] == '\t'))
      ++unit_at;
    std::string_view number = text.substr(0, digits), unit = text.substr(unit_at);
    if (unit.empty())
      fail(n, "maxspan needs a time unit: write " + std::string(number) + "s, " +
                  std::string(number) + "m, ... (ms, s, m, h or d)");
    const std::int64_t scale = time_unit_ns(unit);
    if (scale == 0)
      fail_at(offset_of(unit.data()), "unknown time unit [" + std::string(unit) + "] in [" +
                                          std::string(text) + "]: use ms, s, m, h or d");
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || ptr != number.data() + number.size() ||
        value > static_cast<std::uint64_t>(INT64_MAX / scale))
      fail(n, "maxspan [" + std::string(text) + "] is too long");
    if (value == 0) fail(n, "maxspan must be positive, not [" + std::string(text) + "]");
    out.maxspan_ns = static_cast<std::int64_t>(value) * scale;
    out.maxspan_text = std::string(number) + std::string(unit);
  }

  // A sequence or sample node, checked as Q1 says.
  ast::Query sequence(const Node& n) {
    ast::Query out;
    const bool is_sample = n.kind == NodeKind::Sample;
    out.kind = is_sample ? ast::Query::Kind::Sample : ast::Query::Kind::Sequence;
    out.category_span = span(n);
    out.any = true;
    out.where = ast::Expr{span(n), ast::Literal{false}};  // the top level matches no one event
    for (const auto& c : n.children) {
      switch (c->kind) {
        case NodeKind::JoinKeys:
          out.keys = join_keys(*c);
          break;
        case NodeKind::Duration:
          duration(*c, out);
          break;
        case NodeKind::Stage:
          out.stages.push_back(stage(*c));
          break;
        case NodeKind::Until:
          out.until.push_back(stage(*c));
          out.until.back().span.begin = offset_of(c->first);
          break;
        default:
          fail(*c, "internal: unexpected node in a sequence");
      }
    }
    const char* what = is_sample ? "a sample" : "a sequence";
    std::size_t expanded = 0, positive = 0;
    for (const auto& st : out.stages) {
      expanded += st.runs;
      if (!st.missing) ++positive;
      if (is_sample && st.runs != 1)
        fail_at(st.runs_span.begin, "a sample's stages take no 'with runs'");
      if (is_sample && st.missing)
        fail_at(st.span.begin, "a sample cannot have a missing event ![...]");
    }
    if (expanded < 2)
      fail(n, std::string(what) + " needs at least two stages (counting runs), e.g. " +
                  (is_sample ? "sample by host.id [process where true] [file where true]"
                             : "sequence [process where true] [file where true]"));
    if (positive == 0) fail(n, "a sequence needs at least one stage that is not missing ![...]");
    if (positive < out.stages.size() && out.maxspan_ns == 0)
      fail(n,
           "a sequence with a missing event ![...] needs 'with maxspan=...': sequence with "
           "maxspan=5m [...] ![...]");
    const std::size_t want = out.keys.size() + out.stages.front().keys.size();
    auto check_keys = [&](const ast::Stage& st, const char* which) {
      const std::size_t got = out.keys.size() + st.keys.size();
      if (got != want)
        fail_at(st.keys.empty() ? st.span.begin : st.keys.front().span.begin,
                "inconsistent number of join keys: the first stage has " + std::to_string(want) +
                    ", " + which + " has " + std::to_string(got) +
                    " (the sequence's 'by' keys count for every stage)");
    };
    for (const auto& st : out.stages)
      check_keys(st, "this stage");
    for (const auto& st : out.until)
      check_keys(st, "'until'");
    if (is_sample && want == 0)
      fail(n, "a sample needs join keys: sample by FIELD [query] [query]");
    return out;
  }

 private:
  using Height = std::size_t;

  ast::SourceSpan span(const Node& n) const {
    auto b = static_cast<std::uint32_t>(n.first - text_.data());
    auto e = n.last ? static_cast<std::uint32_t>(n.last - text_.data()) : b;
    return {b, e};
  }

  [[noreturn]] void fail(const Node& n, std::string msg, ErrorCode code = ErrorCode::Syntax) const {
    throw ConvertError{static_cast<std::size_t>(n.first - text_.data()), std::move(msg), code};
  }
  [[noreturn]] void fail_at(std::size_t offset, std::string msg) const {
    throw ConvertError{offset, std::move(msg)};
  }

  // Operator chains build left-deep trees in a loop; the height check keeps every later
  // recursive pass (compiler, printer) within max_depth.
  void check_height(const Node& n, Height h) const {
    if (h > limits_.max_depth)
      fail(n,
           "the expression nests too deeply (more than " + std::to_string(limits_.max_depth) +
               " levels)",
           ErrorCode::LimitExceeded);
  }

  ast::Expr make(const Node& n, auto node) const { return ast::Expr{span(n), std::move(node)}; }

  ast::Expr expr(const Node& n) {
    Height h = 0;
    return expr(n, h);
  }

  // Converts `n`; `height` receives the height of the produced tree.
  ast::Expr expr(const Node& n, Height& height) {
    switch (n.kind) {
      case NodeKind::Or:
      case NodeKind::And: {
        if (n.children.size() == 1) return expr(*n.children[0], height);
        ast::Logical l{n.kind == NodeKind::Or ? ast::LogicalOp::Or : ast::LogicalOp::And, {}};
        Height max_h = 0;
        for (const auto& c : n.children) {
          Height ch = 0;
          l.operands.push_back(expr(*c, ch));
          max_h = std::max(max_h, ch);
        }
        height = max_h + 1;
        check_height(n, height);
        return make(n, std::move(l));
      }
      case NodeKind::NotOp: {
        Height ch = 0;
        auto operand = expr(*n.children.at(0), ch);
        height = ch + 1;
        check_height(n, height);
        return make(n, ast::Not{ast::Box(std::move(operand))});
      }
      case NodeKind::Neg: {
        Height ch = 0;
        auto operand = expr(*n.children.at(0), ch);
        height = ch + 1;
        check_height(n, height);
        return make(n, ast::Neg{ast::Box(std::move(operand))});
      }
      case NodeKind::Pos:
        return expr(*n.children.at(0), height);  // unary plus is the identity
      case NodeKind::Comparison: {
        if (n.children.size() == 1) return expr(*n.children[0], height);
        Height lh = 0, rh = 0;
        auto lhs = expr(*n.children.at(0), lh);
        auto op = compare_op(*n.children.at(1));
        auto rhs = expr(*n.children.at(2), rh);
        height = std::max(lh, rh) + 1;
        check_height(n, height);
        return make(n, ast::Compare{op, ast::Box(std::move(lhs)), ast::Box(std::move(rhs))});
      }
      case NodeKind::Arith:
      case NodeKind::Term: {
        // children: operand (op operand)*  -> left-deep tree
        Height h = 0;
        auto acc = expr(*n.children.at(0), h);
        for (std::size_t i = 1; i + 1 < n.children.size(); i += 2) {
          Height rh = 0;
          auto rhs = expr(*n.children[i + 1], rh);
          h = std::max(h, rh) + 1;
          check_height(n, h);
          ast::SourceSpan s{acc.span.begin, rhs.span.end};
          acc = ast::Expr{s, ast::Arith{arith_op(*n.children[i]), ast::Box(std::move(acc)),
                                        ast::Box(std::move(rhs))}};
        }
        height = h;
        return acc;
      }
      case NodeKind::Postfix: {
        if (n.children.size() == 1) return expr(*n.children[0], height);
        Height lh = 0;
        auto lhs = expr(*n.children.at(0), lh);
        const Node& p = *n.children.at(1);
        ast::Match m{ast::MatchKind::In, false, ast::Box(std::move(lhs)), {}};
        switch (p.kind) {
          case NodeKind::PredNotInCi:
            m.kind = ast::MatchKind::InCi;
            m.negated = true;
            break;
          case NodeKind::PredNotIn:
            m.kind = ast::MatchKind::In;
            m.negated = true;
            break;
          case NodeKind::PredInCi:
            m.kind = ast::MatchKind::InCi;
            break;
          case NodeKind::PredIn:
            m.kind = ast::MatchKind::In;
            break;
          case NodeKind::PredSeq:
            m.kind = ast::MatchKind::Seq;
            break;
          case NodeKind::PredLikeCi:
            m.kind = ast::MatchKind::LikeCi;
            break;
          case NodeKind::PredLike:
            m.kind = ast::MatchKind::Like;
            break;
          case NodeKind::PredRegexCi:
            m.kind = ast::MatchKind::RegexCi;
            break;
          case NodeKind::PredRegex:
            m.kind = ast::MatchKind::Regex;
            break;
          default:
            fail(p, "internal: unexpected predicate node");
        }
        Height max_h = lh;
        for (const auto& c : p.children) {
          Height ch = 0;
          m.values.push_back(expr(*c, ch));
          max_h = std::max(max_h, ch);
        }
        height = max_h + 1;
        check_height(n, height);
        return make(n, std::move(m));
      }
      case NodeKind::Call: {
        ast::Call c;
        std::size_t i = 0;
        c.name = std::string(n.children.at(i++)->string_view());
        if (i < n.children.size() && n.children[i]->kind == NodeKind::CallTilde) {
          c.insensitive = true;
          ++i;
        }
        Height max_h = 0;
        for (; i < n.children.size(); ++i) {
          Height ch = 0;
          c.args.push_back(expr(*n.children[i], ch));
          max_h = std::max(max_h, ch);
        }
        height = max_h + 1;
        check_height(n, height);
        return make(n, std::move(c));
      }
      case NodeKind::Field:
        return make(n, field(n));
      case NodeKind::DqString:
      case NodeKind::RawString:
        return make(n, ast::Literal{string_value(n)});
      case NodeKind::Number:
        return make(n, number(n));
      case NodeKind::True:
        return make(n, ast::Literal{true});
      case NodeKind::False:
        return make(n, ast::Literal{false});
      case NodeKind::Null:
        return make(n, ast::Literal{ast::Null{}});
      default:
        fail(n, "internal: unexpected node in expression");
    }
  }

  ast::CompareOp compare_op(const Node& n) const {
    switch (n.kind) {
      case NodeKind::CmpEq:
        return ast::CompareOp::Eq;
      case NodeKind::CmpNe:
        return ast::CompareOp::Ne;
      case NodeKind::CmpLt:
        return ast::CompareOp::Lt;
      case NodeKind::CmpLe:
        return ast::CompareOp::Le;
      case NodeKind::CmpGt:
        return ast::CompareOp::Gt;
      case NodeKind::CmpGe:
        return ast::CompareOp::Ge;
      default:
        fail(n, "internal: unexpected comparison operator");
    }
  }

  ast::ArithOp arith_op(const Node& n) const {
    switch (n.kind) {
      case NodeKind::OpAdd:
        return ast::ArithOp::Add;
      case NodeKind::OpSub:
        return ast::ArithOp::Sub;
      case NodeKind::OpMul:
        return ast::ArithOp::Mul;
      case NodeKind::OpDiv:
        return ast::ArithOp::Div;
      case NodeKind::OpMod:
        return ast::ArithOp::Mod;
      default:
        fail(n, "internal: unexpected arithmetic operator");
    }
  }

  ast::Field field(const Node& n) const {
    ast::Field f;
    for (const auto& c : n.children) {
      switch (c->kind) {
        case NodeKind::FieldOptional:
          f.optional = true;
          break;
        case NodeKind::SegIdent:
        case NodeKind::SegAny:
          if (!f.path.empty()) f.path += '.';
          f.path += c->string_view();
          break;
        case NodeKind::SegBacktick: {
          if (!f.path.empty()) f.path += '.';
          std::string_view raw = c->string_view();
          raw = raw.substr(1, raw.size() - 2);  // strip the backticks; `` is a literal backtick
          for (std::size_t i = 0; i < raw.size(); ++i) {
            f.path += raw[i];
            if (raw[i] == '`') ++i;
          }
          break;
        }
        default:
          fail(*c, "internal: unexpected field node");
      }
    }
    return f;
  }

  ast::Literal number(const Node& n) const {
    std::string_view s = n.string_view();
    bool is_integer = s.find_first_of(".eE") == std::string_view::npos;
    if (is_integer) {
      std::int64_t v = 0;
      auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && ptr == s.data() + s.size()) return ast::Literal{v};
      // P4: an integer beyond int64 becomes a double
    }
    std::string copy(s);
    return ast::Literal{std::strtod(copy.c_str(), nullptr)};
  }

  // The value of a string literal node (dq_string or raw_string), escapes processed (P3).
  std::string string_value(const Node& n) const {
    std::string_view raw = n.string_view();
    const std::size_t base = static_cast<std::size_t>(n.first - text_.data());
    if (n.kind == NodeKind::RawString) return std::string(raw.substr(3, raw.size() - 6));
    std::string out;
    std::string_view body = raw.substr(1, raw.size() - 2);
    for (std::size_t i = 0; i < body.size(); ++i) {
      char c = body[i];
      if (c != '\\') {
        out += c;
        continue;
      }
      char e = body[++i];
      switch (e) {
        case 'b':
          out += '\b';
          break;
        case 't':
          out += '\t';
          break;
        case 'n':
          out += '\n';
          break;
        case 'f':
          out += '\f';
          break;
        case 'r':
          out += '\r';
          break;
        case '"':
          out += '"';
          break;
        case '\'':
          out += '\'';
          break;
        case '\\':
          out += '\\';
          break;
        case 'u': {
          std::size_t open = i + 1;  // '{'
          std::size_t close = body.find('}', open);
          std::string_view hex = body.substr(open + 1, close - open - 1);
          std::size_t at = base + 1 + i - 1;  // the backslash
          if (hex.size() < 2 || hex.size() > 8)
            fail_at(at, "a \\u{...} escape takes 2 to 8 hex digits");
          std::uint32_t cp = 0;
          std::from_chars(hex.data(), hex.data() + hex.size(), cp, 16);
          std::uint64_t wide = 0;
          std::from_chars(hex.data(), hex.data() + hex.size(), wide, 16);
          if (wide > 0x10FFFF) fail_at(at, "\\u{...} escape beyond U+10FFFF");
          if (cp >= 0xD800 && cp <= 0xDFFF)
            fail_at(at, "\\u{...} escape of a surrogate (U+D800 to U+DFFF) is not a character");
          append_utf8(out, cp);
          i = close;
          break;
        }
        default:
          fail_at(base + 1 + i - 1, "invalid escape sequence");
      }
    }
    return out;
  }

  std::string_view text_;
  ParseLimits limits_;
};

// ---- error refinement
// ----------------------------------------------------------------------------

// A word at `offset`, if the text there is an identifier-like word.
std::string_view word_at(std::string_view text, std::size_t offset) {
  std::size_t end = offset;
  while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                               text[end] == '_' || text[end] == '~'))
    ++end;
  return text.substr(offset, end - offset);
}

// Adds a hint when the text at the error is a common mistake: an upper-case keyword (P6),
// C-style `&&`, `||`, `!`.
std::string keyword_hint(std::string_view w) {
  static constexpr std::string_view kKeywords[] = {
      "and", "or",   "not",   "in",   "in~",      "like",   "like~", "regex", "regex~", "where",
      "any", "true", "false", "null", "sequence", "sample", "by",    "with",  "until",  "maxspan"};
  std::string lower(w);
  for (char& c : lower)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto k : kKeywords) {
    if (lower == k && w != k)
      return "; keywords are lowercase: write '" + std::string(k) + "' instead of '" +
             std::string(w) + "'";
  }
  return {};
}

// The identifier-like word that ends right before `offset` (skipping blanks).
std::string_view word_before(std::string_view text, std::size_t offset) {
  std::size_t end = std::min(offset, text.size());
  while (end > 0 && std::isspace(static_cast<unsigned char>(text[end - 1])))
    --end;
  std::size_t begin = end;
  while (begin > 0 && (std::isalnum(static_cast<unsigned char>(text[begin - 1])) ||
                       text[begin - 1] == '_' || text[begin - 1] == '~'))
    --begin;
  return text.substr(begin, end - begin);
}

std::string refine(std::string_view text, std::size_t& offset, std::string message) {
  // `a == 1 AND b`: the error is at AND.  `where NOT a`: NOT parsed as a field, error after it.
  if (offset < text.size()) {
    if (auto hint = keyword_hint(word_at(text, offset)); !hint.empty()) return message + hint;
  }
  if (std::string_view before = word_before(text, offset); !before.empty()) {
    if (auto hint = keyword_hint(before); !hint.empty()) {
      offset = static_cast<std::size_t>(before.data() - text.data());  // caret on the word
      return message + hint;
    }
  }
  const std::size_t from = std::min(offset > 0 ? offset - 1 : 0, text.size());
  std::string_view window = text.substr(from, 3);
  if (auto at = window.find("&&"); at != std::string_view::npos) {
    offset = from + at;
    return message + "; write 'and' instead of '&&'";
  }
  if (auto at = window.find("||"); at != std::string_view::npos) {
    offset = from + at;
    return message + "; write 'or' instead of '||'";
  }
  if (offset >= text.size()) return message;
  std::string_view rest = text.substr(offset);
  if (rest.starts_with("!") && !rest.starts_with("!=") && !rest.starts_with("!["))
    return message + "; write 'not' instead of '!'";
  return message;
}

}  // namespace

std::int64_t time_unit_ns(std::string_view unit) noexcept {
  if (unit == "ms") return 1'000'000;
  if (unit == "s") return 1'000'000'000;
  if (unit == "m") return 60'000'000'000;
  if (unit == "h") return 3'600'000'000'000;
  if (unit == "d") return 86'400'000'000'000;
  return 0;
}

Result<ast::Query> parse(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_query_length) {
    return Error{ErrorCode::LimitExceeded,
                 "the query is too long (" + std::to_string(text.size()) + " bytes; the limit is " +
                     std::to_string(limits.max_query_length) + ")",
                 SourceLocation::at(text, 0)};
  }
  try {
    pegtl::memory_input<> in(text.data(), text.size(), "query");
    g::ParseState state{0, limits.max_depth};
    Tree tree;
    if (!pegtl::parse<grammar::query, pegtl::nothing, tree_control>(in, tree, state)) {
      return Error{ErrorCode::Syntax, "expected an event query", SourceLocation::at(text, 0)};
    }
    Node root;
    root.children = std::move(tree.pending);
    Converter conv(text, limits);
    return conv.query(root);
  } catch (const pegtl::parse_error& e) {
    std::size_t offset = e.positions().empty() ? 0 : e.positions().front().byte;
    // An error at the end of the text points right after its last token, not at blank lines
    // or a final newline that follow it.
    const std::size_t last = text.find_last_not_of(" \t\r\n");
    if (last != std::string_view::npos && offset > last + 1) offset = last + 1;
    std::string msg(e.message());
    ErrorCode code = ErrorCode::Syntax;
    if (msg.find("queries are not supported") != std::string::npos) code = ErrorCode::Unsupported;
    if (msg.find("nests too deeply") != std::string::npos) code = ErrorCode::LimitExceeded;
    msg = refine(text, offset, std::move(msg));
    return Error{code, std::move(msg), SourceLocation::at(text, offset)};
  } catch (const ConvertError& e) {
    return Error{e.code, e.message, SourceLocation::at(text, e.offset)};
  }
}

}  // namespace eqlite::internal
