// eqlite/event.hpp — events as the VM sees them.
//
// Event: the values of one event, bound to a Query's field ids (any number of values per field:
// arrays are multi-valued fields, semantics.md S4). It is scratch: reuse one per thread; clear()
// keeps its capacity, so steady-state evaluation does not allocate. String values are views;
// whoever filled the Event (a JsonReader, a FlatEvent) owns the bytes.
//
// FieldMap: the embedding interface — an event the program builds itself, looked up by dotted
// path. FlatEvent is the owning implementation. A FieldMap is resolved to field ids once per
// event (Event::bind), never per instruction.
#pragma once

#include <cstdint>
#include <deque>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eqlite/value.hpp"

namespace eqlite {

class Query;

/// Read access to an event by dotted field path.
class FieldMap {
 public:
  virtual ~FieldMap() = default;
  /// Appends every value of `path` to `out` (nothing when the field has no value).
  virtual void get(std::string_view path, std::vector<Value>& out) const = 0;
};

/// An owning FieldMap: dotted path -> values. add() copies strings, so the caller's buffers may
/// go away. Adding a path twice makes it multi-valued (E3).
class FlatEvent final : public FieldMap {
 public:
  FlatEvent() = default;
  /// A copy owns its own strings (the values of `other` view `other`'s storage).
  FlatEvent(const FlatEvent& other);
  FlatEvent& operator=(const FlatEvent& other);
  /// Moving keeps every string where it is: the values stay valid.
  FlatEvent(FlatEvent&&) noexcept = default;
  FlatEvent& operator=(FlatEvent&&) noexcept = default;

  FlatEvent& add(std::string_view path, Value value);
  FlatEvent& add(std::string_view path, std::string_view string) {
    return add(path, Value::string(string));
  }
  FlatEvent& add(std::string_view path, const char* string) {
    return add(path, Value::string(string));
  }
  FlatEvent& add(std::string_view path, std::int64_t i) { return add(path, Value::integer(i)); }
  FlatEvent& add(std::string_view path, int i) { return add(path, Value::integer(i)); }
  FlatEvent& add(std::string_view path, double d) { return add(path, Value::number(d)); }
  FlatEvent& add(std::string_view path, bool b) { return add(path, Value::boolean(b)); }
  void clear();

  void get(std::string_view path, std::vector<Value>& out) const override;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  std::unordered_map<std::string, std::vector<Value>, Hash, std::equal_to<>> values_;
  std::deque<std::string> strings_;  // stable storage for string values
};

/// Values of one event, indexed by field id.
class Event {
 public:
  Event() = default;
  explicit Event(std::size_t field_count) { reset(field_count); }

  /// Empties every field and sets the number of fields.
  void reset(std::size_t field_count);
  /// Empties every field; keeps capacity.
  void clear() noexcept;
  void add(std::uint32_t field_id, Value v) { slots_[field_id].push_back(v); }
  std::span<const Value> values(std::uint32_t field_id) const noexcept { return slots_[field_id]; }
  std::size_t field_count() const noexcept { return slots_.size(); }

  /// Fills this Event from `map` for the fields of `query` (one lookup per field).
  void bind(const Query& query, const FieldMap& map);

 private:
  std::vector<std::vector<Value>> slots_;
};

}  // namespace eqlite
