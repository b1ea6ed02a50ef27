// The inspect scan's speed on one generated fp32 checkpoint, side by side in
// one run: the native CLI (`mantissa inspect`, reading the file), the JS API
// in Node (m.inspect on a Blob from fs.openAsBlob: Blob.slice chunks) and the
// playground's web worker in headless Chromium (the file picked into the
// page, read by web/inspect-worker.js). Prints MB/s, the ratios and the CPU.
// Not part of scripts/test; build both presets first.
//
//   node scripts/bench_inspect.mjs [--mib N] [--formats LIST]
import { execFileSync } from "node:child_process";
import { mkdtempSync, openAsBlob, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { openPage, repoRoot, startBrowser, waitForFrames } from "../tests/browser/harness.mjs";

const args = process.argv.slice(2);
let mib = 64;
let formats = "fp16,bf16,fp8-e4m3";
for (let i = 0; i < args.length; ++i) {
  if (args[i] === "--mib") mib = Math.max(1, Number(args[++i]) | 0);
  else if (args[i] === "--formats") formats = args[++i];
  else { console.error("usage: node scripts/bench_inspect.mjs [--mib N] [--formats LIST]"); process.exit(2); }
}

const cpu = (readFileSync("/proc/cpuinfo", "utf8").match(/model name\s*:\s*(.*)/) ?? [, "unknown"])[1];
const dir = mkdtempSync(path.join(os.tmpdir(), "mantissa-bench-inspect-"));
const file = path.join(dir, "bench.safetensors");
execFileSync("/usr/bin/python3", ["-c", `
import json, struct, sys, numpy as np
n = ${mib} * 262144
h = json.dumps({"w": {"dtype": "F32", "shape": [n], "data_offsets": [0, 4 * n]}}).encode()
x = (np.random.default_rng(1).standard_normal(262144) * 0.02).astype(np.float32)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    for _ in range(${mib}): f.write(x.tobytes())
`, file]);
const bytes = statSync(file).size;
const results = {};
try {
  let t = performance.now();
  const native = JSON.parse(execFileSync(path.join(repoRoot, "build", "native", "mantissa"),
    ["inspect", file, "--formats", formats, "--json"], { encoding: "utf8", maxBuffer: 1 << 26 }));
  results.native = (performance.now() - t) / 1000;

  const { default: Mantissa } = await import(path.join(repoRoot, "build", "web", "mantissa.mjs"));
  const m = await Mantissa();
  t = performance.now();
  const node = await m.inspect({ name: file, data: await openAsBlob(file) }, { formats });
  results.node = (performance.now() - t) / 1000;

  const env = await startBrowser();
  try {
    const { page } = await openPage(env, "/#v=1&p=tensors&tf=" + formats);
    await waitForFrames(page, 3);
    await page.setInputFiles("#tensor-files", [file]);
    await page.waitForFunction(() => window.mantissa.state().results.status === "done", null, { timeout: 600000, polling: 100 });
    const r = (await page.evaluate(() => window.mantissa.state())).results;
    results.worker = r.seconds;
    if (r.tensors[0].formats[0].rmse !== native.tensors[0].formats[0].rmse) throw new Error("the worker's figures differ from the CLI's");
  } finally {
    await env.close();
  }
  if (node.tensors[0].formats[0].rmse !== native.tensors[0].formats[0].rmse) throw new Error("Node's figures differ from the CLI's");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const mbs = (s) => bytes / 1e6 / s;
console.log(`inspect ${(bytes / 2 ** 20).toFixed(0)} MiB of fp32, formats ${formats}; CPU: ${cpu} (${os.cpus().length} cores)`);
for (const [k, s] of Object.entries(results)) console.log(`  ${k.padEnd(8)} ${s.toFixed(2).padStart(7)} s  ${mbs(s).toFixed(1).padStart(8)} MB/s`);
console.log(`  ratios: native/worker ${(results.worker / results.native).toFixed(2)}x, node/worker ${(results.worker / results.node).toFixed(2)}x`);
