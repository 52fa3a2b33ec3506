// lib/rule_set.cpp — see rule_set.hpp. The index: each rule is filed under one of its anchors
// (Program::anchors), the one whose keys the fewest other rules share (a list of process names
// tells rules apart better than `event.type == "start"`; see key_cost); rules without
// an anchor are always evaluated. Matching an event looks up each anchor field's string values
// in that field's hash tables (exact keys) and scans them for the field's literals (contains
// keys, the necessary literals of wildcard patterns), marks the rules found in a bitset, and
// runs the VM on the marked rules in id order. A value that is not a string meets the keys of
// its JSON text and, if a number, the keys that read as an equal number (S8: 1 == "1",
// 4 == 4.0, 42 : "*4*"). A field with any value meets the Exists anchors on it (S2).
// The same lookups also record which of the rules' other exact and Exists necessary
// conditions the event meets (RuleIndex::required): a marked rule runs only if all of its are.
#include "eqlite/rule_set.hpp"

#include <algorithm>
#include <bit>
#include <map>
#include <set>
#include <stdexcept>
#include <tuple>
#include <unordered_map>

#include "eqlite/vm.hpp"
#include "eval/matchers.hpp"
#include "eval/program.hpp"
#include "eval/value_ops.hpp"
#include "lib/rule_index.hpp"
#include "stream/sequence_program.hpp"

namespace eqlite {

struct RuleSet::Impl {
  struct Rule {
    std::string name;
    Query query;
    std::vector<std::uint16_t> to_shared;  // the rule's field id -> shared field id
  };
  std::vector<Rule> rules;
  std::vector<std::string> fields;
  std::unordered_map<std::string, std::uint16_t, internal::StringHash, std::equal_to<>> ids;
  mutable std::shared_ptr<const internal::RuleIndex> index;  // null after add()

