// The Addition tab. Placeholder until the traced arithmetic (core/trace.h) lands.
#include "app/panels.h"
#include "imgui.h"

namespace mantissa::app {

void draw_addition_panel(Scenario&) { ImGui::TextDisabled("Addition: the traced walkthrough comes next."); }

void write_addition_state(JsonWriter& w, const Scenario& sc) {
  const AdditionScenario& s = sc.addition;
  w.key("inputs").begin_object();
  w.field("op", s.op);
  w.field("a", s.a);
  w.field("b", s.b);
  w.end_object();
  w.key("results").begin_object().end_object();
}

std::string addition_announcement(const Scenario& sc) { return "Addition: " + sc.addition.a + " + " + sc.addition.b; }

bool addition_playing() { return false; }

}  // namespace mantissa::app
