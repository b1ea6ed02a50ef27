// Dot products: the exact value against an independent oracle (exact
// decimals), the sequential accumulators against the core's independent
// two-double rounding path, and the published behaviours of the tensor-core
// models as exact cases.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dot.h"
#include "core/dot_trace.h"
#include "core/value.h"

using namespace mantissa;

namespace {

uint64_t bits_of(const Format& f, double x) { return round_double(f, x).bits; }

uint64_t fp32_bits(double x) { return bits_of(fp32(), x); }

double value_of(const Format& f, uint64_t bits) { return to_double(f, bits); }

Accumulator acc_of(const std::string& name, const Format& in) {
  Accumulator a;
  std::string error;
  INFO(name << ": " << error);
  REQUIRE(parse_accumulator(name, in, &a, &error));
  return a;
}

DotInput input(const Format& f, const std::vector<double>& a, const std::vector<double>& b, double c = 0) {
  DotInput in;
  in.in = f;
  for (double x : a) in.a.push_back(bits_of(f, x));
  for (double x : b) in.b.push_back(bits_of(f, x));
  in.c = fp32_bits(c);
  return in;
}

double dot_value(const std::string& acc, const DotInput& in) {
  const Accumulator a = acc_of(acc, in.in);
  return value_of(a.result_format(), dot(a, in));
}

// Independent oracle: c + sum a_i*b_i in exact decimals.
Decimal decimal_dot(const DotInput& in) {
  Decimal sum = exact_value(fp32(), in.c).value;
  for (size_t i = 0; i < in.a.size(); ++i)
    sum = sum + exact_value(in.in, in.a[i]).value * exact_value(in.in, in.b[i]).value;
  return sum;
}

// Random finite bit patterns of f (every binade, subnormals, both signs).
uint64_t random_finite(const Format& f, std::mt19937_64& rng) {
  while (true) {
    const uint64_t bits = rng() & f.width_mask();
    const FloatClass c = decode(f, bits).cls;
    if (c != FloatClass::NaN && c != FloatClass::Infinity) return bits;
  }
}

}  // namespace

TEST_CASE("exact dot products equal an exact-decimal oracle in every input format", "[dot]") {
  std::mt19937_64 rng(13);
  for (const Format& f : {fp32(), tf32(), fp16(), bf16(), fp8_e4m3(), fp8_e5m2()}) {
    for (int trial = 0; trial < 60; ++trial) {
      DotInput in;
      in.in = f;
      const size_t k = 1 + rng() % 40;
      for (size_t i = 0; i < k; ++i) {
        in.a.push_back(random_finite(f, rng));
        in.b.push_back(random_finite(f, rng));
      }
      in.c = trial % 3 == 0 ? 0 : random_finite(fp32(), rng);
      const ExactValue v = dot_exact(in);
      INFO(f.name << " trial " << trial);
      REQUIRE(v.is_finite());
      CHECK(v.value == decimal_dot(in));
      // The fp32 result of `exact` is the oracle rounded once.
      const Accumulator e = acc_of("exact", f);
      CHECK(dot(e, in) == round_exact(fp32(), ExactValue::finite(decimal_dot(in)), RoundingOptions{}).bits);
    }
  }
}

TEST_CASE("ExactSum cancels exactly across its whole window", "[dot]") {
  ExactSum s;
  s.add_float(fp64(), fp64().max_finite_bits());
  s.add_float(fp64(), 1);  // the smallest subnormal, 2^-1074
  s.add_float(fp64(), fp64().max_finite_bits(), true);
  CHECK(s.to_decimal() == Decimal::pow2(-1074));
  s.add_float(fp64(), 1, true);
  CHECK(s.is_zero());
  s.add(true, 3, 0);
  CHECK(s.to_decimal() == Decimal::from_uint(3, true));
  CHECK(s.to_double() == -3.0);
}

