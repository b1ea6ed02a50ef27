// Presets of the Training panel: the tutorial's two runs and one scenario for
// each remedy (stochastic rounding, Kahan summation, loss scaling) rescuing
// an update that round-to-nearest-even loses, plus fp16 vs bf16.
#pragma once
#include <span>

#include "scenario/scenario.h"

namespace mantissa::app {

struct TrainingPreset {
  const char* key;  // stable id (tests, anchors: "train-preset:<key>")
  const char* title;
  const char* lesson;  // what to look at
  void (*apply)(TrainingScenario& t);
};

std::span<const TrainingPreset> training_presets();

}  // namespace mantissa::app
