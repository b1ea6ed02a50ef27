// How a stored weight takes an increment, and GradScaler's dynamic loss
// scale: the rules the Training panel's simulator (sim/simulation.cpp) and
// the network trainer (src/train) share, so "fp16 with Kahan" or "dynamic
// loss scaling" means the same thing in both.
#pragma once
#include <algorithm>
#include <cstdint>

#include "sim/setup.h"

namespace mantissa::sim {

// One weight under one strategy (the scalar path, through the rounding core).
struct Weight {
  double w = 0;  // exact value of the weight in its format
  double c = 0;  // Kahan compensation
};

// w <- round_F(w + inc) with the strategy's rule (Plain: rne; Stochastic: the
// stream at (seed, counter); Kahan: every operation rne in F); returns the
// new bits in F. inc is any double: the sum is rounded once (round_sum).
uint64_t apply_update(const StrategySpec& st, Weight* wt, double inc, uint64_t seed, uint64_t counter);

// Loss-scaler state shared by the weights of a (population) strategy or a
// network: PyTorch GradScaler's rule, the scale a power of two 2^k.
struct Scaler {
  int k = kDynamicInitialLog2Scale;
  uint64_t good_steps = 0;  // consecutive finite steps (GradScaler's growth tracker)

  void after_step(const LossScale& ls, bool found_inf) {
    if (ls.kind != LossScale::Kind::Dynamic) return;
    if (found_inf) {
      k = std::max(k - 1, kMinLog2Scale);  // x0.5
      good_steps = 0;
    } else if (++good_steps == kDynamicGrowthInterval) {
      k = std::min(k + 1, kMaxLog2Scale);  // x2
      good_steps = 0;
    }
  }
};

}  // namespace mantissa::sim
