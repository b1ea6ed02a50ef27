// The dot-product kernels' scalar reference and dispatch (see dot.h for why
// the tensor-core block is exact in doubles). The per-ISA block functions
// live in dot_x86_avx2.cpp and dot_wasm.cpp and must match these lane for lane.
#include "kernels/dot.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/product_sum.h"  // pow2_double
#include "kernels/convert.h"
#include "kernels/cpu_features.h"

namespace mantissa::kernels {

namespace {

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
#define MANTISSA_HAVE_AVX2_DOT 1
#endif
#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#define MANTISSA_HAVE_WASM_DOT 1
#endif

uint32_t bits_of(float x) {
  uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

float float_of(uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

bool finite_bits(uint32_t u) { return (u & 0x7f800000u) != 0x7f800000u; }
bool zero_bits(uint32_t u) { return (u & 0x7fffffffu) == 0; }

int bit_length(uint64_t x) { return x == 0 ? 0 : 64 - __builtin_clzll(x); }

using MaxExponent = int (*)(const float*, const float*, size_t, int);
using AlignedSum = double (*)(const float*, const float*, size_t, double);

struct BlockKernels {
  MaxExponent max_exponent;
  AlignedSum aligned_sum;
};

BlockKernels block_kernels(DotImpl impl) {
  switch (dot_impl_available(impl) ? impl : DotImpl::Scalar) {
#ifdef MANTISSA_HAVE_AVX2_DOT
    case DotImpl::Avx2:
      return {detail::block_max_exponent_avx2, detail::block_aligned_sum_avx2};
#endif
#ifdef MANTISSA_HAVE_WASM_DOT
    case DotImpl::Wasm128:
      return {detail::block_max_exponent_wasm, detail::block_aligned_sum_wasm};
#endif
    default:
      return {detail::block_max_exponent_scalar, detail::block_aligned_sum_scalar};
  }
}

// One block (core/dot.cpp's tensor_core_block with fp32 output): products [0, n) and c.
uint32_t tensor_core_block(const BlockKernels& k, const float* a, const float* b, size_t n, uint32_t c,
                           const TensorCoreKernel& m) {
  int e_max = k.max_exponent(a, b, n, m.input_emin);
  if (!zero_bits(c)) {
    const int ec = detail::float_exponent(c, -126);
    if (ec > e_max) e_max = ec;
  }
  if (e_max == detail::kNoExponent) return 0;  // +0, as the model gives for no terms
  const int unit = e_max - 23 - m.neab;
  const double scale = pow2_double(-unit);
  // c aligned like a product: truncated toward zero at the unit.
  const double sum = k.aligned_sum(a, b, n, scale) + std::trunc(static_cast<double>(float_of(c)) * scale);
  return detail::round_block(sum, unit, 23 + (m.neab < 0 ? m.neab : 0), m.nearest);
}

bool tensor_core_chain(const BlockKernels& kk, const float* a, const float* b, size_t k, uint32_t c,
                       const TensorCoreKernel& m, uint32_t* out) {
  const size_t n = static_cast<size_t>(m.fma);
  uint32_t d = c;
  if (k == 0) {
    *out = tensor_core_block(kk, a, b, 0, d, m);
    return true;
  }
  for (size_t i = 0; i < k; i += n) {
    if (!finite_bits(d)) return false;  // an overflow feeding the next block: the core's rules
    d = tensor_core_block(kk, a + i, b + i, k - i < n ? k - i : n, d, m);
  }
  *out = d;
  return true;
}

// total + part rounded (rne) as core's add_in does it for finite operands: a
// zero operand leaves the other as it is (so -0 + +0 keeps -0, where IEEE
// addition would give +0); otherwise the hardware sum is the correctly rounded one.
uint32_t add_fp32(uint32_t total, uint32_t part) {
  if (zero_bits(part)) return total;
  if (zero_bits(total)) return part;
  return bits_of(float_of(total) + float_of(part));
}

}  // namespace

namespace detail {

uint32_t round_block(double sum, int unit, int man, bool nearest) {
  if (sum == 0) return 0;
  const bool negative = sum < 0;
  const uint32_t sign = negative ? 0x80000000u : 0;
  const uint64_t mag = static_cast<uint64_t>(negative ? -sum : sum);
  const int top = unit + bit_length(mag) - 1;  // exponent of the leading bit
  const int floor_lsb = -126 - man;            // the format's subnormals
  const int lsb = top - man > floor_lsb ? top - man : floor_lsb;
  uint64_t q = mag;
  int e = unit;
  if (lsb > unit) {
    const int d = lsb - unit;
    if (d >= 63) {
      q = 0;  // mag < 2^53 lies below half of 2^lsb: rz and rne both give 0
    } else {
      q = mag >> d;
      const uint64_t rem = mag & ((uint64_t{1} << d) - 1), half = uint64_t{1} << (d - 1);
      if (nearest && (rem > half || (rem == half && (q & 1)))) ++q;
    }
    e = lsb;
  }
  if (q == 0) return sign;  // underflow keeps the sign
  if (e + bit_length(q) - 1 >= 128) {
    if (nearest) return sign | 0x7f800000u;
    // Toward zero: the format's largest finite value, (2^(man+1) - 1) * 2^(127 - man).
    return sign | bits_of(static_cast<float>(
                      std::ldexp(static_cast<double>((uint64_t{1} << (man + 1)) - 1), 127 - man)));
  }
  // q * 2^e is exact in fp32 (q has at most man + 1 <= 24 significant bits
  // above the format's subnormal floor), and exact in double on the way.
  return sign | bits_of(static_cast<float>(static_cast<double>(q) * pow2_double(e)));
}

int block_max_exponent_scalar(const float* a, const float* b, size_t n, int input_emin) {
  int e_max = kNoExponent;
  for (size_t i = 0; i < n; ++i) {
    const uint32_t ua = bits_of(a[i]), ub = bits_of(b[i]);
    if (zero_bits(ua) || zero_bits(ub)) continue;
    const int e = float_exponent(ua, input_emin) + float_exponent(ub, input_emin);
    if (e > e_max) e_max = e;
  }
  return e_max;
}

double block_aligned_sum_scalar(const float* a, const float* b, size_t n, double scale) {
  double sum = 0;
  for (size_t i = 0; i < n; ++i) {
    sum += std::trunc(static_cast<double>(a[i]) * static_cast<double>(b[i]) * scale);
  }
  return sum;
}

}  // namespace detail

const char* dot_impl_name(DotImpl impl) {
  switch (impl) {
    case DotImpl::Avx2:
      return "avx2";
    case DotImpl::Wasm128:
      return "wasm-simd128";
    default:
      return "scalar";
  }
}

bool dot_impl_available(DotImpl impl) {
  switch (impl) {
    case DotImpl::Scalar:
      return true;
    case DotImpl::Avx2:
#ifdef MANTISSA_HAVE_AVX2_DOT
      return cpu_has_avx2() && cpu_has_fma();  // seq:fp32's lanes are FMA chains
#else
      return false;
#endif
    case DotImpl::Wasm128:
#ifdef MANTISSA_HAVE_WASM_DOT
      return true;
#else
      return false;
#endif
  }
  return false;
}

DotImpl best_dot_impl() {
  // MANTISSA_KERNELS / force_kernel_path() cap the dot kernels as they cap
  // the conversions (kernels/convert.h): "scalar" and "sse2" (no SSE2 dot
  // kernels) mean the scalar ones; avx2 and above allow AVX2.
  const std::string forced = forced_kernel_path();
  if (forced == "scalar" || forced == "sse2") return DotImpl::Scalar;
  if (dot_impl_available(DotImpl::Avx2)) return DotImpl::Avx2;
  if (dot_impl_available(DotImpl::Wasm128)) return DotImpl::Wasm128;
  return DotImpl::Scalar;
}

bool tensor_core_kernel_of(const TensorCoreModel& m, const Format& in, TensorCoreKernel* out) {
  if (m.fp16_out) return false;
  out->fma = m.fma;
  out->neab = m.neab;
  out->nearest = m.round == RoundingMode::NearestEven;
  out->input_emin = in.emin();
  return true;
}

bool dot_tensor_core(const float* a, const float* b, size_t k, uint32_t c, const TensorCoreKernel& m,
                     DotImpl impl, uint32_t* out) {
  if (!finite_bits(c)) return false;
  return tensor_core_chain(block_kernels(impl), a, b, k, c, m, out);
}

bool dot_blocked_tensor_core(const float* a, const float* b, size_t k, uint32_t c, const TensorCoreKernel& m,
                             size_t block, DotImpl impl, uint32_t* out) {
  if (!finite_bits(c) || block == 0) return false;
  const BlockKernels kk = block_kernels(impl);
  uint32_t total = c;
  for (size_t i = 0; i < k; i += block) {
    uint32_t part = 0;
    if (!tensor_core_chain(kk, a + i, b + i, k - i < block ? k - i : block, 0, m, &part)) return false;
    if (!finite_bits(part)) return false;
    total = add_fp32(total, part);
  }
  *out = total;
  return true;
}

namespace {

// fl32(a*b + s), correctly rounded (one rounding). Natively std::fmaf is the
// hardware's or glibc's. Emscripten's fmaf (musl's) rounds a*b + s to double
// and then to float, and its fix for the one case where that differs (an
// inexact double sum on a float midpoint) relies on rounding modes wasm does
// not have: (1 + 2^-23) * 2^-24 (1 - 2^-23) + (1 + 2^-23) gives 1 + 2^-22
// there, the FMA 1 + 2^-23 (tests/dot/test_gemm_kernels.cpp). So in wasm the
// suspect double sums (a midpoint of normal floats, or below the normal range)
// are made round-to-odd by TwoSum before rounding to float (53 >= 24 + 2 bits);
// a*b is exact in double and nothing over- or underflows there.
float fma_fp32(float a, float b, float s) {
#ifdef __EMSCRIPTEN__
  const double p = static_cast<double>(a) * static_cast<double>(b), d = p + static_cast<double>(s);
  uint64_t u;
  std::memcpy(&u, &d, sizeof u);
  constexpr uint64_t kLow = 0x1fffffff, kMidpoint = 0x10000000;
  if ((u & kLow) != kMidpoint && std::fabs(d) >= 0x1p-126) return static_cast<float>(d);
  const double bb = d - p, e = (p - (d - bb)) + (static_cast<double>(s) - bb);
  if (e != 0 && (u & 1) == 0) u += (d > 0) == (e > 0) ? 1 : ~uint64_t{0};  // one ulp toward the exact sum
  double odd;
  std::memcpy(&odd, &u, sizeof odd);
  return static_cast<float>(odd);
#else
  return std::fmaf(a, b, s);
#endif
}

}  // namespace

uint32_t dot_seq_fp32(const float* a, const float* b, size_t k, uint32_t c) {
  uint32_t s = c;
  for (size_t i = 0; i < k; ++i) {
    // A zero product leaves the sum as it is (core's add_term), sign of a zero sum included.
    if (a[i] == 0 || b[i] == 0) continue;
    s = bits_of(fma_fp32(a[i], b[i], float_of(s)));
  }
  return s;
}

uint32_t dot_blocked_fp32(const float* a, const float* b, size_t k, uint32_t c, size_t block) {
  uint32_t total = c;
  for (size_t i = 0; i < k; i += block) {
    total = add_fp32(total, dot_seq_fp32(a + i, b + i, k - i < block ? k - i : block, 0));
  }
  return total;
}

void dot_inputs_as_floats(const DotInput& in, std::vector<float>* a, std::vector<float>* b) {
  a->resize(in.a.size());
  b->resize(in.b.size());
  for (size_t i = 0; i < in.a.size(); ++i) {
    (*a)[i] = float_of(static_cast<uint32_t>(convert_bits(in.in, in.a[i], fp32()).bits));
    (*b)[i] = float_of(static_cast<uint32_t>(convert_bits(in.in, in.b[i], fp32()).bits));
  }
}

bool dot_with_kernels(const Accumulator& acc, const Format& in, const float* a, const float* b, size_t k,
                      uint32_t c, DotImpl impl, uint64_t* bits) {
  if (!finite_bits(c)) return false;
  // Branch-free so the compiler can run it in lanes: it reads every input once.
  uint32_t special = 0;
  for (size_t i = 0; i < k; ++i) {
    special |= static_cast<uint32_t>((bits_of(a[i]) & 0x7f800000u) == 0x7f800000u) |
               static_cast<uint32_t>((bits_of(b[i]) & 0x7f800000u) == 0x7f800000u);
  }
  if (special) return false;
  uint32_t r = 0;
  TensorCoreKernel m;
  switch (acc.kind) {
    case AccumulatorKind::Sequential:
      if (acc.format != fp32() || acc.mode != RoundingMode::NearestEven) return false;
      r = dot_seq_fp32(a, b, k, c);
      break;
    case AccumulatorKind::Blocked:
      if (acc.block_tc) {
        if (!tensor_core_kernel_of(acc.tc, in, &m) ||
            !dot_blocked_tensor_core(a, b, k, c, m, static_cast<size_t>(acc.block), impl, &r))
          return false;
      } else {
        if (acc.format != fp32()) return false;
        r = dot_blocked_fp32(a, b, k, c, static_cast<size_t>(acc.block));
      }
      break;
    case AccumulatorKind::TensorCore:
      if (!tensor_core_kernel_of(acc.tc, in, &m) || !dot_tensor_core(a, b, k, c, m, impl, &r)) return false;
      break;
    default:
      return false;
  }
  // An infinite or NaN result went through special-value rules (inf + -inf,
  // an overflow carried along) that the core owns: let it decide.
  if (!finite_bits(r)) return false;
  *bits = r;
  return true;
}

// ---- Lanes ---------------------------------------------------------------------

bool dot_lanes_model_of(const Accumulator& acc, const Format& in, DotLanesModel* out) {
  DotLanesModel m;
  switch (acc.kind) {
    case AccumulatorKind::Sequential:
      if (acc.format != fp32() || acc.mode != RoundingMode::NearestEven) return false;
      m.kind = DotLanesKind::Seq;
      break;
    case AccumulatorKind::Blocked:
      if (acc.block == 0) return false;
      m.block = static_cast<size_t>(acc.block);
      if (acc.block_tc) {
        if (!tensor_core_kernel_of(acc.tc, in, &m.tc)) return false;
        m.kind = DotLanesKind::BlockedTensorCore;
      } else {
        if (acc.format != fp32()) return false;
        m.kind = DotLanesKind::BlockedSeq;
      }
      break;
    case AccumulatorKind::TensorCore:
      if (!tensor_core_kernel_of(acc.tc, in, &m.tc)) return false;
      m.kind = DotLanesKind::TensorCore;
      break;
    default:
      return false;
  }
  // Significand bits, lsb of the smallest subnormal and bound of the largest
  // value of a product, against fp32's 24 bits, 2^-149 and 2^128.
  const int lsb = in.emin() - in.man_bits;
  m.exact_fp32_products = 2 * in.precision() <= 24 && 2 * lsb >= -149 && 2 * (in.emax() + 1) <= 128;
  *out = m;
  return true;
}

namespace detail {

void lanes_not_finite_scalar(const float* a, const float* b, size_t k, uint32_t* special) {
  for (size_t i = 0; i < k * kDotLanes; ++i) {
    special[i % kDotLanes] |= static_cast<uint32_t>(!finite_bits(bits_of(a[i]))) |
                              static_cast<uint32_t>(!finite_bits(bits_of(b[i])));
  }
}

bool dot_one(const DotLanesModel& m, const float* a, const float* b, size_t k, uint32_t c, uint32_t* out) {
  uint32_t r = 0;
  bool ok = true;
  switch (m.kind) {
    case DotLanesKind::Seq:
      r = dot_seq_fp32(a, b, k, c);
      break;
    case DotLanesKind::BlockedSeq:
      r = dot_blocked_fp32(a, b, k, c, m.block);
      break;
    case DotLanesKind::TensorCore:
      ok = dot_tensor_core(a, b, k, c, m.tc, DotImpl::Scalar, &r);
      break;
    case DotLanesKind::BlockedTensorCore:
      ok = dot_blocked_tensor_core(a, b, k, c, m.tc, m.block, DotImpl::Scalar, &r);
      break;
  }
  *out = r;
  return ok && finite_bits(r);
}

bool lanes_run_simd(DotImpl impl) { return impl != DotImpl::Scalar && dot_impl_available(impl); }

// The lanes reference: each lane gathered and run through the one-dot scalar
// kernels above. bad[l] where they decline (a result that is not finite).
void dot_lanes_scalar(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
                      uint32_t* out, bool* bad) {
  std::vector<float> la(k), lb(k);
  for (size_t l = 0; l < kDotLanes; ++l) {
    for (size_t i = 0; i < k; ++i) {
      la[i] = a[i * kDotLanes + l];
      lb[i] = b[i * kDotLanes + l];
    }
    bad[l] = !dot_one(m, la.data(), lb.data(), k, c[l], &out[l]);
  }
}

}  // namespace detail

void dot_lanes(const DotLanesModel& m, const float* a, const float* b, size_t k, const uint32_t* c,
               DotImpl impl, uint32_t* out, bool* done) {
  // Lanes with an input that is not finite go to the core (its special-value
  // rules); they are zeroed so the kernels below see finite values only.
  uint32_t special[kDotLanes] = {};
  if (!dot_impl_available(impl)) impl = DotImpl::Scalar;
#ifdef MANTISSA_HAVE_WASM_DOT
  // The lanes that notice non-finite inputs themselves go first, without the
  // pass below over the operands (a third of their time); what they decline
  // takes the general path.
  if (impl == DotImpl::Wasm128 && std::all_of(c, c + kDotLanes, finite_bits)) {
    bool bad[kDotLanes] = {};
    if (detail::dot_lanes_wasm_checked(m, a, b, k, c, out, bad)) {
      for (size_t l = 0; l < kDotLanes; ++l) done[l] = !bad[l];
      return;
    }
  }
#endif
  switch (impl) {
#ifdef MANTISSA_HAVE_AVX2_DOT
    case DotImpl::Avx2:
      detail::lanes_not_finite_avx2(a, b, k, special);
      break;
#endif
#ifdef MANTISSA_HAVE_WASM_DOT
    case DotImpl::Wasm128:
      detail::lanes_not_finite_wasm(a, b, k, special);
      break;
#endif
    default:
      detail::lanes_not_finite_scalar(a, b, k, special);
  }
  uint32_t any = 0;
  uint32_t lane_c[kDotLanes];
  for (size_t l = 0; l < kDotLanes; ++l) {
    special[l] |= static_cast<uint32_t>(!finite_bits(c[l]));
    any |= special[l];
    lane_c[l] = special[l] ? 0 : c[l];
  }
  std::vector<float> clean_a, clean_b;
  if (any) {
    clean_a.assign(a, a + k * kDotLanes);
    clean_b.assign(b, b + k * kDotLanes);
    for (size_t i = 0; i < k * kDotLanes; ++i) {
      if (special[i % kDotLanes]) clean_a[i] = clean_b[i] = 0;
    }
    a = clean_a.data();
    b = clean_b.data();
  }
  bool bad[kDotLanes] = {};
  switch (impl) {
#ifdef MANTISSA_HAVE_AVX2_DOT
    case DotImpl::Avx2:
      detail::dot_lanes_avx2(m, a, b, k, lane_c, out, bad);
      break;
#endif
#ifdef MANTISSA_HAVE_WASM_DOT
    case DotImpl::Wasm128:
      detail::dot_lanes_wasm(m, a, b, k, lane_c, out, bad);
      break;
#endif
    default:
      detail::dot_lanes_scalar(m, a, b, k, lane_c, out, bad);
  }
  for (size_t l = 0; l < kDotLanes; ++l) done[l] = !special[l] && !bad[l];
}

std::vector<uint64_t> dot_many(const Accumulator& acc, const std::vector<DotInput>& inputs) {
  std::vector<uint64_t> out(inputs.size());
  const DotImpl impl = best_dot_impl();
  std::vector<float> a, b, la, lb;
  size_t i = 0;
  while (i < inputs.size()) {
    const DotInput& first = inputs[i];
    const size_t k = first.a.size();
    DotLanesModel m;
    bool group = i + kDotLanes <= inputs.size() && dot_lanes_model_of(acc, first.in, &m);
    for (size_t l = 1; group && l < kDotLanes; ++l) {
      group = inputs[i + l].a.size() == k && inputs[i + l].in == first.in;
    }
    if (group) {
      la.resize(k * kDotLanes);
      lb.resize(k * kDotLanes);
      uint32_t c[kDotLanes], bits[kDotLanes];
      bool done[kDotLanes];
      for (size_t l = 0; l < kDotLanes; ++l) {
        dot_inputs_as_floats(inputs[i + l], &a, &b);
        for (size_t t = 0; t < k; ++t) {
          la[t * kDotLanes + l] = a[t];
          lb[t * kDotLanes + l] = b[t];
        }
        c[l] = static_cast<uint32_t>(inputs[i + l].c);
      }
      dot_lanes(m, la.data(), lb.data(), k, c, impl, bits, done);
      for (size_t l = 0; l < kDotLanes; ++l) out[i + l] = done[l] ? bits[l] : dot(acc, inputs[i + l]);
      i += kDotLanes;
      continue;
    }
    dot_inputs_as_floats(first, &a, &b);
    uint64_t bits = 0;
    out[i] = dot_with_kernels(acc, first.in, a.data(), b.data(), k, static_cast<uint32_t>(first.c), impl, &bits)
                 ? bits
                 : dot(acc, first);
    ++i;
  }
  return out;
}

}  // namespace mantissa::kernels
