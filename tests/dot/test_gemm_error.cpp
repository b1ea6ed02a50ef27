// gemm-error's fast path against the core, piece by piece and whole: the
// operands drawn in lanes (vectorised normal draws, round-to-odd + batch
// kernels) against gemm_error_trial (core rounding, scalar draws); the
// 128-bit ProductSum against ExactSum; and every row of run_gemm_error
// against the slow computation trial by trial (gemm_error_trial, core dot(),
// dot_exact_sum). Runs natively and in wasm.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/dot.h"
#include "core/product_sum.h"
#include "kernels/convert.h"
#include "kernels/dot.h"
#include "sim/gemm_error.h"
#include "sim/random.h"

using namespace mantissa;
namespace kn = mantissa::kernels;

namespace {

sim::GemmErrorSpec spec_of(const Format& in, const std::vector<uint64_t>& ks, const std::string& accs,
                           uint64_t trials, uint64_t seed, bool uniform, double a, double b) {
  sim::GemmErrorSpec s;
  s.in = in;
  s.ks = ks;
  s.trials = trials;
  s.seed = seed;
  s.dist.uniform = uniform;
  s.dist.a = a;
  s.dist.b = b;
  size_t start = 0;
  while (start <= accs.size()) {
    size_t end = accs.find(';', start);
    if (end == std::string::npos) end = accs.size();
    Accumulator acc;
    std::string error;
    INFO(accs.substr(start, end - start) << ": " << error);
    REQUIRE(parse_accumulator(accs.substr(start, end - start), in, &acc, &error));
    s.accumulators.push_back(acc);
    start = end + 1;
  }
  std::string error;
  REQUIRE(sim::check_gemm_error_spec(s, &error));
  return s;
}

float float_of_bits(const Format& in, uint64_t bits) {
  return __builtin_bit_cast(float, static_cast<uint32_t>(convert_bits(in, bits, fp32()).bits));
}

uint32_t bits_of(float x) { return __builtin_bit_cast(uint32_t, x); }

// The lanes' operands equal gemm_error_trial's, bit for bit.
void lanes_match_trials(const sim::GemmErrorSpec& s, uint64_t k, uint64_t t0, size_t lanes) {
  std::vector<float> a, b;
  sim::gemm_error_trial_lanes(s, k, t0, lanes, &a, &b);
  REQUIRE(a.size() == k * kn::kDotLanes);
  for (size_t l = 0; l < kn::kDotLanes; ++l) {
    if (l >= lanes) {
      for (uint64_t i = 0; i < k; ++i) REQUIRE((a[i * kn::kDotLanes + l] == 0 && b[i * kn::kDotLanes + l] == 0));
      continue;
    }
    const DotInput in = sim::gemm_error_trial(s, k, t0 + l);
    for (uint64_t i = 0; i < k; ++i) {
      INFO(s.in.name << " " << s.dist.name() << " trial " << t0 + l << " i " << i);
      REQUIRE(bits_of(a[i * kn::kDotLanes + l]) == bits_of(float_of_bits(s.in, in.a[i])));
      REQUIRE(bits_of(b[i * kn::kDotLanes + l]) == bits_of(float_of_bits(s.in, in.b[i])));
    }
  }
}

// run_gemm_error's rows, computed the slow way: the core for everything.
std::vector<sim::GemmErrorRow> slow_rows(const sim::GemmErrorSpec& s) {
  std::vector<sim::GemmErrorRow> rows;
  for (uint64_t k : s.ks) {
    std::vector<std::vector<double>> errors(s.accumulators.size());
    std::vector<uint64_t> zero(s.accumulators.size(), 0);
    for (uint64_t t = 0; t < s.trials; ++t) {
      const DotInput in = sim::gemm_error_trial(s, k, t);
      const ExactSum exact = dot_exact_sum(in);
      for (size_t j = 0; j < s.accumulators.size(); ++j) {
        const Accumulator& acc = s.accumulators[j];
        if (acc.kind == AccumulatorKind::Exact) {
          errors[j].push_back(0);
          continue;
        }
        if (exact.is_zero()) {
          ++zero[j];
          continue;
        }
        const uint64_t bits = dot(acc, in);
        const FloatClass cls = decode(acc.result_format(), bits).cls;
        if (cls == FloatClass::Infinity || cls == FloatClass::NaN) {
          errors[j].push_back(INFINITY);
          continue;
        }
        ExactSum err = exact;
        err.add_float(acc.result_format(), bits, true);
        errors[j].push_back(std::fabs(err.to_double()) / std::fabs(exact.to_double()));
      }
    }
    for (size_t j = 0; j < s.accumulators.size(); ++j) {
      std::vector<double>& e = errors[j];
      std::sort(e.begin(), e.end());
      sim::GemmErrorRow r;
      r.k = k;
      r.accumulator = s.accumulators[j].name;
      r.trials = e.size();
      r.exact_zero = zero[j];
      auto rank = [&](double q) {
        size_t n = static_cast<size_t>(std::ceil(q * static_cast<double>(e.size())));
        return e[std::min(std::max<size_t>(n, 1), e.size()) - 1];
      };
      r.median = e.empty() ? 0 : rank(0.5);
      r.p95 = e.empty() ? 0 : rank(0.95);
      r.max = e.empty() ? 0 : e.back();
      rows.push_back(r);
    }
  }
  return rows;
}

void rows_match_slow(const sim::GemmErrorSpec& s) {
  const std::vector<sim::GemmErrorRow> fast = sim::run_gemm_error(s), slow = slow_rows(s);
  REQUIRE(fast.size() == slow.size());
  for (size_t i = 0; i < fast.size(); ++i) {
    INFO(s.in.name << " " << s.dist.name() << " K = " << slow[i].k << " " << slow[i].accumulator);
    CHECK(fast[i].k == slow[i].k);
    CHECK(fast[i].accumulator == slow[i].accumulator);
    CHECK(fast[i].trials == slow[i].trials);
    CHECK(fast[i].exact_zero == slow[i].exact_zero);
    // Bit for bit, not approximately: the same errors, the same order statistics.
    CHECK(std::memcmp(&fast[i].median, &slow[i].median, sizeof(double)) == 0);
    CHECK(std::memcmp(&fast[i].p95, &slow[i].p95, sizeof(double)) == 0);
    CHECK(std::memcmp(&fast[i].max, &slow[i].max, sizeof(double)) == 0);
  }
}

}  // namespace

