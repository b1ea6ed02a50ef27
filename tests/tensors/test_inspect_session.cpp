// InspectSession: the chunk-fed inspect run every face shares. The same
// bytes fed in any chunk sizes give the same report; the report's figures
// are checked against values worked out by hand (independent of the
// collector); errors name the file; options come from the CLI's parser
// without files.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <vector>

#include "requests/inspect_session.h"
#include "requests/requests.h"

using namespace mantissa;

namespace {

std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

std::string f32(float x) {
  std::string s(4, '\0');
  std::memcpy(s.data(), &x, 4);  // little-endian host (x86-64, wasm32)
  return s;
}

// w: F32 [4] = 1, 65520 (overflows fp16), 1e-8 (flushes in fp16), 0.5; step: I32 [1] (skipped).
std::string small_safetensors() {
  const std::string header =
      R"({"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"step":{"dtype":"I32","shape":[1],"data_offsets":[16,20]}})";
  return le64(header.size()) + header + f32(1) + f32(65520) + f32(1e-8f) + f32(0.5f) + std::string(4, '\0');
}

InspectRequest request(std::vector<std::string> flags) {
  flags.insert(flags.begin(), "inspect");
  std::vector<char*> argv;
  for (std::string& f : flags) argv.push_back(f.data());
  requests::Args args = inspect_args();
  std::string error;
  REQUIRE(args.parse(static_cast<int>(argv.size()), argv.data(), &error));
  InspectRequest req;
  REQUIRE(inspect_options_from_args(args, &req, &error));
  return req;
}

std::string run(const InspectRequest& req, const std::string& name, const std::string& bytes, size_t chunk) {
  InspectSession s(req);
  s.begin_file(name);
  std::string error;
  for (size_t at = 0; at < bytes.size(); at += chunk) {
    REQUIRE(s.feed(std::string_view(bytes).substr(at, chunk), &error));
  }
  REQUIRE(s.end_file(&error));
  CHECK(s.bytes_fed() == bytes.size());
  return s.json();
}

}  // namespace

TEST_CASE("inspect session: any chunk size gives the same report", "[inspect]") {
  const InspectRequest req = request({"--formats", "fp16,bf16", "--lr", "1e-4", "--grad-std", "1e-3"});
  const std::string bytes = small_safetensors();
  const std::string whole = run(req, "m.safetensors", bytes, bytes.size());
  for (size_t chunk : {1, 2, 3, 7, 8, 9, 64}) CHECK(run(req, "m.safetensors", bytes, chunk) == whole);
}

TEST_CASE("inspect session: the figures of a tensor worked out by hand", "[inspect]") {
  const std::string json = run(request({"--formats", "fp16"}), "dir/m.safetensors", small_safetensors(), 5);
  // 65520 is halfway between fp16's max 65504 and 65536: rounds to inf (1 of 4 overflow).
  CHECK(json.find(R"("overflow":0.25)") != std::string::npos);
  // 1e-8 is below half of fp16's smallest subnormal 2^-24: flushed (1 of 4).
  CHECK(json.find(R"("flushed_to_zero":0.25)") != std::string::npos);
  // 1 and 0.5 are exact; 1e-8 becomes 0, not exact (2 of 4).
  CHECK(json.find(R"("exact":0.5)") != std::string::npos);
  CHECK(json.find(R"("file":"dir/m.safetensors","name":"w","dtype":"F32")") != std::string::npos);
  CHECK(json.find(R"('dir/m.safetensors': tensor 'step')") != std::string::npos);
}

TEST_CASE("inspect session: several files, .npy named after the file, a short or cut file is refused by name",
          "[inspect]") {
  // A version 1 .npy: magic, version, header length, dict padded to 128 bytes in all, newline last.
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  dict += std::string(128 - 10 - dict.size() - 1, ' ') + "\n";
  const std::string npy =
      std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(dict.size()) + '\0' + dict + f32(2) + f32(-3);
  InspectSession s(request({"--formats", "bf16"}));
  std::string error;
  s.begin_file("a/b/bias.npy");
  for (char c : npy) REQUIRE(s.feed(std::string_view(&c, 1), &error));
  REQUIRE(s.end_file(&error));
  s.begin_file("m.safetensors");
  REQUIRE(s.feed(small_safetensors(), &error));
  REQUIRE(s.end_file(&error));
  CHECK(s.report().tensors.size() == 2);
  CHECK(s.report().tensors[0].name == "bias.npy");
  CHECK(s.report().tensors[0].count == 2);
  CHECK(s.report().tensors[1].name == "w");

  InspectSession t(request({}));
  t.begin_file("tiny.npy");
  REQUIRE(t.feed("\x93NU", &error));  // shorter than the sniff: decided at the end
  CHECK_FALSE(t.end_file(&error));
  CHECK(error.rfind("'tiny.npy': ", 0) == 0);
  const std::string cut = small_safetensors().substr(0, 30);
  t.begin_file("cut.safetensors");
  REQUIRE(t.feed(cut, &error));
  CHECK_FALSE(t.end_file(&error));
  CHECK(error.rfind("'cut.safetensors': ", 0) == 0);
  // A refused file stays refused; the next file starts afresh.
  CHECK_FALSE(t.feed("x", &error));
  t.begin_file("m.safetensors");
  REQUIRE(t.feed(small_safetensors(), &error));
  CHECK(t.end_file(&error));
}

TEST_CASE("inspect options: the CLI's parser, with or without files", "[inspect]") {
  requests::Args args = inspect_args();
  std::string error;
  std::vector<std::string> flags = {"inspect", "--lr", "1e-4"};
  std::vector<char*> argv;
  for (std::string& f : flags) argv.push_back(f.data());
  REQUIRE(args.parse(static_cast<int>(argv.size()), argv.data(), &error));
  InspectRequest req;
  CHECK_FALSE(inspect_request_from_args(args, &req, &error));
  CHECK(error == "inspect needs at least one FILE (.safetensors, .npy or .gguf)");
  CHECK_FALSE(inspect_options_from_args(args, &req, &error));
  CHECK(error == "--lr and --grad-std go together");
}
