// parser/grammar.hpp — the EQL grammar as PEGTL rules (semantics.md P1-P8). Rules only: the
// parse tree is built while PEGTL matches them (parse.cpp selects the nodes) and turned into the
// AST by parse.cpp. PEGTL is included only under parser/.
//
// Error points: a rule that has an entry in errors.hpp raises a parse_error with that message
// whenever it fails (PEGTL's must_if). Such rules are therefore used ONLY where failing is
// fatal; each is a distinct named type (`expect_*`) even when it just wraps another rule.
#pragma once

#include <string>
#include <tao/pegtl.hpp>
#include <type_traits>

namespace eqlite::internal::grammar {

using namespace tao::pegtl;  // NOLINT: the grammar reads like EBNF this way

/// Parser state passed through PEGTL: the nesting depth and its limit.
struct ParseState {
  std::size_t depth = 0;
  std::size_t max_depth = 100;
};

template <typename S, typename... Rest>
ParseState& find_parse_state(S& s, Rest&... rest) {
  if constexpr (std::is_same_v<std::decay_t<S>, ParseState>) {
    return s;
  } else {
    return find_parse_state(rest...);
  }
}

/// nested<R...> matches seq<R...> one nesting level deeper. Every rule that recurses
/// (parentheses, `not`, signs, calls, lists, block comments) goes through it, so a query nested
/// deeper than ParseState::max_depth is an error instead of a stack overflow.
template <typename... Rules>
struct nested {
  using rule_t = nested;
  using subs_t = type_list<seq<Rules...>>;

