// stream/snapshot_io.hpp — the byte format of a Stream's snapshot: little-endian fixed-width
// integers and length-prefixed strings, written and read in the same order. A reader never
// trusts its input: every read is bounds-checked, and a short or inconsistent snapshot makes
// ok() false instead of reading past the end.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace eqlite::internal {

class SnapshotWriter {
 public:
  void u8(std::uint8_t v) { out_ += static_cast<char>(v); }
  void u64(std::uint64_t v) {
    char b[8];
    for (int i = 0; i < 8; ++i)
      b[i] = static_cast<char>(v >> (8 * i));
    out_.append(b, 8);
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class SnapshotReader {
 public:
  explicit SnapshotReader(std::string_view in) : in_(in) {}
  std::uint8_t u8() {
    if (!need(1)) return 0;
    return static_cast<std::uint8_t>(in_[at_++]);
  }
  std::uint64_t u64() {
    if (!need(8)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
      v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(in_[at_ + i])) << (8 * i);
    at_ += 8;
    return v;
  }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  std::string_view str() {
    const std::uint64_t n = u64();
    if (!need(n)) return {};
    std::string_view s = in_.substr(at_, n);
    at_ += n;
    return s;
  }
  /// A count of items each at least `min_bytes` long: 0 and not ok() when the rest of the
  /// input cannot hold that many (a corrupt count must not make the caller allocate).
  std::uint64_t count(std::size_t min_bytes) {
    const std::uint64_t n = u64();
    if (ok_ && n > (in_.size() - at_) / (min_bytes ? min_bytes : 1)) ok_ = false;
    return ok_ ? n : 0;
  }
  void fail() { ok_ = false; }
  bool ok() const { return ok_; }
  bool at_end() const { return at_ == in_.size(); }

 private:
  bool need(std::uint64_t n) {
    if (!ok_ || n > in_.size() - at_) {
      ok_ = false;
      return false;
    }
    return true;
  }
  std::string_view in_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

}  // namespace eqlite::internal
