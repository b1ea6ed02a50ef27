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
  for (const Format& f : standard_formats()) {
    const std::string max = landmark(f, f.max_finite_bits());
    const std::string min_normal = landmark(f, f.min_normal_bits());
    const std::string min_sub = landmark(f, min_subnormal_bits(f));
    const std::string eps = Decimal::pow2(-f.man_bits).to_plain();
    const double digits = f.precision() * std::log10(2.0);
    if (json) {
      w.begin_object();
      w.field("format", f.name);
      w.field("width", f.width());
      w.field("exponent_bits", f.exp_bits);
      w.field("mantissa_bits", f.man_bits);
      w.field("kind", f.kind == FormatKind::Ieee ? "ieee" : "finite");
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
      text += std::string(head) + (f.has_inf() ? "" : "(no inf) ") + "~" + dig + " decimal digits\n";
      text += "    max finite     " + max + "\n";
      text += "    min normal     " + min_normal + "\n";
      text += "    min subnormal  " + min_sub + "\n";
      text += "    epsilon        " + eps + "\n";
    }
  }
  if (json) {
    w.end_array();
    std::printf("%s\n", w.str().c_str());
  } else {
    text +=
        "\nCustom formats: eXmY (IEEE-like) or eXmYfn (E4M3-like: no inf, one NaN), 2 <= X <= 11, 1 <= Y <= "
        "52.\n";
    std::fputs(text.c_str(), stdout);
  }
  return 0;
}

}  // namespace mantissa
