// cli/match.cpp — `eqlite match`: NDJSON in, matching lines out (docs/cli.md).
//
// The input is cut into blocks of whole lines as it is read (what one read() returns, up to the
// last newline). Each thread reads its next block itself (one reader at a time) and evaluates
// it into records (a match with its rules, or a bad line with its reason); whoever finishes
// the oldest block writes the finished records block by block in input order, so the output,
// the error messages and the counts are those of a single thread, whatever --threads says.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cli/common.hpp"
#include "cli/explain.hpp"
#include "cli/output.hpp"
#include "cli/progress.hpp"
#include "cli/rule_options.hpp"
#include "cli/stream_run.hpp"
#include "cli/summary.hpp"
#include "pack/data_stream.hpp"
#include "pack/exceptions.hpp"
#include "pack/parallel_for.hpp"
#include "pack/rule_loader.hpp"

namespace cli {
namespace {

const char* const kMatchUsage =
    "usage: eqlite match (QUERY | --rule-file RULE... | --rules DIR) [options]\n"
    "                    [[--index NAME] FILE...]...\n"
    "\n"
    "Reads NDJSON (one JSON object per line) from each FILE, or from standard input when\n"
    "there is no FILE or FILE is '-', and writes every line whose event matches the rule to\n"
    "standard output, byte for byte, in input order. With several rules, each match is one\n"
    "line {\"rule\": NAME, \"event\": LINE} per matching rule (NAME: an .eql file's stem, a\n"
    "TOML rule's name); TOML rules write alerts (--alerts).\n"
    "\n"
    "options:\n"
    "  --rule-file FILE     a rule from FILE instead of the command line: an .eql file or a\n"
    "                       detection-rules .toml file (repeatable)\n"
    "  --rules DIR          every *.eql and *.toml rule file under DIR (recursively); other\n"
    "                       rule languages are skipped and counted\n"
    "  --include-deprecated also run rules whose maturity is deprecated\n"
    "  --count              print only the number of matching events (several rules: one\n"
    "                       line {\"rule\": NAME, \"count\": N} per rule)\n"
    "  --category-field F   the field that '<category> where' tests (default\n"
    "                       event.category)\n"
    "  --set FIELD=VALUE    a constant field for every event that lacks it (e.g. a data\n"
    "                       stream's constant_keyword: --set event.dataset=azure.signinlogs);\n"
    "                       VALUE is a number, true or false when it reads as one, else a\n"
    "                       string. Repeatable.\n"
    "  --threads N          evaluate on N threads (default: every core); the output is the\n"
    "                       same as with one\n"
    "  --stats              at the end, write to standard error how many lines were read,\n"
    "                       matched, did not match and were skipped\n"
    "  --max-line-bytes N   a longer line is reported and skipped (default 268435456)\n"

