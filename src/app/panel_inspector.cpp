// The Inspector tab: one number in every format side by side.
//
//   input      value field (decimal, hex-float, or a bit pattern read in a
//              chosen format), rounding mode, saturate / flush-to-zero, a
//              custom eXmY row
//   expansion  the input's binary expansion with a cut mark where each
//              format's precision ends; the focused format's deciding bit
//   rows       per format: bit boxes (click flips, drag paints: the row
//              becomes the source), exact value, error, neighbours, class;
//              the focused row also draws its rounding decision
//
// Everything shown comes from the core's ConvertReport (inspector_model.h),
// recomputed only when the inputs change.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/app.h"
#include "app/adaptive.h"
#include "app/bits.h"
#include "app/fonts.h"
#include "app/format_text.h"
#include "app/inspector_model.h"
#include "app/panels.h"
#include "app/style.h"
#include "app/widgets.h"
#include "imgui.h"

namespace mantissa::app {
namespace {

BoundField g_value_field;
BoundField g_custom_field;
// The focus the panel last drew: a different one in the scenario came from
// elsewhere (a preset, a link), and its row is scrolled into view.
std::string g_seen_focus;

bool accept_value(const std::string& text, void* context, std::string* error) {
  InspectorScenario probe = *static_cast<const InspectorScenario*>(context);
  probe.value = text;
  InspectorModel ignored;
  return compute_inspector(probe, &ignored, error);
}

bool accept_custom(const std::string& text, void*, std::string* error) {
  if (text.empty()) return true;
  Format f;
  return parse_any_format(text, &f, error);
}

// Where each format's kept bits end in the input's expansion: the number of
// leading bits kept (may be <= 0 for tiny values), or nullopt when there is
// nothing to cut (inf, nan, zero, overflow).
std::optional<int> kept_bits(const InspectorModel& m, const InspectorRow& row) {
  if (m.expansion_bits.empty()) return std::nullopt;
  const RoundInfo& info = row.report.rounding;
  if (info.overflow) return std::nullopt;
  return m.expansion_exp - info.kept_exp + 1;
}

// The input's bit with exponent e (0 above the leading bit; past the shown
// bits, unknown: reported as 0 with *more telling whether non-zero bits follow).
char expansion_bit(const InspectorModel& m, int e) {
  if (e > m.expansion_exp) return '0';
  const size_t i = static_cast<size_t>(m.expansion_exp - e);
  return i < m.expansion_bits.size() ? m.expansion_bits[i] : '0';
}

// --- Input ---------------------------------------------------------------------

void draw_input(Scenario& sc, const InspectorModel& m) {
  InspectorScenario& s = sc.inspector;
  const float avail = ImGui::GetContentRegionAvail().x;
  const bool narrow = avail < px(700);

  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Value");
  ImGui::SameLine();
  // Narrow: the rest of the line (up to the scrollbar, never under it).
  const float value_w = narrow ? ImGui::GetContentRegionAvail().x : std::min(px(420), avail * 0.45f);
  bound_input("##value", g_value_field, &s.value, value_w, accept_value, &s);
  anchor_item("inspector:value");
  if (ImGui::IsItemHovered() && g_value_field.error.empty()) {
    ImGui::SetTooltip(
        "A decimal (1.12156456132, 1e-8), a hex-float (0x1.2p-3), inf, nan,\n"
        "or a bit pattern (0x3c7c, 0b0011110001111100) read in the format on the right.");
  }
  if (!narrow) ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  text_muted("bit patterns read as");
  ImGui::SameLine();
  std::string custom_name;
  if (!s.custom.empty()) {
    Format f;
    std::string ignored;
    if (parse_any_format(s.custom, &f, &ignored)) custom_name = f.name;
  }
  format_combo("##from", &s.from, px(120), custom_name.c_str());
  anchor_item("inspector:from");
  draw_field_error(g_value_field);

  // Rounding controls.
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Rounding");
  ImGui::SameLine();
  mode_combo("##mode", &s.mode, px(190));
  anchor_item("inspector:mode");
  if (s.mode == "stochastic") {
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    text_muted("seed");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(px(110));
    ImGui::PushFont(mono_font());
    ImGui::InputScalar("##seed", ImGuiDataType_U64, &s.seed);
    ImGui::PopFont();
    anchor_item("inspector:seed");
  }
  ImGui::SameLine(0, px(16));
  if (ImGui::GetContentRegionAvail().x < px(300)) ImGui::NewLine();
  ImGui::Checkbox("Saturate", &s.saturate);
  anchor_item("inspector:saturate");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Overflow clamps to the largest finite value instead of inf.");
  ImGui::SameLine();
  ImGui::Checkbox("Flush subnormals", &s.ftz);
  anchor_item("inspector:ftz");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Subnormal results become zero (flush-to-zero).");
  ImGui::SameLine(0, px(16));
  if (ImGui::GetContentRegionAvail().x < px(230)) ImGui::NewLine();
  ImGui::AlignTextToFramePadding();
  text_muted("custom row");
  ImGui::SameLine();
  bound_input("##custom", g_custom_field, &s.custom, px(110), accept_custom, nullptr);
  anchor_item("inspector:custom");
  if (ImGui::IsItemHovered() && g_custom_field.error.empty()) {
    ImGui::SetTooltip(
        "Any format as eXmY (exponent and fraction bits), e.g. e4m3, e6m9;\n"
        "eXmYfn for the OCP FP8 scheme without infinities.");
  }
  draw_field_error(g_custom_field);

  // What the input is, exactly.
  if (m.valid) {
    ImGui::PushFont(mono_font());
    std::string what;
    if (m.input_kind == "bits") {
      what = "bit pattern in " + m.input_bits_format + " = " + with_minus(m.input.to_string());
    } else if (m.input_kind == "hex-float") {
      what = "hex-float = " + with_minus(m.input.to_string());
    }
    if (!what.empty()) {
      ImGui::PushTextWrapPos(0);
      text_muted(what);
      ImGui::PopTextWrapPos();
    }
    ImGui::PopFont();
  }
}

// --- Binary expansion with cut marks -------------------------------------------------

void draw_expansion(const InspectorModel& m, int focus) {
  const Palette& pal = palette();
  ImGui::AlignTextToFramePadding();
  text_muted("binary");
  ImGui::SameLine(0, px(12));
  ImGui::PushFont(mono_font());
  if (m.expansion_bits.empty()) {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(with_minus(m.input.to_string()).c_str());
    ImGui::PopFont();
    return;
  }
  ImFont* font = mono_font();
  const float cw = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, "0").x;
  const float lh = ImGui::GetTextLineHeight();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const std::string suffix = " \xc3\x97 2^" + with_minus(std::to_string(m.expansion_exp));
  const float suffix_w = ImGui::CalcTextSize(suffix.c_str()).x + cw;
  const float sign_w = m.input.negative ? cw : 0;
  const float avail = ImGui::GetContentRegionAvail().x;
  const int fit = static_cast<int>((avail - suffix_w - sign_w) / cw) - 2;
  const int shown = std::clamp(fit, 8, static_cast<int>(m.expansion_bits.size()));
  const bool more = m.expansion_more || shown < static_cast<int>(m.expansion_bits.size());

