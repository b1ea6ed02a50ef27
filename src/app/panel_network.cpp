// The Network panel (view): a small MLP trained live in several precision
// recipes side by side. The model (runs, regions, presets) is
// app/network_model.h; this file draws it and reports its state.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "app/adaptive.h"
#include "app/app.h"
#include "app/fonts.h"
#include "app/landscape_axis.h"
#include "app/network_model.h"
#include "app/panels.h"
#include "app/plot.h"
#include "app/style.h"
#include "app/widgets.h"
#include "train/recipe.h"

namespace mantissa::app {

namespace {

constexpr double kFrameBudgetSeconds = 0.006;  // training work per frame (of ~16.7 ms)

NetworkRun g_run;
bool g_held = false;  // Reset pressed: no automatic restart until Train or a changed setting

// Plot data derived from the results, rebuilt when they change.
struct PlotData {
  uint64_t version = ~uint64_t{0};
  int frames_since = 0;
  std::vector<double> steps, epochs;
  std::vector<std::vector<double>> scale;  // [recipe][step] log2 of the loss scale
  std::vector<bool> scaled;                // the recipe uses a loss scale
} g_data;

PlotState g_loss_plot, g_acc_plot, g_scale_plot;

void rebuild_plot_data(const train::Training& t) {
  const train::TrainResults& r = t.results();
  g_data.steps.resize(r.steps_done);
  for (size_t i = 0; i < g_data.steps.size(); ++i) g_data.steps[i] = static_cast<double>(i + 1);
  const size_t epochs = r.recipes.empty() ? 0 : r.recipes[0].test_accuracy.size();
  g_data.epochs.resize(epochs);
  for (size_t i = 0; i < epochs; ++i) g_data.epochs[i] = static_cast<double>(i + 1);
  g_data.scale.assign(r.recipes.size(), {});
  g_data.scaled.assign(r.recipes.size(), false);
  for (size_t k = 0; k < r.recipes.size(); ++k) {
    for (int s : r.recipes[k].log2_scale) {
      g_data.scale[k].push_back(s);
      if (s != 0) g_data.scaled[k] = true;
    }
  }
}

// --- Settings ---------------------------------------------------------------------

void draw_presets(NetworkScenario& n) {
  std::vector<PresetEntry> entries;
  int current = -1;
  for (const NetworkPreset& p : network_presets()) {
    NetworkScenario t;
    p.apply(t);
    if (t == n) current = static_cast<int>(entries.size());
    entries.push_back({p.key, p.title, p.lesson});
  }
  const int chosen = preset_menu("##network-presets", "network-presets", "network-preset:", entries, current, px(380));
  if (chosen >= 0) network_presets()[static_cast<size_t>(chosen)].apply(n);
  if (current >= 0) {
    ImGui::PushTextWrapPos(0);
    text_muted(entries[static_cast<size_t>(current)].lesson);
    ImGui::PopTextWrapPos();
  }
}

bool accept_model(const std::string& text, void*, std::string* error) {
  train::Model m;
  return text.empty() || train::parse_model(text, &m, error);
}
bool accept_number(const std::string& text, void*, std::string* error) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != 0 || !std::isfinite(v) || v < 0) return *error = "a number >= 0", false;
  return true;
}
bool accept_loss_weight(const std::string& text, void*, std::string* error) {
  double w;
  return train::parse_loss_weight(text, &w, error);
}
bool accept_custom(const std::string& text, void*, std::string* error) {
  std::vector<train::Recipe> r;
  return text.empty() || train::parse_recipe_list(text, &r, error);
}

