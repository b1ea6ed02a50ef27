#include "app/network_model.h"

#include <algorithm>
#include <cmath>

#include "app/training_run.h"
#include "requests/requests.h"

namespace mantissa::app {

std::vector<std::string> network_cli_args(const NetworkScenario& n) {
  std::vector<std::string> a = {"--data", n.data};
  if (n.data != "digits") a.insert(a.end(), {"--data-seed", std::to_string(n.data_seed)});
  if (!n.model.empty()) a.insert(a.end(), {"--model", n.model});
  a.insert(a.end(), {"--optimizer", n.optimizer, "--recipes", n.recipes, "--epochs", std::to_string(n.epochs),
                     "--batch", std::to_string(n.batch), "--seed", std::to_string(n.seed)});
  if (n.subset) a.insert(a.end(), {"--train-subset", std::to_string(n.subset)});
  // Only when it is not the default, so the commands of older links read as they did.
  if (n.loss_weight != "1") a.insert(a.end(), {"--loss-weight", n.loss_weight});
  return a;
}

std::string network_command(const NetworkScenario& n) { return cli_command_line("train", network_cli_args(n)); }

bool network_spec(const NetworkScenario& n, train::TrainSpec* out, std::string* error) {
  requests::Args parsed = train_args();
  return parse_command_args("train", network_cli_args(n), &parsed, error) &&
         train_spec_from_args(parsed, out, error);
}

const char* NetworkRun::status_name(Status s) {
  switch (s) {
    case Status::Idle: return "idle";
    case Status::Running: return "running";
    case Status::Finished: return "finished";
    case Status::Stopped: return "stopped";
    case Status::Refused: return "refused";
  }
  return "?";
}

void NetworkRun::start(const NetworkScenario& n) {
  reset();
  inputs_ = n;
  train::TrainSpec spec;
  if (network_spec(n, &spec, &error_)) training_ = train::Training::create(spec, &error_);
  status_ = training_ ? Status::Running : Status::Refused;
}

void NetworkRun::reset() {
  training_.reset();
  status_ = Status::Idle;
  error_.clear();
  regions_ = pending_ = DecisionRegions{};
  regions_pending_ = false;
  part_seconds_.clear();
  elapsed_ = longest_ms_ = longest_part_ms_ = 0;
  frames_ = frames_over_ = parts_ = parts_over_ = 0;
  ++version_;
}

void NetworkRun::stop() {
  if (status_ != Status::Running) return;
  status_ = Status::Stopped;
  ++version_;
}

void NetworkRun::resume() {
  if (status_ != Status::Stopped) return;
  status_ = Status::Running;
  ++version_;
}

bool NetworkRun::advance(std::chrono::duration<double> budget) {
  if (status_ != Status::Running) return false;
  using clock = std::chrono::steady_clock;
  const auto begin = clock::now();
  // Parts of a step (a piece of one recipe's step, or a slice of its
  // evaluation) and slices of decision regions, until the next one would
  // overrun the budget by what that kind of part (recipe, stage, layer) took
  // last time; at least one per frame, so the run always moves.
  const size_t recipes = training_->results().recipes.size();
  const size_t layers = training_->spec().model.sizes.size() - 1;
  const size_t kinds = recipes * train::Training::kStages * layers + 1;  // then regions
  if (part_seconds_.size() != kinds) part_seconds_.assign(kinds, 0.0);
  for (bool first = true;; first = false) {
    if (!regions_pending_ && training_->finished()) {
      status_ = Status::Finished;
      break;
    }
    size_t kind = kinds - 1;
    if (!regions_pending_) {
      const train::Training::Part p = training_->next_part();
      kind = std::min((p.recipe * train::Training::kStages + static_cast<size_t>(p.stage)) * layers + p.layer,
                      kinds - 2);
    }
    const double spent = std::chrono::duration<double>(clock::now() - begin).count();
    if (!first && spent + part_seconds_[kind] > budget.count()) break;
    const auto t0 = clock::now();
    if (regions_pending_) {
      regions_slice();
    } else {
      training_->advance_part();
      begin_regions();
    }
    part_seconds_[kind] = std::chrono::duration<double>(clock::now() - t0).count();
    longest_part_ms_ = std::max(longest_part_ms_, part_seconds_[kind] * 1000);
    ++parts_;
    parts_over_ += part_seconds_[kind] * 1000 > kPartTargetMs;
  }
  const double took = std::chrono::duration<double>(clock::now() - begin).count();
  elapsed_ += took;
  longest_ms_ = std::max(longest_ms_, took * 1000);
  ++frames_;
  frames_over_ += took > budget.count();
  ++version_;
  return status_ == Status::Running;
}

double NetworkRun::steps_per_second() const {
  return training_ && elapsed_ > 0 ? static_cast<double>(training_->results().steps_done) / elapsed_ : 0;
}

// After each finished epoch of 2-D data: the regions of the weights it left,
// computed slice by slice (training waits for them, so every recipe's weights
// stay those of the epoch's end) while the last complete map stays on show.
void NetworkRun::begin_regions() {
  const train::Dataset& d = training_->data();
  if (d.features != 2) return;
  const train::TrainResults& r = training_->results();
  const uint64_t epochs = r.recipes.empty() ? 0 : r.recipes[0].test_accuracy.size();
  if (epochs == 0 || epochs == regions_.epoch) return;
  double extent = 0;
  for (float v : d.train_x) extent = std::max(extent, std::fabs(static_cast<double>(v)));
  pending_ = DecisionRegions{};
  pending_.res = kRegionRes;
  pending_.extent = extent * 1.1;
  pending_.epoch = epochs;
  pending_.classes.assign(r.recipes.size(), std::vector<uint8_t>(kRegionRes * kRegionRes));
  pending_recipe_ = 0;
  pending_row_ = 0;
  regions_pending_ = !pending_.classes.empty();
}

void NetworkRun::regions_slice() {
  const int rows = std::min(kRegionRowsPerSlice, kRegionRes - pending_row_);
  const double cell = 2 * pending_.extent / kRegionRes;
  std::vector<float> x(2 * static_cast<size_t>(rows) * kRegionRes);
  for (int row = 0; row < rows; ++row) {
    for (int col = 0; col < kRegionRes; ++col) {
      float* p = &x[2 * (static_cast<size_t>(row) * kRegionRes + col)];
      p[0] = static_cast<float>(-pending_.extent + (col + 0.5) * cell);
      p[1] = static_cast<float>(pending_.extent - (pending_row_ + row + 0.5) * cell);
    }
  }
  std::vector<int> classes(static_cast<size_t>(rows) * kRegionRes);
  training_->predict(pending_recipe_, x.data(), classes.size(), classes.data());
  std::copy(classes.begin(), classes.end(),
            pending_.classes[pending_recipe_].begin() + static_cast<size_t>(pending_row_) * kRegionRes);
  pending_row_ += rows;
  if (pending_row_ < kRegionRes) return;
  pending_row_ = 0;
  if (++pending_recipe_ < pending_.classes.size()) return;
  regions_ = std::move(pending_);
  pending_ = DecisionRegions{};
  regions_pending_ = false;
}

std::vector<double> lost_strip(const train::RecipeResult& r, size_t layer, size_t columns) {
  std::vector<double> out(columns, NAN);
  if (layer >= r.lost.size() || columns == 0) return out;
  const std::vector<double>& s = r.lost[layer];
  const size_t n = s.size();
  for (size_t c = 0; c < columns && n; ++c) {
    const size_t lo = c * n / columns, hi = std::max(lo + 1, (c + 1) * n / columns);
    if (lo >= n) break;
    double sum = 0;
    for (size_t i = lo; i < std::min(hi, n); ++i) sum += s[i];
    out[c] = sum / static_cast<double>(std::min(hi, n) - lo);
  }
  return out;
}

namespace {

// The settings tests/train/test_training.cpp asserts the stories with.
const NetworkPreset kPresets[] = {
    {"fp16-stalls", "fp16 without master weights stalls",
     "At lr 0.0005, lr x gradient is below half an fp16 ulp of most weights: pure fp16 loses most updates "
     "(the heat strip) and its loss stalls; fp16-amp (fp32 master weights) follows fp32.",
     [](NetworkScenario& n) {
       n = NetworkScenario{};
       n.data = "digits";
       n.optimizer = "sgd:lr=0.0005,momentum=0.9";
       n.recipes = "fp32,fp16,fp16-amp";
       n.epochs = 30, n.batch = 16, n.subset = 480;
     }},
    {"bf16-kahan", "bf16 needs Kahan",
     "bf16 weights with 8 significant bits lose most small updates at lr 0.001; Kahan-compensated or "
     "stochastically rounded updates keep the loss near fp32's.",
     [](NetworkScenario& n) {
       n = NetworkScenario{};
       n.data = "digits";
       n.optimizer = "sgd:lr=0.001,momentum=0.9";
       n.recipes = "fp32,bf16,bf16-kahan,bf16-sr";
       n.epochs = 2, n.subset = 640;
     }},
    {"loss-scaling", "Loss scaling rescues small gradients",
     "The loss is multiplied by 3e-6 (as a down-weighted loss term, or a loss averaged over far more "
     "elements than the batch), so every gradient is tiny: the logits' gradients fall below fp16's normal "
     "range, most to 0. Adam ignores the gradients' scale, so fp32 trains as usual; fp16-amp scales the loss "
     "by 2^16 before the fp16 backward pass and follows it. fp16-master-noscale does not: its gradients "
     "underflow (the underflow column) and it stalls near chance.",
     [](NetworkScenario& n) {
       n = NetworkScenario{};
       n.data = "digits";
       n.optimizer = "adam:lr=0.003";
       n.recipes = "fp32,fp16-amp,fp16-master-noscale";
       n.epochs = 10;
       n.loss_weight = "3e-6";
     }},
    {"fp8", "FP8 with and without scaling",
     "The same deep, narrow network in FP8 (E4M3 forward, E5M2 gradients). fp8 scales each tensor by a power "
     "of two from its amax history; without scaling, half the gradients of some layer round to 0 in E5M2 "
     "and the network barely learns (test loss about 2.1 against 0.7).",
     [](NetworkScenario& n) {
       n = NetworkScenario{};
       n.data = "digits";
       n.model = "64-16-16-16-16-16-16-10";
       n.optimizer = "sgd:lr=0.1,momentum=0.9";
       n.recipes = "fp32,fp8,fp8-noscale";
       n.epochs = 10, n.batch = 256;
     }},
    {"spiral", "Spiral: decision regions",
     "Two interleaved spirals; the regions each recipe's network draws, recomputed after every epoch.",
     [](NetworkScenario& n) {
       n = NetworkScenario{};
       n.data = "spiral";
       n.optimizer = "adam:lr=0.01";
       n.recipes = "fp32,fp16,bf16";
       n.epochs = 40;
     }},
};

}  // namespace

std::span<const NetworkPreset> network_presets() { return kPresets; }

}  // namespace mantissa::app
