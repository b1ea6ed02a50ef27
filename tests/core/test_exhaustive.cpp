// Every input of a space, against independent oracles. The 2^32 loops are
// tagged [exhaustive]: run in the plain native build, skipped under the
// sanitizers and replaced by a strided sample in wasm.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

#include "core/rounding.h"
#include "core/value.h"

#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
#include <immintrin.h>
#define MANTISSA_HAVE_F16C_ORACLE 1
__attribute__((target("f16c"))) static uint16_t f16c_convert(float x) {
  return static_cast<uint16_t>(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT));
}
#endif

using namespace mantissa;

namespace {

float float_from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}

// Runs check(i) for i in [0, 2^32) with a stride, on every core; returns
// the first failing input (or none).
template <typename Check>
bool all_inputs(uint64_t stride, Check check, uint32_t* first_bad) {
#ifdef __EMSCRIPTEN__
  // No threads in the wasm build (they would need COOP/COEP headers): run inline.
  for (uint64_t i = 0; i < (uint64_t{1} << 32); i += stride) {
    if (!check(static_cast<uint32_t>(i))) {
      *first_bad = static_cast<uint32_t>(i);
      return false;
    }
  }
  return true;
#else
  unsigned n = std::max(1u, std::thread::hardware_concurrency());
  std::atomic<bool> bad{false};
  std::atomic<uint32_t> where{0};
  std::vector<std::thread> pool;
  const uint64_t span = (uint64_t{1} << 32) / n;
  for (unsigned t = 0; t < n; ++t) {
    pool.emplace_back([&, t] {
      uint64_t begin = t * span, end = t + 1 == n ? (uint64_t{1} << 32) : (t + 1) * span;
      for (uint64_t i = begin; i < end && !bad.load(std::memory_order_relaxed); i += stride) {
        if (!check(static_cast<uint32_t>(i))) {
          where = static_cast<uint32_t>(i);
          bad = true;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  *first_bad = where;
  return !bad;
#endif
}

// bf16 RNE by the well-known integer formula, independent of the core:
// add 0x7fff plus the lowest kept bit, then truncate. NaNs are quieted.
uint16_t bf16_formula(uint32_t x) {
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x0040u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

#ifdef __EMSCRIPTEN__
constexpr uint64_t kStride = 4099;  // ~1M inputs spread over the whole space
#define MANTISSA_ALL_INPUTS_TAG "[core][sampled]"
#else
constexpr uint64_t kStride = 1;
#define MANTISSA_ALL_INPUTS_TAG "[exhaustive]"
#endif

}  // namespace

#ifdef MANTISSA_HAVE_F16C_ORACLE
TEST_CASE("all 2^32 fp32 inputs round to fp16 (rne) exactly as x86 F16C", "[exhaustive]") {
  if (!__builtin_cpu_supports("f16c")) {
    WARN("this CPU has no F16C: the _Float16 sample below is the oracle");
    return;
  }
  uint32_t bad;
  bool ok = all_inputs(
      1, [](uint32_t i) { return convert_bits(fp32(), i, fp16()).bits == f16c_convert(float_from_bits(i)); },
      &bad);
  INFO("first mismatch at fp32 bits " << bad);
  CHECK(ok);
}
#endif

#if !defined(__EMSCRIPTEN__) && defined(__FLT16_MAX__)
TEST_CASE("a strided sample of fp32 inputs rounds to fp16 exactly as _Float16", "[core]") {
  uint32_t bad;
  bool ok = all_inputs(
      257,
      [](uint32_t i) {
        float x = float_from_bits(i);
        _Float16 h = static_cast<_Float16>(x);
        uint16_t hb;
        std::memcpy(&hb, &h, 2);
        uint16_t mine = static_cast<uint16_t>(convert_bits(fp32(), i, fp16()).bits);
        if (std::isnan(x)) return (hb & 0x7c00) == 0x7c00 && (hb & 0x3ff) != 0 && (mine & 0x7c00) == 0x7c00;
        return mine == hb;
      },
      &bad);
  INFO("first mismatch at fp32 bits " << bad);
  CHECK(ok);
}
#endif

TEST_CASE("all 2^32 fp32 inputs round to bf16 (rne) as the integer formula", MANTISSA_ALL_INPUTS_TAG) {
  uint32_t bad;
  bool ok = all_inputs(
      kStride, [](uint32_t i) { return convert_bits(fp32(), i, bf16()).bits == bf16_formula(i); }, &bad);
  INFO("first mismatch at fp32 bits " << bad);
  CHECK(ok);
}

TEST_CASE("all 2^16 fp16 patterns survive fp16 -> fp32 -> fp16", "[core]") {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    Rounded wide = convert_bits(fp16(), h, fp32());
    CHECK_FALSE(wide.info.inexact);
    Rounded back = convert_bits(fp32(), wide.bits, fp16());
    bool is_nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0;
    // NaNs come back quieted (quiet bit set), payload kept; everything else exactly.
    uint64_t expect = is_nan ? (h | 0x200u) : h;
    if (back.bits != expect) FAIL_CHECK("fp16 pattern " << h << " came back as " << back.bits);
  }
}

TEST_CASE("all 2^16 fp16 patterns widen to the fp32 value of the same number", "[core]") {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff) != 0) continue;
    // Independent decode: sign, 5-bit exponent, 10-bit fraction.
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? std::ldexp(m, -24) : e == 31 ? HUGE_VAL : std::ldexp(1024 + m, e - 25);
    if (h & 0x8000) v = -v;
    float f = float_from_bits(static_cast<uint32_t>(convert_bits(fp16(), h, fp32()).bits));
    if (static_cast<double>(f) != v || std::signbit(f) != std::signbit(v)) FAIL_CHECK("fp16 pattern " << h);
  }
}

namespace {

// OCP 8-bit floating point spec, written out independently of Format:
// E4M3 (bias 7, no inf, NaN = S.1111.111, max 448); E5M2 (bias 15, IEEE-like).
double ocp_e4m3(uint32_t b, bool* nan) {
  int s = b >> 7, e = (b >> 3) & 15, m = b & 7;
  *nan = e == 15 && m == 7;
  double v = e == 0 ? std::ldexp(m, -9) : std::ldexp(8 + m, e - 10);
  return s ? -v : v;
}

double ocp_e5m2(uint32_t b, bool* nan) {
  int s = b >> 7, e = (b >> 2) & 31, m = b & 3;
  *nan = e == 31 && m != 0;
  double v = e == 0 ? std::ldexp(m, -16) : e == 31 ? HUGE_VAL : std::ldexp(4 + m, e - 17);
  return s ? -v : v;
}

}  // namespace

TEST_CASE("all 256 fp8-e4m3 patterns decode as the OCP table", "[core][fp8]") {
  for (uint32_t b = 0; b < 256; ++b) {
    bool nan;
    double expect = ocp_e4m3(b, &nan);
    Decoded d = decode(fp8_e4m3(), b);
    if (nan) {
      CHECK(d.cls == FloatClass::NaN);
      continue;
    }
    CHECK(d.cls != FloatClass::NaN);
    CHECK(d.cls != FloatClass::Infinity);
    CHECK(to_double(fp8_e4m3(), b) == expect);
    CHECK(exact_value(fp8_e4m3(), b).value.to_double() == expect);
  }
  CHECK(to_double(fp8_e4m3(), fp8_e4m3().max_finite_bits()) == 448.0);
}

TEST_CASE("all 256 fp8-e5m2 patterns decode as the OCP table", "[core][fp8]") {
  for (uint32_t b = 0; b < 256; ++b) {
    bool nan;
    double expect = ocp_e5m2(b, &nan);
    Decoded d = decode(fp8_e5m2(), b);
    if (nan) {
      CHECK(d.cls == FloatClass::NaN);
      continue;
    }
    CHECK(to_double(fp8_e5m2(), b) == expect);
  }
  CHECK(to_double(fp8_e5m2(), fp8_e5m2().max_finite_bits()) == 57344.0);
}
