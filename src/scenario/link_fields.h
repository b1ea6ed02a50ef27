// The share link's field table: each key, its panel, how it is written
// and the checked setter that is the only place a link's value is trusted.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"

namespace mantissa::link_detail {

enum class FieldKind { Text, List, Bool, Int, Double };

struct Field {
  const char* key;
  ScenarioPanel panel;
  FieldKind kind;
  std::string (*get)(const Scenario&);
  // Sets the field from link text. False with a short reason (the field is untouched).
  bool (*set)(Scenario&, std::string_view, std::string* why);
};

// Every field, in the order keys are written in.
const std::vector<Field>& fields();
const Field* find_field(std::string_view key);  // nullptr for an unknown key
bool parse_panel(std::string_view t, ScenarioPanel* out);  // a `p=` value

}  // namespace mantissa::link_detail
