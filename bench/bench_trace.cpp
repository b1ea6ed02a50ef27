// How long one full trace of an addition takes (decode, convert, align, add,
// normalise, round, exact result and errors): the playground recomputes it
// every frame while a value is dragged. Goal: under 20 µs natively.
//
// Build and run (the CMake build makes every bench/*.cpp a program):
//   cmake --preset native && cmake --build build/native --target bench_trace
//   build/native/bench/bench_trace
// Prints the median of interleaved repetitions per case.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "core/trace.h"

using namespace mantissa;

int main() {
  struct Case {
    const char* name;
    TraceOp op;
    Format format;
    std::vector<TraceInput> operands;
    bool json;  // also print the steps as JSON (the JS API's cost)
  };
  const std::vector<Case> cases = {
      {"fp32 add 1.125 + 0.12457275",
       TraceOp::Add,
       fp32(),
       {{fp32(), 0x3f900000}, {fp32(), 0x3dff2000}},
       false},
      {"fp16 add 1.125 + 0.12457275", TraceOp::Add, fp16(), {{fp16(), 0x3c80}, {fp16(), 0x2ff9}}, false},
      {"fp16 add 1.125 + 0.00042 (lost)", TraceOp::Add, fp16(), {{fp16(), 0x3c80}, {fp16(), 0x0ee2}}, false},
      {"fp32 add fp32 + fp16 (widen)", TraceOp::Add, fp32(), {{fp32(), 0x3f900000}, {fp16(), 0x0ee2}}, false},
      {"fp32 add + steps JSON", TraceOp::Add, fp32(), {{fp32(), 0x3f900000}, {fp32(), 0x3dff2000}}, true},
      {"fp64 fma",
       TraceOp::Fma,
       fp64(),
       {{fp64(), 0x3ff8000000000001}, {fp64(), 0x3ff8000000000003}, {fp64(), 0xc002000000000000}},
       false},
  };
  std::vector<std::vector<double>> times(cases.size());
  size_t sink = 0;
  for (int rep = 0; rep < 3000; ++rep) {
    for (size_t i = 0; i < cases.size(); ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      const OperationTrace t = trace_operation(cases[i].op, cases[i].format, cases[i].operands);
      sink += t.steps.size() + t.result.bits;
      if (cases[i].json) sink += trace_steps_json(t).size();
      times[i].push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  std::printf("%-34s %12s\n", "trace", "median µs");
  for (size_t i = 0; i < cases.size(); ++i) {
    std::nth_element(times[i].begin(), times[i].begin() + times[i].size() / 2, times[i].end());
    std::printf("%-34s %12.2f\n", cases[i].name, times[i][times[i].size() / 2]);
  }
  std::printf("(goal: a full fp32 or fp16 addition trace under 20 µs)\n");
  return sink == 0;
}
