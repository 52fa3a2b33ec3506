// cli/main.cpp — the eqlite command-line tool. The command-line contract (docs/cli.md) is
// relied on by scripts: keep it exactly.
//
//   eqlite match (QUERY | --rule-file RULE.eql) [--count] [--set FIELD=VALUE]... [FILE...]
//   eqlite check [--ast] [--bytecode] (QUERY | --rule-file FILE...)
//
// Exit status as grep's: 0 something matched (check: every rule compiles), 1 nothing matched,
// 2 an error (a query that does not compile, an unreadable file).
#include <eqlite/eqlite.hpp>

#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kMatched = 0;
constexpr int kNoMatch = 1;
constexpr int kError = 2;

const char* const kUsage =
    "usage: eqlite match (QUERY | --rule-file RULE.eql) [options] [FILE...]\n"
    "       eqlite check [--ast] [--bytecode] (QUERY | --rule-file FILE...)\n"
    "       eqlite --help | --version\n"
    "\n"
    "Evaluates Elastic EQL (Event Query Language) rules over NDJSON events.\n"
    "\n"
    "commands:\n"
    "  match   print each input line (one JSON event per line) that matches the rule\n"
    "  check   compile rules and report errors; --ast / --bytecode show the result\n"
    "\n"
    "Run 'eqlite match --help' or 'eqlite check --help' for the options.\n"
    "Exit status: 0 when something matched (check: every rule compiles), 1 when nothing\n"
    "matched, 2 on an error.\n";

const char* const kMatchUsage =
    "usage: eqlite match (QUERY | --rule-file RULE.eql) [options] [FILE...]\n"
    "\n"
    "Reads NDJSON (one JSON object per line) from each FILE, or from standard input when\n"
    "there is no FILE or FILE is '-', and writes every line whose event matches the rule to\n"
    "standard output, byte for byte, in input order.\n"
    "\n"
    "options:\n"
    "  --rule-file FILE     read the rule from FILE instead of the command line\n"
    "  --count              print only the number of matching events\n"
    "  --category-field F   the field that '<category> where' tests (default\n"
    "                       event.category)\n"
    "  --set FIELD=VALUE    a constant field for every event that lacks it (e.g. a data\n"
    "                       stream's constant_keyword: --set event.dataset=azure.signinlogs);\n"
    "                       VALUE is a number, true or false when it reads as one, else a\n"
    "                       string. Repeatable.\n"
    "  --stats              at the end, write to standard error how many lines were read,\n"
    "                       matched, did not match and were skipped\n"
    "  --max-line-bytes N   a longer line is reported and skipped (default 268435456)\n"
    "  --max-depth N        an event nesting objects and arrays deeper is reported and\n"
    "                       skipped (default 512, at most 1000)\n"
    "  -h, --help           show this help\n"
    "\n"
    "A line that is not a JSON object is reported on standard error as FILE:LINE: reason,\n"
    "skipped and counted; the stream goes on. Empty lines are ignored.\n"
    "Exit status: 0 when something matched, 1 when nothing matched, 2 on an error.\n";

const char* const kCheckUsage =
    "usage: eqlite check [--ast] [--bytecode] [--fields-from DATA] (QUERY | --rule-file FILE...)\n"
    "\n"
    "Compiles each rule and reports every error as FILE:LINE:COLUMN: message, with the rule\n"
    "line and a caret under the column.\n"
    "\n"
    "options:\n"
    "  --rule-file FILE...  check the rules in these files (repeatable)\n"
    "  --ast                print the syntax tree of each rule\n"
    "  --category-field F   the field that '<category> where' tests (default event.category)\n"
    "  --bytecode           print the compiled bytecode of each rule\n"
    "  --fields-from DATA   warn about every field a rule reads that has no value in any\n"
    "                       event of DATA (NDJSON), suggesting the nearest field that has one\n"
    "  --set FIELD=VALUE    with --fields-from: FIELD is supplied as a constant (as with\n"
    "                       eqlite match --set), so it is not reported\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 when every rule compiles, 2 otherwise.\n";

