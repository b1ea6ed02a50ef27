// Frozen links: hashes exactly as earlier versions of Mantissa wrote them.
// They must load the same scenario for ever. Never edit a frozen link; when
// the format changes, add a new version and an upgrade step (link_upgrade.cpp), and
// freeze some links of the new version here too.
#include <catch2/catch.hpp>

#include "scenario/link.h"

using namespace mantissa;

namespace {

DecodedLink load(const char* hash) {
  DecodedLink d = decode_link(hash);
  std::string all;
  for (const std::string& n : d.notices) all += n + "\n";
  INFO(hash << "\n" << all);
  CHECK(d.notices.empty());
  return d;
}

}  // namespace

TEST_CASE("frozen v1: the tutorial's conversion in the inspector", "[link][frozen]") {
  const DecodedLink d = load("#v=1&x=1.12156456132&xfocus=fp16");
  CHECK(d.version == 1);
  CHECK(d.scenario.panel == ScenarioPanel::Inspector);
  CHECK(d.scenario.inspector.value == "1.12156456132");
}

TEST_CASE("frozen v1: a bit pattern in bf16, rounded toward zero, saturating", "[link][frozen]") {
  const DecodedLink d = load("#v=1&x=0x3f8f&xf=bf16&xr=rtz&xsat=1&xc=e5m6&xfocus=fp8-e4m3");
  CHECK(d.scenario.inspector.value == "0x3f8f");
  CHECK(d.scenario.inspector.from == "bf16");
  CHECK(d.scenario.inspector.mode == "rtz");
  CHECK(d.scenario.inspector.saturate);
  CHECK(d.scenario.inspector.custom == "e5m6");
  CHECK(d.scenario.inspector.focus == "fp8-e4m3");
}

TEST_CASE("frozen v1: the issue's addition link", "[link][frozen]") {
  const DecodedLink d = load("#v=1&p=add&a=1.125&af=fp16&b=0.12457275190625&bf=fp16&in=fp16");
  CHECK(d.scenario.panel == ScenarioPanel::Addition);
  CHECK(d.scenario.addition.a == "1.125");
  CHECK(d.scenario.addition.b == "0.12457275190625");
}

TEST_CASE("frozen v1: fp32 weight plus fp16 gradient, step 2 selected", "[link][frozen]") {
  const DecodedLink d = load("#v=1&p=add&af=fp32&in=fp32&cmp=1&step=2");
  CHECK(d.scenario.addition.a_format == "fp32");
  CHECK(d.scenario.addition.format == "fp32");
  CHECK(d.scenario.addition.compare_fp32);
  CHECK(d.scenario.addition.step == 2);
}

TEST_CASE("frozen v1: fused multiply-add with stochastic rounding", "[link][frozen]") {
  const DecodedLink d = load("#v=1&p=add&op=fma&a=3&b=0.1&c=-0.3&cf=fp32&in=bf16&r=sr&s=7&ftz=1");
  CHECK(d.scenario.addition.op == "fma");
  CHECK(d.scenario.addition.c == "-0.3");
  CHECK(d.scenario.addition.mode == "stochastic");  // canonical name
  CHECK(d.scenario.addition.seed == 7);
  CHECK(d.scenario.addition.ftz);
}

TEST_CASE("frozen v1: the tutorial's lost updates over 101 steps", "[link][frozen]") {
  const DecodedLink d = load("#v=1&p=train&inc=0.00041999&n=101&st=fp64,fp32-master,fp16,fp16-sr");
  CHECK(d.scenario.panel == ScenarioPanel::Training);
  CHECK(d.scenario.training.steps == 101);
  CHECK(d.scenario.training.strategies == std::vector<std::string>{"fp64", "fp32-master", "fp16", "fp16-sr"});
}

