#include "app/plot.h"

#include <GLES3/gl3.h>

#include <algorithm>
#include <cfloat>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <limits>

#include "app/app.h"
#include "app/fonts.h"
#include "app/platform.h"
#include "app/style.h"
#include "core/format.h"
#include "core/value.h"
#include "imgui_internal.h"  // SetItemUsingMouseWheel

namespace mantissa::app {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One axis: data range [lo, hi] onto pixels [p0, p1] (p1 < p0 for y).
struct Axis {
  double lo = 0, hi = 1;
  bool log = false;
  float p0 = 0, p1 = 1;

  double fwd(double v) const { return log ? (v > 0 ? std::log10(v) : -INFINITY) : v; }
  double inv(double t) const { return log ? std::pow(10.0, t) : t; }
  // Pixel position (unclamped; -inf for a log axis' non-positive values).
  double to_px(double v) const {
    const double a = fwd(lo), b = fwd(hi);
    return p0 + (fwd(v) - a) / (b - a) * (p1 - p0);
  }
  double from_px(double p) const {
    const double a = fwd(lo), b = fwd(hi);
    return inv(a + (p - p0) / (p1 - p0) * (b - a));
  }
};

bool usable(double v, bool log) { return std::isfinite(v) && (!log || v > 0); }

// Makes a range drawable: non-empty, positive for a log axis.
void sanitize(double* lo, double* hi, bool log) {
  if (log) {
    if (!(*lo > 0)) *lo = *hi > 0 ? *hi / 1e6 : 1e-12;
    if (!(*hi > *lo)) *hi = *lo * 10;
    return;
  }
  if (!std::isfinite(*lo) || !std::isfinite(*hi)) *lo = 0, *hi = 1;
  if (*hi <= *lo) {
    const double pad = *lo == 0 ? 1 : std::fabs(*lo) * 1e-3;
    *lo -= pad;
    *hi += pad;
  }
}

// The data range of the visible series (y only within [x0, x1] when given).
void data_range(std::span<const PlotSeries> series, const PlotState& state, bool x_only_visible, double x0,
                double x1, bool log_x, bool log_y, double log_floor, double* xlo, double* xhi, double* ylo,
                double* yhi) {
  *xlo = INFINITY, *xhi = -INFINITY, *ylo = INFINITY, *yhi = -INFINITY;
  for (const PlotSeries& s : series) {
    if (series_hidden(state, s.name)) continue;
    const bool band = !s.y_min.empty();
    for (size_t i = 0; i < s.x.size(); ++i) {
      const double x = s.x[i];
      if (!usable(x, log_x)) continue;
      const double xe = s.style == PlotSeries::Style::Bars ? x + s.bar_width : x;
      *xlo = std::min(*xlo, x);
      *xhi = std::max(*xhi, xe);
      if (x_only_visible && (xe < x0 || x > x1)) continue;
      const double lo = band ? s.y_min[i] : s.y[i];
      const double hi = band ? s.y_max[i] : s.y[i];
      for (double v : {lo, hi, s.y[i]}) {
        if (!usable(v, log_y) || (log_y && v < log_floor)) continue;
        *ylo = std::min(*ylo, v);
        *yhi = std::max(*yhi, v);
      }
      if (s.style == PlotSeries::Style::Bars && !log_y) *ylo = std::min(*ylo, 0.0);
    }
  }
}

// --- Ticks -------------------------------------------------------------------------

struct Tick {
  double v;
  std::string label;
  bool major = true;
};

std::vector<Tick> make_ticks(const Axis& a, float length_px, bool integer, float spacing_px) {
  std::vector<Tick> ticks;
  const int max_ticks = std::max(2, static_cast<int>(length_px / px(spacing_px)));
  if (a.log) {
    const double l0 = std::log10(a.lo), l1 = std::log10(a.hi);
    if (l1 - l0 >= 1.0) {
      const int d0 = static_cast<int>(std::ceil(l0 - 1e-9)), d1 = static_cast<int>(std::floor(l1 + 1e-9));
      const int every = std::max(1, (d1 - d0 + max_ticks) / max_ticks);
      for (int d = d0; d <= d1; ++d) {
        if (((d % every) + every) % every == 0)
          ticks.push_back({std::pow(10.0, d), log_tick_label(d), true});
        else
          ticks.push_back({std::pow(10.0, d), "", false});
      }
      return ticks;
    }
    // Less than a decade: plain numbers on the log positions.
  }
  double step = 0;
  for (double v : nice_ticks(a.lo, a.hi, max_ticks, &step)) {
    if (integer && std::fabs(v - std::round(v)) > 1e-9) continue;
    if (a.log && v <= 0) continue;
    ticks.push_back({v, linear_tick_label(v, step), true});
  }
  return ticks;
}

// --- Drawing series ----------------------------------------------------------------

void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 col, float thickness, float dash) {
  const float dx = b.x - a.x, dy = b.y - a.y;
  const float len = std::sqrt(dx * dx + dy * dy);
  if (len <= 0) return;
  for (float t = 0; t < len; t += 2 * dash) {
    const float e = std::min(len, t + dash);
    dl->AddLine(ImVec2(a.x + dx * t / len, a.y + dy * t / len),
                ImVec2(a.x + dx * e / len, a.y + dy * e / len), col, thickness);
  }
}

