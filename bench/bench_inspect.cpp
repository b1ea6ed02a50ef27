// inspect_scan: how fast `mantissa inspect` scans a checkpoint, beside the
// speed of reading the same file (the yardstick), side by side in one run
// (interleaved rounds, median). One core, one thread.
//
//   read          the file in 4 MiB chunks, as the CLI reads it, nothing else
//   parse         + the streaming reader (header, tiling, elements widened)
//   stats         + StatsCollector for fp16, bf16 and fp8-e4m3 at once (the
//                 batch kernels; what the CLI runs)
//   stats-scalar  the same figures through the core element by element (the
//                 reference), on a 32 MB file (it is slow)
//
// for an fp32 and a bf16 safetensors file of standard-normal * 0.02 values
// (tensors of 16M elements) generated under --dir. Then memory: the peak
// resident set after scanning the small files and after scanning a generated
// --big-gb file (written in chunks), which must stay flat.
//
// Usage: bench_inspect [--mb N] [--rounds R] [--big-gb G] [--dir DIR] [--json FILE]
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench_timing.h"
#include "kernels/convert.h"
#include "kernels/error_tally.h"
#include "tensors/tensor_reader.h"
#include "tensors/tensor_stats.h"

using namespace mantissa;

namespace {

constexpr size_t kChunk = 4u << 20;
constexpr uint64_t kTensorElements = 16u << 20;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

// A safetensors file of `bytes` bytes of data (rounded down to whole elements)
// in tensors of 16M elements, written in chunks (flat memory).
void write_checkpoint(const std::string& path, uint64_t bytes, bool bf16) {
  const int width = bf16 ? 2 : 4;
  const uint64_t count = bytes / static_cast<uint64_t>(width);
  std::string header = "{";
  uint64_t at = 0;
  for (uint64_t first = 0, i = 0; first < count; first += kTensorElements, ++i) {
    const uint64_t n = std::min(kTensorElements, count - first);
    header += std::string(i ? "," : "") + "\"layers." + std::to_string(i) + ".weight\":{\"dtype\":\"" +
              (bf16 ? "BF16" : "F32") + "\",\"shape\":[" + std::to_string(n) + "],\"data_offsets\":[" +
              std::to_string(at) + "," + std::to_string(at + n * static_cast<uint64_t>(width)) + "]}";
    at += n * static_cast<uint64_t>(width);
  }
  header += "}";
  // Padded with spaces to a multiple of 8, as the safetensors library writes
  // it: the data then starts aligned (the reader hands aligned F32 batches over in place).
  header.append((8 - header.size() % 8) % 8, ' ');
  std::ofstream out(path, std::ios::binary);
  const uint64_t len = header.size();
  out.write(reinterpret_cast<const char*>(&len), 8);
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  std::mt19937 rng(15);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  std::vector<float> block(1u << 20);
  std::vector<uint16_t> narrow(block.size());
  // One 1M-element block of random values, written again and again: drawing
  // gigabytes of normals would take longer than the scan being measured.
  for (float& v : block) v = normal(rng);
  if (bf16) kernels::fp32_to_bf16(block.data(), narrow.data(), block.size());
  for (uint64_t done = 0; done < count;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(block.size(), count - done));
    if (bf16) {
      out.write(reinterpret_cast<const char*>(narrow.data()), static_cast<std::streamsize>(2 * n));
    } else {
      out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(4 * n));
    }
    done += n;
  }
}

// Reads the file in chunks, handing each to `feed` (empty: only read). Bytes read.
uint64_t scan(const std::string& path, const std::function<void(std::string_view)>& feed) {
  std::ifstream in(path, std::ios::binary);
  std::string chunk(kChunk, '\0');
  uint64_t total = 0;
  volatile unsigned char sink = 0;
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const size_t got = static_cast<size_t>(in.gcount());
    if (got == 0) break;
    total += got;
    if (feed) feed(std::string_view(chunk.data(), got));
    else sink = sink ^ static_cast<unsigned char>(chunk[got - 1]);
  }
  return total;
}

class NullVisitor : public tensors::TensorVisitor {
 public:
  void begin_tensor(const tensors::TensorInfo&) override {}
  void values(const double* v, size_t n) override { sum_ += n ? v[n - 1] : 0; }
  void end_tensor() override {}
  double sum_ = 0;
};

