// cli/consume.cpp — `eqlite consume`: the rules of `eqlite match` over Kafka topics, as a member
// of a consumer group (docs/cli.md, docs/deploy.md).
//
// Each message value is one event. Every partition this consumer is assigned gets its own
// eqlite::Stream (a partition is one input in its own order, T3; its sequence state can later be
// saved and handed over with it), created on assignment and dropped on revocation. Results are
// written as `eqlite match` writes them, to standard output or, with --alerts-topic, as
// messages keyed by their stable id (cli/result_id.hpp). Offsets are committed by hand: first
// every result of the events before them is out (stdout flushed; the producer flushed, every
// alert acknowledged by all in-sync replicas), then the offsets, synchronously — every
// --commit-interval, when partitions are revoked and at the end. The offset committed for a
// partition is that of the oldest event its Stream still holds (a pending sequence's, one
// waiting out the allowed lateness), so that whoever reads the partition next from there
// rebuilds that state and loses no result; the results it repeats have the same ids.
#include <librdkafka/rdkafka.h>

#include <signal.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cli/changelog.hpp"
#include "cli/common.hpp"
#include "cli/input_constants.hpp"
#include "cli/kafka_settings.hpp"
#include "cli/output.hpp"
#include "cli/result_id.hpp"
#include "cli/result_lines.hpp"
#include "cli/route_key.hpp"
#include "cli/rule_options.hpp"
#include "cli/stream_run.hpp"

