#include "core/dot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/json.h"

namespace mantissa {

namespace {

int bit_length(uint64_t x) {
  int n = 0;
  while (x) {
    ++n;
    x >>= 1;
  }
  return n;
}

// A finite value (-1)^negative * significand * 2^exp2 with significand < 2^60:
// an input, a product of two inputs (< 2^48) or a value of a format (< 2^53).
struct Dyadic {
  bool negative = false;
  uint64_t significand = 0;
  int exp2 = 0;
};

Dyadic dyadic_of(const Format& f, uint64_t bits) {
  const Decoded d = decode(f, bits);
  return {d.negative, d.significand, d.exp2};
}

bool is_special(const Format& f, uint64_t bits) {
  const FloatClass c = decode(f, bits).cls;
  return c == FloatClass::Infinity || c == FloatClass::NaN;
}

// Unsigned 128-bit integers as two words: the window of an exact two-term sum.
struct U128 {
  uint64_t hi = 0, lo = 0;
};

U128 shl(uint64_t x, int s) {  // x << s, 0 <= s < 128, no bits lost by the caller's choice of s
  if (s == 0) return {0, x};
  if (s < 64) return {x >> (64 - s), x << s};
  return {x << (s - 64), 0};
}

bool less(const U128& a, const U128& b) { return a.hi != b.hi ? a.hi < b.hi : a.lo < b.lo; }

U128 add(const U128& a, const U128& b) {
  U128 r{a.hi + b.hi, a.lo + b.lo};
  if (r.lo < a.lo) ++r.hi;
  return r;
}

U128 sub(const U128& a, const U128& b) {  // a >= b
  U128 r{a.hi - b.hi, a.lo - b.lo};
  if (a.lo < b.lo) --r.hi;
  return r;
}

// x + y exactly, reduced to 64 significant bits and a sticky flag. The larger
// operand is placed with its top bit at bit 124 of a 128-bit window; the
// smaller is shifted to the same scale, and if its lowest bits fall below the
// window they are replaced by one "jam" bit at bit 0. That only happens when
// the smaller operand lies wholly below bit 60 while the larger reaches bit
// 124, so the sum keeps at least 63 bits above the jam: every rounding
// position of every format (p <= 53) lies above it, and the jam acts exactly
// as a sticky bit. *zero is set when the sum is exactly zero.
Unrounded exact_sum2(const Dyadic& x, const Dyadic& y, bool* zero) {
  *zero = false;
  if (y.significand == 0) return {x.negative, x.significand, x.exp2, false};
  if (x.significand == 0) return {y.negative, y.significand, y.exp2, false};
  const int64_t top_x = int64_t{x.exp2} + bit_length(x.significand);
  const int64_t top_y = int64_t{y.exp2} + bit_length(y.significand);
  const Dyadic& big = top_x >= top_y ? x : y;
  const Dyadic& small = top_x >= top_y ? y : x;
  const int shift_big = 125 - bit_length(big.significand);
  const int64_t window_lsb = int64_t{big.exp2} - shift_big;
  const U128 a = shl(big.significand, shift_big);
  U128 b;
  const int64_t d = int64_t{small.exp2} - window_lsb;
  if (d >= 0) {
    b = shl(small.significand, static_cast<int>(d));  // its top is at most big's top: fits
  } else {
    const int64_t s = -d;
    const uint64_t kept = s >= 64 ? 0 : small.significand >> s;
    const bool lost = s >= 64 ? true : (small.significand & ((uint64_t{1} << s) - 1)) != 0;
    b = {0, kept | (lost ? 1u : 0u)};
  }
  U128 r;
  bool negative = big.negative;
  if (big.negative == small.negative) {
    r = add(a, b);
  } else if (less(a, b)) {
    r = sub(b, a);
    negative = small.negative;
  } else {
    r = sub(a, b);
  }
  if (r.hi == 0 && r.lo == 0) {
    *zero = true;
    return {};
  }
  Unrounded u;
  u.negative = negative;
  if (r.hi == 0) {
    u.significand = r.lo;
    u.exp2 = static_cast<int>(window_lsb);
  } else {
    const int n = bit_length(r.hi);  // <= 62: the window's top bits are headroom
    u.significand = (r.hi << (64 - n)) | (r.lo >> n);
    u.sticky = (r.lo & ((uint64_t{1} << n) - 1)) != 0;
    u.exp2 = static_cast<int>(window_lsb + n);
  }
  return u;
}

// x + y rounded once into f (x, y finite values; IEEE signs of an exact zero sum).
uint64_t add_rounded(const Format& f, const Dyadic& x, const Dyadic& y, const RoundingOptions& opt) {
  bool zero = false;
  const Unrounded u = exact_sum2(x, y, &zero);
  if (zero) {
    const bool both_negative = x.negative && y.negative;
    const bool mixed = x.negative != y.negative;
    return make_zero(f, mixed ? opt.mode == RoundingMode::Down : both_negative);
  }
  return round_unrounded(f, u, opt).bits;
}

// a + b in format f (both bit patterns of f), rounded once, IEEE special rules.
uint64_t add_in(const Format& f, uint64_t a, uint64_t b, const RoundingOptions& opt) {
  const Decoded da = decode(f, a), db = decode(f, b);
  if (da.cls == FloatClass::NaN) return a;
  if (db.cls == FloatClass::NaN) return b;
  if (da.cls == FloatClass::Infinity || db.cls == FloatClass::Infinity) {
    if (da.cls == FloatClass::Infinity && db.cls == FloatClass::Infinity && da.negative != db.negative)
      return make_nan(f, false);
    return da.cls == FloatClass::Infinity ? a : b;
  }
  return add_rounded(f, {da.negative, da.significand, da.exp2}, {db.negative, db.significand, db.exp2}, opt);
}

// A running sum in f plus an exact (finite) term, rounded once.
uint64_t add_term(const Format& f, uint64_t sum, const Dyadic& t, const RoundingOptions& opt) {
  if (is_special(f, sum)) return sum;  // inf + finite = inf; NaN stays
  return add_rounded(f, dyadic_of(f, sum), t, opt);
}

uint64_t round_dyadic(const Format& f, const Dyadic& t, const RoundingOptions& opt) {
  return round_unrounded(f, {t.negative, t.significand, t.exp2, false}, opt).bits;
}

uint64_t negate(const Format& f, uint64_t bits) { return bits ^ f.sign_mask(); }

// The exact products, with the tensor-core alignment exponent ea+eb of each.
struct Product {
  Dyadic value;
  int exponent = 0;  // ea + eb (unbiased, emin for subnormals): the significand is in [0, 4)
};

std::vector<Product> products_of(const DotInput& in) {
  std::vector<Product> p(in.a.size());
  for (size_t i = 0; i < in.a.size(); ++i) {
    const Decoded a = decode(in.in, in.a[i]), b = decode(in.in, in.b[i]);
    p[i].value = {a.negative != b.negative, a.significand * b.significand, a.exp2 + b.exp2};
    p[i].exponent = a.exponent + b.exponent;
  }
  return p;
}

// The special-value rule (see dot.h): 0 = no special, 1 = NaN, 2 = +inf, 3 = -inf.
int special_result(const DotInput& in) {
  bool nan = false, pos_inf = false, neg_inf = false;
  auto note = [&](const Decoded& d, bool negative, bool infinite) {
    if (d.cls == FloatClass::NaN) nan = true;
    if (infinite) (negative ? neg_inf : pos_inf) = true;
  };
  const Decoded c = decode(fp32(), in.c);
  note(c, c.negative, c.cls == FloatClass::Infinity);
  for (size_t i = 0; i < in.a.size(); ++i) {
    const Decoded a = decode(in.in, in.a[i]), b = decode(in.in, in.b[i]);
    if (a.cls == FloatClass::NaN || b.cls == FloatClass::NaN) nan = true;
    const bool inf = a.cls == FloatClass::Infinity || b.cls == FloatClass::Infinity;
    if (inf && (a.cls == FloatClass::Zero || b.cls == FloatClass::Zero)) nan = true;  // 0 * inf
    if (inf) (a.negative != b.negative ? neg_inf : pos_inf) = true;
  }
  if (nan || (pos_inf && neg_inf)) return 1;
  if (pos_inf) return 2;
  if (neg_inf) return 3;
  return 0;
}

uint64_t special_bits(const Format& f, int special) {
  if (special == 1) return make_nan(f, false);
  return make_inf(f, special == 3);
}

RoundingOptions with_mode(RoundingMode m) {
  RoundingOptions o;
  o.mode = m;
  return o;
}

uint64_t c_in(const Format& f, uint64_t c_fp32) { return convert_bits(fp32(), c_fp32, f).bits; }

// seq / seq-rounded over products [first, last), starting from `start` (bits of f).
uint64_t sequential(const Format& f, RoundingMode mode, bool round_products, const std::vector<Product>& p,
                    size_t first, size_t last, uint64_t start) {
  const RoundingOptions opt = with_mode(mode);
  uint64_t s = start;
  for (size_t i = first; i < last; ++i) {
    if (round_products) {
      s = add_in(f, s, round_dyadic(f, p[i].value, opt), opt);
    } else {
      s = add_term(f, s, p[i].value, opt);
    }
  }
  return s;
}

uint64_t pairwise(const Format& f, const std::vector<Product>& p, uint64_t c) {
  const RoundingOptions opt;
  if (p.empty()) return c;
  std::vector<uint64_t> level(p.size());
  for (size_t i = 0; i < p.size(); ++i) level[i] = round_dyadic(f, p[i].value, opt);
  while (level.size() > 1) {
    std::vector<uint64_t> next((level.size() + 1) / 2);
    for (size_t i = 0; i < next.size(); ++i) {
      next[i] = 2 * i + 1 < level.size() ? add_in(f, level[2 * i], level[2 * i + 1], opt) : level[2 * i];
    }
    level.swap(next);
  }
  return add_in(f, c, level[0], opt);
}

uint64_t kahan(const Format& f, const std::vector<Product>& p, uint64_t c) {
  const RoundingOptions opt;
  uint64_t sum = c, comp = make_zero(f, false);
  for (const Product& t : p) {
    const uint64_t y = add_in(f, round_dyadic(f, t.value, opt), negate(f, comp), opt);
    const uint64_t next = add_in(f, sum, y, opt);
    comp = add_in(f, add_in(f, next, negate(f, sum), opt), negate(f, y), opt);
    sum = next;
  }
  return sum;
}

// One tensor-core block: products [first, last) and c (bits of the model's output format).
uint64_t tensor_core_block(const TensorCoreModel& m, const std::vector<Product>& p, size_t first, size_t last,
                           uint64_t c_out) {
  // c takes part through its fp32 form (exact for an fp16 c): its exponent is its true exponent.
  const Decoded c = decode(fp32(), convert_bits(m.out(), c_out, fp32()).bits);
  const bool have_c = c.significand != 0;
  bool any = have_c;
  int e_max = have_c ? c.exponent : 0;
  for (size_t i = first; i < last; ++i) {
    if (p[i].value.significand == 0) continue;  // zero products take no part in the alignment
    e_max = any ? std::max(e_max, p[i].exponent) : p[i].exponent;
    any = true;
  }
  if (!any) return make_zero(m.out(), false);
  const int unit = e_max - 23 - m.neab;  // exponent of the last kept bit
  // Each aligned term is below 2^(E+2-unit) = 2^(25+neab) <= 2^41, so at most
  // 257 of them sum within an int64 with room to spare.
  auto aligned = [unit](const Dyadic& v) -> int64_t {
    if (v.significand == 0) return 0;  // a zero product's exponent can lie anywhere: no shift
    const int s = v.exp2 - unit;
    uint64_t t;
    if (s >= 0) {
      t = v.significand << s;
    } else {
      t = -s >= 64 ? 0 : v.significand >> -s;  // truncation: the bits below the unit are dropped
    }
    return v.negative ? -static_cast<int64_t>(t) : static_cast<int64_t>(t);
  };
  int64_t sum = have_c ? aligned({c.negative, c.significand, c.exp2}) : 0;
  for (size_t i = first; i < last; ++i) sum += aligned(p[i].value);
  if (sum == 0) return make_zero(m.out(), false);
  Unrounded u;
  u.negative = sum < 0;
  u.significand = sum < 0 ? static_cast<uint64_t>(-sum) : static_cast<uint64_t>(sum);
  u.exp2 = unit;
  const Format rf = m.rounding_format();
  const uint64_t bits = round_unrounded(rf, u, with_mode(m.round)).bits;
  return rf == m.out() ? bits : convert_bits(rf, bits, m.out()).bits;
}

uint64_t tensor_core(const TensorCoreModel& m, const std::vector<Product>& p, size_t first, size_t last,
                     uint64_t c_out) {
  uint64_t d = c_out;
  const size_t n = static_cast<size_t>(m.fma);
  if (first == last) return tensor_core_block(m, p, first, last, d);
  for (size_t i = first; i < last; i += n) d = tensor_core_block(m, p, i, std::min(last, i + n), d);
  return d;
}

}  // namespace

// ---------------------------------------------------------------------------
// Tensor-core presets.

Format TensorCoreModel::rounding_format() const {
  if (fp16_out) return fp16();
  const int man = 23 + std::min(neab, 0);
  if (man == 23) return fp32();
  return Format{format_name(8, man, FormatKind::Ieee), 8, man, FormatKind::Ieee};
}

namespace {

enum class InputFamily { Half, Tf32, Fp8, Other };

InputFamily family_of(const Format& in) {
  if (in == fp16() || in == bf16()) return InputFamily::Half;
  if (in == tf32()) return InputFamily::Tf32;
  if (in == fp8_e4m3() || in == fp8_e5m2()) return InputFamily::Fp8;
  return InputFamily::Other;
}

// fma and neab of each preset, per input family; 0 fma = not supported.
// Sources (see the README's table for where they disagree or are silent):
//  v100: Fasi, Higham, Mikaitis & Pranesh, "Numerical behavior of NVIDIA tensor
//        cores", PeerJ CS 7:e330 (2021): fp16 only, 4 products + c per block,
//        truncation, no extra bits; MATLAB-tensor-core models/V100TC.m (fma 4, neab 0).
//  a100: MATLAB-tensor-core models/A100TC.m: fp16/bf16 fma 8, neab 1; tf32 fma 4
//        (neab left at 1); no fp8.
//  ada:  models/AdaTC.m (an Ada RTX 1000): fp16/bf16 8, 1; tf32 4, 1; fp8 16, -10.
//  h100: models/H100TC.m: fp16/bf16 16, 2; tf32 8 (neab left at 2); fp8 32, -10
//        ("FMA size is 16, but an interleaved pattern joins two 16-element vectors").
//  b200: models/B200TC.m: fp16/bf16 16, 2; tf32 8, 2; fp8 32 with neab left at 2
//        (not -10: Blackwell's fp8 path keeps the full fp32 alignment width).
struct PresetRow {
  const char* name;
  bool bf16;  // V100 has fp16 tensor cores only
  int half_fma, half_neab, tf32_fma, tf32_neab, fp8_fma, fp8_neab;
};
constexpr PresetRow kPresets[] = {
    {"v100", false, 4, 0, 0, 0, 0, 0},  {"a100", true, 8, 1, 4, 1, 0, 0},
    {"ada", true, 8, 1, 4, 1, 16, -10}, {"h100", true, 16, 2, 8, 2, 32, -10},
    {"b200", true, 16, 2, 8, 2, 32, 2},
};

}  // namespace

bool tensor_core_preset(std::string_view preset, const Format& in, TensorCoreModel* out, std::string* error) {
  for (const PresetRow& row : kPresets) {
    if (preset != row.name) continue;
    int fma = 0, neab = 0;
    switch (family_of(in)) {
      case InputFamily::Half:
        if (in == bf16() && !row.bf16) break;
        fma = row.half_fma, neab = row.half_neab;
        break;
      case InputFamily::Tf32:
        fma = row.tf32_fma, neab = row.tf32_neab;
        break;
      case InputFamily::Fp8:
        fma = row.fp8_fma, neab = row.fp8_neab;
        break;
      case InputFamily::Other:
        break;
    }
    if (fma == 0) {
      *error = "tc:" + std::string(preset) + " has no published model for " + in.name +
               " inputs; give the parameters instead: tc:fma=N,neab=E";
      return false;
    }
    out->preset = row.name;
    out->fma = fma;
    out->neab = neab;
    return true;
  }
  *error = "unknown tensor-core preset '" + std::string(preset.substr(0, 40)) +
           "' (presets: v100, a100, ada, h100, b200; or tc:fma=N,neab=E)";
  return false;
}

bool check_dot_input_format(const Format& in, std::string* error) {
  if (in.exp_bits > 8 || in.man_bits > 23) {
    *error =
        "dot inputs must fit in fp32 (at most 8 exponent and 23 mantissa bits); " + in.name + " does not";
    return false;
  }
  return true;
}

const Format& Accumulator::result_format() const {
  switch (kind) {
    case AccumulatorKind::Blocked:
      return fp32();
    case AccumulatorKind::TensorCore:
      return tc.out();
    default:
      return format;
  }
}

namespace {

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    parts.emplace_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

bool parse_int(const std::string& s, long lo, long hi, long* out) {
  if (s.empty() || s.size() > 6) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return false;
  long v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  if (s[0] == '-') v = -v;
  if (v < lo || v > hi) return false;
  *out = v;
  return true;
}

// "h100", "h100,out=fp16", "fma=8,neab=1,round=rz,out=fp32".
bool parse_tensor_core(std::string_view spec, const Format& in, TensorCoreModel* out, std::string* error) {
  TensorCoreModel m;
  bool have_fma = false, have_neab = false, have_round = false;
  const std::vector<std::string> parts = split(spec, ',');
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const size_t eq = part.find('=');
    if (eq == std::string::npos) {
      if (i != 0) return *error = "tc: '" + part.substr(0, 40) + "' is not key=value", false;
      if (!tensor_core_preset(part, in, &m, error)) return false;
      have_fma = have_neab = true;
      continue;
    }
    const std::string key = part.substr(0, eq), val = part.substr(eq + 1);
    long v = 0;
    if (key == "fma") {
      if (!parse_int(val, 1, kMaxTensorCoreFma, &v))
        return *error = "tc: fma must be an integer from 1 to " + std::to_string(kMaxTensorCoreFma), false;
      m.fma = static_cast<int>(v);
      m.preset.clear();
      have_fma = true;
    } else if (key == "neab") {
      if (!parse_int(val, kMinNeab, kMaxNeab, &v))
        return *error = "tc: neab must be an integer from " + std::to_string(kMinNeab) + " to " +
                        std::to_string(kMaxNeab),
               false;
      m.neab = static_cast<int>(v);
      m.preset.clear();
      have_neab = true;
    } else if (key == "round") {
      if (val == "rz" || val == "rtz") {
        m.round = RoundingMode::TowardZero;
      } else if (val == "rne") {
        m.round = RoundingMode::NearestEven;
      } else {
        return *error = "tc: round must be rz or rne, not '" + val.substr(0, 20) + "'", false;
      }
      have_round = true;
    } else if (key == "out") {
      if (val == "fp32") {
        m.fp16_out = false;
      } else if (val == "fp16") {
        m.fp16_out = true;
      } else {
        return *error = "tc: out must be fp32 or fp16, not '" + val.substr(0, 20) + "'", false;
      }
    } else {
      return *error = "tc: unknown parameter '" + key.substr(0, 20) + "' (fma, neab, round, out)", false;
    }
  }
  if (!have_fma || !have_neab)
    return *error = "tc: give a preset (tc:h100) or both parameters (tc:fma=N,neab=E)", false;
  // The published models round fp32 output toward zero and fp16 output to nearest even.
  if (!have_round) m.round = m.fp16_out ? RoundingMode::NearestEven : RoundingMode::TowardZero;
  *out = m;
  return true;
}

std::string tensor_core_name(const TensorCoreModel& m) {
  const bool default_round = m.round == (m.fp16_out ? RoundingMode::NearestEven : RoundingMode::TowardZero);
  std::string s = "tc:";
  if (!m.preset.empty()) {
    s += m.preset;
    if (!default_round) s += std::string(",round=") + (m.round == RoundingMode::TowardZero ? "rz" : "rne");
  } else {
    s += "fma=" + std::to_string(m.fma) + ",neab=" + std::to_string(m.neab) +
         ",round=" + (m.round == RoundingMode::TowardZero ? "rz" : "rne");
  }
  if (m.fp16_out) s += ",out=fp16";
  return s;
}

}  // namespace

