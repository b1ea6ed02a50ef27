// The share-link codec: round trips, defaults left out, the compact form,
// and links that are wrong in every way we could think of.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <string>

#include "scenario/link.h"

using namespace mantissa;

namespace {

bool has_notice(const DecodedLink& d, const std::string& text) {
  for (const std::string& n : d.notices) {
    if (n == text) return true;
  }
  return false;
}

std::string notices_text(const DecodedLink& d) {
  std::string out;
  for (const std::string& n : d.notices) out += n + "\n";
  return out;
}

// A scenario with every field changed from its default.
Scenario everything_changed() {
  Scenario s;
  s.panel = ScenarioPanel::Training;
  s.inspector = {"0x3c7c", "bf16", "rtz", 77, true, true, "e5m6", "fp8-e4m3"};
  s.addition.op = "fma";
  s.addition.a = "-2.5e-3";
  s.addition.b = "0x1.8p-4";
  s.addition.c = "inf";
  s.addition.a_format = "fp32";
  s.addition.b_format = "bf16";
  s.addition.c_format = "fp8-e5m2";
  s.addition.format = "e6m9";
  s.addition.mode = "stochastic";
  s.addition.seed = 18446744073709551615ull;
  s.addition.saturate = true;
  s.addition.ftz = true;
  s.addition.compare_fp32 = true;
  s.addition.step = 3;
  s.training.w0 = "1";
  s.training.inc = "0.0001";
  s.training.lr = "0.01";
  s.training.grad = "normal:0:1e-3";
  s.training.seed = 42;
  s.training.grad_format = "bf16";
  s.training.steps = 5000;
  s.training.strategies = {"bf16", "bf16-sr", "bf16-kahan", "fp32-master+ls-dynamic"};
  s.training.loss_scale = "static:1024";
  s.training.population = 1000;
  s.training.init = "uniform:0.5:2";
  s.training.reference = "exact";
  s.training.view_x0 = 10;
  s.training.view_x1 = 4000.5;
  s.training.view_y0 = -0.1;
  s.training.view_y1 = 1.0 / 3.0;
  s.training.log_error = true;
  s.training.selected_step = 1234;
  s.landscape.formats = {"fp32", "tf32", "e3m4fn"};
  s.landscape.x_min = 0.5;
  s.landscape.x_max = 1e30;
  s.landscape.log_x = false;
  s.landscape.log_error = false;
  s.landscape.block_format = "mxfp6-e2m3";
  s.landscape.block_scale_exp = -3;
  s.blocks = {"nvfp4", "ceil", "stochastic", 9, "1.5, -2e-3, 0x1p-4, 300", "uniform", 17, 5, "-42.5"};
  s.accumulation.in = "bf16";
  s.accumulation.dist = "normal:0:1";
  s.accumulation.ks = "16,4096";
  s.accumulation.acc = "tc:fma=8,neab=1;pairwise:fp16";
  s.accumulation.trials = 99;
  s.accumulation.seed = 7;
  s.accumulation.block_acc = "tc:a100,out=fp16";
  s.accumulation.block_a = "1,-0.5";
  s.accumulation.block_b = "0x1p-3,3";
  s.accumulation.block_c = "0.75";
  s.accumulation.example = 12;
  return s;
}

}  // namespace

TEST_CASE("the default scenario is just the version", "[link]") {
  CHECK(encode_link(Scenario{}) == "v=1");
  const DecodedLink d = decode_link("#v=1");
  CHECK(d.scenario == Scenario{});
  CHECK(d.notices.empty());
  CHECK(d.version == 1);
}

TEST_CASE("an empty hash is the default scenario without notices", "[link]") {
  for (const char* hash : {"", "#"}) {
    const DecodedLink d = decode_link(hash);
    CHECK(d.scenario == Scenario{});
    CHECK(d.notices.empty());
  }
}

TEST_CASE("the issue's example link reads as the tutorial's addition", "[link]") {
  const DecodedLink d = decode_link("#v=1&p=add&a=1.125&af=fp16&b=0.12457275190625&bf=fp16&in=fp16");
  INFO(notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.scenario.panel == ScenarioPanel::Addition);
  CHECK(d.scenario.addition.a == "1.125");
  CHECK(d.scenario.addition.b == "0.12457275190625");
  CHECK(d.scenario.addition.format == "fp16");
}

TEST_CASE("only values that differ from the defaults are written, readable keys first", "[link]") {
  Scenario s;
  s.panel = ScenarioPanel::Addition;
  s.addition.a = "1.5";
  s.addition.b_format = "bf16";
  CHECK(encode_link(s) == "v=1&p=add&a=1.5&bf=bf16");
}

