// cli/result_id.hpp — the stable id of a result `eqlite consume` writes (docs/deploy.md): the
// same result found again when a partition is read again from a committed offset has the same
// id, so that a downstream system can drop the repeat.
//
//   TOPIC/PARTITION/OFFSETS/KEYS/RULE     events/2/1041,1043,-/5f0c27a9e4b1d3c8/<rule id>
//
// OFFSETS: each event's offset in stage order (`-` for a missing event, Q5); KEYS: `-` for an
// event rule, else 16 hex digits of a hash (64-bit FNV-1a) of the join keys as JSON (two
// results on the same events can differ only by their keys, Q2); RULE: the rule's id (a TOML
// rule's rule_id, an .eql file's stem, `query`), last because it may hold any character.
#pragma once

#include <eqlite/eqlite.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "cli/output.hpp"

namespace cli {

/// `positions` are the Stream's: offset + 1 (0: a missing event).
inline std::string result_id(std::string_view topic, std::int32_t partition,
                             const eqlite::StreamResult& r, std::string_view rule_id) {
  std::string id(topic);
  id += '/';
  id += std::to_string(partition);
  id += '/';
  for (std::size_t i = 0; i < r.positions.size(); ++i) {
    if (i) id += ',';
    id += r.positions[i] == 0 ? std::string("-") : std::to_string(r.positions[i] - 1);
  }
  id += '/';
  if (r.kind == eqlite::QueryKind::Event) {
    id += '-';
  } else {
    std::uint64_t h = 1469598103934665603ull;
    for (const eqlite::Value& k : r.join_keys) {
      for (unsigned char c : json_value(k))
        h = (h ^ c) * 1099511628211ull;
      h = (h ^ 0xFF) * 1099511628211ull;  // a separator no key's JSON text holds
    }
    static const char* const kHex = "0123456789abcdef";
    for (int shift = 60; shift >= 0; shift -= 4)
      id += kHex[(h >> shift) & 0xF];
  }
  id += '/';
  id += rule_id;
  return id;
}

}  // namespace cli
