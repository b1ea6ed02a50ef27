#include "sim/gemm_error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>

#include "core/json.h"
#include "core/product_sum.h"
#include "kernels/convert.h"
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

namespace {

float float_of(uint32_t u) { return __builtin_bit_cast(float, u); }
uint32_t bits_of(float x) { return __builtin_bit_cast(uint32_t, x); }

// x rounded to fp32 with round-to-odd: the nearest float, or when x lies
// between two floats, the one whose last bit is 1. Rounding that float to
// nearest even into a format of at most 22 significant bits (with its grid
// points and midpoints all floats) gives what rounding x directly would
// (Boldo & Melquiond's round-to-odd): no double rounding through fp32.
float round_to_odd_float(double x) {
  const float f = static_cast<float>(x);  // nearest even
  const uint32_t u = bits_of(f);
  // Branch-free (the cases are unpredictable): an inexact, even, finite f
  // moves one step toward x, which gives the odd neighbour.
  const bool move = static_cast<double>(f) != x && (u & 1) == 0 && (u & 0x7f800000u) != 0x7f800000u;
  const uint32_t step = std::fabs(static_cast<double>(f)) < std::fabs(x) ? 1u : ~0u;  // +1 or -1
  return float_of(u + (move ? step : 0u));
}

// The operands of trials [t0, t0 + lanes) for terms [0, k), as gemm_error_trial
// draws them but faster (one key mix per stream, the rounding by the batch
// kernels), as floats in kDotLanes-wide rows (lanes past `lanes` are zeros).
class OperandDraw {
 public:
  explicit OperandDraw(const GemmErrorSpec& s) : s_(s), key_(random_key(s.seed, RandomStream::DotOperand)) {
    target_ = kernels::target_of(s.in);
    fp32_ = s.in == fp32();
    opt_.saturate = true;
  }

  void draw(uint64_t t0, size_t lanes, uint64_t k, std::vector<float>* a, std::vector<float>* b) {
    constexpr size_t W = kernels::kDotLanes;
    a->assign(k * W, 0.0f);
    b->assign(k * W, 0.0f);
    column_.resize(2 * k);
    normal_.resize(2 * k);
    narrow16_.resize(2 * k);
    narrow8_.resize(2 * k);
    for (size_t l = 0; l < lanes; ++l) {
      const uint64_t trial = t0 + l;
      if (!s_.dist.uniform) random_normal_batch(key_, trial << 32, 2 * k, normal_.data());
      if (!s_.dist.uniform && target_) {
        // The common case as one branch-free loop (value() and round_draw()
        // inlined by hand): clang vectorizes it in part for wasm (f64x2 lanes,
        // the demotions lane by lane); g++ -O2 leaves it scalar.
        const double mean = s_.dist.a, std = s_.dist.b;
        for (uint64_t c = 0; c < 2 * k; ++c) column_[c] = round_to_odd_float(mean + std * normal_[c]);
      } else {
        for (uint64_t c = 0; c < 2 * k; ++c) column_[c] = round_draw(value(trial, c));
      }
      if (target_) narrow(&column_);
      for (uint64_t i = 0; i < k; ++i) {
        (*a)[i * W + l] = column_[2 * i];
        (*b)[i * W + l] = column_[2 * i + 1];
      }
    }
  }

 private:
  // Draw number c of a trial: c = 2 i for a_i, 2 i + 1 for b_i (gemm_error_trial's
  // counter); normal draws come from normal_, drawn for the trial in one batch.
  double value(uint64_t trial, uint64_t c) const {
    const uint64_t counter = (trial << 32) + c;
    return s_.dist.uniform ? s_.dist.a + (s_.dist.b - s_.dist.a) * random_uniform_keyed(key_, counter)
                           : s_.dist.a + s_.dist.b * normal_[c];
  }

  // fp32 itself: nearest even; a kernel target: round-to-odd, the kernel
  // does the rest (narrow()); any other format: the core, value by value.
  float round_draw(double x) const {
    if (fp32_) return static_cast<float>(x);
    if (target_) return round_to_odd_float(x);
    const uint64_t bits = round_double(s_.in, x, opt_).bits;
    return float_of(static_cast<uint32_t>(convert_bits(s_.in, bits, fp32()).bits));
  }

