// The trainer's matrix products as a benchmark, shared by bench_train
// (natively) and bench/wasm/bench_wasm.cpp (the Chromium page): the five
// products of one training step of the digits MLP (64-32-10, batch 32):
// forward 32x32x64 and 32x10x32, weight gradients 10x32x32 + the bias
// column 10x1x32 and 32x64x32, the input gradient 32x32x10 (m x n x k),
// with operands drawn from a fixed seed and rounded into the input format.
// Three paths over the same operands, each giving a digest of the bits:
//   simd     kernels::gemm_lanes with the best dot impl (AVX2 / SIMD128)
//   scalar   kernels::gemm_lanes' scalar reference (one-dot kernels per output)
//   per-dot  the trainer's path before the GEMM: dot_with_kernels per output
//            (a specials scan per dot product), best impl
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dot.h"
#include "core/rounding.h"
#include "kernels/dot.h"
#include "kernels/gemm.h"

namespace bench {

struct GemmStep {
  mantissa::Format in = mantissa::fp32();
  struct Product {
    mantissa::kernels::GemmShape shape;
    std::vector<float> a, b;
    std::vector<uint32_t> c;  // the forward products' bias column; empty: +0
  };
  std::vector<Product> products;
  mantissa::kernels::GemmScratch scratch;
  std::vector<uint32_t> out;
  std::vector<uint8_t> done;
};

inline GemmStep make_gemm_step(const mantissa::Format& in, uint64_t seed) {
  GemmStep s;
  s.in = in;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal(0.0, 0.5);
  auto value = [&] {
    return static_cast<float>(mantissa::to_double(in, mantissa::round_double(in, normal(rng)).bits));
  };
  const size_t shapes[][4] = {{32, 32, 64, 1}, {32, 10, 32, 1}, {10, 32, 32, 0}, {10, 1, 32, 0}, {32, 64, 32, 0},
                              {32, 32, 10, 0}};
  for (const auto& sh : shapes) {
    GemmStep::Product p;
    p.shape = {sh[0], sh[1], sh[2]};
    for (size_t i = 0; i < sh[0] * sh[2]; ++i) p.a.push_back(value());
    for (size_t i = 0; i < sh[1] * sh[2]; ++i) p.b.push_back(value());
    for (size_t j = 0; sh[3] && j < sh[1]; ++j) {
      const float c = static_cast<float>(normal(rng));
      uint32_t u;
      std::memcpy(&u, &c, sizeof u);
      p.c.push_back(u);
    }
    s.products.push_back(std::move(p));
  }
  return s;
}

// The step's products `reps` times through `path`; the digest of the last
// repetition's bits ("" when the accumulator is not one the lanes cover).
inline std::string run_gemm_step(GemmStep& s, const std::string& acc_name, const std::string& path, int reps) {
  namespace kn = mantissa::kernels;
  mantissa::Accumulator acc;
  std::string error;
  kn::DotLanesModel model;
  if (!mantissa::parse_accumulator(acc_name, s.in, &acc, &error) || !kn::dot_lanes_model_of(acc, s.in, &model))
    return "";
  const kn::DotImpl best = kn::best_dot_impl();
  uint64_t h = 1469598103934665603ull;
  for (int r = 0; r < reps; ++r) {
    h = 1469598103934665603ull;
    for (GemmStep::Product& p : s.products) {
      const kn::GemmShape& g = p.shape;
      s.out.resize(g.m * g.n);
      s.done.resize(g.m * g.n);
      const uint32_t* c = p.c.empty() ? nullptr : p.c.data();
      if (path == "per-dot") {
        for (size_t i = 0; i < g.m; ++i) {
          for (size_t j = 0; j < g.n; ++j) {
            uint64_t bits = 0;
            const bool ok = kn::dot_with_kernels(acc, s.in, &p.a[i * g.k], &p.b[j * g.k], g.k, c ? c[j] : 0, best, &bits);
            s.out[i * g.n + j] = static_cast<uint32_t>(bits);
            s.done[i * g.n + j] = ok;
          }
        }
      } else {
        kn::gemm_lanes(model, p.a.data(), p.b.data(), g, c, path == "simd" ? best : kn::DotImpl::Scalar,
                       s.out.data(), s.done.data(), &s.scratch);
      }
      for (size_t o = 0; o < s.out.size(); ++o) h = (h ^ (s.done[o] ? s.out[o] : 0xffffffffffull)) * 1099511628211ull;
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// The models the benchmarks time: the recipes' seq:fp32 on fp32 inputs (fp32)
// and fp16 inputs (fp16-amp), and the tensor-core model the tc custom recipe uses.
struct GemmCase {
  const char* label;
  mantissa::Format in;
  const char* acc;
};
inline std::vector<GemmCase> gemm_cases() {
  return {{"seq:fp32 fp32", mantissa::fp32(), "seq:fp32"},
          {"seq:fp32 fp16", mantissa::fp16(), "seq:fp32"},
          {"tc:h100 fp16", mantissa::fp16(), "tc:h100"}};
}

}  // namespace bench
