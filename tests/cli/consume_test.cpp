// tests/cli/consume_test.cpp — `eqlite consume` (docs/cli.md, docs/deploy.md), tag [consume]:
// against librdkafka's mock cluster, served by tests/support/kafka_mock.cpp in a process of its
// own (eqlite_kafka_mock): events are produced keyed by host.id, `eqlite consume` processes
// read them as a consumer group and stop with --idle-exit, and what they write is compared with
// `eqlite match` over the same events. [consume_real_broker] runs against the broker named by
// EQLITE_KAFKA_BROKERS, and is skipped without it.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/cli_support.hpp"
#include "support/xorshift.hpp"

namespace {

using namespace cli_test;
using Catch::Matchers::EndsWith;

const std::string kMock = EQLITE_KAFKA_MOCK;

// `eqlite_kafka_mock cluster ...` for the length of a test: its bootstrap servers, and its end
// (stdin closed) when the test ends.
class MockCluster {
 public:
  explicit MockCluster(const std::vector<std::string>& topics) {
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::close(in[0]);
      ::close(in[1]);
      ::close(out[0]);
      ::close(out[1]);
      std::vector<std::string> args = {kMock, "cluster"};
      for (const auto& t : topics) {
        args.push_back("--topic");
        args.push_back(t);
      }
      std::vector<char*> argv;
      for (auto& a : args)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(kMock.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    // The first stdout line is the bootstrap address.
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{out[0], POLLIN, 0};
      if (::poll(&p, 1, 200) <= 0) continue;
      char buf[256];
      const ssize_t n = ::read(out[0], buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
    }
    stdout_ = out[0];
    REQUIRE(line.find('\n') != std::string::npos);
    bootstrap_ = line.substr(0, line.find('\n'));
  }
  // The next `count` requests of Kafka API `api` (0 Produce, 8 OffsetCommit) fail with `error`.
  void inject(int api, int count, int error) {
    command("errors " + std::to_string(api) + " " + std::to_string(count) + " " +
            std::to_string(error));
  }
  // Broker `id` (1..N) down (connections closed and refused) or up again.
  void set_broker(int id, bool up) { command((up ? "up " : "down ") + std::to_string(id)); }
  void command(const std::string& text) {
    const std::string line = text + "\n";
    REQUIRE(::write(stdin_, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
    std::string answer;
    while (answer.find('\n') == std::string::npos) {
      pollfd p{stdout_, POLLIN, 0};
      REQUIRE(::poll(&p, 1, 10000) > 0);
      char buf[64];
      const ssize_t n = ::read(stdout_, buf, sizeof buf);
      REQUIRE(n > 0);
      answer.append(buf, static_cast<std::size_t>(n));
    }
    REQUIRE(answer == "ok\n");
  }
  ~MockCluster() {
    ::close(stdin_);  // the cluster's end
    ::close(stdout_);
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1, stdout_ = -1;
  std::string bootstrap_;
};

// Events of `hosts` hosts over time: processes (some cmd.exe), network and file events, with
// host.id to key them; one second apart, in time order.
std::string events(std::size_t n, std::size_t hosts, std::uint64_t seed) {
  eqlite::testing::XorShift rng{seed};
  static const char* const kCategories[] = {"process", "network", "file"};
  static const char* const kNames[] = {"cmd.exe", "bash", "powershell.exe"};
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out += R"({"@timestamp":)" + std::to_string(1700000000000 + 1000 * i) +
           R"(,"host":{"id":"host-)" + std::to_string(rng(hosts)) + R"("},"event":{"category":")" +
           kCategories[rng(3)] + R"("},"process":{"name":")" + kNames[rng(3)] + R"("},"n":)" +
           std::to_string(i) + "}\n";
  }
  return out;
}

const std::string kEventRule = R"(process where process.name == "cmd.exe")";
// A sequence keyed by host.id, the field the topic is keyed by: every event of a key is in one
// partition, in order, so one Stream per partition sees what one Stream over the file sees.
const std::string kSequenceRule =
    R"(sequence by host.id with maxspan=30s [process where process.name == "cmd.exe"] )"
    R"([network where true])";

// rules/: the event rule and the sequence, as `--rules rules` takes them.
void write_rules(Cli& cli) {
  std::filesystem::create_directory(cli.dir() + "/rules");
  cli.file("rules/cmd.eql", kEventRule);
  cli.file("rules/cmd_then_network.eql", kSequenceRule);
}

std::vector<std::string> sorted_lines(const std::string& text) {
  auto lines = lines_of(text);
  std::sort(lines.begin(), lines.end());
  return lines;
}

// One record written by consume: `{"id":ID,"result":LINE}` on stdout with --with-id (where
// empty), or a line of `eqlite_kafka_mock dump --keys` (TOPIC/PARTITION/OFFSET, KEY, VALUE).
struct Record {
  std::string where, key, value;
};

std::vector<Record> with_ids(const std::string& out) {
  std::vector<Record> records;
  for (const auto& line : lines_of(out)) {
    const std::size_t at = line.find(",\"result\":");
    REQUIRE(at != std::string::npos);
    REQUIRE_THAT(line, StartsWith("{\"id\":\""));
    records.push_back({"", line.substr(7, at - 8), line.substr(at + 10, line.size() - at - 11)});
  }
  return records;
}

std::vector<Record> dumped(const std::string& out) {
  std::vector<Record> records;
  for (const auto& line : lines_of(out)) {
    const auto tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
    REQUIRE(tab2 != std::string::npos);
    records.push_back(
        {line.substr(0, tab1), line.substr(tab1 + 1, tab2 - tab1 - 1), line.substr(tab2 + 1)});
  }
  return records;
}

// The distinct results (values) of `records`, sorted, and how many came more than once. A
// result found again (a replay) must come with the same id (key).
struct Union {
  std::vector<std::string> results;
  std::size_t repeats = 0;
};

Union union_of(const std::vector<Record>& records) {
  std::map<std::string, std::set<std::string>> ids_of;  // result -> its ids
  Union u;
  for (const auto& r : records) {
    auto& ids = ids_of[r.value];
    u.repeats += !ids.empty();
    ids.insert(r.key);
  }
  for (const auto& [result, ids] : ids_of) {
    INFO("result " << result);
    CHECK(ids.size() == 1);  // a repeat has the same id
    u.results.push_back(result);
  }
  return u;
}

// A shell command run with a time limit, so that a hang fails the test instead of blocking it.
std::string limited(const std::string& command, int seconds = 120) {
  return "timeout -s KILL " + std::to_string(seconds) + " " + command;
}

std::string produce(const MockCluster& c, const std::string& topic, const std::string& file) {
  return limited(q(kMock) + " produce --bootstrap " + q(c.bootstrap()) + " --topic " + topic +
                 " --key-field host.id " + q(file));
}

std::string consume(const MockCluster& c, const std::string& group, const std::string& rest,
                    int idle_exit = 3) {
  // A short session timeout: the mock cluster keeps a member that left until it times out
  // (docs/deploy.md), which would hold up the next group's join.
  return limited("\"$EQLITE\" consume --brokers " + q(c.bootstrap()) + " --group " + group +
                 " -X session.timeout.ms=6000 --idle-exit " + std::to_string(idle_exit) + " " +
                 rest);
}

}  // namespace

