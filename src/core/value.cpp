#include "core/value.h"

#include "core/rounding.h"

namespace mantissa {

const char* float_class_name(FloatClass c) {
  switch (c) {
    case FloatClass::Zero:
      return "zero";
    case FloatClass::Subnormal:
      return "subnormal";
    case FloatClass::Normal:
      return "normal";
    case FloatClass::Infinity:
      return "inf";
    case FloatClass::NaN:
      return "nan";
  }
  return "?";
}

Decoded decode(const Format& f, uint64_t bits) {
  Decoded d;
  bits &= f.width_mask();
  if (f.kind == FormatKind::Scale) {  // E8M0: every code but NaN is 1 x 2^(bits-127)
    d.exponent_field = bits;
    if (bits == f.quiet_nan_bits()) {
      d.cls = FloatClass::NaN;
      d.exponent = f.emax() + 1;
      return d;
    }
    d.cls = FloatClass::Normal;
    d.exponent = static_cast<int>(bits) - f.bias();
    d.significand = 1;
    d.exp2 = d.exponent;
    return d;
  }
  if (f.kind == FormatKind::Int) {  // two's complement x 2^-man_bits; "normal" = non-zero
    d.negative = (bits & f.sign_mask()) != 0;
    d.mantissa_field = bits & ~f.sign_mask();
    d.significand = d.negative ? ((~bits + 1) & f.width_mask()) : bits;
    d.exp2 = -f.man_bits;
    d.cls = d.significand == 0 ? FloatClass::Zero : FloatClass::Normal;
    d.exponent = d.significand == 0 ? f.emin() : d.exp2 + 63 - __builtin_clzll(d.significand);
    return d;
  }
  d.negative = (bits & f.sign_mask()) != 0;
  d.exponent_field = (bits >> f.man_bits) & f.exp_field_max();
  d.mantissa_field = bits & f.man_mask();
  const bool top = d.exponent_field == f.exp_field_max();
  if (top && f.has_inf()) {
    d.cls = d.mantissa_field == 0 ? FloatClass::Infinity : FloatClass::NaN;
    d.exponent = f.emax() + 1;
    return d;
  }
  if (top && f.kind == FormatKind::Finite && d.mantissa_field == f.man_mask()) {  // the single NaN
    d.cls = FloatClass::NaN;
    d.exponent = f.emax();
    return d;
  }
  if (d.exponent_field == 0) {
    d.cls = d.mantissa_field == 0 ? FloatClass::Zero : FloatClass::Subnormal;
    d.exponent = f.emin();
    d.significand = d.mantissa_field;
  } else {
    d.cls = FloatClass::Normal;
    d.exponent = static_cast<int>(d.exponent_field) - f.bias();
    d.significand = d.mantissa_field | (uint64_t{1} << f.man_bits);
  }
  d.exp2 = d.exponent - f.man_bits;
  return d;
}

ExactValue ExactValue::finite(const Decimal& d, bool negative_zero) {
  ExactValue v;
  v.value = d;
  v.negative = d.is_zero() ? negative_zero : d.negative();
  return v;
}

ExactValue ExactValue::infinity(bool negative) {
  ExactValue v;
  v.kind = Kind::Infinity;
  v.negative = negative;
  return v;
}

ExactValue ExactValue::nan(bool negative) {
  ExactValue v;
  v.kind = Kind::NaN;
  v.negative = negative;
  return v;
}

std::string ExactValue::to_string() const {
  switch (kind) {
    case Kind::Infinity:
      return negative ? "-inf" : "inf";
    case Kind::NaN:
      return "nan";
    case Kind::Finite:
      break;
  }
  if (value.is_zero()) return negative ? "-0" : "0";
  return value.to_plain();
}

ExactValue exact_value(const Format& f, uint64_t bits) {
  Decoded d = decode(f, bits);
  switch (d.cls) {
    case FloatClass::NaN:
      return ExactValue::nan(d.negative);
    case FloatClass::Infinity:
      return ExactValue::infinity(d.negative);
    default:
      return ExactValue::finite(Decimal::from_dyadic(d.negative, d.significand, d.exp2), d.negative);
  }
}

namespace {

std::string bit_string(uint64_t v, int n) {
  std::string s(static_cast<size_t>(n), '0');
  for (int i = 0; i < n; ++i) {
    if ((v >> (n - 1 - i)) & 1u) s[static_cast<size_t>(i)] = '1';
  }
  return s;
}

}  // namespace

std::string binary_fields(const Format& f, uint64_t bits) {
  Decoded d = decode(f, bits);
  if (f.kind == FormatKind::Scale) return bit_string(d.exponent_field, f.exp_bits);  // exponent only
  if (f.kind == FormatKind::Int) {  // sign (two's complement), integer bit, fraction
    const uint64_t b = bits & f.width_mask();
    return std::string(d.negative ? "1" : "0") + " " + bit_string((b >> f.man_bits) & 1u, 1) + " " +
           bit_string(b & f.man_mask(), f.man_bits);
  }
  return std::string(d.negative ? "1" : "0") + " " + bit_string(d.exponent_field, f.exp_bits) + " " +
         bit_string(d.mantissa_field, f.man_bits);
}

std::string hex_bits(const Format& f, uint64_t bits) {
  static const char* digits = "0123456789abcdef";
  int nibbles = (f.width() + 3) / 4;
  std::string s = "0x";
  for (int i = nibbles - 1; i >= 0; --i) s += digits[(bits >> (4 * i)) & 0xf];
  return s;
}

std::string hex_float(const Format& f, uint64_t bits) {
  Decoded d = decode(f, bits);
  if (d.cls == FloatClass::NaN) return "nan";
  if (d.cls == FloatClass::Infinity) return d.negative ? "-inf" : "inf";
  std::string sign = d.negative ? "-" : "";
  if (d.cls == FloatClass::Zero) return sign + "0x0p+0";
  // Normalise to 1.xxx (subnormals too), fraction digits in whole nibbles.
  uint64_t sig = d.significand;
  int lead = 63 - __builtin_clzll(sig);
  int exponent = d.exp2 + lead;
  uint64_t frac = sig & ((lead == 0) ? 0 : ((uint64_t{1} << lead) - 1));
  int frac_bits = lead;
  int pad = (4 - frac_bits % 4) % 4;
  frac <<= pad;
  frac_bits += pad;
  static const char* digits = "0123456789abcdef";
  std::string hex;
  for (int i = frac_bits / 4 - 1; i >= 0; --i) hex += digits[(frac >> (4 * i)) & 0xf];
  while (!hex.empty() && hex.back() == '0') hex.pop_back();
  return sign + "0x1" + (hex.empty() ? "" : "." + hex) + "p" + (exponent >= 0 ? "+" : "") +
         std::to_string(exponent);
}

std::string integer_times_pow2(const Format& f, uint64_t bits) {
  Decoded d = decode(f, bits);
  if (d.cls == FloatClass::NaN) return "nan";
  if (d.cls == FloatClass::Infinity) return d.negative ? "-inf" : "inf";
  if (d.cls == FloatClass::Zero) return d.negative ? "-0" : "0";
  uint64_t m = d.significand;
  int e = d.exp2;
  int tz = __builtin_ctzll(m);
  m >>= tz;
  e += tz;
  return std::string(d.negative ? "-" : "") + std::to_string(m) + " × 2^" + std::to_string(e);
}

bool has_next_up(const Format& f, uint64_t bits) {
  bits &= f.width_mask();
  if (f.kind == FormatKind::Int) return bits != f.max_finite_bits();
  if (f.kind == FormatKind::Scale) return bits < f.max_finite_bits();
  Decoded d = decode(f, bits);
  if (d.cls == FloatClass::NaN) return false;
  if (d.cls == FloatClass::Infinity) return d.negative;
  if (!f.has_inf() && !d.negative && bits == f.max_finite_bits()) return false;
  return true;
}

bool has_next_down(const Format& f, uint64_t bits) {
  bits &= f.width_mask();
  if (f.kind == FormatKind::Int) return bits != f.sign_mask();  // -128/64 is the bottom code
  if (f.kind == FormatKind::Scale) return bits != 0 && bits != f.quiet_nan_bits();
  Decoded d = decode(f, bits);
  if (d.cls == FloatClass::NaN) return false;
  if (d.cls == FloatClass::Infinity) return !d.negative;
  if (!f.has_inf() && d.negative && (bits & ~f.sign_mask()) == f.max_finite_bits()) return false;
  return true;
}

uint64_t next_up(const Format& f, uint64_t bits) {
  if (!f.is_float()) return has_next_up(f, bits) ? ((bits & f.width_mask()) + 1) & f.width_mask() : bits;
  Decoded d = decode(f, bits);
  if (d.cls == FloatClass::NaN || !has_next_up(f, bits)) return bits;
  if (d.cls == FloatClass::Zero) return 1;  // smallest positive subnormal
  if (d.cls == FloatClass::Infinity) return f.max_finite_bits() | f.sign_mask();  // -inf -> -max
  // Positive values grow with their bit pattern; negative ones shrink in magnitude.
  return d.negative ? bits - 1 : bits + 1;
}

uint64_t next_down(const Format& f, uint64_t bits) {
  if (!f.is_float()) return has_next_down(f, bits) ? ((bits & f.width_mask()) - 1) & f.width_mask() : bits;
  Decoded d = decode(f, bits);
  if (d.cls == FloatClass::NaN || !has_next_down(f, bits)) return bits;
  if (d.cls == FloatClass::Zero) return 1 | f.sign_mask();
  if (d.cls == FloatClass::Infinity) return f.max_finite_bits();
  return d.negative ? bits + 1 : bits - 1;
}

int ulp_exponent(const Format& f, uint64_t bits) {
  if (f.kind == FormatKind::Int) return -f.man_bits;
  Decoded d = decode(f, bits);
  if (f.kind == FormatKind::Scale) return d.exponent;  // the next scale up is twice as large
  int e = d.cls == FloatClass::Normal ? d.exponent : f.emin();
  return e - f.man_bits;
}

Decimal ulp_of(const Format& f, uint64_t bits) { return Decimal::pow2(ulp_exponent(f, bits)); }

uint64_t min_subnormal_bits(const Format& f) { return f.kind == FormatKind::Scale ? 0 : 1; }

uint64_t one_bits(const Format& f) {
  if (f.kind == FormatKind::Int) return uint64_t{1} << f.man_bits;
  return static_cast<uint64_t>(f.bias()) << f.man_bits;
}

}  // namespace mantissa

