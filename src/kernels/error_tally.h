// The error statistics of storing fp32 values in a narrower format, in a
// reduction order defined once for every path (scalar, AVX2, wasm SIMD128):
//
//   element i of a tensor (counted from the tensor's first element) adds its
//   squared signal, squared error and relative error to lane i mod 8 of each
//   sum, in element order within the lane; a tensor's sum is the fixed tree
//   ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)) at its end (fold()).
//
// Why lanes rather than an exact (superaccumulator) sum: eight lanes are two
// AVX2 vectors of doubles, so the SIMD loop is the scalar loop's own
// arithmetic, lane for lane, and costs nothing beyond it; the figures do not
// depend on how the input is chunked (the lane is the element's index in the
// tensor, not in the batch). They do depend on the tensor being summed in
// one piece: a pool of workers splitting one tensor would have to hand each
// worker's lanes on in order (counts and maxima are order-free anyway).
// Elements that are skipped add nothing; masked SIMD lanes add +0.0, which
// leaves a sum of non-negative terms unchanged bit for bit.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace mantissa::kernels {

constexpr size_t kTallyLanes = 8;

struct ErrorTally {
  uint64_t overflow = 0, subnormal = 0, flushed = 0, exact = 0, measured = 0, rel_count = 0, lost = 0;
  double sq_signal[kTallyLanes] = {}, sq_error[kTallyLanes] = {}, rel[kTallyLanes] = {};
  double max_abs = 0, max_rel = 0;
};

// The fixed tree over the lanes of one sum.
inline double fold(const double (&l)[kTallyLanes]) {
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

// One element x stored as y (both finite) in lane `lane`: the sums, maxima
// and the lost-update verdict (decided by the caller).
[[gnu::always_inline]] inline void tally_error(ErrorTally& t, size_t lane, double x, double y, bool lost) {
  ++t.measured;
  // y - x is exact in double for every format narrower than fp64 when both
  // are in range; the squares are ordinary double arithmetic.
  const double err = std::fabs(y - x);
  t.sq_signal[lane] += x * x;
  t.sq_error[lane] += err * err;
  t.max_abs = std::max(t.max_abs, err);
  if (x != 0) {
    const double rel = err / std::fabs(x);
    ++t.rel_count;
    t.rel[lane] += rel;
    t.max_rel = std::max(t.max_rel, rel);
  }
  t.lost += lost;
}

// What a format's rounding did, as thresholds on |y| (y the stored value):
// subnormal when 0 < |y| < smallest_normal; the update is lost when
// |y| >= lost_from (half the ULP above |y| is a non-decreasing step function
// of |y|, so "update < half ULP" is one comparison; +inf without a question).
struct TallyBounds {
  double smallest_normal = 0;
  double lost_from = INFINITY;
};

// One element x (any value) rounded to y: classified, then tallied when both are finite.
[[gnu::always_inline]] inline void tally_element(ErrorTally& t, size_t lane, double x, double y,
                                                 const TallyBounds& b) {
  if (!std::isfinite(x)) return;
  if (!std::isfinite(y)) {  // overflow: to inf, or to NaN in e4m3
    ++t.overflow;
    return;
  }
  if (y == x) ++t.exact;
  if (x != 0 && y == 0) ++t.flushed;
  const double ay = std::fabs(y);
  if (y != 0 && ay < b.smallest_normal) ++t.subnormal;
  tally_error(t, lane, x, y, ay >= b.lost_from);
}

enum class TallyPath { Scalar, Avx2, Avx512, Wasm128 };
// The path tally_fp32() takes: the fastest this machine has, capped by a
// forced kernel path (MANTISSA_KERNELS / force_kernel_path: "scalar" and
// "sse2" run the scalar loop, "avx2" and "f16c" the AVX2 one). Ask once per tensor, not per batch.
TallyPath tally_path();
const char* tally_path_name(TallyPath p);

// x[0..n) (fp32 values) stored as y[0..n), x[0] being element `first` of its
// tensor: classified and tallied into *t, the same bits on every path. Pass
// y == x (the same pointer) when every value is stored exactly: the SIMD
// paths then skip the error sums, which stay +0.0 (bit for bit as computed).
void tally_fp32(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b, ErrorTally* t,
                TallyPath path);

// How to round fp32 to a narrower format to nearest even, as fp32 bit
// patterns of |x| (made from the batch kernels' own constants by
// round_spec()): the bits dropped, half their ULP minus one, the smallest |x|
// that overflows, the magic number whose binade's ULP is the target's
// subnormal spacing, and the smallest normal of the target.
struct RoundSpec {
  uint32_t drop = 0, half_ulp_minus_one = 0, overflow_from = 0, subnormal_magic = 0, min_normal = 0;
};
enum class Target;  // kernels/convert.h
RoundSpec round_spec(Target target);

// tally_fp32() of x and x rounded to `target` (to nearest even, overflow to
// inf or NaN: what the batch kernels' round trip gives, bit for bit), the
// rounding done in the SIMD registers: no y array and no conversion passes,
// and counts and sums in one pass with the error in float lanes (exact there,
// see error_tally_body.h). The same bits as the round trip and tally_fp32();
// on the scalar path it is the round trip and tally_fp32().
void tally_fp32_round(const float* x, size_t n, uint64_t first, const TallyBounds& b, Target target,
                      ErrorTally* t, TallyPath path);

// Tensors of 16-bit values (fp16, bf16) by a table (slice 15n): everything an
// element contributes is a function of its 16-bit pattern, so the caller
// computes, once per tensor, each pattern's terms with the scalar code above
// (row[3 * f + 0, 1, 2] = x*x, err*err, rel for target f; +0.0 where the
// element adds nothing; `row` doubles per pattern, a multiple of 4, at most
// kTable16MaxRow). tally_table16() then adds row[v[j]] to lane (first + j) mod 8
// of lanes[8][row], in element order within each lane (the order this file
// defines), and counts each pattern in one of four histograms
// hist[4][kTable16Values] (four, so that runs of one value do not wait on the
// previous increment's store). The caller derives counts and maxima from the
// histogram at the tensor's end and keeps each histogram bin below 2^32.
constexpr size_t kTable16Values = 65536;
constexpr size_t kTable16MaxRow = 16;
void tally_table16(const uint16_t* v, size_t n, uint64_t first, const double* table, size_t row, double* lanes,
                   uint32_t* hist, TallyPath path);

namespace detail {
void tally_fp32_avx2(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b, ErrorTally* t);
void tally_fp32_avx512(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b, ErrorTally* t);
void tally_fp32_wasm128(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b,
                        ErrorTally* t);
void tally_fp32_round_avx2(const float* x, const RoundSpec& r, size_t n, uint64_t first, const TallyBounds& b,
                           ErrorTally* t);
void tally_fp32_round_avx512(const float* x, const RoundSpec& r, size_t n, uint64_t first, const TallyBounds& b,
                             ErrorTally* t);
void tally_fp32_round_wasm128(const float* x, const RoundSpec& r, size_t n, uint64_t first, const TallyBounds& b,
                              ErrorTally* t);
void tally_table16_generic(const uint16_t* v, size_t n, uint64_t first, const double* table, size_t row,
                           double* lanes, uint32_t* hist);
void tally_table16_avx2(const uint16_t* v, size_t n, uint64_t first, const double* table, size_t row, double* lanes,
                        uint32_t* hist);
}  // namespace detail

}  // namespace mantissa::kernels
