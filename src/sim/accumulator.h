// `mantissa accumulate`'s engine: a weight in format F receiving a stream of
// increments one at a time, each first rounded (correctly, from its exact
// decimal) into the increment format G, then added with a strategy.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/format.h"
#include "core/value.h"

namespace mantissa::sim {

enum class AccumulateStrategy { Rne, Stochastic, Kahan };
bool parse_accumulate_strategy(std::string_view name, AccumulateStrategy* out,
                               std::string* error);  // rne|sr|kahan
const char* accumulate_strategy_name(AccumulateStrategy s);

class Accumulator {
 public:
  // w0 is rounded into `format` (RNE). Stochastic rounding uses counter = step index (0-based).
  Accumulator(const Format& format, const Format& inc_format, AccumulateStrategy strategy,
              const ExactValue& w0, uint64_t seed);

  // Adds one increment; false (state unchanged) when it is NaN or infinite.
  bool add(const ExactValue& increment, std::string* error);

  const Format& format() const { return format_; }
  uint64_t bits() const { return bits_; }
  ExactValue value() const { return exact_value(format_, bits_); }
  uint64_t steps() const { return steps_; }
  uint64_t last_change_step() const { return last_change_; }  // 1-based; 0 if the weight never changed
  uint64_t lost_updates() const { return lost_; }             // non-zero stored increment, weight unchanged
  uint64_t underflowed() const { return underflowed_; }       // non-zero increment stored as zero in G

  std::string json() const;
  std::string text() const;

 private:
  Format format_, inc_format_;
  AccumulateStrategy strategy_;
  uint64_t seed_;
  uint64_t bits_ = 0;
  double w_ = 0, c_ = 0;
  uint64_t steps_ = 0, last_change_ = 0, lost_ = 0, underflowed_ = 0;
};

}  // namespace mantissa::sim
