// Population update kernels: P weights each receive one increment, the
// exact sum rounded once (RNE) back into the weight's format.
//
//   fp16 / bf16 weight (bits) + fp32 increment  -> fp16 / bf16
//   fp32 weight + fp32 increment                -> fp32   (the fp32 master copy)
//
// Each returns how many lanes lost their update (increment != 0, weight bits
// unchanged). Increments are fp32 values; the simulator passes increments
// stored in a gradient format contained in fp32 (fp16, bf16, fp8), so they
// are exact.
//
// Why exact: s = fl32(w + inc) with its TwoSum error e is the exact sum s + e.
// Rounding s to odd (if e != 0 and s's last bit is even, step one ulp toward
// e) and then rounding that to fp16/bf16 RNE equals rounding the exact sum
// once, because fp32 has at least two more significand bits than the target
// (Boldo & Melquiond, "Emulation of FMA and correctly rounded sums: proved
// algorithms using rounding to odd"). Plain fl32(w + inc) then RNE would be
// a double rounding: 1 + 2^-11 + 2^-30 in fp16 must round up, not to 1.
//
// Implementations: the scalar reference (always), AVX2+F16C (x86-64, picked
// at run time), wasm SIMD128 (web build). All are bit-identical, NaN
// payloads included (except the sign of NaNs created by inf - inf, which
// wasm leaves unspecified). A NaN weight keeps its payload (quieted), fp32
// weights too; a NaN increment added to a number passes on its own.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mantissa::kernels {

enum class AccumulateImpl { Scalar, Avx2, Wasm128 };
const char* accumulate_impl_name(AccumulateImpl impl);  // "scalar", "avx2+f16c", "wasm-simd128"
// The fastest implementation this machine runs.
AccumulateImpl best_accumulate_impl();
bool accumulate_impl_available(AccumulateImpl impl);

// One step: w[i] = round(w[i] + inc[i]). Returns the lost-update count.
uint64_t accumulate_fp16(uint16_t* w, const float* inc, size_t n, AccumulateImpl impl);
uint64_t accumulate_bf16(uint16_t* w, const float* inc, size_t n, AccumulateImpl impl);
uint64_t accumulate_fp32(float* w, const float* inc, size_t n, AccumulateImpl impl);

// Many steps with one increment per step shared by every weight (a constant
// or listed stream): w[i] = round(w[i] + inc[s]) for s = 0..steps-1, and
// lost[s] += lost-update count of step s. Weights are processed in blocks
// that stay in L1 across the steps.
void accumulate_fp16_steps(uint16_t* w, size_t n, const float* inc, size_t steps, uint64_t* lost,
                           AccumulateImpl impl);
void accumulate_bf16_steps(uint16_t* w, size_t n, const float* inc, size_t steps, uint64_t* lost,
                           AccumulateImpl impl);
void accumulate_fp32_steps(float* w, size_t n, const float* inc, size_t steps, uint64_t* lost,
                           AccumulateImpl impl);

// Scalar building blocks (the reference every vector lane must match).
uint16_t fp32_to_fp16_rne(uint32_t bits);
uint16_t fp32_to_bf16_rne(uint32_t bits);
float fp16_to_fp32(uint16_t bits);
float bf16_to_fp32(uint16_t bits);
// fl32(a + b) rounded to odd: exact when representable, else the neighbour
// with an odd last bit. Returned as bits. A NaN `a` (the weight) is returned
// quieted, payload kept, whatever b is: IEEE 754 and wasm leave open which
// of two NaN operands a sum carries, and the kernels must agree bit for bit.
uint32_t add_round_to_odd_fp32(float a, float b);

namespace detail {
// Scalar references with a stride (the vector kernels finish their tails with these).
uint64_t fp16_scalar(uint16_t* w, const float* inc, size_t inc_stride, size_t n);
uint64_t bf16_scalar(uint16_t* w, const float* inc, size_t inc_stride, size_t n);
uint64_t fp32_scalar(float* w, const float* inc, size_t inc_stride, size_t n);
// Per-ISA entry points (defined in accumulate_x86_avx2.cpp / accumulate_wasm.cpp).
// `inc_stride` is 1 for an increment array, 0 for one increment broadcast to every lane.
uint64_t fp16_avx2(uint16_t* w, const float* inc, size_t inc_stride, size_t n);
uint64_t bf16_avx2(uint16_t* w, const float* inc, size_t inc_stride, size_t n);
uint64_t fp32_avx2(float* w, const float* inc, size_t inc_stride, size_t n);
uint64_t fp16_wasm(uint16_t* w, const float* inc, size_t inc_stride, size_t n);
uint64_t bf16_wasm(uint16_t* w, const float* inc, size_t inc_stride, size_t n);
uint64_t fp32_wasm(float* w, const float* inc, size_t inc_stride, size_t n);
}  // namespace detail

}  // namespace mantissa::kernels
