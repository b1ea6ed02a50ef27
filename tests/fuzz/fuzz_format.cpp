// libFuzzer target: format names. A parsed format is within the documented
// limits and its canonical name parses back to the same format.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/format.h"

using namespace mantissa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string name(reinterpret_cast<const char*>(data), size);
  Format f;
  std::string error;
  if (!parse_format(name, &f, &error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  if (f.exp_bits < 2 || f.exp_bits > 11 || f.man_bits < 1 || f.man_bits > 52 || f.width() > 64) std::abort();
  Format again;
  if (!parse_format(f.name, &again, &error) || again != f || again.name != f.name) std::abort();
  return 0;
}
