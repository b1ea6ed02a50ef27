#include "tensors/tensor_reader.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "core/rounding.h"
#include "kernels/convert.h"
#include "tensors/gguf.h"

namespace mantissa::tensors {

namespace {

uint64_t le(const unsigned char* p, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

// Product of dims, false on overflow past 2^63 (no real tensor comes near).
bool shape_product(const std::vector<uint64_t>& shape, uint64_t* count) {
  uint64_t c = 1;
  for (uint64_t d : shape) {
    if (d != 0 && c > (uint64_t{1} << 62) / d) return false;
    c *= d;
  }
  *count = c;
  return true;
}

// The safetensors dtypes read, with their element formats; every other
// dtype (integers, F8_E8M0, F4, ...) is listed and skipped.
bool safetensors_dtype(const std::string& d, const Format** f, int* width) {
  if (d == "F64") return *f = &fp64(), *width = 8, true;
  if (d == "F32") return *f = &fp32(), *width = 4, true;
  if (d == "F16") return *f = &fp16(), *width = 2, true;
  if (d == "BF16") return *f = &bf16(), *width = 2, true;
  if (d == "F8_E4M3") return *f = &fp8_e4m3(), *width = 1, true;  // OCP E4M3FN
  if (d == "F8_E5M2") return *f = &fp8_e5m2(), *width = 1, true;
  return false;
}

// Byte widths of the safetensors dtypes we skip, so their sizes can still be
// checked against their shapes (0: unknown dtype, size unchecked).
int skipped_width(const std::string& d) {
  if (d == "BOOL" || d == "U8" || d == "I8" || d == "F8_E8M0") return 1;
  if (d == "I16" || d == "U16") return 2;
  if (d == "I32" || d == "U32") return 4;
  if (d == "I64" || d == "U64" || d == "C64") return 8;
  return 0;
}

// Deepest [ / { nesting outside strings; stops counting past the cap so a
// nesting bomb costs one linear scan and no recursion.
int json_depth(std::string_view s) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > kMaxJsonDepth) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

// A strict reader of the Python dict literal numpy writes as the .npy header:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class NpyDict {
 public:
  explicit NpyDict(std::string_view s) : s_(s) {}
  bool parse(std::string* descr, bool* fortran, std::vector<uint64_t>* shape, std::string* error) {
    bool have_descr = false, have_order = false, have_shape = false;
    skip();
    if (!eat('{')) return *error = ".npy header is not a dict", false;
    for (;;) {
      skip();
      if (eat('}')) break;
      std::string key;
      if (!string(&key)) return *error = ".npy header has a malformed key", false;
      skip();
      if (!eat(':')) return *error = ".npy header lacks ':' after " + quoted_name(key), false;
      skip();
      if (key == "descr") {
        if (!string(descr)) return *error = ".npy descr is not a string", false;
        have_descr = true;
      } else if (key == "fortran_order") {
        if (word("True")) *fortran = true;
        else if (word("False")) *fortran = false;
        else return *error = ".npy fortran_order is not True or False", false;
        have_order = true;
      } else if (key == "shape") {
        if (!tuple(shape)) return *error = ".npy shape is not a tuple of integers", false;
        have_shape = true;
      } else {
        return *error = ".npy header has an unknown key " + quoted_name(key), false;
      }
      skip();
      if (eat(',')) continue;
      skip();
      if (eat('}')) break;
      return *error = ".npy header dict is malformed", false;
    }
    skip();
    if (p_ != s_.size()) return *error = ".npy header has bytes after its dict", false;
    if (!have_descr || !have_order || !have_shape)
      return *error = ".npy header lacks descr, fortran_order or shape", false;
    return true;
  }

 private:
  void skip() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\n')) ++p_;
  }
  bool eat(char c) { return p_ < s_.size() && s_[p_] == c ? (++p_, true) : false; }
  bool word(std::string_view w) {
    if (s_.substr(p_, w.size()) != w) return false;
    p_ += w.size();
    return true;
  }
  bool string(std::string* out) {
    if (p_ >= s_.size() || (s_[p_] != '\'' && s_[p_] != '"')) return false;
    const char q = s_[p_++];
    const size_t end = s_.find(q, p_);
    if (end == std::string_view::npos || end - p_ > 64) return false;
    *out = std::string(s_.substr(p_, end - p_));
    p_ = end + 1;
    return true;
  }
  bool tuple(std::vector<uint64_t>* shape) {
    shape->clear();
    if (!eat('(')) return false;
    for (;;) {
      skip();
      if (eat(')')) return true;
      uint64_t d = 0;
      size_t digits = 0;
      while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') {
        if (++digits > 18) return false;  // beyond any real dimension; keeps d from overflowing
        d = d * 10 + static_cast<uint64_t>(s_[p_++] - '0');
      }
      if (digits == 0 || shape->size() >= 64) return false;
      shape->push_back(d);
      skip();
      if (eat(',')) continue;
      skip();
      if (eat(')')) return true;
      return false;
    }
  }
  std::string_view s_;
  size_t p_ = 0;
};

}  // namespace

