#include "tensors/gguf.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <set>

namespace mantissa::tensors {

namespace {

// ggml's types: name, elements per block, bytes per block (gguf-py's
// GGML_QUANT_SIZES). Gaps in the numbering are types ggml removed.
struct GgmlType {
  uint32_t id;
  const char* name;
  uint32_t block, bytes;
};
constexpr uint32_t kQK = 256;  // ggml's k-quant super-block
constexpr GgmlType kGgmlTypes[] = {
    {0, "F32", 1, 4},
    {1, "F16", 1, 2},
    {2, "Q4_0", 32, 2 + 16},
    {3, "Q4_1", 32, 2 + 2 + 16},
    {6, "Q5_0", 32, 2 + 4 + 16},
    {7, "Q5_1", 32, 2 + 2 + 4 + 16},
    {8, "Q8_0", 32, 2 + 32},
    {9, "Q8_1", 32, 4 + 4 + 32},
    {10, "Q2_K", kQK, 2 + 2 + kQK / 16 + kQK / 4},
    {11, "Q3_K", kQK, 2 + kQK / 4 + kQK / 8 + 12},
    {12, "Q4_K", kQK, 2 + 2 + kQK / 2 + 12},
    {13, "Q5_K", kQK, 2 + 2 + kQK / 2 + kQK / 8 + 12},
    {14, "Q6_K", kQK, 2 + kQK / 2 + kQK / 4 + kQK / 16},
    {15, "Q8_K", kQK, 4 + kQK + kQK / 8},
    {16, "IQ2_XXS", kQK, 2 + kQK / 4},
    {17, "IQ2_XS", kQK, 2 + kQK / 4 + kQK / 32},
    {18, "IQ3_XXS", kQK, 2 + kQK / 4 + kQK / 8},
    {19, "IQ1_S", kQK, 2 + kQK / 8 + kQK / 16},
    {20, "IQ4_NL", 32, 2 + 16},
    {21, "IQ3_S", kQK, 2 + kQK / 4 + kQK / 8 + kQK / 32 + 4},
    {22, "IQ2_S", kQK, 2 + kQK / 4 + kQK / 16},
    {23, "IQ4_XS", kQK, 2 + 2 + kQK / 2 + kQK / 64},
    {24, "I8", 1, 1},
    {25, "I16", 1, 2},
    {26, "I32", 1, 4},
    {27, "I64", 1, 8},
    {28, "F64", 1, 8},
    {29, "IQ1_M", kQK, kQK / 8 + kQK / 16 + kQK / 32},
    {30, "BF16", 1, 2},
    {34, "TQ1_0", kQK, 2 + 4 * 13},
    {35, "TQ2_0", kQK, 2 + 64},
    {39, "MXFP4", 32, 1 + 16},
    {40, "NVFP4", 64, 4 + 32},
};

const GgmlType* ggml_type(uint32_t id) {
  for (const GgmlType& t : kGgmlTypes)
    if (t.id == id) return &t;
  return nullptr;
}

// The types read, with their element formats; the rest are listed and skipped.
const Format* read_format(uint32_t id) {
  switch (id) {
    case 0: return &fp32();
    case 1: return &fp16();
    case 28: return &fp64();
    case 30: return &bf16();
    default: return nullptr;
  }
}

// GGUF metadata value types.
enum ValueType : uint32_t { U8, I8, U16, I16, U32, I32, F32, BOOL, STRING, ARRAY, U64, I64, F64, kValueTypes };
constexpr int kValueBytes[kValueTypes] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
// Arrays of arrays are legal; nothing real nests deeper than 2.
constexpr int kMaxArrayDepth = 4;
// GGML_MAX_DIMS.
constexpr uint32_t kMaxDims = 4;

// A cursor over the buffered bytes. Running out is NeedMore, not an error,
// unless the header would pass kMaxGgufHeader.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  // false: not enough bytes (*more set) or the header limit is passed (error).
  bool take(uint64_t n, const unsigned char** p) {
    if (n > kMaxGgufHeader || p_ + n > kMaxGgufHeader) return over_limit_ = true, false;
    if (n > s_.size() - p_) return more_ = true, false;
    *p = reinterpret_cast<const unsigned char*>(s_.data()) + p_;
    p_ += static_cast<size_t>(n);
    return true;
  }
  bool u32(uint32_t* v) { return number(v); }
  bool u64(uint64_t* v) { return number(v); }
  bool string(std::string_view* out) {
    uint64_t len = 0;
    const unsigned char* p = nullptr;
    if (!u64(&len) || !take(len, &p)) return false;
    *out = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    return true;
  }
  size_t pos() const { return p_; }
  bool more() const { return more_; }
  bool over_limit() const { return over_limit_; }

