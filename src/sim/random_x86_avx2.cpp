// random_normal_keyed (random.cpp) in four AVX2 lanes, bit for bit: the same
// splitmix64 mixing (64-bit multiplies from three 32-bit ones), the same
// conversion to doubles, Marsaglia's polar step and portable_log with the
// same operations in the same order. CMake compiles this file with
// -ffp-contract=off, so -mfma fuses nothing.
#include <immintrin.h>


#include "sim/random.h"

namespace mantissa::sim {

namespace {

// The stream's splitmix64 constants, defined once (random.h).
using detail::kAttemptSalt;
using detail::kGolden;
using detail::kMix1;
using detail::kMix2;

// The low 64 bits of x * m (m a constant): lo*lo + ((hi*lo + lo*hi) << 32).
inline __m256i mul64(__m256i x, uint64_t m) {
  const __m256i m_lo = _mm256_set1_epi64x(static_cast<long long>(m & 0xffffffffu));
  const __m256i m_hi = _mm256_set1_epi64x(static_cast<long long>(m >> 32));
  const __m256i x_hi = _mm256_srli_epi64(x, 32);
  const __m256i cross = _mm256_add_epi64(_mm256_mul_epu32(x_hi, m_lo), _mm256_mul_epu32(x, m_hi));
  return _mm256_add_epi64(_mm256_mul_epu32(x, m_lo), _mm256_slli_epi64(cross, 32));
}

inline __m256i mix64(__m256i z) {
  z = mul64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 30)), kMix1);
  z = mul64(_mm256_xor_si256(z, _mm256_srli_epi64(z, 27)), kMix2);
  return _mm256_xor_si256(z, _mm256_srli_epi64(z, 31));
}

// random_uniform_keyed: (bits >> 11) * 2^-53. The 53-bit integer becomes a
// double exactly as hi * 2^32 + lo, each half placed in a double's fraction
// bits under a power-of-two exponent that is then subtracted (exact).
inline __m256d uniform(__m256i mixed_counter, uint64_t attempt) {
  const __m256i salt = _mm256_set1_epi64x(static_cast<long long>(attempt * kGolden + kAttemptSalt));
  const __m256i bits = _mm256_srli_epi64(mix64(_mm256_xor_si256(mixed_counter, salt)), 11);
  constexpr uint64_t kTwo52Bits = 0x4330000000000000ull;  // 2^52: lo in the fraction
  constexpr uint64_t kTwo84Bits = 0x4530000000000000ull;  // 2^84: hi in the fraction counts 2^32
  const __m256i lo = _mm256_and_si256(bits, _mm256_set1_epi64x(0xffffffffll));
  const __m256i hi = _mm256_srli_epi64(bits, 32);
  const __m256d lo_d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(lo, _mm256_set1_epi64x(kTwo52Bits))),
                                     _mm256_set1_pd(0x1p52));
  const __m256d hi_d = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(hi, _mm256_set1_epi64x(kTwo84Bits))),
                                     _mm256_set1_pd(0x1p84));
  constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;
  return _mm256_mul_pd(_mm256_add_pd(hi_d, lo_d), _mm256_set1_pd(kTwoPowMinus53));
}

// portable_log (random.cpp) of four positive normal doubles.
inline __m256d log4(__m256d x) {
  const __m256i bits = _mm256_castpd_si256(x);
  const __m256i fraction = _mm256_set1_epi64x((1ll << 52) - 1);
  // The biased exponent field, as a double, then unbiased.
  const __m256i field = _mm256_srli_epi64(bits, 52);
  constexpr uint64_t kTwo52Bits = 0x4330000000000000ull;
  __m256d e = _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(field, _mm256_set1_epi64x(kTwo52Bits))),
                            _mm256_set1_pd(0x1p52 + 1023.0));
  __m256d m = _mm256_castsi256_pd(
      _mm256_or_si256(_mm256_and_si256(bits, fraction), _mm256_set1_epi64x(1023ll << 52)));
  const __m256d big = _mm256_cmp_pd(m, _mm256_set1_pd(kSqrt2), _CMP_GE_OQ);
  m = _mm256_blendv_pd(m, _mm256_mul_pd(m, _mm256_set1_pd(0.5)), big);
  e = _mm256_blendv_pd(e, _mm256_add_pd(e, _mm256_set1_pd(1.0)), big);  // small integers: exact
  const __m256d one = _mm256_set1_pd(1.0);
  const __m256d s = _mm256_div_pd(_mm256_sub_pd(m, one), _mm256_add_pd(m, one));
  const __m256d s2 = _mm256_mul_pd(s, s);
  __m256d p = _mm256_set1_pd(kLogSeriesFirst);
  for (const double c : kLogSeries) {
    p = _mm256_add_pd(_mm256_set1_pd(c), _mm256_mul_pd(s2, p));
  }
  const __m256d two_s = _mm256_mul_pd(_mm256_set1_pd(2.0), s);
  const __m256d log_m = _mm256_add_pd(two_s, _mm256_mul_pd(two_s, _mm256_mul_pd(s2, p)));
  return _mm256_add_pd(_mm256_mul_pd(e, _mm256_set1_pd(kLn2Hi)),
                       _mm256_add_pd(log_m, _mm256_mul_pd(e, _mm256_set1_pd(kLn2Lo))));
}

}  // namespace

void random_normal_lanes_avx2(uint64_t key, const uint64_t* counters, uint64_t attempt, double* out,
                              bool* accepted) {
  const __m256i counter = _mm256_add_epi64(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(counters)),
                                           _mm256_set1_epi64x(static_cast<long long>(kGolden)));
  const __m256i mixed = mix64(_mm256_xor_si256(_mm256_set1_epi64x(static_cast<long long>(key)), counter));
  const __m256d one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0);
  const __m256d u = _mm256_sub_pd(_mm256_mul_pd(two, uniform(mixed, attempt)), one);
  const __m256d v = _mm256_sub_pd(_mm256_mul_pd(two, uniform(mixed, attempt + 1)), one);
  const __m256d s = _mm256_add_pd(_mm256_mul_pd(u, u), _mm256_mul_pd(v, v));
  const __m256d ok = _mm256_and_pd(_mm256_cmp_pd(s, _mm256_setzero_pd(), _CMP_GT_OQ),
                                   _mm256_cmp_pd(s, one, _CMP_LT_OQ));
  // Rejected lanes compute on s = 0.5 (harmless) and are retried by the caller.
  const __m256d s_safe = _mm256_blendv_pd(_mm256_set1_pd(0.5), s, ok);
  const __m256d r = _mm256_mul_pd(
      u, _mm256_sqrt_pd(_mm256_div_pd(_mm256_mul_pd(_mm256_set1_pd(-2.0), log4(s_safe)), s_safe)));
  _mm256_storeu_pd(out, r);
  const int mask = _mm256_movemask_pd(ok);
  for (int l = 0; l < 4; ++l) accepted[l] = (mask >> l) & 1;
}

}  // namespace mantissa::sim
