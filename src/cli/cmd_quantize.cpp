// `mantissa quantize`: block-scaled formats (MXFP8/6/4, MXINT8, NVFP4) bit by
// bit: each block's scale, each element's bits, value and error.
#include <cstdio>
#include <fstream>
#include <iterator>

#include "cli/commands.h"
#include "core/block_format.h"
#include "requests/requests.h"

namespace mantissa {

int cmd_quantize(int argc, char** argv) {
  requests::Args args = quantize_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  QuantizeRequest req;
  if (!quantize_request_from_args(args, &req, &error)) return cli::fail(error);
  if (req.file) {
    std::ifstream in(*req.file, std::ios::binary | std::ios::ate);
    if (!in) return cli::fail("cannot open '" + *req.file + "'");
    const std::streamoff size = in.tellg();
    // A .npy header is small; refuse files far larger than the value limit before reading them.
    if (size < 0 || static_cast<uint64_t>(size) > kMaxQuantizeValues * 8 + (1u << 16)) {
      return cli::fail("'" + *req.file + "' is larger than quantize accepts (" +
                       std::to_string(kMaxQuantizeValues) + " values)");
    }
    in.seekg(0);
    std::string bytes(static_cast<size_t>(size), '\0');
    in.read(bytes.data(), size);
    if (!in) return cli::fail("cannot read '" + *req.file + "'");
    if (!quantize_values_from_bytes(bytes, &req.values, &error)) return cli::fail(error);
  }
  QuantizeReport report;
  if (!quantize_blocks(req.format, req.values, req.options, &report, &error)) return cli::fail(error);
  const std::string out =
      args.has("--json") ? quantize_report_json(report) + "\n" : quantize_report_text(report);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace mantissa