TEST_CASE("a scenario with every field changed round-trips exactly", "[link]") {
  const Scenario s = everything_changed();
  const std::string hash = encode_link(s);
  INFO(hash);
  CHECK(hash.size() < kLinkCompactThreshold);
  const DecodedLink d = decode_link(hash);
  INFO(notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.scenario == s);
  CHECK_FALSE(d.compact);
}

TEST_CASE("the active-panel scope writes that panel's keys only", "[link]") {
  Scenario s = everything_changed();
  s.panel = ScenarioPanel::Addition;
  const std::string hash = encode_link(s, LinkScope::ActivePanel);
  CHECK(hash.find("x=") == std::string::npos);
  CHECK(hash.find("st=") == std::string::npos);
  const DecodedLink d = decode_link(hash);
  CHECK(d.scenario.addition == s.addition);
  CHECK(d.scenario.inspector == InspectorScenario{});
  CHECK(d.scenario.training == TrainingScenario{});
}

TEST_CASE("random scenarios round-trip through links", "[link]") {
  std::mt19937_64 rng(12345);
  const std::vector<std::string> values = {"0.1",
                                           "-0",
                                           "1e-8",
                                           "65504",
                                           "0x3c00",
                                           "0b0011110000000000",
                                           "nan",
                                           "-inf",
                                           "3.14159265358979323846264338327950288",
                                           "0x1.fffffep+127",
                                           "1e4000"};
  const std::vector<std::string> formats = {"fp64",     "fp32",     "tf32", "fp16", "bf16",
                                            "fp8-e4m3", "fp8-e5m2", "e2m1", "e6m9", "e3m4fn"};
  const std::vector<std::string> modes = {"rne", "rna", "rtz", "up", "down", "odd", "stochastic"};
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  for (int i = 0; i < 500; ++i) {
    Scenario s;
    s.panel = static_cast<ScenarioPanel>(rng() % 4);
    if (rng() % 2) s.inspector.value = pick(values);
    if (rng() % 2) s.inspector.from = pick(formats);
    if (rng() % 2) s.inspector.mode = pick(modes);
    if (rng() % 2) s.inspector.seed = rng();
    if (rng() % 3 == 0) s.inspector.custom = pick(formats);
    if (rng() % 2) s.addition.a = pick(values);
    if (rng() % 2) s.addition.b = pick(values);
    if (rng() % 2) s.addition.format = pick(formats);
    if (rng() % 2) s.addition.mode = pick(modes);
    if (rng() % 2) s.addition.step = static_cast<int>(rng() % 10) - 1;
    if (rng() % 2) s.training.steps = 1 + rng() % 100000;
    if (rng() % 2)
      s.training.view_x1 = std::ldexp(static_cast<double>(rng() >> 11), -static_cast<int>(rng() % 80));
    if (rng() % 2) s.training.view_y0 = -std::ldexp(static_cast<double>(rng() >> 11), -60);
    if (rng() % 2) s.training.selected_step = static_cast<int64_t>(rng() % 1000000);
    if (rng() % 2) s.landscape.formats = {pick(formats)};
    if (rng() % 2) s.landscape.x_min = std::ldexp(1.0, -static_cast<int>(rng() % 100));
    if (s.landscape.formats.size() == 1 && rng() % 2)
      s.landscape.formats.push_back(s.landscape.formats[0] == "fp16" ? "bf16" : "fp16");
    const std::string hash = encode_link(s);
    const DecodedLink d = decode_link(hash);
    INFO(hash << "\n" << notices_text(d));
    REQUIRE(d.notices.empty());
    REQUIRE(d.scenario == s);
  }
}

TEST_CASE("names are canonicalised: half is fp16, nearest-even is rne", "[link]") {
  const DecodedLink d = decode_link("v=1&af=half&bf=bfloat16&in=E5M2&st=fp16,fp32-master");
  INFO(notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.scenario.addition.a_format == "fp16");
  CHECK(d.scenario.addition.b_format == "bf16");
  CHECK(d.scenario.addition.format == "fp8-e5m2");
}

