#include "app/accumulation_model.h"

#include <algorithm>
#include <cmath>

#include "core/dot_bounds.h"
#include "core/value.h"
#include "requests/requests.h"
#include "scenario/accumulation_checks.h"

namespace mantissa::app {

namespace {

// Parses `command` arguments with the CLI's flag parser.
bool parse_cli(const std::string& command, requests::Args parsed_flags, std::vector<std::string> args,
               requests::Args* out, std::string* error) {
  args.insert(args.begin(), command);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  if (!parsed_flags.parse(static_cast<int>(argv.size()), argv.data(), error)) return false;
  *out = std::move(parsed_flags);
  return true;
}

// The block's model fma (for a random example's K), for the scenario's input format.
bool block_model(const AccumulationScenario& d, Format* in, Accumulator* acc, std::string* error) {
  if (!parse_format(d.in, in, error) || !check_dot_input_format(*in, error)) return false;
  if (!parse_accumulator(d.block_acc, *in, acc, error)) return false;
  if (acc->kind != AccumulatorKind::TensorCore)
    return *error = "the walkthrough shows one block of a tensor-core model (tc:NAME or tc:fma=N,neab=E)",
           false;
  return true;
}

}  // namespace

std::vector<std::string> accumulation_cli_args(const AccumulationScenario& d) {
  return {"--k",      d.ks,
          "--in",     d.in,
          "--dist",   d.dist,
          "--acc",    d.acc,
          "--trials", std::to_string(d.trials),
          "--seed",   std::to_string(d.seed)};
}

std::string accumulation_command(const AccumulationScenario& d) {
  return cli_command_line("gemm-error", accumulation_cli_args(d));
}

bool accumulation_spec(const AccumulationScenario& d, sim::GemmErrorSpec* out, std::string* error) {
  // The panel's list is ';'-separated (accumulator names hold commas); the
  // CLI reads a ';' list as such.
  if (accumulator_list_items(d.acc).empty()) return *error = "choose at least one accumulator", false;
  requests::Args args = gemm_error_args();
  if (!parse_cli("gemm-error", gemm_error_args(), accumulation_cli_args(d), &args, error)) return false;
  sim::GemmErrorSpec s;
  if (!gemm_error_spec_from_args(args, &s, error)) return false;
  uint64_t work = 0;
  for (uint64_t k : s.ks) {
    if (k > kMaxAccumulationK)
      return *error = "K = " + std::to_string(k) + " is more than the playground's " +
                      std::to_string(kMaxAccumulationK) + " (the command line takes up to 2^24)",
             false;
    work += k * s.trials * (s.accumulators.size() + 1);
  }
  if (s.ks.size() > kMaxAccumulationKs)
    return *error = "at most " + std::to_string(kMaxAccumulationKs) + " K values", false;
  if (s.trials > kMaxAccumulationTrials)
    return *error = "at most " + std::to_string(kMaxAccumulationTrials) + " trials in the playground", false;
  if (s.accumulators.size() > kMaxAccumulationAccumulators)
    return *error = "at most " + std::to_string(kMaxAccumulationAccumulators) + " accumulators", false;
  if (work > kMaxAccumulationWork)
    return *error = "this would compute " + std::to_string(work) + " products; the playground's limit is " +
                    std::to_string(kMaxAccumulationWork) +
                    " (fewer trials or smaller K; the command line goes further)",
           false;
  *out = std::move(s);
  return true;
}

bool same_accumulation_run(const AccumulationScenario& a, const AccumulationScenario& b) {
  return a.in == b.in && a.dist == b.dist && a.ks == b.ks && a.acc == b.acc && a.trials == b.trials &&
         a.seed == b.seed;
}

// --- The run -------------------------------------------------------------------------------

void AccumulationRun::start(const AccumulationScenario& d) {
  inputs_ = d;
  spec_ = sim::GemmErrorSpec{};
  rows_.clear();
  samples_ = sim::GemmErrorSamples{};
  error_.clear();
  trial_ = 0;
  work_done_ = work_total_ = 0;
  compute_ = 0;
  started_ = ended_ = std::chrono::steady_clock::now();
  ++version_;
  if (!accumulation_spec(d, &spec_, &error_)) {
    status_ = RunStatus::Refused;
    return;
  }
  const uint64_t k_max = *std::max_element(spec_.ks.begin(), spec_.ks.end());
  work_total_ = k_max * spec_.trials;
  chunk_ = std::max<uint64_t>(1, 4096 / k_max);
  status_ = RunStatus::Running;
}

bool AccumulationRun::advance(std::chrono::duration<double> budget) {
  if (status_ != RunStatus::Running) return false;
  using clock = std::chrono::steady_clock;
  const auto begin = clock::now();
  for (;;) {
    const uint64_t end = std::min(spec_.trials, trial_ + chunk_);
    const auto t0 = clock::now();
    sim::gemm_error_samples(spec_, trial_, end, &samples_);  // every K of these trials
    const double took = std::chrono::duration<double>(clock::now() - t0).count();
    work_done_ += (end - trial_) * (work_total_ / spec_.trials);
    trial_ = end;
    if (trial_ == spec_.trials) {
      rows_ = sim::gemm_error_rows(spec_, samples_);
      samples_ = sim::GemmErrorSamples{};
      status_ = RunStatus::Finished;
      break;
    }
    if (took < 0.5e-3 && chunk_ < (uint64_t{1} << 20)) {
      chunk_ *= 2;
    } else if (took > 2e-3 && chunk_ > 1) {
      chunk_ /= 2;
    }
    if (clock::now() - begin >= budget) break;
  }
  const auto now = clock::now();
  compute_ += std::chrono::duration<double>(now - begin).count();
  if (status_ == RunStatus::Finished) ended_ = now;
  ++version_;
  return status_ == RunStatus::Running;
}

void AccumulationRun::finish() {
  while (advance(std::chrono::duration<double>(1.0))) {
  }
}

void AccumulationRun::cancel() {
  if (status_ != RunStatus::Running) return;
  status_ = RunStatus::Cancelled;
  ended_ = std::chrono::steady_clock::now();
  ++version_;
}

double AccumulationRun::progress() const {
  if (status_ == RunStatus::Finished) return 1;
  return work_total_ == 0 ? 0 : static_cast<double>(work_done_) / static_cast<double>(work_total_);
}

double AccumulationRun::wall_seconds() const {
  const auto end = status_ == RunStatus::Running ? std::chrono::steady_clock::now() : ended_;
  return std::chrono::duration<double>(end - started_).count();
}

std::vector<AccumulationCurve> AccumulationRun::curves() const {
  std::vector<AccumulationCurve> out;
  // Rows come K by K, the accumulators in order within each K; the plot wants
  // K ascending (the list may be in any order).
  std::vector<const sim::GemmErrorRow*> sorted;
  for (const sim::GemmErrorRow& r : rows_) sorted.push_back(&r);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const sim::GemmErrorRow* a, const sim::GemmErrorRow* b) { return a->k < b->k; });
  for (const Accumulator& acc : spec_.accumulators) {
    AccumulationCurve c;
    c.acc = acc.name;
    const AccumulatorBound probe = accumulator_bound(acc, 1);
    c.rule = probe.rule;
    c.u = probe.u;
    for (const sim::GemmErrorRow* r : sorted) {
      if (r->accumulator != acc.name) continue;
      if (!c.k.empty() && c.k.back() == static_cast<double>(r->k)) continue;  // a K listed twice
      c.k.push_back(static_cast<double>(r->k));
      c.median.push_back(r->median);
      c.p95.push_back(r->p95);
      c.max.push_back(r->max);
      const AccumulatorBound b = accumulator_bound(acc, r->k);
      c.bound.push_back(b.bound);
      c.probabilistic.push_back(probabilistic_sum_bound(r->k, b.u));
    }
    out.push_back(std::move(c));
  }
  return out;
}

