#include "app/app.h"

#include <vector>

#include "app/adaptive.h"
#include "app/fonts.h"
#include "app/panels.h"
#include "app/presets.h"
#include "app/style.h"
#include "core/json.h"
#include "imgui.h"
#include "mantissa_version.h"

// The share-link engineer's hooks (copy link, embed, URL hash sync), once
// that file exists; placeholders until then.
#if __has_include("app/share.h") && __has_include("app/share.cpp")
#include "app/share.h"
#define MANTISSA_HAVE_SHARE 1
#else
#define MANTISSA_HAVE_SHARE 0
#endif

namespace mantissa::app {
namespace {

struct PanelEntry {
  Panel panel;
  ScenarioPanel scenario_panel;
  const char* title;
  const char* short_title;  // the tab's label on a phone
};

constexpr PanelEntry kPanels[] = {
    // Short labels for tabs on a phone.
    {Panel::Inspector, ScenarioPanel::Inspector, "Inspector", "Inspect"},
    {Panel::Addition, ScenarioPanel::Addition, "Addition", "Add"},
    {Panel::Training, ScenarioPanel::Training, "Training", "Train"},
    {Panel::Accumulation, ScenarioPanel::Accumulation, "Accumulation", "Dot"},
    {Panel::Landscape, ScenarioPanel::Landscape, "Error landscape", "Errors"},
    {Panel::Network, ScenarioPanel::Network, "Network", "Net"},
    {Panel::Blocks, ScenarioPanel::Blocks, "Blocks", "Blocks"},
    {Panel::Tensors, ScenarioPanel::Tensors, "Inspect tensors", "Tensors"},
};

Panel panel_of(ScenarioPanel p) {
  for (const PanelEntry& e : kPanels) {
    if (e.scenario_panel == p) return e.panel;
  }
  return Panel::Inspector;
}

// --- Test anchors ---------------------------------------------------------------

struct Anchor {
  std::string name;
  ImVec2 min, max;
};
std::vector<Anchor> g_anchors;

// --- Top bar --------------------------------------------------------------------

void draw_presets_menu(App& app) {
  if (ImGui::Button("Presets \xe2\x96\xbc")) ImGui::OpenPopup("presets");
  anchor_item("presets");
  ImGui::SetNextWindowSizeConstraints(ImVec2(px(280), 0), ImVec2(px(560), FLT_MAX));
  if (ImGui::BeginPopup("presets")) {
    int index = 0;
    for (const Preset& p : presets()) {
      if (index == 3) {
        ImGui::Separator();
        text_muted("More to explore");
      } else if (index == 0) {
        text_muted("From the tutorial");
      }
      ImGui::PushID(p.key);
      const ImVec2 start = ImGui::GetCursorScreenPos();
      const float wrap = ImGui::GetContentRegionAvail().x;
      const float line = ImGui::GetTextLineHeight();
      const float lesson_height = ImGui::CalcTextSize(p.lesson, nullptr, false, wrap - px(12)).y;
      if (ImGui::Selectable("##preset", false, 0, ImVec2(0, line + lesson_height + px(4)))) {
        p.apply(app.scenario);
      }
      anchor_item(std::string("preset:") + p.key);
      ImGui::SetCursorScreenPos(ImVec2(start.x + px(4), start.y));
      ImGui::TextUnformatted(p.title);
      ImGui::SetCursorScreenPos(ImVec2(start.x + px(4), start.y + line + px(2)));
      ImGui::PushTextWrapPos(start.x + wrap - px(8) - ImGui::GetWindowPos().x);
      text_muted(p.lesson);
      ImGui::PopTextWrapPos();
      ImGui::PopID();
      ++index;
    }
    ImGui::EndPopup();
  }
}

void draw_about(App& app) {
  if (app.show_about) {
    ImGui::OpenPopup("About Mantissa");
    app.show_about = false;
  }
  const ImGuiViewport* vp = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(
      ImVec2(vp->WorkPos.x + vp->WorkSize.x * 0.5f, vp->WorkPos.y + vp->WorkSize.y * 0.4f),
      ImGuiCond_Appearing, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(px(520), vp->WorkSize.x - px(24)), 0), ImGuiCond_Appearing);
  if (ImGui::BeginPopupModal("About Mantissa", nullptr, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::PushTextWrapPos(0);
    ImGui::Text("Mantissa %s", MANTISSA_VERSION);
    text_muted("Low-precision floating point, bit by bit.");
    ImGui::Spacing();
    ImGui::TextUnformatted(
        "Type a number and see exactly what fp64, fp32, tf32, fp16, bf16, fp8 (E5M2, E4M3) or any eXmY "
        "format does to it; watch an addition lose its low bits; see why a training update below half an "
        "ULP vanishes.");
    ImGui::Spacing();
    ImGui::TextUnformatted(
        "Every figure is exact: decimals are kept digit for digit, and every conversion and operation is "
        "computed exactly, then rounded once by a single rounding core.");
    ImGui::Spacing();
    text_muted("Dear ImGui over WebGL2; Inter and JetBrains Mono (SIL Open Font License).");
    ImGui::PopTextWrapPos();
    ImGui::Spacing();
    if (ImGui::Button("Close", ImVec2(px(100), 0)) ||
        ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
      ImGui::CloseCurrentPopup();
    }
    anchor_item("about-close");
    ImGui::EndPopup();
  }
}

[[maybe_unused]] void draw_share_placeholders() {
  ImGui::BeginDisabled();
  ImGui::Button("Copy link");
  ImGui::SameLine();
  ImGui::Button("Embed");
  ImGui::EndDisabled();
  if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("Share links come soon.");
}

void draw_top_bar(App& app) {
  const float avail = ImGui::GetContentRegionAvail().x;
  const bool narrow = avail < px(640);
  ImGui::AlignTextToFramePadding();
  text_colored(palette().accent, "Mantissa");
  ImGui::SameLine();
  ImGui::PushFont(mono_font());
  ImGui::AlignTextToFramePadding();
  text_muted(MANTISSA_VERSION);
  ImGui::PopFont();
  if (!narrow) {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    text_muted("  low-precision floating point, bit by bit");
  }

  // Right-aligned controls; on a phone they follow the name on the same line.
  const ImGuiStyle& st = ImGui::GetStyle();
  auto button_w = [&](const char* t) { return ImGui::CalcTextSize(t).x + 2 * st.FramePadding.x; };
  const float controls = button_w("Presets \xe2\x96\xbc") + button_w("Copy link") + button_w("Embed") +
                         button_w("About") + 3 * st.ItemSpacing.x;
  ImGui::SameLine();
  const float x = ImGui::GetWindowContentRegionMax().x - controls;
  if (x > ImGui::GetCursorPosX()) {
    ImGui::SetCursorPosX(x);
  } else {
    ImGui::NewLine();  // a phone: the controls get their own line
  }
  draw_presets_menu(app);
  ImGui::SameLine();
#if MANTISSA_HAVE_SHARE
  draw_share_controls(app.scenario);
#else
  draw_share_placeholders();
#endif
  ImGui::SameLine();
  if (ImGui::Button("About")) app.show_about = true;
  anchor_item("about");
  draw_about(app);
}

void draw_panel(App& app) {
  ImGui::BeginChild("panel", ImVec2(0, 0), false, ImGuiWindowFlags_None);
  switch (app.shown) {
    case Panel::Inspector:
      draw_inspector_panel(app.scenario);
      break;
    case Panel::Addition:
      draw_addition_panel(app.scenario);
      break;
    case Panel::Training:
      draw_training_panel(app.scenario);
      break;
    case Panel::Landscape:
      draw_landscape_panel(app.scenario);
      break;
    case Panel::Blocks:
      draw_blocks_panel(app.scenario);
      break;
    case Panel::Tensors:
      draw_tensors_panel(app.scenario);
      break;
    case Panel::Accumulation:
      draw_accumulation_panel(app.scenario);
      break;
    case Panel::Network:
      draw_network_panel(app.scenario);
      break;
  }
  // Dragging empty space scrolls: touch screens have no wheel, and a thin
  // scrollbar is a small target for a finger. (Items being dragged, such as
  // painted bits, are active and keep the drag for themselves.)
  if (ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows |
                             ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
      !ImGui::IsAnyItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, px(6))) {
    ImGui::SetScrollY(ImGui::GetScrollY() - ImGui::GetIO().MouseDelta.y);
  }
  ImGui::EndChild();
}

// On a phone the seven tabs cannot sit side by side at 320 px (ImGui's tab
// bar would hide some behind its scroll arrows): the panels are rows of
// short-labelled buttons that wrap instead, every one a tap away. The
// buttons carry the tabs' anchors, so tests find "tab:<title>" either way.
void draw_panel_buttons(App& app) {
  app.shown = panel_of(app.scenario.panel);
  const ImVec4 active = ImGui::GetStyleColorVec4(ImGuiCol_TabActive);
  bool first = true;
  for (const PanelEntry& e : kPanels) {
    if (!first) same_line_or_wrap(button_width(e.short_title), px(4));
    first = false;
    const bool current = app.shown == e.panel;
    if (current) ImGui::PushStyleColor(ImGuiCol_Button, active);
    const std::string label = std::string(e.short_title) + "###" + e.title;
    if (ImGui::Button(label.c_str()) && !current) {
      app.shown = e.panel;
      app.scenario.panel = e.scenario_panel;
    }
    anchor_item(std::string("tab:") + e.title);
    if (current) ImGui::PopStyleColor();
  }
  ImGui::Separator();
  draw_panel(app);
  // Should the window widen past a phone's width, the tab bar opens on this panel.
  app.selecting = app.shown;
}

void draw_panels(App& app) {
  if (narrow_layout()) {
    draw_panel_buttons(app);
    return;
  }
  // A preset or a link may name another panel than the one shown: select its
  // tab until the tab bar has switched (SetSelected takes effect a frame later).
  const Panel wanted = panel_of(app.scenario.panel);
  if (wanted != app.shown && !app.selecting) app.selecting = wanted;

  if (ImGui::BeginTabBar("panels", ImGuiTabBarFlags_FittingPolicyScroll)) {
    for (const PanelEntry& e : kPanels) {
      const ImGuiTabItemFlags flags =
          app.selecting && *app.selecting == e.panel ? ImGuiTabItemFlags_SetSelected : ImGuiTabItemFlags_None;
      const std::string label = std::string(e.title) + "###" + e.title;
      const bool open = ImGui::BeginTabItem(label.c_str(), nullptr, flags);
      anchor_item(std::string("tab:") + e.title);
      if (!open) continue;
      if (app.selecting && *app.selecting == e.panel) app.selecting.reset();
      if (!app.selecting) {
        app.shown = e.panel;
        app.scenario.panel = e.scenario_panel;
      }
      draw_panel(app);
      ImGui::EndTabItem();
    }
    ImGui::EndTabBar();
  }
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
                                      ImGuiWindowFlags_NoSavedSettings |
                                      ImGuiWindowFlags_NoBringToFrontOnFocus;
  ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
  ImGui::PushStyleVar(ImGuiStyleVar_WindowBorderSize, 0.0f);
#if MANTISSA_HAVE_SHARE
  // Before the panels: a link in the hash replaces the scenario first.
  share_frame(app.scenario);
  const bool embedded = share_embedded();
#else
  const bool embedded = false;
#endif
  tensors_frame(app.scenario);
  ImGui::Begin("Mantissa", nullptr, kFlags);
  ImGui::PopStyleVar(2);
  if (embedded) {
    // The embed shows its one panel, compact: no top bar, no tabs.
    app.shown = panel_of(app.scenario.panel);
    draw_panel(app);
  } else {
    draw_top_bar(app);
    ImGui::Spacing();
    draw_panels(app);
  }
  ImGui::End();
}

bool app_animating(const App& app) {
  return (app.scenario.panel == ScenarioPanel::Addition && addition_playing()) ||
         (app.scenario.panel == ScenarioPanel::Training && training_running()) || tensors_scanning() ||
         (app.scenario.panel == ScenarioPanel::Accumulation && accumulation_running()) ||
         (app.scenario.panel == ScenarioPanel::Network && network_running());
}

// window.mantissa.state(): one JSON object, stable for tests and scripts.
//   {
//     "version": "0.1.0",
//     "panel": "Inspector" | "Addition" | "Training" | "Accumulation" | "Error landscape" | "Network"
//              | "Blocks" | "Inspect tensors",                                   (the tab shown)
//     "panel_key": "inspect" | "add" | "train" | "dot" | "landscape" | "network" | "blocks" | "tensors",
//                                                                                 (scenario_panel_key)
//     "announcement": "…",        the aria-live sentence for the panel
//     "inputs": { the panel's Scenario fields, by their scenario.h names },
//     "results": { the panel's computed figures (see write_*_state in panel_*.cpp) }
//   }
// Numbers that are exact (values, errors, bits) are strings; ratios are numbers.
std::string app_state_json(App& app) {
  JsonWriter w;
  w.begin_object();
  w.field("version", MANTISSA_VERSION);
  w.field("panel", panel_name(app.shown));
  w.field("panel_key", scenario_panel_key(app.scenario.panel));
  w.field("announcement", app_announcement(app));
  switch (app.shown) {
    case Panel::Inspector:
      write_inspector_state(w, app.scenario);
      break;
    case Panel::Addition:
      write_addition_state(w, app.scenario);
      break;
    case Panel::Training:
      write_training_state(w, app.scenario);
      break;
    case Panel::Landscape:
      write_landscape_state(w, app.scenario);
      break;
    case Panel::Blocks:
      write_blocks_state(w, app.scenario);
      break;
    case Panel::Tensors:
      write_tensors_state(w, app.scenario);
      break;
    case Panel::Accumulation:
      write_accumulation_state(w, app.scenario);
      break;
    case Panel::Network:
      write_network_state(w, app.scenario);
      break;
    default:
      w.key("inputs").begin_object().end_object();
      w.key("results").begin_object().end_object();
      break;
  }
  w.end_object();
  return w.str();
}

std::string app_announcement(App& app) {
  switch (app.shown) {
    case Panel::Inspector:
      return inspector_announcement(app.scenario);
    case Panel::Addition:
      return addition_announcement(app.scenario);
    case Panel::Training:
      return training_announcement(app.scenario);
    case Panel::Landscape:
      return landscape_announcement(app.scenario);
    case Panel::Blocks:
      return blocks_announcement(app.scenario);
    case Panel::Tensors:
      return tensors_announcement(app.scenario);
    case Panel::Accumulation:
      return accumulation_announcement(app.scenario);
    case Panel::Network:
      return network_announcement(app.scenario);
  }
  return "";
}

void anchor_item(const std::string& name) {
  const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
  anchor_rect(name, a.x, a.y, b.x, b.y);
}

void anchor_rect(const std::string& name, float x0, float y0, float x1, float y1) {
  // Only what is visible: clipped by the current window's clip rectangle.
  const ImVec2 c0 = ImGui::GetWindowDrawList()->GetClipRectMin();
  const ImVec2 c1 = ImGui::GetWindowDrawList()->GetClipRectMax();
  if (x1 <= c0.x || y1 <= c0.y || x0 >= c1.x || y0 >= c1.y) return;
  g_anchors.push_back({name, ImVec2(x0, y0), ImVec2(x1, y1)});
}

void anchors_clear() { g_anchors.clear(); }

// {"name": [x, y, width, height], ...} in CSS pixels; a later anchor of the
// same name (drawn on top) wins.
std::string anchors_json(float pixel_ratio) {
  JsonWriter w;
  w.begin_object();
  for (const Anchor& a : g_anchors) {
    w.key(a.name).begin_array();
    w.value(static_cast<double>(a.min.x / pixel_ratio));
    w.value(static_cast<double>(a.min.y / pixel_ratio));
    w.value(static_cast<double>((a.max.x - a.min.x) / pixel_ratio));
    w.value(static_cast<double>((a.max.y - a.min.y) / pixel_ratio));
    w.end_array();
  }
  w.end_object();
  return w.str();
}

}  // namespace mantissa::app
