// Browser-test harness: serves build/web on a free port, drives Debian's
// Chromium (headless, software WebGL2) through playwright-core, and collects
// console errors and page errors. Used by tests/browser/*.test.mjs, which run
// under Node's test runner (`node --test tests/browser/`).
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";

import { startServer } from "../../scripts/serve.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "..", "..");
export const webRoot = process.env.MANTISSA_WEB_ROOT ?? path.join(repoRoot, "build", "web");
export const screenshotDir = path.join(repoRoot, "build", "screenshots");

// TOOLCHAIN.md pitfalls 7 and 15: software WebGL without the deprecation
// warning, no network chatter, root on a closed machine.
export const CHROMIUM_ARGS = [
  "--enable-unsafe-swiftshader",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

// Starts the server and the browser once per test file.
//   const env = await startBrowser();  ...  await env.close();
export async function startBrowser({ root = webRoot } = {}) {
  const server = await startServer({ root });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    server,
    browser,
    url: server.url,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

// Opens `pathname` in a fresh page and records what goes wrong in it.
// Returns { page, consoleErrors, pageErrors, failedRequests }.
// `contextOptions` go to browser.newContext as they are (hasTouch, isMobile,
// colorScheme, ...).
export async function openPage(
  env,
  pathname = "/",
  { width = 1280, height = 800, deviceScaleFactor = 1, contextOptions = {} } = {},
) {
  const context = await env.browser.newContext({ viewport: { width, height }, deviceScaleFactor, ...contextOptions });
  const page = await context.newPage();
  const consoleErrors = [];
  const pageErrors = [];
  const failedRequests = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(msg.text());
  });
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  page.on("requestfailed", (request) => failedRequests.push(`${request.url()} ${request.failure()?.errorText}`));
  page.on("response", (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.url()} HTTP ${response.status()}`);
  });
  await page.goto(new URL(pathname, env.url).href);
  return { page, context, consoleErrors, pageErrors, failedRequests };
}

// Waits until the app has drawn at least `n` frames (window.mantissa.frame()).
export async function waitForFrames(page, n = 1, { timeout = 30000 } = {}) {
  await page.waitForFunction((count) => window.mantissa && window.mantissa.frame() >= count, n, { timeout });
  return page.evaluate(() => window.mantissa.frame());
}

// The app's state as reported by window.mantissa.state().
export function appState(page) {
  return page.evaluate(() => window.mantissa.state());
}

// Saves a PNG of the page to build/screenshots/<name>.png; returns its bytes.
export async function screenshot(page, name) {
  await mkdir(screenshotDir, { recursive: true });
  return page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

// Decodes a PNG (e.g. a screenshot) with the browser's own decoder and
// summarises its pixels: { width, height, background, nonBackground, colors }.
// `background` is the most common color; `nonBackground` counts pixels that
// differ from it by more than `tolerance` in some channel.
export async function pixelStats(page, png, { tolerance = 8 } = {}) {
  return page.evaluate(
    async ({ base64, tolerance }) => {
      const blob = await (await fetch(`data:image/png;base64,${base64}`)).blob();
      const bitmap = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      const ctx = canvas.getContext("2d");
      ctx.drawImage(bitmap, 0, 0);
      const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
      const counts = new Map();
      for (let i = 0; i < data.length; i += 4) {
        const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      let background = 0;
      let best = -1;
      for (const [key, count] of counts) {
        if (count > best) [background, best] = [key, count];
      }
      const [br, bg, bb] = [(background >> 16) & 255, (background >> 8) & 255, background & 255];
      let nonBackground = 0;
      for (let i = 0; i < data.length; i += 4) {
        const d = Math.max(Math.abs(data[i] - br), Math.abs(data[i + 1] - bg), Math.abs(data[i + 2] - bb));
        if (d > tolerance) nonBackground++;
      }
      return {
        width: bitmap.width,
        height: bitmap.height,
        background: [br, bg, bb],
        nonBackground,
        colors: counts.size,
      };
    },
    { base64: Buffer.from(png).toString("base64"), tolerance },
  );
}

// --- Driving the playground by its named items -----------------------------------
// The app names the items tests need (window.mantissa.layout(): {name: [x, y,
// w, h]} in CSS pixels, from the last drawn frame). These helpers click or
// tap their centres, like a user would, and wait for the app to settle.

// Waits until `n` more frames have ticked (input makes the app draw them)
// and every key and character event has reached ImGui (the app paces them to
// frames: window.mantissa.inputPending()). When the events took longer than
// those frames to drain, `n` more frames pass after the last one.
export async function settle(page, n = 4) {
  const now = await page.evaluate(() => window.mantissa.frame());
  await waitForFrames(page, now + n);
  await page.waitForFunction(() => !window.mantissa.inputPending || window.mantissa.inputPending() === 0, null, {
    timeout: 30000,
  });
  const drained = await page.evaluate(() => window.mantissa.frame());
  if (drained > now + n) await waitForFrames(page, drained + n);
}

export function layout(page) {
  return page.evaluate(() => window.mantissa.layout());
}

// The centre of a named item; waits (a few frames) for it to appear.
export async function anchorCenter(page, name, { timeout = 5000 } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const rects = await layout(page);
    const r = rects[name];
    if (r) return { x: r[0] + r[2] / 2, y: r[1] + r[3] / 2, rect: r };
    if (Date.now() > deadline) {
      throw new Error(`no item named ${name}; have: ${Object.keys(rects).slice(0, 40).join(", ")}`);
    }
    await settle(page, 2);
  }
}

// Moves there first and lets a frame pass, as a hand does: Dear ImGui
// presses some items (tabs) only when they were hovered the frame before.
export async function clickAnchor(page, name) {
  const { x, y } = await anchorCenter(page, name);
  await page.mouse.move(x, y);
  await settle(page, 2);
  await page.mouse.click(x, y);
  await settle(page);
}

// A touch tap (page.js turns it into paced mouse events: a few frames).
export async function tapAnchor(page, name) {
  const { x, y } = await anchorCenter(page, name);
  await page.touchscreen.tap(x, y);
  await settle(page, 6);
}

// A page that logged no errors, threw nothing and had no failed requests.
export function assertClean({ consoleErrors, pageErrors, failedRequests }) {
  assert.deepEqual(pageErrors, [], "page errors");
  assert.deepEqual(consoleErrors, [], "console errors");
  if (failedRequests) assert.deepEqual(failedRequests, [], "failed requests");
}

// Picks a scenario from the top bar's Presets menu by click (or tap).
export async function loadPreset(page, key, tap = false) {
  await (tap ? tapAnchor : clickAnchor)(page, "presets");
  await (tap ? tapAnchor : clickAnchor)(page, `preset:${key}`);
  await settle(page, 4);
}
