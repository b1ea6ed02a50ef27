// F16C kernels: the hardware's own fp32 <-> fp16 conversions (vcvtps2ph /
// vcvtph2ps, eight at a time). Compiled with target attributes rather than
// file-wide flags, and run only when the CPU has F16C and AVX (convert.cpp).
// Round to nearest even and the NaN rule (sign kept, quiet bit set, top of
// the payload kept) are the hardware's, which is where the core's rule
// comes from. The other conversions have no F16C kernel.
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cmath>
#include <cstring>

#include "kernels/kernel_sets.h"

#define MANTISSA_F16C __attribute__((target("avx,f16c")))

namespace mantissa::kernels::detail {
namespace {

constexpr float kFp16MaxFinite = 65504.0f;

// Saturating: clamp finite values to +-65504 before converting, which then
// gives +-max finite where the plain conversion would overflow (and values
// in [65504, 65520) round to max finite anyway). inf and NaN pass unclamped:
// inf stays inf, as in the core.
template <bool kSaturate>
MANTISSA_F16C inline __m128i to_fp16x8(__m256 x) {
  if constexpr (kSaturate) {
    const __m256 magnitude = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
    const __m256 finite = _mm256_cmp_ps(magnitude, _mm256_set1_ps(INFINITY), _CMP_LT_OQ);
    const __m256 clamped =
        _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-kFp16MaxFinite)), _mm256_set1_ps(kFp16MaxFinite));
    x = _mm256_blendv_ps(x, clamped, finite);
  }
  return _mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT);
}

template <bool kSaturate>
MANTISSA_F16C void fp32_to_fp16_f16c_loop(const float* in, uint16_t* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), to_fp16x8<kSaturate>(_mm256_loadu_ps(in + i)));
  }
  if (i < n) {
    float tail_in[8] = {};
    uint16_t tail_out[8];
    std::memcpy(tail_in, in + i, (n - i) * sizeof(float));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(tail_out), to_fp16x8<kSaturate>(_mm256_loadu_ps(tail_in)));
    std::memcpy(out + i, tail_out, (n - i) * sizeof(uint16_t));
  }
}

void fp32_to_fp16_f16c(const float* in, uint16_t* out, size_t n, bool saturate) {
  if (saturate) {
    fp32_to_fp16_f16c_loop<true>(in, out, n);
  } else {
    fp32_to_fp16_f16c_loop<false>(in, out, n);
  }
}

MANTISSA_F16C void fp16_to_fp32_f16c(const uint16_t* in, float* out, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(in + i))));
  }
  if (i < n) {
    uint16_t tail_in[8] = {};
    float tail_out[8];
    std::memcpy(tail_in, in + i, (n - i) * sizeof(uint16_t));
    _mm256_storeu_ps(tail_out, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(tail_in))));
    std::memcpy(out + i, tail_out, (n - i) * sizeof(float));
  }
}

}  // namespace

// Only the two fp16 kernels; the other entries stay null.
const KernelSet kF16cKernels = {
    .name = "f16c",
    .fp32_to_fp16 = &fp32_to_fp16_f16c,
    .fp16_to_fp32 = &fp16_to_fp32_f16c,
};

}  // namespace mantissa::kernels::detail
#endif
