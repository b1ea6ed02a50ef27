// WebAssembly SIMD128 forms of the tensor-core block's two passes (web build),
// lane for lane the scalar references in dot.cpp: four products at a time,
// exponents in i32x4, aligned terms in two f64x2 (exact, see dot.h).
// SIMD128 has no per-lane variable shift; the double form needs none.
#include "kernels/dot.h"

#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace mantissa::kernels::detail {

namespace {

constexpr int kLanes = 4;
constexpr int kExponentBias = 127;

// max(float exponent, emin) of four values (dot.h's float_exponent).
inline v128_t exponents(v128_t bits, v128_t emin) {
  const v128_t field = wasm_v128_and(wasm_u32x4_shr(bits, 23), wasm_i32x4_splat(0xff));
  const v128_t e =
      wasm_i32x4_sub(wasm_i32x4_max(field, wasm_i32x4_splat(1)), wasm_i32x4_splat(kExponentBias));
  return wasm_i32x4_max(e, emin);
}

inline v128_t is_zero(v128_t bits) {
  return wasm_i32x4_eq(wasm_v128_and(bits, wasm_i32x4_splat(0x7fffffff)), wasm_i32x4_splat(0));
}

}  // namespace

int block_max_exponent_wasm(const float* a, const float* b, size_t n, int input_emin) {
  const v128_t emin = wasm_i32x4_splat(input_emin);
  const v128_t none = wasm_i32x4_splat(kNoExponent);
  v128_t e_max = none;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const v128_t ua = wasm_v128_load(a + i), ub = wasm_v128_load(b + i);
    const v128_t e = wasm_i32x4_add(exponents(ua, emin), exponents(ub, emin));
    const v128_t zero = wasm_v128_or(is_zero(ua), is_zero(ub));  // zero products take no part
    e_max = wasm_i32x4_max(e_max, wasm_v128_bitselect(none, e, zero));
  }
  e_max = wasm_i32x4_max(e_max, wasm_i32x4_shuffle(e_max, e_max, 2, 3, 0, 1));
  e_max = wasm_i32x4_max(e_max, wasm_i32x4_shuffle(e_max, e_max, 1, 0, 3, 2));
  const int vector_max = wasm_i32x4_extract_lane(e_max, 0);
  const int tail_max = block_max_exponent_scalar(a + i, b + i, n - i, input_emin);
  return vector_max > tail_max ? vector_max : tail_max;
}

double block_aligned_sum_wasm(const float* a, const float* b, size_t n, double scale) {
  const v128_t s = wasm_f64x2_splat(scale);
  v128_t sum = wasm_f64x2_splat(0);
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const v128_t va = wasm_v128_load(a + i), vb = wasm_v128_load(b + i);
    const v128_t lo =
        wasm_f64x2_mul(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(va), wasm_f64x2_promote_low_f32x4(vb)), s);
    const v128_t va_hi = wasm_i32x4_shuffle(va, va, 2, 3, 0, 1),
                 vb_hi = wasm_i32x4_shuffle(vb, vb, 2, 3, 0, 1);
    const v128_t hi = wasm_f64x2_mul(
        wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(va_hi), wasm_f64x2_promote_low_f32x4(vb_hi)), s);
    sum = wasm_f64x2_add(sum, wasm_f64x2_add(wasm_f64x2_trunc(lo), wasm_f64x2_trunc(hi)));
  }
  // Integers below 2^53: the order of these additions cannot change the sum.
  const double vector_sum = wasm_f64x2_extract_lane(sum, 0) + wasm_f64x2_extract_lane(sum, 1);
  return vector_sum + block_aligned_sum_scalar(a + i, b + i, n - i, scale);
}

}  // namespace mantissa::kernels::detail

#endif
