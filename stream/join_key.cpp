// stream/join_key.cpp — the order of join keys (join_key.hpp).
#include "stream/join_key.hpp"

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

}  // namespace eqlite::internal
