// The playground's split of an inspect scan across workers (web/tensor-split.js),
// run here in Node against the JS API (build/web/mantissa.mjs): every run of
// tensors scanned as its own piece and merged in order (m.inspectMerge) gives
// exactly the report of one m.inspect over the files (deepEqual: same doubles)
// and the CLI's `inspect --json`; files whose header this page could read
// differently from the reader (or that are not safetensors) are never split.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import vm from "node:vm";

import { assertSameInspectReport, cli, generatedCheckpoint, inspectFlags, repoRoot, runCliInspect } from "./api_contract.mjs";
import { splitCheckpoint } from "./split_checkpoint.mjs";

const api = path.join(repoRoot, "build", "web", "mantissa.mjs");

function loadSplit() {
  const context = { Blob, TextDecoder, TextEncoder, DataView, Uint8Array, JSON, Object, Number, Math, String, Array };
  context.self = context;
  vm.createContext(context);
  vm.runInContext(readFileSync(path.join(repoRoot, "web", "tensor-split.js"), "utf8"), context);
  return context.mantissaTensorSplit;
}

// A safetensors file from header text and data bytes.
function safetensors(header, data = new Uint8Array(0)) {
  const text = typeof header === "string" ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setUint32(0, text.length, true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

let ck, m, split, files, names;
before(async () => {
  if (!existsSync(api)) return;
  ck = generatedCheckpoint();
  names = [splitCheckpoint(ck.dir), ...ck.names];
  files = names.map((n) => new File([readFileSync(path.join(ck.dir, n))], n));
  m = await (await import(pathToFileURL(api))).default();
  split = loadSplit();
});
after(() => ck?.cleanup());

describe("inspect split across workers", { skip: !(existsSync(api) && cli && existsSync(cli)) && "build web and native first" }, () => {
  test("runs of tensors scanned apart and merged equal one pass and the CLI, for 2 to 4 workers", async () => {
    const layout = await split.safetensorsLayout(files[0]);
    assert.equal(layout.tensors.length, 10);
    for (const options of [{ formats: "fp16,bf16,fp8-e4m3", lr: "1e-4", gradStd: "1e-3" },
                           { formats: "fp8-e5m2,tf32,nvfp4", scale: "tensor", tensors: "q|embed|proto|one|empty" }]) {
      const onePass = await m.inspect(files, options);
      assertSameInspectReport(onePass, runCliInspect(ck.dir, names, inspectFlags(options)), JSON.stringify(options));
      for (const workers of [2, 3, 4]) {
        const runs = await split.plan(files, workers);
        assert.equal(runs.length, workers, `${workers} workers`);
        // small.safetensors (a skipped I32 tensor), bias.npy and tiny.gguf are read whole.
        const whole = runs.flatMap((r) => r.inputs).filter((i) => i.data instanceof File).map((i) => i.name);
        assert.deepEqual([...whole], ["small.safetensors", "bias.npy", "tiny.gguf"]);  // (an array of the vm's realm)
        const pieces = [];
        for (const r of runs) pieces.push(await m.inspect(r.inputs, { ...options, partial: true }));
        assert.deepEqual(m.inspectMerge(pieces), onePass, `${workers} workers, ${JSON.stringify(options)}`);
      }
    }
  });

  test("files this page might read otherwise than the reader are read whole", async () => {
    const f32 = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    const good = '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}';
    assert.notEqual(await split.safetensorsLayout(new File([safetensors(good, f32)], "ok.safetensors")), null);
    const refused = {
      "a skipped dtype": [good.replace('"F32","shape":[2],"data_offsets":[8', '"I32","shape":[2],"data_offsets":[8'), f32],
      "a shape of 2.0": [good.replace("[2]", "[2.0]"), f32],
      "an offset of 8e0": [good.replace("[8,16]", "[8e0,16]"), f32],
      "a repeated name": [good.replace('"b"', '"a"'), f32],
      "an empty tensor named after the one at its offset": [good.replace("}}", '},"c":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}}'), f32],
      "a gap": [good.replace("[8,16]", "[9,17]"), new Uint8Array(17)],
      "an overlap": [good.replace("[8,16]", "[4,12]"), new Uint8Array(12)],
      "a byte after the data": [good, new Uint8Array(17)],
      "a truncated file": [good, f32.subarray(0, 15)],
      "a size that disagrees with the shape": [good.replace("[2]", "[3]"), f32],
      "a lone surrogate in a name": [good.replace('"a"', '"\\ud800"'), f32],
      "nesting past 16": [`{"__metadata__":${"[".repeat(16)}${"]".repeat(16)},${good.slice(1)}`, f32],
      "an array header": ["[1,2]", f32],
      "not JSON": ["{" + good, f32],
    };
    for (const [what, [header, data]] of Object.entries(refused)) {
      const file = new File([safetensors(header, data)], "x.safetensors");
      assert.equal(await split.safetensorsLayout(file), null, what);
      const runs = await split.plan([file], 2);
      assert.equal(runs.length, 1, what);
      assert.equal(runs[0].inputs[0].data, file, what);
    }
    const bad = safetensors(good, f32);
    bad[8 + 2] = 0xff;  // not UTF-8
    assert.equal(await split.safetensorsLayout(new File([bad], "x")), null, "invalid UTF-8");
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setUint32(4, 1, true);  // a header length past 2^32
    assert.equal(await split.safetensorsLayout(new File([huge], "x")), null, "huge header length");
    const gguf = new Uint8Array(64);
    gguf.set(new TextEncoder().encode("GGUF"));
    assert.equal(await split.safetensorsLayout(new File([gguf], "x.gguf")), null, "GGUF");
    assert.equal(await split.safetensorsLayout(files[names.indexOf("bias.npy")]), null, ".npy");
    // One worker: never split.
    assert.equal((await split.plan(files, 1)).length, 1);
  });

  test("inspectMerge refuses what is not a list of pieces, and pieces measured otherwise", async () => {
    const a = await m.inspect(files[2], { formats: "fp16", partial: true });
    const b = await m.inspect(files[2], { formats: "bf16", partial: true });
    assert.equal(typeof a, "string");
    assert.throws(() => m.inspectMerge([]), TypeError);
    assert.throws(() => m.inspectMerge("x"), TypeError);
    assert.throws(() => m.inspectMerge([a, 3]), TypeError);
    assert.throws(() => m.inspectMerge([a, b]), { message: "inspect: piece 2 measured other formats, scale or update than piece 1" });
    assert.throws(() => m.inspectMerge([a, "{}"]), { message: "inspect: piece 2 is not an inspect piece of this version" });
    assert.deepEqual(m.inspectMerge([a]), await m.inspect(files[2], { formats: "fp16" }));
  });
});
