#include "app/adaptive.h"

#include <algorithm>

#include "app/style.h"
#include "imgui.h"

namespace mantissa::app {

bool narrow_layout() { return ImGui::GetMainViewport()->Size.x < px(600); }

void field_label(const char* label) {
  if (narrow_layout()) {
    ImGui::TextUnformatted(label);
  } else {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label);
    ImGui::SameLine();
  }
}

float field_width(float wide) {
  const float room = ImGui::GetContentRegionAvail().x;
  return narrow_layout() ? room : std::min(wide, room);
}

void same_line_or_wrap(float next_width, float spacing) {
  ImGui::SameLine(0, spacing);
  // Less room than the item needs: start a new line (the cursor is back at
  // the line's left edge, where the group or indent begins).
  if (ImGui::GetContentRegionAvail().x < next_width) ImGui::NewLine();
}

float button_width(const char* label) {
  return ImGui::CalcTextSize(label, nullptr, true).x + 2 * ImGui::GetStyle().FramePadding.x;
}

}  // namespace mantissa::app
