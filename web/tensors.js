// The "Inspect tensors" panel's page glue: a file picker, drag and drop onto
// the page, and the worker (inspect-worker.js) that reads the files. The app
// talks to this only through src/app/platform_web.cpp (Module.mantissaTensors).
// Files are read in this browser, in a worker, and never sent anywhere.
// Loaded as a classic script after page.js (which defines Module).
"use strict";

(function () {
  var input = document.createElement("input");
  input.type = "file";
  input.multiple = true;
  input.accept = ".safetensors,.npy";
  input.id = "tensor-files";
  input.className = "visually-hidden";
  input.tabIndex = -1;
  input.setAttribute("aria-label", "Tensor files to inspect (.safetensors, .npy)");
  document.body.appendChild(input);

  var worker = null;
  var state = {
    events: [],      // JSON texts for the app, oldest first
    options: { formats: "fp16,bf16,fp8-e4m3,fp8-e5m2,tf32", scale: "none" },
    files: null,     // the last files dropped or picked
    id: 0,           // the running (or last) scan
  };

  function wake() { Module.mantissaInput = true; }

  function post(event) {
    state.events.push(JSON.stringify(event));
    wake();
  }

  function ensureWorker() {
    if (worker) return worker;
    worker = new Worker("inspect-worker.js", { type: "module" });
    worker.onmessage = function (e) {
      if (e.data.id === state.id) post(e.data);  // a replaced scan's messages are dropped
    };
    worker.onerror = function (e) {
      post({ type: "error", id: state.id, message: "the worker failed: " + (e.message || "unknown error") });
    };
    return worker;
  }

  function scan(files) {
    if (!files || !files.length) return;
    state.files = Array.prototype.slice.call(files);
    var id = ++state.id;  // a second drop replaces the first: the worker aborts it
    post({ type: "start", id: id, options: state.options,
           files: state.files.map(function (f) { return { name: f.name, size: f.size }; }) });
    ensureWorker().postMessage({ type: "inspect", id: id, files: state.files, options: state.options });
  }

  input.addEventListener("change", function () {
    scan(input.files);
    input.value = "";  // choosing the same file again is a new scan
  });
  // Anywhere on the page: the canvas covers it.
  window.addEventListener("dragover", function (e) {
    if (e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0) {
      e.preventDefault();
      e.dataTransfer.dropEffect = "copy";
    }
  });
  window.addEventListener("drop", function (e) {
    if (!e.dataTransfer || !e.dataTransfer.files || !e.dataTransfer.files.length) return;
    e.preventDefault();
    scan(e.dataTransfer.files);
  });

  Module.mantissaTensors = {
    take: function () { return state.events.length ? state.events.shift() : null; },
    pick: function () { input.click(); },
    cancel: function () { if (worker) worker.postMessage({ type: "cancel", id: state.id }); },
    setOptions: function (json, rescan) {
      state.options = JSON.parse(json);
      if (rescan && state.files) scan(state.files);
    },
  };
})();
