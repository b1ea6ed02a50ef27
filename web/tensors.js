// The "Inspect tensors" panel's page glue: a file picker, drag and drop onto
// the page, and the worker (inspect-worker.js) that reads the files. The app
// talks to this only through src/app/platform_web.cpp (Module.mantissaTensors).
// Files are read in this browser, in one or more workers, and never sent anywhere.
// Loaded as a classic script after page.js (which defines Module).
"use strict";

(function () {
  var input = document.createElement("input");
  input.type = "file";
  input.multiple = true;
  input.accept = ".safetensors,.npy,.gguf";
  input.id = "tensor-files";
  input.className = "visually-hidden";
  input.tabIndex = -1;
  input.setAttribute("aria-label", "Tensor files to inspect (.safetensors, .npy, .gguf)");
  document.body.appendChild(input);

  // Workers: navigator.hardwareConcurrency of them, at most kMaxWorkers (each
  // holds its own wasm instance and a chunk buffer). A scan of several tensors
  // is split across them by tensor (tensor-split.js) and the pieces merged in
  // order by worker 0 (m.inspectMerge): the figures equal one pass's.
  var kMaxWorkers = 4;
  var pool = [];
  var state = {
    events: [],      // JSON texts for the app, oldest first
    options: { formats: "fp16,bf16,fp8-e4m3,fp8-e5m2,tf32", scale: "none" },
    files: null,     // the last files dropped or picked
    id: 0,           // the running (or last) scan
    workers: 0,      // 0: navigator.hardwareConcurrency (capped); else setWorkers(n)
    run: null,       // the running scan: { id, runs, started, cancelled, merging }
  };

  function wake() { Module.mantissaInput = true; }

  function post(event) {
    state.events.push(JSON.stringify(event));
    wake();
  }

  function workerCount() {
    var n = state.workers || navigator.hardwareConcurrency || 1;
    return Math.max(1, Math.min(kMaxWorkers, n));
  }

  // mantissa.wasm compiled once, here, for every worker: each new worker gets
  // the WebAssembly.Module as its first message and instantiates it (V8
  // shares the compiled code between them) instead of fetching and compiling
  // its own (README "inspect's scan": the start-up figures). null: workers
  // compile their own (no compileStreaming, or it failed).
  var wasmModule = null, sharedWasm = null;

  function compileWasm() {
    if (!sharedWasm) {
      sharedWasm = typeof WebAssembly.compileStreaming !== "function" ? Promise.resolve(null)
        : WebAssembly.compileStreaming(fetch("mantissa.wasm")).catch(function () { return null; });
    }
    return sharedWasm;
  }

  function worker(index) {
    while (pool.length <= index) {
      var w = new Worker("inspect-worker.js", { type: "module" });
      try {
        w.postMessage({ type: "wasm", module: wasmModule });
      } catch (e) {
        w.postMessage({ type: "wasm", module: null });  // a module this browser cannot post: the worker compiles its own
      }
      w.onmessage = onWorkerMessage.bind(null, pool.length);
      w.onerror = function (e) {
        post({ type: "error", id: state.id, message: "the worker failed: " + (e.message || "unknown error") });
        state.run = null;
      };
      pool.push(w);
    }
    return pool[index];
  }

  // Progress over every run: each worker reports its own bytes (both passes
  // when there are two); a run not heard from yet counts its bytes once.
  function progress(run, from) {
    var done = 0, total = 0;
    run.runs.forEach(function (r) {
      done += r.done;
      total += r.total || r.bytes;
    });
    var seconds = (performance.now() - run.started) / 1000;
    post({ type: "progress", id: run.id, bytesDone: done, bytesTotal: total,
           bytesPerSecond: seconds > 0 ? done / seconds : 0, file: from.file, fileIndex: from.fileIndex, files: from.files });
  }

  // A run failed: the scan fails with the FIRST run's error in report order,
  // as one pass would have stopped there; later runs are cancelled.
  function settle(run) {
    var first = -1;
    for (var i = 0; i < run.runs.length; i++) {
      var r = run.runs[i];
      if (r.status === "running" || r.status === "cancelling") return;
      if (r.status === "error") { first = i; break; }
    }
    if (first >= 0) {
      post({ type: "error", id: run.id, message: run.runs[first].message });
      state.run = null;
    }
  }

  function onWorkerMessage(index, e) {
    var msg = e.data, run = state.run;
    if (msg.id !== state.id) return;  // a replaced scan's messages are dropped
    if (!run || !run.runs) {          // one worker, the whole scan: its messages are the panel's
      if (msg.type === "result") msg.workers = 1;
      post(msg);
      return;
    }
    if (msg.type === "merged") {
      state.run = null;
      if (run.cancelled) return post({ type: "cancelled", id: run.id });
      post({ type: "result", id: run.id, report: msg.report, workers: run.runs.length,
             seconds: (performance.now() - run.started) / 1000 });
      return;
    }
    if (msg.type === "error" && run.merging) {
      state.run = null;
      return post({ type: "error", id: run.id, message: msg.message });
    }
    var r = run.runs[index];
    if (!r) return;
    if (msg.type === "progress") {
      r.done = msg.bytesDone;
      r.total = msg.bytesTotal;
      return progress(run, msg);
    }
    if (msg.type === "result") {
      r.status = "done";
      r.piece = msg.report;
      r.done = r.total || r.bytes;
    } else if (msg.type === "error") {
      r.status = "error";
      r.message = msg.message;
      // Runs after it cannot change the outcome: stop them.
      for (var j = index + 1; j < run.runs.length; j++) {
        if (run.runs[j].status === "running") {
          run.runs[j].status = "cancelling";
          worker(j).postMessage({ type: "cancel", id: run.id });
        }
      }
    } else if (msg.type === "cancelled") {
      r.status = "cancelled";
    }
    if (run.runs.some(function (x) { return x.status === "running" || x.status === "cancelling"; })) return;
    if (run.cancelled) {
      state.run = null;
      return post({ type: "cancelled", id: run.id });
    }
    if (run.runs.some(function (x) { return x.status === "error"; })) return settle(run);
    run.merging = true;
    worker(0).postMessage({ type: "merge", id: run.id, pieces: run.runs.map(function (x) { return x.piece; }) });
  }

  async function scan(files) {
    if (!files || !files.length) return;
    state.files = Array.prototype.slice.call(files);
    var id = ++state.id;  // a second drop replaces the first: every worker drops it
    var options = state.options;
    for (var i = 0; i < pool.length; i++) pool[i].postMessage({ type: "cancel" });
    post({ type: "start", id: id, options: options,
           files: state.files.map(function (f) { return { name: f.name, size: f.size }; }) });
    var run = { id: id, runs: null, started: performance.now(), cancelled: false, merging: false };
    state.run = run;
    var n = workerCount(), runs = null;
    if (pool.length < n) wasmModule = await compileWasm();
    if (n > 1) {
      try {
        runs = await self.mantissaTensorSplit.plan(state.files, n);
      } catch (e) {
        runs = null;  // a file that cannot be read here: one worker reads it and says why
      }
    }
    if (id !== state.id) return;  // replaced while the headers were read
    if (run.cancelled) {
      state.run = null;
      return post({ type: "cancelled", id: id });
    }
    if (!runs || runs.length < 2) {
      worker(0).postMessage({ type: "inspect", id: id, files: state.files, options: options });
      return;
    }
    run.runs = runs.map(function (r) { return { bytes: r.bytes, done: 0, total: 0, status: "running" }; });
    runs.forEach(function (r, k) {
      worker(k).postMessage({ type: "inspect", id: id, files: r.inputs, options: options, partial: true });
    });
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
    cancel: function () {
      if (state.run) state.run.cancelled = true;
      pool.forEach(function (w) { w.postMessage({ type: "cancel", id: state.id }); });
    },
    // How many workers scan (tests and the benchmark); 0: the machine's cores, capped.
    setWorkers: function (n) { state.workers = Math.max(0, Math.min(kMaxWorkers, Math.floor(Number(n)) || 0)); },
    setOptions: function (json, rescan) {
      state.options = JSON.parse(json);
      if (rescan && state.files) scan(state.files);
    },
  };
})();
