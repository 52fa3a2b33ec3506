// tests/cli/hostile_test.cpp — hostile input through the command-line tool (issue #5,
// docs/robustness.md): every bad line is reported with its number and reason, counted and
// skipped; every good line around it is still evaluated; a valid event with huge values is
// still an event; nothing is lost, whether the input comes from a file or from a pipe that
// delivers it in odd pieces; a closed stdout ends the run quietly.
#include <cstdint>
#include <string>
#include <vector>

#include "cli/cli_support.hpp"

using namespace cli_test;

namespace {

const std::string kRule = q(R"(any where tag == "hit")");

struct Hostile {
  const char* name;
  std::string line;
  const char* reason;  // nullptr: a valid event (it has tag "hit", so it matches)
};

std::string deep(std::size_t levels) {
  return R"({"tag":"hit","d":)" + std::string(levels, '[') + std::string(levels, ']') + "}";
}

std::vector<Hostile> hostile_lines() {
  std::string many_keys = "{";
  for (int i = 0; i < 100000; ++i)
    many_keys += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  many_keys += R"("tag":"hit"})";
  return {
      {"invalid UTF-8 in a value", "{\"tag\":\"hit\",\"s\":\"\xFF\xFE\"}", "invalid JSON"},
      {"invalid UTF-8 in a key the rule does not read", "{\"\xC3\x28\":1,\"tag\":\"hit\"}",
       "invalid JSON"},
      {"truncated JSON", R"({"tag":"hit","s":)", "invalid JSON"},
      {"a JSON array", R"([{"tag":"hit"}])", "not a JSON object (found an array)"},
      {"a number", "42", "not a JSON object (found a number)"},
      {"a string", R"("hit")", "not a JSON object (found a string)"},
      {"null", "null", "not a JSON object (found null)"},
      {"a NUL byte after the object", std::string("{\"tag\":\"hit\"}\0", 14), "invalid JSON"},
      {"a raw NUL byte in a string", std::string("{\"tag\":\"hit\",\"s\":\"a\0b\"}", 23),
       "invalid JSON"},
      {"an escaped NUL in a string", R"({"tag":"hit","s":"a\u0000b"})", nullptr},
      {"a byte-order mark not at the start of the input", "\xEF\xBB\xBF{\"tag\":\"hit\"}",
       "invalid JSON"},
      {"100,000-deep nesting", deep(100000), "nests deeper than 512 levels"},
      {"100,000-deep nesting, unterminated", R"({"tag":"hit","d":)" + std::string(100000, '['),
       "invalid JSON"},
      {"512 levels of nesting", deep(511), nullptr},
      {"100,000 keys", many_keys, nullptr},
      {"an integer beyond int64", R"({"tag":"hit","n":123456789012345678901234567890})", nullptr},
      {"1e400", R"({"tag":"hit","n":1e400,"m":-1e400})", nullptr},
      {"duplicated keys", R"({"tag":"miss","tag":"hit"})", nullptr},
      {"a very long string", R"({"tag":"hit","s":")" + std::string(1 << 20, 'x') + "\"}", nullptr},
      {"a very long key", "{\"" + std::string(1 << 20, 'k') + R"(":1,"tag":"hit"})", nullptr},
  };
}

}  // namespace

TEST_CASE("each hostile line: reported with its number and reason, or evaluated as an event",
          "[hostile]") {
  Cli cli;
  for (const auto& h : hostile_lines()) {
    INFO("case: " << h.name);
    const std::string before = R"({"tag":"hit","n":"before"})";
    const std::string after = R"({"tag":"hit","n":"after"})";
    cli.file("h.ndjson", before + "\n" + h.line + "\r\n" + after);  // CRLF, no final newline
    RunResult r = cli.run("match --stats " + kRule + " h.ndjson");
    if (h.reason) {
      CHECK(r.status == 0);
      CHECK(r.out == before + "\n" + after + "\n");
      CHECK_THAT(r.err, StartsWith("h.ndjson:2: "));
      CHECK_THAT(r.err, Contains(h.reason));
      CHECK_THAT(r.err, Contains("eqlite: skipped 1 malformed line of 3\n"));
      CHECK_THAT(r.err, Contains("eqlite: 3 lines read: 2 matched, 0 did not match, 1 skipped"));
    } else {
      CHECK(r.status == 0);
      CHECK(r.out.size() == before.size() + h.line.size() + after.size() + 3);
      CHECK(r.out == before + "\n" + h.line + "\n" + after + "\n");  // byte for byte
      CHECK(r.err == "eqlite: 3 lines read: 3 matched, 0 did not match, 0 skipped\n");
    }
  }
}

