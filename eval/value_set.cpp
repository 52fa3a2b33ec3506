// eval/value_set.cpp — ValueSet: typed equality with every literal of an `in` list at once.
#include "eval/value_set.hpp"

#include "eval/value_ops.hpp"

namespace eqlite::internal {

void ValueSet::add(Value lit) {
  ++count_;
  std::string buf, folded;
  std::string_view text;
  if (lit.is_null()) return;  // a null member matches nothing (Elasticsearch's In ignores it)
  if (ci_) {
    // in~ compares text (S8: on numbers and booleans, their JSON text)
    text_of(lit, buf, text);
    fold_ascii(text, folded);
    strings_.insert(folded);
    return;
  }
  switch (lit.kind()) {
    case ValueKind::String: {
      strings_.insert(std::string(lit.as_string()));
      Value n;
      if (parse_number(lit.as_string(), n)) add_number(n);
      if (lit.as_string() == "true") true_ = true;
      if (lit.as_string() == "false") false_ = true;
      break;
    }
    case ValueKind::Int:
    case ValueKind::Double:
      add_number(lit);
      text_of(lit, buf, text);
      strings_.insert(std::string(text));
      break;
    case ValueKind::Bool:
      (lit.as_bool() ? true_ : false_) = true;
      strings_.insert(lit.as_bool() ? "true" : "false");
      break;
    case ValueKind::Null:
      break;
  }
}

// Numbers compare as compare() does: int with int exactly, otherwise as doubles. So an int
// literal is kept both exactly and as the double it converts to.
void ValueSet::add_number(Value n) {
  if (n.kind() == ValueKind::Int) {
    ints_.insert(n.as_int());
    int_doubles_.insert(static_cast<double>(n.as_int()));
  } else {
    doubles_.insert(n.as_double());
  }
}

bool ValueSet::contains_number(Value v) const noexcept {
  if (v.kind() == ValueKind::Int)
    return ints_.count(v.as_int()) != 0 || doubles_.count(static_cast<double>(v.as_int())) != 0;
  return doubles_.count(v.as_double()) != 0 || int_doubles_.count(v.as_double()) != 0;
}

bool ValueSet::contains(Value v, std::string& buf) const noexcept {
  if (v.is_null()) return false;  // S2
  try {
    if (ci_) {  // the set holds folded strings (S5)
      std::string_view text;
      text_of(v, buf, text);
      return strings_.find_folded(text) != StringSet::npos;
    }
    switch (v.kind()) {
      case ValueKind::String:
        return strings_.contains(v.as_string());
      case ValueKind::Int:
      case ValueKind::Double:
        return contains_number(v);
      case ValueKind::Bool:
        return v.as_bool() ? true_ : false_;
      case ValueKind::Null:
        return false;
    }
  } catch (...) {
  }
  return false;
}

}  // namespace eqlite::internal
