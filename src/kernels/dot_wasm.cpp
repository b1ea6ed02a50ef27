// WebAssembly SIMD128 forms of the tensor-core block's two passes (web build),
// lane for lane the scalar references in dot.cpp: four products at a time,
// exponents in i32x4, aligned terms in two f64x2 (exact, see dot.h).
// SIMD128 has no per-lane variable shift; the double form needs none. Where
// the terms fit (fp8 on h100 and ada) the lanes sum them in f32 instead, all
// eight lanes in one pass (tc_block8_float).
#include "kernels/dot.h"

#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#include <wasm_simd128.h>

#include <cmath>
#include <vector>

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
// (terms_fit below): a*b is exact in fp32, scaling it by 2^-unit (a
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

// The aligned terms summed in f32 lanes, four at a time, when that is exact
// (TermSum::Float, terms_fit below): each term as in int_terms, truncated by
// f32x4.trunc (one instruction where i32x4.trunc_sat_f32x4 takes several),
// and every partial sum an integer of at most 2^24, exact in fp32. The sum
// starts at +0, so it is never -0 (x + -x is +0 to nearest). Returns the sum
// of the four lanes' terms and c's, as floats holding integers.
inline v128_t float_terms(const float* a, const float* b, size_t n, v128_t c, v128_t neg_unit) {
  constexpr int kFloatBias = 127, kFloatFraction = 23;
  const v128_t s = wasm_i32x4_shl(wasm_i32x4_add(neg_unit, wasm_i32x4_splat(kFloatBias)), kFloatFraction);
  v128_t sum = wasm_f32x4_add(wasm_f32x4_splat(0), wasm_f32x4_trunc(wasm_f32x4_mul(c, s)));
  for (size_t j = 0; j < n; ++j) {
    const v128_t p = wasm_f32x4_mul(wasm_v128_load(a + j * kDotLanes), wasm_v128_load(b + j * kDotLanes));
    sum = wasm_f32x4_add(sum, wasm_f32x4_trunc(wasm_f32x4_mul(p, s)));
  }
  return sum;
}

// The products' alignment exponents when every product is exact in fp32
// (DotLanesModel::exact_fp32_products): then no input is an fp32 subnormal
// (its square would fall below 2^-149), a product is zero exactly when a
// factor is, and exp(x) + 127 = max(field, emin + 127) is an unsigned max on
// the bits shifted left by one (the sign out, the field on top). Returns the
// largest biased sum exp(a) + exp(b) + 254 of each lane, 0 for none (a
// biased sum is at least 2): about half the work of the general pass.
inline v128_t biased_max_exponent_exact(const float* a, const float* b, size_t n, int input_emin) {
  constexpr int kFieldShift = 24;
  const v128_t floor = wasm_i32x4_splat(static_cast<int32_t>(static_cast<uint32_t>(input_emin + 127) << kFieldShift));
  const v128_t zero = wasm_f32x4_splat(0);
  v128_t e_max = wasm_i32x4_splat(0);
  for (size_t j = 0; j < n; ++j) {
    const v128_t ua = wasm_v128_load(a + j * kDotLanes), ub = wasm_v128_load(b + j * kDotLanes);
    const v128_t ea = wasm_u32x4_shr(wasm_u32x4_max(wasm_i32x4_shl(ua, 1), floor), kFieldShift);
    const v128_t eb = wasm_u32x4_shr(wasm_u32x4_max(wasm_i32x4_shl(ub, 1), floor), kFieldShift);
    const v128_t product_zero = wasm_f32x4_eq(wasm_f32x4_mul(ua, ub), zero);
    e_max = wasm_i32x4_max(e_max, wasm_v128_andnot(wasm_i32x4_add(ea, eb), product_zero));
  }
  return e_max;
}

// How a block's aligned terms are summed (terms_fit below).
// FloatTerms: products exact in fp32 and each truncated term exact in f32
// (as Float), summed in f64 lanes where the sum may pass 2^24 and 2^31.
enum class TermSum { Double, Int, Float, FloatTerms };

// A block's unit per lane, E - 23 - neab, from its products' largest
// alignment exponent (kNoExponent for none) and c's.
inline v128_t block_unit(v128_t e_max, v128_t c, const TensorCoreKernel& m) {
  const v128_t none = wasm_i32x4_splat(kNoExponent);
  constexpr int kFp32Emin = -126;  // c is an fp32 value
  e_max = wasm_i32x4_max(e_max, wasm_v128_bitselect(none, exponents(c, wasm_i32x4_splat(kFp32Emin)), is_zero(c)));
  // A lane with no nonzero term sums to +0 at any unit: give it a harmless one.
  e_max = wasm_v128_andnot(e_max, wasm_i32x4_eq(e_max, none));
  return wasm_i32x4_sub(e_max, wasm_i32x4_splat(23 + m.neab));
}

