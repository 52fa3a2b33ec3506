// lib/stream.cpp — the streaming API (eqlite/stream.hpp): one JsonReader and one Vm per Stream,
// and per rule what its kind needs (nothing, a SequenceMatcher or a SampleMatcher) and its
// pipes.
#include "eqlite/stream.hpp"

#include <algorithm>
#include <climits>
#include <cstring>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>

#include "eqlite/vm.hpp"
#include "eval/program.hpp"
#include "lib/rule_index.hpp"
#include "stream/join_key.hpp"
#include "stream/pipes.hpp"
#include "stream/sample_matcher.hpp"
#include "stream/sequence_matcher.hpp"
#include "stream/sequence_program.hpp"
#include "stream/timestamp.hpp"

namespace eqlite {

namespace {

constexpr std::uint64_t kSnapshotMagic = 0x3370616e737165ULL;  // "eqsnap3", little-endian

struct Rule {
  std::size_t id = 0;          // the rule's id (a RuleSet's) or 0
  std::size_t id_in_runs = 0;  // its index in Stream::Impl::runs
  QueryKind kind = QueryKind::Event;
  const Query* event_query = nullptr;  // an event query over the Stream's table (single mode)
  std::shared_ptr<const internal::SequenceProgram> program;  // over the Stream's table
  std::unique_ptr<internal::SequenceMatcher> sequence;
  std::unique_ptr<internal::SampleMatcher> sample;
  internal::PipeChain pipes;
  // This event's verdict on each stage (sequence or sample) and on the until stage.
  std::vector<char> matched;
  bool until = false;
  bool any = false;  // some stage or until holds
  // A sequence: the time from which advance() has something to do (SequenceMatcher::next_due).
  std::int64_t due = INT64_MIN;
  explicit Rule(const std::vector<PipeStage>& p) : pipes(p) {}
};

// T3: a tiebreaker value as bytes that order as the values do: numbers by value, then strings
// by bytes; an event without one comes after those with one (Elasticsearch's order).
void tiebreaker_key(const Value& v, std::string& out) {
  out.clear();
  if (v.is_number()) {
    double d = v.to_double();
    std::uint64_t bits;
    std::memcpy(&bits, &d, 8);
    bits = (bits >> 63) ? ~bits : bits | (std::uint64_t{1} << 63);  // order-preserving
    out += '\1';
    for (int i = 7; i >= 0; --i)
      out += static_cast<char>(bits >> (8 * i));
  } else if (v.kind() == ValueKind::String) {
    out += '\2';
    out += v.as_string();
  } else {
    out += '\3';
  }
}

}  // namespace

struct Stream::Impl {
  Callback callback;
  StreamOptions options;
  std::optional<Query> single;  // a Stream of one Query
  const RuleSet* rules = nullptr;
  std::optional<RuleSetMatcher> matcher;  // the event rules of a RuleSet
  std::vector<std::string> fields;        // the table events are read into
  JsonReader reader;
  Event event;
  Vm vm;
  std::vector<Rule> runs;
  bool needs_time = false;  // some rule is a sequence
  std::uint16_t timestamp_field = 0;
  bool has_tiebreaker = false;  // T3: a tiebreaker field orders events of equal time
  std::uint16_t tiebreaker_field = 0;
  std::string last_tb;              // the tiebreaker of the last event consumed (tiebreaker_key())
  std::uint64_t position = 0;       // the last event's (T3: input position)
  std::uint64_t next_position = 0;  // set_next_position()'s, for the next push; 0: none
  std::uint64_t current = 0;        // the position of the event being taken
  bool have_last = false;
  std::int64_t last_ts = 0;  // T3: consumed up to here; an older event is late
  // T3 with allowed lateness: events of sequence rules wait here, in (time, position) order,
  // until the newest time seen is `allowed_lateness` past them. A held event keeps the values
  // sequences read from it, those of their join-key fields (key_fields), constants included:
  // it is not read again when it is released.
  struct HeldValue {
    std::uint16_t field = 0;
    ValueKind kind = ValueKind::Null;
    std::int64_t i = 0;  // a boolean (0 or 1) or an integer
    double d = 0;
    std::uint32_t offset = 0, size = 0;  // a string: its bytes in Buffered::text
  };
  struct Buffered {
    std::int64_t ts = 0;
    std::uint64_t pos = 0;
    std::string json;
    std::string matched;  // per sequence rule: one byte per stage, then one for until
    std::string tb;       // tiebreaker_key()
    std::vector<HeldValue> values;
    std::string text;
    void keep(std::uint16_t field, const Value& v) {
      HeldValue h{field, v.kind(), 0, 0, 0, 0};
      switch (v.kind()) {
        case ValueKind::Bool:
          h.i = v.as_bool() ? 1 : 0;
          break;
        case ValueKind::Int:
          h.i = v.as_int();
          break;
        case ValueKind::Double:
          h.d = v.as_double();
          break;
        case ValueKind::String:
          h.offset = static_cast<std::uint32_t>(text.size());
          h.size = static_cast<std::uint32_t>(v.as_string().size());
          text += v.as_string();
          break;
        case ValueKind::Null:
          return;
      }
      values.push_back(h);
    }
    // The event as sequences see it, bound to a table of `fields` fields.
    void rebuild(std::size_t fields, Event& out) const {
      out.reset(fields);
      for (const HeldValue& h : values) {
        switch (h.kind) {
          case ValueKind::Bool:
            out.add(h.field, Value::boolean(h.i != 0));
            break;
          case ValueKind::Int:
            out.add(h.field, Value::integer(h.i));
            break;
          case ValueKind::Double:
            out.add(h.field, Value::number(h.d));
            break;
          case ValueKind::String:
            out.add(h.field, Value::string(std::string_view(text).substr(h.offset, h.size)));
            break;
          case ValueKind::Null:
            break;
        }
      }
    }
  };
  std::vector<std::uint16_t> key_fields;  // every field a sequence rule's join keys read
  std::int64_t due = INT64_MIN;           // at most every sequence rule's Rule::due
  // The held events in slots that are reused (their strings keep their capacity), and a
  // min-heap of (time, tiebreaker, position) over the slots in use.
  std::vector<Buffered> held;
  std::vector<std::uint32_t> free_held;
  struct Waiting {
    std::int64_t ts;
    std::uint64_t pos;
    std::uint32_t slot;
  };
  std::vector<Waiting> buffer;
  // The heap's order: later first out last.
  bool later(const Waiting& a, const Waiting& b) const {
    if (a.ts != b.ts) return a.ts > b.ts;
    if (has_tiebreaker) {  // (without one, every event's is empty)
      const std::string& x = held[a.slot].tb;
      const std::string& y = held[b.slot].tb;
      if (x != y) return x > y;
    }
    return a.pos > b.pos;
  }
  std::uint32_t held_slot() {
    if (!free_held.empty()) {
      const std::uint32_t slot = free_held.back();
      free_held.pop_back();
      Buffered& b = held[slot];
      b.json.clear();
      b.matched.clear();
      b.values.clear();
      b.text.clear();
      return slot;
    }
    held.emplace_back();
    return static_cast<std::uint32_t>(held.size() - 1);
  }
  void push_held(std::uint32_t slot) {
    buffer.push_back({held[slot].ts, held[slot].pos, slot});
    std::push_heap(buffer.begin(), buffer.end(),
                   [this](const Waiting& a, const Waiting& b) { return later(a, b); });
  }
  std::int64_t newest = 0;
  Event held_event;
  StreamStats stats;
  // scratch
  std::vector<char> matched;
  std::vector<std::uint32_t> units;
  std::shared_ptr<const internal::RuleIndex> index;  // a RuleSet's
  std::vector<std::size_t> touched;    // the sequence and sample rules with a verdict now
  std::vector<std::size_t> sequences;  // every sequence rule
  std::vector<internal::SequenceMatcher::Emit> emits;  // by rule: results to result()
  std::string tb_scratch;
  // What a snapshot must have been taken of: the rules' texts and field tables (a hash).
  std::uint64_t fingerprint = 1469598103934665603ull;
  void fingerprint_add(std::string_view bytes) {
    for (unsigned char c : bytes)
      fingerprint = (fingerprint ^ c) * 1099511628211ull;  // FNV-1a
    fingerprint = (fingerprint ^ 0xFF) * 1099511628211ull;
  }
  void fingerprint_add(const Query& q) {
    fingerprint_add(q.text());
    for (const auto& f : q.fields())
      fingerprint_add(f);
  }
  std::vector<Value> keys;
  std::vector<std::string_view> views;
  std::vector<std::uint64_t> positions;
  internal::OwnedResult owned;

