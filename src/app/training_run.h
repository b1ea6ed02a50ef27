// The Training panel's model: a TrainingScenario becomes the very argument
// list of `mantissa simulate` (parsed by the CLI's own flag parser, so the
// panel and the command line can never disagree about what a scenario
// means), and a Simulation that advances a few milliseconds per frame.
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "requests/args.h"
#include "scenario/scenario.h"
#include "sim/simulation.h"

namespace mantissa::app {

// `simulate` arguments for the scenario (without the program name and
// without output flags): {"--w0", "1.125", "--inc", "0.00041999", ...}.
std::vector<std::string> training_cli_args(const TrainingScenario& t);
// "mantissa <command> <args>" as one shell line (arguments with blanks or
// shell characters in single quotes).
std::string cli_command_line(const std::string& command, const std::vector<std::string>& args);
// The same as one shell line: "mantissa simulate --w0 1.125 ...".
std::string training_command(const TrainingScenario& t);

// Parses ARGS with the CLI's own parser for COMMAND (`parsed` holds its flags).
bool parse_command_args(const std::string& command, std::vector<std::string> args, requests::Args* parsed,
                        std::string* error);

// Parses the scenario like the CLI does. False with one sentence in *error.
bool training_sim_setup(const TrainingScenario& t, sim::Setup* out, std::string* error);

// The inputs of a run: a TrainingScenario without its view fields.
bool same_run_inputs(const TrainingScenario& a, const TrainingScenario& b);

enum class RunStatus { Idle, Running, Finished, Cancelled, Refused };
const char* run_status_name(RunStatus s);

class TrainingRun {
 public:
  // Starts a run of `t` (refused runs keep the reason in error()).
  void start(const TrainingScenario& t);
  // Advances for at most `budget` of wall time. True while it runs.
  bool advance(std::chrono::duration<double> budget);
  void cancel();

  RunStatus status() const { return status_; }
  const std::string& error() const { return error_; }
  const sim::Simulation* simulation() const { return sim_.get(); }
  const TrainingScenario& inputs() const { return inputs_; }
  double elapsed_seconds() const { return elapsed_; }
  double steps_per_second() const;
  double eta_seconds() const;  // wall time left; NaN until measurable
  double wall_seconds() const;
  uint64_t version() const { return version_; }  // changes whenever results change

 private:
  TrainingScenario inputs_;
  std::unique_ptr<sim::Simulation> sim_;
  RunStatus status_ = RunStatus::Idle;
  std::string error_;
  double elapsed_ = 0;                             // seconds spent advancing
  std::chrono::steady_clock::time_point started_;  // wall clock at start()
  uint64_t chunk_ = 256;                           // steps per advance() call, adapted to ~1 ms
  uint64_t version_ = 0;
};

}  // namespace mantissa::app
