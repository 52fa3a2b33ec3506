// parser/ast.cpp — AST helpers: the S-expression dump (golden-test format) and the EQL printer
// (used for the print -> re-parse round trip).
#include <cmath>
#include <cstdio>
#include <string>

#include "parser/ast.hpp"

namespace eqlite::ast {

Box::Box(Expr e) : p_(std::make_unique<Expr>(std::move(e))) {}
Box::~Box() = default;

const char* to_string(CompareOp op) noexcept {
  switch (op) {
    case CompareOp::Eq:
      return "==";
    case CompareOp::Ne:
      return "!=";
    case CompareOp::Lt:
      return "<";
    case CompareOp::Le:
      return "<=";
    case CompareOp::Gt:
      return ">";
    case CompareOp::Ge:
      return ">=";
  }
  return "?";
}

const char* to_string(ArithOp op) noexcept {
  switch (op) {
    case ArithOp::Add:
      return "+";
    case ArithOp::Sub:
      return "-";
    case ArithOp::Mul:
      return "*";
    case ArithOp::Div:
      return "/";
    case ArithOp::Mod:
      return "%";
  }
  return "?";
}

const char* to_string(MatchKind kind) noexcept {
  switch (kind) {
    case MatchKind::In:
      return "in";
    case MatchKind::InCi:
      return "in~";
    case MatchKind::Seq:
      return ":";
    case MatchKind::Like:
      return "like";
    case MatchKind::LikeCi:
      return "like~";
    case MatchKind::Regex:
      return "regex";
    case MatchKind::RegexCi:
      return "regex~";
  }
  return "?";
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "\\u{%02x}", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

namespace {

std::string number_text(double d) {
  if (std::isinf(d)) return d > 0 ? "1e999" : "-1e999";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", d);
  std::string s(buf);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

// A field path as EQL: each segment bare when it is a plain identifier, else backticked.
std::string field_text(const Field& f) {
  std::string out = f.optional ? "?" : "";
  std::size_t start = 0;
  bool first = true;
  while (start <= f.path.size()) {
    std::size_t dot = f.path.find('.', start);
    std::string seg =
        f.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!first) out += '.';
    bool plain = !seg.empty() && (std::isalpha(static_cast<unsigned char>(seg[0])) ||
                                  seg[0] == '_' || (seg[0] == '@' && first));
    for (std::size_t i = 1; plain && i < seg.size(); ++i)
      plain = std::isalnum(static_cast<unsigned char>(seg[i])) || seg[i] == '_';
    static constexpr const char* kReserved[] = {
        "and", "any", "by",    "false",  "in",       "join", "like",  "maxspan", "not", "null",
        "of",  "or",  "regex", "sample", "sequence", "true", "until", "where",   "with"};
    if (plain && first)
      for (const char* k : kReserved)
        plain = plain && seg != k;
    if (plain) {
      out += seg;
    } else {
      out += '`';
      for (char c : seg)
        out += c == '`' ? std::string("``") : std::string(1, c);
      out += '`';
    }
    first = false;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return out;
}

struct Printer {
  bool eql;  // false: S-expression; true: EQL text
  std::string out;

  void literal(const Literal& l) {
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, Null>) {
            out += eql ? "null" : "(null)";
          } else if constexpr (std::is_same_v<T, bool>) {
            out += eql ? (v ? "true" : "false") : (v ? "(bool true)" : "(bool false)");
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            if (eql) {
              // negative values cannot come from the parser (no sign in literals, P4), but may
              // come from constant folding in tests: print them as a unary minus.
              if (v < 0) {
                out += "(-" +
                       std::to_string(static_cast<unsigned long long>(0) -
                                      static_cast<unsigned long long>(v)) +
                       ")";
              } else {
                out += std::to_string(v);
              }
            } else {
              out += "(int " + std::to_string(v) + ")";
            }
          } else if constexpr (std::is_same_v<T, double>) {
            if (eql && v < 0)
              out += "(-" + number_text(-v) + ")";
            else
              out += eql ? number_text(v) : "(double " + number_text(v) + ")";
          } else {
            out += eql ? quote(v) : "(string " + quote(v) + ")";
          }
        },
        l);
  }

  void list(const std::vector<Expr>& v, const char* sep) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out += sep;
      expr(v[i]);
    }
  }

  void expr(const Expr& e) {
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, Literal>) {
            literal(n);
          } else if constexpr (std::is_same_v<T, Field>) {
            out += eql ? field_text(n) : "(field " + field_text(n) + ")";
          } else if constexpr (std::is_same_v<T, Not>) {
            out += eql ? "(not " : "(not ";
            expr(*n.operand);
            out += ")";
          } else if constexpr (std::is_same_v<T, Neg>) {
            out += eql ? "(-" : "(neg ";
            expr(*n.operand);
            out += ")";
          } else if constexpr (std::is_same_v<T, Logical>) {
            const char* op = n.op == LogicalOp::And ? "and" : "or";
            out += '(';
            if (!eql) {
              out += op;
              out += ' ';
            }
            list(n.operands, eql ? (n.op == LogicalOp::And ? " and " : " or ") : " ");
            out += ')';
          } else if constexpr (std::is_same_v<T, Compare> || std::is_same_v<T, Arith>) {
            out += '(';
            if (eql) {
              expr(*n.lhs);
              out += ' ';
              out += to_string(n.op);
              out += ' ';
              expr(*n.rhs);
            } else {
              out += to_string(n.op);
              out += ' ';
              expr(*n.lhs);
              out += ' ';
              expr(*n.rhs);
            }
            out += ')';
          } else if constexpr (std::is_same_v<T, Match>) {
            out += '(';
            if (eql) {
              expr(*n.lhs);
              out += n.negated ? " not " : " ";
              out += to_string(n.kind);
              out += " (";
              list(n.values, ", ");
              out += ")";
            } else {
              out += n.negated ? "not " : "";
              out += to_string(n.kind);
              out += ' ';
              expr(*n.lhs);
              out += ' ';
              list(n.values, " ");
            }
            out += ')';
          } else if constexpr (std::is_same_v<T, Call>) {
            if (eql) {
              out += n.name + (n.insensitive ? "~(" : "(");
              list(n.args, ", ");
              out += ')';
            } else {
              out += "(call " + n.name + (n.insensitive ? "~" : "");
              for (const auto& a : n.args) {
                out += ' ';
                expr(a);
              }
              out += ')';
            }
          }
        },
        e.node);
  }

  void pipes(const Query& q) {
    for (const auto& p : q.pipes) {
      if (eql) {
        out += " | " + p.name;
        if (!p.args.empty()) out += ' ';
        list(p.args, ", ");
      } else {
        out += " (pipe " + p.name;
        for (const auto& a : p.args) {
          out += ' ';
          expr(a);
        }
        out += ')';
      }
    }
  }

  void event_query(const Query& q) {
    if (eql) {
      out += q.any ? "any" : quote(q.category);
      out += " where ";
      expr(q.where);
    } else {
      out += "(query ";
      out += q.any ? "any" : quote(q.category);
      out += ' ';
      expr(q.where);
      out += ')';
    }
  }

  void keys(const std::vector<JoinKey>& ks) {
    if (ks.empty()) return;
    out += eql ? " by " : " (by";
    for (std::size_t i = 0; i < ks.size(); ++i) {
      if (eql && i) out += ", ";
      if (!eql) out += ' ';
      expr(Expr{ks[i].span, ks[i].field});
    }
    if (!eql) out += ')';
  }

  void stage(const Stage& st, const char* sexpr_head) {
    if (eql) {
      out += st.missing ? " ![" : " [";
      event_query(st.query);
      out += ']';
      keys(st.keys);
      if (st.runs != 1) out += " with runs=" + std::to_string(st.runs);
    } else {
      out += std::string(" (") + (st.missing ? "missing" : sexpr_head) + ' ';
      event_query(st.query);
      keys(st.keys);
      if (st.runs != 1) out += " (runs " + std::to_string(st.runs) + ')';
      out += ')';
    }
  }

  void query(const Query& q) {
    if (q.kind == Query::Kind::Event) {
      if (eql) {
        event_query(q);
        pipes(q);
      } else {
        // (query CATEGORY CONDITION PIPES...)
        event_query(q);
        out.pop_back();
        pipes(q);
        out += ')';
      }
      return;
    }
    const bool sample = q.kind == Query::Kind::Sample;
    out += eql ? (sample ? "sample" : "sequence") : (sample ? "(sample" : "(sequence");
    keys(q.keys);
    if (q.maxspan_ns)
      out += eql ? " with maxspan=" + q.maxspan_text : " (maxspan " + q.maxspan_text + ')';
    for (const auto& st : q.stages)
      stage(st, "stage");
    for (const auto& st : q.until) {
      if (eql) {
        out += " until";
        stage(st, "until");
      } else {
        stage(st, "until");
      }
    }
    pipes(q);
    if (!eql) out += ')';
  }
};

}  // namespace

std::string to_sexpr(const Query& q) {
  Printer p{false, {}};
  p.query(q);
  return p.out;
}
std::string to_sexpr(const Expr& e) {
  Printer p{false, {}};
  p.expr(e);
  return p.out;
}
std::string to_eql(const Query& q) {
  Printer p{true, {}};
  p.query(q);
  return p.out;
}
std::string to_eql(const Expr& e) {
  Printer p{true, {}};
  p.expr(e);
  return p.out;
}

}  // namespace eqlite::ast
