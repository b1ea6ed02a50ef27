// libFuzzer target: the share-link codec. Any hash decodes (no crash, bounded
// work); re-encoding the decoded scenario and decoding that gives the same
// scenario with no notices: what the page writes back is always clean.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenario/link.h"

using namespace mantissa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string hash(reinterpret_cast<const char*>(data), size);
  DecodedLink first = decode_link(hash);
  if (first.notices.size() > kLinkMaxNotices + 1) std::abort();
  const std::string again = encode_link(first.scenario);
  DecodedLink second = decode_link(again);
  if (!second.notices.empty()) std::abort();
  if (!(second.scenario == first.scenario)) std::abort();
  return 0;
}