// biased_max_exponent_exact's result as an alignment exponent (kNoExponent for none).
inline v128_t unbiased_max(v128_t biased) {
  constexpr int kBiasedSum = 2 * 127;
  return wasm_v128_bitselect(wasm_i32x4_splat(kNoExponent), wasm_i32x4_sub(biased, wasm_i32x4_splat(kBiasedSum)),
                             wasm_i32x4_eq(biased, wasm_i32x4_splat(0)));
}

// Whether 2^-unit is a normal float in every lane (-126 <= -unit <= 127),
// which int_terms and float_terms scale by.
inline bool float_scale_ok(v128_t neg_unit) {
  constexpr int kFloatEmin = -126, kFloatEmax = 127;
  return wasm_i32x4_all_true(wasm_v128_and(wasm_i32x4_ge(neg_unit, wasm_i32x4_splat(kFloatEmin)),
                                           wasm_i32x4_le(neg_unit, wasm_i32x4_splat(kFloatEmax))));
}

inline int block_man(const TensorCoreKernel& m) { return 23 + (m.neab < 0 ? m.neab : 0); }

// A block's exact integer sum (f32 lanes holding integers, exact as f64)
// rounded as round_block does, four lanes. Toward zero, in f32 itself where
// the result is a normal float: clearing the fraction bits below `man` keeps
// the sum's top man + 1 bits (the sum is exact in f32, so that is the
// truncation), and the product by 2^unit (a normal float) is then exact.
// Otherwise (rne, a subnormal or overflowing result) the f64 round2.
inline v128_t round_float_sum4(v128_t sum, v128_t unit, const TensorCoreKernel& m) {
  constexpr int kFloatEmin = -126, kFloatBias = 127, kFloatFraction = 23;
  if (!m.nearest && wasm_i32x4_all_true(wasm_i32x4_ge(unit, wasm_i32x4_splat(kFloatEmin)))) {
    const uint32_t keep = ~((uint32_t{1} << (kFloatFraction - block_man(m))) - 1);
    const v128_t cut = wasm_v128_and(sum, wasm_i32x4_splat(static_cast<int32_t>(keep)));
    const v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(unit, wasm_i32x4_splat(kFloatBias)), kFloatFraction);
    const v128_t r = wasm_f32x4_mul(cut, scale);
    const v128_t mag = wasm_f32x4_abs(r);
    const v128_t normal = wasm_v128_and(wasm_f32x4_ge(mag, wasm_f32x4_splat(0x1p-126f)),
                                        wasm_f32x4_lt(mag, wasm_f32x4_splat(INFINITY)));
    if (wasm_i32x4_all_true(wasm_v128_or(normal, wasm_f32x4_eq(sum, wasm_f32x4_splat(0))))) return r;
  }
  const v128_t r_lo = round2(wasm_f64x2_promote_low_f32x4(sum), unit, block_man(m), m.nearest);
  const v128_t r_hi = round2(wasm_f64x2_promote_low_f32x4(high_half(sum)), high_half(unit), block_man(m), m.nearest);
  return wasm_i32x4_shuffle(r_lo, r_hi, 0, 1, 4, 5);
}

// A block's exact integer sums on eight lanes in four f64x2 (dsum[2h] lanes
// 0-1 and dsum[2h + 1] lanes 2-3 of half h; TermSum::FloatTerms) rounded as
// round_block does, with one f32 product per half where round2 takes four
// rounds of f64 work. Toward zero: the fraction bits below `man` are cleared
// on the sum itself (scaling by 2^unit, a power of two, leaves them as they
// are in v = sum * 2^unit); the cut sum, an integer of at most man + 1 <= 24
// bits, is exact in f32, and so is its product by 2^unit (a normal float)
// while that is finite: a nonzero sum is at least 1, so with unit >= -126 the
// result is never below 2^-126. A finite result also means a finite sum (an
// inf or NaN stays one through the cut and the product). False (nothing
// written) for rne, a smaller unit, or a result that is not finite: the caller
// checks the sums and rounds with round2.
inline bool round_double_sums8(const v128_t* dsum, const v128_t* unit, const TensorCoreKernel& m, v128_t* c) {
  constexpr int kFloatEmin = -126, kFloatBias = 127, kFloatFraction = 23, kDoubleFraction = 52;
  const v128_t emin = wasm_i32x4_splat(kFloatEmin);
  if (m.nearest || !wasm_i32x4_all_true(wasm_v128_and(wasm_i32x4_ge(unit[0], emin), wasm_i32x4_ge(unit[1], emin)))) {
    return false;
  }
  const v128_t keep =
      wasm_i64x2_splat(static_cast<int64_t>(~((uint64_t{1} << (kDoubleFraction - block_man(m))) - 1)));
  v128_t r[2], finite = wasm_i32x4_splat(-1);
  for (size_t h = 0; h < 2; ++h) {
    const v128_t cut = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(wasm_v128_and(dsum[2 * h], keep)),
                                          wasm_f32x4_demote_f64x2_zero(wasm_v128_and(dsum[2 * h + 1], keep)), 0, 1, 4,
                                          5);
    const v128_t scale = wasm_i32x4_shl(wasm_i32x4_add(unit[h], wasm_i32x4_splat(kFloatBias)), kFloatFraction);
    r[h] = wasm_f32x4_mul(cut, scale);
    finite = wasm_v128_and(finite, wasm_f32x4_lt(wasm_f32x4_abs(r[h]), wasm_f32x4_splat(INFINITY)));
  }
  if (!wasm_i32x4_all_true(finite)) return false;
  c[0] = r[0];
  c[1] = r[1];
  return true;
}

