// inspect's scan in headless Chromium, the playground's way: the panel's
// worker (web/inspect-worker.js, m.inspect in a Web Worker) on a generated
// fp32 and a bf16 safetensors File (tensors of 16M elements, standard normal
// x 0.02, as bench_inspect writes them), fp16 + bf16 + fp8-e4m3 with the
// update question; with 1 worker, and with 2 workers split by tensor
// (web/tensor-split.js, pieces merged by m.inspectMerge: checked equal to the
// 1-worker report). Warm-up, then interleaved rounds, medians. Printed beside
// bench_inspect's native figure on the same sizes, run first (not at the same
// time). Each scan is timed by the wall clock in the page and by the CPU time
// of every Chromium process (/proc: the workers' threads, the browser's blob
// reads), which a loaded machine inflates far less than the wall clock.
//
// Usage: node bench/inspect_chromium.mjs [--mb N] [--rounds R] [--json FILE]
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
const cpu = (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) ?? [, "unknown CPU"])[1];
const load = readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

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
// utime + stime of every process below `root` (not root itself), in seconds (/proc, 100 ticks/s).
function chromiumCpuSeconds(root) {
  if (!root) return NaN;
  const stats = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^[0-9]+$/.test(d))) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = text.slice(text.lastIndexOf(")") + 2).split(" ");  // fields from the 3rd (state)
      stats.set(Number(pid), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* gone */ }
  }
  let ticks = 0;
  const todo = [root];
  const seen = new Set();
  while (todo.length) {
    const pid = todo.pop();
    if (seen.has(pid)) continue;
    seen.add(pid);
    if (pid !== root) ticks += stats.get(pid)?.ticks ?? 0;
    for (const [child, s] of stats) if (s.ppid === pid) todo.push(child);
  }
  return ticks / 100;
}

const nativeRow = (file) => native.rows.find((r) => r.file === file && r.variant === "stats");