const std::vector<Format>& targets() {
  static const std::vector<Format> f = {fp16(), bf16(), fp8_e4m3()};
  return f;
}

// This thread's CPU time (user + system), seconds: on a shared, loaded
// machine the wall clock mostly measures the other processes.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double last_wall = 0;

// One variant over one file: CPU seconds (last_wall: wall seconds).
double run(const std::string& variant, const std::string& path) {
  const auto t0 = std::chrono::steady_clock::now();
  const double c0 = cpu_seconds();
  std::string error;
  if (variant == "read") {
    scan(path, nullptr);
  } else if (variant == "parse") {
    NullVisitor v;
    tensors::TensorFileReader reader(tensors::FileKind::Safetensors, "x", &v);
    scan(path, [&](std::string_view c) { reader.feed(c, &error); });
    if (!reader.finish(&error)) std::fprintf(stderr, "bench_inspect: %s\n", error.c_str());
  } else {
    tensors::StatsCollector stats(targets(), tensors::UpdateQuestion{1e-4, 1e-3});
    stats.set_scalar_reference(variant == "stats-scalar");
    tensors::TensorFileReader reader(tensors::FileKind::Safetensors, "x", &stats);
    scan(path, [&](std::string_view c) { reader.feed(c, &error); });
    if (!reader.finish(&error)) std::fprintf(stderr, "bench_inspect: %s\n", error.c_str());
  }
  last_wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return cpu_seconds() - c0;
}

