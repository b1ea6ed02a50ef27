// The playground's entry point: GLFW (Emscripten's built-in) + OpenGL ES 3 /
// WebGL2 + Dear ImGui, driven by the browser's requestAnimationFrame, so an
// idle page costs one frame per display refresh and nothing more.
#include <GLES3/gl3.h>
#include <GLFW/glfw3.h>
#include <emscripten/emscripten.h>

#include <cstdio>

#include "app/app.h"
#include "app/fonts.h"
#include "app/input_queue.h"
#include "app/layout_probe.h"
#include "app/platform.h"
#include "imgui.h"
#include "imgui_impl_glfw.h"
#include "imgui_impl_opengl3.h"

namespace mantissa::app {
namespace {

GLFWwindow* g_window = nullptr;
App g_app;
float g_pixel_ratio = 0.0f;  // what fonts and style were last built for
bool g_dark = false;
bool g_renderer_ready = false;  // the GL backend made its font texture
int g_frame = 0;
// Frames still to draw after the last input: ImGui settles hover and active
// states over a frame or two, so drawing stops a few frames after input.
int g_settle = 0;
constexpr int kSettleFrames = 8;
int g_width = 0, g_height = 0;  // canvas size drawn last

std::string state_json() { return app_state_json(g_app); }
std::string layout_json() { return anchors_json(g_pixel_ratio > 0 ? g_pixel_ratio : 1.0f); }
std::string items_json() { return layout_probe_json(g_pixel_ratio > 0 ? g_pixel_ratio : 1.0f); }

// Rebuilds what depends on the pixel ratio or color scheme. Outside a frame.
void update_scale_and_theme(float pixel_ratio, bool dark) {
  if (pixel_ratio != g_pixel_ratio) {
    load_fonts(pixel_ratio);
    if (g_renderer_ready) {
      ImGui_ImplOpenGL3_DestroyFontsTexture();
      ImGui_ImplOpenGL3_CreateFontsTexture();
    }
  }
  if (pixel_ratio != g_pixel_ratio || dark != g_dark) apply_theme(dark, pixel_ratio);
  g_pixel_ratio = pixel_ratio;
  g_dark = dark;
}

void frame() {
  const Viewport viewport = platform_update_canvas();
  // The color scheme rarely changes: look every half second or so.
  const bool dark = (g_frame % 30 == 0) ? platform_prefers_dark() : g_dark;
  const bool resized = viewport.width != g_width || viewport.height != g_height ||
                       viewport.pixel_ratio != g_pixel_ratio || dark != g_dark;
  update_scale_and_theme(viewport.pixel_ratio, dark);
  g_app.dark = dark;
  g_width = viewport.width;
  g_height = viewport.height;

  // Idle: with no input, nothing animating and nothing resized, the last
  // frame stays on screen and no ImGui work is done (the canvas keeps it).
  const bool input = platform_take_input();
  if (input || resized || app_animating(g_app) || input_queue_pending() > 0 ||
      (g_renderer_ready && ImGui::GetIO().WantTextInput)) {
    g_settle = kSettleFrames;
  }
  if (g_settle == 0) {
    ++g_frame;
    platform_frame_done();
    return;
  }
  --g_settle;

  ImGui_ImplOpenGL3_NewFrame();
  g_renderer_ready = true;
  input_queue_deliver();
  ImGui_ImplGlfw_NewFrame();
  ImGuiIO& io = ImGui::GetIO();
  // The backend sizes from GLFW's idea of the window; the canvas is the truth.
  io.DisplaySize = ImVec2(static_cast<float>(viewport.width), static_cast<float>(viewport.height));
  io.DisplayFramebufferScale = ImVec2(1.0f, 1.0f);
  // ImGui 1.86's GLFW backend can report a zero frame time, which asserts.
  if (!(io.DeltaTime > 0.0f)) io.DeltaTime = 1.0f / 1000.0f;

  ImGui::NewFrame();
  anchors_clear();
  layout_probe_new_frame();
  draw_app(g_app);
  ImGui::Render();

  glViewport(0, 0, viewport.width, viewport.height);
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());

  platform_announce(app_announcement(g_app));
  ++g_frame;
  platform_frame_done();
  platform_frame_drawn();
}

}  // namespace
}  // namespace mantissa::app

int main() {
  using namespace mantissa::app;
  if (!glfwInit()) {
    std::fprintf(stderr, "mantissa: glfwInit failed\n");
    return 1;
  }
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_ES_API);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  const Viewport initial = platform_update_canvas();
  g_window = glfwCreateWindow(initial.width, initial.height, "Mantissa", nullptr, nullptr);
  if (!g_window) {
    std::fprintf(stderr, "mantissa: could not create a WebGL2 context\n");
    return 1;
  }
  glfwMakeContextCurrent(g_window);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no imgui.ini in the browser
  layout_probe_install();
  ImGui_ImplGlfw_InitForOpenGL(g_window, true);
  input_queue_install(g_window);
  ImGui_ImplOpenGL3_Init("#version 300 es");

  platform_install_js_api(state_json);
  platform_install_ui_api(layout_json, input_queue_pending, items_json);
  // fps 0: requestAnimationFrame. Never returns (simulate_infinite_loop).
  emscripten_set_main_loop(frame, 0, true);
  return 0;
}
