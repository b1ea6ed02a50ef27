#include "train/network.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/rounding.h"
#include "kernels/accumulate.h"  // add_round_to_odd_fp32, fp32_to_fp16_rne, fp16_to_fp32
#include "kernels/convert.h"
#include "sim/random.h"
#include "sim/update_rule.h"
#include "train/network_state.h"

namespace mantissa::train {

namespace detail {

namespace {

// n floats to a narrow target's codes (rne, no saturation) and back to floats.
template <typename Narrow>
void there_and_back(void (*to)(const float*, Narrow*, size_t, bool, kernels::Impl),
                    void (*from)(const Narrow*, float*, size_t, kernels::Impl), const float* in, float* back, size_t n) {
  thread_local std::vector<Narrow> codes;
  codes.resize(n);
  to(in, codes.data(), n, false, kernels::Impl::Best);
  from(codes.data(), back, n, kernels::Impl::Best);
}

}  // namespace

// x rounded once (rne) into f, as a float (every recipe format lies within
// fp32, so the value is exact in a float). fp32 itself: the IEEE conversion
// double -> float is that same rounding.
float round_to(const Format& f, double x, bool saturate) {
  if (f == fp32() && !saturate) return static_cast<float>(x);
  RoundingOptions o;
  o.saturate = saturate;
  return static_cast<float>(to_double(f, round_double(f, x, o).bits));
}

// in[i] (floats) rounded once (rne) into f, into out[i] (in == out allowed):
// the batch conversion kernels there and back for fp16, bf16 and the fp8
// formats (the same single rounding of the same value), round_to per element
// for the other formats and for NaNs (whose payload the kernels and the core
// may carry differently).
void round_floats(const Format& f, const float* in, float* out, size_t n) {
  const std::optional<kernels::Target> t = kernels::target_of(f);
  if (f == fp32() || !t) {
    for (size_t i = 0; i < n; ++i) out[i] = round_to(f, in[i]);
    return;
  }
  thread_local std::vector<float> back;
  back.resize(n);
  switch (*t) {
    case kernels::Target::Fp16:
      there_and_back<uint16_t>(kernels::fp32_to_fp16, kernels::fp16_to_fp32, in, back.data(), n);
      break;
    case kernels::Target::Bf16:
      there_and_back<uint16_t>(kernels::fp32_to_bf16, kernels::bf16_to_fp32, in, back.data(), n);
      break;
    case kernels::Target::Fp8E4M3:
      there_and_back<uint8_t>(kernels::fp32_to_fp8_e4m3, kernels::fp8_e4m3_to_fp32, in, back.data(), n);
      break;
    case kernels::Target::Fp8E5M2:
      there_and_back<uint8_t>(kernels::fp32_to_fp8_e5m2, kernels::fp8_e5m2_to_fp32, in, back.data(), n);
      break;
  }
  for (size_t i = 0; i < n; ++i) out[i] = std::isnan(back[i]) ? round_to(f, in[i]) : back[i];
}


float amax_into(float m, const float* v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float a = std::fabs(v[i]);
    if (a > m || a != a) m = a;
  }
  return m;
}

}  // namespace detail

using detail::Layer;
using detail::Pass;
using detail::pow2;
using detail::round_floats;
using detail::round_to;
using sim::RandomStream;

bool seq_dot_rne(const Format& f, const float* a, const float* b, size_t k, float c, float* out) {
  double s = round_to(f, c);
  for (size_t i = 0; i < k; ++i) {
    if (a[i] == 0 || b[i] == 0) continue;  // a zero product leaves the sum as it is (the core's add_term)
    const double p = static_cast<double>(a[i]) * b[i];  // exact: at most 48 significant bits
    if (!std::isfinite(p)) return false;
    s = to_double(f, round_sum(f, s, p).bits);
    if (!std::isfinite(s)) return false;
  }
  *out = static_cast<float>(s);
  return true;
}