TEST_CASE("huge values are still values: big numbers and many keys", "[hostile]") {
  Cli cli;
  std::string many_keys = "{";
  for (int i = 0; i < 100000; ++i)
    many_keys += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  many_keys += "\"tag\":\"hit\"}";
  cli.file("keys.ndjson", many_keys + "\n");
  CHECK(
      cli.run("match --count " + q("any where k99999 == 99999 and k0 == 0") + " keys.ndjson").out ==
      "1\n");
  cli.file("nums.ndjson",
           "{\"n\":123456789012345678901234567890}\n{\"n\":1e400}\n{\"n\":-1e400}\n"
           "{\"n\":9223372036854775807}\n{\"n\":9223372036854775808}\n");
  {
    // E3: beyond int64 is a double; 1e400 overflows to infinity, as Java's parser gives it
    RunResult r = cli.run("match " + q("any where n > 1e20") + " nums.ndjson");
    SHOW(r);
    CHECK(r.err.empty());
    CHECK(r.out == "{\"n\":123456789012345678901234567890}\n{\"n\":1e400}\n");
  }
  {
    RunResult r =
        cli.run("match --count " + q("any where n >= 9223372036854775807") + " nums.ndjson");
    SHOW(r);
    CHECK(r.out == "4\n");  // the two near 2^63, 1.2e29 and +infinity
  }
}

TEST_CASE("a 64 MiB line is an event, and is written back whole", "[hostile]") {
  Cli cli;
  std::string big = R"({"tag":"hit","payload":")";
  big.append(std::size_t{64} << 20, 'p');
  big += R"(","end":"yes"})";
  cli.file("big.ndjson", "{\"tag\":\"hit\",\"n\":1}\n" + big + "\n{\"tag\":\"miss\"}\n");
  RunResult r =
      cli.run("match " + q(R"(any where end == "yes" and payload : "pp*p")") + " big.ndjson");
  CHECK(r.status == 0);
  CHECK(r.err.empty());
  CHECK(r.out.size() == big.size() + 1);
  CHECK(r.out == big + "\n");
}

TEST_CASE("--max-line-bytes and --max-depth: longer or deeper lines are reported and skipped",
          "[hostile]") {
  Cli cli;
  const std::string long_line = R"({"tag":"hit","s":")" + std::string(5000, 'x') + "\"}";
  const std::string input = "{\"tag\":\"hit\",\"n\":1}\n" + long_line + "\n" + long_line +
                            "\n{\"tag\":\"hit\",\"d\":[[[1]]]}\n{\"tag\":\"hit\",\"n\":5}";
  cli.file("in.ndjson", input);
  const std::string expect_out =
      "{\"tag\":\"hit\",\"n\":1}\n{\"tag\":\"hit\",\"d\":[[[1]]]}\n{\"tag\":\"hit\",\"n\":5}\n";
  const std::string expect_err =
      "in.ndjson:2: the line is longer than 1000 bytes (--max-line-bytes); skipped\n"
      "in.ndjson:3: the line is longer than 1000 bytes (--max-line-bytes); skipped\n"
      "eqlite: skipped 2 malformed lines of 5\n";
  {
    RunResult r = cli.run("match --max-line-bytes 1000 " + kRule + " in.ndjson");
    SHOW(r);
    CHECK(r.status == 0);
    CHECK(r.out == expect_out);
    CHECK(r.err == expect_err);
  }
  {
    // the same through a pipe that delivers a few bytes at a time: a long line is dropped
    // piece by piece, never held whole
    RunResult r = cli.run_piped("match --max-line-bytes 1000 " + kRule, input, 7, 300);
    SHOW(r);
    CHECK(r.out == expect_out);
    CHECK(r.err ==
          "(standard input):2: the line is longer than 1000 bytes (--max-line-bytes); "
          "skipped\n(standard input):3: the line is longer than 1000 bytes "
          "(--max-line-bytes); skipped\neqlite: skipped 2 malformed lines of 5\n");
  }
  {
    RunResult r = cli.run("match --max-depth 3 " + kRule + " in.ndjson");
    SHOW(r);
    CHECK(r.out == "{\"tag\":\"hit\",\"n\":1}\n" + long_line + "\n" + long_line +
                       "\n{\"tag\":\"hit\",\"n\":5}\n");
    CHECK(r.err ==
          "in.ndjson:4: the event nests deeper than 3 levels (max_depth)\n"
          "eqlite: skipped 1 malformed line of 5\n");
  }
  for (const char* bad :
       {"--max-line-bytes 0", "--max-depth -1", "--max-depth x", "--max-line-bytes"}) {
    INFO(bad);
    RunResult r = cli.run(std::string("match ") + bad + " " + kRule + " in.ndjson");
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains("needs a positive whole number"));
  }
}

TEST_CASE("an empty file, and files of only empty or blank lines, have no events", "[hostile]") {
  Cli cli;
  cli.file("empty.ndjson", "");
  cli.file("blank.ndjson", "\n\r\n  \t\n\n");
  for (const char* f : {"empty.ndjson", "blank.ndjson"}) {
    INFO(f);
    RunResult r = cli.run("match --stats " + kRule + " " + f);
    CHECK(r.status == 1);
    CHECK(r.out.empty());
    CHECK(r.err == "eqlite: 0 lines read: 0 matched, 0 did not match, 0 skipped\n");
  }
}

