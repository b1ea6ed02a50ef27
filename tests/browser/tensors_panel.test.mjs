// The "Inspect tensors" panel: files picked or dropped into the page are read
// by a web worker (m.inspect) and the panel's figures (window.mantissa.state())
// equal `build/native/mantissa inspect --json` on the same files, with the
// inputs taken from a share link. While a big file is read the UI keeps
// drawing (the frame counter advances), Cancel stops the scan, and a second
// drop replaces the first. No request but GETs of the page's own files is made
// while files are read (nothing leaves the machine).
//
// Checkpoints are listed in CHECKPOINTS: each gives a directory and the file
// names in it (the browser's File.name is the bare name, so the CLI runs in
// that directory). A real model's weights join with one more line.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";

import { assertSameInspectReport, cli, generatedCheckpoint } from "../js/api_contract.mjs";
import { splitCheckpoint } from "../js/split_checkpoint.mjs";
import { appState, assertClean, clickAnchor, openPage, repoRoot, settle, startBrowser, waitForFrames } from "./harness.mjs";

let generated, realModel;
const CHECKPOINTS = [
  { label: "generated (make_checkpoint.py)", files: () => ({ dir: generated.dir, names: generated.names }) },
  // A real model: Silero VAD's float initializers (npm @ricky0123/vad-web, a dev
  // dependency), converted to safetensors and bit-checked by the same helper
  // tests/cli/test_inspect.py uses.
  { label: "real model (Silero VAD)", files: () => realModel },
];
const SILERO = path.join(repoRoot, "node_modules", "@ricky0123", "vad-web", "dist", "silero_vad_legacy.onnx");

function sileroCheckpoint(dir) {
  execFileSync("node", [path.join(repoRoot, "tests", "cli", "onnx_to_safetensors.mjs"), SILERO,
    path.join(dir, "silero_vad.safetensors")]);
  return { dir, names: ["silero_vad.safetensors"] };
}

// A file big enough that reading it takes many frames (256 MiB of fp32 in four
// tensors: with several workers, each reads some of them).
function bigCheckpoint(dir) {
  execFileSync("/usr/bin/python3", ["-c", `
import json, struct, sys, numpy as np
n = 16 * 1024 * 1024
h = json.dumps({f"big.{i}": {"dtype": "F32", "shape": [n], "data_offsets": [4 * n * i, 4 * n * (i + 1)]} for i in range(4)}).encode()
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h)
    x = np.random.default_rng(1).standard_normal(1 << 20).astype(np.float32)
    for _ in range(64): f.write(x.tobytes())
`, path.join(dir, "big.safetensors")]);
  return path.join(dir, "big.safetensors");
}

// A double as a hex float the CLI reads exactly ("0x1.8p-3").
function hexFloat(x) {
  let e = Math.floor(Math.log2(x));
  let m = x / 2 ** e;
  if (m >= 2) { m /= 2; e += 1; }
  if (m < 1) { m *= 2; e -= 1; }
  let digits = "";
  let frac = m - 1;
  for (let i = 0; i < 13 && frac > 0; i++) {
    frac *= 16;
    const d = Math.floor(frac);
    digits += d.toString(16);
    frac -= d;
  }
  return `0x1${digits ? "." + digits : ""}p${e}`;
}

function cliReport(dir, names, flags) {
  return JSON.parse(execFileSync(cli, ["inspect", ...names, ...flags, "--json"], { cwd: dir, encoding: "utf8" }));
}

// The CLI's figures in the shape the panel's state reports them.
function project(report) {
  return {
    tensors: report.tensors.map(({ file, name, dtype, shape, count, amax, formats }) => ({ file, name, dtype, shape, count, amax, formats })),
    totals: report.totals,
    notices: report.notices,
  };
}

async function waitForStatus(page, status, scan) {
  await page.waitForFunction(([status, scan]) => {
    const r = window.mantissa.state().results;
    return r && r.status === status && (scan === undefined || r.scan === scan);
  }, [status, scan], { timeout: 120000, polling: 100 });
  return (await appState(page)).results;
}

// A drop event carrying File objects made in the page from the files' bytes.
async function dropFiles(page, files) {
  await page.evaluate((files) => {
    const transfer = new DataTransfer();
    for (const f of files) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name));
    window.dispatchEvent(new DragEvent("dragover", { dataTransfer: transfer, cancelable: true, bubbles: true }));
    window.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, cancelable: true, bubbles: true }));
  }, files);
}

