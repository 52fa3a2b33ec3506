// cli/route_key.hpp — the Kafka message key `eqlite consume --repartition-by FIELD` gives an event
// (docs/deploy.md, "Sequences across instances"): the text of the field's value, so that events
// whose join-key values are equal (Q2; numbers as S8 compares them, 1 == 1.0) get equal keys and
// so land in one partition. Unequal values may share a key (the string "1" and the number 1):
// that only puts them in one partition, which is harmless.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include <eqlite/value.hpp>

namespace cli {

struct RouteKey {
  std::string key;       // empty when the field has no value (every such event: one partition)
  bool several = false;  // the field has several values: routed by the first (docs/deploy.md)
};

/// The key of an event whose values of the routing field are `values` (nulls left out).
inline RouteKey route_key(std::span<const eqlite::Value> values) {
  RouteKey out;
  const eqlite::Value* first = nullptr;
  std::size_t count = 0;
  for (const auto& v : values)
    if (!v.is_null() && count++ == 0) first = &v;
  out.several = count > 1;
  if (!first) return out;
  switch (first->kind()) {
    case eqlite::ValueKind::String:
      out.key = std::string(first->as_string());
      break;
    case eqlite::ValueKind::Bool:
      out.key = first->as_bool() ? "true" : "false";
      break;
    case eqlite::ValueKind::Int:
      out.key = std::to_string(first->as_int());
      break;
    case eqlite::ValueKind::Double: {
      const double d = first->as_double();
      if (std::trunc(d) == d && d >= -9.2233720368547758e18 && d < 9.2233720368547758e18) {
        out.key = std::to_string(static_cast<std::int64_t>(d));  // 1.0 routes as 1
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", d);
        out.key = buf;
      }
      break;
    }
    default:
      break;
  }
  return out;
}

}  // namespace cli
