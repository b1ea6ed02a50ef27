// The JavaScript API from a plain HTML page (no app, no canvas): the shared
// contract (tests/js/api_contract.mjs: every shared case equals the CLI's
// JSON, errors carry the CLI's sentence, no leaks over 1e5 calls), plus what
// only a browser has: Float16Array as an oracle, and a module Web Worker with
// its own instance.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { defineApiContract } from "../js/api_contract.mjs";
import { openPage, startBrowser } from "./harness.mjs";

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

defineApiContract("a page", {
  call: (fn, args) =>
    page.evaluate(([fn, args]) => {
      try {
        return window.mantissaApi[fn](...args);
      } catch (e) {
        return { error: e.message, isError: e instanceof Error };
      }
    }, [fn, args]),
  run: (fn, arg) => page.evaluate(fn, arg),
});

describe("JavaScript API in a page: browser oracles and workers", () => {
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
      return { type: out.constructor.name, n: out.length, mismatches, e4m3: Array.from(e4m3), e4m3Type: e4m3.constructor.name };
    });
    assert.equal(r.type, "Uint16Array");
    assert.equal(r.n, 1 << 16);
    assert.equal(r.mismatches, 0);
    assert.equal(r.e4m3Type, "Uint8Array");
    assert.deepEqual(r.e4m3, [0x38, 0x7e, 0x7f, 0x81]);
  });

  // web/examples/api-worker.js loads mantissa.mjs inside a module worker: its
  // own instance, its own heap. It answers {format, input} with the bits and
  // its version; the page compares them with its own instance's.
  test("a module Web Worker holds its own instance and gives the main thread's bits", async () => {
    const r = await page.evaluate(async () => {
      const m = window.mantissaApi;
      const n = 1 << 16;
      const input = new Float32Array(n);
      const bits = new Uint32Array(input.buffer);
      let x = 777;
      for (let i = 0; i < n; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bits[i] = x; }
      const worker = new Worker(new URL("/examples/api-worker.js", location.href), { type: "module" });
      const ask = (message) => new Promise((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(e.message || "worker error"));
        worker.postMessage(message);
      });
      const out = {};
      for (const format of ["fp16", "bf16", "fp8-e4m3"]) {
        const fromWorker = await ask({ format, input });
        const here = m.convertArray(input, format);
        let mismatches = 0;
        for (let i = 0; i < n; i++) if (fromWorker.bits[i] !== here[i]) mismatches++;
        out[format] = { mismatches, n: fromWorker.bits.length, type: fromWorker.bits.constructor.name };
        out.workerScope = fromWorker.scope;
        out.version = fromWorker.version;
      }
      out.error = (await ask({ format: "fp17", input })).error;
      worker.terminate();
      out.mainVersion = m.version();
      return out;
    });
    assert.deepEqual(r.fp16, { mismatches: 0, n: 1 << 16, type: "Uint16Array" });
    assert.deepEqual(r.bf16, { mismatches: 0, n: 1 << 16, type: "Uint16Array" });
    assert.deepEqual(r["fp8-e4m3"], { mismatches: 0, n: 1 << 16, type: "Uint8Array" });
    assert.equal(r.workerScope, "DedicatedWorkerGlobalScope");
    assert.equal(r.version, r.mainVersion);
    assert.match(r.error, /convertArray handles fp16, bf16, fp8-e4m3 and fp8-e5m2, not fp17|unknown format/);
  });

  test("the plain page logged no errors", () => {
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
  });
});
