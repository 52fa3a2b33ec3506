// fuzz/fuzz_query.cpp — libFuzzer target: the input bytes are EQL query text.
//
// Checks, for every input:
//  * compile() never crashes or hangs, with the default options and with small limits
//    (max_depth 4, max_query_length 64), and (a quarter of the inputs) another category field;
//  * an error has a code other than InvalidArgument (the verifier's "internal error"), a
//    non-empty message, and a position inside the text that agrees with SourceLocation::at();
//    to_string() and format(text) work;
//  * limits only restrict: what compiles under small limits compiles under the defaults, to the
//    same AST;
//  * the parser round-trips: parse -> ast::to_eql -> parse gives the same S-expression, and
//    printing again gives the same text;
//  * a compiled query: dump_ast() equals the parser's S-expression, disassemble() works, and on
//    a few fixed events (strings, numbers, big numbers, arrays, arrays of objects, dotted keys,
//    null, non-ASCII) the VM gives the same answer twice, the same answer on the JsonReader event
//    and on the event flattened into a FlatEvent, and the same answer as the reference
//    interpreter (tests/support/), an independent tree walk written from the contract.
#include <cstddef>
#include <cstdint>
#include <iterator>
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

struct FixedEvent {
  std::string json;
  eqlite::FlatEvent flat;
};

const std::vector<FixedEvent>& events() {
  static const std::vector<FixedEvent> list = [] {
    // clang-format off
    const char* texts[] = {
        R"({"@timestamp":"2024-01-01T00:00:00Z","event":{"category":["process","start"],"type":"start"},)"
        R"("process":{"name":"cmd.exe","pid":4312,"args":["/c","whoami"],"command_line":"cmd.exe /c whoami",)"
        R"("parent":{"name":"WINWORD.EXE","pid":4312}},"user":{"name":"Alice","domain":"CORP"},)"
        R"("code":"4624","exit_code":0,"ratio":0.5,"elevated":true,"a":null,"source":{"ip":"10.6.48.157"},)"
        R"("destination":{"port":3389},"host":{"os":{"type":"windows"}}})",
        R"({"event.category":"file","user":{"name":"\u00e9cole","id":"0"},"name":"\u00c9\u212a\ud83d\ude00",)"
        R"("a":[1,"1",1.5,true,null,[],{"x":1}],"b":{"c":{"d":"x*y?z\\"}},"b.c.d":["",-0.0],)"
        R"("big":9223372036854775808,"max":9223372036854775807,"min":-9223372036854775808,"huge":1e308,)"
        R"("tiny":5e-324,"ip":"fe80::1","process":{"name":"CMD.EXE","args":[],"pid":"0x1F"},"nul":"a\u0000b",)"
        R"("category":"process"})",
        R"({"process":[{"name":"a"},{"name":"b","pid":1},{"name":null}],"a":"true","b":"","c":[[1,2],[3]],)"
        R"("x.y":"dotted","x":{"y":["nested",false]},"event":{"category":"Process"},"e":{},"f":[],)"
        R"("text":"line\nbreak\ttab","num":"  12 ","neg":-7,"d":-2.5})",
        R"({})",
    };
    // clang-format on
    // Filled in place, never copied: a copied FlatEvent's strings would view the original's.
    std::vector<FixedEvent> out(std::size(texts));
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i].json = texts[i];
      FUZZ_CHECK(eqlite::fuzz::flatten_json(out[i].json, out[i].flat),
                 "fixed event does not read: " + out[i].json);
    }
    return out;
  }();
  return list;
}

void check_error(std::string_view text, const eqlite::Error& e) {
  const std::string input = "input: \"" + printable(text) + "\"\nerror: " + e.to_string();
  FUZZ_CHECK(e.code != eqlite::ErrorCode::InvalidArgument, input);
  FUZZ_CHECK(e.code != eqlite::ErrorCode::BadJson, input);
  FUZZ_CHECK(!e.message.empty(), input);
  FUZZ_CHECK(e.where.line >= 1 && e.where.column >= 1, input);
  FUZZ_CHECK(e.where.offset <= text.size(), input);
  const auto at = eqlite::SourceLocation::at(text, e.where.offset);
  FUZZ_CHECK(at.line == e.where.line && at.column == e.where.column, input);
  const std::string formatted = e.format(text);
  FUZZ_CHECK(formatted.find('^') != std::string::npos, input);
  (void)eqlite::to_string(e.code);
}

