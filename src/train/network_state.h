// Private to the trainer (network.cpp: the numerics of a step, pass by
// pass; network_parts.cpp: the same step cut into resumable parts for a
// caller with a time budget per frame). Not part of the library's API.
#pragma once
#include <cmath>
#include <cstring>
#include <optional>
#include <vector>

#include "core/rounding.h"
#include "kernels/convert.h"
#include "kernels/gemm.h"
#include "sim/update_rule.h"
#include "train/network.h"

namespace mantissa::train::detail {

inline double pow2(int e) { return std::ldexp(1.0, e); }  // exact

// x rounded once (rne) into f, as a float (every recipe format lies within
// fp32, so the value is exact in a float).
float round_to(const Format& f, double x, bool saturate = false);
// in[i] rounded once (rne) into f, into out[i] (in == out allowed).
void round_floats(const Format& f, const float* in, float* out, size_t n);
// The largest |v[i]| (NaN once a NaN is seen), continuing from m: one call
// over a whole tensor or calls over consecutive slices give the same value.
float amax_into(float m, const float* v, size_t n);

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

struct Layer {
  size_t in = 0, out = 0;
  size_t nw() const { return in * out; }
  size_t np() const { return in * out + out; }
  // Stored parameters [weights row-major [out][in] | biases] in the update
  // format, Kahan compensation, optimizer state (momentum / Adam m, v).
  std::vector<float> p, comp, m, v;
  std::vector<float> wc, bc, wct;  // compute copies (weights format; fp8: scaled) and wc transposed
  AmaxHistory ax, aw, ag;
  int sw = 0;  // log2 of the weights' per-tensor scale (fp8)
  // fp8: this step's amax of the weights, inputs and output gradients, pushed
  // into the histories when the recipe's step ends (so that any pass between
  // the parts of a step scales exactly as the step does).
  float amax_w = 0, amax_x = 0, amax_g = 0;
  uint64_t lost = 0;  // increments != 0 that left the stored weight unchanged (this step)
};

// One pass over a batch through one layer: the step's own, or a probe's
// (evaluation, predict, batch_gradient), so that a probe between the parts of
// a step never touches what the step holds.
struct Pass {
  std::vector<float> x, xt;    // GEMM input (n x in), quantized; transposed
  std::vector<float> z;        // pre-activation (n x out)
  std::vector<float> dz, dzt;  // dL/dz as the GEMM operand (n x out); transposed
  std::vector<float> dz32;     // fp8: dL/dz in fp32 before quantization
  std::vector<float> g;        // gradients [weights | biases] as stored (loss-scaled)
  int sx = 0, sg = 0;          // log2 of the per-tensor scales (fp8)
  uint64_t underflow = 0;
  uint64_t underflow_of = 1;  // how many gradients `underflow` counts among
};

}  // namespace mantissa::train::detail

namespace mantissa::train {

struct Training::State {
  using DotEngine = detail::DotEngine;
  using Layer = detail::Layer;
  using Pass = detail::Pass;
  Dataset data;
  TrainResults results;
  // The optimizer's constants for one step, rounded into the update format.
  struct UpdateConstants {
    int k = 0;  // log2 of the loss scale the gradients carry
    double lr = 0, mu = 0, b1 = 0, b2 = 0, c1 = 0, c2 = 0, eps = 0, bc1 = 1, bc2 = 1;
  };
  struct Replica {
    Recipe recipe;
    bool scaled_gemm = false;  // fp8 style: operands per-tensor scaled, outputs fp32, bias added in fp32
    DotEngine fwd, wgrad, dgrad;
    std::vector<Layer> layers;
    std::vector<Pass> step, probe;  // per layer
    sim::Scaler scaler;
    uint64_t adam_t = 0;
    UpdateConstants update;
    uint64_t epoch_correct = 0, epoch_seen = 0;
    // This step's records and this epoch's evaluation, held until every
    // recipe has done its part (results() only ever holds whole steps).
    double step_loss = 0, step_accuracy = 0;
    uint64_t step_correct = 0;
    int step_log2_scale = 0;
    bool step_applied = true;
    std::vector<double> step_lost, step_underflow;  // per layer
    double test_accuracy = 0, test_loss = 0;
    std::vector<WeightHistogram> histogram;
  };
  std::vector<Replica> replicas;
  double loss_weight = 1;  // TrainSpec::loss_weight

