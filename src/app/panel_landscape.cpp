// The Error landscape tab: the relative rounding error of storing x in each
// chosen format, over a zoomable, pannable range of x.
//
// The picture is computed on the GPU (shaders/landscape_*.glsl), exactly:
//   pass 1  one texel per (pixel column, format): the error at the column's
//           centre sample and the min/max over its samples, from x's fp32 bits
//           with integer operations only (RGBA32UI render target)
//   pass 2  paints the plot from those texels (RGBA8), shown with ImGui::Image
// ImGui draws the axes, the labels, the landmarks (smallest subnormal,
// smallest normal, largest finite) and the hover read-out, which the core
// computes for the exact x under the cursor.
//
// The x axis:
//   log     x is linear in fp32 bit patterns: exactly logarithmic at powers of
//           two, piecewise linear between (within 6% of log2). Every column's
//           samples are then plain integers, here and in the shader alike.
//   linear  x = n * 2^q for integers n (q: the fp32 spacing at the right end),
//           so zooming in reaches a handful of the formats' values.
#include <GLES3/gl3.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <optional>

#include "app/adaptive.h"
#include "app/app.h"
#include "app/fonts.h"
#include "app/landscape_axis.h"
#include "app/landscape_gpu.h"
#include "app/panels.h"
#include "app/plot.h"
#include "app/style.h"
#include "app/widgets.h"
#include "core/convert.h"
#include "core/format.h"
#include "core/value.h"
#include "imgui.h"
#include "imgui_internal.h"