 private:
  template <typename T>
  bool number(T* v) {
    const unsigned char* p = nullptr;
    if (!take(sizeof(T), &p)) return false;
    T x = 0;
    for (size_t i = sizeof(T); i-- > 0;) x = static_cast<T>((x << 8) | p[i]);  // little-endian
    *v = x;
    return true;
  }
  std::string_view s_;
  size_t p_ = 0;
  bool more_ = false, over_limit_ = false;
};

// Skips one metadata value of type `type`; false on NeedMore or error.
bool skip_value(Cursor* c, uint32_t type, int depth, const std::string& who, std::string* error) {
  const unsigned char* p = nullptr;
  if (type >= kValueTypes) return *error = who + " has unknown value type " + std::to_string(type), false;
  if (type == STRING) {
    std::string_view s;
    return c->string(&s);
  }
  if (type != ARRAY) return c->take(static_cast<uint64_t>(kValueBytes[type]), &p);
  uint32_t elem = 0;
  uint64_t count = 0;
  if (!c->u32(&elem) || !c->u64(&count)) return false;
  if (elem >= kValueTypes) return *error = who + " has an array of unknown value type " + std::to_string(elem), false;
  if (elem == ARRAY && depth + 1 >= kMaxArrayDepth)
    return *error = who + " nests arrays deeper than " + std::to_string(kMaxArrayDepth), false;
  if (elem != STRING && elem != ARRAY) {
    // Fixed-size elements: one bounds check, no loop over a hostile count.
    if (count > kMaxGgufHeader) return c->take(kMaxGgufHeader + 1, &p);
    return c->take(count * static_cast<uint64_t>(kValueBytes[elem]), &p);
  }
  // Each string or array element takes at least 8 bytes, so the loop ends
  // within the header limit whatever `count` says.
  for (uint64_t i = 0; i < count; ++i)
    if (!skip_value(c, elem, depth + 1, who, error)) return false;
  return true;
}

}  // namespace

bool looks_like_gguf(std::string_view first_bytes) {
  return first_bytes.size() >= 4 && first_bytes.substr(0, 4) == "GGUF";
}

