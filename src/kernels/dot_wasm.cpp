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

// ---- Lanes: dot products side by side (dot.h's kDotLanes) --------------------
// A group of eight lanes runs as two halves of four (i32x4 exponents, two
// f64x2 sums), each half reading its four columns of every row.

namespace {

// 2^e for two int32 lanes (the low two of e) as f64x2, from their bits.
inline v128_t pow2_2(v128_t e) {
  constexpr int kDoubleBias = 1023, kDoubleFraction = 52;
  return wasm_i64x2_shl(wasm_i64x2_add(wasm_i64x2_extend_low_i32x4(e), wasm_i64x2_splat(kDoubleBias)),
                        kDoubleFraction);
}

inline v128_t high_half(v128_t x) { return wasm_i32x4_shuffle(x, x, 2, 3, 0, 1); }

inline v128_t nonfinite(v128_t bits) {
  const v128_t exp_mask = wasm_i32x4_splat(0x7f800000);
  return wasm_i32x4_eq(wasm_v128_and(bits, exp_mask), exp_mask);
}

// round_block (dot.cpp) on two lanes, as round4 in dot_x86_avx2.cpp: toward
// zero into a normal fp32 value, clear the fraction bits below `man` of the
// exact double; the other lanes take the scalar round_block. Returns the two
// fp32 results in the low two i32 lanes.
inline v128_t round2(v128_t sum, v128_t unit, int man, bool nearest) {
  const v128_t v = wasm_f64x2_mul(sum, pow2_2(unit));
  const v128_t cut = wasm_v128_and(v, wasm_i64x2_splat(static_cast<int64_t>(~((uint64_t{1} << (52 - man)) - 1))));
  const v128_t mag = wasm_f64x2_abs(v);
  constexpr double kFp32MinNormal = 0x1p-126, kFp32Overflow = 0x1p128;
  const v128_t fast = wasm_v128_or(wasm_v128_and(wasm_f64x2_ge(mag, wasm_f64x2_splat(kFp32MinNormal)),
                                                 wasm_f64x2_lt(mag, wasm_f64x2_splat(kFp32Overflow))),
                                   wasm_f64x2_eq(v, wasm_f64x2_splat(0)));
  v128_t r = wasm_f32x4_demote_f64x2_zero(cut);
  const int fast_mask = nearest ? 0 : wasm_i64x2_bitmask(fast);
  if (fast_mask != 0x3) {
    for (int l = 0; l < 2; ++l) {
      if (fast_mask >> l & 1) continue;
      const double s = l ? wasm_f64x2_extract_lane(sum, 1) : wasm_f64x2_extract_lane(sum, 0);
      const int u = l ? wasm_i32x4_extract_lane(unit, 1) : wasm_i32x4_extract_lane(unit, 0);
      const uint32_t bits = round_block(s, u, man, nearest);
      r = l ? wasm_i32x4_replace_lane(r, 1, static_cast<int32_t>(bits))
            : wasm_i32x4_replace_lane(r, 0, static_cast<int32_t>(bits));
    }
  }
  return r;
}

// The aligned terms in int32 lanes, four at a time, when that is exact
// (int_terms_fit below): a*b is exact in fp32, scaling it by 2^-unit (a
// normal fp32 power of two) is exact while the result is a normal float, and
// a result below 2^-126 truncates to 0 however the multiply rounded it;
// i32x4.trunc_sat then truncates toward zero, and the int32 sum cannot overflow.
// Returns the sum of the four lanes' terms and c's.
inline v128_t int_terms(const float* a, const float* b, size_t n, v128_t c, v128_t neg_unit) {
  constexpr int kFloatBias = 127, kFloatFraction = 23;
  const v128_t s = wasm_i32x4_shl(wasm_i32x4_add(neg_unit, wasm_i32x4_splat(kFloatBias)), kFloatFraction);
  v128_t sum = wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(c, s));
  for (size_t j = 0; j < n; ++j) {
    const v128_t p = wasm_f32x4_mul(wasm_v128_load(a + j * kDotLanes), wasm_v128_load(b + j * kDotLanes));
    sum = wasm_i32x4_add(sum, wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_mul(p, s)));
  }
  return sum;
}

