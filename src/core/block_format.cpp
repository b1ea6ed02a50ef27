#include "core/block_format.h"

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/value.h"

namespace mantissa {

const char* scale_rule_name(ScaleRule r) {
  switch (r) {
    case ScaleRule::Ocp:
      return "ocp";
    case ScaleRule::Ceil:
      return "ceil";
    case ScaleRule::Nvfp4:
      return "nvfp4";
  }
  return "?";
}

const std::vector<BlockFormat>& block_formats() {
  // OCP MX v1.0 Table 1 (block 32, E8M0 scale) and NVIDIA NVFP4 (block 16,
  // E4M3 scale, fp32 tensor scale).
  static const std::vector<BlockFormat> all = {
      {"mxfp8-e4m3", fp8_e4m3(), e8m0(), 32, false}, {"mxfp8-e5m2", fp8_e5m2(), e8m0(), 32, false},
      {"mxfp6-e2m3", fp6_e2m3(), e8m0(), 32, false}, {"mxfp6-e3m2", fp6_e3m2(), e8m0(), 32, false},
      {"mxfp4", fp4_e2m1(), e8m0(), 32, false},      {"mxint8", int8_mx(), e8m0(), 32, false},
      {"nvfp4", fp4_e2m1(), fp8_e4m3(), 16, true},
  };
  return all;
}

bool parse_block_format(std::string_view name, BlockFormat* out, std::string* error) {
  for (const BlockFormat& f : block_formats()) {
    if (name == f.name) {
      *out = f;
      return true;
    }
  }
  if (error) {
    *error = "unknown block format '" + std::string(name.substr(0, 40)) +
             "' (expected mxfp4, mxfp6-e2m3, mxfp6-e3m2, mxfp8-e4m3, mxfp8-e5m2, mxint8 or nvfp4)";
  }
  return false;
}

bool parse_scale_rule(std::string_view name, ScaleRule* out, std::string* error) {
  if (name == "ocp") return *out = ScaleRule::Ocp, true;
  if (name == "ceil") return *out = ScaleRule::Ceil, true;
  if (error) *error = "unknown scale rule '" + std::string(name.substr(0, 40)) + "' (expected ocp or ceil)";
  return false;
}

double max_element(const Format& element) { return to_double(element, element.max_finite_bits()); }

int mx_scale_exponent(double amax, const Format& element, ScaleRule rule) {
  // floor(log2 amax), exact for every finite double (subnormals too).
  const int e = std::ilogb(amax);
  int k = e - element.emax();
  // ceil: amax / 2^k lies in [2^emax, 2^(emax+1)); if that passes max_elem,
  // the next power of two is the smallest that fits (half of it cannot).
  if (rule == ScaleRule::Ceil && std::ldexp(amax, -k) > max_element(element)) ++k;
  return k;
}

namespace {

constexpr int kE8m0Bias = 127;
constexpr int kE8m0MaxExp = 127;  // 0xfe; 0xff is NaN
constexpr int kE8m0MinExp = -127;

// A finite double as an exact Unrounded value, times 2^-scale_exp.
Unrounded unrounded_of(double x, int scale_exp) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  Unrounded u;
  u.negative = (b >> 63) != 0;
  const int exp_field = static_cast<int>((b >> 52) & 0x7ff);
  const uint64_t man = b & ((uint64_t{1} << 52) - 1);
  if (exp_field == 0) {
    u.significand = man;
    u.exp2 = -1074 - scale_exp;
  } else {
    u.significand = man | (uint64_t{1} << 52);
    u.exp2 = exp_field - 1075 - scale_exp;
  }
  return u;
}

// Elements clamp to +-max whatever the mode: the MX spec's conversion clamps
// normal values (section 6.3); NVFP4 converts with saturation (satfinite).
RoundingOptions element_options(const QuantizeOptions& opt, size_t index) {
  RoundingOptions r = opt.rounding;
  r.saturate = true;
  r.counter = opt.rounding.counter + index;
  return r;
}

void finish_element(const Format& element, const Rounded& r, double scale_value, QuantizedElement* e) {
  e->bits = r.bits;
  e->dequantized = to_double(element, r.bits) * scale_value;  // <= 8 + 24 bits: exact
  e->clipped = r.info.overflow;
  e->flushed = e->input != 0 && to_double(element, r.bits) == 0;
  e->subnormal = element.is_float() && decode(element, r.bits).cls == FloatClass::Subnormal;
}

struct Sums {
  double signal = 0, noise = 0, rel_sq = 0, max_rel = 0;
  size_t nonzero = 0;
  void add(double x, double dq) {
    const double err = dq - x;
    signal += x * x;
    noise += err * err;
    if (x != 0) {
      const double rel = std::fabs(err / x);
      rel_sq += rel * rel;
      max_rel = std::max(max_rel, rel);
      ++nonzero;
    }
  }
  double rms() const { return nonzero ? std::sqrt(rel_sq / static_cast<double>(nonzero)) : 0; }
  double sqnr() const { return noise == 0 ? INFINITY : 10 * std::log10(signal / noise); }
};

void nan_block(const Format& scale_format, QuantizedBlock* b) {
  b->non_finite = true;
  b->scale_bits = make_nan(scale_format, false);
  b->scale = NAN;
  for (QuantizedElement& e : b->elements) e.dequantized = NAN;  // a NaN scale makes every element NaN
  b->max_rel_error = b->rms_rel_error = b->sqnr_db = NAN;
}

void quantize_mx_block(const BlockFormat& f, const QuantizeOptions& opt, QuantizedBlock* b) {
  double amax = 0;
  for (const QuantizedElement& e : b->elements) {
    if (!std::isfinite(e.input)) return nan_block(f.scale, b);
    amax = std::max(amax, std::fabs(e.input));
  }
  // All zeros: any scale gives zero elements; the smallest (2^-127) is ours.
  int k = amax == 0 ? kE8m0MinExp : mx_scale_exponent(amax, f.element, opt.rule);
  if (k > kE8m0MaxExp) {
    // Only fp64 inputs reach this: no E8M0 scale is large enough.
    // microxcaling sets the shared exponent to NaN here; so do we.
    b->scale_clamped = true;
    return nan_block(f.scale, b);
  }
  if (k < kE8m0MinExp) {
    k = kE8m0MinExp;  // elements then underflow to subnormals or zero
    b->scale_clamped = true;
  }
  b->scale_exp = k;
  b->scale_bits = static_cast<uint64_t>(k + kE8m0Bias);
  b->scale = std::ldexp(1.0, k);
  for (size_t i = 0; i < b->elements.size(); ++i) {
    QuantizedElement& e = b->elements[i];
    const Rounded r =
        round_unrounded(f.element, unrounded_of(e.input, k), element_options(opt, b->first + i));
    finish_element(f.element, r, b->scale, &e);
  }
}

void quantize_nvfp4_block(const BlockFormat& f, const QuantizeOptions& opt, float s_enc, float s_dec,
                          QuantizedBlock* b) {
  float amax = 0;
  for (const QuantizedElement& e : b->elements) {
    if (!std::isfinite(e.input)) return nan_block(f.scale, b);
    amax = std::max(amax, static_cast<float>(std::fabs(e.input)));
  }
  // The published recipe, each step one fp32 operation: the block's decode
  // scale amax/6, moved into E4M3's range by s_enc and rounded to E4M3
  // (RNE, saturating), then the element encode scale 1 / (scale * s_dec).
  const float decode_b = amax / 6.0f;
  const float stored = decode_b * s_enc;
  RoundingOptions sat;
  sat.saturate = true;
  b->scale_bits = round_double(f.scale, stored, sat).bits;
  const double scale = to_double(f.scale, b->scale_bits);
  b->scale = scale;
  const float encode_b = scale == 0 ? 0.0f : 1.0f / (static_cast<float>(scale) * s_dec);
  const double dequant_scale = scale * static_cast<double>(s_dec);  // 4 + 24 bits: exact
  for (size_t i = 0; i < b->elements.size(); ++i) {
    QuantizedElement& e = b->elements[i];
    // x (fp32) times the encode scale (fp32) is exact in a double: one rounding, into E2M1.
    const double scaled = e.input * static_cast<double>(encode_b);
    const Rounded r = round_double(f.element, scaled, element_options(opt, b->first + i));
    finish_element(f.element, r, dequant_scale, &e);
  }
}

}  // namespace

