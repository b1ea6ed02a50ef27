#include "sim/random.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/product_sum.h"  // pow2_double
#include "kernels/convert.h"
#include "kernels/cpu_features.h"
#include "kernels/dot.h"

namespace mantissa::sim {

using detail::kGolden;
using detail::mix64;

uint64_t random_key(uint64_t seed, RandomStream stream) {
  return mix64(seed + kGolden * (static_cast<uint64_t>(stream) + 1));
}

uint64_t random_bits64_keyed(uint64_t key, uint64_t counter, uint64_t attempt) {
  return random_attempt_mix(random_counter_mix(key, counter), attempt);
}

uint64_t random_bits64(uint64_t seed, RandomStream stream, uint64_t counter, uint64_t attempt) {
  return random_bits64_keyed(random_key(seed, stream), counter, attempt);
}

double random_uniform_keyed(uint64_t key, uint64_t counter, uint64_t attempt) {
  return random_uniform_mixed(random_counter_mix(key, counter), attempt);
}

double random_uniform(uint64_t seed, RandomStream stream, uint64_t counter, uint64_t attempt) {
  return random_uniform_keyed(random_key(seed, stream), counter, attempt);
}

double portable_log(double x) {
  uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  int e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & ((uint64_t{1} << 52) - 1)) | (uint64_t{1023} << 52);  // m in [1, 2)
  double m;
  std::memcpy(&m, &bits, sizeof m);
  if (m >= kSqrt2) {  // m in [sqrt(1/2), sqrt(2)) keeps |s| <= 0.1716
    m *= 0.5;
    ++e;
  }
  const double s = (m - 1.0) / (m + 1.0);
  const double s2 = s * s;
  // 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...); s2^12 < 2.4e-19: 12 terms suffice.
  double p = kLogSeriesFirst;
  for (const double c : kLogSeries) p = c + s2 * p;
  const double log_m = 2.0 * s + 2.0 * s * (s2 * p);
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
  return p * pow2_double(k1) * pow2_double(k2);
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

double random_normal_keyed_from(uint64_t key, uint64_t counter, uint64_t attempt) {
  const uint64_t x = random_counter_mix(key, counter);  // the same for every attempt
  for (;; attempt += 2) {
    const double u = 2.0 * random_uniform_mixed(x, attempt) - 1.0;
    const double v = 2.0 * random_uniform_mixed(x, attempt + 1) - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * portable_log(s) / s);
  }
}

double random_normal_keyed(uint64_t key, uint64_t counter) { return random_normal_keyed_from(key, counter, 0); }

double random_normal(uint64_t seed, RandomStream stream, uint64_t counter) {
  return random_normal_keyed(random_key(seed, stream), counter);
}

void random_normal_batch(uint64_t key, uint64_t counter0, size_t n, double* out) {
  using Lanes = void (*)(uint64_t, const uint64_t*, uint64_t, double*, bool*);
  Lanes lanes = nullptr;
  size_t width = 0;
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
  // MANTISSA_KERNELS caps these as it caps the conversions: avx512 (or no
  // cap) on a CPU that has it, else the dot kernels' path (AVX2 or scalar).
  const std::string forced = kernels::forced_kernel_path();
  if (kernels::cpu_has_avx512() && (forced.empty() || forced == "avx512")) {
    lanes = random_normal_lanes_avx512, width = 8;
  } else if (kernels::best_dot_impl() == kernels::DotImpl::Avx2) {
    lanes = random_normal_lanes_avx2, width = 4;
  }
#elif defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
  lanes = random_normal_lanes_wasm, width = 4;
#endif
  std::vector<size_t> pending;  // indices whose pair was rejected so far
  uint64_t attempt = 0;
  if (lanes) {
    constexpr size_t kMaxLanes = 8;
    uint64_t counters[kMaxLanes];
    double draws[kMaxLanes];
    bool accepted[kMaxLanes];
    size_t i = 0;
    for (; i + width <= n; i += width) {
      for (size_t l = 0; l < width; ++l) counters[l] = counter0 + i + l;
      lanes(key, counters, 0, out + i, accepted);
      for (size_t l = 0; l < width; ++l) {
        if (!accepted[l]) pending.push_back(i + l);
      }
    }
    for (; i < n; ++i) out[i] = random_normal_keyed(key, counter0 + i);  // the tail: never tried in lanes
    // Retry the rejected ones together, attempt after attempt, while they fill lanes.
    while (pending.size() >= width) {
      attempt += 2;
      std::vector<size_t> next;
      size_t p = 0;
      for (; p + width <= pending.size(); p += width) {
        for (size_t l = 0; l < width; ++l) counters[l] = counter0 + pending[p + l];
        lanes(key, counters, attempt, draws, accepted);
        for (size_t l = 0; l < width; ++l) {
          if (accepted[l]) {
            out[pending[p + l]] = draws[l];
          } else {
            next.push_back(pending[p + l]);
          }
        }
      }
      // The few left over stay at this attempt for the scalar code below.
      for (; p < pending.size(); ++p) out[pending[p]] = random_normal_keyed_from(key, counter0 + pending[p], attempt);
      pending.swap(next);
    }
  } else {
    for (size_t i = 0; i < n; ++i) pending.push_back(i);
  }
  for (size_t i : pending) out[i] = random_normal_keyed_from(key, counter0 + i, attempt);
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
