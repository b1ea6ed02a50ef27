// tally_fp32() on wasm SIMD128: four vectors of two doubles per group of eight elements.
#include "kernels/error_tally_body.h"

namespace mantissa::kernels::detail {

void tally_fp32_wasm128(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b,
                        ErrorTally* t) {
  tally_fp32_simd<2>(x, y, n, first, b, t);
}

void tally_fp32_round_wasm128(const float* x, const RoundSpec& r, size_t n, uint64_t first, const TallyBounds& b,
                              ErrorTally* t) {
  tally_fp32_round_simd<2>(x, r, n, first, b, t);
}

}  // namespace mantissa::kernels::detail
