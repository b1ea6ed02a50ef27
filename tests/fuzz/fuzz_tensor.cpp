// libFuzzer target: `quantize --file`'s reader (.npy header and data, raw
// fp32) and, when it accepts the bytes, block quantization of what it read
// (MX with padding, NVFP4): no crash, no unbounded allocation, and every
// refusal has a sentence.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/block_format.h"
#include "requests/requests.h"

using namespace mantissa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  std::vector<double> values;
  std::string error;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!quantize_values_from_bytes(bytes, &values, &error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  if (values.empty()) return 0;
  for (const char* name : {"mxfp4", "mxint8", "nvfp4"}) {
    BlockFormat f;
    if (!parse_block_format(name, &f, &error)) std::abort();
    QuantizeOptions opt;
    opt.pad = true;
    QuantizeReport r;
    if (!quantize_blocks(f, values, opt, &r, &error)) std::abort();
  }
  return 0;
}
