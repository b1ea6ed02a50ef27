// Block quantization of fp32 arrays (issue 14) at array speed: the same
// scales and element codes as core/block_format.h's quantize_blocks, bit for
// bit, for every input, with round-to-nearest-even elements.
//
//   MX (mxfp8-e4m3/e5m2, mxfp6-e2m3/e3m2, mxfp4, mxint8), rules ocp and ceil:
//     per block, amax -> E8M0 scale 2^k (core's mx_scale_exponent, clamped
//     to [-127, 127]); element i = round(x_i * 2^-k), saturating at +-max.
//     Scaling by a power of two is exact whenever the product is an fp32
//     normal; when it is not (below 2^-126), it lies far below half the
//     smallest element subnormal (>= 2^-17) and rounds to a signed zero
//     either way. So one fp32 multiply, then the element rounding.
//   NVFP4: the tensor scale s_enc = fp32(6 * 448 / amax_tensor), each
//     block's E4M3 scale round_e4m3(fp32(fp32(amax / 6) * s_enc)) and
//     encode scale fp32(1 / fp32(scale * s_dec)), exactly the core's fp32
//     steps. The element is x * encode rounded ONCE into E2M1; the fp32
//     product is a first rounding, which is harmless except where it lands
//     exactly on an E2M1 midpoint (a tie): those lanes are redone from the
//     exact double product (rare for measured data, every lane for
//     adversarial ties; the result is right either way).
//   A block holding a NaN or an infinity gets the scale format's NaN (E8M0
//   0xff, E4M3 0x7f), element codes 0 and dequantized NaN, as the core does.
//
// Outputs: scales (one byte per block), elements (one code per byte: fp4
// and fp6 unpacked, int8-mx two's complement) and, optionally, the
// dequantized values rounded once to fp32 (element * scale [* s_dec]).
//
// Paths: "scalar" (the reference: the core's rounding per element) and the
// lane kernels of block_quantize_lanes.h on AVX2 natively and SIMD128 in
// wasm. The forced kernel path (MANTISSA_KERNELS / force_kernel_path() of
// convert.h) caps them: under "scalar" or "sse2" the reference runs. Block
// sizes that are not a multiple of the vector width run the reference too.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/block_format.h"

namespace mantissa::kernels {

enum class BlockImpl { Scalar, Simd, Best };

// What the kernels need to know of a request.
struct BlockKernelSpec {
  BlockFormat format;
  ScaleRule rule = ScaleRule::Ocp;  // Nvfp4 for nvfp4
  size_t block = 32;
};

// False when the kernels do not cover the request: element rounding other
// than round-to-nearest-even (the caller runs core quantize_blocks), or a
// block size outside [1, kMaxBlock].
bool block_kernel_spec(const BlockFormat& f, const QuantizeOptions& opt, BlockKernelSpec* out);

struct BlockQuantized {
  float tensor_scale = 1;   // NVFP4: s_enc (1 for MX)
  float tensor_decode = 1;  // NVFP4: s_dec = fp32(1 / s_enc)
};

// Quantizes n values (a short last block is quantized as if zero-padded).
// `scales` has room for ceil(n / block) bytes, `elements` for n;
// `dequantized` may be null.
BlockQuantized quantize_blocks_f32(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                                   uint8_t* elements, float* dequantized, BlockImpl impl = BlockImpl::Best);

// element(code) * scale [* s_dec], rounded once to fp32, for n codes (a NaN
// scale makes its block NaN). The codes must be the format's (the caller
// checks them, as core dequantize_blocks does).
void dequantize_blocks_f32(const BlockKernelSpec& spec, const uint8_t* scales, const uint8_t* elements,
                           size_t n, float tensor_decode, float* out, BlockImpl impl = BlockImpl::Best);

// The kernel path an impl runs for this spec: "scalar", "avx2", "wasm-simd128".
const char* block_kernel_path(const BlockKernelSpec& spec, BlockImpl impl = BlockImpl::Best);

}  // namespace mantissa::kernels
