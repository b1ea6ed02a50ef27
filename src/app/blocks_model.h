// The Blocks tab's model (issue 14): its scenario inputs turned into values,
// quantized by the core exactly as `mantissa quantize --format F --pad zero
// --values LIST` quantizes them, plus the same values stored plainly in
// fp8-e4m3, fp16 and bf16 (the statistics `mantissa inspect` computes).
// Plain C++ (no ImGui): the view (panel_blocks.cpp) draws it, tests drive it.
#pragma once
#include <string>
#include <vector>

#include "core/block_format.h"
#include "core/json.h"
#include "scenario/scenario.h"
#include "tensors/tensor_stats.h"

namespace mantissa::app {

struct BlocksModel {
  std::vector<double> values;  // the quantized inputs, after the outlier's replacement
  int outlier_index = -1;      // the largest magnitude of the typed/generated values (-1: none)
  QuantizeReport report;       // the core's, as `mantissa quantize --json` prints it
  // fp8-e4m3, fp16, bf16: round to nearest even, no saturation (an overflow
  // is counted and left out of the SQNR, as `mantissa inspect` does).
  std::vector<tensors::FormatStats> plain;
};

// The formats the block is compared with.
const std::vector<Format>& blocks_plain_formats();

// The typed values, or `count` generated ones (fp32 values drawn from
// sim/random.h's BlockValues stream: normal(0, 1), uniform[-1, 1), or normal
// with the value at a seeded index times 100). False with a sentence on a bad list.
bool blocks_base_values(const BlocksScenario& s, std::vector<double>* out, std::string* error);

// Computes the model. False with a one-sentence *error (the model untouched).
bool compute_blocks(const BlocksScenario& s, BlocksModel* out, std::string* error);

// The cached model for these inputs, recomputed only when they change; on a
// bad input, *error is set and the last good model is returned.
const BlocksModel& blocks_model(const BlocksScenario& s, std::string* error = nullptr);

// The "inputs" and "results" keys of window.mantissa.state() for the tab:
// results.quantize is quantize_report_json itself (the CLI's --json object).
void write_blocks_model_state(JsonWriter& w, const BlocksScenario& s, const BlocksModel& m,
                              const std::string& error);

// The aria-live sentence.
std::string blocks_model_announcement(const BlocksScenario& s, const BlocksModel& m,
                                      const std::string& error);

}  // namespace mantissa::app
