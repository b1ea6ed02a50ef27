// The Training tab: one weight (or a population) updated many times, stored
// in several ways side by side, against an fp64 reference.
//
//   presets     the tutorial's two runs, SR / Kahan / loss scaling rescuing
//               an update RNE loses, fp16 vs bf16
//   editor      w0, increment, gradient format, steps, strategies, loss
//               scaling, population (training_editor.cpp)
//   run bar     progress, ETA and Cancel: the simulation advances a few
//               milliseconds per frame, so the page stays at 60 fps
//   summary     each strategy's exact final value, bits and counters
//   plots       weight vs step, |error| vs step, half-ULP vs increment, the
//               loss scale, and for populations the lost fraction per step
//               and the histogram of final relative errors
//
// The scenario is turned into the arguments of `mantissa simulate` and parsed
// by the CLI's own parser: the panel, the CLI and the JS API run the same thing.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>

#include "app/app.h"
#include "app/fonts.h"
#include "app/panels.h"
#include "app/plot.h"
#include "app/style.h"
#include "app/training_editor.h"
#include "app/training_presets.h"
#include "app/training_run.h"
#include "app/widgets.h"
#include "core/format.h"
#include "core/value.h"
#include "imgui.h"
#include "sim/report.h"
#include "sim/setup.h"

