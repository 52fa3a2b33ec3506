// tests/cli/sequence_cli_test.cpp — `eqlite match` with sequences and samples (docs/cli.md,
// "Sequences and samples"): the output lines, several rules of every kind, counts and stats,
// time order (merged inputs, allowed lateness, --sort), events without a timestamp.
#include <string>

#include "cli/cli_support.hpp"

using namespace cli_test;

namespace {

// Events named by "n"; @timestamp in epoch milliseconds.
std::string ev(int n, long long ts, const std::string& category, const std::string& host) {
  return "{\"@timestamp\":" + std::to_string(ts) + ",\"event\":{\"category\":\"" + category +
         "\"},\"host\":{\"id\":\"" + host + "\"},\"n\":" + std::to_string(n) + "}";
}

const std::string kSeq = "sequence by host.id [process where true] [file where true]";

}  // namespace

TEST_CASE("sequences: one line {join_keys, events} per result, events byte for byte", "[cli]") {
  Cli cli;
  const std::string e1 = ev(1, 1000, "process", "h1"), e2 = ev(2, 2000, "process", "h2"),
                    e3 = ev(3, 3000, "file", "h1"), e4 = ev(4, 4000, "file", "h2");
  cli.file("a.ndjson", e1 + "\n" + e2 + "\n" + e3 + "\n" + e4 + "\n");
  RunResult r = cli.run("match " + q(kSeq) + " a.ndjson");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out == "{\"join_keys\":[\"h1\"],\"events\":[" + e1 + "," + e3 + "]}\n" +
                     "{\"join_keys\":[\"h2\"],\"events\":[" + e2 + "," + e4 + "]}\n");
  // Q5: a missing event is {"missing":true}
  r = cli.run("match " +
              q("sequence by host.id with maxspan=1s [process where true] ![file where true]") +
              " a.ndjson");
  CHECK(r.out == "{\"join_keys\":[\"h1\"],\"events\":[" + e1 + ",{\"missing\":true}]}\n" +
                     "{\"join_keys\":[\"h2\"],\"events\":[" + e2 + ",{\"missing\":true}]}\n");
  // --count counts results; nothing matched: exit 1
  CHECK(cli.run("match --count " + q(kSeq) + " a.ndjson").out == "2\n");
  r = cli.run("match " + q("sequence [file where true] [process where true]") + " a.ndjson");
  CHECK(r.status == 1);
  CHECK(r.out.empty());
  // join keys are JSON values: numbers, booleans, null for an optional key without a value
  cli.file("k.ndjson",
           "{\"@timestamp\":1,\"event\":{\"category\":\"process\"},\"k\":7}\n"
           "{\"@timestamp\":2,\"event\":{\"category\":\"file\"},\"k\":7.0}\n");
  r = cli.run("match " + q("sequence by k, ?u [process where true] [file where true]") +
              " k.ndjson");
  CHECK(r.out.rfind("{\"join_keys\":[7,null],\"events\":[", 0) == 0);
}

TEST_CASE("sequences: several rules of every kind in one pass, each line names its rule", "[cli]") {
  Cli cli;
  const std::string e1 = ev(1, 1000, "process", "h1"), e2 = ev(2, 2000, "file", "h1");
  cli.file("a.ndjson", e1 + "\n" + e2 + "\n");
  std::filesystem::create_directory(cli.dir() + "/rules");
  cli.file("rules/a_single.eql", "file where true");
  cli.file("rules/b_seq.eql", kSeq);
  cli.file("rules/c_sample.eql", "sample by host.id [file where true] [process where true]");
  RunResult r = cli.run("match --rules rules a.ndjson");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out == "{\"rule\":\"a_single\",\"event\":" + e2 + "}\n" +
                     "{\"rule\":\"b_seq\",\"join_keys\":[\"h1\"],\"events\":[" + e1 + "," + e2 +
                     "]}\n" + "{\"rule\":\"c_sample\",\"join_keys\":[\"h1\"],\"events\":[" + e2 +
                     "," + e1 + "]}\n");
  r = cli.run("match --count --rules rules a.ndjson");
  CHECK(r.out ==
        "{\"rule\":\"a_single\",\"count\":1}\n{\"rule\":\"b_seq\",\"count\":1}\n"
        "{\"rule\":\"c_sample\",\"count\":1}\n");
  // --threads does not change the output (sequences run on one thread)
  CHECK(cli.run("match --threads 3 --rules rules a.ndjson").out ==
        cli.run("match --threads 1 --rules rules a.ndjson").out);
}

