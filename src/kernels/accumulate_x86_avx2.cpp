// AVX2 + F16C population update kernels (x86-64, chosen at run time).
// Lane for lane the same algorithm as the scalar references in
// accumulate.cpp: TwoSum in fp32, round to odd, then RNE into the target.
// No multiplies: -mfma cannot contract anything here.
#include <immintrin.h>

#include "kernels/accumulate.h"

namespace mantissa::kernels::detail {

namespace {

constexpr int kLanes = 8;

inline __m256 load_inc(const float* inc, size_t stride, size_t i) {
  return stride ? _mm256_loadu_ps(inc + i) : _mm256_set1_ps(*inc);
}

// `sum` where w is a number; w quieted where w is NaN. Which NaN operand an
// add passes on is open (and the compiler may swap an add's operands); the
// kernels all let the weight's win (see add_round_to_odd_fp32).
inline __m256 nan_weight_wins(__m256 w, __m256 sum) {
  const __m256 quiet =
      _mm256_castsi256_ps(_mm256_or_si256(_mm256_castps_si256(w), _mm256_set1_epi32(0x00400000)));
  return _mm256_blendv_ps(sum, quiet, _mm256_cmp_ps(w, w, _CMP_UNORD_Q));
}

// TwoSum s + e == w + d, then s rounded to odd (see add_round_to_odd_fp32).
inline __m256i add_round_to_odd(__m256 w, __m256 d) {
  const __m256 s = _mm256_add_ps(w, d);
  const __m256 bb = _mm256_sub_ps(s, w);
  const __m256 e = _mm256_add_ps(_mm256_sub_ps(w, _mm256_sub_ps(s, bb)), _mm256_sub_ps(d, bb));
  const __m256i sb = _mm256_castps_si256(s);
  const __m256i one = _mm256_set1_epi32(1);
  // Ordered not-equal: a NaN e (overflow or NaN input) leaves s alone.
  const __m256i inexact = _mm256_castps_si256(_mm256_cmp_ps(e, _mm256_setzero_ps(), _CMP_NEQ_OQ));
  const __m256i even = _mm256_cmpeq_epi32(_mm256_and_si256(sb, one), _mm256_setzero_si256());
  // +1 when e has s's sign (away from zero), -1 otherwise: 1 - 2 * (sign(s) xor sign(e)).
  const __m256i differ = _mm256_srli_epi32(_mm256_xor_si256(sb, _mm256_castps_si256(e)), 31);
  const __m256i step = _mm256_sub_epi32(one, _mm256_add_epi32(differ, differ));
  const __m256i rounded = _mm256_add_epi32(sb, _mm256_and_si256(_mm256_and_si256(inexact, even), step));
  return _mm256_castps_si256(nan_weight_wins(w, _mm256_castsi256_ps(rounded)));
}

// 8-bit mask of lanes whose increment is non-zero (unordered: NaN counts, as d != 0 does).
inline unsigned nonzero_mask(__m256 d) {
  return static_cast<unsigned>(_mm256_movemask_ps(_mm256_cmp_ps(d, _mm256_setzero_ps(), _CMP_NEQ_UQ)));
}

// 8-bit mask of equal 16-bit lanes.
inline unsigned equal16_mask(__m128i a, __m128i b) {
  const __m128i eq = _mm_cmpeq_epi16(a, b);
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_packs_epi16(eq, _mm_setzero_si128()))) & 0xffu;
}

// fp32 bits -> bf16 bits, RNE, NaNs quieted (fp32_to_bf16_rne lane for lane), packed to 8 x u16.
inline __m128i to_bf16(__m256i x) {
  const __m256i abs = _mm256_and_si256(x, _mm256_set1_epi32(0x7fffffff));
  const __m256i is_nan = _mm256_cmpgt_epi32(abs, _mm256_set1_epi32(0x7f800000));
  const __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(1));
  const __m256i rounded =
      _mm256_srli_epi32(_mm256_add_epi32(x, _mm256_add_epi32(_mm256_set1_epi32(0x7fff), lsb)), 16);
  const __m256i quiet = _mm256_or_si256(_mm256_srli_epi32(x, 16), _mm256_set1_epi32(0x0040));
  const __m256i r = _mm256_blendv_epi8(rounded, quiet, is_nan);
  // Values fit in 16 bits: pack (unsigned saturation never triggers), fix the lane order.
  const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
  return _mm256_castsi256_si128(packed);
}

}  // namespace

uint64_t fp16_avx2(uint16_t* w, const float* inc, size_t stride, size_t n) {
  uint64_t lost = 0;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const __m128i old = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i));
    const __m256 d = load_inc(inc, stride, i);
    const __m256i sum = add_round_to_odd(_mm256_cvtph_ps(old), d);
    const __m128i now = _mm256_cvtps_ph(_mm256_castsi256_ps(sum), _MM_FROUND_TO_NEAREST_INT);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(w + i), now);
    lost += static_cast<uint64_t>(__builtin_popcount(equal16_mask(old, now) & nonzero_mask(d)));
  }
  return lost + fp16_scalar(w + i, inc + i * stride, stride, n - i);
}

uint64_t bf16_avx2(uint16_t* w, const float* inc, size_t stride, size_t n) {
  uint64_t lost = 0;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const __m128i old = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + i));
    const __m256 d = load_inc(inc, stride, i);
    // bf16 -> fp32 is a 16-bit shift: exact, NaN payloads kept.
    const __m256 wf = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(old), 16));
    const __m128i now = to_bf16(add_round_to_odd(wf, d));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(w + i), now);
    lost += static_cast<uint64_t>(__builtin_popcount(equal16_mask(old, now) & nonzero_mask(d)));
  }
  return lost + bf16_scalar(w + i, inc + i * stride, stride, n - i);
}

uint64_t fp32_avx2(float* w, const float* inc, size_t stride, size_t n) {
  uint64_t lost = 0;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const __m256 old = _mm256_loadu_ps(w + i);
    const __m256 d = load_inc(inc, stride, i);
    const __m256 now = nan_weight_wins(old, _mm256_add_ps(old, d));
    _mm256_storeu_ps(w + i, now);
    const __m256i same = _mm256_cmpeq_epi32(_mm256_castps_si256(old), _mm256_castps_si256(now));
    const unsigned same_mask = static_cast<unsigned>(_mm256_movemask_ps(_mm256_castsi256_ps(same)));
    lost += static_cast<uint64_t>(__builtin_popcount(same_mask & nonzero_mask(d)));
  }
  return lost + fp32_scalar(w + i, inc + i * stride, stride, n - i);
}

}  // namespace mantissa::kernels::detail
