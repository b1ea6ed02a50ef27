// Population mode and its SIMD kernels: every implementation bit-identical to
// the scalar reference, and the scalar reference equal to the rounding core.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>

#include "core/rounding.h"
#include "kernels/accumulate.h"
#include "sim/random.h"
#include "sim/simulation.h"

using namespace mantissa;
using namespace mantissa::kernels;
using namespace mantissa::sim;

namespace {

float float_of(uint32_t u) {
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
}

std::vector<AccumulateImpl> vector_impls() {
  std::vector<AccumulateImpl> out;
  for (AccumulateImpl i : {AccumulateImpl::Avx2, AccumulateImpl::Wasm128}) {
    if (accumulate_impl_available(i)) out.push_back(i);
  }
  return out;
}

// Increments that hit the interesting cases: zeros, fp16/bf16 subnormals,
// ties at every scale, values that double-round wrongly through plain fp32.
std::vector<float> interesting_increments() {
  std::vector<float> v = {0.0f,        -0.0f,    1e-8f,          -1e-8f,    0x1p-24f, 0x1p-25f,
                          0x1.8p-25f,  0x1p-11f, 0x1.00002p-11f, -0x1p-11f, 0x1p-12f, 0.00041999f,
                          0.12457275f, 1.0f,     -1.0f,          65504.0f,  65520.0f, 0x1p-11f + 0x1p-30f,
                          3.0e38f,     -3.0e38f, INFINITY,       -INFINITY};
  // NaNs, quiet and signalling, with payloads: against NaN weights the weight's NaN must win.
  for (uint32_t nan : {0x7fc00000u, 0xffc00001u, 0x7f800001u, 0xffa5a5a5u}) v.push_back(float_of(nan));
  for (uint64_t i = 0; i < 200; ++i) {
    const uint64_t r = random_bits64(5, RandomStream::Gradient, i);
    // Random sign, exponent around the weights' range, random mantissa.
    const uint32_t exp = 127 - 40 + static_cast<uint32_t>(r % 60);
    v.push_back(float_of(static_cast<uint32_t>((r >> 8) & 0x807fffffu) | (exp << 23)));
  }
  return v;
}

}  // namespace

TEST_CASE("scalar fp16/bf16 update kernels equal the rounding core's exact sum rounded once",
          "[kernels][population]") {
  const std::vector<float> incs = interesting_increments();
#ifdef __EMSCRIPTEN__
  const uint32_t stride = 7;
#else
  const uint32_t stride = 1;
#endif
  for (uint32_t wb = 0; wb < 0x10000; wb += stride) {
    const uint16_t w = static_cast<uint16_t>(wb);
    for (float d : incs) {
      for (const Format* f : {&fp16(), &bf16()}) {
        const double wd = to_double(*f, w);
        if (std::isnan(wd)) continue;  // NaN payload rules differ by design (see accumulate.h)
        uint16_t got = w;
        if (f == &fp16()) {
          accumulate_fp16(&got, &d, 1, AccumulateImpl::Scalar);
        } else {
          accumulate_bf16(&got, &d, 1, AccumulateImpl::Scalar);
        }
        const uint64_t want = round_sum(*f, wd, static_cast<double>(d)).bits;
        if (std::isnan(to_double(*f, want))) {
          REQUIRE(std::isnan(to_double(*f, got)));
        } else if (got != want) {
          FAIL_CHECK(f->name << " w=0x" << std::hex << wb << " inc=" << d << " got 0x" << got << " want 0x"
                             << want);
          return;
        }
      }
    }
  }
}

TEST_CASE("1 + 2^-11 + 2^-30 rounds up in fp16: no double rounding through fp32", "[kernels][population]") {
  uint16_t w = 0x3c00;  // 1
  const float d = 0x1p-11f + 0x1p-30f;
  accumulate_fp16(&w, &d, 1, AccumulateImpl::Scalar);
  CHECK(w == 0x3c01);
  for (AccumulateImpl impl : vector_impls()) {
    std::vector<uint16_t> ws(16, 0x3c00);
    std::vector<float> ds(16, d);
    accumulate_fp16(ws.data(), ds.data(), ws.size(), impl);
    CHECK(ws[0] == 0x3c01);
    CHECK(ws[15] == 0x3c01);
  }
}