namespace mantissa::app {
namespace {

using namespace landscape;  // the axis and formats (landscape_axis.h)

// --- The core's answer for one x -----------------------------------------------------------

struct CoreError {
  bool finite = false;    // false: overflow to inf / NaN, or x = 0
  uint32_t rel_bits = 0;  // relative error rounded to fp32
  ConvertReport report;
};

CoreError core_error(uint32_t xbits, const FormatRow& row) {
  CoreError c;
  // A block row stores x / 2^k in its element format (exact in a double:
  // |k| <= 127 keeps every fp32 x normal); the relative error is the same.
  const double x = std::ldexp(static_cast<double>(float_of(xbits)), -row.scale_exp);
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  c.report = convert_exact(exact_value(fp64(), b), row.format, std::nullopt, RoundingOptions{});
  // Formats without inf (fp6, fp4, int8-mx, block rows) clamp an overflow to
  // their max; the plot marks it as overflow, as it marks inf and NaN.
  if (c.report.error_rel && !c.report.rounding.overflow) {
    c.finite = true;
    c.rel_bits = bits_of(static_cast<float>(*c.report.error_rel));
  }
  return c;
}

// --- View state and interaction ---------------------------------------------------------------

struct View {
  XAxis axis;
  YAxis y;
  std::vector<FormatRow> rows;
  ImVec2 a0, a1;  // the image on screen
  int hover_column = -1;
  bool drag = false, box = false;
  ImVec2 drag_from;
  LandscapeScenario drag_start;
  std::string format_error;
};
View g_view;

// The default range: every format from half its smallest subnormal to twice
// its largest finite value (in fp32).
void fit_view(LandscapeScenario& s, const std::vector<FormatRow>& rows) {
  double lo = INFINITY, hi = 0;
  for (const FormatRow& r : rows) {
    lo = std::min(lo, min_subnormal(r.format) * r.scale() / 2);
    hi = std::max(hi, max_finite(r.format) * r.scale() * 2);
  }
  if (!std::isfinite(lo)) lo = 1e-8, hi = 7e4;
  s.x_min = std::max(lo, 1.4e-45);
  s.x_max = std::min(hi, 3.4e38);
  s.log_x = true;
}

// Sets the range to what pixels [p0, p1] of the current axis show.
void set_range_px(LandscapeScenario& s, const XAxis& a, double p0, double p1) {
  double x0 = a.from_px(p0), x1 = a.from_px(p1);
  if (!s.log_x) x0 = std::max(0.0, x0);
  if (!(x1 > x0)) return;
  // Not narrower than a few fp32 values, not wider than fp32's range.
  if (s.log_x && bits_of(static_cast<float>(x1)) - bits_of(static_cast<float>(x0)) < a.columns) return;
  if (!s.log_x && x1 - x0 < std::ldexp(x1, -22)) return;
  s.x_min = x0;
  s.x_max = std::min(x1, 3.4e38);
}

void handle_input(LandscapeScenario& s, View& v) {
  const ImGuiIO& io = ImGui::GetIO();
  const ImVec2 m = io.MousePos;
  const bool hovered = ImGui::IsItemHovered();
  const float w = v.a1.x - v.a0.x;
  if (hovered) ImGui::SetItemUsingMouseWheel();
  if (ImGui::IsItemActivated()) {
    v.box = ImGui::IsMouseDown(ImGuiMouseButton_Right) || io.KeyShift;
    v.drag = !v.box;
    v.drag_from = m;
    v.drag_start = s;
  }
  if (ImGui::IsItemActive() && v.drag) {
    const float dx = m.x - v.drag_from.x;
    if (dx != 0) {
      LandscapeScenario t = v.drag_start;
      const XAxis a = make_axis(t, static_cast<uint32_t>(w));
      set_range_px(t, a, -dx, w - dx);
      s.x_min = t.x_min, s.x_max = t.x_max;
    }
  }
  if (ImGui::IsItemDeactivated() && v.box) {
    const float p0 = std::clamp(std::min(v.drag_from.x, m.x), v.a0.x, v.a1.x) - v.a0.x;
    const float p1 = std::clamp(std::max(v.drag_from.x, m.x), v.a0.x, v.a1.x) - v.a0.x;
    if (p1 - p0 > px(4)) set_range_px(s, v.axis, p0, p1);
    v.box = false;
  }
  if (ImGui::IsItemDeactivated()) v.drag = false;
  if (hovered && io.MouseWheel != 0) {
    const double c = m.x - v.a0.x;
    // ImGui's convention: positive = wheel up = zoom in (input_queue.cpp
    // converts the browser's deltas to notches). A touchpad fling can bring
    // several notches in a frame: at most one counts.
    const double f = std::pow(0.8, std::clamp(io.MouseWheel, -1.0f, 1.0f));
    set_range_px(s, v.axis, c - c * f, c + (w - c) * f);
  }
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) fit_view(s, v.rows);
}

// --- Drawing ---------------------------------------------------------------------------

void draw_controls(LandscapeScenario& s) {
  // Rows of controls wrap where they run out of room (a phone).
  const float box = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Formats");
  for (const char* name : {"fp32", "tf32", "fp16", "bf16", "fp8-e5m2", "fp8-e4m3"}) {
    same_line_or_wrap(box + ImGui::CalcTextSize(name).x);
    auto it = std::find(s.formats.begin(), s.formats.end(), name);
    bool on = it != s.formats.end();
    if (ImGui::Checkbox(name, &on)) {
      if (on && s.formats.size() < kMaxFormats)
        s.formats.push_back(name);
      else if (!on)
        s.formats.erase(it);
    }
    anchor_item(std::string("landscape-format:") + name);
  }
  same_line_or_wrap(std::min(px(220), ImGui::GetContentRegionAvail().x));
  std::string list;
  for (const std::string& f : s.formats) list += (list.empty() ? "" : ",") + f;
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(std::min(px(220), ImGui::GetContentRegionAvail().x - px(24)));
  if (input_text("##formats", &list)) {
    s.formats.clear();
    size_t start = 0;
    while (start <= list.size()) {
      const size_t comma = std::min(list.find(',', start), list.size());
      std::string item = list.substr(start, comma - start);
      item.erase(0, item.find_first_not_of(' '));
      if (!item.empty()) s.formats.push_back(item);
      start = comma + 1;
    }
  }
  ImGui::PopFont();
  anchor_item("landscape:formats");
  ImGui::SameLine();
  help_marker(
      "Any format: fp16, bf16, fp8-e4m3, fp6-e2m3, fp6-e3m2, fp4-e2m1, or eXmY / eXmYfn / eXmYns (up to 8). "
      "The error of storing each fp32 x, rounded to nearest, ties to even.");

  // A block format at a fixed block scale 2^k (issue 14): its elements' grid
  // times the scale; beyond max x 2^k the element clips (shown as overflow).
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("Block format");
  ImGui::SameLine();
  ImGui::SetNextItemWidth(px(130));
  if (ImGui::BeginCombo("##block-format", s.block_format.empty() ? "none" : s.block_format.c_str())) {
    for (const char* name :
         {"", "mxfp8-e4m3", "mxfp8-e5m2", "mxfp6-e2m3", "mxfp6-e3m2", "mxfp4", "mxint8", "nvfp4"}) {
      if (ImGui::Selectable(*name ? name : "none", s.block_format == name)) s.block_format = name;
      anchor_item(std::string("landscape-block:") + (*name ? name : "none"));
    }
    ImGui::EndCombo();
  }
  anchor_item("landscape:block-format");
  if (!s.block_format.empty()) {
    same_line_or_wrap(ImGui::CalcTextSize("scale 2^").x + px(110));
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("scale 2^");
    ImGui::SameLine(0, px(2));
    ImGui::SetNextItemWidth(px(110));
    if (ImGui::InputInt("##block-scale", &s.block_scale_exp))
      s.block_scale_exp = std::clamp(s.block_scale_exp, -127, 127);
    anchor_item("landscape:block-scale");
  }

  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("x axis");
  ImGui::SameLine();
  if (ImGui::RadioButton("log", s.log_x) && !s.log_x) {
    s.log_x = true;
    s.x_min = std::max(s.x_min, 1.4e-45);
  }
  anchor_item("landscape:log");
  ImGui::SameLine();
  if (ImGui::RadioButton("linear", !s.log_x) && s.log_x) s.log_x = false;
  anchor_item("landscape:linear");
  same_line_or_wrap(ImGui::CalcTextSize("from").x + px(130), px(20));
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("from");
  ImGui::SameLine();
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(px(130));
  double x0 = s.x_min, x1 = s.x_max;
  if (ImGui::InputDouble("##x-min", &x0, 0, 0, "%.6g", ImGuiInputTextFlags_EnterReturnsTrue) &&
      x0 < s.x_max && x0 >= 0) {
    s.x_min = x0;
  }
  anchor_item("landscape:x-min");
  ImGui::PopFont();
  same_line_or_wrap(ImGui::CalcTextSize("to").x + px(130));
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted("to");
  ImGui::SameLine();
  ImGui::PushFont(mono_font());
  ImGui::SetNextItemWidth(px(130));
  if (ImGui::InputDouble("##x-max", &x1, 0, 0, "%.6g", ImGuiInputTextFlags_EnterReturnsTrue) &&
      x1 > s.x_min) {
    s.x_max = std::min(x1, 3.4e38);
  }
  anchor_item("landscape:x-max");
  ImGui::PopFont();
  same_line_or_wrap(button_width("Whole range"));
  if (ImGui::Button("Whole range")) fit_view(s, g_view.rows);
  anchor_item("landscape:fit");
  same_line_or_wrap(button_width("Around 1"));
  if (ImGui::Button("Around 1")) {
    s.log_x = false;
    s.x_min = 1.0;
    s.x_max = 1.0 + 1.0 / 64;
  }
  anchor_item("landscape:around-one");
  same_line_or_wrap(box + ImGui::CalcTextSize("log |error|").x);
  // In the scenario, so a share link keeps it.
  ImGui::Checkbox("log |error|", &s.log_error);
  anchor_item("landscape:log-y");
}

void draw_axes(const View& v, ImDrawList* dl) {
  const Palette& pal = palette();
  const ImU32 grid = (ImGui::GetColorU32(ImGuiCol_Text) & 0x00FFFFFF) | (20u << 24);
  const ImU32 axis = (ImGui::GetColorU32(ImGuiCol_Text) & 0x00FFFFFF) | (90u << 24);
  const float w = v.a1.x - v.a0.x, h = v.a1.y - v.a0.y;
  // Labels in the UI font: it has the superscript minus of "10⁻⁵".
  // x: decades on the log axis, nice numbers on the linear one.
  std::vector<std::pair<double, std::string>> xt;
  if (v.axis.log) {
    const double l0 = std::log10(std::max(v.axis.from_px(0), 1e-45)), l1 = std::log10(v.axis.from_px(w));
    const int d0 = static_cast<int>(std::ceil(l0)), d1 = static_cast<int>(std::floor(l1));
    const int every = std::max(1, static_cast<int>((d1 - d0 + 1) * px(60) / std::max(w, 1.0f)) + 1);
    for (int d = d0; d <= d1; ++d) {
      if (d % every == 0) xt.push_back({std::pow(10.0, d), log_tick_label(d)});
    }
    if (xt.size() < 2) {
      double step = 0;
      for (double t :
           nice_ticks(v.axis.from_px(0), v.axis.from_px(w), static_cast<int>(w / px(110)), &step)) {
        xt.push_back({t, linear_tick_label(t, step)});
      }
    }
  } else {
    double step = 0;
    for (double t : nice_ticks(v.axis.from_px(0), v.axis.from_px(w), static_cast<int>(w / px(110)), &step)) {
      xt.push_back({t, linear_tick_label(t, step)});
    }
  }
  for (const auto& [x, label] : xt) {
    const float p = v.a0.x + static_cast<float>(v.axis.to_px(x));
    if (p < v.a0.x - 0.5f || p > v.a1.x + 0.5f) continue;
    dl->AddLine(ImVec2(p, v.a0.y), ImVec2(p, v.a1.y), grid);
    dl->AddLine(ImVec2(p, v.a1.y), ImVec2(p, v.a1.y + px(4)), axis);
    const float tw = ImGui::CalcTextSize(label.c_str()).x;
    dl->AddText(ImVec2(std::clamp(p - tw / 2, v.a0.x - tw / 2, v.a1.x - tw + px(8)), v.a1.y + px(5)),
                pal.muted, label.c_str());
  }
  // y: decades of |error|, or signed error.
  std::vector<std::pair<double, std::string>> yt;
  if (v.y.log) {
    const int every = std::max(1, static_cast<int>((v.y.y1 - v.y.y0) * px(26) / std::max(h, 1.0f)) + 1);
    for (int d = static_cast<int>(std::ceil(v.y.y0)); d <= static_cast<int>(std::floor(v.y.y1)); ++d) {
      if (d % every == 0) yt.push_back({static_cast<double>(d), log_tick_label(d)});
    }
  } else {
    double step = 0;
    for (double t : nice_ticks(v.y.y0, v.y.y1, static_cast<int>(h / px(40)), &step)) {
      yt.push_back({t, linear_tick_label(t, step)});
    }
  }
  for (const auto& [y, label] : yt) {
    const float p = v.a1.y - static_cast<float>((y - v.y.y0) / (v.y.y1 - v.y.y0)) * h;
    dl->AddLine(ImVec2(v.a0.x, p), ImVec2(v.a1.x, p), grid);
    dl->AddLine(ImVec2(v.a0.x - px(4), p), ImVec2(v.a0.x, p), axis);
    const ImVec2 sz = ImGui::CalcTextSize(label.c_str());
    dl->AddText(ImVec2(v.a0.x - px(6) - sz.x, p - sz.y / 2), pal.muted, label.c_str());
  }
  const char* yl = v.y.log ? "|relative error|" : "relative error";
  dl->AddText(ImVec2(v.a0.x + px(6), v.a1.y - px(8) - v.rows.size() * px(5) - ImGui::GetTextLineHeight()),
              pal.muted, yl);
  dl->AddRect(v.a0, v.a1, axis);
  const char* xl = v.axis.log ? "x (log scale)" : "x";
  const ImVec2 xs = ImGui::CalcTextSize(xl);
  dl->AddText(ImVec2((v.a0.x + v.a1.x - xs.x) / 2, v.a1.y + px(6) + ImGui::GetTextLineHeight()), pal.muted,
              xl);
}

// Smallest subnormal, smallest normal and largest finite value of each format.
void draw_landmarks(const View& v, ImDrawList* dl) {
  const float w = v.a1.x - v.a0.x;
  const float line_h = ImGui::GetTextLineHeight();
  const float top = v.a0.y + px(6) + v.rows.size() * px(7);
  const float bottom = v.a1.y - 3 * line_h;  // above the axis labels and the class strip
  // Labels never overprint: each takes the first line (from the top) where
  // it meets no label placed before it, and stays inside the plot; one that
  // finds no room keeps its dashed line only.
  std::vector<ImRect> placed;
  for (const FormatRow& r : v.rows) {
    const struct {
      double x;
      const char* what;
      const char* brief;
    } marks[] = {{min_subnormal(r.format) * r.scale(), "min subnormal", "min sub"},
                 {min_normal(r.format) * r.scale(), "min normal", "min norm"},
                 {max_finite(r.format) * r.scale(), "max", "max"}};
    for (const auto& m : marks) {
      if (r.format.kind == FormatKind::Int && m.x == min_normal(r.format) * r.scale())
        continue;  // an integer grid has no normal range
      if (r.format.kind == FormatKind::Scale && m.x == min_subnormal(r.format) * r.scale())
        continue;  // e8m0 has no subnormals: its smallest value is the min normal 2^-127
      const double p = v.axis.to_px(m.x);
      if (!(p >= 0 && p <= w) || m.x > 3.4e38) continue;
      const float x = v.a0.x + static_cast<float>(p);
      for (float y = v.a0.y; y < v.a1.y; y += px(8)) {
        dl->AddLine(ImVec2(x, y), ImVec2(x, std::min(y + px(4), v.a1.y)),
                    (r.color & 0x00FFFFFF) | (150u << 24));
      }
      std::string label = r.format.name + " " + m.what + " " + shortest_decimal(m.x);
      float tw = ImGui::CalcTextSize(label.c_str()).x;
      if (tw > w - px(8)) {  // a narrow plot: the short form
        char num[32];
        std::snprintf(num, sizeof num, "%.3g", m.x);
        label = r.format.name + " " + m.brief + " " + num;
        tw = ImGui::CalcTextSize(label.c_str()).x;
        if (tw > w - px(8)) continue;
      }
      float lx = x + px(4) + tw > v.a1.x ? x - px(4) - tw : x + px(4);
      lx = std::clamp(lx, v.a0.x + px(2), v.a1.x - px(2) - tw);
      for (float y = top; y + line_h <= bottom; y += line_h) {
        const ImRect rect(lx, y, lx + tw, y + line_h);
        const bool free =
            std::none_of(placed.begin(), placed.end(), [&](const ImRect& o) { return o.Overlaps(rect); });
        if (!free) continue;
        placed.push_back(rect);
        dl->AddText(ImVec2(lx, y), r.color, label.c_str());
        break;
      }
    }
  }
}

void draw_hover(const View& v) {
  if (v.hover_column < 0) return;
  const uint32_t xbits = v.axis.centre_bits(static_cast<uint32_t>(v.hover_column));
  ImGui::BeginTooltip();
  ImGui::PushFont(mono_font());
  ImGui::Text("x = %s", exact_value(fp32(), xbits).to_string().c_str());
  text_muted("    fp32 " + hex_bits(fp32(), xbits));
  for (const FormatRow& r : v.rows) {
    const CoreError c = core_error(xbits, r);
    text_colored(r.color, "\xe2\x96\xa0");
    ImGui::SameLine();
    // A block row shows its element (x / 2^k rounded), then the scale.
    std::string line = r.format.name + "  " + c.report.result.value.to_string() +
                       (r.scale_exp ? " x2^" + std::to_string(r.scale_exp) : "") + "  " +
                       hex_bits(r.format, c.report.result.bits);
    if (c.finite) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "  rel. error %.6g", *c.report.error_rel);
      line += buf;
    } else if (xbits != 0) {
      line += "  overflow";
    }
    ImGui::TextUnformatted(line.c_str());
  }
  ImGui::PopFont();
  text_muted(
      "drag: pan \xc2\xb7 wheel: zoom \xc2\xb7 right-drag: zoom to a box \xc2\xb7 double-click: whole range");
  ImGui::EndTooltip();
}

}  // namespace

