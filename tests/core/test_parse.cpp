// Reading numbers as people type them, and refusing the rest with a reason.
#include <catch2/catch.hpp>

#include "core/convert.h"

using namespace mantissa;

namespace {

std::string parse_error(const std::string& s) {
  ParsedValue p;
  std::string err;
  if (parse_value(s, &p, &err)) return "(accepted)";
  return err;
}

std::string value_of(const std::string& s) {
  ParsedValue p;
  std::string err;
  REQUIRE(parse_value(s, &p, &err));
  return p.value.to_string();
}

}  // namespace

TEST_CASE("accepted spellings of numbers", "[core][parse]") {
  CHECK(value_of("1.12156456132") == "1.12156456132");
  CHECK(value_of("-3e-8") == "-0.00000003");
  CHECK(value_of(".5") == "0.5");
  CHECK(value_of("+2") == "2");
  CHECK(value_of("5.") == "5");
  CHECK(value_of("  1.5  ") == "1.5");
  CHECK(value_of("1E3") == "1000");
  CHECK(value_of("0x1.8p-3") == "0.1875");
  CHECK(value_of("-0x1p-2") == "-0.25");
  CHECK(value_of("0xA.8P0") == "10.5");
  CHECK(value_of("inf") == "inf");
  CHECK(value_of("-Infinity") == "-inf");
  CHECK(value_of("NaN") == "nan");
  CHECK(value_of("-0") == "-0");
  CHECK(value_of("\xe2\x88\x92"
                 "2.5") == "-2.5");  // U+2212, as Mantissa itself prints minus
  CHECK(value_of("1e400").size() == 401);
}

TEST_CASE("bit patterns need their format and must fit it", "[core][parse]") {
  ParsedValue p;
  std::string err;
  REQUIRE(parse_value("0x3c00", &p, &err));
  CHECK(p.kind == ParsedValue::Kind::Bits);
  ExactValue v;
  CHECK_FALSE(resolve_value(p, nullptr, &v, &err));
  CHECK(err.find("--from") != std::string::npos);
  REQUIRE(resolve_value(p, &fp16(), &v, &err));
  CHECK(v.to_string() == "1");
  REQUIRE(parse_value("0b0_01111_0001111100", &p, &err));
  REQUIRE(resolve_value(p, &fp16(), &v, &err));
  CHECK(v.to_string() == "1.12109375");
  REQUIRE(parse_value("0x13c00", &p, &err));
  CHECK_FALSE(resolve_value(p, &fp16(), &v, &err));
  CHECK(err == "bit pattern is wider than fp16 (16 bits)");
  REQUIRE(parse_value("0x00003c00", &p, &err));  // leading zeros are fine
  CHECK(resolve_value(p, &fp16(), &v, &err));
}

TEST_CASE("bad numbers are refused with a message naming the problem", "[core][parse]") {
  CHECK(parse_error("").find("empty value") == 0);
  CHECK(parse_error("   ").find("empty value") == 0);
  CHECK(parse_error("1,5").find("decimal separator") != std::string::npos);
  CHECK(parse_error("1.2.3").find("only one decimal point") != std::string::npos);
  CHECK(parse_error("-0x").find("no hex digits") != std::string::npos);
  CHECK(parse_error("0b102").find("binary digits") != std::string::npos);
  CHECK(parse_error("-0x3c00").find("has no sign") != std::string::npos);
  CHECK(parse_error("nan(123)").find("NaN payloads") == 0);
  CHECK(parse_error("1e999999999").find("exponent out of range") == 0);
  CHECK(parse_error("0x1p99999").find("binary exponent out of range") == 0);
  CHECK(parse_error("1e").find("exponent") != std::string::npos);
  CHECK(parse_error("abc").find("unexpected 'a' at position 1") != std::string::npos);
  CHECK(parse_error("\xef\xbc\x91\xef\xbc\x92").find("U+FF11") != std::string::npos);  // full-width "12"
  CHECK(parse_error("\xef\xbc\x91").find("type the ASCII digit 1") != std::string::npos);
  CHECK(parse_error("0x" + std::string(17, 'f')).find("wider than 64 bits") != std::string::npos);
  CHECK(parse_error(std::string(kMaxValueLength + 1, '1')).find("longer than") != std::string::npos);
  CHECK(parse_error("1\x01").find("control character 0x01") != std::string::npos);
}

TEST_CASE("format names, aliases and custom formats", "[core][format]") {
  Format f;
  std::string err;
  for (auto [name, canonical] : std::vector<std::pair<std::string, std::string>>{{"double", "fp64"},
                                                                                 {"float", "fp32"},
                                                                                 {"half", "fp16"},
                                                                                 {"bfloat16", "bf16"},
                                                                                 {"e4m3", "fp8-e4m3"},
                                                                                 {"E5M2", "fp8-e5m2"},
                                                                                 {"tf32", "tf32"},
                                                                                 {"e8m23", "fp32"},
                                                                                 {"e6m9", "e6m9"},
                                                                                 {"e3m4fn", "e3m4fn"}}) {
    REQUIRE(parse_format(name, &f, &err));
    CHECK(f.name == canonical);
  }
  // "e4m3" is OCP's finite kind; the IEEE-like sizes get their own canonical name.
  REQUIRE(parse_format("e4m3ieee", &f, &err));
  CHECK(f.kind == FormatKind::Ieee);
  CHECK(f.name == "e4m3ieee");
  CHECK_FALSE(parse_format("e4m03", &f, &err));  // found by fuzz_format: one spelling per format
  REQUIRE(parse_format("e11m52fn", &f, &err));
  CHECK(f.width() == 64);
  CHECK_FALSE(parse_format("e12m3", &f, &err));
  CHECK(err.find("out of range") != std::string::npos);
  CHECK_FALSE(parse_format("e11m53", &f, &err));
  CHECK_FALSE(parse_format("fp17", &f, &err));
  CHECK(err.find("unknown format 'fp17'") == 0);
  CHECK_FALSE(parse_format("", &f, &err));
}

TEST_CASE("format landmarks", "[core][format]") {
  CHECK(exact_value(fp16(), fp16().max_finite_bits()).to_string() == "65504");
  CHECK(exact_value(bf16(), bf16().max_finite_bits()).to_string() ==
        "338953138925153547590470800371487866880");
  CHECK(exact_value(fp8_e4m3(), fp8_e4m3().max_finite_bits()).to_string() == "448");
  CHECK(exact_value(fp8_e5m2(), fp8_e5m2().max_finite_bits()).to_string() == "57344");
  CHECK(exact_value(tf32(), tf32().min_normal_bits()).to_string() ==
        exact_value(fp32(), fp32().min_normal_bits()).to_string());
  CHECK(exact_value(fp8_e4m3(), 1).to_string() == "0.001953125");  // 2^-9
  CHECK(hex_float(fp16(), 0x3c7c) == "0x1.1fp+0");
  CHECK(hex_float(fp16(), 1) == "0x1p-24");
  CHECK(integer_times_pow2(fp16(), 0x3c80) == "9 × 2^-3");
  CHECK(next_up(fp16(), 0x8001) == 0x8000);
  CHECK(next_down(fp16(), 0x0000) == 0x8001);
  CHECK(next_up(fp16(), 0x7bff) == 0x7c00);
  CHECK_FALSE(has_next_up(fp8_e4m3(), 0x7e));
}
