// The Blocks tab (issue 14): values quantized to a block-scaled format (MX
// or NVFP4), bit by bit:
//
//   inputs    the format, the scale rule, the element rounding; typed values
//             (up to 64) or generated ones; the outlier's value, draggable
//   summary   SQNR of the block format beside plain fp8-e4m3, fp16, bf16;
//             clipped and flushed counts; NVFP4's per-tensor fp32 scale
//   chart     each element's error (dequantized - input) as a bar
//   blocks    per block: the shared scale's bits and value, then one row per
//             element: its bits, element value, dequantized value, error
//
// Nothing here computes: every figure is a field of the model
// (blocks_model.h), which is the core's QuantizeReport.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "app/adaptive.h"
#include "app/app.h"
#include "app/bits.h"
#include "app/blocks_model.h"
#include "app/fonts.h"
#include "app/panels.h"
#include "app/plot.h"
#include "app/style.h"
#include "app/widgets.h"
#include "core/value.h"
#include "imgui.h"

namespace mantissa::app {
namespace {

BoundField g_values_field;
BoundField g_outlier_field;
PlotState g_chart;

bool accept_values(const std::string& text, void* context, std::string* error) {
  BlocksScenario probe = *static_cast<const BlocksScenario*>(context);
  probe.values = text;
  probe.outlier.clear();  // typed values pick their own outlier
  BlocksModel m;
  return text.empty() || compute_blocks(probe, &m, error);
}

bool accept_outlier(const std::string& text, void* context, std::string* error) {
  BlocksScenario probe = *static_cast<const BlocksScenario*>(context);
  probe.outlier = text;
  BlocksModel m;
  return compute_blocks(probe, &m, error);
}

// A combo over a fixed list of names; anchors "<id>:<name>" for tests.
bool name_combo(const char* label, const char* anchor, std::string* value,
                std::initializer_list<const char*> names, float width) {
  bool changed = false;
  ImGui::SetNextItemWidth(width);
  if (ImGui::BeginCombo(label, value->c_str())) {
    for (const char* n : names) {
      if (ImGui::Selectable(n, *value == n)) {
        changed = *value != n;
        *value = n;
      }
      anchor_item(std::string(anchor) + ":" + n);
    }
    ImGui::EndCombo();
  }
  anchor_item(anchor);
  return changed;
}

std::string db_text(double db) {
  if (std::isnan(db)) return "NaN";
  if (std::isinf(db)) return "exact";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f dB", db);
  return buf;
}

// --- Inputs -------------------------------------------------------------------------------

void draw_inputs(BlocksScenario& s) {
  const float w = field_width(px(150));
  field_label("Format");
  name_combo("##bk-format", "blocks-format", &s.format,
             {"mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e2m3", "mxfp6-e3m2", "mxfp4", "mxint8", "nvfp4"}, w);
  same_line_or_wrap(px(220));
  const bool nv = s.format == "nvfp4";
  ImGui::BeginDisabled(nv);
  field_label("Scale rule");
  name_combo("##bk-rule", "blocks-rule", &s.rule, {"ocp", "ceil"}, field_width(px(90)));
  ImGui::EndDisabled();
  ImGui::SameLine();
  help_marker(
      nv ? "NVFP4's E4M3 block scale has its own published rule: round_to_e4m3(amax / 6 * s_enc)."
         : "ocp (MX spec 6.3): 2^(floor(log2 amax) - emax of the element); the largest value can clip.\n"
           "ceil (NVIDIA): the smallest power of two with amax / S <= max element; never clips.");
  same_line_or_wrap(px(260));
  field_label("Elements round");
  mode_combo("##bk-mode", &s.mode, field_width(px(200)));
  if (s.mode == "stochastic") {
    same_line_or_wrap(px(160));
    field_label("Seed");
    ImGui::SetNextItemWidth(field_width(px(110)));
    ImGui::InputScalar("##bk-seed", ImGuiDataType_U64, &s.seed);
  }

  field_label("Values");
  if (bound_input("##bk-values", g_values_field, &s.values, field_width(px(520)), accept_values, &s)) {
    s.outlier.clear();
  }
  anchor_item("blocks-values");
  draw_field_error(g_values_field);
  if (s.values.empty()) {
    field_label("Generate");
    if (name_combo("##bk-gen", "blocks-gen", &s.gen, {"normal", "uniform", "outlier"}, field_width(px(110))))
      s.outlier.clear();
    same_line_or_wrap(px(200));
    int count = static_cast<int>(s.count);
    ImGui::SetNextItemWidth(field_width(px(160)));
    if (ImGui::SliderInt("##bk-count", &count, 1, static_cast<int>(kMaxBlockValues), "%d values")) {
      s.count = static_cast<uint64_t>(count);
      s.outlier.clear();
    }
    anchor_item("blocks-count");
    same_line_or_wrap(px(160));
    field_label("Seed");
    ImGui::SetNextItemWidth(field_width(px(90)));
    if (ImGui::InputScalar("##bk-gseed", ImGuiDataType_U64, &s.gen_seed)) s.outlier.clear();
    text_muted(s.gen == "outlier"
                   ? "normal(0, 1) as fp32, one value times 100 (empty the field above to generate)"
                   : "fp32 values (type numbers above to use your own)");
  } else if (ImGui::SmallButton("Generate instead")) {
    s.values.clear();
    s.outlier.clear();
  }
}

// The outlier: its value typed exactly, or dragged (relative steps).
void draw_outlier(BlocksScenario& s, const BlocksModel& m) {
  if (m.outlier_index < 0) return;
  double v = m.values[static_cast<size_t>(m.outlier_index)];
  field_label("Outlier");
  ImGui::SetNextItemWidth(field_width(px(180)));
  const float speed = static_cast<float>(std::max(std::fabs(v) * 0.01, 1e-3));
  if (ImGui::DragScalar("##bk-outlier", ImGuiDataType_Double, &v, speed, nullptr, nullptr, "%.6g")) {
    s.outlier = shortest_decimal(v);
  }
  anchor_item("blocks-outlier");
  same_line_or_wrap(px(200));
  bound_input("##bk-outlier-text", g_outlier_field, &s.outlier, field_width(px(160)), accept_outlier, &s);
  if (!s.outlier.empty()) {
    same_line_or_wrap(px(60));
    if (ImGui::SmallButton("reset")) s.outlier.clear();
  }
  draw_field_error(g_outlier_field);
  text_muted("element " + std::to_string(m.outlier_index) +
             ", the largest magnitude: drag it and watch its " + "neighbours lose their bits");
}

// --- Results ------------------------------------------------------------------------------

void draw_summary(const BlocksModel& m) {
  const QuantizeReport& r = m.report;
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted((r.format.name + ": " + r.format.element.name + " elements, " + r.format.scale.name +
                          " scale per " + std::to_string(r.block) + ", " + std::to_string(r.blocks.size()) +
                          " block" + (r.blocks.size() == 1 ? "" : "s"))
                             .c_str());
  ImGui::PopTextWrapPos();
  ImGui::PushFont(mono_font());
  text_colored(palette().accent, "SQNR " + r.format.name + "  " + db_text(r.sqnr_db));
  for (const tensors::FormatStats& p : m.plain) {
    same_line_or_wrap(px(170), px(18));
    text_muted(p.format + "  " + db_text(p.sqnr_db()) +
               (p.overflow ? " (" + std::to_string(p.overflow) + " overflow)" : ""));
  }
  ImGui::PopFont();
  if (r.clipped) text_colored(palette().warn, std::to_string(r.clipped) + " clipped to the element's max");
  if (r.clipped) same_line_or_wrap(px(200), px(18));
  text_colored(r.flushed ? palette().warn : palette().muted, std::to_string(r.flushed) + " flushed to zero");
  if (r.format.tensor_scale) {
    ImGui::PushTextWrapPos(0);
    text_muted("Per-tensor fp32 scale s_enc = 6 * 448 / amax (amax " + quantize_exact_text(r.amax_tensor) +
               "):");
    ImGui::PopTextWrapPos();
    uint32_t bits = 0;
    const float se = r.tensor_scale;
    std::memcpy(&bits, &se, sizeof bits);
    uint64_t b64 = bits;
    BitBoxStyle st;
    st.box = px(12);
    st.wrap = ImGui::GetContentRegionAvail().x;
    bit_boxes("tensor-scale", fp32(), &b64, st);
    flow_exact("= " + quantize_exact_text(r.tensor_scale), quantize_exact_text(r.tensor_scale));
  }
}

void draw_error_chart(const BlocksModel& m) {
  static std::vector<double> xs, ys, rel;
  xs.clear();
  ys.clear();
  for (size_t i = 0; i < m.values.size(); ++i) {
    const QuantizedBlock& b = m.report.blocks[i / static_cast<size_t>(m.report.block)];
    const QuantizedElement& e = b.elements[i % static_cast<size_t>(m.report.block)];
    xs.push_back(static_cast<double>(i));
    ys.push_back(e.dequantized - e.input);
  }
  PlotSeries bars;
  bars.name = "error";
  bars.color = palette().accent;
  bars.x = xs;
  bars.y = ys;
  bars.style = PlotSeries::Style::Bars;
  bars.bar_width = 0.8;
  PlotSpec spec;
  spec.id = "blocks-errors";
  spec.title = "Errors";
  spec.caption = "dequantized - input, per element";
  spec.x_label = "element";
  spec.integer_x = true;
  spec.height = 150;
  spec.file_name = "mantissa-block-errors";
  if (m.outlier_index >= 0)
    spec.marks.push_back({static_cast<double>(m.outlier_index), palette().warn, "outlier"});
  std::vector<PlotSeries> series = {bars};
  draw_plot(spec, series, g_chart);
}

void draw_element(const QuantizeReport& r, const QuantizedBlock& b, size_t k, float box) {
  const QuantizedElement& e = b.elements[k];
  const size_t i = b.first + k;
  ImGui::PushID(static_cast<int>(i));
  ImGui::PushFont(mono_font());
  ImGui::AlignTextToFramePadding();
  text_muted((i < 10 ? " " : "") + std::to_string(i));
  ImGui::SameLine();
  uint64_t bits = e.bits;
  BitBoxStyle st;
  st.box = box;
  st.show_hidden = false;
  bit_boxes("el", r.format.element, &bits, st);
  anchor_item("blocks-el:" + std::to_string(i));
  const std::string element = b.non_finite ? "NaN" : exact_value(r.format.element, e.bits).to_string();
  flow_text(element + " \xc3\x97 scale", palette().muted, px(10));
  const ImU32 tone = e.clipped ? palette().warn : e.flushed ? palette().error : 0;
  flow_exact("= " + quantize_exact_text(e.dequantized), quantize_exact_text(e.dequantized), tone, px(10));
  flow_exact("from " + quantize_exact_text(e.input), quantize_exact_text(e.input), palette().muted, px(10));
  const std::string err = quantize_error_text(e.dequantized, e.input);
  flow_exact("error " + err, err, palette().muted, px(10));
  ImGui::PopFont();
  if (e.clipped) {
    ImGui::SameLine();
    badge("clipped", palette().warn);
  }
  if (e.flushed) {
    ImGui::SameLine();
    badge("flushed to zero", palette().error);
  }
  ImGui::PopID();
}

void draw_block(const QuantizeReport& r, size_t index) {
  const QuantizedBlock& b = r.blocks[index];
  ImGui::Separator();
  ImGui::PushTextWrapPos(0);
  ImGui::Text("Block %zu: elements %zu..%zu", index, b.first, b.first + b.elements.size() - 1);
  ImGui::PopTextWrapPos();
  uint64_t bits = b.scale_bits;
  BitBoxStyle st;
  st.box = px(14);
  st.show_hidden = false;
  ImGui::AlignTextToFramePadding();
  text_muted("scale " + r.format.scale.name);
  ImGui::SameLine();
  bit_boxes("scale", r.format.scale, &bits, st);
  anchor_item("blocks-scale:" + std::to_string(index));
  ImGui::PushFont(mono_font());
  const std::string value = b.non_finite ? "NaN (a NaN or inf in the block)" : quantize_exact_text(b.scale);
  flow_text(
      "= " + value + (r.format.tensor_scale || b.non_finite ? "" : " = 2^" + std::to_string(b.scale_exp)), 0,
      px(10));
  ImGui::PopFont();
  if (b.scale_clamped) flow_text("(clamped to E8M0's range)", palette().warn);
  flow_text("SQNR " + db_text(b.sqnr_db) + ", " + std::to_string(b.clipped) + " clipped, " +
                std::to_string(b.flushed) + " flushed",
            palette().muted);
  const float box = std::min(px(14), ImGui::GetContentRegionAvail().x / 16);
  for (size_t k = 0; k < b.elements.size(); ++k) draw_element(r, b, k, box);
}

}  // namespace

void draw_blocks_panel(Scenario& sc) {
  BlocksScenario& s = sc.blocks;
  draw_inputs(s);
  std::string error;
  const BlocksModel& m = blocks_model(s, &error);
  if (!error.empty()) {
    ImGui::PushTextWrapPos(0);
    text_colored(palette().error, "\xe2\x9a\xa0 " + error);
    ImGui::PopTextWrapPos();
  }
  if (m.report.blocks.empty()) return;
  draw_outlier(s, m);
  ImGui::Spacing();
  draw_summary(m);
  ImGui::Spacing();
  draw_error_chart(m);
  for (size_t i = 0; i < m.report.blocks.size(); ++i) draw_block(m.report, i);
}

void write_blocks_state(JsonWriter& w, const Scenario& sc) {
  std::string error;
  const BlocksModel& m = blocks_model(sc.blocks, &error);
  write_blocks_model_state(w, sc.blocks, m, error);
}

std::string blocks_announcement(const Scenario& sc) {
  std::string error;
  const BlocksModel& m = blocks_model(sc.blocks, &error);
  return blocks_model_announcement(sc.blocks, m, error);
}

}  // namespace mantissa::app
