#include "app/training_editor.h"

#include <algorithm>
#include <string>

#include "app/adaptive.h"
#include "app/app.h"
#include "app/fonts.h"
#include "app/style.h"
#include "app/widgets.h"
#include "imgui.h"
#include "sim/setup.h"

namespace mantissa::app {
namespace {

// The room a help marker "(?)" takes after its field.
float help_width() { return ImGui::CalcTextSize("(?)").x + ImGui::GetStyle().ItemSpacing.x; }

// A labelled field. On a phone the help marker follows the label and the
// field takes the whole row; on a wide screen both sit on one line.
void labelled(const char* label, const char* help, float width) {
  if (narrow_layout()) {
    ImGui::TextUnformatted(label);
    if (help) {
      ImGui::SameLine();
      help_marker(help);
    }
    ImGui::SetNextItemWidth(ImGui::GetContentRegionAvail().x);
  } else {
    field_label(label);
    ImGui::SetNextItemWidth(std::min(width, ImGui::GetContentRegionAvail().x - (help ? help_width() : 0)));
  }
}

void wide_help(const char* help) {
  if (!help || narrow_layout()) return;
  ImGui::SameLine();
  help_marker(help);
}

bool text_field(const char* label, const char* id, std::string* value, float width,
                const char* help = nullptr) {
  labelled(label, help, width);
  ImGui::PushFont(mono_font());
  const bool changed = input_text(id, value);
  ImGui::PopFont();
  anchor_item(std::string("train:") + (id + 2));
  wide_help(help);
  return changed;
}

bool u64_field(const char* label, const char* id, uint64_t* value, float width, const char* help = nullptr) {
  labelled(label, help, width);
  ImGui::PushFont(mono_font());
  const bool changed = ImGui::InputScalar(id, ImGuiDataType_U64, value);
  ImGui::PopFont();
  anchor_item(std::string("train:") + (id + 2));
  wide_help(help);
  return changed;
}

void draw_strategy_toggles(TrainingScenario& t) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Strategies");
  ImGui::SameLine();
  help_marker(
      "How the weight is stored and updated. F: round-to-nearest-even in format F. F-sr: stochastic "
      "rounding. F-kahan: Kahan-compensated sum. fp32-master+ls-*: an fp32 master weight fed "
      "loss-scaled fp16 gradients (static:S or dynamic).");
  const float avail = ImGui::GetContentRegionAvail().x;
  bool first = true;
  for (const std::string& name : sim::standard_strategy_names()) {
    auto it = std::find_if(t.strategies.begin(), t.strategies.end(),
                           [&](const std::string& s) { return s == name || s.rfind(name + ":", 0) == 0; });
    bool on = it != t.strategies.end();
    const float w = ImGui::CalcTextSize(name.c_str()).x + ImGui::GetFrameHeight() + px(8);
    if (!first) same_line_or_wrap(w, px(8));
    first = false;
    if (ImGui::Checkbox(name.c_str(), &on)) {
      if (on)
        t.strategies.push_back(name);
      else
        t.strategies.erase(it);
    }
    anchor_item("train-strategy:" + name);
  }
  // The whole list as text: custom formats (e6m9, e5m2-sr ...) and scales.
  std::string list;
  for (const std::string& s : t.strategies) list += (list.empty() ? "" : ",") + s;
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(std::min(avail, px(560)));
  if (input_text("##strategies", &list)) {
    t.strategies.clear();
    size_t start = 0;
    while (start <= list.size()) {
      const size_t comma = std::min(list.find(',', start), list.size());
      std::string item = list.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(' '));
      if (item.find_last_not_of(' ') != std::string::npos) item.erase(item.find_last_not_of(' ') + 1);
      if (!item.empty()) t.strategies.push_back(item);
      start = comma + 1;
    }
  }
  ImGui::PopFont();
  anchor_item("train:strategies");
}

