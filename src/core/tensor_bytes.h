// Numbers from the bytes of a file: raw little-endian fp32, or a NumPy .npy
// file (version 1.0/2.0/3.0, dtype <f4, <f8 or <f2, C order, any shape).
// Pure: the face reads the file and hands over its bytes.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mantissa {

// True when the bytes start with the .npy magic ("\x93NUMPY").
bool looks_like_npy(std::string_view bytes);

// Every element widened exactly to a double. False with a one-sentence
// *error (a malformed header, an unsupported dtype, a size that does not
// match the shape, more than max_values elements).
bool read_npy(std::string_view bytes, size_t max_values, std::vector<double>* out, std::string* error);
bool read_raw_f32(std::string_view bytes, size_t max_values, std::vector<double>* out, std::string* error);

}  // namespace mantissa
