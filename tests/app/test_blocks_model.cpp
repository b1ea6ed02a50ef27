// The Blocks tab's model: generated values, the outlier drag, and every
// figure checked against an independent oracle (the FP4 grid by brute force,
// numpy-free fp16 through the compiler's _Float16 where it exists).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "app/blocks_model.h"

using namespace mantissa;
using namespace mantissa::app;

namespace {

// FP4 E2M1's non-negative values by code (OCP MX v1.0, section 5.3.3).
constexpr double kFp4[8] = {0, 0.5, 1, 1.5, 2, 3, 4, 6};

// The code nearest |x| / scale, ties to the even code, clamped at 6.
int fp4_nearest(double x, double scale) {
  const double a = std::fabs(x) / scale;
  int best = 0;
  for (int c = 1; c < 8; ++c) {
    const double d = std::fabs(kFp4[c] - a), db = std::fabs(kFp4[best] - a);
    if (d < db || (d == db && c % 2 == 0)) best = c;
  }
  return best;
}

}  // namespace

TEST_CASE("generated values: fp32, seeded, one outlier x100 that the model picks", "[blocks]") {
  BlocksScenario s;  // outlier, 32 values, seed 1
  std::vector<double> a, b;
  std::string error;
  REQUIRE(blocks_base_values(s, &a, &error));
  REQUIRE(blocks_base_values(s, &b, &error));
  REQUIRE(a.size() == 32);
  CHECK(a == b);
  for (double v : a) CHECK(static_cast<double>(static_cast<float>(v)) == v);
  s.gen = "normal";
  std::vector<double> normal;
  REQUIRE(blocks_base_values(s, &normal, &error));
  int differing = 0, at = -1;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != normal[i]) ++differing, at = static_cast<int>(i);
  }
  REQUIRE(differing == 1);
  CHECK(a[at] == static_cast<float>(normal[at] * 100));
  s.gen = "outlier";
  BlocksModel m;
  REQUIRE(compute_blocks(s, &m, &error));
  CHECK(m.outlier_index == at);

  s.gen = "uniform";
  s.count = 64;
  REQUIRE(blocks_base_values(s, &a, &error));
  REQUIRE(a.size() == 64);
  for (double v : a) CHECK((v >= -1 && v < 1));
}

TEST_CASE("mxfp4 ocp: scale and every element against the FP4 grid by brute force", "[blocks]") {
  BlocksScenario s;
  s.values = "0.1, -0.26, 0.74, 1.3, -2.9, 5.5, 0.013, 7.9";  // amax 7.9: scale 2^(2-2) = 1
  BlocksModel m;
  std::string error;
  REQUIRE(compute_blocks(s, &m, &error));
  REQUIRE(m.report.blocks.size() == 1);
  const QuantizedBlock& b = m.report.blocks[0];
  CHECK(b.scale == 1.0);
  CHECK(b.scale_bits == 127);
  int clipped = 0, flushed = 0;
  for (size_t i = 0; i < m.values.size(); ++i) {
    const int code = fp4_nearest(m.values[i], b.scale);
    const double expect = std::copysign(kFp4[code], m.values[i]) * b.scale;
    INFO(i << ": " << m.values[i]);
    CHECK(b.elements[i].dequantized == expect);
    CHECK(b.elements[i].clipped == (std::fabs(m.values[i]) / b.scale > 6));
    clipped += b.elements[i].clipped;
    flushed += expect == 0;
  }
  CHECK(clipped == 1);  // 7.9 clips to 6: the ocp rule's clipped maximum
  CHECK(flushed == 2);  // 0.1 and 0.013 flush to zero
  CHECK(m.report.clipped == 1);
  CHECK(m.report.flushed == 2);

  s.rule = "ceil";  // smallest 2^k with 7.9 / 2^k <= 6: k = 1, no clip
  REQUIRE(compute_blocks(s, &m, &error));
  CHECK(m.report.blocks[0].scale == 2.0);
  CHECK(m.report.clipped == 0);
}

TEST_CASE("dragging the outlier replaces the largest value and moves the scale", "[blocks]") {
  BlocksScenario s;
  s.values = "1, 2, -3, 0.5";
  BlocksModel m;
  std::string error;
  REQUIRE(compute_blocks(s, &m, &error));
  CHECK(m.outlier_index == 2);
  CHECK(m.report.blocks[0].scale_exp == 1 - 2);  // floor(log2 3) - emax(fp4)
  s.outlier = "-300";
  REQUIRE(compute_blocks(s, &m, &error));
  CHECK(m.values[2] == -300);
  CHECK(m.report.blocks[0].scale_exp == 8 - 2);
  CHECK(m.report.flushed == 3);  // 1, 2 and 0.5 are below half of 2^6 * 0.5
  s.outlier = "abc";
  CHECK_FALSE(compute_blocks(s, &m, &error));
  CHECK(error.find("outlier") != std::string::npos);
}

TEST_CASE("nvfp4 and a short last block, as the CLI's --pad zero", "[blocks]") {
  BlocksScenario s;
  s.format = "nvfp4";
  s.rule = "ceil";  // ignored: nvfp4's rule is its own
  s.count = 20;
  BlocksModel m;
  std::string error;
  REQUIRE(compute_blocks(s, &m, &error));
  REQUIRE(m.report.blocks.size() == 2);
  CHECK(m.report.blocks[1].elements.size() == 4);
  CHECK(m.report.format.tensor_scale);
}

TEST_CASE("plain comparisons: fp16 SQNR from the compiler's own fp16", "[blocks]") {
  BlocksScenario s;
  s.gen = "normal";
  s.count = 64;
  BlocksModel m;
  std::string error;
  REQUIRE(compute_blocks(s, &m, &error));
  REQUIRE(m.plain.size() == 3);
  CHECK(m.plain[0].format == "fp8-e4m3");
  CHECK(m.plain[1].format == "fp16");
  CHECK(m.plain[2].format == "bf16");
#if defined(__x86_64__) && defined(__FLT16_MAX__)
  double signal = 0, noise = 0;
  for (double v : m.values) {
    const double q =
        static_cast<double>(static_cast<_Float16>(static_cast<float>(v)));  // v is fp32: one rounding
    signal += v * v;
    noise += (q - v) * (q - v);
  }
  CHECK(m.plain[1].sqnr_db() == Approx(10 * std::log10(signal / noise)).epsilon(1e-12));
#endif
  // A 4-bit block loses more than 8-bit fp8 on the same values.
  CHECK(m.report.sqnr_db < m.plain[0].sqnr_db());
}

TEST_CASE("bad inputs: too many values, not numbers; the cached model keeps the last good one", "[blocks]") {
  BlocksScenario s;
  std::string error;
  const BlocksModel& good = blocks_model(s, &error);
  CHECK(error.empty());
  const size_t n = good.values.size();
  std::string many;
  for (int i = 0; i < 65; ++i) many += (i ? "," : "") + std::to_string(i);
  s.values = many;
  const BlocksModel& same = blocks_model(s, &error);
  CHECK(error.find("64") != std::string::npos);
  CHECK(same.values.size() == n);
  s.values = "1, x";
  blocks_model(s, &error);
  CHECK(error.find("not a number") != std::string::npos);
  s.values = "";
  s.count = 0;
  blocks_model(s, &error);
  CHECK_FALSE(error.empty());
}
