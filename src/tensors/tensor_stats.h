// Per-tensor statistics in one streaming pass: what the tensor holds (range,
// zeros, NaN, Inf, a histogram of binades) and what storing it in each target
// format does to it, every element rounded exactly by the core
// (round_double, round to nearest even, no saturation: overflow is counted).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/block_format.h"
#include "core/format.h"
#include "kernels/convert.h"
#include "kernels/error_tally.h"
#include "tensors/tensor_reader.h"

namespace mantissa::tensors {

// The training-update question: does lr * update survive being added to
// each weight? update = lr * grad_std, compared with half an ULP of the
// weight as stored in the format (the ULP above |w|, the spacing an increase
// of |w| meets). Strictly below half an ULP, round to nearest even loses it.
struct UpdateQuestion {
  double lr = 0, grad_std = 0;
  double update() const { return lr * grad_std; }
};

// --scale: none, or tensor: before rounding to a (scalar) format, each tensor
// is multiplied by 2^k, k the largest integer with amax * 2^k <= the format's
// largest finite value (the FP8 recipes' amax scaling, restricted to powers
// of two so that scaling and unscaling are exact); errors are measured
// after unscaling. Block formats carry their own scales and ignore it.
enum class ScaleMode { None, Tensor };
// k for a tensor of largest finite magnitude amax (0 when amax is 0).
int tensor_scale_exponent(const Format& f, double amax);

struct FormatStats {
  std::string format;
  std::optional<double> tensor_scale;  // the factor applied (--scale tensor: 2^k; nvfp4: s_enc)
  // Over every element: counts by what rounding did.
  uint64_t overflow = 0;   // finite input, rounded to inf/NaN (or beyond max finite)
  uint64_t subnormal = 0;  // rounded to a non-zero subnormal
  uint64_t flushed = 0;    // non-zero input rounded to zero
  uint64_t exact = 0;      // rounded value equals the input (NaN/Inf inputs excluded)
  // Over finite inputs with finite results (the sums in the lane order that
  // kernels/error_tally.h defines, the same on every path and chunking):
  uint64_t measured = 0;
  double sum_sq_signal = 0, sum_sq_error = 0, max_abs_error = 0;
  uint64_t rel_count = 0;  // non-zero inputs among those
  double sum_rel_error = 0, max_rel_error = 0;
  uint64_t lost_updates = 0;  // with an UpdateQuestion, among `measured`

  double rmse() const;
  double sqnr_db() const;  // +inf when every error is zero
  double mean_rel_error() const;
  double lost_fraction() const;
  void add(const FormatStats& o);  // for totals
};

struct TensorStats {
  std::string file, name, dtype;
  std::vector<uint64_t> shape;
  uint64_t count = 0, zeros = 0, nans = 0, infs = 0, finite = 0;
  double min = 0, max = 0, amax = 0;  // over finite elements (0 when none)
  std::map<int, uint64_t> log2_histogram;  // floor(log2|x|) of finite non-zeros
  std::vector<FormatStats> formats;
};

// A visitor collecting TensorStats for every tensor whose name passes the filter.
//
// Needs each tensor's amax before its first element (--scale tensor, nvfp4):
// then the face reads each file twice, first through an AmaxCollector (a
// second pass over the file rather than buffering tensors, so memory stays
// flat whatever the tensor's size), and hands the result to set_amax().
class StatsCollector : public TensorVisitor {
 public:
  StatsCollector(std::vector<Format> formats, std::optional<UpdateQuestion> question)
      : formats_(std::move(formats)), question_(question) {}
  // Block formats as targets (reported after the scalar formats): blocks
  // follow the tensor's element order, the last one as if zero-padded.
  void set_block_formats(std::vector<BlockFormat> blocks) { blocks_ = std::move(blocks); }
  void set_scale(ScaleMode mode) { scale_ = mode; }
  bool needs_amax_pass() const;
  using AmaxMap = std::map<std::pair<std::string, std::string>, double>;  // (file, tensor) -> amax
  void set_amax(AmaxMap amax) { amax_ = std::move(amax); }
  void set_file(std::string file) { file_ = std::move(file); }
  // Every element through the core, no batch kernels (tests compare the two).
  void set_scalar_reference(bool on) { scalar_reference_ = on; }
  // Tensors whose name fails the filter are not measured.
  void set_filter(std::function<bool(const std::string&)> keep) { keep_ = std::move(keep); }
  void begin_tensor(const TensorInfo& info) override;
  void values(const double* v, size_t n) override;
  bool values_f32(const float* v, size_t n) override;
  bool values_bits16(const uint16_t* bits, size_t n) override;
  void end_tensor() override;
  std::vector<TensorStats>& results() { return results_; }
  // fp16 and bf16 tensors of at least this many elements are measured by a
  // table of what each 16-bit pattern contributes (see build_table()): the
  // table costs about 1.7 ms a tensor to build and read out, which a tensor
  // of 2^19 bf16 elements did not yet repay (measured: 2^17 about 4x, 2^18 2x,
  // 2^19 1.3x slower than the float path; 2^24 3.7x faster).
  static constexpr uint64_t kTableMinCount = uint64_t{1} << 20;
  // Another threshold (tests: the table path on small tensors; the figures do not depend on it).
  void set_table_min_count(uint64_t n) { table_min_count_ = n; }
  // Scalar targets the table holds at most (its row: 3 doubles a target).
  static constexpr size_t kTableMaxFormats = kernels::kTable16MaxRow / 3;
  // Names of the targets in report order: scalar formats, then block formats.
  std::vector<std::string> target_names() const;

