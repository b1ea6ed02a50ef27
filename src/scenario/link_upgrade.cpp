// The share link's upgrade chain (see link_upgrade.h).
#include "scenario/link_upgrade.h"

#include <algorithm>

namespace mantissa::link_detail {
namespace {

// upgrades[k] turns the pairs of version k into those of version k + 1. A
// future version 2 adds upgrade_v1_to_v2 here and nothing else changes: links
// of every version walk the chain to the current one.

// Version 0 keys (the Scenario's member paths) and their version 1 keys. The
// JS API's scenario objects use the same member names (scenario_json).
constexpr std::pair<std::string_view, std::string_view> kMemberKeys[] = {
    {"inspector.value", "x"},
    {"inspector.from", "xf"},
    {"inspector.mode", "xr"},
    {"inspector.seed", "xs"},
    {"inspector.saturate", "xsat"},
    {"inspector.ftz", "xftz"},
    {"inspector.custom", "xc"},
    {"inspector.focus", "xfocus"},
    {"addition.op", "op"},
    {"addition.a", "a"},
    {"addition.a_format", "af"},
    {"addition.b", "b"},
    {"addition.b_format", "bf"},
    {"addition.c", "c"},
    {"addition.c_format", "cf"},
    {"addition.format", "in"},
    {"addition.mode", "r"},
    {"addition.seed", "s"},
    {"addition.saturate", "sat"},
    {"addition.ftz", "ftz"},
    {"addition.compare_fp32", "cmp"},
    {"addition.step", "step"},
    {"training.w0", "w0"},
    {"training.inc", "inc"},
    {"training.lr", "lr"},
    {"training.grad", "g"},
    {"training.seed", "ts"},
    {"training.grad_format", "gf"},
    {"training.steps", "n"},
    {"training.strategies", "st"},
    {"training.loss_scale", "ls"},
    {"training.population", "pop"},
    {"training.init", "init"},
    {"training.reference", "ref"},
    {"training.view_x0", "vx0"},
    {"training.view_x1", "vx1"},
    {"training.view_y0", "vy0"},
    {"training.view_y1", "vy1"},
    {"training.log_error", "logerr"},
    {"training.selected_step", "sel"},
    {"landscape.formats", "lf"},
    {"landscape.x_min", "lx0"},
    {"landscape.x_max", "lx1"},
    {"landscape.log_x", "llog"},
    {"landscape.log_error", "llogy"},
    {"landscape.block_format", "lb"},
    {"landscape.block_scale_exp", "lbe"},
    {"blocks.format", "bk"},
    {"blocks.rule", "bkr"},
    {"blocks.mode", "bkm"},
    {"blocks.seed", "bks"},
    {"blocks.values", "bkv"},
    {"blocks.gen", "bkg"},
    {"blocks.count", "bkn"},
    {"blocks.gen_seed", "bkgs"},
    {"blocks.outlier", "bko"},
    {"tensors.formats", "tf"},
    {"tensors.lr", "tlr"},
    {"tensors.grad_std", "tgs"},
    {"tensors.scale", "tsc"},
    {"accumulation.in", "di"},
    {"accumulation.dist", "dd"},
    {"accumulation.ks", "dk"},
    {"accumulation.acc", "dacc"},
    {"accumulation.trials", "dn"},
    {"accumulation.seed", "ds"},
    {"accumulation.block_acc", "dwacc"},
    {"accumulation.block_a", "dwa"},
    {"accumulation.block_b", "dwb"},
    {"accumulation.block_c", "dwc"},
    {"accumulation.example", "dwx"},
    {"network.data", "nd"},
    {"network.data_seed", "nds"},
    {"network.model", "nm"},
    {"network.optimizer", "nopt"},
    {"network.recipes", "nr"},
    {"network.epochs", "ne"},
    {"network.batch", "nb"},
    {"network.seed", "ns"},
    {"network.subset", "nsub"},
    {"network.loss_weight", "nlw"},
};

// Version 0: panel=Inspector|Addition|Training|Landscape, <panel>.<field>
// keys named after the Scenario's members, ';' between list items,
// true/false booleans (parse_bool reads those too).
void upgrade_v0_to_v1(std::vector<Pair>* pairs, Notices* notices) {
  static constexpr std::pair<std::string_view, std::string_view> kPanels[] = {
      {"Inspector", "inspect"},
      {"Addition", "add"},
      {"Training", "train"},
      {"Landscape", "landscape"},
      // The JS API's scenario objects (scenario_json) name panels by their v1 keys.
      {"inspect", "inspect"},
      {"add", "add"},
      {"train", "train"},
      {"landscape", "landscape"},
      {"Blocks", "blocks"},
      {"blocks", "blocks"},
      {"tensors", "tensors"},
      {"dot", "dot"},
      {"network", "network"}};
  std::vector<Pair> out;
  for (auto& [key, value] : *pairs) {
    if (key == "panel") {
      bool found = false;
      for (const auto& [old_name, new_name] : kPanels) {
        if (value == old_name) {
          out.emplace_back("p", std::string(new_name));
          found = true;
        }
      }
      if (!found) notices->ignored(key, value, "unknown panel");
      continue;
    }
    bool found = false;
    for (const auto& [old_key, new_key] : kMemberKeys) {
      if (key == old_key) {
        if (new_key == "st" || new_key == "lf" || new_key == "tf") std::replace(value.begin(), value.end(), ';', ',');
        out.emplace_back(std::string(new_key), std::move(value));
        found = true;
        break;
      }
    }
    if (!found) out.emplace_back(std::move(key), std::move(value));  // reported as unknown later
  }
  *pairs = std::move(out);
}

using Upgrade = void (*)(std::vector<Pair>*, Notices*);
constexpr Upgrade kUpgrades[kLinkVersion] = {upgrade_v0_to_v1};

}  // namespace

std::span<const std::pair<std::string_view, std::string_view>> member_keys() { return kMemberKeys; }

void upgrade_pairs(int from, std::vector<Pair>* pairs, Notices* notices) {
  for (int v = from; v < kLinkVersion; ++v) kUpgrades[v](pairs, notices);
}

}  // namespace mantissa::link_detail
