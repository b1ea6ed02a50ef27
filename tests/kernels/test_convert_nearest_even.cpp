// fp32 -> fp16 / bf16 / fp8-e4m3 / fp8-e5m2, round to nearest even: every
// kernel set of this machine (scalar, SSE2, AVX2, F16C natively; SIMD128 in
// wasm) against the reference.
//
//  - everywhere: a sample of 2^26 inputs spread over all 2^32 patterns
//    (2^20 under the sanitizers), plus every rounding boundary of the
//    target, against the core itself (saturating too, on a 2^22 sample);
//  - [exhaustive] (plain native build): all 2^32 inputs, plain and
//    saturating, against an independent oracle built from the formats'
//    values (and, for fp16, checked against the F16C hardware on the way);
//  - hidden [.core-all] (also tagged [exhaustive], so filters that skip
//    those skip it): all 2^32 inputs against the core per element, every
//    target. Too slow for every run (~5 CPU minutes: the core takes ~15 ns
//    per element natively); run it with `test_kernels "[core-all]"`.
#include <catch2/catch.hpp>

#include <cstring>

#include "kernels_test_support.h"

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
#include <immintrin.h>
#define KERNELS_TEST_HAVE_F16C 1
// The F16C hardware, eight at a time (a tail of n % 8 stays untouched).
__attribute__((target("avx,f16c"))) static void f16c_hardware(const float* in, uint16_t* out, size_t n) {
  for (size_t i = 0; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(in + i), _MM_FROUND_TO_NEAREST_INT));
  }
}
#endif

using namespace kernels_test;

namespace {

#ifdef __EMSCRIPTEN__
constexpr uint32_t kSampleSize = 1u << 26;
constexpr uint32_t kSaturatingSampleSize = 1u << 22;
#else
constexpr uint32_t kSampleSize = kSanitized ? 1u << 20 : 1u << 26;
constexpr uint32_t kSaturatingSampleSize = kSanitized ? 1u << 18 : 1u << 22;
#endif

// Every set against the core on `inputs`. The reference is the scalar set:
// the core per element, called from the library (in wasm, calls from these
// test files, built with exceptions, each pass through a JS trampoline and
// cost ten times more). `direct_core` also checks the scalar set against
// calls to round_double from here.
void check_against_core(const NarrowTarget& target, const std::vector<float>& inputs, bool saturate,
                        bool direct_core) {
  const KernelSet& scalar = mantissa::kernels::detail::kScalarKernels;
  const size_t n = inputs.size();
  std::vector<uint16_t> want(n), got(n);
  parallel_chunks(n, 1 << 16, [&](uint64_t b, uint64_t e) {
    target.run(scalar, inputs.data() + b, want.data() + b, static_cast<size_t>(e - b), saturate);
  });
  if (direct_core) {
    uint64_t bad = 0;
    for (size_t i = 0; i < n; ++i) bad += want[i] != core_nearest_even(target.format(), inputs[i], saturate);
    INFO("scalar set vs round_double, " << target.name);
    CHECK(bad == 0);
  }
  for (const KernelSet* set : simd_sets()) {
    if (!target.provided_by(*set)) continue;
    target.run(*set, inputs.data(), got.data(), n, saturate);
    uint64_t bad = 0;
    for (size_t i = 0; i < n; ++i) {
      if (got[i] != want[i] && bad++ < 4) {
        FAIL_CHECK(set->name << " " << target.name << (saturate ? " saturating" : "") << ": fp32 0x"
                             << std::hex << bits_of(inputs[i]) << " gave 0x" << got[i] << ", the core 0x"
                             << want[i]);
      }
    }
    INFO(set->name << " " << target.name << (saturate ? " saturating" : ""));
    CHECK(bad == 0);
  }
}

const std::vector<float>& sample() {
  static const std::vector<float> inputs = spread_sample(kSampleSize);
  return inputs;
}
const std::vector<float>& saturating_sample() {
  static const std::vector<float> inputs = spread_sample(kSaturatingSampleSize);
  return inputs;
}

void sample_and_boundaries_against_core(const NarrowTarget& target) {
  const std::vector<float> boundaries = boundary_inputs(target.format());
  check_against_core(target, sample(), false, false);
  check_against_core(target, boundaries, false, true);
  check_against_core(target, saturating_sample(), true, false);
  check_against_core(target, boundaries, true, true);
}

}  // namespace

TEST_CASE("every kernel rounds a spread sample and every boundary of fp16 exactly as the core",
          "[kernels][rne]") {
  sample_and_boundaries_against_core(narrow_targets()[0]);
}
TEST_CASE("every kernel rounds a spread sample and every boundary of bf16 exactly as the core",
          "[kernels][rne]") {
  sample_and_boundaries_against_core(narrow_targets()[1]);
}
TEST_CASE("every kernel rounds a spread sample and every boundary of fp8-e4m3 exactly as the core",
          "[kernels][rne]") {
  sample_and_boundaries_against_core(narrow_targets()[2]);
}
TEST_CASE("every kernel rounds a spread sample and every boundary of fp8-e5m2 exactly as the core",
          "[kernels][rne]") {
  sample_and_boundaries_against_core(narrow_targets()[3]);
}

