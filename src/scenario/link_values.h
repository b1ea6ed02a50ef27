// The share link's values (see link.h): booleans, integers and doubles in
// their link spelling, and the checks each text field's value must pass.
// Every check canonicalises what it accepts, or says in a few words why not
// (the accumulation panel's checks live in accumulation_checks.h).
#pragma once
#include <charconv>
#include <string>
#include <string_view>

namespace mantissa::link_detail {

std::string bool_text(bool b);  // "1" or "0"
bool parse_bool(std::string_view t, bool* out);  // 1/0, true/false, yes/no, on/off
// A decimal integer, optionally with '+', that fits Int exactly.
template <typename Int>
bool parse_int(std::string_view t, Int* out) {
  if (t.empty() || t.size() > 24) return false;
  if (t.front() == '+') t.remove_prefix(1);
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
  return ec == std::errc() && end == t.data() + t.size();
}
// Shortest decimal that reads back as the same double.
std::string double_text(double v);
// A finite decimal of at most 32 characters.
bool parse_double(std::string_view t, double* out);

// The checks a typed string must pass; each canonicalises what it accepts.
using Check = bool (*)(std::string_view in, std::string* canonical, std::string* why);
bool check_value(std::string_view in, std::string* canonical, std::string* why);
bool check_optional_value(std::string_view in, std::string* canonical, std::string* why);
bool check_format(std::string_view in, std::string* canonical, std::string* why);
bool check_any_format(std::string_view in, std::string* canonical, std::string* why);
bool check_optional_any_format(std::string_view in, std::string* canonical, std::string* why);
bool check_mode(std::string_view in, std::string* canonical, std::string* why);
bool check_op(std::string_view in, std::string* canonical, std::string* why);
bool check_strategy(std::string_view in, std::string* canonical, std::string* why);
bool check_loss_scale(std::string_view in, std::string* canonical, std::string* why);
bool check_gradient(std::string_view in, std::string* canonical, std::string* why);
bool check_init(std::string_view in, std::string* canonical, std::string* why);
bool check_tensor_scale(std::string_view in, std::string* canonical, std::string* why);
bool check_reference(std::string_view in, std::string* canonical, std::string* why);
bool check_block_format(std::string_view in, std::string* canonical, std::string* why);
bool check_optional_block_format(std::string_view in, std::string* canonical, std::string* why);
bool check_scale_rule(std::string_view in, std::string* canonical, std::string* why);
bool check_block_gen(std::string_view in, std::string* canonical, std::string* why);
bool check_block_values(std::string_view in, std::string* canonical, std::string* why);
bool check_data(std::string_view in, std::string* canonical, std::string* why);
bool check_model(std::string_view in, std::string* canonical, std::string* why);
bool check_optimizer(std::string_view in, std::string* canonical, std::string* why);
bool check_loss_weight(std::string_view in, std::string* canonical, std::string* why);
bool check_recipes(std::string_view in, std::string* canonical, std::string* why);

}  // namespace mantissa::link_detail
