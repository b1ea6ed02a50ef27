// inspect's scan in headless Chromium, the playground's way: the panel's
// worker (web/inspect-worker.js, m.inspect in a Web Worker) on a generated
// fp32 and a bf16 safetensors File (tensors of 16M elements, standard normal
// x 0.02, as bench_inspect writes them), fp16 + bf16 + fp8-e4m3 with the
// update question; with 1 worker, and with 2 workers split by tensor
// (web/tensor-split.js, pieces merged by m.inspectMerge: checked equal to the
// 1-worker report); with 4 as well when Chromium sees 4 cores or more (or
// --workers 1,2,4). A row "bytes in the worker" scans the same bytes handed
// to the worker as an ArrayBuffer (transferred, read into it before the
// clock starts): the scan without the File reading, so the 1-worker row
// minus it is what reading the File costs. Worker start-up (new Worker to a
// first tiny scan answered: fetching and compiling the wasm) is timed apart.
// Warm-up, then interleaved rounds, medians. Printed beside bench_inspect's
// native figure on the same sizes, run first (not at the same time). Each
// scan is timed by the wall clock in the page and by the CPU time of every
// Chromium process (/proc: the workers' threads, the browser process serving
// the blob reads, shown apart), which a loaded machine inflates far less than
// the wall clock; the load average is printed at the start and the end.
//
// Usage: node bench/inspect_chromium.mjs [--mb N] [--rounds R] [--workers 1,2,4] [--json FILE]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { openPage, repoRoot, startBrowser } from "../tests/browser/harness.mjs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const mb = Math.max(16, Number(arg("--mb", 128)));
const rounds = Math.max(1, Number(arg("--rounds", 3)));
const jsonOut = arg("--json", null);
const workersArg = arg("--workers", null);
const workerCounts = workersArg ? workersArg.split(",").map(Number) : null;
if (workerCounts && (!workerCounts.length || workerCounts[0] !== 1 ||
                     workerCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 8))) {
  console.error("inspect_chromium: --workers takes worker counts from 1 to 8 starting with 1, e.g. 1,2,4");
  process.exit(2);
}
const cpu = (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) ?? [, "unknown CPU"])[1];
const loadAverage = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
const load = loadAverage();

// Native first, on its own: the same sizes and statistics.
process.stderr.write(`inspect_chromium: native bench_inspect --mb ${mb} --rounds ${rounds} --big-gb 0\n`);
const tmp = mkdtempSync(path.join(os.tmpdir(), "mantissa-inspect-chromium-"));
let native;
try {
  execFileSync(path.join(repoRoot, "build", "native", "bench", "bench_inspect"),
    ["--mb", String(mb), "--rounds", String(rounds), "--big-gb", "0", "--dir", tmp, "--json", path.join(tmp, "n.json")],
    { stdio: ["ignore", "ignore", "inherit"] });
  native = JSON.parse(readFileSync(path.join(tmp, "n.json"), "utf8"));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
// utime + stime of every process below `root` (not root itself), in seconds
// (/proc, 100 ticks/s): { all, browser } where browser is Chromium's browser
// process (it serves the blob reads), the one with no --type= flag.
function chromiumCpuSeconds(root) {
  if (!root) return { all: NaN, browser: NaN };
  const stats = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^[0-9]+$/.test(d))) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");  // fields from the 3rd (state)
      const browser = !readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("--type=");
      stats.set(Number(pid), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), browser });
    } catch { /* gone */ }
  }
  let ticks = 0, browserTicks = 0;
  const todo = [root];
  const seen = new Set();
  while (todo.length) {
    const pid = todo.pop();
    if (seen.has(pid)) continue;
    seen.add(pid);
    if (pid !== root) {
      ticks += stats.get(pid)?.ticks ?? 0;
      if (stats.get(pid)?.browser) browserTicks += stats.get(pid).ticks;
    }
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }
  return { all: ticks / 100, browser: browserTicks / 100 };
}
const cpuSince = (a) => {
  const b = chromiumCpuSeconds(process.pid);
  return { all: b.all - a.all, browser: b.browser - a.browser };
};

