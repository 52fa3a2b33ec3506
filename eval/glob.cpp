// eval/glob.cpp — Glob: linear-time matching of one wildcard pattern; necessary_literal().
#include "eval/glob.hpp"

#include <algorithm>

namespace eqlite::internal {

namespace {

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

}  // namespace eqlite::internal
