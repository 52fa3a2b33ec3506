// cli/stream.cpp — `eqlite match` for rules that need a stream of events in time order:
// sequences, samples, and rule sets with pipes (docs/cli.md, "Sequences and samples"). One
// thread: each input line is pushed into one eqlite::Stream. Several inputs are merged by
// time (each is expected in time order); with --sort, every input is read first and the events
// are put in time order.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "cli/input_constants.hpp"
#include "cli/match_ahead.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/result_lines.hpp"
#include "cli/stream_run.hpp"
#include "cli/summary.hpp"

namespace cli {

std::string json_value(const eqlite::Value& v) {
  switch (v.kind()) {
    case eqlite::ValueKind::Null:
      return "null";
    case eqlite::ValueKind::Bool:
      return v.as_bool() ? "true" : "false";
    case eqlite::ValueKind::Int:
      return std::to_string(v.as_int());
    case eqlite::ValueKind::Double: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.as_double());
      return std::string(buf, r.ptr);
    }
    case eqlite::ValueKind::String:
      return json_quoted(v.as_string());
  }
  return "null";
}

namespace {

// The lines of one input, read in blocks.
class LineSource {
 public:
  LineSource(int fd, std::string label, std::size_t max_line)
      : fd_(fd), label_(std::move(label)), max_line_(max_line) {}
  const std::string& label() const { return label_; }
  // The next non-empty line (without its end), its number, and whether it is too long.
  // False at the end of the input, or on a read error (error() says it).
  bool next(std::string& line, std::uint64_t& number, bool& too_long) {
    for (;;) {
      const std::size_t nl = buf_.find('\n', at_);
      if (nl == std::string::npos && !eof_) {
        buf_.erase(0, at_);
        at_ = 0;
        if (buf_.size() > max_line_) {  // a line too long: report once, drop to its end
          dropping_ = true;
          buf_.clear();
          number = ++line_;
          too_long = true;
          line.clear();
          return true;
        }
        if (!fill()) return false;
        continue;
      }
      const std::size_t end = nl == std::string::npos ? buf_.size() : nl;
      if (end == at_ && nl == std::string::npos) return false;  // the end
      std::string_view text(buf_.data() + at_, end - at_);
      at_ = nl == std::string::npos ? buf_.size() : nl + 1;
      if (dropping_) {
        dropping_ = false;
        continue;
      }
      ++line_;
      if (first_ && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
      first_ = false;
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;
      too_long = text.size() > max_line_;
      line.assign(too_long ? std::string_view() : text);
      number = line_;
      return true;
    }
  }
  const std::string& error() const { return error_; }
  std::uint64_t bytes_read() const { return bytes_read_; }

 private:
  bool fill() {
    constexpr std::size_t kChunk = 1 << 18;
    const std::size_t old = buf_.size();
    buf_.resize(old + kChunk);
    ssize_t n;
    do {
      n = ::read(fd_, buf_.data() + old, kChunk);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      error_ = std::strerror(errno);
      buf_.resize(old);
      eof_ = true;
      return false;
    }
    buf_.resize(old + static_cast<std::size_t>(n));
    bytes_read_ += static_cast<std::uint64_t>(n);
    if (n == 0) eof_ = true;
    return true;
  }
  int fd_;
  std::string label_;
  std::size_t max_line_;
  std::string buf_;
  std::size_t at_ = 0;
  std::uint64_t line_ = 0;
  bool eof_ = false, first_ = true, dropping_ = false;
  std::string error_;
  std::uint64_t bytes_read_ = 0;
};

// A line and where it came from.
struct Line {
  std::string text;
  std::uint64_t number = 0;
  std::size_t input = 0;
  bool too_long = false;
  std::optional<std::int64_t> ts;  // for merging and sorting
  int tb_rank = 2;                 // the tiebreaker: 0 a number, 1 a string, 2 none (T3)
  double tb_number = 0;
  std::string tb_string;
  // T3: (time, tiebreaker) order; lines without a time are not compared here.
  bool before(const Line& o) const {
    if (*ts != *o.ts) return *ts < *o.ts;
    if (tb_rank != o.tb_rank) return tb_rank < o.tb_rank;
    if (tb_rank == 0) return tb_number < o.tb_number;
    return tb_rank == 1 && tb_string < o.tb_string;
  }
};

class Runner {
 public:
  Runner(const StreamRun& run, Output& out)
      : run_(run),
        out_(out),
        stream_(make_stream()),
        time_reader_(run.tiebreaker_field.empty()
                         ? std::vector<std::string>{run.timestamp_field}
                         : std::vector<std::string>{run.timestamp_field, run.tiebreaker_field},
                     run.options.reader),
        lines_(run) {
    for (const auto& [field, value] : run.constants) {
      stream_.set_constant(field, value);
      time_reader_.set_constant(field, value);
    }
    for (const auto& [field, value] : run.constants)
      user_constants_.push_back(field);
    if (run.threads > 1 && run.rules && !run.single)
      ahead_ = std::make_unique<MatchAhead<Line>>(*run.rules, run.options.reader);
  }

