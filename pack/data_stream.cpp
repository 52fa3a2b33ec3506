// pack/data_stream.cpp — index patterns and data stream constants (pack/data_stream.hpp).
#include "pack/data_stream.hpp"

#include <cstddef>

namespace pack {

namespace {

// `*` matches any run of characters (also none); everything else itself.
bool glob(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// "2024.01.31"
bool is_date(std::string_view s) {
  return s.size() == 10 && all_digits(s.substr(0, 4)) && s[4] == '.' &&
         all_digits(s.substr(5, 2)) && s[7] == '.' && all_digits(s.substr(8, 2));
}

}  // namespace

bool index_matches(const std::vector<std::string>& patterns, std::string_view index) {
  if (patterns.empty()) return true;
  bool included = false;
  for (const auto& p : patterns) {
    if (!p.empty() && p[0] == '-') {
      if (glob(std::string_view(p).substr(1), index)) return false;
    } else if (!included && glob(p, index)) {
      included = true;
    }
  }
  return included;
}

std::vector<std::pair<std::string, std::string>> data_stream_constants(std::string_view index) {
  // A backing index: .ds-<data stream>-<yyyy.MM.dd>-<generation>
  if (index.substr(0, 4) == ".ds-") {
    std::string_view rest = index.substr(4);
    const std::size_t gen = rest.rfind('-');
    if (gen != std::string_view::npos && all_digits(rest.substr(gen + 1))) {
      rest = rest.substr(0, gen);
      const std::size_t date = rest.rfind('-');
      if (date != std::string_view::npos && is_date(rest.substr(date + 1)))
        index = rest.substr(0, date);
    }
  }
  // <type>-<dataset>-<namespace>: the type and the namespace contain no '-'; the dataset
  // neither (Elastic's data stream naming scheme), so exactly two hyphens.
  const std::size_t first = index.find('-'), last = index.rfind('-');
  if (first == std::string_view::npos || first == last) return {};
  const std::string_view type = index.substr(0, first);
  const std::string_view dataset = index.substr(first + 1, last - first - 1);
  const std::string_view ns = index.substr(last + 1);
  if (type.empty() || dataset.empty() || ns.empty()) return {};
  if (dataset.find('-') != std::string_view::npos) return {};
  for (std::string_view part : {type, dataset, ns})
    if (part.find_first_of("*?,\"<>|\\/ #:") != std::string_view::npos) return {};
  std::vector<std::pair<std::string, std::string>> out = {
      {"data_stream.type", std::string(type)},
      {"data_stream.dataset", std::string(dataset)},
      {"data_stream.namespace", std::string(ns)},
      {"event.dataset", std::string(dataset)}};
  // An integration's datasets are PACKAGE.STREAM, and its base fields make event.module the
  // package (`azure.signinlogs` → `azure`).
  if (const std::size_t dot = dataset.find('.'); dot != std::string_view::npos && dot > 0)
    out.emplace_back("event.module", std::string(dataset.substr(0, dot)));
  return out;
}

}  // namespace pack
