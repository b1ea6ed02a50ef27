// `mantissa dot` and `mantissa gemm-error`: dot products accumulated the ways
// hardware does it (FMA chains, pairwise, Kahan, blocked promotion, tensor-core
// blocks), exactly, and their error against the exact value.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "core/dot.h"
#include "core/dot_trace.h"
#include "kernels/dot.h"
#include "requests/requests.h"
#include "sim/gemm_error.h"

namespace mantissa {

namespace {

const char* kDotHelp =
    "Usage: mantissa dot --a LIST --b LIST [--c X] --in F --acc MODEL [--json]\n"
    "       mantissa dot --batch FILE --in F --acc MODEL [--json]\n"
    "d = c + sum a_i*b_i with a_i, b_i rounded (rne) into F; c is an fp32 value (default 0).\n"
    "Values: decimals, hex-floats (0x1.8p-3) or 0x bit patterns of fp32, separated by commas or blanks.\n"
    "--batch reads one dot product per line, \"a_1 ... a_K ; b_1 ... b_K [; c]\" (FILE or - for stdin;\n"
    "blank lines and lines starting with # are skipped), and writes one line per dot product:\n"
    "\"0xBITS value\", or a JSON object with --json.\n"
    "MODEL: exact | seq:F[:mode] | seq-rounded:F[:mode] | pairwise:F | kahan:F | blocked:F:B |\n"
    "       blocked:tc:NAME:B | tc:NAME[,out=fp16] (v100 a100 ada h100 b200) |\n"
    "       tc:fma=N,neab=E[,round=rz|rne][,out=fp32|fp16]\n";

const char* kGemmErrorHelp =
    "Usage: mantissa gemm-error --k LIST --in F --acc LIST --trials N [--dist normal:M:S|uniform:LO:HI]\n"
    "                           [--seed S] [--json|--csv]\n"
    "Relative error |result - exact| / |exact| of dot products of K random inputs (drawn in double, rounded\n"
    "into F, clamped to its range; c = 0): median, p95 and max over the trials, per K and accumulator.\n"
    "--acc takes accumulator names separated by commas (or ';'), e.g. tc:h100,blocked:tc:h100:128,seq:fp32.\n"
    "Default --dist normal:0:1, --seed 0. The same seed gives the same figures everywhere.\n";

int run_batch(const std::string& path, const DotRequest& req, bool json) {
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) return cli::fail("--batch: cannot open '" + path.substr(0, 200) + "'");
    in = &file;
  }
  // Output is collected and written only when every line is good, so a bad
  // line leaves stdout empty (one error line on stderr, exit 2).
  // Lines are computed a chunk at a time, eight of one K side by side (kernels::dot_many).
  constexpr size_t kChunk = 256;
  std::string out, line, error;
  std::vector<DotInput> chunk;
  auto flush = [&] {
    for (uint64_t bits : kernels::dot_many(req.acc, chunk)) {
      out += dot_batch_line(req.acc, bits, json);
      out += '\n';
    }
    chunk.clear();
  };
  uint64_t line_no = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    DotInput d;
    if (!parse_dot_line(line, req.input.in, &d, &error))
      return cli::fail("--batch line " + std::to_string(line_no) + ": " + error);
    chunk.push_back(std::move(d));
    if (chunk.size() == kChunk) flush();
  }
  flush();
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

int cmd_dot(int argc, char** argv) {
  requests::Args args = dot_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  if (args.has("--help")) {
    std::fputs(kDotHelp, stdout);
    return 0;
  }
  DotRequest req;
  if (!dot_request_from_args(args, &req, &error)) return cli::fail(error);
  if (auto path = args.value("--batch")) return run_batch(*path, req, args.has("--json"));
  const DotReport r = dot_report(req.acc, req.input);
  const std::string out = args.has("--json") ? dot_report_json(r) + "\n" : dot_report_text(r);
  std::fputs(out.c_str(), stdout);
  return 0;
}

int cmd_explain_dot(int argc, char** argv) {
  requests::Args args = dot_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  if (args.has("--help")) {
    std::fputs(
        "Usage: mantissa explain dot --a LIST --b LIST [--c X] --in F --acc tc:MODEL [--json]\n"
        "One tensor-core block, every step: the exact products, the largest exponent, each term aligned\n"
        "with its truncated bits, the exact sum, the normalisation and the final rounding.\n",
        stdout);
    return 0;
  }
  if (args.has("--batch")) return cli::fail("explain dot takes one block: --a and --b, not --batch");
  DotRequest req;
  if (!dot_request_from_args(args, &req, &error)) return cli::fail(error);
  TensorCoreBlockTrace t;
  if (!trace_tensor_core_block(req.acc, req.input, &t, &error)) return cli::fail(error);
  const std::string out = args.has("--json") ? tensor_core_block_json(t) + "\n" : tensor_core_block_text(t);
  std::fputs(out.c_str(), stdout);
  return 0;
}

int cmd_gemm_error(int argc, char** argv) {
  requests::Args args = gemm_error_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  if (args.has("--help")) {
    std::fputs(kGemmErrorHelp, stdout);
    return 0;
  }
  sim::GemmErrorSpec spec;
  if (!gemm_error_spec_from_args(args, &spec, &error)) return cli::fail(error);
  const std::vector<sim::GemmErrorRow> rows = sim::run_gemm_error(spec);
  std::string out = args.has("--json")  ? sim::gemm_error_json(spec, rows) + "\n"
                    : args.has("--csv") ? sim::gemm_error_csv(rows)
                                        : sim::gemm_error_text(spec, rows);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace mantissa