// --- The walkthrough -------------------------------------------------------------------------

AccumulationBlock accumulation_block(const AccumulationScenario& d) {
  AccumulationBlock out;
  Format in;
  Accumulator acc;
  if (!block_model(d, &in, &acc, &out.error)) return out;
  out.random = d.block_a.empty() && d.block_b.empty();
  DotInput input;
  if (out.random) {
    // The run's distribution and seed (parsed by the CLI's parser), one block's K.
    AccumulationScenario one = d;
    one.ks = std::to_string(acc.tc.fma);
    one.acc = d.block_acc;
    one.trials = 1;
    requests::Args args = gemm_error_args();
    sim::GemmErrorSpec spec;
    if (!parse_cli("gemm-error", gemm_error_args(), accumulation_cli_args(one), &args, &out.error) ||
        !gemm_error_spec_from_args(args, &spec, &out.error))
      return out;
    input = sim::gemm_error_trial(spec, static_cast<uint64_t>(acc.tc.fma), d.example);
    for (uint64_t bits : input.a) out.a.push_back(exact_value(in, bits).to_string());
    for (uint64_t bits : input.b) out.b.push_back(exact_value(in, bits).to_string());
    out.c = exact_value(fp32(), input.c).to_string();
    out.args = {"--a", "", "--b", "", "--c", out.c, "--in", in.name, "--acc", d.block_acc};
    for (size_t i = 0; i < out.a.size(); ++i) {
      out.args[1] += (i ? "," : "") + out.a[i];
      out.args[3] += (i ? "," : "") + out.b[i];
    }
  } else {
    out.args = {"--a", d.block_a, "--b", d.block_b};
    if (!d.block_c.empty()) out.args.insert(out.args.end(), {"--c", d.block_c});
    out.args.insert(out.args.end(), {"--in", d.in, "--acc", d.block_acc});
  }
  out.command = cli_command_line("explain dot", out.args);
  // Hand-typed or not, the block goes through `explain dot`'s parser.
  requests::Args args = dot_args();
  DotRequest req;
  if (!parse_cli("dot", dot_args(), out.args, &args, &out.error) ||
      !dot_request_from_args(args, &req, &out.error))
    return out;
  if (!out.random) {
    for (uint64_t bits : req.input.a) out.a.push_back(exact_value(in, bits).to_string());
    for (uint64_t bits : req.input.b) out.b.push_back(exact_value(in, bits).to_string());
    out.c = exact_value(fp32(), req.input.c).to_string();
  }
  if (!trace_tensor_core_block(req.acc, req.input, &out.trace, &out.error)) return out;
  out.ok = true;
  return out;
}

