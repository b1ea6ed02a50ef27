// Exact decimal numbers of any length.
//
// Every value Mantissa handles is a finite decimal: a typed-in decimal is one
// by definition, and a binary float m * 2^e is m * 5^-e * 10^e. So one exact
// type covers inputs, stored values, exact sums and products, and errors.
// The coefficient is kept in base 10^9 limbs so that reading and printing
// (the common operations, on strings of up to 10^5 digits) are linear.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mantissa {

class Decimal {
 public:
  Decimal() = default;  // zero

  // digits: ASCII decimal digits (leading zeros allowed); value = digits * 10^exp10.
  static Decimal from_digits(std::string_view digits, int64_t exp10, bool negative = false);
  static Decimal from_uint(uint64_t v, bool negative = false);
  // (-1)^negative * significand * 2^exp2, exactly.
  static Decimal from_dyadic(bool negative, uint64_t significand, int64_t exp2);
  static Decimal pow2(int64_t e);  // 2^e for any (reasonable) integer e

  bool is_zero() const { return limbs_.empty(); }
  bool negative() const { return negative_; }
  Decimal abs() const;
  Decimal operator-() const;
  Decimal operator+(const Decimal& o) const;
  Decimal operator-(const Decimal& o) const;
  Decimal operator*(const Decimal& o) const;
  friend int compare(const Decimal& a, const Decimal& b);  // -1, 0, 1
  bool operator==(const Decimal& o) const { return compare(*this, o) == 0; }
  bool operator<(const Decimal& o) const { return compare(*this, o) < 0; }

  // Exact plain notation: "-0.000123", "448", "0". Never scientific.
  std::string to_plain() const;
  // Shortest readable form with up to `sig` significant digits, rounded
  // half-even, for labels: "1.1215645", "4.2e-4". Not exact.
  std::string to_short(int sig = 8) const;
  // Nearest double (correctly rounded via strtod on a long prefix; the
  // result is for display and ratios only, never for rounding decisions).
  double to_double() const;

  // Position of the leading digit: |x| is in [10^k, 10^(k+1)). Zero: 0.
  int64_t decimal_exponent() const;
  // floor(log2|x|) exactly. Undefined for zero.
  int64_t binary_exponent() const;
  // floor(|x| * 2^t) as a 64-bit integer (caller guarantees it fits), and
  // whether the floor discarded a non-zero remainder.
  uint64_t scaled_floor_u64(int64_t t, bool* inexact) const;
  // The first `nbits` significant bits of |x| (as '0'/'1' characters,
  // leading 1 first), and whether non-zero bits follow them.
  std::string leading_bits(int nbits, bool* more) const;

  size_t digit_count() const;
  // x * 10^n, exactly (moves the decimal point).
  Decimal scaled_pow10(int64_t n) const;  // digits in the coefficient

 private:
  static constexpr uint32_t kBase = 1000000000u;  // 10^9 per limb
  std::vector<uint32_t> limbs_;                   // little-endian coefficient, no leading zero limbs
  int64_t exp10_ = 0;                             // value = coefficient * 10^exp10_
  bool negative_ = false;                         // never set on zero

  void trim();
  void mul_small(uint32_t m);         // coefficient *= m (m < 2^32)
  void mul_pow2(int64_t e);           // coefficient *= 2^e, e >= 0
  void mul_pow5(int64_t e);           // coefficient *= 5^e, e >= 0
  void shift_digits_left(int64_t n);  // coefficient *= 10^n, n >= 0
  // floor(coefficient * 10^exp10) with exp10 < 0: drops digits; reports a non-zero remainder.
  static std::vector<uint32_t> floor_of(const std::vector<uint32_t>& limbs, int64_t exp10, bool* inexact);
  static int compare_magnitude(const Decimal& a, const Decimal& b);
  static Decimal add_magnitudes(const Decimal& a, const Decimal& b, bool negative);
  static Decimal sub_magnitudes(const Decimal& a, const Decimal& b, bool negative);  // |a| >= |b|
  static void align(const Decimal& a, const Decimal& b, std::vector<uint32_t>* la, std::vector<uint32_t>* lb,
                    int64_t* exp10);
  // Integer value of |x| scaled by 2^t, floored (as limbs).
  std::vector<uint32_t> scaled_floor(int64_t t, bool* inexact) const;
};

}  // namespace mantissa
