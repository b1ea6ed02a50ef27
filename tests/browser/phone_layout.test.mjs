// Phone widths: at 320×640, 390×700 (device pixel ratio 2) and 430×900 every
// panel, and the embed inside a 320 px-wide iframe, fits the screen. From the
// last drawn frame (window.mantissa.items(), src/app/layout_probe.h):
//   - no item reaches past the viewport's left or right edge, unless it lies
//     in a horizontally scrolling region (a scrolling child, the tab bar)
//     that itself fits;
//   - no text run is cut by its clip rectangle (clipped, not wrapped), unless
//     it sits in a window that scrolls sideways;
//   - no two text runs overprint each other.
// Each panel is checked screen by screen down to its end (the wheel scrolls
// it). One page load per viewport; screenshots of each panel's first screen
// go to build/screenshots/phone-<width>-<panel>.png. The Inspector's ruler
// (no cut line through another cut's label) is also checked at 1280×800.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { assertClean, clickAnchor, openPage, screenshot, settle, startBrowser, waitForFrames } from "./harness.mjs";

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

const PANELS = [
  ["Inspector", "inspector"],
  ["Addition", "addition"],
  ["Training", "training"],
  ["Error landscape", "landscape"],
  ["Blocks", "blocks"],
  ["Inspect tensors", "tensors"],
  ["Accumulation", "accumulation"],
  ["Network", "network"],
];
const SLACK = 0.5; // CSS px: rounding of device pixels at ratio 2

// Overlays (tooltips, popups, combos) are drawn over the page on purpose.
const onPage = (window) => !window.startsWith("##");

// Every problem on the current screen of `target` (a page or a frame), as
// sentences; empty when the screen fits.
async function problems(target, where) {
  const probe = await target.evaluate(() => window.mantissa.items());
  const [vw] = probe.viewport;
  const found = [];
  for (const it of probe.items) {
    if (!onPage(it.window)) continue;
    const [x0, , x1] = it.rect;
    if (x1 - x0 <= 0) continue;
    if (it.scroll) {
      const [s0, , s1] = it.scroll;
      if (s0 < -SLACK || s1 > vw + SLACK) {
        found.push(`${where}: scrolling region of "${it.label}" spans ${s0.toFixed(1)}..${s1.toFixed(1)} (viewport ${vw})`);
      }
    } else if (x0 < -SLACK || x1 > vw + SLACK) {
      found.push(`${where}: item "${it.label}" in ${it.window} spans ${x0.toFixed(1)}..${x1.toFixed(1)} (viewport ${vw})`);
    }
  }
  for (const t of probe.texts) {
    if (!onPage(t.window)) continue;
    if (t.cut) found.push(`${where}: text "${t.text}" is cut at ${t.rect.map((v) => v.toFixed(1)).join(",")}`);
  }
  for (const [a, b] of probe.overlaps) found.push(`${where}: text "${a}" overprints "${b}"`);
  // The Inspector's ruler: a cut's line never runs through another cut's label.
  const named = await target.evaluate(() => window.mantissa.layout());
  for (const [name, [lx, ly, lw, lh]] of Object.entries(named)) {
    if (!name.startsWith("ruler:line:")) continue;
    const k = name.slice("ruler:line:".length);
    for (const [other, [x, y, w, h]] of Object.entries(named)) {
      if (!other.startsWith("ruler:label:") || other === `ruler:label:${k}`) continue;
      if (lx < x + w && x < lx + lw && ly < y + h && y < ly + lh) {
        found.push(`${where}: the ruler's cut line at ${k} bits crosses the label at ${other.slice(12)} bits`);
      }
    }
  }
  return { found: [...new Set(found)], probe };
}

// The Inspector's fp64 bit boxes on a phone: every one a tap target of at
// least 24 CSS px (the boxes wrap onto more lines instead of shrinking),
// inside the viewport, and no two overlapping.
async function bitBoxProblems(page, width) {
  const named = await page.evaluate(() => window.mantissa.layout());
  const boxes = Object.entries(named).filter(([name]) => name.startsWith("bit:fp64:"));
  const found = [];
  // (Anchors are listed while on screen: the first screen shows most of them.)
  if (boxes.length < 32) found.push(`${width}px: only ${boxes.length} of fp64's 64 bit boxes on the first screen`);
  for (const [name, [x, y, w, h]] of boxes) {
    if (w < 24 - SLACK || h < 24 - SLACK) found.push(`${width}px: ${name} is ${w.toFixed(1)}×${h.toFixed(1)} CSS px`);
    if (x < -SLACK || x + w > width + SLACK) found.push(`${width}px: ${name} spans ${x.toFixed(1)}..${(x + w).toFixed(1)}`);
  }
  for (let i = 0; i < boxes.length; ++i) {
    for (let j = i + 1; j < boxes.length; ++j) {
      const [a, [ax, ay, aw, ah]] = boxes[i];
      const [b, [bx, by, bw, bh]] = boxes[j];
      if (ax < bx + bw && bx < ax + aw && ay < by + bh && by < ay + ah) found.push(`${width}px: ${a} overlaps ${b}`);
    }
  }
  return found;
}

