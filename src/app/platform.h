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

// ---- The playground UI (main.cpp, app.cpp) ------------------------------------
// True when the page saw user input (pointer, touch, wheel, keys), a resize,
// a focus or color-scheme change or a hashchange since the last call: the
// main loop draws only then (and a few frames after).
bool platform_take_input();
// Mirrors `text` into the page's off-screen aria-live region (#live), as
// textContent, only when it differs from what is there.
void platform_announce(const std::string& text);
// Adds to window.mantissa:
//   window.mantissa.drawn()   frames actually drawn (frame() counts every tick)
//   window.mantissa.layout()  {name: [x, y, width, height]} of the named
//                             items of the last drawn frame, in CSS pixels
//   window.mantissa.inputPending()  key and character events not yet given
//                             to ImGui (input_queue.h paces them to frames)
//   window.mantissa.items()   every item and text run of the last drawn
//                             frame (layout_probe.h), for the phone-width tests
void platform_install_ui_api(std::string (*layout_json)(), int (*input_pending)(),
                             std::string (*items_json)());
// Counts a frame that was drawn (not skipped as idle).
void platform_frame_drawn();
// The last wheel event in notches, the way ImGui counts them (+y = up,
// +x = left). Emscripten 3.1.6's GLFW hands the scroll callback the
// browser's raw deltaX/deltaY: pixels (about 100 a notch), lines or pages,
// with down positive. This reads the event's deltaMode and flips the sign.
void platform_wheel_notches(double* x, double* y);

// Installs window.mantissa for scripts and tests:
//   window.mantissa.frame()  number of frames drawn so far
//   window.mantissa.state()  the app's state as an object (from `state_json`)
void platform_install_js_api(std::string (*state_json)());

// Counts a finished frame (what window.mantissa.frame() returns).
void platform_frame_done();

// ---- Share links and embed mode (used by app/share.cpp only) -----------------
// The page decides whether it is the embed: embed.js (or page.js for
// index.html?embed) sets Module.mantissaEmbed = true before app.js loads.

// location.hash without its '#', as the browser keeps it (percent-encoded).
std::string platform_location_hash();
// Replaces the hash with history.replaceState: no history entry, no hashchange.
void platform_replace_hash(const std::string& hash);
// True once after each hashchange event (the user pasted a link, or went back).
bool platform_take_hash_change();
// Puts text on the clipboard (asynchronous; needs the click's user activation).
void platform_copy_text(const std::string& text);
// True on the embed page.
bool platform_embedded();
// Keeps an idle app drawing next tick (a debounced hash write is pending).
void platform_share_wake();
// Absolute URL of a page next to this one ("embed.html"; "" for this page),
// without query or hash.
std::string platform_page_url(const std::string& file);
// Embed: points the page's "Open in Mantissa" link (#open-in-mantissa) at
// index.html#hash. An attribute, never markup.
void platform_set_open_link(const std::string& hash);
// The Embed dialog's live preview: an <iframe> of the embed's real size in CSS
// pixels (width x height), shown scaled by `scale` over the canvas at (x, y)
// in canvas (device) pixels; src is set only when it changes.
void platform_show_preview(const std::string& url, float x, float y, int width, int height, float scale);
void platform_hide_preview();
// window.devicePixelRatio (canvas pixels per CSS pixel).
float platform_device_pixel_ratio();
// What window.mantissa.share() reports to scripts and tests: a JSON object.
void platform_set_share_info(const std::string& json);

}  // namespace mantissa::app

// ---- Files for the user (app/plot.cpp: a plot's CSV and PNG export) --------
namespace mantissa::app {

// Offers `text` as a download named `file_name` (a Blob and an <a download>;
// nothing is inserted as markup). window.mantissa.downloads() lists what was
// offered: [{name, type, size}], for tests.
void platform_download_text(const std::string& file_name, const std::string& mime, const std::string& text);
// Encodes width x height RGBA pixels (rows bottom-up, as glReadPixels gives
// them) as a PNG with the browser's encoder and offers it as a download.
void platform_download_png(const std::string& file_name, int width, int height, const uint8_t* rgba);

}  // namespace mantissa::app

// ---- Tensor files (app/panel_tensors.cpp) ----------------------------------------
// The page's glue (web/tensors.js: a file picker, drop onto the page, a web
// worker running m.inspect) reports what happens as JSON events; the files
// stay in the page and never reach the app or any server.
namespace mantissa::app {

// The next event ({"type": "start" | "progress" | "result" | "error" |
// "cancelled", "id": N, ...}), oldest first; false when none is waiting
// (or the page has no glue, e.g. the embed).
bool platform_tensors_take_event(std::string* json);
// Opens the file picker (needs the click's user activation, still valid a frame later).
void platform_tensors_pick();
// Cancels the running scan.
void platform_tensors_cancel();
// The m.inspect options later drops use; with rescan, the last files are read again with them.
void platform_tensors_set_options(const std::string& json, bool rescan);
// True when the page has the glue (index.html; not the embed).
bool platform_tensors_available();

}  // namespace mantissa::app
