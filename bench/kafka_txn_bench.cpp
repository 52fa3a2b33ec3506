// bench/kafka_txn_bench.cpp — what Kafka transactions would cost `eqlite consume` (issue #22,
// part 2; the figures and the decision are in docs/kafka-transactions.md).
//
//   eqlite_kafka_txn_bench [--messages N] [--rounds R] [--batch K]... [--brokers B]
//                          [--partitions P] [--bytes S] [-X KEY=VALUE]...
//
// Against librdkafka's mock cluster, in this process (rdkafka_mock.h), it writes N alert-sized
// messages (S bytes, default 1,024; keyed by a stable id as consume keys them) to an alerts
// topic of P partitions, and commits a consumer group's offsets of an input topic every K
// messages, in two ways:
//
//   (a) idempotent  what `eqlite consume --alerts-topic` does at each commit: an idempotent
//                   producer (acks=all, enable.idempotence=true); produce K, rd_kafka_flush()
//                   (every message acknowledged), then a synchronous rd_kafka_commit() of the
//                   offsets by the consumer, a member of its group.
//   (b) txn         a transactional producer (transactional.id): begin_transaction, produce K,
//                   send_offsets_to_transaction (the same offsets, the consumer's group
//                   metadata), commit_transaction: the alerts and the offsets committed as one.
//
// Each batch flushes the producer before its commit step (for (b) commit_transaction would
// flush it itself), so that the commit step is the offsets' protocol alone: the mock cluster's
// flushes took from 0.3 to 45 ms at random, in either way. Each (K, way) is timed from the
// first message to the last commit, N messages in all, the producer created, its id obtained
// (init_transactions for (b)) and one batch written before the clock starts. Rounds alternate
// (a) and (b); each prints its best (fastest) round: messages/s, the ratio (b)/(a) of the
// rates, and the mean milliseconds per batch of the flush and of the commit step (commit for
// (a); send_offsets_to_transaction + commit_transaction for (b)). Then a check whether the
// mock cluster keeps an aborted transaction from a read_committed consumer. Defaults:
// N 30,000, R 3, K 100 1000 10000, B 3, P 4; -X sets a librdkafka setting of the alerts'
// producers (none by default: eqlite consume's producer has librdkafka's defaults but for
// acks and idempotence).
//
// Exit status: 0, or 2 with a message on stderr (a Kafka call failed: what failed is said).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "eqlite_kafka_txn_bench: %s\n", what.c_str());
  std::exit(2);
}

// A librdkafka error object: its message (and whether it is fatal/retriable/abortable), then
// destroyed; dies when there is one.
void check(rd_kafka_error_t* e, const char* call) {
  if (!e) return;
  std::string m = std::string(call) + ": " + rd_kafka_error_name(e) + ": " +
                  rd_kafka_error_string(e) + (rd_kafka_error_is_fatal(e) ? " (fatal)" : "") +
                  (rd_kafka_error_is_retriable(e) ? " (retriable)" : "") +
                  (rd_kafka_error_txn_requires_abort(e) ? " (abortable)" : "");
  rd_kafka_error_destroy(e);
  die(m);
}

struct Options {
  long messages = 30'000;
  int rounds = 3;
  std::vector<long> batches;
  int brokers = 3;
  int partitions = 4;
  std::size_t bytes = 1024;
  std::vector<std::pair<std::string, std::string>> settings;  // -X, for the producers
};

const char* kAlerts = "alerts";
const char* kEvents = "events";
const char* kGroup = "eqlite-detections";

int g_delivery_errors = 0;
void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  if (m->err && ++g_delivery_errors == 1)
    std::fprintf(stderr, "eqlite_kafka_txn_bench: delivery failed: %s\n", rd_kafka_err2str(m->err));
}

