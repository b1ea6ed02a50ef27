#include "sim/setup.h"

#include <cmath>
#include <set>

#include "core/parse.h"

namespace mantissa::sim {

namespace {

constexpr std::string_view kMaster = "fp32-master";
constexpr std::string_view kLsStatic = "+ls-static";
constexpr std::string_view kLsDynamic = "+ls-dynamic";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A scale written as a decimal that must be a power of two 2^k (so scaling
// and unscaling are exact, as GradScaler's scales always are).
bool parse_power_of_two_scale(std::string_view text, int* log2_scale, std::string* error) {
  ParsedValue parsed;
  ExactValue v;
  std::string why;
  if (!parse_value(text, &parsed, &why) || !resolve_value(parsed, nullptr, &v, &why) || !v.is_finite() ||
      v.is_zero() || v.negative) {
    *error = "loss scale '" + std::string(text.substr(0, 40)) + "' is not a positive number";
    return false;
  }
  const int64_t k = v.value.binary_exponent();
  if (k < kMinLog2Scale || k > kMaxLog2Scale || !(Decimal::pow2(k) == v.value)) {
    *error = "loss scale '" + std::string(text.substr(0, 40)) +
             "' must be a power of two between 2^-126 and 2^127 (e.g. 65536), so that scaling is exact";
    return false;
  }
  *log2_scale = static_cast<int>(k);
  return true;
}

}  // namespace

bool parse_strategy(std::string_view name, StrategySpec* out, std::string* error) {
  StrategySpec s;
  const std::string shown(name.substr(0, 60));
  if (name.substr(0, kMaster.size()) == kMaster && name.size() > kMaster.size()) {
    std::string_view rest = name.substr(kMaster.size());
    std::string_view arg;
    if (size_t colon = rest.find(':'); colon != std::string_view::npos) {
      arg = rest.substr(colon + 1);
      rest = rest.substr(0, colon);
    }
    s.kind = StrategySpec::Kind::LossScaled;
    s.format = fp32();
    if (rest == kLsStatic) {
      s.loss_scale.kind = LossScale::Kind::Static;
    } else if (rest == kLsDynamic) {
      s.loss_scale.kind = LossScale::Kind::Dynamic;
    } else {
      *error = "unknown strategy '" + shown +
               "' (loss scaling is fp32-master+ls-static[:S] or fp32-master+ls-dynamic)";
      return false;
    }
    s.loss_scale.log2_scale = kDynamicInitialLog2Scale;
    if (!arg.empty() && !parse_power_of_two_scale(arg, &s.loss_scale.log2_scale, error)) return false;
    s.name = std::string(kMaster) + std::string(rest);
    *out = s;
    return true;
  }
  if (name == kMaster) {
    s.format = fp32();
    s.name = std::string(kMaster);
    *out = s;
    return true;
  }
  std::string_view fmt = name;
  std::string suffix;
  if (ends_with(name, "-sr")) {
    s.kind = StrategySpec::Kind::Stochastic;
    fmt = name.substr(0, name.size() - 3);
    suffix = "-sr";
  } else if (ends_with(name, "-kahan")) {
    s.kind = StrategySpec::Kind::Kahan;
    fmt = name.substr(0, name.size() - 6);
    suffix = "-kahan";
  }
  std::string why;
  if (!parse_format(fmt, &s.format, &why)) {
    *error = "unknown strategy '" + shown +
             "' (expected a format such as fp16, bf16, fp8-e4m3, fp64, optionally with -sr or -kahan; "
             "fp32-master; fp32-master+ls-static[:S]; fp32-master+ls-dynamic)";
    return false;
  }
  s.name =
      (s.format == fp32() && s.kind == StrategySpec::Kind::Plain ? std::string(kMaster) : s.format.name) +
      suffix;
  *out = s;
  return true;
}

bool parse_loss_scale(std::string_view text, StrategySpec* out, std::string* error) {
  if (text == "dynamic") return parse_strategy("fp32-master+ls-dynamic", out, error);
  if (text.substr(0, 7) == "static:") {
    return parse_strategy("fp32-master+ls-static:" + std::string(text.substr(7)), out, error);
  }
  *error = "--loss-scale takes static:S (S a power of two, e.g. static:65536) or dynamic, not '" +
           std::string(text.substr(0, 40)) + "'";
  return false;
}

const std::vector<std::string>& standard_strategy_names() {
  static const std::vector<std::string> names = {"fp64",
                                                 "fp32-master",
                                                 "fp16",
                                                 "bf16",
                                                 "fp8-e4m3",
                                                 "fp8-e5m2",
                                                 "fp16-sr",
                                                 "bf16-sr",
                                                 "fp16-kahan",
                                                 "bf16-kahan",
                                                 "fp32-master+ls-static",
                                                 "fp32-master+ls-dynamic"};
  return names;
}

// ---- Validation ------------------------------------------------------------

namespace {

bool finite_double(double x) { return std::isfinite(x); }

std::string mib(uint64_t bytes) { return std::to_string((bytes + (uint64_t{1} << 20) - 1) >> 20) + " MiB"; }

}  // namespace

bool validate(const Setup& s, std::string* error) {
  if (s.steps < 1) return *error = "steps must be at least 1", false;
  if (s.steps > kMaxSteps) {
    return *error = "steps " + std::to_string(s.steps) + " is over the limit of " + std::to_string(kMaxSteps),
           false;
  }
  if (!s.w0.is_finite())
    return *error = "the initial weight w0 must be finite, not " + s.w0.to_string(), false;
  if (s.strategies.empty()) return *error = "a scenario needs at least one strategy", false;
  if (s.strategies.size() > kMaxStrategies) {
    return *error = "at most " + std::to_string(kMaxStrategies) + " strategies per scenario, not " +
                    std::to_string(s.strategies.size()),
           false;
  }
  std::set<std::string> names;
  for (const StrategySpec& st : s.strategies) {
    if (!names.insert(st.name).second) return *error = "strategy '" + st.name + "' is listed twice", false;
  }
  const IncrementStream& inc = s.increments;
  switch (inc.kind) {
    case IncrementStream::Kind::Constant:
      if (!inc.constant.is_finite())
        return *error = "the increment must be finite, not " + inc.constant.to_string(), false;
      break;
    case IncrementStream::Kind::List:
      if (inc.list.empty()) return *error = "the increment list is empty", false;
      if (inc.list.size() > kMaxListLength) {
        return *error = "the increment list has " + std::to_string(inc.list.size()) +
                        " entries, over the limit of " + std::to_string(kMaxListLength),
               false;
      }
      for (size_t i = 0; i < inc.list.size(); ++i) {
        if (!inc.list[i].is_finite()) {
          return *error = "increment " + std::to_string(i + 1) + " of the list is " +
                          inc.list[i].to_string() + "; increments must be finite",
                 false;
        }
      }
      break;
    case IncrementStream::Kind::Gaussian:
      if (!finite_double(inc.lr) || !finite_double(inc.mean) || !finite_double(inc.stddev)) {
        return *error = "the learning rate and the gradient's mean and std must be finite", false;
      }
      if (inc.stddev < 0) return *error = "the gradient's std must not be negative", false;
      // Keeps lr * grad (and its TwoProduct error term) far from double overflow and underflow.
      for (double x : {inc.lr, inc.mean, inc.stddev}) {
        if (x != 0 && (std::fabs(x) > kMaxGaussianParameter || std::fabs(x) < 1 / kMaxGaussianParameter)) {
          return *error =
                     "the learning rate and the gradient's mean and std must be 0 or between 1e-30 and 1e30 "
                     "in magnitude",
                 false;
        }
      }
      break;
  }
  if (s.population_mode) {
    if (s.population < 1) return *error = "the population must have at least 1 weight", false;
    if (s.population > kMaxPopulation) {
      return *error = "population " + std::to_string(s.population) + " is over the limit of " +
                      std::to_string(kMaxPopulation),
             false;
    }
    if (s.population * s.steps > kMaxPopulationWork || s.population * s.steps / s.population != s.steps) {
      return *error = "population x steps = " + std::to_string(s.population) + " x " +
                      std::to_string(s.steps) + " is over the limit of " +
                      std::to_string(kMaxPopulationWork) + " weight updates",
             false;
    }
    if (!finite_double(s.initial.a) || !finite_double(s.initial.b) || std::fabs(s.initial.a) > 1e300 ||
        std::fabs(s.initial.b) > 1e300) {
      return *error = "the initial-weight distribution's parameters must be finite", false;
    }
    if (s.initial.kind == InitialWeights::Kind::Normal && s.initial.b < 0) {
      return *error = "the initial weights' std must not be negative", false;
    }
    if (s.initial.kind == InitialWeights::Kind::Uniform && s.initial.a > s.initial.b) {
      return *error = "the initial weights' uniform range needs low <= high", false;
    }
  }
  const uint64_t need = estimate_memory(s);
  if (need > kMemoryBudget) {
    *error = "this scenario needs about " + mib(need) + ", over the memory budget of " + mib(kMemoryBudget) +
             "; the largest allowed " + (s.population_mode ? "population" : "step count") +
             " with these settings is " + std::to_string(largest_allowed(s));
    return false;
  }
  return true;
}

// ---- Memory ----------------------------------------------------------------

namespace {

// Bytes of one per-step series: every step, or a 3-array envelope.
uint64_t series_bytes(uint64_t steps) {
  if (steps <= kTrajectoryPoints) return steps * sizeof(double);
  const uint64_t bucket = (steps + kTrajectoryPoints - 1) / kTrajectoryPoints;
  return 3 * ((steps + bucket - 1) / bucket) * sizeof(double);
}

}  // namespace

uint64_t estimate_memory(const Setup& s) {
  uint64_t total = 64 * 1024;  // fixed overhead
  if (s.increments.kind == IncrementStream::Kind::List) {
    uint64_t digits = 0;
    for (const ExactValue& v : s.increments.list) digits += v.is_finite() ? v.value.digit_count() : 0;
    total += s.increments.list.size() * (3 * sizeof(uint64_t) + 2 * sizeof(double) + 2 * sizeof(ExactValue)) +
             digits;
  }
  const uint64_t n = s.strategies.size() + 1;  // + the reference
  if (!s.population_mode) {
    // value, abs error, rel error per strategy; + the scale trace under loss scaling
    uint64_t series = 3 * n;
    for (const StrategySpec& st : s.strategies) series += st.kind == StrategySpec::Kind::LossScaled ? 1 : 0;
    return total + series * series_bytes(s.steps);
  }
  const uint64_t p = s.population;
  // Per step: stored increments (bits, fp32, fp64), raw increments (hi, lo) for loss scaling.
  total += p * (sizeof(uint64_t) + sizeof(float) + 3 * sizeof(double));
  total += p * sizeof(double);  // the reference weights
  total += p * sizeof(double);  // relative errors for the final histogram
  for (size_t i = 0; i < s.strategies.size(); ++i) {
    total += p * 2 * sizeof(double);     // weights + Kahan compensation (an upper bound for every strategy)
    total += 2 * series_bytes(s.steps);  // lost-update fraction, scale trace
  }
  return total;
}

uint64_t largest_allowed(const Setup& s) {
  Setup probe = s;
  uint64_t lo = 0, hi = s.population_mode ? s.population : s.steps;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    (s.population_mode ? probe.population : probe.steps) = mid;
    if (estimate_memory(probe) <= kMemoryBudget) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

Setup tutorial_setup(std::string_view inc, uint64_t steps, const std::vector<std::string>& strategies) {
  Setup s;
  s.w0 = ExactValue::finite(Decimal::from_digits("1125", -3));
  ParsedValue parsed;
  std::string error;
  if (parse_value(inc, &parsed, &error)) resolve_value(parsed, nullptr, &s.increments.constant, &error);
  s.steps = steps;
  for (const std::string& name : strategies) {
    StrategySpec st;
    if (parse_strategy(name, &st, &error)) s.strategies.push_back(st);
  }
  return s;
}

}  // namespace mantissa::sim
