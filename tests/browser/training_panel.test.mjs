// The Training panel, driven like a user would (clicks on named items from
// window.mantissa.layout()): every preset's run agrees bit for bit with the
// native `mantissa simulate --json` on the same arguments; a 10^7-step run
// shows progress, keeps the page drawing, cancels, and the UI answers within
// a frame or two; the plots zoom, pan, reset, toggle series and export CSV
// and PNG. Screenshots go to build/screenshots/.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";

import { cli, runCli } from "../js/api_contract.mjs";
import {
  anchorCenter,
  appState,
  assertClean,
  clickAnchor,
  layout,
  openPage,
  pixelStats,
  screenshot,
  settle,
  startBrowser,
  waitForFrames,
} from "./harness.mjs";

const haveCli = Boolean(cli);

// Presets of the panel (src/app/training_presets.cpp), but the 10^7-step one,
// which has its own test.
const PRESETS = [
  "tutorial-small",
  "tutorial-large",
  "sr-rescue",
  "kahan-rescue",
  "loss-scale-rescue",
  "fp16-vs-bf16-tiny",
  "fp16-vs-bf16-precision",
  "population-sr",
];

function cliReport(args) {
  return runCli(["simulate", ...args]);
}

// The report without what legitimately differs between builds: the
// population's kernel name (wasm SIMD vs AVX2).
function comparable(report) {
  const copy = structuredClone(report);
  delete copy.kernel;
  return copy;
}

// Tall enough that every plot of the panel is on screen (anchors are only
// reported for visible items).
async function openTraining(env, options = {}) {
  const session = await openPage(env, "/", { width: 1280, height: 1700, ...options });
  await waitForFrames(session.page, 5);
  await clickAnchor(session.page, "tab:Training");
  await settle(session.page, 6);
  return session;
}

async function choosePreset(page, key) {
  await clickAnchor(page, "train-presets");
  await clickAnchor(page, `train-preset:${key}`);
  await settle(page, 4);
}

async function waitForStatus(page, statuses, timeout = 120000) {
  await page.waitForFunction(
    (s) => s.includes(window.mantissa.state().results.status),
    statuses,
    { timeout, polling: 100 },
  );
  return appState(page);
}

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

