#include "app/blocks_model.h"

#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/value.h"
#include "requests/requests.h"
#include "sim/random.h"

namespace mantissa::app {

const std::vector<Format>& blocks_plain_formats() {
  static const std::vector<Format> formats = {fp8_e4m3(), fp16(), bf16()};
  return formats;
}

bool blocks_base_values(const BlocksScenario& s, std::vector<double>* out, std::string* error) {
  if (!s.values.empty()) {
    std::vector<double> v;
    // The CLI's own reader: typed decimals rounded once to fp64.
    if (!quantize_values_from_list(s.values, &v, error)) return false;
    if (v.size() > kMaxBlockValues) {
      return *error =
                 "at most " + std::to_string(kMaxBlockValues) + " values; got " + std::to_string(v.size()),
             false;
    }
    *out = std::move(v);
    return true;
  }
  if (s.count < 1 || s.count > kMaxBlockValues) {
    return *error = "generate 1 to " + std::to_string(kMaxBlockValues) + " values", false;
  }
  constexpr auto kStream = sim::RandomStream::BlockValues;
  std::vector<double> v(s.count);
  for (uint64_t i = 0; i < s.count; ++i) {
    const double draw = s.gen == "uniform" ? 2 * sim::random_uniform(s.gen_seed, kStream, i) - 1
                                           : sim::random_normal(s.gen_seed, kStream, i);
    v[i] = static_cast<float>(draw);  // fp32, as a tensor would hold it (short exact decimals)
  }
  if (s.gen == "outlier") {
    const uint64_t at = sim::random_bits64(s.gen_seed, kStream, s.count) % s.count;
    v[at] = static_cast<float>(v[at] * 100);
  }
  *out = std::move(v);
  return true;
}

bool compute_blocks(const BlocksScenario& s, BlocksModel* out, std::string* error) {
  BlocksModel m;
  if (!blocks_base_values(s, &m.values, error)) return false;
  if (m.values.empty()) return *error = "no values to quantize", false;

  // The outlier: the first value of largest magnitude; the drag replaces it.
  double amax = -1;
  for (size_t i = 0; i < m.values.size(); ++i) {
    if (std::fabs(m.values[i]) > amax) amax = std::fabs(m.values[i]), m.outlier_index = static_cast<int>(i);
  }
  if (!s.outlier.empty()) {
    std::vector<double> one;
    std::string why;
    if (!quantize_values_from_list(s.outlier, &one, &why) || one.size() != 1) {
      return *error = "the outlier's value is not one number", false;
    }
    m.values[m.outlier_index] = one[0];
  }

  // The options `mantissa quantize` reads: --format, --scale-rule (MX only),
  // --round, --seed and --pad zero (a short last block).
  BlockFormat format;
  if (!parse_block_format(s.format, &format, error)) return false;
  QuantizeOptions opt;
  opt.pad = true;
  if (!format.tensor_scale && !parse_scale_rule(s.rule, &opt.rule, error)) return false;
  if (!parse_rounding_mode(s.mode, &opt.rounding.mode, error)) return false;
  opt.rounding.seed = s.seed;
  if (!quantize_blocks(format, m.values, opt, &m.report, error)) return false;

  tensors::StatsCollector plain(blocks_plain_formats(), std::nullopt);
  tensors::TensorInfo info;
  info.name = "blocks";
  info.count = m.values.size();
  info.shape = {info.count};
  plain.begin_tensor(info);
  plain.values(m.values.data(), m.values.size());
  plain.end_tensor();
  m.plain = plain.results().front().formats;
  *out = std::move(m);
  return true;
}

const BlocksModel& blocks_model(const BlocksScenario& s, std::string* error) {
  static BlocksScenario last;
  static BlocksModel model;
  static std::string last_error;
  static bool computed = false;
  if (!computed || !(s == last)) {
    std::string e;
    last_error = compute_blocks(s, &model, &e) ? "" : e;
    last = s;
    computed = true;
  }
  if (error) *error = last_error;
  return model;
}

namespace {

void write_db(JsonWriter& w, const char* key, double db) {
  w.key(key);
  if (std::isfinite(db)) {
    w.value(db);
  } else {
    w.null();  // exact (+inf dB) or nothing measured; as the CLI writes it
  }
}

}  // namespace

void write_blocks_model_state(JsonWriter& w, const BlocksScenario& s, const BlocksModel& m,
                              const std::string& error) {
  w.key("inputs").begin_object();
  w.field("format", s.format);
  w.field("rule", s.rule);
  w.field("mode", s.mode);
  w.field("seed", s.seed);
  w.field("values", s.values);
  w.field("gen", s.gen);
  w.field("count", s.count);
  w.field("gen_seed", s.gen_seed);
  w.field("outlier", s.outlier);
  w.end_object();

  w.key("results").begin_object();
  w.field("error", error);
  w.key("values").begin_array();
  for (double v : m.values) w.value(quantize_exact_text(v));
  w.end_array();
  w.field("outlier_index", m.outlier_index);
  w.key("quantize").raw(quantize_report_json(m.report));
  w.key("plain").begin_array();
  for (const tensors::FormatStats& p : m.plain) {
    w.begin_object();
    w.field("format", p.format);
    write_db(w, "sqnr_db", p.sqnr_db());
    w.field("overflow", p.overflow);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

std::string blocks_model_announcement(const BlocksScenario& s, const BlocksModel& m,
                                      const std::string& error) {
  if (!error.empty()) return "Blocks: " + error;
  if (m.report.blocks.empty()) return "Blocks: no values.";
  auto db = [](double v) {
    if (!std::isfinite(v)) return std::string(std::isnan(v) ? "not a number" : "exact");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f dB", v);
    return std::string(buf);
  };
  const QuantizedBlock& b = m.report.blocks.front();
  std::string out = std::to_string(m.values.size()) + " values in " + s.format + " (" +
                    std::to_string(m.report.blocks.size()) + " block" +
                    (m.report.blocks.size() == 1 ? "" : "s") + "), first scale " +
                    (b.non_finite ? std::string("NaN") : quantize_exact_text(b.scale)) + ": SQNR " +
                    db(m.report.sqnr_db);
  for (const tensors::FormatStats& p : m.plain) out += ", " + p.format + " " + db(p.sqnr_db());
  out += "; " + std::to_string(m.report.clipped) + " clipped, " + std::to_string(m.report.flushed) +
         " flushed to zero.";
  return out;
}

}  // namespace mantissa::app
