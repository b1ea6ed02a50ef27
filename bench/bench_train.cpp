// Training benchmarks (issue 16), side by side in one run (interleaved
// repetitions, medians):
//   epoch_8_recipes       one epoch of the digits (45 steps of 32) for the 8
//                         recipes fp32 fp16 fp16-amp fp16-master-noscale bf16
//                         bf16-kahan bf16-sr fp8, all in one run, and each alone
//   gemm_simd_vs_scalar   one epoch of a custom recipe whose every dot product is
//                         a tensor-core model (tc:h100, fp16): the best SIMD dot
//                         kernel against the scalar one (same bits, checked)
//   fp32_vs_numpy         one epoch of the fp32 recipe against numpy float32's
//                         training loop for the same MLP (bench/numpy_mlp.py)
// Usage (from the repository root): bench_train [--reps N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "train/network.h"

using namespace mantissa;
using namespace mantissa::train;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

template <typename F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string cpu_name() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown CPU";
}

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

double epoch(const std::string& recipes, kernels::DotImpl impl = kernels::best_dot_impl(),
             std::vector<std::vector<float>>* params = nullptr) {
  auto t = make(recipes, impl);
  const double s = seconds([&] { t->run(); });
  if (params) *params = t->parameters(0);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(1, std::atoi(argv[i + 1]));
  std::printf("CPU: %s (machine shared with other jobs: figures are medians of %d interleaved runs)\n",
              cpu_name().c_str(), reps);
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

  std::vector<double> t_all, t_simd, t_scalar, t_fp32, t_numpy;
  std::vector<std::vector<double>> t_each(recipes.size());
  std::string numpy_version;
  for (int rep = 0; rep < reps; ++rep) {
    t_all.push_back(epoch(all));
    for (size_t r = 0; r < recipes.size(); ++r) t_each[r].push_back(epoch(recipes[r]));
    t_simd.push_back(epoch(tc, kernels::best_dot_impl()));
    t_scalar.push_back(epoch(tc, kernels::DotImpl::Scalar));
    t_fp32.push_back(epoch("fp32"));
    FILE* p = popen("/usr/bin/python3 bench/numpy_mlp.py build/_deps/digits/digits.csv", "r");
    char line[256] = {0};
    if (!p || !std::fgets(line, sizeof line, p)) {
      std::fprintf(stderr, "bench_train: numpy run failed (run from the repository root after scripts/setup)\n");
      return 1;
    }
    pclose(p);
    double secs = 0;
    char version[128] = {0};
    std::sscanf(line, "%lf %127s", &secs, version);
    t_numpy.push_back(secs);
    numpy_version = version;
  }
  std::printf("one epoch of digits (1437 samples, 45 steps of 32, model 64-32-10, sgd:lr=0.1,momentum=0.9):\n");
  std::printf("  8 recipes in one run  %8.1f ms\n", median(t_all) * 1e3);
  for (size_t r = 0; r < recipes.size(); ++r)
    std::printf("  %-20s  %8.1f ms\n", recipes[r].c_str(), median(t_each[r]) * 1e3);
  std::printf("gemm_simd_vs_scalar (%s, dot kernel %s vs scalar): %.1f ms vs %.1f ms = %.2fx\n", tc.c_str(),
              kernels::dot_impl_name(kernels::best_dot_impl()), median(t_simd) * 1e3, median(t_scalar) * 1e3,
              median(t_scalar) / median(t_simd));
  std::printf("fp32_vs_numpy: fp32 recipe %.1f ms, %s float32 loop %.1f ms: Mantissa takes %.2fx numpy's time\n",
              median(t_fp32) * 1e3, numpy_version.c_str(), median(t_numpy) * 1e3, median(t_fp32) / median(t_numpy));
  return 0;
}
