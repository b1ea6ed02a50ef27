// The runner behind scripts/bench (which builds first): the native
// benchmarks (build/native/bench/bench_kernels with its numpy co-process,
// bench_population) and the in-browser one (build/web/bench/ in headless
// Chromium via tests/browser/harness.mjs), one table, one JSON object.
//
//   node scripts/bench.mjs [--json FILE] [--rounds N] [--quick] [--only dot]
//
// --only dot: just the dot-product benchmarks (bench_dot natively, the dot
// lanes and m.gemmError in the page), a few minutes instead of many.
//
// Ratios are speed ratios: how many times faster the first variant is.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { openPage, repoRoot, startBrowser } from "../tests/browser/harness.mjs";

const args = process.argv.slice(2);
let jsonPath = null;
let rounds = 9;
let quick = false;
let only = null;
for (let i = 0; i < args.length; ++i) {
  if (args[i] === "--json" && i + 1 < args.length) jsonPath = args[++i];
  else if (args[i] === "--rounds" && i + 1 < args.length) rounds = Math.max(1, Number(args[++i]) | 0);
  else if (args[i] === "--quick") quick = true;
  else if (args[i] === "--only" && i + 1 < args.length && args[i + 1] === "dot") only = args[++i];
  else {
    console.error("usage: scripts/bench [--json FILE] [--rounds N] [--quick] [--only dot]");
    process.exit(2);
  }
}
if (quick) rounds = Math.min(rounds, 3);
const elements = quick ? 1 << 22 : 1 << 24;
const popRounds = quick ? 3 : 5;
const benchDir = path.join(repoRoot, "build", "native", "bench");