namespace mantissa::app {
namespace {

constexpr double kFrameBudgetSeconds = 0.005;  // simulation work per frame (of ~16.7 ms)

TrainingRun g_run;
// The panel's own CPU time per frame (simulation chunk + building the plots),
// smoothed: what a long run costs the frame, whatever the GPU's share is.
double g_panel_ms = 0;
double g_panel_ms_max = 0;

// Series colours: the reference grey, the strategies from a fixed cycle so a
// strategy keeps its colour while others are toggled.
ImU32 strategy_color(size_t index) {
  static const ImU32 kColors[] = {IM_COL32(31, 119, 180, 255),  IM_COL32(255, 127, 14, 255),
                                  IM_COL32(44, 160, 44, 255),   IM_COL32(214, 39, 40, 255),
                                  IM_COL32(148, 103, 189, 255), IM_COL32(140, 86, 75, 255),
                                  IM_COL32(227, 119, 194, 255), IM_COL32(23, 190, 207, 255),
                                  IM_COL32(188, 189, 34, 255),  IM_COL32(127, 127, 127, 255)};
  return kColors[index % (sizeof kColors / sizeof kColors[0])];
}
ImU32 reference_color() { return palette().muted; }

// --- Derived data for the plots (rebuilt when the run's results change) ----------------

struct PlotData {
  uint64_t version = ~uint64_t{0};
  std::vector<double> steps;   // x of every trajectory point (its last step)
  std::vector<double> hist_x;  // histogram bin centres
  struct PerStrategy {
    std::vector<double> half_ulp, half_ulp_min, half_ulp_max;  // of the weight, per point
    std::vector<double> log2_scale;                            // loss scaling
    std::vector<double> drop_x, drop_y;                        // dynamic scale drops (skipped steps)
    std::vector<double> histogram;                             // counts per bin
    double vanish_step = NAN;  // first step where half an ULP exceeds the increment
  };
  std::vector<PerStrategy> per;
  std::vector<double> inc_x, inc_y;  // the increment's size (two points)
  int frames_since = 0;
};
PlotData g_data;

double half_ulp_of(const Format& f, double v) {
  int k = 0;
  std::frexp(std::fabs(v), &k);  // |v| = m * 2^k, m in [0.5, 1)
  const int e = v == 0 ? f.emin() : std::max(k - 1, f.emin());
  return std::ldexp(1.0, e - f.man_bits - 1);
}

double increment_size(const sim::SimulationResults& r, const sim::Setup& s) {
  if (r.constant_increment) {
    const ExactValue v = exact_value(s.grad_format, r.increment_bits);
    return std::fabs(std::strtod(v.to_string().c_str(), nullptr));
  }
  if (s.increments.kind == sim::IncrementStream::Kind::Gaussian) {
    return std::fabs(s.increments.lr) * std::hypot(s.increments.mean, s.increments.stddev);
  }
  return NAN;
}

void rebuild_plot_data(const sim::Simulation& sim) {
  PlotData& d = g_data;
  const sim::SimulationResults& r = sim.results();
  const sim::Setup& s = sim.setup();
  const sim::Series& ref = r.population ? r.strategies.front().lost_fraction : r.reference.trajectory;
  d.steps.resize(ref.points());
  for (size_t i = 0; i < ref.points(); ++i) d.steps[i] = static_cast<double>(ref.last_step_of(i));
  d.per.resize(r.strategies.size());
  const double inc = increment_size(r, s);
  d.inc_x = {1, static_cast<double>(std::max<uint64_t>(r.steps, 2))};
  d.inc_y = {inc, inc};
  for (size_t k = 0; k < r.strategies.size(); ++k) {
    const sim::StrategyResult& st = r.strategies[k];
    PlotData::PerStrategy& p = d.per[k];
    const Format& f = st.spec.format;
    const sim::Series& t = st.trajectory;
    const size_t n = r.population ? 0 : t.points();
    p.half_ulp.resize(n);
    p.half_ulp_min.resize(t.bucket > 1 ? n : 0);
    p.half_ulp_max.resize(t.bucket > 1 ? n : 0);
    p.vanish_step = NAN;
    for (size_t i = 0; i < n; ++i) {
      p.half_ulp[i] = half_ulp_of(f, t.last[i]);
      if (t.bucket > 1) {
        const double a = half_ulp_of(f, t.min[i]), b = half_ulp_of(f, t.max[i]);
        p.half_ulp_min[i] = std::min(a, b), p.half_ulp_max[i] = std::max(a, b);
      }
      if (std::isnan(p.vanish_step) && p.half_ulp[i] >= inc &&
          st.spec.kind == sim::StrategySpec::Kind::Plain) {
        p.vanish_step = d.steps[i];
      }
    }
    p.log2_scale.resize(st.scale.points());
    p.drop_x.clear(), p.drop_y.clear();
    for (size_t i = 0; i < st.scale.points(); ++i) {
      p.log2_scale[i] = st.scale.last[i];
      const double lo = st.scale.min_at(i);
      const double before = i > 0 ? st.scale.last[i - 1] : st.scale.max_at(i);
      if (lo < before) p.drop_x.push_back(d.steps[std::min(i, d.steps.size() - 1)]), p.drop_y.push_back(lo);
    }
    const sim::Histogram& h = st.rel_error_histogram;
    p.histogram.assign(h.counts.begin(), h.counts.end());
  }
  const size_t bins = r.strategies.empty() ? 0 : r.strategies.front().rel_error_histogram.counts.size();
  d.hist_x.resize(bins);
  for (size_t i = 0; i < bins; ++i) {
    d.hist_x[i] = std::pow(10.0, sim::Histogram::kMinExp10 + (i + 0.5) / sim::Histogram::kBinsPerDecade);
  }
}

// --- Presets ---------------------------------------------------------------------------

void draw_presets(Scenario& sc) {
  ImGui::AlignTextToFramePadding();
  text_muted("Presets");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(std::min(px(380), ImGui::GetContentRegionAvail().x));
  const char* current = "Choose a scenario\xe2\x80\xa6";
  for (const TrainingPreset& p : training_presets()) {
    TrainingScenario t;
    p.apply(t);
    if (same_run_inputs(t, sc.training)) current = p.title;
  }
  if (ImGui::BeginCombo("##train-presets", current, ImGuiComboFlags_HeightLarge)) {
    for (const TrainingPreset& p : training_presets()) {
      ImGui::PushID(p.key);
      if (ImGui::Selectable(p.title, std::strcmp(current, p.title) == 0)) {
        sc.training = TrainingScenario{};
        p.apply(sc.training);
      }
      anchor_item(std::string("train-preset:") + p.key);
      hover_tooltip(p.lesson, px(360));
      ImGui::PopID();
    }
    ImGui::EndCombo();
  }
  anchor_item("train-presets");
}

// --- Run bar -------------------------------------------------------------------------------

std::string duration_text(double s) {
  char buf[32];
  if (!std::isfinite(s)) return "\xe2\x80\xa6";
  if (s < 60)
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  else
    std::snprintf(buf, sizeof buf, "%d min %02d s", static_cast<int>(s / 60), static_cast<int>(s) % 60);
  return buf;
}

void draw_run_bar(TrainingScenario& t) {
  const sim::Simulation* sim = g_run.simulation();
  const RunStatus status = g_run.status();
  if (status == RunStatus::Refused) {
    ImGui::PushTextWrapPos(0);
    text_colored(palette().error, "\xe2\x9a\xa0 " + g_run.error());
    ImGui::PopTextWrapPos();
    anchor_item("train:error");
    return;
  }
  if (!sim) return;
  char overlay[96];
  std::snprintf(overlay, sizeof overlay, "%llu / %llu steps",
                static_cast<unsigned long long>(sim->steps_done()),
                static_cast<unsigned long long>(sim->results().steps));
  ImGui::PushStyleColor(ImGuiCol_PlotHistogram, palette().accent);
  ImGui::ProgressBar(static_cast<float>(sim->progress()),
                     ImVec2(std::min(px(360), ImGui::GetContentRegionAvail().x * 0.5f), 0), overlay);
  ImGui::PopStyleColor();
  anchor_item("train:progress");
  ImGui::SameLine();
  char info[160];
  if (status == RunStatus::Running) {
    std::snprintf(info, sizeof info, "running \xc2\xb7 ETA %s \xc2\xb7 %.3g steps/s \xc2\xb7 %.0f fps",
                  duration_text(g_run.eta_seconds()).c_str(), g_run.steps_per_second(),
                  ImGui::GetIO().Framerate);
    ImGui::AlignTextToFramePadding();
    text_muted(info);
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) g_run.cancel();
    anchor_item("train:cancel");
  } else {
    std::snprintf(info, sizeof info, "%s in %s", status == RunStatus::Cancelled ? "cancelled" : "finished",
                  duration_text(g_run.wall_seconds()).c_str());
    ImGui::AlignTextToFramePadding();
    text_muted(info);
    ImGui::SameLine();
    if (ImGui::Button("Run again")) g_run.start(t);
    anchor_item("train:run");
  }
  // The same run on the command line.
  ImGui::PushFont(mono_font());
  const std::string cmd = training_command(g_run.inputs());
  ImGui::PushTextWrapPos(0);
  text_muted("$ " + cmd);
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("The same run with the command-line tool (click to copy)");
  if (ImGui::IsItemClicked()) ImGui::SetClipboardText(cmd.c_str());
}

// --- Summary table ---------------------------------------------------------------------------

void draw_summary(const sim::Simulation& sim, const TrainingScenario& t) {
  const sim::SimulationResults& r = sim.results();
  const bool pop = r.population;
  const int columns = pop ? 6 : 7;
  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerH |
                                     ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX;
  const float rows_h = ImGui::GetTextLineHeightWithSpacing() * (r.strategies.size() + 2) + px(12);
  if (!ImGui::BeginTable("train-summary", columns, kFlags, ImVec2(0, rows_h))) return;
  ImGui::TableSetupColumn("strategy");
  if (pop) {
    ImGui::TableSetupColumn("mean final");
    ImGui::TableSetupColumn("lost updates");
    ImGui::TableSetupColumn("underflowed");
    ImGui::TableSetupColumn("mean rel. error");
    ImGui::TableSetupColumn("max rel. error");
  } else {
    ImGui::TableSetupColumn("final (exact)");
    ImGui::TableSetupColumn("bits");
    ImGui::TableSetupColumn("lost");
    ImGui::TableSetupColumn("underflowed");
    ImGui::TableSetupColumn("skipped");
    ImGui::TableSetupColumn("max |error| vs fp64");
  }
  ImGui::TableHeadersRow();
  auto row = [&](const sim::StrategyResult& s, ImU32 color, const std::string& name) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    text_colored(color, "\xe2\x96\xa0");
    ImGui::SameLine();
    ImGui::TextUnformatted(name.c_str());
    ImGui::PushFont(mono_font());
    char buf[64];
    if (pop) {
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(shortest_decimal(s.mean_value).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.lost_updates));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.underflowed));
      ImGui::TableNextColumn();
      std::snprintf(buf, sizeof buf, "%.3g", s.mean_rel_error);
      ImGui::TextUnformatted(buf);
      ImGui::TableNextColumn();
      std::snprintf(buf, sizeof buf, "%.3g", s.max_rel_error);
      ImGui::TextUnformatted(buf);
    } else {
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(s.final_exact().c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(s.final_hex().c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.lost_updates));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.underflowed));
      ImGui::TableNextColumn();
      ImGui::Text("%llu", static_cast<unsigned long long>(s.skipped));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(&s == &r.reference ? "\xe2\x80\x94" : s.max_abs_error.exact().c_str());
    }
    ImGui::PopFont();
  };
  row(r.reference, reference_color(), "fp64 (reference)");
  for (size_t k = 0; k < r.strategies.size(); ++k)
    row(r.strategies[k], strategy_color(k), r.strategies[k].spec.name);
  ImGui::EndTable();
  (void)t;
}

