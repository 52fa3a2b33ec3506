// bench/predicate_census.cpp — how much Elastic's EQL rules share (issue #21, measured before
// designing a compiled rule set; the figures are in docs/performance.md, "What the 861 rules
// share").
//
//   eqlite_predicate_census [RULES.ndjson [EVENTS.ndjson [MAX_EVENTS]]]
//
// A predicate is one comparison of a field with literals: (field, operator or function, case,
// literal set), from Query::field_uses(); `f == "x"` and `f in ("x")` are one predicate, the
// literals of a case-insensitive operator are folded, and `not` is a polarity, not another
// predicate. `<category> where` counts as the predicate `event.category == "<category>"`.
// Each rule's and/or/not structure over its predicates comes from Query::dump_ast(), whose
// field references are in the same order as field_uses(). A predicate is *necessary* when it is
// a top-level conjunct (under `and`s only; under one `not` it must be false).
//
// Over events (read with eqlite's JsonReader), the census evaluates ==, in, in~, :, like,
// like~ and != itself on the text of each value (an integer as its decimal text, a boolean as
// true/false: S8), `?` as one byte; regexes, <, <=, >, >=, function calls and anything else
// are not evaluated and taken to hold (so the rules left to run are an upper bound). Today's
// RuleSet runs over the same events as a check (every rule it reports must pass the census's
// filter) and for comparison. EVENTS defaults to /tmp/ecs.ndjson, written by
// `eqlite_bench --eqlite_dump=ecs`. A measurement, not a matcher.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "eqlite/event.hpp"
#include "eqlite/json_reader.hpp"
#include "eqlite/query.hpp"
#include "eqlite/rule_set.hpp"