TEST_CASE(
    "consume: one consumer writes what match writes, for event rules and a sequence by the "
    "topic's key (Q2, Q6)",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"events:4"});
  const std::string data = events(400, 12, 0x5eed0101);
  const std::string file = cli.file("events.ndjson", data);
  REQUIRE(cli.sh(produce(cluster, "events", file)).status == 0);
  write_rules(cli);

  SECTION("several rules: {\"rule\":...} lines, then nothing left for the same group") {
    const auto want = cli.run("match --rules rules events.ndjson");
    REQUIRE(want.status == 0);
    const auto got = cli.sh(consume(cluster, "g1", "--rules rules --topic events --stats"));
    SHOW(got);
    REQUIRE(got.status == 0);
    CHECK(sorted_lines(got.out) == sorted_lines(want.out));
    CHECK(count_of(want.out, "\"join_keys\"") > 3);  // the sequence rule found some
    CHECK(count_of(want.out, "\"event\"") > 3);
    CHECK_THAT(got.err, Contains("eqlite consume: assigned events/0 events/1 events/2 events/3"));
    CHECK_THAT(got.err,
               Contains("eqlite: 400 messages read: " + std::to_string(lines_of(want.out).size()) +
                        " results, 0 skipped"));
    // Every offset was committed at the end: the group has nothing left to read.
    const auto again = cli.sh(consume(cluster, "g1", "--rules rules --topic events"));
    SHOW(again);
    CHECK(again.status == 1);
    CHECK(again.out.empty());
  }
  SECTION("one sequence rule: {\"join_keys\":...,\"events\":[...]} lines") {
    const auto want = cli.run("match " + q(kSequenceRule) + " events.ndjson");
    REQUIRE(want.status == 0);
    const auto got = cli.sh(consume(cluster, "g2", q(kSequenceRule) + " --topic events"));
    SHOW(got);
    REQUIRE(got.status == 0);
    CHECK(sorted_lines(got.out) == sorted_lines(want.out));
  }
  SECTION("--with-id: each line wraps match's line with its stable id") {
    const auto want = cli.run("match " + q(kEventRule) + " events.ndjson");
    const auto got = cli.sh(consume(cluster, "g3", q(kEventRule) + " --topic events --with-id"));
    SHOW(got);
    REQUIRE(got.status == 0);
    std::vector<std::string> unwrapped;
    for (const auto& r : with_ids(got.out)) {
      CHECK_THAT(r.key, StartsWith("events/"));
      CHECK_THAT(r.key, EndsWith("/-/query"));  // an event rule; QUERY's id
      unwrapped.push_back(r.value);
    }
    std::sort(unwrapped.begin(), unwrapped.end());
    CHECK(unwrapped == sorted_lines(want.out));
  }
}

