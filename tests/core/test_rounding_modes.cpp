// Every rounding mode against a brute-force oracle: for small formats, list
// every finite value, find the two neighbours of an exact input by search,
// and apply each mode's definition from IEEE 754 / OCP FP8 literally.
// Three independent paths into the core are checked against it: a double
// (round_double), an exact decimal (round_exact) and an exact sum of two
// doubles (round_sum).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/rounding.h"
#include "core/value.h"

using namespace mantissa;

namespace {

struct Entry {
  double value;
  uint64_t bits;  // positive pattern
};

// Positive finite values of f in increasing order, plus the "virtual" next
// value one step past the largest (what an unbounded exponent would give).
std::vector<Entry> positive_values(const Format& f) {
  std::vector<Entry> out;
  for (uint64_t b = 0; b <= f.max_finite_bits(); ++b) {
    Decoded d = decode(f, b);
    if (d.cls == FloatClass::NaN || d.cls == FloatClass::Infinity) continue;
    out.push_back({std::ldexp(static_cast<double>(d.significand), d.exp2), b});
  }
  return out;
}

constexpr uint64_t kVirtual = ~uint64_t{0};

uint64_t oracle(const Format& f, const std::vector<Entry>& vals, double x, RoundingMode mode, bool saturate) {
  const bool neg = std::signbit(x);
  const double a = std::fabs(x);
  const uint64_t sign = neg ? f.sign_mask() : 0;
  // Neighbours lo <= a <= hi; hi may be the virtual value past max finite.
  auto it =
      std::upper_bound(vals.begin(), vals.end(), a, [](double v, const Entry& e) { return v < e.value; });
  const Entry lo = *(it - 1);
  if (lo.value == a) return lo.bits | sign;
  const double top_ulp = vals.back().value - vals[vals.size() - 2].value;
  const Entry hi = it == vals.end() ? Entry{vals.back().value + top_ulp, kVirtual} : *it;
  // Parity of the last significand bit; the virtual value continues the count.
  auto odd = [&](const Entry& e) {
    return e.bits == kVirtual ? ((vals.back().bits + 1) & 1) != 0 : (e.bits & 1) != 0;
  };
  Entry pick = lo;
  const double dlo = a - lo.value, dhi = hi.value - a;
  switch (mode) {
    case RoundingMode::NearestEven:
      pick = dlo < dhi ? lo : dhi < dlo ? hi : (odd(lo) ? hi : lo);
      break;
    case RoundingMode::NearestAway:
      pick = dlo < dhi ? lo : hi;
      break;
    case RoundingMode::TowardZero:
      pick = lo;
      break;
    case RoundingMode::Up:
      pick = neg ? lo : hi;
      break;
    case RoundingMode::Down:
      pick = neg ? hi : lo;
      break;
    case RoundingMode::Odd:
      pick = odd(lo) ? lo : hi;
      break;
    case RoundingMode::Stochastic:
      break;
  }
  if (pick.bits != kVirtual) return pick.bits | sign;
  // Overflow: to infinity or to the largest finite value, by mode.
  bool to_inf = mode == RoundingMode::NearestEven || mode == RoundingMode::NearestAway ||
                (mode == RoundingMode::Up && !neg) || (mode == RoundingMode::Down && neg);
  if (!to_inf || saturate) return vals.back().bits | sign;
  return f.has_inf() ? (f.inf_bits() | sign) : (f.quiet_nan_bits() | sign);
}

// Inputs around every value: exact values, midpoints, quarter points and
// points a hair away from each, plus far beyond the range. With stride > 1,
// only every stride-th interval between values, except near both ends
// (subnormals, the first normal binades, overflow), which keep them all.
std::vector<double> probe_inputs(const std::vector<Entry>& vals, std::mt19937_64& rng, size_t stride) {
  constexpr size_t kEdge = 2048;  // fp16: the subnormals and the first normal binade; fp8: everything
  std::vector<double> xs;
  for (size_t i = 0; i + 1 < vals.size(); ++i) {
    if (i % stride != 0 && i >= kEdge && i + kEdge < vals.size()) continue;
    double lo = vals[i].value, hi = vals[i + 1].value, step = (hi - lo) / 4;
    for (int k = 0; k <= 4; ++k) {
      double x = lo + k * step;
      xs.push_back(x);
      xs.push_back(std::nextafter(x, 0.0));
      xs.push_back(std::nextafter(x, HUGE_VAL));
    }
    std::uniform_real_distribution<double> u(lo, hi);
    xs.push_back(u(rng));
  }
  double top = vals.back().value, ulp = top - vals[vals.size() - 2].value;
  for (double k : {0.25, 0.5, 0.75, 1.0, 1.5, 3.0, 1e3}) {
    xs.push_back(top + k * ulp);
    xs.push_back(std::nextafter(top + k * ulp, 0.0));
    xs.push_back(std::nextafter(top + k * ulp, HUGE_VAL));
  }
  xs.push_back(vals[1].value / 3);  // deep below the smallest subnormal
  std::vector<double> all;
  for (double x : xs) {
    all.push_back(x);
    all.push_back(-x);
  }
  return all;
}

const RoundingMode kModes[] = {RoundingMode::NearestEven, RoundingMode::NearestAway, RoundingMode::TowardZero,
                               RoundingMode::Up,          RoundingMode::Down,        RoundingMode::Odd};

void check_format(const Format& f, size_t stride = 1) {
  std::mt19937_64 rng(42);
  const std::vector<Entry> vals = positive_values(f);
  const std::vector<double> xs = probe_inputs(vals, rng, stride);
  size_t checked = 0;
  for (RoundingMode mode : kModes) {
    for (bool saturate : {false, true}) {
      RoundingOptions opt;
      opt.mode = mode;
      opt.saturate = saturate;
      for (double x : xs) {
        const uint64_t expect = oracle(f, vals, x, mode, saturate);
        const uint64_t via_double = round_double(f, x, opt).bits;
        int e;
        double m = std::frexp(std::fabs(x), &e);
        ExactValue exact = ExactValue::finite(
            Decimal::from_dyadic(std::signbit(x), static_cast<uint64_t>(std::ldexp(m, 53)), e - 53),
            std::signbit(x));
        const uint64_t via_exact = round_exact(f, exact, opt).bits;
        // Split x into a representable part and a remainder, and add them exactly.
        const double base = std::ldexp(std::trunc(std::ldexp(x, -e + 3)), e - 3);
        // (x = -0 is not such a sum: -0 + +0 is +0 by IEEE's rule.)
        const uint64_t via_sum = x == 0 ? via_double : round_sum(f, base, x - base, opt).bits;
        if (via_double != expect || via_exact != expect || via_sum != expect) {
          FAIL_CHECK(f.name << " mode " << rounding_mode_name(mode) << (saturate ? " saturate" : "")
                            << " x=" << x << " expect " << expect << " double " << via_double << " exact "
                            << via_exact << " sum " << via_sum);
        }
        ++checked;
      }
    }
  }
  CHECK(checked > 1000);
}

}  // namespace

