// pack/schema.hpp — what an index's mapping says about fields, for `eqlite check --schema`
// (docs/schema-lint.md): each field's Elasticsearch type (keyword, long, ip, date, ...), whether
// it holds a list, and which fields a schema speaks for at all.
//
// A Schema comes from the Elastic Common Schema table generated into the repository
// (scripts/gen-ecs-schema → pack/ecs_schema_table.inc), from the Azure integration's fields.yml
// (pack/azure_schema_table.inc), from a rule's own `required_fields`, or from sample documents
// (every path with a value, its type guessed from the JSON values). A SchemaSet merges them.
//
//   pack::SchemaSet schemas;
//   schemas.add(*pack::Schema::builtin("ecs"));
//   if (const pack::SchemaField* f = schemas.find("source.ip")) { /* f->type == "ip" */ }
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pack/rule.hpp"

namespace pack {

/// What a comparison can make of a field's values: the families of Elasticsearch types.
enum class TypeFamily : std::uint8_t {
  String,   ///< keyword, constant_keyword, wildcard, text, match_only_text, flattened
  Integer,  ///< long, integer, short, byte, unsigned_long
  Float,    ///< double, float, half_float, scaled_float
  Ip,
  Date,  ///< date, date_nanos
  Boolean,
  Object,  ///< object, nested, group: a parent of other fields
  Other    ///< geo_point, binary, anything else
};
TypeFamily type_family(std::string_view es_type) noexcept;

struct SchemaField {
  std::string name;     ///< dotted path
  std::string type;     ///< Elasticsearch mapping type, as the source writes it
  bool array = false;   ///< ECS normalization `array`
  std::string example;  ///< a short example value (ECS), or one seen in the samples; may be empty
  TypeFamily family() const noexcept { return type_family(type); }
};

class Schema {
 public:
  enum class Kind : std::uint8_t {
    Mapping,         ///< a published field list (ECS, an integration): its types are mappings
    RequiredFields,  ///< a rule's `required_fields`
    Samples          ///< paths with a value in sample documents; types guessed from the JSON
  };

  Schema(std::string name, Kind kind) : name_(std::move(name)), kind_(kind) {}

  /// A schema built into eqlite: "ecs" (the Elastic Common Schema) or "azure" (the fields of
  /// Elastic's Azure integration: signinlogs, auditlogs, activitylogs). Null for another name.
  /// Each is built once, on first use (thread-safe), and lives as long as the program.
  static const Schema* builtin(std::string_view name);
  static std::vector<std::string> builtin_names();  ///< {"ecs", "azure"}
  /// The rule's `[[rule.required_fields]]` (name and type).
  static Schema from_required_fields(const Rule& rule);
  /// Every path that has a value in the NDJSON file `path` (lines that are not JSON objects are
  /// skipped), typed from its values: integers `long`, other numbers `double`, booleans
  /// `boolean`, strings `keyword` (mixed: `keyword`). False, with `error` set, when the file
  /// cannot be read.
  static bool from_samples(const std::string& path, Schema& out, std::string& error);

  void add(SchemaField field);
  /// The field, or the object/flattened field above it that takes any sub-field (ECS `labels`,
  /// an integration's `flattened` properties, a `claims.*` wildcard).
  const SchemaField* find(std::string_view field) const;
  /// Whether the schema speaks for `field` at all: a field it covers but does not define is
  /// unknown. ECS covers its field sets (`process.`, `source.`, ...) except Elastic Endpoint's
  /// `Ext` extensions (`process.Ext.*`); the Azure schema covers the data streams it has
  /// (`azure.signinlogs.`, ...) and its other non-ECS names; samples cover the top-level names
  /// of their paths; required_fields cover nothing.
  bool covers(std::string_view field) const;

  /// covers(), Endpoint's `Ext` fields included: the field's prefix is one of the schema's.
  bool claims(std::string_view field) const;

  const std::string& name() const noexcept { return name_; }
  Kind kind() const noexcept { return kind_; }
  const std::map<std::string, SchemaField, std::less<>>& fields() const noexcept { return fields_; }
  std::size_t events = 0;  ///< Samples: how many documents were read

 private:
  std::string name_;
  Kind kind_;
  std::map<std::string, SchemaField, std::less<>> fields_;
  std::vector<std::string> open_prefixes_;  // "labels." — any field below is defined
  struct Pattern {
    std::string name;   // as in fields_: a.*.b (a.*.b.* is stored as a.*.b, open below)
    bool open = false;  // a.*.b.*: any field below a.X.b
  };
  std::vector<Pattern> patterns_;     // names with a `*` segment: a.*.b
  std::vector<std::string> covered_;  // the prefixes this schema speaks for
  bool ecs_ = false;
  friend class SchemaSet;
};

/// Several schemas, asked together: a field is known when one of them defines it, unknown when
/// one covers it and none defines it, and outside them all when none covers it.
class SchemaSet {
 public:
  SchemaSet();
  ~SchemaSet();
  SchemaSet(SchemaSet&&) noexcept;
  SchemaSet& operator=(SchemaSet&&) noexcept;

  void add(Schema schema);
  bool empty() const noexcept { return schemas_.empty(); }
  const std::vector<Schema>& schemas() const noexcept { return schemas_; }

  /// The field's definition; a mapping's or a rule's required_fields' before a guess from
  /// samples, in the order the schemas were added otherwise. `from` receives the schema.
  const SchemaField* find(std::string_view field, const Schema** from = nullptr) const;
  /// The schemas that cover `field` (see Schema::covers), in order; samples do not cover a
  /// field whose prefix a mapping claims (Azure samples say nothing of `user.Ext.real.id`).
  std::vector<const Schema*> covering(std::string_view field) const;

  /// The nearest defined fields to an unknown `field`, best first (at most `max`): one field
  /// within a small edit distance of the whole path or of its last segment under the same
  /// parent, else fields whose last segment shares a word with it (`country_or_region` →
  /// `country_iso_code`), ranked by shared words, then by how well an example value has the
  /// shape of the rule's literals (`"KP"` and `"CA"`), then fields seen in samples, then the
  /// shorter path. Remembers its answers (not thread-safe).
  /// `close` (optional) is set when the answer is one field within the edit distance.
  std::vector<std::string> suggest(std::string_view field,
                                   const std::vector<std::string>& literals = {},
                                   std::size_t max = 2, bool* close = nullptr) const;

 private:
  struct Index;
  std::vector<Schema> schemas_;
  mutable std::unique_ptr<Index> index_;  // built on the first suggest()
};

/// The Levenshtein distance of `a` and `b` when it is at most `limit`, else limit + 1 (the
/// nearest-field suggestions of the schema lint and of eqlite check --fields-from).
std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t limit);

}  // namespace pack
