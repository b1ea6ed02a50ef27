// How m.inspect reads a Blob (src/bindings/api.js blobChunks): one
// Blob.stream() per file and pass, through a reused BYOB buffer where the
// stream is a byte stream, else the default reader's pieces, whatever their
// sizes. Each way must feed the reader exactly the file's bytes (the report
// equals the one from the bytes themselves), a stream that ends early must
// give the reader's own message for the shorter file, a read error must come
// out as it is, and a scan that stops early must cancel the stream and free
// its wasm memory. An ArrayBuffer is fed from memory, a task apart per chunk.
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";

import { generatedCheckpoint, repoRoot } from "./api_contract.mjs";

const api = path.join(repoRoot, "build", "web", "mantissa.mjs");

// A Blob whose stream() is NOT a byte stream (no BYOB reader): it hands out
// `bytes` in pieces of the sizes given, cycling, and records a cancel.
// `stop`: end the stream (or, with `fail`, error it) after that many bytes.
class PieceBlob extends Blob {
  constructor(bytes, sizes, { stop = bytes.length, fail = null } = {}) {
    super([bytes]);
    Object.assign(this, { bytes, sizes, stop, fail, cancelled: false });
  }

  stream() {
    let at = 0, k = 0;
    return new ReadableStream({
      pull: (controller) => {
        if (at >= this.stop) {
          if (this.fail) controller.error(this.fail);
          else controller.close();
          return;
        }
        const n = Math.min(this.sizes[k++ % this.sizes.length], this.stop - at);
        controller.enqueue(this.bytes.slice(at, at + n));  // a fresh piece, as a stream gives
        at += n;
      },
      cancel: () => { this.cancelled = true; },
    });
  }
}

let ck, m, bytes, reference;
const options = { formats: "fp16,bf16,fp8-e4m3", lr: "1e-4", gradStd: "1e-3" };
before(async () => {
  if (!existsSync(api)) return;
  ck = generatedCheckpoint();
  m = await (await import(pathToFileURL(api))).default();
  // The largest file of the checkpoint: several tensors and dtypes.
  const name = ck.names.filter((n) => n.endsWith(".safetensors"))
    .sort((a, b) => readFileSync(path.join(ck.dir, b)).length - readFileSync(path.join(ck.dir, a)).length)[0];
  bytes = new Uint8Array(readFileSync(path.join(ck.dir, name)));
  reference = await m.inspect({ name: "f.safetensors", data: bytes }, options);
});
after(() => ck?.cleanup());

describe("inspect reads a Blob as one stream", { skip: !existsSync(api) && "build web first" }, () => {
  test("byte streams (BYOB) and plain streams of odd pieces feed exactly the file's bytes", async () => {
    assert.ok(bytes.length > 1000, `${bytes.length} bytes`);
    assert.doesNotThrow(() => new Blob([bytes]).stream().getReader({ mode: "byob" }).releaseLock(),
      "Node's Blob streams are byte streams: the BYOB path runs");
    for (const chunkBytes of [1, 7, 64, 1000, 4 << 20]) {
      const what = `chunkBytes ${chunkBytes}`;
      if (chunkBytes >= 64) {
        assert.deepEqual(await m.inspect({ name: "f.safetensors", data: new Blob([bytes]) }, { ...options, chunkBytes }),
          reference, `BYOB, ${what}`);
      }
      for (const sizes of [[1], [3, 5000, 2], [bytes.length]]) {
        if (chunkBytes < 64 && sizes[0] !== bytes.length) continue;  // byte-sized pieces one way is enough
        const blob = new PieceBlob(bytes, sizes);
        assert.deepEqual(await m.inspect({ name: "f.safetensors", data: blob }, { ...options, chunkBytes }),
          reference, `pieces of ${sizes}, ${what}`);
        assert.equal(blob.cancelled, false, "a stream read to its end is not cancelled");
      }
    }
  });

  test("a stream that ends early gives the reader's message for the shorter file", async () => {
    const cut = bytes.length - 37;
    let expected;
    try {
      await m.inspect({ name: "f.safetensors", data: bytes.subarray(0, cut) }, options);
    } catch (e) {
      expected = e.message;
    }
    assert.ok(expected, "the truncated bytes are refused");
    const blob = new PieceBlob(bytes, [4096, 333], { stop: cut });
    await assert.rejects(m.inspect({ name: "f.safetensors", data: blob }, { ...options, chunkBytes: 1 << 16 }),
      (e) => e.message === expected);
  });

  test("an ArrayBuffer's scan yields a task between chunks: a timer's abort stops it early", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 0);
    let done = 0;
    await assert.rejects(m.inspect({ name: "f.safetensors", data: bytes }, { ...options, chunkBytes: 64, signal: controller.signal },
      (p) => { done = p.bytesDone; }), (e) => e.name === "AbortError");
    assert.ok(done < bytes.length, `${done} of ${bytes.length} bytes read`);
  });

  test("a read error comes out as it is; a stopped scan cancels its stream and frees its memory", async () => {
    const heap = m.heapInUse();
    const fail = new DOMException("the file changed", "NotReadableError");
    const broken = new PieceBlob(bytes, [999], { stop: 5000, fail });
    await assert.rejects(m.inspect({ name: "f.safetensors", data: broken }, { chunkBytes: 1 << 16 }),
      (e) => e === fail);
    const controller = new AbortController();
    const stopped = new PieceBlob(bytes, [512]);
    await assert.rejects(m.inspect({ name: "f.safetensors", data: stopped }, { chunkBytes: 1024, signal: controller.signal },
      (p) => { if (p.fileBytesDone >= 2048) controller.abort(); }), (e) => e.name === "AbortError");
    assert.equal(stopped.cancelled, true, "the stream of a cancelled scan is cancelled");
    // Errors inside the reader's checks stop the scan too.
    const bad = new Uint8Array(bytes);
    new DataView(bad.buffer).setUint32(0, bytes.length * 2, true);  // a header longer than the file
    const refused = new PieceBlob(bad, [700]);
    await assert.rejects(m.inspect({ name: "f.safetensors", data: refused }, { chunkBytes: 1024 }));
    assert.equal(m.heapInUse(), heap, "wasm memory back to where it was");
  });
});
