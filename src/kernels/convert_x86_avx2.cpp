// AVX2 kernels (this file is compiled with -mavx2 -mfma -mf16c; they run
// only when the CPU has AVX2: see simd_kernels() in convert.cpp). Eight lanes;
// the algorithms are in convert_lanes.h.
#if defined(__x86_64__) || defined(__i386__)
#include "kernels/kernel_sets.h"
#include "kernels/lanes_x86_avx2.h"

namespace mantissa::kernels::detail {

const KernelSet kAvx2Kernels = simd_kernel_set<Avx2>("avx2");

}  // namespace mantissa::kernels::detail
#endif
