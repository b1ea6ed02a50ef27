// `inspect`'s options: which files, which formats, the update question.
// No I/O here: the face opens the files and feeds the readers.
#include <cmath>
#include <cstdlib>
#include <regex>

#include "requests/requests.h"

namespace mantissa {

requests::Args inspect_args() {
  return requests::Args({"--formats", "--scale", "--lr", "--grad-std", "--tensors"}, {"--json", "--csv"});
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
  if (args.positional().empty()) return *error = "inspect needs at least one FILE (.safetensors or .npy)", false;
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
    Format f;
    std::string why;
    if (!parse_format(list.substr(p, end - p), &f, &why)) return *error = "--formats: " + why, false;
    req.formats.push_back(f);
    p = end + 1;
  }
  if (auto scale = args.value("--scale"); scale && *scale != "none") {
    return *error = "--scale " + scale->substr(0, 20) + " is not supported yet (only none)", false;
  }
  if (args.has("--lr") != args.has("--grad-std")) return *error = "--lr and --grad-std go together", false;
  if (args.has("--lr")) {
    tensors::UpdateQuestion q;
    if (!positive_number(args, "--lr", &q.lr, error) || !positive_number(args, "--grad-std", &q.grad_std, error))
      return false;
    req.question = q;
  }
  if (auto pattern = args.value("--tensors")) {
    try {
      std::regex check(*pattern);
    } catch (const std::regex_error&) {
      return *error = "--tensors '" + pattern->substr(0, 40) + "' is not a valid regular expression", false;
    }
    req.tensor_pattern = *pattern;
  }
  if (args.has("--json") && args.has("--csv")) return *error = "give --json or --csv, not both", false;
  if (args.has("--json")) req.output = InspectRequest::Output::Json;
  if (args.has("--csv")) req.output = InspectRequest::Output::Csv;
  *out = std::move(req);
  return true;
}

}  // namespace mantissa
