// stream/pipes.hpp — `| head N` and `| tail N` over one rule's results (semantics.md P2, Q6).
//
// Results pass the pipes in order. A head passes the first N and drops the rest; a tail keeps
// the last N (owned copies) and passes them on at finish(). A leading head that is full makes
// the chain saturated: no further input changes what it gives.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "eqlite/query.hpp"
#include "stream/snapshot_io.hpp"

namespace eqlite::internal {

/// A result that owns its bytes: the encoded join key (join_key.hpp) and each event's text
/// and position (`missing[i]`: event i is a missing event, Q5, position 0).
struct OwnedResult {
  std::string key;
  std::vector<std::string> events;
  std::vector<char> missing;
  std::vector<std::uint64_t> positions;
};

class PipeChain {
 public:
  using Deliver = std::function<void(const OwnedResult&)>;
  explicit PipeChain(const std::vector<PipeStage>& stages) {
    for (const auto& s : stages)
      stages_.push_back({s, 0, {}});
  }
  bool empty() const noexcept { return stages_.empty(); }
  void push(const OwnedResult& r, const Deliver& deliver) { push(0, r, deliver); }
  void finish(const Deliver& deliver) {
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      if (stages_[i].spec.kind != PipeStage::Kind::Tail) continue;
      auto buffered = std::move(stages_[i].buffer);
      stages_[i].buffer.clear();
      for (const auto& r : buffered)
        push(i + 1, r, deliver);
    }
  }
  /// The smallest position of an event of a result a tail keeps; UINT64_MAX when none.
  std::uint64_t oldest_position() const noexcept {
    std::uint64_t m = UINT64_MAX;
    for (const auto& s : stages_)
      for (const auto& r : s.buffer)
        for (std::size_t i = 0; i < r.positions.size(); ++i)
          if (!r.missing[i] && r.positions[i] < m) m = r.positions[i];
    return m;
  }
  bool saturated() const noexcept {
    for (const auto& s : stages_) {
      if (s.spec.kind == PipeStage::Kind::Tail) return false;
      if (s.seen >= s.spec.n) return true;
    }
    return false;
  }

  void save(SnapshotWriter& w) const {
    w.u64(stages_.size());
    for (const auto& s : stages_) {
      w.u64(s.seen);
      w.u64(s.buffer.size());
      for (const auto& r : s.buffer) {
        w.str(r.key);
        w.u64(r.events.size());
        for (std::size_t i = 0; i < r.events.size(); ++i) {
          w.u8(static_cast<std::uint8_t>(r.missing[i]));
          w.u64(r.positions[i]);
          w.str(r.events[i]);
        }
      }
    }
  }
  bool load(SnapshotReader& r) {
    if (r.count(16) != stages_.size()) r.fail();
    for (auto& s : stages_) {
      s.buffer.clear();
      s.seen = r.u64();
      const std::uint64_t n = r.count(16);
      for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
        OwnedResult o;
        o.key = std::string(r.str());
        const std::uint64_t events = r.count(17);
        for (std::uint64_t e = 0; e < events && r.ok(); ++e) {
          o.missing.push_back(static_cast<char>(r.u8()));
          o.positions.push_back(r.u64());
          o.events.emplace_back(r.str());
        }
        s.buffer.push_back(std::move(o));
      }
    }
    return r.ok();
  }

 private:
  struct Stage {
    PipeStage spec;
    std::uint64_t seen;
    std::deque<OwnedResult> buffer;
  };
  void push(std::size_t i, const OwnedResult& r, const Deliver& deliver) {
    if (i == stages_.size()) {
      deliver(r);
      return;
    }
    Stage& s = stages_[i];
    if (s.spec.kind == PipeStage::Kind::Head) {
      if (s.seen < s.spec.n) {
        ++s.seen;
        push(i + 1, r, deliver);
      }
    } else if (s.spec.n > 0) {
      s.buffer.push_back(r);
      if (s.buffer.size() > s.spec.n) s.buffer.pop_front();
    }
  }
  std::vector<Stage> stages_;
};

}  // namespace eqlite::internal
