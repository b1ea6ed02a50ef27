#include "core/dot_trace.h"

#include <algorithm>
#include <cstdio>

#include "core/json.h"

namespace mantissa {

namespace {

int bit_length(uint64_t x) {
  int n = 0;
  for (; x; x >>= 1) ++n;
  return n;
}

// v's bits from 2^(width-1) down to 2^0, most significant first.
std::string binary(uint64_t v, int width) {
  std::string s;
  for (int i = width - 1; i >= 0; --i) s += i < 64 && ((v >> i) & 1) ? '1' : '0';
  return s;
}

constexpr int kMaxDroppedShown = 64;

}  // namespace

bool trace_tensor_core_block(const Accumulator& acc, const DotInput& in, TensorCoreBlockTrace* out,
                             std::string* error) {
  if (acc.kind != AccumulatorKind::TensorCore)
    return *error = "explain dot walks through a tensor-core block: give --acc tc:NAME or tc:fma=N,neab=E",
           false;
  const TensorCoreModel& m = acc.tc;
  if (in.a.size() > static_cast<size_t>(m.fma))
    return *error = "explain dot walks through one block of " + std::to_string(m.fma) + " products; got " +
                    std::to_string(in.a.size()),
           false;
  if (dot_exact(in).kind != ExactValue::Kind::Finite)
    return *error = "explain dot needs finite inputs", false;
  TensorCoreBlockTrace t;
  t.acc = acc;
  t.in = in.in;
  t.mode = m.round;
  t.rounding_format = m.rounding_format();

  // The terms: exact products, then c (rounded to fp16 first for fp16 output), as sig * 2^exp2.
  struct Raw {
    bool negative;
    uint64_t sig;
    int exp2;
  };
  std::vector<Raw> raw;
  for (size_t i = 0; i < in.a.size(); ++i) {
    const Decoded a = decode(in.in, in.a[i]), b = decode(in.in, in.b[i]);
    TensorCoreTerm term;
    term.label = "a" + std::to_string(i + 1) + "*b" + std::to_string(i + 1);
    term.a = exact_value(in.in, in.a[i]);
    term.b = exact_value(in.in, in.b[i]);
    term.negative = a.negative != b.negative;
    term.zero = a.significand == 0 || b.significand == 0;
    term.exponent = a.exponent + b.exponent;
    term.value = ExactValue::finite(term.a.value * term.b.value, term.negative);
    raw.push_back({term.negative, a.significand * b.significand, a.exp2 + b.exp2});
    t.terms.push_back(term);
  }
  const uint64_t c_out = m.fp16_out ? convert_bits(fp32(), in.c, fp16()).bits : in.c;
  const uint64_t c32 = convert_bits(m.out(), c_out, fp32()).bits;
  const Decoded c = decode(fp32(), c32);
  if (c.significand != 0) {
    TensorCoreTerm term;
    term.label = "c";
    term.value = exact_value(fp32(), c32);
    term.negative = c.negative;
    term.exponent = c.exponent;
    raw.push_back({c.negative, c.significand, c.exp2});
    t.terms.push_back(term);
  }

  bool any = false;
  for (const TensorCoreTerm& term : t.terms) {
    if (term.zero) continue;
    t.max_exponent = any ? std::max(t.max_exponent, term.exponent) : term.exponent;
    any = true;
  }
  t.exact = dot_exact(in);
  if (!any) {
    t.empty = true;
    t.bits = make_zero(m.out(), false);
    t.result = exact_value(m.out(), t.bits);
    t.error_abs = t.result.value - t.exact.value;
    *out = std::move(t);
    return true;
  }
  t.unit_exp = t.max_exponent - 23 - m.neab;
  const int width = t.max_exponent + 1 - t.unit_exp + 1;  // 2^(E+1) .. 2^unit: products reach 2^(E+1)
  int64_t sum = 0;
  for (size_t i = 0; i < t.terms.size(); ++i) {
    TensorCoreTerm& term = t.terms[i];
    const Raw& r = raw[i];
    const int s = r.exp2 - t.unit_exp;
    uint64_t kept = 0;
    if (r.sig == 0) {
      // a zero product: nothing to align
    } else if (s >= 0) {
      kept = r.sig << s;
    } else {
      kept = -s >= 64 ? 0 : r.sig >> -s;
      const int n = -s;  // dropped positions: 2^(unit-1) down to 2^exp2
      for (int q = 0; q < std::min(n, kMaxDroppedShown); ++q) {
        const int bit = n - 1 - q;  // position within sig
        term.dropped += bit < 64 && ((r.sig >> bit) & 1) ? '1' : '0';
      }
      term.dropped_more = n > kMaxDroppedShown;
      while (!term.dropped.empty() && term.dropped.back() == '0') term.dropped.pop_back();
    }
    term.kept = binary(kept, width);
    term.kept_value = ExactValue::finite(Decimal::from_dyadic(r.negative, kept, t.unit_exp), r.negative);
    sum += r.negative ? -static_cast<int64_t>(kept) : static_cast<int64_t>(kept);
  }
  const uint64_t mag = sum < 0 ? static_cast<uint64_t>(-sum) : static_cast<uint64_t>(sum);
  t.sum = ExactValue::finite(Decimal::from_dyadic(sum < 0, mag, t.unit_exp), sum < 0);
  if (sum == 0) {
    t.bits = make_zero(m.out(), false);
  } else {
    t.sum_bits = binary(mag, bit_length(mag));
    t.sum_exponent = t.unit_exp + bit_length(mag) - 1;
    RoundingOptions opt;
    opt.mode = m.round;
    const Rounded r = round_unrounded(t.rounding_format, {sum < 0, mag, t.unit_exp, false}, opt);
    t.rounding = r.info;
    t.bits = t.rounding_format == m.out() ? r.bits : convert_bits(t.rounding_format, r.bits, m.out()).bits;
  }
  t.result = exact_value(m.out(), t.bits);
  if (t.result.is_finite()) t.error_abs = t.result.value - t.exact.value;
  *out = std::move(t);
  return true;
}

std::string tensor_core_block_text(const TensorCoreBlockTrace& t) {
  const TensorCoreModel& m = t.acc.tc;
  const bool rz = m.round == RoundingMode::TowardZero;
  std::string out = "One tensor-core block: " + t.acc.name + " (" + std::to_string(m.fma) +
                    " products per block, neab " + std::to_string(m.neab) + ", " + m.out().name +
                    " output rounded " + (rz ? "toward zero" : "to nearest even") + "), inputs " + t.in.name +
                    "\n\n";
  out += "1. The products are exact:\n";
  for (const TensorCoreTerm& term : t.terms) {
    if (term.label == "c") {
      out += "   c = " + term.value.to_string() + "   (exponent " + std::to_string(term.exponent) + ")\n";
    } else {
      out += "   " + term.label + " = " + term.a.to_string() + " × " + term.b.to_string() + " = " +
             term.value.to_string() +
             (term.zero ? "   (zero: takes no part)\n"
                        : "   (exponent ea+eb = " + std::to_string(term.exponent) + ")\n");
    }
  }
  if (t.empty) return out + "\nEvery term is zero: the result is +0.\n";
  out +=
      "\n2. The largest exponent is E = " + std::to_string(t.max_exponent) + ". Every term keeps " +
      std::to_string(23 + m.neab) + " fraction bits below it: bits under 2^" + std::to_string(t.unit_exp) +
      " are truncated\n   (no guard bit, no sticky bit). Each term as a multiple of 2^E (two integer bits: "
      "products reach 4 × 2^E) | truncated:\n";
  size_t label_width = 5;
  for (const TensorCoreTerm& term : t.terms) label_width = std::max(label_width, term.label.size());
  for (const TensorCoreTerm& term : t.terms) {
    std::string label = term.label;
    label.resize(label_width, ' ');
    out += "   " + label + "  " + (term.negative ? "-" : "+") + term.kept.substr(0, 2) + "." +
           term.kept.substr(2) + " | " + term.dropped + (term.dropped_more ? "…" : "") + "\n";
  }
  out += "\n3. The aligned terms are summed exactly: " + t.sum.to_string() + "\n";
  if (t.sum_bits.empty()) return out + "\nThe sum is zero: the result is +0.\n";
  out += "\n4. Normalised once: " + std::string(t.sum.negative ? "-" : "") + t.sum_bits.substr(0, 1) + "." +
         t.sum_bits.substr(1) + " × 2^" + std::to_string(t.sum_exponent) + "\n";
  const int frac = t.rounding_format.man_bits;
  out += "\n5. Rounded " + std::string(rz ? "toward zero" : "to nearest even") + " to " +
         std::to_string(frac) + " fraction bits: " + t.result.to_string() + " (" + m.out().name + " " +
         hex_bits(m.out(), t.bits) + ")" +
         (t.rounding.inexact ? ", rounded " + std::string(round_direction_name(t.rounding.direction))
                             : ", exact") +
         "\n";
  out +=
      "\nExact c + Σ a·b = " + t.exact.to_string() + "; error of the block " + t.error_abs.to_plain() + "\n";
  return out;
}

std::string tensor_core_block_json(const TensorCoreBlockTrace& t) {
  const TensorCoreModel& m = t.acc.tc;
  JsonWriter w;
  w.begin_object();
  w.field("acc", t.acc.name);
  w.field("in", t.in.name);
  w.key("model").begin_object();
  w.field("fma", m.fma);
  w.field("neab", m.neab);
  w.field("round", m.round == RoundingMode::TowardZero ? "rz" : "rne");
  w.field("out", m.out().name);
  w.end_object();
  w.key("terms").begin_array();
  for (const TensorCoreTerm& term : t.terms) {
    w.begin_object();
    w.field("label", term.label);
    if (term.label != "c") {
      w.field("a", term.a.to_string());
      w.field("b", term.b.to_string());
    }
    w.field("value", term.value.to_string());
    w.field("zero", term.zero);
    w.field("exponent", term.exponent);
    w.field("negative", term.negative);
    w.field("kept_bits", term.kept);
    w.field("dropped_bits", term.dropped);
    w.field("dropped_more", term.dropped_more);
    w.field("kept_value", term.kept_value.to_string());
    w.end_object();
  }
  w.end_array();
  w.field("empty", t.empty);
  w.field("max_exponent", t.max_exponent);
  w.field("unit_exp", t.unit_exp);
  w.field("sum", t.sum.to_string());
  w.field("sum_bits", t.sum_bits);
  w.field("sum_exponent", t.sum_exponent);
  w.field("fraction_bits", t.rounding_format.man_bits);
  w.field("inexact", t.rounding.inexact);
  w.field("format", m.out().name);
  w.field("bits", hex_bits(m.out(), t.bits));
  w.field("value", t.result.to_string());
  w.field("exact", t.exact.to_string());
  w.field("error_abs", t.error_abs.to_plain());
  w.end_object();
  return w.str();
}

}  // namespace mantissa
