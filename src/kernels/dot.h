// Fast forms of the dot-product accumulators of core/dot.h, bit-identical to
// it: the tensor-core block model with fp32 output (tc:..., blocked:tc:...:B)
// with SIMD lanes, and seq:fp32 / blocked:fp32:B (rne) as plain FMA chains.
//
// Why the tensor-core block can be done in doubles, exactly. Inputs are
// values of a format within fp32, held as floats, so a product a*b has at
// most 48 significant bits and an exponent in [-298, 256]: the double a*b is
// exact. Scaling it by 2^-unit (unit = E - 23 - neab, the weight of the last
// kept bit) is exact too (the result stays a normal double), and truncating
// toward zero then drops exactly the bits the model truncates. Each aligned
// term is an integer below 2^(25 + neab) <= 2^41, so up to 256 of them (the
// largest block) and c sum exactly below 2^53, in any order. Only the final
// rounding of a block is scalar integer work (round_block).
//
// The alignment exponent E is the largest of c's exponent and the products'
// ea + eb, where an input's exponent is the format's emin for its subnormals
// (a subnormal fp16 input is a normal float, but the model aligns it as the
// fp16 hardware does): exp(x) = max(float exponent of x, emin of the format).
// Zero products take no part.
//
// Preconditions: every input and c finite. A chain whose block result is not
// finite (an rne overflow) feeding a later block reports false, and the
// caller takes the core's path, which owns the special-value rules.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/dot.h"

