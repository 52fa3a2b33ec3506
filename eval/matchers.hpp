// eval/matchers.hpp — the prebuilt structures behind the set and pattern instructions:
// ValueSet (`in`, `in~` over constants), PatternSet (`:`, `like`, `like~`), RegexSet (`regex`,
// `regex~`). Built once at compile time, immutable afterwards, shareable across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "eqlite/value.hpp"
#include "eval/bytes.hpp"

namespace re2 {
class RE2;
}
struct hs_database;  // Vectorscan's (hs.h), private to matchers.cpp

namespace eqlite::internal {

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return static_cast<std::size_t>(hash_string(s));
  }
};
/// A set of strings for the VM's lookups: open addressing over a power-of-two table of
/// indexes, the full hash kept to skip most comparisons, one cheap hash per lookup.
class StringSet {
 public:
  static constexpr std::uint32_t npos = 0xFFFFFFFF;
  /// Adds `s` unless present; returns its index (strings are numbered in insertion order).
  std::uint32_t insert(std::string s);
  /// The index of `s`, or npos.
  std::uint32_t find(std::string_view s) const noexcept {
    if (!edges_.empty()) return find_by_edges<false>(s);
    if (slots_.empty()) return npos;
    const std::uint64_t h = hash_string(s);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.index == 0) return npos;
      if (slot.hash == h && slot.size == s.size() &&
          same_bytes(strings_[slot.index - 1].data(), s.data(), s.size()))
        return slot.index - 1;
    }
  }
  bool contains(std::string_view s) const noexcept { return find(s) != npos; }
  /// find(fold_ascii(s)) without the folded copy, for a set of ASCII-folded strings.
  std::uint32_t find_folded(std::string_view s) const noexcept {
    if (!edges_.empty()) return find_by_edges<true>(s);
    if (slots_.empty()) return npos;
    const std::uint64_t h = hash_string<true>(s);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.index == 0) return npos;
      if (slot.hash == h && slot.size == s.size() &&
          same_bytes<true>(strings_[slot.index - 1].data(), s.data(), s.size()))
        return slot.index - 1;
    }
  }
  bool empty() const noexcept { return strings_.empty(); }
  std::size_t size() const noexcept { return strings_.size(); }
  /// The string of index `i` (< size()).
  const std::string& at(std::uint32_t i) const noexcept { return strings_[i]; }
  /// Whether lookups use the table without collisions (small sets). For tests.
  bool by_edges() const noexcept { return !edges_.empty(); }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t index = 0;  // into strings_, + 1; 0: empty
    std::uint32_t size = 0;   // of the string (most probes stop at the hash or here)
  };
  std::vector<std::string> strings_;
  std::vector<Slot> slots_;
  void place(std::uint32_t index);

  // Sets of up to kEdgesMax strings also get a table without collisions, indexed by one
  // multiply of a string's edge words (edge_words) and its size: a lookup is one slot, no
  // probing, instead of a hash chained over every word of the value. Built by insert() when
  // some multiplier of a few hundred tried separates every string; else (or beyond kEdgesMax)
  // edges_ stays empty. An insert keeps the table when the new string's slot is free and the
  // table stays at most half full (searching a multiplier anew on every insert was 6% of the
  // time to compile Elastic's rules).
  static constexpr std::size_t kEdgesMax = 32;
  struct EdgeSlot {
    std::uint64_t head = 0, tail = 0;
    std::uint32_t size = 0xFFFFFFFF;  // an empty slot: no string is this long
    std::uint32_t index = 0;
  };
  std::vector<EdgeSlot> edges_;
  std::uint64_t edge_mult_ = 0;
  unsigned edge_shift_ = 0;
  bool edges_never_ = false;  // two strings have the same edge key: no multiplier separates them
  static std::uint64_t edge_key(std::uint64_t head, std::uint64_t tail, std::size_t n) noexcept {
    return head ^ ((tail << 29) | (tail >> 35)) ^ (std::uint64_t{n} << 56) ^ n;
  }
  void build_edges();
  template <bool kFold>
  std::uint32_t find_by_edges(std::string_view s) const noexcept {
    std::uint64_t head, tail;
    edge_words<kFold>(s, head, tail);
    const EdgeSlot& e = edges_[(edge_key(head, tail, s.size()) * edge_mult_) >> edge_shift_];
    if (e.head == head && e.tail == tail && e.size == s.size() &&
        (s.size() <= 16 ||
         same_bytes<kFold>(strings_[e.index].data() + 8, s.data() + 8, s.size() - 16)))
      return e.index;
    return npos;
  }
};

