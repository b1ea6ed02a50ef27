// The dot-product kernels (kernels/dot.h) against the core's accumulators
// (core/dot.cpp), bit for bit, for every implementation this build can run
// (scalar, and AVX2 natively or SIMD128 in wasm): random inputs of every
// input format, and adversarial ones (rne ties, cancellation, huge exponent
// spread, zeros, subnormal inputs, overflow).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dot.h"
#include "kernels/dot.h"

using namespace mantissa;
namespace kn = mantissa::kernels;

namespace {

Accumulator acc_named(const std::string& name, const Format& in) {
  Accumulator a;
  std::string error;
  INFO(name << ": " << error);
  REQUIRE(parse_accumulator(name, in, &a, &error));
  return a;
}

std::vector<kn::DotImpl> runnable_impls() {
  std::vector<kn::DotImpl> out;
  for (kn::DotImpl i : {kn::DotImpl::Scalar, kn::DotImpl::Avx2, kn::DotImpl::Wasm128}) {
    if (kn::dot_impl_available(i)) out.push_back(i);
  }
  return out;
}

// Every runnable implementation gives the core's bits. Returns whether the
// kernels covered the case (a covered accumulator may still hand a case
// with an overflowing chain back to the core).
bool kernels_match_core(const Accumulator& acc, const DotInput& in) {
  std::vector<float> a, b;
  kn::dot_inputs_as_floats(in, &a, &b);
  const uint64_t expected = dot(acc, in);
  bool covered = false;
  for (kn::DotImpl impl : runnable_impls()) {
    uint64_t got = 0;
    const bool ok = kn::dot_with_kernels(acc, in.in, a.data(), b.data(), a.size(),
                                         static_cast<uint32_t>(in.c), impl, &got);
    if (impl == kn::DotImpl::Scalar) covered = ok;
    INFO(acc.name << " in " << in.in.name << " K = " << in.a.size() << " impl " << kn::dot_impl_name(impl));
    REQUIRE(ok == covered);  // every implementation covers the same cases
    if (ok) REQUIRE(got == expected);
  }
  return covered;
}

uint64_t random_finite(std::mt19937_64& rng, const Format& f) {
  while (true) {
    const uint64_t bits = rng() & ((f.width() >= 64 ? 0 : uint64_t{1} << f.width()) - 1);
    const FloatClass c = decode(f, bits).cls;
    if (c != FloatClass::Infinity && c != FloatClass::NaN) return bits;
  }
}

uint64_t bits_of(const Format& f, double x) { return round_double(f, x).bits; }

const std::vector<std::string> kTensorCoreNames = {"tc:a100",
                                                   "tc:h100",
                                                   "tc:b200",
                                                   "tc:fma=8,neab=-3,round=rne",
                                                   "tc:fma=5,neab=4",
                                                   "tc:fma=1,neab=-20",
                                                   "blocked:tc:h100:128",
                                                   "blocked:tc:fma=4,neab=0:7"};

}  // namespace

TEST_CASE("dot kernels: tc, blocked and seq:fp32 give the core's bits on random inputs of every format") {
  std::mt19937_64 rng(13);
  uint64_t covered = 0, cases = 0;
  for (const Format& in : {fp8_e4m3(), fp8_e5m2(), fp16(), bf16(), tf32(), fp32()}) {
    std::vector<std::string> names = kTensorCoreNames;
    names.insert(names.end(), {"seq:fp32", "blocked:fp32:64", "tc:ada"});
    if (in == fp16()) names.push_back("tc:v100");
    for (const std::string& name : names) {
      Accumulator acc;
      std::string error;
      if (!parse_accumulator(name, in, &acc, &error)) continue;  // a preset without a model for `in`
      for (int trial = 0; trial < 40; ++trial) {
        DotInput d;
        d.in = in;
        const size_t k = 1 + rng() % 300;
        // Random bit patterns span every binade (huge spread); a narrow
        // band of exponents makes the truncation and rounding decide.
        const bool narrow = trial % 2 == 1;
        std::normal_distribution<double> normal(0, 1);
        for (size_t i = 0; i < k; ++i) {
          d.a.push_back(narrow ? bits_of(in, normal(rng)) : random_finite(rng, in));
          d.b.push_back(narrow ? bits_of(in, normal(rng)) : random_finite(rng, in));
        }
        d.c = trial % 3 == 0 ? random_finite(rng, fp32()) : trial % 3 == 1 ? bits_of(fp32(), normal(rng)) : 0;
        ++cases;
        if (kernels_match_core(acc, d)) ++covered;
      }
    }
  }
  // The kernels must actually run: only overflowing chains go back to the core.
  INFO(covered << " of " << cases << " covered");
  REQUIRE(covered * 10 > cases * 8);
}

