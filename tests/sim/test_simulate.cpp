// The training-update simulator, single weight: the tutorial's runs by name,
// the counters, the remedies (SR, Kahan, loss scaling), limits and chunking.
#include <catch2/catch.hpp>
#include <cmath>

#include "core/parse.h"
#include "sim/accumulator.h"
#include "sim/random.h"
#include "sim/simulation.h"

using namespace mantissa;
using namespace mantissa::sim;

namespace {

ExactValue exact(const std::string& text) {
  ParsedValue p;
  ExactValue v;
  std::string error;
  REQUIRE(parse_value(text, &p, &error));
  REQUIRE(resolve_value(p, nullptr, &v, &error));
  return v;
}

std::unique_ptr<Simulation> run_ok(const Setup& s) {
  std::string error;
  auto sim = run_simulation(s, &error);
  INFO(error);
  REQUIRE(sim);
  return sim;
}

const StrategyResult& strategy(const Simulation& sim, const std::string& name) {
  for (const StrategyResult& r : sim.results().strategies) {
    if (r.spec.name == name) return r;
  }
  FAIL("no strategy " << name);
  return sim.results().reference;
}

Setup scenario(const std::string& w0, const std::string& inc, uint64_t steps,
                  std::vector<std::string> names) {
  Setup s = tutorial_setup(inc, steps, names);
  s.w0 = exact(w0);
  REQUIRE(s.strategies.size() == names.size());
  return s;
}

}  // namespace

TEST_CASE("tutorial: fp16 weight 1.125 + fp16(0.00041999) x101 stays 1.125", "[sim][tutorial]") {
  auto sim = run_ok(tutorial_setup("0.00041999", 101, {"fp16", "fp32-master"}));
  CHECK(hex_bits(fp16(), sim->results().increment_bits) == "0x0ee2");
  const StrategyResult& r = strategy(*sim, "fp16");
  CHECK(r.final_exact() == "1.125");
  CHECK(r.final_hex() == "0x3c80");
  CHECK(r.lost_updates == 101);  // every update below half an ulp is lost
}

TEST_CASE("tutorial: fp32-master + fp16(0.00041999) x101 ends at 1.167429447174072265625",
          "[sim][tutorial]") {
  auto sim = run_ok(tutorial_setup("0.00041999", 101, {"fp16", "fp32-master"}));
  const StrategyResult& r = strategy(*sim, "fp32-master");
  CHECK(r.final_exact() == "1.167429447174072265625");
  CHECK(r.lost_updates == 0);
  CHECK(sim->results().reference.final_exact() == "1.167429447174072265625");
}

TEST_CASE("tutorial: 0.12457275190625 x101: fp16 ends at 13.75, fp32-master at 13.70684814453125",
          "[sim][tutorial]") {
  auto sim = run_ok(tutorial_setup("0.12457275190625", 101, {"fp16", "fp32-master"}));
  CHECK(hex_bits(fp16(), sim->results().increment_bits) == "0x2ff9");
  CHECK(strategy(*sim, "fp16").final_exact() == "13.75");
  CHECK(strategy(*sim, "fp32-master").final_exact() == "13.70684814453125");
  CHECK(strategy(*sim, "fp16").max_abs_error.exact() == "0.04315185546875");
}

TEST_CASE("fp16 update below half an ulp is lost, above it is not", "[sim]") {
  // ulp(fp16, 1) = 2^-10: 2^-12 is lost, 2^-10 lands exactly.
  auto lost = run_ok(scenario("1", "0.000244140625", 10, {"fp16"}));
  CHECK(strategy(*lost, "fp16").lost_updates == 10);
  auto kept = run_ok(scenario("1", "0.0009765625", 10, {"fp16"}));
  CHECK(strategy(*kept, "fp16").lost_updates == 0);
  CHECK(strategy(*kept, "fp16").final_exact() == "1.009765625");
}

TEST_CASE("an increment below half the smallest fp16 subnormal underflows to zero", "[sim]") {
  auto sim = run_ok(scenario("1", "1e-8", 7, {"fp32-master", "fp16"}));
  CHECK(sim->results().stream_underflowed == 7);
  CHECK(strategy(*sim, "fp32-master").underflowed == 7);
  CHECK(strategy(*sim, "fp32-master").lost_updates == 0);  // a zero increment is not a lost update
  CHECK(strategy(*sim, "fp32-master").final_exact() == "1");
}

