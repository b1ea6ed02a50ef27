// InspectSession: the chunk-fed inspect run every face shares. The same
// bytes fed in any chunk sizes give the same report; the report's figures
// are checked against values worked out by hand (independent of the
// collector); errors name the file; options come from the CLI's parser
// without files.
#include <catch2/catch.hpp>

#include <cmath>
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

namespace {

// A safetensors file of F32 tensors named t0, t1, ... (in data order).
std::string f32_safetensors(const std::vector<std::vector<float>>& tensors) {
  std::string header = "{", data;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const size_t begin = data.size();
    for (float x : tensors[i]) data += f32(x);
    header += (i ? "," : "") + std::string("\"t") + std::to_string(i) + R"(":{"dtype":"F32","shape":[)" +
              std::to_string(tensors[i].size()) + R"(],"data_offsets":[)" + std::to_string(begin) + "," +
              std::to_string(data.size()) + "]}";
  }
  header += "}";
  return le64(header.size()) + header + data;
}

// One session over `bytes` (with the amax pass when needed): its report, or its piece.
std::string scan(const InspectRequest& req, const std::string& name, const std::string& bytes, bool partial) {
  InspectSession s(req);
  std::string error;
  if (s.needs_amax_pass()) {
    s.begin_amax_pass();
    s.begin_file(name);
    REQUIRE(s.feed(bytes, &error));
    REQUIRE(s.end_file(&error));
    s.end_amax_pass();
  }
  s.begin_file(name);
  REQUIRE(s.feed(bytes, &error));
  REQUIRE(s.end_file(&error));
  return partial ? s.partial_json() : s.json();
}

std::string piece(const InspectRequest& req, const std::string& name, const std::string& bytes) {
  return scan(req, name, bytes, true);
}

}  // namespace

TEST_CASE("inspect pieces: tensors scanned apart and merged in order give one pass's report, totals included",
          "[inspect]") {
  // Values whose sums depend on their order (magnitudes 1e-9 .. 1e6, odd lengths: every lane start).
  std::vector<std::vector<float>> tensors(4);
  uint32_t x = 12345;
  for (size_t t = 0; t < tensors.size(); ++t) {
    for (size_t i = 0; i < 37 + 101 * t; ++i) {
      x = x * 1664525u + 1013904223u;
      const float mantissa = static_cast<float>(x >> 8) / 16777216.0f - 0.5f;
      tensors[t].push_back(std::ldexp(mantissa, static_cast<int>(x % 50) - 30));
    }
  }
  tensors[2] = {};  // an empty tensor among them
  for (const auto& flags : std::vector<std::vector<std::string>>{
           {"--formats", "fp16,bf16,fp8-e4m3", "--lr", "1e-4", "--grad-std", "1e-3"},
           {"--formats", "fp8-e5m2,mxfp4,nvfp4", "--scale", "tensor"}}) {
    const InspectRequest req = request(flags);
    const std::string one_pass = scan(req, "m.safetensors", f32_safetensors(tensors), false);
    // As the panel's workers: one piece of tensors 0-1, one of 2-3 (their own small files), merged.
    const std::string a = piece(req, "m.safetensors", f32_safetensors({tensors[0], tensors[1]}));
    std::string b = piece(req, "m.safetensors", f32_safetensors({tensors[2], tensors[3]}));
    // The second piece's tensors were named t0, t1 in their file: rename as the page's header does.
    for (auto [from, to] : {std::pair{"\"t1\"", "\"t3\""}, std::pair{"\"t0\"", "\"t2\""}}) {
      const size_t at = b.find(from);
      REQUIRE(at != std::string::npos);
      b.replace(at, 4, to);
    }
    tensors::InspectReport merged;
    std::string error;
    REQUIRE(tensors::merge_inspect_partials({a, b}, &merged, &error));
    CHECK(tensors::inspect_report_json(merged) == one_pass);
  }
}

TEST_CASE("inspect pieces: a malformed piece or one measured otherwise is refused, the report unchanged", "[inspect]") {
  const InspectRequest fp16 = request({"--formats", "fp16"});
  const std::string good = piece(fp16, "m.safetensors", small_safetensors());
  const std::string other = piece(request({"--formats", "bf16"}), "m.safetensors", small_safetensors());
  tensors::InspectReport report;
  std::string error;
  REQUIRE(tensors::merge_inspect_partials({good}, &report, &error));
  REQUIRE(report.tensors.size() == 1);
  CHECK(report.notices.size() == 1);  // the skipped I32 tensor, carried by the piece
  CHECK(tensors::inspect_report_json(report) == run(fp16, "m.safetensors", small_safetensors(), 64));
  for (const std::string& bad : {std::string("{"), std::string("[]"), std::string(R"({"partial":1})"),
                                 good.substr(0, good.size() / 2), other}) {
    CHECK_FALSE(tensors::merge_inspect_partials({good, bad}, &report, &error));
    CHECK(error.rfind("inspect: piece 2 ", 0) == 0);
    CHECK(report.tensors.size() == 1);
  }
  std::string hacked = good;
  const size_t at = hacked.find("\"sum_sq_error\":\"");
  REQUIRE(at != std::string::npos);
  hacked.replace(at + 16, 1, "z");  // not a bit pattern
  CHECK_FALSE(tensors::merge_inspect_partials({hacked}, &report, &error));
  CHECK(error == "inspect: piece 1 has a malformed tensor");
  CHECK_FALSE(tensors::merge_inspect_partials({}, &report, &error));
}