describe("Training panel", () => {
  test("opens on the tutorial's run: fp16 stays at 1.125, fp32 ends at 1.167429447174072265625", async () => {
    const session = await openTraining(env);
    const { page, context } = session;
    try {
      const state = await waitForStatus(page, ["finished"]);
      assert.equal(state.panel, "Training");
      assert.equal(state.panel_key, "train");
      const s = state.results.report.strategies;
      assert.equal(s.fp16.final, "1.125");
      assert.equal(s.fp16.lost_updates, 101);
      assert.equal(s["fp32-master"].final, "1.167429447174072265625");
      assert.equal(state.results.report.reference.final, "1.167429447174072265625");
      assert.match(state.announcement, /fp16 1\.125/);
      const png = await screenshot(page, "training-tutorial");
      const stats = await pixelStats(page, png);
      assert.ok(stats.colors > 200, `a drawn panel: ${JSON.stringify(stats)}`);
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("every preset agrees with `mantissa simulate --json` bit for bit", { skip: !haveCli && "no native CLI" }, async () => {
    const session = await openTraining(env);
    const { page, context } = session;
    try {
      const strategies = {};  // each preset's run, for the lessons below
      for (const key of PRESETS) {
        await choosePreset(page, key);
        const state = await waitForStatus(page, ["finished"]);
        assert.equal(state.results.error, "", key);
        strategies[key] = state.results.report.strategies;
        const expected = cliReport(state.results.args);
        assert.deepEqual(comparable(state.results.report), comparable(expected), `${key}: ${state.results.command}`);
        // Finals spelled out, for the failure message's sake.
        for (const [name, r] of Object.entries(expected.strategies)) {
          const got = state.results.report.strategies[name];
          if (r.final !== undefined) assert.equal(got.final_bits, r.final_bits, `${key} ${name} bits`);
          if (r.mean_final !== undefined) assert.equal(got.mean_final, r.mean_final, `${key} ${name} mean`);
        }
        if (key === "loss-scale-rescue" || key === "population-sr" || key === "sr-rescue") {
          await screenshot(page, `training-preset-${key}`);
        }
      }
      // The lessons hold: each remedy rescues what RNE loses (the runs above,
      // each already equal to the CLI's).
      const finals = (key) => strategies[key];
      let s = finals("sr-rescue");
      assert.equal(s.fp16.final, "1.125");
      assert.ok(Math.abs(Number(s["fp16-sr"].final) - Number(s.fp64.final)) < 0.1, "SR follows fp64");
      s = finals("kahan-rescue");
      assert.ok(Math.abs(Number(s["fp16-kahan"].final) - Number(s.fp64.final)) < 0.01, "Kahan follows fp64");
      s = finals("loss-scale-rescue");
      assert.equal(s["fp32-master"].final, "0.00999999977648258209228515625");
      assert.ok(Number(s["fp32-master+ls-static"].final) > 0.0102, "loss scaling moves the weight");
      s = finals("fp16-vs-bf16-tiny");
      assert.equal(s.fp16.final, "0");
      assert.notEqual(s.bf16.final, "0");
      s = finals("fp16-vs-bf16-precision");
      assert.equal(s.bf16.final, "1");
      assert.notEqual(s.fp16.final, "1");
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("a 10^7-step run: progress moves, the page keeps drawing, Cancel stops it, the UI answers within a frame", async () => {
    const session = await openTraining(env, { height: 900 });
    const { page, context } = session;
    try {
      await choosePreset(page, "long-run");
      let state = await appState(page);
      assert.equal(state.inputs.steps, 10000000);
      assert.equal(state.results.status, "running");
      // Frames drawn per second while it runs (the app skips idle frames, so
      // this counts real ImGui frames).
      const t0 = Date.now();
      const d0 = await page.evaluate(() => window.mantissa.drawn());
      const p0 = state.results.progress;
      await page.waitForTimeout(3000);
      const d1 = await page.evaluate(() => window.mantissa.drawn());
      const seconds = (Date.now() - t0) / 1000;
      state = await appState(page);
      const fps = (d1 - d0) / seconds;
      const r = state.results;
      console.log(
        `# long run: ${fps.toFixed(1)} frames/s drawn, panel CPU ${r.panel_ms.toFixed(1)} ms/frame ` +
          `(worst ${r.panel_ms_max.toFixed(1)}), ${Math.round(r.steps_per_second)} steps/s, ` +
          `progress ${(r.progress * 100).toFixed(1)}%, ETA ${r.eta_seconds?.toFixed(1)} s`,
      );
      assert.equal(r.status, "running");
      assert.ok(r.progress > p0, `progress moves: ${p0} -> ${r.progress}`);
      // The page draws a frame per animation frame while the run goes on (how
      // many per second depends on this machine's software WebGL and load:
      // printed above, not asserted). The run works in chunks within the
      // panel's frame budget, so a frame never waits for the run to finish.
      assert.ok(d1 - d0 >= 10, `the page keeps drawing during the run: ${fps.toFixed(1)} fps`);
      assert.ok(r.frame_budget_ms > 0 && r.frame_budget_ms <= 16.7, `frame budget ${r.frame_budget_ms} ms`);
      assert.ok(state.results.eta_seconds > 0, "an ETA is shown");
      const bar = await anchorCenter(page, "train:progress");
      assert.ok(bar.rect[2] > 50, "a progress bar");
      await screenshot(page, "training-long-run");

      await clickAnchor(page, "train:cancel");
      state = await appState(page);
      assert.equal(state.results.status, "cancelled");
      const done = state.results.steps_done;
      assert.ok(done > 0 && done < 10000000, `partial: ${done}`);
      assert.equal(state.results.report.cancelled, true);
      await settle(page, 4);
      assert.equal((await appState(page)).results.steps_done, done, "stays cancelled");

      // Responds within a frame or two: the "101" steps button.
      const { x, y } = await anchorCenter(page, "train:steps-101");
      await page.mouse.move(x, y);
      await settle(page, 1);
      const f0 = await page.evaluate(() => window.mantissa.frame());
      await page.mouse.click(x, y);
      await page.waitForFunction(() => window.mantissa.state().inputs.steps === 101, null, {
        timeout: 5000,
        polling: "raf",
      });
      const f1 = await page.evaluate(() => window.mantissa.frame());
      // A click is a press frame and a release frame (ImGui buttons fire on
      // release), then the frame that acts: a few ticks, not seconds.
      console.log(`# answered ${f1 - f0} frames after the click`);
      assert.ok(f1 - f0 <= 6, `answered within ${f1 - f0} frames`);
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("plots: box zoom, pan, reset, selected step, legend toggles, CSV and PNG export", async () => {
    const session = await openTraining(env);
    const { page, context } = session;
    try {
      await choosePreset(page, "tutorial-large");
      await waitForStatus(page, ["finished"]);
      const area = (await anchorCenter(page, "train-weight:area")).rect;
      const [ax, ay, aw, ah] = area;

      // Right-drag a box over the middle: the shared step range narrows.
      await page.mouse.move(ax + aw * 0.25, ay + ah * 0.2);
      await settle(page, 1);
      await page.mouse.down({ button: "right" });
      for (let i = 1; i <= 5; i++) {
        await page.mouse.move(ax + aw * (0.25 + 0.05 * i), ay + ah * (0.2 + 0.12 * i));
        await settle(page, 1);
      }
      await page.mouse.up({ button: "right" });
      await settle(page);
      let state = await appState(page);
      assert.ok(state.inputs.view_x1 > state.inputs.view_x0, "a zoomed step range");
      assert.ok(state.inputs.view_x0 > 15 && state.inputs.view_x1 < 60, JSON.stringify(state.inputs));
      await screenshot(page, "training-zoomed");

      // Drag pans: the range keeps its width and moves left (later steps).
      const width = state.inputs.view_x1 - state.inputs.view_x0;
      await page.mouse.move(ax + aw * 0.6, ay + ah * 0.5);
      await settle(page, 1);
      await page.mouse.down();
      for (let i = 1; i <= 5; i++) {
        await page.mouse.move(ax + aw * (0.6 - 0.04 * i), ay + ah * 0.5);
        await settle(page, 1);
      }
      await page.mouse.up();
      await settle(page);
      const panned = await appState(page);
      assert.ok(panned.inputs.view_x0 > state.inputs.view_x0, "panned to later steps");
      assert.ok(Math.abs(panned.inputs.view_x1 - panned.inputs.view_x0 - width) < 1e-6 * width + 1e-9, "same width");

      // Reset fits the data again.
      await clickAnchor(page, "train-weight:reset");
      state = await appState(page);
      assert.equal(state.inputs.view_x0, 0);
      assert.equal(state.inputs.view_x1, 0);

      // A click (no drag) selects a step.
      await page.mouse.move(ax + aw * 0.5, ay + ah * 0.5);
      await settle(page, 2);
      await page.mouse.click(ax + aw * 0.5, ay + ah * 0.5);
      await settle(page);
      state = await appState(page);
      assert.ok(state.inputs.selected_step >= 45 && state.inputs.selected_step <= 56, `step ${state.inputs.selected_step}`);
      // Hover read-out at the nearest step (a tooltip; seen on the screenshot).
      await page.mouse.move(ax + aw * 0.8, ay + ah * 0.4);
      await settle(page, 3);
      await screenshot(page, "training-hover");

      // The legend hides a series (and shows it again).
      const legend = await anchorCenter(page, "train-weight:legend:fp16");
      assert.ok(legend.rect[2] > 10);
      await clickAnchor(page, "train-weight:legend:fp16");
      await clickAnchor(page, "train-weight:legend:fp16");

      // CSV: the plotted data, one row per step, the exact finals recoverable.
      const [csvDownload] = await Promise.all([page.waitForEvent("download"), clickAnchor(page, "train-weight:csv")]);
      assert.equal(csvDownload.suggestedFilename(), "mantissa-weight.csv");
      const csv = await readFile(await csvDownload.path(), "utf8");
      const lines = csv.trim().split("\n");
      assert.equal(lines[0], '"step","fp64 (reference)","fp64","fp32-master","fp16"');
      assert.equal(lines.length, 102);
      const last = lines[101].split(",");
      assert.equal(last[0], "101");
      assert.equal(Number(last[4]), 13.75);
      assert.equal(Number(last[3]), 13.70684814453125);

      // PNG: a real image of the plot.
      const [pngDownload] = await Promise.all([page.waitForEvent("download"), clickAnchor(page, "train-weight:png")]);
      assert.equal(pngDownload.suggestedFilename(), "mantissa-weight.png");
      const png = await readFile(await pngDownload.path());
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "PNG signature");
      const stats = await pixelStats(page, png);
      assert.ok(stats.width > 400 && stats.height > 200, JSON.stringify(stats));
      assert.ok(stats.colors > 20, "not blank");
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  // Emscripten 3.1.6's GLFW hands over the browser's raw wheel deltas (about
  // 100 a notch, down positive): a notch must scroll a few lines, downwards.
  test("the mouse wheel scrolls the panel a few lines per notch, in the wheel's direction", async () => {
    const session = await openTraining(env, { height: 700 });
    const { page, context } = session;
    try {
      const y = async () => (await anchorCenter(page, "train:progress")).y;
      const y0 = await y();
      await page.mouse.move(1000, 300);
      await settle(page, 2);
      await page.mouse.wheel(0, 100);
      await settle(page);
      const y1 = await y();
      assert.ok(y1 < y0 && y0 - y1 < 300, `one notch down moved the content from y=${y0} to y=${y1}`);
      await page.mouse.wheel(0, -100);
      await settle(page);
      assert.equal(await y(), y0, "one notch up brings it back");
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("bad input shows the CLI's sentence and no run", async () => {
    const session = await openTraining(env);
    const { page, context } = session;
    try {
      await clickAnchor(page, "train:w0");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("1.2.3");
      await settle(page);
      const state = await appState(page);
      assert.equal(state.results.status, "refused");
      assert.match(state.results.error, /w0/);
      const names = Object.keys(await layout(page));
      assert.ok(names.includes("train:error"));
      assertClean(session);
    } finally {
      await context.close();
    }
  });
});
