// lib/event.cpp — Event (values bound to field ids) and FlatEvent (an owning FieldMap).
#include "eqlite/event.hpp"

#include "eqlite/query.hpp"

namespace eqlite {

void Event::reset(std::size_t field_count) {
  if (slots_.size() != field_count) slots_.resize(field_count);
  clear();
}

void Event::clear() noexcept {
  for (auto& s : slots_)
    s.clear();
}

void Event::bind(const Query& query, const FieldMap& map) {
  const auto& fields = query.fields();
  reset(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i)
    map.get(fields[i], slots_[i]);
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
