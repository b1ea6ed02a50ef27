// The Inspector and the app shell, driven like a user would: real clicks,
// typing and touch taps on the canvas (items found through
// window.mantissa.layout()), results read from window.mantissa.state() and
// compared with the core's own figures (the native CLI, when built) and the
// tutorial's numbers.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { cli, runCli } from "../js/api_contract.mjs";
import {
  anchorCenter,
  appState,
  assertClean,
  clickAnchor,
  loadPreset,
  openPage,
  pixelStats,
  screenshot,
  settle,
  startBrowser,
  tapAnchor,
  waitForFrames,
} from "./harness.mjs";


// The core's report for one conversion, from the native CLI (null when the
// native build is missing: those comparisons are then skipped).
function coreConvert(value, to, from) {
  if (!cli) return null;
  const args = ["convert", value, "--to", to];
  if (from) args.push("--from", from);
  return runCli(args);
}

function row(state, format) {
  const r = state.results.rows.find((x) => x.format === format);
  assert.ok(r, `row ${format} in ${JSON.stringify(state.results.rows?.map((x) => x.format))}`);
  return r;
}

// Every row agrees with the core on bits, exact value and error.
function assertRowsMatchCore(state) {
  const { value, from } = state.inputs;
  const isBits = state.results.input_kind === "bits";
  for (const r of state.results.rows) {
    const core = coreConvert(value, r.format, isBits ? from : undefined);
    if (!core) return;
    assert.equal(r.bits, core.bits, `${value} in ${r.format}: bits`);
    assert.equal(r.value, core.value, `${value} in ${r.format}: value`);
    assert.equal(r.error_abs, core.error_abs, `${value} in ${r.format}: error`);
    assert.equal(r.class, core.class, `${value} in ${r.format}: class`);
    assert.equal(r.next_up, core.next_up, `${value} in ${r.format}: next up`);
    assert.equal(r.direction, core.rounding.direction, `${value} in ${r.format}: direction`);
  }
}

async function liveText(page) {
  return page.evaluate(() => document.getElementById("live").textContent);
}

let env;
before(async () => {
  env = await startBrowser();
});
after(async () => {
  await env?.close();
});

