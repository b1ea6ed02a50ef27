// The Network panel's model: a NetworkScenario becomes the very argument list
// of `mantissa train` (parsed by the CLI's own parser, so the panel and the
// command line can never disagree), and a train::Training that advances a
// few steps per frame, within a time budget. Plain C++, tested without ImGui
// (tests/app/test_network_model.cpp).
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "train/network.h"

namespace mantissa::app {

// `train` arguments (without the program name and output flags).
std::vector<std::string> network_cli_args(const NetworkScenario& n);
// The same as one shell line: "mantissa train --data spiral ...".
std::string network_command(const NetworkScenario& n);
// Parses the scenario like the CLI does. False with one sentence in *error.
bool network_spec(const NetworkScenario& n, train::TrainSpec* out, std::string* error);

// Class maps of a 2-D data set: each recipe's prediction on a res x res grid
// over [-extent, extent]^2 (row 0 at the top, y up), computed after an epoch.
struct DecisionRegions {
  int res = 0;
  double extent = 0;
  uint64_t epoch = 0;                        // epochs finished when computed
  std::vector<std::vector<uint8_t>> classes;  // [recipe][row * res + col]
};

class NetworkRun {
 public:
  enum class Status { Idle, Running, Finished, Stopped, Refused };
  static const char* status_name(Status s);

  // Starts a run of `n` (a refused one keeps the reason in error()).
  void start(const NetworkScenario& n);
  // Runs parts of steps (train::Training::advance_part) and, after an epoch
  // of 2-D data, slices of its decision regions, while the next one is
  // expected to fit in `budget` of wall time (at least one). True while it
  // runs; Finished once training and the last regions are done.
  bool advance(std::chrono::duration<double> budget);
  void stop();    // keeps the results so far
  void resume();  // after stop(): trains on from where it stopped
  void reset();   // back to Idle, nothing kept

  Status status() const { return status_; }
  const std::string& error() const { return error_; }
  const NetworkScenario& inputs() const { return inputs_; }
  const train::Training* training() const { return training_.get(); }
  const DecisionRegions& regions() const { return regions_; }
  uint64_t version() const { return version_; }  // changes whenever results change
  double steps_per_second() const;
  // The longest advance() of this run, in ms (a part is about
  // Training::part_work() multiply-adds, at least one row: a very wide layer
  // can still exceed the frame budget).
  double longest_advance_ms() const { return longest_ms_; }
  // The longest single part, in ms (what no slicing of this run can go
  // under); how many advance() calls ran, and how many overran their budget
  // (wall time: on a loaded machine, preemption counts too).
  double longest_part_ms() const { return longest_part_ms_; }
  uint64_t frames() const { return frames_; }
  uint64_t frames_over_budget() const { return frames_over_; }
  // Parts run (training and decision regions), and how many took longer than
  // kPartTargetMs of wall time (the aim for one part; preemption counts too).
  uint64_t parts() const { return parts_; }
  uint64_t parts_over_target() const { return parts_over_; }
  static constexpr double kPartTargetMs = 2.0;

  static constexpr int kRegionRes = 48;  // 2,304 predictions per recipe per epoch
  static constexpr int kRegionRowsPerSlice = 8;

 private:
  void begin_regions();
  void regions_slice();
  NetworkScenario inputs_;
  std::unique_ptr<train::Training> training_;
  Status status_ = Status::Idle;
  std::string error_;
  DecisionRegions regions_;  // the last complete map
  DecisionRegions pending_;  // the next one, being computed
  bool regions_pending_ = false;
  size_t pending_recipe_ = 0;
  int pending_row_ = 0;
  std::vector<double> part_seconds_;  // what each kind of part took last: [(recipe, stage, layer)], regions
  double elapsed_ = 0, longest_ms_ = 0, longest_part_ms_ = 0;
  uint64_t frames_ = 0, frames_over_ = 0, parts_ = 0, parts_over_ = 0;
  uint64_t version_ = 0;
};

// "updates lost" of one recipe and layer as a strip of `columns` cells: the
// mean over each cell's steps of the fraction lost (NaN for an empty cell).
std::vector<double> lost_strip(const train::RecipeResult& r, size_t layer, size_t columns);

// The panel's presets (the tutorial's stories with a real model).
struct NetworkPreset {
  const char* key;  // stable id ("network-preset:<key>")
  const char* title;
  const char* lesson;
  void (*apply)(NetworkScenario& n);
};
std::span<const NetworkPreset> network_presets();

}  // namespace mantissa::app