TEST_CASE("bad values keep their defaults and are named in a notice", "[link][hostile]") {
  const DecodedLink d = decode_link(
      "v=1&p=add&af=fp17&a=1.2.3&r=sideways&step=-7&sat=maybe&n=0&st=fp16,fp99,bf16&foo=bar&lx0=nan");
  INFO(notices_text(d));
  CHECK(d.scenario.panel == ScenarioPanel::Addition);
  CHECK(d.scenario.addition == AdditionScenario{});
  CHECK(has_notice(d, "ignored af=fp17: unknown format"));
  CHECK(has_notice(d, "ignored a=1.2.3: not a number"));
  CHECK(has_notice(d, "ignored r=sideways: unknown rounding mode"));
  CHECK(has_notice(d, "ignored step=-7: out of range"));
  CHECK(has_notice(d, "ignored sat=maybe: not 1 or 0"));
  CHECK(has_notice(d, "ignored n=0: out of range"));
  CHECK(has_notice(d, "ignored st=fp16,fp99,bf16: unknown strategy 'fp99'"));
  CHECK(has_notice(d, "ignored foo=bar: unknown key"));
  CHECK(has_notice(d, "ignored lx0=nan: not a finite number"));
  // The good strategies of a list are kept.
  CHECK(d.scenario.training.strategies == std::vector<std::string>{"fp16", "bf16"});
}

TEST_CASE("broken escapes, missing values, repeats and versions are reported", "[link][hostile]") {
  const DecodedLink d = decode_link("v=1&a=%zz&b&b=2&b=3&p=nowhere&v=2");
  INFO(notices_text(d));
  CHECK(has_notice(d, "ignored a=%zz: bad %-escape"));
  CHECK(has_notice(d, "ignored b=: no value"));
  CHECK(has_notice(d, "ignored b=3: repeated"));
  CHECK(has_notice(d, "ignored p=nowhere: unknown panel"));
  CHECK(has_notice(d, "ignored v=2: repeated"));
  CHECK(d.scenario.addition.b == "2");

  const DecodedLink newer = decode_link("v=7&p=add");
  CHECK(newer.scenario.panel == ScenarioPanel::Addition);
  CHECK(has_notice(newer, "this link is version 7, newer than this page (1): read what it can"));

  const DecodedLink garbage = decode_link("v=abc&p=train");
  CHECK(garbage.scenario.panel == ScenarioPanel::Training);
  CHECK(has_notice(garbage, "ignored v=abc: not a version; read as version 1"));
}

TEST_CASE("percent-encoded values decode, and '+' is a plus", "[link]") {
  const DecodedLink d = decode_link("v=1&a=1e%2B5&b=1e+5&st=fp32-master+ls-dynamic");
  INFO(notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.scenario.addition.a == "1e+5");
  CHECK(d.scenario.addition.b == "1e+5");
  CHECK(d.scenario.training.strategies == std::vector<std::string>{"fp32-master+ls-dynamic"});
}

TEST_CASE("script payloads are ignored and notices show only printable ASCII", "[link][hostile]") {
  const DecodedLink d = decode_link(
      "#v=1&x=%3Cscript%3Ealert(1)%3C%2Fscript%3E&%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E=1&"
      "xc=%22%3E%3Csvg%20onload%3Dalert(1)%3E&a=%00%01%ff%fe");
  INFO(notices_text(d));
  CHECK(d.scenario == Scenario{});
  CHECK(d.notices.size() == 4);
  for (const std::string& n : d.notices) {
    for (char c : n) CHECK((c >= 0x20 && c < 0x7f));
  }
  CHECK(has_notice(d, "ignored x=<script>alert(1)</script>: not a number"));
}

TEST_CASE("long values switch to the compact form, which round-trips", "[link][compact]") {
  Scenario s;
  s.panel = ScenarioPanel::Inspector;
  s.inspector.value = "0." + std::string(3000, '7') + "1";
  s.inspector.from = "bf16";
  s.training.strategies = {"fp16", "bf16-sr"};
  const std::string readable = encode_link_readable(s);
  const std::string hash = encode_link(s);
  CHECK(readable.size() > kLinkCompactThreshold);
  CHECK(hash.rfind("v=1&z=", 0) == 0);
  CHECK(hash.size() < readable.size() * 3 / 4);
  const DecodedLink d = decode_link(hash);
  INFO(notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.compact);
  CHECK(d.scenario == s);

  // Just under the threshold it stays readable.
  s.inspector.value = "0." + std::string(1900, '7');
  CHECK(encode_link(s).rfind("v=1&z=", 0) == std::string::npos);
}