  Impl(Callback cb, const StreamOptions& o, std::vector<std::string> table)
      : callback(std::move(cb)), options(o), fields(table), reader(std::move(table), o.reader) {}

  void add_sequence(Rule& r, std::shared_ptr<const internal::SequenceProgram> p) {
    r.kind = p->kind;
    if (p->kind == QueryKind::Sequence) {
      r.sequence = std::make_unique<internal::SequenceMatcher>(p, options.max_pending);
      needs_time = true;
      timestamp_field = p->timestamp_field;
      has_tiebreaker = p->has_tiebreaker;
      tiebreaker_field = p->tiebreaker_field;
    } else {
      r.sample = std::make_unique<internal::SampleMatcher>(p, options.max_samples_per_key,
                                                           options.samples_when_complete);
    }
    r.program = std::move(p);
  }

  // Delivers a result that passed its rule's pipes.
  void deliver(const Rule& r, const internal::OwnedResult& o) {
    internal::decode_key(o.key, keys);
    views.clear();
    for (std::size_t i = 0; i < o.events.size(); ++i)
      views.push_back(o.missing[i] ? std::string_view() : std::string_view(o.events[i]));
    ++stats.results;
    StreamResult res{r.id, r.kind, keys, views, o.positions};
    callback(res);
  }

