// Share links in the playground: scenarios across all panels round-trip
// through links (state before = state after), frozen v1 links load, the
// hash follows edits without history entries, and "Copy link" copies it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { appState, openPage, startBrowser, waitForFrames } from "./harness.mjs";
import { SCENARIOS } from "./share_scenarios.mjs";

// The app's state without what depends on the machine's speed (the Training
// panel reports frames per second and an ETA while it runs; the Network,
// Accumulation and Inspect tensors panels their compute times and speeds).
const VOLATILE = /^(fps|eta_seconds|steps_per_second|panel_ms|panel_ms_max|frame_budget_ms|longest_advance_ms|longest_part_ms|advance_frames|frames_over_budget|advance_parts|parts_over_2ms|compute_seconds|wall_seconds|bytes_per_second|seconds)$/;
function stable(value) {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !VOLATILE.test(k)).map(([k, v]) => [k, stable(v)]));
  }
  return value;
}
const stableState = async (page) => stable(await appState(page));

// Waits until a Training run has finished (its results stop changing).
async function settled(page) {
  await page.waitForFunction(() => {
    const s = window.mantissa.state();
    return !(s.results && typeof s.results.status === "string" && /run|queue|pend|start/.test(s.results.status));
  }, null, { timeout: 60000 });
}

let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env?.close(); });

// Sets the hash in a loaded page and waits until the app has drawn it.
async function goHash(page, hash) {
  const before = await page.evaluate(() => window.mantissa.frame());
  await page.evaluate((h) => { location.hash = h; }, hash);
  await waitForFrames(page, before + 4);
}

const SMALL = { width: 960, height: 600 };

