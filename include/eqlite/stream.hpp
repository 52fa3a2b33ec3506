// eqlite/stream.hpp — one streaming API for every kind of query: events in, results out.
//
//   auto q = eqlite::compile("sequence by host.id with maxspan=5m [process where ...] [file where
//   ...]"); eqlite::Stream stream(*q, [](const eqlite::StreamResult& r) { print(r); }); for
//   (std::string_view line : lines)
//     if (auto ok = stream.push(line); !ok) report(ok.error());   // a bad line: the stream goes on
//   stream.finish();                                                // the end of the input
//
// A Stream runs one Query (an event query, a sequence or a sample) or a RuleSet (any mix of
// them, each event read once). Events are pushed in time order (semantics.md T3): sequences
// consume them in the order pushed, and an event older than one already consumed is late (it
// is counted and kept out of sequences; single-event rules still see it). Results come through
// the callback as soon as they are known: an event query's match at once, a sequence when its
// last event arrives (Q6: completion order), a sample or a `| tail` at finish(). Pipes
// (`| head N`, `| tail N`) are applied here.
//
// A compiled Query or RuleSet is immutable and shared; a Stream is the per-thread state:
// its pending sequences and samples can be saved to bytes with snapshot() and taken up by a
// fresh Stream of the same query with restore(), which then gives the same results as the
// Stream that was never stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eqlite/error.hpp"
#include "eqlite/json_reader.hpp"
#include "eqlite/query.hpp"
#include "eqlite/rule_set.hpp"
#include "eqlite/value.hpp"

namespace eqlite {

struct StreamOptions {
  ReaderOptions reader;
  /// Q8: the most sequences one rule keeps pending; beyond it the oldest is evicted (counted
  /// in StreamStats::evicted). 0: no cap.
  std::size_t max_pending = 1'000'000;
  /// Q7: the most samples one join key gives.
  std::uint64_t max_samples_per_key = 1;
  /// Q7 on an endless stream: a key's samples come as soon as they exist (in the order they
  /// complete; a key whose samples are all given keeps no events). Otherwise (the default, as
  /// Elasticsearch over an index) they come at finish(), ordered by join-key values.
  bool samples_when_complete = false;
  /// T3: how far (in nanoseconds of event time) an event may come after a newer one and still
  /// take its place in sequences. With 0, events are consumed as pushed and an older one is
  /// late. Otherwise the events a sequence rule needs wait (copied) until the newest time
  /// pushed is this far past them, and are consumed in time order; sequence results come that
  /// much later. An event older than what was consumed is late (StreamStats::late).
  std::int64_t allowed_lateness_ns = 0;
};

/// One result: a matching event, a sequence or a sample.
struct StreamResult {
  std::size_t rule = 0;  ///< the rule's id in the RuleSet (0 for a Stream of one Query)
  QueryKind kind = QueryKind::Event;
  /// The join-key values of a sequence or sample (empty for an event query). Strings view
  /// memory that lives until the callback returns.
  std::span<const Value> join_keys;
  /// The events' text as pushed, in stage order; an empty view is a missing event (Q5). Valid
  /// until the callback returns.
  std::span<const std::string_view> events;
  /// Each event's position in the stream (T3's input position), as `events`; 0 for a missing
  /// event. Events are numbered 1, 2, 3... as pushed, unless set_next_position() numbered
  /// them (a Kafka consumer gives each event its partition offset).
  std::span<const std::uint64_t> positions;
};

/// What happened to the events pushed so far. The sequence counts add up: started =
/// completed + expired + evicted + until + replaced + missing + pending + waiting.
struct StreamStats {
  std::uint64_t events = 0;        ///< JSON objects pushed
  std::uint64_t bad = 0;           ///< pushed lines that were not (E2)
  std::uint64_t results = 0;       ///< delivered to the callback
  std::uint64_t no_timestamp = 0;  ///< T1: events kept out of sequences for want of a time
  std::uint64_t late = 0;          ///< T3: events older than one already consumed
  std::uint64_t started = 0, completed = 0, expired = 0, evicted = 0, until = 0, replaced = 0,
                missing = 0, pending = 0, waiting = 0;
  std::uint64_t samples = 0;        ///< Q7: samples complete (before max_samples_per_key)
  std::uint64_t sample_events = 0;  ///< events held by samples not yet complete
  std::size_t state_bytes = 0;      ///< memory of the pending state besides event text
};

/// T1: a value of the timestamp field as nanoseconds since 1970-01-01T00:00:00Z: a number is
/// epoch milliseconds, a string of digits too, any other string ISO-8601
/// (strict_date_optional_time); nullopt when it is not a date (docs/language.md, "Dates").
std::optional<std::int64_t> timestamp_ns(const Value& value) noexcept;

/// How push() took an event.
enum class Admission : std::uint8_t {
  Taken,        ///< every rule saw it
  NoTimestamp,  ///< its timestamp is missing or not a date (T1): sequences did not see it
  Late,         ///< it is older than an event already consumed (T3): sequences did not see it
};

class Stream {
 public:
  using Callback = std::function<void(const StreamResult&)>;