  // A result of rule `r`: straight to the callback when there is no pipe (no copy), else
  // through them.
  void result(Rule& r, std::string_view key, std::span<const internal::HeldEvent* const> events,
              std::string_view single_event) {
    if (r.pipes.empty()) {
      internal::decode_key(key, keys);
      views.clear();
      positions.clear();
      if (events.empty()) {
        views.push_back(single_event);
        positions.push_back(current);
      } else {
        for (const auto* e : events) {
          views.push_back(e ? e->json() : std::string_view());
          positions.push_back(e ? e->position : 0);
        }
      }
      ++stats.results;
      StreamResult res{r.id, r.kind, keys, views, positions};
      callback(res);
      return;
    }
    owned.key.assign(key);
    owned.events.clear();
    owned.missing.clear();
    owned.positions.clear();
    if (events.empty()) {
      owned.events.emplace_back(single_event);
      owned.missing.push_back(0);
      owned.positions.push_back(current);
    } else {
      for (const auto* e : events) {
        owned.events.emplace_back(e ? e->json() : std::string_view());
        owned.missing.push_back(e ? 0 : 1);
        owned.positions.push_back(e ? e->position : 0);
      }
    }
    r.pipes.push(owned, [&](const internal::OwnedResult& o) { deliver(r, o); });
  }

  // Called once the rules are in place: each rule's result callback, the matched flags sized.
  void ready() {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      emits.push_back(
          [this, i](std::string_view key, std::span<const internal::HeldEvent* const> events) {
            result(runs[i], key, events, {});
          });
      if (runs[i].program) runs[i].matched.assign(runs[i].program->stages.size(), 0);
      if (runs[i].sequence) {
        sequences.push_back(i);
        for (const auto* list : {&runs[i].program->stages, &runs[i].program->until})
          for (const auto& st : *list)
            key_fields.insert(key_fields.end(), st.keys.begin(), st.keys.end());
      }
    }
    std::sort(key_fields.begin(), key_fields.end());
    key_fields.erase(std::unique(key_fields.begin(), key_fields.end()), key_fields.end());
  }
  const internal::SequenceMatcher::Emit& emitter(const Rule& r) { return emits[r.id_in_runs]; }

  void push_sequence(Rule& r, const Event& ev, std::int64_t ts, std::uint64_t pos,
                     std::string_view json, const std::vector<char>& matched, bool until) {
    r.sequence->push(ev, ts, pos, json, matched, until, emitter(r));
    r.due = r.sequence->next_due();
    due = std::min(due, r.due);
  }
  // Moves every sequence rule's time to `ts` where that does something (expiry, a window that
  // closes): nothing before the earliest rule's due time, then a comparison per rule, no call,
  // for the others.
  void advance_all(std::int64_t ts) {
    if (ts < due) return;
    due = INT64_MAX;
    for (const std::size_t i : sequences) {
      Rule& r = runs[i];
      if (ts >= r.due) {
        r.sequence->advance(ts, emitter(r));
        r.due = r.sequence->next_due();
      }
      due = std::min(due, r.due);
    }
  }

