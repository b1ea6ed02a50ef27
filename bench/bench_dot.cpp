// Dot-product kernels and gemm-error, side by side in one run (interleaved
// repetitions, medians), on the trials `gemm-error --k 4096 --in fp8-e4m3
// --seed 1` draws (normal:0:1):
//   dot_simd_vs_scalar   (CPU time) for tc:h100, blocked:tc:h100:128, seq:fp32 and
//                        blocked:fp32:128: the SIMD lanes (kernels/dot.h,
//                        eight trials side by side) against the scalar
//                        kernel one dot product at a time; all give the same bits
//   gemm_error_vs_numpy  `gemm-error` (draws, exact reference, errors
//                        included) with tc:h100 alone and with the four,
//                        against numpy's float32 np.dot loop over the same
//                        trials (bench/numpy_dot.py, run by /usr/bin/python3)
//   gemm_error_vs_numpy_e2e  `gemm-error --in fp16 --acc seq:fp32` against
//                        numpy doing the same job end to end (draw, round to
//                        fp16, float32 dot, float64 reference, median/p95/max:
//                        bench/numpy_gemm_error.py); fp8 has no numpy dtype
// Usage: bench_dot [--reps N] [--trials N] [--json]  (--json: one JSON object on stdout)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "core/dot.h"
#include "kernels/dot.h"
#include "sim/gemm_error.h"

using namespace mantissa;
namespace kn = mantissa::kernels;

