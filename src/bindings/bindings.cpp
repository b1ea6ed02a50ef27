// The Embind face: the UI-free JavaScript API, built as build/web/mantissa.mjs
// (an ES module whose default export, Mantissa(), resolves to the module).
//
//   import Mantissa from "./mantissa.mjs";
//   const m = await Mantissa();
//   m.convert("1.12156456132", "fp16").bits;  // "0x3c7c"
//
// The functions registered here are the raw layer (names start with raw_):
// strings in, one string out, either the CLI's JSON or "!" + the CLI's error
// sentence. api.js (linked as --post-js) wraps them into the documented API
// (JSON.parse, JS Errors, options objects), and mantissa.d.ts describes it.
//
// Options arrive as the CLI's own flags, NUL-separated, and are read by the
// parser every face shares (requests/requests.h): one set of option names,
// one set of messages, and the results come from the same JSON writers.
#include <emscripten/bind.h>
#include <malloc.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/block_format.h"
#include "core/convert.h"
#include "core/trace.h"
#include "core/value.h"
#include "mantissa_version.h"
#include "requests/inspect_session.h"
#include "requests/requests.h"
#include "scenario/link.h"
#include "sim/gemm_error.h"
#include "sim/report.h"
#include "sim/simulation.h"
#if __has_include("kernels/convert.h")
#include "kernels/block_quantize.h"
#include "kernels/convert.h"
#define MANTISSA_HAS_CONVERT_KERNELS 1
#endif

