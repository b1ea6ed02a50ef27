// AVX2 forms of the tensor-core block's two passes (x86-64, chosen at run
// time), lane for lane the scalar references in dot.cpp: four or eight products at a
// time, exponents in 32-bit lanes, aligned terms in double lanes (exact, see
// dot.h). Products are rounded nowhere, so -mfma has nothing to contract.
#include <immintrin.h>

#include "kernels/dot.h"

namespace mantissa::kernels::detail {

namespace {

constexpr int kLanes = 4;
constexpr int kExponentBias = 127;

// max(float exponent, emin) of four values (dot.h's float_exponent).
inline __m128i exponents(__m128i bits, __m128i emin) {
  const __m128i field = _mm_and_si128(_mm_srli_epi32(bits, 23), _mm_set1_epi32(0xff));
  const __m128i e = _mm_sub_epi32(_mm_max_epi32(field, _mm_set1_epi32(1)), _mm_set1_epi32(kExponentBias));
  return _mm_max_epi32(e, emin);
}

inline __m128i is_zero(__m128i bits) {
  return _mm_cmpeq_epi32(_mm_and_si128(bits, _mm_set1_epi32(0x7fffffff)), _mm_setzero_si128());
}

// The same, eight lanes.
inline __m256i exponents8(__m256i bits, __m256i emin) {
  const __m256i field = _mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff));
  const __m256i e =
      _mm256_sub_epi32(_mm256_max_epi32(field, _mm256_set1_epi32(1)), _mm256_set1_epi32(kExponentBias));
  return _mm256_max_epi32(e, emin);
}

inline __m256i is_zero8(__m256i bits) {
  return _mm256_cmpeq_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffffff)), _mm256_setzero_si256());
}

}  // namespace

int block_max_exponent_avx2(const float* a, const float* b, size_t n, int input_emin) {
  const __m128i emin = _mm_set1_epi32(input_emin);
  const __m128i none = _mm_set1_epi32(kNoExponent);
  size_t i = 0;
  // Eight products at a time, then four.
  const __m256i emin8 = _mm256_set1_epi32(input_emin), none8 = _mm256_set1_epi32(kNoExponent);
  __m256i e_max8 = none8;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const __m256i ua = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    const __m256i ub = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    const __m256i e = _mm256_add_epi32(exponents8(ua, emin8), exponents8(ub, emin8));
    e_max8 =
        _mm256_max_epi32(e_max8, _mm256_blendv_epi8(e, none8, _mm256_or_si256(is_zero8(ua), is_zero8(ub))));
  }
  __m128i e_max = _mm_max_epi32(_mm256_castsi256_si128(e_max8), _mm256_extracti128_si256(e_max8, 1));
  for (; i + kLanes <= n; i += kLanes) {
    const __m128i ua = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    const __m128i ub = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    const __m128i e = _mm_add_epi32(exponents(ua, emin), exponents(ub, emin));
    const __m128i zero = _mm_or_si128(is_zero(ua), is_zero(ub));  // zero products take no part
    e_max = _mm_max_epi32(e_max, _mm_blendv_epi8(e, none, zero));
  }
  e_max = _mm_max_epi32(e_max, _mm_shuffle_epi32(e_max, _MM_SHUFFLE(1, 0, 3, 2)));
  e_max = _mm_max_epi32(e_max, _mm_shuffle_epi32(e_max, _MM_SHUFFLE(2, 3, 0, 1)));
  const int vector_max = _mm_cvtsi128_si32(e_max);
  const int tail_max = block_max_exponent_scalar(a + i, b + i, n - i, input_emin);
  return vector_max > tail_max ? vector_max : tail_max;
}

double block_aligned_sum_avx2(const float* a, const float* b, size_t n, double scale) {
  const __m256d s = _mm256_set1_pd(scale);
  __m256d sum = _mm256_setzero_pd(), sum2 = _mm256_setzero_pd();
  size_t i = 0;
  // Two independent chains of additions, eight products per step.
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const __m256d t = _mm256_mul_pd(
        _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i)), _mm256_cvtps_pd(_mm_loadu_ps(b + i))), s);
    const __m256d t2 = _mm256_mul_pd(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i + kLanes)),
                                                   _mm256_cvtps_pd(_mm_loadu_ps(b + i + kLanes))),
                                     s);
    sum = _mm256_add_pd(sum, _mm256_round_pd(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC));
    sum2 = _mm256_add_pd(sum2, _mm256_round_pd(t2, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC));
  }
  sum = _mm256_add_pd(sum, sum2);
  for (; i + kLanes <= n; i += kLanes) {
    const __m256d pa = _mm256_cvtps_pd(_mm_loadu_ps(a + i));
    const __m256d pb = _mm256_cvtps_pd(_mm_loadu_ps(b + i));
    const __m256d t = _mm256_mul_pd(_mm256_mul_pd(pa, pb), s);
    sum = _mm256_add_pd(sum, _mm256_round_pd(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC));
  }
  // Integers below 2^53: the order of these additions cannot change the sum.
  const __m128d half = _mm_add_pd(_mm256_castpd256_pd128(sum), _mm256_extractf128_pd(sum, 1));
  const double vector_sum = _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
  return vector_sum + block_aligned_sum_scalar(a + i, b + i, n - i, scale);
}

}  // namespace mantissa::kernels::detail
