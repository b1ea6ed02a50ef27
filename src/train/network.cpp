#include "train/network.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/rounding.h"
#include "kernels/accumulate.h"  // add_round_to_odd_fp32, fp32_to_fp16_rne, fp16_to_fp32
#include "kernels/convert.h"
#include "kernels/gemm.h"
#include "sim/random.h"
#include "sim/update_rule.h"

namespace mantissa::train {

namespace {

using sim::RandomStream;

double pow2(int e) { return std::ldexp(1.0, e); }  // exact

// x rounded once (rne) into f, as a float (every recipe format lies within
// fp32, so the value is exact in a float). fp32 itself: the IEEE conversion
// double -> float is that same rounding.
float round_to(const Format& f, double x, bool saturate = false) {
  if (f == fp32() && !saturate) return static_cast<float>(x);
  RoundingOptions o;
  o.saturate = saturate;
  return static_cast<float>(to_double(f, round_double(f, x, o).bits));
}

// n floats to a narrow target's codes (rne, no saturation) and back to floats.
template <typename Narrow>
void there_and_back(void (*to)(const float*, Narrow*, size_t, bool, kernels::Impl),
                    void (*from)(const Narrow*, float*, size_t, kernels::Impl), const float* in, float* back, size_t n) {
  thread_local std::vector<Narrow> codes;
  codes.resize(n);
  to(in, codes.data(), n, false, kernels::Impl::Best);
  from(codes.data(), back, n, kernels::Impl::Best);
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

}  // namespace

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

// One dot product through the recipe's accumulator: the kernels where they
// cover it (bit-identical to the core, tests/kernels), seq:F (rne) for a
// narrow F by seq_dot_rne (pinned to the core by tests/train), else the
// core's dot().
class DotEngine {
 public:
  void init(const Accumulator& acc, const Format& a, const Format& b, kernels::DotImpl impl) {
    acc_ = acc;
    // The core takes both operands in one format: theirs, or fp32 (which holds
    // both exactly) when they differ.
    in_ = a == b ? a : fp32();
    impl_ = impl;
    seq_narrow_ = acc.kind == AccumulatorKind::Sequential && acc.mode == RoundingMode::NearestEven &&
                  acc.format != fp32();
    seq_fp16_ = seq_narrow_ && acc.format == fp16() && in_ == fp16();
    scratch_.in = in_;
    target_ = kernels::target_of(in_);
    lanes_ok_ = !seq_narrow_ && kernels::dot_lanes_model_of(acc, in_, &lanes_);
  }
  // out[i * n + j] = dot(a row i, b row j, k, c ? c[j] : 0) for an m x k a and
  // an n x k b: the GEMM lanes (kernels/gemm.h) where they cover the
  // accumulator, the one-dot path above for every output they hand back.
  void gemm(const float* a, size_t m, const float* b, size_t n, size_t k, const float* c, float* out) {
    if (!lanes_ok_) {
      for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) out[i * n + j] = dot(a + i * k, b + j * k, k, c ? c[j] : 0.0f);
      return;
    }
    c_bits_.resize(n);
    if (c) std::memcpy(c_bits_.data(), c, n * sizeof(float));
    out_bits_.resize(m * n);
    done_.resize(m * n);
    kernels::gemm_lanes(lanes_, a, b, {m, n, k}, c ? c_bits_.data() : nullptr, impl_, out_bits_.data(),
                        done_.data(), &gemm_scratch_);
    for (size_t i = 0; i < m; ++i) {
      for (size_t j = 0; j < n; ++j) {
        const size_t o = i * n + j;
        if (done_[o]) std::memcpy(&out[o], &out_bits_[o], sizeof(float));  // fp32 result bits
        else out[o] = dot(a + i * k, b + j * k, k, c ? c[j] : 0.0f);
      }
    }
  }
  float dot(const float* a, const float* b, size_t k, float c) {
    uint32_t cb;
    std::memcpy(&cb, &c, sizeof cb);
    uint64_t bits = 0;
    float fast;
    if (seq_fp16_ && seq_dot_fp16_rne(a, b, k, c, &fast)) return fast;
    if (seq_narrow_ && seq_dot_rne(acc_.format, a, b, k, c, &fast)) return fast;
    if (!kernels::dot_with_kernels(acc_, in_, a, b, k, cb, impl_, &bits)) {
      to_bits(a, k, &scratch_.a);
      to_bits(b, k, &scratch_.b);
      scratch_.c = cb;
      bits = mantissa::dot(acc_, scratch_);
    }
    return static_cast<float>(to_double(acc_.result_format(), bits));
  }

