#include "core/parse.h"

#include <cctype>
#include <cstdio>

namespace mantissa {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Describes the character at s[i] for an error message, UTF-8 aware.
std::string describe_char(std::string_view s, size_t i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    if (c < 0x20 || c == 0x7f) {
      char buf[32];
      snprintf(buf, sizeof buf, "control character 0x%02x", c);
      return buf;
    }
    return "'" + std::string(1, static_cast<char>(c)) + "'";
  }
  size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  if (i + n > s.size()) n = 1;
  uint32_t cp = n == 1 ? c : (c & (0x7fu >> n));
  for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3fu);
  char buf[48];
  if (n == 1) {
    snprintf(buf, sizeof buf, "byte 0x%02x (not UTF-8)", c);
    return buf;
  }
  snprintf(buf, sizeof buf, "U+%04X", cp);
  std::string out = "'" + std::string(s.substr(i, n)) + "' (" + buf + ")";
  if (cp >= 0xFF10 && cp <= 0xFF19)
    out += ": type the ASCII digit " + std::string(1, static_cast<char>('0' + cp - 0xFF10));
  return out;
}

std::string unexpected(std::string_view s, size_t i, const char* hint = nullptr) {
  std::string msg =
      "malformed number: unexpected " + describe_char(s, i) + " at position " + std::to_string(i + 1);
  if (hint) msg += std::string(" (") + hint + ")";
  return msg;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads an optionally signed decimal exponent at s[*i]; saturates far beyond any limit.
bool read_exponent(std::string_view s, size_t* i, int64_t* out, std::string* error, const char* what) {
  bool neg = false;
  size_t start = *i;
  if (*i < s.size() && (s[*i] == '+' || s[*i] == '-')) neg = s[(*i)++] == '-';
  int64_t v = 0;
  size_t digits = 0;
  while (*i < s.size() && std::isdigit(static_cast<unsigned char>(s[*i]))) {
    if (v < 1000000000000LL) v = v * 10 + (s[*i] - '0');
    ++*i;
    ++digits;
  }
  if (digits == 0) {
    *error = std::string("malformed number: the ") + what + " at position " + std::to_string(start) +
             " has no digits";
    return false;
  }
  *out = neg ? -v : v;
  return true;
}

// Builds the Decimal value of a run of hex digits.
Decimal hex_digits_value(std::string_view hex) {
  Decimal d;
  const Decimal chunk_scale = Decimal::pow2(60);
  size_t i = 0;
  while (i < hex.size()) {
    size_t n = std::min<size_t>(15, hex.size() - i);
    uint64_t chunk = 0;
    for (size_t k = 0; k < n; ++k) chunk = chunk * 16 + static_cast<uint64_t>(hex_digit(hex[i + k]));
    d = (n == 15 ? d * chunk_scale : d * Decimal::pow2(4 * static_cast<int64_t>(n))) +
        Decimal::from_uint(chunk);
    i += n;
  }
  return d;
}

bool parse_bits(std::string_view s, size_t i, int base_bits, ParsedValue* out, std::string* error) {
  // i points after "0x" / "0b". Underscores may separate groups: 0b0_01111_0001111100.
  uint64_t v = 0;
  size_t digits = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_') continue;
    int d = base_bits == 4 ? hex_digit(c) : (c == '0' || c == '1' ? c - '0' : -1);
    if (d < 0) {
      *error = unexpected(
          s, i, base_bits == 4 ? "a bit pattern in hex has only 0-9 and a-f" : "binary digits are 0 and 1");
      return false;
    }
    ++digits;
    if ((v >> (64 - base_bits)) != 0) {
      *error = "bit pattern is wider than 64 bits";
      return false;
    }
    v = (v << base_bits) | static_cast<uint64_t>(d);
  }
  if (digits == 0) {
    *error = std::string("malformed number: '") + std::string(s) + "' has no " +
             (base_bits == 4 ? "hex" : "binary") + " digits";
    return false;
  }
  out->kind = ParsedValue::Kind::Bits;
  out->bits = v;
  out->bit_length = v == 0 ? 0 : 64 - __builtin_clzll(v);
  return true;
}

bool parse_hex_float(std::string_view s, size_t i, bool negative, ParsedValue* out, std::string* error) {
  std::string mant;
  int64_t frac_digits = 0;
  bool seen_point = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (seen_point) return *error = unexpected(s, i, "only one point"), false;
      seen_point = true;
    } else if (hex_digit(c) >= 0) {
      mant += c;
      if (seen_point) ++frac_digits;
    } else if (c == 'p' || c == 'P') {
      break;
    } else {
      *error = unexpected(s, i);
      return false;
    }
  }
  if (mant.empty()) {
    *error = "malformed number: the hex-float '" + std::string(s) + "' has no hex digits";
    return false;
  }
  int64_t p = 0;
  if (i < s.size()) {
    ++i;  // 'p'
    if (!read_exponent(s, &i, &p, error, "binary exponent")) return false;
    if (i < s.size()) return *error = unexpected(s, i), false;
  }
  size_t first = mant.find_first_not_of('0');
  if (first == std::string::npos) {
    out->kind = ParsedValue::Kind::HexFloat;
    out->value = ExactValue::finite(Decimal(), negative);
    return true;
  }
  if (mant.size() - first > 1000) {
    *error = "hex-float has more than 1000 hex digits";
    return false;
  }
  int64_t e = p - 4 * frac_digits;
  if (p > kMaxBinaryExponent || p < -kMaxBinaryExponent) {
    *error = "binary exponent out of range: Mantissa accepts p between -" +
             std::to_string(kMaxBinaryExponent) + " and " + std::to_string(kMaxBinaryExponent) +
             " (every format's range lies far inside)";
    return false;
  }
  Decimal d = hex_digits_value(std::string_view(mant).substr(first)) * Decimal::pow2(e);
  out->kind = ParsedValue::Kind::HexFloat;
  out->value = ExactValue::finite(negative ? -d : d, negative);
  return true;
}

