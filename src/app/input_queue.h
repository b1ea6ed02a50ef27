// Keyboard events paced to frames. Dear ImGui 1.86 keeps keys as "down or
// not" (io.KeysDown) and reads typed characters once per frame, so a key
// pressed and released between two frames is never seen, and a shortcut and
// the text typed after it (Ctrl+A, then "2048") are applied in the wrong
// order when they land in one frame: characters are inserted before the
// shortcut runs. A fast typist on a slow machine (or a test driver) hits both.
//
// The queue holds GLFW key and character events in arrival order and hands
// each frame only a prefix that ImGui can read without loss: it stops before
// a second event for a key already changed this frame, and before a character
// that follows a key change this frame. The rest waits for the next frame.
// (ImGui 1.87 added the same idea as io.ConfigInputTrickleEventQueue.)
#pragma once

struct GLFWwindow;

namespace mantissa::app {

// Routes the window's key and character callbacks through the queue, and
// its scroll callback through platform_wheel_notches (wheel events go to
// ImGui at once, in notches). Call after ImGui_ImplGlfw_InitForOpenGL(window, true).
void input_queue_install(GLFWwindow* window);

// Delivers this frame's share of the queued events to ImGui's GLFW backend.
// Call once per drawn frame, before ImGui_ImplGlfw_NewFrame().
void input_queue_deliver();

// Events still waiting: the main loop keeps drawing until there are none.
int input_queue_pending();

}  // namespace mantissa::app
