// AVX-512 kernels: the hardware's own conversions, sixteen lanes at a time
// (this file is compiled with -mavx512f -mavx512bw -mavx512vl -mavx512dq
// -mavx512bf16; its kernels run only when the CPU has them: see
// runnable_kernel_sets() in convert.cpp).
//   fp32 -> fp16  vcvtps2ph zmm (AVX512F), round to nearest even from the
//                 immediate, so MXCSR's rounding mode does not matter
//   fp16 -> fp32  vcvtph2ps zmm: exact
//   fp32 -> bf16  vcvtneps2bf16 (AVX512_BF16), with the fix-up below
//   bf16 -> fp32  a shift, and the quiet bit for NaNs
// Partial blocks use masked loads and stores (masked-off lanes neither fault
// nor write), so every n runs through the same code.
//
// vcvtneps2bf16 rounds to nearest even and treats NaNs as the core does (sign
// and top of the payload kept, quiet bit set: Intel SDM, VCVTNEPS2BF16,
// "convert_fp32_to_bfloat16"), but it reads fp32 subnormal inputs as zero
// whatever MXCSR says. The core keeps them as values (bf16 has fp32's
// exponent range, so they round to bf16 subnormals, or up to the smallest
// normal). Lanes with a subnormal input take the integer rounding of
// convert_lanes.h instead; everywhere else the instruction's bits are the
// core's, which the exhaustive test checks for all 2^32 inputs.
//
// Saturation: the instructions have no saturating form. Where a finite input
// came out infinite, the result is replaced by max finite with its sign
// (infinite inputs stay infinite, NaNs stay NaN, as in the core).
//
// Only conversions with a hardware instruction live here; the rest (fp8,
// stochastic rounding) have null entries and run on the AVX2 integer kernels
// (convert.cpp picks per conversion). No AVX512-FP16 kernel: that extension
// adds fp16 arithmetic, and fp32 <-> fp16 conversion is already vcvtps2ph /
// vcvtph2ps here.
//
// This file must not odr-use an inline function from a header (its copy,
// compiled with AVX-512, could be the one the linker keeps for other callers):
// it uses intrinsics and its own functions only.
#if defined(__x86_64__) || defined(__i386__)
#if defined(__GNUC__) && !defined(__clang__)
// g++ 12 warns inside its own AVX-512 headers, whose intrinsics start from
// _mm512_undefined_*() (GCC bug 105593, fixed in g++ 13): not our code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/kernel_sets.h"

namespace mantissa::kernels::detail {
namespace {

constexpr size_t kLanes = 16;
constexpr uint32_t kF32AbsMask = 0x7fffffffu;
constexpr uint32_t kF32Inf = 0x7f800000u;
constexpr uint32_t kF32MinNormal = 0x00800000u;
constexpr uint32_t kF32QuietBit = 0x00400000u;
constexpr uint16_t kSign16 = 0x8000u;
constexpr uint16_t kFp16Inf = 0x7c00u, kFp16MaxFinite = 0x7bffu;
constexpr uint16_t kBf16Inf = 0x7f80u, kBf16MaxFinite = 0x7f7fu;
// bf16 keeps fp32's top 16 bits: round to nearest even on the integer bits
// by adding half an ULP minus one plus the lowest kept bit (convert_lanes.h).
constexpr int kBf16Drop = 16;
constexpr uint32_t kBf16HalfUlpMinusOne = (1u << (kBf16Drop - 1)) - 1;

__mmask16 first_lanes(size_t count) { return static_cast<__mmask16>((1u << count) - 1); }

// Lanes whose input is finite (not inf, not NaN), by the bits.
__mmask16 finite_lanes(__m512i bits) {
  const __m512i a = _mm512_and_si512(bits, _mm512_set1_epi32(kF32AbsMask));
  return _mm512_cmplt_epu32_mask(a, _mm512_set1_epi32(kF32Inf));
}

// Saturating: lanes where a finite input gave +-inf get +-max finite.
__m256i saturate16(__m256i r, __m512i in_bits, uint16_t inf, uint16_t max_finite) {
  const __m256i magnitude = _mm256_andnot_si256(_mm256_set1_epi16(static_cast<short>(kSign16)), r);
  const __mmask16 overflowed =
      _mm256_cmpeq_epi16_mask(magnitude, _mm256_set1_epi16(static_cast<short>(inf))) & finite_lanes(in_bits);
  const __m256i clamped = _mm256_or_si256(_mm256_and_si256(r, _mm256_set1_epi16(static_cast<short>(kSign16))),
                                          _mm256_set1_epi16(static_cast<short>(max_finite)));
  return _mm256_mask_blend_epi16(overflowed, r, clamped);
}

// ---- fp32 -> fp16 -------------------------------------------------------------

template <bool kSaturate>
__m256i to_fp16x16(__m512 x) {
  __m256i r = _mm512_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  if constexpr (kSaturate) r = saturate16(r, _mm512_castps_si512(x), kFp16Inf, kFp16MaxFinite);
  return r;
}

template <bool kSaturate>
void fp32_to_fp16_loop(const float* in, uint16_t* out, size_t n) {
  size_t i = 0;
  // Two vectors per iteration: two independent conversions in flight.
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const __m256i r0 = to_fp16x16<kSaturate>(_mm512_loadu_ps(in + i));
    const __m256i r1 = to_fp16x16<kSaturate>(_mm512_loadu_ps(in + i + kLanes));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), r0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + kLanes), r1);
  }
  for (; i < n; i += kLanes) {
    const __mmask16 m = n - i >= kLanes ? static_cast<__mmask16>(0xffff) : first_lanes(n - i);
    _mm256_mask_storeu_epi16(out + i, m, to_fp16x16<kSaturate>(_mm512_maskz_loadu_ps(m, in + i)));
  }
}