const nativeRow = (file) => native.rows.find((r) => r.file === file && r.variant === "stats");

process.stderr.write(`inspect_chromium: headless Chromium, ${mb} MB files, ${rounds} rounds\n`);
const env = await startBrowser();
let result;
try {
  const { page, context } = await openPage(env, "/examples/api-plain.html");
  await page.addScriptTag({ url: "/tensor-split.js" });
  const most = workerCounts ? Math.max(...workerCounts) : 4;
  result = await page.evaluate(async ({ mb, most }) => {
    const options = { formats: "fp16,bf16,fp8-e4m3", lr: "1e-4", gradStd: "1e-3" };
    // Tensors of 16M elements as bench_inspect writes them, smaller when the
    // file would have fewer than two per worker (the split is by tensor).
    const kTensor = Math.min(16 * 2 ** 20, Math.floor(mb * 2 ** 20 / 4 / (2 * most)));
    function makeFile(megabytes, bf16, tensorElements = kTensor) {
      const width = bf16 ? 2 : 4, count = Math.floor(megabytes * 2 ** 20 / width);
      const header = {};
      let at = 0;
      for (let first = 0, i = 0; first < count; first += tensorElements, i++) {
        const n = Math.min(tensorElements, count - first);
        header[`layers.${i}.weight`] = { dtype: bf16 ? "BF16" : "F32", shape: [n], data_offsets: [at, at + n * width] };
        at += n * width;
      }
      const text = new TextEncoder().encode(JSON.stringify(header));
      const prefix = new Uint8Array(8);
      new DataView(prefix.buffer).setUint32(0, text.length, true);
      // A block of 1M normals (seeded Box-Muller), repeated: generating every
      // value would take longer than the scan.
      const block = new Float32Array(1 << 20);
      let s = 15;
      const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) + 0.5) / 4294967296;
      for (let i = 0; i < block.length; i += 2) {
        const r = Math.sqrt(-2 * Math.log(rand())) * 0.02, t = 2 * Math.PI * rand();
        block[i] = r * Math.cos(t);
        block[i + 1] = r * Math.sin(t);
      }
      let bytes = new Uint8Array(block.buffer);
      if (bf16) {
        const u = new Uint32Array(block.buffer), b = new Uint16Array(block.length);
        for (let i = 0; i < u.length; i++) b[i] = (u[i] + 0x7fff + ((u[i] >>> 16) & 1)) >>> 16;
        bytes = new Uint8Array(b.buffer);
      }
      const parts = [prefix, text];
      for (let left = at; left > 0; left -= bytes.length) parts.push(left >= bytes.length ? bytes : bytes.subarray(0, left));
      return new File(parts, bf16 ? "bf16.safetensors" : "fp32.safetensors");
    }
    let nextId = 0;
    const call = (worker, msg, transfer = []) => new Promise((resolve, reject) => {
      const onMessage = (e) => {
        if (e.data.id !== msg.id || e.data.type === "progress") return;
        worker.removeEventListener("message", onMessage);
        if (e.data.type === "error") reject(new Error(e.data.message));
        else resolve(e.data);
      };
      worker.addEventListener("message", onMessage);
      worker.postMessage(msg, transfer);
    });
    // Worker start-up, timed by the caller: n new Workers until each has
    // scanned an 8 MB file (fetch, compile and instantiate the wasm, V8's
    // tier-up), as the panel's first scan meets it. shared: the page compiles
    // mantissa.wasm once and hands every worker the module (web/tensors.js
    // does); else each worker fetches and compiles its own.
    let pool = [];
    const startFile = makeFile(8, false, 1 << 20);
    async function start(n, shared) {
      pool.forEach((w) => w.terminate());
      pool = [];
      const t0 = performance.now();
      const module = shared ? await WebAssembly.compileStreaming(fetch("/mantissa.wasm")) : null;
      while (pool.length < n) {
        const w = new Worker("/inspect-worker.js", { type: "module" });
        if (shared) w.postMessage({ type: "wasm", module });
        pool.push(w);
      }
      await Promise.all(pool.map((w) => call(w, { type: "inspect", id: ++nextId, files: [startFile], options })));
      return performance.now() - t0;
    }
    let bytes = null;  // the file's bytes for the next "bytes in the worker" scan
    async function scan(workers, file) {
      const t0 = performance.now();
      if (workers === "bytes") {
        const data = bytes;
        bytes = null;
        const r = await call(pool[0], { type: "inspect", id: ++nextId, files: [{ name: file.name, data }], options }, [data]);
        return { ms: performance.now() - t0, report: r.report };
      }
      if (workers === 1) {
        const r = await call(pool[0], { type: "inspect", id: ++nextId, files: [file], options });
        return { ms: performance.now() - t0, report: r.report };
      }
      const runs = await self.mantissaTensorSplit.plan([file], workers);
      const t1 = performance.now();
      const pieces = await Promise.all(runs.map((r, k) =>
        call(pool[k], { type: "inspect", id: ++nextId, files: r.inputs, options, partial: true })));
      const t2 = performance.now();
      const merged = await call(pool[0], { type: "merge", id: ++nextId, pieces: pieces.map((p) => p.report) });
      const t3 = performance.now();
      return { ms: t3 - t0, report: merged.report, runs: runs.length, planMs: t1 - t0, mergeMs: t3 - t2 };
    }
    const files = { fp32: makeFile(mb, false), bf16: makeFile(mb, true) };
    // Reading alone, no scan, on the page's thread: the way m.inspect read a
    // File before slice 15c (a Blob.slice(...).arrayBuffer() per 4 MiB chunk)
    // and the way it reads now (one Blob.stream(), a reused BYOB buffer),
    // each chunk copied into one reused buffer as into the wasm heap.
    const kChunk = 4 << 20, target = new Uint8Array(kChunk);
    async function readAlone(file, how) {
      const t0 = performance.now();
      let check = 0;
      if (how === "slices") {
        for (let at = 0; at < file.size; at += kChunk) {
          target.set(new Uint8Array(await file.slice(at, Math.min(file.size, at + kChunk)).arrayBuffer()));
          check ^= target[0];
        }
      } else {
        const reader = file.stream().getReader({ mode: "byob" });
        let staging = new ArrayBuffer(kChunk), done = false;
        while (!done) {
          let got = 0;
          while (got < kChunk) {
            const r = await reader.read(new Uint8Array(staging, got, kChunk - got));
            if (r.value) staging = r.value.buffer;
            if (r.done) { done = true; break; }
            got += r.value.length;
          }
          target.set(new Uint8Array(staging, 0, got));
          check ^= target[0];
        }
      }
      return { ms: performance.now() - t0, check };
    }
    window.__bench = { start, scan: (kind, workers) => scan(workers, files[kind]),
                       read: (how) => readAlone(files.fp32, how),
                       load: async (kind) => { bytes = await files[kind].arrayBuffer(); },
                       warm: async (counts) => {
                         // Tensors for every worker: V8 tiers the wasm up in each of them.
                         const warm = makeFile(8 * Math.max(...counts), false, 1 << 20);
                         for (const n of counts) await scan(n, warm);
                       },
                       terminate: () => pool.forEach((w) => w.terminate()) };
    return { sizes: { fp32: files.fp32.size, bf16: files.bf16.size }, tensorElements: kTensor, ua: navigator.userAgent,
             cores: navigator.hardwareConcurrency };
  }, { mb, most });
  const counts = workerCounts ?? (result.cores >= 4 ? [1, 2, 4] : [1, 2]);
  // Start-up both ways, the shared way last: its pool scans.
  const startup = {};
  for (const shared of [false, true]) {
    const cpu0 = chromiumCpuSeconds(process.pid);
    const ms = await page.evaluate(([n, s]) => window.__bench.start(n, s), [Math.max(...counts), shared]);
    startup[shared ? "shared" : "own"] = { ms, cpu: cpuSince(cpu0).all };
  }
  await page.evaluate((c) => window.__bench.warm(c), counts);
  // Interleaved rounds, each scan timed in the page (wall) and by the CPU time
  // of every Chromium process (Chromium runs below this Node process; Node's
  // own CPU time is left out).
  const variants = ["bytes", ...counts];
  const reads = { slices: { ms: [], cpu: [], browser: [] }, stream: { ms: [], cpu: [], browser: [] } };
  const times = {}, cpus = {}, browserCpus = {}, planMs = [], mergeMs = [];
  let equal = true;
  const runs = {};
  for (let r = 0; r < rounds; r++) {
    for (const kind of ["fp32", "bf16"]) {
      const reports = [];
      for (const workers of variants) {
        if (workers === "bytes") await page.evaluate((k) => window.__bench.load(k), kind);
        const before = chromiumCpuSeconds(process.pid);
        const out = await page.evaluate(async ([kind, workers]) => {
          const o = await window.__bench.scan(kind, workers);
          return { ms: o.ms, report: o.report, runs: o.runs, planMs: o.planMs, mergeMs: o.mergeMs };
        }, [kind, workers]);
        const used = cpuSince(before);
        const key = `${kind} ${workers}`;
        (cpus[key] ??= []).push(used.all);
        (browserCpus[key] ??= []).push(used.browser);
        (times[key] ??= []).push(out.ms);
        reports.push(out.report);
        if (out.runs) {
          runs[workers] = out.runs;
          planMs.push(out.planMs);
          mergeMs.push(out.mergeMs);
        }
      }
      equal = equal && reports.every((x) => x === reports[0]);
    }
  }
  for (let r = 0; r < rounds + 1; r++) {
    for (const how of ["slices", "stream"]) {
      const before = chromiumCpuSeconds(process.pid);
      const out = await page.evaluate((h) => window.__bench.read(h), how);
      const used = cpuSince(before);
      if (r === 0) continue;  // warm-up
      reads[how].ms.push(out.ms);
      reads[how].cpu.push(used.all);
      reads[how].browser.push(used.browser);
    }
  }
  await page.evaluate(() => window.__bench.terminate());
  Object.assign(result, { times, cpus, browserCpus, equal, runs, counts, startup, planMs, mergeMs, reads });
  await context.close();
} finally {
  await env.close();
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const chrome = result.ua.match(/Chrome\/[0-9.]+/)?.[0] ?? "Chromium";
console.log(`inspect in ${chrome} (${result.cores} cores seen), ${cpu}, load average ${load} at the start, ` +
  `${loadAverage()} at the end:`);
console.log(`  fp16 + bf16 + fp8-e4m3 with the update question; ${mb} MB files, tensors of ${result.tensorElements} elements; median of ${rounds} interleaved rounds; ` +
  `MB/s = 1e6 bytes per wall second; MB/cpu-s per CPU second (native: its thread; Chromium: all its processes; ` +
  `browser s: the browser process's share)`);
console.log(`  ${"file".padEnd(6)} ${"path".padEnd(34)} ${"wall ms".padStart(8)} ${"MB/s".padStart(8)} ` +
  `${"cpu s".padStart(7)} ${"MB/cpu-s".padStart(9)} ${"browser s".padStart(10)}`);
const rows = [];
const label = (w) => w === "bytes" ? "Chromium, 1 worker, bytes in it" : `Chromium, ${w} worker${w > 1 ? "s" : ""}`;
for (const kind of ["fp32", "bf16"]) {
  const n = nativeRow(kind);
  const line = (path, ms, cpuSeconds, browserSeconds, extra = "") => {
    const speed = result.sizes[kind] / 1e6 / (ms / 1e3), perCpu = result.sizes[kind] / 1e6 / cpuSeconds;
    rows.push({ file: kind, path, wall_ms: ms, mb_per_s: speed, cpu_s: cpuSeconds, mb_per_cpu_s: perCpu,
                browser_cpu_s: browserSeconds });
    console.log(`  ${kind.padEnd(6)} ${path.padEnd(34)} ${ms.toFixed(0).padStart(8)} ${speed.toFixed(0).padStart(8)} ` +
      `${cpuSeconds.toFixed(2).padStart(7)} ${perCpu.toFixed(0).padStart(9)} ` +
      `${Number.isNaN(browserSeconds) ? "".padStart(10) : browserSeconds.toFixed(2).padStart(10)}${extra}`);
  };
  line("native, one thread", n.wall_ms, n.cpu_ms / 1e3, NaN);
  for (const w of ["bytes", ...result.counts]) {
    const key = `${kind} ${w}`;
    line(label(w), median(result.times[key]), median(result.cpus[key]), median(result.browserCpus[key]),
      w === 1 ? "   target >= 300 MB/s" : w === "bytes" ? "   (the scan without reading the File)" : "");
  }
  // Paired by round (the two scans ran one after the other); 10 ms ticks and
  // the load make it noisy: the reading-alone lines below are the clean figure.
  const paired = result.cpus[`${kind} 1`].map((c, r) => c - result.cpus[`${kind} bytes`][r]);
  console.log(`  ${kind.padEnd(6)} reading the File inside the scan (1 worker minus bytes in it, per round): ` +
    `${paired.map((x) => x.toFixed(2)).join(", ")} CPU s`);
}
for (const how of ["slices", "stream"]) {
  const r = result.reads[how], ms = median(r.ms), c = median(r.cpu);
  console.log(`  reading the fp32 File alone (page thread, no scan), ${how === "slices"
    ? "a Blob.slice().arrayBuffer() per 4 MiB (before 15c)" : "one Blob.stream(), reused BYOB buffer (now)   "}: ` +
    `${ms.toFixed(0)} ms wall, ${c.toFixed(2)} CPU s (browser process ${median(r.browser).toFixed(2)}), ` +
    `${(result.sizes.fp32 / 1e6 / c).toFixed(0)} MB per CPU s`);
}
const ratios = {};
for (const w of result.counts.slice(1)) {
  const parts = [];
  for (const kind of ["fp32", "bf16"]) {
    const wall = median(result.times[`${kind} 1`]) / median(result.times[`${kind} ${w}`]);
    const cpuRatio = median(result.cpus[`${kind} ${w}`]) / median(result.cpus[`${kind} 1`]);
    ratios[`chromium_inspect_${w}_workers_vs_1_${kind}`] = wall;
    parts.push(`${kind} ${wall.toFixed(2)}x faster by the wall, ${cpuRatio.toFixed(2)}x the CPU`);
  }
  console.log(`  ${w} workers vs 1 (${result.runs[w]} runs of tensors): ${parts.join("; ")}`);
}
// (--workers 1 splits nothing: no plan or merge times to show)
const splitTimes = result.planMs.length
  ? `split plan ${median(result.planMs).toFixed(1)} ms, merge ${median(result.mergeMs).toFixed(1)} ms (medians, wall)`
  : "no split (one worker)";
console.log(`  merged reports ${result.equal ? "identical to" : "DIFFERENT FROM"} one worker's (and the bytes-in-the-worker scan's); ` +
  splitTimes);
const most = Math.max(...result.counts), up = result.startup;
console.log(`  worker start-up, ${most} new workers until each has scanned 8 MB: each compiling its own wasm ` +
  `${up.own.ms.toFixed(0)} ms wall, ${up.own.cpu.toFixed(2)} CPU s; the page's compiled module shared ` +
  `${up.shared.ms.toFixed(0)} ms wall, ${up.shared.cpu.toFixed(2)} CPU s`);
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ cpu, chrome, cores: result.cores, mb, rounds, load_start: load, load_end: loadAverage(),
    rows, equal: result.equal, startup: result.startup, reads: result.reads, ratios }));
}
if (!result.equal) process.exitCode = 1;