    "  --max-depth N        an event nesting objects and arrays deeper is reported and\n"
    "                       skipped (default 512, at most 1000)\n"
    "  -h, --help           show this help\n"
    "\n"
    "rule packs (docs/rule-packs.md):\n"
    "  --index NAME         the FILEs after it are the data of index or data stream NAME: a\n"
    "                       rule with index patterns sees them only when one matches NAME, and\n"
    "                       a data stream name supplies its constant fields (event.dataset,\n"
    "                       data_stream.*); without --index every rule sees every event\n"
    "  --alerts, --no-alerts  each hit as an alert with the rule's id, name, severity, risk\n"
    "                       score and ATT&CK ids (default: when a rule comes from a TOML file)\n"
    "  --exceptions FILE    the exception lists of a Kibana export apply to every rule\n"
    "  --exception-lists FILE  lists that rules name in their exceptions_list\n"
    "  --summary            at the end, on stderr: hits, excepted hits and severity per rule\n"
    "  --progress, --no-progress  progress on stderr (default: when stderr is a terminal)\n"
    "  --explain EVENTS     match nothing: for each event of the file EVENTS, show what the\n"
    "                       rule index did (keys met, rules ruled out, run and matched)\n"
    "\n"
    "sequences and samples (one line {\"join_keys\":[...],\"events\":[...]} per result):\n"
    "  --timestamp-field F  the field holding each event's time (default @timestamp)\n"
    "  --tiebreaker-field F orders events of equal time (the input must be in that order)\n"
    "  --sort               read every input first and consume events in time order\n"
    "  --allowed-lateness D an event up to D older than a newer one still takes its place\n"
    "                       in sequences (default 1m; 0: none); an older one is reported\n"
    "  --max-pending N      pending sequences per rule before the oldest is evicted\n"
    "                       (default 1000000)\n"
    "  --max-samples-per-key N  samples per join key (default 1)\n"
    "  --samples-when-complete  a sample as soon as it is complete (for an endless input),\n"
    "                       not at the end of the input in join-key order\n"
    "\n"
    "A line that is not a JSON object is reported on standard error as FILE:LINE: reason,\n"
    "skipped and counted; the stream goes on. Empty lines are ignored.\n"
    "Exit status: 0 when something matched, 1 when nothing matched, 2 on an error.\n";

// What every thread evaluates with.
struct Config {
  const eqlite::Query* single = nullptr;   // one rule (without pipes: stream.cpp runs those)
  const eqlite::RuleSet* rules = nullptr;  // several rules
  eqlite::ReaderOptions reader_options;
  std::vector<std::pair<std::string, eqlite::Value>> constants;  // --set
};

// One thread's reader and VM.
class Evaluator {
 public:
  explicit Evaluator(const Config& c) : single_(c.single) {
    if (single_) {
      reader_.emplace(*single_, c.reader_options);
      for (const auto& [field, value] : c.constants)
        reader_->set_constant(field, value);
    } else {
      matcher_.emplace(*c.rules, c.reader_options);
      for (const auto& [field, value] : c.constants)
        matcher_->set_constant(field, value);
    }
  }
  // The lines that follow are those of `block`, in order (JsonReader::prescan).
  void prescan(std::string_view block) {
    if (single_)
      reader_->prescan(block);
    else
      matcher_->prescan(block);
  }
  // Sets `hits` to the matching rules; false for a bad line (the reason in `error`).
  bool eval(std::string_view text, std::vector<std::size_t>& hits, std::string& error) {
    if (single_) {
      hits.clear();
      auto ok = reader_->read_padded(text, event_);  // a block keeps padding after its end
      if (!ok) {
        error = ok.error().message;
        return false;
      }
      if (vm_.matches(*single_, event_)) hits.push_back(0);
      return true;
    }
    auto ok = matcher_->match_json_padded(text, hits);
    if (!ok) error = ok.error().message;
    return ok.ok();
  }

 private:
  const eqlite::Query* single_;
  std::optional<eqlite::JsonReader> reader_;
  eqlite::Event event_;
  eqlite::Vm vm_;
  std::optional<eqlite::RuleSetMatcher> matcher_;
};

// Memory for the input buffers. Touching fresh memory costs a page fault per 4 KiB page, and a
// page fault is slow on some virtual machines (~12 us on the 2-vCPU VM of docs/performance.md): the
// ~250 pages of one run's buffers cost ~3 ms that way. So buffers of up to kSlot bytes are slots of
// 2 MiB pieces that the kernel is asked to back with huge pages (one fault per piece, where
// transparent huge pages are on); a slot goes back to the arena when its buffer is freed. Larger
// buffers (a line longer than a slot) come from malloc. Shared by the reading and the writing
// thread: locked.
class SlotArena {
 public:
  static constexpr std::size_t kPiece = std::size_t{2} << 20, kSlot = kPiece / 4;
  SlotArena() = default;
  SlotArena(const SlotArena&) = delete;
  SlotArena& operator=(const SlotArena&) = delete;
  ~SlotArena() {
    for (char* p : pieces_)
      std::free(p);
  }
  char* take() {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) {
      char* p = static_cast<char*>(std::aligned_alloc(kPiece, kPiece));
      if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
      (void)::madvise(p, kPiece, MADV_HUGEPAGE);  // a hint: refused where unsupported
#endif
      pieces_.push_back(p);
      for (std::size_t i = kPiece / kSlot; i-- > 0;)
        free_.push_back(p + i * kSlot);
    }
    char* p = free_.back();
    free_.pop_back();
    return p;
  }
  void give(char* p) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(p);
  }