bool seq_dot_fp16_rne(const float* a, const float* b, size_t k, float c, float* out) {
  float s = round_to(fp16(), c);
  for (size_t i = 0; i < k; ++i) {
    if (a[i] == 0 || b[i] == 0) continue;  // a zero product leaves the sum as it is (the core's add_term)
    const float p = a[i] * b[i];  // exact (see network.h)
    s = kernels::fp16_to_fp32(kernels::fp32_to_fp16_rne(kernels::add_round_to_odd_fp32(s, p)));
    if (!std::isfinite(s)) return false;
  }
  *out = s;
  return true;
}

namespace {

void transpose(const std::vector<float>& in, size_t rows, size_t cols, std::vector<float>* out) {
  out->resize(rows * cols);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) (*out)[c * rows + r] = in[r * cols + c];
}

}  // namespace

// ---- Forward -------------------------------------------------------------------------

void Training::State::prepare_weights(Replica& R, bool record) {
  const Recipe& rc = R.recipe;
  for (Layer& L : R.layers) {
    L.wc.resize(L.nw());
    L.bc.resize(L.out);
    if (!R.scaled_gemm) {
      round_floats(rc.weights, L.p.data(), L.wc.data(), L.nw());
      round_floats(rc.weights, L.p.data() + L.nw(), L.bc.data(), L.out);
    } else {
      L.sw = rc.fp8_scaling ? L.aw.log2_scale(rc.weights) : 0;
      const double s = pow2(L.sw);
      for (size_t k = 0; k < L.nw(); ++k) L.wc[k] = round_to(rc.weights, L.p[k] * s, true);
      for (size_t o = 0; o < L.out; ++o) L.bc[o] = L.p[L.nw() + o];  // fp32, added after the GEMM
      if (record && rc.fp8_scaling) {
        float m = 0;
        for (size_t k = 0; k < L.nw(); ++k) m = std::max(m, std::fabs(L.p[k]));
        L.amax_w = m;
      }
    }
    transpose(L.wc, L.out, L.in, &L.wct);
  }
}

void Training::State::forward_rows(Replica& R, std::vector<Pass>& P, size_t l, const float* x, size_t n, size_t r0,
                                   size_t r1, bool record) {
  const Recipe& rc = R.recipe;
  Layer& L = R.layers[l];
  Pass& A = P[l];
  const size_t m = r1 - r0;
  if (r0 == 0) {
    A.x.resize(n * L.in);
    A.z.resize(n * L.out);
    A.sx = R.scaled_gemm && rc.fp8_scaling ? L.ax.log2_scale(rc.activations) : 0;
    if (record) L.amax_x = 0;
  }
  // This layer's input rows: the data, or the ReLU (exact) of the layer below's outputs.
  thread_local std::vector<float> h;
  h.resize(m * L.in);
  if (l == 0) {
    std::copy_n(x + r0 * L.in, m * L.in, h.data());
  } else {
    const float* z = &P[l - 1].z[r0 * L.in];
    for (size_t k = 0; k < h.size(); ++k) h[k] = z[k] > 0 ? z[k] : 0.0f;
  }
  float* xs = &A.x[r0 * L.in];
  float* zs = &A.z[r0 * L.out];
  if (!R.scaled_gemm) {
    round_floats(rc.activations, h.data(), xs, h.size());
  } else {
    const double s = pow2(A.sx);
    for (size_t k = 0; k < h.size(); ++k) xs[k] = round_to(rc.activations, h[k] * s, true);
    if (record && rc.fp8_scaling) L.amax_x = detail::amax_into(L.amax_x, h.data(), h.size());
  }
  const double descale = pow2(-(A.sx + L.sw));
  R.fwd.gemm(xs, m, L.wc.data(), L.out, L.in, R.scaled_gemm ? nullptr : L.bc.data(), zs);
  if (!R.scaled_gemm) {
    round_floats(rc.activations, zs, zs, m * L.out);
  } else {
    for (size_t j = 0; j < m; ++j) {
      for (size_t o = 0; o < L.out; ++o) {
        // fp32 GEMM output descaled (exact but for underflow), then the fp32 bias.
        float& z = zs[j * L.out + o];
        const float r = static_cast<float>(z * descale);
        z = static_cast<float>(static_cast<double>(r) + L.bc[o]);
      }
    }
  }
}

