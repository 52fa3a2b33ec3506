// tests/unit/stream_test.cpp — eqlite::Stream (include/eqlite/stream.hpp), tag [stream]:
//   1. snapshot/restore: random streams cut at random points, each cut a snapshot() restored
//      into a fresh Stream, give byte-identical output and equal stats to the uncut run;
//      restore() of garbage, truncated or foreign snapshots fails and leaves an empty, usable
//      stream;
//   2. the API: event queries as Vm::matches, pipes (P2, Q6), saturated(), a RuleSet mixing
//      kinds as each rule alone, StreamStats (bad E2, no_timestamp T1, late T3, the sequence
//      counts adding up), the cap on pending sequences (Q8);
//   3. hostile queries: huge stage counts, runs, key counts and key cardinalities end quickly.
// Random inputs come from the sequence generator of the differential test
// (tests/differential/sequence_generator.hpp), seeded, so every run is the same.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <eqlite/eqlite.hpp>

#include "differential/sequence_generator.hpp"
#include "lib/rule_index.hpp"
#include "support/xorshift.hpp"

namespace {

using eqlite::Admission;
using eqlite::Query;
using eqlite::RuleSet;
using eqlite::Stream;
using eqlite::StreamOptions;
using eqlite::StreamResult;
using eqlite::StreamStats;
using eqlite::difftest::SequenceGenerator;
using eqlite::difftest::StreamEvent;

// Sanitizer and debug builds are several times slower: time bounds scale with this.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr double kSlow = 15;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr double kSlow = 15;
#elif defined(NDEBUG)
constexpr double kSlow = 1;
#else
constexpr double kSlow = 5;
#endif
#elif defined(NDEBUG)
constexpr double kSlow = 1;
#else
constexpr double kSlow = 5;
#endif

// Random case counts: a third in those slower builds (the suite stays within a minute there).
int scaled(int n) {
  return kSlow > 1 ? n / 3 : n;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Query compiled(std::string_view text) {
  auto q = eqlite::compile(text);
  if (!q) FAIL("does not compile: " << text << "\n" << q.error().format(text));
  return std::move(*q);
}

std::string value_text(const eqlite::Value& v) {
  switch (v.kind()) {
    case eqlite::ValueKind::Null:
      return "n";
    case eqlite::ValueKind::Bool:
      return v.as_bool() ? "t" : "f";
    case eqlite::ValueKind::Int:
      return "i" + std::to_string(v.as_int());
    case eqlite::ValueKind::Double: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "d%.17g", v.as_double());
      return buf;
    }
    case eqlite::ValueKind::String:
      return "s" + std::to_string(v.as_string().size()) + ":" + std::string(v.as_string());
  }
  return "?";
}

// One result as bytes: its rule, kind, join keys (typed) and events (length-prefixed text; "-"
// for a missing event, Q5).
std::string serialise(const StreamResult& r) {
  std::string s = "rule " + std::to_string(r.rule) + " kind " +
                  std::to_string(static_cast<int>(r.kind)) + " keys [";
  for (const auto& k : r.join_keys)
    s += value_text(k) + ";";
  s += "] events [";
  for (std::string_view e : r.events)
    s += e.empty() ? std::string("-;") : std::to_string(e.size()) + ":" + std::string(e) + ";";
  s += "] positions [";  // so snapshot/restore and moves must keep them too
  for (std::uint64_t p : r.positions)
    s += std::to_string(p) + ";";
  return s + "]";
}

// Every StreamStats counter, in declaration order. state_bytes is left out: it estimates memory
// from container capacities, which a restored Stream need not reproduce.
std::vector<std::uint64_t> counters(const StreamStats& s) {
  return {s.events,    s.bad,     s.results, s.no_timestamp, s.late,     s.started,
          s.completed, s.expired, s.evicted, s.until,        s.replaced, s.missing,
          s.pending,   s.waiting, s.samples, s.sample_events};
}

std::string show(const StreamStats& s) {
  static const char* const names[] = {"events",  "bad",     "results",   "no_timestamp",
                                      "late",    "started", "completed", "expired",
                                      "evicted", "until",   "replaced",  "missing",
                                      "pending", "waiting", "samples",   "sample_events"};
  std::string out;
  const auto c = counters(s);
  for (std::size_t i = 0; i < c.size(); ++i)
    out += std::string(names[i]) + "=" + std::to_string(c[i]) + " ";
  return out + "state_bytes=" + std::to_string(s.state_bytes);
}

// The sequence counts add up (stream.hpp): every sequence started is in exactly one bucket.
bool adds_up(const StreamStats& s) {
  return s.started == s.completed + s.expired + s.evicted + s.until + s.replaced + s.missing +
                          s.pending + s.waiting;
}

using Maker = std::function<std::unique_ptr<Stream>(Stream::Callback)>;

struct Output {
  std::vector<std::string> results;
  StreamStats stats;
};

// The lines through one Stream, uncut.
Output run_uncut(const Maker& make, const std::vector<std::string>& lines) {
  Output o;
  auto s = make([&](const StreamResult& r) { o.results.push_back(serialise(r)); });
  for (const auto& line : lines)
    (void)s->push(line);
  s->finish();
  o.stats = s->stats();
  return o;
}

// The same, but before line i for each i in `cuts` (i == lines.size(): before finish()) the
// Stream is saved with snapshot(), destroyed, and a fresh one made and restore()d.
Output run_cut(const Maker& make, const std::vector<std::string>& lines,
               const std::vector<std::size_t>& cuts, std::string& problems) {
  Output o;
  Stream::Callback cb = [&](const StreamResult& r) { o.results.push_back(serialise(r)); };
  auto s = make(cb);
  auto cut = [&](std::size_t at) {
    const std::string bytes = s->snapshot();
    const StreamStats before = s->stats();
    s.reset();
    s = make(cb);
    if (auto ok = s->restore(bytes); !ok) {
      problems += "restore at " + std::to_string(at) + " failed: " + ok.error().to_string() + "\n";
      return;
    }
    // A restored Stream is the same state: the same counts, and the same bytes again.
    if (counters(s->stats()) != counters(before))
      problems += "stats differ after restore at " + std::to_string(at) + ":\n  before " +
                  show(before) + "\n  after  " + show(s->stats()) + "\n";
    if (s->snapshot() != bytes)
      problems += "snapshot of the restored stream differs at " + std::to_string(at) + "\n";
  };
  for (std::size_t i = 0; i <= lines.size(); ++i) {
    for (std::size_t c : cuts)
      if (c == i) cut(i);
    if (i < lines.size()) (void)s->push(lines[i]);
  }
  s->finish();
  o.stats = s->stats();
  return o;
}

// A random input: the generator's events, sometimes out of order within the allowed lateness,
// with a few bad lines (E2) and late events (T3) mixed in.
std::vector<std::string> random_lines(SequenceGenerator& gen, std::int64_t lateness_ms) {
  std::vector<StreamEvent> events = gen.stream(5, 60);
  if (lateness_ms) gen.delay(events, lateness_ms);
  std::vector<std::string> lines;
  for (auto& e : events) {
    lines.push_back(std::move(e.json));
    if (gen.chance(3)) lines.push_back(gen.chance(50) ? "{\"i\":" : "[1,2]");
    if (gen.chance(3))
      lines.push_back(
          R"({"@timestamp":1000,"event":{"category":"process"},"v":1,"host":{"id":"h1"},"late":)" +
          std::to_string(lines.size()) + "}");
  }
  return lines;
}