namespace cli {
namespace {

const char* const kConsumeUsage =
    "usage: eqlite consume --brokers LIST --group G [[--index NAME] --topic T...]...\n"
    "                      (QUERY | --rule-file RULE... | --rules DIR) [options]\n"
    "\n"
    "Runs the rules over the messages of Kafka topics as a member of consumer group G: each\n"
    "message value is one event (a JSON object). Results are the lines 'eqlite match' writes,\n"
    "on standard output or as messages of --alerts-topic, keyed by a stable id. Offsets are\n"
    "committed only once every result of the events before them is written (and, with\n"
    "--alerts-topic, acknowledged by the brokers).\n"
    "\n"
    "options:\n"
    "  --brokers LIST       bootstrap servers, host:port[,host:port...]\n"
    "  --topic T            a topic to read (repeatable)\n"
    "  --group G            the consumer group\n"
    "  --index NAME         the topics after it are the data of index or data stream NAME\n"
    "                       (as 'eqlite match --index')\n"
    "  --alerts-topic T     write each result as a message of T (key: its stable id)\n"
    "  --with-id            on standard output, each result as {\"id\":ID,\"result\":LINE}\n"
    "  --repartition-by FIELD --to TOPIC\n"
    "                       run no rules: write each event, unchanged, to TOPIC keyed by the\n"
    "                       value of FIELD, so that a group running sequence rules joined by\n"
    "                       FIELD over TOPIC sees each key's events in one partition\n"
    "                       (docs/deploy.md)\n"
    "  --state-topic T      save each partition's sequence state to T (a compacted topic) with\n"
    "                       each commit and on revocation; the partition's next owner takes it\n"
    "                       up and reads on after it (docs/deploy.md)\n"
    "  -X KEY=VALUE         a librdkafka setting for the consumer and the producer (TLS,\n"
    "                       SASL...); a secret's value is never printed. Repeatable\n"
    "  --idle-exit SECONDS  stop once no message and no rebalance has come for SECONDS (the\n"
    "                       end of the input: samples, tails and a last missing stage are\n"
    "                       completed first)\n"
    "  --commit-interval D  commit offsets this often (default 5s)\n"
    "  --stats              at the end, on stderr: messages read, results, skipped, and the\n"
    "                       sequence counts (as 'eqlite match --stats')\n"
    "\n"
    "The rule options of 'eqlite match' apply: --rule-file, --rules, --set, --exceptions,\n"
    "--exception-lists, --alerts, --no-alerts, --include-deprecated, --category-field,\n"
    "--timestamp-field, --tiebreaker-field, --allowed-lateness, --max-pending,\n"
    "--max-samples-per-key, --samples-when-complete, --max-line-bytes, --max-depth, --threads\n"
    "(rule loading only).\n"
    "\n"
    "A message that is not a JSON object is reported on standard error as\n"
    "TOPIC/PARTITION/OFFSET: reason and skipped. SIGINT and SIGTERM stop after a last commit.\n"
    "Exit status: 0 when something matched, 1 when nothing matched, 2 on an error.\n";

volatile sig_atomic_t g_stop = 0;
void on_signal(int) {
  g_stop = 1;
}

using Clock = std::chrono::steady_clock;

// What the command line asks for, besides the rules.
struct ConsumeOptions {
  std::string brokers, group, alerts_topic;
  std::string state_topic;  // --state-topic: the changelog of the partitions' states
  // --repartition-by FIELD --to TOPIC: each event written to TOPIC keyed by FIELD's value
  // (no rules run).
  std::string repartition_field, repartition_to;
  std::vector<std::string> topics, topic_index;  // per topic: its --index name ("" none)
  bool any_index = false, with_id = false;
  KafkaSettings settings;        // -X
  double idle_exit_seconds = 0;  // 0: run until a signal
  std::int64_t commit_interval_ns = 5'000'000'000;
};

// One assigned partition: its stream and where it is.
struct Partition {
  std::string topic;
  std::int32_t number = 0;
  std::string label;  // TOPIC/PARTITION
  std::string index;  // its topic's --index name
  ResultLines* lines = nullptr;
  std::unique_ptr<eqlite::Stream> stream;
  std::int64_t next_offset = -1;  // after the last message taken; -1: none yet
  std::int64_t committed = -1;    // the last offset committed by this consumer
  int reported = 0;               // 1: a message without a timestamp reported, 2: a late one
  bool finished = false;          // --idle-exit: the input has ended, nothing is held for later
  // --state-topic: the newest state saved (its generation and chunk count, and the offset it
  // resumes at), and the generation whose chunks go once the newer one is committed.
  std::uint64_t generation = 0;
  std::uint32_t chunks = 0;
  std::int64_t saved_next = -1;
  std::uint64_t stale_generation = 0;
  std::uint32_t stale_chunks = 0;
};

// The most bytes of state in one changelog record: under Kafka's default message size limit
// (1 MB) with room for the key and the record's overhead.
constexpr std::size_t kStateChunk = 512 * 1024;

class Consumer {
 public:
  Consumer(const ConsumeOptions& o, const StreamRun& run, const LoadedRules& rules)
      : o_(o), run_(run), rules_(rules) {
    for (const auto& [field, value] : run.constants)
      set_fields_.push_back(field);
  }
  ~Consumer() {
    if (restore_) rd_kafka_destroy(restore_);
    if (consumer_) rd_kafka_destroy(consumer_);
    if (producer_) rd_kafka_destroy(producer_);
  }
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Creates the clients and subscribes; false after a message.
  bool start() {
    if (repartitioning())
      route_reader_ = std::make_unique<eqlite::JsonReader>(
          std::vector<std::string>{o_.repartition_field}, run_.options.reader);
    if (!o_.alerts_topic.empty() || !o_.state_topic.empty() || repartitioning()) {
      rd_kafka_conf_t* pc = rd_kafka_conf_new();
      rd_kafka_conf_set_opaque(pc, this);
      rd_kafka_conf_set_dr_msg_cb(pc, &Consumer::on_delivery);
      producer_ = new_client(RD_KAFKA_PRODUCER, pc,
                             {{"bootstrap.servers", o_.brokers},
                              {"client.id", "eqlite"},
                              // One partition for the empty key too (events without the
                              // field), unlike the default partitioner's random one.
                              {"partitioner", "consistent"}},
                             o_.settings,
                             // An alert is acknowledged only once every in-sync replica has
                             // it, and retries write it once.
                             {{"acks", "all"}, {"enable.idempotence", "true"}}, "producer");
      if (!producer_) return false;
    }
    if (!o_.state_topic.empty() && !start_state_reader()) return false;
    rd_kafka_conf_t* cc = rd_kafka_conf_new();
    rd_kafka_conf_set_opaque(cc, this);
    rd_kafka_conf_set_rebalance_cb(cc, &Consumer::on_rebalance);
    consumer_ = new_client(RD_KAFKA_CONSUMER, cc,
                           {{"bootstrap.servers", o_.brokers},
                            {"group.id", o_.group},
                            {"client.id", "eqlite"},
                            {"auto.offset.reset", "earliest"}},
                           o_.settings,
                           // Offsets are committed by eqlite, after the results (never by a
                           // timer).
                           {{"enable.auto.commit", "false"}, {"enable.auto.offset.store", "false"}},
                           "consumer");
    if (!consumer_) return false;
    rd_kafka_poll_set_consumer(consumer_);
    rd_kafka_topic_partition_list_t* topics =
        rd_kafka_topic_partition_list_new(static_cast<int>(o_.topics.size()));
    for (const auto& t : o_.topics)
      rd_kafka_topic_partition_list_add(topics, t.c_str(), RD_KAFKA_PARTITION_UA);
    const rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer_, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (e) {
      std::fprintf(stderr, "eqlite consume: cannot subscribe: %s\n", rd_kafka_err2str(e));
      return false;
    }
    return true;
  }

