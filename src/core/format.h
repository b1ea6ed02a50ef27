// Binary floating-point formats: the descriptor every other part of
// Mantissa is parameterised by.
//
// A floating-point format is sign + `exp_bits` exponent bits + `man_bits`
// stored mantissa (fraction) bits, with an implicit leading 1 for normal
// numbers. Three floating-point kinds:
//  - Ieee:       the top exponent field encodes inf (mantissa 0) and NaN.
//  - Finite:     the OCP FP8 E4M3FN scheme: no infinities; only the pattern
//                with every exponent and mantissa bit set is NaN, so the top
//                binade holds normal numbers (E4M3: max 1.75 * 2^8 = 448).
//  - NoSpecials: OCP MX v1.0 FP6 and FP4 (spec section 5.3.3): no inf and no
//                NaN, every code is a number (E2M1: max 1.5 * 2^2 = 6).
// Two more kinds are not sign/exponent/mantissa floats, and only the faces
// that handle them accept them (parse_any_format): see below.
//  - Scale: OCP MX E8M0, the shared scale: 8 unsigned exponent bits and no
//           mantissa, value 2^(bits - 127); 0xff is NaN; no zero, no sign.
//  - Int:   OCP MX INT8 element: an 8-bit two's-complement integer times
//           2^-man_bits (man_bits = 6: -128/64 .. 127/64).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mantissa {

enum class FormatKind { Ieee, Finite, NoSpecials, Scale, Int };

struct Format {
  std::string name;  // canonical name: "fp16", "fp8-e4m3", "e6m9", "e3m4fn", "e2m1ns", ...
  int exp_bits = 0;  // 2..11 (Scale: 8, Int: 0)
  int man_bits = 0;  // 1..52 stored fraction bits (Scale: 0; Int: fraction bits of the integer)
  FormatKind kind = FormatKind::Ieee;

  // Sign + exponent + mantissa: the kinds every float routine handles.
  bool is_float() const { return kind != FormatKind::Scale && kind != FormatKind::Int; }
  int width() const {
    if (kind == FormatKind::Scale) return exp_bits;    // no sign bit
    if (kind == FormatKind::Int) return man_bits + 2;  // sign + integer bit + fraction
    return 1 + exp_bits + man_bits;
  }
  // Significand bits incl. the hidden bit (Int: magnitude bits, Scale: 1).
  int precision() const { return man_bits + 1; }
  int bias() const { return exp_bits == 0 ? 0 : (1 << (exp_bits - 1)) - 1; }
  // Exponent of the smallest normal. E8M0's field 0 is 2^-127, not a
  // subnormal; an Int's grid is 2^-man_bits everywhere, like one subnormal range.
  int emin() const {
    if (kind == FormatKind::Scale) return -bias();
    if (kind == FormatKind::Int) return 0;
    return 1 - bias();
  }
  // Exponent of the largest finite binade. Ieee reserves the all-ones field;
  // E8M0 reserves 0xff for NaN; an Int's magnitudes are below 2^1.
  int emax() const {
    if (kind == FormatKind::Int) return 0;
    if (kind == FormatKind::Scale) return (1 << exp_bits) - 2 - bias();
    return (kind == FormatKind::Ieee ? (1 << exp_bits) - 2 : (1 << exp_bits) - 1) - bias();
  }
  uint64_t exp_field_max() const { return (uint64_t{1} << exp_bits) - 1; }
  uint64_t man_mask() const { return (uint64_t{1} << man_bits) - 1; }
  uint64_t sign_mask() const {
    if (kind == FormatKind::Scale) return 0;  // unsigned
    return uint64_t{1} << (width() - 1);      // Int: the two's-complement sign bit
  }
  uint64_t width_mask() const { return width() == 64 ? ~uint64_t{0} : (uint64_t{1} << width()) - 1; }
  bool has_inf() const { return kind == FormatKind::Ieee; }
  bool has_nan() const {
    return kind == FormatKind::Ieee || kind == FormatKind::Finite || kind == FormatKind::Scale;
  }

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
// OCP MX v1.0 element and scale formats.
const Format& fp6_e2m3();  // max 7.5
const Format& fp6_e3m2();  // max 28
const Format& fp4_e2m1();  // max 6
const Format& int8_mx();   // MXINT8 element, -2 .. 127/64
const Format& e8m0();      // MX shared scale, 2^-127 .. 2^127

// The standard formats in display order (fp64 .. fp8-e4m3).
const std::vector<Format>& standard_formats();

// Parses a floating-point format: a canonical name, an alias (double, float,
// half, bfloat16, e4m3, e5m2, e2m1, ...) or a custom "eXmY" (IEEE-like),
// "eXmYfn" (E4M3FN-like: one NaN, no inf) or "eXmYns" (no specials: no inf,
// no NaN, like OCP FP6/FP4). Returns false and sets *error to a sentence
// naming the problem when the name is not a floating-point format (e8m0 and
// int8-mx are refused with a sentence saying where they are accepted).
bool parse_format(std::string_view name, Format* out, std::string* error);

// parse_format, plus the MX scale (e8m0) and integer element (int8-mx)
// formats: for the faces that handle every kind (convert, quantize).
bool parse_any_format(std::string_view name, Format* out, std::string* error);

// Canonical name for exponent/mantissa sizes: standard name if one exists,
// otherwise "eXmY", "eXmYfn" or "eXmYns" ("e4m3ieee" for the IEEE-like e4m3,
// since "e4m3" names OCP fp8-e4m3). parse_format accepts the "ieee" suffix too.
std::string format_name(int exp_bits, int man_bits, FormatKind kind);

}  // namespace mantissa
