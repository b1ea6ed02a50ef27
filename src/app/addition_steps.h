// The Addition panel's walkthrough: one card per step of the core's
// OperationTrace (trace.h), drawn from the trace's fields alone.
#pragma once
#if __has_include("core/trace.h")
#include <string>

#include "core/trace.h"

namespace mantissa::app {

// "a", "b", "c", "a×b" for operand indices 0..3 (trace.h numbering).
const char* operand_name(int i);
// The operation's sign: "+", "−", "×".
const char* op_symbol(TraceOp op);

// One step's card; `current` highlights it, `prefix` starts its test anchor
// names ("" for the main trace, "fp32:" for the comparison).
void draw_step(const TraceStep& st, const OperationTrace& t, int index, bool current,
               const std::string& prefix);

}  // namespace mantissa::app

#endif
