// The `explain --json` face of a trace: each step becomes an object with its
// "kind" and only the fields that kind fills (see TraceStep in trace.h).
#include "core/json.h"
#include "core/trace.h"

namespace mantissa {

namespace {

void write_row(JsonWriter& w, std::string_view key, const BitRow& r) {
  w.key(key).begin_object();
  w.field("bits", r.bits);
  w.field("lsb_exp", r.lsb_exp);
  w.field("msb_exp", r.msb_exp());
  w.field("sticky", r.sticky);
  w.end_object();
}

void write_value_fields(JsonWriter& w, const TraceStep& s) {
  w.field("format", s.format.name);
  w.field("bits", hex_bits(s.format, s.bits));
  w.field("binary", binary_fields(s.format, s.bits));
  w.field("sign", s.negative ? 1 : 0);
  w.field("exponent_field", s.exponent_field);
  w.field("exponent", s.exponent);
  w.field("class", float_class_name(s.cls));
  w.field("value", exact_value(s.format, s.bits).to_string());
  if (!s.significand.bits.empty()) write_row(w, "significand", s.significand);
}

void write_step(JsonWriter& w, const TraceStep& s) {
  w.begin_object();
  w.field("kind", trace_step_kind_name(s.kind));
  if (s.operand >= 0) w.field("operand", s.operand);
  switch (s.kind) {
    case TraceStepKind::Decode:
      write_value_fields(w, s);
      break;
    case TraceStepKind::Convert:
      w.field("from_format", s.from_format.name);
      w.field("from_bits", hex_bits(s.from_format, s.from_bits));
      w.field("from_binary", binary_fields(s.from_format, s.from_bits));
      write_value_fields(w, s);
      w.field("rebias", s.rebias);
      w.field("pad_bits", s.pad_bits);
      w.field("widening", s.pad_bits >= 0 && s.from_format.exp_bits <= s.format.exp_bits);
      w.field("exact", s.exact);
      write_rounding_json(w, s.rounding, s.options);
      break;
    case TraceStepKind::Align:
      w.field("shift", s.shift);
      write_row(w, "before", s.before);
      write_row(w, "after", s.after);
      w.field("guard", s.guard ? 1 : 0);
      w.field("round", s.round_bit ? 1 : 0);
      w.field("sticky", s.sticky ? 1 : 0);
      w.field("collapsed", s.collapsed);
      break;
    case TraceStepKind::Add:
    case TraceStepKind::Sub:
    case TraceStepKind::Mul:
      write_row(w, "lhs", s.lhs);
      write_row(w, "rhs", s.rhs);
      write_row(w, s.kind == TraceStepKind::Mul ? "product" : "sum", s.sum);
      w.field("sign", s.negative ? 1 : 0);
      if (s.kind == TraceStepKind::Mul) {
        w.field("exponent_a", s.exponent_before);
        w.field("exponent_b", s.exponent_after);
        w.field("exponent", s.exponent);
      } else {
        w.field("effective_subtract", s.effective_subtract);
      }
      w.field("carry_out", s.carry_out);
      w.field("leading_zeros", s.leading_zeros);
      break;
    case TraceStepKind::Normalize:
      w.field("shift", s.shift);
      w.field("direction", s.shift > 0 ? "right" : s.shift < 0 ? "left" : "none");
      w.field("exponent_before", s.exponent_before);
      w.field("exponent_after", s.exponent_after);
      w.field("subnormal", s.cls == FloatClass::Subnormal);
      write_row(w, "before", s.before);
      write_row(w, "after", s.after);
      break;
    case TraceStepKind::Round:
      write_rounding_fields(w, s.rounding, s.options);
      w.field("kept_exp", s.rounding.kept_exp);
      if (!s.before.bits.empty()) write_row(w, "kept", s.before);
      w.field("renormalized", s.renormalized);
      write_value_fields(w, s);
      break;
    case TraceStepKind::Result:
      write_value_fields(w, s);
      w.field("exact_result", s.exact_result.to_string());
      if (s.error_abs) w.field("error_abs", s.error_abs->to_plain());
      if (s.error_rel) w.field("error_rel", *s.error_rel);
      if (s.error_ulp) w.field("error_ulp", *s.error_ulp);
      w.key("flags").begin_object();
      w.field("exact", s.exact);
      w.field("inexact", s.inexact);
      w.field("overflow", s.overflow);
      w.field("underflow", s.underflow);
      w.field("invalid", s.invalid);
      w.end_object();
      break;
    case TraceStepKind::Special:
      w.field("special", special_kind_name(s.special));
      switch (s.special) {
        case SpecialKind::UpdateLost:
          w.field("half_ulp", s.threshold ? s.threshold->to_plain() : "");
          w.field("ratio", s.ratio);
          w.field("rule_ratio_log2", s.ratio_rule_log2);
          w.field("rule_ratio", Decimal::pow2(s.ratio_rule_log2).to_plain());
          w.field("shift", s.shift);
          w.field("mode", rounding_mode_name(s.options.mode));
          break;
        case SpecialKind::SignedZero:
          w.field("sign", s.negative ? 1 : 0);
          w.field("effective_subtract", s.effective_subtract);
          break;
        case SpecialKind::ZeroOperand:
          break;
        case SpecialKind::SubnormalOperand:
        case SpecialKind::SubnormalResult:
          if (s.threshold) w.field("min_normal", s.threshold->to_plain());
          write_value_fields(w, s);
          break;
        default:
          write_value_fields(w, s);
          break;
      }
      break;
  }
  w.end_object();
}

void write_steps(JsonWriter& w, const OperationTrace& t) {
  w.begin_array();
  for (const TraceStep& s : t.steps) write_step(w, s);
  w.end_array();
}

// The result as a convert-style report: the "input" is the exact result.
ConvertReport result_report(const OperationTrace& t) {
  ConvertReport r;
  r.result = t.result;
  r.input = t.exact;
  r.input_binary = binary_expansion(t.exact, 80);
  r.error_abs = t.error_abs;
  r.error_rel = t.error_rel;
  r.error_ulp = t.error_ulp;
  r.options = t.options;
  r.rounding = t.rounding;
  const Format& f = t.format;
  if (t.result.value.is_finite()) r.ulp = Decimal::pow2(ulp_exponent(f, t.result.bits));
  r.next_up = has_next_up(f, t.result.bits) ? exact_value(f, next_up(f, t.result.bits)) : ExactValue::nan();
  r.next_down =
      has_next_down(f, t.result.bits) ? exact_value(f, next_down(f, t.result.bits)) : ExactValue::nan();
  return r;
}

}  // namespace

std::string trace_steps_json(const OperationTrace& t) {
  JsonWriter w;
  write_steps(w, t);
  return w.str();
}

std::string explanation_json(const Explanation& e) {
  const OperationTrace& t = e.trace;
  JsonWriter w;
  w.begin_object();
  w.field("op", trace_op_name(t.op));
  w.field("format", t.format.name);
  w.field("mode", rounding_mode_name(t.options.mode));
  w.key("operands").begin_array();
  for (const ConvertReport& r : e.operands) w.raw(convert_report_json(r));
  w.end_array();
  w.key("steps");
  write_steps(w, t);
  w.key("result").raw(convert_report_json(result_report(t)));
  w.field("update_lost", t.update_lost);
  w.field("invalid", t.invalid);
  w.end_object();
  return w.str();
}

}  // namespace mantissa
