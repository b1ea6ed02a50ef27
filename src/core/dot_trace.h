// One tensor-core block, step by step (the walkthrough of `mantissa explain
// dot` and of the Accumulation panel): the exact products, the largest
// exponent, each term aligned with the bits it loses to truncation, the exact
// sum, the normalisation and the final rounding. Data only; the text and
// JSON printers below are faces over it. The traced result always equals
// dot() on the same block (tests/dot pins this down).
#pragma once
#include <string>
#include <vector>

#include "core/dot.h"

namespace mantissa {

struct TensorCoreTerm {
  std::string label;  // "a1*b1", ..., "c"
  ExactValue a, b;    // the factors (products only)
  ExactValue value;   // the exact product (or c)
  bool zero = false;  // zero products take no part in the alignment
  int exponent = 0;   // ea+eb for products, c's exponent
  bool negative = false;
  std::string kept;     // bits of |term| from 2^(E+1) down to 2^unit (kept after truncation)
  std::string dropped;  // bits below 2^unit that truncation drops, from 2^(unit-1) down (at most 64 shown)
  bool dropped_more = false;  // more dropped bits than shown
  ExactValue kept_value;      // the aligned (truncated) term
};

struct TensorCoreBlockTrace {
  Accumulator acc;
  Format in;
  std::vector<TensorCoreTerm> terms;  // the products, then c (when c is not zero)
  bool empty = false;                 // every product and c are zero: the result is +0
  int max_exponent = 0;               // E
  int unit_exp = 0;                   // E - 23 - neab: the last kept bit
  ExactValue sum;                     // exact sum of the aligned terms
  std::string sum_bits;               // |sum| in binary, leading 1 first
  int sum_exponent = 0;               // the normalised exponent of the sum
  Format rounding_format;             // the output's precision (23 + min(neab, 0) fraction bits for fp32)
  RoundingMode mode = RoundingMode::TowardZero;
  RoundInfo rounding;
  uint64_t bits = 0;  // result in the output format
  ExactValue result;
  ExactValue exact;   // c + sum of the exact products
  Decimal error_abs;  // result - exact
};

// The block of a `tc:` accumulator on inputs of at most fma terms.
bool trace_tensor_core_block(const Accumulator& acc, const DotInput& in, TensorCoreBlockTrace* out,
                             std::string* error);

std::string tensor_core_block_text(const TensorCoreBlockTrace& t);
std::string tensor_core_block_json(const TensorCoreBlockTrace& t);

}  // namespace mantissa
