#include "app/app.h"

#include "app/fonts.h"
#include "app/panels.h"
#include "imgui.h"
#include "mantissa_version.h"

namespace mantissa::app {
namespace {

struct PanelEntry {
  Panel panel;
  const char* title;
  void (*draw)();
};

constexpr PanelEntry kPanels[] = {
    {Panel::Inspector, "Inspector", draw_inspector_panel},
    {Panel::Addition, "Addition", draw_addition_panel},
    {Panel::Training, "Training", draw_training_panel},
    {Panel::Landscape, "Error landscape", draw_landscape_panel},
};

void draw_top_bar() {
  ImGui::TextUnformatted("Mantissa");
  ImGui::SameLine();
  ImGui::PushFont(mono_font());
  ImGui::TextDisabled("%s", MANTISSA_VERSION);
  ImGui::PopFont();
  ImGui::SameLine();
  ImGui::TextDisabled("  low-precision floating point, bit by bit");
  ImGui::Separator();
}

}  // namespace

const char* panel_name(Panel panel) {
  for (const PanelEntry& e : kPanels) {
    if (e.panel == panel) return e.title;
  }
  return "?";
}

void draw_app(App& app) {
  // One window covering the whole canvas: the page is the app.
  const ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  constexpr ImGuiWindowFlags kFlags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
  ImGui::Begin("Mantissa", nullptr, kFlags);
  ImGui::PopStyleVar(2);

  draw_top_bar();
  if (ImGui::BeginTabBar("panels")) {
    for (const PanelEntry& e : kPanels) {
      if (ImGui::BeginTabItem(e.title)) {
        app.panel = e.panel;
        e.draw();
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

std::string app_state_json(const App& app) {
  // Panel titles and the version are plain ASCII: no escaping needed.
  return std::string("{\"panel\": \"") + panel_name(app.panel) + "\", \"version\": \"" + MANTISSA_VERSION + "\"}";
}

void apply_theme(bool dark, float pixel_ratio) {
  ImGuiStyle style;
  if (dark) {
    ImGui::StyleColorsDark(&style);
  } else {
    ImGui::StyleColorsLight(&style);
  }
  style.WindowPadding = ImVec2(12, 10);
  style.FramePadding = ImVec2(8, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.TabRounding = 3.0f;
  style.FrameRounding = 3.0f;
  style.ScaleAllSizes(pixel_ratio);
  ImGui::GetStyle() = style;
}

}  // namespace mantissa::app
