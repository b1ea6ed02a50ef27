// `mantissa inspect`: what each format does to every tensor of a checkpoint
// (.safetensors, .npy or .gguf). Files are read in bounded chunks and fed to the
// streaming readers of src/tensors, so a multi-GB checkpoint needs only a
// few MiB of memory.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <unistd.h>

#include "cli/commands.h"
#include "requests/inspect_session.h"
#include "requests/requests.h"
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

// Feeds one file to the session in chunks; false with *error naming the file.
bool inspect_file(const std::string& path, InspectSession* session, bool force_progress, const char* pass,
                  std::string* error) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return *error = "cannot open '" + path + "'", false;
  const std::streamoff size = in.tellg();
  in.seekg(0);
  session->begin_file(path);
  std::string chunk(kChunk, '\0');
  const bool progress = size > 0 && (force_progress || (static_cast<uint64_t>(size) > kProgressOver && isatty(2)));
  const auto start = std::chrono::steady_clock::now();
  uint64_t done = 0;
  for (;;) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const size_t got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    if (!session->feed(std::string_view(chunk.data(), got), error)) return false;
    done += got;
    if (progress) draw_progress(path, pass, done, static_cast<uint64_t>(size), start);
    if (!in) break;
  }
  if (progress) std::fputs("\n", stderr);
  if (in.bad()) return *error = "cannot read '" + path + "'", false;
  return session->end_file(error);
}

}  // namespace

int cmd_inspect(int argc, char** argv) {
  requests::Args args = inspect_args();
  std::string error;
  if (!args.parse(argc, argv, &error)) return cli::fail(error);
  InspectRequest req;
  if (!inspect_request_from_args(args, &req, &error)) return cli::fail(error);
  InspectSession session(req);
  // --scale tensor and nvfp4 need each tensor's amax before its first value:
  // a first pass over every file (memory stays flat; the file is read twice).
  if (session.needs_amax_pass()) {
    session.begin_amax_pass();
    for (const std::string& path : req.files) {
      if (!inspect_file(path, &session, req.progress, " (amax pass)", &error)) return cli::fail(error);
    }
    session.end_amax_pass();
  }
  for (const std::string& path : req.files) {
    if (!inspect_file(path, &session, req.progress, "", &error)) return cli::fail(error);
  }
  const tensors::InspectReport& report = session.report();
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
