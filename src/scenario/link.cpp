// The share-link codec (see link.h for the format). Three layers:
//   1. text  <-> ordered key/value pairs (percent-encoding, or the compact
//      base64url payload),
//   2. pairs of an old version -> pairs of the current one (the upgrade chain),
//   3. pairs <-> Scenario through one table of fields, each with its key, its
//      panel and a checked setter (the only place a link's value is trusted).
#include "scenario/link.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "core/block_format.h"
#include "core/format.h"
#include "core/json.h"
#include "core/parse.h"
#include "core/rounding.h"
#include "scenario/accumulation_checks.h"
#include "sim/setup.h"
#include "train/dataset.h"
#include "train/network.h"
#include "train/recipe.h"

namespace mantissa {
namespace {

using Pair = std::pair<std::string, std::string>;

// ---- Notices ----------------------------------------------------------------

// Link text shown in a notice: printable ASCII only (a link is hostile until
// proven otherwise; the notice is drawn as text, never as HTML, but it may
// also reach a console or a JSON string), and short.
std::string shown(std::string_view text, size_t max = 40) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > max) out += "...";
  return out;
}

class Notices {
 public:
  explicit Notices(std::vector<std::string>* out) : out_(out) {}
  ~Notices() {
    if (dropped_ > 0) out_->push_back("... and " + std::to_string(dropped_) + " more ignored parts");
  }
  void add(std::string text) {
    if (out_->size() < kLinkMaxNotices) {
      out_->push_back(std::move(text));
    } else {
      ++dropped_;
    }
  }
  void ignored(std::string_view key, std::string_view value, std::string_view why) {
    add("ignored " + shown(key, 24) + "=" + shown(value) + ": " + std::string(why));
  }

 private:
  std::vector<std::string>* out_;
  size_t dropped_ = 0;
};

// ---- Percent-encoding ----------------------------------------------------------

bool is_plain(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case ':':
    case ',':
    case '+':
    case '!':
    case '*':
    case '/':
    case '@':
      return true;
    default:
      return false;
  }
}

void percent_encode(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (is_plain(c)) {
      *out += ch;
    } else {
      *out += '%';
      *out += kHex[c >> 4];
      *out += kHex[c & 15];
    }
  }
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// False on a malformed escape ("%4", "%zz").
bool percent_decode(std::string_view text, std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      *out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;  // "%" or "%4" at the end
    const int hi = hex_digit(text[i + 1]);
    const int lo = hex_digit(text[i + 2]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

// ---- The compact payload ---------------------------------------------------------
// Records of: key length (1 byte), key bytes, then the value as either
//   0x00, varint length, raw bytes               or
//   0x01, varint character count, packed nibbles (two characters per byte,
//         from kPackAlphabet: decimals, lists and seeds pack at half size).
// The whole payload is base64url without padding.

constexpr std::string_view kPackAlphabet = "0123456789.-+e,:";
static_assert(kPackAlphabet.size() == 16, "one nibble per character");
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void put_varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    *out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *out += static_cast<char>(v);
}

bool get_varint(std::string_view in, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= in.size()) return false;
    const unsigned char b = static_cast<unsigned char>(in[(*pos)++]);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

bool packable(std::string_view value) {
  return !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return kPackAlphabet.find(c) != std::string_view::npos;
  });
}

std::string pack_pairs(const std::vector<Pair>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    out += static_cast<char>(key.size());
    out += key;
    if (packable(value)) {
      out += '\x01';
      put_varint(value.size(), &out);
      for (size_t i = 0; i < value.size(); i += 2) {
        const size_t hi = kPackAlphabet.find(value[i]);
        const size_t lo = i + 1 < value.size() ? kPackAlphabet.find(value[i + 1]) : 0;
        out += static_cast<char>(hi << 4 | lo);
      }
    } else {
      out += '\x00';
      put_varint(value.size(), &out);
      out += value;
    }
  }
  return out;
}

bool unpack_pairs(std::string_view in, std::vector<Pair>* pairs) {
  size_t pos = 0;
  while (pos < in.size()) {
    if (pairs->size() >= kLinkMaxParts) return true;  // the rest is ignored like any long link
    const size_t key_size = static_cast<unsigned char>(in[pos++]);
    if (key_size > in.size() - pos) return false;
    std::string key(in.substr(pos, key_size));
    pos += key_size;
    if (pos >= in.size()) return false;
    const char tag = in[pos++];
    uint64_t n = 0;
    if (!get_varint(in, &pos, &n)) return false;
    std::string value;
    if (tag == '\x00') {
      if (n > in.size() - pos) return false;
      value = in.substr(pos, n);
      pos += n;
    } else if (tag == '\x01') {
      const uint64_t bytes = n / 2 + n % 2;
      if (bytes > in.size() - pos) return false;
      value.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        const unsigned char b = static_cast<unsigned char>(in[pos + i / 2]);
        value += kPackAlphabet[i % 2 == 0 ? b >> 4 : b & 15];
      }
      pos += bytes;
    } else {
      return false;
    }
    pairs->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

std::string base64url_encode(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 4 / 3 + 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
  }
  return out;
}