// One tensor-core block of n rows on four lanes (columns a[j * kDotLanes + 0..3]).
// how: what the model and format allow (terms_fit).
v128_t tc_block4(const float* a, const float* b, size_t n, v128_t c, const TensorCoreKernel& m, TermSum how) {
  const v128_t none = wasm_i32x4_splat(kNoExponent);
  v128_t e_max;
  if (how != TermSum::Double) {  // products exact in fp32
    e_max = unbiased_max(biased_max_exponent_exact(a, b, n, m.input_emin));
  } else {
    const v128_t emin = wasm_i32x4_splat(m.input_emin);
    e_max = none;
    for (size_t j = 0; j < n; ++j) {
      const v128_t ua = wasm_v128_load(a + j * kDotLanes), ub = wasm_v128_load(b + j * kDotLanes);
      const v128_t e = wasm_i32x4_add(exponents(ua, emin), exponents(ub, emin));
      e_max = wasm_i32x4_max(e_max, wasm_v128_bitselect(none, e, wasm_v128_or(is_zero(ua), is_zero(ub))));
    }
  }
  const v128_t unit = block_unit(e_max, c, m);
  const v128_t neg_unit = wasm_i32x4_neg(unit);
  const int man = block_man(m);
  if (how == TermSum::Float && float_scale_ok(neg_unit)) {
    return round_float_sum4(float_terms(a, b, n, c, neg_unit), unit, m);
  }
  if (how == TermSum::Int && float_scale_ok(neg_unit)) {
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

// Which term sum is exact for this model and format: products exact in fp32,
// and a block's terms and c, each below 2^(25 + neab) (a product's
// significand is below 4), summing to at most 2^24 (Float: fp8 on h100,
// 33 * 2^15, and ada) or below 2^31 (Int); else the double lanes.
TermSum terms_fit(const DotLanesModel& m) {
  const int term_bits = 25 + m.tc.neab;
  if (!m.exact_fp32_products || term_bits > 30) return TermSum::Double;
  const uint64_t bound = static_cast<uint64_t>(m.tc.fma + 1) << term_bits;
  constexpr int kFloatExactBits = 24, kIntBits = 31;
  if (bound <= (uint64_t{1} << kFloatExactBits)) return TermSum::Float;
  // A term below 2^30 is an integer of at most 24 significant bits (the f32
  // product's), exact in f32; (fma + 1) of them sum exactly in f64 (< 2^53).
  return bound <= (uint64_t{1} << kIntBits) ? TermSum::Int : TermSum::FloatTerms;
}

// The Float path on all eight lanes at once (TermSum::Float): both halves
// in one pass over the rows, twice the independent work per iteration, and
// the products of the exponent pass kept (up to kKeptRows rows) for the term
// pass, which then loads one vector where it loaded two and multiplied.
//
// The exponent pass works on powers of two: 2^exp(x) is x's bits with the
// fraction and sign cleared, raised to the format's 2^emin (an unsigned max
// on the bits; no input is an fp32 subnormal, see biased_max_exponent_exact,
// so only zero has a zero field), and 2^exp(a) * 2^exp(b) is exact (at least
// 2^-149, as the products are). The largest of them, as bits, is 2^E; zero
// products are masked to +0. A lane whose 2^E is an fp32 subnormal (custom
// formats with a small emin) goes back to the caller.
//
// The inputs are not checked beforehand (dot_lanes_wasm_checked): a product
// is finite exactly when its factors are (fp32 holds every exact product),
// and a non-finite product makes its lane's term sum inf or NaN (times a
// positive scale, truncated, added); so does a c that a previous block made
// infinite (rne overflow). Either returns false before anything is rounded,
// and the caller's general path sorts the lanes out.
//
// RowA: a is one plain row of A (a GEMM's, dot_lanes_rows_wasm), term j at
// a[j], splatted by the load; its power of two is then worked out once for
// both halves. Otherwise a is spread as dot_lanes lays it out.
constexpr size_t kKeptRows = 64;
template <bool RowA>
inline const float* a_at(const float* a, size_t j) { return RowA ? a + j : a + j * kDotLanes; }
//
// pow2_b (RowA only; may be null): b's powers of two worked out once for a
// GEMM's panel (b_pow2_panel below), +0 where b is zero; with a's masked
// the same way their product is +0 exactly where the product a*b is (the
// products are exact), so the exponent pass needs no test of the product.
//
// Always inlined into its chain (tc_chain8_float): as a call per block it
// measured 5-7% slower in V8 (the GEMM's blocks are short, 16 terms on h100).
template <bool RowA>
__attribute__((always_inline)) inline bool tc_block8_float(const float* a, const float* b, size_t n, v128_t* c,
                                                           const TensorCoreKernel& m, TermSum how,
                                                           const float* pow2_b = nullptr) {
  constexpr size_t kHalf = kDotLanes / 2;
  constexpr uint32_t kExpMask = 0x7f800000u, kFloatMinNormalBits = 0x00800000u;
  constexpr int kFloatBias = 127, kFloatFraction = 23;
  const v128_t exp_mask = wasm_i32x4_splat(static_cast<int32_t>(kExpMask));
  const v128_t floor = wasm_i32x4_splat((m.input_emin + kFloatBias) << kFloatFraction);  // 2^emin
  const v128_t zero = wasm_f32x4_splat(0);
  v128_t kept[2 * kKeptRows];
  const bool keep = n <= kKeptRows;
  // c's power of two starts the maxima (block_unit's max with c's exponent;
  // c is an fp32 value, 2^-126 its floor): one exponent for every lane below.
  const v128_t fp32_floor = wasm_i32x4_splat(static_cast<int32_t>(kFloatMinNormalBits));
  v128_t pow2_max[2];
  for (size_t h = 0; h < 2; ++h) {
    const v128_t pc = wasm_u32x4_max(wasm_v128_and(c[h], exp_mask), fp32_floor);
    pow2_max[h] = wasm_v128_andnot(pc, wasm_f32x4_eq(c[h], zero));
  }
  if (RowA && pow2_b) {
    for (size_t j = 0; j < n; ++j) {
      const v128_t ua = wasm_v128_load32_splat(a + j);
      const v128_t pa_max = wasm_u32x4_max(wasm_v128_and(ua, exp_mask), floor);
      const v128_t pa = wasm_v128_andnot(pa_max, wasm_f32x4_eq(ua, zero));
      for (size_t h = 0; h < 2; ++h) {
        const v128_t p = wasm_f32x4_mul(ua, wasm_v128_load(b + j * kDotLanes + h * kHalf));
        if (keep) kept[2 * j + h] = p;
        const v128_t pow2 = wasm_f32x4_mul(pa, wasm_v128_load(pow2_b + j * kDotLanes + h * kHalf));
        pow2_max[h] = wasm_u32x4_max(pow2_max[h], pow2);
      }
    }
  }
  for (size_t j = 0; !(RowA && pow2_b) && j < n; ++j) {
    const v128_t ua_row = RowA ? wasm_v128_load32_splat(a + j) : floor;  // (used with RowA only)
    const v128_t pa_row = wasm_u32x4_max(wasm_v128_and(ua_row, exp_mask), floor);
    for (size_t h = 0; h < 2; ++h) {
      const v128_t ua = RowA ? ua_row : wasm_v128_load(a + j * kDotLanes + h * kHalf);
      const v128_t ub = wasm_v128_load(b + j * kDotLanes + h * kHalf);
      const v128_t p = wasm_f32x4_mul(ua, ub);
      if (keep) kept[2 * j + h] = p;
      const v128_t pa = RowA ? pa_row : wasm_u32x4_max(wasm_v128_and(ua, exp_mask), floor);
      const v128_t pb = wasm_u32x4_max(wasm_v128_and(ub, exp_mask), floor);
      const v128_t pow2 = wasm_v128_andnot(wasm_f32x4_mul(pa, pb), wasm_f32x4_eq(p, zero));
      pow2_max[h] = wasm_u32x4_max(pow2_max[h], pow2);
    }
  }
  // Both halves' checks in one branch: a lane whose 2^E is an fp32 subnormal
  // (the shift below would misread it), or whose 2^-unit is not a normal float
  // (tiny or huge values, or an inf), goes to the general path. A lane with no
  // nonzero term takes block_unit's harmless E = 0.
  v128_t unit[2], scale[2], sum[2], reject = wasm_i32x4_splat(0);
  constexpr int kFloatEmin = -126, kFloatEmax = 127;
  for (size_t h = 0; h < 2; ++h) {
    const v128_t none = wasm_i32x4_eq(pow2_max[h], zero);
    reject = wasm_v128_or(reject, wasm_v128_andnot(wasm_u32x4_lt(pow2_max[h], fp32_floor), none));
    const v128_t e = wasm_i32x4_sub(wasm_u32x4_shr(pow2_max[h], kFloatFraction), wasm_i32x4_splat(kFloatBias));
    unit[h] = wasm_i32x4_sub(wasm_v128_andnot(e, none), wasm_i32x4_splat(23 + m.neab));
    const v128_t neg_unit = wasm_i32x4_neg(unit[h]);
    reject = wasm_v128_or(reject, wasm_v128_or(wasm_i32x4_lt(neg_unit, wasm_i32x4_splat(kFloatEmin)),
                                               wasm_i32x4_gt(neg_unit, wasm_i32x4_splat(kFloatEmax))));
    scale[h] = wasm_i32x4_shl(wasm_i32x4_add(neg_unit, wasm_i32x4_splat(kFloatBias)), kFloatFraction);
  }
  if (wasm_v128_any_true(reject)) return false;
  for (size_t h = 0; h < 2; ++h) {
    sum[h] = wasm_f32x4_add(zero, wasm_f32x4_trunc(wasm_f32x4_mul(c[h], scale[h])));  // as float_terms
  }
  auto product = [&](size_t j, size_t h) {
    if (keep) return kept[2 * j + h];
    const v128_t ua = RowA ? wasm_v128_load32_splat(a + j) : wasm_v128_load(a + j * kDotLanes + h * kHalf);
    return wasm_f32x4_mul(ua, wasm_v128_load(b + j * kDotLanes + h * kHalf));
  };
  if (how == TermSum::FloatTerms) {
    // The same f32 terms summed in f64 pairs (four chains), then round2 per pair.
    v128_t dsum[4];
    for (size_t h = 0; h < 2; ++h) {
      dsum[2 * h] = wasm_f64x2_promote_low_f32x4(sum[h]);
      dsum[2 * h + 1] = wasm_f64x2_promote_low_f32x4(high_half(sum[h]));
    }
    for (size_t j = 0; j < n; ++j) {
      for (size_t h = 0; h < 2; ++h) {
        const v128_t t = wasm_f32x4_trunc(wasm_f32x4_mul(product(j, h), scale[h]));
        dsum[2 * h] = wasm_f64x2_add(dsum[2 * h], wasm_f64x2_promote_low_f32x4(t));
        dsum[2 * h + 1] = wasm_f64x2_add(dsum[2 * h + 1], wasm_f64x2_promote_low_f32x4(high_half(t)));
      }
    }
    if (round_double_sums8(dsum, unit, m, c)) return true;
    // x - x is 0 for every finite x, NaN for an inf or NaN.
    v128_t finite = wasm_i32x4_splat(-1);
    for (size_t q = 0; q < 4; ++q) {
      finite = wasm_v128_and(finite, wasm_f64x2_eq(wasm_f64x2_sub(dsum[q], dsum[q]), wasm_f64x2_splat(0)));
    }
    if (!wasm_i64x2_all_true(finite)) return false;
    const int man = block_man(m);
    for (size_t h = 0; h < 2; ++h) {
      const v128_t r_lo = round2(dsum[2 * h], unit[h], man, m.nearest);
      const v128_t r_hi = round2(dsum[2 * h + 1], high_half(unit[h]), man, m.nearest);
      c[h] = wasm_i32x4_shuffle(r_lo, r_hi, 0, 1, 4, 5);
    }
    return true;
  }
  for (size_t j = 0; j < n; ++j) {
    for (size_t h = 0; h < 2; ++h) sum[h] = wasm_f32x4_add(sum[h], wasm_f32x4_trunc(wasm_f32x4_mul(product(j, h), scale[h])));
  }
  if (wasm_v128_any_true(wasm_v128_or(nonfinite(sum[0]), nonfinite(sum[1])))) return false;
  for (size_t h = 0; h < 2; ++h) c[h] = round_float_sum4(sum[h], unit[h], m);
  return true;
}

// tc_chain4 on eight lanes with tc_block8_float; false: an input is not
// finite, or a block the general path must take.
template <bool RowA>
bool tc_chain8_float(const float* a, const float* b, size_t rows, v128_t* c, const TensorCoreKernel& m, TermSum how,
                     v128_t* bad, const float* pow2_b) {
  const size_t n = static_cast<size_t>(m.fma);
  if (rows == 0) return tc_block8_float<RowA>(a, b, 0, c, m, how);
  for (size_t i = 0; i < rows; i += n) {
    if (!tc_block8_float<RowA>(a_at<RowA>(a, i), b + i * kDotLanes, rows - i < n ? rows - i : n, c, m, how,
                               pow2_b ? pow2_b + i * kDotLanes : nullptr)) {
      return false;
    }
    bad[0] = wasm_v128_or(bad[0], nonfinite(c[0]));
    bad[1] = wasm_v128_or(bad[1], nonfinite(c[1]));
  }
  return true;
}

v128_t tc_chain4(const float* a, const float* b, size_t rows, v128_t c, const TensorCoreKernel& m, TermSum how,
                 v128_t* bad) {
  const size_t n = static_cast<size_t>(m.fma);
  if (rows == 0) return tc_block4(a, b, 0, c, m, how);
  v128_t d = c;
  for (size_t i = 0; i < rows; i += n) {
    d = tc_block4(a + i * kDotLanes, b + i * kDotLanes, rows - i < n ? rows - i : n, d, m, how);
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

// seq4 on all eight lanes for one plain row of A (dot_lanes_rows_wasm):
// term j's A value splatted once for both halves.
void seq8_row(const float* a, const float* b, size_t rows, v128_t* s) {
  constexpr size_t kHalf = kDotLanes / 2;
  const v128_t zero = wasm_f32x4_splat(0);
  for (size_t j = 0; j < rows; ++j) {
    const v128_t va = wasm_v128_load32_splat(a + j);
    const v128_t a_zero = wasm_f32x4_eq(va, zero);
    for (size_t h = 0; h < 2; ++h) {
      const v128_t vb = wasm_v128_load(b + j * kDotLanes + h * kHalf);
      const v128_t skip = wasm_v128_or(a_zero, wasm_f32x4_eq(vb, zero));
      s[h] = wasm_v128_bitselect(s[h], wasm_f32x4_add(wasm_f32x4_mul(va, vb), s[h]), skip);
    }
  }
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

// seq:fp32 without an FMA on R rows of A at once (dot_lanes_rows_wasm), far
// shorter per term than fma_round_to_odd2: d = a*b + s in double (a*b exact),
// then rounded to fp32. Rounding twice (to double, then to fp32) differs from
// the FMA's single rounding only where d lands exactly on a midpoint between
// two fp32 values (each such midpoint is a double and rounding to double is
// monotonic, so otherwise the exact sum and d lie between the same two
// midpoints). So each term checks d beside the chain, off its critical path:
// a midpoint of fp32-normal values is d's low 29 fraction bits 1 then 28 zeros
// (the overflow threshold FLT_MAX + ulp/2 too), and every d below
// fp32's normal range counts as suspect, zero included (so the fast form
// never meets a -0 sum and needs no skip of zero products: d is then the sum
// itself). A term where any lane of a row is suspect (a sum still zero at the
// start of a row; exact midpoints, which structured data such as the digits'
// pixels/16 can hit and random data almost never) is redone for that row with
// the round-to-odd lanes and the skip, from the same sums, so every bit stays
// the FMA's. The R rows share B's loads and run 4R independent chains.
//
// Coarse: every nonzero input is at least 2^-51 in magnitude (its last bit
// at least 2^-74), so every product and every sum is a multiple of 2^-148,
// and no c is -0. Then a sum below fp32's normal range has at most 23
// significant bits: exact in double (and in fp32), so it needs no check; no
// sum is ever -0 (an exact zero sum is +0, nothing underflows), so zero
// products need no skip either; only midpoints are checked.
// (noinline: each form its own wasm function, which V8 tiers up on its own;
// inlined into dot_lanes_rows_wasm beside the tc lanes, the first timed runs
// met it before its optimized code was ready.)
template <size_t R, bool Coarse>
__attribute__((noinline)) void seq_rows_no_fma(const float* a, size_t k, const float* b, const uint32_t* c,
                                               uint32_t* out, bool* bad) {
  constexpr size_t kRowss = kDotLanes / 2, kHalf = kDotLanes / 2;
  const size_t stride = k;  // A's plain rows
  const v128_t zero = wasm_f64x2_splat(0);
  const v128_t low_bits = wasm_i64x2_splat(0x1fffffff), midpoint = wasm_i64x2_splat(0x10000000);
  const v128_t fp32_min_normal = wasm_f64x2_splat(0x1p-126);
  const v128_t c_lo = wasm_v128_load(c), c_hi = wasm_v128_load(c + kHalf);
  const v128_t c_pairs[kRowss] = {wasm_f64x2_promote_low_f32x4(c_lo), wasm_f64x2_promote_low_f32x4(high_half(c_lo)),
                                  wasm_f64x2_promote_low_f32x4(c_hi), wasm_f64x2_promote_low_f32x4(high_half(c_hi))};
  v128_t s[R][kRowss];
  for (size_t r = 0; r < R; ++r) {
    for (size_t q = 0; q < kRowss; ++q) s[r][q] = c_pairs[q];
  }
  for (size_t t = 0; t < k; ++t) {
    const v128_t b_lo = wasm_v128_load(b + t * kDotLanes), b_hi = wasm_v128_load(b + t * kDotLanes + kHalf);
    const v128_t bd[kRowss] = {wasm_f64x2_promote_low_f32x4(b_lo), wasm_f64x2_promote_low_f32x4(high_half(b_lo)),
                               wasm_f64x2_promote_low_f32x4(b_hi), wasm_f64x2_promote_low_f32x4(high_half(b_hi))};
    for (size_t r = 0; r < R; ++r) {
      const v128_t ad = wasm_f64x2_splat(static_cast<double>(a[r * stride + t]));
      v128_t d[kRowss], suspect = zero;
      for (size_t q = 0; q < kRowss; ++q) {
        d[q] = wasm_f64x2_add(wasm_f64x2_mul(ad, bd[q]), s[r][q]);
        const v128_t on_midpoint = wasm_i64x2_eq(wasm_v128_and(d[q], low_bits), midpoint);
        if (Coarse) {
          suspect = wasm_v128_or(suspect, on_midpoint);
        } else {
          const v128_t tiny = wasm_f64x2_lt(wasm_f64x2_abs(d[q]), fp32_min_normal);
          suspect = wasm_v128_or(suspect, wasm_v128_or(on_midpoint, tiny));
        }
      }
      if (!wasm_v128_any_true(suspect)) {
        // No d is zero (or, Coarse, no sum is -0), so where a product is zero d is the sum itself: no skip needed.
        for (size_t q = 0; q < kRowss; ++q) s[r][q] = wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(d[q]));
        continue;
      }
      const v128_t a_zero = wasm_f64x2_eq(ad, zero);
      for (size_t q = 0; q < kRowss; ++q) {
        const v128_t rounded =
            wasm_f64x2_promote_low_f32x4(wasm_f32x4_demote_f64x2_zero(fma_round_to_odd2(ad, bd[q], s[r][q])));
        // A zero product leaves the sum as it is (seq4_no_fma's skip: -0 stays -0).
        s[r][q] = wasm_v128_bitselect(s[r][q], rounded, wasm_v128_or(a_zero, wasm_f64x2_eq(bd[q], zero)));
      }
    }
  }
  for (size_t r = 0; r < R; ++r) {
    const v128_t lo = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(s[r][0]), wasm_f32x4_demote_f64x2_zero(s[r][1]),
                                         0, 1, 4, 5);
    const v128_t hi = wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(s[r][2]), wasm_f32x4_demote_f64x2_zero(s[r][3]),
                                         0, 1, 4, 5);
    wasm_v128_store(out + r * kDotLanes, lo);
    wasm_v128_store(out + r * kDotLanes + kHalf, hi);
    const int bad_mask = wasm_i32x4_bitmask(nonfinite(lo)) | wasm_i32x4_bitmask(nonfinite(hi)) << kHalf;
    for (size_t l = 0; l < kDotLanes; ++l) bad[r * kDotLanes + l] = (bad_mask >> l) & 1;
  }
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
      total = tc_chain4(a, b, k, total, m.tc, terms_fit(m), &badv);
      break;
    case DotLanesKind::BlockedTensorCore:
      for (size_t i = 0; i < k; i += m.block) {
        const size_t rows = k - i < m.block ? k - i : m.block;
        total = add_fp32_4(total,
                           tc_chain4(a + i * kDotLanes, b + i * kDotLanes, rows, wasm_i32x4_splat(0), m.tc,
                                     terms_fit(m), &badv));
      }
      break;
  }
  badv = wasm_v128_or(badv, nonfinite(total));
  wasm_v128_store(out, total);
  const int bad_mask = wasm_i32x4_bitmask(badv);
  for (int l = 0; l < 4; ++l) bad[l] = (bad_mask >> l) & 1;
}

// dot_lanes_half's tc cases on all eight lanes, through tc_chain8_float
// (TermSum::Float or FloatTerms); false when an input is not finite or a
// block needs the general path (nothing written).
template <bool RowA>
bool dot_lanes_float_tc(const DotLanesModel& m, TermSum how, const float* a, const float* b, size_t k,
                        const uint32_t* c, uint32_t* out, bool* bad, const float* pow2_b = nullptr) {
  constexpr size_t kHalf = kDotLanes / 2;
  v128_t total[2] = {wasm_v128_load(c), wasm_v128_load(c + kHalf)};
  v128_t badv[2] = {wasm_i32x4_splat(0), wasm_i32x4_splat(0)};
  if (m.kind == DotLanesKind::TensorCore) {
    if (!tc_chain8_float<RowA>(a, b, k, total, m.tc, how, badv, pow2_b)) return false;
  } else {
    for (size_t i = 0; i < k; i += m.block) {
      const size_t rows = k - i < m.block ? k - i : m.block;
      v128_t part[2] = {wasm_i32x4_splat(0), wasm_i32x4_splat(0)};
      if (!tc_chain8_float<RowA>(a_at<RowA>(a, i), b + i * kDotLanes, rows, part, m.tc, how, badv,
                                 pow2_b ? pow2_b + i * kDotLanes : nullptr)) {
        return false;
      }
      for (size_t h = 0; h < 2; ++h) total[h] = add_fp32_4(total[h], part[h]);
    }
  }
  for (size_t h = 0; h < 2; ++h) {
    badv[h] = wasm_v128_or(badv[h], nonfinite(total[h]));
    wasm_v128_store(out + h * kHalf, total[h]);
    const int bad_mask = wasm_i32x4_bitmask(badv[h]);
    for (size_t l = 0; l < kHalf; ++l) bad[h * kHalf + l] = (bad_mask >> l) & 1;
  }
  return true;
}

// tc_block8_float's pow2_b for a panel of k rows of b (dot_lanes' layout):
// 2^exp(b) raised to 2^emin, +0 where b is zero (as its exponent pass).
void b_pow2_panel(const float* b, size_t k, int input_emin, float* pow2_b) {
  constexpr int kFloatBias = 127, kFloatFraction = 23;
  const v128_t exp_mask = wasm_i32x4_splat(0x7f800000);
  const v128_t floor = wasm_i32x4_splat((input_emin + kFloatBias) << kFloatFraction);
  const v128_t zero = wasm_f32x4_splat(0);
  for (size_t i = 0; i < k * kDotLanes; i += kDotLanes / 2) {
    const v128_t ub = wasm_v128_load(b + i);
    const v128_t pow2 = wasm_u32x4_max(wasm_v128_and(ub, exp_mask), floor);
    wasm_v128_store(pow2_b + i, wasm_v128_andnot(pow2, wasm_f32x4_eq(ub, zero)));
  }
}

}  // namespace

