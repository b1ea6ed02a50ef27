#!/usr/bin/python3
"""`mantissa inspect` against numpy: every statistic of every tensor is
recomputed here from the same file, with numpy's float16 (IEEE binary16,
round to nearest even) and a bf16 rounding written from its definition on
the float32 bits. Counts and maxima must agree exactly; sums (RMSE, SQNR,
mean relative error) to 1e-12 relative, since the order of additions differs.
Hostile files must be refused with exit 2 and a message naming the file.

Run by ctest as `python3 test_inspect.py <path to mantissa>`.
"""
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from gguf_file import gguf, gguf_string  # noqa: E402  (tests/cli/gguf_file.py, beside this file)

MANTISSA = None


def run(*args):
    return subprocess.run([MANTISSA, "inspect", *args], capture_output=True, text=True, timeout=120)


def inspect(*args):
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def safetensors(path, tensors, metadata=None, header=None):
    """tensors: list of (name, dtype string, shape, raw bytes), laid out in order."""
    h, data = {}, b""
    for name, dtype, shape, raw in tensors:
        h[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    if metadata:
        h["__metadata__"] = metadata
    text = header if header is not None else json.dumps(h).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def to_bf16(x32):
    """Round float32 values to bf16 (nearest even) from the bit pattern."""
    b = x32.view(np.uint32).astype(np.uint64)
    bias = 0x7FFF + ((b >> 16) & 1)
    r = ((b + bias) & 0xFFFF0000).astype(np.uint32)
    nan = np.isnan(x32)
    r[nan] = 0x7FC00000
    return r.view(np.float32).astype(np.float64)


def round_grid(x, m, emin, max_finite):
    """Round to nearest even onto the grid of a format with m fraction bits,
    smallest normal exponent emin and largest finite max_finite, from the
    definition: the quantum of |x| is 2^(max(floor(log2|x|), emin) - m), and
    x / quantum is exact in float64, so np.round (half to even) rounds it.
    Results past max_finite overflow (inf; NaN for the formats without inf:
    both count as overflow). Independent of numpy's float16 and of the core."""
    x = np.asarray(x, dtype=np.float64)
    y = np.full_like(x, np.nan)
    fin = np.isfinite(x)
    nz = fin & (x != 0)
    y[fin & (x == 0)] = x[fin & (x == 0)]
    e = np.maximum(np.frexp(x[nz])[1] - 1, emin)
    q = np.ldexp(1.0, (e - m).astype(np.int64))
    r = np.round(x[nz] / q) * q
    r[np.abs(r) > max_finite] = np.inf
    y[nz] = r
    return y


# (rounding function, man_bits, emin) of the formats checked here.
ORACLES = {
    "fp16": (lambda x: x.astype(np.float16).astype(np.float64), 10, -14),
    "bf16": (lambda x: to_bf16(x.astype(np.float32)), 7, -126),
    "fp8-e4m3": (lambda x: round_grid(x, 3, -6, 448.0), 3, -6),
    "fp8-e5m2": (lambda x: round_grid(x, 2, -14, 57344.0), 2, -14),
}


def error_stats(xm, ym, n):
    """The statistics over the measured pairs (finite input, finite result) of a tensor of n elements."""
    err = np.abs(ym - xm)
    nz = xm != 0
    rel = err[nz] / np.abs(xm[nz])
    sig, noise = math.fsum(xm * xm), math.fsum(err * err)
    return {
        "exact": (ym == xm).sum() / n if n else 0.0,
        "max_abs_error": float(err.max()) if err.size else 0.0,
        "max_rel_error": float(rel.max()) if rel.size else 0.0,
        "rmse": math.sqrt(math.fsum(err * err) / err.size) if err.size else 0.0,
        "mean_rel_error": math.fsum(rel) / rel.size if rel.size else 0.0,
        "sqnr_db": None if noise == 0 else 10 * math.log10(sig / noise),
    }


def expected(x, fmt, update=None):
    """The statistics of one format, computed from the definitions."""
    rnd, m, emin = ORACLES[fmt]
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    fin = np.isfinite(x)
    with np.errstate(over="ignore", invalid="ignore"):
        y = rnd(x)
    yfin = np.isfinite(y)
    meas = fin & yfin
    xm, ym = x[meas], y[meas]
    out = {
        "overflow": (fin & ~yfin).sum() / n if n else 0.0,
        "subnormal": ((ym != 0) & (np.abs(ym) < 2.0**emin)).sum() / n if n else 0.0,
        "flushed_to_zero": ((xm != 0) & (ym == 0)).sum() / n if n else 0.0,
        **error_stats(xm, ym, n),
    }
    if update is not None:
        a = np.abs(ym)
        e = np.where(a >= 2.0**emin, np.frexp(a)[1] - 1, emin)
        half = np.ldexp(1.0, (e - m - 1).astype(np.int64))
        out["lost_update_fraction"] = (update < half).sum() / ym.size if ym.size else 0.0
    return out


SUMS = ("rmse", "mean_rel_error", "sqnr_db")

# Element formats of the block formats: (fraction bits, emin, largest finite, emax, is float).
MX_ELEMENTS = {
    "mxfp8-e4m3": (3, -6, 448.0, 8, True), "mxfp8-e5m2": (2, -14, 57344.0, 15, True),
    "mxfp6-e2m3": (3, 0, 7.5, 2, True), "mxfp6-e3m2": (2, -2, 28.0, 4, True), "mxfp4": (1, 0, 6.0, 2, True),
    "mxint8": (6, 0, 127 / 64, 0, False),
}


def grid_round(v, m, emin):
    """Round to nearest even onto a grid of m fraction bits above 2^emin (spacing 2^(emin-m) below),
    with no largest value: the caller clamps."""
    v = np.asarray(v, dtype=np.float64)
    out = np.zeros_like(v)
    nz = v != 0
    e = np.maximum(np.frexp(v[nz])[1] - 1, emin)
    q = np.ldexp(1.0, (e - m).astype(np.int64))
    out[nz] = np.round(v[nz] / q) * q
    out[~nz] = v[~nz]
    return out


def half_step(elem, m, emin, is_float):
    if not is_float:
        return np.full_like(elem, 2.0 ** -(m + 1))
    a = np.abs(elem)
    e = np.where(a >= 2.0**emin, np.frexp(a)[1] - 1, emin)
    return np.ldexp(1.0, (e - m - 1).astype(np.int64))


def block_oracle(x, fmt):
    """(dequantized, clipped, subnormal element, flushed, half step for the update question) per element,
    from the definitions: OCP MX v1.0 (scale 2^(floor(log2 amax) - emax_elem), elements rounded to
    nearest even and clamped; a NaN/Inf makes the block NaN), NVIDIA's NVFP4 recipe in fp32 steps.
    Blocks follow element order; the last is as if zero-padded."""
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    block = 16 if fmt == "nvfp4" else 32
    dq = np.zeros(n)
    clipped, sub, flushed, half = (np.zeros(n, bool), np.zeros(n, bool), np.zeros(n, bool), np.zeros(n))
    if fmt == "nvfp4":
        m, emin, top, is_float = 1, 0, 6.0, True
        x32 = x.astype(np.float32)
        fin = np.isfinite(x32)
        amax = np.float32(np.abs(x32[fin]).max()) if fin.any() else np.float32(0)
        s_enc = np.float32(1) if amax == 0 else np.minimum(np.float32(2688) / amax, np.finfo(np.float32).max)
        s_dec = np.float32(1) / s_enc
    else:
        m, emin, top, emax, is_float = MX_ELEMENTS[fmt]
    for b in range(0, n, block):
        v = x[b:b + block]
        if not np.isfinite(v).all():
            dq[b:b + block] = np.nan
            continue
        if fmt == "nvfp4":
            v32 = v.astype(np.float32)
            decode_b = np.float32(np.abs(v32).max()) / np.float32(6)
            stored = np.float32(decode_b * s_enc)
            scale = min(float(grid_round(float(stored), 3, -6)), 448.0)  # E4M3, saturating
            encode_b = np.float32(0) if scale == 0 else np.float32(1) / (np.float32(scale) * s_dec)
            scaled = v32.astype(np.float64) * np.float64(encode_b)
            step = scale * np.float64(s_dec)
        else:
            amax = np.abs(v).max()
            k = -127 if amax == 0 else max(int(np.frexp(amax)[1] - 1) - emax, -127)
            scaled = np.ldexp(v, -k)
            step = 2.0**k
        r = grid_round(scaled, m, emin)
        over = np.abs(r) > top
        r = np.clip(r, -top, top)
        dq[b:b + block] = r * step
        clipped[b:b + block] = over
        sub[b:b + block] = is_float & (r != 0) & (np.abs(r) < 2.0**emin)
        flushed[b:b + block] = (v != 0) & (r == 0)
        half[b:b + block] = half_step(r, m, emin, is_float) * step
    return dq, clipped, sub, flushed, half


def expected_block(x, fmt, update=None):
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    dq, clipped, sub, flushed, half = block_oracle(x, fmt)
    fin = np.isfinite(x)
    yfin = np.isfinite(dq)
    meas = fin & yfin
    xm, ym = x[meas], dq[meas]
    out = {
        "overflow": (fin & (~yfin | clipped)).sum() / n,
        "subnormal": (meas & sub).sum() / n,
        "flushed_to_zero": (meas & flushed).sum() / n,
        **error_stats(xm, ym, n),
    }
    if update is not None:
        out["lost_update_fraction"] = (update < half[meas]).sum() / ym.size if ym.size else 0.0
    return out


def expected_scaled(x, fmt, update=None):
    """--scale tensor: x * 2^k rounded, k the largest with amax * 2^k <= the format's largest finite."""
    m, emin, top = {"fp16": (10, -14, 65504.0), "bf16": (7, -126, 3.3895313892515355e38),
                    "fp8-e4m3": (3, -6, 448.0), "fp8-e5m2": (2, -14, 57344.0)}[fmt]
    x = np.asarray(x, dtype=np.float64).ravel()
    fin = x[np.isfinite(x)]
    amax = np.abs(fin).max() if fin.size else 0.0
    k = 0
    if amax > 0:
        k = int(np.frexp(top)[1] - np.frexp(amax)[1])
        while np.ldexp(amax, k) > top:
            k -= 1
        while np.ldexp(amax, k + 1) <= top:
            k += 1
    n = x.size
    fx = np.isfinite(x)
    s = np.where(fx, np.ldexp(np.where(fx, x, 0), k), np.nan)
    r = grid_round(np.where(fx, s, 0), m, emin)
    over = fx & (np.abs(r) > top)
    meas = fx & ~over
    y = np.ldexp(r, -k)
    xm, ym = x[meas], y[meas]
    out = {
        "overflow": over.sum() / n,
        "subnormal": ((r[meas] != 0) & (np.abs(r[meas]) < 2.0**emin)).sum() / n,
        "flushed_to_zero": ((xm != 0) & (ym == 0)).sum() / n,
        **error_stats(xm, ym, n),
        "tensor_scale": 2.0**k,
    }
    if update is not None:
        half = np.ldexp(half_step(r[meas], m, emin, True), -k)
        out["lost_update_fraction"] = (update < half).sum() / ym.size if ym.size else 0.0
    return out


class TensorChecks(unittest.TestCase):
    """check_tensor for the test classes below; holds no tests itself."""

    def check_tensor(self, got, x, update=None):
        x = np.asarray(x, dtype=np.float64).ravel()
        n = x.size
        fin = x[np.isfinite(x)]
        self.assertEqual(got["count"], n)
        self.assertEqual(got["zero_fraction"], (fin == 0).sum() / n if n else 0.0)
        self.assertEqual(got["nan_fraction"], np.isnan(x).sum() / n if n else 0.0)
        self.assertEqual(got["inf_fraction"], np.isinf(x).sum() / n if n else 0.0)
        if fin.size:
            self.assertEqual(got["min"], float(fin.min()))
            self.assertEqual(got["max"], float(fin.max()))
            self.assertEqual(got["amax"], float(np.abs(fin).max()))
        else:
            self.assertIsNone(got["amax"])
        nz = fin[fin != 0]
        hist = {}
        for e in (np.frexp(nz)[1] - 1).tolist():
            hist[str(e)] = hist.get(str(e), 0) + 1
        self.assertEqual(got["log2_histogram"], hist)
        self.check_formats(got, x, expected, update)

    def check_formats(self, got, x, oracle, update):
        for f in got["formats"]:
            want = oracle(x, f["format"], update)
            for k, v in want.items():
                with self.subTest(tensor=got["name"], format=f["format"], stat=k):
                    if k in SUMS and v is not None and f[k] is not None:
                        self.assertAlmostEqual(f[k], v, delta=1e-12 * abs(v))
                    else:
                        self.assertEqual(f[k], v)


class Statistics(TensorChecks):
    def test_npy_specials_subnormals_and_signed_zeros(self):
        x = np.array([0.0, -0.0, 1.0, -2.5, np.nan, np.inf, -np.inf, 65504.0, 65520.0, 1e6,
                      2.0**-24, 2.0**-25, 3 * 2.0**-26, 1e-30, 5.96e-8, 0.1, -1 / 3, 1 + 2.0**-11])
        with tempfile.TemporaryDirectory() as d:
            for dtype in ("<f8", "<f4", "<f2"):
                for order in ("C", "F"):
                    p = os.path.join(d, "x.npy")
                    v = np.asarray(x.astype(dtype).reshape(3, 6), order=order)
                    np.save(p, v)
                    with self.subTest(dtype=dtype, order=order):
                        r = inspect(p, "--formats", "fp16,bf16", "--lr", "1e-3", "--grad-std", "0.5")
                        self.assertEqual(len(r["tensors"]), 1)
                        t = r["tensors"][0]
                        self.assertEqual(t["name"], "x.npy")
                        self.assertEqual(t["shape"], [3, 6])
                        self.assertEqual(t["dtype"], dtype)
                        self.check_tensor(t, v.ravel(order="K"), update=1e-3 * 0.5)

    def test_safetensors_every_read_dtype_and_skipped_ones(self):
        rng = np.random.default_rng(15)
        w = (rng.standard_normal(1000) * 0.02).astype("<f4")
        w[:4] = [0.0, -0.0, np.nan, 2.0**-140]
        h = (rng.standard_normal(37) * 300).astype("<f2")
        b16 = to_bf16(rng.standard_normal(50).astype(np.float32)).astype(np.float32)
        b16_raw = (b16.view(np.uint32) >> 16).astype("<u2").tobytes()
        # fp8: every code of e5m2 (its values are float16 with the low byte zero)
        e5m2_codes = np.arange(256, dtype=np.uint16)
        e5m2 = (e5m2_codes << 8).view(np.float16)
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "m.safetensors")
            safetensors(p, [
                ("h", "F16", [37], h.tobytes()),
                ("one", "F64", [1, 1], np.array([0.3], "<f8").tobytes()),
                ("empty", "F32", [0, 4], b""),
                ("ids", "I64", [2], np.array([1, 2], "<i8").tobytes()),
                ("w.weight", "F32", [10, 100], w.tobytes()),
                ("b", "BF16", [50], b16_raw),
                ("e5", "F8_E5M2", [256], e5m2_codes.astype(np.uint8).tobytes()),
            ], metadata={"format": "pt"})
            r = inspect(p, "--formats", "fp16,bf16", "--lr", "1e-4", "--grad-std", "1e-2")
            got = {t["name"]: t for t in r["tensors"]}
            self.assertEqual(sorted(got), ["b", "e5", "empty", "h", "one", "w.weight"])
            self.check_tensor(got["h"], h, 1e-6)
            self.check_tensor(got["one"], [0.3], 1e-6)
            self.check_tensor(got["empty"], [], 1e-6)
            self.check_tensor(got["w.weight"], w, 1e-6)
            self.check_tensor(got["b"], b16, 1e-6)
            self.check_tensor(got["e5"], e5m2, 1e-6)
            self.assertTrue(any("'ids'" in n and "I64" in n for n in r["notices"]), r["notices"])
            # --tensors keeps only matching names
            r = inspect(p, "--formats", "fp16", "--tensors", r"\.weight$")
            self.assertEqual([t["name"] for t in r["tensors"]], ["w.weight"])

    def test_big_16_bit_tensors_by_the_table_path(self):
        # fp16 and bf16 tensors of 2^20 + 3 elements take the collector's table
        # path (StatsCollector::kTableMinCount): the same figures as the oracle.
        rng = np.random.default_rng(1517)
        n = 2**20 + 3
        x = (rng.standard_normal(n) * 0.02).astype(np.float32)
        x[:6] = [0.0, -0.0, np.nan, np.inf, 2.0**-130, 3e38]
        b16 = to_bf16(x).astype(np.float32)
        h = (rng.standard_normal(n) * 3000).astype("<f2")  # some overflow fp8-e4m3
        h[:5] = [-0.0, np.nan, -np.inf, 6e-8, 65504]
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "big16.safetensors")
            safetensors(p, [("b", "BF16", [n], (b16.view(np.uint32) >> 16).astype("<u2").tobytes()),
                            ("h", "F16", [n], h.tobytes())])
            r = inspect(p, "--formats", "fp16,bf16,fp8-e4m3", "--lr", "1e-3", "--grad-std", "1e-2")
            got = {t["name"]: t for t in r["tensors"]}
            self.check_tensor(got["b"], b16, 1e-5)
            self.check_tensor(got["h"], h, 1e-5)

    def test_gguf_float_tensors_read_quantized_ones_listed(self):
        rng = np.random.default_rng(7)
        w = (rng.standard_normal((3, 40)) * 0.05).astype("<f4")
        w.flat[:3] = [np.nan, -0.0, 1e-41]
        h = (rng.standard_normal(17) * 100).astype("<f2")
        b16 = to_bf16(rng.standard_normal((2, 5)).astype(np.float32)).astype(np.float32)
        d = np.array([0.1, -1e300, 2.0**-1074], "<f8")
        metadata = [("general.architecture", 8, "llama"), ("general.name", 8, "tiny"),
                    ("tokenizer.ggml.tokens", 9, (8, ["<s>", "a", "\u00e9"])),
                    ("nested", 9, (9, [(4, [1, 2]), (6, [0.5])])), ("x.u8", 0, 3), ("x.f64", 12, 0.25),
                    ("x.bool", 7, True), ("x.i64", 11, -5)]
        for alignment in (None, 64):
            with tempfile.TemporaryDirectory() as dd, self.subTest(alignment=alignment):
                p = os.path.join(dd, "m.gguf")
                gguf(p, [("blk.0.w", "F32", [3, 40], w.tobytes()),
                         ("q", "Q4_0", [2, 64], bytes(2 * 2 * 18)),
                         ("h", "F16", [17], h.tobytes()),
                         ("ids", "I32", [3], np.arange(3, dtype="<i4").tobytes()),
                         ("b", "BF16", [2, 5], (b16.view(np.uint32) >> 16).astype("<u2").tobytes()),
                         ("empty", "F32", [0], b""),
                         ("d", "F64", [3], d.tobytes())], metadata, alignment=alignment)
                r = inspect(p, "--formats", "fp16,bf16", "--lr", "1e-3", "--grad-std", "1e-2")
                got = {t["name"]: t for t in r["tensors"]}
                self.assertEqual(list(got), ["blk.0.w", "h", "b", "empty", "d"])
                self.assertEqual(got["blk.0.w"]["shape"], [3, 40])
                self.assertEqual(got["blk.0.w"]["dtype"], "F32")
                self.check_tensor(got["blk.0.w"], w, 1e-5)
                self.check_tensor(got["h"], h, 1e-5)
                self.check_tensor(got["b"], b16, 1e-5)
                self.check_tensor(got["empty"], [], 1e-5)
                self.check_tensor(got["d"], d, 1e-5)
                self.assertTrue(any("'q'" in n and "Q4_0" in n for n in r["notices"]), r["notices"])
                self.assertTrue(any("'ids'" in n and "I32" in n for n in r["notices"]), r["notices"])

    def block_tensors(self):
        rng = np.random.default_rng(3)
        w = (rng.standard_normal(1000) * 0.03).astype("<f4")  # 31.25 blocks of 32: the last one padded
        w[40:72] = 0  # an all-zero block
        w[100] = 7.0  # rounds past mxfp4's 6 in its block: clipped
        w[200:210] = rng.standard_normal(10).astype("<f4") * 1e-6  # tiny values beside bigger ones: flushed
        spiky = (rng.standard_normal(77) * 300).astype("<f4")
        spiky[5] = np.nan  # poisons its block
        h = (rng.standard_normal(50) * 2).astype("<f2")
        return {"w": w, "spiky": spiky, "h": h}

    def test_block_formats_as_targets_against_numpy(self):
        tensors = self.block_tensors()
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "b.safetensors")
            safetensors(p, [(k, "F16" if v.dtype == np.float16 else "F32", [v.size], v.tobytes())
                            for k, v in tensors.items()])
            fmts = "mxfp8-e4m3,mxfp8-e5m2,mxfp6-e2m3,mxfp6-e3m2,mxfp4,mxint8,nvfp4"
            r = inspect(p, "--formats", fmts, "--lr", "1e-3", "--grad-std", "1e-2")
            self.assertEqual([f["format"] for f in r["totals"]], fmts.split(","))
            got = {t["name"]: t for t in r["tensors"]}
            for name, x in tensors.items():
                self.check_formats(got[name], x, expected_block, 1e-5)
            # nvfp4 reports its fp32 per-tensor scale s_enc = 6 * 448 / amax
            nv = [f for f in got["w"]["formats"] if f["format"] == "nvfp4"][0]
            self.assertEqual(nv["tensor_scale"], float(np.float32(2688) / np.abs(tensors["w"]).max()))

    def test_scale_tensor_against_numpy(self):
        tensors = self.block_tensors()
        tensors["big"] = np.array([1e5, -3e4, 2.5, 0.0], "<f4")  # overflows fp16 unscaled, fits scaled
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "s.safetensors")
            safetensors(p, [(k, "F16" if v.dtype == np.float16 else "F32", [v.size], v.tobytes())
                            for k, v in tensors.items()])
            r = inspect(p, "--formats", "fp16,bf16,fp8-e4m3,fp8-e5m2,mxfp4", "--scale", "tensor",
                        "--lr", "1e-3", "--grad-std", "1e-2")
            self.assertEqual(r["scale"], "tensor")
            got = {t["name"]: t for t in r["tensors"]}
            for name, x in tensors.items():
                scalar = dict(got[name], formats=got[name]["formats"][:4])
                self.check_formats(scalar, x, expected_scaled, 1e-5)
                # block formats keep their own scales: same figures as without --scale
                self.check_formats(dict(got[name], formats=got[name]["formats"][4:]), x, expected_block, 1e-5)
            self.assertEqual(got["big"]["formats"][0]["overflow"], 0)
            unscaled = inspect(p, "--formats", "fp16", "--tensors", "^big$")
            self.assertGreater(unscaled["tensors"][0]["formats"][0]["overflow"], 0)

    def test_gguf_header_longer_than_a_read_chunk(self):
        # 6 MiB of vocabulary: the header crosses the CLI's 4 MiB reads.
        tokens = ["t%07d" % i for i in range(400_000)]
        x = np.array([1.0, 1 + 2.0**-11, 3e-8], "<f4")
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "v.gguf")
            gguf(p, [("x", "F32", [3], x.tobytes())], [("tokenizer.ggml.tokens", 9, (8, tokens))])
            self.assertGreater(os.path.getsize(p), 5 * 2**20)
            r = inspect(p, "--formats", "fp16")
            self.check_tensor(r["tensors"][0], x)

    def test_elements_split_across_read_chunks(self):
        # A 3-byte F8 tensor first puts every later float32 off a 4-byte
        # boundary, and 5 MiB of data crosses the CLI's 4 MiB read size.
        rng = np.random.default_rng(1)
        big = rng.standard_normal(5 * 2**18).astype("<f4")
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "big.safetensors")
            safetensors(p, [("pad", "F8_E4M3", [3], b"\x38\x40\xb8"), ("big", "F32", [big.size], big.tobytes())])
            r = inspect(p, "--formats", "fp16")
            got = {t["name"]: t for t in r["tensors"]}
            self.check_tensor(got["pad"], [1.0, 2.0, -1.0])
            self.check_tensor(got["big"], big)

    def test_totals_and_worst_tensors(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "t.safetensors")
            a = np.array([1.0, 1 + 2.0**-11], "<f4")
            b = np.array([0.1, 1e-5], "<f4")
            safetensors(p, [("a", "F32", [2], a.tobytes()), ("b", "F32", [2], b.tobytes())])
            r = inspect(p, "--formats", "fp16", "--lr", "1e-3", "--grad-std", "1")
            both = np.concatenate([a, b])
            total = r["totals"][0]
            want = expected(both, "fp16", 1e-3)
            self.assertEqual(total["exact"], want["exact"])
            self.assertAlmostEqual(total["sqnr_db"], want["sqnr_db"], delta=1e-12 * abs(want["sqnr_db"]))
            self.assertEqual(total["lost_update_fraction"], want["lost_update_fraction"])
            # a's second value is halfway between fp16 neighbours: a is the worse.
            sq = {t["name"]: t["formats"][0]["sqnr_db"] for t in r["tensors"]}
            self.assertEqual(r["worst"][0]["by_sqnr"], sorted(sq, key=lambda k: sq[k]))

    def test_progress_goes_to_stderr_only(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.npy")
            np.save(p, np.arange(10, dtype="<f4"))
            plain = run(p, "--json")
            shown = run(p, "--json", "--progress", "--scale", "tensor")  # two passes: two bars
            self.assertEqual(shown.returncode, 0, shown.stderr)
            self.assertEqual(plain.stderr, "")  # not a terminal, no --progress: no bar
            self.assertIn("100%", shown.stderr)
            self.assertIn("(amax pass)", shown.stderr)
            self.assertEqual(json.loads(shown.stdout)["tensors"][0]["count"], 10)

    def test_csv_and_text_outputs(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.npy")
            np.save(p, np.array([1.0, 0.1], "<f4"))
            r = run(p, "--csv", "--formats", "fp16,fp8-e4m3")
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.strip().split("\n")
            self.assertEqual(len(lines), 3)
            self.assertTrue(lines[0].startswith("file,tensor,dtype"))
            r = run(p)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("total: 1 tensors, 2 values", r.stdout)


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# Silero VAD (MIT), the ONNX model npm's @ricky0123/vad-web (ISC) ships: a dev dependency.
REAL_MODEL = os.path.join(ROOT, "node_modules", "@ricky0123", "vad-web", "dist", "silero_vad_legacy.onnx")


def read_safetensors(path):
    """{name: float64 array} read here with numpy, independently of mantissa's reader."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    np_dtype = {"F32": "<f4", "F16": "<f2", "F64": "<f8"}
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        out[name] = np.frombuffer(body[b:end], dtype=np_dtype[e["dtype"]]).astype(np.float64)
        assert out[name].size == math.prod(e["shape"])
    return out


class RealModel(TensorChecks):
    def test_silero_vad_weights_every_statistic_against_numpy(self):
        # The converter writes the model's float initializers to safetensors
        # and bit-compares the written file with what the ONNX parser read.
        out_dir = os.path.join(os.path.dirname(os.path.abspath(MANTISSA)), "real_model")
        os.makedirs(out_dir, exist_ok=True)
        path = os.path.join(out_dir, "silero_vad_legacy.safetensors")
        conv = subprocess.run(["node", os.path.join(ROOT, "tests", "cli", "onnx_to_safetensors.mjs"), REAL_MODEL, path],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(conv.returncode, 0, conv.stderr)
        made = json.loads(conv.stdout)
        weights = read_safetensors(path)
        self.assertEqual(made["tensors"], len(weights))
        self.assertEqual(made["values"], sum(w.size for w in weights.values()))
        self.assertGreater(made["values"], 100_000)  # the real weights, not a stub
        update = 1e-4 * 1e-3
        r = inspect(path, "--formats", "fp16,bf16,fp8-e4m3,fp8-e5m2", "--lr", "1e-4", "--grad-std", "1e-3")
        got = {t["name"]: t for t in r["tensors"]}
        self.assertEqual(sorted(got), sorted(weights))
        for name, w in weights.items():
            self.check_tensor(got[name], w, update)
        # block formats and --scale tensor on the same weights
        r2 = inspect(path, "--formats", "fp8-e4m3,mxfp8-e4m3,mxfp4,nvfp4", "--scale", "tensor",
                     "--lr", "1e-4", "--grad-std", "1e-3")
        for t in r2["tensors"]:
            self.check_formats(dict(t, formats=t["formats"][:1]), weights[t["name"]], expected_scaled, update)
            self.check_formats(dict(t, formats=t["formats"][1:]), weights[t["name"]], expected_block, update)
        total = {t["format"]: t for t in r["totals"]}
        every = np.concatenate(list(weights.values()))
        for fmt in ("fp16", "bf16", "fp8-e4m3", "fp8-e5m2"):
            want = expected(every, fmt, update)
            with self.subTest(total=fmt):
                self.assertEqual(total[fmt]["exact"], want["exact"])
                self.assertEqual(total[fmt]["overflow"], want["overflow"])
                self.assertEqual(total[fmt]["lost_update_fraction"], want["lost_update_fraction"])
                self.assertAlmostEqual(total[fmt]["sqnr_db"], want["sqnr_db"], delta=1e-12 * abs(want["sqnr_db"]))


def good_header(**override):
    h = {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}
    h["a"].update(override)
    return json.dumps(h).encode()


HOSTILE = {
    "empty file": lambda p: write(p, b""),
    "header length huge": lambda p: write(p, struct.pack("<Q", 2**62) + b"{}"),
    "header length past 100 MB": lambda p: write(p, struct.pack("<Q", 100_000_001) + b"{}"),
    "header length longer than file": lambda p: write(p, struct.pack("<Q", 1000) + b"{}"),
    "header not JSON": lambda p: safetensors(p, [], header=b"{not json"),
    "header a list": lambda p: safetensors(p, [], header=b"[1,2]"),
    "nesting bomb": lambda p: safetensors(p, [], header=b"[" * 100000 + b"]" * 100000),
    "nesting bomb in metadata": lambda p: safetensors(
        p, [], header=b'{"__metadata__":' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "offsets past the end": lambda p: safetensors(p, [], header=good_header(data_offsets=[0, 8])),
    "offsets overlapping": lambda p: safetensors(p, [], header=json.dumps({
        "a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
        "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}).encode() + b"\0" * 12),
    "offsets with a gap": lambda p: safetensors(p, [], header=json.dumps({
        "a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}).encode()),
    "offsets reversed": lambda p: safetensors(p, [], header=good_header(data_offsets=[8, 0])),
    "shape disagrees with size": lambda p: safetensors(p, [("a", "F32", [3], b"\0" * 8)]),
    "shape overflows": lambda p: safetensors(p, [("a", "F32", [2**40, 2**40], b"\0" * 8)]),
    "negative shape": lambda p: safetensors(p, [("a", "F32", [-2], b"\0" * 8)]),
    "dtype not a string": lambda p: safetensors(p, [], header=good_header(dtype=5)),
    "truncated data": lambda p: safetensors(p, [("a", "F32", [2], b"\0" * 8)]) or _truncate(p, 3),
    "bytes after the data": lambda p: safetensors(p, [("a", "F32", [2], b"\0" * 8)]) or _append(p, b"\0"),
    "npy int dtype": lambda p: save(p, np.arange(3, dtype="<i4")),
    "npy big endian": lambda p: save(p, np.arange(3, dtype=">f4")),
    "npy truncated": lambda p: save(p, np.ones(8, "<f4")) or _truncate(p, 1),
    "npy header unknown key": lambda p: write(p, 
        b"\x93NUMPY\x01\x00\x40\x00" + b"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}".ljust(63) + b"\n"),
    "npy version 9": lambda p: write(p, b"\x93NUMPY\x09\x00\x10\x00" + b" " * 16),
    "npy header over 1 MiB": lambda p: write(p, b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**31)),
    "npy huge shape": lambda p: write(p, 
        b"\x93NUMPY\x01\x00\x46\x00" + b"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999)}".ljust(69) + b"\n"),
    "gguf version 1": lambda p: gguf(p, [], version=1),
    "gguf big endian": lambda p: write(p, b"GGUF" + struct.pack(">IQQ", 3, 0, 0)),
    "gguf ends in its header": lambda p: write(p, b"GGUF" + struct.pack("<IQ", 3, 1)),
    "gguf tensor count huge": lambda p: write(p, b"GGUF" + struct.pack("<IQQ", 3, 2**63, 0) + b"\0" * 64),
    "gguf kv count huge": lambda p: write(p, b"GGUF" + struct.pack("<IQQ", 3, 0, 2**64 - 1) + b"\0" * 64),
    "gguf key length huge": lambda p: write(p, b"GGUF" + struct.pack("<IQQQ", 3, 0, 1, 2**63) + b"\0" * 64),
    "gguf string value length huge": lambda p: write(
        p, b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("k") + struct.pack("<IQ", 8, 2**62)),
    "gguf array count huge": lambda p: write(
        p, b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("k") + struct.pack("<IIQ", 9, 12, 2**61)),
    "gguf array of strings count huge": lambda p: write(
        p, b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("k") + struct.pack("<IIQ", 9, 8, 2**61) + b"\0" * 99),
    "gguf arrays nested deep": lambda p: write(
        p, b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("k") + struct.pack("<I", 9)
        + struct.pack("<IQ", 9, 1) * 50 + struct.pack("<IQ", 0, 0)),
    "gguf unknown value type": lambda p: write(
        p, b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + gguf_string("k") + struct.pack("<I", 13) + b"\0" * 8),
    "gguf duplicate key": lambda p: gguf(p, [], [("k", 4, 1), ("k", 4, 2)]),
    "gguf alignment not a power of two": lambda p: gguf(p, [], alignment=48),
    "gguf alignment zero": lambda p: gguf(p, [], [("general.alignment", 4, 0)]),
    "gguf alignment not uint32": lambda p: gguf(p, [], [("general.alignment", 10, 32)]),
    "gguf unknown ggml type": lambda p: gguf(p, [("a", "F32", [2], b"\0" * 8)]) or _patch_type(p, 99),
    "gguf five dims": lambda p: gguf(p, [("a", "F32", [1, 1, 1, 1, 2], b"\0" * 8)]),
    "gguf dims overflow": lambda p: gguf(p, [("a", "F32", [2**40, 2**40], b"\0" * 8)]),
    "gguf block size mismatch": lambda p: gguf(p, [("a", "Q4_0", [33], b"\0" * 36)]),
    "gguf offset misaligned": lambda p: gguf(p, [("a", "F32", [2], b"\0" * 8)], offsets=[4]),
    "gguf offsets overlap": lambda p: gguf(
        p, [("a", "F32", [16], b"\0" * 64), ("b", "F32", [2], b"\0" * 8)], offsets=[0, 32]),
    "gguf offsets leave a gap": lambda p: gguf(
        p, [("a", "F32", [2], b"\0" * 8), ("b", "F32", [2], b"\0" * 8)], offsets=[0, 64]),
    "gguf duplicate tensor name": lambda p: gguf(p, [("a", "F32", [2], b"\0" * 8), ("a", "F32", [2], b"\0" * 8)]),
    "gguf truncated data": lambda p: gguf(p, [("a", "F32", [16], b"\0" * 64)]) or _truncate(p, 3),
    "gguf bytes after the padding": lambda p: gguf(p, [("a", "F32", [8], b"\0" * 32)], tail=b"\0" * 32),
}


def _patch_type(p, t):
    """Rewrites the ggml type of a one-tensor GGUF (the u32 before the final u64 offset)."""
    with open(p, "rb") as f:
        data = bytearray(f.read())
    end = data.index(b"a", 24) + 1 + 4 + 8  # name, n_dims, one dim
    data[end:end + 4] = struct.pack("<I", t)
    with open(p, "wb") as f:
        f.write(bytes(data))


def write(p, data):
    with open(p, "wb") as f:
        f.write(data)


def save(p, array):
    # np.save(path) would append ".npy" to a path without it.
    with open(p, "wb") as f:
        np.save(f, array)


def _truncate(p, n):
    with open(p, "rb") as f:
        data = f.read()
    with open(p, "wb") as f:
        f.write(data[:-n])


def _append(p, extra):
    with open(p, "ab") as f:
        f.write(extra)


class HostileFiles(unittest.TestCase):
    def test_each_hostile_file_is_refused_with_exit_2_naming_the_file(self):
        with tempfile.TemporaryDirectory() as d:
            for name, make in HOSTILE.items():
                with self.subTest(name):
                    p = os.path.join(d, "bad file.bin")
                    if os.path.exists(p):
                        os.remove(p)
                    make(p)
                    r = run(p)
                    self.assertEqual(r.returncode, 2, (r.stdout, r.stderr))
                    self.assertTrue(r.stderr.startswith("mantissa: "), r.stderr)
                    self.assertIn("bad file.bin", r.stderr)
                    self.assertEqual(r.stdout, "")

    def test_bad_options_exit_2(self):
        for args in (["--formats", "fp99"], ["--lr", "1"], ["--lr", "x", "--grad-std", "1"],
                     ["--tensors", "("], ["--tensors", "a{2}"], ["--tensors", "(a)\\1"], ["--tensors", "a" * 300],
                     ["--tensors", "(" * 40 + ")" * 40], ["--json", "--csv"], ["--scale", "block"]):
            with self.subTest(args=args):
                r = run("/dev/null", *args)
                self.assertEqual(r.returncode, 2, r.stderr)
        r = run()
        self.assertEqual(r.returncode, 2)


if __name__ == "__main__":
    MANTISSA = sys.argv.pop(1)
    unittest.main(verbosity=1)
