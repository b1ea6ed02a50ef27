// The playground window: a full-window frame with a top bar (name, version,
// presets, share buttons, About) and one tab per panel.
//
// The whole state a user can change lives in one `Scenario` (scenario.h): the
// panels read and write its fields, the share-link code puts it in the URL.
// Everything else here is view state that a link need not reproduce.
#pragma once
#include <optional>
#include <string>

#include "scenario/scenario.h"

namespace mantissa::app {

enum class Panel { Inspector, Addition, Training, Landscape, Blocks, Tensors, Accumulation, Network };

struct App {
  Scenario scenario;
  Panel shown = Panel::Inspector;  // the tab drawn in the last frame
  std::optional<Panel> selecting;  // a tab being selected from the scenario (preset, link)
  bool show_about = false;
  bool dark = false;  // the theme in use (follows prefers-color-scheme)
};

// Draws the whole UI for one frame (between ImGui::NewFrame and ImGui::Render).
void draw_app(App& app);

// True while something moves on its own (a playing walkthrough): the main
// loop must keep drawing even without input.
bool app_animating(const App& app);

const char* panel_name(Panel panel);

// The object window.mantissa.state() returns. Its shape is documented at
// the definition (app.cpp) and is kept stable for tests and scripts.
std::string app_state_json(App& app);

// One sentence with the current panel's key result, for the page's
// aria-live region (e.g. "1.12156456132 in fp16 is 1.12109375, error …").
std::string app_announcement(App& app);

// Sets ImGui's colors for a light or dark page, sizes scaled by pixel_ratio.
void apply_theme(bool dark, float pixel_ratio);

// Test anchors: names the last ImGui item so browser tests can click it
// (window.mantissa.layout() lists the anchors of the last drawn frame, in CSS
// pixels). Cheap: a few dozen rectangles per frame.
void anchor_item(const std::string& name);
void anchor_rect(const std::string& name, float x0, float y0, float x1, float y1);
std::string anchors_json(float pixel_ratio);
void anchors_clear();

}  // namespace mantissa::app
