// Dot products d = c + sum a_i * b_i, accumulated the ways hardware and
// libraries do it, every one of them exactly: the inputs are bit patterns of
// a format F_in, each product of two inputs is exact, and each accumulator
// rounds exactly where it says it does (through the one rounding core,
// round_unrounded). The exact value is kept by ExactSum, a fixed-size
// fixed-point sum wide enough for every finite value of every format, so the
// error of any accumulator is computed without a bignum per step.
//
// Accumulators (their names, as the CLI and the JS API spell them):
//   exact                     the exact value, the reference for every error
//   seq:F[:mode]              FMA chain: each exact product added to the running sum, rounded once in F
//   seq-rounded:F[:mode]      each product first rounded into F, then added and rounded in F
//   pairwise:F                products rounded into F, summed as a balanced tree in F; c added last
//   kahan:F                   products rounded into F, compensated (Kahan) summation in F
//   blocked:X:B               blocks of B terms summed by X (a format F, meaning seq:F, or a tc:...
//                             model) from zero, each block's sum added into an fp32 total (rne)
//   tc:NAME[,out=fp16|fp32]   a tensor-core preset (v100, a100, ada, h100, b200), see TensorCoreModel
//   tc:fma=N,neab=E[,round=rz|rne][,out=fp32|fp16]
//
// c is an fp32 value (the C matrix of a GEMM). Each accumulator starts from c
// rounded into its own format (rne); `exact` uses it as it is.
//
// Special values follow the rule of Khattak & Mikaitis's GEMM driver: if any
// product a_i*b_i (0 * inf is NaN) or c is NaN, or both +inf and -inf occur,
// the result is NaN; otherwise any infinity gives that infinity. Finite inputs
// whose sum overflows a format give what that format's rounding gives.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/format.h"
#include "core/rounding.h"
#include "core/value.h"

namespace mantissa {

// One block of a tensor core (the generic model of Khattak & Mikaitis, "Accurate
// Models of NVIDIA Tensor Cores", arXiv 2512.07004, and its MATLAB code in
// north-numerical-computing/MATLAB-tensor-core, models/tools/Generic_BFMA_TC.m):
//  1. the N = fma products are exact;
//  2. each product (exponent ea+eb, significand in [0, 4)) and c are aligned to
//     the largest of those exponents E, keeping 23 + neab fraction bits: every
//     bit below 2^(E-23-neab) is truncated (no guard, no sticky bit);
//  3. the aligned terms are summed exactly; 4. normalised once;
//  5. rounded into the output: toward zero for fp32 (rz), to nearest even for
//     fp16 (rne), keeping 23 + min(neab, 0) fraction bits for fp32; with fp16
//     output c is first rounded to fp16;
//  6. each block's result is the next block's c.
struct TensorCoreModel {
  std::string preset;  // "h100", ... or "" for explicit parameters
  int fma = 4;         // products per block
  int neab = 0;        // extra alignment bits (negative: fewer than fp32's 23)
  RoundingMode round = RoundingMode::TowardZero;
  bool fp16_out = false;

  const Format& out() const { return fp16_out ? fp16() : fp32(); }
  // The format the block result is rounded into before it is stored in out().
  Format rounding_format() const;
};

enum class AccumulatorKind { Exact, Sequential, SequentialRounded, Pairwise, Kahan, Blocked, TensorCore };

struct Accumulator {
  AccumulatorKind kind = AccumulatorKind::Exact;
  Format format = fp32();  // where sums are held (seq, seq-rounded, pairwise, kahan; blocked's inner seq)
  RoundingMode mode = RoundingMode::NearestEven;  // seq and seq-rounded
  TensorCoreModel tc;                             // tc, and blocked:tc:...
  bool block_tc = false;                          // blocked: blocks summed by the tc model, not seq:F
  uint64_t block = 0;                             // blocked: terms per block
  std::string name;                               // canonical spelling

