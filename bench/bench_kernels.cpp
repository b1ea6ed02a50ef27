// Batch conversion throughput, natively: 16M fp32 values (standard normal,
// fixed seed) converted to fp16 with round to nearest even by
//   scalar   the core per element (the reference implementation)
//   sse2     the SIMD kernels at the x86-64 baseline
//   avx2     the SIMD kernels Impl::Simd runs on this machine (if it has AVX2)
//   f16c     the hardware's vcvtps2ph, 8 lanes (if the CPU has F16C)
//   avx512   vcvtps2ph on 16 lanes (if the CPU has AVX-512 F/BW/VL/DQ)
//   best     the public fp32_to_fp16(Impl::Best): what a caller gets (the
//            path it runs is named; MANTISSA_KERNELS caps it)
//   memcpy   copying the 64 MB of fp32 input: the memory bandwidth yardstick.
//            It reads 64 MB and writes 64 MB; the conversion reads the same
//            64 MB and writes 32 MB (16M elements), so a conversion at the
//            bandwidth limit runs about 128/96 = 1.33x memcpy's speed.
//   numpy    `x.astype(np.float16)` in Debian's python3-numpy, in a Python
//            co-process fed the same array (bench/numpy_fp16.py)
// Every round times each variant once, in the same order; the table shows
// medians over the rounds, and the ratios are of those medians, so all are
// measured side by side in one run. A second table times every other kernel
// (SIMD vs scalar) the same way.
//
//   build/native/bench/bench_kernels [--rounds N] [--n ELEMENTS] [--no-numpy] [--json FILE]
//
// Ratios are speed ratios (how many times faster the first is):
//   native_best_vs_memcpy, native_simd_vs_f16c, native_simd_vs_numpy,
//   native_f16c_vs_memcpy, ...
// The CPU's model name and the instruction sets the kernels look for are
// printed first and go into the JSON.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench_timing.h"
#include "kernels/convert.h"
#include "kernels/kernel_sets.h"

using bench::bench_dir;
using bench::cpu_features;
using bench::cpu_model;
using bench::median;
using bench::seconds_of;
using bench::Variant;
using mantissa::kernels::detail::KernelSet;

namespace {

// ---- numpy in a co-process ----------------------------------------------------
// The script loads the input file once, checks that numpy's fp16 bits equal
// ours, then times one conversion per "astype" line it reads and answers
// with the seconds it took.
class NumpyTimer {
 public:
  bool start(const std::string& script, const std::string& input_file, const std::string& ours_file) {
    int to_child[2], from_child[2];
    if (pipe(to_child) != 0 || pipe(from_child) != 0) return false;
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      dup2(to_child[0], 0);
      dup2(from_child[1], 1);
      close(to_child[1]);
      close(from_child[0]);
      execl("/usr/bin/python3", "python3", script.c_str(), input_file.c_str(), ours_file.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    to_ = fdopen(to_child[1], "w");
    from_ = fdopen(from_child[0], "r");
    char line[256];
    if (!std::fgets(line, sizeof line, from_)) return false;  // "ready <numpy version> <mismatches>"
    hello_ = line;
    while (!hello_.empty() && hello_.back() == '\n') hello_.pop_back();
    return hello_.rfind("ready ", 0) == 0;
  }
  const std::string& hello() const { return hello_; }
  double time(const char* what) {
    std::fprintf(to_, "%s\n", what);
    std::fflush(to_);
    char line[256];
    if (!std::fgets(line, sizeof line, from_)) return NAN;
    return std::atof(line);
  }
  ~NumpyTimer() {
    if (to_) {
      std::fprintf(to_, "quit\n");
      std::fclose(to_);
    }
    if (from_) std::fclose(from_);
    if (pid_ > 0) waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
  std::string hello_;
};

bool write_file(const std::string& path, const void* data, size_t bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  const bool ok = std::fwrite(data, 1, bytes, f) == bytes;
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  size_t n = size_t{16} << 20;
  int rounds = 15;
  bool with_numpy = true;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      rounds = std::atoi(argv[++i]);
    } else if (a == "--n" && i + 1 < argc) {
      n = static_cast<size_t>(std::atoll(argv[++i]));
    } else if (a == "--no-numpy") {
      with_numpy = false;
    } else if (a == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--rounds N] [--n ELEMENTS] [--no-numpy] [--json FILE]\n", argv[0]);
      return 2;
    }
  }

