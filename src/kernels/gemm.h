// A block of dot products that share operands, C = A·Bᵀ (the trainer's
// matrix products), bit-identical to running core dot() on every output.
//
// Why lanes across outputs. Sequential summation (seq:fp32 is an FMA chain)
// and the tensor-core block chain are serial inside one dot product, so the
// SIMD form runs kDotLanes OUTPUTS side by side, each lane doing exactly the
// serial arithmetic of its own output: lane l of a panel is output (i, j0 + l),
// its operand rows A[i] (the same in every lane) and B[j0 + l]. The lanes are
// dot.h's dot_lanes kernels, so what they compute is pinned to the core by
// tests/dot. B is packed once per panel of kDotLanes rows into dot_lanes'
// row-interleaved layout and A's rows are spread across the lanes once per
// product (AVX2; the SIMD128 lanes splat A's plain rows as they load them),
// which is what "sharing operands" buys over dot_many.
//
// The finite check runs once per operand tensor (a row of A or B, or a c,
// that holds an inf or NaN marks its outputs for the core), not once per dot
// product as dot_with_kernels does. Outputs the lanes decline (an input or a
// result that is not finite) are reported not done; the caller runs its
// one-dot path on them, which hands specials to the core.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/dot.h"

namespace mantissa::kernels {

struct GemmShape {
  size_t m = 0, n = 0, k = 0;  // C is m x n; A is m x k and B is n x k, both row-major
};

// out[i * n + j] = model(A[i], B[j]) from c[j] (fp32 bits; c == nullptr: +0)
// as fp32 bits where done[i * n + j] != 0. impl Scalar runs every output
// through the one-dot kernels (the reference).
void gemm_lanes(const DotLanesModel& model, const float* a, const float* b, const GemmShape& s, const uint32_t* c,
                DotImpl impl, uint32_t* out, uint8_t* done);

// Scratch reused across calls so the trainer allocates nothing per step.
struct GemmScratch {
  std::vector<float> a_spread, b_panel;
  std::vector<uint8_t> row_bad, col_bad, row_tiny, col_tiny;
};
void gemm_lanes(const DotLanesModel& model, const float* a, const float* b, const GemmShape& s, const uint32_t* c,
                DotImpl impl, uint32_t* out, uint8_t* done, GemmScratch* scratch);

}  // namespace mantissa::kernels
