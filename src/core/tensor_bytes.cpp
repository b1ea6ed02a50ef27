#include "core/tensor_bytes.h"

#include <cstdint>
#include <cstring>

#include "core/format.h"
#include "core/rounding.h"

namespace mantissa {

namespace {

uint32_t le32(const unsigned char* p) {
  return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
}

uint64_t le64(const unsigned char* p) { return uint64_t{le32(p)} | (uint64_t{le32(p + 4)} << 32); }

// The value of `key` in the header dict, up to the next ',' or '}' at depth 0
// ('shape' is a tuple: up to its ')'). Empty when the key is absent.
std::string header_field(std::string_view h, std::string_view key) {
  const std::string quoted1 = "'" + std::string(key) + "'", quoted2 = "\"" + std::string(key) + "\"";
  size_t at = h.find(quoted1);
  if (at == std::string_view::npos) at = h.find(quoted2);
  if (at == std::string_view::npos) return "";
  size_t p = h.find(':', at);
  if (p == std::string_view::npos) return "";
  ++p;
  while (p < h.size() && h[p] == ' ') ++p;
  size_t end = p;
  if (p < h.size() && h[p] == '(') {
    end = h.find(')', p);
    if (end == std::string_view::npos) return "";
    ++end;
  } else {
    while (end < h.size() && h[end] != ',' && h[end] != '}') ++end;
  }
  std::string v(h.substr(p, end - p));
  while (!v.empty() && v.back() == ' ') v.pop_back();
  return v;
}

}  // namespace

bool looks_like_npy(std::string_view bytes) { return bytes.size() >= 6 && bytes.substr(0, 6) == "\x93NUMPY"; }

bool read_npy(std::string_view bytes, size_t max_values, std::vector<double>* out, std::string* error) {
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  if (!looks_like_npy(bytes) || bytes.size() < 10)
    return *error = "not a .npy file (no \\x93NUMPY magic)", false;
  const int major = u[6];
  size_t header_len, start;
  if (major == 1) {
    header_len = u[8] | (size_t{u[9]} << 8);
    start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) return *error = ".npy header is truncated", false;
    header_len = le32(u + 8);
    start = 12;
  } else {
    return *error = ".npy version " + std::to_string(major) + " is not supported (1, 2 or 3)", false;
  }
  if (header_len > bytes.size() - start) return *error = ".npy header is longer than the file", false;
  const std::string_view h = bytes.substr(start, header_len);
  if (h.find('{') == std::string_view::npos || h.find('}') == std::string_view::npos) {
    return *error = ".npy header is not a dict", false;
  }
  const std::string descr = header_field(h, "descr");
  size_t width;
  if (descr == "'<f4'" || descr == "\"<f4\"") {
    width = 4;
  } else if (descr == "'<f8'" || descr == "\"<f8\"") {
    width = 8;
  } else if (descr == "'<f2'" || descr == "\"<f2\"") {
    width = 2;
  } else {
    return *error = ".npy dtype " + descr.substr(0, 20) + " is not supported (<f4, <f8 or <f2)", false;
  }
  if (header_field(h, "fortran_order") != "False") {
    return *error = ".npy file must be in C order (fortran_order False)", false;
  }
  const std::string shape = header_field(h, "shape");
  if (shape.size() < 2 || shape.front() != '(' || shape.back() != ')')
    return *error = ".npy shape is missing", false;
  // The product of the dimensions, refusing anything past max_values early.
  size_t count = 1;
  uint64_t dim = 0;
  bool in_number = false;
  for (size_t i = 1; i + 1 < shape.size(); ++i) {
    const char c = shape[i];
    if (c >= '0' && c <= '9') {
      dim = dim * 10 + static_cast<uint64_t>(c - '0');
      if (dim > max_values)
        return *error = ".npy file holds more than " + std::to_string(max_values) + " values", false;
      in_number = true;
    } else if (c == ',' || c == ' ' || c == 'L') {
      if (c == ',' && !in_number) return *error = ".npy shape is malformed: " + shape.substr(0, 40), false;
      if (c == ',') {
        count *= static_cast<size_t>(dim);
        if (count > max_values)
          return *error = ".npy file holds more than " + std::to_string(max_values) + " values", false;
        dim = 0;
        in_number = false;
      }
    } else {
      return *error = ".npy shape is malformed: " + shape.substr(0, 40), false;
    }
  }
  if (in_number) count *= static_cast<size_t>(dim);
  if (count > max_values)
    return *error = ".npy file holds more than " + std::to_string(max_values) + " values", false;
  const size_t data = start + header_len;
  if (bytes.size() - data != count * width) {
    return *error = ".npy data is " + std::to_string(bytes.size() - data) + " bytes; the shape needs " +
                    std::to_string(count * width),
           false;
  }
  out->clear();
  out->reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const unsigned char* p = u + data + i * width;
    if (width == 8) {
      const uint64_t b = le64(p);
      double d;
      std::memcpy(&d, &b, sizeof d);
      out->push_back(d);
    } else if (width == 4) {
      out->push_back(to_double(fp32(), le32(p)));
    } else {
      out->push_back(to_double(fp16(), uint64_t{p[0]} | (uint64_t{p[1]} << 8)));
    }
  }
  return true;
}

bool read_raw_f32(std::string_view bytes, size_t max_values, std::vector<double>* out, std::string* error) {
  if (bytes.size() % 4 != 0) {
    return *error = "raw fp32 file is " + std::to_string(bytes.size()) + " bytes, not a multiple of 4", false;
  }
  if (bytes.size() / 4 > max_values)
    return *error = "file holds more than " + std::to_string(max_values) + " values", false;
  const auto* u = reinterpret_cast<const unsigned char*>(bytes.data());
  out->clear();
  out->reserve(bytes.size() / 4);
  for (size_t i = 0; i < bytes.size(); i += 4) out->push_back(to_double(fp32(), le32(u + i)));
  return true;
}

}  // namespace mantissa