TEST_CASE(
    "consume: two consumers in one group share the partitions; the union of their results "
    "is match's",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"events:4"});
  const std::string file = cli.file("events.ndjson", events(400, 12, 0x5eed0202));
  write_rules(cli);
  // Both join first; the events are produced once both have partitions. A partition that
  // changes hands all the same (a slow machine: a member idle past --idle-exit before the
  // events come leaves, and its partitions go to the other) is read again from its last
  // commit: a repeat, with its id (as in the SIGKILL test below).
  const std::string member = "--with-id --rules rules --topic events";
  const std::string both =
      consume(cluster, "shared", member, 10) + " >a.out 2>a.err & " +
      consume(cluster, "shared", member, 10) + " >b.out 2>b.err & " +
      "for i in $(seq 600); do grep -q assigned a.err 2>/dev/null && grep -q assigned b.err "
      "2>/dev/null && break; sleep 0.1; done; " +
      produce(cluster, "events", file) + "; wait";
  const auto run = cli.sh(both);
  const std::string a = read_all(cli.dir() + "/a.out"), b = read_all(cli.dir() + "/b.out");
  const std::string a_err = read_all(cli.dir() + "/a.err"), b_err = read_all(cli.dir() + "/b.err");
  INFO("a.err:\n" << a_err << "\nb.err:\n" << b_err);
  REQUIRE(run.status == 0);
  const auto want = cli.run("match --rules rules events.ndjson");
  CHECK(!a.empty());  // the work was shared
  CHECK(!b.empty());
  const Union got = union_of(with_ids(a + b));
  CHECK(got.results == sorted_lines(want.out));  // nothing lost
  std::cout << "[consume] two consumers: " << got.repeats << " results repeated\n";
}

TEST_CASE(
    "consume: stopped (SIGTERM) with sequences pending, then restarted in its group, it "
    "loses no result; a repeat has the same id",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"events:2"});
  const std::string data = events(400, 6, 0x5eed0606);
  cli.file("all.ndjson", data);
  const auto want = cli.run("match " + q(kSequenceRule) + " all.ndjson");
  REQUIRE(want.status == 0);
  // The stop comes between the events of a sequence: before its last event ("n" is the
  // event's line number).
  const auto results = lines_of(want.out);
  REQUIRE(results.size() > 10);
  const std::string& spanning = results[results.size() / 2];
  const std::size_t split = std::stoul(spanning.substr(spanning.rfind("\"n\":") + 4));
  REQUIRE(std::stoul(spanning.substr(spanning.find("\"n\":") + 4)) < split);
  const auto all = lines_of(data);
  std::string first, second;
  for (std::size_t i = 0; i < all.size(); ++i)
    (i < split ? first : second) += all[i] + "\n";
  cli.file("first.ndjson", first);
  cli.file("second.ndjson", second);
  // Without --idle-exit: it runs until SIGTERM, then commits what it may and stops.
  const std::string stopped =
      limited("\"$EQLITE\" consume --brokers " + q(cluster.bootstrap()) +
              " --group g -X session.timeout.ms=6000 --with-id " + q(kSequenceRule) +
              " --topic events") +
      " >a.out 2>a.err & pid=$!; " + produce(cluster, "events", cli.dir() + "/first.ndjson") +
      "; for i in $(seq 600); do grep -q assigned a.err && break; sleep 0.1; done; sleep 3; " +
      "kill -TERM $pid; wait $pid";
  const auto a = cli.sh(stopped);
  const std::string a_out = read_all(cli.dir() + "/a.out"), a_err = read_all(cli.dir() + "/a.err");
  INFO("first consumer:\n" << a_out << a_err);
  REQUIRE(a.status == 0);
  REQUIRE(cli.sh(produce(cluster, "events", cli.dir() + "/second.ndjson")).status == 0);
  const auto b = cli.sh(consume(cluster, "g", "--with-id " + q(kSequenceRule) + " --topic events"));
  SHOW(b);
  REQUIRE(b.status == 0);
  const Union got = union_of(with_ids(a_out + b.out));
  CHECK(got.results == sorted_lines(want.out));  // nothing lost, the spanning sequence included
  std::cout << "[consume] stopped and restarted: " << got.repeats << " results repeated\n";
}

// Splits `data` before the last event of a sequence that match finds over it (the middle one
// of `results`): a consumer stopped between the halves holds that sequence pending.
std::pair<std::string, std::string> split_inside_a_sequence(const std::string& data,
                                                            const std::string& results) {
  const auto found = lines_of(results);
  REQUIRE(found.size() > 10);
  const std::string& spanning = found[found.size() / 2];
  const std::size_t split = std::stoul(spanning.substr(spanning.rfind("\"n\":") + 4));
  REQUIRE(std::stoul(spanning.substr(spanning.find("\"n\":") + 4)) < split);
  const auto all = lines_of(data);
  std::string first, second;
  for (std::size_t i = 0; i < all.size(); ++i)
    (i < split ? first : second) += all[i] + "\n";
  return {first, second};
}