TEST_CASE("frozen v1: gaussian gradients, loss scaling, a population and a zoomed view", "[link][frozen]") {
  const DecodedLink d = load(
      "#v=1&p=train&w0=0.5&lr=0.001&g=normal:0:1&ts=3&gf=bf16&n=10000&st=bf16,bf16-kahan,"
      "fp32-master+ls-static:1024&ls=dynamic&pop=256&vx0=100&vx1=2000&vy0=0.49&vy1=0.51&logerr=1&sel=1500");
  const TrainingScenario& t = d.scenario.training;
  CHECK(t.w0 == "0.5");
  CHECK(t.lr == "0.001");
  CHECK(t.grad == "normal:0:1");
  CHECK(t.seed == 3);
  CHECK(t.grad_format == "bf16");
  CHECK(t.steps == 10000);
  CHECK(t.strategies.size() == 3);
  CHECK(t.loss_scale == "dynamic");
  CHECK(t.population == 256);
  CHECK(t.view_x0 == 100);
  CHECK(t.view_x1 == 2000);
  CHECK(t.view_y0 == 0.49);
  CHECK(t.view_y1 == 0.51);
  CHECK(t.log_error);
  CHECK(t.selected_step == 1500);
}

TEST_CASE("frozen v1: the error landscape of the fp8 formats on a linear axis", "[link][frozen]") {
  const DecodedLink d = load("#v=1&p=landscape&lf=fp8-e4m3,fp8-e5m2,e3m4fn&lx0=0.001&lx1=500&llog=0");
  CHECK(d.scenario.panel == ScenarioPanel::Landscape);
  CHECK(d.scenario.landscape.formats == std::vector<std::string>{"fp8-e4m3", "fp8-e5m2", "e3m4fn"});
  CHECK(d.scenario.landscape.x_min == 0.001);
  CHECK(d.scenario.landscape.x_max == 500);
  CHECK_FALSE(d.scenario.landscape.log_x);
  // Written before the error axis was in links: the default log |error| axis.
  CHECK(d.scenario.landscape.log_error);
}

TEST_CASE("frozen v1: the error landscape with a linear error axis", "[link][frozen]") {
  const DecodedLink d = load("#v=1&p=landscape&lf=fp16,bf16&llogy=0");
  CHECK(d.notices.empty());
  CHECK(d.scenario.landscape.formats == std::vector<std::string>{"fp16", "bf16"});
  CHECK(d.scenario.landscape.log_x);
  CHECK_FALSE(d.scenario.landscape.log_error);
  CHECK(encode_link(d.scenario) == "v=1&p=landscape&lf=fp16,bf16&llogy=0");
}

TEST_CASE("frozen v1: compact form of a 2,100-digit decimal", "[link][frozen][compact]") {
  // As encode_link wrote inspector.value = "0." + 2100 nines (the readable
  // form would be 2,108 characters): record "x", packed, 2,102 characters;
  // "0." packs to 0x0a, each "99" to 0x99, base64url "mZ" repeated.
  std::string hash = "#v=1&z=AXgBthAK";
  for (int i = 0; i < 700; ++i) hash += "mZ";
  const DecodedLink d = load(hash.c_str());
  CHECK(d.compact);
  CHECK(d.scenario.inspector.value == "0." + std::string(2100, '9'));
}

TEST_CASE("frozen v0 (legacy, no v=): field names, ';' lists, true/false", "[link][frozen][upgrade]") {
  const DecodedLink d = load(
      "#panel=Training&addition.a=1.125&addition.a_format=half&addition.compare_fp32=true&"
      "training.inc=0.00041999&training.steps=101&training.strategies=fp64;fp32-master;fp16&"
      "landscape.log_x=false&inspector.value=0x3c00&inspector.from=fp16");
  CHECK(d.version == 0);
  CHECK(d.scenario.panel == ScenarioPanel::Training);
  CHECK(d.scenario.addition.a_format == "fp16");
  CHECK(d.scenario.addition.compare_fp32);
  CHECK(d.scenario.training.steps == 101);
  CHECK(d.scenario.training.strategies == std::vector<std::string>{"fp64", "fp32-master", "fp16"});
  CHECK_FALSE(d.scenario.landscape.log_x);
  CHECK(d.scenario.inspector.value == "0x3c00");
}

TEST_CASE("frozen v0: a bad part of a legacy link is named with its new key", "[link][frozen][upgrade]") {
  const DecodedLink d = decode_link("#panel=Addition&addition.format=fp17&addition.bogus=1");
  CHECK(d.version == 0);
  CHECK(d.scenario.panel == ScenarioPanel::Addition);
  REQUIRE(d.notices.size() == 2);
  CHECK(d.notices[0] == "ignored in=fp17: unknown format");
  CHECK(d.notices[1] == "ignored addition.bogus=1: unknown key");
}