bool parse_accumulator(std::string_view text, const Format& in, Accumulator* out, std::string* error) {
  Accumulator acc;
  const std::string t(text.substr(0, 200));
  if (t == "exact") {
    acc.name = "exact";
    *out = acc;
    return true;
  }
  const size_t colon = t.find(':');
  const std::string head = t.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : t.substr(colon + 1);
  if (head == "tc") {
    acc.kind = AccumulatorKind::TensorCore;
    if (!parse_tensor_core(rest, in, &acc.tc, error)) return false;
    acc.name = tensor_core_name(acc.tc);
    *out = acc;
    return true;
  }
  const std::vector<std::string> parts = split(rest, ':');
  if (head == "seq" || head == "seq-rounded") {
    acc.kind = head == "seq" ? AccumulatorKind::Sequential : AccumulatorKind::SequentialRounded;
    if (rest.empty() || parts.size() > 2)
      return *error = head + " needs a format and optionally a rounding mode: " + head + ":F[:mode]", false;
    if (!parse_format(parts[0], &acc.format, error)) return false;
    if (parts.size() == 2) {
      if (!parse_rounding_mode(parts[1], &acc.mode, error)) return false;
      if (acc.mode == RoundingMode::Stochastic)
        return *error = "stochastic rounding is not offered for dot products yet", false;
    }
    acc.name = head + ":" + acc.format.name;
    if (acc.mode != RoundingMode::NearestEven) acc.name += std::string(":") + rounding_mode_name(acc.mode);
    *out = acc;
    return true;
  }
  if (head == "pairwise" || head == "kahan") {
    acc.kind = head == "pairwise" ? AccumulatorKind::Pairwise : AccumulatorKind::Kahan;
    if (rest.empty() || parts.size() != 1) return *error = head + " needs a format: " + head + ":F", false;
    if (!parse_format(parts[0], &acc.format, error)) return false;
    acc.name = head + ":" + acc.format.name;
    *out = acc;
    return true;
  }
  if (head == "blocked") {
    acc.kind = AccumulatorKind::Blocked;
    const size_t last = rest.rfind(':');
    if (last == std::string::npos)
      return *error = "blocked needs an inner sum and a block size: blocked:F:B or blocked:tc:NAME:B", false;
    const std::string inner = rest.substr(0, last), size = rest.substr(last + 1);
    long b = 0;
    if (!parse_int(size, 1, 1 << 20, &b))
      return *error = "blocked: the block size must be an integer from 1 to 1048576, not '" +
                      size.substr(0, 20) + "'",
             false;
    acc.block = static_cast<uint64_t>(b);
    if (inner.rfind("tc:", 0) == 0) {
      acc.block_tc = true;
      if (!parse_tensor_core(inner.substr(3), in, &acc.tc, error)) return false;
      acc.name = "blocked:" + tensor_core_name(acc.tc) + ":" + size;
    } else {
      if (!parse_format(inner, &acc.format, error)) return false;
      acc.name = "blocked:" + acc.format.name + ":" + std::to_string(acc.block);
    }
    *out = acc;
    return true;
  }
  *error = "unknown accumulator '" + t.substr(0, 40) +
           "' (exact, seq:F[:mode], seq-rounded:F, pairwise:F, kahan:F, blocked:F:B, tc:NAME, "
           "tc:fma=N,neab=E)";
  return false;
}

