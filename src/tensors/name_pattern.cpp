#include "tensors/name_pattern.h"

#include <cstdint>

namespace mantissa::tensors {

using Inst = NamePattern::Inst;

// Recursive descent over the pattern (depth bounded by kMaxPatternNesting),
// building a syntax tree, then Thompson's construction into code_.
class PatternCompiler {
 public:
  PatternCompiler(std::string_view p, NamePattern* out) : p_(p), out_(out) {}

  bool compile(std::string* error) {
    int root = -1;
    if (!alternation(0, &root)) return *error = error_, false;
    if (i_ < p_.size()) return *error = "unbalanced ')' at byte " + std::to_string(i_ + 1), false;
    emit(root);
    out_->code_.push_back({Inst::Match});
    return true;
  }

 private:
  struct Node {
    enum Kind { Lit, Any, Cls, Bol, Eol, Cat, Alt, Star, Plus, Quest } kind;
    int value = 0;          // Lit: the byte; Cls: class index
    std::vector<int> kids = {};  // Cat, Alt: in order; repeats: one
  };

  bool fail(const std::string& why) {
    error_ = why;
    return false;
  }
  int add(Node n) {
    nodes_.push_back(std::move(n));
    return static_cast<int>(nodes_.size()) - 1;
  }
  bool at(char c) const { return i_ < p_.size() && p_[i_] == c; }

  bool alternation(int depth, int* node) {
    Node alt{Node::Alt};
    for (;;) {
      int branch = -1;
      if (!concatenation(depth, &branch)) return false;
      alt.kids.push_back(branch);
      if (!at('|')) break;
      ++i_;
    }
    *node = alt.kids.size() == 1 ? alt.kids[0] : add(std::move(alt));
    return true;
  }

  bool concatenation(int depth, int* node) {
    Node cat{Node::Cat};
    while (i_ < p_.size() && !at('|') && !at(')')) {
      int atom_node = -1;
      if (!atom(depth, &atom_node)) return false;
      if (i_ < p_.size() && (at('*') || at('+') || at('?'))) {
        const char q = p_[i_++];
        if (nodes_[atom_node].kind == Node::Bol || nodes_[atom_node].kind == Node::Eol)
          return fail("nothing to repeat before '" + std::string(1, q) + "'");
        atom_node = add({q == '*' ? Node::Star : q == '+' ? Node::Plus : Node::Quest, 0, {atom_node}});
        if (at('?')) return fail("lazy repetition ('" + std::string(1, q) + "?') is not supported");
        if (at('*') || at('+')) return fail("nothing to repeat before '" + std::string(1, p_[i_]) + "'");
        if (at('{')) return fail("counted repetition {m,n} is not supported");
      }
      cat.kids.push_back(atom_node);
    }
    *node = add(std::move(cat));
    return true;
  }

  bool atom(int depth, int* node) {
    const char c = p_[i_++];
    switch (c) {
      case '(': {
        if (depth + 1 > kMaxPatternNesting)
          return fail("groups nest deeper than " + std::to_string(kMaxPatternNesting) + " levels");
        if (at('?')) {
          if (p_.substr(i_, 2) != "?:") return fail("look-arounds and named groups are not supported");
          i_ += 2;
        }
        if (!alternation(depth + 1, node)) return false;
        if (!at(')')) return fail("a '(' is not closed");
        ++i_;
        return true;
      }
      case ')': return fail("unbalanced ')'");
      case '*': case '+': case '?': return fail(std::string("nothing to repeat before '") + c + "'");
      case '{': return fail("counted repetition {m,n} is not supported");
      case '.': return *node = add({Node::Any}), true;
      case '^': return *node = add({Node::Bol}), true;
      case '$': return *node = add({Node::Eol}), true;
      case '[': return bracket(node);
      case '\\': {
        std::vector<bool> set;
        int byte = -1;
        if (!escape(&set, &byte)) return false;
        if (byte >= 0) return *node = add({Node::Lit, byte}), true;
        out_->classes_.push_back(std::move(set));
        return *node = add({Node::Cls, static_cast<int>(out_->classes_.size()) - 1}), true;
      }
      default: return *node = add({Node::Lit, static_cast<unsigned char>(c)}), true;
    }
  }

