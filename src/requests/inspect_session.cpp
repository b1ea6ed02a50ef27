#include "requests/inspect_session.h"

namespace mantissa {

namespace {

// Enough of a file's first bytes to tell .npy (6-byte magic) from safetensors.
constexpr size_t kSniffBytes = 8;

}  // namespace

InspectSession::InspectSession(const InspectRequest& request) : stats_(request.formats, request.question) {
  stats_.set_block_formats(request.block_formats);
  stats_.set_scale(request.scale);
  report_.formats = stats_.target_names();
  report_.question = request.question;
  report_.scale = request.scale;
  if (request.tensor_filter) {
    stats_.set_filter([pattern = *request.tensor_filter](const std::string& name) { return pattern.search(name); });
  }
}

void InspectSession::begin_amax_pass() { amax_pass_ = true; }

void InspectSession::end_amax_pass() {
  amax_pass_ = false;
  stats_.set_amax(std::move(amax_.result()));
}

InspectSession::~InspectSession() = default;

void InspectSession::begin_file(std::string name) {
  file_ = std::move(name);
  head_.clear();
  reader_.reset();
  failed_ = false;
  if (amax_pass_) {
    amax_.set_file(file_);
  } else {
    stats_.set_file(file_);
  }
}

bool InspectSession::start_reader(std::string* error) {
  const size_t slash = file_.find_last_of('/');
  const std::string base = slash == std::string::npos ? file_ : file_.substr(slash + 1);
  tensors::TensorVisitor* visitor = amax_pass_ ? static_cast<tensors::TensorVisitor*>(&amax_) : &stats_;
  reader_ = std::make_unique<tensors::TensorFileReader>(tensors::sniff_kind(head_), base, visitor);
  std::string head;
  head.swap(head_);
  if (!reader_->feed(head, error)) {
    failed_ = true;
    *error = "'" + file_ + "': " + *error;
    return false;
  }
  return true;
}

bool InspectSession::feed(std::string_view chunk, std::string* error) {
  if (failed_) return *error = "'" + file_ + "': the file was already refused", false;
  bytes_fed_ += chunk.size();
  if (!reader_) {
    const size_t take = std::min(chunk.size(), kSniffBytes - head_.size());
    head_.append(chunk.substr(0, take));
    chunk.remove_prefix(take);
    if (head_.size() < kSniffBytes) return true;
    if (!start_reader(error)) return false;
  }
  if (chunk.empty()) return true;
  if (!reader_->feed(chunk, error)) {
    failed_ = true;
    *error = "'" + file_ + "': " + *error;
    return false;
  }
  return true;
}

bool InspectSession::end_file(std::string* error) {
  if (failed_) return *error = "'" + file_ + "': the file was already refused", false;
  if (!reader_ && !start_reader(error)) return false;  // a file shorter than the sniff
  if (!reader_->finish(error)) {
    failed_ = true;
    *error = "'" + file_ + "': " + *error;
    return false;
  }
  if (!amax_pass_) {  // the same notices come from both passes: keep the measuring pass's
    for (const std::string& n : reader_->notices()) report_.notices.push_back("'" + file_ + "': " + n);
  }
  reader_.reset();
  return true;
}

tensors::InspectReport& InspectSession::report() {
  // Results move into the report once; the collector keeps its own list until then.
  if (!stats_.results().empty()) {
    for (tensors::TensorStats& t : stats_.results()) report_.tensors.push_back(std::move(t));
    stats_.results().clear();
  }
  return report_;
}

std::string InspectSession::json() { return tensors::inspect_report_json(report()); }

std::string InspectSession::partial_json() { return tensors::inspect_partial_json(report()); }

}  // namespace mantissa
