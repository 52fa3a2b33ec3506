// cli/common.hpp — what `eqlite match` (match.cpp) and `eqlite check` (main.cpp) share.
#pragma once

#include <eqlite/eqlite.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace cli {

inline constexpr int kMatched = 0;
inline constexpr int kNoMatch = 1;
inline constexpr int kError = 2;

/// memcpy in fixed 64-byte pieces (inlined vector moves) and a short tail. glibc's memmove
/// copies kilobyte-sized lines with `rep movsb`, several times slower per byte on the AMD EPYC
/// VMs this was measured on (lib/json_reader.cpp does the same for the same reason).
inline void copy_bytes(char* dst, const char* src, std::size_t n) noexcept {
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64)
    std::memcpy(dst + i, src + i, 64);
  std::memcpy(dst + i, src + i, n - i);
}

bool read_file(const std::string& path, std::string& out, std::string& error);
/// A positive whole number of at most 2^63 (--max-line-bytes, --max-depth, --threads).
bool parse_size(std::string_view s, std::size_t& out);
/// A duration: 0, or a whole number and a unit (ms, s, m, h, d), as nanoseconds.
bool parse_duration(std::string_view s, std::int64_t& out);
/// --set VALUE: a JSON number, true or false when it reads as one; anything else is a string.
/// A string Value views `s`.
eqlite::Value parse_set_value(const std::string& s);

/// A query given on the command line that does not compile: `LINE:COL: message`, the line and a
/// caret, on stderr.
void print_compile_error(std::string_view query, const eqlite::Error& e);

int cmd_match(int argc, char** argv);
int cmd_check(int argc, char** argv);
int cmd_test(int argc, char** argv);
/// `eqlite consume` (cli/consume.cpp; cli/consume_unavailable.cpp in a build without librdkafka).
int cmd_consume(int argc, char** argv);

}  // namespace cli
