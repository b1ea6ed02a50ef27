// The Accumulation panel: each preset, opened from the panel's preset menu and
// from a share link, computes (a chunk per frame) to the same figures as the
// native CLI: `mantissa gemm-error ... --json` for the median, p95 and max per
// K and accumulator, `mantissa explain dot ... --json` for the walkthrough's
// block. "Summing 1.0 4096 times" is checked against the browser's own
// Math.f16round and a bf16 rounding done on the float's bits. A hostile link
// (K = 10^9, trials = 10^9) gets notices and leaves the defaults. Prints the
// compute time the panel measured for the DeepSeek preset.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { cli, runCli } from "../js/api_contract.mjs";
import {
  appState,
  assertClean,
  clickAnchor,
  openPage,
  pixelStats,
  screenshot,
  settle,
  startBrowser,
  waitForFrames,
} from "./harness.mjs";

const haveCli = Boolean(cli);
const PRESETS = ["deepseek", "fp16-accumulate", "ones"];

// The CLI's answers, once per argument list (the link pass asks again).
const cliCache = new Map();
function cliJson(args) {
  const key = JSON.stringify(args);
  if (!cliCache.has(key)) {
    cliCache.set(key, runCli(args));
  }
  return structuredClone(cliCache.get(key));
}

async function waitForRun(page, timeout = 60000) {
  await page.waitForFunction(
    () => ["finished", "refused"].includes(window.mantissa.state().results.status),
    null,
    { timeout, polling: 100 },
  );
  return appState(page);
}

// Every figure of the panel against the CLI run with the same arguments.
function checkAgainstCli(state, label) {
  const r = state.results;
  assert.equal(r.status, "finished", `${label}: ${r.error}`);
  const expected = cliJson(["gemm-error", ...r.args]);
  assert.deepEqual(r.report, expected, `${label}: ${r.command}`);
  assert.equal(r.report.rows.length, expected.rows.length);
  assert.ok(r.block.ok, `${label}: block ${r.block.error}`);
  const trace = cliJson(["explain", "dot", ...r.block.args]);
  assert.deepEqual(r.block.trace, trace, `${label}: ${r.block.command}`);
}

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

