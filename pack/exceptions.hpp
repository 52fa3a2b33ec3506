// pack/exceptions.hpp — Elastic Security exception lists, as Kibana exports them
// (docs/exceptions.md): an NDJSON file of lists and their items, each item a set of entries
// (`match`, `match_any`, `wildcard`, `exists`, `nested`) and optional `os_types`. An event that
// an item describes is *excepted*: the rule's hit is not an alert (it is counted, never silently
// dropped — that is the caller's part).
//
//   pack::ExceptionLoad load = pack::load_exceptions("tuning.ndjson");
//   for (auto& e : load.errors) std::cerr << e.to_string() << '\n';   // the rest still loads
//   pack::ExceptionMatcher matcher(load.lists);
//   matcher.set_constant("event.dataset", eqlite::Value::string("azure.signinlogs"));
//   if (const pack::ExceptionItem* item = matcher.match(line)) { /* excepted by item->name */ }
//
// Each item becomes an EQL condition that eqlite's own compiler and VM evaluate (an item is the
// AND of its entries; the items of a list are ORed); the matcher compiles all of them into one
// eqlite::RuleSet, so that an event is read once and the RuleSet's index picks the items it may
// meet. The conditions have the case sensitivity of the
// Elasticsearch query Kibana builds: `match` is `==`, `match_any` is `in`, `wildcard` is `like`
// (all case-sensitive, as term/wildcard queries on keyword fields), `exists` is `!= null`,
// `excluded` negates (true when the field has no value, as must_not: semantics.md S3). A `nested`
// entry holds when one object of the array under its field satisfies all its sub-entries (as
// Elasticsearch's nested query), not pieces of different objects (S4 flattening).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "pack/rule.hpp"
#include "pack/rule_loader.hpp"

#include <eqlite/json_reader.hpp>
#include <eqlite/value.hpp>

namespace pack {

enum class EntryType { Match, MatchAny, Wildcard, Exists, Nested };

/// "match", "match_any", "wildcard", "exists", "nested".
std::string_view to_string(EntryType type) noexcept;

/// One condition of an item: `field` (relative to the parent for a nested sub-entry).
struct ExceptionEntry {
  EntryType type = EntryType::Match;
  std::string field;
  bool excluded = false;                // operator "excluded" (Kibana's "is not", ...)
  std::vector<std::string> values;      // match, wildcard: one; match_any: one or more
  std::vector<ExceptionEntry> entries;  // nested: its sub-entries (match, match_any, exists)
};

struct ExceptionItem {
  std::string item_id, list_id, name, namespace_type, description;
  std::string expire_time;  // as exported; not evaluated (docs/exceptions.md)
  std::vector<ExceptionEntry> entries;
  std::vector<std::string> os_types;  // "linux", "macos", "windows"; empty: any
  std::string path;                   // the file and line it came from
  std::uint32_t line = 0;
};

struct ExceptionList {
  std::string list_id, name, type, namespace_type, description;
  std::string path;
  std::uint32_t line = 0;
  std::vector<ExceptionItem> items;
};

/// What reading export files gave: the lists (with their items), and every problem, each
/// `FILE:LINE:COL: message` naming the list or item. A bad line or a bad item is left out; the
/// rest still loads.
struct ExceptionLoad {
  std::vector<ExceptionList> lists;
  std::vector<LoadError> errors;
  std::size_t skipped_rules = 0;  // rule lines of a rules export (`rule_id`), not exceptions
  /// Items whose list is not loaded (yet), each with its error in `errors` ("its list ... is not
  /// in the file ..."). A later parse into this load that reads the list attaches them to it
  /// and withdraws their errors.
  std::vector<ExceptionItem> unattached;

