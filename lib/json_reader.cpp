// lib/json_reader.cpp — JSON events with simdjson On-Demand (simdjson is private to this file).
//
// One forward pass per document over a trie of the query's field paths (one node per dotted
// segment): at each key the reader follows the key's segments from the current node; a node
// that is a field of the query has its values materialised, a node with children is descended
// into, and a key with no node is only validated. One short comparison per key, no hashing of
// whole paths. Values of a field are appended in document order, so arrays, arrays of
// objects, dotted keys (several segments) and duplicated keys all become multi-values (E1, E3).
#include "eqlite/json_reader.hpp"

#include <simdjson.h>
#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "eqlite/query.hpp"
#include "eval/matchers.hpp"

namespace eqlite {

namespace od = simdjson::ondemand;

namespace {
// Deepest JSON nesting the reader ever descends into, whatever ReaderOptions says (simdjson's
// own limit is 1024 levels, which its On-Demand iterator only asserts in debug builds).
constexpr std::size_t kHardMaxDepth = 1000;
// Keys longer than this take simdjson's unescaping path (which also finds their end).
constexpr std::size_t kMaxRawScan = 256;
static_assert(kJsonPadding == simdjson::SIMDJSON_PADDING);
}  // namespace

struct JsonReader::Impl {
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;
  std::vector<std::string> paths;
  std::unordered_map<std::string, std::uint32_t, internal::StringHash, std::equal_to<>> ids;
  // The trie of the paths: node 0 is the root; a node's children are few, so a vector.
  struct Node {
    std::vector<std::pair<std::string, std::uint32_t>> children;
    std::uint64_t first_bytes = 0;  // bit (first byte & 63) of each child's name (0: empty)
    // The structural walk's filter of a key by its first byte b, bit (b & 63): set for each
    // child's first byte, and for '.' and '"' when a child's name is empty (a key ".x" or "").
    std::uint64_t key_bits = 0;
    // children sorted by that bucket; those of bucket b are [bucket[b], bucket[b + 1])
    std::uint16_t bucket[65] = {};
    std::uint32_t id = kNone;  // the field id when the path up to here is a field
  };
  // Of a name or a key: an empty first segment ("" or ".x") is bucket 0.
  static unsigned first_byte_bucket(std::string_view s) noexcept {
    return s.empty() || s[0] == '.' ? 0 : static_cast<unsigned char>(s[0]) & 63;
  }
  static std::uint64_t first_byte_bit(std::string_view s) noexcept {
    return std::uint64_t{1} << first_byte_bucket(s);
  }
  std::vector<Node> trie;
  std::vector<std::pair<std::uint32_t, std::string>> constant_strings;
  std::vector<std::pair<std::uint32_t, Value>> constants;
  od::parser parser;
  // The fast path of read(): simdjson's DOM parser (validates the whole line in its native
  // kernel), then a walk of its tape over the trie. Any failure goes to the On-Demand walk,
  // which reports the error or reads what DOM cannot (integers beyond 64 bits, 1e400).
  simdjson::dom::parser dom;
  std::vector<char> buffer;  // the document, padded for simdjson
  std::string path;
  std::string number_text;  // for numbers simdjson cannot represent
  Event* out = nullptr;     // read(): where values go
  const std::function<void(std::string_view)>* sink = nullptr;  // for_each_path()

  // The structural fast path (fast_event): simdjson's stage 1 in its dispatched kernel, then
  // one pass over the structural indexes that validates and reads at once, with no tape.
  std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1;
  std::size_t stage1_capacity = 0;
  // prescan(): stage 1 over a block of lines, and where the lines read so far end in it.
  struct Block {
    std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1;
    std::size_t capacity = 0;
    const std::uint8_t* data = nullptr;  // null: no block
    std::size_t len = 0;
    std::uint32_t count = 0;        // structural indexes; indexes[count] == len
    std::uint32_t cursor = 0;       // the first index not read yet
    std::size_t pos = 0;            // the end of the last line read
    std::size_t backslash = 0;      // the first backslash at or after some point before pos, or len
    std::uint32_t last_tokens = 8;  // the last line's, a guess for the next
    std::uint64_t reads = 0;        // lines read with the block's tokens
  } block;
  std::string unescaped;       // escaped strings of the current event, unescaped (never reallocated
                               // during a walk: values view it)
  std::size_t fused = 0;       // bytes of `unescaped` in use
  std::size_t fbackslash = 0;  // the first backslash at or after the current token (or the end)

  std::size_t max_depth;
  std::size_t max_event_bytes = 0;
  bool dom_ok = true;
  bool too_deep = false;  // the last walk stopped at max_depth