namespace mantissa {

Rounded round_exact(const Format& f, const ExactValue& v, const RoundingOptions& opt) {
  if (v.kind != ExactValue::Kind::Finite)
    return special_into(f, v.kind == ExactValue::Kind::NaN, v.negative, opt);
  Unrounded u;
  u.negative = v.negative;
  if (!v.value.is_zero()) {
    // Far outside every format's range (fp64 spans about 1e-324 .. 1e308),
    // only "huge" or "tiny" matters: stand in a value with the same rounding
    // outcome instead of scaling a huge decimal.
    const int64_t k = v.value.decimal_exponent();
    if (k > 400 || k < -400) {
      u.significand = uint64_t{1} << 63;
      u.exp2 = k > 0 ? 4000 : -4000;
      u.sticky = true;
    } else {
      const int64_t e = v.value.binary_exponent();
      bool inexact = false;
      u.significand = v.value.scaled_floor_u64(63 - e, &inexact);  // 64 significant bits
      u.exp2 = static_cast<int>(e - 63);
      u.sticky = inexact;
    }
  }
  return round_unrounded(f, u, opt);
}

std::string binary_expansion(const ExactValue& v, int nbits) {
  if (v.kind == ExactValue::Kind::NaN) return "nan";
  if (v.kind == ExactValue::Kind::Infinity) return v.negative ? "-inf" : "inf";
  if (v.value.is_zero()) return v.negative ? "-0" : "0";
  bool more = false;
  std::string bits = v.value.leading_bits(nbits, &more);
  if (!more) {
    while (bits.size() > 1 && bits.back() == '0') bits.pop_back();
  }
  std::string out = v.negative ? "-" : "";
  out += bits.substr(0, 1);
  if (bits.size() > 1 || more) out += "." + bits.substr(1);
  if (more) out += "…";
  return out + "×2^" + std::to_string(v.value.binary_exponent());
}

}  // namespace mantissa