  std::vector<float> in(n), copy(n), wide(n);
  std::vector<uint16_t> out16(n);
  std::vector<uint8_t> out8(n);
  std::mt19937_64 rng(20240601);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (float& x : in) x = normal(rng);
  // Touch every output page before timing anything.
  std::memset(copy.data(), 0, n * sizeof(float));
  std::memset(wide.data(), 0, n * sizeof(float));
  std::memset(out16.data(), 0, n * sizeof(uint16_t));
  std::memset(out8.data(), 0, n);

  using namespace mantissa::kernels;
  const KernelSet* sse2 = nullptr;
  const KernelSet* avx2 = nullptr;
  const KernelSet* f16c = nullptr;
  const KernelSet* avx512 = nullptr;
  for (const KernelSet* s : detail::runnable_kernel_sets()) {
    const std::string name = s->name;
    if (name == "sse2") sse2 = s;
    if (name == "avx2") avx2 = s;
    if (name == "f16c") f16c = s;
    if (name == "avx512") avx512 = s;
  }
  // Reads MANTISSA_KERNELS (exits 2 on a bad value) before anything is timed.
  const std::string best_path = kernel_path_for(Target::Fp16);
  const std::string forced = forced_kernel_path();
  const KernelSet& simd = detail::simd_kernels();

  // ---- fp32 -> fp16, rne: the headline table ----
  std::vector<Variant> main;
  main.push_back(
      {"scalar (core)", [&] { detail::kScalarKernels.fp32_to_fp16(in.data(), out16.data(), n, false); }, {}});
  if (sse2) main.push_back({"simd sse2", [&] { sse2->fp32_to_fp16(in.data(), out16.data(), n, false); }, {}});
  if (avx2) main.push_back({"simd avx2", [&] { avx2->fp32_to_fp16(in.data(), out16.data(), n, false); }, {}});
  if (f16c) main.push_back({"f16c", [&] { f16c->fp32_to_fp16(in.data(), out16.data(), n, false); }, {}});
  if (avx512) {
    main.push_back({"avx512", [&] { avx512->fp32_to_fp16(in.data(), out16.data(), n, false); }, {}});
  }
  const std::string best_name = "best (" + best_path + ")";
  main.push_back({best_name, [&] { fp32_to_fp16(in.data(), out16.data(), n, false, Impl::Best); }, {}});
  main.push_back({"memcpy (fp32 in)", [&] { std::memcpy(copy.data(), in.data(), n * sizeof(float)); }, {}});

  NumpyTimer numpy;
  std::string input_file, ours_file;
  if (with_numpy) {
    char dir_template[] = "/tmp/mantissa-bench-XXXXXX";
    const char* dir = mkdtemp(dir_template);
    simd.fp32_to_fp16(in.data(), out16.data(), n, false);
    if (dir) {
      input_file = std::string(dir) + "/in.f32";
      ours_file = std::string(dir) + "/ours.f16";
    }
    if (!dir || !write_file(input_file, in.data(), n * sizeof(float)) ||
        !write_file(ours_file, out16.data(), n * sizeof(uint16_t)) ||
        !numpy.start(bench_dir() + "/numpy_fp16.py", input_file, ours_file)) {
      std::fprintf(stderr, "numpy co-process failed to start (/usr/bin/python3 with python3-numpy?)\n");
      with_numpy = false;
    } else {
      main.push_back({"numpy astype", [] {}, {}});
      main.push_back({"numpy copyto (preallocated)", [] {}, {}});
    }
  }

  // Warm up (page faults, caches, clocks), then the interleaved rounds.
  for (Variant& v : main) {
    if (v.name.rfind("numpy", 0) != 0) v.run();
  }
  if (with_numpy) numpy.time("astype");
  for (int r = 0; r < rounds; ++r) {
    for (Variant& v : main) {
      if (v.name == "numpy astype") {
        v.seconds.push_back(numpy.time("astype"));
      } else if (v.name == "numpy copyto (preallocated)") {
        v.seconds.push_back(numpy.time("copyto"));
      } else {
        v.seconds.push_back(seconds_of(v.run));
      }
    }
  }

