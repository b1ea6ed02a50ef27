// population_simd_vs_scalar: 1e6 weights x 100 steps, fp16 and fp32-master,
// the best SIMD kernel against the scalar reference kernel, side by side in
// one run (interleaved repetitions, median).
//
// Two stream shapes, as the simulator runs them:
//   broadcast   one increment per step for every weight (a constant or listed
//               stream: the tutorial's); blocked so weights stay in L1
//   per-weight  an increment array per step (a Gaussian stream; memory-bound)
//
// Build (until the CMake build has a bench target): link against the
// kernels library, e.g. after `cmake --build <dir> --target mantissa_kernels`:
//   g++ -std=c++20 -O2 -Isrc bench/bench_population.cpp <dir>/libmantissa_kernels.a <dir>/libmantissa_core.a
// Usage: bench_population [--json] [--reps N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "kernels/accumulate.h"

using namespace mantissa::kernels;

namespace {

constexpr size_t kWeights = 1'000'000;
constexpr size_t kSteps = 100;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct Case {
  const char* name;
  bool fp16;  // else fp32-master
  bool broadcast;
};

// Seconds for one run of 1e6 weights x 100 steps.
double time_case(const Case& c, AccumulateImpl impl, uint64_t* checksum) {
  std::vector<uint16_t> w16(kWeights, 0x3c80);  // 1.125
  std::vector<float> w32(kWeights, 1.125f);
  std::vector<float> step_incs(kSteps);
  for (size_t s = 0; s < kSteps; ++s) step_incs[s] = 0.000420093536376953125f * static_cast<float>(1 + s % 7);
  std::vector<float> incs(c.broadcast ? 0 : kWeights);
  for (size_t i = 0; i < incs.size(); ++i)
    incs[i] = 0.000420093536376953125f * static_cast<float>(1 + i % 13);
  std::vector<uint64_t> lost(kSteps, 0);
  const auto t0 = std::chrono::steady_clock::now();
  if (c.broadcast) {
    if (c.fp16) {
      accumulate_fp16_steps(w16.data(), kWeights, step_incs.data(), kSteps, lost.data(), impl);
    } else {
      accumulate_fp32_steps(w32.data(), kWeights, step_incs.data(), kSteps, lost.data(), impl);
    }
  } else {
    for (size_t s = 0; s < kSteps; ++s) {
      lost[s] = c.fp16 ? accumulate_fp16(w16.data(), incs.data(), kWeights, impl)
                       : accumulate_fp32(w32.data(), incs.data(), kWeights, impl);
    }
  }
  const auto t1 = std::chrono::steady_clock::now();
  uint64_t sum = 0;
  for (uint64_t l : lost) sum += l;
  for (size_t i = 0; i < kWeights; i += 997) sum += c.fp16 ? w16[i] : static_cast<uint64_t>(w32[i] * 1e6f);
  *checksum = sum;
  return std::chrono::duration<double>(t1 - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  bool json = false;
  int reps = 7;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0) json = true;
    if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
  }
  const AccumulateImpl simd = best_accumulate_impl();
  const Case cases[] = {
      {"fp16_broadcast", true, true},
      {"fp32_master_broadcast", false, true},
      {"fp16_per_weight", true, false},
      {"fp32_master_per_weight", false, false},
  };
  std::string out =
      "{\"benchmark\":\"population_simd_vs_scalar\",\"weights\":1000000,\"steps\":100,\"simd\":\"" +
      std::string(accumulate_impl_name(simd)) + "\",\"ratios\":{";
  if (!json) {
    std::printf("population_simd_vs_scalar: 1e6 weights x 100 steps, %d interleaved repetitions, median\n",
                reps);
    std::printf("%-24s %12s %12s %8s\n", "case", "scalar ms",
                (std::string(accumulate_impl_name(simd)) + " ms").c_str(), "ratio");
  }
  bool first = true;
  for (const Case& c : cases) {
    std::vector<double> ts, tv;
    uint64_t cs = 0, cv = 0;
    for (int r = 0; r < reps; ++r) {  // interleaved: scalar, simd, scalar, simd, ...
      ts.push_back(time_case(c, AccumulateImpl::Scalar, &cs));
      tv.push_back(time_case(c, simd, &cv));
      if (cs != cv) {
        std::fprintf(stderr, "bench_population: %s: SIMD and scalar results differ\n", c.name);
        return 1;
      }
    }
    const double ms = median(ts) * 1e3, mv = median(tv) * 1e3;
    if (!json) std::printf("%-24s %12.2f %12.2f %7.2fx\n", c.name, ms, mv, ms / mv);
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s\"%s\":{\"scalar_ms\":%.3f,\"simd_ms\":%.3f,\"ratio\":%.3f}",
                  first ? "" : ",", c.name, ms, mv, ms / mv);
    out += buf;
    first = false;
  }
  out += "}}";
  if (json) std::printf("%s\n", out.c_str());
  return 0;
}
