// `simulate`'s options: the simulation setup they describe, validated (the CLI's
// `mantissa simulate`, the JS API's simulate() and the Training panel).
#include <string>
#include <vector>

#include "core/parse.h"
#include "requests/requests.h"
#include "sim/simulation.h"

namespace mantissa {

namespace {

bool parse_exact(const std::string& flag, const std::string& text, ExactValue* out, std::string* error) {
  ParsedValue parsed;
  std::string why;
  if (!parse_value(text, &parsed, &why) || !resolve_value(parsed, nullptr, out, &why)) {
    *error = flag + ": " + why;
    return false;
  }
  return true;
}

bool parse_double(const std::string& flag, const std::string& text, double* out, std::string* error) {
  ExactValue v;
  if (!parse_exact(flag, text, &v, error)) return false;
  if (!v.is_finite()) return *error = flag + " must be finite, not " + v.to_string(), false;
  *out = to_double(fp64(), round_exact(fp64(), v, RoundingOptions{}).bits);
  return true;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    parts.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// "normal:A:B" / "uniform:A:B" into a kind and two doubles.
bool parse_distribution(const std::string& flag, const std::string& text, bool allow_uniform, bool* uniform,
                        double* a, double* b, std::string* error) {
  const std::vector<std::string> parts = split(text, ':');
  const bool is_normal = parts.size() == 3 && parts[0] == "normal";
  const bool is_uniform = allow_uniform && parts.size() == 3 && parts[0] == "uniform";
  if (!is_normal && !is_uniform) {
    *error = flag + " takes normal:MEAN:STD" + std::string(allow_uniform ? " or uniform:LOW:HIGH" : "") +
             ", not '" + text.substr(0, 40) + "'";
    return false;
  }
  *uniform = is_uniform;
  return parse_double(flag, parts[1], a, error) && parse_double(flag, parts[2], b, error);
}

}  // namespace

bool simulate_setup_from_args(const requests::Args& args, sim::Setup* out, std::string* error) {
  sim::Setup s;
  s.w0 = ExactValue::finite(Decimal());
  if (auto v = args.value("--w0")) {
    if (!parse_exact("--w0", *v, &s.w0, error)) return false;
  }
  if (!args.has("--steps")) return *error = "simulate needs --steps N", false;
  if (!args.uint("--steps", &s.steps, error)) return false;
  if (args.has("--seed") && !args.uint("--seed", &s.seed, error)) return false;
  if (args.has("--grad-format") && !args.format("--grad-format", &s.grad_format, error)) return false;
  const bool has_inc = args.has("--inc"), has_grad = args.has("--grad");
  if (has_inc == has_grad)
    return *error = "simulate needs exactly one of --inc X and --grad normal:MEAN:STD", false;
  if (args.has("--lr") && !has_grad)
    return *error = "--lr scales --grad; with --inc, give the increment itself", false;
  if (has_inc) {
    const std::vector<std::string> items = split(*args.value("--inc"), ',');
    if (items.size() == 1) {
      s.increments.kind = sim::IncrementStream::Kind::Constant;
      if (!parse_exact("--inc", items[0], &s.increments.constant, error)) return false;
    } else {
      s.increments.kind = sim::IncrementStream::Kind::List;
      if (items.size() > sim::kMaxListLength) {
        return *error = "--inc lists at most " + std::to_string(sim::kMaxListLength) + " increments", false;
      }
      for (const std::string& item : items) {
        ExactValue v;
        if (!parse_exact("--inc", item, &v, error)) return false;
        s.increments.list.push_back(v);
      }
    }
  } else {
    s.increments.kind = sim::IncrementStream::Kind::Gaussian;
    bool uniform = false;
    if (!parse_distribution("--grad", *args.value("--grad"), false, &uniform, &s.increments.mean,
                            &s.increments.stddev, error)) {
      return false;
    }
    if (auto v = args.value("--lr")) {
      if (!parse_double("--lr", *v, &s.increments.lr, error)) return false;
    }
  }
  std::vector<std::string> names = {"fp64",     "fp32-master", "fp16",    "bf16",       "fp8-e4m3",
                                    "fp8-e5m2", "fp16-sr",     "bf16-sr", "fp16-kahan", "bf16-kahan"};
  if (auto v = args.value("--strategies")) names = split(*v, ',');
  for (const std::string& name : names) {
    sim::StrategySpec st;
    if (!sim::parse_strategy(name, &st, error)) return false;
    s.strategies.push_back(st);
  }
  if (auto v = args.value("--loss-scale")) {
    sim::StrategySpec st;
    if (!sim::parse_loss_scale(*v, &st, error)) return false;
    s.strategies.push_back(st);
  }
  if (args.has("--population")) {
    s.population_mode = true;
    if (!args.uint("--population", &s.population, error)) return false;
  }
  if (auto v = args.value("--init")) {
    if (!s.population_mode)
      return *error = "--init draws the population's weights; it needs --population P", false;
    bool uniform = false;
    if (!parse_distribution("--init", *v, true, &uniform, &s.initial.a, &s.initial.b, error)) return false;
    s.initial.kind = uniform ? sim::InitialWeights::Kind::Uniform : sim::InitialWeights::Kind::Normal;
  }
  if (auto v = args.value("--reference")) {
    if (*v == "stored") {
      s.reference = sim::Setup::Reference::Stored;
    } else if (*v == "exact") {
      s.reference = sim::Setup::Reference::Exact;
    } else {
      return *error = "--reference takes stored or exact, not '" + v->substr(0, 40) + "'", false;
    }
  }
  *out = s;
  return true;
}

requests::Args simulate_args() {
  return requests::Args({"--w0", "--inc", "--steps", "--strategies", "--grad-format", "--lr", "--grad",
                         "--seed", "--population", "--init", "--loss-scale", "--reference"},
                        {"--trajectory", "--json", "--csv", "--help"});
}

}  // namespace mantissa