std::string quoted_name(std::string_view name) {
  std::string s(name.substr(0, 80));
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20) c = '?';
  return "'" + s + (name.size() > 80 ? "...'" : "'");
}

FileKind sniff_kind(std::string_view first_bytes) {
  if (looks_like_npy(first_bytes)) return FileKind::Npy;
  if (looks_like_gguf(first_bytes)) return FileKind::Gguf;
  return FileKind::Safetensors;
}

bool looks_like_npy(std::string_view bytes) { return bytes.size() >= 6 && bytes.substr(0, 6) == "\x93NUMPY"; }

TensorFileReader::TensorFileReader(FileKind kind, std::string npy_name, TensorVisitor* visitor)
    : kind_(kind), npy_name_(std::move(npy_name)), visitor_(visitor) {}

TensorFileReader::~TensorFileReader() = default;

bool TensorFileReader::feed(std::string_view chunk, std::string* error) {
  if (kind_ == FileKind::Gguf && !in_data_) return feed_gguf_header(chunk, false, error);
  if (!in_data_ && !feed_header(&chunk, error)) return false;
  if (in_data_ && !chunk.empty()) return feed_data(chunk, error);
  return true;
}

// Buffers the fixed prefix, then the header; moves *chunk past what it took.
bool TensorFileReader::feed_header(std::string_view* chunk, std::string* error) {
  if (header_len_ == 0) {
    const size_t need = kind_ == FileKind::Npy ? 8 : 8;  // magic+version, or the u64 length
    const size_t take = std::min(chunk->size(), need - std::min(need, buffer_.size()));
    buffer_.append(chunk->substr(0, take));
    chunk->remove_prefix(take);
    if (buffer_.size() < need) return true;
    const auto* u = reinterpret_cast<const unsigned char*>(buffer_.data());
    if (kind_ == FileKind::Safetensors) {
      header_len_ = le(u, 8);
      prefix_len_ = 8;
      if (header_len_ < 2 || header_len_ > kMaxSafetensorsHeader) {
        return *error = "safetensors header length " + std::to_string(header_len_) +
                        " is not between 2 and " + std::to_string(kMaxSafetensorsHeader) +
                        " bytes (is this a safetensors file?)",
               false;
      }
    } else {
      if (!looks_like_npy(buffer_)) return *error = "not a .npy file (no \\x93NUMPY magic)", false;
      const int major = u[6];
      if (major < 1 || major > 3)
        return *error = ".npy version " + std::to_string(major) + " is not supported (1, 2 or 3)", false;
      prefix_len_ = major == 1 ? 10 : 12;
      // The length field follows the version: read it below once it is here.
      header_len_ = ~uint64_t{0};
    }
  }
  if (header_len_ == ~uint64_t{0}) {
    const size_t take = std::min(chunk->size(), prefix_len_ - std::min(prefix_len_, buffer_.size()));
    buffer_.append(chunk->substr(0, take));
    chunk->remove_prefix(take);
    if (buffer_.size() < prefix_len_) return true;
    const auto* u = reinterpret_cast<const unsigned char*>(buffer_.data());
    header_len_ = le(u + 8, static_cast<int>(prefix_len_ - 8));
    if (header_len_ > kMaxNpyHeader)
      return *error = ".npy header length " + std::to_string(header_len_) + " is over the 1 MiB limit", false;
  }
  const uint64_t total = prefix_len_ + header_len_;
  const size_t take = static_cast<size_t>(std::min<uint64_t>(chunk->size(), total - buffer_.size()));
  buffer_.append(chunk->substr(0, take));
  chunk->remove_prefix(take);
  if (buffer_.size() < total) return true;
  if (!(kind_ == FileKind::Npy ? parse_npy_header(error) : parse_safetensors_header(error))) return false;
  buffer_.clear();
  buffer_.shrink_to_fit();
  in_data_ = true;
  enter_segments();
  return true;
}

