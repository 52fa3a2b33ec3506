// eval/matchers.cpp — see matchers.hpp.
#include "eval/matchers.hpp"

#include <hs.h>
#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <limits>
#include <mutex>
#include <unordered_map>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "eval/result_memo.hpp"
#include "eval/value_ops.hpp"

namespace eqlite::internal {

std::uint64_t next_matcher_id() noexcept {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

// ---- StringSet

std::uint32_t StringSet::insert(std::string s) {
  if (const std::uint32_t i = find(s); i != npos) return i;
  strings_.push_back(std::move(s));
  if (slots_.size() < 2 * strings_.size()) {  // at most half full
    std::size_t size = 16;
    while (size < 4 * strings_.size())
      size *= 2;
    slots_.assign(size, Slot{});
    for (std::uint32_t i = 0; i < strings_.size(); ++i)
      place(i);
  } else {
    place(static_cast<std::uint32_t>(strings_.size() - 1));
  }
  const auto index = static_cast<std::uint32_t>(strings_.size() - 1);
  if (!edges_.empty() && strings_.size() <= kEdgesMax && edges_.size() >= 2 * strings_.size()) {
    // the table's multiplier may separate this string from the others too (no search then)
    std::uint64_t head, tail;
    edge_words(strings_[index], head, tail);
    EdgeSlot& e =
        edges_[(edge_key(head, tail, strings_[index].size()) * edge_mult_) >> edge_shift_];
    if (e.size == 0xFFFFFFFF) {
      e = {head, tail, static_cast<std::uint32_t>(strings_[index].size()), index};
      return index;
    }
  }
  build_edges();
  return index;
}

void StringSet::build_edges() {
  edges_.clear();
  const std::size_t n = strings_.size();
  if (n == 0 || n > kEdgesMax || edges_never_) return;
  std::vector<std::uint64_t> keys(n), heads(n), tails(n);
  for (std::size_t i = 0; i < n; ++i) {
    edge_words(strings_[i], heads[i], tails[i]);
    keys[i] = edge_key(heads[i], tails[i], strings_[i].size());
  }
  std::vector<std::uint64_t> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    edges_never_ = true;  // and more strings will not change that
    return;
  }
  std::uint64_t seed = 0x2545F4914F6CDD1DULL;
  std::vector<char> used;
  for (unsigned bits = 1; bits <= 12; ++bits) {
    const std::size_t size = std::size_t{1} << bits;
    if (size < 2 * n) continue;  // at most half full
    used.assign(size, 0);
    for (int attempt = 0; attempt < 300; ++attempt) {
      seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
      const std::uint64_t mult = seed | 1;
      std::fill(used.begin(), used.end(), 0);
      bool ok = true;
      for (std::size_t i = 0; i < n && ok; ++i) {
        const std::size_t at = (keys[i] * mult) >> (64 - bits);
        ok = !used[at];
        used[at] = 1;
      }
      if (!ok) continue;
      edges_.assign(size, EdgeSlot{});
      edge_mult_ = mult;
      edge_shift_ = 64 - bits;
      for (std::size_t i = 0; i < n; ++i)
        edges_[(keys[i] * mult) >> edge_shift_] = {heads[i], tails[i],
                                                   static_cast<std::uint32_t>(strings_[i].size()),
                                                   static_cast<std::uint32_t>(i)};
      return;
    }
    if (size >= 8 * n) return;  // two strings may share their edges (longer than 16 bytes)
  }
}

void StringSet::place(std::uint32_t index) {
  const std::uint64_t h = hash_string(strings_[index]);
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = h & mask;
  while (slots_[i].index != 0)
    i = (i + 1) & mask;
  slots_[i] = {h, index + 1, static_cast<std::uint32_t>(strings_[index].size())};
}

// ---- ValueSet
// ------------------------------------------------------------------------------------

void ValueSet::add(Value lit) {
  ++count_;
  std::string buf, folded;
  std::string_view text;
  if (lit.is_null()) return;  // a null member matches nothing (Elasticsearch's In ignores it)
  if (ci_) {
    // in~ compares text (S8: on numbers and booleans, their JSON text)
    text_of(lit, buf, text);
    fold_ascii(text, folded);
    strings_.insert(folded);
    return;
  }
  switch (lit.kind()) {
    case ValueKind::String: {
      strings_.insert(std::string(lit.as_string()));
      Value n;
      if (parse_number(lit.as_string(), n)) add_number(n);
      if (lit.as_string() == "true") true_ = true;
      if (lit.as_string() == "false") false_ = true;
      break;
    }
    case ValueKind::Int:
    case ValueKind::Double:
      add_number(lit);
      text_of(lit, buf, text);
      strings_.insert(std::string(text));
      break;
    case ValueKind::Bool:
      (lit.as_bool() ? true_ : false_) = true;
      strings_.insert(lit.as_bool() ? "true" : "false");
      break;
    case ValueKind::Null:
      break;
  }
}

// Numbers compare as compare() does: int with int exactly, otherwise as doubles. So an int
// literal is kept both exactly and as the double it converts to.
void ValueSet::add_number(Value n) {
  if (n.kind() == ValueKind::Int) {
    ints_.insert(n.as_int());
    int_doubles_.insert(static_cast<double>(n.as_int()));
  } else {
    doubles_.insert(n.as_double());
  }
}

bool ValueSet::contains_number(Value v) const noexcept {
  if (v.kind() == ValueKind::Int)
    return ints_.count(v.as_int()) != 0 || doubles_.count(static_cast<double>(v.as_int())) != 0;
  return doubles_.count(v.as_double()) != 0 || int_doubles_.count(v.as_double()) != 0;
}

bool ValueSet::contains(Value v, std::string& buf) const noexcept {
  if (v.is_null()) return false;  // S2
  try {
    if (ci_) {  // the set holds folded strings (S5)
      std::string_view text;
      text_of(v, buf, text);
      return strings_.find_folded(text) != StringSet::npos;
    }
    switch (v.kind()) {
      case ValueKind::String:
        return strings_.contains(v.as_string());
      case ValueKind::Int:
      case ValueKind::Double:
        return contains_number(v);
      case ValueKind::Bool:
        return v.as_bool() ? true_ : false_;
      case ValueKind::Null:
        return false;
    }
  } catch (...) {
  }
  return false;
}

// The filter's tables: literals sorted by their first `width` bytes, each run of literals with
// the same start in one bucket, the runs spread over the buckets in order (neighbours in the
// order share leading nibbles: fewer false candidates).
void NibbleFilter::build(const std::vector<std::string>& literals,
                         const std::vector<bool>& caseless_in) {
  fold_text = std::find(caseless_in.begin(), caseless_in.end(), true) != caseless_in.end();
  std::vector<std::string> keys(literals.size());  // the bytes the filter compares
  std::size_t longest = 0;
  for (std::size_t i = 0; i < literals.size(); ++i) {
    if (fold_text)
      fold_ascii(literals[i], keys[i]);
    else
      keys[i] = literals[i];
    longest = std::max(longest, literals[i].size());
  }
  width = std::clamp<std::size_t>(longest, 1, kWidth);
  const std::size_t w = width;
  std::vector<std::uint32_t> order(literals.size());
  for (std::uint32_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t x, std::uint32_t y) {
    return keys[x].compare(0, w, keys[y], 0, w) < 0;
  });
  by_bucket.clear();
  caseless.clear();
  ids = order;
  std::vector<std::string> sorted_keys;
  for (const std::uint32_t i : order) {
    by_bucket.push_back(literals[i]);
    caseless.push_back(i < caseless_in.size() && caseless_in[i]);
    sorted_keys.push_back(keys[i]);
  }
  std::vector<std::size_t> run_start;  // index of the first literal of each distinct start
  for (std::size_t i = 0; i < sorted_keys.size(); ++i)
    if (i == 0 || sorted_keys[i].compare(0, w, sorted_keys[i - 1], 0, w) != 0)
      run_start.push_back(i);
  const std::size_t runs = run_start.size();
  std::memset(nibbles, 0, sizeof nibbles);
  std::size_t next = 0;
  for (std::size_t b = 0; b < kBuckets; ++b) {
    bucket[b] = static_cast<std::uint16_t>(next);
    const std::size_t last_run = (b + 1) * runs / kBuckets;  // runs [b*runs/8, (b+1)*runs/8)
    next = last_run < runs ? run_start[last_run] : by_bucket.size();
    for (std::size_t i = bucket[b]; i < next; ++i) {
      const std::string& lit = sorted_keys[i];
      const auto bit = static_cast<unsigned char>(1u << b);
      for (std::size_t k = 0; k < w; ++k) {
        if (k >= lit.size()) {  // past the literal: any byte
          for (unsigned x = 0; x < 16; ++x)
            nibbles[k][0][x] |= bit, nibbles[k][1][x] |= bit;
          continue;
        }
        const auto c = static_cast<unsigned char>(lit[k]);
        nibbles[k][0][c & 15] |= bit;
        nibbles[k][1][c >> 4] |= bit;
      }
    }
  }
  bucket[kBuckets] = static_cast<std::uint16_t>(by_bucket.size());
  ready = false;
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();  // idempotent; needed if this runs in a static constructor
  ready = __builtin_cpu_supports("ssse3");
#endif
}

