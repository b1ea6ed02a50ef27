// Block quantization throughput, natively: N fp32 values (standard normal,
// fixed seed; every 64th value times 100, an outlier per two MX blocks)
// quantized to scales + element codes by
//   scalar   the kernel's reference path (the core's scale rule and rounding
//            per element: kernels/block_quantize.cpp)
//   simd     the lane kernels (AVX2 here; MANTISSA_KERNELS caps them)
// for MXFP8 (e4m3), MXFP6 (e2m3), MXFP4, MXINT8 and NVFP4, and, in the same
// interleaved rounds, fp32 -> fp16 (round to nearest even, Impl::Best) and a
// memcpy of the input: the yardsticks the block figures are read against.
// Every round times each variant once, in the same order; medians over the
// rounds; ratios of medians, so everything is measured side by side. Rounds
// alternate between wall-clock time and this thread's CPU time (on a shared
// machine the wall time of a long call includes waiting to be scheduled).
// The SIMD codes are checked equal to the scalar ones before timing.
//
//   build/native/bench/bench_blocks [--rounds N] [--n ELEMENTS] [--json FILE]
//
// Ratio mx_quantize_simd_vs_scalar: the smaller of MXFP8's and MXFP4's
// speed-ups (the target: >= 4x).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "core/block_format.h"
#include "kernels/block_quantize.h"
#include "kernels/convert.h"

using namespace mantissa;
using namespace mantissa::kernels;
using bench::median;
using bench::seconds_of;
using bench::Variant;