std::vector<std::size_t> random_cuts(SequenceGenerator& gen, std::size_t n) {
  std::vector<std::size_t> cuts(1 + gen.pick(3));
  for (auto& c : cuts)
    c = gen.pick(n + 1);
  return cuts;
}

StreamOptions random_options(SequenceGenerator& gen) {
  StreamOptions o;
  o.max_samples_per_key = gen.max_samples();
  if (gen.chance(30)) o.allowed_lateness_ns = (1 + gen.pick(20)) * 1'000'000;
  if (gen.chance(20)) o.max_pending = 1 + gen.pick(4);  // Q8: evictions
  return o;
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += "    " + s + "\n";
  return out;
}

}  // namespace

// ---- 1. snapshot / restore -----------------------------------------------------------------

TEST_CASE("stream: a stream cut at random points and restored gives the uncut output", "[stream]") {
  SequenceGenerator gen(0x5eed0001);
  std::uint64_t cases = 0, with_results = 0, reported = 0;
  StreamStats seen{};  // sums over every run: each sequence count is exercised somewhere
  for (int k = 0; k < scaled(1500) && reported < 5; ++k) {
    const std::string text = gen.any_query();
    const Query query = compiled(text);
    const StreamOptions options = random_options(gen);
    const bool recompile = gen.chance(50);  // the fresh Stream of a Query compiled again
    const Maker make = [&](Stream::Callback cb) {
      return recompile ? std::make_unique<Stream>(compiled(text), std::move(cb), options)
                       : std::make_unique<Stream>(query, std::move(cb), options);
    };
    const std::vector<std::string> lines =
        random_lines(gen, options.allowed_lateness_ns / 1'000'000);
    const std::vector<std::size_t> cuts = random_cuts(gen, lines.size());
    const Output uncut = run_uncut(make, lines);
    std::string problems;
    const Output cut = run_cut(make, lines, cuts, problems);
    ++cases;
    with_results += !uncut.results.empty();
    seen.expired += uncut.stats.expired;
    seen.evicted += uncut.stats.evicted;
    seen.until += uncut.stats.until;
    seen.replaced += uncut.stats.replaced;
    seen.missing += uncut.stats.missing;
    seen.late += uncut.stats.late;
    seen.bad += uncut.stats.bad;
    seen.no_timestamp += uncut.stats.no_timestamp;
    if (!adds_up(uncut.stats)) problems += "the sequence counts do not add up\n";
    if (uncut.stats.results != uncut.results.size())
      problems += "stats().results is not the number of results delivered\n";
    if (cut.results != uncut.results) problems += "the output differs\n";
    if (counters(cut.stats) != counters(uncut.stats)) problems += "the final stats differ\n";
    if (problems.empty()) continue;
    ++reported;
    std::string cut_text;
    for (auto c : cuts)
      cut_text += std::to_string(c) + " ";
    FAIL_CHECK("snapshot/restore case " << k << ": " << problems << "  query: " << text
                                        << "\n  cuts before lines: " << cut_text << "\n  lines:\n"
                                        << joined(lines) << "  uncut output:\n"
                                        << joined(uncut.results) << "  cut output:\n"
                                        << joined(cut.results)
                                        << "  uncut stats: " << show(uncut.stats)
                                        << "\n  cut stats:   " << show(cut.stats));
  }
  std::cout << "[stream] snapshot/restore: " << cases << " random cases, " << with_results
            << " with results\n";
  CHECK(with_results > cases / 3);
  // The random runs reach every way a sequence can end, and every kind of input rejected.
  CHECK(seen.expired > 0);
  CHECK(seen.evicted > 0);
  CHECK(seen.until > 0);
  CHECK(seen.replaced > 0);
  CHECK(seen.missing > 0);
  CHECK(seen.late > 0);
  CHECK(seen.bad > 0);
  CHECK(seen.no_timestamp > 0);
}

TEST_CASE("stream: a RuleSet stream cut at random points and restored gives the uncut output",
          "[stream]") {
  SequenceGenerator gen(0x5eed0002);
  for (int k = 0; k < scaled(300); ++k) {
    std::vector<std::string> texts(2 + gen.pick(3));
    RuleSet rules;
    for (std::size_t r = 0; r < texts.size(); ++r) {
      texts[r] = gen.any_query();
      auto id = rules.add("r" + std::to_string(r), texts[r]);
      REQUIRE(id);
    }
    const StreamOptions options = random_options(gen);
    const Maker make = [&](Stream::Callback cb) {
      return std::make_unique<Stream>(rules, std::move(cb), options);
    };
    const std::vector<std::string> lines =
        random_lines(gen, options.allowed_lateness_ns / 1'000'000);
    const std::vector<std::size_t> cuts = random_cuts(gen, lines.size());
    const Output uncut = run_uncut(make, lines);
    std::string problems;
    const Output cut = run_cut(make, lines, cuts, problems);
    INFO("rules:\n" << joined(texts) << "lines:\n" << joined(lines));
    CHECK(problems == "");
    CHECK(adds_up(uncut.stats));
    REQUIRE(cut.results == uncut.results);
    REQUIRE(counters(cut.stats) == counters(uncut.stats));
  }
}

TEST_CASE("stream: read() and push_matched() with another matcher's units give push()'s output",
          "[stream]") {
  // What `eqlite match --threads 2` does with a rule set: each event read by the Stream, its
  // units found by a RuleSetMatcher of the same RuleSet (here on the same thread, with the
  // event kept as read), then taken with push_matched, in order.
  SequenceGenerator gen(0x5eed0003);
  for (int k = 0; k < scaled(200); ++k) {
    std::vector<std::string> texts(2 + gen.pick(3));
    RuleSet rules;
    for (std::size_t r = 0; r < texts.size(); ++r) {
      texts[r] = gen.any_query();
      REQUIRE(rules.add("r" + std::to_string(r), texts[r]));
    }
    const StreamOptions options = random_options(gen);
    const std::vector<std::string> lines =
        random_lines(gen, options.allowed_lateness_ns / 1'000'000);
    const Output pushed = run_uncut(
        [&](Stream::Callback cb) {
          return std::make_unique<Stream>(rules, std::move(cb), options);
        },
        lines);
    Output matched;
    Stream s(
        rules, [&](const StreamResult& r) { matched.results.push_back(serialise(r)); }, options);
    eqlite::RuleSetMatcher m(rules, options.reader);
    eqlite::Event e;
    std::vector<std::uint32_t> units;
    for (const auto& line : lines) {
      if (!s.read(line, e)) {
        (void)s.push(line);  // a bad line: push() says why and counts it
        continue;
      }
      m.match_units(e, units);
      REQUIRE(s.push_matched(line, e, units));
    }
    s.finish();
    matched.stats = s.stats();
    INFO("rules:\n" << joined(texts) << "lines:\n" << joined(lines));
    REQUIRE(matched.results == pushed.results);
    REQUIRE(counters(matched.stats) == counters(pushed.stats));
  }
  // Only for a Stream of a RuleSet, and an event read by it.
  auto q = eqlite::compile("process where true");
  REQUIRE(q);
  Stream one(*q, [](const StreamResult&) {});
  eqlite::Event e;
  CHECK_FALSE(one.push_matched("{}", e, {}));
}

