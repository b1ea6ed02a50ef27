// `mantissa explain`: the tutorial's second question (why does an fp16
// update get lost?) on the command line: one operation, every step.
#include <cstdio>

#include "cli/commands.h"
#include "core/trace.h"
#include "requests/requests.h"

namespace mantissa {

int cmd_explain(int argc, char** argv) {
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
