// The tutorial's second question (shared/TUTORIAL.md, sections 2 and 3), by
// name, and the special paths of the trace, one behaviour per test.
#include <catch2/catch.hpp>

#include "core/trace.h"

using namespace mantissa;

namespace {

Explanation explain_ok(TraceOp op, std::vector<std::string> values, const Format& f,
                       std::vector<std::optional<Format>> formats = {}, RoundingOptions opt = {}) {
  ExplainRequest req;
  req.op = op;
  req.values = std::move(values);
  req.format = f;
  req.operand_formats = std::move(formats);
  req.options = opt;
  Explanation e;
  std::string error;
  INFO(error);
  REQUIRE(explain(req, &e, &error));
  return e;
}

const TraceStep* find_step(const OperationTrace& t, TraceStepKind k, SpecialKind s = SpecialKind::None) {
  for (const TraceStep& step : t.steps) {
    if (step.kind == k && (k != TraceStepKind::Special || step.special == s)) return &step;
  }
  return nullptr;
}

std::vector<TraceStepKind> kinds(const OperationTrace& t) {
  std::vector<TraceStepKind> out;
  for (const TraceStep& s : t.steps) out.push_back(s.kind);
  return out;
}

std::string value_of(const OperationTrace& t) { return t.result.value.to_string(); }

}  // namespace

TEST_CASE("fp16 1.125 + 0.12457275190625 in fp16 aligns by 4 and rounds to 1.25", "[tutorial]") {
  const Explanation e = explain_ok(TraceOp::Add, {"1.125", "0.12457275190625"}, fp16());
  const OperationTrace& t = e.trace;
  CHECK(hex_bits(fp16(), t.operands[1].bits) == "0x2ff9");
  const TraceStep* align = find_step(t, TraceStepKind::Align);
  REQUIRE(align);
  CHECK(align->operand == 1);
  CHECK(align->shift == 4);
  CHECK(align->before.bits == "11111111001");
  // After the shift, in the article's notation 0 01111 0001111111, with 1001 past the precision.
  CHECK(align->after.bits == "00001111111");
  CHECK(align->guard);
  CHECK_FALSE(align->round_bit);
  CHECK(align->sticky);
  CHECK(binary_fields(fp16(), t.result.bits) == "0 01111 0100000000");
  CHECK(value_of(t) == "1.25");
  CHECK(t.exact.to_string() == "1.24957275390625");
  CHECK_FALSE(t.update_lost);
  CHECK(kinds(t) == std::vector<TraceStepKind>{TraceStepKind::Decode, TraceStepKind::Decode,
                                               TraceStepKind::Align, TraceStepKind::Add,
                                               TraceStepKind::Normalize, TraceStepKind::Round,
                                               TraceStepKind::Result});
}

TEST_CASE("fp32 1.125 + fp16 0.12457275190625 in fp32 is exactly 1.24957275390625", "[tutorial]") {
  const Explanation e =
      explain_ok(TraceOp::Add, {"1.125", "0.12457275190625"}, fp32(), {std::nullopt, fp16()});
  const OperationTrace& t = e.trace;
  const TraceStep* conv = find_step(t, TraceStepKind::Convert);
  REQUIRE(conv);
  CHECK(conv->operand == 1);
  CHECK(conv->rebias == 112);
  CHECK(conv->pad_bits == 13);
  CHECK(conv->exact);
  CHECK(binary_fields(fp32(), conv->bits) == "0 01111011 11111110010000000000000");
  CHECK(binary_fields(fp32(), t.result.bits) == "0 01111111 00111111111001000000000");
  CHECK(value_of(t) == "1.24957275390625");
  CHECK_FALSE(t.rounding.inexact);
  CHECK(t.error_abs->is_zero());
}