// ---- PatternSet
// ----------------------------------------------------------------------------------

namespace {

// The filter bit of a literal's first two bytes (PatternSet::ShortScan).
unsigned short_pair(unsigned c0, unsigned c1) noexcept {
  return ((c0 << 4) ^ c1) & 0xFFF;
}

std::size_t utf8_length(unsigned char lead) noexcept {
  if (lead < 0xC0) return 1;  // ASCII, or a stray continuation byte: one unit
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

constexpr std::size_t kNoMatch = std::string_view::npos;

// Matches `seg` (no '*'; '?' = one code point) at text[i...]; returns the end or kNoMatch.
std::size_t match_segment(std::string_view text, std::size_t i, std::string_view seg) noexcept {
  for (char c : seg) {
    if (i >= text.size()) return kNoMatch;
    if (c == '?') {
      i += std::min(utf8_length(static_cast<unsigned char>(text[i])), text.size() - i);
    } else {
      if (text[i] != c) return kNoMatch;
      ++i;
    }
  }
  return i;
}

bool is_continuation(char c) noexcept {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

// ---- Glob: linear-time matching of one pattern

namespace {

constexpr std::size_t kShortLiteral = 16;  // plain segments up to this long use find()

// The code point unit at text[i...] (a stray byte is a unit of its own), clamped to the text.
std::size_t unit_at(std::string_view text, std::size_t i) noexcept {
  return std::min(utf8_length(static_cast<unsigned char>(text[i])), text.size() - i);
}

Glob::Segment make_segment(std::string_view bytes) {
  Glob::Segment seg;
  seg.bytes.assign(bytes);
  seg.plain = bytes.find('?') == std::string_view::npos;
  if (seg.plain && bytes.size() <= kShortLiteral && !bytes.empty() && !is_continuation(bytes[0]))
    return seg;
  std::vector<std::string_view> units;
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t n = bytes[i] == '?' ? 1 : unit_at(bytes, i);
    units.push_back(bytes.substr(i, n));
    i += n;
  }
  seg.units = units.size();
  seg.words = (units.size() + 63) / 64;
  seg.ascii.assign(128 * seg.words, 0);
  seg.any.assign(seg.words, 0);
  for (std::size_t k = 0; k < units.size(); ++k) {
    const std::uint64_t bit = std::uint64_t{1} << (k % 64);
    const std::size_t w = k / 64;
    const std::string_view u = units[k];
    if (u == "?" && !seg.plain) {
      seg.any[w] |= bit;
    } else if (u.size() == 1 && static_cast<unsigned char>(u[0]) < 0x80) {
      seg.ascii[static_cast<unsigned char>(u[0]) * seg.words + w] |= bit;
    } else {
      auto it = std::find_if(seg.wide.begin(), seg.wide.end(),
                             [&](const auto& e) { return e.first == u; });
      if (it == seg.wide.end()) {
        seg.wide.emplace_back(std::string(u), std::vector<std::uint64_t>(seg.words, 0));
        it = seg.wide.end() - 1;
      }
      it->second[w] |= bit;
    }
  }
  return seg;
}

// Runs the segment's automaton over text[from...], unit by unit. With `to_end`, returns
// text.size() when a match ends exactly there; otherwise the end of the earliest match.
// kNoMatch when there is none.
std::size_t run_automaton(const Glob::Segment& seg, std::string_view text, std::size_t from,
                          bool to_end) noexcept {
  if (seg.units == 0) return to_end ? (from == text.size() ? from : kNoMatch) : from;
  const std::size_t words = seg.words;
  const std::size_t top_word = (seg.units - 1) / 64;
  const std::uint64_t top_bit = std::uint64_t{1} << ((seg.units - 1) % 64);
  std::uint64_t small[16];
  std::vector<std::uint64_t> large;
  std::uint64_t* state = small;
  if (words > 16) {
    try {
      large.assign(words, 0);
    } catch (...) {
      return kNoMatch;
    }
    state = large.data();
  }
  std::fill(state, state + words, 0);
  bool last_hit = false;
  for (std::size_t i = from; i < text.size();) {
    const std::size_t n = unit_at(text, i);
    const std::uint64_t* accept = nullptr;
    if (n == 1 && static_cast<unsigned char>(text[i]) < 0x80) {
      accept = &seg.ascii[static_cast<unsigned char>(text[i]) * words];
    } else {
      const std::string_view u = text.substr(i, n);
      for (const auto& [bytes, mask] : seg.wide)
        if (bytes == u) {
          accept = mask.data();
          break;
        }
    }
    std::uint64_t carry = 1;  // a match may start at every unit
    for (std::size_t w = 0; w < words; ++w) {
      const std::uint64_t next_carry = state[w] >> 63;
      state[w] = ((state[w] << 1) | carry) & ((accept ? accept[w] : 0) | seg.any[w]);
      carry = next_carry;
    }
    i += n;
    last_hit = (state[top_word] & top_bit) != 0;
    if (last_hit && !to_end) return i;
  }
  return to_end && last_hit ? text.size() : kNoMatch;
}

// The end of the leftmost match of `seg` in text[from...], or kNoMatch.
std::size_t find_segment(const Glob::Segment& seg, std::string_view text,
                         std::size_t from) noexcept {
  if (seg.units == 0 && !seg.bytes.empty()) {  // short and plain
    const std::size_t at = text.find(seg.bytes, from);
    return at == std::string_view::npos ? kNoMatch : at + seg.bytes.size();
  }
  return run_automaton(seg, text, from, false);
}

// Whether `seg` matches text[s...] exactly up to the end for some unit boundary s >= from.
bool ends_with_segment(const Glob::Segment& seg, std::string_view text, std::size_t from) noexcept {
  if (seg.plain) {
    if (text.size() - from < seg.bytes.size()) return false;
    const std::size_t s = text.size() - seg.bytes.size();
    if (s != from && s < text.size() && is_continuation(text[s])) return false;
    return text.substr(s) == seg.bytes;
  }
  return run_automaton(seg, text, from, true) == text.size();
}

}  // namespace

Glob::Glob(std::string_view pattern) : pattern_(pattern) {
  if (!pattern.empty() && pattern[0] != '*' && pattern[0] != '?')
    first_byte_ = static_cast<unsigned char>(pattern[0]);
  const std::size_t star = pattern.find('*');
  starred_ = star != std::string_view::npos;
  if (!starred_) {
    first_.bytes.assign(pattern);
    first_.plain = pattern.find('?') == std::string_view::npos;
    return;
  }
  first_.bytes.assign(pattern.substr(0, star));
  first_.plain = first_.bytes.find('?') == std::string::npos;
  std::string_view rest = pattern.substr(star + 1);
  for (std::size_t next; (next = rest.find('*')) != std::string_view::npos;) {
    if (next > 0) middle_.push_back(make_segment(rest.substr(0, next)));
    rest = rest.substr(next + 1);
  }
  last_ = make_segment(rest);
}

bool Glob::matches_from_start(std::string_view text) const noexcept {
  if (!starred_) return match_segment(text, 0, first_.bytes) == text.size();
  std::size_t pos = match_segment(text, 0, first_.bytes);
  if (pos == kNoMatch) return false;
  for (const Segment& seg : middle_) {
    pos = find_segment(seg, text, pos);
    if (pos == kNoMatch) return false;
  }
  if (last_.bytes.empty()) return true;
  return ends_with_segment(last_, text, pos);
}

std::string necessary_literal(std::string_view pattern) {
  std::string_view best;
  for (std::size_t i = 0; i < pattern.size();) {
    const std::size_t end = std::min(pattern.find_first_of("*?", i), pattern.size());
    if (end - i > best.size()) best = pattern.substr(i, end - i);
    i = end + 1;
  }
  return std::string(best);
}

bool PatternSet::glob(std::string_view text, std::string_view pat) noexcept {
  try {
    return Glob(pat).matches(text);
  } catch (...) {
    return false;
  }
}

void PatternSet::add(std::string_view pattern) {
  std::string p;
  if (ci_)
    fold_ascii(pattern, p);
  else
    p.assign(pattern);
  all_.push_back(p);
  const std::size_t n = p.size();
  const bool has_q = p.find('?') != std::string::npos;
  const std::size_t stars = static_cast<std::size_t>(std::count(p.begin(), p.end(), '*'));
  if (p.find_first_not_of('*') == std::string::npos && stars > 0) {
    match_all_ = true;  // "*", "**": anything, including ""
  } else if (stars == 0 && !has_q) {
    exact_.insert(p);  // S6: no wildcard means plain equality
  } else if (!has_q && stars == 1 && p[n - 1] == '*') {
    prefixes_.push_back(p.substr(0, n - 1));
  } else if (!has_q && stars == 1 && p[0] == '*') {
    suffixes_.push_back(p.substr(1));
  } else if (!has_q && stars == 2 && p[0] == '*' && p[n - 1] == '*' && n > 2) {
    contains_.push_back(p.substr(1, n - 2));
  } else {
    globs_.emplace_back(p);
  }
}

// ---- Vectorscan scratch

namespace {

// Hyperscan needs per-thread scratch space big enough for every database it scans. One
// prototype grows with every database compiled (under a lock); a thread re-clones it when a
// newer database exists (one relaxed load per scan to check).
struct ScratchPrototype {
  std::mutex mu;
  hs_scratch_t* proto = nullptr;
  std::atomic<std::uint64_t> generation{0};
};
ScratchPrototype& prototype() {
  static ScratchPrototype* p = new ScratchPrototype;  // never destroyed: threads may outlive
  return *p;
}
struct ThreadScratch {
  hs_scratch_t* scratch = nullptr;
  std::uint64_t generation = ~std::uint64_t{0};
  ~ThreadScratch() {
    if (scratch) hs_free_scratch(scratch);
  }
};
// The database an hs_compile_* call gave (`rc`, `db`, `err`), with the prototype scratch grown
// to fit it (threads re-clone it on their next scan). nullptr when the compile failed (its
// error freed) or no scratch could be had (the database freed).
hs_database_t* compiled(hs_error_t rc, hs_database_t* db, hs_compile_error_t* err) noexcept {
  if (rc != HS_SUCCESS) {
    hs_free_compile_error(err);
    return nullptr;
  }
  ScratchPrototype& p = prototype();
  std::lock_guard<std::mutex> lock(p.mu);
  if (hs_alloc_scratch(db, &p.proto) != HS_SUCCESS) {
    hs_free_database(db);
    return nullptr;
  }
  p.generation.fetch_add(1, std::memory_order_release);
  return db;
}

hs_scratch_t* thread_scratch() noexcept {
  thread_local ThreadScratch t;
  ScratchPrototype& p = prototype();
  const std::uint64_t g = p.generation.load(std::memory_order_acquire);
  if (t.generation != g) {
    std::lock_guard<std::mutex> lock(p.mu);
    if (t.scratch) hs_free_scratch(t.scratch);
    t.scratch = nullptr;
    if (!p.proto || hs_clone_scratch(p.proto, &t.scratch) != HS_SUCCESS) return nullptr;
    t.generation = p.generation.load(std::memory_order_relaxed);
  }
  return t.scratch;
}

}  // namespace

// A wildcard list as one literal scan and a check of the patterns it points to. Every value a
// pattern matches contains the pattern's necessary literal (its longest run without wildcards),
// so one LiteralScanner finds which of the list's literals a value contains (one pass, however
// long the list), and only the patterns of those literals are matched (Glob); patterns without
// a literal (`?*`) always are. Until session 9 the list was one Vectorscan regex database: no
// faster to scan, but compiling one took 14 ms on average (1.9 s for the 139 lists of Elastic's
// rules, paid by the first events that reach them), where a literal database takes 0.5 ms
// (docs/performance.md). The scanner's database is built on first use.
class MultiPattern {
 public:
  // `caseless`: the patterns are ASCII-folded (S5), and are matched against the folded value.
  // Built on first use, like the databases were: a rule set of hundreds of rules should not
  // pay, in time or memory, for the lists no event reaches.
  MultiPattern(std::vector<std::string> patterns, bool caseless)
      : patterns_(std::move(patterns)), caseless_(caseless) {}

  // Whether the literal scan is ready: its Vectorscan database compiles, if it has one
  // (building it now if no value needed it yet). For tests.
  bool ready() const noexcept {
    try {
      built();
    } catch (...) {
      return false;
    }
    return !scanner_ || scanner_->ready();
  }

  // `fold`: scratch.
  bool matches(std::string_view text, std::string& fold) const {
    built();
    thread_local std::vector<std::uint32_t> hits;
    hits.clear();
    if (scanner_) scanner_->scan(text, hits, fold);
    if (hits.empty() && always_.empty()) return false;
    std::string_view t = text;
    if (caseless_) {
      fold_ascii(text, fold);
      t = fold;
    }
    for (const std::uint32_t l : hits)
      for (const std::uint32_t p : by_literal_[l])
        if (globs_[p].matches(t)) return true;
    for (const std::uint32_t p : always_)
      if (globs_[p].matches(t)) return true;
    return false;
  }

 private:
  void built() const {
    std::call_once(once_, [this] { build(); });
  }
  // Into locals first: should an allocation throw, nothing is half built and the next call
  // tries again (call_once).
  void build() const {
    std::vector<Glob> globs;
    std::vector<std::vector<std::uint32_t>> by_literal;
    std::vector<std::uint32_t> always;
    std::vector<std::string> literals;
    std::unordered_map<std::string, std::uint32_t> ids;
    for (std::size_t i = 0; i < patterns_.size(); ++i) {
      globs.emplace_back(patterns_[i]);
      std::string lit = necessary_literal(patterns_[i]);
      const auto p = static_cast<std::uint32_t>(i);
      if (lit.empty()) {
        always.push_back(p);
        continue;
      }
      auto [it, fresh] = ids.emplace(lit, static_cast<std::uint32_t>(literals.size()));
      if (fresh) {
        literals.push_back(std::move(lit));
        by_literal.emplace_back();
      }
      by_literal[it->second].push_back(p);
    }
    if (!literals.empty())
      scanner_ = std::make_unique<LiteralScanner>(std::move(literals), caseless_);
    globs_ = std::move(globs);
    by_literal_ = std::move(by_literal);
    always_ = std::move(always);
  }

  std::vector<std::string> patterns_;
  bool caseless_;
  mutable std::once_flag once_;
  mutable std::vector<Glob> globs_;                             // by pattern
  mutable std::vector<std::vector<std::uint32_t>> by_literal_;  // the patterns of each literal
  mutable std::vector<std::uint32_t> always_;                   // the patterns without a literal
  mutable std::unique_ptr<LiteralScanner> scanner_;  // null when no pattern has a literal
};

bool PatternSet::multi_ready() const noexcept {
  return multi_ && multi_->ready();
}

void PatternSet::finish() {
  std::vector<std::string> starred;  // every pattern with a wildcard
  for (const auto& s : prefixes_)
    starred.push_back(s + "*");
  for (const auto& s : suffixes_)
    starred.push_back("*" + s);
  for (const auto& s : contains_)
    starred.push_back("*" + s + "*");
  for (const auto& g : globs_)
    starred.push_back(g.pattern());
  if (match_all_ || starred.size() < kMultiPatternMin || starred.size() > kMultiPatternMax) return;
  std::size_t bytes = 0;
  for (const auto& p : starred)
    bytes += p.size();
  if (bytes > kMultiPatternMaxBytes) return;  // a hostile list must not stall the first match
  const bool simple = std::none_of(globs_.begin(), globs_.end(), [](const Glob& g) {
    return g.pattern().find('?') == std::string::npos;
  });
  multi_ = std::make_shared<const MultiPattern>(std::move(starred), ci_);
  if (simple && contains_.size() <= ShortScan::kMaxLiterals &&
      prefixes_.size() + suffixes_.size() <= ShortScan::kMaxEnds) {
    auto scan = std::make_shared<ShortScan>();
    scan->literals = contains_;
    std::sort(scan->literals.begin(), scan->literals.end(),
              [](const std::string& a, const std::string& b) {
                return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
              });
    std::size_t i = 0;
    for (unsigned c = 0; c <= 256; ++c) {
      while (i < scan->literals.size() && static_cast<unsigned char>(scan->literals[i][0]) < c)
        ++i;
      scan->first[c] = static_cast<std::uint16_t>(i);
    }
    for (const auto& lit : scan->literals) {  // never empty: `**` matches everything
      const auto c0 = static_cast<unsigned char>(lit[0]);
      if (lit.size() == 1) {
        scan->singles[c0 >> 6] |= std::uint64_t{1} << (c0 & 63);
      } else {
        const unsigned h = short_pair(c0, static_cast<unsigned char>(lit[1]));
        scan->pairs[h >> 6] |= std::uint64_t{1} << (h & 63);
      }
    }
    scan->vector.build(scan->literals, std::vector<bool>(scan->literals.size(), ci_));
    short_ = std::move(scan);
  }
  for (auto& g : globs_)  // multi_ holds them all; short_ needs the `?` ones (simple lists)
    if (g.pattern().find('?') != std::string::npos) db_globs_.push_back(std::move(g));
  globs_.clear();
  kept_prefixes_ = std::move(prefixes_);
  kept_suffixes_ = std::move(suffixes_);
  prefixes_.clear();
  suffixes_.clear();
  contains_.clear();
  set_contains_only();
  memo_id_ = next_matcher_id();  // the answers are final now (ResultMemo)
}

void PatternSet::set_contains_only() noexcept {
  contains_only_ = short_ && short_->vector.ready && !short_->literals.empty() && !match_all_ &&
                   kept_prefixes_.empty() && kept_suffixes_.empty() && globs_.empty() &&
                   db_globs_.empty() && exact_.empty();
}

namespace {
// The literals are folded already (ci); the text is folded as it is read and compared.
// The literals of the scan, byte by byte (prefixes and suffixes: prefix_or_suffix()).
template <bool kCi>
bool scan_short(const PatternSet::ShortScan& s, std::string_view t) noexcept {
  auto same = [](const unsigned char* text, const std::string& lit) {
    return same_bytes<kCi>(lit.data(), reinterpret_cast<const char*>(text), lit.size());
  };
  auto byte = [](unsigned char c) -> unsigned {
    if constexpr (kCi) return c >= 'A' && c <= 'Z' ? c + 32u : c;
    return c;
  };
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  const std::size_t n = t.size();
  if (n == 0) return false;
  unsigned c1 = byte(p[0]);
  for (std::size_t i = 0; i < n; ++i) {
    const unsigned c0 = c1;
    if (s.singles[c0 >> 6] & (std::uint64_t{1} << (c0 & 63))) return true;
    if (i + 1 == n) break;
    c1 = byte(p[i + 1]);
    const unsigned h = short_pair(c0, c1);
    if (!(s.pairs[h >> 6] & (std::uint64_t{1} << (h & 63)))) continue;
    for (std::size_t k = s.first[c0]; k < s.first[c0 + 1]; ++k) {
      const std::string& lit = s.literals[k];
      if (lit.size() <= n - i && same(p + i, lit)) return true;
    }
  }
  return false;
}

#if defined(__x86_64__) || defined(__i386__)
// NibbleFilter::scan, 16 positions at a time (SSSE3; NibbleFilter::ready says the CPU has it):
// the text in 16-byte chunks, folded in the register when fold_text; at each position, for
// each of the literals' first `width` bytes, the byte's two nibbles look up the buckets they
// allow (pshufb), and a position where some bucket holds at every byte is verified against
// that bucket's literals. The chunks are loaded from the text itself (a tail by overlapping
// loads, shifted into place): a copy's stores, reloaded as 16-byte words, would stall
// store-to-load forwarding. Texts of at least 4 bytes.
#define EQLITE_SSSE3 [[gnu::target("ssse3")]]
// A pshufb control: out[j] = in[j < half ? j : j + shift] for j < len, else 0.
EQLITE_SSSE3 [[gnu::always_inline]] inline __m128i tail_control(int half, int shift,
                                                                int len) noexcept {
  const __m128i iota = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m128i upper = _mm_cmpgt_epi8(iota, _mm_set1_epi8(static_cast<char>(half - 1)));
  const __m128i from =
      _mm_add_epi8(iota, _mm_and_si128(upper, _mm_set1_epi8(static_cast<char>(shift))));
  const __m128i past = _mm_cmpgt_epi8(iota, _mm_set1_epi8(static_cast<char>(len - 1)));
  return _mm_or_si128(from, past);  // 0xFF (high bit set) gives 0
}
// Bytes at..at+15 of the text p[0..n) (n >= 4), 0 past its end, folded when ci.
EQLITE_SSSE3 [[gnu::always_inline]] inline __m128i text_chunk(const unsigned char* p, std::size_t n,
                                                              std::size_t at, bool ci) noexcept {
  if (at >= n) return _mm_setzero_si128();
  const std::size_t rest = n - at;
  __m128i v;
  if (rest >= 16) {
    v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + at));
  } else if (n >= 16) {  // the text's last 16 bytes, shifted down
    v = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16)),
                         tail_control(0, static_cast<int>(16 - rest), static_cast<int>(rest)));
  } else if (n >= 8) {  // two overlapping words
    std::uint64_t w0, w1;
    std::memcpy(&w0, p, 8);
    std::memcpy(&w1, p + n - 8, 8);
    v = _mm_shuffle_epi8(_mm_set_epi64x(static_cast<long long>(w1), static_cast<long long>(w0)),
                         tail_control(8, static_cast<int>(16 - n), static_cast<int>(n)));
  } else {
    std::uint32_t w0, w1;
    std::memcpy(&w0, p, 4);
    std::memcpy(&w1, p + n - 4, 4);
    v = _mm_shuffle_epi8(_mm_set_epi32(0, 0, static_cast<int>(w1), static_cast<int>(w0)),
                         tail_control(4, static_cast<int>(8 - n), static_cast<int>(n)));
  }
  if (!ci) return v;
  // bytes >= 0x80 are negative: never upper case
  const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                      _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), v));
  return _mm_add_epi8(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
}
// Per position of v: the buckets whose literals allow v's byte there as their byte k.
EQLITE_SSSE3 [[gnu::always_inline]] inline __m128i bucket_hits(const NibbleFilter& s, std::size_t k,
                                                               __m128i v) noexcept {
  const __m128i low = _mm_set1_epi8(0x0F);
  const __m128i lo = _mm_load_si128(reinterpret_cast<const __m128i*>(s.nibbles[k][0]));
  const __m128i hi = _mm_load_si128(reinterpret_cast<const __m128i*>(s.nibbles[k][1]));
  return _mm_and_si128(_mm_shuffle_epi8(lo, _mm_and_si128(v, low)),
                       _mm_shuffle_epi8(hi, _mm_and_si128(_mm_srli_epi16(v, 4), low)));
}
}  // namespace

