// The SIMD loop of tally_fp32() for W doubles per vector (AVX2: 4, wasm
// SIMD128: 2), written once with the compilers' vector extensions and
// included by the per-ISA files. Eight lanes are 8 / W vectors; every lane
// does exactly the scalar loop's operations on its elements (masked elements
// add +0.0 and take part in no count), so the bits equal the scalar path's.
#pragma once
#include <cstring>

#include "kernels/error_tally.h"

namespace mantissa::kernels::detail {

// The vector types of W lanes (g++ ignores a vector_size that depends on a
// template parameter, hence one specialization per width).
template <int W>
struct TallyVectors;
template <>
struct TallyVectors<4> {
  typedef double V __attribute__((vector_size(32)));
  typedef long long I __attribute__((vector_size(32)));
  typedef float F __attribute__((vector_size(16)));
};
template <>
struct TallyVectors<2> {
  typedef double V __attribute__((vector_size(16)));
  typedef long long I __attribute__((vector_size(16)));
  typedef float F __attribute__((vector_size(8)));
};

template <int W>
void tally_fp32_simd(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b,
                     ErrorTally* t) {
  using V = typename TallyVectors<W>::V;
  using I = typename TallyVectors<W>::I;
  using F = typename TallyVectors<W>::F;
  constexpr int G = static_cast<int>(kTallyLanes) / W;
  ErrorTally s = *t;
  size_t j = 0;
  // Up to the first element of a lane-0 group, one at a time.
  for (; j < n && (first + j) % kTallyLanes != 0; ++j) tally_element(s, (first + j) % kTallyLanes, x[j], y[j], b);

  const auto sel = [](I m, V a, V c) { return (V)((m & (I)a) | (~m & (I)c)); };  // m ? a : c
  const auto keep = [](I m, V a) { return (V)(m & (I)a); };                      // m ? a : +0.0
  const V sign_off = (V)(I{} + 0x7fffffffffffffffLL);
  const V inf = V{} + INFINITY, zero = V{}, smallest_normal = V{} + b.smallest_normal, lost_from = V{} + b.lost_from;
  V ss[G], se[G], sr[G];
  for (int g = 0; g < G; ++g)
    for (int w = 0; w < W; ++w) {
      ss[g][w] = s.sq_signal[g * W + w];
      se[g][w] = s.sq_error[g * W + w];
      sr[g][w] = s.rel[g * W + w];
    }
  V max_abs = V{} + s.max_abs, max_rel = V{} + s.max_rel;
  I overflow{}, subnormal{}, flushed{}, exact{}, measured{}, rel_count{}, lost{};  // minus the counts
  for (; j + kTallyLanes <= n; j += kTallyLanes) {
    for (int g = 0; g < G; ++g) {
      F xf, yf;
      std::memcpy(&xf, x + j + g * W, sizeof xf);
      std::memcpy(&yf, y + j + g * W, sizeof yf);
      const V xv = __builtin_convertvector(xf, V), yv = __builtin_convertvector(yf, V);
      const V ax = (V)((I)xv & (I)sign_off), ay = (V)((I)yv & (I)sign_off);
      const I x_finite = (I)(ax < inf), y_finite = (I)(ay < inf);
      const I m = x_finite & y_finite;
      overflow += x_finite & ~y_finite;
      measured += m;
      exact += m & (I)(yv == xv);
      const I x_nonzero = m & (I)(xv != zero);
      flushed += x_nonzero & (I)(yv == zero);
      subnormal += m & (I)(yv != zero) & (I)(ay < smallest_normal);
      lost += m & (I)(ay >= lost_from);
      const V err = (V)((I)(yv - xv) & (I)sign_off);
      ss[g] += keep(m, xv * xv);
      const V e = keep(m, err);
      se[g] += e * e;
      max_abs = sel((I)(max_abs < e), e, max_abs);
      rel_count += x_nonzero;
      const V rel = keep(x_nonzero, err / ax);
      sr[g] += rel;
      max_rel = sel((I)(max_rel < rel), rel, max_rel);
    }
  }
  for (int g = 0; g < G; ++g)
    for (int w = 0; w < W; ++w) {
      s.sq_signal[g * W + w] = ss[g][w];
      s.sq_error[g * W + w] = se[g][w];
      s.rel[g * W + w] = sr[g][w];
    }
  for (int w = 0; w < W; ++w) {
    s.overflow -= static_cast<uint64_t>(overflow[w]);
    s.subnormal -= static_cast<uint64_t>(subnormal[w]);
    s.flushed -= static_cast<uint64_t>(flushed[w]);
    s.exact -= static_cast<uint64_t>(exact[w]);
    s.measured -= static_cast<uint64_t>(measured[w]);
    s.rel_count -= static_cast<uint64_t>(rel_count[w]);
    s.lost -= static_cast<uint64_t>(lost[w]);
    s.max_abs = std::max(s.max_abs, max_abs[w]);
    s.max_rel = std::max(s.max_rel, max_rel[w]);
  }
  for (; j < n; ++j) tally_element(s, (first + j) % kTallyLanes, x[j], y[j], b);
  *t = s;
}

}  // namespace mantissa::kernels::detail