namespace {

// A seeded stream of events and bad lines, with what a straightforward evaluation of
// `n % 7 == 3 or s : "*needle*"` says about each line (computed here, not by eqlite).
struct Stream {
  std::string text;
  std::string expected_out;
  std::uint64_t lines = 0, matched = 0, skipped = 0;
};

Stream make_stream(std::size_t count, std::uint64_t seed) {
  Stream s;
  std::uint64_t state = seed * 0x9E3779B97F4A7C15u + 7;
  auto next = [&](std::uint64_t n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % n;
  };
  const char* bad[] = {"{\"n\":1,",
                       "[1,2]",
                       "not json",
                       "{\"n\":1}}",
                       "\"str\"",
                       "{\"s\":\"\xFF\"}",
                       "{\"n\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1"};
  const char* words[] = {"alpha", "NEEDLE", "beta", "xneedlex", "gamma", "needl", "delta"};
  for (std::size_t i = 0; i < count; ++i) {
    std::string line;
    if (next(10) == 0) {
      line = bad[next(7)];
      ++s.skipped;
    } else {
      const std::uint64_t n = next(1000);
      const std::string w = words[next(7)];
      line = "{\"id\":" + std::to_string(i) + ",\"n\":" + std::to_string(n) + ",\"s\":\"" + w +
             "\",\"pad\":\"" + std::string(next(40), 'z') + "\"}";
      std::string lower = w;
      for (char& c : lower)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (n % 7 == 3 || lower.find("needle") != std::string::npos) {
        s.expected_out += line + "\n";
        ++s.matched;
      }
    }
    ++s.lines;
    s.text += line + (next(5) == 0 ? "\r\n" : "\n");
  }
  return s;
}

const std::string kStreamRule = q(R"(any where n % 7 == 3 or s : "*needle*")");

std::string stats_line(const Stream& s) {
  return "eqlite: " + std::to_string(s.lines) + " lines read: " + std::to_string(s.matched) +
         " matched, " + std::to_string(s.lines - s.matched - s.skipped) + " did not match, " +
         std::to_string(s.skipped) + " skipped\n";
}

}  // namespace

TEST_CASE("nothing lost: matched + unmatched + skipped = lines read, from a file or a pipe",
          "[hostile]") {
  Cli cli;
  const Stream s = make_stream(100000, 1);
  REQUIRE(s.skipped > 5000);
  REQUIRE(s.matched > 10000);
  cli.file("stream.ndjson", s.text);
  RunResult file = cli.run("match --stats " + kStreamRule + " stream.ndjson");
  CHECK(file.status == 0);
  CHECK(file.out == s.expected_out);  // exactly the expected lines, in input order
  CHECK(count_of(file.err, "stream.ndjson:") == s.skipped);
  CHECK_THAT(file.err, Contains(stats_line(s)));
  // Through a pipe in pieces of 1 to 4,099 bytes: the same output, the same reports.
  RunResult piped = cli.run_piped("match --stats " + kStreamRule, s.text, 3, 4099);
  CHECK(piped.status == 0);
  CHECK(piped.out == file.out);
  CHECK(count_of(piped.err, "(standard input):") == s.skipped);
  CHECK_THAT(piped.err, Contains(stats_line(s)));
  // And in pieces of 1 to 7 bytes, with a byte-order mark split across reads.
  const Stream small = make_stream(3000, 2);
  for (std::uint64_t seed : {1, 2, 3}) {
    INFO("seed " << seed);
    RunResult tiny =
        cli.run_piped("match --stats " + kStreamRule, "\xEF\xBB\xBF" + small.text, seed, 7);
    CHECK(tiny.out == small.expected_out);
    CHECK_THAT(tiny.err, Contains(stats_line(small)));
  }
}

TEST_CASE("a closed standard output ends the run quietly", "[hostile]") {
  Cli cli;
  const Stream s = make_stream(200000, 4);
  cli.file("stream.ndjson", s.text);
  RunResult r = cli.sh("( \"$EQLITE\" match " + kStreamRule +
                       " stream.ndjson 2>eqlite.err; echo \"eqlite exit $?\" >&2 ) | head -1");
  SHOW(r);
  CHECK(r.status == 0);
  CHECK(r.out == s.expected_out.substr(0, s.expected_out.find('\n') + 1));
  CHECK(r.err == "eqlite exit 0\n");  // something matched; no crash, no signal
  // eqlite wrote nothing about the closed pipe: only the bad lines it read before it stopped
  for (const auto& line : lines_of(read_all(cli.dir() + "/eqlite.err"))) {
    INFO(line);
    CHECK((line.rfind("stream.ndjson:", 0) == 0 || line.rfind("eqlite: skipped ", 0) == 0));
  }
}
