// Scalar references of the population update kernels, and the dispatch.
#include "kernels/accumulate.h"
#include "kernels/cpu_features.h"

#include <cstring>

namespace mantissa::kernels {

namespace {

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

// The scalar reference loops must stay scalar: they are what the SIMD
// versions are measured against (g++ -O2 and clang auto-vectorise otherwise).
#if defined(__clang__)
#define MANTISSA_SCALAR_FN
#define MANTISSA_SCALAR_LOOP _Pragma("clang loop vectorize(disable) interleave(disable)")
#elif defined(__GNUC__)
#define MANTISSA_SCALAR_FN __attribute__((optimize("no-tree-vectorize")))
#define MANTISSA_SCALAR_LOOP
#else
#define MANTISSA_SCALAR_FN
#define MANTISSA_SCALAR_LOOP
#endif

// Weights per block in the many-steps kernels: 1024 fp32 weights = 4 KiB,
// so a block stays in L1 while every step runs over it.
constexpr size_t kStepsBlock = 1024;

}  // namespace

// ---- Scalar building blocks --------------------------------------------------

// fp16 fields: 1 sign, 5 exponent (bias 15), 10 fraction bits. fp32: 1, 8 (bias 127), 23.
constexpr uint32_t kF32Sign = 0x80000000u;
constexpr uint32_t kF32Abs = 0x7fffffffu;
constexpr uint32_t kF32Inf = 0x7f800000u;
constexpr uint32_t kF32QuietBit = 0x00400000u;
constexpr uint32_t kF16Inf = 0x7c00u;
constexpr uint32_t kF16QuietNaN = 0x7e00u;                 // inf exponent + quiet bit
constexpr uint32_t kFractionShift = 23 - 10;               // fp32 fraction bits dropped by fp16
constexpr uint32_t kRebias = (127 - 15) << 23;             // exponent bias difference
constexpr uint32_t kF16MinNormalAsF32 = (127 - 14) << 23;  // 2^-14 = 0x38800000
constexpr uint32_t kF16OverflowAsF32 = 0x477ff000u;        // 65520 = max (65504) + half an ulp: ties to inf
constexpr uint32_t kF16HalfMinSubnormalAsF32 = (127 - 25) << 23;  // 2^-25: at or below, rounds to zero

uint16_t fp32_to_fp16_rne(uint32_t x) {
  const uint32_t sign = (x & kF32Sign) >> 16;
  const uint32_t a = x & kF32Abs;
  if (a > kF32Inf) return static_cast<uint16_t>(sign | kF16QuietNaN | ((a >> kFractionShift) & 0x3ffu));
  if (a >= kF16OverflowAsF32) return static_cast<uint16_t>(sign | kF16Inf);
  if (a >= kF16MinNormalAsF32) {
    // Add just under half an fp16 ulp, plus the kept lsb (ties to even); carries renormalise.
    const uint32_t r = a + ((1u << (kFractionShift - 1)) - 1) + ((a >> kFractionShift) & 1u);
    return static_cast<uint16_t>(sign | ((r - kRebias) >> kFractionShift));
  }
  if (a <= kF16HalfMinSubnormalAsF32) return static_cast<uint16_t>(sign);
  // Subnormal result: value = m * 2^(e-150); in units of 2^-24 that is m >> (126 - e).
  const uint32_t e = a >> 23;
  const uint32_t m = (a & 0x7fffffu) | 0x800000u;
  const uint32_t shift = 126 - e;  // 14..24
  uint32_t q = m >> shift;
  const uint32_t rem = m & ((1u << shift) - 1);
  const uint32_t half = 1u << (shift - 1);
  if (rem > half || (rem == half && (q & 1u))) ++q;  // may carry into the min normal 0x400: right
  return static_cast<uint16_t>(sign | q);
}

uint16_t fp32_to_bf16_rne(uint32_t x) {
  if ((x & kF32Abs) > kF32Inf) {  // NaN: keep sign and top payload bits, set the quiet bit
    return static_cast<uint16_t>((x >> 16) | 0x0040u);
  }
  // Add just under half a bf16 ulp plus the kept lsb; overflow carries into inf.
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

float fp16_to_fp32(uint16_t h) {
  const uint32_t sign = (static_cast<uint32_t>(h) & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t man = h & 0x3ffu;
  if (exp == 0x1f) return float_of(sign | kF32Inf | (man << kFractionShift));
  if (exp != 0) return float_of(sign | ((((exp << 10) | man) << kFractionShift) + kRebias));
  // Zero or subnormal: man * 2^-24, exact in fp32.
  constexpr float kTwoPowMinus24 = 1.0f / 16777216.0f;
  const float v = static_cast<float>(man) * kTwoPowMinus24;
  return float_of(sign | bits_of(v));
}

float bf16_to_fp32(uint16_t h) { return float_of(static_cast<uint32_t>(h) << 16); }

namespace {
// `sum` where w is a number; w quieted where w is NaN. Which NaN operand an
// add passes on is open (IEEE 754, wasm), and the compiler may swap an add's
// operands; every kernel lets the weight's win (the SIMD ones have the same
// helper).
float nan_weight_wins(float w, float sum) { return w != w ? float_of(bits_of(w) | kF32QuietBit) : sum; }
}  // namespace

uint32_t add_round_to_odd_fp32(float a, float b) {
  // TwoSum (Knuth): s + e == a + b exactly unless s overflows (then e is NaN).
  const float s = a + b;
  const float bb = s - a;
  const float e = (a - (s - bb)) + (b - bb);
  uint32_t sb = bits_of(s);
  const bool inexact = e < 0.0f || e > 0.0f;  // ordered: a NaN e (overflow, NaN input) is no adjustment
  if (inexact && (sb & 1u) == 0) {
    // Step one ulp toward the exact sum: away from zero when e has s's sign.
    sb += ((sb ^ bits_of(e)) & kF32Sign) ? 0xffffffffu : 1u;
  }
  return bits_of(nan_weight_wins(a, float_of(sb)));
}

// ---- Scalar kernels ------------------------------------------------------------

namespace detail {

MANTISSA_SCALAR_FN uint64_t fp16_scalar(uint16_t* w, const float* inc, size_t stride, size_t n) {
  uint64_t lost = 0;
  MANTISSA_SCALAR_LOOP
  for (size_t i = 0; i < n; ++i) {
    const float d = inc[i * stride];
    const uint16_t old = w[i];
    const uint16_t now = fp32_to_fp16_rne(add_round_to_odd_fp32(fp16_to_fp32(old), d));
    w[i] = now;
    lost += (now == old) & (d != 0.0f);
  }
  return lost;
}

MANTISSA_SCALAR_FN uint64_t bf16_scalar(uint16_t* w, const float* inc, size_t stride, size_t n) {
  uint64_t lost = 0;
  MANTISSA_SCALAR_LOOP
  for (size_t i = 0; i < n; ++i) {
    const float d = inc[i * stride];
    const uint16_t old = w[i];
    const uint16_t now = fp32_to_bf16_rne(add_round_to_odd_fp32(bf16_to_fp32(old), d));
    w[i] = now;
    lost += (now == old) & (d != 0.0f);
  }
  return lost;
}

MANTISSA_SCALAR_FN uint64_t fp32_scalar(float* w, const float* inc, size_t stride, size_t n) {
  uint64_t lost = 0;
  MANTISSA_SCALAR_LOOP
  for (size_t i = 0; i < n; ++i) {
    const float d = inc[i * stride];
    const float old = w[i];
    const float now = nan_weight_wins(old, old + d);
    w[i] = now;
    lost += (bits_of(now) == bits_of(old)) & (d != 0.0f);
  }
  return lost;
}

}  // namespace detail

namespace {

using detail::bf16_scalar;
using detail::fp16_scalar;
using detail::fp32_scalar;

#if (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
#define MANTISSA_HAVE_AVX2_KERNELS 1
bool cpu_has_avx2_f16c() { return kernels::cpu_has_avx2() && kernels::cpu_has_f16c(); }
#endif

#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#define MANTISSA_HAVE_WASM_KERNELS 1  // accumulate_wasm.cpp
#endif

using Kernel16 = uint64_t (*)(uint16_t*, const float*, size_t, size_t);
using Kernel32 = uint64_t (*)(float*, const float*, size_t, size_t);

// One implementation's three kernels.
struct KernelSet {
  Kernel16 fp16;
  Kernel16 bf16;
  Kernel32 fp32;
};

// The kernels of `impl`; an unavailable implementation falls back to the
// scalar references.
const KernelSet& kernels_of(AccumulateImpl impl) {
  static constexpr KernelSet kScalar{fp16_scalar, bf16_scalar, fp32_scalar};
  if (!accumulate_impl_available(impl)) return kScalar;
  switch (impl) {
#ifdef MANTISSA_HAVE_AVX2_KERNELS
    case AccumulateImpl::Avx2: {
      static constexpr KernelSet kAvx2{detail::fp16_avx2, detail::bf16_avx2, detail::fp32_avx2};
      return kAvx2;
    }
#endif
#ifdef MANTISSA_HAVE_WASM_KERNELS
    case AccumulateImpl::Wasm128: {
      static constexpr KernelSet kWasm{detail::fp16_wasm, detail::bf16_wasm, detail::fp32_wasm};
      return kWasm;
    }
#endif
    default:
      return kScalar;
  }
}

template <typename T, typename K>
void run_steps(K kernel, T* w, size_t n, const float* inc, size_t steps, uint64_t* lost) {
  for (size_t start = 0; start < n; start += kStepsBlock) {
    const size_t len = n - start < kStepsBlock ? n - start : kStepsBlock;
    for (size_t s = 0; s < steps; ++s) lost[s] += kernel(w + start, inc + s, 0, len);
  }
}

}  // namespace

// ---- Dispatch --------------------------------------------------------------------

const char* accumulate_impl_name(AccumulateImpl impl) {
  switch (impl) {
    case AccumulateImpl::Scalar:
      return "scalar";
    case AccumulateImpl::Avx2:
      return "avx2+f16c";
    case AccumulateImpl::Wasm128:
      return "wasm-simd128";
  }
  return "?";
}

bool accumulate_impl_available(AccumulateImpl impl) {
  switch (impl) {
    case AccumulateImpl::Scalar:
      return true;
    case AccumulateImpl::Avx2:
#ifdef MANTISSA_HAVE_AVX2_KERNELS
      return cpu_has_avx2_f16c();
#else
      return false;
#endif
    case AccumulateImpl::Wasm128:
#ifdef MANTISSA_HAVE_WASM_KERNELS
      return true;
#else
      return false;
#endif
  }
  return false;
}

AccumulateImpl best_accumulate_impl() {
  if (accumulate_impl_available(AccumulateImpl::Avx2)) return AccumulateImpl::Avx2;
  if (accumulate_impl_available(AccumulateImpl::Wasm128)) return AccumulateImpl::Wasm128;
  return AccumulateImpl::Scalar;
}

uint64_t accumulate_fp16(uint16_t* w, const float* inc, size_t n, AccumulateImpl impl) {
  return kernels_of(impl).fp16(w, inc, 1, n);
}
uint64_t accumulate_bf16(uint16_t* w, const float* inc, size_t n, AccumulateImpl impl) {
  return kernels_of(impl).bf16(w, inc, 1, n);
}
uint64_t accumulate_fp32(float* w, const float* inc, size_t n, AccumulateImpl impl) {
  return kernels_of(impl).fp32(w, inc, 1, n);
}

void accumulate_fp16_steps(uint16_t* w, size_t n, const float* inc, size_t steps, uint64_t* lost,
                           AccumulateImpl impl) {
  run_steps(kernels_of(impl).fp16, w, n, inc, steps, lost);
}
void accumulate_bf16_steps(uint16_t* w, size_t n, const float* inc, size_t steps, uint64_t* lost,
                           AccumulateImpl impl) {
  run_steps(kernels_of(impl).bf16, w, n, inc, steps, lost);
}
void accumulate_fp32_steps(float* w, size_t n, const float* inc, size_t steps, uint64_t* lost,
                           AccumulateImpl impl) {
  run_steps(kernels_of(impl).fp32, w, n, inc, steps, lost);
}

}  // namespace mantissa::kernels