TEST_CASE("seq:fp32 with fp16 inputs is an exact-product FMA chain rounded once per step", "[dot]") {
  // Oracle: the core's round_sum (TwoSum of two doubles, rounded once) is an
  // independent path; products of fp16 values are exact in double.
  std::mt19937_64 rng(7);
  for (const RoundingMode mode :
       {RoundingMode::NearestEven, RoundingMode::TowardZero, RoundingMode::Up, RoundingMode::Down}) {
    RoundingOptions opt;
    opt.mode = mode;
    for (int trial = 0; trial < 40; ++trial) {
      DotInput in;
      in.in = fp16();
      const size_t k = 1 + rng() % 64;
      for (size_t i = 0; i < k; ++i) {
        in.a.push_back(random_finite(fp16(), rng));
        in.b.push_back(random_finite(fp16(), rng));
      }
      in.c = fp32_bits(std::ldexp(static_cast<double>(rng() % 1000) - 500, -(int)(rng() % 20)));
      uint64_t s = in.c;
      for (size_t i = 0; i < k; ++i) {
        const double p = value_of(fp16(), in.a[i]) * value_of(fp16(), in.b[i]);
        s = round_sum(fp32(), value_of(fp32(), s), p, opt).bits;
      }
      const Accumulator a = acc_of(std::string("seq:fp32:") + rounding_mode_name(mode), fp16());
      INFO(rounding_mode_name(mode) << " trial " << trial);
      CHECK(dot(a, in) == s);
    }
  }
}

TEST_CASE("recursive fp16 and bf16 sums of 4096 ones stop at 2048 and 256", "[dot]") {
  const std::vector<double> ones(4096, 1.0);
  CHECK(dot_value("seq:fp16", input(fp16(), ones, ones)) == 2048);
  CHECK(dot_value("seq:bf16", input(bf16(), ones, ones)) == 256);
  CHECK(dot_value("seq:fp32", input(fp16(), ones, ones)) == 4096);
  CHECK(dot_value("pairwise:fp16", input(fp16(), ones, ones)) == 4096);
  CHECK(dot_value("kahan:bf16", input(bf16(), ones, ones)) == 4096);
  CHECK(dot_value("blocked:bf16:128", input(bf16(), ones, ones)) == 4096);  // each block of 128 is exact
  CHECK(dot_value("blocked:bf16:512", input(bf16(), ones, ones)) == 8 * 256);
}

TEST_CASE("V100: (1-2^-11)^2 is exact in one tensor-core block", "[dot][tc]") {
  const double x = 1 - std::ldexp(1, -11);
  CHECK(dot_value("tc:v100", input(fp16(), {x}, {x})) == x * x);
  CHECK(dot_value("tc:v100", input(fp16(), {x, x}, {x, -x})) == 0);
}

TEST_CASE("V100: a larger c can give a smaller sum (alignment truncates to the largest exponent)",
          "[dot][tc]") {
  // Four products of 1.5 * 2^-24. Next to c = 1 - 2^-24 (exponent -1) the last
  // kept bit is 2^-24 and each keeps 2^-24; next to c = 1 (exponent 0) it is
  // 2^-23 and each is truncated to nothing.
  const std::vector<double> a(4, std::ldexp(1, -12)), b(4, std::ldexp(1.5, -12));
  const double small_c = 1 - std::ldexp(1, -24);
  const double d_small = dot_value("tc:v100", input(fp16(), a, b, small_c));
  const double d_large = dot_value("tc:v100", input(fp16(), a, b, 1.0));
  CHECK(d_small == 1 + std::ldexp(1, -23));
  CHECK(d_large == 1);
  CHECK(d_small > d_large);
}

TEST_CASE("V100: fp32 output is rounded toward zero, fp16 output to nearest even", "[dot][tc]") {
  // c = 2 - 2^-23 plus 2^-21: exactly 2 + 3 * 2^-23, between 2 + 2^-22 and 2 + 2^-21.
  const DotInput in = input(fp16(), {std::ldexp(1, -11)}, {std::ldexp(1, -10)}, 2 - std::ldexp(1, -23));
  CHECK(dot(acc_of("tc:v100", fp16()), in) == 0x40000001u);
  CHECK(dot(acc_of("tc:fma=4,neab=0,round=rne", fp16()), in) == 0x40000002u);
  const DotInput neg = input(fp16(), {-std::ldexp(1, -11)}, {std::ldexp(1, -10)}, -(2 - std::ldexp(1, -23)));
  CHECK(dot(acc_of("tc:v100", fp16()), neg) == 0xc0000001u);
  // fp16 output: c is rounded to fp16 first, the result rounded to nearest.
  const DotInput h = input(fp16(), {1.0, std::ldexp(1, -11)}, {1.0, 1.5}, 0);
  CHECK(value_of(fp16(), dot(acc_of("tc:v100,out=fp16", fp16()), h)) == 1 + std::ldexp(1, -10));
}