bool check_quantize_shape(const BlockFormat& f, size_t count, const QuantizeOptions& opt,
                          std::string* error) {
  const int block = opt.block == 0 ? f.block : opt.block;
  if (block < 1 || block > kMaxBlock) {
    *error =
        "block size must be between 1 and " + std::to_string(kMaxBlock) + "; got " + std::to_string(block);
    return false;
  }
  if (count == 0) return *error = "no values to quantize", false;
  if (count > kMaxQuantizeValues) {
    *error = std::to_string(count) + " values is more than the " + std::to_string(kMaxQuantizeValues) +
             " quantize accepts";
    return false;
  }
  if (count % static_cast<size_t>(block) != 0 && !opt.pad) {
    *error = std::to_string(count) + " values is not a multiple of the block size " + std::to_string(block) +
             "; add --pad zero to quantize the last block as if zero-padded";
    return false;
  }
  return true;
}

bool quantize_blocks(const BlockFormat& f, const std::vector<double>& values, const QuantizeOptions& opt,
                     QuantizeReport* out, std::string* error) {
  if (!check_quantize_shape(f, values.size(), opt, error)) return false;
  const int block = opt.block == 0 ? f.block : opt.block;
  const size_t bsize = static_cast<size_t>(block);
  QuantizeReport r;
  r.format = f;
  r.options = opt;
  if (f.tensor_scale) r.options.rule = ScaleRule::Nvfp4;
  r.block = block;

  std::vector<double> in = values;
  if (f.tensor_scale) {
    // NVFP4 quantizes fp32 tensors: wider inputs are rounded to fp32 (RNE) first.
    for (double& x : in) x = static_cast<double>(static_cast<float>(x));
    float amax = 0;
    for (double x : in) {
      if (std::isfinite(x)) amax = std::max(amax, static_cast<float>(std::fabs(x)));
    }
    // Rounding to fp32 is monotonic: the fp32 amax is the rounded double amax.
    if (opt.tensor_amax >= 0 && std::isfinite(static_cast<float>(opt.tensor_amax)))
      amax = std::max(amax, static_cast<float>(opt.tensor_amax));
    r.amax_tensor = amax;
    // s_enc = 6 * 448 / amax in fp32; an all-zero tensor takes 1 (any scale
    // gives zeros) and a tiny amax is held at fp32's largest finite value.
    r.tensor_scale = amax == 0 ? 1.0f : std::min(6.0f * 448.0f / amax, FLT_MAX);
    r.tensor_decode = 1.0f / r.tensor_scale;
  }

  Sums total;
  for (size_t first = 0; first < in.size(); first += bsize) {
    QuantizedBlock b;
    b.first = first;
    const size_t n = std::min(bsize, in.size() - first);
    b.elements.resize(n);
    for (size_t i = 0; i < n; ++i) b.elements[i].input = in[first + i];
    if (f.tensor_scale) {
      quantize_nvfp4_block(f, r.options, r.tensor_scale, r.tensor_decode, &b);
    } else {
      quantize_mx_block(f, r.options, &b);
    }
    if (!b.non_finite) {
      Sums s;
      for (const QuantizedElement& e : b.elements) {
        s.add(e.input, e.dequantized);
        total.add(e.input, e.dequantized);
        b.clipped += e.clipped;
        b.flushed += e.flushed;
      }
      b.max_rel_error = s.max_rel;
      b.rms_rel_error = s.rms();
      b.sqnr_db = s.sqnr();
      r.clipped += b.clipped;
      r.flushed += b.flushed;
    }
    r.blocks.push_back(std::move(b));
  }
  r.max_rel_error = total.max_rel;
  r.rms_rel_error = total.rms();
  r.sqnr_db = total.sqnr();
  *out = std::move(r);
  return true;
}