TEST_CASE("a damaged compact link falls back to defaults with a notice", "[link][compact][hostile]") {
  Scenario s;
  s.inspector.value = std::string(4000, '9');
  const std::string hash = encode_link(s);
  REQUIRE(hash.rfind("v=1&z=", 0) == 0);
  for (size_t cut : {hash.size() - 1, hash.size() - 7, hash.size() / 2, size_t{8}}) {
    const DecodedLink d = decode_link(hash.substr(0, cut));
    INFO(cut << "\n" << notices_text(d));
    if (!(d.scenario == s)) CHECK(!d.notices.empty());
  }
  const DecodedLink bad = decode_link("v=1&z=!!!!");
  CHECK(bad.scenario == Scenario{});
  CHECK(has_notice(bad, "ignored z=!!!!: not a compact Mantissa link (damaged or truncated)"));
}

TEST_CASE("every truncation of a link loads without failing", "[link][hostile]") {
  const std::string hash = encode_link(everything_changed());
  for (size_t cut = 0; cut <= hash.size(); ++cut) {
    const DecodedLink d = decode_link(hash.substr(0, cut));
    // Whatever was read is valid: re-encoding it reads back without notices.
    const DecodedLink again = decode_link(encode_link(d.scenario));
    REQUIRE(again.notices.empty());
    REQUIRE(again.scenario == d.scenario);
  }
}

TEST_CASE("random byte mutations of links load, and what loads is valid", "[link][hostile]") {
  std::mt19937_64 rng(99);
  const std::string base = encode_link(everything_changed());
  const std::string alphabet = "=&%#<>\"'0123456789abcdefxz.-+,:;\x00\xff\x7f";
  for (int i = 0; i < 3000; ++i) {
    std::string h = base;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      const size_t at = rng() % (h.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          h.insert(h.begin() + static_cast<ptrdiff_t>(at), c);
          break;
        case 1:
          if (at < h.size()) h.erase(at, 1 + rng() % 5);
          break;
        default:
          if (at < h.size()) h[at] = c;
          break;
      }
    }
    const DecodedLink d = decode_link(h);
    REQUIRE(d.notices.size() <= kLinkMaxNotices + 1);
    const DecodedLink again = decode_link(encode_link(d.scenario));
    REQUIRE(again.notices.empty());
    REQUIRE(again.scenario == d.scenario);
  }
}

TEST_CASE("megabyte hashes of every shape decode quickly", "[link][hostile]") {
  const size_t mb = size_t{1} << 20;
  std::string many_parts;
  while (many_parts.size() < mb) many_parts += "a=1&";
  std::string many_keys;
  for (int i = 0; many_keys.size() < mb; ++i) many_keys += "k" + std::to_string(i) + "=x&";
  const std::vector<std::string> hashes = {
      "v=1&x=" + std::string(mb, '7'),
      "v=1&x=0." + std::string(190000, '3'),  // under the value limit: parsed for real
      many_parts,
      many_keys,
      std::string(mb, '%'),
      std::string(mb, '&'),
      std::string(mb, '='),
      "v=1&z=" + std::string(mb, 'A'),
      "v=1&z=" + std::string(mb, '_'),
      "v=1&st=" + std::string(mb / 2, ','),
      "v=1&lf=" +
          [&] {
            std::string s;
            while (s.size() < mb) s += "fp16,";
            return s;
          }(),
      std::string(kLinkMaxLength + 1, 'x'),
  };
  for (const std::string& h : hashes) {
    const auto start = std::chrono::steady_clock::now();
    const DecodedLink d = decode_link(h);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    INFO(h.substr(0, 20) << "... (" << h.size() << " chars): " << ms << " ms\n" << notices_text(d));
    // A hang guard, not a speed goal: decoding is linear and takes a few ms
    // natively; a quadratic path over 1 MB would take minutes.
    CHECK(ms < 10000);
    CHECK(d.notices.size() <= kLinkMaxNotices + 1);
  }
}

TEST_CASE("scenario_json names every member, and the member names read back", "[link][json]") {
  const std::string json = scenario_json(everything_changed());
  CHECK(json.rfind("{\"panel\":\"train\",\"inspector\":{\"value\":\"0x3c7c\",\"from\":\"bf16\"", 0) == 0);
  CHECK(json.find("\"strategies\":[\"bf16\",\"bf16-sr\",\"bf16-kahan\",\"fp32-master+ls-dynamic\"]") !=
        std::string::npos);
  CHECK(json.find("\"seed\":18446744073709551615") != std::string::npos);
  CHECK(json.find("\"log_x\":false") != std::string::npos);
  CHECK(json.find("\"view_y1\":0.3333333333333333") != std::string::npos);

  // The JS API's encodeScenario sends member paths (the version 0 naming).
  const DecodedLink d = decode_link(
      "panel=add&addition.a=1.5&addition.saturate=true&training.strategies=fp16;bf16&landscape.x_max=100");
  INFO(notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.scenario.panel == ScenarioPanel::Addition);
  CHECK(d.scenario.addition.a == "1.5");
  CHECK(d.scenario.addition.saturate);
  CHECK(d.scenario.training.strategies == std::vector<std::string>{"fp16", "bf16"});
  CHECK(d.scenario.landscape.x_max == 100);
}