TEST_CASE("gemm-error: batch normal draws equal random_normal draw for draw, on every kernel path") {
  const uint64_t key = sim::random_key(42, sim::RandomStream::DotOperand);
  std::vector<std::string> paths = {""};
  for (const std::string& p : kn::kernel_path_names(true)) paths.push_back(p);
  for (const std::string& path : paths) {
    REQUIRE(kn::force_kernel_path(path).empty());
    for (uint64_t counter0 : {uint64_t{0}, uint64_t{7} << 32, (uint64_t{5} << 32) - 3, ~uint64_t{0} - 100}) {
      for (size_t n : {size_t{0}, size_t{1}, size_t{3}, size_t{4}, size_t{5}, size_t{257}, size_t{2000}}) {
        std::vector<double> batch(n);
        sim::random_normal_batch(key, counter0, n, batch.data());
        for (size_t i = 0; i < n; ++i) {
          const double one = sim::random_normal_keyed(key, counter0 + i);
          INFO("path '" << path << "' counter " << counter0 + i);
          REQUIRE(std::memcmp(&batch[i], &one, sizeof one) == 0);
        }
      }
    }
  }
  REQUIRE(kn::force_kernel_path("").empty());
  // The keyed draws are the seeded ones.
  CHECK(sim::random_normal_keyed(sim::random_key(9, sim::RandomStream::Gradient), 77) ==
        sim::random_normal(9, sim::RandomStream::Gradient, 77));
}