template <typename F>
EQLITE_SSSE3 bool NibbleFilter::scan(std::string_view t, F&& found) const noexcept {
  const std::size_t n = t.size();
  const auto* p = reinterpret_cast<const unsigned char*>(t.data());
  const bool ci = fold_text;
  __m128i cur = text_chunk(p, n, 0, ci);
  for (std::size_t at = 0; at < n; at += 16) {
    const __m128i next = text_chunk(p, n, at + 16, ci);
    __m128i hit = bucket_hits(*this, 0, cur);
    if (width > 1) hit = _mm_and_si128(hit, bucket_hits(*this, 1, _mm_alignr_epi8(next, cur, 1)));
    if (width > 2) hit = _mm_and_si128(hit, bucket_hits(*this, 2, _mm_alignr_epi8(next, cur, 2)));
    unsigned mask =
        ~static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(hit, _mm_setzero_si128()))) &
        0xFFFF;
    if (n - at < 16) mask &= (1u << (n - at)) - 1;
    if (mask != 0) {
      alignas(16) unsigned char hits[16];
      _mm_store_si128(reinterpret_cast<__m128i*>(hits), hit);
      for (; mask != 0; mask &= mask - 1) {
        const std::size_t j = static_cast<std::size_t>(__builtin_ctz(mask));
        const std::size_t i = at + j;
        for (unsigned b = hits[j]; b != 0; b &= b - 1) {
          const unsigned k = static_cast<unsigned>(__builtin_ctz(b));
          for (std::size_t l = bucket[k]; l < bucket[k + 1]; ++l) {
            const std::string& lit = by_bucket[l];
            if (lit.size() <= n - i &&
                (caseless[l] ? same_bytes<true>(lit.data(), t.data() + i, lit.size())
                             : same_bytes(lit.data(), t.data() + i, lit.size())) &&
                found(ids[l]))
              return true;
          }
        }
      }
    }
    cur = next;
  }
  return false;
}

