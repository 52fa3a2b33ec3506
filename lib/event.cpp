// lib/event.cpp — Event (values bound to field ids) and FlatEvent (an owning FieldMap).
#include "eqlite/event.hpp"

#include <algorithm>

#include "eqlite/query.hpp"

namespace eqlite {

void Event::reset(std::size_t field_count) {
  if (runs_.size() != field_count) runs_.resize(field_count);
  clear();
}

void Event::restart() noexcept {  // the generation wrapped: no run may look current
  for (auto& r : runs_)
    r.generation = 0;
  generation_ = 1;
}

// Another field's values follow this run and it is full: it moves to the end, with room for
// as many again.
void Event::move_run(Run& r, Value v) {
  const auto end = static_cast<std::uint32_t>(values_.size());
  const std::uint32_t room = 2 * r.room;
  values_.resize(end + room);
  std::copy_n(values_.begin() + r.offset, r.count, values_.begin() + end);
  r.offset = end;
  r.room = room;
  values_[r.offset + r.count++] = v;
}

void Event::bind(const Query& query, const FieldMap& map) {
  const auto& fields = query.fields();
  reset(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    scratch_.clear();
    map.get(fields[i], scratch_);
    for (const Value& v : scratch_)
      add(static_cast<std::uint32_t>(i), v);
  }
}

FlatEvent& FlatEvent::add(std::string_view path, Value value) {
  if (value.kind() == ValueKind::String) {
    strings_.emplace_back(value.as_string());
    value = Value::string(strings_.back());
  }
  if (value.is_null()) {
    values_.try_emplace(std::string(path));  // S1: null is no value
    return *this;
  }
  auto it = values_.find(path);
  if (it == values_.end()) it = values_.emplace(std::string(path), std::vector<Value>{}).first;
  it->second.push_back(value);
  return *this;
}

FlatEvent::FlatEvent(const FlatEvent& other) {
  for (const auto& [path, values] : other.values_) {
    values_.try_emplace(path);
    for (const Value& v : values)
      add(path, v);
  }
}

FlatEvent& FlatEvent::operator=(const FlatEvent& other) {
  if (this != &other) {
    FlatEvent copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void FlatEvent::clear() {
  values_.clear();
  strings_.clear();
}

void FlatEvent::get(std::string_view path, std::vector<Value>& out) const {
  auto it = values_.find(path);
  if (it == values_.end()) return;
  out.insert(out.end(), it->second.begin(), it->second.end());
}

}  // namespace eqlite