bool dot_lanes_wasm_checked(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                            uint32_t* out, bool* bad) {
  const bool tc = m.kind == DotLanesKind::TensorCore || m.kind == DotLanesKind::BlockedTensorCore;
  const TermSum how = terms_fit(m);
  return tc && (how == TermSum::Float || how == TermSum::FloatTerms) &&
         dot_lanes_float_tc<false>(m, how, a, b, k, c, out, bad);
}

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
  if (dot_lanes_wasm_checked(m, a, b, k, c, out, bad)) return;
  dot_lanes_half(m, a, b, k, c, out, bad);
  dot_lanes_half(m, a + kHalf, b + kHalf, k, c + kHalf, out + kHalf, bad + kHalf);
}

// dot_lanes_rows_wasm's tc and blocked models (noinline: see seq_rows_no_fma).
static __attribute__((noinline)) void other_rows(const DotLanesModel& m, const float* a, size_t rows,
                                                 const float* b, size_t k, const uint32_t* c, uint32_t* out,
                                                 bool* bad) {
  const size_t stride = k;  // A's plain rows
  const bool tc = m.kind == DotLanesKind::TensorCore || m.kind == DotLanesKind::BlockedTensorCore;
  const TermSum how = terms_fit(m);
  const bool float_tc = tc && (how == TermSum::Float || how == TermSum::FloatTerms);
  // The other models, and a row the float tc lanes decline: dot_lanes_wasm on
  // the row spread across the lanes (dot.h's layout), as the GEMM did before.
  thread_local std::vector<float> spread, pow2_b;
  if (float_tc && rows > 1) {  // b's exponent half of the pass once for all the rows
    pow2_b.resize(k * kDotLanes);
    b_pow2_panel(b, k, m.tc.input_emin, pow2_b.data());
  }
  for (size_t r = 0; r < rows; ++r) {
    const float* row = a + r * stride;
    if (float_tc && dot_lanes_float_tc<true>(m, how, row, b, k, c, out + r * kDotLanes, bad + r * kDotLanes,
                                             rows > 1 ? pow2_b.data() : nullptr)) {
      continue;
    }
    spread.resize(k * kDotLanes);
    for (size_t t = 0; t < k; ++t) {
      for (size_t l = 0; l < kDotLanes; ++l) spread[t * kDotLanes + l] = row[t];
    }
    dot_lanes_wasm(m, spread.data(), b, k, c, out + r * kDotLanes, bad + r * kDotLanes);
  }
}

