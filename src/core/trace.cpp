// Traced arithmetic: the steps of add, sub, mul and fma (see trace.h).
//
// Significands are at most 53 bits (fp64), so a product fits in 106 bits and
// every exact intermediate fits in an unsigned 128-bit integer; only the
// alignment of two terms whose exponents are very far apart drops bits, and
// those bits are folded into a sticky flag exactly as a hardware adder does
// (see exact_sum). The exact result is then reduced to 64 significant bits
// plus sticky, the form round_exact() gives the rounding core, so both paths
// round identically in every mode.
#include "core/trace.h"

#include <cmath>

namespace mantissa {

namespace {

__extension__ typedef unsigned __int128 u128;

int bit_length(u128 v) {
  const uint64_t hi = static_cast<uint64_t>(v >> 64);
  const uint64_t lo = static_cast<uint64_t>(v);
  if (hi) return 128 - __builtin_clzll(hi);
  return lo ? 64 - __builtin_clzll(lo) : 0;
}

u128 low_mask(int n) { return n >= 128 ? ~u128{0} : (u128{1} << n) - 1; }

// A finite exact value: (-1)^negative * mag * 2^exp2, plus `sticky` when the
// true magnitude lies strictly between mag and mag + 1 units.
struct Wide {
  bool negative = false;
  u128 mag = 0;
  int exp2 = 0;
  bool sticky = false;

  bool is_zero() const { return mag == 0 && !sticky; }
  int lead() const { return exp2 + bit_length(mag) - 1; }  // exponent of the leading bit
};

// The same reduction round_exact() applies to an exact decimal: the first 64
// significant bits, floored, and whether anything non-zero follows.
Unrounded to_unrounded(const Wide& w) {
  Unrounded u;
  u.negative = w.negative;
  u.sticky = w.sticky;
  if (w.mag == 0) return u;
  const int n = bit_length(w.mag);
  if (n > 64) {
    const int s = n - 64;
    u.significand = static_cast<uint64_t>(w.mag >> s);
    u.sticky = u.sticky || (w.mag & low_mask(s)) != 0;
    u.exp2 = w.exp2 + s;
  } else {
    u.significand = static_cast<uint64_t>(w.mag) << (64 - n);
    u.exp2 = w.exp2 - (64 - n);
  }
  return u;
}

// The bits of w between 2^lsb_exp and 2^(lsb_exp + nbits - 1) (more on the
// left if w reaches higher), floored; sticky when non-zero bits lie below.
BitRow window(const Wide& w, int lsb_exp, int nbits) {
  BitRow row;
  row.lsb_exp = lsb_exp;
  row.sticky = w.sticky;
  u128 v = 0;
  const int s = lsb_exp - w.exp2;
  if (s >= 0) {
    v = s >= 128 ? 0 : w.mag >> s;
    row.sticky = row.sticky || (w.mag & low_mask(s)) != 0;
  } else if (-s < 128 && bit_length(w.mag) - s <= 128) {
    v = w.mag << -s;
  }
  const int n = std::max(nbits, bit_length(v));
  row.bits.assign(static_cast<size_t>(std::max(n, 0)), '0');
  for (int i = 0; i < n; ++i) {
    if ((v >> i) & 1u) row.bits[static_cast<size_t>(n - 1 - i)] = '1';
  }
  return row;
}

BitRow row_of(uint64_t sig, int exp2, int nbits) {
  return window(Wide{false, sig, exp2, false}, exp2, nbits);
}

// A term of a sum: mag * 2^exp2 with mag < 2^106 (a significand or a product).
struct Term {
  bool negative = false;
  u128 mag = 0;
  int exp2 = 0;
};

// x + y exactly, or floored with sticky when y lies far below x. The sign of
// an exact zero is left to the caller (it depends on the rounding mode).
Wide exact_sum(Term x, Term y) {
  if (y.mag == 0) return Wide{x.negative, x.mag, x.exp2, false};
  if (x.mag == 0) return Wide{y.negative, y.mag, y.exp2, false};
  if (y.exp2 + bit_length(y.mag) > x.exp2 + bit_length(x.mag)) std::swap(x, y);
  // x's leading bit goes to bit 125 (room for a carry); y shifts with it.
  const int s = 125 - (bit_length(x.mag) - 1);
  const u128 X = x.mag << s;
  const int base = x.exp2 - s;
  int k = y.exp2 - base;
  u128 q;
  bool rem = false;
  if (k >= 0) {
    q = y.mag << k;  // y's leading bit is at most x's: fits
  } else {
    k = -k;
    q = k >= 128 ? 0 : y.mag >> k;
    rem = (y.mag & low_mask(k)) != 0;
  }
  Wide w;
  w.exp2 = base;
  if (x.negative == y.negative) {
    w.negative = x.negative;
    w.mag = X + q;
    w.sticky = rem;
  } else if (rem) {
    // y has bits below x's window only when its leading bit is > 20 places
    // below x's, so x - y > 0: floor(X - (q + f)) = X - q - 1, plus sticky.
    w.negative = x.negative;
    w.mag = X - q - 1;
    w.sticky = true;
  } else if (X >= q) {
    w.negative = x.negative;
    w.mag = X - q;
  } else {
    w.negative = y.negative;
    w.mag = q - X;
  }
  return w;
}

// |x| compared with |y|: -1, 0, 1.
int compare_magnitude(const Term& x, const Term& y) {
  Term a = x, b = y;
  a.negative = false;
  b.negative = true;
  const Wide d = exact_sum(a, b);  // |x| - |y|
  if (d.is_zero()) return 0;
  return d.negative ? -1 : 1;
}

double ratio_of(const Decimal& a, const Decimal& b) {
  const int64_t k = b.decimal_exponent();
  return a.scaled_pow10(-k).to_double() / b.scaled_pow10(-k).to_double();
}

// Builds one trace. Each stage appends its steps.
class Tracer {
 public:
  Tracer(TraceOp op, const Format& f, const RoundingOptions& opt) : f_(f), p_(f.precision()) {
    t_.op = op;
    t_.format = f;
    t_.options = opt;
    t_.steps.reserve(16);
  }