TEST_CASE(
    "consume --state-topic: killed (SIGKILL) with sequences pending, the next owner takes the "
    "saved state up and reads on after it: nothing lost, nothing read twice (Q2)",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"events:2", "state:2"});
  const std::string data = events(400, 6, 0x5eed0707);
  cli.file("all.ndjson", data);
  cli.file("seq.eql", kSequenceRule);
  const auto want = cli.run("match --rule-file seq.eql all.ndjson");
  REQUIRE(want.status == 0);
  const auto [first, second] = split_inside_a_sequence(data, want.out);
  INFO("the first " << lines_of(first).size() << " events, then " << lines_of(second).size());
  cli.file("first.ndjson", first);
  cli.file("second.ndjson", second);
  const std::string stateful = " --state-topic state --commit-interval 200ms --with-id";
  // The first consumer takes the first half, saves its state with its commits, and is killed.
  // (A runs without `timeout`, whose child a SIGKILL would not reach; the script kills it.)
  const auto a = cli.sh(
      "\"$EQLITE\" consume --brokers " + q(cluster.bootstrap()) +
      " --group g -X session.timeout.ms=6000 --rule-file seq.eql --topic events" + stateful +
      " >a.out 2>a.err & pid=$!; " + produce(cluster, "events", cli.dir() + "/first.ndjson") +
      "; for i in $(seq 600); do grep -q assigned a.err && break; sleep 0.1; done; sleep 3; " +
      "kill -KILL $pid; wait $pid; true");
  // The next owner is a consumer of another group: the mock cluster hands a killed member's
  // partitions over only to a member that was in the group before (docs/deploy.md), and where
  // a partition with a saved state is read from is the state's business, not the group's
  // committed offset.
  const std::string a_out = read_all(cli.dir() + "/a.out"), a_err = read_all(cli.dir() + "/a.err");
  INFO("first consumer:\n" << a_out << a_err);
  REQUIRE(a.status == 0);
  REQUIRE(cli.sh(produce(cluster, "events", cli.dir() + "/second.ndjson")).status == 0);

  SECTION("the same rules: the state is taken up where it ends") {
    const auto b = cli.sh(consume(cluster, "g2", "--rule-file seq.eql --topic events" + stateful));
    SHOW(b);
    REQUIRE(b.status == 0);
    CHECK(count_of(b.err, ": state taken up (") == 2);  // both partitions had a state
    const Union u = union_of(with_ids(a_out + b.out));
    const auto& got = u.results;
    const auto expected = sorted_lines(want.out);
    std::vector<std::string> missing, extra;
    std::set_difference(expected.begin(), expected.end(), got.begin(), got.end(),
                        std::back_inserter(missing));
    std::set_difference(got.begin(), got.end(), expected.begin(), expected.end(),
                        std::back_inserter(extra));
    CHECK(missing == std::vector<std::string>{});  // the spanning sequence included
    CHECK(extra == std::vector<std::string>{});
    // Read on after the state, not again from the sequence's first event: no repeats (with
    // the oldest-held commit alone, the sequence's events would be read again).
    CHECK(u.repeats == 0);
  }
  SECTION(
      "other rules: the state does not fit them, the partition is read again from the "
      "oldest event the state held, and the pending sequence is still found") {
    cli.file("cmd.eql", kEventRule);
    const auto want_both = cli.run("match --rule-file seq.eql --rule-file cmd.eql all.ndjson");
    REQUIRE(want_both.status == 0);
    const auto b = cli.sh(consume(
        cluster, "g2", "--rule-file seq.eql --rule-file cmd.eql --topic events" + stateful));
    SHOW(b);
    REQUIRE(b.status == 0);
    CHECK(count_of(b.err, ": the saved state does not fit these rules (") == 2);
    CHECK_THAT(b.err, Contains("reading again from offset "));
    std::set<std::string> got;
    for (const auto& r : with_ids(b.out))
      got.insert(r.value);
    // every sequence of the second half (the spanning one too) is found
    std::size_t sequences = 0;
    for (const auto& line : lines_of(want_both.out)) {
      if (line.find("\"join_keys\"") == std::string::npos) continue;
      const std::size_t last = std::stoul(line.substr(line.rfind("\"n\":") + 4));
      if (last < lines_of(first).size()) continue;
      ++sequences;
      CHECK(got.count(line) == 1);
    }
    CHECK(sequences > 3);
  }
}

