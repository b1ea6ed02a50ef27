// Internal: the tables of kernels behind kernels/convert.h, one per
// implementation / instruction set. The public functions pick a table; the
// tests walk every table this machine can run (including SSE2 on a machine
// that also has AVX2), so no implementation goes untested.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/cpu_features.h"  // cpu_has_avx2(), cpu_has_f16c(), ... (x86 only)

namespace mantissa::kernels::detail {

using NarrowU16 = void (*)(const float* in, uint16_t* out, size_t n, bool saturate);
using NarrowU8 = void (*)(const float* in, uint8_t* out, size_t n, bool saturate);
using StochasticU16 = void (*)(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                               bool saturate);
using WidenU16 = void (*)(const uint16_t* in, float* out, size_t n);
using WidenU8 = void (*)(const uint8_t* in, float* out, size_t n);

// A null entry: the set has no kernel for that conversion (F16C only does
// fp16; AVX-512 fp16 and bf16).
struct KernelSet {
  const char* name = "";  // "scalar", "sse2", "avx2", "f16c", "avx512", "wasm-simd128"
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
// convert_x86_avx512.cpp (run only with AVX-512 F/BW/VL/DQ); the second adds
// fp32 -> bf16 by vcvtneps2bf16, for CPUs with AVX512_BF16 too.
extern const KernelSet kAvx512Kernels;
extern const KernelSet kAvx512Bf16Kernels;
#endif

// The kernel paths this build knows, slowest first (the order Best searches
// backwards): natively scalar, sse2, avx2, f16c, avx512; in wasm scalar,
// wasm-simd128. `set` is null where this CPU cannot run the path, and `needs`
// says what it needs. `integer`: a set of the branch-free integer kernels
// (convert_lanes.h), which has every conversion; the others (f16c, avx512)
// have only those with a hardware instruction.
struct KernelPath {
  const char* name;
  const KernelSet* set;
  bool integer;
  const char* needs;
};
const std::vector<KernelPath>& kernel_paths();

// The set Impl::Simd runs (the widest integer kernels the CPU has, at or
// below a forced path).
const KernelSet& simd_kernels();

// Every set this build can run on this CPU, the scalar reference first.
std::vector<const KernelSet*> runnable_kernel_sets();

}  // namespace mantissa::kernels::detail
