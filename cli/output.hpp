// cli/output.hpp — what `eqlite match` writes with: a buffered standard output, and JSON text
// for strings and values.
#pragma once

#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include <eqlite/value.hpp>

#include "cli/common.hpp"

namespace cli {

// Writes to stdout; a failed write (a closed pipe, `| head -1`) ends the program quietly.
class Output {
 public:
  void write(std::string_view s) {
    if (size_ + s.size() > kCapacity) flush();
    if (s.size() > kCapacity) {  // bigger than the buffer: written as it is
      put(s.data(), s.size());
      return;
    }
    copy_bytes(buf_.get() + size_, s.data(), s.size());
    size_ += s.size();
  }
  bool flush() {
    put(buf_.get(), size_);
    size_ = 0;
    return !failed_;
  }
  bool failed() const { return failed_; }

 private:
  static constexpr std::size_t kCapacity = std::size_t{1} << 16;
  void put(const char* p, std::size_t size) {
    std::size_t off = 0;
    while (off < size && !failed_) {
      ssize_t n = ::write(STDOUT_FILENO, p + off, size - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        failed_ = true;
        break;
      }
      off += static_cast<std::size_t>(n);
    }
  }
  std::unique_ptr<char[]> buf_{new char[kCapacity]};
  std::size_t size_ = 0;
  bool failed_ = false;
};

// `s` as a JSON string, quotes included.
inline std::string json_quoted(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

/// A join-key value as JSON: a string quoted, a number as its shortest text, true, false, null.
std::string json_value(const eqlite::Value& v);

}  // namespace cli