TEST_CASE("every mode matches the brute-force oracle in fp8-e4m3 (OCP E4M3FN)", "[core][modes]") {
  check_format(fp8_e4m3());
}
TEST_CASE("every mode matches the brute-force oracle in fp8-e5m2", "[core][modes]") {
  check_format(fp8_e5m2());
}
TEST_CASE("every mode matches the brute-force oracle in custom e3m2, e2m1, e3m4fn, e6m3", "[core][modes]") {
  for (const char* name : {"e3m2", "e2m1", "e3m4fn", "e6m3", "e2m3fn"}) {
    Format f;
    std::string err;
    REQUIRE(parse_format(name, &f, &err));
    check_format(f);
  }
}
// fp16's 31,744 intervals take about a minute of CPU where every memory
// access is checked (wasm with SAFE_HEAP, the sanitizers): there, every 8th
// interval (all of them near both ends); the plain native build takes all.
#if defined(__EMSCRIPTEN__) || defined(__SANITIZE_ADDRESS__)
constexpr size_t kFp16Stride = 8;
#else
constexpr size_t kFp16Stride = 1;
#endif
TEST_CASE("every mode matches the brute-force oracle in fp16", "[core][modes]") { check_format(fp16(), kFp16Stride); }

TEST_CASE("ties: rne goes to even, rna away, at the exact midpoint only", "[core][modes]") {
  RoundingOptions rne, rna;
  rna.mode = RoundingMode::NearestAway;
  // fp8-e4m3: 4.25 lies halfway between 4 (0x48) and 4.5 (0x49).
  CHECK(round_double(fp8_e4m3(), 4.25, rne).bits == 0x48);
  CHECK(round_double(fp8_e4m3(), 4.25, rna).bits == 0x49);
  CHECK(round_double(fp8_e4m3(), std::nextafter(4.25, 5.0), rne).bits == 0x49);
  CHECK(round_double(fp8_e4m3(), std::nextafter(4.25, 0.0), rna).bits == 0x48);
  CHECK(round_double(fp8_e4m3(), -4.25, rne).bits == 0xc8);
  // fp16: 2049 is halfway between 2048 and 2050; 2051 between 2050 and 2052 (even is 2052).
  CHECK(round_double(fp16(), 2049, rne).bits == 0x6800);
  CHECK(round_double(fp16(), 2051, rne).bits == 0x6802);
}

