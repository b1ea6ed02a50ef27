// Block quantization: the scalar reference (the core's scale rule and
// rounding, element by element), the per-block scale arithmetic the lane
// kernels share, the choice of path, and dequantization.
#include "kernels/block_quantize.h"

#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/rounding.h"
#include "kernels/block_quantize_lanes.h"
#include "kernels/convert.h"
#include "kernels/cpu_features.h"

namespace mantissa::kernels {
namespace detail {

#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#define MANTISSA_BLOCK_WASM 1
BlockQuantized quantize_blocks_wasm(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                                    uint8_t* elements, float* dequantized);
constexpr size_t kSimdLanes = 4;
#elif (defined(__x86_64__) || defined(__i386__)) && !defined(__EMSCRIPTEN__)
#define MANTISSA_BLOCK_AVX2 1
BlockQuantized quantize_blocks_avx2(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                                    uint8_t* elements, float* dequantized);
constexpr size_t kSimdLanes = 8;
#else
constexpr size_t kSimdLanes = 1;
#endif

namespace {

constexpr int kE8m0Bias = 127;
constexpr int kE8m0MinExp = -127, kE8m0MaxExp = 127;
constexpr uint8_t kE8m0NaN = 0xff;

uint32_t bits_of(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return u;
}
float float_of(uint32_t u) {
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

// 2^e as fp32 bits, e in [-149, 127] (below -126: a subnormal, one bit set).
constexpr int kF32MinSubnormalExp = -149;
uint32_t pow2_bits(int e) {
  return e >= 1 - kF32Bias ? f32_power_of_two(e) : 1u << (e - kF32MinSubnormalExp);
}

// floor(log2 a) of a finite non-zero fp32 magnitude, from its bits.
int ilogb_bits(uint32_t a) {
  const int field = static_cast<int>(a >> kF32ManBits);
  if (field != 0) return field - kF32Bias;
  return (31 - __builtin_clz(a)) + kF32MinSubnormalExp;  // subnormal: the top set bit
}

RoundingOptions saturating() {
  RoundingOptions r;
  r.saturate = true;  // MX clamps normal values; NVFP4 converts with satfinite
  return r;
}

}  // namespace

void mx_block_params(const BlockKernelSpec& spec, const uint32_t* amax, size_t count, uint8_t* scales,
                     BlockParams* params) {
  const Format& element = spec.format.element;
  const int emax = element.emax();
  const float max_elem = static_cast<float>(max_element(element));
  for (size_t b = 0; b < count; ++b) {
    const uint32_t a = amax[b];
    // core mx_scale_exponent on fp32 bits; an all-zero block takes 2^-127.
    int k = kE8m0MinExp;
    if (a != 0 && a < kF32Inf) {
      k = ilogb_bits(a) - emax;
      // amax * 2^-k lies in [2^emax, 2^(emax+1)): a normal float, exact.
      if (spec.rule == ScaleRule::Ceil && float_of(a) * float_of(pow2_bits(-k)) > max_elem) ++k;
      if (k < kE8m0MinExp) k = kE8m0MinExp;
    }
    // A NaN or inf in the block, or a scale past 2^127 (only mxint8 under
    // ceil, emax 0, for amax above 127/64 * 2^127): the core's NaN block.
    if (a >= kF32Inf || k > kE8m0MaxExp) {
      scales[b] = kE8m0NaN;
      params[b] = {0, 0, ~0u};
      continue;
    }
    scales[b] = static_cast<uint8_t>(k + kE8m0Bias);
    params[b] = {pow2_bits(-k), pow2_bits(k), 0};
  }
}

void nvfp4_tensor_scales(uint32_t amax_finite, float* s_enc, float* s_dec) {
  // core quantize_blocks, step for step (fp32 arithmetic).
  const float amax = float_of(amax_finite);
  *s_enc = amax == 0 ? 1.0f : std::min(6.0f * 448.0f / amax, FLT_MAX);
  *s_dec = 1.0f / *s_enc;
}

void nvfp4_block_params(const uint32_t* amax, size_t count, float s_enc, float s_dec, uint8_t* scales,
                        BlockParams* params) {
  // The published recipe (core quantize_nvfp4_block): amax / 6 moved into
  // E4M3's range by s_enc, rounded to E4M3 (RNE, saturating) by the batch
  // conversion kernel, then the encode scale 1 / (scale * s_dec).
  float stored[8192 / 4 + 4] = {};
  float scale[8192 / 4 + 4];
  for (size_t b = 0; b < count; ++b) stored[b] = amax[b] >= kF32Inf ? 0.0f : float_of(amax[b]) / 6.0f * s_enc;
  fp32_to_fp8_e4m3(stored, scales, count, /*saturate=*/true, Impl::Simd);
  fp8_e4m3_to_fp32(scales, scale, count, Impl::Simd);
  const uint8_t nan_code = static_cast<uint8_t>(make_nan(fp8_e4m3(), false));
  for (size_t b = 0; b < count; ++b) {
    if (amax[b] >= kF32Inf) {
      scales[b] = nan_code;
      params[b] = {0, 0, ~0u};
      continue;
    }
    const float encode = scale[b] == 0 ? 0.0f : 1.0f / (scale[b] * s_dec);
    params[b] = {bits_of(encode), bits_of(scale[b]), 0};
  }
}

uint8_t nvfp4_element_code(float x, float encode, float* value) {
  // x * encode is exact in a double: one rounding, into E2M1.
  const Rounded r =
      round_double(fp4_e2m1(), static_cast<double>(x) * static_cast<double>(encode), saturating());
  *value = static_cast<float>(to_double(fp4_e2m1(), r.bits));
  return static_cast<uint8_t>(r.bits);
}

namespace {

// ---- The scalar reference -------------------------------------------------------

BlockQuantized quantize_blocks_scalar(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                                      uint8_t* elements, float* dequantized) {
  BlockQuantized r;
  const Format& element = spec.format.element;
  const bool nvfp4 = spec.rule == ScaleRule::Nvfp4;
  if (nvfp4) {
    uint32_t amax = 0;
    for (size_t i = 0; i < n; ++i) {
      const uint32_t a = bits_of(in[i]) & ~kF32SignBit;
      if (a < kF32Inf && a > amax) amax = a;
    }
    nvfp4_tensor_scales(amax, &r.tensor_scale, &r.tensor_decode);
  }
  const size_t B = spec.block;
  for (size_t first = 0, b = 0; first < n; first += B, ++b) {
    const size_t len = n - first < B ? n - first : B;
    double amax = 0;
    bool finite = true;
    for (size_t i = 0; i < len; ++i) {
      finite = finite && std::isfinite(in[first + i]);
      amax = std::max(amax, std::fabs(static_cast<double>(in[first + i])));
    }
    const int k = !finite || nvfp4 || amax == 0 ? kE8m0MinExp : mx_scale_exponent(amax, element, spec.rule);
    if (!finite || k > kE8m0MaxExp) {  // past 2^127: mxint8 under ceil only
      scales[b] = static_cast<uint8_t>(make_nan(spec.format.scale, false));
      std::memset(elements + first, 0, len);
      if (dequantized) std::fill(dequantized + first, dequantized + first + len, NAN);
      continue;
    }
    if (nvfp4) {
      const float stored = static_cast<float>(amax) / 6.0f * r.tensor_scale;
      scales[b] = static_cast<uint8_t>(round_double(spec.format.scale, stored, saturating()).bits);
      const double scale = to_double(spec.format.scale, scales[b]);
      const float encode = scale == 0 ? 0.0f : 1.0f / (static_cast<float>(scale) * r.tensor_decode);
      for (size_t i = 0; i < len; ++i) {
        float value;
        elements[first + i] = nvfp4_element_code(in[first + i], encode, &value);
        if (dequantized) {
          dequantized[first + i] =
              static_cast<float>(static_cast<double>(value) * (scale * static_cast<double>(r.tensor_decode)));
        }
      }
      continue;
    }
    const int kc = std::max(k, kE8m0MinExp);
    scales[b] = static_cast<uint8_t>(kc + kE8m0Bias);
    for (size_t i = 0; i < len; ++i) {
      const Rounded e =
          round_double(element, std::ldexp(static_cast<double>(in[first + i]), -kc), saturating());
      elements[first + i] = static_cast<uint8_t>(e.bits);
      if (dequantized)
        dequantized[first + i] = static_cast<float>(std::ldexp(to_double(element, e.bits), kc));
    }
  }
  return r;
}

// The path a request runs: the lane kernels unless the scalar one is asked
// for, forced (MANTISSA_KERNELS=scalar or sse2: there is no SSE2 form), or the
// block is not a whole number of vectors.
bool use_lanes(const BlockKernelSpec& spec, BlockImpl impl) {
  if (impl == BlockImpl::Scalar || kSimdLanes == 1 || spec.block % kSimdLanes != 0) return false;
  const std::string forced = forced_kernel_path();
  if (forced == "scalar" || forced == "sse2") return false;
#ifdef MANTISSA_BLOCK_AVX2
  return cpu_has_avx2();
#else
  return true;
#endif
}

}  // namespace
}  // namespace detail

bool block_kernel_spec(const BlockFormat& f, const QuantizeOptions& opt, BlockKernelSpec* out) {
  const int block = opt.block == 0 ? f.block : opt.block;
  if (block < 1 || block > kMaxBlock) return false;
  if (opt.rounding.mode != RoundingMode::NearestEven || opt.rounding.ftz) return false;
  out->format = f;
  out->rule = f.tensor_scale ? ScaleRule::Nvfp4 : opt.rule;
  out->block = static_cast<size_t>(block);
  return true;
}

const char* block_kernel_path(const BlockKernelSpec& spec, BlockImpl impl) {
  if (!detail::use_lanes(spec, impl)) return "scalar";
#ifdef MANTISSA_BLOCK_WASM
  return "wasm-simd128";
#else
  return "avx2";
#endif
}

BlockQuantized quantize_blocks_f32(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                                   uint8_t* elements, float* dequantized, BlockImpl impl) {
  if (detail::use_lanes(spec, impl)) {
#if defined(MANTISSA_BLOCK_WASM)
    return detail::quantize_blocks_wasm(spec, in, n, scales, elements, dequantized);
#elif defined(MANTISSA_BLOCK_AVX2)
    return detail::quantize_blocks_avx2(spec, in, n, scales, elements, dequantized);
#endif
  }
  return detail::quantize_blocks_scalar(spec, in, n, scales, elements, dequantized);
}

void dequantize_blocks_f32(const BlockKernelSpec& spec, const uint8_t* scales, const uint8_t* elements,
                           size_t n, float tensor_decode, float* out, BlockImpl impl) {
  const Format& element = spec.format.element;
  const Format& scale_format = spec.format.scale;
  const bool nvfp4 = spec.rule == ScaleRule::Nvfp4;
  const size_t B = spec.block;
  if (impl == BlockImpl::Scalar) {
    // The core's exact product in a double, rounded once.
    for (size_t i = 0; i < n; ++i) {
      const double scale = to_double(scale_format, scales[i / B]);
      const double s_dec = nvfp4 ? static_cast<double>(tensor_decode) : 1.0;
      out[i] =
          std::isnan(scale) ? NAN : static_cast<float>(to_double(element, elements[i]) * (scale * s_dec));
    }
    return;
  }
  // Tables of the element and scale values: element * scale has at most
  // 4 + 7 significant bits and stays inside fp32's range for MX elements
  // times 2^k, so the fp32 product is the exact one, rounded once; NVFP4's
  // element * scale is exact in fp32 and the one rounding is the s_dec multiply.
  float element_value[256], scale_value[256];
  const uint32_t element_codes = static_cast<uint32_t>(element.width_mask() + 1);
  for (uint32_t c = 0; c < 256; ++c) {
    element_value[c] = c < element_codes ? static_cast<float>(to_double(element, c)) : NAN;
    scale_value[c] = static_cast<float>(to_double(scale_format, c));
  }
  for (size_t first = 0, b = 0; first < n; first += B, ++b) {
    const size_t len = n - first < B ? n - first : B;
    const float scale = scale_value[scales[b]];
    if (std::isnan(scale)) {
      std::fill(out + first, out + first + len, NAN);
      continue;
    }
    if (nvfp4) {
      for (size_t i = 0; i < len; ++i)
        out[first + i] = element_value[elements[first + i]] * scale * tensor_decode;
    } else {
      for (size_t i = 0; i < len; ++i) out[first + i] = element_value[elements[first + i]] * scale;
    }
  }
}

}  // namespace mantissa::kernels