// --- Plots -------------------------------------------------------------------------------

PlotState g_weight, g_error, g_ulp, g_scale, g_lost, g_hist;

// The x range is shared by the step plots and kept in the scenario
// (view_x0 == view_x1: fit); the weight plot's y range too.
void load_view(PlotState& p, const TrainingScenario& t, bool with_y) {
  p.view.fit_x = !(t.view_x1 > t.view_x0);
  if (!p.view.fit_x) p.view.x0 = t.view_x0, p.view.x1 = t.view_x1;
  if (with_y) {
    p.view.fit_y = !(t.view_y1 > t.view_y0);
    if (!p.view.fit_y) p.view.y0 = t.view_y0, p.view.y1 = t.view_y1;
  }
}

void store_view(const PlotState& p, const PlotResult& r, TrainingScenario& t, bool with_y) {
  if (r.clicked) t.selected_step = static_cast<int64_t>(std::llround(r.click_x));
  if (!r.view_changed) return;
  if (p.view.fit_x)
    t.view_x0 = t.view_x1 = 0;
  else
    t.view_x0 = p.view.x0, t.view_x1 = p.view.x1;
  if (with_y) {
    if (p.view.fit_y)
      t.view_y0 = t.view_y1 = 0;
    else
      t.view_y0 = p.view.y0, t.view_y1 = p.view.y1;
  }
}

