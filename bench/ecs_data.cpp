// bench/ecs_data.cpp — Elastic's EQL rules (../shared/corpus/detection-rules-eql.ndjson) and ECS
// events drawn from their literals.
//
// Each single-event rule is compiled with eqlite; its AST (Query::dump_ast(), an S-expression)
// is walked for `field == lit`, `field in (...)`, `field : (...)`, `like`, `like~`, `in~`
// predicates:
//   * every literal goes to a pool per field (the negated ones too: exclusion lists name real
//     paths and processes);
//   * the positive predicates of a rule, under and/or, become its "recipe".
// An event is an Elastic Endpoint-style document (process, file, registry, network, library,
// authentication) built around one rule picked at random: its category, its host.os.type, then
// plausible random values; 15% of the fields that have a pool take a pool literal instead, and
// 15% of the events follow the rule's recipe (one branch of each `or`, one value of each list,
// wildcards filled in), so that rules really fire now and then. ~1.2 KB per event.
//
// The stream data set (ecs_stream_ndjson(), StreamGenerator below) is the same kind of events
// in time order from a fleet of hosts, with the events of the corpus' sequence rules placed in
// it so that sequences complete.
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <eqlite/stream.hpp>
#include <map>
#include <optional>

#include "bench/common.hpp"
#include "bench/data.hpp"

namespace bench {

namespace {

// ---- the rules ---------------------------------------------------------------------------------

std::vector<CorpusRule> load_rules() {
  std::vector<CorpusRule> out;
  if (!corpus_available()) return out;
  const std::string text = read_file(corpus_dir() + "/detection-rules-eql.ndjson");
  simdjson::ondemand::parser parser;
  for (auto line : split_lines(text)) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) continue;
    std::string_view query, name;
    if (doc["name"].get_string().get(name)) continue;
    if (doc["query"].get_string().get(query)) continue;
    auto compiled = eqlite::compile(query);
    if (!compiled || compiled->kind() != eqlite::QueryKind::Event || !compiled->pipes().empty())
      continue;  // sequences, samples, pipes
    out.push_back(CorpusRule{std::string(name), std::string(query), std::move(*compiled)});
  }
  // A fixed shuffle: "the first N rules" mixes categories like the corpus does.
  Rng rng(2024);
  for (std::size_t i = out.size(); i > 1; --i)
    std::swap(out[i - 1], out[rng.below(i)]);
  return out;
}

// ---- dump_ast() S-expressions ------------------------------------------------------------------

struct SNode {
  std::string atom;  // an atom or a string's value
  bool quoted = false;
  bool list = false;
  std::vector<SNode> kids;
  const std::string& head() const {
    static const std::string kEmpty;
    return list && !kids.empty() && !kids[0].list ? kids[0].atom : kEmpty;
  }
};

class SParser {
 public:
  explicit SParser(std::string_view s) : s_(s) {}
  std::optional<SNode> parse() {
    skip();
    if (i_ >= s_.size()) return std::nullopt;
    SNode n;
    if (s_[i_] == '(') {
      ++i_;
      n.list = true;
      for (;;) {
        skip();
        if (i_ >= s_.size()) return std::nullopt;
        if (s_[i_] == ')') {
          ++i_;
          return n;
        }
        auto kid = parse();
        if (!kid) return std::nullopt;
        n.kids.push_back(std::move(*kid));
      }
    }
    if (s_[i_] == '"') {
      ++i_;
      n.quoted = true;
      while (i_ < s_.size() && s_[i_] != '"') {
        char c = s_[i_++];
        if (c == '\\' && i_ < s_.size()) {
          c = s_[i_++];
          switch (c) {
            case 'n':
              c = '\n';
              break;
            case 'r':
              c = '\r';
              break;
            case 't':
              c = '\t';
              break;
            case 'b':
              c = '\b';
              break;
            case 'f':
              c = '\f';
              break;
            case 'u': {  // \u{xx}
              const std::size_t close = s_.find('}', i_);
              if (close == std::string_view::npos) return std::nullopt;
              c = static_cast<char>(
                  std::stoi(std::string(s_.substr(i_ + 1, close - i_ - 1)), nullptr, 16));
              i_ = close + 1;
              break;
            }
            default:
              break;  // \" and \\ stand for themselves
          }
        }
        n.atom += c;
      }
      ++i_;
      return n;
    }
    while (i_ < s_.size() && s_[i_] != ' ' && s_[i_] != '(' && s_[i_] != ')' && s_[i_] != '\n')
      n.atom += s_[i_++];
    return n;
  }