TEST_CASE(
    "consume: three consumers in one group, one killed with SIGKILL mid-stream: the union "
    "of their results is match's, every repeat with its id",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"events:4"});
  const std::string data = events(600, 12, 0x5eed0707);
  const auto all = lines_of(data);
  std::string first, second;
  for (std::size_t i = 0; i < all.size(); ++i)
    (i < all.size() / 2 ? first : second) += all[i] + "\n";
  cli.file("all.ndjson", data);
  cli.file("first.ndjson", first);
  cli.file("second.ndjson", second);
  write_rules(cli);
  const auto want = cli.run("match --rules rules all.ndjson");
  REQUIRE(want.status == 0);
  // A and B share the partitions and read the first half; A is killed (no last commit; its
  // offsets are those of its last periodic commit); the second half is produced and C joins.
  // A's partitions go to B once A's session has timed out (6 s), then are shared with C: each
  // reads on from the last commit, at the oldest event a pending sequence held.
  const std::string member = "--with-id --rules rules --topic events --commit-interval 300ms";
  // (A runs without `timeout`, whose child a SIGKILL would not reach; the script kills it.)
  const std::string script =
      "\"$EQLITE\" consume --brokers " + q(cluster.bootstrap()) +
      " --group g -X session.timeout.ms=6000 " + member + " >a.out 2>a.err & a=$!; " +
      consume(cluster, "g", member, 12) + " >b.out 2>b.err & " +
      "for i in $(seq 600); do grep -q assigned a.err && grep -q assigned b.err && break; "
      "sleep 0.1; done; " +
      produce(cluster, "events", cli.dir() + "/first.ndjson") + "; sleep 2; kill -KILL $a; " +
      produce(cluster, "events", cli.dir() + "/second.ndjson") + "; " +
      consume(cluster, "g", member, 12) + " >c.out 2>c.err; wait";
  const auto run = cli.sh(script);
  std::string outs, errs;
  for (const char* name : {"a", "b", "c"}) {
    outs += read_all(cli.dir() + "/" + name + ".out");
    errs += std::string(name) + ":\n" + read_all(cli.dir() + "/" + name + ".err");
  }
  INFO(errs);
  REQUIRE(run.status == 0);
  CHECK_THAT(errs, Contains("c:\neqlite: 2 EQL rules loaded\neqlite consume: assigned events/"));
  const Union got = union_of(with_ids(outs));
  CHECK(got.results == sorted_lines(want.out));  // nothing lost
  std::cout << "[consume] one of three killed: " << got.repeats << " results repeated\n";
}

TEST_CASE(
    "consume: injected broker errors: produce and commit errors are retried, and an alert "
    "that cannot be delivered stops consume before the commit; the next run writes it",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"events:2", "alerts:1"});
  const std::string file = cli.file("events.ndjson", events(300, 6, 0x5eed0808));
  REQUIRE(cli.sh(produce(cluster, "events", file)).status == 0);
  write_rules(cli);
  const auto want = cli.run("match --alerts --rules rules events.ndjson");
  REQUIRE(want.status == 0);
  const std::string args =
      "--alerts --rules rules --topic events --alerts-topic alerts --commit-interval 200ms";
  auto alerts = [&] {
    const auto dump = cli.sh(limited(q(kMock) + " dump --keys --bootstrap " +
                                     q(cluster.bootstrap()) + " --topic alerts"));
    REQUIRE(dump.status == 0);
    return dumped(dump.out);
  };
  SECTION("retriable errors: every alert written once, every offset committed") {
    cluster.inject(0, 4, 19);  // Produce: NOT_ENOUGH_REPLICAS, four times
    // OffsetCommit: REBALANCE_IN_PROGRESS, twice. (COORDINATOR_NOT_AVAILABLE makes librdkafka
    // 2.0.2 look for the coordinator again, and against the mock cluster its next request then
    // fails with a local transport failure; twice, and the session times out: docs/deploy.md.)
    cluster.inject(8, 2, 27);
    const auto got = cli.sh(consume(cluster, "g", args));
    SHOW(got);
    REQUIRE(got.status == 0);
    CHECK(count_of(got.err, "eqlite consume: commit failed: Broker: Group rebalance in progress") ==
          2);
    const Union written = union_of(alerts());
    CHECK(written.results == sorted_lines(want.out));
    CHECK(written.repeats == 0);  // each once: the producer is idempotent
    const auto again = cli.sh(consume(cluster, "g", args));
    SHOW(again);
    CHECK(again.status == 1);  // nothing left: the commits went through in the end
  }
  SECTION("an alert refused for good: exit 2, no commit; the next run writes every alert") {
    cluster.inject(0, 1, 29);  // Produce: TOPIC_AUTHORIZATION_FAILED
    const auto failed = cli.sh(consume(cluster, "g", args));
    SHOW(failed);
    CHECK(failed.status == 2);
    CHECK_THAT(failed.err, Contains("an alert was not delivered to alerts"));
    const auto again = cli.sh(consume(cluster, "g", args));
    SHOW(again);
    REQUIRE(again.status == 0);
    std::map<std::string, std::set<std::string>> by_id;
    for (const auto& r : alerts())
      by_id[r.key].insert(r.value);
    for (const auto& [id, v] : by_id)
      CHECK(v.size() == 1);                                       // a repeat is the same alert
    CHECK(union_of(alerts()).results == sorted_lines(want.out));  // nothing lost
  }
}

