// AVX2 forms of the tensor-core block's two passes (x86-64, chosen at run
// time), lane for lane the scalar references in dot.cpp: four or eight products at a
// time, exponents in 32-bit lanes, aligned terms in double lanes (exact, see
// dot.h). Products are rounded nowhere, so -mfma has nothing to contract.
#include <immintrin.h>

#include "kernels/dot.h"

namespace mantissa::kernels::detail {

namespace {

constexpr int kLanes = 4;
constexpr int kExponentBias = 127;

// max(float exponent, emin) of four values (dot.h's float_exponent).
inline __m128i exponents(__m128i bits, __m128i emin) {
  const __m128i field = _mm_and_si128(_mm_srli_epi32(bits, 23), _mm_set1_epi32(0xff));
  const __m128i e = _mm_sub_epi32(_mm_max_epi32(field, _mm_set1_epi32(1)), _mm_set1_epi32(kExponentBias));
  return _mm_max_epi32(e, emin);
}

inline __m128i is_zero(__m128i bits) {
  return _mm_cmpeq_epi32(_mm_and_si128(bits, _mm_set1_epi32(0x7fffffff)), _mm_setzero_si128());
}

// The same, eight lanes.
inline __m256i exponents8(__m256i bits, __m256i emin) {
  const __m256i field = _mm256_and_si256(_mm256_srli_epi32(bits, 23), _mm256_set1_epi32(0xff));
  const __m256i e =
      _mm256_sub_epi32(_mm256_max_epi32(field, _mm256_set1_epi32(1)), _mm256_set1_epi32(kExponentBias));
  return _mm256_max_epi32(e, emin);
}

inline __m256i is_zero8(__m256i bits) {
  return _mm256_cmpeq_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x7fffffff)), _mm256_setzero_si256());
}

}  // namespace

int block_max_exponent_avx2(const float* a, const float* b, size_t n, int input_emin) {
  const __m128i emin = _mm_set1_epi32(input_emin);
  const __m128i none = _mm_set1_epi32(kNoExponent);
  size_t i = 0;
  // Eight products at a time, then four.
  const __m256i emin8 = _mm256_set1_epi32(input_emin), none8 = _mm256_set1_epi32(kNoExponent);
  __m256i e_max8 = none8;
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const __m256i ua = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    const __m256i ub = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    const __m256i e = _mm256_add_epi32(exponents8(ua, emin8), exponents8(ub, emin8));
    e_max8 =
        _mm256_max_epi32(e_max8, _mm256_blendv_epi8(e, none8, _mm256_or_si256(is_zero8(ua), is_zero8(ub))));
  }
  __m128i e_max = _mm_max_epi32(_mm256_castsi256_si128(e_max8), _mm256_extracti128_si256(e_max8, 1));
  for (; i + kLanes <= n; i += kLanes) {
    const __m128i ua = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i));
    const __m128i ub = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i));
    const __m128i e = _mm_add_epi32(exponents(ua, emin), exponents(ub, emin));
    const __m128i zero = _mm_or_si128(is_zero(ua), is_zero(ub));  // zero products take no part
    e_max = _mm_max_epi32(e_max, _mm_blendv_epi8(e, none, zero));
  }
  e_max = _mm_max_epi32(e_max, _mm_shuffle_epi32(e_max, _MM_SHUFFLE(1, 0, 3, 2)));
  e_max = _mm_max_epi32(e_max, _mm_shuffle_epi32(e_max, _MM_SHUFFLE(2, 3, 0, 1)));
  const int vector_max = _mm_cvtsi128_si32(e_max);
  const int tail_max = block_max_exponent_scalar(a + i, b + i, n - i, input_emin);
  return vector_max > tail_max ? vector_max : tail_max;
}

