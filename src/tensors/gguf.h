// The GGUF header (llama.cpp's model files): magic "GGUF", version 2 or 3,
// tensor and metadata counts, metadata key/values (skipped, except
// general.alignment), then one entry per tensor: name, dims, ggml type and
// offset. Unlike safetensors the header has no length prefix, so the reader
// buffers bytes and asks this parser whether the header is complete yet.
//
// Hostile-safe: every length and count is checked against the bytes present
// before anything is allocated; string lengths, array nesting, the number of
// dims, dim products, offsets and alignment are checked; a header past
// kMaxGgufHeader bytes is refused.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tensors/tensor_reader.h"

namespace mantissa::tensors {

// Largest GGUF header accepted (metadata holds the tokenizer's vocabulary:
// a few MB for real models; the safetensors limit is the same).
inline constexpr uint64_t kMaxGgufHeader = 100'000'000;

struct GgufHeader {
  uint64_t header_end = 0;  // bytes of the header proper
  uint64_t alignment = 32;  // general.alignment (default 32)
  uint64_t data_start = 0;  // header_end rounded up to the alignment
  std::vector<TensorInfo> tensors;
  std::vector<uint64_t> offsets, sizes;  // per tensor, bytes, relative to data_start
  std::vector<std::string> notices;
};

enum class GgufParse { NeedMore, Error, Done };

// Parses the header from the first bytes of a file (all the bytes buffered so
// far). NeedMore when the header runs past the end of `bytes`.
GgufParse parse_gguf_header(std::string_view bytes, GgufHeader* out, std::string* error);

bool looks_like_gguf(std::string_view first_bytes);

}  // namespace mantissa::tensors
