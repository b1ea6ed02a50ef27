// The Network panel's model (src/app/network_model.h) without ImGui: the
// scenario means what `mantissa train` means, a run advanced in bounded
// slices gives the bits of one uninterrupted run, Stop keeps what was
// trained, decision regions agree with the test set, presets survive links.
#include <catch2/catch.hpp>
#include <cmath>

#include "app/network_model.h"
#include "scenario/link.h"

using namespace mantissa;
using namespace mantissa::app;

namespace {

NetworkScenario small_spiral() {
  NetworkScenario n;
  n.data = "spiral";
  n.recipes = "fp32,fp16,bf16";
  n.optimizer = "adam:lr=0.02";
  n.epochs = 3;
  n.subset = 128;
  return n;
}

}  // namespace

TEST_CASE("network scenario: the CLI's parser reads it; bad settings are refused with the CLI's sentence") {
  train::TrainSpec spec;
  std::string error;
  NetworkScenario n = small_spiral();
  REQUIRE(network_spec(n, &spec, &error));
  CHECK(spec.data == "spiral");
  CHECK(spec.model.name() == "2-16-16-2");
  CHECK(spec.recipes.size() == 3);
  CHECK(spec.epochs == 3);
  CHECK(spec.train_limit == 128);
  CHECK(network_command(n) ==
        "mantissa train --data spiral --data-seed 0 --optimizer adam:lr=0.02 --recipes fp32,fp16,bf16 --epochs 3 "
        "--batch 32 --seed 0 --train-subset 128");
  CHECK(spec.loss_weight == 1);
  n.loss_weight = "3e-6";
  REQUIRE(network_spec(n, &spec, &error));
  CHECK(spec.loss_weight == 3e-6);
  CHECK(network_command(n).find("--train-subset 128 --loss-weight 3e-6") != std::string::npos);
  n.loss_weight = "1";
  n.batch = 100000;
  NetworkRun run;
  run.start(n);
  CHECK(run.status() == NetworkRun::Status::Refused);
  CHECK(run.error().find("--batch must be 1") != std::string::npos);
  CHECK_FALSE(run.advance(std::chrono::seconds(1)));
}

TEST_CASE("network run: slices of bounded work give the bits of one uninterrupted run") {
  const NetworkScenario n = small_spiral();
  train::TrainSpec spec;
  std::string error;
  REQUIRE(network_spec(n, &spec, &error));
  auto whole = train::Training::create(spec, &error);
  REQUIRE(whole);
  whole->run();

  NetworkRun run;
  run.start(n);
  REQUIRE(run.status() == NetworkRun::Status::Running);
  uint64_t before = 0;
  int frames = 0;
  bool more = true;
  while (more) {
    more = run.advance(std::chrono::duration<double>(0));
    const uint64_t parts = run.training()->parts_done();
    CHECK(parts - before <= 1);  // a zero budget still does one unit of work, and no more
    before = parts;
    ++frames;
  }
  // Training: 3 recipes x 4 steps x 3 epochs of 11 parts each (2-16-16-2 on
  // 32 rows: every layer's GEMM fits one part; prepare, 3 forward, loss, 3
  // weight-gradient, 2 input-gradient, update), and 3 x 7 evaluation slices
  // (200 test points) x 3 epochs; decision regions: 3 recipes x 48 / 8 rows x 3 epochs.
  CHECK(before == 3 * 4 * 3 * 11 + 3 * 7 * 3);
  CHECK(frames == 3 * 4 * 3 * 11 + 3 * 7 * 3 + 3 * 48 / NetworkRun::kRegionRowsPerSlice * 3);
  CHECK(run.parts() == static_cast<uint64_t>(frames));  // one part per frame at a zero budget
  CHECK(run.parts_over_target() <= run.parts());
  CHECK(run.regions().epoch == 3);
  REQUIRE(run.status() == NetworkRun::Status::Finished);
  const auto& a = run.training()->results().recipes;
  const auto& b = whole->results().recipes;
  REQUIRE(a.size() == b.size());
  for (size_t r = 0; r < a.size(); ++r) {
    CHECK(a[r].loss == b[r].loss);
    CHECK(a[r].test_accuracy == b[r].test_accuracy);
  }
  CHECK(train::train_json(*run.training()) == train::train_json(*whole));
}

