// SSE2 kernels: the x86-64 baseline, so they run on every x86 CPU. (SSE2
// lacks a 32-bit multiply, an unsigned compare and an unsigned pack; the
// workarounds are below.) The algorithms are in convert_lanes.h.
#if defined(__x86_64__) || defined(__i386__)
#include <emmintrin.h>

#include "kernels/convert_lanes.h"
#include "kernels/kernel_sets.h"

namespace mantissa::kernels::detail {
namespace {

struct Sse2 {
  using V = __m128i;
  static constexpr size_t kLanes = 4;

  static V splat(uint32_t c) { return _mm_set1_epi32(static_cast<int>(c)); }
  static V iota() { return _mm_setr_epi32(0, 1, 2, 3); }
  static V bit_and(V a, V b) { return _mm_and_si128(a, b); }
  static V bit_or(V a, V b) { return _mm_or_si128(a, b); }
  static V bit_xor(V a, V b) { return _mm_xor_si128(a, b); }
  static V add(V a, V b) { return _mm_add_epi32(a, b); }
  static V sub(V a, V b) { return _mm_sub_epi32(a, b); }
  static V shift_left(V a, int k) { return _mm_slli_epi32(a, k); }
  static V shift_right(V a, int k) { return _mm_srli_epi32(a, k); }
  // No pmulld before SSE4.1: multiply the even and the odd lanes as 64-bit
  // products (pmuludq) and gather their low halves back in lane order.
  static V mul_lo(V a, V b) {
    const V even = _mm_mul_epu32(a, b);
    const V odd = _mm_mul_epu32(_mm_srli_epi64(a, 32), _mm_srli_epi64(b, 32));
    return _mm_unpacklo_epi32(_mm_shuffle_epi32(even, _MM_SHUFFLE(0, 0, 2, 0)),
                              _mm_shuffle_epi32(odd, _MM_SHUFFLE(0, 0, 2, 0)));
  }
  // No pminsd before SSE4.1.
  static V minimum(V a, V b) { return select(_mm_cmpgt_epi32(a, b), b, a); }
  static V less(V a, V b) { return _mm_cmplt_epi32(a, b); }
  static V greater(V a, V b) { return _mm_cmpgt_epi32(a, b); }
  static V equal(V a, V b) { return _mm_cmpeq_epi32(a, b); }
  // Unsigned order = signed order with the top bits flipped.
  static V less_unsigned(V a, V b) {
    const V flip = splat(0x80000000u);
    return _mm_cmplt_epi32(_mm_xor_si128(a, flip), _mm_xor_si128(b, flip));
  }
  static bool any(V mask) { return _mm_movemask_epi8(mask) != 0; }
  static V select(V mask, V if_set, V if_clear) {
    return _mm_or_si128(_mm_and_si128(mask, if_set), _mm_andnot_si128(mask, if_clear));
  }
  static __m128 f(V a) { return _mm_castsi128_ps(a); }
  static V i(__m128 a) { return _mm_castps_si128(a); }
  static V float_add(V a, V b) { return i(_mm_add_ps(f(a), f(b))); }
  static V float_sub(V a, V b) { return i(_mm_sub_ps(f(a), f(b))); }
  static V float_mul(V a, V b) { return i(_mm_mul_ps(f(a), f(b))); }
  static V trunc_to_i32(V a) { return _mm_cvttps_epi32(f(a)); }
  static V to_f32(V a) { return i(_mm_cvtepi32_ps(a)); }
  // cvttps2dq stops at 2^31: take 2^31 off values in [2^31, 2^32) (exact,
  // same binade) and put the top bit back after converting.
  static V trunc_to_u32(V a) {
    const __m128 two31 = f(splat(kF32TwoTo31));
    const __m128 big = _mm_cmpge_ps(f(a), two31);
    const V low = _mm_cvttps_epi32(_mm_sub_ps(f(a), _mm_and_ps(big, two31)));
    return _mm_or_si128(low, _mm_and_si128(i(big), splat(0x80000000u)));
  }

  static V load_f32(const float* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
  static void store_f32(float* p, V v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }
  static V load_u16(const uint16_t* p) {
    return _mm_unpacklo_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)), _mm_setzero_si128());
  }
  static V load_u8(const uint8_t* p) {
    int32_t four;
    std::memcpy(&four, p, 4);
    const V zero = _mm_setzero_si128();
    return _mm_unpacklo_epi16(_mm_unpacklo_epi8(_mm_cvtsi32_si128(four), zero), zero);
  }
  // packs_epi32 saturates to int16: sign-extend the low halves first, so
  // every 16-bit pattern passes through unchanged.
  static V low16_signed(V a) { return _mm_srai_epi32(_mm_slli_epi32(a, 16), 16); }
  static void store_u16(uint16_t* p, V lo, V hi) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm_packs_epi32(low16_signed(lo), low16_signed(hi)));
  }
  // Lanes hold 0..255: the signed 32 -> 16 pack and the unsigned 16 -> 8
  // pack both pass them unchanged.
  static void store_u8(uint8_t* p, V a, V b, V c, V d) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p),
                     _mm_packus_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d)));
  }
};

}  // namespace

const KernelSet kSse2Kernels = simd_kernel_set<Sse2>("sse2");

}  // namespace mantissa::kernels::detail
#endif
