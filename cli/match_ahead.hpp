// cli/match_ahead.hpp — a rule set's matching on a second thread, for the stream mode (a rule
// pack with sequences runs there). The main thread reads each event in input order (with its
// input's constants), copies it into a slot of the batch it fills, and applies the batches in
// order (eqlite::Stream::push_matched); a worker thread finds each event's rules and stages
// (RuleSetMatcher::match_units), the costly part, one batch behind. Two batches alternate, so
// the main thread applies one while the worker matches the other. The results, messages and
// counts are those of one thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include <eqlite/event.hpp>
#include <eqlite/rule_set.hpp>

namespace cli {

/// An Event whose string values view its own copy of their bytes.
class EventCopy {
 public:
  void assign(const eqlite::Event& from) {
    // One pass over the fields for the values (a string's bytes appended, its place kept),
    // then the values added once the text no longer moves.
    text_.clear();
    kept_.clear();
    const std::size_t fields = from.field_count();
    for (std::uint32_t f = 0; f < fields; ++f)
      for (const eqlite::Value& v : from.values(f)) {
        if (v.kind() != eqlite::ValueKind::String) {
          kept_.push_back({f, v, 0, 0});
          continue;
        }
        kept_.push_back({f, v, text_.size(), v.as_string().size()});
        text_ += v.as_string();
      }
    event_.reset(fields);
    for (const Kept& k : kept_)
      event_.add(k.field, k.value.kind() == eqlite::ValueKind::String
                              ? eqlite::Value::string(std::string_view(text_).substr(k.at, k.size))
                              : k.value);
  }
  const eqlite::Event& event() const { return event_; }

 private:
  struct Kept {
    std::uint32_t field;
    eqlite::Value value;
    std::size_t at, size;  // a string's bytes in text_
  };
  eqlite::Event event_;
  std::string text_;
  std::vector<Kept> kept_;
};

/// `Payload`: what the main thread keeps with each event to apply it (its line).
template <typename Payload>
class MatchAhead {
 public:
  struct Slot {
    Payload payload;
    bool read = false;  // the event was read into `event` (else it is applied as it is)
    EventCopy event;
    std::vector<std::uint32_t> units;
  };
  static constexpr std::size_t kBatch = 256;

  MatchAhead(const eqlite::RuleSet& rules, const eqlite::ReaderOptions& options)
      : matcher_(rules, options) {
    for (auto& b : batches_)
      b.slots.resize(kBatch);
    worker_ = std::thread([this] { work(); });
  }
  ~MatchAhead() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_worker_.notify_one();
    worker_.join();
  }
  MatchAhead(const MatchAhead&) = delete;
  MatchAhead& operator=(const MatchAhead&) = delete;

  /// The next slot of the batch being filled (main thread).
  Slot& add() { return batches_[filling_].slots[batches_[filling_].count++]; }
  bool full() const { return batches_[filling_].count == kBatch; }

  /// Hands the batch being filled to the worker, then applies the one it matched before (in
  /// order), whose slots are filled next.
  template <typename Apply>
  void rotate(Apply&& apply) {
    Batch& previous = batches_[1 - filling_];
    wait_matched(previous);
    submit(batches_[filling_]);
    for (std::size_t i = 0; i < previous.count; ++i)
      apply(previous.slots[i]);
    previous.count = 0;
    filling_ = 1 - filling_;
  }
  /// Applies everything added so far, in order.
  template <typename Apply>
  void drain(Apply&& apply) {
    rotate(apply);
    rotate(apply);
  }

 private:
  struct Batch {
    std::vector<Slot> slots;
    std::size_t count = 0;
    bool matched = true;  // nothing of it is with the worker
  };

  void submit(Batch& b) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      b.matched = false;
      pending_ = &b;
    }
    wake_worker_.notify_one();
  }
  void wait_matched(Batch& b) {
    std::unique_lock<std::mutex> lock(mutex_);
    matched_.wait(lock, [&] { return b.matched; });
  }
  void work() {
    for (;;) {
      Batch* b = nullptr;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        wake_worker_.wait(lock, [&] { return stop_ || pending_; });
        if (!pending_) return;  // stopping, nothing left
        b = pending_;
        pending_ = nullptr;
      }
      for (std::size_t i = 0; i < b->count; ++i)
        if (b->slots[i].read) matcher_.match_units(b->slots[i].event.event(), b->slots[i].units);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        b->matched = true;
      }
      matched_.notify_one();
    }
  }

  eqlite::RuleSetMatcher matcher_;  // the worker's
  Batch batches_[2];
  int filling_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_worker_, matched_;
  Batch* pending_ = nullptr;
  bool stop_ = false;
  std::thread worker_;
};

}  // namespace cli