 private:
  std::mutex mu_;
  std::vector<char*> pieces_, free_;
};

// Frees a buffer's bytes: into its arena's slots, or with free().
struct Release {
  SlotArena* arena = nullptr;
  void operator()(char* p) const noexcept {
    if (arena)
      arena->give(p);
    else
      std::free(p);
  }
};

// Bytes read from the input. Growing it does not zero-fill (a std::string would write every
// byte twice), and eqlite::kJsonPadding readable bytes always follow size(), so lines can be
// parsed in place (JsonReader::read_padded).
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(SlotArena* arena) : arena_(arena) {}
  const char* data() const { return p_.get(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {p_.get(), size_}; }
  // Room for n more bytes at the end; commit() what was written there.
  char* grow(std::size_t n) {
    reserve(size_ + n);
    return p_.get() + size_;
  }
  void commit(std::size_t n) {
    size_ += n;
    pad();
  }
  void truncate(std::size_t n) { size_ = std::min(size_, n); }
  void erase_front(std::size_t n) {
    n = std::min(n, size_);
    std::memmove(p_.get(), p_.get() + n, size_ - n);
    size_ -= n;
  }
  void assign(std::string_view s) {
    size_ = 0;
    copy_bytes(grow(s.size()), s.data(), s.size());
    size_ = s.size();
    pad();
  }
  void clear() { size_ = 0; }
  std::size_t capacity() const { return cap_; }

 private:
  void reserve(std::size_t n) {
    if (n + eqlite::kJsonPadding <= cap_) return;
    std::size_t cap = std::max(n + eqlite::kJsonPadding, cap_ * 2);
    std::unique_ptr<char[], Release> p;
    if (arena_ && cap <= SlotArena::kSlot) {
      cap = SlotArena::kSlot;
      p = {arena_->take(), Release{arena_}};
    } else {
      p = {static_cast<char*>(std::malloc(cap)), Release{}};
      if (!p) throw std::bad_alloc();
    }
    if (size_) std::memcpy(p.get(), p_.get(), size_);
    p_ = std::move(p);
    cap_ = cap;
    pad();
  }
  // The padding's values do not matter to the parser; zeroing them keeps memory checkers quiet.
  void pad() { std::memset(p_.get() + size_, 0, eqlite::kJsonPadding); }
  SlotArena* arena_ = nullptr;  // where buffers of up to a slot come from, if any
  std::unique_ptr<char[], Release> p_;
  std::size_t size_ = 0, cap_ = 0;
};

// One line's outcome worth writing: a match (with its rules) or a bad line.
struct Record {
  std::uint64_t line;     // within the block, from 1
  std::uint64_t ordinal;  // among the block's non-empty lines, from 1
  std::size_t off, len;   // the line's text in the block
  std::size_t hits_begin, hits_end;
  std::string error;  // empty for a match
};

struct Block {
  const std::string* label = nullptr;
  bool first_of_input = false;  // line numbers start again
  Buffer data;                  // whole lines; the last of an input may lack its newline
  bool too_long = false;        // the block stands for one line longer than the limit
  // Filled by evaluation:
  std::uint64_t lines = 0, nonempty = 0;
  std::vector<Record> records;
  std::vector<std::size_t> hits;
  bool done = false;  // guarded by Runner::out_mu_
};

class Runner {
 public:
  Runner(const Config& config, std::size_t threads, std::size_t max_line_bytes,
         std::vector<std::string> names, Output& out, bool count)
      : config_(config),
        max_line_bytes_(max_line_bytes),
        out_(out),
        count_(count),
        per_rule_(names.size(), 0) {
    for (const auto& n : names)
      prefixes_.push_back("{\"rule\":" + json_quoted(n));
    // N threads are N evaluators: the main thread (evaluators_[0]) and N - 1 workers. Each
    // reads its next block itself (one at a time: next_block()) and evaluates it, so a block
    // is parsed on the core whose cache its bytes were just copied into; whoever finishes the
    // oldest block writes every finished block at the front, in input order (complete()).
    const std::size_t n = std::max<std::size_t>(threads, 1);
    for (std::size_t i = 0; i < n; ++i)
      evaluators_.emplace_back(config_);
    for (std::size_t i = 1; i < n; ++i)
      workers_.emplace_back([this, i] { work(evaluators_[i]); });
  }
  ~Runner() { finish(); }

