// libFuzzer target: the streaming safetensors reader of src/tensors, fed in
// chunks (tensor_file_fuzz.h).
#include "tensor_file_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz_tensor_file(mantissa::tensors::FileKind::Safetensors, "x.safetensors", data, size);
}