TEST_CASE("Blocks keys: round trip, hostile values keep the defaults with a notice", "[link][blocks]") {
  Scenario s;
  s.panel = ScenarioPanel::Blocks;
  s.blocks.format = "mxfp8-e5m2";
  s.blocks.outlier = "250";
  s.blocks.values = "1,2,3";
  const std::string hash = encode_link(s, LinkScope::ActivePanel);
  CHECK(hash == "v=1&p=blocks&bk=mxfp8-e5m2&bkv=1,2,3&bko=250");
  CHECK(decode_link(hash).scenario == s);

  const BlocksScenario defaults;
  std::string many;
  for (int i = 0; i < 65; ++i) many += (i ? "," : "") + std::to_string(i);
  const DecodedLink d = decode_link("v=1&p=blocks&bk=mxfp9&bkr=floor&bkm=up-ish&bkv=" + many +
                                    "&bkg=cauchy&bkn=65&bko=1e&lb=fp16&lbe=200");
  INFO(notices_text(d));
  CHECK(d.scenario.panel == ScenarioPanel::Blocks);
  CHECK(d.scenario.blocks == defaults);
  CHECK(d.scenario.landscape == LandscapeScenario{});
  CHECK(has_notice(d, "ignored bk=mxfp9: unknown block format"));
  CHECK(has_notice(d, "ignored bkr=floor: unknown scale rule (ocp or ceil)"));
  CHECK(has_notice(d, "ignored bkv=" + many.substr(0, 40) + "...: more than 64 values"));
  CHECK(has_notice(d, "ignored bkg=cauchy: unknown generator (normal, uniform, outlier)"));
  CHECK(has_notice(d, "ignored bkn=65: out of range"));
  CHECK(has_notice(d, "ignored bko=1e: not a number"));
  CHECK(has_notice(d, "ignored lb=fp16: unknown block format"));
  CHECK(has_notice(d, "ignored lbe=200: out of range"));
  CHECK(decode_link("bkv=1,,2").notices.size() == 1);
  CHECK(decode_link("bkv=1,0x3c00").scenario.blocks.values.empty());
}

// ---- The Network panel's keys (nd nds nm nopt nr ne nb ns nsub nlw) ----------------

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
  s.network.loss_weight = "3e-6";
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
  // Older than nlw: no loss weight, as before it existed.
  CHECK(d.scenario.network.loss_weight == "1");
}

TEST_CASE("hostile and absurd network values keep their defaults with a notice", "[link][hostile][network]") {
  const DecodedLink d = decode_link(
      "v=1&p=network&nd=mnist&nm=2-999999-2&nopt=sgd:lr%3D-1&nr=fp12&ne=0&nb=0&nsub=99999999&ns=-1&nds=x"
      "&nlw=0&nr=" + std::string(600, 'a'));
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
  CHECK(has_notice(d, "ignored nlw=0: not a loss weight (a number from 1e-12 to 1)"));
  CHECK(d.notices.size() >= 11);  // the 600-character recipe list too
}

TEST_CASE("the Inspector and landscape keys take e8m0 and int8-mx; the arithmetic keys still refuse them",
          "[link]") {
  const DecodedLink d = decode_link("#v=1&x=0x7f&xf=e8m0fnu&xc=mxint8-element&xfocus=int8-mx&lf=fp16,int8-mx,e8m0");
  INFO(notices_text(d));
  CHECK(d.notices.empty());
  CHECK(d.scenario.inspector.from == "e8m0");  // canonicalised
  CHECK(d.scenario.inspector.custom == "int8-mx");
  CHECK(d.scenario.inspector.focus == "int8-mx");
  CHECK(d.scenario.landscape.formats == std::vector<std::string>{"fp16", "int8-mx", "e8m0"});
  CHECK(decode_link(encode_link(d.scenario)).scenario == d.scenario);
  // explain's Addition panel does arithmetic in float formats only.
  const DecodedLink a = decode_link("#v=1&p=add&in=e8m0");
  CHECK(a.scenario.addition.format == Scenario{}.addition.format);
  CHECK(has_notice(a, "ignored in=e8m0: unknown format"));
}
