// The share link's values and checks (see link_values.h).
#include "scenario/link_values.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "core/block_format.h"
#include "core/format.h"
#include "core/parse.h"
#include "core/rounding.h"
#include "scenario/link_text.h"
#include "scenario/scenario.h"
#include "sim/setup.h"
#include "train/dataset.h"
#include "train/network.h"
#include "train/recipe.h"

namespace mantissa::link_detail {

// ---- Values ----------------------------------------------------------------------

std::string bool_text(bool b) { return b ? "1" : "0"; }

bool parse_bool(std::string_view t, bool* out) {
  if (t == "1" || t == "true" || t == "yes" || t == "on") {
    *out = true;
  } else if (t == "0" || t == "false" || t == "no" || t == "off") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

std::string double_text(double v) {
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

bool parse_double(std::string_view t, double* out) {
  if (t.empty() || t.size() > 32) return false;
  for (char c : t) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return false;
  }
  const std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}


bool check_value(std::string_view in, std::string* canonical, std::string* why) {
  ParsedValue parsed;
  std::string error;
  if (!parse_value(in, &parsed, &error)) {
    *why = "not a number";
    return false;
  }
  *canonical = std::string(in);  // exactly as typed: "0.10" stays "0.10"
  return true;
}

bool check_optional_value(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  return check_value(in, canonical, why);
}

template <bool (*parse)(std::string_view, Format*, std::string*)>
static bool check_format_with(std::string_view in, std::string* canonical, std::string* why) {
  Format f;
  std::string error;
  if (in.size() > 32 || !parse(in, &f, &error)) {
    *why = "unknown format";
    return false;
  }
  *canonical = f.name;
  return true;
}

bool check_format(std::string_view in, std::string* canonical, std::string* why) {
  return check_format_with<parse_format>(in, canonical, why);
}

// Also the MX scale (e8m0) and integer element (int8-mx): for the keys of
// the faces that handle every kind (the Inspector, the landscape).
bool check_any_format(std::string_view in, std::string* canonical, std::string* why) {
  return check_format_with<parse_any_format>(in, canonical, why);
}

bool check_optional_any_format(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  return check_any_format(in, canonical, why);
}


bool check_mode(std::string_view in, std::string* canonical, std::string* why) {
  RoundingMode m;
  std::string error;
  if (in.size() > 32 || !parse_rounding_mode(in, &m, &error)) {
    *why = "unknown rounding mode";
    return false;
  }
  *canonical = rounding_mode_name(m);
  return true;
}

bool check_op(std::string_view in, std::string* canonical, std::string* why) {
  if (in != "add" && in != "sub" && in != "mul" && in != "fma") {
    *why = "unknown operation (add, sub, mul, fma)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_strategy(std::string_view in, std::string* canonical, std::string* why) {
  sim::StrategySpec spec;
  std::string error;
  if (in.size() > 64 || !sim::parse_strategy(in, &spec, &error)) {
    *why = "unknown strategy";
    return false;
  }
  *canonical = spec.name;
  return true;
}

bool check_loss_scale(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  sim::StrategySpec spec;
  std::string error;
  if (in.size() > 64 || !sim::parse_loss_scale(in, &spec, &error)) {
    *why = "not a loss scale (static:S or dynamic)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// "normal:MEAN:STD" or empty (a constant increment).
bool check_gradient(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  const std::string_view rest = in.substr(std::min<size_t>(7, in.size()));
  const size_t colon = rest.find(':');
  double mean = 0, stddev = 0;
  if (in.substr(0, 7) != "normal:" || colon == std::string_view::npos ||
      !parse_double(rest.substr(0, colon), &mean) || !parse_double(rest.substr(colon + 1), &stddev) ||
      stddev < 0) {
    *why = "not a gradient distribution (normal:MEAN:STD)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// Population initial weights: "", "normal:MEAN:STD" or "uniform:LOW:HIGH".
bool check_init(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  const bool normal = in.substr(0, 7) == "normal:", uniform = in.substr(0, 8) == "uniform:";
  const std::string_view rest = in.substr(normal ? 7 : uniform ? 8 : 0);
  const size_t colon = rest.find(':');
  double a = 0, b = 0;
  if ((!normal && !uniform) || colon == std::string_view::npos || !parse_double(rest.substr(0, colon), &a) ||
      !parse_double(rest.substr(colon + 1), &b) || (normal && b < 0)) {
    *why = "not an initial distribution (normal:MEAN:STD or uniform:LOW:HIGH)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_tensor_scale(std::string_view in, std::string* canonical, std::string* why) {
  if (in != "none" && in != "tensor") {
    *why = "not a scale option (none or tensor)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_reference(std::string_view in, std::string* canonical, std::string* why) {
  if (in != "stored" && in != "exact") {
    *why = "not a reference (stored or exact)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// ---- Blocks (issue 14) -------------------------------------------------------------

bool check_block_format(std::string_view in, std::string* canonical, std::string* why) {
  BlockFormat f;
  if (in.size() > 32 || !parse_block_format(in, &f, nullptr)) {
    *why = "unknown block format";
    return false;
  }
  *canonical = f.name;
  return true;
}

bool check_optional_block_format(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  return check_block_format(in, canonical, why);
}

bool check_scale_rule(std::string_view in, std::string* canonical, std::string* why) {
  ScaleRule r;
  if (!parse_scale_rule(in, &r, nullptr)) {
    *why = "unknown scale rule (ocp or ceil)";
    return false;
  }
  *canonical = scale_rule_name(r);
  return true;
}

bool check_block_gen(std::string_view in, std::string* canonical, std::string* why) {
  if (in != "normal" && in != "uniform" && in != "outlier") {
    *why = "unknown generator (normal, uniform, outlier)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// Up to kMaxBlockValues numbers separated by commas, each one the Blocks
// tab (and `mantissa quantize --values`) reads; kept as typed.
bool check_block_values(std::string_view in, std::string* canonical, std::string* why) {
  size_t count = 0, start = 0;
  while (start <= in.size() && !in.empty()) {
    size_t comma = in.find(',', start);
    if (comma == std::string_view::npos) comma = in.size();
    std::string_view item = in.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    ParsedValue parsed;
    std::string error;
    if (++count > kMaxBlockValues) {
      *why = "more than " + std::to_string(kMaxBlockValues) + " values";
      return false;
    }
    if (item.empty() || !parse_value(item, &parsed, &error) || parsed.kind == ParsedValue::Kind::Bits) {
      *why = "not a list of numbers ('" + shown(item, 24) + "')";
      return false;
    }
    start = comma + 1;
  }
  *canonical = std::string(in);
  return true;
}

// Network panel: the `mantissa train` option texts, checked by the trainer's
// own parsers (kept as typed: the run hands them to the same parsers again).
bool check_data(std::string_view in, std::string* canonical, std::string* why) {
  for (const std::string& n : train::dataset_names()) {
    if (in == n) return *canonical = n, true;
  }
  *why = "unknown data set (digits, spiral, circles, xor)";
  return false;
}

bool check_model(std::string_view in, std::string* canonical, std::string* why) {
  train::Model m;
  std::string error;
  if (!in.empty() && (in.size() > 64 || !train::parse_model(in, &m, &error))) {
    *why = "not a model (layer widths: 2-16-16-2)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_optimizer(std::string_view in, std::string* canonical, std::string* why) {
  train::Optimizer o;
  std::string error;
  if (in.size() > 128 || !train::parse_optimizer(in, &o, &error)) {
    *why = "not an optimizer (sgd:lr=X,momentum=M or adam:lr=X)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_loss_weight(std::string_view in, std::string* canonical, std::string* why) {
  double w;
  std::string error;
  if (!train::parse_loss_weight(in, &w, &error)) {
    *why = "not a loss weight (a number from 1e-12 to 1)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_recipes(std::string_view in, std::string* canonical, std::string* why) {
  std::vector<train::Recipe> r;
  std::string error;
  if (in.size() > 512 || !train::parse_recipe_list(in, &r, &error) || r.empty() || r.size() > 16) {
    *why = "not a recipe list (fp32,fp16,fp16-amp,...)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}


}  // namespace mantissa::link_detail