  auto bit_x = [&](int i) { return origin.x + sign_w + (i == 0 ? 0.0f : (i + 1) * cw); };
  auto cut_x = [&](int k) { return (bit_x(k - 1) + cw + bit_x(k)) * 0.5f; };

  const std::optional<int> focus_kept =
      focus >= 0 ? kept_bits(m, m.rows[static_cast<size_t>(focus)]) : std::nullopt;
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  if (m.input.negative) dl->AddText(origin, text, "\xe2\x88\x92");
  for (int i = 0; i < shown; ++i) {
    ImU32 c = text;
    if (focus_kept) {
      if (i == *focus_kept)
        c = pal.guard;
      else if (i == *focus_kept + 1)
        c = pal.round;
      else if (i > *focus_kept + 1)
        c = pal.muted;
    }
    const char bit[2] = {m.expansion_bits[static_cast<size_t>(i)], 0};
    dl->AddText(ImVec2(bit_x(i), origin.y), c, bit);
    if (i == 0) dl->AddText(ImVec2(bit_x(0) + cw, origin.y), text, ".");
  }
  float end = bit_x(shown);
  if (more) {
    dl->AddText(ImVec2(end, origin.y), pal.muted, "\xe2\x80\xa6");
    end += cw;
  }
  dl->AddText(ImVec2(end, origin.y), pal.muted, suffix.c_str());

