// Traced arithmetic: add, sub, mul and fma computed the way a floating-point
// unit does it (decode, bring the operands into the arithmetic format, align
// with guard/round/sticky, operate on the significands, normalise, round),
// recorded step by step so that a face can draw every step: the tutorial's
// second question ("why does 1.125 + 0.00042 stay 1.125 in fp16?") as data.
//
// The trace is data only. The CLI's text and JSON printers (trace_text.cpp,
// trace_json.cpp) and the playground's panels are faces over it; no wording
// and no layout is decided here.
//
// Correctness contract: the significand arithmetic is exact (128-bit
// integers), the exact result is reduced to the same 64-bit-plus-sticky form
// that round_exact() uses, and the final rounding goes through
// round_unrounded(), the one rounding core. So the trace's final bits always
// equal round_exact(format, exact result, options), in every mode, stochastic
// included (tests/trace pins this down over random operands).
//
// Stochastic counters: the final rounding uses options.counter. When an
// operand has to be narrowed into the arithmetic format, operand i's
// conversion uses options.counter + 1 + i (a fresh draw per rounding, as
// `convert --via` does); `explain` rounds a typed-in decimal into its operand
// format with options.counter + 4 + i.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/convert.h"
#include "core/decimal.h"
#include "core/format.h"
#include "core/rounding.h"
#include "core/value.h"

namespace mantissa {

enum class TraceOp { Add, Sub, Mul, Fma };
const char* trace_op_name(TraceOp op);  // "add", "sub", "mul", "fma"
bool parse_trace_op(std::string_view name, TraceOp* out, std::string* error);
int trace_op_arity(TraceOp op);  // 2, or 3 for fma

enum class TraceStepKind { Decode, Convert, Align, Add, Sub, Mul, Normalize, Round, Result, Special };
const char* trace_step_kind_name(TraceStepKind k);  // the JSON "kind": "decode", "convert", ...

// What a `Special` step is about.
enum class SpecialKind {
  None,
  NanOperand,           // a NaN operand propagates (quieted, payload kept)
  InvalidInfMinusInf,   // inf - inf (effective subtraction of infinities): NaN, invalid
  InvalidZeroTimesInf,  // 0 × inf: NaN, invalid
  Infinity,             // an infinite operand decides the result
  SignedZero,           // the sign of an exact zero result
  ZeroOperand,          // a zero addend / factor (the result needs no alignment)
  SubnormalOperand,     // no hidden bit: the significand starts with 0, exponent pinned at emin
  SubnormalResult,      // the result lies below the smallest normal
  Flushed,              // --ftz: a subnormal result became zero
  Overflow,             // rounded magnitude above the largest finite value: inf (or NaN in E4M3FN)
  Saturated,            // overflow clamped to the largest finite value (--saturate or the mode)
  UpdateLost,           // the smaller addend vanished: result == larger operand
};
const char* special_kind_name(SpecialKind k);  // "nan_operand", "invalid_inf_minus_inf", ...

// A significand drawn in columns: bits[0] is the most significant; the last
// bit weighs 2^lsb_exp. `sticky` means non-zero bits lie below the last one.
// Printers align rows by exponent, so a shift is visible as a column offset.
struct BitRow {
  std::string bits;
  int lsb_exp = 0;
  bool sticky = false;

  int msb_exp() const { return lsb_exp + static_cast<int>(bits.size()) - 1; }
};

// One step. A flat record: each kind fills the fields it needs (listed per
// field); the rest keep their defaults.
struct TraceStep {
  TraceStepKind kind = TraceStepKind::Decode;
  SpecialKind special = SpecialKind::None;  // Special
  int operand = -1;  // Decode/Convert/Align/Special: 0 = a, 1 = b, 2 = c; 3 = the product a×b (fma)

  // Decode (in the operand's own format), Convert (the converted value), Result.
  Format format;
  uint64_t bits = 0;
  bool negative = false;
  uint64_t exponent_field = 0;
  int exponent = 0;  // unbiased exponent of the leading significand position
  FloatClass cls = FloatClass::Zero;
  BitRow significand;  // Decode/Convert: with the hidden bit; Round: after rounding

  // Convert: from where, and what changed.
  Format from_format;
  uint64_t from_bits = 0;
  int rebias = 0;     // bias(to) - bias(from): +112 from fp16 to fp32
  int pad_bits = 0;   // man_bits(to) - man_bits(from): zeros appended (< 0: bits rounded off)
  bool exact = true;  // Convert: the value survived; Result: no rounding error

