// The loop of tally_table16() (kernels/error_tally.h), written once with the
// compilers' vector extensions and included by error_tally.cpp (the generic
// build: SSE2 natively, SIMD128 in wasm, where a vector of four doubles is
// two registers) and error_tally_x86_avx2.cpp (one register). It only loads
// and adds: each lane's sums add the rows of its elements in element order,
// the scalar loop's operations, so every build gives the same bits.
#pragma once
#include <cstdint>
#include <cstring>

#include "kernels/error_tally.h"

namespace mantissa::kernels::detail {
// Internal linkage: each including file keeps its own copy, compiled for its
// own ISA (one shared template instance would let the linker pick the SSE2
// copy for the AVX2 path too).
namespace {

typedef double Table16V __attribute__((vector_size(32)));

// Lanes lane0 .. lane0 + 3 of the whole groups of eight in v[0..n) (v[0] in
// lane 0, n a multiple of 8): 4 * NV accumulators stay in registers (all
// eight lanes at once would spill on AVX2 for three targets).
template <int NV>
void table16_half(const uint16_t* v, size_t n, size_t lane0, const double* table, double* lanes) {
  constexpr size_t R = 4 * NV;
  Table16V acc[4][NV];
  for (size_t l = 0; l < 4; ++l)
    for (int r = 0; r < NV; ++r) std::memcpy(&acc[l][r], lanes + (lane0 + l) * R + 4 * r, sizeof(Table16V));
  for (size_t j = lane0; j < n; j += kTallyLanes) {
#pragma GCC unroll 4
    for (size_t l = 0; l < 4; ++l) {
      const double* row = table + static_cast<size_t>(v[j + l]) * R;
#pragma GCC unroll 4
      for (int r = 0; r < NV; ++r) {
        Table16V t;
        std::memcpy(&t, row + 4 * r, sizeof t);
        acc[l][r] += t;
      }
    }
  }
  for (size_t l = 0; l < 4; ++l)
    for (int r = 0; r < NV; ++r) std::memcpy(lanes + (lane0 + l) * R + 4 * r, &acc[l][r], sizeof(Table16V));
}

template <int NV>
void table16_body(const uint16_t* v, size_t n, uint64_t first, const double* table, double* lanes, uint32_t* hist) {
  constexpr size_t R = 4 * NV;
  // Counts: order-free, four histograms.
  size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    ++hist[v[j]];
    ++hist[kTable16Values + v[j + 1]];
    ++hist[2 * kTable16Values + v[j + 2]];
    ++hist[3 * kTable16Values + v[j + 3]];
  }
  for (; j < n; ++j) ++hist[v[j]];
  // Sums: one element at a time up to a lane-0 group and after the last whole group.
  const auto one = [&](size_t k) {
    double* acc = lanes + static_cast<size_t>((first + k) % kTallyLanes) * R;
    const double* row = table + static_cast<size_t>(v[k]) * R;
    for (size_t r = 0; r < R; ++r) acc[r] += row[r];
  };
  j = 0;
  for (; j < n && (first + j) % kTallyLanes != 0; ++j) one(j);
  const size_t whole = (n - j) / kTallyLanes * kTallyLanes;
  table16_half<NV>(v + j, whole, 0, table, lanes);
  table16_half<NV>(v + j, whole, 4, table, lanes);
  for (j += whole; j < n; ++j) one(j);
}

inline void table16_dispatch(const uint16_t* v, size_t n, uint64_t first, const double* table, size_t row,
                             double* lanes, uint32_t* hist) {
  switch (row) {
    case 4:
      return table16_body<1>(v, n, first, table, lanes, hist);
    case 8:
      return table16_body<2>(v, n, first, table, lanes, hist);
    case 12:
      return table16_body<3>(v, n, first, table, lanes, hist);
    default:
      return table16_body<4>(v, n, first, table, lanes, hist);
  }
}

}  // namespace
}  // namespace mantissa::kernels::detail
