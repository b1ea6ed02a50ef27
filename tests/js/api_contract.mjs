// The JavaScript API's contract, the same in every host that runs
// mantissa.mjs: a page in Chromium (tests/browser/api_cli.test.mjs) and Node
// and Deno with the npm tarball (tests/js/package.test.mjs).
//
// Every result equals what the CLI prints with --json, key for key, for the
// shared cases in api_cases.json; errors are thrown as Error with the CLI's
// sentence; the module frees what it allocates.
//
// A host is described by two functions:
//   call(fn, args)  runs globalThis.mantissaApi[fn](...args) in the host and
//                   returns the result, or { error, isError } if it threw;
//   run(fn, arg)    runs fn(arg) in the host (fn must be self-contained: a
//                   browser host serialises it) and returns its result. fn
//                   finds the module at globalThis.mantissaApi.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const cases = JSON.parse(readFileSync(new URL("./api_cases.json", import.meta.url), "utf8"));
export const cli = process.env.MANTISSA_CLI ??
  [path.join(repoRoot, "build", "native", "mantissa"), path.join(repoRoot, "build", "dev-share", "mantissa")].find(existsSync);

// The CLI's answer: parsed JSON, or { error } with the message after "mantissa: ".
export function runCli(args) {
  try {
    return JSON.parse(execFileSync(cli, [...args, "--json"], { encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "pipe"] }));
  } catch (e) {
    if (e.status !== 2) throw e;
    return { error: String(e.stderr).trim().replace(/^mantissa: /, "") };
  }
}

export function convertFlags([value, format, options]) {
  const flags = ["convert", value, "--to", format];
  if (options.from) flags.push("--from", options.from);
  if (options.via) flags.push("--via", options.via);
  if (options.round) flags.push("--round", options.round);
  if (options.seed !== undefined) flags.push("--seed", String(options.seed));
  if (options.saturate) flags.push("--saturate");
  if (options.ftz) flags.push("--ftz");
  return flags;
}

function explainFlags([op, a, b, options]) {
  const flags = ["explain", op, a, b];
  if (options.c) flags.push(options.c);
  flags.push("--format", options.format);
  if (options.aFormat) flags.push("--a-format", options.aFormat);
  if (options.bFormat) flags.push("--b-format", options.bFormat);
  if (options.round) flags.push("--round", options.round);
  if (options.saturate) flags.push("--saturate");
  return flags;
}

const SIM_FLAGS = { w0: "--w0", inc: "--inc", grad: "--grad", lr: "--lr", seed: "--seed", steps: "--steps",
  strategies: "--strategies", gradFormat: "--grad-format", lossScale: "--loss-scale", population: "--population",
  init: "--init", reference: "--reference" };
export function simulateFlags(options) {
  const flags = ["simulate"];
  for (const [key, flag] of Object.entries(SIM_FLAGS)) {
    if (options[key] === undefined) continue;
    flags.push(flag, Array.isArray(options[key]) ? options[key].join(",") : String(options[key]));
  }
  if (options.trajectory) flags.push("--trajectory");
  return flags;
}

export function dotFlags([a, b, options]) {
  const flags = ["dot", "--a", a.join(","), "--b", b.join(",")];
  if (options.in !== undefined) flags.push("--in", options.in);
  if (options.acc !== undefined) flags.push("--acc", options.acc);
  if (options.c !== undefined) flags.push("--c", options.c);
  return flags;
}

// Lists as api.js joins them: K with commas, accumulators with ';' (names hold commas).
export function gemmErrorFlags(options) {
  const flags = ["gemm-error"];
  const list = (v, sep) => (Array.isArray(v) ? v.join(sep) : String(v));
  if (options.k !== undefined) flags.push("--k", list(options.k, ","));
  if (options.in !== undefined) flags.push("--in", options.in);
  if (options.dist !== undefined) flags.push("--dist", options.dist);
  if (options.acc !== undefined) flags.push("--acc", list(options.acc, ";"));
  if (options.trials !== undefined) flags.push("--trials", String(options.trials));
  if (options.seed !== undefined) flags.push("--seed", String(options.seed));
  return flags;
}

// As api.js maps train's options: recipes join with ';', a model array with '-'.
const TRAIN_FLAGS = { data: "--data", dataSeed: "--data-seed", model: "--model", optimizer: "--optimizer",
  recipes: "--recipes", epochs: "--epochs", batch: "--batch", seed: "--seed", trainSubset: "--train-subset",
    lossWeight: "--loss-weight" };
export function trainFlags(options) {
  const flags = ["train"];
  for (const [key, flag] of Object.entries(TRAIN_FLAGS)) {
    const v = options[key];
    if (v === undefined) continue;
    flags.push(flag, Array.isArray(v) ? v.join(key === "recipes" ? ";" : key === "model" ? "-" : ",") : String(v));
  }
  return flags;
}