  // Reads `fd` to its end or until no more input is wanted, with every thread. False on a read
  // error (the blocks before it are still written).
  bool stream(int fd, const std::string& label, std::string& error) {
    {
      std::lock_guard<std::mutex> lock(read_mu_);
      in_ = Input{};
      in_.fd = fd;
      in_.label = &label;
      in_.carry = take_buffer();
    }
    input_cv_.notify_all();
    Evaluator& ev = evaluators_[0];
    while (Block* b = next_block(false)) {
      if (!stop_) evaluate(ev, *b);
      complete(b);
    }
    // The input has ended for every thread (next_block() reads it no more): `fd` may close.
    std::lock_guard<std::mutex> lock(read_mu_);
    in_.fd = -1;
    give_buffer(std::move(in_.carry));
    error = in_.error;
    return error.empty();
  }

  // Waits until every block read so far is written: a message about an input (it cannot be
  // opened or read) then comes after the lines of the inputs before it, as with one thread.
  void flush() {
    std::unique_lock<std::mutex> lock(out_mu_);
    space_cv_.wait(lock, [&] { return inflight_.empty(); });
  }

  // Waits for every block, writes the rest, stops the threads.
  void finish() {
    {
      std::lock_guard<std::mutex> lock(read_mu_);
      closing_ = true;
    }
    input_cv_.notify_all();
    for (auto& t : workers_)
      t.join();
    workers_.clear();
  }

  std::uint64_t lines = 0, matched = 0, skipped = 0;
  void set_progress(Progress* p) { progress_ = p; }
  std::uint64_t bytes_done() const { return bytes_done_; }
  const std::vector<std::uint64_t>& per_rule() const { return per_rule_; }

 private:
  // The input being read: what next_block() cuts into blocks, under read_mu_.
  struct Input {
    int fd = -1;
    const std::string* label = nullptr;
    Buffer carry;  // the start of a line not yet ended
    bool at_input_start = true, dropping = false, first_block = true, ended = false;
    std::string error;
    std::deque<Block*> ready;  // cut, in flight, not yet taken by a thread
  };

  // The next block of the input for the calling thread to evaluate, in flight already (so
  // written in its place). Null when the input has ended or no more is wanted; with `wait`
  // (a worker), waits for the next input instead, and is null only when closing.
  Block* next_block(bool wait) {
    std::unique_lock<std::mutex> lock(read_mu_);
    for (;;) {
      if (closing_) return nullptr;
      if (!in_.ready.empty()) {
        Block* b = in_.ready.front();
        in_.ready.pop_front();
        return b;
      }
      if (in_.fd < 0 || in_.ended || stop_) {
        if (!wait) return nullptr;
        input_cv_.wait(lock);
        continue;
      }
      {  // bounded memory: no more blocks in flight than four per thread
        std::unique_lock<std::mutex> out_lock(out_mu_);
        space_cv_.wait(out_lock,
                       [&] { return stop_ || inflight_.size() < 4 * evaluators_.size(); });
      }
      if (!read_some()) in_.ended = true;
    }
  }

