// The trace's final bits against exact references:
//  - fp8 (E5M2 and E4M3FN), all 256 × 256 pairs, + - ×, against a rounding
//    reference written here from scratch: exact rationals (integers scaled by
//    2^-40) and the sorted table of every finite value of the format;
//  - random operands in many formats (mixed operand formats, fma), every
//    mode including stochastic: the trace == round_exact(exact Decimal result).
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include "core/trace.h"

using namespace mantissa;

namespace {

__extension__ typedef __int128 i128;

constexpr int kScale = 40;  // reference values are integers × 2^-40 (fp8 products need 2^-32)

// Every non-negative finite value of an fp8 format, ascending, as (scaled value, bits);
// plus one pseudo-value past the largest finite: the next binade step, where
// rounding means overflow.
struct Table {
  const Format& f;
  std::vector<std::pair<i128, uint64_t>> values;
  i128 beyond = 0;
  uint64_t beyond_parity = 0;

  explicit Table(const Format& format) : f(format) {
    for (uint64_t bits = 0; bits <= f.width_mask() >> 1; ++bits) {
      const Decoded d = decode(f, bits);
      if (d.cls == FloatClass::NaN || d.cls == FloatClass::Infinity) continue;
      values.emplace_back(scaled(d.significand, d.exp2), bits);
    }
    std::sort(values.begin(), values.end());
    const i128 step = values.back().first - values[values.size() - 2].first;
    beyond = values.back().first + step;
    beyond_parity = (values.back().second + 1) & 1;  // the encoding after max
  }
  static i128 scaled(uint64_t sig, int exp2) {
    return exp2 + kScale >= 0 ? static_cast<i128>(sig) << (exp2 + kScale)
                              : static_cast<i128>(sig) >> -(exp2 + kScale);
  }
  i128 value_of(uint64_t bits) const {
    const Decoded d = decode(f, bits);
    const i128 v = scaled(d.significand, d.exp2);
    return d.negative ? -v : v;
  }

  // Rounds the exact value x (scaled) in `mode`. Zero results take `zero_negative`.
  uint64_t round(i128 x, RoundingMode mode, bool saturate, bool zero_negative) const {
    const bool neg = x < 0;
    const i128 m = neg ? -x : x;
    const uint64_t sign = neg ? f.sign_mask() : 0;
    auto it = std::lower_bound(values.begin(), values.end(), std::make_pair(m, uint64_t{0}));
    if (it != values.end() && it->first == m) {
      return m == 0 ? (zero_negative ? f.sign_mask() : 0) : (it->second | sign);
    }
    // lo < m < hi
    const auto lo = *(it - 1);
    const bool past = it == values.end();
    const i128 hi_v = past ? beyond : it->first;
    const uint64_t hi_parity = past ? beyond_parity : (it->second & 1);
    bool up;  // magnitude up
    switch (mode) {
      case RoundingMode::NearestEven:
      case RoundingMode::NearestAway: {
        const i128 dl = m - lo.first, dh = hi_v - m;
        if (dl != dh)
          up = dh < dl;
        else
          up = mode == RoundingMode::NearestAway ? true : hi_parity == 0;
        break;
      }
      case RoundingMode::TowardZero:
        up = false;
        break;
      case RoundingMode::Up:
        up = !neg;
        break;
      case RoundingMode::Down:
        up = neg;
        break;
      // Round to odd never overflows (like rtz, the core clamps to max finite):
      // in E4M3FN the odd neighbour past max would be the NaN pattern.
      case RoundingMode::Odd:
        up = (lo.second & 1) == 0 && !past;
        break;
      default:
        up = false;
        break;
    }
    if (!up) return lo.first == 0 ? sign : (lo.second | sign);
    if (!past) return it->second | sign;
    if (saturate) return values.back().second | sign;
    return make_inf(f, neg);  // E4M3FN: NaN
  }
};

// The IEEE result of a op b for fp8 bit patterns; NaN results as any NaN.
uint64_t reference(const Table& t, TraceOp op, uint64_t a, uint64_t b, RoundingMode mode, bool saturate) {
  const Format& f = t.f;
  const Decoded da = decode(f, a), db = decode(f, b);
  if (da.cls == FloatClass::NaN || db.cls == FloatClass::NaN) return make_nan(f, false);
  const bool nb = db.negative != (op == TraceOp::Sub);
  const bool ia = da.cls == FloatClass::Infinity, ib = db.cls == FloatClass::Infinity;
  if (op == TraceOp::Mul) {
    const bool neg = da.negative != db.negative;
    if (ia || ib)
      return (da.cls == FloatClass::Zero || db.cls == FloatClass::Zero) ? make_nan(f, false)
                                                                        : make_inf(f, neg);
    const i128 va = t.value_of(a) < 0 ? -t.value_of(a) : t.value_of(a);
    const i128 vb = t.value_of(b) < 0 ? -t.value_of(b) : t.value_of(b);
    i128 p = (va * vb) >> kScale;  // exact: fp8 products are multiples of 2^-32
    if (neg) p = -p;
    return t.round(p, mode, saturate, neg);
  }
  if (ia || ib) {
    if (ia && ib && da.negative != nb) return make_nan(f, false);
    return make_inf(f, ia ? da.negative : nb);
  }
  const i128 s = t.value_of(a) + (op == TraceOp::Sub ? -t.value_of(b) : t.value_of(b));
  bool zero_negative = mode == RoundingMode::Down;
  if (da.cls == FloatClass::Zero && db.cls == FloatClass::Zero && da.negative == nb)
    zero_negative = da.negative;
  return t.round(s, mode, saturate, zero_negative);
}

void check_all_pairs(const Format& f, RoundingMode mode, bool saturate) {
  const Table table(f);
  RoundingOptions opt;
  opt.mode = mode;
  opt.saturate = saturate;
  long failures = 0;
  for (uint64_t a = 0; a < 256; ++a) {
    for (uint64_t b = 0; b < 256; ++b) {
      for (TraceOp op : {TraceOp::Add, TraceOp::Sub, TraceOp::Mul}) {
        const OperationTrace t = trace_operation(op, f, {{f, a}, {f, b}}, opt);
        const uint64_t want = reference(table, op, a, b, mode, saturate);
        const bool tn = t.result.fields.cls == FloatClass::NaN;
        const bool ok = tn ? decode(f, want).cls == FloatClass::NaN : t.result.bits == want;
        if (!ok && ++failures <= 5) {
          FAIL_CHECK(f.name << " " << rounding_mode_name(mode) << (saturate ? " sat " : " ")
                            << trace_op_name(op) << " " << hex_bits(f, a) << " " << hex_bits(f, b)
                            << ": traced " << hex_bits(f, t.result.bits) << ", reference "
                            << hex_bits(f, want));
        }
      }
    }
  }
  CHECK(failures == 0);
}

}  // namespace

