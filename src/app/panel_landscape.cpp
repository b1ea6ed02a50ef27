// The Error landscape tab. Placeholder: its content comes with a later issue.
#include "app/panels.h"
#include "imgui.h"

namespace mantissa::app {

void draw_landscape_panel() { ImGui::TextDisabled("Error landscape: coming in a later issue."); }

}  // namespace mantissa::app
