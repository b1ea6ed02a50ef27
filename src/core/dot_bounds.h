// Error bounds of the accumulators of core/dot.h, relative to
// (|c| + sum |a_i b_i|) — for data of one sign, relative to |exact| — as
// the README's table gives them (Higham, "Accuracy and Stability of Numerical
// Algorithms", 2nd ed., §3.1 and §4.2; Higham & Mary, SIAM J. Sci. Comput. 41
// (2019), for the probabilistic sqrt(K) u). The Accumulation panel draws them
// as reference lines beside the measured errors.
//
// gamma_n = n u / (1 - n u); every function returns +inf once n u >= 1 (the
// bound says nothing there).
#pragma once
#include <cstdint>

#include "core/dot.h"

namespace mantissa {

// Unit roundoff of a format under a rounding mode: 2^-p for round to nearest,
// 2^(1-p) for the directed modes (one whole ulp), p = precision().
double unit_roundoff(const Format& f, RoundingMode mode = RoundingMode::NearestEven);

double gamma_bound(double n, double u);

// Recursive summation of K terms: gamma_{K-1}.
double recursive_sum_bound(uint64_t k, double u);
// Pairwise summation of K terms: gamma_{ceil(log2 K)}.
double pairwise_sum_bound(uint64_t k, double u);
// Blocks of B terms summed with unit roundoff u_block, the ceil(K/B) block
// sums added in fp32 (u_total): gamma_{min(B,K)}(u_block) + gamma_{ceil(K/B)}(u_total).
double blocked_sum_bound(uint64_t k, uint64_t b, double u_block, double u_total);
// The probabilistic bound sqrt(K) u (lambda = 1): what random data typically shows.
double probabilistic_sum_bound(uint64_t k, double u);

// The deterministic bound of an accumulator at K terms, as README's table
// has it for Mantissa's accumulators (seq: gamma_K, seq-rounded: gamma_{K+1},
// pairwise: gamma_{ceil(log2 K)+2}, blocked, kahan), and the unit roundoff
// its probabilistic line uses. Tensor-core models (and blocked:tc) truncate,
// so their error grows like K u and has no gamma bound here: *bound is NaN.
// `exact` has u = 0 and bound 0.
struct AccumulatorBound {
  double bound = 0;       // deterministic, relative to |c| + sum |a_i b_i|
  double u = 0;           // unit roundoff of the format the sums are held in
  const char* rule = "";  // "gamma_K", "gamma_{ceil(log2 K)+2}", ...
};
AccumulatorBound accumulator_bound(const Accumulator& acc, uint64_t k);

}  // namespace mantissa