// ---------------------------------------------------------------------------
// ExactSum

void ExactSum::clear() { std::memset(limb_, 0, sizeof limb_); }

void ExactSum::add(bool negative, uint64_t significand, int exp2) {
  if (significand == 0) return;
  const int pos = exp2 - kLsbExp;  // >= 0 for every value in the window
  const int i = pos / kDigitBits, off = pos % kDigitBits;
  const uint64_t lo = significand << off;
  const uint64_t hi = off == 0 ? 0 : significand >> (64 - off);
  const int64_t d0 = static_cast<int64_t>(lo & 0xffffffffu), d1 = static_cast<int64_t>(lo >> 32),
                d2 = static_cast<int64_t>(hi);
  if (negative) {
    limb_[i] -= d0, limb_[i + 1] -= d1, limb_[i + 2] -= d2;
  } else {
    limb_[i] += d0, limb_[i + 1] += d1, limb_[i + 2] += d2;
  }
}

void ExactSum::add_float(const Format& f, uint64_t bits, bool negate) {
  const Decoded d = decode(f, bits);
  add(d.negative != negate, d.significand, d.exp2);
}

void ExactSum::add(const ExactSum& o, bool negate) {
  for (int i = 0; i < kLimbs; ++i) limb_[i] += negate ? -o.limb_[i] : o.limb_[i];
}

