// fuzz/fuzz_ndjson.cpp — libFuzzer target: the input bytes are an NDJSON stream.
//
// The stream is split into lines as the CLI does (a UTF-8 BOM at the start is ignored, a line
// ends at '\n', a '\r' before it is dropped, blank lines are skipped, a last line without '\n'
// counts). Each line is read by the JsonReader of every rule of a fixed rule set (the T1078.004
// rule of examples/, and rules with `:` wildcards, like~, regex, in/in~, functions, cidrMatch,
// arithmetic, field-to-field comparisons), and JsonReader::for_each_path lists its paths.
// Checks, per line:
//  * nothing crashes or hangs; an error is BadJson with a message;
//  * whether a line is valid is a property of the text, not of the projection: every rule's
//    reader, the path lister and a reader of all its paths agree;
//  * reading the same line again gives the same answer (the reader's buffers are reused);
//  * the three readers (structural, DOM, On-Demand) give the same event: a reader of each rule
//    with only On-Demand enabled reads the same values in the same order;
//  * a reader that prescans the whole stream (JsonReader::prescan, as the CLI does per block)
//    gives each line the verdict, the error and the values of a reader that reads it alone;
//  * the VM's answer on the projected event (only the rule's fields are read, other subtrees
//    are skipped) equals its answer on the whole document flattened into a FlatEvent, and the
//    reference interpreter (tests/support/) agrees.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <eqlite/eqlite.hpp>

#include "fuzz_support.hpp"
#include "parser/ast.hpp"
#include "parser/parse.hpp"
#include "support/reference_interpreter.hpp"

namespace {

using eqlite::fuzz::printable;

constexpr std::size_t kMaxInput = 1 << 16;
constexpr std::size_t kMaxLines = 256;

struct Rule {
  std::string text;
  eqlite::Query query;
  eqlite::ast::Query ast;
  eqlite::JsonReader reader;
  eqlite::JsonReader on_demand;  // ReaderOptions with only the On-Demand walk
  eqlite::JsonReader blocked;    // prescans the whole stream
};

eqlite::ReaderOptions on_demand_only() {
  eqlite::ReaderOptions o;
  o.structural_reader = false;
  o.dom_reader = false;
  return o;
}

bool same_value(const eqlite::Value& a, const eqlite::Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case eqlite::ValueKind::Null:
      return true;
    case eqlite::ValueKind::Bool:
      return a.as_bool() == b.as_bool();
    case eqlite::ValueKind::Int:
      return a.as_int() == b.as_int();
    case eqlite::ValueKind::Double:
      return (a.as_double() == b.as_double() &&
              std::signbit(a.as_double()) == std::signbit(b.as_double())) ||
             (std::isnan(a.as_double()) && std::isnan(b.as_double()));
    case eqlite::ValueKind::String:
      return a.as_string() == b.as_string();
  }
  return false;
}

// The same values of field f, in the same order, in both events.
bool same_values(const eqlite::Event& x, const eqlite::Event& y, std::uint32_t f) {
  auto a = x.values(f), b = y.values(f);
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (!same_value(a[k], b[k])) return false;
  return true;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FUZZ_CHECK(in.good(), "cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::unique_ptr<Rule>>& rules() {
  static std::vector<std::unique_ptr<Rule>> list = [] {
    // clang-format off
    std::vector<std::string> texts = {
        read_text(EQLITE_SOURCE_DIR "/examples/t1078_004.eql"),
        R"(process where process.name : ("*cmd*.exe", "c?d.EXE", "*a*a*a*?b", "pow*shell*") or user.name like~ "ADM*" or process.parent.name like "*\\*")",
        R"(any where process.args regex~ ("-(enc|e)[a-z]*", ".*\\\\temp\\\\.*", "[^/]+/[0-9]{2,}") and not process.pid in (0, 4, 8, "12"))",
        R"(any where startsWith~(process.name, "pow") or length(user.name) > 3 and stringContains(concat(user.domain, "\\", user.name), "adm") or indexOf~(process.command_line, "X", 2) >= 0 or endsWith(process.executable, ".exe"))",
        R"(any where cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16", "fe80::/10", "2001:db8::/32") and destination.port in (22, 3389, "445", 1.5) or source.ip in~ ("::1", "LOCALHOST"))",
        R"(any where (process.pid + 1) * 2 - process.parent.pid % 7 > 100 or number(code, 16) == 31 or substring(name, -3) == "exe" or between~(a, "x", "y", true) == "z" or -a / 0 == null or string(b) : "1*")",
        R"(any where a == b or a != null and not (c.d < 5) or e or a.b.c >= "m" or `x.y` == `x`.y)",
        R"(any where event.dataset in~ ("AZURE.SIGNINLOGS", "okta.system") and azure.signinlogs.properties.status.error_code == "0" and user.name not in ("a", "b") | head 3)",
    };
    // clang-format on
    std::vector<std::unique_ptr<Rule>> out;
    for (auto& t : texts) {
      auto q = eqlite::compile(t);
      FUZZ_CHECK(q.ok(), "rule does not compile: " + t + "\n" + q.error().format(t));
      auto ast = eqlite::internal::parse(t);
      FUZZ_CHECK(ast.ok(), "rule does not parse: " + t);
      eqlite::JsonReader reader(*q);
      eqlite::JsonReader on_demand(*q, on_demand_only());
      eqlite::JsonReader blocked(*q);
      out.push_back(std::unique_ptr<Rule>(new Rule{std::move(t), std::move(*q), std::move(*ast),
                                                   std::move(reader), std::move(on_demand),
                                                   std::move(blocked)}));
    }
    return out;
  }();
  return list;
}