namespace {

using eqlite::FieldUse;
using eqlite::LiteralUse;

// ---- the AST dump as a tree (only the shape is needed: heads and field names) ----

struct Node {
  std::string atom;  // an atom or a string's text; empty for a list
  bool list = false;
  std::vector<Node> kids;
};

Node parse_sexpr(std::string_view s, std::size_t& i) {
  while (i < s.size() && s[i] == ' ')
    ++i;
  Node n;
  if (s[i] == '(') {
    n.list = true;
    ++i;
    while (i < s.size()) {
      while (i < s.size() && s[i] == ' ')
        ++i;
      if (s[i] == ')') {
        ++i;
        break;
      }
      n.kids.push_back(parse_sexpr(s, i));
    }
  } else if (s[i] == '"') {
    for (++i; i < s.size() && s[i] != '"'; ++i)
      n.atom += s[i] == '\\' ? s[++i] : s[i];
    ++i;
  } else {
    while (i < s.size() && s[i] != ' ' && s[i] != '(' && s[i] != ')')
      n.atom += s[i++];
  }
  return n;
}

std::string_view head(const Node& n) {
  return n.list && !n.kids.empty() ? std::string_view(n.kids[0].atom) : std::string_view();
}

// ---- predicates ----

enum class Eval { Exact, ExactCi, Glob, GlobCi, NotEqual, Exists, None };

struct Predicate {
  std::string field;
  std::string op;  // "==", "in~", ":", "like", "like~", "!=", "regex", "<", "call endsWith~", ...
  std::vector<std::string> literals;  // sorted, distinct; folded for a case-insensitive op
  Eval eval = Eval::None;
  bool quoted = true;                 // string literals (shown quoted)
  std::set<int> event_rules, stages;  // the units using it
  int occurrences = 0;
  std::string show() const {
    std::string s = field + " " + op + " ";
    if (literals.size() != 1) s += "(";
    for (std::size_t i = 0; i < literals.size() && i < 4; ++i)
      s += (i ? ", " : "") + (quoted ? '"' + literals[i] + '"' : literals[i]);
    if (literals.size() > 4) s += ", ... " + std::to_string(literals.size()) + " values";
    return literals.size() != 1 ? s + ")" : s;
  }
};

// A rule's condition over its predicates: and, or, a predicate (possibly negated), or
// anything the census does not model (taken to hold).
struct Filter {
  enum Kind { And, Or, Leaf, Unknown } kind = Unknown;
  int predicate = -1;
  bool negative = false;
  std::vector<Filter> kids;
};

struct Unit {  // an event rule, or one stage of a sequence or sample
  bool stage = false;
  std::vector<int> predicates;  // every occurrence
  Filter filter;                // And(category, condition), `and`s flattened
};

std::string fold(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool has_wildcard(std::string_view s) {
  return s.find_first_of("*?") != std::string_view::npos;
}

bool glob(std::string_view p, std::string_view v) {  // S6: `*` any run, `?` one byte here
  std::size_t pi = 0, vi = 0, star = std::string_view::npos, mark = 0;
  while (vi < v.size()) {
    if (pi < p.size() && (p[pi] == '?' || p[pi] == v[vi])) {
      ++pi, ++vi;
    } else if (pi < p.size() && p[pi] == '*') {
      star = pi++, mark = vi;
    } else if (star != std::string_view::npos) {
      pi = star + 1, vi = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*')
    ++pi;
  return pi == p.size();
}

class Census {
 public:
  std::vector<Predicate> predicates;
  std::vector<Unit> units;
  std::vector<std::string> fields;  // every field a predicate is on
  int sequences = 0, mismatched = 0, unmatched = 0, failed = 0;

  void add_rule(const eqlite::Query& q) {
    std::vector<FieldUse> uses = q.field_uses();
    std::size_t next = 0;
    std::size_t i = 0;
    const Node root = parse_sexpr(q.dump_ast(), i);
    const bool multi = q.kind() != eqlite::QueryKind::Event;
    sequences += multi;
    const std::size_t first = units.size();
    const int unmatched_before = unmatched;
    walk(root, multi, uses, next);
    if (next != uses.size() ||
        unmatched != unmatched_before) {  // the dump and field_uses() disagree: keep no structure
      ++mismatched;
      for (std::size_t u = first; u < units.size(); ++u)
        units[u].filter = {};
    }
  }

 private:
  std::map<std::string, int> ids_;

  int intern(Predicate p) {
    std::sort(p.literals.begin(), p.literals.end());
    p.literals.erase(std::unique(p.literals.begin(), p.literals.end()), p.literals.end());
    std::string key = p.field + '\x1f' + p.op + (p.quoted ? "" : "#");
    for (const auto& l : p.literals)
      key += '\x1f' + l;
    auto [it, added] = ids_.emplace(key, static_cast<int>(predicates.size()));
    if (added) {
      predicates.push_back(std::move(p));
      if (std::find(fields.begin(), fields.end(), predicates.back().field) == fields.end())
        fields.push_back(predicates.back().field);
    }
    return it->second;
  }

  Filter note(int id, bool negated) {
    Unit& u = units.back();
    Predicate& p = predicates[id];
    ++p.occurrences;
    (u.stage ? p.stages : p.event_rules).insert(static_cast<int>(units.size() - 1));
    u.predicates.push_back(id);
    return {Filter::Leaf, id, negated, {}};
  }

  // One field use inside the predicate node `pred` (its operator's node).
  Filter use(const FieldUse& f, const Node& pred) {
    static const char* const kOps[] = {
        "==", "!=", "<", "<=", ">", ">=", "==", "in~", ":", "like", "like~", "regex", "regex~"};
    if (units.empty() || f.op == FieldUse::Op::JoinKey || f.op == FieldUse::Op::Other) return {};
    Predicate p;
    p.field = f.field;
    const bool ci =
        f.op == FieldUse::Op::InCi || f.op == FieldUse::Op::Seq || f.op == FieldUse::Op::LikeCi;
    if (f.op == FieldUse::Op::Call) {
      p.op = "call " + fold(pred.kids.size() > 1 ? pred.kids[1].atom : f.function);
    } else {
      p.op = kOps[static_cast<int>(f.op)];
    }
    for (const LiteralUse& l : f.literals) {
      p.literals.push_back(ci ? fold(l.text) : l.text);
      p.quoted = p.quoted && l.kind == LiteralUse::Kind::String;
    }
    switch (f.op) {
      case FieldUse::Op::Eq:
      case FieldUse::Op::In:
        p.eval = Eval::Exact;
        break;
      case FieldUse::Op::InCi:
        p.eval = Eval::ExactCi;
        break;
      case FieldUse::Op::Seq:
      case FieldUse::Op::LikeCi:
        p.eval = Eval::GlobCi;
        break;
      case FieldUse::Op::Like:
        p.eval = Eval::Glob;
        break;
      case FieldUse::Op::Ne:
        p.eval = f.literals.size() == 1 && f.literals[0].kind == LiteralUse::Kind::Null
                     ? Eval::Exists
                     : Eval::NotEqual;
        break;
      default:
        break;
    }
    return note(intern(std::move(p)), f.negated);
  }

  Filter walk(const Node& n, bool multi, const std::vector<FieldUse>& uses, std::size_t& next) {
    const std::string_view h = head(n);
    if (h == "query") {  // (query "category"|any CONDITION): a new unit
      units.push_back({multi, {}, {}});
      Filter f{Filter::And, -1, false, {}};
      if (n.kids.size() > 1 && n.kids[1].atom != "any") {
        Predicate c;
        c.field = "event.category";
        c.op = "==";
        c.literals = {n.kids[1].atom};
        c.eval = Eval::Exact;
        f.kids.push_back(note(intern(std::move(c)), false));
      }
      for (std::size_t k = 2; k < n.kids.size(); ++k)
        add_kid(f, walk(n.kids[k], multi, uses, next));
      units.back().filter = std::move(f);
      return {};
    }
    const bool logical = h == "and" || h == "or";
    const bool negation = h == "not" && n.kids.size() > 1 && n.kids[1].list;
    Filter f{h == "and" ? Filter::And : h == "or" ? Filter::Or : Filter::Unknown, -1, false, {}};
    int predicates_here = 0;
    for (std::size_t k = 1; k < n.kids.size(); ++k) {
      const Node& kid = n.kids[k];
      if (head(kid) == "field") {  // `n` is the operator of a predicate on this field
        std::string name;  // as field_uses() spells it: no `?` (optional field), no backticks
        for (char ch : kid.kids.size() > 1 ? kid.kids[1].atom : name)
          if (ch != '`' && (ch != '?' || !name.empty())) name += ch;
        if (next < uses.size() && uses[next].field == name) {
          Filter leaf = use(uses[next], n);
          if (leaf.kind == Filter::Leaf && ++predicates_here == 1 && !logical) f = leaf;
        } else {
          ++unmatched;
        }
        ++next;
      } else if (kid.list) {
        Filter sub = walk(kid, multi, uses, next);
        if (logical) add_kid(f, std::move(sub));
        if (negation && sub.kind == Filter::Leaf)
          f = {Filter::Leaf, sub.predicate, !sub.negative, {}};
      }
    }
    if (predicates_here > 1) f = {};
    return f;
  }

  static void add_kid(Filter& f, Filter kid) {
    if (kid.kind == f.kind && f.kind != Filter::Leaf)  // flatten and(and(...)), or(or(...))
      for (auto& k : kid.kids)
        f.kids.push_back(std::move(k));
    else
      f.kids.push_back(std::move(kid));
  }
};

std::string value_text(const eqlite::Value& v) {
  switch (v.kind()) {
    case eqlite::ValueKind::String:
      return std::string(v.as_string());
    case eqlite::ValueKind::Int:
      return std::to_string(v.as_int());
    case eqlite::ValueKind::Bool:
      return v.as_bool() ? "true" : "false";
    case eqlite::ValueKind::Double: {
      char b[32];
      std::snprintf(b, sizeof b, "%g", v.as_double());
      return b;
    }
    default:
      return {};
  }
}

// Whether any of `values` meets `p` (false on no value, S2); != : no value equals the literal.
bool holds(const Predicate& p, const std::vector<std::string>& values,
           const std::vector<std::string>& folded) {
  if (p.eval == Eval::Exists) return !values.empty();
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (const auto& l : p.literals) {
      switch (p.eval) {
        case Eval::Exact:
        case Eval::NotEqual:
          if (values[i] == l) return p.eval == Eval::Exact;
          break;
        case Eval::ExactCi:
          if (folded[i] == l) return true;
          break;
        case Eval::Glob:
          if (glob(l, values[i])) return true;
          break;
        case Eval::GlobCi:
          if (glob(l, folded[i])) return true;
          break;
        case Eval::Exists:
        case Eval::None:
          return true;
      }
    }
  }
  return p.eval == Eval::NotEqual;  // also on no value (S3)
}

bool equality(const Predicate& p) {
  return p.eval == Eval::Exact || p.eval == Eval::ExactCi ||
         ((p.eval == Eval::Glob || p.eval == Eval::GlobCi) &&
          std::none_of(p.literals.begin(), p.literals.end(), has_wildcard));
}

// Whether a rule's filter lets an event through, given every predicate's truth. Parts the census
// does not evaluate hold. Necessary: only the top-level conjuncts count (all of them, or only
// the positive equalities: the plainest bitset test).
enum class Test { Whole, Necessary, NecessaryEquality };
bool passes(const Filter& f, const std::vector<Predicate>& P, const std::vector<char>& truth,
            Test test, bool top = true) {
  switch (f.kind) {
    case Filter::Leaf: {
      const Predicate& p = P[f.predicate];
      if (p.eval == Eval::None || (test == Test::NecessaryEquality && (f.negative || !equality(p))))
        return true;
      return (truth[f.predicate] != 0) != f.negative;
    }
    case Filter::And:
      for (const auto& k : f.kids)
        if ((test == Test::Whole || (top && k.kind == Filter::Leaf)) &&
            !passes(k, P, truth, test, false))
          return false;
      return true;
    case Filter::Or:
      if (test != Test::Whole) return true;
      for (const auto& k : f.kids)
        if (passes(k, P, truth, test, false)) return true;
      return f.kids.empty();
    case Filter::Unknown:
      return true;
  }
  return true;
}

// Whether the evaluated predicates decide `f` whole (nothing left for a VM).
bool decided(const Filter& f, const std::vector<Predicate>& P) {
  if (f.kind == Filter::Leaf) return P[f.predicate].eval != Eval::None;
  return f.kind != Filter::Unknown &&
         std::all_of(f.kids.begin(), f.kids.end(), [&](const Filter& k) { return decided(k, P); });
}

// Whether some event could fail `f` on the evaluated predicates.
bool filters(const Filter& f, const std::vector<Predicate>& P) {
  switch (f.kind) {
    case Filter::Leaf:
      return P[f.predicate].eval != Eval::None;
    case Filter::And:
      return std::any_of(f.kids.begin(), f.kids.end(),
                         [&](const Filter& k) { return filters(k, P); });
    case Filter::Or:
      return !f.kids.empty() && std::all_of(f.kids.begin(), f.kids.end(),
                                            [&](const Filter& k) { return filters(k, P); });
    case Filter::Unknown:
      return false;
  }
  return false;
}

template <class Map>
std::vector<std::pair<std::string, int>> top(const Map& counts, std::size_t n) {
  std::vector<std::pair<std::string, int>> v(counts.begin(), counts.end());
  std::stable_sort(v.begin(), v.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  if (v.size() > n) v.resize(n);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string rules_path =
      argc > 1 ? argv[1] : EQLITE_CORPUS_DIR "/detection-rules-eql.ndjson";
  const std::string events_path = argc > 2 ? argv[2] : "/tmp/ecs.ndjson";
  const long max_events = argc > 3 ? std::stol(argv[3]) : 50'000;

  // ---- the rules ----
  Census c;
  eqlite::RuleSet rule_set;
  std::vector<std::size_t> rule_unit;  // rule_set id -> unit
  {
    std::ifstream in(rules_path);
    if (!in) {
      std::cerr << "cannot read " << rules_path << '\n';
      return 2;
    }
    eqlite::JsonReader reader(std::vector<std::string>{"query"});
    eqlite::Event e;
    for (std::string line; std::getline(in, line);) {
      if (!reader.read(line, e) || e.values(0).empty()) continue;
      auto q = eqlite::compile(e.values(0)[0].as_string());
      if (!q) {
        ++c.failed;
        continue;
      }
      if (q->kind() == eqlite::QueryKind::Event) {  // today's index, to compare with
        (void)rule_set.add(std::to_string(rule_unit.size()), q->text());
        rule_unit.push_back(c.units.size());
      }
      c.add_rule(*q);
    }
  }
  const auto& P = c.predicates;
  int event_rules = 0, stages = 0;
  for (const auto& u : c.units)
    (u.stage ? stages : event_rules)++;

  // ---- 1. predicates ----
  std::set<std::string> rule_fields;
  int rule_predicates = 0, rule_occurrences = 0, all_occurrences = 0, shared_rules = 0;
  std::size_t atoms_total = 0;
  std::set<std::string> atoms;
  for (const auto& p : P) {
    all_occurrences += p.occurrences;
    if (p.event_rules.empty()) continue;
    ++rule_predicates;
    rule_fields.insert(p.field);
    for (const auto& l : p.literals)
      atoms.insert(p.field + '\x1f' + p.op + '\x1f' + l);
  }
  for (std::size_t u = 0; u < c.units.size(); ++u) {
    if (c.units[u].stage) continue;
    rule_occurrences += static_cast<int>(c.units[u].predicates.size());
    bool shares = false;
    for (int id : c.units[u].predicates) {
      shares = shares || P[id].event_rules.size() > 1;
      atoms_total += P[id].literals.size();
    }
    shared_rules += shares;
  }
  std::printf(
      "rules: %d single-event rules, %d sequences/samples with %d stages (until "
      "included); %d failed to compile; %d with a dump that did not line up (%d fields)\n",
      event_rules, c.sequences, stages, c.failed, c.mismatched, c.unmatched);
  std::printf(
      "\n1. single-event rules: %zu distinct fields, %d distinct predicates, %d "
      "occurrences (%.2f per predicate); %zu distinct (field, op, literal) atoms, %zu "
      "occurrences\n",
      rule_fields.size(), rule_predicates, rule_occurrences,
      double(rule_occurrences) / rule_predicates, atoms.size(), atoms_total);
  std::printf("   rules sharing at least one predicate with another rule: %d of %d\n", shared_rules,
              event_rules);
  std::map<std::string, int> by_rules;
  int used_once = 0;
  for (const auto& p : P) {
    if (p.event_rules.empty()) continue;
    by_rules[p.show()] = static_cast<int>(p.event_rules.size());
    used_once += p.event_rules.size() == 1;
  }
  std::printf("   predicates used by one rule only: %d of %d\n", used_once, rule_predicates);
  std::map<std::string, int> unevaluated;  // by operator: what the census leaves to a VM
  for (const auto& p : P)
    if (!p.event_rules.empty() && p.eval == Eval::None)
      unevaluated[p.op.substr(0, p.op.find('~'))] += static_cast<int>(p.event_rules.size());
  std::printf("   predicates the census does not evaluate, rules using them by operator:");
  for (const auto& [op, k] : top(unevaluated, 10))
    std::printf(" %s %d;", op.c_str(), k);
  std::printf("\n");
  std::printf("   top 20 predicates by rules using them:\n");
  for (const auto& [s, n] : top(by_rules, 20))
    std::printf("   %5d  %s\n", n, s.c_str());
  {
    std::set<int> all_preds;
    for (const auto& u : c.units)
      all_preds.insert(u.predicates.begin(), u.predicates.end());
    std::printf(
        "   with the sequence/sample stages too: %zu distinct predicates, %d occurrences "
        "(%d predicates only in stages)\n",
        all_preds.size(), all_occurrences, static_cast<int>(all_preds.size()) - rule_predicates);
  }

  // ---- 2. per field ----
  struct FieldSets {
    std::set<std::string> exact, exact_ci, glob, glob_ci, regex;
    std::set<int> rules;
  };
  std::map<std::string, FieldSets> per_field;
  for (const auto& p : P) {
    if (p.event_rules.empty()) continue;
    FieldSets& f = per_field[p.field];
    f.rules.insert(p.event_rules.begin(), p.event_rules.end());
    for (const auto& l : p.literals) {
      switch (p.eval) {
        case Eval::Exact:
        case Eval::NotEqual:
          f.exact.insert(l);
          break;
        case Eval::ExactCi:
          f.exact_ci.insert(l);
          break;
        case Eval::Glob:
          (has_wildcard(l) ? f.glob : f.exact).insert(l);
          break;
        case Eval::GlobCi:
          (has_wildcard(l) ? f.glob_ci : f.exact_ci).insert(l);
          break;
        case Eval::Exists:
          break;
        case Eval::None:
          if (p.op.rfind("regex", 0) == 0) f.regex.insert(p.op + l);
          break;
      }
    }
  }
  std::size_t sum_exact = 0, sum_ci = 0, sum_glob = 0, sum_regex = 0;
  std::size_t max_exact = 0, max_ci = 0, max_glob = 0, max_regex = 0;
  for (const auto& [name, f] : per_field) {
    sum_exact += f.exact.size(), sum_ci += f.exact_ci.size();
    sum_glob += f.glob.size() + f.glob_ci.size(), sum_regex += f.regex.size();
    max_exact = std::max(max_exact, f.exact.size()), max_ci = std::max(max_ci, f.exact_ci.size());
    max_glob = std::max(max_glob, f.glob.size() + f.glob_ci.size());
    max_regex = std::max(max_regex, f.regex.size());
  }
  std::printf(
      "\n2. per field, over all %zu fields: distinct exact literals %zu (largest field "
      "%zu), folded exact %zu (%zu), wildcard patterns %zu (%zu), regexes %zu (%zu)\n",
      per_field.size(), sum_exact, max_exact, sum_ci, max_ci, sum_glob, max_glob, sum_regex,
      max_regex);
  std::map<std::string, int> field_rules;
  for (const auto& [name, f] : per_field)
    field_rules[name] = static_cast<int>(f.rules.size());
  std::printf(
      "   top 15 fields: rules | exact | folded exact | wildcards (case-sensitive + "
      "folded) | regexes\n");
  for (const auto& [name, n] : top(field_rules, 15)) {
    const FieldSets& f = per_field[name];
    std::printf("   %-36s %4d | %4zu | %4zu | %4zu (%zu + %zu) | %zu\n", name.c_str(), n,
                f.exact.size(), f.exact_ci.size(), f.glob.size() + f.glob_ci.size(), f.glob.size(),
                f.glob_ci.size(), f.regex.size());
  }

  // ---- 3. over events ----
  std::ifstream in(events_path);
  if (!in) {
    std::cerr << "cannot read " << events_path
              << " (write it with: eqlite_bench --eqlite_dump=ecs > /tmp/ecs.ndjson)\n";
    return 2;
  }
  std::vector<std::vector<int>> on_field(c.fields.size());
  std::unordered_map<std::string, int> field_id;
  for (std::size_t f = 0; f < c.fields.size(); ++f)
    field_id[c.fields[f]] = static_cast<int>(f);
  std::vector<int> pred_field(P.size());
  for (std::size_t p = 0; p < P.size(); ++p) {
    pred_field[p] = field_id[P[p].field];
    if (!P[p].event_rules.empty()) on_field[pred_field[p]].push_back(static_cast<int>(p));
  }
  int never_filtered = 0;
  for (const auto& u : c.units)
    never_filtered += !u.stage && !filters(u.filter, P);
  // what one probe per table per value costs: an exact table, a folded one, one scan of the
  // field's wildcard patterns, and each regex
  std::vector<int> ops_per_value(c.fields.size());
  for (std::size_t f = 0; f < c.fields.size(); ++f) {
    auto it = per_field.find(c.fields[f]);
    if (it == per_field.end()) continue;
    const FieldSets& s = it->second;
    ops_per_value[f] = !s.exact.empty() + !s.exact_ci.empty() +
                       !(s.glob.empty() && s.glob_ci.empty()) + static_cast<int>(s.regex.size());
  }
  eqlite::JsonReader reader(c.fields);
  eqlite::Event e;
  std::vector<char> present(c.fields.size()), truth(P.size());
  std::vector<std::string> values, folded;
  double distinct = 0, per_rule = 0, fields_with = 0, value_count = 0, table_ops = 0,
         true_preds = 0;
  double pass[3] = {0, 0, 0};
  eqlite::RuleSetMatcher matcher(rule_set);
  std::vector<std::size_t> hits;
  double matched = 0, missed = 0, decided_pass = 0, wrong = 0;
  int decided_rules = 0;
  std::vector<char> is_decided(c.units.size()), hit(c.units.size());
  for (std::size_t u = 0; u < c.units.size(); ++u)
    decided_rules += is_decided[u] = !c.units[u].stage && decided(c.units[u].filter, P);
  long events = 0;
  for (std::string line; events < max_events && std::getline(in, line);) {
    if (!reader.read(line, e)) continue;
    ++events;
    for (std::size_t f = 0; f < c.fields.size(); ++f) {
      values.clear(), folded.clear();
      for (const auto& v : e.values(static_cast<std::uint32_t>(f)))
        if (!v.is_null()) values.push_back(value_text(v)), folded.push_back(fold(values.back()));
      present[f] = !values.empty();
      for (int p : on_field[f])
        truth[p] = holds(P[p], values, folded);
      if (!present[f] || on_field[f].empty()) continue;
      ++fields_with;
      value_count += static_cast<double>(values.size());
      table_ops += static_cast<double>(values.size() * ops_per_value[f]);
      distinct += static_cast<double>(on_field[f].size());
      for (int p : on_field[f])
        true_preds += truth[p];
    }
    (void)matcher.match_json(line, hits);  // a check: every match passes the census's filter
    matched += static_cast<double>(hits.size());
    std::fill(hit.begin(), hit.end(), 0);
    for (std::size_t h : hits)
      hit[rule_unit[h]] = 1;
    for (std::size_t h : hits)
      missed += !passes(c.units[rule_unit[h]].filter, P, truth, Test::Whole);
    for (const auto& u : c.units) {
      if (u.stage) continue;
      for (int p : u.predicates)
        per_rule += present[pred_field[p]];
      pass[0] += passes(u.filter, P, truth, Test::NecessaryEquality);
      pass[1] += passes(u.filter, P, truth, Test::Necessary);
      const bool whole = passes(u.filter, P, truth, Test::Whole);
      pass[2] += whole;
      const std::size_t id = static_cast<std::size_t>(&u - c.units.data());
      decided_pass += whole && is_decided[id];
      wrong += whole && is_decided[id] && !hit[id];
    }
  }
  if (events == 0) return 2;
  const double n = static_cast<double>(events);
  std::printf("\n3. over %ld events of %s:\n", events, events_path.c_str());
  std::printf(
      "   fields with predicates that have a value: %.1f per event, %.1f values; one "
      "probe per table (exact, folded, wildcard scan, each regex) per value: %.1f\n",
      fields_with / n, value_count / n, table_ops / n);
  std::printf(
      "   distinct predicates on those fields, each evaluated once: %.1f per event (%.1f "
      "of them true)\n",
      distinct / n, true_preds / n);
  std::printf(
      "   predicate occurrences on those fields, rule by rule: %.1f per event: sharing "
      "factor %.2f\n",
      per_rule / n, per_rule / distinct);
  std::printf(
      "   rules left to run per event, when these hold: the positive equality conjuncts "
      "%.2f; every evaluated conjunct (wildcards, !=, negations too) %.2f; the whole "
      "and/or/not structure over the evaluated predicates %.2f\n",
      pass[0] / n, pass[1] / n, pass[2] / n);
  std::printf(
      "   rules that no evaluated predicate can rule out: %d; rules the evaluated "
      "predicates decide whole: %d, %.2f of the rules left per event (%.0f of those "
      "passes are not matches: the census's approximations)\n",
      never_filtered, decided_rules, decided_pass / n, wrong);
  std::printf(
      "   today's RuleSet on the same events: its index leaves %.2f rule runs per event; "
      "%.3f rules match (%.0f matches the census's filter would have ruled out)\n",
      static_cast<double>(matcher.evaluated()) / n, matched / n, missed);
  return 0;
}
