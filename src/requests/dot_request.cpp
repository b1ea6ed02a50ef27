// `dot` and `gemm-error`'s options (the CLI's `mantissa dot` / `mantissa
// gemm-error`; the JS API and the Accumulation panel will read them here too).
#include <cmath>
#include <string>
#include <vector>

#include "core/parse.h"
#include "requests/requests.h"

namespace mantissa {

namespace {

// Items of a list separated by `seps` (runs of separators count once).
std::vector<std::string_view> items_of(std::string_view s, std::string_view seps) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && seps.find(s[i]) != std::string_view::npos) ++i;
    size_t j = i;
    while (j < s.size() && seps.find(s[j]) == std::string_view::npos) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

// A value typed for a dot product, rounded (rne) into `f`; bit patterns are fp32's.
bool parse_dot_value(std::string_view text, const Format& f, uint64_t* bits, std::string* error) {
  ParsedValue parsed;
  ExactValue v;
  if (!parse_value(text, &parsed, error) || !resolve_value(parsed, &fp32(), &v, error)) return false;
  if (!v.is_finite()) {
    *error = "'" + std::string(text.substr(0, 40)) + "' is " + v.to_string() +
             "; dot products take finite inputs (see the README for how the core treats NaN and inf)";
    return false;
  }
  const Rounded r = round_exact(f, v, RoundingOptions{});
  const FloatClass cls = decode(f, r.bits).cls;
  if (cls == FloatClass::Infinity || cls == FloatClass::NaN) {
    *error = "'" + std::string(text.substr(0, 40)) + "' overflows " + f.name;
    return false;
  }
  *bits = r.bits;
  return true;
}

bool parse_exact_double(const std::string& flag, const std::string& text, double* out, std::string* error) {
  ParsedValue parsed;
  ExactValue v;
  std::string why;
  if (!parse_value(text, &parsed, &why) || !resolve_value(parsed, nullptr, &v, &why))
    return *error = flag + ": " + why, false;
  if (!v.is_finite()) return *error = flag + " needs finite numbers, not " + v.to_string(), false;
  *out = to_double(fp64(), round_exact(fp64(), v, RoundingOptions{}).bits);
  return true;
}

bool input_format(const requests::Args& args, Format* in, std::string* error) {
  if (!args.has("--in")) return *error = "needs --in FORMAT, the inputs' format (e.g. --in fp8-e4m3)", false;
  if (!args.format("--in", in, error)) return false;
  return check_dot_input_format(*in, error);
}

}  // namespace

bool parse_dot_values(std::string_view list, const Format& in, std::vector<uint64_t>* out,
                      std::string* error) {
  const std::vector<std::string_view> items = items_of(list, ", \t");
  if (items.size() > kMaxDotTerms)
    return *error = "at most " + std::to_string(kMaxDotTerms) + " terms in one dot product", false;
  out->clear();
  out->reserve(items.size());
  for (std::string_view item : items) {
    uint64_t bits = 0;
    if (!parse_dot_value(item, in, &bits, error)) return false;
    out->push_back(bits);
  }
  return true;
}

bool parse_dot_line(std::string_view line, const Format& in, DotInput* out, std::string* error) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t at = line.find(';', start);
    parts.push_back(line.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  if (parts.size() < 2 || parts.size() > 3) return *error = "a line is a's values ; b's values [; c]", false;
  DotInput d;
  d.in = in;
  if (!parse_dot_values(parts[0], in, &d.a, error) || !parse_dot_values(parts[1], in, &d.b, error))
    return false;
  if (d.a.size() != d.b.size())
    return *error = "a has " + std::to_string(d.a.size()) + " values and b has " +
                    std::to_string(d.b.size()) + "; they must have the same length K",
           false;
  if (d.a.empty()) return *error = "a dot product needs at least one term", false;
  if (parts.size() == 3) {
    const std::vector<std::string_view> c = items_of(parts[2], ", \t");
    if (c.size() != 1) return *error = "c is one value", false;
    if (!parse_dot_value(c[0], fp32(), &d.c, error)) return false;
  }
  *out = std::move(d);
  return true;
}

requests::Args dot_args() {
  return requests::Args({"--a", "--b", "--c", "--in", "--acc", "--batch"}, {"--json", "--help"});
}