GgufParse parse_gguf_header(std::string_view bytes, GgufHeader* out, std::string* error) {
  Cursor c(bytes);
  GgufHeader h;
  // Runs out of bytes -> NeedMore; past the size limit or malformed -> Error.
  const auto stop = [&]() {
    if (!error->empty()) return GgufParse::Error;
    if (c.over_limit()) {
      *error = "GGUF header is larger than " + std::to_string(kMaxGgufHeader) + " bytes";
      return GgufParse::Error;
    }
    return GgufParse::NeedMore;
  };
  error->clear();
  const unsigned char* magic = nullptr;
  if (!c.take(4, &magic)) return stop();
  if (!looks_like_gguf(bytes)) return *error = "not a GGUF file (no GGUF magic)", GgufParse::Error;
  uint32_t version = 0;
  uint64_t n_tensors = 0, n_kv = 0;
  if (!c.u32(&version)) return stop();
  if (version != 2 && version != 3) {
    if ((version & 0xFFFF) == 0 && version != 0)
      return *error = "GGUF file is big-endian: only little-endian GGUF is read", GgufParse::Error;
    return *error = "GGUF version " + std::to_string(version) + " is not supported (2 or 3)", GgufParse::Error;
  }
  if (!c.u64(&n_tensors) || !c.u64(&n_kv)) return stop();
  std::set<std::string_view> keys;
  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string_view key;
    uint32_t type = 0;
    if (!c.string(&key) || !c.u32(&type)) return stop();
    const std::string who = "GGUF metadata key " + quoted_name(key);
    if (!keys.insert(key).second) return *error = who + " appears twice", GgufParse::Error;
    if (key == "general.alignment") {
      uint32_t a = 0;
      if (type != U32) return *error = who + " is not a uint32", GgufParse::Error;
      if (!c.u32(&a)) return stop();
      if (a == 0 || (a & (a - 1)) != 0)
        return *error = who + " is " + std::to_string(a) + ", not a power of two", GgufParse::Error;
      h.alignment = a;
      continue;
    }
    if (!skip_value(&c, type, 0, who, error)) return stop();
  }
  std::set<std::string_view> names;
  for (uint64_t i = 0; i < n_tensors; ++i) {
    std::string_view name;
    uint32_t n_dims = 0, type = 0;
    if (!c.string(&name)) return stop();
    const std::string who = "tensor " + quoted_name(name);
    if (name.size() > 1024) return *error = who + " has a name longer than 1024 bytes", GgufParse::Error;
    if (!names.insert(name).second) return *error = who + " appears twice", GgufParse::Error;
    if (!c.u32(&n_dims)) return stop();
    if (n_dims > kMaxDims)
      return *error = who + " has " + std::to_string(n_dims) + " dims (at most " + std::to_string(kMaxDims) + ")",
             GgufParse::Error;
    TensorInfo t;
    t.name = std::string(name);
    std::vector<uint64_t> ne(n_dims);
    for (uint64_t& d : ne)
      if (!c.u64(&d)) return stop();
    uint64_t offset = 0;
    if (!c.u32(&type) || !c.u64(&offset)) return stop();
    const GgmlType* g = ggml_type(type);
    if (!g) return *error = who + " has unknown ggml type " + std::to_string(type), GgufParse::Error;
    // GGUF lists dims fastest-varying first (ggml's ne); the shape is shown
    // outermost first, as safetensors and numpy do.
    t.shape.assign(ne.rbegin(), ne.rend());
    uint64_t count = 1;
    for (uint64_t d : ne) {
      if (d > (uint64_t{1} << 62) || (d != 0 && count > (uint64_t{1} << 62) / d))
        return *error = who + " has a shape whose product overflows", GgufParse::Error;
      count *= d;
    }
    t.count = count;
    t.dtype = g->name;
    if (g->block > 1 && !ne.empty() && ne[0] % g->block != 0)
      return *error = who + " has a first dim " + std::to_string(ne[0]) + " that is not a multiple of " +
                      g->name + "'s block of " + std::to_string(g->block),
             GgufParse::Error;
    const uint64_t size = count / g->block * g->bytes;  // count <= 2^62, bytes/block <= 292: no overflow
    if (offset % h.alignment != 0)
      return *error = who + " has offset " + std::to_string(offset) + ", not a multiple of the alignment " +
                      std::to_string(h.alignment),
             GgufParse::Error;
    if (offset > (uint64_t{1} << 62)) return *error = who + " has an offset past any file", GgufParse::Error;
    t.format = read_format(type);
    t.supported = t.format != nullptr;
    t.width = t.supported ? static_cast<int>(g->bytes) : 0;  // a skipped tensor's bytes are not split into elements
    if (!t.supported)
      h.notices.push_back(who + ": ggml type " + g->name + " skipped (only F32, F16, BF16 and F64 are read)");
    h.tensors.push_back(std::move(t));
    h.offsets.push_back(offset);
    h.sizes.push_back(size);
  }
  h.header_end = c.pos();
  h.data_start = (h.header_end + h.alignment - 1) / h.alignment * h.alignment;
  // Tensors must lie in the data region in order of offset, without overlap,
  // each gap only the padding up to the alignment.
  std::vector<size_t> order(h.tensors.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return h.offsets[a] < h.offsets[b]; });
  uint64_t at = 0;
  for (size_t i : order) {
    const std::string who = "tensor " + quoted_name(h.tensors[i].name);
    if (h.offsets[i] < at) return *error = who + " overlaps the tensor before it in the data", GgufParse::Error;
    if (h.offsets[i] - at >= h.alignment)
      return *error = who + " leaves a gap of " + std::to_string(h.offsets[i] - at) + " bytes before it",
             GgufParse::Error;
    at = h.offsets[i] + h.sizes[i];
  }
  *out = std::move(h);
  return GgufParse::Done;
}

}  // namespace mantissa::tensors