TEST_CASE("stream: restore() rejects bytes that are not a snapshot of this stream", "[stream]") {
  const std::string text =
      "sequence by host.id with maxspan=1s [process where v == 1] [file where v >= 2] "
      "[network where true] ![process where v == 3]";
  const Query query = compiled(text);
  SequenceGenerator gen(0x5eed0003);
  std::vector<std::string> lines;
  for (auto& e : gen.stream(60, 60))
    lines.push_back(std::move(e.json));
  const std::size_t half = lines.size() / 2;
  const std::vector<std::string> first(lines.begin(), lines.begin() + half),
      rest(lines.begin() + half, lines.end());

  // A snapshot with pending state: sequences, kept events, missing-stage times.
  std::string snapshot;
  {
    Stream s(query, [](const StreamResult&) {});
    for (const auto& l : first)
      (void)s.push(l);
    REQUIRE(s.stats().pending > 0);
    snapshot = s.snapshot();
  }
  // What a fresh Stream gives on the rest of the input.
  const Output fresh = run_uncut(
      [&](Stream::Callback cb) { return std::make_unique<Stream>(query, std::move(cb)); }, rest);

  // After a failed restore() the Stream is empty, as a fresh one (stream.hpp), and usable.
  auto fails_and_is_empty = [&](std::string_view bytes, const char* what) {
    INFO(what << " (" << bytes.size() << " bytes)");
    Output o;
    Stream s(query, [&](const StreamResult& r) { o.results.push_back(serialise(r)); });
    (void)s.push(first.front());
    auto ok = s.restore(bytes);
    CHECK_FALSE(ok);
    CHECK(counters(s.stats()) == counters(StreamStats{}));
    for (const auto& l : rest)
      (void)s.push(l);
    s.finish();
    CHECK(o.results == fresh.results);
    CHECK(counters(s.stats()) == counters(fresh.stats));
  };

  SECTION("empty, text, random bytes") {
    fails_and_is_empty("", "empty");
    fails_and_is_empty("garbage", "text");
    eqlite::testing::XorShift rng{42};
    for (int k = 0; k < 200; ++k) {
      std::string bytes(rng(300), '\0');
      for (auto& c : bytes)
        c = static_cast<char>(rng(256));
      fails_and_is_empty(bytes, "random bytes");
    }
  }
  SECTION("every truncation of a real snapshot") {
    REQUIRE(snapshot.size() > 100);
    const std::size_t step = std::max<std::size_t>(1, snapshot.size() / 2000);
    for (std::size_t n = 0; n < snapshot.size(); n += step)
      fails_and_is_empty(std::string_view(snapshot).substr(0, n), "truncated");
    fails_and_is_empty(snapshot.substr(0, snapshot.size() - 1), "one byte short");
    fails_and_is_empty(snapshot + '\0', "one byte too many");
  }
  SECTION("the magic and header right, then garbage or huge counts") {
    for (std::size_t keep : {8u, 16u, 24u, 64u}) {
      std::string bytes = snapshot.substr(0, keep);
      bytes += std::string(64, '\xff');
      fails_and_is_empty(bytes, "header then 0xff");
    }
  }
  SECTION("flipped bits: restore() either fails (and empties) or gives a usable stream") {
    eqlite::testing::XorShift rng{7};
    for (int k = 0; k < 500; ++k) {
      std::string bytes = snapshot;
      bytes[rng(bytes.size())] ^= static_cast<char>(1u << rng(8));
      Stream s(query, [](const StreamResult&) {});
      if (auto ok = s.restore(bytes); !ok) CHECK(counters(s.stats()) == counters(StreamStats{}));
      for (const auto& l : rest)
        (void)s.push(l);
      s.finish();
      (void)s.snapshot();
    }
  }
  SECTION("a snapshot of another query") {
    struct Case {
      const char* from;
      const char* to;
    };
    // clang-format off
    const Case cases[] = {
        {"process where v == 1", text.c_str()},
        {"sample by host.id [process where true] [file where true]", text.c_str()},
        {text.c_str(), "process where v == 1"},
        {text.c_str(), "sample by host.id [process where true] [file where true]"},
        {"sample by host.id [process where true] [file where true]",
         "sample by host.id [process where true] [file where true] [network where true]"},
        {"process where true | head 3", "process where true"},
        {"process where true", "process where true | tail 3"},
    };
    // clang-format on
    for (const Case& c : cases) {
      INFO("snapshot of: " << c.from << "\nrestored into: " << c.to);
      const Query from = compiled(c.from), to = compiled(c.to);
      Stream a(from, [](const StreamResult&) {});
      for (const auto& l : first)
        (void)a.push(l);
      const std::string bytes = a.snapshot();
      Stream b(to, [](const StreamResult&) {});
      CHECK_FALSE(b.restore(bytes));
      CHECK(counters(b.stats()) == counters(StreamStats{}));
    }
    // A Stream of a RuleSet and a Stream of one of its rules.
    RuleSet rules;
    REQUIRE(rules.add("seq", text));
    REQUIRE(rules.add("event", "process where true"));
    Stream a(rules, [](const StreamResult&) {});
    for (const auto& l : first)
      (void)a.push(l);
    Stream b(query, [](const StreamResult&) {});
    CHECK_FALSE(b.restore(a.snapshot()));
    Stream c(rules, [](const StreamResult&) {});
    Stream d(query, [](const StreamResult&) {});
    for (const auto& l : first)
      (void)d.push(l);
    CHECK_FALSE(c.restore(d.snapshot()));
  }
}

TEST_CASE("stream: a moved Stream goes on where it was", "[stream]") {
  SequenceGenerator gen(0x5eed0006);
  for (int k = 0; k < scaled(100); ++k) {
    const std::string text = gen.any_query();
    const Query query = compiled(text);
    const StreamOptions options = random_options(gen);
    const std::vector<std::string> lines =
        random_lines(gen, options.allowed_lateness_ns / 1'000'000);
    const Output uncut = run_uncut(
        [&](Stream::Callback cb) {
          return std::make_unique<Stream>(query, std::move(cb), options);
        },
        lines);
    std::vector<std::string> got;
    Stream a(
        query, [&](const StreamResult& r) { got.push_back(serialise(r)); }, options);
    const std::size_t at = gen.pick(lines.size() + 1);
    for (std::size_t i = 0; i < at; ++i)
      (void)a.push(lines[i]);
    Stream b(std::move(a));  // move construction, then move assignment
    Stream c(compiled("any where true"), [](const StreamResult&) {});
    c = std::move(b);
    for (std::size_t i = at; i < lines.size(); ++i)
      (void)c.push(lines[i]);
    c.finish();
    INFO("query: " << text << "\nmoved before line " << at);
    REQUIRE(got == uncut.results);
    CHECK(counters(c.stats()) == counters(uncut.stats));
  }
}

// ---- 2. the API ------------------------------------------------------------------------------

