// pack/routing.cpp — see routing.hpp.
#include "pack/routing.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace pack {

namespace {

// The fields some key position has in every stage (the candidates to route by), in position
// order, each once.
std::vector<std::string> shared_fields(const std::vector<std::vector<std::string>>& stages) {
  std::vector<std::string> out;
  if (stages.empty()) return out;
  for (std::size_t i = 0; i < stages.front().size(); ++i) {
    const std::string& f = stages.front()[i];
    const bool everywhere = std::all_of(stages.begin(), stages.end(), [&](const auto& keys) {
      return i < keys.size() && keys[i] == f;
    });
    if (everywhere && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
  }
  return out;
}

std::string joined(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields)
    out += (out.empty() ? "" : ", ") + f;
  return out;
}

}  // namespace

RoutingPlan plan_routing(const std::vector<std::pair<std::string, const eqlite::Query*>>& rules) {
  RoutingPlan plan;
  std::vector<std::vector<std::string>> candidates;
  std::map<std::string, std::size_t> votes;  // field -> rules it could route
  for (const auto& [name, query] : rules) {
    if (query->kind() == eqlite::QueryKind::Event) continue;
    RoutedRule r{name, query->join_keys(), {}};
    auto shared = shared_fields(r.join_keys);
    for (const auto& f : shared)
      ++votes[f];
    candidates.push_back(std::move(shared));
    plan.rules.push_back(std::move(r));
  }
  std::map<std::string, std::size_t> routed;
  for (std::size_t i = 0; i < plan.rules.size(); ++i) {
    RoutedRule& r = plan.rules[i];
    const bool keyless = r.join_keys.empty() || r.join_keys.front().empty();
    if (keyless) {
      r.routing.kind = Routing::Kind::Whole;
      ++plan.whole;
    } else if (candidates[i].empty()) {
      r.routing.kind = Routing::Kind::ByStage;
      ++plan.by_stage;
    } else {
      // the candidate that routes the most rules; on a tie, the first key position's
      const auto& c = candidates[i];
      const auto best = std::max_element(
          c.begin(), c.end(), [&](const auto& a, const auto& b) { return votes[a] < votes[b]; });
      r.routing = {Routing::Kind::Field, *best};
      ++routed[*best];
    }
  }
  plan.fields.assign(routed.begin(), routed.end());
  std::stable_sort(plan.fields.begin(), plan.fields.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return plan;
}

std::string describe(const RoutingPlan& plan) {
  std::string out =
      "join keys of " + std::to_string(plan.rules.size()) +
      (plan.rules.size() == 1 ? " sequence or sample rule" : " sequence and sample rules") + ":\n";
  for (const auto& r : plan.rules) {
    out += "  " + r.name + ": ";
    switch (r.routing.kind) {
      case Routing::Kind::Field:
        out += "routed by " + r.routing.field;
        break;
      case Routing::Kind::ByStage:
        out += "routed by stage (no key field shared by every stage)";
        break;
      case Routing::Kind::Whole:
        out += "no join key (one partition)";
        break;
    }
    if (r.routing.kind != Routing::Kind::Whole) {
      const bool same = std::all_of(r.join_keys.begin(), r.join_keys.end(),
                                    [&](const auto& k) { return k == r.join_keys.front(); });
      if (same) {
        out += "; join keys " + joined(r.join_keys.front());
      } else {
        for (std::size_t s = 0; s < r.join_keys.size(); ++s)
          out +=
              (s ? ", stage " : "; stage ") + std::to_string(s + 1) + " " + joined(r.join_keys[s]);
      }
    }
    out += "\n";
  }
  out += "routing: ";
  std::string parts;
  for (const auto& [field, n] : plan.fields)
    parts += (parts.empty() ? "" : "; ") + std::to_string(n) + (n == 1 ? " rule" : " rules") +
             " by " + field;
  if (plan.by_stage)
    parts += (parts.empty() ? "" : "; ") + std::to_string(plan.by_stage) +
             (plan.by_stage == 1 ? " rule" : " rules") + " by stage";
  if (plan.whole)
    parts += (parts.empty() ? "" : "; ") + std::to_string(plan.whole) +
             (plan.whole == 1 ? " rule" : " rules") + " without a join key";
  out += (parts.empty() ? "no sequence or sample rule" : parts) + "\n";
  return out;
}

}  // namespace pack
