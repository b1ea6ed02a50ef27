// The Blocks tab (issue 14): for presets and links, every figure the panel
// reports (window.mantissa.state().results.quantize: scale bits, element
// bits, dequantized values, errors, SQNRs, clipped and flushed sets) equals
// what the native CLI prints for the same values:
//   build/native/mantissa quantize --format F [--scale-rule R] --round M
//     [--seed S] --pad zero --values LIST --json
// and the plain fp8-e4m3 / fp16 / bf16 SQNRs equal `mantissa inspect` on the
// same values (an .npy of float64), with fp16 also checked against the
// browser's own Math.f16round. Independent checks of the MX scale rules are
// done here in JavaScript. The outlier is dragged with the mouse and set by
// link; a hostile link leaves a notice and the defaults. Screenshots go to
// build/screenshots/blocks-*.png.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { cli, runCli } from "../js/api_contract.mjs";
import {
  anchorCenter,
  appState,
  assertClean,
  loadPreset,
  openPage,
  screenshot,
  settle,
  startBrowser,
  waitForFrames,
} from "./harness.mjs";

// One page for every test (loading the wasm is the slow part): each test
// sets its scenario by link.
let env, tmp, opened, page;
before(async () => {
  env = await startBrowser();
  tmp = mkdtempSync(path.join(tmpdir(), "mantissa-blocks-"));
  opened = await openPage(env, "/#v=1&p=blocks");
  page = opened.page;
  await waitForFrames(page, 3);
});
after(async () => {
  assertClean(opened);
  await opened?.context.close();
  await env?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const EMAX = { "fp4-e2m1": 2, "fp6-e2m3": 2, "fp6-e3m2": 4, "fp8-e4m3": 8, "fp8-e5m2": 15, "int8-mx": 0 };
const MAX = { "fp4-e2m1": 6, "fp6-e2m3": 7.5, "fp6-e3m2": 28, "fp8-e4m3": 448, "fp8-e5m2": 57344, "int8-mx": 127 / 64 };

function cliQuantize(inputs, values) {
  const args = ["quantize", "--format", inputs.format];
  if (inputs.format !== "nvfp4") args.push("--scale-rule", inputs.rule);
  args.push("--round", inputs.mode);
  if (inputs.mode === "stochastic") args.push("--seed", String(inputs.seed));
  args.push("--pad", "zero", "--values", values.join(","));
  return runCli(args);
}

// An .npy of float64 values, for `mantissa inspect`.
function writeNpy(file, values) {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${values.length},), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += " ";
  header += "\n";
  const head = Buffer.alloc(10);
  head.write("\x93NUMPY", 0, "latin1");
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(8 * values.length);
  values.forEach((v, i) => data.writeDoubleLE(Number(v), 8 * i));
  writeFileSync(file, Buffer.concat([head, Buffer.from(header, "latin1"), data]));
}

// Deep equality, except that SQNRs (10 log10 of a ratio of sums) may differ
// in their last bits: the wasm build's libm (musl) and glibc round log10
// differently. Every exact figure (bits, values, errors) must be identical.
function assertSameReport(actual, expected, label, where = "") {
  if (typeof expected === "number" && /sqnr_db$/.test(where)) {
    assert.equal(typeof actual, "number", `${label}: ${where}`);
    assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.abs(expected), `${label}: ${where} ${actual} vs ${expected}`);
    return;
  }
  if (expected === null || typeof expected !== "object") {
    assert.equal(actual, expected, `${label}: ${where}`);
    return;
  }
  assert.equal(typeof actual, "object", `${label}: ${where}`);
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${label}: keys of ${where}`);
  for (const k of Object.keys(expected)) assertSameReport(actual[k], expected[k], label, `${where}.${k}`);
}

function sqnr(values, stored) {
  let signal = 0;
  let noise = 0;
  values.forEach((x, i) => {
    signal += x * x;
    noise += (stored[i] - x) ** 2;
  });
  return noise === 0 ? null : 10 * Math.log10(signal / noise);
}

// Every figure of the panel against the CLI and the oracles.
async function assertMatchesCli(page, label) {
  const state = await appState(page);
  assert.equal(state.panel, "Blocks", label);
  const r = state.results;
  assert.equal(r.error, "", `${label}: ${r.error}`);
  const values = r.values;
  assert.ok(values.length >= 1 && values.length <= 64, label);
  // The whole report, bit for bit: what the wasm core computed in the page
  // equals what the native core prints.
  const native = cliQuantize(state.inputs, values);
  assertSameReport(r.quantize, native, `${label}: the panel's figures equal the CLI's`);
  const q = r.quantize;
  // The clipped and flushed sets, also counted from the elements.
  const elements = q.blocks.flatMap((b) => b.elements);
  assert.equal(elements.length, values.length, label);
  assert.equal(elements.filter((e) => e.clipped).length, q.clipped, label);
  assert.equal(elements.filter((e) => e.flushed).length, q.flushed, label);
  // Independent: the MX scale rules from the block's amax.
  if (q.format !== "nvfp4") {
    for (const b of q.blocks) {
      if (b.non_finite) continue;
      const amax = Math.max(...b.elements.map((e) => Math.abs(Number(e.input))));
      if (amax === 0) continue;
      const e = q.scale_rule === "ocp"
        ? Math.floor(Math.log2(amax)) - EMAX[q.element_format]
        : Math.ceil(Math.log2(amax / MAX[q.element_format]));
      if (e >= -127 && e <= 127) {
        assert.equal(b.scale_exp, e, `${label}: block ${b.first} scale exponent`);
        assert.equal(Number(b.scale), 2 ** e, `${label}: block ${b.first} scale`);
        assert.equal(parseInt(b.scale_bits, 16), e + 127, `${label}: E8M0 bits`);
      }
      for (const el of b.elements) {
        // Dequantized = element x scale; the error is exactly their difference.
        assert.equal(Number(el.dequantized), Number(el.element) * 2 ** b.scale_exp, label);
        if (!el.clipped) assert.ok(Math.abs(Number(el.element)) <= MAX[q.element_format], label);
      }
    }
  }
  // Plain formats: `mantissa inspect` on the same values, and fp16 from the browser.
  const npy = path.join(tmp, "values.npy");
  writeNpy(npy, values);
  const inspect = runCli(["inspect", npy, "--formats", "fp8-e4m3,fp16,bf16"]);
  const cliPlain = inspect.tensors[0].formats;
  assertSameReport(
    r.plain.map((p) => ({ format: p.format, sqnr_db: p.sqnr_db })),
    cliPlain.map((p) => ({ format: p.format, sqnr_db: p.sqnr_db ?? null })),
    `${label}: plain SQNRs equal mantissa inspect's`,
  );
  const f16 = await page.evaluate((vs) => vs.map((v) => Math.f16round(Number(v))), values);
  const nums = values.map(Number);
  if (f16.every(Number.isFinite)) {
    const mine = sqnr(nums, f16);
    const fp16 = r.plain.find((p) => p.format === "fp16").sqnr_db;
    if (mine === null) assert.equal(fp16, null, label);
    else assert.ok(Math.abs(fp16 - mine) <= 1e-9 * Math.abs(mine), `${label}: fp16 SQNR ${fp16} vs ${mine}`);
  }
  assert.match(state.announcement, /SQNR/, label);
  return state;
}

