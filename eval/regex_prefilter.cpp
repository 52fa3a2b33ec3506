// eval/regex_prefilter.cpp — walks over RE2's syntax: a regex's necessary literals, its lengths.
#include "eval/regex_prefilter.hpp"

#include <re2/filtered_re2.h>
#include <re2/re2.h>

#include <algorithm>

#include "eval/regex_options.hpp"

namespace eqlite::internal {

namespace {
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

}  // namespace eqlite::internal
