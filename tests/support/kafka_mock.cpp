// tests/support/kafka_mock.cpp — eqlite_kafka_mock: a Kafka cluster without a network for the
// `eqlite consume` tests (librdkafka's mock cluster, rdkafka_mock.h), and a producer and a
// reader of topics to go with it.
//
//   eqlite_kafka_mock cluster [--brokers N] --topic NAME:PARTITIONS...
//       starts a mock cluster of N brokers (default 1) with these topics, prints its bootstrap
//       servers on one stdout line, and serves until stdin closes, SIGINT or SIGTERM. Other
//       processes reach it at that address (it listens on 127.0.0.1). A stdin line
//       `errors API_KEY COUNT ERROR_CODE` makes the next COUNT requests of that Kafka API
//       (0 Produce, 8 OffsetCommit, ...) fail with that error code
//       (rd_kafka_mock_push_request_errors); `down ID` and `up ID` take broker ID (1..N) down
//       (its connections closed, new ones refused) and up again. Each answers `ok` on stdout.
//   eqlite_kafka_mock produce --bootstrap B --topic T [--key-field FIELD] FILE
//       each non-empty line of FILE is one message, keyed by the value of FIELD in it (a JSON
//       string as its text, a number as written; no key when it has none): librdkafka's
//       partitioner puts every event of one key in one partition, in order.
//   eqlite_kafka_mock dump --bootstrap B --topic T [--keys]
//       every message of T, partition by partition in offset order, one per line (with --keys
//       `TOPIC/PARTITION/OFFSET<TAB>KEY<TAB>VALUE`); ends at each partition's end.
//
// Exit status: 0, or 2 with a message on stderr.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <eqlite/eqlite.hpp>

#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

int fail(const std::string& message) {
  std::fprintf(stderr, "eqlite_kafka_mock: %s\n", message.c_str());
  return 2;
}

rd_kafka_t* client(rd_kafka_type_t type,
                   const std::vector<std::pair<std::string, std::string>>& conf) {
  char err[512];
  rd_kafka_conf_t* c = rd_kafka_conf_new();
  for (const auto& [k, v] : conf)
    if (rd_kafka_conf_set(c, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "eqlite_kafka_mock: %s: %s\n", k.c_str(), err);
      rd_kafka_conf_destroy(c);
      return nullptr;
    }
  rd_kafka_t* rk = rd_kafka_new(type, c, err, sizeof err);
  if (!rk) std::fprintf(stderr, "eqlite_kafka_mock: %s\n", err);
  return rk;
}

int cluster(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--brokers" && i + 1 < argc) {
      brokers = std::atoi(argv[++i]);
    } else if (a == "--topic" && i + 1 < argc) {
      const std::string t = argv[++i];
      const auto colon = t.rfind(':');
      if (colon == std::string::npos) return fail("--topic takes NAME:PARTITIONS");
      topics.emplace_back(t.substr(0, colon), std::atoi(t.c_str() + colon + 1));
    } else {
      return fail("unknown argument " + a);
    }
  }
  // The mock cluster lives in a client instance of its own.
  rd_kafka_t* rk = client(RD_KAFKA_PRODUCER, {{"log_level", "3"}});
  if (!rk) return 2;
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) return fail("cannot start a mock cluster");
  for (const auto& [name, partitions] : topics)
    if (rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, name.c_str(), partitions, 1))
      return fail("cannot create topic " + name + ": " + rd_kafka_err2str(e));
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  std::fflush(stdout);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  std::string pending;  // stdin, up to its next line end
  while (!g_stop) {     // until stdin closes (the test's end) or a signal
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (::poll(&p, 1, 200) <= 0) continue;
    char buf[256];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n <= 0) break;
    pending.append(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = pending.find('\n')) != std::string::npos;) {
      const std::string line = pending.substr(0, nl);
      pending.erase(0, nl + 1);
      int api = 0, count = 0, code = 0, broker = 0;
      if (std::sscanf(line.c_str(), "down %d", &broker) == 1) {
        rd_kafka_mock_broker_set_down(mc, broker);
        std::printf("ok\n");
      } else if (std::sscanf(line.c_str(), "up %d", &broker) == 1) {
        rd_kafka_mock_broker_set_up(mc, broker);
        std::printf("ok\n");
      } else if (std::sscanf(line.c_str(), "errors %d %d %d", &api, &count, &code) == 3 &&
                 count > 0) {
        const std::vector<rd_kafka_resp_err_t> errors(static_cast<std::size_t>(count),
                                                      static_cast<rd_kafka_resp_err_t>(code));
        rd_kafka_mock_push_request_errors_array(mc, static_cast<std::int16_t>(api), errors.size(),
                                                errors.data());
        std::printf("ok\n");
      } else {
        std::printf("? %s\n", line.c_str());
      }
      std::fflush(stdout);
    }
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

