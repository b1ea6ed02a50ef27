#include "app/training_presets.h"

namespace mantissa::app {
namespace {

// Every preset starts from the defaults: nothing of the previous run leaks in.
TrainingScenario base(const char* w0, const char* inc, uint64_t steps, std::vector<std::string> strategies) {
  TrainingScenario t;
  t.w0 = w0;
  t.inc = inc;
  t.steps = steps;
  t.strategies = std::move(strategies);
  return t;
}

constexpr TrainingPreset kPresets[] = {
    {"tutorial-small", "Tutorial: 1.125 + 0.00041999, 101 times",
     "The fp16 weight never moves (the update is below half an ULP); the fp32 master copy ends at "
     "1.167429447174072265625.",
     [](TrainingScenario& t) {
       t = base("1.125", "0.00041999", 101, {"fp64", "fp32-master", "fp16"});
     }},
    {"tutorial-large", "Tutorial: 1.125 + 0.12457, 101 times",
     "Both move, but fp16 rounds every sum: it ends at 13.75, fp32 at 13.70684814453125.",
     [](TrainingScenario& t) {
       t = base("1.125", "0.12457275190625", 101, {"fp64", "fp32-master", "fp16"});
     }},
    {"sr-rescue", "Stochastic rounding rescues the fp16 weight",
     "Rounding up with probability (remainder / ULP) keeps the expected value: fp16-sr follows fp64 "
     "while fp16 (RNE) is stuck at 1.125.",
     [](TrainingScenario& t) {
       t = base("1.125", "0.00041999", 10000, {"fp64", "fp16", "fp16-sr"});
     }},
    {"kahan-rescue", "Kahan summation rescues the fp16 weight",
     "The compensation term keeps what each rounding dropped and feeds it back: fp16-kahan tracks fp64 "
     "to within an ULP.",
     [](TrainingScenario& t) {
       t = base("1.125", "0.00041999", 10000, {"fp64", "fp16", "fp16-kahan"});
     }},
    {"loss-scale-rescue", "Loss scaling rescues gradients that underflow fp16",
     "1e-8 is below fp16's smallest subnormal: stored as 0, every update is lost. Scaled by 2^16 it "
     "survives, and is unscaled into the fp32 master weight.",
     [](TrainingScenario& t) {
       t = base("0.01", "1e-8", 20000, {"fp64", "fp32-master", "fp32-master+ls-static:65536"});
       t.loss_scale = "dynamic";
       t.reference = "exact";
     }},
    {"fp16-vs-bf16-tiny", "fp16 vs bf16 for tiny updates: range",
     "Updates of 1e-9 from 0: fp16 cannot even represent them (its smallest subnormal is 6e-8); bf16 "
     "has fp32's range and accumulates, until its 8-bit precision stalls it near 5e-7.",
     [](TrainingScenario& t) {
       t = base("0", "1e-9", 1000, {"fp64", "fp32-master", "fp16", "bf16"});
       t.grad_format = "fp32";
     }},
    {"fp16-vs-bf16-precision", "fp16 vs bf16 for small updates: precision",
     "Updates of 0.001 on a weight of 1: below half of bf16's ULP (0.0039), so bf16 never moves; "
     "fp16's ULP is 8x finer and it follows, with rounding error.",
     [](TrainingScenario& t) {
       t = base("1", "0.001", 1000, {"fp64", "fp32-master", "fp16", "bf16"});
       t.grad_format = "fp32";
     }},
    {"population-sr", "10,000 weights, random gradients",
     "A population with gradients lr \xc2\xb7 N(0, 1): the histogram of final relative errors per "
     "strategy, and the fraction of updates lost at each step.",
     [](TrainingScenario& t) {
       t = base("1", "0", 300, {"fp64", "fp32-master", "fp16", "fp16-sr", "bf16", "bf16-sr"});
       t.grad = "normal:0:1";
       t.lr = "0.0001";
       t.population = 10000;
       t.init = "normal:1:0.1";
     }},
    {"long-run", "Ten million steps",
     "A long run, chunked over frames: fp16, bf16, SR and Kahan over 10^7 updates, plotted through min/max "
     "envelopes.",
     [](TrainingScenario& t) {
       t = base("1.125", "0.0001", 10000000,
                {"fp64", "fp32-master", "fp16", "bf16", "fp16-sr", "fp16-kahan"});
     }},
};

}  // namespace

std::span<const TrainingPreset> training_presets() { return kPresets; }

}  // namespace mantissa::app
