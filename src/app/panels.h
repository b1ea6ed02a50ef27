// The playground's tabs, one file each (panel_*.cpp). Each draws into the
// current ImGui window, below the tab bar, reading and writing its part of
// the scenario; each also reports its state for window.mantissa.state() and
// one sentence for the page's aria-live region.
#pragma once
#include <string>

#include "core/json.h"
#include "scenario/scenario.h"

namespace mantissa::app {

void draw_inspector_panel(Scenario& s);  // one number, bit by bit, in any format
void draw_addition_panel(Scenario& s);   // a + b, traced: alignment, rounding, what was lost
void draw_training_panel(Scenario& s);   // low-precision weight updates over many steps
void draw_landscape_panel(Scenario& s);  // rounding error across a range of inputs
void draw_blocks_panel(Scenario& s);     // block-scaled formats (MX, NVFP4), bit by bit
void draw_tensors_panel(Scenario& s);    // what each format does to the tensors of dropped files
void draw_accumulation_panel(Scenario& s);  // dot products: error vs K, one tensor-core block
void draw_network_panel(Scenario& s);    // a small MLP trained live in several precision recipes

// Writes "inputs" and "results" keys of the panel's state object.
void write_inspector_state(JsonWriter& w, const Scenario& s);
void write_addition_state(JsonWriter& w, const Scenario& s);
void write_training_state(JsonWriter& w, const Scenario& s);
void write_landscape_state(JsonWriter& w, const Scenario& s);
void write_blocks_state(JsonWriter& w, const Scenario& s);
void write_tensors_state(JsonWriter& w, const Scenario& s);
void write_accumulation_state(JsonWriter& w, const Scenario& s);
void write_network_state(JsonWriter& w, const Scenario& s);

std::string inspector_announcement(const Scenario& s);
std::string addition_announcement(const Scenario& s);
std::string training_announcement(const Scenario& s);
std::string landscape_announcement(const Scenario& s);
std::string blocks_announcement(const Scenario& s);
std::string tensors_announcement(const Scenario& s);
std::string accumulation_announcement(const Scenario& s);
std::string network_announcement(const Scenario& s);

// True while the walkthrough plays on its own (the main loop keeps drawing).
bool addition_playing();
// True while a training run advances (a chunk per frame: keep drawing).
bool training_running();
// Every frame, whichever panel shows: takes the page's file events (a drop
// switches to the panel) and hands changed inputs to the page. True when
// something changed.
bool tensors_frame(Scenario& s);
// True while the worker reads files (the main loop keeps drawing: progress).
bool tensors_scanning();
// True while the Accumulation panel's run computes (a chunk per frame).
bool accumulation_running();
bool network_running();  // the Network panel trains (a few steps per frame)

}  // namespace mantissa::app