// One tensor-core block of n rows on four lanes (columns a[j * kDotLanes + 0..3]).
// int_ok: the model and format allow int_terms (DotLanesModel, int_terms_fit).
v128_t tc_block4(const float* a, const float* b, size_t n, v128_t c, const TensorCoreKernel& m, bool int_ok) {
  const v128_t emin = wasm_i32x4_splat(m.input_emin), none = wasm_i32x4_splat(kNoExponent);
  v128_t e_max = none;
  for (size_t j = 0; j < n; ++j) {
    const v128_t ua = wasm_v128_load(a + j * kDotLanes), ub = wasm_v128_load(b + j * kDotLanes);
    const v128_t e = wasm_i32x4_add(exponents(ua, emin), exponents(ub, emin));
    e_max = wasm_i32x4_max(e_max, wasm_v128_bitselect(none, e, wasm_v128_or(is_zero(ua), is_zero(ub))));
  }
  constexpr int kFp32Emin = -126;  // c is an fp32 value
  e_max = wasm_i32x4_max(e_max, wasm_v128_bitselect(none, exponents(c, wasm_i32x4_splat(kFp32Emin)), is_zero(c)));
  // A lane with no nonzero term sums to +0 at any unit: give it a harmless one.
  e_max = wasm_v128_andnot(e_max, wasm_i32x4_eq(e_max, none));
  const v128_t unit = wasm_i32x4_sub(e_max, wasm_i32x4_splat(23 + m.neab));
  const v128_t neg_unit = wasm_i32x4_neg(unit);
  const int man = 23 + (m.neab < 0 ? m.neab : 0);
  // 2^-unit must be a normal float for int_terms: -126 <= -unit <= 127.
  constexpr int kFloatEmin = -126, kFloatEmax = 127;
  if (int_ok && wasm_i32x4_all_true(wasm_v128_and(wasm_i32x4_ge(neg_unit, wasm_i32x4_splat(kFloatEmin)),
                                                  wasm_i32x4_le(neg_unit, wasm_i32x4_splat(kFloatEmax))))) {
    const v128_t sum = int_terms(a, b, n, c, neg_unit);
    const v128_t r_lo = round2(wasm_f64x2_convert_low_i32x4(sum), unit, man, m.nearest);
    const v128_t r_hi = round2(wasm_f64x2_convert_low_i32x4(high_half(sum)), high_half(unit), man, m.nearest);
    return wasm_i32x4_shuffle(r_lo, r_hi, 0, 1, 4, 5);
  }
  const v128_t s_lo = pow2_2(neg_unit), s_hi = pow2_2(high_half(neg_unit));
  v128_t sum_lo = wasm_f64x2_splat(0), sum_hi = wasm_f64x2_splat(0);
  for (size_t j = 0; j < n; ++j) {
    const v128_t va = wasm_v128_load(a + j * kDotLanes), vb = wasm_v128_load(b + j * kDotLanes);
    const v128_t t_lo =
        wasm_f64x2_mul(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(va), wasm_f64x2_promote_low_f32x4(vb)), s_lo);
    const v128_t t_hi = wasm_f64x2_mul(
        wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(high_half(va)), wasm_f64x2_promote_low_f32x4(high_half(vb))),
        s_hi);
    sum_lo = wasm_f64x2_add(sum_lo, wasm_f64x2_trunc(t_lo));
    sum_hi = wasm_f64x2_add(sum_hi, wasm_f64x2_trunc(t_hi));
  }
  sum_lo = wasm_f64x2_add(sum_lo, wasm_f64x2_trunc(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(c), s_lo)));
  sum_hi = wasm_f64x2_add(sum_hi, wasm_f64x2_trunc(wasm_f64x2_mul(wasm_f64x2_promote_low_f32x4(high_half(c)), s_hi)));
  const v128_t r_lo = round2(sum_lo, unit, man, m.nearest);
  const v128_t r_hi = round2(sum_hi, high_half(unit), man, m.nearest);
  return wasm_i32x4_shuffle(r_lo, r_hi, 0, 1, 4, 5);
}

