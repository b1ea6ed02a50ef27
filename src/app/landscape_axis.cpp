#include "app/landscape_axis.h"

#include "app/style.h"
#include "core/block_format.h"

namespace mantissa::app::landscape {

XAxis make_axis(const LandscapeScenario& s, uint32_t columns) {
  XAxis a;
  a.log = s.log_x;
  a.columns = std::max<uint32_t>(1, std::min<uint32_t>(columns, kMaxPositions));
  a.samples = std::max<uint32_t>(1, std::min<uint32_t>(kMaxSamples, kMaxPositions / a.columns));
  if (a.log) {
    const float x0 = static_cast<float>(std::clamp(s.x_min, 1e-45, 3.4e38));
    const float x1 = static_cast<float>(std::clamp(s.x_max, 1e-45, 3.4e38));
    a.lo = std::max(kFp32MinSubnormalBits, bits_of(x0));
    const uint32_t hi = std::min(kFp32MaxFiniteBits, std::max(bits_of(x1), a.lo + a.columns));
    a.span = hi - a.lo;
    return a;
  }
  const double x1 = std::clamp(s.x_max, 1e-40, 3.4e38);
  int e = 0;
  std::frexp(x1, &e);  // x1 < 2^e
  a.quantum_exp = std::max(e - 24, kFp32MinQuantumExp);
  const double q = std::ldexp(1.0, a.quantum_exp);
  const double n0 = std::ceil(std::max(0.0, s.x_min) / q), n1 = std::floor(x1 / q);
  a.lo = static_cast<uint32_t>(std::min(n0, 16777215.0));
  a.span = static_cast<uint32_t>(std::max(1.0, n1 - a.lo));
  return a;
}

ImU32 format_color(size_t i) { return series_color(i % kMaxFormats); }

std::vector<FormatRow> parse_formats(const LandscapeScenario& s, std::string* error) {
  std::vector<FormatRow> rows;
  for (const std::string& name : s.formats) {
    Format f;
    std::string e;
    if (!parse_any_format(name, &f, &e)) {  // int8-mx and e8m0 too: the shader's grid covers both
      *error = e;
      continue;
    }
    if (rows.size() == kMaxFormats) break;
    rows.push_back({f, format_color(rows.size())});
  }
  BlockFormat block;
  std::string e;
  if (!s.block_format.empty() && rows.size() < kMaxFormats) {
    if (!parse_block_format(s.block_format, &block, &e)) {
      *error = e;
    } else {
      FormatRow row{block.element, format_color(rows.size()), s.block_scale_exp};
      row.format.name = block.name + " x2^" + std::to_string(s.block_scale_exp);
      rows.push_back(row);
    }
  }
  return rows;
}

double min_subnormal(const Format& f) { return std::ldexp(1.0, f.emin() - f.man_bits); }
double min_normal(const Format& f) { return std::ldexp(1.0, f.emin()); }
double max_finite(const Format& f) {
  const double top =
      f.kind == FormatKind::Finite ? 2.0 - std::ldexp(1.0, 1 - f.man_bits) : 2.0 - std::ldexp(1.0, -f.man_bits);
  return std::ldexp(top, f.emax());
}

}  // namespace mantissa::app::landscape
