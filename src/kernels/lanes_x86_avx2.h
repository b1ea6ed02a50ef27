// Internal: the AVX2 operations struct of convert_lanes.h (eight 32-bit
// lanes). Include it only from files compiled with -mavx2 (*_avx2.cpp): the
// struct lives in an anonymous namespace so that its inline functions are
// never shared with code compiled for plain SSE2.
#pragma once
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/convert_lanes.h"

namespace mantissa::kernels::detail {
namespace {

struct Avx2 {
  using V = __m256i;
  static constexpr size_t kLanes = 8;

  static V splat(uint32_t c) { return _mm256_set1_epi32(static_cast<int>(c)); }
  static V iota() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
  static V bit_and(V a, V b) { return _mm256_and_si256(a, b); }
  static V bit_or(V a, V b) { return _mm256_or_si256(a, b); }
  static V bit_xor(V a, V b) { return _mm256_xor_si256(a, b); }
  static V add(V a, V b) { return _mm256_add_epi32(a, b); }
  static V sub(V a, V b) { return _mm256_sub_epi32(a, b); }
  static V shift_left(V a, int k) { return _mm256_slli_epi32(a, k); }
  static V shift_right(V a, int k) { return _mm256_srli_epi32(a, k); }
  static V mul_lo(V a, V b) { return _mm256_mullo_epi32(a, b); }
  static V minimum(V a, V b) { return _mm256_min_epi32(a, b); }
  static V less(V a, V b) { return _mm256_cmpgt_epi32(b, a); }
  static V greater(V a, V b) { return _mm256_cmpgt_epi32(a, b); }
  static V equal(V a, V b) { return _mm256_cmpeq_epi32(a, b); }
  // Unsigned order = signed order with the top bits flipped.
  static V less_unsigned(V a, V b) {
    const V flip = splat(0x80000000u);
    return _mm256_cmpgt_epi32(_mm256_xor_si256(b, flip), _mm256_xor_si256(a, flip));
  }
  static bool any(V mask) { return !_mm256_testz_si256(mask, mask); }
  static V select(V mask, V if_set, V if_clear) { return _mm256_blendv_epi8(if_clear, if_set, mask); }
  static __m256 f(V a) { return _mm256_castsi256_ps(a); }
  static V i(__m256 a) { return _mm256_castps_si256(a); }
  static V float_add(V a, V b) { return i(_mm256_add_ps(f(a), f(b))); }
  static V float_sub(V a, V b) { return i(_mm256_sub_ps(f(a), f(b))); }
  static V float_mul(V a, V b) { return i(_mm256_mul_ps(f(a), f(b))); }
  static V trunc_to_i32(V a) { return _mm256_cvttps_epi32(f(a)); }
  static V to_f32(V a) { return i(_mm256_cvtepi32_ps(a)); }
  // vcvttps2dq stops at 2^31: take 2^31 off values in [2^31, 2^32) (exact,
  // same binade) and put the top bit back after converting.
  static V trunc_to_u32(V a) {
    const __m256 two31 = f(splat(kF32TwoTo31));
    const __m256 big = _mm256_cmp_ps(f(a), two31, _CMP_GE_OQ);
    const V low = _mm256_cvttps_epi32(_mm256_sub_ps(f(a), _mm256_and_ps(big, two31)));
    return _mm256_or_si256(low, _mm256_and_si256(i(big), splat(0x80000000u)));
  }

  static V load_f32(const float* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static void store_f32(float* p, V v) { _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v); }
  static V load_u16(const uint16_t* p) {
    return _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }
  static V load_u8(const uint8_t* p) {
    return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
  }
  // The packs work within 128-bit halves: packus(lo, hi) leaves the 64-bit
  // quarters as lo0-3, hi0-3, lo4-7, hi4-7; swap the middle two.
  static constexpr int kQuartersInOrder = _MM_SHUFFLE(3, 1, 2, 0);
  static void store_u16(uint16_t* p, V lo, V hi) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p),
                        _mm256_permute4x64_epi64(_mm256_packus_epi32(lo, hi), kQuartersInOrder));
  }
  // Two rounds of packing leave 32-bit groups of four bytes as
  // a0-3 b0-3 c0-3 d0-3 a4-7 b4-7 c4-7 d4-7: gather them back in order.
  static void store_u8(uint8_t* p, V a, V b, V c, V d) {
    const V packed = _mm256_packus_epi16(_mm256_packus_epi32(a, b), _mm256_packus_epi32(c, d));
    const V groups_in_order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), _mm256_permutevar8x32_epi32(packed, groups_in_order));
  }
};

}  // namespace
}  // namespace mantissa::kernels::detail
#endif