  // Align: the operand with the smaller exponent moves right by `shift`.
  int shift = 0;  // Align: places; Normalize: > 0 right (carry), < 0 left (cancellation)
  BitRow before;  // Align: unshifted; Normalize: the raw sum/product; Round: kept bits before rounding
  BitRow after;   // Align: the p bits kept in the big operand's columns; Normalize: normalised (p + guard +
                  // round)
  bool guard = false;      // Align and Round: first bit past the precision
  bool round_bit = false;  // second bit past it
  bool sticky = false;     // OR of everything after that
  bool collapsed = false;  // Align: shifted past guard and round entirely: all of it is sticky

  // Add/Sub/Mul: lhs op rhs = sum (exact, 2 bits past the precision + sticky).
  BitRow lhs, rhs, sum;
  bool effective_subtract = false;  // signs differ (add) or agree (sub): magnitudes are subtracted
  bool carry_out = false;           // the sum needs one more place on the left
  int leading_zeros = 0;            // cancellation: places lost at the top
  int exponent_before = 0, exponent_after = 0;  // Normalize (leading-bit exponents); Mul: exponents added

  // Round.
  RoundingOptions options;
  RoundInfo rounding;
  bool renormalized = false;  // rounding up carried into a new binade

  // Result.
  ExactValue value;                  // the rounded result's exact value
  ExactValue exact_result;           // the exact mathematical result of the (converted) operands
  std::optional<Decimal> error_abs;  // value - exact (finite both)
  std::optional<double> error_rel, error_ulp;
  bool inexact = false, overflow = false, underflow = false, invalid = false;

  // Special: UpdateLost and SubnormalResult figures.
  std::optional<Decimal>
      threshold;            // half an ULP of the larger operand (UpdateLost); min normal (Subnormal*)
  double ratio = 0;         // |larger| / |smaller| operand
  int ratio_rule_log2 = 0;  // p: an addend below 2^-p of the weight is lost (fp16: 2^11 = 2048×)
};

// An operand as given: a bit pattern in its own format.
struct TraceInput {
  Format format;
  uint64_t bits = 0;
};

struct OperationTrace {
  TraceOp op = TraceOp::Add;
  Format format;  // the arithmetic format
  RoundingOptions options;
  std::vector<StoredValue> operands;   // as given, each in its own format
  std::vector<StoredValue> converted;  // brought into the arithmetic format
  std::vector<TraceStep> steps;
  StoredValue result;
  RoundInfo rounding;  // the final rounding (as the core reports it)
  ExactValue exact;    // exact result of the converted operands
  std::optional<Decimal> error_abs;
  std::optional<double> error_rel, error_ulp;
  bool invalid = false;
  bool update_lost = false;  // add/sub: result == larger operand though the other was non-zero
};
using AdditionTrace = OperationTrace;

// The traced operation. operands.size() must be trace_op_arity(op).
OperationTrace trace_operation(TraceOp op, const Format& arithmetic, const std::vector<TraceInput>& operands,
                               const RoundingOptions& options = {});

// Convenience for the common case.
OperationTrace trace_add(const Format& arithmetic, const TraceInput& a, const TraceInput& b,
                         const RoundingOptions& options = {});

// The exact mathematical result of op on the operands' exact values (Decimal
// arithmetic; IEEE rules for zeros, inf and NaN). The reference the tests
// compare against; also what the result step reports.
ExactValue exact_operation(TraceOp op, const std::vector<ExactValue>& operands, RoundingMode mode);

// `mantissa explain`: typed-in operands (parsed exactly as `convert` does),
// each rounded into its own format, then traced.
struct ExplainRequest {
  TraceOp op = TraceOp::Add;
  std::vector<std::string> values;                     // 2, or 3 for fma
  Format format;                                       // arithmetic format (default operand format)
  std::vector<std::optional<Format>> operand_formats;  // per operand; empty or nullopt: `format`
  RoundingOptions options;
};

struct Explanation {
  std::vector<ConvertReport> operands;  // each typed value rounded into its operand format
  OperationTrace trace;
};

// False with a one-sentence *error (no "mantissa:" prefix) on bad input.
bool explain(const ExplainRequest& req, Explanation* out, std::string* error);

// Faces.
std::string explanation_json(const Explanation& e);     // the `explain --json` object
std::string explanation_text(const Explanation& e);     // the readable walkthrough
std::string trace_steps_json(const OperationTrace& t);  // just the "steps" array

}  // namespace mantissa
