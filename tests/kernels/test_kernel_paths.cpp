// Kernel paths: which ones this machine runs (printed at start-up, with the
// ones skipped and why), forcing each of them through force_kernel_path() and
// MANTISSA_KERNELS, and what the public functions then run. The bit-identity
// of every set on every input is in the other files of this folder; here
// every forced path goes through the public API, so an AVX-512 machine also
// runs its AVX2 and SSE2 paths the way a user forcing them would.
#include <catch2/catch.hpp>

#if !defined(__EMSCRIPTEN__)
#include <sys/wait.h>  // WIFEXITED: the MANTISSA_KERNELS test runs this suite as a child
#include <unistd.h>    // readlink
#endif

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "kernels/convert.h"
#include "kernels_test_support.h"

using namespace kernels_test;
using mantissa::kernels::Impl;
using mantissa::kernels::Target;

namespace {

// How many elements differ (a failing CHECK on the vectors themselves would
// print all of them).
template <class T>
size_t differences(const std::vector<T>& a, const std::vector<T>& b) {
  size_t count = 0;
  for (size_t i = 0; i < a.size(); ++i) count += a[i] != b[i];
  return count;
}

// Printed once per run of the suite, whatever the filter: a log that shows a
// green run also shows what it did not cover.
const bool kPathsReported = [] {
  std::string running, skipped;
  for (const auto& p : mantissa::kernels::detail::kernel_paths()) {
    if (p.set) {
      running += (running.empty() ? "" : ", ") + std::string(p.name);
    } else {
      skipped += std::string(skipped.empty() ? "" : "; ") + p.name + " (CPU lacks " + p.needs + ")";
    }
  }
#if defined(__x86_64__) && !defined(__EMSCRIPTEN__)
  if (mantissa::kernels::cpu_has_avx512() && !mantissa::kernels::cpu_has_avx512_bf16()) {
    skipped += std::string(skipped.empty() ? "" : "; ") +
               "avx512 fp32->bf16 (CPU lacks AVX512_BF16: that conversion runs on the integer kernels)";
  }
  // No kernel uses AVX512-FP16 (see convert_x86_avx512.cpp); say so either way.
  skipped += std::string(skipped.empty() ? "" : "; ") + "avx512fp16 (no such kernel set" +
             (mantissa::kernels::cpu_has_avx512_fp16() ? ")" : "; the CPU lacks it too)");
#endif
  std::printf("kernels: running %s\n", running.c_str());
  if (!skipped.empty()) std::printf("kernels: skipped %s\n", skipped.c_str());
  std::fflush(stdout);
  return true;
}();

// Lifts any forcing when a test ends, pass or fail.
struct ForcedPath {
  explicit ForcedPath(const std::string& name) { error = mantissa::kernels::force_kernel_path(name); }
  ~ForcedPath() { mantissa::kernels::force_kernel_path(""); }
  std::string error;
};

size_t path_index(const std::string& name) {
  const auto& paths = mantissa::kernels::detail::kernel_paths();
  for (size_t i = 0; i < paths.size(); ++i) {
    if (name == paths[i].name) return i;
  }
  FAIL("no kernel path named " << name);
  return 0;
}

// Every public fp32 -> 16-bit conversion through Impl::Best against the
// scalar set, plain and saturating, and every 16-bit pattern widened.
void public_functions_match_scalar(const std::string& path) {
  const mantissa::kernels::detail::KernelSet& scalar = mantissa::kernels::detail::kScalarKernels;
  std::vector<float> in = spread_sample(1 << 16);
  for (const Format& (*f)() : {&mantissa::fp16, &mantissa::bf16}) {
    const std::vector<float> b = boundary_inputs(f());
    in.insert(in.end(), b.begin(), b.end());
  }
  const size_t n = in.size();
  std::vector<uint16_t> got(n), want(n);
  std::vector<uint8_t> got8(n), want8(n);
  for (bool saturate : {false, true}) {
    INFO(path << (saturate ? " saturating" : ""));
    mantissa::kernels::fp32_to_fp16(in.data(), got.data(), n, saturate);
    scalar.fp32_to_fp16(in.data(), want.data(), n, saturate);
    CHECK(differences(got, want) == 0);
    mantissa::kernels::fp32_to_bf16(in.data(), got.data(), n, saturate);
    scalar.fp32_to_bf16(in.data(), want.data(), n, saturate);
    CHECK(differences(got, want) == 0);
    mantissa::kernels::fp32_to_fp8_e4m3(in.data(), got8.data(), n, saturate);
    scalar.fp32_to_fp8_e4m3(in.data(), want8.data(), n, saturate);
    CHECK(differences(got8, want8) == 0);
    mantissa::kernels::fp32_to_fp16_stochastic(in.data(), got.data(), n, 3, 11, saturate);
    scalar.fp32_to_fp16_stochastic(in.data(), want.data(), n, 3, 11, saturate);
    CHECK(differences(got, want) == 0);
  }
  std::vector<uint16_t> patterns(1 << 16);
  for (uint32_t p = 0; p < patterns.size(); ++p) patterns[p] = static_cast<uint16_t>(p);
  std::vector<float> wide(patterns.size()), wide_want(patterns.size());
  for (bool bf16 : {false, true}) {
    INFO(path << (bf16 ? " bf16" : " fp16") << " -> fp32");
    if (bf16) {
      mantissa::kernels::bf16_to_fp32(patterns.data(), wide.data(), patterns.size());
      scalar.bf16_to_fp32(patterns.data(), wide_want.data(), patterns.size());
    } else {
      mantissa::kernels::fp16_to_fp32(patterns.data(), wide.data(), patterns.size());
      scalar.fp16_to_fp32(patterns.data(), wide_want.data(), patterns.size());
    }
    uint32_t bad = 0;
    for (size_t i = 0; i < wide.size(); ++i) bad += bits_of(wide[i]) != bits_of(wide_want[i]);
    CHECK(bad == 0);
  }
}

}  // namespace

