// Training benchmarks (issue 16), side by side in one run (interleaved
// repetitions, medians):
//   epoch_8_recipes       one epoch of the digits (45 steps of 32) for the 8
//                         recipes fp32 fp16 fp16-amp fp16-master-noscale bf16
//                         bf16-kahan bf16-sr fp8, all in one run, and each alone
//   gemm_simd_vs_scalar   the trainer's matrix products alone (bench/gemm_bench.h:
//                         one step's five products x 45 steps) per model: the
//                         GEMM lanes (best impl) against their scalar reference
//                         and against the per-dot path the trainer had before;
//                         digests checked equal first; thread CPU time (the
//                         machine is shared: wall time counts waiting for a core)
//   epoch_simd_vs_scalar  one epoch of a custom recipe whose every dot product is
//                         a tensor-core model (tc:h100, fp16): the best SIMD dot
//                         kernel against the scalar one (same bits, checked)
//   fp32_vs_numpy         one epoch of the fp32 recipe against numpy float32's
//                         training loop for the same MLP (bench/numpy_mlp.py)
// Epochs are timed in thread CPU time (numpy: its process's CPU time), wall
// time beside where it matters: the machine this runs on is shared.
// Usage (from the repository root): bench_train [--reps N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "gemm_bench.h"
#include "train/network.h"

using namespace mantissa;
using namespace mantissa::train;