  /// The list with this list_id (and namespace_type, when not empty), or nullptr.
  const ExceptionList* find(std::string_view list_id, std::string_view namespace_type = {}) const;
  /// The lists a rule's `[[rule.exceptions_list]]` names; a reference that is not loaded is
  /// added to `missing` (as "list_id (namespace_type)").
  std::vector<const ExceptionList*> lists_for(const Rule& rule,
                                              std::vector<std::string>* missing = nullptr) const;
  std::size_t item_count() const;
};

/// Reads an export's text (`path` names it in errors) and adds its lists to `into`. Items attach
/// to the list of the same list_id and namespace_type in `into` (read from this text or an
/// earlier one); an item whose list is not there is an error and waits in `into.unattached`:
/// when a later text read into `into` holds its list, it is attached (before that text's own
/// items) and the error removed. So the files of one load may come in any order. The
/// export-summary line and rule lines are recognised and skipped. Linear in the lines and lists.
void parse_exceptions(std::string_view text, const std::string& path, ExceptionLoad& into);
/// Reads the file `path` as parse_exceptions does (an unreadable file is one error).
void load_exceptions(const std::string& path, ExceptionLoad& into);
ExceptionLoad load_exceptions(const std::string& path);

/// The EQL condition of an item as eqlite evaluates it on a whole event: its entries ANDed,
/// os_types as `(host.os.type == "windows" or host.os.name.caseless == "windows" ...)`.
/// A nested entry is written as its sub-entries on `parent.child` paths joined by `and`, for
/// reading only: the matcher evaluates it per object (see the top of this file).
std::string to_eql(const ExceptionItem& item);
/// What Kibana adds to a rule's EQL request for these lists (its `filter`): `not ((item) or
/// ...)`, every item as to_eql gives it; empty when the lists have no item. eqlite match
/// compiles a sequence or sample rule with it (CompileOptions::filter), so that an excepted
/// event takes part in no sequence (docs/exceptions.md).
std::string exclusion_filter(const std::vector<const ExceptionList*>& lists);
/// One entry's condition (a nested entry as in to_eql).
std::string to_eql(const ExceptionEntry& entry, std::string_view parent = {});
/// A field path in EQL: segments that are not plain names (or are keywords) in backquotes.
std::string eql_field(std::string_view path);

/// Decides which item (if any) excepts an event. Built once from lists; match() may be called
/// for many events. Not thread-safe (one per thread; construction compiles every item).
///
/// The items without a nested entry, and the other entries of those with one, are the rules
/// `any where <condition>` of one eqlite::RuleSet: match() reads the event once (with the
/// ReaderOptions given) and evaluates only the items the RuleSet's index leaves; a nested entry
/// is then checked per object on the event parsed with pack/json_tree (at most once per call).
class ExceptionMatcher {
 public:
  ExceptionMatcher();
  /// `options` bound the events read (depth, size), as for the rule: an event beyond them is
  /// not excepted.
  explicit ExceptionMatcher(const eqlite::ReaderOptions& options);
  explicit ExceptionMatcher(const std::vector<ExceptionList>& lists,
                            const eqlite::ReaderOptions& options = {});
  explicit ExceptionMatcher(const std::vector<const ExceptionList*>& lists,
                            const eqlite::ReaderOptions& options = {});
  ~ExceptionMatcher();
  ExceptionMatcher(ExceptionMatcher&&) noexcept;
  ExceptionMatcher& operator=(ExceptionMatcher&&) noexcept;

  /// Adds a list's items (copied), after those already there.
  void add(const ExceptionList& list);
  /// E4: `value` stands for `path` in every event that has no value for it (strings are copied).
  /// A later call for the same path replaces the value; a null value removes the constant (as
  /// eqlite::JsonReader::set_constant). In a nested entry on `field`, a constant `field.child`
  /// stands for `child` in each object under the field that has no value for it.
  void set_constant(std::string_view path, eqlite::Value value);
  void clear_constants();

  /// The first item (in list order, then item order) that excepts the event; nullptr when none
  /// does, or when the text is not a JSON object (a bad event is never excepted).
  const ExceptionItem* match(std::string_view event_json);

  std::size_t size() const;  // items
  bool empty() const { return size() == 0; }
  /// Items that could not be compiled (should not happen for a loaded list: a bug if it does),
  /// `FILE:LINE:COL: message`.
  const std::vector<LoadError>& errors() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pack
