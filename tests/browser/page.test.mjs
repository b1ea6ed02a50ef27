// The playground page in headless Chromium: it loads, draws, and complains
// about nothing; the Embind module answers from inside the page.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { appState, openPage, pixelStats, screenshot, startBrowser, waitForFrames } from "./harness.mjs";

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

describe("playground page", () => {
  test("loads, draws frames, reports its state, and logs no errors", async () => {
    const { page, context, consoleErrors, pageErrors, failedRequests } = await openPage(env, "/");
    try {
      const frames = await waitForFrames(page, 3);
      assert.ok(frames >= 3, `frames drawn: ${frames}`);

      const state = await appState(page);
      // The full shape is pinned by ui_*.test.mjs; here only its head.
      assert.equal(state.panel, "Inspector");
      assert.equal(state.version, "0.1.0");

      // The canvas fills the window, its backing store matches CSS size × DPR.
      const canvas = await page.evaluate(() => {
        const c = document.getElementById("canvas");
        const r = c.getBoundingClientRect();
        return { w: c.width, h: c.height, cssW: r.width, cssH: r.height, dpr: devicePixelRatio,
                 winW: innerWidth, winH: innerHeight };
      });
      assert.equal(canvas.cssW, canvas.winW);
      assert.equal(canvas.cssH, canvas.winH);
      assert.equal(canvas.w, Math.round(canvas.cssW * canvas.dpr));
      assert.equal(canvas.h, Math.round(canvas.cssH * canvas.dpr));

      const png = await screenshot(page, "page");
      const stats = await pixelStats(page, png);
      // Text, the tab bar and the separator: far more than a blank frame.
      assert.ok(stats.nonBackground > 2000, `non-background pixels: ${JSON.stringify(stats)}`);
      assert.ok(stats.colors > 16, `distinct colors: ${stats.colors}`);

      assert.deepEqual(pageErrors, [], "page errors");
      assert.deepEqual(consoleErrors, [], "console errors");
      assert.deepEqual(failedRequests, [], "failed requests");
    } finally {
      await context.close();
    }
  });

  test("follows window resizes and devicePixelRatio", async () => {
    const { page, context, consoleErrors, pageErrors } = await openPage(env, "/", {
      width: 900, height: 600, deviceScaleFactor: 2,
    });
    try {
      await waitForFrames(page, 2);
      await page.setViewportSize({ width: 700, height: 500 });
      const before = await page.evaluate(() => window.mantissa.frame());
      await waitForFrames(page, before + 3);
      const size = await page.evaluate(() => [document.getElementById("canvas").width,
                                              document.getElementById("canvas").height]);
      assert.deepEqual(size, [1400, 1000]);
      await screenshot(page, "page-700x500@2x");
      assert.deepEqual(pageErrors, [], "page errors");
      assert.deepEqual(consoleErrors, [], "console errors");
    } finally {
      await context.close();
    }
  });
});

describe("JavaScript API module", () => {
  test("mantissa.mjs loads in the page and reports the version", async () => {
    const { page, context, consoleErrors, pageErrors } = await openPage(env, "/");
    try {
      const version = await page.evaluate(async () => {
        const { default: Mantissa } = await import("/mantissa.mjs");
        const m = await Mantissa();
        return m.version();
      });
      assert.equal(version, "0.1.0");
      assert.deepEqual(pageErrors, [], "page errors");
      assert.deepEqual(consoleErrors, [], "console errors");
    } finally {
      await context.close();
    }
  });
});
