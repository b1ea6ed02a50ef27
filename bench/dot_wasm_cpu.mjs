// The wasm dot lanes and m.gemmError under Node, timed in CPU time
// (process.cpuUsage): the page can only time wall clock, which on a shared
// machine mostly measures the other jobs. Same V8 engine family as
// Chromium; the figures that count for the issue are the page's
// (scripts/bench), these say how much of them is this process's work.
//
//   node --no-experimental-fetch bench/dot_wasm_cpu.mjs [ROUNDS]   (after the web build)
//
// Prints, for the four accumulators of web/bench/bench.js, the SIMD128 lanes
// against the scalar kernel (median and min of ROUNDS interleaved runs, the
// result digests checked equal), then m.gemmError K = 4096 x 1000 trials x
// the four accumulators, and with `exact` alone (the draws and exact sums).
import { readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const web = path.join(root, "build", "web");
const rounds = Math.max(1, Number(process.argv[2] || 9) | 0);

const { default: MantissaBench } = await import(path.join(web, "bench", "bench_wasm.mjs"));
const bench = await MantissaBench({ wasmBinary: readFileSync(path.join(web, "bench", "bench_wasm.wasm")) });
const { default: Mantissa } = await import(path.join(web, "mantissa.mjs"));
const m = await Mantissa();

const cpuMs = (f) => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const min = (v) => Math.min(...v);

const accumulators = ["tc:h100", "blocked:tc:h100:128", "seq:fp32", "blocked:fp32:128"];
bench.dotPrepare(1000);
for (const acc of accumulators) {
  const simd = bench.dotRun(acc, "simd"), scalar = bench.dotRun(acc, "scalar");
  if (simd.startsWith("error") || simd !== scalar) throw new Error(`${acc}: lanes ${simd} vs scalar ${scalar}`);
}
// Warm-up: V8 tiers hot wasm functions up in the background.
for (let i = 0; i < 2; ++i) for (const acc of accumulators) for (const impl of ["simd", "scalar"]) bench.dotRun(acc, impl);
await new Promise((resolve) => setTimeout(resolve, 300));

console.log(`cpu: ${os.cpus()[0]?.model ?? "?"}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}; Node ${process.version}`);
console.log(`dot lanes (${bench.dotSimdName()}) vs scalar kernel, K = 4096 x 1000, CPU ms (median / min of ${rounds}):`);
for (const acc of accumulators) {
  const simd = [], scalar = [];
  for (let r = 0; r < rounds; ++r) {
    simd.push(cpuMs(() => bench.dotRun(acc, "simd")));
    scalar.push(cpuMs(() => bench.dotRun(acc, "scalar")));
  }
  console.log(`  ${acc.padEnd(22)} lanes ${median(simd).toFixed(2)} / ${min(simd).toFixed(2)}  scalar ${median(scalar).toFixed(2)} / ${min(scalar).toFixed(2)}  ` +
    `${(median(scalar) / median(simd)).toFixed(2)}x / ${(min(scalar) / min(simd)).toFixed(2)}x`);
}

const options = { k: [4096], in: "fp8-e4m3", dist: "normal:0:1", trials: 1000, seed: 1 };
const gemmRounds = Math.min(rounds, 5);
for (const acc of [accumulators, ["exact"]]) {
  m.gemmError({ ...options, acc });  // warm-up
  const times = [];
  for (let r = 0; r < gemmRounds; ++r) times.push(cpuMs(() => m.gemmError({ ...options, acc })));
  console.log(`m.gemmError K = 4096 x 1000, acc ${acc.join(",")}: ${median(times).toFixed(0)} ms CPU (median of ${gemmRounds}; min ${min(times).toFixed(0)})`);
}