  // The format of the result: fp32 for blocked and exact (the exact value correctly
  // rounded, rne), the tc model's output, F otherwise.
  const Format& result_format() const;
};

// Limits that keep every computation bounded (and the fixed-point sum exact).
constexpr uint64_t kMaxDotTerms = uint64_t{1} << 24;  // K
constexpr int kMaxTensorCoreFma = 256;
constexpr int kMinNeab = -20, kMaxNeab = 16;

// Inputs must lie within fp32 (products then fit in 48 bits): fp32, tf32, fp16,
// bf16, fp8 and custom formats with at most 8 exponent and 23 mantissa bits.
bool check_dot_input_format(const Format& in, std::string* error);

// Parses an accumulator name for inputs in `in` (presets depend on the input
// format family). False with a one-sentence *error naming the problem.
bool parse_accumulator(std::string_view text, const Format& in, Accumulator* out, std::string* error);

// The preset table: fma and neab of `preset` for inputs in `in`, and the source.
bool tensor_core_preset(std::string_view preset, const Format& in, TensorCoreModel* out, std::string* error);

struct DotInput {
  Format in = fp16();
  std::vector<uint64_t> a, b;  // bit patterns in `in`, the same length K
  uint64_t c = 0;              // fp32 bit pattern
};

// The exact value of c + sum a_i*b_i in fixed point: 32-bit digits in signed
// 64-bit limbs (carry-save: an add touches three limbs and never carries, so
// a sum of up to 2^31 terms cannot overflow a limb). The window covers every
// finite value of every format Mantissa has (fp64 included) and every product
// of two fp32 values, times 2^26.
class ExactSum {
 public:
  ExactSum() { clear(); }
  void clear();
  // Adds (-1)^negative * significand * 2^exp2 (significand < 2^64, exp2 within the window).
  void add(bool negative, uint64_t significand, int exp2);
  // Adds a finite value of f (negated if asked).
  void add_float(const Format& f, uint64_t bits, bool negate = false);
  void add(const ExactSum& o, bool negate = false);

  // The value's sign and magnitude as an Unrounded (64 significant bits and a
  // sticky flag): ready for round_unrounded into any format.
  Unrounded unrounded() const;
  bool is_zero() const;
  Decimal to_decimal() const;
  double to_double() const;  // correctly rounded

  static constexpr int kDigitBits = 32;
  static constexpr int kLimbs = 70;
  static constexpr int kLsbExp = -1120;  // exponent of the lowest digit's lowest bit

 private:
  int64_t limb_[kLimbs];
  // Carries propagated: 32-bit digits of |value|, and its sign.
  void normalised(uint32_t* digits, bool* negative) const;
};

ExactSum dot_exact_sum(const DotInput& in);
// The exact value (NaN or inf by the special-value rule).
ExactValue dot_exact(const DotInput& in);

// The accumulator's result, as a bit pattern of acc.result_format().
uint64_t dot(const Accumulator& acc, const DotInput& in);

// One dot product fully reported: the CLI's `dot` and the JS API's dot().
struct DotReport {
  Accumulator acc;
  uint64_t k = 0;
  bool exact_acc = false;  // acc is `exact`: no bits, no error
  uint64_t bits = 0;       // result in acc.result_format()
  ExactValue value;        // the result's exact value
  ExactValue exact;        // the exact dot product
  bool has_error = false;  // both finite
  Decimal error_abs;       // value - exact
  double error_rel = 0;    // |value - exact| / |exact| (inf when exact is 0 and the error is not)
};
DotReport dot_report(const Accumulator& acc, const DotInput& in);

// The CLI's --json object (keys in the README) and the readable text.
std::string dot_report_json(const DotReport& r);
std::string dot_report_text(const DotReport& r);
// One --batch line: "0xBITS value" (exact decimal), or a JSON object with the
// same two keys and "format".
std::string dot_batch_line(const Accumulator& acc, uint64_t bits, bool json);

}  // namespace mantissa