  const std::string model = cpu_model();
  const std::vector<std::string> features = cpu_features();
  std::printf("cpu: %s; features:", model.c_str());
  for (const std::string& f : features) std::printf(" %s", f.c_str());
  std::printf("\nkernel paths run here: ");
  for (const std::string& p : kernel_path_names(true)) std::printf("%s ", p.c_str());
  std::printf("(Best for fp16: %s%s%s)\n", best_path.c_str(),
              forced.empty() ? "" : ", forced by MANTISSA_KERNELS=", forced.c_str());
  const double mb = 1024.0 * 1024.0;
  std::printf("bytes: conversion reads %.0f MB, writes %.0f MB; memcpy reads %.0f MB, writes %.0f MB\n",
              n * 4 / mb, n * 2 / mb, n * 4 / mb, n * 4 / mb);

  std::map<std::string, double> med;
  std::printf(
      "fp32 -> fp16, round to nearest even, %zu elements (standard normal), median of %d interleaved "
      "rounds\n",
      n, rounds);
  if (with_numpy) std::printf("numpy co-process: %s\n", numpy.hello().c_str());
  std::printf("%-30s %10s %12s %10s\n", "variant", "ms", "G elem/s", "GB/s r+w");
  for (Variant& v : main) {
    med[v.name] = median(v.seconds);
    const double bytes = v.name.rfind("memcpy", 0) == 0 ? 8.0 * n : 6.0 * n;
    std::printf("%-30s %10.2f %12.3f %10.2f\n", v.name.c_str(), med[v.name] * 1e3, n / med[v.name] / 1e9,
                bytes / med[v.name] / 1e9);
  }

  const std::string simd_name = avx2 ? "simd avx2" : "simd sse2";
  std::map<std::string, double> ratios;
  auto ratio = [&](const std::string& key, const std::string& fast, const std::string& slow) {
    if (med.count(fast) && med.count(slow)) ratios[key] = med[slow] / med[fast];
  };
  ratio("native_best_vs_memcpy", best_name, "memcpy (fp32 in)");
  ratio("native_avx512_vs_f16c", "avx512", "f16c");
  ratio("native_simd_vs_f16c", simd_name, "f16c");
  ratio("native_simd_vs_numpy", simd_name, "numpy astype");
  ratio("native_simd_vs_numpy_copyto", simd_name, "numpy copyto (preallocated)");
  ratio("native_f16c_vs_memcpy", "f16c", "memcpy (fp32 in)");
  ratio("native_simd_vs_memcpy", simd_name, "memcpy (fp32 in)");
  ratio("native_simd_vs_scalar", simd_name, "scalar (core)");
  ratio("native_sse2_vs_f16c", "simd sse2", "f16c");
  std::printf("\nratios (speed of the first / speed of the second; %s is Impl::Simd here)\n",
              simd_name.c_str());
  for (const auto& [k, v] : ratios) std::printf("  %-30s %8.2f\n", k.c_str(), v);

