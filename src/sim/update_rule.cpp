#include "sim/update_rule.h"

#include "core/rounding.h"

namespace mantissa::sim {

uint64_t apply_update(const StrategySpec& st, Weight* wt, double inc, uint64_t seed, uint64_t counter) {
  const Format& f = st.format;
  RoundingOptions opt;
  switch (st.kind) {
    case StrategySpec::Kind::Stochastic: {
      opt.mode = RoundingMode::Stochastic;
      opt.seed = seed;
      opt.counter = counter;
      const uint64_t bits = round_sum(f, wt->w, inc, opt).bits;
      wt->w = to_double(f, bits);
      return bits;
    }
    case StrategySpec::Kind::Kahan: {
      // y = inc - c; t = w + y; c = (t - w) - y; w = t: every operation rounded RNE into F.
      const double y = to_double(f, round_sum(f, inc, -wt->c, opt).bits);
      const uint64_t t_bits = round_sum(f, wt->w, y, opt).bits;
      const double t = to_double(f, t_bits);
      const double tw = to_double(f, round_sum(f, t, -wt->w, opt).bits);
      wt->c = to_double(f, round_sum(f, tw, -y, opt).bits);
      wt->w = t;
      return t_bits;
    }
    default: {
      const uint64_t bits = round_sum(f, wt->w, inc, opt).bits;
      wt->w = to_double(f, bits);
      return bits;
    }
  }
}

}  // namespace mantissa::sim