async function setHash(page, hash) {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
  await settle(page, 6);
}

describe("Blocks tab", () => {
  test("presets and links: every figure equals the CLI's", async () => {
    {
      let state = await assertMatchesCli(page, "default (mxfp4, outlier)");
      // The generated outlier: fp32 values, one of them 100x a normal draw.
      const values = state.results.values.map(Number);
      assert.equal(values.length, 32);
      for (const v of values) assert.equal(Math.fround(v), v);
      const big = state.results.outlier_index;
      assert.equal(Math.abs(values[big]), Math.max(...values.map(Math.abs)));
      assert.ok(state.results.quantize.flushed >= 10, "the outlier flushes many neighbours in mxfp4");
      await screenshot(page, "blocks-default");

      for (const key of ["mx-ocp-clip", "nvfp4", "mx-outlier"]) {
        await loadPreset(page, key);
        state = await assertMatchesCli(page, `preset ${key}`);
        if (key === "mx-ocp-clip") {
          assert.equal(state.results.quantize.clipped, 1);
          assert.equal(state.results.quantize.blocks[0].elements[0].dequantized, "6");
        }
        if (key === "nvfp4") {
          assert.equal(state.results.quantize.blocks.length, 2);
          await screenshot(page, "blocks-nvfp4");
        }
      }

      for (const hash of [
        "v=1&p=blocks&bk=mxfp4&bkr=ceil&bkv=7.9,1.3,-0.74,0.26,3.1,-5.2,0.1,2.2",
        "v=1&p=blocks&bk=mxfp8-e4m3&bkm=stochastic&bks=7&bkn=64&bkg=normal&bkgs=3",
        "v=1&p=blocks&bk=mxfp8-e5m2&bkn=40&bkg=uniform",
        "v=1&p=blocks&bk=mxfp6-e2m3&bkr=ceil&bkm=rtz&bkn=33",
        "v=1&p=blocks&bk=mxfp6-e3m2&bkv=1e-9,3e-7,-2.5,1000,0.0001,-0.3",
        "v=1&p=blocks&bk=mxint8&bkg=outlier&bkn=20&bkgs=9",
        "v=1&p=blocks&bk=nvfp4&bkv=0x1p-20,2,-3,448,1e-3",
      ]) {
        await setHash(page, hash);
        await assertMatchesCli(page, hash);
      }
    }
  });

  test("dragging the outlier, or setting it by link, updates every figure", async () => {
    {
      await setHash(page, "v=1&p=blocks");
      const before = await appState(page);
      const i = before.results.outlier_index;
      const { x, y } = await anchorCenter(page, "blocks-outlier");
      await page.mouse.move(x, y);
      await page.mouse.down();
      for (let k = 1; k <= 6; k++) {
        await page.mouse.move(x + 30 * k, y);
        await settle(page, 1);
      }
      await page.mouse.up();
      await settle(page, 4);
      const dragged = await assertMatchesCli(page, "dragged");
      assert.notEqual(dragged.inputs.outlier, "", "the drag sets the outlier");
      assert.equal(Number(dragged.results.values[i]), Number(dragged.inputs.outlier));
      assert.ok(Math.abs(Number(dragged.results.values[i])) > Math.abs(Number(before.results.values[i])));
      assert.notDeepEqual(dragged.results.quantize, before.results.quantize);

      await setHash(page, "v=1&p=blocks&bko=0.5");
      const small = await assertMatchesCli(page, "outlier 0.5 by link");
      assert.equal(small.results.values[i], "0.5");
      assert.ok(small.results.quantize.flushed < before.results.quantize.flushed, "a tame outlier flushes fewer");
      await screenshot(page, "blocks-tame-outlier");
    }
  });

  test("a hostile link: notices, and the Blocks defaults", async () => {
    {
      await setHash(page, "v=1&p=blocks");
      const defaults = await appState(page);
      const many = Array.from({ length: 65 }, (_, k) => k).join(",");
      await setHash(page, `v=1&p=blocks&bk=mxfp9&bkr=floor&bkv=${many}&bkn=0&bko=1e&bkg=%3Cscript%3E`);
      const share = await page.evaluate(() => window.mantissa.share());
      assert.ok(share.notices.some((n) => /bk=mxfp9: unknown block format/.test(n)), share.notices.join("\n"));
      assert.ok(share.notices.some((n) => /more than 64 values/.test(n)), share.notices.join("\n"));
      assert.ok(share.notices.some((n) => /bkg=<script>: unknown generator/.test(n)), share.notices.join("\n"));
      const state = await appState(page);
      assert.deepEqual(state.inputs, defaults.inputs);
      assert.deepEqual(state.results, defaults.results);
      assert.deepEqual(opened.pageErrors, []);
    }
  });
});