namespace {
#else
}  // namespace
template <typename F>
bool NibbleFilter::scan(std::string_view, F&&) const noexcept {
  return false;  // never ready
}
namespace {
#endif

bool prefix_or_suffix(std::string_view t, bool ci, const std::vector<std::string>& prefixes,
                      const std::vector<std::string>& suffixes) noexcept {
  for (const auto& lit : prefixes)
    if (lit.size() <= t.size() &&
        (ci ? same_bytes<true>(lit.data(), t.data(), lit.size()) : t.starts_with(lit)))
      return true;
  for (const auto& lit : suffixes)
    if (lit.size() <= t.size() &&
        (ci ? same_bytes<true>(lit.data(), t.data() + t.size() - lit.size(), lit.size())
            : t.ends_with(lit)))
      return true;
  return false;
}
}  // namespace

bool PatternSet::ShortScan::matches(std::string_view t, bool ci,
                                    const std::vector<std::string>& prefixes,
                                    const std::vector<std::string>& suffixes) const noexcept {
  if (prefix_or_suffix(t, ci, prefixes, suffixes)) return true;
  if (literals.empty()) return false;
  if (vector.ready && t.size() >= 4) return vector.scan(t, [](std::uint32_t) { return true; });
  return ci ? scan_short<true>(*this, t) : scan_short<false>(*this, t);
}

