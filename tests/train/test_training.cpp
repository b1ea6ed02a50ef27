// The network trainer: gradients against finite differences in fp64, the
// fp32 recipe learns the digits, the story of the recipes holds, runs are
// deterministic, bad options are refused with a sentence.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/rounding.h"
#include <limits>
#include <random>

#include "sim/update_rule.h"
#include "requests/requests.h"
#include "train/network.h"

using namespace mantissa;
using namespace mantissa::train;

namespace {

TrainSpec spec_of(const std::string& recipes, const std::string& optimizer, uint64_t epochs, uint64_t subset = 0) {
  TrainSpec s;
  std::string error;
  REQUIRE(parse_recipe_list(recipes, &s.recipes, &error));
  REQUIRE(parse_optimizer(optimizer, &s.optimizer, &error));
  s.epochs = epochs;
  s.train_limit = subset;
  return s;
}

// The loss of a plain fp64 MLP (ReLU, softmax cross-entropy, mean over the rows): the oracle.
double loss_fp64(const std::vector<int>& sizes, const std::vector<std::vector<double>>& p, const Dataset& d,
                 const std::vector<size_t>& rows) {
  double total = 0;
  for (size_t row : rows) {
    std::vector<double> h(&d.train_x[row * d.features], &d.train_x[row * d.features] + d.features);
    for (size_t l = 0; l + 1 < sizes.size(); ++l) {
      const size_t in = sizes[l], out = sizes[l + 1];
      std::vector<double> z(out);
      for (size_t o = 0; o < out; ++o) {
        double s = p[l][in * out + o];
        for (size_t i = 0; i < in; ++i) s += p[l][o * in + i] * h[i];
        z[o] = (l + 2 < sizes.size() && s < 0) ? 0 : s;
      }
      h = z;
    }
    double m = h[0];
    for (double v : h) m = std::max(m, v);
    double s = 0;
    for (double v : h) s += std::exp(v - m);
    total += std::log(s) - (h[d.train_y[row]] - m);
  }
  return total / static_cast<double>(rows.size());
}

// The largest per-step fraction over every layer of a per-layer series (lost updates, underflows).
double largest(const std::vector<std::vector<double>>& per_layer) {
  double m = 0;
  for (const auto& l : per_layer)
    for (double x : l) m = std::max(m, x);
  return m;
}

double summed(const std::vector<std::vector<double>>& per_layer) {
  double s = 0;
  for (const auto& l : per_layer)
    for (double x : l) s += x;
  return s;
}

}  // namespace

