// fp16_binade_step (the wasm fp16 kernel's fast path, one lane at a time)
// against the scalar reference fp16_scalar: whenever the step accepts a lane,
// its answer must be the reference's, bit for bit.
//
//  - everywhere: every fp16 weight with fp32 increments at and beside each
//    binade's rounding points (ties, binade edges, the magic add's range);
//  - [exhaustive] (plain native build): every fp16 weight with every fp16
//    increment, 2^32 pairs;
//  - by name: the cases the step must accept (or the kernel would be no
//    faster) and the ones it must leave to the exact path.
#include <catch2/catch.hpp>
#include <cstdio>

#include "kernels/accumulate.h"
#include "kernels/fp16_binade_step.h"
#include "kernels_test_support.h"

using namespace kernels_test;
using mantissa::kernels::accumulate_impl_available;
using mantissa::kernels::AccumulateImpl;
using mantissa::kernels::fp16_binade_step;
using mantissa::kernels::fp16_to_fp32;

namespace {

uint16_t reference(uint16_t w, float d) {
  mantissa::kernels::detail::fp16_scalar(&w, &d, 0, 1);
  return w;
}

struct Sweep {
  std::atomic<uint64_t> accepted{0};
  Mismatches mismatches;
};

// Every fp16 weight against the increment d, in one call of the reference
// kernel: the scalar reference, or (for the 2^32 sweep) the AVX2 kernel,
// which tests/sim/test_population.cpp holds bit-identical to it.
void sweep_weights(float d, Sweep& out, AccumulateImpl reference = AccumulateImpl::Scalar) {
  thread_local std::vector<uint16_t> want(0x10000);
  for (uint32_t h = 0; h < 0x10000; ++h) want[h] = static_cast<uint16_t>(h);
  uint64_t lost = 0;
  mantissa::kernels::accumulate_fp16_steps(want.data(), want.size(), &d, 1, &lost, reference);
  // Counted without branches first (this runs 2^32 times in the sweep); the
  // mismatches are walked again only when there are some.
  uint64_t accepted = 0, bad = 0;
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const auto step = fp16_binade_step(static_cast<uint16_t>(h), d);
    accepted += step.valid;
    bad += step.valid & (step.bits != want[h]);
  }
  out.accepted += accepted;
  if (bad == 0) return;
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const auto step = fp16_binade_step(static_cast<uint16_t>(h), d);
    if (step.valid && step.bits != want[h]) {
      char what[40];
      std::snprintf(what, sizeof what, "weight 0x%04x + increment", static_cast<unsigned>(h));
      out.mismatches.add(what, bits_of(d), step.bits, want[h]);
    }
  }
}

uint16_t fp16_bits(float exact) {  // an fp16 value given exactly as a float
  const uint16_t h = mantissa::kernels::fp32_to_fp16_rne(bits_of(exact));
  REQUIRE(fp16_to_fp32(h) == exact);
  return h;
}

}  // namespace

TEST_CASE("the fp16 binade step agrees with the reference at every binade's rounding points",
          "[kernels][population]") {
  const std::vector<float> incs = fp16_rounding_point_increments();
  REQUIRE(incs.size() > 2000);
  Sweep sweep;
  parallel_chunks(incs.size(), 1, [&](uint64_t b, uint64_t e) {
    for (uint64_t i = b; i < e; ++i) sweep_weights(incs[i], sweep);
  });
  INFO("first mismatches:\n" << sweep.mismatches.first());
  CHECK(sweep.mismatches.count() == 0);
  // The sample exercises the step, not only its refusals.
  CHECK(sweep.accepted > incs.size() * 0x10000 / 4);
}

TEST_CASE("the fp16 binade step agrees with the reference for every fp16 weight and fp16 increment",
          "[kernels][population][exhaustive]") {
  // Not the wasm kernel: it is built on the step under test.
  const AccumulateImpl reference =
      accumulate_impl_available(AccumulateImpl::Avx2) ? AccumulateImpl::Avx2 : AccumulateImpl::Scalar;
  Sweep sweep;
  parallel_chunks(0x10000, 64, [&](uint64_t b, uint64_t e) {
    for (uint64_t d = b; d < e; ++d) sweep_weights(fp16_to_fp32(static_cast<uint16_t>(d)), sweep, reference);
  });
  INFO("first mismatches:\n" << sweep.mismatches.first());
  CHECK(sweep.mismatches.count() == 0);
  CHECK(sweep.accepted > (uint64_t{1} << 32) / 3);
}

TEST_CASE("the fp16 binade step takes the tutorial's updates and declines what needs the exact sum",
          "[kernels][population]") {
  // 0.00041999 stored in fp16.
  const float tutorial_inc = fp16_to_fp32(mantissa::kernels::fp32_to_fp16_rne(bits_of(0.00041999f)));
  struct Case {
    const char* what;
    float w, d;
    bool valid;
  };
  const Case cases[] = {
      {"1.125 + the tutorial's increment: lost, in the binade", 1.125f, tutorial_inc, true},
      {"1.125 + 0.12457275390625: the tutorial's other increment, in fp16", 1.125f, 0.12457275390625f, true},
      {"1.125 + 2^-11: half a quantum, a tie, to even", 1.125f, 0x1p-11f, true},
      {"1.126953125 + 2^-11: a tie from an odd weight", 1.126953125f, 0x1p-11f, true},
      {"-1.125 - 0.5: away from zero", -1.125f, -0.5f, true},
      {"1 + the tutorial's increment: a power of two, away from zero", 1.0f, tutorial_inc, true},
      {"1 - the tutorial's increment: below a power of two the quantum halves", 1.0f, -tutorial_inc, false},
      {"1.5 + 0.5: exactly the next power of two", 1.5f, 0.5f, true},
      {"1.5 + 0.75: past the binade", 1.5f, 0.75f, false},
      {"65504 + 16: overflow to inf, round to nearest", 65504.0f, 16.0f, true},
      {"65504 + 64: past inf", 65504.0f, 64.0f, false},
      {"2^-24 - 2^-24: exactly zero, whose sign the step cannot know", 0x1p-24f, -0x1p-24f, false},
      {"-2^-24 + 2^-23: crosses zero", -0x1p-24f, 0x1p-23f, false},
      {"2^-14 - 2^-24: subnormal from the first normal binade, same quantum", 0x1p-14f, -0x1p-24f, true},
      {"0 + 0", 0.0f, 0.0f, true},
      {"0 + -0: a zero of the other sign", 0.0f, -0.0f, false},
      {"1 + 2^30: far beyond the binade", 1.0f, 0x1p30f, false},
      {"1 - 2^30", 1.0f, -0x1p30f, false},
      {"1 + inf", 1.0f, INFINITY, false},
      {"1 + NaN", 1.0f, NAN, false},
      {"1 - NaN", 1.0f, -NAN, false},
      {"inf + 1", INFINITY, 1.0f, false},
      {"NaN + 0", NAN, 0.0f, false},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const uint16_t h = std::isnan(c.w) ? 0x7e00 : fp16_bits(c.w);
    const auto step = fp16_binade_step(h, c.d);
    CHECK(step.valid == c.valid);
    if (step.valid) CHECK(step.bits == reference(h, c.d));
  }
}
