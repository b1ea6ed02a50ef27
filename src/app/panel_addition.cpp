// The Addition tab. Placeholder: its content comes with a later issue.
#include "app/panels.h"
#include "imgui.h"

namespace mantissa::app {

void draw_addition_panel() { ImGui::TextDisabled("Addition: coming in a later issue."); }

}  // namespace mantissa::app
