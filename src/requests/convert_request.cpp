// `convert`'s options (the CLI's `mantissa convert` and the JS API's convert()).
#include "core/convert.h"
#include "requests/requests.h"

namespace mantissa {

requests::Args convert_args() {
  return requests::Args({"--to", "--from", "--via", "--round", "--seed"}, {"--saturate", "--ftz", "--json"});
}

bool convert_request_from_args(const requests::Args& args, ConvertRequest* out, std::string* error) {
  ConvertRequest req;
  if (args.positional().size() != 1) {
    *error = args.positional().empty()
                 ? "convert needs a VALUE (e.g. mantissa convert 1.12156456132 --to fp16)"
                 : "convert takes one VALUE; got " + std::to_string(args.positional().size());
    return false;
  }
  req.value = args.positional()[0];
  if (!args.has("--to")) return *error = "convert needs --to FORMAT (e.g. --to fp16)", false;
  if (!args.any_format("--to", &req.to, error)) return false;
  if (args.has("--from")) {
    Format f;
    if (!args.any_format("--from", &f, error)) return false;
    req.from = f;
  }
  if (args.has("--via")) {
    Format f;
    if (!args.any_format("--via", &f, error)) return false;
    req.via = f;
  }
  if (!args.rounding(&req.options, error)) return false;
  ParsedValue parsed;
  if (!parse_value(req.value, &parsed, error)) return false;
  if (req.from && parsed.kind != ParsedValue::Kind::Bits) {
    *error =
        "--from names the format of a bit pattern (0x3c00, 0b...); to round through a format first, use "
        "--via";
    return false;
  }
  *out = std::move(req);
  return true;
}

}  // namespace mantissa