ImU32 with_alpha(ImU32 c, float alpha) {
  const ImU32 a = static_cast<ImU32>(((c >> IM_COL32_A_SHIFT) & 0xFF) * alpha);
  return (c & ~IM_COL32_A_MASK) | (a << IM_COL32_A_SHIFT);
}

// Lines: consecutive points of one pixel column collapse into one vertical
// stroke from their min to their max, joined to the neighbouring columns.
void draw_line_series(ImDrawList* dl, const PlotSeries& s, const Axis& ax, const Axis& ay, ImVec2 c0,
                      ImVec2 c1) {
  const size_t n = s.x.size();
  if (n == 0) return;
  // Visible index range, one point of margin on each side.
  const double xlo = ax.from_px(c0.x - 2), xhi = ax.from_px(c1.x + 2);
  size_t i0 = static_cast<size_t>(std::lower_bound(s.x.begin(), s.x.end(), xlo) - s.x.begin());
  size_t i1 = static_cast<size_t>(std::upper_bound(s.x.begin(), s.x.end(), xhi) - s.x.begin());
  if (i0 > 0) --i0;
  if (i1 < n) ++i1;
  const bool band = !s.y_min.empty();
  const float th = px(s.thickness);
  const ImU32 band_col = with_alpha(s.color, 0.35f);
  const float ybot = std::max(ay.p0, ay.p1) + 4, ytop = std::min(ay.p0, ay.p1) - 4;
  auto clampy = [&](double p) {
    return static_cast<float>(std::clamp(p, static_cast<double>(ytop), static_cast<double>(ybot)));
  };

  if (band && s.band_between) {
    // One trapezoid per pair of neighbours (vertical sides: convex).
    auto band_px = [&](size_t i, float* lo, float* hi) {
      if (!usable(s.x[i], ax.log) || !usable(s.y_max[i], ay.log)) return false;
      *lo = clampy(usable(s.y_min[i], ay.log) ? ay.to_px(s.y_min[i]) : std::max(ay.p0, ay.p1) + 4.0);
      *hi = clampy(ay.to_px(s.y_max[i]));
      return true;
    };
    for (size_t i = i0; i + 1 < i1; ++i) {
      float lo0, hi0, lo1, hi1;
      if (!band_px(i, &lo0, &hi0) || !band_px(i + 1, &lo1, &hi1)) continue;
      const float x0 = static_cast<float>(ax.to_px(s.x[i])), x1 = static_cast<float>(ax.to_px(s.x[i + 1]));
      const ImVec2 quad[4] = {ImVec2(x0, lo0), ImVec2(x0, hi0), ImVec2(x1, hi1), ImVec2(x1, lo1)};
      dl->AddConvexPolyFilled(quad, 4, band_col);
    }
  }

  std::vector<ImVec2> path;
  path.reserve(std::min<size_t>(i1 - i0, 4096) * 2);
  auto flush = [&]() {
    if (path.size() >= 2) {
      if (s.dashed) {
        for (size_t k = 1; k < path.size(); ++k) dashed_line(dl, path[k - 1], path[k], s.color, th, px(5));
      } else {
        dl->AddPolyline(path.data(), static_cast<int>(path.size()), s.color, ImDrawFlags_None, th);
      }
    } else if (path.size() == 1) {
      dl->AddCircleFilled(path[0], th * 1.2f, s.color);
    }
    path.clear();
  };

  // Per pixel column, the extremes in data space (the axis transform, a log
  // for log axes, is monotonic: only the column's extremes need it).
  long col = std::numeric_limits<long>::min();
  double dmin = 0, dmax = 0, dfirst = 0, dlast = 0, bmin = 0, bmax = 0;
  bool have = false, have_band = false;
  auto emit = [&]() {
    if (!have) return;
    const float x = static_cast<float>(col) + 0.5f;
    const double cmin = ay.to_px(dmin), cmax = ay.to_px(dmax), cfirst = ay.to_px(dfirst),
                 clast = ay.to_px(dlast);
    if (band && have_band) {
      const double lo = usable(bmin, ay.log) ? ay.to_px(bmin) : std::max(ay.p0, ay.p1) + 4.0;
      const double hi = ay.to_px(bmax);
      if (std::fabs(lo - hi) >= 0.5) {
        dl->AddRectFilled(ImVec2(x - 0.5f, clampy(std::min(lo, hi))),
                          ImVec2(x + 0.5f, clampy(std::max(lo, hi))), band_col);
      }
    }
    path.push_back(ImVec2(x, clampy(cfirst)));
    if (std::fabs(cmax - cmin) >= 0.75)
      dl->AddLine(ImVec2(x, clampy(cmin)), ImVec2(x, clampy(cmax)), s.color, th);
    if (std::fabs(clast - cfirst) >= 0.75) path.push_back(ImVec2(x, clampy(clast)));
    have = have_band = false;
  };
  const double xa = ax.fwd(ax.lo), xscale = (ax.p1 - ax.p0) / (ax.fwd(ax.hi) - xa);
  for (size_t i = i0; i < i1; ++i) {
    const double x = s.x[i], y = s.y[i];
    if (!usable(x, ax.log) || !usable(y, ay.log)) {
      emit();
      flush();
      col = std::numeric_limits<long>::min();
      continue;
    }
    const long c = static_cast<long>(std::floor(ax.p0 + (ax.fwd(x) - xa) * xscale));
    if (c != col) {
      emit();
      col = c;
      dmin = dmax = dfirst = dlast = y;
      have = true;
    } else {
      dmin = std::min(dmin, y), dmax = std::max(dmax, y), dlast = y;
    }
    if (band) {
      const double a = s.y_min[i], b = s.y_max[i];
      if (!have_band)
        bmin = a, bmax = b, have_band = true;
      else
        bmin = std::min(bmin, a), bmax = std::max(bmax, b);
    }
  }
  emit();
  flush();
}