TEST_CASE("loss scaling rescues fp16 gradients that underflow", "[sim][loss-scale]") {
  Setup s = scenario("0.001", "1e-8", 1000, {"fp32-master", "fp32-master+ls-static:65536"});
  s.reference = Setup::Reference::Exact;
  auto sim = run_ok(s);
  const StrategyResult& plain = strategy(*sim, "fp32-master");
  const StrategyResult& scaled = strategy(*sim, "fp32-master+ls-static");
  CHECK(plain.underflowed == 1000);
  CHECK(plain.value == 0.001f);
  CHECK(scaled.underflowed == 0);
  CHECK(scaled.skipped == 0);
  // 1000 * 1e-8 = 1e-5 added, to within a few per mille (fp16 storage of the
  // scaled gradient, fp32 additions at 0.001); the plain master lost all of it.
  CHECK(std::fabs(scaled.value - 0.00101) < 0.005 * 1e-5);
  CHECK(std::fabs(sim->results().reference.value - 0.00101) < 1e-15);
}

TEST_CASE("dynamic loss scale doubles after 2000 finite steps", "[sim][loss-scale]") {
  auto sim = run_ok(scenario("0", "1e-6", 4001, {"fp32-master+ls-dynamic"}));
  const StrategyResult& r = strategy(*sim, "fp32-master+ls-dynamic");
  CHECK(r.skipped == 0);
  CHECK(r.log2_scale == 18);  // 2^16 -> 2^17 after step 2000 -> 2^18 after step 4000
  REQUIRE(r.scale.points() == 4001);
  CHECK(r.scale.last[1999] == 65536.0);   // step 2000 still used 2^16
  CHECK(r.scale.last[2000] == 131072.0);  // step 2001 uses 2^17
  CHECK(r.scale.last[4000] == 262144.0);
}

TEST_CASE("dynamic loss scale halves and skips the step on overflow", "[sim][loss-scale]") {
  // 0.5 * 2^16 = 32768 fits fp16; 2 * 2^16 overflows to inf: skip, halve, until 2 * 2^k fits.
  auto sim = run_ok(scenario("0", "2", 5, {"fp32-master+ls-dynamic"}));
  const StrategyResult& r = strategy(*sim, "fp32-master+ls-dynamic");
  // 2 * 2^16 = 131072 > 65504: skip (scale 2^15); 2 * 2^15 = 65536 -> inf too: skip (2^14); then fine.
  CHECK(r.skipped == 2);
  CHECK(r.log2_scale == 14);
  CHECK(r.final_exact() == "6");  // 3 applied steps of 2
  CHECK(r.scale.last[0] == 65536.0);
  CHECK(r.scale.last[2] == 16384.0);
}

TEST_CASE("static loss scale must be a power of two", "[sim][loss-scale]") {
  StrategySpec st;
  std::string error;
  CHECK_FALSE(parse_strategy("fp32-master+ls-static:1000", &st, &error));
  CHECK(error.find("power of two") != std::string::npos);
  CHECK(parse_loss_scale("static:1024", &st, &error));
  CHECK(st.loss_scale.log2_scale == 10);
  CHECK_FALSE(parse_loss_scale("sometimes", &st, &error));
}

TEST_CASE("stochastic rounding is unbiased where RNE loses every update", "[sim][sr]") {
  // 2^-13 per step on an fp16 weight at 1 (ulp 2^-10): RNE never moves; SR moves
  // up with probability 1/8, so on average it tracks the exact sum.
#ifdef __EMSCRIPTEN__
  const uint64_t steps = 8000;
#else
  const uint64_t steps = 80000;
#endif
  Setup s = scenario("1", "0.0001220703125", steps, {"fp16", "fp16-sr"});
  s.grad_format = fp32();
  double total = 0;
  const int seeds = 8;
  for (int seed = 1; seed <= seeds; ++seed) {
    s.seed = static_cast<uint64_t>(seed);
    auto sim = run_ok(s);
    CHECK(strategy(*sim, "fp16").final_exact() == "1");
    total += strategy(*sim, "fp16-sr").value - 1.0;
  }
  const double exact_gain = static_cast<double>(steps) * 0.0001220703125;
  const double mean_gain = total / seeds;
  // Each step adds 2^-10 with p = 1/8 (while the ulp stays 2^-10 below 2): the
  // binomial's relative standard deviation over all seeds is well under 2%.
  CHECK(std::fabs(mean_gain - exact_gain) / exact_gain < 0.05);
}

TEST_CASE("Kahan summation in fp16 beats plain RNE in fp16", "[sim][kahan]") {
  auto sim = run_ok(tutorial_setup("0.00041999", 1001, {"fp16", "fp16-kahan", "bf16", "bf16-kahan"}));
  CHECK(strategy(*sim, "fp16-kahan").max_abs_error.approx() <
        strategy(*sim, "fp16").max_abs_error.approx() / 10);
  CHECK(strategy(*sim, "bf16-kahan").max_abs_error.approx() <
        strategy(*sim, "bf16").max_abs_error.approx() / 10);
  CHECK(std::fabs(strategy(*sim, "fp16-kahan").value - sim->results().reference.value) <= 0.0009765625);
}

