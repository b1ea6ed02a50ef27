// Counter-based random bits for stochastic rounding.
//
// Stochastic rounding must give the same bits natively, in wasm, in the
// scalar core and in every SIMD kernel, for the same seed. So the random
// stream is not a stateful generator but a pure function of (seed, counter):
// element i of a batch converted with counter0 uses counter0 + i.
//
// The mixer is two rounds of a 32-bit avalanche hash (xor-shift / multiply,
// constants from Chris Wellons' "lowbias32" search) keyed by the two halves
// of the seed. Only 32-bit multiplies are used, so wasm SIMD128
// (i32x4.mul) and SSE4.1/AVX2 (pmulld) vectorise it lane for lane.
//
// Rounding rule shared by every implementation: let frac32 be the first 32
// bits of the discarded part, read as a fraction of one ULP of the result
// (0.32 fixed point, truncated). Round away from zero iff
// stochastic_bits(seed, counter) < frac32. So exact values never move, and
// the probability of rounding up is frac32 / 2^32: the fractional distance,
// to 32 bits.
#pragma once
#include <cstdint>

namespace mantissa {

constexpr uint32_t kStochasticMul1 = 0x7feb352du;
constexpr uint32_t kStochasticMul2 = 0x846ca68bu;

constexpr uint32_t stochastic_mix32(uint32_t x) {
  x ^= x >> 16;
  x *= kStochasticMul1;
  x ^= x >> 15;
  x *= kStochasticMul2;
  x ^= x >> 16;
  return x;
}

constexpr uint32_t stochastic_bits(uint64_t seed, uint64_t counter) {
  uint32_t x = stochastic_mix32(static_cast<uint32_t>(counter) ^ static_cast<uint32_t>(seed));
  x = stochastic_mix32(x ^ static_cast<uint32_t>(counter >> 32) ^ static_cast<uint32_t>(seed >> 32));
  return x;
}

}  // namespace mantissa
