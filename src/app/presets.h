// Scenario presets: one click sets up a situation worth seeing. The first
// three are the tutorial's (TUTORIAL.md); the others each teach one more
// thing about low-precision formats.
#pragma once
#include <span>

#include "scenario/scenario.h"

namespace mantissa::app {

struct Preset {
  const char* key;     // stable id (tests, anchors)
  const char* title;   // menu text
  const char* lesson;  // one line shown under the title in the menu
  void (*apply)(Scenario& s);
};

std::span<const Preset> presets();

}  // namespace mantissa::app
