// stream/sequence_matcher.cpp — see sequence_matcher.hpp.
#include "stream/sequence_matcher.hpp"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "stream/join_key.hpp"

namespace eqlite::internal {

namespace {

// An array whose size is set once (a vector without capacity: two words instead of three).
template <typename T>
class FixedArray {
 public:
  void assign(std::size_t n, const T& v) {
    p_ = n ? std::make_unique<T[]>(n) : nullptr;
    n_ = static_cast<std::uint32_t>(n);
    std::fill(begin(), end(), v);
  }
  T& operator[](std::size_t i) noexcept { return p_[i]; }
  const T& operator[](std::size_t i) const noexcept { return p_[i]; }
  T* begin() noexcept { return p_.get(); }
  T* end() noexcept { return p_.get() + n_; }
  const T* begin() const noexcept { return p_.get(); }
  const T* end() const noexcept { return p_.get() + n_; }
  std::size_t size() const noexcept { return n_; }
  std::size_t capacity() const noexcept { return n_; }

 private:
  std::unique_ptr<T[]> p_;
  std::uint32_t n_ = 0;
};

}  // namespace

struct SequenceMatcher::Pending {
  std::vector<HeldRef> events;  // by expanded position, up to its stage; null for missing ones
  std::int64_t start_ts = 0;    // the first positive event's time (maxspan counts from it)
  std::int64_t last_ts = 0;     // its latest event's time
  std::int64_t lead_ts = 0;     // Q5: the latest event of a leading missing stage before it
  // Q5, a middle missing stage: the first time an event of one came for this key after the
  // sequence's last event, while it waited in this stage (gap_seen); and whether one came
  // strictly between two of its events (doomed: it is then no result, but goes on through
  // the stages).
  std::int64_t gap_ts = 0;
  std::unique_ptr<std::string> shown;  // the key as reported, when it differs (shown_)
  KeyState* ks = nullptr;
  const std::string* key = nullptr;  // the map's key of `ks`
  Pending* prev = nullptr;
  Pending* next = nullptr;
  std::uint32_t slot = 0;  // the expanded position it waits in
  bool has_lead = false;   // lead_ts holds
  bool gap_seen = false;
  bool doomed = false;
};

struct SequenceMatcher::KeyState {
  FixedArray<Pending*> slots;  // by expanded position
  FixedArray<Seen> seen;       // by missing stage
  std::uint32_t live = 0;      // pending sequences in `slots`
};

SequenceMatcher::SequenceMatcher(std::shared_ptr<const SequenceProgram> program,
                                 std::size_t max_pending)
    : program_(std::move(program)), max_pending_(max_pending) {
  const auto& order = program_->order;
  missing_slot_.assign(program_->stages.size(), -1);
  for (std::size_t w = 0; w < program_->stages.size(); ++w)
    if (program_->stages[w].missing) missing_slot_[w] = static_cast<int>(missing_stages_++);
  int prev = -1;
  previous_positive_.assign(order.size(), -1);
  for (std::size_t p = 0; p < order.size(); ++p) {
    previous_positive_[p] = prev;
    if (!program_->stages[order[p]].missing) {
      positive_.push_back(static_cast<std::uint32_t>(p));
      prev = static_cast<int>(p);
    }
  }
  gap_stages_.assign(order.size(), {});
  for (std::size_t p = 0; p < order.size(); ++p) {
    if (!program_->stages[order[p]].missing) continue;
    if (p < positive_.front())
      leading_missing_.push_back(order[p]);
    else if (p > positive_.back())
      trailing_missing_.push_back(order[p]);
    else
      gap_stages_[static_cast<std::size_t>(previous_positive_[p])].push_back(order[p]);
  }
}

std::uint64_t SequenceMatcher::oldest_position() const noexcept {
  // Every event, not the first of each: with allowed lateness a later stage's event can have
  // come earlier in the input (T3 orders by time first).
  std::uint64_t m = UINT64_MAX;
  for (const Pending* p = oldest_; p; p = p->next)
    for (const HeldRef& e : p->events)
      if (e && e->position < m) m = e->position;
  for (const Waiting& w : waiting_)
    if (!w.rejected)
      for (const HeldRef& e : w.events)
        if (e && e->position < m) m = e->position;
  return m;
}

SequenceMatcher::~SequenceMatcher() {
  clear();
}

void SequenceMatcher::clear() {
  for (Pending* p = oldest_; p;) {
    Pending* next = p->next;
    delete p;
    p = next;
  }
  oldest_ = newest_ = nullptr;
  keys_.clear();
  waiting_.clear();
  counts_ = {};
  waiting_base_ = 0;
  waiting_ids_.clear();
  seen_order_.clear();
}

void SequenceMatcher::link_back(Pending* p) {
  p->prev = newest_;
  p->next = nullptr;
  if (newest_)
    newest_->next = p;
  else
    oldest_ = p;
  newest_ = p;
  ++counts_.pending;
}

void SequenceMatcher::unlink(Pending* p) {
  (p->prev ? p->prev->next : oldest_) = p->next;
  (p->next ? p->next->prev : newest_) = p->prev;
  p->prev = p->next = nullptr;
  --counts_.pending;
}

// Removes `p` from its stage and the age list, frees it, and the key's state when it holds
// nothing more.
void SequenceMatcher::drop(Pending* p) {
  KeyState* ks = p->ks;
  const std::string key = *p->key;
  if (ks->slots[p->slot] == p) {
    ks->slots[p->slot] = nullptr;
    --ks->live;
  }
  unlink(p);
  delete p;
  if (ks->live == 0) maybe_erase(key);
}

// Frees a key's state when it holds nothing: no pending sequence, and no leading missing event
// that could still reject one (those are freed by advance() once older than maxspan).
void SequenceMatcher::maybe_erase(const std::string& key) {
  auto it = keys_.find(key);
  if (it == keys_.end() || it->second.live != 0) return;
  for (const Seen& s : it->second.seen)
    if (s.has_last) return;
  keys_.erase(it);
}

void SequenceMatcher::combinations(const Event& event, const SequenceStage& st) {
  join_keys(event, st.keys, st.optional, combos_, shown_, decoded_);
}

void SequenceMatcher::emit_result(const std::string& key, const std::vector<HeldRef>& events,
                                  const Emit& emit) {
  out_.clear();
  for (const auto& e : events)
    out_.push_back(e.get());
  ++counts_.completed;
  emit(key, out_);
}

// Q5: a sequence complete on its positive stages is a result now, or once no event of a
// trailing missing stage can reject it (docs/sequences.md, point 4).
void SequenceMatcher::complete(const std::string& key, const std::string& shown,
                               std::vector<HeldRef> events, std::int64_t first_ts, bool has_lead,
                               std::int64_t lead_ts, std::int64_t last_ts, const Emit& emit) {
  events.resize(program_->order.size());  // trailing missing stages: null
  const std::int64_t span = program_->maxspan_ns;
  const bool leading = !leading_missing_.empty(), trailing = !trailing_missing_.empty();
  if (leading && !trailing && has_lead && last_ts - lead_ts <= span) {
    ++counts_.missing;
    return;
  }
  if (!trailing || (leading && (!has_lead || last_ts - lead_ts > span))) {
    if (waiting_.empty())
      emit_result(key, shown, events, emit);
    else
      queue(key, shown, std::move(events), last_ts, 0, true);  // behind those waiting (Q6)
    return;
  }
  queue(key, shown, std::move(events), last_ts, leading ? lead_ts + span : first_ts + span, false);
}

void SequenceMatcher::queue(const std::string& key, const std::string& shown,
                            std::vector<HeldRef> events, std::int64_t last_ts,
                            std::int64_t deadline, bool ready) {
  if (!ready) waiting_ids_[key].push_back(waiting_base_ + waiting_.size());
  waiting_.push_back({key, shown, std::move(events), last_ts, deadline, false, ready});
  ++counts_.waiting;
}

void SequenceMatcher::advance(std::int64_t ts, const Emit& emit) {
  const std::int64_t span = program_->maxspan_ns;
  if (span == 0) return;
  // Q3: a sequence whose first event is more than maxspan before `ts` cannot complete.
  while (oldest_ && oldest_->start_ts < ts - span) {
    ++counts_.expired;
    drop(oldest_);
  }
  // Q5: a last missing stage holds once the window has closed without its event. Results
  // leave in the order they completed.
  while (!waiting_.empty() &&
         (waiting_.front().rejected || waiting_.front().ready || waiting_.front().deadline < ts))
    pop_waiting(emit);
  // Q8: leading missing events older than maxspan reject nothing any more.
  while (!seen_order_.empty() && seen_order_.front().first < ts - span) {
    auto it = keys_.find(seen_order_.front().second);
    if (it != keys_.end() && it->second.live == 0 &&
        std::all_of(it->second.seen.begin(), it->second.seen.end(),
                    [&](const Seen& s) { return !s.has_last || s.last < ts - span; }))
      keys_.erase(it);
    seen_order_.pop_front();
  }
}

std::int64_t SequenceMatcher::next_due() const noexcept {
  const std::int64_t span = program_->maxspan_ns;
  if (span == 0) return INT64_MAX;
  // advance(ts) acts on a time t when t < ts - span, that is from ts = t + span + 1.
  auto after = [span](std::int64_t t) {
    return t > INT64_MAX - span - 1 ? INT64_MAX : t + span + 1;
  };
  std::int64_t due = INT64_MAX;
  if (oldest_) due = std::min(due, after(oldest_->start_ts));
  if (!waiting_.empty()) {
    const Waiting& w = waiting_.front();
    if (w.rejected || w.ready) return INT64_MIN;
    due = std::min(due, w.deadline == INT64_MAX ? INT64_MAX : w.deadline + 1);
  }
  if (!seen_order_.empty()) due = std::min(due, after(seen_order_.front().first));
  return due;
}

// The front of the waiting queue leaves: a result unless rejected.
void SequenceMatcher::pop_waiting(const Emit& emit) {
  Waiting& w = waiting_.front();
  if (!w.ready) {
    auto ids = waiting_ids_.find(w.key);
    if (ids != waiting_ids_.end() && !ids->second.empty() && ids->second.front() == waiting_base_) {
      ids->second.pop_front();
      if (ids->second.empty()) waiting_ids_.erase(ids);
    }
  }
  if (!w.rejected) {
    --counts_.waiting;
    emit_result(w.key, w.shown, w.events, emit);
  }
  waiting_.pop_front();
  ++waiting_base_;
}

void SequenceMatcher::finish(const Emit& emit) {
  while (!waiting_.empty())
    pop_waiting(emit);
}

void SequenceMatcher::push(const Event& event, std::int64_t ts, std::uint64_t position,
                           std::string_view json, const std::vector<char>& matched, bool until,
                           const Emit& emit) {
  advance(ts, emit);
  const SequenceProgram& prog = *program_;
  const std::int64_t span = prog.maxspan_ns;
  const std::size_t stages = prog.order.size();
  HeldRef self;
  auto held = [&] {
    if (!self) self = HeldRef::make(ts, position, json);
    return self;
  };
  auto key_state = [&](const std::string& key) -> std::pair<const std::string*, KeyState*> {
    auto [it, fresh] = keys_.try_emplace(key);
    if (fresh) {
      it->second.slots.assign(stages, nullptr);
      it->second.seen.assign(missing_stages_, Seen{});
    }
    return {&it->first, &it->second};
  };
  // Puts `p` in stage `slot` of its key, in place of what waited there (Q2).
  auto place = [&](KeyState* ks, const std::string* key, std::uint32_t slot, Pending* p) {
    if (Pending* old = ks->slots[slot]) {
      ++counts_.replaced;
      ks->slots[slot] = nullptr;
      --ks->live;
      unlink(old);
      delete old;
    }
    p->ks = ks;
    p->key = key;
    p->slot = slot;
    ks->slots[slot] = p;
    ++ks->live;
  };

  // Q2: from the last stage to the first, so that one event can complete or advance a
  // sequence and also start another.
  for (std::size_t pi = positive_.size(); pi-- > 0;) {
    const std::uint32_t p = positive_[pi];
    const std::uint32_t w = prog.order[p];
    if (!matched[w]) continue;
    combinations(event, prog.stages[w]);
    for (std::size_t c = 0; c < combos_.size(); ++c) {
      const std::string& key = combos_[c];
      if (pi == 0) {
        ++counts_.started;
        // Q5: the latest event of a leading missing stage strictly before this one.
        bool has_lead = false;
        std::int64_t lead_ts = 0;
        if (!leading_missing_.empty()) {
          auto it = keys_.find(key);
          if (it != keys_.end())
            for (auto m : leading_missing_) {
              std::int64_t t = 0;
              if (it->second.seen[static_cast<std::size_t>(missing_slot_[m])].before(ts, t) &&
                  (!has_lead || t > lead_ts)) {
                has_lead = true;
                lead_ts = t;
              }
            }
        }
        std::vector<HeldRef> events(p);
        events.push_back(held());
        if (positive_.size() == 1) {
          complete(key, shown_[c], std::move(events), ts, has_lead, lead_ts, ts, emit);
          continue;
        }
        auto [kp, ks] = key_state(key);
        auto* fresh = new Pending;
        fresh->events = std::move(events);
        fresh->start_ts = fresh->last_ts = ts;
        fresh->has_lead = has_lead;
        fresh->lead_ts = lead_ts;
        if (!shown_[c].empty()) fresh->shown = std::make_unique<std::string>(shown_[c]);
        link_back(fresh);
        place(ks, kp, p, fresh);
        continue;
      }
      auto it = keys_.find(key);
      if (it == keys_.end()) continue;
      KeyState* ks = &it->second;
      const auto q = static_cast<std::uint32_t>(previous_positive_[p]);
      Pending* seq = ks->slots[q];
      if (!seq) continue;
      ks->slots[q] = nullptr;
      --ks->live;
      if (span != 0 && ts - seq->start_ts > span) {
        ++counts_.expired;
        unlink(seq);
        delete seq;
        if (ks->live == 0) maybe_erase(key);
        continue;
      }
      // Q5: an event of a middle missing stage strictly between the two dooms the sequence;
      // it still moves on (docs/sequences.md, 4: the check comes after the machine).
      if (seq->gap_seen && seq->gap_ts < ts) seq->doomed = true;
      seq->gap_seen = false;
      seq->events.resize(p);
      seq->events.push_back(held());
      seq->last_ts = ts;
      if (pi + 1 == positive_.size()) {
        unlink(seq);
        std::vector<HeldRef> events = std::move(seq->events);
        const std::int64_t start = seq->start_ts, lead_ts = seq->lead_ts;
        const bool has_lead = seq->has_lead, doomed = seq->doomed;
        const std::string shown = seq->shown ? *seq->shown : std::string();
        delete seq;
        if (ks->live == 0) maybe_erase(key);
        if (doomed)
          ++counts_.missing;
        else
          complete(key, shown, std::move(events), start, has_lead, lead_ts, ts, emit);
        continue;
      }
      place(ks, &it->first, p, seq);
    }
  }

  // Q4: an until event drops what is pending for its key, after the stages have used it.
  if (until && !prog.until.empty()) {
    combinations(event, prog.until.front());
    for (const std::string& key : combos_) {
      auto it = keys_.find(key);
      if (it == keys_.end()) continue;
      KeyState& ks = it->second;
      for (Pending*& p : ks.slots) {
        if (!p) continue;
        ++counts_.until;
        unlink(p);
        delete p;
        p = nullptr;
      }
      ks.live = 0;
      maybe_erase(key);
    }
  }

  // Q5: remember when each key saw an event of a missing stage (after the stages: an event is
  // not "between" its own neighbours), and reject what waits on a trailing one.
  if (missing_stages_ != 0) {
    for (std::size_t w = 0; w < prog.stages.size(); ++w) {
      if (!prog.stages[w].missing || !matched[w]) continue;
      const bool leading =
          std::find(leading_missing_.begin(), leading_missing_.end(), w) != leading_missing_.end();
      const bool trailing = std::find(trailing_missing_.begin(), trailing_missing_.end(), w) !=
                            trailing_missing_.end();
      combinations(event, prog.stages[w]);
      for (const std::string& key : combos_) {
        auto it = keys_.find(key);
        if (leading) {
          if (it == keys_.end()) it = keys_.find(*key_state(key).first);
          it->second.seen[static_cast<std::size_t>(missing_slot_[w])].note(ts);
          seen_order_.emplace_back(ts, key);
        } else if (!trailing && it != keys_.end()) {
          // A middle stage: the sequences of the key waiting just before it.
          for (Pending* pend : it->second.slots) {
            if (!pend || pend->gap_seen || ts <= pend->last_ts) continue;
            const auto& gap = gap_stages_[pend->slot];
            if (std::find(gap.begin(), gap.end(), w) == gap.end()) continue;
            pend->gap_seen = true;
            pend->gap_ts = ts;
          }
        }
        if (!trailing) continue;
        auto ids = waiting_ids_.find(key);
        if (ids == waiting_ids_.end()) continue;
        for (const std::uint64_t id : ids->second) {
          Waiting& wt = waiting_[id - waiting_base_];
          if (wt.rejected || ts <= wt.last_ts || ts > wt.deadline) continue;
          wt.rejected = true;
          --counts_.waiting;
          ++counts_.missing;
        }
      }
    }
  }

  // Q8: the cap on pending sequences evicts the oldest.
  while (max_pending_ != 0 && counts_.pending > max_pending_) {
    ++counts_.evicted;
    drop(oldest_);
  }
}

std::size_t SequenceMatcher::state_bytes() const noexcept {
  std::size_t bytes = 0;
  for (const auto& [key, ks] : keys_)
    bytes += 64 + key.capacity() + sizeof(KeyState) + ks.slots.capacity() * sizeof(Pending*) +
             ks.seen.capacity() * sizeof(ks.seen[0]);
  for (const Pending* p = oldest_; p; p = p->next)
    bytes += sizeof(Pending) + p->events.capacity() * sizeof(HeldRef);
  for (const Waiting& w : waiting_)
    bytes += sizeof(Waiting) + w.key.capacity() + w.events.capacity() * sizeof(HeldRef);
  return bytes;
}

// ---- snapshots -----------------------------------------------------------------------------

void SequenceMatcher::save(SnapshotWriter& w) const {
  const SequenceCounts& c = counts_;
  for (std::uint64_t v : {c.started, c.completed, c.expired, c.evicted, c.until, c.replaced,
                          c.missing, c.pending, c.waiting})
    w.u64(v);
  // Every kept event once, by id.
  std::unordered_map<const HeldEvent*, std::uint64_t> ids;
  std::vector<const HeldEvent*> held;
  auto note = [&](const std::vector<HeldRef>& events) {
    for (const auto& e : events)
      if (e && ids.emplace(e.get(), held.size()).second) held.push_back(e.get());
  };
  for (const Pending* p = oldest_; p; p = p->next)
    note(p->events);
  for (const Waiting& wt : waiting_)
    note(wt.events);
  w.u64(held.size());
  for (const HeldEvent* e : held) {
    w.i64(e->ts);
    w.u64(e->position);
    w.str(e->json());
  }
  auto events = [&](const std::vector<HeldRef>& evs) {
    w.u64(evs.size());
    for (const auto& e : evs)
      w.u64(e ? ids[e.get()] + 1 : 0);
  };
  w.u64(c.pending);
  for (const Pending* p = oldest_; p; p = p->next) {
    w.str(*p->key);
    w.u64(p->slot);
    w.i64(p->start_ts);
    w.i64(p->last_ts);
    w.u8(p->has_lead ? 1 : 0);
    w.i64(p->lead_ts);
    w.u8(static_cast<std::uint8_t>((p->gap_seen ? 1 : 0) | (p->doomed ? 2 : 0)));
    w.i64(p->gap_ts);
    w.str(p->shown ? *p->shown : std::string());
    events(p->events);
  }
  std::uint64_t seen_keys = 0;
  auto any_seen = [](const KeyState& ks) {
    return std::any_of(ks.seen.begin(), ks.seen.end(), [](const Seen& s) { return s.has_last; });
  };
  for (const auto& [key, ks] : keys_)
    seen_keys += any_seen(ks);
  w.u64(seen_keys);
  // In key order: a snapshot of the same state is the same bytes.
  std::vector<const std::string*> sorted;
  for (const auto& [key, ks] : keys_)
    if (any_seen(ks)) sorted.push_back(&key);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return *a < *b; });
  for (const std::string* key : sorted) {
    w.str(*key);
    for (const Seen& seen : keys_.at(*key).seen) {
      w.i64(seen.last);
      w.i64(seen.prev);
      w.u8(static_cast<std::uint8_t>((seen.has_last ? 1 : 0) | (seen.has_prev ? 2 : 0)));
    }
  }
  w.u64(waiting_.size());
  for (const Waiting& wt : waiting_) {
    w.str(wt.key);
    w.str(wt.shown);
    w.i64(wt.last_ts);
    w.i64(wt.deadline);
    w.u8(static_cast<std::uint8_t>((wt.rejected ? 1 : 0) | (wt.ready ? 2 : 0)));
    events(wt.events);
  }
  w.u64(seen_order_.size());
  for (const auto& [ts, key] : seen_order_) {
    w.i64(ts);
    w.str(key);
  }
}