std::string step_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", x);
  return buf;
}

PlotSeries line(const std::string& name, ImU32 color, std::span<const double> x, const sim::Series& s) {
  PlotSeries p;
  p.name = name;
  p.color = color;
  p.x = x.first(std::min(x.size(), s.points()));
  p.y = std::span<const double>(s.last.data(), p.x.size());
  if (s.bucket > 1) {
    p.y_min = std::span<const double>(s.min.data(), p.x.size());
    p.y_max = std::span<const double>(s.max.data(), p.x.size());
  }
  return p;
}

void draw_step_plot(PlotState& state, PlotSpec& spec, std::vector<PlotSeries>& series, TrainingScenario& t,
                    bool owns_y) {
  spec.integer_x = true;
  spec.x_label = "step";
  spec.x_text = step_text;
  if (t.selected_step >= 0) spec.selected_x = static_cast<double>(t.selected_step);
  load_view(state, t, owns_y);
  const PlotResult r = draw_plot(spec, series, state);
  store_view(state, r, t, owns_y);
  ImGui::Spacing();
}

void draw_single_weight_plots(const sim::Simulation& sim, TrainingScenario& t) {
  const sim::SimulationResults& r = sim.results();
  const std::span<const double> x = g_data.steps;

  {  // Weight vs step.
    std::vector<PlotSeries> series;
    series.push_back(line("fp64 (reference)", reference_color(), x, r.reference.trajectory));
    series.back().dashed = true;
    for (size_t k = 0; k < r.strategies.size(); ++k) {
      series.push_back(line(r.strategies[k].spec.name, strategy_color(k), x, r.strategies[k].trajectory));
    }
    PlotSpec spec;
    spec.id = "train-weight";
    spec.title = "Weight vs step";
    spec.y_label = "weight";
    spec.y_text = exact_decimal;
    spec.file_name = "mantissa-weight";
    if (r.reference.trajectory.bucket > 1) {
      spec.caption = "Each point covers " + std::to_string(r.reference.trajectory.bucket) +
                     " steps: the band is their min..max, the line their last value.";
    }
    draw_step_plot(g_weight, spec, series, t, true);
  }
  {  // |error| vs step.
    std::vector<PlotSeries> series;
    for (size_t k = 0; k < r.strategies.size(); ++k) {
      if (r.strategies[k].spec.name == "fp64") continue;
      series.push_back(line(r.strategies[k].spec.name, strategy_color(k), x, r.strategies[k].abs_error));
    }
    PlotSpec spec;
    spec.id = "train-error";
    spec.title = "|weight \xe2\x88\x92 fp64 reference| vs step";
    spec.y_label = t.log_error ? "|error| (log)" : "|error|";
    spec.y_scale = t.log_error ? PlotScale::Log : PlotScale::Linear;
    spec.file_name = "mantissa-error";
    ImGui::Checkbox("log scale", &t.log_error);
    anchor_item("train:log-error");
    ImGui::SameLine();
    draw_step_plot(g_error, spec, series, t, false);
  }
  {  // Half an ULP of the weight vs the increment.
    std::vector<PlotSeries> series;
    PlotSeries inc;
    inc.name = g_data.inc_y.empty() || !std::isfinite(g_data.inc_y[0]) ? "" : "|increment|";
    if (!inc.name.empty()) {
      if (!r.constant_increment) inc.name = "lr \xc2\xb7 \xe2\x88\x9a(mean\xc2\xb2 + std\xc2\xb2)";
      inc.color = palette().error;
      inc.x = g_data.inc_x;
      inc.y = g_data.inc_y;
      inc.dashed = true;
      inc.thickness = 2.0f;
      series.push_back(inc);
    }
    PlotSpec spec;
    for (size_t k = 0; k < r.strategies.size(); ++k) {
      const PlotData::PerStrategy& p = g_data.per[k];
      const std::string& name = r.strategies[k].spec.name;
      if (name == "fp64") continue;
      PlotSeries s;
      s.name = name + " \xc2\xbd ULP";
      s.color = strategy_color(k);
      s.x = x.first(std::min(x.size(), p.half_ulp.size()));
      s.y = p.half_ulp;
      s.y = s.y.first(s.x.size());
      if (!p.half_ulp_min.empty()) {
        s.y_min = std::span<const double>(p.half_ulp_min).first(s.x.size());
        s.y_max = std::span<const double>(p.half_ulp_max).first(s.x.size());
      }
      series.push_back(s);
      if (std::isfinite(p.vanish_step)) {
        spec.marks.push_back({p.vanish_step, strategy_color(k), name + ": updates vanish"});
      }
    }
    spec.id = "train-ulp";
    spec.title = "Half an ULP of the weight vs the increment";
    spec.caption =
        "Where a strategy's \xc2\xbd ULP line rises above the increment, round-to-nearest returns the "
        "weight unchanged: the update is lost.";
    spec.y_label = "size (log)";
    spec.y_scale = PlotScale::Log;
    spec.file_name = "mantissa-half-ulp";
    draw_step_plot(g_ulp, spec, series, t, false);
  }
  // Loss scale trace, when a strategy scales.
  std::vector<PlotSeries> series;
  uint64_t skipped = 0;
  for (size_t k = 0; k < r.strategies.size(); ++k) {
    const sim::StrategyResult& s = r.strategies[k];
    if (s.spec.kind != sim::StrategySpec::Kind::LossScaled) continue;
    series.push_back(line(s.spec.name + " scale", strategy_color(k), x, s.scale));
    skipped += s.skipped;
    const PlotData::PerStrategy& p = g_data.per[k];
    if (!p.drop_x.empty()) {
      PlotSeries d;
      d.name = s.spec.name + " skipped";
      d.color = palette().error;
      d.style = PlotSeries::Style::Dots;
      d.x = p.drop_x;
      d.y = p.drop_y;
      series.push_back(d);
    }
  }
  if (!series.empty()) {
    PlotSpec spec;
    spec.id = "train-scale";
    spec.title = "Loss scale vs step";
    spec.caption =
        "Skipped steps (an inf/NaN scaled gradient halves a dynamic scale): " + std::to_string(skipped) +
        ". Red dots mark the drops.";
    spec.y_label = "scale (log)";
    spec.y_scale = PlotScale::Log;
    spec.file_name = "mantissa-loss-scale";
    draw_step_plot(g_scale, spec, series, t, false);
  }
}

