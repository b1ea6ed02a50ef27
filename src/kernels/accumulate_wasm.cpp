// WebAssembly SIMD128 population update kernels (web build, -msimd128; plain
// SIMD128 only, TOOLCHAIN.md pitfall 18). The exact path is lane for lane the
// algorithm of the scalar references in accumulate.cpp: TwoSum in fp32, round
// to odd, then RNE into the target. fp16 has no conversion instructions here:
// both directions are integer lane arithmetic, and subnormal fp16 results let
// the FPU do the ties-to-even (an add of 0.5f, whose ulp is 2^-24: pitfall 19).
// fp16 first takes an integer step inside each weight's binade
// (fp16_binade_step.h, about a third of the work); lanes it declines (the
// sum leaves the binade, or is inf or NaN) are queued and take the exact
// path eight at a time. Eight weights per iteration; tails go to the scalar
// reference.
#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include "kernels/accumulate.h"

namespace mantissa::kernels::detail {

namespace {

constexpr size_t kLanes = 8;

// The constants, once per call. V8 materialises a v128.const at every use
// (several instructions each: ~30 uses made the fp16 loop 4x slower than its
// arithmetic), and LLVM folds constants back into their uses rather than
// keep them in locals. Splatted from a zero the optimiser cannot see through
// (an empty asm statement claims to change it), they are computed before the
// loop and stay in registers or stack slots.
inline int32_t opaque_zero() {
  int32_t z = 0;
  __asm__("" : "+r"(z));
  return z;
}

struct Consts {
  explicit Consts(int32_t z) : z_(z) {}
  v128_t c(uint32_t value) const { return wasm_i32x4_splat(static_cast<int32_t>(value) + z_); }
  v128_t c16(int32_t value) const { return wasm_i16x8_splat(static_cast<int16_t>(value + z_)); }
  int32_t z_;
  const v128_t zero = c(0);
  const v128_t one = c(1);
  const v128_t sign32 = c(0x80000000u);
  const v128_t abs32 = c(0x7fffffffu);
  const v128_t inf32 = c(0x7f800000u);
  const v128_t quiet32 = c(0x00400000u);
  const v128_t sign16 = c(0x8000);
  const v128_t abs16 = c(0x7fff);
  const v128_t inf16 = c(0x7c00);
  const v128_t quiet16 = c(0x7e00);
  const v128_t fraction16 = c(0x3ff);
  const v128_t min_normal16 = c(0x0400);
  const v128_t rebias = c((127 - 15) << 23);
  const v128_t half = c(0x3f000000u);  // 0.5f: its ulp is 2^-24
  const v128_t round16 = c(0xfff);     // just under half an fp16 ulp (in fp32 bits)
  const v128_t min_normal16_as32 = c((127 - 14) << 23);
  const v128_t overflow16_as32 = c(0x477ff000u);  // 65520: ties to inf
  const v128_t round_bf16 = c(0x7fff);
  const v128_t quiet_bf16 = c(0x0040);
  // fp16_binade_step, in 16-bit lanes.
  const v128_t lane_sign16 = c16(0x8000);
  const v128_t lane_abs16 = c16(0x7fff);
  const v128_t lane_one16 = c16(1);
  const v128_t lane_exponent16 = c16(0x7c00);
  const v128_t lane_binade1_top = c16(0x7ff);  // em above this: exponent field >= 2
  const v128_t lane_binade_size = c16(0x401);  // (E+1) << 10, plus one for a strict compare
  const v128_t lane_magic_high = c16(((125u << 23) | 0x400000u) >> 16);  // 1.5 * 2^(E-2), less E << 23
  const v128_t all_ones = c16(-1);  // -1 in each 16-bit lane; as a mask, every lane
};

inline v128_t load_inc(const float* inc, size_t stride, size_t i) {
  return stride ? wasm_v128_load(inc + i) : wasm_f32x4_splat(*inc);
}

// `sum` where w is a number; w quieted where w is NaN. Which NaN operand an
// add passes on is open in wasm; the kernels all let the weight's win (see
// add_round_to_odd_fp32).
inline v128_t nan_weight_wins(const Consts& k, v128_t w, v128_t sum) {
  return wasm_v128_bitselect(wasm_v128_or(w, k.quiet32), sum, wasm_f32x4_ne(w, w));
}

// TwoSum s + e == w + d, then s rounded to odd (see add_round_to_odd_fp32).
inline v128_t add_round_to_odd(const Consts& k, v128_t w, v128_t d) {
  const v128_t s = wasm_f32x4_add(w, d);
  const v128_t bb = wasm_f32x4_sub(s, w);
  const v128_t e = wasm_f32x4_add(wasm_f32x4_sub(w, wasm_f32x4_sub(s, bb)), wasm_f32x4_sub(d, bb));
  // Ordered not-equal: a NaN e (overflow or NaN input) leaves s alone.
  const v128_t inexact = wasm_v128_or(wasm_f32x4_lt(e, k.zero), wasm_f32x4_gt(e, k.zero));
  const v128_t even = wasm_i32x4_eq(wasm_v128_and(s, k.one), k.zero);
  // +1 when e has s's sign (away from zero), -1 otherwise: 1 - 2 * (sign(s) xor sign(e)).
  const v128_t differ = wasm_u32x4_shr(wasm_v128_xor(s, e), 31);
  const v128_t step = wasm_i32x4_sub(k.one, wasm_i32x4_add(differ, differ));
  return nan_weight_wins(k, w, wasm_i32x4_add(s, wasm_v128_and(wasm_v128_and(inexact, even), step)));
}

// fp16 bits (in 32-bit lanes) -> fp32, exactly as fp16_to_fp32.
inline v128_t fp16_to_fp32(const Consts& k, v128_t h) {
  const v128_t sign = wasm_i32x4_shl(wasm_v128_and(h, k.sign16), 16);
  const v128_t em = wasm_v128_and(h, k.abs16);
  const v128_t normal = wasm_i32x4_add(wasm_i32x4_shl(em, 13), k.rebias);
  // Inf/NaN: one more rebias lands on the all-ones exponent, payload kept.
  const v128_t special = wasm_i32x4_add(normal, k.rebias);
  // Zero/subnormal: man * 2^-24, exact in fp32. The float with 0.5f's
  // exponent and man as its low fraction bits is 0.5 + man * 2^-24;
  // subtracting 0.5f leaves man * 2^-24. (LLVM 14 scalarised an int-to-float
  // convert here into eight lane extracts.)
  const v128_t tiny = wasm_f32x4_sub(wasm_v128_or(em, k.half), k.half);
  v128_t r = wasm_v128_bitselect(special, normal, wasm_i32x4_ge(em, k.inf16));
  r = wasm_v128_bitselect(tiny, r, wasm_i32x4_lt(em, k.min_normal16));
  return wasm_v128_or(r, sign);
}

// fp32 bits -> fp16 bits in 32-bit lanes, RNE, exactly as fp32_to_fp16_rne.
inline v128_t fp32_to_fp16(const Consts& k, v128_t x) {
  const v128_t sign = wasm_u32x4_shr(wasm_v128_and(x, k.sign32), 16);
  const v128_t a = wasm_v128_and(x, k.abs32);  // non-negative: signed compares are fine
  const v128_t kept = wasm_u32x4_shr(a, 13);
  const v128_t nan = wasm_v128_or(k.quiet16, wasm_v128_and(kept, k.fraction16));
  const v128_t lsb = wasm_v128_and(kept, k.one);
  const v128_t normal =
      wasm_u32x4_shr(wasm_i32x4_sub(wasm_i32x4_add(wasm_i32x4_add(a, k.round16), lsb), k.rebias), 13);
  // Below 2^-14: |x| + 0.5f rounds (RNE, by the FPU) to a multiple of 2^-24, the
  // fp16 subnormal quantum; a carry to 2^-14 gives 0x400, the min normal: right.
  const v128_t sub = wasm_i32x4_sub(wasm_f32x4_add(a, k.half), k.half);
  v128_t r = wasm_v128_bitselect(normal, sub, wasm_i32x4_ge(a, k.min_normal16_as32));
  r = wasm_v128_bitselect(k.inf16, r, wasm_i32x4_ge(a, k.overflow16_as32));
  r = wasm_v128_bitselect(nan, r, wasm_i32x4_gt(a, k.inf32));
  return wasm_v128_or(r, sign);
}

// fp32 bits -> bf16 bits in 32-bit lanes, RNE, NaNs quieted (fp32_to_bf16_rne).
inline v128_t fp32_to_bf16(const Consts& k, v128_t x) {
  const v128_t is_nan = wasm_i32x4_gt(wasm_v128_and(x, k.abs32), k.inf32);
  const v128_t hi = wasm_u32x4_shr(x, 16);
  const v128_t rounded =
      wasm_u32x4_shr(wasm_i32x4_add(x, wasm_i32x4_add(k.round_bf16, wasm_v128_and(hi, k.one))), 16);
  return wasm_v128_bitselect(wasm_v128_or(hi, k.quiet_bf16), rounded, is_nan);
}

inline v128_t bf16_to_fp32(const Consts&, v128_t h) { return wasm_i32x4_shl(h, 16); }

// Lost updates among the lanes of 8 set in `lanes`: weight bits unchanged
// and increment non-zero (unordered: a NaN increment counts, as d != 0 does).
inline uint64_t lost8(const Consts& k, v128_t old, v128_t now, v128_t d_lo, v128_t d_hi, v128_t lanes) {
  const v128_t nonzero = wasm_i16x8_narrow_i32x4(wasm_f32x4_ne(d_lo, k.zero), wasm_f32x4_ne(d_hi, k.zero));
  const v128_t lost = wasm_v128_and(wasm_v128_and(wasm_i16x8_eq(old, now), nonzero), lanes);
  return static_cast<uint64_t>(__builtin_popcount(wasm_i16x8_bitmask(lost)));
}

// The exact update of 8 weights: widen, add rounded to odd, narrow.
template <v128_t (*Widen)(const Consts&, v128_t), v128_t (*Narrow)(const Consts&, v128_t)>
inline v128_t exact8(const Consts& k, v128_t old, v128_t d_lo, v128_t d_hi) {
  const v128_t lo = Narrow(k, add_round_to_odd(k, Widen(k, wasm_u32x4_extend_low_u16x8(old)), d_lo));
  const v128_t hi = Narrow(k, add_round_to_odd(k, Widen(k, wasm_u32x4_extend_high_u16x8(old)), d_hi));
  // Lanes hold 0..0xffff: the saturating narrow never saturates (pitfall 19).
  return wasm_u16x8_narrow_i32x4(lo, hi);
}

// fp16_binade_step on 8 weights (fp16_binade_step.h has the reasoning; the
// names match). Returns the results; *valid gets the lanes that may use them.
inline v128_t binade_step8(const Consts& k, v128_t h, v128_t d_lo, v128_t d_hi, v128_t* valid) {
  const v128_t sign = wasm_v128_and(h, k.lane_sign16);
  const v128_t em = wasm_v128_and(h, k.lane_abs16);
  const v128_t e = wasm_u16x8_max(wasm_u16x8_shr(em, 10), k.lane_one16);
  const v128_t above_upper = wasm_i16x8_add(wasm_i16x8_shl(e, 10), k.lane_binade_size);
  const v128_t lower =
      wasm_v128_and(wasm_v128_and(em, k.lane_exponent16), wasm_i16x8_gt(em, k.lane_binade1_top));
  // C's bits: the high halves from E and w's sign, the low halves are the lsb p.
  const v128_t c_high = wasm_v128_or(wasm_i16x8_add(wasm_i16x8_shl(e, 7), k.lane_magic_high), sign);
  const v128_t c_low = wasm_v128_and(h, k.lane_one16);
  const v128_t c_lo = wasm_i16x8_shuffle(c_low, c_high, 0, 8, 1, 9, 2, 10, 3, 11);
  const v128_t c_hi = wasm_i16x8_shuffle(c_low, c_high, 4, 12, 5, 13, 6, 14, 7, 15);
  const v128_t steps_lo = wasm_i32x4_sub(wasm_f32x4_add(c_lo, d_lo), c_lo);  // bits(t) - bits(C), wrapping
  const v128_t steps_hi = wasm_i32x4_sub(wasm_f32x4_add(c_hi, d_hi), c_hi);
  const v128_t now = wasm_i16x8_add_sat(em, wasm_i16x8_narrow_i32x4(steps_lo, steps_hi));
  // d's sign bit in 16-bit lanes: the signed narrow keeps the sign of each fp32 pattern.
  const v128_t d_sign = wasm_i16x8_narrow_i32x4(d_lo, d_hi);
  const v128_t away = wasm_i16x8_gt(wasm_v128_xor(d_sign, sign), k.all_ones);
  const v128_t floor = wasm_v128_or(lower, away);  // away from zero: -1, any now >= 0
  *valid = wasm_v128_and(wasm_v128_and(wasm_i16x8_gt(now, floor), wasm_i16x8_gt(above_upper, now)),
                         wasm_i16x8_gt(k.lane_exponent16, em));
  return wasm_v128_or(now, sign);
}

template <v128_t (*Widen)(const Consts&, v128_t), v128_t (*Narrow)(const Consts&, v128_t)>
uint64_t update16(uint16_t* w, const float* inc, size_t stride, size_t n, size_t* done) {
  const Consts k(opaque_zero());
  uint64_t lost = 0;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const v128_t old = wasm_v128_load(w + i);
    const v128_t d_lo = load_inc(inc, stride, i);
    const v128_t d_hi = load_inc(inc, stride, i + 4);
    const v128_t now = exact8<Widen, Narrow>(k, old, d_lo, d_hi);
    wasm_v128_store(w + i, now);
    lost += lost8(k, old, now, d_lo, d_hi, k.all_ones);
  }
  *done = i;
  return lost;
}

// Byte shuffles (i8x16.swizzle) that move the 32-bit lanes set in a 4-bit
// mask to the front, in order; the other bytes are zero (index 0x80).
struct Compress4 {
  uint8_t bytes[16][16];
};

constexpr Compress4 make_compress4() {
  Compress4 t{};
  for (unsigned mask = 0; mask < 16; ++mask) {
    unsigned out = 0;
    for (unsigned lane = 0; lane < 4; ++lane) {
      if (mask & (1u << lane)) {
        for (unsigned b = 0; b < 4; ++b) t.bytes[mask][4 * out + b] = static_cast<uint8_t>(4 * lane + b);
        ++out;
      }
    }
    for (unsigned b = 4 * out; b < 16; ++b) t.bytes[mask][b] = 0x80;
  }
  return t;
}

alignas(16) constexpr Compress4 kCompress4 = make_compress4();

// Lanes the binade step declines wait here and take the exact path eight at
// a time, so one declined lane does not cost its seven neighbours the exact
// path too (weights near zero cross binades often: ~14% of lanes, but ~70% of
// groups of eight, with lr = 1e-3 and weights ~ normal(0, 0.02)). Lanes are
// queued without a branch per lane: each 4-lane half is compressed by a
// table shuffle and stored whole; the count moves on by the lanes kept.
struct Deferred {
  static constexpr size_t kCapacity = 2 * kLanes + 4;  // <= 7 waiting + 8 new, plus a whole store's slack
  alignas(16) uint32_t at[kCapacity];                  // weight indices
  alignas(16) uint32_t w[kCapacity];                   // their old bits, in 32-bit lanes
  alignas(16) float d[kCapacity];
  size_t count = 0;