// The landscape's block-format row: mxfp4 at a fixed block scale 2^k, beside
// fp16. The shader's errors equal the core's at every column (the state
// hook's own check), and sampled columns equal an independent oracle: the
// FP4 E2M1 grid by brute force (ties to the even code), scaled by 2^k.
describe("Blocks in the Error landscape", () => {
  const FP4 = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
  function fp4Rel(x, k) {
    const a = x / 2 ** k;
    // From 7 (6 plus half of E2M1's top spacing, 2) rounding overflows: the
    // element clips to 6, which the landscape draws as its overflow region.
    if (a >= 7) return null;
    let best = 0;
    for (let c = 1; c < 8; c++) {
      const d = Math.abs(FP4[c] - a);
      const db = Math.abs(FP4[best] - a);
      if (d < db || (d === db && c % 2 === 0)) best = c;
    }
    return Math.fround((FP4[best] * 2 ** k - x) / x);
  }

  test("an mxfp4 row at block scale 2^k agrees with the core and the FP4 grid", async () => {
    {
      for (const [k, hash] of [
        [-3, "v=1&p=landscape&lf=fp16&lb=mxfp4&lbe=-3&lx0=0.001&lx1=2"],
        [5, "v=1&p=landscape&lf=fp16&lb=mxfp4&lbe=5&lx0=0.5&lx1=400"],
      ]) {
        if (hash) await setHash(page, hash);
        const state = await appState(page);
        const r = state.results;
        assert.equal(state.inputs.block_format, "mxfp4");
        assert.equal(state.inputs.block_scale_exp, k);
        assert.equal(r.gpu_error, "");
        assert.equal(r.mismatches, 0, JSON.stringify(r.mismatch_examples));
        assert.ok(r.checked >= 400, `checked ${r.checked}`);
        let oracle = 0;
        for (const column of r.columns_checked) {
          const x = Number(column.x);
          const row = column.formats.find((f) => f.format === `mxfp4 x2^${k}`);
          assert.ok(row, `the block row at ${column.x}`);
          if (x === 0) continue;
          const expect = fp4Rel(x, k);
          if (expect === null) assert.ok(row.overflow, `clip from 7 x 2^${k} at ${column.x}`);
          else assert.equal(row.gpu_rel, expect, `mxfp4 x2^${k} at x = ${column.x}`);
          oracle++;
        }
        assert.ok(oracle >= 20, `oracle checks ${oracle}`);
        assert.match(state.announcement, new RegExp(`mxfp4 at block scale 2\\^${k}`));
        await screenshot(page, `blocks-landscape-${k}`);
      }
    }
  });
});

