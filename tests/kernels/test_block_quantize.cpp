// Block quantization kernels (kernels/block_quantize.h) against the core's
// quantize_blocks, the reference: scales, element codes and dequantized
// values (rounded once to fp32) bit for bit, for every MX format under both
// scale rules and NVFP4, on random blocks and on blocks built at the rules'
// edges; the lane kernels, the scalar path and every kernel path this
// machine can force. Dequantization too, against core dequantize_blocks.
#include <catch2/catch.hpp>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/block_format.h"
#include "core/rounding.h"
#include "kernels/block_quantize.h"
#include "kernels/convert.h"

using mantissa::BlockFormat;
using mantissa::QuantizeOptions;
using mantissa::ScaleRule;
using mantissa::kernels::BlockImpl;
using mantissa::kernels::BlockKernelSpec;

namespace {

uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

struct Codes {
  std::vector<uint8_t> scales, elements;
  std::vector<uint32_t> dequantized;  // fp32 bits (NaN compared by bits too)
  uint32_t tensor_scale = 0, tensor_decode = 0;
};

// The reference: core quantize_blocks on the same values (as doubles).
Codes core_codes(const BlockFormat& f, const QuantizeOptions& opt, const std::vector<float>& in) {
  QuantizeOptions o = opt;
  o.pad = true;
  mantissa::QuantizeReport report;
  std::string error;
  const std::vector<double> values(in.begin(), in.end());
  REQUIRE(mantissa::quantize_blocks(f, values, o, &report, &error));
  Codes c;
  for (const mantissa::QuantizedBlock& b : report.blocks) {
    c.scales.push_back(static_cast<uint8_t>(b.scale_bits));
    for (const mantissa::QuantizedElement& e : b.elements) {
      c.elements.push_back(static_cast<uint8_t>(e.bits));
      c.dequantized.push_back(bits_of(static_cast<float>(e.dequantized)));
    }
  }
  c.tensor_scale = bits_of(report.tensor_scale);
  c.tensor_decode = bits_of(report.tensor_decode);
  return c;
}

Codes kernel_codes(const BlockKernelSpec& spec, const std::vector<float>& in, BlockImpl impl) {
  const size_t n = in.size();
  Codes c;
  c.scales.assign((n + spec.block - 1) / spec.block, 0xaa);
  c.elements.assign(n, 0xaa);
  std::vector<float> deq(n);
  const mantissa::kernels::BlockQuantized q = mantissa::kernels::quantize_blocks_f32(
      spec, in.data(), n, c.scales.data(), c.elements.data(), deq.data(), impl);
  for (float x : deq) c.dequantized.push_back(bits_of(x));
  c.tensor_scale = bits_of(q.tensor_scale);
  c.tensor_decode = bits_of(q.tensor_decode);
  // Without the dequantized output the codes are the same.
  std::vector<uint8_t> scales2(c.scales.size()), elements2(n);
  mantissa::kernels::quantize_blocks_f32(spec, in.data(), n, scales2.data(), elements2.data(), nullptr, impl);
  CHECK(scales2 == c.scales);
  CHECK(elements2 == c.elements);
  return c;
}

// The first index where two code sets differ, described, or "".
std::string first_difference(const Codes& got, const Codes& want, const std::vector<float>& in,
                             size_t block) {
  char text[200];
  for (size_t b = 0; b < want.scales.size(); ++b) {
    if (got.scales[b] != want.scales[b]) {
      std::snprintf(text, sizeof text, "scale of block %zu: 0x%02x, core 0x%02x", b, got.scales[b],
                    want.scales[b]);
      return text;
    }
  }
  for (size_t i = 0; i < want.elements.size(); ++i) {
    if (got.elements[i] != want.elements[i] || got.dequantized[i] != want.dequantized[i]) {
      std::snprintf(text, sizeof text,
                    "element %zu (block %zu) of %a: code 0x%02x value 0x%08x, core 0x%02x 0x%08x", i,
                    i / block, static_cast<double>(in[i]), got.elements[i], got.dequantized[i],
                    want.elements[i], want.dequantized[i]);
      return text;
    }
  }
  if (got.tensor_scale != want.tensor_scale || got.tensor_decode != want.tensor_decode) return "tensor scale";
  return "";
}

struct Case {
  BlockFormat format;
  QuantizeOptions options;
  std::string label;
};

// Every format, MX under ocp and ceil, at its own block size.
std::vector<Case> every_case() {
  std::vector<Case> cases;
  for (const BlockFormat& f : mantissa::block_formats()) {
    for (ScaleRule rule : {ScaleRule::Ocp, ScaleRule::Ceil}) {
      if (f.tensor_scale && rule == ScaleRule::Ceil) continue;
      Case c{f, {}, f.name};
      c.options.rule = rule;
      if (!f.tensor_scale) c.label += std::string(" ") + mantissa::scale_rule_name(rule);
      cases.push_back(c);
    }
  }
  return cases;
}

// Kernel (lanes and scalar) and core agree on `in`; dequantizing the codes
// gives the same values back.
void check_agrees(const Case& c, const std::vector<float>& in, int block = 0) {
  QuantizeOptions opt = c.options;
  opt.block = block;
  BlockKernelSpec spec;
  REQUIRE(mantissa::kernels::block_kernel_spec(c.format, opt, &spec));
  INFO(c.label << ", block " << spec.block << ", " << in.size() << " values, path "
               << mantissa::kernels::block_kernel_path(spec));
  const Codes want = core_codes(c.format, opt, in);
  for (BlockImpl impl : {BlockImpl::Best, BlockImpl::Scalar}) {
    const Codes got = kernel_codes(spec, in, impl);
    INFO((impl == BlockImpl::Best ? "best" : "scalar"));
    CHECK(first_difference(got, want, in, spec.block) == "");
  }
  // Dequantize: both paths give what quantize gave, and what the core gives.
  std::vector<double> core_values;
  std::string error;
  float ts;
  std::memcpy(&ts, &want.tensor_scale, 4);
  REQUIRE(mantissa::dequantize_blocks(c.format, static_cast<int>(spec.block), want.scales.data(),
                                      want.scales.size(), want.elements.data(), want.elements.size(),
                                      c.format.tensor_scale ? &ts : nullptr, &core_values, &error));
  float td;
  std::memcpy(&td, &want.tensor_decode, 4);
  for (BlockImpl impl : {BlockImpl::Best, BlockImpl::Scalar}) {
    std::vector<float> out(in.size());
    mantissa::kernels::dequantize_blocks_f32(spec, want.scales.data(), want.elements.data(), in.size(), td,
                                             out.data(), impl);
    size_t bad = 0;
    for (size_t i = 0; i < in.size(); ++i) {
      bad += bits_of(out[i]) != want.dequantized[i] ||
             bits_of(out[i]) != bits_of(static_cast<float>(core_values[i]));
    }
    CHECK(bad == 0);
  }
}

// Blocks of `block` values: mostly normal noise with a per-block magnitude
// from fp32's whole range, some with outliers, some sparse, some tiny.
std::vector<float> random_blocks(std::mt19937& rng, size_t blocks, size_t block) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-150, 127), kind(0, 5), pick(0, 1 << 20);
  std::vector<float> v;
  for (size_t b = 0; b < blocks; ++b) {
    const int e = exponent(rng);
    const int k = kind(rng);
    for (size_t i = 0; i < block; ++i) {
      float x = std::ldexp(normal(rng), k == 5 ? std::min(e, -120) : std::min(e, 125));
      if (k == 1 && i == 0) x *= 100;           // one outlier
      if (k == 2 && pick(rng) % 3 == 0) x = 0;  // sparse
      if (k == 3)
        x = std::ldexp(static_cast<float>(pick(rng) % 17 - 8), e / 2);  // small integers: exact grid points
      if (k == 4 && pick(rng) % 8 == 0)
        x = std::ldexp(x, -(pick(rng) % 40));  // wide spread: subnormal elements
      v.push_back(x);
    }
  }
  return v;
}