TEST_CASE("fp16 update below half an ULP is lost: 1.125 + 0.00041999 stays 1.125", "[tutorial]") {
  const Explanation e = explain_ok(TraceOp::Add, {"1.125", "0.00041999"}, fp16());
  const OperationTrace& t = e.trace;
  CHECK(hex_bits(fp16(), t.operands[1].bits) == "0x0ee2");
  CHECK(value_of(t) == "1.125");
  CHECK(t.update_lost);
  const TraceStep* lost = find_step(t, TraceStepKind::Special, SpecialKind::UpdateLost);
  REQUIRE(lost);
  REQUIRE(lost->threshold);
  CHECK(lost->threshold->to_plain() == "0.00048828125");  // half of the fp16 ulp 2^-10 at 1.125
  CHECK(lost->ratio_rule_log2 == 11);                     // the 2048× rule
  CHECK(lost->ratio == Approx(1.125 / 0.000420093536376953125));
  CHECK(lost->ratio > 2048);
  CHECK(t.steps.back().kind == TraceStepKind::Result);
}

TEST_CASE("fp32 weight 1.125 + fp16 0.00041999 in fp32 is 1.125420093536376953125", "[tutorial]") {
  const Explanation e = explain_ok(TraceOp::Add, {"1.125", "0.00041999"}, fp32(), {std::nullopt, fp16()});
  const OperationTrace& t = e.trace;
  CHECK(value_of(t) == "1.125420093536376953125");
  CHECK_FALSE(t.update_lost);
  CHECK_FALSE(t.rounding.inexact);
}

TEST_CASE("the update is not lost just above half an ULP", "[trace]") {
  // 0.00048828125 = 2^-11 is a tie with 1.125 (even: stays); the next fp16 value above it is not.
  CHECK(explain_ok(TraceOp::Add, {"1.125", "0.00048828125"}, fp16()).trace.update_lost);
  const Explanation e = explain_ok(TraceOp::Add, {"1.125", "0.000488758087158203125"}, fp16());
  CHECK_FALSE(e.trace.update_lost);
  CHECK(value_of(e.trace) == "1.1259765625");
}

TEST_CASE("x + (-x) is +0, and -0 when rounding down", "[trace]") {
  const Explanation e = explain_ok(TraceOp::Add, {"1.5", "-1.5"}, fp16());
  CHECK(e.trace.result.bits == 0x0000);
  CHECK(find_step(e.trace, TraceStepKind::Special, SpecialKind::SignedZero));
  RoundingOptions down;
  down.mode = RoundingMode::Down;
  CHECK(explain_ok(TraceOp::Add, {"1.5", "-1.5"}, fp16(), {}, down).trace.result.bits == 0x8000);
  CHECK(explain_ok(TraceOp::Sub, {"1.5", "1.5"}, fp16(), {}, down).trace.result.bits == 0x8000);
  CHECK(explain_ok(TraceOp::Add, {"-0", "-0"}, fp16()).trace.result.bits == 0x8000);
  CHECK(explain_ok(TraceOp::Add, {"0", "-0"}, fp16()).trace.result.bits == 0x0000);
  CHECK(explain_ok(TraceOp::Mul, {"-0", "3"}, fp16()).trace.result.bits == 0x8000);
}

TEST_CASE("inf - inf and 0 × inf are invalid; NaN and inf propagate", "[trace]") {
  const Explanation e = explain_ok(TraceOp::Add, {"inf", "-inf"}, fp16());
  CHECK(e.trace.invalid);
  CHECK(e.trace.result.fields.cls == FloatClass::NaN);
  CHECK(find_step(e.trace, TraceStepKind::Special, SpecialKind::InvalidInfMinusInf));
  const Explanation m = explain_ok(TraceOp::Mul, {"0", "-inf"}, fp32());
  CHECK(m.trace.invalid);
  CHECK(find_step(m.trace, TraceStepKind::Special, SpecialKind::InvalidZeroTimesInf));
  const Explanation n = explain_ok(TraceOp::Add, {"1", "0x7e01"}, fp16());
  CHECK(n.trace.result.bits == 0x7e01);  // payload kept, quiet
  CHECK_FALSE(n.trace.invalid);
  CHECK(explain_ok(TraceOp::Add, {"1", "-inf"}, fp16()).trace.result.bits == 0xfc00);
  CHECK(explain_ok(TraceOp::Fma, {"inf", "1", "-inf"}, fp16()).trace.invalid);
  CHECK(explain_ok(TraceOp::Fma, {"2", "3", "-inf"}, fp16()).trace.result.bits == 0xfc00);
}

