// `--tensors REGEX`: which tensors to measure, by name.
//
// Not std::regex: in the wasm build (no exceptions) a bad pattern aborts the
// module, and libstdc++'s backtracking matcher recurses once per character,
// so a hostile pattern or a long name can exhaust the stack. This is a small
// regular-expression matcher with ECMAScript's syntax for the common subset
// (literals, `.`, classes `[a-z_]` `[^...]`, `\d \w \s \D \W \S`, escapes,
// groups `( )` `(?: )`, `|`, `* + ?`, anchors `^ $`), compiled to an NFA and
// run by simulation (Thompson / Pike): time O(name × pattern), no recursion
// while matching, no backtracking. Patterns are capped at kMaxPatternLength
// bytes and kMaxPatternNesting levels of groups; anything outside the subset
// (counted repeats `{m,n}`, back-references, look-arounds, lazy `*?`) is
// refused with a sentence. search() matches anywhere in the name, as
// std::regex_search does.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mantissa::tensors {

inline constexpr size_t kMaxPatternLength = 256;
inline constexpr int kMaxPatternNesting = 16;

class NamePattern {
 public:
  // False with *error (one sentence) when the pattern is not accepted.
  static bool compile(std::string_view pattern, NamePattern* out, std::string* error);
  bool search(std::string_view name) const;

  struct Inst {
    enum Op { Char, Any, Class, Split, Jump, Bol, Eol, Match } op;
    unsigned char c = 0;
    int x = 0, y = 0;  // Split: both targets; Jump: x; Class: index into classes_
  };

 private:
  std::vector<Inst> code_;
  std::vector<std::vector<bool>> classes_;  // 256 entries each
  friend class PatternCompiler;
};

}  // namespace mantissa::tensors
