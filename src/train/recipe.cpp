#include "train/recipe.h"

#include <algorithm>

namespace mantissa::train {

namespace {

using Kind = sim::StrategySpec::Kind;

bool set_accumulator(std::string_view text, Recipe* r, std::string* error) {
  std::string why;
  if (!parse_accumulator(text, r->activations, &r->acc, &why)) return *error = "acc=" + std::string(text.substr(0, 40)) + ": " + why, false;
  const Format& out = r->acc.result_format();
  if (r->acc.kind == AccumulatorKind::Exact || out.exp_bits > 8 || out.man_bits > 23) {
    *error = "accumulator '" + r->acc.name + "': a network needs an accumulator whose result lies within fp32";
    return false;
  }
  return true;
}

Recipe make(const char* name, const Format& w, const Format& a, const Format& g, const char* acc, bool master,
            Kind update, bool dynamic_scale, bool fp8_scaling) {
  Recipe r;
  r.name = name;
  r.weights = w;
  r.activations = a;
  r.gradients = g;
  std::string error;
  set_accumulator(acc, &r, &error);
  r.master = master;
  r.update = update;
  r.loss_scale.kind = dynamic_scale ? sim::LossScale::Kind::Dynamic : sim::LossScale::Kind::None;
  r.fp8_scaling = fp8_scaling;
  return r;
}

bool within_fp32(const Format& f) { return f.is_float() && f.exp_bits <= 8 && f.man_bits <= 23; }

bool parse_custom(std::string_view spec, Recipe* out, std::string* error) {
  Recipe r = make("custom", fp32(), fp32(), fp32(), "seq:fp32", false, Kind::Plain, false, false);
  std::string acc_text = "seq:fp32";
  size_t i = 0;
  while (i < spec.size()) {
    size_t j = spec.find('/', i);
    // acc= takes the rest when it is last (tensor-core names hold no '/').
    if (j == std::string_view::npos) j = spec.size();
    const std::string_view field = spec.substr(i, j - i);
    i = j + 1;
    const size_t eq = field.find('=');
    if (eq == std::string_view::npos) return *error = "custom recipe: field '" + std::string(field.substr(0, 40)) + "' is not key=value", false;
    const std::string_view key = field.substr(0, eq), value = field.substr(eq + 1);
    auto format_of = [&](Format* f) {
      std::string why;
      if (!parse_format(value, f, &why)) return *error = "custom recipe: " + std::string(key) + "=: " + why, false;
      if (!within_fp32(*f)) return *error = "custom recipe: " + f->name + " does not fit in fp32 (at most 8 exponent and 23 mantissa bits)", false;
      return true;
    };
    if (key == "w") {
      if (!format_of(&r.weights)) return false;
    } else if (key == "a") {
      if (!format_of(&r.activations)) return false;
    } else if (key == "g") {
      if (!format_of(&r.gradients)) return false;
    } else if (key == "acc") {
      acc_text = std::string(value);
    } else if (key == "master") {
      if (value != "on" && value != "off") return *error = "custom recipe: master= takes on or off", false;
      r.master = value == "on";
    } else if (key == "update") {
      if (value == "rne") r.update = Kind::Plain;
      else if (value == "kahan") r.update = Kind::Kahan;
      else if (value == "sr") r.update = Kind::Stochastic;
      else return *error = "custom recipe: update= takes rne, kahan or sr", false;
    } else if (key == "ls") {
      if (value == "none") r.loss_scale.kind = sim::LossScale::Kind::None;
      else if (value == "dynamic") r.loss_scale.kind = sim::LossScale::Kind::Dynamic;
      else return *error = "custom recipe: ls= takes none or dynamic", false;
    } else {
      return *error = "custom recipe: unknown field '" + std::string(key.substr(0, 20)) + "' (w, a, g, acc, master, update, ls)", false;
    }
  }
  if (!set_accumulator(acc_text, &r, error)) return *error = "custom recipe: " + *error, false;
  r.name = "custom:" + std::string(spec);
  *out = r;
  return true;
}

}  // namespace

const std::vector<std::string>& standard_recipe_names() {
  static const std::vector<std::string> names = {"fp32", "fp16", "fp16-amp", "fp16-master-noscale", "bf16",
                                                 "bf16-kahan", "bf16-sr", "fp8", "fp8-noscale"};
  return names;
}

bool parse_recipe(std::string_view text, Recipe* out, std::string* error) {
  const Format &h = fp16(), &b = bf16(), &s = fp32(), &e4 = fp8_e4m3(), &e5 = fp8_e5m2();
  if (text == "fp32") *out = make("fp32", s, s, s, "seq:fp32", false, Kind::Plain, false, false);
  else if (text == "fp16") *out = make("fp16", h, h, h, "seq:fp16", false, Kind::Plain, false, false);
  else if (text == "fp16-amp") *out = make("fp16-amp", h, h, h, "seq:fp32", true, Kind::Plain, true, false);
  else if (text == "fp16-master-noscale")
    *out = make("fp16-master-noscale", h, h, h, "seq:fp32", true, Kind::Plain, false, false);
  else if (text == "bf16") *out = make("bf16", b, b, b, "seq:fp32", false, Kind::Plain, false, false);
  else if (text == "bf16-kahan") *out = make("bf16-kahan", b, b, b, "seq:fp32", false, Kind::Kahan, false, false);
  else if (text == "bf16-sr") *out = make("bf16-sr", b, b, b, "seq:fp32", false, Kind::Stochastic, false, false);
  else if (text == "fp8") *out = make("fp8", e4, e4, e5, "seq:fp32", true, Kind::Plain, false, true);
  else if (text == "fp8-noscale") *out = make("fp8-noscale", e4, e4, e5, "seq:fp32", true, Kind::Plain, false, false);
  else if (text.substr(0, 7) == "custom:") return parse_custom(text.substr(7), out, error);
  else if (text == "custom") return parse_custom("", out, error);
  else {
    std::string names;
    for (const auto& n : standard_recipe_names()) names += (names.empty() ? "" : ", ") + n;
    *error = "unknown recipe '" + std::string(text.substr(0, 40)) + "' (" + names + ", custom:w=F/a=F/g=F/acc=ACC)";
    return false;
  }
  return true;
}

bool parse_recipe_list(std::string_view text, std::vector<Recipe>* out, std::string* error) {
  const char sep = text.find(';') != std::string_view::npos ? ';' : ',';
  std::vector<std::string> items;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find(sep, i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view item = text.substr(i, j - i);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    const bool standard = std::find(standard_recipe_names().begin(), standard_recipe_names().end(), item) !=
                          standard_recipe_names().end();
    // Separated by commas, a custom recipe's accumulator may hold commas
    // (tc:fma=8,neab=1): a piece that names no recipe continues it.
    if (sep == ',' && !items.empty() && items.back().rfind("custom", 0) == 0 && !standard &&
        item.substr(0, 6) != "custom" && !item.empty()) {
      items.back() += "," + std::string(item);
    } else if (!item.empty()) {
      items.emplace_back(item);
    }
    i = j + 1;
  }
  std::vector<Recipe> list;
  for (const std::string& item : items) {
    Recipe r;
    if (!parse_recipe(item, &r, error)) return false;
    for (const Recipe& o : list)
      if (o.name == r.name) return *error = "recipe '" + r.name + "' is listed twice", false;
    list.push_back(r);
  }
  if (list.empty()) return *error = "--recipes needs at least one recipe", false;
  if (list.size() > sim::kMaxStrategies)
    return *error = "--recipes: at most " + std::to_string(sim::kMaxStrategies) + " recipes", false;
  *out = std::move(list);
  return true;
}

}  // namespace mantissa::train
