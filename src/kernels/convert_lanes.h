// Internal: the branch-free conversion algorithms, written once for every
// instruction set. Each algorithm works on a vector of 32-bit lanes through a
// small operations struct `O` (SSE2, AVX2 and wasm SIMD128 each provide one,
// in convert_x86_sse2.cpp, convert_x86_avx2.cpp and convert_wasm.cpp), so the
// three SIMD kernels are the same arithmetic and differ only in how lanes
// are loaded, compared and packed.
//
// The scalar reference they must match bit for bit is the core itself
// (scalar_* in convert.cpp calls round_double / convert_bits per element).
//
// An O provides: type V (kLanes x 32 bits); splat, iota; bit_and/or/xor,
// add, sub, shift_left/right (logical, by a constant), mul_lo (low 32 bits
// of the product), minimum (of lanes below 2^31); signed less/greater/equal
// and less_unsigned giving all-ones masks; any(mask) (is some lane set);
// select(mask, if_set, if_clear); float add/sub/mul on the same bits;
// trunc_to_i32 / trunc_to_u32 (float -> integer toward zero), to_f32 (int32
// -> float); unaligned load_f32/store_f32; load_u16/load_u8 (kLanes values,
// zero-extended); store_u16(p, lo, hi) (2*kLanes values) and store_u8(p, a,
// b, c, d) (4*kLanes values), each storing the low 16 / 8 bits of the lanes.
//
// Everything here is a template on O, and every O lives in an anonymous
// namespace of its own file: the AVX2 instantiations are compiled with
// -mavx2 and must never be picked by the linker for SSE2 callers.
// (No std:: templates here for the same reason.)
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/stochastic.h"
#include "kernels/kernel_sets.h"

namespace mantissa::kernels::detail {

// ---------------------------------------------------------------------------
// The targets, described the way core/format.h does (sign, exponent bits,
// stored mantissa bits; Finite = OCP E4M3FN: no inf, one NaN pattern).
struct Fp16Spec {
  static constexpr int kExpBits = 5, kManBits = 10;
  static constexpr bool kFinite = false;
};
struct Bf16Spec {
  static constexpr int kExpBits = 8, kManBits = 7;
  static constexpr bool kFinite = false;
};
struct Fp8E4M3Spec {
  static constexpr int kExpBits = 4, kManBits = 3;
  static constexpr bool kFinite = true;
};
struct Fp8E5M2Spec {
  static constexpr int kExpBits = 5, kManBits = 2;
  static constexpr bool kFinite = false;
};

// fp32's layout.
constexpr int kF32ManBits = 23;
constexpr int kF32Bias = 127;
constexpr uint32_t kF32SignBit = 0x80000000u;
constexpr uint32_t kF32ManMask = 0x007fffffu;
constexpr uint32_t kF32Inf = 0x7f800000u;       // |x| bits of infinity; anything above is NaN
constexpr uint32_t kF32QuietBit = 0x00400000u;  // top mantissa bit
constexpr uint32_t kF32QuietNaN = 0x7fc00000u;  // the canonical NaN (what an e4m3 NaN widens to)
constexpr uint32_t kF32TwoTo31 = 0x4f000000u;   // 2^31 as a float
constexpr uint32_t kF32TwoTo32 = 0x4f800000u;   // 2^32 as a float

// A float with value 2^e, as bits (e within fp32's normal range).
constexpr uint32_t f32_power_of_two(int e) { return static_cast<uint32_t>(e + kF32Bias) << kF32ManBits; }

// How a target's fields line up with fp32's. All derived from the Spec.
template <class Spec>
struct Layout {
  static constexpr int kExpBits = Spec::kExpBits;
  static constexpr int kManBits = Spec::kManBits;
  static constexpr bool kFinite = Spec::kFinite;
  static constexpr int kWidth = 1 + kExpBits + kManBits;
  static constexpr int kBias = (1 << (kExpBits - 1)) - 1;
  static constexpr int kEmin = 1 - kBias;  // exponent of the smallest normal

