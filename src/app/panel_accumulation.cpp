// The Accumulation tab: dot products of K terms accumulated the ways
// hardware does it, their relative error against the exact value over K,
// and one tensor-core block walked through bit by bit.
//
//   presets       the three (accumulation_model.cpp)
//   inputs        input format, distribution, K list (with a log-spaced
//                 filler), accumulators (a picker of common ones + free
//                 text), trials, seed
//   run bar       progress, compute time, Cancel: gemm-error runs a chunk of
//                 trials per frame, so the page keeps drawing
//   plot          relative error vs K, log-log: per accumulator the median
//                 line and the p95..max band, the deterministic bound and
//                 sqrt(K) u dashed
//   table         the largest K's figures, and trial 0's result per accumulator
//   walkthrough   one block of a tc: model (core/dot_trace.h)
//
// Everything computed comes from the model (accumulation_model.h), which
// parses the scenario with the CLI's own parsers.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "app/accumulation_model.h"
#include "app/adaptive.h"
#include "app/app.h"
#include "app/fonts.h"
#include "app/panels.h"
#include "app/plot.h"
#include "app/style.h"
#include "app/widgets.h"
#include "core/dot_bounds.h"
#include "core/json.h"
#include "core/value.h"
#include "imgui.h"
#include "scenario/accumulation_checks.h"

