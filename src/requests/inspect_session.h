// One `inspect` run fed chunk by chunk, for every face: the CLI reads a file
// a few MiB at a time, the JS API slices Blobs, the playground's web worker
// slices dropped Files. Options come from the same parser as the CLI's
// (inspect_options_from_args), the report is the same JSON as
// `mantissa inspect --json` (tensors/tensor_stats.h). No I/O here.
//
//   InspectSession s(request);
//   if (s.needs_amax_pass()) {                      // --scale tensor, nvfp4
//     s.begin_amax_pass();  ... every file as below ...;  s.end_amax_pass();
//   }
//   s.begin_file("model.safetensors");
//   while (...) if (!s.feed(chunk, &error)) ...;   // any chunk sizes
//   if (!s.end_file(&error)) ...;
//   ... more files ...
//   std::string json = s.json();
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "requests/requests.h"
#include "tensors/tensor_reader.h"
#include "tensors/tensor_stats.h"

namespace mantissa {

class InspectSession {
 public:
  explicit InspectSession(const InspectRequest& request);
  ~InspectSession();
  // --scale tensor and nvfp4 need each tensor's amax before its first value:
  // then every file is fed twice, first between begin_amax_pass() and
  // end_amax_pass() (memory stays flat; the face reads each file again).
  bool needs_amax_pass() const { return stats_.needs_amax_pass(); }
  void begin_amax_pass();
  void end_amax_pass();
  // Starts the next file; `name` is what the report and messages call it
  // (the CLI passes the path it was given). A .npy tensor is named after the
  // name's last path component.
  void begin_file(std::string name);
  // The next bytes of the current file. False with *error (naming the file)
  // on malformed input: the session is then finished with that file.
  bool feed(std::string_view chunk, std::string* error);
  // The current file ended: false when it was truncated.
  bool end_file(std::string* error);
  // Bytes fed so far, over every file.
  uint64_t bytes_fed() const { return bytes_fed_; }
  // The report over every file ended so far (the CLI's --json object).
  std::string json();
  // The same report as a piece for merge_inspect_partials (tensors/tensor_stats.h):
  // the playground's workers each scan some of the tensors and are merged in order.
  std::string partial_json();
  tensors::InspectReport& report();

 private:
  bool start_reader(std::string* error);

  tensors::InspectReport report_;
  tensors::StatsCollector stats_;
  tensors::AmaxCollector amax_;
  bool amax_pass_ = false;
  std::string file_;
  std::string head_;  // the first bytes of a file, until its kind is known
  std::unique_ptr<tensors::TensorFileReader> reader_;
  uint64_t bytes_fed_ = 0;
  bool failed_ = false;
};

}  // namespace mantissa
