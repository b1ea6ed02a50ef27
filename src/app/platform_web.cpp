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
uint32_t g_drawn = 0;
std::string (*g_layout_json)() = nullptr;
int (*g_input_pending)() = nullptr;
std::string g_layout_buffer;
std::string (*g_items_json)() = nullptr;
std::string g_announced;

}  // namespace
}  // namespace mantissa::app

extern "C" {

EMSCRIPTEN_KEEPALIVE uint32_t mantissa_frame_count() { return mantissa::app::g_frames; }

EMSCRIPTEN_KEEPALIVE uint32_t mantissa_drawn_count() { return mantissa::app::g_drawn; }

EMSCRIPTEN_KEEPALIVE int mantissa_input_pending() {
  return mantissa::app::g_input_pending ? mantissa::app::g_input_pending() : 0;
}

EMSCRIPTEN_KEEPALIVE const char* mantissa_layout_json() {
  using namespace mantissa::app;
  g_layout_buffer = g_layout_json ? g_layout_json() : "{}";
  return g_layout_buffer.c_str();
}

EMSCRIPTEN_KEEPALIVE const char* mantissa_items_json() {
  using namespace mantissa::app;
  g_layout_buffer = g_items_json ? g_items_json() : "{}";
  return g_layout_buffer.c_str();
}

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

// Input seen since the last frame: one flag, set by listeners in the capture
// phase (they only note that something happened; GLFW handles the events).
EM_JS(int, mantissa_js_take_input, (), {
  if (!Module.mantissaInputListening) {
    Module.mantissaInputListening = true;
    Module.mantissaInput = true;
    var note = function() { Module.mantissaInput = true; };
    ["pointerdown", "pointermove", "pointerup", "mousedown", "mousemove", "mouseup", "wheel", "keydown", "keyup",
     "keypress", "touchstart", "touchmove", "touchend", "touchcancel", "resize", "focus", "blur", "hashchange",
     "visibilitychange", "paste"].forEach(function(type) {
      window.addEventListener(type, note, { capture: true, passive: true });
    });
    // Wheel events in notches (platform_wheel_notches): seen here, in the
    // window's capture phase, before GLFW's own listener on the canvas.
    window.addEventListener("wheel", function(e) {
      var perNotch = e.deltaMode === 1 ? 3 : e.deltaMode === 2 ? 0.1 : 100;  // pixels, lines, pages
      Module.mantissaWheelX = -e.deltaX / perNotch;
      Module.mantissaWheelY = -e.deltaY / perNotch;
    }, { capture: true, passive: true });
    if (window.matchMedia) {
      var query = window.matchMedia("(prefers-color-scheme: dark)");
      if (query.addEventListener) query.addEventListener("change", note);
    }
  }
  var seen = Module.mantissaInput;
  Module.mantissaInput = false;
  return seen ? 1 : 0;
});

EM_JS(void, mantissa_js_wheel_notches, (double* x, double* y), {
  HEAPF64[x >> 3] = Module.mantissaWheelX || 0;
  HEAPF64[y >> 3] = Module.mantissaWheelY || 0;
});

EM_JS(void, mantissa_js_announce, (const char* text), {
  var live = document.getElementById("live");
  if (!live) return;
  var s = UTF8ToString(text);
  if (live.textContent !== s) live.textContent = s;
});

EM_JS(void, mantissa_js_install_ui_api, (), {
  window.mantissa.drawn = function() { return _mantissa_drawn_count() >>> 0; };
  window.mantissa.layout = function() { return JSON.parse(UTF8ToString(_mantissa_layout_json())); };
  window.mantissa.inputPending = function() { return _mantissa_input_pending(); };
  window.mantissa.items = function() { return JSON.parse(UTF8ToString(_mantissa_items_json())); };
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

bool platform_take_input() { return mantissa_js_take_input() != 0; }

void platform_announce(const std::string& text) {
  // Only on change: screen readers speak every write to a live region.
  if (text == g_announced) return;
  g_announced = text;
  mantissa_js_announce(text.c_str());
}

void platform_install_ui_api(std::string (*layout_json)(), int (*input_pending)(),
                             std::string (*items_json)()) {
  g_layout_json = layout_json;
  g_items_json = items_json;
  g_input_pending = input_pending;
  mantissa_js_install_ui_api();
}

void platform_frame_drawn() { ++g_drawn; }

void platform_wheel_notches(double* x, double* y) { mantissa_js_wheel_notches(x, y); }

void platform_install_js_api(std::string (*state_json)()) {
  g_state_json = state_json;
  mantissa_js_install_api();
}

void platform_frame_done() { ++g_frames; }

}  // namespace mantissa::app

// ---- Share links and embed mode (app/share.cpp) ------------------------------
// Strings from JS reach C++ in two calls (length, then copy into a buffer
// C++ owns), so nothing here depends on malloc being exported to JS.
// clang-format off
EM_JS(int, mantissa_js_share_stash_hash, (), {
  Module.mantissaShareString = location.hash.slice(1);
  return lengthBytesUTF8(Module.mantissaShareString);
});
EM_JS(int, mantissa_js_share_stash_page_url, (const char* file), {
  var url = new URL(UTF8ToString(file), location.href);
  url.search = "";
  url.hash = "";
  Module.mantissaShareString = url.href;
  return lengthBytesUTF8(Module.mantissaShareString);
});
EM_JS(void, mantissa_js_share_take_string, (char* out, int size), {
  stringToUTF8(Module.mantissaShareString || "", out, size);
  Module.mantissaShareString = "";
});
EM_JS(void, mantissa_js_share_replace_hash, (const char* hash), {
  var url = new URL(location.href);
  url.hash = UTF8ToString(hash);
  history.replaceState(history.state, "", url.href);
});
EM_JS(int, mantissa_js_share_take_hash_change, (), {
  if (!Module.mantissaHashListener) {
    Module.mantissaHashListener = true;
    Module.mantissaHashChanged = false;
    // Also wakes an idle app (Module.mantissaInput: see platform_take_input).
    window.addEventListener("hashchange", function() {
      Module.mantissaHashChanged = true;
      Module.mantissaInput = true;
    });
  }
  var changed = Module.mantissaHashChanged;
  Module.mantissaHashChanged = false;
  return changed ? 1 : 0;
});
EM_JS(void, mantissa_js_share_copy_text, (const char* text), {
  var s = UTF8ToString(text);
  Module.mantissaCopied = s;
  function fallback() {
    var area = document.createElement("textarea");
    area.value = s;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) {}
    document.body.removeChild(area);
    var canvas = document.getElementById("canvas");
    if (canvas) canvas.focus({ preventScroll: true });
  }
  if (navigator.clipboard && navigator.clipboard.writeText) {
    navigator.clipboard.writeText(s).catch(fallback);
  } else {
    fallback();
  }
});
EM_JS(void, mantissa_js_share_wake, (), { Module.mantissaInput = true; });
EM_JS(int, mantissa_js_share_embedded, (), { return Module.mantissaEmbed ? 1 : 0; });
EM_JS(void, mantissa_js_share_set_open_link, (const char* hash), {
  var a = document.getElementById("open-in-mantissa");
  if (a) a.setAttribute("href", "index.html#" + UTF8ToString(hash));
});
EM_JS(void, mantissa_js_share_show_preview, (const char* url, float x, float y, int w, int h, float scale), {
  var frame = Module.mantissaPreview;
  if (!frame) {
    frame = document.createElement("iframe");
    frame.title = "Embed preview";
    frame.id = "embed-preview";
    frame.style.position = "fixed";
    frame.style.border = "0";
    frame.style.zIndex = "2";
    frame.style.background = "transparent";
    document.body.appendChild(frame);
    Module.mantissaPreview = frame;
  }
  var src = UTF8ToString(url);
  if (frame.getAttribute("src") !== src) frame.setAttribute("src", src);
  var ratio = window.devicePixelRatio || 1;
  frame.style.left = (x / ratio) + "px";
  frame.style.top = (y / ratio) + "px";
  frame.style.width = w + "px";
  frame.style.height = h + "px";
  frame.style.transformOrigin = "0 0";
  frame.style.transform = "scale(" + scale + ")";
  frame.style.display = "block";
});
EM_JS(void, mantissa_js_share_hide_preview, (), {
  var frame = Module.mantissaPreview;
  if (frame) {
    frame.style.display = "none";
    frame.removeAttribute("src");
  }
});
EM_JS(void, mantissa_js_share_set_info, (const char* json), {
  Module.mantissaShareInfo = UTF8ToString(json);
  if (window.mantissa) {
    window.mantissa.share = function() {
      var info = JSON.parse(Module.mantissaShareInfo || "{}");
      info.copied = Module.mantissaCopied === undefined ? null : Module.mantissaCopied;
      return info;
    };
  }
});
// clang-format on

namespace mantissa::app {
namespace {

std::string take_js_string(int length) {
  std::string out(static_cast<size_t>(length) + 1, '\0');
  mantissa_js_share_take_string(out.data(), length + 1);
  out.resize(static_cast<size_t>(length));
  return out;
}

}  // namespace

std::string platform_location_hash() { return take_js_string(mantissa_js_share_stash_hash()); }

void platform_replace_hash(const std::string& hash) { mantissa_js_share_replace_hash(hash.c_str()); }

bool platform_take_hash_change() { return mantissa_js_share_take_hash_change() != 0; }

void platform_copy_text(const std::string& text) { mantissa_js_share_copy_text(text.c_str()); }

bool platform_embedded() { return mantissa_js_share_embedded() != 0; }

void platform_share_wake() { mantissa_js_share_wake(); }

std::string platform_page_url(const std::string& file) {
  return take_js_string(mantissa_js_share_stash_page_url(file.c_str()));
}

void platform_set_open_link(const std::string& hash) { mantissa_js_share_set_open_link(hash.c_str()); }

void platform_show_preview(const std::string& url, float x, float y, int width, int height, float scale) {
  mantissa_js_share_show_preview(url.c_str(), x, y, width, height, scale);
}

void platform_hide_preview() { mantissa_js_share_hide_preview(); }

float platform_device_pixel_ratio() {
  const double ratio = emscripten_get_device_pixel_ratio();
  return ratio > 0 ? static_cast<float>(ratio) : 1.0f;
}

void platform_set_share_info(const std::string& json) { mantissa_js_share_set_info(json.c_str()); }

}  // namespace mantissa::app

// ---- Files for the user (app/plot.cpp: CSV and PNG export) --------------------
// clang-format off
EM_JS(void, mantissa_js_install_downloads, (), {
  if (Module.mantissaOffer) return;
  Module.mantissaDownloads = [];
  // A Blob offered through an <a download> clicked once (never markup).
  Module.mantissaOffer = function(blob, file, type) {
    Module.mantissaDownloads.push({ name: file, type: type, size: blob.size });
    var url = URL.createObjectURL(blob);
    var a = document.createElement("a");
    a.href = url;
    a.download = file;
    a.style.display = "none";
    document.body.appendChild(a);
    a.click();
    document.body.removeChild(a);
    setTimeout(function() { URL.revokeObjectURL(url); }, 10000);
  };
  if (window.mantissa) {
    window.mantissa.downloads = function() { return Module.mantissaDownloads.slice(); };
  }
});
EM_JS(void, mantissa_js_download_text, (const char* name, const char* type, const char* text, int length), {
  var t = UTF8ToString(type);
  Module.mantissaOffer(new Blob([HEAPU8.slice(text, text + length)], { type: t }), UTF8ToString(name), t);
});
EM_JS(void, mantissa_js_download_png, (const char* name, int width, int height, const uint8_t* rgba), {
  // Rows arrive bottom-up (glReadPixels): flip them into an ImageData.
  var row = width * 4;
  var pixels = new Uint8ClampedArray(row * height);
  for (var y = 0; y < height; ++y) {
    var from = rgba + (height - 1 - y) * row;
    pixels.set(HEAPU8.subarray(from, from + row), y * row);
  }
  var canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").putImageData(new ImageData(pixels, width, height), 0, 0);
  var file = UTF8ToString(name);
  canvas.toBlob(function(blob) { Module.mantissaOffer(blob, file, "image/png"); }, "image/png");
});
// clang-format on

namespace mantissa::app {

void platform_download_text(const std::string& file_name, const std::string& mime, const std::string& text) {
  mantissa_js_install_downloads();
  mantissa_js_download_text(file_name.c_str(), mime.c_str(), text.data(), static_cast<int>(text.size()));
}

void platform_download_png(const std::string& file_name, int width, int height, const uint8_t* rgba) {
  mantissa_js_install_downloads();
  mantissa_js_download_png(file_name.c_str(), width, height, rgba);
}

}  // namespace mantissa::app

// ---- Tensor files (app/panel_tensors.cpp; the glue is web/tensors.js) ---------
// clang-format off
EM_JS(int, mantissa_js_tensors_stash_event, (), {
  var t = Module.mantissaTensors;
  var e = t ? t.take() : null;
  if (e === null) return -1;
  Module.mantissaShareString = e;
  return lengthBytesUTF8(e);
});
EM_JS(void, mantissa_js_tensors_pick, (), { if (Module.mantissaTensors) Module.mantissaTensors.pick(); });
EM_JS(void, mantissa_js_tensors_cancel, (), { if (Module.mantissaTensors) Module.mantissaTensors.cancel(); });
EM_JS(void, mantissa_js_tensors_set_options, (const char* json, int rescan), {
  if (Module.mantissaTensors) Module.mantissaTensors.setOptions(UTF8ToString(json), rescan !== 0);
});
EM_JS(int, mantissa_js_tensors_available, (), { return Module.mantissaTensors ? 1 : 0; });
// clang-format on

namespace mantissa::app {

bool platform_tensors_take_event(std::string* json) {
  const int length = mantissa_js_tensors_stash_event();
  if (length < 0) return false;
  *json = take_js_string(length);
  return true;
}

void platform_tensors_pick() { mantissa_js_tensors_pick(); }

void platform_tensors_cancel() { mantissa_js_tensors_cancel(); }

void platform_tensors_set_options(const std::string& json, bool rescan) {
  mantissa_js_tensors_set_options(json.c_str(), rescan ? 1 : 0);
}

bool platform_tensors_available() { return mantissa_js_tensors_available() != 0; }

}  // namespace mantissa::app
