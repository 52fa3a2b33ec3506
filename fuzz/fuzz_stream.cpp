// fuzz/fuzz_stream.cpp — libFuzzer target: the input's first line is a query (a sequence, a
// sample or an event query), the rest an NDJSON stream pushed into an eqlite::Stream of it.
// Checks, besides no crash, hang or leak:
//  * every line is taken or refused (E2), and StreamStats counts them: events + bad = lines;
//  * the sequence counts add up (started = completed + expired + evicted + until + replaced +
//    missing + pending + waiting) after every line and at the end;
//  * a Stream cut in the middle of the stream (snapshot(), a fresh Stream, restore()) gives the
//    same results and the same statistics as the Stream that was never stopped, with and
//    without allowed lateness;
//  * restore() of the snapshot cut short fails cleanly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <eqlite/eqlite.hpp>

#include "fuzz_support.hpp"

namespace {

using eqlite::fuzz::printable;

constexpr std::size_t kMaxInput = 1 << 15;
constexpr std::size_t kMaxLines = 200;

std::string describe(const eqlite::StreamResult& r) {
  std::string out = std::to_string(r.rule) + ":";
  for (const auto& k : r.join_keys) {
    out += static_cast<char>('0' + static_cast<int>(k.kind()));
    if (k.kind() == eqlite::ValueKind::String) out += std::string(k.as_string());
    if (k.kind() == eqlite::ValueKind::Int) out += std::to_string(k.as_int());
    out += ',';
  }
  for (auto e : r.events) {
    out += '|';
    out += e.empty() ? "-" : std::string(e);
  }
  return out + "\n";
}

bool adds_up(const eqlite::StreamStats& s) {
  return s.started == s.completed + s.expired + s.evicted + s.until + s.replaced + s.missing +
                          s.pending + s.waiting;
}

std::string stats_text(const eqlite::StreamStats& s) {
  std::string out;
  for (auto v : {s.events, s.bad, s.results, s.no_timestamp, s.late, s.started, s.completed,
                 s.expired, s.evicted, s.until, s.replaced, s.missing, s.pending, s.waiting})
    out += std::to_string(v) + " ";
  return out;
}

// Runs `lines` through a Stream of `q`, cut (snapshot, fresh Stream, restore) before line
// `cut` when cut < lines.size(). Returns the results and the final statistics.
std::string run(const eqlite::Query& q, const std::vector<std::string_view>& lines, std::size_t cut,
                const eqlite::StreamOptions& options, eqlite::StreamStats& final_stats) {
  std::string out;
  auto cb = [&](const eqlite::StreamResult& r) { out += describe(r); };
  auto stream = std::make_unique<eqlite::Stream>(q, cb, options);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == cut) {
      const std::string bytes = stream->snapshot();
      stream = std::make_unique<eqlite::Stream>(q, cb, options);
      if (!bytes.empty()) {
        // A snapshot cut short is refused, and leaves a usable empty stream.
        eqlite::Stream probe(
            q, [](const eqlite::StreamResult&) {}, options);
        FUZZ_CHECK(!probe.restore(std::string_view(bytes).substr(0, bytes.size() / 2)).ok(),
                   "a truncated snapshot was accepted");
        (void)probe.push("{}");
      }
      auto ok = stream->restore(bytes);
      FUZZ_CHECK(ok.ok(), "restore of a fresh snapshot failed: " + ok.error().message);
    }
    (void)stream->push(lines[i]);
    FUZZ_CHECK(adds_up(stream->stats()),
               "sequence counts do not add up: " + stats_text(stream->stats()));
  }
  stream->finish();
  final_stats = stream->stats();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto q = eqlite::compile(input.substr(0, nl));
  if (!q) return 0;
  std::vector<std::string_view> lines;
  for (std::size_t at = nl + 1; at < input.size() && lines.size() < kMaxLines;) {
    std::size_t end = input.find('\n', at);
    if (end == std::string_view::npos) end = input.size();
    if (end > at) lines.push_back(input.substr(at, end - at));
    at = end + 1;
  }
  for (std::int64_t lateness : {std::int64_t{0}, std::int64_t{2'000'000'000}}) {
    eqlite::StreamOptions options;
    options.allowed_lateness_ns = lateness;
    options.max_pending = 50;
    options.max_samples_per_key = 2;
    options.samples_when_complete = lateness != 0;  // both ways of giving samples
    eqlite::StreamStats whole, cut_stats;
    const std::string uncut = run(*q, lines, lines.size(), options, whole);
    FUZZ_CHECK(whole.events + whole.bad == lines.size(), "lines lost: " + stats_text(whole));
    FUZZ_CHECK(adds_up(whole), "sequence counts do not add up: " + stats_text(whole));
    const std::string cut = run(*q, lines, lines.size() / 2, options, cut_stats);
    FUZZ_CHECK(cut == uncut, "a stream cut by snapshot/restore gave other results\nquery: " +
                                 printable(input.substr(0, nl)) + "\nuncut:\n" + printable(uncut) +
                                 "\ncut:\n" + printable(cut));
    FUZZ_CHECK(stats_text(cut_stats) == stats_text(whole),
               "statistics differ after snapshot/restore: " + stats_text(whole) + "vs " +
                   stats_text(cut_stats));
  }
  return 0;
}
