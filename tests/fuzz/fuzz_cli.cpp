// libFuzzer target: the command-line parsing of `convert` and `simulate`,
// and the simulator's setup validation behind it. The input is split at
// NUL bytes into argv. Validated setups must also fit the memory budget
// check without allocating (estimate_memory is pure arithmetic).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "requests/requests.h"
#include "sim/simulation.h"

using namespace mantissa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 2048) return 0;
  std::vector<std::string> words(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      words.emplace_back();
    } else {
      words.back() += static_cast<char>(data[i]);
    }
  }
  if (words.size() > 32) return 0;
  const bool simulate = !words[0].empty() && (words[0][0] & 1);
  std::vector<char*> argv;
  static char name_convert[] = "convert", name_simulate[] = "simulate";
  argv.push_back(simulate ? name_simulate : name_convert);
  for (size_t i = 1; i < words.size(); ++i) argv.push_back(words[i].data());
  std::string error;
  if (simulate) {
    requests::Args args = simulate_args();
    if (!args.parse(static_cast<int>(argv.size()), argv.data(), &error)) return 0;
    sim::Setup s;
    if (!simulate_setup_from_args(args, &s, &error)) return 0;
    if (!sim::validate(s, &error)) {
      if (error.empty()) std::abort();
      return 0;
    }
    // Run tiny setups for real: what validation accepts must not crash.
    if (s.steps <= 64 && s.population <= 8) {
      auto run = sim::Simulation::create(s, &error);
      if (run) run->run();
    }
  } else {
    requests::Args args = convert_args();
    if (!args.parse(static_cast<int>(argv.size()), argv.data(), &error)) return 0;
    ConvertRequest req;
    if (!convert_request_from_args(args, &req, &error)) return 0;
    ConvertReport r;
    if (!convert(req, &r, &error) && error.empty()) std::abort();
  }
  return 0;
}
