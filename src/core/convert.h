// One conversion, fully explained: the tutorial's first question ("what
// happens to 1.12156456132 stored as fp32, then fp16?") as a data structure
// that the CLI prints, the JS API returns and the Inspector draws.
#pragma once
#include <optional>
#include <string>

#include "core/decimal.h"
#include "core/format.h"
#include "core/json.h"
#include "core/parse.h"
#include "core/rounding.h"
#include "core/value.h"

namespace mantissa {

struct ConvertRequest {
  std::string value;           // as typed: decimal, hex-float, bit pattern, inf, nan
  Format to;                   // target format
  std::optional<Format> from;  // format of a bit pattern
  std::optional<Format> via;   // round into this format first (double rounding)
  RoundingOptions options;
};

// A stored value in a format, with everything a reader needs to see it.
struct StoredValue {
  Format format;
  uint64_t bits = 0;
  Decoded fields;
  ExactValue value;
};

struct ConvertReport {
  StoredValue result;
  ExactValue input;
  std::string input_binary;          // first 80 significant bits of the input
  std::optional<Decimal> error_abs;  // value - input, when both are finite
  std::optional<double> error_rel;   // (value - input) / input
  std::optional<double> error_ulp;   // (value - input) / ulp
  std::optional<Decimal> ulp;        // spacing at the result (finite results)
  ExactValue next_up, next_down;
  RoundingOptions options;
  RoundInfo rounding;
  std::optional<StoredValue> via;
};

StoredValue make_stored(const Format& f, uint64_t bits);

// Parses, resolves and rounds. False with a one-sentence *error on bad input.
bool convert(const ConvertRequest& req, ConvertReport* out, std::string* error);

// Builds the report for an exact input rounded into `to` (optionally via another format).
ConvertReport convert_exact(const ExactValue& input, const Format& to, const std::optional<Format>& via,
                            const RoundingOptions& opt);

// The CLI's --json object (keys documented in the README).
std::string convert_report_json(const ConvertReport& r);
// The readable walkthrough.
std::string convert_report_text(const ConvertReport& r);
// The "rounding" object's fields (mode, seed, guard/round/sticky, direction, flags).
void write_rounding_fields(JsonWriter& w, const RoundInfo& info, const RoundingOptions& opt);
// The same fields as the member "rounding": {...}.
void write_rounding_json(JsonWriter& w, const RoundInfo& info, const RoundingOptions& opt);
// Convert-style object for any stored value (also used by `explain` operands).
void write_stored_json(JsonWriter& w, const StoredValue& s);

}  // namespace mantissa
