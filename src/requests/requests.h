// Requests in words: the options of `convert`, `simulate`, `explain`, `dot`,
// `gemm-error` and `quantize`, parsed and validated into the core's request
// types. Every face reads them here (the CLI's subcommands, the JS API in
// src/bindings, the app's Training panel), so all take the same options the
// same way and refuse bad ones with the same sentence. No I/O.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/block_format.h"
#include "core/convert.h"
#include "core/dot.h"
#include "core/trace.h"
#include "requests/args.h"
#include "tensors/name_pattern.h"
#include "tensors/tensor_stats.h"
#include "sim/gemm_error.h"
#include "sim/setup.h"
#include "train/network.h"

namespace mantissa {

// The flags `mantissa convert` accepts, and the request they describe
// (argv: convert VALUE --to F [--from F] [--via F] [--round M] [--seed N] [--saturate] [--ftz]).
requests::Args convert_args();
bool convert_request_from_args(const requests::Args& args, ConvertRequest* out, std::string* error);

// The same for `mantissa simulate` (see its --help).
requests::Args simulate_args();
bool simulate_setup_from_args(const requests::Args& args, sim::Setup* out, std::string* error);

// The same for `mantissa explain` (argv: explain OP A B [C] --format F ...).
requests::Args explain_args();
bool explain_request_from_args(const requests::Args& args, ExplainRequest* out, std::string* error);

// `mantissa dot` (argv: dot --a LIST --b LIST [--c X] --in F --acc MODEL [--json],
// or dot --batch FILE --in F --acc MODEL): the accumulator and, without --batch, the input.
struct DotRequest {
  Accumulator acc;
  DotInput input;
};
requests::Args dot_args();
bool dot_request_from_args(const requests::Args& args, DotRequest* out, std::string* error);
// One dot product's values: a list separated by commas or blanks, each a
// decimal, a hex-float or a 0x bit pattern of fp32, rounded (rne) into `in`.
// NaN and infinite inputs (also values that round to them) are refused.
bool parse_dot_values(std::string_view list, const Format& in, std::vector<uint64_t>* out,
                      std::string* error);
// A --batch line: "a_1 ... a_K ; b_1 ... b_K [; c]".
bool parse_dot_line(std::string_view line, const Format& in, DotInput* out, std::string* error);

// `mantissa gemm-error` (see its --help).
requests::Args gemm_error_args();
bool gemm_error_spec_from_args(const requests::Args& args, sim::GemmErrorSpec* out, std::string* error);

// `mantissa quantize --format F [--scale-rule ocp|ceil] [--block N] [--pad zero]
// [--round M] [--seed N] (--values LIST | --file F) [--json]`.
struct QuantizeRequest {
  BlockFormat format;
  QuantizeOptions options;
  std::vector<double> values;       // from --values, or filled from the file's bytes
  std::optional<std::string> file;  // the face reads it, then calls quantize_values_from_bytes
};
requests::Args quantize_args();
bool quantize_request_from_args(const requests::Args& args, QuantizeRequest* out, std::string* error);
// Everything but the values (--format ... --seed): for faces that hand over
// the values themselves (the JS API's Float32Array).
bool quantize_options_from_args(const requests::Args& args, QuantizeRequest* out, std::string* error);
// "1.5, -2, 0x1p-3, nan": each an exact decimal or hex float rounded once to fp64.
bool quantize_values_from_list(std::string_view list, std::vector<double>* out, std::string* error);
// A .npy file (<f4, <f8, <f2) or raw little-endian fp32.
bool quantize_values_from_bytes(std::string_view bytes, std::vector<double>* out, std::string* error);

// `mantissa inspect FILE... [--formats LIST] [--lr X --grad-std Y]
// [--tensors REGEX] [--json|--csv]`: per-tensor statistics of checkpoints.
struct InspectRequest {
  std::vector<std::string> files;  // the face reads them, in chunks
  std::vector<Format> formats;            // the scalar targets of --formats
  std::vector<BlockFormat> block_formats;  // the block targets of --formats (mxfp4, nvfp4, ...)
  tensors::ScaleMode scale = tensors::ScaleMode::None;
  std::optional<tensors::UpdateQuestion> question;
  std::optional<std::string> tensor_pattern;  // as given: a regex (ECMAScript subset), searched in each name
  std::optional<tensors::NamePattern> tensor_filter;  // tensor_pattern compiled (tensors/name_pattern.h)
  enum class Output { Text, Json, Csv } output = Output::Text;
  bool progress = false;  // --progress: a progress bar on stderr even when it is not a terminal
};
requests::Args inspect_args();
bool inspect_request_from_args(const requests::Args& args, InspectRequest* out, std::string* error);
// Everything but the files (--formats ... --csv): for faces that hand over the
// bytes themselves (the JS API's Blobs, the playground's dropped files), which
// feed an InspectSession (requests/inspect_session.h).
bool inspect_options_from_args(const requests::Args& args, InspectRequest* out, std::string* error);

// `mantissa train --data D --model 64-32-10 --optimizer sgd:lr=X,momentum=M|adam:lr=X
// --recipes LIST --epochs N --batch B --seed S [--data-seed S] [--train-subset N]
// [--dot-kernel scalar|best] [--json|--csv]`: a network trained in several recipes.
requests::Args train_args();
bool train_spec_from_args(const requests::Args& args, train::TrainSpec* out, std::string* error);

}  // namespace mantissa
