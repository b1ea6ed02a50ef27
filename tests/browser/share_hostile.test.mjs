// 200+ mutated, truncated and hostile links (script payloads, 1 MB hashes):
// the page keeps running, logs no page errors, inserts nothing into the DOM
// as HTML, and names what it ignored in a visible notice.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { openPage, startBrowser, waitForFrames } from "./harness.mjs";
import { SCENARIOS } from "./share_scenarios.mjs";

const PAYLOADS = [
  "<script>window.__pwned=1</script>",
  "\"><img src=x onerror=window.__pwned=1>",
  "javascript:window.__pwned=1",
  "<svg onload=window.__pwned=1>",
  "';window.__pwned=1;//",
  "%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E",
  "%00%01%02%ff%fe",
  "%",
  "%%%%",
  "\u202e\u0000",
  "{{constructor.constructor('window.__pwned=1')()}}",
  "1e999999999",
  "0x1p99999",
  "-0x",
  "nan(123)",
];

// A seeded generator: the same 200 links every run.
function* hostileLinks() {
  let seed = 20240611;
  const rand = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed % n; };
  for (const p of PAYLOADS) {
    for (const key of ["x", "af", "p", "st", "z", "v", p]) yield `v=1&${key}=${encodeURIComponent(p)}`;
    yield p;
  }
  // Truncations and byte mutations of real links.
  const chars = "=&%#<>\"'0123456789abcdefxz.-+,:;";
  while (true) {
    const base = SCENARIOS[rand(SCENARIOS.length)];
    let h = base.slice(0, rand(base.length + 1));
    for (let e = rand(4); e > 0; e--) {
      const at = rand(h.length + 1);
      h = h.slice(0, at) + chars[rand(chars.length)] + h.slice(at + rand(3));
    }
    yield h;
  }
}

let env;
before(async () => { env = await startBrowser(); });
after(async () => { await env?.close(); });

async function domSnapshot(page) {
  return page.evaluate(() => ({
    elements: document.getElementsByTagName("*").length,
    scripts: [...document.scripts].map((s) => s.src),
    pwned: window.__pwned ?? null,
    inline: [...document.querySelectorAll("[onerror],[onload],img,svg,iframe")].length,
  }));
}

describe("hostile links", () => {
  test("200 mutated, truncated and hostile links through hashchange", async () => {
    // A small viewport: this test is about the codec and the page, not the
    // layout, and software WebGL draws a small canvas much faster.
    const { page, context, pageErrors, consoleErrors } = await openPage(env, "/", { width: 640, height: 400 });
    try {
      await waitForFrames(page, 3);
      const clean = await domSnapshot(page);
      // Record every element anyone adds from now on.
      await page.evaluate(() => {
        window.__added = [];
        new MutationObserver((list) => {
          for (const m of list) for (const n of m.addedNodes) if (n.nodeType === 1) window.__added.push(n.outerHTML.slice(0, 80));
        }).observe(document.documentElement, { childList: true, subtree: true });
      });
      let count = 0, withNotices = 0;
      for (const hash of hostileLinks()) {
        if (count >= 200) break;
        count++;
        const before = await page.evaluate(() => window.mantissa.frame());
        await page.evaluate((h) => { location.hash = h; }, hash);
        await waitForFrames(page, before + 2);
        const share = await page.evaluate(() => window.mantissa.share());
        if (share.notices.length) withNotices++;
        for (const n of share.notices) assert.match(n, /^[\x20-\x7e]*$/, "notices are printable ASCII");
      }
      // Finally a 1 MB hash, and a 1 MB compact payload.
      for (const big of ["v=1&x=" + "7".repeat(1 << 20), "v=1&z=" + "A".repeat(1 << 20), "a=1&".repeat(1 << 18)]) {
        const before = await page.evaluate(() => window.mantissa.frame());
        await page.evaluate((h) => { location.hash = h; }, big);
        await waitForFrames(page, before + 3);
        assert.ok((await page.evaluate(() => window.mantissa.share())).notices.length > 0);
      }
      assert.ok(withNotices > 100, `links with notices: ${withNotices}`);
      const after = await domSnapshot(page);
      assert.equal(after.pwned, null, "no payload ran");
      assert.deepEqual(after.scripts, clean.scripts, "no scripts added");
      assert.equal(after.inline, clean.inline, "no elements with handlers");
      assert.deepEqual(await page.evaluate(() => window.__added), [], "nothing inserted into the DOM");
      assert.deepEqual(pageErrors, []);
      assert.deepEqual(consoleErrors, []);
      // Still alive: a good link loads after all that.
      const before = await page.evaluate(() => window.mantissa.frame());
      await page.evaluate(() => { location.hash = "v=1&p=add&a=1.5"; });
      await waitForFrames(page, before + 3);
      const state = await page.evaluate(() => window.mantissa.state());
      assert.equal(state.inputs.a, "1.5");
    } finally {
      await context.close();
    }
  });

  // A hang guard (a quadratic path over 1 MB would take minutes); the times
  // are printed, speed itself is a benchmark matter.
  test("the codec decodes 1 MB hashes in wasm without stalling", async () => {
    const { page, context } = await openPage(env, "/examples/api-plain.html");
    try {
      await page.waitForFunction(() => window.mantissaApi !== undefined, null, { timeout: 30000 });
      const times = await page.evaluate(() => {
        const m = window.mantissaApi;
        const mb = 1 << 20;
        const hashes = ["v=1&x=" + "7".repeat(mb), "v=1&x=0." + "3".repeat(190000), "v=1&z=" + "A".repeat(mb),
                        "a=1&".repeat(mb / 4), "%".repeat(mb), "&".repeat(mb), "v=1&st=" + ",".repeat(mb)];
        m.decodeScenario(hashes[0]);  // warm up (baseline compiler first)
        return hashes.map((h) => { const t0 = performance.now(); m.decodeScenario(h); return performance.now() - t0; });
      });
      console.log(`# 1 MB link decode times (ms): ${times.map((x) => x.toFixed(1)).join(", ")}`);
      for (const t of times) assert.ok(t < 5000, `decode times (ms): ${times.map((x) => x.toFixed(1))}`);
    } finally {
      await context.close();
    }
  });

  test("hostile links opened directly: the notice is visible, nothing runs", async () => {
    for (const hash of ["v=1&x=%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E&af=fp17",
                        "v=1&x=" + "9".repeat(1 << 20),
                        "%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E"]) {
      const { page, context, pageErrors, consoleErrors } = await openPage(env, "/#" + hash);
      try {
        await waitForFrames(page, 4);
        const share = await page.evaluate(() => window.mantissa.share());
        assert.ok(share.notices.length >= 1);
        assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
        assert.deepEqual(pageErrors, []);
        assert.deepEqual(consoleErrors, []);
      } finally {
        await context.close();
      }
    }
  });

  test("the embed page takes hostile links the same way", async () => {
    const { page, context, pageErrors } = await openPage(env, "/embed.html#v=1&x=%22%3E%3Cscript%3Ewindow.__pwned%3D1%3C%2Fscript%3E");
    try {
      // The embed is in view: it loads by itself (no click needed).
      await waitForFrames(page, 4);
      const href = await page.evaluate(() => document.getElementById("open-in-mantissa").getAttribute("href"));
      assert.match(href, /^index\.html#/);
      assert.equal(await page.evaluate(() => window.__pwned ?? null), null);
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });
});