 private:
  // Values of in_ (exact) to its bit patterns.
  void to_bits(const float* v, size_t k, std::vector<uint64_t>* out) {
    out->resize(k);
    if (in_ == fp32()) {
      for (size_t i = 0; i < k; ++i) {
        uint32_t u;
        std::memcpy(&u, &v[i], sizeof u);
        (*out)[i] = u;
      }
    } else if (target_ && (*target_ == kernels::Target::Fp16 || *target_ == kernels::Target::Bf16)) {
      narrow16_.resize(k);
      if (*target_ == kernels::Target::Fp16) kernels::fp32_to_fp16(v, narrow16_.data(), k);
      else kernels::fp32_to_bf16(v, narrow16_.data(), k);
      for (size_t i = 0; i < k; ++i) (*out)[i] = narrow16_[i];
    } else {
      for (size_t i = 0; i < k; ++i) (*out)[i] = round_double(in_, v[i]).bits;
    }
  }
  Accumulator acc_;
  Format in_ = fp32();
  kernels::DotImpl impl_ = kernels::DotImpl::Scalar;
  bool seq_narrow_ = false, seq_fp16_ = false;
  std::optional<kernels::Target> target_;
  DotInput scratch_;
  std::vector<uint16_t> narrow16_;
  bool lanes_ok_ = false;
  kernels::DotLanesModel lanes_;
  kernels::GemmScratch gemm_scratch_;
  std::vector<uint32_t> c_bits_, out_bits_;
  std::vector<uint8_t> done_;
};

// Delayed scaling (FP8 recipes): the scale of a tensor is a power of two
// chosen from the largest |value| of the previous kHistory steps, so that
// value lands just under the format's largest finite number. A power of two
// keeps scaling exact (Transformer Engine uses any float scale; margin 0).
struct AmaxHistory {
  static constexpr size_t kHistory = 16;
  std::vector<float> h;
  size_t next = 0;
  int log2_scale(const Format& f) const {
    float m = 0;
    for (float a : h) m = std::max(m, a);
    if (!(m > 0) || !std::isfinite(m)) return 0;
    int e;
    std::frexp(to_double(f, f.max_finite_bits()) / m, &e);  // ratio = frac * 2^e, frac in [0.5, 1)
    return std::clamp(e - 1, -100, 100);
  }
  void push(float amax) {
    if (h.size() < kHistory) h.push_back(amax);
    else h[next] = amax;
    next = (next + 1) % kHistory;
  }
};

float amax_of(const std::vector<float>& v) {
  float m = 0;
  for (float x : v) {
    const float a = std::fabs(x);
    if (a > m || a != a) m = a;
  }
  return m;
}

void transpose(const std::vector<float>& in, size_t rows, size_t cols, std::vector<float>* out) {
  out->resize(rows * cols);
  for (size_t r = 0; r < rows; ++r)
    for (size_t c = 0; c < cols; ++c) (*out)[c * rows + r] = in[r * cols + c];
}

struct Layer {
  size_t in = 0, out = 0;
  size_t nw() const { return in * out; }
  size_t np() const { return in * out + out; }
  // Stored parameters [weights row-major [out][in] | biases] in the update
  // format, Kahan compensation, optimizer state (momentum / Adam m, v).
  std::vector<float> p, comp, m, v;
  std::vector<float> wc, bc, wct;  // compute copies (weights format; fp8: scaled) and wc transposed
  std::vector<float> g;            // gradients [weights | biases] as stored (loss-scaled)
  AmaxHistory ax, aw, ag;
  int sx = 0, sw = 0, sg = 0;  // log2 of the per-tensor scales (fp8)
  // One batch.
  std::vector<float> x, xt;    // GEMM input (n x in), quantized; transposed
  std::vector<float> z;        // pre-activation (n x out)
  std::vector<float> dz, dzt;  // dL/dz as the GEMM operand (n x out); transposed
  std::vector<float> dz32;     // fp8: dL/dz in fp32 before quantization
  uint64_t lost = 0, underflow = 0;
  uint64_t underflow_of = 1;  // how many gradients `underflow` counts among
};

}  // namespace