/// `x in (literals)`: typed equality as compare(x, literal, ==, literal=true) would give it, for
/// every literal at once (S8). A null member matches nothing, and no value is in no set (S2).
/// Case-insensitive sets (`in~`) compare the ASCII-folded text of the value with the folded text of
/// each literal.
class ValueSet {
 public:
  explicit ValueSet(bool ci) : ci_(ci) {}
  void add(Value literal);
  /// `buf` is scratch for a number's text (S8).
  bool contains(Value v, std::string& buf) const noexcept;
  /// contains() of a string value in a case-sensitive set, inline (the VM's common case).
  bool contains_string(std::string_view s) const noexcept { return strings_.contains(s); }
  bool case_insensitive() const noexcept { return ci_; }
  std::size_t size() const noexcept { return count_; }

 private:
  bool ci_;
  std::size_t count_ = 0;
  StringSet strings_;
  void add_number(Value n);
  bool contains_number(Value v) const noexcept;
  std::unordered_set<std::int64_t> ints_;
  std::unordered_set<double> doubles_, int_doubles_;
  bool true_ = false, false_ = false;
};

/// One wildcard pattern compiled for matching in time linear in the value (S6): the first
/// segment is anchored at the start, the last at the end, and each segment between two `*`
/// takes its leftmost match (which leaves the most room for the rest, so no backtracking is
/// ever needed). Segments are searched with memchr-style search when short and literal, else
/// with a bit-parallel automaton over code points (Shift-And; `?` is one code point).
class Glob {
 public:
  explicit Glob(std::string_view pattern);
  bool matches(std::string_view text) const noexcept {
    // A pattern that starts with a literal byte: most texts fail on it, without a call.
    if (first_byte_ >= 0 && (text.empty() || static_cast<unsigned char>(text[0]) != first_byte_))
      return false;
    return matches_from_start(text);
  }
  const std::string& pattern() const noexcept { return pattern_; }

  struct Segment {
    std::string bytes;  // as in the pattern, '?' included
    bool plain = true;  // no '?': compared byte for byte
    // The automaton (built unless the segment is short and plain): one bit per code point.
    std::size_t units = 0, words = 0;
    std::vector<std::uint64_t> ascii;  // 128 * words: positions that accept an ASCII byte
    std::vector<std::uint64_t> any;    // words: positions of '?'
    std::vector<std::pair<std::string, std::vector<std::uint64_t>>> wide;  // other code points
  };

 private:
  bool matches_from_start(std::string_view text) const noexcept;
  std::string pattern_;
  int first_byte_ = -1;   // the pattern's first byte when it is neither `*` nor `?`
  bool starred_ = false;  // false: the whole pattern is one segment
  Segment first_, last_;
  std::vector<Segment> middle_;
};

/// The longest run of `pattern` (S6) without `*` or `?` (the first of equal length): every
/// value the pattern matches contains it, since the run's bytes are compared byte for byte at
/// consecutive positions (no escape exists; `*`, `?` are ASCII, so a run never splits a UTF-8
/// sequence of the pattern). Empty when the pattern has no such run (`*`, `?*`, `""`).
std::string necessary_literal(std::string_view pattern);

