// `mantissa convert` and `mantissa formats`: the tutorial's first question
// (what does storing a number in a format do to it) on the command line.
#include <cmath>
#include <cstdio>

#include "cli/commands.h"
#include "core/convert.h"
#include "core/json.h"
#include "requests/requests.h"

namespace mantissa {

int cmd_convert(int argc, char** argv) {
  requests::Args args = convert_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  ConvertRequest req;
  if (!convert_request_from_args(args, &req, &error)) return cli::fail(error);
  ConvertReport report;
  if (!convert(req, &report, &error)) return cli::fail(error);
  std::string out = args.has("--json") ? convert_report_json(report) + "\n" : convert_report_text(report);
  std::fputs(out.c_str(), stdout);
  return 0;
}

namespace {

const char* kind_name(FormatKind k) {
  switch (k) {
    case FormatKind::Ieee:
      return "ieee";
    case FormatKind::Finite:
      return "finite";
    case FormatKind::NoSpecials:
      return "no-specials";
    case FormatKind::Int:
      return "int";
    case FormatKind::Scale:
      return "scale";
  }
  return "ieee";
}

// Exact decimal of a landmark bit pattern.
std::string landmark(const Format& f, uint64_t bits) { return exact_value(f, bits).to_string(); }

}  // namespace

int cmd_formats(int argc, char** argv) {
  requests::Args args({}, {"--json"});
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  if (!args.positional().empty()) return cli::fail("formats takes no arguments");
  const bool json = args.has("--json");
  JsonWriter w;
  if (json) w.begin_array();
  std::string text =
      "format     bits  exp  man   bias  max finite / min normal / min subnormal / epsilon (exact)\n";
  // The standard formats, then OCP MX v1.0's element and scale formats
  // (convert accepts all of them; int8-mx and e8m0 are not floats: an integer
  // grid has no normal range or epsilon, E8M0 no subnormals; "" then).
  std::vector<Format> listed = standard_formats();
  for (const Format* f : {&fp6_e2m3(), &fp6_e3m2(), &fp4_e2m1(), &int8_mx(), &e8m0()}) listed.push_back(*f);
  for (const Format& f : listed) {
    const bool is_int = f.kind == FormatKind::Int, is_scale = f.kind == FormatKind::Scale;
    const std::string max = landmark(f, f.max_finite_bits());
    const std::string min_normal = is_int ? "" : landmark(f, is_scale ? 0 : f.min_normal_bits());
    const std::string min_sub = is_scale ? "" : landmark(f, min_subnormal_bits(f));
    const std::string eps = f.is_float() ? Decimal::pow2(-f.man_bits).to_plain() : "";
    const double digits = f.precision() * std::log10(2.0);
    if (json) {
      w.begin_object();
      w.field("format", f.name);
      w.field("width", f.width());
      w.field("exponent_bits", f.exp_bits);
      w.field("mantissa_bits", f.man_bits);
      w.field("kind", kind_name(f.kind));
      w.field("bias", f.bias());
      w.field("min_subnormal", min_sub);
      w.field("min_normal", min_normal);
      w.field("max_finite", max);
      w.field("epsilon", eps);
      w.field("decimal_digits", std::round(digits * 100) / 100);
      w.end_object();
    } else {
      char head[64];
      std::snprintf(head, sizeof head, "%-10s %4d %4d %4d %6d  ", f.name.c_str(), f.width(), f.exp_bits,
                    f.man_bits, f.bias());
      char dig[32];
      std::snprintf(dig, sizeof dig, "%.2f", digits);
      const char* note = f.kind == FormatKind::Finite       ? "(no inf) "
                         : f.kind == FormatKind::NoSpecials ? "(no inf, no NaN) "
                         : is_int   ? "(MXINT8: two's complement x 2^-6, no inf, no NaN) "
                         : is_scale ? "(MX scale: 2^(bits-127), 0xff NaN, no zero, no sign) "
                                    : "";
      text += std::string(head) + note + "~" + dig + " decimal digits\n";
      text += "    max finite     " + max + "\n";
      if (!min_normal.empty()) text += "    min normal     " + min_normal + "\n";
      if (!min_sub.empty())
        text += std::string(is_int ? "    step           " : "    min subnormal  ") + min_sub + "\n";
      if (!eps.empty()) text += "    epsilon        " + eps + "\n";
    }
  }
  if (json) {
    w.end_array();
    std::printf("%s\n", w.str().c_str());
  } else {
    text +=
        "\nCustom formats: eXmY (IEEE-like), eXmYfn (E4M3-like: no inf, one NaN) or eXmYns (no inf, no NaN), "
        "2 <= X <= 11, 1 <= Y <= 52.\nBlock formats (mantissa quantize): mxfp8-e4m3, mxfp8-e5m2, mxfp6-e2m3, "
        "mxfp6-e3m2, mxfp4, mxint8 (E8M0 scale per 32), nvfp4 (E4M3 scale per 16, fp32 per tensor).\n";
    std::fputs(text.c_str(), stdout);
  }
  return 0;
}

}  // namespace mantissa