// "key=value" of an optimizer text ("" when absent).
std::string optimizer_value(const std::string& opt, const std::string& key) {
  const size_t at = opt.find(key + "=");
  if (at == std::string::npos) return "";
  const size_t start = at + key.size() + 1, end = opt.find(',', start);
  return opt.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

void draw_optimizer(NetworkScenario& n) {
  static BoundField lr_field, momentum_field;
  const bool adam = n.optimizer.rfind("adam", 0) == 0;
  std::string lr = optimizer_value(n.optimizer, "lr"), momentum = optimizer_value(n.optimizer, "momentum");
  if (momentum.empty()) momentum = "0.9";
  int kind = adam ? 1 : 0;
  field_label("Optimizer");
  ImGui::SetNextItemWidth(field_width(px(90)));
  bool changed = ImGui::Combo("##net-opt", &kind, "sgd\0adam\0");
  anchor_item("network:optimizer");
  same_line_or_wrap(px(160));
  field_label("lr");
  changed |= bound_input("##net-lr", lr_field, &lr, field_width(px(90)), accept_number, nullptr);
  anchor_item("network:lr");
  if (kind == 0) {
    same_line_or_wrap(px(160));
    field_label("momentum");
    changed |= bound_input("##net-mom", momentum_field, &momentum, field_width(px(70)), accept_number, nullptr);
  }
  if (changed) n.optimizer = kind == 0 ? "sgd:lr=" + lr + ",momentum=" + momentum : "adam:lr=" + lr;
  draw_field_error(lr_field);
  if (kind == 0) draw_field_error(momentum_field);
}

// Checkboxes for the standard recipes, a text field for custom ones; the
// scenario keeps the --recipes text.
void draw_recipes(NetworkScenario& n) {
  static BoundField custom_field;
  std::vector<train::Recipe> list;
  std::string error;
  train::parse_recipe_list(n.recipes, &list, &error);
  std::vector<std::string> names, custom;
  for (const train::Recipe& r : list) (r.name.rfind("custom:", 0) == 0 ? custom : names).push_back(r.name);
  std::string custom_text;
  for (const std::string& c : custom) custom_text += (custom_text.empty() ? "" : ";") + c;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Recipes");
  ImGui::SameLine();
  help_marker(
      "How the network's tensors are stored and computed (README, Training a real network). Every recipe "
      "starts from the same weights and sees the same minibatches. Custom: "
      "custom:w=F/a=F/g=F/acc=ACC/master=on|off/update=rne|kahan|sr/ls=none|dynamic, several separated by ';'.");
  bool changed = false;
  for (const std::string& name : train::standard_recipe_names()) {
    bool on = std::find(names.begin(), names.end(), name) != names.end();
    same_line_or_wrap(ImGui::CalcTextSize(name.c_str()).x + px(36));
    if (ImGui::Checkbox(name.c_str(), &on)) {
      changed = true;
      if (on)
        names.push_back(name);
      else
        names.erase(std::find(names.begin(), names.end(), name));
    }
    anchor_item("network:recipe:" + name);
  }
  field_label("Custom");
  changed |= bound_input("##net-custom", custom_field, &custom_text, field_width(px(420)), accept_custom, nullptr);
  anchor_item("network:custom");
  draw_field_error(custom_field);
  if (!changed) return;
  // Standard recipes in display order, then the custom ones.
  std::string text;
  const bool semicolons = custom_text.find(',') != std::string::npos;
  for (const std::string& name : train::standard_recipe_names()) {
    if (std::find(names.begin(), names.end(), name) != names.end()) text += (text.empty() ? "" : semicolons ? ";" : ",") + name;
  }
  if (!custom_text.empty()) text += (text.empty() ? "" : semicolons ? ";" : ",") + custom_text;
  if (text.empty()) text = "fp32";  // at least one recipe
  n.recipes = text;
}

bool u64_input(const char* label, const char* id, uint64_t* v, uint64_t lo, uint64_t hi, float width) {
  field_label(label);
  ImGui::SetNextItemWidth(field_width(width));
  uint64_t x = *v;
  const bool changed = ImGui::InputScalar(id, ImGuiDataType_U64, &x) && x >= lo && x <= hi;
  anchor_item(std::string("network:") + (id + 2));
  if (changed) *v = x;
  return changed;
}

void draw_settings(NetworkScenario& n) {
  static BoundField model_field, loss_weight_field;
  field_label("Data");
  ImGui::SetNextItemWidth(field_width(px(110)));
  if (ImGui::BeginCombo("##net-data", n.data.c_str())) {
    for (const std::string& d : train::dataset_names()) {
      if (ImGui::Selectable(d.c_str(), d == n.data)) {
        if (d != n.data) n.model.clear();  // the data set's default widths
        n.data = d;
      }
    }
    ImGui::EndCombo();
  }
  anchor_item("network:data");
  same_line_or_wrap(px(260));
  field_label("Model");
  bound_input("##net-model", model_field, &n.model, field_width(px(160)), accept_model, nullptr);
  anchor_item("network:model");
  if (n.model.empty()) {
    ImGui::SameLine();
    text_muted(n.data == "digits" ? "(64-32-10)" : "(2-16-16-2)");
  }
  draw_field_error(model_field);
  draw_optimizer(n);
  u64_input("Batch", "##batch", &n.batch, 1, 1u << 20, px(80));
  same_line_or_wrap(px(160));
  u64_input("Epochs", "##epochs", &n.epochs, 1, train::kMaxEpochs, px(80));
  same_line_or_wrap(px(160));
  u64_input("Seed", "##seed", &n.seed, 0, ~uint64_t{0}, px(80));
  same_line_or_wrap(px(200));
  u64_input("Subset", "##subset", &n.subset, 0, 1u << 20, px(80));
  same_line_or_wrap(px(200));
  field_label("Loss weight");
  bound_input("##net-lw", loss_weight_field, &n.loss_weight, field_width(px(80)), accept_loss_weight, nullptr);
  anchor_item("network:loss-weight");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("The loss is multiplied by this (1e-12 to 1): small weights make small gradients,\n"
                      "which underflow in fp16 without a loss scale.");
  draw_field_error(loss_weight_field);
  if (n.data != "digits") {
    same_line_or_wrap(px(180));
    u64_input("Data seed", "##dataseed", &n.data_seed, 0, ~uint64_t{0}, px(80));
  }
  draw_recipes(n);
}

void draw_run_bar(NetworkScenario& n) {
  if (ImGui::Button("Train")) {
    g_held = false;
    g_run.start(n);
  }
  anchor_item("network:train");
  ImGui::SameLine();
  if (g_run.status() == NetworkRun::Status::Stopped) {
    if (ImGui::Button("Resume")) g_run.resume();
  } else {
    ImGui::BeginDisabled(g_run.status() != NetworkRun::Status::Running);
    if (ImGui::Button("Stop")) g_run.stop();
    ImGui::EndDisabled();
  }
  anchor_item("network:stop");
  ImGui::SameLine();
  if (ImGui::Button("Reset")) {
    g_run.reset();
    g_held = true;
  }
  anchor_item("network:reset");
  const train::Training* t = g_run.training();
  ImGui::SameLine();
  if (g_run.status() == NetworkRun::Status::Refused) {
    ImGui::PushTextWrapPos(0);
    text_colored(palette().error, "\xe2\x9a\xa0 " + g_run.error());
    ImGui::PopTextWrapPos();
  } else if (t) {
    const train::TrainResults& r = t->results();
    char buf[160];
    std::snprintf(buf, sizeof buf, "%s: step %llu of %llu, epoch %llu of %llu, %.0f steps/s",
                  NetworkRun::status_name(g_run.status()), static_cast<unsigned long long>(r.steps_done),
                  static_cast<unsigned long long>(r.steps),
                  static_cast<unsigned long long>(r.steps_per_epoch ? r.steps_done / r.steps_per_epoch : 0),
                  static_cast<unsigned long long>(t->spec().epochs), g_run.steps_per_second());
    text_muted(buf);
  } else {
    text_muted("idle");
  }
  ImGui::PushFont(mono_font());
  ImGui::PushTextWrapPos(0);
  text_muted(network_command(n) + " --json");
  ImGui::PopTextWrapPos();
  ImGui::PopFont();
}

// --- Results ----------------------------------------------------------------------

void draw_curves(const train::Training& t) {
  const auto& recipes = t.results().recipes;
  std::vector<PlotSeries> loss, acc, scale;
  for (size_t k = 0; k < recipes.size(); ++k) {
    const auto& r = recipes[k];
    const size_t n = std::min(g_data.steps.size(), r.loss.size());
    PlotSeries s;
    s.name = r.recipe.name;
    s.color = landscape::format_color(k);
    s.x = std::span<const double>(g_data.steps.data(), n);
    s.y = std::span<const double>(r.loss.data(), n);
    loss.push_back(s);
    const size_t e = std::min(g_data.epochs.size(), r.test_accuracy.size());
    s.x = std::span<const double>(g_data.epochs.data(), e);
    s.y = std::span<const double>(r.test_accuracy.data(), e);
    s.style = e < 2 ? PlotSeries::Style::Dots : PlotSeries::Style::Line;
    acc.push_back(s);
    if (k < g_data.scaled.size() && g_data.scaled[k]) {
      s.style = PlotSeries::Style::Line;
      const size_t m = std::min(n, g_data.scale[k].size());
      s.x = std::span<const double>(g_data.steps.data(), m);
      s.y = std::span<const double>(g_data.scale[k].data(), m);
      scale.push_back(s);
    }
  }
  PlotSpec spec;
  spec.id = "network-loss";
  spec.title = "Training loss per step";
  spec.caption = "mean cross-entropy of each minibatch, every recipe on the same batches";
  spec.x_label = "step";
  spec.integer_x = true;
  spec.y_scale = PlotScale::Log;
  spec.log_floor = 1e-4;
  spec.file_name = "network-loss";
  spec.height = 200;
  draw_plot(spec, loss, g_loss_plot);
  anchor_item("network:loss-plot");
  spec = PlotSpec{};
  spec.id = "network-accuracy";
  spec.title = "Test accuracy per epoch";
  spec.x_label = "epoch";
  spec.integer_x = true;
  spec.file_name = "network-accuracy";
  spec.height = 160;
  draw_plot(spec, acc, g_acc_plot);
  if (!scale.empty()) {
    spec = PlotSpec{};
    spec.id = "network-scale";
    spec.title = "Loss scale (log2) per step";
    spec.caption = "halved after a step whose gradients overflowed (the step is skipped)";
    spec.x_label = "step";
    spec.integer_x = true;
    spec.file_name = "network-loss-scale";
    spec.height = 120;
    draw_plot(spec, scale, g_scale_plot);
  }
}

// Per recipe, one row per layer: the fraction of nonzero increments that left
// the stored weight unchanged, from white (none) to the warning colour (all).
void draw_lost_strips(const train::Training& t) {
  ImGui::TextUnformatted("Updates lost per layer over time");
  ImGui::SameLine();
  help_marker("Each cell: the mean, over its steps, of the fraction of a layer's nonzero weight increments "
              "that rounding left without effect on the stored weight.");
  const auto& recipes = t.results().recipes;
  const float label_w = px(150), row_h = px(9);
  const float width = std::max(px(60), ImGui::GetContentRegionAvail().x - label_w);
  const size_t columns = static_cast<size_t>(std::clamp(width / px(3), 8.0f, 240.0f));
  // From the frame background (nothing lost) to the warning colour (all lost).
  ImVec4 cold = ImGui::GetStyleColorVec4(ImGuiCol_FrameBg);
  cold.w = 1;
  const ImVec4 hot = color_vec(palette().warn);
  for (size_t k = 0; k < recipes.size(); ++k) {
    const auto& r = recipes[k];
    text_colored(landscape::format_color(k), "\xe2\x96\xa0");
    ImGui::SameLine();
    ImGui::TextUnformatted(r.recipe.name.c_str());
    ImGui::SameLine(label_w);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const size_t layers = r.lost.size();
    ImGui::InvisibleButton(("##lost" + std::to_string(k)).c_str(),
                           ImVec2(width, row_h * static_cast<float>(std::max<size_t>(layers, 1))));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float cw = width / static_cast<float>(columns);
    for (size_t l = 0; l < layers; ++l) {
      const std::vector<double> strip = lost_strip(r, l, columns);
      for (size_t c = 0; c < columns; ++c) {
        if (std::isnan(strip[c])) continue;
        const float f = static_cast<float>(std::clamp(strip[c], 0.0, 1.0));
        const ImVec4 col(cold.x + (hot.x - cold.x) * f, cold.y + (hot.y - cold.y) * f, cold.z + (hot.z - cold.z) * f, 1);
        const ImVec2 a(origin.x + cw * c, origin.y + row_h * l);
        dl->AddRectFilled(a, ImVec2(a.x + cw + 0.5f, a.y + row_h - 1), ImGui::ColorConvertFloat4ToU32(col));
      }
    }
    if (ImGui::IsItemHovered() && layers) {
      const ImVec2 m = ImGui::GetIO().MousePos;
      const size_t l = std::min(layers - 1, static_cast<size_t>(std::max(0.0f, (m.y - origin.y) / row_h)));
      const size_t c = std::min(columns - 1, static_cast<size_t>(std::max(0.0f, (m.x - origin.x) / cw)));
      const double f = lost_strip(r, l, columns)[c];
      char buf[128];
      std::snprintf(buf, sizeof buf, "%s, layer %zu: %.1f%% of updates lost", r.recipe.name.c_str(), l + 1,
                    100 * f);
      ImGui::SetTooltip("%s", buf);
    }
  }
}

void draw_regions(const train::Training& t) {
  const DecisionRegions& g = g_run.regions();
  if (g.res == 0) return;
  char title[96];
  std::snprintf(title, sizeof title, "Decision regions after epoch %llu (test points on top)",
                static_cast<unsigned long long>(g.epoch));
  ImGui::TextUnformatted(title);
  const float size = std::min(px(150), ImGui::GetContentRegionAvail().x);
  const ImU32 fill[2] = {IM_COL32(120, 170, 230, 255), IM_COL32(245, 180, 110, 255)};
  const ImU32 dot[2] = {IM_COL32(20, 70, 160, 255), IM_COL32(190, 90, 10, 255)};
  const train::Dataset& d = t.data();
  for (size_t k = 0; k < g.classes.size(); ++k) {
    if (k > 0) same_line_or_wrap(size);
    ImGui::BeginGroup();
    text_colored(landscape::format_color(k), t.results().recipes[k].recipe.name);
    const ImVec2 o = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(size, size));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float cell = size / static_cast<float>(g.res);
    for (int row = 0; row < g.res; ++row)
      for (int col = 0; col < g.res; ++col)
        dl->AddRectFilled(ImVec2(o.x + col * cell, o.y + row * cell),
                          ImVec2(o.x + (col + 1) * cell + 0.5f, o.y + (row + 1) * cell + 0.5f),
                          fill[g.classes[k][row * g.res + col] & 1]);
    for (size_t i = 0; i < d.test_size(); ++i) {
      const float x = static_cast<float>((d.test_x[2 * i] + g.extent) / (2 * g.extent)) * size;
      const float y = static_cast<float>((g.extent - d.test_x[2 * i + 1]) / (2 * g.extent)) * size;
      dl->AddCircleFilled(ImVec2(o.x + x, o.y + y), px(1.6f), dot[d.test_y[i] & 1]);
    }
    anchor_item("network:regions:" + std::to_string(k));
    ImGui::EndGroup();
  }
}

