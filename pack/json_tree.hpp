// pack/json_tree.hpp — a small strict JSON reader into a tree, for what pack/ and cli/ read
// whole: exception list exports and the objects of nested exception entries
// (pack/exceptions.cpp), the scenarios of `eqlite test` (cli/test_command.cpp). Events are read
// with eqlite::JsonReader; this is for the few documents whose structure is the point.
//
//   pack::JsonValue doc;
//   std::string error;
//   std::size_t at = 0;
//   if (!pack::parse_json(line, doc, error, at)) { /* error at byte `at` */ }
//   if (const pack::JsonValue* id = doc.get("id")) ...
//
// Strict: RFC 8259 grammar, one document that fills the text (whitespace aside), strings that
// are UTF-8 (raw bytes validated: no overlong forms, no surrogates, at most U+10FFFF), `\u`
// escapes with surrogate pairs (an unpaired one is an error), at most kJsonMaxDepth + 1 nested
// levels. A number keeps its text; integer() and number() convert it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pack {

/// The deepest container nesting parse_json reads: the document is depth 0, so kJsonMaxDepth
/// + 1 levels of arrays or objects read and one more is "nested too deeply".
inline constexpr int kJsonMaxDepth = 512;

struct JsonValue {
  enum class Kind : std::uint8_t { Null, Bool, Number, String, Array, Object };
  Kind kind = Kind::Null;
  bool boolean = false;
  std::string text;               // a string's value (UTF-8); a number's text as written
  std::vector<std::string> keys;  // an object's keys, in order (a repeated key kept)
  std::vector<JsonValue> items;   // an array's elements; an object's values (items[i]: keys[i])
  std::size_t offset = 0;         // where the value starts in the text

  /// An object's value for `key` (the first, when the key repeats); null when there is none or
  /// this is not an object.
  const JsonValue* get(std::string_view key) const;
  /// A number written without fraction or exponent that fits an int64; nullopt otherwise (and
  /// for what is not a number).
  std::optional<std::int64_t> integer() const;
  /// A number's value as a double (as strtod reads its text: 1e400 is infinity); 0 for what is
  /// not a number.
  double number() const;
};

/// "null", "a boolean", "a number", "a string", "an array", "an object" (for messages).
std::string_view kind_name(JsonValue::Kind kind) noexcept;

/// Parses `text`, one JSON document, into `out`. False with `error` (a message such as "invalid
/// UTF-8 in a string") and `error_offset` (the byte of `text` where it goes wrong) when it is
/// not one; `out` is then partly filled.
bool parse_json(std::string_view text, JsonValue& out, std::string& error,
                std::size_t& error_offset);

}  // namespace pack
