// Stochastic rounding to fp16 and bf16: the same bits from every kernel set
// and the core for the same (seed, counter), whatever the batch boundaries;
// and rounding up with the probability the rule promises.
#include <catch2/catch.hpp>

#include <cmath>

#include "core/stochastic.h"
#include "kernels/convert.h"
#include "kernels_test_support.h"

using namespace kernels_test;
using mantissa::kernels::detail::StochasticU16;

namespace {

struct StochasticTarget {
  const char* name;
  const Format& (*format)();
  StochasticU16 KernelSet::*kernel;
};

const StochasticTarget kStochasticTargets[] = {
    {"fp16", &mantissa::fp16, &KernelSet::fp32_to_fp16_stochastic},
    {"bf16", &mantissa::bf16, &KernelSet::fp32_to_bf16_stochastic},
};

uint16_t core_stochastic(const Format& f, float x, uint64_t seed, uint64_t counter, bool saturate) {
  mantissa::RoundingOptions opt;
  opt.mode = mantissa::RoundingMode::Stochastic;
  opt.seed = seed;
  opt.counter = counter;
  opt.saturate = saturate;
  return static_cast<uint16_t>(mantissa::round_double(f, x, opt).bits);
}

// The fixed sample: 2^20 inputs spread over all patterns, the target's
// boundaries (subnormals, overflow threshold, NaN payloads) and, since
// stochastic rounding is about values between two neighbours, a run of
// random-looking fractions in a few binades.
std::vector<float> stochastic_sample(const Format& f) {
  std::vector<float> in = spread_sample(1 << 20);
  const std::vector<float> boundaries = boundary_inputs(f);
  in.insert(in.end(), boundaries.begin(), boundaries.end());
  uint32_t state = 12345;
  for (int i = 0; i < 1 << 16; ++i) {
    state = state * 1664525u + 1013904223u;
    const float base = std::ldexp(1.0f, static_cast<int>(state >> 27) - 20);  // 2^-20 .. 2^11
    in.push_back((i & 1 ? -1.0f : 1.0f) * base * (1.0f + static_cast<float>(state & 0xffff) / 65536.0f));
  }
  return in;
}

}  // namespace

TEST_CASE("stochastic rounding gives the core's bits on every kernel set, across counter wraps",
          "[kernels][stochastic]") {
  struct Stream {
    uint64_t seed, counter0;
  };
  // Counters that start far from a wrap, cross 2^32 (the lanes' shared high
  // half changes mid-batch) and cross 2^64 (back to zero).
  const Stream streams[] = {{0, 0},
                            {0x0123456789abcdefull, (uint64_t{1} << 32) - 1000},
                            {42, (uint64_t{7} << 32) - 777},
                            {0xfedcba9876543210ull, ~uint64_t{0} - 5000}};
  for (const StochasticTarget& target : kStochasticTargets) {
    const Format& f = target.format();
    const std::vector<float> in = stochastic_sample(f);
    const size_t n = in.size();
    std::vector<uint16_t> want(n), got(n);
    for (const Stream& s : streams) {
      for (bool saturate : {false, true}) {
        // The reference: the scalar set (the core per element, see
        // test_convert_nearest_even.cpp), checked against direct calls once.
        (mantissa::kernels::detail::kScalarKernels.*target.kernel)(in.data(), want.data(), n, s.seed,
                                                                   s.counter0, saturate);
        if (&s == &streams[1]) {
          uint64_t bad = 0;
          for (size_t i = 0; i < n; i += 7) {  // every 7th: direct calls are slow in wasm
            bad += want[i] != core_stochastic(f, in[i], s.seed, s.counter0 + i, saturate);
          }
          CHECK(bad == 0);
        }
        for (const KernelSet* set : simd_sets()) {
          if (!(set->*target.kernel)) continue;
          (set->*target.kernel)(in.data(), got.data(), n, s.seed, s.counter0, saturate);
          uint64_t bad = 0;
          for (size_t i = 0; i < n; ++i) {
            if (got[i] != want[i] && bad++ < 4) {
              FAIL_CHECK(set->name << " " << target.name << " seed " << s.seed << " counter "
                                   << s.counter0 + i << ": fp32 0x" << std::hex << bits_of(in[i])
                                   << " gave 0x" << got[i] << ", the core 0x" << want[i]);
            }
          }
          INFO(set->name << " " << target.name << " counter0 " << s.counter0
                         << (saturate ? " saturating" : ""));
          CHECK(bad == 0);
        }
      }
    }
  }
}