double block_aligned_sum_avx2(const float* a, const float* b, size_t n, double scale) {
  const __m256d s = _mm256_set1_pd(scale);
  __m256d sum = _mm256_setzero_pd(), sum2 = _mm256_setzero_pd();
  size_t i = 0;
  // Two independent chains of additions, eight products per step.
  for (; i + 2 * kLanes <= n; i += 2 * kLanes) {
    const __m256d t = _mm256_mul_pd(
        _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i)), _mm256_cvtps_pd(_mm_loadu_ps(b + i))), s);
    const __m256d t2 = _mm256_mul_pd(_mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(a + i + kLanes)),
                                                   _mm256_cvtps_pd(_mm_loadu_ps(b + i + kLanes))),
                                     s);
    sum = _mm256_add_pd(sum, _mm256_round_pd(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC));
    sum2 = _mm256_add_pd(sum2, _mm256_round_pd(t2, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC));
  }
  sum = _mm256_add_pd(sum, sum2);
  for (; i + kLanes <= n; i += kLanes) {
    const __m256d pa = _mm256_cvtps_pd(_mm_loadu_ps(a + i));
    const __m256d pb = _mm256_cvtps_pd(_mm_loadu_ps(b + i));
    const __m256d t = _mm256_mul_pd(_mm256_mul_pd(pa, pb), s);
    sum = _mm256_add_pd(sum, _mm256_round_pd(t, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC));
  }
  // Integers below 2^53: the order of these additions cannot change the sum.
  const __m128d half = _mm_add_pd(_mm256_castpd256_pd128(sum), _mm256_extractf128_pd(sum, 1));
  const double vector_sum = _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
  return vector_sum + block_aligned_sum_scalar(a + i, b + i, n - i, scale);
}

// ---- Lanes: eight dot products side by side (dot.h's kDotLanes) --------------

