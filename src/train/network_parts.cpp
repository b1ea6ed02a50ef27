// The trainer's step cut into resumable parts (Training::advance_part): a
// caller with a time budget per frame (the Network panel) stops between any
// two of them, and the bits are those of one uninterrupted run.
#include <algorithm>
#include <cmath>
#include <limits>

#include "sim/random.h"
#include "train/network.h"
#include "train/network_state.h"

namespace mantissa::train {

using sim::RandomStream;

namespace {

// Rows of a GEMM piece: about `work` multiply-adds at `per_row` each, at least one.
size_t rows_for(uint64_t work, uint64_t per_row) {
  return static_cast<size_t>(std::max<uint64_t>(1, work / std::max<uint64_t>(1, per_row)));
}

constexpr uint64_t kWholeLayers = std::numeric_limits<uint64_t>::max();

}  // namespace

// The first part of a step: this epoch's order (at its first step) and the
// step's minibatch, shared by every recipe.
void Training::State::begin_step(const TrainSpec& spec, uint64_t step) {
  const uint64_t epoch = step / results.steps_per_epoch, index = step % results.steps_per_epoch;
  const int features = data.features;
  if (index == 0) {
    // This epoch's order: a Fisher-Yates permutation drawn from the seed.
    order.resize(train_n);
    for (size_t i = 0; i < train_n; ++i) order[i] = i;
    for (size_t i = train_n; i-- > 1;) {
      const uint64_t r = sim::random_bits64(spec.seed, RandomStream::TrainShuffle, (epoch << 32) | i);
      std::swap(order[i], order[r % (i + 1)]);
    }
    for (auto& R : replicas) R.epoch_correct = R.epoch_seen = 0;
  }
  const size_t begin = index * spec.batch, n = std::min<size_t>(spec.batch, train_n - begin);
  batch_x.resize(n * features);
  batch_y.resize(n);
  for (size_t j = 0; j < n; ++j) {
    const size_t row = order[begin + j];
    std::copy_n(&data.train_x[row * features], features, &batch_x[j * features]);
    batch_y[j] = data.train_y[row];
  }
}

// One part of recipe R's step on the step's minibatch: where it stands is
// (stage, layer, pos). Its records wait in R until commit_step(). A piece of
// a GEMM computes whole dot products (rows of the batch, or of the weight
// gradients), each the same bits whatever rows go with it. True when R's
// step is done.
bool Training::State::step_part(Replica& R, const TrainSpec& spec, uint64_t step, uint64_t work) {
  const size_t n = batch_y.size(), layers = R.layers.size();
  switch (stage) {
    case Stage::Prepare:
      prepare_weights(R, true);
      stage = Stage::Forward;
      layer = pos = 0;
      return false;
    case Stage::Forward: {
      const Layer& L = R.layers[layer];
      const size_t end = std::min(n, pos + rows_for(work, L.in * L.out));
      forward_rows(R, R.step, layer, batch_x.data(), n, pos, end, true);
      pos = end;
      if (pos == n) {
        pos = 0;
        if (++layer == layers) stage = Stage::Loss;
      }
      return false;
    }
    case Stage::Loss:
      R.step_correct = 0;
      R.step_loss = loss(R, R.step, batch_y.data(), n, &R.step_correct, &dlogits);
      stage = Stage::WeightGrad;
      layer = layers - 1;
      pos = 0;
      return false;
    case Stage::WeightGrad: {
      const Layer& L = R.layers[layer];
      if (pos == 0) backward_begin(R, R.step, layer, n, dlogits, true);
      const size_t end = std::min(L.out, pos + rows_for(work, (L.in + 1) * n));
      backward_wgrad(R, R.step, layer, n, pos, end);
      pos = end;
      if (pos == L.out) {
        pos = 0;
        stage = layer > 0 ? Stage::InputGrad : Stage::Update;
      }
      return false;
    }
    case Stage::InputGrad: {
      const Layer& L = R.layers[layer];
      const size_t end = std::min(n, pos + rows_for(work, L.in * L.out));
      backward_dgrad(R, R.step, layer, n, pos, end);
      pos = end;
      if (pos == n) {
        pos = 0;
        --layer;
        stage = Stage::WeightGrad;
      }
      return false;
    }
    case Stage::Update: {
      // A piece of the update: a sixteenth of part_work parameters (each takes
      // a few roundings into the update format, not one multiply-add), at
      // least kUpdateSlice.
      if (pos == 0) {
        R.step_applied = update_begin(R, spec.optimizer, &R.step_log2_scale);
        if (!R.step_applied) break;
      }
      const uint64_t end = std::min<uint64_t>(total_params, pos + std::max<uint64_t>(kUpdateSlice, work / 16));
      update_range(R, spec.optimizer, step, spec.seed, pos, end);
      pos = end;
      if (pos < total_params) return false;
      break;
    }
    case Stage::Evaluation:
      break;
  }
  end_recipe_step(R);
  stage = Stage::Prepare;
  layer = pos = 0;
  return true;
}

// The step's fp8 amax into the histories, and the step's records.
void Training::State::end_recipe_step(Replica& R) {
  const size_t n = batch_y.size();
  push_amax(R);
  R.epoch_correct += R.step_correct;
  R.epoch_seen += n;
  R.step_accuracy = static_cast<double>(R.step_correct) / static_cast<double>(n);
  R.step_lost.resize(R.layers.size());
  R.step_underflow.resize(R.layers.size());
  for (size_t l = 0; l < R.layers.size(); ++l) {
    const Layer& L = R.layers[l];
    const Pass& A = R.step[l];
    R.step_lost[l] = static_cast<double>(L.lost) / static_cast<double>(L.np());
    R.step_underflow[l] = static_cast<double>(A.underflow) / static_cast<double>(A.underflow_of);
  }
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
    forward(R, R.probe, &data.test_x[eval_pos * data.features], m, false);
    add_loss(R, R.probe, &data.test_y[eval_pos], m, &eval_correct, &eval_chunk_total, &probe_dlogits);
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


// ---- Training, part by part ------------------------------------------------------------

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
  const uint64_t work = state_->part_work;
  state_->part_work = kWholeLayers;  // nobody waits between parts: whole layers, fewer calls
  while (res.steps_done < target) advance_part();
  state_->part_work = work;
  return res.steps_done < res.steps;
}

uint64_t Training::part_work() const { return state_->part_work; }
void Training::set_part_work(uint64_t multiply_adds) { state_->part_work = multiply_adds ? multiply_adds : kPartWork; }

bool Training::advance_part() {
  State& s = *state_;
  const TrainResults& res = s.results;
  if (res.steps_done >= res.steps) return false;
  const uint64_t step = res.steps_done;
  const bool epoch_end = (step + 1) % res.steps_per_epoch == 0;
  if (!s.evaluating) {
    if (s.next_recipe == 0 && s.stage == Stage::Prepare) s.begin_step(spec_, step);
    if (s.next_recipe < s.replicas.size() && s.step_part(s.replicas[s.next_recipe], spec_, step, s.part_work))
      ++s.next_recipe;
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
  if (s.evaluating) return Part{s.eval_recipe, true, Stage::Evaluation, 0};
  return Part{s.next_recipe, false, s.stage, s.layer};
}

uint64_t Training::parts_done() const { return state_->parts; }

}  // namespace mantissa::train
