// Precision recipes: how a network's tensors are stored and computed. Each
// recipe is one strategy of a training run; every recipe starts from the same
// initial weights and sees the same minibatches.
//
//   name                 weights  activations  gradients  accumulate  stored weights / optimizer  loss scale
//   fp32                 fp32     fp32         fp32       seq:fp32    fp32                        -
//   fp16                 fp16     fp16         fp16       seq:fp16    fp16 (rne)                  -
//   fp16-amp             fp16     fp16         fp16       seq:fp32    fp32 master                 dynamic (GradScaler)
//   fp16-master-noscale  fp16     fp16         fp16       seq:fp32    fp32 master                 -
//   bf16                 bf16     bf16         bf16       seq:fp32    bf16 (rne)                  -
//   bf16-kahan           bf16     bf16         bf16       seq:fp32    bf16, Kahan-compensated     -
//   bf16-sr              bf16     bf16         bf16       seq:fp32    bf16, stochastic rounding   -
//   fp8                  e4m3*    e4m3*        e5m2*      seq:fp32    fp32 master                 per-tensor delayed scaling (*)
//   fp8-noscale          as fp8 with every per-tensor scale fixed at 1
//   custom:w=F/a=F/g=F/acc=ACC/master=on|off/update=rne|kahan|sr/ls=none|dynamic
//                        defaults fp32, seq:fp32, off, rne, none; ACC any accumulator of core/dot.h
//
// bf16 hardware accumulates its matrix products in fp32, hence seq:fp32 for
// the bf16 recipes; pure fp16 accumulates in fp16 ("fp16 everywhere").
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/dot.h"
#include "core/format.h"
#include "sim/setup.h"

namespace mantissa::train {

struct Recipe {
  std::string name;
  Format weights = fp32();      // the weights the matrix products read
  Format activations = fp32();  // layer outputs (logits included)
  Format gradients = fp32();    // every gradient tensor
  Accumulator acc;              // every dot product (forward and backward)
  bool master = false;          // fp32 master weights and optimizer state, rounded into `weights` each step
  sim::StrategySpec::Kind update = sim::StrategySpec::Kind::Plain;  // how the stored weights take an increment
  sim::LossScale loss_scale;    // None or Dynamic
  bool fp8_scaling = false;     // per-tensor delayed scaling (fp8): weights, inputs and gradients of each layer
  // The format of the stored weights and the optimizer state.
  const Format& update_format() const { return master ? fp32() : weights; }
};

// The standard recipes, in display order.
const std::vector<std::string>& standard_recipe_names();

// One recipe by name (table above). False with one sentence in *error.
bool parse_recipe(std::string_view text, Recipe* out, std::string* error);
// A list separated by commas, or by ';' when it contains one. Separated by
// commas, a piece after a custom recipe that names no recipe continues it
// (its accumulator may hold commas: custom:acc=tc:fma=8,neab=3,fp32).
bool parse_recipe_list(std::string_view text, std::vector<Recipe>* out, std::string* error);

}  // namespace mantissa::train