  Impl(std::vector<std::string> p, const ReaderOptions& options)
      : paths(std::move(p)),
        max_depth(std::clamp<std::size_t>(options.max_depth, 1, kHardMaxDepth)) {
    // simdjson counts one level more than we do ({"a":[1]} is 2 levels here, 3 there).
    if (!options.dom_reader || dom.allocate(1 << 16, max_depth + 1) != simdjson::SUCCESS)
      dom_ok = false;
    if (options.structural_reader &&
        simdjson::get_active_implementation()->create_dom_parser_implementation(
            1 << 16, max_depth + 1, stage1) == simdjson::SUCCESS)
      stage1_capacity = 1 << 16;
    else
      stage1.reset();
    trie.emplace_back();
    for (std::uint32_t i = 0; i < paths.size(); ++i) {
      ids.emplace(paths[i], i);
      std::uint32_t node = 0;
      for_each_segment(paths[i], [&](std::string_view seg) {
        std::uint32_t next = child(node, seg);
        if (next == kNone) {
          next = static_cast<std::uint32_t>(trie.size());
          trie[node].children.emplace_back(std::string(seg), next);
          trie[node].first_bytes |= first_byte_bit(seg);
          trie[node].key_bits |=
              seg.empty() ? (std::uint64_t{1} << ('.' & 63)) | (std::uint64_t{1} << ('"' & 63))
                          : std::uint64_t{1} << (seg[0] & 63);
          trie.emplace_back();
        }
        node = next;
        return true;
      });
      trie[node].id = i;
    }
    for (Node& n : trie) {
      std::stable_sort(n.children.begin(), n.children.end(), [](const auto& a, const auto& b) {
        return first_byte_bucket(a.first) < first_byte_bucket(b.first);
      });
      std::size_t k = 0;
      for (unsigned b = 0; b <= 64; ++b) {
        while (k < n.children.size() && first_byte_bucket(n.children[k].first) < b)
          ++k;
        n.bucket[b] = static_cast<std::uint16_t>(k);
      }
    }
  }

  template <typename F>
  static void for_each_segment(std::string_view key, F&& f) {
    // Keys are short and rarely dotted: a plain loop beats a memchr call per key.
    std::size_t start = 0;
    for (std::size_t i = 0; i < key.size(); ++i) {
      if (key[i] != '.') continue;
      if (!f(key.substr(start, i - start))) return;
      start = i + 1;
    }
    f(key.substr(start));
  }

  // The key of `field` without copying when it has no escape (almost always): the bytes up to
  // its closing quote. A key with a backslash is unescaped (and so validated) by simdjson.
  static simdjson::error_code key_of(od::field& field, std::string_view& key) {
    const char* begin = field.key().raw();
    const char* quote = static_cast<const char*>(std::memchr(begin, '"', kMaxRawScan));
    if (quote && !std::memchr(begin, '\\', static_cast<std::size_t>(quote - begin))) {
      key = std::string_view(begin, static_cast<std::size_t>(quote - begin));
      return simdjson::SUCCESS;
    }
    return field.unescaped_key().get(key);
  }

  // A string value without copying when it has no escape: its raw token between the quotes
  // (stage 1 has validated UTF-8 and control characters). Otherwise unescaped by simdjson.
  static simdjson::error_code string_of(od::value& v, std::string_view& out) {
    std::string_view raw = v.raw_json_token();
    const std::size_t close = raw.rfind('"');
    if (raw.size() >= 2 && raw[0] == '"' && close > 0 &&
        !std::memchr(raw.data() + 1, '\\', close - 1)) {
      out = raw.substr(1, close - 1);
      return simdjson::SUCCESS;
    }
    return v.get_string().get(out);
  }

  std::uint32_t child(std::uint32_t node, std::string_view seg) const noexcept {
    for (const auto& [name, next] : trie[node].children)
      if (name == seg) return next;
    return kNone;
  }

  // The node reached from `node` by a key (a key with dots is several segments, E1). Each
  // child's name is compared with the start of the key, so a key that no child begins with
  // (most keys) costs a first-byte test per child and is never scanned for dots. Names hold no
  // dot, so at most one child can match a segment.
  std::uint32_t descend(std::uint32_t node, std::string_view key) const noexcept {
    return descend(trie.data(), node, key);
  }
  static std::uint32_t descend(const Node* trie, std::uint32_t node,
                               std::string_view key) noexcept {
    for (;;) {
      const Node& here = trie[node];
      const unsigned b = first_byte_bucket(key);
      if (!((here.first_bytes >> b) & 1)) return kNone;  // most keys stop here
      std::uint32_t next = kNone;
      std::size_t n = 0;
      for (std::size_t i = here.bucket[b]; i < here.bucket[b + 1]; ++i) {
        const auto& [name, to] = here.children[i];
        n = name.size();
        if (n > key.size() || (n != 0 && name[0] != key[0]) || (n != key.size() && key[n] != '.') ||
            !internal::same_bytes(name.data(), key.data(), n))
          continue;
        next = to;
        break;
      }
      if (next == kNone || n == key.size()) return next;
      key.remove_prefix(n + 1);
      node = next;
    }
  }

