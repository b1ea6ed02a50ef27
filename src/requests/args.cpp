#include "requests/args.h"

#include <algorithm>

namespace mantissa::requests {

bool Args::parse(int argc, char** argv, std::string* error) {
  auto known = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  for (int i = 1; i < argc; ++i) {
    std::string tok = argv[i];
    if (tok.rfind("--", 0) != 0 || tok == "--") {
      positional_.push_back(tok);
      continue;
    }
    std::string name = tok, val;
    bool inline_value = false;
    if (size_t eq = tok.find('='); eq != std::string::npos) {
      name = tok.substr(0, eq);
      val = tok.substr(eq + 1);
      inline_value = true;
    }
    if (known(switches_, name)) {
      if (inline_value) return *error = "option " + name + " takes no value", false;
      values_[name] = "";
      continue;
    }
    if (!known(value_flags_, name)) {
      *error = "unknown option '" + name.substr(0, 60) + "' for '" + argv[0] + "' (see mantissa --help)";
      return false;
    }
    if (!inline_value) {
      if (i + 1 >= argc) return *error = "option " + name + " needs a value", false;
      val = argv[++i];
    }
    values_[name] = val;
  }
  return true;
}

std::optional<std::string> Args::value(std::string_view flag) const {
  auto it = values_.find(flag);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

bool Args::has(std::string_view flag) const { return values_.find(flag) != values_.end(); }

bool Args::format(std::string_view flag, Format* out, std::string* error) const {
  auto v = value(flag);
  if (!v) return false;
  return parse_format(*v, out, error);
}

bool Args::any_format(std::string_view flag, Format* out, std::string* error) const {
  auto v = value(flag);
  if (!v) return false;
  return parse_any_format(*v, out, error);
}

bool Args::uint(std::string_view flag, uint64_t* out, std::string* error) const {
  auto v = value(flag);
  if (!v) return false;
  const std::string& s = *v;
  uint64_t x = 0;
  bool ok = !s.empty() && s.size() <= 20;
  for (char c : s) {
    if (c < '0' || c > '9') ok = false;
  }
  if (ok) {
    for (char c : s) {
      uint64_t next = x * 10 + static_cast<uint64_t>(c - '0');
      if (next / 10 != x) ok = false;
      x = next;
    }
  }
  if (!ok) {
    *error = std::string(flag) + " needs a non-negative integer, not '" + s.substr(0, 40) + "'";
    return false;
  }
  *out = x;
  return true;
}

bool Args::rounding(RoundingOptions* out, std::string* error) const {
  RoundingOptions o;
  if (auto m = value("--round")) {
    if (!parse_rounding_mode(*m, &o.mode, error)) return false;
  }
  if (has("--seed")) {
    if (!uint("--seed", &o.seed, error)) return false;
  } else if (o.mode == RoundingMode::Stochastic) {
    *error = "stochastic rounding needs --seed N (the same seed gives the same bits everywhere)";
    return false;
  }
  o.saturate = has("--saturate");
  o.ftz = has("--ftz");
  *out = o;
  return true;
}

}  // namespace mantissa::requests
