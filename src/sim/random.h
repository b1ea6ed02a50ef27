// Seeded, counter-based random numbers for scenarios: the gradient stream
// and the initial weights of a population.
//
// Like core/stochastic.h, every draw is a pure function of (seed, stream,
// counter): no generator state, so a chunked run, a population kernel and a
// single-weight run agree, and a draw can be recomputed anywhere.
//
// The normal draws must be bit-identical natively (glibc) and in wasm (musl),
// whose libm log/cos/exp differ in the last bit. So nothing here calls libm
// except sqrt (correctly rounded by IEEE 754): the logarithm is our own
// polynomial built from + - * / only, and the code is compiled without FMA
// contraction (x86-64 baseline and wasm SIMD128 have no fused multiply-add).
#pragma once
#include <cstddef>
#include <cstdint>

namespace mantissa::sim {

// Independent streams drawn from one scenario seed.
enum class RandomStream : uint64_t {
  Gradient = 1,       // grad ~ normal(mean, std), counter = step * P + index
  InitialWeight = 2,  // population w0, counter = index
  DotOperand = 3,     // gemm-error inputs, counter = trial * 2^32 + 2 * i (+1 for b)
  TrainInit = 4,      // network initial weights, counter = parameter index
  TrainShuffle = 5,   // minibatch order, counter = epoch * 2^32 + position
  TrainData = 6,      // synthetic 2-D data sets, counter = 2 * sample (+1)
  BlockValues = 7,    // the Blocks tab's generated values, counter = index (outlier: count)
};

// 64 well-mixed bits for (seed, stream, counter, attempt): splitmix64's
// finaliser applied to a keyed combination (integer ops only).
uint64_t random_bits64(uint64_t seed, RandomStream stream, uint64_t counter, uint64_t attempt = 0);

// Uniform in [0, 1) with 53 random bits.
double random_uniform(uint64_t seed, RandomStream stream, uint64_t counter, uint64_t attempt = 0);

// random_bits64_keyed in its two halves, inline for the hot loops of the
// lane forms: the counter's mix (the same for every attempt of a counter, so
// computed once for u and v) and the attempt's mix on top of it.
namespace detail {
constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ull;  // splitmix64 (Steele, Lea, Flood): increment
constexpr uint64_t kMix1 = 0xbf58476d1ce4e5b9ull;    // and finaliser constants
constexpr uint64_t kMix2 = 0x94d049bb133111ebull;
constexpr uint64_t kAttemptSalt = 0x632be59bd9b4e019ull;
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * kMix1;
  z = (z ^ (z >> 27)) * kMix2;
  return z ^ (z >> 31);
}
}  // namespace detail
inline uint64_t random_counter_mix(uint64_t key, uint64_t counter) {
  return detail::mix64(key ^ (counter + detail::kGolden));
}
inline uint64_t random_attempt_mix(uint64_t counter_mix, uint64_t attempt) {
  return detail::mix64(counter_mix ^ (attempt * detail::kGolden + detail::kAttemptSalt));
}
// random_uniform_keyed from the counter's mix: 53 bits times 2^-53 (the
// signed conversion gives the same exact value; wasm's unsigned one costs more).
inline double random_uniform_mixed(uint64_t counter_mix, uint64_t attempt) {
  constexpr double kTwoPowMinus53 = 1.0 / 9007199254740992.0;
  return static_cast<double>(static_cast<int64_t>(random_attempt_mix(counter_mix, attempt) >> 11)) * kTwoPowMinus53;
}

// Standard normal by Marsaglia's polar method; rejected pairs move on to the
// next `attempt`, so the draw is still a pure function of the counter.
double random_normal(uint64_t seed, RandomStream stream, uint64_t counter);

// The same draws with the (seed, stream) part of the mixing done once: what
// a loop over many counters of one stream calls (random_bits64 is
// random_bits64_keyed(random_key(seed, stream), counter, attempt)).
uint64_t random_key(uint64_t seed, RandomStream stream);
uint64_t random_bits64_keyed(uint64_t key, uint64_t counter, uint64_t attempt = 0);
double random_uniform_keyed(uint64_t key, uint64_t counter, uint64_t attempt = 0);
double random_normal_keyed(uint64_t key, uint64_t counter);

// out[i] = random_normal_keyed(key, counter0 + i) for i < n, the same bits,
// several counters at a time in SIMD lanes where the machine has them (AVX2,
// wasm SIMD128): the same + - * / sqrt in the same order, no FMA. Counters
// whose pair is rejected (about 21 % per attempt) are gathered and retried
// in lanes at the next attempt, the last few by the scalar code.
void random_normal_batch(uint64_t key, uint64_t counter0, size_t n, double* out);
// The polar step of `attempt` (and attempt + 1) for 8 (AVX-512) or 4 (AVX2,
// wasm) counters: out[i] the normal draw where accepted[i], else the pair
// was rejected.
void random_normal_lanes_avx512(uint64_t key, const uint64_t* counters, uint64_t attempt, double* out,
                                bool* accepted);
void random_normal_lanes_avx2(uint64_t key, const uint64_t* counters, uint64_t attempt, double* out,
                              bool* accepted);
void random_normal_lanes_wasm(uint64_t key, const uint64_t* counters, uint64_t attempt, double* out,
                              bool* accepted);
// random_normal_keyed from the given attempt on (attempt 0 is random_normal_keyed).
double random_normal_keyed_from(uint64_t key, uint64_t counter, uint64_t attempt);

// portable_log's series for 2 atanh(s) / (2 s) in s^2, Horner's order: p = 1/23,
// then p = c + s^2 p for each c below (shared by the SIMD forms, same order).
constexpr double kLogSeriesFirst = 1.0 / 23.0;
constexpr double kLogSeries[] = {1.0 / 21.0, 1.0 / 19.0, 1.0 / 17.0, 1.0 / 15.0, 1.0 / 13.0,
                                 1.0 / 11.0, 1.0 / 9.0,  1.0 / 7.0,  1.0 / 5.0,  1.0 / 3.0};
constexpr double kLn2Hi = 6.93147180369123816490e-01;  // 0x3fe62e42fee00000: e * kLn2Hi exact for |e| < 2^11
constexpr double kLn2Lo = 1.90821492927058770002e-10;  // 0x3dea39ef35793c76
constexpr double kSqrt2 = 1.41421356237309504880;

// Natural logarithm of a positive finite normal double from + - * / only
// (argument reduction to [sqrt(1/2), sqrt(2)) by bit manipulation, then
// 2 atanh(s) as a polynomial in s = (m-1)/(m+1)); within a few ulp of log.
double portable_log(double x);

// e^x from + - * / only (x = k ln2 + r, |r| <= ln2/2, Taylor series of e^r to
// r^20, then 2^k by bit manipulation); within a few ulp of exp. 0 below
// -745, inf above 709.8.
double portable_exp(double x);

// sin x and cos x from + - * / only (reduction by multiples of pi/2 with a
// two-part pi/2, then Taylor series); within a few ulp for |x| < 2^20.
void portable_sincos(double x, double* sin_x, double* cos_x);

// Exact product a*b as hi + lo (Dekker's TwoProduct with Veltkamp splitting:
// no FMA needed). Exact while neither overflows nor lo falls below 2^-969.
void two_product(double a, double b, double* hi, double* lo);

}  // namespace mantissa::sim
