// What a bit pattern means: its fields, its class and its exact value.
#pragma once
#include <cstdint>
#include <string>

#include "core/decimal.h"
#include "core/format.h"
#include "core/rounding.h"

namespace mantissa {

enum class FloatClass { Zero, Subnormal, Normal, Infinity, NaN };
const char* float_class_name(FloatClass c);  // "zero", "subnormal", "normal", "inf", "nan"

struct Decoded {
  bool negative = false;
  uint64_t exponent_field = 0;
  uint64_t mantissa_field = 0;
  FloatClass cls = FloatClass::Zero;
  int exponent = 0;          // unbiased exponent (emin for zeros and subnormals)
  uint64_t significand = 0;  // with the hidden bit (0 for subnormals and zeros)
  int exp2 = 0;              // finite value = (-1)^negative * significand * 2^exp2
};

Decoded decode(const Format& f, uint64_t bits);

// A value that may be infinite or NaN; finite values are exact decimals.
struct ExactValue {
  enum class Kind { Finite, Infinity, NaN };
  Kind kind = Kind::Finite;
  bool negative = false;  // also carries the sign of zero, inf and NaN
  Decimal value;          // finite only

  bool is_finite() const { return kind == Kind::Finite; }
  bool is_zero() const { return kind == Kind::Finite && value.is_zero(); }
  static ExactValue finite(const Decimal& d, bool negative_zero = false);
  static ExactValue infinity(bool negative);
  static ExactValue nan(bool negative = false);
  // Plain exact notation: "1.125", "-0", "inf", "-inf", "nan".
  std::string to_string() const;
};

ExactValue exact_value(const Format& f, uint64_t bits);

// Bit strings for display.
std::string binary_fields(const Format& f, uint64_t bits);       // "0 01111 0001111100"
std::string hex_bits(const Format& f, uint64_t bits);            // "0x3c7c", zero-padded to the width
std::string hex_float(const Format& f, uint64_t bits);           // "0x1.1fp+0", "-0x0p+0", "inf", "nan"
std::string integer_times_pow2(const Format& f, uint64_t bits);  // "287 × 2^-8" (odd integer), "0"

// Neighbours in the format (IEEE nextUp / nextDown). NaN stays NaN;
// nextUp(max finite) is inf (Finite kind: stays max finite, none above).
uint64_t next_up(const Format& f, uint64_t bits);
uint64_t next_down(const Format& f, uint64_t bits);
bool has_next_up(const Format& f, uint64_t bits);  // false at +inf, NaN, or top of a Finite-kind format
bool has_next_down(const Format& f, uint64_t bits);

// Spacing of the format at a finite value: 2^(max(e, emin) - man_bits).
Decimal ulp_of(const Format& f, uint64_t bits);
int ulp_exponent(const Format& f, uint64_t bits);

// Landmarks (positive), as bit patterns.
uint64_t min_subnormal_bits(const Format& f);
uint64_t one_bits(const Format& f);

}  // namespace mantissa

namespace mantissa {

// Rounds an exact value (decimal of any length, inf, nan) into `f`: the path
// every typed-in number and every exact arithmetic result takes.
Rounded round_exact(const Format& f, const ExactValue& v, const RoundingOptions& opt);

// The value's first `nbits` significant bits as "1.0001…×2^E" ("…" when more
// non-zero bits follow), "0", "inf", "nan".
std::string binary_expansion(const ExactValue& v, int nbits = 80);

}  // namespace mantissa
