// Traced arithmetic against the hardware: fp32 and fp64 + - × and std::fma,
// and _Float16 + - × for fp16 in fp16. Random bit patterns, plus operands
// built to hit ties, cancellation, subnormals and overflow.
//
// The hardware rounds to nearest even, so these compare rne traces. NaN
// results are compared by class (payload propagation is the CPU's choice).
// The long runs (10^5 to 10^6 cases) are [exhaustive] (plain native build only); a
// smaller sample of the same generators runs everywhere natively.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>

#include "core/trace.h"

using namespace mantissa;

#ifndef __EMSCRIPTEN__

namespace {

template <typename T, typename U>
T bit_cast_to(U u) {
  static_assert(sizeof(T) == sizeof(U));
  T t;
  std::memcpy(&t, &u, sizeof t);
  return t;
}

bool same_result(const Format& f, uint64_t traced, uint64_t hardware) {
  const bool tn = decode(f, traced).cls == FloatClass::NaN;
  const bool hn = decode(f, hardware).cls == FloatClass::NaN;
  if (tn || hn) return tn && hn;
  return traced == hardware;
}

// Operand generator: uniform patterns, and pairs shaped for the hard cases.
struct Generator {
  std::mt19937_64 rng;
  const Format& f;
  explicit Generator(const Format& format, uint64_t seed) : rng(seed), f(format) {}

  uint64_t any() { return rng() & f.width_mask(); }
  // Finite with an exponent field in [lo, hi].
  uint64_t with_exponent(uint64_t lo, uint64_t hi) {
    const uint64_t e = lo + rng() % (hi - lo + 1);
    return (rng() & f.sign_mask()) | (e << f.man_bits) | (rng() & f.man_mask());
  }
  // b relative to a: a close value (cancellation), a subnormal, a huge
  // value (overflow), or a value whose low bits land exactly half way (ties).
  void pair(uint64_t* a, uint64_t* b) {
    const uint64_t top = f.exp_field_max() - 1;
    switch (rng() % 6) {
      case 0:
        *a = any();
        *b = any();
        break;
      case 1:  // cancellation: same exponent or one apart, opposite signs
        *a = with_exponent(1, top);
        *b = (*a ^ f.sign_mask()) + (rng() % 5) - 2;
        if (rng() & 1) *b += uint64_t{1} << f.man_bits;
        *b &= f.width_mask();
        break;
      case 2:
        *a = with_exponent(0, 2);
        *b = with_exponent(0, 2);
        break;  // subnormals and tiny normals
      case 3:
        *a = with_exponent(top - 1, top);
        *b = with_exponent(top - 2, top);
        break;   // overflow
      case 4: {  // ties: b's lowest bit sits just past a's precision
        *a = with_exponent(f.man_bits + 2, top - 2);
        const uint64_t ea = (*a >> f.man_bits) & f.exp_field_max();
        const uint64_t eb = ea - f.man_bits - 1 + rng() % 3;
        *b = (rng() & f.sign_mask()) | (eb << f.man_bits) | ((rng() % 4) == 0 ? 0 : rng() & f.man_mask());
        break;
      }
      default: {  // exponents within 30 of each other (products near range edges too)
        *a = with_exponent(1, top);
        const int64_t ea = static_cast<int64_t>((*a >> f.man_bits) & f.exp_field_max());
        int64_t eb = ea + static_cast<int64_t>(rng() % 61) - 30;
        eb = std::max<int64_t>(0, std::min<int64_t>(eb, static_cast<int64_t>(top)));
        *b = (rng() & f.sign_mask()) | (static_cast<uint64_t>(eb) << f.man_bits) | (rng() & f.man_mask());
        break;
      }
    }
  }
};

template <typename T, typename Bits>
void check_binary_ops(const Format& f, uint64_t seed, long count) {
  Generator g(f, seed);
  long failures = 0;
  for (long i = 0; i < count && failures < 10; ++i) {
    uint64_t a, b;
    g.pair(&a, &b);
    const T x = bit_cast_to<T>(static_cast<Bits>(a));
    const T y = bit_cast_to<T>(static_cast<Bits>(b));
    const T hw[3] = {static_cast<T>(x + y), static_cast<T>(x - y), static_cast<T>(x * y)};
    const TraceOp ops[3] = {TraceOp::Add, TraceOp::Sub, TraceOp::Mul};
    for (int k = 0; k < 3; ++k) {
      const OperationTrace t = trace_operation(ops[k], f, {{f, a}, {f, b}});
      const uint64_t want = bit_cast_to<Bits>(hw[k]);
      if (!same_result(f, t.result.bits, want)) {
        ++failures;
        FAIL_CHECK(f.name << " " << trace_op_name(ops[k]) << " " << hex_bits(f, a) << " " << hex_bits(f, b)
                          << ": traced " << hex_bits(f, t.result.bits) << ", hardware " << hex_bits(f, want));
      }
    }
  }
  CHECK(failures == 0);
}

template <typename T, typename Bits>
void check_fma(const Format& f, uint64_t seed, long count) {
  Generator g(f, seed);
  long failures = 0;
  for (long i = 0; i < count && failures < 10; ++i) {
    uint64_t a, b, c, d;
    g.pair(&a, &b);
    g.pair(&c, &d);
    if (i % 3 == 0) {
      // c cancels the product: c = -(a*b rounded) +- a few ulps
      const T p = bit_cast_to<T>(static_cast<Bits>(a)) * bit_cast_to<T>(static_cast<Bits>(b));
      c = (static_cast<uint64_t>(bit_cast_to<Bits>(static_cast<T>(-p))) + (g.rng() % 5) - 2) & f.width_mask();
    }
    const T x = bit_cast_to<T>(static_cast<Bits>(a)), y = bit_cast_to<T>(static_cast<Bits>(b));
    const T z = bit_cast_to<T>(static_cast<Bits>(c));
    const uint64_t want = bit_cast_to<Bits>(static_cast<T>(std::fma(x, y, z)));
    const OperationTrace t = trace_operation(TraceOp::Fma, f, {{f, a}, {f, b}, {f, c}});
    if (!same_result(f, t.result.bits, want)) {
      ++failures;
      FAIL_CHECK(f.name << " fma " << hex_bits(f, a) << " " << hex_bits(f, b) << " " << hex_bits(f, c)
                        << ": traced " << hex_bits(f, t.result.bits) << ", hardware " << hex_bits(f, want));
    }
  }
  CHECK(failures == 0);
}

}  // namespace

