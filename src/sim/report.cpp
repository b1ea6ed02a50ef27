#include "sim/report.h"

#include <cstdio>

#include "core/json.h"
#include "core/value.h"

namespace mantissa::sim {

namespace {

void series_json(JsonWriter& w, const std::string& name, const Series& s) {
  w.key(name).begin_array();
  for (double v : s.last) w.value(v);
  w.end_array();
  if (s.bucket > 1) {
    w.key(name + "_min").begin_array();
    for (double v : s.min) w.value(v);
    w.end_array();
    w.key(name + "_max").begin_array();
    for (double v : s.max) w.value(v);
    w.end_array();
  }
}

const char* loss_scale_kind(const LossScale& ls) {
  switch (ls.kind) {
    case LossScale::Kind::Static:
      return "static";
    case LossScale::Kind::Dynamic:
      return "dynamic";
    default:
      return "none";
  }
}

void strategy_json(JsonWriter& w, const StrategyResult& r, bool population, bool is_reference,
                   const ReportOptions& opt) {
  w.begin_object();
  w.field("format", r.spec.format.name);
  if (population) {
    w.field("mean_final", r.mean_value);
  } else {
    w.field("final", r.final_exact());
    w.field("final_bits", r.final_hex());
  }
  w.field("lost_updates", r.lost_updates);
  w.field("underflowed", r.underflowed);
  w.field("skipped", r.skipped);
  if (!is_reference) {
    w.field("max_abs_error", r.max_abs_error.exact());
    w.field(population ? "max_abs_error_weight" : "max_abs_error_step", r.max_abs_error.step);
  }
  if (r.spec.kind == StrategySpec::Kind::LossScaled) {
    w.field("loss_scale", loss_scale_kind(r.spec.loss_scale));
    w.field("initial_scale", Decimal::pow2(r.spec.loss_scale.log2_scale).to_plain());
    w.field("final_scale", Decimal::pow2(r.log2_scale).to_plain());
  }
  if (population && !is_reference) {
    w.field("mean_rel_error", r.mean_rel_error);
    w.field("max_rel_error", r.max_rel_error);
    const Histogram& h = r.rel_error_histogram;
    w.key("rel_error_histogram").begin_object();
    w.field("min_exp10", Histogram::kMinExp10);
    w.field("max_exp10", Histogram::kMaxExp10);
    w.field("bins_per_decade", Histogram::kBinsPerDecade);
    w.key("counts").begin_array();
    for (uint64_t c : h.counts) w.value(c);
    w.end_array();
    w.field("zero", h.zero);
    w.field("below", h.below);
    w.field("above", h.above);
    w.field("nonfinite", h.nonfinite);
    w.end_object();
  }
  if (opt.trajectory) {
    const Series& main = population ? r.lost_fraction : r.trajectory;
    w.field("trajectory_bucket", main.bucket);
    if (population) {
      series_json(w, "lost_fraction", r.lost_fraction);
    } else {
      series_json(w, "trajectory", r.trajectory);
      if (!is_reference) {
        series_json(w, "abs_error", r.abs_error);
        series_json(w, "rel_error", r.rel_error);
      }
    }
    if (r.spec.kind == StrategySpec::Kind::LossScaled) series_json(w, "scale", r.scale);
  }
  w.end_object();
}

std::string pad(const std::string& s, size_t n) {
  return s.size() >= n ? s + " " : s + std::string(n - s.size(), ' ');
}

}  // namespace

std::string simulation_json(const Simulation& sim, const ReportOptions& opt) {
  const SimulationResults& r = sim.results();
  const Setup& s = sim.setup();
  JsonWriter w;
  w.begin_object();
  w.field("steps", r.steps);
  w.field("steps_done", r.steps_done);
  w.field("cancelled", sim.cancelled());
  w.field("w0", s.w0.to_string());
  w.field("grad_format", s.grad_format.name);
  w.field("reference_increments", s.reference == Setup::Reference::Stored ? "stored" : "exact");
  if (r.constant_increment) {
    w.key("increment").begin_object();
    w.field("value", s.increments.constant.to_string());
    w.field("stored", exact_value(s.grad_format, r.increment_bits).to_string());
    w.field("stored_bits", hex_bits(s.grad_format, r.increment_bits));
    w.end_object();
  }
  w.field("underflowed", r.stream_underflowed);
  if (r.population) {
    w.field("population", r.population_size);
    w.field("kernel", r.kernel);
  }
  w.key("reference");
  strategy_json(w, r.reference, r.population, true, opt);
  w.key("strategies").begin_object();
  for (const StrategyResult& x : r.strategies) {
    w.key(x.spec.name);
    strategy_json(w, x, r.population, false, opt);
  }
  w.end_object();
  w.end_object();
  return w.str();
}

std::string simulation_text(const Simulation& sim, const ReportOptions& opt) {
  const SimulationResults& r = sim.results();
  const Setup& s = sim.setup();
  std::string out = "w0 = " + s.w0.to_string();
  if (r.constant_increment) {
    out += ", increment " + s.increments.constant.to_string() + " stored in " + s.grad_format.name + " as " +
           exact_value(s.grad_format, r.increment_bits).to_string() + " (" +
           hex_bits(s.grad_format, r.increment_bits) + ")";
  } else {
    out += ", increments stored in " + s.grad_format.name;
  }
  out += ", " + std::to_string(r.steps_done) +
         (r.steps_done == r.steps ? "" : " of " + std::to_string(r.steps)) + " steps";
  if (r.population)
    out += ", population " + std::to_string(r.population_size) + " (kernels: " + r.kernel + ")";
  out += sim.cancelled() ? " (cancelled)\n" : "\n";
  if (r.stream_underflowed)
    out += "increments that underflowed to 0 in " + s.grad_format.name + ": " +
           std::to_string(r.stream_underflowed) + "\n";
  out += "\n";
  if (!r.population) {
    out += pad("strategy", 24) + pad("final (exact)", 34) + pad("bits", 20) + pad("lost", 9) +
           pad("underflowed", 12) + pad("skipped", 8) + "max |error| vs fp64\n";
    auto row = [&](const StrategyResult& x, bool ref) {
      out += pad(ref ? "fp64 (reference)" : x.spec.name, 24) + pad(x.final_exact(), 34) +
             pad(x.final_hex(), 20) + pad(std::to_string(x.lost_updates), 9) +
             pad(std::to_string(x.underflowed), 12) + pad(std::to_string(x.skipped), 8) +
             (ref ? "-" : x.max_abs_error.exact()) + "\n";
    };
    row(r.reference, true);
    for (const StrategyResult& x : r.strategies) row(x, false);
  } else {
    out += pad("strategy", 24) + pad("mean final", 26) + pad("lost (all weights)", 20) +
           pad("underflowed", 12) + pad("skipped", 8) + pad("mean rel error", 16) + "max |error| vs fp64\n";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", r.reference.mean_value);
    out += pad("fp64 (reference)", 24) + buf + "\n";
    for (const StrategyResult& x : r.strategies) {
      std::snprintf(buf, sizeof buf, "%.17g", x.mean_value);
      char rel[32];
      std::snprintf(rel, sizeof rel, "%.3g", x.mean_rel_error);
      out += pad(x.spec.name, 24) + pad(buf, 26) + pad(std::to_string(x.lost_updates), 20) +
             pad(std::to_string(x.underflowed), 12) + pad(std::to_string(x.skipped), 8) + pad(rel, 16) +
             x.max_abs_error.exact() + "\n";
    }
  }
  for (const StrategyResult& x : r.strategies) {
    if (x.spec.kind == StrategySpec::Kind::LossScaled) {
      out += "\n" + x.spec.name + ": scale " + Decimal::pow2(x.spec.loss_scale.log2_scale).to_plain() +
             " -> " + Decimal::pow2(x.log2_scale).to_plain() + ", " + std::to_string(x.skipped) +
             " steps skipped\n";
    }
  }
  if (opt.trajectory && !r.population) {
    out += "\nstep";
    out += "  fp64";
    for (const StrategyResult& x : r.strategies) out += "  " + x.spec.name;
    out += "\n";
    const Series& t = r.reference.trajectory;
    for (size_t i = 0; i < t.points(); ++i) {
      out += std::to_string(t.last_step_of(i));
      char buf[80];
      std::snprintf(buf, sizeof buf, "  %.17g", t.last[i]);
      out += buf;
      for (const StrategyResult& x : r.strategies) {
        std::snprintf(buf, sizeof buf, "  %.17g", x.trajectory.last[i]);
        out += buf;
      }
      out += "\n";
    }
  }
  return out;
}

std::string simulation_csv(const Simulation& sim) {
  const SimulationResults& r = sim.results();
  std::string out = "step";
  char buf[80];
  if (r.population) {
    for (const StrategyResult& x : r.strategies) out += "," + x.spec.name + "_lost_fraction";
    out += "\n";
    if (r.strategies.empty()) return out;
    const Series& first = r.strategies[0].lost_fraction;
    for (size_t i = 0; i < first.points(); ++i) {
      out += std::to_string(first.last_step_of(i));
      for (const StrategyResult& x : r.strategies) {
        std::snprintf(buf, sizeof buf, ",%.17g", x.lost_fraction.last[i]);
        out += buf;
      }
      out += "\n";
    }
    return out;
  }
  const Series& t = r.reference.trajectory;
  const bool env = t.bucket > 1;
  auto cols = [&](const std::string& name) {
    out += "," + name;
    if (env) out += "," + name + "_min," + name + "_max";
  };
  cols("fp64");
  for (const StrategyResult& x : r.strategies) cols(x.spec.name);
  out += "\n";
  auto cell = [&](const Series& s, size_t i) {
    std::snprintf(buf, sizeof buf, ",%.17g", s.last[i]);
    out += buf;
    if (env) {
      std::snprintf(buf, sizeof buf, ",%.17g,%.17g", s.min[i], s.max[i]);
      out += buf;
    }
  };
  for (size_t i = 0; i < t.points(); ++i) {
    out += std::to_string(t.last_step_of(i));
    cell(t, i);
    for (const StrategyResult& x : r.strategies) cell(x.trajectory, i);
    out += "\n";
  }
  return out;
}

}  // namespace mantissa::sim
