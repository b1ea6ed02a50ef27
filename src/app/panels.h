// The playground's tabs, one file each (panel_*.cpp). Each draws into the
// current ImGui window, below the tab bar.
#pragma once

namespace mantissa::app {

void draw_inspector_panel();  // one number, bit by bit, in any format
void draw_addition_panel();   // a + b, traced: alignment, rounding, what was lost
void draw_training_panel();   // low-precision weight updates over many steps
void draw_landscape_panel();  // rounding error across a range of inputs

}  // namespace mantissa::app
