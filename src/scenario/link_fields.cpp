// The share link's field table (see link_fields.h and link.h's key list).
#include "scenario/link_fields.h"

#include <algorithm>
#include <type_traits>

#include "scenario/accumulation_checks.h"
#include "scenario/link_text.h"
#include "scenario/link_values.h"
#include "sim/setup.h"
#include "train/network.h"

namespace mantissa::link_detail {
namespace {

template <auto Part, auto Member, Check check>
Field text_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::Text, [](const Scenario& s) { return (s.*Part).*Member; },
          [](Scenario& s, std::string_view t, std::string* why) {
            std::string canonical;
            if (!check(t, &canonical, why)) return false;
            (s.*Part).*Member = std::move(canonical);
            return true;
          }};
}

// A comma-separated list; bad items are dropped one by one, so the setter
// reports them through `why` but still succeeds when at least one is good.
template <auto Part, auto Member, Check check, size_t kMaxItems>
Field list_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::List,
          [](const Scenario& s) {
            std::string out;
            for (const std::string& item : (s.*Part).*Member) {
              if (!out.empty()) out += ',';
              out += item;
            }
            return out;
          },
          [](Scenario& s, std::string_view t, std::string* why) {
            std::vector<std::string> items;
            std::string bad;
            size_t start = 0;
            while (start <= t.size()) {
              size_t comma = t.find(',', start);
              if (comma == std::string_view::npos) comma = t.size();
              const std::string_view item = t.substr(start, comma - start);
              std::string canonical, item_why;
              if (!item.empty()) {
                if (items.size() >= kMaxItems) {
                  if (bad.empty()) bad = "more than " + std::to_string(kMaxItems) + " items";
                } else if (check(item, &canonical, &item_why)) {
                  if (std::find(items.begin(), items.end(), canonical) == items.end())
                    items.push_back(canonical);
                } else if (bad.empty()) {
                  bad = item_why + " '" + shown(item, 24) + "'";
                }
              }
              start = comma + 1;
            }
            *why = bad;
            if (items.empty() && !t.empty()) return false;
            (s.*Part).*Member = std::move(items);
            return true;
          }};
}

template <auto Part, auto Member>
Field bool_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::Bool, [](const Scenario& s) { return bool_text((s.*Part).*Member); },
          [](Scenario& s, std::string_view t, std::string* why) {
            bool b = false;
            if (!parse_bool(t, &b)) {
              *why = "not 1 or 0";
              return false;
            }
            (s.*Part).*Member = b;
            return true;
          }};
}

// Integers with an inclusive range.
template <auto Part, auto Member, int64_t kMin, uint64_t kMax>
Field int_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::Int, [](const Scenario& s) { return std::to_string((s.*Part).*Member); },
          [](Scenario& s, std::string_view t, std::string* why) {
            using Int = std::remove_reference_t<decltype((s.*Part).*Member)>;
            bool in_range = false;
            Int result{};
            if constexpr (std::is_signed_v<Int>) {
              int64_t v = 0;
              if (!parse_int(t, &v)) {
                *why = "not a whole number";
                return false;
              }
              in_range = v >= kMin && (v < 0 || static_cast<uint64_t>(v) <= kMax);
              result = static_cast<Int>(v);
            } else {
              uint64_t v = 0;
              if (!parse_int(t, &v)) {
                *why = "not a whole number";
                return false;
              }
              in_range = v >= static_cast<uint64_t>(std::max<int64_t>(kMin, 0)) && v <= kMax;
              result = static_cast<Int>(v);
            }
            if (!in_range) {
              *why = "out of range";
              return false;
            }
            (s.*Part).*Member = result;
            return true;
          }};
}

template <auto Part, auto Member>
Field double_field(const char* key, ScenarioPanel panel) {
  return {key, panel, FieldKind::Double, [](const Scenario& s) { return double_text((s.*Part).*Member); },
          [](Scenario& s, std::string_view t, std::string* why) {
            double v = 0;
            if (!parse_double(t, &v)) {
              *why = "not a finite number";
              return false;
            }
            (s.*Part).*Member = v;
            return true;
          }};
}

