// Streaming readers of tensor files: safetensors, NumPy .npy and GGUF. The caller
// feeds the file's bytes in chunks of any size (the CLI reads a few MiB at a
// time, a web worker will feed slices of a File); the reader never holds more
// than the header and one partial element. Every tensor's elements reach the
// visitor widened exactly to doubles (or, when it takes them, as floats or
// raw 16-bit patterns), in file order (a Fortran-order .npy in
// its column-major order: statistics do not depend on order).
//
// Hostile-safe: header lengths are capped, JSON nesting is capped before the
// JSON library sees it, offsets must tile the data region exactly, shapes must
// agree with byte sizes without overflow. Any refusal is one sentence naming
// the tensor; the face prefixes the file name.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/format.h"

namespace mantissa::tensors {

// Largest safetensors JSON header accepted (the format's own reference
// implementation refuses headers past 100 MB too).
inline constexpr uint64_t kMaxSafetensorsHeader = 100'000'000;
// Largest .npy header dict accepted: numpy writes under 1 KiB for any shape.
inline constexpr uint64_t kMaxNpyHeader = 1u << 20;
// Deepest JSON nesting accepted in a safetensors header (a valid one has 3).
inline constexpr int kMaxJsonDepth = 16;

struct TensorInfo {
  std::string name;
  std::string dtype;             // as the file spells it: "F16", "BF16", "<f4", ...
  std::vector<uint64_t> shape;
  uint64_t count = 0;            // product of shape
  bool supported = false;        // false: its bytes are skipped (see reader notices)
  const Format* format = nullptr;  // element format when supported
  int width = 0;                 // bytes per element
  bool fortran_order = false;    // .npy only
};

class TensorVisitor {
 public:
  virtual ~TensorVisitor() = default;
  // Called for supported tensors only, in file order.
  virtual void begin_tensor(const TensorInfo& info) = 0;
  virtual void values(const double* v, size_t n) = 0;
  virtual void end_tensor() = 0;
  // Narrower inputs, optional (they spare widening every element to double
  // and back): a visitor that returns true has taken the batch; false (the
  // default) and the reader offers the next form. F16 and BF16 elements are
  // offered as raw 16-bit patterns (info.format says which), then as floats;
  // F32 as floats; then every dtype as doubles through values().
  virtual bool values_bits16(const uint16_t* /*bits*/, size_t /*n*/) { return false; }
  virtual bool values_f32(const float* /*v*/, size_t /*n*/) { return false; }
};

enum class FileKind { Safetensors, Npy, Gguf };

class TensorFileReader {
 public:
  // npy_name: the tensor name for a .npy file (which has none of its own).
  TensorFileReader(FileKind kind, std::string npy_name, TensorVisitor* visitor);
  ~TensorFileReader();
  // The next bytes of the file. False with *error on malformed input (then stop feeding).
  bool feed(std::string_view chunk, std::string* error);
  // End of file: false when the data is truncated.
  bool finish(std::string* error);
  // Tensors skipped (unsupported dtypes), one sentence each.
  const std::vector<std::string>& notices() const { return notices_; }
  // Every tensor of the header (supported or not), once the header is read.
  const std::vector<TensorInfo>& tensors() const { return tensors_; }

 private:
  static constexpr size_t kPadding = ~size_t{0};  // a Segment of alignment padding (GGUF)
  struct Segment {
    size_t tensor;  // index into tensors_, or kPadding
    uint64_t begin, end;  // byte offsets in the data region
  };
  const TensorInfo* segment_tensor(const Segment& s) const {
    return s.tensor == kPadding ? nullptr : &tensors_[s.tensor];
  }
  bool segment_read(const Segment& s) const { return s.tensor != kPadding && tensors_[s.tensor].supported; }
  bool feed_header(std::string_view* chunk, std::string* error);
  // GGUF: buffer until the header parses (its length is not in a prefix).
  bool feed_gguf_header(std::string_view chunk, bool at_end, std::string* error);
  bool parse_npy_header(std::string* error);
  bool parse_safetensors_header(std::string* error);
  bool feed_data(std::string_view chunk, std::string* error);
  void emit(const unsigned char* p, size_t n_elements);
  bool decode_fast(const TensorInfo& t, const unsigned char* p, size_t n);
  void enter_segments();

  FileKind kind_;
  std::string npy_name_;
  TensorVisitor* visitor_;
  std::string buffer_;          // the prefix and header while they arrive
  uint64_t header_len_ = 0;     // 0 until the prefix is read
  size_t prefix_len_ = 0;
  bool in_data_ = false;
  std::vector<TensorInfo> tensors_;
  std::vector<Segment> segments_;  // sorted by begin, tiling [0, data_len_)
  size_t next_segment_ = 0;
  bool segment_open_ = false;
  uint64_t data_len_ = 0, pos_ = 0;
  unsigned char carry_[8] = {};
  size_t carry_len_ = 0;
  uint64_t gguf_next_try_ = 0;  // buffered size at which to try parsing the GGUF header again
  uint64_t trailing_allowed_ = 0, trailing_ = 0;  // GGUF: padding after the last tensor
  std::vector<double> scratch_;
  std::vector<float> narrow_;
  std::vector<uint16_t> bits16_;
  std::vector<std::string> notices_;
};

// Which reader a file's first bytes call for: .npy or GGUF by their magic, else safetensors.
FileKind sniff_kind(std::string_view first_bytes);

// A whole .npy in memory, C order only, at most max_values elements
// (`quantize --file`, whose blocks follow C order). False with *error.
bool read_npy(std::string_view bytes, size_t max_values, std::vector<double>* out, std::string* error);
bool looks_like_npy(std::string_view bytes);
// A tensor name for messages: quoted, cut at 80 bytes, control bytes shown as '?'.
std::string quoted_name(std::string_view name);
// Raw little-endian fp32.
bool read_raw_f32(std::string_view bytes, size_t max_values, std::vector<double>* out, std::string* error);

}  // namespace mantissa::tensors