TEST_CASE("overflow rounds to inf, to max finite in rtz, saturates with --saturate, NaN in E4M3FN",
          "[trace]") {
  const Explanation e = explain_ok(TraceOp::Add, {"65504", "65504"}, fp16());
  CHECK(e.trace.result.bits == 0x7c00);
  CHECK(find_step(e.trace, TraceStepKind::Special, SpecialKind::Overflow));
  RoundingOptions rtz;
  rtz.mode = RoundingMode::TowardZero;
  CHECK(explain_ok(TraceOp::Add, {"65504", "65504"}, fp16(), {}, rtz).trace.result.bits == 0x7bff);
  RoundingOptions sat;
  sat.saturate = true;
  const Explanation s = explain_ok(TraceOp::Mul, {"448", "2"}, fp8_e4m3(), {}, sat);
  CHECK(s.trace.result.bits == 0x7e);
  CHECK(find_step(s.trace, TraceStepKind::Special, SpecialKind::Saturated));
  CHECK(explain_ok(TraceOp::Mul, {"448", "2"}, fp8_e4m3()).trace.result.fields.cls == FloatClass::NaN);
}

TEST_CASE("subnormal operands and results have their own steps; --ftz flushes", "[trace]") {
  const Explanation e = explain_ok(TraceOp::Add, {"0x0001", "0x0003"}, fp16());
  CHECK(find_step(e.trace, TraceStepKind::Special, SpecialKind::SubnormalOperand));
  CHECK(find_step(e.trace, TraceStepKind::Special, SpecialKind::SubnormalResult));
  CHECK(e.trace.result.bits == 0x0004);
  RoundingOptions ftz;
  ftz.ftz = true;
  const Explanation f = explain_ok(TraceOp::Mul, {"0.0001", "0.01"}, fp16(), {}, ftz);
  CHECK(f.trace.result.bits == 0x0000);
  CHECK(find_step(f.trace, TraceStepKind::Special, SpecialKind::Flushed));
  // A product below min normal in fp32 of fp16 operands widened: the subnormal fp16 operand becomes normal.
  const Explanation w = explain_ok(TraceOp::Add, {"0x0001", "1"}, fp32(), {fp16(), std::nullopt});
  const TraceStep* conv = find_step(w.trace, TraceStepKind::Convert);
  REQUIRE(conv);
  CHECK(conv->cls == FloatClass::Normal);
  CHECK(conv->rebias == 112);
}

TEST_CASE("a wide alignment collapses the small operand into sticky", "[trace]") {
  const Explanation e = explain_ok(TraceOp::Add, {"1", "1e-30"}, fp32());
  const TraceStep* align = find_step(e.trace, TraceStepKind::Align);
  REQUIRE(align);
  CHECK(align->collapsed);
  CHECK(align->sticky);
  CHECK_FALSE(align->guard);
  CHECK(e.trace.result.bits == 0x3f800000);
  RoundingOptions up;
  up.mode = RoundingMode::Up;
  CHECK(explain_ok(TraceOp::Add, {"1", "1e-30"}, fp32(), {}, up).trace.result.bits == 0x3f800001);
  CHECK(explain_ok(TraceOp::Sub, {"1", "1e-30"}, fp32(), {}, up).trace.result.bits == 0x3f800000);
  RoundingOptions rtz;
  rtz.mode = RoundingMode::TowardZero;
  CHECK(explain_ok(TraceOp::Sub, {"1", "1e-30"}, fp32(), {}, rtz).trace.result.bits == 0x3f7fffff);
}

TEST_CASE("cancellation shows its leading zeros and a left normalisation", "[trace]") {
  const Explanation e = explain_ok(TraceOp::Sub, {"1.0009765625", "1"}, fp16());
  const TraceStep* sub = find_step(e.trace, TraceStepKind::Sub);
  REQUIRE(sub);
  CHECK(sub->leading_zeros == 10);
  const TraceStep* norm = find_step(e.trace, TraceStepKind::Normalize);
  REQUIRE(norm);
  CHECK(norm->shift == -10);
  CHECK(value_of(e.trace) == "0.0009765625");
}

