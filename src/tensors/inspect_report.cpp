// `mantissa inspect`'s reports: text for people, JSON and CSV for scripts.
// Plain functions of the statistics, so a future panel can print the same.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/json.h"
#include "tensors/tensor_stats.h"

namespace mantissa::tensors {

namespace {

std::string shape_text(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? "," : "") + std::to_string(shape[i]);
  return s + "]";
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

double frac(uint64_t n, uint64_t d) { return d ? static_cast<double>(n) / static_cast<double>(d) : 0; }

// Indices of tensors, worst first by `worse` (at most 5), for one format.
template <typename Worse>
std::vector<size_t> worst(const InspectReport& r, Worse worse) {
  std::vector<size_t> idx;
  for (size_t i = 0; i < r.tensors.size(); ++i)
    if (r.tensors[i].finite > 0) idx.push_back(i);
  std::stable_sort(idx.begin(), idx.end(), worse);
  if (idx.size() > 5) idx.resize(5);
  return idx;
}

void format_json(JsonWriter& w, const FormatStats& s, uint64_t count, bool question) {
  w.begin_object();
  w.field("format", s.format);
  w.field("overflow", frac(s.overflow, count));
  w.field("subnormal", frac(s.subnormal, count));
  w.field("flushed_to_zero", frac(s.flushed, count));
  w.field("exact", frac(s.exact, count));
  w.field("rmse", s.rmse());
  w.field("max_abs_error", s.max_abs_error);
  w.field("mean_rel_error", s.mean_rel_error());
  w.field("max_rel_error", s.max_rel_error);
  w.field("sqnr_db", s.sqnr_db());  // null when every error is zero
  if (question) w.field("lost_update_fraction", s.lost_fraction());
  if (s.tensor_scale) w.field("tensor_scale", *s.tensor_scale);
  w.end_object();
}

}  // namespace

std::vector<FormatStats> format_totals(const InspectReport& r) {
  std::vector<FormatStats> totals(r.formats.size());
  for (size_t i = 0; i < r.formats.size(); ++i) totals[i].format = r.formats[i];
  for (const TensorStats& t : r.tensors)
    for (size_t i = 0; i < t.formats.size(); ++i) totals[i].add(t.formats[i]);
  return totals;
}

std::string inspect_report_json(const InspectReport& r) {
  JsonWriter w;
  w.begin_object();
  w.field("scale", r.scale == ScaleMode::Tensor ? "tensor" : "none");
  if (r.question) {
    w.key("update").begin_object();
    w.field("lr", r.question->lr).field("grad_std", r.question->grad_std).field("lr_times_grad", r.question->update());
    w.end_object();
  }
  w.key("tensors").begin_array();
  for (const TensorStats& t : r.tensors) {
    w.begin_object();
    w.field("file", t.file).field("name", t.name).field("dtype", t.dtype);
    w.key("shape").begin_array();
    for (uint64_t d : t.shape) w.value(d);
    w.end_array();
    w.field("count", t.count);
    if (t.finite) {
      w.field("min", t.min).field("max", t.max).field("amax", t.amax);
    } else {
      w.key("min").null().key("max").null().key("amax").null();
    }
    w.field("zero_fraction", frac(t.zeros, t.count));
    w.field("nan_fraction", frac(t.nans, t.count));
    w.field("inf_fraction", frac(t.infs, t.count));
    w.key("log2_histogram").begin_object();
    for (const auto& [e, n] : t.log2_histogram) w.field(std::to_string(e), n);
    w.end_object();
    w.key("formats").begin_array();
    for (const FormatStats& s : t.formats) format_json(w, s, t.count, r.question.has_value());
    w.end_array();
    w.end_object();
  }
  w.end_array();
  uint64_t count = 0;
  for (const TensorStats& t : r.tensors) count += t.count;
  w.key("totals").begin_array();
  for (const FormatStats& s : format_totals(r)) format_json(w, s, count, r.question.has_value());
  w.end_array();
  w.key("worst").begin_array();
  for (size_t i = 0; i < r.formats.size(); ++i) {
    w.begin_object().field("format", r.formats[i]);
    w.key("by_sqnr").begin_array();
    for (size_t k : worst(r, [&](size_t a, size_t b) {
           return r.tensors[a].formats[i].sqnr_db() < r.tensors[b].formats[i].sqnr_db();
         }))
      w.value(r.tensors[k].name);
    w.end_array();
    if (r.question) {
      w.key("by_lost_updates").begin_array();
      for (size_t k : worst(r, [&](size_t a, size_t b) {
             return r.tensors[a].formats[i].lost_fraction() > r.tensors[b].formats[i].lost_fraction();
           }))
        w.value(r.tensors[k].name);
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.key("notices").begin_array();
  for (const std::string& n : r.notices) w.value(n);
  w.end_array();
  w.end_object();
  return w.str();
}

std::string inspect_report_csv(const InspectReport& r) {
  std::string out =
      "file,tensor,dtype,shape,count,format,overflow,subnormal,flushed_to_zero,exact,rmse,max_abs_error,"
      "mean_rel_error,max_rel_error,sqnr_db,lost_update_fraction\n";
  for (const TensorStats& t : r.tensors) {
    for (const FormatStats& s : t.formats) {
      const std::string name = "\"" + t.name + "\"";  // names may hold commas
      out += "\"" + t.file + "\"," + name + "," + t.dtype + ",\"" + shape_text(t.shape) + "\"," +
             std::to_string(t.count) + "," + s.format + "," + fmt("%.17g", frac(s.overflow, t.count)) + "," +
             fmt("%.17g", frac(s.subnormal, t.count)) + "," + fmt("%.17g", frac(s.flushed, t.count)) + "," +
             fmt("%.17g", frac(s.exact, t.count)) + "," + fmt("%.17g", s.rmse()) + "," +
             fmt("%.17g", s.max_abs_error) + "," + fmt("%.17g", s.mean_rel_error()) + "," +
             fmt("%.17g", s.max_rel_error) + "," + fmt("%.17g", s.sqnr_db()) + "," +
             (r.question ? fmt("%.17g", s.lost_fraction()) : "") + "\n";
    }
  }
  return out;
}

std::string inspect_report_text(const InspectReport& r) {
  std::string out;
  for (const TensorStats& t : r.tensors) {
    out += t.name + "  " + t.dtype + " " + shape_text(t.shape) + "  " + std::to_string(t.count) + " values";
    if (t.finite) out += "  min " + fmt("%.6g", t.min) + "  max " + fmt("%.6g", t.max) + "  amax " + fmt("%.6g", t.amax);
    out += "  zeros " + fmt("%.4g%%", 100 * frac(t.zeros, t.count)) + "  NaN " +
           fmt("%.4g%%", 100 * frac(t.nans, t.count)) + "  Inf " + fmt("%.4g%%", 100 * frac(t.infs, t.count)) + "\n";
    if (!t.log2_histogram.empty()) {
      out += "  log2|x| binades " + std::to_string(t.log2_histogram.begin()->first) + " .. " +
             std::to_string(t.log2_histogram.rbegin()->first) + "\n";
    }
    for (const FormatStats& s : t.formats) {
      out += "  " + s.format + std::string(s.format.size() < 10 ? 10 - s.format.size() : 1, ' ') + "SQNR " +
             fmt("%7.2f dB", s.sqnr_db()) + "  exact " + fmt("%6.2f%%", 100 * frac(s.exact, t.count)) +
             "  overflow " + fmt("%.3g%%", 100 * frac(s.overflow, t.count)) + "  subnormal " +
             fmt("%.3g%%", 100 * frac(s.subnormal, t.count)) + "  to zero " +
             fmt("%.3g%%", 100 * frac(s.flushed, t.count)) + "  max rel " + fmt("%.3g", s.max_rel_error);
      if (r.question) out += "  lost updates " + fmt("%.4g%%", 100 * s.lost_fraction());
      if (s.tensor_scale) out += "  scale " + fmt("%.9g", *s.tensor_scale);
      out += "\n";
    }
  }
  uint64_t count = 0;
  for (const TensorStats& t : r.tensors) count += t.count;
  out += "total: " + std::to_string(r.tensors.size()) + " tensors, " + std::to_string(count) + " values\n";
  for (const FormatStats& s : format_totals(r)) {
    out += "  " + s.format + std::string(s.format.size() < 10 ? 10 - s.format.size() : 1, ' ') + "SQNR " +
           fmt("%7.2f dB", s.sqnr_db()) + "  overflow " + fmt("%.3g%%", 100 * frac(s.overflow, count));
    if (r.question) out += "  lost updates " + fmt("%.4g%%", 100 * s.lost_fraction());
    out += "\n";
  }
  for (const std::string& n : r.notices) out += "note: " + n + "\n";
  return out;
}

}  // namespace mantissa::tensors
