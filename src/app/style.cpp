#include "app/style.h"

#include <algorithm>

#include "app/app.h"
#include "app/platform.h"

namespace mantissa::app {
namespace {

float g_pixel_ratio = 1.0f;

// Field colors chosen to stay apart for the common color-vision deficiencies
// (red/blue/amber rather than red/green) and to read on both backgrounds.
const Palette kLight = {
    IM_COL32(214, 69, 80, 255),                                 // sign: red
    IM_COL32(38, 110, 214, 255),                                // exponent: blue
    IM_COL32(214, 140, 16, 255),                                // mantissa: amber
    IM_COL32(120, 120, 130, 255),                               // hidden bit: grey
    IM_COL32(255, 255, 255, 255), IM_COL32(200, 40, 140, 255),  // cut: magenta
    IM_COL32(200, 40, 140, 255),                                // guard
    IM_COL32(140, 70, 200, 255),                                // round
    IM_COL32(90, 100, 200, 255),                                // sticky
    IM_COL32(30, 150, 80, 255),                                 // up
    IM_COL32(200, 90, 30, 255),                                 // down
    IM_COL32(190, 120, 0, 255),                                 // warn
    IM_COL32(200, 40, 40, 255),                                 // error
    IM_COL32(30, 140, 70, 255),                                 // good
    IM_COL32(110, 110, 120, 255),                               // muted
    IM_COL32(38, 110, 214, 28),                                 // focus row
    IM_COL32(0, 0, 0, 10),                                      // card
    IM_COL32(38, 110, 214, 255),                                // accent
};

const Palette kDark = {
    IM_COL32(240, 98, 110, 255),  IM_COL32(90, 156, 255, 255),  IM_COL32(245, 178, 60, 255),
    IM_COL32(150, 150, 160, 255), IM_COL32(20, 20, 24, 255),    IM_COL32(255, 90, 190, 255),
    IM_COL32(255, 90, 190, 255),  IM_COL32(190, 130, 255, 255), IM_COL32(140, 150, 255, 255),
    IM_COL32(90, 210, 130, 255),  IM_COL32(255, 150, 90, 255),  IM_COL32(250, 190, 60, 255),
    IM_COL32(255, 100, 100, 255), IM_COL32(90, 210, 130, 255),  IM_COL32(150, 150, 160, 255),
    IM_COL32(90, 156, 255, 40),   IM_COL32(255, 255, 255, 8),   IM_COL32(90, 156, 255, 255),
};

const Palette* g_palette = &kLight;

}  // namespace

const Palette& palette() { return *g_palette; }

ImVec4 color_vec(ImU32 c) { return ImGui::ColorConvertU32ToFloat4(c); }

void text_colored(ImU32 color, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopStyleColor();
}

void text_muted(const std::string& text) { text_colored(palette().muted, text); }

float g_flow_indent = -1.0f;

void set_flow_indent(float x) { g_flow_indent = x; }

void flow_text(const std::string& text, ImU32 color, float spacing) {
  const float width = ImGui::CalcTextSize(text.c_str()).x;
  ImGui::SameLine(0, px(spacing));
  if (ImGui::GetContentRegionAvail().x < width) {
    ImGui::NewLine();
    if (g_flow_indent >= 0) ImGui::SetCursorPosX(g_flow_indent);
  }
  const bool wrap = ImGui::GetContentRegionAvail().x < width;
  if (wrap) ImGui::PushTextWrapPos(0);
  if (color) {
    text_colored(color, text);
  } else {
    ImGui::TextUnformatted(text.c_str());
  }
  if (wrap) ImGui::PopTextWrapPos();
}

bool flow_exact(const std::string& text, const std::string& value, ImU32 color, float spacing) {
  const float width = ImGui::CalcTextSize(text.c_str()).x;
  ImGui::SameLine(0, px(spacing));
  if (ImGui::GetContentRegionAvail().x < width) {
    ImGui::NewLine();
    if (g_flow_indent >= 0) ImGui::SetCursorPosX(g_flow_indent);
  }
  const float avail = ImGui::GetContentRegionAvail().x;
  const ImVec4 c = color ? color_vec(color) : ImGui::GetStyle().Colors[ImGuiCol_Text];
  if (avail >= width) {
    ImGui::TextColored(c, "%s", text.c_str());
    return ImGui::IsItemHovered();
  }
  // Break between digit groups: a line starts five digits after the point,
  // or ten, ... (mono font: every character is as wide as a digit).
  const float char_w = std::max(1.0f, ImGui::CalcTextSize("0").x);
  const size_t per_line = std::max<size_t>(5, static_cast<size_t>(avail / char_w));
  const size_t point = text.find('.');
  ImGui::BeginGroup();
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(text.size(), start + per_line);
    if (end < text.size() && point != std::string::npos) {
      for (size_t p = end; p > start + 1; --p) {
        if (p > point + 1 && (p - point - 1) % 5 == 0) {
          end = p;
          break;
        }
      }
    }
    ImGui::TextColored(c, "%s", text.substr(start, end - start).c_str());
    start = end;
  }
  // The copy button follows the last digits (or goes below them).
  ImGui::PushID(value.c_str());
  ImGui::SameLine();
  if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize("copy").x + 2 * ImGui::GetStyle().FramePadding.x)
    ImGui::NewLine();
  if (ImGui::SmallButton("copy")) platform_copy_text(value);
  anchor_item("copy:" + value);
  ImGui::PopID();
  ImGui::EndGroup();
  const bool hovered = ImGui::IsItemHovered();
  return hovered;
}