TEST_CASE("training part by part: results hold whole steps only, and give the bits of one uninterrupted run") {
  // Digits: 360 test samples make two evaluation chunks (256 + 104) of
  // several slices each; fp8 keeps amax histories across parts; the dynamic
  // loss scale (which skips a step here) and stochastic rounding carry state
  // from step to step, Adam its moments. The reference runs whole layers
  // (run()); the parts cut every GEMM into pieces of about part_work
  // multiply-adds (1: one row per part), and a reader probes the run between
  // every two parts (predict, batch_gradient) without changing a bit.
  struct Case {
    const char* optimizer;
    uint64_t batch, subset, part_work;
  };
  // sgd at batch 4: fp16-amp's first scale 2^16 overflows once, and that step is skipped.
  const char* sgd = "sgd:lr=0.1,momentum=0.9";
  for (const Case c : {Case{sgd, 4, 96, 1}, Case{"adam:lr=0.01", 64, 192, 1},
                       Case{sgd, 4, 96, train::Training::kPartWork}, Case{"adam:lr=0.01", 64, 192, 3000}}) {
    CAPTURE(c.optimizer, c.batch, c.part_work);
    NetworkScenario n;
    n.data = "digits";
    n.recipes = "fp32,fp16-amp,bf16-sr,fp8";
    n.optimizer = c.optimizer;
    n.epochs = 2, n.batch = c.batch, n.subset = c.subset;
    train::TrainSpec spec;
    std::string error;
    REQUIRE(network_spec(n, &spec, &error));
    auto whole = train::Training::create(spec, &error);
    auto parts = train::Training::create(spec, &error);
    REQUIRE(whole);
    REQUIRE(parts);
    whole->run();
    REQUIRE(whole->results().recipes[1].recipe.name == "fp16-amp");
    if (c.batch == 4) CHECK(whole->results().recipes[1].skipped_steps > 0);
    parts->set_part_work(c.part_work);
    const size_t recipes = spec.recipes.size();
    const uint64_t eval_slices = (360 + train::Training::kEvalSlice - 1) / train::Training::kEvalSlice;
    uint64_t count = 0, evaluations = 0, step_parts = 0;
    std::vector<int> stages(train::Training::kStages, 0);
    for (;;) {
      const train::Training::Part next = parts->next_part();
      evaluations += next.evaluation;
      step_parts += !next.evaluation;
      ++stages[static_cast<size_t>(next.stage)];
      // Between parts the reader may compute decision regions or a gradient: neither disturbs the run.
      const float x[64] = {};
      (void)parts->predict(next.recipe, x);
      if (count % 7 == 0) {
        std::vector<std::vector<double>> grad;
        (void)parts->batch_gradient(next.recipe, {0, 1, 2}, &grad);
      }
      const bool more = parts->advance_part();
      ++count;
      const train::TrainResults& r = parts->results();
      for (const train::RecipeResult& rr : r.recipes) {
        CHECK(rr.loss.size() == r.steps_done);  // never a recipe ahead of another
        CHECK(rr.lost[0].size() == r.steps_done);
        CHECK(rr.test_loss.size() == r.steps_done / r.steps_per_epoch);  // an epoch shows up evaluated or not at all
      }
      if (!more) break;
    }
    CHECK(count == parts->parts_done());
    CHECK(evaluations == 2 * recipes * eval_slices);
    for (int st = 0; st < train::Training::kStages; ++st) CHECK(stages[st] > 0);
    if (c.part_work == 1) {
      // One row per part: 64-32-10 on b rows is prepare, b + b forward rows,
      // the loss, 10 + 32 weight-gradient rows, b input-gradient rows (layer
      // 1 only), then the update's 2,410 parameters in slices of kUpdateSlice
      // (one part when GradScaler skips the step).
      const uint64_t b = c.batch, steps = 2 * c.subset / b;
      const uint64_t update_parts = (2410 + train::Training::kUpdateSlice - 1) / train::Training::kUpdateSlice;
      uint64_t expected = 0;
      for (const train::RecipeResult& rr : whole->results().recipes)
        expected += steps * (1 + b + b + 1 + 10 + 32 + b) + (steps - rr.skipped_steps) * update_parts + rr.skipped_steps;
      CHECK(step_parts == expected);
    }
    for (size_t r = 0; r < recipes; ++r) CHECK(parts->results().recipes[r].loss == whole->results().recipes[r].loss);
    CHECK(train::train_json(*parts) == train::train_json(*whole));
    for (size_t r = 0; r < recipes; ++r) CHECK(parts->parameters(r) == whole->parameters(r));
    CHECK_FALSE(parts->advance_part());
    CHECK(parts->parts_done() == count);
  }
}

TEST_CASE("network run: Stop keeps the steps trained, Reset drops them") {
  NetworkRun run;
  run.start(small_spiral());
  run.advance(std::chrono::duration<double>(0));
  const uint64_t done = run.training()->results().steps_done;
  run.stop();
  CHECK(run.status() == NetworkRun::Status::Stopped);
  CHECK_FALSE(run.advance(std::chrono::seconds(1)));
  CHECK(run.training()->results().steps_done == done);
  run.reset();
  CHECK(run.status() == NetworkRun::Status::Idle);
  CHECK(run.training() == nullptr);
}

