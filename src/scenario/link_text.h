// The share link's text layer (see link.h): the "k=v&k=v" form with
// percent-encoding, the compact base64url payload, and the notices a
// decoder collects. Shared by link.cpp and the link_* files beside it; not
// a public API.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/link.h"

namespace mantissa::link_detail {

using Pair = std::pair<std::string, std::string>;

// Link text shown in a notice: printable ASCII only (a link is hostile until
// proven otherwise; the notice is drawn as text, never as HTML, but it may
// also reach a console or a JSON string), and short.
std::string shown(std::string_view text, size_t max = 40);

// At most kLinkMaxNotices sentences, then one "... and N more".
class Notices {
 public:
  explicit Notices(std::vector<std::string>* out) : out_(out) {}
  ~Notices() {
    if (dropped_ > 0) out_->push_back("... and " + std::to_string(dropped_) + " more ignored parts");
  }
  void add(std::string text) {
    if (out_->size() < kLinkMaxNotices) {
      out_->push_back(std::move(text));
    } else {
      ++dropped_;
    }
  }
  void ignored(std::string_view key, std::string_view value, std::string_view why) {
    add("ignored " + shown(key, 24) + "=" + shown(value) + ": " + std::string(why));
  }

 private:
  std::vector<std::string>* out_;
  size_t dropped_ = 0;
};

// Percent-encoding of keys and values (RFC 3986 unreserved characters stay).
void percent_encode(std::string_view text, std::string* out);
bool percent_decode(std::string_view text, std::string* out);

// The compact payload (format in link_text.cpp) and its base64url text.
std::string pack_pairs(const std::vector<Pair>& pairs);
bool unpack_pairs(std::string_view in, std::vector<Pair>* pairs);
std::string base64url_encode(std::string_view in);
bool base64url_decode(std::string_view in, std::string* out);

// "k=v&k=v", percent-encoded.
std::string join_readable(const std::vector<Pair>& pairs);
// Splits "k=v&k=v" into decoded pairs. Bounded: at most kLinkMaxParts parts
// are decoded; each part is decoded once.
std::vector<Pair> split_readable(std::string_view text, Notices* notices);

}  // namespace mantissa::link_detail
