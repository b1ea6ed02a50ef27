#include "tensors/tensor_stats.h"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <limits>

#include "core/rounding.h"
#include "kernels/convert.h"
#include "kernels/error_tally.h"

namespace mantissa::tensors {

namespace {

// Values a block format buffers before quantizing them (a multiple of every
// block size: 32 for MX, 16 for NVFP4).
constexpr size_t kBlockChunk = 4096;
// Values measured at a time (the kernels' batch).
constexpr size_t kChunk = 4096;

// The lane of element `index` of a tensor in the error sums (kernels/error_tally.h
// defines the order once for the core reference, the kernels and block formats).
inline size_t lane_of(uint64_t index) { return static_cast<size_t>(index % kernels::kTallyLanes); }

// Where "update < half the ULP above |y|" turns false for good, as a bound
// on |y| (kernels::TallyBounds::lost_from): half_ulp_above(f, y) is
// 2^(emin - man_bits - 1) below 2^emin and 2^(ilogb|y| - man_bits - 1) above,
// so the update is lost from the smallest binade b >= emin with
// 2^(b - man_bits - 1) > update, b = ilogb(update) + man_bits + 2.
double lost_from(const Format& f, double update) {
  const double below_normal_half = std::ldexp(1.0, f.emin() - f.man_bits - 1);
  if (update < below_normal_half) return 0;  // every stored value, zero included
  if (!std::isfinite(update)) return std::numeric_limits<double>::infinity();  // NaN or inf: never
  return std::ldexp(1.0, std::max(f.emin(), std::ilogb(update) + f.man_bits + 2));
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
  fields_.assign(4 * kFields, 0);
  double_subnormals_ = 0;
  for (int l = 0; l < 4; ++l) lo_[l] = std::numeric_limits<double>::infinity(), hi_[l] = -lo_[l];
  seen_zero_ = false;
  tallies_.assign(names.size(), kernels::ErrorTally{});
  block_first_.assign(blocks_.size(), 0);
  tally_path_ = kernels::tally_path();
  // The batch kernels serve fp16, bf16 and fp8 targets of tensors whose values are fp32 values.
  kernel_.assign(formats_.size(), std::nullopt);
  const bool fp32_values = info.format != nullptr && info.format->man_bits <= fp32().man_bits &&
                           info.format->emax() <= fp32().emax() && info.format->emin() >= fp32().emin();
  stored_.assign(formats_.size(), false);
  for (size_t i = 0; i < formats_.size(); ++i) {
    if (fp32_values && scale_exp_[i] == 0 && !scalar_reference_) kernel_[i] = kernels::target_of(formats_[i]);
    // A bf16 tensor measured for bf16 (fp16 for fp16, ...): rounding is the identity.
    stored_[i] = kernel_[i].has_value() && info.format->name == formats_[i].name;
  }
}

void StatsCollector::values(const double* v, size_t n) {
  if (!current_) return;
  for (size_t done = 0; done < n; done += kChunk) {
    const size_t k = std::min(kChunk, n - done);
    const uint64_t first = current_->count;  // the tensor's index of v[done]
    tensor_values(v + done, k);
    bool narrowed = false;
    for (size_t i = 0; i < formats_.size(); ++i) {
      if (!kernel_[i]) {
        format_values(i, v + done, k, first);
        continue;
      }
      if (!narrowed) {
        // The tensor's values are fp32 values (its dtype is no wider): exact.
        xf_.resize(k);
        for (size_t j = 0; j < k; ++j) xf_[j] = static_cast<float>(v[done + j]);
        narrowed = true;
      }
      format_values_kernel(i, k, first);
    }
  }
  if (!pending_.empty() && pending_[0].size() >= kBlockChunk) flush_blocks(false);
}

// What the tensor holds: counts, range, the binade histogram. The loop does
// the least per element: the histogram counts raw exponent fields (a finite
// non-zero normal double's binade is its field - 1023; field 0 holds zeros
// and the rare double subnormals, taken apart in a branch), in four copies
// so that consecutive elements of one binade do not wait on each other's
// increment. Min and max run in four lanes from +-inf (one running minimum
// waits on the previous element's comparison); which zero a zero min or max
// shows is the tensor's first zero, as when one running minimum kept its
// first tie. Finite, zeros and amax follow at the tensor's end.
void StatsCollector::tensor_values(const double* v, size_t n) {
  TensorStats& t = *current_;
  for (std::vector<double>& p : pending_) p.insert(p.end(), v, v + n);  // every value, in order
  uint64_t nans = t.nans, infs = t.infs;
  double lo[4], hi[4];
  for (int l = 0; l < 4; ++l) lo[l] = lo_[l], hi[l] = hi_[l];
  uint64_t* fields = fields_.data();
  const auto element = [&](size_t k, size_t lane) {
    const double x = v[k];
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    const size_t field = static_cast<size_t>((bits >> 52) & 0x7ff);
    ++fields[lane * kFields + field];
    if (field == 0x7ff) {
      if (std::isnan(x)) ++nans;
      else ++infs;
      return;
    }
    lo[lane] = x < lo[lane] ? x : lo[lane];
    hi[lane] = hi[lane] < x ? x : hi[lane];
    if (field == 0) {
      if (x != 0) {
        ++double_subnormals_;
        ++t.log2_histogram[std::ilogb(x)];
      } else if (!seen_zero_) {
        seen_zero_ = true;
        first_zero_ = x;
      }
    }
  };
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
#pragma GCC unroll 4
    for (size_t l = 0; l < 4; ++l) element(k + l, l);
  }
  for (; k < n; ++k) element(k, k & 3);
  for (int l = 0; l < 4; ++l) lo_[l] = lo[l], hi_[l] = hi[l];
  t.nans = nans, t.infs = infs;
  t.count += n;
}

// One scalar format, element by element through the core: the reference.
void StatsCollector::format_values(size_t i, const double* v, size_t n, uint64_t first) {
  const Format& f = formats_[i];
  kernels::ErrorTally s = tallies_[i];
  const double update = question_ ? question_->update() : 0;
  const int k = scale_exp_[i];
  for (size_t j = 0; j < n; ++j) {
    const double x = v[j];
    if (!std::isfinite(x)) continue;
    // --scale tensor: x * 2^k and back are exact (powers of two, in range).
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
    kernels::tally_error(s, lane_of(first + j), x, y, question_ && update < std::ldexp(half_ulp_above(f, stored), -k));
  }
  tallies_[i] = s;
}

// The same statistics for fp16, bf16, fp8-e4m3 or fp8-e5m2 of fp32 values
// (xf_) without scaling: the batch kernels (bit-identical to the core, as
// tests/kernels pins down) round and widen back, then the same sums in the
// same lanes (kernels/error_tally.h), so every figure equals format_values()'s.
void StatsCollector::format_values_kernel(size_t i, size_t n, uint64_t first) {
  const Format& f = formats_[i];
  kernels::TallyBounds bounds;
  bounds.smallest_normal = std::ldexp(1.0, f.emin());
  if (question_) bounds.lost_from = lost_from(f, question_->update());
  if (stored_[i]) {  // no conversion: every value is its own rounding (y is x)
    kernels::tally_fp32(xf_.data(), xf_.data(), n, first, bounds, &tallies_[i], tally_path_);
    return;
  }
  yf_.resize(n);
  switch (*kernel_[i]) {
    case kernels::Target::Fp16:
      narrow16_.resize(n);
      kernels::fp32_to_fp16(xf_.data(), narrow16_.data(), n);
      kernels::fp16_to_fp32(narrow16_.data(), yf_.data(), n);
      break;
    case kernels::Target::Bf16:
      narrow16_.resize(n);
      kernels::fp32_to_bf16(xf_.data(), narrow16_.data(), n);
      kernels::bf16_to_fp32(narrow16_.data(), yf_.data(), n);
      break;
    case kernels::Target::Fp8E4M3:
      narrow8_.resize(n);
      kernels::fp32_to_fp8_e4m3(xf_.data(), narrow8_.data(), n);
      kernels::fp8_e4m3_to_fp32(narrow8_.data(), yf_.data(), n);
      break;
    case kernels::Target::Fp8E5M2:
      narrow8_.resize(n);
      kernels::fp32_to_fp8_e5m2(xf_.data(), narrow8_.data(), n);
      kernels::fp8_e5m2_to_fp32(narrow8_.data(), yf_.data(), n);
      break;
  }
  kernels::tally_fp32(xf_.data(), yf_.data(), n, first, bounds, &tallies_[i], tally_path_);
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
    FormatStats& stats = current_->formats[formats_.size() + b];
    if (f.tensor_scale) stats.tensor_scale = rep.tensor_scale;
    kernels::ErrorTally s = tallies_[formats_.size() + b];
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
        kernels::tally_error(s, lane_of(block_first_[b] + qb.first + i), x, y, question_ && update < half_step);
      }
    }
    tallies_[formats_.size() + b] = s;
    block_first_[b] += whole;
    p.erase(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(whole));
  }
}

