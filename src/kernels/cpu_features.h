// Which x86 instruction sets this CPU offers, asked once at run time.
//
// __builtin_cpu_supports("avx2") also checks that the OS saves the AVX
// registers, but clang 14 does not know the "f16c" feature string (g++ does),
// so F16C is read from CPUID leaf 1, ECX bit 29, directly. F16C instructions
// are VEX-encoded: they need the same OS support as AVX, hence the "avx" check.
//
// AVX-512: __builtin_cpu_supports("avx512f") checks XCR0 for the opmask and
// ZMM state too (libgcc and compiler-rt both do). AVX512_BF16 is read from
// CPUID leaf 7 sub-leaf 1, EAX bit 5, directly, for the same reason as F16C
// (the feature string is newer than some of our compilers).
#pragma once

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
#include <cpuid.h>

namespace mantissa::kernels {

inline bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
  return has;
}

// FMA3 (vfmadd): every AVX2 CPU made has it, but the two are separate CPUID bits.
inline bool cpu_has_fma() {
  static const bool has = __builtin_cpu_supports("fma");
  return has;
}

inline bool cpu_has_f16c() {
  static const bool has = [] {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    constexpr unsigned kF16cBit = 1u << 29;
    return (ecx & kF16cBit) != 0 && __builtin_cpu_supports("avx");
  }();
  return has;
}

// AVX-512 F, BW, VL and DQ: what the avx512 kernel set is compiled for
// (every AVX-512 CPU since Skylake-SP has all four).
inline bool cpu_has_avx512() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
                          cpu_has_f16c();
  return has;
}

// AVX512_BF16 (vcvtneps2bf16): Cooper Lake, Sapphire Rapids, Zen 4 and later.
inline bool cpu_has_avx512_bf16() {
  static const bool has = [] {
    unsigned eax, ebx, ecx, edx;
    if (!cpu_has_avx512() || !__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) return false;
    constexpr unsigned kAvx512Bf16Bit = 1u << 5;
    return (eax & kAvx512Bf16Bit) != 0;
  }();
  return has;
}

// AVX512-FP16 (CPUID leaf 7, EDX bit 23): fp16 arithmetic. Mantissa has no
// kernel that uses it (fp32 <-> fp16 conversion is AVX512F's vcvtps2ph /
// vcvtph2ps already); asked only so the tests and benchmarks can say so.
inline bool cpu_has_avx512_fp16() {
  static const bool has = [] {
    unsigned eax, ebx, ecx, edx;
    if (!cpu_has_avx512() || !__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    constexpr unsigned kAvx512Fp16Bit = 1u << 23;
    return (edx & kAvx512Fp16Bit) != 0;
  }();
  return has;
}

}  // namespace mantissa::kernels

#endif
