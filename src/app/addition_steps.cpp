// The Addition panel's walkthrough, one card per step of an OperationTrace:
// the significands in aligned bit columns, the shifted-out bits landing in
// guard / round / sticky, the sum, normalisation, rounding, the result.
#include "app/addition_steps.h"

#if __has_include("core/trace.h")
#include <algorithm>
#include <cmath>

#include "app/adaptive.h"
#include "app/app.h"
#include "app/bits.h"
#include "app/fonts.h"
#include "app/format_text.h"
#include "app/style.h"
#include "app/widgets.h"
#include "imgui.h"

namespace mantissa::app {

const char* operand_name(int i) {
  static const char* names[] = {"a", "b", "c", "a\xc3\x97\x62"};
  return i >= 0 && i < 4 ? names[i] : "?";
}

const char* op_symbol(TraceOp op) {
  switch (op) {
    case TraceOp::Add:
      return "+";
    case TraceOp::Sub:
      return "\xe2\x88\x92";
    case TraceOp::Mul:
      return "\xc3\x97";
    case TraceOp::Fma:
      return "\xc3\x97";
  }
  return "+";
}

namespace {

// --- Bit columns ------------------------------------------------------------------------
// Significands drawn one above the other, each bit in the column of its
// power of two, so a shift is an offset and a sum lines up under its terms.

struct ColumnRow {
  std::string label;
  const BitRow* row = nullptr;
  ImU32 color = 0;
  bool dim = false;
  // Guard, round and sticky drawn after the row's last bit (Align).
  bool grs = false;
  bool g = false, r = false, s = false;
};

struct Columns {
  int max_msb = 0, min_lsb = 0;
  std::optional<int> cut;  // the last kept exponent: a line after it
};

void draw_columns(const std::vector<ColumnRow>& rows, const Columns& c) {
  const Palette& pal = palette();
  ImGui::PushFont(mono_font());
  ImFont* font = mono_font();
  const float cw = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, "0").x;
  const float lh = ImGui::GetTextLineHeightWithSpacing();
  float label_w = 0;
  for (const ColumnRow& r : rows) label_w = std::max(label_w, ImGui::CalcTextSize(r.label.c_str()).x);
  label_w += px(10);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 o = ImGui::GetCursorScreenPos();
  const float x0 = o.x + label_w;
  // Column of exponent e; the binary point sits between 2^0 and 2^-1.
  // A little room after the last kept bit, for the cut line.
  auto x_of = [&](int e) {
    float x = x0 + (c.max_msb - e) * cw;
    if (c.max_msb >= 0 && e < 0) x += cw * 0.6f;
    if (c.cut && e < *c.cut) x += cw * 0.5f;
    return x;
  };
  const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
  float y = o.y;
  float right = x0;
  for (const ColumnRow& r : rows) {
    dl->AddText(ImVec2(o.x, y), pal.muted, r.label.c_str());
    if (r.row) {
      const BitRow& b = *r.row;
      for (size_t i = 0; i < b.bits.size(); ++i) {
        const int e = b.msb_exp() - static_cast<int>(i);
        ImU32 col = r.color ? r.color : text;
        if (c.cut && e < *c.cut) col = e == *c.cut - 1 ? pal.guard : e == *c.cut - 2 ? pal.round : pal.sticky;
        if (r.dim) col = pal.muted;
        const char bit[2] = {b.bits[i], 0};
        dl->AddText(ImVec2(x_of(e), y), col, bit);
      }
      if (c.max_msb >= 0 && b.lsb_exp < 0 && b.msb_exp() >= 0) {
        dl->AddText(ImVec2(x_of(0) + cw * 0.85f, y), r.dim ? pal.muted : text, ".");
      }
      int end_e = b.lsb_exp - 1;
      if (r.grs) {
        const char gb[2] = {r.g ? '1' : '0', 0}, rb[2] = {r.r ? '1' : '0', 0};
        dl->AddText(ImVec2(x_of(end_e), y), pal.guard, gb);
        dl->AddText(ImVec2(x_of(end_e - 1), y), pal.round, rb);
        const char sb[2] = {r.s ? '1' : '0', 0};
        dl->AddText(ImVec2(x_of(end_e - 2), y), pal.sticky, sb);
        end_e -= 3;
      } else if (b.sticky) {
        dl->AddText(ImVec2(x_of(end_e), y), pal.sticky, "\xe2\x80\xa6");
        end_e -= 1;
      }
      right = std::max(right, x_of(end_e) + cw);
    }
    y += lh;
  }
  if (c.cut) {
    const float x = x_of(*c.cut - 1) - cw * 0.25f;
    dl->AddLine(ImVec2(x, o.y - px(2)), ImVec2(x, y - px(4)), pal.cut, px(1.5f));
  }
  ImGui::Dummy(ImVec2(right - o.x, y - o.y));
  ImGui::PopFont();
}

Columns span_of(std::initializer_list<const BitRow*> rows, int extra_low = 0) {
  Columns c;
  bool first = true;
  for (const BitRow* r : rows) {
    if (!r || r->bits.empty()) continue;
    c.max_msb = first ? r->msb_exp() : std::max(c.max_msb, r->msb_exp());
    c.min_lsb = first ? r->lsb_exp : std::min(c.min_lsb, r->lsb_exp);
    first = false;
  }
  c.min_lsb -= extra_low;
  return c;
}

void grs_legend(bool g, bool r, bool s) {
  const Palette& pal = palette();
  ImGui::PushFont(mono_font());
  text_colored(pal.guard, std::string("guard ") + (g ? "1" : "0"));
  ImGui::SameLine();
  text_colored(pal.round, std::string("round ") + (r ? "1" : "0"));
  ImGui::SameLine();
  text_colored(pal.sticky, std::string("sticky ") + (s ? "1" : "0"));
  ImGui::PopFont();
}

// --- Steps ------------------------------------------------------------------------------

void draw_stored(const char* id, const Format& f, uint64_t bits) {
  BitBoxStyle style;
  style.box = fit_box_size(f, ImGui::GetContentRegionAvail().x * 0.9f, px(5), px(16), true);
  bit_boxes(id, f, &bits, style);
  ImGui::PushFont(mono_font());
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted((hex_bits(f, bits) + "  = " + with_minus(exact_value(f, bits).to_string())).c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
}

std::string step_title(const TraceStep& st, const OperationTrace& t) {
  const std::string who = operand_name(st.operand);
  switch (st.kind) {
    case TraceStepKind::Decode:
      return "Decode " + who + " (" + st.format.name + ")";
    case TraceStepKind::Convert:
      return (st.pad_bits >= 0 ? "Widen " : "Round ") + who + " from " + st.from_format.name + " to " +
             st.format.name;
    case TraceStepKind::Align:
      return "Align " + who + ": shift right " + std::to_string(st.shift) +
             (st.shift == 1 ? " place" : " places");
    case TraceStepKind::Add:
      return "Add the significands";
    case TraceStepKind::Sub:
      return "Subtract the significands";
    case TraceStepKind::Mul:
      return "Multiply the significands, add the exponents";
    case TraceStepKind::Normalize:
      if (st.shift == 0) return "Normalise: already in place";
      return std::string("Normalise: shift ") + (st.shift > 0 ? "right " : "left ") +
             std::to_string(std::abs(st.shift));
    case TraceStepKind::Round:
      return "Round to " + std::to_string(t.format.precision()) + " bits (" +
             mode_long_name(rounding_mode_name(st.options.mode)) + ")";
    case TraceStepKind::Result:
      return "Result in " + st.format.name;
    case TraceStepKind::Special:
      switch (st.special) {
        case SpecialKind::UpdateLost:
          return "The update is lost";
        case SpecialKind::NanOperand:
          return "A NaN operand";
        case SpecialKind::InvalidInfMinusInf:
          return "inf \xe2\x88\x92 inf is invalid";
        case SpecialKind::InvalidZeroTimesInf:
          return "0 \xc3\x97 inf is invalid";
        case SpecialKind::Infinity:
          return "An infinite operand";
        case SpecialKind::SignedZero:
          return "An exact zero: its sign";
        case SpecialKind::ZeroOperand:
          return "A zero operand";
        case SpecialKind::SubnormalOperand:
          return "A subnormal operand: no hidden bit";
        case SpecialKind::SubnormalResult:
          return "A subnormal result";
        case SpecialKind::Flushed:
          return "Flushed to zero";
        case SpecialKind::Overflow:
          return "Overflow";
        case SpecialKind::Saturated:
          return "Saturated";
        case SpecialKind::None:
          break;
      }
      return "Special case";
  }
  return "";
}

void draw_special(const TraceStep& st, const OperationTrace& t) {
  const Palette& pal = palette();
  ImGui::PushTextWrapPos(0);
  switch (st.special) {
    case SpecialKind::UpdateLost: {
      const int small = st.operand;
      const int big = small == 0 ? 1 : 0;
      const std::string sv = with_minus(t.converted[static_cast<size_t>(small)].value.to_string());
      const std::string bv = with_minus(t.converted[static_cast<size_t>(big)].value.to_string());
      text_colored(pal.warn, "\xe2\x9a\xa0 " + std::string(operand_name(small)) + " = " + sv +
                                 " is below half an ULP of " + operand_name(big) + " = " + bv + " in " +
                                 t.format.name + ": the sum rounds back to " + bv + ".");
      if (st.threshold) {
        ImGui::TextUnformatted(("half an ULP of " + bv + " is " + st.threshold->to_plain() + "; " +
                                operand_name(big) + " is " + ratio_text(st.ratio, "%.0f") +
                                "\xc3\x97 larger. In " + t.format.name + ", an addend smaller than 2^" +
                                with_minus(std::to_string(-st.ratio_rule_log2)) + " (1/" +
                                std::to_string(1LL << std::min(st.ratio_rule_log2, 62)) +
                                ") of the other operand is always at risk of vanishing.")
                                   .c_str());
      }
      break;
    }
    case SpecialKind::SubnormalOperand:
      ImGui::TextUnformatted(
          "The exponent field is 0: the significand starts with 0 and the exponent is pinned at emin.");
      break;
    case SpecialKind::SubnormalResult:
      ImGui::TextUnformatted(
          "The result lies below the smallest normal number: fewer bits of precision remain.");
      break;
    case SpecialKind::Overflow:
      text_colored(pal.error,
                   "The rounded magnitude exceeds the largest finite " + t.format.name + " value.");
      break;
    case SpecialKind::Saturated:
      ImGui::TextUnformatted("Overflow clamps to the largest finite value.");
      break;
    case SpecialKind::Flushed:
      ImGui::TextUnformatted("Flush-to-zero: the subnormal result becomes zero.");
      break;
    case SpecialKind::SignedZero:
      ImGui::TextUnformatted(
          (std::string("The exact result is zero; its sign is ") + (st.negative ? "negative" : "positive") +
           (st.effective_subtract ? " (x \xe2\x88\x92 x is +0, or \xe2\x88\x92\x30 when rounding down)."
                                  : "."))
              .c_str());
      break;
    case SpecialKind::ZeroOperand:
      ImGui::TextUnformatted(
          (std::string(operand_name(st.operand)) + " is zero: no alignment needed.").c_str());
      break;
    default:
      ImGui::TextUnformatted("IEEE 754 decides this case without arithmetic on the significands.");
      break;
  }
  ImGui::PopTextWrapPos();
}

void draw_step_body(const TraceStep& st, const OperationTrace& t, int index) {
  const Palette& pal = palette();
  ImGui::PushID(index);
  switch (st.kind) {
    case TraceStepKind::Decode: {
      draw_stored("bits", st.format, st.bits);
      break;
    }
    case TraceStepKind::Convert: {
      ImGui::PushTextWrapPos(0);
      std::string what =
          "exponent re-biased by " + with_minus((st.rebias >= 0 ? "+" : "") + std::to_string(st.rebias));
      if (st.pad_bits > 0) what += ", " + std::to_string(st.pad_bits) + " zero bits appended to the fraction";
      if (st.pad_bits < 0) what += ", " + std::to_string(-st.pad_bits) + " fraction bits rounded off";
      what += st.exact ? " (exact)" : " (inexact: the value changed)";
      text_muted(what);
      ImGui::PopTextWrapPos();
      draw_stored("bits", st.format, st.bits);
      break;
    }
    case TraceStepKind::Align: {
      // The operand first in the big operand's columns (leading bits lined
      // up), then where it has to be: `shift` places to the right.
      static BitRow unshifted;
      unshifted = st.before;
      unshifted.lsb_exp += st.shift;
      std::vector<ColumnRow> rows;
      ColumnRow before{std::string(operand_name(st.operand)) + " as is", &unshifted, 0, true};
      ColumnRow after{"shifted", &st.after, pal.accent, false, true, st.guard, st.round_bit, st.sticky};
      rows.push_back(before);
      rows.push_back(after);
      Columns c = span_of({&unshifted, &st.after});
      c.cut = st.after.lsb_exp;
      draw_columns(rows, c);
      grs_legend(st.guard, st.round_bit, st.sticky);
      if (st.collapsed) {
        ImGui::SameLine();
        text_muted("(shifted past guard and round: all of it is sticky)");
      }
      break;
    }
    case TraceStepKind::Add:
    case TraceStepKind::Sub:
    case TraceStepKind::Mul: {
      const char* sym = st.kind == TraceStepKind::Mul ? "\xc3\x97"
                        : st.effective_subtract       ? "\xe2\x88\x92"
                                                      : "+";
      std::vector<ColumnRow> rows = {{"", &st.lhs}, {sym, &st.rhs}, {"=", &st.sum, pal.accent}};
      Columns c = span_of({&st.lhs, &st.rhs, &st.sum});
      if (st.kind != TraceStepKind::Mul) c.cut = st.lhs.msb_exp() - t.format.precision() + 1;
      draw_columns(rows, c);
      if (st.carry_out) text_muted("the sum carried into a new place on the left");
      if (st.leading_zeros > 0)
        text_muted("cancellation: " + std::to_string(st.leading_zeros) + " leading places lost");
      break;
    }
    case TraceStepKind::Normalize: {
      std::vector<ColumnRow> rows = {{"raw", &st.before, 0, true}, {"normal", &st.after, pal.accent}};
      Columns c = span_of({&st.before, &st.after});
      c.cut = st.after.msb_exp() - t.format.precision() + 1;
      draw_columns(rows, c);
      text_muted("leading bit at 2^" + with_minus(std::to_string(st.exponent_after)) +
                 (st.exponent_after != st.exponent_before
                      ? " (was 2^" + with_minus(std::to_string(st.exponent_before)) + ")"
                      : ""));
      break;
    }
    case TraceStepKind::Round: {
      std::vector<ColumnRow> rows = {
          {"kept", &st.before, 0, false, true, st.rounding.guard, st.rounding.round, st.rounding.sticky},
          {"rounded", &st.significand, pal.accent}};
      Columns c = span_of({&st.before, &st.significand});
      c.cut = st.before.lsb_exp;
      draw_columns(rows, c);
      grs_legend(st.rounding.guard, st.rounding.round, st.rounding.sticky);
      const RoundDirection d = st.rounding.direction;
      const std::string dir = d == RoundDirection::Up     ? "\xe2\x86\x91 rounded up (away from zero)"
                              : d == RoundDirection::Down ? "\xe2\x86\x93 rounded down (toward zero)"
                                                          : "\xe2\x9c\x93 exact: nothing to round";
      ImGui::SameLine(0, px(16));
      text_colored(d == RoundDirection::Up ? pal.up : d == RoundDirection::Down ? pal.down : pal.good, dir);
      if (st.renormalized) text_muted("rounding up carried into the next binade");
      break;
    }
    case TraceStepKind::Result: {
      draw_stored("bits", st.format, st.bits);
      ImGui::PushFont(mono_font());
      ImGui::PushTextWrapPos(0);
      text_muted("exact " + with_minus(st.exact_result.to_string()));
      if (st.error_abs) {
        const std::string err =
            st.error_abs->is_zero()
                ? "exact: no rounding error"
                : "error " + with_minus(st.error_abs->to_plain()) +
                      (st.error_ulp ? "  (" + ratio_text(*st.error_ulp, "%.4f") + " ulp)" : "");
        text_colored(st.error_abs->is_zero() ? pal.good : pal.down, err);
      }
      ImGui::PopTextWrapPos();
      ImGui::PopFont();
      break;
    }
    case TraceStepKind::Special:
      draw_special(st, t);
      break;
  }
  ImGui::PopID();
}

}  // namespace

void draw_step(const TraceStep& st, const OperationTrace& t, int index, bool current,
               const std::string& prefix) {
  const Palette& pal = palette();
  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->ChannelsSplit(2);
  dl->ChannelsSetCurrent(1);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  const float pad = px(8);
  ImGui::SetCursorScreenPos(ImVec2(p0.x + pad, p0.y + pad * 0.6f));
  ImGui::BeginGroup();
  text_colored(current ? pal.accent : ImGui::GetColorU32(ImGuiCol_Text),
               std::to_string(index + 1) + ". " + step_title(st, t));
  draw_step_body(st, t, index);
  ImGui::EndGroup();
  const float w = ImGui::GetContentRegionAvail().x + (ImGui::GetCursorScreenPos().x - p0.x);
  const ImVec2 p1(p0.x + std::max(w, ImGui::GetItemRectSize().x + 2 * pad),
                  ImGui::GetItemRectMax().y + pad * 0.6f);
  anchor_rect(prefix + "step:" + std::to_string(index), p0.x, p0.y, p1.x, p1.y);
  ImGui::SetCursorScreenPos(ImVec2(p0.x, p1.y));
  ImGui::Dummy(ImVec2(0, px(2)));
  dl->ChannelsSetCurrent(0);
  const bool lost = st.kind == TraceStepKind::Special && st.special == SpecialKind::UpdateLost;
  dl->AddRectFilled(p0, p1, current ? pal.focus_bg : pal.card_bg, px(6));
  if (current || lost) dl->AddRectFilled(p0, ImVec2(p0.x + px(3), p1.y), lost ? pal.warn : pal.accent, px(2));
  dl->ChannelsMerge();
}

}  // namespace mantissa::app

#endif