bool SequenceMatcher::load(SnapshotReader& r) {
  clear();
  SequenceCounts& c = counts_;
  for (std::uint64_t* v : {&c.started, &c.completed, &c.expired, &c.evicted, &c.until, &c.replaced,
                           &c.missing, &c.pending, &c.waiting})
    *v = r.u64();
  const std::uint64_t pending = c.pending;
  c.pending = 0;  // counted again as the sequences are linked
  const std::size_t stages = program_->order.size();
  std::vector<HeldRef> held(r.count(24));
  for (auto& e : held) {
    const std::int64_t ts = r.i64();
    const std::uint64_t position = r.u64();
    e = HeldRef::make(ts, position, r.str());
  }
  auto events = [&](std::vector<HeldRef>& out) {
    out.resize(r.count(8));
    for (auto& e : out) {
      const std::uint64_t id = r.u64();
      if (id > held.size()) r.fail();
      e = id && id <= held.size() ? held[id - 1] : nullptr;
    }
    return out.size() <= stages;
  };
  auto key_state = [&](std::string_view key) {
    auto [it, fresh] = keys_.try_emplace(std::string(key));
    if (fresh) {
      it->second.slots.assign(stages, nullptr);
      it->second.seen.assign(missing_stages_, Seen{});
    }
    return it;
  };
  const std::uint64_t n = r.count(40);
  if (n != pending) r.fail();
  for (std::uint64_t i = 0; i < n && r.ok(); ++i) {
    auto it = key_state(r.str());
    auto* p = new Pending;
    p->slot = static_cast<std::uint32_t>(r.u64());
    p->start_ts = r.i64();
    p->last_ts = r.i64();
    p->has_lead = r.u8() != 0;
    p->lead_ts = r.i64();
    const std::uint8_t flags = r.u8();
    p->gap_seen = flags & 1;
    p->doomed = (flags & 2) != 0;
    p->gap_ts = r.i64();
    if (auto shown = r.str(); !shown.empty()) p->shown = std::make_unique<std::string>(shown);
    link_back(p);
    if (!events(p->events) || p->slot >= stages || it->second.slots[p->slot]) {
      r.fail();
      break;
    }
    p->ks = &it->second;
    p->key = &it->first;
    it->second.slots[p->slot] = p;
    ++it->second.live;
  }
  const std::uint64_t seen_keys = r.count(8);
  for (std::uint64_t i = 0; i < seen_keys && r.ok(); ++i) {
    auto it = key_state(r.str());
    for (Seen& seen : it->second.seen) {
      seen.last = r.i64();
      seen.prev = r.i64();
      const std::uint8_t flags = r.u8();
      seen.has_last = flags & 1;
      seen.has_prev = (flags & 2) != 0;
    }
  }
  const std::uint64_t waiting = r.count(26);
  for (std::uint64_t i = 0; i < waiting && r.ok(); ++i) {
    Waiting wt;
    wt.key = std::string(r.str());
    wt.shown = std::string(r.str());
    wt.last_ts = r.i64();
    wt.deadline = r.i64();
    const std::uint8_t flags = r.u8();
    wt.rejected = flags & 1;
    wt.ready = (flags & 2) != 0;
    if (!events(wt.events)) r.fail();
    if (!wt.ready) waiting_ids_[wt.key].push_back(waiting_.size());
    waiting_.push_back(std::move(wt));
  }
  const std::uint64_t seen_order = r.count(16);
  for (std::uint64_t i = 0; i < seen_order && r.ok(); ++i) {
    const std::int64_t ts = r.i64();
    seen_order_.emplace_back(ts, std::string(r.str()));
  }
  if (!r.ok()) clear();
  return r.ok();
}

}  // namespace eqlite::internal