describe("share links", () => {
  // State-only tests run on a smaller viewport: software WebGL draws it faster.
  test("every shared scenario across all panels: state from a link = state after re-encoding it", async () => {
    const { page, context, pageErrors, consoleErrors } = await openPage(env, "/", SMALL);
    try {
      await waitForFrames(page, 3);
      const api = await page.evaluate(async () => {
        const { default: Mantissa } = await import("/mantissa.mjs");
        window.api = await Mantissa();
        return true;
      });
      assert.ok(api);
      const panels = new Set();
      for (const hash of SCENARIOS) {
        await goHash(page, hash);
        await settled(page);
        const first = await stableState(page);
        const share = await page.evaluate(() => window.mantissa.share());
        assert.deepEqual(share.notices, [], `notices for ${hash}`);
        // The canonical link for the same scenario (as "Copy link" writes it).
        const again = await page.evaluate((h) => window.api.encodeScenario(window.api.decodeScenario(h).scenario), hash);
        await goHash(page, "v=1&p=landscape&lf=fp32");  // somewhere else first
        await goHash(page, again);
        await settled(page);
        const second = await stableState(page);
        assert.deepEqual(second, first, `${hash} -> ${again}`);
        panels.add(first.panel_key);
      }
      assert.deepEqual([...panels].sort(), ["add", "inspect", "landscape", "network", "tensors", "train"]);
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(consoleErrors, []);
    } finally {
      await context.close();
    }
  });

  test("opening a link in a fresh page gives the same state; the URL is left alone", async () => {
    for (const hash of [SCENARIOS[0], SCENARIOS[16], SCENARIOS[26], SCENARIOS[29]]) {
      const a = await openPage(env, "/#" + hash, SMALL);
      const b = await openPage(env, "/#" + hash, SMALL);
      try {
        await waitForFrames(a.page, 4);
        await waitForFrames(b.page, 4);
        await settled(a.page);
        await settled(b.page);
        assert.deepEqual(await stableState(b.page), await stableState(a.page));
        assert.equal(await a.page.evaluate(() => location.hash), "#" + hash);
      } finally {
        await a.context.close();
        await b.context.close();
      }
    }
  });

  test("frozen v1 links load their inputs without notices", async () => {
    const { page, context, pageErrors } = await openPage(env, "/");
    try {
      await waitForFrames(page, 3);
      await goHash(page, "v=1&x=0x3f8f&xf=bf16&xr=rtz&xsat=1&xc=e5m6&xfocus=fp8-e4m3");
      let s = await appState(page);
      assert.equal(s.panel_key, "inspect");
      assert.equal(s.inputs.value, "0x3f8f");
      assert.equal(s.inputs.from, "bf16");
      assert.equal(s.inputs.mode, "rtz");
      assert.equal(s.inputs.saturate, true);
      assert.equal(s.inputs.custom, "e5m6");
      await goHash(page, "v=1&p=add&a=1.125&af=fp16&b=0.12457275190625&bf=fp16&in=fp16");
      s = await appState(page);
      assert.equal(s.panel_key, "add");
      assert.equal(s.inputs.a, "1.125");
      assert.equal(s.inputs.b, "0.12457275190625");
      // Legacy (v0) links are upgraded.
      await goHash(page, "panel=Addition&addition.a=1.5&addition.format=bf16");
      s = await appState(page);
      assert.equal(s.panel_key, "add");
      assert.equal(s.inputs.a, "1.5");
      assert.deepEqual((await page.evaluate(() => window.mantissa.share())).notices, []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test("edits update the hash with replaceState (debounced, no history entries); Copy link copies it", async () => {
    const { page, context, pageErrors } = await openPage(env, "/#v=1&x=2.5");
    try {
      await waitForFrames(page, 3);
      const entries = await page.evaluate(() => history.length);
      const layout = await page.evaluate(() => window.mantissa.layout());
      assert.ok(layout["copy-link"], `anchors: ${Object.keys(layout)}`);
      // An edit: a change of panel through a link-free route (a tab click).
      const tabs = Object.keys(layout).filter((k) => /tab/i.test(k));
      const addTab = tabs.find((k) => /add/i.test(k));
      if (addTab) {
        const [x, y, w, h] = layout[addTab];
        await page.mouse.click(x + w / 2, y + h / 2);
        await page.waitForFunction(() => /p=add/.test(location.hash), null, { timeout: 5000 });
        assert.match(await page.evaluate(() => location.hash), /^#v=1&p=add&x=2\.5$/);
      }
      assert.equal(await page.evaluate(() => history.length), entries, "no history entries");
      const [x, y, w, h] = (await page.evaluate(() => window.mantissa.layout()))["copy-link"];
      await page.mouse.click(x + w / 2, y + h / 2);
      await page.waitForFunction(() => window.mantissa.share().copied, null, { timeout: 5000 });
      const copied = await page.evaluate(() => window.mantissa.share().copied);
      const hash = await page.evaluate(() => location.hash);
      assert.equal(copied, new URL(hash, page.url()).href);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test("the Embed dialog gives an iframe snippet for the current scenario, with a live preview", async () => {
    const { page, context, pageErrors } = await openPage(env, "/#v=1&p=add&a=1.5");
    try {
      await waitForFrames(page, 3);
      const [x, y, w, h] = (await page.evaluate(() => window.mantissa.layout()))["embed"];
      await page.mouse.click(x + w / 2, y + h / 2);
      await page.waitForFunction(() => window.mantissa.share().embedOpen && document.getElementById("embed-preview"),
        null, { timeout: 5000 });
      const snippet = (await page.evaluate(() => window.mantissa.share())).snippet;
      assert.match(snippet, /^<iframe src="http:\/\/127\.0\.0\.1:\d+\/embed\.html#v=1&amp;p=add&amp;a=1\.5" width="640" height="480" loading="lazy" title="Mantissa: Addition" style="border:0"><\/iframe>$/);
      const preview = await page.evaluate(() => document.getElementById("embed-preview").getAttribute("src"));
      assert.match(preview, /\/embed\.html#v=1&p=add&a=1\.5$/);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
