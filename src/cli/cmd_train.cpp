// `mantissa train`: a small MLP trained on the UCI digits (or a 2-D set) in
// several precision recipes side by side, deterministically.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "requests/requests.h"

namespace mantissa {

namespace {

const char* kTrainHelp =
    "Usage: mantissa train [--data digits|spiral|circles|xor] [--model 64-32-10]\n"
    "                      [--optimizer sgd:lr=X[,momentum=M] | adam:lr=X[,beta1=B][,beta2=B][,eps=E]]\n"
    "                      [--recipes LIST] [--epochs N] [--batch B] [--seed S] [--data-seed S]\n"
    "                      [--train-subset N] [--loss-weight W] [--dot-kernel scalar|best] [--json|--csv]\n"
    "Trains the same network from the same initial weights on the same minibatches in every recipe of LIST\n"
    "(separated by commas, or by ';' when a custom recipe's accumulator holds commas):\n"
    "  fp32 fp16 fp16-amp fp16-master-noscale bf16 bf16-kahan bf16-sr fp8 fp8-noscale\n"
    "  custom:w=F/a=F/g=F/acc=ACC/master=on|off/update=rne|kahan|sr/ls=none|dynamic\n"
    "Defaults: --data digits, --model 64-32-10 (2-16-16-2 for 2-D data), --optimizer sgd:lr=0.1,momentum=0.9,\n"
    "--recipes fp32,fp16,fp16-amp, --epochs 1, --batch 32, --seed 0, --loss-weight 1. The loss is multiplied\n"
    "by W (1e-12 to 1; the report shows the unweighted loss): small weights make small gradients, which\n"
    "underflow in fp16 without a loss scale. The same arguments give the same bits\n"
    "natively and in wasm. --json has every step's loss, accuracy, loss scale, lost-update and\n"
    "gradient-underflow fractions per layer, test accuracy per epoch and the weight histograms.\n";

}  // namespace

int cmd_train(int argc, char** argv) {
  requests::Args args = train_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  if (args.has("--help")) {
    std::fputs(kTrainHelp, stdout);
    return 0;
  }
  if (!args.positional().empty()) return cli::fail("train takes no positional arguments (see mantissa train --help)");
  train::TrainSpec spec;
  if (!train_spec_from_args(args, &spec, &error)) return cli::fail(error);
  auto t = train::Training::create(spec, &error);
  if (!t) return cli::fail(error);
  t->run();
  std::string out;
  if (args.has("--json")) out = train::train_json(*t) + "\n";
  else if (args.has("--csv")) out = train::train_csv(*t);
  else out = train::train_text(*t);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace mantissa