TEST_CASE("stream: read again from oldest_held_position(), a fresh Stream loses no result to come",
          "[stream]") {
  // What a Kafka consumer that commits up to the oldest held event relies on (docs/deploy.md):
  // cut anywhere, a fresh Stream given the input again from that position gives every result
  // the uncut Stream gives after the cut (repeats allowed). Input in time order within the
  // allowed lateness (no late event), no `| head`, no leading missing stage and no cap on
  // pending sequences: what such a restart does not reproduce (stream.hpp).
  SequenceGenerator gen(0x5eed0007);
  int cases = 0, held = 0;
  for (int k = 0; k < scaled(1500); ++k) {
    const std::string text = gen.any_query();
    if (text.find("head") != std::string::npos) continue;
    const std::size_t first_stage = text.find('[');
    if (first_stage > 0 && first_stage != std::string::npos && text[first_stage - 1] == '!')
      continue;  // a leading missing stage
    const Query query = compiled(text);
    StreamOptions options = random_options(gen);
    options.max_pending = 0;
    std::vector<StreamEvent> events = gen.stream(5, 60);
    if (options.allowed_lateness_ns) gen.delay(events, options.allowed_lateness_ns / 1'000'000);
    std::vector<std::string> lines;
    for (auto& e : events) {
      lines.push_back(std::move(e.json));
      if (gen.chance(3)) lines.push_back("[1,2]");
    }
    // Positions are line numbers (from 1), as a consumer's are offsets.
    auto feed = [&](Stream& s, std::size_t from, std::size_t to) {
      for (std::size_t i = from; i < to; ++i) {
        REQUIRE(s.set_next_position(i + 1));
        (void)s.push(lines[i]);
      }
    };
    std::vector<std::string> uncut;
    Stream whole(
        query, [&](const StreamResult& r) { uncut.push_back(serialise(r)); }, options);
    feed(whole, 0, lines.size());
    whole.finish();
    const std::size_t cut = gen.pick(lines.size() + 1);
    std::vector<std::string> before;
    Stream first(
        query, [&](const StreamResult& r) { before.push_back(serialise(r)); }, options);
    feed(first, 0, cut);
    const std::uint64_t oldest = first.oldest_held_position();
    REQUIRE(oldest <= cut);
    const std::size_t from = oldest ? oldest - 1 : cut;
    held += oldest != 0;
    std::vector<std::string> again;
    Stream second(
        query, [&](const StreamResult& r) { again.push_back(serialise(r)); }, options);
    feed(second, from, lines.size());
    second.finish();
    REQUIRE(before.size() <= uncut.size());
    std::vector<std::string> rest(uncut.begin() + static_cast<std::ptrdiff_t>(before.size()),
                                  uncut.end());
    std::sort(rest.begin(), rest.end());
    std::sort(again.begin(), again.end());
    std::vector<std::string> lost;
    std::set_difference(rest.begin(), rest.end(), again.begin(), again.end(),
                        std::back_inserter(lost));
    INFO("query: " << text << "\ncut before line " << cut << ", read again from " << from
                   << "\nlost:\n"
                   << joined(lost));
    CHECK(lost.empty());
    ++cases;
  }
  std::cout << "[stream] read again from the oldest held position: " << cases << " cases, " << held
            << " holding events at the cut\n";
  CHECK(held > cases / 4);
}

