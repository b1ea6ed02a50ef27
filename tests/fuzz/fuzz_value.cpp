// libFuzzer target: the value parser and everything a typed number reaches
// (resolving a bit pattern, rounding into formats, the full report and JSON).
// Invariants checked beyond "no crash": results fit their format, and a
// successful parse of the report's own exact value rounds to the same bits.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "core/convert.h"

using namespace mantissa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // long inputs are covered by the unit tests; keep iterations fast
  const std::string text(reinterpret_cast<const char*>(data), size);
  ParsedValue parsed;
  std::string error;
  if (!parse_value(text, &parsed, &error)) {
    if (error.empty()) std::abort();  // every refusal names its reason
    return 0;
  }
  const Format* formats[] = {&fp16(), &bf16(), &fp8_e4m3(), &fp64()};
  const Format& from = *formats[size % 4];
  ExactValue input;
  if (!resolve_value(parsed, &from, &input, &error)) return 0;
  RoundingOptions opt;
  opt.mode = static_cast<RoundingMode>(size % 7);
  opt.seed = size;
  opt.saturate = size & 8;
  for (const Format* f : formats) {
    ConvertReport r = convert_exact(input, *f, std::nullopt, opt);
    if ((r.result.bits & ~f->width_mask()) != 0) std::abort();
    std::string json = convert_report_json(r);
    if (json.empty() || json.front() != '{') std::abort();
    // The stored value, read back as a decimal, is exactly representable: same bits.
    if (r.result.value.is_finite() && opt.mode == RoundingMode::NearestEven) {
      ParsedValue again;
      if (!parse_value(r.result.value.to_string(), &again, &error)) std::abort();
      if (round_exact(*f, again.value, {}).bits != r.result.bits) std::abort();
    }
  }
  return 0;
}