TEST_CASE(
    "sequences: bad lines, events without a timestamp and late events are reported, "
    "counted, and the counts add up",
    "[cli]") {
  Cli cli;
  cli.file("a.ndjson", ev(1, 1000, "process", "h1") + "\nnot json\n" +
                           "{\"event\":{\"category\":\"file\"},\"host\":{\"id\":\"h1\"}}\n" +
                           "{\"event\":{\"category\":\"file\"},\"host\":{\"id\":\"h1\"}}\n" +
                           ev(2, 900000, "process", "h1") + "\n" + ev(3, 1000, "file", "h1") +
                           "\n" + ev(4, 900001, "file", "h1") + "\n");
  RunResult r = cli.run("match --stats " + q(kSeq) + " a.ndjson");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(lines_of(r.out).size() == 1);  // 2 then 4; 3 is late by 15 minutes
  CHECK_THAT(r.err, Contains("a.ndjson:2: "));
  // no timestamp: once per input, with the first line
  CHECK_THAT(r.err, Contains("a.ndjson:3: no readable timestamp in [@timestamp]"));
  CHECK(r.err.find("a.ndjson:4:") == std::string::npos);
  CHECK_THAT(r.err, Contains("a.ndjson:6: the event is older than events already consumed"));
  CHECK_THAT(r.err, Contains("eqlite: 7 lines read: 1 results, 1 skipped"));
  CHECK_THAT(r.err, Contains("eqlite: 2 events without a readable timestamp, 1 late"));
  CHECK_THAT(r.err, Contains("eqlite: sequences: 2 started = 1 completed + 0 expired + 0 evicted + "
                             "0 until + 1 replaced + 0 missing + 0 pending + 0 waiting"));
}

TEST_CASE("sequences: inputs merged by time; allowed lateness and --sort put events in order",
          "[cli]") {
  Cli cli;
  // Two inputs, each in order: the file event of one comes between the other's process events.
  cli.file("x.ndjson", ev(1, 1000, "process", "h1") + "\n" + ev(3, 3000, "process", "h1") + "\n");
  cli.file("y.ndjson", ev(2, 2000, "file", "h1") + "\n" + ev(4, 4000, "file", "h1") + "\n");
  RunResult r = cli.run("match --count " + q(kSeq) + " x.ndjson y.ndjson");
  SHOW(r);
  CHECK(r.out == "2\n");  // (1,2) and (3,4): merged by time, nothing late
  CHECK(r.err.empty());
  // Out of order by 30 s: within the default allowed lateness (1m), put in order...
  cli.file("z.ndjson", ev(1, 1000, "process", "h1") + "\n" + ev(3, 40000, "process", "h1") + "\n" +
                           ev(2, 10000, "file", "h1") + "\n");
  r = cli.run("match --count " + q(kSeq) + " z.ndjson");
  CHECK(r.out == "1\n");
  CHECK(r.err.empty());
  // ...with no allowed lateness, the file event is late
  r = cli.run("match --count --allowed-lateness 0 " + q(kSeq) + " z.ndjson");
  CHECK(r.out == "0\n");
  CHECK_THAT(r.err, Contains("z.ndjson:3: the event is older"));
  // --sort reads everything first
  r = cli.run("match --count --allowed-lateness 0 --sort " + q(kSeq) + " z.ndjson");
  CHECK(r.out == "1\n");
  CHECK(r.err.empty());
  // a bad duration is a usage error
  CHECK(cli.run("match --allowed-lateness 5 " + q(kSeq) + " z.ndjson").status == 2);
}

TEST_CASE("sequences: --timestamp-field, head/tail, --max-samples-per-key", "[cli]") {
  Cli cli;
  cli.file("t.ndjson",
           "{\"ts\":\"2024-05-01T10:00:00Z\",\"event\":{\"category\":\"process\"},\"n\":1}\n"
           "{\"ts\":\"2024-05-01T10:00:01Z\",\"event\":{\"category\":\"file\"},\"n\":2}\n"
           "{\"ts\":\"2024-05-01T10:00:02Z\",\"event\":{\"category\":\"process\"},\"n\":3}\n"
           "{\"ts\":\"2024-05-01T10:00:03Z\",\"event\":{\"category\":\"file\"},\"n\":4}\n");
  const std::string seq = "sequence [process where true] [file where true]";
  CHECK(cli.run("match --count " + q(seq) + " t.ndjson").out == "0\n");  // no @timestamp
  CHECK(cli.run("match --count --timestamp-field ts " + q(seq) + " t.ndjson").out == "2\n");
  RunResult r = cli.run("match --timestamp-field ts " + q(seq + " | tail 1") + " t.ndjson");
  CHECK_THAT(r.out, Contains("\"n\":3"));
  CHECK(lines_of(r.out).size() == 1);
  const std::string sample = "sample by event.category [any where true] [any where true]";
  CHECK(cli.run("match --count " + q(sample) + " t.ndjson").out == "2\n");
  CHECK(cli.run("match --count --max-samples-per-key 2 " + q(sample) + " t.ndjson").out == "4\n");
}

