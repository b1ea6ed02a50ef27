#include "sim/accumulator.h"

#include "core/json.h"
#include "core/rounding.h"

namespace mantissa::sim {

bool parse_accumulate_strategy(std::string_view name, AccumulateStrategy* out, std::string* error) {
  if (name == "rne") return *out = AccumulateStrategy::Rne, true;
  if (name == "sr" || name == "stochastic") return *out = AccumulateStrategy::Stochastic, true;
  if (name == "kahan") return *out = AccumulateStrategy::Kahan, true;
  *error = "unknown strategy '" + std::string(name.substr(0, 40)) + "' (expected rne, sr or kahan)";
  return false;
}

const char* accumulate_strategy_name(AccumulateStrategy s) {
  switch (s) {
    case AccumulateStrategy::Rne:
      return "rne";
    case AccumulateStrategy::Stochastic:
      return "sr";
    case AccumulateStrategy::Kahan:
      return "kahan";
  }
  return "?";
}

Accumulator::Accumulator(const Format& format, const Format& inc_format, AccumulateStrategy strategy,
                         const ExactValue& w0, uint64_t seed)
    : format_(format), inc_format_(inc_format), strategy_(strategy), seed_(seed) {
  bits_ = round_exact(format_, w0, RoundingOptions{}).bits;
  w_ = to_double(format_, bits_);
}

bool Accumulator::add(const ExactValue& increment, std::string* error) {
  if (!increment.is_finite()) {
    *error = "increment " + std::to_string(steps_ + 1) + " is " + increment.to_string() +
             "; increments must be finite";
    return false;
  }
  const uint64_t stored_bits = round_exact(inc_format_, increment, RoundingOptions{}).bits;
  const double inc = to_double(inc_format_, stored_bits);
  const uint64_t old = bits_;
  RoundingOptions opt;
  switch (strategy_) {
    case AccumulateStrategy::Rne:
      bits_ = round_sum(format_, w_, inc, opt).bits;
      break;
    case AccumulateStrategy::Stochastic:
      opt.mode = RoundingMode::Stochastic;
      opt.seed = seed_;
      opt.counter = steps_;
      bits_ = round_sum(format_, w_, inc, opt).bits;
      break;
    case AccumulateStrategy::Kahan: {
      // Compensation in the weight's format, every operation rounded RNE.
      const double y = to_double(format_, round_sum(format_, inc, -c_, opt).bits);
      bits_ = round_sum(format_, w_, y, opt).bits;
      const double t = to_double(format_, bits_);
      const double tw = to_double(format_, round_sum(format_, t, -w_, opt).bits);
      c_ = to_double(format_, round_sum(format_, tw, -y, opt).bits);
      break;
    }
  }
  w_ = to_double(format_, bits_);
  ++steps_;
  underflowed_ += inc == 0 && !increment.is_zero();
  if (bits_ != old) {
    last_change_ = steps_;
  } else if (inc != 0) {
    ++lost_;
  }
  return true;
}

std::string Accumulator::json() const {
  JsonWriter w;
  w.begin_object();
  w.field("format", format_.name);
  w.field("inc_format", inc_format_.name);
  w.field("strategy", accumulate_strategy_name(strategy_));
  w.field("steps", steps_);
  w.field("final", value().to_string());
  w.field("final_bits", hex_bits(format_, bits_));
  w.field("last_change_step", last_change_);
  w.field("lost_updates", lost_);
  w.field("underflowed", underflowed_);
  w.end_object();
  return w.str();
}

std::string Accumulator::text() const {
  std::string out;
  out +=
      "final          " + value().to_string() + " (" + format_.name + " " + hex_bits(format_, bits_) + ")\n";
  out += "steps          " + std::to_string(steps_) + " (increments stored in " + inc_format_.name +
         ", strategy " + accumulate_strategy_name(strategy_) + ")\n";
  out += "last change    " + (last_change_ ? "step " + std::to_string(last_change_) : std::string("never")) +
         "\n";
  out += "lost updates   " + std::to_string(lost_) + "\n";
  out += "underflowed    " + std::to_string(underflowed_) + "\n";
  return out;
}

}  // namespace mantissa::sim