  // One event read into `ev`; `given`: its matching units when a RuleSetMatcher of the same
  // RuleSet found them elsewhere (Stream::push_matched), else they are found here.
  Result<Admission> take(std::string_view json, Result<void> read, const Event& ev,
                         std::optional<std::span<const std::uint32_t>> given = std::nullopt) {
    const std::uint64_t asked = std::exchange(next_position, 0);  // for this event only
    if (!read) {
      ++stats.bad;
      return read.error();
    }
    ++stats.events;
    const std::uint64_t pos = position = asked ? asked : position + 1;
    current = pos;
    // T1, T3: the event's time, when some rule orders events.
    Admission admission = Admission::Taken;
    std::int64_t ts = 0;
    const std::int64_t lateness = options.allowed_lateness_ns;
    if (needs_time) {
      const auto values = ev.values(timestamp_field);
      std::optional<std::int64_t> t;
      if (!values.empty()) t = internal::timestamp_of(values[0]);
      if (!t) {
        admission = Admission::NoTimestamp;
        ++stats.no_timestamp;
      } else {
        if (has_tiebreaker) {
          const auto tb = ev.values(tiebreaker_field);
          tiebreaker_key(tb.empty() ? Value::null() : tb[0], tb_scratch);
        }
        if (have_last &&
            (*t < last_ts || (lateness == 0 && *t == last_ts && tb_scratch < last_tb))) {
          admission = Admission::Late;
          ++stats.late;
        } else {
          ts = *t;
          if (lateness == 0) {
            last_ts = ts;
            last_tb = tb_scratch;
            have_last = true;
          }
        }
      }
    }
    verdicts(json, ev, given);
    const bool now = admission == Admission::Taken && lateness == 0;
    for (const std::size_t i : touched) {
      Rule& r = runs[i];
      if (r.sample)
        r.sample->push(ev, pos, json, r.matched, emitter(r));
      else if (now)
        push_sequence(r, ev, ts, pos, json, r.matched, r.until);
    }
    if (needs_time && now) advance_all(ts);
    if (needs_time && lateness != 0 && admission == Admission::Taken) hold(json, ts, pos, ev);
    return admission;
  }

  // Every rule's verdict on `event`: event rules' matches go to their results; the stages of
  // sequences and samples to Rule::matched. A RuleSet's index finds them all at once; a single
  // query's stages run on the Vm.
  void verdicts(std::string_view json, const Event& ev,
                std::optional<std::span<const std::uint32_t>> given) {
    for (const std::size_t i : touched) {
      Rule& r = runs[i];
      std::fill(r.matched.begin(), r.matched.end(), 0);
      r.until = r.any = false;
    }
    touched.clear();
    auto touch = [&](Rule& r) {
      if (!r.any) touched.push_back(r.id_in_runs);
      r.any = true;
    };
    if (matcher) {
      if (!given) matcher->match_units(ev, units);
      for (const std::uint32_t u : given ? *given : std::span<const std::uint32_t>(units)) {
        Rule& r = runs[index->unit_rule[u]];
        const std::int32_t stage = index->unit_stage[u];
        if (stage < 0) {
          result(r, {}, {}, json);
        } else if (static_cast<std::size_t>(stage) < r.matched.size()) {
          r.matched[static_cast<std::size_t>(stage)] = 1;
          touch(r);
        } else {
          r.until = true;
          touch(r);
        }
      }
      return;
    }
    for (Rule& r : runs) {
      if (r.kind == QueryKind::Event) {
        if (vm.matches(*r.event_query, ev)) result(r, {}, {}, json);
        continue;
      }
      const auto& p = *r.program;
      bool any = false;
      for (std::size_t s = 0; s < p.stages.size(); ++s)
        any |= (r.matched[s] = vm.matches(p.stages[s].filter, ev) ? 1 : 0) != 0;
      if (!p.until.empty() && vm.matches(p.until.front().filter, ev)) any = r.until = true;
      if (any) touch(r);
    }
  }

