// stream/join_key.cpp — the order of join keys (join_key.hpp).
#include "stream/join_key.hpp"

#include <algorithm>
#include <utility>

namespace eqlite::internal {

namespace {

int rank(const Value& v) {
  switch (v.kind()) {
    case ValueKind::Null:
      return 0;
    case ValueKind::Bool:
      return 1;
    case ValueKind::Int:
    case ValueKind::Double:
      return 2;
    case ValueKind::String:
      return 3;
  }
  return 4;
}

int compare(const Value& a, const Value& b) {
  const int ra = rank(a), rb = rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  switch (a.kind()) {
    case ValueKind::Null:
      return 0;
    case ValueKind::Bool:
      return static_cast<int>(a.as_bool()) - static_cast<int>(b.as_bool());
    case ValueKind::Int:
    case ValueKind::Double:
      if (a.kind() == ValueKind::Int && b.kind() == ValueKind::Int)
        return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int();
      return a.to_double() < b.to_double() ? -1 : a.to_double() > b.to_double();
    case ValueKind::String:
      return a.as_string().compare(b.as_string()) < 0   ? -1
             : a.as_string().compare(b.as_string()) > 0 ? 1
                                                        : 0;
  }
  return 0;
}

}  // namespace

bool key_less(std::string_view a, std::string_view b) {
  std::vector<Value> va, vb;
  decode_key(a, va);
  decode_key(b, vb);
  for (std::size_t i = 0; i < va.size() && i < vb.size(); ++i)
    if (int c = compare(va[i], vb[i]); c != 0) return c < 0;
  return va.size() < vb.size();
}

void join_keys(const Event& event, std::span<const std::uint16_t> fields,
               std::span<const std::uint8_t> optional, std::vector<std::string>& keys,
               std::vector<std::string>& shown, std::vector<Value>& scratch) {
  bool doubles = false;
  for (const auto f : fields)
    for (const Value& v : event.values(f))
      doubles = doubles || v.kind() == ValueKind::Double;
  if (!doubles) {
    key_combinations(event, fields, optional, keys);
    if (keys.size() > 1) {
      std::sort(keys.begin(), keys.end(), key_less);
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    }
    shown.assign(keys.size(), std::string());
    return;
  }
  // A double joins by value (1.0 is 1) but is reported as it is: each combination as written
  // (exact), and as it joins.
  key_combinations(event, fields, optional, shown, true);
  std::vector<std::pair<std::string, std::string>> both;
  for (auto& exact : shown) {
    decode_key(exact, scratch);
    std::string joined;
    for (const Value& v : scratch)
      append_key_value(joined, v);
    both.emplace_back(std::move(joined), joined == exact ? std::string() : std::move(exact));
  }
  std::stable_sort(both.begin(), both.end(),
                   [](const auto& a, const auto& b) { return key_less(a.first, b.first); });
  both.erase(std::unique(both.begin(), both.end(),
                         [](const auto& a, const auto& b) { return a.first == b.first; }),
             both.end());
  keys.clear();
  shown.clear();
  for (auto& [joined, exact] : both) {
    keys.push_back(std::move(joined));
    shown.push_back(std::move(exact));
  }
}

}  // namespace eqlite::internal