  // Cut marks: one per distinct number of kept bits, labels stacked in lanes
  // so that close cuts (e5m2 at 3 bits, e4m3 at 4) stay readable.
  struct Cut {
    int k;
    std::string label;
    bool focus;
  };
  std::vector<Cut> cuts;
  for (size_t r = 0; r < m.rows.size(); ++r) {
    const std::optional<int> k = kept_bits(m, m.rows[r]);
    if (!k || *k < 1 || *k > shown) continue;
    auto it = std::find_if(cuts.begin(), cuts.end(), [&](const Cut& c) { return c.k == *k; });
    if (it == cuts.end()) {
      cuts.push_back({*k, m.rows[r].format.name, static_cast<int>(r) == focus});
    } else {
      it->label += " " + m.rows[r].format.name;
      it->focus = it->focus || static_cast<int>(r) == focus;
    }
  }
  // Labels hang to the right of their cut's line, stacked in lanes. Placed
  // from the rightmost cut leftwards, a label goes one lane below every label
  // its text would reach, so no line ever runs through another cut's label
  // (close cuts, like e5m2 at 3 bits, e4m3 at 4 and bf16 at 8, form a stair).
  std::sort(cuts.begin(), cuts.end(), [](const Cut& a, const Cut& b) { return a.k > b.k; });
  struct Placed {
    float x;
    int lane;
  };
  std::vector<Placed> placed;
  const float label_scale = 0.82f;
  const float label_size = font->FontSize * label_scale;
  const float lane_h = label_size + px(2);
  const float top = origin.y - px(2);
  const float base = origin.y + lh + px(3);
  int lanes = 0;
  for (const Cut& c : cuts) {
    const float x = cut_x(c.k);
    const ImVec2 ts = font->CalcTextSizeA(label_size, FLT_MAX, 0, c.label.c_str());
    const float label_x = x + px(4);
    int lane = 0;
    for (const Placed& p : placed) {
      if (p.x <= label_x + ts.x + px(6)) lane = std::max(lane, p.lane + 1);
    }
    placed.push_back({x, lane});
    lanes = std::max(lanes, lane + 1);
    const float y = base + lane * lane_h;
    const ImU32 col = c.focus ? pal.cut : pal.muted;
    dl->AddLine(ImVec2(x, top), ImVec2(x, y + label_size * 0.5f), col, c.focus ? px(1.6f) : px(1));
    dl->AddLine(ImVec2(x, y + label_size * 0.5f), ImVec2(x + px(3), y + label_size * 0.5f), col, px(1));
    dl->AddText(font, label_size, ImVec2(label_x, y), col, c.label.c_str());
    // For the layout tests: no cut's line may cross another cut's label.
    anchor_rect("ruler:line:" + std::to_string(c.k), x - px(0.5f), top, x + px(0.5f), y + label_size * 0.5f);
    anchor_rect("ruler:label:" + std::to_string(c.k), label_x, y, label_x + ts.x, y + ts.y);
  }
  ImGui::Dummy(ImVec2(end + suffix_w - origin.x, lh + px(4) + lanes * lane_h));
  ImGui::PopFont();
}

// --- The rounding decision of the focused row -----------------------------------------

void draw_decision(const InspectorScenario& s, const InspectorModel& m, const InspectorRow& row) {
  const Palette& pal = palette();
  const ConvertReport& r = row.report;
  const RoundInfo& info = r.rounding;
  ImGui::PushTextWrapPos(0);
  text_muted("Rounding into " + row.format.name + ", " + mode_long_name(s.mode) +
             (s.mode == "stochastic" ? " (seed " + std::to_string(s.seed) + ")" : ""));
  const std::optional<int> kept = kept_bits(m, row);
  if (!r.input.is_finite()) {
    ImGui::TextUnformatted("Not a finite number: nothing to round.");
  } else if (r.input.is_zero()) {
    ImGui::TextUnformatted("Zero is exact in every format.");
  } else if (info.overflow) {
    text_colored(pal.warn,
                 "\xe2\x9a\xa0 Overflow: the value is beyond the largest finite " + row.format.name +
                     (info.saturated ? " value; saturation clamps it there."
                                     : (row.format.has_inf() ? " value and rounds to infinity."
                                                             : " value; this format has no infinity: NaN.")));
  } else if (kept) {
    // The kept significand, then the guard, round and sticky bits.
    ImGui::PushFont(mono_font());
    ImFont* font = mono_font();
    const float cw = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, "0").x;
    const float lh = ImGui::GetTextLineHeight();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    const float avail = ImGui::GetContentRegionAvail().x;
    const int top = std::max(m.expansion_exp, info.kept_exp);  // leading shown exponent
    const int kept_count = top - info.kept_exp + 1;
    const int sticky_shown = std::clamp(static_cast<int>(avail / cw) - kept_count - 8, 4, 24);
    float x = o.x;
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    for (int e = top; e >= info.kept_exp; --e) {
      const char b[2] = {expansion_bit(m, e), 0};
      dl->AddText(ImVec2(x, o.y), text, b);
      x += cw;
      if (e == 0 && e != info.kept_exp) {
        dl->AddText(ImVec2(x, o.y), text, ".");
        x += cw;
      }
    }
    // The cut.
    x += cw * 0.3f;
    dl->AddLine(ImVec2(x, o.y - px(2)), ImVec2(x, o.y + lh + px(2)), pal.cut, px(1.6f));
    x += cw * 0.5f;
    const float g_x = x;
    const char gb[2] = {expansion_bit(m, info.kept_exp - 1), 0};
    dl->AddText(ImVec2(x, o.y), pal.guard, gb);
    x += cw;
    const float r_x = x;
    const char rb[2] = {expansion_bit(m, info.kept_exp - 2), 0};
    dl->AddText(ImVec2(x, o.y), pal.round, rb);
    x += cw;
    const float s_x0 = x;
    for (int i = 0; i < sticky_shown; ++i) {
      const char b[2] = {expansion_bit(m, info.kept_exp - 3 - i), 0};
      dl->AddText(ImVec2(x, o.y), pal.sticky, b);
      x += cw;
    }
    dl->AddText(ImVec2(x, o.y), pal.muted, "\xe2\x80\xa6");
    const float s_x1 = x + cw;
    // Labels under the deciding bits.
    const float ly = o.y + lh + px(2);
    const float small = font->FontSize * 0.85f;
    const float small_cw = cw * 0.85f;
    dl->AddText(font, small, ImVec2(g_x + (cw - small_cw) * 0.5f, ly), pal.guard, "G");
    dl->AddText(font, small, ImVec2(r_x + (cw - small_cw) * 0.5f, ly), pal.round, "R");
    const float bracket_y = ly + small * 0.5f;
    dl->AddLine(ImVec2(s_x0 + px(1), bracket_y), ImVec2(s_x1 - px(1), bracket_y), pal.sticky, px(1));
    dl->AddLine(ImVec2(s_x0 + px(1), bracket_y - px(3)), ImVec2(s_x0 + px(1), bracket_y), pal.sticky, px(1));
    dl->AddLine(ImVec2(s_x1 - px(1), bracket_y - px(3)), ImVec2(s_x1 - px(1), bracket_y), pal.sticky, px(1));
    const std::string grs = std::to_string(std::max(0, kept_count)) + " bits kept" +
                            (*kept < row.format.precision() ? " (subnormal range)" : "") +
                            " \xc2\xb7 guard " + (info.guard ? "1" : "0") + ", round " +
                            (info.round ? "1" : "0") + ", sticky " + (info.sticky ? "1" : "0") +
                            " (OR of every later bit)";
    dl->AddText(font, small, ImVec2(o.x, ly + small + px(2)), pal.muted, grs.c_str());
    ImGui::Dummy(ImVec2(std::min(s_x1 - o.x + px(40), avail), lh + 2 * small + px(8)));
    ImGui::PopFont();

    // The decision in words, and the direction.
    const std::string direction = info.direction == RoundDirection::Up     ? "\xe2\x86\x91 "
                                  : info.direction == RoundDirection::Down ? "\xe2\x86\x93 "
                                                                           : "\xe2\x9c\x93 ";
    const ImU32 dir_color = info.direction == RoundDirection::Up     ? pal.up
                            : info.direction == RoundDirection::Down ? pal.down
                                                                     : pal.good;
    text_colored(dir_color, direction + row.why);
    // The threshold in numbers: what was cut off, against half an ULP.
    if (info.inexact && r.error_ulp && r.ulp && !info.flushed) {
      const double e = std::fabs(*r.error_ulp);
      const double cut = info.direction == RoundDirection::Up ? 1.0 - e : e;
      const Decimal half_ulp = *r.ulp * Decimal::from_digits("5", -1);
      text_muted("the bits past the cut are worth " + ratio_text(cut, "%.4f") + " ulp; half an ulp is " +
                 half_ulp.to_plain() + " (ulp " + r.ulp->to_plain() + ")");
    }
    if (info.flushed) text_colored(pal.warn, "Flush-to-zero turned the subnormal result into zero.");
  }
  if (row.via_fp32) {
    const StoredValue& v = row.via_fp32->result;
    text_colored(pal.warn, "\xe2\x9a\xa0 Rounding via fp32 first (the tutorial's path) gives " +
                               hex_bits(v.format, v.bits) + " = " + with_minus(v.value.to_string()) +
                               " instead of " + hex_bits(r.result.format, r.result.bits) +
                               ": double rounding.");
  }
  ImGui::PopTextWrapPos();
}