bool TensorFileReader::feed_gguf_header(std::string_view chunk, bool at_end, std::string* error) {
  buffer_.append(chunk);
  // Parse again only once the buffer has doubled (or at the end of the file),
  // so small chunks cost linear time in the header's size, not quadratic.
  if (!at_end && buffer_.size() < gguf_next_try_) return true;
  GgufHeader h;
  switch (parse_gguf_header(buffer_, &h, error)) {
    case GgufParse::Error: return false;
    case GgufParse::NeedMore:
      if (at_end) return *error = "the file ends inside its GGUF header", false;
      gguf_next_try_ = std::min<uint64_t>(2 * std::max<uint64_t>(buffer_.size(), 32), kMaxGgufHeader + 1);
      return true;
    case GgufParse::Done: break;
  }
  // The data region starts right after the header: the padding up to the
  // first aligned byte, and between tensors, become padding segments.
  tensors_ = std::move(h.tensors);
  notices_ = std::move(h.notices);
  const uint64_t lead = h.data_start - h.header_end;
  uint64_t at = 0;
  std::vector<size_t> order(tensors_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return h.offsets[a] < h.offsets[b]; });
  for (size_t i : order) {
    const uint64_t begin = lead + h.offsets[i];
    if (begin > at) segments_.push_back({kPadding, at, begin});
    segments_.push_back({i, begin, begin + h.sizes[i]});
    at = begin + h.sizes[i];
  }
  data_len_ = at;
  trailing_allowed_ = h.alignment - 1;
  const std::string rest = buffer_.substr(static_cast<size_t>(h.header_end));
  buffer_.clear();
  buffer_.shrink_to_fit();
  in_data_ = true;
  enter_segments();
  return rest.empty() || feed_data(rest, error);
}

bool TensorFileReader::parse_npy_header(std::string* error) {
  TensorInfo t;
  t.name = npy_name_;
  if (!NpyDict(std::string_view(buffer_).substr(prefix_len_)).parse(&t.dtype, &t.fortran_order, &t.shape, error))
    return false;
  if (t.dtype == "<f8" || t.dtype == "<f4" || t.dtype == "<f2") {
    t.format = t.dtype == "<f8" ? &fp64() : t.dtype == "<f4" ? &fp32() : &fp16();
    t.width = t.dtype == "<f8" ? 8 : t.dtype == "<f4" ? 4 : 2;
    t.supported = true;
  } else {
    return *error = ".npy dtype " + quoted_name(t.dtype) + " is not supported (<f8, <f4 or <f2)", false;
  }
  if (!shape_product(t.shape, &t.count) || t.count > (uint64_t{1} << 62) / 8)
    return *error = ".npy shape is too large", false;
  data_len_ = t.count * static_cast<uint64_t>(t.width);
  segments_.push_back({0, 0, data_len_});
  tensors_.push_back(std::move(t));
  return true;
}

