// The in-browser half of scripts/bench: block quantization (MXFP8, MXFP4,
// NVFP4: SIMD128 vs scalar, beside fp32 -> fp16), fp32 -> fp16 over 16M elements
// (wasm SIMD128 vs the core's scalar loop in wasm vs `new Float16Array(f32)`,
// and fp32 -> bf16 in SIMD128, and a plain TypedArray.set copy of the input)
// and the population update (1e6 weights x 100 steps, fp16 and fp32-master,
// SIMD vs scalar kernel), all in this one page. Every variant runs once as a
// warm-up first (V8 starts wasm in its baseline tier, TOOLCHAIN.md pitfall
// 20), results are checked bit-identical before anything is timed, then the
// variants are timed in interleaved rounds (the order rotates every round)
// and the medians reported.
//
//   await window.mantissaBench.run({ n, rounds, weights, steps, popRounds })
import MantissaBench from "./bench_wasm.mjs";

const status = document.getElementById("status");
const mod = await MantissaBench();

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

// Standard normal values from a fixed seed (xorshift32 + Box-Muller).
function fillNormal(array, seed) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  for (let i = 0; i < array.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const t = 2 * Math.PI * next();
    array[i] = r * Math.cos(t);
    if (i + 1 < array.length) array[i + 1] = r * Math.sin(t);
  }
}

function firstDifference(a, b) {
  for (let i = 0; i < a.length; ++i) if (a[i] !== b[i]) return i;
  return -1;
}

// Times each variant `rounds` times, interleaved, the order rotating per round.
// variants: { name: { before?(), run() } }; returns { name: [ms, ...] }.
function interleaved(variants, rounds) {
  const names = Object.keys(variants);
  const times = Object.fromEntries(names.map((k) => [k, []]));
  for (let r = 0; r < rounds; ++r) {
    for (let j = 0; j < names.length; ++j) {
      const name = names[(r + j) % names.length];
      const v = variants[name];
      if (v.before) v.before();
      const t0 = performance.now();
      v.run();
      times[name].push(performance.now() - t0);
    }
  }
  return times;
}

// "TypedArray.set" is the browser's own copy of the same 64 MB of fp32 (one
// preallocated Float32Array into another): the speed a page gets for moving
// those bytes without converting them. The conversions read the same 64 MB
// and write 32 MB.
function convertBench(n, rounds) {
  const inPtr = mod.alloc(n * 4);
  const outScalar = mod.alloc(n * 2);
  const outSimd = mod.alloc(n * 2);
  const outBf16 = mod.alloc(n * 2);
  const outBf16Scalar = mod.alloc(n * 2);
  try {
    const input = new Float32Array(n);
    fillNormal(input, 20261129);
    mod.HEAPF32.set(input, inPtr >>> 2);
    const copy = new Float32Array(n);
    let f16 = null;
    const variants = {
      "wasm-simd128": { run: () => mod.fp32ToFp16(inPtr, outSimd, n, "simd") },
      "wasm-scalar": { run: () => mod.fp32ToFp16(inPtr, outScalar, n, "scalar") },
      "Float16Array": { run: () => { f16 = new Float16Array(input); } },
      "wasm-simd128 bf16": { run: () => mod.fp32ToBf16(inPtr, outBf16, n, "simd") },
      "TypedArray.set (fp32 copy)": { run: () => copy.set(input) },
    };
    for (const v of Object.values(variants)) v.run();  // warm-up (tier-up)
    mod.fp32ToBf16(inPtr, outBf16Scalar, n, "scalar");
    const u16 = (ptr) => mod.HEAPU16.subarray(ptr >>> 1, (ptr >>> 1) + n);
    const simd = u16(outSimd);
    const scalar = u16(outScalar);
    const native = new Uint16Array(f16.buffer, f16.byteOffset, n);
    const d1 = firstDifference(simd, scalar);
    const d2 = firstDifference(simd, native);
    if (d1 >= 0 || d2 >= 0) {
      const i = d1 >= 0 ? d1 : d2;
      throw new Error(`fp32->fp16 results differ at ${i} (input ${input[i]}): simd ${simd[i]}, scalar ${scalar[i]}, Float16Array ${native[i]}`);
    }
    const d3 = firstDifference(u16(outBf16), u16(outBf16Scalar));
    if (d3 >= 0) throw new Error(`fp32->bf16 results differ at ${d3} (input ${input[d3]})`);
    if (firstDifference(copy, input) >= 0) throw new Error("TypedArray.set did not copy");
    const times = interleaved(variants, rounds);
    return { n, rounds, simdImpl: mod.simdImplName(), ms: Object.fromEntries(Object.entries(times).map(([k, t]) => [k, median(t)])), all: times };
  } finally {
    for (const p of [inPtr, outScalar, outSimd, outBf16, outBf16Scalar]) mod.free(p);
  }
}