// --- Format rows ----------------------------------------------------------------------

struct RowLayout {
  float name_w = 0;
  float box = 14;
  bool narrow = false;  // names above the bits, boxes sized per row
};

const char* class_name(FloatClass c) { return float_class_name(c); }

ImU32 class_color(FloatClass c) {
  const Palette& pal = palette();
  switch (c) {
    case FloatClass::Normal:
      return pal.good;
    case FloatClass::Subnormal:
      return pal.warn;
    case FloatClass::Zero:
      return pal.muted;
    case FloatClass::Infinity:
    case FloatClass::NaN:
      return pal.error;
  }
  return pal.muted;
}

void draw_row(Scenario& sc, const InspectorModel& m, size_t index, const RowLayout& L, bool focused) {
  InspectorScenario& s = sc.inspector;
  const InspectorRow& row = m.rows[index];
  const ConvertReport& r = row.report;
  const Format& f = row.format;
  const Palette& pal = palette();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  ImGui::PushID(f.name.c_str());
  dl->ChannelsSplit(2);
  dl->ChannelsSetCurrent(1);
  const ImVec2 card0 = ImGui::GetCursorScreenPos();
  const float pad = px(6);
  ImGui::SetCursorScreenPos(ImVec2(card0.x + pad, card0.y + pad));
  ImGui::BeginGroup();

  // Format name: click to focus the row (its rounding decision is drawn).
  const float x0 = ImGui::GetCursorPosX();
  ImGui::PushFont(mono_font());
  const std::string label = (focused ? "\xe2\x96\xb6 " : "  ") + f.name;
  if (ImGui::Selectable(label.c_str(), false, 0, ImVec2(L.narrow ? 0 : L.name_w - px(8), 0))) {
    s.focus = f.name;
    g_seen_focus = s.focus;
  }
  ImGui::PopFont();
  anchor_item("row:" + f.name);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show how %s rounds this value", f.name.c_str());
  if (!L.narrow) ImGui::SameLine(x0 + L.name_w);

  BitBoxStyle style;
  style.editable = true;
  if (L.narrow) {
    // A phone: boxes stay big enough to tap (24 CSS px); a row that does
    // not fit continues on the next lines.
    style.box = px(24);
    style.wrap = ImGui::GetContentRegionAvail().x - pad;
  } else {
    style.box = L.box;
  }
  uint64_t bits = r.result.bits;
  const float bits_x = ImGui::GetCursorPosX();
  const ImVec2 bits_origin = ImGui::GetCursorScreenPos();
  if (bit_boxes("bits", f, &bits, style)) {
    s.value = hex_bits(f, bits);
    s.from = f.name;
    s.focus = f.name;
    g_seen_focus = s.focus;
  }
  anchor_item("bits:" + f.name);
  for (int i = 0; i < f.width(); ++i) {
    const ImVec2 at = bit_box_pos(f, i, style);
    const float bx = bits_origin.x + at.x, by = bits_origin.y + at.y;
    anchor_rect("bit:" + f.name + ":" + std::to_string(i), bx, by, bx + style.box, by + style.box);
  }

  // Second line: class (under the name), hex, exact value, error, neighbours.
  ImGui::SetCursorPosX(x0 + px(14));
  badge(class_name(r.result.fields.cls), class_color(r.result.fields.cls));
  if (L.narrow) {
    ImGui::SameLine(0, px(10));
  } else {
    ImGui::SameLine(bits_x);
  }
  ImGui::PushFont(mono_font());
  set_flow_indent(L.narrow ? -1.0f : bits_x);
  ImGui::TextUnformatted(hex_bits(f, r.result.bits).c_str());
  const std::string exact = r.result.value.to_string();
  if (flow_exact("= " + with_minus(exact), exact, 0, 10)) {
    ImGui::SetTooltip("%s\n%s", hex_float(f, r.result.bits).c_str(),
                      integer_times_pow2(f, r.result.bits).c_str());
  }
  if (r.error_abs) {
    std::string err = r.error_abs->is_zero() ? "exact" : "error " + short_decimal(*r.error_abs, 16, 5);
    flow_text(err, r.error_abs->is_zero() ? pal.good : 0, 20);
    if (ImGui::IsItemHovered() && !r.error_abs->is_zero()) {
      ImGui::SetTooltip("error = stored \xe2\x88\x92 input = %s",
                        with_minus(r.error_abs->to_plain()).c_str());
    }
    if (!r.error_abs->is_zero()) {
      std::string rel = r.error_rel ? "rel " + ratio_text(*r.error_rel) : "";
      std::string ulps = r.error_ulp ? ratio_text(*r.error_ulp, "%.3f") + " ulp" : "";
      if (!rel.empty()) flow_text(rel, pal.muted, 12);
      if (!ulps.empty()) flow_text(ulps, pal.muted, 12);
    }
  }
  if (r.result.value.is_finite()) {
    const bool down = has_next_down(f, r.result.bits), up = has_next_up(f, r.result.bits);
    // Enough digits to tell the neighbours apart: about precision·log10(2) + 2.
    const int sig = static_cast<int>(f.precision() * 0.30103) + 2;
    std::string nb = "neighbours " + (down ? short_value(r.next_down, 14, sig) : std::string("none")) +
                     " \xc2\xb7 " + (up ? short_value(r.next_up, 14, sig) : std::string("none"));
    flow_text(nb, pal.muted, 20);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("below: %s\nabove: %s\nulp: %s", down ? r.next_down.to_string().c_str() : "none",
                        up ? r.next_up.to_string().c_str() : "none", r.ulp ? r.ulp->to_plain().c_str() : "-");
    }
  }
  ImGui::PopFont();
  set_flow_indent(-1.0f);
  if (row.via_fp32) {
    ImGui::SameLine(0, px(12));
    badge("\xe2\x9a\xa0 via fp32 differs", pal.warn);
    if (ImGui::IsItemHovered()) {
      ImGui::SetTooltip("fp32 first, then %s, gives %s: double rounding", f.name.c_str(),
                        hex_bits(f, row.via_fp32->result.bits).c_str());
    }
  }

  if (focused) {
    ImGui::Spacing();
    if (!L.narrow) ImGui::SetCursorPosX(bits_x);
    ImGui::BeginGroup();
    draw_decision(s, m, row);
    ImGui::EndGroup();
  }
  ImGui::EndGroup();
  const ImVec2 group_max = ImGui::GetItemRectMax();
  const ImVec2 card1(card0.x + ImGui::GetContentRegionAvail().x, group_max.y + pad);
  ImGui::SetCursorScreenPos(ImVec2(card0.x, card1.y));
  ImGui::Dummy(ImVec2(card1.x - card0.x, 0));
  dl->ChannelsSetCurrent(0);
  dl->AddRectFilled(card0, card1, focused ? pal.focus_bg : pal.card_bg, px(6));
  if (focused) dl->AddRectFilled(card0, ImVec2(card0.x + px(3), card1.y), pal.accent, px(2));
  dl->ChannelsMerge();
  ImGui::PopID();
}