  Stream(const Query& query, Callback on_result, const StreamOptions& options = {});
  Stream(const RuleSet& rules, Callback on_result, const StreamOptions& options = {});
  ~Stream();
  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;

  /// E4: `value` is used for `path` in every event that has no value for it. A later call for
  /// the same path replaces the value (events pushed since keep theirs); null removes it.
  void set_constant(std::string_view path, Value value);

  /// The position of the next event pushed (by any push call; a line that is not an event uses
  /// it up too), instead of the last position + 1: positions order events of equal time (T3)
  /// and come back in StreamResult::positions. Fails unless `position` is greater than the
  /// last event's; positions are kept by snapshot().
  Result<void> set_next_position(std::uint64_t position);

  /// Takes one event (a JSON object). A line that is not one is an error (E2); the stream goes
  /// on with the next.
  Result<Admission> push(std::string_view json);
  /// The same without copying `json` (see JsonReader::read_padded for the padding it needs).
  Result<Admission> push_padded(std::string_view json);
  /// For a caller that matches events on other threads (`eqlite match` does): read() reads
  /// `json` as push() would (the Stream's fields and constants) into `out`, which the caller
  /// keeps (its strings view this reader's buffers until the next read: copy them to keep
  /// them); a RuleSetMatcher of the same RuleSet finds its units (match_units), on any thread;
  /// push_matched() then takes the event as push(json) would, with those units, in input
  /// order. Only for a Stream of a RuleSet.
  Result<void> read(std::string_view json, Event& out);
  Result<Admission> push_matched(std::string_view json, const Event& event,
                                 std::span<const std::uint32_t> units);
  /// The end of the input: completes what waits for it (a last missing stage, samples, tails).
  void finish();
  /// True when no further event can change the results (every rule's `| head` is full).
  bool saturated() const noexcept;

  StreamStats stats() const;

  /// The smallest position of an event this Stream still holds — waiting out the allowed
  /// lateness, in a pending sequence or sample, or in a result a `| tail` keeps — or 0 when it
  /// holds none. A caller that can read its input again from a position (a Kafka consumer, from
  /// a committed offset) may restart there with a fresh Stream: the events before it are in no
  /// result to come. What such a restart does not reproduce: a leading missing stage's events
  /// (Q5: the restarted Stream may give a sequence the first rejects, or reject one it
  /// gives), the time before that position (an event that was late may be taken), `| head`
  /// counts, evictions by `max_pending` (Q8), and a `samples_when_complete` key's samples
  /// already given (they can be given again).
  std::uint64_t oldest_held_position() const;

  /// The state as bytes: pending sequences and samples with their events, pipes, counts.
  std::string snapshot() const;
  /// Takes up the state of snapshot() of a Stream of the same query or rule set (the same
  /// texts, compiled with the same fields). Fails (and leaves this Stream empty) when the
  /// bytes are not such a snapshot.
  Result<void> restore(std::string_view bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eqlite
