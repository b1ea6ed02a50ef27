// "Inspect tensors": what each format does to every tensor of a checkpoint
// the user drops on the page. The files are read by web workers (the page's
// glue, web/tensors.js + inspect-worker.js, running m.inspect), never sent
// anywhere; this view draws the model (tensors_model.h): the inputs (the
// CLI's inspect options), progress with throughput and cancel, a sortable
// table of tensors x formats, and the selected tensor's log2|x| histogram
// over each format's number line.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/adaptive.h"
#include "app/app.h"
#include "app/fonts.h"
#include "app/panels.h"
#include "app/platform.h"
#include "app/style.h"
#include "app/tensors_model.h"
#include "app/widgets.h"
#include "imgui.h"

namespace mantissa::app {

namespace {

TensorsModel g_model;
std::string g_sent_options;  // the options last handed to the page's glue

// Formats offered as check boxes; any other name goes in the list field.
constexpr const char* kQuickFormats[] = {"fp16", "bf16", "fp8-e4m3", "fp8-e5m2", "tf32"};

std::string bytes_text(double bytes) {
  char buf[48];
  if (bytes >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f GB", bytes / 1e9);
  else if (bytes >= 1e6)
    std::snprintf(buf, sizeof buf, "%.1f MB", bytes / 1e6);
  else if (bytes >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1f kB", bytes / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f B", bytes);
  return buf;
}

std::string percent(double fraction) {
  char buf[32];
  if (fraction == 0) return "0";
  std::snprintf(buf, sizeof buf, fraction < 1e-3 ? "%.2g%%" : "%.2f%%", 100 * fraction);
  return buf;
}

std::string general(double v, const char* f = "%.4g") {
  char buf[32];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// --- Inputs ------------------------------------------------------------------------

void draw_inputs(TensorsScenario& s) {
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Formats");
  for (const char* name : kQuickFormats) {
    same_line_or_wrap(box + ImGui::CalcTextSize(name).x);
    auto it = std::find(s.formats.begin(), s.formats.end(), name);
    bool on = it != s.formats.end();
    if (ImGui::Checkbox(name, &on)) {
      if (on)
        s.formats.push_back(name);
      else
        s.formats.erase(it);
    }
    anchor_item(std::string("tensors-format:") + name);
  }
  same_line_or_wrap(std::min(px(240), ImGui::GetContentRegionAvail().x));
  std::string list;
  for (const std::string& f : s.formats) list += (list.empty() ? "" : ",") + f;
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(std::min(px(240), ImGui::GetContentRegionAvail().x - px(24)));
  if (input_text("##tensor-formats", &list, ImGuiInputTextFlags_EnterReturnsTrue)) {
    s.formats.clear();
    for (size_t start = 0; start <= list.size();) {
      const size_t comma = std::min(list.find(',', start), list.size());
      const std::string item = list.substr(start, comma - start);
      const size_t a = item.find_first_not_of(' '), b = item.find_last_not_of(' ');
      if (a != std::string::npos) s.formats.push_back(item.substr(a, b - a + 1));
      start = comma + 1;
    }
  }
  ImGui::PopFont();
  anchor_item("tensors:formats");
  ImGui::SameLine();
  help_marker("Any format `convert` accepts: fp16, bf16, fp8-e4m3, tf32, eXmY, eXmYfn ... (Enter applies).");

  field_label("learning rate");
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(field_width(px(110)));
  input_text("##tensor-lr", &s.lr, ImGuiInputTextFlags_EnterReturnsTrue);
  anchor_item("tensors:lr");
  ImGui::PopFont();
  same_line_or_wrap(px(230), px(16));
  field_label("gradient std");
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(field_width(px(110)));
  input_text("##tensor-grad", &s.grad_std, ImGuiInputTextFlags_EnterReturnsTrue);
  anchor_item("tensors:grad-std");
  ImGui::PopFont();
  same_line_or_wrap(px(200), px(16));
  field_label("scale");
  ImGui::SetNextItemWidth(field_width(px(110)));
  if (ImGui::BeginCombo("##tensor-scale", s.scale.c_str())) {
    for (const char* option : {"none", "tensor"}) {
      if (ImGui::Selectable(option, s.scale == option)) s.scale = option;
    }
    ImGui::EndCombo();
  }
  anchor_item("tensors:scale");
  ImGui::SameLine();
  help_marker(
      "With a learning rate and a gradient magnitude, the table adds the fraction of each tensor's weights "
      "whose update lr*|g| falls below half an ULP in that format: lost without an fp32 master copy. "
      "Scale 'tensor' scales each tensor by its amax first (FP8 training recipes).");
}

// --- Files and progress ------------------------------------------------------------------

void draw_files(const TensorsModel& m) {
  if (!platform_tensors_available()) {
    text_muted("Open Mantissa itself to inspect your own files (the embed reads none).");
    return;
  }
  if (ImGui::Button("Choose files\xe2\x80\xa6")) platform_tensors_pick();
  anchor_item("tensors:pick");
  ImGui::SameLine();
  ImGui::PushTextWrapPos(0);
  text_muted(
      "or drop .safetensors / .npy / .gguf files anywhere on this page. They are read in this browser, "
      "by background workers, in chunks of 4 MiB: nothing leaves this machine.");
  ImGui::PopTextWrapPos();

  if (m.status == ScanStatus::Idle) return;
  std::string names;
  for (const auto& [name, size] : m.files)
    names += (names.empty() ? "" : ", ") + name + " (" + bytes_text(size) + ")";
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(names.c_str());
  ImGui::PopTextWrapPos();
  const float fraction =
      m.bytes_total ? static_cast<float>(static_cast<double>(m.bytes_done) / m.bytes_total) : 1.0f;
  const std::string overlay = bytes_text(m.bytes_done) + " of " + bytes_text(m.bytes_total) +
                              (m.bytes_per_second > 0 ? ", " + bytes_text(m.bytes_per_second) + "/s" : "");
  const bool scanning = m.status == ScanStatus::Scanning;
  ImGui::ProgressBar(fraction,
                     ImVec2(std::min(px(420), ImGui::GetContentRegionAvail().x - (scanning ? px(90) : 0)), 0),
                     overlay.c_str());
  anchor_item("tensors:progress");
  if (scanning) {
    ImGui::SameLine();
    if (ImGui::Button("Cancel")) platform_tensors_cancel();
    anchor_item("tensors:cancel");
  } else if (m.status == ScanStatus::Done) {
    text_muted("Read in " + general(m.seconds, "%.2f") + " s.");
  } else if (m.status == ScanStatus::Cancelled) {
    text_colored(palette().warn, "Cancelled.");
  }
  if (m.status == ScanStatus::Failed) {
    ImGui::PushTextWrapPos(0);
    text_colored(palette().error, "\xe2\x9a\xa0 " + m.error);
    ImGui::PopTextWrapPos();
  }
  for (const std::string& n : m.notices) {
    ImGui::PushTextWrapPos(0);
    text_muted("note: " + n);
    ImGui::PopTextWrapPos();
  }
}

// --- The table ---------------------------------------------------------------------

void draw_table(TensorsModel& m) {
  if (m.tensors.empty()) return;
  const bool lost = !m.tensors.front().formats.empty() && m.tensors.front().formats.front().lost.has_value();
  const int columns = lost ? kColCount_ : kColCount_ - 1;
  constexpr ImGuiTableFlags kFlags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg |
                                     ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_ScrollY |
                                     ImGuiTableFlags_ScrollX | ImGuiTableFlags_Resizable |
                                     ImGuiTableFlags_SizingFixedFit;
  const float rows_shown =
      std::min<float>(12.0f, static_cast<float>(m.tensors.size() * m.tensors[0].formats.size()) + 1.5f);
  if (!ImGui::BeginTable("tensor-table", columns, kFlags,
                         ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * rows_shown + px(8))))
    return;
  static const char* const kHeaders[kColCount_] = {"tensor",   "format",    "count",       "amax",
                                                   "overflow", "subnormal", "flushed",     "exact",
                                                   "RMSE",     "SQNR dB",   "lost updates"};
  ImGui::TableSetupScrollFreeze(1, 1);
  for (int c = 0; c < columns; ++c) {
    ImGuiTableColumnFlags flags =
        c == kColTensor ? ImGuiTableColumnFlags_DefaultSort : ImGuiTableColumnFlags_None;
    ImGui::TableSetupColumn(kHeaders[c], flags, 0, static_cast<ImGuiID>(c));
  }
  // Headers one by one, each named for tests (TableHeadersRow would not say where they are).
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
  for (int c = 0; c < columns; ++c) {
    if (!ImGui::TableSetColumnIndex(c)) continue;
    ImGui::TableHeader(kHeaders[c]);
    anchor_item(std::string("tensors-col:") + table_column_name(c));
  }
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
    if (specs->SpecsCount > 0) {
      m.sort_column = static_cast<int>(specs->Specs[0].ColumnUserID);
      m.sort_descending = specs->Specs[0].SortDirection == ImGuiSortDirection_Descending;
    }
    specs->SpecsDirty = false;
  }
  const auto rows = table_rows(m);
  ImGuiListClipper clipper;
  clipper.Begin(static_cast<int>(rows.size()));
  while (clipper.Step()) {
    for (int r = clipper.DisplayStart; r < clipper.DisplayEnd; ++r) {
      const auto [t, f] = rows[r];
      const TensorFigures& tf = m.tensors[t];
      const TensorFormatFigures& ff = tf.formats[f];
      ImGui::TableNextRow();
      ImGui::TableSetColumnIndex(kColTensor);
      ImGui::PushID(r);
      if (ImGui::Selectable(tf.name.c_str(), m.selected == t, ImGuiSelectableFlags_SpanAllColumns))
        m.selected = t;
      anchor_item("tensors-row:" + tf.name + ":" + ff.format);
      if (ImGui::IsItemHovered())
        ImGui::SetTooltip("%s  %s  in %s", tf.name.c_str(), tf.dtype.c_str(), tf.file.c_str());
      ImGui::PopID();
      ImGui::TableSetColumnIndex(kColFormat);
      ImGui::TextUnformatted(ff.format.c_str());
      ImGui::TableSetColumnIndex(kColCount);
      ImGui::TextUnformatted(std::to_string(tf.count).c_str());
      ImGui::TableSetColumnIndex(kColAmax);
      ImGui::TextUnformatted(tf.amax ? general(*tf.amax).c_str() : "-");
      const double fractions[] = {ff.overflow, ff.subnormal, ff.flushed, ff.exact};
      for (int k = 0; k < 4; ++k) {
        ImGui::TableSetColumnIndex(kColOverflow + k);
        const bool bad = k != 3 && fractions[k] > 0 && k != 1;
        if (bad)
          text_colored(palette().error, percent(fractions[k]));
        else
          ImGui::TextUnformatted(percent(fractions[k]).c_str());
      }
      ImGui::TableSetColumnIndex(kColRmse);
      ImGui::TextUnformatted(general(ff.rmse, "%.3g").c_str());
      ImGui::TableSetColumnIndex(kColSqnr);
      ImGui::TextUnformatted(ff.sqnr_db ? general(*ff.sqnr_db, "%.1f").c_str() : "exact");
      if (lost) {
        ImGui::TableSetColumnIndex(kColLost);
        ImGui::TextUnformatted(ff.lost ? percent(*ff.lost).c_str() : "-");
      }
    }
  }
  ImGui::EndTable();
  anchor_item("tensors:table");
}

// --- The selected tensor over each format's number line ------------------------------------

void draw_number_lines(TensorsModel& m) {
  if (m.tensors.empty()) return;
  m.selected = std::clamp<int>(m.selected, 0, static_cast<int>(m.tensors.size()) - 1);
  const TensorFigures& t = m.tensors[m.selected];
  ImGui::Spacing();
  ImGui::PushTextWrapPos(0);
  ImGui::Text("%s: log2|x| of its %llu finite non-zero values, over each format's range", t.name.c_str(),
              static_cast<unsigned long long>([&] {
                uint64_t n = 0;
                for (const auto& [e, c] : t.log2_histogram) n += c;
                return n;
              }()));
  ImGui::PopTextWrapPos();
  std::vector<Format> formats;
  for (const TensorFormatFigures& f : t.formats) {
    Format parsed;
    std::string why;
    if (parse_format(f.format, &parsed, &why)) formats.push_back(parsed);
  }
  // The axis: the histogram's binades and the formats' subnormal-to-overflow
  // spans, kept to a readable width around the data.
  int lo = -26, hi = 17;
  if (!t.log2_histogram.empty()) {
    lo = std::min(lo, t.log2_histogram.begin()->first - 2);
    hi = std::max(hi, t.log2_histogram.rbegin()->first + 2);
  }
  lo = std::max(lo, -160);
  hi = std::min(hi, 140);
  const float label_w = px(84);
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(px(120), ImGui::GetContentRegionAvail().x - label_w - px(8));
  const float hist_h = px(70), lane_h = px(16), gap = px(4);
  const float height = hist_h + gap + formats.size() * (lane_h + gap) + ImGui::GetTextLineHeight() + px(4);
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const Palette& pal = palette();
  const float x0 = origin.x + label_w;
  auto x_of = [&](double e) {
    return x0 + static_cast<float>((std::clamp<double>(e, lo, hi + 1) - lo) / (hi + 1 - lo)) * width;
  };
  // Histogram: one bar per binade [e, e+1), height by sqrt(count) so small tails stay visible.
  uint64_t peak = 1;
  for (const auto& [e, c] : t.log2_histogram) peak = std::max(peak, c);
  dl->AddText(ImVec2(origin.x, origin.y + hist_h - ImGui::GetTextLineHeight()), pal.muted, "values");
  for (const auto& [e, c] : t.log2_histogram) {
    const float h = hist_h * static_cast<float>(std::sqrt(static_cast<double>(c) / peak));
    dl->AddRectFilled(ImVec2(x_of(e) + 1, origin.y + hist_h - h), ImVec2(x_of(e + 1) - 1, origin.y + hist_h),
                      pal.accent);
  }
  dl->AddLine(ImVec2(x0, origin.y + hist_h), ImVec2(x0 + width, origin.y + hist_h), pal.muted);
  float y = origin.y + hist_h + gap;
  for (const Format& f : formats) {
    const FormatZones z = format_zones(f);
    dl->AddText(ImVec2(origin.x, y), ImGui::GetColorU32(ImGuiCol_Text), f.name.c_str());
    auto zone = [&](double a, double b, ImU32 color) {
      if (b <= lo || a >= hi + 1) return;
      dl->AddRectFilled(ImVec2(x_of(a), y), ImVec2(x_of(b), y + lane_h), color);
    };
    const ImU32 flush = (pal.error & 0x00ffffff) | 0x90000000, sub = (pal.warn & 0x00ffffff) | 0x90000000;
    const ImU32 normal = (pal.good & 0x00ffffff) | 0x70000000, over = (pal.error & 0x00ffffff) | 0xd0000000;
    zone(lo, std::log2(z.flush_at), flush);
    zone(std::log2(z.flush_at), std::log2(z.min_normal), sub);
    zone(std::log2(z.min_normal), std::log2(z.overflow_at),
         normal);  // past max finite, still rounds down to it
    zone(std::log2(z.overflow_at), hi + 1, over);
    y += lane_h + gap;
  }
  // Axis labels every few binades.
  const int step = (hi - lo) > 120 ? 20 : (hi - lo) > 60 ? 10 : 5;
  for (int e = (lo / step) * step; e <= hi; e += step) {
    if (e < lo) continue;
    char label[16];
    std::snprintf(label, sizeof label, "2^%d", e);
    dl->AddLine(ImVec2(x_of(e), origin.y + hist_h), ImVec2(x_of(e), y),
                (pal.muted & 0x00ffffff) | 0x40000000);
    dl->AddText(ImVec2(x_of(e) - ImGui::CalcTextSize(label).x / 2, y), pal.muted, label);
  }
  anchor_rect("tensors:lines", origin.x, origin.y, x0 + width, origin.y + height);
  ImGui::Dummy(ImVec2(label_w + width, height));
  // Legend.
  struct Item {
    ImU32 color;
    const char* text;
  };
  for (const Item& it : {Item{(pal.error & 0x00ffffff) | 0x90000000, "flushes to zero"},
                         Item{(pal.warn & 0x00ffffff) | 0x90000000, "subnormal"},
                         Item{(pal.good & 0x00ffffff) | 0x70000000, "normal"},
                         Item{(pal.error & 0x00ffffff) | 0xd0000000, "overflows"}}) {
    const float w = ImGui::CalcTextSize(it.text).x + px(18);
    if (it.text[0] != 'f') same_line_or_wrap(w, px(14));
    text_colored(it.color, "\xe2\x96\xa0");
    ImGui::SameLine(0, px(4));
    ImGui::TextUnformatted(it.text);
  }
}

}  // namespace

bool tensors_frame(Scenario& sc) {
  bool changed = false;
  std::string event;
  while (platform_tensors_take_event(&event)) {
    const bool was_idle = g_model.status != ScanStatus::Scanning;
    if (apply_tensors_event(g_model, event)) changed = true;
    // A drop anywhere brings the panel up.
    if (was_idle && g_model.status == ScanStatus::Scanning) sc.panel = ScenarioPanel::Tensors;
  }
  // The inputs reach the page's glue whenever they change: later drops use
  // them, and files already read are read again with them.
  std::string options;
  g_model.options_error.clear();
  if (tensors_scan_options(sc.tensors, &options, &g_model.options_error)) {
    if (options != g_sent_options) {
      platform_tensors_set_options(options, !g_sent_options.empty() && g_model.status != ScanStatus::Idle);
      g_sent_options = options;
    }
  }
  return changed;
}

bool tensors_scanning() { return g_model.status == ScanStatus::Scanning; }

void draw_tensors_panel(Scenario& sc) {
  TensorsScenario& s = sc.tensors;
  draw_inputs(s);
  if (!g_model.options_error.empty()) {
    ImGui::PushTextWrapPos(0);
    text_colored(palette().error, "\xe2\x9a\xa0 " + g_model.options_error);
    ImGui::PopTextWrapPos();
  }
  ImGui::Spacing();
  draw_files(g_model);
  ImGui::Spacing();
  draw_table(g_model);
  draw_number_lines(g_model);
}

void write_tensors_state(JsonWriter& w, const Scenario& s) {
  write_tensors_model_state(w, s.tensors, g_model);
}

std::string tensors_announcement(const Scenario&) { return tensors_model_announcement(g_model); }

}  // namespace mantissa::app
