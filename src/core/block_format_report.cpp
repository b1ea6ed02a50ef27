// Printing a QuantizeReport: exact decimals for every value, so a reader (or
// a test with Python fractions) can check each element bit for bit.
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/block_format.h"
#include "core/json.h"
#include "core/value.h"

namespace mantissa {

namespace {

ExactValue exact_double(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return exact_value(fp64(), b);
}

std::string exact(double x) { return exact_double(x).to_string(); }

std::string g(double x, const char* fmt = "%.6g") {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, x);
  return buf;
}

std::string sqnr_text(double db) {
  if (std::isnan(db)) return "nan";
  if (std::isinf(db)) return "inf (exact)";
  return g(db, "%.2f") + " dB";
}

void write_stat(JsonWriter& w, const char* key, double v) {
  w.key(key);
  if (std::isfinite(v)) {
    w.value(v);
  } else {
    w.raw("null");  // NaN block, or an exact block's infinite SQNR (see README)
  }
}

}  // namespace

std::string quantize_exact_text(double x) { return exact(x); }

// dequantized - input, exactly (both are doubles, their difference may not be).
std::string quantize_error_text(double dq, double x) {
  const ExactValue a = exact_double(dq), b = exact_double(x);
  if (!a.is_finite() || !b.is_finite()) return "nan";
  const Decimal d = a.value - b.value;
  return d.is_zero() ? "0" : d.to_plain();
}

std::string quantize_report_json(const QuantizeReport& r) {
  const Format& el = r.format.element;
  JsonWriter w;
  w.begin_object();
  w.field("format", r.format.name);
  w.field("element_format", el.name);
  w.field("scale_format", r.format.scale.name);
  w.field("scale_rule", scale_rule_name(r.options.rule));
  w.field("block", r.block);
  w.field("round", rounding_mode_name(r.options.rounding.mode));
  if (r.options.rounding.mode == RoundingMode::Stochastic) w.field("seed", r.options.rounding.seed);
  if (r.format.tensor_scale) {
    w.field("amax_tensor", exact(r.amax_tensor));
    w.field("tensor_scale", exact(r.tensor_scale));
    w.field("tensor_decode", exact(r.tensor_decode));
  }
  write_stat(w, "max_rel_error", r.max_rel_error);
  write_stat(w, "rms_rel_error", r.rms_rel_error);
  write_stat(w, "sqnr_db", r.sqnr_db);
  w.field("clipped", r.clipped);
  w.field("flushed", r.flushed);
  w.key("blocks").begin_array();
  for (const QuantizedBlock& b : r.blocks) {
    w.begin_object();
    w.field("first", static_cast<uint64_t>(b.first));
    w.field("scale_bits", hex_bits(r.format.scale, b.scale_bits));
    w.field("scale", std::isnan(b.scale) ? std::string("nan") : exact(b.scale));
    if (!r.format.tensor_scale) w.field("scale_exp", b.scale_exp);
    w.field("non_finite", b.non_finite);
    w.field("scale_clamped", b.scale_clamped);
    write_stat(w, "max_rel_error", b.max_rel_error);
    write_stat(w, "rms_rel_error", b.rms_rel_error);
    write_stat(w, "sqnr_db", b.sqnr_db);
    w.field("clipped", b.clipped);
    w.field("flushed", b.flushed);
    w.key("elements").begin_array();
    for (const QuantizedElement& e : b.elements) {
      w.begin_object();
      w.field("input", exact(e.input));
      w.field("bits", hex_bits(el, e.bits));
      w.field("binary", binary_fields(el, e.bits));
      w.field("element", b.non_finite ? std::string("nan") : exact_value(el, e.bits).to_string());
      w.field("dequantized", exact(e.dequantized));
      w.field("error", quantize_error_text(e.dequantized, e.input));
      w.field("clipped", e.clipped);
      w.field("flushed", e.flushed);
      w.field("subnormal", e.subnormal);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

std::string quantize_report_text(const QuantizeReport& r) {
  const Format& el = r.format.element;
  size_t n = 0;
  for (const QuantizedBlock& b : r.blocks) n += b.elements.size();
  std::string out = r.format.name + ": " + el.name + " elements, " + r.format.scale.name +
                    " scale per block of " + std::to_string(r.block) + " (" +
                    scale_rule_name(r.options.rule) + " rule, elements " +
                    rounding_mode_name(r.options.rounding.mode) + "); " + std::to_string(n) + " values in " +
                    std::to_string(r.blocks.size()) + " block" + (r.blocks.size() == 1 ? "" : "s") + "\n";
  if (r.format.tensor_scale) {
    out += "tensor: amax " + exact(r.amax_tensor) + ", s_enc = 6*448/amax = " + exact(r.tensor_scale) +
           " (fp32), s_dec = " + exact(r.tensor_decode) + "\n";
  }
  for (size_t bi = 0; bi < r.blocks.size(); ++bi) {
    const QuantizedBlock& b = r.blocks[bi];
    out += "\nblock " + std::to_string(bi) + " [" + std::to_string(b.first) + ".." +
           std::to_string(b.first + b.elements.size() - 1) + "]  scale " +
           binary_fields(r.format.scale, b.scale_bits) + " " + hex_bits(r.format.scale, b.scale_bits) + " = ";
    if (b.non_finite) {
      out += "NaN: a NaN or inf in the block (or no scale large enough) makes every element NaN\n";
      continue;
    }
    out += (r.format.tensor_scale ? exact(b.scale) : "2^" + std::to_string(b.scale_exp)) +
           (b.scale_clamped ? " (clamped to e8m0's range)" : "") + "\n";
    out += "  max rel error " + g(b.max_rel_error) + "  rms rel error " + g(b.rms_rel_error) + "  SQNR " +
           sqnr_text(b.sqnr_db) + "  clipped " + std::to_string(b.clipped) + "  flushed " +
           std::to_string(b.flushed) + "\n";
    char head[160];
    std::snprintf(head, sizeof head, "  %5s  %-22s %-14s %-12s %-22s %-14s %s\n", "i", "input", "bits",
                  "element", "dequantized", "error", "");
    out += head;
    for (size_t i = 0; i < b.elements.size(); ++i) {
      const QuantizedElement& e = b.elements[i];
      std::string flags;
      if (e.clipped) flags += " clipped";
      if (e.flushed) flags += " flushed-to-zero";
      if (e.subnormal) flags += " subnormal";
      char line[400];
      std::snprintf(line, sizeof line, "  %5zu  %-22s %-14s %-12s %-22s %-14s%s\n", b.first + i,
                    exact(e.input).substr(0, 22).c_str(), binary_fields(el, e.bits).c_str(),
                    exact_value(el, e.bits).to_string().c_str(), exact(e.dequantized).substr(0, 22).c_str(),
                    g(e.dequantized - e.input, "%.4g").c_str(), flags.c_str());
      out += line;
    }
  }
  out += "\nall: max rel error " + g(r.max_rel_error) + "  rms rel error " + g(r.rms_rel_error) + "  SQNR " +
         sqnr_text(r.sqnr_db) + "  clipped " + std::to_string(r.clipped) + "  flushed " +
         std::to_string(r.flushed) + "\n";
  return out;
}

}  // namespace mantissa