int main(int argc, char** argv) {
  int rounds = 7;
  size_t n = size_t{1} << 22;
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rounds" && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--n" && i + 1 < argc) {
      n = std::max<size_t>(1024, std::strtoull(argv[++i], nullptr, 10));
    } else if (a == "--json" && i + 1 < argc) {
      json_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: bench_blocks [--rounds N] [--n ELEMENTS] [--json FILE]\n");
      return 2;
    }
  }
  std::vector<float> in(n);
  std::mt19937 rng(20261201);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (size_t i = 0; i < n; ++i) in[i] = normal(rng) * (i % 64 == 0 ? 100.0f : 1.0f);
  std::vector<uint8_t> scales(n), elements(n), scales_ref(n), elements_ref(n);
  std::vector<uint16_t> out16(n);
  std::vector<float> copy(n);

  std::vector<Variant> variants;
  std::map<std::string, std::string> paths;
  const char* formats[] = {"mxfp8-e4m3", "mxfp6-e2m3", "mxfp4", "mxint8", "nvfp4"};
  for (const char* name : formats) {
    BlockFormat f;
    std::string error;
    parse_block_format(name, &f, &error);
    BlockKernelSpec spec;
    block_kernel_spec(f, QuantizeOptions{}, &spec);
    paths[name] = block_kernel_path(spec);
    // Bit-identity first: the timing means nothing otherwise.
    quantize_blocks_f32(spec, in.data(), n, scales.data(), elements.data(), nullptr, BlockImpl::Best);
    quantize_blocks_f32(spec, in.data(), n, scales_ref.data(), elements_ref.data(), nullptr,
                        BlockImpl::Scalar);
    if (scales != scales_ref || elements != elements_ref) {
      std::fprintf(stderr, "%s: SIMD and scalar codes differ\n", name);
      return 1;
    }
    variants.push_back({std::string(name) + " scalar",
                        [&, spec] {
                          quantize_blocks_f32(spec, in.data(), n, scales.data(), elements.data(), nullptr,
                                              BlockImpl::Scalar);
                        },
                        {}});
    variants.push_back({std::string(name) + " simd",
                        [&, spec] {
                          quantize_blocks_f32(spec, in.data(), n, scales.data(), elements.data(), nullptr,
                                              BlockImpl::Best);
                        },
                        {}});
  }
  {
    BlockFormat f;
    std::string error;
    parse_block_format("mxfp4", &f, &error);
    BlockKernelSpec spec;
    block_kernel_spec(f, QuantizeOptions{}, &spec);
    variants.push_back({"mxfp4 simd + dequantized",
                        [&, spec] {
                          quantize_blocks_f32(spec, in.data(), n, scales.data(), elements.data(), copy.data(),
                                              BlockImpl::Best);
                        },
                        {}});
  }
  const std::string fp16_name = std::string("fp32->fp16 best (") + kernel_path_for(Target::Fp16) + ")";
  variants.push_back({fp16_name, [&] { fp32_to_fp16(in.data(), out16.data(), n, false, Impl::Best); }, {}});
  variants.push_back(
      {"memcpy (fp32 in)", [&] { std::memcpy(copy.data(), in.data(), n * sizeof(float)); }, {}});

  for (Variant& v : variants) v.run();  // warm-up
  // Even rounds time wall clock, odd rounds this thread's CPU time (the
  // machine is shared: see bench_timing.h), both interleaved.
  std::map<std::string, std::vector<double>> cpu_seconds;
  for (int r = 0; r < 2 * rounds; ++r) {
    for (Variant& v : variants) {
      if (r % 2 == 0) {
        v.seconds.push_back(seconds_of(v.run));
      } else {
        cpu_seconds[v.name].push_back(bench::thread_seconds_of(v.run));
      }
    }
  }

  const std::string model = bench::cpu_model();
  const std::string forced = forced_kernel_path();
  std::printf("cpu: %s; features:", model.c_str());
  for (const std::string& f : bench::cpu_features()) std::printf(" %s", f.c_str());
  std::printf("\n");
  std::printf(
      "block quantization, %zu fp32 elements (normal, every 64th x100), RNE, median of %d interleaved "
      "rounds%s%s\n",
      n, rounds, forced.empty() ? "" : ", forced MANTISSA_KERNELS=", forced.c_str());
  std::printf("%-34s %10s %12s %12s %12s\n", "variant", "wall ms", "G elem/s", "cpu ms", "G elem/s");
  std::map<std::string, double> med, cpu;
  for (Variant& v : variants) {
    med[v.name] = median(v.seconds);
    cpu[v.name] = median(cpu_seconds[v.name]);
    std::printf("%-34s %10.2f %12.3f %12.2f %12.3f\n", v.name.c_str(), med[v.name] * 1e3, n / med[v.name] / 1e9,
                cpu[v.name] * 1e3, n / cpu[v.name] / 1e9);
  }
  std::map<std::string, double> ratios;
  for (const char* name : formats) {
    ratios[std::string(name) + "_simd_vs_scalar"] =
        med[std::string(name) + " scalar"] / med[std::string(name) + " simd"];
  }
  ratios["mx_quantize_simd_vs_scalar"] =
      std::min(ratios["mxfp8-e4m3_simd_vs_scalar"], ratios["mxfp4_simd_vs_scalar"]);
  // The same from CPU time (less disturbed by other jobs on a shared machine).
  ratios["mx_quantize_simd_vs_scalar_cpu"] =
      std::min(cpu["mxfp8-e4m3 scalar"] / cpu["mxfp8-e4m3 simd"], cpu["mxfp4 scalar"] / cpu["mxfp4 simd"]);
  ratios["mxfp8_simd_vs_fp16_best_cpu"] = cpu[fp16_name] / cpu["mxfp8-e4m3 simd"];
  ratios["mxfp4_simd_vs_fp16_best_cpu"] = cpu[fp16_name] / cpu["mxfp4 simd"];
  ratios["mxfp8_simd_vs_fp16_best"] = med[fp16_name] / med["mxfp8-e4m3 simd"];
  ratios["mxfp4_simd_vs_fp16_best"] = med[fp16_name] / med["mxfp4 simd"];
  std::printf("\nsimd path: %s\nratios (speed of the first / speed of the second)\n", paths["mxfp4"].c_str());
  for (const auto& [k, v] : ratios) std::printf("  %-34s %8.2f\n", k.c_str(), v);

  if (!json_path.empty()) {
    FILE* f = std::fopen(json_path.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "cannot write %s\n", json_path.c_str());
      return 1;
    }
    std::fprintf(f,
                 "{\n  \"elements\": %zu,\n  \"rounds\": %d,\n  \"cpu\": \"%s\",\n  \"simd_path\": \"%s\",\n",
                 n, rounds, model.c_str(), paths["mxfp4"].c_str());
    const auto throughput = [n](double v) { return n / v / 1e9; };
    std::fprintf(f, "  \"fp16_name\": \"%s\",\n  \"g_elements_per_s\": ", fp16_name.c_str());
    bench::write_json_numbers(f, med, throughput, 4);
    std::fprintf(f, ",\n  \"cpu_g_elements_per_s\": ");
    bench::write_json_numbers(f, cpu, throughput, 4);
    std::fprintf(f, ",\n  \"ratios\": ");
    bench::write_json_numbers(f, ratios, [](double v) { return v; }, 3);
    std::fprintf(f, "\n}\n");
    std::fclose(f);
  }
  return 0;
}