bool check_dequantize_input(const BlockFormat& f, int block, const uint8_t* scales, size_t scale_count,
                            const uint8_t* elements, size_t count, const float* tensor_scale,
                            std::string* error) {
  if (block == 0) block = f.block;
  if (block < 1 || block > kMaxBlock) {
    *error =
        "block size must be between 1 and " + std::to_string(kMaxBlock) + "; got " + std::to_string(block);
    return false;
  }
  if (count == 0) return *error = "no elements to dequantize", false;
  if (count > kMaxQuantizeValues) {
    *error = std::to_string(count) + " elements is more than the " + std::to_string(kMaxQuantizeValues) +
             " dequantize accepts";
    return false;
  }
  const size_t bsize = static_cast<size_t>(block);
  const size_t blocks = (count + bsize - 1) / bsize;
  if (scale_count != blocks) {
    *error = std::to_string(count) + " elements in blocks of " + std::to_string(block) + " need " +
             std::to_string(blocks) + " scale" + (blocks == 1 ? "" : "s") + "; got " +
             std::to_string(scale_count);
    return false;
  }
  if (f.tensor_scale) {
    if (!tensor_scale) return *error = f.name + " needs its per-tensor fp32 scale (s_enc)", false;
    if (!(std::isfinite(*tensor_scale) && *tensor_scale > 0)) {
      return *error = f.name + "'s tensor scale must be a positive finite fp32 value", false;
    }
  } else if (tensor_scale) {
    return *error = f.name + " has no tensor scale (only nvfp4 has one)", false;
  }
  const uint64_t element_codes = f.element.width_mask() + 1;
  for (size_t b = 0; b < blocks; ++b) {
    // The NVFP4 recipe only makes positive E4M3 scales (amax / 6 * s_enc >= 0).
    if (f.tensor_scale && (scales[b] & f.scale.sign_mask()) != 0) {
      *error = "scale code " + hex_bits(f.scale, scales[b]) + " of block " + std::to_string(b) +
               " is negative; " + f.name + " block scales are positive";
      return false;
    }
  }
  for (size_t i = 0; i < count; ++i) {
    if (elements[i] >= element_codes) {
      char codes[64];
      std::snprintf(codes, sizeof codes, "0x%x at index %zu", static_cast<unsigned>(elements[i]), i);
      *error = std::string("element code ") + codes + " is not a " + f.element.name + " code (0 to " +
               std::to_string(element_codes - 1) + ")";
      return false;
    }
  }
  return true;
}

bool dequantize_blocks(const BlockFormat& f, int block, const uint8_t* scales, size_t scale_count,
                       const uint8_t* elements, size_t count, const float* tensor_scale,
                       std::vector<double>* out, std::string* error) {
  if (!check_dequantize_input(f, block, scales, scale_count, elements, count, tensor_scale, error))
    return false;
  if (block == 0) block = f.block;
  const size_t bsize = static_cast<size_t>(block);
  // s_dec, as quantize_blocks rounds it.
  const double tensor_decode = f.tensor_scale ? static_cast<double>(1.0f / *tensor_scale) : 1.0;
  out->assign(count, 0.0);
  for (size_t i = 0; i < count; ++i) {
    const double scale = to_double(f.scale, scales[i / bsize]);
    // Both factors (and s_dec) have few significant bits: the product is exact.
    (*out)[i] = std::isnan(scale) ? NAN : to_double(f.element, elements[i]) * (scale * tensor_decode);
  }
  return true;
}

}  // namespace mantissa
