// The Accumulation panel's model without ImGui: a run computed a chunk at a
// time gives what `mantissa gemm-error` gives (the same rows, byte for byte
// in JSON), the presets show what the issue says they show (checked against
// independent arithmetic), bad or absurd inputs are refused with a
// sentence, and the walkthrough's block is the published H100 behaviour.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <string>

#include "app/accumulation_model.h"
#include "core/value.h"

using namespace mantissa;
using namespace mantissa::app;

namespace {

const AccumulationPreset& preset(const std::string& key) {
  for (const AccumulationPreset& p : accumulation_presets()) {
    if (key == p.key) return p;
  }
  FAIL("no preset " << key);
  return accumulation_presets().front();
}

}  // namespace

TEST_CASE("a run in chunks of trials gives gemm-error's rows exactly", "[app][accumulation]") {
  AccumulationScenario d;
  d.in = "fp16";
  d.dist = "normal:0:1";
  d.ks = "64,8,200";  // any order, as the CLI takes it
  d.acc = "tc:h100;blocked:fp16:16;seq:fp16;tc:fma=8,neab=1";
  d.trials = 37;
  d.seed = 11;
  AccumulationRun run;
  run.start(d);
  REQUIRE(run.status() == RunStatus::Running);
  // A zero budget computes one chunk per call: the first is 4096 / K max = 20
  // of the 37 trials, whatever the machine's speed.
  REQUIRE(run.advance(std::chrono::duration<double>(0)));
  CHECK(run.trials_done() == 20);
  CHECK(run.progress() > 0);
  CHECK(run.progress() < 1);
  while (run.advance(std::chrono::duration<double>(0))) {
  }
  REQUIRE(run.status() == RunStatus::Finished);
  CHECK(run.progress() == 1);
  CHECK(run.compute_seconds() > 0);

  sim::GemmErrorSpec spec;
  std::string error;
  REQUIRE(accumulation_spec(d, &spec, &error));
  const std::vector<sim::GemmErrorRow> whole = sim::run_gemm_error(spec);
  CHECK(sim::gemm_error_json(run.spec(), run.rows()) == sim::gemm_error_json(spec, whole));
  CHECK(accumulation_command(d) ==
        "mantissa gemm-error --k 64,8,200 --in fp16 --dist normal:0:1 --acc "
        "'tc:h100;blocked:fp16:16;seq:fp16;tc:fma=8,neab=1' --trials 37 --seed 11");

  // Curves: K ascending per accumulator, with the bounds beside.
  const std::vector<AccumulationCurve> curves = run.curves();
  REQUIRE(curves.size() == 4);
  CHECK(curves[2].acc == "seq:fp16");
  CHECK(curves[2].k == std::vector<double>{8, 64, 200});
  CHECK(curves[2].rule == "gamma_K");
  CHECK(curves[2].probabilistic[1] == 8 * std::ldexp(1.0, -11));
  CHECK(std::isnan(curves[0].bound[0]));  // tc: truncation, no gamma bound
}

TEST_CASE("Summing 1.0 4096 times: fp16 reaches 2048, bf16 256, fp32 4096", "[app][accumulation][preset]") {
  const AccumulationPreset& p = preset("ones");
  CHECK(std::string(p.title) == "Summing 1.0 4096 times");
  AccumulationRun run;
  run.start(p.scenario);
  run.finish();
  REQUIRE(run.status() == RunStatus::Finished);
  const std::vector<DotReport> sample = accumulation_sample(run.spec());
  REQUIRE(sample.size() == 3);
  CHECK(sample[0].acc.name == "seq:fp16");
  CHECK(sample[0].value.to_string() == "2048");
  CHECK(sample[1].value.to_string() == "256");
  CHECK(sample[2].value.to_string() == "4096");
  CHECK(sample[0].exact.to_string() == "4096");
  // The relative errors at each K, from the counting argument: fp16 sticks at
  // 2048 (u = 2^-11), bf16 at 256.
  for (const sim::GemmErrorRow& r : run.rows()) {
    const double k = static_cast<double>(r.k);
    const double expected = r.accumulator == "seq:fp16"   ? (k > 2048 ? 1 - 2048 / k : 0)
                            : r.accumulator == "seq:bf16" ? (k > 256 ? 1 - 256 / k : 0)
                                                          : 0;
    INFO(r.accumulator << " K=" << r.k);
    CHECK(r.median == expected);
    CHECK(r.max == expected);
  }
}

TEST_CASE("the presets carry the issue's names and run within the playground's limits",
          "[app][accumulation][preset]") {
  REQUIRE(accumulation_presets().size() == 3);
  CHECK(std::string(preset("deepseek").title) ==
        "DeepSeek-V3: FP8 on H100, with and without promotion every 128");
  CHECK(std::string(preset("fp16-accumulate").title) == "fp16 inputs, fp16 vs fp32 accumulate");
  CHECK(preset("deepseek").scenario == AccumulationScenario{});  // the defaults
  for (const AccumulationPreset& p : accumulation_presets()) {
    sim::GemmErrorSpec spec;
    std::string error;
    INFO(p.key << ": " << error);
    CHECK(accumulation_spec(p.scenario, &spec, &error));
    const AccumulationBlock b = accumulation_block(p.scenario);
    INFO(b.error);
    CHECK(b.ok);
  }
}

