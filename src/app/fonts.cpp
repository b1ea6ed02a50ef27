#include "app/fonts.h"

#include "embed/font_inter.h"
#include "embed/font_mono.h"
#include "font_ranges.h"
#include "imgui.h"

namespace mantissa::app {
namespace {

ImFont* g_ui = nullptr;
ImFont* g_mono = nullptr;

ImFont* add_embedded(const unsigned char* data, std::size_t size, float pixels) {
  ImFontConfig config;
  config.FontDataOwnedByAtlas = false;  // static data: the atlas must not free it
  config.OversampleH = 2;
  config.OversampleV = 1;
  // ImGui takes a non-const pointer but never writes when it does not own the data.
  return ImGui::GetIO().Fonts->AddFontFromMemoryTTF(const_cast<unsigned char*>(data), static_cast<int>(size),
                                                    pixels, &config, mantissa_font_ranges);
}

}  // namespace

void load_fonts(float pixel_ratio) {
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  atlas->Clear();
  g_ui = add_embedded(font_inter, font_inter_size, kUiFontSize * pixel_ratio);
  g_mono = add_embedded(font_mono, font_mono_size, kMonoFontSize * pixel_ratio);
  atlas->Build();
}

ImFont* ui_font() { return g_ui; }
ImFont* mono_font() { return g_mono; }

}  // namespace mantissa::app