// The MX element formats in the Inspector (its custom row), against the CLI's convert.
describe("MX element formats in the Inspector", () => {
  test("fp6-e2m3, fp6-e3m2 and fp4-e2m1 as the custom row equal `mantissa convert`", async () => {
    {
      for (const [x, f] of [
        ["7.9", "fp6-e2m3"],
        ["0.3", "fp6-e3m2"],
        ["100", "fp4-e2m1"],
        ["-2.6", "fp4-e2m1"],
      ]) {
        await setHash(page, `v=1&x=${x}&xc=${f}&xfocus=${f}`);
        const row = (await appState(page)).results.rows.find((r) => r.format === f);
        assert.ok(row, `${f} row`);
        const native = runCli(["convert", x, "--to", f]);
        assert.equal(row.value, native.value, `${x} in ${f}`);
        assert.equal(row.bits, native.bits, `${x} in ${f}`);
      }
    }
  });
});

// int8-mx (MXINT8's element) and e8m0 (the shared scale) on the Inspector
// and the landscape, like every other format (issue 14).
describe("int8-mx and e8m0 in the Inspector and the landscape", () => {
  const convert = (args) => runCli(["convert", ...args]);

  test("as the custom row and as a bit pattern's format, every figure equals `mantissa convert`", async () => {
    for (const [x, f] of [
      ["0.3", "int8-mx"],
      ["1.9921875", "int8-mx"], // the tie between 127/64 and 128/64: clamps to 127/64
      ["-5", "int8-mx"],
      ["0.0234375", "int8-mx"], // 1.5/64: a tie, to even 2/64
      ["0.3", "e8m0"],
      ["3", "e8m0"], // 1.5 x 2: a tie, up to 4
      ["1e-45", "e8m0"], // below 2^-127: the smallest scale
    ]) {
      await setHash(page, `v=1&x=${x}&xc=${f}&xfocus=${f}`);
      const state = await appState(page);
      const row = state.results.rows.find((r) => r.format === f);
      assert.ok(row, `${f} row`);
      const native = convert([x, "--to", f]);
      assert.equal(row.value, native.value, `${x} in ${f}`);
      assert.equal(row.bits, native.bits, `${x} in ${f}`);
    }
    // e8m0 has no zero and no sign: the CLI refuses -1.5, the Inspector's row shows NaN (0xff).
    await setHash(page, "v=1&x=-1.5&xc=e8m0&xfocus=e8m0");
    let rows = (await appState(page)).results.rows;
    assert.equal(rows.find((r) => r.format === "e8m0").bits, "0xff");
    assert.equal(rows.find((r) => r.format === "fp16").value, "-1.5");
    // Bit patterns read as int8-mx and e8m0 (by link: xf).
    for (const [bits, from, to] of [
      ["0xc0", "int8-mx", "fp16"],
      ["0x81", "int8-mx", "int8-mx"],
      ["0x85", "e8m0", "fp32"],
      ["0x00", "e8m0", "fp64"],
    ]) {
      await setHash(page, `v=1&x=${bits}&xf=${from}&xc=${from}&xfocus=${to}`);
      const state = await appState(page);
      assert.deepEqual(state.notices ?? [], []);
      rows = state.results.rows;
      const native = convert([bits, "--from", from, "--to", to]);
      const row = rows.find((r) => r.format === to);
      assert.equal(row.value, native.value, `${bits} as ${from} in ${to}`);
      assert.equal(row.bits, native.bits, `${bits} as ${from} in ${to}`);
    }
  });

  test("landscape rows int8-mx and e8m0: 0 GPU-vs-core mismatches, relative errors from their grids", async () => {
    // Independent oracles: int8-mx rounds to the nearest multiple of 2^-6
    // (ties to even) and clamps at 127/64; e8m0 to the nearest power of two
    // (1.5 x 2^k goes up).
    const int8Rel = (x) => {
      const k = x * 64;
      let n = Math.round(k);
      if (Math.abs(k - Math.trunc(k)) === 0.5) n = 2 * Math.round(k / 2);
      return n > 127 ? null : Math.fround((n / 64 - x) / x);
    };
    const e8m0Rel = (x) => {
      let e = Math.floor(Math.log2(x));
      if (2 ** e > x) e--;
      if (2 ** (e + 1) <= x) e++;
      if (x >= 1.5 * 2 ** e) e++;
      return Math.fround((2 ** e - x) / x);
    };
    await setHash(page, "v=1&p=landscape&lf=fp16,int8-mx,e8m0&lx0=0.01&lx1=3");
    const state = await appState(page);
    const r = state.results;
    assert.deepEqual(state.inputs.formats, ["fp16", "int8-mx", "e8m0"]);
    assert.equal(r.gpu_error, "");
    assert.equal(r.format_error, "");
    assert.equal(r.mismatches, 0, JSON.stringify(r.mismatch_examples));
    assert.ok(r.checked >= 400, `checked ${r.checked}`);
    let oracle = 0;
    for (const column of r.columns_checked) {
      const x = Number(column.x);
      if (x === 0) continue;
      const i8 = column.formats.find((f) => f.format === "int8-mx");
      const e8 = column.formats.find((f) => f.format === "e8m0");
      const want = int8Rel(x);
      if (want === null) assert.ok(i8.overflow, `int8-mx clamps at ${column.x}`);
      else assert.equal(i8.gpu_rel, want, `int8-mx at ${column.x}`);
      assert.equal(e8.gpu_rel, e8m0Rel(x), `e8m0 at ${column.x}`);
      oracle++;
    }
    assert.ok(oracle >= 20, `oracle checks ${oracle}`);
    await screenshot(page, "landscape-int8-mx-e8m0");
  });
});
