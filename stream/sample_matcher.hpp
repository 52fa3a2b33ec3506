// stream/sample_matcher.hpp — samples (semantics.md Q7): per join key, events that match each
// stage, one different event per stage, in no particular order.
//
// Per key, each stage keeps the first max_samples_per_key events that match it (in the order
// pushed). A key's samples are the combinations of one kept event per stage with no event
// twice, in the order of their stages' candidates (stage 1's first candidate first, ...), at
// most max_samples_per_key of them. Over a finite input they are given at finish(), ordered by
// join-key values ascending (Elasticsearch's order: its composite aggregation over the keys).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eqlite/event.hpp"
#include "stream/sequence_matcher.hpp"
#include "stream/sequence_program.hpp"
#include "stream/snapshot_io.hpp"

namespace eqlite::internal {

class SampleMatcher {
 public:
  using Emit = SequenceMatcher::Emit;

  /// `when_complete`: a key's samples are given as soon as they exist (Q7 on an endless
  /// stream), not at finish() in key order.
  SampleMatcher(std::shared_ptr<const SequenceProgram> program, std::uint64_t max_per_key,
                bool when_complete = false);

  /// One event; `matched[i]`: whether the filter of stages[i] holds. Gives samples through
  /// `emit` only when_complete.
  void push(const Event& event, std::uint64_t position, std::string_view json,
            const std::vector<char>& matched, const Emit& emit);
  /// Every key's samples, keys in ascending order of their values (when_complete: nothing more).
  void finish(const Emit& emit);

  std::uint64_t complete_keys() const noexcept;
  std::uint64_t held_events() const noexcept { return held_; }
  /// The smallest position of a candidate event held; UINT64_MAX when none is.
  std::uint64_t oldest_position() const noexcept;
  std::size_t state_bytes() const noexcept;

  void save(SnapshotWriter& w) const;
  bool load(SnapshotReader& r);

 private:
  struct KeyState {
    std::vector<std::vector<HeldRef>> candidates;     // by stage
    std::vector<std::vector<std::string>> shown;      // the same: the key as each event has it,
                                                      // when that differs (join_keys())
    std::uint64_t given = 0;                          // samples given
    std::vector<std::vector<std::uint64_t>> emitted;  // when_complete: their events' positions
    bool done = false;  // when_complete: all given; the candidates are freed
  };
  void samples_of(const std::string& key, KeyState& ks, const Emit& emit);
  std::shared_ptr<const SequenceProgram> program_;
  std::uint64_t max_per_key_;
  bool when_complete_;
  std::vector<std::string> touched_;
  std::vector<const HeldEvent*> chosen_;
  std::map<std::string, KeyState> keys_;
  std::uint64_t held_ = 0;
  std::vector<std::string> combos_, shown_;
  std::vector<Value> decoded_;
};

}  // namespace eqlite::internal
