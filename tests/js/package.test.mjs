// The JavaScript API as a user outside the browser gets it: build/npm/ packed
// with `npm pack`, the tarball installed into a scratch project with
// `npm install ./mantissa-fp-X.Y.Z.tgz`, then `import Mantissa from "mantissa-fp"`.
// From there: the shared contract (api_contract.mjs) in Node, a worker
// thread with its own instance, loading with no fetch at all, the
// declarations under `tsc --noEmit --strict`, and the same calls in Deno.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import { defineApiContract, repoRoot } from "./api_contract.mjs";

const packageDir = path.join(repoRoot, "build", "npm");
const bin = (name) => path.join(repoRoot, "node_modules", ".bin", name);
const projectVersion = /project\(Mantissa VERSION ([0-9.]+)/.exec(
  readFileSync(path.join(repoRoot, "CMakeLists.txt"), "utf8"))[1];

let scratch, app, tarball, packedFiles, m;

function sh(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

// Runs `node file` in the scratch project, from an unrelated working directory.
function nodeIn(file, extraArgs = []) {
  const r = spawnSync(process.execPath, [...extraArgs, path.join(app, file)], { cwd: os.tmpdir(), encoding: "utf8" });
  return { status: r.status, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
}

before(() => {
  assert.ok(existsSync(path.join(packageDir, "package.json")), "build/npm/ is missing: build the web preset first");
  scratch = mkdtempSync(path.join(os.tmpdir(), "mantissa-npm-"));
  // npm pack writes the tarball into scratch and says what it holds.
  const [packed] = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", scratch], packageDir));
  tarball = packed.filename;
  packedFiles = packed.files.map((f) => f.path).sort();
  app = path.join(scratch, "app");
  mkdirSync(app);
  writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "uses-mantissa", private: true, type: "module" }));
  // --offline: the package has no dependencies, so nothing may come from the network.
  sh("npm", ["install", "--offline", "--no-audit", "--no-fund", `../${tarball}`], app);
  // The import a user writes, in a file of the user's project.
  writeFileSync(path.join(app, "entry.mjs"), 'import Mantissa from "mantissa-fp";\nexport default Mantissa;\n');
});

after(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the npm tarball", () => {
  test("holds the module, its wasm and declarations, a README and the licence, and nothing else", () => {
    assert.deepEqual(packedFiles, ["LICENSE", "README.md", "mantissa.d.ts", "mantissa.mjs", "mantissa.wasm", "package.json"]);
    assert.equal(tarball, `mantissa-fp-${projectVersion}.tgz`);
  });

  test("package.json: an ES module with exports (import and types), files, the project's version and a licence", () => {
    const pkg = JSON.parse(readFileSync(path.join(app, "node_modules", "mantissa-fp", "package.json"), "utf8"));
    assert.equal(pkg.type, "module");
    assert.equal(pkg.version, projectVersion);
    assert.equal(pkg.license, "MIT");
    assert.equal(pkg.exports["."].import, "./mantissa.mjs");
    assert.equal(pkg.exports["."].types, "./mantissa.d.ts");
    assert.deepEqual([...pkg.files].sort(), ["LICENSE", "README.md", "mantissa.d.ts", "mantissa.mjs", "mantissa.wasm"]);
  });

  test("import Mantissa from \"mantissa-fp\" gives a working module whose version is the project's", async () => {
    const { default: Mantissa } = await import(pathToFileURL(path.join(app, "entry.mjs")));
    m = await Mantissa();
    globalThis.mantissaApi = m;
    assert.equal(m.version(), projectVersion);
    assert.equal(m.convert("1.12156456132", "fp16").value, "1.12109375");
  });
});

defineApiContract("Node", {
  call: async (fn, args) => {
    try {
      return globalThis.mantissaApi[fn](...args);
    } catch (e) {
      return { error: e.message, isError: e instanceof Error };
    }
  },
  run: async (fn, arg) => fn(arg),
});

