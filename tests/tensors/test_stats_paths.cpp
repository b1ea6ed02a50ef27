// The statistics of `inspect` by the batch kernels equal the core's
// element-by-element reference bit for bit (counts, sums, maxima), for fp32,
// fp16 and bf16 tensors fed through the streaming reader in odd chunks, with
// every special value and edge of the targets, on every kernel path this CPU
// runs (the kernels' own tests pin them to the core; this pins the collector).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/convert.h"
#include "kernels/error_tally.h"
#include "tensors/tensor_reader.h"
#include "tensors/tensor_stats.h"

using namespace mantissa;

namespace {

// A safetensors file of three tensors (F32, F16, BF16) from the fp32 values.
std::string checkpoint(const std::vector<float>& x) {
  std::vector<uint16_t> h(x.size()), b(x.size());
  kernels::fp32_to_fp16(x.data(), h.data(), x.size(), false, kernels::Impl::Scalar);
  kernels::fp32_to_bf16(x.data(), b.data(), x.size(), false, kernels::Impl::Scalar);
  const size_t n = x.size();
  const std::string header = "{\"f\":{\"dtype\":\"F32\",\"shape\":[" + std::to_string(n) + "],\"data_offsets\":[0," +
                             std::to_string(4 * n) + "]},\"h\":{\"dtype\":\"F16\",\"shape\":[" + std::to_string(n) +
                             "],\"data_offsets\":[" + std::to_string(4 * n) + "," + std::to_string(6 * n) +
                             "]},\"b\":{\"dtype\":\"BF16\",\"shape\":[" + std::to_string(n) +
                             "],\"data_offsets\":[" + std::to_string(6 * n) + "," + std::to_string(8 * n) + "]}}";
  std::string file(8, '\0');
  const uint64_t len = header.size();
  std::memcpy(file.data(), &len, 8);
  file += header;
  file.append(reinterpret_cast<const char*>(x.data()), 4 * n);
  file.append(reinterpret_cast<const char*>(h.data()), 2 * n);
  file.append(reinterpret_cast<const char*>(b.data()), 2 * n);
  return file;
}

// A safetensors file handed to `visitor` in pieces of `chunk` bytes.
void read_in_chunks(const std::string& file, tensors::TensorVisitor* visitor, size_t chunk) {
  tensors::TensorFileReader reader(tensors::FileKind::Safetensors, "x", visitor);
  std::string error;
  for (size_t p = 0; p < file.size(); p += chunk)
    REQUIRE(reader.feed(std::string_view(file).substr(p, chunk), &error));
  REQUIRE(reader.finish(&error));
}

std::vector<tensors::TensorStats> collect(const std::string& file, bool reference, size_t chunk) {
  std::vector<Format> formats = {fp16(), bf16(), fp8_e4m3(), fp8_e5m2(), tf32()};
  tensors::StatsCollector stats(formats, tensors::UpdateQuestion{1e-3, 1e-2});
  stats.set_scalar_reference(reference);
  read_in_chunks(file, &stats, chunk);
  return stats.results();
}

bool same(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

void check_same(const std::vector<tensors::TensorStats>& fast, const std::vector<tensors::TensorStats>& reference) {
  REQUIRE(fast.size() == reference.size());
  for (size_t t = 0; t < fast.size(); ++t) {
    const tensors::TensorStats &a = fast[t], &b = reference[t];
    INFO("tensor " << b.name);
    CHECK(a.count == b.count);
    CHECK(a.zeros == b.zeros);
    CHECK(a.nans == b.nans);
    CHECK(a.infs == b.infs);
    CHECK(a.finite == b.finite);
    CHECK(same(a.min, b.min));
    CHECK(same(a.max, b.max));
    CHECK(same(a.amax, b.amax));
    CHECK(a.log2_histogram == b.log2_histogram);
    REQUIRE(a.formats.size() == b.formats.size());
    for (size_t f = 0; f < a.formats.size(); ++f) {
      const tensors::FormatStats &p = a.formats[f], &q = b.formats[f];
      INFO(q.format);
      CHECK(p.tensor_scale == q.tensor_scale);
      CHECK(p.overflow == q.overflow);
      CHECK(p.subnormal == q.subnormal);
      CHECK(p.flushed == q.flushed);
      CHECK(p.exact == q.exact);
      CHECK(p.measured == q.measured);
      CHECK(p.rel_count == q.rel_count);
      CHECK(p.lost_updates == q.lost_updates);
      CHECK(same(p.sum_sq_signal, q.sum_sq_signal));
      CHECK(same(p.sum_sq_error, q.sum_sq_error));
      CHECK(same(p.max_abs_error, q.max_abs_error));
      CHECK(same(p.sum_rel_error, q.sum_rel_error));
      CHECK(same(p.max_rel_error, q.max_rel_error));
    }
  }
}

}  // namespace

TEST_CASE("inspect statistics by the batch kernels equal the core's, bit for bit", "[tensors]") {
  std::mt19937 rng(15);
  std::vector<float> x;
  // Specials and the edges of every target: overflow, max, subnormals, ties.
  const float inf = std::numeric_limits<float>::infinity();
  for (float v : {0.0f, -0.0f, inf, -inf, std::nanf(""), 65504.0f, 65520.0f, 65519.99f, 448.0f, 464.0f, 480.0f,
                  57344.0f, 61440.0f, 6e-8f, 2.98e-8f, 1e-40f, 1.0f + 0x1p-11f, 1.0f + 0x1p-8f, 3.4e38f, 1e-45f})
    x.push_back(v);
  std::normal_distribution<float> normal(0, 1);
  for (int i = 0; i < 30000; ++i) x.push_back(normal(rng) * std::ldexp(1.0f, static_cast<int>(rng() % 60) - 40));
  for (int i = 0; i < 3000; ++i) {
    uint32_t bits = static_cast<uint32_t>(rng());
    float f;
    std::memcpy(&f, &bits, 4);
    x.push_back(f);
  }
  const std::string file = checkpoint(x);
  const auto reference = collect(file, true, 1 << 20);
  std::vector<std::string> paths = {""};
  for (const std::string& p : kernels::kernel_path_names(true)) paths.push_back(p);
  for (const std::string& path : paths) {
    REQUIRE(kernels::force_kernel_path(path).empty());
    for (size_t chunk : {size_t{7}, size_t{4096 + 3}}) {
      INFO("kernel path '" << path << "', chunk " << chunk);
      const auto fast = collect(file, false, chunk);
      check_same(fast, reference);
    }
  }
  kernels::force_kernel_path("");
}

// The lost-update threshold (kernels::TallyBounds::lost_from, one comparison
// on |y|) against the core's half_ulp_above, for updates around every edge.
TEST_CASE("inspect's lost updates by the kernels equal the core's for any update", "[tensors]") {
  std::mt19937 rng(151);
  std::vector<float> x;
  for (int i = 0; i < 20000; ++i) x.push_back(std::ldexp(static_cast<float>(rng()) / 4294967296.0f, static_cast<int>(rng() % 50) - 30));
  for (float v : {0.0f, 1e-40f, 6e-8f, 65504.0f, 1.0f}) x.push_back(v);
  const std::string file = checkpoint(x);
  const double updates[] = {0, 0x1p-150, 0x1p-26, 0x1p-25, 0x1.0000000001p-25, 1e-5, 0x1p-14, 1.0, 3e4, 1e300,
                            std::numeric_limits<double>::infinity()};
  for (double u : updates) {
    INFO("update " << u);
    std::vector<tensors::TensorStats> got[2];
    for (int reference = 0; reference < 2; ++reference) {
      tensors::StatsCollector stats({fp16(), bf16(), fp8_e4m3(), fp8_e5m2()}, tensors::UpdateQuestion{1, u});
      stats.set_scalar_reference(reference == 1);
      read_in_chunks(file, &stats, file.size());
      got[reference] = stats.results();
    }
    for (size_t t = 0; t < got[0].size(); ++t)
      for (size_t f = 0; f < got[0][t].formats.size(); ++f) {
        INFO(got[0][t].name << " " << got[0][t].formats[f].format);
        CHECK(got[0][t].formats[f].lost_updates == got[1][t].formats[f].lost_updates);
      }
  }
}

// Every path of the tally kernel gives the scalar loop's bits, whatever the
// lane of the batch's first element and the batch's length, and with
// thresholds that are not floats (the counts compare in float lanes).
TEST_CASE("the error tally's SIMD path equals its scalar loop bit for bit", "[tensors]") {
  std::mt19937 rng(152);
  std::vector<float> x(1000), y(1000);
  const float specials[] = {0.0f, -0.0f, std::numeric_limits<float>::infinity(), std::nanf(""), 1e-40f, 65504.0f};
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] = std::ldexp(static_cast<float>(rng()) / 4294967296.0f - 0.5f, static_cast<int>(rng() % 40) - 20);
    y[i] = rng() % 5 == 0 ? specials[rng() % 6] : x[i] * (1 + (static_cast<float>(rng() % 64) - 32) * 0x1p-10f);
    if (rng() % 7 == 0) x[i] = specials[rng() % 6];
  }
  const kernels::TallyPath best = kernels::tally_path();
  INFO("path " << kernels::tally_path_name(best));
  for (double lost_from : {0.0, 0x1p-10, 1.0000000001e-3, 0x1p200, std::numeric_limits<double>::infinity()})
    for (uint64_t first : {uint64_t{0}, uint64_t{3}, uint64_t{8}, uint64_t{13}})
      for (size_t n : {size_t{0}, size_t{5}, size_t{8}, size_t{61}, size_t{1000}}) {
        const kernels::TallyBounds b{0x1p-14 * 1.0000001, lost_from};
        kernels::ErrorTally s, v;
        kernels::tally_fp32(x.data(), y.data(), n, first, b, &s, kernels::TallyPath::Scalar);
        kernels::tally_fp32(x.data(), y.data(), n, first, b, &v, best);
        INFO("first " << first << ", n " << n << ", lost_from " << lost_from);
        CHECK(std::memcmp(&s, &v, sizeof s) == 0);
        // x stored exactly (y is x, the same array: the SIMD paths skip the error sums) equals
        // the scalar loop over a copy, also when added to a tally that holds errors already.
        const std::vector<float> copy = x;
        kernels::ErrorTally se = s, ve = s;
        kernels::tally_fp32(x.data(), copy.data(), n, first, b, &se, kernels::TallyPath::Scalar);
        kernels::tally_fp32(x.data(), x.data(), n, first, b, &ve, best);
        CHECK(std::memcmp(&se, &ve, sizeof se) == 0);
      }
}

