// random_normal_keyed (random.cpp) in eight AVX-512 lanes, bit for bit, as
// random_x86_avx2.cpp does it in four: here the 64-bit multiplies are
// vpmullq and the 53-bit integers become doubles by vcvtuqq2pd (AVX512DQ;
// exact below 2^53). CMake compiles this file with -ffp-contract=off.
#if defined(__GNUC__) && !defined(__clang__)
// g++ 12 warns inside its own AVX-512 headers, whose intrinsics start from
// _mm512_undefined_*() (GCC bug 105593, fixed in g++ 13): not our code.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "sim/random.h"

namespace mantissa::sim {

namespace {

// The stream's splitmix64 constants, defined once (random.h).
using detail::kAttemptSalt;
using detail::kGolden;
using detail::kMix1;
using detail::kMix2;

inline __m512i splat64(uint64_t x) { return _mm512_set1_epi64(static_cast<long long>(x)); }

inline __m512i mix64(__m512i z) {
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 30)), splat64(kMix1));
  z = _mm512_mullo_epi64(_mm512_xor_si512(z, _mm512_srli_epi64(z, 27)), splat64(kMix2));
  return _mm512_xor_si512(z, _mm512_srli_epi64(z, 31));
}

// random_uniform_keyed: (bits >> 11) * 2^-53.
inline __m512d uniform(__m512i mixed_counter, uint64_t attempt) {
  const __m512i bits =
      _mm512_srli_epi64(mix64(_mm512_xor_si512(mixed_counter, splat64(attempt * kGolden + kAttemptSalt))), 11);
  constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;
  return _mm512_mul_pd(_mm512_cvtepu64_pd(bits), _mm512_set1_pd(kTwoPowMinus53));
}

// portable_log (random.cpp) of eight positive normal doubles.
inline __m512d log8(__m512d x) {
  const __m512i bits = _mm512_castpd_si512(x);
  constexpr double kBias = 1023.0;
  __m512d e = _mm512_sub_pd(_mm512_cvtepu64_pd(_mm512_srli_epi64(bits, 52)), _mm512_set1_pd(kBias));
  __m512d m = _mm512_castsi512_pd(
      _mm512_or_si512(_mm512_and_si512(bits, splat64((uint64_t{1} << 52) - 1)), splat64(uint64_t{1023} << 52)));
  const __mmask8 big = _mm512_cmp_pd_mask(m, _mm512_set1_pd(kSqrt2), _CMP_GE_OQ);
  m = _mm512_mask_blend_pd(big, m, _mm512_mul_pd(m, _mm512_set1_pd(0.5)));
  e = _mm512_mask_blend_pd(big, e, _mm512_add_pd(e, _mm512_set1_pd(1.0)));  // small integers: exact
  const __m512d one = _mm512_set1_pd(1.0);
  const __m512d s = _mm512_div_pd(_mm512_sub_pd(m, one), _mm512_add_pd(m, one));
  const __m512d s2 = _mm512_mul_pd(s, s);
  __m512d p = _mm512_set1_pd(kLogSeriesFirst);
  for (const double c : kLogSeries) p = _mm512_add_pd(_mm512_set1_pd(c), _mm512_mul_pd(s2, p));
  const __m512d two_s = _mm512_mul_pd(_mm512_set1_pd(2.0), s);
  const __m512d log_m = _mm512_add_pd(two_s, _mm512_mul_pd(two_s, _mm512_mul_pd(s2, p)));
  return _mm512_add_pd(_mm512_mul_pd(e, _mm512_set1_pd(kLn2Hi)),
                       _mm512_add_pd(log_m, _mm512_mul_pd(e, _mm512_set1_pd(kLn2Lo))));
}

}  // namespace

void random_normal_lanes_avx512(uint64_t key, const uint64_t* counters, uint64_t attempt, double* out,
                                bool* accepted) {
  const __m512i counter = _mm512_add_epi64(_mm512_loadu_si512(counters), splat64(kGolden));
  const __m512i mixed = mix64(_mm512_xor_si512(splat64(key), counter));
  const __m512d one = _mm512_set1_pd(1.0), two = _mm512_set1_pd(2.0);
  const __m512d u = _mm512_sub_pd(_mm512_mul_pd(two, uniform(mixed, attempt)), one);
  const __m512d v = _mm512_sub_pd(_mm512_mul_pd(two, uniform(mixed, attempt + 1)), one);
  const __m512d s = _mm512_add_pd(_mm512_mul_pd(u, u), _mm512_mul_pd(v, v));
  const __mmask8 ok = _mm512_cmp_pd_mask(s, _mm512_setzero_pd(), _CMP_GT_OQ) &
                      _mm512_cmp_pd_mask(s, one, _CMP_LT_OQ);
  // Rejected lanes compute on s = 0.5 (harmless) and are retried by the caller.
  const __m512d s_safe = _mm512_mask_blend_pd(ok, _mm512_set1_pd(0.5), s);
  const __m512d r = _mm512_mul_pd(
      u, _mm512_sqrt_pd(_mm512_div_pd(_mm512_mul_pd(_mm512_set1_pd(-2.0), log8(s_safe)), s_safe)));
  _mm512_storeu_pd(out, r);
  for (int l = 0; l < 8; ++l) accepted[l] = (ok >> l) & 1;
}

}  // namespace mantissa::sim