  // Reads until a signal, --idle-exit or a fatal error. The exit status.
  int run() {
    auto last_commit = Clock::now();
    while (!g_stop && !failed_) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, 100);
      if (m) {
        take(*m);
        rd_kafka_message_destroy(m);
      } else if (!out_.flush()) {  // nothing came: what is found so far is shown
        failed_ = true;
      }
      if (producer_) rd_kafka_poll(producer_, 0);  // delivery reports
      const auto now = Clock::now();
      if (now - last_commit >= std::chrono::nanoseconds(o_.commit_interval_ns)) {
        commit(nullptr);
        last_commit = now;
      }
      if (o_.idle_exit_seconds > 0 && assigned_once_ &&
          now - last_activity_ >= std::chrono::duration<double>(o_.idle_exit_seconds)) {
        // The end of the input: what waits for it is completed (samples, tails, a last
        // missing stage), as `eqlite match` does at the end of its files. With a state topic,
        // the states are saved as they are before that: a later run takes them up as if the
        // input had not ended (what finish() gives may then be given again, with its id).
        if (!o_.state_topic.empty()) commit(nullptr);
        for (auto& [key, p] : partitions_) {
          if (p->stream) p->stream->finish();
          p->finished = true;
        }
        break;
      }
    }
    if (!failed_) commit(nullptr);
    closing_ = true;
    rd_kafka_consumer_close(consumer_);  // revokes the partitions (on_rebalance)
    if (producer_ && !failed_) flush_producer();
    return failed_ ? kError : 0;
  }

  void print_end(bool stats) const {
    auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    if (skipped_ > 0)
      std::fprintf(stderr, "eqlite: skipped %llu malformed message%s of %llu\n", u(skipped_),
                   skipped_ == 1 ? "" : "s", u(messages_));
    std::uint64_t excepted = 0;
    for (const auto& [index, l] : lines_)
      excepted += l->excepted_total;
    if (excepted > 0)
      std::fprintf(stderr, "eqlite: %llu hit%s excepted by exception lists\n", u(excepted),
                   excepted == 1 ? "" : "s");
    if (!stats) return;
    if (repartitioning()) {
      std::fprintf(stderr,
                   "eqlite: %llu messages read: %llu written to %s (%llu without [%s], %llu with "
                   "several values), %llu skipped\n",
                   u(messages_), u(rekeyed_), o_.repartition_to.c_str(), u(unkeyed_),
                   o_.repartition_field.c_str(), u(several_), u(skipped_));
      return;
    }
    std::fprintf(stderr, "eqlite: %llu messages read: %llu results, %llu skipped\n", u(messages_),
                 u(results_), u(skipped_));
    print_sequence_stats(stats_);
  }
  std::uint64_t results() const { return results_; }
  std::uint64_t rekeyed() const { return rekeyed_; }

