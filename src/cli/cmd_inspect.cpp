// `mantissa inspect`: what each format does to every tensor of a checkpoint
// (.safetensors, .npy or .gguf). Files are read in bounded chunks and fed to the
// streaming readers of src/tensors, so a multi-GB checkpoint needs only a
// few MiB of memory.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "cli/commands.h"
#include "requests/requests.h"
#include "tensors/tensor_reader.h"
#include "tensors/tensor_stats.h"

namespace mantissa {

namespace {

constexpr size_t kChunk = 4u << 20;           // bytes read at a time
constexpr uint64_t kProgressOver = 64u << 20;  // files larger than this show progress on stderr

// One line on stderr, redrawn in place: the file, a bar, the percentage and
// the read speed so far.
void draw_progress(const std::string& path, const char* pass, uint64_t done, uint64_t size,
                   std::chrono::steady_clock::time_point start) {
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done / size);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '-');
  std::fprintf(stderr, "\rinspect%s: %s [%s] %3d%% %7.1f MB/s", pass, path.c_str(), bar.c_str(),
               static_cast<int>(100 * done / size), seconds > 0 ? done / seconds / 1e6 : 0.0);
  std::fflush(stderr);
}

// Reads one file through its reader into `visitor`; false with *error
// naming the file. notices: the reader's, when wanted (the second pass).
bool inspect_file(const std::string& path, tensors::TensorVisitor* visitor, std::vector<std::string>* notices,
                  bool force_progress, const char* pass, std::string* error) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return *error = "cannot open '" + path + "'", false;
  const std::streamoff size = in.tellg();
  in.seekg(0);
  std::string chunk(kChunk, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  size_t got = static_cast<size_t>(in.gcount());
  const std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  tensors::TensorFileReader reader(tensors::sniff_kind(std::string_view(chunk.data(), got)), base, visitor);
  const bool progress = size > 0 && (force_progress || (static_cast<uint64_t>(size) > kProgressOver && isatty(2)));
  const auto start = std::chrono::steady_clock::now();
  uint64_t done = 0;
  while (got > 0) {
    if (!reader.feed(std::string_view(chunk.data(), got), error)) return *error = "'" + path + "': " + *error, false;
    done += got;
    if (progress) draw_progress(path, pass, done, static_cast<uint64_t>(size), start);
    if (!in) break;
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    got = static_cast<size_t>(in.gcount());
  }
  if (progress) std::fputs("\n", stderr);
  if (in.bad()) return *error = "cannot read '" + path + "'", false;
  if (!reader.finish(error)) return *error = "'" + path + "': " + *error, false;
  if (notices)
    for (const std::string& n : reader.notices()) notices->push_back("'" + path + "': " + n);
  return true;
}

}  // namespace

int cmd_inspect(int argc, char** argv) {
  requests::Args args = inspect_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  InspectRequest req;
  if (!inspect_request_from_args(args, &req, &error)) return cli::fail(error);
  tensors::InspectReport report;
  report.question = req.question;
  report.scale = req.scale;
  tensors::StatsCollector stats(req.formats, req.question);
  stats.set_block_formats(req.block_formats);
  stats.set_scale(req.scale);
  report.formats = stats.target_names();
  if (req.tensor_filter) {
    stats.set_filter([pattern = *req.tensor_filter](const std::string& name) { return pattern.search(name); });
  }
  // --scale tensor and nvfp4 need each tensor's amax before its first value:
  // a first pass over every file (memory stays flat; the file is read twice).
  if (stats.needs_amax_pass()) {
    tensors::AmaxCollector amax;
    for (const std::string& path : req.files) {
      amax.set_file(path);
      if (!inspect_file(path, &amax, nullptr, req.progress, " (amax pass)", &error)) return cli::fail(error);
    }
    stats.set_amax(std::move(amax.result()));
  }
  for (const std::string& path : req.files) {
    stats.set_file(path);
    if (!inspect_file(path, &stats, &report.notices, req.progress, "", &error)) return cli::fail(error);
  }
  report.tensors = std::move(stats.results());
  std::string out;
  switch (req.output) {
    case InspectRequest::Output::Json: out = tensors::inspect_report_json(report) + "\n"; break;
    case InspectRequest::Output::Csv: out = tensors::inspect_report_csv(report); break;
    case InspectRequest::Output::Text: out = tensors::inspect_report_text(report); break;
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace mantissa