process.stderr.write(`inspect_chromium: headless Chromium, ${mb} MB files, ${rounds} rounds\n`);
const env = await startBrowser();
let result;
try {
  const { page, context } = await openPage(env, "/examples/api-plain.html");
  await page.addScriptTag({ url: "/tensor-split.js" });
  result = await page.evaluate(async ({ mb }) => {
    const options = { formats: "fp16,bf16,fp8-e4m3", lr: "1e-4", gradStd: "1e-3" };
    const kTensor = 16 * 2 ** 20;
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
    const pool = [0, 1].map(() => new Worker("/inspect-worker.js", { type: "module" }));
    let nextId = 0;
    const call = (worker, msg) => new Promise((resolve, reject) => {
      const onMessage = (e) => {
        if (e.data.id !== msg.id || e.data.type === "progress") return;
        worker.removeEventListener("message", onMessage);
        if (e.data.type === "error") reject(new Error(e.data.message));
        else resolve(e.data);
      };
      worker.addEventListener("message", onMessage);
      worker.postMessage({ ...msg, id: msg.id });
    });
    async function scan(workers, file) {
      const t0 = performance.now();
      if (workers === 1) {
        const r = await call(pool[0], { type: "inspect", id: ++nextId, files: [file], options });
        return { ms: performance.now() - t0, report: r.report };
      }
      const runs = await self.mantissaTensorSplit.plan([file], workers);
      const pieces = await Promise.all(runs.map((r, k) =>
        call(pool[k], { type: "inspect", id: ++nextId, files: r.inputs, options, partial: true })));
      const merged = await call(pool[0], { type: "merge", id: ++nextId, pieces: pieces.map((p) => p.report) });
      return { ms: performance.now() - t0, report: merged.report, runs: runs.length };
    }
    const files = { fp32: makeFile(mb, false), bf16: makeFile(mb, true) };
    const warm = makeFile(32, false, 1 << 22);  // two tensors: V8 tiers the wasm up in both workers
    await scan(1, warm);
    await scan(2, warm);
    window.__bench = { scan: (kind, workers) => scan(workers, files[kind]),
                       terminate: () => pool.forEach((w) => w.terminate()) };
    return { sizes: { fp32: files.fp32.size, bf16: files.bf16.size }, ua: navigator.userAgent,
             cores: navigator.hardwareConcurrency };
  }, { mb, rounds });
  // Interleaved rounds, each scan timed in the page (wall) and by the CPU time
  // of every Chromium process (the workers' threads, the browser's blob reads).
  const root = process.pid;  // Chromium runs below this Node process (its own CPU time is left out)
  const times = {}, cpus = {};
  let equal = true, runs = 0;
  for (let r = 0; r < rounds; r++) {
    for (const kind of ["fp32", "bf16"]) {
      const reports = [];
      for (const workers of [1, 2]) {
        const cpu0 = chromiumCpuSeconds(root);
        const out = await page.evaluate(async ([kind, workers]) => {
          const o = await window.__bench.scan(kind, workers);
          return { ms: o.ms, report: o.report, runs: o.runs };
        }, [kind, workers]);
        (cpus[`${kind} ${workers}`] ??= []).push(chromiumCpuSeconds(root) - cpu0);
        (times[`${kind} ${workers}`] ??= []).push(out.ms);
        reports.push(out.report);
        if (workers === 2) runs = out.runs;
      }
      equal = equal && reports[0] === reports[1];
    }
  }
  await page.evaluate(() => window.__bench.terminate());
  Object.assign(result, { times, cpus, equal, runs });
  await context.close();
} finally {
  await env.close();
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const chrome = result.ua.match(/Chrome\/[0-9.]+/)?.[0] ?? "Chromium";
console.log(`inspect in ${chrome} (${result.cores} cores seen), ${cpu}, load average ${load} at the start:`);
console.log(`  fp16 + bf16 + fp8-e4m3 with the update question; ${mb} MB files; median of ${rounds} interleaved rounds; ` +
  `MB/s = 1e6 bytes per wall second; MB/cpu-s per CPU second (native: its thread; Chromium: all its processes)`);
console.log(`  ${"file".padEnd(6)} ${"path".padEnd(30)} ${"wall ms".padStart(8)} ${"MB/s".padStart(8)} ` +
  `${"cpu s".padStart(7)} ${"MB/cpu-s".padStart(9)}`);
const rows = [];
for (const kind of ["fp32", "bf16"]) {
  const n = nativeRow(kind);
  const line = (label, ms, cpuSeconds, extra = "") => {
    const speed = result.sizes[kind] / 1e6 / (ms / 1e3), perCpu = result.sizes[kind] / 1e6 / cpuSeconds;
    rows.push({ file: kind, path: label, wall_ms: ms, mb_per_s: speed, cpu_s: cpuSeconds, mb_per_cpu_s: perCpu });
    console.log(`  ${kind.padEnd(6)} ${label.padEnd(30)} ${ms.toFixed(0).padStart(8)} ${speed.toFixed(0).padStart(8)} ` +
      `${cpuSeconds.toFixed(2).padStart(7)} ${perCpu.toFixed(0).padStart(9)}${extra}`);
  };
  line("native, one thread", n.wall_ms, n.cpu_ms / 1e3);
  line("Chromium, 1 worker", median(result.times[`${kind} 1`]), median(result.cpus[`${kind} 1`]), "   target >= 300 MB/s");
  line("Chromium, 2 workers", median(result.times[`${kind} 2`]), median(result.cpus[`${kind} 2`]));
}
const ratio = (kind) => median(result.times[`${kind} 1`]) / median(result.times[`${kind} 2`]);
console.log(`  2 workers vs 1: fp32 ${ratio("fp32").toFixed(2)}x, bf16 ${ratio("bf16").toFixed(2)}x ` +
  `(${result.runs} runs of tensors; merged report ${result.equal ? "identical to" : "DIFFERENT FROM"} one worker's)`);
if (jsonOut) {
  writeFileSync(jsonOut, JSON.stringify({ cpu, chrome, cores: result.cores, mb, rounds, rows, equal: result.equal,
    ratios: { chromium_inspect_2_workers_vs_1_fp32: ratio("fp32"), chromium_inspect_2_workers_vs_1_bf16: ratio("bf16") } }));
}
if (!result.equal) process.exitCode = 1;
