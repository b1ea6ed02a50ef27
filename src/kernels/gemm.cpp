// C = A·Bᵀ through the dot lanes (see gemm.h for why lanes across outputs).
#include "kernels/gemm.h"

#include <algorithm>
#include <cstring>

namespace mantissa::kernels {

namespace {

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
#define MANTISSA_HAVE_AVX2_GEMM 1
#endif
#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#define MANTISSA_HAVE_WASM_GEMM 1
#endif

// bad[r] = 1 where row r of the rows x k matrix holds an inf or NaN: the
// operand-tensor check, once per product (branch-free so it runs in lanes);
// tiny[r] = 1 where it holds a nonzero value below kCoarseMin in magnitude
// (dot.h's dot_lanes_rows_wasm).
void mark_rows(const float* v, size_t rows, size_t k, std::vector<uint8_t>* bad, std::vector<uint8_t>* tiny) {
  constexpr uint32_t kAbs = 0x7fffffffu, kExponent = 0x7f800000u;
  uint32_t coarse_min;
  std::memcpy(&coarse_min, &detail::kCoarseMin, sizeof coarse_min);
  bad->assign(rows, 0);
  tiny->assign(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    uint32_t any_bad = 0, any_tiny = 0;
    for (size_t i = 0; i < k; ++i) {
      uint32_t u;
      std::memcpy(&u, &v[r * k + i], sizeof u);
      u &= kAbs;
      any_bad |= static_cast<uint32_t>(u >= kExponent);
      any_tiny |= static_cast<uint32_t>(u - 1 < coarse_min - 1);  // 0 < |x| < kCoarseMin (0 wraps around)
    }
    (*bad)[r] = static_cast<uint8_t>(any_bad);
    (*tiny)[r] = static_cast<uint8_t>(any_tiny);
  }
}

// `rows` rows of A against one panel of B; results and bad flags at
// r * kDotLanes. A's rows spread (row r at a + r * k * kDotLanes, AVX2) or
// plain (row r at a + r * k, dot.h's dot_lanes_rows_wasm): rows_spread.
using RowsFn = void (*)(const DotLanesModel&, const float*, size_t, const float*, size_t, const uint32_t*, bool,
                        uint32_t*, bool*);

#ifdef MANTISSA_HAVE_AVX2_GEMM
// AVX2 has the FMA, and its lanes are not latency-bound: row by row.
void dot_lanes_rows_avx2(const DotLanesModel& m, const float* a, size_t rows, const float* b, size_t k,
                         const uint32_t* c, bool /*coarse*/, uint32_t* out, bool* bad) {
  for (size_t r = 0; r < rows; ++r) {
    detail::dot_lanes_avx2(m, a + r * k * kDotLanes, b, k, c, out + r * kDotLanes, bad + r * kDotLanes);
  }
}
#endif

// Whether rows_fn(impl) reads A spread across the lanes. The SIMD128 lanes
// splat each term of a plain row as they load it, so the GEMM writes no 8
// copies of A for them; AVX2's lanes load the spread vectors.
bool rows_spread(DotImpl impl) { return impl != DotImpl::Wasm128; }

RowsFn rows_fn(DotImpl impl) {
  switch (impl) {
#ifdef MANTISSA_HAVE_AVX2_GEMM
    case DotImpl::Avx2:
      return dot_lanes_rows_avx2;
#endif
#ifdef MANTISSA_HAVE_WASM_GEMM
    case DotImpl::Wasm128:
      return detail::dot_lanes_rows_wasm;
#endif
    default:
      return nullptr;
  }
}

}  // namespace

void gemm_lanes(const DotLanesModel& model, const float* a, const float* b, const GemmShape& s, const uint32_t* c,
                DotImpl impl, uint32_t* out, uint8_t* done) {
  GemmScratch scratch;
  gemm_lanes(model, a, b, s, c, impl, out, done, &scratch);
}

void gemm_lanes(const DotLanesModel& model, const float* a, const float* b, const GemmShape& s, const uint32_t* c,
                DotImpl impl, uint32_t* out, uint8_t* done, GemmScratch* w) {
  const size_t m = s.m, n = s.n, k = s.k;
  mark_rows(a, m, k, &w->row_bad, &w->row_tiny);
  mark_rows(b, n, k, &w->col_bad, &w->col_tiny);
  for (size_t j = 0; j < n; ++j) w->col_bad[j] |= static_cast<uint8_t>(c && (c[j] & 0x7f800000u) == 0x7f800000u);
  const RowsFn lanes = detail::lanes_run_simd(impl) ? rows_fn(impl) : nullptr;
  if (!lanes) {
    // The reference: every output through the one-dot kernels.
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < n; ++j) {
        const size_t o = i * n + j;
        done[o] = 0;
        out[o] = 0;
        if (w->row_bad[i] || w->col_bad[j]) continue;
        done[o] = detail::dot_one(model, a + i * k, b + j * k, k, c ? c[j] : 0, &out[o]);
      }
    }
    return;
  }
  // A's rows for the lanes, a row with a special zeroed: its outputs go back
  // to the caller and the lanes see finite values only. Spread across the
  // lanes (row-interleaved, dot.h) where the lanes want that; else A itself,
  // or a copy when a row needs zeroing.
  constexpr size_t L = kDotLanes;
  const bool spread = rows_spread(impl);
  const size_t a_row = spread ? k * L : k;  // floats from one row to the next
  const float* a_lanes = a;
  if (spread) {
    w->a_spread.resize(m * k * L);
    for (size_t i = 0; i < m; ++i) {
      float* d = w->a_spread.data() + i * k * L;  // (k = 0: an empty vector, no element to index)
      const float* r = a + i * k;
      for (size_t t = 0; t < k; ++t) {
        const float v = w->row_bad[i] ? 0.0f : r[t];
        for (size_t l = 0; l < L; ++l) d[t * L + l] = v;
      }
    }
    a_lanes = w->a_spread.data();
  } else if (std::find(w->row_bad.begin(), w->row_bad.end(), 1) != w->row_bad.end()) {
    w->a_spread.assign(a, a + m * k);
    for (size_t i = 0; i < m; ++i) {
      if (w->row_bad[i]) std::fill_n(w->a_spread.begin() + static_cast<std::ptrdiff_t>(i * k), k, 0.0f);
    }
    a_lanes = w->a_spread.data();
  }
  w->b_panel.resize(k * L);
  constexpr size_t R = detail::kLanesRows;
  uint32_t lane_c[L], lane_out[R * L];
  bool bad[R * L];
  for (size_t j0 = 0; j0 < n; j0 += L) {
    const size_t width = std::min(L, n - j0);
    // Panel of B rows j0 .. j0 + width, row-interleaved; missing and special lanes zero.
    for (size_t l = 0; l < L; ++l) {
      const bool live = l < width && !w->col_bad[j0 + l];
      const float* r = b + (j0 + l) * k;
      for (size_t t = 0; t < k; ++t) w->b_panel[t * L + l] = live ? r[t] : 0.0f;
      lane_c[l] = live && c ? c[j0 + l] : 0;
    }
    bool panel_tiny = false;  // a tiny input in the panel or a -0 c
    for (size_t l = 0; l < width; ++l) panel_tiny |= w->col_tiny[j0 + l] || lane_c[l] == 0x80000000u;
    for (size_t i0 = 0; i0 < m; i0 += R) {
      const size_t rows = std::min(R, m - i0);
      bool coarse = !panel_tiny;
      for (size_t r = 0; r < rows; ++r) coarse &= !w->row_tiny[i0 + r];
      lanes(model, a_lanes + i0 * a_row, rows, w->b_panel.data(), k, lane_c, coarse, lane_out, bad);
      for (size_t r = 0; r < rows; ++r) {
        const size_t i = i0 + r;
        for (size_t l = 0; l < width; ++l) {
          const size_t o = i * n + j0 + l;
          const bool ok = !bad[r * L + l] && !w->row_bad[i] && !w->col_bad[j0 + l];
          out[o] = ok ? lane_out[r * L + l] : 0;
          done[o] = ok;
        }
      }
    }
  }
}

}  // namespace mantissa::kernels