TEST_CASE("same seed gives the same bits; another seed gives others", "[sim][determinism]") {
  Setup s;
  s.w0 = exact("0.5");
  s.increments.kind = IncrementStream::Kind::Gaussian;
  s.increments.lr = 0.001;
  s.increments.mean = 0.1;
  s.increments.stddev = 1;
  s.steps = 500;
  s.seed = 42;
  for (const char* name : {"fp16", "bf16-sr", "fp16-kahan", "fp32-master+ls-dynamic", "fp8-e5m2"}) {
    StrategySpec st;
    std::string error;
    REQUIRE(parse_strategy(name, &st, &error));
    s.strategies.push_back(st);
  }
  auto a = run_ok(s);
  auto b = run_ok(s);
  s.seed = 43;
  auto c = run_ok(s);
  bool any_differs = false;
  for (size_t i = 0; i < s.strategies.size(); ++i) {
    CHECK(a->results().strategies[i].bits == b->results().strategies[i].bits);
    CHECK(a->results().strategies[i].trajectory.last == b->results().strategies[i].trajectory.last);
    any_differs = any_differs || a->results().strategies[i].bits != c->results().strategies[i].bits;
  }
  CHECK(any_differs);
}

TEST_CASE("normal draws are pinned bit for bit (identical natively and in wasm)", "[sim][determinism]") {
  // Golden values computed once; any platform libm difference would change them.
  CHECK(random_bits64(0, RandomStream::Gradient, 0) == random_bits64(0, RandomStream::Gradient, 0));
  CHECK(portable_log(1.0) == 0.0);
  CHECK(std::fabs(portable_log(0.5) + 0.6931471805599453) < 1e-16);
  CHECK(std::fabs(portable_log(1e-300) - std::log(1e-300)) < 1e-12);
  double sum = 0, sum2 = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const double z = random_normal(7, RandomStream::Gradient, static_cast<uint64_t>(i));
    sum += z;
    sum2 += z * z;
  }
  CHECK(std::fabs(sum / n) < 0.03);
  CHECK(std::fabs(sum2 / n - 1) < 0.05);
  union {
    double d;
    uint64_t u;
  } pin{random_normal(1, RandomStream::Gradient, 12345)};
  CHECK(pin.u == 0xbfe8047e00b6d0b0ull);  // -0.75054836406208914
  uint64_t checksum = 0;
  for (uint64_t i = 0; i < 1000; ++i) {
    union {
      double d;
      uint64_t u;
    } z{random_normal(9, RandomStream::Gradient, i)};
    checksum += z.u % 1000003;
  }
  CHECK(checksum == 505663378);
}

TEST_CASE("an envelope's min and max equal the true min and max of each bucket", "[sim][envelope]") {
  Series env;
  const uint64_t steps = kTrajectoryPoints * 3 + 17;
  env.reset(steps);
  CHECK(env.bucket == 4);
  std::vector<double> truth;
  for (uint64_t i = 0; i < steps; ++i) {
    const double v = random_normal(3, RandomStream::Gradient, i);
    truth.push_back(v);
    env.push(v);
  }
  REQUIRE(env.points() == (steps + 3) / 4);
  for (size_t p = 0; p < env.points(); ++p) {
    const size_t lo = p * 4, hi = std::min<size_t>(lo + 4, steps);
    double mn = truth[lo], mx = truth[lo];
    for (size_t i = lo; i < hi; ++i) {
      mn = std::min(mn, truth[i]);
      mx = std::max(mx, truth[i]);
    }
    REQUIRE(env.min[p] == mn);
    REQUIRE(env.max[p] == mx);
    REQUIRE(env.last[p] == truth[hi - 1]);
  }
}

TEST_CASE("a long run keeps an envelope trajectory, a short one every step", "[sim][envelope]") {
  auto short_run = run_ok(tutorial_setup("0.00041999", 1000, {"fp16"}));
  CHECK(strategy(*short_run, "fp16").trajectory.points() == 1000);
  CHECK(strategy(*short_run, "fp16").trajectory.bucket == 1);
#ifndef __EMSCRIPTEN__
  auto long_run = run_ok(tutorial_setup("0.00041999", 250000, {"fp16"}));
  const Series& t = strategy(*long_run, "fp16").trajectory;
  CHECK(t.bucket == 3);
  CHECK(t.points() == 83334);
  CHECK(t.last_step_of(t.points() - 1) == 250000);
#endif
}

