// The embed page's glue (after page.js, which defines Module). What makes an
// embed behave inside someone else's article:
//  - the app (app.js + app.wasm) loads on first view (IntersectionObserver)
//    or on a click on the placeholder, not with the page;
//  - it never takes focus by itself (no canvas.focus() on load), so the
//    article keeps the keyboard;
//  - the mouse wheel scrolls the article, unless the reader is interacting
//    with the embed (pressed a button inside it and has not left it since);
//  - it never rewrites its own URL (the app knows it is embedded from
//    Module.mantissaEmbed and keeps #open-in-mantissa current instead).
"use strict";

(function () {
  var canvas = document.getElementById("canvas");
  var placeholder = document.getElementById("embed-load");
  var openLink = document.getElementById("open-in-mantissa");

  Module.mantissaEmbed = true;
  Module.onRuntimeInitialized = function () {
    document.getElementById("status").textContent = "";
    document.body.classList.add("loaded");
    // No focus(): the article keeps it.
  };

  // Before the app runs, "Open in Mantissa" carries this page's own hash.
  // setAttribute on a relative URL: the hash can only ever be a fragment.
  openLink.setAttribute("href", "index.html" + location.hash);

  var started = false;
  function start() {
    if (started) return;
    started = true;
    if (observer) observer.disconnect();
    document.getElementById("status").textContent = "Loading Mantissa…";
    var script = document.createElement("script");
    script.src = "app.js";
    document.body.appendChild(script);
  }
  window.mantissaEmbedStarted = function () { return started; };

  placeholder.addEventListener("click", start);
  var observer = null;
  if ("IntersectionObserver" in window) {
    observer = new IntersectionObserver(function (entries) {
      for (var i = 0; i < entries.length; i++) {
        if (entries[i].isIntersecting) start();
      }
    });
    observer.observe(document.body);
  } else {
    start();
  }

  // Wheel: the article scrolls unless the reader is working in the embed.
  // Listeners on window in the capture phase run before GLFW's (which
  // prevents the default); stopping the event there leaves the default
  // alone, and the browser chains the scroll to the article.
  var engaged = false;
  window.addEventListener("mousedown", function () { engaged = true; }, true);
  document.documentElement.addEventListener("mouseleave", function () { engaged = false; });
  window.addEventListener("blur", function () { engaged = false; });
  window.addEventListener("wheel", function (event) {
    if (!engaged) event.stopImmediatePropagation();
  }, { capture: true, passive: true });
  window.mantissaEmbedEngaged = function () { return engaged; };
})();
