// Block-scaled formats: k elements share one scale. Quantizing a block X to
// element format E gives a scale S and elements P_i = round(X_i / S).
//
//  - OCP Microscaling (MX v1.0): mxfp8-e4m3, mxfp8-e5m2, mxfp6-e2m3,
//    mxfp6-e3m2, mxfp4, mxint8; blocks of 32, one E8M0 scale each.
//    Scale rules:
//      ocp  (spec section 6.3): S = 2^(floor(log2 amax) - emax_elem); the
//           elements are rounded and clamped to +-max, so the block's largest
//           value can clip (amax / S reaches 2^(emax_elem+1) > max_elem).
//      ceil (NVIDIA's rule for MXFP8 recipes): the smallest power of two with
//           amax / S <= max_elem; never clips, can waste a binade.
//  - NVIDIA NVFP4: E2M1 elements in blocks of 16, an E4M3 scale per block and
//    an fp32 scale per tensor s_enc = 6 * 448 / amax_tensor; the block scale
//    is round_to_e4m3(amax_block / 6 * s_enc) (fp32 arithmetic, as published).
//
// Pure: values in, a report out. Elements go through the one rounding core
// (round_unrounded) in any mode, always clamping to +-max as the MX spec's
// conversion does. See README "Block formats" for every rule and its source.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/format.h"
#include "core/rounding.h"

namespace mantissa {

enum class ScaleRule { Ocp, Ceil, Nvfp4 };
const char* scale_rule_name(ScaleRule r);  // "ocp", "ceil", "nvfp4"

struct BlockFormat {
  std::string name;  // "mxfp4", "nvfp4", ...
  Format element;
  Format scale;               // e8m0 (MX) or fp8-e4m3 (NVFP4)
  int block = 32;             // default block size
  bool tensor_scale = false;  // NVFP4: an fp32 scale per tensor
};

const std::vector<BlockFormat>& block_formats();
// False with a sentence listing the names when `name` is not one.
bool parse_block_format(std::string_view name, BlockFormat* out, std::string* error);
bool parse_scale_rule(std::string_view name, ScaleRule* out, std::string* error);

struct QuantizeOptions {
  ScaleRule rule = ScaleRule::Ocp;  // MX formats: ocp or ceil; NVFP4 uses its own
  int block = 0;                    // 0: the format's default
  bool pad = false;                 // allow a short last block (as if zero-padded; zeros never change amax)
  RoundingOptions rounding;         // elements; stochastic draws use counter = index
  // NVFP4: the amax of the whole tensor when `values` are one stretch of it
  // (a streaming reader's chunk); negative: the amax of `values`.
  double tensor_amax = -1;
};

// Upper bounds on inputs a face may pass (a clear error, not a huge allocation).
constexpr size_t kMaxQuantizeValues = size_t{1} << 24;
constexpr int kMaxBlock = 1 << 16;

struct QuantizedElement {
  double input = 0;        // the value quantized (fp64; NVFP4: rounded to fp32 first)
  uint64_t bits = 0;       // element code in the element format
  double dequantized = 0;  // element * scale (exact in a double; NaN when the scale is)
  bool clipped = false;    // clamped to +-max_elem (the element overflowed)
  bool flushed = false;    // non-zero input quantized to zero
  bool subnormal = false;  // the element is a subnormal of its format
};

struct QuantizedBlock {
  size_t first = 0;            // index of the first element
  uint64_t scale_bits = 0;     // E8M0 or E4M3 code
  double scale = 0;            // its value (NaN: the whole block is NaN)
  int scale_exp = 0;           // MX: log2 of the scale
  bool non_finite = false;     // a NaN or inf in the block made the scale NaN
  bool scale_clamped = false;  // the rule's exponent was outside E8M0's range
  std::vector<QuantizedElement> elements;
  // Statistics over the block's finite inputs: relative errors over non-zero
  // inputs; SQNR = 10 log10(sum x^2 / sum (x - x')^2), +inf when exact.
  double max_rel_error = 0;
  double rms_rel_error = 0;
  double sqnr_db = 0;
  int clipped = 0, flushed = 0;
};

struct QuantizeReport {
  BlockFormat format;
  QuantizeOptions options;
  int block = 0;
  double amax_tensor = 0;   // NVFP4
  float tensor_scale = 1;   // NVFP4: s_enc (fp32)
  float tensor_decode = 1;  // NVFP4: s_dec = fp32(1 / s_enc)
  std::vector<QuantizedBlock> blocks;
  double max_rel_error = 0, rms_rel_error = 0, sqnr_db = 0;  // over every block
  int clipped = 0, flushed = 0;
};

// False with a one-sentence *error when the request is bad (block size, a
// length that is not a multiple of the block without `pad`, too many values).
bool quantize_blocks(const BlockFormat& f, const std::vector<double>& values, const QuantizeOptions& opt,
                     QuantizeReport* out, std::string* error);

// The request checks of quantize_blocks alone (block size, count, a short
// last block without `pad`), for faces that quantize through the kernels.
bool check_quantize_shape(const BlockFormat& f, size_t count, const QuantizeOptions& opt, std::string* error);

// The inverse of quantize_blocks, from codes: value i is
// element(elements[i]) * scale(scales[i / block]) (NVFP4: times the tensor
// decode scale fp32(1 / tensor_scale), as quantize_blocks computes it), exact
// in a double, so it equals QuantizedElement::dequantized bit for bit. A NaN
// scale code makes its whole block NaN. False with a one-sentence *error when
// the lengths do not match the block size, a code is not one of the format's,
// or NVFP4's tensor scale is missing (nullptr), not positive and finite, or
// given to an MX format.
bool dequantize_blocks(const BlockFormat& f, int block, const uint8_t* scales, size_t scale_count,
                       const uint8_t* elements, size_t count, const float* tensor_scale,
                       std::vector<double>* out, std::string* error);
// dequantize_blocks' checks alone (the same messages), for the kernels.
bool check_dequantize_input(const BlockFormat& f, int block, const uint8_t* scales, size_t scale_count,
                            const uint8_t* elements, size_t count, const float* tensor_scale,
                            std::string* error);

// The MX shared-scale exponent of a block with largest magnitude amax > 0
// (finite), before clamping to E8M0's range [-127, 127].
int mx_scale_exponent(double amax, const Format& element, ScaleRule rule);

// Largest finite magnitude of an element format, as a double.
double max_element(const Format& element);

}  // namespace mantissa

namespace mantissa {

// The CLI's --json object and readable table (keys in the README). Inputs,
// elements, dequantized values and errors are exact decimals.
std::string quantize_report_json(const QuantizeReport& r);
std::string quantize_report_text(const QuantizeReport& r);
// The exact decimal of a double, and dequantized - input exactly ("nan" when
// either is not finite): the strings the report prints, for other faces.
std::string quantize_exact_text(double x);
std::string quantize_error_text(double dequantized, double input);

}  // namespace mantissa
