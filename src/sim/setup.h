// A training-update setup (sim::Setup, the inputs of a simulation; a share link's
// state is mantissa::Scenario, src/scenario): one weight (or a population of P weights), a
// stream of increments, N steps, and the strategies that store the weight.
//
// Every strategy consumes the same increment stream. Each increment is first
// stored in the gradient format (RNE); an increment that was non-zero but is
// stored as zero has "underflowed". Loss-scaled strategies instead store
// increment * scale in the gradient format (rescuing tiny increments), then
// unscale into fp32.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/format.h"
#include "core/value.h"

namespace mantissa::sim {

// ---- Limits (validated before anything is allocated) -----------------------
#ifdef __EMSCRIPTEN__
constexpr uint64_t kMemoryBudget = uint64_t{256} << 20;  // 256 MiB: the wasm heap must also hold the app
constexpr uint64_t kMaxSteps = 10'000'000;
constexpr uint64_t kMaxPopulation = 1'000'000;
constexpr uint64_t kMaxPopulationWork = 2'000'000'000;  // P * steps
#else
constexpr uint64_t kMemoryBudget = uint64_t{1} << 30;  // 1 GiB
constexpr uint64_t kMaxSteps = 100'000'000;
constexpr uint64_t kMaxPopulation = 10'000'000;
constexpr uint64_t kMaxPopulationWork = 20'000'000'000;  // P * steps
#endif
constexpr size_t kMaxStrategies = 16;
constexpr size_t kMaxListLength = 1'000'000;
constexpr double kMaxGaussianParameter = 1e30;  // |lr|, |mean|, |std|: 0 or in [1e-30, 1e30]
// Trajectories keep every step up to this many steps; longer runs keep a
// min/max/last envelope over buckets of ceil(steps / kTrajectoryPoints).
constexpr uint64_t kTrajectoryPoints = 100'000;
// Dynamic loss scaling (PyTorch GradScaler defaults).
constexpr int kDynamicInitialLog2Scale = 16;
constexpr uint64_t kDynamicGrowthInterval = 2000;
constexpr int kMaxLog2Scale = 127;  // the scale is an fp32 power of two
constexpr int kMinLog2Scale = -126;

// ---- Increments ------------------------------------------------------------
struct IncrementStream {
  enum class Kind { Constant, List, Gaussian };
  Kind kind = Kind::Constant;
  ExactValue constant;           // Constant: the exact decimal typed in
  std::vector<ExactValue> list;  // List: one per step, cycled when steps > size
  // Gaussian: increment = lr * grad, grad ~ normal(mean, std), drawn with
  // counter = step * P + index from the setup's seed.
  double lr = 1.0;
  double mean = 0.0;
  double stddev = 1.0;
};

// ---- Initial weights of a population ----------------------------------------
struct InitialWeights {
  enum class Kind { Constant, Normal, Uniform };
  Kind kind = Kind::Constant;  // Constant: every weight starts at Setup::w0
  double a = 0.0;              // Normal: mean; Uniform: low
  double b = 1.0;              // Normal: std;  Uniform: high
};

// ---- Strategies ------------------------------------------------------------
struct LossScale {
  enum class Kind { None, Static, Dynamic };
  Kind kind = Kind::None;
  int log2_scale = kDynamicInitialLog2Scale;  // Static: the scale; Dynamic: the initial scale
};

struct StrategySpec {
  enum class Kind {
    Plain,       // weight in `format`, w = round(w + inc) RNE  ("fp16", "fp64", "fp32-master")
    Stochastic,  // same with stochastic rounding                 ("fp16-sr")
    Kahan,       // Kahan-compensated, compensation in `format`   ("bf16-kahan")
    LossScaled,  // fp32 master, loss-scaled gradient             ("fp32-master+ls-dynamic")
  };
  Kind kind = Kind::Plain;
  Format format;  // the weight's storage format
  LossScale loss_scale;
  std::string name;  // canonical name, the key in reports
};

// Parses a strategy name:
//   F            plain RNE weight in any format F (fp64, fp16, bf16, fp8-e4m3, e6m9, ...)
//   fp32-master  fp32 weight (plain fp32)
//   F-sr         stochastic rounding      F-kahan   Kahan summation
//   fp32-master+ls-static[:S]  (S a power of two, default 65536)
//   fp32-master+ls-dynamic[:S] (initial scale S, default 65536)
bool parse_strategy(std::string_view name, StrategySpec* out, std::string* error);
// "static:S" or "dynamic" (the CLI's --loss-scale) into a LossScaled strategy.
bool parse_loss_scale(std::string_view text, StrategySpec* out, std::string* error);
// Names of the strategies the issue lists, in display order.
const std::vector<std::string>& standard_strategy_names();

// ---- Setup --------------------------------------------------------------
struct Setup {
  ExactValue w0 = ExactValue::finite(Decimal::from_uint(1));
  IncrementStream increments;
  Format grad_format = fp16();
  uint64_t steps = 1;
  std::vector<StrategySpec> strategies;
  uint64_t seed = 0;  // gradient draws, population w0 draws, stochastic rounding
  // Population mode when population >= 1 is set with `population_mode`.
  bool population_mode = false;
  uint64_t population = 1;
  InitialWeights initial;
  // The fp64 reference adds the increments as stored in the gradient format
  // (default: it measures the weight's storage alone), or as exact as fp64
  // holds them (then gradient storage error counts too).
  enum class Reference { Stored, Exact };
  Reference reference = Reference::Stored;
};

// Checks every field. False with one sentence in *error (no "mantissa:" prefix).
bool validate(const Setup& s, std::string* error);

// Bytes the run will allocate (trajectories, envelopes, population arrays).
uint64_t estimate_memory(const Setup& s);
// Largest step count (single weight) or population (population mode) that
// fits the memory budget with the setup's other fields unchanged.
uint64_t largest_allowed(const Setup& s);

// Shorthand used by tests and the CLI: the setup of the tutorial.
Setup tutorial_setup(std::string_view inc, uint64_t steps, const std::vector<std::string>& strategies);

}  // namespace mantissa::sim