// Blocks at the rules' edges for element format `f`.
std::vector<float> adversarial_blocks(const BlockFormat& f, size_t block) {
  std::vector<float> v;
  auto add_block = [&](std::vector<float> b) {
    b.resize(block, 0.0f);
    v.insert(v.end(), b.begin(), b.end());
  };
  const double max_elem = mantissa::max_element(f.element);
  const int emax = f.element.emax();
  // Every element value, and every midpoint between neighbours, in a block
  // whose amax is 2^emax at scale 2^k: exact ties for the element rounding.
  std::vector<double> grid;
  const uint64_t codes = f.element.width_mask() + 1;
  for (uint64_t c = 0; c < codes; ++c) {
    const double x = mantissa::to_double(f.element, c);
    if (std::isfinite(x) && x >= 0 && !(c & f.element.sign_mask() && f.element.is_float())) grid.push_back(x);
  }
  std::sort(grid.begin(), grid.end());
  grid.erase(std::unique(grid.begin(), grid.end()), grid.end());
  for (int k : {-127, -100, -3, 0, 5, 100}) {
    std::vector<float> b;
    auto push = [&](double x) {
      b.push_back(static_cast<float>(std::ldexp(x, k)));
      if (b.size() == block) {
        b.insert(b.begin(), static_cast<float>(std::ldexp(1.0, emax + k)));  // keeps amax = 2^(emax+k)
        b.resize(block);
        add_block(b);
        b.clear();
      }
    };
    for (size_t i = 0; i < grid.size(); ++i) {
      push(grid[i]);
      push(-grid[i]);
      if (i + 1 < grid.size()) {
        push((grid[i] + grid[i + 1]) / 2);
        push(-(grid[i] + grid[i + 1]) / 2);
      }
    }
    if (!b.empty()) {
      b.insert(b.begin(), static_cast<float>(std::ldexp(1.0, emax + k)));
      add_block(b);
    }
  }
  for (int e : {-149, -140, -127, -126, -100, -1, 0, 1, 50, 126, 127}) {
    const float p = std::ldexp(1.0f, e);
    add_block({p, p / 3, -p / 5, p / 1024});  // amax exactly a power of two
    if (e > -149) {
      add_block({std::nextafter(2 * p, 0.0f), p, -p / 7});  // just below the next one (ocp clip)
      add_block({-std::nextafter(2 * p, 0.0f), static_cast<float>(max_elem / 2 * p)});
    }
    add_block({static_cast<float>(std::min<double>(max_elem * p, FLT_MAX)),
               static_cast<float>(max_elem * p / 2 + p / 64)});
  }
  add_block({});                             // all zeros
  add_block({-0.0f, 0.0f, -0.0f});           // signed zeros
  add_block({FLT_MAX, -FLT_MAX, 1.0f});      // amax at the top of fp32 (and E8M0)
  add_block({FLT_TRUE_MIN, -FLT_TRUE_MIN});  // at the bottom: the scale clamps to 2^-127
  add_block({1.0f, NAN, 2.0f});              // a NaN in a block
  add_block({1.0f, -INFINITY});              // an infinity
  add_block({INFINITY, -INFINITY, NAN});
  add_block({1e-30f, 3.0f, 1e-30f, -1e-42f});  // elements that flush to zero
  return v;
}

}  // namespace