void badge(const std::string& text, ImU32 color) {
  const ImVec2 size = ImGui::CalcTextSize(text.c_str());
  const ImVec2 pad(px(6), px(1));
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImVec4 c = color_vec(color);
  c.w = 0.14f;
  dl->AddRectFilled(p, ImVec2(p.x + size.x + 2 * pad.x, p.y + size.y + 2 * pad.y), ImGui::GetColorU32(c),
                    px(4));
  dl->AddText(ImVec2(p.x + pad.x, p.y + pad.y), color, text.c_str());
  ImGui::Dummy(ImVec2(size.x + 2 * pad.x, size.y + 2 * pad.y));
}

float px(float css_pixels) { return css_pixels * g_pixel_ratio; }
void set_pixel_ratio(float pixel_ratio) { g_pixel_ratio = pixel_ratio; }

void apply_theme(bool dark, float pixel_ratio) {
  g_palette = dark ? &kDark : &kLight;
  set_pixel_ratio(pixel_ratio);
  ImGuiStyle style;
  if (dark) {
    ImGui::StyleColorsDark(&style);
    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.085f, 0.09f, 0.105f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_PopupBg] = ImVec4(0.11f, 0.115f, 0.13f, 0.98f);
    c[ImGuiCol_FrameBg] = ImVec4(0.15f, 0.16f, 0.19f, 1.0f);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.19f, 0.21f, 0.25f, 1.0f);
    c[ImGuiCol_FrameBgActive] = ImVec4(0.22f, 0.25f, 0.30f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(1, 1, 1, 0.10f);
    c[ImGuiCol_Separator] = ImVec4(1, 1, 1, 0.10f);
    c[ImGuiCol_MenuBarBg] = c[ImGuiCol_WindowBg];
  } else {
    ImGui::StyleColorsLight(&style);
    ImVec4* c = style.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.975f, 0.976f, 0.98f, 1.0f);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 0);
    c[ImGuiCol_PopupBg] = ImVec4(1, 1, 1, 0.99f);
    c[ImGuiCol_FrameBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.93f, 0.95f, 0.99f, 1.0f);
    c[ImGuiCol_FrameBgActive] = ImVec4(0.88f, 0.92f, 0.99f, 1.0f);
    c[ImGuiCol_Border] = ImVec4(0, 0, 0, 0.13f);
    c[ImGuiCol_Separator] = ImVec4(0, 0, 0, 0.10f);
    c[ImGuiCol_MenuBarBg] = c[ImGuiCol_WindowBg];
    c[ImGuiCol_Tab] = ImVec4(0.90f, 0.91f, 0.94f, 1.0f);
    c[ImGuiCol_TabHovered] = ImVec4(0.80f, 0.86f, 0.97f, 1.0f);
    c[ImGuiCol_TabActive] = ImVec4(0.74f, 0.82f, 0.97f, 1.0f);
  }
  style.WindowPadding = ImVec2(14, 10);
  style.FramePadding = ImVec2(8, 4);
  style.ItemSpacing = ImVec2(8, 6);
  style.ItemInnerSpacing = ImVec2(6, 4);
  style.TabRounding = 4.0f;
  style.FrameRounding = 4.0f;
  style.PopupRounding = 6.0f;
  style.GrabRounding = 4.0f;
  style.ChildRounding = 6.0f;
  style.WindowRounding = 6.0f;
  style.FrameBorderSize = 1.0f;
  style.PopupBorderSize = 1.0f;
  style.ScrollbarSize = 12.0f;
  style.ScrollbarRounding = 6.0f;
  // Touch screens: a wider hit area around resize and drag handles.
  style.TouchExtraPadding = ImVec2(0, 0);
  style.ScaleAllSizes(pixel_ratio);
  ImGui::GetStyle() = style;
}

ImU32 series_color(size_t i) {
  static const ImU32 kColors[] = {IM_COL32(31, 119, 180, 255),  IM_COL32(255, 127, 14, 255),
                                  IM_COL32(44, 160, 44, 255),   IM_COL32(214, 39, 40, 255),
                                  IM_COL32(148, 103, 189, 255), IM_COL32(140, 86, 75, 255),
                                  IM_COL32(227, 119, 194, 255), IM_COL32(23, 190, 207, 255),
                                  IM_COL32(188, 189, 34, 255),  IM_COL32(127, 127, 127, 255)};
  return kColors[i % (sizeof kColors / sizeof kColors[0])];
}

}  // namespace mantissa::app