  // T3 with allowed lateness: keeps the event if a sequence rule needs it, then consumes, in
  // order, every kept event that is `lateness` older than the newest time seen.
  void hold(std::string_view json, std::int64_t ts, std::uint64_t pos, const Event& ev) {
    const bool any = std::any_of(touched.begin(), touched.end(),
                                 [&](std::size_t i) { return runs[i].sequence != nullptr; });
    if (any) {
      const std::uint32_t slot = held_slot();
      Buffered& b = held[slot];
      b.ts = ts;
      b.pos = pos;
      b.tb = tb_scratch;
      // Per touched sequence rule: its index (4 bytes), a byte per stage, one for until.
      for (const std::size_t i : touched) {
        const Rule& r = runs[i];
        if (!r.sequence) continue;
        const auto at = static_cast<std::uint32_t>(i);
        b.matched.append(reinterpret_cast<const char*>(&at), 4);
        b.matched.append(r.matched.begin(), r.matched.end());
        b.matched += r.until ? '\1' : '\0';
      }
      b.json.assign(json);
      for (const std::uint16_t f : key_fields)
        for (const Value& v : ev.values(f))
          b.keep(f, v);
      push_held(slot);
    }
    if (ts > newest) newest = ts;
    const std::int64_t lateness = options.allowed_lateness_ns;
    if (newest > INT64_MIN + lateness) release(newest - lateness);
  }

  // Consumes the kept events older than `upto`; from now on an event older than it is late.
  // The matchers' time moves to `upto`, or to `clock` when given (the end of the input moves
  // it only to the newest time seen).
  void release(std::int64_t upto, std::optional<std::int64_t> clock = std::nullopt) {
    while (!buffer.empty() && buffer.front().ts < upto) {
      std::pop_heap(buffer.begin(), buffer.end(),
                    [this](const Waiting& a, const Waiting& b) { return later(a, b); });
      const std::uint32_t slot = buffer.back().slot;
      buffer.pop_back();
      const Buffered& b = held[slot];
      b.rebuild(fields.size(), held_event);
      for (std::size_t at = 0; at + 5 <= b.matched.size();) {
        std::uint32_t i = 0;
        std::memcpy(&i, b.matched.data() + at, 4);
        at += 4;
        if (i >= runs.size() || !runs[i].sequence) break;  // (a corrupt snapshot)
        Rule& r = runs[i];
        const std::size_t n = r.program->stages.size();
        if (at + n + 1 > b.matched.size()) break;
        matched.assign(b.matched.begin() + static_cast<std::ptrdiff_t>(at),
                       b.matched.begin() + static_cast<std::ptrdiff_t>(at + n));
        const bool until = b.matched[at + n] != 0;
        at += n + 1;
        push_sequence(r, held_event, b.ts, b.pos, b.json, matched, until);
      }
      const std::int64_t ts = b.ts;
      free_held.push_back(slot);  // the sequences copied what they keep
      advance_all(ts);
    }
    if (!have_last || upto > last_ts) {
      last_ts = upto;
      have_last = true;
      advance_all(clock.value_or(upto));
    }
  }
};

std::optional<std::int64_t> timestamp_ns(const Value& value) noexcept {
  return internal::timestamp_of(value);
}

Stream::Stream(const Query& query, Callback on_result, const StreamOptions& options)
    : impl_(std::make_unique<Impl>(std::move(on_result), options, query.fields())) {
  Impl& m = *impl_;
  m.single = query;
  m.fingerprint_add(query);
  Rule r(query.pipes());
  if (const auto* seq = query.sequence()) {
    // The sequence's own table is the Stream's: share the compiled program as it is.
    m.add_sequence(r, std::shared_ptr<const internal::SequenceProgram>(
                          std::make_shared<internal::SequenceProgram>(*seq)));
  } else {
    r.event_query = &*m.single;
  }
  m.runs.push_back(std::move(r));
  m.ready();
}

Stream::Stream(const RuleSet& rules, Callback on_result, const StreamOptions& options)
    : impl_(std::make_unique<Impl>(std::move(on_result), options, rules.fields())) {
  Impl& m = *impl_;
  m.rules = &rules;
  m.matcher.emplace(rules, options.reader);
  m.index = rules.index();
  // the sequences remapped onto the set's fields: made once for every Stream of the set
  const auto& sequences = internal::remapped_sequences(rules, *m.index);
  for (std::size_t id = 0; id < rules.size(); ++id) {
    const Query& q = rules.query(id);
    m.fingerprint_add(rules.name(id));
    m.fingerprint_add(q);
    Rule r(q.pipes());
    r.id = id;
    if (sequences[id]) m.add_sequence(r, sequences[id]);
    r.id_in_runs = m.runs.size();
    m.runs.push_back(std::move(r));  // runs[id] is rule id's
  }
  m.ready();
}

Stream::~Stream() = default;
Stream::Stream(Stream&&) noexcept = default;
Stream& Stream::operator=(Stream&&) noexcept = default;

