#include "core/rounding.h"

#include <cmath>
#include <cstring>

#include "core/stochastic.h"

namespace mantissa {

const char* rounding_mode_name(RoundingMode m) {
  switch (m) {
    case RoundingMode::NearestEven:
      return "rne";
    case RoundingMode::NearestAway:
      return "rna";
    case RoundingMode::TowardZero:
      return "rtz";
    case RoundingMode::Up:
      return "up";
    case RoundingMode::Down:
      return "down";
    case RoundingMode::Odd:
      return "odd";
    case RoundingMode::Stochastic:
      return "stochastic";
  }
  return "?";
}

bool parse_rounding_mode(std::string_view name, RoundingMode* out, std::string* error) {
  struct Entry {
    const char* name;
    RoundingMode mode;
  };
  static const Entry entries[] = {
      {"rne", RoundingMode::NearestEven}, {"nearest", RoundingMode::NearestEven},
      {"rna", RoundingMode::NearestAway}, {"rtz", RoundingMode::TowardZero},
      {"zero", RoundingMode::TowardZero}, {"up", RoundingMode::Up},
      {"rtp", RoundingMode::Up},          {"down", RoundingMode::Down},
      {"rtn", RoundingMode::Down},        {"odd", RoundingMode::Odd},
      {"rto", RoundingMode::Odd},         {"stochastic", RoundingMode::Stochastic},
      {"sr", RoundingMode::Stochastic},
  };
  for (const Entry& e : entries) {
    if (name == e.name) {
      *out = e.mode;
      return true;
    }
  }
  if (error) {
    *error = "unknown rounding mode '" + std::string(name.substr(0, 40)) +
             "' (expected rne, rna, rtz, up, down, odd or stochastic)";
  }
  return false;
}

const char* rounding_mode_words(RoundingMode m) {
  switch (m) {
    case RoundingMode::NearestEven:
      return "round to nearest, ties to even";
    case RoundingMode::NearestAway:
      return "round to nearest, ties away from zero";
    case RoundingMode::TowardZero:
      return "round toward zero";
    case RoundingMode::Up:
      return "round toward +inf";
    case RoundingMode::Down:
      return "round toward -inf";
    case RoundingMode::Odd:
      return "round to odd";
    case RoundingMode::Stochastic:
      return "stochastic rounding";
  }
  return "";
}

// +-max finite as bits (Int: two's complement of -127/64, never -128/64).
uint64_t max_magnitude_bits(const Format& f, bool negative) {
  const uint64_t m = f.max_finite_bits();
  if (!negative) return m;
  if (f.kind == FormatKind::Int) return (~m + 1) & f.width_mask();
  return m | f.sign_mask();
}

const char* round_direction_name(RoundDirection d) {
  switch (d) {
    case RoundDirection::Exact:
      return "exact";
    case RoundDirection::Up:
      return "up";
    case RoundDirection::Down:
      return "down";
  }
  return "?";
}

uint64_t make_zero(const Format& f, bool negative) {
  if (f.kind == FormatKind::Int) return 0;  // two's complement has one zero
  if (f.kind == FormatKind::Scale) return f.quiet_nan_bits();
  return negative ? f.sign_mask() : 0;
}

uint64_t make_nan(const Format& f, bool negative) {
  if (!f.has_nan()) return 0;
  return f.quiet_nan_bits() | (negative ? f.sign_mask() : 0);
}

uint64_t make_inf(const Format& f, bool negative) {
  if (!f.has_nan()) return max_magnitude_bits(f, negative);
  if (!f.has_inf()) return make_nan(f, negative);
  return f.inf_bits() | (negative ? f.sign_mask() : 0);
}

namespace {

int bit_length(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

// Bit `i` of v, zero outside 0..63.
bool bit_at(uint64_t v, int64_t i) { return i >= 0 && i < 64 && ((v >> i) & 1u); }

// v & (2^n - 1) != 0, for any n >= 0.
bool any_below(uint64_t v, int64_t n) {
  if (n <= 0) return false;
  if (n >= 64) return v != 0;
  return (v & ((uint64_t{1} << n) - 1)) != 0;
}

// The first 32 discarded bits, as a fraction of one ULP (0.32 fixed point).
uint32_t discarded_fraction32(uint64_t sig, int64_t shift) {
  if (shift <= 0) return 0;
  uint64_t dropped = shift >= 64 ? sig : sig & ((uint64_t{1} << shift) - 1);
  if (shift <= 32) return static_cast<uint32_t>(dropped << (32 - shift));
  int64_t down = shift - 32;
  return down >= 64 ? 0u : static_cast<uint32_t>(dropped >> down);
}

// Result of an overflow in the given mode: infinity or the largest finite value.
uint64_t overflow_result(const Format& f, bool negative, const RoundingOptions& opt, RoundInfo* info) {
  bool to_inf;
  switch (opt.mode) {
    case RoundingMode::TowardZero:
    case RoundingMode::Odd:
      to_inf = false;
      break;
    case RoundingMode::Up:
      to_inf = !negative;
      break;
    case RoundingMode::Down:
      to_inf = negative;
      break;
    default:
      to_inf = true;
      break;  // nearest modes and stochastic
  }
  uint64_t sign = negative ? f.sign_mask() : 0;
  info->overflow = true;
  info->inexact = true;
  if (!f.has_nan()) {  // OCP FP6/FP4: nothing to overflow to, the value clamps (MX spec 5.3.3)
    info->saturated = to_inf;
    info->direction = RoundDirection::Down;
    return f.max_finite_bits() | sign;
  }
  if (!to_inf || opt.saturate) {
    info->saturated = to_inf;  // clamped where the mode alone would have given inf
    info->direction = RoundDirection::Down;
    return f.max_finite_bits() | sign;
  }
  info->direction = RoundDirection::Up;
  return make_inf(f, negative);  // Finite kind: NaN (OCP E4M3FN has no inf)
}

// Rounds v to a multiple of 2^lsb in the chosen mode: the mode logic, once,
// for every kind. Fills guard/round/sticky/inexact/direction; the result may
// carry into one more bit than the caller kept room for.
uint64_t round_at(const Unrounded& v, int64_t lsb, const RoundingOptions& opt, RoundInfo* info_out) {
  RoundInfo& info = *info_out;
  const int64_t shift = lsb - v.exp2;  // bits of the significand that fall off
  uint64_t kept;
  if (shift <= 0) {
    kept = v.significand << -shift;  // callers guarantee it fits
  } else {
    kept = shift >= 64 ? 0 : v.significand >> shift;
  }
  info.guard = bit_at(v.significand, shift - 1);
  info.round = bit_at(v.significand, shift - 2);
  info.sticky = any_below(v.significand, shift - 2) || v.sticky;
  info.inexact = info.guard || info.round || info.sticky;
  info.kept_exp = static_cast<int>(lsb);

  bool increment = false;
  if (info.inexact) {
    switch (opt.mode) {
      case RoundingMode::NearestEven:
        increment = info.guard && (info.round || info.sticky || (kept & 1u));
        break;
      case RoundingMode::NearestAway:
        increment = info.guard;
        break;
      case RoundingMode::TowardZero:
        break;
      case RoundingMode::Up:
        increment = !v.negative;
        break;
      case RoundingMode::Down:
        increment = v.negative;
        break;
      case RoundingMode::Odd:
        increment = (kept & 1u) == 0;
        break;  // sets the last bit
      case RoundingMode::Stochastic: {
        uint32_t frac = discarded_fraction32(v.significand, shift);
        // Bits lost below the 64-bit significand only matter when the kept
        // fraction is exactly zero: then the true distance is tiny but not zero.
        increment = stochastic_bits(opt.seed, opt.counter) < frac;
        break;
      }
    }
    info.direction = increment ? RoundDirection::Up : RoundDirection::Down;
  }
  return kept + (increment ? 1 : 0);
}

// Exponent of v's leading bit (v non-zero or sticky).
int64_t lead_exponent(const Unrounded& v) {
  return v.significand == 0 ? v.exp2 - 1 : v.exp2 + bit_length(v.significand) - 1;
}

// OCP MX INT8 element: a fixed grid of 2^-man_bits, magnitudes up to
// 127 * 2^-man_bits (symmetric: -128 is never produced), two's complement.
Rounded round_int(const Format& f, const Unrounded& v, const RoundingOptions& opt) {
  Rounded r;
  const int64_t lsb = -f.man_bits;
  const uint64_t max_mag = f.max_finite_bits();  // 127
  const int64_t lead = lead_exponent(v);
  uint64_t mag;
  if (lead > f.emax() + 1) {  // far beyond the range: no shift of the significand needed
    r.info.inexact = true;
    mag = max_mag + 1;
  } else {
    mag = round_at(v, lsb, opt, &r.info);
  }
  if (mag > max_mag) {
    r.info.overflow = true;
    r.info.inexact = true;
    r.info.saturated = true;  // nothing else to overflow to
    r.info.direction = RoundDirection::Down;
    r.bits = max_magnitude_bits(f, v.negative);
    return r;
  }
  r.info.underflow = mag == 0 && r.info.inexact;
  r.bits = v.negative ? (~mag + 1) & f.width_mask() : mag;
  return r;
}

// OCP MX E8M0: a power of two 2^(bits-127) for bits 0..254. A 1-bit
// significand has no even neighbour: a tie (1.5 * 2^k) goes up, as the one
// rounding core does for a kept significand of 1.
Rounded round_scale(const Format& f, const Unrounded& v, const RoundingOptions& opt) {
  Rounded r;
  if (v.negative || (v.significand == 0 && !v.sticky)) {
    r.info.invalid = true;  // no zero and no sign
    r.bits = f.quiet_nan_bits();
    return r;
  }
  const int64_t lead = lead_exponent(v);
  if (lead < f.emin()) {  // no zero to round to: the smallest scale is the nearest value
    r.info.inexact = true;
    r.info.underflow = true;
    r.info.direction = RoundDirection::Up;
    r.bits = 0;
    return r;
  }
  int64_t e = lead;
  if (lead <= f.emax() + 1) {
    const uint64_t kept = round_at(v, lead, opt, &r.info);  // 1 or 2
    if (kept == 2) ++e;
  } else {
    r.info.inexact = true;
  }
  if (e > f.emax()) {
    r.info.overflow = true;
    r.info.inexact = true;
    const bool toward_zero = opt.mode == RoundingMode::TowardZero || opt.mode == RoundingMode::Down ||
                             opt.mode == RoundingMode::Odd;
    if (toward_zero || opt.saturate) {
      r.info.saturated = !toward_zero;
      r.info.direction = RoundDirection::Down;
      r.bits = f.max_finite_bits();
    } else {
      r.info.direction = RoundDirection::Up;
      r.bits = f.quiet_nan_bits();  // no inf: NaN, like E4M3FN
    }
    return r;
  }
  r.bits = static_cast<uint64_t>(e + f.bias());
  return r;
}

}  // namespace

Rounded round_unrounded(const Format& f, const Unrounded& v, const RoundingOptions& opt) {
  if (f.kind == FormatKind::Int) return round_int(f, v, opt);
  if (f.kind == FormatKind::Scale) return round_scale(f, v, opt);
  Rounded r;
  RoundInfo& info = r.info;
  const int p = f.precision();
  const uint64_t sign = v.negative ? f.sign_mask() : 0;

  if (v.significand == 0 && !v.sticky) {
    r.bits = sign;
    return r;
  }

  // Exponent of the leading bit, and of the last bit the format can keep
  // there: p-1 places below it, or fixed at emin-(p-1) in the subnormal range.
  const int64_t lead = lead_exponent(v);
  const int64_t lsb = (lead > f.emin() ? lead : f.emin()) - (p - 1);
  uint64_t kept = round_at(v, lsb, opt, &info);
  info.underflow = lead < f.emin() && info.inexact;
  int64_t exp_lsb = lsb;
  if (kept >> p) {  // carry out of the significand: renormalise
    kept >>= 1;
    ++exp_lsb;
  }

  if (kept == 0) {
    r.bits = sign;
    return r;
  }
  const int64_t result_lead = exp_lsb + bit_length(kept) - 1;
  const bool normal = bit_length(kept) == p;
  uint64_t exp_field = normal ? static_cast<uint64_t>(result_lead + f.bias()) : 0;
  uint64_t man_field = kept & f.man_mask();

  bool overflow = result_lead > f.emax();
  if (f.kind == FormatKind::Finite && result_lead == f.emax() && man_field == f.man_mask()) {
    overflow = true;  // the all-ones pattern is NaN in the Finite kind
  }
  if (overflow) {
    r.bits = overflow_result(f, v.negative, opt, &info);
    return r;
  }
  if (!normal && opt.ftz) {
    r.bits = sign;
    info.flushed = true;
    info.underflow = true;
    info.inexact = true;
    info.direction = RoundDirection::Down;
    return r;
  }
  r.bits = sign | (exp_field << f.man_bits) | man_field;
  return r;
}

Rounded special_into(const Format& to, bool is_nan, bool negative, const RoundingOptions& opt) {
  Rounded r;
  if (is_nan) {
    r.bits = make_nan(to, negative);
    r.info.invalid = !to.has_nan();  // OCP FP6/FP4 and INT8 have no NaN code
    return r;
  }
  if (to.has_inf()) {
    r.bits = make_inf(to, negative);
  } else if (to.kind == FormatKind::Scale && negative) {
    r.bits = make_nan(to, negative);
    r.info.invalid = true;
  } else if (opt.saturate || !to.has_nan()) {
    // Without --saturate an infinity still clamps where there is no NaN to give.
    r.bits = max_magnitude_bits(to, negative);
    r.info.saturated = true;
    r.info.overflow = !opt.saturate;
  } else {
    r.bits = make_nan(to, negative);
    r.info.overflow = true;
  }
  return r;
}

Rounded convert_bits(const Format& from, uint64_t bits, const Format& to, const RoundingOptions& opt) {
  bits &= from.width_mask();
  if (from.kind == FormatKind::Int || from.kind == FormatKind::Scale) {
    if (from.kind == FormatKind::Scale && bits == from.quiet_nan_bits())
      return special_into(to, true, false, opt);
    Unrounded u;
    if (from.kind == FormatKind::Scale) {
      u.significand = 1;
      u.exp2 = static_cast<int>(bits) - from.bias();
    } else {
      u.negative = (bits & from.sign_mask()) != 0;
      u.significand = u.negative ? ((~bits + 1) & from.width_mask()) : bits;  // 0x80 -> 128
      u.exp2 = -from.man_bits;
    }
    return round_unrounded(to, u, opt);
  }
  const bool negative = (bits & from.sign_mask()) != 0;
  const uint64_t exp_field = (bits >> from.man_bits) & from.exp_field_max();
  const uint64_t man_field = bits & from.man_mask();
  Rounded r;
  const bool top = exp_field == from.exp_field_max();
  const bool is_nan =
      from.has_inf() ? (top && man_field != 0) : (from.has_nan() && top && man_field == from.man_mask());
  if (is_nan) {
    if (!to.has_inf() || !from.has_inf()) return special_into(to, true, negative, opt);
    // Keep the top bits of the payload, set the quiet bit (as x86 F16C does).
    uint64_t payload = to.man_bits >= from.man_bits ? man_field << (to.man_bits - from.man_bits)
                                                    : man_field >> (from.man_bits - to.man_bits);
    uint64_t quiet = uint64_t{1} << (to.man_bits - 1);
    r.bits = (negative ? to.sign_mask() : 0) | to.inf_bits() | payload | quiet;
    return r;
  }
  if (from.has_inf() && top) return special_into(to, false, negative, opt);  // infinity
  Unrounded u;
  u.negative = negative;
  if (exp_field == 0) {
    u.significand = man_field;
    u.exp2 = from.emin() - from.man_bits;
  } else {
    u.significand = man_field | (uint64_t{1} << from.man_bits);
    u.exp2 = static_cast<int>(exp_field) - from.bias() - from.man_bits;
  }
  return round_unrounded(to, u, opt);
}

Rounded round_double(const Format& f, double x, const RoundingOptions& opt) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return convert_bits(fp64(), bits, f, opt);
}

Rounded round_sum(const Format& f, double a, double b, const RoundingOptions& opt) {
  if (std::isnan(a)) return round_double(f, a, opt);
  if (std::isnan(b)) return round_double(f, b, opt);
  if (std::isinf(a) || std::isinf(b)) {
    if (std::isinf(a) && std::isinf(b) && std::signbit(a) != std::signbit(b)) {
      return special_into(f, true, false, opt);  // invalid: inf - inf
    }
    return round_double(f, std::isinf(a) ? a : b, opt);
  }
  // Near the top of the double range a + b may overflow although the exact
  // sum is finite: add the halves (exact, the operands are huge) and scale back.
  int scale = 0;
  if (std::fabs(a) >= 0x1p1022 || std::fabs(b) >= 0x1p1022) {
    a *= 0.5;
    b *= 0.5;
    scale = 1;
  }
  // Knuth's TwoSum: s + e == a + b exactly, |e| <= half an ulp of s.
  const double s = a + b;
  const double bb = s - a;
  const double e = (a - (s - bb)) + (b - bb);
  if (s == 0 && e == 0) {
    Rounded r;
    bool negative = std::signbit(a) && std::signbit(b);
    if (std::signbit(a) != std::signbit(b)) negative = opt.mode == RoundingMode::Down;
    r.bits = make_zero(f, negative);
    return r;
  }
  if (e == 0 && scale == 0) return round_double(f, s, opt);
  // s is a normal double here (sums in the subnormal range are exact). Widen
  // its 53-bit significand to 63 bits; the error e only says on which side of
  // s the exact sum lies: "a bit more" is sticky, "a bit less" is one unit
  // less at the new last place plus sticky.
  uint64_t bits;
  std::memcpy(&bits, &s, sizeof bits);
  Unrounded u;
  u.negative = std::signbit(s);
  const int exp_field = static_cast<int>((bits >> 52) & 0x7ff);
  u.significand = ((bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1} << 52)) << 10;
  u.exp2 = exp_field - 1023 - 52 - 10 + scale;
  if (e != 0) {
    u.sticky = true;
    if (std::signbit(e) != u.negative) u.significand -= 1;
  }
  return round_unrounded(f, u, opt);
}