 private:
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t'))
      ++i_;
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

// ---- literals and recipes ----------------------------------------------------------------------

struct Lit {
  enum class Kind { Str, Int, Bool } kind = Kind::Str;
  std::string s;
  std::int64_t i = 0;
  bool b = false;
  bool wildcard = false;  // `s` is a pattern: fill its `*` and `?` before use
};

struct Recipe {
  enum class Kind { All, Any, Pred } kind = Kind::All;
  std::vector<Recipe> kids;
  std::string field;
  std::vector<Lit> alts;
};

std::string strip_optional(const std::string& f) {
  return f.starts_with('?') ? f.substr(1) : f;
}

bool is_match_op(const std::string& h) {
  return h == "==" || h == "in" || h == "in~" || h == ":" || h == "like" || h == "like~";
}

// Reads `(== (field f) (string "a") ...)`; false when the shape is different.
bool predicate(const SNode& n, std::string& field, std::vector<Lit>& lits) {
  if (n.kids.size() < 3 || n.kids[1].head() != "field" || n.kids[1].kids.size() != 2) return false;
  field = strip_optional(n.kids[1].kids[1].atom);
  const bool wildcard = n.head() == ":" || n.head() == "like" || n.head() == "like~";
  for (std::size_t k = 2; k < n.kids.size(); ++k) {
    const SNode& v = n.kids[k];
    if (v.kids.size() != 2) continue;
    Lit lit;
    if (v.head() == "string") {
      lit.s = v.kids[1].atom;
      lit.wildcard = wildcard && lit.s.find_first_of("*?") != std::string::npos;
    } else if (v.head() == "int") {
      lit.kind = Lit::Kind::Int;
      lit.i = std::strtoll(v.kids[1].atom.c_str(), nullptr, 10);
    } else if (v.head() == "bool") {
      lit.kind = Lit::Kind::Bool;
      lit.b = v.kids[1].atom == "true";
    } else {
      continue;
    }
    lits.push_back(std::move(lit));
  }
  return !lits.empty();
}

using Pools = std::map<std::string, std::vector<Lit>, std::less<>>;

void harvest(const SNode& n, Pools& pools) {
  if (!n.list) return;
  const std::string& h = n.head();
  if (is_match_op(h) || h == "!=") {
    std::string field;
    std::vector<Lit> lits;
    if (predicate(n, field, lits)) {
      auto& pool = pools[field];
      pool.insert(pool.end(), lits.begin(), lits.end());
    }
    return;
  }
  for (const auto& k : n.kids)
    harvest(k, pools);
}

std::optional<Recipe> recipe(const SNode& n) {
  const std::string& h = n.head();
  if (h == "and" || h == "or") {
    Recipe r;
    r.kind = h == "and" ? Recipe::Kind::All : Recipe::Kind::Any;
    for (std::size_t k = 1; k < n.kids.size(); ++k)
      if (auto kid = recipe(n.kids[k])) r.kids.push_back(std::move(*kid));
    if (r.kids.empty()) return std::nullopt;
    return r;
  }
  if (is_match_op(h)) {
    Recipe r;
    r.kind = Recipe::Kind::Pred;
    if (predicate(n, r.field, r.alts)) return r;
  }
  return std::nullopt;  // not, comparisons, calls: nothing to force
}

struct RuleModel {
  std::string category;  // "" for `any`
  std::optional<Recipe> recipe;
  std::string os;  // its host.os.type when the recipe fixes one
};

// ---- an ECS document under construction --------------------------------------------------------

class Doc {
 public:
  void set(const std::string& path, Lit v) {
    Field& f = slot(path);
    f.values.assign(1, std::move(v));
  }
  void set(const std::string& path, std::string s) { set(path, str(std::move(s))); }
  void set_int(const std::string& path, std::int64_t i) {
    Lit l;
    l.kind = Lit::Kind::Int;
    l.i = i;
    set(path, std::move(l));
  }
  void set_bool(const std::string& path, bool b) {
    Lit l;
    l.kind = Lit::Kind::Bool;
    l.b = b;
    set(path, std::move(l));
  }
  void set_array(const std::string& path, std::vector<std::string> items) {
    Field& f = slot(path);
    f.array = true;
    f.values.clear();
    for (auto& s : items)
      f.values.push_back(str(std::move(s)));
  }
  // Forces a value: an array gets it as one more element (or in place of one), a scalar is
  // replaced.
  void force(const std::string& path, Lit v, Rng& rng) {
    Field& f = slot(path);
    if (f.array && !f.values.empty() && rng.chance(0.5))
      f.values[rng.below(f.values.size())] = std::move(v);
    else if (f.array)
      f.values.push_back(std::move(v));
    else
      f.values.assign(1, std::move(v));
  }
  std::vector<std::string> paths() const {
    std::vector<std::string> out;
    for (const auto& f : fields_)
      out.push_back(f.path);
    return out;
  }
  // The values of `path`; nullptr when it has none.
  const std::vector<Lit>* values(const std::string& path) const {
    for (const auto& f : fields_)
      if (f.path == path) return f.values.empty() ? nullptr : &f.values;
    return nullptr;
  }
  bool is_array(const std::string& path) const {
    for (const auto& f : fields_)
      if (f.path == path) return f.array;
    return false;
  }
  bool has(const std::string& path) const {
    return std::any_of(fields_.begin(), fields_.end(),
                       [&](const Field& f) { return f.path == path; });
  }
  void write(std::string& out);

  static Lit str(std::string s) {
    Lit l;
    l.s = std::move(s);
    return l;
  }