bool PatternSet::matches_text(std::string_view t) const noexcept {
  if (match_all_) return true;
  if (!exact_.empty() && exact_.contains(t)) return true;
  for (const auto& s : prefixes_)
    if (t.starts_with(s)) return true;
  for (const auto& s : suffixes_)
    if (t.ends_with(s)) return true;
  for (const auto& s : contains_)
    if (t.find(s) != std::string_view::npos) return true;
  for (const auto& g : globs_)
    if (g.matches(t)) return true;
  for (const auto& g : db_globs_)  // (only with short_, for the values it takes)
    if (g.matches(t)) return true;
  return false;
}

bool PatternSet::matches(Value v, std::string& buf, std::string& fold) const noexcept {
  // A list of `*literal*` patterns only (`like~ ("*IMAP*", "*POP3*")`): on a string the nibble
  // filter is the whole answer, without the general path's tests.
  if (contains_only_ && v.kind() == ValueKind::String) {
    const std::string_view t = v.as_string();
    if (t.size() >= 4 && t.size() <= ShortScan::kMaxText)
      return short_->vector.scan(t, [](std::uint32_t) { return true; });
  }
  std::string_view text;
  try {
    if (v.kind() == ValueKind::String)
      text = v.as_string();
    else if (!text_of(v, buf, text))
      return false;  // S2: no value never matches
    // The plain patterns only (S6: equality), folded as they are hashed when ci (S5).
    auto exact = [&] {
      return !exact_.empty() &&
             (ci_ ? exact_.find_folded(text) : exact_.find(text)) != StringSet::npos;
    };
    if (short_ && !match_all_ && text.size() <= ShortScan::kMaxText) {
      if (short_->matches(text, ci_, kept_prefixes_, kept_suffixes_)) return true;
      if (db_globs_.empty()) return exact();  // (globs_ is empty: multi_ holds them)
      if (ci_) {
        fold_ascii(text, fold);
        text = fold;
      }
      return matches_text(text);
    }
    if (multi_ && !match_all_)                        // every pattern with a wildcard is in multi_
      return multi_->matches(text, fold) || exact();  // on the value as it is (folded there if ci)
    if (!match_all_ && prefixes_.empty() && suffixes_.empty() && contains_.empty() &&
        globs_.empty())
      return exact();  // a list of plain patterns (`process.name : ("a.exe", "b.exe")`)
    if (ci_) {
      fold_ascii(text, fold);
      text = fold;
    }
    return matches_text(text);
  } catch (...) {
    return false;
  }
}

