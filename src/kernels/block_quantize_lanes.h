// Internal: block quantization written once for every instruction set, on
// the Lanes<O> of convert_lanes.h (AVX2 in block_quantize_x86_avx2.cpp,
// SIMD128 in block_quantize_wasm.cpp). The scalar reference it must match
// bit for bit is in block_quantize.cpp (the core's rounding per element);
// see block_quantize.h for why one fp32 multiply then one rounding is exact.
//
// A call runs in chunks of whole blocks (a few KB, so the second pass reads
// from cache): pass 1 takes each block's amax (lanes) and derives its scale
// (scalar, once per block); pass 2 scales, rounds and stores every element.
// Like convert_lanes.h, everything is a template on O, instantiated in one
// file per instruction set inside an anonymous namespace.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <cstring>

#include "kernels/block_quantize.h"
#include "kernels/convert_lanes.h"

namespace mantissa::kernels::detail {

// ---------------------------------------------------------------------------
// The element formats, as compile-time layouts. kMaxCode is the code of the
// largest magnitude: E4M3 keeps 0x7f for NaN (448 = 0x7e), E5M2 has inf
// above 0x7b (57344), fp6 and fp4 have no specials (all ones is max).
template <int kE, int kM, uint32_t kMax>
struct ElementFloat {
  static constexpr bool kInteger = false;
  static constexpr int kExpBits = kE, kManBits = kM;
  static constexpr uint32_t kMaxCode = kMax;
  static constexpr int kWidth = 1 + kE + kM;
  static constexpr int kBias = (1 << (kE - 1)) - 1;
  static constexpr int kEmin = 1 - kBias;
  static constexpr int kDrop = kF32ManBits - kM;  // fp32 fraction bits the element lacks
  static constexpr uint32_t kDropMask = (1u << kDrop) - 1;
  static constexpr uint32_t kHalfUlp = 1u << (kDrop - 1);  // in fp32 bits, within a binade
  static constexpr uint32_t kRebias = static_cast<uint32_t>(kF32Bias - kBias) << kF32ManBits;
  static constexpr uint32_t kMinNormalAsF32 = f32_power_of_two(kEmin);
  // Below the element's normal range its step is 2^(emin - m). Adding
  // 2^(emin - m + 23), a float whose ULP is that step, lets the FPU round to
  // the step (ties to even); the sum's low bits are then the element code
  // (a carry into 2^emin gives the smallest normal's code, 1 << m).
  static constexpr uint32_t kSubnormalMagic = f32_power_of_two(kEmin - kM + kF32ManBits);
  static constexpr uint32_t kSubnormalHalfStep = f32_power_of_two(kEmin - kM - 1);
  // The largest magnitude as fp32 bits: its exponent rebiased, fraction widened.
  static constexpr uint32_t kMaxAsF32 =
      ((kMax >> kM) << kF32ManBits) + kRebias + ((kMax & ((1u << kM) - 1)) << kDrop);
};
using ElementE4M3 = ElementFloat<4, 3, 0x7e>;
using ElementE5M2 = ElementFloat<5, 2, 0x7b>;
using ElementE2M3 = ElementFloat<2, 3, 0x1f>;
using ElementE3M2 = ElementFloat<3, 2, 0x1f>;
using ElementE2M1 = ElementFloat<2, 1, 0x7>;
static_assert(ElementE4M3::kMaxAsF32 == 0x43e00000u);  // 448
static_assert(ElementE5M2::kMaxAsF32 == 0x47600000u);  // 57344
static_assert(ElementE2M3::kMaxAsF32 == 0x40f00000u);  // 7.5
static_assert(ElementE3M2::kMaxAsF32 == 0x41e00000u);  // 28
static_assert(ElementE2M1::kMaxAsF32 == 0x40c00000u);  // 6

// MXINT8: two's complement times 2^-6, clamped to +-127/64 (never -128/64).
struct ElementInt8 {
  static constexpr bool kInteger = true;
  static constexpr int kFractionBits = 6;
  static constexpr uint32_t kMaxAsF32 = 0x3ffe0000u;                 // 127/64
  static constexpr uint32_t kToInteger = f32_power_of_two(6);        // 64
  static constexpr uint32_t kFromInteger = f32_power_of_two(-6);     // 1/64
  static constexpr uint32_t kRoundToInteger = f32_power_of_two(23);  // floats in [2^23, 2^24) step by 1
};

// The NVFP4 tie fix-up and the scalar element roundings (block_quantize.cpp).
uint8_t nvfp4_element_code(float x, float encode, float* value);

// ---------------------------------------------------------------------------
// One vector of elements: |x| * encode rounded into the element (RNE,
// saturating). Returns the code (sign included); *value = the element's
// value as fp32 bits (signed); *tie = lanes whose scaled value was exactly a
// midpoint (only meaningful when the multiply may have rounded: NVFP4).
template <class E, class O>
inline Lanes<O> round_element(Lanes<O> x, Lanes<O> encode, Lanes<O>* value, Lanes<O>* tie) {
  const Lanes<O> sign = x & kF32SignBit;
  Lanes<O> a = Lanes<O>{O::float_mul((x & ~kF32SignBit).v, encode.v)};
  // Saturation first: max is on the grid, so rounding a clamped value keeps
  // it, and everything above max (inf included) rounds to max.
  a = minimum(a, splat<O>(E::kMaxAsF32));
  if constexpr (E::kInteger) {
    const Lanes<O> t = float_mul(a, E::kToInteger);  // exact: below 128
    // RNE to an integer: t + 2^23 lies in [2^23, 2^24), where floats step by 1.
    const Lanes<O> q = trunc_to_i32(float_sub(float_add(t, E::kRoundToInteger), E::kRoundToInteger));
    const Lanes<O> q_signed = select(equal(sign, kF32SignBit), splat<O>(0) - q, q);
    // One zero: a negative value that rounds to 0 is +0 (code 0).
    *value = float_mul(to_f32(q_signed), E::kFromInteger);
    *tie = splat<O>(0);  // scaling by 2^-k was exact: ties are true ties
    return q_signed & 0xffu;
  } else {
    // Normal range: RNE on the integer bits (convert_lanes.h's
    // round_normal_range), then the exponent rebiased by a subtraction.
    const Lanes<O> odd = (a >> E::kDrop) & 1u;
    const Lanes<O> rn = a + (E::kHalfUlp - 1) + odd;
    const Lanes<O> value_n = rn & ~E::kDropMask;
    const Lanes<O> code_n = (rn - E::kRebias) >> E::kDrop;
    // Below it: the FPU rounds to the subnormal step (kSubnormalMagic).
    const Lanes<O> s = float_add(a, E::kSubnormalMagic);
    const Lanes<O> code_s = s - E::kSubnormalMagic;
    const Lanes<O> value_s = float_sub(s, E::kSubnormalMagic);
    const Lanes<O> sub = less(a, E::kMinNormalAsF32);
    *value = select(sub, value_s, value_n) | sign;
    const Lanes<O> tie_n = equal(a & E::kDropMask, E::kHalfUlp);
    const Lanes<O> tie_s = equal(float_sub(a, value_s) & ~kF32SignBit, E::kSubnormalHalfStep);
    *tie = select(sub, tie_s, tie_n);
    return select(sub, code_s, code_n) | (sign >> (32 - E::kWidth));
  }
}

// ---------------------------------------------------------------------------
// Per-block parameters, as fp32 bits for splatting.
struct BlockParams {
  uint32_t encode;  // multiplier into the element's range: 2^-k, or NVFP4's encode scale
  uint32_t scale;   // the block scale's value (2^k, or the E4M3 scale)
  uint32_t nan;     // all ones: a NaN or inf in the block
};

template <class O>
inline Lanes<O> greater(Lanes<O> a, Lanes<O> b) {
  return {O::greater(a.v, b.v)};
}

// The largest |x| bits of n values (n a multiple of the lane count).
template <class O>
inline uint32_t amax_bits_lanes(const float* in, size_t n) {
  constexpr size_t L = O::kLanes;
  Lanes<O> m = splat<O>(0);
  for (size_t i = 0; i < n; i += L) {
    const Lanes<O> a = Lanes<O>{O::load_f32(in + i)} & ~kF32SignBit;
    m = select(greater(a, m), a, m);
  }
  uint32_t lanes[L];
  O::store_f32(reinterpret_cast<float*>(lanes), m.v);
  uint32_t r = 0;
  for (size_t j = 0; j < L; ++j) r = lanes[j] > r ? lanes[j] : r;
  return r;
}

// The block scales of blocks [0, count) of `in` (the last may be short).
void mx_block_params(const BlockKernelSpec& spec, const uint32_t* amax, size_t count, uint8_t* scales,
                     BlockParams* params);
void nvfp4_block_params(const uint32_t* amax, size_t count, float s_enc, float s_dec, uint8_t* scales,
                        BlockParams* params);
// NVFP4's tensor scales from the largest finite |x| (fp32 bits).
void nvfp4_tensor_scales(uint32_t amax_finite, float* s_enc, float* s_dec);

// The largest finite |x| bits over the whole input (NVFP4's amax_tensor).
template <class O>
inline uint32_t amax_finite_bits_lanes(const float* in, size_t n) {
  constexpr size_t L = O::kLanes;
  Lanes<O> m = splat<O>(0);
  size_t i = 0;
  for (; i + L <= n; i += L) {
    Lanes<O> a = Lanes<O>{O::load_f32(in + i)} & ~kF32SignBit;
    a = select(less(a, kF32Inf), a, splat<O>(0));
    m = select(greater(a, m), a, m);
  }
  uint32_t lanes[L];
  O::store_f32(reinterpret_cast<float*>(lanes), m.v);
  uint32_t r = 0;
  for (size_t j = 0; j < L; ++j) r = lanes[j] > r ? lanes[j] : r;
  for (; i < n; ++i) {
    uint32_t a;
    std::memcpy(&a, in + i, 4);
    a &= ~kF32SignBit;
    if (a < kF32Inf && a > r) r = a;
  }
  return r;
}

// ---------------------------------------------------------------------------
// The kernel: n values in blocks of `block` (a multiple of the lane count).
template <class O, class E, bool kNvfp4>
void quantize_blocks_lanes(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                           uint8_t* elements, float* dequantized, float s_enc, float s_dec) {
  constexpr size_t L = O::kLanes, G = 4 * L;  // one store_u8 takes four vectors
  const size_t B = spec.block, vectors_per_block = B / L;
  // A chunk: whole blocks, a whole number of store groups, about 8K values.
  size_t unit = B;
  while (unit % G) unit += B;
  const size_t chunk = unit * (unit >= 8192 ? 1 : 8192 / unit);
  // At most 8192 / L blocks of >= L values, or 4 blocks when unit passes 8192.
  constexpr size_t kMaxBlocks = 8192 / L + 4;
  uint32_t amax[kMaxBlocks];
  BlockParams params[kMaxBlocks];
  uint32_t s_dec_bits;
  std::memcpy(&s_dec_bits, &s_dec, 4);

  for (size_t first = 0; first < n; first += chunk) {
    const size_t m = n - first < chunk ? n - first : chunk;
    const size_t blocks = (m + B - 1) / B;
    // Pass 1: amax per block; a short last block by scalar code.
    for (size_t b = 0; b < blocks; ++b) {
      const size_t len = m - b * B < B ? m - b * B : B;
      const size_t whole = len - len % L;
      uint32_t r = whole ? amax_bits_lanes<O>(in + first + b * B, whole) : 0;
      for (size_t i = whole; i < len; ++i) {
        uint32_t a;
        std::memcpy(&a, in + first + b * B + i, 4);
        a &= ~kF32SignBit;
        r = a > r ? a : r;
      }
      amax[b] = r;
    }
    if constexpr (kNvfp4) {
      nvfp4_block_params(amax, blocks, s_enc, s_dec, scales + first / B, params);
    } else {
      mx_block_params(spec, amax, blocks, scales + first / B, params);
    }

    // Pass 2: the elements, four vectors per store; the last partial group
    // runs on a zero-padded copy (its padding lanes reuse the last block).
    size_t b = 0, in_block = 0;
    auto one_group = [&](const float* src, uint8_t* codes_out, float* values_out)
        __attribute__((always_inline)) {
      Lanes<O> codes[4];
#pragma GCC unroll 4
      for (size_t j = 0; j < 4; ++j) {
        const BlockParams& p = params[b < blocks ? b : blocks - 1];
        const Lanes<O> x = Lanes<O>{O::load_f32(src + j * L)};
        Lanes<O> value, tie;
        Lanes<O> code = round_element<E>(x, splat<O>(p.encode), &value, &tie);
        const Lanes<O> nan = splat<O>(p.nan);
        codes[j] = select(nan, splat<O>(0), code);
        if (values_out) {
          Lanes<O> v = Lanes<O>{O::float_mul(value.v, O::splat(p.scale))};
          if constexpr (kNvfp4) v = Lanes<O>{O::float_mul(v.v, O::splat(s_dec_bits))};
          O::store_f32(values_out + j * L, select(nan, splat<O>(kF32QuietNaN), v).v);
        }
        if constexpr (kNvfp4) {
          // A tie after an inexact multiply may round the wrong way: redo
          // those lanes from the exact product (rare; see block_quantize.h).
          if (O::any((tie & ~p.nan).v)) {
            uint32_t c[L];
            O::store_f32(reinterpret_cast<float*>(c), codes[j].v);
            float encode;
            std::memcpy(&encode, &p.encode, 4);
            for (size_t l = 0; l < L; ++l) {
              float v;
              c[l] = nvfp4_element_code(src[j * L + l], encode, &v);
              if (values_out) {
                float scale;
                std::memcpy(&scale, &p.scale, 4);
                values_out[j * L + l] = p.nan ? NAN : v * scale * s_dec;
              }
            }
            codes[j] = Lanes<O>{O::load_f32(reinterpret_cast<const float*>(c))};
          }
        }
        if (++in_block == vectors_per_block) in_block = 0, ++b;
      }
      O::store_u8(codes_out, codes[0].v, codes[1].v, codes[2].v, codes[3].v);
    };
    size_t i = 0;
    for (; i + G <= m; i += G) {
      one_group(in + first + i, elements + first + i, dequantized ? dequantized + first + i : nullptr);
    }
    if (i < m) {
      float tail_in[G] = {};
      uint8_t tail_codes[G];
      float tail_values[G];
      std::memcpy(tail_in, in + first + i, (m - i) * sizeof(float));
      one_group(tail_in, tail_codes, dequantized ? tail_values : nullptr);
      std::memcpy(elements + first + i, tail_codes, m - i);
      if (dequantized) std::memcpy(dequantized + first + i, tail_values, (m - i) * sizeof(float));
    }
  }
}

// Dispatch on the element format and NVFP4; the tensor scales come first.
template <class O>
BlockQuantized quantize_blocks_with(const BlockKernelSpec& spec, const float* in, size_t n, uint8_t* scales,
                                    uint8_t* elements, float* dequantized) {
  BlockQuantized r;
  const Format& e = spec.format.element;
  if (spec.rule == ScaleRule::Nvfp4) {
    nvfp4_tensor_scales(amax_finite_bits_lanes<O>(in, n), &r.tensor_scale, &r.tensor_decode);
    quantize_blocks_lanes<O, ElementE2M1, true>(spec, in, n, scales, elements, dequantized, r.tensor_scale,
                                                r.tensor_decode);
    return r;
  }
  auto run = [&](auto element) {
    quantize_blocks_lanes<O, decltype(element), false>(spec, in, n, scales, elements, dequantized, 1, 1);
  };
  if (e.kind == FormatKind::Int) {
    run(ElementInt8{});
  } else if (e.exp_bits == 4 && e.man_bits == 3) {
    run(ElementE4M3{});
  } else if (e.exp_bits == 5 && e.man_bits == 2) {
    run(ElementE5M2{});
  } else if (e.exp_bits == 2 && e.man_bits == 3) {
    run(ElementE2M3{});
  } else if (e.exp_bits == 3 && e.man_bits == 2) {
    run(ElementE3M2{});
  } else {
    run(ElementE2M1{});
  }
  return r;
}

}  // namespace mantissa::kernels::detail
