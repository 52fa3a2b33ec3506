// lib/error.cpp — error codes, positions and the caret format.
#include <string>

#include "eqlite/error.hpp"

namespace eqlite {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Syntax:
      return "syntax";
    case ErrorCode::Unsupported:
      return "unsupported";
    case ErrorCode::UnknownName:
      return "unknown-name";
    case ErrorCode::BadRegex:
      return "bad-regex";
    case ErrorCode::LimitExceeded:
      return "limit-exceeded";
    case ErrorCode::BadJson:
      return "bad-json";
    case ErrorCode::InvalidArgument:
      return "invalid-argument";
  }
  return "?";
}

SourceLocation SourceLocation::at(std::string_view text, std::size_t offset) noexcept {
  if (offset > text.size()) offset = text.size();
  SourceLocation loc;
  loc.offset = offset;
  loc.line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      line_start = i + 1;
    }
  }
  loc.column = static_cast<std::uint32_t>(offset - line_start + 1);
  return loc;
}

std::string Error::to_string() const {
  if (where.line == 0) return message;
  return std::to_string(where.line) + ":" + std::to_string(where.column) + ": " + message;
}

std::string Error::format(std::string_view source) const {
  std::string out = to_string();
  if (where.line == 0 || where.offset > source.size()) return out;
  std::size_t begin = source.rfind('\n', where.offset == 0 ? 0 : where.offset - 1);
  begin = (begin == std::string_view::npos || where.offset == 0) ? 0 : begin + 1;
  if (where.offset > 0 && source[where.offset - 1] == '\n') begin = where.offset;
  std::size_t end = source.find('\n', begin);
  if (end == std::string_view::npos) end = source.size();
  std::string_view line = source.substr(begin, end - begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  out += "\n";
  out += line;
  out += "\n";
  // Pad with the line's own tabs so the caret lines up; one space per UTF-8 code point.
  for (std::size_t i = begin; i < where.offset && i < source.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(source[i]);
    if ((c & 0xC0) == 0x80) continue;
    out += c == '\t' ? '\t' : ' ';
  }
  out += "^";
  return out;
}

}  // namespace eqlite
