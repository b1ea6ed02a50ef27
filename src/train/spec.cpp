// Parsing and validating a training spec: the model, the optimizer, limits
// and the memory budget (checked before anything is allocated).
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "sim/setup.h"
#include "train/network.h"

namespace mantissa::train {

namespace {

bool parse_number(std::string_view text, double* out) {
  const std::string s(text);
  if (s.empty() || s.size() > 40) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && std::isfinite(*out);
}

std::string shown(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // The shortest of %.Ng that reads back the same double.
  for (int digits = 1; digits <= 17; ++digits) {
    char b[40];
    std::snprintf(b, sizeof b, "%.*g", digits, v);
    if (std::strtod(b, nullptr) == v) return b;
  }
  return buf;
}

}  // namespace

std::string Model::name() const {
  std::string s;
  for (size_t i = 0; i < sizes.size(); ++i) s += (i ? "-" : "") + std::to_string(sizes[i]);
  return s;
}

uint64_t Model::parameters() const {
  uint64_t n = 0;
  for (size_t i = 0; i + 1 < sizes.size(); ++i)
    n += static_cast<uint64_t>(sizes[i]) * static_cast<uint64_t>(sizes[i + 1]) + static_cast<uint64_t>(sizes[i + 1]);
  return n;
}

bool parse_model(std::string_view text, Model* out, std::string* error) {
  Model m;
  size_t i = 0;
  while (i <= text.size()) {
    size_t j = text.find('-', i);
    if (j == std::string_view::npos) j = text.size();
    const std::string_view item = text.substr(i, j - i);
    uint64_t v = 0;
    if (item.empty() || item.size() > 6) return *error = "--model takes widths separated by '-', e.g. 64-32-10", false;
    for (char c : item) {
      if (c < '0' || c > '9') return *error = "--model takes widths separated by '-', e.g. 64-32-10", false;
      v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v < 1 || v > static_cast<uint64_t>(kMaxWidth))
      return *error = "--model: every width must be 1 to " + std::to_string(kMaxWidth), false;
    m.sizes.push_back(static_cast<int>(v));
    i = j + 1;
  }
  if (m.sizes.size() < 2 || m.sizes.size() > static_cast<size_t>(kMaxLayers) + 1)
    return *error = "--model needs 2 to " + std::to_string(kMaxLayers + 1) + " widths (input, hidden..., classes)", false;
  *out = m;
  return true;
}

std::string Optimizer::name() const {
  if (kind == Kind::Sgd) return "sgd:lr=" + shown(lr) + ",momentum=" + shown(momentum);
  return "adam:lr=" + shown(lr) + ",beta1=" + shown(beta1) + ",beta2=" + shown(beta2) + ",eps=" + shown(eps);
}

bool parse_optimizer(std::string_view text, Optimizer* out, std::string* error) {
  Optimizer o;
  std::string_view rest;
  if (text.substr(0, 3) == "sgd") {
    o.kind = Optimizer::Kind::Sgd;
    rest = text.substr(3);
  } else if (text.substr(0, 4) == "adam") {
    o.kind = Optimizer::Kind::Adam;
    o.lr = 0.001;
    rest = text.substr(4);
  } else {
    return *error = "--optimizer takes sgd:lr=X[,momentum=M] or adam:lr=X[,beta1=B][,beta2=B][,eps=E]", false;
  }
  if (!rest.empty()) {
    if (rest[0] != ':') return *error = "--optimizer: expected ':' after the optimizer's name", false;
    rest.remove_prefix(1);
  }
  while (!rest.empty()) {
    size_t j = rest.find(',');
    if (j == std::string_view::npos) j = rest.size();
    const std::string_view field = rest.substr(0, j);
    rest = j < rest.size() ? rest.substr(j + 1) : std::string_view();
    const size_t eq = field.find('=');
    double v;
    if (eq == std::string_view::npos || !parse_number(field.substr(eq + 1), &v))
      return *error = "--optimizer: '" + std::string(field.substr(0, 40)) + "' is not key=number", false;
    const std::string_view key = field.substr(0, eq);
    if (key == "lr") o.lr = v;
    else if (key == "momentum" && o.kind == Optimizer::Kind::Sgd) o.momentum = v;
    else if (key == "beta1" && o.kind == Optimizer::Kind::Adam) o.beta1 = v;
    else if (key == "beta2" && o.kind == Optimizer::Kind::Adam) o.beta2 = v;
    else if (key == "eps" && o.kind == Optimizer::Kind::Adam) o.eps = v;
    else return *error = "--optimizer: unknown key '" + std::string(key.substr(0, 20)) + "' for this optimizer", false;
  }
  if (!(o.lr > 0) || o.lr > 1e6) return *error = "--optimizer: lr must be > 0 (and at most 1e6)", false;
  if (!(o.momentum >= 0 && o.momentum < 1)) return *error = "--optimizer: momentum must be in [0, 1)", false;
  if (!(o.beta1 >= 0 && o.beta1 < 1) || !(o.beta2 >= 0 && o.beta2 < 1))
    return *error = "--optimizer: beta1 and beta2 must be in [0, 1)", false;
  if (!(o.eps > 0) || o.eps > 1) return *error = "--optimizer: eps must be in (0, 1]", false;
  *out = o;
  return true;
}

namespace {
const char* kLossWeightError = "--loss-weight takes a number from 1e-12 to 1 (the loss is multiplied by it)";
bool loss_weight_ok(double w) { return w >= kMinLossWeight && w <= 1; }
}  // namespace

bool parse_loss_weight(std::string_view text, double* out, std::string* error) {
  double v;
  if (!parse_number(text, &v) || !loss_weight_ok(v)) return *error = kLossWeightError, false;
  *out = v;
  return true;
}

std::string loss_weight_name(double w) { return shown(w); }

uint64_t estimate_memory(const TrainSpec& spec, const Dataset& data) {
  const uint64_t batch = std::min<uint64_t>(spec.batch, data.train_size() ? data.train_size() : 1);
  // A step's pass holds the batch; a probe's (evaluation slices, predict,
  // batch_gradient) about as many rows as the panel's decision-region slice.
  constexpr uint64_t kProbeRows = 384;
  const uint64_t n = std::max<uint64_t>(batch, 256);
  uint64_t per_recipe = 0;
  size_t layers = spec.model.sizes.size() ? spec.model.sizes.size() - 1 : 0;
  for (size_t l = 0; l < layers; ++l) {
    const uint64_t in = spec.model.sizes[l], out = spec.model.sizes[l + 1];
    per_recipe += 10 * (in * out + out) * 4;                // p, comp, m, v, wc, bc, wct, g (step and probe)
    per_recipe += (n + kProbeRows) * (2 * in + 5 * out) * 4;  // x, xt, z, dz, dzt, dz32 + activations
  }
  const uint64_t train_n = spec.train_limit ? std::min<uint64_t>(spec.train_limit, data.train_size()) : data.train_size();
  const uint64_t steps = (train_n + batch - 1) / std::max<uint64_t>(batch, 1) * spec.epochs;
  const uint64_t results = steps * (8 * (2 + 2 * layers) + 8) + spec.epochs * 3 * 8;
  return spec.recipes.size() * (per_recipe + results) + n * 10 * 8;
}

bool validate(const TrainSpec& spec, const Dataset& data, std::string* error) {
  const Model& m = spec.model;
  if (m.sizes.size() < 2) return *error = "--model needs at least an input and an output width", false;
  if (m.sizes.front() != data.features || m.sizes.back() != data.classes) {
    *error = "--model must start with the data's " + std::to_string(data.features) + " features and end with its " +
             std::to_string(data.classes) + " classes (e.g. " + std::to_string(data.features) + "-32-" +
             std::to_string(data.classes) + ")";
    return false;
  }
  if (!loss_weight_ok(spec.loss_weight)) return *error = kLossWeightError, false;
  if (spec.recipes.empty()) return *error = "--recipes needs at least one recipe", false;
  if (spec.recipes.size() > sim::kMaxStrategies)
    return *error = "--recipes: at most " + std::to_string(sim::kMaxStrategies) + " recipes", false;
  if (spec.epochs < 1 || spec.epochs > kMaxEpochs)
    return *error = "--epochs must be 1 to " + std::to_string(kMaxEpochs), false;
  const uint64_t train_n = spec.train_limit ? std::min<uint64_t>(spec.train_limit, data.train_size()) : data.train_size();
  if (spec.batch < 1 || spec.batch > train_n)
    return *error = "--batch must be 1 to the training set's size (" + std::to_string(train_n) + ")", false;
  const uint64_t bytes = estimate_memory(spec, data);
  if (bytes > sim::kMemoryBudget) {
    // (The budget itself is left out: it differs natively and in wasm, the message must not.)
    *error = "this run needs about " + std::to_string(bytes >> 20) +
             " MiB, over the memory budget: use a smaller model, fewer epochs or fewer recipes";
    return false;
  }
  // Work bound: multiply-adds of all recipes over the run, so nothing runs for days.
  const uint64_t macs = 3 * m.parameters() * train_n * spec.epochs * spec.recipes.size();
  constexpr uint64_t kMaxWork = uint64_t{1} << 42;
  if (macs > kMaxWork) return *error = "this run is too long (over 4e12 multiply-adds): fewer epochs or a smaller model", false;
  return true;
}

}  // namespace mantissa::train
