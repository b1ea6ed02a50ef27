// Block quantization (core/block_format.h) at the rules' edges. The CLI test
// tests/cli/test_quantize.py checks random blocks against fraction and numpy
// oracles; these pin the edges in C++ so they also run in the wasm build.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "core/block_format.h"
#include "core/value.h"

using namespace mantissa;

namespace {

QuantizeReport run(const char* name, const std::vector<double>& xs, ScaleRule rule = ScaleRule::Ocp,
                   int block = 0, bool pad = false) {
  BlockFormat f;
  std::string error;
  REQUIRE(parse_block_format(name, &f, &error));
  QuantizeOptions opt;
  opt.rule = rule;
  opt.block = block;
  opt.pad = pad;
  QuantizeReport r;
  REQUIRE(quantize_blocks(f, xs, opt, &r, &error));
  return r;
}

}  // namespace

TEST_CASE("mxfp4 ocp: amax just below a power of two clips to 6; ceil takes the next scale and does not") {
  QuantizeReport ocp = run("mxfp4", {7.9, 1, 0.5, -3}, ScaleRule::Ocp, 4);
  CHECK(ocp.blocks[0].scale_exp == 0);
  CHECK(ocp.blocks[0].scale_bits == 127);
  CHECK(ocp.blocks[0].elements[0].dequantized == 6);
  CHECK(ocp.blocks[0].elements[0].clipped);
  CHECK(ocp.clipped == 1);
  QuantizeReport ceil = run("mxfp4", {7.9, 1, 0.5, -3}, ScaleRule::Ceil, 4);
  CHECK(ceil.blocks[0].scale_exp == 1);
  CHECK(ceil.clipped == 0);
  CHECK(ceil.blocks[0].elements[0].dequantized == 8);
}

TEST_CASE("MX scale exponent: ocp is floor(log2 amax) - emax; ceil keeps amax == max_elem in its binade") {
  CHECK(mx_scale_exponent(4.0, fp4_e2m1(), ScaleRule::Ocp) == 0);
  CHECK(mx_scale_exponent(7.99, fp4_e2m1(), ScaleRule::Ocp) == 0);
  CHECK(mx_scale_exponent(6.0, fp4_e2m1(), ScaleRule::Ceil) == 0);
  CHECK(mx_scale_exponent(6.01, fp4_e2m1(), ScaleRule::Ceil) == 1);
  CHECK(mx_scale_exponent(448.0, fp8_e4m3(), ScaleRule::Ceil) == 0);
  CHECK(mx_scale_exponent(449.0, fp8_e4m3(), ScaleRule::Ceil) == 1);
  CHECK(mx_scale_exponent(1.99, int8_mx(), ScaleRule::Ocp) == 0);
  CHECK(mx_scale_exponent(1.99, int8_mx(), ScaleRule::Ceil) == 1);  // 1.99 > 127/64
  CHECK(mx_scale_exponent(0x1p-149, fp8_e5m2(), ScaleRule::Ocp) == -164);
}

TEST_CASE("blocks: all zeros take scale 2^-127; NaN or inf makes only its block NaN") {
  QuantizeReport z = run("mxfp8-e4m3", {0, -0.0, 0, 0}, ScaleRule::Ocp, 4);
  CHECK(z.blocks[0].scale_bits == 0);
  CHECK(z.blocks[0].elements[1].dequantized == 0);
  CHECK(z.flushed == 0);
  for (double bad : {NAN, INFINITY, -INFINITY}) {
    QuantizeReport r = run("mxfp6-e3m2", {1, 2, bad, 3}, ScaleRule::Ocp, 2);
    CHECK_FALSE(r.blocks[0].non_finite);
    CHECK(r.blocks[1].non_finite);
    CHECK(r.blocks[1].scale_bits == 0xff);
    CHECK(std::isnan(r.blocks[1].elements[1].dequantized));
  }
}

TEST_CASE("blocks: e8m0 limits clamp at 2^-127 and give NaN beyond 2^127") {
  QuantizeReport tiny = run("mxfp8-e4m3", {0x1p-149}, ScaleRule::Ocp, 1);
  CHECK(tiny.blocks[0].scale_bits == 0);
  CHECK(tiny.blocks[0].scale_clamped);
  CHECK(tiny.blocks[0].elements[0].flushed);
  QuantizeReport top = run("mxint8", {0x1.8p127}, ScaleRule::Ocp, 1);
  CHECK(top.blocks[0].scale_bits == 254);
  CHECK(top.blocks[0].elements[0].dequantized == 0x1.8p127);
  QuantizeReport huge = run("mxfp4", {1e300}, ScaleRule::Ocp, 1);
  CHECK(huge.blocks[0].non_finite);
}

TEST_CASE("nvfp4: s_enc = 6*448/amax; block scale 63/6 = 10.5 ties to the even E4M3 value 10") {
  std::vector<double> xs(32, 1.0);
  xs[0] = 2688;
  xs[16] = 63;
  QuantizeReport r = run("nvfp4", xs);
  CHECK(r.tensor_scale == 1.0f);
  CHECK(r.blocks[0].scale == 448);
  CHECK(r.blocks[1].scale == 10);
  CHECK(r.blocks[0].elements[0].bits == 0x7);  // 2688 -> 6 * 448
  CHECK(r.blocks[0].elements[0].dequantized == 2688);
}