void dot_lanes_rows_wasm(const DotLanesModel& m, const float* a, size_t rows, const float* b, size_t k,
                         const uint32_t* c, bool coarse, uint32_t* out, bool* bad) {
  constexpr size_t kHalf = kDotLanes / 2;
  const size_t stride = k;  // A's plain rows
  size_t r = 0;
  if (m.kind == DotLanesKind::Seq && !m.exact_fp32_products) {
    constexpr size_t kRows = 4;  // four rows, 16 chains of f64x2: measured faster than 2 (and 8) in V8
    for (; r + kRows <= rows; r += kRows) {
      (coarse ? seq_rows_no_fma<kRows, true> : seq_rows_no_fma<kRows, false>)(a + r * stride, k, b, c,
                                                                              out + r * kDotLanes, bad + r * kDotLanes);
    }
    for (; r < rows; ++r) {
      (coarse ? seq_rows_no_fma<1, true> : seq_rows_no_fma<1, false>)(a + r * stride, k, b, c, out + r * kDotLanes,
                                                                      bad + r * kDotLanes);
    }
    return;
  }
  if (m.kind == DotLanesKind::Seq) {  // products exact in fp32: dot_lanes_half's seq4, both halves at once
    for (; r < rows; ++r) {
      v128_t s[2] = {wasm_v128_load(c), wasm_v128_load(c + kHalf)};
      seq8_row(a + r * stride, b, k, s);
      for (size_t h = 0; h < 2; ++h) {
        wasm_v128_store(out + r * kDotLanes + h * kHalf, s[h]);
        const int bad_mask = wasm_i32x4_bitmask(nonfinite(s[h]));
        for (size_t l = 0; l < kHalf; ++l) bad[r * kDotLanes + h * kHalf + l] = (bad_mask >> l) & 1;
      }
    }
    return;
  }
  other_rows(m, a, rows, b, k, c, out, bad);
}

}  // namespace mantissa::kernels::detail

#endif