namespace mantissa {
namespace {

std::string failure(const std::string& message) { return "!" + message; }

// "convert\0VALUE\0--to\0fp16" into requests::Args.
bool parse_flags(requests::Args* args, const std::string& joined, std::string* error) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t at = joined.find('\0', start);
    parts.push_back(joined.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 1;
  }
  std::vector<char*> argv;
  for (std::string& p : parts) argv.push_back(p.data());
  argv.push_back(nullptr);
  return args->parse(static_cast<int>(parts.size()), argv.data(), error);
}

std::string version() { return MANTISSA_VERSION; }

// A JS number is a double: its exact value, as a hex-float the parser reads exactly.
std::string double_hex(double x) {
  if (std::isnan(x)) return std::signbit(x) ? "-nan" : "nan";
  const Rounded r = round_double(fp64(), x);
  return hex_float(fp64(), r.bits);
}

std::string convert_flags(const std::string& joined) {
  requests::Args args = convert_args();
  std::string error;
  ConvertRequest req;
  ConvertReport report;
  if (!parse_flags(&args, joined, &error) || !convert_request_from_args(args, &req, &error) ||
      !convert(req, &report, &error)) {
    return failure(error);
  }
  return convert_report_json(report);
}

std::string explain_flags(const std::string& joined) {
  requests::Args args = explain_args();
  std::string error;
  ExplainRequest req;
  Explanation e;
  if (!parse_flags(&args, joined, &error) || !explain_request_from_args(args, &req, &error) ||
      !explain(req, &e, &error)) {
    return failure(error);
  }
  return explanation_json(e);
}

std::string simulate_flags(const std::string& joined) {
  requests::Args args = simulate_args();
  std::string error;
  sim::Setup setup;
  if (!parse_flags(&args, joined, &error)) return failure(error);
  if (!args.positional().empty()) {
    return failure("simulate takes options only, not '" + args.positional()[0].substr(0, 40) + "'");
  }
  if (!simulate_setup_from_args(args, &setup, &error)) return failure(error);
  auto simulation = sim::run_simulation(setup, &error);
  if (!simulation) return failure(error);
  sim::ReportOptions opt;
  opt.trajectory = args.has("--trajectory");
  return sim::simulation_json(*simulation, opt);
}

// dot: the JS API always passes --a and --b (api.js); a file to read has no
// meaning in a page, so --batch is refused here rather than attempted.
std::string dot_flags(const std::string& joined) {
  requests::Args args = dot_args();
  std::string error;
  DotRequest req;
  if (!parse_flags(&args, joined, &error)) return failure(error);
  if (args.has("--batch")) return failure("dot in the JavaScript API takes arrays a and b, not --batch");
  if (!dot_request_from_args(args, &req, &error)) return failure(error);
  return dot_report_json(dot_report(req.acc, req.input));
}

// train: one training session at a time, driven in chunks by api.js so it
// can report progress: raw_train_begin(flags) ("" or "!error"),
// raw_train_step(steps) (the progress 0..1 after up to `steps` more steps, -1
// without a session), raw_train_end() (the CLI's `train --json`; frees it).
std::unique_ptr<train::Training> g_training;

std::string train_begin(const std::string& joined) {
  if (g_training) return failure("train is already running (one session at a time)");
  requests::Args args = train_args();
  std::string error;
  train::TrainSpec spec;
  if (!parse_flags(&args, joined, &error)) return failure(error);
  if (!args.positional().empty()) return failure("train takes no positional arguments (see mantissa train --help)");
  if (!train_spec_from_args(args, &spec, &error)) return failure(error);
  g_training = train::Training::create(spec, &error);
  if (!g_training) return failure(error);
  return "";
}

double train_step(double steps) {
  if (!g_training) return -1;
  g_training->advance(steps >= 1 ? static_cast<uint64_t>(steps) : 1);
  return g_training->progress();
}

std::string train_end() {
  if (!g_training) return failure("no training session");
  std::string json = train::train_json(*g_training);
  g_training.reset();
  return json;
}

std::string gemm_error_flags(const std::string& joined) {
  requests::Args args = gemm_error_args();
  std::string error;
  sim::GemmErrorSpec spec;
  if (!parse_flags(&args, joined, &error) || !gemm_error_spec_from_args(args, &spec, &error))
    return failure(error);
  return sim::gemm_error_json(spec, sim::run_gemm_error(spec));
}

// quantize: the CLI's `quantize --json` report for values typed or passed
// as exact doubles (api.js joins them into --values). The report holds ~300
// bytes of JSON per element, so the API takes fewer values than the CLI.
constexpr size_t kMaxReportValues = size_t{1} << 16;
// quantizeBlocks / dequantizeBlocks: ~70 bytes of wasm heap per value on
// the core's path (other modes than RNE: QuantizeReport's elements plus the
// buffers), within the 1 GB the module may grow to; the kernels' path (RNE)
// needs only the buffers, 13 bytes per value.
constexpr size_t kMaxArrayValues = size_t{1} << 20;

std::string quantize_flags(const std::string& joined) {
  requests::Args args = quantize_args();
  std::string error;
  QuantizeRequest req;
  QuantizeReport report;
  if (!parse_flags(&args, joined, &error)) return failure(error);
  if (args.has("--file")) return failure("quantize in the JavaScript API takes values, not --file");
  if (!quantize_request_from_args(args, &req, &error)) return failure(error);
  if (req.values.size() > kMaxReportValues) {
    return failure(std::to_string(req.values.size()) + " values is more than the " +
                   std::to_string(kMaxReportValues) + " quantize in the JavaScript API accepts");
  }
  if (!quantize_blocks(req.format, req.values, req.options, &report, &error)) return failure(error);
  return quantize_report_json(report);
}

// quantizeBlocks: `count` fp32 values at `in` (copied there by api.js); the
// codes go to `scales` (room for count) and `elements`, the dequantized
// values, rounded once to fp32, to `dequantized`. Returns
// {"blocks": N, "tensor_scale": s_enc, "tensor_decode": s_dec} or "!error".
std::string quantize_blocks_flags(uintptr_t in, double count, const std::string& joined, uintptr_t scales,
                                  uintptr_t elements, uintptr_t dequantized) {
  requests::Args args = quantize_args();
  std::string error;
  QuantizeRequest req;
  if (!parse_flags(&args, joined, &error) || !quantize_options_from_args(args, &req, &error))
    return failure(error);
  const size_t n = static_cast<size_t>(count);
  if (n > kMaxArrayValues) {
    return failure(std::to_string(n) + " values is more than the " + std::to_string(kMaxArrayValues) +
                   " quantizeBlocks accepts");
  }
  const auto* src = reinterpret_cast<const float*>(in);
  auto* scale_out = reinterpret_cast<uint8_t*>(scales);
  auto* element_out = reinterpret_cast<uint8_t*>(elements);
  auto* value_out = reinterpret_cast<float*>(dequantized);
  QuantizeReport report;
  kernels::BlockKernelSpec spec;
  if (kernels::block_kernel_spec(req.format, req.options, &spec)) {
    // Round to nearest even: the SIMD128 kernel, bit for bit the core's
    // codes (tests/kernels/test_block_quantize.cpp), without its report.
    if (!check_quantize_shape(req.format, n, req.options, &error)) return failure(error);
    const kernels::BlockQuantized q =
        kernels::quantize_blocks_f32(spec, src, n, scale_out, element_out, value_out);
    report.blocks.resize((n + spec.block - 1) / spec.block);
    report.block = static_cast<int>(spec.block);
    report.tensor_scale = q.tensor_scale;
    report.tensor_decode = q.tensor_decode;
  } else {
    // Other modes (stochastic, ...) through the core, element by element.
    req.values.assign(src, src + n);
    if (!quantize_blocks(req.format, req.values, req.options, &report, &error)) return failure(error);
    for (size_t b = 0; b < report.blocks.size(); ++b) {
      const QuantizedBlock& block = report.blocks[b];
      scale_out[b] = static_cast<uint8_t>(block.scale_bits);
      for (size_t i = 0; i < block.elements.size(); ++i) {
        // A NaN block's elements were never rounded: code 0, value NaN.
        element_out[block.first + i] = static_cast<uint8_t>(block.elements[i].bits);
        value_out[block.first + i] = static_cast<float>(block.elements[i].dequantized);
      }
    }
  }
  JsonWriter w;
  w.begin_object();
  w.field("blocks", static_cast<uint64_t>(report.blocks.size()));
  w.field("block", report.block);
  // fp32 values as doubles with 17 digits: JSON.parse gives them back exactly.
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", static_cast<double>(report.tensor_scale));
  w.key("tensor_scale").raw(text);
  std::snprintf(text, sizeof text, "%.17g", static_cast<double>(report.tensor_decode));
  w.key("tensor_decode").raw(text);
  w.end_object();
  return w.str();
}

// dequantizeBlocks: codes in, fp32 values out (rounded once from the exact
// product). has_tensor_scale says whether `tensor_scale` was given.
std::string dequantize_blocks_raw(uintptr_t scales, double scale_count, uintptr_t elements, double count,
                                  const std::string& format, double block, bool has_tensor_scale,
                                  double tensor_scale, uintptr_t out) {
  BlockFormat f;
  std::string error;
  if (!parse_block_format(format, &f, &error)) return error;
  const size_t n = static_cast<size_t>(count);
  if (n > kMaxArrayValues) {
    return std::to_string(n) + " elements is more than the " + std::to_string(kMaxArrayValues) +
           " dequantizeBlocks accepts";
  }
  const float ts = static_cast<float>(tensor_scale);
  const auto* scale_codes = reinterpret_cast<const uint8_t*>(scales);
  const auto* element_codes = reinterpret_cast<const uint8_t*>(elements);
  if (!check_dequantize_input(f, static_cast<int>(block), scale_codes, static_cast<size_t>(scale_count),
                              element_codes, n, has_tensor_scale ? &ts : nullptr, &error)) {
    return error;
  }
  // The codes are checked: the kernel's table product, rounded once to fp32,
  // is core dequantize_blocks' exact value rounded once.
  QuantizeOptions opt;
  opt.block = static_cast<int>(block);
  kernels::BlockKernelSpec spec;
  kernels::block_kernel_spec(f, opt, &spec);
  kernels::dequantize_blocks_f32(spec, scale_codes, element_codes, n, f.tensor_scale ? 1.0f / ts : 1.0f,
                                 reinterpret_cast<float*>(out));
  return "";
}

uintptr_t buffer_alloc(double bytes) {
  return reinterpret_cast<uintptr_t>(std::malloc(static_cast<size_t>(bytes)));
}
void buffer_free(uintptr_t p) { std::free(reinterpret_cast<void*>(p)); }

// {"scenario": {...}, "notices": [...], "version": 1, "compact": false}
std::string decode_scenario(const std::string& hash) {
  const DecodedLink d = decode_link(hash);
  JsonWriter w;
  w.begin_object();
  w.key("scenario").raw(scenario_json(d.scenario));
  w.key("notices").begin_array();
  for (const std::string& n : d.notices) w.value(n);
  w.end_array();
  w.field("version", d.version);
  w.field("compact", d.compact);
  w.end_object();
  return w.str();
}

// `fields` is "panel=add&addition.a=1.5" (member paths, built by api.js from
// an object). Anything the codec would ignore is an error here: a script
// asked for exactly this scenario.
std::string encode_scenario(const std::string& fields, bool active_panel_only) {
  const DecodedLink d = decode_link(fields);
  if (!d.notices.empty()) {
    std::string message = "encodeScenario: " + d.notices[0];
    if (d.notices.size() > 1) message += " (and " + std::to_string(d.notices.size() - 1) + " more)";
    return failure(message);
  }
  return encode_link(d.scenario, active_panel_only ? LinkScope::ActivePanel : LinkScope::Everything);
}

// inspect: a session per m.inspect call, fed chunk by chunk by api.js
// (Blob.slice in bounded chunks), addressed by a small integer handle. A
// session lives until raw_inspect_close, which api.js calls in a finally.
std::map<int, std::unique_ptr<InspectSession>>& inspect_sessions() {
  static std::map<int, std::unique_ptr<InspectSession>> sessions;
  return sessions;
}

InspectSession* inspect_session(int handle) {
  auto it = inspect_sessions().find(handle);
  return it == inspect_sessions().end() ? nullptr : it->second.get();
}

// Options as the CLI's flags ("inspect\0--formats\0fp16,bf16..."): a handle
// (a decimal number) or "!error". Files are not flags: api.js feeds them.
std::string inspect_open(const std::string& joined) {
  requests::Args args = inspect_args();
  std::string error;
  InspectRequest req;
  if (!parse_flags(&args, joined, &error)) return failure(error);
  if (!args.positional().empty()) {
    return failure("inspect in the JavaScript API takes Blobs or ArrayBuffers, not '" +
                   args.positional()[0].substr(0, 40) + "'");
  }
  if (!inspect_options_from_args(args, &req, &error)) return failure(error);
  static int next = 0;
  const int handle = ++next;
  inspect_sessions()[handle] = std::make_unique<InspectSession>(req);
  return std::to_string(handle);
}

std::string inspect_begin_file(int handle, const std::string& name) {
  InspectSession* s = inspect_session(handle);
  if (!s) return "inspect: no such session";
  s->begin_file(name);
  return "";
}

// `count` bytes at `data` (copied there by api.js): "" or the error sentence.
std::string inspect_feed(int handle, uintptr_t data, double count) {
  InspectSession* s = inspect_session(handle);
  if (!s) return "inspect: no such session";
  std::string error;
  const std::string_view chunk(reinterpret_cast<const char*>(data), static_cast<size_t>(count));
  return s->feed(chunk, &error) ? "" : error;
}

std::string inspect_end_file(int handle) {
  InspectSession* s = inspect_session(handle);
  if (!s) return "inspect: no such session";
  std::string error;
  return s->end_file(&error) ? "" : error;
}

bool inspect_needs_amax(int handle) {
  InspectSession* s = inspect_session(handle);
  return s && s->needs_amax_pass();
}

// true: the files fed next make the amax pass; false: it ended (or was not needed).
void inspect_set_pass(int handle, bool amax) {
  InspectSession* s = inspect_session(handle);
  if (!s || !s->needs_amax_pass()) return;
  if (amax) {
    s->begin_amax_pass();
  } else {
    s->end_amax_pass();
  }
}

std::string inspect_report(int handle) {
  InspectSession* s = inspect_session(handle);
  return s ? s->json() : failure("inspect: no such session");
}

std::string inspect_partial(int handle) {
  InspectSession* s = inspect_session(handle);
  return s ? s->partial_json() : failure("inspect: no such session");
}

// Pieces from inspect_partial joined by NUL bytes (JSON text holds none):
// the report (the CLI's --json) of every piece's tensors in the order given.
std::string inspect_merge(const std::string& joined) {
  std::vector<std::string> pieces;
  for (size_t start = 0;;) {
    const size_t nul = joined.find('\0', start);
    pieces.push_back(joined.substr(start, nul == std::string::npos ? std::string::npos : nul - start));
    if (nul == std::string::npos) break;
    start = nul + 1;
  }
  tensors::InspectReport report;
  std::string error;
  if (!tensors::merge_inspect_partials(pieces, &report, &error)) return failure(error);
  return tensors::inspect_report_json(report);
}

void inspect_close(int handle) { inspect_sessions().erase(handle); }

// Bytes of the wasm heap in use by malloc (for leak tests).
double heap_in_use() { return static_cast<double>(mallinfo().uordblks); }

#ifdef MANTISSA_HAS_CONVERT_KERNELS
// fp32 array (in wasm memory, copied there by api.js) to a narrow format with
// the SIMD kernels. Returns "" or an error sentence.
std::string convert_array(uintptr_t in, uintptr_t out, double count, const std::string& format,
                          bool stochastic, double seed, double counter, bool saturate) {
  Format f;
  std::string error;
  if (!parse_format(format, &f, &error)) return error;
  if (in == 0 || out == 0) return "convertArray handles fp16, bf16, fp8-e4m3 and fp8-e5m2, not " + f.name;
  const auto target = kernels::target_of(f);
  if (!target) return "convertArray handles fp16, bf16, fp8-e4m3 and fp8-e5m2, not " + f.name;
  const auto* src = reinterpret_cast<const float*>(in);
  const size_t n = static_cast<size_t>(count);
  const uint64_t s = static_cast<uint64_t>(seed), c = static_cast<uint64_t>(counter);
  switch (*target) {
    case kernels::Target::Fp16:
      if (stochastic) {
        kernels::fp32_to_fp16_stochastic(src, reinterpret_cast<uint16_t*>(out), n, s, c, saturate);
      } else {
        kernels::fp32_to_fp16(src, reinterpret_cast<uint16_t*>(out), n, saturate);
      }
      return "";
    case kernels::Target::Bf16:
      if (stochastic) {
        kernels::fp32_to_bf16_stochastic(src, reinterpret_cast<uint16_t*>(out), n, s, c, saturate);
      } else {
        kernels::fp32_to_bf16(src, reinterpret_cast<uint16_t*>(out), n, saturate);
      }
      return "";
    case kernels::Target::Fp8E4M3:
    case kernels::Target::Fp8E5M2:
      if (stochastic) return "stochastic rounding in convertArray is for fp16 and bf16";
      if (*target == kernels::Target::Fp8E4M3) {
        kernels::fp32_to_fp8_e4m3(src, reinterpret_cast<uint8_t*>(out), n, saturate);
      } else {
        kernels::fp32_to_fp8_e5m2(src, reinterpret_cast<uint8_t*>(out), n, saturate);
      }
      return "";
  }
  return "unknown target";
}

// Bytes per element of a kernel format (0: not one the kernels handle).
int element_bytes(const std::string& format) {
  Format f;
  std::string error;
  if (!parse_format(format, &f, &error) || !kernels::target_of(f)) return 0;
  return f.width() / 8;
}

std::string kernel_name(const std::string& format) {
  Format f;
  std::string error;
  if (!parse_format(format, &f, &error)) return "";
  const auto target = kernels::target_of(f);
  if (!target) return "";
  return std::string(kernels::impl_name(kernels::resolve_impl(kernels::Impl::Best, *target))) + " (" +
         kernels::simd_isa() + ")";
}
#endif

}  // namespace
}  // namespace mantissa

