// `mantissa train`'s options (the CLI; the JS API's m.train takes the same
// keys as an object and turns them into these flags).
#include <string>

#include "requests/requests.h"

namespace mantissa {

requests::Args train_args() {
  return requests::Args({"--data", "--data-seed", "--model", "--optimizer", "--recipes", "--epochs", "--batch",
                         "--seed", "--train-subset", "--dot-kernel", "--loss-weight"},
                        {"--json", "--csv", "--help"});
}

bool train_spec_from_args(const requests::Args& args, train::TrainSpec* out, std::string* error) {
  train::TrainSpec s;
  if (auto v = args.value("--data")) s.data = *v;
  bool known = false;
  for (const auto& n : train::dataset_names()) known = known || n == s.data;
  if (!known) return *error = "--data: unknown data set '" + s.data.substr(0, 40) + "' (digits, spiral, circles, xor)", false;
  if (auto v = args.value("--model")) {
    if (!train::parse_model(*v, &s.model, error)) return false;
  } else {
    s.model.sizes = s.data == "digits" ? std::vector<int>{64, 32, 10} : std::vector<int>{2, 16, 16, 2};
  }
  if (auto v = args.value("--optimizer")) {
    if (!train::parse_optimizer(*v, &s.optimizer, error)) return false;
  }
  if (!train::parse_recipe_list(args.value("--recipes").value_or("fp32,fp16,fp16-amp"), &s.recipes, error))
    return false;
  if (args.has("--epochs") && !args.uint("--epochs", &s.epochs, error)) return false;
  if (args.has("--batch") && !args.uint("--batch", &s.batch, error)) return false;
  if (args.has("--seed") && !args.uint("--seed", &s.seed, error)) return false;
  if (args.has("--data-seed") && !args.uint("--data-seed", &s.data_seed, error)) return false;
  if (args.has("--train-subset") && !args.uint("--train-subset", &s.train_limit, error)) return false;
  if (s.epochs < 1 || s.epochs > train::kMaxEpochs)
    return *error = "--epochs must be 1 to " + std::to_string(train::kMaxEpochs), false;
  if (auto v = args.value("--loss-weight")) {
    if (!train::parse_loss_weight(*v, &s.loss_weight, error)) return false;
  }
  if (auto v = args.value("--dot-kernel")) {
    if (*v == "scalar") s.dot_impl = kernels::DotImpl::Scalar;
    else if (*v == "best") s.dot_impl = kernels::best_dot_impl();
    else return *error = "--dot-kernel takes scalar or best", false;
  }
  *out = std::move(s);
  return true;
}

}  // namespace mantissa