namespace {

// x rounded to `target` and back by the batch kernels' scalar code (to
// nearest even, no saturation): the reference of tally_fp32_round.
std::vector<float> scalar_round_trip(const std::vector<float>& x, kernels::Target target) {
  std::vector<float> y(x.size());
  kernels::round_trip(target, x.data(), y.data(), x.size(), kernels::Impl::Scalar);
  return y;
}

constexpr kernels::Target kRoundTargets[] = {kernels::Target::Fp16, kernels::Target::Bf16, kernels::Target::Fp8E4M3,
                                             kernels::Target::Fp8E5M2};

// The SIMD paths this CPU runs (AVX-512 and AVX2 where it has both).
std::vector<kernels::TallyPath> simd_tally_paths() {
  std::vector<kernels::TallyPath> paths = {kernels::tally_path()};
  if (paths[0] == kernels::TallyPath::Avx512) paths.push_back(kernels::TallyPath::Avx2);
  return paths;
}

}  // namespace

// The rounded tally (tally_fp32_round: the rounding done in the SIMD
// registers, the error in float lanes, counts and sums in one pass) gives
// the scalar loop's bits for every target's round trip (the batch kernels'
// scalar rounding, no saturation: its precondition) of values at every edge:
// specials, fp32 subnormals, the targets' overflow thresholds, subnormals and
// ties, and arbitrary bit patterns; on each SIMD path this CPU runs, any
// first lane, any length. (About 0.1 s natively.)
TEST_CASE("the rounded error tally equals the scalar loop on round trips, bit for bit", "[tensors]") {
  std::mt19937 rng(153);
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> x = {0.0f,   -0.0f,     inf,      -inf,      std::nanf(""), 1e-45f,   -1e-40f,   65504.0f,
                          65520.0f, -65519.99f, 448.0f,  464.0f,    -464.00003f,   480.0f,   57344.0f,  61440.0f,
                          6e-8f,  2.98e-8f,  -2.9802322e-8f, 0x1p-24f, 0x1.8p-25f, 0x1p-9f, -0x1.8p-10f, 3.4e38f,
                          -3.4028235e38f, 0x1.fffffep127f, 1.0f + 0x1p-11f, 1.0f + 0x1p-8f, -1.0f - 0x1.8p-4f};
  while (x.size() < 1200) {
    if (rng() % 2) {
      x.push_back(std::ldexp(static_cast<float>(rng()) / 4294967296.0f - 0.5f, static_cast<int>(rng() % 80) - 40));
    } else {
      const uint32_t bits = static_cast<uint32_t>(rng());
      float f;
      std::memcpy(&f, &bits, 4);
      x.push_back(f);
    }
  }
  const size_t m = x.size();
  const std::vector<kernels::TallyPath> paths = simd_tally_paths();
  for (kernels::Target target : kRoundTargets) {
    const std::vector<float> y = scalar_round_trip(x, target);
    for (kernels::TallyPath path : paths)
      for (double lost_from : {0.0, 0x1p-10, std::numeric_limits<double>::infinity()})
        for (uint64_t first : {uint64_t{0}, uint64_t{3}, uint64_t{8}, uint64_t{13}})
          for (size_t n : {size_t{0}, size_t{5}, size_t{16}, size_t{61}, m}) {
            const kernels::TallyBounds b{0x1p-14, lost_from};
            kernels::ErrorTally s;
            kernels::tally_fp32(x.data(), y.data(), n, first, b, &s, kernels::TallyPath::Scalar);
            INFO("target " << static_cast<int>(target) << ", path " << kernels::tally_path_name(path) << ", first "
                           << first << ", n " << n << ", lost_from " << lost_from);
            kernels::ErrorTally w;
            kernels::tally_fp32_round(x.data(), n, first, b, target, &w, path);
            CHECK(std::memcmp(&s, &w, sizeof s) == 0);
            // Added to a tally that holds sums and maxima already (the batch after the first).
            kernels::ErrorTally s2 = s;
            kernels::tally_fp32(x.data() + n / 2, y.data() + n / 2, n - n / 2, first + n, b, &s2,
                                kernels::TallyPath::Scalar);
            kernels::ErrorTally w2 = w;
            kernels::tally_fp32_round(x.data() + n / 2, n - n / 2, first + n, b, target, &w2, path);
            CHECK(std::memcmp(&s2, &w2, sizeof s2) == 0);
          }
  }
}