void Training::State::forward(Replica& R, std::vector<Pass>& P, const float* x, size_t n, bool record) {
  for (size_t l = 0; l < R.layers.size(); ++l) forward_rows(R, P, l, x, n, 0, n, record);
}

double Training::State::loss(Replica& R, std::vector<Pass>& P, const int* y, size_t n, uint64_t* correct,
                             std::vector<double>* dl) {
  double total = 0;
  add_loss(R, P, y, n, correct, &total, dl);
  return total / static_cast<double>(n);
}

void Training::State::add_loss(Replica& R, std::vector<Pass>& P, const int* y, size_t n, uint64_t* correct,
                               double* total_io, std::vector<double>* dl) {
  const size_t c = R.layers.back().out;
  const std::vector<float>& logits = P.back().z;
  std::vector<double>& dlogits = *dl;
  dlogits.assign(n * c, 0.0);
  double& total = *total_io;
  for (size_t j = 0; j < n; ++j) {
    const float* z = &logits[j * c];
    bool finite = true;
    size_t best = 0;
    for (size_t k = 0; k < c; ++k) {
      finite = finite && std::isfinite(z[k]);
      if (z[k] > z[best]) best = k;
    }
    if (!finite) {
      total = NAN;
      for (size_t k = 0; k < c; ++k) dlogits[j * c + k] = NAN;
      continue;
    }
    if (static_cast<int>(best) == y[j]) ++*correct;
    const double m = z[best];
    double s = 0;
    double* e = &dlogits[j * c];  // e^(z_k - m) first, the gradient in its place after
    for (size_t k = 0; k < c; ++k) s += e[k] = sim::portable_exp(z[k] - m);
    total += sim::portable_log(s) - (z[y[j]] - m);
    for (size_t k = 0; k < c; ++k) {
      const double p = e[k] / s;
      dlogits[j * c + k] = (p - (static_cast<int>(k) == y[j] ? 1.0 : 0.0)) / static_cast<double>(n);
    }
  }
}

// ---- Backward --------------------------------------------------------------------------

void Training::State::backward_begin(Replica& R, std::vector<Pass>& P, size_t l, size_t n,
                                     const std::vector<double>& dl, bool record) {
  const Recipe& rc = R.recipe;
  Layer& L = R.layers[l];
  Pass& A = P[l];
  if (l + 1 == R.layers.size()) {
    const int k_scale = rc.loss_scale.kind == sim::LossScale::Kind::Dynamic ? R.scaler.k : 0;
    // The loss weight multiplies the fp64 logit gradient (one fp64 rounding,
    // the same on every platform) before it is rounded once into the
    // gradients' format, as autograd would carry a weighted loss's gradient.
    if (!R.scaled_gemm) {
      A.dz.resize(n * L.out);
      for (size_t k = 0; k < A.dz.size(); ++k)
        A.dz[k] = round_to(rc.gradients, dl[k] * loss_weight * pow2(k_scale));
    } else {
      A.dz32.resize(n * L.out);
      for (size_t k = 0; k < A.dz32.size(); ++k) A.dz32[k] = static_cast<float>(dl[k] * loss_weight);
    }
  }
  if (ones.size() < n) ones.assign(n, 1.0f);
  if (R.scaled_gemm) {
    A.sg = rc.fp8_scaling ? L.ag.log2_scale(rc.gradients) : 0;
    const double s = pow2(A.sg);
    A.dz.resize(A.dz32.size());
    for (size_t k = 0; k < A.dz.size(); ++k) A.dz[k] = round_to(rc.gradients, A.dz32[k] * s, true);
    // fp8: the gradients that underflow are the E5M2 operands (weight gradients come out in fp32).
    A.underflow = 0;
    A.underflow_of = std::max<size_t>(A.dz.size(), 1);
    for (size_t k = 0; k < A.dz.size(); ++k) A.underflow += A.dz[k] == 0 && A.dz32[k] != 0;
    if (record && rc.fp8_scaling) L.amax_g = detail::amax_into(0, A.dz32.data(), A.dz32.size());
  } else {
    A.sg = 0;
    A.underflow = 0;
    A.underflow_of = L.np();
  }
  transpose(A.dz, n, L.out, &A.dzt);
  transpose(A.x, n, L.in, &A.xt);
  A.g.resize(L.np());
}

