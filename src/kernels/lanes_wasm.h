// Internal: the WebAssembly SIMD128 operations struct of convert_lanes.h
// (four 32-bit lanes), for the *_wasm.cpp kernels (web build, -msimd128).
#pragma once
#ifdef __EMSCRIPTEN__
#include <wasm_simd128.h>

#include <cstddef>
#include <cstdint>

#include "kernels/convert_lanes.h"

namespace mantissa::kernels::detail {
namespace {

struct WasmSimd128 {
  using V = v128_t;
  static constexpr size_t kLanes = 4;

  static V splat(uint32_t c) { return wasm_i32x4_splat(static_cast<int32_t>(c)); }
  static V iota() { return wasm_i32x4_make(0, 1, 2, 3); }
  static V bit_and(V a, V b) { return wasm_v128_and(a, b); }
  static V bit_or(V a, V b) { return wasm_v128_or(a, b); }
  static V bit_xor(V a, V b) { return wasm_v128_xor(a, b); }
  static V add(V a, V b) { return wasm_i32x4_add(a, b); }
  static V sub(V a, V b) { return wasm_i32x4_sub(a, b); }
  static V shift_left(V a, int k) { return wasm_i32x4_shl(a, static_cast<uint32_t>(k)); }
  static V shift_right(V a, int k) { return wasm_u32x4_shr(a, static_cast<uint32_t>(k)); }
  static V mul_lo(V a, V b) { return wasm_i32x4_mul(a, b); }
  static V minimum(V a, V b) { return wasm_i32x4_min(a, b); }
  static V less(V a, V b) { return wasm_i32x4_lt(a, b); }
  static V greater(V a, V b) { return wasm_i32x4_gt(a, b); }
  static V equal(V a, V b) { return wasm_i32x4_eq(a, b); }
  static V less_unsigned(V a, V b) { return wasm_u32x4_lt(a, b); }
  static bool any(V mask) { return wasm_v128_any_true(mask); }
  static V select(V mask, V if_set, V if_clear) { return wasm_v128_bitselect(if_set, if_clear, mask); }
  static V float_add(V a, V b) { return wasm_f32x4_add(a, b); }
  static V float_sub(V a, V b) { return wasm_f32x4_sub(a, b); }
  static V float_mul(V a, V b) { return wasm_f32x4_mul(a, b); }
  static V trunc_to_i32(V a) { return wasm_i32x4_trunc_sat_f32x4(a); }
  static V trunc_to_u32(V a) { return wasm_u32x4_trunc_sat_f32x4(a); }
  static V to_f32(V a) { return wasm_f32x4_convert_i32x4(a); }

  static V load_f32(const float* p) { return wasm_v128_load(p); }
  static void store_f32(float* p, V v) { wasm_v128_store(p, v); }
  static V load_u16(const uint16_t* p) { return wasm_u32x4_load16x4(p); }
  static V load_u8(const uint8_t* p) {
    return wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p)));
  }
  // Lanes hold 0..0xffff: the unsigned saturating narrow passes them as they
  // are (the signed i16x8 one would clip those with bit 15 set, pitfall 19).
  static void store_u16(uint16_t* p, V lo, V hi) { wasm_v128_store(p, wasm_u16x8_narrow_i32x4(lo, hi)); }
  static void store_u8(uint8_t* p, V a, V b, V c, V d) {
    wasm_v128_store(p, wasm_u8x16_narrow_i16x8(wasm_u16x8_narrow_i32x4(a, b), wasm_u16x8_narrow_i32x4(c, d)));
  }
};

}  // namespace
}  // namespace mantissa::kernels::detail
#endif
