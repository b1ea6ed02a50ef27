// `mantissa accumulate`: add increments read from stdin (one decimal per
// line) into a weight, each first rounded into the increment format.
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "core/parse.h"
#include "requests/args.h"
#include "sim/accumulator.h"

namespace mantissa {

int cmd_accumulate(int argc, char** argv) {
  requests::Args args({"--format", "--strategy", "--inc-format", "--w0", "--seed"}, {"--json", "--help"});
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  if (args.has("--help")) {
    std::printf(
        "Usage: mantissa accumulate --format F [--strategy rne|sr|kahan] [--inc-format G] [--w0 X] "
        "[--seed N] [--json]\n"
        "Reads increments from stdin, one decimal per line (blank lines and lines starting with # "
        "are skipped);\n"
        "each is rounded correctly into G (default F), then added into the weight (default 0).\n");
    return 0;
  }
  if (!args.positional().empty())
    return cli::fail("accumulate reads increments from stdin; it takes no arguments");
  Format format, inc_format;
  if (!args.has("--format")) return cli::fail("accumulate needs --format F (e.g. --format fp16)");
  if (!args.format("--format", &format, &error)) return cli::fail(error);
  inc_format = format;
  if (args.has("--inc-format") && !args.format("--inc-format", &inc_format, &error)) return cli::fail(error);
  sim::AccumulateStrategy strategy = sim::AccumulateStrategy::Rne;
  if (auto v = args.value("--strategy")) {
    if (!sim::parse_accumulate_strategy(*v, &strategy, &error)) return cli::fail(error);
  }
  uint64_t seed = 0;
  if (args.has("--seed") && !args.uint("--seed", &seed, &error)) return cli::fail(error);
  ExactValue w0 = ExactValue::finite(Decimal());
  if (auto v = args.value("--w0")) {
    ParsedValue parsed;
    if (!parse_value(*v, &parsed, &error) || !resolve_value(parsed, &format, &w0, &error)) {
      return cli::fail("--w0: " + error);
    }
    if (!w0.is_finite()) return cli::fail("--w0 must be finite, not " + w0.to_string());
  }
  sim::Accumulator acc(format, inc_format, strategy, w0, seed);
  std::string line;
  uint64_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    ParsedValue parsed;
    ExactValue inc;
    if (!parse_value(line.substr(first), &parsed, &error) ||
        !resolve_value(parsed, &inc_format, &inc, &error)) {
      return cli::fail("line " + std::to_string(line_no) + ": " + error);
    }
    if (!acc.add(inc, &error)) return cli::fail("line " + std::to_string(line_no) + ": " + error);
  }
  std::fputs((args.has("--json") ? acc.json() + "\n" : acc.text()).c_str(), stdout);
  return 0;
}

}  // namespace mantissa
