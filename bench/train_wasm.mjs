// One epoch of the digits for the 8 recipes through the JS API's wasm module
// (build/web/mantissa.mjs) under Node: V8's wasm, as in Chromium, but not the
// page (the in-browser figure is not measured yet). Warm-up first (V8 tiers
// wasm up), then the median of N runs. Usage: node --no-experimental-fetch bench/train_wasm.mjs [N]
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { default: Mantissa } = await import(pathToFileURL(path.join(root, "build", "web", "mantissa.mjs")).href);
const m = await Mantissa();
const recipes = ["fp32", "fp16", "fp16-amp", "fp16-master-noscale", "bf16", "bf16-kahan", "bf16-sr", "fp8"];
const runs = Math.max(1, Number(process.argv[2] ?? 5));
m.train({ recipes, epochs: 1 });
const times = [];
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  m.train({ recipes, epochs: 1 });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`wasm (Node ${process.version}, ${os.cpus()[0]?.model ?? "unknown CPU"}): one epoch of digits, ` +
  `8 recipes: median ${times[Math.floor(runs / 2)].toFixed(0)} ms over ${runs} runs (issue target in Chromium: < 1000 ms)`);
