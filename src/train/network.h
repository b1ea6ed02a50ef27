// Training a small MLP (ReLU hidden layers, softmax cross-entropy) by
// minibatch SGD with momentum or Adam, in several precision recipes side by
// side: every recipe starts from the same initial weights and sees the same
// minibatches, and every tensor operation rounds exactly as its recipe says
// (see recipe.h and README "Training a real network"):
//  - each dot product (forward, weight gradient, input gradient) goes through
//    the recipe's accumulator of core/dot.h (the kernels of kernels/dot.h
//    where they cover it, bit-identical to the core), the bias as its c term;
//  - its result is rounded once into the activation or gradient format;
//  - each element-wise optimizer operation is computed on values of the
//    update format U (at most fp32's 24 bits) in double and rounded once into
//    U: exact for products, and for + - / sqrt the double rounding is
//    innocuous because 53 >= 2p + 2 (Figueroa, "When is double rounding
//    innocuous?", 1995); sums go through round_sum anyway;
//  - the stored weight takes its increment through sim::apply_update
//    (rne, Kahan or stochastic rounding, as the Training panel's strategies);
//  - softmax and the loss are computed in fp64 with portable exp/log (the
//    same bits on glibc and musl), and the logits' gradient rounded once.
// The library is built with -ffp-contract=off: no FMA contraction anywhere.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/dot.h"
#include "train/dataset.h"
#include "train/recipe.h"

namespace mantissa::train {

// Layer widths, input first: "64-32-10".
struct Model {
  std::vector<int> sizes;
  std::string name() const;
  uint64_t parameters() const;  // weights and biases
};
constexpr int kMaxWidth = 4096;
constexpr int kMaxLayers = 8;  // weight layers
bool parse_model(std::string_view text, Model* out, std::string* error);

struct Optimizer {
  enum class Kind { Sgd, Adam };
  Kind kind = Kind::Sgd;
  double lr = 0.1;
  double momentum = 0.9;  // sgd
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  // adam (PyTorch defaults)
  std::string name() const;  // canonical: "sgd:lr=0.1,momentum=0.9", "adam:lr=0.001,beta1=..."
};
// "sgd:lr=X[,momentum=M]" or "adam:lr=X[,beta1=B1][,beta2=B2][,eps=E]".
bool parse_optimizer(std::string_view text, Optimizer* out, std::string* error);

constexpr uint64_t kMaxEpochs = 10000;

constexpr double kMinLossWeight = 1e-12;
// A number from kMinLossWeight to 1 ("3e-6"); the error names --loss-weight.
bool parse_loss_weight(std::string_view text, double* out, std::string* error);
std::string loss_weight_name(double w);  // the shortest text that reads back as w

struct TrainSpec {
  std::string data = "digits";
  uint64_t data_seed = 0;  // synthetic sets only
  Model model;             // empty: the data set's default (digits 64-32-10, 2-D sets 2-16-16-2)
  Optimizer optimizer;
  std::vector<Recipe> recipes;
  uint64_t epochs = 1;
  uint64_t batch = 32;
  uint64_t seed = 0;         // initial weights, minibatch order, stochastic rounding
  uint64_t train_limit = 0;  // use only the first N training samples (0: all)
  // The loss is multiplied by this constant (kMinLossWeight to 1), as a
  // down-weighted loss term or a loss averaged over many more elements than
  // the batch: every gradient scales with it, so below about 1e-5 the fp16
  // gradients of recipes without a loss scale fall into the subnormals and to
  // 0. The reported loss stays the unweighted mean cross-entropy.
  double loss_weight = 1;
  kernels::DotImpl dot_impl = kernels::best_dot_impl();
};

// Weight exponents of a layer: bins of floor(log2 |w|) from kMinExp to kMaxExp.
struct WeightHistogram {
  static constexpr int kMinExp = -40, kMaxExp = 7;
  std::vector<uint64_t> counts;  // kMaxExp - kMinExp + 1 bins; below kMinExp counts in bin 0
  uint64_t zero = 0, nonfinite = 0;
};

struct RecipeResult {
  Recipe recipe;
  // Per step (one minibatch).
  std::vector<double> loss;      // mean cross-entropy of the batch (NaN once the network broke)
  std::vector<double> accuracy;  // fraction of the batch classified right
  std::vector<int> log2_scale;   // the loss scale this step used (0: none)
  std::vector<uint8_t> skipped;  // the step was skipped (inf/NaN gradient under dynamic loss scaling)
  std::vector<std::vector<double>> lost;       // [layer][step]: increments != 0 that left the stored weight unchanged
  // [layer][step]: weight and bias gradients stored as 0 whose fp64 value (the
  // same sum of the same stored operands) was not; fp8 recipes: the layer's
  // output gradients quantized to 0 in E5M2 that were not 0 in fp32.
  std::vector<std::vector<double>> underflow;
  // Per epoch.
  std::vector<double> train_accuracy, test_accuracy, test_loss;
  uint64_t skipped_steps = 0;
  std::vector<WeightHistogram> histogram;  // per layer, after the last finished epoch
};

struct TrainResults {
  uint64_t steps = 0, steps_done = 0, steps_per_epoch = 0, train_size = 0, test_size = 0;
  std::string dot_kernel;  // "avx2", "wasm-simd128", "scalar"
  std::vector<RecipeResult> recipes;
};

// Validates the spec against the data set (model ends, limits, memory budget).
bool validate(const TrainSpec& spec, const Dataset& data, std::string* error);
uint64_t estimate_memory(const TrainSpec& spec, const Dataset& data);

class Training {
 public:
  // Loads the data, validates, then allocates. nullptr with one sentence in *error.
  static std::unique_ptr<Training> create(const TrainSpec& spec, std::string* error);
  ~Training();
  Training(const Training&) = delete;
  Training& operator=(const Training&) = delete;