  // Round (nearest even, saturating as gemm_error_trial does) into the
  // target and widen back, exactly, with the batch conversion kernels.
  void narrow(std::vector<float>* v) {
    const size_t n = v->size();
    switch (*target_) {
      case kernels::Target::Fp16:
        kernels::fp32_to_fp16(v->data(), narrow16_.data(), n, true);
        kernels::fp16_to_fp32(narrow16_.data(), v->data(), n);
        break;
      case kernels::Target::Bf16:
        kernels::fp32_to_bf16(v->data(), narrow16_.data(), n, true);
        kernels::bf16_to_fp32(narrow16_.data(), v->data(), n);
        break;
      case kernels::Target::Fp8E4M3:
        kernels::fp32_to_fp8_e4m3(v->data(), narrow8_.data(), n, true);
        kernels::fp8_e4m3_to_fp32(narrow8_.data(), v->data(), n);
        break;
      case kernels::Target::Fp8E5M2:
        kernels::fp32_to_fp8_e5m2(v->data(), narrow8_.data(), n, true);
        kernels::fp8_e5m2_to_fp32(narrow8_.data(), v->data(), n);
        break;
    }
  }

  const GemmErrorSpec& s_;
  uint64_t key_;
  std::optional<kernels::Target> target_;
  bool fp32_ = false;
  RoundingOptions opt_;
  std::vector<float> column_;
  std::vector<double> normal_;
  std::vector<uint16_t> narrow16_;
  std::vector<uint8_t> narrow8_;
};

// The exact value of one trial's prefix: the fast ProductSum where the format
// allows (ProductSum::covers), else ExactSum.
struct TrialExact {
  bool fast = false;
  ProductSum product_sum{fp8_e4m3()};
  ExactSum exact;

  void add(float a, float b) {
    if (fast) {
      product_sum.add_product(a, b);
    } else {
      add_product(a, b);
    }
  }
  bool is_zero() const { return fast ? product_sum.is_zero() : exact.is_zero(); }
  double to_double() const { return fast ? product_sum.to_double() : exact.to_double(); }

  // |exact - result| / |exact| (result a finite value of rf): the error as a
  // correctly rounded double over the correctly rounded |exact|.
  double relative_error(const Format& rf, uint64_t bits, double exact_abs) const {
    if (fast) {
      ProductSum err = product_sum;
      const double r = rf == fp32() ? static_cast<double>(float_of(static_cast<uint32_t>(bits)))
                                    : bits_to_double(rf, bits);
      if (err.subtract(r)) return std::fabs(err.to_double()) / exact_abs;
    }
    ExactSum err = fast ? product_sum.to_exact_sum() : exact;
    err.add_float(rf, bits, true);
    return std::fabs(err.to_double()) / exact_abs;
  }

 private:
  static double bits_to_double(const Format& rf, uint64_t bits) {
    return __builtin_bit_cast(double, convert_bits(rf, bits, fp64()).bits);  // exact: rf lies within fp64
  }
  // a * b (floats of a format within fp32) into ExactSum: significands and exponents from the bits.
  void add_product(float a, float b) {
    if (a == 0 || b == 0) return;
    const uint32_t ua = bits_of(a), ub = bits_of(b);
    auto significand = [](uint32_t u) {
      const uint32_t field = (u >> 23) & 0xff;
      return field == 0 ? uint64_t{u & 0x7fffffu} : uint64_t{(u & 0x7fffffu) | 0x800000u};
    };
    auto exponent = [](uint32_t u) {
      const int field = static_cast<int>((u >> 23) & 0xff);
      return (field == 0 ? 1 : field) - 127 - 23;
    };
    exact.add(((ua ^ ub) >> 31) != 0, significand(ua) * significand(ub), exponent(ua) + exponent(ub));
  }
};

// One trial's inputs at K = k as the core takes them (bits of the input format).
DotInput lane_input(const GemmErrorSpec& s, const std::vector<float>& a, const std::vector<float>& b, size_t lane,
                    uint64_t k) {
  constexpr size_t W = kernels::kDotLanes;
  DotInput in;
  in.in = s.in;
  in.c = 0;
  in.a.resize(k);
  in.b.resize(k);
  for (uint64_t i = 0; i < k; ++i) {
    in.a[i] = convert_bits(fp32(), bits_of(a[i * W + lane]), s.in).bits;  // exact: the value is in s.in
    in.b[i] = convert_bits(fp32(), bits_of(b[i * W + lane]), s.in).bits;
  }
  return in;
}

}  // namespace

void gemm_error_trial_lanes(const GemmErrorSpec& s, uint64_t k, uint64_t t0, size_t lanes, std::vector<float>* a,
                            std::vector<float>* b) {
  OperandDraw(s).draw(t0, std::min(lanes, kernels::kDotLanes), k, a, b);
}