describe("Inspector", () => {
  test("opens on the tutorial's number, agrees with the core, and says it in words", async () => {
    const session = await openPage(env, "/");
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      const state = await appState(page);
      assert.equal(state.panel, "Inspector");
      assert.equal(state.panel_key, "inspect");
      assert.equal(state.inputs.value, "1.12156456132");
      assert.deepEqual(
        state.results.rows.map((r) => r.format),
        ["fp64", "fp32", "tf32", "fp16", "bf16", "fp8-e5m2", "fp8-e4m3"],
      );
      // The tutorial's figures.
      assert.equal(row(state, "fp32").bits, "0x3f8f8f6d");
      assert.equal(row(state, "fp32").value, "1.12156450748443603515625");
      assert.equal(row(state, "fp16").bits, "0x3c7c");
      assert.equal(row(state, "fp16").value, "1.12109375");
      assert.equal(row(state, "fp16").error_abs, "-0.00047081132");
      assert.match(state.results.input_binary, /^1\.000111110001111011011010111001110011100011010100000111001111/);
      assertRowsMatchCore(state);

      assert.equal(await liveText(page), "1.12156456132 in fp16 is 1.12109375, error \u22120.00047081132.");
      assert.equal(
        await page.evaluate(() => document.getElementById("live").getAttribute("aria-live")),
        "polite",
      );
      const png = await screenshot(page, "ui-inspector");
      const stats = await pixelStats(page, png);
      assert.ok(stats.colors > 100, `a drawn panel, not a blank one: ${JSON.stringify(stats)}`);
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("typing a value updates every row; bad input shows an error and keeps the last good state", async () => {
    const session = await openPage(env, "/");
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      await clickAnchor(page, "inspector:value");
      await page.keyboard.press("Control+A");
      await page.keyboard.type("0.1");
      await settle(page);
      let state = await appState(page);
      assert.equal(state.inputs.value, "0.1");
      assert.equal(row(state, "fp32").bits, "0x3dcccccd");
      assert.equal(row(state, "fp16").bits, "0x2e66");
      assert.equal(row(state, "bf16").bits, "0x3dcd");
      assertRowsMatchCore(state);
      assert.match(await liveText(page), /^0\.1 in fp16 is 0\.0999755859375, error /);

      // A second decimal point: the core's sentence, the rows stay on 0.1.
      await page.keyboard.type(".5");
      await settle(page);
      state = await appState(page);
      assert.equal(state.inputs.value, "0.1");
      assert.notEqual(state.results.error, "");
      assert.equal(row(state, "fp32").bits, "0x3dcccccd");
      await screenshot(page, "ui-inspector-error");

      // A bit pattern, read in the chosen format (fp16 by default).
      await page.keyboard.press("Control+A");
      await page.keyboard.type("0x7bff");
      await settle(page);
      state = await appState(page);
      assert.equal(state.results.error, "");
      assert.equal(state.results.input_kind, "bits");
      assert.equal(row(state, "fp16").value, "65504");
      assert.equal(row(state, "fp32").value, "65504");
      // Same pattern read as bf16.
      await clickAnchor(page, "inspector:from");
      await clickAnchor(page, "from:bf16");
      state = await appState(page);
      assert.equal(state.inputs.from, "bf16");
      assert.equal(row(state, "bf16").bits, "0x7bff");
      assertRowsMatchCore(state);
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("clicking a bit flips it and the row becomes the source; dragging paints", async () => {
    const session = await openPage(env, "/");
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      // fp16 0x3c7c = 0 01111 0001111100: the last mantissa bit is bit 15.
      await clickAnchor(page, "bit:fp16:15");
      let state = await appState(page);
      assert.equal(state.inputs.value, "0x3c7d");
      assert.equal(state.inputs.from, "fp16");
      assert.equal(row(state, "fp16").value, "1.1220703125");
      assert.equal(row(state, "fp32").value, "1.1220703125");
      assert.equal(row(state, "fp16").error_abs, "0");
      assertRowsMatchCore(state);

      // The sign bit.
      await clickAnchor(page, "bit:fp16:0");
      state = await appState(page);
      assert.equal(row(state, "fp16").bits, "0xbc7d");
      assert.equal(row(state, "fp64").value, "-1.1220703125");

      // Paint: press on mantissa bit 6 (0 → paints 1s) and drag to bit 9.
      const a = await anchorCenter(page, "bit:fp16:6");
      const b = await anchorCenter(page, "bit:fp16:9");
      await page.mouse.move(a.x, a.y);
      await page.mouse.down();
      await settle(page, 2);
      for (let i = 1; i <= 6; i++) {
        await page.mouse.move(a.x + ((b.x - a.x) * i) / 6, a.y);
        await settle(page, 2);
      }
      await page.mouse.up();
      await settle(page);
      state = await appState(page);
      // 1 01111 0001111101 → bits 6..9 (mantissa 0..3) set: 1 01111 1111111101.
      assert.equal(row(state, "fp16").binary, "1 01111 1111111101");
      assert.equal(row(state, "fp16").bits, "0xbffd");
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("rounding mode, saturation and a custom row", async () => {
    const session = await openPage(env, "/");
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      await clickAnchor(page, "inspector:mode");
      await clickAnchor(page, "mode:rtz");
      let state = await appState(page);
      assert.equal(state.inputs.mode, "rtz");
      assert.equal(row(state, "bf16").bits, "0x3f8f"); // truncated; nearest rounds up to 0x3f90

      await clickAnchor(page, "inspector:mode");
      await clickAnchor(page, "mode:stochastic");
      state = await appState(page);
      assert.equal(state.inputs.mode, "stochastic");
      assert.ok((await page.evaluate(() => window.mantissa.layout()))["inspector:seed"], "the seed field shows");

      await clickAnchor(page, "inspector:custom");
      await page.keyboard.type("e3m4");
      await page.keyboard.press("Enter");
      await settle(page);
      state = await appState(page);
      assert.equal(state.inputs.custom, "e3m4");
      const custom = state.results.rows.at(-1);
      assert.equal(custom.format, "e3m4");
      assert.equal(custom.custom, true);
      await screenshot(page, "ui-inspector-custom");
      assertClean(session);
    } finally {
      await context.close();
    }
  });
});

describe("presets", () => {
  test("each Inspector preset loads by click and matches the core", async () => {
    const session = await openPage(env, "/");
    const { page, context } = session;
    const expect = {
      "tutorial-convert": { focus: "fp16", check: (s) => assert.equal(row(s, "fp16").bits, "0x3c7c") },
      "fp16-overflow": {
        focus: "fp16",
        check: (s) => {
          assert.equal(row(s, "fp16").value, "inf");
          assert.equal(row(s, "fp16").overflow, true);
          assert.equal(row(s, "bf16").value, "65536");
        },
      },
      "fp16-min-subnormal": {
        focus: "fp16",
        check: (s) => {
          assert.equal(row(s, "fp16").value, "0.000000059604644775390625");
          assert.equal(row(s, "fp16").class, "subnormal");
          assert.equal(row(s, "fp32").class, "normal");
        },
      },
      "e4m3-tie": {
        focus: "fp8-e4m3",
        check: (s) => {
          const r = row(s, "fp8-e4m3");
          assert.equal(r.value, "4");
          assert.deepEqual([r.guard, r.round, r.sticky], [1, 0, 0]);
        },
      },
      "double-rounding": {
        focus: "fp16",
        check: (s) => {
          assert.equal(row(s, "fp16").bits, "0x3c01");
          assert.equal(row(s, "fp16").via_fp32, "0x3c00");
        },
      },
      "bf16-range": {
        focus: "bf16",
        check: (s) => {
          assert.equal(row(s, "bf16").value, "99840");
          assert.equal(row(s, "fp16").value, "inf");
        },
      },
    };
    try {
      await waitForFrames(page, 5);
      for (const [key, { focus, check }] of Object.entries(expect)) {
        await loadPreset(page, key);
        const state = await appState(page);
        assert.equal(state.panel, "Inspector", key);
        assert.equal(state.results.focus, focus, key);
        check(state);
        assertRowsMatchCore(state);
        await screenshot(page, `ui-preset-${key}`);
      }
      assertClean(session);
    } finally {
      await context.close();
    }
  });
});

describe("shell", () => {
  test("About opens and closes; tabs switch panels", async () => {
    const session = await openPage(env, "/");
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      await clickAnchor(page, "about");
      await screenshot(page, "ui-about");
      await clickAnchor(page, "about-close");
      await clickAnchor(page, "tab:Addition");
      let state = await appState(page);
      assert.equal(state.panel, "Addition");
      assert.equal(state.panel_key, "add");
      await clickAnchor(page, "tab:Inspector");
      state = await appState(page);
      assert.equal(state.panel, "Inspector");
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("idle: no drawing without input, drawing resumes on input", async () => {
    const session = await openPage(env, "/");
    const { page, context } = session;
    try {
      await waitForFrames(page, 20);
      const before = await page.evaluate(() => [window.mantissa.frame(), window.mantissa.drawn()]);
      await waitForFrames(page, before[0] + 30);
      const idle = await page.evaluate(() => [window.mantissa.frame(), window.mantissa.drawn()]);
      assert.ok(idle[0] >= before[0] + 30);
      assert.equal(idle[1], before[1], "no frame drawn while idle");
      await page.mouse.move(200, 200);
      await settle(page, 3);
      const after = await page.evaluate(() => window.mantissa.drawn());
      assert.ok(after > idle[1], "input draws again");
      assertClean(session);
    } finally {
      await context.close();
    }
  });

  test("dark color scheme and a 2x pixel ratio", async () => {
    const session = await openPage(env, "/", {
      width: 1100,
      height: 760,
      deviceScaleFactor: 2,
      contextOptions: { colorScheme: "dark" },
    });
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      const png = await screenshot(page, "ui-inspector-dark@2x");
      const stats = await pixelStats(page, png);
      assert.ok(stats.background.every((c) => c < 60), `a dark background: ${stats.background}`);
      // Fonts are baked at the pixel ratio: items are as large in CSS pixels.
      const { rect } = await anchorCenter(page, "inspector:value");
      assert.ok(rect[3] > 20 && rect[3] < 40, `value field height in CSS px: ${rect[3]}`);
      assertClean(session);
    } finally {
      await context.close();
    }
  });
});

describe("phone", () => {
  test("390x700 with touch: presets, bit taps and the value field work", async () => {
    const session = await openPage(env, "/", {
      width: 390,
      height: 700,
      deviceScaleFactor: 3,
      contextOptions: { hasTouch: true, isMobile: true },
    });
    const { page, context } = session;
    try {
      await waitForFrames(page, 5);
      await screenshot(page, "ui-phone-inspector");
      await loadPreset(page, "e4m3-tie", true);
      let state = await appState(page);
      assert.equal(state.inputs.value, "4.25");
      assert.equal(row(state, "fp8-e4m3").value, "4");
      // Tap the last mantissa bit of fp8-e4m3 (0 1001 000 → 0 1001 001).
      await tapAnchor(page, "bit:fp8-e4m3:7");
      state = await appState(page);
      assert.equal(state.inputs.value, "0x49");
      assert.equal(state.inputs.from, "fp8-e4m3");
      assert.equal(row(state, "fp8-e4m3").value, "4.5");
      await screenshot(page, "ui-phone-after-tap");
      // Tabs by touch.
      await tapAnchor(page, "tab:Addition");
      state = await appState(page);
      assert.equal(state.panel, "Addition");
      assertClean(session);
    } finally {
      await context.close();
    }
  });
});