int produce(int argc, char** argv) {
  std::string bootstrap, topic, key_field, file;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--bootstrap" || a == "--topic" || a == "--key-field") && i + 1 < argc)
      (a == "--bootstrap" ? bootstrap : a == "--topic" ? topic : key_field) = argv[++i];
    else if (file.empty() && a[0] != '-')
      file = a;
    else
      return fail("unknown argument " + a);
  }
  if (bootstrap.empty() || topic.empty() || file.empty())
    return fail("produce --bootstrap B --topic T [--key-field F] FILE");
  std::ifstream in(file, std::ios::binary);
  if (!in) return fail("cannot read " + file);
  rd_kafka_t* p = client(RD_KAFKA_PRODUCER, {{"bootstrap.servers", bootstrap},
                                             {"acks", "all"},
                                             {"enable.idempotence", "true"},
                                             {"allow.auto.create.topics", "true"}});
  if (!p) return 2;
  std::optional<eqlite::JsonReader> reader;
  if (!key_field.empty()) reader.emplace(std::vector<std::string>{key_field});
  eqlite::Event event;
  std::string line;
  int failed = 0;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    std::string key;
    bool keyed = false;
    if (reader && reader->read(line, event)) {
      const auto values = event.values(0);
      if (!values.empty()) {
        keyed = true;
        const eqlite::Value& v = values[0];
        if (v.kind() == eqlite::ValueKind::String)
          key.assign(v.as_string());
        else if (v.kind() == eqlite::ValueKind::Int)
          key = std::to_string(v.as_int());
        else if (v.is_number())
          key = std::to_string(v.to_double());
        else
          keyed = false;
      }
    }
    for (;;) {
      const rd_kafka_resp_err_t e =
          rd_kafka_producev(p, RD_KAFKA_V_TOPIC(topic.c_str()),
                            RD_KAFKA_V_KEY(keyed ? key.data() : nullptr, keyed ? key.size() : 0),
                            RD_KAFKA_V_VALUE(line.data(), line.size()),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(p, 100);
        continue;
      }
      if (e) ++failed;
      break;
    }
  }
  const rd_kafka_resp_err_t e = rd_kafka_flush(p, 30000);
  rd_kafka_destroy(p);
  if (e || failed) return fail("not every message was delivered");
  return 0;
}

int dump(int argc, char** argv) {
  std::string bootstrap, topic;
  bool keys = false;
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--bootstrap" || a == "--topic") && i + 1 < argc)
      (a == "--bootstrap" ? bootstrap : topic) = argv[++i];
    else if (a == "--keys")
      keys = true;
    else
      return fail("unknown argument " + a);
  }
  if (bootstrap.empty() || topic.empty()) return fail("dump --bootstrap B --topic T [--keys]");
  rd_kafka_t* c = client(RD_KAFKA_CONSUMER, {{"bootstrap.servers", bootstrap},
                                             {"group.id", "eqlite_kafka_mock_dump"},
                                             {"enable.auto.commit", "false"}});
  if (!c) return 2;
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(c, topic.c_str(), nullptr);
  if (rd_kafka_resp_err_t e = rd_kafka_metadata(c, 0, rkt, &md, 10000))
    return fail("no metadata for " + topic + ": " + rd_kafka_err2str(e));
  const int partitions = md->topic_cnt == 1 ? md->topics[0].partition_cnt : 0;
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(rkt);
  for (int part = 0; part < partitions; ++part) {
    std::int64_t low = 0, high = 0;
    if (rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(c, topic.c_str(), part, &low, &high, 10000))
      return fail(std::string("watermarks: ") + rd_kafka_err2str(e));
    if (high <= low) continue;
    rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic.c_str(), part)->offset = low;
    rd_kafka_assign(c, l);
    rd_kafka_topic_partition_list_destroy(l);
    std::int64_t next = low;
    int waited = 0;
    while (next < high && waited < 300) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(c, 100);
      if (!m) {
        ++waited;
        continue;
      }
      if (!m->err && m->partition == part) {
        if (keys)
          std::cout << topic << '/' << part << '/' << m->offset << '\t'
                    << std::string(static_cast<const char*>(m->key), m->key ? m->key_len : 0)
                    << '\t';
        std::cout << std::string(static_cast<const char*>(m->payload), m->payload ? m->len : 0)
                  << '\n';
        next = m->offset + 1;
      }
      rd_kafka_message_destroy(m);
    }
    if (next < high) return fail("partition " + std::to_string(part) + " not read to its end");
  }
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  std::cout.flush();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string cmd = argc > 1 ? argv[1] : "";
  if (cmd == "cluster") return cluster(argc - 2, argv + 2);
  if (cmd == "produce") return produce(argc - 2, argv + 2);
  if (cmd == "dump") return dump(argc - 2, argv + 2);
  return fail("usage: eqlite_kafka_mock (cluster|produce|dump) ...");
}
