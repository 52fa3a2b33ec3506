// cli/result_lines.cpp — a Stream's result as the line `eqlite match` writes
// (cli/result_lines.hpp).
#include "cli/result_lines.hpp"

#include <cstdio>

#include "cli/alert.hpp"
#include "cli/output.hpp"

namespace cli {

ResultLines::ResultLines(const StreamRun& run)
    : run_(run), per_rule_(run.names.size(), 0), excepted_(run.names.size(), 0) {
  for (const auto& n : run.names)
    prefixes_.push_back("{\"rule\":" + json_quoted(n) + ",");
  if (run.alerts)
    for (const pack::Rule* r : run.metas)
      alert_prefixes_.push_back(alert_prefix(*r));
  if (run.rule_exceptions) {
    except_rule_.resize(run.names.size(), nullptr);
    for (std::size_t r = 0; r < run.rule_exceptions->size() && r < run.names.size(); ++r) {
      const auto& lists = (*run.rule_exceptions)[r];
      if (lists.empty()) continue;
      auto& m = matchers_[lists];
      if (!m) {
        m = std::make_unique<pack::ExceptionMatcher>(lists, run.options.reader);
        for (const auto& e : m->errors())  // an item that does not compile excepts nothing
          std::fprintf(stderr, "%s\n", e.to_string().c_str());
      }
      except_rule_[r] = m.get();
    }
  }
  for (const auto& [field, value] : run.constants)
    set_constant(field, value);
}

void ResultLines::set_constant(std::string_view field, const eqlite::Value& value) {
  for (auto& [lists, m] : matchers_)
    m->set_constant(field, value);
}

// Whether an exception item of `rule` excepts one of the result's events.
bool ResultLines::excepted_by(std::size_t rule, const eqlite::StreamResult& r) {
  pack::ExceptionMatcher* own = rule < except_rule_.size() ? except_rule_[rule] : nullptr;
  if (!own) return false;
  for (std::string_view e : r.events)
    if (!e.empty() && own->match(e)) return true;
  return false;
}

bool ResultLines::accept(const eqlite::StreamResult& r) {
  if (r.rule >= run_.names.size()) {  // a shadow: the owner's excepted results
    const std::size_t owner = run_.shadow_owner[r.rule - run_.names.size()];
    if (excepted_by(owner, r)) {
      ++excepted_[owner];
      ++excepted_total;
    }
    return false;
  }
  const bool prefiltered = r.rule < run_.prefiltered.size() && run_.prefiltered[r.rule];
  if (!prefiltered && excepted_by(r.rule, r)) {
    ++excepted_[r.rule];
    ++excepted_total;
    return false;
  }
  ++per_rule_[r.rule];
  ++hits;
  return true;
}

void ResultLines::format(const eqlite::StreamResult& r, std::string& line) const {
  const bool several = run_.several;
  // `"join_keys":[...],` (a sequence or sample) and `"events":[...]}`
  auto keys_and_events = [&] {
    if (r.kind != eqlite::QueryKind::Event) {
      line += "\"join_keys\":[";
      for (std::size_t i = 0; i < r.join_keys.size(); ++i) {
        if (i) line += ',';
        line += json_value(r.join_keys[i]);
      }
      line += "],";
    }
    line += "\"events\":[";
    for (std::size_t i = 0; i < r.events.size(); ++i) {
      if (i) line += ',';
      if (r.events[i].empty())
        line += "{\"missing\":true}";
      else
        line += r.events[i];
    }
    line += "]}";
  };
  if (run_.alerts) {
    line = alert_prefixes_[r.rule];
    keys_and_events();
  } else if (r.kind == eqlite::QueryKind::Event) {
    if (!several) {
      line = r.events[0];
    } else {
      line = prefixes_[r.rule];
      line += "\"event\":";
      line += r.events[0];
      line += '}';
    }
  } else {
    line = several ? prefixes_[r.rule] : "{";
    keys_and_events();
  }
  line += '\n';
}

void print_sequence_stats(const eqlite::StreamStats& s) {
  auto u = [](std::uint64_t v) { return static_cast<unsigned long long>(v); };
  std::fprintf(stderr,
               "eqlite: %llu events without a readable timestamp, %llu late (kept out of "
               "sequences)\n",
               u(s.no_timestamp), u(s.late));
  std::fprintf(stderr,
               "eqlite: sequences: %llu started = %llu completed + %llu expired + %llu evicted + "
               "%llu until + %llu replaced + %llu missing + %llu pending + %llu waiting\n",
               u(s.started), u(s.completed), u(s.expired), u(s.evicted), u(s.until), u(s.replaced),
               u(s.missing), u(s.pending), u(s.waiting));
}

}  // namespace cli
