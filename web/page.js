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

  return {
    canvas: canvas,
    print: function (text) { console.log(text); },
    printErr: function (text) { console.warn(text); },
    setStatus: function (text) { status.textContent = text || ""; },
    onRuntimeInitialized: function () { status.textContent = ""; canvas.focus(); },
    onAbort: function (what) { status.textContent = "Mantissa stopped: " + what; },
  };
})();