// w0, the increment, the gradient format and the seed.
void draw_increment_column(TrainingScenario& t, float field) {
  text_field("Initial weight w0", "##w0", &t.w0, field,
             "The weight every strategy starts from (an exact decimal).");
  int kind = t.grad.empty() ? 0 : 1;
  const char* gaussian = "lr \xc3\x97 N(mean, std)";
  field_label("Increment");
  if (ImGui::RadioButton("constant", kind == 0) && kind != 0) t.grad.clear();
  anchor_item("train:inc-constant");
  same_line_or_wrap(ImGui::CalcTextSize(gaussian).x + ImGui::GetFrameHeight() + px(8));
  if (ImGui::RadioButton(gaussian, kind == 1) && kind != 1) {
    t.grad = "normal:0:1";
    if (t.lr.empty()) t.lr = "0.0001";
  }
  anchor_item("train:inc-gaussian");
  if (t.grad.empty()) {
    text_field("  added each step", "##inc", &t.inc, field,
               "Stored in the gradient format first (RNE), then added to the weight.");
  } else {
    text_field("  lr", "##lr", &t.lr, field);
    text_field("  grad ~", "##grad", &t.grad, field,
               "normal:MEAN:STD, drawn per step (and per weight) from the seed.");
  }
  field_label("Gradient format");
  format_combo("##grad-format", &t.grad_format, field_width(px(130)));
  anchor_item("train:grad-format");
  u64_field("Seed", "##seed", &t.seed, px(110));
}

// Steps, loss scaling, population and the reference.
void draw_run_column(TrainingScenario& t, float field) {
  u64_field("Steps", "##steps", &t.steps, field);
  // Shortcuts: after the field on a wide screen, on the line below on a phone.
  bool follows = !narrow_layout();
  for (uint64_t n : {uint64_t{101}, uint64_t{10000}, uint64_t{1000000}, uint64_t{10000000}}) {
    const std::string label = n == 101       ? "101"
                              : n == 10000   ? "10\xe2\x81\xb4"
                              : n == 1000000 ? "10\xe2\x81\xb6"
                                             : "10\xe2\x81\xb7";
    if (follows) same_line_or_wrap(button_width(label.c_str()));
    follows = true;
    if (ImGui::SmallButton(label.c_str())) t.steps = n;
    anchor_item("train:steps-" + std::to_string(n));
  }
  // Loss scaling: none, static:S or dynamic.
  int ls = t.loss_scale.empty() ? 0 : t.loss_scale.rfind("static", 0) == 0 ? 1 : 2;
  field_label("Loss scaling");
  const char* ls_names[] = {"none", "static", "dynamic"};
  ImGui::SetNextItemWidth(px(110));
  if (ImGui::Combo("##loss-scale", &ls, ls_names, 3)) {
    t.loss_scale = ls == 0 ? "" : ls == 1 ? "static:65536" : "dynamic";
  }
  anchor_item("train:loss-scale");
  if (ls == 1) {
    same_line_or_wrap(px(110));
    std::string scale = t.loss_scale.size() > 7 ? t.loss_scale.substr(7) : "65536";
    ImGui::PushFont(mono_font());
    ImGui::SetNextItemWidth(px(110));
    if (input_text("##scale", &scale)) t.loss_scale = "static:" + scale;
    ImGui::PopFont();
  }
  same_line_or_wrap(help_width());
  help_marker(
      "Adds fp32-master+ls-static / ls-dynamic: the gradient is multiplied by the scale before it is "
      "stored in the gradient format, and divided again in fp32. Dynamic halves the scale and skips the "
      "step on overflow, and doubles it every 2000 good steps.");
  u64_field("Population", "##population", &t.population, field,
            "1: one weight, plotted step by step. More: that many weights, each with its own gradients; "
            "the panel shows lost updates per step and the final relative errors.");
  if (t.population > 1)
    text_field("  initial weights", "##init", &t.init, field,
               "Empty: every weight starts at w0. normal:MEAN:STD or uniform:LO:HI.");
  bool exact = t.reference == "exact";
  if (ImGui::Checkbox("Reference adds the exact increments", &exact))
    t.reference = exact ? "exact" : "stored";
  anchor_item("train:reference");
  same_line_or_wrap(help_width());
  help_marker(
      "Off: the fp64 reference adds the increments as stored in the gradient format, so it measures the "
      "weight's storage alone. On: it adds them as exactly as fp64 holds them, so gradient underflow "
      "counts too (use it with loss scaling).");
}

}  // namespace

void draw_training_editor(TrainingScenario& t) {
  const float field = px(150);
  if (narrow_layout()) {
    draw_increment_column(t, field);
    draw_run_column(t, field);
  } else if (ImGui::BeginTable("train-editor", 2, ImGuiTableFlags_SizingStretchSame)) {
    ImGui::TableNextColumn();
    draw_increment_column(t, field);
    ImGui::TableNextColumn();
    draw_run_column(t, field);
    ImGui::EndTable();
  }
  draw_strategy_toggles(t);
}

}  // namespace mantissa::app