bool base64url_decode(std::string_view in, std::string* out) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);  // tolerate padding
  if (in.size() % 4 == 1) return false;
  out->clear();
  out->reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const size_t d = kBase64.find(c);
    if (d == std::string_view::npos) return false;
    acc = (acc << 6 | static_cast<uint32_t>(d)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return true;
}

// ---- Values ----------------------------------------------------------------------

std::string bool_text(bool b) { return b ? "1" : "0"; }

bool parse_bool(std::string_view t, bool* out) {
  if (t == "1" || t == "true" || t == "yes" || t == "on") {
    *out = true;
  } else if (t == "0" || t == "false" || t == "no" || t == "off") {
    *out = false;
  } else {
    return false;
  }
  return true;
}

template <typename Int>
bool parse_int(std::string_view t, Int* out) {
  if (t.empty() || t.size() > 24) return false;
  if (t.front() == '+') t.remove_prefix(1);
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  return ec == std::errc() && end == t.data() + t.size();
}

// Shortest decimal that reads back as the same double.
std::string double_text(double v) {
  char buf[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

bool parse_double(std::string_view t, double* out) {
  if (t.empty() || t.size() > 32) return false;
  for (char c : t) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) return false;
  }
  const std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// The checks a typed string must pass; each canonicalises what it accepts.
using Check = bool (*)(std::string_view in, std::string* canonical, std::string* why);

bool check_value(std::string_view in, std::string* canonical, std::string* why) {
  ParsedValue parsed;
  std::string error;
  if (!parse_value(in, &parsed, &error)) {
    *why = "not a number";
    return false;
  }
  *canonical = std::string(in);  // exactly as typed: "0.10" stays "0.10"
  return true;
}

bool check_optional_value(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  return check_value(in, canonical, why);
}

template <bool (*parse)(std::string_view, Format*, std::string*)>
bool check_format_with(std::string_view in, std::string* canonical, std::string* why) {
  Format f;
  std::string error;
  if (in.size() > 32 || !parse(in, &f, &error)) {
    *why = "unknown format";
    return false;
  }
  *canonical = f.name;
  return true;
}

bool check_format(std::string_view in, std::string* canonical, std::string* why) {
  return check_format_with<parse_format>(in, canonical, why);
}

// Also the MX scale (e8m0) and integer element (int8-mx): for the keys of
// the faces that handle every kind (the Inspector, the landscape).
bool check_any_format(std::string_view in, std::string* canonical, std::string* why) {
  return check_format_with<parse_any_format>(in, canonical, why);
}

bool check_optional_any_format(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  return check_any_format(in, canonical, why);
}


bool check_mode(std::string_view in, std::string* canonical, std::string* why) {
  RoundingMode m;
  std::string error;
  if (in.size() > 32 || !parse_rounding_mode(in, &m, &error)) {
    *why = "unknown rounding mode";
    return false;
  }
  *canonical = rounding_mode_name(m);
  return true;
}

bool check_op(std::string_view in, std::string* canonical, std::string* why) {
  if (in != "add" && in != "sub" && in != "mul" && in != "fma") {
    *why = "unknown operation (add, sub, mul, fma)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_strategy(std::string_view in, std::string* canonical, std::string* why) {
  sim::StrategySpec spec;
  std::string error;
  if (in.size() > 64 || !sim::parse_strategy(in, &spec, &error)) {
    *why = "unknown strategy";
    return false;
  }
  *canonical = spec.name;
  return true;
}

bool check_loss_scale(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  sim::StrategySpec spec;
  std::string error;
  if (in.size() > 64 || !sim::parse_loss_scale(in, &spec, &error)) {
    *why = "not a loss scale (static:S or dynamic)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// "normal:MEAN:STD" or empty (a constant increment).
bool check_gradient(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  const std::string_view rest = in.substr(std::min<size_t>(7, in.size()));
  const size_t colon = rest.find(':');
  double mean = 0, stddev = 0;
  if (in.substr(0, 7) != "normal:" || colon == std::string_view::npos ||
      !parse_double(rest.substr(0, colon), &mean) || !parse_double(rest.substr(colon + 1), &stddev) ||
      stddev < 0) {
    *why = "not a gradient distribution (normal:MEAN:STD)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// Population initial weights: "", "normal:MEAN:STD" or "uniform:LOW:HIGH".
bool check_init(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  const bool normal = in.substr(0, 7) == "normal:", uniform = in.substr(0, 8) == "uniform:";
  const std::string_view rest = in.substr(normal ? 7 : uniform ? 8 : 0);
  const size_t colon = rest.find(':');
  double a = 0, b = 0;
  if ((!normal && !uniform) || colon == std::string_view::npos || !parse_double(rest.substr(0, colon), &a) ||
      !parse_double(rest.substr(colon + 1), &b) || (normal && b < 0)) {
    *why = "not an initial distribution (normal:MEAN:STD or uniform:LOW:HIGH)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_tensor_scale(std::string_view in, std::string* canonical, std::string* why) {
  if (in != "none" && in != "tensor") {
    *why = "not a scale option (none or tensor)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_reference(std::string_view in, std::string* canonical, std::string* why) {
  if (in != "stored" && in != "exact") {
    *why = "not a reference (stored or exact)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// ---- Blocks (issue 14) -------------------------------------------------------------

bool check_block_format(std::string_view in, std::string* canonical, std::string* why) {
  BlockFormat f;
  if (in.size() > 32 || !parse_block_format(in, &f, nullptr)) {
    *why = "unknown block format";
    return false;
  }
  *canonical = f.name;
  return true;
}

bool check_optional_block_format(std::string_view in, std::string* canonical, std::string* why) {
  if (in.empty()) {
    canonical->clear();
    return true;
  }
  return check_block_format(in, canonical, why);
}

bool check_scale_rule(std::string_view in, std::string* canonical, std::string* why) {
  ScaleRule r;
  if (!parse_scale_rule(in, &r, nullptr)) {
    *why = "unknown scale rule (ocp or ceil)";
    return false;
  }
  *canonical = scale_rule_name(r);
  return true;
}

bool check_block_gen(std::string_view in, std::string* canonical, std::string* why) {
  if (in != "normal" && in != "uniform" && in != "outlier") {
    *why = "unknown generator (normal, uniform, outlier)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// Up to kMaxBlockValues numbers separated by commas, each one the Blocks
// tab (and `mantissa quantize --values`) reads; kept as typed.
bool check_block_values(std::string_view in, std::string* canonical, std::string* why) {
  size_t count = 0, start = 0;
  while (start <= in.size() && !in.empty()) {
    size_t comma = in.find(',', start);
    if (comma == std::string_view::npos) comma = in.size();
    std::string_view item = in.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    ParsedValue parsed;
    std::string error;
    if (++count > kMaxBlockValues) {
      *why = "more than " + std::to_string(kMaxBlockValues) + " values";
      return false;
    }
    if (item.empty() || !parse_value(item, &parsed, &error) || parsed.kind == ParsedValue::Kind::Bits) {
      *why = "not a list of numbers ('" + shown(item, 24) + "')";
      return false;
    }
    start = comma + 1;
  }
  *canonical = std::string(in);
  return true;
}

// Network panel: the `mantissa train` option texts, checked by the trainer's
// own parsers (kept as typed: the run hands them to the same parsers again).
bool check_data(std::string_view in, std::string* canonical, std::string* why) {
  for (const std::string& n : train::dataset_names()) {
    if (in == n) return *canonical = n, true;
  }
  *why = "unknown data set (digits, spiral, circles, xor)";
  return false;
}

bool check_model(std::string_view in, std::string* canonical, std::string* why) {
  train::Model m;
  std::string error;
  if (!in.empty() && (in.size() > 64 || !train::parse_model(in, &m, &error))) {
    *why = "not a model (layer widths: 2-16-16-2)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_optimizer(std::string_view in, std::string* canonical, std::string* why) {
  train::Optimizer o;
  std::string error;
  if (in.size() > 128 || !train::parse_optimizer(in, &o, &error)) {
    *why = "not an optimizer (sgd:lr=X,momentum=M or adam:lr=X)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_recipes(std::string_view in, std::string* canonical, std::string* why) {
  std::vector<train::Recipe> r;
  std::string error;
  if (in.size() > 512 || !train::parse_recipe_list(in, &r, &error) || r.empty() || r.size() > 16) {
    *why = "not a recipe list (fp32,fp16,fp16-amp,...)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

// ---- The field table -----------------------------------------------------------

enum class FieldKind { Text, List, Bool, Int, Double };

struct Field {
  const char* key;
  ScenarioPanel panel;
  FieldKind kind;
  std::string (*get)(const Scenario&);
  // Sets the field from link text. False with a short reason (the field is untouched).
  bool (*set)(Scenario&, std::string_view, std::string* why);
};

template <auto Part, auto Member, Check check>
Field text_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::Text, [](const Scenario& s) { return (s.*Part).*Member; },
          [](Scenario& s, std::string_view t, std::string* why) {
            std::string canonical;
            if (!check(t, &canonical, why)) return false;
            (s.*Part).*Member = std::move(canonical);
            return true;
          }};
}

// A comma-separated list; bad items are dropped one by one, so the setter
// reports them through `why` but still succeeds when at least one is good.
template <auto Part, auto Member, Check check, size_t kMaxItems>
Field list_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::List,
          [](const Scenario& s) {
            std::string out;
            for (const std::string& item : (s.*Part).*Member) {
              if (!out.empty()) out += ',';
              out += item;
            }
            return out;
          },
          [](Scenario& s, std::string_view t, std::string* why) {
            std::vector<std::string> items;
            std::string bad;
            size_t start = 0;
            while (start <= t.size()) {
              size_t comma = t.find(',', start);
              if (comma == std::string_view::npos) comma = t.size();
              const std::string_view item = t.substr(start, comma - start);
              std::string canonical, item_why;
              if (!item.empty()) {
                if (items.size() >= kMaxItems) {
                  if (bad.empty()) bad = "more than " + std::to_string(kMaxItems) + " items";
                } else if (check(item, &canonical, &item_why)) {
                  if (std::find(items.begin(), items.end(), canonical) == items.end())
                    items.push_back(canonical);
                } else if (bad.empty()) {
                  bad = item_why + " '" + shown(item, 24) + "'";
                }
              }
              start = comma + 1;
            }
            *why = bad;
            if (items.empty() && !t.empty()) return false;
            (s.*Part).*Member = std::move(items);
            return true;
          }};
}

template <auto Part, auto Member>
Field bool_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::Bool, [](const Scenario& s) { return bool_text((s.*Part).*Member); },
          [](Scenario& s, std::string_view t, std::string* why) {
            bool b = false;
            if (!parse_bool(t, &b)) {
              *why = "not 1 or 0";
              return false;
            }
            (s.*Part).*Member = b;
            return true;
          }};
}

// Integers with an inclusive range.
template <auto Part, auto Member, int64_t kMin, uint64_t kMax>
Field int_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::Int, [](const Scenario& s) { return std::to_string((s.*Part).*Member); },
          [](Scenario& s, std::string_view t, std::string* why) {
            using Int = std::remove_reference_t<decltype((s.*Part).*Member)>;
            bool in_range = false;
            Int result{};
            if constexpr (std::is_signed_v<Int>) {
              int64_t v = 0;
              if (!parse_int(t, &v)) {
                *why = "not a whole number";
                return false;
              }
              in_range = v >= kMin && (v < 0 || static_cast<uint64_t>(v) <= kMax);
              result = static_cast<Int>(v);
            } else {
              uint64_t v = 0;
              if (!parse_int(t, &v)) {
                *why = "not a whole number";
                return false;
              }
              in_range = v >= static_cast<uint64_t>(std::max<int64_t>(kMin, 0)) && v <= kMax;
              result = static_cast<Int>(v);
            }
            if (!in_range) {
              *why = "out of range";
              return false;
            }
            (s.*Part).*Member = result;
            return true;
          }};
}

template <auto Part, auto Member>
Field double_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::Double, [](const Scenario& s) { return double_text((s.*Part).*Member); },
          [](Scenario& s, std::string_view t, std::string* why) {
            double v = 0;
            if (!parse_double(t, &v)) {
              *why = "not a finite number";
              return false;
            }
            (s.*Part).*Member = v;
            return true;
          }};
}

using S = Scenario;
using I = InspectorScenario;
using A = AdditionScenario;
using T = TrainingScenario;
using L = LandscapeScenario;
using B = BlocksScenario;
using TS = TensorsScenario;
using D = AccumulationScenario;
using N = NetworkScenario;
constexpr auto kIns = ScenarioPanel::Inspector;
constexpr auto kAdd = ScenarioPanel::Addition;
constexpr auto kTrain = ScenarioPanel::Training;
constexpr auto kLand = ScenarioPanel::Landscape;
constexpr auto kBlocks = ScenarioPanel::Blocks;
constexpr auto kTens = ScenarioPanel::Tensors;
constexpr auto kDot = ScenarioPanel::Accumulation;
constexpr auto kNet = ScenarioPanel::Network;
constexpr uint64_t kU64Max = ~uint64_t{0};
constexpr uint64_t kI64Max = uint64_t{1} << 62;

// The order here is the order keys are written in.
const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      text_field<&S::inspector, &I::value, check_value>("x", kIns),
      text_field<&S::inspector, &I::from, check_any_format>("xf", kIns),
      text_field<&S::inspector, &I::mode, check_mode>("xr", kIns),
      int_field<&S::inspector, &I::seed, 0, kU64Max>("xs", kIns),
      bool_field<&S::inspector, &I::saturate>("xsat", kIns),
      bool_field<&S::inspector, &I::ftz>("xftz", kIns),
      text_field<&S::inspector, &I::custom, check_optional_any_format>("xc", kIns),
      text_field<&S::inspector, &I::focus, check_any_format>("xfocus", kIns),

      text_field<&S::addition, &A::op, check_op>("op", kAdd),
      text_field<&S::addition, &A::a, check_value>("a", kAdd),
      text_field<&S::addition, &A::a_format, check_format>("af", kAdd),
      text_field<&S::addition, &A::b, check_value>("b", kAdd),
      text_field<&S::addition, &A::b_format, check_format>("bf", kAdd),
      text_field<&S::addition, &A::c, check_value>("c", kAdd),
      text_field<&S::addition, &A::c_format, check_format>("cf", kAdd),
      text_field<&S::addition, &A::format, check_format>("in", kAdd),
      text_field<&S::addition, &A::mode, check_mode>("r", kAdd),
      int_field<&S::addition, &A::seed, 0, kU64Max>("s", kAdd),
      bool_field<&S::addition, &A::saturate>("sat", kAdd),
      bool_field<&S::addition, &A::ftz>("ftz", kAdd),
      bool_field<&S::addition, &A::compare_fp32>("cmp", kAdd),
      int_field<&S::addition, &A::step, -1, 1000>("step", kAdd),

      text_field<&S::training, &T::w0, check_value>("w0", kTrain),
      text_field<&S::training, &T::inc, check_value>("inc", kTrain),
      text_field<&S::training, &T::lr, check_optional_value>("lr", kTrain),
      text_field<&S::training, &T::grad, check_gradient>("g", kTrain),
      int_field<&S::training, &T::seed, 0, kU64Max>("ts", kTrain),
      text_field<&S::training, &T::grad_format, check_format>("gf", kTrain),
      int_field<&S::training, &T::steps, 1, sim::kMaxSteps>("n", kTrain),
      list_field<&S::training, &T::strategies, check_strategy, sim::kMaxStrategies>("st", kTrain),
      text_field<&S::training, &T::loss_scale, check_loss_scale>("ls", kTrain),
      int_field<&S::training, &T::population, 1, sim::kMaxPopulation>("pop", kTrain),
      text_field<&S::training, &T::init, check_init>("init", kTrain),
      text_field<&S::training, &T::reference, check_reference>("ref", kTrain),
      double_field<&S::training, &T::view_x0>("vx0", kTrain),
      double_field<&S::training, &T::view_x1>("vx1", kTrain),
      double_field<&S::training, &T::view_y0>("vy0", kTrain),
      double_field<&S::training, &T::view_y1>("vy1", kTrain),
      bool_field<&S::training, &T::log_error>("logerr", kTrain),
      int_field<&S::training, &T::selected_step, -1, kI64Max>("sel", kTrain),

      list_field<&S::landscape, &L::formats, check_any_format, 16>("lf", kLand),
      double_field<&S::landscape, &L::x_min>("lx0", kLand),
      double_field<&S::landscape, &L::x_max>("lx1", kLand),
      bool_field<&S::landscape, &L::log_x>("llog", kLand),
      bool_field<&S::landscape, &L::log_error>("llogy", kLand),
      text_field<&S::landscape, &L::block_format, check_optional_block_format>("lb", kLand),
      int_field<&S::landscape, &L::block_scale_exp, -127, 127>("lbe", kLand),

      text_field<&S::blocks, &B::format, check_block_format>("bk", kBlocks),
      text_field<&S::blocks, &B::rule, check_scale_rule>("bkr", kBlocks),
      text_field<&S::blocks, &B::mode, check_mode>("bkm", kBlocks),
      int_field<&S::blocks, &B::seed, 0, kU64Max>("bks", kBlocks),
      text_field<&S::blocks, &B::values, check_block_values>("bkv", kBlocks),
      text_field<&S::blocks, &B::gen, check_block_gen>("bkg", kBlocks),
      int_field<&S::blocks, &B::count, 1, kMaxBlockValues>("bkn", kBlocks),
      int_field<&S::blocks, &B::gen_seed, 0, kU64Max>("bkgs", kBlocks),
      text_field<&S::blocks, &B::outlier, check_optional_value>("bko", kBlocks),

      list_field<&S::tensors, &TS::formats, check_format, 16>("tf", kTens),
      text_field<&S::tensors, &TS::lr, check_optional_value>("tlr", kTens),
      text_field<&S::tensors, &TS::grad_std, check_optional_value>("tgs", kTens),
      text_field<&S::tensors, &TS::scale, check_tensor_scale>("tsc", kTens),

      text_field<&S::accumulation, &D::in, check_dot_input_format_text>("di", kDot),
      text_field<&S::accumulation, &D::dist, check_operand_distribution>("dd", kDot),
      text_field<&S::accumulation, &D::ks, check_k_list>("dk", kDot),
      text_field<&S::accumulation, &D::acc, check_accumulator_list>("dacc", kDot),
      int_field<&S::accumulation, &D::trials, 1, kMaxAccumulationTrials>("dn", kDot),
      int_field<&S::accumulation, &D::seed, 0, kU64Max>("ds", kDot),
      text_field<&S::accumulation, &D::block_acc, check_tensor_core_name>("dwacc", kDot),
      text_field<&S::accumulation, &D::block_a, check_dot_block_values>("dwa", kDot),
      text_field<&S::accumulation, &D::block_b, check_dot_block_values>("dwb", kDot),
      text_field<&S::accumulation, &D::block_c, check_optional_value>("dwc", kDot),
      int_field<&S::accumulation, &D::example, 0, 0xffffffffu>("dwx", kDot),

      text_field<&S::network, &N::data, check_data>("nd", kNet),
      int_field<&S::network, &N::data_seed, 0, kU64Max>("nds", kNet),
      text_field<&S::network, &N::model, check_model>("nm", kNet),
      text_field<&S::network, &N::optimizer, check_optimizer>("nopt", kNet),
      text_field<&S::network, &N::recipes, check_recipes>("nr", kNet),
      int_field<&S::network, &N::epochs, 1, train::kMaxEpochs>("ne", kNet),
      int_field<&S::network, &N::batch, 1, 1u << 20>("nb", kNet),
      int_field<&S::network, &N::seed, 0, kU64Max>("ns", kNet),
      int_field<&S::network, &N::subset, 0, 1u << 20>("nsub", kNet),
  };
  return table;
}

const Field* find_field(std::string_view key) {
  for (const Field& f : fields()) {
    if (key == f.key) return &f;
  }
  return nullptr;
}

bool parse_panel(std::string_view t, ScenarioPanel* out) {
  for (ScenarioPanel p : {ScenarioPanel::Inspector, ScenarioPanel::Addition, ScenarioPanel::Training,
                          ScenarioPanel::Landscape, ScenarioPanel::Blocks, ScenarioPanel::Tensors,
                          ScenarioPanel::Accumulation, ScenarioPanel::Network}) {
    if (t == scenario_panel_key(p)) {
      *out = p;
      return true;
    }
  }
  return false;
}

// ---- The upgrade chain -----------------------------------------------------------
// upgrades[k] turns the pairs of version k into those of version k + 1. A
// future version 2 adds upgrade_v1_to_v2 here and nothing else changes: links
// of every version walk the chain to the current one.

// Version 0 keys (the Scenario's member paths) and their version 1 keys. The
// JS API's scenario objects use the same member names (scenario_json).
constexpr std::pair<std::string_view, std::string_view> kMemberKeys[] = {
    {"inspector.value", "x"},
    {"inspector.from", "xf"},
    {"inspector.mode", "xr"},
    {"inspector.seed", "xs"},
    {"inspector.saturate", "xsat"},
    {"inspector.ftz", "xftz"},
    {"inspector.custom", "xc"},
    {"inspector.focus", "xfocus"},
    {"addition.op", "op"},
    {"addition.a", "a"},
    {"addition.a_format", "af"},
    {"addition.b", "b"},
    {"addition.b_format", "bf"},
    {"addition.c", "c"},
    {"addition.c_format", "cf"},
    {"addition.format", "in"},
    {"addition.mode", "r"},
    {"addition.seed", "s"},
    {"addition.saturate", "sat"},
    {"addition.ftz", "ftz"},
    {"addition.compare_fp32", "cmp"},
    {"addition.step", "step"},
    {"training.w0", "w0"},
    {"training.inc", "inc"},
    {"training.lr", "lr"},
    {"training.grad", "g"},
    {"training.seed", "ts"},
    {"training.grad_format", "gf"},
    {"training.steps", "n"},
    {"training.strategies", "st"},
    {"training.loss_scale", "ls"},
    {"training.population", "pop"},
    {"training.init", "init"},
    {"training.reference", "ref"},
    {"training.view_x0", "vx0"},
    {"training.view_x1", "vx1"},
    {"training.view_y0", "vy0"},
    {"training.view_y1", "vy1"},
    {"training.log_error", "logerr"},
    {"training.selected_step", "sel"},
    {"landscape.formats", "lf"},
    {"landscape.x_min", "lx0"},
    {"landscape.x_max", "lx1"},
    {"landscape.log_x", "llog"},
    {"landscape.log_error", "llogy"},
    {"landscape.block_format", "lb"},
    {"landscape.block_scale_exp", "lbe"},
    {"blocks.format", "bk"},
    {"blocks.rule", "bkr"},
    {"blocks.mode", "bkm"},
    {"blocks.seed", "bks"},
    {"blocks.values", "bkv"},
    {"blocks.gen", "bkg"},
    {"blocks.count", "bkn"},
    {"blocks.gen_seed", "bkgs"},
    {"blocks.outlier", "bko"},
    {"tensors.formats", "tf"},
    {"tensors.lr", "tlr"},
    {"tensors.grad_std", "tgs"},
    {"tensors.scale", "tsc"},
    {"accumulation.in", "di"},
    {"accumulation.dist", "dd"},
    {"accumulation.ks", "dk"},
    {"accumulation.acc", "dacc"},
    {"accumulation.trials", "dn"},
    {"accumulation.seed", "ds"},
    {"accumulation.block_acc", "dwacc"},
    {"accumulation.block_a", "dwa"},
    {"accumulation.block_b", "dwb"},
    {"accumulation.block_c", "dwc"},
    {"accumulation.example", "dwx"},
    {"network.data", "nd"},
    {"network.data_seed", "nds"},
    {"network.model", "nm"},
    {"network.optimizer", "nopt"},
    {"network.recipes", "nr"},
    {"network.epochs", "ne"},
    {"network.batch", "nb"},
    {"network.seed", "ns"},
    {"network.subset", "nsub"},
};

// Version 0: panel=Inspector|Addition|Training|Landscape, <panel>.<field>
// keys named after the Scenario's members, ';' between list items,
// true/false booleans (parse_bool reads those too).
void upgrade_v0_to_v1(std::vector<Pair>* pairs, Notices* notices) {
  static constexpr std::pair<std::string_view, std::string_view> kPanels[] = {
      {"Inspector", "inspect"},
      {"Addition", "add"},
      {"Training", "train"},
      {"Landscape", "landscape"},
      // The JS API's scenario objects (scenario_json) name panels by their v1 keys.
      {"inspect", "inspect"},
      {"add", "add"},
      {"train", "train"},
      {"landscape", "landscape"},
      {"Blocks", "blocks"},
      {"blocks", "blocks"},
      {"tensors", "tensors"},
      {"dot", "dot"},
      {"network", "network"}};
  std::vector<Pair> out;
  for (auto& [key, value] : *pairs) {
    if (key == "panel") {
      bool found = false;
      for (const auto& [old_name, new_name] : kPanels) {
        if (value == old_name) {
          out.emplace_back("p", std::string(new_name));
          found = true;
        }
      }
      if (!found) notices->ignored(key, value, "unknown panel");
      continue;
    }
    bool found = false;
    for (const auto& [old_key, new_key] : kMemberKeys) {
      if (key == old_key) {
        if (new_key == "st" || new_key == "lf" || new_key == "tf") std::replace(value.begin(), value.end(), ';', ',');
        out.emplace_back(std::string(new_key), std::move(value));
        found = true;
        break;
      }
    }
    if (!found) out.emplace_back(std::move(key), std::move(value));  // reported as unknown later
  }
  *pairs = std::move(out);
}

using Upgrade = void (*)(std::vector<Pair>*, Notices*);
constexpr Upgrade kUpgrades[kLinkVersion] = {upgrade_v0_to_v1};

// ---- Text <-> pairs --------------------------------------------------------------

std::vector<Pair> scenario_pairs(const Scenario& s, LinkScope scope) {
  static const Scenario defaults;
  std::vector<Pair> pairs;
  pairs.emplace_back("v", std::to_string(kLinkVersion));
  if (s.panel != defaults.panel) pairs.emplace_back("p", scenario_panel_key(s.panel));
  for (const Field& f : fields()) {
    if (scope == LinkScope::ActivePanel && f.panel != s.panel) continue;
    std::string value = f.get(s);
    if (value != f.get(defaults)) pairs.emplace_back(f.key, std::move(value));
  }
  return pairs;
}

std::string join_readable(const std::vector<Pair>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '&';
    percent_encode(key, &out);
    out += '=';
    percent_encode(value, &out);
  }
  return out;
}

// Splits "k=v&k=v" into decoded pairs. Bounded: at most kLinkMaxParts parts
// are decoded; each part is decoded once.
std::vector<Pair> split_readable(std::string_view text, Notices* notices) {
  std::vector<Pair> pairs;
  size_t start = 0, skipped = 0;
  while (start < text.size()) {
    size_t amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view part = text.substr(start, amp - start);
    start = amp + 1;
    if (part.empty()) continue;
    if (pairs.size() >= kLinkMaxParts) {
      ++skipped;
      continue;
    }
    const size_t eq = part.find('=');
    const std::string_view raw_key = part.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::string key, value;
    if (raw_key.size() > 64 || !percent_decode(raw_key, &key)) {
      notices->ignored(raw_key, raw_value, "not a key");
      continue;
    }
    // A value longer than any field accepts is refused before decoding it.
    if (raw_value.size() > 3 * kMaxValueLength || !percent_decode(raw_value, &value)) {
      notices->ignored(key, raw_value, raw_value.size() > 3 * kMaxValueLength ? "too long" : "bad %-escape");
      continue;
    }
    if (eq == std::string_view::npos) {
      notices->ignored(key, "", "no value");
      continue;
    }
    pairs.emplace_back(std::move(key), std::move(value));
  }
  if (skipped > 0)
    notices->add("ignored " + std::to_string(skipped) + " parts past the first " +
                 std::to_string(kLinkMaxParts));
  return pairs;
}

}  // namespace

std::string scenario_json(const Scenario& s) {
  JsonWriter w;
  w.begin_object();
  w.field("panel", scenario_panel_key(s.panel));
  std::string_view open;  // the panel object being written ("inspector", ...)
  for (const auto& [member, key] : kMemberKeys) {
    const size_t dot = member.find('.');
    const std::string_view part = member.substr(0, dot), name = member.substr(dot + 1);
    if (part != open) {
      if (!open.empty()) w.end_object();
      w.key(part).begin_object();
      open = part;
    }
    const Field* f = find_field(key);
    const std::string text = f->get(s);
    w.key(name);
    switch (f->kind) {
      case FieldKind::Text:
        w.value(text);
        break;
      case FieldKind::Bool:
        w.value(text == "1");
        break;
      case FieldKind::Int:
        w.raw(text);
        break;
      case FieldKind::Double:  // shortest round-trip form; JSON has no inf/NaN
        if (std::isfinite(std::strtod(text.c_str(), nullptr))) {
          w.raw(text);
        } else {
          w.null();
        }
        break;
      case FieldKind::List: {
        w.begin_array();
        size_t start = 0;
        while (start < text.size()) {
          size_t comma = text.find(',', start);
          if (comma == std::string::npos) comma = text.size();
          w.value(text.substr(start, comma - start));
          start = comma + 1;
        }
        w.end_array();
        break;
      }
    }
  }
  if (!open.empty()) w.end_object();
  w.end_object();
  return w.str();
}

std::string encode_link_readable(const Scenario& s, LinkScope scope) {
  return join_readable(scenario_pairs(s, scope));
}

std::string encode_link(const Scenario& s, LinkScope scope) {
  const std::vector<Pair> pairs = scenario_pairs(s, scope);
  std::string readable = join_readable(pairs);
  if (readable.size() <= kLinkCompactThreshold) return readable;
  // The version stays readable; everything else goes into z.
  const std::vector<Pair> rest(pairs.begin() + 1, pairs.end());
  std::string compact = "v=" + std::to_string(kLinkVersion) + "&z=" + base64url_encode(pack_pairs(rest));
  return compact.size() < readable.size() ? compact : readable;
}

DecodedLink decode_link(std::string_view hash) {
  DecodedLink out;
  Notices notices(&out.notices);
  if (!hash.empty() && hash.front() == '#') hash.remove_prefix(1);
  if (hash.empty()) return out;
  if (hash.size() > kLinkMaxLength) {
    notices.add("ignored the whole link: " + std::to_string(hash.size()) + " characters is more than " +
                std::to_string(kLinkMaxLength));
    return out;
  }

  std::vector<Pair> pairs = split_readable(hash, &notices);

  // The compact form: v=N&z=PAYLOAD; the payload holds the other pairs.
  std::vector<Pair> unpacked;
  bool has_compact = false;
  for (auto it = pairs.begin(); it != pairs.end();) {
    if (it->first != "z") {
      ++it;
      continue;
    }
    std::string payload;
    if (has_compact) {
      notices.ignored("z", it->second, "repeated");
    } else if (!base64url_decode(it->second, &payload) || !unpack_pairs(payload, &unpacked)) {
      notices.ignored("z", it->second, "not a compact Mantissa link (damaged or truncated)");
      unpacked.clear();
    } else {
      out.compact = true;
    }
    has_compact = true;
    it = pairs.erase(it);
  }
  pairs.insert(pairs.end(), std::make_move_iterator(unpacked.begin()),
               std::make_move_iterator(unpacked.end()));

  // Which version wrote it: `v`, or version 0 when its keys look like one.
  out.version = kLinkVersion;
  bool has_version = false;
  for (auto it = pairs.begin(); it != pairs.end();) {
    if (it->first != "v") {
      ++it;
      continue;
    }
    int v = 0;
    if (has_version) {
      notices.ignored("v", it->second, "repeated");
    } else if (!parse_int(it->second, &v) || v < 0) {
      notices.ignored("v", it->second, "not a version; read as version " + std::to_string(kLinkVersion));
    } else if (v > kLinkVersion) {
      notices.add("this link is version " + std::to_string(v) + ", newer than this page (" +
                  std::to_string(kLinkVersion) + "): read what it can");
    } else {
      out.version = v;
    }
    has_version = true;
    it = pairs.erase(it);
  }
  if (!has_version) {
    const bool legacy = std::any_of(pairs.begin(), pairs.end(), [](const Pair& p) {
      return p.first == "panel" || p.first.find('.') != std::string::npos;
    });
    if (legacy) out.version = 0;
  }
  for (int v = out.version; v < kLinkVersion; ++v) kUpgrades[v](&pairs, &notices);

  // Apply. A key given twice: the first wins (what was shared is what a
  // reader sees first when reading the link).
  std::vector<std::string_view> seen;
  for (const auto& [key, value] : pairs) {
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      notices.ignored(key, value, "repeated");
      continue;
    }
    if (key == "p") {
      seen.push_back(key);
      if (!parse_panel(value, &out.scenario.panel)) notices.ignored(key, value, "unknown panel");
      continue;
    }
    const Field* field = find_field(key);
    if (!field) {
      notices.ignored(key, value, "unknown key");
      continue;
    }
    seen.push_back(field->key);
    std::string why;
    const bool ok = field->set(out.scenario, value, &why);
    if (!ok || !why.empty()) notices.ignored(key, value, why);
  }
  return out;
}

}  // namespace mantissa