TEST_CASE("decision regions: the grid's class at each test point agrees with the test accuracy") {
  NetworkScenario n = small_spiral();
  n.data = "circles";
  n.recipes = "fp32";
  n.epochs = 30;
  n.subset = 0;
  NetworkRun run;
  run.start(n);
  while (run.advance(std::chrono::seconds(10))) {
  }
  const DecisionRegions& g = run.regions();
  REQUIRE(g.res == NetworkRun::kRegionRes);
  CHECK(g.epoch == 30);
  // The map, computed in slices of rows between frames, is the class an
  // uninterrupted run's predict() gives each cell's centre alone.
  train::TrainSpec spec;
  std::string error;
  REQUIRE(network_spec(n, &spec, &error));
  auto t = train::Training::create(spec, &error);
  REQUIRE(t);
  t->run();
  const double cell = 2 * g.extent / g.res;
  for (int row = 0; row < g.res; row += 7) {
    for (int col = 0; col < g.res; col += 5) {
      const float x[2] = {static_cast<float>(-g.extent + (col + 0.5) * cell),
                          static_cast<float>(g.extent - (row + 0.5) * cell)};
      CHECK(g.classes[0][row * g.res + col] == t->predict(0, x));
    }
  }
  const train::Dataset& d = run.training()->data();
  size_t agree = 0;
  for (size_t i = 0; i < d.test_size(); ++i) {
    const double x = d.test_x[2 * i], y = d.test_x[2 * i + 1];
    const int col = std::clamp(static_cast<int>((x + g.extent) / (2 * g.extent) * g.res), 0, g.res - 1);
    const int row = std::clamp(static_cast<int>((g.extent - y) / (2 * g.extent) * g.res), 0, g.res - 1);
    agree += g.classes[0][row * g.res + col] == d.test_y[i];
  }
  const double acc = run.training()->results().recipes[0].test_accuracy.back();
  const double grid_acc = static_cast<double>(agree) / static_cast<double>(d.test_size());
  INFO("test accuracy " << acc << ", grid agreement " << grid_acc);
  CHECK(acc > 0.9);
  CHECK(std::fabs(grid_acc - acc) < 0.1);  // cells are 1/48 of the range: few points sit near the boundary
}

TEST_CASE("lost strip: the mean lost fraction of each column's steps") {
  train::RecipeResult r;
  r.lost = {{0, 1, 0.5, 0.5, 1}};
  const auto s = lost_strip(r, 0, 2);  // steps [0, 2) and [2, 5)
  REQUIRE(s.size() == 2);
  CHECK(s[0] == 0.5);
  CHECK(s[1] == Approx(2.0 / 3));
  const auto wide = lost_strip(r, 0, 8);  // more columns than steps: each holds at most one step
  CHECK(wide[0] == 0);
  CHECK(std::isnan(lost_strip(r, 3, 4)[0]));
}

TEST_CASE("network presets: each is a valid run and survives a share link unchanged") {
  for (const NetworkPreset& p : network_presets()) {
    INFO(p.key);
    Scenario s;
    s.panel = ScenarioPanel::Network;
    p.apply(s.network);
    train::TrainSpec spec;
    std::string error;
    CHECK(network_spec(s.network, &spec, &error));
    const DecodedLink d = decode_link(encode_link(s));
    CHECK(d.notices.empty());
    CHECK(d.scenario == s);
  }
}

TEST_CASE("the presets' stories hold: fp8 without scaling barely learns; without a loss scale small gradients are lost") {
  auto run_preset = [](const char* key) {
    NetworkScenario n;
    for (const NetworkPreset& p : network_presets())
      if (std::string(p.key) == key) p.apply(n);
    NetworkRun run;
    run.start(n);
    while (run.advance(std::chrono::seconds(10))) {
    }
    REQUIRE(run.status() == NetworkRun::Status::Finished);
    return run.training()->results().recipes;
  };
  auto summed = [](const std::vector<std::vector<double>>& v) {
    double s = 0;
    for (const auto& l : v)
      for (double x : l) s += x;
    return s;
  };
  const auto fp8 = run_preset("fp8");  // fp32, fp8, fp8-noscale
  INFO("test losses: fp32 " << fp8[0].test_loss.back() << ", fp8 " << fp8[1].test_loss.back() << ", fp8-noscale "
                            << fp8[2].test_loss.back());
  CHECK(fp8[2].test_loss.back() - fp8[1].test_loss.back() > 1.0);
  CHECK(fp8[1].test_accuracy.back() - fp8[2].test_accuracy.back() > 0.3);
  const auto ls = run_preset("loss-scaling");  // fp32, fp16-amp, fp16-master-noscale, loss weight 3e-6
  INFO("test losses: fp32 " << ls[0].test_loss.back() << ", fp16-amp " << ls[1].test_loss.back()
                            << ", fp16-master-noscale " << ls[2].test_loss.back() << "; summed underflow: fp16-amp "
                            << summed(ls[1].underflow) << ", noscale " << summed(ls[2].underflow));
  CHECK(ls[2].test_loss.back() - ls[1].test_loss.back() > 1.0);
  CHECK(std::fabs(ls[1].test_loss.back() - ls[0].test_loss.back()) < 0.01);
  CHECK(ls[1].test_accuracy.back() - ls[2].test_accuracy.back() > 0.3);
  CHECK(summed(ls[2].underflow) > 5 * summed(ls[1].underflow));
}