void draw_landscape_panel(Scenario& sc) {
  LandscapeScenario& s = sc.landscape;
  View& v = g_view;
  draw_controls(s);
  v.format_error.clear();
  v.rows = parse_formats(s, &v.format_error);
  if (!v.format_error.empty()) text_colored(palette().error, "\xe2\x9a\xa0 " + v.format_error);

  // Legend: colour, name and precision of each format.
  // Entries wrap onto the next line where the row runs out of room.
  for (size_t i = 0; i < v.rows.size(); ++i) {
    const FormatRow& r = v.rows[i];
    const Format& f = r.format;
    char entry[160];
    std::snprintf(entry, sizeof entry, "%s  (%d significand bits, max %s)", f.name.c_str(), f.precision(),
                  shortest_decimal(max_finite(f) * r.scale()).c_str());
    const float entry_w = ImGui::CalcTextSize("\xe2\x96\xa0").x + px(4) + ImGui::CalcTextSize(entry).x;
    if (i > 0) same_line_or_wrap(entry_w, px(18));
    text_colored(r.color, "\xe2\x96\xa0");
    ImGui::SameLine(0, px(4));
    ImGui::PushTextWrapPos(0);  // fp32's max has 17 digits: wraps on a phone
    ImGui::TextUnformatted(entry);
    ImGui::PopTextWrapPos();
  }

  gpu_init();
  if (!g_gpu.usable()) {
    text_colored(palette().error, "\xe2\x9a\xa0 The GPU could not run the landscape shaders: " + g_gpu.error);
    return;
  }
  // Geometry: labels left and below.
  ImGui::PushFont(mono_font());
  const float left = ImGui::CalcTextSize(
                         "\xe2\x88\x92"
                         "0.000000")
                         .x +
                     px(12);
  ImGui::PopFont();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float label_h = ImGui::GetTextLineHeight();
  const float width = std::max(px(200), avail.x - left - px(12));
  const float height = std::max(px(220), avail.y - 2 * label_h - px(40));
  v.a0 = ImVec2(std::floor(origin.x + left), std::floor(origin.y + px(4)));
  v.a1 = ImVec2(v.a0.x + std::floor(width), v.a0.y + std::floor(height));
  const uint32_t columns = static_cast<uint32_t>(v.a1.x - v.a0.x);
  const int rows_h = static_cast<int>(v.a1.y - v.a0.y);

  ImGui::InvisibleButton("landscape-area", ImVec2(avail.x, height + 2 * label_h + px(16)),
                         ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  anchor_rect("landscape:plot", v.a0.x, v.a0.y, v.a1.x, v.a1.y);
  v.axis = make_axis(s, columns);
  handle_input(s, v);
  v.axis = make_axis(s, columns);
  v.y = make_y_axis(v.rows, s.log_error);

  ImDrawList* dl = ImGui::GetWindowDrawList();
  dl->AddRectFilled(v.a0, v.a1, palette().card_bg);
  if (!v.rows.empty()) {
    gpu_allocate(static_cast<int>(columns), std::max<int>(1, static_cast<int>(v.rows.size())), rows_h);
    char key[256];
    std::snprintf(key, sizeof key, "%d %u %u %d %u %u %d %.17g %.17g", v.axis.log, v.axis.lo, v.axis.span,
                  v.axis.quantum_exp, v.axis.columns, v.axis.samples, v.y.log, v.y.y0, v.y.y1);
    std::string k = key;
    for (const FormatRow& r : v.rows) k += " " + r.format.name;
    if (k != g_gpu.rendered && g_gpu.usable()) {
      gpu_render(v.axis, v.y, v.rows, rows_h, false);
      g_gpu.rendered = k;
    }
    // GL textures start at the bottom row: flip.
    dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(g_gpu.image_texture)), v.a0, v.a1,
                 ImVec2(0, 1), ImVec2(1, 0));
  }
  draw_axes(v, dl);
  dl->PushClipRect(v.a0, v.a1, true);
  draw_landmarks(v, dl);
  const ImVec2 m = ImGui::GetIO().MousePos;
  v.hover_column = -1;
  if (ImGui::IsItemHovered() && m.x >= v.a0.x && m.x < v.a1.x && m.y >= v.a0.y && m.y < v.a1.y && !v.drag) {
    v.hover_column = static_cast<int>(m.x - v.a0.x);
    dl->AddLine(ImVec2(std::floor(m.x) + 0.5f, v.a0.y), ImVec2(std::floor(m.x) + 0.5f, v.a1.y),
                (ImGui::GetColorU32(ImGuiCol_Text) & 0x00FFFFFF) | (120u << 24));
  }
  if (v.box && ImGui::IsItemActive()) {
    const float b0 = std::clamp(std::min(v.drag_from.x, m.x), v.a0.x, v.a1.x);
    const float b1 = std::clamp(std::max(v.drag_from.x, m.x), v.a0.x, v.a1.x);
    dl->AddRectFilled(ImVec2(b0, v.a0.y), ImVec2(b1, v.a1.y), (palette().accent & 0x00FFFFFF) | (40u << 24));
  }
  dl->PopClipRect();
  draw_hover(v);
  ImGui::PushTextWrapPos(0);
  text_muted(
      "Bands: the relative error's range over 16 exact samples per pixel column; edge: its largest value. "
      "Bottom strip: normal (solid), subnormal (pale), overflow (red). Ticks at the top: the format's "
      "values, once they are 4 pixels apart.");
  ImGui::PopTextWrapPos();
}