struct Training::State {
  Dataset data;
  TrainResults results;
  struct Replica {
    Recipe recipe;
    bool scaled_gemm = false;  // fp8 style: operands per-tensor scaled, outputs fp32, bias added in fp32
    DotEngine fwd, wgrad, dgrad;
    std::vector<Layer> layers;
    sim::Scaler scaler;
    uint64_t adam_t = 0;
    uint64_t epoch_correct = 0, epoch_seen = 0;
    // This step's records and this epoch's evaluation, held until every
    // recipe has done its part (results() only ever holds whole steps).
    double step_loss = 0, step_accuracy = 0;
    int step_log2_scale = 0;
    bool step_applied = true;
    std::vector<double> step_lost, step_underflow;  // per layer
    double test_accuracy = 0, test_loss = 0;
    std::vector<WeightHistogram> histogram;
  };
  std::vector<Replica> replicas;
  // Where advance_part() stands inside the current step.
  size_t next_recipe = 0;   // the next recipe to train on this step's minibatch
  bool evaluating = false;  // the epoch's last step is trained; its evaluation runs
  size_t eval_recipe = 0, eval_pos = 0;  // the next test sample of that recipe
  uint64_t eval_correct = 0;
  double eval_total = 0, eval_chunk_total = 0;  // see evaluate_slice()
  uint64_t parts = 0;
  std::vector<size_t> order;  // this epoch's permutation of the training rows
  size_t train_n = 0;
  uint64_t total_params = 0;
  std::vector<float> batch_x, ones;
  std::vector<int> batch_y;
  std::vector<double> dlogits;  // fp64 gradient of the loss w.r.t. the logits

  void prepare_weights(Replica& R, bool record);
  void forward(Replica& R, const float* x, size_t n, int features, bool record);
  // Loss (fp64) of the last forward pass, its logits' gradient into dlogits; correct answers into *correct.
  double loss(Replica& R, const int* y, size_t n, uint64_t* correct);
  // The same, adding each sample's cross-entropy to *total in order (NaN from a non-finite logit on).
  void add_loss(Replica& R, const int* y, size_t n, uint64_t* correct, double* total);
  void backward(Replica& R, size_t n, bool record);
  bool update(Replica& R, const Optimizer& opt, uint64_t step, uint64_t seed, int* log2_scale);

  // The parts of a step (Training::advance_part).
  void begin_step(const TrainSpec& spec, uint64_t step);
  void train_part(Replica& R, const TrainSpec& spec, uint64_t step);
  bool evaluate_slice(Replica& R);  // true when R's evaluation is complete
  void commit_step(bool epoch_end);
};

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
        L.aw.push(m);
      }
    }
    transpose(L.wc, L.out, L.in, &L.wct);
  }
}

void Training::State::forward(Replica& R, const float* x, size_t n, int features, bool record) {
  const Recipe& rc = R.recipe;
  std::vector<float> h(x, x + n * static_cast<size_t>(features));
  for (size_t l = 0; l < R.layers.size(); ++l) {
    Layer& L = R.layers[l];
    L.x.resize(n * L.in);
    if (!R.scaled_gemm) {
      round_floats(rc.activations, h.data(), L.x.data(), L.x.size());
    } else {
      L.sx = rc.fp8_scaling ? L.ax.log2_scale(rc.activations) : 0;
      const double s = pow2(L.sx);
      for (size_t k = 0; k < L.x.size(); ++k) L.x[k] = round_to(rc.activations, h[k] * s, true);
      if (record && rc.fp8_scaling) L.ax.push(amax_of(h));
    }
    L.z.resize(n * L.out);
    const double descale = pow2(-(L.sx + L.sw));
    R.fwd.gemm(L.x.data(), n, L.wc.data(), L.out, L.in, R.scaled_gemm ? nullptr : L.bc.data(), L.z.data());
    if (!R.scaled_gemm) {
      round_floats(rc.activations, L.z.data(), L.z.data(), L.z.size());
    } else {
      for (size_t j = 0; j < n; ++j) {
        for (size_t o = 0; o < L.out; ++o) {
          // fp32 GEMM output descaled (exact but for underflow), then the fp32 bias.
          float& z = L.z[j * L.out + o];
          const float r = static_cast<float>(z * descale);
          z = static_cast<float>(static_cast<double>(r) + L.bc[o]);
        }
      }
    }
    if (l + 1 < R.layers.size()) {
      h.resize(L.z.size());
      for (size_t k = 0; k < h.size(); ++k) h[k] = L.z[k] > 0 ? L.z[k] : 0.0f;  // ReLU: exact
    }
  }
}

