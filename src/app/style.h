// Colors and small drawing helpers the panels share: the field colors of
// bit boxes (sign, exponent, mantissa, hidden bit), the rounding marks
// (cut, guard, round, sticky) and text tones, for the light and dark themes.
#pragma once
#include <string>

#include "imgui.h"

namespace mantissa::app {

struct Palette {
  ImU32 sign, exponent, mantissa, hidden;  // bit-box field colors
  ImU32 on_field;                          // text on a set (filled) bit box
  ImU32 cut;                               // where a format's precision ends
  ImU32 guard, round, sticky;              // the bits that decide the rounding
  ImU32 up, down;                          // rounding direction
  ImU32 warn, error, good;
  ImU32 muted;              // secondary text
  ImU32 focus_bg, card_bg;  // row backgrounds
  ImU32 accent;
};

const Palette& palette();
// The colour of the i-th series of a plot (a fixed cycle of 10, so a series
// keeps its colour while others are toggled).
ImU32 series_color(size_t i);

// Colors as ImVec4 for ImGui::TextColored and friends.
ImVec4 color_vec(ImU32 c);

// Text helpers in the current font.
void text_colored(ImU32 color, const std::string& text);
void text_muted(const std::string& text);
// Text that starts on the same line when it fits in the remaining width and
// on a new (indented by `indent` from the window's left) line otherwise.
void flow_text(const std::string& text, ImU32 color = 0, float spacing = 16.0f);
// Where flow_text's wrapped lines start (a window-relative x); -1: the default.
// Text too wide even for a line of its own wraps at spaces.
void set_flow_indent(float x);
// An exact decimal, shown as `text` ("= 1.12…", with a real minus sign) and
// flowed like flow_text. Too long for a line of its own (fp64's 50-odd digits
// on a phone), it takes several lines, broken between groups of five digits
// counted from the decimal point, and gets a "copy" button that copies
// `value` (the plain decimal; test anchor "copy:<value>"). Returns true when
// the value is hovered.
bool flow_exact(const std::string& text, const std::string& value, ImU32 color = 0, float spacing = 16.0f);

// A small rounded label ("normal", "subnormal", ...).
void badge(const std::string& text, ImU32 color);

// Sizes in CSS pixels → ImGui's device pixels.
float px(float css_pixels);
void set_pixel_ratio(float pixel_ratio);

}  // namespace mantissa::app
