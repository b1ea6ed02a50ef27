// The app's edge to the browser: everything that talks to the page lives in
// platform_web.cpp, so the rest of src/app is plain ImGui code.
#pragma once
#include <cstdint>
#include <string>

namespace mantissa::app {

// The canvas' backing store, in device pixels. ImGui works in device pixels
// (fonts and style are scaled by `pixel_ratio`) because that is the unit the
// browser's GLFW reports the mouse in.
struct Viewport {
  int width = 0;
  int height = 0;
  float pixel_ratio = 1.0f;  // window.devicePixelRatio
};

// Makes the canvas' backing store match its CSS size times devicePixelRatio
// (only touching it when that changed) and returns the result.
Viewport platform_update_canvas();

// True when the page prefers a dark color scheme (prefers-color-scheme).
bool platform_prefers_dark();

// Installs window.mantissa for scripts and tests:
//   window.mantissa.frame()  number of frames drawn so far
//   window.mantissa.state()  the app's state as an object (from `state_json`)
void platform_install_js_api(std::string (*state_json)());

// Counts a finished frame (what window.mantissa.frame() returns).
void platform_frame_done();

}  // namespace mantissa::app
