// `quantize`'s options: block quantization (the CLI's `mantissa quantize`;
// the JS API and the Blocks view will read the same request).
#include "core/block_format.h"
#include "core/parse.h"
#include "tensors/tensor_reader.h"
#include "core/value.h"
#include "requests/requests.h"

namespace mantissa {

requests::Args quantize_args() {
  return requests::Args(
      {"--format", "--scale-rule", "--block", "--round", "--seed", "--values", "--file", "--pad"},
      {"--json"});
}

bool quantize_values_from_list(std::string_view list, std::vector<double>* out, std::string* error) {
  out->clear();
  size_t p = 0;
  while (p <= list.size()) {
    size_t end = list.find(',', p);
    if (end == std::string_view::npos) end = list.size();
    std::string_view item = list.substr(p, end - p);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty())
      return *error = "--values has an empty item (expected numbers separated by commas)", false;
    if (out->size() >= kMaxQuantizeValues) {
      return *error = "--values holds more than " + std::to_string(kMaxQuantizeValues) + " values", false;
    }
    ParsedValue parsed;
    std::string why;
    if (!parse_value(item, &parsed, &why) || parsed.kind == ParsedValue::Kind::Bits) {
      *error = "--values item '" + std::string(item.substr(0, 40)) + "' is not a number" +
               (why.empty() ? "" : " (" + why + ")");
      return false;
    }
    // Typed decimals are rounded once to fp64 (RNE): the input of quantization.
    out->push_back(to_double(fp64(), round_exact(fp64(), parsed.value, RoundingOptions{}).bits));
    p = end + 1;
  }
  return true;
}

bool quantize_values_from_bytes(std::string_view bytes, std::vector<double>* out, std::string* error) {
  if (tensors::looks_like_npy(bytes)) return tensors::read_npy(bytes, kMaxQuantizeValues, out, error);
  return tensors::read_raw_f32(bytes, kMaxQuantizeValues, out, error);
}

bool quantize_options_from_args(const requests::Args& args, QuantizeRequest* out, std::string* error) {
  QuantizeRequest& req = *out;
  auto name = args.value("--format");
  if (!name) {
    return *error =
               "quantize needs --format F (mxfp4, mxfp6-e2m3, mxfp6-e3m2, mxfp8-e4m3, mxfp8-e5m2, mxint8, "
               "nvfp4)",
           false;
  }
  if (!parse_block_format(*name, &req.format, error)) return false;
  if (auto rule = args.value("--scale-rule")) {
    if (req.format.tensor_scale) {
      return *error =
                 "--scale-rule is for the MX formats; nvfp4's E4M3 block scale has its own published rule",
             false;
    }
    if (!parse_scale_rule(*rule, &req.options.rule, error)) return false;
  }
  if (args.has("--block")) {
    uint64_t b = 0;
    if (!args.uint("--block", &b, error)) return false;
    if (b < 1 || b > static_cast<uint64_t>(kMaxBlock)) {
      *error = "--block must be between 1 and " + std::to_string(kMaxBlock) + "; got " +
               args.value("--block")->substr(0, 20);
      return false;
    }
    req.options.block = static_cast<int>(b);
  }
  if (auto pad = args.value("--pad")) {
    if (*pad != "zero") return *error = "--pad takes 'zero' (the last block as if padded with zeros)", false;
    req.options.pad = true;
  }
  return args.rounding(&req.options.rounding, error);
}

bool quantize_request_from_args(const requests::Args& args, QuantizeRequest* out, std::string* error) {
  QuantizeRequest req;
  if (!args.positional().empty()) {
    return *error = "quantize takes no positional arguments; give --values LIST or --file F", false;
  }
  if (!quantize_options_from_args(args, &req, error)) return false;
  const bool has_values = args.has("--values"), has_file = args.has("--file");
  if (has_values == has_file)
    return *error = "quantize needs exactly one of --values LIST and --file F", false;
  if (has_values && !quantize_values_from_list(*args.value("--values"), &req.values, error)) return false;
  if (has_file) req.file = *args.value("--file");
  *out = std::move(req);
  return true;
}

}  // namespace mantissa