// Whether int_terms is exact for this model and format: products exact in
// fp32, and a block's terms and c, each below 2^(25 + neab) (a product's
// significand is below 4), summing below 2^31 (fp8 on h100: 33 * 2^15).
bool int_terms_fit(const DotLanesModel& m) {
  const int term_bits = 25 + m.tc.neab;
  if (!m.exact_fp32_products || term_bits > 30) return false;
  const uint64_t bound = static_cast<uint64_t>(m.tc.fma + 1) << term_bits;
  return bound <= (uint64_t{1} << 31);
}

v128_t tc_chain4(const float* a, const float* b, size_t rows, v128_t c, const TensorCoreKernel& m, bool int_ok,
                 v128_t* bad) {
  const size_t n = static_cast<size_t>(m.fma);
  if (rows == 0) return tc_block4(a, b, 0, c, m, int_ok);
  v128_t d = c;
  for (size_t i = 0; i < rows; i += n) {
    d = tc_block4(a + i * kDotLanes, b + i * kDotLanes, rows - i < n ? rows - i : n, d, m, int_ok);
    *bad = wasm_v128_or(*bad, nonfinite(d));
  }
  return d;
}

// seq:fp32 when every product is exact in fp32 (DotLanesModel): the rounded
// product is the exact one, so mul then add is the FMA.
v128_t seq4(const float* a, const float* b, size_t rows, v128_t s) {
  const v128_t zero = wasm_f32x4_splat(0);
  for (size_t j = 0; j < rows; ++j) {
    const v128_t va = wasm_v128_load(a + j * kDotLanes), vb = wasm_v128_load(b + j * kDotLanes);
    const v128_t skip = wasm_v128_or(wasm_f32x4_eq(va, zero), wasm_f32x4_eq(vb, zero));
    s = wasm_v128_bitselect(s, wasm_f32x4_add(wasm_f32x4_mul(va, vb), s), skip);
  }
  return s;
}

// fl32(a * b + s) on two lanes held as doubles, without an FMA (SIMD128 has
// none): the product of two floats is exact in double; the double sum is
// made round-to-odd (TwoSum gives its exact error e: where e != 0 and the
// sum's last bit is even, step one ulp toward e), so rounding it to nearest
// into fp32 afterwards is the correctly rounded FMA (53 >= 24 + 2 bits).
// No overflow or underflow in double: |a * b + s| < 2^257, nonzero terms >= 2^-298.
inline v128_t fma_round_to_odd2(v128_t a, v128_t b, v128_t s) {
  const v128_t p = wasm_f64x2_mul(a, b);
  const v128_t d = wasm_f64x2_add(p, s);
  const v128_t bb = wasm_f64x2_sub(d, p);
  const v128_t e = wasm_f64x2_add(wasm_f64x2_sub(p, wasm_f64x2_sub(d, bb)), wasm_f64x2_sub(s, bb));
  const v128_t inexact_even = wasm_v128_and(wasm_f64x2_ne(e, wasm_f64x2_splat(0)),
                                            wasm_i64x2_eq(wasm_v128_and(d, wasm_i64x2_splat(1)), wasm_i64x2_splat(0)));
  // +1 on the bits where d and e share a sign (magnitude up), -1 where they differ.
  const v128_t step = wasm_v128_or(wasm_i64x2_shr(wasm_v128_xor(d, e), 63), wasm_i64x2_splat(1));
  return wasm_i64x2_add(d, wasm_v128_and(step, inexact_even));
}

// seq:fp32 on any fp32-range inputs: each term as fma_round_to_odd2 on two
// double lanes, rounded to fp32 after every term as the FMA chain does.
v128_t seq4_no_fma(const float* a, const float* b, size_t rows, v128_t s) {
  const v128_t zero = wasm_f32x4_splat(0);
  for (size_t j = 0; j < rows; ++j) {
    const v128_t va = wasm_v128_load(a + j * kDotLanes), vb = wasm_v128_load(b + j * kDotLanes);
    const v128_t skip = wasm_v128_or(wasm_f32x4_eq(va, zero), wasm_f32x4_eq(vb, zero));
    const v128_t lo = fma_round_to_odd2(wasm_f64x2_promote_low_f32x4(va), wasm_f64x2_promote_low_f32x4(vb),
                                        wasm_f64x2_promote_low_f32x4(s));
    const v128_t hi = fma_round_to_odd2(wasm_f64x2_promote_low_f32x4(high_half(va)),
                                        wasm_f64x2_promote_low_f32x4(high_half(vb)),
                                        wasm_f64x2_promote_low_f32x4(high_half(s)));
    const v128_t r = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo), wasm_f32x4_demote_f64x2_zero(hi), 0, 1, 4, 5);
    s = wasm_v128_bitselect(s, r, skip);
  }
  return s;
}