TEST_CASE("blocks: a short last block needs pad; bad block sizes are refused") {
  BlockFormat f;
  std::string error;
  REQUIRE(parse_block_format("mxfp4", &f, &error));
  QuantizeOptions opt;
  opt.block = 4;
  QuantizeReport r;
  CHECK_FALSE(quantize_blocks(f, {1, 2, 3}, opt, &r, &error));
  CHECK(error.find("not a multiple of the block size 4") != std::string::npos);
  opt.pad = true;
  REQUIRE(quantize_blocks(f, {1, 2, 3, 4, 5}, opt, &r, &error));
  CHECK(r.blocks.size() == 2);
  CHECK(r.blocks[1].elements.size() == 1);
  opt.block = -1;
  CHECK_FALSE(quantize_blocks(f, {1}, opt, &r, &error));
  CHECK_FALSE(parse_block_format("mxfp5", &f, &error));
}

TEST_CASE("mxint8 never produces -128/64; stochastic rounding is reproducible per element index") {
  QuantizeReport r = run("mxint8", {-1.999}, ScaleRule::Ocp, 1);
  CHECK(r.blocks[0].elements[0].bits == 0x81);
  CHECK(r.blocks[0].elements[0].clipped);
  BlockFormat f;
  std::string error;
  REQUIRE(parse_block_format("mxfp4", &f, &error));
  QuantizeOptions opt;
  opt.rounding.mode = RoundingMode::Stochastic;
  opt.rounding.seed = 3;
  std::vector<double> xs(32);
  for (size_t i = 0; i < xs.size(); ++i) xs[i] = 0.3 + 0.01 * static_cast<double>(i);
  QuantizeReport a, b;
  REQUIRE(quantize_blocks(f, xs, opt, &a, &error));
  REQUIRE(quantize_blocks(f, xs, opt, &b, &error));
  int differ_from_rne = 0;
  QuantizeReport rne = run("mxfp4", xs);
  for (size_t i = 0; i < xs.size(); ++i) {
    CHECK(a.blocks[0].elements[i].bits == b.blocks[0].elements[i].bits);
    differ_from_rne += a.blocks[0].elements[i].bits != rne.blocks[0].elements[i].bits;
  }
  CHECK(differ_from_rne > 0);  // the draws are used
}

TEST_CASE("dequantize_blocks of quantize_blocks' codes gives each element's dequantized value exactly") {
  std::vector<double> xs(48);
  for (size_t i = 0; i < xs.size(); ++i) {
    xs[i] = std::sin(static_cast<double>(i) * 1.7) * std::ldexp(1.0, static_cast<int>(i % 23) - 11);
  }
  xs[17] = NAN;  // its block is all NaN, in codes and values
  for (const char* name :
       {"mxfp4", "mxfp6-e2m3", "mxfp6-e3m2", "mxfp8-e4m3", "mxfp8-e5m2", "mxint8", "nvfp4"}) {
    INFO(name);
    const QuantizeReport r = run(name, xs, ScaleRule::Ocp, 8);
    std::vector<uint8_t> scales, elements;
    std::vector<double> expected;
    for (const QuantizedBlock& b : r.blocks) {
      scales.push_back(static_cast<uint8_t>(b.scale_bits));
      for (const QuantizedElement& e : b.elements) {
        elements.push_back(static_cast<uint8_t>(e.bits));
        expected.push_back(e.dequantized);
      }
    }
    std::vector<double> back;
    std::string error;
    const float* ts = r.format.tensor_scale ? &r.tensor_scale : nullptr;
    REQUIRE(dequantize_blocks(r.format, 8, scales.data(), scales.size(), elements.data(), elements.size(), ts,
                              &back, &error));
    REQUIRE(back.size() == expected.size());
    for (size_t i = 0; i < back.size(); ++i) {
      INFO(i);
      if (std::isnan(expected[i])) {
        CHECK(std::isnan(back[i]));
      } else {
        CHECK(back[i] == expected[i]);
        CHECK(std::signbit(back[i]) == std::signbit(expected[i]));
      }
    }
  }
}

TEST_CASE("dequantize_blocks refuses mismatched lengths, foreign codes and a wrong tensor scale") {
  BlockFormat mx, nv;
  std::string error;
  REQUIRE(parse_block_format("mxfp4", &mx, &error));
  REQUIRE(parse_block_format("nvfp4", &nv, &error));
  const uint8_t scales[2] = {127, 127};
  const uint8_t elements[3] = {1, 2, 16};
  std::vector<double> out;
  const float one = 1;
  CHECK_FALSE(dequantize_blocks(mx, 2, scales, 1, elements, 3, nullptr, &out, &error));
  CHECK(error == "3 elements in blocks of 2 need 2 scales; got 1");
  CHECK_FALSE(dequantize_blocks(mx, 2, scales, 2, elements, 3, nullptr, &out, &error));
  CHECK(error == "element code 0x10 at index 2 is not a fp4-e2m1 code (0 to 15)");
  CHECK_FALSE(dequantize_blocks(mx, 2, scales, 1, elements, 2, &one, &out, &error));
  CHECK(error == "mxfp4 has no tensor scale (only nvfp4 has one)");
  CHECK_FALSE(dequantize_blocks(nv, 2, scales, 1, elements, 2, nullptr, &out, &error));
  CHECK(error == "nvfp4 needs its per-tensor fp32 scale (s_enc)");
  CHECK_FALSE(dequantize_blocks(mx, 0x20000, scales, 1, elements, 2, nullptr, &out, &error));
  CHECK(error == "block size must be between 1 and 65536; got 131072");
  CHECK(dequantize_blocks(mx, 2, scales, 1, elements, 2, nullptr, &out, &error));
  CHECK(out == std::vector<double>{0.5, 1});
}
