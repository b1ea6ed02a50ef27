// The Accumulation panel's link keys (di dd dk dacc dn ds dwacc dwa dwb dwc
// dwx): defaults left out, values round-trip, and hostile or absurd values
// (K = 10^9, trials = 10^9, unknown accumulators) keep the default with a notice.
#include <catch2/catch.hpp>

#include <string>

#include "scenario/link.h"

using namespace mantissa;

namespace {

std::string notices_text(const DecodedLink& d) {
  std::string out;
  for (const std::string& n : d.notices) out += n + "\n";
  return out;
}

bool notice_names(const DecodedLink& d, const std::string& key) {
  for (const std::string& n : d.notices) {
    if (n.rfind("ignored " + key + "=", 0) == 0) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("the accumulation panel's defaults write no keys", "[link][accumulation]") {
  Scenario s;
  s.panel = ScenarioPanel::Accumulation;
  CHECK(encode_link(s) == "v=1&p=dot");
}

TEST_CASE("accumulation keys round-trip, ';' lists and commas inside accumulator names",
          "[link][accumulation]") {
  Scenario s;
  s.panel = ScenarioPanel::Accumulation;
  s.accumulation.in = "fp16";
  s.accumulation.dist = "normal:0:1";
  s.accumulation.ks = "16,64,256";
  s.accumulation.acc = "tc:fma=8,neab=1;seq:fp16;blocked:fp16:32";
  s.accumulation.trials = 25;
  s.accumulation.seed = 3;
  s.accumulation.block_acc = "tc:fma=4,neab=0";
  s.accumulation.block_a = "1,0x1p-12";
  s.accumulation.block_b = "1,1";
  s.accumulation.block_c = "-0.25";
  s.accumulation.example = 4;
  const std::string link = encode_link(s);
  const DecodedLink d = decode_link(link);
  INFO(link << "\n" << notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.scenario == s);
  // The embed's scope: only this panel's keys.
  CHECK(encode_link(s, LinkScope::ActivePanel).find("dk=16,64,256") != std::string::npos);
}

TEST_CASE("absurd sizes and bad values keep the defaults, each with a notice",
          "[link][accumulation][hostile]") {
  const AccumulationScenario defaults;
  struct Case {
    const char* link;
    const char* key;
  };
  const Case cases[] = {
      {"p=dot&dk=1000000000", "dk"},  // K = 10^9
      {"p=dot&dk=16,65537", "dk"},    // past the playground's K
      {"p=dot&dk=0", "dk"},
      {"p=dot&dk=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25", "dk"},
      {"p=dot&dk=-5", "dk"},
      {"p=dot&dk=1e3", "dk"},
      {"p=dot&dn=1000000000", "dn"},  // trials = 10^9
      {"p=dot&dn=0", "dn"},
      {"p=dot&dn=-1", "dn"},
      {"p=dot&di=fp64", "di"},  // beyond fp32: not a dot-product input
      {"p=dot&di=fp17", "di"},
      {"p=dot&dd=normal:0:-1", "dd"},
      {"p=dot&dd=uniform:2:1", "dd"},
      {"p=dot&dd=normal:nan:1", "dd"},
      {"p=dot&dd=cauchy:0:1", "dd"},
      {"p=dot&dacc=tc:h9000", "dacc"},
      {"p=dot&dacc=seq:fp16;nonsense", "dacc"},
      {"p=dot&dacc=;;", "dacc"},
      {"p=dot&dacc=exact;seq:fp16;seq:fp32;seq:bf16;pairwise:fp16;kahan:fp16;blocked:fp16:8;tc:h100;tc:v100",
       "dacc"},
      {"p=dot&dwacc=seq:fp32", "dwacc"},  // the walkthrough needs a tensor-core model
      {"p=dot&dwa=1,2,abc", "dwa"},
      {"p=dot&dwc=zebra", "dwc"},
      {"p=dot&dwx=4294967296", "dwx"},
      {"p=dot&ds=18446744073709551616", "ds"},
      {"p=dot&dk=%3Cscript%3E", "dk"},
  };
  for (const Case& c : cases) {
    const DecodedLink d = decode_link(c.link);
    INFO(c.link << "\n" << notices_text(d));
    CHECK(d.scenario.panel == ScenarioPanel::Accumulation);
    CHECK(d.scenario.accumulation == defaults);
    CHECK(notice_names(d, c.key));
  }
}

TEST_CASE("a bad accumulation key leaves the good ones of the same link", "[link][accumulation][hostile]") {
  const DecodedLink d = decode_link("v=1&p=dot&di=fp16&dk=1000000000&dn=50&dacc=seq:fp16%3Bseq:fp32");
  INFO(notices_text(d));
  CHECK(d.notices.size() == 1);
  CHECK(d.scenario.accumulation.in == "fp16");
  CHECK(d.scenario.accumulation.ks == AccumulationScenario{}.ks);
  CHECK(d.scenario.accumulation.trials == 50);
  CHECK(d.scenario.accumulation.acc == "seq:fp16;seq:fp32");
}

TEST_CASE("the JS API's member names reach the accumulation panel", "[link][accumulation][json]") {
  const DecodedLink d = decode_link("panel=dot&accumulation.ks=16,32&accumulation.trials=9");
  INFO(notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.scenario.panel == ScenarioPanel::Accumulation);
  CHECK(d.scenario.accumulation.ks == "16,32");
  CHECK(d.scenario.accumulation.trials == 9);
  Scenario s;
  s.accumulation.acc = "seq:fp16;seq:fp32";
  CHECK(scenario_json(s).find("\"accumulation\":{\"in\":\"fp8-e4m3\",\"dist\":\"uniform:0:1\"") !=
        std::string::npos);
  CHECK(scenario_json(s).find("\"acc\":\"seq:fp16;seq:fp32\"") != std::string::npos);
}
