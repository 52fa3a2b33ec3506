// stream/sequence_matcher.hpp — the streaming state machine of one sequence query
// (semantics.md Q2-Q6, Q8), fed one event at a time in time order (T3).
//
// Per join key, at most one pending sequence waits in each stage (Q2): an event that matches a
// stage takes the sequence waiting in the previous positive stage for its key, and moves it on
// (a newer one replaces an older one waiting in the same stage, as Elasticsearch's state
// machine keeps only the latest). Stages are tried from last to first, so an event can complete
// or advance one sequence and start another. Every pending sequence is also on one list in the
// order it started; maxspan expiry (Q3) and the cap on pending sequences (Q8) take from its
// front. Missing events (Q5) are checked from the time each key last saw an event of the
// missing stage; a sequence whose last stage is missing waits until its window has closed.
// The events of pending sequences are copied once each (HeldEvent) and shared.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eqlite/event.hpp"
#include "stream/held_event.hpp"
#include "stream/sequence_program.hpp"
#include "stream/snapshot_io.hpp"

namespace eqlite::internal {

/// What became of the sequences a matcher started (they add up: started = completed + expired
/// + evicted + until + replaced + missing + pending + waiting).
struct SequenceCounts {
  std::uint64_t started = 0;    ///< sequences begun by an event of the first positive stage
  std::uint64_t completed = 0;  ///< results
  std::uint64_t expired = 0;    ///< dropped by maxspan (Q3)
  std::uint64_t evicted = 0;    ///< dropped by the cap on pending sequences (Q8)
  std::uint64_t until = 0;      ///< dropped by an `until` event (Q4)
  std::uint64_t replaced = 0;   ///< a newer sequence took their place in a stage (Q2)
  std::uint64_t missing = 0;    ///< an event of a missing stage occurred (Q5)
  std::uint64_t pending = 0;    ///< waiting in a stage now
  std::uint64_t waiting = 0;    ///< complete but for a last missing stage whose window is open
};

class SequenceMatcher {
 public:
  /// A result: the encoded join key (join_key.hpp) and the events in stage order (runs
  /// expanded); nullptr stands for a missing event.
  using Emit = std::function<void(std::string_view key, std::span<const HeldEvent* const>)>;

  /// `max_pending`: the cap of Q8 (0: none).
  SequenceMatcher(std::shared_ptr<const SequenceProgram> program, std::size_t max_pending);
  ~SequenceMatcher();
  SequenceMatcher(const SequenceMatcher&) = delete;
  SequenceMatcher& operator=(const SequenceMatcher&) = delete;

  /// One event at time `ts` and stream position `position` (increasing), bound to the
  /// program's field table; `matched[i]` tells whether the filter of stages[i] holds, `until`
  /// whether the until stage's does. `json` is copied if the event is kept.
  void push(const Event& event, std::int64_t ts, std::uint64_t position, std::string_view json,
            const std::vector<char>& matched, bool until, const Emit& emit);
  /// No event will come before time `ts`: sequences that can no longer complete are dropped
  /// and those waiting for a closed window are emitted (called by push()).
  void advance(std::int64_t ts, const Emit& emit);
  /// The earliest time `ts` from which advance(ts) has something to do (INT64_MIN: at once;
  /// INT64_MAX: never, until the next push()).
  std::int64_t next_due() const noexcept;
  /// The end of the input: sequences waiting on a last missing stage are complete.
  void finish(const Emit& emit);

  const SequenceCounts& counts() const noexcept { return counts_; }
  /// The smallest position of an event a pending or waiting sequence holds; UINT64_MAX when
  /// none does.
  std::uint64_t oldest_position() const noexcept;
  /// Bytes held by pending state besides the events' text (an estimate, for --stats and the
  /// benchmarks).
  std::size_t state_bytes() const noexcept;

  void save(SnapshotWriter& w) const;
  bool load(SnapshotReader& r);

 private:
  struct Pending;
  struct KeyState;
  // A sequence complete but for trailing missing stages (Q5): it is a result once the input
  // has passed `deadline` with no event of those stages after `last_ts` up to the deadline.
  // A result waiting behind them keeps its place (Q6: completion order): it is `ready`.
  struct Waiting {
    std::string key;
    std::string shown;  // the key as reported, when it differs
    std::vector<HeldRef> events;
    std::int64_t last_ts = 0;
    std::int64_t deadline = 0;
    bool rejected = false;
    bool ready = false;
  };
  // When a key last saw events of a missing stage: the latest time and the latest before it,
  // so that "the latest strictly before t" is known for any t not earlier than both.
  struct Seen {
    std::int64_t last = 0, prev = 0;
    bool has_last = false, has_prev = false;
    void note(std::int64_t ts) {
      if (has_last && ts == last) return;
      prev = last;
      has_prev = has_last;
      last = ts;
      has_last = true;
    }
    bool before(std::int64_t t, std::int64_t& out) const {
      if (has_last && last < t) {
        out = last;
        return true;
      }
      if (has_prev && prev < t) {
        out = prev;
        return true;
      }
      return false;
    }
  };

  void drop(Pending* p);
  void unlink(Pending* p);
  void link_back(Pending* p);
  void complete(const std::string& key, const std::string& shown, std::vector<HeldRef> events,
                std::int64_t first_ts, bool has_lead, std::int64_t lead_ts, std::int64_t last_ts,
                const Emit& emit);
  void emit_result(const std::string& key, const std::vector<HeldRef>& events, const Emit& emit);
  void emit_result(const std::string& key, const std::string& shown,
                   const std::vector<HeldRef>& events, const Emit& emit) {
    emit_result(shown.empty() ? key : shown, events, emit);
  }
  void queue(const std::string& key, const std::string& shown, std::vector<HeldRef> events,
             std::int64_t last_ts, std::int64_t deadline, bool ready);
  void pop_waiting(const Emit& emit);
  void maybe_erase(const std::string& key);
  void clear();

  std::shared_ptr<const SequenceProgram> program_;
  std::size_t max_pending_;
  std::vector<std::uint32_t> positive_;  // expanded positions of positive stages
  std::vector<int> previous_positive_;   // by expanded position: the positive one before, or -1
  std::vector<std::uint32_t> leading_missing_, trailing_missing_;  // written stage ids
  std::vector<int> missing_slot_;  // written stage -> index into KeyState::seen, or -1
  std::size_t missing_stages_ = 0;
  std::unordered_map<std::string, KeyState> keys_;
  Pending* oldest_ = nullptr;
  Pending* newest_ = nullptr;
  std::deque<Waiting> waiting_;
  std::uint64_t waiting_base_ = 0;  // the id of waiting_.front() (ids count up)
  // The ids of the entries a trailing missing event of the key could reject.
  std::unordered_map<std::string, std::deque<std::uint64_t>> waiting_ids_;
  // Keys that saw a leading missing event, in time order: a key's state is freed once it has
  // no pending sequence and its events are more than maxspan old (they can reject nothing).
  std::deque<std::pair<std::int64_t, std::string>> seen_order_;
  // By positive expanded position: the written missing stages between it and the next
  // positive one (a middle missing stage, Q5).
  std::vector<std::vector<std::uint32_t>> gap_stages_;
  SequenceCounts counts_;

  // scratch
  std::vector<std::string> combos_;
  // By combination: the key as the event has it when that differs (a double 1.0 joins as 1
  // and is reported as 1.0, docs/sequences.md 6); empty otherwise.
  std::vector<std::string> shown_;
  std::vector<Value> decoded_;
  void combinations(const Event& event, const SequenceStage& st);
  std::vector<const HeldEvent*> out_;
};

}  // namespace eqlite::internal
