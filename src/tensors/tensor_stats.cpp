#include "tensors/tensor_stats.h"

#include <cmath>
#include <limits>

#include "core/rounding.h"

namespace mantissa::tensors {

namespace {

// Values a block format buffers before quantizing them (a multiple of every
// block size: 32 for MX, 16 for NVFP4).
constexpr size_t kBlockChunk = 4096;

// The error sums of one element x stored as y (both finite).
void measure(FormatStats* s, double x, double y, bool lost_update) {
  ++s->measured;
  // y - x is exact in double for every format narrower than fp64 when
  // both are in range; the squares are ordinary double arithmetic.
  const double err = std::fabs(y - x);
  s->sum_sq_signal += x * x;
  s->sum_sq_error += err * err;
  s->max_abs_error = std::max(s->max_abs_error, err);
  if (x != 0) {
    const double rel = err / std::fabs(x);
    ++s->rel_count;
    s->sum_rel_error += rel;
    s->max_rel_error = std::max(s->max_rel_error, rel);
  }
  if (lost_update) ++s->lost_updates;
}

}  // namespace

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

int tensor_scale_exponent(const Format& f, double amax) {
  if (!(amax > 0) || !std::isfinite(amax)) return 0;
  const double top = max_element(f);
  int k = std::ilogb(top) - std::ilogb(amax);  // amax * 2^k lands in top's binade ...
  if (std::ldexp(amax, k) > top) --k;          // ... or, above top, one binade lower
  return k;
}

bool StatsCollector::needs_amax_pass() const {
  if (scale_ == ScaleMode::Tensor && !formats_.empty()) return true;
  for (const BlockFormat& b : blocks_)
    if (b.tensor_scale) return true;
  return false;
}

std::vector<std::string> StatsCollector::target_names() const {
  std::vector<std::string> names;
  for (const Format& f : formats_) names.push_back(f.name);
  for (const BlockFormat& b : blocks_) names.push_back(b.name);
  return names;
}

void AmaxCollector::begin_tensor(const TensorInfo& info) {
  current_ = &amax_[{file_, info.name}];
  *current_ = 0;
}

void AmaxCollector::values(const double* v, size_t n) {
  double a = *current_;
  for (size_t k = 0; k < n; ++k)
    if (std::isfinite(v[k])) a = std::max(a, std::fabs(v[k]));
  *current_ = a;
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
  const std::vector<std::string> names = target_names();
  current_->formats.resize(names.size());
  for (size_t i = 0; i < names.size(); ++i) current_->formats[i].format = names[i];
  const auto a = amax_.find({file_, info.name});
  tensor_amax_ = a == amax_.end() ? -1 : a->second;
  scale_exp_.assign(formats_.size(), 0);
  if (scale_ == ScaleMode::Tensor) {
    for (size_t i = 0; i < formats_.size(); ++i) {
      scale_exp_[i] = tensor_scale_exponent(formats_[i], tensor_amax_);
      current_->formats[i].tensor_scale = std::ldexp(1.0, scale_exp_[i]);
    }
  }
  pending_.assign(blocks_.size(), {});
}

void StatsCollector::values(const double* v, size_t n) {
  if (!current_) return;
  TensorStats& t = *current_;
  const double update = question_ ? question_->update() : 0;
  for (size_t k = 0; k < n; ++k) {
    const double x = v[k];
    ++t.count;
    // Block formats see every value in order: a NaN or Inf makes its block's scale NaN.
    for (std::vector<double>& p : pending_) p.push_back(x);
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
      // --scale tensor: x * 2^k and back are exact (powers of two, in range).
      const int k = scale_exp_[i];
      const Rounded r = round_double(f, std::ldexp(x, k));
      const double stored = to_double(f, r.bits);
      if (!std::isfinite(stored) || r.info.overflow) {
        ++s.overflow;
        if (!std::isfinite(stored)) continue;
      }
      const double y = std::ldexp(stored, -k);
      if (y == x) ++s.exact;
      if (x != 0 && y == 0) ++s.flushed;
      if (stored != 0 && std::fabs(stored) < std::ldexp(1.0, f.emin())) ++s.subnormal;
      measure(&s, x, y, question_ && update < std::ldexp(half_ulp_above(f, stored), -k));
    }
  }
  if (!pending_.empty() && pending_[0].size() >= kBlockChunk) flush_blocks(false);
}

// Quantizes the pending values of each block format, a whole number of
// blocks at a time (the last call pads the final block with zeros).
void StatsCollector::flush_blocks(bool end) {
  const double update = question_ ? question_->update() : 0;
  for (size_t b = 0; b < blocks_.size(); ++b) {
    std::vector<double>& p = pending_[b];
    const BlockFormat& f = blocks_[b];
    const size_t whole = end ? p.size() : p.size() / static_cast<size_t>(f.block) * static_cast<size_t>(f.block);
    if (whole == 0) continue;
    QuantizeOptions opt;
    opt.pad = true;
    opt.tensor_amax = tensor_amax_;
    QuantizeReport rep;
    std::string error;
    const std::vector<double> part(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(whole));
    if (!quantize_blocks(f, part, opt, &rep, &error)) continue;  // cannot fail: sizes are in range
    FormatStats& s = current_->formats[formats_.size() + b];
    if (f.tensor_scale) s.tensor_scale = rep.tensor_scale;
    for (const QuantizedBlock& qb : rep.blocks) {
      for (size_t i = 0; i < qb.elements.size(); ++i) {
        const double x = part[qb.first + i];
        if (!std::isfinite(x)) continue;
        const QuantizedElement& e = qb.elements[i];
        const double y = e.dequantized;
        if (!std::isfinite(y) || e.clipped) {
          ++s.overflow;  // clamped to the element's max, or in a block a NaN/Inf made NaN
          if (!std::isfinite(y)) continue;
        }
        if (y == x) ++s.exact;
        if (e.flushed) ++s.flushed;
        if (e.subnormal) ++s.subnormal;
        // The element's spacing times the block's scale (and NVFP4's tensor decode scale).
        const double scale = f.tensor_scale ? qb.scale * static_cast<double>(rep.tensor_decode) : qb.scale;
        const double half_step = half_ulp_above(f.element, to_double(f.element, e.bits)) * scale;
        measure(&s, x, y, question_ && update < half_step);
      }
    }
    p.erase(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(whole));
  }
}

void StatsCollector::end_tensor() {
  if (current_ && !blocks_.empty()) flush_blocks(true);
  current_ = nullptr;
}

}  // namespace mantissa::tensors