  std::shared_ptr<const internal::RuleIndex> build() const;
};

RuleSet::RuleSet() : impl_(std::make_unique<Impl>()) {}
RuleSet::~RuleSet() = default;
RuleSet::RuleSet(RuleSet&&) noexcept = default;
RuleSet& RuleSet::operator=(RuleSet&&) noexcept = default;

Result<std::size_t> RuleSet::add(std::string_view name, std::string_view text,
                                 const CompileOptions& options) {
  auto q = compile(text, options);
  if (!q) return q.error();
  return add(name, std::move(*q));
}

Result<std::size_t> RuleSet::add(std::string_view name, Query query) {
  auto q = &query;
  Impl& m = *impl_;
  std::vector<std::uint16_t> to;
  std::size_t added = 0;
  for (const auto& f : q->fields()) {
    auto it = m.ids.find(f);
    if (it == m.ids.end()) {
      if (m.fields.size() + added >= 0xFFFF) {
        for (std::size_t i = 0; i < added; ++i) {  // leave the set as it was
          m.ids.erase(m.fields.back());
          m.fields.pop_back();
        }
        return Error{ErrorCode::LimitExceeded, "the rule set reads more than 65535 fields", {}};
      }
      it = m.ids.emplace(f, static_cast<std::uint16_t>(m.fields.size())).first;
      m.fields.push_back(f);
      ++added;
    }
    to.push_back(it->second);
  }
  m.rules.push_back({std::string(name), std::move(*q), std::move(to)});
  m.index.reset();
  return m.rules.size() - 1;
}

std::size_t RuleSet::size() const noexcept {
  return impl_->rules.size();
}
const std::string& RuleSet::name(std::size_t id) const {
  return impl_->rules.at(id).name;
}
const Query& RuleSet::query(std::size_t id) const {
  return impl_->rules.at(id).query;
}
const std::vector<std::string>& RuleSet::fields() const {
  return impl_->fields;
}

std::shared_ptr<const internal::RuleIndex> RuleSet::index() const {
  if (!impl_->index) impl_->index = impl_->build();
  return impl_->index;
}

const std::vector<std::shared_ptr<const internal::SequenceProgram>>& internal::remapped_sequences(
    const RuleSet& rules, const RuleIndex& ix) {
  std::call_once(ix.sequences_made, [&] {
    std::unordered_map<std::string_view, std::uint16_t> ids;
    for (std::size_t f = 0; f < ix.fields.size(); ++f)
      ids.emplace(ix.fields[f], static_cast<std::uint16_t>(f));
    ix.sequences.resize(rules.size());
    for (std::size_t id = 0; id < rules.size(); ++id) {
      const auto* seq = rules.query(id).sequence();
      if (!seq) continue;
      std::vector<std::uint16_t> to;
      for (const auto& f : seq->fields)
        to.push_back(ids.at(f));
      auto remapped = remap_sequence(*seq, to, ix.fields);
      // Remapping a verified program onto a larger table cannot fail; a rule silently lost
      // would be worse than stopping.
      if (!remapped) throw std::logic_error("rule set: " + remapped.error().message);
      ix.sequences[id] = std::move(*remapped);
    }
  });
  return ix.sequences;
}

namespace {

// An anchor's key as the cost model counts it: by field, kind and ASCII-folded key, so that
// `event.type : "start"` and `event.type == "start"` count as one key (events meet both).
using SharingKey = std::tuple<std::uint16_t, internal::Anchor::Kind, std::string>;
SharingKey sharing_key(const internal::Anchor& a, const std::string& k) {
  if (a.folded) return {a.field, a.kind, k};  // folded already
  std::string f;
  internal::fold_ascii(k, f);
  return {a.field, a.kind, std::move(f)};
}

// An anchor key's cost: about how many rules an event that meets it sends to the VM. For an
// exact key, the rules that name it (`event.type == "start"` is shared by hundreds of rules, a
// list of process names by few). A contains key is also met by every value that contains it,
// which a short literal (".exe", "\\") is for many values: it costs kShortLiteralCost more
// for each byte it is shorter than kShortLiteral.
constexpr std::size_t kShortLiteral = 4, kShortLiteralCost = 16;
// A key from a number or boolean literal: its field likely holds numbers. Chosen only over
// anchors shared by about a thousand rules, or over none. (Numbers meet only equal keys, but
// without this cost Elastic's 861 rules run slightly more often: 2.404 rules per ECS event
// against 2.382.)
constexpr std::size_t kTypedCost = 1000;
// An Exists anchor (the field has a value) is met by every event that has the field: chosen
// like a typed key.
constexpr std::size_t kAnyValueCost = 1000;

std::size_t key_cost(const std::map<SharingKey, std::size_t>& sharing, const internal::Anchor& a,
                     const std::string& k) {
  auto it = sharing.find(sharing_key(a, k));
  std::size_t cost = it == sharing.end() ? 0 : it->second;
  if (a.kind == internal::Anchor::Kind::Contains && k.size() < kShortLiteral)
    cost += (kShortLiteral - k.size()) * kShortLiteralCost;
  if (a.typed) cost += kTypedCost;
  return cost;
}

// A contains key is met by the values of the field that contain it, and the keys the rules
// name on that field are the values they expect: `.exe` in process.name, which hundreds of
// listed names contain, is nearly as common as its field. So a contains key also costs what
// the keys of its field that contain it cost. A key's substrings of the literals' lengths are
// looked up among the literals: comparing every pair of keys and literals was a sixth of the
// time to start 861 rules, and grouping literals by their first two bytes was quadratic when
// thousands of them share those (an exception list of `app*.exe` items).
void contained_costs(std::map<SharingKey, std::size_t>& sharing) {
  using Entry = std::map<SharingKey, std::size_t>::iterator;
  for (auto c = sharing.begin(); c != sharing.end();) {
    const std::uint16_t field = std::get<0>(c->first);
    auto end = c;  // the keys of this field: [c, end)
    std::vector<Entry> contains;
    for (; end != sharing.end() && std::get<0>(end->first) == field; ++end)
      if (std::get<1>(end->first) == internal::Anchor::Kind::Contains) contains.push_back(end);
    // The literals by their text, and the lengths they come in: a key contains a literal when
    // one of its substrings of such a length is one (hash lookups, whatever the literals share).
    std::unordered_map<std::string_view, std::vector<std::uint32_t>> by_text;
    std::vector<std::size_t> lengths;
    for (std::uint32_t i = 0; i < contains.size(); ++i) {
      const std::string& l = std::get<2>(contains[i]->first);
      by_text[l].push_back(i);
      lengths.push_back(l.size());
    }
    std::sort(lengths.begin(), lengths.end());
    lengths.erase(std::unique(lengths.begin(), lengths.end()), lengths.end());
    std::vector<std::size_t> sums(contains.size());
    std::vector<std::size_t> stamp(contains.size(), SIZE_MAX);  // the last key that counted it
    std::size_t key_no = 0;
    for (auto o = c; o != end; ++o, ++key_no) {
      const std::string_view key = std::get<2>(o->first);
      for (std::size_t at = 0; at < key.size(); ++at)
        for (const std::size_t n : lengths) {
          if (n == 0) continue;
          if (at + n > key.size()) break;
          const auto hit = by_text.find(key.substr(at, n));
          if (hit == by_text.end()) continue;
          for (const std::uint32_t i : hit->second)
            if (stamp[i] != key_no && contains[i] != o) {
              stamp[i] = key_no;
              sums[i] += o->second;
            }
        }
    }
    for (std::uint32_t i = 0; i < contains.size(); ++i)  // after the field's sums: from the
      contains[i]->second += sums[i];                    // keys' own counts
    c = end;
  }
}

// A condition as EQL (for explain): `f == "x"`, `f in ("x", "y")`, `f : ("x")` for caseless
// keys, `f like ("*x*")` / `f : ("*x*")` for contained literals, `f != null`; alternatives
// joined by `or`.
std::string condition_text(const std::vector<internal::Anchor>& alternatives,
                           const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& a : alternatives) {
    if (!out.empty()) out += " or ";
    const std::string& f = fields[a.field];
    if (a.kind == internal::Anchor::Kind::Exists) {
      out += f + " != null";
      continue;
    }
    const bool contains = a.kind == internal::Anchor::Kind::Contains;
    const char* op = contains             ? (a.folded ? " : " : " like ")
                     : a.folded           ? " : "
                     : a.keys.size() == 1 ? " == "
                                          : " in ";
    out += f + op;
    const bool list = a.keys.size() != 1 || (contains || a.folded);
    if (list) out += "(";
    for (std::size_t k = 0; k < a.keys.size(); ++k) {
      if (k) out += ", ";
      out += quote_string(contains ? "*" + a.keys[k] + "*" : a.keys[k]);
    }
    if (list) out += ")";
  }
  return out;
}

// What matching reads, from the index as built: each id list copied into RuleIndex::ids (one
// array: an event's lookups touch a few nearby lists, not one heap block each), and per field
// one table of ASCII-folded keys for both the exact and the caseless keys, so that a value is
// hashed and probed once (an exact key is then compared byte for byte).
void freeze(internal::RuleIndex& ix) {
  auto met = [&](const internal::RuleIndex::Hits& h) {
    return internal::Met{ix.add_list(h.rules), ix.add_list(h.conditions)};
  };
  std::string folded;
  for (auto& fi : ix.by_field) {
    auto probe = [&](const std::string& key) -> internal::RuleIndex::FieldIndex::Probe& {
      internal::fold_ascii(key, folded);
      fi.key_lengths |= std::uint64_t{1} << fi.length_bit(folded.size());
      const std::uint32_t i = fi.probe_keys.insert(folded);
      if (i >= fi.probes.size()) fi.probes.resize(i + 1);
      return fi.probes[i];
    };
    for (std::uint32_t i = 0; i < fi.folded.size(); ++i)
      probe(fi.folded.keys.at(i)).folded = met(fi.folded.hits[i]);
    // the exact keys grouped by their folded form: each probe's are [exact_begin, exact_end)
    std::vector<std::pair<std::uint32_t, std::uint32_t>> by_probe;  // (probe, exact key)
    for (std::uint32_t i = 0; i < fi.exact.size(); ++i) {
      probe(fi.exact.keys.at(i));
      by_probe.emplace_back(fi.probe_keys.find(folded), i);
    }
    std::sort(by_probe.begin(), by_probe.end());
    for (const auto& [p, i] : by_probe) {
      auto& pr = fi.probes[p];
      if (pr.exact_begin == pr.exact_end)
        pr.exact_begin = pr.exact_end = static_cast<std::uint32_t>(fi.exact_keys.size());
      fi.exact_keys.push_back({fi.exact.keys.at(i), met(fi.exact.hits[i])});
      ++pr.exact_end;
    }
    for (std::size_t l = 0; l < fi.contains.rules.size(); ++l)
      fi.contains_met.push_back(
          {ix.add_list(fi.contains.rules[l]), ix.add_list(fi.contains.conditions[l])});
    fi.any_value_met = {ix.add_list(fi.any_value), ix.add_list(fi.any_value_conditions)};
    for (const auto* keyed : {&fi.exact, &fi.folded})
      for (std::uint32_t i = 0; i < keyed->size(); ++i)
        if (Value n; internal::parse_number(keyed->keys.at(i), n))
          fi.numbers.push_back({n.to_double(), met(keyed->hits[i]), keyed->keys.at(i)});
    std::stable_sort(fi.numbers.begin(), fi.numbers.end(),
                     [](const auto& x, const auto& y) { return x.value < y.value; });
  }
  ix.always_ids = ix.add_list(ix.always);
  for (const auto& r : ix.required)
    ix.required_ids.push_back(ix.add_list(r));
}

}  // namespace

