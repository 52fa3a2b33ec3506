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
///
/// All values live in one array, each field's in a contiguous run of it, so add() is a store
/// and a compare, and clear() is O(1) whatever the number of fields (a generation number marks
/// the runs of earlier events stale). A field's values are added in order; when another field
/// was added in between, its run moves to the end with room to double (amortised O(1) per
/// value, also for arrays of objects that alternate between fields).
class Event {
 public:
  Event() = default;
  explicit Event(std::size_t field_count) { reset(field_count); }

  /// Empties every field and sets the number of fields.
  void reset(std::size_t field_count);
  /// Empties every field; keeps capacity.
  void clear() noexcept {
    values_.clear();
    if (++generation_ == 0) restart();
  }
  void add(std::uint32_t field_id, Value v) {
    Run& r = runs_[field_id];
    const auto end = static_cast<std::uint32_t>(values_.size());
    if (r.generation != generation_) {
      r = {end, 1, 1, generation_};  // the field's first value in this event (most are)
      values_.push_back(v);
    } else if (r.count < r.room) {
      values_[r.offset + r.count++] = v;
    } else if (r.offset + r.room == end) {
      values_.push_back(v);  // the run is last: it grows in place
      ++r.count;
      ++r.room;
    } else {
      move_run(r, v);
    }
  }
  std::span<const Value> values(std::uint32_t field_id) const noexcept {
    const Run& r = runs_[field_id];
    if (r.generation != generation_) return {};
    return {values_.data() + r.offset, r.count};
  }
  std::size_t field_count() const noexcept { return runs_.size(); }

  /// Fills this Event from `map` for the fields of `query` (one lookup per field).
  void bind(const Query& query, const FieldMap& map);

 private:
  struct Run {
    std::uint32_t offset = 0;      // into values_
    std::uint32_t count = 0;       // values of the field
    std::uint32_t room = 0;        // slots of values_ the run owns (>= count)
    std::uint32_t generation = 0;  // the run is this event's when equal to generation_
  };
  void move_run(Run& r, Value v);
  void restart() noexcept;

  std::vector<Run> runs_;
  std::vector<Value> values_;
  std::uint32_t generation_ = 1;
  std::vector<Value> scratch_;  // bind()
};

}  // namespace eqlite
