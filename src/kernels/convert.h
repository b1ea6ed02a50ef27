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
//   Best    the fastest one available for that function.
// Asking for an implementation a function or machine lacks (F16C for bf16,
// F16C in the browser) runs Simd instead; resolve_impl() says what runs.
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
#include <vector>

#include "core/format.h"

namespace mantissa::kernels {

enum class Impl { Scalar, Simd, F16C, Best };

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

// "scalar", "simd", "f16c", "best".
const char* impl_name(Impl impl);

// The implementations this build can run on this CPU (Best not listed):
// Scalar and Simd always, F16C natively when the CPU has F16C and AVX.
std::vector<Impl> available_impls();

// The implementation that actually runs for a request, Best and unavailable
// choices resolved: F16C (when the CPU has it) for fp16 round-to-nearest-even
// and fp16 -> fp32, Simd for everything else. `stochastic`: the stochastic
// kernels (fp16, bf16 only).
Impl resolve_impl(Impl requested, Target target, bool stochastic = false);

// The instruction set behind Impl::Simd here: "avx2", "sse2" or "wasm-simd128".
const char* simd_isa();

// The core's descriptor of a target, and the target a Format is (if any).
const Format& target_format(Target target);
std::optional<Target> target_of(const Format& format);

}  // namespace mantissa::kernels