  // Where advance_part() stands inside the current step (network_parts.cpp).
  size_t next_recipe = 0;  // the recipe whose step is under way, or next
  Training::Stage stage = Training::Stage::Prepare;
  size_t layer = 0, pos = 0;  // the layer of that stage, and the next row of it
  bool evaluating = false;    // the epoch's last step is trained; its evaluation runs
  size_t eval_recipe = 0, eval_pos = 0;  // the next test sample of that recipe
  uint64_t eval_correct = 0;
  double eval_total = 0, eval_chunk_total = 0;  // see evaluate_slice()
  uint64_t parts = 0;
  uint64_t part_work = Training::kPartWork;
  std::vector<size_t> order;  // this epoch's permutation of the training rows
  size_t train_n = 0;
  uint64_t total_params = 0;
  std::vector<float> batch_x, ones;
  std::vector<int> batch_y;
  std::vector<double> dlogits, probe_dlogits;  // fp64 gradient of the loss w.r.t. the logits

  // The numerics (network.cpp). A pass runs on `P` (R.step or R.probe);
  // record: a training step's pass (fp8 amax kept for the histories).
  void prepare_weights(Replica& R, bool record);
  // Rows [r0, r1) of layer l's forward pass over a batch of n rows: l's input
  // is x (n x features) for l == 0, else the ReLU of layer l - 1's outputs.
  void forward_rows(Replica& R, std::vector<Pass>& P, size_t l, const float* x, size_t n, size_t r0, size_t r1,
                    bool record);
  void forward(Replica& R, std::vector<Pass>& P, const float* x, size_t n, bool record);
  // Loss (fp64) of the last forward pass, its logits' gradient into *dl; correct answers into *correct.
  double loss(Replica& R, std::vector<Pass>& P, const int* y, size_t n, uint64_t* correct, std::vector<double>* dl);
  // The same, adding each sample's cross-entropy to *total in order (NaN from a non-finite logit on).
  void add_loss(Replica& R, std::vector<Pass>& P, const int* y, size_t n, uint64_t* correct, double* total,
                std::vector<double>* dl);
  // Layer l's backward pass, in three kinds of pieces: its output gradients
  // as GEMM operands (from dl for the top layer), then rows [o0, o1) of its
  // weight gradients (and their biases), then batch rows [j0, j1) of the
  // gradients of layer l - 1's outputs (l > 0).
  void backward_begin(Replica& R, std::vector<Pass>& P, size_t l, size_t n, const std::vector<double>& dl,
                      bool record);
  void backward_wgrad(Replica& R, std::vector<Pass>& P, size_t l, size_t n, size_t o0, size_t o1);
  void backward_dgrad(Replica& R, std::vector<Pass>& P, size_t l, size_t n, size_t j0, size_t j1);
  void backward(Replica& R, std::vector<Pass>& P, size_t n, const std::vector<double>& dl, bool record);
  // The update: its first part (the loss scale, the optimizer's constants;
  // false when GradScaler skips the step), then ranges of parameters.
  bool update_begin(Replica& R, const Optimizer& opt, int* log2_scale);
  void update_range(Replica& R, const Optimizer& opt, uint64_t step, uint64_t seed, uint64_t begin, uint64_t end);
  void push_amax(Replica& R);  // the step's fp8 amax into the histories

  // The parts of a step (network_parts.cpp).
  void begin_step(const TrainSpec& spec, uint64_t step);
  // One part of recipe R's step (stage, layer, pos); true when its step is done.
  bool step_part(Replica& R, const TrainSpec& spec, uint64_t step, uint64_t work);
  void end_recipe_step(Replica& R);
  bool evaluate_slice(Replica& R);  // true when R's evaluation is complete
  void commit_step(bool epoch_end);
};

}  // namespace mantissa::train
