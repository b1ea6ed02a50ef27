// Reading numbers typed by people: decimals of any length, hex-floats, bit
// patterns, inf and nan. Nothing goes through a double: a decimal keeps every
// digit so it can be rounded correctly into any format.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "core/format.h"
#include "core/value.h"

namespace mantissa {

struct ParsedValue {
  enum class Kind { Decimal, HexFloat, Bits, Infinity, NaN };
  Kind kind = Kind::Decimal;
  ExactValue value;    // every kind but Bits
  uint64_t bits = 0;   // Bits: the pattern as written ("0x3c00", "0b0011110000000000")
  int bit_length = 0;  // Bits: position of the highest set bit + 1
};

// Limits that keep every later step (exact printing, error arithmetic) fast.
constexpr size_t kMaxValueLength = 200000;      // characters
constexpr int64_t kMaxDecimalExponent = 10000;  // |exponent of the leading digit|
constexpr int64_t kMaxBinaryExponent = 40000;   // hex-float |p exponent|

// Parses `text`. On failure returns false and sets *error to one sentence
// naming the problem (no "mantissa:" prefix; faces add their own).
bool parse_value(std::string_view text, ParsedValue* out, std::string* error);

// The exact input value: bit patterns are read in `from` (required for them:
// nullptr gives an error). *bits_in_from is set for bit patterns.
bool resolve_value(const ParsedValue& v, const Format* from, ExactValue* out, std::string* error);

}  // namespace mantissa
