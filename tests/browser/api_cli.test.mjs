// The JavaScript API from a plain HTML page (no app, no canvas) gives exactly
// what the CLI prints with --json, for a shared list of cases
// (api_cases.json); errors carry the CLI's sentence. Also: the module frees
// what it allocates (heap in use is stable over 1e5 calls).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { openPage, repoRoot, startBrowser } from "./harness.mjs";

const cases = JSON.parse(readFileSync(new URL("./api_cases.json", import.meta.url), "utf8"));
const cli = process.env.MANTISSA_CLI ??
  [path.join(repoRoot, "build", "native", "mantissa"), path.join(repoRoot, "build", "dev-share", "mantissa")].find(existsSync);

// The CLI's answer: parsed JSON, or { error } with the message after "mantissa: ".
function runCli(args) {
  try {
    return JSON.parse(execFileSync(cli, [...args, "--json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }));
  } catch (e) {
    if (e.status !== 2) throw e;
    return { error: String(e.stderr).trim().replace(/^mantissa: /, "") };
  }
}

function convertFlags([value, format, options]) {
  const flags = ["convert", value, "--to", format];
  if (options.from) flags.push("--from", options.from);
  if (options.via) flags.push("--via", options.via);
  if (options.round) flags.push("--round", options.round);
  if (options.seed !== undefined) flags.push("--seed", String(options.seed));
  if (options.saturate) flags.push("--saturate");
  if (options.ftz) flags.push("--ftz");
  return flags;
}

const SIM_FLAGS = { w0: "--w0", inc: "--inc", grad: "--grad", lr: "--lr", seed: "--seed", steps: "--steps",
  strategies: "--strategies", gradFormat: "--grad-format", lossScale: "--loss-scale", population: "--population",
  init: "--init", reference: "--reference" };
function simulateFlags(options) {
  const flags = ["simulate"];
  for (const [key, flag] of Object.entries(SIM_FLAGS)) {
    if (options[key] === undefined) continue;
    flags.push(flag, Array.isArray(options[key]) ? options[key].join(",") : String(options[key]));
  }
  if (options.trajectory) flags.push("--trajectory");
  return flags;
}

let env, page, context, pageErrors, consoleErrors;
before(async () => {
  env = await startBrowser();
  ({ page, context, pageErrors, consoleErrors } = await openPage(env, "/examples/api-plain.html"));
  await page.waitForFunction(() => window.mantissaApi !== undefined, null, { timeout: 30000 });
});
after(async () => {
  await context?.close();
  await env?.close();
});

// Runs one API call in the page; returns the result or { error }.
function inPage(fn, args) {
  return page.evaluate(([fn, args]) => {
    try {
      return window.mantissaApi[fn](...args);
    } catch (e) {
      return { error: e.message, isError: e instanceof Error };
    }
  }, [fn, args]);
}

describe("JavaScript API against the CLI", { skip: !cli && "no native mantissa CLI built" }, () => {
  test("convert: every shared case gives the CLI's JSON or its error", async () => {
    for (const c of cases.convert) {
      const expected = runCli(convertFlags(c));
      const got = await inPage("convert", c);
      if (got.error) assert.equal(got.isError, true);
      delete got.isError;
      assert.deepEqual(got, expected, `convert ${JSON.stringify(c)}`);
    }
  });

  test("decode(bits, format) is the CLI's convert of the pattern into its own format", async () => {
    for (const [bits, format] of [["0x3c7c", "fp16"], ["0x7e00", "fp16"], ["0x80", "fp8-e4m3"], ["0x3f8f8f6d", "fp32"]]) {
      const expected = runCli(["convert", bits, "--to", format, "--from", format]);
      assert.deepEqual(await inPage("decode", [bits, format]), expected, `decode ${bits} ${format}`);
    }
    // Numbers are bit patterns too.
    assert.deepEqual(await inPage("decode", [0x3c00, "fp16"]), runCli(["convert", "0x3c00", "--to", "fp16", "--from", "fp16"]));
  });

  test("explain: every shared case gives the CLI's JSON or its error", async () => {
    for (const c of cases.explain) {
      const [op, a, b, options] = c;
      const flags = ["explain", op, a, b];
      if (options.c) flags.push(options.c);
      flags.push("--format", options.format);
      if (options.aFormat) flags.push("--a-format", options.aFormat);
      if (options.bFormat) flags.push("--b-format", options.bFormat);
      if (options.round) flags.push("--round", options.round);
      if (options.saturate) flags.push("--saturate");
      const expected = runCli(flags);
      const got = await inPage("explain", c);
      delete got.isError;
      assert.deepEqual(got, expected, `explain ${JSON.stringify(c)}`);
    }
  });

  test("simulate: every shared case gives the CLI's JSON or its error", async () => {
    for (const c of cases.simulate) {
      const expected = runCli(simulateFlags(c));
      const got = await inPage("simulate", [c]);
      delete got.isError;
      // Which update kernels ran is the one platform-specific key (avx2+f16c natively, scalar or SIMD in wasm).
      if (expected.kernel !== undefined) {
        assert.equal(typeof got.kernel, "string");
        got.kernel = expected.kernel;
      }
      assert.deepEqual(got, expected, `simulate ${JSON.stringify(c)}`);
    }
  });

  test("the tutorial's figures come out of the API", async () => {
    const r = await inPage("convert", ["1.12156456132", "fp16", { via: "fp32" }]);
    assert.equal(r.bits, "0x3c7c");
    assert.equal(r.value, "1.12109375");
    const sim = await inPage("simulate", [{ steps: 101, w0: "1.125", inc: "0.00041999", strategies: ["fp32-master", "fp16"] }]);
    assert.equal(sim.strategies.fp16.final, "1.125");
  });
});

describe("JavaScript API behaviour", () => {
  test("numbers are exact doubles, unknown options throw, scenarios round-trip", async () => {
    const r = await page.evaluate(() => {
      const m = window.mantissaApi;
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
    assert.equal(r.badEncode, "encodeScenario: ignored in=fp17: unknown format".replace("in=", "af="));
    assert.deepEqual(r.bad.notices, ["ignored af=fp17: unknown format", "ignored <script>=1: unknown key"]);
  });

  test("convertArray matches Float16Array / Math.f16round bit for bit (SIMD kernels)", async () => {
    const r = await page.evaluate(() => {
      const m = window.mantissaApi;
      const n = 1 << 16;
      const input = new Float32Array(n);
      const bits = new Uint32Array(input.buffer);
      let x = 12345;
      for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bits[i] = x; }
      input[0] = 65520; input[1] = -0; input[2] = 1e-8; input[3] = Infinity;
      const out = m.convertArray(input, "fp16");
      const oracle = new Uint16Array(new Float16Array(input).buffer);
      let mismatches = 0;
      for (let i = 0; i < n; i++) {
        const isNan = Number.isNaN(input[i]);
        if (isNan ? (out[i] & 0x7c00) !== 0x7c00 || (out[i] & 0x3ff) === 0 : out[i] !== oracle[i]) mismatches++;
      }
      const e4m3 = m.convertArray(new Float32Array([1, 448, 500, -0.001953125]), "fp8-e4m3");
      let badFormat = null;
      try { m.convertArray(input, "fp32"); } catch (e) { badFormat = e.message; }
      return { type: out.constructor.name, n: out.length, mismatches, e4m3: Array.from(e4m3), e4m3Type: e4m3.constructor.name, badFormat };
    });
    assert.equal(r.type, "Uint16Array");
    assert.equal(r.n, 1 << 16);
    assert.equal(r.mismatches, 0);
    assert.equal(r.e4m3Type, "Uint8Array");
    assert.deepEqual(r.e4m3, [0x38, 0x7e, 0x7f, 0x81]);
    assert.match(r.badFormat, /convertArray handles fp16, bf16, fp8-e4m3 and fp8-e5m2, not fp32/);
  });

  test("no leaks: heap in use is stable over 1e5 calls", async () => {
    const r = await page.evaluate(() => {
      const m = window.mantissaApi;
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
    assert.equal(r.after, r.before, `heap in use ${r.before} -> ${r.after}`);
  });

  test("the plain page logged no errors", () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
  });
});
