// Glue between index.html and the Emscripten output (app.js): the Module
// object app.js picks up, and a status line while loading or on failure.
// Loaded as a classic script before app.js; no inline scripts in the page.
"use strict";

var Module = (function () {
  var canvas = document.getElementById("canvas");
  var status = document.getElementById("status");

  // A lost WebGL context cannot be recovered by the app: say so and reload.
  canvas.addEventListener("webglcontextlost", function (event) {
    event.preventDefault();
    status.textContent = "The graphics context was lost: reload the page.";
  });

  // Touch → mouse. Emscripten 3.1.6's GLFW listens to touch events but
  // takes no position from them (it reads the mouse's), so a tap would
  // click wherever the mouse last was. Translate the first finger into
  // mouse events at its position instead, before GLFW's own listeners (ours
  // are registered first, on the same target) see the touch.
  //
  // The events are paced, one step per animation frame: a finger lands
  // without hovering first, and Dear ImGui only presses an item (a tab, for
  // one) that was under the pointer in the frame before. So a tap becomes
  // "move" in one frame, "down" in the next, "up" after that.
  var touchId = null;
  var queue = [];
  var pumping = false;
  function sendMouse(step) {
    canvas.dispatchEvent(new MouseEvent(step.type, {
      bubbles: true, cancelable: true, view: window, button: 0, buttons: step.type === "mouseup" ? 0 : 1,
      clientX: step.x, clientY: step.y, screenX: step.x, screenY: step.y,
    }));
  }
  function pump() {
    // A run of moves, or one button change, per frame.
    if (queue.length && queue[0].type === "mousemove") {
      while (queue.length && queue[0].type === "mousemove") sendMouse(queue.shift());
    } else if (queue.length) {
      sendMouse(queue.shift());
    }
    if (queue.length) {
      requestAnimationFrame(pump);
    } else {
      pumping = false;
    }
  }
  function push(type, touch) {
    queue.push({ type: type, x: touch.clientX, y: touch.clientY });
    if (!pumping) {
      pumping = true;
      requestAnimationFrame(pump);
    }
  }
  function findTouch(list) {
    for (var i = 0; i < list.length; i++) if (list[i].identifier === touchId) return list[i];
    return null;
  }
  function onTouch(event) {
    event.preventDefault();  // no emulated mouse events, no scrolling or zoom
    event.stopImmediatePropagation();
    var touch;
    if (event.type === "touchstart") {
      if (touchId !== null) return;  // a second finger: ignored
      touch = event.changedTouches[0];
      touchId = touch.identifier;
      push("mousemove", touch);
      push("mousedown", touch);
    } else if (event.type === "touchmove") {
      touch = findTouch(event.changedTouches);
      if (touch) push("mousemove", touch);
    } else {
      touch = findTouch(event.changedTouches);
      if (!touch) return;
      touchId = null;
      push("mousemove", touch);
      push("mouseup", touch);
    }
  }
  ["touchstart", "touchmove", "touchend", "touchcancel"].forEach(function (type) {
    canvas.addEventListener(type, onTouch, { capture: true, passive: false });
  });

  return {
    canvas: canvas,
    print: function (text) { console.log(text); },
    printErr: function (text) { console.warn(text); },
    setStatus: function (text) { status.textContent = text || ""; },
    onRuntimeInitialized: function () { status.textContent = ""; canvas.focus(); },
    onAbort: function (what) { status.textContent = "Mantissa stopped: " + what; },
  };
})();