using S = Scenario;
using I = InspectorScenario;
using A = AdditionScenario;
using T = TrainingScenario;
using L = LandscapeScenario;
using B = BlocksScenario;
using TS = TensorsScenario;
using D = AccumulationScenario;
using N = NetworkScenario;
constexpr auto kIns = ScenarioPanel::Inspector;
constexpr auto kAdd = ScenarioPanel::Addition;
constexpr auto kTrain = ScenarioPanel::Training;
constexpr auto kLand = ScenarioPanel::Landscape;
constexpr auto kBlocks = ScenarioPanel::Blocks;
constexpr auto kTens = ScenarioPanel::Tensors;
constexpr auto kDot = ScenarioPanel::Accumulation;
constexpr auto kNet = ScenarioPanel::Network;
constexpr uint64_t kU64Max = ~uint64_t{0};
constexpr uint64_t kI64Max = uint64_t{1} << 62;

}  // namespace

const std::vector<Field>& fields() {
  static const std::vector<Field> table = {
      text_field<&S::inspector, &I::value, check_value>("x", kIns),
      text_field<&S::inspector, &I::from, check_any_format>("xf", kIns),
      text_field<&S::inspector, &I::mode, check_mode>("xr", kIns),
      int_field<&S::inspector, &I::seed, 0, kU64Max>("xs", kIns),
      bool_field<&S::inspector, &I::saturate>("xsat", kIns),
      bool_field<&S::inspector, &I::ftz>("xftz", kIns),
      text_field<&S::inspector, &I::custom, check_optional_any_format>("xc", kIns),
      text_field<&S::inspector, &I::focus, check_any_format>("xfocus", kIns),

      text_field<&S::addition, &A::op, check_op>("op", kAdd),
      text_field<&S::addition, &A::a, check_value>("a", kAdd),
      text_field<&S::addition, &A::a_format, check_format>("af", kAdd),
      text_field<&S::addition, &A::b, check_value>("b", kAdd),
      text_field<&S::addition, &A::b_format, check_format>("bf", kAdd),
      text_field<&S::addition, &A::c, check_value>("c", kAdd),
      text_field<&S::addition, &A::c_format, check_format>("cf", kAdd),
      text_field<&S::addition, &A::format, check_format>("in", kAdd),
      text_field<&S::addition, &A::mode, check_mode>("r", kAdd),
      int_field<&S::addition, &A::seed, 0, kU64Max>("s", kAdd),
      bool_field<&S::addition, &A::saturate>("sat", kAdd),
      bool_field<&S::addition, &A::ftz>("ftz", kAdd),
      bool_field<&S::addition, &A::compare_fp32>("cmp", kAdd),
      int_field<&S::addition, &A::step, -1, 1000>("step", kAdd),

      text_field<&S::training, &T::w0, check_value>("w0", kTrain),
      text_field<&S::training, &T::inc, check_value>("inc", kTrain),
      text_field<&S::training, &T::lr, check_optional_value>("lr", kTrain),
      text_field<&S::training, &T::grad, check_gradient>("g", kTrain),
      int_field<&S::training, &T::seed, 0, kU64Max>("ts", kTrain),
      text_field<&S::training, &T::grad_format, check_format>("gf", kTrain),
      int_field<&S::training, &T::steps, 1, sim::kMaxSteps>("n", kTrain),
      list_field<&S::training, &T::strategies, check_strategy, sim::kMaxStrategies>("st", kTrain),
      text_field<&S::training, &T::loss_scale, check_loss_scale>("ls", kTrain),
      int_field<&S::training, &T::population, 1, sim::kMaxPopulation>("pop", kTrain),
      text_field<&S::training, &T::init, check_init>("init", kTrain),
      text_field<&S::training, &T::reference, check_reference>("ref", kTrain),
      double_field<&S::training, &T::view_x0>("vx0", kTrain),
      double_field<&S::training, &T::view_x1>("vx1", kTrain),
      double_field<&S::training, &T::view_y0>("vy0", kTrain),
      double_field<&S::training, &T::view_y1>("vy1", kTrain),
      bool_field<&S::training, &T::log_error>("logerr", kTrain),
      int_field<&S::training, &T::selected_step, -1, kI64Max>("sel", kTrain),

      list_field<&S::landscape, &L::formats, check_any_format, 16>("lf", kLand),
      double_field<&S::landscape, &L::x_min>("lx0", kLand),
      double_field<&S::landscape, &L::x_max>("lx1", kLand),
      bool_field<&S::landscape, &L::log_x>("llog", kLand),
      bool_field<&S::landscape, &L::log_error>("llogy", kLand),
      text_field<&S::landscape, &L::block_format, check_optional_block_format>("lb", kLand),
      int_field<&S::landscape, &L::block_scale_exp, -127, 127>("lbe", kLand),

      text_field<&S::blocks, &B::format, check_block_format>("bk", kBlocks),
      text_field<&S::blocks, &B::rule, check_scale_rule>("bkr", kBlocks),
      text_field<&S::blocks, &B::mode, check_mode>("bkm", kBlocks),
      int_field<&S::blocks, &B::seed, 0, kU64Max>("bks", kBlocks),
      text_field<&S::blocks, &B::values, check_block_values>("bkv", kBlocks),
      text_field<&S::blocks, &B::gen, check_block_gen>("bkg", kBlocks),
      int_field<&S::blocks, &B::count, 1, kMaxBlockValues>("bkn", kBlocks),
      int_field<&S::blocks, &B::gen_seed, 0, kU64Max>("bkgs", kBlocks),
      text_field<&S::blocks, &B::outlier, check_optional_value>("bko", kBlocks),

      list_field<&S::tensors, &TS::formats, check_format, 16>("tf", kTens),
      text_field<&S::tensors, &TS::lr, check_optional_value>("tlr", kTens),
      text_field<&S::tensors, &TS::grad_std, check_optional_value>("tgs", kTens),
      text_field<&S::tensors, &TS::scale, check_tensor_scale>("tsc", kTens),

      text_field<&S::accumulation, &D::in, check_dot_input_format_text>("di", kDot),
      text_field<&S::accumulation, &D::dist, check_operand_distribution>("dd", kDot),
      text_field<&S::accumulation, &D::ks, check_k_list>("dk", kDot),
      text_field<&S::accumulation, &D::acc, check_accumulator_list>("dacc", kDot),
      int_field<&S::accumulation, &D::trials, 1, kMaxAccumulationTrials>("dn", kDot),
      int_field<&S::accumulation, &D::seed, 0, kU64Max>("ds", kDot),
      text_field<&S::accumulation, &D::block_acc, check_tensor_core_name>("dwacc", kDot),
      text_field<&S::accumulation, &D::block_a, check_dot_block_values>("dwa", kDot),
      text_field<&S::accumulation, &D::block_b, check_dot_block_values>("dwb", kDot),
      text_field<&S::accumulation, &D::block_c, check_optional_value>("dwc", kDot),
      int_field<&S::accumulation, &D::example, 0, 0xffffffffu>("dwx", kDot),

      text_field<&S::network, &N::data, check_data>("nd", kNet),
      int_field<&S::network, &N::data_seed, 0, kU64Max>("nds", kNet),
      text_field<&S::network, &N::model, check_model>("nm", kNet),
      text_field<&S::network, &N::optimizer, check_optimizer>("nopt", kNet),
      text_field<&S::network, &N::recipes, check_recipes>("nr", kNet),
      int_field<&S::network, &N::epochs, 1, train::kMaxEpochs>("ne", kNet),
      int_field<&S::network, &N::batch, 1, 1u << 20>("nb", kNet),
      int_field<&S::network, &N::seed, 0, kU64Max>("ns", kNet),
      int_field<&S::network, &N::subset, 0, 1u << 20>("nsub", kNet),
      text_field<&S::network, &N::loss_weight, check_loss_weight>("nlw", kNet),
  };
  return table;
}

const Field* find_field(std::string_view key) {
  for (const Field& f : fields()) {
    if (key == f.key) return &f;
  }
  return nullptr;
}

bool parse_panel(std::string_view t, ScenarioPanel* out) {
  for (ScenarioPanel p : {ScenarioPanel::Inspector, ScenarioPanel::Addition, ScenarioPanel::Training,
                          ScenarioPanel::Landscape, ScenarioPanel::Blocks, ScenarioPanel::Tensors,
                          ScenarioPanel::Accumulation, ScenarioPanel::Network}) {
    if (t == scenario_panel_key(p)) {
      *out = p;
      return true;
    }
  }
  return false;
}

}  // namespace mantissa::link_detail