TEST_CASE("fp32 + - × traces match the hardware (sample)", "[trace][oracle]") {
  check_binary_ops<float, uint32_t>(fp32(), 1, 20000);
}
TEST_CASE("fp64 + - × traces match the hardware (sample)", "[trace][oracle]") {
  check_binary_ops<double, uint64_t>(fp64(), 2, 20000);
}
TEST_CASE("fp32 and fp64 fma traces match std::fma (sample)", "[trace][oracle]") {
  check_fma<float, uint32_t>(fp32(), 3, 20000);
  check_fma<double, uint64_t>(fp64(), 4, 20000);
}

TEST_CASE("fp32 + - × traces match the hardware over a million pairs", "[exhaustive]") {
  check_binary_ops<float, uint32_t>(fp32(), 11, 1000000);
}
// fp64 traces carry exact decimals of up to ~1100 digits: 8x slower per pair.
TEST_CASE("fp64 + - × traces match the hardware over 250,000 pairs", "[exhaustive]") {
  check_binary_ops<double, uint64_t>(fp64(), 12, 250000);
}
TEST_CASE("fp32 and fp64 fma traces match std::fma over 500,000 and 100,000 triples", "[exhaustive]") {
  check_fma<float, uint32_t>(fp32(), 13, 500000);
  check_fma<double, uint64_t>(fp64(), 14, 100000);
}

#if defined(__FLT16_MAX__)
// _Float16 arithmetic (GCC on x86-64 computes it in float and rounds once,
// which is exact for + - ×: 24 >= 2*11+2 bits).
TEST_CASE("fp16 + - × traces match _Float16 (sample)", "[trace][oracle]") {
  check_binary_ops<_Float16, uint16_t>(fp16(), 5, 20000);
}
TEST_CASE("fp16 + - × traces match _Float16 over two million pairs", "[exhaustive]") {
  check_binary_ops<_Float16, uint16_t>(fp16(), 15, 2000000);
}
TEST_CASE("fp16 + - × traces match _Float16 for every pair with a = 1.125", "[trace][oracle]") {
  const uint64_t a = 0x3c80;
  long failures = 0;
  for (uint64_t b = 0; b < 0x10000; ++b) {
    const _Float16 x = bit_cast_to<_Float16>(static_cast<uint16_t>(a));
    const _Float16 y = bit_cast_to<_Float16>(static_cast<uint16_t>(b));
    const uint64_t want = bit_cast_to<uint16_t>(static_cast<_Float16>(x + y));
    const OperationTrace t = trace_operation(TraceOp::Add, fp16(), {{fp16(), a}, {fp16(), b}});
    if (!same_result(fp16(), t.result.bits, want) && ++failures < 5) FAIL_CHECK(hex_bits(fp16(), b));
  }
  CHECK(failures == 0);
}
#endif

#endif  // __EMSCRIPTEN__
