// Batch conversion between fp32 arrays and the narrow formats Mantissa's
// simulator stores weights and gradients in: fp16, bf16, fp8-e4m3 (OCP
// E4M3FN) and fp8-e5m2.
//
// Every function has several implementations behind one signature, and all
// of them give the same bits as the scalar core (core/rounding.h) for every
// input: that is what the tests in tests/kernels pin down.
//   Scalar  calls the core per element: the reference, slow (~12 ns/element).
//   Simd    branch-free integer kernels: wasm SIMD128 in the web build,
//           AVX2 natively when the CPU has it, else SSE2.
//   F16C    the x86 F16C instructions (vcvtps2ph / vcvtph2ps): fp16 with
//           round-to-nearest-even and fp16 -> fp32 only, natively, when the
//           CPU has F16C and AVX.
//   Avx512  the AVX-512 hardware conversions, sixteen at a time: fp16 RNE
//           both ways (AVX512F), bf16 -> fp32, and fp32 -> bf16 RNE by
//           vcvtneps2bf16 where the CPU has AVX512_BF16.
//   Best    for each conversion, the fastest path that has it: avx512, then
//           f16c, then the integer kernels (avx2 / sse2 / wasm-simd128).
// Asking for an implementation a function or machine lacks (F16C for bf16,
// F16C in the browser) runs Simd instead; resolve_impl() says what runs.
//
// Forcing a path: MANTISSA_KERNELS=scalar|sse2|avx2|f16c|avx512 natively
// (scalar|wasm-simd128 in wasm), or force_kernel_path(), caps every Impl at
// that path: Best then runs the fastest path at or below it, Simd the integer
// kernels at or below it (scalar under "scalar"), F16C / Avx512 their own
// path when it is at or below it, else Simd. A bad value of the variable (an
// unknown path, or one this CPU lacks) prints why on stderr and exits with
// status 2 at the first conversion.
//
// Rounding follows the core exactly:
//  - RNE: round to nearest, ties to even. Overflow gives inf (fp16, bf16,
//    e5m2) or NaN (e4m3, which has no inf); with `saturate`, finite values
//    that overflow give +-max finite instead (e4m3: also infinities, which
//    it cannot hold). An fp32 infinity into fp16/bf16/e5m2 stays infinite.
//  - NaNs keep their sign, get the quiet bit set and keep the top bits of
//    their payload (as x86 F16C does); into e4m3 every NaN is sign|0x7f.
//  - Stochastic rounding (fp16, bf16): element i uses the random stream at
//    counter0 + i (core/stochastic.h), so a batch split in two with the
//    counter carried along gives the same bits as the whole batch, on every
//    implementation and platform.
//  - fp32 subnormal inputs are exact values (no flush to zero). The Simd
//    kernels assume the default floating-point environment (round to
//    nearest, no FTZ/DAZ), which C++ programs and wasm always have.
//  - Widening back to fp32 is exact; NaNs are quieted as above.
//
// `in` and `out` must not overlap. Any alignment and any n are fine.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/format.h"

namespace mantissa::kernels {

enum class Impl { Scalar, Simd, F16C, Avx512, Best };

// The narrow formats the kernels handle.
enum class Target { Fp16, Bf16, Fp8E4M3, Fp8E5M2 };

// fp32 -> narrow, round to nearest even.
void fp32_to_fp16(const float* in, uint16_t* out, size_t n, bool saturate = false, Impl impl = Impl::Best);
void fp32_to_bf16(const float* in, uint16_t* out, size_t n, bool saturate = false, Impl impl = Impl::Best);
void fp32_to_fp8_e4m3(const float* in, uint8_t* out, size_t n, bool saturate = false, Impl impl = Impl::Best);
void fp32_to_fp8_e5m2(const float* in, uint8_t* out, size_t n, bool saturate = false, Impl impl = Impl::Best);

// fp32 -> narrow, stochastic rounding: element i rounds away from zero iff
// stochastic_bits(seed, counter0 + i) < (first 32 discarded bits, as a
// fraction of one ULP). The caller advances counter0 by n between batches.
void fp32_to_fp16_stochastic(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                             bool saturate = false, Impl impl = Impl::Best);
void fp32_to_bf16_stochastic(const float* in, uint16_t* out, size_t n, uint64_t seed, uint64_t counter0,
                             bool saturate = false, Impl impl = Impl::Best);

// narrow -> fp32, exact.
void fp16_to_fp32(const uint16_t* in, float* out, size_t n, Impl impl = Impl::Best);
void bf16_to_fp32(const uint16_t* in, float* out, size_t n, Impl impl = Impl::Best);
void fp8_e4m3_to_fp32(const uint8_t* in, float* out, size_t n, Impl impl = Impl::Best);
void fp8_e5m2_to_fp32(const uint8_t* in, float* out, size_t n, Impl impl = Impl::Best);

// fp32 -> target -> fp32: in[i] rounded to nearest even (no saturation) as
// the value it is stored as (in and out may be the same array).
void round_trip(Target target, const float* in, float* out, size_t n, Impl impl = Impl::Best);

// "scalar", "simd", "f16c", "avx512", "best".
const char* impl_name(Impl impl);

// The implementations this build can run on this CPU (Best not listed):
// Scalar and Simd always, F16C and Avx512 natively when the CPU has them.
std::vector<Impl> available_impls();

// The implementation that actually runs for a request (fp32 -> target; the
// fp16 widening runs the same one as fp16 RNE), Best, unavailable and forced
// choices resolved. `stochastic`: the stochastic kernels (fp16, bf16 only).
Impl resolve_impl(Impl requested, Target target, bool stochastic = false);

// The instruction set behind Impl::Simd here: "avx2", "sse2", "wasm-simd128"
// (or "scalar" when that path is forced).
const char* simd_isa();

// The kernel path Best runs for fp32 -> target: "avx512", "f16c", "avx2", ...
const char* kernel_path_for(Target target, bool stochastic = false);

// The kernel paths, slowest first: every one this build knows, or only those
// this CPU runs.
std::vector<std::string> kernel_path_names(bool runnable_only);

// Caps every Impl at the named path (see "Forcing a path" above); "" lifts
// the cap. Returns "" or why not (unknown path, or the CPU lacks it: the cap
// is then unchanged). Meant for tests, benchmarks and start-up, not to be
// raced against conversions in other threads.
std::string force_kernel_path(const std::string& name);
// The forced path, "" when none.
std::string forced_kernel_path();

// The core's descriptor of a target, and the target a Format is (if any).
const Format& target_format(Target target);
std::optional<Target> target_of(const Format& format);

}  // namespace mantissa::kernels