  // The input's constants: its --index name as _index and its data stream's fields (E4), unless
  // --set gives them.
  void set_input(const std::string& index) {
    if (current_index_ && *current_index_ == index) return;
    current_index_ = index;
    for (const auto& [f, value] : input_constants(index, user_constants_)) {
      const eqlite::Value v = value.empty() ? eqlite::Value::null() : eqlite::Value::string(value);
      stream_.set_constant(f, v);
      time_reader_.set_constant(f, v);
      lines_.set_constant(f, v);
    }
  }

  // The line's time and tiebreaker, for merging inputs and --sort.
  void time_of(Line& l) {
    l.ts.reset();
    l.tb_rank = 2;
    if (l.too_long || !time_reader_.read(l.text, time_event_)) return;
    auto values = time_event_.values(0);
    if (!values.empty()) l.ts = eqlite::timestamp_ns(values[0]);
    if (time_event_.field_count() < 2) return;
    auto tb = time_event_.values(1);
    if (tb.empty()) return;
    if (tb[0].is_number()) {
      l.tb_rank = 0;
      l.tb_number = tb[0].to_double();
    } else if (tb[0].kind() == eqlite::ValueKind::String) {
      l.tb_rank = 1;
      l.tb_string.assign(tb[0].as_string());
    }
  }

  // Takes the next line. With a second thread (MatchAhead), it is read now and applied once
  // its batch is matched; the line is moved out of `l`.
  void push(Line& l, const std::vector<std::string>& labels,
            const std::vector<std::string>& indexes) {
    labels_ = &labels;
    indexes_ = &indexes;
    if (!ahead_) {
      if (!indexes.empty()) set_input(indexes[l.input]);
      apply(l, nullptr);
      return;
    }
    if (!indexes.empty() && (!current_index_ || *current_index_ != indexes[l.input])) {
      // the events read so far go with their own input's constants, results included
      drain();
      set_input(indexes[l.input]);
    }
    auto& slot = ahead_->add();
    std::swap(slot.payload, l);
    slot.read = !slot.payload.too_long && stream_.read(slot.payload.text, scratch_).ok();
    if (slot.read) slot.event.assign(scratch_);
    if (ahead_->full()) ahead_->rotate([this](Slot& x) { apply(x.payload, &x); });
  }

