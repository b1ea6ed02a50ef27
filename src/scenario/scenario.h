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

enum class ScenarioPanel { Inspector, Addition, Training, Landscape, Blocks, Tensors, Accumulation, Network };

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

  // A block format drawn beside the scalar ones (issue 14): its elements
  // times the fixed scale 2^block_scale_exp (empty: none).
  std::string block_format = "";
  int block_scale_exp = 0;

  bool operator==(const LandscapeScenario&) const = default;
};

// The Blocks tab (issue 14): one to four blocks quantized to an MX or NVFP4
// format, as `mantissa quantize --format F --pad zero --values LIST` does.
struct BlocksScenario {
  std::string format = "mxfp4";  // a block format (core/block_format.h)
  std::string rule = "ocp";      // ocp | ceil (MX only; NVFP4 has its own)
  std::string mode = "rne";      // element rounding
  uint64_t seed = 1;             // stochastic only
  std::string values = "";       // up to kMaxBlockValues numbers, comma-separated; empty: generated
  std::string gen = "outlier";   // normal | uniform | outlier (normal, one value x100)
  uint64_t count = 32;           // generated values, 1..kMaxBlockValues
  uint64_t gen_seed = 1;
  std::string outlier = "";  // replaces the largest-magnitude value (the drag); empty: as is

  bool operator==(const BlocksScenario&) const = default;
};
constexpr uint64_t kMaxBlockValues = 64;
// The "Inspect tensors" panel's inputs (the CLI's `inspect` options). The
// files themselves never go into a scenario or a link: only what to measure.
struct TensorsScenario {
  std::vector<std::string> formats = {"fp16", "bf16", "fp8-e4m3", "fp8-e5m2", "tf32"};
  std::string lr = "", grad_std = "";  // both or neither: the lost-update question
  std::string scale = "none";          // --scale: none | tensor

  bool operator==(const TensorsScenario&) const = default;
};
// The Accumulation panel: `mantissa gemm-error` over a K range, and one
// tensor-core block walked through (`mantissa explain dot`). The defaults are
// the DeepSeek-V3 preset.
struct AccumulationScenario {
  std::string in = "fp8-e4m3";                      // the inputs' format (--in)
  std::string dist = "uniform:0:1";                 // normal:MEAN:STD or uniform:LO:HI (--dist)
  std::string ks = "128,256,512,1024,2048,4096";    // K values, comma list (--k)
  std::string acc = "tc:h100;blocked:tc:h100:128";  // accumulators, ';' list (names hold commas)
  uint64_t trials = 1000;
  uint64_t seed = 1;
  // The walkthrough: a tc: model and its block, either hand-typed (a and b
  // non-empty: comma lists, c a value or empty for 0) or random example
  // number `example` drawn from the distribution above.
  std::string block_acc = "tc:h100";
  std::string block_a = "", block_b = "", block_c = "";
  uint64_t example = 0;

  bool operator==(const AccumulationScenario&) const = default;
};
// Bounds a link (or a typed value) cannot exceed: the panel computes in the
// browser, a chunk per frame, and must finish in minutes, not days.
constexpr uint64_t kMaxAccumulationK = 65536;
constexpr uint64_t kMaxAccumulationKs = 24;
constexpr uint64_t kMaxAccumulationTrials = 100000;
constexpr uint64_t kMaxAccumulationAccumulators = 8;
// Products of one run: the sum over K of K * trials * (accumulators + 1).
constexpr uint64_t kMaxAccumulationWork = uint64_t{1} << 28;
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
  std::string loss_weight = "1";                    // --loss-weight as typed (1e-12 to 1)

  bool operator==(const NetworkScenario&) const = default;
};

struct Scenario {
  ScenarioPanel panel = ScenarioPanel::Inspector;
  InspectorScenario inspector;
  AdditionScenario addition;
  TrainingScenario training;
  LandscapeScenario landscape;
  BlocksScenario blocks;
  TensorsScenario tensors;
  AccumulationScenario accumulation;
  NetworkScenario network;

  bool operator==(const Scenario&) const = default;
};

// "inspect", "add", "train", "landscape", "blocks", "tensors", "dot", "network"
const char* scenario_panel_key(ScenarioPanel p);

}  // namespace mantissa