TEST_CASE("fp8 E5M2: all 256 × 256 pairs, + - ×, rne, match the exact reference", "[trace][fp8]") {
  check_all_pairs(fp8_e5m2(), RoundingMode::NearestEven, false);
}

TEST_CASE("fp8 E4M3FN: all 256 × 256 pairs, + - ×, rne, match the exact reference", "[trace][fp8]") {
  check_all_pairs(fp8_e4m3(), RoundingMode::NearestEven, false);
  check_all_pairs(fp8_e4m3(), RoundingMode::NearestEven, true);
}

#ifndef __EMSCRIPTEN__
TEST_CASE("fp8 both kinds: all pairs in rna, rtz, up, down and odd match the exact reference",
          "[trace][fp8]") {
  for (const Format* f : {&fp8_e5m2(), &fp8_e4m3()}) {
    for (RoundingMode m : {RoundingMode::NearestAway, RoundingMode::TowardZero, RoundingMode::Up,
                           RoundingMode::Down, RoundingMode::Odd}) {
      INFO(f->name << " " << rounding_mode_name(m));
      check_all_pairs(*f, m, false);
    }
  }
}
#endif

namespace {

// The exact result computed here with Decimal arithmetic (finite operands).
ExactValue exact_reference(TraceOp op, const std::vector<StoredValue>& v, RoundingMode mode) {
  const Decimal& a = v[0].value.value;
  const Decimal& b = v[1].value.value;
  Decimal r;
  bool zero_negative = mode == RoundingMode::Down;
  switch (op) {
    case TraceOp::Add:
      r = a + b;
      if (a.is_zero() && b.is_zero() && v[0].value.negative == v[1].value.negative)
        zero_negative = v[0].value.negative;
      break;
    case TraceOp::Sub:
      r = a - b;
      if (a.is_zero() && b.is_zero() && v[0].value.negative != v[1].value.negative)
        zero_negative = v[0].value.negative;
      break;
    case TraceOp::Mul:
      r = a * b;
      zero_negative = v[0].value.negative != v[1].value.negative;
      break;
    case TraceOp::Fma: {
      const Decimal p = a * b;
      r = p + v[2].value.value;
      const bool pn = v[0].value.negative != v[1].value.negative;
      if (p.is_zero() && v[2].value.is_zero() && pn == v[2].value.negative) zero_negative = pn;
      break;
    }
  }
  return ExactValue::finite(r, zero_negative);
}

const Format& random_format(std::mt19937_64& rng) {
  static const std::vector<Format> formats = [] {
    std::vector<Format> out = standard_formats();
    for (const char* name : {"e3m4fn", "e6m9", "e11m30", "e4m1"}) {
      Format f;
      parse_format(name, &f, nullptr);
      out.push_back(f);
    }
    return out;
  }();
  return formats[rng() % formats.size()];
}

uint64_t random_finite(std::mt19937_64& rng, const Format& f) {
  for (;;) {
    uint64_t bits = rng() & f.width_mask();
    if (rng() % 4 == 0)
      bits &= ~(f.exp_field_max() << f.man_bits) | (uint64_t{rng() % 3} << f.man_bits);  // tiny
    if (rng() % 8 == 0) bits &= f.sign_mask() | (f.exp_field_max() << f.man_bits);  // few mantissa bits: ties
    const FloatClass c = decode(f, bits).cls;
    if (c != FloatClass::NaN && c != FloatClass::Infinity) return bits;
  }
}

}  // namespace