TEST_CASE("H100 fp8: a 2^-13 product survives next to 1 while 2^-14 is lost", "[dot][tc]") {
  const Format& e4m3 = fp8_e4m3();
  CHECK(dot_value("tc:h100", input(e4m3, {1, std::ldexp(1, -7)}, {1, std::ldexp(1, -6)})) ==
        1 + std::ldexp(1, -13));
  CHECK(dot_value("tc:h100", input(e4m3, {1, std::ldexp(1, -8)}, {1, std::ldexp(1, -6)})) == 1);
  // B200's fp8 path keeps fp32's full alignment width (neab 2 in its model).
  CHECK(dot_value("tc:b200", input(e4m3, {1, std::ldexp(1, -8)}, {1, std::ldexp(1, -6)})) ==
        1 + std::ldexp(1, -14));
  // The fp32 result keeps 13 fraction bits: 2 + 2^-13 (aligned to the exponent of 1, kept) is
  // normalised to exponent 1 and then rounded toward zero to 2.
  CHECK(dot_value("tc:h100", input(e4m3, {1, 1, std::ldexp(1, -7)}, {1, 1, std::ldexp(1, -6)})) == 2);
  CHECK(dot_value("tc:b200", input(e4m3, {1, 1, std::ldexp(1, -7)}, {1, 1, std::ldexp(1, -6)})) ==
        2 + std::ldexp(1, -13));
}

TEST_CASE("H100 fp8: 32 products of 2^-7 * 2^-7 next to c = 1 are all truncated away", "[dot][tc]") {
  const std::vector<double> t(32, std::ldexp(1, -7));
  const DotInput in = input(fp8_e4m3(), t, t, 1.0);
  CHECK(dot_value("tc:h100", in) == 1);
  CHECK(dot_value("seq:fp32", in) == 1 + std::ldexp(1, -9));
  CHECK(dot_exact(in).value == Decimal::from_dyadic(false, 513, -9));
}

TEST_CASE("tensor-core presets follow the published models, per input family", "[dot][tc]") {
  TensorCoreModel m;
  std::string error;
  REQUIRE(tensor_core_preset("h100", fp8_e5m2(), &m, &error));
  CHECK((m.fma == 32 && m.neab == -10));
  REQUIRE(tensor_core_preset("a100", tf32(), &m, &error));
  CHECK((m.fma == 4 && m.neab == 1));
  REQUIRE(tensor_core_preset("v100", fp16(), &m, &error));
  CHECK((m.fma == 4 && m.neab == 0));
  CHECK_FALSE(tensor_core_preset("v100", bf16(), &m, &error));
  CHECK(error.find("no published model") != std::string::npos);
  CHECK_FALSE(tensor_core_preset("a100", fp8_e4m3(), &m, &error));
  CHECK_FALSE(tensor_core_preset("h200x", fp16(), &m, &error));
  CHECK(error.find("unknown tensor-core preset") != std::string::npos);
}

