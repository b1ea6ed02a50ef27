// Bit boxes: a stored value drawn as one box per bit, colored by field
// (sign, exponent, mantissa), with the hidden bit drawn apart between the
// exponent and the mantissa. Editable rows flip a bit on click and paint
// while dragging (the first bit touched decides the painted value).
#pragma once
#include <cstdint>

#include "core/format.h"
#include "imgui.h"

namespace mantissa::app {

struct BitBoxStyle {
  float box = 14.0f;        // box side, in ImGui (device) pixels
  bool show_hidden = true;  // draw the implicit leading bit apart
  bool editable = false;
  // A row wider than this continues on the next line (0: one line). Phones
  // keep boxes big enough to tap and let fp64's 64 boxes take several lines.
  float wrap = 0.0f;
};

// Width the boxes of `f` take with this style (to size columns): the widest
// line when they wrap.
float bit_boxes_width(const Format& f, const BitBoxStyle& style);
// Width and height of the whole block of boxes.
ImVec2 bit_boxes_size(const Format& f, const BitBoxStyle& style);

// Draws the boxes at the cursor as one ImGui item. For editable rows, returns
// true when the user changed a bit (then *bits holds the new pattern).
bool bit_boxes(const char* id, const Format& f, uint64_t* bits, const BitBoxStyle& style);

// The offset (from the block's top left) of bit `index` (0 = the sign bit,
// then exponent bits, then mantissa bits, most significant first), and of
// the hidden bit (index -1).
ImVec2 bit_box_pos(const Format& f, int index, const BitBoxStyle& style);

// The box side that fits `f` in `width`, between `min_box` and `max_box`.
float fit_box_size(const Format& f, float width, float min_box, float max_box, bool show_hidden);

}  // namespace mantissa::app