std::shared_ptr<const internal::RuleIndex> RuleSet::Impl::build() const {
  auto ix = std::make_shared<internal::RuleIndex>();
  ix->fields = fields;
  // How many rules name each key of an anchor (see key_cost).
  std::map<SharingKey, std::size_t> sharing;
  // The units (RuleIndex::queries): each event rule's program, each stage's of the others.
  struct Unit {
    const internal::Program* program;
    const std::vector<std::uint16_t>* to_shared;
  };
  std::vector<Unit> units;
  for (std::uint32_t r = 0; r < rules.size(); ++r) {
    const Rule& rule = rules[r];
    const auto* seq = rule.query.sequence();
    if (!seq) {
      units.push_back({&rule.query.program(), &rule.to_shared});
      ix->unit_rule.push_back(r);
      ix->unit_stage.push_back(-1);
      continue;
    }
    std::int32_t s = 0;
    for (const auto* list : {&seq->stages, &seq->until})
      for (const auto& st : *list) {
        units.push_back({&st.filter.program(), &rule.to_shared});
        ix->unit_rule.push_back(r);
        ix->unit_stage.push_back(s++);
      }
  }
  // by unit: its anchors, in its remapped program (which ix->queries keeps)
  std::vector<const std::vector<std::vector<internal::Anchor>>*> anchors(units.size());
  for (std::size_t r = 0; r < units.size(); ++r) {
    auto remapped = internal::remap_fields(*units[r].program, *units[r].to_shared, fields);
    // Remapping a verified program onto a larger table cannot fail; if it did, the rule would
    // be silently lost, so fail loudly instead.
    if (!remapped) throw std::logic_error("rule set: " + remapped.error().message);
    anchors[r] = &(*remapped)->anchors;
    ix->unit_decided.push_back((*remapped)->decided_by_anchors && !anchors[r]->empty());
    std::set<SharingKey> named;  // a key in several conditions of one rule counts once
    for (const auto& alternatives : *anchors[r])
      for (const auto& a : alternatives)
        for (const auto& k : a.keys)
          if (auto key = sharing_key(a, k); named.insert(key).second) ++sharing[std::move(key)];
    ix->queries.emplace_back(std::move(*remapped));
  }
  contained_costs(sharing);
  std::map<std::uint16_t, std::size_t> slot;  // field -> index in by_field
  // per field and foldedness: literal -> its index in FieldIndex::contains.rules
  std::map<std::tuple<std::size_t, bool, std::string>, std::uint32_t> literal_ids;
  std::vector<std::vector<std::string>> literals;  // by slot, by literal index
  std::vector<std::vector<bool>> caseless;         // the same, whether folded
  auto field_index =
      [&](std::uint16_t field) -> std::pair<std::size_t, internal::RuleIndex::FieldIndex&> {
    auto [it, fresh] = slot.emplace(field, ix->by_field.size());
    if (fresh) {
      ix->by_field.emplace_back();
      ix->by_field.back().field = field;
      literals.emplace_back();
      caseless.emplace_back();
    }
    return {it->second, ix->by_field[it->second]};
  };
  // A contained literal's index in its field's scanner (FieldIndex::contains).
  auto literal_id = [&](std::size_t at, bool folded, const std::string& key) {
    auto& lits = literals[at];
    auto [id, added] =
        literal_ids.emplace(std::tuple{at, folded, key}, static_cast<std::uint32_t>(lits.size()));
    if (added) {
      lits.push_back(key);
      caseless[at].push_back(folded);
      ix->by_field[at].contains.rules.emplace_back();
      ix->by_field[at].contains.conditions.emplace_back();
    }
    return id->second;
  };
  // The conditions checked before the VM runs a rule (RuleIndex::required): its necessary
  // conditions other than the one it is filed under whose anchors are all exact (a hash lookup
  // per value of their fields, which most rules' fields get anyway) or Exists (met by the
  // field's having a value: `container.id : "?*"`, `f != null`). One id per distinct
  // condition: `host.os.type == "windows"` is one condition for hundreds of rules.
  using ConditionKey =
      std::tuple<std::uint16_t, internal::Anchor::Kind, bool, std::vector<std::string>>;
  std::map<std::vector<ConditionKey>, std::uint32_t> condition_ids;
  auto condition_id = [&](const std::vector<internal::Anchor>& alternatives) {
    std::vector<ConditionKey> key;
    for (const auto& a : alternatives)
      key.emplace_back(a.field, a.kind, a.folded, a.keys);
    std::sort(key.begin(), key.end());
    auto [it, fresh] =
        condition_ids.emplace(std::move(key), static_cast<std::uint32_t>(condition_ids.size()));
    const std::uint32_t c = it->second;
    if (fresh) ix->condition_text.push_back(condition_text(alternatives, fields));
    if (fresh)
      for (const auto& a : alternatives) {
        auto [at, fi] = field_index(a.field);
        if (a.kind == internal::Anchor::Kind::Exists &&
            (fi.any_value_conditions.empty() || fi.any_value_conditions.back() != c))
          fi.any_value_conditions.push_back(c);
        for (const auto& k : a.keys) {
          auto& list = a.kind == internal::Anchor::Kind::Contains
                           ? fi.contains.conditions[literal_id(at, a.folded, k)]
                           : (a.folded ? fi.folded : fi.exact)[k].conditions;
          if (list.empty() || list.back() != c) list.push_back(c);
        }
      }
    return c;
  };
  ix->required.resize(units.size());
  for (std::uint32_t r = 0; r < units.size(); ++r) {
    const std::vector<internal::Anchor>* best = nullptr;
    std::size_t best_cost = 0;
    for (const auto& alternatives : *anchors[r]) {
      std::size_t cost = 0;
      for (const auto& a : alternatives) {
        if (a.kind == internal::Anchor::Kind::Exists) cost += kAnyValueCost;
        for (const auto& k : a.keys)
          cost += key_cost(sharing, a, k);
      }
      if (!best || cost < best_cost) {
        best = &alternatives;
        best_cost = cost;
      }
    }
    if (!best) {
      ix->always.push_back(r);
      continue;
    }
    // A unit the anchors decide (Program::decided_by_anchors) gets all of them checked, also
    // those with contained literals (its field's scanner then looks for those too).
    for (const auto& alternatives : *anchors[r]) {
      if (&alternatives == best ||
          (!ix->unit_decided[r] &&
           !std::all_of(alternatives.begin(), alternatives.end(), [](const internal::Anchor& a) {
             return a.kind != internal::Anchor::Kind::Contains;
           })))
        continue;
      const std::uint32_t c = condition_id(alternatives);
      auto& required = ix->required[r];
      if (std::find(required.begin(), required.end(), c) == required.end()) required.push_back(c);
    }
    for (const auto& a : *best) {  // the rule is a candidate when any alternative is met
      auto [at, fi] = field_index(a.field);
      if (fi.all.empty() || fi.all.back() != r) fi.all.push_back(r);
      if (a.kind == internal::Anchor::Kind::Exists &&
          (fi.any_value.empty() || fi.any_value.back() != r))
        fi.any_value.push_back(r);
      for (const auto& k : a.keys) {
        std::vector<std::uint32_t>* list = nullptr;
        if (a.kind == internal::Anchor::Kind::Exact) {
          list = &(a.folded ? fi.folded : fi.exact)[k].rules;
        } else {
          list = &fi.contains.rules[literal_id(at, a.folded, k)];
        }
        if (list->empty() || list->back() != r) list->push_back(r);
      }
    }
  }
  ix->conditions = condition_ids.size();
  for (std::size_t i = 0; i < ix->by_field.size(); ++i)
    if (!literals[i].empty())
      ix->by_field[i].contains.scanner = std::make_unique<internal::LiteralScanner>(
          std::move(literals[i]), std::move(caseless[i]));
  freeze(*ix);
  return ix;
}

