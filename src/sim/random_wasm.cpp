// random_normal_keyed (random.cpp) for four counters in wasm SIMD128 (two
// f64x2 vectors), bit for bit:
// the same uniforms (from the scalar code), Marsaglia's polar step and
// portable_log with the same operations in the same order (wasm has no FMA
// to contract into).
#include "sim/random.h"

#if defined(__EMSCRIPTEN__) && defined(__wasm_simd128__)
#include <wasm_simd128.h>

namespace mantissa::sim {

namespace {

inline v128_t splat64(uint64_t x) { return wasm_i64x2_splat(static_cast<int64_t>(x)); }

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
  // The uniforms come from the scalar code: wasm's i64 multiply is one
  // instruction, while V8 builds i64x2.mul from several 32-bit ones, so the
  // mixing is faster one lane at a time (each counter's mix once, for u and
  // v: random_counter_mix); the polar step and the logarithm (divisions,
  // square root, the series) run in f64x2 lanes, four counters as two
  // independent vectors, so that one's latency (the series is a chain of
  // dependent multiply-adds) hides the other's.
  constexpr int kLanes = 4;
  double uu[kLanes], vv[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    const uint64_t x = random_counter_mix(key, counters[l]);
    uu[l] = random_uniform_mixed(x, attempt);
    vv[l] = random_uniform_mixed(x, attempt + 1);
  }
  const v128_t one = wasm_f64x2_splat(1.0), two = wasm_f64x2_splat(2.0);
  int mask = 0;
  v128_t s[2], u[2], ok[2];
  for (int h = 0; h < 2; ++h) {
    u[h] = wasm_f64x2_sub(wasm_f64x2_mul(two, wasm_v128_load(uu + 2 * h)), one);
    const v128_t v = wasm_f64x2_sub(wasm_f64x2_mul(two, wasm_v128_load(vv + 2 * h)), one);
    s[h] = wasm_f64x2_add(wasm_f64x2_mul(u[h], u[h]), wasm_f64x2_mul(v, v));
    ok[h] = wasm_v128_and(wasm_f64x2_gt(s[h], wasm_f64x2_splat(0)), wasm_f64x2_lt(s[h], one));
    // Rejected lanes compute on s = 0.5 (harmless) and are retried by the caller.
    s[h] = wasm_v128_bitselect(s[h], wasm_f64x2_splat(0.5), ok[h]);
    mask |= wasm_i64x2_bitmask(ok[h]) << (2 * h);
  }
  const v128_t log_lo = log_lanes(s[0]), log_hi = log_lanes(s[1]);
  const v128_t minus_two = wasm_f64x2_splat(-2.0);
  wasm_v128_store(out, wasm_f64x2_mul(u[0], wasm_f64x2_sqrt(wasm_f64x2_div(wasm_f64x2_mul(minus_two, log_lo), s[0]))));
  wasm_v128_store(out + 2,
                  wasm_f64x2_mul(u[1], wasm_f64x2_sqrt(wasm_f64x2_div(wasm_f64x2_mul(minus_two, log_hi), s[1]))));
  for (int l = 0; l < kLanes; ++l) accepted[l] = (mask >> l) & 1;
}

}  // namespace mantissa::sim

#endif