void draw_summary(const train::Training& t) {
  if (!ImGui::BeginTable("network-summary", 6, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg)) return;
  for (const char* h : {"recipe", "last loss", "test accuracy", "skipped", "max lost", "max underflow"}) ImGui::TableSetupColumn(h);
  ImGui::TableHeadersRow();
  const auto& recipes = t.results().recipes;
  for (size_t k = 0; k < recipes.size(); ++k) {
    const auto& r = recipes[k];
    double lost = 0, under = 0;
    for (const auto& l : r.lost)
      for (double x : l) lost = std::max(lost, x);
    for (const auto& l : r.underflow)
      for (double x : l) under = std::max(under, x);
    char buf[64];
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    text_colored(landscape::format_color(k), r.recipe.name);
    ImGui::TableNextColumn();
    std::snprintf(buf, sizeof buf, "%.4f", r.loss.empty() ? NAN : r.loss.back());
    ImGui::TextUnformatted(buf);
    ImGui::TableNextColumn();
    if (r.test_accuracy.empty())
      text_muted("-");
    else
      ImGui::Text("%.1f%%", 100 * r.test_accuracy.back());
    ImGui::TableNextColumn();
    ImGui::Text("%llu", static_cast<unsigned long long>(r.skipped_steps));
    ImGui::TableNextColumn();
    ImGui::Text("%.1f%%", 100 * lost);
    ImGui::TableNextColumn();
    ImGui::Text("%.1f%%", 100 * under);
  }
  ImGui::EndTable();
}

}  // namespace

