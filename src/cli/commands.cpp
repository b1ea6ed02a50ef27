// What every subcommand shares.
#include <cstdio>

#include "cli/commands.h"

namespace mantissa::cli {

int fail(const std::string& message) {
  std::fprintf(stderr, "mantissa: %s\n", message.c_str());
  return 2;
}

}  // namespace mantissa::cli
