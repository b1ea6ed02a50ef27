// The public face of kernels/convert.h: which implementation runs, any
// length and alignment, and the rounding behaviours worth a name.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels/convert.h"
#include "kernels_test_support.h"

using namespace kernels_test;
using mantissa::kernels::Impl;
using mantissa::kernels::Target;

namespace {

// Converts one value with every available implementation; all must agree.
uint16_t to_fp16(float x, bool saturate = false) {
  uint16_t first = 0;
  bool have = false;
  for (Impl impl : mantissa::kernels::available_impls()) {
    uint16_t out;
    mantissa::kernels::fp32_to_fp16(&x, &out, 1, saturate, impl);
    if (have) CHECK(out == first);
    first = out;
    have = true;
  }
  return first;
}
uint16_t to_bf16(float x, bool saturate = false) {
  uint16_t first = 0;
  bool have = false;
  for (Impl impl : mantissa::kernels::available_impls()) {
    uint16_t out;
    mantissa::kernels::fp32_to_bf16(&x, &out, 1, saturate, impl);
    if (have) CHECK(out == first);
    first = out;
    have = true;
  }
  return first;
}
uint8_t to_e4m3(float x, bool saturate = false) {
  uint8_t first = 0;
  bool have = false;
  for (Impl impl : mantissa::kernels::available_impls()) {
    uint8_t out;
    mantissa::kernels::fp32_to_fp8_e4m3(&x, &out, 1, saturate, impl);
    if (have) CHECK(out == first);
    first = out;
    have = true;
  }
  return first;
}
uint8_t to_e5m2(float x, bool saturate = false) {
  uint8_t first = 0;
  bool have = false;
  for (Impl impl : mantissa::kernels::available_impls()) {
    uint8_t out;
    mantissa::kernels::fp32_to_fp8_e5m2(&x, &out, 1, saturate, impl);
    if (have) CHECK(out == first);
    first = out;
    have = true;
  }
  return first;
}

constexpr float kInf = std::numeric_limits<float>::infinity();

}  // namespace

TEST_CASE(
    "Best runs AVX-512, else F16C, for fp16 where the CPU has them, SIMD otherwise; Scalar and Simd always "
    "run",
    "[kernels][api]") {
  const std::vector<Impl> impls = mantissa::kernels::available_impls();
  CHECK(impls[0] == Impl::Scalar);
  CHECK(impls[1] == Impl::Simd);
  const bool f16c = std::find(impls.begin(), impls.end(), Impl::F16C) != impls.end();
  const bool avx512 = std::find(impls.begin(), impls.end(), Impl::Avx512) != impls.end();
  bool avx512_bf16 = false;
#ifdef __EMSCRIPTEN__
  CHECK_FALSE(f16c);
  CHECK_FALSE(avx512);
  CHECK(std::string(mantissa::kernels::simd_isa()) == "wasm-simd128");
#elif defined(__x86_64__)
  CHECK(f16c == mantissa::kernels::cpu_has_f16c());
  CHECK(avx512 == mantissa::kernels::cpu_has_avx512());
  avx512_bf16 = mantissa::kernels::cpu_has_avx512_bf16();
  CHECK(std::string(mantissa::kernels::simd_isa()) == (mantissa::kernels::cpu_has_avx2() ? "avx2" : "sse2"));
#endif
  using mantissa::kernels::resolve_impl;
  const Impl fp16_hardware = avx512 ? Impl::Avx512 : f16c ? Impl::F16C : Impl::Simd;
  CHECK(resolve_impl(Impl::Best, Target::Fp16) == fp16_hardware);
  CHECK(resolve_impl(Impl::F16C, Target::Fp16) == (f16c ? Impl::F16C : Impl::Simd));
  CHECK(resolve_impl(Impl::Avx512, Target::Fp16) == (avx512 ? Impl::Avx512 : Impl::Simd));
  CHECK(resolve_impl(Impl::Best, Target::Fp16, true) == Impl::Simd);
  CHECK(resolve_impl(Impl::F16C, Target::Bf16) == Impl::Simd);
  CHECK(resolve_impl(Impl::Best, Target::Bf16) == (avx512_bf16 ? Impl::Avx512 : Impl::Simd));
  CHECK(resolve_impl(Impl::Best, Target::Bf16, true) == Impl::Simd);
  CHECK(resolve_impl(Impl::Best, Target::Fp8E4M3) == Impl::Simd);
  CHECK(resolve_impl(Impl::Avx512, Target::Fp8E5M2) == Impl::Simd);
  CHECK(resolve_impl(Impl::Scalar, Target::Fp16) == Impl::Scalar);
  CHECK(resolve_impl(Impl::Simd, Target::Fp16) == Impl::Simd);
  CHECK(std::string(mantissa::kernels::impl_name(Impl::Best)) == "best");
  CHECK(std::string(mantissa::kernels::impl_name(Impl::Avx512)) == "avx512");
}