describe("Accumulation panel", () => {
  test("each preset from the panel's menu and from its link equals the CLI's figures", { skip: !haveCli && "no native CLI" }, async () => {
    const session = await openPage(env, "/", { width: 1280, height: 900 });
    const { page, context } = session;
    const links = {};
    try {
      await waitForFrames(page, 5);
      await clickAnchor(page, "tab:Accumulation");
      await settle(page, 4);
      for (const key of PRESETS) {
        await clickAnchor(page, "dot-presets");
        await clickAnchor(page, `dot-preset:${key}`);
        await settle(page, 2);
        const state = await waitForRun(page, 120000);
        assert.equal(state.panel, "Accumulation");
        assert.equal(state.panel_key, "dot");
        checkAgainstCli(state, `${key} (menu)`);
        const r = state.results;
        if (key === "deepseek") {
          console.log(
            `# DeepSeek preset: ${r.report.rows.length} rows (K ${state.inputs.ks}, ${state.inputs.trials} trials, ` +
              `${state.inputs.acc}): computed for ${r.compute_seconds.toFixed(2)} s, ` +
              `${r.wall_seconds.toFixed(2)} s wall, ${r.frame_budget_ms.toFixed(1)} ms compute in the last frame`,
          );
          assert.ok(r.compute_seconds > 0 && r.compute_seconds <= r.wall_seconds + 0.05);
          // The DeepSeek effect: at K = 4096 the tc:h100 error is in the percents,
          // promotion every 128 cuts it by two orders of magnitude (uniform data).
          const at4096 = Object.fromEntries(r.report.rows.filter((x) => x.k === 4096).map((x) => [x.acc, x]));
          assert.ok(at4096["tc:h100"].median > 0.01, JSON.stringify(at4096));
          assert.ok(at4096["blocked:tc:h100:128"].median * 50 < at4096["tc:h100"].median);
          assert.match(state.announcement, /K = 4096/);
          const png = await screenshot(page, "accumulation-deepseek");
          const stats = await pixelStats(page, png);
          assert.ok(stats.colors > 100, `a drawn panel: ${JSON.stringify(stats)}`);
        }
        // Bounds beside the curves: one entry per accumulator, K ascending.
        assert.equal(r.bounds.length, r.report.rows.length / new Set(r.report.rows.map((x) => x.k)).size);
        links[key] = (await page.evaluate(() => window.mantissa.share())).hash;
      }
      const ones = (await appState(page)).results;
      assert.deepEqual(ones.sample.map((s) => s.acc), ["seq:fp16", "seq:bf16", "seq:fp32"]);
      // Oracles: the browser's fp16 rounding, and bf16 by rounding the float's bits.
      const oracle = await page.evaluate(() => {
        const f = new Float32Array(1), u = new Uint32Array(f.buffer);
        const bf16 = (x) => {
          f[0] = x;
          const b = u[0];
          u[0] = ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) << 16;
          return f[0];
        };
        let h = 0, b = 0, s = 0;
        for (let i = 0; i < 4096; i++) {
          h = Math.f16round(h + 1);
          b = bf16(b + 1);
          s = Math.fround(s + 1);
        }
        return [h, b, s].map(String);
      });
      assert.deepEqual(oracle, ["2048", "256", "4096"]);
      assert.deepEqual(ones.sample.map((s) => s.value), oracle);
      assertClean(session);
    } finally {
      await context.close();
    }

    // The same presets from their links, in fresh pages.
    for (const key of PRESETS) {
      const s = await openPage(env, `/#${links[key]}`, { width: 1280, height: 900 });
      try {
        await waitForFrames(s.page, 3);
        const state = await waitForRun(s.page, 120000);
        assert.deepEqual((await s.page.evaluate(() => window.mantissa.share())).notices, []);
        checkAgainstCli(state, `${key} (link #${links[key]})`);
        assertClean(s);
      } finally {
        await s.context.close();
      }
    }
  });

  test("a hand-typed block and a new random example walk through like `explain dot`", { skip: !haveCli && "no native CLI" }, async () => {
    const hash = "v=1&p=dot&dk=16&dn=5&dwa=1,0x1p-7&dwb=1,0x1p-6&dwc=0.75";
    // Tall: the walkthrough sits below the plot (anchors are reported for visible items).
    const session = await openPage(env, `/#${hash}`, { width: 1280, height: 1600 });
    const { page, context } = session;
    try {
      await waitForFrames(page, 3);
      let state = await waitForRun(page);
      const b = state.results.block;
      assert.equal(b.random, false);
      assert.deepEqual(b.trace, cliJson(["explain", "dot", "--a", "1,0x1p-7", "--b", "1,0x1p-6", "--c", "0.75",
        "--in", "fp8-e4m3", "--acc", "tc:h100"]));
      // Back to random examples, then a new one: another block of 32 products.
      await clickAnchor(page, "dot:new-example");
      await settle(page, 3);
      state = await appState(page);
      assert.equal(state.inputs.example, 1);
      assert.equal(state.results.block.random, true);
      assert.equal(state.results.block.a.length, 32);
      assert.deepEqual(state.results.block.trace, cliJson(["explain", "dot", ...state.results.block.args]));
      await screenshot(page, "accumulation-walkthrough");
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("a hostile link (K = 10^9, trials = 10^9, unknown accumulator) is named in notices and keeps the defaults", async () => {
    const hostile = "v=1&p=dot&di=fp16&dk=1000000000&dn=1000000000&dacc=tc:h9000%3B%3Cscript%3E&dwa=1,zz";
    const session = await openPage(env, `/#${hostile}`, { width: 1280, height: 900 });
    const { page, context } = session;
    try {
      await waitForFrames(page, 3);
      const notices = (await page.evaluate(() => window.mantissa.share())).notices;
      for (const key of ["dk", "dn", "dacc", "dwa"]) {
        assert.ok(notices.some((n) => n.startsWith(`ignored ${key}=`)), `${key}: ${JSON.stringify(notices)}`);
      }
      const state = await appState(page);
      assert.equal(state.panel_key, "dot");
      assert.equal(state.inputs.in, "fp16"); // the good key of the same link
      assert.equal(state.inputs.ks, "128,256,512,1024,2048,4096");
      assert.equal(state.inputs.trials, 1000);
      assert.equal(state.inputs.acc, "tc:h100;blocked:tc:h100:128");
      assert.equal(state.inputs.block_a, "");
      // A run of those sizes is not even attempted; the page keeps drawing.
      assert.ok(["running", "finished"].includes(state.results.status), state.results.status);
      const f0 = await page.evaluate(() => window.mantissa.frame());
      await settle(page, 4);
      assert.ok((await page.evaluate(() => window.mantissa.frame())) > f0);
      assert.deepEqual(session.pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