TEST_CASE(
    "consume: a rule pack as match takes it: a TOML rule, --index (scoping, data stream "
    "constants, E4), --exceptions, alerts",
    "[consume]") {
#ifndef EQLITE_HAVE_TOML
  return;  // built without toml++: TOML rules do not load (docs/rule-packs.md)
#endif
  Cli cli;
  MockCluster cluster({"signin:2"});
  const std::string data = read_all(kSourceDir + "/examples/data/signinlogs.ndjson") +
                           read_all(kSourceDir + "/examples/data/t1078_004_exceptions.ndjson");
  const std::string file = cli.file("signin.ndjson", data);
  REQUIRE(cli.sh(produce(cluster, "signin", file)).status == 0);
  const std::string rules = "--rules " + q(kSourceDir + "/examples/rules") + " --exceptions " +
                            q(kSourceDir + "/examples/exceptions/t1078_004.ndjson");
  const auto want =
      cli.run("match " + rules + " --index logs-azure.signinlogs-default signin.ndjson");
  REQUIRE(want.status == 0);
  REQUIRE(lines_of(want.out).size() > 10);
  CHECK_THAT(want.err, Contains("eqlite: 3 hits excepted by exception lists"));
  const auto got = cli.sh(
      consume(cluster, "g1", rules + " --index logs-azure.signinlogs-default --topic signin"));
  SHOW(got);
  REQUIRE(got.status == 0);
  CHECK(sorted_lines(got.out) == sorted_lines(want.out));
  CHECK_THAT(got.err, Contains("eqlite: 3 hits excepted by exception lists"));
  // Without --index the events lack event.dataset (a constant of the data stream): no alert,
  // as with match.
  const auto unnamed = cli.sh(consume(cluster, "g2", rules + " --topic signin"));
  SHOW(unnamed);
  CHECK(unnamed.status == 1);
  CHECK(unnamed.out.empty());
}

TEST_CASE(
    "consume: a bad message is reported with its topic, partition and offset and skipped; "
    "the rest is processed (E2)",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"one:1"});
  std::string data = events(50, 3, 0x5eed0303);
  // Offsets in a one-partition topic are line numbers from 0: lines 10 and 31 are bad.
  auto lines = lines_of(data);
  lines.insert(lines.begin() + 10, R"({"host":{"id":"host-1"}, "broken": )");
  lines.insert(lines.begin() + 31, R"([1,2,3])");
  data.clear();
  for (const auto& l : lines)
    data += l + "\n";
  const std::string file = cli.file("events.ndjson", data);
  REQUIRE(cli.sh(produce(cluster, "one", file)).status == 0);
  const auto want = cli.run("match " + q(kEventRule) + " events.ndjson");
  const auto got = cli.sh(consume(cluster, "g", q(kEventRule) + " --topic one --stats"));
  SHOW(got);
  REQUIRE(got.status == 0);
  CHECK(got.out == want.out);  // one partition: match's order too
  CHECK_THAT(got.err, Contains("one/0/10: invalid JSON"));
  CHECK_THAT(got.err, Contains("one/0/31: not a JSON object (found an array)"));
  CHECK_THAT(got.err, Contains("eqlite: skipped 2 malformed messages of 52"));
  CHECK_THAT(got.err, Contains("eqlite: 52 messages read: " +
                               std::to_string(lines_of(want.out).size()) + " results, 2 skipped"));
}

TEST_CASE(
    "consume: the broker down for a while mid-stream: the consumer and its producer retry, "
    "and when it is back every alert is written (a repeat with its id)",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"events:2", "alerts:1"});
  const std::string data = events(400, 6, 0x5eed0909);
  cli.file("all.ndjson", data);
  const auto all = lines_of(data);
  std::string first, second;
  for (std::size_t i = 0; i < all.size(); ++i)
    (i < all.size() / 2 ? first : second) += all[i] + "\n";
  cli.file("first.ndjson", first);
  cli.file("second.ndjson", second);
  write_rules(cli);
  const auto want = cli.run("match --alerts --rules rules all.ndjson");
  REQUIRE(want.status == 0);
  // The consumer reads the first half, then the broker goes down for 4 s, comes back, and the
  // second half is produced; --idle-exit 20 outlasts the outage and, when the session timed out
  // in it, the rejoin (on a loaded machine the mock cluster took over 12 s to assign again).
  const std::string args =
      "--alerts --rules rules --topic events --alerts-topic alerts "
      "--commit-interval 200ms";
  cli.sh("(" + consume(cluster, "g", args, 20) + " >c.out 2>c.err; echo $? >c.rc) & " +
         produce(cluster, "events", cli.dir() + "/first.ndjson") +
         "; for i in $(seq 600); do grep -q assigned c.err && break; sleep 0.1; done; sleep 2");
  cluster.set_broker(1, false);
  std::this_thread::sleep_for(std::chrono::seconds(4));
  cluster.set_broker(1, true);
  REQUIRE(cli.sh(produce(cluster, "events", cli.dir() + "/second.ndjson")).status == 0);
  cli.sh("for i in $(seq 600); do [ -s c.rc ] && break; sleep 0.2; done");
  const std::string err = read_all(cli.dir() + "/c.err");
  INFO(err);
  CHECK(read_all(cli.dir() + "/c.rc") == "0\n");
  CHECK(read_all(cli.dir() + "/c.out").empty());
  const auto dump = cli.sh(
      limited(q(kMock) + " dump --keys --bootstrap " + q(cluster.bootstrap()) + " --topic alerts"));
  REQUIRE(dump.status == 0);
  // Every alert is there. The outage can outlast the group session (6 s here, with the time
  // the mock takes to notice): the partitions are then given again and read from the last
  // commit, so an alert may come twice, with its id.
  const Union got = union_of(dumped(dump.out));
  CHECK(got.results == sorted_lines(want.out));
  CHECK(got.results.size() > 10);
  std::cout << "[consume] broker down for 4 s: " << got.repeats << " alerts repeated\n";
}

