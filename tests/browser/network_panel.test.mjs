// The Network panel: a run opened by a share link, or by a preset chosen in
// the panel, trains live to the very bits `mantissa train --json` prints for
// the same arguments (natively; the page is wasm); decision regions appear for
// 2-D data; Stop keeps the steps trained, Resume goes on, Reset clears; a
// hostile link gives notices and the defaults, and nothing breaks.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { cli, runCli } from "../js/api_contract.mjs";
import { appState, assertClean, clickAnchor, openPage, screenshot, settle, startBrowser, waitForFrames } from "./harness.mjs";


function cliReport(args) {
  return runCli(["train", ...args]);
}

async function waitForStatus(page, statuses, timeout = 60000) {
  await page.waitForFunction((s) => s.includes(window.mantissa.state().results.status), statuses, {
    timeout,
    polling: 100,
  });
  return appState(page);
}

// The figures of every recipe, without the kernel's name (avx2 vs wasm-simd128).
function curves(report) {
  return report.recipes.map((r) => ({ name: r.name, steps: r.steps, epochs: r.epochs, hist: r.weight_histogram }));
}

async function assertSameAsCli(page) {
  const state = await waitForStatus(page, ["finished"]);
  assert.equal(state.panel, "Network");
  const native = cliReport(state.results.args);
  const web = state.results.report;
  assert.equal(web.steps_done, native.steps);
  assert.ok(web.recipes.length > 0);
  assert.deepEqual(curves(web), curves(native));
  // Figures, not assertions (speed lives in benchmarks): the worst frame's training work.
  console.log(
    `# ${state.results.command}: ${state.results.steps_per_second.toFixed(0)} steps/s, ` +
      `longest frame of training ${state.results.longest_advance_ms.toFixed(1)} ms (budget ${state.results.frame_budget_ms} ms), ` +
      `longest part ${state.results.longest_part_ms.toFixed(1)} ms, ` +
      `${state.results.frames_over_budget} of ${state.results.advance_frames} frames over budget, ` +
      `${state.results.parts_over_2ms} of ${state.results.advance_parts} parts over 2 ms`,
  );
  return state;
}

describe("Network panel", { skip: !cli && "build/native/mantissa is not built" }, () => {
  let env;
  before(async () => {
    env = await startBrowser();
  });
  after(async () => {
    await env?.close();
  });

  test("a link's run (spiral, three recipes) trains to the CLI's bits; regions per epoch", async () => {
    const hash =
      "#v=1&p=network&nd=spiral&nds=3&nopt=adam:lr%3D0.02&nr=fp32,fp16,bf16&ne=4&nb=16&ns=7&nsub=128";
    const opened = await openPage(env, "/" + hash, { width: 1280, height: 1800 });
    const { page } = opened;
    try {
      await waitForFrames(page, 3);
      const state = await assertSameAsCli(page);
      assert.deepEqual(state.results.args.slice(0, 4), ["--data", "spiral", "--data-seed", "3"]);
      assert.equal(state.inputs.recipes, "fp32,fp16,bf16");
      assert.equal(state.results.regions_epoch, 4);
      assert.match(state.announcement, /finished after 32 steps, fp32 \d+\.\d% test accuracy/);
      await settle(page, 4);
      await screenshot(page, "network-spiral");
      assertClean(opened);
    } finally {
      await opened.context.close();
    }
  });

  test("the preset 'FP8 with and without scaling', chosen in the panel, matches the CLI", async () => {
    const opened = await openPage(env, "/#v=1&p=network", { width: 1280, height: 1800 });
    const { page } = opened;
    try {
      await waitForFrames(page, 3);
      await clickAnchor(page, "network-presets");
      await clickAnchor(page, "network-preset:fp8");
      await settle(page, 2);
      const state = await assertSameAsCli(page);
      assert.equal(state.inputs.recipes, "fp32,fp8,fp8-noscale");
      assert.equal(state.inputs.data, "digits");
      // What the preset's words say, in the page's own figures: unscaled E5M2
      // gradients round to 0 at least as often as scaled ones.
      const sum = (r) => r.steps.underflow.flat().reduce((a, b) => a + b, 0);
      const [, fp8, noscale] = state.results.report.recipes;
      assert.ok(sum(noscale) >= sum(fp8));
      assertClean(opened);
    } finally {
      await opened.context.close();
    }
  });

  test("Stop keeps the steps trained, Resume goes on, Reset clears", async () => {
    const opened = await openPage(env, "/#v=1&p=network&nd=circles&ne=3000&nr=fp32", { width: 1280, height: 1200 });
    const { page } = opened;
    try {
      await waitForFrames(page, 3);
      await waitForStatus(page, ["running"]);
      await clickAnchor(page, "network:stop");
      const stopped = await waitForStatus(page, ["stopped"]);
      await settle(page, 4);
      const still = await appState(page);
      assert.equal(still.results.report.steps_done, stopped.results.report.steps_done);
      assert.ok(still.results.report.steps_done > 0);
      await clickAnchor(page, "network:stop"); // now labelled Resume
      await waitForStatus(page, ["running", "finished"]);
      await settle(page, 4);
      assert.ok((await appState(page)).results.report.steps_done > stopped.results.report.steps_done);
      await clickAnchor(page, "network:reset");
      const reset = await waitForStatus(page, ["idle"]);
      assert.equal(reset.results.report, undefined);
      await settle(page, 4);
      assert.equal((await appState(page)).results.status, "idle"); // held until Train
      await clickAnchor(page, "network:train");
      await waitForStatus(page, ["running"]);
      assertClean(opened);
    } finally {
      await opened.context.close();
    }
  });

  test("the embed trains the linked run to the same bits", async () => {
    const opened = await openPage(env, "/embed.html#v=1&p=network&nd=xor&ne=2&nr=fp32,bf16-sr&ns=3", {
      width: 640,
      height: 900,
    });
    const { page } = opened;
    try {
      await waitForFrames(page, 3);
      const state = await assertSameAsCli(page);
      assert.equal(state.panel_key, "network");
      assertClean(opened);
    } finally {
      await opened.context.close();
    }
  });

  test("a hostile link: notices, the defaults, and the panel keeps training", async () => {
    const opened = await openPage(env, "/#v=1&p=network&nd=spiral&ne=2", { width: 1280, height: 1200 });
    const { page } = opened;
    try {
      await waitForFrames(page, 3);
      await waitForStatus(page, ["finished"]);
      const hostile =
        "v=1&p=network&nd=mnist&ne=99999999&nb=0&nr=fp12,%3Cscript%3E&nopt=sgd:lr%3D-1&nm=2-999999-2&nsub=-4&ns=x&nlw=2";
      await page.evaluate((h) => {
        location.hash = h;
      }, hostile);
      await settle(page, 6);
      const notices = (await page.evaluate(() => window.mantissa.share())).notices.join("\n");
      for (const key of ["nd", "ne", "nb", "nr", "nopt", "nm", "nsub", "ns", "nlw"]) assert.match(notices, new RegExp(`\\b${key}=`));
      const state = await waitForStatus(page, ["running", "finished"]);
      assert.deepEqual(state.inputs, {
        data: "spiral",
        data_seed: 0,
        model: "",
        optimizer: "sgd:lr=0.1,momentum=0.9",
        recipes: "fp32,fp16,fp16-amp",
        epochs: 20,
        batch: 32,
        seed: 0,
        subset: 0,
        loss_weight: "1",
      });
      assertClean(opened);
    } finally {
      await opened.context.close();
    }
  });
});
