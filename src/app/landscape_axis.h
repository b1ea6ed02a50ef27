// The Error landscape's model: the x axis (the same integer sample positions
// as the shader, landscape_error.frag.glsl) and the formats drawn, with their
// landmarks. Plain C++ apart from the colors; the panel (panel_landscape.cpp)
// draws it.
#pragma once
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/format.h"
#include "imgui.h"
#include "scenario/scenario.h"

namespace mantissa::app::landscape {

constexpr int kMaxFormats = 8;             // uniform arrays in the shaders
constexpr uint32_t kMaxPositions = 65536;  // columns * samples (the shader's exact floor needs t * r < 2^32)
constexpr int kMaxSamples = 16;
constexpr uint32_t kFp32MinSubnormalBits = 0x00000001;
constexpr uint32_t kFp32MaxFiniteBits = 0x7f7fffff;
constexpr int kFp32MinQuantumExp = -149;

// Flags of pass 1 (landscape_error.frag.glsl).
constexpr uint32_t kFlagSubnormal = 1, kFlagOverflow = 2, kFlagRepresentable = 4, kFlagZero = 16,
                   kFlagExact = 64;

inline uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}
inline float float_of(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

// --- The x axis: the same integer sample positions as the shader ------------------------

struct XAxis {
  bool log = true;
  uint32_t lo = 0, span = 1;  // log: bit patterns; linear: counts of 2^quantum_exp
  int quantum_exp = 0;
  uint32_t columns = 1, samples = 1;
  uint32_t positions() const { return columns * samples; }

  // fp32 bits of x at sample position t (landscape_error.frag.glsl: sample_bits).
  uint32_t sample_bits(uint32_t t) const {
    const uint32_t n = positions();
    const uint32_t q = span / n, r = span % n;
    const uint32_t offset = t * q + (t * r) / n;
    if (log) return lo + offset;
    const uint32_t count = lo + offset;
    if (count == 0) return 0;
    int msb = 31;
    while (!(count >> msb)) --msb;
    const int lead = msb + quantum_exp;
    if (lead >= -126) return (static_cast<uint32_t>(lead + 127) << 23) | ((count << (23 - msb)) & 0x7fffff);
    return count << (quantum_exp - kFp32MinQuantumExp);
  }
  uint32_t centre_bits(uint32_t column) const { return sample_bits(column * samples + samples / 2); }

  // Continuous pixel position of x (>= 0), for ticks and landmarks.
  double to_px(double x) const {
    if (log) {
      const float f = static_cast<float>(std::clamp(x, 1e-46, static_cast<double>(FLT_MAX)));
      const double u = static_cast<double>(bits_of(std::max(f, float_of(1))));
      return (u - lo) / span * columns;
    }
    const double q = std::ldexp(1.0, quantum_exp);
    return (x / q - lo) / span * columns;
  }
  double from_px(double p) const {
    if (log) {
      const double u = std::clamp(lo + p / columns * span, 1.0, static_cast<double>(kFp32MaxFiniteBits));
      return static_cast<double>(float_of(static_cast<uint32_t>(u)));
    }
    return std::ldexp(lo + p / columns * span, quantum_exp);
  }
};

// The axis of the scenario's range, `columns` pixels wide.
XAxis make_axis(const LandscapeScenario& s, uint32_t columns);

// --- Formats -----------------------------------------------------------------------------

struct FormatRow {
  Format format;  // a block format's row: its element format, named "mxfp4 x2^k"
  ImU32 color;
  // A block format's fixed block scale 2^scale_exp: the row stores x as
  // element(x / 2^k) * 2^k, so its relative error is the element format's at
  // x / 2^k, and its landmarks are the element's times 2^k (0 for scalars).
  int scale_exp = 0;
  double scale() const { return std::ldexp(1.0, scale_exp); }
};

ImU32 format_color(size_t i);
// The scenario's formats (at most kMaxFormats), then its block format if
// any (LandscapeScenario::block_format); a bad name sets *error.
std::vector<FormatRow> parse_formats(const LandscapeScenario& s, std::string* error);

// Landmarks as doubles: smallest subnormal, smallest normal, largest finite.
double min_subnormal(const Format& f);
double min_normal(const Format& f);
double max_finite(const Format& f);

}  // namespace mantissa::app::landscape