std::string RuleSet::describe_index() const {
  auto ix = index();
  std::string out;
  std::size_t condition_fields = 0;
  for (const auto& fi : ix->by_field) {
    bool conditions = !fi.any_value_conditions.empty();
    for (const auto* keyed : {&fi.exact, &fi.folded})
      for (const auto& h : keyed->hits)
        conditions = conditions || !h.conditions.empty();
    condition_fields += conditions;
    if (fi.all.empty()) continue;  // conditions only
    std::size_t keys = 0;          // the keys rules are filed under (not those of conditions)
    for (const auto* keyed : {&fi.exact, &fi.folded})
      for (const auto& h : keyed->hits)
        keys += !h.rules.empty();
    out += "[" + ix->fields[fi.field] + "]: " + std::to_string(fi.all.size()) + " rules under " +
           std::to_string(keys) + " keys";
    if (const auto& scanner = fi.contains.scanner)
      out += " and " + std::to_string(scanner->size()) + " contained literals" +
             (scanner->multi() ? " (Vectorscan)" : "");
    if (!fi.any_value.empty())
      out += ", " + std::to_string(fi.any_value.size()) + " of them on any value";
    out += "\n";
  }
  out += "always evaluated: " + std::to_string(ix->always.size()) + " rules\n";
  std::size_t checked = 0;
  for (const auto& r : ix->required)
    checked += !r.empty();
  if (checked)
    out += "checked before evaluation: " + std::to_string(ix->conditions) + " conditions on " +
           std::to_string(condition_fields) + " fields, for " + std::to_string(checked) +
           " rules\n";
  if (const auto decided = std::count(ix->unit_decided.begin(), ix->unit_decided.end(), 1))
    out += "decided by their conditions alone (no VM run): " + std::to_string(decided) + " rules\n";
  return out;
}

