#include "app/widgets.h"

#include "app/app.h"
#include "app/fonts.h"
#include "app/style.h"
#include "core/format.h"
#include "core/rounding.h"
#include "imgui_internal.h"  // GetActiveID: is the field being edited

namespace mantissa::app {
namespace {

int resize_callback(ImGuiInputTextCallbackData* data) {
  if (data->EventFlag == ImGuiInputTextFlags_CallbackResize) {
    auto* text = static_cast<std::string*>(data->UserData);
    text->resize(static_cast<size_t>(data->BufTextLen));
    data->Buf = text->data();
  }
  return 0;
}

// Test anchor for a combo item: "<label without ##>:<item>".
void anchor_option(const char* label, const std::string& item) {
  std::string name = label;
  while (!name.empty() && name[0] == '#') name.erase(0, 1);
  anchor_item(name + ":" + item);
}

constexpr RoundingMode kModes[] = {
    RoundingMode::NearestEven, RoundingMode::NearestAway, RoundingMode::TowardZero, RoundingMode::Up,
    RoundingMode::Down,        RoundingMode::Odd,         RoundingMode::Stochastic};

}  // namespace

bool input_text(const char* label, std::string* text, ImGuiInputTextFlags flags) {
  flags |= ImGuiInputTextFlags_CallbackResize;
  return ImGui::InputText(label, text->data(), text->capacity() + 1, flags, resize_callback, text);
}

bool bound_input(const char* label, BoundField& field, std::string* target, float width,
                 bool (*accept)(const std::string&, void*, std::string*), void* context, bool mono) {
  const ImGuiID id = ImGui::GetID(label);
  const bool editing = ImGui::GetActiveID() == id;
  if (!field.initialised || (*target != field.synced && !editing)) {
    field.buffer = *target;
    field.synced = *target;
    field.error.clear();
    field.initialised = true;
  }
  if (mono) ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(width);
  if (!field.error.empty()) ImGui::PushStyleColor(ImGuiCol_Border, palette().error);
  const bool edited = input_text(label, &field.buffer);
  if (!field.error.empty()) ImGui::PopStyleColor();
  if (mono) ImGui::PopFont();
  if (!edited) return false;
  std::string error;
  if (accept(field.buffer, context, &error)) {
    field.error.clear();
    if (*target == field.buffer) return false;
    *target = field.buffer;
    field.synced = field.buffer;
    return true;
  }
  field.error = error.empty() ? "not understood" : error;
  return false;
}

void draw_field_error(const BoundField& field) {
  if (field.error.empty()) return;
  ImGui::PushTextWrapPos(0);
  text_colored(palette().error, "\xe2\x9a\xa0 " + field.error);
  ImGui::PopTextWrapPos();
}

bool format_combo(const char* label, std::string* name, float width, const char* extra) {
  bool changed = false;
  ImGui::SetNextItemWidth(width);
  ImGui::PushFont(mono_font());
  if (ImGui::BeginCombo(label, name->c_str())) {
    for (const Format& f : standard_formats()) {
      const bool selected = f.name == *name;
      if (ImGui::Selectable(f.name.c_str(), selected) && !selected) {
        *name = f.name;
        changed = true;
      }
      anchor_option(label, f.name);
    }
    if (extra && *extra) {
      const bool selected = *name == extra;
      if (ImGui::Selectable(extra, selected) && !selected) {
        *name = extra;
        changed = true;
      }
      anchor_option(label, extra);
    }
    ImGui::EndCombo();
  }
  ImGui::PopFont();
  return changed;
}

const char* mode_long_name(const std::string& mode) {
  RoundingMode m;
  std::string ignored;
  if (!parse_rounding_mode(mode, &m, &ignored)) return mode.c_str();
  switch (m) {
    case RoundingMode::NearestEven:
      return "nearest, ties to even";
    case RoundingMode::NearestAway:
      return "nearest, ties away";
    case RoundingMode::TowardZero:
      return "toward zero";
    case RoundingMode::Up:
      return "toward +\xe2\x88\x9e";
    case RoundingMode::Down:
      return "toward \xe2\x88\x92\xe2\x88\x9e";
    case RoundingMode::Odd:
      return "to odd";
    case RoundingMode::Stochastic:
      return "stochastic";
  }
  return mode.c_str();
}

bool mode_combo(const char* label, std::string* mode, float width) {
  bool changed = false;
  ImGui::SetNextItemWidth(width);
  if (ImGui::BeginCombo(label, mode_long_name(*mode))) {
    for (RoundingMode m : kModes) {
      const std::string key = rounding_mode_name(m);
      const bool selected = key == *mode;
      const std::string item = std::string(mode_long_name(key)) + "  (" + key + ")";
      if (ImGui::Selectable(item.c_str(), selected) && !selected) {
        *mode = key;
        changed = true;
      }
      anchor_option(label, key);
    }
    ImGui::EndCombo();
  }
  return changed;
}

void help_marker(const char* text) {
  ImGui::TextDisabled("(?)");
  hover_tooltip(text, ImGui::GetFontSize() * 30.0f);
}

void hover_tooltip(const char* text, float wrap_width) {
  if (!ImGui::IsItemHovered()) return;
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(wrap_width);
  ImGui::TextUnformatted(text);
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

int preset_menu(const char* id, const char* anchor, const char* item_anchor,
                const std::vector<PresetEntry>& presets, int current, float width) {
  ImGui::AlignTextToFramePadding();
  text_muted("Presets");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::min(width, ImGui::GetContentRegionAvail().x));
  const bool known = current >= 0 && current < static_cast<int>(presets.size());
  const char* shown = known ? presets[static_cast<size_t>(current)].title : "Choose a scenario\xe2\x80\xa6";
  int chosen = -1;
  if (ImGui::BeginCombo(id, shown, ImGuiComboFlags_HeightLarge)) {
    for (size_t i = 0; i < presets.size(); ++i) {
      const PresetEntry& p = presets[i];
      ImGui::PushID(p.key);
      if (ImGui::Selectable(p.title, static_cast<int>(i) == current)) chosen = static_cast<int>(i);
      anchor_item(std::string(item_anchor) + p.key);
      hover_tooltip(p.lesson, px(360));
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  anchor_item(anchor);
  return chosen;
}

void command_line(const std::string& command, const char* what) {
  ImGui::PushFont(mono_font());
  ImGui::PushTextWrapPos(0);
  text_muted("$ " + command);
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The same %s with the command-line tool (click to copy)", what);
  if (ImGui::IsItemClicked()) ImGui::SetClipboardText(command.c_str());
}

}  // namespace mantissa::app
