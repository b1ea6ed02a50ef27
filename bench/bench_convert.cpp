// How long one full conversion report takes (parse, round, exact values,
// errors, neighbours, JSON): the Inspector recomputes it every frame.
// Goal: under 50 µs natively. Prints the median of interleaved repetitions.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "core/convert.h"

using namespace mantissa;

int main() {
  struct Case {
    const char* value;
    const Format* to;
  };
  const Case cases[] = {{"1.12156456132", &fp16()}, {"1.12156456132", &fp32()},
                        {"0.00041999", &fp16()},    {"3.14159265358979323846", &fp64()},
                        {"448.5", &fp8_e4m3()},     {"1e-300", &bf16()}};
  std::vector<std::vector<double>> times(std::size(cases));
  size_t sink = 0;
  for (int rep = 0; rep < 2000; ++rep) {
    for (size_t i = 0; i < std::size(cases); ++i) {
      auto t0 = std::chrono::steady_clock::now();
      ConvertRequest req;
      req.value = cases[i].value;
      req.to = *cases[i].to;
      ConvertReport r;
      std::string err;
      convert(req, &r, &err);
      sink += convert_report_json(r).size();
      times[i].push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  std::printf("%-28s %-10s %12s\n", "value", "format", "median µs");
  for (size_t i = 0; i < std::size(cases); ++i) {
    std::nth_element(times[i].begin(), times[i].begin() + times[i].size() / 2, times[i].end());
    std::printf("%-28s %-10s %12.2f\n", cases[i].value, cases[i].to->name.c_str(),
                times[i][times[i].size() / 2]);
  }
  return sink == 0;
}