TEST_CASE("a stochastic batch split anywhere gives the whole batch's bits when the counter is carried",
          "[kernels][stochastic]") {
  const std::vector<float> in = stochastic_sample(mantissa::fp16());
  const size_t n = 10007;
  const uint64_t seed = 99, counter0 = (uint64_t{1} << 32) - 4321;
  for (const StochasticTarget& target : kStochasticTargets) {
    for (const KernelSet* set : mantissa::kernels::detail::runnable_kernel_sets()) {
      if (!(set->*target.kernel)) continue;
      std::vector<uint16_t> whole(n), parts(n);
      (set->*target.kernel)(in.data(), whole.data(), n, seed, counter0, false);
      for (size_t split : {size_t{1}, size_t{7}, size_t{64}, size_t{4321}, size_t{9999}}) {
        (set->*target.kernel)(in.data(), parts.data(), split, seed, counter0, false);
        (set->*target.kernel)(in.data() + split, parts.data() + split, n - split, seed, counter0 + split,
                              false);
        INFO(set->name << " " << target.name << " split at " << split);
        CHECK(parts == whole);
      }
    }
  }
}

TEST_CASE("stochastic rounding rounds up with probability equal to the fractional distance",
          "[kernels][stochastic]") {
  struct Case {
    const char* what;
    const Format& (*format)();
    float x;
  };
  // x between two neighbours lo < x < hi: P(up) = (x - lo) / (hi - lo).
  const Case cases[] = {
      {"fp16 normal, a quarter of the way", &mantissa::fp16, 1.0f + 0.25f * 0x1p-10f},
      {"fp16 normal, 0.7 of the way (negative)", &mantissa::fp16, -(1024.0f + 0.7f)},
      {"fp16 subnormal, a tenth of the way", &mantissa::fp16, 0x1p-24f * 3.1f},
      {"fp16 below the smallest subnormal", &mantissa::fp16, 0x1p-24f * 0.01f},
      {"bf16 normal, a third of the way", &mantissa::bf16, 1.0f + 0x1p-7f / 3.0f},
      {"bf16 at fp32's subnormals", &mantissa::bf16, -0x1p-140f * 0.9f},
  };
  const size_t n = 1 << 20;
  for (const Case& c : cases) {
    const Format& f = c.format();
    const bool is_fp16 = f == mantissa::fp16();
    const double x = c.x;
    // The two neighbours, from round toward zero and away from it.
    mantissa::RoundingOptions toward_zero;
    toward_zero.mode = mantissa::RoundingMode::TowardZero;
    const uint64_t lo_bits = mantissa::round_double(f, x, toward_zero).bits;
    const double lo = mantissa::to_double(f, lo_bits), hi = mantissa::to_double(f, lo_bits + 1);
    const double p = (std::fabs(x) - std::fabs(lo)) / (std::fabs(hi) - std::fabs(lo));
    REQUIRE(p > 0.0);
    REQUIRE(p < 1.0);
    std::vector<float> in(n, c.x);
    std::vector<uint16_t> out(n);
    for (mantissa::kernels::Impl impl : mantissa::kernels::available_impls()) {
      if (is_fp16) {
        mantissa::kernels::fp32_to_fp16_stochastic(in.data(), out.data(), n, 2024, 0, false, impl);
      } else {
        mantissa::kernels::fp32_to_bf16_stochastic(in.data(), out.data(), n, 2024, 0, false, impl);
      }
      size_t ups = 0, others = 0;
      double sum = 0;
      for (uint16_t r : out) {
        ups += r == lo_bits + 1;
        others += r != lo_bits && r != lo_bits + 1;
        sum += r == lo_bits ? lo : hi;
      }
      // Binomial(n, p): five standard deviations.
      const double sigma = std::sqrt(p * (1 - p) / n);
      const double observed = static_cast<double>(ups) / n;
      INFO(c.what << " (" << mantissa::kernels::impl_name(impl) << "): p = " << p << ", observed "
                  << observed);
      CHECK(others == 0);
      CHECK(std::fabs(observed - p) < 5 * sigma);
      // Unbiased: the mean of the results is x, to the same tolerance.
      CHECK(std::fabs(sum / n - x) < 5 * sigma * (std::fabs(hi) - std::fabs(lo)));
    }
  }
}

TEST_CASE("stochastic rounding leaves exact values alone and depends on the seed", "[kernels][stochastic]") {
  const size_t n = 4096;
  std::vector<float> exact(n), between(n, 1.0f + 0x1p-11f);  // fp16: exactly halfway
  for (size_t i = 0; i < n; ++i)
    exact[i] = static_cast<float>(i) * 0.25f - 512.0f;  // fp16 steps of 0.25 up to 512
  std::vector<uint16_t> a(n), b(n), rne(n);
  for (mantissa::kernels::Impl impl : mantissa::kernels::available_impls()) {
    INFO(mantissa::kernels::impl_name(impl));
    mantissa::kernels::fp32_to_fp16_stochastic(exact.data(), a.data(), n, 1, 0, false, impl);
    mantissa::kernels::fp32_to_fp16(exact.data(), rne.data(), n, false, impl);
    CHECK(a == rne);
    mantissa::kernels::fp32_to_fp16_stochastic(between.data(), a.data(), n, 1, 0, false, impl);
    mantissa::kernels::fp32_to_fp16_stochastic(between.data(), b.data(), n, 2, 0, false, impl);
    CHECK(a != b);
  }
}