namespace {

constexpr uint64_t kK = 4096;
const std::vector<std::string> kAccumulators = {"tc:h100", "blocked:tc:h100:128", "seq:fp32", "blocked:fp32:128"};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// CPU seconds of this process (std::clock): on a machine shared with other
// jobs it varies far less than the wall clock, so gemm_error_vs_numpy is
// also given as a ratio of CPU times (numpy_dot.py reports its own).
template <typename F>
double cpu_seconds(F&& f) {
  const std::clock_t c0 = std::clock();
  f();
  return static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
}

template <typename F>
double seconds(F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

sim::GemmErrorSpec spec_of(const std::vector<std::string>& accs, uint64_t trials, const Format& in = fp8_e4m3()) {
  sim::GemmErrorSpec s;
  s.ks = {kK};
  s.in = in;
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

// FNV-1a over result bits: the variants must agree.
struct Checksum {
  uint64_t h = 1469598103934665603ull;
  void add(uint64_t v) { h = (h ^ v) * 1099511628211ull; }
};

// One line of a /usr/bin/python3 co-process's stdout ("" if it failed).
std::string python_line(const std::string& args) {
  const std::string cmd = "/usr/bin/python3 " + bench::bench_dir() + "/" + args;
  FILE* p = popen(cmd.c_str(), "r");
  char line[512] = {0};
  const bool ok = p && std::fgets(line, sizeof line, p);
  if (p) pclose(p);
  return ok ? line : "";
}

struct DotTimes {
  std::string acc;
  double lanes_ms, scalar_ms, lanes_scalar_ms;
  bool same_bits;
};

}  // namespace

int main(int argc, char** argv) {
  int reps = 5;
  uint64_t trials = 1000;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--trials") && i + 1 < argc) trials = std::strtoull(argv[++i], nullptr, 10);
    else if (!std::strcmp(argv[i], "--json")) json = true;
  }
  trials = (std::max<uint64_t>(trials, kn::kDotLanes) / kn::kDotLanes) * kn::kDotLanes;  // whole groups
  const sim::GemmErrorSpec four = spec_of(kAccumulators, trials);
  const size_t groups = trials / kn::kDotLanes;
  // The trials, drawn once: in lanes (rows of kDotLanes) and one after another.
  std::vector<std::vector<float>> la(groups), lb(groups);
  std::vector<float> a(trials * kK), b(trials * kK);
  for (size_t g = 0; g < groups; ++g) {
    sim::gemm_error_trial_lanes(four, kK, g * kn::kDotLanes, kn::kDotLanes, &la[g], &lb[g]);
    for (size_t l = 0; l < kn::kDotLanes; ++l) {
      for (uint64_t i = 0; i < kK; ++i) {
        a[(g * kn::kDotLanes + l) * kK + i] = la[g][i * kn::kDotLanes + l];
        b[(g * kn::kDotLanes + l) * kK + i] = lb[g][i * kn::kDotLanes + l];
      }
    }
  }

  const kn::DotImpl simd = kn::best_dot_impl();
  std::vector<DotTimes> dots;
  for (const Accumulator& acc : four.accumulators) {
    kn::DotLanesModel m;
    kn::dot_lanes_model_of(acc, four.in, &m);
    const uint32_t c[kn::kDotLanes] = {};
    auto lanes = [&](kn::DotImpl impl, Checksum* sum) {
      for (size_t g = 0; g < groups; ++g) {
        uint32_t out[kn::kDotLanes];
        bool done[kn::kDotLanes];
        kn::dot_lanes(m, la[g].data(), lb[g].data(), kK, c, impl, out, done);
        for (size_t l = 0; l < kn::kDotLanes; ++l) sum->add(done[l] ? out[l] : ~uint64_t{0});
      }
    };
    auto one_by_one = [&](Checksum* sum) {
      for (uint64_t t = 0; t < trials; ++t) {
        uint64_t bits = 0;
        sum->add(kn::dot_with_kernels(acc, four.in, &a[t * kK], &b[t * kK], kK, 0, kn::DotImpl::Scalar, &bits)
                     ? bits
                     : ~uint64_t{0});
      }
    };
    std::vector<double> t_lanes, t_scalar, t_lanes_scalar;
    Checksum s_lanes, s_scalar, s_lanes_scalar;
    for (int r = 0; r < reps; ++r) {
      s_lanes = s_scalar = s_lanes_scalar = Checksum{};
      // CPU time: this process is single-threaded, so time spent preempted by other jobs is left out.
      t_lanes.push_back(cpu_seconds([&] { lanes(simd, &s_lanes); }));
      t_scalar.push_back(cpu_seconds([&] { one_by_one(&s_scalar); }));
      t_lanes_scalar.push_back(cpu_seconds([&] { lanes(kn::DotImpl::Scalar, &s_lanes_scalar); }));
    }
    dots.push_back({acc.name, median(t_lanes) * 1e3, median(t_scalar) * 1e3, median(t_lanes_scalar) * 1e3,
                    s_lanes.h == s_scalar.h && s_scalar.h == s_lanes_scalar.h});
  }

  // gemm-error against numpy's float32 dot loop over the same trials.
  const std::string base = "/tmp/mantissa_bench_dot_" + std::to_string(static_cast<long>(std::time(nullptr)));
  const std::string fa = base + "_a.f32", fb = base + "_b.f32";
  for (const auto& [path, data] : {std::pair{fa, &a}, std::pair{fb, &b}}) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(data->data(), sizeof(float), data->size(), f) != data->size()) return 1;
    std::fclose(f);
  }
  const sim::GemmErrorSpec one = spec_of({"tc:h100"}, trials);
  std::vector<double> t_four, t_one, t_numpy, c_one, c_numpy;
  std::string numpy_version;
  for (int r = 0; r < reps; ++r) {
    t_four.push_back(seconds([&] { sim::run_gemm_error(four); }));
    double wall = 0;
    c_one.push_back(cpu_seconds([&] { wall = seconds([&] { sim::run_gemm_error(one); }); }));
    t_one.push_back(wall);
    const std::string line = python_line("numpy_dot.py " + fa + " " + fb + " " + std::to_string(trials) + " " +
                                         std::to_string(kK) + " 1");
    if (line.empty()) {
      std::fprintf(stderr, "bench_dot: numpy run failed\n");
      return 1;
    }
    char version[128] = {0};
    double secs = 0, cpu = 0;
    std::sscanf(line.c_str(), "%lf %127s %lf", &secs, version, &cpu);
    t_numpy.push_back(secs);
    c_numpy.push_back(cpu);
    numpy_version = version;
  }
  std::remove(fa.c_str());
  std::remove(fb.c_str());

  // The same job end to end on both sides, fp16 inputs (numpy has no fp8):
  // gemm-error --in fp16 --acc seq:fp32 against bench/numpy_gemm_error.py.
  const sim::GemmErrorSpec e2e = spec_of({"seq:fp32"}, trials, fp16());
  std::vector<double> t_e2e, c_e2e, t_np_e2e, c_np_e2e;
  double np_median = 0, np_p95 = 0, np_max = 0;
  std::vector<sim::GemmErrorRow> e2e_rows;
  for (int r = 0; r < reps; ++r) {
    double wall = 0;
    c_e2e.push_back(cpu_seconds([&] { wall = seconds([&] { e2e_rows = sim::run_gemm_error(e2e); }); }));
    t_e2e.push_back(wall);
    const std::string line = python_line("numpy_gemm_error.py " + std::to_string(trials) + " " + std::to_string(kK) + " 1");
    double secs = 0, cpu = 0;
    char version[128] = {0};
    if (line.empty() || std::sscanf(line.c_str(), "%lf %127s %lf %lf %lf %lf", &secs, version, &cpu, &np_median,
                                    &np_p95, &np_max) != 6) {
      std::fprintf(stderr, "bench_dot: numpy_gemm_error.py failed\n");
      return 1;
    }
    t_np_e2e.push_back(secs);
    c_np_e2e.push_back(cpu);
  }
  const double e2e_ms = median(t_e2e) * 1e3, e2e_cpu = median(c_e2e) * 1e3;
  const double np_e2e_ms = median(t_np_e2e) * 1e3, np_e2e_cpu = median(c_np_e2e) * 1e3;
  const sim::GemmErrorRow& e2e_row = e2e_rows.at(0);
  const double f4 = median(t_four) * 1e3, f1 = median(t_one) * 1e3, np = median(t_numpy) * 1e3;
  const double f1_cpu = median(c_one) * 1e3, np_cpu = median(c_numpy) * 1e3;
  double min_ratio = 1e300;
  bool all_same = true;
  for (const DotTimes& d : dots) {
    min_ratio = std::min(min_ratio, d.scalar_ms / d.lanes_ms);
    all_same = all_same && d.same_bits;
  }
  const std::string cpu = bench::cpu_model();

  if (json) {
    std::printf("{\"cpu\": \"%s\", \"simd\": \"%s\", \"k\": %llu, \"trials\": %llu, \"reps\": %d, \"same_bits\": %s,\n",
                cpu.c_str(), kn::dot_impl_name(simd), static_cast<unsigned long long>(kK),
                static_cast<unsigned long long>(trials), reps, all_same ? "true" : "false");
    std::printf(" \"dot_ms\": {");
    for (size_t i = 0; i < dots.size(); ++i) {
      const DotTimes& d = dots[i];
      std::printf("%s\"%s\": {\"lanes\": %.4f, \"scalar\": %.4f, \"lanes_scalar\": %.4f, \"ratio\": %.4f}",
                  i ? ", " : "", d.acc.c_str(), d.lanes_ms, d.scalar_ms, d.lanes_scalar_ms,
                  d.scalar_ms / d.lanes_ms);
    }
    std::printf("},\n \"gemm_error_ms\": {\"four\": %.3f, \"tc_h100\": %.3f, \"numpy_dot_loop\": %.3f, \"numpy\": \"%s\", "
                "\"tc_h100_cpu\": %.3f, \"numpy_dot_loop_cpu\": %.3f},\n",
                f4, f1, np, numpy_version.c_str(), f1_cpu, np_cpu);
    std::printf(" \"e2e_fp16_seq_fp32\": {\"gemm_error_ms\": %.3f, \"gemm_error_cpu_ms\": %.3f, \"numpy_ms\": %.3f, "
                "\"numpy_cpu_ms\": %.3f, \"gemm_error_rel\": [%.6e, %.6e, %.6e], \"numpy_rel\": [%.6e, %.6e, %.6e]},\n",
                e2e_ms, e2e_cpu, np_e2e_ms, np_e2e_cpu, e2e_row.median, e2e_row.p95, e2e_row.max, np_median, np_p95,
                np_max);
    std::printf(" \"ratios\": {\"dot_simd_vs_scalar\": %.4f, \"gemm_error_vs_numpy\": %.5f, "
                "\"gemm_error_four_vs_numpy\": %.5f, \"gemm_error_vs_numpy_cpu\": %.5f, "
                "\"gemm_error_vs_numpy_e2e\": %.4f, \"gemm_error_vs_numpy_e2e_cpu\": %.4f}}\n",
                min_ratio, np / f1, np / f4, np_cpu / f1_cpu, np_e2e_ms / e2e_ms, np_e2e_cpu / e2e_cpu);
    return all_same ? 0 : 1;
  }
  std::printf("cpu: %s; dot SIMD: %s\n", cpu.c_str(), kn::dot_impl_name(simd));
  std::printf("dot kernels: K = %llu x %llu trials, fp8-e4m3 ~ normal:0:1, %d reps (medians, CPU ms)\n",
              static_cast<unsigned long long>(kK), static_cast<unsigned long long>(trials), reps);
  std::printf("  %-22s %10s %14s %14s  %s\n", "accumulator", "SIMD lanes", "scalar kernel", "scalar lanes",
              "dot_simd_vs_scalar");
  for (const DotTimes& d : dots) {
    std::printf("  %-22s %10.2f %14.2f %14.2f  %6.2fx %s\n", d.acc.c_str(), d.lanes_ms, d.scalar_ms,
                d.lanes_scalar_ms, d.scalar_ms / d.lanes_ms, d.same_bits ? "(same bits)" : "(BITS DIFFER)");
  }
  std::printf("gemm-error --k 4096 --in fp8-e4m3 --trials %llu (draws, exact sums, errors included):\n",
              static_cast<unsigned long long>(trials));
  std::printf("  4 accumulators %8.1f ms   tc:h100 alone %8.1f ms   %s np.dot loop %8.2f ms\n", f4, f1,
              numpy_version.c_str(), np);
  std::printf("  dot_simd_vs_scalar (min of the four): %.2fx\n", min_ratio);
  std::printf(
      "  gemm_error_vs_numpy: %.3fx (tc:h100 alone), %.3fx (4 accumulators); >1 means Mantissa is faster\n",
      np / f1, np / f4);
  std::printf("  in CPU time: tc:h100 alone %.1f ms, np.dot loop %.2f ms: %.3fx\n", f1_cpu, np_cpu, np_cpu / f1_cpu);
  std::printf("gemm-error --k 4096 --in fp16 --acc seq:fp32 --trials %llu vs numpy end to end (draw, astype fp16, "
              "float32 dot, float64 reference, median/p95/max):\n",
              static_cast<unsigned long long>(trials));
  std::printf("  wall: gemm-error %.1f ms, numpy %.1f ms: %.2fx   CPU: %.1f ms vs %.1f ms: %.2fx\n", e2e_ms, np_e2e_ms,
              np_e2e_ms / e2e_ms, e2e_cpu, np_e2e_cpu, np_e2e_cpu / e2e_cpu);
  std::printf("  relative error median/p95/max: gemm-error (exact reference) %.3g / %.3g / %.3g, numpy %.3g / %.3g / %.3g\n",
              e2e_row.median, e2e_row.p95, e2e_row.max, np_median, np_p95, np_max);
  return all_same ? 0 : 1;
}
