// The two faces of the UI: Inter for text, JetBrains Mono for bits and
// numbers. Both are subset and embedded at build time (cmake/Fonts.cmake).
#pragma once

struct ImFont;

namespace mantissa::app {

// Sizes in CSS pixels; the atlas is baked at size * pixel_ratio.
constexpr float kUiFontSize = 16.0f;
constexpr float kMonoFontSize = 15.0f;

// Rebuilds the font atlas for a device pixel ratio. Call outside a frame;
// the renderer's font texture must be recreated afterwards.
void load_fonts(float pixel_ratio);

ImFont* ui_font();
ImFont* mono_font();

}  // namespace mantissa::app
