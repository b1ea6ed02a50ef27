// Shared by the native benchmarks: timing one call, medians of rounds, the
// variant a round times, and the CPU they ran on (printed with every result).
#pragma once
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kernels/cpu_features.h"

namespace bench {

inline double seconds_of(const std::function<void()>& run) {
  const auto t0 = std::chrono::steady_clock::now();
  run();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The CPU time this thread spent in one call: on a machine shared with
// other jobs, the wall time of a call also counts the time it waited to be
// scheduled, the CPU time does not.
inline double thread_seconds_of(const std::function<void()>& run) {
  timespec t0, t1;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
  run();
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
  return static_cast<double>(t1.tv_sec - t0.tv_sec) + 1e-9 * static_cast<double>(t1.tv_nsec - t0.tv_nsec);
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// The bench/ folder of the source tree (numpy co-processes live there):
// CMake passes it to every bench program, so they run from any folder.
inline std::string bench_dir() { return MANTISSA_BENCH_DIR; }

// The CPU's model name, from /proc/cpuinfo ("unknown" elsewhere).
inline std::string cpu_model() {
  FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (!f) return "unknown";
  char line[512];
  std::string model = "unknown";
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "model name", 10) != 0) continue;
    const char* colon = std::strchr(line, ':');
    if (colon) {
      model = colon + 1;
      while (!model.empty() && (model.front() == ' ' || model.front() == '\t')) model.erase(0, 1);
      while (!model.empty() && (model.back() == '\n' || model.back() == ' ')) model.pop_back();
    }
    break;
  }
  std::fclose(f);
  return model;
}

// The instruction sets the kernels look for: present ones, then "no-<name>".
inline std::vector<std::string> cpu_features() {
  using namespace mantissa::kernels;
  const std::pair<const char*, bool> all[] = {
      {"sse2", true},
      {"avx2", cpu_has_avx2()},
      {"f16c", cpu_has_f16c()},
      {"avx512(f,bw,vl,dq)", cpu_has_avx512()},
      {"avx512_bf16", cpu_has_avx512_bf16()},
      {"avx512_fp16", cpu_has_avx512_fp16()},
  };
  std::vector<std::string> out;
  for (const auto& [name, has] : all) out.push_back(has ? name : std::string("no-") + name);
  return out;
}

// {"name": value, ...} into a JSON file: each value f(v) with `digits`
// decimals (names hold no quotes or backslashes).
inline void write_json_numbers(FILE* out, const std::map<std::string, double>& values,
                               const std::function<double(double)>& f, int digits) {
  std::fprintf(out, "{");
  const char* sep = "";
  for (const auto& [k, v] : values) {
    std::fprintf(out, "%s\"%s\": %.*f", sep, k.c_str(), digits, f(v));
    sep = ", ";
  }
  std::fprintf(out, "}");
}

// One timed variant of an interleaved benchmark: its seconds per round.
struct Variant {
  std::string name;
  std::function<void()> run;
  std::vector<double> seconds;
};

}  // namespace bench