namespace {

static_assert(kDotLanes == 8, "one __m256i of fp32 lanes");

// 2^e for four int32 lanes (-1022 <= e <= 1023) as doubles, from their bits.
inline __m256d pow2_4(__m128i e) {
  constexpr int kDoubleBias = 1023, kDoubleFraction = 52;
  return _mm256_castsi256_pd(_mm256_slli_epi64(
      _mm256_add_epi64(_mm256_cvtepi32_epi64(e), _mm256_set1_epi64x(kDoubleBias)), kDoubleFraction));
}

inline __m256i nonfinite8(__m256i bits) {
  const __m256i exp_mask = _mm256_set1_epi32(0x7f800000);
  return _mm256_cmpeq_epi32(_mm256_and_si256(bits, exp_mask), exp_mask);
}

// round_block (dot.cpp) on four lanes: |sum| * 2^unit into `man` fraction
// bits. Toward zero, when the result is a normal fp32 value, it is the double
// sum * 2^unit (exact: an integer below 2^53 times a power of two) with the
// fraction bits below `man` cleared, which then converts to float exactly.
// Other lanes (rne, fp32 subnormals, overflow) run the scalar round_block.
inline __m128i round4(__m256d sum, __m128i unit, int man, bool nearest) {
  const __m256d v = _mm256_mul_pd(sum, pow2_4(unit));
  const __m256i keep = _mm256_set1_epi64x(static_cast<long long>(~((uint64_t{1} << (52 - man)) - 1)));
  const __m256d cut = _mm256_castsi256_pd(_mm256_and_si256(_mm256_castpd_si256(v), keep));
  const __m256d mag = _mm256_andnot_pd(_mm256_set1_pd(-0.0), v);
  constexpr double kFp32MinNormal = 0x1p-126, kFp32Overflow = 0x1p128;
  const __m256d normal = _mm256_and_pd(_mm256_cmp_pd(mag, _mm256_set1_pd(kFp32MinNormal), _CMP_GE_OQ),
                                       _mm256_cmp_pd(mag, _mm256_set1_pd(kFp32Overflow), _CMP_LT_OQ));
  const __m256d fast = _mm256_or_pd(normal, _mm256_cmp_pd(v, _mm256_setzero_pd(), _CMP_EQ_OQ));
  __m128i r = _mm_castps_si128(_mm256_cvtpd_ps(cut));
  const int fast_mask = nearest ? 0 : _mm256_movemask_pd(fast);
  if (fast_mask != 0xf) {
    alignas(32) double sums[4];
    alignas(16) int units[4];
    alignas(16) uint32_t out[4];
    _mm256_store_pd(sums, sum);
    _mm_store_si128(reinterpret_cast<__m128i*>(units), unit);
    _mm_store_si128(reinterpret_cast<__m128i*>(out), r);
    for (int l = 0; l < 4; ++l) {
      if (!(fast_mask >> l & 1)) out[l] = round_block(sums[l], units[l], man, nearest);
    }
    r = _mm_load_si128(reinterpret_cast<const __m128i*>(out));
  }
  return r;
}

// One tensor-core block of n rows on eight lanes, c their running sums (fp32
// bits): dot.cpp's tensor_core_block, lane for lane.
__m256i tc_block8(const float* a, const float* b, size_t n, __m256i c, const TensorCoreKernel& m) {
  const __m256i emin = _mm256_set1_epi32(m.input_emin), none = _mm256_set1_epi32(kNoExponent);
  __m256i e_max = none;
  for (size_t j = 0; j < n; ++j) {
    const __m256i ua = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + j * kDotLanes));
    const __m256i ub = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + j * kDotLanes));
    const __m256i e = _mm256_add_epi32(exponents8(ua, emin), exponents8(ub, emin));
    e_max = _mm256_max_epi32(e_max, _mm256_blendv_epi8(e, none, _mm256_or_si256(is_zero8(ua), is_zero8(ub))));
  }
  constexpr int kFp32Emin = -126;  // c is an fp32 value
  e_max = _mm256_max_epi32(
      e_max, _mm256_blendv_epi8(exponents8(c, _mm256_set1_epi32(kFp32Emin)), none, is_zero8(c)));
  // A lane with no nonzero term sums to +0 at any unit: give it a harmless one.
  e_max = _mm256_blendv_epi8(e_max, _mm256_setzero_si256(), _mm256_cmpeq_epi32(e_max, none));
  const __m256i unit = _mm256_sub_epi32(e_max, _mm256_set1_epi32(23 + m.neab));
  const __m256i neg_unit = _mm256_sub_epi32(_mm256_setzero_si256(), unit);
  const __m256d s_lo = pow2_4(_mm256_castsi256_si128(neg_unit));
  const __m256d s_hi = pow2_4(_mm256_extracti128_si256(neg_unit, 1));
  constexpr int kTrunc = _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC;
  __m256d sum_lo = _mm256_setzero_pd(), sum_hi = _mm256_setzero_pd();
  for (size_t j = 0; j < n; ++j) {
    const float* ra = a + j * kDotLanes;
    const float* rb = b + j * kDotLanes;
    const __m256d t_lo = _mm256_mul_pd(
        _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(ra)), _mm256_cvtps_pd(_mm_loadu_ps(rb))), s_lo);
    const __m256d t_hi = _mm256_mul_pd(
        _mm256_mul_pd(_mm256_cvtps_pd(_mm_loadu_ps(ra + 4)), _mm256_cvtps_pd(_mm_loadu_ps(rb + 4))), s_hi);
    sum_lo = _mm256_add_pd(sum_lo, _mm256_round_pd(t_lo, kTrunc));
    sum_hi = _mm256_add_pd(sum_hi, _mm256_round_pd(t_hi, kTrunc));
  }
  const __m256 cf = _mm256_castsi256_ps(c);
  sum_lo = _mm256_add_pd(sum_lo, _mm256_round_pd(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_castps256_ps128(cf)), s_lo), kTrunc));
  sum_hi = _mm256_add_pd(sum_hi, _mm256_round_pd(_mm256_mul_pd(_mm256_cvtps_pd(_mm256_extractf128_ps(cf, 1)), s_hi), kTrunc));
  const int man = 23 + (m.neab < 0 ? m.neab : 0);
  const __m128i r_lo = round4(sum_lo, _mm256_castsi256_si128(unit), man, m.nearest);
  const __m128i r_hi = round4(sum_hi, _mm256_extracti128_si256(unit, 1), man, m.nearest);
  return _mm256_inserti128_si256(_mm256_castsi128_si256(r_lo), r_hi, 1);
}