TEST_CASE("population SIMD kernels equal the scalar reference bit for bit", "[kernels][population]") {
  const std::vector<float> incs = interesting_increments();
  const size_t n = 0x10000 + 5;  // every fp16/bf16 pattern, plus a ragged tail
  for (AccumulateImpl impl : vector_impls()) {
    INFO(accumulate_impl_name(impl));
    for (size_t k = 0; k < incs.size(); k += 3) {
      std::vector<uint16_t> a(n), b(n);
      std::vector<float> d(n), fa(n), fb(n);
      for (size_t i = 0; i < n; ++i) {
        a[i] = b[i] = static_cast<uint16_t>(i);
        d[i] = incs[(k + i) % incs.size()];
        fa[i] = fb[i] = float_of(static_cast<uint32_t>(random_bits64(1, RandomStream::InitialWeight, i)));
      }
      // NaN sign of inf - inf is unspecified in wasm; keep infinities apart from infinite weights there.
      CHECK(accumulate_fp16(a.data(), d.data(), n, AccumulateImpl::Scalar) ==
            accumulate_fp16(b.data(), d.data(), n, impl));
      REQUIRE(a == b);
      CHECK(accumulate_bf16(a.data(), d.data(), n, AccumulateImpl::Scalar) ==
            accumulate_bf16(b.data(), d.data(), n, impl));
      REQUIRE(a == b);
      CHECK(accumulate_fp32(fa.data(), d.data(), n, AccumulateImpl::Scalar) ==
            accumulate_fp32(fb.data(), d.data(), n, impl));
      for (size_t i = 0; i < n; ++i) {
        if (bits_of(fa[i]) != bits_of(fb[i]) && !(std::isnan(fa[i]) && std::isnan(fb[i]))) {
          FAIL("fp32 lane " << i);
        }
      }
    }
    // The many-steps (broadcast) kernels.
    std::vector<uint16_t> a(3000), b(3000);
    for (size_t i = 0; i < a.size(); ++i) a[i] = b[i] = static_cast<uint16_t>(0x3c00 + i);
    std::vector<float> steps = {0.00041999f, 0x1p-12f, 0.0f, -0.12457275f, 1e-3f};
    std::vector<uint64_t> la(steps.size()), lb(steps.size());
    accumulate_fp16_steps(a.data(), a.size(), steps.data(), steps.size(), la.data(), AccumulateImpl::Scalar);
    accumulate_fp16_steps(b.data(), b.size(), steps.data(), steps.size(), lb.data(), impl);
    CHECK(a == b);
    CHECK(la == lb);
  }
}

TEST_CASE("population: every weight of the tutorial's scenario behaves like the single weight",
          "[sim][population]") {
  Setup s = tutorial_setup("0.00041999", 101, {"fp16", "fp32-master", "bf16", "fp16-sr"});
  s.population_mode = true;
  s.population = 1000;
  std::string error;
  auto sim = run_simulation(s, &error);
  REQUIRE(sim);
  const SimulationResults& r = sim->results();
  CHECK(r.strategies[0].mean_value == 1.125);
  CHECK(r.strategies[0].lost_updates == 101 * 1000);
  CHECK(r.strategies[0].lost_fraction.last[0] == 1.0);
  CHECK(r.strategies[1].mean_value == 1.167429447174072265625);
  CHECK(r.strategies[1].rel_error_histogram.zero == 1000);
  CHECK(r.strategies[0].rel_error_histogram.counts.size() == 80);
}

TEST_CASE("population with SIMD kernels equals the population with scalar kernels", "[sim][population]") {
  // A Gaussian stream (per-weight increments) over normally drawn weights.
  Setup s;
  s.increments.kind = IncrementStream::Kind::Gaussian;
  s.increments.lr = 0.01;
  s.increments.mean = 0;
  s.increments.stddev = 1;
  s.steps = 20;
  s.seed = 9;
  s.population_mode = true;
  s.population = 4099;
  s.initial.kind = InitialWeights::Kind::Normal;
  s.initial.a = 0;
  s.initial.b = 1;
  std::string error;
  for (const char* name : {"fp16", "bf16", "fp32-master"}) {
    StrategySpec st;
    REQUIRE(parse_strategy(name, &st, &error));
    s.strategies.push_back(st);
  }
  auto fast = run_simulation(s, &error);
  REQUIRE(fast);
  // The same updates through the scalar reference kernels, weight by weight.
  std::vector<uint16_t> w16(s.population), wb(s.population);
  std::vector<float> w32(s.population);
  for (uint64_t i = 0; i < s.population; ++i) {
    const double w0 = random_normal(s.seed, RandomStream::InitialWeight, i);
    w16[i] = static_cast<uint16_t>(round_double(fp16(), w0).bits);
    wb[i] = static_cast<uint16_t>(round_double(bf16(), w0).bits);
    w32[i] = static_cast<float>(w0);
  }
  uint64_t lost16 = 0;
  std::vector<float> inc(s.population);
  for (uint64_t t = 0; t < s.steps; ++t) {
    for (uint64_t i = 0; i < s.population; ++i) {
      double hi, lo;
      two_product(s.increments.lr, random_normal(s.seed, RandomStream::Gradient, t * s.population + i), &hi,
                  &lo);
      inc[i] = static_cast<float>(to_double(fp16(), round_sum(fp16(), hi, lo).bits));
    }
    lost16 += accumulate_fp16(w16.data(), inc.data(), w16.size(), AccumulateImpl::Scalar);
    accumulate_bf16(wb.data(), inc.data(), wb.size(), AccumulateImpl::Scalar);
    accumulate_fp32(w32.data(), inc.data(), w32.size(), AccumulateImpl::Scalar);
  }
  double m16 = 0, mb = 0, m32 = 0;
  for (uint64_t i = 0; i < s.population; ++i) {
    m16 += to_double(fp16(), w16[i]);
    mb += to_double(bf16(), wb[i]);
    m32 += w32[i];
  }
  const double p = static_cast<double>(s.population);
  CHECK(fast->results().strategies[0].mean_value == m16 / p);
  CHECK(fast->results().strategies[1].mean_value == mb / p);
  CHECK(fast->results().strategies[2].mean_value == m32 / p);
  CHECK(fast->results().strategies[0].lost_updates == lost16);
}

TEST_CASE("population loss scaling skips the step for every weight when one gradient overflows",
          "[sim][population]") {
  Setup s = tutorial_setup("2", 3, {"fp32-master+ls-dynamic"});
  s.population_mode = true;
  s.population = 10;
  std::string error;
  auto sim = run_simulation(s, &error);
  REQUIRE(sim);
  CHECK(sim->results().strategies[0].skipped == 2);
  CHECK(sim->results().strategies[0].mean_value == 1.125 + 2);
}
