// `mantissa explain`: the tutorial's second question (why does an fp16
// update get lost?) on the command line: one operation, every step.
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "core/trace.h"
#include "requests/requests.h"

namespace mantissa {

int cmd_explain(int argc, char** argv) {
  // `explain dot ...` walks through a tensor-core block (src/cli/cmd_dot.cpp).
  if (argc > 1 && std::string(argv[1]) == "dot") return cmd_explain_dot(argc - 1, argv + 1);
  requests::Args args = explain_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  ExplainRequest req;
  if (!explain_request_from_args(args, &req, &error)) return cli::fail(error);
  Explanation e;
  if (!explain(req, &e, &error)) return cli::fail(error);
  const std::string out = args.has("--json") ? explanation_json(e) + "\n" : explanation_text(e);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace mantissa
