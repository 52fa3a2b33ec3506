// cli/changelog.cpp — see changelog.hpp.
#include "cli/changelog.hpp"

#include <cstring>

namespace cli::changelog {

namespace {

constexpr std::string_view kPrefix = "eqlite1/";
constexpr std::string_view kChunkMagic = "eqcc1";  // a chunk: magic, then the state's bytes
constexpr std::string_view kHeadMagic = "eqch1";  // a head: magic, generation, chunks, next, replay

std::string base(std::string_view topic, std::int32_t partition) {
  std::string out(kPrefix);
  out += topic;
  out += '/';
  out += std::to_string(partition);
  out += '/';
  return out;
}

std::string chunk_key(std::string_view topic, std::int32_t partition, std::uint64_t generation,
                      std::uint32_t i) {
  return base(topic, partition) + std::to_string(generation) + "/" + std::to_string(i);
}

template <class T>
void put(std::string& out, T x) {
  char b[sizeof(T)];
  std::memcpy(b, &x, sizeof(T));
  out.append(b, sizeof(T));
}

template <class T>
bool get(std::string_view& in, T& x) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(&x, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

}  // namespace

std::vector<Record> encode(std::string_view topic, std::int32_t partition, std::uint64_t generation,
                           std::int64_t next, std::int64_t replay, std::string_view state,
                           std::size_t max_chunk) {
  if (max_chunk == 0) max_chunk = 1;
  std::vector<Record> out;
  std::uint32_t chunks = 0;
  do {  // an empty state is one empty chunk
    const std::string_view piece = state.substr(0, max_chunk);
    state.remove_prefix(piece.size());
    std::string value(kChunkMagic);
    value += piece;
    out.push_back({chunk_key(topic, partition, generation, chunks++), std::move(value)});
  } while (!state.empty());
  std::string head(kHeadMagic);
  put(head, generation);
  put(head, chunks);
  put(head, next);
  put(head, replay);
  out.push_back({base(topic, partition) + "head", std::move(head)});
  return out;
}

std::vector<Record> tombstones(std::string_view topic, std::int32_t partition,
                               std::uint64_t generation, std::uint32_t chunks) {
  std::vector<Record> out;
  for (std::uint32_t i = 0; i < chunks; ++i)
    out.push_back({chunk_key(topic, partition, generation, i), std::nullopt});
  return out;
}

void Reader::add(std::string_view key, std::optional<std::string_view> value) {
  if (key.substr(0, kPrefix.size()) != kPrefix) {
    ++ignored_;
    return;
  }
  if (!value) {
    if (auto it = latest_.find(key); it != latest_.end()) latest_.erase(it);
    return;
  }
  latest_.insert_or_assign(std::string(key), std::string(*value));
}

std::optional<State> Reader::state(std::string_view topic, std::int32_t partition,
                                   std::string* error) const {
  const std::string prefix = base(topic, partition);
  auto head = latest_.find(prefix + "head");
  if (head == latest_.end()) return std::nullopt;
  auto fail = [&](const std::string& why) -> std::optional<State> {
    if (error) *error = prefix + "head: " + why;
    return std::nullopt;
  };
  std::string_view in = head->second;
  if (in.substr(0, kHeadMagic.size()) != kHeadMagic) return fail("not a changelog head");
  in.remove_prefix(kHeadMagic.size());
  State s;
  if (!get(in, s.generation) || !get(in, s.chunks) || !get(in, s.next) || !get(in, s.replay) ||
      !in.empty())
    return fail("a head of the wrong size");
  for (std::uint32_t i = 0; i < s.chunks; ++i) {
    auto c = latest_.find(chunk_key(topic, partition, s.generation, i));
    if (c == latest_.end())
      return fail("chunk " + std::to_string(i) + " of generation " + std::to_string(s.generation) +
                  " is missing");
    std::string_view piece = c->second;
    if (piece.substr(0, kChunkMagic.size()) != kChunkMagic)
      return fail("chunk " + std::to_string(i) + " is not a changelog chunk");
    piece.remove_prefix(kChunkMagic.size());
    s.bytes += piece;
  }
  return s;
}

}  // namespace cli::changelog