void draw_population_plots(const sim::Simulation& sim, TrainingScenario& t) {
  const sim::SimulationResults& r = sim.results();
  {
    std::vector<PlotSeries> series;
    for (size_t k = 0; k < r.strategies.size(); ++k) {
      series.push_back(
          line(r.strategies[k].spec.name, strategy_color(k), g_data.steps, r.strategies[k].lost_fraction));
    }
    PlotSpec spec;
    spec.id = "train-lost";
    spec.title = "Fraction of the population whose update was lost, per step";
    spec.y_label = "lost fraction";
    spec.file_name = "mantissa-lost-fraction";
    draw_step_plot(g_lost, spec, series, t, false);
  }
  if (!sim.finished()) {
    text_muted("The histogram of final relative errors appears when the run finishes.");
    return;
  }
  std::vector<PlotSeries> series;
  for (size_t k = 0; k < r.strategies.size(); ++k) {
    if (r.strategies[k].spec.name == "fp64") continue;
    PlotSeries s;
    s.name = r.strategies[k].spec.name;
    s.color = strategy_color(k);
    s.x = g_data.hist_x;
    s.y = g_data.per[k].histogram;
    s.thickness = 2.0f;
    series.push_back(s);
  }
  PlotSpec spec;
  spec.id = "train-hist";
  spec.title = "Final relative error vs the fp64 reference, over the population";
  std::string zeros;
  for (const sim::StrategyResult& s : r.strategies) {
    if (s.spec.name == "fp64") continue;
    zeros += (zeros.empty() ? "" : ", ") + s.spec.name + " " + std::to_string(s.rel_error_histogram.zero);
  }
  spec.caption = "Weights per quarter-decade bin. Exactly equal to the reference (not drawn): " + zeros + ".";
  spec.x_label = "relative error";
  spec.x_scale = PlotScale::Log;
  spec.y_label = "weights";
  spec.file_name = "mantissa-rel-error-histogram";
  draw_plot(spec, series, g_hist);
}

