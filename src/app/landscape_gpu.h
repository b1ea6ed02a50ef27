// The Error landscape's GPU passes (shaders/landscape_*.glsl): pass 1
// computes each pixel column's exact relative error per format into an
// RGBA32UI target, pass 2 paints the picture from it (see panel_landscape.cpp).
#pragma once
#include <GLES3/gl3.h>

#include <cstdint>
#include <string>
#include <vector>

#include "app/landscape_axis.h"

namespace mantissa::app::landscape {

struct Gpu {
  bool tried = false;
  std::string error;
  GLuint vao = 0, error_program = 0, draw_program = 0;
  GLuint error_texture = 0, error_fbo = 0, image_texture = 0, image_fbo = 0;
  int columns = 0, formats = 0, height = 0;  // allocated sizes
  std::string rendered;                      // the parameters of the current image
  bool usable() const { return error.empty() && error_program && draw_program; }
};
extern Gpu g_gpu;

struct YAxis {
  bool log = true;
  double y0 = -8, y1 = 0.3;  // log10 |error|, or signed error
};

YAxis make_y_axis(const std::vector<FormatRow>& rows, bool log);

void gpu_init();
// (Re)allocates the two render targets when the plot's size changes.
void gpu_allocate(int columns, int formats, int height);
// Runs both passes into the render targets. Leaves GL as ImGui expects it.
void gpu_render(const XAxis& ax, const YAxis& ay, const std::vector<FormatRow>& rows, int height, bool dark);
// Pass 1's texels (columns x formats x 4), read back for the test hook.
std::vector<uint32_t> gpu_read_errors();

}  // namespace mantissa::app::landscape
