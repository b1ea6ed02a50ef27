// The public batch conversions: the scalar reference (the core, element by
// element) and the choice of kernel set behind each Impl.
#include "kernels/convert.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/rounding.h"
#include "kernels/kernel_sets.h"

namespace mantissa::kernels {
namespace detail {
namespace {

// ---- The scalar reference: exactly what the core does -----------------------

template <class Out>
void core_narrow(const Format& format, const float* in, Out* out, size_t n, const RoundingOptions& opt) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<Out>(round_double(format, in[i], opt).bits);
}

RoundingOptions nearest_even(bool saturate) {
  RoundingOptions opt;
  opt.saturate = saturate;
  return opt;
}

void scalar_fp32_to_fp16(const float* in, uint16_t* out, size_t n, bool saturate) {
  core_narrow(fp16(), in, out, n, nearest_even(saturate));
}
void scalar_fp32_to_bf16(const float* in, uint16_t* out, size_t n, bool saturate) {
  core_narrow(bf16(), in, out, n, nearest_even(saturate));
}
void scalar_fp32_to_fp8_e4m3(const float* in, uint8_t* out, size_t n, bool saturate) {
  core_narrow(fp8_e4m3(), in, out, n, nearest_even(saturate));
}
void scalar_fp32_to_fp8_e5m2(const float* in, uint8_t* out, size_t n, bool saturate) {
  core_narrow(fp8_e5m2(), in, out, n, nearest_even(saturate));
}

void core_stochastic(const Format& format, const float* in, uint16_t* out, size_t n, uint64_t seed,
                     uint64_t counter0, bool saturate) {
  RoundingOptions opt;
  opt.mode = RoundingMode::Stochastic;
  opt.seed = seed;
  opt.saturate = saturate;
  for (size_t i = 0; i < n; ++i) {
    opt.counter = counter0 + i;  // element i draws from counter0 + i (wrapping like the kernels)
    out[i] = static_cast<uint16_t>(round_double(format, in[i], opt).bits);
  }
}
void scalar_fp32_to_fp16_stochastic(const float* in, uint16_t* out, size_t n, uint64_t seed,
                                    uint64_t counter0, bool saturate) {
  core_stochastic(fp16(), in, out, n, seed, counter0, saturate);
}
void scalar_fp32_to_bf16_stochastic(const float* in, uint16_t* out, size_t n, uint64_t seed,
                                    uint64_t counter0, bool saturate) {
  core_stochastic(bf16(), in, out, n, seed, counter0, saturate);
}

template <class In>
void core_widen(const Format& format, const In* in, float* out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const uint32_t bits = static_cast<uint32_t>(convert_bits(format, in[i], fp32()).bits);
    std::memcpy(&out[i], &bits, sizeof bits);
  }
}
void scalar_fp16_to_fp32(const uint16_t* in, float* out, size_t n) { core_widen(fp16(), in, out, n); }
void scalar_bf16_to_fp32(const uint16_t* in, float* out, size_t n) { core_widen(bf16(), in, out, n); }
void scalar_fp8_e4m3_to_fp32(const uint8_t* in, float* out, size_t n) { core_widen(fp8_e4m3(), in, out, n); }
void scalar_fp8_e5m2_to_fp32(const uint8_t* in, float* out, size_t n) { core_widen(fp8_e5m2(), in, out, n); }

}  // namespace

const KernelSet kScalarKernels = {"scalar",
                                  &scalar_fp32_to_fp16,
                                  &scalar_fp32_to_bf16,
                                  &scalar_fp32_to_fp8_e4m3,
                                  &scalar_fp32_to_fp8_e5m2,
                                  &scalar_fp32_to_fp16_stochastic,
                                  &scalar_fp32_to_bf16_stochastic,
                                  &scalar_fp16_to_fp32,
                                  &scalar_bf16_to_fp32,
                                  &scalar_fp8_e4m3_to_fp32,
                                  &scalar_fp8_e5m2_to_fp32};

// ---- What this machine can run ----------------------------------------------

// cpu_has_avx2() / cpu_has_f16c() / cpu_has_avx512*(): kernels/cpu_features.h
// (shared with accumulate.cpp), included by kernel_sets.h.

