// The Error landscape: the shader's per-pixel relative errors (pass 1's
// RGBA32UI target, read back with glReadPixels by the state hook) equal the
// core's exact computation for every pixel column and format, at several
// formats and zooms (log and linear axes); sampled columns are also checked
// against independent oracles: the browser's Math.f16round for fp16 and the
// native `mantissa convert` for every format. Zoom, pan and box zoom are
// driven with the mouse. Screenshots go to build/screenshots/.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { cli, runCli } from "../js/api_contract.mjs";
import {
  anchorCenter,
  appState,
  clickAnchor,
  openPage,
  pixelStats,
  screenshot,
  settle,
  startBrowser,
  waitForFrames,
} from "./harness.mjs";

const haveCli = Boolean(cli);

function cliRelError(x, format) {
  const r = runCli(["convert", x, "--to", format]);
  return r.error_rel === undefined ? null : r.error_rel;
}

function floatOfBits(bits) {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits);
  return view.getFloat32(0);
}

// Every column agrees with the core; sampled columns with the oracles.
async function assertExact(page, label) {
  const state = await appState(page);
  const r = state.results;
  assert.equal(r.gpu_error, "", `${label}: GPU`);
  assert.ok(r.checked >= 400 * state.inputs.formats.length, `${label}: checked ${r.checked}`);
  assert.equal(r.mismatches, 0, `${label}: ${JSON.stringify(r.mismatch_examples)}`);
  let oracleChecks = 0;
  for (const column of r.columns_checked) {
    const x = floatOfBits(column.x_bits);
    for (const f of column.formats) {
      if (x === 0) continue;
      if (f.format === "fp16") {
        const stored = await page.evaluate((v) => Math.f16round(v), x);
        if (!Number.isFinite(stored)) {
          assert.ok(f.overflow, `${label}: fp16 overflow at ${column.x}`);
        } else {
          assert.ok(!f.overflow, `${label}: no fp16 overflow at ${column.x}`);
          // (stored - x) is exact in binary64; the quotient's double rounding
          // to fp32 is innocuous (53 >= 2 * 24 + 2).
          assert.equal(f.gpu_rel, Math.fround((stored - x) / x), `${label}: fp16 at x = ${column.x}`);
        }
        oracleChecks++;
      }
      if (haveCli && oracleChecks % 3 === 0) {
        const rel = cliRelError(column.x, f.format);
        if (rel === null) assert.ok(f.overflow, `${label}: ${f.format} overflow at ${column.x}`);
        else assert.equal(f.gpu_rel, Math.fround(rel), `${label}: ${f.format} at x = ${column.x} (CLI)`);
      }
    }
  }
  assert.ok(oracleChecks > 10 || !state.inputs.formats.includes("fp16"), `${label}: oracle checks ${oracleChecks}`);
  return state;
}

async function wheelAt(page, x, y, deltaY, times = 1) {
  await page.mouse.move(x, y);
  await settle(page, 1);
  for (let i = 0; i < times; i++) {
    await page.mouse.wheel(0, deltaY);
    await settle(page, 2);
  }
}

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

