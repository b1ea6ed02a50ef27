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
import { existsSync, readFileSync } from "node:fs";
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
    return JSON.parse(execFileSync(cli, [...args, "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
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
      assert.deepEqual(r.bad.notices, ["ignored af=fp17: unknown format", "ignored <script>=1: unknown key"]);
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
