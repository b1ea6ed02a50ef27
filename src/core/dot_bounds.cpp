#include "core/dot_bounds.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace mantissa {

double unit_roundoff(const Format& f, RoundingMode mode) {
  const bool nearest = mode == RoundingMode::NearestEven || mode == RoundingMode::NearestAway;
  return std::ldexp(1.0, (nearest ? -f.precision() : 1 - f.precision()));
}

double gamma_bound(double n, double u) {
  const double nu = n * u;
  if (nu >= 1) return std::numeric_limits<double>::infinity();
  return nu / (1 - nu);
}

double recursive_sum_bound(uint64_t k, double u) {
  return gamma_bound(k == 0 ? 0 : static_cast<double>(k - 1), u);
}

double pairwise_sum_bound(uint64_t k, double u) {
  // ceil(log2 K): the depth of the balanced tree (0 for one term).
  const int depth = k <= 1 ? 0 : std::bit_width(k - 1);
  return gamma_bound(depth, u);
}

double blocked_sum_bound(uint64_t k, uint64_t b, double u_block, double u_total) {
  if (b == 0) b = k;
  const uint64_t blocks = k == 0 ? 0 : (k + b - 1) / b;
  // (1 + g_B)(1 + g_N) - 1: the block's error, then the fp32 total's.
  const double inner = gamma_bound(static_cast<double>(std::min(b, k)), u_block);
  const double outer = gamma_bound(static_cast<double>(blocks), u_total);
  return inner + outer + inner * outer;
}

double probabilistic_sum_bound(uint64_t k, double u) { return std::sqrt(static_cast<double>(k)) * u; }

AccumulatorBound accumulator_bound(const Accumulator& acc, uint64_t k) {
  AccumulatorBound r;
  const double u = unit_roundoff(acc.format, acc.mode);
  switch (acc.kind) {
    case AccumulatorKind::Exact:
      r.rule = "0";
      return r;
    // seq rounds K times (the first exact product too): the textbook
    // gamma_{K-1} is for K terms already in F; seq-rounded adds the rounding
    // of each product into F.
    case AccumulatorKind::Sequential:
      r.u = u;
      r.bound = recursive_sum_bound(k + 1, u);
      r.rule = "gamma_K";
      return r;
    case AccumulatorKind::SequentialRounded:
      r.u = u;
      r.bound = recursive_sum_bound(k + 2, u);
      r.rule = "gamma_{K+1}";
      return r;
    case AccumulatorKind::Pairwise:
      // The tree's depth, plus the products' rounding into F and c added last.
      r.u = unit_roundoff(acc.format);
      r.bound = gamma_bound((k <= 1 ? 0 : std::bit_width(k - 1)) + 2, r.u);
      r.rule = "gamma_{ceil(log2 K)+2}";
      return r;
    case AccumulatorKind::Kahan:
      // 2u + O(K u^2): the second-order term written out as K u^2.
      r.u = unit_roundoff(acc.format);
      r.bound = 2 * r.u + static_cast<double>(k) * r.u * r.u;
      r.rule = "about 2u + K u^2";
      return r;
    case AccumulatorKind::Blocked:
      if (acc.block_tc) {
        r.u = unit_roundoff(acc.tc.rounding_format(), acc.tc.round);
        r.bound = std::numeric_limits<double>::quiet_NaN();
        r.rule = "none (truncation)";
        return r;
      }
      r.u = unit_roundoff(acc.format);
      r.bound = blocked_sum_bound(k, acc.block, r.u, unit_roundoff(fp32()));
      r.rule = "gamma_B(F) + gamma_{ceil(K/B)}(fp32) + their product";
      return r;
    case AccumulatorKind::TensorCore:
      r.u = unit_roundoff(acc.tc.rounding_format(), acc.tc.round);
      r.bound = std::numeric_limits<double>::quiet_NaN();
      r.rule = "none (truncation)";
      return r;
  }
  return r;
}

}  // namespace mantissa
