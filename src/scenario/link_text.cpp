// The share link's text layer: percent-encoding, the compact payload,
// splitting and joining "k=v&k=v" (see link_text.h).
#include "scenario/link_text.h"

#include <algorithm>
#include <cstdint>

#include "core/parse.h"

namespace mantissa::link_detail {

std::string shown(std::string_view text, size_t max) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > max) out += "...";
  return out;
}


// ---- Percent-encoding ----------------------------------------------------------

static bool is_plain(unsigned char c) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case ':':
    case ',':
    case '+':
    case '!':
    case '*':
    case '/':
    case '@':
      return true;
    default:
      return false;
  }
}

void percent_encode(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (is_plain(c)) {
      *out += ch;
    } else {
      *out += '%';
      *out += kHex[c >> 4];
      *out += kHex[c & 15];
    }
  }
}

static int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// False on a malformed escape ("%4", "%zz").
bool percent_decode(std::string_view text, std::string* out) {
  out->clear();
  out->reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      *out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return false;  // "%" or "%4" at the end
    const int hi = hex_digit(text[i + 1]);
    const int lo = hex_digit(text[i + 2]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return true;
}

// ---- The compact payload ---------------------------------------------------------
// Records of: key length (1 byte), key bytes, then the value as either
//   0x00, varint length, raw bytes               or
//   0x01, varint character count, packed nibbles (two characters per byte,
//         from kPackAlphabet: decimals, lists and seeds pack at half size).
// The whole payload is base64url without padding.

constexpr std::string_view kPackAlphabet = "0123456789.-+e,:";
static_assert(kPackAlphabet.size() == 16, "one nibble per character");
constexpr std::string_view kBase64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void put_varint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    *out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *out += static_cast<char>(v);
}

static bool get_varint(std::string_view in, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= in.size()) return false;
    const unsigned char b = static_cast<unsigned char>(in[(*pos)++]);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

static bool packable(std::string_view value) {
  return !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
    return kPackAlphabet.find(c) != std::string_view::npos;
  });
}

std::string pack_pairs(const std::vector<Pair>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    out += static_cast<char>(key.size());
    out += key;
    if (packable(value)) {
      out += '\x01';
      put_varint(value.size(), &out);
      for (size_t i = 0; i < value.size(); i += 2) {
        const size_t hi = kPackAlphabet.find(value[i]);
        const size_t lo = i + 1 < value.size() ? kPackAlphabet.find(value[i + 1]) : 0;
        out += static_cast<char>(hi << 4 | lo);
      }
    } else {
      out += '\x00';
      put_varint(value.size(), &out);
      out += value;
    }
  }
  return out;
}

bool unpack_pairs(std::string_view in, std::vector<Pair>* pairs) {
  size_t pos = 0;
  while (pos < in.size()) {
    if (pairs->size() >= kLinkMaxParts) return true;  // the rest is ignored like any long link
    const size_t key_size = static_cast<unsigned char>(in[pos++]);
    if (key_size > in.size() - pos) return false;
    std::string key(in.substr(pos, key_size));
    pos += key_size;
    if (pos >= in.size()) return false;
    const char tag = in[pos++];
    uint64_t n = 0;
    if (!get_varint(in, &pos, &n)) return false;
    std::string value;
    if (tag == '\x00') {
      if (n > in.size() - pos) return false;
      value = in.substr(pos, n);
      pos += n;
    } else if (tag == '\x01') {
      const uint64_t bytes = n / 2 + n % 2;
      if (bytes > in.size() - pos) return false;
      value.reserve(n);
      for (uint64_t i = 0; i < n; ++i) {
        const unsigned char b = static_cast<unsigned char>(in[pos + i / 2]);
        value += kPackAlphabet[i % 2 == 0 ? b >> 4 : b & 15];
      }
      pos += bytes;
    } else {
      return false;
    }
    pairs->emplace_back(std::move(key), std::move(value));
  }
  return true;
}

std::string base64url_encode(std::string_view in) {
  std::string out;
  out.reserve(in.size() * 4 / 3 + 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8 |
                       static_cast<unsigned char>(in[i + 2]);
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
    out += kBase64[v & 63];
  }
  if (i + 1 == in.size()) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
  } else if (i + 2 == in.size()) {
    const uint32_t v = static_cast<unsigned char>(in[i]) << 16 | static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64[v >> 18];
    out += kBase64[(v >> 12) & 63];
    out += kBase64[(v >> 6) & 63];
  }
  return out;
}

bool base64url_decode(std::string_view in, std::string* out) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);  // tolerate padding
  if (in.size() % 4 == 1) return false;
  out->clear();
  out->reserve(in.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const size_t d = kBase64.find(c);
    if (d == std::string_view::npos) return false;
    acc = (acc << 6 | static_cast<uint32_t>(d)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      *out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return true;
}


std::string join_readable(const std::vector<Pair>& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out += '&';
    percent_encode(key, &out);
    out += '=';
    percent_encode(value, &out);
  }
  return out;
}

// Splits "k=v&k=v" into decoded pairs. Bounded: at most kLinkMaxParts parts

std::vector<Pair> split_readable(std::string_view text, Notices* notices) {
  std::vector<Pair> pairs;
  size_t start = 0, skipped = 0;
  while (start < text.size()) {
    size_t amp = text.find('&', start);
    if (amp == std::string_view::npos) amp = text.size();
    const std::string_view part = text.substr(start, amp - start);
    start = amp + 1;
    if (part.empty()) continue;
    if (pairs.size() >= kLinkMaxParts) {
      ++skipped;
      continue;
    }
    const size_t eq = part.find('=');
    const std::string_view raw_key = part.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::string key, value;
    if (raw_key.size() > 64 || !percent_decode(raw_key, &key)) {
      notices->ignored(raw_key, raw_value, "not a key");
      continue;
    }
    // A value longer than any field accepts is refused before decoding it.
    if (raw_value.size() > 3 * kMaxValueLength || !percent_decode(raw_value, &value)) {
      notices->ignored(key, raw_value, raw_value.size() > 3 * kMaxValueLength ? "too long" : "bad %-escape");
      continue;
    }
    if (eq == std::string_view::npos) {
      notices->ignored(key, "", "no value");
      continue;
    }
    pairs.emplace_back(std::move(key), std::move(value));
  }
  if (skipped > 0)
    notices->add("ignored " + std::to_string(skipped) + " parts past the first " +
                 std::to_string(kLinkMaxParts));
  return pairs;
}

}  // namespace mantissa::link_detail
