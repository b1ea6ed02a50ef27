// A scenario: everything needed to reproduce what the playground shows.
//
// The panels keep their inputs here, the share-link codec (scenario/link.h)
// turns it into a URL hash and back, the embed page and the JS API read it.
// Numbers stay as the strings the user typed (exactness: "0.1" is not a
// double), formats and modes as their canonical names; validation happens
// where the values are used (and in the codec, which falls back to defaults).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace mantissa {

enum class ScenarioPanel { Inspector, Addition, Training, Landscape, Network };

struct InspectorScenario {
  std::string value = "1.12156456132";  // decimal, hex-float, inf/nan, or a bit pattern in `from`
  std::string from = "fp16";            // format of a bit pattern (ignored for decimals)
  std::string mode = "rne";             // rounding mode name (core/rounding.h)
  uint64_t seed = 1;                    // stochastic only
  bool saturate = false;
  bool ftz = false;
  std::string custom = "";     // an extra eXmY / eXmYfn row, empty for none
  std::string focus = "fp16";  // the row whose rounding decision is drawn

  bool operator==(const InspectorScenario&) const = default;
};

struct AdditionScenario {
  std::string op = "add";  // add, sub, mul, fma
  std::string a = "1.125", b = "0.12457275190625", c = "0";
  std::string a_format = "fp16", b_format = "fp16", c_format = "fp16";
  std::string format = "fp16";  // the arithmetic format
  std::string mode = "rne";
  uint64_t seed = 1;
  bool saturate = false;
  bool ftz = false;
  bool compare_fp32 = false;  // side by side: the same operands with an fp32 weight
  int step = -1;              // selected step of the walkthrough, -1 = all steps

  bool operator==(const AdditionScenario&) const = default;
};

struct TrainingScenario {
  std::string w0 = "1.125";
  std::string inc = "0.00041999";  // constant increment (used when grad is empty)
  std::string lr = "";             // with grad: increment = lr * grad
  std::string grad = "";           // "normal:MEAN:STD", empty for a constant increment
  uint64_t seed = 1;
  std::string grad_format = "fp16";
  uint64_t steps = 101;
  std::vector<std::string> strategies = {"fp64", "fp32-master", "fp16"};
  std::string loss_scale = "";  // "", "static:S" or "dynamic"
  uint64_t population = 1;
  std::string init = "";  // population w0: "" (all = w0), "normal:MEAN:STD" or "uniform:LO:HI"
  std::string reference =
      "stored";  // fp64 reference adds the increments "stored" or "exact" (CLI --reference)
  // View: visible step range and value range of the main plot (empty = fit),
  // the error plot's scale and the step under the cursor.
  double view_x0 = 0, view_x1 = 0, view_y0 = 0, view_y1 = 0;
  bool log_error = false;
  int64_t selected_step = -1;

  bool operator==(const TrainingScenario&) const = default;
};

struct LandscapeScenario {
  std::vector<std::string> formats = {"fp16", "bf16", "fp8-e4m3"};
  double x_min = 1e-8, x_max = 7e4;  // visible range of x
  bool log_x = true;
  bool log_error = true;  // y axis: log10 |relative error|, or the signed relative error

  bool operator==(const LandscapeScenario&) const = default;
};

// The Network panel: the very options of `mantissa train` (as typed), so the
// panel's run and the CLI's are one computation.
struct NetworkScenario {
  std::string data = "spiral";                      // digits, spiral, circles, xor
  uint64_t data_seed = 0;                           // synthetic sets
  std::string model = "";                           // "2-16-16-2"; empty: the data set's default
  std::string optimizer = "sgd:lr=0.1,momentum=0.9";
  std::string recipes = "fp32,fp16,fp16-amp";       // --recipes (custom recipes may hold commas)
  uint64_t epochs = 20;
  uint64_t batch = 32;
  uint64_t seed = 0;
  uint64_t subset = 0;                              // --train-subset (0: all)

  bool operator==(const NetworkScenario&) const = default;
};

struct Scenario {
  ScenarioPanel panel = ScenarioPanel::Inspector;
  InspectorScenario inspector;
  AdditionScenario addition;
  TrainingScenario training;
  LandscapeScenario landscape;
  NetworkScenario network;

  bool operator==(const Scenario&) const = default;
};

const char* scenario_panel_key(ScenarioPanel p);  // "inspect", "add", "train", "landscape", "network"

}  // namespace mantissa