  // ---- Every other kernel, SIMD vs scalar ----
  struct Kernel {
    std::string name;
    std::function<void(const KernelSet&)> run;
    bool (*has)(const KernelSet&);
  };
  const std::vector<Kernel> kernels = {
      {"fp32->bf16", [&](const KernelSet& s) { s.fp32_to_bf16(in.data(), out16.data(), n, false); },
       [](const KernelSet& s) { return s.fp32_to_bf16 != nullptr; }},
      {"fp32->fp8-e4m3", [&](const KernelSet& s) { s.fp32_to_fp8_e4m3(in.data(), out8.data(), n, false); },
       [](const KernelSet& s) { return s.fp32_to_fp8_e4m3 != nullptr; }},
      {"fp32->fp8-e5m2", [&](const KernelSet& s) { s.fp32_to_fp8_e5m2(in.data(), out8.data(), n, false); },
       [](const KernelSet& s) { return s.fp32_to_fp8_e5m2 != nullptr; }},
      {"fp32->fp16 stochastic",
       [&](const KernelSet& s) { s.fp32_to_fp16_stochastic(in.data(), out16.data(), n, 1, 0, false); },
       [](const KernelSet& s) { return s.fp32_to_fp16_stochastic != nullptr; }},
      {"fp32->bf16 stochastic",
       [&](const KernelSet& s) { s.fp32_to_bf16_stochastic(in.data(), out16.data(), n, 1, 0, false); },
       [](const KernelSet& s) { return s.fp32_to_bf16_stochastic != nullptr; }},
      {"fp16->fp32", [&](const KernelSet& s) { s.fp16_to_fp32(out16.data(), wide.data(), n); },
       [](const KernelSet& s) { return s.fp16_to_fp32 != nullptr; }},
      {"bf16->fp32", [&](const KernelSet& s) { s.bf16_to_fp32(out16.data(), wide.data(), n); },
       [](const KernelSet& s) { return s.bf16_to_fp32 != nullptr; }},
      {"fp8-e4m3->fp32", [&](const KernelSet& s) { s.fp8_e4m3_to_fp32(out8.data(), wide.data(), n); },
       [](const KernelSet& s) { return s.fp8_e4m3_to_fp32 != nullptr; }},
  };
  std::vector<const KernelSet*> sets = {&detail::kScalarKernels};
  for (const KernelSet* s : {sse2, avx2, f16c, avx512}) {
    if (s) sets.push_back(s);
  }
  const int other_rounds = std::max(3, rounds / 3);
  std::printf("\nother kernels, G elements/s, median of %d interleaved rounds\n%-24s", other_rounds,
              "kernel");
  for (const KernelSet* s : sets) std::printf(" %10s", s->name);
  std::printf("\n");
  std::map<std::string, double> other_throughput;
  for (const Kernel& k : kernels) {
    std::vector<std::vector<double>> t(sets.size());
    for (int r = 0; r < other_rounds; ++r) {
      for (size_t i = 0; i < sets.size(); ++i) {
        if (k.has(*sets[i])) t[i].push_back(seconds_of([&] { k.run(*sets[i]); }));
      }
    }
    std::printf("%-24s", k.name.c_str());
    for (size_t i = 0; i < sets.size(); ++i) {
      if (t[i].empty()) {
        std::printf(" %10s", "-");
      } else {
        const double g = n / median(t[i]) / 1e9;
        other_throughput[k.name + " " + sets[i]->name] = g;
        std::printf(" %10.3f", g);
      }
    }
    std::printf("\n");
  }

  if (!json_path.empty()) {
    FILE* f = std::fopen(json_path.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "cannot write %s\n", json_path.c_str());
      return 1;
    }
    std::fprintf(f, "{\n  \"elements\": %zu,\n  \"rounds\": %d,\n  \"simd_isa\": \"%s\",\n", n, rounds,
                 simd_isa());
    // (Names and the model string hold no quotes or backslashes.)
    std::fprintf(f, "  \"cpu\": {\"model\": \"%s\", \"features\": [", model.c_str());
    const char* sep = "";
    for (const std::string& feature : features) {
      std::fprintf(f, "%s\"%s\"", sep, feature.c_str());
      sep = ", ";
    }
    std::fprintf(f, "]},\n  \"best_path_fp16\": \"%s\",\n  \"forced_path\": \"%s\",\n", best_path.c_str(),
                 forced.c_str());
    std::fprintf(f,
                 "  \"bytes\": {\"conversion_read\": %zu, \"conversion_written\": %zu, \"memcpy_read\": %zu, "
                 "\"memcpy_written\": %zu},\n",
                 n * 4, n * 2, n * 4, n * 4);
    const auto same = [](double v) { return v; };
    std::fprintf(f, "  \"fp16_rne_ms\": ");
    bench::write_json_numbers(f, med, [](double v) { return v * 1e3; }, 4);
    std::fprintf(f, ",\n  \"fp16_rne_g_elements_per_s\": ");
    bench::write_json_numbers(f, med, [n](double v) { return n / v / 1e9; }, 4);
    std::fprintf(f, ",\n  \"other_kernels_g_elements_per_s\": ");
    bench::write_json_numbers(f, other_throughput, same, 4);
    std::fprintf(f, ",\n  \"ratios\": ");
    bench::write_json_numbers(f, ratios, same, 3);
    std::fprintf(f, "\n}\n");
    std::fclose(f);
  }
  if (!input_file.empty()) {
    std::remove(input_file.c_str());
    std::remove(ours_file.c_str());
    rmdir(input_file.substr(0, input_file.rfind('/')).c_str());
  }
  return 0;
}
