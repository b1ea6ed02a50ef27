// Requests in words: the options of `convert`, `simulate` and `explain`,
// parsed and validated into the core's request types. Every face reads them
// here (the CLI's subcommands, the JS API in src/bindings, the app's
// Training panel), so all take the same options the same way and refuse bad
// ones with the same sentence. No I/O.
#pragma once
#include <string>

#include <optional>
#include <vector>

#include "core/block_format.h"
#include "core/convert.h"
#include "core/trace.h"
#include "requests/args.h"
#include "sim/scenario.h"

namespace mantissa {

// The flags `mantissa convert` accepts, and the request they describe
// (argv: convert VALUE --to F [--from F] [--via F] [--round M] [--seed N] [--saturate] [--ftz]).
requests::Args convert_args();
bool convert_request_from_args(const requests::Args& args, ConvertRequest* out, std::string* error);

// The same for `mantissa simulate` (see its --help).
requests::Args simulate_args();
bool simulate_scenario_from_args(const requests::Args& args, sim::Scenario* out, std::string* error);

// The same for `mantissa explain` (argv: explain OP A B [C] --format F ...).
requests::Args explain_args();
bool explain_request_from_args(const requests::Args& args, ExplainRequest* out, std::string* error);

// `mantissa quantize --format F [--scale-rule ocp|ceil] [--block N] [--pad zero]
// [--round M] [--seed N] (--values LIST | --file F) [--json]`.
struct QuantizeRequest {
  BlockFormat format;
  QuantizeOptions options;
  std::vector<double> values;       // from --values, or filled from the file's bytes
  std::optional<std::string> file;  // the face reads it, then calls quantize_values_from_bytes
};
requests::Args quantize_args();
bool quantize_request_from_args(const requests::Args& args, QuantizeRequest* out, std::string* error);
// "1.5, -2, 0x1p-3, nan": each an exact decimal or hex float rounded once to fp64.
bool quantize_values_from_list(std::string_view list, std::vector<double>* out, std::string* error);
// A .npy file (<f4, <f8, <f2) or raw little-endian fp32.
bool quantize_values_from_bytes(std::string_view bytes, std::vector<double>* out, std::string* error);

}  // namespace mantissa