TEST_CASE("gemm-error: operands in lanes equal gemm_error_trial's (normal, uniform, saturation, every format)") {
  for (const Format& in : {fp8_e4m3(), fp8_e5m2(), fp16(), bf16(), tf32(), fp32()}) {
    lanes_match_trials(spec_of(in, {300}, "tc:fma=8,neab=0", 9, 3, false, 0, 1), 300, 0, 8);
    lanes_match_trials(spec_of(in, {64}, "tc:fma=8,neab=0", 9, 4, false, 0.5, 1e5), 64, 8, 3);  // saturates
    lanes_match_trials(spec_of(in, {64}, "tc:fma=8,neab=0", 9, 5, true, -3, 7), 64, 1000, 8);
  }
  Format e3m2;
  std::string error;
  REQUIRE(parse_format("e3m2", &e3m2, &error));
  lanes_match_trials(spec_of(e3m2, {50}, "tc:fma=8,neab=0", 9, 6, false, 0, 2), 50, 0, 5);
}

TEST_CASE("gemm-error: rounding the draws has no double rounding (values just off a tie of the input format)") {
  // A constant draw x: uniform:x:x. Each x lies just above or below a midpoint
  // of the input format by less than fp32 resolves, so rounding through a
  // nearest-even float first would land on the tie and pick the even side.
  for (const Format& in : {fp8_e4m3(), fp8_e5m2(), fp16(), bf16()}) {
    for (double base : {1.0, 0.375, 3.0, 1e-3, 200.0}) {
      const double one = to_double(in, round_double(in, base).bits);
      const uint64_t bits = round_double(in, one).bits;
      const double next = to_double(in, bits + 1);
      const double mid = (one + next) / 2;
      for (double x : {mid + mid * 0x1p-40, mid - mid * 0x1p-40, mid, -(mid + mid * 0x1p-40)}) {
        const sim::GemmErrorSpec s = spec_of(in, {2}, "tc:fma=8,neab=0", 1, 1, true, x, x);
        std::vector<float> a, b;
        sim::gemm_error_trial_lanes(s, 2, 0, 1, &a, &b);
        RoundingOptions opt;
        opt.saturate = true;
        INFO(in.name << " x = " << x);
        CHECK(bits_of(a[0]) == bits_of(float_of_bits(in, round_double(in, x, opt).bits)));
      }
    }
  }
}

TEST_CASE("gemm-error: ProductSum is exact (against ExactSum) and says which formats it covers") {
  CHECK(ProductSum::covers(fp8_e4m3(), uint64_t{1} << 24));
  CHECK(ProductSum::covers(fp8_e5m2(), uint64_t{1} << 24));
  CHECK(ProductSum::covers(fp16(), uint64_t{1} << 24));
  CHECK_FALSE(ProductSum::covers(bf16(), 1));
  CHECK_FALSE(ProductSum::covers(fp32(), 1));
  std::mt19937_64 rng(7);
  for (const Format& in : {fp8_e4m3(), fp8_e5m2(), fp16()}) {
    for (int trial = 0; trial < 30; ++trial) {
      ProductSum fast(in);
      ExactSum exact;
      const size_t k = 1 + rng() % 3000;
      for (size_t i = 0; i < k; ++i) {
        // Every bit pattern that is finite: subnormals, the largest values, both signs.
        uint64_t ba, bb;
        do ba = rng() & in.width_mask(); while (decode(in, ba).cls == FloatClass::Infinity || decode(in, ba).cls == FloatClass::NaN);
        do bb = rng() & in.width_mask(); while (decode(in, bb).cls == FloatClass::Infinity || decode(in, bb).cls == FloatClass::NaN);
        if (trial % 3 == 0 && i % 2) bb = ba ^ in.sign_mask();  // cancellation
        fast.add_product(float_of_bits(in, ba), float_of_bits(in, bb));
        const Decoded da = decode(in, ba), db = decode(in, bb);
        exact.add(da.negative != db.negative, da.significand * db.significand, da.exp2 + db.exp2);
      }
      INFO(in.name << " K = " << k);
      REQUIRE(fast.is_zero() == exact.is_zero());
      const double f = fast.to_double(), e = exact.to_double();
      REQUIRE(std::memcmp(&f, &e, sizeof f) == 0);
      // Subtracting a result on the grid stays exact; one off the grid is refused.
      const uint32_t r = static_cast<uint32_t>(round_unrounded(fp32(), exact.unrounded(), RoundingOptions{}).bits);
      ProductSum err = fast;
      REQUIRE(err.subtract(__builtin_bit_cast(float, r)));
      ExactSum err_exact = exact;
      err_exact.add_float(fp32(), r, true);
      const double ef = err.to_double(), ee = err_exact.to_double();
      REQUIRE(std::memcmp(&ef, &ee, sizeof ef) == 0);
      REQUIRE(err.to_exact_sum().to_double() == ee);
    }
  }
  ProductSum s(fp8_e4m3());
  s.add_product(1, 1);
  CHECK_FALSE(s.subtract(0x1p-30));  // below the grid of e4m3 products (2^-18)
  CHECK_FALSE(s.subtract(0x1p125));  // too large
  CHECK(s.to_double() == 1);
}

