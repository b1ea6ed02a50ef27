#include "sim/simulation.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>

#include "core/rounding.h"
#include "core/value.h"
#include "kernels/accumulate.h"
#include "sim/random.h"
#include "sim/update_rule.h"

namespace mantissa::sim {

// ---- Series, Histogram, MaxError ------------------------------------------------

void Series::reset(uint64_t steps) {
  bucket = steps <= kTrajectoryPoints ? 1 : (steps + kTrajectoryPoints - 1) / kTrajectoryPoints;
  count = 0;
  const uint64_t points = (steps + bucket - 1) / bucket;
  last.clear();
  min.clear();
  max.clear();
  last.reserve(points);
  if (bucket > 1) {
    min.reserve(points);
    max.reserve(points);
  }
}

void Series::push(double v) {
  if (count % bucket == 0) {
    last.push_back(v);
    if (bucket > 1) {
      min.push_back(v);
      max.push_back(v);
    }
  } else {
    last.back() = v;
    // A NaN anywhere in the bucket makes its envelope NaN: nothing is hidden.
    double& lo = min.back();
    double& hi = max.back();
    if (std::isnan(v) || v < lo) lo = std::isnan(lo) ? lo : v;
    if (std::isnan(v) || v > hi) hi = std::isnan(hi) ? hi : v;
  }
  ++count;
}

uint64_t Series::last_step_of(size_t i) const {
  const uint64_t end = (static_cast<uint64_t>(i) + 1) * bucket;
  return end < count ? end : count;
}

double Histogram::bin_low(size_t i) const {
  const double e = kMinExp10 + static_cast<double>(i) / kBinsPerDecade;
  return std::pow(10.0, e);  // display only
}

void Histogram::add(double rel) {
  if (counts.empty()) counts.assign((kMaxExp10 - kMinExp10) * kBinsPerDecade, 0);
  if (!std::isfinite(rel)) {
    ++nonfinite;
    return;
  }
  if (rel == 0) {
    ++zero;
    return;
  }
  // Bin edges by comparison with the exact powers 10^(k/4) as doubles: no log.
  static const std::vector<double> edges = [] {
    std::vector<double> e;
    for (int i = 0; i <= (kMaxExp10 - kMinExp10) * kBinsPerDecade; ++i) {
      e.push_back(std::pow(10.0, kMinExp10 + static_cast<double>(i) / kBinsPerDecade));
    }
    return e;
  }();
  if (rel < edges.front()) {
    ++below;
    return;
  }
  if (rel >= edges.back()) {
    ++above;
    return;
  }
  const size_t bin =
      static_cast<size_t>(std::upper_bound(edges.begin(), edges.end(), rel) - edges.begin()) - 1;
  ++counts[bin];
}

void MaxError::update(double value, double reference, uint64_t at_step) {
  if (nonfinite && nan) return;
  if (!std::isfinite(value) || !std::isfinite(reference)) {
    const bool is_nan = std::isnan(value) || std::isnan(reference) || value == reference;  // inf - inf
    if (!nonfinite || (is_nan && !nan)) {
      nonfinite = true;
      nan = is_nan;
      step = at_step;
    }
    return;
  }
  if (nonfinite) return;
  // TwoSum: d_hi + d_lo == value - reference exactly; compare (|hi|, lo) lexicographically.
  double s = value - reference;
  const double bb = s - value;
  double e = (value - (s - bb)) + (-reference - bb);
  if (s < 0) {
    s = -s;
    e = -e;
  }
  if (s > hi || (s == hi && e > lo)) {
    hi = s;
    lo = e;
    step = at_step;
  }
}

double MaxError::approx() const {
  if (nonfinite) return nan ? std::nan("") : HUGE_VAL;
  return hi + lo;
}

std::string MaxError::exact() const {
  if (nonfinite) return nan ? "nan" : "inf";
  auto dec = [](double x) {
    const Rounded r = round_double(fp64(), x);
    ExactValue v = exact_value(fp64(), r.bits);
    return v.value;
  };
  Decimal sum = dec(hi) + dec(lo);
  return ExactValue::finite(sum).to_string();
}

std::string StrategyResult::final_exact() const { return exact_value(spec.format, bits).to_string(); }
std::string StrategyResult::final_hex() const { return hex_bits(spec.format, bits); }

// ---- Increments ------------------------------------------------------------------

namespace {

bool is_nonfinite_bits(const Format& f, uint64_t bits) {
  const uint64_t exp_field = (bits >> f.man_bits) & f.exp_field_max();
  if (f.has_inf()) return exp_field == f.exp_field_max();
  if (!f.has_nan()) return false;  // OCP FP6/FP4: every code is a number
  return exp_field == f.exp_field_max() && (bits & f.man_mask()) == f.man_mask();
}

double pow2(int k) { return std::ldexp(1.0, k); }  // exact

struct Increment {
  uint64_t stored_bits = 0;  // in the gradient format
  double stored = 0;         // its value (exact)
  double raw = 0;            // the increment before storage, rounded to fp64
  bool raw_nonzero = false;
  bool underflowed() const { return raw_nonzero && stored == 0; }
};

// The setup's increment stream: increment (step, index) is a pure function.
class IncrementSource {
 public:
  void init(const Setup& s) {
    grad_ = s.grad_format;
    kind_ = s.increments.kind;
    seed_ = s.seed;
    population_ = s.population_mode ? s.population : 1;
    lr_ = s.increments.lr;
    mean_ = s.increments.mean;
    stddev_ = s.increments.stddev;
    entries_.clear();
    if (kind_ == IncrementStream::Kind::Constant) add_entry(s.increments.constant);
    if (kind_ == IncrementStream::Kind::List) {
      for (const ExactValue& v : s.increments.list) add_entry(v);
    }
  }