bool read_file(const std::string& path, std::string& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = std::strerror(errno);
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}

// A JSON number exactly: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
bool is_json_number(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t b = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9')
      ++i;
    return i - b;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (digits() == 0) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == s.size();
}

// A positive whole number of at most 2^63 (for --max-line-bytes, --max-depth).
bool parse_size(std::string_view s, std::size_t& out) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > (std::uint64_t{1} << 63))
    return false;
  out = static_cast<std::size_t>(v);
  return true;
}

// --set VALUE: a JSON number, true or false when it reads as one; anything else is a string
// ("007", "1.", "-inf" stay strings).
eqlite::Value parse_set_value(const std::string& s) {
  if (s == "true") return eqlite::Value::boolean(true);
  if (s == "false") return eqlite::Value::boolean(false);
  if (is_json_number(s)) {
    std::int64_t i;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
    if (ec == std::errc() && p == s.data() + s.size()) return eqlite::Value::integer(i);
    double d;
    auto [p2, ec2] = std::from_chars(s.data(), s.data() + s.size(), d);
    if ((ec2 == std::errc() || ec2 == std::errc::result_out_of_range) && p2 == s.data() + s.size())
      return eqlite::Value::number(ec2 == std::errc() ? d : std::strtod(s.c_str(), nullptr));
  }
  return eqlite::Value::string(s);
}

// Writes to stdout; a failed write (a closed pipe, `| head -1`) ends the program quietly.
class Output {
 public:
  void write(std::string_view s) {
    buf_.append(s);
    if (buf_.size() >= (1 << 16)) flush();
  }
  bool flush() {
    std::size_t off = 0;
    while (off < buf_.size()) {
      ssize_t n = ::write(STDOUT_FILENO, buf_.data() + off, buf_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        failed_ = true;
        buf_.clear();
        return false;
      }
      off += static_cast<std::size_t>(n);
    }
    buf_.clear();
    return true;
  }
  bool failed() const { return failed_; }

 private:
  std::string buf_;
  bool failed_ = false;
};

// The `| head N` / `| tail N` pipes over the stream of matching lines (semantics.md P2).
class Pipes {
 public:
  Pipes(const std::vector<eqlite::PipeStage>& stages, Output& out, bool count_only)
      : out_(out), count_only_(count_only) {
    for (const auto& s : stages)
      stages_.push_back({s, 0, {}});
  }
  void push(std::string_view line) { push(0, line); }
  // True when no further input can change the output (a leading head is full).
  bool saturated() const {
    for (const auto& s : stages_) {
      if (s.spec.kind == eqlite::PipeStage::Kind::Tail) return false;
      if (s.seen >= s.spec.n) return true;
    }
    return false;
  }
  void finish() {
    for (std::size_t i = 0; i < stages_.size(); ++i) {
      if (stages_[i].spec.kind != eqlite::PipeStage::Kind::Tail) continue;
      auto buffered = std::move(stages_[i].buffer);
      stages_[i].buffer.clear();
      for (const auto& line : buffered)
        push(i + 1, line);
    }
  }
  std::uint64_t emitted() const { return emitted_; }
  bool output_failed() const { return out_.failed(); }

 private:
  struct Stage {
    eqlite::PipeStage spec;
    std::uint64_t seen;
    std::deque<std::string> buffer;
  };
  void push(std::size_t i, std::string_view line) {
    if (i == stages_.size()) {
      ++emitted_;
      if (!count_only_) {
        out_.write(line);
        out_.write("\n");
      }
      return;
    }
    Stage& s = stages_[i];
    if (s.spec.kind == eqlite::PipeStage::Kind::Head) {
      if (s.seen < s.spec.n) {
        ++s.seen;
        push(i + 1, line);
      }
    } else if (s.spec.n > 0) {
      s.buffer.emplace_back(line);
      if (s.buffer.size() > s.spec.n) s.buffer.pop_front();
    }
  }
  Output& out_;
  bool count_only_;
  std::vector<Stage> stages_;
  std::uint64_t emitted_ = 0;
};

