// tally_fp32() on AVX-512: one vector of eight doubles per group of eight
// elements. Zen 4 executes 512-bit operations in two 256-bit halves, yet the
// loop issues half the instructions of the AVX2 one, and that is what it was
// bound by (the division was not: replacing it by a multiplication changed
// nothing measurable).
#include <immintrin.h>

#include "kernels/error_tally_body.h"

namespace mantissa::kernels::detail {

namespace {
struct Avx512Widen {
  static TallyVectors<8>::V load(const float* p) {
    // (maskz: the unmasked intrinsic trips g++ 12's -Wmaybe-uninitialized)
    return (TallyVectors<8>::V)_mm512_maskz_cvtps_pd(0xff, _mm256_loadu_ps(p));
  }
  static TallyVectors<8>::V lo(TallyVectors<8>::F2 a) {
    const __m256 l = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xf, _mm512_castps_pd((__m512)a), 0));
    return (TallyVectors<8>::V)_mm512_maskz_cvtps_pd(0xff, l);
  }
  static TallyVectors<8>::V hi(TallyVectors<8>::F2 a) {
    const __m256 h = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd(0xf, _mm512_castps_pd((__m512)a), 1));
    return (TallyVectors<8>::V)_mm512_maskz_cvtps_pd(0xff, h);
  }
};
}  // namespace

void tally_fp32_avx512(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b,
                       ErrorTally* t) {
  tally_fp32_simd<8, Avx512Widen>(x, y, n, first, b, t);
}

void tally_fp32_round_avx512(const float* x, const RoundSpec& r, size_t n, uint64_t first, const TallyBounds& b,
                             ErrorTally* t) {
  tally_fp32_round_simd<8, Avx512Widen>(x, r, n, first, b, t);
}

}  // namespace mantissa::kernels::detail