void Training::State::backward_wgrad(Replica& R, std::vector<Pass>& P, size_t l, size_t n, size_t o0, size_t o1) {
  const Recipe& rc = R.recipe;
  Layer& L = R.layers[l];
  Pass& A = P[l];
  const size_t m = o1 - o0;
  float* gw = &A.g[o0 * L.in];
  float* gb = &A.g[L.nw() + o0];
  R.wgrad.gemm(&A.dzt[o0 * n], m, A.xt.data(), L.in, n, nullptr, gw);
  R.wgrad.gemm(&A.dzt[o0 * n], m, ones.data(), 1, n, nullptr, gb);
  if (!R.scaled_gemm) {
    round_floats(rc.gradients, gw, gw, m * L.in);
    round_floats(rc.gradients, gb, gb, m);
  }
  // A gradient that underflowed: stored as zero while the same sum in fp64
  // (of the same stored operands) is not zero.
  // (The fp64 sum is computed only for the zeros: they are rare.)
  auto store = [&](float* g, const float* a, const float* b, int descale_exp) {
    const float r = *g;  // the GEMM's sum, rounded into the gradients' format unless scaled
    const float v = R.scaled_gemm ? static_cast<float>(r * pow2(-descale_exp)) : r;
    *g = v;
    if (!R.scaled_gemm && v == 0) {
      double exact = 0;
      for (size_t j = 0; j < n; ++j) exact += static_cast<double>(a[j]) * b[j];
      if (exact != 0) ++A.underflow;
    }
  };
  for (size_t o = o0; o < o1; ++o) {
    const float* gr = &A.dzt[o * n];
    for (size_t i = 0; i < L.in; ++i) store(&A.g[o * L.in + i], gr, &A.xt[i * n], A.sg + A.sx);
    store(&A.g[L.nw() + o], gr, ones.data(), A.sg);
  }
}

void Training::State::backward_dgrad(Replica& R, std::vector<Pass>& P, size_t l, size_t n, size_t j0, size_t j1) {
  const Recipe& rc = R.recipe;
  Layer& L = R.layers[l];
  Pass& A = P[l];
  Pass& B = P[l - 1];  // its output, through ReLU, is L's input
  std::vector<float>& d = R.scaled_gemm ? B.dz32 : B.dz;
  d.resize(n * L.in);
  float* ds = &d[j0 * L.in];
  const size_t m = j1 - j0;
  const double descale = pow2(-(A.sg + L.sw));
  R.dgrad.gemm(&A.dz[j0 * L.out], m, L.wct.data(), L.in, L.out, nullptr, ds);
  if (!R.scaled_gemm) round_floats(rc.gradients, ds, ds, m * L.in);
  const float* z = &B.z[j0 * L.in];
  for (size_t k = 0; k < m * L.in; ++k) {
    const float r = ds[k];  // the GEMM's sum, rounded unless scaled
    const float v = R.scaled_gemm ? static_cast<float>(r * descale) : r;
    ds[k] = z[k] > 0 ? v : 0.0f;
  }
}

