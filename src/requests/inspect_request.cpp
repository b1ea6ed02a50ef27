// `inspect`'s options: which files, which formats, the update question.
// No I/O here: the face opens the files and feeds the readers.
#include <cmath>
#include <cstdlib>

#include "requests/requests.h"

namespace mantissa {

requests::Args inspect_args() {
  return requests::Args({"--formats", "--scale", "--lr", "--grad-std", "--tensors"}, {"--json", "--csv", "--progress"});
}

namespace {

bool positive_number(const requests::Args& args, std::string_view flag, double* out, std::string* error) {
  const std::string s = *args.value(flag);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v <= 0) {
    return *error = std::string(flag) + " '" + s.substr(0, 40) + "' is not a positive finite number", false;
  }
  *out = v;
  return true;
}

}  // namespace

bool inspect_request_from_args(const requests::Args& args, InspectRequest* out, std::string* error) {
  if (args.positional().empty()) return *error = "inspect needs at least one FILE (.safetensors, .npy or .gguf)", false;
  if (!inspect_options_from_args(args, out, error)) return false;
  out->files = args.positional();
  return true;
}

bool inspect_options_from_args(const requests::Args& args, InspectRequest* out, std::string* error) {
  InspectRequest req;
  const std::string list = args.value("--formats").value_or("fp16,bf16,fp8-e4m3,fp8-e5m2,tf32");
  for (size_t p = 0; p <= list.size();) {
    size_t end = list.find(',', p);
    if (end == std::string::npos) end = list.size();
    const std::string name = list.substr(p, end - p);
    Format f;
    BlockFormat b;
    std::string why, block_why;
    if (parse_format(name, &f, &why)) {
      req.formats.push_back(f);
    } else if (parse_block_format(name, &b, &block_why)) {
      req.block_formats.push_back(b);
    } else {
      return *error = "--formats: " + why + "; or a block format: mxfp8-e4m3, mxfp8-e5m2, mxfp6-e2m3, mxfp6-e3m2, "
                      "mxfp4, mxint8, nvfp4", false;
    }
    p = end + 1;
  }
  if (req.formats.size() + req.block_formats.size() > 16) return *error = "--formats: at most 16 formats", false;
  if (auto scale = args.value("--scale")) {
    if (*scale == "tensor") req.scale = tensors::ScaleMode::Tensor;
    else if (*scale != "none")
      return *error = "--scale " + tensors::quoted_name(scale->substr(0, 20)) + " is not none or tensor", false;
  }
  if (args.has("--lr") != args.has("--grad-std")) return *error = "--lr and --grad-std go together", false;
  if (args.has("--lr")) {
    tensors::UpdateQuestion q;
    if (!positive_number(args, "--lr", &q.lr, error) || !positive_number(args, "--grad-std", &q.grad_std, error))
      return false;
    req.question = q;
  }
  if (auto pattern = args.value("--tensors")) {
    tensors::NamePattern compiled;
    std::string why;
    if (!tensors::NamePattern::compile(*pattern, &compiled, &why))
      return *error = "--tensors " + tensors::quoted_name(pattern->substr(0, 40)) + ": " + why, false;
    req.tensor_pattern = *pattern;
    req.tensor_filter = std::move(compiled);
  }
  if (args.has("--json") && args.has("--csv")) return *error = "give --json or --csv, not both", false;
  req.progress = args.has("--progress");
  if (args.has("--json")) req.output = InspectRequest::Output::Json;
  if (args.has("--csv")) req.output = InspectRequest::Output::Csv;
  *out = std::move(req);
  return true;
}

}  // namespace mantissa
