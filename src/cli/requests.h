// The CLI's flag parsing for `convert`, `simulate` and `explain`, shared with the JS API
// (src/bindings): both faces read the same options the same way and refuse
// bad ones with the same sentence.
#pragma once
#include <string>

#include "cli/args.h"
#include "core/convert.h"
#include "core/trace.h"
#include "sim/scenario.h"

namespace mantissa {

// The flags `mantissa convert` accepts, and the request they describe
// (argv: convert VALUE --to F [--from F] [--via F] [--round M] [--seed N] [--saturate] [--ftz]).
cli::Args convert_args();
bool convert_request_from_args(const cli::Args& args, ConvertRequest* out, std::string* error);

// The same for `mantissa simulate` (see its --help).
cli::Args simulate_args();
bool simulate_scenario_from_args(const cli::Args& args, sim::Scenario* out, std::string* error);

// The same for `mantissa explain` (argv: explain OP A B [C] --format F ...).
cli::Args explain_args();
bool explain_request_from_args(const cli::Args& args, ExplainRequest* out, std::string* error);

}  // namespace mantissa