void Training::State::backward(Replica& R, std::vector<Pass>& P, size_t n, const std::vector<double>& dl,
                               bool record) {
  for (size_t l = R.layers.size(); l-- > 0;) {
    backward_begin(R, P, l, n, dl, record);
    backward_wgrad(R, P, l, n, 0, R.layers[l].out);
    if (l > 0) backward_dgrad(R, P, l, n, 0, n);
  }
}

// ---- Update ------------------------------------------------------------------------------

bool Training::State::update_begin(Replica& R, const Optimizer& opt, int* log2_scale) {
  const Recipe& rc = R.recipe;
  const bool dynamic = rc.loss_scale.kind == sim::LossScale::Kind::Dynamic;
  UpdateConstants& c = R.update;
  c.k = dynamic ? R.scaler.k : 0;
  *log2_scale = c.k;
  bool found_inf = false;
  for (const Pass& A : R.step)
    for (float g : A.g) found_inf = found_inf || !std::isfinite(g);
  for (Layer& L : R.layers) L.lost = 0;
  if (dynamic) {
    R.scaler.after_step(rc.loss_scale, found_inf);
    if (found_inf) return false;  // GradScaler skips the step
  }
  const Format& U = rc.update_format();
  // The optimizer's constants, rounded into U once.
  c.lr = round_to(U, opt.lr), c.mu = round_to(U, opt.momentum);
  c.b1 = round_to(U, opt.beta1), c.b2 = round_to(U, opt.beta2);
  c.c1 = round_to(U, 1.0 - opt.beta1), c.c2 = round_to(U, 1.0 - opt.beta2), c.eps = round_to(U, opt.eps);
  c.bc1 = c.bc2 = 1;
  if (opt.kind == Optimizer::Kind::Adam) {
    ++R.adam_t;
    double p1 = 1, p2 = 1;
    for (uint64_t t = 0; t < R.adam_t && t < 100000; ++t) {
      p1 *= opt.beta1;
      p2 *= opt.beta2;
    }
    c.bc1 = round_to(U, 1.0 - p1);
    c.bc2 = round_to(U, 1.0 - p2);
  }
  return true;
}

// Parameters [begin, end) of the replica, counted across layers in order
// (each one's increment is its own: its stochastic rounding draws at its index).
void Training::State::update_range(Replica& R, const Optimizer& opt, uint64_t step, uint64_t seed, uint64_t begin,
                                   uint64_t end) {
  const Format& U = R.recipe.update_format();
  sim::StrategySpec st;
  st.kind = R.recipe.update;
  st.format = U;
  const UpdateConstants& c = R.update;
  const int k = c.k;
  const double lr = c.lr, mu = c.mu, b1 = c.b1, b2 = c.b2, c1 = c.c1, c2 = c.c2, eps = c.eps, bc1 = c.bc1,
               bc2 = c.bc2;
  // fp32 update formats (every master-weight recipe) round by the cast, which
  // is round_to's own fp32 path, decided once here rather than per operation.
  const bool u_fp32 = U == fp32();
  auto r = [&](double x) {
    return u_fp32 ? static_cast<double>(static_cast<float>(x)) : static_cast<double>(round_to(U, x));
  };
  // An fp32 weight taking an fp32 increment by round to nearest even: one
  // IEEE single addition is exactly that rounding of the exact sum (what
  // sim::apply_update computes through the core's round_sum), overflow to inf
  // and the sign of a zero sum included; the core's general path costs about
  // a third of the fp32 recipe's time.
  const bool fp32_rne =
      u_fp32 && st.kind != sim::StrategySpec::Kind::Stochastic && st.kind != sim::StrategySpec::Kind::Kahan;
  uint64_t first = 0;  // the index of layer l's first parameter
  for (size_t l = 0; l < R.layers.size() && first < end; first += R.layers[l].np(), ++l) {
    Layer& L = R.layers[l];
    if (first + L.np() <= begin) continue;
    const std::vector<float>& grad = R.step[l].g;
    const size_t i0 = begin > first ? begin - first : 0, i1 = std::min<uint64_t>(L.np(), end - first);
    uint64_t index = first + i0;
    for (size_t i = i0; i < i1; ++i, ++index) {
      const double g = r(grad[i] * pow2(-k));
      double inc;
      if (opt.kind == Optimizer::Kind::Sgd) {
        double v = g;
        if (opt.momentum != 0) {
          v = r(r(mu * L.m[i]) + g);
          L.m[i] = static_cast<float>(v);
        }
        inc = r(-lr * v);
      } else {
        const double m = r(r(b1 * L.m[i]) + r(c1 * g));
        const double v = r(r(b2 * L.v[i]) + r(c2 * r(g * g)));
        L.m[i] = static_cast<float>(m);
        L.v[i] = static_cast<float>(v);
        const double den = r(r(std::sqrt(r(v / bc2))) + eps);
        inc = r(-lr * r(r(m / bc1) / den));
      }
      sim::Weight wt{L.p[i], L.comp[i]};
      const double before = wt.w;
      if (fp32_rne) wt.w = L.p[i] + static_cast<float>(inc);
      else sim::apply_update(st, &wt, inc, seed, step * total_params + index);
      if (inc != 0 && wt.w == before) ++L.lost;
      L.p[i] = static_cast<float>(wt.w);
      L.comp[i] = static_cast<float>(wt.c);
    }
  }
}