  // One read() of the input into its carry; cuts what it completes into blocks (Input::ready).
  // False at the input's end or on an error (Input::error).
  bool read_some() {
    constexpr std::size_t kChunk = 1 << 18;  // 256 KiB: the block is still in L2 when parsed
    Buffer& carry = in_.carry;
    ssize_t n;
    do {
      n = ::read(in_.fd, carry.grow(kChunk), kChunk);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      in_.error = std::strerror(errno);
      return false;
    }
    if (n == 0) {
      if (!in_.dropping && !carry.empty() && !stop_) {  // a last line without a newline
        auto b = std::make_unique<Block>();
        b->data = std::move(carry);
        carry = take_buffer();
        add_block(std::move(b));
      }
      return false;
    }
    carry.commit(static_cast<std::size_t>(n));
    if (in_.at_input_start) {
      const std::string_view head = carry.view().substr(0, 3);
      if (head != std::string_view("\xEF\xBB\xBF").substr(0, head.size())) {
        in_.at_input_start = false;  // not a byte-order mark
      } else if (head.size() == 3) {
        carry.erase_front(3);  // a UTF-8 byte-order mark at the start of the input is ignored
        in_.at_input_start = false;
      } else {
        return true;  // one or two bytes of what may be a byte-order mark: wait for more
      }
    }
    if (in_.dropping) {  // the rest of a line that is too long
      const std::size_t nl = carry.view().find('\n');
      if (nl == std::string::npos) {
        carry.clear();
        return true;
      }
      carry.erase_front(nl + 1);
      in_.dropping = false;
    }
    const std::size_t last_nl = carry.view().rfind('\n');
    if (last_nl != std::string::npos) {
      auto b = std::make_unique<Block>();
      b->data = std::move(carry);
      carry = take_buffer();
      carry.assign(b->data.view().substr(last_nl + 1));
      b->data.truncate(last_nl + 1);
      add_block(std::move(b));
    }
    if (carry.size() > max_line_bytes_) {
      auto b = std::make_unique<Block>();
      b->too_long = true;
      add_block(std::move(b));
      carry.clear();
      in_.dropping = true;
    }
    return true;
  }

  // Puts a block cut from the input in flight, after every block cut before it.
  void add_block(std::unique_ptr<Block> b) {
    b->label = in_.label;
    b->first_of_input = in_.first_block;
    in_.first_block = false;
    in_.ready.push_back(b.get());
    std::lock_guard<std::mutex> lock(out_mu_);
    inflight_.push_back(std::move(b));
  }

  void work(Evaluator& ev) {
    while (Block* b = next_block(true)) {
      if (!stop_) evaluate(ev, *b);
      complete(b);
    }
  }

  // `b` is evaluated. Unless another thread is writing already (it will find `b` done), writes
  // the finished blocks at the front, in order, and frees them.
  void complete(Block* b) {
    std::unique_lock<std::mutex> lock(out_mu_);
    b->done = true;
    if (writing_) return;
    writing_ = true;
    while (!inflight_.empty() && inflight_.front()->done) {
      std::unique_ptr<Block> front = std::move(inflight_.front());
      inflight_.pop_front();
      lock.unlock();
      if (!stop_) write(*front);  // one writer at a time (writing_)
      bytes_done_ += front->data.size();
      if (progress_) progress_->tick(bytes_done_, lines, matched);
      give_buffer(std::move(front->data));
      lock.lock();
    }
    writing_ = false;
    lock.unlock();
    space_cv_.notify_all();
  }

  void evaluate(Evaluator& ev, Block& b) {
    if (b.too_long) {
      b.lines = b.nonempty = 1;
      b.records.push_back({1, 1, 0, 0, 0, 0, too_long_message()});
      return;
    }
    std::vector<std::size_t> hits;
    std::string error;
    const std::string_view data = b.data.view();
    ev.prescan(data);  // stage 1 once for the block (the Buffer keeps padding after it)
    std::size_t pos = 0;
    while (pos < data.size()) {
      const std::size_t nl = data.find('\n', pos);
      const std::size_t end = nl == std::string_view::npos ? data.size() : nl;
      std::string_view text = data.substr(pos, end - pos);
      const std::size_t off = pos;
      pos = end + 1;
      ++b.lines;
      if (!text.empty() && text.back() == '\r') text.remove_suffix(1);        // CRLF is a line end
      if (text.find_first_not_of(" \t") == std::string_view::npos) continue;  // empty line
      ++b.nonempty;
      if (text.size() > max_line_bytes_) {
        b.records.push_back({b.lines, b.nonempty, 0, 0, 0, 0, too_long_message()});
        continue;
      }
      if (!ev.eval(text, hits, error)) {
        b.records.push_back({b.lines, b.nonempty, 0, 0, 0, 0, error});
        continue;
      }
      if (hits.empty()) continue;
      const std::size_t begin = b.hits.size();
      b.hits.insert(b.hits.end(), hits.begin(), hits.end());
      b.records.push_back({b.lines, b.nonempty, off, text.size(), begin, b.hits.size(), {}});
    }
    ev.prescan({});  // the block's buffer goes back to the pool: the hint ends with it
  }