TEST_CASE(
    "consume: --alerts-topic writes match's lines as messages keyed by stable ids, which a "
    "replay repeats",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"events:3", "alerts:2"});
  const std::string file = cli.file("events.ndjson", events(300, 9, 0x5eed0404));
  REQUIRE(cli.sh(produce(cluster, "events", file)).status == 0);
  write_rules(cli);
  const auto want = cli.run("match --alerts --rules rules events.ndjson");
  REQUIRE(want.status == 0);
  const std::string args = "--alerts --rules rules --topic events --alerts-topic alerts";
  // Two groups read the same events: the second is a replay of the first.
  for (const char* group : {"first", "replay"}) {
    const auto got = cli.sh(consume(cluster, group, args));
    SHOW(got);
    REQUIRE(got.status == 0);
    CHECK(got.out.empty());  // the alerts went to the topic
  }
  const auto alerts = cli.sh(
      limited(q(kMock) + " dump --keys --bootstrap " + q(cluster.bootstrap()) + " --topic alerts"));
  const auto input = cli.sh(
      limited(q(kMock) + " dump --keys --bootstrap " + q(cluster.bootstrap()) + " --topic events"));
  REQUIRE(alerts.status == 0);
  REQUIRE(input.status == 0);
  std::map<std::string, std::string> event_at;  // events/P/O -> the event
  for (const auto& r : dumped(input.out))
    event_at[r.where] = r.value;
  std::map<std::string, std::vector<std::string>> by_id;
  for (const auto& r : dumped(alerts.out))
    by_id[r.key].push_back(r.value);
  std::vector<std::string> values;
  for (const auto& [id, v] : by_id) {
    INFO("id " << id);
    // Once per group, the same alert both times.
    REQUIRE(v.size() == 2);
    CHECK(v[0] == v[1]);
    values.push_back(v[0]);
    // TOPIC/PARTITION/OFFSETS/KEYS/RULE: the offsets name the alert's events.
    REQUIRE_THAT(id, StartsWith("events/"));
    const auto p1 = id.find('/', 7), p2 = id.find('/', p1 + 1), p3 = id.find('/', p2 + 1);
    const std::string partition = id.substr(7, p1 - 7), keys = id.substr(p2 + 1, p3 - p2 - 1);
    const std::string rule = id.substr(p3 + 1);
    std::vector<std::string> offsets;
    for (std::size_t at = p1 + 1; at <= p2;) {
      const auto comma = std::min(id.find(',', at), p2);
      offsets.push_back(id.substr(at, comma - at));
      at = comma + 1;
    }
    CHECK(((rule == "cmd" && keys == "-" && offsets.size() == 1) ||
           (rule == "cmd_then_network" && keys.size() == 16 && offsets.size() == 2)));
    for (const auto& o : offsets) {
      const std::string& event = event_at["events/" + partition + "/" + o];
      REQUIRE(!event.empty());
      CHECK_THAT(v[0], Contains(event));
    }
  }
  std::sort(values.begin(), values.end());
  CHECK(values == sorted_lines(want.out));
}

TEST_CASE(
    "consume --repartition-by: an unkeyed topic re-keyed by host.id, each key in one "
    "partition; a group over the re-keyed topic finds the sequences match finds (Q2)",
    "[consume]") {
  Cli cli;
  MockCluster cluster({"raw:3", "keyed:4"});
  const std::string data = events(400, 12, 0x5eed0808);
  cli.file("events.ndjson", data);
  // three more: not JSON, a host.id of two values, none
  cli.file("raw.ndjson", data + "not json\n" +
                             R"({"@timestamp":1,"host":{"id":["host-1","host-2"]},"n":-1})"
                             "\n"
                             R"({"@timestamp":2,"n":-2})"
                             "\n");
  // no key: the producer spreads the events over the partitions at random
  REQUIRE(cli.sh(limited(q(kMock) + " produce --bootstrap " + q(cluster.bootstrap()) +
                         " --topic raw " + q(cli.dir() + "/raw.ndjson")))
              .status == 0);
  const auto r = cli.sh(
      consume(cluster, "rekey", "--topic raw --repartition-by host.id --to keyed --stats", 2));
  SHOW(r);
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Contains(": invalid JSON"));
  CHECK_THAT(r.err, Contains(": [host.id] has several values: the event is routed by the first"));
  CHECK_THAT(r.err, Contains("eqlite: 403 messages read: 402 written to keyed (1 without "
                             "[host.id], 1 with several values), 1 skipped"));
  const auto dump = cli.sh(
      limited(q(kMock) + " dump --keys --bootstrap " + q(cluster.bootstrap()) + " --topic keyed"));
  REQUIRE(dump.status == 0);
  std::map<std::string, std::set<std::string>> partitions_of;  // key -> partitions
  std::vector<std::string> values;
  for (const auto& r : dumped(dump.out)) {
    partitions_of[r.key].insert(r.where.substr(0, r.where.rfind('/')));
    values.push_back(r.value);
  }
  CHECK(values.size() == 402);
  CHECK(partitions_of.size() == 12 + 1);  // the twelve hosts, and the empty key
  for (const auto& [key, partitions] : partitions_of) {
    INFO("key " << key);
    CHECK(partitions.size() == 1);
  }
  std::sort(values.begin(), values.end());
  auto input = lines_of(data);
  input.push_back(R"({"@timestamp":1,"host":{"id":["host-1","host-2"]},"n":-1})");
  input.push_back(R"({"@timestamp":2,"n":-2})");
  std::sort(input.begin(), input.end());
  CHECK(values == input);  // every event, unchanged

  // The re-keyed topic is in the order the repartitioner read the raw partitions: a key's
  // events can be out of time order by as much as the raw partitions were apart (here, the
  // whole backlog of one was read before the next). --allowed-lateness covers it (T3).
  const auto want = cli.run("match " + q(kSequenceRule) + " events.ndjson");
  REQUIRE(want.status == 0);
  const auto d =
      cli.sh(consume(cluster, "detect", q(kSequenceRule) + " --topic keyed --allowed-lateness 1h"));
  SHOW(d);
  REQUIRE(d.status == 0);
  CHECK(sorted_lines(d.out) == sorted_lines(want.out));
  CHECK(lines_of(want.out).size() > 10);
}

