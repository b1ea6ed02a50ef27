// The public batch conversions: the scalar reference (the core, element by
// element) and the choice of kernel set behind each Impl.
#include "kernels/convert.h"

#include <cstring>

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

// cpu_has_avx2() / cpu_has_f16c(): kernels/cpu_features.h (shared with accumulate.cpp),
// included by kernel_sets.h.

const KernelSet& simd_kernels() {
#if defined(__EMSCRIPTEN__)
  return kWasmSimd128Kernels;
#elif defined(MANTISSA_KERNELS_X86)
  return cpu_has_avx2() ? kAvx2Kernels : kSse2Kernels;
#else
  return kScalarKernels;  // no SIMD kernels for this architecture yet
#endif
}

const KernelSet* f16c_kernels() {
#ifdef MANTISSA_KERNELS_X86
  if (cpu_has_f16c()) return &kF16cKernels;
#endif
  return nullptr;
}

std::vector<const KernelSet*> runnable_kernel_sets() {
  std::vector<const KernelSet*> sets = {&kScalarKernels};
#if defined(__EMSCRIPTEN__)
  sets.push_back(&kWasmSimd128Kernels);
#elif defined(MANTISSA_KERNELS_X86)
  sets.push_back(&kSse2Kernels);
  if (cpu_has_avx2()) sets.push_back(&kAvx2Kernels);
  if (cpu_has_f16c()) sets.push_back(&kF16cKernels);
#endif
  return sets;
}

}  // namespace detail

// ---- Public API ----------------------------------------------------------------

namespace {

using detail::KernelSet;

// F16C only has the fp16 round-to-nearest-even and widening kernels; where it
// has one, it is the fastest (it runs at memory bandwidth, see bench/).
const KernelSet& kernels_for(Impl impl, bool f16c_has_it) {
  switch (impl) {
    case Impl::Scalar:
      return detail::kScalarKernels;
    case Impl::Simd:
      return detail::simd_kernels();
    case Impl::F16C:
    case Impl::Best:
      if (f16c_has_it && detail::f16c_kernels()) return *detail::f16c_kernels();
      return detail::simd_kernels();
  }
  return detail::simd_kernels();
}

}  // namespace

void fp32_to_fp16(const float* in, uint16_t* out, size_t n, bool saturate, Impl impl) {
  kernels_for(impl, true).fp32_to_fp16(in, out, n, saturate);
}
void fp32_to_bf16(const float* in, uint16_t* out, size_t n, bool saturate, Impl impl) {
  kernels_for(impl, false).fp32_to_bf16(in, out, n, saturate);
}
void fp32_to_fp8_e4m3(const float* in, uint8_t* out, size_t n, bool saturate, Impl impl) {
  kernels_for(impl, false).fp32_to_fp8_e4m3(in, out, n, saturate);
}
void fp32_to_fp8_e5m2(const float* in, uint8_t* out, size_t n, bool saturate, Impl impl) {
  kernels_for(impl, false).fp32_to_fp8_e5m2(in, out, n, saturate);
}
void fp32_to_fp16_stochastic(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                             bool saturate, Impl impl) {
  kernels_for(impl, false).fp32_to_fp16_stochastic(in, out, n, seed, counter0, saturate);
}
void fp32_to_bf16_stochastic(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                             bool saturate, Impl impl) {
  kernels_for(impl, false).fp32_to_bf16_stochastic(in, out, n, seed, counter0, saturate);
}
void fp16_to_fp32(const uint16_t* in, float* out, size_t n, Impl impl) {
  kernels_for(impl, true).fp16_to_fp32(in, out, n);
}
void bf16_to_fp32(const uint16_t* in, float* out, size_t n, Impl impl) {
  kernels_for(impl, false).bf16_to_fp32(in, out, n);
}
void fp8_e4m3_to_fp32(const uint8_t* in, float* out, size_t n, Impl impl) {
  kernels_for(impl, false).fp8_e4m3_to_fp32(in, out, n);
}
void fp8_e5m2_to_fp32(const uint8_t* in, float* out, size_t n, Impl impl) {
  kernels_for(impl, false).fp8_e5m2_to_fp32(in, out, n);
}

const char* impl_name(Impl impl) {
  switch (impl) {
    case Impl::Scalar:
      return "scalar";
    case Impl::Simd:
      return "simd";
    case Impl::F16C:
      return "f16c";
    case Impl::Best:
      return "best";
  }
  return "?";
}

std::vector<Impl> available_impls() {
  std::vector<Impl> impls = {Impl::Scalar, Impl::Simd};
  if (detail::f16c_kernels()) impls.push_back(Impl::F16C);
  return impls;
}

Impl resolve_impl(Impl requested, Target target, bool stochastic) {
  // Both fp16 directions have an F16C kernel; nothing stochastic does.
  const bool f16c_has_it = target == Target::Fp16 && !stochastic && detail::f16c_kernels();
  switch (requested) {
    case Impl::Scalar:
      return Impl::Scalar;
    case Impl::Simd:
      return Impl::Simd;
    case Impl::F16C:
    case Impl::Best:
      return f16c_has_it ? Impl::F16C : Impl::Simd;
  }
  return Impl::Simd;
}

const char* simd_isa() { return detail::simd_kernels().name; }

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