TEST_CASE("every path this CPU runs, forced, runs at or below itself and converts like the scalar reference",
          "[kernels][paths]") {
  REQUIRE(kPathsReported);
  const std::vector<std::string> runnable = mantissa::kernels::kernel_path_names(true);
  REQUIRE(runnable.front() == "scalar");
  for (const std::string& path : runnable) {
    ForcedPath forced(path);
    REQUIRE(forced.error.empty());
    CHECK(mantissa::kernels::forced_kernel_path() == path);
    const size_t cap = path_index(path);
    for (Target t : {Target::Fp16, Target::Bf16, Target::Fp8E4M3, Target::Fp8E5M2}) {
      INFO(path << ": Best for " << mantissa::kernels::target_format(t).name << " runs "
                << mantissa::kernels::kernel_path_for(t));
      CHECK(path_index(mantissa::kernels::kernel_path_for(t)) <= cap);
    }
    // The forced path itself runs where it has the conversion: fp16 RNE is in
    // every path (F16C and AVX-512 included).
    CHECK(mantissa::kernels::kernel_path_for(Target::Fp16) == path);
    CHECK(path_index(mantissa::kernels::simd_isa()) <= cap);
    public_functions_match_scalar(path);
  }
  CHECK(mantissa::kernels::forced_kernel_path().empty());
  // Unforced, Best runs the top path that has fp16.
  CHECK(mantissa::kernels::kernel_path_for(Target::Fp16) == runnable.back());
}

TEST_CASE("forcing an unknown path or one the CPU lacks is refused with the reason, and changes nothing",
          "[kernels][paths]") {
  const std::string before = mantissa::kernels::kernel_path_for(Target::Fp16);
  const std::string unknown = mantissa::kernels::force_kernel_path("avx1024");
  CHECK(unknown.find("unknown kernel path 'avx1024'") != std::string::npos);
  CHECK(unknown.find("scalar") != std::string::npos);  // lists what the build knows
  CHECK(mantissa::kernels::forced_kernel_path().empty());
  for (const std::string& path : mantissa::kernels::kernel_path_names(false)) {
    const std::vector<std::string> runnable = mantissa::kernels::kernel_path_names(true);
    if (std::find(runnable.begin(), runnable.end(), path) != runnable.end()) continue;
    const std::string lacking = mantissa::kernels::force_kernel_path(path);
    INFO(path << ": " << lacking);
    CHECK(lacking.find("this CPU cannot run") != std::string::npos);
    CHECK(mantissa::kernels::forced_kernel_path().empty());
  }
  CHECK(mantissa::kernels::kernel_path_for(Target::Fp16) == before);
}

#if !defined(__EMSCRIPTEN__)
// Run by the next test in a child process with MANTISSA_KERNELS set: reports
// what the variable did.
TEST_CASE("(child) report the path MANTISSA_KERNELS forced", "[.environment]") {
  float x = 1.0f;
  uint16_t h;
  mantissa::kernels::fp32_to_fp16(&x, &h, 1);  // the variable is read at the first conversion
  std::printf("forced=%s fp16=%s result=%04x\n", mantissa::kernels::forced_kernel_path().c_str(),
              mantissa::kernels::kernel_path_for(Target::Fp16), h);
}

namespace {
struct ChildRun {
  std::string output;
  int status;
};
ChildRun run_child(const std::string& value) {
  // This executable's path (in the shell popen starts, /proc/self is the shell).
  char self[4096] = {};
  REQUIRE(readlink("/proc/self/exe", self, sizeof self - 1) > 0);
  const std::string command =
      "MANTISSA_KERNELS='" + value + "' '" + self + "' '[.environment]' --use-colour no 2>&1";
  ChildRun run{"", -1};
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe);
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) run.output += buf;
  const int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}
}  // namespace

TEST_CASE("MANTISSA_KERNELS forces each path this CPU runs; a bad value exits 2 with the reason",
          "[kernels][paths]") {
  for (const std::string& path : mantissa::kernels::kernel_path_names(true)) {
    const ChildRun run = run_child(path);
    INFO(run.output);
    CHECK(run.status == 0);
    CHECK(run.output.find("forced=" + path + " fp16=" + path + " result=3c00") != std::string::npos);
  }
  const ChildRun bogus = run_child("avx9000");
  INFO(bogus.output);
  CHECK(bogus.status == 2);
  CHECK(bogus.output.find("MANTISSA_KERNELS=avx9000: unknown kernel path") != std::string::npos);
  for (const std::string& path : mantissa::kernels::kernel_path_names(false)) {
    const std::vector<std::string> runnable = mantissa::kernels::kernel_path_names(true);
    if (std::find(runnable.begin(), runnable.end(), path) != runnable.end()) continue;
    const ChildRun lacking = run_child(path);
    INFO(lacking.output);
    CHECK(lacking.status == 2);
    CHECK(lacking.output.find("this CPU cannot run the '" + path + "' kernels") != std::string::npos);
  }
}
#endif