  // One line, in input order: read and matched already when `slot` is given.
  void apply(const Line& l, const MatchAhead<Line>::Slot* slot) {
    if (ahead_ && saturated()) return;  // read ahead of the stop: as if never read
    ++lines;
    const auto& labels = *labels_;
    const std::string& label = labels[l.input];
    if (l.too_long) {
      ++skipped;
      std::fprintf(stderr,
                   "%s:%llu: the line is longer than %zu bytes (--max-line-bytes); skipped\n",
                   label.c_str(), static_cast<unsigned long long>(l.number),
                   run_.options.reader.max_event_bytes);
      return;
    }
    auto r = slot && slot->read ? stream_.push_matched(l.text, slot->event.event(), slot->units)
                                : stream_.push(l.text);
    if (!r) {
      ++skipped;
      std::fprintf(stderr, "%s:%llu: %s\n", label.c_str(),
                   static_cast<unsigned long long>(l.number), r.error().message.c_str());
      return;
    }
    if (*r == eqlite::Admission::Taken) return;
    if (reported_.size() <= l.input) reported_.resize(l.input + 1, 0);
    const int bit = *r == eqlite::Admission::NoTimestamp ? 1 : 2;
    if (reported_[l.input] & bit) return;
    reported_[l.input] |= bit;
    if (bit == 1)
      std::fprintf(stderr,
                   "%s:%llu: no readable timestamp in [%s]: the event takes part in no sequence "
                   "(reported once per input; --stats counts them)\n",
                   label.c_str(), static_cast<unsigned long long>(l.number),
                   run_.timestamp_field.c_str());
    else
      std::fprintf(stderr,
                   "%s:%llu: the event is older than events already consumed (beyond "
                   "--allowed-lateness): it takes part in no sequence (reported once per input; "
                   "--stats counts them; --sort orders input that is not in time order)\n",
                   label.c_str(), static_cast<unsigned long long>(l.number));
  }

  void drain() {
    if (ahead_) ahead_->drain([this](Slot& x) { apply(x.payload, &x); });
  }

  bool saturated() const { return stream_.saturated() || out_.failed(); }
  void finish() {
    drain();
    stream_.finish();
  }
  const eqlite::Stream& stream() const { return stream_; }
  const ResultLines& results() const { return lines_; }
  std::uint64_t lines = 0, skipped = 0;

 private:
  using Slot = MatchAhead<Line>::Slot;
  std::unique_ptr<MatchAhead<Line>> ahead_;  // matching on a second thread (--threads 2+)
  eqlite::Event scratch_;                    // an event read ahead, before its copy
  const std::vector<std::string>* labels_ = nullptr;
  const std::vector<std::string>* indexes_ = nullptr;

  eqlite::Stream make_stream() {
    auto cb = [this](const eqlite::StreamResult& r) { on_result(r); };
    if (run_.single) return eqlite::Stream(*run_.single, cb, run_.options);
    return eqlite::Stream(*run_.rules, cb, run_.options);
  }

  void on_result(const eqlite::StreamResult& r) {
    if (!lines_.accept(r) || run_.count) return;
    lines_.format(r, line_);
    out_.write(line_);
  }