// The exact values at the selected step.
void draw_selected_step(const sim::Simulation& sim, TrainingScenario& t) {
  const sim::SimulationResults& r = sim.results();
  if (r.population || t.selected_step < 1 || g_data.steps.empty()) return;
  const auto it =
      std::lower_bound(g_data.steps.begin(), g_data.steps.end(), static_cast<double>(t.selected_step));
  if (it == g_data.steps.end()) return;
  const size_t i = static_cast<size_t>(it - g_data.steps.begin());
  const uint64_t bucket = r.reference.trajectory.bucket;
  ImGui::Separator();
  if (bucket == 1)
    ImGui::Text("Step %lld", static_cast<long long>(t.selected_step));
  else
    ImGui::Text("Steps %llu\xe2\x80\x93%llu (one plotted point)",
                static_cast<unsigned long long>(i * bucket + 1),
                static_cast<unsigned long long>(r.reference.trajectory.last_step_of(i)));
  ImGui::SameLine();
  if (ImGui::SmallButton("clear")) t.selected_step = -1;
  ImGui::PushFont(mono_font());
  auto show = [&](const std::string& name, ImU32 color, const sim::Series& s) {
    if (i >= s.points()) return;
    text_colored(color, "\xe2\x96\xa0");
    ImGui::SameLine();
    std::string line = name + "  " + exact_decimal(s.last[i]);
    if (bucket > 1) line += "   (min " + exact_decimal(s.min[i]) + ", max " + exact_decimal(s.max[i]) + ")";
    ImGui::PushTextWrapPos(0);  // exact decimals: wider than a phone
    ImGui::TextUnformatted(line.c_str());
    ImGui::PopTextWrapPos();
  };
  show("fp64 (reference)", reference_color(), r.reference.trajectory);
  for (size_t k = 0; k < r.strategies.size(); ++k)
    show(r.strategies[k].spec.name, strategy_color(k), r.strategies[k].trajectory);
  ImGui::PopFont();
}

}  // namespace

bool training_running() { return g_run.status() == RunStatus::Running; }