void Training::State::push_amax(Replica& R) {
  if (!R.recipe.fp8_scaling) return;
  for (Layer& L : R.layers) {
    L.aw.push(L.amax_w);
    L.ax.push(L.amax_x);
    L.ag.push(L.amax_g);
  }
}

// ---- Training ---------------------------------------------------------------------------

// ---- Training ---------------------------------------------------------------------------

Training::Training(const TrainSpec& spec) : spec_(spec), state_(std::make_unique<State>()) {}
Training::~Training() = default;

std::unique_ptr<Training> Training::create(const TrainSpec& spec_in, std::string* error) {
  TrainSpec spec = spec_in;
  Dataset data;
  if (!load_dataset(spec.data, spec.data_seed, &data, error)) return nullptr;
  if (spec.model.sizes.empty()) {
    spec.model.sizes = data.name == "digits" ? std::vector<int>{64, 32, 10} : std::vector<int>{2, 16, 16, 2};
  }
  if (!validate(spec, data, error)) return nullptr;
  std::unique_ptr<Training> t(new Training(spec));
  State& s = *t->state_;
  s.data = std::move(data);
  s.loss_weight = spec.loss_weight;
  s.train_n = spec.train_limit ? std::min<size_t>(spec.train_limit, s.data.train_size()) : s.data.train_size();
  s.total_params = spec.model.parameters();
  TrainResults& res = s.results;
  res.train_size = s.train_n;
  res.test_size = s.data.test_size();
  res.steps_per_epoch = (s.train_n + spec.batch - 1) / spec.batch;
  res.steps = res.steps_per_epoch * spec.epochs;
  res.dot_kernel = kernels::dot_impl_name(spec.dot_impl);
  const size_t layers = spec.model.sizes.size() - 1;
  // The shared initial weights, in double: He-normal weights, zero biases.
  std::vector<std::vector<double>> init(layers);
  uint64_t counter = 0;
  for (size_t l = 0; l < layers; ++l) {
    const size_t in = spec.model.sizes[l], out = spec.model.sizes[l + 1];
    const double stddev = std::sqrt(2.0 / static_cast<double>(in));
    init[l].assign(in * out + out, 0.0);
    for (size_t k = 0; k < in * out; ++k)
      init[l][k] = stddev * sim::random_normal(spec.seed, RandomStream::TrainInit, counter++);
  }
  for (const Recipe& rc : spec.recipes) {
    State::Replica R;
    R.recipe = rc;
    R.scaled_gemm = rc.fp8_scaling || rc.name == "fp8-noscale";
    R.fwd.init(rc.acc, rc.activations, rc.weights, spec.dot_impl);
    R.wgrad.init(rc.acc, rc.gradients, rc.activations, spec.dot_impl);
    R.dgrad.init(rc.acc, rc.gradients, rc.weights, spec.dot_impl);
    const Format& U = rc.update_format();
    for (size_t l = 0; l < layers; ++l) {
      Layer L;
      L.in = spec.model.sizes[l];
      L.out = spec.model.sizes[l + 1];
      L.p.resize(L.np());
      for (size_t k = 0; k < L.np(); ++k) L.p[k] = round_to(U, init[l][k]);
      L.comp.assign(L.np(), 0.0f);
      L.m.assign(L.np(), 0.0f);
      L.v.assign(spec.optimizer.kind == Optimizer::Kind::Adam ? L.np() : 0, 0.0f);
      R.layers.push_back(std::move(L));
    }
    R.step.resize(layers);
    R.probe.resize(layers);
    s.replicas.push_back(std::move(R));
    RecipeResult rr;
    rr.recipe = rc;
    rr.lost.assign(layers, {});
    rr.underflow.assign(layers, {});
    rr.histogram.assign(layers, {});
    for (auto* v : {&rr.loss, &rr.accuracy}) v->reserve(res.steps);
    res.recipes.push_back(std::move(rr));
  }
  return t;
}