void draw_rows(Scenario& sc, const InspectorModel& m, int focus) {
  const float avail = ImGui::GetContentRegionAvail().x;
  RowLayout L;
  L.name_w = px(112);
  // One box size for every row, so the columns line up: fp64 decides it.
  const float bits_room = avail - L.name_w - px(20);
  L.box = fit_box_size(fp64(), bits_room, px(6), px(20), true);
  L.narrow = L.box < px(9) || narrow_layout();
  // (Not on the first frame: the page opens at the top, with the input.)
  static bool first = true;
  const bool focus_moved = sc.inspector.focus != g_seen_focus && !first;
  first = false;
  g_seen_focus = sc.inspector.focus;
  for (size_t i = 0; i < m.rows.size(); ++i) {
    if (focus_moved && static_cast<int>(i) == focus) {
      // Into view if its top or (roughly) its decision block is hidden.
      const float y = ImGui::GetCursorScreenPos().y;
      const float top = ImGui::GetWindowPos().y, bottom = top + ImGui::GetWindowSize().y;
      if (y < top || y + px(200) > bottom) ImGui::SetScrollHereY(0.15f);
    }
    draw_row(sc, m, i, L, static_cast<int>(i) == focus);
    ImGui::Dummy(ImVec2(0, px(2)));
  }
}