  // After a backslash: a class escape fills *set, a character escape sets *byte.
  bool escape(std::vector<bool>* set, int* byte) {
    if (i_ >= p_.size()) return fail("the pattern ends with a lone '\\'");
    const char e = p_[i_++];
    const auto fill = [&](bool (*in)(unsigned char), bool negate) {
      set->assign(256, false);
      for (int b = 0; b < 256; ++b) (*set)[b] = in(static_cast<unsigned char>(b)) != negate;
      return true;
    };
    static constexpr auto digit = [](unsigned char b) { return b >= '0' && b <= '9'; };
    static constexpr auto word = [](unsigned char b) {
      return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_';
    };
    static constexpr auto space = [](unsigned char b) { return b == ' ' || (b >= '\t' && b <= '\r'); };
    switch (e) {
      case 'd': return fill(digit, false);
      case 'D': return fill(digit, true);
      case 'w': return fill(word, false);
      case 'W': return fill(word, true);
      case 's': return fill(space, false);
      case 'S': return fill(space, true);
      case 'n': return *byte = '\n', true;
      case 't': return *byte = '\t', true;
      case 'r': return *byte = '\r', true;
      default: break;
    }
    if (e >= '0' && e <= '9') return fail("back-references (\\" + std::string(1, e) + ") are not supported");
    if (word(static_cast<unsigned char>(e)))
      return fail("the escape \\" + std::string(1, e) + " is not supported");
    *byte = static_cast<unsigned char>(e);  // an escaped punctuation byte stands for itself
    return true;
  }

  bool bracket(int* node) {
    std::vector<bool> set(256, false);
    bool negate = false;
    if (at('^')) negate = true, ++i_;
    for (;;) {
      if (i_ >= p_.size()) return fail("a '[' is not closed");
      if (at(']')) break;
      int lo = static_cast<unsigned char>(p_[i_++]);
      if (lo == '\\') {
        std::vector<bool> sub;
        int byte = -1;
        if (!escape(&sub, &byte)) return false;
        if (byte < 0) {
          for (int b = 0; b < 256; ++b) set[b] = set[b] || sub[b];
          continue;
        }
        lo = byte;
      }
      int hi = lo;
      if (at('-') && i_ + 1 < p_.size() && p_[i_ + 1] != ']') {
        ++i_;
        hi = static_cast<unsigned char>(p_[i_++]);
        if (hi == '\\') {
          std::vector<bool> sub;
          int byte = -1;
          if (!escape(&sub, &byte)) return false;
          if (byte < 0) return fail("a class escape cannot end a range");
          hi = byte;
        }
        if (hi < lo) return fail("a range in [...] runs backwards");
      }
      for (int b = lo; b <= hi; ++b) set[b] = true;
    }
    ++i_;  // ']'
    if (negate) set.flip();
    out_->classes_.push_back(std::move(set));
    *node = add({Node::Cls, static_cast<int>(out_->classes_.size()) - 1});
    return true;
  }

  int pc() const { return static_cast<int>(out_->code_.size()); }
  Inst& inst(int at) { return out_->code_[static_cast<size_t>(at)]; }

