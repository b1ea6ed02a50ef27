// tally_fp32() on AVX2: two vectors of four doubles per group of eight elements.
#include <immintrin.h>

#include "kernels/error_tally_body.h"
#include "kernels/error_tally_table.h"

namespace mantissa::kernels::detail {

namespace {
struct Avx2Widen {
  static TallyVectors<4>::V load(const float* p) { return (TallyVectors<4>::V)_mm256_cvtps_pd(_mm_loadu_ps(p)); }
  static TallyVectors<4>::V lo(TallyVectors<4>::F2 a) {
    return (TallyVectors<4>::V)_mm256_cvtps_pd(_mm256_castps256_ps128((__m256)a));
  }
  static TallyVectors<4>::V hi(TallyVectors<4>::F2 a) {
    return (TallyVectors<4>::V)_mm256_cvtps_pd(_mm256_extractf128_ps((__m256)a, 1));
  }
};
}  // namespace

void tally_fp32_avx2(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b, ErrorTally* t) {
  tally_fp32_simd<4, Avx2Widen>(x, y, n, first, b, t);
}

void tally_fp32_round_avx2(const float* x, const RoundSpec& r, size_t n, uint64_t first, const TallyBounds& b,
                           ErrorTally* t) {
  tally_fp32_round_simd<4, Avx2Widen>(x, r, n, first, b, t);
}

void tally_table16_avx2(const uint16_t* v, size_t n, uint64_t first, const double* table, size_t row, double* lanes,
                        uint32_t* hist) {
  table16_dispatch(v, n, first, table, row, lanes, hist);
}

}  // namespace mantissa::kernels::detail