void draw_legend() {
  const Palette& pal = palette();
  auto swatch = [&](ImU32 c, const char* name, bool outline) {
    const float s = ImGui::GetTextLineHeight() * 0.7f;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float y = p.y + (ImGui::GetTextLineHeight() - s) * 0.5f;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    if (outline) {
      dl->AddRect(ImVec2(p.x, y), ImVec2(p.x + s, y + s), c, px(2), 0, px(1.5f));
    } else {
      dl->AddRectFilled(ImVec2(p.x, y), ImVec2(p.x + s, y + s), c, px(2));
    }
    ImGui::Dummy(ImVec2(s, s));
    ImGui::SameLine(0, px(4));
    text_muted(name);
  };
  // Each entry goes on the line when it fits, on the next otherwise.
  auto next = [&](const char* name) {
    same_line_or_wrap(ImGui::GetTextLineHeight() + px(4) + ImGui::CalcTextSize(name).x, px(14));
  };
  swatch(pal.sign, "sign", false);
  next("exponent");
  swatch(pal.exponent, "exponent", false);
  next("hidden bit (not stored)");
  swatch(pal.hidden, "hidden bit (not stored)", true);
  next("mantissa");
  swatch(pal.mantissa, "mantissa", false);
  const char* hint =
      narrow_layout() ? "tap a bit to flip it, drag to paint" : "click a bit to flip it, drag to paint";
  same_line_or_wrap(ImGui::CalcTextSize(hint).x, px(14));
  text_muted(hint);
}

}  // namespace

