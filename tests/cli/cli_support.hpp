// tests/cli/cli_support.hpp — running the eqlite binary as a process, for the CLI tests.
//
// Each test gets its own temporary directory (mkdtemp under /tmp). The binary runs through
// `/bin/sh -c` with that directory as its working directory, stdin from a file holding the given
// string (or a pipe fed in odd chunks), and stdout / stderr captured separately.
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

namespace cli_test {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

inline const std::string kBin = EQLITE_BIN;
inline const std::string kSourceDir = EQLITE_SOURCE_DIR;
inline const std::string kCorpusDir = EQLITE_CORPUS_DIR;

// Single-quotes `s` for the shell.
inline std::string q(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  out += "'";
  return out;
}

inline std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_all(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  REQUIRE(out.good());
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1))
    ++n;
  return n;
}

struct RunResult {
  int status = -1;  // the exit status, or -1 when the process did not exit normally
  std::string out;
  std::string err;
};

// A per-test temporary directory; the CLI runs with it as its working directory.
class Cli {
 public:
  Cli() {
    char tmpl[] = "/tmp/eqlite-cli-test-XXXXXX";
    const char* made = ::mkdtemp(tmpl);
    REQUIRE(made != nullptr);
    dir_ = made;
  }
  ~Cli() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Cli(const Cli&) = delete;
  Cli& operator=(const Cli&) = delete;

  const std::string& dir() const { return dir_; }

  // Writes `name` (relative to the temporary directory) and returns its full path.
  std::string file(const std::string& name, const std::string& text) const {
    std::string path = dir_ + "/" + name;
    write_all(path, text);
    return path;
  }

  // Runs a shell command line in the temporary directory; "$EQLITE" is the built binary.
  RunResult sh(const std::string& command, const std::string& input = "") {
    ++runs_;
    const std::string base = dir_ + "/.run" + std::to_string(runs_);
    write_all(base + ".in", input);
    const std::string line = "EQLITE=" + q(kBin) + "; export EQLITE; cd " + q(dir_) + " && ( " +
                             command + " ) <" + q(base + ".in") + " >" + q(base + ".out") + " 2>" +
                             q(base + ".err");
    RunResult r;
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0) {
      REQUIRE(errno == EINTR);
    }
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    r.out = read_all(base + ".out");
    r.err = read_all(base + ".err");
    return r;
  }

  // Runs `eqlite ARGS` (ARGS is shell text: quote queries with q()).
  RunResult run(const std::string& args, const std::string& input = "") {
    return sh("\"$EQLITE\" " + args, input);
  }

  // Runs `eqlite ARGS` with `input` written to its standard input through a pipe, in chunks of
  // 1 to max_chunk bytes (sizes drawn from `seed`) with short pauses now and then, so that the
  // tool's reads return odd pieces: lines, BOM and CRLF split anywhere.
  RunResult run_piped(const std::string& args, const std::string& input, std::uint64_t seed,
                      std::size_t max_chunk = 7) {
    ++runs_;
    const std::string base = dir_ + "/.run" + std::to_string(runs_);
    const std::string line = "EQLITE=" + q(kBin) + "; export EQLITE; cd " + q(dir_) +
                             " && \"$EQLITE\" " + args + " >" + q(base + ".out") + " 2>" +
                             q(base + ".err");
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    ::signal(SIGPIPE, SIG_IGN);  // the tool may stop reading early (| head N)
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      ::close(fds[1]);
      ::dup2(fds[0], STDIN_FILENO);
      ::close(fds[0]);
      ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[0]);
    std::uint64_t state = seed * 0x9E3779B97F4A7C15u + 1;
    std::size_t chunks = 0;
    for (std::size_t off = 0; off < input.size();) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      const std::size_t n = std::min<std::size_t>(1 + state % max_chunk, input.size() - off);
      ssize_t w = ::write(fds[1], input.data() + off, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;  // the reader is gone
      off += static_cast<std::size_t>(w);
      if (++chunks % 251 == 0) ::usleep(200);
    }
    ::close(fds[1]);
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0) {
      REQUIRE(errno == EINTR);
    }
    RunResult r;
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
    r.out = read_all(base + ".out");
    r.err = read_all(base + ".err");
    return r;
  }

 private:
  std::string dir_;
  int runs_ = 0;
};

}  // namespace cli_test

#define SHOW(r) \
  INFO("exit status: " << (r).status << "\nstdout:\n" << (r).out << "\nstderr:\n" << (r).err)