/// Literals of which every value that one of `patterns` (S7, as RegexSet::build compiles them)
/// matches contains at least one, ASCII-folded: a value's folded text must contain one of them.
/// From RE2's prefilter (FilteredRE2, atoms of at least 3 bytes). Empty when some pattern needs
/// no such literal (`.*`, `[a-z]+`), or has a non-ASCII one (RE2 folds those by Unicode rules).
std::vector<std::string> regex_necessary_literals(const std::vector<std::string>& patterns, bool ci,
                                                  std::size_t max_memory);

/// The fewest and the most bytes of a text that `pattern` (RE2 syntax) matches whole (S7);
/// `max` is SIZE_MAX when unbounded. Counted over the pattern's syntax: a character class or
/// `.` is 1 byte when it holds only ASCII, 1 to 4 otherwise. Nothing (no bounds) for what the
/// count does not follow: flags such as `(?i)` (RE2 folds `k` to the 3-byte Kelvin sign),
/// `\Q...\E`, `\C`, octal escapes.
struct LengthBounds {
  std::size_t min = 0, max = static_cast<std::size_t>(-1);
};
std::optional<LengthBounds> regex_length_bounds(std::string_view pattern);

/// Whole-value wildcard patterns, "any of" (S6): `*` any run, `?` one UTF-8 code point, no
/// escape. Patterns without wildcards go to a hash set; `abc*`, `*abc`, `*abc*` take fast
/// paths; the rest run a segment matcher.
class MultiPattern;

/// Finds where some of up to ~64 literals may start in a text, 16 positions at a time (x86
/// with SSSE3; the idea of Hyperscan's "Teddy"): each literal is in one of kBuckets buckets
/// (literals that share their first bytes share a bucket), and nibbles[k][0][x] has bit b when
/// a literal of bucket b has low nibble x at its byte k (k < width), [k][1][x] the same for the
/// high nibble; every nibble past a literal's last byte. A position where some bucket holds for
/// every k is a candidate, to be verified against that bucket's literals.
struct NibbleFilter {
  static constexpr std::size_t kBuckets = 8;
  static constexpr std::size_t kWidth = 3;
  bool ready = false;      // built, and the CPU has SSSE3
  bool fold_text = false;  // some literal is caseless: the filter compares the text folded
  std::size_t width = 1;   // bytes of each literal's start the filter compares (1..kWidth)
  alignas(16) unsigned char nibbles[kWidth][2][16] = {};
  std::vector<std::string> by_bucket;  // bucket b: [bucket[b], bucket[b + 1])
  std::vector<std::uint32_t> ids;      // of by_bucket[i]: its index in build()'s list
  std::vector<char> caseless;          // of by_bucket[i]
  std::uint16_t bucket[kBuckets + 1] = {};
  /// `caseless[i]`: literals[i] is ASCII-folded and matches the text as if folded (S5); the
  /// others match as written.
  void build(const std::vector<std::string>& literals, const std::vector<bool>& caseless);
  /// Calls found(id) for each literal that occurs in `text` (at least 4 bytes; id: its index
  /// in build()'s list), at each position it occurs, until found returns true; then returns
  /// true. Defined in matchers.cpp (only used there).
  template <typename F>
  bool scan(std::string_view text, F&& found) const noexcept;
};