// ---- RuleSetMatcher ------------------------------------------------------------------------

struct RuleSetMatcher::Impl {
  std::shared_ptr<const internal::RuleIndex> ix;
  JsonReader reader;
  Event event;
  Vm vm;
  std::vector<std::uint64_t> marked;  // one bit per rule: filed under a key the event meets
  std::vector<std::uint64_t> met;     // one bit per condition (RuleIndex::required) met
  std::string fold;
  std::string text;  // the text of a number or boolean
  std::vector<Value> scratch;
  std::vector<std::uint32_t> literal_hits;
  std::vector<std::uint32_t> units;
  std::uint64_t evaluated = 0;
  std::uint64_t decided = 0;

  Impl(std::shared_ptr<const internal::RuleIndex> index, const ReaderOptions& options)
      : ix(std::move(index)), reader(ix->fields, options) {
    marked.assign((ix->queries.size() + 63) / 64, 0);
    met.assign((ix->conditions + 63) / 64, 0);
  }

  void set_bits(std::vector<std::uint64_t>& bits, internal::IdList l) noexcept {
    for (const std::uint32_t i : ix->list(l))
      bits[i / 64] |= std::uint64_t{1} << (i % 64);
  }
  void hit(const internal::Met& m) noexcept {
    set_bits(marked, m.rules);
    set_bits(met, m.conditions);
  }
  bool required_met(std::size_t r) const noexcept {
    for (const std::uint32_t c : ix->list(ix->required_ids[r]))
      if (!(met[c / 64] >> (c % 64) & 1)) return false;
    return true;
  }