TEST_CASE("the trace's final bits equal round_exact of the exact Decimal result, every mode",
          "[trace][exact]") {
#ifdef __EMSCRIPTEN__
  const int count = 3000;
#else
  const int count = 60000;
#endif
  std::mt19937_64 rng(7);
  const RoundingMode modes[] = {
      RoundingMode::NearestEven, RoundingMode::NearestAway, RoundingMode::TowardZero, RoundingMode::Up,
      RoundingMode::Down,        RoundingMode::Odd,         RoundingMode::Stochastic};
  long failures = 0;
  for (int i = 0; i < count && failures < 10; ++i) {
    const TraceOp op = static_cast<TraceOp>(rng() % 4);
    const Format& arith = random_format(rng);
    std::vector<TraceInput> in;
    for (int k = 0; k < trace_op_arity(op); ++k) {
      const Format& f = rng() % 3 == 0 ? random_format(rng) : arith;
      in.push_back({f, random_finite(rng, f)});
    }
    if (op != TraceOp::Mul && rng() % 4 == 0) {
      // Cancellation: the last operand is minus the first, converted.
      in.back() = {arith, convert_bits(in[0].format, in[0].bits, arith).bits ^ arith.sign_mask()};
    }
    RoundingOptions opt;
    opt.mode = modes[rng() % 7];
    opt.seed = rng();
    opt.counter = rng() % 1000;
    opt.saturate = rng() % 5 == 0;
    opt.ftz = rng() % 7 == 0;
    const OperationTrace t = trace_operation(op, arith, in, opt);
    bool finite_operands = true;
    for (const StoredValue& s : t.converted) finite_operands = finite_operands && s.value.is_finite();
    if (!finite_operands) continue;  // a narrowing conversion overflowed: special paths are tested by name
    const ExactValue exact = exact_reference(op, t.converted, opt.mode);
    const uint64_t want = round_exact(arith, exact, opt).bits;
    if (want != t.result.bits) {
      ++failures;
      std::string ops;
      for (const TraceInput& x : in) ops += x.format.name + ":" + hex_bits(x.format, x.bits) + " ";
      FAIL_CHECK(trace_op_name(op) << " in " << arith.name << " " << rounding_mode_name(opt.mode)
                                   << (opt.saturate ? " sat" : "") << (opt.ftz ? " ftz" : "") << " " << ops
                                   << "traced " << hex_bits(arith, t.result.bits) << ", round_exact "
                                   << hex_bits(arith, want) << " exact " << exact.to_string());
    }
    // The trace's own exact result is the same number.
    CHECK((t.exact.is_finite() && t.exact.value == exact.value && t.exact.negative == exact.negative));
  }
  CHECK(failures == 0);
}

TEST_CASE("every trace ends with one result step and its kinds are in hardware order", "[trace]") {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 2000; ++i) {
    const TraceOp op = static_cast<TraceOp>(rng() % 4);
    const Format& f = random_format(rng);
    std::vector<TraceInput> in;
    for (int k = 0; k < trace_op_arity(op); ++k) in.push_back({f, rng() & f.width_mask()});
    const OperationTrace t = trace_operation(op, f, in);
    REQUIRE(!t.steps.empty());
    CHECK(t.steps.back().kind == TraceStepKind::Result);
    int results = 0, rounds = 0;
    for (const TraceStep& s : t.steps) {
      results += s.kind == TraceStepKind::Result;
      rounds += s.kind == TraceStepKind::Round;
    }
    CHECK(results == 1);
    CHECK(rounds <= 1);
  }
}

