// `mantissa`: the command-line face of Mantissa. main() handles the global
// flags and hands the rest to a subcommand from the table below.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "mantissa_version.h"

namespace mantissa::cli {
namespace {

struct Command {
  const char* name;
  int (*run)(int argc, char** argv);
  const char* summary;  // one line for --help
};

// One row per subcommand (declared in cli/commands.h, defined in src/cli/cmd_NAME.cpp).
const std::vector<Command> kCommands = {
    {"convert", mantissa::cmd_convert, "store a number in a format: bits, exact value, error"},
    {"quantize", mantissa::cmd_quantize,
     "block-scaled formats (mxfp8/6/4, mxint8, nvfp4): scales, elements, errors"},
    {"inspect", mantissa::cmd_inspect,
     "tensor files (.safetensors, .npy, .gguf): per-tensor statistics and what each format does to them"},
    {"formats", mantissa::cmd_formats, "list the formats and their landmark values"},
    {"simulate", mantissa::cmd_simulate,
     "a weight receiving many updates, stored several ways, against fp64"},
    {"accumulate", mantissa::cmd_accumulate, "add increments from stdin into a weight (rne, sr or kahan)"},
    {"explain", mantissa::cmd_explain,
     "one add/sub/mul/fma, every step: decode, align, add, normalise, round"},
    {"dot", mantissa::cmd_dot,
     "a dot product accumulated exactly as an FMA chain, pairwise, blocked or a tensor core"},
    {"gemm-error", mantissa::cmd_gemm_error, "relative error of random dot products per K and accumulator"},
    {"train", mantissa::cmd_train, "train a small network on real data in several precision recipes side by side"},
};

void print_help() {
  std::printf(
      "mantissa %s: low-precision floating point, exactly.\n"
      "\n"
      "Usage: mantissa <command> [options]\n"
      "       mantissa --version | --help\n"
      "\n",
      MANTISSA_VERSION);
  if (kCommands.empty()) {
    std::printf("No commands yet.\n");
  } else {
    std::printf("Commands:\n");
    for (const Command& c : kCommands) std::printf("  %-12s %s\n", c.name, c.summary);
    std::printf("\nRun `mantissa <command> --help` for a command's options.\n");
  }
  std::printf("\nExit status: 0 success, 1 failure, 2 bad usage (with one line on stderr).\n");
}

}  // namespace
}  // namespace mantissa::cli

int main(int argc, char** argv) {
  using namespace mantissa::cli;
  if (argc < 2) return fail("missing command (see mantissa --help)");
  const std::string first = argv[1];
  if (first == "--version" || first == "-V") {
    std::printf("mantissa %s\n", MANTISSA_VERSION);
    return 0;
  }
  if (first == "--help" || first == "-h" || first == "help") {
    print_help();
    return 0;
  }
  if (first.rfind("-", 0) == 0)
    return fail("unknown option '" + first.substr(0, 60) + "' (see mantissa --help)");
  for (const Command& c : kCommands) {
    if (first == c.name) return c.run(argc - 1, argv + 1);
  }
  return fail("unknown command '" + first.substr(0, 60) + "' (see mantissa --help)");
}
