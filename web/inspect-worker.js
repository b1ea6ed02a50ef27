// The "Inspect tensors" panel's worker: its own instance of the JS API runs
// m.inspect off the page's main thread, so the playground keeps drawing
// while a checkpoint is read. Files are read in bounded chunks (Blob.slice
// inside m.inspect): a 10 GB checkpoint needs no more memory than a small one.
// Nothing leaves the machine: the files are read here and never sent anywhere.
//
// Messages in:  { type: "wasm", module }  (first, optional: mantissa.wasm compiled once
//                 by the page and shared by every worker; null or absent: compile it here)
//               { type: "inspect", id, files: [File | {name, data}...], options, partial }
//                 (a new id replaces the scan running; partial: the report as a
//                 piece for m.inspectMerge, when the page split the scan across workers)
//               { type: "cancel", id }  (no id: whatever runs)
//               { type: "merge", id, pieces: [piece...] }
// Messages out: { type: "progress", id, bytesDone, bytesTotal, bytesPerSecond, file, fileIndex, files }
//               { type: "result", id, report: "<the CLI's inspect --json text, or the piece>", seconds }
//               { type: "merged", id, report: "<the CLI's inspect --json text>" }
//               { type: "error", id, message }  { type: "cancelled", id }
import Mantissa from "./mantissa.mjs";

// The API's instance, made when the first message arrives. A page running
// several workers compiles mantissa.wasm once and sends the
// WebAssembly.Module first: V8 shares a module's compiled (and tiered-up)
// code between the workers it is posted to, so the second worker neither
// downloads nor compiles the wasm again (bench/inspect_chromium.mjs times
// the start-up both ways).
let ready = null;

function load(module) {
  if (!module) return Mantissa();
  return new Promise((resolve, reject) => {
    Mantissa({
      instantiateWasm(imports, receiveInstance) {
        WebAssembly.instantiate(module, imports).then((instance) => receiveInstance(instance, module), reject);
        return {};  // Emscripten waits for receiveInstance
      },
    }).then(resolve, reject);
  });
}

// The instance, or null after posting why there is none.
async function api(id) {
  try {
    return await ready;
  } catch (e) {
    self.postMessage({ type: "error", id, message: "the API could not start: " + (e && e.message ? e.message : String(e)) });
    return null;
  }
}

let current = null;  // { id, controller }

// Progress at most every 50 ms: the page needs no more, and postMessage is not free.
const kProgressEveryMs = 50;

// Scans cancelled by id before they started (a cancel can arrive while a new
// worker's wasm is still loading): they end at once.
const cancelledEarly = new Set();

async function scan({ id, files, options, partial }) {
  const m = await api(id);
  if (!m) return;
  if (current) current.controller.abort();
  if (cancelledEarly.delete(id)) {
    self.postMessage({ type: "cancelled", id });
    return;
  }
  const controller = new AbortController();
  current = { id, controller };
  let last = 0;
  const started = performance.now();
  try {
    const report = await m.inspect(files, { ...options, signal: controller.signal, partial: !!partial }, (p) => {
      const now = performance.now();
      if (now - last < kProgressEveryMs && p.bytesDone < p.bytesTotal) return;
      last = now;
      self.postMessage({ type: "progress", id, bytesDone: p.bytesDone, bytesTotal: p.bytesTotal,
                         bytesPerSecond: p.bytesPerSecond, file: p.file, fileIndex: p.fileIndex, files: p.files });
    });
    self.postMessage({ type: "result", id, report: partial ? report : JSON.stringify(report),
                       seconds: (performance.now() - started) / 1000 });
  } catch (e) {
    if (e && e.name === "AbortError") self.postMessage({ type: "cancelled", id });
    else self.postMessage({ type: "error", id, message: e && e.message ? e.message : String(e) });
  } finally {
    if (current && current.id === id) current = null;
  }
}

async function merge({ id, pieces }) {
  const m = await api(id);
  if (!m) return;
  try {
    self.postMessage({ type: "merged", id, report: JSON.stringify(m.inspectMerge(pieces)) });
  } catch (e) {
    self.postMessage({ type: "error", id, message: e && e.message ? e.message : String(e) });
  }
}

self.onmessage = (event) => {
  const msg = event.data;
  if (!ready) ready = load(msg.type === "wasm" && msg.module instanceof WebAssembly.Module ? msg.module : null);
  if (msg.type === "inspect") scan(msg);
  else if (msg.type === "merge") merge(msg);
  else if (msg.type === "cancel" && current && (msg.id === undefined || msg.id === current.id)) current.controller.abort();
  else if (msg.type === "cancel" && msg.id !== undefined) cancelledEarly.add(msg.id);
};