// Every rounding decision the in-register rounding can meet, systematically
// rather than by chance: for every fp32 exponent field and every count d of
// dropped bits (the targets' normal ranges drop 13, 16, 20 or 21 bits, their
// subnormal ranges more), |x| just below, on and just above the tie between
// two neighbours whose lowest kept bit is 0 or 1, both signs; so every
// normal, subnormal, flush and overflow boundary of each target. The error
// sums cannot tell the two neighbours of a tie apart (the error is half a
// quantum either way), so each value is tallied alone (16 copies: whole SIMD
// vectors on every path) with thresholds set on the expected |y|: "lost" from
// |y| and "subnormal" below the next float up, so a result below |y| misses
// the one count and a result above it the other; a zero or a wrong sign shows
// in the flushed count and the sums. (70,380 values; about 0.1 s natively.)
TEST_CASE("the rounded error tally rounds every tie of every binade as the batch kernels do", "[tensors]") {
  std::vector<float> xs;
  for (uint32_t field = 0; field < 255; ++field)
    for (uint32_t d = 1; d <= 23; ++d)
      for (uint32_t kept_bit : {0u, 1u})
        for (int off : {-1, 0, 1})
          for (uint32_t sign : {0u, 0x80000000u}) {
            const uint32_t tie = (kept_bit << d) | (1u << (d - 1));
            const uint32_t fraction = static_cast<uint32_t>(static_cast<int>(tie) + off) & 0x7fffffu;
            const uint32_t bits = sign | (field << 23) | fraction;
            float f;
            std::memcpy(&f, &bits, 4);
            xs.push_back(f);
          }
  constexpr size_t kCopies = 16;
  for (kernels::Target target : kRoundTargets) {
    const std::vector<float> ys = scalar_round_trip(xs, target);
    for (kernels::TallyPath path : simd_tally_paths()) {
      size_t wrong = 0;
      for (size_t i = 0; i < xs.size(); ++i) {
        const std::vector<float> x(kCopies, xs[i]), y(kCopies, ys[i]);
        const double ay = std::fabs(static_cast<double>(ys[i]));
        const kernels::TallyBounds b{std::nextafter(static_cast<float>(ay), INFINITY), ay};
        kernels::ErrorTally s, w;
        kernels::tally_fp32(x.data(), y.data(), kCopies, 0, b, &s, kernels::TallyPath::Scalar);
        kernels::tally_fp32_round(x.data(), kCopies, 0, b, target, &w, path);
        if (std::memcmp(&s, &w, sizeof s) != 0 && ++wrong <= 3)
          FAIL_CHECK("target " << static_cast<int>(target) << ", path " << kernels::tally_path_name(path) << ", x "
                               << std::hexfloat << xs[i] << ", expected y " << ys[i]);
      }
      CHECK(wrong == 0);
    }
  }
}

