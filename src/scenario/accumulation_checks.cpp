#include "scenario/accumulation_checks.h"

#include <cmath>
#include <cstdlib>

#include "core/dot.h"
#include "core/format.h"
#include "core/parse.h"
#include "scenario/scenario.h"

namespace mantissa {

namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool finite_number(std::string_view t, double* out) {
  if (t.empty() || t.size() > 40) return false;
  const std::string s(t);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

// Splits on `sep`, keeping empty items (the callers decide about them).
std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

}  // namespace

bool check_dot_input_format_text(std::string_view in, std::string* canonical, std::string* why) {
  Format f;
  std::string error;
  if (in.size() > 32 || !parse_format(in, &f, &error) || !check_dot_input_format(f, &error)) {
    *why = "not an input format of dot products (fp32, tf32, fp16, bf16, fp8-e4m3, fp8-e5m2, eXmY)";
    return false;
  }
  *canonical = f.name;
  return true;
}

bool check_operand_distribution(std::string_view in, std::string* canonical, std::string* why) {
  const std::vector<std::string_view> parts = split(in, ':');
  double a = 0, b = 0;
  const bool normal = parts.size() == 3 && parts[0] == "normal";
  const bool uniform = parts.size() == 3 && parts[0] == "uniform";
  if ((!normal && !uniform) || !finite_number(parts[1], &a) || !finite_number(parts[2], &b) ||
      (normal && b < 0) || (uniform && b < a)) {
    *why = "not a distribution (normal:MEAN:STD with STD >= 0, or uniform:LO:HI with LO <= HI)";
    return false;
  }
  *canonical = std::string(in);
  return true;
}

bool check_k_list(std::string_view in, std::string* canonical, std::string* why) {
  std::string out;
  size_t count = 0;
  for (std::string_view item : split(in, ',')) {
    item = trimmed(item);
    if (item.empty()) continue;
    uint64_t k = 0;
    bool ok = item.size() <= 6;
    for (char ch : item) ok = ok && ch >= '0' && ch <= '9';
    if (ok) k = std::strtoull(std::string(item).c_str(), nullptr, 10);
    if (!ok || k == 0 || k > kMaxAccumulationK) {
      *why = "each K must be from 1 to " + std::to_string(kMaxAccumulationK);
      return false;
    }
    if (++count > kMaxAccumulationKs) {
      *why = "more than " + std::to_string(kMaxAccumulationKs) + " K values";
      return false;
    }
    if (!out.empty()) out += ',';
    out += std::to_string(k);
  }
  if (out.empty()) {
    *why = "no K value";
    return false;
  }
  *canonical = out;
  return true;
}

std::vector<std::string> accumulator_list_items(std::string_view list) {
  std::vector<std::string> out;
  for (std::string_view item : split(list, ';')) {
    item = trimmed(item);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

bool check_accumulator_list(std::string_view in, std::string* canonical, std::string* why) {
  const std::vector<std::string> items = accumulator_list_items(in);
  if (items.empty()) {
    *why = "no accumulator";
    return false;
  }
  if (items.size() > kMaxAccumulationAccumulators) {
    *why = "more than " + std::to_string(kMaxAccumulationAccumulators) + " accumulators";
    return false;
  }
  std::string out;
  for (const std::string& name : items) {
    bool ok = false;
    for (const Format* f : {&fp16(), &bf16(), &fp8_e4m3(), &tf32(), &fp32()}) {
      Accumulator a;
      std::string error;
      if (name.size() <= 64 && parse_accumulator(name, *f, &a, &error)) ok = true;
      if (ok) break;
    }
    if (!ok) {
      *why = "unknown accumulator";
      return false;
    }
    if (!out.empty()) out += ';';
    out += name;
  }
  *canonical = out;
  return true;
}

bool check_tensor_core_name(std::string_view in, std::string* canonical, std::string* why) {
  for (const Format* f : {&fp16(), &bf16(), &fp8_e4m3(), &tf32()}) {
    Accumulator a;
    std::string error;
    if (in.size() <= 64 && parse_accumulator(in, *f, &a, &error) && a.kind == AccumulatorKind::TensorCore) {
      *canonical = std::string(in);
      return true;
    }
  }
  *why = "not a tensor-core model (tc:NAME or tc:fma=N,neab=E)";
  return false;
}

bool check_dot_block_values(std::string_view in, std::string* canonical, std::string* why) {
  size_t count = 0;
  for (std::string_view item : split(in, ',')) {
    item = trimmed(item);
    if (item.empty()) continue;
    ParsedValue parsed;
    std::string error;
    if (item.size() > 64 || !parse_value(item, &parsed, &error)) {
      *why = "not a list of numbers";
      return false;
    }
    if (++count > static_cast<size_t>(kMaxTensorCoreFma)) {
      *why = "more than " + std::to_string(kMaxTensorCoreFma) + " values";
      return false;
    }
  }
  *canonical = std::string(in);
  return true;
}

}  // namespace mantissa
