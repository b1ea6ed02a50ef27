// train_json / train_csv / train_text: what `mantissa train` prints and the
// JS API's m.train returns.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <type_traits>
#include <utility>

#include "core/json.h"
#include "core/rounding.h"
#include "train/network.h"

namespace mantissa::train {

namespace {

const char* update_name(sim::StrategySpec::Kind k) {
  switch (k) {
    case sim::StrategySpec::Kind::Kahan: return "kahan";
    case sim::StrategySpec::Kind::Stochastic: return "sr";
    default: return "rne";
  }
}

template <typename T>
void array(JsonWriter& w, std::string_view key, const std::vector<T>& v) {
  w.key(key).begin_array();
  for (const T& x : v) {
    if constexpr (std::is_same_v<T, uint8_t>) w.value(x != 0);
    else if constexpr (std::is_same_v<T, int>) w.value(static_cast<int64_t>(x));
    else w.value(x);
  }
  w.end_array();
}

double largest(const std::vector<std::vector<double>>& per_layer) {
  double m = 0;
  for (const auto& l : per_layer)
    for (double x : l) m = std::max(m, x);
  return m;
}

double last_or_nan(const std::vector<double>& v) { return v.empty() ? NAN : v.back(); }

}  // namespace

std::string train_json(const Training& t) {
  const TrainSpec& s = t.spec();
  const TrainResults& r = t.results();
  JsonWriter w;
  w.begin_object();
  w.field("data", s.data).field("model", s.model.name()).field("optimizer", s.optimizer.name());
  w.field("loss_weight", s.loss_weight);
  w.field("epochs", s.epochs).field("batch", s.batch).field("seed", s.seed);
  w.field("train_size", static_cast<uint64_t>(r.train_size)).field("test_size", static_cast<uint64_t>(r.test_size));
  w.field("steps", r.steps).field("steps_done", r.steps_done).field("steps_per_epoch", r.steps_per_epoch);
  w.field("dot_kernel", r.dot_kernel);
  w.key("recipes").begin_array();
  for (const RecipeResult& rr : r.recipes) {
    const Recipe& rc = rr.recipe;
    w.begin_object();
    w.field("name", rc.name).field("weights", rc.weights.name).field("activations", rc.activations.name);
    w.field("gradients", rc.gradients.name).field("accumulator", rc.acc.name).field("master", rc.master);
    w.field("update", update_name(rc.update));
    w.field("loss_scale", rc.loss_scale.kind == sim::LossScale::Kind::Dynamic ? "dynamic" : "none");
    w.field("fp8_scaling", rc.fp8_scaling);
    w.field("final_loss", last_or_nan(rr.loss)).field("final_test_accuracy", last_or_nan(rr.test_accuracy));
    w.field("skipped_steps", rr.skipped_steps);
    w.key("steps").begin_object();
    array(w, "loss", rr.loss);
    array(w, "accuracy", rr.accuracy);
    array(w, "log2_scale", rr.log2_scale);
    array(w, "skipped", rr.skipped);
    for (const auto& [key, per_layer] : {std::pair{"lost", &rr.lost}, std::pair{"underflow", &rr.underflow}}) {
      w.key(key).begin_array();
      for (const auto& l : *per_layer) {
        w.begin_array();
        for (double x : l) w.value(x);
        w.end_array();
      }
      w.end_array();
    }
    w.end_object();
    w.key("epochs").begin_object();
    array(w, "train_accuracy", rr.train_accuracy);
    array(w, "test_accuracy", rr.test_accuracy);
    array(w, "test_loss", rr.test_loss);
    w.end_object();
    w.key("weight_histogram").begin_array();
    for (const WeightHistogram& h : rr.histogram) {
      w.begin_object();
      w.field("min_exp", static_cast<int64_t>(WeightHistogram::kMinExp));
      array(w, "counts", h.counts);
      w.field("zero", h.zero).field("nonfinite", h.nonfinite);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string train_csv(const Training& t) {
  const TrainResults& r = t.results();
  const size_t layers = t.spec().model.sizes.size() - 1;
  std::string out = "recipe,step,epoch,loss,accuracy,log2_scale,skipped";
  for (size_t l = 0; l < layers; ++l) out += ",lost_" + std::to_string(l) + ",underflow_" + std::to_string(l);
  out += "\n";
  char buf[64];
  for (const RecipeResult& rr : r.recipes) {
    for (size_t i = 0; i < rr.loss.size(); ++i) {
      out += rr.recipe.name + "," + std::to_string(i + 1) + "," + std::to_string(i / r.steps_per_epoch + 1);
      std::snprintf(buf, sizeof buf, ",%.17g,%.17g,%d,%d", rr.loss[i], rr.accuracy[i], rr.log2_scale[i],
                    static_cast<int>(rr.skipped[i]));
      out += buf;
      for (size_t l = 0; l < layers; ++l) {
        std::snprintf(buf, sizeof buf, ",%.17g,%.17g", rr.lost[l][i], rr.underflow[l][i]);
        out += buf;
      }
      out += "\n";
    }
  }
  return out;
}

std::string train_text(const Training& t) {
  const TrainSpec& s = t.spec();
  const TrainResults& r = t.results();
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s, model %s, %s, %llu epoch(s) of %llu steps (batch %llu), seed %llu\n",
                s.data.c_str(), s.model.name().c_str(), s.optimizer.name().c_str(),
                static_cast<unsigned long long>(s.epochs), static_cast<unsigned long long>(r.steps_per_epoch),
                static_cast<unsigned long long>(s.batch), static_cast<unsigned long long>(s.seed));
  std::string out = buf;
  if (s.loss_weight != 1) out += "loss weight " + loss_weight_name(s.loss_weight) + "\n";
  out += "recipe                final loss  test acc  skipped  max lost/layer  max underflow/layer\n";
  for (const RecipeResult& rr : r.recipes) {
    const double lost = largest(rr.lost), under = largest(rr.underflow);
    std::snprintf(buf, sizeof buf, "%-20s  %10.4f  %7.2f%%  %7llu  %13.1f%%  %18.1f%%\n", rr.recipe.name.c_str(),
                  last_or_nan(rr.loss), 100 * last_or_nan(rr.test_accuracy),
                  static_cast<unsigned long long>(rr.skipped_steps), 100 * lost, 100 * under);
    out += buf;
  }
  return out;
}

}  // namespace mantissa::train