TEST_CASE("targets map to the core's formats and back", "[kernels][api]") {
  for (Target t : {Target::Fp16, Target::Bf16, Target::Fp8E4M3, Target::Fp8E5M2}) {
    CHECK(mantissa::kernels::target_of(mantissa::kernels::target_format(t)) == t);
  }
  CHECK(mantissa::kernels::target_format(Target::Fp8E4M3).name == "fp8-e4m3");
  CHECK_FALSE(mantissa::kernels::target_of(mantissa::fp32()).has_value());
  CHECK_FALSE(mantissa::kernels::target_of(mantissa::tf32()).has_value());
}

TEST_CASE("every length from 0 to 80 at every alignment converts like the core and writes nothing past n",
          "[kernels][api]") {
  const std::vector<float> pool = spread_sample(1 << 10);
  constexpr uint16_t kGuard16 = 0xdead;
  constexpr uint8_t kGuard8 = 0xa5;
  for (const KernelSet* set : mantissa::kernels::detail::runnable_kernel_sets()) {
    for (size_t offset = 0; offset < 4; ++offset) {
      for (size_t n = 0; n <= 80; ++n) {
        const float* in = pool.data() + offset + n;
        std::vector<uint16_t> out16(n + offset + 8, kGuard16), want16(n);
        std::vector<uint8_t> out8(n + offset + 8, kGuard8);
        std::vector<float> wide(n + offset + 8, -1.0f);
        INFO(set->name << " n = " << n << " offset " << offset);
        if (set->fp32_to_fp16) {
          set->fp32_to_fp16(in, out16.data() + offset, n, false);
          mantissa::kernels::detail::kScalarKernels.fp32_to_fp16(in, want16.data(), n, false);
          CHECK(std::equal(want16.begin(), want16.end(), out16.begin() + offset));
          CHECK(
              std::all_of(out16.begin() + offset + n, out16.end(), [](uint16_t v) { return v == kGuard16; }));
          CHECK(std::all_of(out16.begin(), out16.begin() + offset, [](uint16_t v) { return v == kGuard16; }));
        }
        if (set->fp32_to_bf16) {
          std::fill(out16.begin(), out16.end(), kGuard16);
          set->fp32_to_bf16(in, out16.data() + offset, n, true);
          mantissa::kernels::detail::kScalarKernels.fp32_to_bf16(in, want16.data(), n, true);
          CHECK(std::equal(want16.begin(), want16.end(), out16.begin() + offset));
          CHECK(
              std::all_of(out16.begin() + offset + n, out16.end(), [](uint16_t v) { return v == kGuard16; }));
          CHECK(std::all_of(out16.begin(), out16.begin() + offset, [](uint16_t v) { return v == kGuard16; }));
        }
        if (set->bf16_to_fp32) {
          std::vector<uint16_t> h(n);
          for (size_t i = 0; i < n; ++i) h[i] = static_cast<uint16_t>(bits_of(in[i]) >> 16);
          std::fill(wide.begin(), wide.end(), -1.0f);
          set->bf16_to_fp32(h.data(), wide.data() + offset, n);
          CHECK(std::all_of(wide.begin() + offset + n, wide.end(), [](float v) { return v == -1.0f; }));
          CHECK(std::all_of(wide.begin(), wide.begin() + offset, [](float v) { return v == -1.0f; }));
          for (size_t i = 0; i < n; ++i) {
            CHECK(bits_of(wide[offset + i]) ==
                  mantissa::convert_bits(mantissa::bf16(), h[i], mantissa::fp32()).bits);
          }
        }
        if (set->fp32_to_fp8_e5m2) {
          set->fp32_to_fp8_e5m2(in, out8.data() + offset, n, false);
          CHECK(std::all_of(out8.begin() + offset + n, out8.end(), [](uint8_t v) { return v == kGuard8; }));
          for (size_t i = 0; i < n; ++i)
            CHECK(out8[offset + i] == core_nearest_even(mantissa::fp8_e5m2(), in[i], false));
        }
        if (set->fp32_to_bf16_stochastic) {
          std::fill(out16.begin(), out16.end(), kGuard16);
          set->fp32_to_bf16_stochastic(in, out16.data() + offset, n, 5, 77, false);
          mantissa::kernels::detail::kScalarKernels.fp32_to_bf16_stochastic(in, want16.data(), n, 5, 77,
                                                                            false);
          CHECK(std::equal(want16.begin(), want16.end(), out16.begin() + offset));
          CHECK(
              std::all_of(out16.begin() + offset + n, out16.end(), [](uint16_t v) { return v == kGuard16; }));
        }
        if (set->fp16_to_fp32) {
          std::vector<uint16_t> h(n);
          for (size_t i = 0; i < n; ++i) h[i] = static_cast<uint16_t>(bits_of(in[i]));
          std::fill(wide.begin(), wide.end(), -1.0f);
          set->fp16_to_fp32(h.data(), wide.data() + offset, n);
          CHECK(std::all_of(wide.begin() + offset + n, wide.end(), [](float v) { return v == -1.0f; }));
          CHECK(std::all_of(wide.begin(), wide.begin() + offset, [](float v) { return v == -1.0f; }));
          for (size_t i = 0; i < n; ++i) {
            CHECK(bits_of(wide[offset + i]) ==
                  mantissa::convert_bits(mantissa::fp16(), h[i], mantissa::fp32()).bits);
          }
        }
        if (set->fp8_e4m3_to_fp32) {
          std::vector<uint8_t> b(n);
          for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(bits_of(in[i]));
          std::fill(wide.begin(), wide.end(), -1.0f);
          set->fp8_e4m3_to_fp32(b.data(), wide.data() + offset, n);
          CHECK(std::all_of(wide.begin() + offset + n, wide.end(), [](float v) { return v == -1.0f; }));
          for (size_t i = 0; i < n; ++i) {
            CHECK(bits_of(wide[offset + i]) ==
                  mantissa::convert_bits(mantissa::fp8_e4m3(), b[i], mantissa::fp32()).bits);
          }
        }
      }
    }
  }
}