TEST_CASE("sequences: --tiebreaker-field orders events of equal time (T3)", "[cli]") {
  Cli cli;
  // Same instant; the tiebreaker says the process (1) came before the file (2).
  cli.file("tb.ndjson",
           "{\"@timestamp\":1000,\"seq\":2,\"event\":{\"category\":\"file\"},\"n\":1}\n"
           "{\"@timestamp\":1000,\"seq\":1,\"event\":{\"category\":\"process\"},\"n\":2}\n");
  const std::string seq = q("sequence [process where true] [file where true]");
  // without a tiebreaker, input order decides: the file came first
  CHECK(cli.run("match --count " + seq + " tb.ndjson").out == "0\n");
  // with it, allowed lateness (the default) and --sort put the process first
  CHECK(cli.run("match --count --tiebreaker-field seq " + seq + " tb.ndjson").out == "1\n");
  CHECK(cli.run("match --count --allowed-lateness 0 --sort --tiebreaker-field seq " + seq +
                " tb.ndjson")
            .out == "1\n");
  // with no lateness allowed, the second event is late
  RunResult r =
      cli.run("match --count --allowed-lateness 0 --tiebreaker-field seq " + seq + " tb.ndjson");
  CHECK(r.out == "0\n");
  CHECK_THAT(r.err, Contains("tb.ndjson:2: the event is older"));
  // two inputs merged by (time, tiebreaker)
  cli.file("x.ndjson", "{\"@timestamp\":1000,\"seq\":2,\"event\":{\"category\":\"file\"}}\n");
  cli.file("y.ndjson", "{\"@timestamp\":1000,\"seq\":1,\"event\":{\"category\":\"process\"}}\n");
  CHECK(cli.run("match --count --allowed-lateness 0 --tiebreaker-field seq " + seq +
                " x.ndjson y.ndjson")
            .out == "1\n");
}

TEST_CASE("samples: --samples-when-complete gives each as soon as it exists (Q7)", "[cli]") {
  Cli cli;
  const std::string input =
      "{\"event\":{\"category\":\"file\"},\"k\":\"b\",\"n\":1}\n"
      "{\"event\":{\"category\":\"process\"},\"k\":\"a\",\"n\":2}\n"
      "{\"event\":{\"category\":\"file\"},\"k\":\"a\",\"n\":3}\n"
      "{\"event\":{\"category\":\"process\"},\"k\":\"b\",\"n\":4}\n";
  const std::string sample = q("sample by k [process where true] [file where true]");
  // at the end, by key: a, then b
  RunResult r = cli.run("match " + sample, input);
  SHOW(r);
  REQUIRE(lines_of(r.out).size() == 2);
  CHECK_THAT(lines_of(r.out)[0], StartsWith("{\"join_keys\":[\"a\"]"));
  // as they complete: a (with event 3), then b (with event 4) — the same here, so make b
  // complete first
  const std::string input2 =
      "{\"event\":{\"category\":\"file\"},\"k\":\"b\",\"n\":1}\n"
      "{\"event\":{\"category\":\"process\"},\"k\":\"b\",\"n\":2}\n"
      "{\"event\":{\"category\":\"process\"},\"k\":\"a\",\"n\":3}\n"
      "{\"event\":{\"category\":\"file\"},\"k\":\"a\",\"n\":4}\n";
  r = cli.run("match --samples-when-complete " + sample, input2);
  REQUIRE(lines_of(r.out).size() == 2);
  CHECK_THAT(lines_of(r.out)[0], StartsWith("{\"join_keys\":[\"b\"]"));
  r = cli.run("match " + sample, input2);
  REQUIRE(lines_of(r.out).size() == 2);
  CHECK_THAT(lines_of(r.out)[0], StartsWith("{\"join_keys\":[\"a\"]"));
}
