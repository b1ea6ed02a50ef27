// What the Inspector shows, computed from its scenario inputs by the core
// (convert.h): one ConvertReport per format row, plus the comparison with
// rounding through fp32 first. Recomputed only when the inputs change.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/convert.h"
#include "scenario/scenario.h"

namespace mantissa::app {

struct InspectorRow {
  Format format;
  bool custom = false;
  ConvertReport report;
  std::string why;  // the core's one-line reason for the rounding ("rounded down …: guard 0, …")
  // Rounding into fp32 first and then into this format (the tutorial's
  // path), for formats narrower than fp32; set when it differs from the
  // direct rounding.
  std::optional<ConvertReport> via_fp32;
};

struct InspectorModel {
  bool valid = false;             // false until a first input parsed
  ExactValue input;               // the exact value typed (or the bit pattern's value)
  std::string input_kind;         // "decimal", "hex-float", "bits", "inf", "nan"
  std::string input_bits_format;  // for "bits": the format the pattern was read in
  std::string expansion_bits;     // leading significant bits of |input| ("1000111…"), finite non-zero only
  bool expansion_more = false;    // non-zero bits follow expansion_bits
  int expansion_exp = 0;          // the leading bit's power of two
  std::vector<InspectorRow> rows;
};

// The rows' formats: the standard formats, then the custom one if it parses.
// On a bad custom name, *custom_error is set and the row is left out.
std::vector<Format> inspector_formats(const InspectorScenario& s, std::string* custom_error);

// The rounding options the inspector's controls describe.
RoundingOptions inspector_options(const InspectorScenario& s);

// Computes the model for the inputs. False with a one-sentence *error when
// the value (or its bit format) does not parse; *out is left untouched.
bool compute_inspector(const InspectorScenario& s, InspectorModel* out, std::string* error);

// The cached model for these inputs: recomputed only when they differ from
// the last call's. `error` (may be null) receives the current input error
// ("" when fine); the model is then the last good one.
const InspectorModel& inspector_model(const InspectorScenario& s, std::string* error = nullptr,
                                      std::string* custom_error = nullptr);

// Index of the row for a format name (canonical or alias), or -1.
int inspector_row_index(const InspectorModel& m, const std::string& name);

}  // namespace mantissa::app