TEST_CASE("invalid scenarios are refused with one sentence", "[sim][limits]") {
  Setup good = tutorial_setup("0.00041999", 101, {"fp16"});
  std::string error;
  CHECK(validate(good, &error));
  auto refused = [&](Setup s) {
    std::string why;
    auto sim = Simulation::create(s, &why);
    CHECK_FALSE(sim);
    CHECK(!why.empty());
    CHECK(why.find('\n') == std::string::npos);
    return why;
  };
  Setup s = good;
  s.steps = 0;
  CHECK(refused(s).find("at least 1") != std::string::npos);
  s = good;
  s.steps = kMaxSteps + 1;
  CHECK(refused(s).find("limit") != std::string::npos);
  s = good;
  s.increments.constant = ExactValue::nan();
  CHECK(refused(s).find("finite") != std::string::npos);
  s = good;
  s.increments.kind = IncrementStream::Kind::Gaussian;
  s.increments.stddev = -1;
  refused(s);
  s = good;
  s.strategies.clear();
  refused(s);
  s = good;
  s.strategies.push_back(s.strategies[0]);
  CHECK(refused(s).find("twice") != std::string::npos);
  StrategySpec st;
  CHECK_FALSE(parse_strategy("fp17", &st, &error));
  CHECK(error.find("unknown strategy") != std::string::npos);
}

TEST_CASE("a scenario over the memory budget is refused before allocation, naming the largest size",
          "[sim][limits]") {
  Setup s = tutorial_setup(
      "0.00041999", 1,
      {"fp16", "bf16", "fp8-e4m3", "fp16-sr", "fp16-kahan", "bf16-kahan", "fp64", "e6m9", "e5m3", "e4m5",
       "tf32", "fp8-e5m2", "bf16-sr", "fp8-e4m3-sr", "e5m3-kahan", "fp32-master"});
  s.population_mode = true;
  s.population = kMaxPopulation;
  REQUIRE(estimate_memory(s) > kMemoryBudget);
  std::string error;
  auto sim = Simulation::create(s, &error);
  CHECK_FALSE(sim);
  const uint64_t largest = largest_allowed(s);
  CHECK(largest < kMaxPopulation);
  CHECK(error.find("memory budget") != std::string::npos);
  CHECK(error.find(std::to_string(largest)) != std::string::npos);
  s.population = largest;
  CHECK(estimate_memory(s) <= kMemoryBudget);
}

TEST_CASE("a run advances in chunks, reports progress, and stops when cancelled", "[sim][chunks]") {
  std::string error;
  auto sim = Simulation::create(tutorial_setup("0.00041999", 1000, {"fp16", "fp32-master"}), &error);
  REQUIRE(sim);
  CHECK(sim->advance(300));
  CHECK(sim->steps_done() == 300);
  CHECK(sim->progress() == Approx(0.3));
  CHECK(strategy(*sim, "fp32-master").trajectory.points() == 300);
  sim->cancel();
  CHECK_FALSE(sim->advance(300));
  CHECK(sim->steps_done() == 300);
  CHECK(sim->cancelled());
  CHECK_FALSE(sim->finished());
  // Chunked and one-shot runs agree bit for bit.
  auto chunked = Simulation::create(tutorial_setup("0.12457275190625", 101, {"fp16-sr"}), &error);
  while (chunked->advance(7)) {
  }
  auto whole = run_ok(tutorial_setup("0.12457275190625", 101, {"fp16-sr"}));
  CHECK(chunked->finished());
  CHECK(strategy(*chunked, "fp16-sr").bits == strategy(*whole, "fp16-sr").bits);
}

TEST_CASE("accumulate: the tutorial's fp16 weight never moves and the count of lost updates is right",
          "[sim][accumulate]") {
  Accumulator acc(fp16(), fp16(), AccumulateStrategy::Rne, exact("1.125"), 0);
  std::string error;
  for (int i = 0; i < 101; ++i) REQUIRE(acc.add(exact("0.00041999"), &error));
  CHECK(acc.value().to_string() == "1.125");
  CHECK(acc.lost_updates() == 101);
  CHECK(acc.last_change_step() == 0);
  Accumulator wide(fp32(), fp16(), AccumulateStrategy::Rne, exact("1.125"), 0);
  for (int i = 0; i < 101; ++i) REQUIRE(wide.add(exact("0.00041999"), &error));
  CHECK(wide.value().to_string() == "1.167429447174072265625");
  CHECK(wide.last_change_step() == 101);
  CHECK_FALSE(wide.add(ExactValue::infinity(false), &error));
  CHECK(wide.steps() == 101);
}