void ExactSum::normalised(uint32_t* digits, bool* negative) const {
  int64_t carry = 0;
  for (int i = 0; i < kLimbs; ++i) {
    const int64_t v = limb_[i] + carry;
    const int64_t digit = v & 0xffffffff;
    carry = (v - digit) / (int64_t{1} << 32);  // exact: v - digit is a multiple of 2^32
    digits[i] = static_cast<uint32_t>(digit);
  }
  // The window is wide enough that the value's sign is the final carry.
  *negative = carry < 0;
  if (*negative) {  // magnitude = two's complement of the digits
    uint64_t c = 1;
    for (int i = 0; i < kLimbs; ++i) {
      const uint64_t v = static_cast<uint64_t>(static_cast<uint32_t>(~digits[i])) + c;
      digits[i] = static_cast<uint32_t>(v);
      c = v >> 32;
    }
  }
}

bool ExactSum::is_zero() const {
  const Unrounded u = unrounded();
  return u.significand == 0 && !u.sticky;
}

Unrounded ExactSum::unrounded() const {
  uint32_t d[kLimbs];
  bool negative = false;
  normalised(d, &negative);
  int top = kLimbs - 1;
  while (top >= 0 && d[top] == 0) --top;
  Unrounded u;
  if (top < 0) return u;
  u.negative = negative;
  const uint64_t hi = d[top], mid = top >= 1 ? d[top - 1] : 0, lo = top >= 2 ? d[top - 2] : 0;
  const int n = bit_length(hi);  // 1..32: shift the 96 bits hi:mid:lo right by n to keep 64
  u.significand = (hi << (64 - n)) | (mid << (32 - n)) | (lo >> n);
  bool sticky = (lo & ((uint64_t{1} << n) - 1)) != 0;
  for (int i = top - 3; i >= 0 && !sticky; --i) sticky = d[i] != 0;
  u.sticky = sticky;
  u.exp2 = (top - 2) * kDigitBits + kLsbExp + n;
  return u;
}

