// The browser edge: canvas sizing, devicePixelRatio, color scheme, and the
// small window.mantissa API that scripts and browser tests use.
#include <emscripten/emscripten.h>
#include <emscripten/html5.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "app/platform.h"

namespace mantissa::app {
namespace {

constexpr const char* kCanvas = "#canvas";

uint32_t g_frames = 0;
std::string (*g_state_json)() = nullptr;
std::string g_state_buffer;  // keeps the last state alive while JS reads it

}  // namespace
}  // namespace mantissa::app

extern "C" {

EMSCRIPTEN_KEEPALIVE uint32_t mantissa_frame_count() { return mantissa::app::g_frames; }

EMSCRIPTEN_KEEPALIVE const char* mantissa_state_json() {
  using namespace mantissa::app;
  g_state_buffer = g_state_json ? g_state_json() : "{}";
  return g_state_buffer.c_str();
}

}  // extern "C"

// clang-format off
EM_JS(void, mantissa_js_install_api, (), {
  window.mantissa = {
    frame: function() { return _mantissa_frame_count() >>> 0; },
    state: function() { return JSON.parse(UTF8ToString(_mantissa_state_json())); },
  };
});

EM_JS(int, mantissa_js_prefers_dark, (), {
  if (!window.matchMedia) return 0;
  if (!Module.mantissaDarkQuery) Module.mantissaDarkQuery = window.matchMedia("(prefers-color-scheme: dark)");
  return Module.mantissaDarkQuery.matches ? 1 : 0;
});
// clang-format on

namespace mantissa::app {

Viewport platform_update_canvas() {
  double css_width = 0, css_height = 0;
  emscripten_get_element_css_size(kCanvas, &css_width, &css_height);
  Viewport v;
  v.pixel_ratio = static_cast<float>(emscripten_get_device_pixel_ratio());
  if (!(v.pixel_ratio > 0)) v.pixel_ratio = 1.0f;
  v.width = std::max(1, static_cast<int>(std::lround(css_width * v.pixel_ratio)));
  v.height = std::max(1, static_cast<int>(std::lround(css_height * v.pixel_ratio)));

  // Resizing the backing store clears it and reallocates: only on change.
  // (Never glfwSetWindowSize to the screen size: it requests fullscreen.)
  int current_width = 0, current_height = 0;
  emscripten_get_canvas_element_size(kCanvas, &current_width, &current_height);
  if (current_width != v.width || current_height != v.height) {
    emscripten_set_canvas_element_size(kCanvas, v.width, v.height);
  }
  return v;
}

bool platform_prefers_dark() { return mantissa_js_prefers_dark() != 0; }

void platform_install_js_api(std::string (*state_json)()) {
  g_state_json = state_json;
  mantissa_js_install_api();
}

void platform_frame_done() { ++g_frames; }

}  // namespace mantissa::app