 private:
  void flush_blocks(bool end);
  void tensor_values(const double* v, size_t n);
  void tensor_values_f32(const float* v, size_t n);
  // `first`: the tensor's index of the batch's first element (its sums' lane).
  void format_values(size_t i, const double* v, size_t n, uint64_t first);
  void format_values_kernel(size_t i, const float* x, size_t n, uint64_t first);
  // Scalar target i's batch kernels: x rounded to the target and widened back into y.
  kernels::TallyBounds bounds_of(size_t i) const;
  // The table path (fp16/bf16 tensors, kTableMinCount): see tensor_stats.cpp.
  void build_table(const Format& dtype);
  void flush_table_histogram();
  void finish_table();
  // Per target, this tensor's counts and lane sums (folded into FormatStats at its end).
  std::vector<kernels::ErrorTally> tallies_;
  std::vector<uint64_t> block_first_;  // per block format, the tensor's index of pending_[b][0]
  kernels::TallyPath tally_path_ = kernels::TallyPath::Scalar;
  // Elements by the exponent field of their double (0 .. 0x7ff), counted in
  // an array while the tensor streams (a map lookup per element is slow);
  // the log2 histogram at the tensor's end.
  static constexpr size_t kFields = 0x800;
  std::vector<uint64_t> fields_;
  uint64_t double_subnormals_ = 0;  // field 0 but not zero (double or float subnormals): in log2_histogram directly
  // The same for the float path (values_f32): float exponent fields, merged into fields_ at the tensor's end.
  static constexpr size_t kFields32 = 0x100;
  std::vector<uint64_t> fields32_;
  std::vector<double> wide_;  // a float batch widened, for the core's loop and block formats
  // The table path: per 16-bit pattern its value, its row of lane terms
  // (kernels::tally_table16), its counts as flags per target and its error
  // per target; the lanes; the pattern histograms (4 x uint32 while the
  // tensor streams, flushed into 64-bit counts before a bin could wrap).
  // Allocated once and reused by every tensor (about 8 MB for three targets).
  bool table_ = false;
  uint64_t table_min_count_ = kTableMinCount;
  const Format* table_dtype_ = nullptr;  // fp16() or bf16()
  size_t row_ = 0;               // doubles per pattern
  std::vector<size_t> term_;     // per scalar target, its first term in a row
  std::vector<double> table_store_;
  double* table_rows_ = nullptr;  // table_store_ aligned to 64 bytes
  std::vector<float> table_x_;
  std::vector<uint8_t> table_flags_;
  std::vector<double> table_err_;
  std::vector<double> table_lanes_;
  std::vector<uint32_t> hist32_;
  std::vector<uint64_t> hist64_;
  uint64_t hist_pending_ = 0;  // elements counted into hist32_ since its last flush
  double lo_[4] = {}, hi_[4] = {};  // running min and max in four lanes (element index mod 4 in its batch)
  bool seen_zero_ = false;
  double first_zero_ = 0;  // the tensor's first zero, +0 or -0: a zero min or max shows it
  std::vector<std::optional<kernels::Target>> kernel_;  // per scalar format: the batch kernel, if any
  std::vector<bool> stored_;  // per scalar format: the tensor's dtype is that format (every value stored exactly)
  bool scalar_reference_ = false;
  std::vector<float> xf_, yf_;
  std::vector<Format> formats_;
  std::vector<BlockFormat> blocks_;
  ScaleMode scale_ = ScaleMode::None;
  AmaxMap amax_;
  std::vector<int> scale_exp_;                 // per scalar format, this tensor's k
  std::vector<std::vector<double>> pending_;  // per block format, values not yet quantized
  double tensor_amax_ = 0;
  std::optional<UpdateQuestion> question_;
  std::string file_;
  std::vector<TensorStats> results_;
  std::function<bool(const std::string&)> keep_;
  TensorStats* current_ = nullptr;
};

// The first pass when amax is needed: each tensor's largest finite magnitude.
class AmaxCollector : public TensorVisitor {
 public:
  void set_file(std::string file) { file_ = std::move(file); }
  void begin_tensor(const TensorInfo& info) override;
  void values(const double* v, size_t n) override;
  void end_tensor() override {}
  StatsCollector::AmaxMap& result() { return amax_; }

 private:
  std::string file_;
  StatsCollector::AmaxMap amax_;
  double* current_ = nullptr;
};

// Totals over tensors (per format), and the reports of `mantissa inspect`.
struct InspectReport {
  std::vector<TensorStats> tensors;
  std::vector<std::string> notices;
  std::vector<std::string> formats;
  std::optional<UpdateQuestion> question;
  ScaleMode scale = ScaleMode::None;
};
std::vector<FormatStats> format_totals(const InspectReport& r);
std::string inspect_report_text(const InspectReport& r);
std::string inspect_report_json(const InspectReport& r);
std::string inspect_report_csv(const InspectReport& r);
// A report in pieces (the playground's workers, each scanning its own
// tensors): every statistic before the report's divisions, doubles as their
// bit patterns, so merging the pieces in the files' tensor order gives the
// report (and the totals) one pass over every file gives, bit for bit.
std::string inspect_partial_json(const InspectReport& r);
// Appends the pieces' tensors and notices to *out in the order given; false
// with *error when a piece is malformed or measured other formats, scale or
// update question than the first.
bool merge_inspect_partials(const std::vector<std::string>& partials, InspectReport* out, std::string* error);

// Half the distance from |y| (a finite value of f) to the next larger magnitude in f.
double half_ulp_above(const Format& f, double y);

}  // namespace mantissa::tensors