Decimal ExactSum::to_decimal() const {
  uint32_t d[kLimbs];
  bool negative = false;
  normalised(d, &negative);
  Decimal sum;
  for (int i = 0; i < kLimbs; ++i) {
    if (d[i] != 0) sum = sum + Decimal::from_dyadic(negative, d[i], int64_t{i} * kDigitBits + kLsbExp);
  }
  return sum;
}

double ExactSum::to_double() const {
  const uint64_t bits = round_unrounded(fp64(), unrounded(), RoundingOptions{}).bits;
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

// ---------------------------------------------------------------------------
// Dot products

ExactSum dot_exact_sum(const DotInput& in) {
  ExactSum s;
  if (!is_special(fp32(), in.c)) s.add_float(fp32(), in.c);
  for (size_t i = 0; i < in.a.size(); ++i) {
    const Decoded a = decode(in.in, in.a[i]), b = decode(in.in, in.b[i]);
    s.add(a.negative != b.negative, a.significand * b.significand, a.exp2 + b.exp2);
  }
  return s;
}

ExactValue dot_exact(const DotInput& in) {
  switch (special_result(in)) {
    case 1:
      return ExactValue::nan();
    case 2:
      return ExactValue::infinity(false);
    case 3:
      return ExactValue::infinity(true);
    default:
      return ExactValue::finite(dot_exact_sum(in).to_decimal());
  }
}

uint64_t dot(const Accumulator& acc, const DotInput& in) {
  const Format& rf = acc.result_format();
  if (const int special = special_result(in)) return special_bits(rf, special);
  const std::vector<Product> p = products_of(in);
  switch (acc.kind) {
    case AccumulatorKind::Exact:  // the exact value correctly rounded to fp32 (rne)
      return round_unrounded(fp32(), dot_exact_sum(in).unrounded(), RoundingOptions{}).bits;
    case AccumulatorKind::Sequential:
    case AccumulatorKind::SequentialRounded: {
      const uint64_t start = convert_bits(fp32(), in.c, acc.format, with_mode(acc.mode)).bits;
      return sequential(acc.format, acc.mode, acc.kind == AccumulatorKind::SequentialRounded, p, 0, p.size(),
                        start);
    }
    case AccumulatorKind::Pairwise:
      return pairwise(acc.format, p, c_in(acc.format, in.c));
    case AccumulatorKind::Kahan:
      return kahan(acc.format, p, c_in(acc.format, in.c));
    case AccumulatorKind::Blocked: {
      const RoundingOptions rne;
      uint64_t total = in.c;
      for (size_t i = 0; i < p.size(); i += acc.block) {
        const size_t end = std::min(p.size(), i + static_cast<size_t>(acc.block));
        if (acc.block_tc) {
          const uint64_t part = tensor_core(acc.tc, p, i, end, make_zero(acc.tc.out(), false));
          total = add_in(fp32(), total, convert_bits(acc.tc.out(), part, fp32()).bits, rne);
        } else {
          const uint64_t part = sequential(acc.format, RoundingMode::NearestEven, false, p, i, end,
                                           make_zero(acc.format, false));
          total = add_in(fp32(), total, convert_bits(acc.format, part, fp32(), rne).bits, rne);
        }
      }
      return total;
    }
    case AccumulatorKind::TensorCore: {
      // With fp16 output, c is first rounded to fp16 (rne).
      const uint64_t c = acc.tc.fp16_out ? convert_bits(fp32(), in.c, fp16()).bits : in.c;
      return tensor_core(acc.tc, p, 0, p.size(), c);
    }
  }
  return 0;
}

DotReport dot_report(const Accumulator& acc, const DotInput& in) {
  DotReport r;
  r.acc = acc;
  r.k = in.a.size();
  r.exact = dot_exact(in);
  if (acc.kind == AccumulatorKind::Exact) {
    r.exact_acc = true;
    r.value = r.exact;
    return r;
  }
  const Format& rf = acc.result_format();
  r.bits = dot(acc, in);
  r.value = exact_value(rf, r.bits);
  if (r.value.is_finite() && r.exact.is_finite()) {
    ExactSum err;
    err.add_float(rf, r.bits);
    err.add(dot_exact_sum(in), true);
    r.has_error = true;
    r.error_abs = err.to_decimal();
    const double abs_err = std::fabs(err.to_double());
    const double exact = std::fabs(dot_exact_sum(in).to_double());
    r.error_rel = abs_err == 0 ? 0 : exact == 0 ? INFINITY : abs_err / exact;
  }
  return r;
}

std::string dot_report_json(const DotReport& r) {
  JsonWriter w;
  w.begin_object();
  w.field("acc", r.acc.name);
  w.field("k", r.k);
  if (r.exact_acc) {
    w.key("format").null();
    w.key("bits").null();
  } else {
    w.field("format", r.acc.result_format().name);
    w.field("bits", hex_bits(r.acc.result_format(), r.bits));
  }
  w.field("value", r.value.to_string());
  w.field("exact", r.exact.to_string());
  if (r.has_error) {
    w.field("error_abs", r.error_abs.to_plain());
    w.field("error_rel", r.error_rel);
  } else {
    w.key("error_abs").null();
    w.key("error_rel").null();
  }
  w.end_object();
  return w.str();
}

std::string dot_report_text(const DotReport& r) {
  std::string out =
      "dot product of K = " + std::to_string(r.k) + " terms, accumulated by " + r.acc.name + "\n";
  if (r.exact_acc) {
    out += "  exact       " + r.exact.to_string() + "\n";
    return out;
  }
  const Format& f = r.acc.result_format();
  out += "  result      " + r.value.to_string() + "  (" + f.name + " " + hex_bits(f, r.bits) + ")\n";
  out += "  exact       " + r.exact.to_string() + "\n";
  if (r.has_error) {
    char rel[40];
    std::snprintf(rel, sizeof rel, "%.6e", r.error_rel);
    out += "  error       " + r.error_abs.to_plain() + "\n";
    out += std::string("  relative    ") + rel + "\n";
  }
  return out;
}

std::string dot_batch_line(const Accumulator& acc, uint64_t bits, bool json) {
  const Format& f = acc.result_format();
  const std::string value = exact_value(f, bits).to_string();
  if (!json) return hex_bits(f, bits) + " " + value;
  JsonWriter w;
  w.begin_object();
  w.field("format", f.name);
  w.field("bits", hex_bits(f, bits));
  w.field("value", value);
  w.end_object();
  return w.str();
}

}  // namespace mantissa
