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
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
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
    if (!compiled || !compiled->pipes().empty()) continue;  // sequences, samples, pipes
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

  void event(std::string& out, std::size_t i) {
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
    doc.write(out);
  }

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

}  // namespace bench