  bool broadcast() const { return kind_ != IncrementStream::Kind::Gaussian; }

  Increment at(uint64_t step, uint64_t index) const {
    if (broadcast()) return entries_[step % entries_.size()].inc;
    double hi, lo;
    product(step, index, &hi, &lo);
    Increment inc;
    inc.stored_bits = round_sum(grad_, hi, lo).bits;
    inc.stored = to_double(grad_, inc.stored_bits);
    inc.raw = hi;
    inc.raw_nonzero = hi != 0 || lo != 0;
    return inc;
  }

  // The raw increment times 2^k, stored in the gradient format (RNE): loss scaling.
  uint64_t scaled_bits(uint64_t step, uint64_t index, int k) const {
    if (broadcast()) {
      const Entry& e = entries_[step % entries_.size()];
      if (e.cached_k != k) {
        const ExactValue scaled = ExactValue::finite(e.exact.value * Decimal::pow2(k));
        e.cached_scaled = round_exact(grad_, scaled, RoundingOptions{}).bits;
        e.cached_k = k;
      }
      return e.cached_scaled;
    }
    double hi, lo;
    product(step, index, &hi, &lo);
    const double p = pow2(k);
    return round_sum(grad_, hi * p, lo * p).bits;
  }

  const Format& grad() const { return grad_; }

 private:
  struct Entry {
    ExactValue exact;
    Increment inc;
    mutable int cached_k = INT_MIN;
    mutable uint64_t cached_scaled = 0;
  };

  void add_entry(const ExactValue& v) {
    Entry e;
    e.exact = v;
    e.inc.stored_bits = round_exact(grad_, v, RoundingOptions{}).bits;
    e.inc.stored = to_double(grad_, e.inc.stored_bits);
    e.inc.raw = to_double(fp64(), round_exact(fp64(), v, RoundingOptions{}).bits);
    e.inc.raw_nonzero = !v.is_zero();
    entries_.push_back(e);
  }

  // lr * grad exactly as hi + lo, grad = mean + std * z drawn for (step, index).
  void product(uint64_t step, uint64_t index, double* hi, double* lo) const {
    const double z = random_normal(seed_, RandomStream::Gradient, step * population_ + index);
    const double g = mean_ + stddev_ * z;
    two_product(lr_, g, hi, lo);
  }