namespace {

// A safetensors file of 16-bit tensors given as raw patterns.
struct Tensor16 {
  std::string name, dtype;
  std::vector<uint16_t> bits;
};
std::string checkpoint16(const std::vector<Tensor16>& tensors) {
  std::string header = "{", data;
  for (const Tensor16& t : tensors) {
    if (header.size() > 1) header += ",";
    header += "\"" + t.name + "\":{\"dtype\":\"" + t.dtype + "\",\"shape\":[" + std::to_string(t.bits.size()) +
              "],\"data_offsets\":[" + std::to_string(data.size()) + "," +
              std::to_string(data.size() + 2 * t.bits.size()) + "]}";
    data.append(reinterpret_cast<const char*>(t.bits.data()), 2 * t.bits.size());
  }
  header += "}";
  std::string file(8, '\0');
  const uint64_t len = header.size();
  std::memcpy(file.data(), &len, 8);
  return file + header + data;
}

// The table threshold in these tests: 2^16, so a tensor just above it holds
// every 16-bit pattern once (the CLI's threshold is 2^20).
constexpr size_t kTableAt = size_t{1} << 16;

std::vector<tensors::TensorStats> collect16(const std::string& file, const std::vector<Format>& formats,
                                            tensors::ScaleMode scale, bool reference, size_t chunk) {
  tensors::StatsCollector stats(formats, tensors::UpdateQuestion{1e-3, 1e-2});
  stats.set_table_min_count(kTableAt);
  stats.set_scalar_reference(reference);
  stats.set_scale(scale);
  if (stats.needs_amax_pass()) {
    tensors::AmaxCollector amax;
    read_in_chunks(file, &amax, file.size());
    stats.set_amax(amax.result());
  }
  read_in_chunks(file, &stats, chunk);
  return stats.results();
}

}  // namespace

