// cli/main.cpp — the eqlite command-line tool. The command-line contract (docs/cli.md) is
// relied on by scripts: keep it exactly.
//
//   eqlite match (QUERY | --rule-file RULE.eql) [--count] [--set FIELD=VALUE]... [FILE...]
//   eqlite check [--ast] [--bytecode] (QUERY | --rule-file FILE...)
//
// Exit status as grep's: 0 something matched (check: every rule compiles), 1 nothing matched,
// 2 an error (a query that does not compile, an unreadable file).
#include <eqlite/eqlite.hpp>

#include "cli/common.hpp"

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
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace cli {

namespace {

const char* const kUsage =
    "usage: eqlite match (QUERY | --rule-file RULE... | --rules DIR) [options] [FILE...]\n"
    "       eqlite check [--ast] [--bytecode] [--schema ecs] (QUERY | --rule-file FILE... | "
    "--rules DIR)\n"
    "       eqlite test (--manifest FILE... | RULE DATA...) [options]\n"
    "       eqlite consume --brokers LIST --group G --topic T... (QUERY | --rules DIR...) "
    "[options]\n"
    "       eqlite --help | --version\n"
    "\n"
    "Evaluates Elastic EQL (Event Query Language) rules over NDJSON events.\n"
    "\n"
    "commands:\n"
    "  match   print each input line (one JSON event per line) that matches the rule\n"
    "  check   compile rules and report errors; --schema ecs lints their fields, --ast /\n"
    "          --bytecode show the result\n"
    "  test    run rules over sample events and compare with their expected outcomes\n"
    "  consume run the rules over Kafka topics as a member of a consumer group\n"
    "\n"
    "Run 'eqlite COMMAND --help' for the options of a command.\n"
    "Exit status: 0 when something matched (check: every rule compiles), 1 when nothing\n"
    "matched, 2 on an error.\n";

}  // namespace

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

namespace {
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

}  // namespace

bool parse_size(std::string_view s, std::size_t& out) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > (std::uint64_t{1} << 63))
    return false;
  out = static_cast<std::size_t>(v);
  return true;
}

bool parse_duration(std::string_view s, std::int64_t& out) {
  if (s == "0") {
    out = 0;
    return true;
  }
  const auto ns = eqlite::parse_duration(s);
  if (ns) out = *ns;
  return ns.has_value();
}

// "007", "1.", "-inf" stay strings.
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

void print_compile_error(std::string_view query, const eqlite::Error& e) {
  std::fprintf(stderr, "%s\n", e.format(query).c_str());
}

}  // namespace cli

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed output pipe is a write error we handle
  if (argc < 2) {
    std::fputs(cli::kUsage, stderr);
    return cli::kError;
  }
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fputs(cli::kUsage, stdout);
    return 0;
  }
  if (cmd == "--version" || cmd == "-V" || cmd == "version") {
    std::printf("eqlite %s\n", eqlite::kVersion);
    return 0;
  }
  if (cmd == "match") return cli::cmd_match(argc - 2, argv + 2);
  if (cmd == "check") return cli::cmd_check(argc - 2, argv + 2);
  if (cmd == "test") return cli::cmd_test(argc - 2, argv + 2);
  if (cmd == "consume") return cli::cmd_consume(argc - 2, argv + 2);
  std::fprintf(stderr, "eqlite: unknown command '%s'\n%s", cmd.c_str(), cli::kUsage);
  return cli::kError;
}