TEST_CASE("dot kernels: adversarial inputs (ties, cancellation, spread, zeros, subnormals)") {
  std::vector<DotInput> inputs;
  auto add = [&](const Format& in, const std::vector<double>& a, const std::vector<double>& b, double c = 0) {
    DotInput d;
    d.in = in;
    for (double x : a) d.a.push_back(bits_of(in, x));
    for (double x : b) d.b.push_back(bits_of(in, x));
    d.c = bits_of(fp32(), c);
    inputs.push_back(d);
  };
  for (const Format& in : {fp8_e4m3(), fp16(), bf16(), fp32()}) {
    const double tiny = to_double(in, 1);  // the smallest subnormal
    // Ties: 1 + half an ulp of the kept width, and of fp32, in both signs.
    add(in, {1, 0x1p-24, 0x1p-24}, {1, 1, 1});
    add(in, {1, 0x1p-25, 0x1p-26, 0x1p-26}, {1, 1, 1, 1});
    add(in, {-1, -0x1p-24}, {1, 1}, -0x1p-24);
    add(in, {1, 3, 0x1p-10}, {0x1p-12, 0x1p-12, 0x1p-14}, 0x1.000002p+0);
    // Cancellation: everything cancels (+0 expected), or all but a small remainder.
    add(in, {1.5, -1.5, 0.75, -0.75}, {2, 2, 4, 4});
    add(in, {1.5, -1.5, 0.75, -0.75, 0x1p-6}, {2, 2, 4, 4, 0x1p-6}, -0.0);
    add(in, {0.5}, {1}, -0.5);
    // Spread: a huge product next to tiny ones, in every order.
    RoundingOptions saturate;
    saturate.saturate = true;
    const double big = to_double(in, round_double(in, 1e300, saturate).bits);  // the largest finite value
    add(in, {big, tiny, tiny, 1}, {1, tiny, 1, tiny});
    add(in, {tiny, 1, big}, {tiny, 0x1p-3, -1});
    // Zeros: all zero, negative zero c, zeros among the terms.
    add(in, {0, -0.0, 0}, {1, 1, -1});
    add(in, {0, 0}, {0, 0}, -0.0);
    add(in, {0, 1, 0}, {5, 0x1p-3, 7}, -0.0);
    // Subnormal inputs only: the format's emin decides the alignment.
    add(in, {tiny, 2 * tiny, 3 * tiny, tiny}, {1, 1, 1, 0x1p-4});
    add(in, {tiny, tiny}, {tiny, -tiny}, 0);
    // Subnormal products set the largest exponent: the format's emin (not the
    // float's own exponent) places the unit, and c's low bits fall on either side of it.
    const double sub_max = to_double(in, in.man_bits == 0 ? 1 : (uint64_t{1} << in.man_bits) - 1);
    for (int shift = 10; shift <= 30; shift += 2) {
      add(in, {sub_max, sub_max, sub_max, sub_max}, {sub_max, tiny, sub_max, -sub_max},
          std::ldexp(sub_max * sub_max, -shift) * 1.5);  // four terms: a whole vector of lanes
    }
    // Overflow: big * big sums past fp32 (fp32 inputs); rne chains go to inf.
    add(in, {big, big, big, big, big, big, big, big, big}, {big, big, big, big, big, big, big, big, big});
  }
  uint64_t checked = 0;
  for (const DotInput& d : inputs) {
    std::vector<std::string> names = kTensorCoreNames;
    names.insert(names.end(), {"seq:fp32", "blocked:fp32:2", "tc:v100"});
    for (const std::string& name : names) {
      Accumulator acc;
      std::string error;
      if (!parse_accumulator(name, d.in, &acc, &error)) continue;  // a preset without a model for d.in
      kernels_match_core(acc, d);
      ++checked;
    }
  }
  REQUIRE(checked > inputs.size() * 8);
}

TEST_CASE("dot kernels: H100 fp8 keeps a 2^-13 term next to 1 and truncates a 2^-14 term") {
  const Accumulator acc = acc_named("tc:h100", fp8_e4m3());
  for (kn::DotImpl impl : runnable_impls()) {
    const float a[] = {1, 0x1p-7f}, a_lost[] = {1, 0x1p-8f}, b[] = {1, 0x1p-6f};
    uint64_t kept = 0, lost = 0;
    REQUIRE(kn::dot_with_kernels(acc, fp8_e4m3(), a, b, 2, 0, impl, &kept));
    REQUIRE(kn::dot_with_kernels(acc, fp8_e4m3(), a_lost, b, 2, 0, impl, &lost));
    CHECK(kept == 0x3f800400);  // 1 + 2^-13
    CHECK(lost == 0x3f800000);  // 1
  }
}

TEST_CASE("dot kernels: what they do not cover is handed back (fp16 output, seq in other formats)") {
  const float a[] = {1}, b[] = {1};
  uint64_t bits = 0;
  CHECK_FALSE(kn::dot_with_kernels(acc_named("tc:h100,out=fp16", fp16()), fp16(), a, b, 1, 0,
                                   kn::DotImpl::Scalar, &bits));
  CHECK_FALSE(
      kn::dot_with_kernels(acc_named("seq:fp16", fp16()), fp16(), a, b, 1, 0, kn::DotImpl::Scalar, &bits));
  CHECK_FALSE(
      kn::dot_with_kernels(acc_named("exact", fp16()), fp16(), a, b, 1, 0, kn::DotImpl::Scalar, &bits));
  const float inf[] = {INFINITY};
  CHECK_FALSE(kn::dot_with_kernels(acc_named("tc:fma=8,neab=2", fp32()), fp32(), inf, b, 1, 0,
                                   kn::DotImpl::Scalar, &bits));
}
