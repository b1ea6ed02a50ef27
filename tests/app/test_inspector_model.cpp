// The Inspector's model with the MX grid formats as the custom row and as
// the format a bit pattern is read in: every figure equals the core's convert.
#include <catch2/catch.hpp>

#include <string>

#include "app/inspector_model.h"

using namespace mantissa;
using namespace mantissa::app;

TEST_CASE("inspector: int8-mx and e8m0 as the custom row and as a bit pattern's format", "[inspector][mx]") {
  InspectorScenario s;
  s.value = "0.3";
  s.custom = "int8-mx";
  InspectorModel m;
  std::string error;
  REQUIRE(compute_inspector(s, &m, &error));
  const InspectorRow& row = m.rows.back();
  CHECK(row.custom);
  CHECK(row.format == int8_mx());
  CHECK(row.report.result.bits == 0x13);  // 0.3 * 64 = 19.2: 19/64

  s.custom = "e8m0";
  REQUIRE(compute_inspector(s, &m, &error));
  CHECK(m.rows.back().report.result.bits == 125);  // 0.3 is nearest 0.25 = 2^-2

  // e8m0 has no zero and no sign: that row is NaN with the reason, the others still work.
  s.value = "-1.5";
  REQUIRE(compute_inspector(s, &m, &error));
  CHECK(m.rows.back().report.result.bits == 0xff);
  CHECK(m.rows.back().why.find("no zero, no sign") != std::string::npos);
  CHECK(m.rows.front().report.result.fields.cls == FloatClass::Normal);

  // Bit patterns read as int8-mx and e8m0.
  s.custom = "int8-mx";
  s.value = "0xc0";
  s.from = "int8-mx";
  REQUIRE(compute_inspector(s, &m, &error));
  CHECK(m.input_bits_format == "int8-mx");
  CHECK(m.input.value.to_double() == -1.0);
  CHECK(m.rows.back().report.result.bits == 0xc0);
  s.value = "0x80";
  s.from = "e8m0";
  REQUIRE(compute_inspector(s, &m, &error));
  CHECK(m.input.value.to_double() == 2.0);
  CHECK(inspector_row_index(m, "int8-mx") == static_cast<int>(m.rows.size()) - 1);
  CHECK(m.rows.back().report.result.bits == 0x7f);  // 2 clamps to 127/64
}