TEST_CASE("accumulator names are parsed, spelled canonically, and refused with a reason", "[dot]") {
  CHECK(acc_of("seq:half:rtz", fp16()).name == "seq:fp16:rtz");
  CHECK(acc_of("blocked:tc:h100:128", fp8_e4m3()).name == "blocked:tc:h100:128");
  CHECK(acc_of("tc:h100,out=fp16", fp16()).name == "tc:h100,out=fp16");
  CHECK(acc_of("tc:fma=8,neab=1", fp16()).name == "tc:fma=8,neab=1,round=rz");
  Accumulator a;
  std::string error;
  for (const char* bad : {"seq", "seq:fp17", "tc:", "tc:fma=0,neab=1", "tc:fma=4", "tc:h100,round=up",
                          "blocked:fp16", "blocked:fp16:0", "kahan:fp16:rne", "wat", "tc:fma=4,neab=99"}) {
    INFO(bad);
    CHECK_FALSE(parse_accumulator(bad, fp16(), &a, &error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("NaN and infinite inputs follow the published driver's rule", "[dot]") {
  const double inf = INFINITY;
  const Accumulator tc = acc_of("tc:h100", fp16()), seq = acc_of("seq:fp16", fp16());
  CHECK(decode(fp32(), dot(tc, input(fp16(), {inf, 1}, {1, 1}))).cls == FloatClass::Infinity);
  CHECK(decode(fp32(), dot(tc, input(fp16(), {inf, -inf}, {1, 1}))).cls == FloatClass::NaN);
  CHECK(decode(fp32(), dot(tc, input(fp16(), {inf}, {0}))).cls == FloatClass::NaN);  // 0 * inf
  CHECK(decode(fp16(), dot(seq, input(fp16(), {NAN}, {1}))).cls == FloatClass::NaN);
  CHECK(dot_exact(input(fp16(), {-inf}, {1}, 1)).kind == ExactValue::Kind::Infinity);
  // Finite inputs whose fp16 running sum overflows give inf; the exact value stays finite.
  const DotInput big = input(fp16(), {65504, 65504}, {1, 1});
  CHECK(decode(fp16(), dot(seq, big)).cls == FloatClass::Infinity);
  CHECK(dot_exact(big).is_finite());
}

TEST_CASE("dot_report gives the error exactly", "[dot]") {
  const std::vector<double> ones(4096, 1.0);
  const DotReport r = dot_report(acc_of("seq:fp16", fp16()), input(fp16(), ones, ones));
  REQUIRE(r.has_error);
  CHECK(r.error_abs == Decimal::from_uint(2048, true));
  CHECK(r.error_rel == 0.5);
}

TEST_CASE("the traced tensor-core block gives dot()'s bits, and its terms sum to the traced sum",
          "[dot][trace]") {
  std::mt19937_64 rng(21);
  const std::vector<std::pair<Format, std::string>> cases = {
      {fp16(), "tc:v100"},          {fp16(), "tc:h100,out=fp16"}, {bf16(), "tc:a100"},
      {tf32(), "tc:h100"},          {fp8_e4m3(), "tc:h100"},      {fp8_e5m2(), "tc:ada,out=fp16"},
      {fp16(), "tc:fma=5,neab=-4"},
  };
  for (const auto& [f, name] : cases) {
    const Accumulator acc = acc_of(name, f);
    for (int trial = 0; trial < 200; ++trial) {
      DotInput in;
      in.in = f;
      const size_t k = 1 + rng() % static_cast<size_t>(acc.tc.fma);
      for (size_t i = 0; i < k; ++i) {
        in.a.push_back(trial % 7 == 0 && i == 0 ? 0 : random_finite(f, rng));
        in.b.push_back(random_finite(f, rng));
      }
      in.c = trial % 4 == 0 ? 0 : random_finite(fp32(), rng) & 0xbfffffffu;  // |c| below 2
      TensorCoreBlockTrace t;
      std::string error;
      INFO(name << " trial " << trial);
      REQUIRE(trace_tensor_core_block(acc, in, &t, &error));
      CHECK(t.bits == dot(acc, in));
      Decimal kept;
      for (const TensorCoreTerm& term : t.terms) kept = kept + term.kept_value.value;
      CHECK(kept == t.sum.value);
    }
  }
  // One block only, and only tensor-core models.
  TensorCoreBlockTrace t;
  std::string error;
  const std::vector<double> five(5, 1.0);
  CHECK_FALSE(trace_tensor_core_block(acc_of("tc:v100", fp16()), input(fp16(), five, five), &t, &error));
  CHECK(error.find("one block of 4") != std::string::npos);
  CHECK_FALSE(trace_tensor_core_block(acc_of("seq:fp32", fp16()), input(fp16(), {1}, {1}), &t, &error));
}

TEST_CASE("a product far below the running sum still decides a directed rounding", "[dot]") {
  // 2^-70 * 2^-70 = 2^-140 next to 1: 140 bits below, outside any
  // fixed window; it must still count as "a bit more" or "a bit less".
  const double tiny = std::ldexp(1, -70);
  CHECK(dot_value("seq:fp32:up", input(bf16(), {tiny}, {tiny}, 1.0)) == 1 + std::ldexp(1, -23));
  CHECK(dot_value("seq:fp32:down", input(bf16(), {tiny}, {-tiny}, 1.0)) == 1 - std::ldexp(1, -24));
  CHECK(dot_value("seq:fp32:rtz", input(bf16(), {tiny}, {-tiny}, 1.0)) == 1 - std::ldexp(1, -24));
  CHECK(dot_value("seq:fp32", input(bf16(), {tiny}, {-tiny}, 1.0)) == 1);
  CHECK(dot_value("seq:fp64:up", input(bf16(), {tiny}, {tiny}, -1.0)) == -1 + std::ldexp(1, -53));
  CHECK(dot_value("seq:fp32:odd", input(bf16(), {tiny}, {tiny}, 1.0)) == 1 + std::ldexp(1, -23));
}