// How many workers the page's glue runs (0: the machine's cores, capped).
function setWorkers(page, n) {
  return page.evaluate((n) => Module.mantissaTensors.setWorkers(n), n);
}

let env, opened, scratch, big, split;
before(async () => {
  generated = generatedCheckpoint();
  scratch = mkdtempSync(path.join(os.tmpdir(), "mantissa-tensors-"));
  big = bigCheckpoint(scratch);
  realModel = sileroCheckpoint(scratch);
  split = splitCheckpoint(scratch);  // beside the real model, with the generated files copied in
  for (const n of generated.names) copyFileSync(path.join(generated.dir, n), path.join(scratch, n));
  env = await startBrowser();
});
after(async () => {
  await opened?.context.close();
  await env?.close();
  generated?.cleanup();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("Inspect tensors panel", { skip: !(cli && existsSync(cli)) && "no native mantissa CLI built" }, () => {
  test("picked files give the CLI's figures, with the inputs of a share link; a changed input reads them again", async () => {
    opened = await openPage(env, "/#v=1&p=tensors&tf=fp16,bf16,fp8-e4m3&tlr=1e-4&tgs=1e-3");
    const { page } = opened;
    await waitForFrames(page, 3);
    // Nothing leaves the machine: from here on, every request is a GET of the page's own files.
    opened.requests = [];
    page.on("request", (r) => opened.requests.push({ method: r.method(), url: r.url(), body: r.postData() }));
    let state = await appState(page);
    assert.equal(state.panel, "Inspect tensors");
    assert.deepEqual(state.inputs, { formats: ["fp16", "bf16", "fp8-e4m3"], lr: "1e-4", grad_std: "1e-3", scale: "none" });
    assert.equal(state.results.status, "idle");
    assert.match(state.announcement, /nothing leaves this machine/i);
    let scan = 0;
    for (const c of CHECKPOINTS) {
      const { dir, names } = c.files();
      await page.setInputFiles("#tensor-files", names.map((n) => path.join(dir, n)));
      const r = await waitForStatus(page, "done", ++scan);
      assert.deepEqual(r.files.map((f) => f.name), names, c.label);
      assert.equal(r.bytes_done, r.bytes_total);
      const expected = cliReport(dir, names, ["--formats", "fp16,bf16,fp8-e4m3", "--lr", "1e-4", "--grad-std", "1e-3"]);
      assertSameInspectReport({ tensors: r.tensors, totals: r.totals, notices: r.notices }, project(expected), c.label);
      assert.equal(r.table.rows.length, expected.tensors.length * 3);
      assert.ok(expected.tensors.every((t) => t.formats[0].lost_update_fraction !== undefined));
    }
    // Sorting by a header, worst SQNR first, as the CLI's figures order the rows.
    await clickAnchor(page, "tensors-col:sqnr");
    let sorted = (await appState(page)).results.table;
    if (sorted.descending) {
      await clickAnchor(page, "tensors-col:sqnr");
      sorted = (await appState(page)).results.table;
    }
    assert.equal(sorted.sort, "sqnr");
    const last = CHECKPOINTS[CHECKPOINTS.length - 1].files();
    const rowsByCli = cliReport(last.dir, last.names, ["--formats", "fp16,bf16,fp8-e4m3"]).tensors
      .flatMap((t) => t.formats.map((f) => ({ key: [t.name, f.format], sqnr: f.sqnr_db ?? Infinity })));
    assert.deepEqual(sorted.rows.map((row) => rowsByCli.find((r) => r.key[0] === row[0] && r.key[1] === row[1]).sqnr),
      rowsByCli.map((r) => r.sqnr).sort((a, b) => a - b));
    // Selecting a row selects its tensor; the number lines' bounds against the page's Math.f16round and the CLI.
    await clickAnchor(page, `tensors-row:${sorted.rows[0][0]}:${sorted.rows[0][1]}`);
    const picked = (await appState(page)).results;
    assert.equal(picked.selected, sorted.rows[0][0]);
    assert.deepEqual(picked.number_lines.map((l) => l.format), ["fp16", "bf16", "fp8-e4m3"]);
    for (const line of picked.number_lines) {
      const to = (x) => {
        if (line.format === "fp16") return page.evaluate((x) => Math.f16round(x), x);
        const r = JSON.parse(execFileSync(cli, ["convert", hexFloat(x), "--to", line.format, "--json"], { encoding: "utf8" }));
        return r.class === "inf" || r.class === "nan" ? Infinity : Number(r.value);
      };
      const up = (x) => x * (1 + 2 ** -40), down = (x) => x * (1 - 2 ** -40);
      assert.equal(await to(line.flush_at), 0, `${line.format}: flush_at rounds to zero`);
      assert.equal(await to(up(line.flush_at)), line.min_subnormal, `${line.format}: just above rounds to the smallest subnormal`);
      assert.equal(await to(line.min_normal), line.min_normal);
      assert.equal(await to(down(line.min_normal)), line.min_normal, `${line.format}: below min normal rounds up to it`);
      assert.equal(await to(line.max_finite), line.max_finite);
      assert.equal(await to(down(line.overflow_at)), line.max_finite, `${line.format}: below overflow_at stays finite`);
      assert.equal(await to(line.overflow_at), line.tie_overflows ? Infinity : line.max_finite, `${line.format}: the tie`);
      assert.equal(await to(up(line.overflow_at)), Infinity, `${line.format}: above overflow_at overflows`);
    }

    // Another format list by link: the same files are read again with it.
    const { dir, names } = CHECKPOINTS[CHECKPOINTS.length - 1].files();
    await page.evaluate(() => { location.hash = "#v=1&p=tensors&tf=bf16,e3m4&tsc=none"; });
    const again = await waitForStatus(page, "done", ++scan);
    assertSameInspectReport({ tensors: again.tensors, totals: again.totals, notices: again.notices },
      project(cliReport(dir, names, ["--formats", "bf16,e3m4"])), "after the link changed");
    state = await appState(page);
    assert.match(state.announcement, /tensors read\. bf16: SQNR/);
    assert.equal(await page.evaluate(() => document.getElementById("live").textContent), state.announcement);
    // Sorting is the model's: by SQNR, worst first.
    assert.equal(state.results.table.sort, "tensor");
    assertClean(opened);
  });

  test("the UI keeps drawing while a big file is read, Cancel stops it, a second drop replaces the first", async () => {
    const { page } = opened;
    await setWorkers(page, 2);  // the pool's path: the big file's tensors are split over two workers
    let scan = (await appState(page)).results.scan;
    await page.setInputFiles("#tensor-files", [big]);
    await page.waitForFunction((id) => {
      const r = window.mantissa.state().results;
      return r.scan === id && r.status === "scanning" && r.bytes_done > 0;
    }, ++scan, { timeout: 60000, polling: 50 });
    const f0 = await page.evaluate(() => window.mantissa.frame());
    await waitForFrames(page, f0 + 20, { timeout: 60000 });
    let r = (await appState(page)).results;
    assert.equal(r.status, "scanning", "still reading after 20 frames");
    await clickAnchor(page, "tensors:cancel");
    r = await waitForStatus(page, "cancelled", scan);
    assert.ok(r.bytes_done < r.bytes_total, `${r.bytes_done} of ${r.bytes_total} read`);

    // A drop while the big file is read: the drop's files win.
    await page.setInputFiles("#tensor-files", [big]);
    await page.waitForFunction((id) => window.mantissa.state().results.scan === id, ++scan, { timeout: 30000 });
    await dropFiles(page, generated.files);
    r = await waitForStatus(page, "done", ++scan);
    assert.deepEqual(r.files.map((f) => f.name), generated.names);
    assertSameInspectReport({ tensors: r.tensors, totals: r.totals, notices: r.notices },
      project(cliReport(generated.dir, generated.names, ["--formats", "bf16,e3m4"])), "the second drop");
    await settle(page, 10);
    assert.equal((await appState(page)).results.status, "done", "the first scan's end changed nothing");
    assertClean(opened);
  });

  test("one worker or two splitting the files by tensor give the CLI's figures", async () => {
    const { page } = opened;
    let scan = (await appState(page)).results.scan;
    // A file split by tensor, the real model, and files read whole (a skipped I32 tensor; a .npy).
    const names = [split, ...realModel.names, ...generated.names];
    const expected = project(cliReport(scratch, names, ["--formats", "bf16,e3m4"]));
    for (const workers of [1, 2]) {
      await setWorkers(page, workers);
      await page.setInputFiles("#tensor-files", names.map((n) => path.join(scratch, n)));
      const r = await waitForStatus(page, "done", ++scan);
      assert.equal(r.workers, workers, `${workers} workers`);
      assert.equal(r.bytes_done, r.bytes_total);
      assertSameInspectReport({ tensors: r.tensors, totals: r.totals, notices: r.notices }, expected, `${workers} workers`);
    }
    await setWorkers(page, 0);
    assertClean(opened);
  });

  test("a malformed file gives the CLI's message; bad inputs show the CLI's sentence and scan nothing", async () => {
    const { page } = opened;
    let scan = (await appState(page)).results.scan;
    const whole = generated.files[0];
    await dropFiles(page, [{ name: "cut.safetensors", bytes: whole.bytes.slice(0, whole.bytes.length - 5) }]);
    const r = await waitForStatus(page, "failed", ++scan);
    let cliError = "";
    execFileSync("/usr/bin/python3", ["-c", "import sys; open(sys.argv[1] + '/cut.safetensors', 'wb').write(open(sys.argv[1] + '/small.safetensors', 'rb').read()[:-5])", generated.dir]);
    try { execFileSync(cli, ["inspect", "cut.safetensors", "--json"], { cwd: generated.dir, stdio: "pipe" }); } catch (e) { cliError = String(e.stderr).trim().replace(/^mantissa: /, ""); }
    assert.equal(r.error, cliError);
    // Two workers, a bad file in each run: the first error in file order, as one pass stops there,
    // though the second run's file (a wrong header length) fails sooner.
    writeFileSync(path.join(generated.dir, "garbage.safetensors"), Buffer.from([255, 255, 255, 255, 255, 255, 255, 255, 1]));
    const bad = [path.join(generated.dir, "cut.safetensors"), path.join(scratch, split), path.join(generated.dir, "garbage.safetensors")];
    let cliFirst = "";
    try {
      execFileSync(cli, ["inspect", "cut.safetensors", bad[1], "garbage.safetensors", "--json"], { cwd: generated.dir, stdio: "pipe" });
    } catch (e) { cliFirst = String(e.stderr).trim().replace(/^mantissa: /, ""); }
    await setWorkers(page, 2);
    await page.setInputFiles("#tensor-files", bad);
    const two = await waitForStatus(page, "failed", ++scan);
    await setWorkers(page, 0);
    assert.match(cliFirst, /^'cut\.safetensors'/);
    assert.equal(two.error, cliFirst);
    const origin = new URL(env.url).origin;
    for (const q of opened.requests) {
      assert.equal(q.method, "GET", q.url);
      assert.equal(q.body, null, q.url);
      assert.equal(new URL(q.url).origin, origin, q.url);
      assert.match(new URL(q.url).pathname, /^\/(inspect-worker\.js|mantissa\.mjs|mantissa\.wasm)$/, q.url);
    }
    // The page compiled mantissa.wasm once for every worker (web/tensors.js):
    // the two workers of the split scans did not fetch their own.
    const wasm = opened.requests.filter((q) => new URL(q.url).pathname === "/mantissa.wasm");
    assert.equal(wasm.length, 1, wasm.map((q) => q.url).join(", "));
    await page.evaluate(() => { location.hash = "#v=1&p=tensors&tlr=1e-4"; });
    await settle(page, 6);
    const state = await appState(page);
    assert.equal(state.results.options_error, "--lr and --grad-std go together");
    assert.equal(state.results.scan, scan, "no new scan with bad inputs");
    // Hostile link values fall back to the defaults.
    await page.evaluate(() => { location.hash = "#v=1&p=tensors&tf=fp17&tsc=%3Cb%3E"; });
    await settle(page, 6);
    const hostile = await appState(page);
    assert.deepEqual(hostile.inputs.formats, ["fp16", "bf16", "fp8-e4m3", "fp8-e5m2", "tf32"]);
    assert.equal(hostile.inputs.scale, "none");
    assertClean(opened);
  });
});
