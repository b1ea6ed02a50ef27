// Internal: the tables of kernels behind kernels/convert.h, one per
// implementation / instruction set. The public functions pick a table; the
// tests walk every table this machine can run (including SSE2 on a machine
// that also has AVX2), so no implementation goes untested.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"  // cpu_has_avx2(), cpu_has_f16c() (x86 only)

namespace mantissa::kernels::detail {

using NarrowU16 = void (*)(const float* in, uint16_t* out, size_t n, bool saturate);
using NarrowU8 = void (*)(const float* in, uint8_t* out, size_t n, bool saturate);
using StochasticU16 = void (*)(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                               bool saturate);
using WidenU16 = void (*)(const uint16_t* in, float* out, size_t n);
using WidenU8 = void (*)(const uint8_t* in, float* out, size_t n);

// A null entry: the set has no kernel for that conversion (F16C only does fp16).
struct KernelSet {
  const char* name = "";  // "scalar", "sse2", "avx2", "f16c", "wasm-simd128"
  NarrowU16 fp32_to_fp16 = nullptr;
  NarrowU16 fp32_to_bf16 = nullptr;
  NarrowU8 fp32_to_fp8_e4m3 = nullptr;
  NarrowU8 fp32_to_fp8_e5m2 = nullptr;
  StochasticU16 fp32_to_fp16_stochastic = nullptr;
  StochasticU16 fp32_to_bf16_stochastic = nullptr;
  WidenU16 fp16_to_fp32 = nullptr;
  WidenU16 bf16_to_fp32 = nullptr;
  WidenU8 fp8_e4m3_to_fp32 = nullptr;
  WidenU8 fp8_e5m2_to_fp32 = nullptr;
};

// The reference: the core, element by element (convert.cpp).
extern const KernelSet kScalarKernels;

#if defined(__EMSCRIPTEN__)
extern const KernelSet kWasmSimd128Kernels;  // convert_wasm.cpp
#elif defined(__x86_64__) || defined(__i386__)
#define MANTISSA_KERNELS_X86 1
extern const KernelSet kSse2Kernels;  // convert_x86_sse2.cpp
extern const KernelSet kAvx2Kernels;  // convert_x86_avx2.cpp (run only when the CPU has AVX2)
extern const KernelSet kF16cKernels;  // convert_x86_f16c.cpp (run only with F16C + AVX)
#endif

// The set Impl::Simd runs (the widest instruction set the CPU has), and
// F16C's when the CPU has it (else null).
const KernelSet& simd_kernels();
const KernelSet* f16c_kernels();

// Every set this build can run on this CPU, the scalar reference first.
std::vector<const KernelSet*> runnable_kernel_sets();

}  // namespace mantissa::kernels::detail