const Dataset& Training::data() const { return state_->data; }
const TrainResults& Training::results() const { return state_->results; }

int Training::predict(size_t recipe, const float* x) {
  int c = 0;
  predict(recipe, x, 1, &c);
  return c;
}

void Training::predict(size_t recipe, const float* x, size_t n, int* classes) {
  State& s = *state_;
  State::Replica& R = s.replicas.at(recipe);
  s.prepare_weights(R, false);  // between a step's parts: the same bits as the step's own
  s.forward(R, R.probe, x, n, false);  // rows are independent: a batch changes no row's bits
  const size_t out = R.layers.back().out;
  for (size_t j = 0; j < n; ++j) {
    const float* z = &R.probe.back().z[j * out];
    size_t best = 0;
    for (size_t k = 1; k < out; ++k)
      if (z[k] > z[best]) best = k;
    classes[j] = static_cast<int>(best);
  }
}

std::vector<std::vector<float>> Training::parameters(size_t recipe) const {
  std::vector<std::vector<float>> out;
  for (const Layer& L : state_->replicas.at(recipe).layers) out.push_back(L.p);
  return out;
}

double Training::batch_gradient(size_t recipe, const std::vector<size_t>& rows,
                                std::vector<std::vector<double>>* grad) {
  State& s = *state_;
  State::Replica& R = s.replicas.at(recipe);
  const int features = s.data.features;
  std::vector<float> x(rows.size() * features);
  std::vector<int> y(rows.size());
  for (size_t j = 0; j < rows.size(); ++j) {
    std::copy_n(&s.data.train_x[rows[j] * features], features, &x[j * features]);
    y[j] = s.data.train_y[rows[j]];
  }
  s.prepare_weights(R, false);
  s.forward(R, R.probe, x.data(), rows.size(), false);
  uint64_t correct = 0;
  const double loss = s.loss(R, R.probe, y.data(), rows.size(), &correct, &s.probe_dlogits);
  s.backward(R, R.probe, rows.size(), s.probe_dlogits, false);
  const int k = R.recipe.loss_scale.kind == sim::LossScale::Kind::Dynamic ? R.scaler.k : 0;
  grad->clear();
  for (const Pass& A : R.probe) {
    std::vector<double> g(A.g.size());
    for (size_t i = 0; i < g.size(); ++i) g[i] = A.g[i] * pow2(-k);
    grad->push_back(std::move(g));
  }
  return loss;
}

}  // namespace mantissa::train
