// Options in command-line form, shared by every request: `--name value`,
// `--name=value` and boolean switches. Anything not starting with "--" is a
// positional argument, so negative numbers (-3e-8, -inf) need no quoting.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/format.h"
#include "core/rounding.h"

namespace mantissa::requests {

class Args {
 public:
  Args(std::vector<std::string> value_flags, std::vector<std::string> switches)
      : value_flags_(std::move(value_flags)), switches_(std::move(switches)) {}

  // argv[0] is the subcommand's name. False with *error on an unknown flag or a missing value.
  bool parse(int argc, char** argv, std::string* error);

  const std::vector<std::string>& positional() const { return positional_; }
  std::optional<std::string> value(std::string_view flag) const;
  bool has(std::string_view flag) const;

  // Common options, each with its own message on bad input.
  bool format(std::string_view flag, Format* out, std::string* error) const;  // false also when absent
  // Also the MX scale (e8m0) and integer element (int8-mx) formats.
  bool any_format(std::string_view flag, Format* out, std::string* error) const;
  bool rounding(RoundingOptions* out, std::string* error) const;  // --round --seed --saturate --ftz
  bool uint(std::string_view flag, uint64_t* out, std::string* error) const;

 private:
  std::vector<std::string> value_flags_, switches_;
  std::vector<std::string> positional_;
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace mantissa::requests