const std::vector<KernelPath>& kernel_paths() {
  static const std::vector<KernelPath> paths = [] {
    std::vector<KernelPath> p = {{"scalar", &kScalarKernels, false, "nothing"}};
#if defined(__EMSCRIPTEN__)
    p.push_back({"wasm-simd128", &kWasmSimd128Kernels, true, "wasm SIMD128"});
#elif defined(MANTISSA_KERNELS_X86)
    p.push_back({"sse2", &kSse2Kernels, true, "SSE2"});
    p.push_back({"avx2", cpu_has_avx2() ? &kAvx2Kernels : nullptr, true, "AVX2"});
    p.push_back({"f16c", cpu_has_f16c() ? &kF16cKernels : nullptr, false, "F16C and AVX"});
    p.push_back({"avx512",
                 cpu_has_avx512_bf16() ? &kAvx512Bf16Kernels
                 : cpu_has_avx512()    ? &kAvx512Kernels
                                       : nullptr,
                 false, "AVX-512 F, BW, VL and DQ (and AVX512_BF16 for fp32 -> bf16)"});
#endif
    return p;
  }();
  return paths;
}

std::vector<const KernelSet*> runnable_kernel_sets() {
  std::vector<const KernelSet*> sets;
  for (const KernelPath& p : kernel_paths()) {
    if (p.set) sets.push_back(p.set);
  }
  return sets;
}

namespace {

// ---- Forcing a path ----------------------------------------------------------
// The index in kernel_paths() of the highest path any Impl may run (-1: the
// top one, nothing forced). Read from MANTISSA_KERNELS once, before the first
// conversion or force_kernel_path().

constexpr int kNothingForced = -1;
std::atomic<int> forced_path{kNothingForced};

std::string known_paths_list(bool runnable_only) {
  std::string list;
  for (const KernelPath& p : kernel_paths()) {
    if (runnable_only && !p.set) continue;
    list += (list.empty() ? "" : ", ") + std::string(p.name);
  }
  return list;
}

// "" and the index of `name` in kernel_paths(), or why it cannot be forced.
std::string find_path(const std::string& name, int* index) {
  const std::vector<KernelPath>& paths = kernel_paths();
  for (size_t i = 0; i < paths.size(); ++i) {
    if (name != paths[i].name) continue;
    if (!paths[i].set) {
      return "this CPU cannot run the '" + name + "' kernels (they need " + paths[i].needs +
             "); it runs: " + known_paths_list(true);
    }
    *index = static_cast<int>(i);
    return "";
  }
  return "unknown kernel path '" + name.substr(0, 40) + "' (this build knows: " + known_paths_list(false) +
         ")";
}

void apply_environment() {
  const char* value = std::getenv("MANTISSA_KERNELS");
  if (!value || !*value) return;
  int index = kNothingForced;
  const std::string error = find_path(value, &index);
  if (!error.empty()) {
    // A bad value is a usage error of whatever program runs us: say so and
    // stop, rather than quietly run other kernels than the ones asked for.
    std::fprintf(stderr, "MANTISSA_KERNELS=%.40s: %s\n", value, error.c_str());
    std::exit(2);
  }
  forced_path.store(index);
}

// The highest path index any Impl may run.
int ceiling() {
  static const bool environment_read = (apply_environment(), true);  // once, thread-safe
  (void)environment_read;
  const int forced = forced_path.load(std::memory_order_relaxed);
  return forced == kNothingForced ? static_cast<int>(kernel_paths().size()) - 1 : forced;
}

// The integer kernels at or below the ceiling (scalar when that is scalar).
const KernelSet& simd_at_or_below(int top) {
  const std::vector<KernelPath>& paths = kernel_paths();
  for (int i = top; i >= 0; --i) {
    if (paths[i].set && paths[i].integer) return *paths[i].set;
  }
  return kScalarKernels;
}

}  // namespace

const KernelSet& simd_kernels() { return simd_at_or_below(ceiling()); }