void draw_dots_series(ImDrawList* dl, const PlotSeries& s, const Axis& ax, const Axis& ay) {
  float last_x = -1e9f;
  for (size_t i = 0; i < s.x.size(); ++i) {
    if (!usable(s.x[i], ax.log) || !usable(s.y[i], ay.log)) continue;
    const ImVec2 p(static_cast<float>(ax.to_px(s.x[i])), static_cast<float>(ay.to_px(s.y[i])));
    if (p.x - last_x < 1.0f) continue;
    last_x = p.x;
    dl->AddCircleFilled(p, px(2.5f), s.color);
  }
}

void draw_bar_series(ImDrawList* dl, const PlotSeries& s, const Axis& ax, const Axis& ay) {
  const double base = ay.log ? ay.lo : 0.0;
  const float yb = static_cast<float>(ay.to_px(std::max(base, ay.lo)));
  for (size_t i = 0; i < s.x.size(); ++i) {
    const double y = s.y[i];
    if (!(y > 0) && !(y < 0)) continue;
    const double w = s.bar_width / s.bar_slots;
    const double xa = s.x[i] + w * s.bar_slot, xb = xa + w;
    float x0 = static_cast<float>(ax.to_px(xa)), x1 = static_cast<float>(ax.to_px(xb));
    if (x1 - x0 > 3) x0 += 1, x1 -= 1;
    const float yt = static_cast<float>(ay.to_px(y));
    dl->AddRectFilled(ImVec2(x0, std::min(yt, yb)), ImVec2(std::max(x1, x0 + 1), std::max(yt, yb)), s.color);
  }
}

// Nearest point of a series to x (index), or -1.
long nearest_index(const PlotSeries& s, double x) {
  if (s.x.empty()) return -1;
  const auto it = std::lower_bound(s.x.begin(), s.x.end(), x);
  long i = static_cast<long>(it - s.x.begin());
  if (i >= static_cast<long>(s.x.size())) i = static_cast<long>(s.x.size()) - 1;
  if (i > 0 && std::fabs(s.x[i - 1] - x) <= std::fabs(s.x[i] - x)) --i;
  return i;
}

// --- PNG export --------------------------------------------------------------------

struct PngRequest {
  int x = 0, y = 0, w = 0, h = 0;
  std::string file;
  bool pending = false;
};
PngRequest g_png;

