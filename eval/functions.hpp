// eval/functions.hpp — the EQL functions (semantics.md P9, S10; eql-reference.md §10).
//
// One table describes every function (name, arity, `~` support); the compiler checks calls
// against it and the VM calls call_function(). Null in -> null out unless noted; bad types
// give null, never an error (S11). Positions and lengths count UTF-16 code units, as Java's
// String does (a character beyond U+FFFF counts 2).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "eqlite/value.hpp"

namespace eqlite::internal {

enum class Function : std::uint8_t {
  Add,
  Between,
  CidrMatch,
  Concat,
  Divide,
  EndsWith,
  IndexOf,
  Length,
  Modulo,
  Multiply,
  Number,
  StartsWith,
  String,
  StringContains,
  Substring,
  Subtract,
};

inline constexpr std::size_t kFunctionCount = 16;

struct FunctionInfo {
  Function id;
  const char* name;       ///< as documented (cidrMatch); matched case-insensitively
  const char* signature;  ///< for messages: "between(source, left, right[, greedy])"
  std::uint8_t min_args;
  std::uint8_t max_args;  ///< 255: any number
  bool tilde;             ///< has a case-insensitive `~` form
};

/// The function named `name` (any case), or nullptr.
const FunctionInfo* find_function(std::string_view name) noexcept;
/// The known function closest to `name` (edit distance), or nullptr when none is close.
const FunctionInfo* closest_function(std::string_view name) noexcept;
const FunctionInfo& function_info(Function f) noexcept;

/// Strings made while evaluating (concat, string): owned here, reused across evaluations.
class StringPool {
 public:
  void reset() noexcept { used_ = 0; }
  std::string& next() {
    if (used_ == pool_.size()) pool_.push_back(std::make_unique<std::string>());
    std::string& s = *pool_[used_++];
    s.clear();
    return s;
  }

 private:
  std::vector<std::unique_ptr<std::string>> pool_;
  std::size_t used_ = 0;
};

/// Evaluates `f` on `args` (argument count already checked by the compiler). String results
/// view either an argument or a string of `pool`, so they live as long as both do.
Value call_function(Function f, bool ci, const Value* args, std::size_t n, StringPool& pool,
                    std::string& scratch) noexcept;

/// Whether `text` is a valid CIDR block (IPv4 or IPv6), for compile-time checks.
bool valid_cidr(std::string_view text) noexcept;
/// A /prefix on an IPv6-mapped IPv4 address (`::ffff:10.0.0.0/104`): invalid, as in
/// Elasticsearch. (valid_cidr() is false for it; this says why.)
bool ipv4_mapped_block(std::string_view text) noexcept;

}  // namespace eqlite::internal
