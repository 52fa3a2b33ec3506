// cli/input_constants.hpp — the constant fields an input's name gives its events (--index NAME;
// docs/rule-packs.md): `_index`, and a data stream's fields (semantics.md E4).
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pack/data_stream.hpp"

namespace cli {

/// Per field: its value for the events of input `index` ("" for none: the constant is removed),
/// every field but those --set gives (`set_fields`), which win.
inline std::vector<std::pair<std::string, std::string>> input_constants(
    const std::string& index, const std::vector<std::string>& set_fields) {
  static const char* const kFields[] = {
      "_index",        "data_stream.type", "data_stream.dataset", "data_stream.namespace",
      "event.dataset", "event.module"};
  const auto ds = pack::data_stream_constants(index);
  std::vector<std::pair<std::string, std::string>> out;
  for (const char* f : kFields) {
    if (std::find(set_fields.begin(), set_fields.end(), f) != set_fields.end()) continue;
    std::string value = std::string_view(f) == "_index" ? index : "";
    for (const auto& [field, v] : ds)
      if (field == f) value = v;
    out.emplace_back(f, std::move(value));
  }
  return out;
}

}  // namespace cli
