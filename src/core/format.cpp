#include "core/format.h"

#include <cctype>

namespace mantissa {

uint64_t Format::max_finite_bits() const {
  if (kind == FormatKind::Ieee) return ((exp_field_max() - 1) << man_bits) | man_mask();
  // Finite kind: the all-ones pattern is NaN, so the largest finite value has
  // every exponent bit set and a mantissa one below all-ones (E4M3: 0x7e = 448).
  return (exp_field_max() << man_bits) | (man_mask() - 1);
}

uint64_t Format::inf_bits() const { return exp_field_max() << man_bits; }

uint64_t Format::quiet_nan_bits() const {
  if (kind == FormatKind::Finite) return (exp_field_max() << man_bits) | man_mask();
  return (exp_field_max() << man_bits) | (uint64_t{1} << (man_bits - 1));
}

namespace {

struct Alias {
  const char* name;
  const Format& (*make)();
};
const Alias kAliases[] = {
    {"fp64", fp64},     {"double", fp64},       {"float64", fp64},        {"fp32", fp32},
    {"float", fp32},    {"float32", fp32},      {"single", fp32},         {"tf32", tf32},
    {"fp16", fp16},     {"half", fp16},         {"float16", fp16},        {"bf16", bf16},
    {"bfloat16", bf16}, {"fp8-e5m2", fp8_e5m2}, {"e5m2", fp8_e5m2},       {"fp8-e4m3", fp8_e4m3},
    {"e4m3", fp8_e4m3}, {"e4m3fn", fp8_e4m3},   {"fp8-e4m3fn", fp8_e4m3},
};

Format make(const char* name, int e, int m, FormatKind k = FormatKind::Ieee) { return Format{name, e, m, k}; }

}  // namespace

const Format& fp64() {
  static const Format f = make("fp64", 11, 52);
  return f;
}
const Format& fp32() {
  static const Format f = make("fp32", 8, 23);
  return f;
}
const Format& tf32() {
  static const Format f = make("tf32", 8, 10);
  return f;
}
const Format& fp16() {
  static const Format f = make("fp16", 5, 10);
  return f;
}
const Format& bf16() {
  static const Format f = make("bf16", 8, 7);
  return f;
}
const Format& fp8_e5m2() {
  static const Format f = make("fp8-e5m2", 5, 2);
  return f;
}
const Format& fp8_e4m3() {
  static const Format f = make("fp8-e4m3", 4, 3, FormatKind::Finite);
  return f;
}

const std::vector<Format>& standard_formats() {
  static const std::vector<Format> all = {fp64(), fp32(), tf32(), fp16(), bf16(), fp8_e5m2(), fp8_e4m3()};
  return all;
}

std::string format_name(int exp_bits, int man_bits, FormatKind kind) {
  for (const Format& f : standard_formats()) {
    if (f.exp_bits == exp_bits && f.man_bits == man_bits && f.kind == kind) return f.name;
  }
  std::string name = "e" + std::to_string(exp_bits) + "m" + std::to_string(man_bits);
  if (kind == FormatKind::Finite) return name + "fn";
  // "e4m3" is the alias of OCP fp8-e4m3 (the finite kind): the IEEE-like
  // format of the same sizes needs its own name.
  for (const Alias& a : kAliases) {
    if (name == a.name && a.make().kind != kind) return name + "ieee";
  }
  return name;
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Reads a run of 1-2 decimal digits at s[*pos]; false when there is none.
bool read_small_int(const std::string& s, size_t* pos, int* out) {
  size_t start = *pos;
  int v = 0;
  if (*pos < s.size() && s[*pos] == '0') return false;  // no leading zeros: one spelling per format
  while (*pos < s.size() && *pos - start < 3 && std::isdigit(static_cast<unsigned char>(s[*pos]))) {
    v = v * 10 + (s[*pos] - '0');
    ++*pos;
  }
  if (*pos == start) return false;
  *out = v;
  return true;
}

}  // namespace

bool parse_format(std::string_view name, Format* out, std::string* error) {
  const std::string n = lower(name);
  for (const Alias& a : kAliases) {
    if (n == a.name) {
      *out = a.make();
      return true;
    }
  }
  // Custom eXmY / eXmYfn.
  size_t pos = 0;
  int e = 0, m = 0;
  bool ok = n.size() >= 4 && n[0] == 'e';
  pos = 1;
  ok = ok && read_small_int(n, &pos, &e) && pos < n.size() && n[pos] == 'm';
  ++pos;
  ok = ok && read_small_int(n, &pos, &m);
  FormatKind kind = FormatKind::Ieee;
  if (ok && pos < n.size()) {
    if (n.substr(pos) == "fn") {
      kind = FormatKind::Finite;
    } else if (n.substr(pos) != "ieee") {
      ok = false;
    }
  }
  if (!ok) {
    if (error) {
      std::string shown(name.substr(0, 40));
      *error = "unknown format '" + shown + (name.size() > 40 ? "...'" : "'") +
               " (expected fp64, fp32, tf32, fp16, bf16, fp8-e5m2, fp8-e4m3, or eXmY / eXmYfn)";
    }
    return false;
  }
  if (e < 2 || e > 11 || m < 1 || m > 52 || e + m > 63) {
    if (error) {
      *error =
          "format '" + n +
          "' is out of range (need 2 <= exponent bits <= 11, 1 <= mantissa bits <= 52, and their sum <= 63)";
    }
    return false;
  }
  *out = Format{format_name(e, m, kind), e, m, kind};
  return true;
}

}  // namespace mantissa
