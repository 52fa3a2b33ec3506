// cli/explain.cpp — eqlite match --explain (cli/explain.hpp).
#include "cli/explain.hpp"

#include <cstdio>
#include <string_view>

#include "cli/common.hpp"
#include "cli/output.hpp"

namespace cli {

namespace {

using Unit = eqlite::RuleSetExplanation::Unit;

std::string unit_name(const eqlite::RuleSet& rules, const Unit& u) {
  std::string name = rules.name(u.rule);
  if (u.stage < 0) return name;
  // Stages as compiled (`with runs=N` is N stages); an until stage is numbered after them.
  return name + " (stage " + std::to_string(u.stage + 1) + ")";
}

// "3 rules: A, B, C" with at most `most` names.
std::string units(const eqlite::RuleSet& rules, const std::vector<Unit>& list, std::size_t most) {
  std::string out = std::to_string(list.size()) + (list.size() == 1 ? " rule" : " rules");
  for (std::size_t i = 0; i < list.size() && i < most; ++i)
    out += (i ? ", " : ": ") + unit_name(rules, list[i]);
  if (list.size() > most) out += ", … (" + std::to_string(list.size() - most) + " more)";
  return out;
}

const char* kind_text(eqlite::RuleSetExplanation::KeyKind k) {
  switch (k) {
    case eqlite::RuleSetExplanation::KeyKind::Exact:
      return "equals key";
    case eqlite::RuleSetExplanation::KeyKind::Folded:
      return "equals (any case) key";
    case eqlite::RuleSetExplanation::KeyKind::Number:
      return "equals the number of key";
    case eqlite::RuleSetExplanation::KeyKind::Contains:
      return "contains literal";
    case eqlite::RuleSetExplanation::KeyKind::AnyValue:
      return "has a value";
  }
  return "?";
}

}  // namespace

int run_explain(const eqlite::RuleSet& rules,
                const std::vector<std::pair<std::string, eqlite::Value>>& constants,
                const eqlite::ReaderOptions& reader, const std::string& file) {
  std::string text, error;
  if (!read_file(file, text, error)) {
    std::fprintf(stderr, "eqlite: cannot read %s: %s\n", file.c_str(), error.c_str());
    return kError;
  }
  eqlite::RuleSetMatcher matcher(rules, reader);
  for (const auto& [field, value] : constants)
    matcher.set_constant(field, value);
  Output out;
  std::size_t start = 0, line = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string_view event(text.data() + start, nl - start);
    start = nl + 1;
    ++line;
    if (!event.empty() && event.back() == '\r') event.remove_suffix(1);
    if (event.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string s = file + ":" + std::to_string(line) + ":";
    auto why = matcher.explain(event);
    if (!why) {
      out.write(s + " " + why.error().message + "\n\n");
      continue;
    }
    s += "\n";
    for (const auto& h : why->hits) {
      s += "  [" + h.field + "]";
      if (h.kind != eqlite::RuleSetExplanation::KeyKind::AnyValue) s += " " + json_quoted(h.value);
      s += std::string(" ") + kind_text(h.kind);
      if (h.kind != eqlite::RuleSetExplanation::KeyKind::AnyValue) s += " " + json_quoted(h.key);
      s += " -> " + units(rules, h.units, 5) + "\n";
    }
    if (why->hits.empty()) s += "  no index key met\n";
    if (!why->always.empty()) s += "  run for every event: " + units(rules, why->always, 5) + "\n";
    if (!why->ruled_out.empty()) {
      // each with the condition it failed
      s += "  ruled out by their other conditions: " + std::to_string(why->ruled_out.size()) +
           (why->ruled_out.size() == 1 ? " rule" : " rules");
      for (std::size_t i = 0; i < why->ruled_out.size() && i < 5; ++i)
        s += (i ? ", " : ": ") + unit_name(rules, why->ruled_out[i]) + " (needs " + why->unmet[i] +
             ")";
      if (why->ruled_out.size() > 5)
        s += ", … (" + std::to_string(why->ruled_out.size() - 5) + " more)";
      s += "\n";
    }
    if (!why->decided.empty())
      s += "  decided by their conditions alone (no VM run): " + units(rules, why->decided, 20) +
           "\n";
    s += "  evaluated: " + units(rules, why->evaluated, 20) + "\n";
    s += "  matched: " + units(rules, why->matched, why->matched.size()) + "\n\n";
    out.write(s);
  }
  out.flush();
  return 0;
}

}  // namespace cli