bool dot_request_from_args(const requests::Args& args, DotRequest* out, std::string* error) {
  DotRequest r;
  if (!args.positional().empty()) return *error = "dot takes options only (see mantissa dot --help)", false;
  if (!input_format(args, &r.input.in, error)) return false;
  if (!args.has("--acc"))
    return *error = "dot needs --acc MODEL (e.g. --acc tc:h100, seq:fp32, exact)", false;
  if (!parse_accumulator(*args.value("--acc"), r.input.in, &r.acc, error)) return false;
  if (args.has("--batch")) {
    if (args.has("--a") || args.has("--b") || args.has("--c"))
      return *error = "--batch reads a, b and c from the file; drop --a, --b and --c", false;
    *out = std::move(r);
    return true;
  }
  if (!args.has("--a") || !args.has("--b"))
    return *error = "dot needs --a LIST and --b LIST (or --batch FILE)", false;
  if (!parse_dot_values(*args.value("--a"), r.input.in, &r.input.a, error))
    return *error = "--a: " + *error, false;
  if (!parse_dot_values(*args.value("--b"), r.input.in, &r.input.b, error))
    return *error = "--b: " + *error, false;
  if (r.input.a.size() != r.input.b.size())
    return *error = "--a has " + std::to_string(r.input.a.size()) + " values and --b has " +
                    std::to_string(r.input.b.size()) + "; they must have the same length K",
           false;
  if (r.input.a.empty()) return *error = "a dot product needs at least one term", false;
  if (auto c = args.value("--c")) {
    if (!parse_dot_value(*c, fp32(), &r.input.c, error)) return *error = "--c: " + *error, false;
  }
  *out = std::move(r);
  return true;
}

requests::Args gemm_error_args() {
  return requests::Args({"--k", "--in", "--dist", "--acc", "--trials", "--seed"},
                        {"--json", "--csv", "--help"});
}

bool gemm_error_spec_from_args(const requests::Args& args, sim::GemmErrorSpec* out, std::string* error) {
  sim::GemmErrorSpec s;
  if (!args.positional().empty())
    return *error = "gemm-error takes options only (see mantissa gemm-error --help)", false;
  if (!input_format(args, &s.in, error)) return false;
  if (!args.has("--k")) return *error = "gemm-error needs --k LIST (e.g. --k 128,1024,4096)", false;
  const std::string k_list = *args.value("--k");  // the views below point into it
  for (std::string_view item : items_of(k_list, ",")) {
    uint64_t k = 0;
    bool ok = !item.empty() && item.size() <= 19;
    for (char ch : item) {
      if (ch < '0' || ch > '9') ok = false;
    }
    if (ok) k = std::stoull(std::string(item));
    if (!ok || k == 0 || k > kMaxDotTerms)
      return *error = "--k: each K must be an integer from 1 to " + std::to_string(kMaxDotTerms) + ", not '" +
                      std::string(item.substr(0, 24)) + "'",
             false;
    s.ks.push_back(k);
  }
  if (s.ks.empty() || s.ks.size() > 64) return *error = "--k takes 1 to 64 values", false;
  if (auto d = args.value("--dist")) {
    const std::vector<std::string_view> parts = items_of(*d, ":");
    const bool normal = parts.size() == 3 && parts[0] == "normal";
    const bool uniform = parts.size() == 3 && parts[0] == "uniform";
    if (!normal && !uniform)
      return *error = "--dist takes normal:MEAN:STD or uniform:LO:HI, not '" + d->substr(0, 40) + "'", false;
    s.dist.uniform = uniform;
    if (!parse_exact_double("--dist", std::string(parts[1]), &s.dist.a, error) ||
        !parse_exact_double("--dist", std::string(parts[2]), &s.dist.b, error))
      return false;
  }
  if (!args.has("--acc"))
    return *error = "gemm-error needs --acc LIST (e.g. --acc tc:h100,blocked:tc:h100:128)", false;
  // Accumulator names contain commas (tc:fma=N,neab=E): the list is split on ';' or, when
  // there is none, on commas that start a new accumulator name.
  const std::string list = *args.value("--acc");
  std::vector<std::string> names;
  if (list.find(';') != std::string::npos) {
    for (std::string_view n : items_of(list, ";")) names.emplace_back(n);
  } else {
    std::string cur;
    for (std::string_view item : items_of(list, ",")) {
      const bool parameter = item.find('=') != std::string_view::npos && item.rfind("tc:", 0) != 0 &&
                             item.find(':') == std::string_view::npos;
      if (parameter && !cur.empty()) {
        cur += "," + std::string(item);
      } else {
        if (!cur.empty()) names.push_back(cur);
        cur = std::string(item);
      }
    }
    if (!cur.empty()) names.push_back(cur);
  }
  if (names.empty() || names.size() > 16) return *error = "--acc takes 1 to 16 accumulators", false;
  for (const std::string& n : names) {
    Accumulator a;
    if (!parse_accumulator(n, s.in, &a, error)) return false;
    s.accumulators.push_back(a);
  }
  if (!args.has("--trials")) return *error = "gemm-error needs --trials N", false;
  if (!args.uint("--trials", &s.trials, error)) return false;
  if (args.has("--seed") && !args.uint("--seed", &s.seed, error)) return false;
  if (args.has("--json") && args.has("--csv")) return *error = "choose one of --json and --csv", false;
  if (!sim::check_gemm_error_spec(s, error)) return false;
  *out = std::move(s);
  return true;
}

}  // namespace mantissa