namespace mantissa::app {
namespace {

// Compute per frame: about as long as the rest of the frame takes (drawing,
// the GPU, waiting for vsync), between these two. With a GPU a frame stays
// near 60 fps with ~8 ms of compute; where drawing itself is slow (software
// WebGL: 100+ ms a frame) the run still gets close to half the time instead
// of a sliver, and the page answers within a frame or two.
constexpr double kMinFrameBudgetSeconds = 0.008, kMaxFrameBudgetSeconds = 0.080;
double g_budget = kMinFrameBudgetSeconds;  // this frame's
double g_last_compute = 0;                 // seconds computed in the last frame

double frame_budget() {
  const double rest = static_cast<double>(ImGui::GetIO().DeltaTime) - g_last_compute;
  return std::clamp(rest, kMinFrameBudgetSeconds, kMaxFrameBudgetSeconds);
}

AccumulationRun g_run;
PlotState g_plot;

// Derived data, rebuilt when the run's results change.
struct Derived {
  uint64_t version = ~uint64_t{0};
  std::vector<AccumulationCurve> curves;
  std::vector<DotReport> sample;  // trial 0 at the largest K, when finished
} g_derived;

// The walkthrough, rebuilt when its inputs change.
struct BlockCache {
  bool valid = false;
  AccumulationScenario inputs;
  AccumulationBlock block;
} g_block;

const AccumulationBlock& current_block(const AccumulationScenario& d) {
  if (!g_block.valid || !(g_block.inputs == d)) {
    g_block.block = accumulation_block(d);
    g_block.inputs = d;
    g_block.valid = true;
  }
  return g_block.block;
}

void refresh_derived() {
  if (g_derived.version == g_run.version()) return;
  g_derived.version = g_run.version();
  g_derived.curves = g_run.curves();
  g_derived.sample.clear();
  if (g_run.status() == RunStatus::Finished) g_derived.sample = accumulation_sample(g_run.spec());
}

// Accumulators offered by the picker (any other is typed).
constexpr const char* kCommonAccumulators[] = {
    "exact",
    "seq:fp32",
    "seq:fp16",
    "seq:bf16",
    "pairwise:fp16",
    "kahan:fp16",
    "blocked:fp16:128",
    "blocked:fp32:128",
    "tc:v100",
    "tc:a100",
    "tc:h100",
    "tc:b200",
    "tc:ada",
    "blocked:tc:h100:128",
    "tc:h100,out=fp16",
};
constexpr const char* kInputFormats[] = {"fp32", "tf32", "fp16", "bf16", "fp8-e4m3", "fp8-e5m2"};

// bound_input's accept functions: the link codec's checks (so what a user
// types is what a link could hold), canonicalised after acceptance.
using Check = bool (*)(std::string_view, std::string*, std::string*);
bool accept_with(const std::string& text, void* context, std::string* error) {
  std::string canonical;
  return (*static_cast<const Check*>(context))(text, &canonical, error);
}
void canonicalise(std::string* target, Check check) {
  std::string canonical, why;
  if (check(*target, &canonical, &why)) *target = canonical;
}

BoundField g_dist_field, g_ks_field, g_acc_field, g_block_acc_field, g_a_field, g_b_field, g_c_field;
std::string g_new_acc;  // the free-text accumulator being typed
std::string g_new_acc_error;
int g_log_lo = 16, g_log_hi = 4096, g_log_n = 5;

bool checked_input(const char* label, const char* anchor, BoundField& field, std::string* target, float width,
                   Check check) {
  const bool changed = bound_input(label, field, target, width, accept_with, &check);
  anchor_item(anchor);
  if (changed) canonicalise(target, check);
  return changed;
}

// --- Presets ---------------------------------------------------------------------------------

void draw_presets(AccumulationScenario& d) {
  std::vector<PresetEntry> entries;
  int current = -1;
  for (const AccumulationPreset& p : accumulation_presets()) {
    if (same_accumulation_run(p.scenario, d)) current = static_cast<int>(entries.size());
    entries.push_back({p.key, p.title, p.lesson});
  }
  const int chosen = preset_menu("##dot-presets", "dot-presets", "dot-preset:", entries, current, px(460));
  if (chosen >= 0) d = accumulation_presets()[static_cast<size_t>(chosen)].scenario;
}

// --- Inputs ----------------------------------------------------------------------------------

void draw_accumulator_list(AccumulationScenario& d) {
  std::vector<std::string> items = accumulator_list_items(d.acc);
  field_label("Accumulators");
  bool changed = false;
  for (size_t i = 0; i < items.size(); ++i) {
    ImGui::PushID(static_cast<int>(i));
    if (i > 0) same_line_or_wrap(ImGui::CalcTextSize(items[i].c_str()).x + button_width("x") + px(24));
    ImGui::PushFont(mono_font());
    text_colored(series_color(i), items[i]);
    ImGui::PopFont();
    ImGui::SameLine(0, px(2));
    if (items.size() > 1 && ImGui::SmallButton("x")) {
      items.erase(items.begin() + static_cast<std::ptrdiff_t>(i));
      changed = true;
    }
    anchor_item("dot:remove:" + std::to_string(i));
    ImGui::PopID();
    if (changed) break;
  }
  // The picker: common accumulators, then free text.
  const bool full = items.size() >= kMaxAccumulationAccumulators;
  ImGui::BeginDisabled(full);
  ImGui::SetNextItemWidth(field_width(px(190)));
  if (ImGui::BeginCombo("##dot-add", "Add\xe2\x80\xa6", ImGuiComboFlags_HeightLarge)) {
    for (const char* name : kCommonAccumulators) {
      if (ImGui::Selectable(name)) {
        items.push_back(name);
        changed = true;
      }
      anchor_item(std::string("dot-add:") + name);
    }
    ImGui::EndCombo();
  }
  anchor_item("dot-add");
  const float add_w =
      button_width("Add") + ImGui::CalcTextSize("(?)").x + 3 * ImGui::GetStyle().ItemSpacing.x;
  same_line_or_wrap(px(160) + add_w);
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(std::min(px(220), ImGui::GetContentRegionAvail().x - add_w));
  const bool entered = input_text("##dot-add-text", &g_new_acc, ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::PopFont();
  anchor_item("dot:add-text");
  ImGui::SameLine();
  if ((ImGui::Button("Add") || entered) && !g_new_acc.empty()) {
    std::string canonical;
    if (check_accumulator_list(g_new_acc, &canonical, &g_new_acc_error)) {
      for (const std::string& n : accumulator_list_items(canonical)) items.push_back(n);
      g_new_acc.clear();
      g_new_acc_error.clear();
      changed = true;
    }
  }
  anchor_item("dot:add-button");
  ImGui::EndDisabled();
  ImGui::SameLine();
  help_marker(
      "exact, seq:F[:mode], seq-rounded:F, pairwise:F, kahan:F, blocked:F:B, blocked:tc:NAME:B, "
      "tc:NAME[,out=fp16] (v100, a100, ada, h100, b200), tc:fma=N,neab=E[,round=rz|rne][,out=fp32|fp16]");
  if (!g_new_acc_error.empty()) text_colored(palette().error, g_new_acc_error);
  if (changed) {
    std::string list;
    for (const std::string& n : items) {
      if (items.size() > kMaxAccumulationAccumulators) break;
      list += (list.empty() ? "" : ";") + n;
    }
    std::string canonical, why;
    if (check_accumulator_list(list, &canonical, &why)) d.acc = canonical;
  }
  // The whole list as text (what the link's dacc holds).
  field_label("as text");
  checked_input("##dot-acc", "dot:acc", g_acc_field, &d.acc, field_width(px(460)), check_accumulator_list);
  draw_field_error(g_acc_field);
}

void draw_inputs(AccumulationScenario& d) {
  field_label("Inputs");
  ImGui::SetNextItemWidth(field_width(px(120)));
  ImGui::PushFont(mono_font());
  if (ImGui::BeginCombo("##dot-in", d.in.c_str())) {
    for (const char* name : kInputFormats) {
      if (ImGui::Selectable(name, d.in == name)) d.in = name;
      anchor_item(std::string("dot-in:") + name);
    }
    ImGui::EndCombo();
  }
  ImGui::PopFont();
  anchor_item("dot:in");
  same_line_or_wrap(px(300));
  field_label("drawn from");
  checked_input("##dot-dist", "dot:dist", g_dist_field, &d.dist, field_width(px(170)),
                check_operand_distribution);
  ImGui::SameLine();
  help_marker(
      "normal:MEAN:STD or uniform:LO:HI; each a_i and b_i is drawn, then rounded into the input format");
  draw_field_error(g_dist_field);

  field_label("K values");
  checked_input("##dot-ks", "dot:ks", g_ks_field, &d.ks, field_width(px(300)), check_k_list);
  // A log-spaced list: n values from lo to hi.
  const float small = px(64);
  same_line_or_wrap(3 * small + ImGui::CalcTextSize("to").x + button_width("log-spaced") + px(40));
  ImGui::PushItemWidth(small);
  ImGui::PushFont(mono_font());
  ImGui::InputInt("##lo", &g_log_lo, 0);
  ImGui::SameLine();
  text_muted("to");
  ImGui::SameLine();
  ImGui::InputInt("##hi", &g_log_hi, 0);
  ImGui::SameLine();
  ImGui::InputInt("##n", &g_log_n, 0);
  ImGui::PopFont();
  ImGui::PopItemWidth();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("how many K values");
  ImGui::SameLine();
  if (ImGui::Button("log-spaced")) {
    d.ks = log_spaced_ks(static_cast<uint64_t>(std::max(1, g_log_lo)),
                         static_cast<uint64_t>(std::max(1, g_log_hi)), g_log_n);
  }
  anchor_item("dot:log-spaced");
  draw_field_error(g_ks_field);

  draw_accumulator_list(d);

  field_label("Trials");
  ImGui::SetNextItemWidth(field_width(px(120)));
  ImGui::PushFont(mono_font());
  uint64_t trials = d.trials;
  if (ImGui::InputScalar("##dot-trials", ImGuiDataType_U64, &trials) && trials >= 1 &&
      trials <= kMaxAccumulationTrials)
    d.trials = trials;
  anchor_item("dot:trials");
  same_line_or_wrap(px(200));
  ImGui::PopFont();
  field_label("seed");
  ImGui::SetNextItemWidth(field_width(px(120)));
  ImGui::PushFont(mono_font());
  ImGui::InputScalar("##dot-seed", ImGuiDataType_U64, &d.seed);
  ImGui::PopFont();
  anchor_item("dot:seed");
}

// --- Run bar ---------------------------------------------------------------------------------

void draw_run_bar(const AccumulationScenario& d) {
  if (g_run.status() == RunStatus::Refused) {
    ImGui::PushTextWrapPos(0);
    text_colored(palette().error, "\xe2\x9a\xa0 " + g_run.error());
    ImGui::PopTextWrapPos();
    anchor_item("dot:error");
    return;
  }
  char overlay[96];
  std::snprintf(overlay, sizeof overlay, "%llu / %llu trials", static_cast<unsigned long long>(g_run.trials_done()),
                static_cast<unsigned long long>(g_run.spec().trials));
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, palette().accent);
  ImGui::ProgressBar(static_cast<float>(g_run.progress()),
                     ImVec2(std::min(px(320), ImGui::GetContentRegionAvail().x * 0.5f), 0), overlay);
  ImGui::PopStyleColor();
  anchor_item("dot:progress");
  char info[160];
  std::snprintf(info, sizeof info, "%s \xc2\xb7 computed for %.2f s (%.2f s wall)",
                run_status_name(g_run.status()), g_run.compute_seconds(), g_run.wall_seconds());
  same_line_or_wrap(ImGui::CalcTextSize(info).x);
  ImGui::AlignTextToFramePadding();
  text_muted(info);
  same_line_or_wrap(button_width("Run again"));
  if (g_run.status() == RunStatus::Running) {
    if (ImGui::Button("Cancel")) g_run.cancel();
    anchor_item("dot:cancel");
  } else {
    if (ImGui::Button("Run again")) g_run.start(d);
    anchor_item("dot:run");
  }
  command_line(accumulation_command(g_run.inputs()));
}

// --- Plot and table --------------------------------------------------------------------------

std::string ratio_text(double v) {
  char buf[48];
  if (!std::isfinite(v)) return v > 0 ? "inf" : "nan";
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

void draw_error_plot() {
  std::vector<PlotSeries> series;
  for (size_t i = 0; i < g_derived.curves.size(); ++i) {
    const AccumulationCurve& c = g_derived.curves[i];
    if (c.k.empty()) continue;
    PlotSeries s;
    s.name = c.acc;
    s.color = series_color(i);
    s.x = c.k;
    s.y = c.median;
    s.y_min = c.p95;
    s.y_max = c.max;
    s.band_between = true;
    s.thickness = 2.0f;
    series.push_back(s);
  }
  // Reference lines, after the measured ones (drawn on top, thin, dashed).
  auto reference = [&](std::string name, size_t i, const std::vector<double>& y) {
    PlotSeries r;
    r.name = std::move(name);
    r.color = series_color(i);
    r.x = g_derived.curves[i].k;
    r.y = y;
    r.dashed = true;
    r.thickness = 1.0f;
    series.push_back(r);
  };
  for (size_t i = 0; i < g_derived.curves.size(); ++i) {
    const AccumulationCurve& c = g_derived.curves[i];
    if (c.k.empty() || c.u == 0) continue;
    if (std::any_of(c.bound.begin(), c.bound.end(), [](double b) { return std::isfinite(b); }))
      reference(c.acc + " bound " + c.rule, i, c.bound);
    reference(c.acc + " \xe2\x88\x9aK\xc2\xb7u", i, c.probabilistic);
  }
  PlotSpec spec;
  spec.id = "dot-error";
  spec.title = "Relative error vs K";
  spec.caption =
      "|result \xe2\x88\x92 exact| / |exact|. Line: median over the trials; band: p95 to max. Dashed: the "
      "deterministic bound and \xe2\x88\x9aK\xc2\xb7u (relative to sum |a_i b_i|, which is |exact| for data "
      "of one sign). Zero errors are not drawn on a log axis.";
  spec.x_label = "K";
  spec.y_label = "relative error (log)";
  spec.x_scale = PlotScale::Log;
  spec.y_scale = PlotScale::Log;
  spec.log_floor = 1e-12;
  spec.height = narrow_layout() ? 220.0f : 300.0f;
  spec.file_name = "mantissa-dot-error";
  draw_plot(spec, series, g_plot);
}

void draw_table() {
  const std::vector<sim::GemmErrorRow>& rows = g_run.rows();
  if (rows.empty()) return;
  uint64_t k_max = 0;
  for (const sim::GemmErrorRow& r : rows) k_max = std::max(k_max, r.k);
  ImGui::Text("At K = %llu (%llu trials):", static_cast<unsigned long long>(k_max),
              static_cast<unsigned long long>(g_run.spec().trials));
  const bool sample = !g_derived.sample.empty();
  if (!ImGui::BeginTable("dot-table", sample ? 5 : 4,
                         ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg |
                             ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollX,
                         ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 2.2f +
                                       ImGui::GetFrameHeightWithSpacing() *
                                           static_cast<float>(g_run.spec().accumulators.size()))))
    return;
  ImGui::TableSetupColumn("accumulator");
  ImGui::TableSetupColumn("median");
  ImGui::TableSetupColumn("p95");
  ImGui::TableSetupColumn("max");
  if (sample) ImGui::TableSetupColumn("trial 0: result (exact value)");
  ImGui::TableHeadersRow();
  ImGui::PushFont(mono_font());
  size_t j = 0;
  for (const sim::GemmErrorRow& r : rows) {
    if (r.k != k_max) continue;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    text_colored(series_color(j), r.accumulator);
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(ratio_text(r.median).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(ratio_text(r.p95).c_str());
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(ratio_text(r.max).c_str());
    if (sample && j < g_derived.sample.size()) {
      ImGui::TableNextColumn();
      const DotReport& s = g_derived.sample[j];
      ImGui::TextUnformatted((s.value.to_string() + "  (" + s.exact.to_string() + ")").c_str());
    }
    ++j;
  }
  ImGui::PopFont();
  ImGui::EndTable();
}

// --- Walkthrough -----------------------------------------------------------------------------

void draw_block_inputs(AccumulationScenario& d, const AccumulationBlock& b) {
  ImGui::Separator();
  ImGui::TextUnformatted("One tensor-core block, step by step");
  field_label("Model");
  checked_input("##dot-block-acc", "dot:block-acc", g_block_acc_field, &d.block_acc, field_width(px(200)),
                check_tensor_core_name);
  same_line_or_wrap(button_width("New example") + button_width("Edit these values") + px(16));
  if (ImGui::Button("New example")) {
    d.block_a.clear();
    d.block_b.clear();
    d.block_c.clear();
    d.example = (d.example + 1) & 0xffffffffu;
  }
  anchor_item("dot:new-example");
  if (b.random && b.ok) {
    ImGui::SameLine();
    if (ImGui::Button("Edit these values")) {
      d.block_a.clear();
      d.block_b.clear();
      for (size_t i = 0; i < b.a.size(); ++i) {
        d.block_a += (i ? "," : "") + b.a[i];
        d.block_b += (i ? "," : "") + b.b[i];
      }
      d.block_c = b.c;
    }
    anchor_item("dot:edit-example");
  }
  draw_field_error(g_block_acc_field);
  if (b.random) {
    text_muted("Random example " + std::to_string(d.example) + " of " + d.dist + " in " + d.in +
               " (the run's seed), c = 0. Type values below to walk through your own.");
  }
  field_label("a");
  checked_input("##dot-a", "dot:a", g_a_field, &d.block_a, field_width(px(520)), check_dot_block_values);
  draw_field_error(g_a_field);
  field_label("b");
  checked_input("##dot-b", "dot:b", g_b_field, &d.block_b, field_width(px(520)), check_dot_block_values);
  draw_field_error(g_b_field);
  field_label("c");
  auto check_c = [](std::string_view in, std::string* canonical, std::string* why) {
    if (in.empty()) return canonical->clear(), true;
    return check_dot_block_values(in, canonical, why) && in.find(',') == std::string_view::npos;
  };
  checked_input("##dot-c", "dot:c", g_c_field, &d.block_c, field_width(px(200)), check_c);
  draw_field_error(g_c_field);
  if (!b.random && ImGui::Button("Back to random examples")) {
    d.block_a.clear();
    d.block_b.clear();
    d.block_c.clear();
  }
}

void draw_trace(const TensorCoreBlockTrace& t) {
  text_muted("1. The products are exact. 2. Each term is aligned to the largest exponent E, keeping " +
             std::to_string(23 + t.acc.tc.neab) +
             " fraction bits: the bits after '|' are truncated (no guard, "
             "no sticky bit).");
  if (t.empty) {
    ImGui::TextUnformatted("Every product and c are zero: the result is +0.");
    return;
  }
  ImGui::Text("E = %d; the last kept bit is 2^%d.", t.max_exponent, t.unit_exp);
  ImGui::PushFont(mono_font());
  // Scrolls sideways on a phone (long bit strings); as tall as its rows.
  const float rows_h = ImGui::GetTextLineHeightWithSpacing() * (static_cast<float>(t.terms.size()) + 1) +
                       ImGui::GetStyle().ScrollbarSize + px(8);
  if (ImGui::BeginTable("dot-terms", 3,
                        ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollX,
                        ImVec2(0, rows_h))) {
    ImGui::TableSetupColumn("term");
    ImGui::TableSetupColumn("exact value");
    ImGui::TableSetupColumn("aligned: kept | truncated");
    ImGui::TableHeadersRow();
    for (const TensorCoreTerm& term : t.terms) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(term.label.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(term.value.to_string().c_str());
      ImGui::TableNextColumn();
      if (term.zero) {
        text_muted("0 (no part in the alignment)");
        continue;
      }
      ImGui::TextUnformatted((std::string(term.negative ? "-" : "+") + term.kept).c_str());
      ImGui::SameLine(0, 0);
      text_colored(palette().error, "|" + term.dropped + (term.dropped_more ? "\xe2\x80\xa6" : ""));
    }
    ImGui::EndTable();
  }
  ImGui::PopFont();
  ImGui::TextUnformatted("3. The aligned terms summed exactly:");
  ImGui::SameLine();
  ImGui::PushFont(mono_font());
  ImGui::TextUnformatted(t.sum.to_string().c_str());
  ImGui::PopFont();
  ImGui::Text("4. Normalised once: exponent %d, bits %s", t.sum_exponent, t.sum_bits.c_str());
  ImGui::Text(
      "5. Rounded %s into %s:", t.mode == RoundingMode::TowardZero ? "toward zero" : "to nearest even",
      t.rounding_format.name.c_str());
  ImGui::SameLine();
  ImGui::PushFont(mono_font());
  const Format& out = t.acc.tc.out();
  ImGui::TextUnformatted((hex_bits(out, t.bits) + " = " + t.result.to_string()).c_str());
  ImGui::PopFont();
  anchor_item("dot:block-result");
  ImGui::Text("Exact c + sum a_i b_i = %s; error %s", t.exact.to_string().c_str(),
              t.error_abs.to_plain().c_str());
}

void draw_walkthrough(AccumulationScenario& d) {
  const AccumulationBlock& b = current_block(d);
  draw_block_inputs(d, b);
  if (!b.ok) {
    ImGui::PushTextWrapPos(0);
    text_colored(palette().error, "\xe2\x9a\xa0 " + b.error);
    ImGui::PopTextWrapPos();
    anchor_item("dot:block-error");
    return;
  }
  command_line(b.command, "block");
  draw_trace(b.trace);
}

}  // namespace

bool accumulation_running() { return g_run.status() == RunStatus::Running; }

void draw_accumulation_panel(Scenario& sc) {
  AccumulationScenario& d = sc.accumulation;
  // A changed run input starts a new run; the walkthrough's fields do not.
  if (g_run.status() == RunStatus::Idle || !same_accumulation_run(g_run.inputs(), d)) g_run.start(d);
  g_budget = frame_budget();
  const double before = g_run.compute_seconds();
  g_run.advance(std::chrono::duration<double>(g_budget));
  g_last_compute = g_run.compute_seconds() - before;
  refresh_derived();

  draw_presets(d);
  ImGui::Spacing();
  draw_inputs(d);
  ImGui::Spacing();
  draw_run_bar(d);
  ImGui::Spacing();
  draw_error_plot();
  draw_table();
  ImGui::Spacing();
  draw_walkthrough(d);
}

// state(): inputs by their scenario.h names; results:
//   status, error, args (gemm-error's), command, progress, trials_done,
//   compute_seconds (time spent computing), wall_seconds,
//   report: gemm-error --json of the rows so far (the CLI's bytes once finished),
//   bounds: [{acc, rule, u, k: [...], bound: [...], probabilistic: [...]}],
//   sample: trial 0 at the largest K, one `dot --json` object per accumulator,
//   block: {ok, error, random, args, command, a, b, c, trace: explain dot --json}
void write_accumulation_state(JsonWriter& w, const Scenario& sc) {
  const AccumulationScenario& d = sc.accumulation;
  w.key("inputs").begin_object();
  w.field("in", d.in);
  w.field("dist", d.dist);
  w.field("ks", d.ks);
  w.field("acc", d.acc);
  w.field("trials", d.trials);
  w.field("seed", d.seed);
  w.field("block_acc", d.block_acc);
  w.field("block_a", d.block_a);
  w.field("block_b", d.block_b);
  w.field("block_c", d.block_c);
  w.field("example", d.example);
  w.end_object();

  refresh_derived();
  w.key("results").begin_object();
  w.field("status", run_status_name(g_run.status()));
  w.field("error", g_run.error());
  w.key("args").begin_array();
  for (const std::string& a : accumulation_cli_args(g_run.inputs())) w.value(a);
  w.end_array();
  w.field("command", accumulation_command(g_run.inputs()));
  w.field("progress", g_run.progress());
  w.field("trials_done", g_run.trials_done());
  w.field("compute_seconds", g_run.compute_seconds());
  w.field("wall_seconds", g_run.wall_seconds());
  w.field("frame_budget_ms", g_budget * 1000);  // the last frame's
  if (g_run.status() != RunStatus::Refused)
    w.key("report").raw(sim::gemm_error_json(g_run.spec(), g_run.rows()));
  w.key("bounds").begin_array();
  for (const AccumulationCurve& c : g_derived.curves) {
    w.begin_object();
    w.field("acc", c.acc);
    w.field("rule", c.rule);
    w.field("u", c.u);
    w.key("k").begin_array();
    for (double k : c.k) w.value(k);
    w.end_array();
    w.key("bound").begin_array();
    for (double b : c.bound) std::isfinite(b) ? w.value(b) : w.null();
    w.end_array();
    w.key("probabilistic").begin_array();
    for (double b : c.probabilistic) w.value(b);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.key("sample").begin_array();
  for (const DotReport& r : g_derived.sample) w.raw(dot_report_json(r));
  w.end_array();
  const AccumulationBlock& b = current_block(d);
  w.key("block").begin_object();
  w.field("ok", b.ok);
  w.field("error", b.error);
  w.field("random", b.random);
  w.key("args").begin_array();
  for (const std::string& a : b.args) w.value(a);
  w.end_array();
  w.field("command", b.command);
  w.key("a").begin_array();
  for (const std::string& v : b.a) w.value(v);
  w.end_array();
  w.key("b").begin_array();
  for (const std::string& v : b.b) w.value(v);
  w.end_array();
  w.field("c", b.c);
  if (b.ok) w.key("trace").raw(tensor_core_block_json(b.trace));
  w.end_object();
  w.end_object();
}

std::string accumulation_announcement(const Scenario& sc) {
  if (g_run.status() == RunStatus::Refused) return "Accumulation: " + g_run.error();
  if (g_run.status() == RunStatus::Running)
    return "Accumulation: computing, " + std::to_string(static_cast<int>(g_run.progress() * 100)) + "% done.";
  const std::vector<sim::GemmErrorRow>& rows = g_run.rows();
  if (rows.empty()) return "Accumulation.";
  uint64_t k_max = 0;
  for (const sim::GemmErrorRow& r : rows) k_max = std::max(k_max, r.k);
  std::string s = "Relative error at K = " + std::to_string(k_max) + " over " +
                  std::to_string(g_run.spec().trials) + " trials of " + sc.accumulation.in +
                  " inputs, median / max:";
  bool first = true;
  for (const sim::GemmErrorRow& r : rows) {
    if (r.k != k_max) continue;
    s += std::string(first ? " " : "; ") + r.accumulator + " " + ratio_text(r.median) + " / " +
         ratio_text(r.max);
    first = false;
  }
  return s + ".";
}

}  // namespace mantissa::app
