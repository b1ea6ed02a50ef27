// The playground window: a full-window frame with a top bar (name, version)
// and one tab per panel.
#pragma once
#include <string>

namespace mantissa::app {

enum class Panel { Inspector, Addition, Training, Landscape };

struct App {
  Panel panel = Panel::Inspector;  // the tab shown in the last frame
};

// Draws the whole UI for one frame (between ImGui::NewFrame and ImGui::Render).
void draw_app(App& app);

const char* panel_name(Panel panel);

// The state window.mantissa.state() reports: {"panel": "...", "version": "..."}.
std::string app_state_json(const App& app);

// Sets ImGui's colors for a light or dark page, sizes scaled by pixel_ratio.
void apply_theme(bool dark, float pixel_ratio);

}  // namespace mantissa::app