TEST_CASE("gemm-error: every row equals the slow computation trial by trial (core draws, dot(), ExactSum)") {
  // Accumulators the lanes cover and ones they do not; K unsorted and repeated;
  // trials that do not fill the last group of lanes.
  const std::string lanes_accs = "tc:h100;blocked:tc:h100:16;seq:fp32;blocked:fp32:8;exact";
  rows_match_slow(spec_of(fp8_e4m3(), {96, 17, 96}, lanes_accs, 13, 1, false, 0, 1));
  rows_match_slow(spec_of(fp8_e4m3(), {64}, lanes_accs, 9, 2, true, 0, 1));
  rows_match_slow(spec_of(fp8_e5m2(), {40}, "tc:h100;seq:fp32;pairwise:fp32", 11, 3, false, 0, 300));
  rows_match_slow(spec_of(fp16(), {50, 5}, "tc:a100;tc:h100,out=fp16;seq:fp16;kahan:fp16;seq:fp32", 10, 4, true, -1, 2));
  rows_match_slow(spec_of(bf16(), {33}, "tc:h100;seq:fp32;blocked:fp32:4", 9, 5, false, 0, 1));  // ExactSum path
  rows_match_slow(spec_of(fp32(), {20}, "tc:fma=8,neab=2;seq:fp32", 8, 6, false, 0, 1));
  rows_match_slow(spec_of(tf32(), {21}, "tc:h100;seq:fp32;blocked:tc:h100:8", 8, 6, false, 0, 1));
  // Every trial cancels exactly: uniform:0:0 draws only zeros.
  rows_match_slow(spec_of(fp8_e4m3(), {8}, "tc:h100;seq:fp32", 5, 7, true, 0, 0));
}

TEST_CASE("gemm-error: chunks of trials (any boundaries, lanes split) give run_gemm_error's rows exactly") {
  // The Accumulation panel computes a chunk of trials per frame: chunks of
  // 1..5 trials cut the groups of kDotLanes lanes anywhere.
  const sim::GemmErrorSpec s =
      spec_of(fp8_e4m3(), {64, 8, 200}, "tc:h100;blocked:tc:h100:16;seq:fp32;seq:fp16", 23, 11, false, 0, 1);
  const std::string whole = sim::gemm_error_json(s, sim::run_gemm_error(s));
  for (uint64_t chunk = 1; chunk <= 5; ++chunk) {
    sim::GemmErrorSamples samples;
    for (uint64_t t = 0; t < s.trials; t += chunk) sim::gemm_error_samples(s, t, std::min(s.trials, t + chunk), &samples);
    CHECK(sim::gemm_error_json(s, sim::gemm_error_rows(s, samples)) == whole);
  }
}
