// `mantissa inspect`: what each format does to every tensor of a checkpoint
// (.safetensors or .npy). Files are read in bounded chunks and fed to the
// streaming readers of src/tensors, so a multi-GB checkpoint needs only a
// few MiB of memory.
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

// Reads one file through its reader; false with *error naming the file.
bool inspect_file(const std::string& path, tensors::StatsCollector* stats, std::vector<std::string>* notices,
                  std::string* error) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return *error = "cannot open '" + path + "'", false;
  const std::streamoff size = in.tellg();
  in.seekg(0);
  std::string chunk(kChunk, '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  size_t got = static_cast<size_t>(in.gcount());
  const std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  tensors::TensorFileReader reader(tensors::sniff_kind(std::string_view(chunk.data(), got)), base, stats);
  stats->set_file(path);
  const bool progress = size > 0 && static_cast<uint64_t>(size) > kProgressOver && isatty(2);
  uint64_t done = 0;
  while (got > 0) {
    if (!reader.feed(std::string_view(chunk.data(), got), error)) return *error = "'" + path + "': " + *error, false;
    done += got;
    if (progress) std::fprintf(stderr, "\rinspect: %s %3d%%", path.c_str(), static_cast<int>(100 * done / size));
    if (!in) break;
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    got = static_cast<size_t>(in.gcount());
  }
  if (progress) std::fputs("\n", stderr);
  if (in.bad()) return *error = "cannot read '" + path + "'", false;
  if (!reader.finish(error)) return *error = "'" + path + "': " + *error, false;
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
  for (const Format& f : req.formats) report.formats.push_back(f.name);
  report.question = req.question;
  tensors::StatsCollector stats(req.formats, req.question);
  if (req.tensor_filter) {
    stats.set_filter([pattern = *req.tensor_filter](const std::string& name) { return pattern.search(name); });
  }
  for (const std::string& path : req.files) {
    if (!inspect_file(path, &stats, &report.notices, &error)) return cli::fail(error);
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