TEST_CASE("rounding up can carry into the next binade", "[trace]") {
  const Explanation e = explain_ok(TraceOp::Add, {"1.9990234375", "0.0009765625"}, fp16());
  // 1.9990234375 + 2^-10 = 2 exactly: a carry out, not a rounding carry.
  CHECK(value_of(e.trace) == "2");
  CHECK(find_step(e.trace, TraceStepKind::Add)->carry_out);
  const Explanation r = explain_ok(TraceOp::Add, {"1.9990234375", "0.00074"}, fp16());
  CHECK(value_of(r.trace) == "2");
  CHECK(find_step(r.trace, TraceStepKind::Round)->renormalized);
}

TEST_CASE("fma rounds once: the product is kept exactly", "[trace]") {
  // (1 + 2^-11)^2 - 1 = 2^-10 + 2^-22 in fp32; with a rounded product it would be 2^-10.
  const Explanation e = explain_ok(TraceOp::Fma, {"1.00048828125", "1.00048828125", "-1"}, fp32());
  CHECK(value_of(e.trace) == "0.0009768009185791015625");
  const TraceStep* mul = find_step(e.trace, TraceStepKind::Mul);
  REQUIRE(mul);
  CHECK(mul->operand == 3);
  CHECK(mul->sum.bits.size() == 48);
}

TEST_CASE("stochastic traces name their counter and match round_exact", "[trace]") {
  RoundingOptions sr;
  sr.mode = RoundingMode::Stochastic;
  sr.seed = 42;
  int ups = 0;
  for (uint64_t c = 0; c < 200; ++c) {
    sr.counter = c;
    const Explanation e = explain_ok(TraceOp::Add, {"1.125", "0.00041999"}, fp16(), {}, sr);
    const TraceStep* round = find_step(e.trace, TraceStepKind::Round);
    REQUIRE(round);
    CHECK(round->options.counter == c);
    CHECK(e.trace.result.bits == round_exact(fp16(), e.trace.exact, sr).bits);
    ups += e.trace.result.bits == 0x3c81;
  }
  // P(up) = 0.43: far from 0 and from 200.
  CHECK(ups > 50);
  CHECK(ups < 130);
}

TEST_CASE("explain rejects bad input with one sentence", "[trace]") {
  ExplainRequest req;
  req.op = TraceOp::Add;
  req.format = fp16();
  Explanation e;
  std::string error;
  req.values = {"1"};
  CHECK_FALSE(explain(req, &e, &error));
  req.values = {"1", "zz"};
  CHECK_FALSE(explain(req, &e, &error));
  CHECK(error.rfind("operand B: ", 0) == 0);
  req.values = {"1", "0x1ffff"};
  CHECK_FALSE(explain(req, &e, &error));
  TraceOp op;
  CHECK_FALSE(parse_trace_op("div", &op, &error));
}

TEST_CASE("the JSON has the documented keys", "[trace]") {
  const Explanation e = explain_ok(TraceOp::Add, {"1.125", "0.00041999"}, fp16());
  const std::string j = explanation_json(e);
  for (const char* key :
       {"\"op\":\"add\"", "\"format\":\"fp16\"", "\"operands\":[", "\"steps\":[", "\"result\":{",
        "\"update_lost\":true", "\"kind\":\"decode\"", "\"kind\":\"align\"", "\"kind\":\"add\"",
        "\"kind\":\"normalize\"", "\"kind\":\"round\"", "\"kind\":\"result\"", "\"special\":\"update_lost\"",
        "\"half_ulp\":\"0.00048828125\"", "\"rule_ratio\":\"2048\""}) {
    INFO(key);
    CHECK(j.find(key) != std::string::npos);
  }
  const std::string text = explanation_text(e);
  CHECK(text.find("update lost") != std::string::npos);
  CHECK(text.find("2048") != std::string::npos);
}
