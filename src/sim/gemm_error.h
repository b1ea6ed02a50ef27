// `gemm-error`: the relative error of dot products of random inputs, per K
// and accumulator, against the exact value: how one reproduces "about 2% at
// K = 4096 in fp8 on an H100, and what promotion every 128 terms buys".
//
// Trial t of length K draws a_i and b_i (i < K) from the distribution in
// double, rounds them into the input format (rne, clamped to its largest
// finite value: the scaling a real fp8 GEMM does first), and sets c = 0. The
// draws are a pure function of (seed, t, i), so a run is deterministic for a
// seed, and the trials of a shorter K are prefixes of the longer ones'.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dot.h"

namespace mantissa::sim {

struct OperandDistribution {
  bool uniform = false;  // normal:MEAN:STD, or uniform:LO:HI
  double a = 0, b = 1;
  std::string name() const;
};

struct GemmErrorSpec {
  std::vector<uint64_t> ks;
  Format in = fp8_e4m3();
  OperandDistribution dist;
  std::vector<Accumulator> accumulators;
  uint64_t trials = 100;
  uint64_t seed = 0;
};

// Work limit: sum over K of K * trials * (accumulators + 1) products.
constexpr uint64_t kMaxGemmErrorWork = uint64_t{4} << 30;
constexpr uint64_t kMaxGemmErrorTrials = 1000000;

bool check_gemm_error_spec(const GemmErrorSpec& s, std::string* error);

struct GemmErrorRow {
  uint64_t k = 0;
  std::string accumulator;
  // Relative error |result - exact| / |exact| over the trials (nearest rank:
  // the median is the ceil(n/2)-th smallest, p95 the ceil(0.95 n)-th).
  double median = 0, p95 = 0, max = 0;
  uint64_t trials = 0;      // trials counted
  uint64_t exact_zero = 0;  // trials skipped: the exact value was 0
};

// The inputs of one trial (exposed for tests and the playground's walkthrough).
DotInput gemm_error_trial(const GemmErrorSpec& s, uint64_t k, uint64_t trial);

// The same inputs, fast, for trials [t0, t0 + lanes) (lanes <= kernels::kDotLanes)
// as floats in rows of kDotLanes (kernels/dot.h: a[i * kDotLanes + l] is a_i
// of trial t0 + l; lanes past `lanes` are zeros): what run_gemm_error feeds
// the dot lanes. Bit-identical to gemm_error_trial (tested so).
void gemm_error_trial_lanes(const GemmErrorSpec& s, uint64_t k, uint64_t t0, size_t lanes, std::vector<float>* a,
                            std::vector<float>* b);

std::vector<GemmErrorRow> run_gemm_error(const GemmErrorSpec& s);

// run_gemm_error in pieces, for callers that spread the work over time (the
// playground's Accumulation panel computes a chunk of trials per frame):
// gemm_error_samples appends the relative errors of trials [first, end) at
// every K (a trial's operands are drawn once, at the largest K: the smaller
// K are its prefixes); gemm_error_rows turns the samples into the rows
// (sorting them), in the spec's order. run_gemm_error is exactly these two
// over every trial, and a trial's figures do not depend on its chunk, so a
// run in chunks gives the same rows.
struct GemmErrorSamples {
  // [K index][accumulator]: one relative error per counted trial, and the
  // trials skipped because the exact value was 0.
  std::vector<std::vector<std::vector<double>>> errors;
  std::vector<std::vector<uint64_t>> exact_zero;
};
void gemm_error_samples(const GemmErrorSpec& s, uint64_t first_trial, uint64_t end_trial, GemmErrorSamples* out);
std::vector<GemmErrorRow> gemm_error_rows(const GemmErrorSpec& s, GemmErrorSamples& samples);

std::string gemm_error_json(const GemmErrorSpec& s, const std::vector<GemmErrorRow>& rows);
std::string gemm_error_csv(const std::vector<GemmErrorRow>& rows);
std::string gemm_error_text(const GemmErrorSpec& s, const std::vector<GemmErrorRow>& rows);

}  // namespace mantissa::sim
