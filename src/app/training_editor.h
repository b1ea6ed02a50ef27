// The Training panel's scenario editor: w0, the increment (constant or
// lr × N(mean, std)), gradient format, seed, steps, loss scaling, population,
// the reference, and the strategies. Two columns on a wide screen; one, with
// each label above its field, on a phone.
#pragma once
#include "scenario/scenario.h"

namespace mantissa::app {

void draw_training_editor(TrainingScenario& t);

}  // namespace mantissa::app
