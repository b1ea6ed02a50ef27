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

// Per-pattern flags of the table path (what one element counts for a target).
enum : uint8_t {
  kOverflow = 1,
  kSubnormal = 2,
  kFlushed = 4,
  kExact = 8,
  kMeasured = 16,
  kRelCount = 32,
  kLost = 64,
};

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
  fields32_.assign(4 * kFields32, 0);
  table_ = !scalar_reference_ && info.count >= table_min_count_ && blocks_.empty() && !formats_.empty() &&
           formats_.size() <= kTableMaxFormats && (info.format == &fp16() || info.format == &bf16());
  if (table_) build_table(*info.format);
}

void StatsCollector::values(const double* v, size_t n) {
  if (!current_) return;
  if (table_) {  // (the reader offers fp16/bf16 as patterns; another caller may not)
    for (size_t done = 0; done < n; done += kChunk) {
      const size_t k = std::min(kChunk, n - done);
      std::vector<float> f(v + done, v + done + k);  // fp16/bf16 values: exact
      values_f32(f.data(), k);
    }
    return;
  }
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
      format_values_kernel(i, xf_.data(), k, first);
    }
  }
  if (!pending_.empty() && pending_[0].size() >= kBlockChunk) flush_blocks(false);
}

// The same for F32, F16 and BF16 tensors, as floats: no widening to double
// and narrowing back (the core's loop and block formats widen when present).
bool StatsCollector::values_f32(const float* v, size_t n) {
  if (!current_) return true;
  if (table_) {  // back to the patterns (exact: the values are the tensor's dtype's)
    std::vector<uint16_t> bits(n);
    if (table_dtype_ == &fp16()) kernels::fp32_to_fp16(v, bits.data(), n);
    else kernels::fp32_to_bf16(v, bits.data(), n);
    return values_bits16(bits.data(), n);
  }
  for (size_t done = 0; done < n; done += kChunk) {
    const size_t k = std::min(kChunk, n - done);
    const float* x = v + done;
    const uint64_t first = current_->count;  // the tensor's index of x[0]
    bool widened = false;
    const auto wide = [&] {
      if (!widened) wide_.assign(x, x + k), widened = true;
      return wide_.data();
    };
    for (std::vector<double>& p : pending_) p.insert(p.end(), wide(), wide() + k);
    tensor_values_f32(x, k);
    for (size_t i = 0; i < formats_.size(); ++i) {
      if (kernel_[i]) format_values_kernel(i, x, k, first);
      else format_values(i, wide(), k, first);
    }
  }
  if (!pending_.empty() && pending_[0].size() >= kBlockChunk) flush_blocks(false);
  return true;
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

// tensor_values() for floats, in passes that each do one thing: the
// histogram of float exponent fields (a normal float's binade is its field -
// 127) in four copies; min and max over finite elements in vectors of eight
// float lanes; and only when the batch's field 0 or field 0xff counts moved,
// a pass telling zeros from float subnormals (their log2 bins, the first
// zero's sign) and NaN from Inf.
void StatsCollector::tensor_values_f32(const float* v, size_t n) {
  TensorStats& t = *current_;
  uint64_t* fields = fields32_.data();
  const auto in_field = [&](size_t f) {
    return fields[f] + fields[kFields32 + f] + fields[2 * kFields32 + f] + fields[3 * kFields32 + f];
  };
  const uint64_t zeros_before = in_field(0), specials_before = in_field(0xff);
  size_t k = 0;
  const auto field = [&](size_t j) {
    uint32_t bits;
    std::memcpy(&bits, v + j, 4);
    return (bits >> 23) & 0xff;
  };
  for (; k + 4 <= n; k += 4) {
    ++fields[field(k)];
    ++fields[kFields32 + field(k + 1)];
    ++fields[2 * kFields32 + field(k + 2)];
    ++fields[3 * kFields32 + field(k + 3)];
  }
  for (; k < n; ++k) ++fields[field(k)];
  // Four float lanes, twice (16-byte vectors: SSE2's own width, which g++ compares without scalarizing).
  typedef float F4 __attribute__((vector_size(16)));
  typedef int J4 __attribute__((vector_size(16)));
  const F4 lo_start = F4{} + static_cast<float>(std::min({lo_[0], lo_[1], lo_[2], lo_[3]}));  // (floats or +-inf: exact)
  const F4 hi_start = F4{} + static_cast<float>(std::max({hi_[0], hi_[1], hi_[2], hi_[3]}));
  F4 lo0 = lo_start, lo1 = lo_start, hi0 = hi_start, hi1 = hi_start;  // (locals, not arrays: kept in registers)
  const J4 abs_mask = J4{} + 0x7fffffff;
  const F4 inf = F4{} + INFINITY;
  // Selects by masks (the vector ?: needs SSE4.1's blend).
  const auto step = [&](const float* p, F4& lo, F4& hi) {
    F4 x;
    std::memcpy(&x, p, sizeof x);
    const J4 finite = (J4)((F4)((J4)x & abs_mask) < inf);
    const J4 to_lo = finite & (J4)(x < lo), to_hi = finite & (J4)(hi < x);
    lo = (F4)(((J4)x & to_lo) | ((J4)lo & ~to_lo));
    hi = (F4)(((J4)x & to_hi) | ((J4)hi & ~to_hi));
  };
  for (k = 0; k + 8 <= n; k += 8) {
    step(v + k, lo0, hi0);
    step(v + k + 4, lo1, hi1);
  }
  float l1 = lo0[0], h1 = hi0[0];
  for (int w = 0; w < 4; ++w) {
    l1 = lo0[w] < l1 ? lo0[w] : l1, h1 = h1 < hi0[w] ? hi0[w] : h1;
    l1 = lo1[w] < l1 ? lo1[w] : l1, h1 = h1 < hi1[w] ? hi1[w] : h1;
  }
  for (; k < n; ++k)
    if (std::isfinite(v[k])) l1 = v[k] < l1 ? v[k] : l1, h1 = h1 < v[k] ? v[k] : h1;
  lo_[0] = lo_[1] = lo_[2] = lo_[3] = l1;
  hi_[0] = hi_[1] = hi_[2] = hi_[3] = h1;
  if (in_field(0) != zeros_before) {  // zeros or float subnormals
    for (k = 0; k < n; ++k) {
      if (field(k) != 0) continue;
      if (v[k] != 0) {
        ++double_subnormals_;
        ++t.log2_histogram[std::ilogb(v[k])];
      } else if (!seen_zero_) {
        seen_zero_ = true;
        first_zero_ = v[k];
      }
    }
  }
  if (in_field(0xff) != specials_before) {  // NaN or Inf
    for (k = 0; k < n; ++k) {
      if (std::isnan(v[k])) ++t.nans;
      else if (std::isinf(v[k])) ++t.infs;
    }
  }
  t.count += n;
}

namespace {
// One element x through the core (the reference): rounded to f after
// scaling by 2^k, classified and tallied in `lane`.
[[gnu::always_inline]] inline void reference_element(const Format& f, int k, bool ask, double update, double x,
                                                     size_t lane, kernels::ErrorTally& s) {
  if (!std::isfinite(x)) return;
  // --scale tensor: x * 2^k and back are exact (powers of two, in range).
  const Rounded r = round_double(f, std::ldexp(x, k));
  const double stored = to_double(f, r.bits);
  if (!std::isfinite(stored) || r.info.overflow) {
    ++s.overflow;
    if (!std::isfinite(stored)) return;
  }
  const double y = std::ldexp(stored, -k);
  if (y == x) ++s.exact;
  if (x != 0 && y == 0) ++s.flushed;
  if (stored != 0 && std::fabs(stored) < std::ldexp(1.0, f.emin())) ++s.subnormal;
  kernels::tally_error(s, lane, x, y, ask && update < std::ldexp(half_ulp_above(f, stored), -k));
}
}  // namespace

// One scalar format, element by element through the core: the reference.
void StatsCollector::format_values(size_t i, const double* v, size_t n, uint64_t first) {
  kernels::ErrorTally s = tallies_[i];
  const double update = question_ ? question_->update() : 0;
  for (size_t j = 0; j < n; ++j)
    reference_element(formats_[i], scale_exp_[i], question_.has_value(), update, v[j], lane_of(first + j), s);
  tallies_[i] = s;
}

kernels::TallyBounds StatsCollector::bounds_of(size_t i) const {
  kernels::TallyBounds bounds;
  bounds.smallest_normal = std::ldexp(1.0, formats_[i].emin());
  if (question_) bounds.lost_from = lost_from(formats_[i], question_->update());
  return bounds;
}

// The same statistics for fp16, bf16, fp8-e4m3 or fp8-e5m2 of fp32 values
// x without scaling: the batch kernels (bit-identical to the core, as
// tests/kernels pins down) round and widen back, then the same sums in the
// same lanes (kernels/error_tally.h), so every figure equals format_values()'s.
void StatsCollector::format_values_kernel(size_t i, const float* x, size_t n, uint64_t first) {
  const kernels::TallyBounds bounds = bounds_of(i);
  if (stored_[i]) {  // no conversion: every value is its own rounding (y is x)
    kernels::tally_fp32(x, x, n, first, bounds, &tallies_[i], tally_path_);
    return;
  }
  if (tally_path_ != kernels::TallyPath::Scalar) {  // rounded in the SIMD registers, no y array
    kernels::tally_fp32_round(x, n, first, bounds, *kernel_[i], &tallies_[i], tally_path_);
    return;
  }
  yf_.resize(n);
  kernels::round_trip(*kernel_[i], x, yf_.data(), n);
  kernels::tally_fp32(x, yf_.data(), n, first, bounds, &tallies_[i], tally_path_);
}

// The table path. An element of an fp16 or bf16 tensor contributes a pure
// function of its 16-bit pattern (given the targets, the tensor's scale
// exponents and the update question): its counts, its errors, and the three
// terms it adds to its lane of each target's sums. So the table holds, per
// pattern, what the per-element code of the other paths computes for it,
// computed by that same code (the batch kernels and kernels::tally_element,
// which the SIMD tally equals bit for bit, or the core's reference_element);
// the stream then only counts patterns and adds table rows to the lanes in
// element order (kernels::tally_table16). Counts, maxima and the tensor's own
// figures come out of the pattern histogram at the tensor's end.
void StatsCollector::build_table(const Format& dtype) {
  constexpr size_t V = kernels::kTable16Values;
  const size_t F = formats_.size();
  table_dtype_ = &dtype;
  // Target i's terms start at term_[i]: x*x, err*err, rel; only x*x for a
  // target that stores every value exactly (its errors are +0.0, and its
  // error lanes stay +0.0 as when adding them: the SIMD tally's reasoning).
  term_.resize(F);
  size_t terms = 0;
  for (size_t i = 0; i < F; ++i) term_[i] = terms, terms += stored_[i] ? 1 : 3;
  row_ = (terms + 3) / 4 * 4;
  table_store_.assign(V * row_ + 8, 0.0);
  const auto addr = reinterpret_cast<uintptr_t>(table_store_.data());
  table_rows_ = table_store_.data() + ((64 - addr % 64) % 64) / sizeof(double);
  std::vector<uint16_t> patterns(V);
  for (size_t v = 0; v < V; ++v) patterns[v] = static_cast<uint16_t>(v);
  table_x_.resize(V);
  if (&dtype == &fp16()) kernels::fp16_to_fp32(patterns.data(), table_x_.data(), V);
  else kernels::bf16_to_fp32(patterns.data(), table_x_.data(), V);
  table_flags_.assign(V * F, 0);
  table_err_.assign(V * F, 0);
  const double update = question_ ? question_->update() : 0;
  std::vector<float> y(V);
  for (size_t i = 0; i < F; ++i) {
    const kernels::TallyBounds bounds = bounds_of(i);
    if (kernel_[i]) {
      if (stored_[i]) y = table_x_;
      else kernels::round_trip(*kernel_[i], table_x_.data(), y.data(), V);
    }
    for (size_t v = 0; v < V; ++v) {
      kernels::ErrorTally one;
      if (kernel_[i]) kernels::tally_element(one, 0, table_x_[v], y[v], bounds);
      else reference_element(formats_[i], scale_exp_[i], question_.has_value(), update, table_x_[v], 0, one);
      double* row = table_rows_ + v * row_ + term_[i];
      row[0] = one.sq_signal[0];
      if (!stored_[i]) row[1] = one.sq_error[0], row[2] = one.rel[0];
      table_err_[v * F + i] = one.max_abs;
      table_flags_[v * F + i] = static_cast<uint8_t>(
          (one.overflow ? kOverflow : 0) | (one.subnormal ? kSubnormal : 0) | (one.flushed ? kFlushed : 0) |
          (one.exact ? kExact : 0) | (one.measured ? kMeasured : 0) | (one.rel_count ? kRelCount : 0) |
          (one.lost ? kLost : 0));
    }
  }
  table_lanes_.assign(kernels::kTallyLanes * row_, 0.0);
  hist32_.assign(4 * V, 0);
  hist64_.assign(V, 0);
  hist_pending_ = 0;
}

bool StatsCollector::values_bits16(const uint16_t* bits, size_t n) {
  if (!current_) return true;
  if (!table_) return false;
  for (size_t done = 0; done < n; done += kChunk) {
    const size_t k = std::min(kChunk, n - done);
    const uint16_t* b = bits + done;
    // A bin of one of the four histograms holds at most hist_pending_ + k counts.
    if (hist_pending_ + k > UINT32_MAX) flush_table_histogram();
    kernels::tally_table16(b, k, current_->count, table_rows_, row_, table_lanes_.data(), hist32_.data(),
                           tally_path_);
    hist_pending_ += k;
    constexpr size_t V = kernels::kTable16Values;
    const auto zeros_in = [&](size_t z) {
      return hist32_[z] + hist32_[V + z] + hist32_[2 * V + z] + hist32_[3 * V + z] + hist64_[z];
    };
    // Which zero comes first (a zero min or max shows it): order matters, so
    // searched in the batch, once the histogram shows a zero.
    if (!seen_zero_ && zeros_in(0x0000) + zeros_in(0x8000) != 0) {
      for (size_t j = 0; j < k; ++j)
        if ((b[j] & 0x7fff) == 0) {
          seen_zero_ = true;
          first_zero_ = b[j] ? -0.0 : 0.0;
          break;
        }
    }
    current_->count += k;
  }
  return true;
}

void StatsCollector::flush_table_histogram() {
  constexpr size_t V = kernels::kTable16Values;
  for (size_t h = 0; h < 4; ++h)
    for (size_t v = 0; v < V; ++v) hist64_[v] += hist32_[h * V + v];
  std::fill(hist32_.begin(), hist32_.end(), 0u);
  hist_pending_ = 0;
}

// The table path's tensor end: the patterns' counts into the same state the
// other paths leave (exponent fields, min/max lanes, tallies), which
// end_tensor() then reports as usual.
void StatsCollector::finish_table() {
  flush_table_histogram();
  TensorStats& t = *current_;
  const size_t F = formats_.size();
  for (size_t v = 0; v < kernels::kTable16Values; ++v) {
    const uint64_t c = hist64_[v];
    if (c == 0) continue;
    const double x = table_x_[v];
    uint64_t bits;
    std::memcpy(&bits, &x, 8);
    fields_[(bits >> 52) & 0x7ff] += c;  // (fp16 and bf16 values are normal doubles or zeros)
    if (std::isnan(x)) {
      t.nans += c;
    } else if (std::isinf(x)) {
      t.infs += c;
    } else {
      lo_[0] = std::min(lo_[0], x);
      hi_[0] = std::max(hi_[0], x);
    }
    for (size_t i = 0; i < F; ++i) {
      kernels::ErrorTally& s = tallies_[i];
      const uint8_t f = table_flags_[v * F + i];
      s.overflow += f & kOverflow ? c : 0;
      s.subnormal += f & kSubnormal ? c : 0;
      s.flushed += f & kFlushed ? c : 0;
      s.exact += f & kExact ? c : 0;
      s.measured += f & kMeasured ? c : 0;
      s.rel_count += f & kRelCount ? c : 0;
      s.lost += f & kLost ? c : 0;
      s.max_abs = std::max(s.max_abs, table_err_[v * F + i]);
      if (!stored_[i]) s.max_rel = std::max(s.max_rel, table_rows_[v * row_ + term_[i] + 2]);  // one element's max is its rel
    }
  }
  for (size_t l = 0; l < kernels::kTallyLanes; ++l)
    for (size_t i = 0; i < F; ++i) {
      const double* lane = table_lanes_.data() + l * row_ + term_[i];
      tallies_[i].sq_signal[l] = lane[0];
      if (!stored_[i]) tallies_[i].sq_error[l] = lane[1], tallies_[i].rel[l] = lane[2];
    }
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
  if (current_ && table_) finish_table();
  if (current_) {
    // The float path's exponent fields as the double's (a float's field f is the double's f + 1023 - 127).
    for (size_t l = 0; l < 4; ++l)
      for (size_t f = 0; f < kFields32; ++f)
        if (const uint64_t c = fields32_[l * kFields32 + f])
          fields_[l * kFields + (f == 0 ? 0 : f == 0xff ? 0x7ff : f + 1023 - 127)] += c;
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
