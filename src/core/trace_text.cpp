// The readable face of a trace: the tutorial's walkthrough, one step per
// paragraph, significands drawn in columns by weight so a shift shows as an
// offset and the precision cut as a '|'.
#include <cstdio>

#include "core/trace.h"

namespace mantissa {

namespace {

const char* const kOperandNames[] = {"a", "b", "c", "a×b"};

std::string operand_name(int i) { return i >= 0 && i < 4 ? kOperandNames[i] : "?"; }

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string signed_num(int v) { return (v > 0 ? "+" : "") + std::to_string(v); }

struct Line {
  std::string label;
  const BitRow* row;
  std::string note;
};

// Rows drawn in columns: the column of weight 2^point is followed by '.',
// the column of weight 2^cut by '|'. Very wide spans (huge shifts) are
// printed row by row with their weights instead.
std::string columns(const std::vector<Line>& lines, int point, int cut) {
  int hi = point, lo = point;
  for (const Line& l : lines) {
    if (l.row->bits.empty()) continue;
    hi = std::max(hi, l.row->msb_exp());
    lo = std::min(lo, l.row->lsb_exp);
  }
  std::string out;
  if (hi - lo > 160) {
    for (const Line& l : lines) {
      out += "  " + l.label + std::string(l.label.size() < 12 ? 12 - l.label.size() : 1, ' ') + l.row->bits +
             " ×2^" + std::to_string(l.row->lsb_exp) + (l.row->sticky ? " +sticky" : "") +
             (l.note.empty() ? "" : "   " + l.note) + "\n";
    }
    return out;
  }
  for (const Line& l : lines) {
    std::string s = "  " + l.label;
    s.append(s.size() < 14 ? 14 - s.size() : 1, ' ');
    for (int e = hi; e >= lo; --e) {
      const BitRow& r = *l.row;
      const int idx = r.msb_exp() - e;
      s += (!r.bits.empty() && idx >= 0 && idx < static_cast<int>(r.bits.size()))
               ? r.bits[static_cast<size_t>(idx)]
               : ' ';
      if (e == point && e != lo) s += '.';
      if (e == cut && e != lo) s += '|';
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    if (l.row->sticky) s += " (+sticky)";
    if (!l.note.empty()) s += "   " + l.note;
    out += s + "\n";
  }
  return out;
}

std::string value_line(const Format& f, uint64_t bits) {
  return "  " + binary_fields(f, bits) + "   " + hex_bits(f, bits) + "   = " +
         exact_value(f, bits).to_string() + " (" + f.name + ")\n";
}

std::string grs(bool g, bool r, bool s) {
  return "guard " + std::to_string(g) + ", round " + std::to_string(r) + ", sticky " + std::to_string(s);
}

// How the core rounds into int8-mx and e8m0 (round_int, round_scale in
// rounding.cpp): said once, for convert and round steps.
std::string grid_rule(const Format& f) {
  const std::string step = "2^-" + std::to_string(f.man_bits);
  const std::string max = exact_value(f, f.max_finite_bits()).to_string();
  if (f.kind == FormatKind::Int)
    return "rounds to a multiple of " + step + " (no exponent: the grid is the same everywhere); beyond ±" + max +
           " it clamps to ±" + max + " (the MX clamp: no inf, no NaN, and -128 × " + step +
           " is never produced)";
  return "rounds to a power of two: the 1-bit significand rounds in the chosen mode (a tie 1.5 × 2^k goes up, "
         "to 2^(k+1)); below 2^-127 it gives 2^-127 (no zero), above 2^127 NaN unless toward zero or "
         "--saturate; zero, negative or NaN gives NaN 0xff";
}

std::string decode_text(const TraceStep& s) {
  std::string out =
      "decode " + operand_name(s.operand) + " (" + s.format.name + "):\n" + value_line(s.format, s.bits);
  if (s.cls == FloatClass::NaN || s.cls == FloatClass::Infinity)
    return out + "  " + float_class_name(s.cls) + "\n";
  if (s.format.kind == FormatKind::Int) {  // no exponent and no hidden bit: a fixed grid
    const uint64_t n = s.negative ? (~s.bits + 1) & s.format.width_mask() : s.bits;
    return out + "  two's-complement integer " + (s.negative ? "-" : "") + std::to_string(n) + " × 2^-" +
           std::to_string(s.format.man_bits) + " (no exponent, no hidden bit: a fixed grid of 2^-" +
           std::to_string(s.format.man_bits) + ")\n";
  }
  if (s.format.kind == FormatKind::Scale) {  // no sign, no mantissa
    return out + "  exponent field " + std::to_string(s.exponent_field) + " - bias " +
           std::to_string(s.format.bias()) + " = " + std::to_string(s.exponent) + ": 2^" +
           std::to_string(s.exponent) + " (no sign bit, no mantissa: a power of two)\n";
  }
  out += "  sign " + std::to_string(s.negative) + ", exponent field " + std::to_string(s.exponent_field) +
         (s.cls == FloatClass::Normal ? " - bias " + std::to_string(s.format.bias())
                                      : " (subnormal/zero: exponent is emin)") +
         " = " + std::to_string(s.exponent) + ", significand " + s.significand.bits.substr(0, 1) + "." +
         s.significand.bits.substr(1) + " (hidden bit " + s.significand.bits.substr(0, 1) + ")\n";
  return out;
}

std::string convert_text(const TraceStep& s) {
  std::string out =
      "convert " + operand_name(s.operand) + " from " + s.from_format.name + " to " + s.format.name + ":\n";
  out += value_line(s.from_format, s.from_bits) + value_line(s.format, s.bits);
  if (!s.format.is_float()) {
    out += "  " + grid_rule(s.format) + "\n";
  } else if (!s.from_format.is_float()) {
    // From a grid: the value is re-encoded, no bias or fraction width to compare.
  } else if (s.cls == FloatClass::Normal || s.cls == FloatClass::Subnormal) {
    out += "  exponent re-biased by " + signed_num(s.rebias) + " (bias " +
           std::to_string(s.from_format.bias()) + " -> " + std::to_string(s.format.bias()) + ")";
    if (s.pad_bits > 0) out += ", fraction padded with " + std::to_string(s.pad_bits) + " zeros";
    if (s.pad_bits < 0)
      out += ", " + std::to_string(-s.pad_bits) + " fraction bits rounded off (" +
             grs(s.rounding.guard, s.rounding.round, s.rounding.sticky) + ")";
    out += "\n";
  }
  out += std::string("  ") +
         (s.exact ? "exact: the value is unchanged"
                  : "inexact: rounded " + std::string(round_direction_name(s.rounding.direction))) +
         "\n";
  return out;
}

std::string align_text(const TraceStep& s, int p) {
  std::string out = "align: " + operand_name(s.operand) +
                    " has the smaller exponent; its significand shifts right " + std::to_string(s.shift) +
                    (s.shift == 1 ? " place" : " places") + "\n";
  const int point = s.after.lsb_exp + static_cast<int>(s.after.bits.size()) - 1;
  BitRow after = s.after;
  after.sticky = false;  // what lies below is spelled out as guard, round, sticky
  out += columns({{"before", &s.before, ""}, {"after", &after, grs(s.guard, s.round_bit, s.sticky)}}, point,
                 s.after.lsb_exp);
  if (s.collapsed) out += "  every bit falls past guard and round: the whole operand is only sticky\n";
  (void)p;
  return out;
}

std::string arith_text(const TraceStep& s) {
  std::string out;
  const char* op = s.kind == TraceStepKind::Sub ? "-" : "+";
  if (s.kind == TraceStepKind::Mul) {
    out = std::string(s.operand == 3 ? "multiply (fma: exact, no rounding)" : "multiply") +
          ": exponents add (" + std::to_string(s.exponent_before) + " + " + std::to_string(s.exponent_after) +
          " = " + std::to_string(s.exponent) + "), significands multiply (" +
          std::to_string(s.sum.bits.size()) + " bits)\n";
    out += "  " + s.lhs.bits + " × " + s.rhs.bits + "\n  = " + s.sum.bits + "\n";
  } else {
    out = std::string(s.effective_subtract ? "subtract" : "add") + " the significands" +
          (s.effective_subtract ? " (signs differ)" : "") + ":\n";
    const int point = s.lhs.msb_exp();
    out += columns({{"", &s.lhs, ""}, {op, &s.rhs, ""}, {"=", &s.sum, ""}}, point, s.lhs.lsb_exp + 2);
  }
  if (s.carry_out) out += "  carry out: the result is one place wider\n";
  if (s.leading_zeros > 0)
    out += "  cancellation: " + std::to_string(s.leading_zeros) + " leading zero" +
           (s.leading_zeros == 1 ? "" : "s") + "\n";
  return out;
}

std::string normalize_text(const TraceStep& s, int p) {
  std::string out = "normalize: ";
  if (s.shift > 0)
    out += "shift right " + std::to_string(s.shift) + ", exponent " + std::to_string(s.exponent_before) +
           " -> " + std::to_string(s.exponent_after);
  else if (s.shift < 0)
    out += "shift left " + std::to_string(-s.shift) + ", exponent " + std::to_string(s.exponent_before) +
           " -> " + std::to_string(s.exponent_after);
  else
    out += "already normalised (exponent " + std::to_string(s.exponent_after) + ")";
  if (s.cls == FloatClass::Subnormal)
    out += "; below emin: subnormal, the exponent stays at " + std::to_string(s.exponent);
  out += "\n";
  const int point = s.after.lsb_exp + p + 1;
  out += columns({{"normalized", &s.after, ""}}, point, s.after.lsb_exp + 2);
  return out;
}

std::string round_text(const TraceStep& s) {
  const RoundInfo& i = s.rounding;
  std::string out = std::string("round (") + rounding_mode_words(s.options.mode);
  if (s.options.mode == RoundingMode::Stochastic) {
    out += ", seed " + std::to_string(s.options.seed) + ", counter " + std::to_string(s.options.counter);
  }
  out += "): " + grs(i.guard, i.round, i.sticky) + ": ";
  if (!i.inexact)
    out += "exact";
  else
    out += std::string(i.direction == RoundDirection::Up ? "rounded up" : "rounded down") + " (magnitude)";
  if (s.renormalized) out += "; the carry renormalises into the next binade";
  if (!s.format.is_float()) out += "\n  " + s.format.name + " " + grid_rule(s.format);
  if (s.rounding.invalid) out += "\n  invalid: no " + s.format.name + " value: NaN";
  out += "\n" + value_line(s.format, s.bits);
  return out;
}

std::string special_text(const TraceStep& s, const OperationTrace& t) {
  switch (s.special) {
    case SpecialKind::NanOperand:
      return "NaN: operand " + operand_name(s.operand) +
             " is NaN, so the result is NaN (quieted, payload kept)\n" + value_line(s.format, s.bits);
    case SpecialKind::InvalidInfMinusInf:
      return "invalid: inf - inf has no value; the result is NaN\n" + value_line(s.format, s.bits);
    case SpecialKind::InvalidZeroTimesInf:
      return "invalid: 0 × inf has no value; the result is NaN\n" + value_line(s.format, s.bits);
    case SpecialKind::Infinity:
      return "infinity: operand " + operand_name(s.operand) + " is infinite and decides the result\n" +
             value_line(s.format, s.bits);
    case SpecialKind::SignedZero:
      return std::string("signed zero: the exact result is zero; ") +
             (s.effective_subtract ? "x + (-x) is +0 (only rounding toward -inf gives -0)"
                                   : "the operands' common sign is kept") +
             ": " + (s.negative ? "-0" : "+0") + "\n";
    case SpecialKind::ZeroOperand:
      return "zero operand: " + operand_name(s.operand) + " is zero, nothing to align\n";
    case SpecialKind::SubnormalOperand:
      return "subnormal operand: " + operand_name(s.operand) + " is below the smallest normal " +
             (s.threshold ? s.threshold->to_plain() : "") + ": no hidden bit, exponent pinned at emin " +
             std::to_string(s.exponent) + "\n";
    case SpecialKind::SubnormalResult:
      return "subnormal result: the exact result is below the smallest normal " +
             (s.threshold ? s.threshold->to_plain() : std::string()) + ", so fewer than " +
             std::to_string(s.format.precision()) + " significant bits survive" +
             (s.rounding.underflow ? " (underflow: subnormal and inexact)" : "") + "\n";
    case SpecialKind::Flushed:
      return "flush to zero (--ftz): the subnormal result becomes a signed zero\n";
    case SpecialKind::Overflow:
      return "overflow: the rounded magnitude exceeds the largest finite " + s.format.name +
             " value: " + exact_value(s.format, s.bits).to_string() + "\n";
    case SpecialKind::Saturated:
      return "overflow, saturated: clamped to the largest finite " + s.format.name + " value " +
             exact_value(s.format, s.bits).to_string() + "\n";
    case SpecialKind::UpdateLost: {
      const size_t i = static_cast<size_t>(s.operand);
      const bool tie = s.threshold && i < t.converted.size() && t.converted[i].value.is_finite() &&
                       t.converted[i].value.value.abs() == *s.threshold;
      std::string out = "update lost: after alignment " + operand_name(s.operand) +
                        (tie ? " is exactly half an ULP of the larger operand (a tie, resolved by " +
                                   std::string(rounding_mode_words(s.options.mode)) + ")"
                             : " is below half an ULP of the larger operand, or rounded away by " +
                                   std::string(rounding_mode_words(s.options.mode))) +
                        " (half ULP = " + (s.threshold ? s.threshold->to_plain() : std::string()) +
                        "), so the sum rounds back to it. ";
      out += "The larger operand is " + num(s.ratio) + "× the smaller; in " + t.format.name + " (precision " +
             std::to_string(s.ratio_rule_log2) + " bits) an addend below 2^-" +
             std::to_string(s.ratio_rule_log2) + " = 1/" + Decimal::pow2(s.ratio_rule_log2).to_plain() +
             " of the weight is lost (the " + Decimal::pow2(s.ratio_rule_log2).to_plain() + "× rule)\n";
      return out;
    }
    case SpecialKind::None:
      break;
  }
  return "\n";
}

std::string result_text(const TraceStep& s) {
  std::string out = "result: " + s.value.to_string() + "\n" + value_line(s.format, s.bits);
  out += "  exact result  " + s.exact_result.to_string() + "\n";
  if (s.error_abs) {
    out += "  error         " + s.error_abs->to_plain();
    if (s.error_rel) out += "   (relative " + num(*s.error_rel);
    if (s.error_ulp) out += std::string(s.error_rel ? ", " : "   (") + num(*s.error_ulp) + " ulp";
    if (s.error_rel || s.error_ulp) out += ")";
    out += "\n";
  }
  std::string flags;
  for (auto [on, name] : {std::pair{s.exact, "exact"},
                          {s.inexact, "inexact"},
                          {s.overflow, "overflow"},
                          {s.underflow, "underflow"},
                          {s.invalid, "invalid"}}) {
    if (on) flags += (flags.empty() ? "" : ", ") + std::string(name);
  }
  out += "  flags         " + (flags.empty() ? std::string("none") : flags) + "\n";
  return out;
}

}  // namespace

std::string explanation_text(const Explanation& e) {
  const OperationTrace& t = e.trace;
  static const char* const symbols[] = {" + ", " - ", " × ", ""};
  std::string head;
  if (t.op == TraceOp::Fma) {
    head = "fma(" + t.operands[0].value.to_string() + ", " + t.operands[1].value.to_string() + ", " +
           t.operands[2].value.to_string() + ") = a×b + c, rounded once";
  } else {
    head =
        t.operands[0].value.to_string() + symbols[static_cast<int>(t.op)] + t.operands[1].value.to_string();
  }
  std::string out = head + " in " + t.format.name + " (" + rounding_mode_words(t.options.mode) + ")\n";
  for (size_t i = 0; i < e.operands.size(); ++i) {
    const ConvertReport& r = e.operands[i];
    if (r.input.is_finite() && r.error_abs && !r.error_abs->is_zero()) {
      out += "  (" + operand_name(static_cast<int>(i)) + " was typed as " + r.input.to_string() +
             " and stored as " + r.result.value.to_string() + " in " + r.result.format.name + ")\n";
    }
  }
  const int p = t.format.precision();
  for (const TraceStep& s : t.steps) {
    out += "\n";
    switch (s.kind) {
      case TraceStepKind::Decode:
        out += decode_text(s);
        break;
      case TraceStepKind::Convert:
        out += convert_text(s);
        break;
      case TraceStepKind::Align:
        out += align_text(s, p);
        break;
      case TraceStepKind::Add:
      case TraceStepKind::Sub:
      case TraceStepKind::Mul:
        out += arith_text(s);
        break;
      case TraceStepKind::Normalize:
        out += normalize_text(s, p);
        break;
      case TraceStepKind::Round:
        out += round_text(s);
        break;
      case TraceStepKind::Result:
        out += result_text(s);
        break;
      case TraceStepKind::Special:
        out += special_text(s, t);
        break;
    }
  }
  return out;
}

}  // namespace mantissa
