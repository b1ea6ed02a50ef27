// Shared by the kernel tests: the conversions as data (so one test walks all
// four targets), input sets (a spread sample, every special value of a
// target), an independent round-to-nearest-even oracle, and a parallel loop.
#pragma once
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/format.h"
#include "core/rounding.h"
#include "kernels/kernel_sets.h"

namespace kernels_test {

using mantissa::Format;
using mantissa::kernels::detail::KernelSet;

inline float float_from_bits(uint32_t b) {
  float f;
  std::memcpy(&f, &b, 4);
  return f;
}
inline uint32_t bits_of(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// ---- The four fp32 -> narrow conversions (round to nearest even) as data ----

struct NarrowTarget {
  const char* name;
  const Format& (*format)();
  mantissa::kernels::detail::NarrowU16 KernelSet::*u16;  // set for 16-bit targets
  mantissa::kernels::detail::NarrowU8 KernelSet::*u8;    // set for 8-bit targets

  bool provided_by(const KernelSet& set) const { return u16 ? set.*u16 != nullptr : set.*u8 != nullptr; }
  // Runs `set`'s kernel; 8-bit results are zero-extended into `out`.
  void run(const KernelSet& set, const float* in, uint16_t* out, size_t n, bool saturate) const {
    if (u16) {
      (set.*u16)(in, out, n, saturate);
      return;
    }
    thread_local std::vector<uint8_t> narrow;
    narrow.resize(std::max(narrow.size(), n));
    (set.*u8)(in, narrow.data(), n, saturate);
    for (size_t i = 0; i < n; ++i) out[i] = narrow[i];
  }
};

inline const std::vector<NarrowTarget>& narrow_targets() {
  static const std::vector<NarrowTarget> all = {
      {"fp16", &mantissa::fp16, &KernelSet::fp32_to_fp16, nullptr},
      {"bf16", &mantissa::bf16, &KernelSet::fp32_to_bf16, nullptr},
      {"fp8-e4m3", &mantissa::fp8_e4m3, nullptr, &KernelSet::fp32_to_fp8_e4m3},
      {"fp8-e5m2", &mantissa::fp8_e5m2, nullptr, &KernelSet::fp32_to_fp8_e5m2},
  };
  return all;
}

// Every kernel set this machine runs except the scalar reference.
inline std::vector<const KernelSet*> simd_sets() {
  std::vector<const KernelSet*> sets;
  for (const KernelSet* s : mantissa::kernels::detail::runnable_kernel_sets()) {
    if (s != &mantissa::kernels::detail::kScalarKernels) sets.push_back(s);
  }
  return sets;
}

// The reference: the core, per element.
inline uint16_t core_nearest_even(const Format& f, float x, bool saturate) {
  mantissa::RoundingOptions opt;
  opt.saturate = saturate;
  return static_cast<uint16_t>(mantissa::round_double(f, x, opt).bits);
}

// ---- Values of a target, written out from the definition ---------------------

// Number of positive finite patterns: 0 .. count-1 are all finite and ordered
// by value. The pattern `count` is what lies just past them: inf (Ieee) or
// the NaN pattern (E4M3FN).
inline uint32_t positive_finite_count(const Format& f) {
  return static_cast<uint32_t>(f.max_finite_bits()) + 1;
}

// Value of positive pattern p (p may be `count`: the next step up).
inline double pattern_value(const Format& f, uint32_t p) {
  const int bias = (1 << (f.exp_bits - 1)) - 1;
  const uint32_t e = p >> f.man_bits, m = p & ((1u << f.man_bits) - 1);
  return e == 0 ? std::ldexp(m, 1 - bias - f.man_bits)
                : std::ldexp(static_cast<double>((1u << f.man_bits) + m),
                             static_cast<int>(e) - bias - f.man_bits);
}

// ---- An independent oracle for round to nearest even ------------------------
//
// Nothing like the kernels' bit tricks nor the core's integer rounding: the
// rounding boundaries are listed from the values themselves. from[p] is the
// smallest |x| (fp32 bits) that rounds to pattern p or above: the midpoint
// of values p-1 and p when the tie goes to p (p even), else the next fp32
// above the midpoint. Midpoints of these formats are exact fp32 values.
// Rounding |x| is then counting the boundaries at or below it; for a sweep
// over consecutive fp32 patterns that is a pointer that only moves forward.
class NearestEvenOracle {
 public:
  explicit NearestEvenOracle(const Format& f)
      : count_(positive_finite_count(f)),
        width_(f.width()),
        drop_(23 - f.man_bits),
        finite_kind_(!f.has_inf()),
        quiet_(1u << (f.man_bits - 1)),
        from_(count_ + 1, 0) {
    for (uint32_t p = 1; p <= count_; ++p) {
      const double mid = (pattern_value(f, p - 1) + pattern_value(f, p)) / 2;
      if (static_cast<double>(static_cast<float>(mid)) != mid) exact_ = false;
      const uint32_t mid_bits = bits_of(static_cast<float>(mid));
      from_[p] = (p % 2 == 0) ? mid_bits : mid_bits + 1;
    }
  }
  bool midpoints_exact() const { return exact_; }

  // Rounds the n consecutive fp32 patterns first, first+1, ... (one sign:
  // must not cross 0x80000000) into `nearest` and, saturating, `saturated`.
  void round_sweep(uint32_t first, size_t n, uint16_t* nearest, uint16_t* saturated) const {
    const uint32_t sign = (first & 0x80000000u) ? 1u << (width_ - 1) : 0;
    const uint32_t a0 = first & 0x7fffffffu;
    uint32_t r =
        static_cast<uint32_t>(std::upper_bound(from_.begin() + 1, from_.end(), a0) - (from_.begin() + 1));
    for (size_t i = 0; i < n; ++i) {
      const uint32_t a = a0 + static_cast<uint32_t>(i);
      uint32_t near, sat;
      if (a > 0x7f800000u) {  // NaN
        near = sat = finite_kind_ ? count_ : (count_ | quiet_ | ((a & 0x7fffffu) >> drop_));
      } else if (a == 0x7f800000u) {  // inf: exact in Ieee targets, an overflow in E4M3FN
        near = count_;
        sat = finite_kind_ ? count_ - 1 : count_;
      } else {
        while (r < count_ && from_[r + 1] <= a) ++r;
        near = r;  // r == count_: inf / the NaN pattern
        sat = r == count_ ? count_ - 1 : r;
      }
      nearest[i] = static_cast<uint16_t>(near | sign);
      saturated[i] = static_cast<uint16_t>(sat | sign);
    }
  }

 private:
  uint32_t count_;
  int width_, drop_;
  bool finite_kind_;
  uint32_t quiet_;
  std::vector<uint32_t> from_;
  bool exact_ = true;
};

// ---- Inputs ---------------------------------------------------------------------

// `count` fp32 patterns spread over all 2^32: one in each aligned block of
// 2^32/count patterns, at a pseudo-random place inside it (fixed: no seed).
// count: a power of two.
inline std::vector<float> spread_sample(uint32_t count) {
  const uint32_t block = static_cast<uint32_t>((uint64_t{1} << 32) / count);
  std::vector<float> out(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t jitter = (i * 0x9E3779B9u) & (block - 1);  // Fibonacci hashing: spreads the offsets
    out[i] = float_from_bits(i * block + jitter);
  }
  return out;
}

// fp32 inputs every target must get right: zeros, fp32 subnormals, the
// largest finite, infinities, NaNs with payload bits everywhere (including
// right at the cut of each target), and both signs of all of these.
inline std::vector<uint32_t> fp32_special_patterns() {
  std::vector<uint32_t> p = {0,          1,          2,          3,         0x7fffff, 0x400000,
                             0x8000,     0x18000,    0x10000,    0x800000,  0x800001, 0x7f7fffff,
                             0x7f7f8000, 0x7f7f7fff, 0x7f000000, 0x7f800000};
  for (int bit = 0; bit < 23; ++bit) {
    p.push_back(0x7f800000u | (1u << bit));                      // signalling NaNs with one payload bit
    p.push_back(0x7fc00000u | (1u << bit));                      // quiet ones
    p.push_back(0x7f800000u | ((1u << bit) - 1) | (1u << bit));  // payload ones up to that bit
  }
  p.push_back(0x7fffffff);
  const size_t n = p.size();
  for (size_t i = 0; i < n; ++i) p.push_back(p[i] | 0x80000000u);
  return p;
}

// Every rounding boundary of target f: each value, each midpoint between
// neighbours (ties), and the fp32 patterns one and two steps either side of
// them, up to and past the overflow threshold; both signs; plus the fp32
// specials.
inline std::vector<float> boundary_inputs(const Format& f) {
  std::vector<uint32_t> bits = fp32_special_patterns();
  const uint32_t count = positive_finite_count(f);
  auto around = [&bits](uint32_t b) {
    for (int d = -2; d <= 2; ++d) {
      const int64_t v = static_cast<int64_t>(b) + d;
      if (v < 0 || v > 0x7f800000) continue;
      bits.push_back(static_cast<uint32_t>(v));
      bits.push_back(static_cast<uint32_t>(v) | 0x80000000u);
    }
  };
  for (uint32_t p = 0; p <= count; ++p) {
    around(bits_of(static_cast<float>(pattern_value(f, p))));
    if (p > 0) around(bits_of(static_cast<float>((pattern_value(f, p - 1) + pattern_value(f, p)) / 2)));
  }
  std::vector<float> out;
  out.reserve(bits.size());
  for (uint32_t b : bits) out.push_back(float_from_bits(b));
  return out;
}

// ---- Increments at an fp16 weight's rounding points -----------------------------

// fp32 increments that land on and beside the rounding decisions of an fp16
// weight in each binade E (quantum u = 2^(E-25)): j*u and (j + 1/2)*u (ties)
// for steps that stay in a binade, reach its edge, or pass it, up to the
// 2^22 u where fp16_binade_step's magic add leaves its fp32 binade; each with
// its fp32 neighbours (bits below the quantum), both signs; plus inf, NaN
// and the fp32 extremes.
inline std::vector<float> fp16_rounding_point_increments() {
  std::vector<float> out;
  const double steps[] = {0, 1, 2, 3, 511, 1023, 1024, 1025, 2047, 2048, 2097152, 4194302, 4194303, 4194304};
  for (int e = 1; e <= 30; ++e) {
    const double u = std::ldexp(1.0, e - 25);
    for (double j : steps) {
      for (double half : {0.0, 0.5}) {
        const float x = static_cast<float>((j + half) * u);  // exact: at most 24 significant bits
        for (float v : {x, std::nextafter(x, 0.0f), std::nextafter(x, INFINITY)}) {
          out.push_back(v);
          out.push_back(-v);
        }
      }
    }
  }
  for (float v : {INFINITY, NAN, 3.4028235e38f, 1e-45f, 1e-40f}) {
    out.push_back(v);
    out.push_back(-v);
  }
  return out;
}

// ---- Parallel walks -------------------------------------------------------------

// body(begin, end) over [0, total) in chunks, on every core (one thread in wasm).
template <class Body>
void parallel_chunks(uint64_t total, uint64_t chunk, Body body) {
#ifdef __EMSCRIPTEN__
  for (uint64_t b = 0; b < total; b += chunk) body(b, std::min(b + chunk, total));
#else
  std::atomic<uint64_t> next{0};
  auto worker = [&] {
    for (;;) {
      const uint64_t b = next.fetch_add(chunk);
      if (b >= total) return;
      body(b, std::min(b + chunk, total));
    }
  };
  const unsigned n = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t + 1 < n; ++t) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();
#endif
}

// Mismatches found by worker threads (Catch2 assertions are not thread-safe):
// counts them and keeps the first few for the report.
class Mismatches {
 public:
  void add(const std::string& what, uint32_t input, uint32_t got, uint32_t want) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (++count_ <= 8) {
      std::ostringstream s;
      s << what << ": fp32 0x" << std::hex << input << " gave 0x" << got << ", the reference 0x" << want
        << "\n";
      first_ += s.str();
    }
  }
  uint64_t count() const { return count_; }
  const std::string& first() const { return first_; }

 private:
  std::mutex mutex_;
  uint64_t count_ = 0;
  std::string first_;
};

}  // namespace kernels_test
