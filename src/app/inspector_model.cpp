#include "app/inspector_model.h"

namespace mantissa::app {

std::vector<Format> inspector_formats(const InspectorScenario& s, std::string* custom_error) {
  std::vector<Format> formats = standard_formats();
  if (custom_error) custom_error->clear();
  if (!s.custom.empty()) {
    Format custom;
    std::string error;
    if (parse_any_format(s.custom, &custom, &error)) {
      formats.push_back(custom);
    } else if (custom_error) {
      *custom_error = error;
    }
  }
  return formats;
}

RoundingOptions inspector_options(const InspectorScenario& s) {
  RoundingOptions opt;
  RoundingMode mode;
  std::string ignored;
  if (parse_rounding_mode(s.mode, &mode, &ignored)) opt.mode = mode;
  opt.seed = s.seed;
  opt.saturate = s.saturate;
  opt.ftz = s.ftz;
  return opt;
}

namespace {

const char* kind_name(ParsedValue::Kind k) {
  switch (k) {
    case ParsedValue::Kind::Decimal:
      return "decimal";
    case ParsedValue::Kind::HexFloat:
      return "hex-float";
    case ParsedValue::Kind::Bits:
      return "bits";
    case ParsedValue::Kind::Infinity:
      return "inf";
    case ParsedValue::Kind::NaN:
      return "nan";
  }
  return "decimal";
}

// How many of the input's leading bits the expansion line shows: a little
// past fp64's 53, so its cut mark and deciding bits are visible too.
constexpr int kExpansionBits = 64;

// The "why" line of the core's readable report: one explanation of a
// rounding decision, shared with the CLI.
std::string why_line(const ConvertReport& r) {
  const std::string text = convert_report_text(r);
  const std::string key = "\n  why";
  const size_t at = text.find(key);
  if (at == std::string::npos) return "";
  size_t start = text.find_first_not_of(' ', at + key.size());
  const size_t end = text.find('\n', start);
  return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

bool compute_inspector(const InspectorScenario& s, InspectorModel* out, std::string* error) {
  ParsedValue parsed;
  if (!parse_value(s.value, &parsed, error)) return false;
  std::optional<Format> from;
  if (parsed.kind == ParsedValue::Kind::Bits) {
    Format f;
    if (!parse_any_format(s.from, &f, error)) return false;
    from = f;
  }
  ExactValue input;
  if (!resolve_value(parsed, from ? &*from : nullptr, &input, error)) return false;

  InspectorModel m;
  m.valid = true;
  m.input = input;
  m.input_kind = kind_name(parsed.kind);
  if (from) m.input_bits_format = from->name;
  if (input.is_finite() && !input.is_zero()) {
    m.expansion_bits = input.value.leading_bits(kExpansionBits, &m.expansion_more);
    m.expansion_exp = static_cast<int>(input.value.binary_exponent());
  }

  ConvertRequest req;
  req.value = s.value;
  req.from = from;
  req.options = inspector_options(s);
  const std::vector<Format> formats = inspector_formats(s, nullptr);
  for (size_t i = 0; i < formats.size(); ++i) {
    const Format& f = formats[i];
    InspectorRow row;
    row.format = f;
    row.custom = i >= standard_formats().size();
    req.to = f;
    req.via.reset();
    std::string refused;
    if (!convert(req, &row.report, &refused)) {
      // e8m0 has no zero and no sign: one row cannot encode the value, the
      // other rows still can. The row shows the core's NaN and the reason.
      if (f.kind != FormatKind::Scale) return *error = refused, false;
      row.report = convert_exact(input, f, std::nullopt, req.options);
      row.why = refused;
      m.rows.push_back(std::move(row));
      continue;
    }
    row.why = why_line(row.report);
    if (f.precision() < fp32().precision()) {
      req.via = fp32();
      ConvertReport via;
      if (convert(req, &via, error) && via.result.bits != row.report.result.bits) row.via_fp32 = via;
    }
    m.rows.push_back(std::move(row));
  }
  *out = std::move(m);
  return true;
}

const InspectorModel& inspector_model(const InspectorScenario& s, std::string* error,
                                      std::string* custom_error) {
  // One cache for the one Inspector: the inputs of the last computation,
  // the last good model and the current error.
  static InspectorScenario last_inputs;
  static bool have_inputs = false;
  static InspectorModel model;
  static std::string last_error, last_custom_error;

  const bool same = have_inputs && s.value == last_inputs.value && s.from == last_inputs.from &&
                    s.mode == last_inputs.mode && s.seed == last_inputs.seed &&
                    s.saturate == last_inputs.saturate && s.ftz == last_inputs.ftz &&
                    s.custom == last_inputs.custom;
  if (!same) {
    last_inputs = s;
    have_inputs = true;
    last_error.clear();
    InspectorModel fresh;
    if (compute_inspector(s, &fresh, &last_error)) {
      model = std::move(fresh);
      last_error.clear();
    }
    inspector_formats(s, &last_custom_error);
  }
  if (error) *error = last_error;
  if (custom_error) *custom_error = last_custom_error;
  return model;
}

int inspector_row_index(const InspectorModel& m, const std::string& name) {
  Format f;
  std::string ignored;
  if (!parse_any_format(name, &f, &ignored)) return -1;
  for (size_t i = 0; i < m.rows.size(); ++i) {
    if (m.rows[i].format == f) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace mantissa::app
