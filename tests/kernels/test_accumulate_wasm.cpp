// The wasm SIMD128 population kernels (accumulate_wasm.cpp) against the scalar
// references, bit for bit: every fp16/bf16 weight pattern with increments at
// every scale (zeros, subnormals, ties, infinities), per-weight and broadcast
// increments, ragged tails; fp16 with increments at every binade's rounding
// points, which decide between the kernel's binade step and its exact path.
// Web build only (run under Node by ctest); the
// generic SIMD-vs-scalar test in tests/sim covers AVX2 natively.
#ifdef __EMSCRIPTEN__
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "kernels/accumulate.h"
#include "kernels_test_support.h"

using namespace mantissa::kernels;
using kernels_test::bits_of;
using kernels_test::float_from_bits;

namespace {

uint32_t mix(uint64_t x) {  // splitmix64 finaliser, top half
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return static_cast<uint32_t>((x ^ (x >> 31)) >> 32);
}

std::vector<float> increments() {
  std::vector<float> v = {0.0f,        -0.0f,          0x1p-24f,
                          -0x1p-24f,   0x1p-25f,       0x1.8p-25f,
                          0x1p-11f,    0x1.00002p-11f, 0x1p-11f + 0x1p-30f,
                          0.00041999f, 0.12457275f,    1.0f,
                          -1.0f,       65504.0f,       65520.0f,
                          -65520.0f,   3.0e38f,        -3.0e38f,
                          INFINITY,    -INFINITY,      1e-40f,
                          -1e-40f};
  for (uint64_t i = 0; i < 60; ++i) {
    const uint32_t r = mix(i);
    v.push_back(float_from_bits((r & 0x807fffffu) | ((127 - 40 + r % 60) << 23)));
  }
  return v;
}

}  // namespace

TEST_CASE("wasm SIMD128 population kernels equal the scalar reference bit for bit",
          "[kernels][population][wasm]") {
  REQUIRE(accumulate_impl_available(AccumulateImpl::Wasm128));
  REQUIRE(best_accumulate_impl() == AccumulateImpl::Wasm128);
  const std::vector<float> incs = increments();
  const size_t n = 0x10000 + 7;  // every 16-bit pattern, plus a ragged tail
  for (size_t k = 0; k < incs.size(); ++k) {
    INFO("increment set " << k);
    std::vector<uint16_t> a(n), b(n);
    std::vector<float> d(n), fa(n), fb(n);
    for (size_t i = 0; i < n; ++i) {
      a[i] = b[i] = static_cast<uint16_t>(i);
      d[i] = incs[(k + i) % incs.size()];
      // Finite fp32 weights (inf - inf's NaN sign is not specified in wasm).
      const uint32_t r = mix(i + 1000003 * k);
      fa[i] = fb[i] = float_from_bits((r & 0x80ffffffu) | ((r % 254) << 23));
    }
    CHECK(detail::fp16_scalar(a.data(), d.data(), 1, n) == detail::fp16_wasm(b.data(), d.data(), 1, n));
    REQUIRE(a == b);
    CHECK(detail::bf16_scalar(a.data(), d.data(), 1, n) == detail::bf16_wasm(b.data(), d.data(), 1, n));
    REQUIRE(a == b);
    CHECK(detail::fp32_scalar(fa.data(), d.data(), 1, n) == detail::fp32_wasm(fb.data(), d.data(), 1, n));
    for (size_t i = 0; i < n; ++i) {
      if (bits_of(fa[i]) != bits_of(fb[i]) && !(std::isnan(fa[i]) && std::isnan(fb[i])))
        FAIL("fp32 lane " << i);
    }
    // Broadcast: one increment for every weight (stride 0).
    std::vector<uint16_t> c(n), e(n);
    for (size_t i = 0; i < n; ++i) c[i] = e[i] = static_cast<uint16_t>(i);
    CHECK(detail::fp16_scalar(c.data(), &incs[k], 0, n) == detail::fp16_wasm(e.data(), &incs[k], 0, n));
    REQUIRE(c == e);
  }
  // The many-steps kernels through the public API: 1e4 weights x 50 steps.
  std::vector<uint16_t> a(10000), b(10000);
  std::vector<float> fa(10000), fb(10000);
  for (size_t i = 0; i < a.size(); ++i) {
    a[i] = b[i] = static_cast<uint16_t>(0x3c00 + i);
    fa[i] = fb[i] = 1.0f + static_cast<float>(i) * 0x1p-20f;
  }
  std::vector<float> steps(50);
  for (size_t s = 0; s < steps.size(); ++s)
    steps[s] = 0.000420093536376953125f * static_cast<float>(1 + s % 7);
  std::vector<uint64_t> la(steps.size()), lb(steps.size()), ma(steps.size()), mb(steps.size());
  accumulate_fp16_steps(a.data(), a.size(), steps.data(), steps.size(), la.data(), AccumulateImpl::Scalar);
  accumulate_fp16_steps(b.data(), b.size(), steps.data(), steps.size(), lb.data(), AccumulateImpl::Wasm128);
  accumulate_fp32_steps(fa.data(), fa.size(), steps.data(), steps.size(), ma.data(), AccumulateImpl::Scalar);
  accumulate_fp32_steps(fb.data(), fb.size(), steps.data(), steps.size(), mb.data(), AccumulateImpl::Wasm128);
  CHECK(a == b);
  CHECK(la == lb);
  CHECK(std::memcmp(fa.data(), fb.data(), fa.size() * sizeof(float)) == 0);
  CHECK(ma == mb);
}

TEST_CASE("wasm fp16 kernel equals the reference at every binade's rounding points",
          "[kernels][population][wasm]") {
  const std::vector<float> incs = kernels_test::fp16_rounding_point_increments();
  const size_t n = 0x10000 + 5;
  std::vector<uint16_t> a(n), b(n);
  // Broadcast: each increment to every weight pattern.
  for (size_t k = 0; k < incs.size(); ++k) {
    for (size_t i = 0; i < n; ++i) a[i] = b[i] = static_cast<uint16_t>(i);
    const uint64_t lost_a = detail::fp16_scalar(a.data(), &incs[k], 0, n);
    const uint64_t lost_b = detail::fp16_wasm(b.data(), &incs[k], 0, n);
    if (a != b || lost_a != lost_b) {
      size_t i = 0;
      while (i + 1 < n && a[i] == b[i]) ++i;
      FAIL("increment " << incs[k] << " (0x" << std::hex << bits_of(incs[k]) << "): weight 0x" << i
                        << " gave 0x" << b[i] << ", the reference 0x" << a[i]);
    }
  }
  // Per weight: neighbouring lanes mix increments, so groups of eight mix
  // the binade step with lanes that need the exact path.
  std::vector<float> d(n);
  for (size_t r = 1; r <= 64; ++r) {
    for (size_t i = 0; i < n; ++i) {
      a[i] = b[i] = static_cast<uint16_t>(mix(i + 7919 * r));
      d[i] = incs[(i * r + r) % incs.size()];
    }
    CHECK(detail::fp16_scalar(a.data(), d.data(), 1, n) == detail::fp16_wasm(b.data(), d.data(), 1, n));
    REQUIRE(a == b);
  }
}
#endif
