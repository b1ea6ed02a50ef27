#include "app/input_queue.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <vector>

#include "app/platform.h"
#include "imgui_impl_glfw.h"

namespace mantissa::app {
namespace {

struct KeyEvent {
  bool is_char = false;
  int key = 0;  // key events
  int scancode = 0;
  int action = 0;
  int mods = 0;
  unsigned int codepoint = 0;  // character events
};

GLFWwindow* g_window = nullptr;
std::deque<KeyEvent> g_queue;
// A page left in the background can still receive events; past this many the
// oldest are dropped rather than growing without bound.
constexpr std::size_t kMaxQueued = 4096;

void push(const KeyEvent& event) {
  if (g_queue.size() >= kMaxQueued) g_queue.pop_front();
  g_queue.push_back(event);
}

void on_key(GLFWwindow*, int key, int scancode, int action, int mods) {
  push(KeyEvent{false, key, scancode, action, mods, 0});
}

void on_char(GLFWwindow*, unsigned int codepoint) { push(KeyEvent{true, 0, 0, 0, 0, codepoint}); }

// GLFW's deltas here are the browser's raw ones (about 100 a notch, down
// positive): ImGui gets the event in notches, up positive, instead.
void on_scroll(GLFWwindow* window, double, double) {
  double x = 0, y = 0;
  platform_wheel_notches(&x, &y);
  ImGui_ImplGlfw_ScrollCallback(window, x, y);
}

}  // namespace

void input_queue_install(GLFWwindow* window) {
  g_window = window;
  // Replaces the backend's own callbacks; input_queue_deliver() calls them.
  glfwSetKeyCallback(window, on_key);
  glfwSetCharCallback(window, on_char);
  glfwSetScrollCallback(window, on_scroll);
}

void input_queue_deliver() {
  std::vector<int> changed;  // keys whose state changed this frame
  while (!g_queue.empty()) {
    const KeyEvent& e = g_queue.front();
    if (e.is_char) {
      // Characters are inserted before shortcuts run: never after a key change.
      if (!changed.empty()) break;
      ImGui_ImplGlfw_CharCallback(g_window, e.codepoint);
    } else {
      if (e.action != GLFW_REPEAT) {
        // Pressed and released in one frame: the release waits for the next.
        if (std::find(changed.begin(), changed.end(), e.key) != changed.end()) break;
        changed.push_back(e.key);
      }
      ImGui_ImplGlfw_KeyCallback(g_window, e.key, e.scancode, e.action, e.mods);
    }
    g_queue.pop_front();
  }
}

int input_queue_pending() { return static_cast<int>(g_queue.size()); }

}  // namespace mantissa::app