TEST_CASE("the oracle's rounding boundaries are exact fp32 values and agree with the core on them",
          "[kernels][rne]") {
  for (const NarrowTarget& target : narrow_targets()) {
    const Format& f = target.format();
    const NearestEvenOracle oracle(f);
    CHECK(oracle.midpoints_exact());
    // The boundary inputs, sorted into sweeps of consecutive patterns of one pattern each.
    uint64_t bad = 0;
    for (float x : boundary_inputs(f)) {
      uint16_t near, sat;
      oracle.round_sweep(bits_of(x), 1, &near, &sat);
      if (near != core_nearest_even(f, x, false) || sat != core_nearest_even(f, x, true)) {
        if (bad++ < 4) FAIL_CHECK(target.name << ": fp32 0x" << std::hex << bits_of(x));
      }
    }
    CHECK(bad == 0);
  }
}

// All 2^32 inputs in chunks of 2^16 consecutive patterns (one sign each):
// the oracle sweeps the chunk, every SIMD set converts it plain and saturating.
static void all_inputs_against_oracle(const NarrowTarget& target) {
  const Format& f = target.format();
  const NearestEvenOracle oracle(f);
  REQUIRE(oracle.midpoints_exact());
  const std::vector<const KernelSet*> sets = simd_sets();
  Mismatches mismatches;
  std::atomic<uint64_t> oracle_vs_hardware{0};
  constexpr uint64_t kChunk = 1 << 16;
  parallel_chunks(uint64_t{1} << 32, kChunk, [&](uint64_t begin, uint64_t end) {
    const size_t n = static_cast<size_t>(end - begin);
    thread_local std::vector<float> in(kChunk);
    thread_local std::vector<uint16_t> nearest(kChunk), saturated(kChunk), got(kChunk);
    for (size_t i = 0; i < n; ++i) in[i] = float_from_bits(static_cast<uint32_t>(begin + i));
    oracle.round_sweep(static_cast<uint32_t>(begin), n, nearest.data(), saturated.data());
#ifdef KERNELS_TEST_HAVE_F16C
    if (f == mantissa::fp16() && mantissa::kernels::cpu_has_f16c()) {
      f16c_hardware(in.data(), got.data(), n);
      if (std::memcmp(got.data(), nearest.data(), n * sizeof(uint16_t)) != 0) {
        for (size_t i = 0; i < n; ++i) {
          if (got[i] != nearest[i]) oracle_vs_hardware++;
        }
      }
    }
#endif
    for (const KernelSet* set : sets) {
      if (!target.provided_by(*set)) continue;
      for (bool saturate : {false, true}) {
        const std::vector<uint16_t>& want = saturate ? saturated : nearest;
        target.run(*set, in.data(), got.data(), n, saturate);
        // Equal chunks (all of them, while the kernels are right) take one
        // memcmp; only a differing chunk is walked element by element.
        if (std::memcmp(got.data(), want.data(), n * sizeof(uint16_t)) == 0) continue;
        for (size_t i = 0; i < n; ++i) {
          if (got[i] != want[i]) {
            mismatches.add(std::string(set->name) + (saturate ? " saturating" : ""),
                           static_cast<uint32_t>(begin + i), got[i], want[i]);
          }
        }
      }
    }
  });
  INFO(target.name << ", first mismatches:\n" << mismatches.first());
  CHECK(mismatches.count() == 0);
  CHECK(oracle_vs_hardware == 0);
}

TEST_CASE("every SIMD kernel rounds all 2^32 fp32 inputs to fp16 like the oracle (and the oracle like F16C)",
          "[exhaustive]") {
  all_inputs_against_oracle(narrow_targets()[0]);
}
TEST_CASE("every SIMD kernel rounds all 2^32 fp32 inputs to bf16 like the oracle", "[exhaustive]") {
  all_inputs_against_oracle(narrow_targets()[1]);
}
TEST_CASE("every SIMD kernel rounds all 2^32 fp32 inputs to fp8-e4m3 like the oracle", "[exhaustive]") {
  all_inputs_against_oracle(narrow_targets()[2]);
}
TEST_CASE("every SIMD kernel rounds all 2^32 fp32 inputs to fp8-e5m2 like the oracle", "[exhaustive]") {
  all_inputs_against_oracle(narrow_targets()[3]);
}

TEST_CASE("every SIMD kernel rounds all 2^32 fp32 inputs to all four targets exactly as the core",
          "[.core-all][exhaustive]") {
  const std::vector<const KernelSet*> sets = simd_sets();
  for (const NarrowTarget& target : narrow_targets()) {
    const Format& f = target.format();
    Mismatches mismatches;
    parallel_chunks(uint64_t{1} << 32, 1 << 16, [&](uint64_t begin, uint64_t end) {
      const size_t n = static_cast<size_t>(end - begin);
      thread_local std::vector<float> in(1 << 16);
      thread_local std::vector<uint16_t> want(1 << 16), got(1 << 16);
      for (size_t i = 0; i < n; ++i) {
        in[i] = float_from_bits(static_cast<uint32_t>(begin + i));
        want[i] = core_nearest_even(f, in[i], false);
      }
      for (const KernelSet* set : sets) {
        if (!target.provided_by(*set)) continue;
        target.run(*set, in.data(), got.data(), n, false);
        for (size_t i = 0; i < n; ++i) {
          if (got[i] != want[i]) mismatches.add(set->name, static_cast<uint32_t>(begin + i), got[i], want[i]);
        }
      }
    });
    INFO(target.name << ", first mismatches:\n" << mismatches.first());
    CHECK(mismatches.count() == 0);
  }
}
