// The share link's upgrade chain: pairs written by an older version of the
// link format become those of the current one (kLinkVersion), one step per
// version. A future version 2 adds upgrade_v1_to_v2 to link_upgrade.cpp and
// nothing else changes.
#pragma once
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/link_text.h"

namespace mantissa::link_detail {

// Version 0 keys (the Scenario's member paths, "addition.a_format") and
// their version 1 keys ("af"). The JS API's scenario objects use the same
// member names (scenario_json).
std::span<const std::pair<std::string_view, std::string_view>> member_keys();

// Upgrades pairs written by version `from` (0 <= from <= kLinkVersion).
void upgrade_pairs(int from, std::vector<Pair>* pairs, Notices* notices);

}  // namespace mantissa::link_detail