bool parse_decimal(std::string_view s, size_t i, bool negative, ParsedValue* out, std::string* error) {
  std::string digits;
  digits.reserve(s.size());
  int64_t frac_digits = 0;
  bool seen_point = false;
  size_t mantissa_digits = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits += c;
      ++mantissa_digits;
      if (seen_point) ++frac_digits;
    } else if (c == '.') {
      if (seen_point) return *error = unexpected(s, i, "only one decimal point"), false;
      seen_point = true;
    } else if (c == 'e' || c == 'E') {
      break;
    } else if (c == ',') {
      *error = unexpected(s, i, "use '.' as the decimal separator and no thousands separators");
      return false;
    } else {
      *error = unexpected(s, i);
      return false;
    }
  }
  if (mantissa_digits == 0) {
    *error = "malformed number: '" + std::string(s.substr(0, 40)) + "' has no digits";
    return false;
  }
  int64_t exp = 0;
  if (i < s.size()) {
    ++i;  // 'e'
    if (!read_exponent(s, &i, &exp, error, "exponent")) return false;
    if (i < s.size()) return *error = unexpected(s, i), false;
  }
  Decimal d = Decimal::from_digits(digits, exp - frac_digits, negative);
  if (!d.is_zero()) {
    int64_t k = d.decimal_exponent();
    if (k > kMaxDecimalExponent || k < -kMaxDecimalExponent) {
      *error = "exponent out of range: Mantissa accepts decimals between 1e-" +
               std::to_string(kMaxDecimalExponent) + " and 1e" + std::to_string(kMaxDecimalExponent) +
               " in magnitude (every format's range lies far inside)";
      return false;
    }
  }
  out->kind = ParsedValue::Kind::Decimal;
  out->value = ExactValue::finite(d, negative);
  return true;
}

}  // namespace

bool parse_value(std::string_view text, ParsedValue* out, std::string* error) {
  std::string ignored;
  if (!error) error = &ignored;
  if (text.size() > kMaxValueLength) {
    *error = "value is longer than " + std::to_string(kMaxValueLength) + " characters";
    return false;
  }
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  if (text.empty()) {
    *error = "empty value: type a number such as 1.125, 0x1.2p0, 0x3c00 (with a format), inf or nan";
    return false;
  }
  *out = ParsedValue();
  std::string_view s = text;
  size_t i = 0;
  bool negative = false, has_sign = false;
  static constexpr std::string_view kUnicodeMinus = "\xe2\x88\x92";  // U+2212, as we print it
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    has_sign = true;
    i = 1;
  } else if (s.substr(0, 3) == kUnicodeMinus) {
    negative = true;
    has_sign = true;
    i = 3;
  }
  std::string rest = lower(s.substr(i));
  if (rest == "inf" || rest == "infinity") {
    out->kind = ParsedValue::Kind::Infinity;
    out->value = ExactValue::infinity(negative);
    return true;
  }
  if (rest == "nan") {
    out->kind = ParsedValue::Kind::NaN;
    out->value = ExactValue::nan(negative);
    return true;
  }
  if (rest.rfind("nan(", 0) == 0) {
    *error = "NaN payloads are given as a bit pattern with --from (e.g. 0x7e01 in fp16), not as nan(...)";
    return false;
  }
  if (rest.rfind("0x", 0) == 0 || rest.rfind("0b", 0) == 0) {
    bool hex = rest[1] == 'x';
    bool is_float = hex && rest.find_first_of(".p") != std::string::npos;
    if (is_float) return parse_hex_float(s, i + 2, negative, out, error);
    if (!parse_bits(s, i + 2, hex ? 4 : 1, out, error)) return false;
    if (has_sign) {
      *error = "a bit pattern has no sign: write the sign bit into the pattern (e.g. 0xbc00 for -1 in fp16)";
      return false;
    }
    return true;
  }
  return parse_decimal(s, i, negative, out, error);
}

bool resolve_value(const ParsedValue& v, const Format* from, ExactValue* out, std::string* error) {
  if (v.kind != ParsedValue::Kind::Bits) {
    *out = v.value;
    return true;
  }
  if (!from) {
    *error = "a bit pattern needs its format: add --from FORMAT (e.g. --from fp16)";
    return false;
  }
  if (v.bit_length > from->width()) {
    *error = "bit pattern is wider than " + from->name + " (" + std::to_string(from->width()) + " bits)";
    return false;
  }
  *out = exact_value(*from, v.bits);
  return true;
}

}  // namespace mantissa
