// Writes a checkpoint the page splits across workers: tensors of every float
// dtype in one file (subnormals, +-0, NaN, Inf, one element, two empty tensors
// at a non-empty one's offset, names JSON and JS treat specially). Returns its
// name. Used by tests/js/tensor_split.test.mjs and the panel's browser test.
import { execFileSync } from "node:child_process";
import path from "node:path";

export function splitCheckpoint(dir) {
  execFileSync("/usr/bin/python3", ["-c", `
import json, struct, sys, numpy as np
rng = np.random.default_rng(7)
def bf16(x):
    b = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    return (((b + 0x7FFF + ((b >> 16) & 1)) >> 16) & 0xFFFF).astype(np.uint16)
w = (rng.standard_normal(3001) * 0.02).astype(np.float32); w[:4] = [0.0, -0.0, 7e4, 1e-9]
h = (rng.standard_normal(517) * 1e-5).astype(np.float16)
d = rng.standard_normal(99) * 1e-3; d[:3] = [np.nan, np.inf, -np.inf]
e4 = rng.integers(0, 256, 200, dtype=np.uint8); e5 = rng.integers(0, 256, 133, dtype=np.uint8)
tensors = [("big", "F32", [20000], (rng.standard_normal(20000) * 50).astype(np.float32).tobytes()),
           ("__proto__", "F32", [3001], w.tobytes()), ("na\\u00efve.\\u540d", "F16", [11, 47], h.tobytes()),
           ("e.empty1", "F32", [0], b""), ("e.empty0", "BF16", [4, 0], b""),
           ("embed", "BF16", [64, 33], bf16(rng.standard_normal(64 * 33) * 3).tobytes()),
           ("head.f64", "F64", [99], d.tobytes()), ("one", "F32", [1], np.float32(0.1).tobytes()),
           ("q.e4m3", "F8_E4M3", [200], e4.tobytes()), ("q.e5m2", "F8_E5M2", [133], e5.tobytes())]
header, data = {"__metadata__": {"format": "pt"}}, b""
for name, dtype, shape, raw in tensors:
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
    data += raw
text = json.dumps(header).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(text)) + text + data)
`, path.join(dir, "split.safetensors")]);
  return "split.safetensors";
}