// parse -> to_eql -> parse: same tree; printing the second tree gives the same text.
void check_round_trip(std::string_view text, const eqlite::ast::Query& first) {
  const std::string printed = eqlite::ast::to_eql(first);
  eqlite::internal::ParseLimits limits;
  limits.max_depth = 400;  // the printed text is fully parenthesised: deeper than the input
  auto second = eqlite::internal::parse(printed, limits);
  if (!second && second.error().code == eqlite::ErrorCode::LimitExceeded) return;
  const std::string detail =
      "input: \"" + printable(text) + "\"\nprinted: \"" + printable(printed) +
      "\"\nfirst:   " + eqlite::ast::to_sexpr(first) +
      "\nsecond:  " + (second ? eqlite::ast::to_sexpr(*second) : second.error().to_string());
  FUZZ_CHECK(second.ok(), detail);
  FUZZ_CHECK(eqlite::ast::to_sexpr(*second) == eqlite::ast::to_sexpr(first), detail);
  FUZZ_CHECK(eqlite::ast::to_eql(*second) == printed, detail);
}

void evaluate(std::string_view text, const eqlite::Query& q, const eqlite::ast::Query& ast,
              const std::string& category_field) {
  static eqlite::Vm vm;
  static eqlite::Event event;
  eqlite::JsonReader reader(q);
  for (const auto& e : events()) {
    const std::string detail = "input: \"" + printable(text) + "\"\nast: " + q.dump_ast() +
                               "\nevent: " + e.json + "\ncategory field: " + category_field;
    auto ok = reader.read(e.json, event);
    FUZZ_CHECK(ok.ok(), detail + "\nread error: " + ok.error().to_string());
    const bool got = vm.matches(q, event);
    FUZZ_CHECK(vm.matches(q, event) == got, detail + "\nnot deterministic");
    const bool flat = vm.matches(q, e.flat);
    FUZZ_CHECK(flat == got, detail + "\nJsonReader event: " + (got ? "true" : "false") +
                                ", FlatEvent: " + (flat ? "true" : "false"));
    const bool ref = eqlite::testing::reference_matches(ast, e.flat, category_field);
    FUZZ_CHECK(ref == got, detail + "\nVM: " + (got ? "true" : "false") +
                               ", reference interpreter: " + (ref ? "true" : "false"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInput) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)events();

  const eqlite::CompileOptions defaults;
  auto q = eqlite::compile(text, defaults);
  auto parsed = eqlite::internal::parse(text);
  if (!q) check_error(text, q.error());
  if (!parsed) check_error(text, parsed.error());
  // A parse error is a compile error (the same one).
  if (!parsed && q) FUZZ_CHECK(false, "parse fails, compile succeeds: " + printable(text));
  if (parsed) check_round_trip(text, *parsed);

  if (q) {
    FUZZ_CHECK(parsed.ok(), "compiles but does not parse: " + printable(text));
    FUZZ_CHECK(q->text() == text, "Query::text() differs: " + printable(text));
    FUZZ_CHECK(q->dump_ast() == eqlite::ast::to_sexpr(*parsed),
               "dump_ast differs from the parser's tree: " + printable(text));
    FUZZ_CHECK(!q->disassemble().empty(), "empty disassembly: " + printable(text));
    for (const auto& f : q->fields())
      (void)f.size();
    evaluate(text, *q, *parsed, defaults.category_field);
  }

  // Small limits: errors must be just as well-formed; success implies success with the defaults.
  eqlite::CompileOptions small_depth;
  small_depth.max_depth = 4;
  eqlite::CompileOptions small_length;
  small_length.max_query_length = 64;
  for (const auto* opts : {&small_depth, &small_length}) {
    auto r = eqlite::compile(text, *opts);
    if (!r) {
      check_error(text, r.error());
      continue;
    }
    FUZZ_CHECK(q.ok(), "compiles under small limits only: " + printable(text));
    FUZZ_CHECK(r->dump_ast() == q->dump_ast(), "limits change the AST: " + printable(text));
  }

  // Another category field: the category test reads it (P1). On a quarter of the inputs only:
  // parsing dominates the cost of an input.
  if (q && size % 4 == 0) {
    eqlite::CompileOptions other;
    other.category_field = "category";
    auto r = eqlite::compile(text, other);
    FUZZ_CHECK(r.ok(), "category_field changes compilability: " + printable(text));
    evaluate(text, *r, *parsed, other.category_field);
  }
  return 0;
}
