// What a share link may put into the Accumulation panel's inputs (keys di,
// dd, dk, dacc, dwacc, dwa, dwb of link.h): each check canonicalises what it
// accepts, or says in a few words why not. Sizes are bounded by the
// kMaxAccumulation* limits of scenario.h, so a hostile link cannot ask the
// page for a computation of days.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace mantissa {

// An input format dot products take (core/dot.h: within fp32).
bool check_dot_input_format_text(std::string_view in, std::string* canonical, std::string* why);
// normal:MEAN:STD (STD >= 0) or uniform:LO:HI (LO <= HI), finite numbers.
bool check_operand_distribution(std::string_view in, std::string* canonical, std::string* why);
// Comma list of K values, 1 to kMaxAccumulationK each, at most kMaxAccumulationKs.
bool check_k_list(std::string_view in, std::string* canonical, std::string* why);
// ';' list of accumulator names (core/dot.h's grammar), at most
// kMaxAccumulationAccumulators. A name is accepted when it parses for one
// of the input formats (presets depend on the input family; the panel
// checks it against its actual input format).
bool check_accumulator_list(std::string_view in, std::string* canonical, std::string* why);
// One tensor-core model (tc:NAME[,out=..] or tc:fma=N,neab=E,...), for the walkthrough.
bool check_tensor_core_name(std::string_view in, std::string* canonical, std::string* why);
// Empty, or a comma list of at most 256 finite values (one block's a or b).
bool check_dot_block_values(std::string_view in, std::string* canonical, std::string* why);

// The accumulators of a ';' list, trimmed (empty items dropped).
std::vector<std::string> accumulator_list_items(std::string_view list);

}  // namespace mantissa
