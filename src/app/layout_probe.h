// What the last drawn frame put on screen, for the browser tests that check
// the layout at phone widths (window.mantissa.items()): every interactive
// item's rectangle (through Dear ImGui's item hooks) and every run of text
// (read back from the frame's draw data, so text drawn straight into a draw
// list, like the Inspector's ruler labels, counts too).
#pragma once
#include <string>

namespace mantissa::app {

// Turns the item hooks on for the current ImGui context (once, after
// ImGui::CreateContext).
void layout_probe_install();

// Forgets the items of the previous frame (right after ImGui::NewFrame).
void layout_probe_new_frame();

// The last frame as JSON, in CSS pixels (positions divided by pixel_ratio):
//   { "viewport": [w, h],
//     "items": [{ "label", "rect": [x0, y0, x1, y1], "window",
//                 "scroll": [x0, x1] or null }],   (the horizontally scrolling
//                  region the item lies in: a scrolling child or a tab bar)
//     "texts": [{ "text", "rect": [x0, y0, x1, y1], "window",
//                 "cut": true when a glyph is cut at the left or right of its
//                 clip rectangle, in a window that does not scroll sideways }],
//     "overlaps": [[text, text], ...] }  (runs whose glyphs overprint)
// Text runs are glyphs drawn one after the other on one line of one window.
std::string layout_probe_json(float pixel_ratio);

}  // namespace mantissa::app