namespace mantissa::kernels {

enum class DotImpl { Scalar, Avx2, Wasm128 };
const char* dot_impl_name(DotImpl impl);  // "scalar", "avx2", "wasm-simd128"
DotImpl best_dot_impl();
bool dot_impl_available(DotImpl impl);

// The tensor-core model as the kernels run it (fp32 output only).
struct TensorCoreKernel {
  int fma = 4;
  int neab = 0;
  bool nearest = false;  // rne, else rz
  int input_emin = -126;
};
// False when the kernels do not cover the model (fp16 output).
bool tensor_core_kernel_of(const TensorCoreModel& m, const Format& in, TensorCoreKernel* out);

// The tc chain over k products from c (fp32 bits): *out = fp32 bits.
bool dot_tensor_core(const float* a, const float* b, size_t k, uint32_t c, const TensorCoreKernel& m,
                     DotImpl impl, uint32_t* out);
// blocked:tc: each `block` terms through the chain from +0, added (rne) into an fp32 total that starts at c.
bool dot_blocked_tensor_core(const float* a, const float* b, size_t k, uint32_t c, const TensorCoreKernel& m,
                             size_t block, DotImpl impl, uint32_t* out);
// seq:fp32 (rne): each exact product added to the running fp32 sum, rounded once (an FMA).
uint32_t dot_seq_fp32(const float* a, const float* b, size_t k, uint32_t c);
// blocked:fp32:B: blocks of seq:fp32 from +0, each added (rne) into an fp32 total that starts at c.
uint32_t dot_blocked_fp32(const float* a, const float* b, size_t k, uint32_t c, size_t block);

// The input's values as floats (exact: the format lies within fp32).
void dot_inputs_as_floats(const DotInput& in, std::vector<float>* a, std::vector<float>* b);

// acc on (a, b, c) with the kernels when they cover it: *bits in acc.result_format().
// False (nothing written) when they do not: the caller runs core dot().
bool dot_with_kernels(const Accumulator& acc, const Format& in, const float* a, const float* b, size_t k,
                      uint32_t c, DotImpl impl, uint64_t* bits);

// ---- Lanes across independent dot products ----------------------------------
// Sequential summation is serial inside one dot product, so the SIMD forms run
// kDotLanes independent dot products of the same K side by side (the trials
// of gemm-error, the lines of `dot --batch`): lane l of a group reads row i,
// a[i * kDotLanes + l] and b[i * kDotLanes + l], for term i. Every lane does
// exactly what the one-dot kernels above do (the scalar lanes reference
// gathers each lane and calls them), so the lanes are bit-identical to the
// core wherever those are.
constexpr size_t kDotLanes = 8;

enum class DotLanesKind { Seq, BlockedSeq, TensorCore, BlockedTensorCore };
struct DotLanesModel {
  DotLanesKind kind = DotLanesKind::Seq;
  TensorCoreKernel tc;  // TensorCore, BlockedTensorCore
  size_t block = 0;     // Blocked*: terms per block
  // a*b is exact in fp32 for every pair of inputs (at most 24 significant
  // bits, lsb >= 2^-149, below 2^128: fp16 and fp8 yes, bf16 not): then
  // fl(fl(a*b) + s) is the FMA; wasm SIMD128 (no FMA) takes that fast form
  // for seq, else an FMA made of double lanes and round-to-odd.
  bool exact_fp32_products = false;
};
// False when the lanes do not cover acc (what dot_with_kernels declines too).
bool dot_lanes_model_of(const Accumulator& acc, const Format& in, DotLanesModel* out);

// kDotLanes dot products of k terms each (rows as above), c[l] fp32 bits:
// out[l] the result's fp32 bits where done[l], else the lane hit an input or
// result that is not finite and the caller runs the core (core dot()).
void dot_lanes(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
               DotImpl impl, uint32_t* out, bool* done);

// Many dot products of one input format (`dot --batch`'s lines): runs of
// kDotLanes consecutive inputs of one K go through the lanes, the others
// through the one-dot kernels, and whatever those decline through the core's
// dot(). Bits of acc.result_format(), one per input, as dot() gives them.
std::vector<uint64_t> dot_many(const Accumulator& acc, const std::vector<DotInput>& inputs);

namespace detail {
// |sum| * 2^unit (sum an exact integer below 2^53) rounded into an fp32-range
// format with `man` fraction bits, rz or rne, as fp32 bits (exact in fp32).
uint32_t round_block(double sum, int unit, int man, bool nearest);
// One block: the largest alignment exponent of products [0, n) and c, or
// kNoExponent when every product is zero and c is zero; and the exact sum of
// the aligned terms times 2^-unit.
constexpr int kNoExponent = -100000;
int block_max_exponent_scalar(const float* a, const float* b, size_t n, int input_emin);
double block_aligned_sum_scalar(const float* a, const float* b, size_t n, double scale);
int block_max_exponent_avx2(const float* a, const float* b, size_t n, int input_emin);
double block_aligned_sum_avx2(const float* a, const float* b, size_t n, double scale);
int block_max_exponent_wasm(const float* a, const float* b, size_t n, int input_emin);
double block_aligned_sum_wasm(const float* a, const float* b, size_t n, double scale);
// One dot product of the lanes' model through the one-dot scalar kernels:
// false where they decline (a result that is not finite). Inputs finite.
bool dot_one(const DotLanesModel& m, const float* a, const float* b, size_t k, uint32_t c, uint32_t* out);
// Whether impl runs the lanes in SIMD (an available impl other than Scalar).
bool lanes_run_simd(DotImpl impl);
void dot_lanes_scalar(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                      uint32_t* out, bool* bad);
// special[l] |= 1 where lane l has an input that is not finite (inf, NaN).
void lanes_not_finite_scalar(const float* a, const float* b, size_t k, uint32_t* special);
void lanes_not_finite_avx2(const float* a, const float* b, size_t k, uint32_t* special);
void lanes_not_finite_wasm(const float* a, const float* b, size_t k, uint32_t* special);
// The SIMD lanes (finite inputs only; bad[l] set where a lane's result is not finite).
void dot_lanes_avx2(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                    uint32_t* out, bool* bad);
void dot_lanes_wasm(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                    uint32_t* out, bool* bad);
// dot_lanes_wasm on `rows` rows of A against one set of b's rows (a GEMM's
// panel, kernels/gemm.h): row r's operands at a + r * k, A's plain row
// (the lanes splat each term as they load it, so the GEMM writes no
// kDotLanes copies of A), its results at out + r * kDotLanes and bad +
// r * kDotLanes, bit for bit what dot_lanes_wasm gives row by row. The rows
// share b's loads and run as independent chains side by side, which hides
// the latency of the serial per-lane arithmetic (seq:fp32 without an FMA).
// Finite inputs only, as dot_lanes_wasm. coarse: the caller's operand scan
// found no nonzero input below kCoarseMin in magnitude in these rows and b,
// and no c is -0 (seq:fp32's lanes then skip a check, dot_wasm.cpp); it
// holds for all the call's rows, so one tiny input among them makes every
// row take the full check (slower, the same bits). Up to kLanesRows rows:
// seq:fp32 interleaves four at a time, the tc lanes work out b's exponents
// once for all of them.
constexpr size_t kLanesRows = 32;  // the most rows one call takes
constexpr float kCoarseMin = 0x1p-51f;
void dot_lanes_rows_wasm(const DotLanesModel& m, const float* a, size_t rows, const float* b, size_t k,
                         const uint32_t* c, bool coarse, uint32_t* out, bool* bad);
// dot_lanes_wasm for the models whose lanes notice non-finite inputs
// themselves, through their term sums (the tensor-core models whose products
// are exact in fp32 and whose truncated terms are exact in f32 lanes: fp8 on
// h100 and ada, summed in f32; fp16 on h100 and b200, summed in f64), so dot_lanes can skip its own pass over the
// operands: false (nothing written) when m is not one of them, an input is
// not finite or a block needs the general path (tiny or huge values, an
// overflow carried along); then the caller checks and runs dot_lanes_wasm.
bool dot_lanes_wasm_checked(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                            uint32_t* out, bool* bad);
// The alignment exponent of one value: max(float exponent, emin) (not for zero).
inline int float_exponent(uint32_t bits, int emin) {
  const int field = static_cast<int>((bits >> 23) & 0xff);
  const int e = (field == 0 ? 1 : field) - 127;  // fp32 subnormals sit at fp32's emin, -126
  return e > emin ? e : emin;
}
}  // namespace detail

}  // namespace mantissa::kernels
