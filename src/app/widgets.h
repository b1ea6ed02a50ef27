// Input widgets the panels share: text fields bound to scenario strings
// (keeping the last good value while the typed text does not parse), format
// and rounding-mode pickers.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "imgui.h"

namespace mantissa::app {

// ImGui::InputText over a std::string of any length.
bool input_text(const char* label, std::string* text, ImGuiInputTextFlags flags = 0);

// A text field bound to a scenario string. The buffer follows the scenario
// when it changes elsewhere (a preset, a link); what the user types reaches
// the scenario only when `accept` says it is good, otherwise `error` keeps
// the reason (shown by draw_field_error) and the scenario its last good value.
struct BoundField {
  std::string buffer;
  std::string synced;  // the scenario value the buffer last matched
  std::string error;
  bool initialised = false;
};
// Returns true when the scenario string changed.
bool bound_input(const char* label, BoundField& field, std::string* target, float width,
                 bool (*accept)(const std::string& text, void* context, std::string* error), void* context,
                 bool mono = true);
void draw_field_error(const BoundField& field);

// A combo of the standard formats (and any extra name, e.g. a custom one).
// Returns true when *name changed.
bool format_combo(const char* label, std::string* name, float width, const char* extra = nullptr);

// A combo of every rounding mode of the core, by its long name.
bool mode_combo(const char* label, std::string* mode, float width);
const char* mode_long_name(const std::string& mode);

// A short help marker "(?)" with a tooltip.
void help_marker(const char* text);
// A wrapped tooltip with `text` while the last item is hovered.
void hover_tooltip(const char* text, float wrap_width);

// A panel's preset menu: "Presets [title of the current one, or Choose a
// scenario…]", each entry's lesson as its tooltip. Test anchors: `anchor`
// for the combo, `anchor`-less "<item_anchor><key>" per entry. Returns the
// index chosen this frame, or -1. `current` is -1 when no preset matches.
struct PresetEntry {
  const char* key;
  const char* title;
  const char* lesson;
};
int preset_menu(const char* id, const char* anchor, const char* item_anchor,
                const std::vector<PresetEntry>& presets, int current, float width);

// "$ mantissa …" in the mono font, muted and wrapped: the same computation on
// the command line. Hover says so, a click copies it.
void command_line(const std::string& command, const char* what = "run");

}  // namespace mantissa::app