void write_landscape_state(JsonWriter& w, const Scenario& sc) {
  const LandscapeScenario& s = sc.landscape;
  const View& v = g_view;
  w.key("inputs").begin_object();
  w.key("formats").begin_array();
  for (const std::string& f : s.formats) w.value(f);
  w.end_array();
  w.field("x_min", s.x_min);
  w.field("x_max", s.x_max);
  w.field("log_x", s.log_x);
  w.field("log_error", s.log_error);
  w.field("block_format", s.block_format);
  w.field("block_scale_exp", s.block_scale_exp);
  w.end_object();

  w.key("results").begin_object();
  w.field("gpu_error", g_gpu.error);
  w.field("format_error", v.format_error);
  w.field("log_y", v.y.log);
  w.field("columns", static_cast<uint64_t>(v.axis.columns));
  w.field("samples_per_column", static_cast<uint64_t>(v.axis.samples));
  w.key("plot").begin_array();
  for (float f : {v.a0.x, v.a0.y, v.a1.x, v.a1.y}) w.value(static_cast<double>(f));
  w.end_array();
  // The shader's exact errors, read back from the RGBA32UI target, against
  // the core's convert_exact for every column's centre x and every format.
  const std::vector<uint32_t> texels = gpu_read_errors();
  uint64_t checked = 0, mismatches = 0;
  w.key("columns_checked").begin_array();
  const int cols = g_gpu.columns;
  const bool same_size =
      cols == static_cast<int>(v.axis.columns) && g_gpu.formats == static_cast<int>(v.rows.size());
  std::vector<std::string> mismatch_text;
  for (int c = 0; same_size && c < cols; ++c) {
    const uint32_t xbits = v.axis.centre_bits(static_cast<uint32_t>(c));
    const bool sample = c % std::max(1, cols / 24) == 0;
    if (sample) {
      w.begin_object();
      w.field("column", static_cast<int64_t>(c));
      w.field("x_bits", static_cast<uint64_t>(xbits));
      w.field("x", exact_value(fp32(), xbits).to_string());
      w.key("formats").begin_array();
    }
    for (size_t f = 0; f < v.rows.size(); ++f) {
      const uint32_t* t = &texels[(f * cols + c) * 4];
      const CoreError core = core_error(xbits, v.rows[f]);
      const bool gpu_finite = (t[3] & (kFlagOverflow | kFlagZero)) == 0;
      const bool ok = xbits == 0 || (gpu_finite == core.finite && (!core.finite || t[0] == core.rel_bits));
      ++checked;
      if (!ok) {
        ++mismatches;
        if (mismatch_text.size() < 8) {
          mismatch_text.push_back(v.rows[f].format.name + " column " + std::to_string(c) + " x bits " +
                                  std::to_string(xbits) + ": gpu " + std::to_string(t[0]) + " core " +
                                  std::to_string(core.rel_bits));
        }
      }
      if (sample) {
        w.begin_object();
        w.field("format", v.rows[f].format.name);
        w.field("gpu_rel_bits", static_cast<uint64_t>(t[0]));
        w.field("gpu_rel", static_cast<double>(float_of(t[0])));
        w.field("gpu_min", static_cast<double>(float_of(t[1])));
        w.field("gpu_max", static_cast<double>(float_of(t[2])));
        w.field("gpu_flags", static_cast<uint64_t>(t[3]));
        w.field("core_finite", core.finite);
        w.field("core_rel_bits", static_cast<uint64_t>(core.rel_bits));
        w.field("core_value", core.report.result.value.to_string());
        w.field("subnormal", (t[3] & kFlagSubnormal) != 0);
        w.field("overflow", (t[3] & kFlagOverflow) != 0);
        w.field("representable_in_column", (t[3] & kFlagRepresentable) != 0);
        w.field("exact", (t[3] & kFlagExact) != 0);
        w.end_object();
      }
    }
    if (sample) w.end_array().end_object();
  }
  w.end_array();
  w.field("checked", checked);
  w.field("mismatches", mismatches);
  w.key("mismatch_examples").begin_array();
  for (const std::string& m : mismatch_text) w.value(m);
  w.end_array();
  w.end_object();
}

std::string landscape_announcement(const Scenario& sc) {
  const LandscapeScenario& s = sc.landscape;
  std::string names;
  for (const std::string& f : s.formats) names += (names.empty() ? "" : ", ") + f;
  if (!s.block_format.empty())
    names += (names.empty() ? "" : ", ") + s.block_format + " at block scale 2^" +
             std::to_string(s.block_scale_exp);
  return "Relative rounding error of " + names + " for x from " + shortest_decimal(s.x_min) + " to " +
         shortest_decimal(s.x_max) + (s.log_x ? " (log scale)." : ".");
}

}  // namespace mantissa::app