double to_double(const Format& f, uint64_t bits) {
  bits &= f.width_mask();
  if (f.kind == FormatKind::Scale) {
    return bits == f.quiet_nan_bits() ? NAN : std::ldexp(1.0, static_cast<int>(bits) - f.bias());
  }
  if (f.kind == FormatKind::Int) {
    const bool negative = (bits & f.sign_mask()) != 0;
    const double mag = static_cast<double>(negative ? ((~bits + 1) & f.width_mask()) : bits);
    return std::ldexp(negative ? -mag : mag, -f.man_bits);
  }
  const bool negative = (bits & f.sign_mask()) != 0;
  const uint64_t exp_field = (bits >> f.man_bits) & f.exp_field_max();
  const uint64_t man_field = bits & f.man_mask();
  const bool top = exp_field == f.exp_field_max();
  if (f.has_inf() ? top : (f.has_nan() && top && man_field == f.man_mask())) {
    if (f.has_inf() && man_field == 0) return negative ? -HUGE_VAL : HUGE_VAL;
    return negative ? -NAN : NAN;
  }
  double v = exp_field == 0 ? std::ldexp(static_cast<double>(man_field), f.emin() - f.man_bits)
                            : std::ldexp(static_cast<double>(man_field | (uint64_t{1} << f.man_bits)),
                                         static_cast<int>(exp_field) - f.bias() - f.man_bits);
  return negative ? -v : v;
}

}  // namespace mantissa