struct MatchRun {
  const eqlite::Query& query;
  eqlite::JsonReader reader;
  eqlite::Event event;
  eqlite::Vm vm;
  Pipes& pipes;
  std::size_t max_line_bytes;
  std::uint64_t skipped = 0;
  std::uint64_t lines = 0;
  std::uint64_t matched = 0;

  // One line without its terminator. Returns false when the pipes need no more input.
  bool line(std::string_view label, std::uint64_t number, std::string_view text) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);           // CRLF is a line end
    if (text.find_first_not_of(" \t") == std::string_view::npos) return true;  // empty line
    if (text.size() > max_line_bytes) {
      too_long(label, number);
      return true;
    }
    ++lines;
    auto ok = reader.read(text, event);
    if (!ok) {
      ++skipped;
      std::fprintf(stderr, "%.*s:%llu: %s\n", static_cast<int>(label.size()), label.data(),
                   static_cast<unsigned long long>(number), ok.error().message.c_str());
      return true;
    }
    if (vm.matches(query, event)) {
      ++matched;
      pipes.push(text);
      // Stop reading when no further input can change the output, or nobody reads it.
      if (pipes.saturated() || pipes.output_failed()) return false;
    }
    return true;
  }

  // Reads `fd` to the end (or until the pipes are saturated). Returns false on a read error.
  // A line longer than max_line_bytes is reported, counted and skipped without being held in
  // memory: the bytes up to its end are dropped as they arrive.
  bool stream(int fd, std::string_view label, std::string& error, bool& stop) {
    std::string buf;
    std::size_t start = 0;  // the first byte of the current line in buf
    std::size_t scan = 0;   // where the search for the next newline goes on
    std::uint64_t number = 0;
    bool at_input_start = true;  // no byte has been taken from this input yet
    bool dropping = false;       // inside a line that is too long
    std::vector<char> chunk(1 << 20);
    for (;;) {
      ssize_t n = ::read(fd, chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        error = std::strerror(errno);
        return false;
      }
      if (n == 0) break;
      buf.erase(0, start);
      scan -= start;
      start = 0;
      buf.append(chunk.data(), static_cast<std::size_t>(n));
      if (at_input_start) {
        const std::size_t k = std::min<std::size_t>(buf.size(), 3);
        if (buf.compare(0, k, "\xEF\xBB\xBF", k) != 0) {
          at_input_start = false;  // not a byte-order mark
        } else if (buf.size() >= 3) {
          buf.erase(0, 3);  // a UTF-8 byte-order mark at the start of the input is ignored
          at_input_start = false;
        } else {
          continue;  // one or two bytes of what may be a byte-order mark: wait for more
        }
      }
      if (dropping) {
        const std::size_t nl = buf.find('\n');
        if (nl == std::string::npos) {
          buf.clear();
          scan = 0;
          continue;
        }
        start = scan = nl + 1;
        dropping = false;
      }
      for (;;) {
        std::size_t nl = buf.find('\n', scan);
        if (nl == std::string::npos) break;
        if (!line(label, ++number, std::string_view(buf).substr(start, nl - start))) {
          stop = true;
          return true;
        }
        start = scan = nl + 1;
      }
      scan = buf.size();
      if (buf.size() - start > max_line_bytes) {
        too_long(label, ++number);
        buf.clear();
        start = scan = 0;
        dropping = true;
      }
    }
    if (!dropping && start < buf.size()) {  // a last line without a newline is still an event
      if (!line(label, ++number, std::string_view(buf).substr(start))) stop = true;
    }
    return true;
  }

  void too_long(std::string_view label, std::uint64_t number) {
    ++lines;
    ++skipped;
    std::fprintf(stderr,
                 "%.*s:%llu: the line is longer than %zu bytes (--max-line-bytes); skipped\n",
                 static_cast<int>(label.size()), label.data(),
                 static_cast<unsigned long long>(number), max_line_bytes);
  }
};

