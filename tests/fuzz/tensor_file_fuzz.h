// The body shared by the fuzz targets of the streaming tensor-file readers
// (fuzz_npy.cpp, fuzz_safetensors.cpp, fuzz_gguf.cpp): the reader of one file kind with the
// statistics collector behind it. The first input byte picks a chunk size, so
// headers and elements get split at every boundary the CLI or a web worker
// could produce. No crash, no hang, no unbounded allocation; every refusal
// has a sentence.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tensors/tensor_reader.h"
#include "tensors/tensor_stats.h"

inline int fuzz_tensor_file(mantissa::tensors::FileKind kind, const char* file_name, const uint8_t* data,
                            size_t size) {
  using namespace mantissa;
  if (size < 1 || size > 65536) return 0;
  const size_t chunk = 1 + data[0] % 61;
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  tensors::StatsCollector stats({fp16(), bf16(), fp8_e4m3()}, tensors::UpdateQuestion{1e-3, 1e-2});
  tensors::TensorFileReader reader(kind, file_name, &stats);
  std::string error;
  bool ok = true;
  while (ok && !bytes.empty()) {
    const size_t k = bytes.size() < chunk ? bytes.size() : chunk;
    ok = reader.feed(bytes.substr(0, k), &error);
    bytes.remove_prefix(k);
  }
  if (ok) ok = reader.finish(&error);
  if (!ok && error.empty()) std::abort();
  return 0;
}