// As api.js maps quantize's options; values go into one --values list.
export function quantizeFlags([values, options]) {
  const flags = ["quantize"];
  if (options.format !== undefined) flags.push("--format", options.format);
  if (options.scaleRule !== undefined) flags.push("--scale-rule", options.scaleRule);
  if (options.block !== undefined) flags.push("--block", String(options.block));
  if (options.round !== undefined) flags.push("--round", options.round);
  if (options.seed !== undefined) flags.push("--seed", String(options.seed));
  if (options.pad) flags.push("--pad", "zero");
  flags.push("--values", values.join(","));
  return flags;
}

// As api.js maps inspect's options (chunkBytes and signal are not flags).
export function inspectFlags(options) {
  const flags = ["inspect"];
  const map = { formats: "--formats", scale: "--scale", lr: "--lr", gradStd: "--grad-std", tensors: "--tensors" };
  for (const [key, flag] of Object.entries(map)) {
    if (options[key] !== undefined) flags.push(flag, Array.isArray(options[key]) ? options[key].join(",") : String(options[key]));
  }
  return flags;
}

// The generated checkpoint of tests/js/make_checkpoint.py, in a fresh temp
// dir: { dir, names, files: [{name, bytes: number[]}] } (bytes as a plain
// array so a browser host can receive them), and cleanup().
export function generatedCheckpoint() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mantissa-inspect-"));
  const names = JSON.parse(execFileSync("/usr/bin/python3", [path.join(repoRoot, "tests", "js", "make_checkpoint.py"), dir],
    { encoding: "utf8" }));
  const files = names.map((name) => ({ name, bytes: Array.from(readFileSync(path.join(dir, name))) }));
  return { dir, names, files, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

// `mantissa inspect NAMES... FLAGS --json` run in `dir` (so the report's
// "file" is the bare name, as the API's inputs are named).
export function runCliInspect(dir, names, flags) {
  try {
    return JSON.parse(execFileSync(cli, [flags[0], ...names, ...flags.slice(1), "--json"],
      { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  } catch (e) {
    if (e.status !== 2) throw e;
    return { error: String(e.stderr).trim().replace(/^mantissa: /, "") };
  }
}

// An inspect report equal to the CLI's, key for key. Every figure is the
// same double except SQNR, 10*log10(sum x^2 / sum e^2): both sums agree bit
// for bit, but the C libraries' log10 (glibc natively, musl in wasm) may
// differ in the last place, so SQNR is compared to 14 significant digits.
export function assertSameInspectReport(got, expected, what) {
  // SQNR = 10 log10(signal / noise) of sums that agree bit for bit; glibc's and
  // musl's log10 may differ in the last place, so SQNRs agree to 1e-12 relative
  // (rounding both to a fixed number of digits would not do: one ulp can cross
  // a rounding boundary). Everything else must be equal.
  const sqnrs = (report) => {
    const out = [];
    const rest = JSON.parse(JSON.stringify(report, (key, value) => {
      if (key === "sqnr_db" && typeof value === "number") {
        out.push(value);
        return "sqnr";
      }
      return value;
    }));
    return { rest, out };
  };
  const a = sqnrs(got), b = sqnrs(expected);
  assert.deepEqual(a.rest, b.rest, what);
  a.out.forEach((x, i) => {
    const y = b.out[i];
    assert.ok(x === y || Math.abs(x - y) <= 1e-12 * Math.abs(y), `${what}: sqnr_db ${x} vs ${y}`);
  });
}

// An error result must have been an Error (not a string or a TypeError-less throw).
function withoutErrorFlag(got, what) {
  if (got && got.error !== undefined) assert.equal(got.isError, true, `${what}: threw something that is not an Error`);
  if (got) delete got.isError;
  return got;
}

export function defineApiContract(host, { call, run }) {
  describe(`JavaScript API in ${host} against the CLI`, { skip: !cli && "no native mantissa CLI built" }, () => {
    test("convert: every shared case gives the CLI's JSON or its error", async () => {
      for (const c of cases.convert) {
        const got = withoutErrorFlag(await call("convert", c), `convert ${JSON.stringify(c)}`);
        assert.deepEqual(got, runCli(convertFlags(c)), `convert ${JSON.stringify(c)}`);
      }
    });

    test("decode(bits, format) is the CLI's convert of the pattern into its own format", async () => {
      for (const [bits, format] of [["0x3c7c", "fp16"], ["0x7e00", "fp16"], ["0x80", "fp8-e4m3"], ["0x3f8f8f6d", "fp32"]]) {
        const expected = runCli(["convert", bits, "--to", format, "--from", format]);
        assert.deepEqual(await call("decode", [bits, format]), expected, `decode ${bits} ${format}`);
      }
      // Numbers are bit patterns too.
      assert.deepEqual(await call("decode", [0x3c00, "fp16"]), runCli(["convert", "0x3c00", "--to", "fp16", "--from", "fp16"]));
    });

    test("explain: every shared case gives the CLI's JSON or its error", async () => {
      for (const c of cases.explain) {
        const got = withoutErrorFlag(await call("explain", c), `explain ${JSON.stringify(c)}`);
        assert.deepEqual(got, runCli(explainFlags(c)), `explain ${JSON.stringify(c)}`);
      }
    });

    test("simulate: every shared case gives the CLI's JSON or its error", async () => {
      for (const c of cases.simulate) {
        const expected = runCli(simulateFlags(c));
        const got = withoutErrorFlag(await call("simulate", [c]), `simulate ${JSON.stringify(c)}`);
        // Which update kernels ran is the one platform-specific key (avx2+f16c natively, scalar or SIMD in wasm).
        if (expected.kernel !== undefined) {
          assert.equal(typeof got.kernel, "string");
          got.kernel = expected.kernel;
        }
        assert.deepEqual(got, expected, `simulate ${JSON.stringify(c)}`);
      }
    });

    test("dot: every shared case gives the CLI's JSON or its error", async () => {
      for (const c of cases.dot) {
        const got = withoutErrorFlag(await call("dot", c), `dot ${JSON.stringify(c)}`);
        assert.deepEqual(got, runCli(dotFlags(c)), `dot ${JSON.stringify(c)}`);
      }
    });

    test("gemmError: every shared case gives the CLI's JSON or its error", async () => {
      for (const c of cases.gemmError) {
        const got = withoutErrorFlag(await call("gemmError", [c]), `gemmError ${JSON.stringify(c)}`);
        assert.deepEqual(got, runCli(gemmErrorFlags(c)), `gemmError ${JSON.stringify(c)}`);
      }
    });

    // Training is deterministic: every recipe's figures are the same bits in
    // wasm as natively (the JSON's 17 significant digits pin each double).
    test("train: every shared case gives the CLI's JSON (same bits) or its error, with progress reported", async () => {
      for (const c of cases.train) {
        const expected = runCli(trainFlags(c));
        const got = withoutErrorFlag(await run(({ options }) => {
          const progress = [];
          try {
            const report = globalThis.mantissaApi.train(options, (p) => progress.push(p));
            return { report, progress };
          } catch (e) {
            return { report: { error: e.message, isError: e instanceof Error }, progress };
          }
        }, { options: c }).then((r) => {
          if (r.report.error === undefined) {
            assert.ok(r.progress.length >= 1 && r.progress.at(-1) === 1, `train progress ${JSON.stringify(r.progress)}`);
            for (let i = 1; i < r.progress.length; i++) assert.ok(r.progress[i] > r.progress[i - 1]);
          }
          return r.report;
        }), `train ${JSON.stringify(c)}`);
        // Which dot kernel ran is the one platform-specific key.
        if (expected.dot_kernel !== undefined) {
          assert.equal(typeof got.dot_kernel, "string");
          got.dot_kernel = expected.dot_kernel;
        }
        assert.deepEqual(got, expected, `train ${JSON.stringify(c)}`);
      }
    });

    test("quantize: every shared case gives the CLI's JSON or its error", async () => {
      for (const c of cases.quantize) {
        const got = withoutErrorFlag(await call("quantize", c), `quantize ${JSON.stringify(c)}`);
        assert.deepEqual(got, runCli(quantizeFlags(c)), `quantize ${JSON.stringify(c)}`);
      }
    });

    test("inspect: every shared case gives the CLI's inspect --json (or its error) on a generated checkpoint", async () => {
      const ck = generatedCheckpoint();
      try {
        for (const options of cases.inspect) {
          const expected = runCliInspect(ck.dir, ck.names, inspectFlags(options));
          const got = await run(async ({ files, options }) => {
            const m = globalThis.mantissaApi;
            const inputs = files.map((f) => ({ name: f.name, data: new Blob([new Uint8Array(f.bytes)]) }));
            let calls = 0;
            try {
              const report = await m.inspect(inputs, options, () => { calls++; });
              // The same files scanned apart (one piece per file, as the panel's
              // workers do) and merged: the same report, totals included.
              const pieces = [];
              for (const input of inputs) pieces.push(await m.inspect(input, { ...options, partial: true }));
              return { report, calls, merged: m.inspectMerge(pieces), pieceType: typeof pieces[0] };
            } catch (e) {
              return { error: e.message, isError: e instanceof Error };
            }
          }, { files: ck.files, options });
          if (got.error !== undefined) {
            assert.deepEqual(withoutErrorFlag(got, JSON.stringify(options)), expected, `inspect ${JSON.stringify(options)}`);
            continue;
          }
          assert.equal(typeof got.report, "object", `inspect ${JSON.stringify(options)}: ${JSON.stringify(got).slice(0, 200)}`);
          assertSameInspectReport(got.report, expected, `inspect ${JSON.stringify(options)}`);
          assert.equal(got.pieceType, "string");
          assertSameInspectReport(got.merged, expected, `inspect ${JSON.stringify(options)}, one piece per file, merged`);
          const bytes = ck.files.reduce((n, f) => n + f.bytes.length, 0);
          if (options.chunkBytes) assert.ok(got.calls >= Math.floor(bytes / options.chunkBytes), `${got.calls} progress calls`);
        }
      } finally {
        ck.cleanup();
      }
    });

    test("inspect: bytes and Blobs give one report; malformed files, cancellation and bad inputs are clear; no leaks", async () => {
      const ck = generatedCheckpoint();
      try {
        const r = await run(async ({ files }) => {
          const m = globalThis.mantissaApi;
          const out = {};
          const u8 = files.map((f) => new Uint8Array(f.bytes));
          const blob = await m.inspect(files.map((f, i) => ({ name: f.name, data: new Blob([u8[i]]) })));
          const bytes = await m.inspect(files.map((f, i) => ({ name: f.name, data: u8[i] })), { chunkBytes: 1 << 20 });
          out.same = JSON.stringify(blob) === JSON.stringify(bytes);
          const unnamed = await m.inspect([u8[1].buffer]);
          out.unnamed = [unnamed.tensors[0].file, unnamed.tensors[0].name];
          const attempt = async (name, fn) => {
            try { await fn(); out[name] = "no error"; } catch (e) { out[name] = (e.name === "AbortError" ? "AbortError: " : "") + e.message; }
          };
          await attempt("truncated", () => m.inspect({ name: "cut.safetensors", data: u8[0].subarray(0, u8[0].length - 3) }));
          await attempt("garbage", () => m.inspect({ name: "x.safetensors", data: new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255, 1]) }));
          await attempt("empty", () => m.inspect(new Uint8Array(0)));
          await attempt("notFile", () => m.inspect("model.safetensors"));
          await attempt("noFiles", () => m.inspect([]));
          await attempt("unknownOption", () => m.inspect(u8[1], { format: "fp16" }));
          await attempt("chunk", () => m.inspect(u8[1], { chunkBytes: 0 }));
          const before = m.heapInUse();
          const controller = new AbortController();
          let progress = 0;
          await attempt("aborted", () => m.inspect(new Blob([u8[0]]), { chunkBytes: 64, signal: controller.signal }, () => {
            if (++progress === 3) controller.abort();
          }));
          out.progressAtAbort = progress;
          await attempt("abortedEarly", () => m.inspect(u8[0], { signal: controller.signal }));
          for (let i = 0; i < 20; i++) {
            await m.inspect(files.map((f, k) => ({ name: f.name, data: u8[k] })), { formats: "fp16", chunkBytes: 333 });
            try { await m.inspect({ name: "cut.safetensors", data: u8[0].subarray(0, 100) }); } catch (e) { /* expected */ }
          }
          out.heap = [before, m.heapInUse()];
          return out;
        }, { files: ck.files });
        assert.equal(r.same, true);
        assert.deepEqual(r.unnamed, ["input-1", "input-1"]);
        assert.match(r.truncated, /^'cut\.safetensors': /);
        const whole = Buffer.from(ck.files[0].bytes);
        writeFileSync(path.join(ck.dir, "cut.safetensors"), whole.subarray(0, whole.length - 3));
        assert.equal(r.truncated, runCliInspect(ck.dir, ["cut.safetensors"], ["inspect"]).error);
        assert.match(r.garbage, /^'x\.safetensors': /);
        assert.match(r.empty, /^'input-1': /);
        assert.match(r.notFile, /must be a Blob, a File, an ArrayBuffer/);
        assert.equal(r.noFiles, "inspect needs at least one file");
        assert.match(r.unknownOption, /unknown option 'format'/);
        assert.match(r.chunk, /chunkBytes must be a whole number/);
        assert.equal(r.aborted, "AbortError: inspect was cancelled");
        assert.equal(r.progressAtAbort, 3);
        assert.equal(r.abortedEarly, "AbortError: inspect was cancelled");
        assert.equal(r.heap[1], r.heap[0], `heap in use ${r.heap[0]} -> ${r.heap[1]}`);
      } finally {
        ck.cleanup();
      }
    });

    // quantizeBlocks' codes and fp32 values against the CLI's report of the
    // same fp32 values (each passed as the shortest decimal of its double,
    // which the CLI reads back to that exact double).
    test("quantizeBlocks gives the CLI's scale and element bits, and its dequantized values in fp32", async () => {
      const values = [];
      let x = 99;
      for (let i = 0; i < 64; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        values.push(Math.fround(((x >>> 8) / 2 ** 24 - 0.5) * 2 ** ((x & 31) - 12)));
      }
      values[5] = 0;
      values[9] = Math.fround(7.9);  // near the top of a block: the ocp rule clips it in mxfp4
      const runs = [
        { format: "mxfp4" }, { format: "mxfp4", scaleRule: "ceil" }, { format: "mxfp6-e2m3", block: 16 },
        { format: "mxfp6-e3m2" }, { format: "mxfp8-e4m3", block: 8 }, { format: "mxfp8-e5m2" },
        { format: "mxint8", round: "stochastic", seed: 3 }, { format: "nvfp4" },
      ];
      const got = await run(({ values, runs }) => {
        const m = globalThis.mantissaApi;
        return runs.map((options) => {
          const q = m.quantizeBlocks(new Float32Array(values), options);
          return {
            types: [q.scales.constructor.name, q.elements.constructor.name, q.dequantized.constructor.name],
            scales: Array.from(q.scales), elements: Array.from(q.elements), dequantized: Array.from(q.dequantized),
            block: q.block, tensorScale: q.tensorScale, tensorDecode: q.tensorDecode,
          };
        });
      }, { values, runs });
      runs.forEach((options, r) => {
        const what = JSON.stringify(options);
        const cliReport = runCli(quantizeFlags([values.map(String), options]));
        const q = got[r];
        assert.deepEqual(q.types, ["Uint8Array", "Uint8Array", "Float32Array"], what);
        assert.equal(q.block, cliReport.block, what);
        assert.deepEqual(q.scales, cliReport.blocks.map((b) => Number(b.scale_bits)), what);
        const elements = cliReport.blocks.flatMap((b) => b.elements);
        assert.deepEqual(q.elements, elements.map((e) => Number(e.bits)), what);
        // The exact products have at most 31 significant bits: Number() is exact, fround the one rounding.
        assert.deepEqual(q.dequantized, elements.map((e) => Math.fround(Number(e.dequantized))), what);
        if (options.format === "nvfp4") {
          assert.equal(q.tensorScale, Number(cliReport.tensor_scale));
          assert.equal(q.tensorDecode, Number(cliReport.tensor_decode));
        } else {
          assert.equal(q.tensorScale, undefined, what);
        }
      });
      assert.ok(got[0].elements.every((e) => e < 16) && got[2].elements.every((e) => e < 64), "fp4/fp6 codes one per byte");
    });

    test("dequantizeBlocks inverts quantizeBlocks bit for bit; NaN blocks; clear errors", async () => {
      const r = await run(() => {
        const m = globalThis.mantissaApi;
        const out = { roundTrip: {} };
        const input = new Float32Array(96);
        for (let i = 0; i < input.length; i++) input[i] = Math.sin(i * 1.7) * 2 ** ((i % 23) - 11);
        input[40] = 3e38;  // ceil's scale: an element times it passes fp32's largest value
        for (const options of [{ format: "mxfp4" }, { format: "mxfp4", scaleRule: "ceil" }, { format: "mxfp6-e2m3" },
          { format: "mxfp8-e4m3", block: 7, pad: true }, { format: "mxint8" }, { format: "nvfp4" }]) {
          const q = m.quantizeBlocks(input, options);
          const back = m.dequantizeBlocks({ scales: q.scales, elements: q.elements, format: options.format,
            block: options.block, tensorScale: q.tensorScale });
          const a = new Uint32Array(back.buffer), b = new Uint32Array(q.dequantized.buffer);
          let mismatches = 0;
          for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) mismatches++;
          out.roundTrip[JSON.stringify(options)] = { type: back.constructor.name, n: back.length, mismatches };
        }
        const nan = m.quantizeBlocks(new Float32Array([NaN, 1, 2, 3, 1, 2, 3, 4]), { format: "mxfp8-e4m3", block: 4 });
        out.nan = { scales: Array.from(nan.scales), elements: Array.from(nan.elements), dequantized: Array.from(nan.dequantized) };
        const inf = m.quantizeBlocks(new Float32Array([1, -Infinity]), { format: "nvfp4", block: 2 });
        out.inf = { scales: Array.from(inf.scales), dequantized: Array.from(inf.dequantized) };
        const errors = {};
        const attempt = (name, fn) => { try { fn(); errors[name] = "no error"; } catch (e) { errors[name] = (e instanceof TypeError ? "TypeError: " : "") + e.message; } };
        const u8 = (...xs) => new Uint8Array(xs);
        attempt("lengths", () => m.dequantizeBlocks({ scales: u8(127), elements: new Uint8Array(33), format: "mxfp4" }));
        attempt("badCode", () => m.dequantizeBlocks({ scales: u8(127), elements: u8(1, 16), format: "mxfp4", block: 2 }));
        attempt("fp6Code", () => m.dequantizeBlocks({ scales: u8(127), elements: u8(64), format: "mxfp6-e3m2", block: 1 }));
        attempt("noTensorScale", () => m.dequantizeBlocks({ scales: u8(56), elements: u8(1), format: "nvfp4", block: 1 }));
        attempt("mxTensorScale", () => m.dequantizeBlocks({ scales: u8(127), elements: u8(1), format: "mxfp4", block: 1, tensorScale: 1 }));
        attempt("notFp32", () => m.dequantizeBlocks({ scales: u8(56), elements: u8(1), format: "nvfp4", block: 1, tensorScale: 0.1 }));
        attempt("negativeScale", () => m.dequantizeBlocks({ scales: u8(0xb8), elements: u8(1), format: "nvfp4", block: 1, tensorScale: 1 }));
        attempt("notTyped", () => m.dequantizeBlocks({ scales: [127], elements: [1], format: "mxfp4" }));
        attempt("unknownFormat", () => m.dequantizeBlocks({ scales: u8(127), elements: u8(1), format: "mxfp5", block: 1 }));
        attempt("badBlock", () => m.dequantizeBlocks({ scales: u8(127), elements: u8(1), format: "mxfp4", block: 0 }));
        attempt("multiple", () => m.quantizeBlocks(new Float32Array(33), { format: "mxfp4" }));
        attempt("empty", () => m.quantizeBlocks(new Float32Array(0), { format: "mxfp4" }));
        attempt("array", () => m.quantizeBlocks([1, 2], { format: "mxfp4" }));
        attempt("unknownOption", () => m.quantizeBlocks(new Float32Array(32), { format: "mxfp4", rule: "ceil" }));
        attempt("huge", () => m.quantizeBlocks(new Float32Array(2 ** 20 + 32), { format: "mxfp4" }));
        attempt("emptyReport", () => m.quantize([], { format: "mxfp4" }));
        out.errors = errors;
        const before = m.heapInUse();
        for (let i = 0; i < 200; i++) {
          const q = m.quantizeBlocks(input, { format: "nvfp4" });
          m.dequantizeBlocks({ scales: q.scales, elements: q.elements, format: "nvfp4", tensorScale: q.tensorScale });
          try { m.dequantizeBlocks({ scales: q.scales, elements: q.elements, format: "nvfp4" }); } catch (e) { /* expected */ }
          m.quantize(["1", "2"], { format: "mxfp4", block: 2 });
        }
        out.heap = [before, m.heapInUse()];
        return out;
      });
      for (const [what, got] of Object.entries(r.roundTrip)) assert.deepEqual(got, { type: "Float32Array", n: 96, mismatches: 0 }, what);
      assert.deepEqual(r.nan, { scales: [0xff, 0x79], elements: [0, 0, 0, 0, 0x68, 0x70, 0x74, 0x78], dequantized: [NaN, NaN, NaN, NaN, 1, 2, 3, 4] });
      assert.deepEqual(r.inf, { scales: [0x7f], dequantized: [NaN, NaN] });
      const e = r.errors;
      assert.equal(e.lengths, "33 elements in blocks of 32 need 2 scales; got 1");
      assert.equal(e.badCode, "element code 0x10 at index 1 is not a fp4-e2m1 code (0 to 15)");
      assert.equal(e.fp6Code, "element code 0x40 at index 0 is not a fp6-e3m2 code (0 to 63)");
      assert.equal(e.noTensorScale, "nvfp4 needs its per-tensor fp32 scale (s_enc)");
      assert.equal(e.mxTensorScale, "mxfp4 has no tensor scale (only nvfp4 has one)");
      assert.match(e.notFp32, /tensorScale 0\.1 is not an fp32 value/);
      assert.equal(e.negativeScale, "scale code 0xb8 of block 0 is negative; nvfp4 block scales are positive");
      assert.match(e.notTyped, /^TypeError: dequantizeBlocks: scales and elements must be Uint8Arrays/);
      assert.match(e.unknownFormat, /^unknown block format 'mxfp5'/);
      assert.equal(e.badBlock, "block size must be between 1 and 65536; got 0");
      assert.equal(e.multiple, "33 values is not a multiple of the block size 32; add --pad zero to quantize the last block as if zero-padded");
      assert.equal(e.empty, "no values to quantize");
      assert.match(e.array, /^TypeError: quantizeBlocks: input must be a Float32Array/);
      assert.match(e.unknownOption, /unknown option 'rule'/);
      assert.equal(e.huge, "1048608 values is more than the 1048576 quantizeBlocks accepts");
      assert.equal(e.emptyReport, "no values to quantize");
      assert.equal(r.heap[1], r.heap[0], `heap in use ${r.heap[0]} -> ${r.heap[1]}`);
    });
  });

  describe(`JavaScript API in ${host}: behaviour`, () => {
    test("dot: numbers are exact doubles, typed arrays work, one string is one value", async () => {
      const r = await run(() => {
        const m = globalThis.mantissaApi;
        const out = {};
        out.tenth = m.dot([0.1], [1], { in: "fp32", acc: "exact" }).exact;
        out.typed = m.dot(new Float32Array([1, 2]), new Float64Array([0.5, 0.25]), { in: "fp16", acc: "seq:fp16", c: 1 }).value;
        out.h100 = m.dot([1, 2 ** -7], [1, 2 ** -6], { in: "fp8-e4m3", acc: "tc:h100" }).value;
        out.h100Lost = m.dot([1, 2 ** -8], [1, 2 ** -6], { in: "fp8-e4m3", acc: "tc:h100" }).value;
        try { m.dot(["1,2"], ["1"], { in: "fp16", acc: "exact" }); } catch (e) { out.twoInOne = e.message; }
        try { m.dot("1,2", "1,2", { in: "fp16", acc: "exact" }); } catch (e) { out.notArray = e instanceof TypeError; }
        try { m.dot([1], [1], { in: "fp16", acc: "exact", k: 3 }); } catch (e) { out.unknown = e.message; }
        try { m.dot([1], [NaN], { in: "fp16", acc: "exact" }); } catch (e) { out.nan = e.message; }
        try { m.gemmError({ k: 16, in: "fp8-e4m3", acc: "tc:h100", trials: 1, count: 2 }); } catch (e) { out.gemmUnknown = e.message; }
        const g = m.gemmError({ k: [32], in: "fp8-e4m3", acc: ["tc:fma=8,neab=1", "exact"], trials: 3 });
        out.gemmAcc = g.rows.map((row) => row.acc);
        return out;
      });
      // 0.1 as a double, rounded (rne) into fp32: not the decimal 0.1.
      assert.equal(r.tenth, "0.100000001490116119384765625");
      assert.equal(r.typed, "2");
      assert.equal(r.h100, "1.0001220703125");  // 1 + 2^-13 survives
      assert.equal(r.h100Lost, "1");            // 2^-14 is truncated away
      assert.match(r.twoInOne, /^dot: a\[0\] '1,2' is not one value$/);
      assert.equal(r.notArray, true);
      assert.match(r.unknown, /unknown option 'k'/);
      assert.match(r.nan, /dot products take finite inputs/);
      assert.match(r.gemmUnknown, /unknown option 'count'/);
      assert.deepEqual(r.gemmAcc, ["tc:fma=8,neab=1,round=rz", "exact"]);
    });


    test("the tutorial's figures come out of the API", async () => {
      const r = await call("convert", ["1.12156456132", "fp16", { via: "fp32" }]);
      assert.equal(r.bits, "0x3c7c");
      assert.equal(r.value, "1.12109375");
      const sim = await call("simulate", [{ steps: 101, w0: "1.125", inc: "0.00041999", strategies: ["fp32-master", "fp16"] }]);
      assert.equal(sim.strategies.fp16.final, "1.125");
      assert.match(sim.strategies["fp32-master"].final, /^1\.1674/);
    });

    test("numbers are exact doubles, unknown options throw, scenarios round-trip", async () => {
      const r = await run(() => {
        const m = globalThis.mantissaApi;
        const out = {};
        out.number = m.convert(0.1, "fp64").bits;
        out.exactNumber = m.convert(0.1, "fp64").input;
        out.string = m.convert("0.1", "fp32").input;
        try { m.convert("1", "fp16", { rounding: "rne" }); } catch (e) { out.unknown = e.message; }
        const hash = m.encodeScenario({ panel: "add", addition: { a: "1.5", b_format: "bf16" } });
        out.hash = hash;
        out.decoded = m.decodeScenario("#" + hash);
        try { m.encodeScenario({ addition: { a_format: "fp17" } }); } catch (e) { out.badEncode = e.message; }
        out.bad = m.decodeScenario("#v=1&af=fp17&<script>=1");
        out.blocksHash = m.encodeScenario({ panel: "blocks", blocks: { format: "nvfp4", count: 48, outlier: "500" } });
        out.blocks = m.decodeScenario("#" + out.blocksHash).scenario.blocks;
        out.blocksBad = m.decodeScenario("#v=1&p=blocks&bkv=" + Array.from({ length: 65 }, (_, i) => i).join(",")).notices;
        out.dot = m.encodeScenario({ panel: "dot", accumulation: { ks: "16,64", acc: "seq:fp16;seq:fp32", trials: 9 } });
        out.dotBack = m.decodeScenario("#" + out.dot).scenario.accumulation;
        out.dotHostile = m.decodeScenario("#v=1&p=dot&dk=1000000000&dn=1000000000").notices;
        out.network = m.encodeScenario({ panel: "network", network: { data: "xor", recipes: "fp32,bf16", epochs: 3 } });
        out.networkBack = m.decodeScenario("#" + out.network).scenario.network;
        return out;
      });
      assert.equal(r.number, "0x3fb999999999999a");
      assert.equal(r.exactNumber, "0.1000000000000000055511151231257827021181583404541015625");
      assert.equal(r.string, "0.1");
      assert.match(r.unknown, /unknown option 'rounding'/);
      assert.equal(r.hash, "v=1&p=add&a=1.5&bf=bf16");
      assert.equal(r.decoded.scenario.panel, "add");
      assert.equal(r.decoded.scenario.addition.a, "1.5");
      assert.deepEqual(r.decoded.notices, []);
      assert.equal(r.badEncode, "encodeScenario: ignored af=fp17: unknown format");
      assert.equal(r.blocksHash, "v=1&p=blocks&bk=nvfp4&bkn=48&bko=500");
      assert.deepEqual(r.blocks, {
        format: "nvfp4", rule: "ocp", mode: "rne", seed: 1, values: "", gen: "outlier", count: 48, gen_seed: 1, outlier: "500",
      });
      assert.equal(r.blocksBad.length, 1);
      assert.match(r.blocksBad[0], /more than 64 values/);
      assert.deepEqual(r.bad.notices, ["ignored af=fp17: unknown format", "ignored <script>=1: unknown key"]);
      // The Accumulation panel's keys (link.h): ';' inside a value is escaped.
      assert.equal(r.dot, "v=1&p=dot&dk=16,64&dacc=seq:fp16%3Bseq:fp32&dn=9");
      assert.equal(r.dotBack.acc, "seq:fp16;seq:fp32");
      assert.equal(r.dotBack.trials, 9);
      assert.equal(r.dotBack.in, "fp8-e4m3");
      assert.deepEqual(r.dotHostile, ["ignored dk=1000000000: each K must be from 1 to 65536",
        "ignored dn=1000000000: out of range"]);
      assert.equal(r.network, "v=1&p=network&nd=xor&nr=fp32,bf16&ne=3");
      assert.deepEqual(r.networkBack, {
        data: "xor", data_seed: 0, model: "", optimizer: "sgd:lr=0.1,momentum=0.9", recipes: "fp32,bf16",
        epochs: 3, batch: 32, seed: 0, subset: 0, loss_weight: "1",
      });
    });

    // The SIMD kernels against the module's own exact scalar core (m.convert),
    // pattern by pattern: two independent code paths of the same module.
    test("convertArray (SIMD kernels) gives the bits convert (the core) gives", async () => {
      const r = await run(() => {
        const m = globalThis.mantissaApi;
        const n = 4096;
        const input = new Float32Array(n);
        const bits = new Uint32Array(input.buffer);
        let x = 2024;
        for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bits[i] = x; }
        input.set([65520, -0, 1e-8, Infinity, 5.960464477539063e-8, 2.9802322387695312e-8, 448, 500]);
        const out = {};
        for (const format of ["fp16", "bf16", "fp8-e4m3", "fp8-e5m2"]) {
          const got = m.convertArray(input, format);
          let mismatches = 0;
          for (let i = 0; i < n; i++) {
            const core = m.convert("0x" + bits[i].toString(16), format, { from: "fp32" });
            if (Number.isNaN(input[i])) {
              if (core.class !== "nan" || m.decode(got[i], format).class !== "nan") mismatches++;
            } else if (Number(core.bits) !== got[i]) mismatches++;
          }
          out[format] = { type: got.constructor.name, n: got.length, mismatches };
        }
        try { m.convertArray(input, "fp32"); } catch (e) { out.badFormat = e.message; }
        try { m.convertArray([1, 2], "fp16"); } catch (e) { out.notTyped = e instanceof TypeError; }
        return out;
      });
      for (const format of ["fp16", "bf16"]) assert.deepEqual(r[format], { type: "Uint16Array", n: 4096, mismatches: 0 }, format);
      for (const format of ["fp8-e4m3", "fp8-e5m2"]) assert.deepEqual(r[format], { type: "Uint8Array", n: 4096, mismatches: 0 }, format);
      assert.match(r.badFormat, /convertArray handles fp16, bf16, fp8-e4m3 and fp8-e5m2, not fp32/);
      assert.equal(r.notTyped, true);
    });

    test("no leaks: heap in use is stable over 1e5 calls", async () => {
      const r = await run(() => {
        const m = globalThis.mantissaApi;
        const work = () => {
          m.convert("1.12156456132", "fp16", { via: "fp32" });
          try { m.convert("1.2.3", "fp16"); } catch (e) { /* expected */ }
          m.decodeScenario("#v=1&p=add&a=1.5&af=fp17");
        };
        for (let i = 0; i < 1000; i++) work();
        const before = m.heapInUse();
        for (let i = 0; i < 33334; i++) work();  // 1e5 calls
        const arr = new Float32Array(1000);
        for (let i = 0; i < 100; i++) m.convertArray(arr, "bf16");
        return { before, after: m.heapInUse() };
      });
      assert.ok(r.before > 0, "heapInUse reports the heap");
      assert.equal(r.after, r.before, `heap in use ${r.before} -> ${r.after}`);
    });
  });
}