void draw_inspector_panel(Scenario& sc) {
  std::string error, custom_error;
  const InspectorModel& m = inspector_model(sc.inspector, &error, &custom_error);
  ImGui::Spacing();
  draw_input(sc, m);
  if (!m.valid) return;
  const int focus = std::max(0, inspector_row_index(m, sc.inspector.focus));
  ImGui::Spacing();
  draw_expansion(m, focus);
  ImGui::Spacing();
  draw_legend();
  ImGui::Spacing();
  draw_rows(sc, m, focus);
}

// "inputs": the InspectorScenario fields.
// "results": {
//   "input": exact input value, "input_kind": "decimal" | "hex-float" | "bits" | "inf" | "nan",
//   "input_binary": the core's binary expansion, "error": "" or the input's parse error,
//   "focus": the focused row's format,
//   "rows": [{ "format", "bits" (hex), "binary" (fields), "class", "value" (exact),
//              "error_abs" (exact, absent when not finite), "error_rel", "error_ulp" (numbers),
//              "next_down", "next_up" (exact or null), "direction", "guard", "round", "sticky",
//              "overflow", "via_fp32" (hex bits when rounding via fp32 differs, else null) }]
// }
void write_inspector_state(JsonWriter& w, const Scenario& sc) {
  const InspectorScenario& s = sc.inspector;
  std::string error;
  const InspectorModel& m = inspector_model(s, &error);
  w.key("inputs").begin_object();
  w.field("value", s.value);
  w.field("from", s.from);
  w.field("mode", s.mode);
  w.field("seed", s.seed);
  w.field("saturate", s.saturate);
  w.field("ftz", s.ftz);
  w.field("custom", s.custom);
  w.field("focus", s.focus);
  w.end_object();
  w.key("results").begin_object();
  w.field("error", g_value_field.error.empty() ? error : g_value_field.error);
  if (m.valid) {
    w.field("input", m.input.to_string());
    w.field("input_kind", m.input_kind);
    w.field("input_binary", binary_expansion(m.input, 80));
    const int focus = inspector_row_index(m, s.focus);
    w.field("focus", focus >= 0 ? m.rows[static_cast<size_t>(focus)].format.name : std::string());
    w.key("rows").begin_array();
    for (const InspectorRow& row : m.rows) {
      const ConvertReport& r = row.report;
      const Format& f = row.format;
      w.begin_object();
      w.field("format", f.name);
      w.field("custom", row.custom);
      w.field("bits", hex_bits(f, r.result.bits));
      w.field("binary", binary_fields(f, r.result.bits));
      w.field("class", float_class_name(r.result.fields.cls));
      w.field("value", r.result.value.to_string());
      if (r.error_abs) w.field("error_abs", r.error_abs->to_plain());
      if (r.error_rel) w.field("error_rel", *r.error_rel);
      if (r.error_ulp) w.field("error_ulp", *r.error_ulp);
      w.key("next_down");
      if (has_next_down(f, r.result.bits))
        w.value(r.next_down.to_string());
      else
        w.null();
      w.key("next_up");
      if (has_next_up(f, r.result.bits))
        w.value(r.next_up.to_string());
      else
        w.null();
      w.field("direction", round_direction_name(r.rounding.direction));
      w.field("guard", r.rounding.guard ? 1 : 0);
      w.field("round", r.rounding.round ? 1 : 0);
      w.field("sticky", r.rounding.sticky ? 1 : 0);
      w.field("overflow", r.rounding.overflow);
      w.key("via_fp32");
      if (row.via_fp32)
        w.value(hex_bits(f, row.via_fp32->result.bits));
      else
        w.null();
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

std::string inspector_announcement(const Scenario& sc) {
  const InspectorScenario& s = sc.inspector;
  const InspectorModel& m = inspector_model(s);
  if (!m.valid) return "Inspector: type a number.";
  const int focus = std::max(0, inspector_row_index(m, s.focus));
  const ConvertReport& r = m.rows[static_cast<size_t>(focus)].report;
  const Format& f = m.rows[static_cast<size_t>(focus)].format;
  std::string input = m.input_kind == "bits" ? s.value + " (" + m.input_bits_format + " bits, " +
                                                   with_minus(m.input.to_string()) + ")"
                                             : with_minus(s.value);
  std::string out = input + " in " + f.name + " is " + with_minus(r.result.value.to_string());
  if (r.error_abs) {
    out += r.error_abs->is_zero() ? ", exact" : ", error " + short_decimal(*r.error_abs, 24, 8);
  }
  if (r.rounding.overflow) out += " (overflow)";
  return out + ".";
}

}  // namespace mantissa::app