void png_callback(const ImDrawList*, const ImDrawCmd*) {
  if (!g_png.pending) return;
  g_png.pending = false;
  const ImGuiIO& io = ImGui::GetIO();
  const int fb_h = static_cast<int>(io.DisplaySize.y * io.DisplayFramebufferScale.y);
  std::vector<uint8_t> pixels(static_cast<size_t>(g_png.w) * g_png.h * 4);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(g_png.x, fb_h - g_png.y - g_png.h, g_png.w, g_png.h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  platform_download_png(g_png.file + ".png", g_png.w, g_png.h, pixels.data());
}

}  // namespace

bool series_hidden(const PlotState& state, const std::string& name) {
  return std::find(state.hidden.begin(), state.hidden.end(), name) != state.hidden.end();
}

void request_png_export(ImDrawList* draw_list, ImVec2 min, ImVec2 max, const std::string& file_name) {
  const ImGuiIO& io = ImGui::GetIO();
  const int x0 = std::max(0, static_cast<int>(std::floor(min.x)));
  const int y0 = std::max(0, static_cast<int>(std::floor(min.y)));
  const int x1 = std::min(static_cast<int>(io.DisplaySize.x), static_cast<int>(std::ceil(max.x)));
  const int y1 = std::min(static_cast<int>(io.DisplaySize.y), static_cast<int>(std::ceil(max.y)));
  if (x1 <= x0 || y1 <= y0) return;
  g_png = {x0, y0, x1 - x0, y1 - y0, file_name, true};
  draw_list->AddCallback(png_callback, nullptr);
  draw_list->AddCallback(ImDrawCallback_ResetRenderState, nullptr);
}