describe("Error landscape", () => {
  test("the shader's errors equal the core's at every pixel column, for several formats and zooms", async () => {
    const session = await openPage(env, "/", { width: 1280, height: 860 });
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      await clickAnchor(page, "tab:Error landscape");
      await settle(page, 6);
      let state = await assertExact(page, "default view");
      assert.equal(state.panel_key, "landscape");
      assert.deepEqual(state.inputs.formats, ["fp16", "bf16", "fp8-e4m3"]);
      // The landmarks of the default view: fp16's subnormals (pale strip:
      // "subnormal" flag) at the left, e4m3's overflow at the right.
      const cols = state.results.columns_checked;
      const fp16 = (c) => c.formats.find((f) => f.format === "fp16");
      const e4m3 = (c) => c.formats.find((f) => f.format === "fp8-e4m3");
      assert.ok(fp16(cols[1]).subnormal, "fp16 is subnormal near 1e-8");
      assert.ok(e4m3(cols[cols.length - 1]).overflow, "e4m3 overflows near 7e4");
      let png = await screenshot(page, "landscape-default");
      let stats = await pixelStats(page, png);
      assert.ok(stats.colors > 300, JSON.stringify(stats));

      // More formats, then the whole range (smallest subnormal .. past max).
      await clickAnchor(page, "landscape-format:fp8-e5m2");
      await clickAnchor(page, "landscape-format:tf32");
      await clickAnchor(page, "landscape:fit");
      state = await assertExact(page, "whole range, five formats");
      assert.ok(state.inputs.x_min < 1e-40 && state.inputs.x_max > 1e38, JSON.stringify(state.inputs));
      await screenshot(page, "landscape-whole-range");

      // Box zoom (right-drag) on the log axis, around x ~ 1, twice.
      const plot = state.results.plot;  // device pixels = CSS pixels here
      await clickAnchor(page, "landscape-format:tf32");
      await clickAnchor(page, "landscape-format:fp8-e5m2");
      await clickAnchor(page, "landscape:fit");
      state = await appState(page);
      const before = state.inputs.x_max / state.inputs.x_min;
      const cx = plot[0] + (plot[2] - plot[0]) * 0.55, cy = (plot[1] + plot[3]) / 2;
      for (const [from, to] of [[0.45, 0.65], [0.4, 0.6]]) {
        const p0 = plot[0] + (plot[2] - plot[0]) * from, p1 = plot[0] + (plot[2] - plot[0]) * to;
        await page.mouse.move(p0, cy);
        await settle(page, 1);
        await page.mouse.down({ button: "right" });
        for (let i = 1; i <= 4; i++) {
          await page.mouse.move(p0 + ((p1 - p0) * i) / 4, cy + 5);
          await settle(page, 1);
        }
        await page.mouse.up({ button: "right" });
        await settle(page, 3);
      }
      state = await assertExact(page, "log zoom");
      assert.ok(state.inputs.x_max / state.inputs.x_min < before / 10, "zoomed in");

      // The wheel zooms too, and the other direction undoes it.
      const span = () => Math.log(state.inputs.x_max / state.inputs.x_min);
      const s0 = span();
      await wheelAt(page, cx, cy, -100, 3);
      state = await appState(page);
      const s1 = span();
      assert.ok(s1 < s0 * (1 - 1e-3), `wheel up zooms in: ${s0} -> ${s1}`);
      await wheelAt(page, cx, cy, 100, 3);
      state = await assertExact(page, "wheel");
      assert.ok(Math.abs(span() - s0) < Math.abs(s1 - s0), "and back");

      // Pan: drag right; the range moves to smaller x.
      const x0 = state.inputs.x_min;
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      for (let i = 1; i <= 5; i++) {
        await page.mouse.move(cx + 30 * i, cy);
        await settle(page, 1);
      }
      await page.mouse.up();
      await settle(page, 3);
      state = await assertExact(page, "panned");
      assert.ok(state.inputs.x_min < x0, "panned towards smaller x");

      // Linear axis around 1: a handful of each format's values, as ticks.
      await clickAnchor(page, "landscape:around-one");
      state = await assertExact(page, "linear [1, 1 + 1/64]");
      assert.equal(state.inputs.log_x, false);
      const reps = (name) =>
        state.results.columns_checked.filter((c) => c.formats.find((f) => f.format === name).representable_in_column)
          .length;
      assert.ok(reps("fp16") > 0 && reps("fp16") < state.results.columns_checked.length, "fp16 values are spaced out");
      png = await screenshot(page, "landscape-linear");
      stats = await pixelStats(page, png);
      assert.ok(stats.colors > 100, JSON.stringify(stats));

      // Box zoom (right-drag) down to a few fp16 values.
      await page.mouse.move(plot[0] + 100, cy);
      await settle(page, 1);
      await page.mouse.down({ button: "right" });
      for (let i = 1; i <= 4; i++) {
        await page.mouse.move(plot[0] + 100 + 30 * i, cy + 10);
        await settle(page, 1);
      }
      await page.mouse.up({ button: "right" });
      await settle(page, 3);
      const zoomed = await assertExact(page, "linear box zoom");
      assert.ok(zoomed.inputs.x_max - zoomed.inputs.x_min < (state.inputs.x_max - state.inputs.x_min) / 5);

      // Signed error on a linear y axis.
      await clickAnchor(page, "landscape:log-y");
      state = await assertExact(page, "signed error");
      assert.equal(state.results.log_y, false);
      assert.equal(state.inputs.log_error, false);
      // The error axis is part of the scenario: the page's link keeps it.
      await page.waitForFunction(() => location.hash.includes("llogy=0"), null, { timeout: 10000 });
      await screenshot(page, "landscape-signed");
      assert.deepEqual(session.pageErrors, []);
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      await context.close();
    }
  });

  test("panning redraws every frame (frame rate logged)", async () => {
    const session = await openPage(env, "/", { width: 1280, height: 860 });
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      await clickAnchor(page, "tab:Error landscape");
      await settle(page, 4);
      const { rect } = await anchorCenter(page, "landscape:plot");
      const cx = rect[0] + rect[2] / 2, cy = rect[1] + rect[3] / 2;
      const x0 = (await appState(page)).inputs.x_min;
      await page.mouse.move(cx, cy);
      await page.mouse.down();
      const t0 = Date.now();
      const d0 = await page.evaluate(() => window.mantissa.drawn());
      // A steady drag to the left: the view moves right, one redraw per move.
      for (let i = 1; i <= 12; i++) {
        await page.mouse.move(cx - i * 10, cy);
        await settle(page, 1);
      }
      await page.mouse.up();
      const d1 = await page.evaluate(() => window.mantissa.drawn());
      console.log(`# landscape pan: ${((d1 - d0) / ((Date.now() - t0) / 1000)).toFixed(1)} frames/s drawn`);
      assert.ok(d1 - d0 >= 12, `frames drawn while panning: ${d1 - d0}`);
      assert.ok((await appState(page)).inputs.x_min > x0, "the view moved right");
      assert.deepEqual(session.pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
