// The in-browser benchmark's wasm side: build/web/bench/bench_wasm.mjs
// (a separate Embind module, so the public JS API in mantissa.mjs stays as it
// is). Used by web/bench/bench.js, driven by scripts/bench in headless
// Chromium. Timing happens in JavaScript (performance.now) around each call,
// so the same clock times the wasm kernels and `new Float16Array(...)`.
//
// Pointers cross as numbers (offsets into the module's memory); the page
// fills inputs through HEAPF32 and reads outputs through HEAPU16.
#include <emscripten/bind.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/block_format.h"
#include "core/dot.h"
#include "kernels/accumulate.h"
#include "kernels/block_quantize.h"
#include "kernels/convert.h"
#include "kernels/dot.h"
#include "sim/gemm_error.h"
#include "sim/random.h"
#include "train/network.h"
#include "../gemm_bench.h"

namespace {

using namespace mantissa::kernels;

uintptr_t bench_alloc(uint32_t bytes) {
  return reinterpret_cast<uintptr_t>(std::aligned_alloc(16, (bytes + 15u) & ~15u));
}
void bench_free(uintptr_t p) { std::free(reinterpret_cast<void*>(p)); }

// fp32 -> fp16, RNE, no saturation. impl: "scalar" (the core per element) or "simd" (SIMD128).
void fp32_to_fp16_bench(uintptr_t in, uintptr_t out, uint32_t n, const std::string& impl) {
  fp32_to_fp16(reinterpret_cast<const float*>(in), reinterpret_cast<uint16_t*>(out), n, false,
               impl == "simd" ? Impl::Simd : Impl::Scalar);
}

// fp32 -> bf16, RNE, no saturation; impl as above.
void fp32_to_bf16_bench(uintptr_t in, uintptr_t out, uint32_t n, const std::string& impl) {
  fp32_to_bf16(reinterpret_cast<const float*>(in), reinterpret_cast<uint16_t*>(out), n, false,
               impl == "simd" ? Impl::Simd : Impl::Scalar);
}

std::string simd_impl_name() { return simd_isa(); }

// Block quantization, RNE, codes only (scales: one byte per block, elements:
// one per value). format: a block format name ("mxfp8-e4m3", "mxfp4",
// "nvfp4", ...); impl: "scalar" (the kernel's reference: the core's rounding
// per element) or "simd" (the SIMD128 lanes). Returns the path that ran, or
// "!" and why.
std::string quantize_blocks_bench(uintptr_t in, uintptr_t scales, uintptr_t elements, uint32_t n,
                                  const std::string& format, const std::string& impl) {
  mantissa::BlockFormat f;
  std::string error;
  if (!mantissa::parse_block_format(format, &f, &error)) return "!" + error;
  BlockKernelSpec spec;
  block_kernel_spec(f, mantissa::QuantizeOptions{}, &spec);
  const BlockImpl which = impl == "simd" ? BlockImpl::Best : BlockImpl::Scalar;
  quantize_blocks_f32(spec, reinterpret_cast<const float*>(in), n, reinterpret_cast<uint8_t*>(scales),
                      reinterpret_cast<uint8_t*>(elements), nullptr, which);
  return block_kernel_path(spec, which);
}

// The population benchmark: P weights x S steps, fp16 weights or an fp32
// master, in three stream shapes:
//   broadcast   one increment per step for every weight (the simulator's
//               constant or listed stream; the tutorial's), weights 1.125
//   near-one    an increment per weight, lr * grad with grad ~ normal(0, 1)
//               and lr = 1e-3, stored in fp16, reused every step; weights
//               spread over [1, 2)
//   near-zero   the same increments; weights ~ normal(0, 0.02) in fp16: the
//               fp16 kernel's worst case (updates cross binades, often to
//               the exact path)
// prepare() sets weights and increments; run() is what gets timed;
// checksum() folds weights and lost counts for the bit-identity check.
struct Population {
  std::string shape;
  std::vector<uint16_t> w16;
  std::vector<float> w32;
  std::vector<float> inc;  // one per step (broadcast) or one per weight
  std::vector<uint64_t> lost;
};
Population population;

float fp16_value(double x) {
  float f = static_cast<float>(x);
  uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return fp16_to_fp32(fp32_to_fp16_rne(u));
}

// Returns "" or why the shape is unknown.
std::string population_prepare(uint32_t weights, uint32_t steps, const std::string& shape) {
  using mantissa::sim::random_normal;
  using mantissa::sim::RandomStream;
  Population& p = population;
  if (shape != "broadcast" && shape != "near-one" && shape != "near-zero") return "unknown stream shape " + shape;
  p.shape = shape;
  p.w16.resize(weights);
  p.w32.resize(weights);
  p.lost.assign(steps, 0);
  for (uint32_t i = 0; i < weights; ++i) {
    const float w = shape == "broadcast"  ? 1.125f
                    : shape == "near-one" ? fp16_value(1.0 + (i % 1024) / 1024.0)
                                          : fp16_value(0.02 * random_normal(7, RandomStream::InitialWeight, i));
    uint32_t u;
    std::memcpy(&u, &w, sizeof u);
    p.w16[i] = fp32_to_fp16_rne(u);
    p.w32[i] = w;
  }
  if (shape == "broadcast") {
    p.inc.resize(steps);
    for (uint32_t s = 0; s < steps; ++s) p.inc[s] = 0.000420093536376953125f * static_cast<float>(1 + s % 7);
  } else {
    p.inc.resize(weights);
    for (uint32_t i = 0; i < weights; ++i) p.inc[i] = fp16_value(1e-3 * random_normal(7, RandomStream::Gradient, i));
  }
  return "";
}

AccumulateImpl accumulate_impl_of(const std::string& impl) {
  return impl == "simd" ? best_accumulate_impl() : AccumulateImpl::Scalar;
}

void population_run(const std::string& strategy, const std::string& impl) {
  Population& p = population;
  const AccumulateImpl k = accumulate_impl_of(impl);
  const bool fp16 = strategy == "fp16";
  if (p.shape == "broadcast") {
    if (fp16) {
      accumulate_fp16_steps(p.w16.data(), p.w16.size(), p.inc.data(), p.inc.size(), p.lost.data(), k);
    } else {
      accumulate_fp32_steps(p.w32.data(), p.w32.size(), p.inc.data(), p.inc.size(), p.lost.data(), k);
    }
    return;
  }
  for (uint64_t& lost : p.lost) {
    lost = fp16 ? accumulate_fp16(p.w16.data(), p.inc.data(), p.w16.size(), k)
                : accumulate_fp32(p.w32.data(), p.inc.data(), p.w32.size(), k);
  }
}

// A hex digest of the weights' bits and the lost counts (FNV-1a, 64 bits).
std::string population_checksum(const std::string& strategy) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 1099511628211ull;
    }
  };
  if (strategy == "fp16") {
    for (uint16_t w : population.w16) mix(w);
  } else {
    for (float w : population.w32) {
      uint32_t u;
      std::memcpy(&u, &w, sizeof u);
      mix(u);
    }
  }
  for (uint64_t l : population.lost) mix(l);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string population_simd_name() { return accumulate_impl_name(best_accumulate_impl()); }

