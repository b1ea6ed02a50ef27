// Dot-product kernels and gemm-error, side by side in one run (interleaved
// repetitions, medians):
//   dot_simd_vs_scalar   tc:h100 and blocked:tc:h100:128 on fp8-e4m3 inputs,
//                        K = 4096 x 1000 trials: the best SIMD kernel against
//                        the scalar kernel, and against the core's dot()
//   gemm_error_vs_numpy  `gemm-error --k 4096 --in fp8-e4m3 --trials 1000`
//                        (four accumulators, and tc:h100 alone) against
//                        numpy's float32 np.dot loop over the same trials
//                        (bench/numpy_dot.py, run by /usr/bin/python3)
// Usage: bench_dot [--reps N] [--trials N]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "core/dot.h"
#include "kernels/dot.h"
#include "sim/gemm_error.h"

using namespace mantissa;
namespace kn = mantissa::kernels;

namespace {

constexpr uint64_t kK = 4096;

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

sim::GemmErrorSpec spec_of(const std::vector<std::string>& accs, uint64_t trials) {
  sim::GemmErrorSpec s;
  s.ks = {kK};
  s.in = fp8_e4m3();
  s.trials = trials;
  s.seed = 1;
  for (const std::string& name : accs) {
    Accumulator a;
    std::string error;
    if (!parse_accumulator(name, s.in, &a, &error)) {
      std::fprintf(stderr, "bench_dot: %s\n", error.c_str());
      std::exit(1);
    }
    s.accumulators.push_back(a);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5;
  uint64_t trials = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--trials")) trials = std::strtoull(argv[i + 1], nullptr, 10);
  }
  const sim::GemmErrorSpec four =
      spec_of({"tc:h100", "blocked:tc:h100:128", "seq:fp32", "blocked:fp32:128"}, trials);
  // The trials, drawn once, as floats for the kernels and bits for the core.
  std::vector<DotInput> inputs;
  std::vector<float> a(trials * kK), b(trials * kK);
  for (uint64_t t = 0; t < trials; ++t) {
    inputs.push_back(sim::gemm_error_trial(four, kK, t));
    std::vector<float> ta, tb;
    kn::dot_inputs_as_floats(inputs.back(), &ta, &tb);
    std::copy(ta.begin(), ta.end(), a.begin() + static_cast<long>(t * kK));
    std::copy(tb.begin(), tb.end(), b.begin() + static_cast<long>(t * kK));
  }

  const kn::DotImpl simd = kn::best_dot_impl();
  std::printf("dot kernels: K = %llu x %llu trials, fp8-e4m3 inputs, SIMD = %s, %d reps (medians)\n",
              static_cast<unsigned long long>(kK), static_cast<unsigned long long>(trials),
              kn::dot_impl_name(simd), reps);
  for (const Accumulator& acc : {four.accumulators[0], four.accumulators[1]}) {
    std::vector<double> t_simd, t_scalar, t_core;
    uint64_t check_simd = 0, check_scalar = 0, check_core = 0;
    auto run = [&](kn::DotImpl impl, uint64_t* check) {
      for (uint64_t t = 0; t < trials; ++t) {
        uint64_t bits = 0;
        kn::dot_with_kernels(acc, four.in, &a[t * kK], &b[t * kK], kK, 0, impl, &bits);
        *check += bits;
      }
    };
    for (int r = 0; r < reps; ++r) {
      check_simd = check_scalar = 0;
      t_simd.push_back(seconds([&] { run(simd, &check_simd); }));
      t_scalar.push_back(seconds([&] { run(kn::DotImpl::Scalar, &check_scalar); }));
    }
    // The core is slow: one pass over a tenth of the trials, scaled.
    const uint64_t core_trials = std::max<uint64_t>(1, trials / 10);
    t_core.push_back(seconds([&] {
                       for (uint64_t t = 0; t < core_trials; ++t) check_core += dot(acc, inputs[t]);
                     }) *
                     static_cast<double>(trials) / static_cast<double>(core_trials));
    const double s = median(t_simd), sc = median(t_scalar), co = median(t_core);
    std::printf(
        "  %-22s simd %8.2f ms  scalar kernel %8.2f ms  core dot() %9.1f ms   "
        "dot_simd_vs_scalar %.2fx  simd_vs_core %.1fx  %s\n",
        acc.name.c_str(), s * 1e3, sc * 1e3, co * 1e3, sc / s, co / s,
        check_simd == check_scalar ? "(same bits)" : "(BITS DIFFER)");
  }

  // gemm-error against numpy's float32 dot loop over the same trials.
  const std::string dir = "/tmp/mantissa_bench_dot_" + std::to_string(static_cast<long>(std::time(nullptr)));
  const std::string fa = dir + "_a.f32", fb = dir + "_b.f32";
  for (const auto& [path, data] : {std::pair{fa, &a}, std::pair{fb, &b}}) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(data->data(), sizeof(float), data->size(), f) != data->size()) return 1;
    std::fclose(f);
  }
  const sim::GemmErrorSpec one = spec_of({"tc:h100"}, trials);
  std::vector<double> t_four, t_one, t_numpy;
  std::string numpy_version;
  for (int r = 0; r < reps; ++r) {
    t_four.push_back(seconds([&] { sim::run_gemm_error(four); }));
    t_one.push_back(seconds([&] { sim::run_gemm_error(one); }));
    const std::string cmd = "/usr/bin/python3 bench/numpy_dot.py " + fa + " " + fb + " " +
                            std::to_string(trials) + " " + std::to_string(kK) + " 1";
    FILE* p = popen(cmd.c_str(), "r");
    char line[256] = {0};
    if (!p || !std::fgets(line, sizeof line, p)) {
      std::fprintf(stderr, "bench_dot: numpy run failed (run from the repository root)\n");
      return 1;
    }
    pclose(p);
    char version[128] = {0};
    double secs = 0;
    std::sscanf(line, "%lf %127s", &secs, version);
    t_numpy.push_back(secs);
    numpy_version = version;
  }
  std::remove(fa.c_str());
  std::remove(fb.c_str());
  const double f4 = median(t_four), f1 = median(t_one), np = median(t_numpy);
  std::printf("gemm-error --k 4096 --in fp8-e4m3 --trials %llu (draws, exact sums, errors included):\n",
              static_cast<unsigned long long>(trials));
  std::printf("  4 accumulators %8.1f ms   tc:h100 alone %8.1f ms   %s np.dot loop %8.2f ms\n", f4 * 1e3,
              f1 * 1e3, numpy_version.c_str(), np * 1e3);
  std::printf(
      "  gemm_error_vs_numpy: %.3fx (tc:h100 alone), %.3fx (4 accumulators); >1 means Mantissa is faster\n",
      np / f1, np / f4);
  return 0;
}
