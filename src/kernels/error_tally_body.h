// The SIMD loop of tally_fp32() for W doubles per vector (AVX-512: 8, AVX2: 4,
// wasm SIMD128: 2), written once with the compilers' vector extensions and
// included by the per-ISA files. Eight lanes are 8 / W vectors; every lane
// does exactly the scalar loop's operations on its elements (masked elements
// add +0.0 and take part in no count), so the bits equal the scalar path's.
#pragma once
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "kernels/error_tally.h"

// No fused multiply-add: the AVX2 file is built with -mfma, and g++ would
// fuse se += e * e, rounding once where the scalar loop rounds twice.
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace mantissa::kernels::detail {
// Internal linkage: each ISA's file compiles its own copy of these templates
// with its own flags. As ordinary (weak) template instances, the AVX-512
// file's count_fp32_simd<4> and the AVX2 file's were one symbol, and the
// linker kept either copy for both paths: AVX-512 code on the AVX2 path would
// fault on a CPU without AVX-512 (tests/linkage/isa_symbols.sh checks it).
namespace {

// The vector types of W lanes (g++ ignores a vector_size that depends on a
// template parameter, hence one specialization per width): W doubles, and
// for the counts 2W floats (the same register width).
template <int W>
struct TallyVectors;
template <>
struct TallyVectors<8> {
  typedef double V __attribute__((vector_size(64)));
  typedef long long I __attribute__((vector_size(64)));
  typedef float F __attribute__((vector_size(32)));
  typedef float F2 __attribute__((vector_size(64)));
  typedef int J2 __attribute__((vector_size(64)));
  typedef unsigned U2 __attribute__((vector_size(64)));
};
template <>
struct TallyVectors<4> {
  typedef double V __attribute__((vector_size(32)));
  typedef long long I __attribute__((vector_size(32)));
  typedef float F __attribute__((vector_size(16)));
  typedef float F2 __attribute__((vector_size(32)));
  typedef int J2 __attribute__((vector_size(32)));
  typedef unsigned U2 __attribute__((vector_size(32)));
};
template <>
struct TallyVectors<2> {
  typedef double V __attribute__((vector_size(16)));
  typedef long long I __attribute__((vector_size(16)));
  typedef float F __attribute__((vector_size(8)));
  typedef float F2 __attribute__((vector_size(16)));
  typedef int J2 __attribute__((vector_size(16)));
  typedef unsigned U2 __attribute__((vector_size(16)));
};

// The smallest float >= d (d a double, not NaN): |y| < d and |y| >= d for a
// float |y| ask the same as |y| < ceil_float(d) and |y| >= ceil_float(d).
inline float ceil_float(double d) {
  if (d > static_cast<double>(FLT_MAX)) return INFINITY;  // (converting it would be undefined)
  float f = static_cast<float>(d);
  if (static_cast<double>(f) < d) f = std::nextafter(f, INFINITY);
  return f;
}

// The seven counts of elements x stored as y, 2W float lanes at a time, as
// minus the counts in int32 lanes (a comparison's true lane is -1): a lane
// holds at most 2^24 vectors' worth before flush() adds them up (callers
// flush every kMaxVectors). Counts are integers, so any order gives the same.
template <int W>
struct CountLanes {
  using F2 = typename TallyVectors<W>::F2;
  using J2 = typename TallyVectors<W>::J2;
  static constexpr size_t kMaxVectors = size_t{1} << 24;
  const F2 inf = F2{} + INFINITY, zero = F2{}, smallest_normal, lost_from;
  J2 overflow{}, subnormal{}, flushed{}, exact{}, measured{}, rel_count{}, lost{};
  explicit CountLanes(const TallyBounds& b)
      : smallest_normal(F2{} + ceil_float(b.smallest_normal)), lost_from(F2{} + ceil_float(b.lost_from)) {}
  // Counts one vector (ax, ay: |x|, |y|); returns the mask of elements whose
  // error is measured (both finite) and sets *x_nonzero to those with x != 0.
  J2 add(F2 xv, F2 yv, F2 ax, F2 ay, J2* x_nonzero) {
    const J2 x_finite = (J2)(ax < inf), y_finite = (J2)(ay < inf);
    const J2 m = x_finite & y_finite;
    *x_nonzero = m & (J2)(xv != zero);
    overflow += x_finite & ~y_finite;
    measured += m;
    exact += m & (J2)(yv == xv);
    rel_count += *x_nonzero;
    flushed += *x_nonzero & (J2)(yv == zero);
    subnormal += m & (J2)(yv != zero) & (J2)(ay < smallest_normal);
    lost += m & (J2)(ay >= lost_from);
    return m;
  }
  void flush(ErrorTally* s) {
    const auto take = [](uint64_t& to, J2& lanes) {
      for (size_t w = 0; w < 2 * W; ++w) to -= static_cast<uint64_t>(static_cast<int64_t>(lanes[w]));
      lanes = J2{};
    };
    take(s->overflow, overflow), take(s->subnormal, subnormal), take(s->flushed, flushed), take(s->exact, exact);
    take(s->measured, measured), take(s->rel_count, rel_count), take(s->lost, lost);
  }
};

// The counts of x[0..n) stored as y (n a multiple of C = 2W): in float
// lanes, C elements a vector.
template <int W>
void count_fp32_simd(const float* x, const float* y, size_t n, const TallyBounds& b, ErrorTally* s) {
  using F2 = typename TallyVectors<W>::F2;
  using J2 = typename TallyVectors<W>::J2;
  constexpr size_t C = 2 * W;
  const F2 abs_mask = (F2)(J2{} + 0x7fffffff);
  CountLanes<W> counts(b);
  for (size_t start = 0; start < n; start += C * counts.kMaxVectors) {
    const size_t end = std::min(n, start + C * counts.kMaxVectors);
    for (size_t j = start; j < end; j += C) {
      F2 xv, yv;
      std::memcpy(&xv, x + j, sizeof xv);
      std::memcpy(&yv, y + j, sizeof yv);
      J2 x_nonzero;
      counts.add(xv, yv, (F2)((J2)xv & (J2)abs_mask), (F2)((J2)yv & (J2)abs_mask), &x_nonzero);
    }
    counts.flush(s);
  }
}

// The sums and maxima of x[0..n) stored as y (n a multiple of 8, x[0] in
// lane 0): W doubles a vector, lane g * W + w in element w of vector g.
// Widen: W floats from memory to W doubles, static V load(const float*)
// (the portable __builtin_convertvector goes through the stack in g++).
template <int W>
struct ConvertWiden {
  static typename TallyVectors<W>::V load(const float* p) {
    typename TallyVectors<W>::F f;
    std::memcpy(&f, p, sizeof f);
    return __builtin_convertvector(f, typename TallyVectors<W>::V);
  }
  // The low and the high W floats of a vector of 2W, widened.
  static typename TallyVectors<W>::V lo(typename TallyVectors<W>::F2 a) {
    typename TallyVectors<W>::F f;
    std::memcpy(&f, &a, sizeof f);
    return __builtin_convertvector(f, typename TallyVectors<W>::V);
  }
  static typename TallyVectors<W>::V hi(typename TallyVectors<W>::F2 a) {
    typename TallyVectors<W>::F f;
    std::memcpy(&f, reinterpret_cast<const char*>(&a) + sizeof f, sizeof f);
    return __builtin_convertvector(f, typename TallyVectors<W>::V);
  }
};

// Stored: y is x (every value is a value of the target format, e.g. a bf16
// tensor measured for bf16): each error is +0.0, and adding +0.0 to the
// non-negative error sums or taking it into their maxima changes no bit, so
// only the signal sums are computed (no division).
template <int W, class Widen, bool Stored = false>
void sum_fp32_simd(const float* x, const float* y, size_t n, ErrorTally* s) {
  using V = typename TallyVectors<W>::V;
  using I = typename TallyVectors<W>::I;
  constexpr int G = static_cast<int>(kTallyLanes) / W;
  const auto keep = [](I m, V a) { return (V)(m & (I)a); };  // m ? a : +0.0
  const V sign_off = (V)(I{} + 0x7fffffffffffffffLL);
  const V inf = V{} + INFINITY, zero = V{};
  V ss[G], se[G], sr[G];
  for (int g = 0; g < G; ++g)
    for (int w = 0; w < W; ++w) {
      ss[g][w] = s->sq_signal[g * W + w];
      se[g][w] = s->sq_error[g * W + w];
      sr[g][w] = s->rel[g * W + w];
    }
  V max_abs = V{} + s->max_abs, max_rel = V{} + s->max_rel;
  for (size_t j = 0; j < n; j += kTallyLanes) {
    // Unrolled, so that ss, se and sr live in registers rather than on the stack.
#pragma GCC unroll 4
    for (int g = 0; g < G; ++g) {
      if constexpr (Stored) {
        const V xv = Widen::load(x + j + g * W);
        const I m = (I)((V)((I)xv & (I)sign_off) < inf);
        ss[g] += keep(m, xv * xv);
        continue;
      }
      const V xv = Widen::load(x + j + g * W), yv = Widen::load(y + j + g * W);
      const V ax = (V)((I)xv & (I)sign_off), ay = (V)((I)yv & (I)sign_off);
      const I m = (I)(ax < inf) & (I)(ay < inf);
      const V e = keep(m, (V)((I)(yv - xv) & (I)sign_off));
      ss[g] += keep(m, xv * xv);
      se[g] += e * e;
      // std::max(a, b) is a < b ? b : a; nothing here is NaN (masked lanes are +0.0).
      max_abs = max_abs < e ? e : max_abs;
      const V rel = keep(m & (I)(xv != zero), e / ax);
      sr[g] += rel;
      max_rel = max_rel < rel ? rel : max_rel;
    }
  }
  for (int g = 0; g < G; ++g)
    for (int w = 0; w < W; ++w) {
      s->sq_signal[g * W + w] = ss[g][w];
      s->sq_error[g * W + w] = se[g][w];
      s->rel[g * W + w] = sr[g][w];
    }
  for (int w = 0; w < W; ++w) {
    s->max_abs = std::max(s->max_abs, max_abs[w]);
    s->max_rel = std::max(s->max_rel, max_rel[w]);
  }
}

// The rounded tally (tally_fp32_round: y is x rounded to nearest in a
// narrower format, overflow to inf or NaN, here in the registers): counts and
// sums in one loop, the error in float lanes. Where x and y are finite, y - x is exact in float
// (Sterbenz: y != 0 has x's sign and |y - x| <= half y's quantum <= |y| / 2,
// so y / 2 <= x <= 2 y; y == 0 gives -x), so widening the float error gives
// the double error of tally_element bit for bit, and so do x*x from |x|
// (masked elements +0.0) and e / |x| (masked elements and x == 0, where the
// error is 0, divide 0 by 1). Only the widened error, |x| and the divisor
// take double lanes; the masks, counts and the error's maximum stay in float
// lanes, twice as many per vector (two double vectors per float vector).
// x rounded to nearest even in the target (RoundSpec, error_tally.h), the
// value the batch kernels' round trip gives wherever x is finite (the tally
// reads y nowhere else; an overflow may give inf where the kernel gives NaN:
// both are "not finite"). Normal results: round to nearest even on |x|'s bits
// (add half the dropped ULP minus one plus the lowest kept bit, truncate).
// Subnormal results (|x| < the target's smallest normal): |x| + magic - magic,
// the FPU's own rounding to the target's subnormal spacing (both exact steps:
// the sum stays in magic's binade, the difference is Sterbenz's).
// Checked once (slice 15f, not in the suite: a minute) against the batch
// kernels' round trip for every finite fp32 and each of the four targets,
// round_scalar and RoundLanes alike: no difference.
inline float round_scalar(float x, const RoundSpec& r) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  const uint32_t sign = u & 0x80000000u, a = u & 0x7fffffffu;
  uint32_t y;
  if (a >= r.overflow_from) {
    y = 0x7f800000u;
  } else if (a < r.min_normal) {
    float ax, m;
    std::memcpy(&ax, &a, 4);
    std::memcpy(&m, &r.subnormal_magic, 4);
    const float s = (ax + m) - m;
    std::memcpy(&y, &s, 4);
  } else {
    y = (a + r.half_ulp_minus_one + ((a >> r.drop) & 1u)) & ~((1u << r.drop) - 1u);
  }
  y |= sign;
  float f;
  std::memcpy(&f, &y, 4);
  return f;
}

// The same in lanes; the constants splatted once per batch. The lowest kept
// bit is added as minus the all-ones mask of (|x| & that bit) != 0: wasm has
// no shift of every lane by a run-time count that clang would use here (it
// extracted the lanes and shifted them one by one).
template <int W>
struct RoundLanes {
  using F2 = typename TallyVectors<W>::F2;
  using J2 = typename TallyVectors<W>::J2;
  using U2 = typename TallyVectors<W>::U2;
  F2 magic, min_normal;
  U2 half, lowest_kept, keep_mask, overflow_from;
  explicit RoundLanes(const RoundSpec& r) {
    float m, n;
    std::memcpy(&m, &r.subnormal_magic, 4);
    std::memcpy(&n, &r.min_normal, 4);
    magic = F2{} + m;
    min_normal = F2{} + n;
    half = U2{} + r.half_ulp_minus_one;
    lowest_kept = U2{} + (1u << r.drop);
    keep_mask = U2{} + ~((1u << r.drop) - 1u);
    overflow_from = U2{} + r.overflow_from;
  }
  F2 operator()(F2 xv, F2 ax) const {
    const U2 a = (U2)ax;
    const U2 normal = (a + half - (U2)((J2)(a & lowest_kept) != J2{})) & keep_mask;
    const U2 subnormal = (U2)((ax + magic) - magic);
    const U2 is_sub = (U2)(ax < min_normal);
    const U2 over = (U2)(a >= overflow_from);
    const U2 y = (((is_sub & subnormal) | (~is_sub & normal)) & ~over) | (over & 0x7f800000u);
    return (F2)(y | ((U2)xv & 0x80000000u));
  }
};

template <int W, class Widen>
void tally_rounded_simd(const float* x, const RoundSpec& r, size_t n, const TallyBounds& b, ErrorTally* s) {
  using V = typename TallyVectors<W>::V;
  using F2 = typename TallyVectors<W>::F2;
  using J2 = typename TallyVectors<W>::J2;
  constexpr int G = static_cast<int>(kTallyLanes) / W;
  constexpr size_t C = 2 * W;                           // elements per float vector
  constexpr size_t B = C > kTallyLanes ? C : kTallyLanes;  // elements per step (n a multiple of it)
  const F2 abs_mask = (F2)(J2{} + 0x7fffffff);
  const F2 zero = F2{}, one = F2{} + 1.0f;
  const auto keep = [](J2 m, F2 a) { return (F2)(m & (J2)a); };  // m ? a : +0.0f
  V ss[G], se[G], sr[G];
  for (int g = 0; g < G; ++g)
    for (int w = 0; w < W; ++w) {
      ss[g][w] = s->sq_signal[g * W + w];
      se[g][w] = s->sq_error[g * W + w];
      sr[g][w] = s->rel[g * W + w];
    }
  V max_rel = V{} + s->max_rel;
  F2 max_abs = zero;
  const RoundLanes<W> rounder(r);
  CountLanes<W> counts(b);
  for (size_t start = 0; start < n; start += C * counts.kMaxVectors) {
    const size_t end = std::min(n, start + C * counts.kMaxVectors);
    for (size_t j = start; j < end; j += B) {
#pragma GCC unroll 4
      for (size_t k = 0; k < B / C; ++k) {
        F2 xv, yv;
        std::memcpy(&xv, x + j + k * C, sizeof xv);
        const F2 ax = (F2)((J2)xv & (J2)abs_mask);
        yv = rounder(xv, ax);
        J2 x_nonzero;
        const J2 m = counts.add(xv, yv, ax, (F2)((J2)yv & (J2)abs_mask), &x_nonzero);
        const F2 e = keep(m, (F2)((J2)(yv - xv) & (J2)abs_mask));
        const F2 axm = keep(m, ax);
        const F2 den = (F2)((J2)keep(x_nonzero, ax) | ((J2)one & ~x_nonzero));
        max_abs = max_abs < e ? e : max_abs;
        // The low half, then the high half: lanes 2k and 2k + 1 of the G vectors (mod G).
        const int g0 = static_cast<int>((2 * k) % G), g1 = static_cast<int>((2 * k + 1) % G);
        {
          const V ev = Widen::lo(e), xw = Widen::lo(axm), dv = Widen::lo(den);
          ss[g0] += xw * xw;
          se[g0] += ev * ev;
          const V rel = ev / dv;
          sr[g0] += rel;
          max_rel = max_rel < rel ? rel : max_rel;
        }
        {
          const V ev = Widen::hi(e), xw = Widen::hi(axm), dv = Widen::hi(den);
          ss[g1] += xw * xw;
          se[g1] += ev * ev;
          const V rel = ev / dv;
          sr[g1] += rel;
          max_rel = max_rel < rel ? rel : max_rel;
        }
      }
    }
    counts.flush(s);
  }
  for (int g = 0; g < G; ++g)
    for (int w = 0; w < W; ++w) {
      s->sq_signal[g * W + w] = ss[g][w];
      s->sq_error[g * W + w] = se[g][w];
      s->rel[g * W + w] = sr[g][w];
    }
  for (int w = 0; w < W; ++w) s->max_rel = std::max(s->max_rel, max_rel[w]);
  for (size_t w = 0; w < C; ++w) s->max_abs = std::max(s->max_abs, static_cast<double>(max_abs[w]));
}

// Two passes over the whole groups of eight, counts then sums: each loop
// keeps its accumulators in registers (one loop for both spills on AVX2).
template <int W, class Widen = ConvertWiden<W>>
void tally_fp32_simd(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b,
                     ErrorTally* t) {
  ErrorTally s = *t;
  size_t j = 0;
  // Up to the first element of a lane-0 group, one at a time.
  for (; j < n && (first + j) % kTallyLanes != 0; ++j) tally_element(s, (first + j) % kTallyLanes, x[j], y[j], b);
  const size_t whole = (n - j) / kTallyLanes * kTallyLanes;
  // Counts take 2W elements a vector: AVX-512's sixteen leave up to one group of eight to AVX2's width.
  const size_t wide = whole / (2 * W) * (2 * W);
  count_fp32_simd<W>(x + j, y + j, wide, b, &s);
  if constexpr (W == 8) count_fp32_simd<4>(x + j + wide, y + j + wide, whole - wide, b, &s);
  if (x == y) {
    sum_fp32_simd<W, Widen, true>(x + j, y + j, whole, &s);
  } else {
    sum_fp32_simd<W, Widen>(x + j, y + j, whole, &s);
  }
  j += whole;
  for (; j < n; ++j) tally_element(s, (first + j) % kTallyLanes, x[j], y[j], b);
  *t = s;
}

// x rounded in registers (RoundSpec): no y array, no narrow and widen passes.
template <int W, class Widen = ConvertWiden<W>>
void tally_fp32_round_simd(const float* x, const RoundSpec& r, size_t n, uint64_t first, const TallyBounds& b,
                           ErrorTally* t) {
  ErrorTally s = *t;
  size_t j = 0;
  for (; j < n && (first + j) % kTallyLanes != 0; ++j)
    tally_element(s, (first + j) % kTallyLanes, x[j], round_scalar(x[j], r), b);
  constexpr size_t B = 2 * W > kTallyLanes ? 2 * W : kTallyLanes;
  const size_t whole = (n - j) / B * B;
  tally_rounded_simd<W, Widen>(x + j, r, whole, b, &s);
  j += whole;
  for (; j < n; ++j) tally_element(s, (first + j) % kTallyLanes, x[j], round_scalar(x[j], r), b);
  *t = s;
}

}  // namespace
}  // namespace mantissa::kernels::detail
