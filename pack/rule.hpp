// pack/rule.hpp — a detection rule as a rule pack publishes it: the query and what Elastic's
// detection-rules TOML files say about it (docs/rule-packs.md). An `.eql` file is a rule too,
// with only a query: its id and name are the file's stem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace pack {

/// One MITRE ATT&CK entry of `[[rule.threat]]`: a tactic and the techniques under it.
struct ThreatRef {
  std::string id, name, reference;
};
struct Technique {
  ThreatRef ref;
  std::vector<ThreatRef> subtechniques;
};
struct Threat {
  std::string framework;  // "MITRE ATT&CK"
  ThreatRef tactic;
  std::vector<Technique> techniques;
};

/// `[[rule.required_fields]]`: a field the rule reads, with its Elasticsearch type.
struct RequiredField {
  std::string name, type;
  bool ecs = false;
};

/// `[[rule.exceptions_list]]`: an exception list attached to the rule.
struct ExceptionListRef {
  std::string id, list_id, namespace_type, type;
};

/// Where a run of the query's text lies in its file: from byte `offset` of the query on, the text
/// is the file's, from `line`:`column` (a run ends at the next anchor: an escape sequence, a
/// line end).
struct QueryAnchor {
  std::uint32_t offset = 0, line = 1, column = 1;
};

struct Rule {
  std::string path;      // the file it came from
  std::string id;        // rule.rule_id; the file's stem for an .eql file
  std::string name;      // rule.name; the file's stem for an .eql file
  std::string language;  // rule.language ("eql" for an .eql file)
  std::string type;      // rule.type ("eql", "query", "esql", "machine_learning", ...)
  std::string query;     // the query text, exactly as the TOML string's value
  // Where the query's text starts in the file, 1-based (an .eql file: 1:1). A position in the
  // query maps back into the file with pack::map_to_file (pack/rule_loader.hpp).
  std::uint32_t query_line = 1, query_column = 1;
  std::vector<QueryAnchor> query_anchors;  // empty: the file is the query (an .eql file)
  // The file's lines the query spans, from query_line on (a TOML rule; empty for an .eql file):
  // the excerpt of an error or finding (pack::excerpt, pack/rule_loader.hpp).
  std::string query_file_lines;
  std::string description;
  std::string severity;  // "low", "medium", "high", "critical"; empty when not given
  int risk_score = -1;   // 0..100; -1 when not given
  std::string maturity;  // metadata.maturity: "production", "development", "deprecated", ...
  std::string building_block_type;  // rule.building_block_type ("default"); empty: not one
  std::vector<std::string> index;   // rule.index patterns; empty: every input
  std::string timestamp_override;   // rule.timestamp_override (read; not used: docs/rule-packs.md)
  // rule.event_category_override: the field `<category> where` tests for this rule (e.g.
  // event.type for `info where`); empty: the default (CompileOptions::category_field).
  std::string event_category_override;
  std::vector<std::string> tags;
  std::vector<Threat> threat;
  std::vector<RequiredField> required_fields;
  std::vector<ExceptionListRef> exceptions_list;

  bool building_block() const { return !building_block_type.empty(); }
  bool deprecated() const { return maturity == "deprecated"; }
};

}  // namespace pack
