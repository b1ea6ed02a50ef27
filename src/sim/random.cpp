#include "sim/random.h"

#include <cmath>
#include <cstring>

namespace mantissa::sim {

namespace {

// splitmix64 (Steele, Lea, Flood): increment and finaliser constants.
constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kMix1 = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t kMix2 = 0x94d049bb133111ebull;

uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * kMix1;
  z = (z ^ (z >> 27)) * kMix2;
  return z ^ (z >> 31);
}

}  // namespace

uint64_t random_bits64(uint64_t seed, RandomStream stream, uint64_t counter, uint64_t attempt) {
  uint64_t x = mix64(seed + kGolden * (static_cast<uint64_t>(stream) + 1));
  x = mix64(x ^ (counter + kGolden));
  return mix64(x ^ (attempt * kGolden + 0x632be59bd9b4e019ull));
}

double random_uniform(uint64_t seed, RandomStream stream, uint64_t counter, uint64_t attempt) {
  constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;  // 2^-53
  return static_cast<double>(random_bits64(seed, stream, counter, attempt) >> 11) * kTwoPowMinus53;
}

double portable_log(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1023} << 52);  // m in [1, 2)
  double m;
  std::memcpy(&m, &bits, sizeof m);
  constexpr double kSqrt2 = 1.41421356237309504880;
  if (m >= kSqrt2) {  // m in [sqrt(1/2), sqrt(2)) keeps |s| <= 0.1716
    m *= 0.5;
    ++e;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  // 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...); s2^12 < 2.4e-19: 12 terms suffice.
  double p = 1.0 / 23.0;
  p = 1.0 / 21.0 + s2 * p;
  p = 1.0 / 19.0 + s2 * p;
  p = 1.0 / 17.0 + s2 * p;
  p = 1.0 / 15.0 + s2 * p;
  p = 1.0 / 13.0 + s2 * p;
  p = 1.0 / 11.0 + s2 * p;
  p = 1.0 / 9.0 + s2 * p;
  p = 1.0 / 7.0 + s2 * p;
  p = 1.0 / 5.0 + s2 * p;
  p = 1.0 / 3.0 + s2 * p;
  const double log_m = 2.0 * s + 2.0 * s * (s2 * p);
  // ln 2 split so that e * kLn2Hi is exact for |e| < 2^11.
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000
  constexpr double kLn2Lo = 1.90821492927058770002e-10;  // 0x3dea39ef35793c76
  const double de = static_cast<double>(e);
  return de * kLn2Hi + (log_m + de * kLn2Lo);
}

double portable_exp(double x) {
  if (!(x > -745.2)) return x != x ? x : 0.0;  // NaN stays NaN
  if (x > 709.78) return HUGE_VAL;
  constexpr double kInvLn2 = 1.44269504088896338700;
  constexpr double kLn2Hi = 6.93147180369123816490e-01;  // as in portable_log: k * kLn2Hi exact
  constexpr double kLn2Lo = 1.90821492927058770002e-10;
  const double kd = x * kInvLn2;
  const int k = static_cast<int>(kd < 0 ? kd - 0.5 : kd + 0.5);
  const double r = (x - k * kLn2Hi) - k * kLn2Lo;  // |r| <= 0.35
  // Horner from the top: 1 + r(1 + r/2(1 + r/3(...))). 0.35^21/21! < 1e-29.
  double p = 1.0;
  for (int n = 20; n >= 1; --n) p = 1.0 + p * r / n;
  // 2^k in two halves, so that k down to -1074 (subnormal results) and up to 1023 work.
  const int k1 = k / 2, k2 = k - k1;
  auto pow2 = [](int e) {
    const uint64_t bits = static_cast<uint64_t>(e + 1023) << 52;
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  };
  return p * pow2(k1) * pow2(k2);
}

void portable_sincos(double x, double* sin_x, double* cos_x) {
  // pi/2 in two parts: the high part has 33 bits, so q * kPio2Hi is exact for |q| < 2^20.
  constexpr double kPio2Hi = 1.57079632673412561417e+00;  // 0x3ff921fb54400000
  constexpr double kPio2Lo = 6.07710050650619224932e-11;  // 0x3dd0b4611a626331
  constexpr double kTwoOverPi = 0.63661977236758134308;
  const double qd = x * kTwoOverPi;
  const int64_t q = static_cast<int64_t>(qd < 0 ? qd - 0.5 : qd + 0.5);
  const double r = (x - q * kPio2Hi) - q * kPio2Lo;  // |r| <= ~pi/4
  const double r2 = r * r;
  // sin r = r (1 - r^2/(2*3) (1 - r^2/(4*5) (...))), cos r = 1 - r^2/2 (1 - r^2/(3*4) (...)).
  double s = 1.0, c = 1.0;
  for (int n = 12; n >= 1; --n) {
    s = 1.0 - s * r2 / ((2.0 * n) * (2.0 * n + 1.0));
    c = 1.0 - c * r2 / ((2.0 * n - 1.0) * (2.0 * n));
  }
  s *= r;
  switch (static_cast<int>(q & 3)) {
    case 0: *sin_x = s; *cos_x = c; break;
    case 1: *sin_x = c; *cos_x = -s; break;
    case 2: *sin_x = -s; *cos_x = -c; break;
    default: *sin_x = -c; *cos_x = s; break;
  }
}

double random_normal(uint64_t seed, RandomStream stream, uint64_t counter) {
  for (uint64_t attempt = 0;; attempt += 2) {
    const double u = 2.0 * random_uniform(seed, stream, counter, attempt) - 1.0;
    const double v = 2.0 * random_uniform(seed, stream, counter, attempt + 1) - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * portable_log(s) / s);
  }
}

void two_product(double a, double b, double* hi, double* lo) {
  constexpr double kSplit = 134217729.0;  // 2^27 + 1 (Veltkamp)
  auto split = [](double x, double* h, double* l) {
    const double c = kSplit * x;
    *h = c - (c - x);
    *l = x - *h;
  };
  double ah, al, bh, bl;
  split(a, &ah, &al);
  split(b, &bh, &bl);
  const double p = a * b;
  *hi = p;
  *lo = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

}  // namespace mantissa::sim
