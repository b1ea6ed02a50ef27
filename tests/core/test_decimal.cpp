// Decimal input: correctly rounded straight from the digits, never through a double.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>

#include "core/convert.h"

using namespace mantissa;

namespace {

uint64_t round_decimal(const std::string& s, const Format& f, RoundingOptions opt = {}) {
  ParsedValue p;
  std::string err;
  REQUIRE(parse_value(s, &p, &err));
  return round_exact(f, p.value, opt).bits;
}

uint64_t double_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

}  // namespace

TEST_CASE("random decimal strings round to fp64 exactly as strtod", "[core][decimal]") {
#ifdef __EMSCRIPTEN__
  const int n = 20000;
#else
  const int n = 1000000;
#endif
  std::mt19937_64 rng(7);
  int mismatches = 0;
  for (int i = 0; i < n; ++i) {
    // Up to 25 significant digits and exponents across the whole fp64 range,
    // subnormals and overflow included.
    int ndig = 1 + static_cast<int>(rng() % 25);
    std::string s = (rng() & 1) ? "-" : "";
    for (int k = 0; k < ndig; ++k) {
      s += static_cast<char>('0' + rng() % 10);
      if (k == 0 && ndig > 1 && rng() % 3 == 0) s += '.';
    }
    s += "e" + std::to_string(static_cast<int>(rng() % 660) - 345);
    uint64_t mine = round_decimal(s, fp64());
    uint64_t ref = double_bits(std::strtod(s.c_str(), nullptr));
    if (mine != ref && ++mismatches < 5) FAIL_CHECK(s << ": core " << mine << " strtod " << ref);
  }
  CHECK(mismatches == 0);
}

TEST_CASE("decimals at fp64 halfway points round by their every digit", "[core][decimal]") {
  // 2^-1075 (half the smallest subnormal) written out exactly is a tie: to even (0).
  std::string half_min = Decimal::pow2(-1075).to_plain();
  CHECK(round_decimal(half_min, fp64()) == 0);
  CHECK(round_decimal(half_min + "0000000000000000000001", fp64()) == 1);
  // 1 + 2^-53 exactly is a tie to even (1.0); one more digit far out breaks it.
  std::string tie = Decimal::from_digits("1", 0).to_plain();
  std::string one_half_ulp = (Decimal::from_uint(1) + Decimal::pow2(-53)).to_plain();
  CHECK(round_decimal(one_half_ulp, fp64()) == double_bits(1.0));
  CHECK(round_decimal(one_half_ulp + "000000000000000000000000000000000001", fp64()) ==
        double_bits(std::nextafter(1.0, 2.0)));
}

TEST_CASE("double rounding traps: via fp32 or fp64 differs from direct rounding", "[core][decimal]") {
  // 1 + 2^-11 is the fp16 tie between 1 and 1 + 2^-10.
  CHECK(round_decimal("1.00048828125000022204", fp16()) == 0x3c01);
  ConvertRequest req;
  req.value = "1.00048828125000022204";
  req.to = fp16();
  req.via = fp32();
  ConvertReport r;
  std::string err;
  REQUIRE(convert(req, &r, &err));
  CHECK(r.result.bits == 0x3c00);  // fp32 keeps exactly the tie; then ties-to-even
  // Through fp64: the extra 1e-17 is below half an fp64 ulp.
  CHECK(round_decimal("1.00048828125000001", fp16()) == 0x3c01);
  req.value = "1.00048828125000001";
  req.via = fp64();
  REQUIRE(convert(req, &r, &err));
  CHECK(r.result.bits == 0x3c00);
  // bf16 (8-bit significand): 1 + 2^-8 is a tie; a hair above goes up directly, not via fp32.
  CHECK(round_decimal("1.00390625000000001", bf16()) == 0x3f81);
  req.value = "1.00390625000000001";
  req.to = bf16();
  req.via = fp32();
  REQUIRE(convert(req, &r, &err));
  CHECK(r.result.bits == 0x3f80);
  // fp8-e4m3: 1.0625 ties between 1 and 1.125.
  CHECK(round_decimal("1.0625000000001", fp8_e4m3()) == 0x39);
  req.value = "1.0625000000001";
  req.to = fp8_e4m3();
  req.via = fp16();
  REQUIRE(convert(req, &r, &err));
  CHECK(r.result.bits == 0x38);
}

TEST_CASE("exact decimals print every digit in plain notation", "[core][decimal]") {
  CHECK(exact_value(fp16(), 1).to_string() == "0.000000059604644775390625");
  CHECK(exact_value(fp16(), 0x7bff).to_string() == "65504");
  CHECK(exact_value(fp16(), 0x8000).to_string() == "-0");
  CHECK(exact_value(fp32(), 0x7f7fffff).to_string() == "340282346638528859811704183484516925440");
  CHECK(exact_value(fp64(), 1).to_string().size() == 2 + 1074);  // "0." then 1074 decimals
  CHECK((Decimal::from_digits("125", -3) - Decimal::from_digits("5", -1)).to_plain() == "-0.375");
  CHECK((Decimal::from_digits("15", -1) * Decimal::from_digits("25", -1, true)).to_plain() == "-3.75");
  CHECK(Decimal::from_digits("1234567", -3).to_short(4) == "1235");
  CHECK(Decimal::from_digits("42", -5).to_short(8) == "0.00042");
}

TEST_CASE("a 100,000-digit decimal rounds correctly", "[core][decimal]") {
  // 1.(99,998 threes)4 -> fp16 is 1.3330078125 (0x3d55); the digits far out decide nothing here,
  // but 0.5 followed by 99,998 zeros and a 1 is just above a tie in e2m1.
  std::string big = "1." + std::string(99998, '3') + "4";
  auto t0 = std::chrono::steady_clock::now();
  CHECK(round_decimal(big, fp16()) == 0x3d55);
  std::string above_tie = "1.25" + std::string(99996, '0') + "1";  // e2m1: 1.25 ties 1 and 1.5
  Format e2m1;
  std::string err;
  REQUIRE(parse_format("e2m1", &e2m1, &err));
  CHECK(round_decimal(above_tie, e2m1) == round_decimal("1.5", e2m1));
  CHECK(round_decimal("1.25", e2m1) == round_decimal("1", e2m1));
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  WARN("two 100,000-digit conversions took " << ms << " ms (speed is a benchmark matter, not asserted here)");
}