// ---- LiteralScanner

namespace {
struct LiteralHits {
  std::vector<std::uint32_t>* hits;
};
int on_literal(unsigned id, unsigned long long, unsigned long long, unsigned, void* ctx) {
  auto* h = static_cast<LiteralHits*>(ctx);
  h->hits->push_back(id);  // capacity reserved: SINGLEMATCH reports each literal once
  return 0;
}
}  // namespace

LiteralScanner::LiteralScanner(std::vector<std::string> literals, std::vector<bool> caseless)
    : literals_(std::move(literals)), caseless_(std::move(caseless)) {
  caseless_.resize(literals_.size());
  any_caseless_ = std::find(caseless_.begin(), caseless_.end(), true) != caseless_.end();
  if (literals_.size() >= kScanMin && literals_.size() <= kShortMax)
    short_.build(literals_, caseless_);
}

LiteralScanner::~LiteralScanner() {
  if (db_) hs_free_database(db_);
}

void LiteralScanner::build() const noexcept {
  try {
    std::vector<const char*> exprs;
    std::vector<std::size_t> lens;
    std::vector<unsigned> ids, flags;
    for (std::size_t i = 0; i < literals_.size(); ++i) {
      flags.push_back(HS_FLAG_SINGLEMATCH | (caseless_[i] ? HS_FLAG_CASELESS : 0u));
      exprs.push_back(literals_[i].data());
      lens.push_back(literals_[i].size());
      ids.push_back(static_cast<unsigned>(i));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    const hs_error_t rc = hs_compile_lit_multi(exprs.data(), flags.data(), ids.data(), lens.data(),
                                               static_cast<unsigned>(exprs.size()), HS_MODE_BLOCK,
                                               nullptr, &db, &err);
    db_ = compiled(rc, db, err);
  } catch (...) {
  }
}

bool LiteralScanner::ready() const noexcept {
  if (!multi()) return true;
  std::call_once(once_, [this] { build(); });
  return db_ != nullptr;
}

void LiteralScanner::scan(std::string_view text, std::vector<std::uint32_t>& hits,
                          std::string& fold) const {
  if (text.empty()) return;  // no literal is empty
  if (literals_.size() < kScanMin || literals_.size() > 0xFFFFFFFFu) {
    scan_each(text, hits, fold);
    return;
  }
  if (short_.ready && text.size() >= 4 && text.size() <= kShortText) {
    std::uint64_t seen = 0;  // each literal once (kShortMax <= 64)
    short_.scan(text, [&](std::uint32_t id) {
      if (!((seen >> id) & 1)) {
        seen |= std::uint64_t{1} << id;
        hits.push_back(id);
      }
      return false;
    });
    return;
  }
  std::call_once(once_, [this] { build(); });
  hs_scratch_t* scratch = db_ ? thread_scratch() : nullptr;
  const std::size_t before = hits.size();
  hits.reserve(before + literals_.size());
  LiteralHits ctx{&hits};
  if (!scratch || text.size() > 0xFFFFFFFFu ||
      hs_scan(db_, text.data(), static_cast<unsigned>(text.size()), 0, scratch, on_literal, &ctx) !=
          HS_SUCCESS) {
    hits.resize(before);
    scan_each(text, hits, fold);
  }
}

void LiteralScanner::scan_each(std::string_view text, std::vector<std::uint32_t>& hits,
                               std::string& fold) const {
  if (any_caseless_) fold_ascii(text, fold);
  for (std::size_t i = 0; i < literals_.size(); ++i)
    if ((caseless_[i] ? std::string_view(fold) : text).find(literals_[i]) != std::string_view::npos)
      hits.push_back(static_cast<std::uint32_t>(i));
}

// ---- RegexSet
// ------------------------------------------------------------------------------------

namespace {
RE2::Options regex_options(std::size_t max_memory) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(static_cast<std::int64_t>(max_memory));
  o.set_dot_nl(true);  // Lucene's '.' matches any character, newlines included
  return o;
}

// S5 for `regex~`: only ASCII letters fold. RE2's case-insensitive mode folds Unicode (É/é,
// K/U+212A), so instead the value is ASCII-lowered at match time and so are the pattern's
// literal letters here. Escapes (\D, \W, \p{Lu}, \x{..}), POSIX class names ([:upper:]) and
// group flags or names ((?i), (?P<Name>...)) are kept as written.
std::string fold_pattern(const std::string& p) {
  std::string out;
  out.reserve(p.size());
  const std::size_t n = p.size();
  for (std::size_t i = 0; i < n; ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < n) {
      out += c;
      out += p[++i];
      if ((p[i] == 'p' || p[i] == 'P') && i + 1 < n && p[i + 1] != '{') {
        out += p[++i];  // \pL: a one-letter class name, kept as written
        continue;
      }
      if ((p[i] == 'p' || p[i] == 'P' || p[i] == 'x') && i + 1 < n && p[i + 1] == '{') {
        const std::size_t close = p.find('}', i);
        const std::size_t end = close == std::string::npos ? n : close + 1;
        out.append(p, i + 1, end - i - 1);
        i = end - 1;
      }
      continue;
    }
    if (c == '[' && i + 1 < n && p[i + 1] == ':') {
      const std::size_t close = p.find(":]", i + 2);
      if (close != std::string::npos) {
        out.append(p, i, close + 2 - i);
        i = close + 1;
        continue;
      }
    }
    if (c == '(' && i + 1 < n && p[i + 1] == '?') {
      const std::size_t end = p.find_first_of(":)>", i + 2);
      const std::size_t stop = end == std::string::npos ? n : end + 1;
      out.append(p, i, stop - i);
      i = stop - 1;
      continue;
    }
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  return out;
}

// Two walks over RE2's syntax below (repeats_spelled_out, LengthCounter) share these.
// regex_item: the item of RE2's syntax at p[i] that a repetition can follow — an escape, a
// character class, `.` or one UTF-8 code point (`{` and `}` included, as literals) — with
// where it ends and how many bytes of a text it matches: a class or `.` 1 when it holds only
// ASCII, 1 to 4 otherwise. Nothing for what the walks do not follow: `\Q...\E`, `\C` (a
// byte of a code point), octal escapes and back references, broken UTF-8.
struct RegexItem {
  std::size_t end = 0;
  LengthBounds bytes;
};
std::optional<RegexItem> regex_item(std::string_view p, std::size_t i) {
  const std::size_t n = p.size();
  auto braced = [&](std::size_t j) -> std::size_t {  // after `{...}` at j, or npos
    const std::size_t close = p.find('}', j);
    return close == std::string_view::npos ? close : close + 1;
  };
  const char c = p[i];
  if (c == '\\') {
    if (i + 1 >= n) return std::nullopt;
    const char e = p[i + 1];
    std::size_t end = i + 2;
    switch (e) {
      case 'd':
      case 'w':
      case 's':
        return RegexItem{end, {1, 1}};
      case 'b':
      case 'B':
      case 'A':
      case 'z':
        return RegexItem{end, {0, 0}};
      case 'D':
      case 'W':
      case 'S':
        return RegexItem{end, {1, 4}};
      case 'p':
      case 'P':
      case 'x':
        if (end < n && p[end] == '{')
          end = braced(end);
        else
          end += e == 'x' ? 2 : 1;  // \xHH, \pL
        if (end == std::string_view::npos || end > n) return std::nullopt;
        return RegexItem{end, {1, 4}};
      default:
        if (e == 'Q' || e == 'E' || e == 'C' || (e >= '0' && e <= '9') ||
            static_cast<unsigned char>(e) >= 0x80)
          return std::nullopt;
        return RegexItem{end, {1, 1}};  // \n, \t, \., \\ ...
    }
  }
  if (c == '[') {
    std::size_t j = i + 1;
    bool ascii = true;
    if (j < n && p[j] == '^') {
      ascii = false;  // its complement holds every other code point
      ++j;
    }
    if (j < n && p[j] == ']') ++j;  // a leading ']' is a member
    for (; j < n && p[j] != ']'; ++j) {
      if (static_cast<unsigned char>(p[j]) >= 0x80) ascii = false;
      if (p[j] == '[' && j + 1 < n && p[j + 1] == ':') {  // [:alpha:], [:^alpha:]
        const std::size_t close = p.find(":]", j + 2);
        if (close == std::string_view::npos) return std::nullopt;
        if (p[j + 2] == '^') ascii = false;
        j = close + 1;
      } else if (p[j] == '\\') {
        const auto e = regex_item(p, j);
        if (!e) return std::nullopt;
        if (e->bytes.max > 1) ascii = false;
        j = e->end - 1;
      }
    }
    if (j >= n) return std::nullopt;
    return RegexItem{j + 1, {1, ascii ? std::size_t{1} : std::size_t{4}}};
  }
  if (c == '.') return RegexItem{i + 1, {1, 4}};
  const auto lead = static_cast<unsigned char>(c);
  const std::size_t len = lead < 0x80    ? 1
                          : lead >= 0xF0 ? 4
                          : lead >= 0xE0 ? 3
                          : lead >= 0xC0 ? 2
                                         : 0;
  if (len == 0 || i + len > n) return std::nullopt;
  return RegexItem{i + len, {len, len}};
}

// A counted repetition at p[i]: `{n}`, `{n,}` or `{n,m}` (RE2 takes any other `{` as a
// literal). `max` is unset when open-ended.
struct RegexRepeat {
  std::size_t min = 0;
  std::optional<std::size_t> max;
  std::size_t end = 0;
};
std::optional<RegexRepeat> regex_braces(std::string_view p, std::size_t i) {
  std::size_t j = i + 1;
  auto number = [&](std::size_t& v) {
    const std::size_t from = j;
    for (v = 0; j < p.size() && p[j] >= '0' && p[j] <= '9' && j - from < 6; ++j)
      v = v * 10 + static_cast<std::size_t>(p[j] - '0');
    return j > from;
  };
  RegexRepeat r;
  if (!number(r.min)) return std::nullopt;
  r.max = r.min;
  if (j < p.size() && p[j] == ',') {
    ++j;
    std::size_t hi = 0;
    r.max = number(hi) ? std::optional<std::size_t>(hi) : std::nullopt;
  }
  if (j >= p.size() || p[j] != '}') return std::nullopt;
  r.end = j + 1;
  return r;
}

// The same language with each repetition of one item that asks for at least one copy (`x+`,
// `[ ]{3,}`) written as that many copies then a starred copy in a group (`x(x*)`,
// `[ ]{3}([ ]*)`), for RE2's prefilter alone: it gives up the literal of `x+` and shortens
// that of `[ ]{3,}` by a copy (it keeps `x` only as "some x", shorter than an atom), but not
// of `[ ]{3}([ ]*)`; the group stops RE2 from merging the two back. Groups are left as they
// are (a shorter or no literal, never a wrong one); so is a pattern with anything regex_item
// does not follow.
std::string repeats_spelled_out(std::string_view p) {
  std::string out;
  out.reserve(p.size() + 16);
  std::size_t atom = std::string::npos;  // where the last repeatable item starts in `out`
  for (std::size_t i = 0; i < p.size();) {
    const char c = p[i];
    std::optional<RegexRepeat> repeat;
    if (c == '+')
      repeat = RegexRepeat{1, std::nullopt, i + 1};
    else if (c == '{')
      repeat = regex_braces(p, i);
    if (repeat && atom != std::string::npos) {
      const bool lazy = repeat->end < p.size() && p[repeat->end] == '?';
      const std::size_t end = repeat->end + (lazy ? 1 : 0);
      if (repeat->max || repeat->min == 0 || repeat->min > 64) {
        out.append(p, i, end - i);  // as written
      } else {
        const std::string item = out.substr(atom);
        for (std::size_t k = 1; k < repeat->min; ++k)
          out += item;
        out += "(" + item + (lazy ? "*?" : "*") + ")";
      }
      atom = std::string::npos;
      i = end;
    } else if (c == '(' || c == ')' || c == '|' || c == '^' || c == '$' || c == '*' || c == '?' ||
               c == '+' || repeat) {
      out += c;
      atom = std::string::npos;
      ++i;
    } else {
      const auto item = regex_item(p, i);
      if (!item) return std::string(p);
      atom = out.size();
      out.append(p, i, item->end - i);
      i = item->end;
    }
  }
  return out;
}
}  // namespace