namespace {

// int8-mx reference in plain integers: code k means k/64; results are
// rounded to the nearest multiple of 1/64 (ties to even) and clamped to
// +-127/64 (the MX clamp: -128/64 is never produced).
int64_t int8_mx_reference(TraceOp op, int64_t a, int64_t b) {
  int64_t n;
  if (op == TraceOp::Mul) {  // a*b/4096 = (a*b/64)/64: round a*b/64
    const int64_t p = a * b, q = p >= 0 ? p / 64 : -((-p) / 64), r = p - q * 64;  // truncated
    n = q;
    const int64_t ar = r < 0 ? -r : r;
    if (ar > 32 || (ar == 32 && (q & 1) != 0)) n += p < 0 ? -1 : 1;
  } else {
    n = op == TraceOp::Sub ? a - b : a + b;
  }
  return std::max<int64_t>(-127, std::min<int64_t>(127, n));
}

// e8m0 reference on exponents: 2^ea op 2^eb to the nearest power of two (the
// tie 1.5 x 2^k goes up); below 2^-127 gives 2^-127; above 2^127, zero or
// negative is NaN (returned as 999).
int e8m0_reference(TraceOp op, int ea, int eb) {
  int e;
  if (op == TraceOp::Mul) {
    e = ea + eb;
  } else if (op == TraceOp::Add) {
    const int hi = std::max(ea, eb), lo = std::min(ea, eb);
    e = lo >= hi - 1 ? hi + 1 : hi;  // 2^hi + 2^(hi-1) = 1.5 x 2^hi: a tie, up
  } else {
    if (ea <= eb) return 999;
    e = eb == ea - 1 ? ea - 1 : ea;  // 2^ea - 2^eb >= 0.75 x 2^ea rounds up to 2^ea
  }
  if (e > 127) return 999;
  return std::max(e, -127);
}

}  // namespace

TEST_CASE("int8-mx: all 256 × 256 pairs, + - ×, rne, match an integer reference", "[trace][mx]") {
  const Format& f = int8_mx();
  long failures = 0;
  for (uint64_t a = 0; a < 256; ++a) {
    for (uint64_t b = 0; b < 256; ++b) {
      const int64_t ia = a >= 128 ? static_cast<int64_t>(a) - 256 : static_cast<int64_t>(a);
      const int64_t ib = b >= 128 ? static_cast<int64_t>(b) - 256 : static_cast<int64_t>(b);
      for (TraceOp op : {TraceOp::Add, TraceOp::Sub, TraceOp::Mul}) {
        const OperationTrace t = trace_operation(op, f, {{f, a}, {f, b}});
        const uint64_t want = static_cast<uint64_t>(int8_mx_reference(op, ia, ib)) & 0xff;
        if (t.result.bits != want && ++failures <= 5)
          FAIL_CHECK(trace_op_name(op) << " " << ia << " " << ib << ": traced " << hex_bits(f, t.result.bits));
        for (const TraceStep& s : t.steps)  // no exponent to align or normalise on a fixed grid
          CHECK((s.kind != TraceStepKind::Align && s.kind != TraceStepKind::Normalize));
      }
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("e8m0: all 256 × 256 pairs, + - ×, rne, match a power-of-two reference", "[trace][mx]") {
  const Format& f = e8m0();
  long failures = 0;
  for (uint64_t a = 0; a < 256; ++a) {
    for (uint64_t b = 0; b < 256; ++b) {
      for (TraceOp op : {TraceOp::Add, TraceOp::Sub, TraceOp::Mul}) {
        const OperationTrace t = trace_operation(op, f, {{f, a}, {f, b}});
        const int e = a == 0xff || b == 0xff ? 999
                                             : e8m0_reference(op, static_cast<int>(a) - 127, static_cast<int>(b) - 127);
        const uint64_t want = e == 999 ? 0xff : static_cast<uint64_t>(e + 127);
        if (t.result.bits != want && ++failures <= 5)
          FAIL_CHECK(trace_op_name(op) << " " << a << " " << b << ": traced " << t.result.bits << ", want " << want);
      }
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("int8-mx and e8m0 traces: the text names the grid rule, no hidden bit or sign where none exists",
          "[trace][mx]") {
  ExplainRequest req;
  req.values = {"1.5", "0.515625"};
  req.format = int8_mx();
  Explanation e;
  std::string error;
  REQUIRE(explain(req, &e, &error));
  CHECK(e.trace.result.bits == 0x7f);  // 2.015625 clamps to 127/64
  CHECK(e.trace.rounding.saturated);
  std::string text = explanation_text(e);
  CHECK(text.find("multiple of 2^-6") != std::string::npos);
  CHECK(text.find("no hidden bit") != std::string::npos);
  CHECK(text.find("overflow, saturated") != std::string::npos);

  req.op = TraceOp::Mul;
  req.values = {"3", "0.75"};  // typed values round to 4 and 1 in e8m0
  req.format = e8m0();
  REQUIRE(explain(req, &e, &error));
  CHECK(e.trace.result.bits == 129);
  text = explanation_text(e);
  CHECK(text.find("no sign bit") != std::string::npos);
  CHECK(text.find("sign 0") == std::string::npos);
}
