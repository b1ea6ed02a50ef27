// Narrow -> fp32: every pattern of every target, on every kernel set, gives
// the core's fp32 bits (exact values; NaNs quieted with their payload kept);
// and narrow -> fp32 -> narrow gives every non-NaN pattern back.
#include <catch2/catch.hpp>

#include "kernels_test_support.h"

using namespace kernels_test;
using mantissa::kernels::detail::WidenU16;
using mantissa::kernels::detail::WidenU8;

namespace {

struct WidenTarget {
  const char* name;
  const Format& (*format)();
  WidenU16 KernelSet::*u16;
  WidenU8 KernelSet::*u8;
  size_t narrow_target;  // index in narrow_targets() of the way back

  uint32_t pattern_count() const { return 1u << format().width(); }
  bool provided_by(const KernelSet& set) const { return u16 ? set.*u16 != nullptr : set.*u8 != nullptr; }
  // Widens every pattern 0 .. 2^width - 1, in that order.
  std::vector<float> widen_all(const KernelSet& set) const {
    std::vector<float> out(pattern_count());
    if (u16) {
      std::vector<uint16_t> in(pattern_count());
      for (uint32_t p = 0; p < pattern_count(); ++p) in[p] = static_cast<uint16_t>(p);
      (set.*u16)(in.data(), out.data(), in.size());
    } else {
      std::vector<uint8_t> in(pattern_count());
      for (uint32_t p = 0; p < pattern_count(); ++p) in[p] = static_cast<uint8_t>(p);
      (set.*u8)(in.data(), out.data(), in.size());
    }
    return out;
  }
};

const WidenTarget kWidenTargets[] = {
    {"fp16", &mantissa::fp16, &KernelSet::fp16_to_fp32, nullptr, 0},
    {"bf16", &mantissa::bf16, &KernelSet::bf16_to_fp32, nullptr, 1},
    {"fp8-e4m3", &mantissa::fp8_e4m3, nullptr, &KernelSet::fp8_e4m3_to_fp32, 2},
    {"fp8-e5m2", &mantissa::fp8_e5m2, nullptr, &KernelSet::fp8_e5m2_to_fp32, 3},
};

bool is_nan_pattern(const Format& f, uint32_t p) {
  const uint32_t abs = p & ~static_cast<uint32_t>(f.sign_mask());
  return f.has_inf() ? abs > f.inf_bits() : abs == (f.exp_field_max() << f.man_bits | f.man_mask());
}

}  // namespace

TEST_CASE("every kernel widens all 2^16 fp16 / bf16 and all 2^8 fp8 patterns to the core's fp32 bits",
          "[kernels][widen]") {
  for (const WidenTarget& target : kWidenTargets) {
    const Format& f = target.format();
    for (const KernelSet* set : mantissa::kernels::detail::runnable_kernel_sets()) {
      if (!target.provided_by(*set)) continue;
      const std::vector<float> got = target.widen_all(*set);
      uint32_t bad = 0;
      for (uint32_t p = 0; p < target.pattern_count(); ++p) {
        const uint32_t want = static_cast<uint32_t>(mantissa::convert_bits(f, p, mantissa::fp32()).bits);
        if (bits_of(got[p]) != want && bad++ < 4) {
          FAIL_CHECK(set->name << " " << target.name << " pattern 0x" << std::hex << p << " gave 0x"
                               << bits_of(got[p]) << ", the core 0x" << want);
        }
      }
      INFO(set->name << " " << target.name);
      CHECK(bad == 0);
    }
  }
}

TEST_CASE("every non-NaN pattern survives narrow -> fp32 -> narrow on every kernel set; NaNs come back quiet",
          "[kernels][widen]") {
  for (const WidenTarget& target : kWidenTargets) {
    const Format& f = target.format();
    const NarrowTarget& back = narrow_targets()[target.narrow_target];
    const uint32_t quiet = f.has_inf() ? 1u << (f.man_bits - 1) : 0;
    for (const KernelSet* set : mantissa::kernels::detail::runnable_kernel_sets()) {
      if (!target.provided_by(*set) || !back.provided_by(*set)) continue;
      const std::vector<float> wide = target.widen_all(*set);
      std::vector<uint16_t> again(wide.size());
      back.run(*set, wide.data(), again.data(), wide.size(), false);
      uint32_t bad = 0;
      for (uint32_t p = 0; p < target.pattern_count(); ++p) {
        const uint32_t want = is_nan_pattern(f, p) ? p | quiet : p;
        if (again[p] != want && bad++ < 4) {
          FAIL_CHECK(set->name << " " << target.name << " pattern 0x" << std::hex << p << " came back as 0x"
                               << again[p]);
        }
      }
      INFO(set->name << " " << target.name);
      CHECK(bad == 0);
    }
  }
}
