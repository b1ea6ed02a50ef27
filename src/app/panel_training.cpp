// The Training tab. Placeholder: its content comes with a later issue.
#include "app/panels.h"
#include "imgui.h"

namespace mantissa::app {

void draw_training_panel() { ImGui::TextDisabled("Training: coming in a later issue."); }

}  // namespace mantissa::app
