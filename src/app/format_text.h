// Short texts for numbers in labels: exact decimals when they are short,
// a rounded form with "≈" otherwise, and the typographic minus sign.
#pragma once
#include <optional>
#include <string>

#include "core/decimal.h"
#include "core/value.h"

namespace mantissa::app {

// "-0.5" → "−0.5" (U+2212), for display only; state() keeps ASCII.
std::string with_minus(std::string text);

// The exact decimal if it has at most `max_chars` characters, else a
// rounded form to `sig` significant digits prefixed with "≈".
std::string short_decimal(const Decimal& d, size_t max_chars = 18, int sig = 6);
std::string short_value(const ExactValue& v, size_t max_chars = 18, int sig = 6);

// printf-style for ratios: "%.3g" with the typographic minus; a non-zero
// value the spec would print as zeros ("-0.000") is printed "%.2g" instead.
std::string ratio_text(double v, const char* spec = "%.3g");

}  // namespace mantissa::app