  Format grad_;
  IncrementStream::Kind kind_ = IncrementStream::Kind::Constant;
  uint64_t seed_ = 0, population_ = 1;
  double lr_ = 1, mean_ = 0, stddev_ = 1;
  std::vector<Entry> entries_;
};

uint64_t bits_of_double(double x) {
  uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

// The fp32 increment a loss-scaled strategy adds: scaled bits unscaled into fp32.
double unscale(const Format& grad, uint64_t scaled_bits, int k) {
  const double v = to_double(grad, scaled_bits) * pow2(-k);  // exact in double
  return to_double(fp32(), round_double(fp32(), v).bits);
}

bool fits_fp32(const Format& f) { return f.exp_bits <= 8 && f.man_bits <= 23; }

double rel_error(double value, double ref) {
  const double abs = std::fabs(value - ref);
  if (ref == 0) return abs == 0 ? 0.0 : HUGE_VAL;
  return abs / std::fabs(ref);
}

}  // namespace

// ---- State -----------------------------------------------------------------------

struct Simulation::State {
  SimulationResults results;
  IncrementSource source;
  uint64_t step = 0;  // steps done
  // Single weight.
  Weight ref;
  std::vector<Weight> weights;
  std::vector<Scaler> scalers;
  // Population.
  enum class Storage { Fp16, Bf16, Fp32, Generic };
  struct PopStrategy {
    Storage storage = Storage::Generic;
    std::vector<uint16_t> w16;
    std::vector<float> w32;
    std::vector<double> wd, comp;
  };
  std::vector<PopStrategy> pop;
  std::vector<double> pop_ref;
  std::vector<double> inc64, raw64;
  std::vector<float> inc32;
  std::vector<uint8_t> underflow;  // per weight this step
  kernels::AccumulateImpl impl = kernels::AccumulateImpl::Scalar;
};

Simulation::Simulation(const Setup& setup) : setup_(setup), state_(std::make_unique<State>()) {}
Simulation::~Simulation() = default;

std::unique_ptr<Simulation> Simulation::create(const Setup& setup, std::string* error) {
  if (!validate(setup, error)) return nullptr;  // before any allocation
  std::unique_ptr<Simulation> sim(new Simulation(setup));
  State& st = *sim->state_;
  SimulationResults& r = st.results;
  const Setup& s = sim->setup_;
  r.steps = s.steps;
  r.population = s.population_mode;
  r.population_size = s.population_mode ? s.population : 1;
  st.source.init(s);
  if (s.increments.kind == IncrementStream::Kind::Constant) {
    r.constant_increment = true;
    r.increment_bits = st.source.at(0, 0).stored_bits;
  }
  StrategySpec ref_spec;
  parse_strategy("fp64", &ref_spec, error);
  r.reference.spec = ref_spec;
  for (const StrategySpec& spec : s.strategies) {
    StrategyResult sr;
    sr.spec = spec;
    r.strategies.push_back(sr);
  }
  const uint64_t w0_bits_ref = round_exact(fp64(), s.w0, RoundingOptions{}).bits;
  auto init_result = [&](StrategyResult& res) {
    res.bits = round_exact(res.spec.format, s.w0, RoundingOptions{}).bits;
    res.value = to_double(res.spec.format, res.bits);
    res.log2_scale = res.spec.loss_scale.log2_scale;
    if (!s.population_mode) {
      res.trajectory.reset(s.steps);
      if (&res != &r.reference) {
        res.abs_error.reset(s.steps);
        res.rel_error.reset(s.steps);
      }
    } else {
      res.lost_fraction.reset(s.steps);
    }
    if (res.spec.kind == StrategySpec::Kind::LossScaled) res.scale.reset(s.steps);
  };
  init_result(r.reference);
  for (StrategyResult& res : r.strategies) init_result(res);
  st.scalers.resize(r.strategies.size());
  for (size_t i = 0; i < r.strategies.size(); ++i)
    st.scalers[i].k = r.strategies[i].spec.loss_scale.log2_scale;

  if (!s.population_mode) {
    st.ref.w = to_double(fp64(), w0_bits_ref);
    for (const StrategyResult& res : r.strategies) st.weights.push_back(Weight{res.value, 0});
    return sim;
  }

  // Population: initial weights, then each strategy's storage.
  const uint64_t p = s.population;
  st.impl = kernels::best_accumulate_impl();
  st.pop_ref.resize(p);
  for (uint64_t i = 0; i < p; ++i) {
    switch (s.initial.kind) {
      case InitialWeights::Kind::Constant:
        st.pop_ref[i] = to_double(fp64(), w0_bits_ref);
        break;
      case InitialWeights::Kind::Normal:
        st.pop_ref[i] = s.initial.a + s.initial.b * random_normal(s.seed, RandomStream::InitialWeight, i);
        break;
      case InitialWeights::Kind::Uniform:
        st.pop_ref[i] = s.initial.a +
                        (s.initial.b - s.initial.a) * random_uniform(s.seed, RandomStream::InitialWeight, i);
        break;
    }
  }
  bool any_kernel = false;
  const bool stored_ref = s.reference == Setup::Reference::Stored;
  const bool same_w0 = s.initial.kind == InitialWeights::Kind::Constant;
  for (const StrategyResult& res : r.strategies) {
    State::PopStrategy ps;
    const Format& f = res.spec.format;
    // Each weight's w0 rounded into the format (a constant w0 straight from its exact decimal).
    auto start_bits = [&](uint64_t i) { return same_w0 ? res.bits : round_double(f, st.pop_ref[i]).bits; };
    const bool kernel_ok = res.spec.kind == StrategySpec::Kind::Plain && fits_fp32(s.grad_format);
    if (kernel_ok && f == fp16()) ps.storage = State::Storage::Fp16;
    if (kernel_ok && f == bf16()) ps.storage = State::Storage::Bf16;
    if (kernel_ok && f == fp32()) ps.storage = State::Storage::Fp32;
    any_kernel = any_kernel || ps.storage != State::Storage::Generic;
    switch (ps.storage) {
      case State::Storage::Fp16:
      case State::Storage::Bf16:
        ps.w16.resize(p);
        for (uint64_t i = 0; i < p; ++i) ps.w16[i] = static_cast<uint16_t>(start_bits(i));
        break;
      case State::Storage::Fp32:
        ps.w32.resize(p);
        for (uint64_t i = 0; i < p; ++i) ps.w32[i] = static_cast<float>(to_double(f, start_bits(i)));
        break;
      case State::Storage::Generic:
        ps.wd.resize(p);
        for (uint64_t i = 0; i < p; ++i) ps.wd[i] = to_double(f, start_bits(i));
        if (res.spec.kind == StrategySpec::Kind::Kahan) ps.comp.assign(p, 0.0);
        break;
    }
    st.pop.push_back(std::move(ps));
  }
  r.kernel = any_kernel ? kernels::accumulate_impl_name(st.impl) : "none";
  if (!st.source.broadcast()) {
    st.inc64.resize(p);
    st.inc32.resize(p);
    st.underflow.resize(p);
    if (!stored_ref) st.raw64.resize(p);
  }
  return sim;
}

bool Simulation::finished() const { return state_->step >= setup_.steps; }
uint64_t Simulation::steps_done() const { return state_->step; }
double Simulation::progress() const {
  return static_cast<double>(state_->step) / static_cast<double>(setup_.steps);
}
void Simulation::cancel() { cancelled_ = true; }
const SimulationResults& Simulation::results() const {
  state_->results.steps_done = state_->step;
  return state_->results;
}

void Simulation::run() {
  while (advance(uint64_t{1} << 20)) {
  }
}

std::unique_ptr<Simulation> run_simulation(const Setup& setup, std::string* error) {
  auto sim = Simulation::create(setup, error);
  if (sim) sim->run();
  return sim;
}

// ---- Single weight ----------------------------------------------------------------

namespace {

void record(StrategyResult& res, double ref, uint64_t step) {
  res.trajectory.push(res.value);
  res.abs_error.push(std::fabs(res.value - ref));
  res.rel_error.push(rel_error(res.value, ref));
  res.max_abs_error.update(res.value, ref, step);
}

}  // namespace

bool Simulation::advance(uint64_t max_steps) {
  if (cancelled_ || finished()) return false;
  State& st = *state_;
  SimulationResults& r = st.results;
  const Setup& s = setup_;
  const uint64_t end = std::min(s.steps, st.step + max_steps);
  if (s.population_mode) {
    population_advance(end - st.step);
    return !finished() && !cancelled_;
  }
  const bool stored_ref = s.reference == Setup::Reference::Stored;
  for (; st.step < end; ++st.step) {
    const uint64_t t = st.step;
    const Increment inc = st.source.at(t, 0);
    const bool inc_nonzero = inc.stored != 0;
    const bool underflowed = inc.underflowed();
    r.stream_underflowed += underflowed;
    // The fp64 reference.
    const double ref_inc = stored_ref ? inc.stored : inc.raw;
    const double ref_old = st.ref.w;
    st.ref.w = ref_old + ref_inc;  // IEEE double addition: the exact sum rounded once (RNE)
    r.reference.lost_updates += ref_inc != 0 && bits_of_double(st.ref.w) == bits_of_double(ref_old);
    r.reference.underflowed += stored_ref && underflowed;
    r.reference.bits = bits_of_double(st.ref.w);
    r.reference.value = st.ref.w;
    r.reference.trajectory.push(st.ref.w);
    for (size_t i = 0; i < r.strategies.size(); ++i) {
      StrategyResult& res = r.strategies[i];
      Weight& wt = st.weights[i];
      const uint64_t old_bits = res.bits;
      if (res.spec.kind == StrategySpec::Kind::LossScaled) {
        Scaler& sc = st.scalers[i];
        const uint64_t scaled = st.source.scaled_bits(t, 0, sc.k);
        const bool found_inf = is_nonfinite_bits(s.grad_format, scaled);
        if (found_inf) {
          ++res.skipped;
        } else {
          const double d = unscale(s.grad_format, scaled, sc.k);
          res.underflowed += d == 0 && inc.raw_nonzero;
          res.bits = round_sum(fp32(), wt.w, d).bits;
          wt.w = to_double(fp32(), res.bits);
          res.lost_updates += d != 0 && res.bits == old_bits;
        }
        res.scale.push(pow2(sc.k));  // the scale this step used
        sc.after_step(res.spec.loss_scale, found_inf);
        res.log2_scale = sc.k;
      } else {
        res.bits = apply_update(res.spec, &wt, inc.stored, s.seed, t);
        res.underflowed += underflowed;
        res.lost_updates += inc_nonzero && res.bits == old_bits;
      }
      res.value = wt.w;
      record(res, st.ref.w, t + 1);
    }
  }
  return !finished() && !cancelled_;
}

// ---- Population ------------------------------------------------------------------

namespace {

// One generic (core-rounded) update of n weights for one step: the path for
// every strategy without a SIMD kernel (fp8, stochastic rounding, Kahan, ...).
template <typename PopStrategy>
uint64_t generic_step(const StrategySpec& spec, PopStrategy& ps, const double* inc, size_t inc_stride,
                      uint64_t n, uint64_t seed, uint64_t counter0) {
  uint64_t lost = 0;
  Weight wt;
  const bool kahan = !ps.comp.empty();
  for (uint64_t i = 0; i < n; ++i) {
    const double d = inc[i * inc_stride];
    wt.w = ps.wd[i];
    wt.c = kahan ? ps.comp[i] : 0.0;
    const double old = wt.w;
    apply_update(spec, &wt, d, seed, counter0 + i);
    ps.wd[i] = wt.w;
    if (kahan) ps.comp[i] = wt.c;
    lost += d != 0 && bits_of_double(wt.w) == bits_of_double(old);
  }
  return lost;
}

// Steps of a broadcast stream handed to the many-steps kernels at once.
constexpr uint64_t kBroadcastBatch = 256;

}  // namespace

void Simulation::population_advance(uint64_t count) {
  State& st = *state_;
  SimulationResults& r = st.results;
  const Setup& s = setup_;
  const uint64_t p = s.population;
  const bool stored_ref = s.reference == Setup::Reference::Stored;
  const double inv_p = 1.0 / static_cast<double>(p);
  std::vector<uint64_t> lost;

  // Loss-scaled strategies: the scaler is global, as GradScaler's (one inf
  // anywhere skips the step for every weight).
  auto loss_scaled_step = [&](size_t k, uint64_t t) -> uint64_t {
    StrategyResult& res = r.strategies[k];
    State::PopStrategy& ps = st.pop[k];
    Scaler& sc = st.scalers[k];
    bool found_inf = false;
    // Pass 1: store every scaled gradient; any inf/NaN skips the step.
    uint64_t lost_here = 0;
    std::vector<double> d(st.source.broadcast() ? 1 : p);
    for (uint64_t i = 0; i < d.size() && !found_inf; ++i) {
      const uint64_t scaled = st.source.scaled_bits(t, i, sc.k);
      if (is_nonfinite_bits(s.grad_format, scaled)) found_inf = true;
      d[i] = found_inf ? 0.0 : unscale(s.grad_format, scaled, sc.k);
    }
    if (found_inf) {
      ++res.skipped;
    } else {
      const size_t stride = d.size() == 1 ? 0 : 1;
      const bool raw_nonzero = st.source.broadcast() ? st.source.at(t, 0).raw_nonzero : true;
      for (uint64_t i = 0; i < p; ++i) {
        const double di = d[i * stride];
        if (di == 0 && (stride ? st.source.at(t, i).raw_nonzero : raw_nonzero)) ++res.underflowed;
        const double old = ps.wd[i];
        ps.wd[i] = to_double(fp32(), round_sum(fp32(), old, di).bits);
        lost_here += di != 0 && bits_of_double(ps.wd[i]) == bits_of_double(old);
      }
    }
    res.scale.push(pow2(sc.k));
    sc.after_step(res.spec.loss_scale, found_inf);
    res.log2_scale = sc.k;
    return lost_here;
  };

  while (count > 0 && !cancelled_) {
    if (st.source.broadcast()) {
      // A constant or listed stream: one increment per step for every weight.
      const uint64_t n = std::min(count, kBroadcastBatch);
      std::vector<double> inc(n);
      std::vector<float> inc32(n);
      for (uint64_t j = 0; j < n; ++j) {
        const Increment one = st.source.at(st.step + j, 0);
        inc[j] = stored_ref ? one.stored : one.raw;
        inc32[j] = static_cast<float>(one.stored);
        r.stream_underflowed += one.underflowed() ? p : 0;
        const double ref_inc = inc[j];
        for (uint64_t i = 0; i < p; ++i) st.pop_ref[i] += ref_inc;
        inc[j] = one.stored;  // strategies see the stored stream
        if (one.underflowed()) {
          for (StrategyResult& res : r.strategies) {
            if (res.spec.kind != StrategySpec::Kind::LossScaled) res.underflowed += p;
          }
        }
      }
      for (size_t k = 0; k < r.strategies.size(); ++k) {
        StrategyResult& res = r.strategies[k];
        State::PopStrategy& ps = st.pop[k];
        lost.assign(n, 0);
        switch (ps.storage) {
          case State::Storage::Fp16:
            kernels::accumulate_fp16_steps(ps.w16.data(), p, inc32.data(), n, lost.data(), st.impl);
            break;
          case State::Storage::Bf16:
            kernels::accumulate_bf16_steps(ps.w16.data(), p, inc32.data(), n, lost.data(), st.impl);
            break;
          case State::Storage::Fp32:
            kernels::accumulate_fp32_steps(ps.w32.data(), p, inc32.data(), n, lost.data(), st.impl);
            break;
          case State::Storage::Generic:
            for (uint64_t j = 0; j < n; ++j) {
              lost[j] = res.spec.kind == StrategySpec::Kind::LossScaled
                            ? loss_scaled_step(k, st.step + j)
                            : generic_step(res.spec, ps, &inc[j], 0, p, s.seed, (st.step + j) * p);
            }
            break;
        }
        for (uint64_t j = 0; j < n; ++j) {
          res.lost_updates += lost[j];
          res.lost_fraction.push(static_cast<double>(lost[j]) * inv_p);
        }
      }
      st.step += n;
      count -= n;
      continue;
    }
    // A per-weight stream: draw this step's increments for the whole population.
    const uint64_t t = st.step;
    uint64_t underflowed = 0;
    for (uint64_t i = 0; i < p; ++i) {
      const Increment one = st.source.at(t, i);
      st.inc64[i] = one.stored;
      st.inc32[i] = static_cast<float>(one.stored);
      st.underflow[i] = one.underflowed();
      underflowed += st.underflow[i];
      st.pop_ref[i] += stored_ref ? one.stored : one.raw;
    }
    r.stream_underflowed += underflowed;
    for (size_t k = 0; k < r.strategies.size(); ++k) {
      StrategyResult& res = r.strategies[k];
      State::PopStrategy& ps = st.pop[k];
      uint64_t lost_here = 0;
      switch (ps.storage) {
        case State::Storage::Fp16:
          lost_here = kernels::accumulate_fp16(ps.w16.data(), st.inc32.data(), p, st.impl);
          break;
        case State::Storage::Bf16:
          lost_here = kernels::accumulate_bf16(ps.w16.data(), st.inc32.data(), p, st.impl);
          break;
        case State::Storage::Fp32:
          lost_here = kernels::accumulate_fp32(ps.w32.data(), st.inc32.data(), p, st.impl);
          break;
        case State::Storage::Generic:
          lost_here = res.spec.kind == StrategySpec::Kind::LossScaled
                          ? loss_scaled_step(k, t)
                          : generic_step(res.spec, ps, st.inc64.data(), 1, p, s.seed, t * p);
          break;
      }
      if (res.spec.kind != StrategySpec::Kind::LossScaled) res.underflowed += underflowed;
      res.lost_updates += lost_here;
      res.lost_fraction.push(static_cast<double>(lost_here) * inv_p);
    }
    ++st.step;
    --count;
  }
  if (finished()) population_finish();
}

void Simulation::population_finish() {
  State& st = *state_;
  SimulationResults& r = st.results;
  const uint64_t p = setup_.population;
  double ref_sum = 0;
  for (uint64_t i = 0; i < p; ++i) ref_sum += st.pop_ref[i];
  r.reference.mean_value = ref_sum / static_cast<double>(p);
  for (size_t k = 0; k < r.strategies.size(); ++k) {
    StrategyResult& res = r.strategies[k];
    const State::PopStrategy& ps = st.pop[k];
    double sum = 0, rel_sum = 0, rel_max = 0;
    res.rel_error_histogram = Histogram{};
    for (uint64_t i = 0; i < p; ++i) {
      double v;
      switch (ps.storage) {
        case State::Storage::Fp16:
        case State::Storage::Bf16:
          v = to_double(res.spec.format, ps.w16[i]);
          break;
        case State::Storage::Fp32:
          v = ps.w32[i];
          break;
        default:
          v = ps.wd[i];
          break;
      }
      sum += v;
      const double rel = rel_error(v, st.pop_ref[i]);
      res.rel_error_histogram.add(rel);
      rel_sum += rel;
      rel_max = std::isnan(rel) || rel > rel_max ? rel : rel_max;
      res.max_abs_error.update(v, st.pop_ref[i], i + 1);  // "step" = 1-based weight index here
    }
    res.mean_value = sum / static_cast<double>(p);
    res.mean_rel_error = rel_sum / static_cast<double>(p);
    res.max_rel_error = rel_max;
  }
}

}  // namespace mantissa::sim
