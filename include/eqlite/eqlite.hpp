// eqlite — an embeddable engine for Elastic's Event Query Language (EQL).
//
//   #include <eqlite/eqlite.hpp>
//
//   auto query = eqlite::compile(R"(process where process.name : "cmd.exe" and process.pid > 4)");
//   if (!query) { std::cerr << query.error().format(text) << '\n'; return 2; }
//   eqlite::JsonReader reader(*query);   // reuse: keeps buffers warm
//   eqlite::Event event;                 // reuse: keeps capacity
//   eqlite::Vm vm;                       // one per thread
//   for (std::string_view line : lines) {
//     if (auto ok = reader.read(line, event); !ok) { report(ok.error()); continue; }
//     if (vm.matches(*query, event)) emit(line);
//   }
//
// Many rules at once: eqlite::RuleSet and eqlite::RuleSetMatcher (rule_set.hpp).
//
// The evaluation rules are those of Elasticsearch EQL (docs/language.md, semantics.md).
#pragma once

#include "eqlite/error.hpp"
#include "eqlite/event.hpp"
#include "eqlite/json_reader.hpp"
#include "eqlite/query.hpp"
#include "eqlite/rule_set.hpp"
#include "eqlite/stream.hpp"
#include "eqlite/value.hpp"
#include "eqlite/version.hpp"
#include "eqlite/vm.hpp"