// The set that runs `entry` for `impl`: Best takes the highest path at or
// below the ceiling that has the conversion; F16C and Avx512 take that path
// when it is allowed and has it, else Simd.
template <class Fn>
const KernelSet& kernels_for(Impl impl, Fn KernelSet::*entry) {
  const std::vector<KernelPath>& paths = kernel_paths();
  const int top = ceiling();
  auto named = [&](const char* name) -> const KernelSet* {
    for (int i = top; i >= 0; --i) {
      if (paths[i].set && paths[i].set->*entry && std::strcmp(paths[i].name, name) == 0) return paths[i].set;
    }
    return nullptr;
  };
  switch (impl) {
    case Impl::Scalar:
      return kScalarKernels;
    case Impl::Simd:
      return simd_at_or_below(top);
    case Impl::F16C:
    case Impl::Avx512: {
      const KernelSet* set = named(impl == Impl::F16C ? "f16c" : "avx512");
      return set ? *set : simd_at_or_below(top);
    }
    case Impl::Best:
      break;
  }
  for (int i = top; i >= 0; --i) {
    if (paths[i].set && paths[i].set->*entry) return *paths[i].set;
  }
  return kScalarKernels;
}

}  // namespace detail

// ---- Public API ----------------------------------------------------------------

namespace {

using detail::kernels_for;
using detail::KernelSet;

Impl impl_of(const KernelSet& set) {
  if (&set == &detail::kScalarKernels) return Impl::Scalar;
  const std::string name = set.name;
  if (name == "f16c") return Impl::F16C;
  if (name == "avx512") return Impl::Avx512;
  return Impl::Simd;
}

}  // namespace

void fp32_to_fp16(const float* in, uint16_t* out, size_t n, bool saturate, Impl impl) {
  kernels_for(impl, &KernelSet::fp32_to_fp16).fp32_to_fp16(in, out, n, saturate);
}
void fp32_to_bf16(const float* in, uint16_t* out, size_t n, bool saturate, Impl impl) {
  kernels_for(impl, &KernelSet::fp32_to_bf16).fp32_to_bf16(in, out, n, saturate);
}
void fp32_to_fp8_e4m3(const float* in, uint8_t* out, size_t n, bool saturate, Impl impl) {
  kernels_for(impl, &KernelSet::fp32_to_fp8_e4m3).fp32_to_fp8_e4m3(in, out, n, saturate);
}
void fp32_to_fp8_e5m2(const float* in, uint8_t* out, size_t n, bool saturate, Impl impl) {
  kernels_for(impl, &KernelSet::fp32_to_fp8_e5m2).fp32_to_fp8_e5m2(in, out, n, saturate);
}
void fp32_to_fp16_stochastic(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                             bool saturate, Impl impl) {
  kernels_for(impl, &KernelSet::fp32_to_fp16_stochastic)
      .fp32_to_fp16_stochastic(in, out, n, seed, counter0, saturate);
}
void fp32_to_bf16_stochastic(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                             bool saturate, Impl impl) {
  kernels_for(impl, &KernelSet::fp32_to_bf16_stochastic)
      .fp32_to_bf16_stochastic(in, out, n, seed, counter0, saturate);
}
void fp16_to_fp32(const uint16_t* in, float* out, size_t n, Impl impl) {
  kernels_for(impl, &KernelSet::fp16_to_fp32).fp16_to_fp32(in, out, n);
}
void bf16_to_fp32(const uint16_t* in, float* out, size_t n, Impl impl) {
  kernels_for(impl, &KernelSet::bf16_to_fp32).bf16_to_fp32(in, out, n);
}
void fp8_e4m3_to_fp32(const uint8_t* in, float* out, size_t n, Impl impl) {
  kernels_for(impl, &KernelSet::fp8_e4m3_to_fp32).fp8_e4m3_to_fp32(in, out, n);
}
void fp8_e5m2_to_fp32(const uint8_t* in, float* out, size_t n, Impl impl) {
  kernels_for(impl, &KernelSet::fp8_e5m2_to_fp32).fp8_e5m2_to_fp32(in, out, n);
}

const char* impl_name(Impl impl) {
  switch (impl) {
    case Impl::Scalar:
      return "scalar";
    case Impl::Simd:
      return "simd";
    case Impl::F16C:
      return "f16c";
    case Impl::Avx512:
      return "avx512";
    case Impl::Best:
      return "best";
  }
  return "?";
}

std::vector<Impl> available_impls() {
  std::vector<Impl> impls = {Impl::Scalar, Impl::Simd};
  for (const detail::KernelPath& p : detail::kernel_paths()) {
    if (!p.set) continue;
    if (std::strcmp(p.name, "f16c") == 0) impls.push_back(Impl::F16C);
    if (std::strcmp(p.name, "avx512") == 0) impls.push_back(Impl::Avx512);
  }
  return impls;
}

