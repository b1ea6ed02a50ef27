// The fast path of the wasm fp16 population kernel, one lane at a time.
//
// round_fp16(w + d) for an fp16 weight w and an fp32 increment d, computed as
// an integer step inside w's binade instead of widen / exact add / narrow.
// accumulate_wasm.cpp runs this lane for lane in 16-bit SIMD lanes; lanes it
// declines (`valid` false) take the exact path there. This scalar form is
// what tests/kernels/test_fp16_binade_step.cpp checks against the scalar
// reference (fp16_scalar), natively, over every fp16 weight.
//
// Why it is exact. Let E = max(exponent field, 1): binades 0 (subnormal) and 1
// share the quantum u = 2^(E-25). Inside w's binade the fp16 values are the
// multiples of u, and the magnitude bits em = h & 0x7fff count them: em and
// |w|/u differ by the even constant (E-1) * 1024, so they have the same parity.
// If |w + d| stays in the binade, round_fp16(w + d) is |w| + k*u (sign of w),
// with k the integer nearest to d'/u (d' = d with w's sign folded in, so
// d' > 0 moves away from zero), ties to the k that makes em + k even.
//
// k from one fp32 add: C = 1.5 * 2^23 * u + p*u with p = em & 1 (the weight's
// lsb). d' + C lies in [2^23 u, 2^24 u), where fp32's quantum is exactly u, so
// fl32(d' + C) rounds d' + C to a multiple of u once, ties to even, and
// C/u = 1.5 * 2^23 + p makes "even" mean "em + k even". In that binade fp32
// bits grow by one per u, so k = bits(t) - bits(C). The exact sum is never
// formed: the FPU's sticky bit sees all of d, however far below u its bits go.
//
// When the answer is declined:
//  - w is inf or NaN;
//  - the result passes the binade's upper end: em + k > (E+1) * 1024. Exactly
//    (E+1) * 1024 is fine: it is the next power of two (or inf, from the top
//    binade, which is round-to-nearest's overflow: |w + d| >= 65520);
//  - moving toward zero, the result reaches the binade's lower end (the
//    quantum halves below it; for E = 1, zero: its sign needs the exact sum);
//  - d' + C left [2^23 u, 2^24 u) (|d| of about 2^22 u or more, inf, NaN):
//    then bits(t) - bits(C) is at least 2^23 - 1 in size (or wraps to at
//    least that), saturates in 16 bits, and fails the bounds above.
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>

namespace mantissa::kernels {

struct Fp16BinadeStep {
  bool valid;     // false: the exact path must answer
  uint16_t bits;  // the rounded sum, when valid
};

inline Fp16BinadeStep fp16_binade_step(uint16_t h, float d) {
  constexpr int32_t kFractionBits = 10;
  constexpr int32_t kInfMagnitude = 0x7c00;
  constexpr uint32_t kMagicHigh = (125u << 23) | 0x400000u;  // bits of 1.5 * 2^(E-2), less E << 23
  const uint32_t sign = h & 0x8000u;
  const int32_t em = h & 0x7fff;
  const int32_t e_field = em >> kFractionBits;
  const int32_t e = std::max(e_field, 1);
  const int32_t upper = (e + 1) << kFractionBits;
  const int32_t lower = e_field >= 2 ? e_field << kFractionBits : 0;
  // C with w's sign: fl32(d - C) = -fl32(-d + C), so a negative weight counts
  // away from zero just like a positive one.
  const uint32_t c = (sign << 16) | ((static_cast<uint32_t>(e) << 23) + kMagicHigh) | (em & 1u);
  float cf, t;
  std::memcpy(&cf, &c, sizeof cf);
  t = cf + d;
  uint32_t tb, db;
  std::memcpy(&tb, &t, sizeof tb);
  std::memcpy(&db, &d, sizeof db);
  const int32_t k = std::clamp(static_cast<int32_t>(tb - c), -32768, 32767);  // wraps, then saturates
  const int32_t now = std::clamp(em + k, -32768, 32767);
  const bool toward_zero = ((db >> 16) ^ sign) & 0x8000u;
  const int32_t floor = toward_zero ? lower : -1;  // away from zero: any now >= 0 is in the binade
  const bool valid = em < kInfMagnitude && now > floor && now <= upper;
  return {valid, static_cast<uint16_t>(sign | static_cast<uint32_t>(now & 0x7fff))};
}

}  // namespace mantissa::kernels
