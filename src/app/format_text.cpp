#include "app/format_text.h"

#include <cstdio>

namespace mantissa::app {

std::string with_minus(std::string text) {
  if (!text.empty() && text[0] == '-') text.replace(0, 1, "\xe2\x88\x92");
  // Exponents such as "4.2e-4" too.
  for (size_t i = 1; i < text.size(); ++i) {
    if (text[i] == '-' && (text[i - 1] == 'e' || text[i - 1] == '^')) text.replace(i, 1, "\xe2\x88\x92");
  }
  return text;
}

std::string short_decimal(const Decimal& d, size_t max_chars, int sig) {
  std::string plain = d.to_plain();
  if (plain.size() <= max_chars) return with_minus(plain);
  return "\xe2\x89\x88" + with_minus(d.to_short(sig));
}

std::string short_value(const ExactValue& v, size_t max_chars, int sig) {
  if (!v.is_finite() || v.is_zero()) return with_minus(v.to_string());
  return short_decimal(v.value, max_chars, sig);
}

std::string ratio_text(double v, const char* spec) {
  char buf[48];
  std::snprintf(buf, sizeof buf, spec, v);
  // A fixed-point spec prints a tiny non-zero error as "-0.000": say how
  // small it is instead (e.g. "2.1e-07"), so an inexact result never reads
  // as exact.
  bool all_zero = true;
  for (const char* c = buf; *c; ++c) all_zero = all_zero && !(*c >= '1' && *c <= '9');
  if (all_zero && v != 0.0) std::snprintf(buf, sizeof buf, "%.2g", v);
  return with_minus(buf);
}

}  // namespace mantissa::app