void check_line(std::string_view line) {
  static eqlite::Vm vm;
  static eqlite::Event event;
  static eqlite::JsonReader lister(std::vector<std::string>{});
  static eqlite::FlatEvent flat;

  const std::string detail = "line: \"" + printable(line) + "\"";
  std::size_t npaths = 0;
  auto listed = lister.for_each_path(line, [&](std::string_view path) {
    ++npaths;
    (void)path.size();
  });
  if (!listed) {
    FUZZ_CHECK(listed.error().code == eqlite::ErrorCode::BadJson, detail);
    FUZZ_CHECK(!listed.error().message.empty(), detail);
  }
  const bool whole = eqlite::fuzz::flatten_json(line, flat);
  FUZZ_CHECK(whole == listed.ok(),
             detail + "\nfor_each_path: " + (listed ? "ok" : listed.error().message) +
                 "\nreading every path: " + (whole ? "ok" : "failed"));

  for (auto& r : rules()) {
    const std::string rdetail = detail + "\nrule: " + r->text;
    static eqlite::Event blocked;  // `line` lies in the prescanned, padded stream
    auto blocked_ok = r->blocked.read_padded(line, blocked);
    auto ok = r->reader.read(line, event);
    FUZZ_CHECK(blocked_ok.ok() == ok.ok(), rdetail +
                                               "\nread alone: " + (ok ? "ok" : ok.error().message) +
                                               "\nread from the prescanned stream: " +
                                               (blocked_ok ? "ok" : blocked_ok.error().message));
    if (!ok) {
      FUZZ_CHECK(blocked_ok.error().message == ok.error().message, rdetail);
    } else {
      for (std::uint32_t f = 0; f < r->query.fields().size(); ++f)
        FUZZ_CHECK(same_values(event, blocked, f),
                   rdetail + "\nfield " + r->query.fields()[f] +
                       ": the prescanned stream's line reads otherwise");
    }
    FUZZ_CHECK(ok.ok() == listed.ok(),
               rdetail + "\nrule's reader: " + (ok ? "ok" : ok.error().message) +
                   "\nfor_each_path: " + (listed ? "ok" : listed.error().message));
    if (!ok) {
      FUZZ_CHECK(ok.error().code == eqlite::ErrorCode::BadJson, rdetail);
      continue;
    }
    {
      static eqlite::Event slow;
      auto slow_ok = r->on_demand.read(line, slow);
      FUZZ_CHECK(slow_ok.ok(), rdetail +
                                   "\nthe On-Demand reader rejects what the fast ones read: " +
                                   (slow_ok ? "" : slow_ok.error().message));
      for (std::uint32_t f = 0; f < r->query.fields().size(); ++f)
        FUZZ_CHECK(same_values(event, slow, f),
                   rdetail + "\nfield " + r->query.fields()[f] +
                       ": the fast readers and the On-Demand reader read different values");
    }
    const bool got = vm.matches(r->query, event);
    auto again = r->reader.read(line, event);
    FUZZ_CHECK(again.ok(), rdetail + "\nthe second read fails");
    FUZZ_CHECK(vm.matches(r->query, event) == got, rdetail + "\nthe second read answers otherwise");
    const bool on_flat = vm.matches(r->query, flat);
    FUZZ_CHECK(on_flat == got,
               rdetail + "\nprojected event: " + (got ? "true" : "false") +
                   ", whole document as a FlatEvent: " + (on_flat ? "true" : "false"));
    const bool ref = eqlite::testing::reference_matches(r->ast, flat);
    FUZZ_CHECK(ref == got, rdetail + "\nVM: " + (got ? "true" : "false") +
                               ", reference interpreter: " + (ref ? "true" : "false"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  // A padded copy: lines are read in place, and the whole stream is prescanned once.
  static std::string stream;
  stream.assign(reinterpret_cast<const char*>(data), size);
  stream.append(eqlite::kJsonPadding, ' ');
  std::string_view input(stream.data(), size);
  (void)rules();
  if (input.starts_with("\xEF\xBB\xBF")) input.remove_prefix(3);  // a BOM at the start
  for (auto& r : rules())
    r->blocked.prescan(input);
  std::size_t lines = 0;
  while (!input.empty() && lines < kMaxLines) {
    const std::size_t nl = input.find('\n');
    std::string_view line = input.substr(0, nl);
    input = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    ++lines;
    check_line(line);
  }
  return 0;
}
