// The Network panel's share-link keys (nd nds nm nopt nr ne nb ns nsub):
// round trip, the frozen form of a v1 link, hostile and absurd values.
#include <catch2/catch.hpp>

#include "scenario/link.h"

using namespace mantissa;

namespace {

bool has_notice(const DecodedLink& d, const std::string& text) {
  for (const std::string& n : d.notices)
    if (n == text) return true;
  return false;
}

}  // namespace

TEST_CASE("network keys round-trip, custom recipes with commas and '=' included", "[link][network]") {
  Scenario s;
  s.panel = ScenarioPanel::Network;
  s.network.data = "xor";
  s.network.data_seed = 9;
  s.network.model = "2-8-8-2";
  s.network.optimizer = "adam:lr=0.003,beta2=0.99";
  s.network.recipes = "fp32;custom:w=fp16/acc=tc:fma=8,neab=1/ls=dynamic";
  s.network.epochs = 12;
  s.network.batch = 8;
  s.network.seed = 18446744073709551615u;
  s.network.subset = 100;
  const std::string hash = encode_link(s);
  INFO(hash);
  const DecodedLink d = decode_link(hash);
  CHECK(d.notices.empty());
  CHECK(d.scenario == s);
  // The active-panel scope (embeds) keeps them; another panel's scope drops them.
  CHECK(decode_link(encode_link(s, LinkScope::ActivePanel)).scenario.network == s.network);
  s.panel = ScenarioPanel::Addition;
  CHECK(decode_link(encode_link(s, LinkScope::ActivePanel)).scenario.network == NetworkScenario{});
}

TEST_CASE("frozen v1: the spiral with three recipes", "[link][frozen][network]") {
  const DecodedLink d = decode_link("#v=1&p=network&nd=spiral&nds=3&nopt=adam:lr%3D0.02&nr=fp32,fp16,bf16&ne=4&nb=16&ns=7&nsub=128");
  CHECK(d.notices.empty());
  CHECK(d.scenario.panel == ScenarioPanel::Network);
  CHECK(d.scenario.network.data == "spiral");
  CHECK(d.scenario.network.data_seed == 3);
  CHECK(d.scenario.network.optimizer == "adam:lr=0.02");
  CHECK(d.scenario.network.recipes == "fp32,fp16,bf16");
  CHECK(d.scenario.network.epochs == 4);
  CHECK(d.scenario.network.batch == 16);
  CHECK(d.scenario.network.seed == 7);
  CHECK(d.scenario.network.subset == 128);
}

TEST_CASE("hostile and absurd network values keep their defaults with a notice", "[link][hostile][network]") {
  const DecodedLink d = decode_link(
      "v=1&p=network&nd=mnist&nm=2-999999-2&nopt=sgd:lr%3D-1&nr=fp12&ne=0&nb=0&nsub=99999999&ns=-1&nds=x"
      "&nr=" + std::string(600, 'a'));
  for (const std::string& n : d.notices) INFO(n);
  CHECK(d.scenario.panel == ScenarioPanel::Network);
  CHECK(d.scenario.network == NetworkScenario{});
  CHECK(has_notice(d, "ignored nd=mnist: unknown data set (digits, spiral, circles, xor)"));
  CHECK(has_notice(d, "ignored nm=2-999999-2: not a model (layer widths: 2-16-16-2)"));
  CHECK(has_notice(d, "ignored nopt=sgd:lr=-1: not an optimizer (sgd:lr=X,momentum=M or adam:lr=X)"));
  CHECK(has_notice(d, "ignored nr=fp12: not a recipe list (fp32,fp16,fp16-amp,...)"));
  CHECK(has_notice(d, "ignored ne=0: out of range"));
  CHECK(has_notice(d, "ignored nb=0: out of range"));
  CHECK(has_notice(d, "ignored nsub=99999999: out of range"));
  CHECK(has_notice(d, "ignored ns=-1: not a whole number"));
  CHECK(has_notice(d, "ignored nds=x: not a whole number"));
  CHECK(d.notices.size() >= 10);  // the 600-character recipe list too
}