std::vector<DotReport> accumulation_sample(const sim::GemmErrorSpec& spec) {
  std::vector<DotReport> out;
  if (spec.ks.empty()) return out;
  const uint64_t k = *std::max_element(spec.ks.begin(), spec.ks.end());
  const DotInput in = sim::gemm_error_trial(spec, k, 0);
  for (const Accumulator& acc : spec.accumulators) out.push_back(dot_report(acc, in));
  return out;
}

const std::vector<AccumulationPreset>& accumulation_presets() {
  static const std::vector<AccumulationPreset> presets = [] {
    std::vector<AccumulationPreset> p;
    // The defaults are this preset: fp8 inputs on the H100 model (13 fraction
    // bits kept in accumulation) against promotion to fp32 every N_C = 128,
    // on the README's DeepSeek reproduction data (uniform:0:1, 1000 trials).
    p.push_back({"deepseek", "DeepSeek-V3: FP8 on H100, with and without promotion every 128",
                 "fp8-e4m3 products summed on the H100 tensor-core model keep 13 fraction bits, truncated: "
                 "at K = 4096 the error reaches percents. Promoting the partial sum to fp32 every 128 terms "
                 "(DeepSeek-V3, section 3.3.2) cuts it by two orders of magnitude.",
                 AccumulationScenario{}});
    AccumulationScenario f;
    f.in = "fp16";
    f.dist = "uniform:0:1";
    f.ks = "16,64,256,1024,4096";
    f.acc = "seq:fp16;seq:fp32";
    f.trials = 200;
    f.block_acc = "tc:h100";
    p.push_back({"fp16-accumulate", "fp16 inputs, fp16 vs fp32 accumulate",
                 "The same fp16 products summed in fp16 and in fp32: the fp16 sum's error grows with K "
                 "(its u is 2^-11) while fp32's stays near 2^-24.",
                 f});
    AccumulationScenario o;
    o.in = "fp16";
    o.dist = "uniform:1:1";  // every a_i and b_i is 1
    o.ks = "256,512,1024,2048,4096";
    o.acc = "seq:fp16;seq:bf16;seq:fp32";
    o.trials = 1;
    o.block_acc = "tc:h100";
    p.push_back({"ones", "Summing 1.0 4096 times",
                 "1 + 1 + ... in fp16 stops at 2048 (2048 + 1 is a tie, rounded to even: 2048), in bf16 at "
                 "256; fp32 counts to 4096 exactly.",
                 o});
    return p;
  }();
  return presets;
}

std::string log_spaced_ks(uint64_t lo, uint64_t hi, int n) {
  lo = std::clamp<uint64_t>(lo, 1, kMaxAccumulationK);
  hi = std::clamp<uint64_t>(hi, lo, kMaxAccumulationK);
  n = std::clamp(n, 1, static_cast<int>(kMaxAccumulationKs));
  std::string out;
  uint64_t last = 0;
  for (int i = 0; i < n; ++i) {
    const double t = n == 1 ? 1.0 : static_cast<double>(i) / (n - 1);
    const uint64_t k = static_cast<uint64_t>(std::llround(
        std::exp(std::log(static_cast<double>(lo)) * (1 - t) + std::log(static_cast<double>(hi)) * t)));
    if (k == last) continue;
    if (!out.empty()) out += ',';
    out += std::to_string(k);
    last = k;
  }
  return out;
}

}  // namespace mantissa::app