EMSCRIPTEN_BINDINGS(mantissa) {
  using namespace mantissa;
  emscripten::function("version", &version);
  emscripten::function("raw_double_hex", &double_hex);
  emscripten::function("raw_convert", &convert_flags);
  emscripten::function("raw_simulate", &simulate_flags);
  emscripten::function("raw_explain", &explain_flags);
  emscripten::function("raw_dot", &dot_flags);
  emscripten::function("raw_gemm_error", &gemm_error_flags);
  emscripten::function("raw_train_begin", &train_begin);
  emscripten::function("raw_train_step", &train_step);
  emscripten::function("raw_train_end", &train_end);
  emscripten::function("raw_decode_scenario", &decode_scenario);
  emscripten::function("raw_encode_scenario", &encode_scenario);
  emscripten::function("raw_heap_in_use", &heap_in_use);
  emscripten::function("raw_quantize", &quantize_flags);
  emscripten::function("raw_quantize_blocks", &quantize_blocks_flags);
  emscripten::function("raw_dequantize_blocks", &dequantize_blocks_raw);
  emscripten::function("raw_inspect_open", &inspect_open);
  emscripten::function("raw_inspect_begin_file", &inspect_begin_file);
  emscripten::function("raw_inspect_feed", &inspect_feed);
  emscripten::function("raw_inspect_needs_amax", &inspect_needs_amax);
  emscripten::function("raw_inspect_set_pass", &inspect_set_pass);
  emscripten::function("raw_inspect_end_file", &inspect_end_file);
  emscripten::function("raw_inspect_report", &inspect_report);
  emscripten::function("raw_inspect_partial", &inspect_partial);
  emscripten::function("raw_inspect_merge", &inspect_merge);
  emscripten::function("raw_inspect_close", &inspect_close);
  emscripten::function("raw_alloc", &buffer_alloc);
  emscripten::function("raw_free", &buffer_free);
#ifdef MANTISSA_HAS_CONVERT_KERNELS
  emscripten::function("raw_convert_array", &convert_array);
  emscripten::function("raw_element_bytes", &element_bytes);
  emscripten::function("raw_kernel_name", &kernel_name);
#endif
}