  static constexpr uint32_t kSignBit = 1u << (kWidth - 1);
  static constexpr int kSignShift = 32 - kWidth;  // fp32 sign bit >> kSignShift = target sign bit
  static constexpr uint32_t kManMask = (1u << kManBits) - 1;
  static constexpr uint32_t kQuietBit = 1u << (kManBits - 1);
  static constexpr uint32_t kMinNormal = 1u << kManBits;                       // exponent field 1, mantissa 0
  static constexpr uint32_t kExpAllOnes = ((1u << kExpBits) - 1) << kManBits;  // Ieee: inf
  // Ieee: the binade below inf, all mantissa ones. Finite: the all-ones
  // pattern is NaN, so max finite is one below it (E4M3: 0x7e = 448).
  static constexpr uint32_t kMaxFinite = kFinite ? (kExpAllOnes | kManMask) - 1 : kExpAllOnes - 1;
  static constexpr uint32_t kNaN = kFinite ? (kExpAllOnes | kManMask) : (kExpAllOnes | kQuietBit);
  // What an unsaturated overflow gives: inf, or NaN where there is no inf.
  static constexpr uint32_t kOverflow = kFinite ? kNaN : kExpAllOnes;

  // fp32 has kDrop more fraction bits than the target.
  static constexpr int kDrop = kF32ManBits - kManBits;
  // The difference of the exponent biases, in fp32's exponent field: fp32
  // bits minus kRebias, shifted right by kDrop, are the target's bits.
  static constexpr uint32_t kRebias = static_cast<uint32_t>(kF32Bias - kBias) << kF32ManBits;
  // fp32 bits of 2^emin, the target's smallest normal.
  static constexpr uint32_t kMinNormalAsF32 = f32_power_of_two(kEmin);
  // bf16 has fp32's exponent range: its subnormals are fp32's with the low
  // 16 bits cut off, so plain integer rounding of the bits covers them.
  static constexpr bool kSharesF32Range = kEmin == 1 - kF32Bias;
};

// Constants of fp32 -> target rounding.
template <class Spec>
struct Narrowing : Layout<Spec> {
  using L = Layout<Spec>;
  // Round to nearest even on the integer bits: add half an ULP minus one,
  // plus the lowest kept bit, then truncate. Above half: carries. Below:
  // doesn't. Exactly half: carries only when the kept bits are odd.
  static constexpr uint32_t kHalfUlpMinusOne = (1u << (L::kDrop - 1)) - 1;
  // ... with the exponent rebias folded in (mod 2^32). The lowest kept bit
  // can be read from |x| itself: kRebias >> kDrop is even.
  static constexpr uint32_t kRoundAndRebias = kHalfUlpMinusOne - L::kRebias;
  static_assert(((L::kRebias >> L::kDrop) & 1u) == 0);
  // The smallest |x| (fp32 bits) that rounds past max finite: the midpoint
  // above max finite, which ties up to the next pattern when max finite is
  // odd (fp16, bf16, e5m2) and down when it is even (E4M3's 0x7e: 464 -> 448),
  // so then one fp32 step above it.
  static constexpr uint32_t kOverflowFrom =
      (L::kMaxFinite << L::kDrop) + L::kRebias + (1u << (L::kDrop - 1)) + ((L::kMaxFinite & 1u) ? 0u : 1u);
  // |x| >= inf: fp32's all-ones exponent field minus this, shifted right by
  // kDrop, is the target's all-ones field with the top of the payload.
  static constexpr uint32_t kSpecialRebias = kF32Inf - (L::kExpAllOnes << L::kDrop);
  // Subnormal results: adding 2^(emin - m + 23) to |x| makes the FPU round
  // |x| to a multiple of that float's ULP, 2^(emin - m): exactly the
  // target's subnormal spacing, with ties to even. |x| < 2^emin <= the
  // magic number, so the sum stays in the magic number's binade and its
  // bits minus the magic number's bits count spacings: the target's
  // subnormal encoding (2^m, the smallest normal, when it rounds up).
  // fp16: 0.5f; e5m2: 128.0f; e4m3: 16384.0f.
  static constexpr uint32_t kSubnormalMagic = f32_power_of_two(L::kEmin - L::kManBits + kF32ManBits);
  // Stochastic rounding of subnormal results: |x| * 2^(m - emin) counts
  // subnormal spacings, exactly (a power of two); its integer part is the
  // truncated result and its fraction the discarded part. fp16: 2^24.
  static constexpr uint32_t kToSubnormalUnits = f32_power_of_two(L::kManBits - L::kEmin);
};

// The numbers these derivations must give (checked by the compiler).
static_assert(Narrowing<Fp16Spec>::kSubnormalMagic == 0x3f000000u);  // 0.5
static_assert(Narrowing<Fp16Spec>::kMinNormalAsF32 == 0x38800000u);  // 2^-14
static_assert(Narrowing<Fp16Spec>::kMaxFinite == 0x7bffu);
static_assert(Narrowing<Bf16Spec>::kRebias == 0 && Narrowing<Bf16Spec>::kSharesF32Range);
static_assert(Narrowing<Fp8E4M3Spec>::kMaxFinite == 0x7eu && Narrowing<Fp8E4M3Spec>::kNaN == 0x7fu);
static_assert(Narrowing<Fp8E5M2Spec>::kMaxFinite == 0x7bu);
static_assert(Narrowing<Fp8E4M3Spec>::kSubnormalMagic == 0x46800000u);  // 16384
static_assert(Narrowing<Fp16Spec>::kOverflowFrom == 0x477ff000u);       // 65520
static_assert(Narrowing<Bf16Spec>::kOverflowFrom == 0x7f7f8000u);       // bf16 max + half an ULP
static_assert(Narrowing<Fp8E4M3Spec>::kOverflowFrom == 0x43e80001u);    // just above 464
static_assert(Narrowing<Fp8E5M2Spec>::kOverflowFrom == 0x47700000u);    // 61440

// ---------------------------------------------------------------------------
// Lanes<O>: a vector with the usual operators, so the algorithms below read
// like the scalar bit manipulation they are.
template <class O>
struct Lanes {
  typename O::V v;
};

template <class O>
inline Lanes<O> splat(uint32_t c) {
  return {O::splat(c)};
}
template <class O>
inline Lanes<O> operator&(Lanes<O> a, Lanes<O> b) {
  return {O::bit_and(a.v, b.v)};
}
template <class O>
inline Lanes<O> operator|(Lanes<O> a, Lanes<O> b) {
  return {O::bit_or(a.v, b.v)};
}
template <class O>
inline Lanes<O> operator^(Lanes<O> a, Lanes<O> b) {
  return {O::bit_xor(a.v, b.v)};
}
template <class O>
inline Lanes<O> operator+(Lanes<O> a, Lanes<O> b) {
  return {O::add(a.v, b.v)};
}
template <class O>
inline Lanes<O> operator-(Lanes<O> a, Lanes<O> b) {
  return {O::sub(a.v, b.v)};
}
template <class O>
inline Lanes<O> operator&(Lanes<O> a, uint32_t c) {
  return a & splat<O>(c);
}
template <class O>
inline Lanes<O> operator|(Lanes<O> a, uint32_t c) {
  return a | splat<O>(c);
}
template <class O>
inline Lanes<O> operator^(Lanes<O> a, uint32_t c) {
  return a ^ splat<O>(c);
}
template <class O>
inline Lanes<O> operator+(Lanes<O> a, uint32_t c) {
  return a + splat<O>(c);
}
template <class O>
inline Lanes<O> operator-(Lanes<O> a, uint32_t c) {
  return a - splat<O>(c);
}
template <class O>
inline Lanes<O> operator<<(Lanes<O> a, int k) {
  return {O::shift_left(a.v, k)};
}
template <class O>
inline Lanes<O> operator>>(Lanes<O> a, int k) {
  return {O::shift_right(a.v, k)};
}
template <class O>
inline Lanes<O> minimum(Lanes<O> a, Lanes<O> b) {
  return {O::minimum(a.v, b.v)};
}
template <class O>
inline Lanes<O> mul_lo(Lanes<O> a, uint32_t c) {
  return {O::mul_lo(a.v, O::splat(c))};
}
// Comparisons give all-ones lanes where true. The signed ones are only used
// on values below 2^31 (magnitudes, small integers), where they order like
// unsigned numbers.
template <class O>
inline Lanes<O> less(Lanes<O> a, uint32_t c) {
  return {O::less(a.v, O::splat(c))};
}
template <class O>
inline Lanes<O> greater(Lanes<O> a, uint32_t c) {
  return {O::greater(a.v, O::splat(c))};
}
// Signed order on any lanes (c and the lanes read as int32).
template <class O>
inline Lanes<O> greater_signed(Lanes<O> a, uint32_t c) {
  return {O::greater(a.v, O::splat(c))};
}
template <class O>
inline Lanes<O> equal(Lanes<O> a, uint32_t c) {
  return {O::equal(a.v, O::splat(c))};
}
template <class O>
inline Lanes<O> less_unsigned(Lanes<O> a, Lanes<O> b) {
  return {O::less_unsigned(a.v, b.v)};
}
template <class O>
inline Lanes<O> select(Lanes<O> mask, Lanes<O> if_set, Lanes<O> if_clear) {
  return {O::select(mask.v, if_set.v, if_clear.v)};
}
// Float arithmetic on lanes that hold fp32 bit patterns.
template <class O>
inline Lanes<O> float_add(Lanes<O> a, uint32_t c) {
  return {O::float_add(a.v, O::splat(c))};
}
template <class O>
inline Lanes<O> float_sub(Lanes<O> a, Lanes<O> b) {
  return {O::float_sub(a.v, b.v)};
}
template <class O>
inline Lanes<O> float_sub(Lanes<O> a, uint32_t c) {
  return {O::float_sub(a.v, O::splat(c))};
}
template <class O>
inline Lanes<O> float_mul(Lanes<O> a, uint32_t c) {
  return {O::float_mul(a.v, O::splat(c))};
}
template <class O>
inline Lanes<O> trunc_to_i32(Lanes<O> a) {
  return {O::trunc_to_i32(a.v)};
}
template <class O>
inline Lanes<O> trunc_to_u32(Lanes<O> a) {
  return {O::trunc_to_u32(a.v)};
}
template <class O>
inline Lanes<O> to_f32(Lanes<O> a) {
  return {O::to_f32(a.v)};
}

// ---------------------------------------------------------------------------
// fp32 -> target, round to nearest even, in two steps so that the common
// case costs little: round_normal_range is right for every lane whose result
// is a normal number; round_edges then fixes the lanes outside_normal_range
// flags (subnormal results, overflow, inf, NaN). The loop runs round_edges
// only on blocks that have such a lane; its lanes in the normal range come
// out unchanged, so both ways give the same bits.
// Scalar reference: round_double(format, x, {NearestEven, saturate}).

// a = |x| as bits (ordered like the magnitudes). Rebias the exponent and
// round the fraction in one go: a carry out of the fraction steps the
// exponent, which is right, the fields being contiguous.
template <class Spec, class O>
inline Lanes<O> round_normal_range(Lanes<O> a) {
  using N = Narrowing<Spec>;
  return (a + N::kRoundAndRebias + ((a >> N::kDrop) & 1u)) >> N::kDrop;
}

// Lanes whose result is not a normal number: below the normal range, or
// rounded past max finite (every overflow, inf and NaN land here too), i.e.
// |x| outside [kMinNormalAsF32, kOverflowFrom). Read from a alone (not from
// round_normal_range's result, so the two run side by side) with one add
// and one signed compare: adding 2^31 - kMinNormalAsF32 maps that range,
// as unsigned numbers shifted to start at 0, onto the bottom of the signed
// order, where one compare against its last value splits it off.
template <class Spec, class O>
inline Lanes<O> outside_normal_range(Lanes<O> a) {
  using N = Narrowing<Spec>;
  if constexpr (N::kSharesF32Range) {
    return greater(a, N::kOverflowFrom - 1);  // bf16: fp32's subnormals round right already
  } else {
    constexpr uint32_t kShift = kF32SignBit - N::kMinNormalAsF32;
    constexpr uint32_t kLast = (N::kOverflowFrom - 1) + kShift;  // as a signed number: the range's top
    return greater_signed(a + kShift, kLast);
  }
}

// The full result from a and round_normal_range's r. `overflow` is what
// finite values beyond the range give: inf / e4m3's NaN, or max finite when
// saturating.
template <class Spec, class O>
inline Lanes<O> round_edges(Lanes<O> a, Lanes<O> r, Lanes<O> overflow) {
  using N = Narrowing<Spec>;
  if constexpr (!N::kSharesF32Range) {
    // Subnormal results: the FPU rounds for us (see kSubnormalMagic).
    const Lanes<O> subnormal = float_add(a, N::kSubnormalMagic) - N::kSubnormalMagic;
    r = select(less(a, N::kMinNormalAsF32), subnormal, r);
  }
  // The integer rounding already settles the top ties (fp16 rounds 65520 to
  // 0x7c00, one past max finite; E4M3 rounds 464 down to 0x7e), and past max
  // finite r only grows with |x| (no wrap up to fp32's largest): so one
  // minimum clamps every overflow, fp32 inf included, to `overflow`.
  r = minimum(r, overflow);

  if constexpr (N::kFinite) {
    r = r | (greater(a, kF32Inf) & N::kNaN);  // NaN: the one NaN (r <= kNaN here)
  } else {
    // inf stays inf (even when saturating: it is exact, not an overflow);
    // a NaN keeps the top of its payload and gets the quiet bit.
    const Lanes<O> quiet = greater(a, kF32Inf) & N::kQuietBit;
    const Lanes<O> special = ((a - N::kSpecialRebias) >> N::kDrop) | quiet;
    r = select(greater(a, kF32Inf - 1), special, r);
  }
  return r;
}

// One block of K vectors of fp32, converted in place.
template <class Spec, class O, size_t K>
inline void nearest_even_block(Lanes<O> (&v)[K], Lanes<O> overflow) {
  using N = Narrowing<Spec>;
  Lanes<O> a[K], r[K];
  Lanes<O> outside = splat<O>(0);
#pragma GCC unroll 8
  for (size_t k = 0; k < K; ++k) {
    a[k] = v[k] & ~kF32SignBit;
    r[k] = round_normal_range<Spec>(a[k]);
    outside = outside | outside_normal_range<Spec>(a[k]);
  }
  if (O::any(outside.v)) {
#pragma GCC unroll 8
    for (size_t k = 0; k < K; ++k) r[k] = round_edges<Spec>(a[k], r[k], overflow);
  }
#pragma GCC unroll 8
  for (size_t k = 0; k < K; ++k) v[k] = r[k] | ((v[k] & kF32SignBit) >> N::kSignShift);
}

// The random stream of core/stochastic.h, lane by lane: counter_lo holds the
// low halves of the lanes' counters; key_lo = seed's low half; key_hi = the
// counters' common high half ^ seed's high half.
template <class O>
inline Lanes<O> stochastic_mix32_lanes(Lanes<O> x) {
  x = x ^ (x >> 16);
  x = mul_lo(x, kStochasticMul1);
  x = x ^ (x >> 15);
  x = mul_lo(x, kStochasticMul2);
  return x ^ (x >> 16);
}
template <class O>
inline Lanes<O> stochastic_bits_lanes(Lanes<O> counter_lo, Lanes<O> key_lo, Lanes<O> key_hi) {
  return stochastic_mix32_lanes(stochastic_mix32_lanes(counter_lo ^ key_lo) ^ key_hi);
}

// fp32 -> target, stochastic rounding: away from zero iff random < frac32,
// the first 32 discarded bits as a fraction of one ULP (truncated).
// Scalar reference: round_double(format, x, {Stochastic, seed, counter}).
template <class Spec, class O>
inline Lanes<O> narrow_stochastic(Lanes<O> x, Lanes<O> random, Lanes<O> overflow) {
  using N = Narrowing<Spec>;
  const Lanes<O> sign = x & kF32SignBit;
  const Lanes<O> a = x ^ sign;

  // Normal results: the kept bits, truncated, and the kDrop bits that fall
  // off moved to the top of a 32-bit fraction.
  const Lanes<O> n = a - N::kRebias;
  Lanes<O> kept = n >> N::kDrop;
  Lanes<O> frac32 = n << (32 - N::kDrop);

  if constexpr (!N::kSharesF32Range) {
    // Subnormal results: how many bits fall off depends on |x|'s exponent,
    // and SIMD128 has no per-lane shift, so split in floating point instead.
    // y counts subnormal spacings (exact scaling by a power of two), its
    // integer part is exact, y - integer part is exact (it is y's low bits),
    // and that fraction times 2^32 is exact: truncating it gives frac32.
    const Lanes<O> y = float_mul(a, N::kToSubnormalUnits);
    const Lanes<O> whole = trunc_to_i32(y);
    const Lanes<O> fraction = float_sub(y, to_f32(whole));
    const Lanes<O> tiny = less(a, N::kMinNormalAsF32);
    kept = select(tiny, whole, kept);
    frac32 = select(tiny, trunc_to_u32(float_mul(fraction, kF32TwoTo32)), frac32);
  }
  // Exact values (frac32 == 0) never move. `up` is all-ones, i.e. -1.
  const Lanes<O> up = less_unsigned(random, frac32);
  Lanes<O> r = kept - up;
  r = minimum(r, overflow);  // rounded past max finite, or |x| beyond the range

  if constexpr (N::kFinite) {
    r = r | (greater(a, kF32Inf) & N::kNaN);
  } else {
    const Lanes<O> quiet = greater(a, kF32Inf) & N::kQuietBit;
    const Lanes<O> special = ((a - N::kSpecialRebias) >> N::kDrop) | quiet;
    r = select(greater(a, kF32Inf - 1), special, r);
  }
  return r | (sign >> N::kSignShift);
}

// target -> fp32, exact. h holds one zero-extended pattern per lane.
// Scalar reference: convert_bits(format, h, fp32()).
template <class Spec, class O>
inline Lanes<O> widen(Lanes<O> h) {
  using L = Layout<Spec>;
  const Lanes<O> sign = (h & L::kSignBit) << L::kSignShift;
  const Lanes<O> a = h & (L::kSignBit - 1);
  const Lanes<O> fields = a << L::kDrop;  // exponent and mantissa moved to fp32's places
  Lanes<O> r;
  if constexpr (L::kSharesF32Range) {
    r = fields;  // bf16: the fp32 with the low 16 bits zero, subnormals included
  } else {
    const Lanes<O> normal = fields + L::kRebias;
    // Subnormals (exponent field 0): with the exponent of 2^emin put in,
    // the bits read 2^emin + m * spacing; subtracting 2^emin leaves
    // m * spacing exactly (a normal fp32: the target's range is inside).
    const Lanes<O> subnormal = float_sub(fields + (L::kRebias + (1u << kF32ManBits)), L::kMinNormalAsF32);
    r = select(less(a, L::kMinNormal), subnormal, normal);
  }
  if constexpr (L::kFinite) {
    r = select(equal(a, L::kNaN), splat<O>(kF32QuietNaN), r);
  } else {
    const Lanes<O> quiet = greater(a, L::kExpAllOnes) & kF32QuietBit;
    const Lanes<O> special = ((a & L::kManMask) << L::kDrop) | quiet | kF32Inf;
    r = select(greater(a, L::kExpAllOnes - 1), special, r);
  }
  return r | sign;
}

// ---------------------------------------------------------------------------
// Loops. Whole blocks go straight through; the last partial block runs on a
// zero-padded copy, so the lane code never reads or writes past n.

// fp32 -> 16- or 8-bit results: a block is as many vectors as kStores
// stores take (2 per store for 16-bit results, 4 for 8-bit ones).
// block(v, i) converts v in place; v[k] holds elements i + k * kLanes
// onwards.
template <class Out>
constexpr size_t kVectorsPerStore = sizeof(Out) == 2 ? 2 : 4;

template <class O, size_t kStores, class Out, class Block>
inline void run_narrow(const float* in, Out* out, size_t n, Block block) {
  constexpr size_t L = O::kLanes, S = kVectorsPerStore<Out>, K = kStores * S, B = K * L;
  auto one_block = [&block](const float* src, Out* dst, size_t i) {
    constexpr size_t L = O::kLanes, S = kVectorsPerStore<Out>, K = kStores * S;
    Lanes<O> v[K];
#pragma GCC unroll 8
    for (size_t k = 0; k < K; ++k) v[k] = Lanes<O>{O::load_f32(src + k * L)};
    block(v, i);
#pragma GCC unroll 2
    for (size_t s = 0; s < kStores; ++s) {
      const Lanes<O>* w = v + s * S;
      if constexpr (S == 2) {
        O::store_u16(dst + s * S * L, w[0].v, w[1].v);
      } else {
        O::store_u8(dst + s * S * L, w[0].v, w[1].v, w[2].v, w[3].v);
      }
    }
  };
  size_t i = 0;
  for (; i + B <= n; i += B) one_block(in + i, out + i, i);
  if (i < n) {
    float tail_in[B] = {};
    Out tail_out[B];
    std::memcpy(tail_in, in + i, (n - i) * sizeof(float));
    one_block(tail_in, tail_out, i);
    std::memcpy(out + i, tail_out, (n - i) * sizeof(Out));
  }
}

// 16- or 8-bit patterns -> fp32, one vector at a time: lane(h) widens it.
template <class O, class In, class LaneFn>
inline void run_widen(const In* in, float* out, size_t n, LaneFn lane) {
  constexpr size_t L = O::kLanes;
  auto load = [](const In* p) {
    if constexpr (sizeof(In) == 2) {
      return Lanes<O>{O::load_u16(p)};
    } else {
      return Lanes<O>{O::load_u8(p)};
    }
  };
  size_t i = 0;
  for (; i + L <= n; i += L) O::store_f32(out + i, lane(load(in + i)).v);
  if (i < n) {
    In tail_in[L] = {};
    float tail_out[L];
    std::memcpy(tail_in, in + i, (n - i) * sizeof(In));
    O::store_f32(tail_out, lane(load(tail_in)).v);
    std::memcpy(out + i, tail_out, (n - i) * sizeof(float));
  }
}

// ---------------------------------------------------------------------------
// The kernels, with the signatures of kernel_sets.h.

template <class O, class Spec, class Out>
void narrow_nearest_even_kernel(const float* in, Out* out, size_t n, bool saturate) {
  const Lanes<O> overflow = splat<O>(saturate ? Layout<Spec>::kMaxFinite : Layout<Spec>::kOverflow);
  // 16-bit results: two stores' worth (four vectors) per block, so that
  // one test of the edge lanes and its branch serve more elements, and
  // four independent conversions are in flight.
  constexpr size_t kStores = sizeof(Out) == 2 ? 2 : 1;
  run_narrow<O, kStores>(in, out, n, [overflow](auto& v, size_t) { nearest_even_block<Spec>(v, overflow); });
}

template <class O, class Spec>
void narrow_stochastic_u16(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                           bool saturate) {
  constexpr size_t L = O::kLanes;
  const Lanes<O> overflow = splat<O>(saturate ? Layout<Spec>::kMaxFinite : Layout<Spec>::kOverflow);
  const Lanes<O> key_lo = splat<O>(static_cast<uint32_t>(seed));
  const Lanes<O> lane_index = Lanes<O>{O::iota()};
  // The lanes share the counters' high half: split the batch where the low
  // half wraps (counter0 + i crosses a multiple of 2^32).
  while (n > 0) {
    const uint64_t until_wrap = (uint64_t{1} << 32) - (counter0 & 0xffffffffu);
    const size_t span = n < until_wrap ? n : static_cast<size_t>(until_wrap);
    const uint32_t counter_lo0 = static_cast<uint32_t>(counter0);
    const Lanes<O> key_hi =
        splat<O>(static_cast<uint32_t>(counter0 >> 32) ^ static_cast<uint32_t>(seed >> 32));
    run_narrow<O, 1>(in, out, span, [&](auto& v, size_t i) {
#pragma GCC unroll 4
      for (size_t k = 0; k < 2; ++k) {
        const Lanes<O> counter_lo = splat<O>(counter_lo0 + static_cast<uint32_t>(i + k * L)) + lane_index;
        v[k] = narrow_stochastic<Spec>(v[k], stochastic_bits_lanes(counter_lo, key_lo, key_hi), overflow);
      }
    });
    in += span;
    out += span;
    n -= span;
    counter0 += span;
  }
}

template <class O, class Spec>
void widen_u16(const uint16_t* in, float* out, size_t n) {
  run_widen<O>(in, out, n, [](Lanes<O> h) { return widen<Spec>(h); });
}

template <class O, class Spec>
void widen_u8(const uint8_t* in, float* out, size_t n) {
  run_widen<O>(in, out, n, [](Lanes<O> h) { return widen<Spec>(h); });
}

// The KernelSet of the SIMD kernels for operations struct O.
template <class O>
constexpr KernelSet simd_kernel_set(const char* name) {
  return KernelSet{name,
                   &narrow_nearest_even_kernel<O, Fp16Spec, uint16_t>,
                   &narrow_nearest_even_kernel<O, Bf16Spec, uint16_t>,
                   &narrow_nearest_even_kernel<O, Fp8E4M3Spec, uint8_t>,
                   &narrow_nearest_even_kernel<O, Fp8E5M2Spec, uint8_t>,
                   &narrow_stochastic_u16<O, Fp16Spec>,
                   &narrow_stochastic_u16<O, Bf16Spec>,
                   &widen_u16<O, Fp16Spec>,
                   &widen_u16<O, Bf16Spec>,
                   &widen_u8<O, Fp8E4M3Spec>,
                   &widen_u8<O, Fp8E5M2Spec>};
}

}  // namespace mantissa::kernels::detail
