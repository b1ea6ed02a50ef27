// Block quantization with WebAssembly SIMD128 (four lanes, web build). The
// algorithm is block_quantize_lanes.h's, on convert's WasmSimd128 operations.
#ifdef __EMSCRIPTEN__
#include "kernels/block_quantize_lanes.h"
#include "kernels/lanes_wasm.h"

namespace mantissa::kernels::detail {

BlockQuantized quantize_blocks_wasm(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                                    uint8_t* elements, float* dequantized) {
  return quantize_blocks_with<WasmSimd128>(spec, in, n, scales, elements, dequantized);
}

}  // namespace mantissa::kernels::detail
#endif
