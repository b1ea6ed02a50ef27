// The dot-product kernels (kernels/dot.h) against the core's accumulators
// (core/dot.cpp), bit for bit, for every implementation this build can run
// (scalar, and AVX2 natively or SIMD128 in wasm): random inputs of every
// input format, and adversarial ones (rne ties, cancellation, huge exponent
// spread, zeros, subnormal inputs, overflow).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dot.h"
#include "kernels/convert.h"
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
                                                   "tc:fma=16,neab=-10,round=rne",
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

// Ties, cancellation, huge spread, zeros, subnormal inputs, overflow.
std::vector<DotInput> adversarial_inputs() {
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
  return inputs;
}

TEST_CASE("dot kernels: adversarial inputs (ties, cancellation, spread, zeros, subnormals)") {
  const std::vector<DotInput> inputs = adversarial_inputs();
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

// ---- Lanes: kDotLanes dot products side by side ------------------------------

namespace {

// Runs `lanes` (each the same K) through dot_lanes on every runnable
// implementation: each covered lane gives the core's bits, and every
// implementation covers the same lanes. Returns how many lanes were covered.
size_t lanes_match_core(const Accumulator& acc, const std::vector<DotInput>& lanes) {
  REQUIRE(lanes.size() == kn::kDotLanes);
  const Format& in = lanes[0].in;
  kn::DotLanesModel m;
  REQUIRE(kn::dot_lanes_model_of(acc, in, &m));
  const size_t k = lanes[0].a.size();
  std::vector<float> a(k * kn::kDotLanes), b(k * kn::kDotLanes);
  uint32_t c[kn::kDotLanes];
  uint64_t expected[kn::kDotLanes];
  for (size_t l = 0; l < kn::kDotLanes; ++l) {
    REQUIRE(lanes[l].a.size() == k);
    std::vector<float> la, lb;
    kn::dot_inputs_as_floats(lanes[l], &la, &lb);
    for (size_t i = 0; i < k; ++i) {
      a[i * kn::kDotLanes + l] = la[i];
      b[i * kn::kDotLanes + l] = lb[i];
    }
    c[l] = static_cast<uint32_t>(lanes[l].c);
    expected[l] = dot(acc, lanes[l]);
  }
  size_t covered = 0;
  bool reference_done[kn::kDotLanes] = {};
  for (kn::DotImpl impl : runnable_impls()) {
    uint32_t out[kn::kDotLanes];
    bool done[kn::kDotLanes];
    kn::dot_lanes(m, a.data(), b.data(), k, c, impl, out, done);
    for (size_t l = 0; l < kn::kDotLanes; ++l) {
      INFO(acc.name << " in " << in.name << " K = " << k << " lane " << l << " impl " << kn::dot_impl_name(impl));
      if (impl == kn::DotImpl::Scalar) {
        reference_done[l] = done[l];
        covered += done[l];
      }
      REQUIRE(done[l] == reference_done[l]);
      if (done[l]) REQUIRE(out[l] == expected[l]);
    }
  }
  return covered;
}

}  // namespace

TEST_CASE("dot lanes: every implementation gives the core's bits lane by lane on random inputs") {
  std::mt19937_64 rng(1313);
  size_t covered = 0, lanes_run = 0;
  for (const Format& in : {fp8_e4m3(), fp8_e5m2(), fp16(), bf16(), tf32(), fp32()}) {
    std::vector<std::string> names = kTensorCoreNames;
    names.insert(names.end(), {"seq:fp32", "blocked:fp32:64", "blocked:fp32:1", "tc:ada"});
    for (const std::string& name : names) {
      Accumulator acc;
      std::string error;
      if (!parse_accumulator(name, in, &acc, &error)) continue;
      for (int group = 0; group < 6; ++group) {
        const size_t k = group == 0 ? 0 : 1 + rng() % 300;
        std::vector<DotInput> lanes(kn::kDotLanes);
        std::normal_distribution<double> normal(0, 1);
        for (size_t l = 0; l < kn::kDotLanes; ++l) {
          DotInput& d = lanes[l];
          d.in = in;
          // Lanes differ: some span every binade, some a narrow band, some have zeros.
          const int style = static_cast<int>((l + static_cast<size_t>(group)) % 3);
          for (size_t i = 0; i < k; ++i) {
            d.a.push_back(style == 0 ? random_finite(rng, in) : bits_of(in, normal(rng)));
            d.b.push_back(style == 0 ? random_finite(rng, in) : style == 2 && rng() % 4 == 0 ? 0 : bits_of(in, normal(rng)));
          }
          d.c = l % 3 == 0 ? random_finite(rng, fp32()) : l % 3 == 1 ? bits_of(fp32(), normal(rng)) : 0;
        }
        covered += lanes_match_core(acc, lanes);
        lanes_run += kn::kDotLanes;
      }
    }
  }
  INFO(covered << " of " << lanes_run << " lanes covered");
  REQUIRE(covered * 10 > lanes_run * 8);
}

TEST_CASE("dot lanes: adversarial inputs, padded with zero terms to one K") {
  const std::vector<DotInput> inputs = adversarial_inputs();
  size_t checked = 0;
  for (size_t first = 0; first < inputs.size(); first += kn::kDotLanes) {
    // Eight consecutive cases side by side (wrapping round), each padded with zero terms.
    std::vector<DotInput> lanes;
    size_t k = 0;
    for (size_t l = 0; l < kn::kDotLanes; ++l) {
      lanes.push_back(inputs[(first + l) % inputs.size()]);
      k = std::max(k, lanes.back().a.size());
    }
    const Format in = lanes[0].in;
    for (DotInput& d : lanes) {
      // Cases of another input format take this one's bits as they are: still finite or not.
      d.in = in;
      d.a.resize(k, 0);
      d.b.resize(k, 0);
      for (uint64_t& x : d.a) x &= in.width_mask();
      for (uint64_t& x : d.b) x &= in.width_mask();
    }
    std::vector<std::string> names = kTensorCoreNames;
    names.insert(names.end(), {"seq:fp32", "blocked:fp32:2", "tc:v100"});
    for (const std::string& name : names) {
      Accumulator acc;
      std::string error;
      if (!parse_accumulator(name, in, &acc, &error)) continue;
      lanes_match_core(acc, lanes);
      ++checked;
    }
  }
  REQUIRE(checked > 8);
}

TEST_CASE("dot lanes: a lane with an infinite input or c goes back to the core; the others do not") {
  const Accumulator acc = acc_named("tc:h100", fp8_e4m3());
  kn::DotLanesModel m;
  REQUIRE(kn::dot_lanes_model_of(acc, fp8_e4m3(), &m));
  constexpr size_t k = 40;
  std::vector<float> a(k * kn::kDotLanes, 1.0f), b(k * kn::kDotLanes, 0.5f);
  a[7 * kn::kDotLanes + 2] = INFINITY;
  uint32_t c[kn::kDotLanes] = {};
  c[5] = 0x7fc00000;  // NaN
  for (kn::DotImpl impl : runnable_impls()) {
    uint32_t out[kn::kDotLanes];
    bool done[kn::kDotLanes];
    kn::dot_lanes(m, a.data(), b.data(), k, c, impl, out, done);
    for (size_t l = 0; l < kn::kDotLanes; ++l) {
      INFO("lane " << l << " impl " << kn::dot_impl_name(impl));
      CHECK(done[l] == (l != 2 && l != 5));
      if (done[l]) CHECK(out[l] == 0x41a00000u);  // 40 * 0.5 = 20, exact
    }
  }
}

TEST_CASE("dot lanes: fp8 lanes that check their own inputs hand back NaN, -inf and rne overflows") {
  // fp8 on h100-like models sums its terms in f32 lanes and finds non-finite
  // inputs in its exponent pass (dot_lanes_wasm_checked): every case it
  // declines must still come out as the core's, lane by lane.
  for (const char* name : {"tc:h100", "tc:fma=2,neab=-10,round=rne", "blocked:tc:fma=2,neab=-10,round=rne:4"}) {
    const Accumulator acc = acc_named(name, fp8_e4m3());
    std::vector<DotInput> lanes(kn::kDotLanes);
    for (size_t l = 0; l < kn::kDotLanes; ++l) {
      DotInput& d = lanes[l];
      d.in = fp8_e4m3();
      for (int i = 0; i < 9; ++i) {
        d.a.push_back(bits_of(fp8_e4m3(), 1.5 + i));
        d.b.push_back(bits_of(fp8_e4m3(), i % 2 ? 0.25 : 448.0));
      }
      d.c = l == 3 ? 0x7f7fffffu : l == 4 ? 0xff7fffffu : 0;  // the rne chain overflows in lane 3, not in 4
    }
    lanes[1].a[4] = 0x7f;   // fp8-e4m3 NaN
    lanes[6].a[2] = 0x80;   // -0: a zero term
    lanes[7].b[8] = 0xfe;   // -448: a negative product
    lanes_match_core(acc, lanes);
  }
}

TEST_CASE("dot lanes: what they cover is what dot_with_kernels covers") {
  kn::DotLanesModel m;
  CHECK(kn::dot_lanes_model_of(acc_named("seq:fp32", fp16()), fp16(), &m));
  CHECK(m.exact_fp32_products);
  CHECK(kn::dot_lanes_model_of(acc_named("seq:fp32", bf16()), bf16(), &m));
  CHECK_FALSE(m.exact_fp32_products);  // bf16 products reach 2^-266
  CHECK(kn::dot_lanes_model_of(acc_named("seq:fp32", fp8_e4m3()), fp8_e4m3(), &m));
  CHECK(m.exact_fp32_products);
  CHECK_FALSE(kn::dot_lanes_model_of(acc_named("tc:h100,out=fp16", fp16()), fp16(), &m));
  CHECK_FALSE(kn::dot_lanes_model_of(acc_named("seq:fp16", fp16()), fp16(), &m));
  CHECK_FALSE(kn::dot_lanes_model_of(acc_named("exact", fp16()), fp16(), &m));
  CHECK_FALSE(kn::dot_lanes_model_of(acc_named("pairwise:fp32", fp16()), fp16(), &m));
}

TEST_CASE("dot kernels: a forced scalar path (MANTISSA_KERNELS=scalar) caps the dot kernels too") {
  const kn::DotImpl best = kn::best_dot_impl();
  REQUIRE(kn::force_kernel_path("scalar").empty());
  CHECK(kn::best_dot_impl() == kn::DotImpl::Scalar);
  REQUIRE(kn::force_kernel_path("").empty());
  CHECK(kn::best_dot_impl() == best);
}

TEST_CASE("dot_many (dot --batch): runs of one K in lanes, the rest one by one, every result the core's") {
  std::mt19937_64 rng(99);
  std::normal_distribution<double> normal(0, 1);
  for (const Format& in : {fp8_e4m3(), fp16(), bf16()}) {
    for (const char* name : {"tc:h100", "blocked:tc:h100:8", "seq:fp32", "seq:fp16", "exact"}) {
      Accumulator acc;
      std::string error;
      if (!parse_accumulator(name, in, &acc, &error)) continue;
      // 8 of K = 20, 3 of K = 5, 9 of K = 20 (a group and one left over), an infinite input, 8 of K = 0.
      std::vector<DotInput> inputs;
      for (size_t k : {20, 20, 20, 20, 20, 20, 20, 20, 5, 5, 5, 20, 20, 20, 20, 20, 20, 20, 20, 20, 7, 0, 0, 0, 0,
                       0, 0, 0, 0}) {
        DotInput d;
        d.in = in;
        for (size_t i = 0; i < k; ++i) {
          d.a.push_back(bits_of(in, normal(rng)));
          d.b.push_back(bits_of(in, normal(rng)));
        }
        d.c = inputs.size() % 3 == 0 ? bits_of(fp32(), normal(rng)) : 0;
        inputs.push_back(d);
      }
      inputs[13].a[4] = round_double(in, INFINITY).bits;
      const std::vector<uint64_t> got = kn::dot_many(acc, inputs);
      REQUIRE(got.size() == inputs.size());
      for (size_t i = 0; i < inputs.size(); ++i) {
        INFO(name << " in " << in.name << " input " << i);
        CHECK(got[i] == dot(acc, inputs[i]));
      }
    }
  }
}