TEST_CASE("block quantize kernels equal the core on random blocks of every format and rule",
          "[block_quantize]") {
  std::mt19937 rng(20261201);
  for (const Case& c : every_case()) {
    const std::vector<float> in = random_blocks(rng, 96, static_cast<size_t>(c.format.block));
    check_agrees(c, in);
  }
}

TEST_CASE("block quantize kernels equal the core on blocks at the rules' edges", "[block_quantize]") {
  for (const Case& c : every_case()) {
    std::vector<float> in = adversarial_blocks(c.format, static_cast<size_t>(c.format.block));
    // The same blocks again with a NaN-free tensor: NVFP4's tensor scale
    // otherwise follows the largest finite value of the whole set.
    check_agrees(c, in);
    std::vector<float> tail(in.end() - 3 * c.format.block - 5, in.end());  // a short last block
    check_agrees(c, tail);
  }
}

TEST_CASE("block quantize kernels: other block sizes, short last blocks, and sizes the lanes do not take",
          "[block_quantize]") {
  std::mt19937 rng(7);
  for (const Case& c : every_case()) {
    for (int block : {1, 3, 4, 8, 16, 48, 64, 100, 256, 4096}) {
      std::vector<float> in = random_blocks(rng, block > 256 ? 3 : 20, static_cast<size_t>(block));
      in.resize(in.size() - static_cast<size_t>(block / 2));  // short last block
      if (in.empty()) in.push_back(1.5f);
      check_agrees(c, in, block);
    }
  }
}