struct RuleSource {
  std::string text;
  std::string label;  // the file name, or empty for a query on the command line
};

bool load_rule(const std::string& file, RuleSource& rule) {
  std::string err;
  if (!read_file(file, rule.text, err)) {
    std::fprintf(stderr, "eqlite: cannot read rule file %s: %s\n", file.c_str(), err.c_str());
    return false;
  }
  rule.label = file;
  return true;
}

void print_compile_error(const RuleSource& rule, const eqlite::Error& e) {
  std::string msg = e.format(rule.text);
  if (!rule.label.empty()) msg = rule.label + ":" + msg;
  std::fprintf(stderr, "%s\n", msg.c_str());
}

int cmd_match(int argc, char** argv) {
  std::vector<std::string> positional;
  std::string rule_file;
  eqlite::CompileOptions options;
  eqlite::ReaderOptions reader_options;
  bool count = false, stats = false;
  std::vector<std::pair<std::string, std::string>> sets;
  bool options_done = false;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (!options_done && (a == "-h" || a == "--help")) {
      std::fputs(kMatchUsage, stdout);
      return 0;
    } else if (!options_done && a == "--count") {
      count = true;
    } else if (!options_done && a == "--stats") {
      stats = true;
    } else if (!options_done && (a == "--max-line-bytes" || a == "--max-depth")) {
      if (i + 1 >= argc ||
          !parse_size(argv[i + 1], a == "--max-line-bytes" ? reader_options.max_event_bytes
                                                           : reader_options.max_depth)) {
        std::fprintf(stderr, "eqlite match: %s needs a positive whole number\n%s", a.c_str(),
                     kMatchUsage);
        return kError;
      }
      ++i;
    } else if (!options_done && (a == "--rule-file" || a == "--set" || a == "--category-field")) {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite match: %s needs an argument\n%s", a.c_str(), kMatchUsage);
        return kError;
      }
      std::string v = argv[++i];
      if (a == "--rule-file") {
        rule_file = v;
      } else if (a == "--category-field") {
        options.category_field = v;
      } else {
        auto eq = v.find('=');
        if (eq == std::string::npos || eq == 0) {
          std::fprintf(stderr, "eqlite match: --set takes FIELD=VALUE, got '%s'\n", v.c_str());
          return kError;
        }
        sets.emplace_back(v.substr(0, eq), v.substr(eq + 1));
      }
    } else if (!options_done && a.rfind("--rule-file=", 0) == 0) {
      rule_file = a.substr(12);
    } else if (!options_done && a == "--") {
      options_done = true;
    } else if (!options_done && a.size() > 1 && a[0] == '-' && a != "-") {
      std::fprintf(stderr, "eqlite match: unknown option %s\n%s", a.c_str(), kMatchUsage);
      return kError;
    } else {
      positional.push_back(a);
    }
  }
  RuleSource rule;
  if (!rule_file.empty()) {
    if (!load_rule(rule_file, rule)) return kError;
  } else {
    if (positional.empty()) {
      std::fprintf(stderr, "eqlite match: no query given\n%s", kMatchUsage);
      return kError;
    }
    rule.text = positional.front();
    positional.erase(positional.begin());
  }
  auto query = eqlite::compile(rule.text, options);
  if (!query) {
    print_compile_error(rule, query.error());
    return kError;
  }

  Output out;
  Pipes pipes(query->pipes(), out, count);
  MatchRun run{*query, eqlite::JsonReader(*query, reader_options),
               {},     {},
               pipes,  reader_options.max_event_bytes};
  std::vector<std::string> set_strings;
  set_strings.reserve(sets.size());
  for (const auto& [field, value] : sets) {
    set_strings.push_back(value);
    run.reader.set_constant(field, parse_set_value(set_strings.back()));
  }
  if (positional.empty()) positional.push_back("-");
  bool error = false;
  bool stop = false;
  for (const auto& file : positional) {
    if (stop) break;
    std::string err;
    if (file == "-") {
      if (!run.stream(STDIN_FILENO, "(standard input)", err, stop)) {
        std::fprintf(stderr, "eqlite: cannot read standard input: %s\n", err.c_str());
        error = true;
      }
      continue;
    }
    int fd = ::open(file.c_str(), O_RDONLY);
    if (fd < 0) {
      std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), std::strerror(errno));
      error = true;
      continue;
    }
    if (!run.stream(fd, file, err, stop)) {
      std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), err.c_str());
      error = true;
    }
    ::close(fd);
  }
  pipes.finish();
  if (count) out.write(std::to_string(pipes.emitted()) + "\n");
  out.flush();
  if (run.skipped > 0)
    std::fprintf(stderr, "eqlite: skipped %llu malformed line%s of %llu\n",
                 static_cast<unsigned long long>(run.skipped), run.skipped == 1 ? "" : "s",
                 static_cast<unsigned long long>(run.lines));
  if (stats)
    std::fprintf(
        stderr, "eqlite: %llu lines read: %llu matched, %llu did not match, %llu skipped\n",
        static_cast<unsigned long long>(run.lines), static_cast<unsigned long long>(run.matched),
        static_cast<unsigned long long>(run.lines - run.matched - run.skipped),
        static_cast<unsigned long long>(run.skipped));
  if (error) return kError;
  return pipes.emitted() > 0 ? kMatched : kNoMatch;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// What `check --fields-from` learns from sample data: every path that has a value.
