// The "Inspect tensors" panel's model: plain C++, testable without ImGui.
//
// The scan itself runs in a web worker (web/inspect-worker.js, m.inspect):
// the page's glue hands the panel events as JSON text (start, progress,
// result with the CLI's `inspect --json` report, error, cancelled), and
// apply_tensors_event folds them into this model. The inputs (formats, lr,
// gradient magnitude, scale) live in the scenario and are checked by the
// CLI's own option parser (inspect_options_from_args) before a scan.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/format.h"
#include "core/json.h"
#include "scenario/scenario.h"

namespace mantissa::app {

struct TensorFormatFigures {
  std::string format;
  double overflow = 0, subnormal = 0, flushed = 0, exact = 0;  // fractions of the tensor's count
  double rmse = 0, max_abs_error = 0, mean_rel_error = 0, max_rel_error = 0;
  std::optional<double> sqnr_db;  // none: every error is zero
  std::optional<double> lost;     // lost-update fraction, with lr and grad-std
};

struct TensorFigures {
  std::string file, name, dtype;
  std::vector<uint64_t> shape;
  uint64_t count = 0;
  std::optional<double> amax;  // none: no finite element
  std::map<int, uint64_t> log2_histogram;
  std::vector<TensorFormatFigures> formats;
};

enum class ScanStatus { Idle, Scanning, Done, Failed, Cancelled };

struct TensorsModel {
  ScanStatus status = ScanStatus::Idle;
  int64_t scan = 0;  // the scan's id (the glue numbers them; a later drop wins)
  std::vector<std::pair<std::string, uint64_t>> files;  // name, bytes
  uint64_t bytes_done = 0, bytes_total = 0;
  double bytes_per_second = 0, seconds = 0;
  int workers = 0;  // how many web workers the finished scan was split across (0 until it ends)
  std::string current_file, error;
  std::string options_error;  // the inputs' problem (the CLI's sentence); "" when fine
  std::string options;        // the options (JSON) the shown results were computed with
  std::vector<TensorFigures> tensors;
  std::vector<TensorFormatFigures> totals;
  std::vector<std::string> notices;
  // View: the table's order and the selected tensor (an index into tensors).
  int sort_column = 0;  // a TableColumn
  bool sort_descending = false;
  int selected = 0;
};

// The table's columns (also its sort keys).
enum TableColumn {
  kColTensor,
  kColFormat,
  kColCount,
  kColAmax,
  kColOverflow,
  kColSubnormal,
  kColFlushed,
  kColExact,
  kColRmse,
  kColSqnr,
  kColLost,
  kColCount_
};
const char* table_column_name(int column);

// Folds one event from the page's glue into the model. False (model
// unchanged) on text that is not an event this model knows.
bool apply_tensors_event(TensorsModel& m, std::string_view json);

// The m.inspect options for the scenario ({"formats": "fp16,bf16", "lr": ...}),
// checked by the CLI's parser: false with its sentence in *error.
bool tensors_scan_options(const TensorsScenario& s, std::string* options_json, std::string* error);

// The table's rows in display order: (tensor index, format index) pairs.
std::vector<std::pair<int, int>> table_rows(const TensorsModel& m);

// Where a format's values sit, as exact magnitudes (the view draws their
// log2): |x| <= flush_at (half the smallest subnormal: the tie goes to the
// even zero) rounds to zero; subnormals from min_subnormal, normals from
// min_normal to max_finite; |x| > overflow_at (max + half an ULP) overflows,
// round to nearest even, no saturation (as the statistics count it). The tie
// overflow_at itself goes to the even neighbour: inf for IEEE formats (max's
// last bit is 1), max for E4M3FN-like ones (max ends in 0; 464 -> 448).
struct FormatZones {
  double flush_at, min_subnormal, min_normal, max_finite, overflow_at;
  bool tie_overflows;
};
FormatZones format_zones(const Format& f);

// window.mantissa.state()'s "inputs" and "results" for the panel.
void write_tensors_model_state(JsonWriter& w, const TensorsScenario& s, const TensorsModel& m);
std::string tensors_model_announcement(const TensorsModel& m);

}  // namespace mantissa::app