// The dot-product benchmark: `trials` trials of K = 4096 as gemm-error draws
// them (--in fp8-e4m3, normal:0:1, seed 1), held in lanes (rows of eight
// trials, what the SIMD lanes read) and one trial after another (what the
// scalar kernel reads). dotRun(acc, "simd") runs the wasm SIMD128 lanes,
// dotRun(acc, "scalar") the scalar kernel one dot product at a time; both
// return a digest of the result bits.
struct DotTrials {
  uint64_t k = 4096, trials = 0;
  mantissa::sim::GemmErrorSpec spec;
  std::vector<std::vector<float>> la, lb;
  std::vector<float> a, b;
};
DotTrials dot_trials;

std::string dot_prepare(uint32_t trials) {
  DotTrials& d = dot_trials;
  d.trials = (std::max<uint32_t>(trials, kDotLanes) / kDotLanes) * kDotLanes;
  d.spec.ks = {d.k};
  d.spec.in = mantissa::fp8_e4m3();
  d.spec.trials = d.trials;
  d.spec.seed = 1;
  const size_t groups = d.trials / kDotLanes;
  d.la.assign(groups, {});
  d.lb.assign(groups, {});
  d.a.assign(d.trials * d.k, 0);
  d.b.assign(d.trials * d.k, 0);
  for (size_t g = 0; g < groups; ++g) {
    mantissa::sim::gemm_error_trial_lanes(d.spec, d.k, g * kDotLanes, kDotLanes, &d.la[g], &d.lb[g]);
    for (size_t l = 0; l < kDotLanes; ++l) {
      for (uint64_t i = 0; i < d.k; ++i) {
        d.a[(g * kDotLanes + l) * d.k + i] = d.la[g][i * kDotLanes + l];
        d.b[(g * kDotLanes + l) * d.k + i] = d.lb[g][i * kDotLanes + l];
      }
    }
  }
  return "";
}

