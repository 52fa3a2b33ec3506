// fuzz/fuzz_support.hpp — helpers shared by the fuzz targets (fuzz_*.cpp): a check that aborts
// (so libFuzzer records the input as a crash, and so does the replay driver under ctest) even in
// Release builds where assert() is compiled out, printable excerpts of binary inputs, and the
// flattening of a JSON document into a FlatEvent (for the reference interpreter and for the
// Vm::matches(FieldMap) path).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <eqlite/eqlite.hpp>

namespace eqlite::fuzz {

/// `text` with non-printable bytes as \xNN, cut to `limit` bytes.
inline std::string printable(std::string_view text, std::size_t limit = 2000) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (text.size() > limit) out += "...(" + std::to_string(text.size()) + " bytes)";
  return out;
}

/// True when the environment variable EQLITE_FUZZ_LENIENT (a comma-separated list) names
/// `check`: a check of a known, not yet fixed bug (fuzz/known-bugs/README.md) is then skipped, so
/// that a long run can look for other bugs.
inline bool lenient(std::string_view check) {
  const char* env = std::getenv("EQLITE_FUZZ_LENIENT");
  if (!env) return false;
  std::string_view list(env);
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    if (list.substr(0, comma) == check) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

[[noreturn]] inline void fail(const char* file, int line, const char* condition,
                              const std::string& detail) {
  std::fprintf(stderr, "\n==== fuzz check failed: %s\n     at %s:%d\n%s\n", condition, file, line,
               detail.c_str());
  std::fflush(stderr);
  std::abort();
}

/// The document's values by dotted path, as the JsonReader reads them with every path projected
/// (paths from for_each_path). False when the text is not a JSON object.
inline bool flatten_json(std::string_view json, FlatEvent& out) {
  out.clear();
  std::vector<std::string> paths;
  std::unordered_set<std::string> seen;
  {
    JsonReader lister(std::vector<std::string>{});
    auto ok = lister.for_each_path(json, [&](std::string_view path) {
      if (seen.emplace(path).second) paths.emplace_back(path);
    });
    if (!ok) return false;
  }
  JsonReader all(paths);
  Event ev;
  if (!all.read(json, ev)) return false;
  for (std::size_t i = 0; i < paths.size(); ++i)
    for (const Value& v : ev.values(static_cast<std::uint32_t>(i)))
      out.add(paths[i], v);
  return true;
}

}  // namespace eqlite::fuzz

/// Aborts with `detail` (a std::string expression) when `cond` is false.
#define FUZZ_CHECK(cond, detail)                                            \
  do {                                                                      \
    if (!(cond)) ::eqlite::fuzz::fail(__FILE__, __LINE__, #cond, (detail)); \
  } while (0)