  // Runs up to max_steps more steps (each: one minibatch for every recipe,
  // and after an epoch's last step the epoch's evaluation), each recipe's
  // step in whole layers. True while steps remain.
  bool advance(uint64_t max_steps);
  void run();
  // The finest unit of work, for a caller with a time budget per frame (the
  // Network panel): a piece of one recipe's step on the current step's
  // minibatch, or, after an epoch's last step, one recipe's evaluation of at
  // most kEvalSlice test samples (its last slice also takes the weight
  // histogram). A step's pieces (Stage): its weights' compute copies; rows of
  // one layer's forward pass; the loss; rows of one layer's weight gradients
  // (with its output gradients as operands first); batch rows of the
  // gradients it passes down; ranges of parameters of the optimizer's update
  // (the weights a probe sees between them are partly updated). A piece of
  // a GEMM holds about part_work() multiply-adds (at least one row). results() changes
  // only when a step is complete, with its epoch's evaluation: it always
  // holds whole steps, and stopping between parts changes no bit of what
  // follows (every dot product is the same whatever rows go with it, fp8
  // amax histories take the step's amax at its end, predict() and
  // batch_gradient() run on their own buffers). True while work remains.
  bool advance_part();
  static constexpr size_t kEvalSlice = 32;
  static constexpr uint64_t kPartWork = 16384;
  static constexpr uint64_t kUpdateSlice = 256;  // the fewest parameters a piece of the update takes
  uint64_t part_work() const;
  void set_part_work(uint64_t multiply_adds);  // 0: kPartWork
  enum class Stage : uint8_t { Prepare, Forward, Loss, WeightGrad, InputGrad, Update, Evaluation };
  static constexpr int kStages = 7;
  // What advance_part() does next (for cost estimates per kind of part).
  struct Part {
    size_t recipe = 0;
    bool evaluation = false;
    Stage stage = Stage::Prepare;
    size_t layer = 0;  // Forward, WeightGrad, InputGrad
  };
  Part next_part() const;
  uint64_t parts_done() const;
  bool finished() const;
  double progress() const;
  const TrainSpec& spec() const { return spec_; }
  const Dataset& data() const;
  const TrainResults& results() const;

  // The class recipe r's current weights give one input (for
  // decision regions), computed exactly as the recipe's forward pass.
  int predict(size_t recipe, const float* x);
  // The same for n inputs (row-major, features each) at once: the weights are
  // prepared once, and each row's class is the one predict() gives it.
  void predict(size_t recipe, const float* x, size_t n, int* classes);

  // For tests: the stored parameters of recipe r per layer (weights row-major
  // [out][in], then biases), and the gradient one minibatch of training rows
  // gives at them (unscaled, as values), through the recipe's own forward and
  // backward passes, without updating anything. Returns the batch's loss.
  std::vector<std::vector<float>> parameters(size_t recipe) const;
  double batch_gradient(size_t recipe, const std::vector<size_t>& rows, std::vector<std::vector<double>>* grad);

 private:
  explicit Training(const TrainSpec& spec);
  struct State;
  TrainSpec spec_;
  std::unique_ptr<State> state_;
};

// seq:F with rne for F within fp32 on values held as floats (the products are
// exact doubles; each sum is rounded once by round_sum): the core's seq:F
// without building bit vectors. False (nothing written) when a product or the
// sum is not finite: the core's special-value rules then decide.
bool seq_dot_rne(const Format& f, const float* a, const float* b, size_t k, float c, float* out);

// seq:fp16 (rne) on fp16 inputs, the same bits as seq_dot_rne(fp16(), ...)
// without the core's general rounding per term. Why it is exact: a product of
// two fp16 values (at most 22 significant bits, lsb >= 2^-48) is exact in
// fp32; the sum s + p rounded to odd in fp32 (kernels' add_round_to_odd_fp32)
// keeps 24 >= 11 + 2 bits, so rounding it to nearest-even into fp16 gives the
// correct rounding of the exact sum (the round-to-odd theorem).
bool seq_dot_fp16_rne(const float* a, const float* b, size_t k, float c, float* out);

// Reports: the CLI's --json (keys in the README), --csv (one row per step and
// recipe) and text summary; the JS API returns the same JSON.
std::string train_json(const Training& t);
std::string train_csv(const Training& t);
std::string train_text(const Training& t);

}  // namespace mantissa::train