  std::string too_long_message() const {
    return "the line is longer than " + std::to_string(max_line_bytes_) +
           " bytes (--max-line-bytes); skipped";
  }

  void write(const Block& b) {
    if (b.first_of_input) base_line_ = 0;
    for (const Record& r : b.records) {
      if (!r.error.empty()) {
        ++skipped;
        std::fprintf(stderr, "%s:%llu: %s\n", b.label->c_str(),
                     static_cast<unsigned long long>(base_line_ + r.line), r.error.c_str());
        continue;
      }
      ++matched;
      const std::string_view text = b.data.view().substr(r.off, r.len);
      if (config_.single) {
        ++per_rule_[0];
        if (!count_) {
          out_.write(text);
          out_.write("\n");
        }
      } else {
        for (std::size_t h = r.hits_begin; h < r.hits_end; ++h) {
          const std::size_t rule = b.hits[h];
          ++per_rule_[rule];
          if (count_) continue;
          scratch_.assign(prefixes_[rule]);
          scratch_ += ",\"event\":";
          scratch_ += text;
          scratch_ += "}\n";
          out_.write(scratch_);
        }
      }
      // Stop reading when nobody reads the output.
      if (out_.failed()) {
        lines += r.ordinal;
        stop_ = true;
        return;
      }
    }
    lines += b.nonempty;
    base_line_ += b.lines;
  }

  Buffer take_buffer() {
    std::lock_guard<std::mutex> lock(spare_mu_);
    if (spare_.empty()) return Buffer(&arena_);
    Buffer b = std::move(spare_.back());
    spare_.pop_back();
    b.clear();
    return b;
  }
  void give_buffer(Buffer b) {
    std::lock_guard<std::mutex> lock(spare_mu_);
    if (spare_.size() < 8 && b.capacity() <= (std::size_t{4} << 20)) spare_.push_back(std::move(b));
  }

  const Config& config_;
  std::size_t max_line_bytes_;
  Output& out_;
  bool count_;
  // Written by the one thread that writes (complete()), read by the caller after finish().
  std::vector<std::uint64_t> per_rule_;
  std::vector<std::string> prefixes_;
  std::string scratch_;
  std::uint64_t base_line_ = 0;
  SlotArena arena_;  // before every member that holds a Buffer: it outlives them
  std::deque<Evaluator> evaluators_;
  std::vector<std::thread> workers_;
  // The input (in_, closing_), under read_mu_; then, under out_mu_, the blocks in flight in
  // input order and whether a thread is writing them. Lock order: read_mu_, then out_mu_.
  std::mutex read_mu_, out_mu_, spare_mu_;
  std::condition_variable input_cv_, space_cv_;
  Input in_;
  bool closing_ = false;
  std::deque<std::unique_ptr<Block>> inflight_;
  bool writing_ = false;
  std::vector<Buffer> spare_;  // under spare_mu_
  std::atomic<bool> stop_{false};
  Progress* progress_ = nullptr;  // written to by the writer only
  std::uint64_t bytes_done_ = 0;
};

}  // namespace