// fp64's exact value is too long for a 390 px line: it wraps between digit
// groups, and its copy button copies the plain decimal (what the page hands
// the clipboard is kept in Module.mantissaCopied). The wheel brings the
// button into view.
async function checkCopy(page, wheelAt) {
  const fp64 = (await page.evaluate(() => window.mantissa.state())).results.rows.find((r) => r.format === "fp64");
  const name = `copy:${fp64.value}`;
  // The wheel over the panel's own content (the bit boxes take no wheel): at
  // the screen's right edge it would be over the window's padding, outside
  // the panel's scrolling region.
  const viewport = page.viewportSize();
  const over = { x: viewport.width / 2, y: viewport.height * 0.6 };
  for (let i = 0; i < 12 && !(await page.evaluate(() => window.mantissa.layout()))[name]; ++i) {
    await page.mouse.move(over.x, over.y);
    await page.mouse.wheel(0, 150);
    await settle(page, 4);
  }
  await clickAnchor(page, name);
  assert.equal(await page.evaluate(() => Module.mantissaCopied), fp64.value);
  await scrollToTop(page, page, wheelAt);
}

// Checks the panel shown in `target` screen by screen: the wheel scrolls it
// until the screen no longer changes. The wheel turns over the panel's
// scrollbar: over a plot it would zoom the plot instead.
async function checkScrolling(page, target, where, { wheelAt, maxScreens = 8 }) {
  const all = [];
  let last = "";
  for (let screen = 0; screen < maxScreens; ++screen) {
    const { found, probe } = await problems(target, `${where}, screen ${screen + 1}`);
    all.push(...found);
    const now = JSON.stringify(probe.texts.map((t) => [t.text, t.rect[1]]));
    if (now === last) break;
    last = now;
    await page.mouse.move(wheelAt.x, wheelAt.y);
    await page.mouse.wheel(0, probe.viewport[1] * 0.8);
    await settle(target, 4);
  }
  return [...new Set(all.map((p) => p.replace(/, screen \d+:/, ":")))];
}

async function scrollToTop(page, target, wheelAt) {
  await page.mouse.move(wheelAt.x, wheelAt.y);
  await page.mouse.wheel(0, -100000);
  await settle(target, 4);
}

describe("phone widths", () => {
  for (const [width, height, ratio] of [
    [320, 640, 1],
    [390, 700, 2],
    [430, 900, 1],
  ]) {
    test(`every panel fits ${width}×${height} (device pixel ratio ${ratio})`, async () => {
      const opened = await openPage(env, "/", { width, height, deviceScaleFactor: ratio });
      const { page, context } = opened;
      try {
        await waitForFrames(page, 3);
        const wheelAt = { x: width - 3, y: height * 0.6 };
        const all = [];
        // Every panel is one tap away: on a phone the tabs are buttons that wrap, none hidden.
        const named = await page.evaluate(() => window.mantissa.layout());
        for (const [tab] of PANELS) {
          const r = named[`tab:${tab}`];
          if (!r || r[0] < 0 || r[0] + r[2] > width) all.push(`${width}px: tab ${tab} is off screen (${r})`);
        }
        for (const [tab, key] of PANELS) {
          await clickAnchor(page, `tab:${tab}`);
          await settle(page, 6);
          assert.equal((await page.evaluate(() => window.mantissa.state())).panel, tab);
          await page.mouse.move(wheelAt.x, wheelAt.y); // no hover tooltip in the picture
          await settle(page, 4);
          await screenshot(page, `phone-${width}-${key}`);
          if (key === "inspector") all.push(...(await bitBoxProblems(page, width)));
          if (key === "inspector" && width === 390) await checkCopy(page, wheelAt);
          all.push(...(await checkScrolling(page, page, `${width}px ${tab}`, { wheelAt })));
          await scrollToTop(page, page, wheelAt);
        }
        assert.deepEqual(all, []);
        assertClean(opened);
      } finally {
        await context.close();
      }
    });
  }

  // The ruler's labels overprinted at desktop width too (close cuts: e5m2 at
  // 3 bits, e4m3 at 4, bf16 at 8).
  test("the Inspector's first screen at 1280×800: no overprint, no ruler line through a label", async () => {
    const opened = await openPage(env, "/", { width: 1280, height: 800 });
    const { page, context } = opened;
    try {
      await waitForFrames(page, 3);
      const { found } = await problems(page, "1280px Inspector");
      assert.deepEqual(found, []);
      assertClean(opened);
    } finally {
      await context.close();
    }
  });

  test("every panel fits an embed in a 320 px-wide iframe", async () => {
    const opened = await openPage(env, "/", { width: 360, height: 640 });
    const { page, context } = opened;
    try {
      const wheelAt = { x: 317, y: 300 };
      const all = [];
      for (const [key, hash] of [
        ["inspector", "p=inspect"],
        ["addition", "p=add"],
        ["training", "p=train"],
        ["landscape", "p=landscape"],
        ["blocks", "p=blocks"],
        ["tensors", "p=tensors"],
        ["accumulation", "p=dot"],
        ["network", "p=network"],
      ]) {
        // A host page with one 320 px iframe of the panel's embed (the embed
        // reads its hash once: a new frame per panel).
        const src = new URL(`/embed.html#v=1&${hash}`, env.url).href;
        await page.setContent(
          `<body style="margin:0"><iframe id="e" width="320" height="600" style="border:0" src="${src}"></iframe></body>`,
        );
        const frame = await (await page.$("#e")).contentFrame();
        await frame.waitForFunction(() => window.mantissa && window.mantissa.frame() >= 3, null, { timeout: 30000 });
        assert.equal((await frame.evaluate(() => window.mantissa.state())).panel_key, hash.slice(2));
        await page.mouse.click(wheelAt.x, wheelAt.y); // the embed takes the wheel once clicked into
        await settle(frame, 6);
        await screenshot(page, `phone-embed-320-${key}`);
        all.push(...(await checkScrolling(page, frame, `embed ${key}`, { wheelAt })));
      }
      assert.deepEqual(all, []);
      assert.deepEqual(opened.pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
