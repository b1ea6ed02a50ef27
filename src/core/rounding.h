// The one rounding core. Every conversion, every traced operation and the
// simulator end here: an exact value (sign, an integer significand, a power
// of two and a "sticky" flag for non-zero bits lost below the significand)
// is rounded into a format under a rounding mode.
//
// Callers that start from a decimal, a bit pattern or an exact sum all reduce
// their value to an `Unrounded` first; the mode logic exists once, here.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/format.h"

namespace mantissa {

enum class RoundingMode {
  NearestEven,  // rne: ties to even (IEEE default)
  NearestAway,  // rna: ties away from zero
  TowardZero,   // rtz
  Up,           // toward +inf
  Down,         // toward -inf
  Odd,          // round to odd: inexact results get an odd last bit
  Stochastic,   // up with probability = fractional distance (see stochastic.h)
};

const char* rounding_mode_name(RoundingMode m);   // "rne", "rna", ...
const char* rounding_mode_words(RoundingMode m);  // "round to nearest, ties to even", ...
bool parse_rounding_mode(std::string_view name, RoundingMode* out, std::string* error);

struct RoundingOptions {
  RoundingMode mode = RoundingMode::NearestEven;
  uint64_t seed = 0;      // stochastic only
  uint64_t counter = 0;   // stochastic only: position in the random stream
  bool saturate = false;  // overflow clamps to +-max finite
  bool ftz = false;       // subnormal results flush to (signed) zero
};

// Magnitude of the result compared with the exact value.
enum class RoundDirection { Exact, Up, Down };       // Up = larger magnitude
const char* round_direction_name(RoundDirection d);  // "exact", "up", "down"

// What happened, for display: the bits past the precision and the decision.
struct RoundInfo {
  bool guard = false;   // first bit past the last kept bit
  bool round = false;   // second bit past it
  bool sticky = false;  // OR of every bit after that
  RoundDirection direction = RoundDirection::Exact;
  bool inexact = false;
  bool overflow = false;   // the rounded magnitude exceeded max finite
  bool underflow = false;  // tiny (below min normal) and inexact, or flushed
  bool flushed = false;    // --ftz turned a subnormal result into zero
  bool saturated = false;  // clamped to max finite
  // The value has no encoding at all: NaN into a format without NaN (fp4,
  // int8-mx), or zero or a negative into e8m0. The bits are the format's
  // NaN when it has one, else 0; callers must report instead of using them.
  bool invalid = false;
  int kept_exp = 0;  // exponent (of 2) of the last kept bit before rounding
};

struct Rounded {
  uint64_t bits = 0;
  RoundInfo info;
};

// A finite non-NaN value: (-1)^negative * significand * 2^exp2, plus
// `sticky` when some non-zero bits lie below the significand's last bit
// (so the true value is strictly between significand*2^exp2 and
// (significand+1)*2^exp2). significand == 0 && !sticky is a zero.
struct Unrounded {
  bool negative = false;
  uint64_t significand = 0;
  int exp2 = 0;
  bool sticky = false;
};

// Rounds an exact finite value into `f`. Exact when sticky is false.
// Overflow: Ieee gives inf and Finite gives NaN (both max finite with
// `saturate` or in a mode that rounds toward zero). A format without inf and
// NaN (NoSpecials, Int) has nothing to overflow to: it always clamps to
// +-max, as the OCP MX spec's conversion to FP6/FP4 does (section 5.3.3).
// Int clamps symmetrically to +-127/64: -128/64 is never produced (see
// README "Block formats"). E8M0 rounds to a power of two; below 2^-127 it
// gives 2^-127 (it has no zero), zero and negatives are invalid.
Rounded round_unrounded(const Format& f, const Unrounded& v, const RoundingOptions& opt);

// Special values in a format.
uint64_t make_inf(const Format& f, bool negative);            // Finite kind and e8m0: NaN; no NaN: max
uint64_t make_nan(const Format& f, bool negative);            // canonical quiet NaN (0 when there is none)
uint64_t max_magnitude_bits(const Format& f, bool negative);  // +-max finite
uint64_t make_zero(const Format& f, bool negative);           // Int: 0 (one zero); e8m0 has none: NaN

// What NaN (is_nan) or an infinity becomes in `to`: NaN stays NaN (invalid
// where there is no NaN code); inf is inf, else NaN, else +-max with
// `saturate` or where the format has no NaN (OCP FP6/FP4, INT8); e8m0 has no
// sign, so -inf is invalid there.
Rounded special_into(const Format& to, bool is_nan, bool negative, const RoundingOptions& opt);

// A double is an exact value: round it into f. NaN -> quiet NaN (sign and top
// payload bits kept), inf -> inf (Finite kind: NaN, or max finite if saturate).
Rounded round_double(const Format& f, double x, const RoundingOptions& opt = {});

// The exact sum a + b of two doubles rounded once into f, in any mode: no
// double rounding through fp64. (IEEE zero-sum sign rules apply: x + (-x) is
// +0, or -0 when rounding down.) NaN and inf propagate; inf - inf is NaN.
Rounded round_sum(const Format& f, double a, double b, const RoundingOptions& opt = {});

// Converts a bit pattern of `from` into `to`. NaNs keep their sign, get the
// quiet bit set and keep the top bits of their payload (x86 F16C behaviour);
// in a Finite-kind target every NaN becomes the single NaN pattern.
Rounded convert_bits(const Format& from, uint64_t bits, const Format& to, const RoundingOptions& opt = {});

// The value of a bit pattern as a double when it is exactly representable
// (every format with exp_bits <= 11 and man_bits <= 52 is).
double to_double(const Format& f, uint64_t bits);

}  // namespace mantissa
