#include "app/training_run.h"

#include <cmath>
#include <limits>

#include "requests/requests.h"

namespace mantissa::app {

std::vector<std::string> training_cli_args(const TrainingScenario& t) {
  std::vector<std::string> a = {"--w0", t.w0, "--steps", std::to_string(t.steps)};
  if (t.grad.empty()) {
    a.insert(a.end(), {"--inc", t.inc});
  } else {
    a.insert(a.end(), {"--grad", t.grad});
    if (!t.lr.empty()) a.insert(a.end(), {"--lr", t.lr});
  }
  a.insert(a.end(), {"--grad-format", t.grad_format, "--seed", std::to_string(t.seed)});
  std::string names;
  for (const std::string& s : t.strategies) names += (names.empty() ? "" : ",") + s;
  a.insert(a.end(), {"--strategies", names});
  if (!t.loss_scale.empty()) a.insert(a.end(), {"--loss-scale", t.loss_scale});
  if (t.population > 1) {
    a.insert(a.end(), {"--population", std::to_string(t.population)});
    if (!t.init.empty()) a.insert(a.end(), {"--init", t.init});
  }
  if (!t.reference.empty() && t.reference != "stored") a.insert(a.end(), {"--reference", t.reference});
  return a;
}

std::string cli_command_line(const std::string& command, const std::vector<std::string>& args) {
  std::string line = "mantissa " + command;
  for (const std::string& a : args) {
    const bool plain = !a.empty() && a.find_first_of(" \"'$\\;&|<>()*?`") == std::string::npos;
    line += " " + (plain ? a : "'" + a + "'");
  }
  return line;
}

bool parse_command_args(const std::string& command, std::vector<std::string> args, requests::Args* parsed,
                        std::string* error) {
  args.insert(args.begin(), command);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return parsed->parse(static_cast<int>(argv.size()), argv.data(), error);
}

std::string training_command(const TrainingScenario& t) { return cli_command_line("simulate", training_cli_args(t)); }

bool training_sim_setup(const TrainingScenario& t, sim::Setup* out, std::string* error) {
  if (t.strategies.empty() && t.loss_scale.empty()) return *error = "choose at least one strategy", false;
  requests::Args parsed = simulate_args();
  return parse_command_args("simulate", training_cli_args(t), &parsed, error) &&
         simulate_setup_from_args(parsed, out, error);
}

bool same_run_inputs(const TrainingScenario& a, const TrainingScenario& b) {
  TrainingScenario x = a, y = b;
  for (TrainingScenario* t : {&x, &y}) {
    t->view_x0 = t->view_x1 = t->view_y0 = t->view_y1 = 0;
    t->log_error = false;
    t->selected_step = -1;
  }
  return x == y;
}

const char* run_status_name(RunStatus s) {
  switch (s) {
    case RunStatus::Idle:
      return "idle";
    case RunStatus::Running:
      return "running";
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Cancelled:
      return "cancelled";
    case RunStatus::Refused:
      return "refused";
  }
  return "?";
}

void TrainingRun::start(const TrainingScenario& t) {
  inputs_ = t;
  sim_.reset();
  error_.clear();
  elapsed_ = 0;
  started_ = std::chrono::steady_clock::now();
  chunk_ = 256;
  ++version_;
  sim::Setup setup;
  if (!training_sim_setup(t, &setup, &error_)) {
    status_ = RunStatus::Refused;
    return;
  }
  sim_ = sim::Simulation::create(setup, &error_);
  status_ = sim_ ? RunStatus::Running : RunStatus::Refused;
}

bool TrainingRun::advance(std::chrono::duration<double> budget) {
  if (status_ != RunStatus::Running) return false;
  using clock = std::chrono::steady_clock;
  const auto begin = clock::now();
  // Chunks of about a millisecond, until the frame's budget is spent.
  for (;;) {
    const auto t0 = clock::now();
    const bool more = sim_->advance(chunk_);
    const double took = std::chrono::duration<double>(clock::now() - t0).count();
    if (took < 0.5e-3 && chunk_ < (uint64_t{1} << 24))
      chunk_ *= 2;
    else if (took > 2e-3 && chunk_ > 1)
      chunk_ /= 2;
    if (!more) {
      status_ = RunStatus::Finished;
      break;
    }
    if (clock::now() - begin >= budget) break;
  }
  elapsed_ += std::chrono::duration<double>(clock::now() - begin).count();
  ++version_;
  return status_ == RunStatus::Running;
}

void TrainingRun::cancel() {
  if (status_ != RunStatus::Running) return;
  sim_->cancel();
  status_ = RunStatus::Cancelled;
  ++version_;
}

double TrainingRun::steps_per_second() const {
  if (!sim_ || elapsed_ <= 0) return 0;
  return static_cast<double>(sim_->steps_done()) / elapsed_;
}

double TrainingRun::eta_seconds() const {
  if (!sim_ || status_ != RunStatus::Running) return std::numeric_limits<double>::quiet_NaN();
  const double p = sim_->progress();
  const double wall = wall_seconds();
  if (p <= 0.001 || wall <= 0.2) return std::numeric_limits<double>::quiet_NaN();
  return wall * (1 - p) / p;
}

double TrainingRun::wall_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace mantissa::app