TEST_CASE("nvfp4: a product that rounds in fp32 onto an E2M1 midpoint is still rounded once",
          "[block_quantize]") {
  // One block of 16 with amax A fixes the encode scale e (the published
  // formula); values x with fp32(x * e) exactly a midpoint of E2M1 while
  // x * e is not (the double product) are the inputs the lanes must redo.
  const BlockFormat f = [] {
    BlockFormat b;
    std::string error;
    REQUIRE(mantissa::parse_block_format("nvfp4", &b, &error));
    return b;
  }();
  std::vector<float> in;
  size_t found = 0;
  for (float amax : {6.0f, 5.9f, 1.7f, 1000.0f, 3e-5f}) {
    const float s_enc = 6.0f * 448.0f / amax, s_dec = 1.0f / s_enc;
    mantissa::RoundingOptions sat;
    sat.saturate = true;
    const double scale = mantissa::to_double(
        mantissa::fp8_e4m3(), mantissa::round_double(mantissa::fp8_e4m3(), amax / 6.0f * s_enc, sat).bits);
    const float e = 1.0f / (static_cast<float>(scale) * s_dec);
    std::vector<float> block = {amax};
    for (double m : {0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5.0}) {
      float x = static_cast<float>(m / e);
      for (int step = -4; step <= 4; ++step, x = std::nextafter(x, INFINITY)) {
        if (step == -4) {
          for (int s = 0; s < 4; ++s) x = std::nextafter(x, 0.0f);
        }
        const float p = x * e;
        if (p == static_cast<float>(m) && static_cast<double>(x) * e != m && block.size() < 16) {
          block.push_back(x);
          block.push_back(-x);
          found += 2;
        }
      }
    }
    block.resize(16, amax / 7);
    in.insert(in.end(), block.begin(), block.end());
  }
  INFO(found << " inexact ties found");
  CHECK(found > 0);
  // Every block holds its own amax; the tensor's is the largest (1000).
  check_agrees(Case{f, {}, "nvfp4 ties"}, in);
}

TEST_CASE("block quantize: every kernel path this CPU runs, forced, gives the core's codes",
          "[block_quantize]") {
  std::mt19937 rng(99);
  for (const std::string& path : mantissa::kernels::kernel_path_names(true)) {
    REQUIRE(mantissa::kernels::force_kernel_path(path) == "");
    for (const Case& c : every_case()) {
      std::vector<float> in = random_blocks(rng, 16, static_cast<size_t>(c.format.block));
      const std::vector<float> edges = adversarial_blocks(c.format, static_cast<size_t>(c.format.block));
      in.insert(in.end(), edges.begin(), edges.begin() + std::min<size_t>(edges.size(), 40 * c.format.block));
      BlockKernelSpec spec;
      REQUIRE(mantissa::kernels::block_kernel_spec(c.format, c.options, &spec));
      const std::string ran = mantissa::kernels::block_kernel_path(spec);
      INFO("forced " << path << ", ran " << ran);
      // A path caps the kernels: scalar (and SSE2, which has no block
      // kernel) run the reference; the wider ones run the lanes.
      CHECK((ran == "scalar") == (path == "scalar" || path == "sse2"));
      check_agrees(c, in);
    }
  }
  mantissa::kernels::force_kernel_path("");
}

TEST_CASE("block quantize kernels leave non-RNE rounding to the core", "[block_quantize]") {
  BlockFormat f;
  std::string error;
  REQUIRE(mantissa::parse_block_format("mxfp8-e4m3", &f, &error));
  QuantizeOptions opt;
  BlockKernelSpec spec;
  CHECK(mantissa::kernels::block_kernel_spec(f, opt, &spec));
  opt.rounding.mode = mantissa::RoundingMode::Stochastic;
  CHECK_FALSE(mantissa::kernels::block_kernel_spec(f, opt, &spec));
  opt.rounding.mode = mantissa::RoundingMode::NearestEven;
  opt.rounding.ftz = true;
  CHECK_FALSE(mantissa::kernels::block_kernel_spec(f, opt, &spec));
}