rd_kafka_t* make_client(rd_kafka_type_t type,
                        const std::vector<std::pair<std::string, std::string>>& conf) {
  char err[512];
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  for (const auto& [k, v] : conf)
    if (rd_kafka_conf_set(c, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      die(k + ": " + err);
  if (type == RD_KAFKA_PRODUCER) rd_kafka_conf_set_dr_msg_cb(c, &on_delivery);
  rd_kafka_t* rk = rd_kafka_new(type, c, err, sizeof err);
  if (!rk) die(err);
  return rk;
}

// The mock cluster, the input topic's group member whose offsets are committed, and the
// payload of every alert.
class Bench {
 public:
  explicit Bench(const Options& o) : o_(o) {
    // The mock brokers' sockets get TCP_NODELAY from this instance's setting, as a Kafka
    // broker's have it: with Nagle's algorithm on, a small response waits for the ACK of the
    // previous one (delayed by up to 40 ms), and flushes took 0.3 to 45 ms at random.
    holder_ =
        make_client(RD_KAFKA_PRODUCER, {{"log_level", "3"}, {"socket.nagle.disable", "true"}});
    mc_ = rd_kafka_mock_cluster_new(holder_, o.brokers);
    if (!mc_) die("cannot start a mock cluster");
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(mc_);
    for (const char* t : {kAlerts, kEvents})
      if (rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc_, t, o.partitions, 1))
        die(std::string("cannot create topic ") + t + ": " + rd_kafka_err2str(e));
    fill_input();
    join_group();
    payload_.assign(o.bytes, 'x');
    const std::string head = R"({"kibana":{"alert":{"rule":{"name":"bench"}}},"events":[)";
    payload_.replace(0, std::min(head.size(), payload_.size()), head, 0, payload_.size());
  }
  ~Bench() {
    rd_kafka_consumer_close(consumer_);
    rd_kafka_destroy(consumer_);
    rd_kafka_mock_cluster_destroy(mc_);
    rd_kafka_destroy(holder_);
  }
  Bench(const Bench&) = delete;
  Bench& operator=(const Bench&) = delete;

  struct Result {
    double seconds = 0;         // N messages, first produce to last commit
    double flush_seconds = 0;   // the flushes of those N messages
    double commit_seconds = 0;  // commit (a), or send_offsets + commit_transaction (b)
    long commits = 0;
  };

  // One run of way (a) (txn false) or (b) (txn true) with batches of k.
  Result run(bool txn, long k) {
    std::vector<std::pair<std::string, std::string>> conf = {{"bootstrap.servers", bootstrap_},
                                                             {"acks", "all"},
                                                             {"enable.idempotence", "true"},
                                                             {"log_level", "3"}};
    conf.insert(conf.end(), o_.settings.begin(), o_.settings.end());
    if (txn) conf.emplace_back("transactional.id", "eqlite-" + std::to_string(++txn_ids_));
    rd_kafka_t* p = make_client(RD_KAFKA_PRODUCER, conf);
    rd_kafka_consumer_group_metadata_t* group = rd_kafka_consumer_group_metadata(consumer_);
    if (txn) check(rd_kafka_init_transactions(p, 30'000), "init_transactions");
    std::int64_t position = 0;  // the input messages "consumed"
    Result r;
    auto batch = [&](long n) {
      if (txn) check(rd_kafka_begin_transaction(p), "begin_transaction");
      for (long i = 0; i < n; ++i)
        produce(p, position++);
      // Every alert acknowledged first (commit_transaction() would flush them itself), so
      // that the commit step is only the offsets' protocol: the mock cluster's flushes took
      // 0.3 to 45 ms at random, for either way.
      const auto t = Clock::now();
      if (rd_kafka_resp_err_t e = rd_kafka_flush(p, 30'000))
        die(std::string("flush: ") + rd_kafka_err2str(e));
      r.flush_seconds += seconds_since(t);
      const auto c = Clock::now();
      rd_kafka_topic_partition_list_t* offsets = offsets_at(position);
      if (txn) {
        check(rd_kafka_send_offsets_to_transaction(p, offsets, group, 30'000),
              "send_offsets_to_transaction");
        check(rd_kafka_commit_transaction(p, 30'000), "commit_transaction");
      } else if (rd_kafka_resp_err_t e = rd_kafka_commit(consumer_, offsets, 0)) {
        die(std::string("commit: ") + rd_kafka_err2str(e));
      }
      r.commit_seconds += seconds_since(c);
      rd_kafka_topic_partition_list_destroy(offsets);
      if (g_delivery_errors) die("an alert was not delivered");
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, 0))  // the member's events
        rd_kafka_message_destroy(m);
      ++r.commits;
    };
    batch(std::min<long>(k, 100));  // warm: connections, producer id, partitions' leaders
    position = 0;
    r = Result{};
    const auto start = Clock::now();
    for (long done = 0; done < o_.messages; done += k)
      batch(std::min(k, o_.messages - done));
    r.seconds = seconds_since(start);
    rd_kafka_consumer_group_metadata_destroy(group);
    rd_kafka_destroy(p);
    return r;
  }

  // An aborted transaction's messages must not reach a read_committed consumer; prints what
  // a read_committed and a read_uncommitted consumer of a fresh topic see.
  void abort_check() {
    const char* topic = "abort-check";
    if (rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc_, topic, 1, 1))
      die(std::string("cannot create topic abort-check: ") + rd_kafka_err2str(e));
    rd_kafka_t* p = make_client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap_},
                                                    {"transactional.id", "eqlite-abort-check"},
                                                    {"log_level", "3"}});
    check(rd_kafka_init_transactions(p, 30'000), "init_transactions");
    auto write = [&](const char* value, bool commit) {
      check(rd_kafka_begin_transaction(p), "begin_transaction");
      for (int i = 0; i < 10; ++i)
        if (rd_kafka_resp_err_t e = rd_kafka_producev(
                p, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_VALUE(const_cast<char*>(value), 1),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END))
          die(std::string("produce: ") + rd_kafka_err2str(e));
      // Written to the partition first: abort_transaction() purges what is still queued.
      if (rd_kafka_resp_err_t e = rd_kafka_flush(p, 30'000))
        die(std::string("flush: ") + rd_kafka_err2str(e));
      if (commit)
        check(rd_kafka_commit_transaction(p, 30'000), "commit_transaction");
      else
        check(rd_kafka_abort_transaction(p, 30'000), "abort_transaction");
    };
    write("c", true);
    write("a", false);
    write("c", true);
    rd_kafka_destroy(p);
    for (const char* isolation : {"read_committed", "read_uncommitted"}) {
      rd_kafka_t* c = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap_},
                                                      {"group.id", "abort-check"},
                                                      {"enable.auto.commit", "false"},
                                                      {"isolation.level", isolation},
                                                      {"log_level", "3"}});
      rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
      rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
      rd_kafka_assign(c, l);
      rd_kafka_topic_partition_list_destroy(l);
      int committed = 0, aborted = 0;
      const auto start = Clock::now();
      while (seconds_since(start) < 3) {  // no end of partition to wait for: a fixed wait
        rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
        if (!m) continue;
        if (!m->err && m->len == 1)
          ++(*static_cast<const char*>(m->payload) == 'c' ? committed : aborted);
        rd_kafka_message_destroy(m);
      }
      std::printf("abort check, %s consumer: %d of 20 committed messages, %d of 10 aborted\n",
                  isolation, committed, aborted);
      rd_kafka_consumer_close(c);
      rd_kafka_destroy(c);
    }
  }

 private:
  // `n` small messages into the input topic, so that the committed offsets are real ones.
  void fill_input() {
    rd_kafka_t* p = make_client(
        RD_KAFKA_PRODUCER,
        {{"bootstrap.servers", bootstrap_}, {"enable.idempotence", "true"}, {"log_level", "3"}});
    for (long i = 0; i < o_.messages; ++i)
      for (;;) {
        const rd_kafka_resp_err_t e =
            rd_kafka_producev(p, RD_KAFKA_V_TOPIC(kEvents), RD_KAFKA_V_PARTITION(i % o_.partitions),
                              RD_KAFKA_V_VALUE(const_cast<char*>("{}"), 2), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          rd_kafka_poll(p, 100);
          continue;
        }
        if (e) die(std::string("produce: ") + rd_kafka_err2str(e));
        break;
      }
    if (rd_kafka_flush(p, 60'000) || g_delivery_errors) die("cannot fill the input topic");
    rd_kafka_destroy(p);
  }

  // A member of the group with every partition of the input topic (the mock cluster's first
  // join takes about 3 s).
  void join_group() {
    consumer_ = make_client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap_},
                                                {"group.id", kGroup},
                                                {"enable.auto.commit", "false"},
                                                {"enable.auto.offset.store", "false"},
                                                {"log_level", "3"}});
    rd_kafka_poll_set_consumer(consumer_);
    rd_kafka_topic_partition_list_t* t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, kEvents, RD_KAFKA_PARTITION_UA);
    if (rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer_, t))
      die(std::string("subscribe: ") + rd_kafka_err2str(e));
    rd_kafka_topic_partition_list_destroy(t);
    const auto start = Clock::now();
    for (;;) {
      if (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, 100)) {
        rd_kafka_message_destroy(m);
        // Messages are not what is measured: the member stays where it is.
        rd_kafka_topic_partition_list_t* a = nullptr;
        if (!rd_kafka_assignment(consumer_, &a) && a) {
          rd_kafka_pause_partitions(consumer_, a);
          rd_kafka_topic_partition_list_destroy(a);
        }
      }
      rd_kafka_topic_partition_list_t* a = nullptr;
      const bool assigned = !rd_kafka_assignment(consumer_, &a) && a && a->cnt > 0;
      if (assigned) rd_kafka_pause_partitions(consumer_, a);
      if (a) rd_kafka_topic_partition_list_destroy(a);
      if (assigned) break;
      if (seconds_since(start) > 60) die("no assignment within 60 s");
    }
    std::printf(
        "mock cluster: %d brokers, topics %s and %s of %d partitions; group %s joined "
        "in %.1f s\n",
        o_.brokers, kAlerts, kEvents, o_.partitions, kGroup, seconds_since(start));
  }

  // The committed offsets after `position` input messages, spread over the partitions.
  rd_kafka_topic_partition_list_t* offsets_at(std::int64_t position) const {
    rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(o_.partitions);
    for (int part = 0; part < o_.partitions; ++part)
      rd_kafka_topic_partition_list_add(l, kEvents, part)->offset =
          (position + o_.partitions - 1 - part) / o_.partitions;
    return l;
  }

  void produce(rd_kafka_t* p, std::int64_t i) {
    // The stable id consume uses as the key: TOPIC/PARTITION/OFFSETS/KEYS/RULE.
    char key[96];
    const int n = std::snprintf(key, sizeof key, "events/%lld/%lld/-/9a1f0c27-rule",
                                static_cast<long long>(i % o_.partitions),
                                static_cast<long long>(i / o_.partitions));
    for (;;) {
      const rd_kafka_resp_err_t e = rd_kafka_producev(
          p, RD_KAFKA_V_TOPIC(kAlerts), RD_KAFKA_V_KEY(key, static_cast<std::size_t>(n)),
          RD_KAFKA_V_VALUE(payload_.data(), payload_.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(p, 10);
        continue;
      }
      if (e) die(std::string("produce: ") + rd_kafka_err2str(e));
      rd_kafka_poll(p, 0);  // delivery reports, as consume polls its producer
      return;
    }
  }

  Options o_;
  rd_kafka_t* holder_ = nullptr;
  rd_kafka_mock_cluster_t* mc_ = nullptr;
  rd_kafka_t* consumer_ = nullptr;
  std::string bootstrap_, payload_;
  int txn_ids_ = 0;
};

bool number(int argc, char** argv, int& i, long& out) {
  if (i + 1 >= argc) return false;
  char* end = nullptr;
  out = std::strtol(argv[++i], &end, 10);
  return *end == '\0' && out > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    long v = 0;
    if (a == "-h" || a == "--help") {
      std::printf(
          "eqlite_kafka_txn_bench [--messages N] [--rounds R] [--batch K]... [--brokers B]\n"
          "                       [--partitions P] [--bytes S] [-X KEY=VALUE]...\n"
          "(a) idempotent producer + flush + synchronous commit every K messages against\n"
          "(b) a transactional producer: begin, produce K, send_offsets_to_transaction,\n"
          "commit_transaction; on librdkafka's mock cluster in this process.\n");
      return 0;
    }
    if (a == "--messages" && number(argc, argv, i, v))
      o.messages = v;
    else if (a == "--rounds" && number(argc, argv, i, v))
      o.rounds = static_cast<int>(v);
    else if (a == "--batch" && number(argc, argv, i, v))
      o.batches.push_back(v);
    else if (a == "--brokers" && number(argc, argv, i, v))
      o.brokers = static_cast<int>(v);
    else if (a == "--partitions" && number(argc, argv, i, v))
      o.partitions = static_cast<int>(v);
    else if (a == "--bytes" && number(argc, argv, i, v))
      o.bytes = static_cast<std::size_t>(v);
    else if (a == "-X" && i + 1 < argc && std::strchr(argv[i + 1], '=')) {
      const std::string kv = argv[++i];
      o.settings.emplace_back(kv.substr(0, kv.find('=')), kv.substr(kv.find('=') + 1));
    } else
      die("bad argument " + a + " (see --help)");
  }
  if (o.batches.empty()) o.batches = {100, 1000, 10000};
  std::printf("librdkafka %s; %ld messages of %zu bytes per run, best of %d rounds\n",
              rd_kafka_version_str(), o.messages, o.bytes, o.rounds);
  Bench bench(o);
  std::printf("%7s %14s %14s %8s %10s %10s %10s %10s\n", "K", "(a) msg/s", "(b) msg/s", "(b)/(a)",
              "(a) flush", "(b) flush", "(a) commit", "(b) commit");
  for (long k : o.batches) {
    Bench::Result best[2];
    for (int r = 0; r < o.rounds; ++r)
      for (int way = 0; way < 2; ++way) {
        const Bench::Result x = bench.run(way == 1, k);
        if (r == 0 || x.seconds < best[way].seconds) best[way] = x;
      }
    const double a = static_cast<double>(o.messages) / best[0].seconds;
    const double b = static_cast<double>(o.messages) / best[1].seconds;
    auto ms = [&](int way, double Bench::Result::*part) {
      return 1e3 * best[way].*part / static_cast<double>(best[way].commits);
    };
    std::printf("%7ld %14.0f %14.0f %8.3f %10.2f %10.2f %10.2f %10.2f\n", k, a, b, b / a,
                ms(0, &Bench::Result::flush_seconds), ms(1, &Bench::Result::flush_seconds),
                ms(0, &Bench::Result::commit_seconds), ms(1, &Bench::Result::commit_seconds));
    std::fflush(stdout);
  }
  bench.abort_check();
  return 0;
}