TEST_CASE("consume: options, rules as match takes them, secrets never printed", "[consume]") {
  Cli cli;
  SECTION("a rule that does not compile: match's message, exit 2, before any connection") {
    const auto want = cli.run("match 'process where' /dev/null");
    const auto got = cli.run("consume --brokers 127.0.0.1:1 --group g --topic t 'process where'");
    CHECK(got.status == 2);
    CHECK(got.err == want.err);
  }
  SECTION("missing and foreign options") {
    auto got = cli.run("consume --group g --topic t 'any where true'");
    CHECK(got.status == 2);
    CHECK_THAT(got.err, Contains("--brokers is needed"));
    got = cli.run("consume --brokers b --group g --topic t --count 'any where true'");
    CHECK(got.status == 2);
    CHECK_THAT(got.err, Contains("does not apply to a stream without end"));
    got = cli.run("consume --brokers b --group g --index logs-x 'any where true'");
    CHECK(got.status == 2);
  }
  SECTION("--repartition-by: with --to, and without rules") {
    auto got = cli.run("consume --brokers b --group g --topic t --repartition-by host.id");
    CHECK(got.status == 2);
    CHECK_THAT(got.err, Contains("--repartition-by FIELD and --to TOPIC go together"));
    got = cli.run(
        "consume --brokers b --group g --topic t --repartition-by host.id --to k 'any where "
        "true'");
    CHECK(got.status == 2);
    CHECK_THAT(got.err, Contains("--repartition-by runs no rules"));
    got = cli.run("consume --brokers b --group g --topic t --repartition-by host.id --to t");
    CHECK(got.status == 2);
    CHECK_THAT(got.err, Contains("--to t is also an input topic"));
  }
  SECTION("-X: a secret's value is masked in every message") {
    auto got = cli.run(
        "consume --brokers b --group g --topic t -X sasl.password.typo=hunter2 'any where true'");
    CHECK(got.status == 2);
    CHECK_THAT(got.err, Contains("-X sasl.password.typo=***"));
    CHECK(got.err.find("hunter2") == std::string::npos);
    got = cli.run(
        "consume --brokers b --group g --topic t -X ssl.key.password=hunter2 -X "
        "enable.partition.eof=hunter2 'any where true'");
    CHECK(got.status == 2);
    CHECK_THAT(got.err, Contains("-X enable.partition.eof=hunter2: "));
    CHECK(count_of(got.err, "hunter2") <= 2);  // that setting is no secret; the password is
    CHECK(got.err.find("ssl.key.password") == std::string::npos);
  }
}

TEST_CASE("consume: against a real broker (EQLITE_KAFKA_BROKERS)", "[consume_real_broker]") {
  const char* brokers = std::getenv("EQLITE_KAFKA_BROKERS");
  if (!brokers || !*brokers) {
    std::printf(
        "skipped: EQLITE_KAFKA_BROKERS is not set (host:port of a broker that creates "
        "topics on first use)\n");
    return;
  }
  Cli cli;
  const std::string topic =
      "eqlite-test-" + std::to_string(::getpid()) + "-" +
      std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  const std::string file = cli.file("events.ndjson", events(300, 9, 0x5eed0505));
  const auto produced = cli.sh(limited(q(kMock) + " produce --bootstrap " + q(brokers) +
                                       " --topic " + topic + " --key-field host.id events.ndjson"));
  SHOW(produced);
  REQUIRE(produced.status == 0);
  const auto want = cli.run("match " + q(kSequenceRule) + " events.ndjson");
  const auto got =
      cli.sh(limited("\"$EQLITE\" consume --brokers " + q(brokers) + " --group " + topic +
                         " --topic " + topic + " --idle-exit 10 " + q(kSequenceRule),
                     240));
  SHOW(got);
  REQUIRE(got.status == 0);
  CHECK(sorted_lines(got.out) == sorted_lines(want.out));
}