namespace {

using bench::median;

std::unique_ptr<Training> make(const std::string& recipes, kernels::DotImpl impl) {
  TrainSpec s;
  std::string error;
  if (!parse_recipe_list(recipes, &s.recipes, &error)) {
    std::fprintf(stderr, "bench_train: %s\n", error.c_str());
    std::exit(1);
  }
  s.dot_impl = impl;
  auto t = Training::create(s, &error);
  if (!t) {
    std::fprintf(stderr, "bench_train: %s\n", error.c_str());
    std::exit(1);
  }
  return t;
}

// One epoch's thread CPU time (training is single-threaded; on this shared
// machine wall time also counts waiting for a core); its wall time into *wall.
double epoch(const std::string& recipes, kernels::DotImpl impl = kernels::best_dot_impl(),
             std::vector<std::vector<float>>* params = nullptr, std::vector<double>* wall = nullptr) {
  auto t = make(recipes, impl);
  const auto t0 = std::chrono::steady_clock::now();
  const double s = bench::thread_seconds_of([&] { t->run(); });
  if (wall) wall->push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (params) *params = t->parameters(0);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(1, std::atoi(argv[i + 1]));
  std::printf("CPU: %s (machine shared with other jobs: figures are medians of %d interleaved runs)\n",
              bench::cpu_model().c_str(), reps);
  const std::vector<std::string> recipes = {"fp32", "fp16", "fp16-amp", "fp16-master-noscale",
                                            "bf16", "bf16-kahan", "bf16-sr", "fp8"};
  std::string all;
  for (const auto& r : recipes) all += (all.empty() ? "" : ",") + r;
  const std::string tc = "custom:w=fp16/a=fp16/g=fp16/acc=tc:h100/master=on/ls=dynamic";

  // Bit-identity of the compared GEMM paths first.
  std::vector<std::vector<float>> p_simd, p_scalar;
  epoch(tc, kernels::best_dot_impl(), &p_simd);
  epoch(tc, kernels::DotImpl::Scalar, &p_scalar);
  if (p_simd != p_scalar) {
    std::fprintf(stderr, "bench_train: SIMD and scalar dot paths disagree\n");
    return 1;
  }

  // The GEMM alone, per model: bits first, then interleaved rounds of CPU time.
  constexpr int kSteps = 45;  // one epoch's steps
  const std::vector<std::string> paths = {"simd", "scalar", "per-dot"};
  double gemm_min_ratio = 1e9;
  for (const bench::GemmCase& gc : bench::gemm_cases()) {
    bench::GemmStep step = bench::make_gemm_step(gc.in, 16);
    const std::string want = bench::run_gemm_step(step, gc.acc, "per-dot", 1);
    for (const std::string& path : paths) {
      if (bench::run_gemm_step(step, gc.acc, path, 1) != want || want.empty()) {
        std::fprintf(stderr, "bench_train: GEMM path %s disagrees on %s\n", path.c_str(), gc.label);
        return 1;
      }
    }
    std::vector<std::vector<double>> cpu(paths.size()), wall(paths.size());
    for (int rep = 0; rep < std::max(reps, 5); ++rep) {
      for (size_t q = 0; q < paths.size(); ++q) {
        const size_t p = (q + static_cast<size_t>(rep)) % paths.size();  // the order rotates every round
        const auto t0 = std::chrono::steady_clock::now();
        cpu[p].push_back(bench::thread_seconds_of([&] { bench::run_gemm_step(step, gc.acc, paths[p], kSteps); }));
        wall[p].push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
    }
    const double simd = median(cpu[0]), scalar = median(cpu[1]), per_dot = median(cpu[2]);
    gemm_min_ratio = std::min(gemm_min_ratio, scalar / simd);
    std::printf("gemm %-14s (45 steps' products, dot impl %s; CPU ms, wall in brackets): simd %.2f [%.2f], "
                "scalar %.2f [%.2f], per-dot before %.2f [%.2f]: simd_vs_scalar %.2fx, vs per-dot %.2fx\n",
                gc.label, kernels::dot_impl_name(kernels::best_dot_impl()), simd * 1e3, median(wall[0]) * 1e3,
                scalar * 1e3, median(wall[1]) * 1e3, per_dot * 1e3, median(wall[2]) * 1e3, scalar / simd,
                per_dot / simd);
  }
  std::printf("gemm_simd_vs_scalar (smallest of the models above): %.2fx\n", gemm_min_ratio);

  std::vector<double> t_all, t_simd, t_scalar, t_fp32, t_numpy;
  std::vector<double> w_all, w_fp32, w_numpy;
  std::vector<std::vector<double>> t_each(recipes.size());
  std::string numpy_version;
  for (int rep = 0; rep < reps; ++rep) {
    t_all.push_back(epoch(all, kernels::best_dot_impl(), nullptr, &w_all));
    for (size_t r = 0; r < recipes.size(); ++r) t_each[r].push_back(epoch(recipes[r]));
    t_simd.push_back(epoch(tc, kernels::best_dot_impl()));
    t_scalar.push_back(epoch(tc, kernels::DotImpl::Scalar));
    t_fp32.push_back(epoch("fp32", kernels::best_dot_impl(), nullptr, &w_fp32));
    FILE* p = popen("/usr/bin/python3 bench/numpy_mlp.py build/_deps/digits/digits.csv", "r");
    char line[256] = {0};
    if (!p || !std::fgets(line, sizeof line, p)) {
      std::fprintf(stderr, "bench_train: numpy run failed (run from the repository root after scripts/setup)\n");
      return 1;
    }
    pclose(p);
    double secs = 0, cpu = 0;
    char version[128] = {0};
    if (std::sscanf(line, "%lf %127s %lf", &secs, version, &cpu) != 3) {
      std::fprintf(stderr, "bench_train: unexpected numpy output: %s\n", line);
      return 1;
    }
    t_numpy.push_back(cpu);
    w_numpy.push_back(secs);
    numpy_version = version;
  }
  std::printf("one epoch of digits (1437 samples, 45 steps of 32, model 64-32-10, sgd:lr=0.1,momentum=0.9), CPU time:\n");
  std::printf("  8 recipes in one run  %8.1f ms (wall %.1f ms)\n", median(t_all) * 1e3, median(w_all) * 1e3);
  for (size_t r = 0; r < recipes.size(); ++r)
    std::printf("  %-20s  %8.1f ms\n", recipes[r].c_str(), median(t_each[r]) * 1e3);
  std::printf("epoch_simd_vs_scalar (%s, dot kernel %s vs scalar): %.1f ms vs %.1f ms = %.2fx\n", tc.c_str(),
              kernels::dot_impl_name(kernels::best_dot_impl()), median(t_simd) * 1e3, median(t_scalar) * 1e3,
              median(t_scalar) / median(t_simd));
  std::printf("fp32_vs_numpy (CPU time; numpy's process, every BLAS thread): fp32 recipe %.1f ms, %s float32 loop "
              "%.1f ms: Mantissa takes %.2fx numpy's time (wall: %.1f ms vs %.1f ms = %.2fx)\n",
              median(t_fp32) * 1e3, numpy_version.c_str(), median(t_numpy) * 1e3, median(t_fp32) / median(t_numpy),
              median(w_fp32) * 1e3, median(w_numpy) * 1e3, median(w_fp32) / median(w_numpy));
  return 0;
}