void gemm_error_samples(const GemmErrorSpec& s, uint64_t first_trial, uint64_t end_trial, GemmErrorSamples* out) {
  constexpr size_t W = kernels::kDotLanes;
  const size_t nk = s.ks.size(), nacc = s.accumulators.size();
  if (out->errors.size() != nk) {
    out->errors.assign(nk, std::vector<std::vector<double>>(nacc));
    out->exact_zero.assign(nk, std::vector<uint64_t>(nacc, 0));
  }
  auto& errors = out->errors;
  auto& zero = out->exact_zero;
  // The K in increasing order: a trial's shorter K are prefixes of its longest.
  std::vector<size_t> order(nk);
  for (size_t i = 0; i < nk; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return s.ks[x] < s.ks[y]; });
  const uint64_t k_max = s.ks[order.back()];

  std::vector<kernels::DotLanesModel> models(nacc);
  std::vector<bool> in_lanes(nacc);
  for (size_t j = 0; j < nacc; ++j) in_lanes[j] = kernels::dot_lanes_model_of(s.accumulators[j], s.in, &models[j]);
  const kernels::DotImpl impl = kernels::best_dot_impl();
  const bool fast_exact = ProductSum::covers(s.in, k_max);

  OperandDraw draw(s);
  std::vector<float> a, b;
  const uint32_t c[W] = {};
  for (uint64_t t0 = first_trial; t0 < end_trial; t0 += W) {
    const size_t lanes = static_cast<size_t>(std::min<uint64_t>(W, end_trial - t0));
    draw.draw(t0, lanes, k_max, &a, &b);
    std::vector<TrialExact> exact(lanes);
    for (TrialExact& e : exact) {
      e.fast = fast_exact;
      e.product_sum = ProductSum(s.in);
    }
    uint64_t k_done = 0;
    for (size_t ki : order) {
      const uint64_t k = s.ks[ki];
      for (size_t l = 0; l < lanes; ++l) {
        for (uint64_t i = k_done; i < k; ++i) exact[l].add(a[i * W + l], b[i * W + l]);
      }
      k_done = k;
      std::vector<DotInput> inputs(lanes);  // built when the core is needed
      std::vector<bool> built(lanes, false);
      auto core_dot = [&](size_t j, size_t l) {
        if (!built[l]) inputs[l] = lane_input(s, a, b, l, k), built[l] = true;
        return dot(s.accumulators[j], inputs[l]);
      };
      for (size_t j = 0; j < nacc; ++j) {
        const Accumulator& acc = s.accumulators[j];
        const Format& rf = acc.result_format();
        uint32_t out[W];
        bool done[W] = {};
        if (in_lanes[j]) kernels::dot_lanes(models[j], a.data(), b.data(), k, c, impl, out, done);
        for (size_t l = 0; l < lanes; ++l) {
          if (acc.kind == AccumulatorKind::Exact) {
            errors[ki][j].push_back(0);
            continue;
          }
          if (exact[l].is_zero()) {
            ++zero[ki][j];
            continue;
          }
          // The lanes where they cover the accumulator (bit-identical to the core, tested so).
          const uint64_t bits = done[l] ? out[l] : core_dot(j, l);
          const FloatClass cls = decode(rf, bits).cls;
          if (cls == FloatClass::Infinity || cls == FloatClass::NaN) {
            errors[ki][j].push_back(INFINITY);
            continue;
          }
          errors[ki][j].push_back(exact[l].relative_error(rf, bits, std::fabs(exact[l].to_double())));
        }
      }
    }
  }
}

std::vector<GemmErrorRow> gemm_error_rows(const GemmErrorSpec& s, GemmErrorSamples& samples) {
  std::vector<GemmErrorRow> rows;
  for (size_t ki = 0; ki < samples.errors.size(); ++ki) {
    for (size_t j = 0; j < s.accumulators.size(); ++j) {
      std::vector<double>& e = samples.errors[ki][j];
      std::sort(e.begin(), e.end());
      GemmErrorRow r;
      r.k = s.ks[ki];
      r.accumulator = s.accumulators[j].name;
      r.trials = e.size();
      r.exact_zero = samples.exact_zero[ki][j];
      r.median = quantile(e, 0.5);
      r.p95 = quantile(e, 0.95);
      r.max = e.empty() ? 0 : e.back();
      rows.push_back(r);
    }
  }
  return rows;
}

std::vector<GemmErrorRow> run_gemm_error(const GemmErrorSpec& s) {
  GemmErrorSamples samples;
  gemm_error_samples(s, 0, s.trials, &samples);
  return gemm_error_rows(s, samples);
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
