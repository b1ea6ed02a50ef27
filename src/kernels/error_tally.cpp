#include "kernels/error_tally.h"

#include <string>

#include <vector>

#include "kernels/convert.h"
#include "kernels/convert_lanes.h"
#include "kernels/cpu_features.h"
#include "kernels/error_tally_table.h"

namespace mantissa::kernels {

TallyPath tally_path() {
  const std::string forced = forced_kernel_path();
  if (forced == "scalar" || forced == "sse2") return TallyPath::Scalar;
#if defined(__EMSCRIPTEN__)
  return TallyPath::Wasm128;
#elif defined(__x86_64__) || defined(__i386__)
  if (cpu_has_avx512() && (forced.empty() || forced == "avx512")) return TallyPath::Avx512;
  return cpu_has_avx2() ? TallyPath::Avx2 : TallyPath::Scalar;
#else
  return TallyPath::Scalar;
#endif
}

const char* tally_path_name(TallyPath p) {
  switch (p) {
    case TallyPath::Avx2:
      return "avx2";
    case TallyPath::Avx512:
      return "avx512";
    case TallyPath::Wasm128:
      return "wasm-simd128";
    case TallyPath::Scalar:
      break;
  }
  return "scalar";
}

void tally_fp32(const float* x, const float* y, size_t n, uint64_t first, const TallyBounds& b, ErrorTally* t,
                TallyPath path) {
#if defined(__EMSCRIPTEN__)
  if (path == TallyPath::Wasm128) return detail::tally_fp32_wasm128(x, y, n, first, b, t);
#elif defined(__x86_64__) || defined(__i386__)
  if (path == TallyPath::Avx2) return detail::tally_fp32_avx2(x, y, n, first, b, t);
  if (path == TallyPath::Avx512) return detail::tally_fp32_avx512(x, y, n, first, b, t);
#endif
  ErrorTally s = *t;  // a local: counters and sums stay in registers
  for (size_t j = 0; j < n; ++j) tally_element(s, (first + j) % kTallyLanes, x[j], y[j], b);
  *t = s;
}

namespace {
template <class Spec>
RoundSpec round_spec_of() {
  using N = detail::Narrowing<Spec>;
  RoundSpec r;
  r.drop = N::kDrop;
  r.half_ulp_minus_one = N::kHalfUlpMinusOne;
  r.overflow_from = N::kOverflowFrom;
  r.subnormal_magic = N::kSubnormalMagic;
  r.min_normal = N::kMinNormalAsF32;
  return r;
}
}  // namespace

RoundSpec round_spec(Target target) {
  switch (target) {
    case Target::Fp16:
      return round_spec_of<detail::Fp16Spec>();
    case Target::Bf16:
      return round_spec_of<detail::Bf16Spec>();
    case Target::Fp8E4M3:
      return round_spec_of<detail::Fp8E4M3Spec>();
    case Target::Fp8E5M2:
      break;
  }
  return round_spec_of<detail::Fp8E5M2Spec>();
}

void tally_fp32_round(const float* x, size_t n, uint64_t first, const TallyBounds& b, Target target, ErrorTally* t,
                      TallyPath path) {
#if defined(__EMSCRIPTEN__)
  if (path == TallyPath::Wasm128) return detail::tally_fp32_round_wasm128(x, round_spec(target), n, first, b, t);
#elif defined(__x86_64__) || defined(__i386__)
  if (path == TallyPath::Avx2) return detail::tally_fp32_round_avx2(x, round_spec(target), n, first, b, t);
  if (path == TallyPath::Avx512) return detail::tally_fp32_round_avx512(x, round_spec(target), n, first, b, t);
#endif
  // The scalar path: the batch kernels' round trip, then the scalar loop.
  std::vector<float> y(n);
  round_trip(target, x, y.data(), n);
  tally_fp32(x, y.data(), n, first, b, t, TallyPath::Scalar);
}

namespace detail {
void tally_table16_generic(const uint16_t* v, size_t n, uint64_t first, const double* table, size_t row,
                           double* lanes, uint32_t* hist) {
  table16_dispatch(v, n, first, table, row, lanes, hist);
}
}  // namespace detail

void tally_table16(const uint16_t* v, size_t n, uint64_t first, const double* table, size_t row, double* lanes,
                   uint32_t* hist, TallyPath path) {
#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
  if (path == TallyPath::Avx2 || path == TallyPath::Avx512)
    return detail::tally_table16_avx2(v, n, first, table, row, lanes, hist);
#endif
  (void)path;
  detail::tally_table16_generic(v, n, first, table, row, lanes, hist);
}

}  // namespace mantissa::kernels
