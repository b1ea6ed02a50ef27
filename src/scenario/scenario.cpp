#include "scenario/scenario.h"

namespace mantissa {

const char* scenario_panel_key(ScenarioPanel p) {
  switch (p) {
    case ScenarioPanel::Inspector:
      return "inspect";
    case ScenarioPanel::Addition:
      return "add";
    case ScenarioPanel::Training:
      return "train";
    case ScenarioPanel::Landscape:
      return "landscape";
    case ScenarioPanel::Blocks:
      return "blocks";
    case ScenarioPanel::Tensors:
      return "tensors";
    case ScenarioPanel::Accumulation:
      return "dot";
    case ScenarioPanel::Network:
      return "network";
  }
  return "inspect";
}

}  // namespace mantissa
