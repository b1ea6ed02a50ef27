#include "tensors/tensor_stats.h"

#include <cmath>
#include <limits>

#include "core/rounding.h"

namespace mantissa::tensors {

double FormatStats::rmse() const { return measured ? std::sqrt(sum_sq_error / static_cast<double>(measured)) : 0; }
double FormatStats::sqnr_db() const {
  if (sum_sq_error == 0) return std::numeric_limits<double>::infinity();
  return 10 * std::log10(sum_sq_signal / sum_sq_error);
}
double FormatStats::mean_rel_error() const { return rel_count ? sum_rel_error / static_cast<double>(rel_count) : 0; }
double FormatStats::lost_fraction() const {
  return measured ? static_cast<double>(lost_updates) / static_cast<double>(measured) : 0;
}

void FormatStats::add(const FormatStats& o) {
  overflow += o.overflow;
  subnormal += o.subnormal;
  flushed += o.flushed;
  exact += o.exact;
  measured += o.measured;
  sum_sq_signal += o.sum_sq_signal;
  sum_sq_error += o.sum_sq_error;
  max_abs_error = std::max(max_abs_error, o.max_abs_error);
  rel_count += o.rel_count;
  sum_rel_error += o.sum_rel_error;
  max_rel_error = std::max(max_rel_error, o.max_rel_error);
  lost_updates += o.lost_updates;
}

double half_ulp_above(const Format& f, double y) {
  const double a = std::fabs(y);
  // Below the smallest normal the spacing is the subnormal step 2^(emin - man_bits).
  int e = f.emin();
  if (a >= std::ldexp(1.0, f.emin())) e = std::ilogb(a);
  return std::ldexp(1.0, e - f.man_bits - 1);
}

void StatsCollector::begin_tensor(const TensorInfo& info) {
  current_ = nullptr;
  if (keep_ && !keep_(info.name)) return;
  results_.emplace_back();
  current_ = &results_.back();
  current_->file = file_;
  current_->name = info.name;
  current_->dtype = info.dtype;
  current_->shape = info.shape;
  current_->formats.resize(formats_.size());
  for (size_t i = 0; i < formats_.size(); ++i) current_->formats[i].format = formats_[i].name;
}

void StatsCollector::values(const double* v, size_t n) {
  if (!current_) return;
  TensorStats& t = *current_;
  const double update = question_ ? question_->update() : 0;
  for (size_t k = 0; k < n; ++k) {
    const double x = v[k];
    ++t.count;
    if (std::isnan(x)) {
      ++t.nans;
      continue;
    }
    if (std::isinf(x)) {
      ++t.infs;
      continue;
    }
    if (t.finite++ == 0) t.min = t.max = x;
    t.min = std::min(t.min, x);
    t.max = std::max(t.max, x);
    t.amax = std::max(t.amax, std::fabs(x));
    if (x == 0) ++t.zeros;
    else ++t.log2_histogram[std::ilogb(x)];
    for (size_t i = 0; i < formats_.size(); ++i) {
      const Format& f = formats_[i];
      FormatStats& s = t.formats[i];
      const Rounded r = round_double(f, x);
      const double y = to_double(f, r.bits);
      if (!std::isfinite(y) || r.info.overflow) {
        ++s.overflow;
        if (!std::isfinite(y)) continue;
      }
      if (y == x) ++s.exact;
      if (x != 0 && y == 0) ++s.flushed;
      if (y != 0 && std::fabs(y) < std::ldexp(1.0, f.emin())) ++s.subnormal;
      ++s.measured;
      // y - x is exact in double for every format narrower than fp64 when
      // both are in range; the squares are ordinary double arithmetic.
      const double err = std::fabs(y - x);
      s.sum_sq_signal += x * x;
      s.sum_sq_error += err * err;
      s.max_abs_error = std::max(s.max_abs_error, err);
      if (x != 0) {
        const double rel = err / std::fabs(x);
        ++s.rel_count;
        s.sum_rel_error += rel;
        s.max_rel_error = std::max(s.max_rel_error, rel);
      }
      if (question_ && update < half_ulp_above(f, y)) ++s.lost_updates;
    }
  }
}

void StatsCollector::end_tensor() { current_ = nullptr; }

}  // namespace mantissa::tensors