// Block quantization (issue 14): MXFP8 (e4m3), MXFP4 and NVFP4 codes from
// the same normal values (every 64th x100), SIMD128 kernel vs its scalar
// reference in wasm, and fp32 -> fp16 (SIMD128) timed in the same
// interleaved rounds as the yardstick. Codes are checked equal first.
const blockFormats = ["mxfp8-e4m3", "mxfp4", "nvfp4"];
async function blocksBench(n, rounds) {
  const inPtr = mod.alloc(n * 4);
  const bufs = [];
  const buf = (bytes) => { const p = mod.alloc(bytes); bufs.push(p); return p; };
  try {
    const input = new Float32Array(n);
    fillNormal(input, 20261201);
    for (let i = 0; i < n; i += 64) input[i] *= 100;
    mod.HEAPF32.set(input, inPtr >>> 2);
    const variants = {};
    const paths = {};
    for (const format of blockFormats) {
      const out = {};
      for (const impl of ["scalar", "simd"]) {
        const scales = buf(n), elements = buf(n);
        const path = mod.quantizeBlocks(inPtr, scales, elements, n, format, impl);  // warm-up
        if (path.startsWith("!")) throw new Error(path.slice(1));
        paths[`${format} ${impl}`] = path;
        out[impl] = { scales, elements };
        variants[`${format} ${impl}`] = { run: () => mod.quantizeBlocks(inPtr, scales, elements, n, format, impl) };
      }
      // One scale per block (nvfp4: 16 values, MX: 32), one code per value.
      const count = { scales: Math.ceil(n / (format === "nvfp4" ? 16 : 32)), elements: n };
      for (const part of ["scales", "elements"]) {
        const u8 = (ptr) => mod.HEAPU8.subarray(ptr, ptr + count[part]);
        const d = firstDifference(u8(out.simd[part]), u8(out.scalar[part]));
        if (d >= 0) throw new Error(`${format}: SIMD and scalar ${part} differ at ${d}`);
      }
    }
    // V8 tiers a wasm function up only between calls, after some work in
    // its baseline code, and compiles the optimised code on a background
    // thread, which a loaded machine can starve: one long call of a kernel
    // may all run unoptimised. Many short calls, then a pause for the
    // compiler, twice, so each kernel is optimised before it is timed.
    const warmScales = buf(n), warmElements = buf(n);
    for (let pass = 0; pass < 2; ++pass) {
      for (const format of blockFormats) {
        for (let i = 0; i < 200; ++i) mod.quantizeBlocks(inPtr, warmScales, warmElements, Math.min(n, 4096), format, "simd");
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const out16 = buf(n * 2);
    variants["fp32->fp16 wasm-simd128"] = { run: () => mod.fp32ToFp16(inPtr, out16, n, "simd") };
    variants["fp32->fp16 wasm-simd128"].run();
    const times = interleaved(variants, rounds);
    const ms = Object.fromEntries(Object.entries(times).map(([k, t]) => [k, median(t)]));
    const gPerS = Object.fromEntries(Object.entries(ms).map(([k, t]) => [k, n / (t / 1000) / 1e9]));
    return { n, rounds, paths, ms, gPerS, all: times };
  } finally {
    mod.free(inPtr);
    for (const p of bufs) mod.free(p);
  }
}

// Cases by name: the two broadcast ones are the headline ratio; the
// per-weight streams show the kernels beyond the tutorial's constant stream
// (bench_wasm.cpp describes the shapes).
const populationCases = [
  { name: "fp16", strategy: "fp16", shape: "broadcast" },
  { name: "fp32-master", strategy: "fp32", shape: "broadcast" },
  { name: "fp16 per-weight, weights near 1", strategy: "fp16", shape: "near-one" },
  { name: "fp32-master per-weight, weights near 1", strategy: "fp32", shape: "near-one" },
  { name: "fp16 per-weight, weights near 0", strategy: "fp16", shape: "near-zero" },
];

function populationBench(weights, steps, rounds) {
  const out = { weights, steps, rounds, simdImpl: mod.populationSimdName(), strategies: {} };
  for (const { name, strategy, shape } of populationCases) {
    const prepare = () => {
      const error = mod.populationPrepare(weights, steps, shape);
      if (error) throw new Error(error);
    };
    const sums = {};
    for (const impl of ["scalar", "simd"]) {  // warm-up and bit-identity check
      prepare();
      mod.populationRun(strategy, impl);
      sums[impl] = mod.populationChecksum(strategy);
    }
    if (sums.scalar !== sums.simd) throw new Error(`population ${name}: SIMD and scalar results differ`);
    const variants = {};
    for (const impl of ["scalar", "simd"]) variants[impl] = { before: prepare, run: () => mod.populationRun(strategy, impl) };
    const times = interleaved(variants, rounds);
    out.strategies[name] = { shape, checksum: sums.simd, scalarMs: median(times.scalar), simdMs: median(times.simd), all: times };
  }
  return out;
}

// Would a pool of Web Workers make the JS API's convertArray faster on big
// arrays? Each worker (web/examples/api-worker.js) holds its own instance of
// mantissa.mjs, so without SharedArrayBuffer a slice must be copied out of the
// caller's array, transferred, copied into the worker's wasm heap, converted,
// copied out and transferred back, then set into the result: three more copies
// of the data than convertArray on the calling thread, run in parallel. Timed
// end to end, as a caller would see it, against convertArray on this thread.
async function convertArrayWorkersBench(n, rounds, poolSizes) {
  const { default: Mantissa } = await import("../mantissa.mjs");
  const m = await Mantissa();
  const input = new Float32Array(n);
  fillNormal(input, 20261201);
  const pools = {};
  for (const size of poolSizes) {
    pools[size] = Array.from({ length: size }, () =>
      new Worker(new URL("../examples/api-worker.js", import.meta.url), { type: "module" }));
  }
  const ask = (worker, message) => new Promise((resolve, reject) => {
    worker.onmessage = (e) => (e.data.error ? reject(new Error(e.data.error)) : resolve(e.data.bits));
    worker.onerror = (e) => reject(new Error(e.message || "worker error"));
    worker.postMessage(message, [message.input.buffer]);
  });
  const inWorkers = async (pool) => {
    const out = new Uint16Array(n);
    const step = Math.ceil(n / pool.length);
    await Promise.all(pool.map(async (worker, i) => {
      const lo = Math.min(n, i * step), hi = Math.min(n, lo + step);
      out.set(await ask(worker, { format: "fp16", input: input.slice(lo, hi) }), lo);
    }));
    return out;
  };
  try {
    const reference = m.convertArray(input, "fp16");
    for (const size of poolSizes) {  // warm-up: every worker compiles its module; check the bits
      const got = await inWorkers(pools[size]);
      const d = firstDifference(got, reference);
      if (d >= 0) throw new Error(`convertArray in ${size} workers differs at ${d}`);
    }
    const times = { "this thread": [] };
    for (const size of poolSizes) times[`${size} workers`] = [];
    const names = Object.keys(times);
    for (let r = 0; r < rounds; ++r) {
      for (let j = 0; j < names.length; ++j) {
        const name = names[(r + j) % names.length];
        const t0 = performance.now();
        if (name === "this thread") m.convertArray(input, "fp16");
        else await inWorkers(pools[parseInt(name, 10)]);
        times[name].push(performance.now() - t0);
      }
    }
    return { n, rounds, hardwareConcurrency: navigator.hardwareConcurrency,
      ms: Object.fromEntries(names.map((k) => [k, median(times[k])])), all: times };
  } finally {
    for (const pool of Object.values(pools)) for (const worker of pool) worker.terminate();
  }
}

// The dot-product kernels on the trials gemm-error draws (K = 4096,
// fp8-e4m3, bench_wasm.cpp): wasm SIMD128 lanes vs the scalar kernel, bit
// digests checked equal; then the Accumulation panel's heavy case through
// the JS API the panel's figures come from, m.gemmError: K = 4096 x 1000
// trials x four accumulators, timed end to end (draws, exact reference,
// statistics included).
const dotAccumulators = ["tc:h100", "blocked:tc:h100:128", "seq:fp32", "blocked:fp32:128"];

// Each timed sample runs a variant `repeat` times (the lanes take a few ms
// per run: on a loaded machine single runs are mostly scheduling noise) and
// reports the time per run. Every accumulator and variant is warmed up
// before any is timed, then the page waits a moment: V8 compiles the
// optimized code of hot wasm functions in the background (pitfall 20), and
// timing the first accumulator right after its warm-up caught it half-tiered.
async function dotBench(trials, rounds, repeat = 3) {
  const error = mod.dotPrepare(trials);
  if (error) throw new Error(error);
  const out = { k: 4096, trials, rounds, repeat, simdImpl: mod.dotSimdName(), accumulators: {} };
  const digests = {};
  for (const acc of dotAccumulators) {
    const sums = { simd: mod.dotRun(acc, "simd"), scalar: mod.dotRun(acc, "scalar") };
    if (sums.simd.startsWith("error") || sums.simd !== sums.scalar) {
      throw new Error(`dot ${acc}: SIMD lanes and scalar kernel differ (${sums.simd} vs ${sums.scalar})`);
    }
    digests[acc] = sums.simd;
  }
  for (const acc of dotAccumulators) for (const impl of ["simd", "scalar"]) mod.dotRun(acc, impl);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const runs = (acc, impl) => ({ run: () => { for (let i = 0; i < repeat; ++i) mod.dotRun(acc, impl); } });
  for (const acc of dotAccumulators) {
    const times = interleaved({ simd: runs(acc, "simd"), scalar: runs(acc, "scalar") }, rounds);
    for (const k of Object.keys(times)) times[k] = times[k].map((t) => t / repeat);
    out.accumulators[acc] = { digest: digests[acc], simdMs: median(times.simd), scalarMs: median(times.scalar), all: times };
  }
  const { default: Mantissa } = await import("../mantissa.mjs");
  const m = await Mantissa();
  const options = { k: [4096], in: "fp8-e4m3", dist: "normal:0:1", acc: dotAccumulators, trials: 1000, seed: 1 };
  m.gemmError(options);  // warm-up (tier-up)
  const gemm = [];
  let report = null;
  for (let r = 0; r < rounds; ++r) {
    const t0 = performance.now();
    report = m.gemmError(options);
    gemm.push(performance.now() - t0);
  }
  out.gemmError = { options, ms: median(gemm), all: gemm, rows: report.rows };
  return out;
}

// The trainer's matrix products (bench/gemm_bench.h: one training step's
// five products of the digits MLP, x 45 steps) per model: the GEMM lanes in
// SIMD128 vs their scalar reference vs the per-dot path the trainer had
// before, digests checked equal first; then one epoch of the 8 recipes with
// the best dot kernel vs the scalar one (parameters' digests checked equal).
// Every case and path runs one sample's worth (steps) before any is timed,
// then the page waits a moment, as dotBench does (pitfall 20): with one step
// of warm-up the first case's samples were still speeding up round by round
// (seq:fp32 fp32's SIMD path 30, 13, 10, 12, 7 ms), its median measuring V8's
// tier-up rather than the kernels.
async function gemmBench(rounds, steps) {
  const out = { rounds, steps, simdImpl: mod.dotSimdName(), cases: {} };
  const paths = ["simd", "scalar", "per-dot"];
  const sums = [];
  for (let i = 0; mod.gemmPrepare(i); ++i) {
    sums.push(paths.map((p) => mod.gemmRun(p, 1)));
    for (const p of paths) mod.gemmRun(p, steps);
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (let i = 0; ; ++i) {
    const label = mod.gemmPrepare(i);
    if (!label) break;
    const s = sums[i];
    if (!s[0] || s.some((d) => d !== s[0])) throw new Error(`gemm ${label}: paths differ (${s.join(", ")})`);
    const times = interleaved(Object.fromEntries(paths.map((p) => [p, { run: () => mod.gemmRun(p, steps) }])), rounds);
    const ms = Object.fromEntries(paths.map((p) => [p, median(times[p])]));
    out.cases[label] = { digest: s[0], ms, simdVsScalar: ms.scalar / ms.simd, simdVsPerDot: ms["per-dot"] / ms.simd, all: times };
  }
  out.gemmSimdVsScalar = Math.min(...Object.values(out.cases).map((c) => c.simdVsScalar));
  return out;
}

const trainRecipes = "fp32,fp16,fp16-amp,fp16-master-noscale,bf16,bf16-kahan,bf16-sr,fp8";

async function trainBench(rounds) {
  const sums = { best: mod.trainEpoch(trainRecipes, "best"), scalar: mod.trainEpoch(trainRecipes, "scalar") };
  if (sums.best.startsWith("!") || sums.best !== sums.scalar) throw new Error(`train: kernels differ (${sums.best} vs ${sums.scalar})`);
  const times = interleaved({ best: { run: () => mod.trainEpoch(trainRecipes, "best") },
    scalar: { run: () => mod.trainEpoch(trainRecipes, "scalar") } }, rounds);
  const ms = { best: median(times.best), scalar: median(times.scalar) };
  return { recipes: trainRecipes, digest: sums.best, ms, epochSimdVsScalar: ms.scalar / ms.best, all: times };
}

window.mantissaBench = {
  // The trainer's GEMM and one 8-recipe epoch (bench/train_chromium.mjs).
  async gemm({ rounds = 5, steps = 45 } = {}) {
    return gemmBench(rounds, steps);
  },
  async train({ rounds = 3 } = {}) {
    return trainBench(rounds);
  },
  // Only the dot products (scripts/bench runs them after run()).
  async dot({ trials = 1000, rounds = 5, repeat = 3 } = {}) {
    return dotBench(trials, rounds, repeat);
  },
  async run({ n = 1 << 24, rounds = 9, weights = 1000000, steps = 100, popRounds = 5, blockElements = 1 << 20 } = {}) {
    status.textContent = "running…";
    const convert = convertBench(n, rounds);
    const population = populationBench(weights, steps, popRounds);
    // The scalar reference is slow (the core's rounding, ~0.2-0.4 us per
    // element in wasm): 1M elements keep the rounds to seconds.
    const blocks = await blocksBench(Math.min(n, blockElements), rounds);
    status.textContent = "done";
    return { userAgent: navigator.userAgent, convert, population, blocks };
  },
  // The pool sizes: 2, and the machine's core count when it has more (at most 8).
  async convertArrayWorkers({ n = 1 << 24, rounds = 5 } = {}) {
    const cores = Math.min(8, navigator.hardwareConcurrency || 2);
    return convertArrayWorkersBench(n, rounds, cores > 2 ? [2, cores] : [2]);
  },
};
status.textContent = "ready";