std::string shortest_decimal(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[40];
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string exact_decimal(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  return exact_value(fp64(), bits).to_string();
}

std::string log_tick_label(int exp10) {
  static const char* kSup[] = {"\xe2\x81\xb0", "\xc2\xb9",     "\xc2\xb2",     "\xc2\xb3",
                               "\xe2\x81\xb4", "\xe2\x81\xb5", "\xe2\x81\xb6", "\xe2\x81\xb7",
                               "\xe2\x81\xb8", "\xe2\x81\xb9"};
  if (exp10 == 0) return "1";
  if (exp10 == 1) return "10";
  std::string s = "10";
  if (exp10 < 0) s += "\xe2\x81\xbb";  // superscript minus
  const std::string digits = std::to_string(exp10 < 0 ? -exp10 : exp10);
  for (char c : digits) s += kSup[c - '0'];
  return s;
}

std::vector<double> nice_ticks(double lo, double hi, int max_ticks, double* step_out) {
  std::vector<double> out;
  const double span = hi - lo;
  if (!(span > 0) || !std::isfinite(span)) return out;
  const double raw = span / std::max(1, max_ticks);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    step = m * mag;
    if (step >= raw) break;
  }
  *step_out = step;
  const double first = std::ceil(lo / step) * step;
  for (int k = 0; k < 64; ++k) {
    const double v = first + k * step;
    if (v > hi + step * 1e-9) break;
    out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return out;
}

std::string linear_tick_label(double v, double step) {
  char buf[48];
  const double a = std::fabs(v);
  if (v == 0) return "0";
  if (a >= 1e6 || a < 1e-4 || step < std::fabs(v) * 1e-6) {
    // Significant digits enough to tell neighbouring ticks apart.
    const int digits = std::clamp(static_cast<int>(std::ceil(std::log10(a / step))) + 1, 2, 12);
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  } else {
    const int decimals = std::clamp(static_cast<int>(-std::floor(std::log10(step) + 1e-9)), 0, 12);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  }
  std::string s = buf;
  if (!s.empty() && s[0] == '-') s = "\xe2\x88\x92" + s.substr(1);
  return s;
}

std::string plot_csv(const PlotSpec& spec, std::span<const PlotSeries> series) {
  std::string out;
  const std::string xname = spec.x_label.empty() ? "x" : spec.x_label;
  // Wide form when every series has the same x points, else long form.
  bool same = !series.empty();
  for (const PlotSeries& s : series) {
    same = same && s.x.size() == series[0].x.size() &&
           (s.x.data() == series[0].x.data() || std::equal(s.x.begin(), s.x.end(), series[0].x.begin()));
  }
  auto quoted = [](const std::string& t) { return "\"" + t + "\""; };
  if (same) {
    out += quoted(xname);
    for (const PlotSeries& s : series) {
      out += "," + quoted(s.name);
      if (!s.y_min.empty()) out += "," + quoted(s.name + " min") + "," + quoted(s.name + " max");
    }
    out += "\n";
    for (size_t i = 0; i < series[0].x.size(); ++i) {
      out += shortest_decimal(series[0].x[i]);
      for (const PlotSeries& s : series) {
        out += "," + shortest_decimal(s.y[i]);
        if (!s.y_min.empty()) out += "," + shortest_decimal(s.y_min[i]) + "," + shortest_decimal(s.y_max[i]);
      }
      out += "\n";
    }
    return out;
  }
  out += "\"series\"," + quoted(xname) + ",\"y\",\"y min\",\"y max\"\n";
  for (const PlotSeries& s : series) {
    for (size_t i = 0; i < s.x.size(); ++i) {
      out += quoted(s.name) + "," + shortest_decimal(s.x[i]) + "," + shortest_decimal(s.y[i]);
      if (!s.y_min.empty())
        out += "," + shortest_decimal(s.y_min[i]) + "," + shortest_decimal(s.y_max[i]);
      else
        out += ",,";
      out += "\n";
    }
  }
  return out;
}

PlotResult draw_plot(const PlotSpec& spec, std::span<const PlotSeries> series, PlotState& state) {
  PlotResult result;
  const Palette& pal = palette();
  const ImGuiStyle& st = ImGui::GetStyle();
  ImGui::PushID(spec.id);
  const std::string id = spec.id;

  // Header: title, then the buttons on the right.
  const ImVec2 header = ImGui::GetCursorScreenPos();
  const float full_w = ImGui::GetContentRegionAvail().x;
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(spec.title.c_str());
  auto small_w = [&](const char* t) { return ImGui::CalcTextSize(t).x + 2 * st.FramePadding.x; };
  const float buttons = small_w("Reset") + small_w("CSV") + small_w("PNG") + 2 * st.ItemSpacing.x;
  ImGui::SameLine(std::max(ImGui::GetCursorPosX() + px(8), ImGui::GetCursorPosX() + full_w - buttons -
                                                               (ImGui::GetCursorScreenPos().x - header.x)));
  bool reset = ImGui::SmallButton("Reset");
  anchor_item(id + ":reset");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Fit the data again (or double-click the plot)");
  ImGui::SameLine();
  const bool want_csv = ImGui::SmallButton("CSV");
  anchor_item(id + ":csv");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Download the plotted data as CSV");
  ImGui::SameLine();
  const bool want_png = ImGui::SmallButton("PNG");
  anchor_item(id + ":png");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Download this plot as a PNG image");
  if (!spec.caption.empty()) {
    ImGui::PushTextWrapPos(0);
    text_muted(spec.caption);
    ImGui::PopTextWrapPos();
  }

  // Legend: one chip per series; a click hides or shows it.
  {
    float x = 0;
    const float avail = ImGui::GetContentRegionAvail().x;
    for (size_t i = 0; i < series.size(); ++i) {
      const PlotSeries& s = series[i];
      if (s.name.empty()) continue;
      const bool hidden = series_hidden(state, s.name);
      const float w = px(14) + ImGui::CalcTextSize(s.name.c_str()).x + px(10);
      if (x > 0 && x + w < avail)
        ImGui::SameLine(0, px(6));
      else
        x = 0;
      ImGui::PushID(static_cast<int>(i));
      const ImVec2 p = ImGui::GetCursorScreenPos();
      if (ImGui::InvisibleButton("legend", ImVec2(w, ImGui::GetTextLineHeight() + px(4)))) {
        if (hidden)
          state.hidden.erase(std::find(state.hidden.begin(), state.hidden.end(), s.name));
        else
          state.hidden.push_back(s.name);
      }
      anchor_item(id + ":legend:" + s.name);
      if (ImGui::IsItemHovered()) ImGui::SetTooltip(hidden ? "Show %s" : "Hide %s", s.name.c_str());
      ImDrawList* dl = ImGui::GetWindowDrawList();
      const float h = ImGui::GetTextLineHeight();
      const ImVec2 sw0(p.x + px(2), p.y + px(2) + h * 0.25f), sw1(p.x + px(12), p.y + px(2) + h * 0.75f);
      if (hidden)
        dl->AddRect(sw0, sw1, s.color, px(2), 0, px(1.5f));
      else
        dl->AddRectFilled(sw0, sw1, s.color, px(2));
      dl->AddText(ImVec2(p.x + px(16), p.y + px(2)), hidden ? pal.muted : ImGui::GetColorU32(ImGuiCol_Text),
                  s.name.c_str());
      ImGui::PopID();
      x += w + px(6);
    }
  }

  // Geometry: room for y labels on the left and x labels below.
  ImGui::PushFont(mono_font());
  const float label_h = ImGui::GetTextLineHeight();
  const float left = ImGui::CalcTextSize(
                         "\xe2\x88\x92"
                         "0.0000000")
                         .x +
                     px(14);
  ImGui::PopFont();
  const ImVec2 origin = ImGui::GetCursorScreenPos();
  const float width = std::max(px(120), ImGui::GetContentRegionAvail().x);
  const float height = px(spec.height);
  const ImVec2 a0(origin.x + left, origin.y + px(4));
  const ImVec2 a1(origin.x + width - px(8), a0.y + height);
  const ImVec2 total(width, height + px(4) + label_h * 2 + px(16));

  // View: fit what is not fixed.
  const bool log_x = spec.x_scale == PlotScale::Log, log_y = spec.y_scale == PlotScale::Log;
  PlotView& v = state.view;
  {
    double xlo, xhi, ylo, yhi;
    data_range(series, state, false, 0, 0, log_x, log_y, spec.log_floor, &xlo, &xhi, &ylo, &yhi);
    if (v.fit_x) {
      v.x0 = xlo, v.x1 = xhi;
      if (!std::isfinite(xlo)) v.x0 = log_x ? 1 : 0, v.x1 = log_x ? 10 : 1;
    }
    sanitize(&v.x0, &v.x1, log_x);
    if (v.fit_y) {
      data_range(series, state, true, v.x0, v.x1, log_x, log_y, spec.log_floor, &xlo, &xhi, &ylo, &yhi);
      if (!std::isfinite(ylo)) {
        ylo = log_y ? 1e-8 : 0, yhi = log_y ? 1 : 1;
      }
      if (log_y) {
        ylo /= 1.5, yhi *= 1.5;
      } else {
        const double pad = (yhi - ylo) * 0.06;
        ylo -= pad, yhi += pad;
      }
      v.y0 = ylo, v.y1 = yhi;
    }
    sanitize(&v.y0, &v.y1, log_y);
  }
  Axis ax{v.x0, v.x1, log_x, a0.x, a1.x};
  Axis ay{v.y0, v.y1, log_y, a1.y, a0.y};

  // Interaction surface.
  ImGui::InvisibleButton("area", total, ImGuiButtonFlags_MouseButtonLeft | ImGuiButtonFlags_MouseButtonRight);
  anchor_rect(id + ":area", a0.x, a0.y, a1.x, a1.y);
  const bool hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();
  const ImGuiIO& io = ImGui::GetIO();
  const ImVec2 mouse = io.MousePos;
  const bool in_area = hovered && mouse.x >= a0.x && mouse.x <= a1.x && mouse.y >= a0.y && mouse.y <= a1.y;

  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) reset = true;
  if (ImGui::IsItemActivated()) {
    state.dragged = false;
    state.boxing = ImGui::IsMouseDown(ImGuiMouseButton_Right) || io.KeyShift;
    state.panning = !state.boxing;
    state.box_from = mouse;
    state.pan_from = v;
  }
  if (active) {
    const ImVec2 d(mouse.x - state.box_from.x, mouse.y - state.box_from.y);
    if (std::fabs(d.x) + std::fabs(d.y) > px(3)) state.dragged = true;
    if (state.panning && state.dragged) {
      Axis fx{state.pan_from.x0, state.pan_from.x1, log_x, a0.x, a1.x};
      Axis fy{state.pan_from.y0, state.pan_from.y1, log_y, a1.y, a0.y};
      v.x0 = fx.from_px(a0.x - d.x), v.x1 = fx.from_px(a1.x - d.x);
      v.y0 = fy.from_px(a1.y - d.y), v.y1 = fy.from_px(a0.y - d.y);
      v.fit_x = v.fit_y = false;
      result.view_changed = true;
      ax = Axis{v.x0, v.x1, log_x, a0.x, a1.x};
      ay = Axis{v.y0, v.y1, log_y, a1.y, a0.y};
    }
  }
  if (ImGui::IsItemDeactivated()) {
    if (state.boxing && state.dragged) {
      const float x0 = std::clamp(std::min(state.box_from.x, mouse.x), a0.x, a1.x);
      const float x1 = std::clamp(std::max(state.box_from.x, mouse.x), a0.x, a1.x);
      const float y0 = std::clamp(std::min(state.box_from.y, mouse.y), a0.y, a1.y);
      const float y1 = std::clamp(std::max(state.box_from.y, mouse.y), a0.y, a1.y);
      if (x1 - x0 > px(4)) v.x0 = ax.from_px(x0), v.x1 = ax.from_px(x1), v.fit_x = false;
      if (y1 - y0 > px(4)) v.y0 = ay.from_px(y1), v.y1 = ay.from_px(y0), v.fit_y = false;
      result.view_changed = true;
    } else if (!state.dragged && in_area) {
      result.clicked = true;
      result.click_x = ax.from_px(mouse.x);
      if (spec.integer_x) result.click_x = std::round(result.click_x);
    }
    state.boxing = state.panning = false;
  }
  if (in_area && (spec.wheel_zoom || io.KeyCtrl || io.KeyShift)) {
    ImGui::SetItemUsingMouseWheel();
    if (io.MouseWheel != 0) {
      // Positive = wheel up = zoom in (in notches: input_queue.cpp); one
      // notch a frame at most, so a touchpad fling does not jump.
      const double f = std::pow(0.85, std::clamp(io.MouseWheel, -1.0f, 1.0f));
      const bool zoom_y = io.KeyCtrl && !spec.wheel_zoom;
      if (!zoom_y) {
        const double c = ax.fwd(ax.from_px(mouse.x));
        const double a = ax.fwd(v.x0), b = ax.fwd(v.x1);
        v.x0 = ax.inv(c + (a - c) * f), v.x1 = ax.inv(c + (b - c) * f), v.fit_x = false;
      }
      if (zoom_y || spec.wheel_zoom) {
        const double c = ay.fwd(ay.from_px(mouse.y));
        const double a = ay.fwd(v.y0), b = ay.fwd(v.y1);
        v.y0 = ay.inv(c + (a - c) * f), v.y1 = ay.inv(c + (b - c) * f), v.fit_y = false;
      }
      result.view_changed = true;
      ax = Axis{v.x0, v.x1, log_x, a0.x, a1.x};
      ay = Axis{v.y0, v.y1, log_y, a1.y, a0.y};
    }
  }
  if (reset) {
    v.fit_x = v.fit_y = true;
    result.view_changed = true;
  }

  // Frame and grid.
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImU32 grid = with_alpha(ImGui::GetColorU32(ImGuiCol_Text), 0.08f);
  const ImU32 axis_col = with_alpha(ImGui::GetColorU32(ImGuiCol_Text), 0.35f);
  dl->AddRectFilled(a0, a1, with_alpha(pal.card_bg, 1.0f), px(3));
  // Tick labels in the UI font: it has the superscript minus of "10⁻⁵".
  for (const Tick& t : make_ticks(ax, a1.x - a0.x, spec.integer_x, 90)) {
    const float x = static_cast<float>(ax.to_px(t.v));
    if (x < a0.x - 0.5f || x > a1.x + 0.5f) continue;
    dl->AddLine(ImVec2(x, a0.y), ImVec2(x, a1.y), t.major ? grid : with_alpha(grid, 0.5f));
    dl->AddLine(ImVec2(x, a1.y), ImVec2(x, a1.y + px(4)), axis_col);
    if (!t.label.empty()) {
      const float w = ImGui::CalcTextSize(t.label.c_str()).x;
      const float lx = std::clamp(x - w / 2, origin.x + left - w / 2, a1.x - w + px(6));
      dl->AddText(ImVec2(lx, a1.y + px(5)), pal.muted, t.label.c_str());
    }
  }
  for (const Tick& t : make_ticks(ay, a1.y - a0.y, false, 36)) {
    const float y = static_cast<float>(ay.to_px(t.v));
    if (y < a0.y - 0.5f || y > a1.y + 0.5f) continue;
    dl->AddLine(ImVec2(a0.x, y), ImVec2(a1.x, y), t.major ? grid : with_alpha(grid, 0.5f));
    dl->AddLine(ImVec2(a0.x - px(4), y), ImVec2(a0.x, y), axis_col);
    if (!t.label.empty()) {
      const ImVec2 sz = ImGui::CalcTextSize(t.label.c_str());
      dl->AddText(ImVec2(a0.x - px(6) - sz.x, y - sz.y / 2), pal.muted, t.label.c_str());
    }
  }
  dl->AddRect(a0, a1, axis_col, px(3));
  // Axis titles.
  if (!spec.x_label.empty()) {
    const ImVec2 sz = ImGui::CalcTextSize(spec.x_label.c_str());
    dl->AddText(ImVec2((a0.x + a1.x - sz.x) / 2, a1.y + px(6) + label_h), pal.muted, spec.x_label.c_str());
  }
  if (!spec.y_label.empty()) {
    dl->AddText(ImVec2(a0.x + px(6), a0.y + px(4)), pal.muted, spec.y_label.c_str());
  }

  // Series, clipped to the area.
  dl->PushClipRect(a0, a1, true);
  for (const PlotSeries& s : series) {
    if (series_hidden(state, s.name)) continue;
    switch (s.style) {
      case PlotSeries::Style::Line:
        draw_line_series(dl, s, ax, ay, a0, a1);
        break;
      case PlotSeries::Style::Dots:
        draw_dots_series(dl, s, ax, ay);
        break;
      case PlotSeries::Style::Bars:
        draw_bar_series(dl, s, ax, ay);
        break;
    }
  }
  for (const PlotMark& m : spec.marks) {
    const float x = static_cast<float>(ax.to_px(m.x));
    if (!(x >= a0.x && x <= a1.x)) continue;
    dashed_line(dl, ImVec2(x, a0.y), ImVec2(x, a1.y), m.color, px(1), px(4));
    if (!m.label.empty()) dl->AddText(ImVec2(x + px(4), a0.y + px(4) + label_h), m.color, m.label.c_str());
  }
  if (std::isfinite(spec.selected_x)) {
    const float x = static_cast<float>(ax.to_px(spec.selected_x));
    dl->AddLine(ImVec2(x, a0.y), ImVec2(x, a1.y), with_alpha(pal.accent, 0.8f), px(1.5f));
  }
  // Box being drawn.
  if (active && state.boxing && state.dragged) {
    const ImVec2 b0(std::min(state.box_from.x, mouse.x), std::min(state.box_from.y, mouse.y));
    const ImVec2 b1(std::max(state.box_from.x, mouse.x), std::max(state.box_from.y, mouse.y));
    dl->AddRectFilled(b0, b1, with_alpha(pal.accent, 0.15f));
    dl->AddRect(b0, b1, pal.accent);
  }

  // Hover read-out at the nearest point.
  if (in_area && !(active && state.dragged)) {
    const double xm = ax.from_px(mouse.x);
    double best_x = kNaN, best_d = INFINITY;
    for (const PlotSeries& s : series) {
      if (series_hidden(state, s.name)) continue;
      const long i = nearest_index(s, xm);
      if (i < 0) continue;
      const double d = std::fabs(ax.to_px(s.x[i]) - mouse.x);
      if (d < best_d) best_d = d, best_x = s.x[i];
    }
    if (std::isfinite(best_x)) {
      result.hovered = true;
      result.hover_x = best_x;
      const float hx = static_cast<float>(ax.to_px(best_x));
      dl->AddLine(ImVec2(hx, a0.y), ImVec2(hx, a1.y), axis_col);
      ImGui::BeginTooltip();
      ImGui::PushFont(mono_font());
      const std::string xs = spec.x_text ? spec.x_text(best_x) : shortest_decimal(best_x);
      ImGui::Text("%s = %s", spec.x_label.empty() ? "x" : spec.x_label.c_str(), xs.c_str());
      for (const PlotSeries& s : series) {
        if (series_hidden(state, s.name)) continue;
        const long i = nearest_index(s, best_x);
        if (i < 0 || s.x[i] != best_x) continue;
        auto txt = [&](double y) { return spec.y_text ? spec.y_text(y) : shortest_decimal(y); };
        std::string line = s.name + "  " + txt(s.y[i]);
        if (!s.y_min.empty() && s.y_min[i] != s.y_max[i]) {
          line += "   (min " + txt(s.y_min[i]) + ", max " + txt(s.y_max[i]) + ")";
        }
        ImGui::TextColored(color_vec(s.color), "\xe2\x97\x8f");
        ImGui::SameLine();
        ImGui::TextUnformatted(line.c_str());
        if (usable(s.y[i], log_y)) {
          dl->AddCircleFilled(ImVec2(hx, static_cast<float>(ay.to_px(s.y[i]))), px(3.5f), s.color);
        }
      }
      ImGui::PopFont();
      text_muted("drag: pan \xc2\xb7 right-drag: zoom box \xc2\xb7 double-click: reset");
      ImGui::EndTooltip();
    }
  }
  dl->PopClipRect();

  if (want_csv) platform_download_text(spec.file_name + ".csv", "text/csv", plot_csv(spec, series));
  if (want_png)
    request_png_export(dl, ImVec2(header.x, header.y), ImVec2(origin.x + total.x, origin.y + total.y),
                       spec.file_name);
  ImGui::PopID();
  return result;
}

}  // namespace mantissa::app