int cmd_match(int argc, char** argv) {
  std::vector<std::string> positional;
  RuleOptions ro;
  ro.threads = std::max(1u, std::thread::hardware_concurrency());
  bool count = false, sort = false, summary = false;
  std::vector<std::string> input_index;  // per positional FILE: the --index before it
  std::string index;                     // the current --index
  std::string explain_file;              // --explain EVENTS
  bool any_index = false, index_followed = true;
  int progress = -1;  // -1: decided below
  bool options_done = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (options_done) {
      positional.push_back(a);
      input_index.push_back(index);
      index_followed = true;
      continue;
    }
    if (a == "-h" || a == "--help") {
      std::fputs(kMatchUsage, stdout);
      return 0;
    } else if (a == "--count") {
      count = true;
    } else if (a == "--sort") {
      sort = true;
    } else if (a == "--progress" || a == "--no-progress") {
      progress = a == "--progress";
    } else if (a == "--summary") {
      summary = true;
    } else if (a == "--explain") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite match: --explain needs a file of events\n%s", kMatchUsage);
        return kError;
      }
      explain_file = argv[++i];
    } else if (a == "--index") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite match: %s needs an argument\n%s", a.c_str(), kMatchUsage);
        return kError;
      }
      index = argv[++i];
      any_index = true;
      index_followed = false;
    } else if (a == "--") {
      options_done = true;
    } else if (const Parsed p = parse_rule_option(argc, argv, i, ro, "eqlite match", kMatchUsage);
               p != Parsed::NotMine) {
      if (p == Parsed::Error) return kError;
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "eqlite match: unknown option %s\n%s", a.c_str(), kMatchUsage);
      return kError;
    } else {
      positional.push_back(a);
      input_index.push_back(index);
      index_followed = true;
    }
  }
  ro.threads = std::min<std::size_t>(ro.threads, 256);

  std::string query;
  if (!ro.rule_mode) {
    if (positional.empty()) {
      std::fprintf(stderr, "eqlite match: no query given\n%s", kMatchUsage);
      return kError;
    }
    query = positional.front();
    positional.erase(positional.begin());
    input_index.erase(input_index.begin());
  }
  LoadedRules loaded;
  if (const int status = load_rules(ro, query, any_index, loaded); status != 0) return status;
  if (positional.empty() && any_index) input_index = {index};  // standard input
  if (!positional.empty() && !index_followed) {
    std::fprintf(stderr,
                 "eqlite match: --index %s names the inputs that follow it, and no FILE does\n",
                 index.c_str());
    return kError;
  }
  if (!any_index) input_index.clear();
  const bool rule_errors = loaded.rule_errors;
  const eqlite::ReaderOptions& reader_options = ro.reader;

  Config config;
  config.reader_options = reader_options;
  config.single = loaded.single ? &*loaded.single : nullptr;
  config.rules = loaded.single ? nullptr : &loaded.rules;
  config.constants = loaded.constants;
  const std::optional<eqlite::Query>& single = loaded.single;
  const eqlite::RuleSet& rules = loaded.rules;
  const std::vector<std::string>& names = loaded.names;

  // Sequences, samples and rules with pipes run as one stream (stream.cpp), which applies the
  // pipes; single-event rules without pipes on every thread (Runner, below).
  if (!explain_file.empty()) {  // the index's view of each event, instead of matching
    eqlite::RuleSet one;
    const eqlite::RuleSet* set = config.rules;
    if (!set) {
      eqlite::CompileOptions o = ro.compile;
      o.filter = scope_filter(loaded.load.rules[0], any_index);
      auto id = one.add(loaded.load.rules[0].name, loaded.load.rules[0].query, o);
      if (!id) {
        print_compile_error(loaded.load.rules[0].query, id.error());
        return kError;
      }
      set = &one;
    }
    std::vector<std::pair<std::string, eqlite::Value>> constants = config.constants;
    std::vector<std::string> texts;
    texts.reserve(8);
    if (any_index) {
      texts.push_back(index);
      constants.emplace_back("_index", eqlite::Value::string(texts.back()));
      for (const auto& [field, value] : pack::data_stream_constants(index)) {
        texts.push_back(value);
        constants.emplace_back(field, eqlite::Value::string(texts.back()));
      }
    }
    const int status = run_explain(*set, constants, reader_options, explain_file);
    return rule_errors && status == 0 ? kError : status;
  }

  // So do rule packs: alerts, index scoping, exceptions and the summary are the stream's.
  const bool alerts = ro.alerts < 0 ? loaded.from_toml : ro.alerts != 0;
  if (progress < 0) progress = ::isatty(STDERR_FILENO) ? 1 : 0;
  bool streamed =
      single && (single->kind() != eqlite::QueryKind::Event || !single->pipes().empty());
  streamed = streamed || alerts || any_index || loaded.any_exceptions;
  for (std::size_t r = 0; r < rules.size(); ++r)
    streamed = streamed || rules.query(r).kind() != eqlite::QueryKind::Event ||
               !rules.query(r).pipes().empty();
  if (streamed) {
    StreamRun run = stream_run_of(ro, loaded);
    run.count = count;
    run.sort = sort;
    run.input_index = input_index;
    run.summary = summary;
    run.progress = progress;
    const int status = run_stream(run, positional);
    return rule_errors && status != kError ? kError : status;
  }
  if (sort) {
    std::fprintf(stderr,
                 "eqlite match: --sort orders events for sequences and samples; these rules "
                 "match one event at a time, in input order\n");
    return kError;
  }

  Output out;
  Runner runner(config, ro.threads, reader_options.max_event_bytes, names, out, count);
  if (positional.empty()) positional.push_back("-");
  std::uint64_t total_bytes = 0;  // of the regular files, for the time left
  for (const auto& file : positional) {
    struct stat st;
    if (file != "-" && ::stat(file.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      total_bytes += static_cast<std::uint64_t>(st.st_size);
  }
  Progress shown(progress, ::isatty(STDERR_FILENO) != 0, total_bytes, 1);
  runner.set_progress(&shown);
  bool error = false;
  const std::string stdin_label = "(standard input)";
  for (const auto& file : positional) {
    std::string err;
    if (file == "-") {
#ifdef F_SETPIPE_SZ
      (void)::fcntl(STDIN_FILENO, F_SETPIPE_SZ, 1 << 20);  // fewer, larger reads from a pipe
#endif
      if (!runner.stream(STDIN_FILENO, stdin_label, err)) {
        runner.flush();
        std::fprintf(stderr, "eqlite: cannot read standard input: %s\n", err.c_str());
        error = true;
      }
      continue;
    }
    int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) {
      runner.flush();
      std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), std::strerror(errno));
      error = true;
      continue;
    }
    if (!runner.stream(fd, file, err)) {
      runner.flush();
      std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), err.c_str());
      error = true;
    }
    ::close(fd);
  }
  runner.finish();
  shown.done(runner.bytes_done(), runner.lines, runner.matched);
  if (count) {
    if (single) {
      out.write(std::to_string(runner.per_rule()[0]) + "\n");
    } else {
      for (std::size_t r = 0; r < names.size(); ++r) {
        std::string line = "{\"rule\":" + json_quoted(names[r]) +
                           ",\"count\":" + std::to_string(runner.per_rule()[r]) + "}\n";
        out.write(line);
      }
    }
  }
  out.flush();
  if (runner.skipped > 0)
    std::fprintf(stderr, "eqlite: skipped %llu malformed line%s of %llu\n",
                 static_cast<unsigned long long>(runner.skipped), runner.skipped == 1 ? "" : "s",
                 static_cast<unsigned long long>(runner.lines));
  if (ro.stats)
    std::fprintf(stderr,
                 "eqlite: %llu lines read: %llu matched, %llu did not match, %llu skipped\n",
                 static_cast<unsigned long long>(runner.lines),
                 static_cast<unsigned long long>(runner.matched),
                 static_cast<unsigned long long>(runner.lines - runner.matched - runner.skipped),
                 static_cast<unsigned long long>(runner.skipped));
  if (summary)
    print_summary(names, loaded.metas, loaded.failed_rules, runner.per_rule(),
                  std::vector<std::uint64_t>(names.size(), 0), runner.lines);
  if (error || rule_errors) return kError;
  const bool any = std::any_of(runner.per_rule().begin(), runner.per_rule().end(),
                               [](std::uint64_t n) { return n > 0; });
  return any ? kMatched : kNoMatch;
}

}  // namespace cli
