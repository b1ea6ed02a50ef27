// Binary floating-point formats: the descriptor every other part of
// Mantissa is parameterised by.
//
// A format is sign + `exp_bits` exponent bits + `man_bits` stored mantissa
// (fraction) bits, with an implicit leading 1 for normal numbers. Two kinds:
//  - Ieee:   the top exponent field encodes inf (mantissa 0) and NaN.
//  - Finite: the OCP FP8 E4M3FN scheme: no infinities; only the pattern with
//            every exponent and mantissa bit set is NaN, so the top binade
//            holds normal numbers (E4M3: max 1.75 * 2^8 = 448).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mantissa {

enum class FormatKind { Ieee, Finite };

struct Format {
  std::string name;  // canonical name: "fp16", "fp8-e4m3", "e6m9", "e3m4fn", ...
  int exp_bits = 0;  // 2..11
  int man_bits = 0;  // 1..52 (stored fraction bits)
  FormatKind kind = FormatKind::Ieee;

  int width() const { return 1 + exp_bits + man_bits; }
  int precision() const { return man_bits + 1; }  // significand bits incl. hidden bit
  int bias() const { return (1 << (exp_bits - 1)) - 1; }
  int emin() const { return 1 - bias(); }  // exponent of the smallest normal
  // Exponent of the largest finite binade. Ieee reserves the all-ones field.
  int emax() const { return (kind == FormatKind::Ieee ? (1 << exp_bits) - 2 : (1 << exp_bits) - 1) - bias(); }
  uint64_t exp_field_max() const { return (uint64_t{1} << exp_bits) - 1; }
  uint64_t man_mask() const { return (uint64_t{1} << man_bits) - 1; }
  uint64_t sign_mask() const { return uint64_t{1} << (exp_bits + man_bits); }
  uint64_t width_mask() const { return width() == 64 ? ~uint64_t{0} : (uint64_t{1} << width()) - 1; }
  bool has_inf() const { return kind == FormatKind::Ieee; }

  // Bit patterns of landmark values (positive sign).
  uint64_t max_finite_bits() const;
  uint64_t inf_bits() const;        // Ieee only
  uint64_t quiet_nan_bits() const;  // the canonical NaN this format produces
  uint64_t min_normal_bits() const { return uint64_t{1} << man_bits; }

  bool operator==(const Format& o) const {
    return exp_bits == o.exp_bits && man_bits == o.man_bits && kind == o.kind;
  }
  bool operator!=(const Format& o) const { return !(*this == o); }
};

// Named formats (static instances: cheap to call on hot paths).
const Format& fp64();
const Format& fp32();
const Format& tf32();
const Format& fp16();
const Format& bf16();
const Format& fp8_e5m2();
const Format& fp8_e4m3();

// The standard formats in display order (fp64 .. fp8-e4m3).
const std::vector<Format>& standard_formats();

// Parses a canonical name, an alias (double, float, half, bfloat16, e4m3,
// e5m2) or a custom "eXmY" / "eXmYfn". Returns false and sets *error to a
// sentence naming the problem when the name is not a format.
bool parse_format(std::string_view name, Format* out, std::string* error);

// Canonical name for exponent/mantissa sizes: standard name if one exists,
// otherwise "eXmY" or "eXmYfn" ("e4m3ieee" for the IEEE-like e4m3, since
// "e4m3" names OCP fp8-e4m3). parse_format accepts the "ieee" suffix too.
std::string format_name(int exp_bits, int man_bits, FormatKind kind);

}  // namespace mantissa
