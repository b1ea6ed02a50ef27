// The data sets: the embedded digits are the file Debian ships (SHA-256),
// parsed whole, split as documented; the synthetic sets are deterministic.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "sim/random.h"
#include "train/dataset.h"

using namespace mantissa;
using namespace mantissa::train;

namespace {

// FIPS 180-4 SHA-256, written from the standard for this test only (an
// independent check of the embedded bytes; scripts/setup checks the same
// digest with sha256sum).
std::string sha256_hex(std::string_view data) {
  static const uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::string msg(data);
  const uint64_t bit_len = static_cast<uint64_t>(data.size()) * 8;
  msg += static_cast<char>(0x80);
  while (msg.size() % 64 != 56) msg += '\0';
  for (int i = 7; i >= 0; --i) msg += static_cast<char>((bit_len >> (8 * i)) & 0xff);
  auto rotr = [](uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  for (size_t off = 0; off < msg.size(); off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i) {
      const auto* p = reinterpret_cast<const unsigned char*>(&msg[off + 4 * i]);
      w[i] = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
    }
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  char out[65];
  for (int i = 0; i < 8; ++i) std::snprintf(out + 8 * i, 9, "%08x", h[i]);
  return out;
}

}  // namespace

TEST_CASE("sha256 of this test agrees with FIPS 180-4's examples") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("the embedded digits are python3-sklearn's digits.csv, byte for byte") {
  // The SHA-256 of digits.csv (gunzipped digits.csv.gz of python3-sklearn 1.2.1+dfsg-1), as scripts/setup pins it.
  CHECK(digits_csv().size() == 264712);
  CHECK(sha256_hex(digits_csv()) == "6ebb3d2fee246a4e99363262ddf8a00a3c41bee6014c373ed9d9216ba7f651b8");
}

TEST_CASE("digits: 1797 samples, 10 classes, the documented 1437/360 split, pixels k/16") {
  Dataset d;
  std::string error;
  REQUIRE(load_dataset("digits", 0, &d, &error));
  CHECK(d.features == 64);
  CHECK(d.classes == 10);
  CHECK(d.train_size() == 1437);
  CHECK(d.test_size() == 360);
  // Class counts over both parts are the data set's (UCI: 178, 182, 177, 183, 181, 182, 181, 179, 174, 180).
  int counts[10] = {};
  for (int y : d.train_y) ++counts[y];
  for (int y : d.test_y) ++counts[y];
  const int expect[10] = {178, 182, 177, 183, 181, 182, 181, 179, 174, 180};
  for (int c = 0; c < 10; ++c) CHECK(counts[c] == expect[c]);
  for (float v : d.train_x) {
    REQUIRE(v >= 0);
    REQUIRE(v <= 1);
    REQUIRE(v * 16 == std::floor(v * 16));
  }
  // Every row lands in exactly one part: the pixel sums of both parts add up to the file's.
  std::vector<uint8_t> pixels;
  std::vector<int> labels;
  REQUIRE(parse_digits_csv(digits_csv(), &pixels, &labels, &error));
  double file_sum = 0, split_sum = 0;
  for (uint8_t p : pixels) file_sum += p;
  for (float v : d.train_x) split_sum += v * 16;
  for (float v : d.test_x) split_sum += v * 16;
  CHECK(file_sum == split_sum);
}

TEST_CASE("a malformed digits file is refused with a row number") {
  std::vector<uint8_t> pixels;
  std::vector<int> labels;
  std::string error;
  CHECK_FALSE(parse_digits_csv("1,2,3\n", &pixels, &labels, &error));
  CHECK(error.find("row 1") != std::string::npos);
}

TEST_CASE("synthetic 2-D sets are deterministic, balanced where designed, and separable by their rule") {
  for (const char* name : {"spiral", "circles", "xor"}) {
    Dataset a, b, c;
    std::string error;
    REQUIRE(load_dataset(name, 7, &a, &error));
    REQUIRE(load_dataset(name, 7, &b, &error));
    REQUIRE(load_dataset(name, 8, &c, &error));
    CHECK(a.train_size() == 400);
    CHECK(a.test_size() == 200);
    CHECK(a.train_x == b.train_x);
    CHECK(a.train_x != c.train_x);
    for (size_t i = 0; i < a.train_size(); ++i) {
      const float x = a.train_x[2 * i], y = a.train_x[2 * i + 1];
      if (std::string(name) == "xor") CHECK(a.train_y[i] == ((x > 0) != (y > 0) ? 1 : 0));
      if (std::string(name) == "circles") CHECK((a.train_y[i] == 0) == (std::sqrt(x * x + y * y) < 0.6));
    }
  }
  Dataset d;
  std::string error;
  CHECK_FALSE(load_dataset("mnist", 0, &d, &error));
  CHECK(error.find("unknown data set") != std::string::npos);
}

TEST_CASE("portable exp and sincos agree with libm to a few ulp") {
  for (double x : {-700.0, -20.5, -1.0, -1e-9, 0.0, 0.3, 1.0, 2.5, 10.0, 88.7, 700.0}) {
    const double e = sim::portable_exp(x), ref = std::exp(x);
    CHECK(std::fabs(e - ref) <= 4 * std::fabs(ref) * 0x1p-52);
  }
  CHECK(sim::portable_exp(-800) == 0);
  CHECK(std::isinf(sim::portable_exp(800)));
  for (double x : {-30.0, -3.0, -1.5, -0.1, 0.0, 0.7, 1.5707963267948966, 3.0, 6.0, 12.5, 100.0}) {
    double s, c;
    sim::portable_sincos(x, &s, &c);
    CHECK(std::fabs(s - std::sin(x)) <= 1e-15 * std::max(1.0, std::fabs(x)));
    CHECK(std::fabs(c - std::cos(x)) <= 1e-15 * std::max(1.0, std::fabs(x)));
  }
}
