// Which x86 instruction sets this CPU offers, asked once at run time.
//
// __builtin_cpu_supports("avx2") also checks that the OS saves the AVX
// registers, but clang 14 does not know the "f16c" feature string (g++ does),
// so F16C is read from CPUID leaf 1, ECX bit 29, directly. F16C instructions
// are VEX-encoded: they need the same OS support as AVX, hence the "avx" check.
#pragma once

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
#include <cpuid.h>

namespace mantissa::kernels {

inline bool cpu_has_avx2() {
  static const bool has = __builtin_cpu_supports("avx2");
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

}  // namespace mantissa::kernels

#endif