  // Queues the lanes of `mask` (of 4): index, old bits, increment.
  void add4(unsigned mask, v128_t index, v128_t old, v128_t inc) {
    const v128_t shuffle = wasm_v128_load(kCompress4.bytes[mask]);
    wasm_v128_store(at + count, wasm_i8x16_swizzle(index, shuffle));
    wasm_v128_store(w + count, wasm_i8x16_swizzle(old, shuffle));
    wasm_v128_store(d + count, wasm_i8x16_swizzle(inc, shuffle));
    count += static_cast<size_t>(__builtin_popcount(mask));
  }

  // The exact path on the first eight waiting lanes (or all, padded with
  // zero weights and increments, which are not written back or counted).
  uint64_t flush(const Consts& k, uint16_t* weights) {
    const size_t m = count < kLanes ? count : kLanes;
    for (size_t j = count; j < kLanes; ++j) {
      w[j] = 0;
      d[j] = 0.0f;
    }
    // Lanes hold 0..0xffff: the saturating narrow never saturates.
    const v128_t old = wasm_u16x8_narrow_i32x4(wasm_v128_load(w), wasm_v128_load(w + 4));
    const v128_t d_lo = wasm_v128_load(d);
    const v128_t d_hi = wasm_v128_load(d + 4);
    const v128_t now = exact8<fp16_to_fp32, fp32_to_fp16>(k, old, d_lo, d_hi);
    const uint64_t lost = lost8(k, old, now, d_lo, d_hi, k.all_ones);
    alignas(16) uint16_t out[kLanes];
    wasm_v128_store(out, now);
    for (size_t j = 0; j < m; ++j) weights[at[j]] = out[j];
    for (size_t j = kLanes; j < count; ++j) {  // the rest move down
      at[j - kLanes] = at[j];
      w[j - kLanes] = w[j];
      d[j - kLanes] = d[j];
    }
    count -= m;
    return lost;
  }
};

uint64_t update_fp16(uint16_t* w, const float* inc, size_t stride, size_t n, size_t* done) {
  const Consts k(opaque_zero());
  const v128_t iota_lo = wasm_i32x4_make(0, 1, 2, 3);
  const v128_t iota_hi = wasm_i32x4_make(4, 5, 6, 7);
  Deferred deferred;
  uint64_t lost = 0;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    const v128_t old = wasm_v128_load(w + i);
    const v128_t d_lo = load_inc(inc, stride, i);
    const v128_t d_hi = load_inc(inc, stride, i + 4);
    v128_t valid;
    const v128_t now = binade_step8(k, old, d_lo, d_hi, &valid);
    const unsigned declined = ~static_cast<unsigned>(wasm_i16x8_bitmask(valid)) & 0xffu;
    if (declined != 0) {
      const v128_t base = wasm_i32x4_splat(static_cast<int32_t>(i));
      deferred.add4(declined & 0xfu, wasm_i32x4_add(base, iota_lo), wasm_u32x4_extend_low_u16x8(old), d_lo);
      deferred.add4(declined >> 4, wasm_i32x4_add(base, iota_hi), wasm_u32x4_extend_high_u16x8(old), d_hi);
    }
    // Declined lanes get meaningless results here; their flush overwrites them.
    wasm_v128_store(w + i, now);
    lost += lost8(k, old, now, d_lo, d_hi, valid);
    if (deferred.count >= kLanes) lost += deferred.flush(k, w);
  }
  while (deferred.count > 0) lost += deferred.flush(k, w);
  *done = i;
  return lost;
}

}  // namespace