// A native benchmark run with --json into a scratch file: [its text, its JSON].
function runNative(name, benchArgs) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mantissa-bench-"));
  try {
    const file = path.join(dir, `${name}.json`);
    const text = execFileSync(path.join(benchDir, name), [...benchArgs, "--json", file], { encoding: "utf8", cwd: repoRoot });
    return [text, JSON.parse(readFileSync(file, "utf8"))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
// ---- the dot products: natively (bench_dot, numpy co-process) and in the page ----
const dotTrials = quick ? 200 : 1000;
const dotReps = quick ? 3 : 5;
// The page times wall clock only: more rounds, each sample `repeat` runs (web/bench/bench.js).
const dotPageRounds = quick ? 3 : 9;
const dotPageRepeat = quick ? 1 : 3;
function nativeDot() {
  process.stderr.write(`bench: native dot products and gemm-error, K = 4096 x ${dotTrials} trials, ${dotReps} reps\n`);
  return JSON.parse(execFileSync(path.join(benchDir, "bench_dot"),
    ["--json", "--reps", String(dotReps), "--trials", String(dotTrials)], { encoding: "utf8", cwd: repoRoot }));
}
async function webDot(page) {
  process.stderr.write("bench: the dot lanes and m.gemmError (K = 4096 x 1000 x 4 accumulators) in the page\n");
  return page.evaluate((o) => window.mantissaBench.dot(o), { trials: dotTrials, rounds: dotPageRounds, repeat: dotPageRepeat });
}
async function openBench(env) {
  const { page, consoleErrors, pageErrors } = await openPage(env, "/bench/");
  await page.waitForFunction(() => window.mantissaBench !== undefined || document.getElementById("status")?.textContent.startsWith("error"),
    null, { timeout: 60000 });
  if (pageErrors.length || consoleErrors.length) throw new Error(`bench page: ${[...pageErrors, ...consoleErrors].join("; ")}`);
  page.setDefaultTimeout(0);
  return page;
}
// The dot ratios, their targets and what they are.
function dotRatios(nd, wd) {
  const wasmRatios = Object.values(wd.accumulators).map((v) => v.scalarMs / v.simdMs);
  const ratios = {
    dot_simd_vs_scalar_native: nd.ratios.dot_simd_vs_scalar,
    dot_simd_vs_scalar_wasm: Math.min(...wasmRatios),
    gemm_error_vs_numpy: nd.ratios.gemm_error_vs_numpy,
    gemm_error_four_vs_numpy: nd.ratios.gemm_error_four_vs_numpy,
    gemm_error_vs_numpy_cpu: nd.ratios.gemm_error_vs_numpy_cpu,
    gemm_error_vs_numpy_e2e: nd.ratios.gemm_error_vs_numpy_e2e,
    gemm_error_vs_numpy_e2e_cpu: nd.ratios.gemm_error_vs_numpy_e2e_cpu,
    // <= 1 s wanted: as a ratio, 1000 ms over the time taken (>= 1 means within a second).
    gemm_error_page_within_1s: 1000 / wd.gemmError.ms,
  };
  const targets = { dot_simd_vs_scalar_native: 4, dot_simd_vs_scalar_wasm: 4, gemm_error_vs_numpy: 5,
    gemm_error_four_vs_numpy: null, gemm_error_vs_numpy_cpu: null,
    gemm_error_vs_numpy_e2e: 5, gemm_error_vs_numpy_e2e_cpu: null, gemm_error_page_within_1s: 1 };
  const what = {
    dot_simd_vs_scalar_native: `native: dot lanes (${nd.simd}) vs the scalar kernel, min of ${Object.keys(nd.dot_ms).join(", ")}`,
    dot_simd_vs_scalar_wasm: `browser: dot lanes (${wd.simdImpl}) vs the scalar kernel, min of the same four`,
    gemm_error_vs_numpy: `native: gemm-error K = 4096 x ${nd.trials} tc:h100 (${nd.gemm_error_ms.tc_h100.toFixed(1)} ms) vs ${nd.gemm_error_ms.numpy} np.dot loop alone, over operands it was given (${nd.gemm_error_ms.numpy_dot_loop.toFixed(2)} ms)`,
    gemm_error_four_vs_numpy: `native: the same with the four accumulators (${nd.gemm_error_ms.four.toFixed(1)} ms)`,
    gemm_error_vs_numpy_cpu: `native: the tc:h100 ratio in CPU time (${nd.gemm_error_ms.tc_h100_cpu.toFixed(1)} ms vs ${nd.gemm_error_ms.numpy_dot_loop_cpu.toFixed(2)} ms; steadier under load)`,
    gemm_error_vs_numpy_e2e: `native: the same job end to end, fp16 inputs: gemm-error --in fp16 --acc seq:fp32 (${nd.e2e_fp16_seq_fp32.gemm_error_ms.toFixed(1)} ms) vs numpy drawing, rounding to fp16, float32 dot + float64 reference, median/p95/max (bench/numpy_gemm_error.py, ${nd.e2e_fp16_seq_fp32.numpy_ms.toFixed(1)} ms)`,
    gemm_error_vs_numpy_e2e_cpu: `native: that ratio in CPU time (${nd.e2e_fp16_seq_fp32.gemm_error_cpu_ms.toFixed(1)} ms vs ${nd.e2e_fp16_seq_fp32.numpy_cpu_ms.toFixed(1)} ms)`,
    gemm_error_page_within_1s: `browser: m.gemmError K = 4096 x 1000 x 4 accumulators took ${wd.gemmError.ms.toFixed(0)} ms`,
  };
  return { ratios, targets, what };
}
function printDot(nd, wd) {
  console.log(`native dot products, K = 4096 x ${nd.trials} trials, fp8-e4m3 ~ normal:0:1 (CPU ms, median of ${nd.reps}):`);
  for (const [k, v] of Object.entries(nd.dot_ms)) {
    console.log(`  ${k.padEnd(22)} lanes ${v.lanes.toFixed(2).padStart(8)}  scalar kernel ${v.scalar.toFixed(2).padStart(8)}  ${v.ratio.toFixed(2)}x`);
  }
  console.log(`browser dot products, the same trials (wall ms per run, median of ${wd.rounds} samples of ${wd.repeat} runs):`);
  for (const [k, v] of Object.entries(wd.accumulators)) {
    console.log(`  ${k.padEnd(22)} lanes ${v.simdMs.toFixed(2).padStart(8)}  scalar kernel ${v.scalarMs.toFixed(2).padStart(8)}  ${(v.scalarMs / v.simdMs).toFixed(2)}x`);
  }
  console.log(`browser m.gemmError(${JSON.stringify(wd.gemmError.options)}): ${wd.gemmError.ms.toFixed(0)} ms (median of ${wd.gemmError.all.length})`);
}
function printRatios(ratios, targets, what) {
  console.log(`${"ratio".padEnd(56)} ${"measured".padStart(9)} ${"target".padStart(8)}  met  what`);
  for (const k of Object.keys(what)) {
    const v = ratios[k];
    const t = targets[k];
    if (v === undefined) {  // a path this CPU lacks (e.g. no AVX-512)
      console.log(`${k.padEnd(56)} ${"n/a".padStart(9)} ${"".padStart(8)}       ${what[k]}`);
      continue;
    }
    const met = t === undefined || t === null ? "   " : v >= t ? "yes" : "NO ";
    console.log(`${k.padEnd(56)} ${v.toFixed(v < 0.1 ? 4 : 2).padStart(8)}x ${t ? (`>= ${t}x`).padStart(8) : "".padStart(8)}  ${met}  ${what[k]}`);
  }
}

if (only === "dot") {
  const nd = nativeDot();
  const env = await startBrowser();
  let wd;
  try {
    wd = await webDot(await openBench(env));
  } finally {
    await env.close();
  }
  const { ratios, targets, what } = dotRatios(nd, wd);
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  printDot(nd, wd);
  console.log(`\ncpu: ${nd.cpu}; ${os.cpus().length} cores (shared: other builds may run; noisy); ${date}`);
  printRatios(ratios, targets, what);
  if (jsonPath) {
    writeFileSync(jsonPath, JSON.stringify({ date, cores: os.cpus().length, ratios, targets, cpu: nd.cpu,
      native: { dot: nd }, browser: { dot: wd } }, null, 2) + "\n");
    process.stderr.write(`bench: wrote ${jsonPath}\n`);
  }
  process.exit(0);
}

// ---- native: conversion (bench_kernels) ----
process.stderr.write(`bench: native fp32->fp16, ${elements} elements, ${rounds} rounds\n`);
const [kernelsText, native] = runNative("bench_kernels", ["--rounds", String(rounds), "--n", String(elements)]);

// ---- native: population (bench_population) ----
process.stderr.write(`bench: native population, ${popRounds} rounds\n`);
const nativePopulation = JSON.parse(execFileSync(path.join(benchDir, "bench_population"),
  ["--json", "--reps", String(popRounds)], { encoding: "utf8" }));

// ---- native: inspect's scan of a checkpoint (bench_inspect) ----
// 512 MB fp32 and bf16 files, and a 2 GB file for the memory check (--quick: 64 MB, no big file).
process.stderr.write("bench: native inspect scan (bench_inspect: writes its files under build/native/bench/data)\n");
const inspectTmp = mkdtempSync(path.join(os.tmpdir(), "mantissa-bench-inspect-"));
let inspectText, nativeInspect;
try {
  const file = path.join(inspectTmp, "inspect.json");
  inspectText = execFileSync(path.join(benchDir, "bench_inspect"),
    ["--mb", quick ? "64" : "512", "--rounds", String(popRounds), "--big-gb", quick ? "0" : "2",
      "--dir", path.join(repoRoot, "build", "native", "bench", "data"), "--json", file],
    { encoding: "utf8", cwd: repoRoot, maxBuffer: 1 << 24 });
  nativeInspect = JSON.parse(readFileSync(file, "utf8"));
} finally {
  rmSync(inspectTmp, { recursive: true, force: true });
}

// ---- native: block quantization (bench_blocks) ----
// 1M values (4 MB): short calls, so fewer of them are cut by other jobs on a shared machine.
const blockElements = quick ? 1 << 18 : 1 << 20;
process.stderr.write(`bench: native block quantization, ${blockElements} elements, ${rounds} rounds\n`);
const [blocksText, nativeBlocks] = runNative("bench_blocks", ["--rounds", String(rounds), "--n", String(blockElements)]);
const nativeDotResult = nativeDot();

// ---- browser ----
process.stderr.write("bench: headless Chromium (build/web/bench/)\n");
const env = await startBrowser();
let web;
try {
  const page = await openBench(env);
  web = await page.evaluate((o) => window.mantissaBench.run(o),
    { n: elements, rounds, weights: 1000000, steps: 100, popRounds, blockElements: quick ? 1 << 18 : 1 << 20 });
  process.stderr.write("bench: the JS API's convertArray on the page's thread vs a pool of Web Workers\n");
  web.workers = await page.evaluate((o) => window.mantissaBench.convertArrayWorkers(o), { n: elements, rounds: popRounds });
  web.dot = await webDot(page);
} finally {
  await env.close();
}

// ---- ratios ----
const wc = web.convert.ms;
// The limit: native memcpy of the same 64 MB of fp32 (bench_kernels, this
// run), and the browser's own copy of them (TypedArray.set, this page).
const nativeMemcpyMs = native.fp16_rne_ms["memcpy (fp32 in)"];
const browserCopyMs = wc["TypedArray.set (fp32 copy)"];
const ratios = {
  native_best_vs_memcpy: native.ratios.native_best_vs_memcpy,
  wasm_simd_vs_memcpy: nativeMemcpyMs / wc["wasm-simd128"],
  wasm_simd_vs_typedarray_set: browserCopyMs / wc["wasm-simd128"],
  wasm_memcpy_vs_native_memcpy: nativeMemcpyMs / browserCopyMs,
  wasm_simd_bf16_vs_memcpy: nativeMemcpyMs / wc["wasm-simd128 bf16"],
  native_avx512_vs_f16c: native.ratios.native_avx512_vs_f16c,
  wasm_simd_vs_float16array: wc["Float16Array"] / wc["wasm-simd128"],
  wasm_simd_vs_wasm_scalar: wc["wasm-scalar"] / wc["wasm-simd128"],
  native_simd_vs_f16c: native.ratios.native_simd_vs_f16c,
  native_simd_vs_numpy: native.ratios.native_simd_vs_numpy,
  native_f16c_vs_memcpy: native.ratios.native_f16c_vs_memcpy,
};
const pop = web.population.strategies;
const speedup = (name) => pop[name].scalarMs / pop[name].simdMs;
ratios.population_simd_vs_scalar_fp16 = speedup("fp16");
ratios.population_simd_vs_scalar_fp32_master = speedup("fp32-master");
ratios.population_simd_vs_scalar = Math.min(ratios.population_simd_vs_scalar_fp16,
  ratios.population_simd_vs_scalar_fp32_master);
// The per-weight streams: reported beside the headline, not part of it.
ratios.population_simd_vs_scalar_fp16_per_weight_near_one = speedup("fp16 per-weight, weights near 1");
ratios.population_simd_vs_scalar_fp32_master_per_weight_near_one = speedup("fp32-master per-weight, weights near 1");
ratios.population_simd_vs_scalar_fp16_per_weight_near_zero = speedup("fp16 per-weight, weights near 0");
for (const [k, v] of Object.entries(nativePopulation.ratios)) ratios[`native_population_simd_vs_scalar_${k}`] = v.ratio;
for (const [k, v] of Object.entries(nativeInspect.ratios)) ratios[`native_${k}`] = v;

// Block quantization (issue 14): SIMD vs the scalar reference, the smaller
// of MXFP8's and MXFP4's speed-ups, natively and in the browser.
const wb = web.blocks.ms;
const wasmBlockRatio = (f) => wb[`${f} scalar`] / wb[`${f} simd`];
ratios.mx_quantize_simd_vs_scalar = nativeBlocks.ratios.mx_quantize_simd_vs_scalar;
ratios.wasm_mx_quantize_simd_vs_scalar = Math.min(wasmBlockRatio("mxfp8-e4m3"), wasmBlockRatio("mxfp4"));
ratios.wasm_nvfp4_quantize_simd_vs_scalar = wasmBlockRatio("nvfp4");

const targets = {
  native_best_vs_memcpy: 0.9, wasm_simd_vs_memcpy: 0.8, wasm_simd_vs_typedarray_set: 0.9,
  wasm_memcpy_vs_native_memcpy: null, wasm_simd_bf16_vs_memcpy: null, native_avx512_vs_f16c: null,
  wasm_simd_vs_float16array: 6, wasm_simd_vs_wasm_scalar: 5, native_simd_vs_f16c: 0.8, native_simd_vs_numpy: 4,
  native_f16c_vs_memcpy: null, population_simd_vs_scalar: 4,
  mx_quantize_simd_vs_scalar: 4, wasm_mx_quantize_simd_vs_scalar: 4, wasm_nvfp4_quantize_simd_vs_scalar: null,
};
// The best pool against convertArray on the page's own thread (> 1: workers help).
const workerMs = Object.entries(web.workers.ms).filter(([k]) => k !== "this thread");
const [bestPool, bestPoolMs] = workerMs.reduce((a, b) => (b[1] < a[1] ? b : a));
ratios.convertarray_workers_vs_this_thread = web.workers.ms["this thread"] / bestPoolMs;
targets.convertarray_workers_vs_this_thread = null;

const dot = dotRatios(nativeDotResult, web.dot);
Object.assign(ratios, dot.ratios);
Object.assign(targets, dot.targets);

const what = {
  native_best_vs_memcpy: `native: fp32_to_fp16 Best (${native.best_path_fp16}) vs memcpy of the fp32 input`,
  wasm_simd_vs_memcpy: "browser wasm SIMD128 fp16 vs native memcpy of the same fp32 input",
  wasm_simd_vs_typedarray_set: "browser wasm SIMD128 fp16 vs the browser's TypedArray.set of the input",
  wasm_memcpy_vs_native_memcpy: "browser TypedArray.set copy vs native memcpy, same bytes",
  wasm_simd_bf16_vs_memcpy: "browser wasm SIMD128 bf16 vs native memcpy",
  native_avx512_vs_f16c: "native: AVX-512 vcvtps2ph (16 lanes) vs F16C (8 lanes)",
  wasm_simd_vs_float16array: `browser: wasm ${web.convert.simdImpl} vs new Float16Array(f32)`,
  wasm_simd_vs_wasm_scalar: "browser: wasm SIMD128 vs wasm scalar (core)",
  native_simd_vs_f16c: `native: Impl::Simd (${native.simd_isa}) vs F16C`,
  native_simd_vs_numpy: "native: Impl::Simd vs numpy astype(float16)",
  native_f16c_vs_memcpy: "native: F16C vs memcpy of the fp32 input",
  population_simd_vs_scalar: `browser: population ${web.population.simdImpl} vs scalar (min of fp16, fp32-master)`,
  population_simd_vs_scalar_fp16: "  fp16",
  population_simd_vs_scalar_fp32_master: "  fp32-master",
  population_simd_vs_scalar_fp16_per_weight_near_one: "browser: fp16, an increment per weight, weights near 1",
  population_simd_vs_scalar_fp32_master_per_weight_near_one: "browser: fp32-master, the same stream",
  population_simd_vs_scalar_fp16_per_weight_near_zero: "browser: fp16, weights near 0 (the binade step's worst case)",
  mx_quantize_simd_vs_scalar: `native: block quantization ${nativeBlocks.simd_path} vs scalar reference (min of MXFP8, MXFP4)`,
  wasm_mx_quantize_simd_vs_scalar: "browser: block quantization wasm-simd128 vs scalar reference (min of MXFP8, MXFP4)",
  wasm_nvfp4_quantize_simd_vs_scalar: "browser: NVFP4 quantization wasm-simd128 vs scalar reference",
  convertarray_workers_vs_this_thread: `browser: JS API convertArray fp16 in ${bestPool} (slices copied and transferred) vs on the page's thread`,
  ...dot.what,
};

const date = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const cores = os.cpus().length;
console.log(kernelsText.trimEnd());
console.log(inspectText.trimEnd());
console.log(`\nbrowser (${web.userAgent.match(/(Headless)?Chrome\/[\d.]+/)?.[0] ?? "chromium"}), fp32->fp16, ${elements} elements, median of ${rounds} interleaved rounds (ms):`);
for (const [k, v] of Object.entries(wc)) console.log(`  ${k.padEnd(28)} ${v.toFixed(2).padStart(10)}`);
console.log(`browser population, 1e6 weights x 100 steps, median of ${popRounds} interleaved rounds (ms):`);
console.log(`  ${"case".padEnd(40)} ${"scalar".padStart(9)} ${web.population.simdImpl.padStart(13)}`);
for (const [k, v] of Object.entries(pop)) {
  console.log(`  ${k.padEnd(40)} ${v.scalarMs.toFixed(1).padStart(9)} ${v.simdMs.toFixed(1).padStart(13)}`);
}
console.log(`browser convertArray fp16, ${elements} elements, hardwareConcurrency ${web.workers.hardwareConcurrency}, median of ${popRounds} interleaved rounds (ms):`);
for (const [k, v] of Object.entries(web.workers.ms)) console.log(`  ${k.padEnd(28)} ${v.toFixed(2).padStart(10)}`);
console.log(`\n${blocksText.trimEnd()}`);
console.log(`browser block quantization, ${web.blocks.n} elements, median of ${web.blocks.rounds} interleaved rounds:`);
console.log(`  ${"variant".padEnd(28)} ${"ms".padStart(10)} ${"G elem/s".padStart(10)}`);
for (const [k, v] of Object.entries(wb)) {
  console.log(`  ${k.padEnd(28)} ${v.toFixed(2).padStart(10)} ${web.blocks.gPerS[k].toFixed(3).padStart(10)}`);
}
const mb = elements * 4 / 2 ** 20;
console.log(`\ncpu: ${native.cpu.model}; features: ${native.cpu.features.join(" ")}`);
console.log(`bytes: every conversion reads ${mb} MB of fp32 and writes ${mb / 2} MB; memcpy and TypedArray.set read ${mb} MB and write ${mb} MB`);
console.log(`${date}, ${cores} cores (shared: other builds may run; noisy)`);
printDot(nativeDotResult, web.dot);
printRatios(ratios, targets, what);

if (jsonPath) {
  const out = {
    date, cores, elements, rounds, popRounds,
    ratios,
    targets,
    cpu: native.cpu,
    bytes: { conversion_read: elements * 4, conversion_written: elements * 2, copy_read: elements * 4, copy_written: elements * 4 },
    native: { fp16_rne_ms: native.fp16_rne_ms, fp16_rne_g_elements_per_s: native.fp16_rne_g_elements_per_s,
      other_kernels_g_elements_per_s: native.other_kernels_g_elements_per_s, best_path_fp16: native.best_path_fp16,
      forced_path: native.forced_path, simd_isa: native.simd_isa,
      population: nativePopulation, inspect: nativeInspect, blocks: nativeBlocks, dot: nativeDotResult },
    browser: { userAgent: web.userAgent, convert: web.convert, population: web.population, convertArrayWorkers: web.workers,
      blocks: web.blocks, dot: web.dot },
  };
  writeFileSync(jsonPath, JSON.stringify(out, null, 2) + "\n");
  process.stderr.write(`bench: wrote ${jsonPath}\n`);
}
