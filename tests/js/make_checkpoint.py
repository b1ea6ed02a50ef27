#!/usr/bin/python3
"""Writes a small generated checkpoint into DIR for the JS API and browser
tests of `inspect`: small.safetensors (F32, F16, BF16, F64 tensors with
subnormals, +-0, NaN, Inf, one element, an empty tensor, a skipped I32),
bias.npy (<f4) and tiny.gguf (F32, F16 and BF16 tensors beside a Q4_0 one that
is listed and skipped, with metadata). Seeded: the same bytes on every run.
Prints the file names."""
import json
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from gguf_file import gguf  # noqa: E402  (tests/cli/gguf_file.py)


def safetensors(path, tensors):
    header, data = {}, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def bf16_bits(x32):
    """float32 values to bf16 bit patterns, nearest even (no NaN here)."""
    b = x32.view(np.uint32).astype(np.uint64)
    return (((b + 0x7FFF + ((b >> 16) & 1)) >> 16) & 0xFFFF).astype(np.uint16)


def main(out):
    rng = np.random.default_rng(15)
    w = (rng.standard_normal((64, 48)) * 0.02).astype(np.float32)
    w[0, :4] = [0.0, -0.0, 7e4, 1e-9]  # overflows fp16; flushes in fp8
    h = (rng.standard_normal(300) * 1e-5).astype(np.float16)  # many fp16 subnormals
    b = bf16_bits((rng.standard_normal((16, 8)) * 3).astype(np.float32))
    d = rng.standard_normal(40) * 1e-3
    d[:3] = [np.nan, np.inf, -np.inf]
    tensors = [
        ("layers.0.attn.weight", "F32", w.shape, w.tobytes()),
        ("layers.0.norm.scale", "F16", h.shape, h.tobytes()),
        ("embed.bf16", "BF16", b.shape, b.tobytes()),
        ("head.f64", "F64", d.shape, d.tobytes()),
        ("one", "F32", (1,), np.array([0.1], np.float32).tobytes()),
        ("empty", "F32", (0, 3), b""),
        ("step", "I32", (2,), np.array([1, 2], np.int32).tobytes()),
    ]
    safetensors(f"{out}/small.safetensors", tensors)
    np.save(f"{out}/bias.npy", (rng.standard_normal(100) * 10).astype(np.float32))
    g = (rng.standard_normal((4, 24)) * 0.05).astype("<f4")
    g[0, :4] = [7e4, -1e-6, 1e-8, 0.0]  # overflows fp16; an fp16 subnormal; flushes in fp16
    gh = (rng.standard_normal(33) * 2e-5).astype("<f2")
    gb = bf16_bits((rng.standard_normal(10) * 1e5).astype(np.float32))  # overflows fp16
    gguf(f"{out}/tiny.gguf", [("token_embd.weight", "F32", g.shape, g.tobytes()),
                              ("blk.0.attn_q.weight", "Q4_0", (2, 32), bytes(2 * 18)),
                              ("blk.0.attn_norm.weight", "F16", gh.shape, gh.tobytes()),
                              ("output.bf16", "BF16", gb.shape, gb.astype("<u2").tobytes())],
         [("general.architecture", 8, "llama"), ("general.name", 8, "mantissa-test")])
    print(json.dumps(["small.safetensors", "bias.npy", "tiny.gguf"]))


if __name__ == "__main__":
    main(sys.argv[1])