class PatternSet {
 public:
  explicit PatternSet(bool ci) : ci_(ci) {}
  /// `pattern` as written in the query (folded here when case-insensitive).
  void add(std::string_view pattern);
  /// After the last add(): a list with kMultiPatternMin to kMultiPatternMax patterns that have
  /// a wildcard (`*` or `?`) is matched as one: a scan of each value for the
  /// patterns' necessary literals (one LiteralScanner, whose Vectorscan database is compiled on
  /// first use), then the patterns of the literals found, instead of every pattern in turn.
  void finish();
  static constexpr std::size_t kMultiPatternMin = 4;
  /// Longer lists are matched pattern by pattern (a bound on the first match's compile time).
  static constexpr std::size_t kMultiPatternMax = 1500;
  /// ... and no more bytes of patterns than this.
  static constexpr std::size_t kMultiPatternMaxBytes = 64 << 10;
  /// Whether finish() built the multi-pattern matcher (for tests and the disassembler).
  bool multi() const noexcept { return multi_ != nullptr; }
  /// ... and whether its literal scan is ready (its database, if it needs one, compiles; built
  /// now if no value needed it yet).
  bool multi_ready() const noexcept;
  /// Whether values up to ShortScan::kMaxText bytes skip the database (see ShortScan).
  bool short_scan() const noexcept { return short_ != nullptr; }
  /// The short scan searches 16 bytes at a time (x86 with SSSE3). For tests.
  bool short_scan_vector() const noexcept { return short_ != nullptr && short_->vector.ready; }
  /// Makes the short scan search byte by byte, as on a CPU without SSSE3. For tests.
  void short_scan_bytewise() noexcept {
    if (short_ && short_->vector.ready) {
      auto copy = std::make_shared<ShortScan>(*short_);
      copy->vector.ready = false;
      short_ = std::move(copy);
      set_contains_only();
    }
  }
  bool matches(Value v, std::string& buf, std::string& fold) const noexcept;
  bool case_insensitive() const noexcept { return ci_; }
  const std::vector<std::string>& patterns() const noexcept { return all_; }
  /// Non-zero when a Vm remembers this list's answers (ResultMemo): a list that finish() made
  /// one multi-pattern matcher, whose scan costs more than the memo's lookup.
  std::uint64_t memo_id() const noexcept { return memo_id_; }

  /// One pattern against one (already folded when needed) text. Exposed for tests.
  static bool glob(std::string_view text, std::string_view pattern) noexcept;

  // Short values (most field values) do not pay for the multi-pattern scan when the list's
  // patterns are all prefixes, suffixes and `*literal*`: the prefixes and suffixes are
  // compared in place and the literals found with a filter on their first bytes.
  struct ShortScan {
    static constexpr std::size_t kMaxText = 128;     // longer values: the multi-pattern scan
    static constexpr std::size_t kMaxLiterals = 64;  // more: the filter fills up
    static constexpr std::size_t kMaxEnds = 16;      // prefixes + suffixes compared one by one
    // Byte by byte: a filter of each literal's first two bytes.
    std::uint64_t pairs[64] = {};       // 4,096-bit filter of two-byte starts
    std::uint64_t singles[4] = {};      // one-byte literals
    std::vector<std::string> literals;  // sorted by their first byte
    std::uint16_t first[257] = {};      // literals[first[c]..first[c+1]) start with c
    NibbleFilter vector;                // 16 positions at a time (x86 with SSSE3: vector.ready)
    /// `ci`: the text is compared ASCII-folded (the literals are folded already).
    bool matches(std::string_view text, bool ci, const std::vector<std::string>& prefixes,
                 const std::vector<std::string>& suffixes) const noexcept;
  };

 private:
  bool matches_text(std::string_view text) const noexcept;
  bool ci_;
  bool match_all_ = false;
  StringSet exact_;
  std::vector<std::string> prefixes_, suffixes_, contains_, all_;
  std::vector<Glob> globs_;
  std::vector<Glob> db_globs_;  // `?` patterns in multi_ (for the values short_ takes)
  // replaces the lists above but exact_
  std::shared_ptr<const MultiPattern> multi_;
  std::vector<std::string> kept_prefixes_, kept_suffixes_;  // for short_

  std::shared_ptr<const ShortScan> short_;  // with multi_, for values up to kMaxText bytes
  // short_ with only contained literals (no prefix, suffix, glob or plain pattern): matches()
  // asks its nibble filter alone. Set by finish() (and the test hook above).
  bool contains_only_ = false;
  void set_contains_only() noexcept;
  std::uint64_t memo_id_ = 0;
};

