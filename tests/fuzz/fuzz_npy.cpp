// libFuzzer target: the streaming .npy reader of src/tensors, fed in chunks
// (tensor_file_fuzz.h).
#include "tensor_file_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_tensor_file(mantissa::tensors::FileKind::Npy, "x.npy", data, size);
}