void draw_training_panel(Scenario& sc) {
  const auto frame_start = std::chrono::steady_clock::now();
  struct Timer {
    std::chrono::steady_clock::time_point start;
    ~Timer() {
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      g_panel_ms = g_panel_ms == 0 ? ms : 0.9 * g_panel_ms + 0.1 * ms;
      if (g_run.status() == RunStatus::Running) g_panel_ms_max = std::max(g_panel_ms_max, ms);
    }
  } timer{frame_start};
  TrainingScenario& t = sc.training;
  // A changed scenario starts a new run (a cancelled one stays until then).
  if (g_run.status() == RunStatus::Idle || !same_run_inputs(g_run.inputs(), t)) {
    g_run.start(t);
    g_panel_ms_max = 0;
  }
  g_run.advance(std::chrono::duration<double>(kFrameBudgetSeconds));

  draw_presets(sc);
  ImGui::Spacing();
  draw_training_editor(t);
  ImGui::Spacing();
  draw_run_bar(t);
  const sim::Simulation* sim = g_run.simulation();
  if (!sim) return;
  // Derived plot data: every frame for short runs, every few frames while a
  // long one runs (the plots follow; the frame rate does not suffer).
  ++g_data.frames_since;
  if (g_data.version != g_run.version() &&
      (g_run.status() != RunStatus::Running || g_data.frames_since >= 6)) {
    rebuild_plot_data(*sim);
    g_data.version = g_run.version();
    g_data.frames_since = 0;
  }
  ImGui::Spacing();
  draw_summary(*sim, t);
  ImGui::Spacing();
  if (sim->results().population)
    draw_population_plots(*sim, t);
  else
    draw_single_weight_plots(*sim, t);
  draw_selected_step(*sim, t);
}

void write_training_state(JsonWriter& w, const Scenario& sc) {
  const TrainingScenario& t = sc.training;
  w.key("inputs").begin_object();
  w.field("w0", t.w0);
  w.field("inc", t.inc);
  w.field("lr", t.lr);
  w.field("grad", t.grad);
  w.field("seed", t.seed);
  w.field("grad_format", t.grad_format);
  w.field("steps", t.steps);
  w.key("strategies").begin_array();
  for (const std::string& s : t.strategies) w.value(s);
  w.end_array();
  w.field("loss_scale", t.loss_scale);
  w.field("population", t.population);
  w.field("init", t.init);
  w.field("reference", t.reference);
  w.field("view_x0", t.view_x0);
  w.field("view_x1", t.view_x1);
  w.field("view_y0", t.view_y0);
  w.field("view_y1", t.view_y1);
  w.field("log_error", t.log_error);
  w.field("selected_step", t.selected_step);
  w.end_object();

  w.key("results").begin_object();
  w.field("status", run_status_name(g_run.status()));
  w.field("error", g_run.error());
  w.key("args").begin_array();
  for (const std::string& a : training_cli_args(g_run.inputs())) w.value(a);
  w.end_array();
  w.field("command", training_command(g_run.inputs()));
  if (const sim::Simulation* sim = g_run.simulation()) {
    w.field("steps_done", sim->steps_done());
    w.field("progress", sim->progress());
    w.field("steps_per_second", g_run.steps_per_second());
    w.field("eta_seconds", g_run.eta_seconds());
    w.field("fps", static_cast<double>(ImGui::GetIO().Framerate));
    w.field("panel_ms", g_panel_ms);          // CPU per frame, smoothed
    w.field("panel_ms_max", g_panel_ms_max);  // worst frame of this run
    w.field("frame_budget_ms", kFrameBudgetSeconds * 1000);
    w.key("report").raw(sim::simulation_json(*sim, sim::ReportOptions{}));
  }
  w.end_object();
}

std::string training_announcement(const Scenario&) {
  const sim::Simulation* sim = g_run.simulation();
  if (g_run.status() == RunStatus::Refused) return "Training: " + g_run.error();
  if (!sim) return "Training.";
  const sim::SimulationResults& r = sim->results();
  if (g_run.status() == RunStatus::Running) {
    return "Training: running, " + std::to_string(static_cast<int>(sim->progress() * 100)) + "% done.";
  }
  std::string s = "After " + std::to_string(r.steps_done) + " steps: ";
  if (r.population) {
    s += "population of " + std::to_string(r.population_size) + ".";
    return s;
  }
  s += "fp64 reference " + r.reference.final_exact();
  for (const sim::StrategyResult& st : r.strategies) {
    if (st.spec.name == "fp64") continue;
    s += ", " + st.spec.name + " " + st.final_exact();
  }
  return s + ".";
}

}  // namespace mantissa::app