std::vector<std::string> regex_necessary_literals(const std::vector<std::string>& patterns, bool ci,
                                                  std::size_t max_memory) {
  constexpr int kMinAtom = 3;  // shorter literals are too common to tell values apart
  constexpr std::size_t kMaxReduced = 256;
  std::vector<std::string> out;
  const RE2::Options opts = regex_options(max_memory);
  for (const auto& p : patterns) {
    re2::FilteredRE2 filter(kMinAtom);
    int id = 0;
    const std::string folded = ci ? fold_pattern(p) : p;
    if (filter.Add(repeats_spelled_out(folded), opts, &id) != RE2::NoError &&
        filter.Add(folded, opts, &id) != RE2::NoError)
      return {};
    std::vector<std::string> atoms;
    filter.Compile(&atoms);
    // The prefilter is an and/or tree over the atoms. The pattern needs one of a set S of
    // atoms when the tree fails with every atom outside S found. S starts as all of them (it
    // passes with none found: no literal is needed); then each atom, shortest first, leaves S
    // if S stays necessary without it (`(abc|abd)\w+xyz` needs `xyz`, or else both others).
    std::vector<int> order(atoms.size());
    for (std::size_t i = 0; i < atoms.size(); ++i)
      order[i] = static_cast<int>(i);
    std::vector<bool> in(atoms.size(), true);
    auto necessary = [&] {
      std::vector<int> found, passing;
      for (std::size_t i = 0; i < atoms.size(); ++i)
        if (!in[i]) found.push_back(static_cast<int>(i));
      filter.AllPotentials(found, &passing);
      return passing.empty();
    };
    if (atoms.empty() || !necessary()) return {};
    std::stable_sort(order.begin(), order.end(),
                     [&](int x, int y) { return atoms[x].size() < atoms[y].size(); });
    if (atoms.size() > kMaxReduced) order.clear();  // quadratic: all of them, as they are
    for (const int i : order) {
      in[i] = false;
      if (!necessary()) in[i] = true;
    }
    for (std::size_t i = 0; i < atoms.size(); ++i) {
      if (!in[i]) continue;
      for (const char c : atoms[i])
        if (static_cast<unsigned char>(c) >= 0x80) return {};
      out.push_back(std::move(atoms[i]));  // RE2 lowers atoms: ASCII-folded here
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

namespace {
// regex_length_bounds: a recursive descent over RE2's syntax, counting bytes.
class LengthCounter {
 public:
  explicit LengthCounter(std::string_view p) : p_(p) {}
  std::optional<LengthBounds> run() {
    auto b = alternation(0);
    if (!b || i_ != p_.size()) return std::nullopt;
    return b;
  }

 private:
  static constexpr std::size_t kInf = static_cast<std::size_t>(-1);
  static constexpr std::size_t kCap = std::size_t{1} << 40;  // a min beyond: counted as this
  static std::size_t sum(std::size_t a, std::size_t b) {
    return a == kInf || b == kInf ? kInf : std::min(a + b, kCap);
  }
  static std::size_t times(std::size_t a, std::size_t n) {
    if (a == 0 || n == 0) return 0;
    if (a == kInf || n == kInf) return kInf;
    return a > kCap / n ? kCap : a * n;
  }
  static std::size_t max_times(std::size_t a, std::size_t n) {  // for maxima: beyond is kInf
    const std::size_t r = times(a, n);
    return r == kCap ? kInf : r;
  }
  bool at(char c) const { return i_ < p_.size() && p_[i_] == c; }

  std::optional<LengthBounds> alternation(int depth) {
    if (depth > 200) return std::nullopt;
    auto b = sequence(depth);
    while (b && at('|')) {
      ++i_;
      auto next = sequence(depth);
      if (!next) return std::nullopt;
      b->min = std::min(b->min, next->min);
      b->max = std::max(b->max, next->max);
    }
    return b;
  }
  std::optional<LengthBounds> sequence(int depth) {
    LengthBounds b{0, 0};
    while (i_ < p_.size() && !at('|') && !at(')')) {
      auto a = atom(depth);
      if (!a) return std::nullopt;
      a = quantified(*a);
      if (!a) return std::nullopt;
      b.min = sum(b.min, a->min);
      b.max = sum(b.max, a->max);
    }
    return b;
  }
  std::optional<LengthBounds> quantified(LengthBounds a) {
    const std::size_t open = a.max == 0 ? 0 : kInf;
    if (at('*')) {
      ++i_;
      a = {0, open};
    } else if (at('+')) {
      ++i_;
      a.max = open;
    } else if (at('?')) {
      ++i_;
      a.min = 0;
    } else if (const auto r = at('{') ? regex_braces(p_, i_) : std::nullopt) {
      i_ = r->end;
      a = {times(a.min, r->min), r->max ? max_times(a.max, *r->max) : open};
    } else {
      return a;  // no repetition (a `{` that starts none is the next item)
    }
    if (at('?')) ++i_;                                       // lazy
    if (at('*') || at('+') || at('?')) return std::nullopt;  // RE2 refuses these
    return a;
  }
  std::optional<LengthBounds> atom(int depth) {
    const char c = p_[i_];
    if (c == '(') {
      ++i_;
      if (at('?')) {
        if (i_ + 1 < p_.size() && p_[i_ + 1] == ':') {
          i_ += 2;
        } else if (p_.substr(i_, 3) == "?P<" || p_.substr(i_, 2) == "?<") {
          const std::size_t close = p_.find('>', i_);
          if (close == std::string_view::npos) return std::nullopt;
          i_ = close + 1;
        } else {
          return std::nullopt;  // flags: (?i) may match other lengths
        }
      }
      auto inner = alternation(depth + 1);
      if (!inner || !at(')')) return std::nullopt;
      ++i_;
      return inner;
    }
    if (c == '^' || c == '$') {
      ++i_;
      return LengthBounds{0, 0};
    }
    if (c == '*' || c == '+' || c == '?' || c == ')' || c == '|') return std::nullopt;
    const auto item = regex_item(p_, i_);
    if (!item) return std::nullopt;
    i_ = item->end;
    return item->bytes;
  }

  std::string_view p_;
  std::size_t i_ = 0;
};
}  // namespace

std::optional<LengthBounds> regex_length_bounds(std::string_view pattern) {
  return LengthCounter(pattern).run();
}

bool RegexSet::build(const std::vector<std::string>& patterns, bool ci, std::size_t max_memory,
                     std::size_t& bad_index, std::string& error, bool& too_large) {
  ci_ = ci;
  too_large = false;
  const RE2::Options opts = regex_options(max_memory);
  pattern_.clear();
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    RE2 one(patterns[i], opts);
    if (!one.ok()) {
      bad_index = i;
      error = one.error();
      too_large = one.error_code() == RE2::ErrorPatternTooLarge;
      return false;
    }
    if (i) pattern_ += '|';
    pattern_ += "(?:" + (ci ? fold_pattern(patterns[i]) : patterns[i]) + ")";
  }
  auto re = std::make_shared<const RE2>(pattern_, opts);
  if (!re->ok()) {
    bad_index = 0;
    error = re->error();
    too_large = re->error_code() == RE2::ErrorPatternTooLarge;
    return false;
  }
  re_ = std::move(re);
  needles_ = regex_necessary_literals(patterns, ci, max_memory);
  lengths_ = {std::numeric_limits<std::size_t>::max(), 0};
  for (const auto& p : patterns) {
    const auto b = regex_length_bounds(ci ? fold_pattern(p) : p);
    if (!b) {
      lengths_ = {};  // any length
      break;
    }
    lengths_.min = std::min(lengths_.min, b->min);
    lengths_.max = std::max(lengths_.max, b->max);
  }
  // The prefilter pays when it is a few searches; the anchors of a rule set use all of them.
  prefilter_ = !needles_.empty() && needles_.size() <= kMaxPrefilter;
  memo_id_ = next_matcher_id();
  return true;
}

bool RegexSet::matches(Value v, std::string& buf, std::string& fold) const noexcept {
  std::string_view text;
  try {
    if (!text_of(v, buf, text)) return false;
    if (text.size() < lengths_.min || text.size() > lengths_.max) return false;
    if (ci_ || prefilter_) fold_ascii(text, fold);
    if (ci_) text = fold;
  } catch (...) {
    return false;
  }
  if (prefilter_) {  // the literals are folded: searched in the folded value
    const std::string_view folded = fold;
    bool any = false;
    for (const auto& n : needles_)
      if ((any = folded.find(n) != std::string_view::npos)) break;
    if (!any) return false;
  }
  return RE2::FullMatch(text, *re_);
}

}  // namespace eqlite::internal
