// tests/support/reference_sequence_input.hpp — TEST-ONLY: what the sequence reference
// (reference_sequence.hpp) is given, made from a parsed query and events as FlatEvents: the
// query's stages, keys, maxspan and pipes (RefQuery), and per event the reference
// interpreter's verdict on each stage and the values of its join keys (RefEvent). Shared by the
// conformance runner and the differential test; no engine code.
#pragma once

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "eqlite/event.hpp"
#include "parser/ast.hpp"
#include "support/reference_interpreter.hpp"
#include "support/reference_sequence.hpp"

namespace eqlite::testing {

inline RefQuery ref_query(const ast::Query& parsed, std::uint64_t max_samples_per_key) {
  RefQuery rq;
  rq.sample = parsed.kind == ast::Query::Kind::Sample;
  if (parsed.maxspan_ns) rq.maxspan_ns = parsed.maxspan_ns;
  rq.max_samples_per_key = max_samples_per_key;
  for (const auto& p : parsed.pipes) {
    const auto* lit = std::get_if<ast::Literal>(&p.args.at(0).node);
    rq.pipes.emplace_back(p.name == "head",
                          static_cast<std::uint64_t>(std::get<std::int64_t>(*lit)));
  }
  auto stage_of = [&](const ast::Stage& st) {
    RefStage r;
    r.missing = st.missing;
    r.runs = st.runs;
    for (const auto* list : {&parsed.keys, &st.keys})
      for (const auto& k : *list)
        r.key_optional.push_back(k.field.optional);
    return r;
  };
  for (const auto& st : parsed.stages)
    rq.stages.push_back(stage_of(st));
  if (!parsed.until.empty()) rq.until = stage_of(parsed.until.front());
  return rq;
}

inline RefEvent ref_event(const ast::Query& parsed, const FieldMap& event,
                          std::optional<std::int64_t> timestamp_ns) {
  std::vector<Value> values;
  auto keys_of = [&](const ast::Stage& st) {
    std::vector<std::vector<RefValue>> keys;
    for (const auto* list : {&parsed.keys, &st.keys})
      for (const auto& k : *list) {
        values.clear();
        event.get(k.field.path, values);
        keys.emplace_back();
        for (const auto& v : values)
          if (!v.is_null()) keys.back().push_back(ref_value(v));  // S1: null is no value
      }
    return keys;
  };
  RefEvent re;
  re.timestamp_ns = timestamp_ns;
  for (const auto& st : parsed.stages) {
    re.matches.push_back(reference_matches(st.query, event));
    re.keys.push_back(keys_of(st));
  }
  if (!parsed.until.empty()) {
    re.until_matches = reference_matches(parsed.until.front().query, event);
    re.until_keys = keys_of(parsed.until.front());
  }
  return re;
}

}  // namespace eqlite::testing