Impl resolve_impl(Impl requested, Target target, bool stochastic) {
  if (stochastic) {
    return impl_of(target == Target::Bf16 ? kernels_for(requested, &KernelSet::fp32_to_bf16_stochastic)
                                          : kernels_for(requested, &KernelSet::fp32_to_fp16_stochastic));
  }
  switch (target) {
    case Target::Fp16:
      return impl_of(kernels_for(requested, &KernelSet::fp32_to_fp16));
    case Target::Bf16:
      return impl_of(kernels_for(requested, &KernelSet::fp32_to_bf16));
    case Target::Fp8E4M3:
      return impl_of(kernels_for(requested, &KernelSet::fp32_to_fp8_e4m3));
    case Target::Fp8E5M2:
      return impl_of(kernels_for(requested, &KernelSet::fp32_to_fp8_e5m2));
  }
  return Impl::Simd;
}

const char* simd_isa() { return detail::simd_kernels().name; }

const char* kernel_path_for(Target target, bool stochastic) {
  if (stochastic) {
    return (target == Target::Bf16 ? kernels_for(Impl::Best, &KernelSet::fp32_to_bf16_stochastic)
                                   : kernels_for(Impl::Best, &KernelSet::fp32_to_fp16_stochastic))
        .name;
  }
  switch (target) {
    case Target::Fp16:
      return kernels_for(Impl::Best, &KernelSet::fp32_to_fp16).name;
    case Target::Bf16:
      return kernels_for(Impl::Best, &KernelSet::fp32_to_bf16).name;
    case Target::Fp8E4M3:
      return kernels_for(Impl::Best, &KernelSet::fp32_to_fp8_e4m3).name;
    case Target::Fp8E5M2:
      return kernels_for(Impl::Best, &KernelSet::fp32_to_fp8_e5m2).name;
  }
  return "?";
}

std::vector<std::string> kernel_path_names(bool runnable_only) {
  std::vector<std::string> names;
  for (const detail::KernelPath& p : detail::kernel_paths()) {
    if (p.set || !runnable_only) names.push_back(p.name);
  }
  return names;
}

std::string force_kernel_path(const std::string& name) {
  detail::ceiling();  // the environment first, so it cannot override this call later
  if (name.empty()) {
    detail::forced_path.store(detail::kNothingForced);
    return "";
  }
  int index = detail::kNothingForced;
  std::string error = detail::find_path(name, &index);
  if (error.empty()) detail::forced_path.store(index);
  return error;
}

std::string forced_kernel_path() {
  detail::ceiling();
  const int forced = detail::forced_path.load();
  return forced == detail::kNothingForced ? "" : detail::kernel_paths()[static_cast<size_t>(forced)].name;
}

void round_trip(Target target, const float* in, float* out, size_t n, Impl impl) {
  // In pieces through a buffer on the stack: no allocation per call.
  constexpr size_t kPiece = 1024;
  uint16_t narrow16[kPiece];
  uint8_t narrow8[kPiece];
  for (size_t done = 0; done < n; done += kPiece) {
    const size_t k = std::min(kPiece, n - done);
    const float* x = in + done;
    float* y = out + done;
    switch (target) {
      case Target::Fp16:
        fp32_to_fp16(x, narrow16, k, false, impl), fp16_to_fp32(narrow16, y, k, impl);
        break;
      case Target::Bf16:
        fp32_to_bf16(x, narrow16, k, false, impl), bf16_to_fp32(narrow16, y, k, impl);
        break;
      case Target::Fp8E4M3:
        fp32_to_fp8_e4m3(x, narrow8, k, false, impl), fp8_e4m3_to_fp32(narrow8, y, k, impl);
        break;
      case Target::Fp8E5M2:
        fp32_to_fp8_e5m2(x, narrow8, k, false, impl), fp8_e5m2_to_fp32(narrow8, y, k, impl);
        break;
    }
  }
}

const Format& target_format(Target target) {
  switch (target) {
    case Target::Fp16:
      return fp16();
    case Target::Bf16:
      return bf16();
    case Target::Fp8E4M3:
      return fp8_e4m3();
    case Target::Fp8E5M2:
      return fp8_e5m2();
  }
  return fp16();
}

std::optional<Target> target_of(const Format& format) {
  for (Target t : {Target::Fp16, Target::Bf16, Target::Fp8E4M3, Target::Fp8E5M2}) {
    if (target_format(t) == format) return t;
  }
  return std::nullopt;
}

}  // namespace mantissa::kernels