struct FieldCensus {
  std::set<std::string, std::less<>> paths;
  std::uint64_t events = 0;
  std::vector<std::string> files;

  bool load(const std::string& file) {
    std::string text, err;
    if (!read_file(file, text, err)) {
      std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), err.c_str());
      return false;
    }
    files.push_back(file);
    eqlite::JsonReader reader(std::vector<std::string>{});
    const std::function<void(std::string_view)> sink = [&](std::string_view p) {
      if (paths.find(p) == paths.end()) paths.emplace(p);
    };
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t nl = text.find('\n', start);
      if (nl == std::string::npos) nl = text.size();
      std::string_view line(text.data() + start, nl - start);
      start = nl + 1;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      if (reader.for_each_path(line, sink)) ++events;
    }
    return true;
  }

  // Up to three paths whose last segment shares a word (of 3+ letters) with f's last segment.
  std::string similar_fields(const std::string& f) const {
    auto words = [](std::string_view path) {
      std::vector<std::string_view> w;
      path = path.substr(path.rfind('.') + 1);
      std::size_t b = 0;
      while (b <= path.size()) {
        std::size_t e = path.find('_', b);
        if (e == std::string_view::npos) e = path.size();
        if (e - b >= 3) w.push_back(path.substr(b, e - b));
        b = e + 1;
      }
      return w;
    };
    const auto mine = words(f);
    std::vector<std::pair<std::size_t, const std::string*>> ranked;
    for (const auto& p : paths) {
      std::size_t shared = 0;
      for (auto w : words(p))
        shared += std::count(mine.begin(), mine.end(), w);
      if (shared) ranked.emplace_back(shared, &p);
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second->size() < b.second->size();
    });
    std::string out;
    for (std::size_t i = 0; i < ranked.size() && i < 3; ++i)
      out += (i ? ", [" : "[") + *ranked[i].second + "]";
    return out;
  }

  // Warnings for the fields of `q` that never have a value in the data.
  void report(const std::string& label, const eqlite::Query& q,
              const std::set<std::string, std::less<>>& constants) const {
    std::string where = files.size() == 1 ? files[0] : std::to_string(files.size()) + " files";
    for (const auto& f : q.fields()) {
      if (paths.count(f) || constants.count(f)) continue;
      std::string msg = (label.empty() ? "" : label + ": ") + "warning: field [" + f +
                        "] has no value in any of the " + std::to_string(events) + " events of " +
                        where;
      const std::string* best = nullptr;
      std::size_t best_d = std::max<std::size_t>(3, f.size() / 8) + 1;
      for (const auto& p : paths) {
        std::size_t d = edit_distance(f, p);
        if (d < best_d) {
          best_d = d;
          best = &p;
        }
      }
      if (best) {
        msg += "; did you mean [" + *best + "]?";
      } else if (auto similar = similar_fields(f); !similar.empty()) {
        msg += "; fields with similar names: " + similar;
      } else {
        msg +=
            " (a constant of the data stream, such as event.dataset, is not stored in the "
            "documents: supply it with --set " +
            f + "=VALUE)";
      }
      std::fprintf(stderr, "%s\n", msg.c_str());
    }
  }
};

