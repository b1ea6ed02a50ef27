// `mantissa simulate`: the tutorial's loop (a weight receiving many small
// updates) for several storage strategies side by side against fp64.
#include <cstdio>

#include "cli/commands.h"
#include "requests/requests.h"
#include "sim/report.h"
#include "sim/simulation.h"

namespace mantissa {

namespace {

const char* kSimulateHelp =
    "Usage: mantissa simulate --steps N (--inc X[,Y,...] | --grad normal:MEAN:STD [--lr X]) [options]\n"
    "\n"
    "  --w0 X              initial weight (exact decimal, default 0)\n"
    "  --inc X             constant increment; X,Y,Z a list (cycled over the steps)\n"
    "  --grad normal:M:S   per-step increment lr * grad, grad ~ normal(M, S) (seeded)\n"
    "  --lr X              learning rate for --grad (default 1)\n"
    "  --seed N            seed for gradients, population w0 and stochastic rounding (default 0)\n"
    "  --steps N           number of updates (1..%llu)\n"
    "  --strategies LIST   comma-separated: fp64 fp32-master fp16 bf16 fp8-e4m3 fp8-e5m2 fp16-sr bf16-sr\n"
    "                      fp16-kahan bf16-kahan fp32-master+ls-static[:S] fp32-master+ls-dynamic, or any\n"
    "                      format F, F-sr, F-kahan (default: the first ten)\n"
    "  --grad-format F     format every increment is stored in first (default fp16)\n"
    "  --loss-scale K      static:S or dynamic: adds fp32-master+ls-static / fp32-master+ls-dynamic\n"
    "  --population P      P weights (1..%llu), each with its own gradient stream\n"
    "  --init D            population w0: normal:MEAN:STD or uniform:LO:HI (default: every weight = --w0)\n"
    "  --reference R       stored (fp64 adds the stored increments, default) or exact\n"
    "  --trajectory        include per-step values and errors (envelopes past %llu steps)\n"
    "  --json | --csv      machine-readable output\n";

}  // namespace

int cmd_simulate(int argc, char** argv) {
  requests::Args args = simulate_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  if (args.has("--help")) {
    std::printf(kSimulateHelp, static_cast<unsigned long long>(sim::kMaxSteps),
                static_cast<unsigned long long>(sim::kMaxPopulation),
                static_cast<unsigned long long>(sim::kTrajectoryPoints));
    return 0;
  }
  if (!args.positional().empty())
    return cli::fail("simulate takes options only, not '" + args.positional()[0].substr(0, 40) + "'");
  if (args.has("--json") && args.has("--csv")) return cli::fail("choose one of --json and --csv");
  sim::Setup setup;
  if (!simulate_setup_from_args(args, &setup, &error)) return cli::fail(error);
  auto simulation = sim::run_simulation(setup, &error);
  if (!simulation) return cli::fail(error);
  sim::ReportOptions opt;
  opt.trajectory = args.has("--trajectory");
  std::string out;
  if (args.has("--json")) {
    out = sim::simulation_json(*simulation, opt) + "\n";
  } else if (args.has("--csv")) {
    out = sim::simulation_csv(*simulation);
  } else {
    out = sim::simulation_text(*simulation, opt);
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace mantissa
