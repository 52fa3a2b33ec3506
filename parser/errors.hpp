// parser/errors.hpp — the message of every error point of the grammar (PEGTL's json_errors
// pattern). A rule listed here raises a parse_error with its message whenever it fails, so the
// grammar uses these rules only where failing is fatal. Messages say what was expected or what
// to write instead (semantics.md "Errors").
#pragma once

#include "parser/grammar.hpp"

namespace eqlite::internal::grammar {

template <typename>
inline constexpr const char* error_message = nullptr;

// clang-format off
template <> inline constexpr auto error_message<unterminated_comment> = "unterminated comment: this '/*' has no matching '*/'";
template <> inline constexpr auto error_message<misplaced_not> = "only 'in' and 'in~' can be negated in place: write 'not x like ...' / 'not x : ...' / 'not x regex ...'";
template <> inline constexpr auto error_message<expect_unicode_end> = "expected '}' to end the \\u{...} escape (2 to 8 hex digits)";
template <> inline constexpr auto error_message<bad_escape> = "invalid escape sequence: write \\\\ for a backslash, or use a raw string \"\"\"...\"\"\"";
template <> inline constexpr auto error_message<expect_string_end> = "unterminated string: expected a closing '\"' on the same line";
template <> inline constexpr auto error_message<expect_raw_string_end> = "unterminated raw string: expected '\"\"\"' on the same line";
template <> inline constexpr auto error_message<single_quote> = "single-quoted strings are not supported: use double quotes";
template <> inline constexpr auto error_message<expect_backtick_end> = "unterminated backtick-quoted field name: expected '`'";
template <> inline constexpr auto error_message<expect_segment> = "expected a field name after '.'";
template <> inline constexpr auto error_message<expect_field_name> = "expected a field name after '?'";
template <> inline constexpr auto error_message<array_index> = "array indexes are not supported";
template <> inline constexpr auto error_message<expect_close_paren> = "expected ')'";
template <> inline constexpr auto error_message<expect_argument> = "expected a function argument after ','";
template <> inline constexpr auto error_message<expect_expression> = "expected an expression after '('";
template <> inline constexpr auto error_message<empty_list> = "a list cannot be empty: give at least one value";
template <> inline constexpr auto error_message<expect_list_item> = "expected a value after ','";
template <> inline constexpr auto error_message<expect_list> = "expected a parenthesised list of values, e.g. (\"a\", \"b\")";
template <> inline constexpr auto error_message<expect_pattern> = "expected a string literal: patterns must be string literals";
template <> inline constexpr auto error_message<expect_patterns> = "expected a string literal or a parenthesised list of string literals";
template <> inline constexpr auto error_message<expect_operand> = "expected a value after the operator";
template <> inline constexpr auto error_message<expect_term> = "expected a value after the operator";
template <> inline constexpr auto error_message<lone_equals> = "'=' is not a comparison: use '==' to test equality";
template <> inline constexpr auto error_message<chained_comparison> = "comparisons cannot be chained: combine them with 'and'";
template <> inline constexpr auto error_message<expect_comparand> = "expected a value after the comparison operator";
template <> inline constexpr auto error_message<expect_not_operand> = "expected a condition after 'not'";
template <> inline constexpr auto error_message<expect_and_operand> = "expected a condition after 'and'";
template <> inline constexpr auto error_message<expect_or_operand> = "expected a condition after 'or'";
template <> inline constexpr auto error_message<expect_where> = "expected 'where' after the event category";
template <> inline constexpr auto error_message<expect_condition> = "expected a condition after 'where'";
template <> inline constexpr auto error_message<expect_event_query> = "expected an event query: a category (a name, a string or 'any') followed by 'where'";
template <> inline constexpr auto error_message<expect_join_key> = "expected a field name after 'by' (join keys are fields)";
template <> inline constexpr auto error_message<expect_maxspan> = "expected 'maxspan=' after 'with', e.g. sequence by host.id with maxspan=5m";
template <> inline constexpr auto error_message<expect_maxspan_eq> = "expected '=' after 'maxspan', e.g. with maxspan=5m";
template <> inline constexpr auto error_message<expect_duration> = "expected a duration after 'maxspan=': a whole number and a unit (ms, s, m, h or d), e.g. maxspan=5m";
template <> inline constexpr auto error_message<by_after_with> = "write the sequence's 'by' before 'with': sequence by KEY with maxspan=5m [...]";
template <> inline constexpr auto error_message<expect_close_bracket> = "expected ']' to end the stage";
template <> inline constexpr auto error_message<expect_stage_query> = "expected an event query inside '[ ]': a category (a name, a string or 'any') followed by 'where'";
template <> inline constexpr auto error_message<expect_runs> = "expected 'runs=N' after a stage's 'with', e.g. [process where true] with runs=3";
template <> inline constexpr auto error_message<expect_runs_eq> = "expected '=' after 'runs', e.g. with runs=3";
template <> inline constexpr auto error_message<expect_runs_value> = "expected a whole number after 'runs=' (1 to 100)";
template <> inline constexpr auto error_message<expect_stage> = "expected a stage in brackets, e.g. [process where true]";
template <> inline constexpr auto error_message<missing_until> = "'until' takes an event query, not a missing event: write until [category where condition]";
template <> inline constexpr auto error_message<expect_until_stage> = "expected an event query in brackets after 'until', e.g. until [process where event.type == \"end\"]";
template <> inline constexpr auto error_message<sample_with> = "a sample takes no 'with' (no maxspan, no runs): write sample by KEY [query] [query]";
template <> inline constexpr auto error_message<join_query> = "join queries are not supported (Elasticsearch does not support them either)";
template <> inline constexpr auto error_message<expect_pipe_name> = "expected a pipe name after '|', e.g. | head 10";
template <> inline constexpr auto error_message<expect_pipe_arg> = "expected a pipe argument after ','";
template <> inline constexpr auto error_message<expect_query_end> = "expected 'and', 'or', a comparison, a pipe '|' or the end of the query";
// clang-format on

struct error_messages {
  template <typename Rule>
  static constexpr const char* message = error_message<Rule>;
};

}  // namespace eqlite::internal::grammar
