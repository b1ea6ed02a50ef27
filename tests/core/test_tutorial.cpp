// The tutorial's figures (shared/TUTORIAL.md, section 1), by name.
#include <catch2/catch.hpp>

#include "core/convert.h"

using namespace mantissa;

namespace {

ConvertReport convert_ok(const std::string& value, const Format& to,
                         std::optional<Format> via = std::nullopt) {
  ConvertRequest req;
  req.value = value;
  req.to = to;
  req.via = via;
  ConvertReport r;
  std::string error;
  REQUIRE(convert(req, &r, &error));
  return r;
}

}  // namespace

TEST_CASE("1.12156456132 is stored in fp32 as 0x3f8f8f6d = 1.12156450748443603515625", "[tutorial]") {
  ConvertReport r = convert_ok("1.12156456132", fp32());
  CHECK(hex_bits(fp32(), r.result.bits) == "0x3f8f8f6d");
  CHECK(r.result.value.to_string() == "1.12156450748443603515625");
  CHECK(binary_fields(fp32(), r.result.bits) == "0 01111111 00011111000111101101101");
}

TEST_CASE("1.12156456132 via fp32 then fp16 is 0x3c7c = 1.12109375", "[tutorial]") {
  ConvertReport r = convert_ok("1.12156456132", fp16(), fp32());
  REQUIRE(r.via);
  CHECK(hex_bits(fp32(), r.via->bits) == "0x3f8f8f6d");
  CHECK(hex_bits(fp16(), r.result.bits) == "0x3c7c");
  CHECK(r.result.value.to_string() == "1.12109375");
  CHECK(binary_fields(fp16(), r.result.bits) == "0 01111 0001111100");
}

TEST_CASE("1.12156456132 has the exact binary expansion the tutorial corrects", "[tutorial]") {
  ConvertReport r = convert_ok("1.12156456132", fp16());
  // Exact expansion: it departs from the tutorial's fp64-derived string at the 51st fraction bit.
  CHECK(r.input_binary.rfind("1.000111110001111011011010111001110011100011010100000111001111", 0) == 0);
  CHECK(r.input_binary.find("…×2^0") != std::string::npos);
  // Its first 80 significant bits, then "…": 1 + '.' + 79 bits.
  CHECK(r.input_binary.substr(0, r.input_binary.find("…")).size() == 81);
}

TEST_CASE("1.125 in fp16 is 0x3c80 = 0 01111 0010000000", "[tutorial]") {
  ConvertReport r = convert_ok("1.125", fp16());
  CHECK(hex_bits(fp16(), r.result.bits) == "0x3c80");
  CHECK(binary_fields(fp16(), r.result.bits) == "0 01111 0010000000");
  CHECK(r.rounding.direction == RoundDirection::Exact);
  CHECK(binary_fields(fp32(), convert_ok("1.125", fp32()).result.bits) ==
        "0 01111111 00100000000000000000000");
}

TEST_CASE("0.12457275190625 in fp16 is 0x2ff9 = 0.12457275390625", "[tutorial]") {
  ConvertReport r = convert_ok("0.12457275190625", fp16());
  CHECK(hex_bits(fp16(), r.result.bits) == "0x2ff9");
  CHECK(r.result.value.to_string() == "0.12457275390625");
  CHECK(binary_fields(fp16(), r.result.bits) == "0 01011 1111111001");
  // Widened to fp32: exponent re-biased by +112, fraction padded with zeros.
  Rounded wide = convert_bits(fp16(), r.result.bits, fp32());
  CHECK(binary_fields(fp32(), wide.bits) == "0 01111011 11111110010000000000000");
}

TEST_CASE("0.00041999 in fp16 is 0x0ee2 = 0.000420093536376953125", "[tutorial]") {
  ConvertReport r = convert_ok("0.00041999", fp16());
  CHECK(hex_bits(fp16(), r.result.bits) == "0x0ee2");
  CHECK(r.result.value.to_string() == "0.000420093536376953125");
}

TEST_CASE("the fp16 ulp at 1.125 is 2^-10, so 0.00042 is below half of it", "[tutorial]") {
  ConvertReport r = convert_ok("1.125", fp16());
  REQUIRE(r.ulp);
  CHECK(r.ulp->to_plain() == "0.0009765625");
  CHECK(Decimal::from_digits("000420093536376953125", -21) < Decimal::pow2(-11));
}