bool TensorFileReader::parse_safetensors_header(std::string* error) {
  const std::string_view text = std::string_view(buffer_).substr(prefix_len_);
  if (json_depth(text) > kMaxJsonDepth)
    return *error = "safetensors header nests deeper than " + std::to_string(kMaxJsonDepth) + " levels", false;
  const nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return *error = "safetensors header is not valid JSON", false;
  if (!j.is_object()) return *error = "safetensors header is not a JSON object", false;
  for (const auto& [name, entry] : j.items()) {
    if (name == "__metadata__") continue;
    const std::string who = "tensor " + quoted_name(name);
    if (!entry.is_object()) return *error = who + " is not a JSON object", false;
    const auto dtype = entry.find("dtype"), shape = entry.find("shape"), offsets = entry.find("data_offsets");
    if (dtype == entry.end() || !dtype->is_string()) return *error = who + " has no string dtype", false;
    if (shape == entry.end() || !shape->is_array() || shape->size() > 64)
      return *error = who + " has no shape array", false;
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
        !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned())
      return *error = who + " has no data_offsets [begin, end]", false;
    TensorInfo t;
    t.name = name;
    t.dtype = dtype->get<std::string>();
    for (const auto& d : *shape) {
      if (!d.is_number_unsigned()) return *error = who + " has a shape entry that is not a non-negative integer", false;
      t.shape.push_back(d.get<uint64_t>());
    }
    const uint64_t begin = (*offsets)[0].get<uint64_t>(), end = (*offsets)[1].get<uint64_t>();
    if (begin > end) return *error = who + " has data_offsets with begin after end", false;
    if (!shape_product(t.shape, &t.count)) return *error = who + " has a shape whose product overflows", false;
    t.supported = safetensors_dtype(t.dtype, &t.format, &t.width);
    const int width = t.supported ? t.width : skipped_width(t.dtype);
    if (width != 0 && (t.count > (uint64_t{1} << 62) / 8 || t.count * static_cast<uint64_t>(width) != end - begin)) {
      return *error = who + " has shape product " + std::to_string(t.count) + " x " + std::to_string(width) +
                      " bytes, but data_offsets span " + std::to_string(end - begin) + " bytes",
             false;
    }
    if (!t.supported) notices_.push_back(who + ": dtype " + quoted_name(t.dtype) + " skipped (only float dtypes are read)");
    segments_.push_back({tensors_.size(), begin, end});
    tensors_.push_back(std::move(t));
  }
  // The data region must be tiled exactly: no gaps, no overlaps (as the
  // format's specification requires), so every byte belongs to one tensor.
  std::stable_sort(segments_.begin(), segments_.end(),
                   [](const Segment& a, const Segment& b) { return a.begin < b.begin; });
  uint64_t at = 0;
  for (const Segment& s : segments_) {
    const std::string who = "tensor " + quoted_name(tensors_[s.tensor].name);
    if (s.begin < at) return *error = who + " overlaps the tensor before it in the data", false;
    if (s.begin > at) return *error = who + " leaves a gap of " + std::to_string(s.begin - at) + " bytes before it", false;
    at = s.end;
  }
  data_len_ = at;
  return true;
}

// Opens (and closes, when empty) the segments starting at pos_.
void TensorFileReader::enter_segments() {
  while (!segment_open_ && next_segment_ < segments_.size() && segments_[next_segment_].begin == pos_) {
    const Segment& s = segments_[next_segment_];
    if (segment_read(s)) visitor_->begin_tensor(tensors_[s.tensor]);
    segment_open_ = true;
    if (s.end == s.begin) {
      if (segment_read(s)) visitor_->end_tensor();
      segment_open_ = false;
      ++next_segment_;
    }
  }
}

// F32, F16 and BF16 elements in bulk (the common dtypes of real checkpoints),
// in the narrowest form the visitor takes (see TensorVisitor); the generic
// loop below handles the rest. Hosts are little-endian (x86-64, wasm), as the
// files are. True when the batch was delivered.
bool TensorFileReader::decode_fast(const TensorInfo& t, const unsigned char* p, size_t n) {
  static_assert(sizeof(float) == 4);
  typedef float __attribute__((may_alias)) AliasedFloat;  // reading the file's bytes as floats is defined
  const float* f32 = nullptr;
  if (t.format == &fp32()) {
    if (reinterpret_cast<uintptr_t>(p) % alignof(float) == 0) {
      f32 = reinterpret_cast<const AliasedFloat*>(p);  // in place
    } else {
      narrow_.resize(n);
      std::memcpy(narrow_.data(), p, n * 4);
      f32 = narrow_.data();
    }
  } else if (t.format == &fp16() || t.format == &bf16()) {
    bits16_.resize(n);
    std::memcpy(bits16_.data(), p, n * 2);
    if (visitor_->values_bits16(bits16_.data(), n)) return true;
    narrow_.resize(n);
    if (t.format == &fp16()) kernels::fp16_to_fp32(bits16_.data(), narrow_.data(), n);
    else kernels::bf16_to_fp32(bits16_.data(), narrow_.data(), n);
    f32 = narrow_.data();
  } else {
    return false;
  }
  if (visitor_->values_f32(f32, n)) return true;
  for (size_t i = 0; i < n; ++i) scratch_[i] = f32[i];  // fp32 -> double: exact
  visitor_->values(scratch_.data(), n);
  return true;
}

