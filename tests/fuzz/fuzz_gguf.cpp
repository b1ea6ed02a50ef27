// libFuzzer target: the streaming GGUF reader of src/tensors (header parsed
// from a growing buffer, then tensors and padding), fed in chunks
// (tensor_file_fuzz.h).
#include "tensor_file_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_tensor_file(mantissa::tensors::FileKind::Gguf, "x.gguf", data, size);
}
