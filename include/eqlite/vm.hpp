// eqlite/vm.hpp — evaluating a compiled Query against an event.
//
// A Vm is per-thread scratch (its stack and buffers are reused, so steady-state evaluation does
// not allocate). A Query is immutable and may be evaluated by many Vms at once.
// Evaluation never fails (semantics.md S11): bad data makes a predicate false.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "eqlite/event.hpp"
#include "eqlite/query.hpp"
#include "eqlite/value.hpp"

namespace eqlite {

namespace internal {
class StringPool;
class ResultMemo;
}  // namespace internal

/// How a Vm evaluates. The defaults suit every use; the switch exists to measure.
struct VmOptions {
  /// Remember what a costly list (a wildcard list matched as one, a regex list) answered for
  /// a short string, and answer the same string from memory (docs/performance.md): most fields
  /// such lists test repeat a few values. The answers are the same either way; the Vm turns
  /// the memory off by itself while values do not repeat.
  bool remember_answers = true;
};

class Vm {
 public:
  Vm();
  explicit Vm(const VmOptions& options);
  ~Vm();
  Vm(Vm&&) noexcept;
  Vm& operator=(Vm&&) noexcept;

  /// True when `event` (bound to `query`'s field ids) satisfies the query's condition.
  bool matches(const Query& query, const Event& event) noexcept;
  /// Convenience for embedding: binds `map` to the query's fields, then evaluates.
  bool matches(const Query& query, const FieldMap& map);

 private:
  void grow(std::size_t stack, std::size_t fields);
  std::vector<Value> stack_;
  std::vector<std::uint32_t> cursors_;
  std::string scratch_;
  std::string fold_;
  Event bound_;
  std::unique_ptr<internal::StringPool> pool_;  // strings made by functions (concat, string)
  std::unique_ptr<internal::ResultMemo> memo_;  // costly lists' answers for short strings
};

}  // namespace eqlite