uint64_t fp16_wasm(uint16_t* w, const float* inc, size_t stride, size_t n) {
  size_t i = 0;
  const uint64_t lost = update_fp16(w, inc, stride, n, &i);
  return lost + fp16_scalar(w + i, inc + i * stride, stride, n - i);
}

uint64_t bf16_wasm(uint16_t* w, const float* inc, size_t stride, size_t n) {
  size_t i = 0;
  const uint64_t lost = update16<bf16_to_fp32, fp32_to_bf16>(w, inc, stride, n, &i);
  return lost + bf16_scalar(w + i, inc + i * stride, stride, n - i);
}

uint64_t fp32_wasm(float* w, const float* inc, size_t stride, size_t n) {
  const Consts k(opaque_zero());
  uint64_t lost = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t old = wasm_v128_load(w + i);
    const v128_t d = load_inc(inc, stride, i);
    const v128_t now = nan_weight_wins(k, old, wasm_f32x4_add(old, d));
    wasm_v128_store(w + i, now);
    const v128_t same = wasm_v128_and(wasm_i32x4_eq(old, now), wasm_f32x4_ne(d, k.zero));
    lost += static_cast<uint64_t>(__builtin_popcount(wasm_i32x4_bitmask(same)));
  }
  return lost + fp32_scalar(w + i, inc + i * stride, stride, n - i);
}

}  // namespace mantissa::kernels::detail
#endif
