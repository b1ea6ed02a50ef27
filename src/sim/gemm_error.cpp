#include "sim/gemm_error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/json.h"
#include "kernels/dot.h"
#include "sim/random.h"

namespace mantissa::sim {

namespace {

std::string short_double(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::max<size_t>(rank, 1);
  return sorted[std::min(rank, sorted.size()) - 1];
}

}  // namespace

std::string OperandDistribution::name() const {
  return std::string(uniform ? "uniform:" : "normal:") + short_double(a) + ":" + short_double(b);
}

bool check_gemm_error_spec(const GemmErrorSpec& s, std::string* error) {
  if (!check_dot_input_format(s.in, error)) return false;
  if (s.ks.empty()) return *error = "gemm-error needs at least one K", false;
  if (s.accumulators.empty()) return *error = "gemm-error needs at least one accumulator", false;
  if (s.trials == 0 || s.trials > kMaxGemmErrorTrials)
    return *error = "--trials must be from 1 to " + std::to_string(kMaxGemmErrorTrials), false;
  uint64_t work = 0;
  for (uint64_t k : s.ks) {
    if (k == 0 || k > kMaxDotTerms)
      return *error = "K must be from 1 to " + std::to_string(kMaxDotTerms) + ", not " + std::to_string(k),
             false;
    work += k * s.trials * (s.accumulators.size() + 1);  // each term <= 2^24 * 2^20 * small: no overflow
  }
  if (work > kMaxGemmErrorWork)
    return *error = "gemm-error would compute " + std::to_string(work) + " products; the limit is " +
                    std::to_string(kMaxGemmErrorWork) + " (fewer trials or smaller K)",
           false;
  if (!std::isfinite(s.dist.a) || !std::isfinite(s.dist.b) || (!s.dist.uniform && s.dist.b < 0) ||
      (s.dist.uniform && s.dist.b < s.dist.a))
    return *error = "the distribution needs finite parameters (normal: std >= 0; uniform: lo <= hi)", false;
  return true;
}

DotInput gemm_error_trial(const GemmErrorSpec& s, uint64_t k, uint64_t trial) {
  DotInput in;
  in.in = s.in;
  in.a.resize(k);
  in.b.resize(k);
  in.c = 0;
  RoundingOptions opt;
  opt.saturate = true;
  for (uint64_t i = 0; i < k; ++i) {
    for (int which = 0; which < 2; ++which) {
      const uint64_t counter = (trial << 32) + 2 * i + static_cast<uint64_t>(which);
      const double x =
          s.dist.uniform
              ? s.dist.a + (s.dist.b - s.dist.a) * random_uniform(s.seed, RandomStream::DotOperand, counter)
              : s.dist.a + s.dist.b * random_normal(s.seed, RandomStream::DotOperand, counter);
      (which == 0 ? in.a : in.b)[i] = round_double(s.in, x, opt).bits;
    }
  }
  return in;
}

void gemm_error_samples(const GemmErrorSpec& s, uint64_t k, uint64_t first_trial, uint64_t end_trial,
                        GemmErrorSamples* out) {
  out->errors.resize(s.accumulators.size());
  out->exact_zero.resize(s.accumulators.size(), 0);
  std::vector<std::vector<double>>& errors = out->errors;
  std::vector<uint64_t>& zero = out->exact_zero;
  std::vector<float> a, b;
  const kernels::DotImpl impl = kernels::best_dot_impl();
  for (uint64_t t = first_trial; t < end_trial; ++t) {
    const DotInput in = gemm_error_trial(s, k, t);
    kernels::dot_inputs_as_floats(in, &a, &b);
    const ExactSum exact = dot_exact_sum(in);
    const double exact_abs = std::fabs(exact.to_double());
    for (size_t j = 0; j < s.accumulators.size(); ++j) {
      const Accumulator& acc = s.accumulators[j];
      if (acc.kind == AccumulatorKind::Exact) {
        errors[j].push_back(0);
        continue;
      }
      if (exact.is_zero()) {
        ++zero[j];
        continue;
      }
      const Format& rf = acc.result_format();
      // The SIMD kernels where they cover the accumulator (bit-identical to the core, tested so).
      uint64_t bits = 0;
      if (!kernels::dot_with_kernels(acc, in.in, a.data(), b.data(), a.size(), static_cast<uint32_t>(in.c),
                                     impl, &bits))
        bits = dot(acc, in);
      const FloatClass cls = decode(rf, bits).cls;
      if (cls == FloatClass::Infinity || cls == FloatClass::NaN) {
        errors[j].push_back(INFINITY);
        continue;
      }
      ExactSum err = exact;
      err.add_float(rf, bits, true);
      errors[j].push_back(std::fabs(err.to_double()) / exact_abs);
    }
  }
}

void gemm_error_rows(const GemmErrorSpec& s, uint64_t k, GemmErrorSamples& samples,
                     std::vector<GemmErrorRow>* rows) {
  for (size_t j = 0; j < s.accumulators.size(); ++j) {
    std::vector<double>& e = samples.errors[j];
    std::sort(e.begin(), e.end());
    GemmErrorRow r;
    r.k = k;
    r.accumulator = s.accumulators[j].name;
    r.trials = e.size();
    r.exact_zero = samples.exact_zero[j];
    r.median = quantile(e, 0.5);
    r.p95 = quantile(e, 0.95);
    r.max = e.empty() ? 0 : e.back();
    rows->push_back(r);
  }
}

std::vector<GemmErrorRow> run_gemm_error(const GemmErrorSpec& s) {
  std::vector<GemmErrorRow> rows;
  for (uint64_t k : s.ks) {
    GemmErrorSamples samples;
    gemm_error_samples(s, k, 0, s.trials, &samples);
    gemm_error_rows(s, k, samples, &rows);
  }
  return rows;
}

std::string gemm_error_json(const GemmErrorSpec& s, const std::vector<GemmErrorRow>& rows) {
  JsonWriter w;
  w.begin_object();
  w.field("in", s.in.name);
  w.field("dist", s.dist.name());
  w.field("trials", s.trials);
  w.field("seed", s.seed);
  w.key("rows").begin_array();
  for (const GemmErrorRow& r : rows) {
    w.begin_object();
    w.field("k", r.k);
    w.field("acc", r.accumulator);
    w.field("median", r.median);
    w.field("p95", r.p95);
    w.field("max", r.max);
    w.field("trials", r.trials);
    w.field("exact_zero", r.exact_zero);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string gemm_error_csv(const std::vector<GemmErrorRow>& rows) {
  std::string out = "k,acc,median,p95,max,trials,exact_zero\n";
  for (const GemmErrorRow& r : rows) {
    out += std::to_string(r.k) + "," + r.accumulator + "," + short_double(r.median) + "," +
           short_double(r.p95) + "," + short_double(r.max) + "," + std::to_string(r.trials) + "," +
           std::to_string(r.exact_zero) + "\n";
  }
  return out;
}

std::string gemm_error_text(const GemmErrorSpec& s, const std::vector<GemmErrorRow>& rows) {
  std::string out = "relative error |result - exact| / |exact|, inputs " + s.in.name + " ~ " + s.dist.name() +
                    ", c = 0, " + std::to_string(s.trials) + " trials, seed " + std::to_string(s.seed) + "\n";
  size_t width = 11;
  for (const GemmErrorRow& r : rows) width = std::max(width, r.accumulator.size());
  char line[256];
  std::snprintf(line, sizeof line, "%8s  %-*s  %12s  %12s  %12s\n", "K", static_cast<int>(width),
                "accumulator", "median", "p95", "max");
  out += line;
  for (const GemmErrorRow& r : rows) {
    std::snprintf(line, sizeof line, "%8llu  %-*s  %12.4e  %12.4e  %12.4e\n",
                  static_cast<unsigned long long>(r.k), static_cast<int>(width), r.accumulator.c_str(),
                  r.median, r.p95, r.max);
    out += line;
    if (r.exact_zero)
      out += "          (" + std::to_string(r.exact_zero) + " trials with an exact value of 0 not counted)\n";
  }
  return out;
}

}  // namespace mantissa::sim
