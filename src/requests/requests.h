// Requests in words: the options of `convert`, `simulate` and `explain`,
// parsed and validated into the core's request types. Every face reads them
// here (the CLI's subcommands, the JS API in src/bindings, the app's
// Training panel), so all take the same options the same way and refuse bad
// ones with the same sentence. No I/O.
#pragma once
#include <string>

#include "core/convert.h"
#include "core/trace.h"
#include "requests/args.h"
#include "sim/setup.h"

namespace mantissa {

// The flags `mantissa convert` accepts, and the request they describe
// (argv: convert VALUE --to F [--from F] [--via F] [--round M] [--seed N] [--saturate] [--ftz]).
requests::Args convert_args();
bool convert_request_from_args(const requests::Args& args, ConvertRequest* out, std::string* error);

// The same for `mantissa simulate` (see its --help).
requests::Args simulate_args();
bool simulate_setup_from_args(const requests::Args& args, sim::Setup* out, std::string* error);

// The same for `mantissa explain` (argv: explain OP A B [C] --format F ...).
requests::Args explain_args();
bool explain_request_from_args(const requests::Args& args, ExplainRequest* out, std::string* error);

}  // namespace mantissa