TEST_CASE("stream: results give their events' positions, numbered as pushed or by the caller (T3)",
          "[stream]") {
  auto positions = [](const StreamResult& r) {
    return std::vector<std::uint64_t>(r.positions.begin(), r.positions.end());
  };
  using P = std::vector<std::uint64_t>;
  SECTION("numbered 1, 2, 3 as pushed; a line that is not an event takes no number") {
    std::vector<P> got;
    Stream s(compiled("any where x == 1"),
             [&](const StreamResult& r) { got.push_back(positions(r)); });
    REQUIRE(s.push(R"({"x":0})"));
    REQUIRE_FALSE(s.push("{broken"));
    REQUIRE(s.push(R"({"x":1})"));
    REQUIRE(s.push(R"({"x":1})"));
    CHECK(got == std::vector<P>{{2}, {3}});
  }
  SECTION("numbered by set_next_position(): sequences, missing events, tails, held events") {
    for (const std::int64_t lateness : {std::int64_t{0}, std::int64_t{60'000'000'000}}) {
      StreamOptions o;
      o.allowed_lateness_ns = lateness;
      std::vector<P> got;
      Stream s(
          compiled("sequence by k with maxspan=1h [any where a == 1] ![any where m == 1] "
                   "[any where b == 1] | tail 5"),
          [&](const StreamResult& r) { got.push_back(positions(r)); }, o);
      REQUIRE(s.set_next_position(100));
      REQUIRE(s.push(R"({"@timestamp":1000,"k":"x","a":1})"));
      REQUIRE(s.set_next_position(150));  // a line that is not an event uses its number up
      REQUIRE_FALSE(s.push("[1]"));
      REQUIRE(s.push(R"({"@timestamp":2000,"k":"x","b":1})"));  // no number given: 101
      REQUIRE(s.set_next_position(207));
      REQUIRE(s.push(R"({"@timestamp":3000,"k":"y","a":1})"));
      // A snapshot keeps the numbers (and the last one: the next is still after it).
      const std::string bytes = s.snapshot();
      Stream t(
          compiled("sequence by k with maxspan=1h [any where a == 1] ![any where m == 1] "
                   "[any where b == 1] | tail 5"),
          [&](const StreamResult& r) { got.push_back(positions(r)); }, o);
      REQUIRE(t.restore(bytes));
      CHECK_FALSE(t.set_next_position(207));  // not after the last position
      REQUIRE(t.set_next_position(300));
      REQUIRE(t.push(R"({"@timestamp":4000,"k":"y","b":1})"));
      t.finish();
      INFO("allowed lateness " << lateness);
      CHECK(got == std::vector<P>{{100, 0, 101}, {207, 0, 300}});
    }
  }
}

TEST_CASE("stream: an event query gives what Vm::matches gives, through its pipes", "[stream]") {
  SequenceGenerator gen(0x5eed0004);
  eqlite::Vm vm;
  eqlite::Event event;
  std::uint64_t matched = 0;
  for (int k = 0; k < scaled(400); ++k) {
    const std::string text = gen.event_query();
    const Query query = compiled(text);
    REQUIRE(query.kind() == eqlite::QueryKind::Event);
    const std::vector<StreamEvent> events = gen.stream(5, 60);
    // The expected results: Vm::matches on each event, then the pipes in order (P2, Q6).
    eqlite::JsonReader reader(query);
    std::vector<std::string> expected;
    for (const auto& e : events) {
      REQUIRE(reader.read(e.json, event));
      if (vm.matches(query, event)) expected.push_back(e.json);
    }
    matched += expected.size();
    for (const auto& p : query.pipes()) {
      if (expected.size() <= p.n) continue;
      if (p.kind == eqlite::PipeStage::Kind::Head)
        expected.resize(p.n);
      else
        expected.erase(expected.begin(), expected.end() - static_cast<std::ptrdiff_t>(p.n));
    }
    std::vector<std::string> got;
    bool well_formed = true;
    Stream s(query, [&](const StreamResult& r) {
      well_formed = well_formed && r.rule == 0 && r.kind == eqlite::QueryKind::Event &&
                    r.join_keys.empty() && r.events.size() == 1;
      if (!r.events.empty()) got.emplace_back(r.events[0]);
    });
    for (const auto& e : events)
      REQUIRE(s.push(e.json));
    s.finish();
    INFO("query: " << text);
    CHECK(well_formed);
    REQUIRE(got == expected);
    CHECK(s.stats().results == got.size());
  }
  CHECK(matched > static_cast<std::uint64_t>(scaled(1000)));
}

namespace {

std::string ev(int n, const char* category, int ts = -1) {
  std::string s = R"({"n":)" + std::to_string(n) + R"(,"event":{"category":")" + category + "\"}";
  if (ts >= 0) s += R"(,"@timestamp":)" + std::to_string(ts);
  return s + "}";
}

// The "n" of each result's events, one string per result ("1 2").
struct Collect {
  std::vector<std::string> results;
  Stream::Callback callback() {
    return [this](const StreamResult& r) {
      std::string s;
      for (std::string_view e : r.events) {
        if (!s.empty()) s += ' ';
        if (e.empty()) {
          s += '-';
          continue;
        }
        const auto at = e.find("\"n\":") + 4;
        s += std::string(e.substr(at, e.find_first_of(",}", at) - at));
      }
      results.push_back(s);
    };
  }
};

}  // namespace

TEST_CASE("stream: head and tail pipes, saturated()", "[stream]") {
  auto run = [](const char* text, int events, std::vector<std::string>* before_finish = nullptr) {
    const Query q = compiled(text);
    Collect c;
    Stream s(q, c.callback());
    for (int i = 1; i <= events; ++i)
      REQUIRE(s.push(ev(i, "process", i)));
    if (before_finish) *before_finish = c.results;
    s.finish();
    return c.results;
  };
  using V = std::vector<std::string>;
  std::vector<std::string> early;
  // P2, Q6: a head passes the first N at once; a tail gives the last N at finish().
  CHECK(run("process where true | head 2", 5, &early) == V{"1", "2"});
  CHECK(early == V{"1", "2"});
  CHECK(run("process where true | tail 2", 5, &early) == V{"4", "5"});
  CHECK(early.empty());
  CHECK(run("process where true | tail 3 | head 1", 5) == V{"3"});
  CHECK(run("process where true | head 3 | tail 2", 5) == V{"2", "3"});
  CHECK(run("process where true | head 0", 5).empty());
  CHECK(run("process where true | tail 0", 5).empty());
  CHECK(run("process where true | head 9", 3) == V{"1", "2", "3"});
  // Q6 on sequences: completion order, then the pipes.
  CHECK(run("sequence [process where true] [process where true] | tail 2", 5) == V{"3 4", "4 5"});
  CHECK(run("sequence [process where true] [process where true] | head 1", 5) == V{"1 2"});

  SECTION("saturated(): only when every rule's leading head is full") {
    const Query head = compiled("process where true | head 2");
    Stream s(head, [](const StreamResult&) {});
    CHECK_FALSE(s.saturated());
    REQUIRE(s.push(ev(1, "process", 1)));
    CHECK_FALSE(s.saturated());
    REQUIRE(s.push(ev(2, "file", 2)));  // no match: still one result
    CHECK_FALSE(s.saturated());
    REQUIRE(s.push(ev(3, "process", 3)));
    CHECK(s.saturated());
    const Query zero = compiled("process where true | head 0");
    CHECK(Stream(zero, [](const StreamResult&) {}).saturated());
    for (const char* never : {"process where true", "process where true | tail 1",
                              "process where true | tail 5 | head 1"}) {
      const Query q = compiled(never);
      Stream t(q, [](const StreamResult&) {});
      for (int i = 1; i <= 10; ++i)
        REQUIRE(t.push(ev(i, "process", i)));
      INFO(never);
      CHECK_FALSE(t.saturated());
    }
    RuleSet rules;
    REQUIRE(rules.add("a", "process where true | head 1"));
    REQUIRE(rules.add("b", "file where true | head 1"));
    Stream r(rules, [](const StreamResult&) {});
    REQUIRE(r.push(ev(1, "process", 1)));
    CHECK_FALSE(r.saturated());
    REQUIRE(r.push(ev(2, "file", 2)));
    CHECK(r.saturated());
  }
}

TEST_CASE("stream: a RuleSet of mixed kinds gives, per rule, what a Stream of that rule gives",
          "[stream]") {
  SequenceGenerator gen(0x5eed0005);
  std::uint64_t results = 0;
  for (int k = 0; k < scaled(300); ++k) {
    // An event rule, a sequence and a sample, then random ones.
    std::vector<std::string> texts = {gen.event_query(), gen.sequence_query(), gen.sample_query()};
    for (std::size_t extra = gen.pick(3); extra > 0; --extra)
      texts.push_back(gen.any_query());
    RuleSet rules;
    for (std::size_t r = 0; r < texts.size(); ++r)
      REQUIRE(rules.add("r" + std::to_string(r), texts[r]));
    const StreamOptions options = random_options(gen);
    const std::vector<std::string> lines =
        random_lines(gen, options.allowed_lateness_ns / 1'000'000);

    std::vector<std::vector<std::string>> together(texts.size());
    Stream all(
        rules, [&](const StreamResult& r) { together.at(r.rule).push_back(serialise(r)); },
        options);
    for (const auto& l : lines)
      (void)all.push(l);
    all.finish();
    StreamStats sum{};
    for (std::size_t r = 0; r < texts.size(); ++r) {
      const Query q = compiled(texts[r]);
      std::vector<std::string> alone;
      Stream one(
          q,
          [&](const StreamResult& res) {
            StreamResult as_rule = res;
            as_rule.rule = r;  // a Stream of one Query numbers its rule 0
            CHECK(res.rule == 0);
            alone.push_back(serialise(as_rule));
          },
          options);
      for (const auto& l : lines)
        (void)one.push(l);
      one.finish();
      INFO("rule " << r << ": " << texts[r] << "\nlines:\n" << joined(lines));
      REQUIRE(together[r] == alone);
      results += alone.size();
      const StreamStats st = one.stats();
      sum.started += st.started;
      sum.completed += st.completed;
      sum.pending += st.pending;
      sum.results += st.results;
    }
    // The RuleSet's counts are the sums of its rules'.
    const StreamStats st = all.stats();
    CHECK(st.started == sum.started);
    CHECK(st.completed == sum.completed);
    CHECK(st.pending == sum.pending);
    CHECK(st.results == sum.results);
    CHECK(adds_up(st));
  }
  CHECK(results > static_cast<std::uint64_t>(scaled(1000)));
}

TEST_CASE("stream: statistics count bad lines, events without a time and late events", "[stream]") {
  const Query q = compiled("sequence [process where true] [file where true]");
  Collect c;
  Stream s(q, c.callback());
  // E2: a line that is not a JSON object is an error, counted, and the stream goes on.
  for (const char* bad : {"not json", "[1,2]", "{\"a\":", "42", "\"text\""})
    CHECK_FALSE(s.push(bad));
  // T1: no timestamp, null, not a date: kept out of sequences, counted.
  CHECK(*s.push(ev(1, "process")) == Admission::NoTimestamp);
  CHECK(*s.push(R"({"n":2,"event":{"category":"process"},"@timestamp":null})") ==
        Admission::NoTimestamp);
  CHECK(*s.push(R"({"n":3,"event":{"category":"process"},"@timestamp":"yesterday"})") ==
        Admission::NoTimestamp);
  CHECK(*s.push(ev(4, "file", 100)) == Admission::Taken);  // nothing pending: no result
  CHECK(*s.push(ev(5, "process", 200)) == Admission::Taken);
  // T3: older than an event already consumed: late, kept out of sequences.
  CHECK(*s.push(ev(6, "file", 150)) == Admission::Late);
  CHECK(*s.push(ev(7, "file", 200)) == Admission::Taken);  // equal time is in order
  s.finish();
  CHECK(c.results == std::vector<std::string>{"5 7"});
  const StreamStats st = s.stats();
  INFO(show(st));
  CHECK(st.bad == 5);
  CHECK(st.events == 7);
  CHECK(st.no_timestamp == 3);
  CHECK(st.late == 1);
  CHECK(st.results == 1);
  CHECK(st.started == 1);
  CHECK(st.completed == 1);
  CHECK(adds_up(st));

  SECTION("late and untimed events are still seen by the event rules of a RuleSet (T1, T3)") {
    RuleSet rules;
    REQUIRE(rules.add("seq", "sequence [process where true] [file where true]"));
    REQUIRE(rules.add("files", "file where true"));
    std::vector<std::size_t> ids;
    Stream r(rules, [&](const StreamResult& res) { ids.push_back(res.rule); });
    CHECK(*r.push(ev(1, "process", 200)) == Admission::Taken);
    CHECK(*r.push(ev(2, "file", 100)) == Admission::Late);
    CHECK(*r.push(ev(3, "file")) == Admission::NoTimestamp);
    r.finish();
    CHECK(ids == std::vector<std::size_t>{1, 1});
  }
}

TEST_CASE("stream: every way a sequence ends is counted, and the counts add up", "[stream]") {
  auto stats_of = [](const char* text, const std::vector<std::string>& lines,
                     StreamOptions options = {}) {
    const Query q = compiled(text);
    Stream s(
        q, [](const StreamResult&) {}, options);
    for (const auto& l : lines)
      (void)s.push(l);
    s.finish();
    const StreamStats st = s.stats();
    INFO(text << "\n" << show(st));
    CHECK(adds_up(st));
    return st;
  };
  // Q3: expired by maxspan.
  auto st = stats_of("sequence with maxspan=10ms [process where true] [file where true]",
                     {ev(1, "process", 0), ev(2, "file", 11)});
  CHECK(st.expired == 1);
  CHECK(st.completed == 0);
  // Q4: dropped by until.
  st = stats_of("sequence [process where true] [file where true] until [network where true]",
                {ev(1, "process", 0), ev(2, "network", 1), ev(3, "file", 2)});
  CHECK(st.until == 1);
  // Q2: replaced by a newer sequence in the same stage.
  st = stats_of("sequence [process where true] [file where true]",
                {ev(1, "process", 0), ev(2, "process", 1), ev(3, "file", 2)});
  CHECK(st.replaced == 1);
  CHECK(st.completed == 1);
  // Q5: rejected by a missing event.
  st = stats_of("sequence with maxspan=1s [process where true] ![network where true]",
                {ev(1, "process", 0), ev(2, "network", 1)});
  CHECK(st.missing == 1);
  // Q5: waiting for the window of a last missing stage (before finish it is counted as waiting).
  {
    const Query q = compiled("sequence with maxspan=1s [process where true] ![network where true]");
    Stream s(q, [](const StreamResult&) {});
    REQUIRE(s.push(ev(1, "process", 0)));
    CHECK(s.stats().waiting == 1);
    CHECK(adds_up(s.stats()));
    s.finish();
    CHECK(s.stats().completed == 1);
    CHECK(s.stats().waiting == 0);
  }
  // Q8: evicted by the cap; still pending at the end.
  StreamOptions capped;
  capped.max_pending = 1;
  st = stats_of("sequence by host.id [process where true] [file where true]",
                {R"({"@timestamp":0,"event":{"category":"process"},"host":{"id":"a"}})",
                 R"({"@timestamp":1,"event":{"category":"process"},"host":{"id":"b"}})"},
                capped);
  CHECK(st.evicted == 1);
  CHECK(st.pending == 1);
  // Q7: samples count their complete keys and the events they hold.
  {
    const Query q = compiled("sample by host.id [process where true] [file where true]");
    Stream s(q, [](const StreamResult&) {});
    REQUIRE(s.push(R"({"event":{"category":"process"},"host":{"id":"a"}})"));
    CHECK(s.stats().sample_events == 1);
    CHECK(s.stats().samples == 0);
    REQUIRE(s.push(R"({"event":{"category":"file"},"host":{"id":"a"}})"));
    CHECK(s.stats().samples == 1);
    s.finish();
    CHECK(s.stats().results == 1);
  }
}

TEST_CASE("stream: max_pending caps the pending sequences (Q8)", "[stream]") {
  const Query q = compiled("sequence by k [process where true] [file where true]");
  StreamOptions options;
  options.max_pending = 1000;
  std::vector<std::string> results;
  Stream s(
      q, [&](const StreamResult& r) { results.emplace_back(r.events[0]); }, options);
  const auto start = std::chrono::steady_clock::now();
  std::size_t bytes_at_2000 = 0, max_bytes = 0;
  constexpr int kKeys = 200'000;
  for (int i = 0; i < kKeys; ++i) {
    REQUIRE(s.push(R"({"@timestamp":)" + std::to_string(i) +
                   R"(,"event":{"category":"process"},"k":)" + std::to_string(i) + "}"));
    if (i % 1000 == 999) {
      const StreamStats st = s.stats();
      REQUIRE(st.pending <= 1000);
      max_bytes = std::max(max_bytes, st.state_bytes);
      if (i == 1999) bytes_at_2000 = st.state_bytes;
    }
  }
  StreamStats st = s.stats();
  CHECK(st.started == kKeys);
  CHECK(st.pending == 1000);
  CHECK(st.evicted == kKeys - 1000);
  CHECK(adds_up(st));
  // Memory is bounded: no more at 200,000 keys than at 2,000 (give or take a hash table).
  CHECK(max_bytes <= 2 * bytes_at_2000);
  // The newest keys are pending; the evicted oldest are gone (Q8: counted, never silent).
  REQUIRE(s.push(R"({"@timestamp":200000,"event":{"category":"file"},"k":199999})"));
  REQUIRE(s.push(R"({"@timestamp":200000,"event":{"category":"file"},"k":0})"));
  s.finish();
  REQUIRE(results.size() == 1);
  CHECK(results[0].find("\"k\":199999") != std::string::npos);
  const double t = seconds_since(start);
  std::cout << "[stream] 200,000 keys with max_pending=1000: " << t << " s, state_bytes "
            << st.state_bytes << "\n";
}

// ---- 3. hostile queries ----------------------------------------------------------------------

TEST_CASE("stream: hostile sequence queries end quickly", "[stream]") {
  SECTION("100 written stages") {
    std::string text = "sequence by k";
    for (int i = 0; i < 100; ++i)
      text += " [any where v == " + std::to_string(i) + "]";
    const Query q = compiled(text);
    std::vector<std::string> got;
    Stream s(q, [&](const StreamResult& r) { got.push_back(std::to_string(r.events.size())); });
    // Key 1 goes through the 100 stages in order; key 2 skips one.
    for (int i = 0; i < 100; ++i) {
      REQUIRE(s.push(R"({"@timestamp":)" + std::to_string(i) + R"(,"k":1,"v":)" +
                     std::to_string(i) + "}"));
      if (i != 50)
        REQUIRE(s.push(R"({"@timestamp":)" + std::to_string(i) + R"(,"k":2,"v":)" +
                       std::to_string(i) + "}"));
    }
    s.finish();
    CHECK(got == std::vector<std::string>{"100"});
  }
  SECTION("[any where true] with runs=100 over 10,000 events") {
    const Query q = compiled("sequence [any where true] with runs=100");
    std::uint64_t results = 0;
    std::string first;
    Stream s(q, [&](const StreamResult& r) {
      if (results++ == 0)
        for (auto e : r.events)
          first += std::string(e) + "\n";
    });
    const auto start = std::chrono::steady_clock::now();
    std::string expected_first;
    for (int i = 0; i < 10'000; ++i) {
      const std::string e =
          R"({"@timestamp":)" + std::to_string(i / 3) + R"(,"i":)" + std::to_string(i) + "}";
      if (i < 100) expected_first += e + "\n";
      REQUIRE(s.push(e));
    }
    s.finish();
    const double t = seconds_since(start);
    std::cout << "[stream] runs=100 over 10,000 events: " << t << " s\n";
    // Q2: the last stage first, so events 1-100, 2-101, ...: one result per event from the 100th.
    CHECK(results == 10'000 - 99);
    CHECK(first == expected_first);
  }
  SECTION("100 stages with runs=100 (10,000 expanded stages) over 1,000 events") {
    std::string text = "sequence by k";
    for (int i = 0; i < 100; ++i)
      text += " [any where v == " + std::to_string(i % 3) + "] with runs=100";
    const auto compile_start = std::chrono::steady_clock::now();
    auto q = eqlite::compile(text);
    const double compile_t = seconds_since(compile_start);
    REQUIRE(q);
    std::uint64_t results = 0;
    Stream s(*q, [&](const StreamResult&) { ++results; });
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 1000; ++i)
      REQUIRE(s.push(R"({"@timestamp":)" + std::to_string(i) + R"(,"k":)" + std::to_string(i % 4) +
                     R"(,"v":)" + std::to_string((i / 4) % 3) + "}"));
    s.finish();
    const double t = seconds_since(start);
    const StreamStats st = s.stats();
    std::cout << "[stream] 10,000 expanded stages over 1,000 events: compile " << compile_t
              << " s, run " << t << " s, pending " << st.pending << ", state_bytes "
              << st.state_bytes << "\n";
    CHECK(results == 0);  // no key has 10,000 events
    CHECK(adds_up(st));
  }
  SECTION("10,000 join keys") {
    std::string text = "sequence by ";
    std::string fields, other;  // `other`: the same values but the last
    for (int i = 0; i < 10'000; ++i) {
      text += (i ? ", f" : "f") + std::to_string(i);
      fields += ",\"f" + std::to_string(i) + "\":" + std::to_string(i % 7);
      other += ",\"f" + std::to_string(i) + "\":" + (i == 9'999 ? "\"x\"" : std::to_string(i % 7));
    }
    text += " [process where true] [file where true]";
    const auto start = std::chrono::steady_clock::now();
    auto q = eqlite::compile(text);
    if (!q) {
      // A clear compile error is an acceptable answer.
      INFO(q.error().to_string());
      CHECK(q.error().where.line >= 1);
      return;
    }
    std::vector<std::size_t> keys;
    Collect c;
    auto collect = c.callback();
    Stream s(*q, [&](const StreamResult& r) {
      keys.push_back(r.join_keys.size());
      collect(r);
    });
    REQUIRE(s.push(R"({"n":1,"@timestamp":1,"event":{"category":"process"})" + fields + "}"));
    REQUIRE(s.push(R"({"n":2,"@timestamp":2,"event":{"category":"file"})" + fields + "}"));
    // One key differs: no join.
    REQUIRE(s.push(R"({"n":3,"@timestamp":3,"event":{"category":"process"})" + other + "}"));
    REQUIRE(s.push(R"({"n":4,"@timestamp":4,"event":{"category":"file"})" + fields + "}"));
    // A missing required key: the event is in no stage.
    REQUIRE(s.push(R"({"n":5,"@timestamp":5,"event":{"category":"process"}})"));
    s.finish();
    const double t = seconds_since(start);
    std::cout << "[stream] 10,000 join keys: " << t << " s\n";
    CHECK(c.results == std::vector<std::string>{"1 2"});
    CHECK(keys == std::vector<std::size_t>{10'000});
  }
  SECTION("100,000 distinct keys without maxspan, default cap") {
    const Query q = compiled("sequence by k [process where true] [file where true]");
    std::uint64_t results = 0;
    Stream s(q, [&](const StreamResult&) { ++results; });
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100'000; ++i)
      REQUIRE(s.push(R"({"@timestamp":)" + std::to_string(i) +
                     R"(,"event":{"category":"process"},"k":")" + std::to_string(i) + "\"}"));
    for (int i = 0; i < 100'000; i += 1000)
      REQUIRE(s.push(R"({"@timestamp":100000,"event":{"category":"file"},"k":")" +
                     std::to_string(i) + "\"}"));
    const StreamStats st = s.stats();
    s.finish();
    const double t = seconds_since(start);
    std::cout << "[stream] 100,000 keys without maxspan: " << t << " s, state_bytes "
              << st.state_bytes << "\n";
    CHECK(results == 100);
    CHECK(st.pending == 100'000 - 100);
    CHECK(st.evicted == 0);  // the default cap is 1,000,000
    CHECK(adds_up(st));
  }
}

// ---- once engine bugs ------------------------------------------------------------------------

TEST_CASE(
    "stream: restore() refuses a snapshot of a different query of the same kind "
    "(stream.hpp: it fails when the bytes are not a snapshot of a Stream of the same query)",
    "[stream]") {
  // clang-format off
  const char* const pairs[][2] = {
      {"sequence by host.id [process where true] [file where true]",
       "sequence by host.id [process where true] [file where true] [network where true]"},
      {"sequence by host.id [process where true] [file where true] [network where true]",
       "sequence by host.id [process where true] [file where true]"},
      {"sequence by host.id [process where v == 1] [file where true]",
       "sequence by host.id [process where v == 2] [file where true]"},
      {"sequence by host.id [process where true] [file where true]",
       "sequence by user.name [process where true] [file where true]"},
      {"sequence by host.id with maxspan=1s [process where true] ![file where true]",
       "sequence by host.id with maxspan=1s [process where true] [file where true]"},
      {"sample by host.id [process where true] [file where true]",
       "sample by user.name [process where true] [file where true]"},
      {"process where true | head 3", "process where true | head 4"},
  };
  // clang-format on
  for (const auto& p : pairs) {
    INFO("snapshot of: " << p[0] << "\nrestored into: " << p[1]);
    const Query from = compiled(p[0]), to = compiled(p[1]);
    Stream a(from, [](const StreamResult&) {});
    (void)a.push(
        R"({"@timestamp":1,"event":{"category":"process"},"v":1,"host":{"id":"h"},"user":{"name":"u"}})");
    (void)a.push(R"({"@timestamp":2,"event":{"category":"process"},"v":2,"host":{"id":"h2"}})");
    Stream b(to, [](const StreamResult&) {});
    CHECK_FALSE(b.restore(a.snapshot()));
    // Whatever restore() did, the stream must stay safe to use (a sanitizer build checks).
    (void)b.push(R"({"@timestamp":3,"event":{"category":"file"},"v":1,"host":{"id":"h"}})");
    (void)b.push(R"({"@timestamp":4,"event":{"category":"network"},"v":1,"host":{"id":"h"}})");
    b.finish();
  }
}

TEST_CASE("stream: with a leading missing stage, keys are freed once maxspan has passed (Q8)",
          "[stream]") {
  // Events 1 s apart with maxspan=1s: no missing event older than the newest one can ever
  // reject a sequence (docs/sequences.md point 4), so the state need not grow with the keys.
  const Query q = compiled(
      "sequence by k with maxspan=1s ![file where true] [process where true] "
      "[network where true]");
  StreamOptions options;
  options.max_pending = 1000;
  Stream s(
      q, [](const StreamResult&) {}, options);
  std::size_t at_1000 = 0;
  for (int i = 0; i < 100'000; ++i) {
    REQUIRE(s.push(R"({"@timestamp":)" + std::to_string(i * 1000) +
                   R"(,"event":{"category":"file"},"k":)" + std::to_string(i) + "}"));
    if (i == 999) at_1000 = s.stats().state_bytes;
  }
  INFO("state_bytes after 1,000 keys: " << at_1000 << ", after 100,000: " << s.stats().state_bytes);
  CHECK(s.stats().state_bytes <= 2 * at_1000);
}

TEST_CASE("stream: each event of a trailing missing stage rejects only its key's waiting sequences",
          "[stream]") {
  // 10,000 sequences wait for their window (maxspan=1h); then 10,000 missing events, one per
  // key, reject them. Linear work takes milliseconds; the engine ~0.3 s (40,000 keys: ~6 s).
  const Query q = compiled("sequence by k with maxspan=1h [process where true] ![file where true]");
  Stream s(q, [](const StreamResult&) {});
  constexpr int kKeys = 10'000;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kKeys; ++i)
    REQUIRE(s.push(R"({"@timestamp":)" + std::to_string(i) +
                   R"(,"event":{"category":"process"},"k":)" + std::to_string(i) + "}"));
  for (int i = 0; i < kKeys; ++i)
    REQUIRE(s.push(R"({"@timestamp":)" + std::to_string(kKeys + i) +
                   R"(,"event":{"category":"file"},"k":)" + std::to_string(i) + "}"));
  s.finish();
  const double t = seconds_since(start);
  std::cout << "[stream] 10,000 waiting sequences and 10,000 trailing missing events: " << t
            << " s\n";
  CHECK(s.stats().missing == kKeys);
  CHECK(s.stats().results == 0);
}

TEST_CASE("stream: samples_when_complete gives a key's samples as soon as they exist (Q7)",
          "[stream]") {
  const Query q = compiled("sample by k [process where true] [file where true]");
  StreamOptions options;
  options.samples_when_complete = true;
  options.max_samples_per_key = 2;
  const std::vector<std::string> events = {
      R"({"event":{"category":"file"},"k":"b","n":1})",
      R"({"event":{"category":"process"},"k":"a","n":2})",
      R"({"event":{"category":"file"},"k":"a","n":3})",     // a: (2,3) now
      R"({"event":{"category":"process"},"k":"b","n":4})",  // b: (4,1) now
      R"({"event":{"category":"file"},"k":"a","n":5})",     // a: (2,5) now; a is done
      R"({"event":{"category":"process"},"k":"a","n":6})",  // a gives no more
  };
  auto run = [&](std::size_t cut, std::vector<std::size_t>* when) {
    std::string out;
    std::size_t pushed = 0;
    auto cb = [&](const StreamResult& r) {
      out += "[";
      for (auto e : r.events)
        out += std::string(e.substr(e.find("\"n\":") + 4, 1));
      out += "]";
      if (when) when->push_back(pushed);
    };
    auto s = std::make_unique<Stream>(q, cb, options);
    for (std::size_t i = 0; i < events.size(); ++i) {
      if (i == cut) {
        const std::string bytes = s->snapshot();
        s = std::make_unique<Stream>(q, cb, options);
        REQUIRE(s->restore(bytes));
      }
      REQUIRE(s->push(events[i]));
      ++pushed;
    }
    s->finish();
    return out;
  };
  std::vector<std::size_t> when;
  const std::string whole = run(events.size(), &when);
  CHECK(whole == "[23][41][25]");  // in the order they complete, not by key
  // each during the push of its last event (events 3, 4 and 5: indexes 2, 3, 4)
  CHECK(when == std::vector<std::size_t>{2, 3, 4});
  for (std::size_t cut = 1; cut < events.size(); ++cut)
    CHECK(run(cut, nullptr) == whole);
  // Without the option: at finish(), keys ascending.
  options.samples_when_complete = false;
  CHECK(run(events.size(), nullptr) == "[23][25][41]");
}

TEST_CASE("stream: an event held for lateness keeps the constants it was pushed with (E4)",
          "[stream]") {
  // Events of two inputs, each with its own event.dataset constant, merged by time: the held
  // stage-1 event must not take the constant of the input pushed last when it is released.
  auto q = eqlite::compile("sequence by event.dataset [any where x == 1] [any where x == 2]");
  REQUIRE(q);
  for (const bool snapshot : {false, true}) {
    INFO("through a snapshot: " << snapshot);
    std::vector<std::string> keys;
    eqlite::StreamOptions o;
    o.allowed_lateness_ns = 60'000'000'000;  // one minute
    auto cb = [&](const eqlite::StreamResult& r) {
      keys.push_back(std::string(r.join_keys[0].as_string()));
    };
    eqlite::Stream s(*q, cb, o);
    auto from = [&](eqlite::Stream& st, const char* dataset, std::string_view json) {
      st.set_constant("event.dataset", eqlite::Value::string(dataset));
      REQUIRE(st.push(json));
    };
    from(s, "a.x", R"({"@timestamp":1000,"x":1})");
    from(s, "b.y", R"({"@timestamp":2000,"y":1})");
    from(s, "a.x", R"({"@timestamp":3000,"x":2})");
    from(s, "b.y", R"({"@timestamp":4000,"y":2})");
    if (snapshot) {
      const std::string bytes = s.snapshot();
      eqlite::Stream t(*q, cb, o);
      t.set_constant("event.dataset", eqlite::Value::string("b.y"));
      REQUIRE(t.restore(bytes));
      t.finish();
    } else {
      s.finish();
    }
    CHECK(keys == std::vector<std::string>{"a.x"});
  }
}

TEST_CASE(
    "stream: the Streams of one rule set share its remapped sequences, and each keeps its "
    "own state (Q2)",
    "[stream]") {
  eqlite::RuleSet set;
  REQUIRE(set.add("event", R"(process where process.name == "cmd.exe")"));
  REQUIRE(set.add("seq", "sequence by host.id [process where true] [network where true]"));
  const auto ix = set.index();
  const auto& shared = eqlite::internal::remapped_sequences(set, *ix);
  REQUIRE(shared.size() == 2);
  CHECK(shared[0] == nullptr);  // an event rule has none
  REQUIRE(shared[1] != nullptr);
  const long alone = shared[1].use_count();
  std::vector<std::string> a, b;
  eqlite::Stream one(set,
                     [&](const eqlite::StreamResult& r) { a.push_back(std::to_string(r.rule)); });
  eqlite::Stream two(set,
                     [&](const eqlite::StreamResult& r) { b.push_back(std::to_string(r.rule)); });
  CHECK(shared[1].use_count() > alone);  // the Streams hold the set's program, not copies
  CHECK(&eqlite::internal::remapped_sequences(set, *ix) == &shared);  // made once
  // separate state: a sequence started in one Stream is not completed by the other's event
  REQUIRE(one.push(R"({"@timestamp":1,"host":{"id":"h"},"event":{"category":"process"},)"
                   R"("process":{"name":"cmd.exe"}})"));
  REQUIRE(two.push(R"({"@timestamp":2,"host":{"id":"h"},"event":{"category":"network"}})"));
  REQUIRE(one.push(R"({"@timestamp":3,"host":{"id":"h"},"event":{"category":"network"}})"));
  CHECK(a == std::vector<std::string>{"0", "1"});
  CHECK(b.empty());
}