 private:
  // ---- rebalances -------------------------------------------------------------------------

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<Consumer*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->assigned(parts);  // may set where reading starts (a restored state's offset)
      if (cooperative)
        rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
      else
        rd_kafka_assign(rk, parts);
    } else {
      // Revoked (or lost): what was taken from them is committed first, when the partitions
      // are still ours to commit.
      self->revoked(parts,
                    err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !rd_kafka_assignment_lost(rk));
      if (cooperative)
        rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
      else
        rd_kafka_assign(rk, nullptr);
    }
  }

  void assigned(rd_kafka_topic_partition_list_t* parts) {
    std::string names;
    std::vector<int> fresh;  // indexes in `parts` of the partitions new to this consumer
    for (int i = 0; i < parts->cnt; ++i) {
      const auto& tp = parts->elems[i];
      auto& slot = partitions_[{tp.topic, tp.partition}];
      if (!slot) {
        slot = make_partition(tp.topic, tp.partition);
        fresh.push_back(i);
      }
      names += ' ' + slot->label;
    }
    std::fprintf(stderr, "eqlite consume: assigned%s\n",
                 names.empty() ? " nothing" : names.c_str());
    if (!o_.state_topic.empty()) restore_states(parts, fresh);
    assigned_once_ = true;
    last_activity_ = Clock::now();
  }

  void revoked(const rd_kafka_topic_partition_list_t* parts, bool commit_them) {
    if (commit_them && !failed_) commit(parts);
    std::string names;
    for (int i = 0; i < parts->cnt; ++i) {
      auto it = partitions_.find({parts->elems[i].topic, parts->elems[i].partition});
      if (it == partitions_.end()) continue;
      names += ' ' + it->second->label;
      if (it->second->stream) add_stats(it->second->stream->stats());
      partitions_.erase(it);  // its pending state goes (docs/deploy.md)
    }
    if (!closing_)
      std::fprintf(stderr, "eqlite consume: revoked%s\n",
                   names.empty() ? " nothing" : names.c_str());
    last_activity_ = Clock::now();  // a rebalance is not idleness
  }

  std::unique_ptr<Partition> make_partition(const std::string& topic, std::int32_t number) {
    auto p = std::make_unique<Partition>();
    p->topic = topic;
    p->number = number;
    p->label = topic + "/" + std::to_string(number);
    std::string index;
    if (o_.any_index) {
      const auto at = std::find(o_.topics.begin(), o_.topics.end(), topic);
      if (at != o_.topics.end()) index = o_.topic_index[at - o_.topics.begin()];
    }
    auto& lines = lines_[index];
    if (!lines) {
      lines = std::make_unique<ResultLines>(run_);
      if (o_.any_index)
        for (const auto& [f, value] : input_constants(index, set_fields_))
          lines->set_constant(f,
                              value.empty() ? eqlite::Value::null() : eqlite::Value::string(value));
    }
    p->lines = lines.get();
    p->index = index;
    new_stream(*p);
    return p;
  }

  // A fresh Stream for `p`, with its input's constants.
  void new_stream(Partition& p) {
    if (repartitioning()) return;  // no rules: no Stream
    if (p.stream) add_stats(p.stream->stats());
    Partition* raw = &p;
    auto cb = [this, raw](const eqlite::StreamResult& r) { on_result(*raw, r); };
    p.stream = run_.single ? std::make_unique<eqlite::Stream>(*run_.single, cb, run_.options)
                           : std::make_unique<eqlite::Stream>(*run_.rules, cb, run_.options);
    for (const auto& [field, value] : run_.constants)
      p.stream->set_constant(field, value);
    if (o_.any_index)
      for (const auto& [f, value] : input_constants(p.index, set_fields_))
        p.stream->set_constant(
            f, value.empty() ? eqlite::Value::null() : eqlite::Value::string(value));
  }

  // ---- messages ---------------------------------------------------------------------------

  void take(const rd_kafka_message_t& m) {
    if (m.err) {
      if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
      if (m.err == RD_KAFKA_RESP_ERR__FATAL) {
        char reason[512];
        rd_kafka_fatal_error(consumer_, reason, sizeof reason);
        std::fprintf(stderr, "eqlite consume: kafka: fatal: %s\n", reason);
        failed_ = true;
        return;
      }
      std::fprintf(stderr, "eqlite consume: kafka: %s%s%s\n",
                   m.rkt ? rd_kafka_topic_name(m.rkt) : "", m.rkt ? ": " : "",
                   rd_kafka_message_errstr(&m));
      return;
    }
    last_activity_ = Clock::now();
    auto it = partitions_.find({rd_kafka_topic_name(m.rkt), m.partition});
    if (it == partitions_.end()) return;  // not ours any more (a rebalance under way)
    Partition& p = *it->second;
    p.next_offset = m.offset + 1;
    std::string_view value(static_cast<const char*>(m.payload), m.payload ? m.len : 0);
    if (!value.empty() && value.back() == '\n') value.remove_suffix(1);
    if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
    if (value.find_first_not_of(" \t") == std::string_view::npos) return;  // empty: ignored
    ++messages_;
    auto where = [&] { return p.label + "/" + std::to_string(m.offset); };
    if (value.size() > run_.options.reader.max_event_bytes) {
      ++skipped_;
      std::fprintf(stderr, "%s: the message is longer than %zu bytes (--max-line-bytes); skipped\n",
                   where().c_str(), run_.options.reader.max_event_bytes);
      return;
    }
    if (repartitioning()) {
      rekey(p, m, value);
      return;
    }
    // The Stream numbers the event with its offset (+ 1: 0 is no event), for the stable id.
    if (!p.stream->set_next_position(static_cast<std::uint64_t>(m.offset) + 1)) {
      // An offset not after the last one taken: the partition is being read again from an
      // earlier offset (an offset reset). Its state is built again from there.
      std::fprintf(stderr,
                   "%s: an offset before the last one taken: the partition is read again from "
                   "here, with a fresh state\n",
                   where().c_str());
      new_stream(p);
      (void)p.stream->set_next_position(static_cast<std::uint64_t>(m.offset) + 1);
    }
    auto r = p.stream->push(value);
    if (!r) {
      ++skipped_;
      std::fprintf(stderr, "%s: %s\n", where().c_str(), r.error().message.c_str());
      return;
    }
    if (*r == eqlite::Admission::Taken) return;
    const int bit = *r == eqlite::Admission::NoTimestamp ? 1 : 2;
    if (p.reported & bit) return;
    p.reported |= bit;
    if (bit == 1)
      std::fprintf(stderr,
                   "%s: no readable timestamp in [%s]: the event takes part in no sequence "
                   "(reported once per partition; --stats counts them)\n",
                   where().c_str(), run_.timestamp_field.c_str());
    else
      std::fprintf(stderr,
                   "%s: the event is older than events already consumed (beyond "
                   "--allowed-lateness): it takes part in no sequence (reported once per "
                   "partition; --stats counts them)\n",
                   where().c_str());
  }

  bool repartitioning() const { return !o_.repartition_field.empty(); }

  // --repartition-by: the event, unchanged, to the re-keyed topic; its key the text of the
  // field's value (cli/route_key.hpp), so that librdkafka's partitioner puts the events of one
  // join-key value in one partition.
  void rekey(Partition& p, const rd_kafka_message_t& m, std::string_view value) {
    auto ok = route_reader_->read(value, route_event_);
    if (!ok) {
      ++skipped_;
      std::fprintf(stderr, "%s/%lld: %s\n", p.label.c_str(), static_cast<long long>(m.offset),
                   ok.error().message.c_str());
      return;
    }
    const RouteKey key = route_key(route_event_.values(0));
    unkeyed_ += key.key.empty();
    several_ += key.several;
    if (key.several && !(p.reported & 4)) {
      p.reported |= 4;
      std::fprintf(stderr,
                   "%s/%lld: [%s] has several values: the event is routed by the first "
                   "(reported once per partition; --stats counts them)\n",
                   p.label.c_str(), static_cast<long long>(m.offset), o_.repartition_field.c_str());
    }
    produce(o_.repartition_to, RD_KAFKA_PARTITION_UA, key.key, std::string(value));
    ++rekeyed_;
  }

  void on_result(Partition& p, const eqlite::StreamResult& r) {
    if (!p.lines->accept(r)) return;
    ++results_;
    p.lines->format(r, line_);
    line_.pop_back();  // the '\n'
    const std::string id = result_id(p.topic, p.number, r, rules_.metas[r.rule]->id);
    if (!o_.alerts_topic.empty()) {
      produce(o_.alerts_topic, RD_KAFKA_PARTITION_UA, id, line_);
      return;
    }
    if (o_.with_id) {
      out_.write("{\"id\":" + json_quoted(id) + ",\"result\":");
      out_.write(line_);
      out_.write("}\n");
    } else {
      out_.write(line_);
      out_.write("\n");
    }
  }

  const char* what(const std::string& topic) const {
    return topic == o_.alerts_topic  ? "an alert"
           : topic == o_.state_topic ? "a state record"
                                     : "an event";
  }

  // Writes one record to `topic` (`partition`: RD_KAFKA_PARTITION_UA for the key's); no
  // value: a tombstone.
  void produce(const std::string& topic, std::int32_t partition, const std::string& key,
               const std::optional<std::string>& value) {
    void* payload = value ? const_cast<char*>(value->data()) : nullptr;
    const std::size_t length = value ? value->size() : 0;
    for (;;) {
      const rd_kafka_resp_err_t e = rd_kafka_producev(
          producer_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
          RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(payload, length),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (!e) return;
      if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {  // wait for deliveries, then again
        rd_kafka_poll(producer_, 100);
        continue;
      }
      std::fprintf(stderr, "eqlite consume: cannot write %s to %s: %s\n", what(topic),
                   topic.c_str(), rd_kafka_err2str(e));
      failed_ = true;
      return;
    }
  }

  static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Consumer*>(opaque);
    if (!m->err) return;
    const std::string topic = m->rkt ? rd_kafka_topic_name(m->rkt) : "";
    if (!self->failed_)
      std::fprintf(stderr,
                   "eqlite consume: %s was not delivered to %s: %s; stopping without "
                   "committing what it was found in\n",
                   self->what(topic), topic.c_str(), rd_kafka_err2str(m->err));
    self->failed_ = true;
  }

  // Waits until every alert produced is acknowledged (or failed). False when some is not.
  bool flush_producer() {
    while (rd_kafka_outq_len(producer_) > 0 && !failed_) {
      const rd_kafka_resp_err_t e = rd_kafka_flush(producer_, 1000);
      if (e == RD_KAFKA_RESP_ERR__TIMED_OUT && g_stop) {
        // Stopping while the brokers do not answer: nothing is committed; the alerts not
        // acknowledged come again from the same events when the partitions are read again.
        std::fprintf(stderr,
                     "eqlite consume: alerts not acknowledged; stopping without a commit\n");
        return false;
      }
    }
    return !failed_;
  }

  // ---- commits ----------------------------------------------------------------------------

  // Writes out every result so far (stdout flushed, every alert acknowledged), then commits,
  // for `parts` (every assigned partition when null), the offset of the oldest event its
  // Stream still holds, or else the one after the last message taken: reading again from
  // there loses no result to come (Stream::oldest_held_position). With a state topic, each
  // partition's state is saved first (after its results are out, so that a state taken up
  // never skips an alert not written) and the offset after the last message is committed:
  // the next owner takes the state up and reads on from there.
  void commit(const rd_kafka_topic_partition_list_t* parts) {
    if (!out_.flush()) {
      std::fprintf(stderr,
                   "eqlite consume: cannot write to standard output; stopping without a commit\n");
      failed_ = true;
    }
    if (!failed_ && producer_ && !flush_producer()) failed_ = true;
    if (failed_) return;
    auto each = [&](auto&& f) {
      if (parts) {
        for (int i = 0; i < parts->cnt; ++i) {
          auto it = partitions_.find({parts->elems[i].topic, parts->elems[i].partition});
          if (it != partitions_.end()) f(*it->second);
        }
      } else {
        for (auto& [key, p] : partitions_)
          f(*p);
      }
    };
    const bool stateful = !o_.state_topic.empty();
    if (stateful) {
      bool saved = false;
      each([&](Partition& p) { saved |= save_state(p); });
      if (saved && !flush_producer()) failed_ = true;
      if (failed_) return;
    }
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(8);
    auto add = [&](Partition& p) {
      if (p.next_offset < 0) return;
      const std::uint64_t held =
          p.finished || stateful || !p.stream ? 0 : p.stream->oldest_held_position();  // offset + 1
      const std::int64_t offset = held ? static_cast<std::int64_t>(held) - 1 : p.next_offset;
      if (offset == p.committed) return;
      rd_kafka_topic_partition_list_add(offsets, p.topic.c_str(), p.number)->offset = offset;
    };
    each(add);
    if (offsets->cnt > 0) {
      const rd_kafka_resp_err_t e = rd_kafka_commit(consumer_, offsets, 0);  // synchronous
      if (e) {
        // Not fatal: the next commit covers these offsets too; meanwhile a restart reads them
        // again (and repeats their results, with the same ids).
        std::fprintf(stderr, "eqlite consume: commit failed: %s\n", rd_kafka_err2str(e));
      } else {
        for (int i = 0; i < offsets->cnt; ++i) {
          auto it = partitions_.find({offsets->elems[i].topic, offsets->elems[i].partition});
          if (it != partitions_.end()) it->second->committed = offsets->elems[i].offset;
        }
      }
    }
    rd_kafka_topic_partition_list_destroy(offsets);
    // The generations the new ones replace: their chunks go (written with the next flush).
    if (stateful)
      each([&](Partition& p) {
        if (p.stale_chunks == 0) return;
        for (const auto& r :
             changelog::tombstones(p.topic, p.number, p.stale_generation, p.stale_chunks))
          produce(o_.state_topic, state_partition(p), r.key, r.value);
        p.stale_chunks = 0;
      });
  }

  // ---- the state changelog (--state-topic, docs/deploy.md) --------------------------------

  std::int32_t state_partition(const Partition& p) const { return p.number % state_partitions_; }

  // The client that reads the state topic back, and how many partitions the topic has.
  bool start_state_reader() {
    restore_ =
        new_client(RD_KAFKA_CONSUMER, rd_kafka_conf_new(),
                   {{"bootstrap.servers", o_.brokers},
                    {"client.id", "eqlite-state"},
                    {"group.id", o_.group + ".state"}},
                   o_.settings, {{"enable.auto.commit", "false"}, {"enable.partition.eof", "true"}},
                   "state reader");
    if (!restore_) return false;
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(restore_, o_.state_topic.c_str(), nullptr);
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t e = rd_kafka_metadata(restore_, 0, rkt, &md, 15000);
    if (!e && (md->topic_cnt != 1 || md->topics[0].err)) e = md->topics[0].err;
    if (!e && md->topics[0].partition_cnt <= 0) e = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    if (!e) state_partitions_ = md->topics[0].partition_cnt;
    if (md) rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    if (e) {
      std::fprintf(stderr,
                   "eqlite consume: the state topic %s cannot be used: %s (create it with "
                   "cleanup.policy=compact; docs/deploy.md)\n",
                   o_.state_topic.c_str(), rd_kafka_err2str(e));
      return false;
    }
    return true;
  }

  // Reads partition `number` of the state topic from its beginning to its end into `r`.
  bool read_changelog(std::int32_t number, changelog::Reader& r) {
    std::int64_t low = 0, high = 0;
    rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(restore_, o_.state_topic.c_str(),
                                                             number, &low, &high, 15000);
    if (e) {
      std::fprintf(stderr, "eqlite consume: cannot read the state topic %s/%d: %s\n",
                   o_.state_topic.c_str(), number, rd_kafka_err2str(e));
      return false;
    }
    if (high <= low) return true;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, o_.state_topic.c_str(), number)->offset = low;
    rd_kafka_assign(restore_, list);
    rd_kafka_topic_partition_list_destroy(list);
    std::int64_t at = low;
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    bool ok = true;
    while (at < high && !g_stop) {
      if (Clock::now() > deadline) {
        std::fprintf(stderr, "eqlite consume: the state topic %s/%d was not read in time\n",
                     o_.state_topic.c_str(), number);
        ok = false;
        break;
      }
      rd_kafka_message_t* m = rd_kafka_consumer_poll(restore_, 500);
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        at = high;
      } else if (m->err) {
        std::fprintf(stderr, "eqlite consume: reading the state topic %s/%d: %s\n",
                     o_.state_topic.c_str(), number, rd_kafka_message_errstr(m));
      } else {
        const std::string_view key(static_cast<const char*>(m->key), m->key ? m->key_len : 0);
        if (m->payload)
          r.add(key, std::string_view(static_cast<const char*>(m->payload), m->len));
        else
          r.add(key, std::nullopt);
        at = m->offset + 1;
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_assign(restore_, nullptr);
    return ok && !g_stop;
  }

  // Takes up the saved states of the partitions parts->elems[i], i in `fresh`, and starts
  // reading each where its state ends (or, when it cannot be taken up, from the oldest event
  // it held: its state is built again).
  void restore_states(rd_kafka_topic_partition_list_t* parts, const std::vector<int>& fresh) {
    std::map<std::int32_t, changelog::Reader> readers;  // by state topic partition
    for (const int i : fresh) {
      const auto& tp = parts->elems[i];
      Partition& p = *partitions_[{tp.topic, tp.partition}];
      const std::int32_t sp = state_partition(p);
      auto it = readers.find(sp);
      if (it == readers.end()) {
        it = readers.emplace(sp, changelog::Reader{}).first;
        if (!read_changelog(sp, it->second))
          std::fprintf(stderr, "eqlite consume: %s: no saved state read; starting afresh\n",
                       p.label.c_str());
      }
      std::string error;
      const auto state = it->second.state(p.topic, p.number, &error);
      if (!state) {
        if (!error.empty())
          std::fprintf(stderr,
                       "eqlite consume: %s: the saved state is not whole (%s); "
                       "starting from the committed offset\n",
                       p.label.c_str(), error.c_str());
        continue;
      }
      // The chunks of this generation go once a newer one is committed.
      p.generation = state->generation;
      p.stale_generation = state->generation;
      p.stale_chunks = state->chunks;
      if (auto ok = p.stream->restore(state->bytes); ok) {
        parts->elems[i].offset = state->next;
        p.next_offset = state->next;
        p.saved_next = state->next;
        std::fprintf(stderr,
                     "eqlite consume: %s: state taken up (%zu bytes), reading on from "
                     "offset %lld\n",
                     p.label.c_str(), state->bytes.size(), static_cast<long long>(state->next));
      } else {
        new_stream(p);
        parts->elems[i].offset = state->replay;
        std::fprintf(stderr,
                     "eqlite consume: %s: the saved state does not fit these rules (%s); "
                     "reading again from offset %lld to build it\n",
                     p.label.c_str(), ok.error().message.c_str(),
                     static_cast<long long>(state->replay));
      }
    }
  }

  // Writes `p`'s state (when it took messages since the last save). True when it wrote.
  bool save_state(Partition& p) {
    if (p.next_offset < 0 || p.next_offset == p.saved_next || p.finished) return false;
    const std::uint64_t held = p.stream->oldest_held_position();  // offset + 1
    const std::int64_t replay = held ? static_cast<std::int64_t>(held) - 1 : p.next_offset;
    const std::string bytes = p.stream->snapshot();
    const std::uint64_t generation = p.generation + 1;
    const auto records =
        changelog::encode(p.topic, p.number, generation, p.next_offset, replay, bytes, kStateChunk);
    for (const auto& r : records)
      produce(o_.state_topic, state_partition(p), r.key, r.value);
    if (p.generation > 0 && p.stale_chunks == 0) {  // the previous generation is now stale
      p.stale_generation = p.generation;
      p.stale_chunks = p.chunks;
    }
    p.generation = generation;
    p.chunks = static_cast<std::uint32_t>(records.size() - 1);
    p.saved_next = p.next_offset;
    return true;
  }

  void add_stats(const eqlite::StreamStats& s) {
    eqlite::StreamStats& t = stats_;
    t.no_timestamp += s.no_timestamp;
    t.late += s.late;
    t.started += s.started;
    t.completed += s.completed;
    t.expired += s.expired;
    t.evicted += s.evicted;
    t.until += s.until;
    t.replaced += s.replaced;
    t.missing += s.missing;
    t.pending += s.pending;
    t.waiting += s.waiting;
  }

  const ConsumeOptions& o_;
  const StreamRun& run_;
  const LoadedRules& rules_;
  std::vector<std::string> set_fields_;  // --set fields: the input's constants do not replace them
  rd_kafka_t* consumer_ = nullptr;
  rd_kafka_t* producer_ = nullptr;
  rd_kafka_t* restore_ = nullptr;                     // --state-topic: reads it back
  std::unique_ptr<eqlite::JsonReader> route_reader_;  // --repartition-by: reads the field
  eqlite::Event route_event_;
  std::uint64_t rekeyed_ = 0, unkeyed_ = 0, several_ = 0;
  std::int32_t state_partitions_ = 1;
  std::map<std::pair<std::string, std::int32_t>, std::unique_ptr<Partition>> partitions_;
  std::map<std::string, std::unique_ptr<ResultLines>> lines_;  // per --index name
  Output out_;
  std::string line_;
  bool failed_ = false, closing_ = false, assigned_once_ = false;
  Clock::time_point last_activity_ = Clock::now();
  std::uint64_t messages_ = 0, skipped_ = 0, results_ = 0;
  eqlite::StreamStats stats_;  // of the partitions revoked
};

}  // namespace