describe("Node specifics", () => {
  // The wasm is read from beside the module with fs, whatever the working
  // directory: with fetch removed altogether it must still load.
  test("loads with no fetch at all, from any working directory", () => {
    writeFileSync(path.join(app, "no-fetch.mjs"), [
      "globalThis.fetch = () => { throw new Error('fetch was called'); };",
      'const { default: Mantissa } = await import("mantissa-fp");',
      "const m = await Mantissa();",
      'console.log(m.convert("0.1", "fp16").bits);',
    ].join("\n"));
    const r = nodeIn("no-fetch.mjs");
    assert.equal(r.stderr, "");
    assert.equal(r.status, 0);
    assert.equal(r.stdout, "0x2e66");
    // And with Node's fetch switched off, as Emscripten 3.1.6's own Node builds need (TOOLCHAIN pitfall 2).
    assert.equal(nodeIn("no-fetch.mjs", ["--no-experimental-fetch"]).stdout, "0x2e66");
  });

  test("a library installs no process-wide handlers", () => {
    writeFileSync(path.join(app, "handlers.mjs"), [
      "const before = ['uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));",
      'const { default: Mantissa } = await import("mantissa-fp");',
      "await Mantissa();",
      "const after = ['uncaughtException', 'unhandledRejection'].map((e) => process.listenerCount(e));",
      "console.log(JSON.stringify({ before, after }));",
    ].join("\n"));
    const r = nodeIn("handlers.mjs");
    assert.equal(r.status, 0, r.stderr);
    const { before: b, after: a } = JSON.parse(r.stdout);
    assert.deepEqual(a, b);
  });

  test("a worker thread holds its own instance and gives the main thread's bits", async () => {
    writeFileSync(path.join(app, "worker.mjs"), [
      'import { parentPort } from "node:worker_threads";',
      'import Mantissa from "mantissa-fp";',
      "const m = await Mantissa();",
      "parentPort.on('message', ({ format, input }) => {",
      "  const bits = m.convertArray(input, format);",
      "  parentPort.postMessage({ bits, heap: m.heapInUse() });",
      "});",
      "parentPort.postMessage('ready');",
    ].join("\n"));
    const { Worker } = await import("node:worker_threads");
    const worker = new Worker(path.join(app, "worker.mjs"));
    try {
      const next = () => new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      assert.equal(await next(), "ready");
      const input = new Float32Array(1 << 16);
      const bits = new Uint32Array(input.buffer);
      let x = 99;
      for (let i = 0; i < input.length; i++) { x = (Math.imul(x, 1103515245) + 12345) >>> 0; bits[i] = x; }
      for (const format of ["fp16", "bf16", "fp8-e5m2"]) {
        const pending = next();
        worker.postMessage({ format, input });
        const reply = await pending;
        assert.deepEqual(reply.bits, m.convertArray(input, format), format);
      }
    } finally {
      await worker.terminate();
    }
  });
});