uint64_t file_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  return static_cast<uint64_t>(in.tellg());
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t mb = 512;
  int rounds = 5;
  double big_gb = 0;
  std::string dir = "build/native/bench/data", json;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--mb" && has) mb = std::stoull(argv[++i]);
    else if (a == "--rounds" && has) rounds = std::max(1, std::stoi(argv[++i]));
    else if (a == "--big-gb" && has) big_gb = std::stod(argv[++i]);
    else if (a == "--dir" && has) dir = argv[++i];
    else if (a == "--json" && has) json = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_inspect [--mb N] [--rounds R] [--big-gb G] [--dir DIR] [--json FILE]\n");
      return 2;
    }
  }
  std::system(("mkdir -p '" + dir + "'").c_str());
  const std::string f32 = dir + "/scan_f32.safetensors", b16 = dir + "/scan_bf16.safetensors",
                    small = dir + "/scan_f32_small.safetensors";
  std::fprintf(stderr, "bench_inspect: writing %llu MB fp32 and bf16 files under %s\n",
               static_cast<unsigned long long>(mb), dir.c_str());
  write_checkpoint(f32, mb << 20, false);
  write_checkpoint(b16, mb << 20, true);
  write_checkpoint(small, 32u << 20, false);

  struct Row {
    std::string file, variant, path;
    std::vector<double> seconds = {}, wall = {};
  };
  std::vector<Row> rows;
  for (const auto& [name, path] : {std::pair<std::string, std::string>{"fp32", f32}, {"bf16", b16}})
    for (const char* v : {"read", "parse", "stats"}) rows.push_back({name, v, path, {}});
  rows.push_back({"fp32 32 MB", "read", small, {}});
  rows.push_back({"fp32 32 MB", "stats", small, {}});
  rows.push_back({"fp32 32 MB", "stats-scalar", small, {}});
  for (Row& r : rows) run(r.variant, r.path);  // warm the page cache and the code
  for (int k = 0; k < rounds; ++k) {
    // Interleaved, the order rotating each round: every variant sees the same load.
    for (size_t j = 0; j < rows.size(); ++j) {
      Row& r = rows[(j + static_cast<size_t>(k)) % rows.size()];
      r.seconds.push_back(run(r.variant, r.path));
      r.wall.push_back(last_wall);
    }
  }
  const long rss_small = peak_rss_kb();

  std::printf("inspect scan (fp16 + bf16 + fp8-e4m3 stats with the update question), one thread, median of %d "
              "interleaved rounds; GB/s by the thread's CPU time (the machine is shared: wall ms beside it)\n",
              rounds);
  std::printf("  %-12s %-13s %10s %10s %10s %9s\n", "file", "variant", "cpu ms", "wall ms", "GB/s", "vs read");
  std::string json_rows;
  auto gbs = [&](const Row& r) { return static_cast<double>(file_size(r.path)) / median(r.seconds) / 1e9; };
  double scan_f32 = 0, scan_b16 = 0, read_f32 = 0, read_b16 = 0, scalar = 0, fast_small = 0;
  for (const Row& r : rows) {
    const Row* read = nullptr;
    for (const Row& q : rows)
      if (q.file == r.file && q.variant == "read") read = &q;
    const double speed = gbs(r), ratio = speed / gbs(*read);
    std::printf("  %-12s %-13s %10.1f %10.1f %10.3f %8.2fx\n", r.file.c_str(), r.variant.c_str(),
                1e3 * median(r.seconds), 1e3 * median(r.wall), speed, ratio);
    if (r.variant == "stats" && r.file == "fp32") scan_f32 = speed;
    if (r.variant == "stats" && r.file == "bf16") scan_b16 = speed;
    if (r.variant == "read" && r.file == "fp32") read_f32 = speed;
    if (r.variant == "read" && r.file == "bf16") read_b16 = speed;
    if (r.variant == "stats-scalar") scalar = speed;
    if (r.variant == "stats" && r.file == "fp32 32 MB") fast_small = speed;
    json_rows += std::string(json_rows.empty() ? "" : ",") + "{\"file\":\"" + r.file + "\",\"variant\":\"" +
                 r.variant + "\",\"cpu_ms\":" + std::to_string(1e3 * median(r.seconds)) +
                 ",\"wall_ms\":" + std::to_string(1e3 * median(r.wall)) +
                 ",\"gb_per_s\":" + std::to_string(speed) + "}";
  }
  std::printf("  target: stats >= 1 GB/s on one core (fp32 %.3f GB/s, bf16 %.3f GB/s: %s)\n", scan_f32, scan_b16,
              scan_f32 >= 1 && scan_b16 >= 1 ? "met" : "NOT met");
  std::printf("  batch kernels vs the core's element loop: %.1fx\n", fast_small / scalar);

  long rss_big = 0;
  uint64_t big_bytes = 0;
  if (big_gb > 0) {
    const std::string big = dir + "/scan_big_f32.safetensors";
    std::fprintf(stderr, "bench_inspect: writing a %.1f GB fp32 file\n", big_gb);
    write_checkpoint(big, static_cast<uint64_t>(big_gb * 1e9), false);
    big_bytes = file_size(big);
    const double s = run("stats", big);
    rss_big = peak_rss_kb();
    std::printf("memory: peak resident %.1f MB after the %llu MB files, %.1f MB after scanning %.2f GB "
                "(%.3f GB/s): %s\n",
                rss_small / 1024.0, static_cast<unsigned long long>(mb), rss_big / 1024.0, big_bytes / 1e9,
                big_bytes / s / 1e9, rss_big <= rss_small + 16 * 1024 ? "flat" : "GREW");
    std::remove(big.c_str());
  } else {
    std::printf("memory: peak resident %.1f MB after the %llu MB files (no --big-gb run)\n", rss_small / 1024.0,
                static_cast<unsigned long long>(mb));
  }
  std::printf("cpu: %s; kernel path fp16 %s, bf16 %s, fp8-e4m3 %s; error tally %s\n", bench::cpu_model().c_str(),
              kernels::kernel_path_for(kernels::Target::Fp16), kernels::kernel_path_for(kernels::Target::Bf16),
              kernels::kernel_path_for(kernels::Target::Fp8E4M3), kernels::tally_path_name(kernels::tally_path()));
  if (!json.empty()) {
    std::ofstream out(json);
    out << "{\"cpu\":\"" << bench::cpu_model() << "\",\"mb\":" << mb << ",\"rounds\":" << rounds << ",\"rows\":[" << json_rows
        << "],\"stats_gb_per_s\":{\"fp32\":" << scan_f32 << ",\"bf16\":" << scan_b16 << "},\"read_gb_per_s\":{\"fp32\":"
        << read_f32 << ",\"bf16\":" << read_b16 << "},\"ratios\":{\"inspect_stats_vs_read_fp32\":"
        << scan_f32 / read_f32 << ",\"inspect_stats_vs_read_bf16\":" << scan_b16 / read_b16
        << ",\"inspect_kernels_vs_scalar\":" << fast_small / scalar << "},\"peak_rss_kb\":{\"after_small\":" << rss_small
        << ",\"after_big\":" << rss_big << ",\"big_bytes\":" << big_bytes << "}}\n";
  }
  std::remove(f32.c_str());
  std::remove(b16.c_str());
  std::remove(small.c_str());
  return 0;
}