  const StreamRun& run_;
  Output& out_;
  eqlite::Stream stream_;
  eqlite::JsonReader time_reader_;
  eqlite::Event time_event_;
  ResultLines lines_;
  std::vector<int> reported_;
  std::string line_;
  std::vector<std::string> user_constants_;
  std::optional<std::string> current_index_;  // the --index whose constants are set
};

}  // namespace

int run_stream(const StreamRun& run, std::vector<std::string> inputs) {
  Output out;
  Runner runner(run, out);
  if (inputs.empty()) inputs.push_back("-");
  bool error = false;
  std::vector<std::unique_ptr<LineSource>> sources;
  std::vector<std::string> labels;
  std::vector<int> fds;
  std::vector<std::string> indexes;  // per source: its --index name
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    const std::string& file = inputs[k];
    int fd = file == "-" ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY);
    if (fd < 0) {
      std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), std::strerror(errno));
      error = true;
      continue;
    }
    labels.push_back(file == "-" ? "(standard input)" : file);
    if (!run.input_index.empty())
      indexes.push_back(run.input_index[std::min(k, run.input_index.size() - 1)]);
    sources.push_back(
        std::make_unique<LineSource>(fd, labels.back(), run.options.reader.max_event_bytes));
    if (fd != STDIN_FILENO) fds.push_back(fd);
  }
  std::uint64_t total_bytes = 0;  // of the regular files, for the time left
  for (int fd : fds) {
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
      total_bytes += static_cast<std::uint64_t>(st.st_size);
  }
  Progress progress(run.progress, ::isatty(STDERR_FILENO) != 0, total_bytes);
  auto bytes_read = [&] {
    std::uint64_t n = 0;
    for (const auto& src : sources)
      n += src->bytes_read();
    return n;
  };
  auto tick = [&] {
    if (run.progress) progress.tick(bytes_read(), runner.lines, runner.results().hits);
  };
  const bool ordering = run.sort || sources.size() > 1;
  auto read_next = [&](std::size_t i, Line& l) {
    l.input = i;
    if (!sources[i]->next(l.text, l.number, l.too_long)) {
      if (!sources[i]->error().empty()) {
        std::fprintf(stderr, "eqlite: cannot read %s: %s\n", labels[i].c_str(),
                     sources[i]->error().c_str());
        error = true;
      }
      return false;
    }
    // The time is needed to merge inputs or sort them; one input in its own order needs none
    // here (the Stream reads it with the event).
    if (ordering) runner.time_of(l);
    return true;
  };

  if (run.sort) {
    // Every line first, then in time order (T3); lines without a time keep their place
    // before the timed ones, in input order.
    std::vector<Line> all;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      Line l;
      while (read_next(i, l)) {
        all.push_back(l);
        if (run.progress) progress.tick(bytes_read(), all.size(), 0);
      }
    }
    std::stable_sort(all.begin(), all.end(), [](const Line& a, const Line& b) {
      if (a.ts.has_value() != b.ts.has_value()) return !a.ts.has_value();
      return a.ts && a.before(b);
    });
    for (Line& l : all) {
      if (runner.saturated()) break;
      runner.push(l, labels, indexes);
      tick();
    }
  } else {
    // Each input in its own order; several merged by time (the earliest head first; a line
    // without a time goes as soon as it is at the head of its input).
    std::vector<std::optional<Line>> heads(sources.size());
    for (std::size_t i = 0; i < sources.size(); ++i) {
      Line l;
      if (read_next(i, l)) heads[i] = std::move(l);
    }
    while (!runner.saturated()) {
      std::size_t best = heads.size();
      for (std::size_t i = 0; i < heads.size(); ++i) {
        if (!heads[i]) continue;
        if (!heads[i]->ts) {
          best = i;
          break;
        }
        if (best == heads.size() || heads[i]->before(*heads[best])) best = i;
      }
      if (best == heads.size()) break;
      runner.push(*heads[best], labels, indexes);
      tick();
      Line l;
      if (read_next(best, l))
        heads[best] = std::move(l);
      else
        heads[best].reset();
    }
  }
  for (int fd : fds)
    ::close(fd);
  runner.finish();
  progress.done(bytes_read(), runner.lines, runner.results().hits);

  if (run.count) {
    if (!run.several) {
      out.write(std::to_string(runner.results().per_rule()[0]) + "\n");
    } else {
      for (std::size_t r = 0; r < run.names.size(); ++r)
        out.write("{\"rule\":" + json_quoted(run.names[r]) +
                  ",\"count\":" + std::to_string(runner.results().per_rule()[r]) + "}\n");
    }
  }
  out.flush();
  const eqlite::StreamStats s = runner.stream().stats();
  if (runner.skipped > 0)
    std::fprintf(stderr, "eqlite: skipped %llu malformed line%s of %llu\n",
                 static_cast<unsigned long long>(runner.skipped), runner.skipped == 1 ? "" : "s",
                 static_cast<unsigned long long>(runner.lines));
  if (runner.results().excepted_total > 0)
    std::fprintf(stderr, "eqlite: %llu hit%s excepted by exception lists%s\n",
                 static_cast<unsigned long long>(runner.results().excepted_total),
                 runner.results().excepted_total == 1 ? "" : "s",
                 run.summary ? "" : " (--summary shows them by rule)");
  if (run.stats) {
    auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
    std::fprintf(stderr, "eqlite: %llu lines read: %llu results, %llu skipped\n", u(runner.lines),
                 u(s.results), u(runner.skipped));
    print_sequence_stats(s);
  }
  if (run.summary)
    print_summary(run.names, run.metas, run.failed_rules, runner.results().per_rule(),
                  runner.results().excepted(), runner.lines);
  if (error) return kError;
  for (auto n : runner.results().per_rule())
    if (n > 0) return kMatched;
  return kNoMatch;
}

}  // namespace cli