void Stream::set_constant(std::string_view path, Value value) {
  impl_->reader.set_constant(path, value);
}

Result<void> Stream::read(std::string_view json, Event& out) {
  return impl_->reader.read(json, out);
}

Result<Admission> Stream::push_matched(std::string_view json, const Event& event,
                                       std::span<const std::uint32_t> units) {
  Impl& m = *impl_;
  if (!m.matcher || event.field_count() < m.fields.size())
    return Error{ErrorCode::InvalidArgument,
                 "push_matched: a Stream of a RuleSet and an event read by its read()",
                 {}};
  return m.take(json, Result<void>{}, event, units);
}

Result<void> Stream::set_next_position(std::uint64_t position) {
  Impl& m = *impl_;
  if (position <= m.position)
    return Error{ErrorCode::InvalidArgument,
                 "set_next_position: " + std::to_string(position) +
                     " is not after the last event's position " + std::to_string(m.position),
                 {}};
  m.next_position = position;
  return {};
}

Result<Admission> Stream::push(std::string_view json) {
  Impl& m = *impl_;
  return m.take(json, m.reader.read(json, m.event), m.event);
}

Result<Admission> Stream::push_padded(std::string_view json) {
  Impl& m = *impl_;
  return m.take(json, m.reader.read_padded(json, m.event), m.event);
}

void Stream::finish() {
  Impl& m = *impl_;
  if (!m.buffer.empty()) m.release(INT64_MAX, m.newest);
  for (Rule& r : m.runs) {
    if (r.sequence) r.sequence->finish(m.emitter(r));
    if (r.sample) r.sample->finish(m.emitter(r));
    r.pipes.finish([&](const internal::OwnedResult& o) { m.deliver(r, o); });
  }
}

bool Stream::saturated() const noexcept {
  for (const Rule& r : impl_->runs)
    if (!r.pipes.saturated()) return false;
  return !impl_->runs.empty();
}

StreamStats Stream::stats() const {
  StreamStats s = impl_->stats;
  for (const Rule& r : impl_->runs) {
    if (r.sequence) {
      const auto& c = r.sequence->counts();
      s.started += c.started;
      s.completed += c.completed;
      s.expired += c.expired;
      s.evicted += c.evicted;
      s.until += c.until;
      s.replaced += c.replaced;
      s.missing += c.missing;
      s.pending += c.pending;
      s.waiting += c.waiting;
      s.state_bytes += r.sequence->state_bytes();
    }
    if (r.sample) {
      s.samples += r.sample->complete_keys();
      s.sample_events += r.sample->held_events();
      s.state_bytes += r.sample->state_bytes();
    }
  }
  return s;
}

std::uint64_t Stream::oldest_held_position() const {
  const Impl& m = *impl_;
  std::uint64_t oldest = UINT64_MAX;
  for (const auto& w : m.buffer)
    oldest = std::min(oldest, w.pos);
  for (const Rule& r : m.runs) {
    if (r.sequence) oldest = std::min(oldest, r.sequence->oldest_position());
    if (r.sample) oldest = std::min(oldest, r.sample->oldest_position());
    oldest = std::min(oldest, r.pipes.oldest_position());
  }
  return oldest == UINT64_MAX ? 0 : oldest;
}

std::string Stream::snapshot() const {
  const Impl& m = *impl_;
  internal::SnapshotWriter w;
  w.u64(kSnapshotMagic);
  w.u64(m.fingerprint);
  w.u64(m.runs.size());
  const StreamStats& s = m.stats;
  for (std::uint64_t v : {s.events, s.bad, s.results, s.no_timestamp, s.late, m.position})
    w.u64(v);
  w.u8(m.have_last ? 1 : 0);
  w.i64(m.last_ts);
  w.str(m.last_tb);
  w.i64(m.newest);
  std::vector<Impl::Waiting> kept = m.buffer;  // in order: equal states give equal bytes
  std::sort(kept.begin(), kept.end(), [&](const auto& a, const auto& b) { return m.later(b, a); });
  w.u64(kept.size());
  for (const auto& k : kept) {
    const Impl::Buffered& b = m.held[k.slot];
    w.i64(b.ts);
    w.u64(b.pos);
    w.str(b.json);
    w.str(b.matched);
    w.str(b.tb);
    w.u64(b.values.size());
    for (const auto& h : b.values) {
      w.u64(h.field);
      w.u8(static_cast<std::uint8_t>(h.kind));
      switch (h.kind) {
        case ValueKind::Bool:
          w.u8(h.i != 0 ? 1 : 0);
          break;
        case ValueKind::Int:
          w.i64(h.i);
          break;
        case ValueKind::Double: {
          std::uint64_t bits = 0;
          std::memcpy(&bits, &h.d, sizeof bits);
          w.u64(bits);
          break;
        }
        case ValueKind::String:
          w.str(std::string_view(b.text).substr(h.offset, h.size));
          break;
        case ValueKind::Null:
          break;
      }
    }
  }
  for (const Rule& r : m.runs) {
    w.u8(static_cast<std::uint8_t>(r.kind));
    if (r.sequence) r.sequence->save(w);
    if (r.sample) r.sample->save(w);
    r.pipes.save(w);
  }
  return std::move(w.bytes());
}

