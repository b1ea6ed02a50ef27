// WebAssembly SIMD128 kernels (web build, -msimd128; plain SIMD128 only:
// relaxed SIMD and the fp16 proposal do not run in our Chromium, see
// TOOLCHAIN.md pitfall 18). Four lanes; the algorithms are in
// convert_lanes.h. SIMD128 has unsigned compares, a 32-bit multiply and
// unsigned saturating narrows, so this is the most direct of the three.
#ifdef __EMSCRIPTEN__
#include "kernels/kernel_sets.h"
#include "kernels/lanes_wasm.h"

namespace mantissa::kernels::detail {

const KernelSet kWasmSimd128Kernels = simd_kernel_set<WasmSimd128>("wasm-simd128");

}  // namespace mantissa::kernels::detail
#endif
