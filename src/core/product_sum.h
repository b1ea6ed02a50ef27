// A fast exact sum for the reference of gemm-error: the products of two
// inputs of a narrow format (fp8, fp16, ...) summed in one 128-bit integer on
// the grid of the smallest product, instead of ExactSum's 70 limbs.
//
// Why it is exact. An input of `in` is a multiple of 2^(emin - man_bits) (its
// smallest subnormal) below 2^(emax + 1), so a product is a multiple of
// 2^lsb, lsb = 2 (emin - man_bits), below 2^(2 emax + 2): an integer below
// 2^(2 emax + 2 - lsb) on that grid. covers() asks that K of them, and a
// result of the same size subtracted, stay below 2^126. fp8 needs about
// 2^(48 + log2 K), fp16 2^(92 + log2 K); bf16 and fp32 (lsb 2^-266, 2^-298)
// do not fit and keep ExactSum.
#pragma once
#include <cstdint>

#include "core/dot.h"
#include "core/format.h"

namespace mantissa {

// __extension__: -Wpedantic knows __int128 is not ISO C++ (g++ and clang, native and wasm, have it).
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// 2^e as a double, built from its bits (normal range, -1022 <= e <= 1023):
// ldexp is a library call, and the kernels need it once per block.
// (__builtin_bit_cast, g++ and clang: Emscripten 3.1.6's libc++ has no std::bit_cast.)
inline double pow2_double(int e) {
  return __builtin_bit_cast(double, static_cast<uint64_t>(e + 1023) << 52);
}

class ProductSum {
 public:
  // Whether sums of up to k products of `in` inputs fit (see above).
  static bool covers(const Format& in, uint64_t k);
  explicit ProductSum(const Format& in);

  // a * b, both values of `in` held as floats (exact).
  void add_product(float a, float b);
  // -x when x lies on the grid and its magnitude below 2^120 / 2^-lsb; false
  // (nothing changed) otherwise.
  bool subtract(double x);

  bool is_zero() const { return sum_ == 0; }
  double to_double() const;  // correctly rounded (ties to even)
  ExactSum to_exact_sum() const;

 private:
  Int128 sum_ = 0;
  int lsb_ = 0;       // exponent of the grid
  double scale_ = 1;  // 2^-lsb
};

}  // namespace mantissa
