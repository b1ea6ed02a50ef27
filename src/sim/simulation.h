// Running a setup: the Simulation object advances in chunks (a UI runs a
// few thousand steps per frame and stays at 60 fps; the CLI loops to the
// end), can be cancelled, and exposes its results at any point.
//
//   std::string error;
//   auto sim = Simulation::create(setup, &error);  // validated, memory checked, then allocated
//   if (!sim) { show(error); return; }
//   while (sim->advance(10000)) draw_progress(sim->progress());
//   const SimulationResults& r = sim->results();
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/format.h"
#include "sim/setup.h"

namespace mantissa::sim {

// A per-step quantity: every step while steps <= kTrajectoryPoints, else one
// point per bucket of `bucket` steps holding the bucket's min, max and last
// value (so a plot of 10^7 steps keeps every spike). Point i covers steps
// i*bucket+1 .. (i+1)*bucket (1-based; the last bucket may be shorter).
struct Series {
  uint64_t bucket = 1;
  uint64_t count = 0;        // steps recorded
  std::vector<double> last;  // per point
  std::vector<double> min;   // per point, only when bucket > 1
  std::vector<double> max;

  void reset(uint64_t steps);  // reserves exactly what `steps` steps need
  void push(double v);
  size_t points() const { return last.size(); }
  double min_at(size_t i) const { return bucket == 1 ? last[i] : min[i]; }
  double max_at(size_t i) const { return bucket == 1 ? last[i] : max[i]; }
  uint64_t last_step_of(size_t i) const;  // 1-based step of point i's `last`
};

// Final relative errors of a population, binned by decade.
struct Histogram {
  static constexpr int kMinExp10 = -18;  // bins cover [10^-18, 10^2)
  static constexpr int kMaxExp10 = 2;
  static constexpr int kBinsPerDecade = 4;
  std::vector<uint64_t> counts;    // (kMaxExp10 - kMinExp10) * kBinsPerDecade bins
  uint64_t zero = 0;               // exactly equal to the reference
  uint64_t below = 0;              // (0, 10^-18)
  uint64_t above = 0;              // >= 10^2
  uint64_t nonfinite = 0;          // inf or NaN (weight overflowed, or the reference is 0)
  double bin_low(size_t i) const;  // lower edge of bin i
  void add(double rel_error);
};

// The largest |strategy - reference| seen, kept exactly as hi + lo (TwoSum).
struct MaxError {
  double hi = 0, lo = 0;
  uint64_t step = 0;  // where it first occurred (1-based; 0: never differed)
  bool nonfinite = false;
  bool nan = false;
  void update(double value, double reference, uint64_t step);
  std::string exact() const;  // exact decimal, "inf" or "nan"
  double approx() const;      // as a double (inf/NaN when non-finite)
};

struct StrategyResult {
  StrategySpec spec;  // spec.format is the weight's storage format
  // Single weight: the current value. Population: unused (see mean_value).
  uint64_t bits = 0;
  double value = 0;
  uint64_t lost_updates = 0;  // non-zero increment, weight bits unchanged (summed over the population)
  uint64_t underflowed = 0;   // non-zero increment stored as zero (in this strategy's gradient path)
  uint64_t skipped = 0;       // loss scaling: steps skipped on an inf/NaN gradient
  int log2_scale = 0;         // loss scaling: the current scale is 2^log2_scale
  MaxError max_abs_error;
  // Single weight: value and errors against the reference per step.
  Series trajectory, abs_error, rel_error;
  Series scale;  // loss scaling: the scale per step
  // Population.
  Series lost_fraction;           // lost updates / P per step
  Histogram rel_error_histogram;  // filled when the run finishes
  double mean_value = 0;          // mean final weight, filled when the run finishes
  double max_rel_error = 0;
  double mean_rel_error = 0;

  std::string final_exact() const;  // exact decimal of the current value (single weight)
  std::string final_hex() const;    // "0x3c80"
};

struct SimulationResults {
  uint64_t steps = 0;  // the setup's steps
  uint64_t steps_done = 0;
  bool population = false;
  uint64_t population_size = 1;
  std::string kernel;  // population: the update kernels used ("avx2+f16c", "scalar", ...)
  // The stored increment (constant stream): bits in the gradient format.
  bool constant_increment = false;
  uint64_t increment_bits = 0;
  uint64_t stream_underflowed = 0;  // increments stored as zero, whole stream
  StrategyResult reference;         // fp64
  std::vector<StrategyResult> strategies;
};

class Simulation {
 public:
  // Validates the setup and checks its memory estimate against the budget
  // before allocating anything. Returns nullptr with one sentence in *error.
  static std::unique_ptr<Simulation> create(const Setup& setup, std::string* error);
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Runs up to max_steps more steps. True while steps remain (false once
  // finished or cancelled).
  bool advance(uint64_t max_steps);
  void run();     // advance to the end
  void cancel();  // stops; results keep the steps done so far
  bool finished() const;
  bool cancelled() const { return cancelled_; }
  uint64_t steps_done() const;
  double progress() const;  // 0..1

  const Setup& setup() const { return setup_; }
  const SimulationResults& results() const;

 private:
  explicit Simulation(const Setup& setup);
  void population_advance(uint64_t count);
  void population_finish();
  struct State;
  Setup setup_;
  std::unique_ptr<State> state_;
  bool cancelled_ = false;
};

// One-call helper for the CLI and tests: create, run, return (nullptr + error on refusal).
std::unique_ptr<Simulation> run_simulation(const Setup& setup, std::string* error);

}  // namespace mantissa::sim