int cmd_consume(int argc, char** argv) {
  ConsumeOptions o;
  RuleOptions ro;
  ro.threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> positional;
  std::string index;
  bool index_followed = true;
  auto usage_error = [](const std::string& message) {
    std::fprintf(stderr, "eqlite consume: %s\n%s", message.c_str(), kConsumeUsage);
    return kError;
  };
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= argc) return false;
      into = argv[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::fputs(kConsumeUsage, stdout);
      return 0;
    } else if (a == "--brokers" || a == "--group" || a == "--alerts-topic" ||
               a == "--state-topic") {
      if (!value(v)) return usage_error(a + " needs an argument");
      (a == "--brokers"        ? o.brokers
       : a == "--group"        ? o.group
       : a == "--alerts-topic" ? o.alerts_topic
                               : o.state_topic) = v;
    } else if (a == "--topic") {
      if (!value(v)) return usage_error("--topic needs an argument");
      o.topics.push_back(v);
      o.topic_index.push_back(index);
      index_followed = true;
    } else if (a == "--index") {
      if (!value(index)) return usage_error("--index needs an argument");
      o.any_index = true;
      index_followed = false;
    } else if (a == "--repartition-by" || a == "--to") {
      if (!value(v)) return usage_error(a + " needs an argument");
      (a == "--to" ? o.repartition_to : o.repartition_field) = v;
    } else if (a == "--with-id") {
      o.with_id = true;
    } else if (a == "-X" || a.rfind("-X", 0) == 0) {
      if (a == "-X" && !value(v)) return usage_error("-X needs KEY=VALUE");
      if (a != "-X") v = a.substr(2);
      const auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0)
        return usage_error("-X takes KEY=VALUE, got '" +
                           (eq == std::string::npos ? v : v.substr(0, eq)) + "'");
      o.settings.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (a == "--idle-exit") {
      char* end = nullptr;
      if (!value(v) || (o.idle_exit_seconds = std::strtod(v.c_str(), &end), *end != '\0') ||
          !(o.idle_exit_seconds > 0))
        return usage_error("--idle-exit needs a positive number of seconds");
    } else if (a == "--commit-interval") {
      if (!value(v) || !parse_duration(v, o.commit_interval_ns) || o.commit_interval_ns <= 0)
        return usage_error("--commit-interval needs a duration, e.g. 5s or 500ms");
    } else if (const Parsed p =
                   parse_rule_option(argc, argv, i, ro, "eqlite consume", kConsumeUsage);
               p != Parsed::NotMine) {
      if (p == Parsed::Error) return kError;
    } else if (a.size() > 1 && a[0] == '-') {
      return usage_error("unknown option " + a +
                         (a == "--count" || a == "--sort" || a == "--explain" || a == "--summary" ||
                                  a == "--progress"
                              ? " (an 'eqlite match' option that does not apply to a stream "
                                "without end)"
                              : ""));
    } else {
      positional.push_back(a);
    }
  }
  if (o.brokers.empty()) return usage_error("--brokers is needed");
  if (o.group.empty()) return usage_error("--group is needed");
  if (o.topics.empty()) return usage_error("--topic is needed");
  if (!index_followed)
    return usage_error("--index " + index +
                       " names the topics that follow it, and no --topic does");
  const bool repartition = !o.repartition_field.empty() || !o.repartition_to.empty();
  if (repartition) {
    if (o.repartition_field.empty() || o.repartition_to.empty())
      return usage_error("--repartition-by FIELD and --to TOPIC go together");
    if (ro.rule_mode || !positional.empty() || !o.alerts_topic.empty() || !o.state_topic.empty() ||
        o.with_id)
      return usage_error(
          "--repartition-by runs no rules: no QUERY, rule files, --alerts-topic, --state-topic "
          "or --with-id (run the rules in another group over the --to topic)");
    if (std::find(o.topics.begin(), o.topics.end(), o.repartition_to) != o.topics.end())
      return usage_error("--to " + o.repartition_to + " is also an input topic");
    StreamRun none;
    none.options.reader = ro.reader;
    LoadedRules nothing;
    Consumer consumer(o, none, nothing);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    if (!consumer.start()) return kError;
    const int status = consumer.run();
    consumer.print_end(ro.stats);
    return status != 0 ? kError : consumer.rekeyed() > 0 ? kMatched : kNoMatch;
  }
  if (positional.size() > (ro.rule_mode ? 0u : 1u))
    return usage_error("one QUERY, or rule files, and no input files (the input is the topics)");
  if (!ro.rule_mode && positional.empty()) return usage_error("no query given");
  ro.threads = std::min<std::size_t>(ro.threads, 256);

  LoadedRules loaded;
  if (const int status = load_rules(ro, ro.rule_mode ? "" : positional[0], o.any_index, loaded);
      status != 0)
    return status;
  StreamRun run = stream_run_of(ro, loaded);

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  Consumer consumer(o, run, loaded);
  if (!consumer.start()) return kError;
  const int status = consumer.run();
  consumer.print_end(ro.stats);
  if (status != 0 || loaded.rule_errors) return kError;  // (the other rules ran, as in match)
  return consumer.results() > 0 ? kMatched : kNoMatch;
}

}  // namespace cli