  simdjson::error_code number(od::value& v, Value& out_value) {
    od::number_type t;
    if (auto e = v.get_number_type().get(t)) return e;
    if (t == od::number_type::signed_integer) {
      std::int64_t i;
      const auto e = v.get_int64().get(i);
      if (e == simdjson::SUCCESS) {
        out_value = Value::integer(i);
        return simdjson::SUCCESS;
      }
      // Below INT64_MIN simdjson 3.0 fails with INCORRECT_TYPE (also for digits with a leading
      // zero, which JSON forbids): a double (E3), from the text below.
      if (e != simdjson::INCORRECT_TYPE) return e;
      const std::string_view raw = v.raw_json_token();
      if (raw.size() < 3 || raw[0] != '-' || raw[1] == '0') return simdjson::NUMBER_ERROR;
    }
    if (t == od::number_type::floating_point_number) {
      double d;
      if (v.get_double().get(d) == simdjson::SUCCESS) {
        out_value = Value::number(d);
        return simdjson::SUCCESS;
      }
    }
    // Beyond int64 (E3) or beyond double's range: a double, from the token's text.
    std::string_view raw = v.raw_json_token();
    while (!raw.empty() &&
           (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r'))
      raw.remove_suffix(1);
    number_text.assign(raw);
    char* end = nullptr;
    double d = std::strtod(number_text.c_str(), &end);
    if (end != number_text.c_str() + number_text.size()) return simdjson::NUMBER_ERROR;
    out_value = Value::number(d);
    return simdjson::SUCCESS;
  }

  // Checks that `v` is well-formed JSON without materialising anything. On-Demand only
  // validates what it is asked for; a value the query does not read is walked here so that
  // a broken document is an error (E2) however little of it the query reads.
  simdjson::error_code deeper_than_limit() {
    too_deep = true;
    return simdjson::DEPTH_ERROR;
  }

  // `depth` is the nesting level of the container that holds `v` (the event object is 1).
  simdjson::error_code validate(od::value v, std::size_t depth) {
    od::json_type type;
    if (auto e = v.type().get(type)) return e;
    switch (type) {
      case od::json_type::object: {
        if (depth >= max_depth) return deeper_than_limit();
        od::object obj;
        if (auto e = v.get_object().get(obj)) return e;
        for (auto f : obj) {
          od::field field;
          if (auto e = std::move(f).get(field)) return e;
          std::string_view key;
          if (auto e = key_of(field, key)) return e;
          if (auto e = validate(field.value(), depth + 1)) return e;
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::array: {
        if (depth >= max_depth) return deeper_than_limit();
        od::array arr;
        if (auto e = v.get_array().get(arr)) return e;
        for (auto element : arr) {
          od::value ev;
          if (auto e = element.get(ev)) return e;
          if (auto e = validate(ev, depth + 1)) return e;
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::string: {
        std::string_view s;
        return string_of(v, s);
      }
      case od::json_type::number: {
        Value n;
        return number(v, n);
      }
      case od::json_type::boolean: {
        bool b;
        return v.get_bool().get(b);
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return e;
        return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
      }
    }
    return simdjson::SUCCESS;
  }

  // A scalar of the current path: into the event (read) or reported (for_each_path).
  void emit(std::uint32_t id, Value v) {
    if (sink)
      (*sink)(path);
    else
      out->add(id, v);
  }

  // `id` is the field at the current path (kNone if none); `prefix` whether fields lie below.
  simdjson::error_code value(od::value v, std::uint32_t node, std::size_t depth) {
    const std::uint32_t id = node == kNone ? kNone : trie[node].id;
    const bool prefix = sink || (node != kNone && !trie[node].children.empty());
    od::json_type type;
    if (auto e = v.type().get(type)) return e;
    const bool wanted = id != kNone || sink;
    switch (type) {
      case od::json_type::object: {
        if (!prefix) return validate(v, depth);  // an object has no value of its own
        if (depth >= max_depth) return deeper_than_limit();
        od::object obj;
        if (auto e = v.get_object().get(obj)) return e;
        return object(obj, depth + 1, node);
      }
      case od::json_type::array: {
        if (depth >= max_depth) return deeper_than_limit();
        od::array arr;
        if (auto e = v.get_array().get(arr)) return e;
        for (auto element : arr) {
          od::value ev;
          if (auto e = element.get(ev)) return e;
          if (auto e = value(ev, node, depth + 1)) return e;
        }
        return simdjson::SUCCESS;
      }
      case od::json_type::string: {
        std::string_view s;
        if (auto e = string_of(v, s)) return e;
        if (wanted) emit(id, Value::string(s));
        return simdjson::SUCCESS;
      }
      case od::json_type::number: {
        Value n;
        if (auto e = number(v, n)) return e;  // checked even when not wanted (E2)
        if (wanted) emit(id, n);
        return simdjson::SUCCESS;
      }
      case od::json_type::boolean: {
        bool b;
        if (auto e = v.get_bool().get(b)) return e;
        if (wanted) emit(id, Value::boolean(b));
        return simdjson::SUCCESS;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto e = v.is_null().get(is_null)) return e;
        if (!is_null) return simdjson::N_ATOM_ERROR;
        return simdjson::SUCCESS;  // S1: null is no value
      }
    }
    return simdjson::SUCCESS;
  }

  // ---- the structural fast path ----
  //
  // Stage 1 has validated UTF-8, found every string's extent (rejecting raw control characters)
  // and listed the structural indexes: each { } [ ] : , and the first byte of each string and
  // atom. One recursive pass over that list checks the JSON grammar, each atom (true, false,
  // null, the number grammar) and each escape (simdjson's own unescaper), and reads the trie's
  // fields on the way. It accepts only what simdjson's DOM parser accepts and reads the same
  // values; anything it is not sure of (an integer beyond int64, 1e400, a key with an
  // escape, nesting beyond max_depth, and every error) returns false, and the DOM/On-Demand
  // paths decide and report as before.

  static bool is_ws(std::uint8_t c) noexcept {  // ' ', '\t', '\n', '\r'
    return c <= ' ' && ((std::uint64_t{1} << c) & 0x100002600ULL) != 0;
  }
  static constexpr std::uint32_t kFail = 0xFFFFFFFF;
  // Four bytes as a word (of a literal: a constant once compiled).
  static std::uint32_t word4(const void* p) noexcept {
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  }

  // The walk's state. Positions are passed and returned (kFail: not read) rather than kept in
  // a member, and each function copies the pointers it uses into locals: values written into
  // the event could otherwise alias them, forcing a reload per token.
  struct Scan {
    const std::uint8_t* buf;
    const std::uint32_t* idx;
    std::uint32_t count;
    std::size_t len;
  };

  // The end of the token at structural index p: trailing whitespace before the next index.
  static std::size_t token_end(const Scan& s, std::uint32_t p) noexcept {
    const std::uint8_t* buf = s.buf;
    const std::size_t begin = s.idx[p];
    std::size_t end = s.idx[p + 1];  // the sentinel s.idx[s.count] == s.len (fast_event)
    while (end > begin && is_ws(buf[end - 1]))
      --end;
    return end;
  }
  // Whether [begin, end) holds a backslash. Tokens come in document order, so the next
  // backslash is searched for again only once the walk has passed it.
  bool has_backslash(const Scan& s, std::size_t begin, std::size_t end) noexcept {
    if (fbackslash < begin) fbackslash = backslash_from(s, fbackslash, begin);
    return fbackslash < end;
  }
  // The first backslash at or after `begin`, given `fb`, the one found last (out of line: the
  // walk calls it only for a token that has a backslash before its end).
  [[gnu::noinline]] static std::size_t backslash_from(const Scan& s, std::size_t fb,
                                                      std::size_t begin) noexcept {
    if (fb >= begin) return fb;
    const void* b = std::memchr(s.buf + begin, '\\', s.len - begin);
    return b ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(b) - s.buf) : s.len;
  }
  // A JSON number token (RFC 8259 grammar); `integral` when it has no fraction or exponent.
  static bool number_token(std::string_view t, bool& integral) noexcept {
    std::size_t i = 0;
    const std::size_t n = t.size();
    auto digit = [&](std::size_t k) { return k < n && t[k] >= '0' && t[k] <= '9'; };
    if (i < n && t[i] == '-') ++i;
    if (!digit(i)) return false;
    if (t[i] == '0') {
      ++i;
    } else {
      while (digit(i))
        ++i;
    }
    integral = true;
    if (i < n && t[i] == '.') {
      ++i;
      if (!digit(i)) return false;
      while (digit(i))
        ++i;
      integral = false;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
      ++i;
      if (i < n && (t[i] == '+' || t[i] == '-')) ++i;
      if (!digit(i)) return false;
      while (digit(i))
        ++i;
      integral = false;
    }
    return i == n;
  }
  // A string token at p (its opening quote), between its quotes, unescaped into `unescaped`
  // when it has a backslash: the value of field `id`.
  std::uint32_t fast_string(const Scan& s, std::uint32_t p, std::uint32_t id) noexcept {
    const std::uint8_t* buf = s.buf;
    const std::size_t begin = s.idx[p];
    const std::size_t end = token_end(s, p);
    if (end < begin + 2 || buf[end - 1] != '"') return kFail;
    if (!has_backslash(s, begin, end)) {
      out->add(id, Value::string(std::string_view(reinterpret_cast<const char*>(buf) + begin + 1,
                                                  end - begin - 2)));
      return p + 1;
    }
    auto* dst = reinterpret_cast<std::uint8_t*>(unescaped.data()) + fused;
    const std::uint8_t* stop = stage1->parse_string(buf + begin + 1, dst);
    if (!stop) return kFail;
    const auto n = static_cast<std::size_t>(stop - dst);
    fused += n;
    out->add(id, Value::string(std::string_view(reinterpret_cast<const char*>(dst), n)));
    return p + 1;
  }
  // An atom (true, false, null or a number) at p.
  std::uint32_t fast_atom(const Scan& s, std::uint32_t p, std::uint32_t id) noexcept {
    const std::size_t begin = s.idx[p];
    const std::string_view t(reinterpret_cast<const char*>(s.buf) + begin, token_end(s, p) - begin);
    if (t == "true" || t == "false") {
      if (id != kNone) out->add(id, Value::boolean(t[0] == 't'));
      return p + 1;
    }
    if (t == "null") return p + 1;  // S1: null is no value
    bool integral = false;
    if (!number_token(t, integral)) return kFail;
    if (id == kNone) return p + 1;
    const char* b = t.data();
    const char* e = t.data() + t.size();
    if (integral) {
      std::int64_t i = 0;
      const auto [q, ec] = std::from_chars(b, e, i);
      if (ec != std::errc() || q != e) return kFail;  // beyond int64 (E3): the slow path
      out->add(id, Value::integer(i));
      return p + 1;
    }
    double d = 0;
    const auto [q, ec] = std::from_chars(b, e, d);
    if (ec != std::errc() || q != e) return kFail;  // beyond double's range: the slow path
    out->add(id, Value::number(d));
    return p + 1;
  }
  // The grammar, as one loop over the structural indexes with an explicit stack of open
  // containers (no recursion: a call per value cost more than the checks themselves). frames[d]
  // is the container at depth d: whether it is an array, and the trie node its members are
  // read at (kNone: not read; an object's members are read when its node has children, an
  // array's elements are values of the array's own node, S4). Returns the index after the
  // event's closing brace, or kFail.
  struct Frame {
    std::uint64_t keys;  // the node's key_bits (0 when its members are not read)
    std::uint32_t node;
    bool array;
  };
  std::vector<Frame> frames;

  // The walk runs on pointers into the structural indexes and keeps what it reads per token in
  // locals (the backslash position, the trie, the open containers): with an index, the base
  // and the count did not fit in registers and were reloaded from the stack at every token.
  // Aligned to a cache line: its branches are dense enough that where the linker happens to
  // put it moved t1078/ndjson_in_place by 3-5% between builds.
  [[gnu::aligned(64)]] std::uint32_t walk_structural(const Scan& s) noexcept {
    const std::uint8_t* const buf = s.buf;
    const std::uint32_t* const last = s.idx + s.count;  // *last == s.len (fast_event)
    const std::uint32_t* ip = s.idx + 1;
    const Node* const tr = trie.data();
    std::size_t fb = fbackslash;
    Frame* const bottom = frames.data();
    Frame* const limit = bottom + max_depth;  // deeper fails (the slow path reports it)
    Frame* f = bottom + 1;                    // the event object, opened at index 0
    Frame top = {tr[0].key_bits, tr[0].children.empty() ? kNone : 0u, false};  // *f, in registers
    *f = top;
    std::uint32_t node = kNone;  // the trie node of the value about to be read
    std::uint8_t c = 0;
  object_first:  // after '{'
    if (ip >= last) return kFail;
    if (buf[*ip] == '}') {
      ++ip;
      goto closed;
    }
  object_key:  // at a member's key
    if (last - ip <= 2 || buf[ip[0]] != '"' || buf[ip[1]] != ':') return kFail;
    {
      const std::size_t begin = ip[0];
      const std::size_t colon = ip[1];
      // A backslash before the colon is in the key (between a string and the next structural
      // there is only whitespace): an escaped key (rare) goes to the slow path.
      if (fb < colon && (fb = backslash_from(s, fb, begin)) < colon) return kFail;
      node = kNone;
      // Most keys of a read object are not in the trie: the bitmap of its children's first
      // bytes rejects them before the key's end is looked for (a key's first byte is '"' when
      // it is empty). An object whose members are not read has no bits.
      if ((top.keys >> (buf[begin + 1] & 63)) & 1) {
        std::size_t end = colon;
        while (is_ws(buf[end - 1]))
          --end;
        if (end < begin + 2 || buf[end - 1] != '"') return kFail;
        node = descend(
            tr, top.node,
            std::string_view(reinterpret_cast<const char*>(buf) + begin + 1, end - begin - 2));
      }
    }
    ip += 2;
  value:  // at a value (ip < last)
    c = buf[*ip];
    if (c == '"') {
      const std::uint32_t id = node == kNone ? kNone : tr[node].id;
      if (id == kNone) {
        // Not read: only its escapes need checking. Stage 1 has found its closing quote (an
        // unclosed string fails there), and only whitespace lies between that quote and the
        // next structural, so a backslash before the next structural is inside the string.
        if (fb < ip[1] && (fb = backslash_from(s, fb, ip[0])) < ip[1]) {
          auto* dst = reinterpret_cast<std::uint8_t*>(unescaped.data()) + fused;
          if (!stage1->parse_string(buf + ip[0] + 1, dst)) return kFail;
        }
        ++ip;
      } else {
        fbackslash = fb;
        const std::uint32_t p = fast_string(s, static_cast<std::uint32_t>(ip - s.idx), id);
        fb = fbackslash;
        if (p == kFail) return kFail;
        ip = s.idx + p;
      }
      goto after_value;
    }
    if (c == '{') {
      if (f == limit) return kFail;
      if (node != kNone && !tr[node].children.empty())
        top = {tr[node].key_bits, node, false};
      else
        top = {0, kNone, false};
      *++f = top;
      ++ip;
      goto object_first;
    }
    if (c == '[') {
      if (f == limit) return kFail;
      top = {0, node, true};
      *++f = top;
      if (++ip >= last) return kFail;
      if (buf[*ip] == ']') {
        ++ip;
        goto closed;
      }
      goto value;
    }
    {
      // true, false, null right before the next structural (no whitespace: the usual case)
      // here; numbers and the rest in fast_atom. The four bytes are there: the text is padded.
      const std::uint32_t id = node == kNone ? kNone : tr[node].id;
      const std::uint8_t* a = buf + ip[0];
      const std::uint32_t len = ip[1] - ip[0];
      const std::uint32_t word = word4(a);
      if (len == 4 && (word == word4("true") || word == word4("null"))) {
        if (id != kNone && word == word4("true")) out->add(id, Value::boolean(true));
        ++ip;
        goto after_value;
      }
      if (len == 5 && word == word4("fals") && a[4] == 'e') {
        if (id != kNone) out->add(id, Value::boolean(false));
        ++ip;
        goto after_value;
      }
      const std::uint32_t p = fast_atom(s, static_cast<std::uint32_t>(ip - s.idx), id);
      if (p == kFail) return kFail;
      ip = s.idx + p;
    }
  after_value:  // after a value (ip: the token after it)
    if (ip >= last) return kFail;
    c = buf[*ip++];
    if (c == ',') {
      if (!top.array) goto object_key;
      if (ip >= last) return kFail;
      node = top.node;
      goto value;
    }
    if (c != (top.array ? ']' : '}')) return kFail;
  closed:  // after a container's closer
    if (--f == bottom) {
      fbackslash = fb;
      return static_cast<std::uint32_t>(ip - s.idx);
    }
    top = *f;
    goto after_value;
  }
  void prescan(std::string_view text) noexcept {
    block.data = nullptr;
    // A bigger block (a long line in it) is left to the lines' own scans: its index list would
    // cost 4 bytes per byte for lines the structural reader may not even take (over 1 MiB).
    constexpr std::size_t kMaxBlock = 4 << 20;
    if (!stage1 || text.empty() || text.size() > kMaxBlock) return;
    if (text.size() > block.capacity) {
      std::size_t cap = std::max<std::size_t>(block.capacity, 1 << 16);
      while (cap < text.size())
        cap *= 2;
      if (!block.stage1 && simdjson::get_active_implementation()->create_dom_parser_implementation(
                               cap, max_depth + 1, block.stage1) != simdjson::SUCCESS)
        return;
      if (block.stage1->set_capacity(cap) != simdjson::SUCCESS) return;
      block.capacity = cap;
    }
    const auto* data = reinterpret_cast<const std::uint8_t*>(text.data());
    if (block.stage1->stage1(data, text.size(), simdjson::stage1_mode::regular) !=
        simdjson::SUCCESS)
      return;  // e.g. a line with bad UTF-8 or an unclosed string: every line on its own
    block.data = data;
    block.len = text.size();
    block.count = static_cast<std::uint32_t>(block.stage1->n_structural_indexes);
    block.stage1->structural_indexes[block.count] = static_cast<std::uint32_t>(block.len);
    block.cursor = 0;
    block.pos = 0;
    block.backslash = 0;
  }

  // The first index in [c, block.count] at `end` or after it (indexes[count] == len >= end),
  // looked for first where the last line's count of tokens puts it.
  std::uint32_t first_index_from(std::uint32_t c, std::size_t end) const noexcept {
    const std::uint32_t* idx = block.stage1->structural_indexes.get();
    const std::uint32_t n = block.count;
    std::uint32_t hi = std::min(n, c + block.last_tokens);
    std::uint32_t lo = c;
    if (idx[hi] >= end) {
      if (hi == lo || idx[hi - 1] < end) return hi;  // as many tokens as the last line
    } else {
      lo = hi + 1;
      for (std::uint32_t step = 8;; step *= 2) {
        hi = std::min(n, lo + step);
        if (idx[hi] >= end) break;
        lo = hi + 1;
      }
    }
    return static_cast<std::uint32_t>(std::lower_bound(idx + lo, idx + hi, end) - idx);
  }

  // fast_event() on a line of the prescanned block (false: not read, as fast_event()).
  bool fast_block_event(const std::uint8_t* text, std::size_t len) noexcept {
    const std::size_t start = static_cast<std::size_t>(text - block.data);
    const std::size_t end = start + len;
    // A whole line, after the last one read: its tokens are its own, as if scanned alone.
    if (start < block.pos || (start != 0 && block.data[start - 1] != '\n') ||
        (end != block.len && block.data[end] != '\n' && block.data[end] != '\r'))
      return fast_line_event(text, len);
    const std::uint32_t* idx = block.stage1->structural_indexes.get();
    std::uint32_t c = block.cursor;
    while (c < block.count && idx[c] < start)  // lines not read (empty, or skipped)
      ++c;
    const std::uint32_t e = first_index_from(c, end);
    block.cursor = e;
    block.pos = end;
    ++block.reads;
    if (e == c) return false;
    block.last_tokens = e - c;
    if (block.backslash < start) {
      const void* b = std::memchr(block.data + start, '\\', block.len - start);
      block.backslash =
          b ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(b) - block.data)
            : block.len;
    }
    // Positions are in the block; the line's end plays the end of the text.
    const Scan s{block.data, idx + c, e - c, end};
    fused = 0;
    fbackslash = block.backslash;
    if (unescaped.size() < len + 2 * simdjson::SIMDJSON_PADDING)
      unescaped.resize(len + 2 * simdjson::SIMDJSON_PADDING);
    if (block.data[s.idx[0]] != '{') return false;
    if (frames.size() < max_depth + 2) frames.resize(max_depth + 2);
    // (A backslash the walk finds in the line is before the next line: looked for again there.)
    return walk_structural(s) == s.count;  // nothing after the event object
  }

  // The whole event (padded text); false: not read, `out` to be cleared and the slow paths run.
  bool fast_event(const char* text, std::size_t len) noexcept {
    const auto at = reinterpret_cast<std::uintptr_t>(text);
    const auto from = reinterpret_cast<std::uintptr_t>(block.data);
    if (block.data && at >= from && len <= block.len && at - from <= block.len - len)
      return fast_block_event(block.data + (at - from), len);
    return fast_line_event(text, len);
  }
  bool fast_line_event(const void* text, std::size_t len) noexcept {
    if (!stage1) return false;
    if (len > stage1_capacity) {
      std::size_t cap = stage1_capacity;
      while (cap < len)
        cap *= 2;
      if (stage1->set_capacity(cap) != simdjson::SUCCESS) return false;
      stage1_capacity = cap;
    }
    const auto* buf = static_cast<const std::uint8_t*>(text);
    if (stage1->stage1(buf, len, simdjson::stage1_mode::regular) != simdjson::SUCCESS) return false;
    const Scan s{buf, stage1->structural_indexes.get(), stage1->n_structural_indexes, len};
    // A sentinel after the last index (the array has room: at most one index per byte, and
    // capacity >= len): the next token's start is s.idx[p + 1] for every p < s.count.
    stage1->structural_indexes[s.count] = static_cast<std::uint32_t>(len);
    fused = 0;
    const void* b = std::memchr(buf, '\\', len);
    fbackslash = b ? static_cast<std::size_t>(static_cast<const std::uint8_t*>(b) - buf) : len;
    if (unescaped.size() < len + 2 * simdjson::SIMDJSON_PADDING)
      unescaped.resize(len + 2 * simdjson::SIMDJSON_PADDING);
    if (s.count == 0 || buf[s.idx[0]] != '{') return false;
    if (frames.size() < max_depth + 2) frames.resize(max_depth + 2);
    return walk_structural(s) == s.count;  // nothing after the event object
  }

  // ---- the DOM fast path: the document is valid, only the query's fields are read ----

  void dom_value(simdjson::dom::element el, std::uint32_t node) {
    using T = simdjson::dom::element_type;
    const std::uint32_t id = trie[node].id;
    switch (el.type()) {
      case T::OBJECT: {
        simdjson::dom::object obj;
        if (!trie[node].children.empty() && el.get(obj) == simdjson::SUCCESS) dom_object(obj, node);
        return;
      }
      case T::ARRAY: {
        simdjson::dom::array arr;
        if (el.get(arr) != simdjson::SUCCESS) return;
        for (simdjson::dom::element x : arr)
          dom_value(x, node);
        return;
      }
      default:
        break;
    }
    if (id == kNone) return;
    switch (el.type()) {
      case T::STRING: {
        std::string_view s;
        if (el.get(s) == simdjson::SUCCESS) out->add(id, Value::string(s));
        return;
      }
      case T::INT64: {
        std::int64_t i;
        if (el.get(i) == simdjson::SUCCESS) out->add(id, Value::integer(i));
        return;
      }
      case T::UINT64: {  // beyond int64 (E3)
        std::uint64_t u;
        if (el.get(u) == simdjson::SUCCESS) out->add(id, Value::number(static_cast<double>(u)));
        return;
      }
      case T::DOUBLE: {
        double d;
        if (el.get(d) == simdjson::SUCCESS) out->add(id, Value::number(d));
        return;
      }
      case T::BOOL: {
        bool b;
        if (el.get(b) == simdjson::SUCCESS) out->add(id, Value::boolean(b));
        return;
      }
      default:
        return;  // null is no value (S1)
    }
  }

  void dom_object(simdjson::dom::object obj, std::uint32_t node) {
    for (const auto field : obj) {
      const std::uint32_t next = descend(node, field.key);
      if (next != kNone) dom_value(field.value, next);
    }
  }

  simdjson::error_code object(od::object obj, std::size_t depth, std::uint32_t node) {
    const std::size_t base = path.size();
    for (auto f : obj) {
      od::field field;
      if (auto e = std::move(f).get(field)) return e;
      std::string_view key;
      if (auto e = key_of(field, key)) return e;
      if (sink) {  // for_each_path(): every key, with its dotted path
        path.resize(base);
        if (base) path += '.';
        path += key;
        if (auto e = value(field.value(), kNone, depth)) return e;
        continue;
      }
      const std::uint32_t next = descend(node, key);
      if (next == kNone) {
        // Not read by the query: only checked, so that a broken line is reported (E2).
        if (auto e = validate(field.value(), depth)) return e;
        continue;
      }
      if (auto e = value(field.value(), next, depth)) return e;
    }
    path.resize(base);
    return simdjson::SUCCESS;
  }
};

JsonReader::JsonReader(const Query& query, const ReaderOptions& options)
    : JsonReader(query.fields(), options) {}
JsonReader::JsonReader(std::vector<std::string> paths, const ReaderOptions& options)
    : impl_(std::make_unique<Impl>(std::move(paths), options)) {
  impl_->max_event_bytes = options.max_event_bytes;
}
JsonReader::~JsonReader() = default;
JsonReader::JsonReader(JsonReader&&) noexcept = default;
JsonReader& JsonReader::operator=(JsonReader&&) noexcept = default;

void JsonReader::set_constant(std::string_view path, Value value) {
  auto it = impl_->ids.find(path);
  if (it == impl_->ids.end()) return;  // the query never reads it
  const std::uint32_t id = it->second;
  std::erase_if(impl_->constants, [id](const auto& c) { return c.first == id; });
  std::erase_if(impl_->constant_strings, [id](const auto& c) { return c.first == id; });
  if (value.is_null()) return;
  if (value.kind() == ValueKind::String) {
    impl_->constant_strings.emplace_back(it->second, std::string(value.as_string()));
    return;
  }
  impl_->constants.emplace_back(it->second, value);
}

Result<void> JsonReader::read(std::string_view json, Event& out) {
  impl_->out = &out;
  impl_->sink = nullptr;
  out.reset(impl_->paths.size());
  return finish_read(walk(json, false), out);
}

Result<void> JsonReader::read_padded(std::string_view json, Event& out) {
  impl_->out = &out;
  impl_->sink = nullptr;
  out.reset(impl_->paths.size());
  return finish_read(walk(json, true), out);
}

void JsonReader::prescan(std::string_view block) {
  impl_->prescan(block);
}

std::uint64_t JsonReader::prescanned_reads() const noexcept {
  return impl_->block.reads;
}

Result<void> JsonReader::finish_read(Result<void> ok, Event& out) {
  if (!ok) {
    out.clear();
    return ok;
  }
  // E4: constant fields fill fields the document leaves without a value.
  for (const auto& [id, v] : impl_->constants)
    if (out.values(id).empty()) out.add(id, v);
  for (const auto& [id, s] : impl_->constant_strings)
    if (out.values(id).empty()) out.add(id, Value::string(s));
  return {};
}

Result<void> JsonReader::for_each_path(std::string_view json,
                                       const std::function<void(std::string_view)>& sink) {
  impl_->sink = &sink;
  auto ok = walk(json, false);
  impl_->sink = nullptr;
  return ok;
}

Result<void> JsonReader::walk(std::string_view json, bool padded) {
  Impl& m = *impl_;
  m.path.clear();
  m.too_deep = false;
  if (json.size() > m.max_event_bytes)
    return Error{ErrorCode::BadJson,
                 "the event is " + std::to_string(json.size()) + " bytes long; the limit is " +
                     std::to_string(m.max_event_bytes) + " (max_event_bytes)",
                 {}};
  const char* text = json.data();
  // A copy with zeros after it. In 64-byte pieces of fixed size (inlined moves): glibc's
  // memmove takes `rep movsb` for kilobyte copies, which costs ~10x more per byte on this AMD
  // EPYC VM.
  auto copy = [&] {
    const std::size_t need = json.size() + simdjson::SIMDJSON_PADDING;
    if (m.buffer.size() < need) m.buffer.resize(need);
    char* dst = m.buffer.data();
    std::size_t i = 0;
    for (; i + 64 <= json.size(); i += 64)
      std::memcpy(dst + i, json.data() + i, 64);
    std::memcpy(dst + i, json.data() + i, json.size() - i);
    std::memset(m.buffer.data() + json.size(), 0, simdjson::SIMDJSON_PADDING);
    text = m.buffer.data();
  };
  if (!padded) copy();

  constexpr std::size_t kDomMaxBytes = 1 << 20;  // bigger lines: no tape of 8 bytes per byte
  if (!m.sink && json.size() <= kDomMaxBytes) {
    if (m.fast_event(text, json.size())) return {};
    m.out->clear();
  }
  // The slower readers take the line with zeros after it, whatever followed it in the
  // caller's buffer: On-Demand's verdict on a bare scalar (`null ` and the next line's bytes)
  // depended on them, and read() and read_padded() must answer alike.
  if (padded) copy();
  if (!m.sink && m.dom_ok && json.size() <= kDomMaxBytes) {
    simdjson::dom::element root;
    simdjson::dom::object obj;
    if (m.dom.parse(reinterpret_cast<const std::uint8_t*>(text), json.size(), false).get(root) ==
            simdjson::SUCCESS &&
        root.get(obj) == simdjson::SUCCESS) {
      m.dom_object(obj, 0);
      return {};
    }
  }
  auto fail = [&](const std::string& why) -> Result<void> {
    return Error{ErrorCode::BadJson, why, {}};
  };
  od::document doc;
  if (auto e =
          m.parser.iterate(text, json.size(), json.size() + simdjson::SIMDJSON_PADDING).get(doc))
    return fail(std::string("invalid JSON: ") + simdjson::error_message(e));
  od::json_type type;
  if (auto e = doc.type().get(type))
    return fail(std::string("invalid JSON: ") + simdjson::error_message(e));
  if (type == od::json_type::null) {
    // `null` with whitespace after it: simdjson 3.0's is_null() refuses some (`null `), but
    // the document is null all the same.
    std::string_view t = json;
    while (!t.empty() &&
           (t.back() == ' ' || t.back() == '\t' || t.back() == '\r' || t.back() == '\n'))
      t.remove_suffix(1);
    while (!t.empty() &&
           (t.front() == ' ' || t.front() == '\t' || t.front() == '\r' || t.front() == '\n'))
      t.remove_prefix(1);
    bool is_null = false;
    if (t != "null" && (doc.is_null().get(is_null) != simdjson::SUCCESS || !is_null))
      return fail("invalid JSON: not a JSON value");
  }
  if (type != od::json_type::object) {
    static constexpr const char* kNames[] = {"?",        "an array",  "an object", "a number",
                                             "a string", "a boolean", "null"};
    auto t = static_cast<std::size_t>(type);
    return fail(std::string("not a JSON object (found ") + (t < 7 ? kNames[t] : "?") + ")");
  }
  od::object obj;
  if (auto e = doc.get_object().get(obj))
    return fail(std::string("invalid JSON: ") + simdjson::error_message(e));
  if (auto e = m.object(obj, 1, 0)) {
    if (m.too_deep)
      return fail("the event nests deeper than " + std::to_string(m.max_depth) +
                  " levels (max_depth)");
    return fail(std::string("invalid JSON: ") + simdjson::error_message(e));
  }
  // At the end of the document current_location() has nowhere to point.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS)
    return fail("invalid JSON: trailing content after the object");
  return {};
}

}  // namespace eqlite