  template <apply_mode A, rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  static bool match(ParseInput& in, States&&... st) {
    ParseState& ps = find_parse_state(st...);
    if (++ps.depth > ps.max_depth) {
      throw parse_error("the query nests too deeply (more than " + std::to_string(ps.max_depth) +
                            " levels of parentheses, 'not', signs, calls or comments)",
                        in);
    }
    const bool ok = tao::pegtl::match<seq<Rules...>, A, M, Action, Control>(in, st...);
    --ps.depth;
    return ok;
  }
};

// clang-format off

// ---- whitespace and comments (P7) ------------------------------------------------------------
// line_comment  <- '//' (!eol .)* ;  block_comment <- '/*' (block_comment / !'*/' .)* '*/'
// A nested '/*' that has no '*/' is an error on the spot: the enclosing comment cannot end
// either, and going on with `any` after it would try every later '/*' again for each enclosing
// one — 2^n steps for n unterminated openers (found by fuzz/fuzz_query.cpp).
struct line_comment : seq< two< '/' >, until< eolf > > {};
struct unterminated_comment : string< '/', '*' > {};
struct unterminated_nested_comment : seq< at< string< '/', '*' > >, raise< unterminated_comment > > {};
struct block_comment;
struct block_comment : nested< string< '/', '*' >, until< string< '*', '/' >, sor< block_comment, unterminated_nested_comment, any > > > {};
struct sp : sor< one< ' ', '\t', '\r', '\n' >, line_comment, block_comment,
                 seq< at< string< '/', '*' > >, raise< unterminated_comment > > > {};
struct ws : star< sp > {};

// ---- identifiers and keywords (P5, P6) -------------------------------------------------------
// ident <- (letter / '_' / '@') (letter / digit / '_')*
struct ident_first : ranges< 'a', 'z', 'A', 'Z', '_', '_', '@', '@' > {};
struct ident_other : ranges< 'a', 'z', 'A', 'Z', '0', '9', '_', '_' > {};
struct ident_raw : seq< ident_first, star< ident_other > > {};

template< typename Str > struct kw : seq< Str, not_at< ident_other > > {};
struct kw_and : kw< TAO_PEGTL_STRING( "and" ) > {};
struct kw_or : kw< TAO_PEGTL_STRING( "or" ) > {};
struct kw_not : kw< TAO_PEGTL_STRING( "not" ) > {};
struct kw_in : seq< TAO_PEGTL_STRING( "in" ), not_at< ident_other >, not_at< one< '~' > > > {};
struct kw_in_ci : TAO_PEGTL_STRING( "in~" ) {};
struct kw_like : seq< TAO_PEGTL_STRING( "like" ), not_at< ident_other >, not_at< one< '~' > > > {};
struct kw_like_ci : TAO_PEGTL_STRING( "like~" ) {};
struct kw_regex : seq< TAO_PEGTL_STRING( "regex" ), not_at< ident_other >, not_at< one< '~' > > > {};
struct kw_regex_ci : TAO_PEGTL_STRING( "regex~" ) {};
struct kw_where : kw< TAO_PEGTL_STRING( "where" ) > {};
struct kw_any : kw< TAO_PEGTL_STRING( "any" ) > {};
struct kw_true : kw< TAO_PEGTL_STRING( "true" ) > {};
struct kw_false : kw< TAO_PEGTL_STRING( "false" ) > {};
struct kw_null : kw< TAO_PEGTL_STRING( "null" ) > {};
struct kw_sequence : kw< TAO_PEGTL_STRING( "sequence" ) > {};
struct kw_sample : kw< TAO_PEGTL_STRING( "sample" ) > {};
struct kw_join : kw< TAO_PEGTL_STRING( "join" ) > {};

// Reserved words cannot be bare identifiers (field names, categories, function names).
struct keyword : sor< kw< TAO_PEGTL_STRING( "and" ) >, kw< TAO_PEGTL_STRING( "any" ) >,
                      kw< TAO_PEGTL_STRING( "by" ) >, kw< TAO_PEGTL_STRING( "false" ) >,
                      kw< TAO_PEGTL_STRING( "in" ) >, kw< TAO_PEGTL_STRING( "join" ) >,
                      kw< TAO_PEGTL_STRING( "like" ) >, kw< TAO_PEGTL_STRING( "maxspan" ) >,
                      kw< TAO_PEGTL_STRING( "not" ) >, kw< TAO_PEGTL_STRING( "null" ) >,
                      kw< TAO_PEGTL_STRING( "of" ) >, kw< TAO_PEGTL_STRING( "or" ) >,
                      kw< TAO_PEGTL_STRING( "regex" ) >, kw< TAO_PEGTL_STRING( "sample" ) >,
                      kw< TAO_PEGTL_STRING( "sequence" ) >, kw< TAO_PEGTL_STRING( "true" ) >,
                      kw< TAO_PEGTL_STRING( "until" ) >, kw< TAO_PEGTL_STRING( "where" ) >,
                      kw< TAO_PEGTL_STRING( "with" ) > > {};
struct identifier : seq< not_at< keyword >, ident_raw > {};

// ---- strings (P3) ----------------------------------------------------------------------------
// dq_string  <- '"' (escape / !["\\\r\n] .)* '"'
// escape     <- '\\' ([btnfr"'\\] / 'u{' xdigit+ '}')      anything else after '\\' is an error
// raw_string <- '"""' (!'"""' ![\r\n] .)* '"""' '"'? '"'?
struct expect_unicode_end : one< '}' > {};
struct escape_ok : seq< one< '\\' >, sor< one< 'b', 't', 'n', 'f', 'r', '"', '\'', '\\' >,
                                          seq< one< 'u' >, one< '{' >, plus< xdigit >, must< expect_unicode_end > > > > {};
struct bad_escape : one< '\\' > {};
struct dq_char : sor< escape_ok, seq< at< one< '\\' > >, raise< bad_escape > >, not_one< '"', '\\', '\r', '\n' > > {};
struct expect_string_end : one< '"' > {};
struct dq_string : seq< one< '"' >, star< dq_char >, must< expect_string_end > > {};
struct triple_quote : string< '"', '"', '"' > {};
struct expect_raw_string_end : seq< triple_quote, opt< one< '"' > >, opt< one< '"' > > > {};
struct raw_string : seq< triple_quote, star< not_at< triple_quote >, not_one< '\r', '\n' > >, must< expect_raw_string_end > > {};
struct string_literal : sor< raw_string, dq_string > {};
struct single_quote : one< '\'' > {};
struct single_quoted_error : seq< at< one< '\'' > >, raise< single_quote > > {};

// ---- numbers and constants (P4) --------------------------------------------------------------
struct exponent : seq< one< 'e', 'E' >, opt< one< '+', '-' > >, plus< digit > > {};
struct decimal : sor< seq< plus< digit >, one< '.' >, star< digit >, opt< exponent > >,
                      seq< one< '.' >, plus< digit >, opt< exponent > >,
                      seq< plus< digit >, exponent > > {};
struct integer : plus< digit > {};
struct number : seq< sor< decimal, integer >, not_at< ident_other > > {};
struct lit_true : kw_true {};
struct lit_false : kw_false {};
struct lit_null : kw_null {};

// ---- fields (P5) -----------------------------------------------------------------------------
// field <- '?'? segment ('.' segment)* ;  segment <- ident / '`' ([^`] / '``')* '`'
struct expect_backtick_end : one< '`' > {};
struct seg_backtick : seq< one< '`' >, star< sor< two< '`' >, not_one< '`', '\r', '\n' > > >, must< expect_backtick_end > > {};
struct seg_ident : identifier {};
struct seg_any : ident_raw {};  // after '.', keywords are fine: `process.any`
struct expect_segment : sor< seg_backtick, seg_any > {};
struct expect_field_name : sor< seg_backtick, seg_ident > {};
struct field_optional : one< '?' > {};
struct array_index : one< '[' > {};
struct field : seq< sor< seq< field_optional, must< expect_field_name > >, seg_backtick, seg_ident >,
                    star< one< '.' >, must< expect_segment > >,
                    opt< at< one< '[' > >, raise< array_index > > > {};

// ---- expressions (P8) ------------------------------------------------------------------------
struct expression;
struct close_paren : one< ')' > {};
struct expect_close_paren : close_paren {};

// call <- ident '~'? '(' (expression (',' expression)*)? ')'
struct call_name : identifier {};
struct call_tilde : one< '~' > {};
struct expect_argument : seq< expression > {};
struct call : nested< call_name, opt< call_tilde >, ws, one< '(' >, ws,
                   opt< expression, star< ws, one< ',' >, ws, must< expect_argument > > >,
                   ws, must< expect_close_paren > > {};

// paren <- '(' expression ')'
struct expect_expression : seq< expression > {};
struct paren : nested< one< '(' >, ws, must< expect_expression >, ws, must< expect_close_paren > > {};

struct primary : sor< paren, string_literal, number, lit_true, lit_false, lit_null,
                      call, field, single_quoted_error > {};

// predicate <- 'not'? ('in~' / 'in') list / (':' / 'like~' / 'like' / 'regex~' / 'regex') patterns
struct empty_list : one< ')' > {};
struct expect_list_item : seq< expression > {};
struct expect_list : nested< one< '(' >, ws, sor< seq< at< one< ')' > >, raise< empty_list > >, expression >,
                          star< ws, one< ',' >, ws, must< expect_list_item > >, ws, must< expect_close_paren > > {};
struct expect_pattern : sor< string_literal, single_quoted_error > {};
struct expect_patterns : sor< string_literal, single_quoted_error,
                              seq< one< '(' >, ws, sor< seq< at< one< ')' > >, raise< empty_list > >, must< expect_pattern > >,
                                   star< ws, one< ',' >, ws, must< expect_pattern > >, ws, must< expect_close_paren > > > {};
struct pred_not_in_ci : seq< kw_not, ws, kw_in_ci, ws, must< expect_list > > {};
struct pred_not_in : seq< kw_not, ws, kw_in, ws, must< expect_list > > {};
struct pred_in_ci : seq< kw_in_ci, ws, must< expect_list > > {};
struct pred_in : seq< kw_in, ws, must< expect_list > > {};
struct pred_seq : seq< one< ':' >, ws, must< expect_patterns > > {};
struct pred_like_ci : seq< kw_like_ci, ws, must< expect_patterns > > {};
struct pred_like : seq< kw_like, ws, must< expect_patterns > > {};
struct pred_regex_ci : seq< kw_regex_ci, ws, must< expect_patterns > > {};
struct pred_regex : seq< kw_regex, ws, must< expect_patterns > > {};
struct misplaced_not : kw_not {};
struct predicate : sor< pred_not_in_ci, pred_not_in, pred_in_ci, pred_in, pred_seq,
                        pred_like_ci, pred_like, pred_regex_ci, pred_regex,
                        seq< at< kw_not, ws, sor< kw_like_ci, kw_like, kw_regex_ci, kw_regex, one< ':' > > >,
                             raise< misplaced_not > > > {};
struct postfix : seq< primary, opt< ws, predicate > > {};

// unary <- ('-' / '+') unary / postfix
struct unary;
struct expect_operand : seq< unary > {};
struct neg : nested< one< '-' >, ws, must< expect_operand > > {};
struct pos : nested< one< '+' >, ws, must< expect_operand > > {};
struct unary : sor< neg, pos, postfix > {};

// term <- unary (('*' / '/' / '%') unary)* ;  arith <- term (('+' / '-') term)*
struct op_mul : one< '*' > {};
struct op_div : seq< one< '/' >, not_at< one< '/', '*' > > > {};
struct op_mod : one< '%' > {};
struct op_add : one< '+' > {};
struct op_sub : one< '-' > {};
struct term : seq< unary, star< ws, sor< op_mul, op_div, op_mod >, ws, must< expect_operand > > > {};
struct expect_term : seq< term > {};
struct arith : seq< term, star< ws, sor< op_add, op_sub >, ws, must< expect_term > > > {};

// comparison <- arith (cmp_op arith)?          one comparison only: not chainable
struct cmp_eq : string< '=', '=' > {};
struct cmp_ne : string< '!', '=' > {};
struct cmp_le : string< '<', '=' > {};
struct cmp_ge : string< '>', '=' > {};
struct cmp_lt : one< '<' > {};
struct cmp_gt : one< '>' > {};
struct lone_equals : one< '=' > {};
struct cmp_op : sor< cmp_eq, cmp_ne, cmp_le, cmp_ge, cmp_lt, cmp_gt,
                     seq< at< one< '=' > >, raise< lone_equals > > > {};
struct chained_comparison : one< '=' > {};
struct expect_comparand : seq< arith > {};
struct comparison : seq< arith, opt< ws, cmp_op, ws, must< expect_comparand >,
                                     opt< ws, at< cmp_op >, raise< chained_comparison > > > > {};

// not_expr <- 'not' not_expr / comparison ;  and_expr <- not_expr ('and' not_expr)* ;
// or_expr <- and_expr ('or' and_expr)*
struct not_expr;
struct expect_not_operand : seq< not_expr > {};
struct not_op : nested< kw_not, ws, must< expect_not_operand > > {};
struct not_expr : sor< not_op, comparison > {};
struct expect_and_operand : seq< not_expr > {};
struct and_expr : seq< not_expr, star< ws, kw_and, ws, must< expect_and_operand > > > {};
struct expect_or_operand : seq< and_expr > {};
struct or_expr : seq< and_expr, star< ws, kw_or, ws, must< expect_or_operand > > > {};
struct expression : seq< or_expr > {};

// ---- queries (P1, P2) ------------------------------------------------------------------------
// query <- (sequence / sample / join / event_query) pipe* EOF
// event_query <- ('any' / ident / string) 'where' expression ;  pipe <- '|' ident args?
struct cat_any : kw_any {};
struct cat_name : identifier {};
struct cat_string : string_literal {};
struct expect_where : kw_where {};
struct expect_condition : seq< expression > {};
struct event_query : seq< sor< cat_any, cat_string, cat_name, single_quoted_error >, ws, must< expect_where >, ws, must< expect_condition > > {};
struct expect_event_query : seq< event_query > {};
struct join_query : kw_join {};
struct expect_pipe_name : identifier {};
struct expect_pipe_arg : seq< expression > {};
struct pipe : seq< one< '|' >, ws, must< expect_pipe_name >,
                   opt< ws, expression, star< ws, one< ',' >, ws, must< expect_pipe_arg > > > > {};

// ---- sequences and samples (Q1) --------------------------------------------------------------
// sequence <- 'sequence' join_keys? ('with' 'maxspan' '=' duration)? stage+ ('until' '[' event_query ']' join_keys?)?
// sample   <- 'sample' join_keys? stage+
// stage    <- '!'? '[' event_query ']' join_keys? ('with' 'runs' '=' integer)?
// join_keys <- 'by' field (',' field)*
// Counts, units and limits are checked by parse.cpp's converter, which words those errors.
struct kw_by : kw< TAO_PEGTL_STRING( "by" ) > {};
struct kw_with : kw< TAO_PEGTL_STRING( "with" ) > {};
struct kw_until : kw< TAO_PEGTL_STRING( "until" ) > {};
struct kw_maxspan : kw< TAO_PEGTL_STRING( "maxspan" ) > {};
struct kw_runs : kw< TAO_PEGTL_STRING( "runs" ) > {};
struct join_key : field {};
struct expect_join_key : seq< join_key > {};
struct join_keys : seq< kw_by, ws, must< expect_join_key >, star< ws, one< ',' >, ws, must< expect_join_key > > > {};
struct duration : seq< plus< digit >, opt< one< '.' >, star< digit > >, opt< star< blank >, ident_raw > > {};
struct expect_duration : seq< duration > {};
struct expect_maxspan : kw_maxspan {};
struct expect_maxspan_eq : one< '=' > {};
struct sequence_params : seq< kw_with, ws, must< expect_maxspan >, ws, must< expect_maxspan_eq >, ws, must< expect_duration > > {};
struct by_after_with : kw_by {};
struct expect_close_bracket : one< ']' > {};
struct expect_stage_query : seq< event_query > {};
struct stage_body : seq< one< '[' >, ws, must< expect_stage_query >, ws, must< expect_close_bracket > > {};
struct missing_mark : one< '!' > {};
struct runs_value : plus< digit > {};
struct expect_runs : kw_runs {};
struct expect_runs_eq : one< '=' > {};
struct expect_runs_value : seq< runs_value, not_at< one< '.' > > > {};
struct stage_runs : seq< kw_with, ws, must< expect_runs >, ws, must< expect_runs_eq >, ws, must< expect_runs_value > > {};
struct stage : seq< opt< missing_mark, ws >, stage_body, opt< ws, join_keys >, opt< ws, stage_runs > > {};
struct expect_stage : seq< stage > {};
struct missing_until : one< '!' > {};
struct expect_until_stage : sor< seq< at< one< '!' > >, raise< missing_until > >, seq< stage_body, opt< ws, join_keys > > > {};
struct until_stage : seq< kw_until, ws, must< expect_until_stage > > {};
struct sequence_query : seq< kw_sequence, ws, opt< join_keys, ws >, opt< sequence_params, ws >,
                             opt< at< kw_by >, raise< by_after_with > >,
                             must< expect_stage >, star< ws, stage >, opt< ws, until_stage > > {};
struct sample_with : kw_with {};
struct sample_query : seq< kw_sample, ws, opt< join_keys, ws >, opt< at< kw_with >, raise< sample_with > >,
                           must< expect_stage >, star< ws, stage > > {};

struct expect_query_end : eof {};
struct query : seq< ws, sor< sequence_query, sample_query,
                             seq< at< kw_join >, raise< join_query > >,
                             must< expect_event_query > >,
                    star< ws, pipe >, ws, must< expect_query_end > > {};

// clang-format on

}  // namespace eqlite::internal::grammar