  // The rule ids of the matching event rules, ascending.
  void match(const Event& ev, std::vector<std::size_t>& out) {
    match_units(ev, units);
    out.clear();
    for (const std::uint32_t u : units)
      if (ix->unit_stage[u] < 0) out.push_back(ix->unit_rule[u]);
  }

  // The matching units (RuleIndex), ascending; with `why`, what led to them.
  void match_units(const Event& ev, std::vector<std::uint32_t>& out) {
    match_units<false>(ev, out, nullptr);
  }

  RuleSetExplanation::Unit unit(std::uint32_t u) const {
    const std::int32_t stage = ix->unit_stage[u];
    return {ix->unit_rule[u], static_cast<int>(stage)};
  }
  void record(RuleSetExplanation* why, std::uint16_t field, std::string_view value,
              RuleSetExplanation::KeyKind kind, std::string_view key,
              internal::IdList rules) const {
    if (rules.size == 0) return;  // a key of conditions only: not where rules are filed
    RuleSetExplanation::KeyHit h{ix->fields[field], std::string(value), kind, std::string(key), {}};
    for (auto r : ix->list(rules))
      h.units.push_back(unit(r));
    why->hits.push_back(std::move(h));
  }

  // The keys and literals one field's values meet: the rules filed under them are marked,
  // the conditions they meet recorded.
  template <bool kExplain>
  void visit_field(const internal::RuleIndex::FieldIndex& fi, std::span<const Value> values,
                   RuleSetExplanation* why) {
    if (values.empty()) return;
    hit(fi.any_value_met);  // Exists anchors: the field has a value
    if constexpr (kExplain)
      record(why, fi.field, "", RuleSetExplanation::KeyKind::AnyValue, "", fi.any_value_met.rules);
    for (const Value& v : values) {
      std::string_view s;
      if (v.kind() == ValueKind::String) {
        s = v.as_string();
      } else {
        // S8: a number or boolean meets the keys of its JSON text (`:`, `in~`, `like`,
        // regexes, `== "true"`), and a number those that read as an equal number
        // (`==`, `in`). An integer's text reads as itself, so for an integer the keys that
        // read as numbers are all the exact keys it can meet: its text is needed only for
        // the contained literals.
        if (v.is_number()) {
          const double d = v.to_double();
          for (auto it =
                   std::lower_bound(fi.numbers.begin(), fi.numbers.end(), d,
                                    [](const auto&entry, double x) { return entry.value < x; });
               it != fi.numbers.end() && it->value == d; ++it) {
            hit(it->met);
            if constexpr (kExplain) {
              std::string_view shown;
              internal::text_of(v, text, shown);
              record(why, fi.field, shown, RuleSetExplanation::KeyKind::Number, it->key,
                     it->met.rules);
            }
          }
        }
        if (v.kind() == ValueKind::Int && !fi.contains.scanner) continue;
        if (!internal::text_of(v, text, s)) continue;
      }
      if (const std::uint32_t p = fi.key_lengths >> fi.length_bit(s.size()) & 1
                                      ? fi.probe_keys.find_folded(s)
                                      : internal::StringSet::npos;
          p != internal::StringSet::npos) {
        const auto& probe = fi.probes[p];
        for (std::uint32_t e = probe.exact_begin; e < probe.exact_end; ++e) {
          const auto& key = fi.exact_keys[e];
          if (key.text.size() != s.size() ||
              !internal::same_bytes(key.text.data(), s.data(), s.size()))
            continue;
          hit(key.met);
          if constexpr (kExplain)
            record(why, fi.field, s, RuleSetExplanation::KeyKind::Exact, s, key.met.rules);
        }
        hit(probe.folded);
        if constexpr (kExplain)
          record(why, fi.field, s, RuleSetExplanation::KeyKind::Folded, fi.probe_keys.at(p),
                 probe.folded.rules);
      }
      if (const auto& scanner = fi.contains.scanner) {
        literal_hits.clear();
        scanner->scan(s, literal_hits, fold);
        for (auto l : literal_hits) {
          hit(fi.contains_met[l]);
          if constexpr (kExplain)
            record(why, fi.field, s, RuleSetExplanation::KeyKind::Contains, scanner->literal(l),
                   fi.contains_met[l].rules);
        }
      }
    }
  }

  template <bool kExplain>
  void match_units(const Event& ev, std::vector<std::uint32_t>& out, RuleSetExplanation* why) {
    out.clear();
    for (const auto& fi : ix->by_field)
      visit_field<kExplain>(fi, ev.values(fi.field), why);
    set_bits(marked, ix->always_ids);
    if constexpr (kExplain)
      for (auto r : ix->always)
        why->always.push_back(unit(r));
    for (std::size_t w = 0; w < marked.size(); ++w) {
      std::uint64_t bits = marked[w];
      marked[w] = 0;
      while (bits) {
        const std::size_t r = w * 64 + static_cast<std::size_t>(std::countr_zero(bits));
        bits &= bits - 1;
        if (!required_met(r)) {
          if constexpr (kExplain) {
            why->ruled_out.push_back(unit(static_cast<std::uint32_t>(r)));
            for (const std::uint32_t c : ix->list(ix->required_ids[r]))
              if (!(met[c / 64] >> (c % 64) & 1)) {
                why->unmet.push_back(ix->condition_text[c]);
                break;
              }
          }
          continue;
        }
        bool yes = true;
        if (ix->unit_decided[r]) {  // every anchor checked and met: no VM run
          ++decided;
          if constexpr (kExplain) why->decided.push_back(unit(static_cast<std::uint32_t>(r)));
        } else {
          ++evaluated;
          yes = vm.matches(ix->queries[r], ev);
          if constexpr (kExplain) why->evaluated.push_back(unit(static_cast<std::uint32_t>(r)));
        }
        if (yes) out.push_back(static_cast<std::uint32_t>(r));
        if constexpr (kExplain)
          if (yes) why->matched.push_back(unit(static_cast<std::uint32_t>(r)));
      }
    }
    std::fill(met.begin(), met.end(), 0);
  }
};

Result<RuleSetExplanation> RuleSetMatcher::explain(std::string_view json) {
  Impl& m = *impl_;
  auto ok = m.reader.read(json, m.event);
  if (!ok) return ok.error();
  RuleSetExplanation why;
  m.match_units<true>(m.event, m.units, &why);
  return why;
}

RuleSetMatcher::RuleSetMatcher(const RuleSet& rules, const ReaderOptions& options)
    : impl_(std::make_unique<Impl>(rules.index(), options)) {}
RuleSetMatcher::~RuleSetMatcher() = default;
RuleSetMatcher::RuleSetMatcher(RuleSetMatcher&&) noexcept = default;
RuleSetMatcher& RuleSetMatcher::operator=(RuleSetMatcher&&) noexcept = default;

void RuleSetMatcher::set_constant(std::string_view path, Value value) {
  impl_->reader.set_constant(path, value);
}

Result<void> RuleSetMatcher::match_json(std::string_view json, std::vector<std::size_t>& out) {
  out.clear();
  auto ok = impl_->reader.read(json, impl_->event);
  if (!ok) return ok;
  impl_->match(impl_->event, out);
  return {};
}

Result<void> RuleSetMatcher::match_json_padded(std::string_view json,
                                               std::vector<std::size_t>& out) {
  out.clear();
  auto ok = impl_->reader.read_padded(json, impl_->event);
  if (!ok) return ok;
  impl_->match(impl_->event, out);
  return {};
}

void RuleSetMatcher::prescan(std::string_view block) {
  impl_->reader.prescan(block);
}

void RuleSetMatcher::match(const Event& event, std::vector<std::size_t>& out) {
  if (event.field_count() < impl_->ix->fields.size()) {  // not bound to this rule set
    out.clear();
    return;
  }
  impl_->match(event, out);
}

void RuleSetMatcher::match_units(const Event& event, std::vector<std::uint32_t>& units) {
  if (event.field_count() < impl_->ix->fields.size()) {  // not bound to this rule set
    units.clear();
    return;
  }
  impl_->match_units(event, units);
}

std::uint64_t RuleSetMatcher::evaluated() const noexcept {
  return impl_->evaluated;
}

std::uint64_t RuleSetMatcher::decided() const noexcept {
  return impl_->decided;
}

void RuleSetMatcher::match(const FieldMap& map, std::vector<std::size_t>& out) {
  Impl& m = *impl_;
  m.event.reset(m.ix->fields.size());
  for (std::uint32_t f = 0; f < m.ix->fields.size(); ++f) {
    m.scratch.clear();
    map.get(m.ix->fields[f], m.scratch);
    for (const Value& v : m.scratch)
      if (!v.is_null()) m.event.add(f, v);
  }
  m.match(m.event, out);
}

}  // namespace eqlite
