// stream/sequence_program.cpp — compiling a sequence or sample: each stage's filter compiled as
// an event query, then every program moved onto one shared field table.
#include "stream/sequence_program.hpp"

#include <unordered_map>
#include <utility>

#include "eval/compiler.hpp"
#include "eval/program.hpp"

namespace eqlite::internal {

std::string SequenceProgram::disassemble() const {
  std::string out;
  auto stage = [&](const SequenceStage& st, const std::string& title) {
    out += title;
    if (!st.keys.empty()) {
      out += " by";
      for (std::size_t k = 0; k < st.keys.size(); ++k)
        out += (k ? ", " : " ") + std::string(st.optional[k] ? "?" : "") + fields[st.keys[k]];
    }
    out += ":\n" + st.filter.disassemble();
  };
  for (std::size_t i = 0; i < stages.size(); ++i) {
    std::size_t runs = 0;
    for (auto o : order)
      runs += o == i;
    stage(stages[i], std::string(stages[i].missing ? "missing stage " : "stage ") +
                         std::to_string(i + 1) +
                         (runs > 1 ? " (runs=" + std::to_string(runs) + ")" : ""));
  }
  for (const auto& st : until)
    stage(st, "until");
  return out;
}

namespace {

class TableBuilder {
 public:
  std::uint16_t id(const std::string& path) {
    auto [it, fresh] = ids_.emplace(path, static_cast<std::uint16_t>(fields.size()));
    if (fresh) fields.push_back(path);
    return it->second;
  }
  bool full() const { return fields.size() >= 0xFFFF; }
  std::vector<std::string> fields;

 private:
  std::unordered_map<std::string, std::uint16_t> ids_;
};

}  // namespace

Result<Query> compile_sequence(const ast::Query& query, std::string_view text,
                               const CompileOptions& options) {
  // The top level: no condition (`any where false`), the pipes checked and kept.
  auto top = compile_program(query, text, options);
  if (!top) return top.error();
  auto seq = std::make_shared<SequenceProgram>();
  seq->kind = query.kind == ast::Query::Kind::Sample ? QueryKind::Sample : QueryKind::Sequence;
  seq->maxspan_ns = query.maxspan_ns;

  // Each stage's filter on its own field table first.
  struct Compiled {
    std::shared_ptr<Program> program;
    const ast::Stage* stage;
  };
  std::vector<Compiled> compiled;
  for (const auto* list : {&query.stages, &query.until}) {
    for (const auto& st : *list) {
      auto p = compile_program(st.query, text, options);
      if (!p) return p.error();
      compiled.push_back({std::move(*p), &st});
    }
  }

  TableBuilder table;
  seq->timestamp_field = table.id(options.timestamp_field);
  if (!options.tiebreaker_field.empty()) {
    seq->has_tiebreaker = true;
    seq->tiebreaker_field = table.id(options.tiebreaker_field);
  }
  for (const auto& k : query.keys)
    table.id(k.field.path);
  for (const auto& c : compiled) {
    for (const auto& k : c.stage->keys)
      table.id(k.field.path);
    for (const auto& f : c.program->fields)
      table.id(f);
  }
  if (table.full())
    return Error{ErrorCode::LimitExceeded, "the query reads more than 65535 fields",
                 SourceLocation::at(text, 0)};

  std::size_t index = 0;
  for (const auto& c : compiled) {
    std::vector<std::uint16_t> to;
    for (const auto& f : c.program->fields)
      to.push_back(table.id(f));
    auto remapped = remap_fields(*c.program, to, table.fields);
    if (!remapped) return remapped.error();
    SequenceStage st{Query(std::move(*remapped)), {}, {}, c.stage->missing};
    for (const auto* keys : {&query.keys, &c.stage->keys}) {
      for (const auto& k : *keys) {
        st.keys.push_back(table.id(k.field.path));
        st.optional.push_back(k.field.optional ? 1 : 0);
      }
    }
    seq->key_count = st.keys.size();
    if (index < query.stages.size()) {
      for (std::uint32_t r = 0; r < c.stage->runs; ++r)
        seq->order.push_back(static_cast<std::uint32_t>(seq->stages.size()));
      seq->stages.push_back(std::move(st));
    } else {
      seq->until.push_back(std::move(st));
    }
    ++index;
  }
  seq->fields = table.fields;
  auto program = std::make_shared<Program>(**top);
  program->fields = table.fields;
  if (auto ok = verify(*program); !ok) return ok.error();
  return Query(std::move(program), std::move(seq));
}

}  // namespace eqlite::internal

namespace eqlite::internal {

Result<std::shared_ptr<const SequenceProgram>> remap_sequence(
    const SequenceProgram& p, const std::vector<std::uint16_t>& to,
    const std::vector<std::string>& fields) {
  auto out = std::make_shared<SequenceProgram>(p);
  out->fields = fields;
  for (auto* list : {&out->stages, &out->until}) {
    for (auto& st : *list) {
      auto remapped = remap_fields(st.filter.program(), to, fields);
      if (!remapped) return remapped.error();
      st.filter = Query(std::move(*remapped));
      for (auto& k : st.keys)
        k = to.at(k);
    }
  }
  out->timestamp_field = to.at(p.timestamp_field);
  if (p.has_tiebreaker) out->tiebreaker_field = to.at(p.tiebreaker_field);
  return std::shared_ptr<const SequenceProgram>(std::move(out));
}

}  // namespace eqlite::internal