  void add_operand(int i, const TraceInput& in);
  OperationTrace finish() { return std::move(t_); }

  void addition(bool subtract);
  void product();
  void fused();
  void grid();

 private:
  const Format& f_;
  const int p_;
  OperationTrace t_;
  std::vector<Decoded> d_;  // operands decoded in the arithmetic format

  TraceStep& push(TraceStepKind kind, int operand = -1) {
    t_.steps.emplace_back();
    t_.steps.back().kind = kind;
    t_.steps.back().operand = operand;
    return t_.steps.back();
  }
  TraceStep& special(SpecialKind k, int operand = -1) {
    TraceStep& s = push(TraceStepKind::Special, operand);
    s.special = k;
    return s;
  }
  static void describe(TraceStep& s, const Format& f, uint64_t bits);
  Term term(int i, bool flip = false) const {
    return Term{d_[static_cast<size_t>(i)].negative != flip, d_[static_cast<size_t>(i)].significand,
                d_[static_cast<size_t>(i)].exp2};
  }
  bool nan_path(std::initializer_list<int> order);
  void special_result(uint64_t bits, SpecialKind why, int operand = -1);
  void align(int big, int small, const Term& tb, const Term& ts, int width_big, int width_small, int top_big,
             int top_small);
  Wide add_terms(const Term& tb, const Term& ts, int width_big, int top_big);
  void normalize(const Wide& exact, int reference_exp, int raw_lsb, int raw_bits);
  TraceStep& round_step(const Rounded& r);
  void round_and_finish(const Wide& exact);
  void finish_result(uint64_t bits, const RoundInfo& info);
};

void Tracer::describe(TraceStep& s, const Format& f, uint64_t bits) {
  const Decoded d = decode(f, bits);
  s.format = f;
  s.bits = bits;
  s.negative = d.negative;
  s.exponent_field = d.exponent_field;
  s.exponent = d.exponent;
  s.cls = d.cls;
  if (d.cls != FloatClass::Infinity && d.cls != FloatClass::NaN)
    s.significand = row_of(d.significand, d.exp2, f.precision());
}

void Tracer::add_operand(int i, const TraceInput& in) {
  const StoredValue original = make_stored(in.format, in.bits);
  TraceStep& dec = push(TraceStepKind::Decode, i);
  describe(dec, in.format, original.bits);
  if (original.fields.cls == FloatClass::Subnormal) {
    TraceStep& s = special(SpecialKind::SubnormalOperand, i);
    describe(s, in.format, original.bits);
    s.threshold = exact_value(in.format, in.format.min_normal_bits()).value;
  }
  uint64_t bits = original.bits;
  if (in.format != f_) {
    RoundingOptions o = t_.options;
    o.counter = t_.options.counter + 1 + static_cast<uint64_t>(i);
    const Rounded r = convert_bits(in.format, original.bits, f_, o);
    bits = r.bits;
    TraceStep& c = push(TraceStepKind::Convert, i);
    describe(c, f_, bits);
    c.from_format = in.format;
    c.from_bits = original.bits;
    c.rebias = f_.bias() - in.format.bias();
    c.pad_bits = f_.man_bits - in.format.man_bits;
    c.options = o;
    c.rounding = r.info;
    c.exact = !r.info.inexact && !r.info.overflow;
  }
  t_.operands.push_back(original);
  t_.converted.push_back(make_stored(f_, bits));
  d_.push_back(t_.converted.back().fields);
}

// A NaN operand (the first in `order`) propagates, quieted, payload kept.
bool Tracer::nan_path(std::initializer_list<int> order) {
  for (int i : order) {
    if (static_cast<size_t>(i) >= d_.size()) continue;
    if (d_[static_cast<size_t>(i)].cls != FloatClass::NaN) continue;
    const uint64_t bits = convert_bits(f_, t_.converted[static_cast<size_t>(i)].bits, f_, t_.options).bits;
    special_result(bits, SpecialKind::NanOperand, i);
    return true;
  }
  return false;
}

void Tracer::special_result(uint64_t bits, SpecialKind why, int operand) {
  TraceStep& s = special(why, operand);
  describe(s, f_, bits);
  if (why == SpecialKind::InvalidInfMinusInf || why == SpecialKind::InvalidZeroTimesInf) t_.invalid = true;
  finish_result(bits, RoundInfo{});
}

// Align: the term with the lower top column shifts right until the columns
// match; what falls past the big term's last column is guard, round, sticky.
void Tracer::align(int big, int small, const Term& tb, const Term& ts, int width_big, int width_small,
                   int top_big, int top_small) {
  TraceStep& a = push(TraceStepKind::Align, small);
  a.shift = std::max(0, top_big - top_small);
  a.before = window(Wide{false, ts.mag, ts.exp2, false}, ts.exp2, width_small);
  a.after = window(Wide{false, ts.mag, ts.exp2, false}, tb.exp2, width_big);
  const BitRow grs = window(Wide{false, ts.mag, ts.exp2, false}, tb.exp2 - 2, 2);
  const size_t n = grs.bits.size();
  a.guard = grs.bits[n - 2] == '1';
  a.round_bit = grs.bits[n - 1] == '1';
  a.sticky = grs.sticky;
  // Every bit of the shifted term lies past guard and round.
  a.collapsed = ts.mag != 0 && ts.exp2 + bit_length(ts.mag) - 1 < tb.exp2 - 2;
  (void)big;
}

// The significand addition in the big term's columns plus guard and round.
Wide Tracer::add_terms(const Term& tb, const Term& ts, int width_big, int top_big) {
  const Wide exact = exact_sum(tb, ts);
  TraceStep& s = push(tb.negative != ts.negative ? TraceStepKind::Sub : TraceStepKind::Add);
  s.effective_subtract = tb.negative != ts.negative;
  const int lsb = tb.exp2 - 2;
  s.lhs = window(Wide{false, tb.mag, tb.exp2, false}, lsb, width_big + 2);
  s.rhs = window(Wide{false, ts.mag, ts.exp2, false}, lsb, width_big + 2);
  s.sum = window(Wide{false, exact.mag, exact.exp2, exact.sticky}, lsb, width_big + 3);
  s.negative = exact.negative;
  if (exact.mag != 0) {
    s.carry_out = exact.lead() > top_big;
    s.leading_zeros = std::max(0, top_big - exact.lead());
  } else {
    s.leading_zeros = width_big;
  }
  return exact;
}

// Normalise: move the leading 1 to the top column (stopping at emin: a
// subnormal result keeps leading zeros).
void Tracer::normalize(const Wide& exact, int reference_exp, int raw_lsb, int raw_bits) {
  TraceStep& n = push(TraceStepKind::Normalize);
  n.before = window(exact, raw_lsb, raw_bits);
  n.exponent_before = reference_exp;
  const int lead = exact.mag ? exact.lead() : reference_exp;
  n.exponent_after = lead;
  n.shift = lead - reference_exp;
  const int top = std::max(lead, f_.emin());
  n.after = window(exact, top - (p_ - 1) - 2, p_ + 2);
  n.cls = lead < f_.emin() ? FloatClass::Subnormal : FloatClass::Normal;
  n.exponent = top;
}

TraceStep& Tracer::round_step(const Rounded& r) {
  TraceStep& s = push(TraceStepKind::Round);
  s.options = t_.options;
  s.rounding = r.info;
  s.guard = r.info.guard;
  s.round_bit = r.info.round;
  s.sticky = r.info.sticky;
  describe(s, f_, r.bits);
  return s;
}

void Tracer::round_and_finish(const Wide& exact) {
  const Rounded r = round_unrounded(f_, to_unrounded(exact), t_.options);
  TraceStep& s = round_step(r);
  if (!exact.is_zero()) {
    s.before = window(exact, r.info.kept_exp, 1);
    const int lead_before = exact.lead();
    if (s.cls == FloatClass::Normal || s.cls == FloatClass::Subnormal) {
      const Decoded d = decode(f_, r.bits);
      const int lead_after = d.exp2 + bit_length(d.significand) - 1;
      s.renormalized = r.info.direction == RoundDirection::Up &&
                       (lead_after > std::max(lead_before, r.info.kept_exp + p_ - 1) ||
                        (lead_before < f_.emin() && s.cls == FloatClass::Normal));
    }
    if (r.info.overflow) {
      TraceStep& o = special(r.info.saturated || s.cls == FloatClass::Normal ? SpecialKind::Saturated
                                                                             : SpecialKind::Overflow);
      describe(o, f_, r.bits);
      o.rounding = r.info;
      o.options = t_.options;
    } else if (r.info.flushed) {
      TraceStep& o = special(SpecialKind::Flushed);
      describe(o, f_, r.bits);
      o.rounding = r.info;
    } else if (lead_before < f_.emin()) {
      TraceStep& o = special(SpecialKind::SubnormalResult);
      describe(o, f_, r.bits);
      o.rounding = r.info;
      o.threshold = exact_value(f_, f_.min_normal_bits()).value;
    }
  }
  finish_result(r.bits, r.info);
}

void Tracer::finish_result(uint64_t bits, const RoundInfo& info) {
  t_.result = make_stored(f_, bits);
  t_.rounding = info;
  std::vector<ExactValue> ops;
  ops.reserve(t_.converted.size());
  for (const StoredValue& s : t_.converted) ops.push_back(s.value);
  t_.exact = exact_operation(t_.op, ops, t_.options.mode);
  const ExactValue& v = t_.result.value;
  if (v.is_finite() && t_.exact.is_finite()) {
    t_.error_abs = v.value - t_.exact.value;
    if (!t_.exact.value.is_zero()) t_.error_rel = ratio_of(*t_.error_abs, t_.exact.value);
    const int u = ulp_exponent(f_, bits);
    t_.error_ulp = (*t_.error_abs * Decimal::pow2(-u)).to_double();
  }
  TraceStep& s = push(TraceStepKind::Result);
  describe(s, f_, bits);
  s.options = t_.options;
  s.rounding = info;
  s.value = v;
  s.exact_result = t_.exact;
  s.error_abs = t_.error_abs;
  s.error_rel = t_.error_rel;
  s.error_ulp = t_.error_ulp;
  s.invalid = t_.invalid;
  s.overflow = info.overflow;
  s.underflow = info.underflow;
  // An inexact result: rounded, or a finite exact value that became inf/NaN.
  s.inexact = info.inexact || (t_.exact.is_finite() && !v.is_finite());
  s.exact = !s.inexact && !t_.invalid;
}

// int8-mx and e8m0 have no exponent/significand pair to align and
// normalise: the exact result of the converted operands goes straight to the
// core's rounding (round_exact), so the trace is decode, convert, round,
// result, and the rule is the one `convert` applies (one place).
void Tracer::grid() {
  if (nan_path({0, 1, 2})) return;
  std::vector<ExactValue> ops;
  for (const StoredValue& s : t_.converted) ops.push_back(s.value);
  const ExactValue exact = exact_operation(t_.op, ops, t_.options.mode);
  const Rounded r = round_exact(f_, exact, t_.options);
  round_step(r);
  if (r.info.overflow) {
    TraceStep& o = special(r.info.saturated ? SpecialKind::Saturated : SpecialKind::Overflow);
    describe(o, f_, r.bits);
    o.rounding = r.info;
    o.options = t_.options;
  }
  t_.invalid = r.info.invalid;
  finish_result(r.bits, r.info);
}

void Tracer::addition(bool subtract) {
  if (nan_path({0, 1})) return;
  const Decoded& a = d_[0];
  const Decoded& b = d_[1];
  const bool nb = b.negative != subtract;  // b's sign as an addend
  const bool a_inf = a.cls == FloatClass::Infinity, b_inf = b.cls == FloatClass::Infinity;
  if (a_inf || b_inf) {
    if (a_inf && b_inf && a.negative != nb) {
      special_result(make_nan(f_, false), SpecialKind::InvalidInfMinusInf);
    } else {
      special_result(make_inf(f_, a_inf ? a.negative : nb), SpecialKind::Infinity, a_inf ? 0 : 1);
    }
    return;
  }
  const Term ta = term(0), tb = term(1, subtract);
  if (ta.mag == 0 || tb.mag == 0) {
    Wide w = exact_sum(ta, tb);
    if (w.is_zero()) {
      w.negative = a.negative == nb ? a.negative : t_.options.mode == RoundingMode::Down;
      TraceStep& z = special(SpecialKind::SignedZero);
      z.negative = w.negative;
      z.effective_subtract = a.negative != nb;
    } else {
      special(SpecialKind::ZeroOperand, ta.mag == 0 ? 0 : 1);
    }
    round_and_finish(w);
    return;
  }
  // The operand of larger magnitude stays; the other shifts right.
  const bool swap = compare_magnitude(ta, tb) < 0;
  const int big = swap ? 1 : 0, small = swap ? 0 : 1;
  const Term& tbig = swap ? tb : ta;
  const Term& tsmall = swap ? ta : tb;
  const int top_big = tbig.exp2 + p_ - 1, top_small = tsmall.exp2 + p_ - 1;
  align(big, small, tbig, tsmall, p_, p_, top_big, top_small);
  Wide exact = add_terms(tbig, tsmall, p_, top_big);
  if (exact.is_zero()) {
    exact.negative = t_.options.mode == RoundingMode::Down;  // x + (-x)
    TraceStep& z = special(SpecialKind::SignedZero);
    z.negative = exact.negative;
    z.effective_subtract = true;
    round_and_finish(exact);
    return;
  }
  normalize(exact, top_big, tbig.exp2 - 2, p_ + 3);
  round_and_finish(exact);
  // The update is lost when rounding gives back the larger operand.
  const uint64_t big_bits = t_.converted[static_cast<size_t>(big)].bits;
  const uint64_t want = big == 1 && subtract ? big_bits ^ f_.sign_mask() : big_bits;
  if (t_.result.bits == want) {
    t_.update_lost = true;
    TraceStep result = t_.steps.back();
    t_.steps.pop_back();
    TraceStep& s = special(SpecialKind::UpdateLost, small);
    s.threshold = Decimal::pow2(ulp_exponent(f_, big_bits) - 1);
    s.ratio = ratio_of(t_.converted[static_cast<size_t>(big)].value.value.abs(),
                       t_.converted[static_cast<size_t>(small)].value.value.abs());
    s.ratio_rule_log2 = p_;
    s.shift = top_big - top_small;
    s.options = t_.options;
    t_.steps.push_back(std::move(result));
  }
}

void Tracer::product() {
  if (nan_path({0, 1})) return;
  const Decoded& a = d_[0];
  const Decoded& b = d_[1];
  const bool neg = a.negative != b.negative;
  const bool a_inf = a.cls == FloatClass::Infinity, b_inf = b.cls == FloatClass::Infinity;
  if (a_inf || b_inf) {
    const bool zero = a.cls == FloatClass::Zero || b.cls == FloatClass::Zero;
    if (zero)
      special_result(make_nan(f_, false), SpecialKind::InvalidZeroTimesInf);
    else
      special_result(make_inf(f_, neg), SpecialKind::Infinity, a_inf ? 0 : 1);
    return;
  }
  if (a.significand == 0 || b.significand == 0) {
    TraceStep& z = special(SpecialKind::SignedZero);
    z.negative = neg;
    round_and_finish(Wide{neg, 0, 0, false});
    return;
  }
  const u128 prod = u128{a.significand} * b.significand;
  const Wide exact{neg, prod, a.exp2 + b.exp2, false};
  TraceStep& m = push(TraceStepKind::Mul);
  m.lhs = row_of(a.significand, a.exp2, p_);
  m.rhs = row_of(b.significand, b.exp2, p_);
  m.sum = window(Wide{false, prod, exact.exp2, false}, exact.exp2, 2 * p_);
  m.negative = neg;
  m.exponent_before = a.exponent;
  m.exponent_after = b.exponent;
  m.exponent = a.exponent + b.exponent;     // exponents add
  const int top = exact.exp2 + 2 * p_ - 2;  // [1,2) × [1,2) lands in [1,4): leading bit here or one above
  m.carry_out = exact.lead() > top;
  m.leading_zeros = std::max(0, top - exact.lead());
  normalize(exact, top, exact.exp2, 2 * p_);
  round_and_finish(exact);
}

void Tracer::fused() {
  if (nan_path({0, 1, 2})) return;
  const Decoded& a = d_[0];
  const Decoded& b = d_[1];
  const Decoded& c = d_[2];
  const bool pneg = a.negative != b.negative;
  const bool a_inf = a.cls == FloatClass::Infinity, b_inf = b.cls == FloatClass::Infinity;
  const bool c_inf = c.cls == FloatClass::Infinity;
  if (a_inf || b_inf) {
    if (a.cls == FloatClass::Zero || b.cls == FloatClass::Zero) {
      special_result(make_nan(f_, false), SpecialKind::InvalidZeroTimesInf);
    } else if (c_inf && c.negative != pneg) {
      special_result(make_nan(f_, false), SpecialKind::InvalidInfMinusInf);
    } else {
      special_result(make_inf(f_, pneg), SpecialKind::Infinity, a_inf ? 0 : 1);
    }
    return;
  }
  if (c_inf) {
    special_result(make_inf(f_, c.negative), SpecialKind::Infinity, 2);
    return;
  }
  // The product, exact: up to 2p bits, no rounding.
  const u128 prod = u128{a.significand} * b.significand;
  const Term tp{pneg, prod, a.exp2 + b.exp2};
  const Term tc = term(2);
  TraceStep& m = push(TraceStepKind::Mul, 3);
  m.lhs = row_of(a.significand, a.exp2, p_);
  m.rhs = row_of(b.significand, b.exp2, p_);
  m.sum = window(Wide{false, prod, tp.exp2, false}, tp.exp2, 2 * p_);
  m.negative = pneg;
  m.exponent_before = a.exponent;
  m.exponent_after = b.exponent;
  m.exponent = a.exponent + b.exponent;
  if (prod) {
    const int top = tp.exp2 + 2 * p_ - 2;
    const int lead = tp.exp2 + bit_length(prod) - 1;
    m.carry_out = lead > top;
    m.leading_zeros = std::max(0, top - lead);
  }
  if (prod == 0 || tc.mag == 0) {
    Wide w = exact_sum(tp, tc);
    if (w.is_zero()) {
      w.negative = pneg == c.negative ? pneg : t_.options.mode == RoundingMode::Down;
      TraceStep& z = special(SpecialKind::SignedZero);
      z.negative = w.negative;
      z.effective_subtract = pneg != c.negative;
    } else {
      special(SpecialKind::ZeroOperand, prod == 0 ? 3 : 2);
    }
    round_and_finish(w);
    return;
  }
  // Columns: the product occupies bit_length(prod) columns, c its p columns.
  const int wp = bit_length(prod);
  const Term tpn{pneg, prod, tp.exp2};
  const bool c_big = compare_magnitude(tc, tpn) > 0;
  const Term& tbig = c_big ? tc : tpn;
  const Term& tsmall = c_big ? tpn : tc;
  const int wbig = c_big ? p_ : wp, wsmall = c_big ? wp : p_;
  const int top_big = tbig.exp2 + wbig - 1, top_small = tsmall.exp2 + wsmall - 1;
  align(c_big ? 2 : 3, c_big ? 3 : 2, tbig, tsmall, wbig, wsmall, top_big, top_small);
  Wide exact = add_terms(tbig, tsmall, wbig, top_big);
  if (exact.is_zero()) {
    exact.negative = t_.options.mode == RoundingMode::Down;
    TraceStep& z = special(SpecialKind::SignedZero);
    z.negative = exact.negative;
    z.effective_subtract = true;
    round_and_finish(exact);
    return;
  }
  normalize(exact, top_big, tbig.exp2 - 2, wbig + 3);
  round_and_finish(exact);
}

ExactValue zero_sum_sign(bool na, bool nb, bool both_zero, RoundingMode mode) {
  return ExactValue::finite(Decimal(), both_zero && na == nb ? na : mode == RoundingMode::Down);
}

}  // namespace

const char* trace_op_name(TraceOp op) {
  switch (op) {
    case TraceOp::Add:
      return "add";
    case TraceOp::Sub:
      return "sub";
    case TraceOp::Mul:
      return "mul";
    case TraceOp::Fma:
      return "fma";
  }
  return "?";
}

bool parse_trace_op(std::string_view name, TraceOp* out, std::string* error) {
  for (TraceOp op : {TraceOp::Add, TraceOp::Sub, TraceOp::Mul, TraceOp::Fma}) {
    if (name == trace_op_name(op)) {
      *out = op;
      return true;
    }
  }
  if (error)
    *error = "unknown operation '" + std::string(name.substr(0, 40)) + "' (expected add, sub, mul or fma)";
  return false;
}

int trace_op_arity(TraceOp op) { return op == TraceOp::Fma ? 3 : 2; }

const char* trace_step_kind_name(TraceStepKind k) {
  switch (k) {
    case TraceStepKind::Decode:
      return "decode";
    case TraceStepKind::Convert:
      return "convert";
    case TraceStepKind::Align:
      return "align";
    case TraceStepKind::Add:
      return "add";
    case TraceStepKind::Sub:
      return "sub";
    case TraceStepKind::Mul:
      return "mul";
    case TraceStepKind::Normalize:
      return "normalize";
    case TraceStepKind::Round:
      return "round";
    case TraceStepKind::Result:
      return "result";
    case TraceStepKind::Special:
      return "special";
  }
  return "?";
}

const char* special_kind_name(SpecialKind k) {
  switch (k) {
    case SpecialKind::None:
      return "none";
    case SpecialKind::NanOperand:
      return "nan_operand";
    case SpecialKind::InvalidInfMinusInf:
      return "invalid_inf_minus_inf";
    case SpecialKind::InvalidZeroTimesInf:
      return "invalid_zero_times_inf";
    case SpecialKind::Infinity:
      return "infinity";
    case SpecialKind::SignedZero:
      return "signed_zero";
    case SpecialKind::ZeroOperand:
      return "zero_operand";
    case SpecialKind::SubnormalOperand:
      return "subnormal_operand";
    case SpecialKind::SubnormalResult:
      return "subnormal_result";
    case SpecialKind::Flushed:
      return "flushed";
    case SpecialKind::Overflow:
      return "overflow";
    case SpecialKind::Saturated:
      return "saturated";
    case SpecialKind::UpdateLost:
      return "update_lost";
  }
  return "?";
}

ExactValue exact_operation(TraceOp op, const std::vector<ExactValue>& v, RoundingMode mode) {
  using K = ExactValue::Kind;
  for (const ExactValue& x : v) {
    if (x.kind == K::NaN) return ExactValue::nan(x.negative);
  }
  auto sum = [mode](const ExactValue& a, const ExactValue& b) {
    if (a.kind == K::Infinity || b.kind == K::Infinity) {
      if (a.kind == K::Infinity && b.kind == K::Infinity && a.negative != b.negative)
        return ExactValue::nan();
      return ExactValue::infinity(a.kind == K::Infinity ? a.negative : b.negative);
    }
    const Decimal s = a.value + b.value;
    if (s.is_zero()) return zero_sum_sign(a.negative, b.negative, a.is_zero() && b.is_zero(), mode);
    return ExactValue::finite(s);
  };
  auto negate = [](ExactValue x) {
    if (x.kind == K::Finite) {
      const bool neg = !x.negative;
      x = ExactValue::finite(-x.value, neg);
    } else {
      x.negative = !x.negative;
    }
    return x;
  };
  auto product = [](const ExactValue& a, const ExactValue& b) {
    const bool neg = a.negative != b.negative;
    if (a.kind == K::Infinity || b.kind == K::Infinity) {
      if (a.is_zero() || b.is_zero()) return ExactValue::nan();
      return ExactValue::infinity(neg);
    }
    return ExactValue::finite(a.value * b.value, neg);
  };
  switch (op) {
    case TraceOp::Add:
      return sum(v[0], v[1]);
    case TraceOp::Sub:
      return sum(v[0], negate(v[1]));
    case TraceOp::Mul:
      return product(v[0], v[1]);
    case TraceOp::Fma: {
      const ExactValue p = product(v[0], v[1]);
      if (p.kind == K::NaN) return p;
      return sum(p, v[2]);
    }
  }
  return ExactValue::nan();
}

OperationTrace trace_operation(TraceOp op, const Format& arithmetic, const std::vector<TraceInput>& operands,
                               const RoundingOptions& options) {
  Tracer t(op, arithmetic, options);
  const int n = std::min<int>(trace_op_arity(op), static_cast<int>(operands.size()));
  for (int i = 0; i < n; ++i) t.add_operand(i, operands[static_cast<size_t>(i)]);
  for (int i = n; i < trace_op_arity(op); ++i) t.add_operand(i, TraceInput{arithmetic, 0});
  if (!arithmetic.is_float()) {
    t.grid();
    return t.finish();
  }
  switch (op) {
    case TraceOp::Add:
      t.addition(false);
      break;
    case TraceOp::Sub:
      t.addition(true);
      break;
    case TraceOp::Mul:
      t.product();
      break;
    case TraceOp::Fma:
      t.fused();
      break;
  }
  return t.finish();
}

OperationTrace trace_add(const Format& arithmetic, const TraceInput& a, const TraceInput& b,
                         const RoundingOptions& options) {
  return trace_operation(TraceOp::Add, arithmetic, {a, b}, options);
}

bool explain(const ExplainRequest& req, Explanation* out, std::string* error) {
  const size_t arity = static_cast<size_t>(trace_op_arity(req.op));
  if (req.values.size() != arity) {
    *error = std::string(trace_op_name(req.op)) + " takes " + std::to_string(arity) + " operands; got " +
             std::to_string(req.values.size());
    return false;
  }
  static const char* const names[] = {"A", "B", "C"};
  Explanation e;
  std::vector<TraceInput> inputs;
  for (size_t i = 0; i < arity; ++i) {
    ConvertRequest c;
    c.value = req.values[i];
    c.to = i < req.operand_formats.size() && req.operand_formats[i] ? *req.operand_formats[i] : req.format;
    c.from = c.to;  // a bit pattern is read in its operand format
    c.options = req.options;
    c.options.counter = req.options.counter + 4 + i;
    ConvertReport r;
    std::string why;
    if (!convert(c, &r, &why)) {
      *error = std::string("operand ") + names[i] + ": " + why;
      return false;
    }
    inputs.push_back(TraceInput{c.to, r.result.bits});
    e.operands.push_back(std::move(r));
  }
  e.trace = trace_operation(req.op, req.format, inputs, req.options);
  *out = std::move(e);
  return true;
}

}  // namespace mantissa
