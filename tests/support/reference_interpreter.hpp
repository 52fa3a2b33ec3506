// tests/support/reference_interpreter.hpp — a TEST-ONLY reference interpreter ("gold standard").
//
// Evaluates an EQL AST directly, by walking the tree, with the rules of the semantics contract
// (/work/shared/spec/semantics.md) and the decisions of issue 3 written out in the .cpp. It is
// deliberately simple and slow: no bytecode, no prebuilt sets, no caches, every multi-valued
// combination enumerated. It is written from the contract, NOT from eval/, so that the VM and
// this interpreter are independent implementations; the conformance runner and the differential
// tester (tests/differential/) check that they agree (as re2 keeps a backtracker in testing/).
//
// It also implements the functions of P9/S10 (eql-reference.md §10), which the VM may not
// support yet.
#pragma once

#include <string_view>

#include "eqlite/event.hpp"
#include "parser/ast.hpp"

namespace eqlite::testing {

/// True when `event` satisfies `q`: its category test (P1, on `category_field`) and its `where`
/// condition, where `timestamp_field` compared with a date literal compares instants (T1, T2).
/// Pipes are ignored (they act on a stream, not on one event).
bool reference_matches(const ast::Query& q, const FieldMap& event,
                       std::string_view category_field = "event.category",
                       std::string_view timestamp_field = "@timestamp");

}  // namespace eqlite::testing
