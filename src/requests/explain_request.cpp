// `explain`'s options: one traced operation (the CLI's `mantissa explain`,
// the JS API's explain() and the Addition panel).
#include "core/trace.h"
#include "requests/requests.h"

namespace mantissa {

namespace {

const char* const kExplainUsage =
    "explain needs OP A B [C] and --format F (e.g. mantissa explain add 1.125 0.00041999 --format fp16); "
    "OP is add, sub, mul or fma";

}  // namespace

requests::Args explain_args() {
  return requests::Args({"--format", "--a-format", "--b-format", "--c-format", "--round", "--seed"},
                        {"--saturate", "--ftz", "--json"});
}

bool explain_request_from_args(const requests::Args& args, ExplainRequest* out, std::string* error) {
  const std::vector<std::string>& pos = args.positional();
  if (pos.empty()) return *error = kExplainUsage, false;
  ExplainRequest req;
  if (!parse_trace_op(pos[0], &req.op, error)) return false;
  const size_t arity = static_cast<size_t>(trace_op_arity(req.op));
  if (pos.size() - 1 != arity) {
    *error = std::string(trace_op_name(req.op)) + " takes " + std::to_string(arity) + " operands; got " +
             std::to_string(pos.size() - 1);
    return false;
  }
  req.values.assign(pos.begin() + 1, pos.end());
  if (!args.has("--format")) {
    return *error = "explain needs --format FORMAT, the arithmetic format (e.g. --format fp16)", false;
  }
  if (!args.any_format("--format", &req.format, error)) return false;
  static const char* const flags[] = {"--a-format", "--b-format", "--c-format"};
  for (size_t i = 0; i < 3; ++i) {
    if (!args.has(flags[i])) {
      req.operand_formats.emplace_back();
      continue;
    }
    if (i >= arity) return *error = std::string(flags[i]) + " is only for fma (the third operand)", false;
    Format f;
    if (!args.any_format(flags[i], &f, error)) return false;
    req.operand_formats.emplace_back(f);
  }
  if (!args.rounding(&req.options, error)) return false;
  *out = std::move(req);
  return true;
}

}  // namespace mantissa