TEST_CASE("overflow: 65519 stays finite in fp16, 65520 becomes inf unless saturating", "[core][modes]") {
  RoundingOptions opt;
  CHECK(round_double(fp16(), 65519, opt).bits == 0x7bff);
  Rounded r = round_double(fp16(), 65520, opt);
  CHECK(r.bits == 0x7c00);
  CHECK(r.info.overflow);
  opt.saturate = true;
  CHECK(round_double(fp16(), 65520, opt).bits == 0x7bff);
  opt = {};
  opt.mode = RoundingMode::TowardZero;
  CHECK(round_double(fp16(), 1e9, opt).bits == 0x7bff);
  opt.mode = RoundingMode::Down;
  CHECK(round_double(fp16(), 1e9, opt).bits == 0x7bff);
  CHECK(round_double(fp16(), -1e9, opt).bits == 0xfc00);
}

TEST_CASE("fp8-e4m3 overflow gives NaN, or 448 when saturating; 464 ties down to 448", "[core][modes][fp8]") {
  RoundingOptions opt;
  CHECK(round_double(fp8_e4m3(), 464, opt).bits == 0x7e);
  CHECK(round_double(fp8_e4m3(), 465, opt).bits == 0x7f);
  CHECK(round_double(fp8_e4m3(), -1000, opt).bits == 0xff);
  opt.saturate = true;
  CHECK(round_double(fp8_e4m3(), 1000, opt).bits == 0x7e);
  CHECK(round_double(fp8_e4m3(), HUGE_VAL, opt).bits == 0x7e);
  opt.saturate = false;
  CHECK(round_double(fp8_e4m3(), HUGE_VAL, opt).bits == 0x7f);
}

TEST_CASE("subnormal boundary and flush-to-zero", "[core][modes]") {
  RoundingOptions opt;
  const double min_sub = std::ldexp(1, -24), min_normal = std::ldexp(1, -14);
  CHECK(round_double(fp16(), min_sub, opt).bits == 0x0001);
  CHECK(round_double(fp16(), min_sub / 2, opt).bits == 0x0000);  // tie to even: zero
  CHECK(round_double(fp16(), std::nextafter(min_sub / 2, 1.0), opt).bits == 0x0001);
  CHECK(round_double(fp16(), -min_sub / 2, opt).bits == 0x8000);  // signed zero kept
  CHECK(round_double(fp16(), min_normal - min_sub, opt).bits == 0x03ff);
  CHECK(round_double(fp16(), min_normal - min_sub / 2, opt).bits == 0x0400);  // rounds up into the normals
  Rounded r = round_double(fp16(), min_sub * 3, opt);
  CHECK(r.bits == 3);
  CHECK_FALSE(r.info.underflow);  // exact subnormals do not underflow
  CHECK(round_double(fp16(), min_sub * 1.5, opt).info.underflow);
  opt.ftz = true;
  r = round_double(fp16(), -min_sub * 3, opt);
  CHECK(r.bits == 0x8000);
  CHECK(r.info.flushed);
  CHECK(round_double(fp16(), min_normal, opt).bits == 0x0400);
}

TEST_CASE("signed zeros and x + (-x)", "[core][modes]") {
  RoundingOptions opt;
  CHECK(round_double(fp16(), -0.0, opt).bits == 0x8000);
  CHECK(round_sum(fp16(), 1.5, -1.5, opt).bits == 0x0000);
  CHECK(round_sum(fp16(), -0.0, -0.0, opt).bits == 0x8000);
  CHECK(round_sum(fp16(), 0.0, -0.0, opt).bits == 0x0000);
  opt.mode = RoundingMode::Down;
  CHECK(round_sum(fp16(), 1.5, -1.5, opt).bits == 0x8000);
}

TEST_CASE("round_sum rounds the exact sum once, without double rounding through fp64", "[core][modes]") {
  // 1 + 2^-11 is the fp16 midpoint between 1 and 1 + 2^-10. Adding 2^-70 makes it
  // an above-the-tie value that fp64 cannot hold: double rounding would give 1.
  RoundingOptions opt;
  CHECK(round_double(fp16(), 1.0 + std::ldexp(1, -11) + std::ldexp(1, -70), opt).bits == 0x3c00);
  CHECK(round_sum(fp16(), 1.0 + std::ldexp(1, -11), std::ldexp(1, -70), opt).bits == 0x3c01);
  CHECK(round_sum(fp16(), 1.0 + std::ldexp(1, -11), -std::ldexp(1, -70), opt).bits == 0x3c00);
  CHECK(round_sum(fp16(), 1.0, std::ldexp(1, -200), RoundingOptions{RoundingMode::Up}).bits == 0x3c01);
  CHECK(round_sum(fp64(), 0x1.fffffffffffffp1023, 0x1.fffffffffffffp1023).bits == 0x7ff0000000000000u);
  RoundingOptions inv;
  CHECK(decode(fp16(), round_sum(fp16(), HUGE_VAL, -HUGE_VAL, inv).bits).cls == FloatClass::NaN);
}
