// The subcommands of the `mantissa` tool. Each lives in src/cli/cmd_NAME.cpp
// and has one row in the table in src/cli/main.cpp. argv[0] is the
// subcommand's own name; the return value is the process exit code (0 ok,
// 1 failure, 2 bad usage: see cli::fail below). Options are parsed by
// src/requests, which the JS API and the app share.
//
// To add a command: declare it here, add one row to the table in main.cpp,
// write src/cli/cmd_NAME.cpp. No build-system edits.
#pragma once
#include <string>

namespace mantissa {

namespace cli {
// Prints "mantissa: <message>" on stderr and returns the bad-usage exit code 2.
int fail(const std::string& message);
}  // namespace cli

int cmd_convert(int argc, char** argv);
int cmd_formats(int argc, char** argv);
int cmd_simulate(int argc, char** argv);
int cmd_accumulate(int argc, char** argv);
int cmd_explain(int argc, char** argv);
int cmd_dot(int argc, char** argv);
int cmd_gemm_error(int argc, char** argv);
int cmd_explain_dot(int argc, char** argv);  // `explain dot`
int cmd_quantize(int argc, char** argv);
int cmd_inspect(int argc, char** argv);
int cmd_train(int argc, char** argv);

}  // namespace mantissa
