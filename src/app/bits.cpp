#include "app/bits.h"

#include <algorithm>
#include <cmath>

#include "app/fonts.h"
#include "app/style.h"
#include "core/value.h"
#include "imgui.h"

namespace mantissa::app {
namespace {

// Gaps, as fractions of the box side: between fields, every four mantissa
// bits (to help counting), between adjacent boxes.
constexpr float kFieldGap = 0.45f;
constexpr float kNibbleGap = 0.18f;
constexpr float kBoxGap = 0.08f;

// Only sign/exponent/mantissa floats have a hidden bit: E8M0 (all exponent
// bits, no sign) and MXINT8 (two's complement) have none.
bool draws_hidden(const Format& f, bool show_hidden) { return show_hidden && f.is_float(); }

// Width in box units: boxes, field gaps, nibble gaps.
float width_units(const Format& f, bool show_hidden) {
  show_hidden = draws_hidden(f, show_hidden);
  const int boxes = f.width() + (show_hidden ? 1 : 0);
  const int field_gaps = f.kind == FormatKind::Scale ? 0 : show_hidden ? 3 : 2;
  const int nibble_gaps = (f.man_bits - 1) / 4;
  return boxes * (1 + kBoxGap) + field_gaps * kFieldGap + nibble_gaps * kNibbleGap;
}

// Lines of a wrapped block are this far apart, in box sides.
constexpr float kLineGap = 0.3f;

// The x offset of a box on one unbroken line.
float line_x(const Format& f, int index, const BitBoxStyle& style) {
  const float b = style.box;
  const float step = b * (1 + kBoxGap);
  if (f.kind == FormatKind::Scale) return index * step;  // E8M0: eight exponent bits, no sign
  float x = 0;
  // sign
  if (index == 0) return x;
  x += step + b * kFieldGap;
  // exponent
  if (index >= 1 && index <= f.exp_bits) return x + (index - 1) * step;
  x += f.exp_bits * step + b * kFieldGap;
  if (draws_hidden(f, style.show_hidden)) {
    if (index == -1) return x;
    x += step + b * kFieldGap;
  }
  const int m = index - 1 - f.exp_bits;  // mantissa bit, 0 = most significant
  return x + m * step + (m / 4) * b * kNibbleGap;
}

// The boxes in the order they are drawn, left to right.
template <typename Visit>
void for_each_box(const Format& f, const BitBoxStyle& style, Visit visit) {
  const int before_hidden = f.kind == FormatKind::Scale ? f.width() : f.exp_bits + 1;
  for (int i = 0; i < before_hidden; ++i) visit(i);
  if (draws_hidden(f, style.show_hidden)) visit(-1);
  for (int i = before_hidden; i < f.width(); ++i) visit(i);
}

// Index of the bit under (x, y) (block-relative), or -2 for none; -1 is the
// hidden bit. A one-line row looks at x alone.
int bit_at(const Format& f, float x, float y, const BitBoxStyle& style) {
  int found = -2;
  // Half the gaps on each side belong to the box: dragging fast across a
  // row never skips one.
  const float slack = style.box * kFieldGap * 0.5f;
  const float vslack = style.box * kLineGap * 0.5f;
  for_each_box(f, style, [&](int i) {
    const ImVec2 p = bit_box_pos(f, i, style);
    const bool on_line = style.wrap <= 0 || (y >= p.y - vslack && y < p.y + style.box + vslack);
    if (on_line && x >= p.x - slack && x < p.x + style.box + slack) found = i;
  });
  return found;
}

struct PaintState {
  ImGuiID row = 0;
  bool value = false;
};
PaintState g_paint;

}  // namespace

ImVec2 bit_box_pos(const Format& f, int index, const BitBoxStyle& style) {
  if (style.wrap <= 0) return ImVec2(line_x(f, index, style), 0);
  // Walk the boxes in order; one that would pass the wrap width opens the
  // next line, where the rest of the row continues from its left edge.
  float start = 0;
  int line = 0;
  ImVec2 pos(0, 0);
  for_each_box(f, style, [&](int i) {
    const float x = line_x(f, i, style);
    if (x > start && x - start + style.box > style.wrap) {
      start = x;
      ++line;
    }
    if (i == index) pos = ImVec2(x - start, line * style.box * (1 + kLineGap));
  });
  return pos;
}

ImVec2 bit_boxes_size(const Format& f, const BitBoxStyle& style) {
  ImVec2 size(0, 0);
  for_each_box(f, style, [&](int i) {
    const ImVec2 p = bit_box_pos(f, i, style);
    size.x = std::max(size.x, p.x + style.box);
    size.y = std::max(size.y, p.y + style.box);
  });
  return size;
}

float bit_boxes_width(const Format& f, const BitBoxStyle& style) {
  return style.wrap > 0 ? bit_boxes_size(f, style).x : width_units(f, style.show_hidden) * style.box;
}

float fit_box_size(const Format& f, float width, float min_box, float max_box, bool show_hidden) {
  return std::clamp(std::floor(width / width_units(f, show_hidden)), min_box, max_box);
}

bool bit_boxes(const char* id, const Format& f, uint64_t* bits, const BitBoxStyle& style) {
  const Palette& pal = palette();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float b = style.box;
  const ImVec2 size = style.wrap > 0 ? bit_boxes_size(f, style) : ImVec2(bit_boxes_width(f, style), b);
  bool changed = false;

  ImGui::PushID(id);
  if (style.editable) {
    const ImGuiID row = ImGui::GetID("##bits");
    ImGui::InvisibleButton("##bits", size);
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    if (ImGui::IsItemActivated()) {
      const int i = bit_at(f, mouse.x - origin.x, mouse.y - origin.y, style);
      if (i >= 0) {
        const uint64_t mask = uint64_t{1} << (f.width() - 1 - i);
        g_paint.row = row;
        g_paint.value = (*bits & mask) == 0;  // the first bit flips; the drag paints that value
      } else {
        g_paint.row = 0;
      }
    }
    if (ImGui::IsItemActive() && g_paint.row == row) {
      // The finger may stray a box above or below the row while painting.
      const bool near = mouse.y >= origin.y - b && mouse.y <= origin.y + size.y + b;
      const int i = bit_at(f, mouse.x - origin.x, mouse.y - origin.y, style);
      if (i >= 0 && near) {
        const uint64_t mask = uint64_t{1} << (f.width() - 1 - i);
        const uint64_t next = g_paint.value ? (*bits | mask) : (*bits & ~mask);
        if (next != *bits) {
          *bits = next;
          changed = true;
        }
      }
    }
    if (ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
  } else {
    ImGui::Dummy(size);
  }
  ImGui::PopID();

  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImFont* font = mono_font();
  const float font_size = std::min(b * 0.78f, font->FontSize);
  const bool digits = b >= px(9);
  const bool hovered_row = style.editable && ImGui::IsItemHovered();
  const ImVec2 at_mouse = ImGui::GetIO().MousePos;
  const int hovered_bit = hovered_row ? bit_at(f, at_mouse.x - origin.x, at_mouse.y - origin.y, style) : -2;
  const float rounding = b * 0.18f;
  const Decoded d = decode(f, *bits);

  auto draw_box = [&](int index, bool set, ImU32 color, bool hidden) {
    const ImVec2 at = bit_box_pos(f, index, style);
    const float x = origin.x + at.x, y = origin.y + at.y;
    const ImVec2 p0(x, y), p1(x + b, y + b);
    ImVec4 c = color_vec(color);
    if (hidden) {
      // The implicit bit: outlined only, never stored.
      dl->AddRect(p0, p1, color, rounding, 0, std::max(1.0f, b * 0.08f));
    } else if (set) {
      dl->AddRectFilled(p0, p1, color, rounding);
    } else {
      ImVec4 tint = c;
      tint.w = 0.13f;
      dl->AddRectFilled(p0, p1, ImGui::GetColorU32(tint), rounding);
      tint.w = 0.45f;
      dl->AddRect(p0, p1, ImGui::GetColorU32(tint), rounding);
    }
    if (index == hovered_bit && index >= 0) {
      dl->AddRect(ImVec2(p0.x - 1, p0.y - 1), ImVec2(p1.x + 1, p1.y + 1), ImGui::GetColorU32(ImGuiCol_Text),
                  rounding, 0, std::max(1.0f, b * 0.1f));
    }
    if (digits) {
      const char* t = set ? "1" : "0";
      const ImVec2 ts = font->CalcTextSizeA(font_size, FLT_MAX, 0, t);
      const ImU32 tc = set && !hidden ? pal.on_field : color;
      dl->AddText(font, font_size, ImVec2(x + (b - ts.x) * 0.5f, y + (b - ts.y) * 0.5f), tc, t);
    }
  };

  for (int i = 0; i < f.width(); ++i) {
    const bool set = (*bits >> (f.width() - 1 - i)) & 1;
    const ImU32 color = f.kind == FormatKind::Scale ? pal.exponent
                        : i == 0                    ? pal.sign
                        : i <= f.exp_bits           ? pal.exponent
                                                    : pal.mantissa;
    draw_box(i, set, color, false);
  }
  if (draws_hidden(f, style.show_hidden)) {
    // 1 for normal numbers; 0 for zeros and subnormals; none for inf/NaN.
    const bool normal = d.cls == FloatClass::Normal;
    if (d.cls != FloatClass::Infinity && d.cls != FloatClass::NaN) draw_box(-1, normal, pal.hidden, true);
  }
  return changed;
}

}  // namespace mantissa::app