  // Thompson's construction. Depth: the tree's, bounded by the nesting cap.
  void emit(int id) {
    const Node n = nodes_[static_cast<size_t>(id)];
    auto& code = out_->code_;
    switch (n.kind) {
      case Node::Lit: code.push_back({Inst::Char, static_cast<unsigned char>(n.value)}); break;
      case Node::Any: code.push_back({Inst::Any}); break;
      case Node::Cls: code.push_back({Inst::Class, 0, n.value}); break;
      case Node::Bol: code.push_back({Inst::Bol}); break;
      case Node::Eol: code.push_back({Inst::Eol}); break;
      case Node::Cat:
        for (int k : n.kids) emit(k);
        break;
      case Node::Alt: {
        std::vector<int> jumps;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          if (k + 1 < n.kids.size()) {
            const int split = pc();
            code.push_back({Inst::Split, 0, split + 1, 0});
            emit(n.kids[k]);
            jumps.push_back(pc());
            code.push_back({Inst::Jump});
            inst(split).y = pc();
          } else {
            emit(n.kids[k]);
          }
        }
        for (int j : jumps) inst(j).x = pc();
        break;
      }
      case Node::Star: {
        const int split = pc();
        code.push_back({Inst::Split, 0, split + 1, 0});
        emit(n.kids[0]);
        code.push_back({Inst::Jump, 0, split});
        inst(split).y = pc();
        break;
      }
      case Node::Plus: {
        const int body = pc();
        emit(n.kids[0]);
        code.push_back({Inst::Split, 0, body, pc() + 1});
        break;
      }
      case Node::Quest: {
        const int split = pc();
        code.push_back({Inst::Split, 0, split + 1, 0});
        emit(n.kids[0]);
        inst(split).y = pc();
        break;
      }
    }
  }

  std::string_view p_;
  size_t i_ = 0;
  NamePattern* out_;
  std::vector<Node> nodes_;
  std::string error_;
};

bool NamePattern::compile(std::string_view pattern, NamePattern* out, std::string* error) {
  if (pattern.size() > kMaxPatternLength)
    return *error = "is longer than " + std::to_string(kMaxPatternLength) + " bytes", false;
  NamePattern p;
  if (!PatternCompiler(pattern, &p).compile(error)) return false;
  *out = std::move(p);
  return true;
}

// Pike's simulation: the set of NFA states alive after each byte, each
// state at most once per position (the marks), so loops whose body can
// match the empty string end. An explicit stack follows Split and Jump.
bool NamePattern::search(std::string_view s) const {
  const size_t n = code_.size();
  std::vector<int> cur, next, stack;
  std::vector<size_t> mark(n, SIZE_MAX);
  // Adds pc's closure at position pos to *list; true when it reaches Match.
  const auto add = [&](std::vector<int>* list, int start, size_t pos) {
    stack.push_back(start);
    while (!stack.empty()) {
      const int p = stack.back();
      stack.pop_back();
      if (mark[static_cast<size_t>(p)] == pos) continue;
      mark[static_cast<size_t>(p)] = pos;
      const Inst& i = code_[static_cast<size_t>(p)];
      switch (i.op) {
        case Inst::Jump: stack.push_back(i.x); break;
        case Inst::Split:
          stack.push_back(i.y);
          stack.push_back(i.x);
          break;
        case Inst::Bol:
          if (pos == 0) stack.push_back(p + 1);
          break;
        case Inst::Eol:
          if (pos == s.size()) stack.push_back(p + 1);
          break;
        case Inst::Match: stack.clear(); return true;
        default: list->push_back(p);
      }
    }
    return false;
  };
  for (size_t pos = 0;; ++pos) {
    if (add(&cur, 0, pos)) return true;  // a match may start at every position
    if (pos == s.size()) return false;
    const unsigned char c = static_cast<unsigned char>(s[pos]);
    next.clear();
    for (int p : cur) {
      const Inst& i = code_[static_cast<size_t>(p)];
      const bool step = (i.op == Inst::Char && i.c == c) || (i.op == Inst::Any && c != '\n') ||
                        (i.op == Inst::Class && classes_[static_cast<size_t>(i.x)][c]);
      if (step && add(&next, p + 1, pos + 1)) return true;
    }
    cur.swap(next);
  }
}

}  // namespace mantissa::tensors
