#include "core/convert.h"

#include <cmath>

namespace mantissa {

StoredValue make_stored(const Format& f, uint64_t bits) {
  StoredValue s;
  s.format = f;
  s.bits = bits & f.width_mask();
  s.fields = decode(f, s.bits);
  s.value = exact_value(f, s.bits);
  return s;
}

namespace {

// a / b for exact decimals of any size, as a double (b != 0).
double ratio(const Decimal& a, const Decimal& b) {
  const int64_t k = b.decimal_exponent();
  return a.scaled_pow10(-k).to_double() / b.scaled_pow10(-k).to_double();
}

}  // namespace

ConvertReport convert_exact(const ExactValue& input, const Format& to, const std::optional<Format>& via,
                            const RoundingOptions& opt) {
  ConvertReport r;
  r.input = input;
  r.options = opt;
  r.input_binary = binary_expansion(input, 80);
  Rounded rounded;
  if (via) {
    Rounded first = round_exact(*via, input, opt);
    r.via = make_stored(*via, first.bits);
    RoundingOptions second = opt;
    second.counter = opt.counter + 1;  // a fresh random draw for the second rounding
    rounded = convert_bits(*via, first.bits, to, second);
  } else {
    rounded = round_exact(to, input, opt);
  }
  r.rounding = rounded.info;
  r.result = make_stored(to, rounded.bits);
  const ExactValue& value = r.result.value;
  if (value.is_finite() && input.is_finite()) {
    r.error_abs = value.value - input.value;
    if (!input.value.is_zero()) r.error_rel = ratio(*r.error_abs, input.value);
  }
  if (value.is_finite()) {
    const int u = ulp_exponent(to, r.result.bits);
    r.ulp = Decimal::pow2(u);
    if (r.error_abs) r.error_ulp = (*r.error_abs * Decimal::pow2(-u)).to_double();
  }
  r.next_up =
      has_next_up(to, r.result.bits) ? exact_value(to, next_up(to, r.result.bits)) : ExactValue::nan();
  r.next_down =
      has_next_down(to, r.result.bits) ? exact_value(to, next_down(to, r.result.bits)) : ExactValue::nan();
  return r;
}

bool convert(const ConvertRequest& req, ConvertReport* out, std::string* error) {
  ParsedValue parsed;
  if (!parse_value(req.value, &parsed, error)) return false;
  ExactValue input;
  const Format* from = req.from ? &*req.from : nullptr;
  if (!resolve_value(parsed, from, &input, error)) return false;
  if (parsed.kind == ParsedValue::Kind::Bits) {
    // A NaN pattern keeps its payload through the conversion: go bit to bit.
    if (decode(*from, parsed.bits).cls == FloatClass::NaN) {
      ConvertReport r = convert_exact(input, req.to, req.via, req.options);
      Rounded first{parsed.bits, {}};
      const Format* src = from;
      if (req.via) {
        first = convert_bits(*from, parsed.bits, *req.via, req.options);
        r.via = make_stored(*req.via, first.bits);
        src = &*req.via;
      }
      Rounded nan = convert_bits(*src, first.bits, req.to, req.options);
      if (first.info.invalid || nan.info.invalid) {
        *error = "NaN has no encoding in " + (first.info.invalid ? req.via->name : req.to.name) +
                 " (it has no NaN: every code is a number)";
        return false;
      }
      r.result = make_stored(req.to, nan.bits);
      r.rounding = nan.info;
      *out = r;
      return true;
    }
  }
  ConvertReport r = convert_exact(input, req.to, req.via, req.options);
  if (r.rounding.invalid || (r.via && req.via && round_exact(*req.via, input, req.options).info.invalid)) {
    const Format& f = r.rounding.invalid ? req.to : *req.via;
    *error = "'" + input.to_string() + "' has no encoding in " + f.name +
             (f.kind == FormatKind::Scale ? " (e8m0 holds positive powers of two only: no zero, no sign)"
                                          : " (it has no NaN: every code is a number)");
    return false;
  }
  *out = std::move(r);
  return true;
}

namespace {

std::string neighbour_string(const ExactValue& v) { return v.to_string(); }

}  // namespace

void write_rounding_fields(JsonWriter& w, const RoundInfo& info, const RoundingOptions& opt) {
  w.field("mode", rounding_mode_name(opt.mode));
  if (opt.mode == RoundingMode::Stochastic) {
    w.field("seed", opt.seed);
    w.field("counter", opt.counter);
  }
  w.field("guard", info.guard ? 1 : 0);
  w.field("round", info.round ? 1 : 0);
  w.field("sticky", info.sticky ? 1 : 0);
  w.field("direction", round_direction_name(info.direction));
  w.field("inexact", info.inexact);
  w.field("overflow", info.overflow);
  w.field("underflow", info.underflow);
  w.field("saturated", info.saturated);
  w.field("flushed", info.flushed);
}

void write_rounding_json(JsonWriter& w, const RoundInfo& info, const RoundingOptions& opt) {
  w.key("rounding").begin_object();
  write_rounding_fields(w, info, opt);
  w.end_object();
}

void write_stored_json(JsonWriter& w, const StoredValue& s) {
  const Format& f = s.format;
  w.field("format", f.name);
  w.field("bits", hex_bits(f, s.bits));
  w.field("binary", binary_fields(f, s.bits));
  w.field("sign", s.fields.negative ? 1 : 0);
  w.field("exponent", s.fields.exponent_field);
  w.field("mantissa", s.fields.mantissa_field);
  w.field("class", float_class_name(s.fields.cls));
  w.field("value", s.value.to_string());
  w.field("hex_float", hex_float(f, s.bits));
  w.field("int_pow2", integer_times_pow2(f, s.bits));
}

std::string convert_report_json(const ConvertReport& r) {
  JsonWriter w;
  w.begin_object();
  write_stored_json(w, r.result);
  w.field("input", r.input.to_string());
  w.field("input_binary", r.input_binary);
  if (r.error_abs) w.field("error_abs", r.error_abs->to_plain());
  if (r.error_rel) w.field("error_rel", *r.error_rel);
  if (r.error_ulp) w.field("error_ulp", *r.error_ulp);
  if (r.ulp) w.field("ulp", r.ulp->to_plain());
  const Format& f = r.result.format;
  w.key("next_up");
  if (has_next_up(f, r.result.bits))
    w.value(neighbour_string(r.next_up));
  else
    w.null();
  w.key("next_down");
  if (has_next_down(f, r.result.bits))
    w.value(neighbour_string(r.next_down));
  else
    w.null();
  write_rounding_json(w, r.rounding, r.options);
  if (r.via) {
    w.key("via").begin_object();
    w.field("format", r.via->format.name);
    w.field("bits", hex_bits(r.via->format, r.via->bits));
    w.field("value", r.via->value.to_string());
    w.end_object();
  }
  w.end_object();
  return w.str();
}

namespace {

std::string fmt_double(double v, const char* spec = "%.6g") {
  char buf[40];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

std::string line(const std::string& label, const std::string& text) {
  std::string l = "  " + label;
  if (l.size() < 16) l.append(16 - l.size(), ' ');
  return l + text + "\n";
}

std::string stored_lines(const StoredValue& s) {
  return line("bits", binary_fields(s.format, s.bits) + "   " + hex_bits(s.format, s.bits) + "   (" +
                          float_class_name(s.fields.cls) + ")") +
         line("value", s.value.to_string()) +
         line("as 2^k", integer_times_pow2(s.format, s.bits) + "   " + hex_float(s.format, s.bits));
}

std::string why(const ConvertReport& r) {
  const RoundInfo& i = r.rounding;
  if (r.input.kind != ExactValue::Kind::Finite) return "not a finite number: nothing to round";
  if (i.overflow) {
    return std::string("overflow: the magnitude exceeds the largest finite ") + r.result.format.name +
           " value" + (i.saturated ? ", clamped to it" : "");
  }
  std::string grs = "guard " + std::to_string(i.guard) + ", round " + std::to_string(i.round) + ", sticky " +
                    std::to_string(i.sticky);
  if (!i.inexact) return "exact: no non-zero bit falls past the precision";
  std::string reason;
  switch (r.options.mode) {
    case RoundingMode::NearestEven:
    case RoundingMode::NearestAway:
      if (!i.guard)
        reason = "below half an ulp";
      else if (i.round || i.sticky)
        reason = "above half an ulp";
      else
        reason = r.options.mode == RoundingMode::NearestEven ? "an exact tie, to the even neighbour"
                                                             : "an exact tie, away from zero";
      break;
    case RoundingMode::Stochastic:
      reason = "a random draw against the fractional distance";
      break;
    default:
      reason = rounding_mode_words(r.options.mode);
      break;
  }
  std::string out = std::string(i.direction == RoundDirection::Up ? "rounded up" : "rounded down") +
                    " (magnitude): " + grs + ", " + reason;
  if (i.flushed)
    out += "; the subnormal result was flushed to zero";
  else if (i.underflow)
    out += "; underflow (the result is subnormal and inexact)";
  return out;
}

}  // namespace

std::string convert_report_text(const ConvertReport& r) {
  std::string out = r.input.to_string() + " -> " + r.result.format.name + " (" +
                    rounding_mode_words(r.options.mode) + ")\n\n";
  out += line("input", r.input.to_string());
  out += line("binary", r.input_binary);
  if (r.via) {
    out += "\n first stored as " + r.via->format.name + ":\n" + stored_lines(*r.via);
    out += "\n then as " + r.result.format.name + ":\n";
  }
  out += stored_lines(r.result);
  if (r.error_abs) {
    std::string e = r.error_abs->to_plain();
    if (r.error_rel) e += "   (relative " + fmt_double(*r.error_rel, "%.4g");
    if (r.error_ulp)
      e += std::string(r.error_rel ? ", " : "   (") + fmt_double(*r.error_ulp, "%.4g") + " ulp";
    if (r.error_rel || r.error_ulp) e += ")";
    out += line("error", e);
  }
  if (r.ulp) out += line("ulp", r.ulp->to_plain());
  const Format& f = r.result.format;
  std::string nb = (has_next_down(f, r.result.bits) ? r.next_down.to_string() : "none") + "  <  value  <  " +
                   (has_next_up(f, r.result.bits) ? r.next_up.to_string() : "none");
  out += line("neighbours", nb);
  out += line("why", why(r));
  return out;
}

}  // namespace mantissa
