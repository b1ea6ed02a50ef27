// The GEMM lanes (kernels/gemm.h) against the core's dot() output by output,
// bit for bit, on every implementation this build runs (scalar reference, and
// AVX2 natively or SIMD128 in wasm): random matrices of every input format,
// and adversarial ones (specials in a row, a column and a c; subnormals;
// cancellation; a huge exponent spread; signed zeros). An output the kernel
// hands back must be exactly one the one-dot kernels decline too.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dot.h"
#include "core/rounding.h"
#include "kernels/dot.h"
#include "kernels/gemm.h"

using namespace mantissa;
namespace kn = mantissa::kernels;

namespace {

std::vector<kn::DotImpl> impls() {
  std::vector<kn::DotImpl> out;
  for (kn::DotImpl i : {kn::DotImpl::Scalar, kn::DotImpl::Avx2, kn::DotImpl::Wasm128})
    if (kn::dot_impl_available(i)) out.push_back(i);
  return out;
}

float value_of(const Format& f, uint64_t bits) { return static_cast<float>(to_double(f, bits)); }

uint32_t float_bits(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

// A (m x k) and B (n x k) as bit patterns of `in`, c as fp32 bits (empty: +0).
struct Problem {
  Format in = fp32();
  size_t m = 0, n = 0, k = 0;
  std::vector<uint64_t> a, b;
  std::vector<uint32_t> c;
};

// Every output of gemm_lanes on every impl: done outputs give core dot()'s
// bits, and an output is handed back exactly when dot_with_kernels declines
// it (the one-dot path the trainer used before). Returns how many were done.
size_t gemm_matches_core(const std::string& acc_name, const Problem& p) {
  Accumulator acc;
  std::string error;
  REQUIRE(parse_accumulator(acc_name, p.in, &acc, &error));
  kn::DotLanesModel model;
  REQUIRE(kn::dot_lanes_model_of(acc, p.in, &model));
  std::vector<float> a(p.a.size()), b(p.b.size());
  for (size_t i = 0; i < a.size(); ++i) a[i] = value_of(p.in, p.a[i]);
  for (size_t i = 0; i < b.size(); ++i) b[i] = value_of(p.in, p.b[i]);
  // The oracle: the core's accumulator, one output at a time, on the bit patterns.
  std::vector<uint64_t> expected(p.m * p.n);
  std::vector<uint8_t> one_dot_covers(p.m * p.n);
  for (size_t i = 0; i < p.m; ++i) {
    for (size_t j = 0; j < p.n; ++j) {
      DotInput d;
      d.in = p.in;
      d.a.assign(p.a.begin() + i * p.k, p.a.begin() + (i + 1) * p.k);
      d.b.assign(p.b.begin() + j * p.k, p.b.begin() + (j + 1) * p.k);
      d.c = p.c.empty() ? 0 : p.c[j];
      expected[i * p.n + j] = dot(acc, d);
      uint64_t bits = 0;
      one_dot_covers[i * p.n + j] = kn::dot_with_kernels(acc, p.in, a.data() + i * p.k, b.data() + j * p.k, p.k,
                                                         static_cast<uint32_t>(d.c), kn::DotImpl::Scalar, &bits);
    }
  }
  size_t done_count = 0;
  for (kn::DotImpl impl : impls()) {
    std::vector<uint32_t> out(p.m * p.n, 0xdeadbeef);
    std::vector<uint8_t> done(p.m * p.n, 7);
    kn::gemm_lanes(model, a.data(), b.data(), {p.m, p.n, p.k}, p.c.empty() ? nullptr : p.c.data(), impl,
                   out.data(), done.data());
    for (size_t o = 0; o < out.size(); ++o) {
      INFO(acc_name << " in " << p.in.name << " " << p.m << "x" << p.n << "x" << p.k << " output " << o << " impl "
                    << kn::dot_impl_name(impl));
      REQUIRE(static_cast<bool>(done[o]) == static_cast<bool>(one_dot_covers[o]));
      if (done[o]) REQUIRE(out[o] == expected[o]);
      if (impl == kn::DotImpl::Scalar) done_count += done[o];
    }
  }
  return done_count;
}

uint64_t random_finite(std::mt19937_64& rng, const Format& f) {
  while (true) {
    const uint64_t bits = rng() & f.width_mask();
    const FloatClass c = decode(f, bits).cls;
    if (c != FloatClass::Infinity && c != FloatClass::NaN) return bits;
  }
}

const std::vector<std::string> kModels = {"seq:fp32", "blocked:fp32:5", "tc:h100", "tc:a100", "tc:fma=8,neab=-3,round=rne",
                                          "blocked:tc:h100:16"};

}  // namespace

TEST_CASE("gemm lanes: every output gives the core's bits on random matrices of every format and shape") {
  std::mt19937_64 rng(1616);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::vector<Format> formats = {fp32(), fp16(), bf16(), fp8_e4m3(), fp8_e5m2()};
  // Shapes: a full panel, a ragged last panel, fewer outputs than lanes, one row, no terms.
  const size_t shapes[][3] = {{3, 8, 16}, {5, 13, 7}, {2, 3, 33}, {1, 17, 4}, {4, 9, 0}};
  size_t done = 0;
  for (const Format& in : formats) {
    for (const std::string& name : kModels) {
      Accumulator probe;
      std::string error;
      if (!parse_accumulator(name, in, &probe, &error)) continue;
      for (const auto& sh : shapes) {
        for (int style = 0; style < 2; ++style) {
          Problem p;
          p.in = in;
          p.m = sh[0], p.n = sh[1], p.k = sh[2];
          // style 0: any finite bit pattern (subnormals, huge spread); 1: normal values, some zeros.
          auto draw = [&] {
            if (style == 0) return random_finite(rng, in);
            return rng() % 5 == 0 ? uint64_t{0} : round_double(in, normal(rng)).bits;
          };
          for (size_t i = 0; i < p.m * p.k; ++i) p.a.push_back(draw());
          for (size_t i = 0; i < p.n * p.k; ++i) p.b.push_back(draw());
          if (rng() % 2) {
            for (size_t j = 0; j < p.n; ++j) p.c.push_back(float_bits(static_cast<float>(normal(rng))));
          }
          done += gemm_matches_core(name, p);
        }
      }
    }
  }
  REQUIRE(done > 1000);
}

TEST_CASE("gemm lanes: specials in one row, one column and one c go back to the caller; the rest does not") {
  for (const std::string& name : kModels) {
    Problem p;
    p.in = fp16();
    p.m = 4, p.n = 11, p.k = 10;
    p.a.assign(p.m * p.k, 0x3c00);  // 1
    p.b.assign(p.n * p.k, 0x3800);  // 0.5
    p.c.assign(p.n, 0);
    p.a[2 * p.k + 3] = 0x7c00;   // +inf in row 2
    p.b[9 * p.k + 0] = 0x7e00;   // NaN in column 9
    p.c[4] = 0xff800000u;        // -inf c of column 4
    const size_t done = gemm_matches_core(name, p);
    CHECK(done == (p.m - 1) * (p.n - 2));
  }
}

TEST_CASE("gemm lanes: adversarial matrices (cancellation, ties, subnormals, signed zeros, overflow)") {
  const Format h = fp16();
  auto H = [&](double x) { return round_double(h, x).bits; };
  const uint64_t sub = 0x0001, max = 0x7bff;  // fp16's smallest subnormal, largest finite
  Problem p;
  p.in = h;
  p.m = 3, p.n = 10, p.k = 6;
  const std::vector<std::vector<uint64_t>> rows_a = {
      {H(1), H(-1), H(1024), H(-1024), sub, H(0.5)},
      {max, max, H(-1), sub, sub, 0x8000},  // overflow of max*max in some chains, -0
      {0x8000, 0x8000, 0x8000, 0x8000, 0x8000, 0x8000},
  };
  const std::vector<std::vector<uint64_t>> rows_b = {
      {H(1), H(1), H(1), H(1), H(1), H(1)},
      {H(1024), H(1024), H(1), H(1), sub, H(0x1p-11)},  // cancellation: 1024 - 1024, then tiny terms
      {sub, sub, sub, sub, sub, sub},
      {0, 0, 0, 0, 0, 0},
      {H(0x1p-14), H(0x1p-14), H(0x1p-24), 0, H(3), H(-3)},
      {max, H(-1), max, H(-1), H(1), H(1)},
      {H(0x1p-11), H(0x1p-11), H(0x1p-12), H(0x1p-12), H(1), H(-1)},  // rne ties
      {0x8000, 0, 0x8000, 0, 0x8000, 0},
      {H(65504), H(65504), H(65504), H(65504), H(65504), H(65504)},
      {H(-2), H(2), H(-2), H(2), H(-2), H(2.5)},
  };
  for (const auto& r : rows_a) p.a.insert(p.a.end(), r.begin(), r.end());
  for (const auto& r : rows_b) p.b.insert(p.b.end(), r.begin(), r.end());
  // c: zeros of both signs, a value that cancels, fp32 subnormal, large.
  p.c = {0x80000000u, 0, float_bits(-1.0f), 1u, float_bits(1e30f), 0x80000000u, 0, float_bits(0.75f), 0,
         float_bits(-3.0f)};
  size_t done = 0;
  for (const std::string& name : kModels) done += gemm_matches_core(name, p);
  CHECK(done > 0);
}

// The SIMD128 lanes take several rows of A per call (dot.h's
// dot_lanes_rows_wasm, up to kLanesRows), and seq:fp32 on inputs whose
// products fp32 cannot hold rounds a*b + s in double first, checking for the
// one case where that differs from the FMA (a double sum that is inexact and
// lands on an fp32 midpoint). Row counts around the interleave, odd k, c
// present or absent, a special in one of the interleaved rows, and data that
// hits that case on purpose: structured values (pixels/16 times fp32 weights,
// exact midpoints), sums below fp32's normal range, and a term whose double
// sum rounds onto a midpoint (1 + 2^-23 + (1 + 2^-23) * 2^-24 (1 - 2^-23):
// the double sum ties to even upwards, the exact one lies just below the tie).
// The SIMD128 lanes read A's plain rows (splatted as loaded): per model the
// seq, float tc (fp16 and fp8 on h100, blocked too) and spread-row paths
// (tc:a100, blocked:fp32, a float tc block the lanes decline: style 2's
// subnormals and huge values).
TEST_CASE("gemm lanes: several rows per call, remainders, odd k, specials in one interleaved row, double-rounding traps") {
  std::mt19937_64 rng(4242);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::vector<std::pair<std::string, Format>> cases = {
      {"seq:fp32", fp32()}, {"seq:fp32", bf16()}, {"seq:fp32", fp16()}, {"tc:h100", fp16()},
      {"tc:h100", bf16()},  {"blocked:fp32:5", fp32()}, {"blocked:tc:h100:16", fp16()}, {"tc:h100", fp8_e4m3()},
      {"tc:a100", fp16()}};
  size_t done = 0;
  for (const auto& model_case : cases) {
    const std::string& name = model_case.first;
    const Format in = model_case.second;  // (a lambda cannot capture a structured binding in clang's C++20)
    for (size_t m : {1, 2, 3, 4, 5, 7, 9}) {
      for (size_t k : {1, 7, 33}) {
        for (int style = 0; style < 4; ++style) {
          Problem p;
          p.in = in;
          p.m = m, p.n = 11, p.k = k;
          auto draw = [&](bool a_side) -> uint64_t {
            switch (style) {
              case 0:  // structured: pixels / 16 against normal weights, some zeros (ReLU)
                if (a_side) return round_double(in, static_cast<double>(rng() % 17) / 16.0).bits;
                return round_double(in, normal(rng)).bits;
              case 1:  // tiny: sums below fp32's normal range (and subnormal products for fp32)
                return round_double(in, normal(rng) * (in == fp32() ? 0x1p-66 : 0x1p-7)).bits;
              case 2:  // any finite pattern
                return random_finite(rng, in);
              default:  // normal values with zeros of both signs
                return rng() % 4 == 0 ? (rng() % 2 ? uint64_t{0} : uint64_t{1} << (in.width() - 1))
                                      : round_double(in, normal(rng)).bits;
            }
          };
          for (size_t i = 0; i < p.m * p.k; ++i) p.a.push_back(draw(true));
          for (size_t i = 0; i < p.n * p.k; ++i) p.b.push_back(draw(false));
          if (style != 1 && rng() % 2) {
            for (size_t j = 0; j < p.n; ++j) {
              p.c.push_back(rng() % 5 == 0 ? 0x80000000u : float_bits(static_cast<float>(normal(rng))));
            }
          }
          if (in == fp32() && k >= 2) {
            // The trap, in the last row and column 3: term 0 makes the sum 1 + 2^-23, term 1 adds
            // (1 + 2^-23) * 2^-24 (1 - 2^-23), the other terms are zero.
            const size_t i = p.m - 1, j = 3;
            for (size_t t = 0; t < k; ++t) p.a[i * k + t] = p.b[j * k + t] = 0;
            p.a[i * k] = float_bits(1.0f);
            p.b[j * k] = float_bits(1.0f + 0x1p-23f);
            p.a[i * k + 1] = float_bits(1.0f + 0x1p-23f);
            p.b[j * k + 1] = float_bits(0x1p-24f * (1.0f - 0x1p-23f));
            if (!p.c.empty()) p.c[j] = 0;
          }
          if (style == 3 && m >= 2) p.a[1 * k + k / 2] = round_double(in, std::nan("")).bits;  // row 1 of the first pair
          done += gemm_matches_core(name, p);
        }
      }
    }
  }
  REQUIRE(done > 5000);
}

TEST_CASE("gemm lanes: the double-rounding trap differs from rounding the double sum, and the lanes get it right") {
  // The oracle's own check that the trap is one: the exact sum lies below the
  // midpoint the double sum lands on, so the FMA and (float)(double sum) differ.
  const float s = 1.0f + 0x1p-23f, a = 1.0f + 0x1p-23f, b = 0x1p-24f * (1.0f - 0x1p-23f);
  const double d = static_cast<double>(a) * static_cast<double>(b) + static_cast<double>(s);
  REQUIRE(static_cast<float>(d) == 1.0f + 0x1p-22f);
  REQUIRE(std::fma(a, b, s) == 1.0f + 0x1p-23f);
  Problem p;
  p.in = fp32();
  p.m = 5, p.n = 8, p.k = 1;  // every row and lane the trap: rows in pairs and a remainder
  p.a.assign(p.m, float_bits(a));
  p.b.assign(p.n, float_bits(b));
  p.c.assign(p.n, float_bits(s));
  REQUIRE(gemm_matches_core("seq:fp32", p) == p.m * p.n);
}

// More rows than one lanes call takes (kLanesRows; the SIMD128 tc lanes work
// out b's exponents once per call, seq:fp32 decides its coarse check per
// call): a second call with a remainder, a NaN in a row of it, and (fp32) a
// value below kCoarseMin in one row of the first.
TEST_CASE("gemm lanes: more rows than one call takes, with a special and a tiny value in different calls") {
  std::mt19937_64 rng(3232);
  std::normal_distribution<double> normal(0.0, 1.0);
  const size_t m = kn::detail::kLanesRows + 5;
  size_t done = 0;
  for (const auto& model_case : std::vector<std::pair<std::string, Format>>{
           {"seq:fp32", fp32()}, {"seq:fp32", fp16()}, {"tc:h100", fp16()}, {"blocked:tc:h100:16", fp16()}}) {
    Problem p;
    p.in = model_case.second;
    p.m = m, p.n = 11, p.k = 21;
    for (size_t i = 0; i < p.m * p.k; ++i) p.a.push_back(round_double(p.in, normal(rng)).bits);
    for (size_t i = 0; i < p.n * p.k; ++i) p.b.push_back(round_double(p.in, normal(rng)).bits);
    p.a[(m - 2) * p.k + 4] = round_double(p.in, std::nan("")).bits;
    p.a[3 * p.k + 7] = round_double(p.in, p.in == fp32() ? 0x1p-60 : 0x1p-24).bits;
    const size_t d = gemm_matches_core(model_case.first, p);
    CHECK(d == (p.m - 1) * p.n);
    done += d;
  }
  REQUIRE(done > 0);
}

// The float tc lanes per block (dot_wasm.cpp's tc_block8_float): c's power of
// two starts the exponent maxima, and a truncating model rounds the block's
// sums through one f32 product by 2^unit. c at fp32's extremes (the largest
// finite values of both signs, 2^127, the smallest normal and subnormal) and
// inputs up to the format's largest: units from c's exponent far above the
// terms' and far below them, in blocks after the first too (k = 40: three
// blocks of 16 on h100, two of 32 on b200's fp8; rows > 1: the GEMM form).
TEST_CASE("gemm lanes: float tc blocks with c at fp32's extremes and the inputs' largest values") {
  std::mt19937_64 rng(5151);
  std::normal_distribution<double> normal(0.0, 1.0);
  const std::vector<uint32_t> cs = {0x7f7fffffu, 0xff7fffffu, 0x7f000000u, 0x00800000u,
                                    0x80000001u, float_bits(1e-30f), 0,           0x80000000u};
  size_t done = 0;
  for (const auto& model_case : std::vector<std::pair<std::string, Format>>{
           {"tc:h100", fp16()}, {"blocked:tc:h100:16", fp16()}, {"tc:b200", fp8_e5m2()}, {"tc:h100", fp8_e4m3()}}) {
    const Format& f = model_case.second;
    Problem p;
    p.in = f;
    p.m = 5, p.n = cs.size(), p.k = 40;
    const uint64_t big = f.max_finite_bits();
    for (size_t i = 0; i < p.m * p.k; ++i) {
      p.a.push_back(i % 7 == 0 ? big ^ (i % 2 ? f.sign_mask() : 0) : round_double(f, normal(rng)).bits);
    }
    for (size_t i = 0; i < p.n * p.k; ++i) p.b.push_back(round_double(f, normal(rng) * 4).bits);
    p.c = cs;
    done += gemm_matches_core(model_case.first, p);
  }
  REQUIRE(done > 0);
}
