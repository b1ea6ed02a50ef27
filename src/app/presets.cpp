#include "app/presets.h"

namespace mantissa::app {
namespace {

// Each preset starts from the panel's defaults so nothing of the previous
// scenario leaks into it.
void inspect(Scenario& s, const char* value, const char* focus, const char* from = "fp16") {
  s.panel = ScenarioPanel::Inspector;
  s.inspector = InspectorScenario{};
  s.inspector.value = value;
  s.inspector.focus = focus;
  s.inspector.from = from;
}

void add(Scenario& s, const char* a, const char* b, const char* format, bool compare_fp32) {
  s.panel = ScenarioPanel::Addition;
  s.addition = AdditionScenario{};
  s.addition.a = a;
  s.addition.b = b;
  s.addition.a_format = format;
  s.addition.b_format = format;
  s.addition.format = format;
  s.addition.compare_fp32 = compare_fp32;
}

void blocks(Scenario& s, const char* format, const char* values = "") {
  s.panel = ScenarioPanel::Blocks;
  s.blocks = BlocksScenario{};
  s.blocks.format = format;
  s.blocks.values = values;
}

constexpr Preset kPresets[] = {
    // The tutorial.
    {"tutorial-convert", "1.12156456132 \xe2\x86\x92 fp32 \xe2\x86\x92 fp16",
     "The tutorial's conversion: 0x3f8f8f6d in fp32, 1.12109375 (0x3c7c) in fp16.",
     [](Scenario& s) { inspect(s, "1.12156456132", "fp16"); }},
    {"tutorial-add", "1.125 + 0.12457 in fp16 vs in fp32",
     "fp16 + fp16 rounds the sum to 1.25; with an fp32 weight it is exactly 1.24957275390625.",
     [](Scenario& s) { add(s, "1.125", "0.12457275190625", "fp16", true); }},
    {"tutorial-lost", "1.125 + 0.00041999: the update that vanishes",
     "The fp16 gradient is below half an ULP of the fp16 weight: the sum rounds back to 1.125.",
     [](Scenario& s) { add(s, "1.125", "0.00041999", "fp16", true); }},
    // Ours.
    {"fp16-overflow", "65520 overflows fp16 (65519 does not)",
     "fp16's largest value is 65504; from 65520, halfway to 65536, round-to-nearest gives inf.",
     [](Scenario& s) { inspect(s, "65520", "fp16"); }},
    {"fp16-min-subnormal", "The smallest fp16 subnormal: 2^-24",
     "Bit pattern 0x0001: no hidden bit, exponent field 0, value 2^-24 \xe2\x89\x88 5.96e-8.",
     [](Scenario& s) { inspect(s, "0x0001", "fp16", "fp16"); }},
    {"e4m3-tie", "An fp8-e4m3 tie: 4.25 rounds to 4",
     "Between 4 and 4.5 exactly: guard 1, round and sticky 0, so ties-to-even keeps 4.",
     [](Scenario& s) { inspect(s, "4.25", "fp8-e4m3"); }},
    {"double-rounding", "Double rounding: via fp32 \xe2\x89\xa0 straight to fp16",
     "1 + 2^-11 + 2^-25 rounds up in fp16, but fp32 first drops 2^-25 and leaves a tie that rounds down.",
     [](Scenario& s) { inspect(s, "1.0004883110523223876953125", "fp16"); }},
    {"bf16-range", "100000: fp16 overflows, bf16 keeps the range",
     "bf16 has fp32's 8 exponent bits and only 7 fraction bits: 99840, not inf.",
     [](Scenario& s) { inspect(s, "100000", "bf16"); }},
    {"swamping", "2048 + 1 in fp16: the 1 is swamped",
     "At 2048 the fp16 ULP is 2: 2049 is a tie and rounds to the even 2048.",
     [](Scenario& s) { add(s, "2048", "1", "fp16", false); }},
    {"tenth-fifth", "0.1 + 0.2 in fp64 is not 0.3",
     "Neither operand is exact in binary; the rounded sum lands one ULP above fp64's 0.3.",
     [](Scenario& s) { add(s, "0.1", "0.2", "fp64", false); }},
    {"mx-outlier", "MXFP4: one outlier costs its 31 neighbours",
     "A value 100x the others sets the block's shared E8M0 scale: most of its neighbours flush to zero.",
     [](Scenario& s) { blocks(s, "mxfp4"); }},
    {"mx-ocp-clip", "MXFP4's OCP scale clips 7.9 to 6",
     "The OCP rule takes 2^(floor(log2 7.9) - 2) = 1: 7.9 clips to E2M1's max, 6. The ceil rule would not.",
     [](Scenario& s) { blocks(s, "mxfp4", "7.9, 1.3, -0.74, 0.26, 3.1, -5.2, 0.1, 2.2"); }},
    {"nvfp4", "NVFP4: E4M3 scales per 16, an fp32 scale per tensor",
     "The same outlier costs less: blocks of 16 with a finer E4M3 scale, set from the tensor's amax.",
     [](Scenario& s) { blocks(s, "nvfp4"); }},
    {"tensors-lost-updates", "Your checkpoint: which updates would be lost?",
     "Drop a .safetensors or .npy file: lr 1e-4 times gradients of 1e-3, against half an ULP of each weight "
     "in fp16, bf16 and fp8-e4m3.",
     [](Scenario& s) {
       s.panel = ScenarioPanel::Tensors;
       s.tensors = TensorsScenario{};
       s.tensors.formats = {"fp16", "bf16", "fp8-e4m3"};
       s.tensors.lr = "1e-4";
       s.tensors.grad_std = "1e-3";
     }},
};

}  // namespace

std::span<const Preset> presets() { return kPresets; }

}  // namespace mantissa::app
