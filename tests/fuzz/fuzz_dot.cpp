// libFuzzer target: dot products from text. The input's first line names the
// input format and the accumulator ("fp8-e4m3 tc:h100"); every further line
// is a `dot --batch` line. Whatever parses must evaluate without a crash, the
// exact accumulator must agree with ExactSum, and a tensor-core block that
// fits one block must trace to dot()'s bits.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/dot.h"
#include "core/dot_trace.h"
#include "requests/requests.h"

using namespace mantissa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t eol = text.find('\n');
  const std::string head = text.substr(0, eol);
  const size_t space = head.find(' ');
  if (space == std::string::npos) return 0;
  Format in;
  Accumulator acc;
  std::string error;
  if (!parse_format(head.substr(0, space), &in, &error) || !check_dot_input_format(in, &error)) return 0;
  if (!parse_accumulator(head.substr(space + 1), in, &acc, &error)) {
    if (error.empty()) std::abort();
    return 0;
  }
  if (acc.kind == AccumulatorKind::Blocked && acc.block > 64) return 0;  // keep runs short
  size_t start = eol == std::string::npos ? text.size() : eol + 1;
  while (start < text.size()) {
    const size_t end = std::min(text.find('\n', start), text.size());
    DotInput d;
    if (parse_dot_line(std::string_view(text).substr(start, end - start), in, &d, &error)) {
      const uint64_t bits = dot(acc, d);
      if (acc.kind == AccumulatorKind::Exact &&
          bits != round_unrounded(fp32(), dot_exact_sum(d).unrounded(), RoundingOptions{}).bits)
        std::abort();
      if (acc.kind == AccumulatorKind::TensorCore && d.a.size() <= static_cast<size_t>(acc.tc.fma)) {
        TensorCoreBlockTrace t;
        if (trace_tensor_core_block(acc, d, &t, &error) && t.bits != bits) std::abort();
      }
      (void)dot_report(acc, d);
    } else if (error.empty()) {
      std::abort();
    }
    start = end + 1;
  }
  return 0;
}
