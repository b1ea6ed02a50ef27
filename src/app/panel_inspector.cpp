// The Inspector tab. Placeholder: its content comes with a later issue.
#include "app/fonts.h"
#include "app/panels.h"
#include "imgui.h"

namespace mantissa::app {

void draw_inspector_panel() {
  ImGui::TextDisabled("Inspector: coming in a later issue.");
  // A line in the number face, so both embedded fonts show from day one.
  ImGui::PushFont(mono_font());
  ImGui::TextDisabled("fp16  1.0 = 0 01111 0000000000  (0x3C00)");
  ImGui::PopFont();
}

}  // namespace mantissa::app