void StatsCollector::end_tensor() {
  if (current_ && !blocks_.empty()) flush_blocks(true);
  if (current_) {
    for (size_t i = 0; i < tallies_.size(); ++i) {
      const kernels::ErrorTally& t = tallies_[i];
      FormatStats& s = current_->formats[i];
      s.overflow = t.overflow, s.subnormal = t.subnormal, s.flushed = t.flushed, s.exact = t.exact;
      s.measured = t.measured, s.rel_count = t.rel_count, s.lost_updates = t.lost;
      s.sum_sq_signal = kernels::fold(t.sq_signal), s.sum_sq_error = kernels::fold(t.sq_error);
      s.sum_rel_error = kernels::fold(t.rel);
      s.max_abs_error = t.max_abs, s.max_rel_error = t.max_rel;
    }
    TensorStats& t = *current_;
    const auto field_count = [&](size_t f) {
      return fields_[f] + fields_[kFields + f] + fields_[2 * kFields + f] + fields_[3 * kFields + f];
    };
    for (size_t f = 1; f < 0x7ff; ++f)
      if (const uint64_t c = field_count(f)) t.log2_histogram[static_cast<int>(f) - 1023] = c;
    t.zeros = field_count(0) - double_subnormals_;
    t.finite = t.count - t.nans - t.infs;
    t.min = std::min({lo_[0], lo_[1], lo_[2], lo_[3]});
    t.max = std::max({hi_[0], hi_[1], hi_[2], hi_[3]});
    if (t.min == 0) t.min = first_zero_;
    if (t.max == 0) t.max = first_zero_;
    if (t.finite == 0) t.min = t.max = 0;
    t.amax = std::max(std::fabs(t.min), std::fabs(t.max));
  }
  current_ = nullptr;
}

}  // namespace mantissa::tensors
