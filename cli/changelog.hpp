// cli/changelog.hpp — the records of `eqlite consume`'s state changelog (docs/deploy.md, "State
// across rebalances"): the sequence state of one input partition (Stream::snapshot) and the
// offset of the first message it has not seen, as records of a compacted Kafka topic.
//
// A state is written as chunks of at most `max_chunk` bytes (a Kafka message has a size limit)
// under keys of its generation, `eqlite1/TOPIC/PARTITION/GEN/I`, and then a head record,
// `eqlite1/TOPIC/PARTITION/head`, that names the generation and its chunk count. The head comes
// last: a reader that sees it has seen every chunk before it (one changelog partition keeps the
// order of what one producer writes to it). Once the head is acknowledged, the previous
// generation's chunks are deleted (records with the same key and no value: tombstones), so
// compaction keeps one state per input partition. A crash in between leaves the previous head
// and its chunks: the state read back is always a whole one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cli::changelog {

struct Record {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone (deletes the key)
};

/// What one state is saved as: the chunks, then the head. `next` is the offset of the first
/// message of the partition that `state` has not seen (where reading resumes); `replay` the
/// offset of the oldest event the state holds (where reading again rebuilds the state, for a
/// reader that cannot take it up: other rules).
std::vector<Record> encode(std::string_view topic, std::int32_t partition, std::uint64_t generation,
                           std::int64_t next, std::int64_t replay, std::string_view state,
                           std::size_t max_chunk);

/// The tombstones of the chunks of an older generation (`chunks` of them), written once a newer
/// head is acknowledged.
std::vector<Record> tombstones(std::string_view topic, std::int32_t partition,
                               std::uint64_t generation, std::uint32_t chunks);

/// The state of one input partition, read back.
struct State {
  std::uint64_t generation = 0;
  std::uint32_t chunks = 0;
  std::int64_t next = 0, replay = 0;
  std::string bytes;
};

/// Reads a changelog partition from its beginning, record by record, as compaction would keep
/// it (the newest value of each key; a tombstone removes it). Records it does not know (other
/// keys, broken values) are counted and otherwise ignored.
class Reader {
 public:
  void add(std::string_view key, std::optional<std::string_view> value);
  /// The newest whole state of `topic`/`partition`; nullopt when none was saved, or when its
  /// head names chunks that are not there (then `error` says which).
  std::optional<State> state(std::string_view topic, std::int32_t partition,
                             std::string* error = nullptr) const;
  std::size_t ignored() const noexcept { return ignored_; }

 private:
  std::map<std::string, std::string, std::less<>> latest_;
  std::size_t ignored_ = 0;
};

}  // namespace cli::changelog