bool network_running() { return g_run.status() == NetworkRun::Status::Running; }

void draw_network_panel(Scenario& sc) {
  NetworkScenario& n = sc.network;
  // A changed setting (an edit, a preset, a link) restarts training; Reset
  // holds it until Train or the next change.
  if (g_run.inputs() != n || (g_run.status() == NetworkRun::Status::Idle && !g_held)) {
    g_held = false;
    g_run.start(n);
  }
  g_run.advance(std::chrono::duration<double>(kFrameBudgetSeconds));

  draw_presets(n);
  ImGui::Spacing();
  draw_settings(n);
  ImGui::Spacing();
  draw_run_bar(n);
  const train::Training* t = g_run.training();
  if (!t) return;
  ++g_data.frames_since;
  if (g_data.version != g_run.version() &&
      (g_run.status() != NetworkRun::Status::Running || g_data.frames_since >= 6)) {
    rebuild_plot_data(*t);
    g_data.version = g_run.version();
    g_data.frames_since = 0;
  }
  ImGui::Spacing();
  draw_summary(*t);
  ImGui::Spacing();
  draw_curves(*t);
  ImGui::Spacing();
  draw_lost_strips(*t);
  ImGui::Spacing();
  draw_regions(*t);
}

void write_network_state(JsonWriter& w, const Scenario& sc) {
  const NetworkScenario& n = sc.network;
  w.key("inputs").begin_object();
  w.field("data", n.data).field("data_seed", n.data_seed).field("model", n.model);
  w.field("optimizer", n.optimizer).field("recipes", n.recipes).field("epochs", n.epochs);
  w.field("batch", n.batch).field("seed", n.seed).field("subset", n.subset).field("loss_weight", n.loss_weight);
  w.end_object();

  w.key("results").begin_object();
  w.field("status", NetworkRun::status_name(g_run.status()));
  w.field("error", g_run.error());
  w.key("args").begin_array();
  for (const std::string& a : network_cli_args(g_run.inputs())) w.value(a);
  w.end_array();
  w.field("command", network_command(g_run.inputs()));
  if (const train::Training* t = g_run.training()) {
    w.field("progress", t->progress());
    w.field("steps_per_second", g_run.steps_per_second());
    w.field("longest_advance_ms", g_run.longest_advance_ms());  // the worst frame's training work
    w.field("longest_part_ms", g_run.longest_part_ms());  // the longest unit of training work
    w.field("advance_frames", g_run.frames()).field("frames_over_budget", g_run.frames_over_budget());
    w.field("advance_parts", g_run.parts()).field("parts_over_2ms", g_run.parts_over_target());
    w.field("frame_budget_ms", kFrameBudgetSeconds * 1000);
    w.field("regions_epoch", g_run.regions().epoch);
    w.key("report").raw(train::train_json(*t));  // what `mantissa train --json` prints
  }
  w.end_object();
}

std::string network_announcement(const Scenario&) {
  if (g_run.status() == NetworkRun::Status::Refused) return "Network: " + g_run.error();
  const train::Training* t = g_run.training();
  if (!t) return "Network: idle.";
  const train::TrainResults& r = t->results();
  if (g_run.status() == NetworkRun::Status::Running)
    return "Network: training, " + std::to_string(static_cast<int>(t->progress() * 100)) + "% done.";
  std::string s = "Network: " + std::string(NetworkRun::status_name(g_run.status())) + " after " +
                  std::to_string(r.steps_done) + " steps";
  for (const auto& rr : r.recipes) {
    if (rr.test_accuracy.empty()) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, ", %s %.1f%% test accuracy", rr.recipe.name.c_str(), 100 * rr.test_accuracy.back());
    s += buf;
  }
  return s + ".";
}

}  // namespace mantissa::app
