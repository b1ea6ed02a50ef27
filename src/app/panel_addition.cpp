// The Addition tab: a + b (or a − b, a × b, a × b + c) traced the way a
// floating-point unit does it, from the core's OperationTrace (trace.h):
//
//   inputs      operands with their own formats, the arithmetic format, the
//               rounding mode, saturate / flush-to-zero
//   summary     the result, its exact value and error; "update lost" in words
//   walkthrough Prev / Next / Play over the steps, or every step at once
//               (each step's card: addition_steps.cpp)
//   compare     the same operands with an fp32 weight (the tutorial's
//               mixed-precision fix), side by side, the difference highlighted
//
// Nothing here computes: every figure is a field of the trace.
#include <algorithm>
#include <cmath>

#include "app/adaptive.h"
#include "app/addition_steps.h"
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
    // On a phone the value takes what the format picker leaves of the row.
    const float combo_w = px(112);
    const float fill = ImGui::GetContentRegionAvail().x - combo_w - ImGui::GetStyle().ItemSpacing.x;
    const float value_w = narrow_layout() ? std::max(px(120), fill) : narrow ? px(170) : px(230);
    bound_input("##value", g_fields[i], values[i], value_w, accept_operand, &context);
    anchor_item(std::string("addition:") + labels[i]);
    same_line_or_wrap(combo_w);
    format_combo("##format", formats[i], combo_w);
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
  // The rest of the row wraps where it runs out of room (a phone).
  same_line_or_wrap(ImGui::CalcTextSize("in").x + ImGui::GetStyle().ItemSpacing.x + px(112));
  ImGui::AlignTextToFramePadding();
  text_muted("in");
  ImGui::SameLine();
  format_combo("##arith", &s.format, px(112));
  anchor_item("addition:format");
  same_line_or_wrap(px(180));
  mode_combo("##mode", &s.mode, px(180));
  anchor_item("addition:mode");
  if (s.mode == "stochastic") {
    same_line_or_wrap(px(100) + ImGui::CalcTextSize("seed").x + ImGui::GetStyle().ItemInnerSpacing.x);
    ImGui::SetNextItemWidth(px(100));
    ImGui::InputScalar("seed##seed", ImGuiDataType_U64, &s.seed);
  }
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  same_line_or_wrap(box + ImGui::CalcTextSize("Saturate").x, px(14));
  ImGui::Checkbox("Saturate", &s.saturate);
  same_line_or_wrap(box + ImGui::CalcTextSize("Flush subnormals").x);
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
  // Wrapped: on a phone these lines are wider than the screen.
  ImGui::PushTextWrapPos(0);
  text_muted(where + " \xc2\xb7 " + mode_long_name(s.mode));
  ImGui::PopTextWrapPos();
  if (t.error_abs) {
    ImGui::PushFont(mono_font());
    ImGui::PushTextWrapPos(0);
    if (t.error_abs->is_zero()) {
      text_colored(pal.good, "\xe2\x9c\x93 exact");
    } else {
      text_colored(pal.down, "exact " + with_minus(t.exact.to_string()) + ", error " +
                                 with_minus(t.error_abs->to_plain()));
    }
    ImGui::PopTextWrapPos();
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
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  same_line_or_wrap(box + ImGui::CalcTextSize("Show all steps").x, px(14));
  bool show_all = all;
  if (ImGui::Checkbox("Show all steps", &show_all)) {
    s.step = show_all ? -1 : 0;
    g_play.playing = false;
  }
  anchor_item("addition:all");
  const std::string where = all ? std::to_string(count) + " steps"
                                : "step " + std::to_string(s.step + 1) + " of " + std::to_string(count);
  same_line_or_wrap(ImGui::CalcTextSize(where.c_str()).x, px(14));
  ImGui::AlignTextToFramePadding();
  text_muted(where);
  same_line_or_wrap(box + ImGui::CalcTextSize("Compare with an fp32 weight").x, px(14));
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