TEST_CASE("fp32 recipe: backpropagated gradients match central finite differences in fp64") {
  TrainSpec s = spec_of("fp32", "sgd:lr=0.1", 1);
  s.model.sizes = {64, 12, 10};
  std::string error;
  auto t = Training::create(s, &error);
  REQUIRE(t);
  const std::vector<size_t> rows = {0, 1, 2, 3, 4, 5, 6, 7};
  std::vector<std::vector<double>> grad;
  t->batch_gradient(0, rows, &grad);
  std::vector<std::vector<double>> p;
  for (const auto& layer : t->parameters(0)) p.emplace_back(layer.begin(), layer.end());
  int checked = 0;
  for (size_t l = 0; l < p.size(); ++l) {
    for (size_t k = 0; k < p[l].size(); k += 7) {
      const double h = 1e-6, keep = p[l][k];
      p[l][k] = keep + h;
      const double up = loss_fp64(s.model.sizes, p, t->data(), rows);
      p[l][k] = keep - h;
      const double down = loss_fp64(s.model.sizes, p, t->data(), rows);
      p[l][k] = keep;
      const double fd = (up - down) / (2 * h);
      // fp32 forward and backward: agreement to fp32's precision, relative to the gradient's scale.
      INFO("layer " << l << " parameter " << k << ": backprop " << grad[l][k] << ", finite difference " << fd);
      CHECK(std::fabs(grad[l][k] - fd) <= 2e-5 + 1e-3 * std::fabs(fd));
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("fp32 recipe reaches at least 95% test accuracy on the digits") {
  std::string error;
  auto t = Training::create(spec_of("fp32", "sgd:lr=0.05,momentum=0.9", 6), &error);
  REQUIRE(t);
  t->run();
  const auto& r = t->results().recipes[0];
  INFO("test accuracy per epoch: " << r.test_accuracy.back());
  CHECK(r.test_accuracy.back() >= 0.95);
  CHECK(r.loss.back() < r.loss.front());
}

TEST_CASE("every recipe starts from the same weights and a run is deterministic") {
  std::string error;
  const std::string all = "fp32,fp16,fp16-amp,fp16-master-noscale,bf16,bf16-kahan,bf16-sr,fp8,fp8-noscale";
  auto a = Training::create(spec_of(all, "sgd:lr=0.05,momentum=0.9", 1, 128), &error);
  auto b = Training::create(spec_of(all, "sgd:lr=0.05,momentum=0.9", 1, 128), &error);
  REQUIRE(a);
  REQUIRE(b);
  // Before any step: each recipe's stored weights are the fp32 recipe's rounded into its update format.
  const auto ref = a->parameters(0);
  for (size_t r = 0; r < a->results().recipes.size(); ++r) {
    const Format& u = a->results().recipes[r].recipe.update_format();
    const auto p = a->parameters(r);
    for (size_t l = 0; l < p.size(); ++l)
      for (size_t k = 0; k < p[l].size(); ++k)
        REQUIRE(p[l][k] == static_cast<float>(to_double(u, round_double(u, ref[l][k]).bits)));
  }
  a->run();
  b->advance(2);  // in chunks: the same bits
  b->run();
  for (size_t r = 0; r < a->results().recipes.size(); ++r) {
    CHECK(a->parameters(r) == b->parameters(r));
    const auto& la = a->results().recipes[r].loss;
    const auto& lb = b->results().recipes[r].loss;
    REQUIRE(la.size() == lb.size());
    for (size_t i = 0; i < la.size(); ++i) CHECK(std::memcmp(&la[i], &lb[i], sizeof(double)) == 0);
  }
  CHECK(train_json(*a) == train_json(*b));
}

TEST_CASE("custom recipe with fp32 everywhere is the fp32 recipe, bit for bit; the scalar dot path agrees with SIMD") {
  std::string error;
  TrainSpec s = spec_of("fp32;custom:w=fp32/a=fp32/g=fp32/acc=seq:fp32", "adam:lr=0.003", 1, 96);
  auto t = Training::create(s, &error);
  REQUIRE(t);
  t->run();
  CHECK(t->parameters(0) == t->parameters(1));
  // A tensor-core accumulator through the SIMD kernels and through the scalar ones.
  TrainSpec tc = spec_of("custom:w=fp16/a=fp16/g=fp16/acc=tc:h100/master=on/ls=dynamic", "sgd:lr=0.05,momentum=0.9", 1, 96);
  tc.dot_impl = kernels::best_dot_impl();
  auto fast = Training::create(tc, &error);
  tc.dot_impl = kernels::DotImpl::Scalar;
  auto slow = Training::create(tc, &error);
  REQUIRE(fast);
  REQUIRE(slow);
  fast->run();
  slow->run();
  CHECK(fast->parameters(0) == slow->parameters(0));
  CHECK(fast->results().recipes[0].loss == slow->results().recipes[0].loss);
}

TEST_CASE("the story: bf16 loses most updates at a small learning rate and needs Kahan or stochastic rounding") {
  std::string error;
  auto t = Training::create(spec_of("fp32,bf16,bf16-kahan,bf16-sr", "sgd:lr=0.001,momentum=0.9", 2, 640), &error);
  REQUIRE(t);
  t->run();
  const auto& r = t->results().recipes;
  const double fp32 = r[0].loss.back(), bf16 = r[1].loss.back(), kahan = r[2].loss.back(), sr = r[3].loss.back();
  INFO("final losses: fp32 " << fp32 << ", bf16 " << bf16 << ", bf16-kahan " << kahan << ", bf16-sr " << sr);
  CHECK(largest(r[1].lost) > 0.5);
  CHECK(bf16 - fp32 > 5 * std::fabs(kahan - fp32));
  CHECK(bf16 - fp32 > 2 * std::fabs(sr - fp32));
}

TEST_CASE("fp8: per-tensor scales are powers of two chosen from the amax history; no scaling loses small values") {
  std::string error;
  auto t = Training::create(spec_of("fp32,fp8,fp8-noscale", "sgd:lr=0.05,momentum=0.9", 1, 320), &error);
  REQUIRE(t);
  t->run();
  const auto& r = t->results().recipes;
  for (const auto& rr : r) CHECK(std::isfinite(rr.loss.back()));
  // Unscaled E5M2 gradients underflow at least as often as scaled ones.
  const double scaled = summed(r[1].underflow), unscaled = summed(r[2].underflow);
  INFO("summed underflow fractions: fp8 " << scaled << ", fp8-noscale " << unscaled);
  CHECK(unscaled >= scaled);
}

TEST_CASE("dynamic loss scaling follows GradScaler: starts at 2^16, never skips without an overflow") {
  std::string error;
  auto t = Training::create(spec_of("fp16-amp,fp16-master-noscale", "sgd:lr=0.05,momentum=0.9", 1, 256), &error);
  REQUIRE(t);
  t->run();
  const auto& amp = t->results().recipes[0];
  CHECK(amp.log2_scale.front() == 16);
  for (size_t i = 1; i < amp.log2_scale.size(); ++i) {
    // Halved after a skipped step, unchanged otherwise (growth needs 2000 good steps).
    CHECK(amp.log2_scale[i] == amp.log2_scale[i - 1] - (amp.skipped[i - 1] ? 1 : 0));
  }
  for (int k : t->results().recipes[1].log2_scale) CHECK(k == 0);
}

TEST_CASE("bad training options get one clear sentence") {
  auto refuse = [](std::vector<std::string> argv, const std::string& needle) {
    std::vector<char*> ptrs;
    argv.insert(argv.begin(), "train");
    for (auto& a : argv) ptrs.push_back(a.data());
    requests::Args args = train_args();
    std::string error;
    TrainSpec s;
    bool ok = args.parse(static_cast<int>(ptrs.size()), ptrs.data(), &error) && train_spec_from_args(args, &s, &error);
    if (ok) ok = Training::create(s, &error) != nullptr;
    INFO(error);
    CHECK_FALSE(ok);
    CHECK(error.find(needle) != std::string::npos);
  };
  refuse({"--optimizer", "sgd:lr=0"}, "lr must be > 0");
  refuse({"--optimizer", "sgd:lr=-1"}, "lr must be > 0");
  refuse({"--optimizer", "adam:momentum=0.9"}, "unknown key");
  refuse({"--recipes", "fp16,fp12"}, "unknown recipe 'fp12'");
  refuse({"--recipes", "custom:w=fp64"}, "does not fit in fp32");
  refuse({"--recipes", "custom:acc=seq:fp64"}, "within fp32");
  refuse({"--model", "64-4096-4096-4096-4096-4096-4096-10", "--recipes", "fp32,fp16,bf16,fp8"}, "MiB");
  refuse({"--model", "64-32-9"}, "end with its 10 classes");
  refuse({"--model", "64-x-10"}, "widths separated by '-'");
  refuse({"--model", "64-5000-10"}, "every width must be 1 to 4096");
  refuse({"--epochs", "100000"}, "--epochs must be 1 to 10000");
  refuse({"--epochs", "0"}, "--epochs must be 1 to 10000");
  refuse({"--batch", "0"}, "--batch must be 1");
  refuse({"--batch", "5000"}, "--batch must be 1");
  refuse({"--data", "mnist"}, "unknown data set");
  refuse({"--loss-weight", "0"}, "--loss-weight takes a number from 1e-12 to 1");
  refuse({"--loss-weight", "1.5"}, "--loss-weight takes a number from 1e-12 to 1");
  refuse({"--loss-weight", "nan"}, "--loss-weight takes a number from 1e-12 to 1");
  // A spec built directly (the JS API's path goes through the flags, a caller of the library need not).
  TrainSpec s = spec_of("fp32", "sgd:lr=0.1", 1);
  s.loss_weight = 1e-13;
  std::string error;
  CHECK_FALSE(Training::create(s, &error));
  CHECK(error.find("--loss-weight takes") != std::string::npos);
}

TEST_CASE("seq_dot_rne gives the core's seq:F bits on random narrow inputs, cancellation and subnormals included") {
  for (const char* fmt : {"fp16", "bf16", "fp8-e4m3", "e5m6"}) {
    Format f;
    std::string error;
    REQUIRE(parse_format(fmt, &f, &error));
    Accumulator acc;
    REQUIRE(parse_accumulator(std::string("seq:") + fmt, f, &acc, &error));
    uint64_t state = 12345;
    auto next = [&] {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      return state >> 11;
    };
    for (int trial = 0; trial < 300; ++trial) {
      const size_t k = 1 + next() % 40;
      DotInput in;
      in.in = f;
      std::vector<float> a(k), b(k);
      for (size_t i = 0; i < k; ++i) {
        // Random values over a wide exponent range, rounded into f (tiny ones become subnormal).
        const double scale = std::ldexp(1.0, static_cast<int>(next() % 40) - 30);
        const double va = (static_cast<double>(next() % 2001) - 1000) / 997.0 * scale;
        const double vb = (static_cast<double>(next() % 2001) - 1000) / 991.0;
        in.a.push_back(round_double(f, va).bits);
        in.b.push_back(round_double(f, vb).bits);
        a[i] = static_cast<float>(to_double(f, in.a.back()));
        b[i] = static_cast<float>(to_double(f, in.b.back()));
      }
      const float c = trial % 3 == 0 ? 0.0f : static_cast<float>(a[0] * 0.5);
      std::memcpy(&in.c, &c, sizeof c);
      float fast;
      if (!seq_dot_rne(f, a.data(), b.data(), k, c, &fast)) continue;  // overflow: the core decides
      const uint64_t core = dot(acc, in);
      INFO(fmt << " trial " << trial);
      REQUIRE(round_double(f, fast).bits == core);
    }
  }
}

TEST_CASE("seq_dot_fp16_rne (round to odd in fp32, then fp16) gives the core's seq:fp16 bits") {
  const Format& h = fp16();
  Accumulator acc;
  std::string error;
  REQUIRE(parse_accumulator("seq:fp16", h, &acc, &error));
  uint64_t state = 777;
  auto next = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state >> 11;
  };
  // Terms whose exact sum sits just off an fp16 rounding midpoint (1 + 2^-11 + a product's low bits), exact
  // cancellation, subnormal products, overflow; plus random bit patterns over the whole finite range.
  const std::vector<std::vector<std::pair<double, double>>> fixed = {
      {{1, 1}, {1 + 0x1p-10, 0x1p-11}, {0x1p-14, 0x1p-10}},
      {{1, 1}, {0x1p-11, 1}, {0x1p-24, 0x1p-10}},
      {{1, 1}, {0x1p-11, 1}, {-0x1p-24, 0x1p-10}},
      {{3, 5}, {-3, 5}, {0x1p-24, 0x1p-14}},
      {{65504, 1}, {16, 1}, {-65504, 1}},
      {{256, 256}, {-256, 255}, {0x1p-24, 0x1p-24}},
      // 2^-24 + 3 * 683 * 2^-11 = 1 + 2^-11 + 2^-24: just above a midpoint; a sum rounded to nearest in
      // fp32 lands on the midpoint (1 + 2^-11) and then ties to even (1): the right answer is 1 + 2^-10.
      {{0x1p-24, 1}, {3, 683 * 0x1p-11}},
      {{-0x1p-24, 1}, {3, 683 * 0x1p-11}},
      {{0x1p-24, -1}, {-3, 683 * 0x1p-11}},
  };
  size_t checked = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    DotInput in;
    in.in = h;
    if (trial < static_cast<int>(fixed.size())) {
      for (auto [x, y] : fixed[trial]) {
        in.a.push_back(round_double(h, x).bits);
        in.b.push_back(round_double(h, y).bits);
      }
    } else {
      const size_t k = 1 + next() % 24;
      for (size_t i = 0; i < k; ++i) {
        for (uint64_t* v : {&in.a.emplace_back(), &in.b.emplace_back()}) {
          do *v = next() & 0xffff;
          while ((*v & 0x7c00) == 0x7c00);  // finite only
          if (trial % 2) *v &= 0x83ff | ((next() % 8 + 12) << 10);  // exponents near 1: more sums that round
        }
      }
    }
    std::vector<float> a, b;
    for (uint64_t x : in.a) a.push_back(static_cast<float>(to_double(h, x)));
    for (uint64_t x : in.b) b.push_back(static_cast<float>(to_double(h, x)));
    const float c = trial % 3 == 0 ? 0.0f : static_cast<float>(to_double(h, next() & 0x7bff));
    std::memcpy(&in.c, &c, sizeof c);
    float fast = 0, general = 0;
    const bool ok = seq_dot_fp16_rne(a.data(), b.data(), a.size(), c, &fast);
    INFO("trial " << trial);
    REQUIRE(ok == seq_dot_rne(h, a.data(), b.data(), a.size(), c, &general));
    if (!ok) continue;  // overflow: the core decides
    uint32_t fb, gb;
    std::memcpy(&fb, &fast, 4);
    std::memcpy(&gb, &general, 4);
    REQUIRE(fb == gb);
    REQUIRE(round_double(h, fast).bits == dot(acc, in));
    ++checked;
  }
  REQUIRE(checked > 1500);
}

TEST_CASE("the story: pure fp16 loses most updates and stalls, fp16-amp keeps up with fp32") {
  // The "fp16 without master weights stalls" preset: a learning rate where
  // lr * gradient falls below half an fp16 ulp of most weights.
  TrainSpec s = spec_of("fp32,fp16,fp16-amp", "sgd:lr=0.0005,momentum=0.9", 30, 480);
  s.batch = 16;
  std::string error;
  auto t = Training::create(s, &error);
  REQUIRE(t);
  t->run();
  const auto& r = t->results().recipes;
  const double fp16_lost = largest(r[1].lost);
  const double fp32 = r[0].test_loss.back(), fp16 = r[1].test_loss.back(), amp = r[2].test_loss.back();
  INFO("test losses: fp32 " << fp32 << ", fp16 " << fp16 << ", fp16-amp " << amp << "; fp16 lost " << fp16_lost);
  CHECK(fp16_lost > 0.5);
  CHECK(fp16 - amp > 0.05);
  CHECK(std::fabs(amp - fp32) < 0.01);
  CHECK(fp16 - fp32 > 20 * std::fabs(amp - fp32));
}

TEST_CASE("the story: a small loss weight underflows fp16 gradients without a loss scale; fp16-amp keeps up with fp32") {
  // The "Loss scaling rescues small gradients" preset (at 5 of its 10 epochs,
  // to halve the cost; tests/app runs it whole): the loss multiplied by
  // 3e-6 makes the logits' gradients (p - y) / 32 * 3e-6 < 1e-7, in or below
  // fp16's subnormals; Adam (invariant to the gradients' scale but for eps)
  // lets fp32 train as before, and fp16-amp's 2^16 loss scale lifts them back
  // into fp16's normal range.
  auto run = [](const std::string& recipes, double weight) {
    TrainSpec s = spec_of(recipes, "adam:lr=0.003", 5);
    s.loss_weight = weight;
    std::string error;
    auto t = Training::create(s, &error);
    REQUIRE(t);
    t->run();
    return t->results().recipes;
  };
  const auto r = run("fp32,fp16-amp,fp16-master-noscale", 3e-6);
  const double fp32 = r[0].test_loss.back(), amp = r[1].test_loss.back(), noscale = r[2].test_loss.back();
  const double amp_under = largest(r[1].underflow), noscale_under = largest(r[2].underflow);
  INFO("test losses: fp32 " << fp32 << ", fp16-amp " << amp << ", fp16-master-noscale " << noscale
                            << "; largest underflow: amp " << amp_under << ", noscale " << noscale_under);
  CHECK(noscale - amp > 1.0);
  CHECK(std::fabs(amp - fp32) < 0.01);
  CHECK(noscale - fp32 > 20 * std::fabs(amp - fp32));
  CHECK(r[2].test_accuracy.back() < 0.6);
  CHECK(r[1].test_accuracy.back() > 0.9);
  CHECK(noscale_under > 0.2);
  CHECK(noscale_under > 5 * amp_under);
  // The weight is the cause: unweighted, the same recipe follows fp32.
  const auto u = run("fp32,fp16-master-noscale", 1);
  INFO("unweighted test losses: fp32 " << u[0].test_loss.back() << ", fp16-master-noscale " << u[1].test_loss.back());
  CHECK(std::fabs(u[1].test_loss.back() - u[0].test_loss.back()) < 0.01);
}

TEST_CASE("recipe lists: commas inside a custom recipe's accumulator, or ';' as the separator") {
  std::vector<Recipe> list;
  std::string error;
  REQUIRE(parse_recipe_list("fp32,custom:w=fp16/acc=tc:fma=8,neab=1/master=on,bf16", &list, &error));
  REQUIRE(list.size() == 3);
  CHECK(list[1].name == "custom:w=fp16/acc=tc:fma=8,neab=1/master=on");
  CHECK(list[1].acc.kind == AccumulatorKind::TensorCore);
  CHECK(list[1].master);
  CHECK(list[2].name == "bf16");
  REQUIRE(parse_recipe_list("custom:acc=tc:fma=8,neab=1;fp16", &list, &error));
  CHECK(list.size() == 2);
  CHECK(parse_recipe_list("fp32,,", &list, &error));
  CHECK_FALSE(parse_recipe_list("", &list, &error));
}

// The trainer updates fp32 weights under round to nearest even by one IEEE
// single addition (update_range) instead of sim::apply_update's core path:
// the same bits for fp32 operands, incl. ties, cancellation to +0, -0 + -0,
// overflow to inf, subnormals and far-apart exponents.
TEST_CASE("an fp32 weight plus an fp32 increment in float arithmetic is the core's rne update", "[train]") {
  const float big = std::numeric_limits<float>::max(), tiny = std::numeric_limits<float>::denorm_min();
  std::vector<float> v = {0.0f, -0.0f, 1.0f, -1.0f, 1.0f + 0x1p-23f, 0x1p-24f, 0x1.8p-24f, 0x1p-25f, big, -big,
                          0x1p104f, tiny, -tiny, 0x1p-126f, 0x1.fffffcp-127f, 3.0e-39f, 1e-30f, 1.125f, 0.00041999f};
  std::mt19937 rng(16);
  while (v.size() < 400) {
    const uint32_t bits = static_cast<uint32_t>(rng());
    float f;
    std::memcpy(&f, &bits, 4);
    if (std::isfinite(f)) v.push_back(f);
  }
  sim::StrategySpec st;
  st.format = fp32();
  size_t differ = 0;
  for (float w : v)
    for (float inc : v) {
      sim::Weight wt{w, 0};
      sim::apply_update(st, &wt, inc, 0, 0);
      const float fast = w + inc;
      const double core = wt.w;
      if (!(static_cast<double>(fast) == core && std::signbit(fast) == std::signbit(core)))
        ++differ;
    }
  CHECK(differ == 0);
}