// dot.cpp's add_fp32: a zero part leaves the total; a zero total takes the part.
v128_t add_fp32_4(v128_t total, v128_t part) {
  const v128_t r = wasm_v128_bitselect(part, wasm_f32x4_add(total, part), is_zero(total));
  return wasm_v128_bitselect(total, r, is_zero(part));
}

void dot_lanes_half(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                    uint32_t* out, bool* bad) {
  v128_t total = wasm_v128_load(c), badv = wasm_i32x4_splat(0);
  // seq4's mul-then-add is the FMA only where every product is exact in fp32.
  v128_t (*const seq)(const float*, const float*, size_t, v128_t) = m.exact_fp32_products ? seq4 : seq4_no_fma;
  switch (m.kind) {
    case DotLanesKind::Seq:
      total = seq(a, b, k, total);
      break;
    case DotLanesKind::BlockedSeq:
      for (size_t i = 0; i < k; i += m.block) {
        const size_t rows = k - i < m.block ? k - i : m.block;
        total = add_fp32_4(total, seq(a + i * kDotLanes, b + i * kDotLanes, rows, wasm_f32x4_splat(0)));
      }
      break;
    case DotLanesKind::TensorCore:
      total = tc_chain4(a, b, k, total, m.tc, int_terms_fit(m), &badv);
      break;
    case DotLanesKind::BlockedTensorCore:
      for (size_t i = 0; i < k; i += m.block) {
        const size_t rows = k - i < m.block ? k - i : m.block;
        total = add_fp32_4(total,
                           tc_chain4(a + i * kDotLanes, b + i * kDotLanes, rows, wasm_i32x4_splat(0), m.tc,
                                     int_terms_fit(m), &badv));
      }
      break;
  }
  badv = wasm_v128_or(badv, nonfinite(total));
  wasm_v128_store(out, total);
  const int bad_mask = wasm_i32x4_bitmask(badv);
  for (int l = 0; l < 4; ++l) bad[l] = (bad_mask >> l) & 1;
}

}  // namespace

void lanes_not_finite_wasm(const float* a, const float* b, size_t k, uint32_t* special) {
  constexpr size_t kHalf = kDotLanes / 2;
  v128_t lo = wasm_i32x4_splat(0), hi = wasm_i32x4_splat(0);
  for (size_t i = 0; i < k; ++i) {
    const float* ra = a + i * kDotLanes;
    const float* rb = b + i * kDotLanes;
    lo = wasm_v128_or(lo, wasm_v128_or(nonfinite(wasm_v128_load(ra)), nonfinite(wasm_v128_load(rb))));
    hi = wasm_v128_or(hi, wasm_v128_or(nonfinite(wasm_v128_load(ra + kHalf)), nonfinite(wasm_v128_load(rb + kHalf))));
  }
  const int lo_mask = wasm_i32x4_bitmask(lo), hi_mask = wasm_i32x4_bitmask(hi);
  for (size_t l = 0; l < kHalf; ++l) {
    special[l] |= (lo_mask >> l) & 1;
    special[l + kHalf] |= (hi_mask >> l) & 1;
  }
}

void dot_lanes_wasm(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                    uint32_t* out, bool* bad) {
  constexpr size_t kHalf = kDotLanes / 2;
  dot_lanes_half(m, a, b, k, c, out, bad);
  dot_lanes_half(m, a + kHalf, b + kHalf, k, c + kHalf, out + kHalf, bad + kHalf);
}

}  // namespace mantissa::kernels::detail

#endif