TEST_CASE("fp16: 65519 rounds to max finite, 65520 (the tie) to inf, or to max finite when saturating",
          "[kernels][api]") {
  CHECK(to_fp16(65504.0f) == 0x7bff);
  CHECK(to_fp16(65519.996f) == 0x7bff);
  CHECK(to_fp16(65520.0f) == 0x7c00);
  CHECK(to_fp16(-65520.0f) == 0xfc00);
  CHECK(to_fp16(65520.0f, true) == 0x7bff);
  CHECK(to_fp16(-1e30f, true) == 0xfbff);
}

TEST_CASE("fp16 subnormals: 2^-24 is the smallest, 2^-25 is a tie that goes to zero, just above goes up",
          "[kernels][api]") {
  CHECK(to_fp16(0x1p-24f) == 0x0001);
  CHECK(to_fp16(0x1p-25f) == 0x0000);
  CHECK(to_fp16(std::nextafter(0x1p-25f, 1.0f)) == 0x0001);
  CHECK(to_fp16(0x1p-24f * 1.5f) == 0x0002);                 // tie between 1 and 2: even
  CHECK(to_fp16(-0x1p-14f) == 0x8400);                       // smallest normal
  CHECK(to_fp16(std::nextafter(0x1p-14f, 0.0f)) == 0x0400);  // rounds up into the normals
  CHECK(to_fp16(float_from_bits(0x80000001)) == 0x8000);     // fp32 subnormal: a signed zero
}

