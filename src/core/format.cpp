#include "core/format.h"

#include <cctype>

namespace mantissa {

uint64_t Format::max_finite_bits() const {
  if (kind == FormatKind::Ieee) return ((exp_field_max() - 1) << man_bits) | man_mask();
  if (kind == FormatKind::NoSpecials)
    return (exp_field_max() << man_bits) | man_mask();        // every code a number
  if (kind == FormatKind::Scale) return exp_field_max() - 1;  // 0xfe = 2^127
  if (kind == FormatKind::Int) return (sign_mask() - 1);      // 0x7f = 127/64
  // Finite kind: the all-ones pattern is NaN, so the largest finite value has
  // every exponent bit set and a mantissa one below all-ones (E4M3: 0x7e = 448).
  return (exp_field_max() << man_bits) | (man_mask() - 1);
}

uint64_t Format::inf_bits() const { return exp_field_max() << man_bits; }

uint64_t Format::quiet_nan_bits() const {
  // No NaN code: callers check has_nan() first; 0 keeps the result in range.
  if (kind == FormatKind::NoSpecials || kind == FormatKind::Int) return 0;
  if (kind == FormatKind::Scale) return exp_field_max();  // 0xff
  if (kind == FormatKind::Finite) return (exp_field_max() << man_bits) | man_mask();
  return (exp_field_max() << man_bits) | (uint64_t{1} << (man_bits - 1));
}

namespace {

struct Alias {
  const char* name;
  const Format& (*make)();
};
const Alias kAliases[] = {
    {"fp64", fp64},
    {"double", fp64},
    {"float64", fp64},
    {"fp32", fp32},
    {"float", fp32},
    {"float32", fp32},
    {"single", fp32},
    {"tf32", tf32},
    {"fp16", fp16},
    {"half", fp16},
    {"float16", fp16},
    {"bf16", bf16},
    {"bfloat16", bf16},
    {"fp8-e5m2", fp8_e5m2},
    {"e5m2", fp8_e5m2},
    {"fp8-e4m3", fp8_e4m3},
    {"e4m3", fp8_e4m3},
    {"e4m3fn", fp8_e4m3},
    {"fp8-e4m3fn", fp8_e4m3},
    // OCP MX v1.0 FP6/FP4 elements. The bare "e2m1", "e2m3", "e3m2" keep
    // naming the IEEE-like custom formats they always named (old links and
    // scenarios); the OCP ones are "fp4-e2m1" or "e2m1ns".
    {"fp6-e2m3", fp6_e2m3},
    {"fp6-e3m2", fp6_e3m2},
    {"fp4-e2m1", fp4_e2m1},
    {"fp4", fp4_e2m1},
};

// Not floating-point formats: only parse_any_format returns them.
const Alias kNonFloatAliases[] = {
    {"e8m0", e8m0}, {"fp8-e8m0", e8m0}, {"e8m0fnu", e8m0}, {"int8-mx", int8_mx}, {"mxint8-element", int8_mx},
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

const Format& fp6_e2m3() {
  static const Format f = make("fp6-e2m3", 2, 3, FormatKind::NoSpecials);
  return f;
}
const Format& fp6_e3m2() {
  static const Format f = make("fp6-e3m2", 3, 2, FormatKind::NoSpecials);
  return f;
}
const Format& fp4_e2m1() {
  static const Format f = make("fp4-e2m1", 2, 1, FormatKind::NoSpecials);
  return f;
}
const Format& int8_mx() {
  // 8-bit two's complement with 6 fraction bits: the MX spec's "implicit
  // scale 2^-6" (section 5.3.4), so the top magnitude binade is 2^0 (emax 0).
  static const Format f = make("int8-mx", 0, 6, FormatKind::Int);
  return f;
}
const Format& e8m0() {
  static const Format f = make("e8m0", 8, 0, FormatKind::Scale);
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
  for (const Format* f : {&fp6_e2m3(), &fp6_e3m2(), &fp4_e2m1(), &int8_mx(), &e8m0()}) {
    if (f->exp_bits == exp_bits && f->man_bits == man_bits && f->kind == kind) return f->name;
  }
  std::string name = "e" + std::to_string(exp_bits) + "m" + std::to_string(man_bits);
  if (kind == FormatKind::Finite) return name + "fn";
  if (kind == FormatKind::NoSpecials) return name + "ns";
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
  for (const Alias& a : kNonFloatAliases) {
    if (n == a.name) {
      if (error) {
        *error = "'" + n + "' is not a floating-point format (" +
                 (a.make().kind == FormatKind::Scale ? "it is the MX power-of-two scale"
                                                     : "it is the MXINT8 fixed-point element") +
                 "): convert, quantize, explain, the Inspector and the landscape accept it";
      }
      return false;
    }
  }
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
    } else if (n.substr(pos) == "ns") {
      kind = FormatKind::NoSpecials;
    } else if (n.substr(pos) != "ieee") {
      ok = false;
    }
  }
  if (!ok) {
    if (error) {
      std::string shown(name.substr(0, 40));
      *error =
          "unknown format '" + shown + (name.size() > 40 ? "...'" : "'") +
          " (expected fp64, fp32, tf32, fp16, bf16, fp8-e5m2, fp8-e4m3, fp6-e2m3, fp6-e3m2, fp4-e2m1, or "
          "eXmY / eXmYfn / eXmYns)";
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

bool parse_any_format(std::string_view name, Format* out, std::string* error) {
  const std::string n = lower(name);
  for (const Alias& a : kNonFloatAliases) {
    if (n == a.name) {
      *out = a.make();
      return true;
    }
  }
  if (parse_format(name, out, error)) return true;
  if (error && error->rfind("unknown format", 0) == 0) error->insert(error->size() - 1, ", e8m0, int8-mx");
  return false;
}

}  // namespace mantissa
