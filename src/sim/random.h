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
};

// 64 well-mixed bits for (seed, stream, counter, attempt): splitmix64's
// finaliser applied to a keyed combination (integer ops only).
uint64_t random_bits64(uint64_t seed, RandomStream stream, uint64_t counter, uint64_t attempt = 0);

// Uniform in [0, 1) with 53 random bits.
double random_uniform(uint64_t seed, RandomStream stream, uint64_t counter, uint64_t attempt = 0);

// Standard normal by Marsaglia's polar method; rejected pairs move on to the
// next `attempt`, so the draw is still a pure function of the counter.
double random_normal(uint64_t seed, RandomStream stream, uint64_t counter);

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