TEST_CASE("infinities stay infinite in fp16, bf16 and e5m2 even when saturating; e4m3 has none",
          "[kernels][api]") {
  CHECK(to_fp16(kInf, true) == 0x7c00);
  CHECK(to_bf16(-kInf, true) == 0xff80);
  CHECK(to_e5m2(kInf, true) == 0x7c);
  CHECK(to_e4m3(kInf) == 0x7f);
  CHECK(to_e4m3(-kInf) == 0xff);
  CHECK(to_e4m3(kInf, true) == 0x7e);
  CHECK(to_e4m3(-kInf, true) == 0xfe);
}

TEST_CASE("fp8-e4m3: 464, halfway from 448 to the NaN pattern, rounds to 448; anything above is NaN or 448",
          "[kernels][api]") {
  CHECK(to_e4m3(448.0f) == 0x7e);
  CHECK(to_e4m3(464.0f) == 0x7e);
  CHECK(to_e4m3(std::nextafter(464.0f, 1000.0f)) == 0x7f);
  CHECK(to_e4m3(-1000.0f) == 0xff);
  CHECK(to_e4m3(1000.0f, true) == 0x7e);
  CHECK(to_e4m3(0x1p-9f) == 0x01);   // smallest subnormal
  CHECK(to_e4m3(0x1p-10f) == 0x00);  // the tie below it
}

TEST_CASE("fp8-e5m2: max finite 57344, 61440 (the tie) overflows to inf", "[kernels][api]") {
  CHECK(to_e5m2(57344.0f) == 0x7b);
  CHECK(to_e5m2(std::nextafter(61440.0f, 0.0f)) == 0x7b);
  CHECK(to_e5m2(61440.0f) == 0x7c);
  CHECK(to_e5m2(61440.0f, true) == 0x7b);
  CHECK(to_e5m2(0x1p-16f) == 0x01);
}

TEST_CASE("a NaN keeps its sign and the top of its payload and becomes quiet; into e4m3 it is sign|0x7f",
          "[kernels][api]") {
  CHECK(to_fp16(float_from_bits(0x7f800001)) == 0x7e00);  // payload below the cut: just quiet
  CHECK(to_fp16(float_from_bits(0xffa00000)) == 0xff00);  // sNaN: top payload bit kept, quiet set
  CHECK(to_bf16(float_from_bits(0x7f810000)) == 0x7fc1);
  CHECK(to_e5m2(float_from_bits(0xff900000)) == 0xfe);  // e5m2 keeps one payload bit: this one is cut
  CHECK(to_e5m2(float_from_bits(0xffa00000)) == 0xff);
  CHECK(to_e4m3(float_from_bits(0x7fc00000)) == 0x7f);
  CHECK(to_e4m3(float_from_bits(0xffffffff)) == 0xff);
  CHECK(to_fp16(float_from_bits(0x7f800001), true) == 0x7e00);  // saturating leaves NaNs alone
}

TEST_CASE("bf16 keeps fp32 subnormals as values: ties between them go to even", "[kernels][api]") {
  CHECK(to_bf16(float_from_bits(0x00018000)) == 0x0002);  // 1.5 spacings: tie to 2
  CHECK(to_bf16(float_from_bits(0x00008000)) == 0x0000);  // 0.5: tie to 0
  CHECK(to_bf16(float_from_bits(0x00008001)) == 0x0001);
  CHECK(to_bf16(float_from_bits(0x807fffff)) == 0x8080);  // rounds up to the smallest normal
}

TEST_CASE("widening is exact: fp16 max, smallest subnormal, e4m3 448 and NaN", "[kernels][api]") {
  for (Impl impl : mantissa::kernels::available_impls()) {
    const uint16_t h[] = {0x7bff, 0x0001, 0x8000, 0xfc00};
    float f[4];
    mantissa::kernels::fp16_to_fp32(h, f, 4, impl);
    CHECK(f[0] == 65504.0f);
    CHECK(f[1] == 0x1p-24f);
    CHECK(bits_of(f[2]) == 0x80000000u);
    CHECK(f[3] == -kInf);
    const uint8_t b[] = {0x7e, 0xff, 0x01};
    mantissa::kernels::fp8_e4m3_to_fp32(b, f, 3, impl);
    CHECK(f[0] == 448.0f);
    CHECK(bits_of(f[1]) == 0xffc00000u);
    CHECK(f[2] == 0x1p-9f);
  }
}