/// Which of many literals occur in a text, for RuleSet's contains anchors. Up to kScanMin - 1
/// literals are searched one by one; more are matched by one Vectorscan literal database
/// (compiled on first use, scanned once per text). Never misses a literal: should the database
/// not compile or a scan not run, the literals are searched one by one.
class LiteralScanner {
 public:
  /// `literals`: non-empty; `caseless[i]`: literal i is ASCII-folded, and a text is matched
  /// against it as if it were folded too (fold_ascii, S5); the others as written.
  LiteralScanner(std::vector<std::string> literals, std::vector<bool> caseless);
  /// All literals caseless, or none.
  LiteralScanner(std::vector<std::string> literals, bool caseless)
      : LiteralScanner(literals, std::vector<bool>(literals.size(), caseless)) {}
  ~LiteralScanner();
  LiteralScanner(const LiteralScanner&) = delete;
  LiteralScanner& operator=(const LiteralScanner&) = delete;

  static constexpr std::size_t kScanMin = 8;
  /// Appends to `hits` the index of every literal that occurs in `text`, each once, in no
  /// particular order. `fold` is scratch (for a few caseless literals searched one by one).
  void scan(std::string_view text, std::vector<std::uint32_t>& hits, std::string& fold) const;
  std::size_t size() const noexcept { return literals_.size(); }
  /// Whether the literals are matched by a Vectorscan database (once one was needed).
  bool multi() const noexcept { return literals_.size() >= kScanMin; }
  /// Whether that database compiles (compiling it now if no text needed it yet); true when
  /// there is none. For tests.
  bool ready() const noexcept;
  /// Whether texts of 4 to kShortText bytes take the nibble filter (x86 with SSSE3). For tests.
  bool short_filter() const noexcept { return short_.ready; }

 private:
  void scan_each(std::string_view text, std::vector<std::uint32_t>& hits, std::string& fold) const;
  void build() const noexcept;
  std::vector<std::string> literals_;
  std::vector<bool> caseless_;
  bool any_caseless_ = false;
  // Texts of 4 to kShortText bytes, when there are at most kShortMax literals: the nibble
  // filter instead of a Vectorscan scan (whose fixed cost dominates on short values).
  static constexpr std::size_t kShortMax = 64;
  static constexpr std::size_t kShortText = 128;
  NibbleFilter short_;
  mutable std::once_flag once_;
  mutable ::hs_database* db_ = nullptr;
};

/// Regexes, "any of", matching the whole value (S7), RE2 syntax.
class RegexSet {
 public:
  /// Compiles `patterns` as one alternation within `max_memory` bytes (RE2's max_mem). On
  /// failure returns false and sets `bad_index` (which pattern), `error` (RE2's reason) and
  /// `too_large` (the pattern, or the alternation of all, needs more than max_memory).
  bool build(const std::vector<std::string>& patterns, bool ci, std::size_t max_memory,
             std::size_t& bad_index, std::string& error, bool& too_large);
  /// `fold` is scratch for the ASCII-folded value (regex~). A value that contains none of the
  /// patterns' necessary literals (regex_necessary_literals; up to kMaxPrefilter of them) is
  /// not given to RE2.
  bool matches(Value v, std::string& buf, std::string& fold) const noexcept;
  /// The alternation RE2 runs (ASCII-folded for regex~).
  const std::string& pattern() const noexcept { return pattern_; }
  bool case_insensitive() const noexcept { return ci_; }
  /// regex_necessary_literals() of the patterns (empty: every value goes to RE2).
  const std::vector<std::string>& necessary_literals() const noexcept { return needles_; }
  /// Non-zero once built: a Vm remembers the answers for short values (ResultMemo).
  std::uint64_t memo_id() const noexcept { return memo_id_; }

 private:
  std::shared_ptr<const re2::RE2> re_;
  std::string pattern_;
  std::vector<std::string> needles_;
  LengthBounds lengths_;  // of the values any pattern can match (regex_length_bounds)
  static constexpr std::size_t kMaxPrefilter = 16;
  bool prefilter_ = false;
  bool ci_ = false;
  std::uint64_t memo_id_ = 0;
};

}  // namespace eqlite::internal
