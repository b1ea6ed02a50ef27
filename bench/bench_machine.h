// What every native benchmark prints about where it ran: the CPU's model
// name, and the bench/ folder (for the numpy co-processes beside the programs).
#pragma once
#include <cstdio>
#include <cstring>
#include <string>

namespace mantissa::bench {

// `file`: the calling bench/*.cpp. CMake names it by absolute path, but
// ccache (base_dir=/work) rewrites that relative to the build folder: then
// "bench", and the program must run from the repository root (scripts/bench does).
inline std::string bench_dir(const char* file = __builtin_FILE()) {
  const std::string here = file;
  const size_t slash = here.rfind('/');
  return here.empty() || here[0] != '/' || slash == std::string::npos ? "bench" : here.substr(0, slash);
}

// The CPU's model name, from /proc/cpuinfo ("unknown" elsewhere).
inline std::string cpu_model() {
  FILE* f = std::fopen("/proc/cpuinfo", "r");
  if (!f) return "unknown";
  char line[512];
  std::string model = "unknown";
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, "model name", 10) != 0) continue;
    const char* colon = std::strchr(line, ':');
    if (colon) {
      model = colon + 1;
      while (!model.empty() && (model.front() == ' ' || model.front() == '\t')) model.erase(0, 1);
      while (!model.empty() && (model.back() == '\n' || model.back() == ' ')) model.pop_back();
    }
    break;
  }
  std::fclose(f);
  return model;
}

}  // namespace mantissa::bench
