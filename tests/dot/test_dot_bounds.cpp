// Error bounds of summation (core/dot_bounds.h): the gamma formulas against
// exact rational arithmetic, and the bounds actually hold for the measured
// errors of gemm-error on same-signed data (where sum |a_i b_i| = |exact|).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "core/dot_bounds.h"
#include "sim/gemm_error.h"

using namespace mantissa;

TEST_CASE("unit roundoff is 2^-p to nearest and 2^(1-p) for directed rounding", "[dot][bounds]") {
  CHECK(unit_roundoff(fp16()) == std::ldexp(1.0, -11));
  CHECK(unit_roundoff(bf16()) == std::ldexp(1.0, -8));
  CHECK(unit_roundoff(fp32()) == std::ldexp(1.0, -24));
  CHECK(unit_roundoff(fp32(), RoundingMode::TowardZero) == std::ldexp(1.0, -23));
}

TEST_CASE("gamma_n = nu/(1-nu), exactly where the rationals are exact", "[dot][bounds]") {
  // n u = 3/2048: gamma = 3/2045, one correctly rounded division either way.
  CHECK(gamma_bound(3, std::ldexp(1.0, -11)) == 3.0 / 2045.0);
  // Recursive gamma_{K-1}, pairwise gamma_{ceil(log2 K)}.
  CHECK(recursive_sum_bound(4, std::ldexp(1.0, -11)) == 3.0 / 2045.0);
  CHECK(pairwise_sum_bound(4096, std::ldexp(1.0, -11)) == 12.0 / 2036.0);
  CHECK(pairwise_sum_bound(4097, std::ldexp(1.0, -11)) == 13.0 / 2035.0);
  CHECK(pairwise_sum_bound(1, 0.5) == 0);
  // The bound says nothing once n u >= 1: fp16 at K = 2049.
  CHECK(std::isinf(recursive_sum_bound(2049, std::ldexp(1.0, -11))));
  CHECK(std::isfinite(recursive_sum_bound(2048, std::ldexp(1.0, -11))));
  CHECK(probabilistic_sum_bound(4096, std::ldexp(1.0, -24)) == std::ldexp(1.0, -18));
  // Blocks of 128 in bf16 (u = 2^-8), 32 block sums in fp32: (1+g1)(1+g2) - 1.
  const double g1 = 128.0 / 128.0;  // 128 * 2^-8 = 1/2: gamma = 1
  const double g2 = 32.0 / (16777216.0 - 32.0);
  CHECK(std::isinf(blocked_sum_bound(4096, 256, std::ldexp(1.0, -8), std::ldexp(1.0, -24))));
  CHECK(blocked_sum_bound(4096, 128, std::ldexp(1.0, -8), std::ldexp(1.0, -24)) == Approx(g1 + g2 + g1 * g2));
}

TEST_CASE("the bounds hold for gemm-error's measured maxima on positive data", "[dot][bounds]") {
  sim::GemmErrorSpec s;
  s.in = fp16();
  s.dist.uniform = true;
  s.dist.a = 0;
  s.dist.b = 1;
  s.ks = {2, 17, 256, 1024};
  s.trials = 40;
  s.seed = 5;
  for (const char* name : {"seq:fp16", "seq:bf16", "seq-rounded:fp16", "pairwise:fp16", "pairwise:bf16",
                           "blocked:fp16:32", "seq:fp32", "seq:fp16:rtz"}) {
    Accumulator a;
    std::string error;
    REQUIRE(parse_accumulator(name, s.in, &a, &error));
    s.accumulators.push_back(a);
  }
  for (const sim::GemmErrorRow& r : sim::run_gemm_error(s)) {
    Accumulator a;
    std::string error;
    REQUIRE(parse_accumulator(r.accumulator, s.in, &a, &error));
    const AccumulatorBound b = accumulator_bound(a, r.k);
    INFO(r.accumulator << " K=" << r.k << " max " << r.max << " bound " << b.bound << " " << b.rule);
    CHECK(r.max <= b.bound);
  }
}

TEST_CASE("tensor-core models have no gamma bound, exact has none needed", "[dot][bounds]") {
  Accumulator a;
  std::string error;
  REQUIRE(parse_accumulator("tc:h100", fp8_e4m3(), &a, &error));
  CHECK(std::isnan(accumulator_bound(a, 4096).bound));
  CHECK(accumulator_bound(a, 4096).u == std::ldexp(1.0, -13));  // 13 fraction bits kept, rtz
  REQUIRE(parse_accumulator("exact", fp8_e4m3(), &a, &error));
  CHECK(accumulator_bound(a, 4096).bound == 0);
}
