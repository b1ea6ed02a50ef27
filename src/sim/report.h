// A finished (or partial) simulation as JSON, text or CSV: the one place the
// CLI, the Embind API and the app's test hook get their output from.
#pragma once
#include <string>

#include "sim/simulation.h"

namespace mantissa::sim {

struct ReportOptions {
  bool trajectory = false;  // include per-step series (values, errors, scale, lost fraction)
};

// {"steps": N, "reference": {...}, "strategies": {"fp16": {"final": "1.125", "final_bits": "0x3c80",
//  "lost_updates": k, "underflowed": u, "skipped": s, "max_abs_error": "...", "trajectory": [...]}, ...}}
std::string simulation_json(const Simulation& sim, const ReportOptions& opt);
// A readable table.
std::string simulation_text(const Simulation& sim, const ReportOptions& opt);
// One row per trajectory point: step, reference, each strategy (min/max columns for envelopes).
// Population: step and each strategy's lost-update fraction.
std::string simulation_csv(const Simulation& sim);

}  // namespace mantissa::sim