double Training::State::loss(Replica& R, const int* y, size_t n, uint64_t* correct) {
  double total = 0;
  add_loss(R, y, n, correct, &total);
  return total / static_cast<double>(n);
}

void Training::State::add_loss(Replica& R, const int* y, size_t n, uint64_t* correct, double* total_io) {
  const Layer& top = R.layers.back();
  const size_t c = top.out;
  dlogits.assign(n * c, 0.0);
  double& total = *total_io;
  for (size_t j = 0; j < n; ++j) {
    const float* z = &top.z[j * c];
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

void Training::State::backward(Replica& R, size_t n, bool record) {
  const Recipe& rc = R.recipe;
  Layer& top = R.layers.back();
  const int k_scale = rc.loss_scale.kind == sim::LossScale::Kind::Dynamic ? R.scaler.k : 0;
  if (!R.scaled_gemm) {
    top.dz.resize(n * top.out);
    for (size_t k = 0; k < top.dz.size(); ++k) top.dz[k] = round_to(rc.gradients, dlogits[k] * pow2(k_scale));
  } else {
    top.dz32.resize(n * top.out);
    for (size_t k = 0; k < top.dz32.size(); ++k) top.dz32[k] = static_cast<float>(dlogits[k]);
  }
  if (ones.size() < n) ones.assign(n, 1.0f);
  for (size_t l = R.layers.size(); l-- > 0;) {
    Layer& L = R.layers[l];
    if (R.scaled_gemm) {
      L.sg = rc.fp8_scaling ? L.ag.log2_scale(rc.gradients) : 0;
      const double s = pow2(L.sg);
      L.dz.resize(L.dz32.size());
      for (size_t k = 0; k < L.dz.size(); ++k) L.dz[k] = round_to(rc.gradients, L.dz32[k] * s, true);
      // fp8: the gradients that underflow are the E5M2 operands (weight gradients come out in fp32).
      L.underflow = 0;
      L.underflow_of = std::max<size_t>(L.dz.size(), 1);
      for (size_t k = 0; k < L.dz.size(); ++k) L.underflow += L.dz[k] == 0 && L.dz32[k] != 0;
      if (record && rc.fp8_scaling) L.ag.push(amax_of(L.dz32));
    }
    transpose(L.dz, n, L.out, &L.dzt);
    transpose(L.x, n, L.in, &L.xt);
    L.g.resize(L.np());
    if (!R.scaled_gemm) {
      L.underflow = 0;
      L.underflow_of = L.np();
    }
    R.wgrad.gemm(L.dzt.data(), L.out, L.xt.data(), L.in, n, nullptr, L.g.data());
    R.wgrad.gemm(L.dzt.data(), L.out, ones.data(), 1, n, nullptr, L.g.data() + L.nw());
    // A gradient that underflowed: stored as zero while the same sum in fp64
    // (of the same stored operands) is not zero.
    // (The fp64 sum is computed only for the zeros: they are rare.)
    if (!R.scaled_gemm) round_floats(rc.gradients, L.g.data(), L.g.data(), L.g.size());
    auto store = [&](size_t idx, const float* a, const float* b, int descale_exp) {
      const float r = L.g[idx];  // the GEMM's sum, rounded into the gradients' format unless scaled
      const float v = R.scaled_gemm ? static_cast<float>(r * pow2(-descale_exp)) : r;
      L.g[idx] = v;
      if (!R.scaled_gemm && v == 0) {
        double exact = 0;
        for (size_t j = 0; j < n; ++j) exact += static_cast<double>(a[j]) * b[j];
        if (exact != 0) ++L.underflow;
      }
    };
    for (size_t o = 0; o < L.out; ++o) {
      const float* gr = &L.dzt[o * n];
      for (size_t i = 0; i < L.in; ++i) store(o * L.in + i, gr, &L.xt[i * n], L.sg + L.sx);
      store(L.nw() + o, gr, ones.data(), L.sg);
    }
    if (l == 0) break;
    Layer& P = R.layers[l - 1];  // its output, through ReLU, is L's input
    std::vector<float>& d = R.scaled_gemm ? P.dz32 : P.dz;
    d.resize(n * P.out);
    const double descale = pow2(-(L.sg + L.sw));
    R.dgrad.gemm(L.dz.data(), n, L.wct.data(), L.in, L.out, nullptr, d.data());
    if (!R.scaled_gemm) round_floats(rc.gradients, d.data(), d.data(), d.size());
    for (size_t j = 0; j < n; ++j) {
      for (size_t i = 0; i < L.in; ++i) {
        const float r = d[j * P.out + i];  // the GEMM's sum (P.out == L.in), rounded unless scaled
        const float v = R.scaled_gemm ? static_cast<float>(r * descale) : r;
        d[j * P.out + i] = P.z[j * P.out + i] > 0 ? v : 0.0f;
      }
    }
  }
}

// ---- Update ------------------------------------------------------------------------------

bool Training::State::update(Replica& R, const Optimizer& opt, uint64_t step, uint64_t seed, int* log2_scale) {
  const Recipe& rc = R.recipe;
  const bool dynamic = rc.loss_scale.kind == sim::LossScale::Kind::Dynamic;
  const int k = dynamic ? R.scaler.k : 0;
  *log2_scale = k;
  bool found_inf = false;
  for (const Layer& L : R.layers)
    for (float g : L.g) found_inf = found_inf || !std::isfinite(g);
  for (Layer& L : R.layers) L.lost = 0;
  if (dynamic) {
    R.scaler.after_step(rc.loss_scale, found_inf);
    if (found_inf) return false;  // GradScaler skips the step
  }
  const Format& U = rc.update_format();
  sim::StrategySpec st;
  st.kind = rc.update;
  st.format = U;
  // The optimizer's constants, rounded into U once.
  const double lr = round_to(U, opt.lr), mu = round_to(U, opt.momentum);
  const double b1 = round_to(U, opt.beta1), b2 = round_to(U, opt.beta2);
  const double c1 = round_to(U, 1.0 - opt.beta1), c2 = round_to(U, 1.0 - opt.beta2), eps = round_to(U, opt.eps);
  double bc1 = 1, bc2 = 1;
  if (opt.kind == Optimizer::Kind::Adam) {
    ++R.adam_t;
    double p1 = 1, p2 = 1;
    for (uint64_t t = 0; t < R.adam_t && t < 100000; ++t) {
      p1 *= opt.beta1;
      p2 *= opt.beta2;
    }
    bc1 = round_to(U, 1.0 - p1);
    bc2 = round_to(U, 1.0 - p2);
  }
  auto r = [&](double x) { return static_cast<double>(round_to(U, x)); };
  uint64_t index = 0;
  for (Layer& L : R.layers) {
    for (size_t i = 0; i < L.np(); ++i, ++index) {
      const double g = r(L.g[i] * pow2(-k));
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
      sim::apply_update(st, &wt, inc, seed, step * total_params + index);
      if (inc != 0 && wt.w == before) ++L.lost;
      L.p[i] = static_cast<float>(wt.w);
      L.comp[i] = static_cast<float>(wt.c);
    }
  }
  return true;
}

// One slice of R's evaluation on the test set, from eval_pos. The test loss
// is a sum over chunks of kEvalChunk samples of (the chunk's mean loss) x (its
// size), each chunk's mean a sum in sample order: slices subdivide chunks, so
// the sums see the same additions in the same order however the evaluation is
// sliced (and as when it was one call).
bool Training::State::evaluate_slice(Replica& R) {
  constexpr size_t kEvalChunk = 256;
  static_assert(kEvalChunk % Training::kEvalSlice == 0, "a slice never straddles two chunks");
  const size_t n = data.test_size();
  if (eval_pos < n) {
    prepare_weights(R, false);  // the same bits every slice: nothing recorded, weights unchanged
    const size_t chunk_begin = eval_pos / kEvalChunk * kEvalChunk;
    const size_t chunk_size = std::min(kEvalChunk, n - chunk_begin);
    const size_t m = std::min(Training::kEvalSlice, n - eval_pos);
    forward(R, &data.test_x[eval_pos * data.features], m, data.features, false);
    add_loss(R, &data.test_y[eval_pos], m, &eval_correct, &eval_chunk_total);
    eval_pos += m;
    if (eval_pos == chunk_begin + chunk_size) {
      const double size = static_cast<double>(chunk_size);
      eval_total += eval_chunk_total / size * size;
      eval_chunk_total = 0;
    }
    if (eval_pos < n) return false;
  }
  R.test_accuracy = n ? static_cast<double>(eval_correct) / static_cast<double>(n) : 0;
  R.test_loss = n ? eval_total / static_cast<double>(n) : 0;
  R.histogram.assign(R.layers.size(), {});
  for (size_t l = 0; l < R.layers.size(); ++l) {
    WeightHistogram& h = R.histogram[l];
    h.counts.assign(WeightHistogram::kMaxExp - WeightHistogram::kMinExp + 1, 0);
    const Layer& L = R.layers[l];
    for (size_t k = 0; k < L.nw(); ++k) {
      const float w = L.p[k];
      if (w == 0) ++h.zero;
      else if (!std::isfinite(w)) ++h.nonfinite;
      else {
        int e;
        std::frexp(w, &e);  // |w| in [2^(e-1), 2^e)
        const int bin = std::clamp(e - 1, WeightHistogram::kMinExp, WeightHistogram::kMaxExp);
        ++h.counts[bin - WeightHistogram::kMinExp];
      }
    }
  }
  eval_pos = 0;
  eval_correct = 0;
  eval_total = eval_chunk_total = 0;
  return true;
}

// The first part of a step: this epoch's order (at its first step) and the
// step's minibatch, shared by every recipe.
void Training::State::begin_step(const TrainSpec& spec, uint64_t step) {
  const uint64_t epoch = step / results.steps_per_epoch, pos = step % results.steps_per_epoch;
  const int features = data.features;
  if (pos == 0) {
    // This epoch's order: a Fisher-Yates permutation drawn from the seed.
    order.resize(train_n);
    for (size_t i = 0; i < train_n; ++i) order[i] = i;
    for (size_t i = train_n; i-- > 1;) {
      const uint64_t r = sim::random_bits64(spec.seed, RandomStream::TrainShuffle, (epoch << 32) | i);
      std::swap(order[i], order[r % (i + 1)]);
    }
    for (auto& R : replicas) R.epoch_correct = R.epoch_seen = 0;
  }
  const size_t begin = pos * spec.batch, n = std::min<size_t>(spec.batch, train_n - begin);
  batch_x.resize(n * features);
  batch_y.resize(n);
  for (size_t j = 0; j < n; ++j) {
    const size_t row = order[begin + j];
    std::copy_n(&data.train_x[row * features], features, &batch_x[j * features]);
    batch_y[j] = data.train_y[row];
  }
}

// One recipe's forward, backward and update on the step's minibatch; its
// records wait in R until commit_step().
void Training::State::train_part(Replica& R, const TrainSpec& spec, uint64_t step) {
  const size_t n = batch_y.size();
  prepare_weights(R, true);
  forward(R, batch_x.data(), n, data.features, true);
  uint64_t correct = 0;
  R.step_loss = loss(R, batch_y.data(), n, &correct);
  backward(R, n, true);
  R.step_applied = update(R, spec.optimizer, step, spec.seed, &R.step_log2_scale);
  R.epoch_correct += correct;
  R.epoch_seen += n;
  R.step_accuracy = static_cast<double>(correct) / static_cast<double>(n);
  R.step_lost.resize(R.layers.size());
  R.step_underflow.resize(R.layers.size());
  for (size_t l = 0; l < R.layers.size(); ++l) {
    const Layer& L = R.layers[l];
    R.step_lost[l] = static_cast<double>(L.lost) / static_cast<double>(L.np());
    R.step_underflow[l] = static_cast<double>(L.underflow) / static_cast<double>(L.underflow_of);
  }
}

// Every recipe has done its part of the step (and of the epoch's evaluation
// when the step ended an epoch): its records go into the results at once.
void Training::State::commit_step(bool epoch_end) {
  for (size_t r = 0; r < replicas.size(); ++r) {
    Replica& R = replicas[r];
    RecipeResult& out = results.recipes[r];
    out.loss.push_back(R.step_loss);
    out.accuracy.push_back(R.step_accuracy);
    out.log2_scale.push_back(R.step_log2_scale);
    out.skipped.push_back(R.step_applied ? 0 : 1);
    if (!R.step_applied) ++out.skipped_steps;
    for (size_t l = 0; l < R.layers.size(); ++l) {
      out.lost[l].push_back(R.step_lost[l]);
      out.underflow[l].push_back(R.step_underflow[l]);
    }
    if (epoch_end) {
      out.train_accuracy.push_back(static_cast<double>(R.epoch_correct) / static_cast<double>(R.epoch_seen));
      out.test_accuracy.push_back(R.test_accuracy);
      out.test_loss.push_back(R.test_loss);
      out.histogram = R.histogram;
    }
  }
  ++results.steps_done;
}

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
bool Training::finished() const { return state_->results.steps_done >= state_->results.steps; }
double Training::progress() const {
  const TrainResults& r = state_->results;
  return r.steps ? static_cast<double>(r.steps_done) / static_cast<double>(r.steps) : 1.0;
}
void Training::run() {
  while (advance(1000)) {
  }
}

bool Training::advance(uint64_t max_steps) {
  const TrainResults& res = state_->results;
  const uint64_t target = res.steps_done + std::min(max_steps, res.steps - res.steps_done);
  while (res.steps_done < target) advance_part();
  return res.steps_done < res.steps;
}

bool Training::advance_part() {
  State& s = *state_;
  const TrainResults& res = s.results;
  if (res.steps_done >= res.steps) return false;
  const uint64_t step = res.steps_done;
  const bool epoch_end = (step + 1) % res.steps_per_epoch == 0;
  if (!s.evaluating) {
    if (s.next_recipe == 0) s.begin_step(spec_, step);
    if (s.next_recipe < s.replicas.size()) s.train_part(s.replicas[s.next_recipe++], spec_, step);
    if (s.next_recipe >= s.replicas.size()) {
      s.next_recipe = 0;
      if (epoch_end) s.evaluating = true;
      else s.commit_step(false);
    }
  } else if (s.eval_recipe >= s.replicas.size() || s.evaluate_slice(s.replicas[s.eval_recipe])) {
    if (++s.eval_recipe >= s.replicas.size()) {
      s.eval_recipe = 0;
      s.evaluating = false;
      s.commit_step(true);
    }
  }
  ++s.parts;
  return res.steps_done < res.steps;
}

Training::Part Training::next_part() const {
  const State& s = *state_;
  return s.evaluating ? Part{s.eval_recipe, true} : Part{s.next_recipe, false};
}

uint64_t Training::parts_done() const { return state_->parts; }

int Training::predict(size_t recipe, const float* x) {
  int c = 0;
  predict(recipe, x, 1, &c);
  return c;
}

void Training::predict(size_t recipe, const float* x, size_t n, int* classes) {
  State& s = *state_;
  State::Replica& R = s.replicas.at(recipe);
  s.prepare_weights(R, false);
  s.forward(R, x, n, s.data.features, false);  // rows are independent: a batch changes no row's bits
  const Layer& top = R.layers.back();
  for (size_t j = 0; j < n; ++j) {
    const float* z = &top.z[j * top.out];
    size_t best = 0;
    for (size_t k = 1; k < top.out; ++k)
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
  s.forward(R, x.data(), rows.size(), features, false);
  uint64_t correct = 0;
  const double loss = s.loss(R, y.data(), rows.size(), &correct);
  s.backward(R, rows.size(), false);
  const int k = R.recipe.loss_scale.kind == sim::LossScale::Kind::Dynamic ? R.scaler.k : 0;
  grad->clear();
  for (const Layer& L : R.layers) {
    std::vector<double> g(L.g.size());
    for (size_t i = 0; i < g.size(); ++i) g[i] = L.g[i] * pow2(-k);
    grad->push_back(std::move(g));
  }
  return loss;
}

}  // namespace mantissa::train