std::string dot_run(const std::string& acc_name, const std::string& impl) {
  const DotTrials& d = dot_trials;
  mantissa::Accumulator acc;
  std::string error;
  if (!mantissa::parse_accumulator(acc_name, d.spec.in, &acc, &error)) return "error: " + error;
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](uint64_t v) { h = (h ^ v) * 1099511628211ull; };
  if (impl == "simd") {
    DotLanesModel m;
    if (!dot_lanes_model_of(acc, d.spec.in, &m)) return "error: not covered by the lanes";
    const uint32_t c[kDotLanes] = {};
    for (size_t g = 0; g < d.la.size(); ++g) {
      uint32_t out[kDotLanes];
      bool done[kDotLanes];
      dot_lanes(m, d.la[g].data(), d.lb[g].data(), d.k, c, best_dot_impl(), out, done);
      for (size_t l = 0; l < kDotLanes; ++l) mix(done[l] ? out[l] : ~uint64_t{0});
    }
  } else {
    for (uint64_t t = 0; t < d.trials; ++t) {
      uint64_t bits = 0;
      mix(dot_with_kernels(acc, d.spec.in, &d.a[t * d.k], &d.b[t * d.k], d.k, 0, DotImpl::Scalar, &bits)
              ? bits
              : ~uint64_t{0});
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string dot_simd_name() { return dot_impl_name(best_dot_impl()); }

// The trainer's matrix products (bench/gemm_bench.h, shared with
// bench_train): gemmPrepare(i) builds case i of gemm_cases() (its label, or
// "" past the last); gemmRun(path, reps) runs its step's products reps times
// through "simd", "scalar" or "per-dot" and returns the bits' digest.
bench::GemmStep gemm_step;
std::string gemm_acc;

std::string gemm_prepare(uint32_t index) {
  const std::vector<bench::GemmCase> cases = bench::gemm_cases();
  if (index >= cases.size()) return "";
  gemm_step = bench::make_gemm_step(cases[index].in, 16);
  gemm_acc = cases[index].acc;
  return cases[index].label;
}

std::string gemm_run(const std::string& path, uint32_t reps) {
  return bench::run_gemm_step(gemm_step, gemm_acc, path, static_cast<int>(reps));
}

// One epoch of the digits (the CLI's defaults) for `recipes` with the dot
// kernel "best" or "scalar": "!" and why, or a digest of every recipe's parameters.
std::string train_epoch(const std::string& recipes, const std::string& kernel) {
  using namespace mantissa::train;
  TrainSpec s;
  std::string error;
  if (!parse_recipe_list(recipes, &s.recipes, &error)) return "!" + error;
  s.dot_impl = kernel == "scalar" ? DotImpl::Scalar : best_dot_impl();
  auto t = Training::create(s, &error);
  if (!t) return "!" + error;
  t->run();
  uint64_t h = 1469598103934665603ull;
  for (size_t r = 0; r < s.recipes.size(); ++r) {
    for (const auto& layer : t->parameters(r)) {
      for (float v : layer) {
        uint32_t u;
        std::memcpy(&u, &v, sizeof u);
        h = (h ^ u) * 1099511628211ull;
      }
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

EMSCRIPTEN_BINDINGS(mantissa_bench) {
  emscripten::function("gemmPrepare", &gemm_prepare);
  emscripten::function("gemmRun", &gemm_run);
  emscripten::function("trainEpoch", &train_epoch);
  emscripten::function("dotPrepare", &dot_prepare);
  emscripten::function("dotRun", &dot_run);
  emscripten::function("dotSimdName", &dot_simd_name);
  emscripten::function("alloc", &bench_alloc);
  emscripten::function("free", &bench_free);
  emscripten::function("fp32ToFp16", &fp32_to_fp16_bench);
  emscripten::function("fp32ToBf16", &fp32_to_bf16_bench);
  emscripten::function("simdImplName", &simd_impl_name);
  emscripten::function("quantizeBlocks", &quantize_blocks_bench);
  emscripten::function("populationPrepare", &population_prepare);
  emscripten::function("populationRun", &population_run);
  emscripten::function("populationChecksum", &population_checksum);
  emscripten::function("populationSimdName", &population_simd_name);
}
