// eqlite/json_reader.hpp — JSON events, read with simdjson (hidden behind this header).
//
//   eqlite::JsonReader reader(query);      // projection: only query.fields() are materialised
//   eqlite::Event event;
//   auto ok = reader.read(line, event);    // event's strings borrow the reader's buffers
//
// A JsonReader walks each document once (semantics.md E1-E3): nested objects flatten to dotted
// paths, a key containing dots is the same path, arrays (and arrays of objects) are multi-valued,
// duplicated keys keep every value, integers beyond int64 become doubles. Subtrees that no field
// of the query can be under are skipped. Constant fields (E4) fill a field that the document
// leaves without a value.
//
// Lifetime: string values in the Event are valid until the next read() on this reader.
// Thread safety: one JsonReader per thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eqlite/error.hpp"
#include "eqlite/event.hpp"
#include "eqlite/value.hpp"

namespace eqlite {

/// read_padded(): how many readable bytes must follow the JSON text (their values do not matter).
inline constexpr std::size_t kJsonPadding = 64;

/// Limits on one event (docs/robustness.md). An event beyond a limit is a BadJson error with
/// the reason, like any other bad line; nothing is read from it.
struct ReaderOptions {
  /// Deepest nesting of objects and arrays (at most 1000: simdjson's own limit is 1024).
  std::size_t max_depth = 512;
  /// Largest event, in bytes (simdjson's own limit is 4 GiB).
  std::size_t max_event_bytes = std::size_t{256} << 20;
  /// Which readers may take a line, fastest first (docs/architecture.md, "Reading JSON"):
  /// one pass over simdjson's structural indexes, then simdjson's DOM parser and a walk of its
  /// tape; the On-Demand walk is always there, and it decides every line the others leave and
  /// words every error. All give the same events and the same errors; the switches exist to
  /// test and measure each.
  bool structural_reader = true;
  bool dom_reader = true;
};

class JsonReader {
 public:
  /// Reads the fields of `query` (the reader keeps its own copy of the field table).
  explicit JsonReader(const Query& query, const ReaderOptions& options = {});
  /// Reads the given field paths; field id i is paths[i].
  explicit JsonReader(std::vector<std::string> paths, const ReaderOptions& options = {});
  ~JsonReader();
  JsonReader(JsonReader&&) noexcept;
  JsonReader& operator=(JsonReader&&) noexcept;

  /// E4: `value` is used for `path` in every event that has no value for it. Strings are copied.
  /// A later call for the same path replaces the value; a null value removes the constant.
  void set_constant(std::string_view path, Value value);

  /// Parses one JSON document into `out` (reset to this reader's fields first). Fails with
  /// ErrorCode::BadJson when the text is not valid JSON or not an object (E2).
  Result<void> read(std::string_view json, Event& out);
  /// The same without copying `json` first: json.data() + json.size() must be followed by at
  /// least kJsonPadding readable bytes (any values: the next line of a buffer will do). String
  /// values may then view `json` itself, so it must outlive the use of `out`.
  Result<void> read_padded(std::string_view json, Event& out);

  /// A hint for reading the lines of one buffer with read_padded(): runs simdjson's first stage
  /// (the structural scan) once over `block`, a buffer of whole NDJSON lines followed by
  /// kJsonPadding readable bytes, instead of once per line. The read_padded() calls that
  /// follow, for lines of `block` in order (text between two line ends, without the newline or
  /// a '\r' before it), use it; any other call reads as before. Events and errors are the same
  /// with or without the hint; it saves the scan's fixed cost per line (about a fifth of it on
  /// 1.4 KB events; docs/performance.md). A block over 4 MiB is not prescanned. The hint lasts
  /// until the next prescan(): `block` must stay unchanged and alive until then, so call
  /// prescan() with the next block, or prescan({}), before its memory is released or reused.
  void prescan(std::string_view block);
  /// How many reads so far took their tokens from a prescan (for tests and benchmarks).
  std::uint64_t prescanned_reads() const noexcept;

  /// Calls `sink` with the dotted path of every value of the document (once per value: an
  /// array gives its path once per element; null and empty arrays give nothing). For tools
  /// that compare a rule's fields with real data (`eqlite check --fields-from`).
  Result<void> for_each_path(std::string_view json,
                             const std::function<void(std::string_view path)>& sink);

 private:
  Result<void> walk(std::string_view json, bool padded);
  Result<void> finish_read(Result<void> ok, Event& out);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqlite
