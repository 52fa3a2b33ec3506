// pack/schema.cpp — schemas for `eqlite check --schema` (pack/schema.hpp, docs/schema-lint.md).
#include "pack/schema.hpp"

#include <eqlite/eqlite.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <unordered_map>

namespace pack {

namespace {

struct TableRow {
  const char* name;
  const char* type;
  bool array;
  const char* example;
};

const TableRow kEcsTable[] = {
#include "pack/ecs_schema_table.inc"
};

const TableRow kAzureTable[] = {
#include "pack/azure_schema_table.inc"
};

std::string_view top_of(std::string_view field) {
  return field.substr(0, field.find('.'));
}

std::string_view last_segment(std::string_view field) {
  const auto dot = field.rfind('.');
  return dot == std::string_view::npos ? field : field.substr(dot + 1);
}

std::string_view parent_of(std::string_view field) {
  const auto dot = field.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : field.substr(0, dot);
}

// Elastic Endpoint's own fields live under ECS field sets in an `Ext` object
// (process.Ext.token.integrity_level_name): not ECS, not a misspelling either.
bool endpoint_extension(std::string_view field) {
  std::size_t b = 0;
  while (b <= field.size()) {
    std::size_t e = field.find('.', b);
    if (e == std::string_view::npos) e = field.size();
    if (field.substr(b, e - b) == "Ext") return true;
    b = e + 1;
  }
  return false;
}

const std::set<std::string, std::less<>>& ecs_top_levels() {
  static const std::set<std::string, std::less<>> tops = [] {
    std::set<std::string, std::less<>> t;
    for (const auto& r : kEcsTable)
      t.emplace(top_of(r.name));
    return t;
  }();
  return tops;
}

Schema from_table(std::string name, const TableRow* rows, std::size_t n) {
  Schema s(std::move(name), Schema::Kind::Mapping);
  for (std::size_t i = 0; i < n; ++i)
    s.add({rows[i].name, rows[i].type, rows[i].array, rows[i].example});
  return s;
}

// The words (3+ letters, lower case) of a segment: `country_or_region` → country, region.
std::vector<std::string> words_of(std::string_view segment) {
  std::vector<std::string> out;
  std::string w;
  auto flush = [&] {
    if (w.size() >= 3) out.push_back(w);
    w.clear();
  };
  for (std::size_t i = 0; i < segment.size(); ++i) {
    const char c = segment[i];
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      flush();
      continue;
    }
    // camelCase: a capital after a lower-case letter starts a word
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0 &&
        std::islower(static_cast<unsigned char>(segment[i - 1])))
      flush();
    w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  flush();
  return out;
}

// A value's shape: each character's class (A upper, a lower, 9 digit, the character itself).
std::string shape_of(std::string_view v) {
  std::string s;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    s += std::isupper(u) ? 'A' : std::islower(u) ? 'a' : std::isdigit(u) ? '9' : c;
  }
  return s;
}

}  // namespace

TypeFamily type_family(std::string_view t) noexcept {
  if (t == "keyword" || t == "constant_keyword" || t == "wildcard" || t == "text" ||
      t == "match_only_text" || t == "flattened" || t == "version")
    return TypeFamily::String;
  if (t == "long" || t == "integer" || t == "short" || t == "byte" || t == "unsigned_long")
    return TypeFamily::Integer;
  if (t == "double" || t == "float" || t == "half_float" || t == "scaled_float")
    return TypeFamily::Float;
  if (t == "ip") return TypeFamily::Ip;
  if (t == "date" || t == "date_nanos") return TypeFamily::Date;
  if (t == "boolean") return TypeFamily::Boolean;
  if (t == "object" || t == "nested" || t == "group") return TypeFamily::Object;
  return TypeFamily::Other;
}

std::vector<std::string> Schema::builtin_names() {
  return {"ecs", "azure"};
}

const Schema* Schema::builtin(std::string_view name) {
  if (name == "ecs") {
    static const Schema ecs = [] {
      Schema s = from_table("ECS", kEcsTable, std::size(kEcsTable));
      s.ecs_ = true;
      for (const auto& t : ecs_top_levels())
        s.covered_.push_back(t);
      return s;
    }();
    return &ecs;
  }
  if (name == "azure") {
    static const Schema azure = [] {
      Schema s = from_table("the Azure integration", kAzureTable, std::size(kAzureTable));
      // It also lists the ECS fields it fills (event.dataset, cloud.resource_id, ...): it speaks
      // for its own top-level names only.
      // Under `azure.`, each data stream it has (azure.signinlogs, ...) and each shared field
      // (azure.tenant_id): Elastic's package has more data streams than these three.
      const auto& ecs = ecs_top_levels();
      std::set<std::string, std::less<>> prefixes;
      for (const auto& r : kAzureTable) {
        const std::string_view field = r.name;
        if (ecs.count(top_of(field))) continue;
        const auto second = field.find('.', field.find('.') + 1);
        prefixes.emplace(top_of(field) == "azure" ? field.substr(0, second) : top_of(field));
      }
      s.covered_.assign(prefixes.begin(), prefixes.end());
      return s;
    }();
    return &azure;
  }
  return nullptr;
}

Schema Schema::from_required_fields(const Rule& rule) {
  Schema s("the rule's required_fields", Kind::RequiredFields);
  for (const auto& f : rule.required_fields)
    s.add({f.name, f.type, false, ""});
  return s;
}

bool Schema::from_samples(const std::string& path, Schema& out, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + start, nl - start);
    start = nl + 1;
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) lines.push_back(line);
  }
  // Pass 1: every path that has a value.
  std::set<std::string, std::less<>> paths;
  {
    eqlite::JsonReader reader(std::vector<std::string>{});
    const std::function<void(std::string_view)> sink = [&](std::string_view p) {
      if (paths.find(p) == paths.end()) paths.emplace(p);
    };
    for (auto line : lines)
      if (reader.for_each_path(line, sink)) ++out.events;
  }
  // Pass 2: the kinds of their values.
  std::vector<std::string> names(paths.begin(), paths.end());
  struct Seen {
    bool integer = false, fraction = false, boolean = false, string = false;
    std::string example;
  };
  std::vector<Seen> seen(names.size());
  eqlite::JsonReader reader(names);
  eqlite::Event event(names.size());
  for (auto line : lines) {
    if (!reader.read(line, event)) continue;
    for (std::uint32_t i = 0; i < names.size(); ++i)
      for (const eqlite::Value& v : event.values(i)) {
        switch (v.kind()) {
          case eqlite::ValueKind::Int:
            seen[i].integer = true;
            break;
          case eqlite::ValueKind::Double:
            seen[i].fraction = true;
            break;
          case eqlite::ValueKind::Bool:
            seen[i].boolean = true;
            break;
          case eqlite::ValueKind::String:
            seen[i].string = true;
            if (seen[i].example.empty() && v.as_string().size() <= 24)
              seen[i].example = std::string(v.as_string());
            break;
          case eqlite::ValueKind::Null:
            break;
        }
      }
  }
  std::set<std::string, std::less<>> tops;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const Seen& s = seen[i];
    const int kinds = (s.integer || s.fraction) + s.boolean + s.string;
    std::string type = kinds != 1 || s.string ? "keyword"
                       : s.boolean            ? "boolean"
                       : s.fraction           ? "double"
                                              : "long";
    tops.emplace(top_of(names[i]));
    out.add({names[i], type, false, s.example});
  }
  out.covered_.assign(tops.begin(), tops.end());
  return true;
}

// Whether `field` matches `pattern`, whose `*` segments match any one segment
// (`target_resources.*.display_name`, as the package's dynamic templates map them); an `open`
// pattern also matches every field below one it matches.
static bool matches_pattern(std::string_view pattern, std::string_view field, bool open) {
  while (true) {
    const auto pe = pattern.find('.'), fe = field.find('.');
    const auto p = pattern.substr(0, pe), f = field.substr(0, fe);
    if (p != "*" && p != f) return false;
    if (pe == std::string_view::npos) return fe == std::string_view::npos || open;
    if (fe == std::string_view::npos) return false;
    pattern.remove_prefix(pe + 1);
    field.remove_prefix(fe + 1);
  }
}

void Schema::add(SchemaField field) {
  std::string name = field.name;
  bool open = false;
  if (name.size() > 2 && name.ends_with(".*")) {  // `claims.*`: any field below
    name.resize(name.size() - 2);
    field.type = "object";
    field.name = name;
    open_prefixes_.push_back(name + ".");
    open = true;
  } else if (field.type == "object" || field.type == "flattened") {
    open_prefixes_.push_back(name + ".");
    open = true;
  }
  // A `*` segment (`a.*.b`, `*.b`): a pattern, under the name the field is stored by.
  if (("." + name + ".").find(".*.") != std::string::npos) {
    auto it = std::find_if(patterns_.begin(), patterns_.end(),
                           [&](const Pattern& p) { return p.name == name; });
    if (it == patterns_.end())
      patterns_.push_back({name, open});
    else
      it->open = open;
  }
  fields_.insert_or_assign(std::move(name), std::move(field));
}

const SchemaField* Schema::find(std::string_view field) const {
  if (auto it = fields_.find(field); it != fields_.end()) return &it->second;
  for (const auto& p : open_prefixes_)
    if (field.starts_with(p)) {
      auto it = fields_.find(std::string_view(p).substr(0, p.size() - 1));
      if (it != fields_.end()) return &it->second;
    }
  for (const auto& p : patterns_)
    if (matches_pattern(p.name, field, p.open))
      if (auto it = fields_.find(p.name); it != fields_.end()) return &it->second;
  return nullptr;
}

bool Schema::covers(std::string_view field) const {
  if (ecs_ && endpoint_extension(field)) return false;
  return claims(field);
}

bool Schema::claims(std::string_view field) const {
  return std::any_of(covered_.begin(), covered_.end(), [&](const std::string& p) {
    return field.starts_with(p) && (field.size() == p.size() || field[p.size()] == '.');
  });
}

// ---------------------------------------------------------------------------------------------

struct SchemaSet::Index {
  struct Entry {
    std::string name;
    std::string_view leaf;
    std::vector<std::string> words;
    std::string example_shape;  // of its own example, or of an ECS field with the same leaf
    bool in_samples = false;
  };
  std::vector<Entry> entries;
  std::unordered_map<std::string, std::pair<std::vector<std::string>, bool>> memo;
};

SchemaSet::SchemaSet() = default;
SchemaSet::~SchemaSet() = default;
SchemaSet::SchemaSet(SchemaSet&&) noexcept = default;
SchemaSet& SchemaSet::operator=(SchemaSet&&) noexcept = default;

void SchemaSet::add(Schema schema) {
  schemas_.push_back(std::move(schema));
  index_.reset();
}

const SchemaField* SchemaSet::find(std::string_view field, const Schema** from) const {
  for (auto kind : {Schema::Kind::RequiredFields, Schema::Kind::Mapping, Schema::Kind::Samples})
    for (const auto& s : schemas_) {
      if (s.kind() != kind) continue;
      if (const SchemaField* f = s.find(field)) {
        if (from) *from = &s;
        return f;
      }
    }
  return nullptr;
}

std::vector<const Schema*> SchemaSet::covering(std::string_view field) const {
  std::vector<const Schema*> out;
  // Samples of one source cannot say that a field of a mapping's field set does not exist.
  const bool mapped = std::any_of(schemas_.begin(), schemas_.end(), [&](const Schema& s) {
    return s.kind() == Schema::Kind::Mapping && s.claims(field);
  });
  for (const auto& s : schemas_)
    if (s.covers(field) && !(mapped && s.kind() == Schema::Kind::Samples)) out.push_back(&s);
  return out;
}

std::vector<std::string> SchemaSet::suggest(std::string_view field,
                                            const std::vector<std::string>& literals,
                                            std::size_t max, bool* close) const {
  if (!index_) {
    index_ = std::make_unique<Index>();
    // Examples by leaf name, from the mappings (ECS): `country_iso_code` → "CA".
    std::unordered_map<std::string, std::string> leaf_examples;
    for (const auto& s : schemas_)
      for (const auto& [name, f] : s.fields())
        if (s.kind() == Schema::Kind::Mapping && !f.example.empty())
          leaf_examples.emplace(std::string(last_segment(name)), f.example);
    std::unordered_map<std::string, std::size_t> at;
    for (const auto& s : schemas_)
      for (const auto& [name, f] : s.fields()) {
        if (f.family() == TypeFamily::Object) continue;
        auto [it, added] = at.emplace(name, index_->entries.size());
        if (added) index_->entries.push_back({name, {}, {}, {}, false});
        Index::Entry& e = index_->entries[it->second];
        if (s.kind() == Schema::Kind::Samples) e.in_samples = true;
        if (e.example_shape.empty() && !f.example.empty()) e.example_shape = shape_of(f.example);
      }
    for (auto& e : index_->entries) {
      e.leaf = last_segment(e.name);
      e.words = words_of(e.leaf);
      if (e.example_shape.empty())
        if (auto it = leaf_examples.find(std::string(e.leaf)); it != leaf_examples.end())
          e.example_shape = shape_of(it->second);
    }
  }
  std::string key(field);
  for (const auto& l : literals)
    key += '\0' + shape_of(l);
  key += '\0' + std::to_string(max);
  if (auto it = index_->memo.find(key); it != index_->memo.end()) {
    if (close) *close = it->second.second;
    return it->second.first;
  }

  std::vector<std::string> out;
  const auto& entries = index_->entries;
  // 1. A small edit distance on the whole path.
  const std::size_t limit = field.size() < 8 ? 1 : field.size() < 24 ? 2 : 3;
  std::size_t best_d = limit + 1;
  const Index::Entry* best = nullptr;
  for (const auto& e : entries) {
    const std::size_t d = edit_distance(field, e.name, std::min(limit, best_d));
    if (d < best_d || (d == best_d && best && e.in_samples && !best->in_samples)) {
      best_d = d;
      best = &e;
    }
  }
  // 2. The same parent and a small edit distance on the last segment.
  if (!best) {
    const auto parent = parent_of(field);
    const auto leaf = last_segment(field);
    const std::size_t leaf_limit = leaf.size() < 8 ? 1 : 2;
    for (const auto& e : entries) {
      if (parent_of(e.name) != parent) continue;
      const std::size_t d = edit_distance(leaf, e.leaf, std::min(leaf_limit, best_d));
      if (d <= leaf_limit && d < best_d) {
        best_d = d;
        best = &e;
      }
    }
  }
  if (best) {
    out.push_back(best->name);
  } else {
    // 3. Shared words in the last segment.
    const auto mine = words_of(last_segment(field));
    std::string literal_shape;
    bool one_shape = !literals.empty();
    for (const auto& l : literals) {
      const std::string s = shape_of(l);
      if (literal_shape.empty()) literal_shape = s;
      one_shape = one_shape && s == literal_shape;
    }
    struct Ranked {
      const Index::Entry* e;
      std::size_t shared;
      bool shape;
    };
    std::vector<Ranked> ranked;
    for (const auto& e : entries) {
      std::size_t shared = 0;
      for (const auto& w : e.words)
        shared += std::count(mine.begin(), mine.end(), w);
      if (!shared) continue;
      ranked.push_back({&e, shared, one_shape && e.example_shape == literal_shape});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
      if (a.shared != b.shared) return a.shared > b.shared;
      if (a.shape != b.shape) return a.shape;
      if (a.e->in_samples != b.e->in_samples) return a.e->in_samples;
      if (a.e->name.size() != b.e->name.size()) return a.e->name.size() < b.e->name.size();
      return a.e->name < b.e->name;
    });
    for (std::size_t i = 0; i < ranked.size() && out.size() < max; ++i)
      out.push_back(ranked[i].e->name);
  }
  if (close) *close = best != nullptr;
  index_->memo.emplace(std::move(key), std::make_pair(out, best != nullptr));
  return out;
}

// A band of the table around its diagonal: O(limit * length). Row i holds the cells j of
// [i - limit, i + limit]; the cells just outside the band are reset to "too far" (limit + 1), the
// rest is never read. The rows are reused from call to call (per thread).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit) {
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > limit) return limit + 1;
  const std::size_t inf = limit + 1;
  thread_local std::vector<std::size_t> prev, cur;
  if (prev.size() < b.size() + 1) {
    prev.resize(b.size() + 1);
    cur.resize(b.size() + 1);
  }
  const std::size_t first_hi = std::min(b.size(), limit);
  for (std::size_t j = 0; j <= first_hi; ++j)
    prev[j] = j;
  if (first_hi < b.size()) prev[first_hi + 1] = inf;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    const std::size_t lo = i > limit ? i - limit : 1;
    const std::size_t hi = std::min(b.size(), i + limit);
    // prev holds [lo - 1, hi] of row i - 1 (its band, and `inf` just past it): the left edge.
    cur[lo - 1] = lo == 1 ? (i <= limit ? i : inf) : inf;
    std::size_t row_min = cur[lo - 1];
    for (std::size_t j = lo; j <= hi; ++j) {
      std::size_t v = std::min(prev[j] + 1, cur[j - 1] + 1);
      v = std::min(v, prev[j - 1] + (a[i - 1] != b[j - 1]));
      cur[j] = std::min(v, inf);
      row_min = std::min(row_min, cur[j]);
    }
    if (hi < b.size()) cur[hi + 1] = inf;  // read by the next row as prev[hi + 1]
    if (row_min > limit) return inf;
    std::swap(prev, cur);
  }
  return std::min(prev[b.size()], inf);
}

}  // namespace pack
