// A small plot widget for the panels: axes with ticks and labels, a legend
// whose entries toggle their series, a hover read-out at the nearest point,
// box zoom, pan, wheel zoom, reset, and export of the data (CSV) and of the
// picture (PNG).
//
// Series are drawn faithfully however many points they have: points that
// fall in the same pixel column are drawn as one vertical min..max stroke
// (and an envelope's min/max per point widens it), so a spike of one step in
// 10^7 stays visible.
//
//   static PlotState state;
//   PlotSpec spec; spec.id = "weight"; spec.title = "Weight"; ...
//   PlotResult r = draw_plot(spec, series, state);
//
// Interaction: drag pans; right-drag (or Shift+drag) draws a box to zoom into;
// the wheel zooms x (with Ctrl, y; only with a modifier unless
// `wheel_zoom` is set); double-click or "Reset" fits the data again; a click
// without drag reports the x under the cursor (PlotResult::clicked).
#pragma once
#include <cmath>
#include <span>
#include <string>
#include <vector>

#include "imgui.h"

namespace mantissa::app {

enum class PlotScale { Linear, Log };

struct PlotSeries {
  std::string name;
  ImU32 color = 0;
  std::span<const double> x;  // ascending
  std::span<const double> y;  // the line (a bucket's last value)
  // Optional envelope per point (same length as x): drawn as a band.
  std::span<const double> y_min, y_max;
  // Few points far apart (a sweep over K): fill the band between
  // neighbouring points too, not only at each point's pixel column.
  bool band_between = false;
  enum class Style { Line, Dots, Bars } style = Style::Line;
  float thickness = 1.5f;  // CSS pixels
  bool dashed = false;
  // Bars: each bar spans [x[i], x[i] + bar_width) on the x axis; several
  // Bars series side by side share the width (bar_slot of bar_slots).
  double bar_width = 0;
  int bar_slot = 0, bar_slots = 1;
};

// A labelled vertical line (a landmark such as "half-ULP edge" or a step).
struct PlotMark {
  double x = 0;
  ImU32 color = 0;
  std::string label;
};

// The visible window of a plot. fit_*: follow the data.
struct PlotView {
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  bool fit_x = true, fit_y = true;
};

struct PlotSpec {
  const char* id = "plot";
  std::string title;
  std::string x_label, y_label;
  PlotScale x_scale = PlotScale::Linear, y_scale = PlotScale::Linear;
  float height = 220.0f;    // CSS pixels (the drawing area)
  bool integer_x = false;   // x is a step number: read-out and ticks are integers
  bool wheel_zoom = false;  // the wheel zooms without a modifier
  // Read-out text of a y value (default: the shortest round-trip decimal);
  // the plots of weights pass the exact decimal of the double.
  std::string (*y_text)(double) = nullptr;
  std::string (*x_text)(double) = nullptr;
  std::string file_name = "plot";  // CSV / PNG download name, without extension
  std::vector<PlotMark> marks;
  double selected_x = NAN;  // drawn as an accent line
  // Floors for fitting a log axis (values <= 0 are never drawn).
  double log_floor = 0;
  // An extra text line under the title (muted), e.g. what the plot shows.
  std::string caption;
};

struct PlotState {
  PlotView view;
  std::vector<std::string> hidden;  // legend entries switched off
  // Interaction in progress.
  bool boxing = false;
  ImVec2 box_from;
  bool panning = false;
  PlotView pan_from;
  bool dragged = false;
};

struct PlotResult {
  bool hovered = false;
  double hover_x = 0;    // the nearest point's x under the cursor
  bool clicked = false;  // a click without a drag
  double click_x = 0;
  bool view_changed = false;  // by the user (pan, zoom, reset)
};

PlotResult draw_plot(const PlotSpec& spec, std::span<const PlotSeries> series, PlotState& state);

bool series_hidden(const PlotState& state, const std::string& name);

// The CSV the "CSV" button downloads (exposed for tests and the state hook).
std::string plot_csv(const PlotSpec& spec, std::span<const PlotSeries> series);

// Shortest decimal that reads back as the same double ("%.17g" trimmed).
std::string shortest_decimal(double v);
// The exact decimal of a double (every digit).
std::string exact_decimal(double v);

// Tick label helpers (shared with the landscape's axes).
std::string log_tick_label(int exp10);  // "10⁻⁵"
std::vector<double> nice_ticks(double lo, double hi, int max_ticks, double* step);
std::string linear_tick_label(double v, double step);

// Requests a PNG of the screen rectangle [min, max) (device pixels) after the
// current frame is drawn; the file downloads as `file_name`.png.
void request_png_export(ImDrawList* draw_list, ImVec2 min, ImVec2 max, const std::string& file_name);

}  // namespace mantissa::app