TEST_CASE("DeepSeek on a few trials: promotion every 128 cuts the error of uniform data",
          "[app][accumulation][preset]") {
  AccumulationScenario d = preset("deepseek").scenario;
  d.ks = "4096";
  d.trials = 20;
  AccumulationRun run;
  run.start(d);
  run.finish();
  REQUIRE(run.rows().size() == 2);
  // README: tc:h100 about 6.6%, blocked:tc:h100:128 about 0.05% (uniform:0:1).
  CHECK(run.rows()[0].median > 0.01);
  CHECK(run.rows()[1].median < 0.002);
}

TEST_CASE("bad and absurd inputs are refused with one sentence, nothing runs",
          "[app][accumulation][hostile]") {
  struct Case {
    void (*edit)(AccumulationScenario&);
    const char* words;
  };
  const Case cases[] = {
      {[](AccumulationScenario& d) { d.ks = "1000000000"; }, "--k"},
      {[](AccumulationScenario& d) { d.ks = "100000"; }, "playground"},
      {[](AccumulationScenario& d) { d.trials = 1000000000; }, "trials"},
      {[](AccumulationScenario& d) { d.trials = 100000; }, "products"},
      {[](AccumulationScenario& d) { d.acc = "tc:h9000"; }, "h9000"},
      {[](AccumulationScenario& d) { d.acc = ""; }, "accumulator"},
      {[](AccumulationScenario& d) { d.acc = "tc:v100"; }, "v100"},  // no fp8 on a V100
      {[](AccumulationScenario& d) { d.in = "fp64"; }, "fp64"},
      {[](AccumulationScenario& d) { d.dist = "normal:0:-1"; }, "distribution"},
  };
  for (const Case& c : cases) {
    AccumulationScenario d;
    c.edit(d);
    AccumulationRun run;
    run.start(d);
    INFO(run.error());
    CHECK(run.status() == RunStatus::Refused);
    CHECK(run.error().find(c.words) != std::string::npos);
    CHECK_FALSE(run.advance(std::chrono::duration<double>(1)));
    CHECK(run.rows().empty());
  }
}

TEST_CASE("the walkthrough: H100 fp8 keeps a 2^-13 term next to 1 and truncates 2^-14",
          "[app][accumulation][walkthrough]") {
  AccumulationScenario d;  // fp8-e4m3, tc:h100
  d.block_a = "1,0x1p-7";
  d.block_b = "1,0x1p-6";
  AccumulationBlock b = accumulation_block(d);
  INFO(b.error);
  REQUIRE(b.ok);
  CHECK_FALSE(b.random);
  CHECK(b.trace.bits == 0x3f800400);  // 1 + 2^-13 in fp32
  CHECK(b.command == "mantissa explain dot --a 1,0x1p-7 --b 1,0x1p-6 --in fp8-e4m3 --acc tc:h100");
  d.block_a = "1,0x1p-8";
  b = accumulation_block(d);
  REQUIRE(b.ok);
  CHECK(b.trace.bits == 0x3f800000);  // 1: the 2^-14 product is truncated away

  // A random example: one block of K = fma terms of the run's distribution,
  // the trial `example` of gemm-error; the trace equals dot() on it.
  AccumulationScenario r;
  r.example = 3;
  b = accumulation_block(r);
  REQUIRE(b.ok);
  CHECK(b.random);
  CHECK(b.a.size() == 32);  // fma of the h100 fp8 model
  sim::GemmErrorSpec spec;
  std::string error;
  AccumulationScenario one = r;
  one.ks = "32";
  REQUIRE(accumulation_spec(one, &spec, &error));
  const DotInput in = sim::gemm_error_trial(spec, 32, 3);
  CHECK(b.trace.bits == dot(b.trace.acc, in));
  CHECK(b.a[0] == exact_value(fp8_e4m3(), in.a[0]).to_string());
  r.example = 4;
  CHECK(accumulation_block(r).a != b.a);

  AccumulationScenario bad;
  bad.block_acc = "seq:fp32";
  CHECK_FALSE(accumulation_block(bad).ok);
  bad = AccumulationScenario{};
  bad.block_a = "1,2";
  bad.block_b = "1";
  b = accumulation_block(bad);
  CHECK_FALSE(b.ok);
  CHECK(b.error.find("same length") != std::string::npos);
}

TEST_CASE("log-spaced K lists", "[app][accumulation]") {
  CHECK(log_spaced_ks(16, 4096, 5) == "16,64,256,1024,4096");
  CHECK(log_spaced_ks(1, 4, 10) == "1,2,3,4");
  CHECK(log_spaced_ks(0, 1u << 30, 1) == "65536");
}
