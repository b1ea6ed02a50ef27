// The Accumulation panel's model: the scenario becomes the very argument
// list of `mantissa gemm-error` and of `mantissa explain dot` (parsed by the
// CLI's own parsers, so the panel and the command line cannot disagree), a
// run that computes a chunk of trials per frame through sim::gemm_error's
// public API, the error bounds drawn beside it (core/dot_bounds.h), and the
// walkthrough of one tensor-core block (core/dot_trace.h). No ImGui here:
// tests/app drives it directly.
#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "app/training_run.h"  // RunStatus
#include "core/dot.h"
#include "core/dot_trace.h"
#include "scenario/scenario.h"
#include "sim/gemm_error.h"

namespace mantissa::app {

// `gemm-error` arguments (without the program name and output flags).
std::vector<std::string> accumulation_cli_args(const AccumulationScenario& d);
// The same as one shell line: "mantissa gemm-error --k 128,... ".
std::string accumulation_command(const AccumulationScenario& d);
// Parses the scenario like the CLI does, then applies the panel's limits
// (scenario.h: kMaxAccumulation*). False with one sentence in *error.
bool accumulation_spec(const AccumulationScenario& d, sim::GemmErrorSpec* out, std::string* error);
// The inputs of a run (the walkthrough's fields do not restart it).
bool same_accumulation_run(const AccumulationScenario& a, const AccumulationScenario& b);

// One accumulator's figures over K, for the plot: finished K values only.
struct AccumulationCurve {
  std::string acc;
  std::vector<double> k, median, p95, max;
  // Reference lines at the same K (core/dot_bounds.h): the deterministic
  // bound (NaN for truncating tensor-core models) and sqrt(K) u.
  std::vector<double> bound, probabilistic;
  std::string rule;  // "gamma_K", ...
  double u = 0;
};

class AccumulationRun {
 public:
  void start(const AccumulationScenario& d);
  // Computes for at most `budget` of wall time, a chunk of trials at a
  // time (adapted to about a millisecond each). True while it runs.
  bool advance(std::chrono::duration<double> budget);
  // Runs to the end (tests; the panel never blocks a frame like this).
  void finish();
  void cancel();

  RunStatus status() const { return status_; }
  const std::string& error() const { return error_; }
  const AccumulationScenario& inputs() const { return inputs_; }
  const sim::GemmErrorSpec& spec() const { return spec_; }
  // The rows once the run has finished (every K at once: a trial's operands
  // are drawn at the largest K, the others are prefixes), in the CLI's order.
  const std::vector<sim::GemmErrorRow>& rows() const { return rows_; }
  std::vector<AccumulationCurve> curves() const;
  // Fraction of the products computed (by K * trials), 0..1.
  double progress() const;
  // Time spent computing (the sum of advance()'s chunks), and wall time
  // from start() to the end (or now).
  double compute_seconds() const { return compute_; }
  double wall_seconds() const;
  uint64_t trials_done() const { return trial_; }
  uint64_t version() const { return version_; }

 private:
  AccumulationScenario inputs_;
  sim::GemmErrorSpec spec_;
  RunStatus status_ = RunStatus::Idle;
  std::string error_;
  std::vector<sim::GemmErrorRow> rows_;
  sim::GemmErrorSamples samples_;  // of the trials done so far
  uint64_t trial_ = 0;
  uint64_t chunk_ = 1;  // trials per chunk
  uint64_t work_done_ = 0, work_total_ = 0;
  double compute_ = 0;
  std::chrono::steady_clock::time_point started_, ended_;
  uint64_t version_ = 0;
};

// The walkthrough's block: hand-typed values, or random example number
// `example` (gemm_error_trial of the run's distribution and seed, K = the
// model's fma, c = 0).
struct AccumulationBlock {
  bool ok = false;
  std::string error;
  bool random = true;             // not hand-typed
  std::vector<std::string> args;  // `explain dot` arguments (without --json)
  std::string command;            // "mantissa explain dot --a ... "
  std::vector<std::string> a, b;  // the inputs' exact decimals
  std::string c;                  // c's exact decimal
  TensorCoreBlockTrace trace;
};
AccumulationBlock accumulation_block(const AccumulationScenario& d);

// Trial 0 at the largest K, every accumulator's result (DotReport): what
// "Summing 1.0 4096 times" reads (fp16 stops at 2048). Empty on bad input.
std::vector<DotReport> accumulation_sample(const sim::GemmErrorSpec& spec);

// The panel's presets (the three, by their exact names).
struct AccumulationPreset {
  const char* key;  // "deepseek", "fp16-accumulate", "ones" (test anchors)
  const char* title;
  const char* lesson;
  AccumulationScenario scenario;
};
const std::vector<AccumulationPreset>& accumulation_presets();

// A K list for the editor: n values from lo to hi, spaced evenly on a log
// scale, rounded to integers, without repeats ("16,64,256,1024,4096").
std::string log_spaced_ks(uint64_t lo, uint64_t hi, int n);

}  // namespace mantissa::app
