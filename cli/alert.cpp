// cli/alert.cpp — the rule's part of an alert line (cli/alert.hpp).
#include "cli/alert.hpp"

#include "cli/output.hpp"

namespace cli {

namespace {

void ref(std::string& out, const pack::ThreatRef& r) {
  out += "\"id\":" + json_quoted(r.id) + ",\"name\":" + json_quoted(r.name);
  if (!r.reference.empty()) out += ",\"reference\":" + json_quoted(r.reference);
}

}  // namespace

std::string alert_prefix(const pack::Rule& rule) {
  std::string out = "{\"kibana\":{\"alert\":{\"rule\":{\"rule_id\":" + json_quoted(rule.id) +
                    ",\"name\":" + json_quoted(rule.name) + ",\"type\":\"eql\"";
  if (!rule.path.empty()) out += ",\"source\":" + json_quoted(rule.path);
  if (!rule.threat.empty()) {
    out += ",\"threat\":[";
    for (std::size_t i = 0; i < rule.threat.size(); ++i) {
      const pack::Threat& t = rule.threat[i];
      if (i) out += ',';
      out += "{\"framework\":" + json_quoted(t.framework) + ",\"tactic\":{";
      ref(out, t.tactic);
      out += "},\"technique\":[";
      for (std::size_t j = 0; j < t.techniques.size(); ++j) {
        if (j) out += ',';
        out += '{';
        ref(out, t.techniques[j].ref);
        out += ",\"subtechnique\":[";
        for (std::size_t k = 0; k < t.techniques[j].subtechniques.size(); ++k) {
          if (k) out += ',';
          out += '{';
          ref(out, t.techniques[j].subtechniques[k]);
          out += '}';
        }
        out += "]}";
      }
      out += "]}";
    }
    out += ']';
  }
  out += '}';
  if (!rule.severity.empty()) out += ",\"severity\":" + json_quoted(rule.severity);
  if (rule.risk_score >= 0) out += ",\"risk_score\":" + std::to_string(rule.risk_score);
  if (rule.building_block())
    out += ",\"building_block_type\":" + json_quoted(rule.building_block_type);
  out += "}},";
  return out;
}

}  // namespace cli