void fp32_to_fp16_avx512(const float* in, uint16_t* out, size_t n, bool saturate) {
  if (saturate) {
    fp32_to_fp16_loop<true>(in, out, n);
  } else {
    fp32_to_fp16_loop<false>(in, out, n);
  }
}

// ---- fp32 -> bf16 -------------------------------------------------------------

template <bool kSaturate>
__m256i to_bf16x16(__m512 x) {
  const __m512i bits = _mm512_castps_si512(x);
  __m256i r = reinterpret_cast<__m256i>(_mm512_cvtneps_pbh(x));
  // Subnormal inputs: 0 < |x| < 2^-126, i.e. |x| - 1 < 2^-126 - 1 unsigned.
  const __m512i a = _mm512_and_si512(bits, _mm512_set1_epi32(kF32AbsMask));
  const __mmask16 subnormal = _mm512_cmplt_epu32_mask(_mm512_sub_epi32(a, _mm512_set1_epi32(1)),
                                                      _mm512_set1_epi32(kF32MinNormal - 1));
  if (subnormal) {  // rare in real data: the branch keeps the common case short
    const __m512i lowest_kept = _mm512_and_si512(_mm512_srli_epi32(a, kBf16Drop), _mm512_set1_epi32(1));
    const __m512i rounded = _mm512_srli_epi32(
        _mm512_add_epi32(_mm512_add_epi32(a, _mm512_set1_epi32(kBf16HalfUlpMinusOne)), lowest_kept),
        kBf16Drop);
    const __m512i sign = _mm512_and_si512(_mm512_srli_epi32(bits, kBf16Drop), _mm512_set1_epi32(kSign16));
    r = _mm256_mask_blend_epi16(subnormal, r, _mm512_cvtepi32_epi16(_mm512_or_si512(rounded, sign)));
  }
  if constexpr (kSaturate) r = saturate16(r, bits, kBf16Inf, kBf16MaxFinite);
  return r;
}

template <bool kSaturate>
void fp32_to_bf16_loop(const float* in, uint16_t* out, size_t n) {
  size_t i = 0;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const __m256i r0 = to_bf16x16<kSaturate>(_mm512_loadu_ps(in + i));
    const __m256i r1 = to_bf16x16<kSaturate>(_mm512_loadu_ps(in + i + kLanes));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), r0);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + kLanes), r1);
  }
  for (; i < n; i += kLanes) {
    const __mmask16 m = n - i >= kLanes ? static_cast<__mmask16>(0xffff) : first_lanes(n - i);
    _mm256_mask_storeu_epi16(out + i, m, to_bf16x16<kSaturate>(_mm512_maskz_loadu_ps(m, in + i)));
  }
}

void fp32_to_bf16_avx512(const float* in, uint16_t* out, size_t n, bool saturate) {
  if (saturate) {
    fp32_to_bf16_loop<true>(in, out, n);
  } else {
    fp32_to_bf16_loop<false>(in, out, n);
  }
}

// ---- widening -----------------------------------------------------------------

void fp16_to_fp32_avx512(const uint16_t* in, float* out, size_t n) {
  for (size_t i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i >= kLanes ? static_cast<__mmask16>(0xffff) : first_lanes(n - i);
    _mm512_mask_storeu_ps(out + i, m, _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, in + i)));
  }
}

// bf16 is fp32's top half: shift it into place. The core quiets NaNs when
// widening (a signalling bf16 NaN becomes a quiet fp32 one, payload kept).
void bf16_to_fp32_avx512(const uint16_t* in, float* out, size_t n) {
  for (size_t i = 0; i < n; i += kLanes) {
    const __mmask16 m = n - i >= kLanes ? static_cast<__mmask16>(0xffff) : first_lanes(n - i);
    const __m512i r =
        _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, in + i)), kBf16Drop);
    const __mmask16 nan = _mm512_cmpgt_epu32_mask(_mm512_and_si512(r, _mm512_set1_epi32(kF32AbsMask)),
                                                  _mm512_set1_epi32(kF32Inf));
    _mm512_mask_storeu_epi32(out + i, m, _mm512_mask_or_epi32(r, nan, r, _mm512_set1_epi32(kF32QuietBit)));
  }
}

}  // namespace

// With and without AVX512_BF16: the same table but for fp32 -> bf16, which
// stays on the integer kernels where the CPU lacks vcvtneps2bf16.
const KernelSet kAvx512Kernels = {
    .name = "avx512",
    .fp32_to_fp16 = &fp32_to_fp16_avx512,
    .fp16_to_fp32 = &fp16_to_fp32_avx512,
    .bf16_to_fp32 = &bf16_to_fp32_avx512,
};
const KernelSet kAvx512Bf16Kernels = {
    .name = "avx512",
    .fp32_to_fp16 = &fp32_to_fp16_avx512,
    .fp32_to_bf16 = &fp32_to_bf16_avx512,
    .fp16_to_fp32 = &fp16_to_fp32_avx512,
    .bf16_to_fp32 = &bf16_to_fp32_avx512,
};

}  // namespace mantissa::kernels::detail
#endif