// The chain of blocks over `rows` rows from c (dot.cpp's tensor_core_chain).
__m256i tc_chain8(const float* a, const float* b, size_t rows, __m256i c, const TensorCoreKernel& m,
                  __m256i* bad) {
  const size_t n = static_cast<size_t>(m.fma);
  if (rows == 0) return tc_block8(a, b, 0, c, m);
  __m256i d = c;
  for (size_t i = 0; i < rows; i += n) {
    d = tc_block8(a + i * kDotLanes, b + i * kDotLanes, rows - i < n ? rows - i : n, d, m);
    *bad = _mm256_or_si256(*bad, nonfinite8(d));
  }
  return d;
}

// seq:fp32 over `rows` rows from c: FMA chains, a zero product skipped.
__m256 seq8(const float* a, const float* b, size_t rows, __m256 s) {
  const __m256 zero = _mm256_setzero_ps();
  for (size_t j = 0; j < rows; ++j) {
    const __m256 va = _mm256_loadu_ps(a + j * kDotLanes), vb = _mm256_loadu_ps(b + j * kDotLanes);
    const __m256 skip = _mm256_or_ps(_mm256_cmp_ps(va, zero, _CMP_EQ_OQ), _mm256_cmp_ps(vb, zero, _CMP_EQ_OQ));
    s = _mm256_blendv_ps(_mm256_fmadd_ps(va, vb, s), s, skip);
  }
  return s;
}

// dot.cpp's add_fp32: a zero part leaves the total; a zero total takes the part.
__m256i add_fp32_8(__m256i total, __m256i part) {
  const __m256i sum = _mm256_castps_si256(_mm256_add_ps(_mm256_castsi256_ps(total), _mm256_castsi256_ps(part)));
  const __m256i r = _mm256_blendv_epi8(sum, part, is_zero8(total));
  return _mm256_blendv_epi8(r, total, is_zero8(part));
}

}  // namespace

void lanes_not_finite_avx2(const float* a, const float* b, size_t k, uint32_t* special) {
  __m256i any = _mm256_setzero_si256();
  for (size_t i = 0; i < k; ++i) {
    const __m256i ua = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i * kDotLanes));
    const __m256i ub = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i * kDotLanes));
    any = _mm256_or_si256(any, _mm256_or_si256(nonfinite8(ua), nonfinite8(ub)));
  }
  alignas(32) uint32_t lanes[kDotLanes];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), any);
  for (size_t l = 0; l < kDotLanes; ++l) special[l] |= lanes[l] & 1;
}

void dot_lanes_avx2(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                    uint32_t* out, bool* bad) {
  __m256i total = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(c));
  __m256i badv = _mm256_setzero_si256();
  switch (m.kind) {
    case DotLanesKind::Seq:
      total = _mm256_castps_si256(seq8(a, b, k, _mm256_castsi256_ps(total)));
      break;
    case DotLanesKind::BlockedSeq:
      for (size_t i = 0; i < k; i += m.block) {
        const size_t rows = k - i < m.block ? k - i : m.block;
        const __m256 part = seq8(a + i * kDotLanes, b + i * kDotLanes, rows, _mm256_setzero_ps());
        total = add_fp32_8(total, _mm256_castps_si256(part));
      }
      break;
    case DotLanesKind::TensorCore:
      total = tc_chain8(a, b, k, total, m.tc, &badv);
      break;
    case DotLanesKind::BlockedTensorCore:
      for (size_t i = 0; i < k; i += m.block) {
        const size_t rows = k - i < m.block ? k - i : m.block;
        const __m256i part =
            tc_chain8(a + i * kDotLanes, b + i * kDotLanes, rows, _mm256_setzero_si256(), m.tc, &badv);
        total = add_fp32_8(total, part);
      }
      break;
  }
  badv = _mm256_or_si256(badv, nonfinite8(total));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), total);
  const int bad_mask = _mm256_movemask_ps(_mm256_castsi256_ps(badv));
  for (size_t l = 0; l < kDotLanes; ++l) bad[l] = (bad_mask >> l) & 1;
}

}  // namespace mantissa::kernels::detail
