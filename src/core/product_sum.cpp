#include "core/product_sum.h"

#include <cmath>
#include <cstring>

namespace mantissa {

namespace {

constexpr int kHeadroomBits = 126;  // of Int128's 127 value bits, one spare for the subtraction

int bit_length(uint64_t k) { return k == 0 ? 0 : 64 - __builtin_clzll(k); }

// An integer-valued double below 2^126 in magnitude, exactly.
Int128 to_int128(double x) {
  constexpr double kTwo63 = 0x1p63, kTwo64 = 0x1p64;
  if (std::fabs(x) < kTwo63) return static_cast<int64_t>(x);
  // The magnitude split at 2^64: both halves are exact integer-valued doubles below 2^64.
  const double mag = std::fabs(x);
  const double hi = std::floor(mag / kTwo64);
  const double lo = mag - hi * kTwo64;
  const UInt128 m = (static_cast<UInt128>(static_cast<uint64_t>(hi)) << 64) | static_cast<uint64_t>(lo);
  return x < 0 ? -static_cast<Int128>(m) : static_cast<Int128>(m);
}

}  // namespace

bool ProductSum::covers(const Format& in, uint64_t k) {
  if (!in.is_float() || in.exp_bits > 8 || in.man_bits > 23) return false;
  const int lsb = 2 * (in.emin() - in.man_bits);
  const int top = 2 * in.emax() + 2;  // products lie below 2^top
  // |lsb| <= 1022 for pow2; a sum of k products (and a result as large) below 2^126.
  return lsb >= -1000 && top - lsb + bit_length(k) + 1 <= kHeadroomBits;
}

ProductSum::ProductSum(const Format& in)
    : lsb_(2 * (in.emin() - in.man_bits)), scale_(pow2_double(-2 * (in.emin() - in.man_bits))) {}

void ProductSum::add_product(float a, float b) {
  // The double product is exact (at most 48 bits), and so is its scaling.
  sum_ += to_int128(static_cast<double>(a) * static_cast<double>(b) * scale_);
}

bool ProductSum::subtract(double x) {
  const double y = x * scale_;
  constexpr double kLimit = 0x1p120;
  if (!(std::fabs(y) < kLimit) || std::trunc(y) != y) return false;
  // y is exact: x is a multiple of 2^lsb, so scaling it loses no bit below;
  // and no overflow, as |y| < 2^120.
  sum_ -= to_int128(y);
  return true;
}

double ProductSum::to_double() const {
  if (sum_ == 0) return 0;
  const bool negative = sum_ < 0;
  UInt128 mag = negative ? -static_cast<UInt128>(sum_) : static_cast<UInt128>(sum_);
  int shift = 0;
  // Keep the top 64 bits, the bits shifted out folded into the lowest (a
  // sticky bit: 64 > 53 + 2, so uint64 -> double then rounds as the whole would).
  const uint64_t high = static_cast<uint64_t>(mag >> 64);
  if (high != 0) {
    shift = bit_length(high);
    const UInt128 lost = mag & ((static_cast<UInt128>(1) << shift) - 1);
    mag = (mag >> shift) | (lost != 0 ? 1 : 0);
  }
  const double m = static_cast<double>(static_cast<uint64_t>(mag));  // correctly rounded
  const double x = m * pow2_double(shift + lsb_);                           // exact: a power of two, normal range
  return negative ? -x : x;
}

ExactSum ProductSum::to_exact_sum() const {
  ExactSum s;
  const bool negative = sum_ < 0;
  const UInt128 mag =
      negative ? -static_cast<UInt128>(sum_) : static_cast<UInt128>(sum_);
  s.add(negative, static_cast<uint64_t>(mag), lsb_);
  s.add(negative, static_cast<uint64_t>(mag >> 64), lsb_ + 64);
  return s;
}

}  // namespace mantissa
