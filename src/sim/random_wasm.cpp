// random_normal_keyed (random.cpp) in two wasm SIMD128 lanes, bit for bit:
// the same splitmix64 mixing (i64x2 multiplies), the same conversion to
// doubles, Marsaglia's polar step and portable_log with the same operations
// in the same order (wasm has no FMA to contract into).
#include "sim/random.h"

#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#include <wasm_simd128.h>


namespace mantissa::sim {

namespace {

// splitmix64 constants (random.cpp).
constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kMix1 = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t kMix2 = 0x94d049bb133111ebull;
constexpr uint64_t kAttemptSalt = 0x632be59bd9b4e019ull;

inline v128_t splat64(uint64_t x) { return wasm_i64x2_splat(static_cast<int64_t>(x)); }

inline v128_t mix64(v128_t z) {
  z = wasm_i64x2_mul(wasm_v128_xor(z, wasm_u64x2_shr(z, 30)), splat64(kMix1));
  z = wasm_i64x2_mul(wasm_v128_xor(z, wasm_u64x2_shr(z, 27)), splat64(kMix2));
  return wasm_v128_xor(z, wasm_u64x2_shr(z, 31));
}

// random_uniform_keyed: (bits >> 11) * 2^-53, the 53-bit integer made a
// double exactly as hi * 2^32 + lo (random_x86_avx2.cpp says how).
inline v128_t uniform(v128_t mixed_counter, uint64_t attempt) {
  const v128_t bits = wasm_u64x2_shr(mix64(wasm_v128_xor(mixed_counter, splat64(attempt * kGolden + kAttemptSalt))), 11);
  constexpr uint64_t kTwo52Bits = 0x4330000000000000ull, kTwo84Bits = 0x4530000000000000ull;
  const v128_t lo = wasm_v128_and(bits, splat64(0xffffffffull));
  const v128_t hi = wasm_u64x2_shr(bits, 32);
  const v128_t lo_d = wasm_f64x2_sub(wasm_v128_or(lo, splat64(kTwo52Bits)), wasm_f64x2_splat(0x1p52));
  const v128_t hi_d = wasm_f64x2_sub(wasm_v128_or(hi, splat64(kTwo84Bits)), wasm_f64x2_splat(0x1p84));
  constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;
  return wasm_f64x2_mul(wasm_f64x2_add(hi_d, lo_d), wasm_f64x2_splat(kTwoPowMinus53));
}

// portable_log (random.cpp) of two positive normal doubles.
inline v128_t log_lanes(v128_t x) {
  constexpr uint64_t kTwo52Bits = 0x4330000000000000ull;
  v128_t e = wasm_f64x2_sub(wasm_v128_or(wasm_u64x2_shr(x, 52), splat64(kTwo52Bits)),
                            wasm_f64x2_splat(0x1p52 + 1023.0));
  v128_t m = wasm_v128_or(wasm_v128_and(x, splat64((uint64_t{1} << 52) - 1)), splat64(uint64_t{1023} << 52));
  const v128_t big = wasm_f64x2_ge(m, wasm_f64x2_splat(kSqrt2));
  m = wasm_v128_bitselect(wasm_f64x2_mul(m, wasm_f64x2_splat(0.5)), m, big);
  e = wasm_v128_bitselect(wasm_f64x2_add(e, wasm_f64x2_splat(1.0)), e, big);
  const v128_t one = wasm_f64x2_splat(1.0);
  const v128_t s = wasm_f64x2_div(wasm_f64x2_sub(m, one), wasm_f64x2_add(m, one));
  const v128_t s2 = wasm_f64x2_mul(s, s);
  v128_t p = wasm_f64x2_splat(kLogSeriesFirst);
  for (const double c : kLogSeries) {
    p = wasm_f64x2_add(wasm_f64x2_splat(c), wasm_f64x2_mul(s2, p));
  }
  const v128_t two_s = wasm_f64x2_mul(wasm_f64x2_splat(2.0), s);
  const v128_t log_m = wasm_f64x2_add(two_s, wasm_f64x2_mul(two_s, wasm_f64x2_mul(s2, p)));
  return wasm_f64x2_add(wasm_f64x2_mul(e, wasm_f64x2_splat(kLn2Hi)),
                        wasm_f64x2_add(log_m, wasm_f64x2_mul(e, wasm_f64x2_splat(kLn2Lo))));
}

}  // namespace

void random_normal_lanes_wasm(uint64_t key, const uint64_t* counters, uint64_t attempt, double* out,
                              bool* accepted) {
  const v128_t counter = wasm_i64x2_add(wasm_v128_load(counters), splat64(kGolden));
  const v128_t mixed = mix64(wasm_v128_xor(splat64(key), counter));
  const v128_t one = wasm_f64x2_splat(1.0), two = wasm_f64x2_splat(2.0);
  const v128_t u = wasm_f64x2_sub(wasm_f64x2_mul(two, uniform(mixed, attempt)), one);
  const v128_t v = wasm_f64x2_sub(wasm_f64x2_mul(two, uniform(mixed, attempt + 1)), one);
  const v128_t s = wasm_f64x2_add(wasm_f64x2_mul(u, u), wasm_f64x2_mul(v, v));
  const v128_t ok = wasm_v128_and(wasm_f64x2_gt(s, wasm_f64x2_splat(0)), wasm_f64x2_lt(s, one));
  // Rejected lanes compute on s = 0.5 (harmless) and are retried by the caller.
  const v128_t s_safe = wasm_v128_bitselect(s, wasm_f64x2_splat(0.5), ok);
  const v128_t r = wasm_f64x2_mul(
      u, wasm_f64x2_sqrt(wasm_f64x2_div(wasm_f64x2_mul(wasm_f64x2_splat(-2.0), log_lanes(s_safe)), s_safe)));
  wasm_v128_store(out, r);
  const int mask = wasm_i64x2_bitmask(ok);
  accepted[0] = mask & 1;
  accepted[1] = (mask >> 1) & 1;
}

}  // namespace mantissa::sim

#endif