void TensorFileReader::emit(const unsigned char* p, size_t n) {
  const Segment& s = segments_[next_segment_];
  if (!segment_read(s)) return;
  const TensorInfo& t = tensors_[s.tensor];
  scratch_.resize(std::min<size_t>(n, 4096));
  for (size_t done = 0; done < n;) {
    const size_t k = std::min(n - done, scratch_.size());
    const unsigned char* q = p + done * static_cast<size_t>(t.width);
    if (!decode_fast(t, q, k)) {
      for (size_t i = 0; i < k; ++i) {
        const uint64_t bits = le(q + i * static_cast<size_t>(t.width), t.width);
        if (t.width == 8) std::memcpy(&scratch_[i], &bits, 8);
        else scratch_[i] = to_double(*t.format, bits);
      }
      visitor_->values(scratch_.data(), k);
    }
    done += k;
  }
}

bool TensorFileReader::feed_data(std::string_view chunk, std::string* error) {
  const auto* u = reinterpret_cast<const unsigned char*>(chunk.data());
  size_t n = chunk.size();
  while (n > 0) {
    enter_segments();
    if (next_segment_ >= segments_.size()) {
      // GGUF pads its last tensor to the alignment too.
      if (n <= trailing_allowed_ - trailing_) return trailing_ += n, true;
      return *error = std::to_string(n) + " bytes follow the last tensor's data (the file is longer than its header says)",
             false;
    }
    const Segment& s = segments_[next_segment_];
    // Skipped tensors and padding are passed over byte by byte, not split into elements.
    const size_t width = segment_read(s) ? static_cast<size_t>(tensors_[s.tensor].width) : 1;
    const size_t take = static_cast<size_t>(std::min<uint64_t>(n, s.end - pos_));
    size_t i = 0;
    // Complete an element split across chunks.
    while (carry_len_ > 0 && i < take) {
      carry_[carry_len_++] = u[i++];
      if (carry_len_ == width) {
        emit(carry_, 1);
        carry_len_ = 0;
      }
    }
    const size_t whole = (take - i) / width;
    emit(u + i, whole);
    i += whole * width;
    while (i < take) carry_[carry_len_++] = u[i++];
    pos_ += take;
    u += take;
    n -= take;
    if (pos_ == s.end) {
      if (segment_read(s)) visitor_->end_tensor();
      segment_open_ = false;
      ++next_segment_;
      carry_len_ = 0;
    }
  }
  enter_segments();
  return true;
}

bool TensorFileReader::finish(std::string* error) {
  if (kind_ == FileKind::Gguf && !in_data_ && !feed_gguf_header({}, true, error)) return false;
  if (!in_data_) return *error = "the file ends inside its header", false;
  if (pos_ < data_len_) {
    const TensorInfo* t = next_segment_ < segments_.size() ? segment_tensor(segments_[next_segment_]) : nullptr;
    const std::string who = t ? " (inside tensor " + quoted_name(t->name) + ")" : "";
    return *error = "the file is truncated: " + std::to_string(data_len_ - pos_) + " bytes of data missing" + who,
           false;
  }
  return true;
}

namespace {
class Collect : public TensorVisitor {
 public:
  explicit Collect(std::vector<double>* out) : out_(out) {}
  void begin_tensor(const TensorInfo&) override {}
  void values(const double* v, size_t n) override { out_->insert(out_->end(), v, v + n); }
  void end_tensor() override {}
  std::vector<double>* out_;
};
}  // namespace

bool read_npy(std::string_view bytes, size_t max_values, std::vector<double>* out, std::string* error) {
  out->clear();
  Collect collect(out);
  TensorFileReader reader(FileKind::Npy, "", &collect);
  // Feed the header first so the size limit is checked before any value is stored.
  const size_t head = std::min<size_t>(bytes.size(), 12);
  if (!reader.feed(bytes.substr(0, head), error)) return false;
  std::string_view rest = bytes.substr(head);
  while (!rest.empty() && reader.tensors().empty()) {
    const size_t k = std::min<size_t>(rest.size(), 4096);
    if (!reader.feed(rest.substr(0, k), error)) return false;
    rest.remove_prefix(k);
  }
  if (!reader.tensors().empty()) {
    const TensorInfo& t = reader.tensors()[0];
    if (t.fortran_order) return *error = ".npy file must be in C order (fortran_order False)", false;
    if (t.count > max_values)
      return *error = ".npy file holds more than " + std::to_string(max_values) + " values", false;
  }
  if (!reader.feed(rest, error)) return false;
  return reader.finish(error);
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
  for (size_t i = 0; i < bytes.size(); i += 4) out->push_back(to_double(fp32(), le(u + i, 4)));
  return true;
}

}  // namespace mantissa::tensors