int cmd_check(int argc, char** argv) {
  bool ast = false, bytecode = false, rule_mode = false;
  std::vector<std::string> positional, rule_files, data_files;
  std::set<std::string, std::less<>> constants;
  eqlite::CompileOptions options;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::fputs(kCheckUsage, stdout);
      return 0;
    } else if (a == "--ast") {
      ast = true;
    } else if (a == "--bytecode") {
      bytecode = true;
    } else if (a == "--fields-from" || a == "--set" || a == "--category-field") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite check: %s needs an argument\n%s", a.c_str(), kCheckUsage);
        return kError;
      }
      std::string v = argv[++i];
      if (a == "--category-field")
        options.category_field = v;
      else if (a == "--fields-from")
        data_files.push_back(v);
      else
        constants.insert(v.substr(0, v.find('=')));
    } else if (a == "--rule-file") {
      rule_mode = true;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "eqlite check: --rule-file needs an argument\n%s", kCheckUsage);
        return kError;
      }
      rule_files.push_back(argv[++i]);
    } else if (a.size() > 1 && a[0] == '-') {
      std::fprintf(stderr, "eqlite check: unknown option %s\n%s", a.c_str(), kCheckUsage);
      return kError;
    } else {
      positional.push_back(a);
    }
  }
  std::vector<RuleSource> rules;
  bool failed = false;
  if (rule_mode) {
    rule_files.insert(rule_files.end(), positional.begin(), positional.end());
    for (const auto& f : rule_files) {
      RuleSource r;
      if (load_rule(f, r))
        rules.push_back(std::move(r));
      else
        failed = true;
    }
  } else {
    if (positional.size() != 1) {
      std::fprintf(stderr, "eqlite check: give one QUERY, or --rule-file FILE...\n%s", kCheckUsage);
      return kError;
    }
    rules.push_back({positional[0], ""});
  }
  FieldCensus census;
  for (const auto& f : data_files)
    if (!census.load(f)) failed = true;
  for (const auto& r : rules) {
    auto q = eqlite::compile(r.text, options);
    if (!q) {
      print_compile_error(r, q.error());
      failed = true;
      continue;
    }
    if (!census.files.empty()) census.report(r.label, *q, constants);
    std::string prefix = r.label.empty() ? "" : r.label + ": ";
    if (ast) std::printf("%s%s\n", prefix.c_str(), q->dump_ast().c_str());
    if (bytecode) {
      if (!r.label.empty()) std::printf("%s:\n", r.label.c_str());
      std::printf("%s", q->disassemble().c_str());
    }
  }
  return failed ? kError : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed output pipe is a write error we handle
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return kError;
  }
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "-V" || cmd == "version") {
    std::printf("eqlite %s\n", eqlite::kVersion);
    return 0;
  }
  if (cmd == "match") return cmd_match(argc - 2, argv + 2);
  if (cmd == "check") return cmd_check(argc - 2, argv + 2);
  std::fprintf(stderr, "eqlite: unknown command '%s'\n%s", cmd.c_str(), kUsage);
  return kError;
}
