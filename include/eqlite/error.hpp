// eqlite/error.hpp — errors as values at the public boundary.
//
// Nothing in eqlite's public API throws. Fallible calls return Result<T>, which holds either a
// value or an Error. An Error carries a closed ErrorCode, a message that says what was expected
// or what to write instead, and a 1-based line:column into the text it refers to.
//
// Thread safety: plain values; copy freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace eqlite {

enum class ErrorCode : std::uint8_t {
  Syntax,          ///< the query text does not follow the grammar (semantics.md P1-P8)
  Unsupported,     ///< valid EQL that eqlite does not evaluate yet (functions, pipes, sequences)
  UnknownName,     ///< an unknown function or pipe name
  BadRegex,        ///< a regex that RE2 rejects (S7)
  LimitExceeded,   ///< a configured limit (nesting depth, query length, ...) was exceeded
  BadJson,         ///< an event that is not valid JSON, or not a JSON object (E2)
  InvalidArgument  ///< a bad argument to an API call
};

/// Human-readable name of an error code ("syntax", "bad-regex", ...).
std::string_view to_string(ErrorCode code) noexcept;

/// A position in a text: 1-based line and column (in bytes), and the 0-based byte offset.
struct SourceLocation {
  std::uint32_t line = 0;  ///< 0 when the error has no position
  std::uint32_t column = 0;
  std::size_t offset = 0;

  /// Computes line and column of `offset` within `text`.
  static SourceLocation at(std::string_view text, std::size_t offset) noexcept;
};

struct Error {
  ErrorCode code = ErrorCode::Syntax;
  std::string message;
  SourceLocation where;

  /// "line:col: message", or just the message when there is no position.
  std::string to_string() const;
  /// to_string(), then the line of `source` that holds the error and a caret under the column.
  std::string format(std::string_view source) const;
};

/// Either a T or an Error. [[nodiscard]]: ignoring a result is a bug.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace eqlite
