// The Addition tab: a + b (or a − b, a × b, a × b + c) traced the way a
// floating-point unit does it, from the core's OperationTrace (trace.h):
//
//   inputs      operands with their own formats, the arithmetic format, the
//               rounding mode, saturate / flush-to-zero
//   summary     the result, its exact value and error; "update lost" in words
//   walkthrough Prev / Next / Play over the steps, or every step at once: the
//               significands in aligned bit columns, the shifted-out bits
//               landing in guard / round / sticky, the sum, normalisation,
//               rounding, the result
//   compare     the same operands with an fp32 weight (the tutorial's
//               mixed-precision fix), side by side, the difference highlighted
//
// Nothing here computes: every figure is a field of the trace.
#include <algorithm>
#include <cmath>

#include "app/app.h"
#include "app/bits.h"
#include "app/fonts.h"
#include "app/format_text.h"
#include "app/panels.h"
#include "app/style.h"
#include "app/widgets.h"
#include "imgui.h"

// The panel needs the traced arithmetic (core/trace.h); without it (a tree
// where it has not landed yet) the tab says so and the app still builds.
#if __has_include("core/trace.h")
#include "core/trace.h"

namespace mantissa::app {
namespace {

// --- Model ------------------------------------------------------------------------

struct AdditionModel {
  bool valid = false;
  Explanation main;                 // as configured
  std::optional<Explanation> fp32;  // the same operands with an fp32 weight and fp32 arithmetic
};

bool build_request(const AdditionScenario& s, ExplainRequest* req, std::string* error) {
  if (!parse_trace_op(s.op, &req->op, error)) return false;
  if (!parse_format(s.format, &req->format, error)) return false;
  const int n = trace_op_arity(req->op);
  const std::string* values[] = {&s.a, &s.b, &s.c};
  const std::string* formats[] = {&s.a_format, &s.b_format, &s.c_format};
  req->values.clear();
  req->operand_formats.clear();
  for (int i = 0; i < n; ++i) {
    req->values.push_back(*values[i]);
    Format f;
    if (!parse_format(*formats[i], &f, error)) return false;
    req->operand_formats.push_back(f);
  }
  RoundingMode mode;
  if (!parse_rounding_mode(s.mode, &mode, error)) return false;
  req->options.mode = mode;
  req->options.seed = s.seed;
  req->options.saturate = s.saturate;
  req->options.ftz = s.ftz;
  return true;
}

bool compute_addition(const AdditionScenario& s, AdditionModel* out, std::string* error) {
  ExplainRequest req;
  if (!build_request(s, &req, error)) return false;
  AdditionModel m;
  if (!explain(req, &m.main, error)) return false;
  // The tutorial's fix: the weight (operand a) and the arithmetic in fp32,
  // the gradient (and c) in their own formats.
  ExplainRequest wide = req;
  wide.format = fp32();
  wide.operand_formats[0] = fp32();
  Explanation e;
  std::string ignored;
  if (explain(wide, &e, &ignored)) m.fp32 = std::move(e);
  m.valid = true;
  *out = std::move(m);
  return true;
}

// Recomputed only when an input that matters changes (not the step, not
// the comparison toggle).
const AdditionModel& addition_model(const AdditionScenario& s, std::string* error = nullptr) {
  static AdditionScenario last;
  static bool have = false;
  static AdditionModel model;
  static std::string last_error;
  AdditionScenario key = s;
  key.step = last.step;
  key.compare_fp32 = last.compare_fp32;
  if (!have || !(key == last)) {
    last = s;
    have = true;
    last_error.clear();
    AdditionModel fresh;
    if (compute_addition(s, &fresh, &last_error)) model = std::move(fresh);
  }
  if (error) *error = last_error;
  return model;
}

// --- View state (not in the scenario: playback is not part of a link) ----------------

struct Playback {
  bool playing = false;
  double next_at = 0;
};
Playback g_play;
constexpr double kStepSeconds = 1.1;

BoundField g_fields[3];

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

struct OperandContext {
  AdditionScenario* s;
  int index;
};

bool accept_operand(const std::string& text, void* context, std::string* error) {
  const auto* c = static_cast<const OperandContext*>(context);
  AdditionScenario probe = *c->s;
  std::string* values[] = {&probe.a, &probe.b, &probe.c};
  *values[c->index] = text;
  ExplainRequest req;
  Explanation e;
  return build_request(probe, &req, error) && explain(req, &e, error);
}

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

// --- Panel sections -------------------------------------------------------------------

void draw_inputs(AdditionScenario& s) {
  const bool narrow = ImGui::GetContentRegionAvail().x < px(760);
  TraceOp op = TraceOp::Add;
  std::string ignored;
  parse_trace_op(s.op, &op, &ignored);
  const int n = trace_op_arity(op);
  std::string* values[] = {&s.a, &s.b, &s.c};
  std::string* formats[] = {&s.a_format, &s.b_format, &s.c_format};
  static const char* labels[] = {"a", "b", "c"};
  static const char* hints[] = {"the weight", "the update (gradient)", "the addend"};
  for (int i = 0; i < n; ++i) {
    ImGui::PushID(i);
    ImGui::AlignTextToFramePadding();
    ImGui::PushFont(mono_font());
    ImGui::TextUnformatted(labels[i]);
    ImGui::PopFont();
    ImGui::SameLine();
    OperandContext context{&s, i};
    bound_input("##value", g_fields[i], values[i], narrow ? px(170) : px(230), accept_operand, &context);
    anchor_item(std::string("addition:") + labels[i]);
    ImGui::SameLine();
    format_combo("##format", formats[i], px(112));
    anchor_item(std::string("addition:") + labels[i] + "_format");
    if (!narrow) {
      ImGui::SameLine();
      ImGui::AlignTextToFramePadding();
      text_muted(i < 2 && op != TraceOp::Mul && op != TraceOp::Fma ? hints[i] : "");
    }
    draw_field_error(g_fields[i]);
    ImGui::PopID();
  }
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Operation");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(px(110));
  static const char* ops[] = {"add", "sub", "mul", "fma"};
  static const char* op_labels[] = {"a + b", "a \xe2\x88\x92 b", "a \xc3\x97 b", "a \xc3\x97 b + c"};
  int current = 0;
  for (int i = 0; i < 4; ++i) {
    if (s.op == ops[i]) current = i;
  }
  if (ImGui::BeginCombo("##op", op_labels[current])) {
    for (int i = 0; i < 4; ++i) {
      if (ImGui::Selectable(op_labels[i], i == current)) s.op = ops[i];
      anchor_item(std::string("op:") + ops[i]);
    }
    ImGui::EndCombo();
  }
  anchor_item("addition:op");
  ImGui::SameLine();
  ImGui::AlignTextToFramePadding();
  text_muted("in");
  ImGui::SameLine();
  format_combo("##arith", &s.format, px(112));
  anchor_item("addition:format");
  ImGui::SameLine();
  mode_combo("##mode", &s.mode, px(180));
  anchor_item("addition:mode");
  if (s.mode == "stochastic") {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(px(100));
    ImGui::InputScalar("seed##seed", ImGuiDataType_U64, &s.seed);
  }
  ImGui::SameLine(0, px(14));
  if (ImGui::GetContentRegionAvail().x < px(320)) ImGui::NewLine();
  ImGui::Checkbox("Saturate", &s.saturate);
  ImGui::SameLine();
  ImGui::Checkbox("Flush subnormals", &s.ftz);
}

void draw_summary(const AdditionScenario& s, const Explanation& e, const char* prefix) {
  const Palette& pal = palette();
  const OperationTrace& t = e.trace;
  std::string expr;
  for (size_t i = 0; i < t.operands.size(); ++i) {
    if (i == 1) expr += std::string(" ") + op_symbol(t.op) + " ";
    if (i == 2) expr += " + ";
    expr += with_minus(t.converted[i].value.to_string());
  }
  ImGui::PushFont(mono_font());
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted((expr + " = " + with_minus(t.result.value.to_string())).c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
  anchor_item(std::string(prefix) + "summary");
  std::string where = "in " + t.format.name;
  for (size_t i = 0; i < t.operands.size(); ++i) {
    where += std::string(i == 0 ? " \xc2\xb7 " : ", ") + operand_name(static_cast<int>(i)) + " in " +
             t.operands[i].format.name;
  }
  text_muted(where + " \xc2\xb7 " + mode_long_name(s.mode));
  if (t.error_abs) {
    ImGui::PushFont(mono_font());
    if (t.error_abs->is_zero()) {
      text_colored(pal.good, "\xe2\x9c\x93 exact");
    } else {
      text_colored(pal.down, "exact " + with_minus(t.exact.to_string()) + ", error " +
                                 with_minus(t.error_abs->to_plain()));
    }
    ImGui::PopFont();
  }
  if (t.update_lost) {
    ImGui::SameLine(0, px(10));
    badge("\xe2\x9a\xa0 update lost", pal.warn);
  }
}

void draw_controls(AdditionScenario& s, int count) {
  const bool all = s.step < 0;
  ImGui::BeginDisabled(all || s.step <= 0);
  if (ImGui::Button("\xe2\x97\x80 Prev")) {
    s.step = std::max(0, s.step - 1);
    g_play.playing = false;
  }
  ImGui::EndDisabled();
  anchor_item("addition:prev");
  ImGui::SameLine();
  ImGui::BeginDisabled(all || s.step >= count - 1);
  if (ImGui::Button("Next \xe2\x96\xb6")) {
    s.step = std::min(count - 1, s.step + 1);
    g_play.playing = false;
  }
  ImGui::EndDisabled();
  anchor_item("addition:next");
  ImGui::SameLine();
  if (ImGui::Button(g_play.playing ? "Pause" : "Play", ImVec2(px(70), 0))) {
    g_play.playing = !g_play.playing;
    if (g_play.playing) {
      if (s.step < 0 || s.step >= count - 1) s.step = 0;
      g_play.next_at = ImGui::GetTime() + kStepSeconds;
    }
  }
  anchor_item("addition:play");
  ImGui::SameLine(0, px(14));
  bool show_all = all;
  if (ImGui::Checkbox("Show all steps", &show_all)) {
    s.step = show_all ? -1 : 0;
    g_play.playing = false;
  }
  anchor_item("addition:all");
  ImGui::SameLine(0, px(14));
  ImGui::AlignTextToFramePadding();
  text_muted(all ? std::to_string(count) + " steps"
                 : "step " + std::to_string(s.step + 1) + " of " + std::to_string(count));
  ImGui::SameLine(0, px(14));
  bool compare = s.compare_fp32;
  if (ImGui::Checkbox("Compare with an fp32 weight", &compare)) s.compare_fp32 = compare;
  anchor_item("addition:compare");

  // Playback: one step per kStepSeconds, stopping at the last.
  if (g_play.playing && ImGui::GetTime() >= g_play.next_at) {
    if (s.step < count - 1) {
      ++s.step;
      g_play.next_at = ImGui::GetTime() + kStepSeconds;
    }
    if (s.step >= count - 1) g_play.playing = false;
  }
}

void draw_trace(const AdditionScenario& s, const Explanation& e, const char* prefix) {
  const OperationTrace& t = e.trace;
  const int count = static_cast<int>(t.steps.size());
  const int last = s.step < 0 ? count - 1 : std::min(s.step, count - 1);
  for (int i = 0; i <= last; ++i) {
    const bool current = s.step >= 0 && i == last;
    if (current && g_play.playing) ImGui::SetScrollHereY(0.8f);
    draw_step(t.steps[static_cast<size_t>(i)], t, i, current, prefix);
  }
}

void draw_comparison(const AdditionScenario& s, const AdditionModel& m) {
  const Palette& pal = palette();
  const OperationTrace& a = m.main.trace;
  const OperationTrace& b = m.fp32->trace;
  const bool differ = a.result.value.to_string() != b.result.value.to_string();
  ImGui::PushTextWrapPos(0);
  if (differ && a.result.value.is_finite() && b.result.value.is_finite()) {
    const Decimal diff = a.result.value.value - b.result.value.value;
    text_colored(pal.warn, "\xe2\x9a\xa0 The results differ by " + with_minus(diff.to_plain()) + ": " +
                               a.format.name + " gives " + with_minus(a.result.value.to_string()) +
                               ", an fp32 weight keeps " + with_minus(b.result.value.to_string()) + ".");
  } else if (differ) {
    text_colored(pal.warn, "\xe2\x9a\xa0 The results differ.");
  } else {
    text_colored(pal.good, "\xe2\x9c\x93 Both give " + with_minus(a.result.value.to_string()) + ".");
  }
  ImGui::PopTextWrapPos();
  const bool side = ImGui::GetContentRegionAvail().x >= px(900);
  if (side &&
      ImGui::BeginTable("compare", 2, ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_BordersInnerV)) {
    ImGui::TableNextColumn();
    text_colored(pal.accent, "As set above (" + a.format.name + ")");
    draw_summary(s, m.main, "main:");
    draw_trace(s, m.main, "");
    ImGui::TableNextColumn();
    text_colored(pal.accent, "With an fp32 weight and fp32 arithmetic");
    draw_summary(s, *m.fp32, "fp32:");
    AdditionScenario wide = s;
    if (wide.step >= 0) wide.step = std::min<int>(wide.step, static_cast<int>(b.steps.size()) - 1);
    draw_trace(wide, *m.fp32, "fp32:");
    ImGui::EndTable();
  } else {
    text_colored(pal.accent, "As set above (" + a.format.name + ")");
    draw_summary(s, m.main, "main:");
    draw_trace(s, m.main, "");
    ImGui::Separator();
    text_colored(pal.accent, "With an fp32 weight and fp32 arithmetic");
    draw_summary(s, *m.fp32, "fp32:");
    AdditionScenario wide = s;
    if (wide.step >= 0) wide.step = std::min<int>(wide.step, static_cast<int>(b.steps.size()) - 1);
    draw_trace(wide, *m.fp32, "fp32:");
  }
}

}  // namespace

void draw_addition_panel(Scenario& sc) {
  AdditionScenario& s = sc.addition;
  std::string error;
  const AdditionModel& m = addition_model(s, &error);
  ImGui::Spacing();
  draw_inputs(s);
  if (!m.valid) {
    text_colored(palette().error, error);
    return;
  }
  const int count = static_cast<int>(m.main.trace.steps.size());
  if (s.step >= count) s.step = count - 1;
  ImGui::Spacing();
  ImGui::Separator();
  ImGui::Spacing();
  draw_controls(s, count);
  ImGui::Spacing();
  if (s.compare_fp32 && m.fp32) {
    draw_comparison(s, m);
  } else {
    draw_summary(s, m.main, "main:");
    ImGui::Spacing();
    draw_trace(s, m.main, "");
  }
}

bool addition_playing() { return g_play.playing; }

// "inputs": the AdditionScenario fields.
// "results": {
//   "error": "" or the input error,
//   "format", "operands": [{"format", "bits", "value"}] (as converted into the
//   arithmetic format: "converted"), "result": {"format", "bits", "binary", "value"},
//   "exact": exact result of the converted operands, "error_abs" (exact; absent
//   when not finite), "update_lost", "step_count", "step" (-1 = all),
//   "steps": [kind names], "current": the current step's kind or null,
//   "fp32": {"result": {...}, "update_lost"} when the comparison is on
// }
void write_addition_state(JsonWriter& w, const Scenario& sc) {
  const AdditionScenario& s = sc.addition;
  std::string error;
  const AdditionModel& m = addition_model(s, &error);
  w.key("inputs").begin_object();
  w.field("op", s.op);
  w.field("a", s.a);
  w.field("b", s.b);
  w.field("c", s.c);
  w.field("a_format", s.a_format);
  w.field("b_format", s.b_format);
  w.field("c_format", s.c_format);
  w.field("format", s.format);
  w.field("mode", s.mode);
  w.field("seed", s.seed);
  w.field("saturate", s.saturate);
  w.field("ftz", s.ftz);
  w.field("compare_fp32", s.compare_fp32);
  w.field("step", s.step);
  w.end_object();
  w.key("results").begin_object();
  std::string field_error;
  for (const BoundField& f : g_fields) {
    if (field_error.empty()) field_error = f.error;
  }
  w.field("error", field_error.empty() ? error : field_error);
  if (m.valid) {
    auto write_result = [&](const OperationTrace& t) {
      w.key("result").begin_object();
      w.field("format", t.result.format.name);
      w.field("bits", hex_bits(t.result.format, t.result.bits));
      w.field("binary", binary_fields(t.result.format, t.result.bits));
      w.field("value", t.result.value.to_string());
      w.end_object();
      w.field("exact", t.exact.to_string());
      if (t.error_abs) w.field("error_abs", t.error_abs->to_plain());
      w.field("update_lost", t.update_lost);
    };
    const OperationTrace& t = m.main.trace;
    w.field("format", t.format.name);
    w.key("operands").begin_array();
    for (const StoredValue& v : t.converted) {
      w.begin_object();
      w.field("format", v.format.name);
      w.field("bits", hex_bits(v.format, v.bits));
      w.field("value", v.value.to_string());
      w.end_object();
    }
    w.end_array();
    write_result(t);
    const int count = static_cast<int>(t.steps.size());
    w.field("step_count", count);
    w.field("step", s.step);
    w.key("steps").begin_array();
    for (const TraceStep& st : t.steps) w.value(trace_step_kind_name(st.kind));
    w.end_array();
    w.key("current");
    if (s.step >= 0 && s.step < count) {
      w.value(trace_step_kind_name(t.steps[static_cast<size_t>(s.step)].kind));
    } else {
      w.null();
    }
    if (s.compare_fp32 && m.fp32) {
      w.key("fp32").begin_object();
      write_result(m.fp32->trace);
      w.end_object();
    }
  }
  w.end_object();
}

std::string addition_announcement(const Scenario& sc) {
  const AdditionScenario& s = sc.addition;
  const AdditionModel& m = addition_model(s);
  if (!m.valid) return "Addition: type two numbers.";
  const OperationTrace& t = m.main.trace;
  std::string out;
  for (size_t i = 0; i < t.converted.size(); ++i) {
    if (i == 1) out += std::string(" ") + op_symbol(t.op) + " ";
    if (i == 2) out += " + ";
    out += with_minus(t.converted[i].value.to_string());
  }
  out += " in " + t.format.name + " is " + with_minus(t.result.value.to_string());
  if (t.error_abs && !t.error_abs->is_zero()) out += ", error " + with_minus(t.error_abs->to_plain());
  if (t.update_lost) out += "; the update is lost";
  if (s.compare_fp32 && m.fp32)
    out += "; with an fp32 weight: " + with_minus(m.fp32->trace.result.value.to_string());
  return out + ".";
}

}  // namespace mantissa::app

#else  // no core/trace.h

namespace mantissa::app {

void draw_addition_panel(Scenario&) {
  ImGui::TextDisabled("Addition: needs the traced arithmetic (core/trace.h).");
}
bool addition_playing() { return false; }
void write_addition_state(JsonWriter& w, const Scenario& sc) {
  w.key("inputs").begin_object();
  w.field("a", sc.addition.a);
  w.field("b", sc.addition.b);
  w.end_object();
  w.key("results").begin_object().end_object();
}
std::string addition_announcement(const Scenario&) { return "Addition: not available in this build."; }

}  // namespace mantissa::app

#endif