// The table path (fp16 and bf16 tensors of at least set_table_min_count() elements, here kTableAt)
// against the core's element loop: every 16-bit pattern (specials, NaN
// payloads, subnormals, +-0) in random order, tensors just below and just
// above the threshold, a tensor of non-negative values whose first zero is -0
// (a zero min shows it), --scale tensor, one to five targets, stored exactly
// or not (rows of 4, 8, 12 and 16 doubles: every width of
// kernels::tally_table16), odd chunks, every kernel path.
TEST_CASE("inspect statistics by the 16-bit table equal the core's, bit for bit", "[tensors]") {
  std::mt19937 rng(153);
  const size_t at = kTableAt;
  const auto patterns = [&](size_t n, bool non_negative) {
    std::vector<uint16_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint16_t>(i % 65536);
    std::shuffle(v.begin(), v.end(), rng);
    if (non_negative)
      for (uint16_t& b : v) b &= 0x7fff;
    return v;
  };
  std::vector<Tensor16> tensors = {{"b_above", "BF16", patterns(at + 13, false)},
                                   {"h_above", "F16", patterns(at + 5, false)},
                                   {"b_below", "BF16", patterns(at - 1, false)},
                                   {"h_pos", "F16", patterns(at, true)}};
  // Normal-ish weights too: runs of one pattern (the four histograms).
  std::normal_distribution<float> normal(0, 0.02f);
  std::vector<float> w(at + 777);
  for (float& x : w) x = normal(rng);
  std::vector<uint16_t> wb(w.size()), wh(w.size());
  kernels::fp32_to_bf16(w.data(), wb.data(), w.size(), false, kernels::Impl::Scalar);
  kernels::fp32_to_fp16(w.data(), wh.data(), w.size(), false, kernels::Impl::Scalar);
  tensors.push_back({"b_weights", "BF16", wb});
  tensors.push_back({"h_weights", "F16", wh});
  // h_pos: its first zero is -0, later zeros +0.
  std::vector<uint16_t>& pos = tensors[3].bits;
  const size_t first_zero = static_cast<size_t>(std::find(pos.begin(), pos.end(), 0) - pos.begin());
  pos[first_zero] = 0x8000;
  const std::string file = checkpoint16(tensors);
  const std::vector<std::vector<Format>> lists = {{fp8_e4m3()},
                                                  {bf16(), fp8_e5m2()},
                                                  {fp16(), bf16(), fp8_e4m3()},
                                                  {fp8_e4m3(), fp8_e5m2(), tf32()},
                                                  {fp16(), bf16(), fp8_e4m3(), fp8_e5m2(), tf32()}};
  std::vector<std::string> paths = {""};
  for (const std::string& p : kernels::kernel_path_names(true)) paths.push_back(p);
  for (const auto& formats : lists)
    for (tensors::ScaleMode scale : {tensors::ScaleMode::None, tensors::ScaleMode::Tensor}) {
      INFO(formats.size() << " targets, scale " << (scale == tensors::ScaleMode::Tensor ? "tensor" : "none"));
      const auto reference = collect16(file, formats, scale, true, 1 << 20);
      CHECK(same(reference[3].min, -0.0));
      for (const std::string& path : paths) {
        REQUIRE(kernels::force_kernel_path(path).empty());
        INFO("kernel path '" << path << "'");
        check_same(collect16(file, formats, scale, false, 4096 + 3), reference);
      }
      kernels::force_kernel_path("");
      check_same(collect16(file, formats, scale, false, 7), reference);
    }
}