Result<void> Stream::restore(std::string_view bytes) {
  Impl& m = *impl_;
  internal::SnapshotReader r(bytes);
  bool ok = r.u64() == kSnapshotMagic && r.u64() == m.fingerprint && r.u64() == m.runs.size();
  StreamStats& s = m.stats;
  if (ok) {
    for (std::uint64_t* v : {&s.events, &s.bad, &s.results, &s.no_timestamp, &s.late, &m.position})
      *v = r.u64();
    m.have_last = r.u8() != 0;
    m.last_ts = r.i64();
    m.last_tb = std::string(r.str());
    m.newest = r.i64();
    m.buffer.clear();
    m.held.clear();
    m.free_held.clear();
    const std::uint64_t kept = r.count(32);
    for (std::uint64_t i = 0; i < kept && r.ok(); ++i) {
      const std::uint32_t slot = m.held_slot();
      Impl::Buffered& b = m.held[slot];
      b.ts = r.i64();
      b.pos = r.u64();
      b.json = std::string(r.str());
      b.matched = std::string(r.str());
      b.tb = std::string(r.str());
      const std::uint64_t n = r.count(2);
      for (std::uint64_t k = 0; k < n && r.ok(); ++k) {
        const std::uint64_t field = r.u64();
        if (field >= m.fields.size()) ok = false;
        const auto f = static_cast<std::uint16_t>(field);
        switch (static_cast<ValueKind>(r.u8())) {
          case ValueKind::Bool:
            b.keep(f, Value::boolean(r.u8() != 0));
            break;
          case ValueKind::Int:
            b.keep(f, Value::integer(r.i64()));
            break;
          case ValueKind::Double: {
            const std::uint64_t bits = r.u64();
            double d = 0;
            std::memcpy(&d, &bits, sizeof d);
            b.keep(f, Value::number(d));
            break;
          }
          case ValueKind::String:
            b.keep(f, Value::string(r.str()));
            break;
          default:
            ok = false;
        }
      }
      m.push_held(slot);
    }
    for (Rule& rule : m.runs) {
      if (!ok || r.u8() != static_cast<std::uint8_t>(rule.kind)) {
        ok = false;
        break;
      }
      if (rule.sequence) ok = rule.sequence->load(r);
      if (ok && rule.sample) ok = rule.sample->load(r);
      if (ok) ok = rule.pipes.load(r);
    }
    ok = ok && r.ok() && r.at_end();
  }
  for (Rule& rule : m.runs)
    rule.due = INT64_MIN;  // advance() tells again
  m.due = INT64_MIN;
  if (!ok) {
    // Leave an empty stream, as a fresh one would be.
    s = {};
    m.position = 0;
    m.next_position = 0;
    m.have_last = false;
    m.last_ts = 0;
    m.last_tb.clear();
    m.newest = 0;
    m.buffer.clear();
    m.held.clear();
    m.free_held.clear();
    for (Rule& rule : m.runs) {
      rule.pipes =
          internal::PipeChain(m.single ? m.single->pipes() : m.rules->query(rule.id).pipes());
      if (rule.sequence)
        rule.sequence =
            std::make_unique<internal::SequenceMatcher>(rule.program, m.options.max_pending);
      if (rule.sample)
        rule.sample = std::make_unique<internal::SampleMatcher>(
            rule.program, m.options.max_samples_per_key, m.options.samples_when_complete);
    }
    return Error{ErrorCode::InvalidArgument, "not a snapshot of this query's stream", {}};
  }
  return {};
}

}  // namespace eqlite