describe("TypeScript and Deno", () => {
  before(() => {
    copyFileSync(path.join(repoRoot, "tests", "js", "types", "usage.ts"), path.join(app, "usage.ts"));
  });

  test("mantissa.d.ts checks under tsc --noEmit --strict, resolved through the package's exports", () => {
    writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext",
        types: [], skipLibCheck: false, lib: ["es2022", "dom"] },
      files: ["usage.ts"],
    }));
    const r = spawnSync(bin("tsc"), ["-p", app], { encoding: "utf8" });
    assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
  });

  // The same file, a TypeScript program, run by Deno 2 (npm's `deno` package)
  // with the installed package from node_modules; what it prints must be what
  // the same calls give in Node.
  test("Deno runs the TypeScript usage file against the package and gets Node's results", async () => {
    const r = spawnSync(bin("deno"), ["run", "--quiet", "--allow-read", "--allow-env", "usage.ts"], {
      cwd: app, encoding: "utf8", env: { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    });
    assert.equal(r.status, 0, `deno failed:\n${r.stdout}${r.stderr}`);
    const fromDeno = JSON.parse(r.stdout);
    assert.equal(fromDeno.version, projectVersion);
    assert.equal(fromDeno.value, m.convert("1.12156456132", "fp16", { via: "fp32" }).value);
    assert.equal(fromDeno.bits, "0x3c7c");
    assert.equal(fromDeno.rounded, m.convert(0.1, "bf16", { round: "rtz", saturate: true, ftz: false }).bits);
    assert.equal(fromDeno.stochastic, m.convert("0.1", "fp8-e4m3", { round: "stochastic", seed: 7 }).bits);
    assert.equal(fromDeno.fp16Final, "1.125");
    assert.deepEqual(fromDeno.half, Array.from(m.convertArray(new Float32Array([1, 65520, 1e-8]), "fp16")));
    assert.deepEqual(fromDeno.e4m3, Array.from(m.convertArray(new Float32Array([448, 500]), "fp8-e4m3", { saturate: true })));
    assert.equal(fromDeno.hash, m.encodeScenario({ panel: "add", addition: { a: "1.5", b_format: "bf16" } }, { activePanelOnly: true }));
    const dotted = m.dot([1, "0x1p-7"], ["1", 2 ** -6], { in: "fp8-e4m3", acc: "tc:h100", c: 0 });
    assert.equal(fromDeno.dotBits, dotted.bits);
    assert.equal(fromDeno.dotRel, dotted.error_rel);
    assert.equal(fromDeno.dotExact, "11");
    const gemm = m.gemmError({ k: [16, 64], in: "fp8-e4m3", dist: "uniform:0:1", acc: ["tc:h100", "blocked:tc:h100:16"], trials: 5, seed: 1n });
    assert.equal(fromDeno.gemmAcc, "tc:h100");
    assert.equal(fromDeno.gemmMedian, gemm.rows[0].median);
    assert.equal(fromDeno.gemmRows, 2);  // one K, two accumulators
    const trained = m.train({ data: "xor", model: [2, 4, 2], optimizer: "sgd:lr=0.1,momentum=0.9",
      recipes: ["fp32", "bf16-sr"], epochs: 1, batch: 40, seed: 1n, chunk: 5, lossWeight: 1e-3 });
    assert.equal(fromDeno.trainedLoss, trained.recipes[1].final_loss);
    assert.equal(fromDeno.trainedLost, trained.recipes[1].steps.lost[0][0]);
    assert.equal(fromDeno.trainedSteps, 10);
    assert.equal(fromDeno.trainProgress, 1);
    const blocks = m.quantizeBlocks(new Float32Array([1, 2, 3, 7.9]), { format: "mxfp4", scaleRule: "ocp", block: 4, round: "rne", seed: 1, pad: false });
    assert.deepEqual([fromDeno.blockScales, fromDeno.blockElements, fromDeno.blockValues],
      [Array.from(blocks.scales), Array.from(blocks.elements), Array.from(blocks.dequantized)]);
    const nv = m.quantizeBlocks(new Float32Array([1, -2, 0.5]), { format: "nvfp4", pad: true });
    assert.equal(fromDeno.nvTensorScale, nv.tensorScale);
    assert.deepEqual(fromDeno.nvBack, Array.from(nv.dequantized));
    assert.equal(fromDeno.reportScale, m.quantize(["7.9", 1, 0.5, "-3"], { format: "mxfp4", block: 4, scaleRule: "ceil" }).blocks[0].scale_bits);
    // 65520 overflows fp16 (half the values), the file read 16 bytes at a time.
    assert.equal(fromDeno.inspectOverflow, 0.5);
    assert.equal(typeof fromDeno.inspectLost, "number");
    assert.ok(fromDeno.inspectChunks >= 5, `${fromDeno.inspectChunks} progress calls`);
    assert.equal(fromDeno.inspectFile, "input-1");
    assert.equal(fromDeno.inspectMergedOverflow, 0.5);  // two pieces of one file: 2 of 4 values overflow fp16
    assert.notEqual(fromDeno.message, "");
    assert.equal(fromDeno.message, (() => { try { m.convert("1.2.3", "fp16"); } catch (e) { return e.message; } })());
  });
});
