// Block quantization with AVX2 (eight lanes; compiled with -mavx2, run only
// when the CPU has AVX2: see use_lanes() in block_quantize.cpp). The
// algorithm is block_quantize_lanes.h's, on convert's Avx2 operations.
#if defined(__x86_64__) || defined(__i386__)
#include "kernels/block_quantize_lanes.h"
#include "kernels/lanes_x86_avx2.h"

namespace mantissa::kernels::detail {

BlockQuantized quantize_blocks_avx2(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                                    uint8_t* elements, float* dequantized) {
  return quantize_blocks_with<Avx2>(spec, in, n, scales, elements, dequantized);
}

}  // namespace mantissa::kernels::detail
#endif
