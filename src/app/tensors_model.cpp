#include "app/tensors_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/rounding.h"
#include "nlohmann/json.hpp"
#include "requests/requests.h"

namespace mantissa::app {

namespace {

using nlohmann::json;

double number(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

std::optional<double> maybe(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string text(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

TensorFormatFigures format_figures(const json& j) {
  TensorFormatFigures f;
  f.format = text(j, "format");
  f.overflow = number(j, "overflow");
  f.subnormal = number(j, "subnormal");
  f.flushed = number(j, "flushed_to_zero");
  f.exact = number(j, "exact");
  f.rmse = number(j, "rmse");
  f.max_abs_error = number(j, "max_abs_error");
  f.mean_rel_error = number(j, "mean_rel_error");
  f.max_rel_error = number(j, "max_rel_error");
  f.sqnr_db = maybe(j, "sqnr_db");
  f.lost = maybe(j, "lost_update_fraction");
  return f;
}

// Reads the CLI's inspect --json report into the model's figures.
void read_report(TensorsModel& m, const json& r) {
  m.tensors.clear();
  m.totals.clear();
  m.notices.clear();
  for (const json& t : r.value("tensors", json::array())) {
    TensorFigures f;
    f.file = text(t, "file");
    f.name = text(t, "name");
    f.dtype = text(t, "dtype");
    for (const json& d : t.value("shape", json::array())) f.shape.push_back(d.get<uint64_t>());
    f.count = t.value("count", uint64_t{0});
    f.amax = maybe(t, "amax");
    const json histogram = t.value("log2_histogram", json::object());  // items() needs it alive
    for (const auto& [k, v] : histogram.items()) {
      f.log2_histogram[std::atoi(k.c_str())] = v.get<uint64_t>();
    }
    for (const json& s : t.value("formats", json::array())) f.formats.push_back(format_figures(s));
    m.tensors.push_back(std::move(f));
  }
  for (const json& s : r.value("totals", json::array())) m.totals.push_back(format_figures(s));
  for (const json& n : r.value("notices", json::array())) m.notices.push_back(n.get<std::string>());
  m.selected = 0;
}

// A sortable figure of a row; NaN-free (missing figures sort first).
double sort_key(const TensorsModel& m, int column, int t, int f) {
  const TensorFigures& tf = m.tensors[t];
  const TensorFormatFigures& ff = tf.formats[f];
  switch (column) {
    case kColCount:
      return static_cast<double>(tf.count);
    case kColAmax:
      return tf.amax.value_or(-1);
    case kColOverflow:
      return ff.overflow;
    case kColSubnormal:
      return ff.subnormal;
    case kColFlushed:
      return ff.flushed;
    case kColExact:
      return ff.exact;
    case kColRmse:
      return ff.rmse;
    case kColSqnr:
      return ff.sqnr_db.value_or(INFINITY);  // exact: the best
    case kColLost:
      return ff.lost.value_or(-1);
    default:
      return 0;
  }
}

void write_format_figures(JsonWriter& w, const TensorFormatFigures& f) {
  w.begin_object();
  w.field("format", f.format);
  w.field("overflow", f.overflow).field("subnormal", f.subnormal).field("flushed_to_zero", f.flushed);
  w.field("exact", f.exact).field("rmse", f.rmse).field("max_abs_error", f.max_abs_error);
  w.field("mean_rel_error", f.mean_rel_error).field("max_rel_error", f.max_rel_error);
  if (f.sqnr_db)
    w.field("sqnr_db", *f.sqnr_db);
  else
    w.key("sqnr_db").null();
  if (f.lost) w.field("lost_update_fraction", *f.lost);
  w.end_object();
}

const char* status_name(ScanStatus s) {
  switch (s) {
    case ScanStatus::Idle:
      return "idle";
    case ScanStatus::Scanning:
      return "scanning";
    case ScanStatus::Done:
      return "done";
    case ScanStatus::Failed:
      return "failed";
    case ScanStatus::Cancelled:
      return "cancelled";
  }
  return "idle";
}

}  // namespace

const char* table_column_name(int column) {
  static const char* const kNames[kColCount_] = {"tensor",   "format",    "count",   "amax",
                                                 "overflow", "subnormal", "flushed", "exact",
                                                 "rmse",     "sqnr",      "lost"};
  return column >= 0 && column < kColCount_ ? kNames[column] : "tensor";
}

bool apply_tensors_event(TensorsModel& m, std::string_view text_in) {
  const json e = json::parse(text_in.begin(), text_in.end(), nullptr, /*allow_exceptions=*/false);
  if (!e.is_object() || !e.contains("type") || !e["type"].is_string()) return false;
  const std::string type = e["type"].get<std::string>();
  const int64_t scan = e.value("id", int64_t{0});
  if (type == "start") {
    m.status = ScanStatus::Scanning;
    m.scan = scan;
    m.files.clear();
    uint64_t total = 0;
    for (const json& f : e.value("files", json::array())) {
      const uint64_t size = f.value("size", uint64_t{0});
      m.files.emplace_back(text(f, "name"), size);
      total += size;
    }
    m.bytes_done = 0;
    m.bytes_total = total;
    m.bytes_per_second = 0;
    m.seconds = 0;
    m.workers = 0;
    m.error.clear();
    m.current_file.clear();
    m.options = e.contains("options") ? e["options"].dump() : "{}";
    return true;
  }
  if (scan != m.scan) return false;  // a replaced scan's late message
  if (type == "progress") {
    m.bytes_done = e.value("bytesDone", uint64_t{0});
    m.bytes_total = e.value("bytesTotal", m.bytes_total);
    m.bytes_per_second = number(e, "bytesPerSecond");
    m.current_file = text(e, "file");
    return true;
  }
  if (type == "result") {
    const std::string report_text = text(e, "report");
    const json r = json::parse(report_text, nullptr, false);
    if (!r.is_object()) return false;
    read_report(m, r);
    m.status = ScanStatus::Done;
    m.bytes_done = m.bytes_total;
    m.seconds = number(e, "seconds");
    m.workers = e.contains("workers") && e["workers"].is_number_integer() ? e["workers"].get<int>() : 1;
    if (m.seconds > 0) m.bytes_per_second = static_cast<double>(m.bytes_total) / m.seconds;
    return true;
  }
  if (type == "error") {
    m.status = ScanStatus::Failed;
    m.error = text(e, "message");
    m.tensors.clear();
    m.totals.clear();
    m.notices.clear();
    return true;
  }
  if (type == "cancelled") {
    m.status = ScanStatus::Cancelled;
    return true;
  }
  return false;
}

bool tensors_scan_options(const TensorsScenario& s, std::string* options_json, std::string* error) {
  std::string formats;
  for (const std::string& f : s.formats) formats += (formats.empty() ? "" : ",") + f;
  if (formats.empty()) return *error = "choose at least one format", false;
  // The CLI's own parser checks them: the same rules and sentences as `mantissa inspect`.
  std::vector<std::string> argv_text = {"inspect", "--formats", formats, "--scale", s.scale};
  if (!s.lr.empty()) argv_text.insert(argv_text.end(), {"--lr", s.lr});
  if (!s.grad_std.empty()) argv_text.insert(argv_text.end(), {"--grad-std", s.grad_std});
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  requests::Args args = inspect_args();
  InspectRequest req;
  if (!args.parse(static_cast<int>(argv.size()), argv.data(), error) ||
      !inspect_options_from_args(args, &req, error)) {
    return false;
  }
  JsonWriter w;
  w.begin_object().field("formats", formats).field("scale", s.scale);
  if (!s.lr.empty()) w.field("lr", s.lr);
  if (!s.grad_std.empty()) w.field("gradStd", s.grad_std);
  w.end_object();
  *options_json = w.str();
  return true;
}

std::vector<std::pair<int, int>> table_rows(const TensorsModel& m) {
  std::vector<std::pair<int, int>> rows;
  for (int t = 0; t < static_cast<int>(m.tensors.size()); ++t)
    for (int f = 0; f < static_cast<int>(m.tensors[t].formats.size()); ++f) rows.emplace_back(t, f);
  const int c = m.sort_column;
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    bool less;
    if (c == kColTensor) {
      if (a.first == b.first) return a.second < b.second;  // formats keep their order
      less = a.first < b.first;                            // file order
    } else if (c == kColFormat) {
      const std::string& fa = m.tensors[a.first].formats[a.second].format;
      const std::string& fb = m.tensors[b.first].formats[b.second].format;
      if (fa == fb) return false;
      less = fa < fb;
    } else {
      const double ka = sort_key(m, c, a.first, a.second), kb = sort_key(m, c, b.first, b.second);
      if (ka == kb) return false;
      less = ka < kb;
    }
    return m.sort_descending ? !less : less;
  });
  return rows;
}

FormatZones format_zones(const Format& f) {
  FormatZones z;
  z.min_normal = std::ldexp(1.0, f.emin());
  z.min_subnormal = std::ldexp(1.0, f.emin() - f.man_bits);
  z.flush_at = z.min_subnormal / 2;
  z.max_finite = to_double(f, f.max_finite_bits());
  z.overflow_at = z.max_finite + std::ldexp(1.0, f.emax() - f.man_bits - 1);
  z.tie_overflows = (f.max_finite_bits() & 1) != 0;
  return z;
}

void write_tensors_model_state(JsonWriter& w, const TensorsScenario& s, const TensorsModel& m) {
  w.key("inputs").begin_object();
  w.key("formats").begin_array();
  for (const std::string& f : s.formats) w.value(f);
  w.end_array();
  w.field("lr", s.lr).field("grad_std", s.grad_std).field("scale", s.scale);
  w.end_object();
  w.key("results").begin_object();
  w.field("status", status_name(m.status));
  w.field("scan", m.scan);
  w.key("files").begin_array();
  for (const auto& [name, size] : m.files)
    w.begin_object().field("name", name).field("size", size).end_object();
  w.end_array();
  w.field("bytes_done", m.bytes_done).field("bytes_total", m.bytes_total);
  w.field("bytes_per_second", m.bytes_per_second).field("seconds", m.seconds);
  w.field("workers", m.workers);
  w.field("error", m.error);
  w.field("options_error", m.options_error);
  w.key("options").raw(m.options.empty() ? "{}" : m.options);
  w.key("tensors").begin_array();
  for (const TensorFigures& t : m.tensors) {
    w.begin_object().field("file", t.file).field("name", t.name).field("dtype", t.dtype);
    w.key("shape").begin_array();
    for (uint64_t d : t.shape) w.value(d);
    w.end_array();
    w.field("count", t.count);
    if (t.amax)
      w.field("amax", *t.amax);
    else
      w.key("amax").null();
    w.key("formats").begin_array();
    for (const TensorFormatFigures& f : t.formats) write_format_figures(w, f);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("totals").begin_array();
  for (const TensorFormatFigures& f : m.totals) write_format_figures(w, f);
  w.end_array();
  w.key("notices").begin_array();
  for (const std::string& n : m.notices) w.value(n);
  w.end_array();
  w.key("table").begin_object();
  w.field("sort", table_column_name(m.sort_column)).field("descending", m.sort_descending);
  w.key("rows").begin_array();
  for (const auto& [t, f] : table_rows(m)) {
    w.begin_array().value(m.tensors[t].name).value(m.tensors[t].formats[f].format).end_array();
  }
  w.end_array();
  w.end_object();
  w.field("selected", m.tensors.empty()
                          ? std::string()
                          : m.tensors[std::clamp<int>(m.selected, 0, m.tensors.size() - 1)].name);
  // The number lines drawn under the selected tensor's histogram.
  w.key("number_lines").begin_array();
  if (!m.tensors.empty()) {
    for (const TensorFormatFigures& f :
         m.tensors[std::clamp<int>(m.selected, 0, m.tensors.size() - 1)].formats) {
      Format parsed;
      std::string why;
      if (!parse_format(f.format, &parsed, &why)) continue;
      const FormatZones z = format_zones(parsed);
      w.begin_object()
          .field("format", f.format)
          .field("flush_at", z.flush_at)
          .field("min_subnormal", z.min_subnormal);
      w.field("min_normal", z.min_normal)
          .field("max_finite", z.max_finite)
          .field("overflow_at", z.overflow_at);
      w.field("tie_overflows", z.tie_overflows);
      w.end_object();
    }
  }
  w.end_array();
  w.end_object();
}

std::string tensors_model_announcement(const TensorsModel& m) {
  char buf[160];
  switch (m.status) {
    case ScanStatus::Idle:
      return "Inspect tensors: drop .safetensors or .npy files, or choose them. Nothing leaves this machine.";
    case ScanStatus::Scanning:
      std::snprintf(buf, sizeof buf, "Reading %zu file%s: %d%%.", m.files.size(),
                    m.files.size() == 1 ? "" : "s",
                    m.bytes_total ? static_cast<int>(100 * m.bytes_done / m.bytes_total) : 0);
      return buf;
    case ScanStatus::Failed:
      return "The scan stopped: " + m.error;
    case ScanStatus::Cancelled:
      return "The scan was cancelled.";
    case ScanStatus::Done:
      break;
  }
  std::string s = std::to_string(m.tensors.size()) + " tensors read.";
  for (const TensorFormatFigures& t : m.totals) {
    if (t.sqnr_db)
      std::snprintf(buf, sizeof buf, " %s: SQNR %.1f dB, %.3g%% overflow.", t.format.c_str(), *t.sqnr_db,
                    100 * t.overflow);
    else
      std::snprintf(buf, sizeof buf, " %s: exact.", t.format.c_str());
    s += buf;
  }
  return s;
}

}  // namespace mantissa::app
