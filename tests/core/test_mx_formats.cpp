// The OCP Microscaling (MX v1.0) element and scale formats: fp6-e2m3,
// fp6-e3m2, fp4-e2m1 (no inf, no NaN), int8-mx (two's complement x 2^-6) and
// e8m0 (2^(bits-127), 0xff NaN). Every code's value is checked against a
// formula written out here from the spec's definitions (not the core's
// decode), and rounding against a brute-force nearest-value search.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/format.h"
#include "core/rounding.h"
#include "core/value.h"

using namespace mantissa;

namespace {

// Value of a sign/exponent/mantissa code with no specials, from the spec's
// definition: bias 2^(e-1)-1, subnormals at exponent 1-bias.
double spec_float_value(int e, int m, unsigned code) {
  const unsigned s = code >> (e + m);
  const unsigned E = (code >> m) & ((1u << e) - 1);
  const unsigned M = code & ((1u << m) - 1);
  const int bias = (1 << (e - 1)) - 1;
  const double frac = static_cast<double>(M) / (1u << m);
  const double mag = E == 0 ? std::ldexp(frac, 1 - bias) : std::ldexp(1.0 + frac, static_cast<int>(E) - bias);
  return s ? -mag : mag;
}

// Every code's value as a double (NaN for e8m0's 0xff), via the core.
std::vector<double> core_values(const Format& f) {
  std::vector<double> v;
  for (uint64_t c = 0; c < (uint64_t{1} << f.width()); ++c) v.push_back(to_double(f, c));
  return v;
}

// The code nearest to x among every code of f (ties: the even code, i.e. the
// one whose last bit is 0), clamped to +-max as the MX spec's conversion
// does. Int never picks -128/64 (symmetric clamp, see rounding.h).
uint64_t nearest_code(const Format& f, double x) {
  uint64_t best = 0;
  double best_d = INFINITY;
  for (uint64_t c = 0; c < (uint64_t{1} << f.width()); ++c) {
    if (f.kind == FormatKind::Int && c == f.sign_mask()) continue;
    const double v = to_double(f, c);
    if (std::isnan(v)) continue;
    // Floats keep the sign of zero; two's complement has a single zero.
    if (v == 0 && f.is_float() && std::signbit(v) != std::signbit(x)) continue;
    const double d = std::fabs(v - x);
    if (d < best_d || (d == best_d && (c & 1u) == 0)) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

}  // namespace

TEST_CASE("fp4-e2m1: the 16 codes are the spec's table: 0, 0.5, 1, 1.5, 2, 3, 4, 6 and negatives") {
  const Format& f = fp4_e2m1();
  const double table[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};  // OCP MX v1.0 section 5.3.3
  const std::vector<double> v = core_values(f);
  REQUIRE(v.size() == 16);
  for (unsigned c = 0; c < 16; ++c) {
    CAPTURE(c);
    const double want = (c & 8) ? -table[c & 7] : table[c & 7];
    CHECK(v[c] == want);
    CHECK(std::signbit(v[c]) == ((c & 8) != 0));
    CHECK(v[c] == spec_float_value(2, 1, c));
    CHECK(exact_value(f, c).value ==
          Decimal::from_dyadic(want < 0, static_cast<uint64_t>(std::fabs(want) * 2), -1));
  }
  CHECK(f.width() == 4);
  CHECK(to_double(f, f.max_finite_bits()) == 6);
  CHECK_FALSE(f.has_nan());
  CHECK_FALSE(f.has_inf());
}

TEST_CASE("fp6-e2m3 and fp6-e3m2: all 64 codes are numbers; max 7.5 and 28, min subnormal 1/8 and 1/16") {
  struct Case {
    const Format& f;
    int e, m;
    double max, min_sub, min_normal;
  };
  for (const Case& k : {Case{fp6_e2m3(), 2, 3, 7.5, 0.125, 1.0}, Case{fp6_e3m2(), 3, 2, 28, 0.0625, 0.25}}) {
    CAPTURE(k.f.name);
    const std::vector<double> v = core_values(k.f);
    REQUIRE(v.size() == 64);
    for (unsigned c = 0; c < 64; ++c) {
      CAPTURE(c);
      CHECK(v[c] == spec_float_value(k.e, k.m, c));
      CHECK(decode(k.f, c).cls != FloatClass::NaN);
      CHECK(decode(k.f, c).cls != FloatClass::Infinity);
    }
    CHECK(*std::max_element(v.begin(), v.end()) == k.max);
    CHECK(*std::min_element(v.begin(), v.end()) == -k.max);
    CHECK(v[1] == k.min_sub);
    CHECK(to_double(k.f, k.f.min_normal_bits()) == k.min_normal);
  }
}

TEST_CASE("int8-mx: all 256 codes are two's complement times 2^-6; 0x80 reads -2") {
  const Format& f = int8_mx();
  REQUIRE(f.width() == 8);
  const std::vector<double> v = core_values(f);
  for (unsigned c = 0; c < 256; ++c) {
    CAPTURE(c);
    const int as_signed = c < 128 ? static_cast<int>(c) : static_cast<int>(c) - 256;
    CHECK(v[c] == as_signed / 64.0);
    CHECK(exact_value(f, c).value ==
          Decimal::from_dyadic(as_signed < 0, static_cast<uint64_t>(as_signed < 0 ? -as_signed : as_signed),
                               -6));
  }
  CHECK(to_double(f, f.max_finite_bits()) == 127.0 / 64);
  CHECK(f.emax() == 0);  // the MX spec's emax for INT8: the scale rule uses it
}

TEST_CASE("e8m0: all 256 codes are 2^(bits-127); 0xff is NaN; no zero and no sign") {
  const Format& f = e8m0();
  REQUIRE(f.width() == 8);
  for (unsigned c = 0; c < 255; ++c) {
    CAPTURE(c);
    CHECK(to_double(f, c) == std::ldexp(1.0, static_cast<int>(c) - 127));
    CHECK(exact_value(f, c).value == Decimal::pow2(static_cast<int>(c) - 127));
    CHECK(decode(f, c).cls == FloatClass::Normal);
  }
  CHECK(std::isnan(to_double(f, 0xff)));
  CHECK(decode(f, 0xff).cls == FloatClass::NaN);
  CHECK(f.sign_mask() == 0);
  CHECK(to_double(f, f.max_finite_bits()) == 0x1p127);
}

TEST_CASE(
    "element formats: every midpoint ties to the even code, just off it to the nearest, beyond max clamps") {
  for (const Format* f : {&fp4_e2m1(), &fp6_e2m3(), &fp6_e3m2(), &int8_mx()}) {
    CAPTURE(f->name);
    std::vector<double> vals;
    for (uint64_t c = 0; c < (uint64_t{1} << f->width()); ++c) vals.push_back(to_double(*f, c));
    std::sort(vals.begin(), vals.end());
    vals.erase(std::unique(vals.begin(), vals.end()), vals.end());
    for (size_t i = 0; i + 1 < vals.size(); ++i) {
      const double mid = (vals[i] + vals[i + 1]) / 2;  // exact: a few bits
      for (double x : {mid, std::nextafter(mid, -INFINITY), std::nextafter(mid, INFINITY), vals[i]}) {
        CAPTURE(x);
        CHECK(round_double(*f, x).bits == nearest_code(*f, x));
      }
    }
    const double max = to_double(*f, f->max_finite_bits());
    for (double x : {max * 2, max * 4, 1e300}) {  // beyond max + half a step: overflow
      CAPTURE(x);
      for (bool saturate : {false, true}) {
        RoundingOptions opt;
        opt.saturate = saturate;
        const Rounded r = round_double(*f, x, opt);
        CHECK(r.bits == f->max_finite_bits());
        CHECK(r.info.overflow);
        CHECK(r.info.saturated);
        CHECK(to_double(*f, round_double(*f, -x, opt).bits) == -max);
      }
    }
  }
}

TEST_CASE("fp4-e2m1: 100 gives 6 with and without --saturate; inf gives 6; NaN is invalid") {
  const Format& f = fp4_e2m1();
  CHECK(to_double(f, round_double(f, 100).bits) == 6);
  CHECK(to_double(f, round_double(f, INFINITY).bits) == 6);
  CHECK(to_double(f, round_double(f, -INFINITY).bits) == -6);
  CHECK(round_double(f, NAN).info.invalid);
  CHECK(round_double(f, 5.0).bits == 0x6);   // tie between 4 (0x6) and 6 (0x7): even code 4
  CHECK(round_double(f, 0.25).bits == 0x0);  // half the min subnormal: tie to zero
  CHECK(round_double(f, 0.2500001).bits == 0x1);
  CHECK(round_double(f, -0.25).bits == 0x8);  // -0
  RoundingOptions rtz;
  rtz.mode = RoundingMode::TowardZero;
  CHECK(round_double(f, 5.9, rtz).bits == 0x6);
  RoundingOptions rna;
  rna.mode = RoundingMode::NearestAway;
  CHECK(round_double(f, 5.0, rna).bits == 0x7);
}

TEST_CASE("int8-mx: -2 and below clamp to -127/64 (symmetric), ties go to the even code, -0 is 0") {
  const Format& f = int8_mx();
  CHECK(round_double(f, -2.0).bits == 0x81);
  CHECK(round_double(f, -2.0).info.overflow);
  CHECK(round_double(f, 1.0 / 128).bits == 0x00);   // tie between 0 and 1/64
  CHECK(round_double(f, 3.0 / 128).bits == 0x02);   // tie between 1/64 and 2/64
  CHECK(round_double(f, -3.0 / 128).bits == 0xfe);  // -2/64
  CHECK(round_double(f, -0.0).bits == 0x00);        // one zero
  CHECK(round_double(f, -1e-9).bits == 0x00);
  CHECK(round_double(f, NAN).info.invalid);
  CHECK(convert_bits(f, 0x80, fp32()).bits == 0xc0000000u);  // -2 read exactly
}

TEST_CASE("e8m0: rounds to a power of two; ties up; beyond 2^127 NaN or saturate; below 2^-127 is 2^-127") {
  const Format& f = e8m0();
  CHECK(round_double(f, 1.0).bits == 127);
  CHECK(round_double(f, 1.49).bits == 127);
  CHECK(round_double(f, 1.5).bits == 128);  // a 1-bit significand: the tie goes up
  CHECK(round_double(f, 0x1p127).bits == 254);
  CHECK(round_double(f, 0x1.8p127).bits == 0xff);
  RoundingOptions sat;
  sat.saturate = true;
  CHECK(round_double(f, 0x1.8p127, sat).bits == 254);
  CHECK(round_double(f, INFINITY).bits == 0xff);
  CHECK(round_double(f, INFINITY, sat).bits == 254);
  CHECK(round_double(f, 0x1p-127).bits == 0);
  CHECK(round_double(f, 0x1p-140).bits == 0);
  CHECK(round_double(f, 0x1p-140).info.underflow);
  CHECK(round_double(f, 0.0).info.invalid);
  CHECK(round_double(f, -1.0).info.invalid);
  RoundingOptions rtz;
  rtz.mode = RoundingMode::TowardZero;
  CHECK(round_double(f, 1.99, rtz).bits == 127);
}

TEST_CASE("names: OCP names and eXmYns parse; e8m0 and int8-mx only through parse_any_format") {
  Format f;
  std::string error;
  REQUIRE(parse_format("e2m1ns", &f, &error));
  CHECK(f == fp4_e2m1());
  CHECK(f.name == "fp4-e2m1");
  REQUIRE(parse_format("e3m2ns", &f, &error));
  CHECK(f == fp6_e3m2());
  REQUIRE(parse_format("e3m2", &f, &error));  // the IEEE-like custom format, as before
  CHECK(f.kind == FormatKind::Ieee);
  CHECK(f.name == "e3m2");
  REQUIRE(parse_format("e5m3ns", &f, &error));
  CHECK(f.name == "e5m3ns");
  CHECK(f.kind == FormatKind::NoSpecials);
  REQUIRE(parse_format("e2m1ieee", &f, &error));
  CHECK(f.kind == FormatKind::Ieee);
  CHECK(f.name == "e2m1");
  CHECK_FALSE(parse_format("e8m0", &f, &error));
  CHECK(error.find("convert, quantize, explain, the Inspector and the landscape accept it") != std::string::npos);
  CHECK_FALSE(parse_format("int8-mx", &f, &error));
  REQUIRE(parse_any_format("e8m0", &f, &error));
  CHECK(f == e8m0());
  REQUIRE(parse_any_format("int8-mx", &f, &error));
  CHECK(f == int8_mx());
  CHECK_FALSE(parse_any_format("e8m0x", &f, &error));
}

TEST_CASE("neighbours: int8-mx and e8m0 step through their codes in value order") {
  CHECK(next_up(int8_mx(), 0xff) == 0x00);
  CHECK(next_down(int8_mx(), 0x00) == 0xff);
  CHECK_FALSE(has_next_up(int8_mx(), 0x7f));
  CHECK_FALSE(has_next_down(int8_mx(), 0x80));
  CHECK(next_up(e8m0(), 0) == 1);
  CHECK_FALSE(has_next_up(e8m0(), 254));
  CHECK_FALSE(has_next_down(e8m0(), 0));
  CHECK_FALSE(has_next_up(fp4_e2m1(), 0x7));
  CHECK(next_up(fp4_e2m1(), 0x6) == 0x7);
}