 private:
  struct Field {
    std::string path;
    std::vector<std::string_view> segments;
    std::vector<Lit> values;
    bool array = false;
  };
  Field& slot(const std::string& path) {
    for (auto& f : fields_)
      if (f.path == path) return f;
    fields_.push_back(Field{path, {}, {}, false});
    return fields_.back();
  }
  std::vector<Field> fields_;
};

void write_lit(JsonWriter& w, std::string_view key, const Lit& l) {
  switch (l.kind) {
    case Lit::Kind::Str:
      w.str(key, l.s);
      break;
    case Lit::Kind::Int:
      w.integer(key, l.i);
      break;
    case Lit::Kind::Bool:
      w.boolean(key, l.b);
      break;
  }
}

// Nested JSON from dotted paths: fields sorted by segments, objects opened and closed as the
// common prefix changes. A path under another field's leaf (a.b and a.b.c) is dropped.
void Doc::write(std::string& out) {
  for (auto& f : fields_) {
    f.segments.clear();
    std::string_view p = f.path;
    for (std::size_t start = 0;;) {
      const std::size_t dot = p.find('.', start);
      f.segments.push_back(p.substr(start, dot == std::string_view::npos ? dot : dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  // Sort pointers: the segments view the paths, which must not move.
  std::vector<const Field*> order;
  for (const auto& f : fields_)
    order.push_back(&f);
  std::sort(order.begin(), order.end(),
            [](const Field* a, const Field* b) { return a->segments < b->segments; });
  JsonWriter w(out);
  w.begin_object();
  std::vector<std::string_view> open;  // the objects currently open
  std::vector<std::string_view> last_leaf;
  for (const Field* fp : order) {
    const Field& f = *fp;
    if (f.values.empty()) continue;
    const auto& seg = f.segments;
    if (!last_leaf.empty() && seg.size() > last_leaf.size() &&
        std::equal(last_leaf.begin(), last_leaf.end(), seg.begin()))
      continue;  // under a leaf
    std::size_t common = 0;
    while (common < open.size() && common + 1 < seg.size() && open[common] == seg[common])
      ++common;
    while (open.size() > common) {
      w.end_object();
      open.pop_back();
    }
    for (std::size_t k = common; k + 1 < seg.size(); ++k) {
      w.begin_object(seg[k]);
      open.push_back(seg[k]);
    }
    if (f.array) {
      w.begin_array(seg.back());
      for (const auto& v : f.values)
        write_lit(w, {}, v);
      w.end_array();
    } else {
      write_lit(w, seg.back(), f.values.front());
    }
    last_leaf = seg;
  }
  while (!open.empty()) {
    w.end_object();
    open.pop_back();
  }
  w.end_object();
  out += '\n';
}

// ---- plausible values --------------------------------------------------------------------------

using Strings = std::vector<std::string>;

const Strings kWinProcs = {
    "svchost.exe",    "explorer.exe", "chrome.exe",   "msedge.exe",        "cmd.exe",
    "powershell.exe", "conhost.exe",  "rundll32.exe", "taskhostw.exe",     "RuntimeBroker.exe",
    "OneDrive.exe",   "Teams.exe",    "WINWORD.EXE",  "EXCEL.EXE",         "OUTLOOK.EXE",
    "notepad.exe",    "msiexec.exe",  "WmiPrvSE.exe", "SearchIndexer.exe", "dllhost.exe",
    "services.exe",   "lsass.exe",    "MsMpEng.exe",  "python.exe",        "java.exe",
    "Code.exe",       "git.exe",      "schtasks.exe", "net.exe",           "reg.exe"};
const Strings kWinDirs = {"C:\\Windows\\System32\\",
                          "C:\\Windows\\",
                          "C:\\Program Files\\Google\\Chrome\\Application\\",
                          "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\",
                          "C:\\Users\\{u}\\AppData\\Local\\Temp\\",
                          "C:\\Users\\{u}\\AppData\\Local\\Microsoft\\OneDrive\\",
                          "C:\\Program Files\\Microsoft Office\\root\\Office16\\",
                          "C:\\ProgramData\\",
                          "C:\\Users\\{u}\\Downloads\\"};
const Strings kWinArgs = {
    "/c", "-NoProfile", "-ExecutionPolicy", "Bypass",     "--type=renderer", "-k", "netsvcs",
    "/s", "/q",         "--no-sandbox",     "-Embedding", "/update"};
const Strings kLinuxProcs = {
    "bash", "sh",   "dash", "python3", "curl", "wget",   "sshd",       "systemd", "cron",  "sudo",
    "ls",   "cat",  "grep", "awk",     "sed",  "docker", "containerd", "kubelet", "nginx", "java",
    "node", "perl", "ssh",  "chmod",   "tar",  "git",    "apt",        "rsync"};
const Strings kLinuxDirs = {"/usr/bin/",
                            "/bin/",
                            "/usr/sbin/",
                            "/usr/local/bin/",
                            "/tmp/",
                            "/opt/app/bin/",
                            "/home/{u}/.local/bin/",
                            "/usr/lib/systemd/"};
const Strings kLinuxArgs = {"-c",
                            "-l",
                            "--version",
                            "-o",
                            "/tmp/x",
                            "-rf",
                            "--quiet",
                            "-v",
                            "-p",
                            "8080",
                            "http://10.0.0.5/a.sh",
                            "/etc/passwd"};
const Strings kMacProcs = {"launchd",  "zsh",    "bash",           "osascript",       "curl",
                           "python3",  "Safari", "Finder",         "mdworker_shared", "sudo",
                           "security", "open",   "softwareupdated"};
const Strings kMacDirs = {"/usr/bin/",
                          "/bin/",
                          "/usr/sbin/",
                          "/Applications/Safari.app/Contents/MacOS/",
                          "/System/Library/CoreServices/",
                          "/usr/local/bin/",
                          "/private/tmp/"};
const Strings kUsers = {"alice", "bob",        "carol", "dave",  "erin",
                        "frank", "svc_backup", "root",  "admin", "jenkins"};
const Strings kHosts = {"ws-0142",       "ws-0877",      "srv-db-01",  "srv-web-03",
                        "build-agent-7", "laptop-hr-12", "k8s-node-4", "mac-design-2"};
const Strings kFiles = {"report.docx", "invoice.pdf", "setup.exe",   "update.ps1",
                        "data.json",   "notes.txt",   "image.png",   "helper.dll",
                        "script.sh",   "config.yaml", "archive.zip", "payload.bin"};
const Strings kSigners = {"Microsoft Windows", "Microsoft Corporation", "Google LLC",
                          "Mozilla Corporation", "Zoom Video Communications, Inc."};
const Strings kRegKeys = {
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\",
    "HKEY_USERS\\S-1-5-21-1004336348-1177238915-682003330-1001\\Software\\Microsoft\\Windows\\"
    "CurrentVersion\\Explorer\\",
    "HKLM\\SYSTEM\\ControlSet001\\Services\\",
    "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender\\"};
const Strings kDomains = {
    "update.microsoft.com",      "github.com",  "api.slack.com", "cdn.example.net",
    "login.microsoftonline.com", "pastebin.com"};

std::string os_family(const std::string& os) {
  return os == "windows" ? "windows" : os == "macos" ? "macos" : "debian";
}

class EcsGenerator {
 public:
  explicit EcsGenerator(std::uint64_t seed) : rng_(seed) {
    for (const auto& rule : corpus_rules()) {
      auto ast = SParser(rule.query.dump_ast()).parse();
      if (!ast || ast->head() != "query" || ast->kids.size() < 3) continue;
      RuleModel m;
      if (ast->kids[1].quoted) m.category = ast->kids[1].atom;
      harvest(ast->kids[2], pools_);
      m.recipe = recipe(ast->kids[2]);
      if (m.recipe) m.os = first_value(*m.recipe, "host.os.type");
      models_.push_back(std::move(m));
      // Rule i (in corpus_rules() order) is picked with a weight 1/sqrt(i+1): as in real
      // alerts, some rules fire more than others, and the first rules — those of rules/1 and
      // rules/10 — fire often enough to be measured matching (rule 0 is picked for ~1.7% of the
      // events, and 15% of those follow its recipe).
      weights_.push_back((weights_.empty() ? 0.0 : weights_.back()) +
                         1.0 / std::sqrt(static_cast<double>(models_.size())));
    }
  }

  void event(std::string& out, std::size_t i) { event_doc(i).write(out); }

  // The event of event(): built around a rule picked at random.
  Doc event_doc(std::size_t i) {
    const RuleModel* model = nullptr;
    if (!models_.empty()) {
      const double x = rng_.unit() * weights_.back();
      model = &models_[std::min<std::size_t>(
          models_.size() - 1,
          static_cast<std::size_t>(std::upper_bound(weights_.begin(), weights_.end(), x) -
                                   weights_.begin()))];
    }
    std::string category = model ? model->category : "";
    static const Strings kAnyCategories = {"process", "file", "network", "authentication"};
    if (category.empty()) category = rng_.pick(kAnyCategories);
    std::string os = model && !model->os.empty() ? model->os : "";
    if (os != "windows" && os != "linux" && os != "macos") {
      const auto r = rng_.below(20);
      os = r < 11 ? "windows" : r < 18 ? "linux" : "macos";
    }
    Doc doc;
    base(doc, i, os, category);
    // Pool literals in place of some plausible values.
    for (const auto& path : doc.paths()) {
      auto it = pools_.find(path);
      if (it != pools_.end() && rng_.chance(0.15))
        doc.force(path, fill(rng_.pick(it->second)), rng_);
    }
    if (model && model->recipe && rng_.chance(0.15)) follow(*model->recipe, doc);
    return doc;
  }

  // An event of `category` ("" for any) on an `os` host that follows `recipe` (a stage of a
  // sequence), without pool literals.
  Doc stage_doc(std::size_t i, const std::string& os, std::string category,
                const std::optional<Recipe>& recipe) {
    static const Strings kAnyCategories = {"process", "file", "network", "authentication"};
    if (category.empty()) category = rng_.pick(kAnyCategories);
    Doc doc;
    base(doc, i, os, category);
    if (recipe) follow(*recipe, doc);
    return doc;
  }

  std::string random_os() {
    const auto r = rng_.below(20);
    return r < 11 ? "windows" : r < 18 ? "linux" : "macos";
  }

  static std::string recipe_os(const Recipe& r) { return first_value(r, "host.os.type"); }

 private:
  static std::string first_value(const Recipe& r, const std::string& field) {
    if (r.kind == Recipe::Kind::Pred)
      return r.field == field && r.alts[0].kind == Lit::Kind::Str && !r.alts[0].wildcard
                 ? r.alts[0].s
                 : "";
    if (r.kind == Recipe::Kind::Any) return "";
    for (const auto& k : r.kids)
      if (auto v = first_value(k, field); !v.empty()) return v;
    return "";
  }

  void follow(const Recipe& r, Doc& doc) {
    switch (r.kind) {
      case Recipe::Kind::All:
        for (const auto& k : r.kids)
          follow(k, doc);
        break;
      case Recipe::Kind::Any:
        follow(rng_.pick(r.kids), doc);
        break;
      case Recipe::Kind::Pred:
        doc.force(r.field, fill(rng_.pick(r.alts)), rng_);
        break;
    }
  }

  // A wildcard pattern becomes a value it matches.
  Lit fill(const Lit& l) {
    if (!l.wildcard) return l;
    static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    Lit out;
    for (char c : l.s) {
      if (c == '*') {
        if (rng_.chance(0.5)) continue;
        const std::size_t n = 1 + rng_.below(6);
        for (std::size_t k = 0; k < n; ++k)
          out.s += kChars[rng_.below(36)];
      } else if (c == '?') {
        out.s += kChars[rng_.below(36)];
      } else {
        out.s += c;
      }
    }
    return out;
  }

  std::string dir(const std::string& os, const std::string& user) {
    std::string d = rng_.pick(os == "windows" ? kWinDirs : os == "linux" ? kLinuxDirs : kMacDirs);
    if (auto p = d.find("{u}"); p != std::string::npos) d.replace(p, 3, user);
    return d;
  }

  void process(Doc& doc, const std::string& prefix, const std::string& os, const std::string& user,
               bool detailed) {
    const bool win = os == "windows";
    const std::string name = rng_.pick(win ? kWinProcs : os == "linux" ? kLinuxProcs : kMacProcs);
    const std::string exe = dir(os, user) + name;
    doc.set(prefix + "name", name);
    doc.set(prefix + "executable", exe);
    doc.set_int(prefix + "pid", static_cast<std::int64_t>(100 + rng_.below(60000)));
    doc.set(prefix + "entity_id", rng_.hex(24));
    if (!detailed) return;
    Strings args = {exe};
    const std::size_t n = rng_.below(4);
    for (std::size_t k = 0; k < n; ++k)
      args.push_back(rng_.pick(win ? kWinArgs : kLinuxArgs));
    std::string cmd;
    for (const auto& a : args)
      cmd += (cmd.empty() ? "" : " ") + a;
    doc.set_int(prefix + "args_count", static_cast<std::int64_t>(args.size()));
    doc.set_array(prefix + "args", std::move(args));
    doc.set(prefix + "command_line", cmd);
    if (win) {
      doc.set(prefix + "pe.original_file_name", name);
      doc.set_bool(prefix + "code_signature.trusted", rng_.chance(0.9));
      doc.set(prefix + "code_signature.subject_name", rng_.pick(kSigners));
    }
  }

  void base(Doc& doc, std::size_t i, const std::string& os, const std::string& category) {
    char ts[40];
    std::snprintf(ts, sizeof ts, "2026-03-%02dT%02d:%02d:%02d.%03dZ",
                  static_cast<int>(1 + (i / 3600) % 28), static_cast<int>((i / 60) % 24),
                  static_cast<int>(i % 60), static_cast<int>(rng_.below(60)),
                  static_cast<int>(rng_.below(1000)));
    const std::string user = rng_.pick(kUsers);
    const bool win = os == "windows";
    doc.set("@timestamp", ts);
    doc.set("agent.id", rng_.uuid());
    doc.set("agent.type", "endpoint");
    doc.set("agent.version", "8.11.0");
    doc.set("host.name", rng_.pick(kHosts));
    doc.set("host.id", rng_.hex(32));
    doc.set("host.os.type", os);
    doc.set("host.os.family", os_family(os));
    doc.set("host.os.name", win ? "Windows" : os == "linux" ? "Ubuntu" : "macOS");
    doc.set("ecs.version", "8.11.0");
    doc.set("user.name", user);
    doc.set("user.id", win ? "S-1-5-21-1004336348-1177238915-682003330-" +
                                 std::to_string(1000 + rng_.below(200))
                           : std::to_string(rng_.chance(0.2) ? 0 : 1000 + rng_.below(50)));
    if (win) doc.set("user.domain", "CONTOSO");
    doc.set("event.kind", "event");
    doc.set("event.id", rng_.hex(16));
    doc.set_array("event.category", {category});
    std::string dataset = "endpoint.events." + category;
    std::string action, type;
    if (category == "process") {
      const bool start = rng_.chance(0.85);
      action = start ? (win ? "start" : "exec") : "end";
      type = start ? "start" : "end";
      process(doc, "process.", os, user, true);
      process(doc, "process.parent.", os, user, true);
      doc.set("process.working_directory", dir(os, user));
    } else if (category == "file") {
      static const Strings kActions = {"creation", "modification", "deletion", "rename"};
      static const Strings kTypes = {"creation", "change", "deletion", "change"};
      const auto k = rng_.below(kActions.size());
      action = kActions[k];
      type = kTypes[k];
      const std::string name = rng_.pick(kFiles);
      doc.set("file.name", name);
      doc.set("file.path", dir(os, user) + name);
      doc.set("file.extension", name.substr(name.rfind('.') + 1));
      doc.set_int("file.size", static_cast<std::int64_t>(rng_.below(1 << 20)));
      process(doc, "process.", os, user, false);
    } else if (category == "registry") {
      action = "modification";
      type = "change";
      const std::string key =
          rng_.pick(kRegKeys) + rng_.pick(Strings{"OneDrive", "Teams", "Update", "Start"});
      doc.set("registry.path", key + "\\" + "Value" + std::to_string(rng_.below(9)));
      doc.set("registry.key", key);
      doc.set("registry.value", "Value" + std::to_string(rng_.below(9)));
      doc.set("registry.hive", key.substr(0, key.find('\\')));
      doc.set_array("registry.data.strings", {dir(os, user) + rng_.pick(kWinProcs)});
      process(doc, "process.", os, user, false);
    } else if (category == "network") {
      static const Strings kActions = {"connection_attempted", "connection_accepted",
                                       "disconnect_received", "lookup_requested"};
      action = rng_.pick(kActions);
      type = action == "disconnect_received" ? "end"
             : action == "lookup_requested"  ? "protocol"
                                             : "start";
      static const std::vector<std::int64_t> kPorts = {443, 443, 80, 53, 22, 445, 3389, 8080};
      doc.set("source.ip", rng_.ipv4(true));
      doc.set_int("source.port", static_cast<std::int64_t>(1024 + rng_.below(60000)));
      doc.set("destination.ip", rng_.ipv4(false));
      doc.set_int("destination.port", rng_.pick(kPorts));
      doc.set("network.direction", action == "connection_accepted" ? "ingress" : "egress");
      doc.set("network.transport", "tcp");
      if (action == "lookup_requested") doc.set("dns.question.name", rng_.pick(kDomains));
      process(doc, "process.", os, user, false);
    } else if (category == "library") {
      action = "load";
      type = "start";
      const std::string name = rng_.pick(
          Strings{"ntdll.dll", "kernel32.dll", "amsi.dll", "wininet.dll", "clr.dll", "helper.dll"});
      doc.set("dll.name", name);
      doc.set("dll.path", dir(os, user) + name);
      doc.set_bool("dll.code_signature.trusted", rng_.chance(0.9));
      doc.set("dll.code_signature.status", "trusted");
      process(doc, "process.", os, user, false);
    } else if (category == "authentication") {
      const bool ok = rng_.chance(0.8);
      action = ok ? "logged-in" : "logon-failed";
      type = "start";
      dataset = win ? "system.security" : "system.auth";
      doc.set("event.outcome", ok ? "success" : "failure");
      doc.set("event.code", ok ? "4624" : "4625");
      doc.set("event.provider", "Microsoft-Windows-Security-Auditing");
      doc.set("source.ip", rng_.ipv4(rng_.chance(0.7)));
      doc.set("winlog.event_data.LogonType", std::to_string(2 + rng_.below(9)));
      doc.set("winlog.event_data.TargetUserName", user);
      doc.set("winlog.logon.type", rng_.chance(0.5) ? "Network" : "Interactive");
    } else {
      action = category + "_event";
      type = "info";
      dataset = category == "iam" ? "system.security" : "endpoint.events.api";
      process(doc, "process.", os, user, false);
    }
    doc.set("event.action", action);
    doc.set_array("event.type", {type});
    doc.set("event.dataset", dataset);
    doc.set("event.module", "endpoint");
    doc.set("data_stream.dataset", dataset);
    doc.set("data_stream.namespace", "default");
    doc.set("data_stream.type", "logs");
  }

  Rng rng_;

  std::vector<double> weights_;  // cumulative
  Pools pools_;
  std::vector<RuleModel> models_;
};

// ---- a time-ordered stream from a fleet of hosts, with sequences in it -------------------------

std::vector<CorpusText> load_all_rules() {
  std::vector<CorpusText> out;
  if (!corpus_available()) return out;
  const std::string text = read_file(corpus_dir() + "/detection-rules-eql.ndjson");
  simdjson::ondemand::parser parser;
  for (auto line : split_lines(text)) {
    simdjson::padded_string padded(line);
    simdjson::ondemand::document doc;
    if (parser.iterate(padded).get(doc)) continue;
    std::string_view query, name;
    if (doc["name"].get_string().get(name)) continue;
    if (doc["query"].get_string().get(query)) continue;
    out.push_back(CorpusText{std::string(name), std::string(query)});
  }
  return out;
}

struct Host {
  std::string id, name, agent, os;
};

struct SeqStage {
  std::string category;  // "" for `any`
  std::optional<Recipe> recipe;
  std::vector<std::string> keys;  // the stage's own join keys (after the sequence's)
  std::size_t runs = 1;
  bool missing = false;
};

struct SeqModel {
  eqlite::Query query;
  std::vector<std::string> keys;  // the sequence's join keys
  std::int64_t maxspan_ms = 0;    // 0: none
  std::vector<SeqStage> stages;
  std::string os;  // host.os.type when a stage's recipe fixes one
};

std::vector<std::string> join_fields(const SNode& by) {  // (by (field a) (field ?b) ...)
  std::vector<std::string> out;
  for (std::size_t k = 1; k < by.kids.size(); ++k)
    if (by.kids[k].head() == "field" && by.kids[k].kids.size() == 2)
      out.push_back(strip_optional(by.kids[k].kids[1].atom));
  return out;
}

std::int64_t span_ms(const std::string& s) {  // 5m, 30s, 500ms, 2h, 1d
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9')
    ++digits;
  const std::int64_t n = std::strtoll(s.substr(0, digits).c_str(), nullptr, 10);
  const std::string unit = s.substr(digits);
  return unit == "ms"  ? n
         : unit == "s" ? n * 1000
         : unit == "m" ? n * 60'000
         : unit == "h" ? n * 3'600'000
         : unit == "d" ? n * 86'400'000
                       : 0;
}

std::optional<SeqModel> sequence_model(std::string_view text) {
  auto q = eqlite::compile(text);
  if (!q || q->kind() != eqlite::QueryKind::Sequence) return std::nullopt;
  auto ast = SParser(q->dump_ast()).parse();
  if (!ast || ast->head() != "sequence") return std::nullopt;
  SeqModel m{*q, {}, 0, {}, {}};
  for (std::size_t k = 1; k < ast->kids.size(); ++k) {
    const SNode& kid = ast->kids[k];
    const std::string& h = kid.head();
    if (h == "by") {
      m.keys = join_fields(kid);
    } else if (h == "maxspan" && kid.kids.size() == 2) {
      m.maxspan_ms = span_ms(kid.kids[1].atom);
    } else if (h == "stage" || h == "missing") {
      if (kid.kids.size() < 2 || kid.kids[1].head() != "query" || kid.kids[1].kids.size() < 3)
        return std::nullopt;
      const SNode& qn = kid.kids[1];
      SeqStage st;
      st.missing = h == "missing";
      if (qn.kids[1].quoted) st.category = qn.kids[1].atom;
      st.recipe = recipe(qn.kids[2]);
      for (std::size_t j = 2; j < kid.kids.size(); ++j) {
        if (kid.kids[j].head() == "by") st.keys = join_fields(kid.kids[j]);
        if (kid.kids[j].head() == "runs" && kid.kids[j].kids.size() == 2)
          st.runs = std::max<std::size_t>(
              1, std::strtoull(kid.kids[j].kids[1].atom.c_str(), nullptr, 10));
      }
      if (!st.missing && m.os.empty() && st.recipe) m.os = EcsGenerator::recipe_os(*st.recipe);
      m.stages.push_back(std::move(st));
    }  // until, pipes: no events are made for them
  }
  return m;
}

bool same_lit(const Lit& a, const Lit& b) {
  return a.kind == b.kind && a.s == b.s && a.i == b.i && a.b == b.b;
}

std::string iso_ms(std::int64_t ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm t{};
  gmtime_r(&secs, &t);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900,
                t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

// The events of ecs_stream_ndjson(): EcsGenerator's events, each on a host of a fixed fleet
// (its host.id, host.name and agent.id), with @timestamp increasing by 0-20 ms from one event
// to the next; and, at 0.5% of the positions, the start of an "episode": the events of one of
// the corpus' sequence rules (its positive stages, runs expanded), on one host, sharing their
// join-key values, each following its stage's recipe; the later ones are placed 1..k positions
// apart, k chosen so that the episode stays within the rule's maxspan. An episode is checked
// through a Stream of its rule before it is used (tried up to 4 times), and only rules that
// fired in such a check at start-up are picked.
class StreamGenerator {
 public:
  static constexpr double kEpisode = 0.005;

  StreamGenerator(std::uint64_t seed, std::size_t hosts) : gen_(seed), rng_(seed + 1) {
    static const Strings kWinPrefix = {"ws-", "laptop-", "srv-", "dc-"};
    static const Strings kLinuxPrefix = {"srv-web-", "srv-db-", "k8s-node-", "build-agent-"};
    for (std::size_t h = 0; h < hosts; ++h) {
      Host x;
      const auto r = rng_.below(100);
      x.os = r < 51 ? "windows" : r < 91 ? "linux" : "macos";
      x.id = rng_.hex(32);
      x.agent = rng_.uuid();
      char num[24];
      std::snprintf(num, sizeof num, "%04zu", h);
      x.name = (x.os == "windows" ? rng_.pick(kWinPrefix)
                : x.os == "linux" ? rng_.pick(kLinuxPrefix)
                                  : std::string("mac-")) +
               num;
      by_os_[x.os].push_back(hosts_.size());
      hosts_.push_back(std::move(x));
    }
    for (const auto& r : corpus_all_rules())
      if (auto m = sequence_model(r.text)) models_.push_back(std::move(*m));
    info_.hosts = hosts_.size();
    info_.sequence_rules = models_.size();
    for (std::size_t k = 0; k < models_.size(); ++k)
      for (int attempt = 0; attempt < 20; ++attempt)
        if (!episode(models_[k], 0).empty()) {
          fireable_.push_back(k);
          break;
        }
    info_.fireable_rules = fireable_.size();
  }

  void generate(std::size_t n, std::string& out) {
    std::multimap<std::size_t, Doc> due;     // later events of episodes, by position
    std::int64_t clock = 1'772'323'200'000;  // 2026-03-01T00:00:00Z
    for (std::size_t i = 0; i < n; ++i) {
      clock += static_cast<std::int64_t>(rng_.below(21));
      Doc d;
      if (!due.empty() && due.begin()->first <= i) {
        d = std::move(due.begin()->second);
        due.erase(due.begin());
        ++info_.sequence_events;
      } else if (!fireable_.empty() && rng_.chance(kEpisode)) {
        const SeqModel& m = models_[rng_.pick(fireable_)];
        std::vector<Doc> docs;
        for (int attempt = 0; attempt < 4 && docs.empty(); ++attempt)
          docs = episode(m, i);
        if (docs.empty()) {
          d = regular(i);
        } else {
          ++info_.episodes;
          ++info_.sequence_events;
          // At most 20 ms per position: k positions per step keep the episode within
          // maxspan with room for events placed later than planned.
          const std::size_t k =
              m.maxspan_ms ? std::clamp<std::size_t>(
                                 static_cast<std::size_t>(m.maxspan_ms) / 25 / docs.size(), 1, 50)
                           : 50;
          std::size_t at = i;
          for (std::size_t j = 1; j < docs.size(); ++j) {
            at += 1 + rng_.below(k);
            due.emplace(at, std::move(docs[j]));
          }
          d = std::move(docs[0]);
        }
      } else {
        d = regular(i);
      }
      d.set("@timestamp", iso_ms(clock));
      d.write(out);
    }
    info_.events = n;
  }

  const EcsStreamInfo& info() const { return info_; }

 private:
  const Host& pick_host(const std::string& os) {
    auto it = by_os_.find(os);
    if (it == by_os_.end()) it = by_os_.find("windows");
    return hosts_[rng_.pick(it->second)];
  }

  static void apply(const Host& h, Doc& d) {
    d.set("host.id", h.id);
    d.set("host.name", h.name);
    d.set("agent.id", h.agent);
  }

  Doc regular(std::size_t i) {
    Doc d = gen_.event_doc(i);
    const auto* os = d.values("host.os.type");
    apply(pick_host(os ? os->front().s : "windows"), d);
    return d;
  }

  Lit fresh_key_value(const std::string& field) {
    Lit l;
    if (field.ends_with("pid") || field.ends_with("port")) {
      l.kind = Lit::Kind::Int;
      l.i = static_cast<std::int64_t>(1000 + rng_.below(60000));
    } else if (field.ends_with(".ip")) {
      l.s = rng_.ipv4(true);
    } else {
      l.s = rng_.hex(16);
    }
    return l;
  }

  // A join-key value into `d`: a scalar replaced, an array given it as one more element.
  void put_key(Doc& d, const std::string& field, const Lit& v) {
    if (d.is_array(field)) {
      if (const auto* vs = d.values(field))
        for (const Lit& x : *vs)
          if (same_lit(x, v)) return;
      d.force(field, v, rng_);
      return;
    }
    d.set(field, v);
  }

  // One sequence of `m`, checked through a Stream of the rule: empty when it did not fire.
  std::vector<Doc> episode(const SeqModel& m, std::size_t i) {
    const std::string os =
        m.os == "windows" || m.os == "linux" || m.os == "macos" ? m.os : gen_.random_os();
    const Host& host = pick_host(os);
    std::vector<Doc> docs;
    std::vector<const SeqStage*> of;
    for (const auto& st : m.stages) {
      if (st.missing) continue;
      for (std::size_t r = 0; r < st.runs; ++r) {
        docs.push_back(gen_.stage_doc(i, os, st.category, st.recipe));
        apply(host, docs.back());
        of.push_back(&st);
      }
    }
    if (docs.empty()) return {};
    const std::size_t nkeys = m.keys.size() + of[0]->keys.size();
    for (std::size_t k = 0; k < nkeys; ++k) {
      auto field = [&](std::size_t j) -> const std::string* {
        if (k < m.keys.size()) return &m.keys[k];
        const auto& ks = of[j]->keys;
        return k - m.keys.size() < ks.size() ? &ks[k - m.keys.size()] : nullptr;
      };
      if (!field(0)) continue;
      const auto* first = docs[0].values(*field(0));
      const Lit v = first ? first->front() : fresh_key_value(*field(0));
      for (std::size_t j = 0; j < docs.size(); ++j)
        if (const std::string* f = field(j)) put_key(docs[j], *f, v);
    }
    std::size_t results = 0;
    eqlite::Stream check(m.query, [&](const eqlite::StreamResult&) { ++results; });
    std::string line;
    for (std::size_t j = 0; j < docs.size(); ++j) {
      docs[j].set("@timestamp", iso_ms(1'772'323'200'000 + static_cast<std::int64_t>(j)));
      line.clear();
      docs[j].write(line);
      line.pop_back();  // the newline
      (void)check.push(line);
    }
    check.finish();
    if (results == 0) return {};
    return docs;
  }

  EcsGenerator gen_;
  Rng rng_;
  std::vector<Host> hosts_;
  std::map<std::string, std::vector<std::size_t>> by_os_;
  std::vector<SeqModel> models_;
  std::vector<std::size_t> fireable_;
  EcsStreamInfo info_;
};

}  // namespace

const std::vector<CorpusRule>& corpus_rules() {
  static const std::vector<CorpusRule> r = load_rules();
  return r;
}

std::vector<const CorpusRule*> first_rules(std::size_t n) {
  const auto& all = corpus_rules();
  if (n == 0 || n > all.size()) n = all.size();
  std::vector<const CorpusRule*> out;
  for (std::size_t i = 0; i < n; ++i)
    out.push_back(&all[i]);
  return out;
}

std::vector<std::string> union_fields(const std::vector<const CorpusRule*>& rules) {
  std::vector<std::string> out;
  for (const auto* r : rules)
    out.insert(out.end(), r->query.fields().begin(), r->query.fields().end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

const std::string& ecs_ndjson() {
  static const std::string d = [] {
    std::string out;
    if (corpus_rules().empty()) return out;
    EcsGenerator gen(7);
    out.reserve(scale().ecs_events * 1400);
    for (std::size_t i = 0; i < scale().ecs_events; ++i)
      gen.event(out, i);
    return out;
  }();
  return d;
}

const std::vector<std::string_view>& ecs_lines() {
  static const std::vector<std::string_view> l = split_lines(ecs_ndjson());
  return l;
}

std::vector<std::string_view> ecs_lines_for(std::size_t rules, std::size_t cap) {
  const auto& all = ecs_lines();
  std::size_t n =
      std::max<std::size_t>(1000, scale().rule_evaluations / std::max<std::size_t>(rules, 1));
  n = std::min({n, cap, all.size()});
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::vector<std::string_view> ecs_bound_lines(std::size_t rules) {
  const auto& all = ecs_lines();
  std::size_t n = std::max<std::size_t>(200, scale().bound_pairs / std::max<std::size_t>(rules, 1));
  n = std::min({n, scale().bound_events, all.size()});
  return {all.begin(), all.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::size_t bytes_of(const std::vector<std::string_view>& lines) {
  std::size_t bytes = 0;
  for (auto l : lines)
    bytes += l.size() + 1;
  return bytes;
}

const std::vector<CorpusText>& corpus_all_rules() {
  static const std::vector<CorpusText> r = load_all_rules();
  return r;
}

namespace {

struct StreamData {
  std::string ndjson;
  std::vector<std::string_view> lines;
  EcsStreamInfo info;
};

const StreamData& stream_data() {
  static const StreamData d = [] {
    StreamData out;
    if (corpus_rules().empty()) return out;
    StreamGenerator gen(11, kEcsStreamHosts);
    out.ndjson.reserve(kEcsStreamEvents * 1300);
    gen.generate(kEcsStreamEvents, out.ndjson);
    out.info = gen.info();
    out.lines = split_lines(out.ndjson);
    return out;
  }();
  return d;
}

}  // namespace

const std::string& ecs_stream_ndjson() {
  return stream_data().ndjson;
}

const std::vector<std::string_view>& ecs_stream_lines() {
  return stream_data().lines;
}

const EcsStreamInfo& ecs_stream_info() {
  return stream_data().info;
}

}  // namespace bench
